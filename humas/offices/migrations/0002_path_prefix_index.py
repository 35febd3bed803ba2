"""A pattern-ops index so "path LIKE 'prefix%'" (descendant listings) is an index range scan on
PostgreSQL whatever the database collation. SQLite needs nothing: its tree is small enough."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS office_path_prefix ON offices_office (path varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS office_path_prefix")


class Migration(migrations.Migration):
    dependencies = [("offices", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
