"""Which tables a backup holds, in which order, and how one row becomes a line of JSON and back.

Rows are written with each field's own conversion (``value_to_string`` / ``to_python``), never with
a database's dump format, so an archive of the embedded SQLite installation loads into PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.apps.registry import Apps
from django.db import connections, models

# Sign-ins are not data: a restored session would sign a browser in as whoever owns that id in
# the archive, and the session key is a bearer secret that does not belong in a file on a backup disk.
EXCLUDED_MODELS = frozenset({"sessions.Session"})

# Filled on every install by the migrations (the portal's default categories) or by
# `humas serve --migrate` (the offices); a target holding only these counts as empty.
REFERENCE_MODELS = frozenset({"offices.Office", "portal.Category"})

_JSON_NATIVE = (str, int, float, bool, type(None))


def backed_up_models(registry: Apps | None = None) -> list[type[models.Model]]:
    """Every concrete model of every installed app, m2m tables included, parents before children.

    ``registry`` is the historical models at a database's schema (``MigrationLoader.project_state``)
    when that schema is not the code's: rows are read and written with the columns the tables have.

    Constraints are deferred on both supported databases, so the order only keeps a reader of the
    archive (or a database without deferred constraints) from meeting a reference before its row.
    """
    candidates = [
        model
        for model in (registry or apps).get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label not in EXCLUDED_MODELS
    ]
    by_label = {model._meta.label: model for model in candidates}
    depends: dict[str, set[str]] = {}
    for model in candidates:
        targets = set()
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                target = field.related_model._meta.concrete_model._meta.label  # type: ignore[union-attr]
                if target in by_label and target != model._meta.label:
                    targets.add(target)
        depends[model._meta.label] = targets
    ordered: list[type[models.Model]] = []
    done: set[str] = set()
    pending = sorted(by_label)
    while pending:
        ready = [label for label in pending if depends[label] <= done]
        # A cycle between tables (none today) cannot be ordered: keep the rest alphabetical.
        batch = ready or pending
        for label in batch:
            ordered.append(by_label[label])
            done.add(label)
        pending = [label for label in pending if label not in done]
    return ordered


def is_humas_model(model: type[models.Model]) -> bool:
    # Historical models carry a stub app config: ask the installed one.
    return apps.get_app_config(model._meta.app_label).name.startswith("humas.")


def encode_row(model: type[models.Model], obj: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        value = field.value_from_object(obj)
        if isinstance(field, models.JSONField) or isinstance(value, _JSON_NATIVE):
            row[field.attname] = value
        else:
            # Dates with their full precision and zone, decimals, UUIDs, bytes (base64), files (name).
            row[field.attname] = field.value_to_string(obj)
    return row


def decode_row(model: type[models.Model], row: dict[str, Any]) -> models.Model:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = set(row) - set(fields)
    if unknown:
        raise ValueError(f"{model._meta.label}: unknown columns {sorted(unknown)}")
    values = {}
    for attname, value in row.items():
        field = fields[attname]
        if isinstance(field, models.JSONField) or field.is_relation or value is None:
            values[attname] = value
        else:
            values[attname] = field.to_python(value)
    return model(**values)


def dump_lines(model: type[models.Model], using: str, chunk_size: int = 2000) -> Iterator[bytes]:
    """The rows of ``model`` as JSON lines, read in chunks so a large table never sits in memory."""
    queryset = model._base_manager.using(using).order_by("pk")
    for obj in queryset.iterator(chunk_size=chunk_size):
        yield json.dumps(encode_row(model, obj), ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def load_rows(model: type[models.Model], lines: Iterable[bytes], using: str) -> int:
    """Insert the rows as they are: ``raw`` keeps ``auto_now`` fields from stamping the time of restore."""
    fields = list(model._meta.concrete_fields)
    batch_size = max(1, min(500, connections[using].ops.bulk_batch_size(fields, [None] * 500)))
    count = 0
    batch: list[models.Model] = []
    for line in lines:
        if not line.strip():
            continue
        batch.append(decode_row(model, json.loads(line)))
        if len(batch) >= batch_size:
            count += _insert(model, batch, fields, using)
            batch = []
    if batch:
        count += _insert(model, batch, fields, using)
    return count


def _insert(model: type[models.Model], batch: list[models.Model], fields: list[Any], using: str) -> int:
    model._base_manager.using(using)._insert(batch, fields=fields, raw=True, using=using)  # type: ignore[attr-defined]
    return len(batch)
