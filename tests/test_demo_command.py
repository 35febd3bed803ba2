"""`humas demo` starts the web server and the worker on the embedded default and stops both on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


HEALTH_TOKEN = "token-kesehatan-demo"


def get_json(url: str) -> dict:
    # The health token shows /healthz's checks (anonymous callers get only the status).
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def test_demo_serves_healthz_with_live_worker_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HUMAS_REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.pop("HUMAS_DEMO_PASSWORD", None)
    env["HUMAS_DATA_DIR"] = str(tmp_path / "var")
    env["HUMAS_HEALTH_TOKEN"] = HEALTH_TOKEN
    fakes_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "humas.cli", "demo", "--port", str(port), "--fakes-port", str(fakes_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    codes_while_running: dict[str, str] = {}
    try:
        health = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                health = get_json(f"http://127.0.0.1:{port}/healthz")
                if health["checks"]["worker"]["ok"]:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health is not None, "demo never answered on /healthz"
        assert health["status"] == "ok"
        assert health["checks"]["database"]["vendor"] == "sqlite"
        assert health["checks"]["queue"]["backend"] == "SqliteHuey"
        assert health["checks"]["worker"]["ok"] is True
        assert get_json(f"http://127.0.0.1:{port}/api/v1/offices?level=provinsi")["count"] == 38
        code = subprocess.run(
            [sys.executable, "-m", "humas.cli", "demo", "code", "admin@kpu.test"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert code.returncode == 0, code.stderr
        assert re.fullmatch(r"\d{6}\n", code.stdout)
        codes_while_running["admin@kpu.test"] = code.stdout.strip()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            rest, _ = process.communicate()
        output.append(rest)
    text = "".join(output)
    assert process.returncode == 0, text
    assert f"http://127.0.0.1:{port}/" in text
    logins = re.findall(r"^\s+(\S+@kpu\.test)\s+(\S+)", text, flags=re.M)
    assert {email for email, _ in logins} >= {"admin@kpu.test", "operator.jepara@kpu.test"}
    # Beside each login that needs a second factor: the app secret and the command for the code.
    second = dict(re.findall(r"secret ([A-Z2-7]+) or the code now: humas demo code (\S+)", text))
    assert set(second.values()) == {
        "admin@kpu.test",
        "editor.ri@kpu.test",
        "editor.jateng@kpu.test",
        "admin.semarang@kpu.test",
        "analis.aceh@kpu.test",
    }
    assert codes_while_running.get("admin@kpu.test") is not None
    assert "humas: stopped" in text
    assert (tmp_path / "var" / "humas.sqlite3").exists()
    # Links written while seeding (the clarifications in the knowledge base, the replies prepared
    # from them) use this demo's port, not the default one.
    with closing(sqlite3.connect(tmp_path / "var" / "humas.sqlite3")) as db:
        urls = [row[0] for row in db.execute("SELECT url FROM factcheck_claim WHERE kind = 'own'")]
        replies = [row[0] for row in db.execute("SELECT text FROM monitoring_reply")]
    assert urls and all(url.startswith(f"http://127.0.0.1:{port}/") for url in urls), urls
    assert all(f"http://127.0.0.1:{port}/" in text for text in replies)  # prepared once the worker ran
    # The banner names the fakes' real port and says what changes on every start; Granian is
    # given no more threads than it accepts on this machine without a warning.
    assert f"Platform fakes: http://127.0.0.1:{fakes_port}/" in text
    assert "passwords are new on every start" in text
    assert "Configuration allows spawning" not in text
    # What the fakes issued is kept for the next start.
    assert (tmp_path / "var" / "fakes-state.json").exists()
    # Nothing of the demo is left listening.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.django_db
def test_demo_people_who_need_a_second_factor_get_in_only_with_the_code_the_command_prints(
    client, offices, capsys
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from humas.cli import main
    from humas.demo.seed import demo_seed

    logins = {login.email: login for login in demo_seed(password="kata-sandi-demo-panjang")}

    exit_code = main(["demo", "code", "editor.jateng@kpu.test"])
    code = capsys.readouterr().out.strip()
    signed = client.post(
        "/accounts/login/", {"email": "editor.jateng@kpu.test", "password": "kata-sandi-demo-panjang"}
    )
    blocked = client.get("/app/jateng/")
    verified = client.post("/accounts/two-factor/verify/", {"code": code})

    assert exit_code == 0 and re.fullmatch(r"\d{6}", code)
    assert signed["Location"].startswith("/accounts/two-factor/verify/")
    assert blocked["Location"].startswith("/accounts/two-factor/verify/")
    assert verified.status_code == 302
    assert client.get("/app/jateng/").status_code == 200
    assert logins["operator.jepara@kpu.test"].totp_secret == ""
    assert not TOTPDevice.objects.filter(user__email="operator.jepara@kpu.test").exists()
    assert len(logins["editor.jateng@kpu.test"].totp_secret) == 32


@pytest.mark.django_db
def test_demo_code_refuses_anyone_but_a_demo_person_with_an_authenticator(offices, member, capsys):
    from humas.cli import main
    from humas.demo.seed import demo_seed

    demo_seed(password="kata-sandi-demo-panjang")
    member("33", "editor", email="bukan.demo@kpu.test")

    answers = [main(["demo", "code", email]) for email in ("bukan.demo@kpu.test", "operator.jepara@kpu.test")]

    assert answers == [1, 1]
    assert capsys.readouterr().out == ""


def _start_demo(env: dict[str, str], port: int, fakes_port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "humas.cli", "demo", "--port", str(port), "--fakes-port", str(fakes_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{fakes_port}/_control/state", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the demo's fakes never answered")


def _stop_demo(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
    return out


def test_tokens_the_demo_fakes_issued_by_oauth_still_work_after_the_demo_restarts(tmp_path):
    import httpx

    from humas.channels.fakes.x import CLIENT_ID, CLIENT_SECRET
    from tests.channels.connectors.test_fakes_state import x_oauth

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "HUMAS_REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["HUMAS_DATA_DIR"] = str(tmp_path / "var")
    port, fakes_port = free_port(), free_port()
    fakes = f"http://127.0.0.1:{fakes_port}"

    process = _start_demo(env, port, fakes_port)
    try:
        accounts = httpx.get(f"{fakes}/_control/accounts").json()["accounts"]
        tokens = x_oauth(fakes, accounts[0]["x"]["user_id"])
    finally:
        _stop_demo(process)

    process = _start_demo(env, port, fakes_port)
    try:
        me = httpx.get(f"{fakes}/2/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200, me.text
        refreshed = httpx.post(
            f"{fakes}/2/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert refreshed.status_code == 200, refreshed.text
    finally:
        assert "humas: stopped" in _stop_demo(process)
