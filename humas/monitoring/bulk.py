"""Bulk writes the pipeline needs at its rate, in one statement each, on PostgreSQL and SQLite.

Django's ``bulk_update`` writes a ``CASE WHEN id = … THEN …`` per field and row, and building
those expressions costs more than everything else the pipeline does (measured: 40 s of 45 s for
4,000 items). ``UPDATE … FROM (VALUES …)`` says the same in one join; both databases have it
(SQLite since 3.33). Counters grow with ``INSERT … ON CONFLICT DO UPDATE`` by what a batch adds,
never a row per item. On PostgreSQL both take one array per column (``unnest``); the lookup
``__any`` (humas/core/lookups.py) names many values as one array parameter where ``__in`` would
bind each of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

# Rows per statement: well under SQLite's 32,766 parameters for the widest update here.
_CHUNK = 500


def _concrete(meta: Any, fields: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The model's fields of these names (columns, not relations seen from the other side)."""
    found: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)  # noqa: S101 - concrete columns only
        found.append(field)
    return found


def bulk_set(
    model: type[models.Model],
    objs: Sequence[models.Model],
    fields: Sequence[str],
    *,
    within: tuple[str, Any, Any] | None = None,
    unset: str | None = None,
) -> int:
    """Write ``fields`` of ``objs`` (saved rows of ``model``) to the database; returns the number
    of rows written. ``within`` (column, low, high): every row has ``low <= column <= high``; said
    to the database, it lets PostgreSQL skip the partitions outside that range. ``unset`` (a
    column): only the rows where it is still NULL are written."""
    if not objs:
        return 0
    qn = connection.ops.quote_name
    meta = model._meta
    concrete = _concrete(meta, fields)
    columns = [str(f.column) for f in concrete]
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every model has one
    table = qn(meta.db_table)
    pk_column = qn(str(pk.column))
    where = ""
    bounds: list[Any] = []
    if within is not None:
        column, low, high = within
        bound_field = meta.get_field(column)
        assert isinstance(bound_field, models.Field)  # noqa: S101 - concrete columns only
        where = f" AND {table}.{qn(str(bound_field.column))} BETWEEN %s AND %s"
        bounds = [bound_field.get_db_prep_value(v, connection) for v in (low, high)]
    if unset is not None:
        unset_field = meta.get_field(unset)
        assert isinstance(unset_field, models.Field)  # noqa: S101 - concrete columns only
        where += f" AND {table}.{qn(str(unset_field.column))} IS NULL"
    if connection.vendor == "postgresql":
        # One array per column, unnested into rows: a handful of parameters whatever the number
        # of rows, so neither the driver nor the server parses thousands of placeholders.
        types = [str(pk.db_type(connection)), *(str(f.db_type(connection)) for f in concrete)]
        names = ["id_", *(f"v{i}" for i in range(len(columns)))]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sets = ", ".join(f"{qn(c)} = v.{n}" for c, n in zip(columns, names[1:], strict=True))
        # Table, column names and types come from the model; values are parameters.
        sql = (
            f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v ({', '.join(names)}) "  # noqa: S608
            f"WHERE {table}.{pk_column} = v.id_{where}"
        )
        params: list[Any] = [[obj.pk for obj in objs]]
        for field in concrete:
            params.append(_column(field, objs))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *bounds])
            return int(cursor.rowcount)
    written = 0
    placeholder = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    sets = ", ".join(f"{qn(c)} = v.column{i + 2}" for i, c in enumerate(columns))
    for start in range(0, len(objs), _CHUNK):
        chunk = objs[start : start + _CHUNK]
        values: list[Any] = []
        for obj in chunk:
            values.append(obj.pk)
            for field in concrete:
                values.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
        rows = ", ".join([placeholder] * len(chunk))
        # Table and column names come from the model; values are parameters.
        sql = (
            f"UPDATE {table} SET {sets} FROM (VALUES {rows}) AS v "  # noqa: S608
            f"WHERE {table}.{pk_column} = v.column1{where}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, *bounds])
            written += int(cursor.rowcount)
    return written


# Fields whose Python value psycopg sends as it is: no per-value preparation by Django.
_AS_IS = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateTimeField",
        "FloatField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _column(field: models.Field[Any, Any], objs: Sequence[models.Model]) -> list[Any]:
    """One column's values for an array parameter (PostgreSQL): JSON as text (cast to jsonb by
    the statement), plain values as they are, anything else through Django's preparation."""
    name = field.attname
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return [
            None if (value := getattr(obj, name)) is None else json.dumps(value, cls=encoder) for obj in objs
        ]
    if kind in _AS_IS:
        return [getattr(obj, name) for obj in objs]
    return [field.get_db_prep_save(getattr(obj, name), connection) for obj in objs]


def _insert(model: type[models.Model], objs: Sequence[models.Model], suffix: str) -> list[Any]:
    """``INSERT … SELECT * FROM unnest(…) {suffix} RETURNING id`` (PostgreSQL): the ids of the rows
    inserted, in the order of ``objs``."""
    meta = model._meta
    pk = meta.pk
    assert pk is not None  # noqa: S101 - every model has one
    concrete = [f for f in meta.concrete_fields if f is not pk]
    for obj in objs:
        for field in concrete:
            field.pre_save(obj, True)  # auto_now and auto_now_add fields get their time
    qn = connection.ops.quote_name
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in concrete)
    with connection.cursor() as cursor:
        # Table, column names and types come from the model; values are parameters. The rows come
        # back in the order of the arrays.
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(str(f.column)) for f in concrete)}) "  # noqa: S608
            f"SELECT * FROM unnest({arrays}) {suffix} RETURNING {qn(str(pk.column))}",
            [_column(f, objs) for f in concrete],
        )
        return [row[0] for row in cursor.fetchall()]


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert new rows of ``model`` and give each object its id, as ``bulk_create`` does, but on
    PostgreSQL in one statement with one array per column (``bulk_create`` compiles and sends a
    placeholder per value: for a batch's narratives, a megabyte of query text)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(list(objs))
        return
    ids = _insert(model, objs, "")
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_ignoring(model: type[models.Model], objs: Sequence[models.Model]) -> list[Any] | None:
    """Insert the rows of ``objs`` that conflict with no existing row (``ON CONFLICT DO NOTHING``).
    On PostgreSQL in one statement, returning the ids of the rows inserted; elsewhere through
    ``bulk_create`` (which cannot tell them), returning None."""
    if not objs:
        return []
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(list(objs), batch_size=_CHUNK, ignore_conflicts=True)
        return None
    return _insert(model, objs, "ON CONFLICT DO NOTHING")


def insert_new(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``INSERT … ON CONFLICT DO NOTHING`` of plain rows (values of ``fields``, in order): no model
    instance per row, and on PostgreSQL one array per column."""
    if not rows:
        return
    meta = model._meta
    concrete = _concrete(meta, fields)
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**{f.attname: value for f, value in zip(concrete, row, strict=True)}) for row in rows],
            ignore_conflicts=True,
        )
        return
    qn = connection.ops.quote_name
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in concrete)
    columns = [[row[i] for row in rows] for i in range(len(concrete))]
    with connection.cursor() as cursor:
        # Table, column names and types come from the model; values are parameters.
        cursor.execute(
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(str(f.column)) for f in concrete)}) "  # noqa: S608
            f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
            columns,
        )


def _array_type(values: Sequence[Any]) -> str:
    """The PostgreSQL array type of a column of counter keys or counts (as their Python type)."""
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, datetime):
        return "timestamptz[]"
    if isinstance(sample, bool):
        return "boolean[]"
    if isinstance(sample, int):
        return "bigint[]"
    return "text[]"


def upsert_add(table: str, keys: Sequence[str], column: str, rows: Mapping[tuple[Any, ...], int]) -> None:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET column = column + excluded.column`` for many
    rows at once: counters grow by what a batch adds."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = [*keys, column]
    placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
    # One order for every writer: two transactions upserting overlapping rows never deadlock.
    items = sorted(rows.items(), key=lambda kv: tuple(str(part) for part in kv[0]))
    conflict = (
        f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
        f"{qn(column)} = {qn(table)}.{qn(column)} + excluded.{qn(column)}"
    )
    if connection.vendor == "postgresql":
        # One array per column (ordered by the row order above: unnest keeps it).
        columns: list[list[Any]] = [[key[i] for key, _count in items] for i in range(len(keys))]
        columns.append([count for _key, count in items])
        arrays = ", ".join(f"%s::{_array_type(values)}" for values in columns)
        with connection.cursor() as cursor:
            # Table and column names are the caller's constants; values are parameters.
            cursor.execute(
                f"INSERT INTO {qn(table)} ({', '.join(qn(n) for n in names)}) "  # noqa: S608
                f"SELECT * FROM unnest({arrays}) {conflict}",
                columns,
            )
        return
    placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        params: list[Any] = []
        for key, count in chunk:
            params.extend(
                connection.ops.adapt_datetimefield_value(part) if isinstance(part, datetime) else part
                for part in key
            )
            params.append(count)
        # Table and column names are the caller's constants; values are parameters.
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(n) for n in names)}) "  # noqa: S608
            f"VALUES {', '.join([placeholder] * len(chunk))} {conflict}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
