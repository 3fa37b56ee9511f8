"""Keeping the petitions table readable from its indexes alone (PostgreSQL).

The reports read a year of petitions from a covering index (petition_submitted_cover), which PostgreSQL
can do without the table only on pages its visibility map marks all-visible. Every flag the SLA sweep
changes and every step of a petition clears that mark on its page, and the sweep's in-place (HOT) updates
leave too few dead rows for autovacuum to come: after one sweep that changed 89,034 flags, the overview
read 318,545 rows from the table again and took 2.0 s instead of 0.6 s (BENCHMARKS.md). A plain VACUUM
sets the marks again; it skips the pages already marked, so it is cheap when little changed (1.6 s after
that sweep, on a million petitions).
"""
from __future__ import annotations

from django.db import connection

from .models import Petition


def petitions_vacuum() -> bool:
    """VACUUM the petitions table (PostgreSQL; outside any transaction). False where there is nothing to do."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(Petition._meta.db_table)}")
    return True
