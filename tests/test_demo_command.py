"""`humas demo` starts the web server and the worker on the embedded default and stops both on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

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
    env["HUMAS_DATA_DIR"] = str(tmp_path / "var")
    env["HUMAS_HEALTH_TOKEN"] = HEALTH_TOKEN
    process = subprocess.Popen(
        [sys.executable, "-m", "humas.cli", "demo", "--port", str(port), "--fakes-port", str(free_port())],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
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
    assert "humas: stopped" in text
    assert (tmp_path / "var" / "humas.sqlite3").exists()
    # Nothing of the demo is left listening.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
