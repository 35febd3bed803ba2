"""Moving the test database to a migration state and back, for tests of data migrations."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to ``targets`` (app, migration name) and return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Back to every app's last migration (a test's ``finally``)."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
