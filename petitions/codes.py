"""Tracking codes: 10 characters of Crockford base32 (no I, L, O, U), 50 random bits, easy to read out."""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_tracking_code(value: str) -> bool:
    """Whether a normalised value has a tracking code's shape (it may still be no petition's)."""
    return len(value) == LENGTH and all(ch in ALPHABET for ch in value)


def normalise_tracking_code(raw: str) -> str:
    """What a citizen typed or read out, as stored: upper case, no spaces or dashes, I/L→1, O→0."""
    cleaned = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return cleaned.translate(_READ_AS)


def format_tracking_code(code: str) -> str:
    """Shown in two groups of five, 'AB12C-DE34F', so it can be read out."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code
