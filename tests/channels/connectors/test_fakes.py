"""The fakes themselves: strict validation, control API, HTML page, the serve entry point."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from humas.channels.fakes import Fault


@pytest.fixture
def http(fakes):
    with httpx.Client(base_url=fakes.base_url, timeout=5.0) as client:
        yield client


def test_graph_requires_a_token(http):
    answer = http.post("/v23.0/100000000000001/feed", data={"message": "x"})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 104
    assert answer.json()["error"]["type"] == "OAuthException"
    assert "fbtrace_id" in answer.json()["error"]


def test_graph_refuses_unknown_fields_and_missing_message(http, account):
    auth = {"Authorization": f"Bearer {account['facebook']['page_token']}"}
    page = account["facebook"]["page_id"]

    unknown = http.get(f"/v23.0/{page}", params={"fields": "id,nonsense"}, headers=auth)
    empty = http.post(f"/v23.0/{page}/feed", data={}, headers=auth)
    no_version = http.get(f"/{page}", headers=auth)

    assert (
        unknown.json()["error"]["message"]
        == "(#100) Tried accessing nonexisting field (nonsense) on node type (Page)"
    )
    assert empty.json()["error"]["message"] == "(#100) Missing message or attachment"
    assert no_version.status_code == 404


@pytest.mark.parametrize(("offset", "accepted"), [(300, False), (900, True), (80 * 86400, False)])
def test_graph_scheduled_posts_respect_the_window(http, account, fakes, offset, accepted):
    auth = {"Authorization": f"Bearer {account['facebook']['page_token']}"}
    when = int(fakes.hub.graph.clock()) + offset

    answer = http.post(
        f"/v23.0/{account['facebook']['page_id']}/feed",
        data={"message": "Terjadwal", "published": "false", "scheduled_publish_time": str(when)},
        headers=auth,
    )
    scheduled = http.get(f"/v23.0/{account['facebook']['page_id']}/scheduled_posts", headers=auth).json()[
        "data"
    ]

    assert (answer.status_code == 200) is accepted
    assert len(scheduled) == (1 if accepted else 0)
    assert [p["published"] for p in fakes.hub.posts("facebook", include_deleted=True)] == (
        [False] if accepted else []
    )


def test_graph_me_accounts_gives_page_tokens_to_the_user(http, account):
    answer = http.get(
        "/v23.0/me/accounts", headers={"Authorization": f"Bearer {account['facebook']['user_token']}"}
    )

    assert [(p["id"], p["access_token"]) for p in answer.json()["data"]] == [
        (account["facebook"]["page_id"], account["facebook"]["page_token"])
    ]


def test_graph_usage_header_is_on_every_answer(http, account):
    answer = http.get("/v23.0/me", headers={"Authorization": f"Bearer {account['facebook']['page_token']}"})

    assert answer.json() == {"id": account["facebook"]["page_id"], "name": "KPU Demo 1"}
    assert answer.headers["x-app-usage"] == '{"call_count": 0, "total_cputime": 0, "total_time": 0}'


def test_x_rate_headers_on_every_answer(http, account, fakes):
    answer = http.get("/2/users/me", headers={"Authorization": f"Bearer {account['x']['access_token']}"})

    assert answer.headers["x-rate-limit-limit"] == "900"
    assert answer.headers["x-rate-limit-remaining"] == "899"
    assert answer.headers["x-rate-limit-reset"] == str(int(fakes.hub.x.clock()) + 901)


def test_x_rejects_unknown_body_fields(http, account):
    answer = http.post(
        "/2/tweets",
        json={"text": "x", "bogus": 1},
        headers={"Authorization": f"Bearer {account['x']['access_token']}"},
    )

    assert answer.status_code == 400
    assert answer.json()["title"] == "Invalid Request"


def test_telegram_envelopes(http, account):
    token = account["telegram"]["bot_token"]

    ok = http.post(
        f"/bot{token}/sendMessage", data={"chat_id": account["telegram"]["chat_username"], "text": "Halo"}
    )
    empty = http.post(
        f"/bot{token}/sendMessage", json={"chat_id": account["telegram"]["chat_username"], "text": ""}
    )
    unknown = http.post(f"/bot{token}/sendRocket", json={})

    assert ok.json()["ok"] is True and ok.json()["result"]["text"] == "Halo"
    assert empty.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_control_api_faults_accounts_posts_and_reset(http, fakes):
    added = http.post("/_control/faults", json={"platform": "x", "kind": "error", "status": 503, "times": 2})
    listed = http.get("/_control/faults").json()["faults"]
    bad = http.post("/_control/faults", json={"kind": "meteor"})
    more = http.post("/_control/accounts", json={"count": 1}).json()["accounts"]
    http.post("/_control/comments", json={"platform": "x", "post_id": "1", "text": "x"})
    token = fakes.hub.accounts[0]["telegram"]["bot_token"]
    http.post(
        f"/bot{token}/sendMessage",
        json={"chat_id": fakes.hub.accounts[0]["telegram"]["chat_id"], "text": "A"},
    )
    posts = http.get("/_control/posts", params={"platform": "telegram"}).json()["posts"]
    state = http.post("/_control/reset").json()
    cleared = http.delete("/_control/faults").json()

    assert added.status_code == 201 and added.json()["times"] == 2
    assert [f["kind"] for f in listed] == ["error"]
    assert bad.status_code == 400
    assert [a["index"] for a in more] == [3]
    assert [p["text"] for p in posts] == ["A"]
    assert state["posts"] == {"facebook": 0, "instagram": 0, "x": 0, "telegram": 0}
    assert state["accounts"] == 3
    assert cleared == {"faults": []}


def test_fault_limited_by_times_and_probability(fakes, http):
    hub = fakes.hub
    fault = hub.add_fault(platform="telegram", kind="error", times=None, probability=0.5)

    answers = [
        http.post(f"/bot{hub.accounts[0]['telegram']['bot_token']}/getMe").status_code for _ in range(40)
    ]

    assert answers.count(500) == fault.fired
    assert 5 <= fault.fired <= 35
    with pytest.raises(ValueError):
        Fault.from_dict({"kind": "error", "colour": "red"})


def test_shared_telegram_bot_posts_to_every_channel_within_one_per_bot_limit(fakes, http):
    fakes.hub.limits.telegram_per_bot = 2
    shared = http.post("/_control/telegram_shared_bot", json={"username": "kpu_humas_bot"}).json()
    again = http.post("/_control/telegram_shared_bot", json={"username": "kpu_humas_bot"}).json()
    chats = [a["telegram"]["chat_username"] for a in fakes.hub.accounts]
    token = shared["bot_token"]

    answers = [
        http.post(f"/bot{token}/sendMessage", json={"chat_id": chat, "text": "Halo"}).json()
        for chat in [*chats, chats[0]]
    ]
    own_bot = http.post(
        f"/bot{fakes.hub.accounts[0]['telegram']['bot_token']}/sendMessage",
        json={"chat_id": chats[0], "text": "Halo"},
    ).json()

    assert shared["chats"] == 2 and shared["bot_username"] == "kpu_humas_bot"
    assert again["bot_token"] == token
    assert [a["ok"] for a in answers] == [True, True, False]
    assert answers[2] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert own_bot["ok"] is True  # the limit is per bot
    assert [m["chat"]["username"] for m in (a["result"] for a in answers[:2])] == [
        c.removeprefix("@") for c in chats
    ]


def test_latency_is_injected(fakes, account, http):
    fakes.hub.limits.latency_ms = {"telegram": 150}
    start = time.monotonic()
    http.post(f"/bot{account['telegram']['bot_token']}/getMe")

    assert time.monotonic() - start >= 0.15


def test_html_page_shows_posts_escaped(http, account):
    token = account["telegram"]["bot_token"]
    http.post(
        f"/bot{token}/sendMessage",
        json={"chat_id": account["telegram"]["chat_id"], "text": "<script>hoaks</script>"},
    )

    index = http.get("/")
    page = http.get("/_fake/telegram")

    assert index.status_code == 200 and '<a href="/_fake/telegram">telegram</a>' in index.text
    assert "&lt;script&gt;hoaks&lt;/script&gt;" in page.text
    assert "<script>hoaks" not in page.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_main_serves_until_stopped():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from humas.channels.fakes import main; main(['--port', '{port}', '--seed', '1', '--quiet'])",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline() if process.stdout else ""
        accounts = httpx.get(f"http://127.0.0.1:{port}/_control/accounts", timeout=5).json()["accounts"]
    finally:
        process.terminate()
        process.wait(timeout=5)

    assert first_line.startswith(f"Humas fakes on http://127.0.0.1:{port}")
    assert [a["facebook"]["page_name"] for a in accounts] == ["KPU Demo 1"]
