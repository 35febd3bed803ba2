from __future__ import annotations

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
