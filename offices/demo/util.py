"""Bulk-insert helpers shared by the build phases."""
import datetime as dt
import io
import json

from django.db import DEFAULT_DB_ALIAS, connections

BATCH = 2000


def insert_missing(model, objects, key: str) -> list:
    """Insert the objects whose natural key (a unique field) is not in the table yet; returns them."""
    wanted = [getattr(o, key) for o in objects]
    existing = set()
    for i in range(0, len(wanted), BATCH):  # keep IN (...) lists short for SQLite
        existing.update(model.objects.filter(**{f"{key}__in": wanted[i:i + BATCH]}).values_list(key, flat=True))
    missing = [o for o in objects if getattr(o, key) not in existing]
    if missing:
        model.objects.bulk_create(missing, batch_size=BATCH)
    return missing


def link(through, rows: list) -> None:
    """Insert many-to-many rows, skipping pairs that are already there."""
    if rows:
        through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


# Field types whose Python value needs the backend's conversion before it is sent.
_CONVERTED = ("DateTimeField", "DateField", "DecimalField", "JSONField", "TimeField", "UUIDField")


def fast_insert(model, objects) -> None:
    """Multi-row INSERT of unsaved instances or of dicts keyed by attname, without bulk_create's
    per-value SQL compilation.

    For the two big tables (petitions and their events) bulk_create spends most of its time
    compiling each value into SQL. This sends the same values, converted as the ORM converts them:
    COPY on PostgreSQL, executemany on SQLite. Primary keys are not set on the objects; a dict's
    missing fields take their defaults.
    """
    if not objects:
        return
    conn = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    table = conn.ops.quote_name(model._meta.db_table)
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    # COPY through psycopg2's copy_expert; with psycopg 3, executemany is pipelined and fast enough.
    copy = conn.vendor == "postgresql" and conn.Database.__name__ == "psycopg2"
    convert = [(f.attname, _converter(f, conn, copy), f.get_default()) for f in fields]
    if isinstance(objects[0], dict):
        rows = [tuple(c(o.get(a, d)) if c else o.get(a, d) for a, c, d in convert) for o in objects]
    else:
        rows = [tuple(c(getattr(o, a)) if c else getattr(o, a) for a, c, _d in convert) for o in objects]
    with conn.cursor() as cursor:
        if copy:
            text = io.StringIO("".join("\t".join(map(_copy_text, row)) + "\n" for row in rows))
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", text)
        else:
            marks = ", ".join(["%s"] * len(fields))
            for i in range(0, len(rows), BATCH):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[i:i + BATCH])


def _converter(field, conn, copy: bool):
    """A function giving the value to send for a Python value, or None where they are the same."""
    kind = field.get_internal_type()
    if kind not in _CONVERTED:
        return None
    if copy:  # COPY's text format: _copy_text() writes dates, times and numbers itself
        if kind == "JSONField":
            return lambda value: None if value is None else json.dumps(value, cls=field.encoder)
        return None
    if kind == "DateTimeField" and conn.vendor == "sqlite":
        tz = conn.timezone  # what DatabaseOperations.adapt_datetimefield_value does, without the lookups

        def naive(value):
            return None if value is None else str(value.astimezone(tz).replace(tzinfo=None))
        return naive
    return lambda value: field.get_db_prep_save(value, conn)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)
