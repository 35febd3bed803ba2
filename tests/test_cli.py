from __future__ import annotations

import re

import pytest

from humas.cli import server_argv


@pytest.mark.parametrize(("value", "logged"), [(None, True), ("true", True), ("false", False), ("0", False)])
def test_the_app_servers_access_log_follows_humas_access_log(monkeypatch, value, logged):
    if value is None:
        monkeypatch.delenv("HUMAS_ACCESS_LOG", raising=False)
    else:
        monkeypatch.setenv("HUMAS_ACCESS_LOG", value)

    argv = server_argv("127.0.0.1", 8000, workers=2, threads=4)

    assert ("--access-log" in argv) is logged
    assert argv[-1] == "humas.config.wsgi:application"


def test_a_starting_worker_has_every_channel_checked_soon(monkeypatch):
    import time

    from humas import cli
    from humas.channels import tasks

    events: list[tuple] = []
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: events.append(args))
    monkeypatch.setattr("humas.core.tasks.worker_heartbeat_task", lambda: None)
    monkeypatch.setattr(
        tasks.check_channels_after_start_task,
        "schedule",
        lambda args, delay: events.append(("after_start", args, delay)),
    )
    before = time.time()

    assert cli.main(["worker"]) == 0

    assert [e[0] for e in events] == ["after_start", "run_huey"]
    _, (started_at,), delay = events[0]
    assert before <= started_at <= time.time()
    assert 0 < delay <= 15


@pytest.mark.parametrize("cpus", [1, 2, 4, 16])
def test_the_demo_gives_granian_no_more_threads_than_it_accepts_without_a_warning(cpus):
    from humas.cli import demo_threads

    threads = demo_threads(cpus)

    # granian/server/mp.py warns when blocking_threads > cpu_count * 2 + 1.
    assert 2 <= threads <= cpus * 2 + 1
    assert threads <= 8


def test_the_demo_runs_the_app_server_fakes_and_worker_as_announced(tmp_path, monkeypatch):
    from humas.cli import demo_commands, demo_threads

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    server, worker, fakes = demo_commands(host="127.0.0.1", port=8100, fakes_port=8101, data_dir=tmp_path)

    assert server[server.index("--workers") + 1] == "1"
    assert server[server.index("--blocking-threads") + 1] == str(demo_threads(2)) == "5"
    assert worker[-1] == "worker"
    assert fakes[fakes.index("--port") + 1] == "8101"
    assert fakes[fakes.index("--state") + 1] == str(tmp_path / "fakes-state.json")


def test_the_demo_points_links_to_posts_at_the_fakes_pages(monkeypatch):
    from humas.cli import demo_environment

    env = demo_environment(url="http://127.0.0.1:8100/", fakes_url="http://127.0.0.1:8101")

    assert env["HUMAS_PLATFORM_BASE_URLS"].split(",")[0] == "facebook=http://127.0.0.1:8101"
    assert env["HUMAS_PLATFORM_WEB_URLS"] == (
        "facebook=http://127.0.0.1:8101/_fake/facebook,instagram=http://127.0.0.1:8101/_fake/instagram,"
        "x=http://127.0.0.1:8101/_fake/x,telegram=http://127.0.0.1:8101/_fake/telegram"
    )


@pytest.mark.parametrize("fixed", [False, True])
def test_the_demo_banner_names_the_fakes_port_and_tells_whether_passwords_change(tmp_path, fixed):
    from humas.cli import demo_banner
    from humas.demo.seed import DemoLogin

    banner = demo_banner(
        url="http://127.0.0.1:8100/",
        fakes_url="http://127.0.0.1:8101",
        data_dir=tmp_path,
        logins=[DemoLogin(email="admin@kpu.test", password="rahasia-demo", note="Administrator")],
        password_fixed=fixed,
    )

    assert "Platform fakes: http://127.0.0.1:8101/" in banner
    assert ":8001" not in banner
    assert "admin@kpu.test" in banner and "rahasia-demo" in banner
    if fixed:
        assert "password from HUMAS_DEMO_PASSWORD" in banner
        assert "passwords are new on every start" not in banner
    else:
        assert "passwords are new on every start" in banner


def test_the_readme_gives_the_fakes_port_relative_to_humass():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    mentions = re.findall(r"127\.0\.0\.1:8001\S*", readme)

    # `humas demo --port 8100` serves the fakes on 8101: 8001 is only the default.
    assert mentions
    assert len(re.findall(r"127\.0\.0\.1:8001\S*> by default", readme)) == len(mentions)
    assert "the port after Humas's" in readme
