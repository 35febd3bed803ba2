"""The fakes remember what they issued across restarts when given a state file (issue #14: after
`humas demo` restarts, channels connected by OAuth must keep working)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from humas.channels.fakes import FakeHub, make_server
from humas.channels.fakes.graph import PAGE_SCOPES, GraphFake
from humas.channels.fakes.server import run_in_thread
from humas.channels.fakes.x import CLIENT_ID, CLIENT_SECRET

REDIRECT = "http://humas.test/app/oauth/callback/"


@contextmanager
def serving(state: Path | None, seed: int = 1) -> Iterator[tuple[str, FakeHub]]:
    """A fakes server like `humas fakes serve --state FILE`: started, then stopped (a restart)."""
    hub = FakeHub(seed=seed, state_path=state)
    server = make_server("127.0.0.1", 0, hub=hub)
    thread = run_in_thread(server)
    try:
        yield server.base_url, hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def x_oauth(base: str, user_id: str) -> dict[str, str]:
    """The X authorization-code flow with PKCE, as Humas runs it: access and refresh token."""
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "tweet.read tweet.write users.read offline.access",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = httpx.post(
        f"{base}/i/oauth2/authorize?{urlencode(query)}",
        data={"decision": "allow", "user_id": user_id},
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    token = httpx.post(
        f"{base}/2/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert token.status_code == 200, token.text
    return token.json()


def facebook_page_token(base: str, hub: FakeHub) -> str:
    """Facebook Login with one permission unticked: the Page token it yields is made for it."""
    scopes = [s for s in PAGE_SCOPES if s != "read_insights"]
    dialog = f"{base}/v23.0/dialog/oauth?" + urlencode(
        {"client_id": GraphFake.APP_ID, "redirect_uri": REDIRECT, "scope": ",".join(scopes), "state": "s"}
    )
    form = {"decision": "allow", "user_id": hub.accounts[0]["facebook"]["user_id"]}
    form.update({f"perm_{s}": "on" for s in scopes})
    code = parse_qs(urlsplit(httpx.post(dialog, data=form).headers["location"]).query)["code"][0]
    app = {"client_id": GraphFake.APP_ID, "client_secret": GraphFake.APP_SECRET}
    user = httpx.get(
        f"{base}/v23.0/oauth/access_token", params={**app, "redirect_uri": REDIRECT, "code": code}
    ).json()["access_token"]
    pages = httpx.get(f"{base}/v23.0/me/accounts", params={"access_token": user}).json()["data"]
    token = pages[0]["access_token"]
    assert token != hub.accounts[0]["facebook"]["page_token"]  # derived, random: only in the state
    return token


def tweet(base: str, token: str, text: str) -> str:
    answer = httpx.post(f"{base}/2/tweets", json={"text": text}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["id"]


def test_tokens_accounts_and_posts_survive_a_restart(tmp_path):
    state = tmp_path / "fakes-state.json"
    with serving(state) as (base, hub):
        x = x_oauth(base, hub.accounts[0]["x"]["user_id"])
        page_token = facebook_page_token(base, hub)
        first = tweet(base, x["access_token"], "Sebelum dimulai ulang.")
        bot = hub.accounts[0]["telegram"]
        sent = httpx.post(
            f"{base}/bot{bot['bot_token']}/sendMessage",
            json={"chat_id": bot["chat_username"], "text": "Halo."},
        )
        assert sent.status_code == 200
        posts_before = {p: hub.posts(p, include_deleted=True) for p in ("x", "telegram", "facebook")}
    assert state.exists()

    with serving(state) as (base, hub):
        me = httpx.get(f"{base}/2/users/me", headers={"Authorization": f"Bearer {x['access_token']}"})
        assert me.status_code == 200 and me.json()["data"]["username"] == "kpu_demo1"
        refreshed = httpx.post(
            f"{base}/2/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": x["refresh_token"]},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert refreshed.status_code == 200, refreshed.text
        page = httpx.get(f"{base}/v23.0/me", params={"access_token": page_token, "fields": "id,name"})
        assert page.status_code == 200 and page.json()["name"] == "KPU Demo 1"
        assert {p: hub.posts(p, include_deleted=True) for p in posts_before} == posts_before
        second = tweet(base, refreshed.json()["access_token"], "Sesudah dimulai ulang.")
        assert second != first  # ids go on where they stopped
        assert len(hub.accounts) == 1


def test_a_refresh_token_spent_before_the_restart_stays_spent(tmp_path):
    state = tmp_path / "fakes-state.json"
    with serving(state) as (base, hub):
        x = x_oauth(base, hub.accounts[0]["x"]["user_id"])
        httpx.post(
            f"{base}/2/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": x["refresh_token"]},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
    with serving(state) as (base, _hub):
        again = httpx.post(
            f"{base}/2/oauth2/token",
            data={"grant_type": "refresh_token", "refresh_token": x["refresh_token"]},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert again.status_code == 400


def test_every_field_of_every_fake_is_saved_or_known_to_be_transient(tmp_path):
    hub = FakeHub(seed=2, state_path=tmp_path / "state.json")
    for fake in hub.fakes:
        unknown = set(vars(fake)) - set(fake.STATE_FIELDS) - set(fake.TRANSIENT_FIELDS)
        assert unknown == set(), f"{type(fake).__name__}: decide whether {sorted(unknown)} survive restarts"


def test_the_saved_state_reads_back_identically(tmp_path):
    state = tmp_path / "state.json"
    with serving(state, seed=2) as (base, hub):
        x_oauth(base, hub.accounts[0]["x"]["user_id"])
        facebook_page_token(base, hub)
        saved = hub.export_state()
    again = FakeHub(seed=2, state_path=state)
    assert again.export_state() == saved
    assert json.loads(state.read_text())["version"] == 1


def test_without_a_state_file_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with serving(None) as (base, hub):
        x_oauth(base, hub.accounts[0]["x"]["user_id"])
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_state_file_starts_the_fakes_afresh(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{not json")
    with serving(state) as (base, hub):
        assert len(hub.accounts) == 1
        token = hub.accounts[0]["x"]["access_token"]
        assert (
            httpx.get(f"{base}/2/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        )
        x_oauth(base, hub.accounts[0]["x"]["user_id"])
    assert json.loads(state.read_text())["version"] == 1


@pytest.mark.parametrize("seed", [1, 3])
def test_a_fresh_state_file_holds_the_seeded_accounts(tmp_path, seed):
    state = tmp_path / "state.json"
    hub = FakeHub(seed=seed, state_path=state)
    assert len(json.loads(state.read_text())["accounts"]) == seed == len(hub.accounts)
