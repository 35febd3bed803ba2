"""``humas restore FILE``: check the whole archive, then load it in one transaction, then the files.

Order, so that a bad archive or a refused target changes nothing:

1. read every member once: sizes and SHA-256 against the manifest (a truncated or tampered archive
   stops here);
2. the archive's schema must be known to this code, the target must hold no data (or ``--force``);
3. migrate the target to the archive's schema (it is empty);
4. one transaction: empty every table, insert every row (checking each member's hash and row count
   again as it streams), reset PostgreSQL's sequences; the files are written to a staging folder
   inside each media root meanwhile;
5. after the commit, rename the staged files into place, then migrate to this code's schema.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from humas.portal.search import article_reindex_all

from .backup import FORMAT, MANIFEST, MEDIA_ROOTS, credential_fingerprints, read_chunks, schema_version
from .tables import REFERENCE_MODELS, backed_up_models, is_humas_model, load_rows

USING = DEFAULT_DB_ALIAS
# A manifest lists every member; even a million files stay far below this.
_MANIFEST_MAX_BYTES = 512 * 1024 * 1024


class RestoreError(Exception):
    """The archive or the target is not fit for a restore; nothing was changed."""


@dataclass
class RestoreResult:
    rows: dict[str, int]
    files: dict[str, int]
    manifest: dict[str, Any]
    migrated_after: bool
    warnings: list[str] = field(default_factory=list)


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except FileNotFoundError as exc:
        raise RestoreError(_("Berkas %(path)s tidak ada.") % {"path": path}) from exc
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise RestoreError(
            _("%(path)s bukan arsip cadangan Humas yang dapat dibaca (%(error)s).")
            % {"path": path, "error": exc}
        ) from exc


def _members(tar: tarfile.TarFile, path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Every member in order, as a stream (read it inside ``_damage_reported``)."""
    for info in tar:
        if not info.isfile():
            raise RestoreError(
                _("Arsip %(path)s memuat anggota yang bukan berkas: %(name)s.")
                % {"path": path, "name": info.name}
            )
        stream = tar.extractfile(info)
        assert stream is not None  # a regular file always has a stream
        yield info, stream


@contextmanager
def _damage_reported(path: Path, *, os_errors: bool = True) -> Iterator[None]:
    """A damaged or truncated archive, noticed while reading any member, becomes a RestoreError.

    While loading, files are also written: an OSError there (a full disk) is not the archive's fault.
    """
    errors: tuple[type[BaseException], ...] = (tarfile.TarError, EOFError, zlib.error)
    if os_errors:
        errors += (OSError,)
    try:
        yield
    except errors as exc:
        raise RestoreError(
            _("Arsip %(path)s rusak atau terpotong (%(error)s); tidak ada yang diubah.")
            % {"path": path, "error": exc}
        ) from exc


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and ".." not in parts
        and "." not in parts
        and (name == MANIFEST or (len(parts) >= 2 and parts[0] in {"database", *MEDIA_ROOTS}))
    )


