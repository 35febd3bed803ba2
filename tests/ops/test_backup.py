"""`humas backup` / `humas restore` (humas/ops): the demo installation goes through an archive into
fresh databases (SQLite and PostgreSQL) row for row and file for file; bad archives and occupied
targets are refused without a traceback and without changing anything.

Every installation here is a separate environment (its own data folder, database and media),
driven through the real command in a subprocess, as an operator would.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db.migrations.loader import MigrationLoader

import humas

from ..conftest import require_service

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
HUMAS = str(Path(sys.executable).parent / "humas")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Two Fernet keys (32 url-safe base64 bytes): the source's, and another installation's.
KEY = "a2V5LW9mLXRoZS1zb3VyY2UtaW5zdGFsbGF0aW9uLTA="
OTHER_KEY = "a2V5LW9mLWFub3RoZXItaW5zdGFsbGF0aW9uLTAwMDA="
SOURCE_FINGERPRINT = hashlib.sha256(KEY.encode()).hexdigest()[:16]


@dataclass
class Installation:
    data_dir: Path
    env: dict[str, str]

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "humas.sqlite3"

    def humas(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HUMAS, *args], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=300
        )

    def site(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.ops.site", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done

    def snapshot(self) -> dict:
        out = self.data_dir.parent / f"{self.data_dir.name}-snapshot.json"
        self.site("snapshot", str(out))
        return json.loads(out.read_text())


def installation(root: Path, *, key: str = KEY, database_url: str = "") -> Installation:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HUMAS_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    env["HUMAS_DATA_DIR"] = str(root)
    env["HUMAS_CREDENTIAL_KEYS"] = key
    if database_url:
        env["DATABASE_URL"] = database_url
    return Installation(data_dir=root, env=env)


@dataclass
class Source:
    site: Installation
    archive: Path
    snapshot: dict
    backup_output: str


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Source:
    """The demo installation (SQLite) with files in both media roots, and its archive."""
    root = tmp_path_factory.mktemp("source")
    site = installation(root / "var")
    site.site("seed")
    archive = root / "humas-cadangan.tar.gz"
    done = site.humas("backup", str(archive))
    assert done.returncode == 0, done.stderr
    return Source(site=site, archive=archive, snapshot=site.snapshot(), backup_output=done.stdout)


@pytest.fixture(scope="module")
def empty_template(tmp_path_factory) -> Path:
    """A migrated SQLite installation without data, copied by each test that needs a target."""
    root = tmp_path_factory.mktemp("empty") / "var"
    done = installation(root).humas("manage", "migrate", "--verbosity", "0")
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def empty_target(empty_template, tmp_path) -> Installation:
    shutil.copytree(empty_template, tmp_path / "var")
    return installation(tmp_path / "var")


def sqlite_state(site: Installation) -> dict[str, object]:
    """Every table's rows (django_migrations included) and every file under the data folder."""
    with sqlite3.connect(site.sqlite_path) as db:
        tables = [
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        rows = {t: sorted(map(repr, db.execute(f'SELECT * FROM "{t}"'))) for t in tables}  # noqa: S608
    files = sorted(
        p.relative_to(site.data_dir).as_posix()
        for p in site.data_dir.rglob("*")
        if p.is_file() and "cache" not in p.parts and not p.name.startswith("humas.sqlite3")
    )
    return {"rows": rows, "files": files}


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:*") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]


def write_archive(path: Path, contents: dict[str, bytes], *, fix_manifest: bool = False) -> Path:
    """A tar with ``contents`` in order; ``fix_manifest`` recomputes the hashes as a forger would."""
    if fix_manifest:
        manifest = json.loads(contents["manifest.json"])
        for name, data in contents.items():
            if name != "manifest.json":
                entry = manifest["members"].setdefault(name, {})
                entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        contents = {**contents, "manifest.json": json.dumps(manifest).encode()}
    with tarfile.open(path, "w") as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def member_named(contents: dict[str, bytes], suffix: str) -> str:
    return next(name for name in contents if name.endswith(suffix))


def without_search_vectors(snapshot: dict) -> dict:
    articles = [{**row, "search_vector": None} for row in snapshot["tables"]["portal.Article"]]
    return {**snapshot, "vendor": None, "tables": {**snapshot["tables"], "portal.Article": articles}}


# The archive


def test_backup_prints_what_it_wrote_and_that_the_keys_are_not_in_it(source):
    rows = sum(len(r) for label, r in source.snapshot["tables"].items() if label != "sessions.Session")
    assert f": {rows} baris dari " in source.backup_output
    assert ", 4 berkas." in source.backup_output
    assert "Kunci HUMAS_CREDENTIAL_KEYS tidak ada di arsip: simpan di tempat lain." in source.backup_output
    assert oct(source.archive.stat().st_mode & 0o777) == "0o600"


def test_manifest_lists_version_schema_hashes_row_counts_and_key_fingerprint(source):
    contents = members(source.archive)
    manifest = json.loads(contents["manifest.json"])

    assert list(contents)[-1] == "manifest.json"
    assert manifest["humas_version"] == humas.__version__
    assert manifest["database_vendor"] == "sqlite"
    assert manifest["created_at"].startswith("20")
    assert manifest["schema"] == dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    assert manifest["credential_key_fingerprints"] == [SOURCE_FINGERPRINT]
    assert set(manifest["members"]) == set(contents) - {"manifest.json"}
    for name, entry in manifest["members"].items():
        assert entry["sha256"] == hashlib.sha256(contents[name]).hexdigest()
        assert entry["size"] == len(contents[name])
    expected_counts = {
        label: len(rows) for label, rows in source.snapshot["tables"].items() if label != "sessions.Session"
    }
    assert manifest["row_counts"] == expected_counts
    assert manifest["row_counts"]["offices.Office"] == 553
    assert manifest["row_counts"]["accounts.User"] == 6
    assert sorted(n for n in contents if not n.startswith(("database/", "manifest"))) == [
        "media/offices/logos/kpu jepara ü.png",
        "media/portal/originals/2026/12/sampul.jpg",
        "private/kosong.txt",
        "private/posts/2026/12/draf.jpg",
    ]


def test_archive_holds_credentials_as_ciphertext_and_never_the_key_or_sessions(source):
    contents = members(source.archive)
    credentials = contents[member_named(contents, "channels.channelcredential.jsonl")].decode()
    ciphertext = source.snapshot["tables"]["channels.ChannelCredential"][0]["ciphertext"]

    assert ciphertext in credentials
    assert all(KEY.encode() not in data and b"token-rahasia" not in data for data in contents.values())
    assert not any("sessions.session" in name for name in contents)


def test_tables_are_in_dependency_order(source):
    names = [n for n in members(source.archive) if n.startswith("database/")]
    position = {n.split("-", 1)[1].removesuffix(".jsonl"): i for i, n in enumerate(names)}

    assert position["offices.office"] < position["offices.membership"]
    assert position["accounts.user"] < position["offices.membership"]
    assert position["channels.channel"] < position["channels.channelcredential"]
    assert position["portal.article"] < position["portal.article_tags"]


# Restores that work


def test_restore_into_fresh_sqlite_reproduces_every_row_and_every_file(source, tmp_path):
    target = installation(tmp_path / "var")

    done = target.humas("restore", str(source.archive))

    assert done.returncode == 0, done.stderr
    assert "2 berkas unggahan, 2 berkas media privat." in done.stdout
    assert done.stderr == ""  # same credential key: no warning
    assert target.snapshot() == source.snapshot
    assert not list((tmp_path / "var" / "media").glob(".humas-restore-*"))
    assert target.site("next-user").stdout.strip() == str(
        max(u["id"] for u in source.snapshot["tables"]["accounts.User"]) + 1
    )


def test_restore_of_uncompressed_archive_into_migrated_empty_sqlite(source, empty_target, tmp_path):
    plain = tmp_path / "cadangan.tar"
    plain.write_bytes(gzip.decompress(source.archive.read_bytes()))

    done = empty_target.humas("restore", str(plain))

    assert done.returncode == 0, done.stderr
    assert empty_target.snapshot() == source.snapshot


def test_force_replaces_the_data_of_an_occupied_target(source, empty_target):
    assert empty_target.humas("restore", str(source.archive)).returncode == 0
    assert empty_target.site("next-user").returncode == 0

    done = empty_target.humas("restore", "--force", str(source.archive))

    assert done.returncode == 0, done.stderr
    assert empty_target.snapshot() == source.snapshot


def test_archive_of_an_older_schema_is_loaded_at_that_schema_then_migrated_forward(empty_target, tmp_path):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaf = ("portal", dict(loader.graph.leaf_nodes())["portal"])
    older = min(p for p in loader.graph.node_map[leaf].parents if p[0] == "portal")
    old = installation(tmp_path / "old")
    assert old.humas("offices", "load").returncode == 0
    assert old.humas("manage", "migrate", *older, "--verbosity", "0").returncode == 0
    archive = tmp_path / "lama.tar"
    assert old.humas("backup", str(archive)).returncode == 0
    assert json.loads(members(archive)["manifest.json"])["schema"]["portal"] == older[1]

    # The target is at this code's schema: it goes back to the archive's, loads, goes forward.
    done = empty_target.humas("restore", str(archive))

    assert done.returncode == 0, done.stderr
    assert "Basis data lalu dimigrasikan ke skema versi ini.\n" in done.stdout
    with sqlite3.connect(empty_target.sqlite_path) as db:
        assert db.execute("SELECT count(*) FROM offices_office").fetchone() == (553,)
        assert db.execute(
            "SELECT count(*) FROM django_migrations WHERE app = ? AND name = ?", leaf
        ).fetchone() == (1,)


# PostgreSQL


@pytest.fixture(scope="module")
def postgres_databases():
    """Creates databases humas_backup_test_<name> on the local server and drops them afterwards."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means no server here
        require_service(False, f"needs PostgreSQL at {PG_ADMIN_URL}: {exc}")
    created: list[str] = []

    def create(name: str) -> str:
        database = f"humas_backup_test_{name}"
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
        created.append(database)
        return f"postgres://postgres@127.0.0.1:5432/{database}"

    yield create
    for database in created:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    admin.close()


@pytest.fixture(scope="module")
def postgres_restored(source, postgres_databases, tmp_path_factory):
    """The SQLite archive restored into a new PostgreSQL database by an installation with another key."""
    target = installation(
        tmp_path_factory.mktemp("pg") / "var", key=OTHER_KEY, database_url=postgres_databases("a")
    )
    done = target.humas("restore", str(source.archive))
    return target, done


@pytest.mark.postgres
def test_restore_sqlite_archive_into_postgresql_reproduces_every_row_and_file(source, postgres_restored):
    target, done = postgres_restored
    restored = target.snapshot()

    assert done.returncode == 0, done.stderr
    assert restored["vendor"] == "postgresql"
    # SQLite has no search vectors; PostgreSQL's are rebuilt from the restored text.
    assert all(row["search_vector"] is None for row in source.snapshot["tables"]["portal.Article"])
    assert all(row["search_vector"] for row in restored["tables"]["portal.Article"])
    assert without_search_vectors(restored) == without_search_vectors(source.snapshot)


@pytest.mark.postgres
def test_restore_warns_when_the_configured_keys_do_not_match_the_archive(postgres_restored):
    _target, done = postgres_restored

    assert done.returncode == 0, done.stderr
    assert done.stderr == (
        f"Peringatan: Kunci kredensial dengan sidik {SOURCE_FINGERPRINT} (dipakai saat pencadangan) tidak ada "
        "di HUMAS_CREDENTIAL_KEYS: kredensial kanal tidak dapat dibuka sampai kunci itu dipasang.\n"
    )


@pytest.mark.postgres
def test_restore_into_postgresql_resets_the_sequences(source, postgres_restored):
    target, _done = postgres_restored

    new_id = target.site("next-user").stdout.strip()

    assert new_id == str(max(u["id"] for u in source.snapshot["tables"]["accounts.User"]) + 1)


@pytest.mark.postgres
def test_postgresql_archive_restores_into_another_postgresql_exactly(
    postgres_restored, postgres_databases, tmp_path
):
    first, _done = postgres_restored
    first.site("next-user")  # data added after the restore travels too
    archive = tmp_path / "dari-postgres.tar"
    assert first.humas("backup", str(archive)).returncode == 0
    second = installation(tmp_path / "var", key=OTHER_KEY, database_url=postgres_databases("b"))

    done = second.humas("restore", str(archive))

    assert done.returncode == 0, done.stderr
    assert json.loads(members(archive)["manifest.json"])["database_vendor"] == "postgresql"
    assert second.snapshot() == first.snapshot()


# Bad input: a clear message, a non-zero exit, no traceback, nothing changed


def refused(site: Installation, archive: Path, *args: str) -> str:
    before = sqlite_state(site)
    done = site.humas("restore", *args, str(archive))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert sqlite_state(site) == before
    return done.stderr


@pytest.mark.parametrize("compressed", [True, False], ids=["tar.gz", "tar"])
def test_truncated_archive_is_refused(source, empty_target, tmp_path, compressed):
    data = source.archive.read_bytes() if compressed else gzip.decompress(source.archive.read_bytes())
    truncated = tmp_path / ("potong.tar.gz" if compressed else "potong.tar")
    truncated.write_bytes(data[: len(data) // 2])

    message = refused(empty_target, truncated)

    assert message.startswith("humas: Arsip ")
    assert "terpotong" in message


def test_tampered_member_is_refused(source, empty_target, tmp_path):
    contents = members(source.archive)
    users = member_named(contents, "accounts.user.jsonl")
    contents[users] = contents[users].replace(b"admin@kpu.test", b"admin@kpu.tesT")
    tampered = write_archive(tmp_path / "ubah.tar", contents)

    message = refused(empty_target, tampered)

    assert message == (
        f"humas: Isi {users} tidak cocok dengan manifest (ukuran atau SHA-256 berbeda): arsip rusak atau diubah.\n"
    )


def test_archive_without_manifest_is_refused(source, empty_target, tmp_path):
    contents = members(source.archive)
    del contents["manifest.json"]
    archive = write_archive(tmp_path / "tanpa-manifest.tar", contents)

    message = refused(empty_target, archive)

    assert message == (
        f"humas: Arsip {archive} tidak memuat manifest.json: arsip terpotong atau bukan cadangan Humas.\n"
    )


def test_archive_from_a_newer_schema_is_refused(source, empty_target, tmp_path):
    contents = members(source.archive)
    manifest = json.loads(contents["manifest.json"])
    manifest["humas_version"] = "9.0.0"
    manifest["schema"]["portal"] = "0099_masa_depan"
    contents["manifest.json"] = json.dumps(manifest).encode()
    archive = write_archive(tmp_path / "baru.tar", contents)

    message = refused(empty_target, archive)

    assert message == (
        "humas: Arsip dibuat oleh Humas 9.0.0 dengan skema yang lebih baru dari kode ini (migrasi tidak "
        "dikenal: portal.0099_masa_depan). Perbarui Humas dulu, lalu pulihkan lagi.\n"
    )


def test_occupied_target_is_refused_without_force(source, tmp_path):
    occupied = tmp_path / "var"
    shutil.copytree(source.site.data_dir, occupied)
    target = installation(occupied)

    message = refused(target, source.archive)

    assert message.startswith("humas: Basis data tujuan sudah berisi data (accounts_user, audit_auditevent, ")
    assert message.endswith(
        "Pulihkan ke basis data kosong, atau tambahkan --force untuk mengosongkannya lebih dulu.\n"
    )


def test_failure_while_loading_rolls_everything_back_and_writes_no_file(source, tmp_path):
    """--force empties the tables, then a row fails at commit: the old data and files stay."""
    occupied = tmp_path / "var"
    shutil.copytree(source.site.data_dir, occupied)
    target = installation(occupied)
    contents = members(source.archive)
    memberships = member_named(contents, "offices.membership.jsonl")
    line = json.loads(contents[memberships].splitlines()[0])
    line["office_id"] = 987654  # no such office: the foreign key fails when the transaction commits
    contents[memberships] = (
        json.dumps(line).encode() + b"\n" + b"\n".join(contents[memberships].splitlines()[1:]) + b"\n"
    )
    contents["media/baru-dari-arsip.jpg"] = b"tidak boleh tertulis"
    archive = write_archive(tmp_path / "rusak-di-dalam.tar", contents, fix_manifest=True)

    message = refused(target, archive, "--force")

    assert message.startswith("humas: Basis data menolak pemulihan; tidak ada yang diubah: ")
    assert not (occupied / "media" / "baru-dari-arsip.jpg").exists()
    assert target.snapshot() == source.snapshot


def test_member_escaping_the_media_folder_is_refused(source, empty_target, tmp_path):
    contents = members(source.archive)
    contents["media/../../luar.txt"] = b"di luar folder media"
    archive = write_archive(tmp_path / "jalan-keluar.tar", contents, fix_manifest=True)

    message = refused(empty_target, archive)

    assert message == f"humas: Arsip {archive} memuat nama yang tidak sah: media/../../luar.txt.\n"
    assert not (tmp_path / "luar.txt").exists()
