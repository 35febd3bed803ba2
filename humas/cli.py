"""The ``humas`` command: demo, serve, worker, offices load, backup, restore, claims eval, manage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from humas.demo.seed import DemoLogin


def _django(settings: str | None = None) -> None:
    if settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
    import django

    django.setup()


def cmd_offices_load(args: argparse.Namespace) -> int:
    _django()
    from humas.offices.regions import RegionFileError, default_regions_text
    from humas.offices.services import offices_load

    try:
        text = Path(args.file).read_text(encoding="utf-8") if args.file else default_regions_text()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"humas: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    try:
        result = offices_load(text=text)
    except RegionFileError as exc:
        print(f"humas: {args.file or 'regions'}: {exc} — nothing was written", file=sys.stderr)
        return 1
    print(f"offices: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    return 0


def _prepare_database() -> None:
    from django.core.management import call_command

    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load
    from humas.portal.search import article_reindex_all

    call_command("migrate", interactive=False, verbosity=0)
    offices_load(text=default_regions_text())
    # Cheap and idempotent: fills search vectors of articles saved before full-text search existed.
    article_reindex_all()


def server_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    """The app server both shapes run: Granian (a Rust HTTP server) with the WSGI app.

    Measured on this 2-core machine for a stored page: Granian 1 process ~12k requests/s against
    gunicorn gthread 1x8 ~2k (BENCHMARKS.md, bench/portal), so the embedded shape holds election-
    day traffic without nginx.

    The access log is on unless ``HUMAS_ACCESS_LOG`` is false: behind nginx, which logs every
    request already, turning it off saves about a fifth of the view-counter beacons' cost.
    """
    access_log = os.environ.get("HUMAS_ACCESS_LOG", "true").strip().lower() not in {"0", "false", "no", "off"}
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        *(["--access-log"] if access_log else []),
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "10",
        "--no-ws",
        "humas.config.wsgi:application",
    ]


def _run_together(commands: list[list[str]], banner: str, optional: frozenset[int] = frozenset()) -> int:
    """Run child processes until one exits or we get SIGINT/SIGTERM, then stop them all cleanly.

    A child whose index is in ``optional`` may exit (say, its port is taken) without stopping the rest.
    """
    children = [subprocess.Popen(argv) for argv in commands]  # noqa: S603 - our own interpreter and modules
    reported: set[int] = set()
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(banner, flush=True)
    exit_code = 0
    while not stopping:
        for index, child in enumerate(children):
            code = child.poll()
            if code is not None and index in optional:
                if index not in reported:
                    reported.add(index)
                    name = " ".join(str(a) for a in child.args[2:5])  # type: ignore[index]
                    print(f"humas: {name} exited with {code}; the rest keeps running", file=sys.stderr)
                continue
            if code is not None:
                name = " ".join(str(a) for a in child.args[2:4])  # type: ignore[index]
                print(f"humas: {name} exited with {code}; stopping", file=sys.stderr)
                exit_code = code or 1
                stopping = True
                break
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("humas: stopped", flush=True)
    return exit_code


def _demo_login_lines(login: DemoLogin) -> list[str]:
    lines = [f"    {login.email:<28} {login.password:<14} {login.note}"]
    if login.totp_secret:
        # A password alone never gets these people in: the code comes from an app or this command.
        lines.append(
            f"      second factor: authenticator app secret {login.totp_secret}"
            f" or the code now: humas demo code {login.email}"
        )
    return lines


def cmd_demo_code(args: argparse.Namespace) -> int:
    """Print the current second-factor code of a demo person (what their authenticator app shows)."""
    _django()
    from humas.demo.seed import demo_code

    code = demo_code(args.email)
    if code is None:
        print(f"humas: {args.email} is not a demo person with an authenticator", file=sys.stderr)
        return 1
    print(code)
    return 0


DEMO_PLATFORMS = ("facebook", "instagram", "x", "telegram")


def demo_threads(cpus: int | None = None) -> int:
    """The demo app server's blocking threads: up to 8, but no more than Granian accepts without
    warning that they are too many for the machine (it warns above 2 x cores + 1: 5 on 2 cores)."""
    cpus = cpus or os.cpu_count() or 1
    return max(2, min(8, 2 * cpus + 1))


def demo_commands(*, host: str, port: int, fakes_port: int, data_dir: Path) -> list[list[str]]:
    """What ``humas demo`` runs together: the app server, the worker and the platform fakes (which
    keep what they issued in the data folder, so channels connected before a restart still work)."""
    return [
        server_argv(host, port, workers=1, threads=demo_threads()),
        [sys.executable, "-m", "humas.cli", "worker"],
        [
            sys.executable,
            "-m",
            "humas.cli",
            "fakes",
            "serve",
            "--host",
            host,
            "--port",
            str(fakes_port),
            "--state",
            str(Path(data_dir) / "fakes-state.json"),
            "--quiet",
        ],
    ]


def demo_environment(*, url: str, fakes_url: str) -> dict[str, str]:
    """The settings ``humas demo`` gives its processes (a variable already set wins)."""
    from humas.channels.fakes.graph import GraphFake
    from humas.channels.fakes.x import CLIENT_ID, CLIENT_SECRET

    return {
        # The demo's channels talk to the local fakes, never to the real platforms…
        "HUMAS_PLATFORM_BASE_URLS": ",".join(f"{p}={fakes_url}" for p in DEMO_PLATFORMS),
        # …and a published post's link opens the fake's page of it ("Lihat unggahan").
        "HUMAS_PLATFORM_WEB_URLS": ",".join(f"{p}={fakes_url}/_fake/{p}" for p in DEMO_PLATFORMS),
        # Instagram fetches a published post's images by URL: in the demo, from the demo server.
        "HUMAS_PUBLIC_BASE_URL": url.rstrip("/"),
        # Links in stored pages, feeds and e-mails use the configured origins, never the request's Host.
        "HUMAS_BACKOFFICE_URL": url.rstrip("/"),
        # "Hubungkan dengan Facebook/X" goes through the fakes' login pages: the fakes' own app ids.
        "HUMAS_META_APP_ID": GraphFake.APP_ID,
        "HUMAS_META_APP_SECRET": GraphFake.APP_SECRET,
        "HUMAS_X_CLIENT_ID": CLIENT_ID,
        "HUMAS_X_CLIENT_SECRET": CLIENT_SECRET,
    }


def demo_banner(
    *, url: str, fakes_url: str, data_dir: Path, logins: list[DemoLogin], password_fixed: bool
) -> str:
    if password_fixed:
        about = "password from HUMAS_DEMO_PASSWORD; authenticator secrets are new on every start"
    else:
        about = "passwords are new on every start; set HUMAS_DEMO_PASSWORD to keep one"
    lines = [
        "",
        "Humas is running (embedded: SQLite + worker in this command).",
        f"  Portal:    {url}",
        f"  Back office: {url}app/  (sign in with one of these)",
        f"  Data:      {data_dir}",
        f"  Logins ({about}):",
        *[line for login in logins for line in _demo_login_lines(login)],
        f"  Platform fakes: {fakes_url}/  (test tokens: {fakes_url}/_control/accounts)",
        "  Stop with Ctrl-C.",
        "",
    ]
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings

    from humas.demo.fakes import TIPLINE_BOT, demo_fakes_feed, demo_fakes_state, demo_fakes_tipline
    from humas.demo.seed import (
        demo_activity,
        demo_amplification,
        demo_analytics,
        demo_calendar,
        demo_cascade,
        demo_checklist,
        demo_content,
        demo_library,
        demo_monitoring,
        demo_official_accounts,
        demo_saved_replies,
        demo_seed,
        demo_tipline,
    )

    url = f"http://{args.host}:{args.port}/"
    fakes_port = args.fakes_port or args.port + 1
    fakes_url = f"http://{args.host}:{fakes_port}"
    environment = demo_environment(url=url, fakes_url=fakes_url)
    if "HUMAS_PLATFORM_BASE_URLS" in os.environ:
        # Platforms chosen by the person, not the fakes: links to posts stay theirs too.
        environment.pop("HUMAS_PLATFORM_WEB_URLS")
    origins = ("HUMAS_PUBLIC_BASE_URL", "HUMAS_BACKOFFICE_URL")
    chosen = {name for name in origins if os.environ.get(name)}
    for name, value in environment.items():
        os.environ.setdefault(name, value)
    # The seeding below writes links (a clarification's address in the knowledge base and in the
    # replies prepared from it): with this demo's origins, whatever its port.
    for name in set(origins) - chosen:
        setattr(settings, name, environment[name])

    _prepare_database()
    password = os.environ.get("HUMAS_DEMO_PASSWORD") or None
    logins = demo_seed(password=password)
    demo_content()
    demo_official_accounts()
    demo_calendar()
    demo_cascade()
    demo_amplification()
    demo_activity()
    demo_checklist()  # after the demo's own approvals: from now on approvers tick it
    demo_saved_replies()
    demo_library()
    demo_analytics()  # three months of history for the analytics dashboards
    demo_monitoring()
    # The sample's comments on the fakes (before they start), so replies to them can be sent.
    demo_fakes_feed(demo_fakes_state(settings.DATA_DIR))
    # The Telegram tipline bot on the fakes, its webhook pointed at this demo.
    bot = demo_fakes_tipline(demo_fakes_state(settings.DATA_DIR), webhook_url=f"{url}hooks/telegram/tipline/")
    demo_tipline(token=bot["token"], secret=bot["secret"], bot_id=int(bot["bot_id"]), username=TIPLINE_BOT)
    banner = demo_banner(
        url=url,
        fakes_url=fakes_url,
        data_dir=settings.DATA_DIR,
        logins=logins,
        password_fixed=password is not None,
    )
    return _run_together(
        demo_commands(host=args.host, port=args.port, fakes_port=fakes_port, data_dir=settings.DATA_DIR),
        banner,
        # The fakes are a convenience: a taken port must not take the demo down with it.
        optional=frozenset({2}),
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    if args.migrate:
        _prepare_database()
    argv = server_argv(args.host, args.port, workers=args.workers, threads=args.threads)
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with the app server
    return 0


# Seconds after a worker starts before the channels are verified again (the consumer is up by then).
WORKER_START_CHECK_DELAY = 5


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    from humas.channels.tasks import check_channels_after_start_task
    from humas.core.tasks import worker_heartbeat_task

    # Announce this worker at once instead of at the next minute's periodic beat.
    worker_heartbeat_task()
    # Platforms may have changed while no worker ran: verify every channel again soon (each
    # once, one after another), not only when its turn in the periodic check comes.
    check_channels_after_start_task.schedule(args=(time.time(),), delay=WORKER_START_CHECK_DELAY)
    call_command("run_huey")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["humas manage", *args.rest])
    return 0


def cmd_credentials(args: argparse.Namespace) -> int:
    _django()
    from humas.channels import crypto
    from humas.channels.services import credentials_rotate

    if args.credentials_command == "new-key":
        print(crypto.new_key())
        return 0
    print(f"credentials: {credentials_rotate()} re-encrypted with the first key of HUMAS_CREDENTIAL_KEYS")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    _django()
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    from humas.ops.backup import BackupError, backup

    target = Path(args.file)
    if not target.parent.is_dir():
        print(_("humas: folder %(path)s tidak ada.") % {"path": target.parent}, file=sys.stderr)
        return 2
    try:
        result = backup(target)
    except BackupError as exc:
        print(f"humas: {exc}", file=sys.stderr)
        return 1
    except (DatabaseError, OSError) as exc:
        print(
            _("humas: pencadangan gagal, tidak ada arsip ditulis: %(error)s") % {"error": exc},
            file=sys.stderr,
        )
        return 1
    print(
        _(
            "Cadangan ditulis ke %(path)s (%(size)s bait): %(rows)s baris dari %(tables)s tabel, %(files)s berkas."
        )
        % {
            "path": result.path,
            "size": result.size,
            "rows": result.rows,
            "tables": result.tables,
            "files": result.files,
        }
    )
    print(_("Kunci HUMAS_CREDENTIAL_KEYS tidak ada di arsip: simpan di tempat lain."))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _django()
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    from humas.ops.restore import RestoreError, restore

    try:
        result = restore(Path(args.file), force=args.force)
    except RestoreError as exc:
        print(f"humas: {exc}", file=sys.stderr)
        return 1
    except (DatabaseError, OSError) as exc:
        print(_("humas: pemulihan gagal: %(error)s") % {"error": exc}, file=sys.stderr)
        return 1
    manifest = result.manifest
    print(
        _(
            "Dipulihkan dari cadangan %(created_at)s (Humas %(version)s, %(vendor)s): %(rows)s baris dari "
            "%(tables)s tabel, %(media)s berkas unggahan, %(private)s berkas media privat."
        )
        % {
            "created_at": manifest.get("created_at", "?"),
            "version": manifest.get("humas_version", "?"),
            "vendor": manifest.get("database_vendor", "?"),
            "rows": sum(result.rows.values()),
            "tables": len(result.rows),
            "media": result.files.get("media", 0),
            "private": result.files.get("private", 0),
        }
    )
    if result.migrated_after:
        print(_("Basis data lalu dimigrasikan ke skema versi ini."))
    for warning in result.warnings:
        print(_("Peringatan: %(warning)s") % {"warning": warning}, file=sys.stderr)
    return 0


def cmd_fakes(args: argparse.Namespace) -> int:
    from humas.channels.fakes import main as fakes_main

    rest = list(args.rest)
    if rest[:1] == ["serve"]:
        rest = rest[1:]
    return int(fakes_main(rest) or 0)


def cmd_claims(args: argparse.Namespace) -> int:
    from humas.textkit.evalcli import main as claims_main

    return claims_main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="humas", description="Humas: the election commission's communications desk."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="migrate, load offices, create demo people, run web + worker")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument(
        "--fakes-port", type=int, default=0, help="port of the platform fakes (default: --port + 1)"
    )
    demo.set_defaults(func=cmd_demo)
    demo_sub = demo.add_subparsers(dest="demo_command")
    demo_code = demo_sub.add_parser("code", help="print a demo person's current second-factor code")
    demo_code.add_argument("email")
    demo_code.set_defaults(func=cmd_demo_code)

    serve = sub.add_parser("serve", help="run the web server (Granian, WSGI) for production")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server binds where it is told
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.add_argument("--threads", type=int, default=4)
    serve.add_argument("--migrate", action="store_true", help="apply migrations and load offices first")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the task-queue consumer (Huey)")
    worker.set_defaults(func=cmd_worker)

    offices = sub.add_parser("offices", help="office data")
    offices_sub = offices.add_subparsers(dest="offices_command", required=True)
    load = offices_sub.add_parser("load", help="load or update offices from the Kemendagri region CSV")
    load.add_argument("--file", help="CSV with code,name,level,parent_code (default: the packaged list)")
    load.set_defaults(func=cmd_offices_load)

    credentials = sub.add_parser("credentials", help="channel credential keys")
    credentials_sub = credentials.add_subparsers(dest="credentials_command", required=True)
    credentials_sub.add_parser("new-key", help="print a new key for HUMAS_CREDENTIAL_KEYS")
    credentials_sub.add_parser("rotate", help="re-encrypt every stored credential with the first key")
    credentials.set_defaults(func=cmd_credentials)

    backup = sub.add_parser(
        "backup", help="write the database and the media to one archive (.tar or .tar.gz)"
    )
    backup.add_argument("file", help="the archive to write; gzip when it ends in .gz or .tgz")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore", help="check an archive of 'humas backup' and load it into this installation"
    )
    restore.add_argument("file", help="the archive written by 'humas backup'")
    restore.add_argument(
        "--force", action="store_true", help="empty a database that already holds data before loading"
    )
    restore.set_defaults(func=cmd_restore)

    fakes = sub.add_parser(
        "fakes", help="strict local fakes of the platform APIs: 'humas fakes serve --port 8765'"
    )
    fakes.add_argument("rest", nargs=argparse.REMAINDER)
    fakes.set_defaults(func=cmd_fakes)

    claims = sub.add_parser("claims", help="claim matching (text engine), e.g. 'humas claims eval --help'")
    claims.add_argument("rest", nargs=argparse.REMAINDER)
    claims.set_defaults(func=cmd_claims)

    manage = sub.add_parser("manage", help="Django management commands, e.g. 'humas manage createsuperuser'")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