def _hash_stream(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in read_chunks(stream):  # type: ignore[arg-type]
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def verify(path: Path) -> dict[str, Any]:
    """Read the whole archive and check every member against the manifest; returns the manifest."""
    seen: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    with _open(path) as tar, _damage_reported(path):
        for info, stream in _members(tar, path):
            if not _safe_name(info.name) or info.name in seen:
                raise RestoreError(
                    _("Arsip %(path)s memuat nama yang tidak sah: %(name)s.")
                    % {"path": path, "name": info.name}
                )
            if info.name == MANIFEST:
                if info.size > _MANIFEST_MAX_BYTES:
                    raise RestoreError(_("manifest.json di %(path)s terlalu besar.") % {"path": path})
                manifest_bytes = stream.read()
                seen[info.name] = ("", len(manifest_bytes))
                continue
            seen[info.name] = _hash_stream(stream)
    if manifest_bytes is None:
        raise RestoreError(
            _("Arsip %(path)s tidak memuat manifest.json: arsip terpotong atau bukan cadangan Humas.")
            % {"path": path}
        )
    try:
        manifest = json.loads(manifest_bytes)
        members = manifest["members"]
        if (
            manifest["format"] != FORMAT
            or not isinstance(members, dict)
            or not isinstance(manifest["schema"], dict)
        ):
            raise ValueError(manifest["format"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RestoreError(_("manifest.json di %(path)s tidak dapat dibaca.") % {"path": path}) from exc
    for name, expected in members.items():
        if name not in seen:
            raise RestoreError(
                _("Arsip %(path)s tidak lengkap: %(name)s hilang (arsip terpotong?).")
                % {"path": path, "name": name}
            )
        digest, size = seen[name]
        if size != expected.get("size") or digest != expected.get("sha256"):
            raise RestoreError(
                _(
                    "Isi %(name)s tidak cocok dengan manifest (ukuran atau SHA-256 berbeda): arsip rusak atau diubah."
                )
                % {"name": name}
            )
    extra = sorted(set(seen) - set(members) - {MANIFEST})
    if extra:
        raise RestoreError(
            _("Arsip %(path)s memuat anggota di luar manifest: %(name)s.") % {"path": path, "name": extra[0]}
        )
    return manifest


def _check_schema(manifest: dict[str, Any], loader: MigrationLoader) -> None:
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["schema"].items() if (app, name) not in loader.graph.nodes
    )
    if unknown:
        raise RestoreError(
            _(
                "Arsip dibuat oleh Humas %(version)s dengan skema yang lebih baru dari kode ini "
                "(migrasi tidak dikenal: %(migrations)s). Perbarui Humas dulu, lalu pulihkan lagi."
            )
            % {"version": manifest.get("humas_version", "?"), "migrations": ", ".join(unknown)}
        )


def tables_with_data() -> list[str]:
    """Humas tables of the target holding any row (reference tables aside: tables.REFERENCE_MODELS)."""
    connection = connections[USING]
    existing = set(connection.introspection.table_names())
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not is_humas_model(model) or model._meta.label in REFERENCE_MODELS:
            continue
        if model._meta.db_table in existing and model._base_manager.using(USING).exists():
            found.append(model._meta.db_table)
    return sorted(found)


def _migrate_to(loader: MigrationLoader, schema: dict[str, str]) -> None:
    """Bring the target's tables to ``schema`` (forwards on a fresh database, backwards on a newer one)."""
    executor = MigrationExecutor(connections[USING])
    targets: list[tuple[str, str | None]] = [(app, schema.get(app)) for app in sorted(loader.migrated_apps)]
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)


def _flush(models_: list[type[models.Model]]) -> None:
    """Empty every table in the transaction: TRUNCATE on PostgreSQL (the audit trigger refuses DELETE)."""
    connection = connections[USING]
    existing = set(connection.introspection.table_names())
    tables = sorted({m._meta.db_table for m in models_} & existing)
    for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=False):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _stream_lines(stream: IO[bytes], digest: Any) -> Iterator[bytes]:
    for line in stream:
        digest.update(line)
        yield line


def _load(
    path: Path, manifest: dict[str, Any], registry_models: list[type[models.Model]], staging: dict[str, Path]
) -> dict[str, int]:
    by_label = {m._meta.label: m for m in registry_models}
    members = manifest["members"]
    rows: dict[str, int] = {}
    with _open(path) as tar, _damage_reported(path, os_errors=False):
        for info, stream in _members(tar, path):
            if info.name == MANIFEST:
                continue
            expected = members.get(info.name)
            if expected is None:
                raise RestoreError(_("Isi %(name)s berubah selama pemulihan.") % {"name": info.name})
            digest = hashlib.sha256()
            if info.name.startswith("database/"):
                label = expected.get("model", "")
                if label not in by_label:
                    raise RestoreError(
                        _("Tabel %(model)s di arsip tidak dikenal kode ini.") % {"model": label}
                    )
                try:
                    count = load_rows(by_label[label], _stream_lines(stream, digest), USING)
                except (ValueError, TypeError, json.JSONDecodeError) as exc:
                    raise RestoreError(
                        _("Baris %(model)s di arsip tidak dapat dimuat: %(error)s")
                        % {"model": label, "error": exc}
                    ) from exc
                if count != manifest["row_counts"].get(label):
                    raise RestoreError(
                        _("Jumlah baris %(model)s tidak cocok dengan manifest.") % {"model": label}
                    )
                rows[label] = count
            else:
                folder, relative = info.name.split("/", 1)
                root = Path(getattr(settings, MEDIA_ROOTS[folder])).resolve()
                # A link inside the target root must not carry a file outside it.
                if not (root / relative).resolve().is_relative_to(root):
                    raise RestoreError(
                        _("%(path)s mengarah ke luar folder media.") % {"path": root / relative}
                    )
                target = staging[folder] / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    for chunk in read_chunks(stream):  # type: ignore[arg-type]
                        digest.update(chunk)
                        out.write(chunk)
            # Checked again while reading: the file may have changed since it was verified.
            if digest.hexdigest() != expected["sha256"]:
                raise RestoreError(_("Isi %(name)s berubah selama pemulihan.") % {"name": info.name})
    return rows


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    connection = connections[USING]
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _place_files(staging: dict[str, Path]) -> dict[str, int]:
    """Rename the staged files into their media root (same file system: each rename is atomic)."""
    placed: dict[str, int] = {}
    for folder, stage in staging.items():
        root = Path(getattr(settings, MEDIA_ROOTS[folder]))
        count = 0
        for directory, _dirs, files in os.walk(stage):
            for filename in files:
                staged = Path(directory) / filename
                final = root / staged.relative_to(stage)
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, final)
                count += 1
        placed[folder] = count
    return placed


