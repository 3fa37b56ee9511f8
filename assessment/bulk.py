"""Set-based inserts of many rows: one INSERT ... SELECT FROM unnest(arrays) on PostgreSQL.

Django's bulk_create builds a model instance and prepares every value of every row in Python; for
the sweep's tens of thousands of history rows that dominates the time. Here each column travels as
one array parameter. Columns not given take their model default (so columns added later keep
working). Other databases fall back to bulk_create.
"""
from __future__ import annotations

import json

from django.db import connection, models


# Types whose Python values psycopg adapts as they are: no per-value preparation needed.
_PLAIN = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField", "SmallIntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey"}


def insert_rows(model, *, columns: dict[str, list], constants: dict | None = None,
                ignore_conflicts: bool = False, using=None) -> int:
    constants = constants or {}
    n = len(next(iter(columns.values()))) if columns else 0
    if n == 0:
        return 0
    if connection.vendor != "postgresql":
        objs = [model(**{k: v[i] for k, v in columns.items()}, **constants) for i in range(n)]
        model.objects.bulk_create(objs, ignore_conflicts=ignore_conflicts, batch_size=1000)
        return n

    target, select, select_params, arrays, array_params = [], [], [], [], []
    for field in model._meta.concrete_fields:
        name = field.attname
        if field.primary_key and name not in columns:
            continue
        target.append(connection.ops.quote_name(field.column))
        if name in columns:
            alias = f"c{len(arrays)}"
            if isinstance(field, models.JSONField):
                arrays.append(f"%s::text[]")
                array_params.append([json.dumps(v) for v in columns[name]])
                select.append(f"t.{alias}::jsonb")
            else:
                arrays.append(f"%s::{field.db_type(connection)}[]")
                values = columns[name]
                if field.get_internal_type() not in _PLAIN:
                    values = [field.get_db_prep_save(v, connection) for v in values]
                array_params.append(values)
                select.append(f"t.{alias}")
            continue
        if name in constants:
            value = constants[name]
        elif field.null and not field.has_default():
            value = None
        else:
            value = field.get_default()
        select.append(f"%s::{field.db_type(connection)}")
        select_params.append(field.get_db_prep_save(value, connection))
    aliases = ", ".join(f"c{i}" for i in range(len(arrays)))
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(target)}) "
           f"SELECT {', '.join(select)} FROM unnest({', '.join(arrays)}) AS t({aliases})"
           f"{' ON CONFLICT DO NOTHING' if ignore_conflicts else ''}")
    with connection.cursor() as cursor:
        cursor.execute(sql, select_params + array_params)
        return cursor.rowcount


def update_column(model, *, column: str, ids: list, values: list, using=None) -> int:
    """Set one column of many rows to per-row values (update_rows() with one column)."""
    return update_rows(model, ids=ids, columns={column: values})


def update_rows(model, *, ids: list, columns: dict[str, list], using=None) -> int:
    """Set columns of many rows to per-row values: UPDATE ... FROM unnest(ids, one array per column) on
    PostgreSQL (one statement whatever the number of rows), one UPDATE per distinct value (one column) or
    bulk_update (several) elsewhere. `columns` are attnames (`sector_id`) or field names."""
    if not ids:
        return 0
    fields = [model._meta.get_field(name) for name in columns]
    if connection.vendor != "postgresql":
        if len(columns) == 1:
            ((name, values),) = columns.items()
            by_value: dict = {}
            for pk, value in zip(ids, values):
                by_value.setdefault(value, []).append(pk)
            return sum(model.objects.filter(pk__in=pks).update(**{name: value}) for value, pks in by_value.items())
        objs = [model(pk=pk, **{f.attname: values[i] for f, values in zip(fields, columns.values())})
                for i, pk in enumerate(ids)]
        return model.objects.bulk_update(objs, [f.name for f in fields], batch_size=500)
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    arrays, params, sets = [f"%s::{model._meta.pk.db_type(connection)}[]"], [list(ids)], []
    for i, (field, values) in enumerate(zip(fields, columns.values())):
        if isinstance(field, models.JSONField):
            arrays.append("%s::text[]")
            params.append([json.dumps(v) for v in values])
            sets.append(f"{quote(field.column)} = t.c{i}::jsonb")
            continue
        arrays.append(f"%s::{field.db_type(connection)}[]")
        params.append(list(values) if field.get_internal_type() in _PLAIN
                      else [field.get_db_prep_save(v, connection) for v in values])
        sets.append(f"{quote(field.column)} = t.c{i}")
    aliases = ", ".join(f"c{i}" for i in range(len(fields)))
    sql = (f"UPDATE {table} AS r SET {', '.join(sets)} FROM unnest({', '.join(arrays)}) AS t(id, {aliases}) "
           f"WHERE r.{pk} = t.id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
