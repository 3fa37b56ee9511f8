"""Server-side prepared statements for the few statements sent many times a second (PostgreSQL only).

PostgreSQL parses and plans every statement it is sent as text. For intake's one statement (a petition and its
SUBMIT event, 50 values: petitions/services.py) that was 40% of the database's CPU per submission. A statement
PREPAREd once per connection is then only EXECUTEd with its values: same rows, same constraints and triggers.

A prepared statement lives in the server session, so it is made again whenever Django opens a new connection
(after CONN_MAX_AGE, an error, or a failed health check). A pooler in transaction mode (PgBouncer's
`pool_mode = transaction`) hands one session to many clients and does not carry SQL-level PREPARE: set
DATABASE_PREPARED_STATEMENTS=false there (docs/deploy.md), and the statements are sent as text.
"""
from __future__ import annotations

import re

from django.conf import settings

_PLACEHOLDER = re.compile(r"%(s|%)")


def numbered(sql: str) -> tuple[str, int]:
    """Django's SQL with %s placeholders as PREPARE wants it ($1, $2, ...), and how many there are."""
    count = 0

    def replace(match):
        nonlocal count
        if match.group(1) == "%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


def execute_prepared(cursor, name: str, sql: str, params) -> None:
    """Run `sql` (Django's, with %s placeholders, the same text for every call with this name) with `params`, as
    the prepared statement `name` of this connection: PREPAREd the first time on each new connection."""
    db = cursor.db
    if db.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    # Kept on the connection wrapper with the driver connection they were made on: a new one has none.
    made_on, names = getattr(db, "_prepared_statements", (None, None))
    if made_on is not db.connection:
        made_on, names = db.connection, set()
        db._prepared_statements = (made_on, names)
    if name not in names:
        text, count = numbered(sql)
        if count != len(params):
            raise ValueError(f"{name}: {count} placeholders for {len(params)} values")
        cursor.execute(f"PREPARE {name} AS {text}")
        names.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
