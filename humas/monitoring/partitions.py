"""Monthly partitions of the items table on PostgreSQL (SQLite keeps one table).

The table is partitioned by RANGE of ``published_at`` (migration 0003): one partition per month,
UTC, named ``monitoring_item_pYYYY_MM``, and a DEFAULT partition for anything outside them (an
import of last year's posts). :func:`items_partitions_ensure` creates the current month and the
next ones ahead; a periodic task runs it daily, so an item never waits for its partition. A month
whose rows already sit in the default partition is carved out of it (rows moved, then the new
table attached), so the function is safe to run at any time and any number of times.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

TABLE = "monitoring_item"
DEFAULT = f"{TABLE}_default"
_LOCK = 741_501  # advisory lock: one process changes the partitions at a time


def _month_start(year: int, month: int) -> datetime:
    while month > 12:
        year, month = year + 1, month - 12
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=UTC)


def partition_name(start: datetime) -> str:
    return f"{TABLE}_p{start:%Y_%m}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = %s",
            [TABLE],
        )
        return cursor.fetchone() is not None


def items_partitions() -> list[str]:
    """The partitions of the items table, by name (empty where it is not partitioned)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as c:
        c.execute(
            "SELECT child.relname FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent "
            "JOIN pg_class child ON child.oid = i.inhrelid WHERE parent.relname = %s ORDER BY child.relname",
            [TABLE],
        )
        return [row[0] for row in c.fetchall()]


def items_partitions_ensure(
    *, months_ahead: int = 2, months_back: int = 0, now: datetime | None = None
) -> list[str]:
    """Create the monthly partitions from ``months_back`` months ago to ``months_ahead`` months
    ahead that do not exist yet; returns the names created. A no-op off PostgreSQL or before the
    table is partitioned."""
    if not is_partitioned():
        return []
    now = now or timezone.now()
    created: list[str] = []
    existing = set(items_partitions())
    qn = connection.ops.quote_name
    for offset in range(-months_back, months_ahead + 1):
        start = _month_start(now.year, now.month + offset)
        end = _month_start(start.year, start.month + 1)
        name = partition_name(start)
        if name in existing:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            if name in set(items_partitions()):
                continue
            # A standalone table first, filled with the month's rows the default partition holds,
            # then attached: ATTACH checks the default holds none of the month any more.
            cursor.execute(
                f"CREATE TABLE {qn(name)} (LIKE {qn(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            cursor.execute(
                # Table names are this module's; the bounds are parameters.
                f"WITH moved AS (DELETE FROM {qn(DEFAULT)} WHERE published_at >= %s AND published_at < %s "  # noqa: S608
                f"RETURNING *) INSERT INTO {qn(name)} SELECT * FROM moved",
                [start, end],
            )
            # DDL takes no bound parameters; the bounds are dates this function wrote itself.
            cursor.execute(
                f"ALTER TABLE {qn(TABLE)} ATTACH PARTITION {qn(name)} "
                f"FOR VALUES FROM ('{start:%Y-%m-%d} 00:00:00+00') TO ('{end:%Y-%m-%d} 00:00:00+00')"
            )
        created.append(name)
    return created
