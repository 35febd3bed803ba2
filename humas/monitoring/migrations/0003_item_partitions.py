"""Items partitioned by month of publication on PostgreSQL (humas/monitoring/partitions.py).

The unique key of an item includes its publication time (a partitioned table's unique keys must
hold the partition key), and replies point at items without a database constraint (a foreign key
needs a unique key of the target's own). On PostgreSQL the table is then rebuilt as a partitioned
one: same columns, defaults, checks, indexes and foreign keys (read from the catalogue, so they
are exactly what the migrations before made), primary key (id, published_at), a sequence for ids,
a DEFAULT partition and the months around now; the rows are copied over. SQLite keeps one table.
"""

from django.db import migrations, models
import django.db.models.deletion

TABLE = "monitoring_item"
OLD = "monitoring_item_unpartitioned"
SEQUENCE = "monitoring_item_id_seq"


def _catalogue(cursor):
    """The table's own indexes (not those behind its primary or unique keys) and its foreign and
    unique keys, as the catalogue writes them."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
        [TABLE, TABLE],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [TABLE],
    )
    return indexes, cursor.fetchall()


def _set_aside(cursor, qn, indexes, constraints):
    """Rename the table and free its index and key names for the table that replaces it."""
    cursor.execute(f"ALTER TABLE {qn(TABLE)} RENAME TO {qn(OLD)}")
    for name, _definition in indexes:
        cursor.execute(f"ALTER INDEX {qn(name)} RENAME TO {qn(name[:50] + '_old')}")
    for name in [name for name, _definition in constraints] + [f"{TABLE}_pkey"]:
        cursor.execute(f"ALTER TABLE {qn(OLD)} RENAME CONSTRAINT {qn(name)} TO {qn(name[:50] + '_old')}")


def _recreate(cursor, qn, indexes, constraints):
    """The keys and indexes again, on the new table, under their names."""
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {qn(TABLE)} ADD CONSTRAINT {qn(name)} {definition}")
    for _name, definition in indexes:
        # "CREATE INDEX name ON [ONLY] public.monitoring_item USING …": the same on the new table.
        on = definition.index(" ON ")
        using = definition.index(" USING ", on)
        cursor.execute(f"{definition[:on]} ON {qn(TABLE)}{definition[using:]}")


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        indexes, constraints = _catalogue(cursor)
        _set_aside(cursor, qn, indexes, constraints)
        cursor.execute(
            f"CREATE TABLE {qn(TABLE)} (LIKE {qn(OLD)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (published_at)"
        )
        cursor.execute(f"CREATE SEQUENCE {qn(SEQUENCE + '_p')} AS bigint")
        cursor.execute(f"ALTER TABLE {qn(TABLE)} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}_p')")
        cursor.execute(f"ALTER TABLE {qn(TABLE)} ADD CONSTRAINT {qn(TABLE + '_pkey')} PRIMARY KEY (id, published_at)")
        _recreate(cursor, qn, indexes, constraints)
        cursor.execute(f"CREATE TABLE {qn(TABLE + '_default')} PARTITION OF {qn(TABLE)} DEFAULT")
        cursor.execute(f"INSERT INTO {qn(TABLE)} SELECT * FROM {qn(OLD)}")
        cursor.execute(f"SELECT setval('{SEQUENCE}_p', GREATEST((SELECT MAX(id) FROM {qn(OLD)}), 0) + 1, false)")
        cursor.execute(f"DROP TABLE {qn(OLD)}")
        cursor.execute(f"ALTER SEQUENCE {qn(SEQUENCE + '_p')} RENAME TO {qn(SEQUENCE)}")
        cursor.execute(f"ALTER SEQUENCE {qn(SEQUENCE)} OWNED BY {qn(TABLE)}.id")
    from humas.monitoring.partitions import items_partitions_ensure

    items_partitions_ensure(months_back=1, months_ahead=2)


def unpartition(apps, schema_editor):
    """Back to one plain table (migrating to an older state, as tests of older migrations do)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE c.relname = %s",
            [TABLE],
        )
        if cursor.fetchone() is None:
            return
        indexes, constraints = _catalogue(cursor)
        cursor.execute(f"ALTER SEQUENCE {qn(SEQUENCE)} OWNED BY NONE")
        _set_aside(cursor, qn, indexes, constraints)
        cursor.execute(
            f"CREATE TABLE {qn(TABLE)} (LIKE {qn(OLD)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS)"
        )
        cursor.execute(f"ALTER TABLE {qn(TABLE)} ADD CONSTRAINT {qn(TABLE + '_pkey')} PRIMARY KEY (id)")
        _recreate(cursor, qn, indexes, constraints)
        cursor.execute(f"INSERT INTO {qn(TABLE)} SELECT * FROM {qn(OLD)}")
        cursor.execute(f"DROP TABLE {qn(OLD)} CASCADE")
        cursor.execute(f"ALTER SEQUENCE {qn(SEQUENCE)} OWNED BY {qn(TABLE)}.id")


class Migration(migrations.Migration):
    # The rebuild and the partitions are one step: half a table is no table.
    atomic = True

    dependencies = [
        ("factcheck", "0001_initial"),
        ("monitoring", "0002_pipeline_narratives"),
        ("offices", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="item",
            name="monitoring_item_unique_per_source",
        ),
        migrations.AlterField(
            model_name="reply",
            name="item",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="replies",
                to="monitoring.item",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.UniqueConstraint(
                fields=("source", "external_id", "published_at"), name="monitoring_item_unique_per_source"
            ),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
