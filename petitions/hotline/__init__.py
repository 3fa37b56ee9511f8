"""The exchange with the 12345 citizen hotline: signing, the outbox, and status callbacks. See README.md."""
