"""The fakes hold comments, mentions and search results, are fed from files (the shape of
../shared/data/posts and the JSONL shape Humas imports), keep them across restarts, record
replies, page getUpdates by offset, refuse bad search queries and send Meta-signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from humas.channels.fakes import FakeHub
from humas.channels.fakes.feed import feed_file, read_rows
from humas.channels.fakes.graph import GraphFake

POSTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "posts" / "pilpres2024_tweets.csv"


@pytest.fixture
def posts_csv() -> Path:
    if not POSTS.is_file():
        pytest.skip(f"shared data not found at {POSTS.resolve()}")
    return POSTS


@pytest.fixture
def http():
    with httpx.Client(timeout=5.0) as client:
        yield client


def test_a_csv_of_posts_becomes_comments_on_a_new_page_post(fakes, posts_csv):
    rows = read_rows(posts_csv)[:120]

    fed = feed_file(fakes.hub, posts_csv, platform="facebook", limit=120)

    comments = [fakes.hub.graph.objects[i] for i in fed["ids"]]
    assert len(fed["ids"]) == 120
    assert [c.data["message"] for c in comments] == [r["text"].strip() for r in rows]
    assert all(c.data["parent"] == fed["post_id"] for c in comments)
    assert comments[0].data.get("reactions", 0) == int(rows[0]["favorite_count"])


def test_a_csv_of_posts_becomes_mentions_keeping_the_post_ids(fakes, posts_csv):
    rows = read_rows(posts_csv)[:10]

    fed = feed_file(fakes.hub, posts_csv, platform="x", target="mentions", limit=10)

    assert fed["ids"] == [r["post_id"] for r in rows]
    tweet = fakes.hub.x.tweets[rows[0]["post_id"]]
    assert tweet.text.startswith("@kpu_demo1 ")
    assert fakes.hub.x.mentioned(tweet, "kpu_demo1")


def test_jsonl_rows_in_the_import_shape_and_rows_without_text(fakes, tmp_path):
    path = tmp_path / "comments.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "external_id": "a1",
                    "author_handle": "@budi",
                    "text": "DPT ganda?",
                    "published_at": "2024-02-10T01:00:00Z",
                    "reactions": 4,
                },
                {"external_id": "a2", "text": "   "},
                {
                    "external_id": "a3",
                    "author_handle": "sari",
                    "text": "TPS pindah",
                    "published_at": "2024-02-10T02:00:00+07:00",
                },
            ]
        ),
        encoding="utf-8",
    )

    fed = feed_file(fakes.hub, path, platform="instagram")

    comments = [fakes.hub.graph.objects[i] for i in fed["ids"]]
    assert [(c.data["message"], c.data["from"]["username"]) for c in comments] == [
        ("DPT ganda?", "budi"),
        ("TPS pindah", "sari"),
    ]
    assert comments[0].created == 1707526800.0
    assert comments[0].data["reactions"] == 4


def test_fed_comments_survive_a_restart_of_the_fakes(tmp_path, posts_csv):
    state = tmp_path / "state.json"
    hub = FakeHub(seed=1, state_path=state)
    fed = hub.feed_file(posts_csv, platform="facebook", limit=30)
    telegram = hub.feed_rows([{"text": "Ada yang tahu jadwal pleno?"}], platform="telegram")

    again = FakeHub(seed=1, state_path=state)

    assert [again.graph.objects[i].data["message"] for i in fed["ids"]] == [
        hub.graph.objects[i].data["message"] for i in fed["ids"]
    ]
    assert again.telegram.updates == hub.telegram.updates
    assert again.telegram.channels[int(telegram["post_id"])].type == "supergroup"


def test_control_api_feeds_rows_and_lists_replies(fakes, http, account):
    answer = http.post(
        f"{fakes.base_url}/_control/feed",
        json={
            "platform": "x",
            "target": "posts",
            "rows": [{"id": "1750000000000000001", "text": "Sirekap lambat"}],
        },
    )
    missing = http.post(f"{fakes.base_url}/_control/feed", json={"platform": "x", "path": "/tidak/ada.csv"})
    replies = http.get(f"{fakes.base_url}/_control/replies", params={"platform": "x"})

    assert (answer.status_code, answer.json()["ids"]) == (201, ["1750000000000000001"])
    assert missing.status_code == 400
    assert replies.json() == {"replies": []}


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ('("pemilu" OR "TPS"', "parenthesis"),
        ("pemilu OR", "operand"),
        ("bogus:operator", "invalid operator"),
        ("is:liked", "invalid operator"),
        ('"' + "a" * 520 + '"', "length"),
    ],
)
def test_x_search_refuses_bad_queries_as_x_does(fakes, http, account, query, problem):
    answer = http.get(
        f"{fakes.base_url}/2/tweets/search/recent",
        params={"query": query},
        headers={"Authorization": f"Bearer {account['x']['access_token']}"},
    )

    assert answer.status_code == 400
    assert problem in json.dumps(answer.json())


def test_get_updates_confirms_what_is_below_the_offset(fakes, http, account):
    group = fakes.hub.telegram.add_discussion_group(int(account["telegram"]["chat_id"]))
    for n in range(3):
        fakes.hub.telegram.add_group_message(group["chat_id"], f"pesan {n}", "warga")
    url = f"{fakes.base_url}/bot{account['telegram']['bot_token']}/getUpdates"

    first = http.post(url, json={"limit": 2}).json()["result"]
    again = http.post(url, json={"limit": 2}).json()["result"]
    confirmed = http.post(url, json={"offset": first[-1]["update_id"] + 1}).json()["result"]
    after = http.post(url, json={}).json()["result"]

    assert [u["message"]["text"] for u in first] == ["pesan 0", "pesan 1"]
    assert again == first  # nothing confirmed without an offset
    assert [u["message"]["text"] for u in confirmed] == ["pesan 2"]
    assert after == confirmed


def test_signed_webhook_of_a_page_comment(fakes, account):
    post = fakes.hub.graph.add_post(account["facebook"]["page_id"], "Unggahan")
    comment = fakes.hub.graph.add_public_comment(post, "Benarkah?", "warga")

    body, headers = fakes.hub.signed_webhook(comment)

    expected = hmac.new(GraphFake.APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature-256"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["object"] == "page"
    entry = payload["entry"][0]
    assert entry["id"] == account["facebook"]["page_id"]
    change = entry["changes"][0]
    assert change["field"] == "feed"
    assert {k: change["value"][k] for k in ("item", "verb", "comment_id", "post_id", "message")} == {
        "item": "comment",
        "verb": "add",
        "comment_id": comment,
        "post_id": post,
        "message": "Benarkah?",
    }


def test_signed_webhook_of_an_instagram_comment_and_a_bad_signature(fakes, account):
    media = fakes.hub.graph.add_media(account["instagram"]["ig_user_id"], "Media")
    comment = fakes.hub.graph.add_public_comment(media, "Hoaks?", "warga")

    body, headers = fakes.hub.signed_webhook(comment)
    _same, bad = fakes.hub.signed_webhook(comment, secret="bukan-rahasia-aplikasi")

    value = json.loads(body)["entry"][0]["changes"][0]
    assert value == {
        "field": "comments",
        "value": {
            "from": {"id": fakes.hub.graph.public_author("warga")["id"], "username": "warga"},
            "media": {"id": media, "media_product_type": "FEED"},
            "id": comment,
            "text": "Hoaks?",
        },
    }
    assert bad["X-Hub-Signature-256"] != headers["X-Hub-Signature-256"]


class _Endpoint(BaseHTTPRequestHandler):
    """A webhook endpoint: echoes Meta's challenge for the right token, keeps what is posted."""

    received: list[tuple[bytes, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        query = parse_qs(urlsplit(self.path).query)
        ok = query.get("hub.verify_token") == ["rahasia-verifikasi"]
        body = query["hub.challenge"][0].encode() if ok else b"no"
        self.send_response(200 if ok else 403)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Endpoint.received.append((body, self.headers["X-Hub-Signature-256"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def test_a_subscribed_endpoint_is_verified_then_gets_every_new_comment(fakes, account, http):
    server = HTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks/meta/"
    _Endpoint.received = []
    try:
        refused = http.post(f"{fakes.base_url}/_control/webhooks", json={"url": url, "verify_token": "salah"})
        subscribed = http.post(
            f"{fakes.base_url}/_control/webhooks", json={"url": url, "verify_token": "rahasia-verifikasi"}
        )
        post = fakes.hub.graph.add_post(account["facebook"]["page_id"], "Unggahan")
        added = http.post(
            f"{fakes.base_url}/_control/comments",
            json={"platform": "facebook", "post_id": post, "text": "Benarkah?", "author": "warga"},
        )
    finally:
        server.shutdown()
        server.server_close()

    assert refused.status_code == 400
    assert subscribed.status_code == 201
    assert len(_Endpoint.received) == 1
    body, signature = _Endpoint.received[0]
    assert json.loads(body)["entry"][0]["changes"][0]["value"]["comment_id"] == added.json()["id"]
    assert signature == "sha256=" + hmac.new(GraphFake.APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
