"""``humas backup FILE``: the database as JSON lines, the uploads, the private media, a manifest.

Layout of the tar (gzip when the name ends in .gz or .tgz)::

    database/0001-contenttypes.contenttype.jsonl   one table per member, parents first
    media/<path>                                   MEDIA_ROOT
    private/<path>                                 HUMAS_PRIVATE_MEDIA_ROOT
    manifest.json                                  written last: it holds every other member's hash

The credential keys are never written; the manifest names them by fingerprint only.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

import humas

from .tables import backed_up_models, dump_lines

FORMAT = 1
MANIFEST = "manifest.json"
# Archive folder -> the setting naming the directory it holds.
MEDIA_ROOTS = {"media": "MEDIA_ROOT", "private": "HUMAS_PRIVATE_MEDIA_ROOT"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The installation cannot be backed up as it is; no archive was written."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    size: int


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def credential_fingerprints() -> list[str]:
    return [key_fingerprint(key) for key in settings.HUMAS_CREDENTIAL_KEYS]


def schema_version(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of every app (the one no other applied migration of it follows)."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = set(loader.applied_migrations or {})
    latest: dict[str, str] = {}
    for app_label, name in sorted(applied):
        node = (app_label, name)
        children = loader.graph.node_map[node].children if node in loader.graph.node_map else set()
        if not any(child[0] == app_label and tuple(child) in applied for child in children):
            latest[app_label] = max(latest.get(app_label, ""), name)
    return latest


def schema_models(schema: dict[str, str], using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """The models of the tables as ``schema`` shapes them, parents first (see tables.backed_up_models)."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    state = loader.project_state(nodes=list(schema.items()), at_end=True)
    return backed_up_models(state.apps)


def open_for_writing(path: Path, *, gzip: bool) -> tarfile.TarFile:
    return tarfile.open(path, "w:gz" if gzip else "w")


def _add(tar: tarfile.TarFile, name: str, source: BinaryIO, size: int, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    tar.addfile(info, source)


def _hashed_copy(chunks: Iterator[bytes], target: BinaryIO | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest(), size


def read_chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(_CHUNK):
        yield chunk


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read every table in one snapshot, so rows written while the backup runs cannot half-appear.

    SQLite: a deferred read transaction (WAL keeps writers going; the settings' IMMEDIATE mode
    would lock them out for the whole backup). PostgreSQL: a read-only repeatable-read transaction.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _media_files(root: Path, skip: set[Path]) -> Iterator[tuple[str, Path]]:
    """Regular files under ``root`` as (relative POSIX path, path); links are not followed.

    ``skip``: the archive being written, should it be written inside a media root.
    """
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        # A restore's staging folder and this backup's scratch folder are not part of the uploads.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".humas-restore-", ".humas-backup-")))
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink() and path.resolve() not in skip:
                yield path.relative_to(root).as_posix(), path


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the archive to ``path`` (via a temporary file beside it, renamed at the end)."""
    path = path.resolve()
    members: dict[str, dict[str, Any]] = {}
    row_counts: dict[str, int] = {}
    created_at = timezone.now()
    schema = schema_version(using)
    if not schema:
        raise BackupError(_("Basis data belum dimigrasikan: tidak ada yang dapat dicadangkan."))
    handle, partial_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    partial = Path(partial_name)
    try:
        with (
            open_for_writing(partial, gzip=path.name.endswith((".gz", ".tgz"))) as tar,
            tempfile.TemporaryDirectory(prefix=".humas-backup-", dir=path.parent) as scratch,
        ):
            with _snapshot(using):
                for index, model in enumerate(schema_models(schema, using), start=1):
                    label = model._meta.label
                    name = f"database/{index:04d}-{label.lower()}.jsonl"
                    spool = Path(scratch) / "table.jsonl"
                    with spool.open("wb") as out:
                        digest, size = _hashed_copy(dump_lines(model, using), out)
                    with spool.open("rb") as source:
                        count = sum(1 for _ in source)
                        source.seek(0)
                        _add(tar, name, source, size, created_at.timestamp())
                    members[name] = {"sha256": digest, "size": size, "model": label}
                    row_counts[label] = count
            for folder, setting in MEDIA_ROOTS.items():
                root = Path(getattr(settings, setting))
                for relative, file_path in _media_files(root, skip={path, partial.resolve()}):
                    name = f"{folder}/{relative}"
                    stat = file_path.stat()
                    with file_path.open("rb") as source:
                        digest, size = _hashed_copy(read_chunks(source))
                        source.seek(0)
                        _add(tar, name, source, size, stat.st_mtime)
                    members[name] = {"sha256": digest, "size": size}
            manifest = {
                "format": FORMAT,
                "humas_version": humas.__version__,
                "schema": schema,
                "created_at": created_at.isoformat(),
                "database_vendor": connections[using].vendor,
                "credential_key_fingerprints": credential_fingerprints(),
                "row_counts": row_counts,
                "members": members,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            _add(tar, MANIFEST, io.BytesIO(data), len(data), created_at.timestamp())
        partial.chmod(0o600)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    media_files = sum(1 for name in members if not name.startswith("database/"))
    return BackupResult(
        path=path,
        tables=len(row_counts),
        rows=sum(row_counts.values()),
        files=media_files,
        size=path.stat().st_size,
    )