def restore(path: Path, *, force: bool = False) -> RestoreResult:
    manifest = verify(path)
    connection = connections[USING]
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    _check_schema(manifest, loader)
    if not force:
        busy = tables_with_data()
        if busy:
            raise RestoreError(
                _(
                    "Basis data tujuan sudah berisi data (%(tables)s). Pulihkan ke basis data kosong, "
                    "atau tambahkan --force untuk mengosongkannya lebih dulu."
                )
                % {"tables": ", ".join(busy[:5]) + (" …" if len(busy) > 5 else "")}
            )
    schema: dict[str, str] = manifest["schema"]
    before = schema_version(USING)
    _migrate_to(loader, schema)
    try:
        rows, files = _load_in_transaction(path, manifest, loader)
    except BaseException:
        # Back to the schema the target had: a failed restore leaves it as it found it.
        _migrate_to(MigrationLoader(connection, ignore_no_migrations=True), before)
        raise
    executor = MigrationExecutor(connection)
    migrated_after = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if migrated_after:
        call_command("migrate", database=USING, interactive=False, verbosity=0)
    # Search vectors exist only on PostgreSQL: an archive of SQLite has none; rebuilding is exact.
    article_reindex_all()
    warnings = []
    missing = [
        f for f in manifest.get("credential_key_fingerprints", []) if f not in credential_fingerprints()
    ]
    if missing:
        warnings.append(
            _(
                "Kunci kredensial dengan sidik %(fingerprints)s (dipakai saat pencadangan) tidak ada di "
                "HUMAS_CREDENTIAL_KEYS: kredensial kanal tidak dapat dibuka sampai kunci itu dipasang."
            )
            % {"fingerprints": ", ".join(missing)}
        )
    return RestoreResult(
        rows=rows, files=files, manifest=manifest, migrated_after=migrated_after, warnings=warnings
    )


def _load_in_transaction(
    path: Path, manifest: dict[str, Any], loader: MigrationLoader
) -> tuple[dict[str, int], dict[str, int]]:
    schema: dict[str, str] = manifest["schema"]
    archive_models = backed_up_models(loader.project_state(nodes=list(schema.items()), at_end=True).apps)
    # Sessions are not in the archive but are emptied too: a session of the old target would
    # otherwise sign its browser in as whoever has that user id in the restored data.
    emptied = archive_models + [
        m for m in apps.get_models(include_auto_created=True) if m._meta.label == "sessions.Session"
    ]
    staging: dict[str, Path] = {}
    try:
        for folder, setting in MEDIA_ROOTS.items():
            root = Path(getattr(settings, setting))
            root.mkdir(parents=True, exist_ok=True)
            # Inside the root: the final rename stays on one file system.
            staging[folder] = Path(tempfile.mkdtemp(prefix=".humas-restore-", dir=root))
        with transaction.atomic(using=USING):
            _flush(emptied)
            rows = _load(path, manifest, archive_models, staging)
            _reset_sequences(archive_models)
        files = _place_files(staging)
    except DatabaseError as exc:
        raise RestoreError(
            _("Basis data menolak pemulihan; tidak ada yang diubah: %(error)s") % {"error": exc}
        ) from exc
    finally:
        for stage in staging.values():
            shutil.rmtree(stage, ignore_errors=True)
    return rows, files
