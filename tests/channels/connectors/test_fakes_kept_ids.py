"""Rows fed to the fakes may keep their own ids (``keep_ids``), shaped as the platform shapes
them, so a sample taken in elsewhere (the demo's) names comments that exist on the fake; feeding
the same rows again adds nothing. A comment, and a reply to it, has a page on the fakes."""

from __future__ import annotations

import httpx
import pytest

from humas.channels.fakes.feed import feed

POST_TAIL = "2026000000000001"


def rows(*serials: int) -> list[dict[str, object]]:
    return [
        {
            "external_id": f"{POST_TAIL}_20261{n:011d}",
            "author_handle": "@warga_jepara",
            "text": f"Komentar nomor {n}",
            "published_at": "2026-11-27T10:00:00+00:00",
            "reactions": n,
        }
        for n in serials
    ]


@pytest.fixture
def post(fakes, account) -> str:
    page = account["facebook"]["page_id"]
    return fakes.hub.graph.add_post(page, "Tahapan pemilu", post_id=f"{page}_{POST_TAIL}")


def test_comments_keep_their_ids_and_a_second_feed_adds_nothing(fakes, account, post):
    first = feed(fakes.hub, rows(1, 2), platform="facebook", post_id=post, keep_ids=True)
    again = feed(fakes.hub, rows(1, 2, 3), platform="facebook", post_id=post, keep_ids=True)

    ids = [f"{POST_TAIL}_20261{n:011d}" for n in (1, 2, 3)]
    assert first == {"post_id": post, "ids": ids[:2], "existing": []}
    assert again == {"post_id": post, "ids": ids[2:], "existing": ids[:2]}
    stored = fakes.hub.graph.objects[ids[0]]
    assert (stored.data["parent"], stored.data["message"], stored.data["reactions"]) == (
        post,
        "Komentar nomor 1",
        1,
    )
    assert stored.data["from"]["name"] == "warga_jepara"


@pytest.mark.parametrize(
    ("external_id", "problem"),
    [
        ("demo-00001", "is not a Graph comment id"),
        ("999_20261000000000001", "is not a Graph comment id"),  # another post's tail
        (f"{POST_TAIL}_5000001", "is not a Graph comment id"),  # as short as the fake's own ids
        ("", "without an id"),
    ],
)
def test_ids_the_platform_would_not_give_are_refused(fakes, post, external_id, problem):
    row = {**rows(1)[0], "external_id": external_id}
    with pytest.raises(ValueError, match=problem):
        feed(fakes.hub, [row], platform="facebook", post_id=post, keep_ids=True)


def test_chosen_post_and_media_ids_are_checked(fakes, account):
    graph = fakes.hub.graph
    page = account["facebook"]["page_id"]
    with pytest.raises(ValueError, match="not a Graph post id"):
        graph.add_post(page, "x", post_id=f"999_{POST_TAIL}")
    graph.add_post(page, "x", post_id=f"{page}_{POST_TAIL}")
    with pytest.raises(ValueError, match="already taken"):
        graph.add_post(page, "x", post_id=f"{page}_{POST_TAIL}")
    with pytest.raises(ValueError, match="not a Graph ig_media id"):
        graph.add_media(account["instagram"]["ig_user_id"], "x", media_id="C123")
    assert graph.add_media(account["instagram"]["ig_user_id"], "x", media_id="17920260000000001")


def test_instagram_comments_keep_their_digits(fakes, account):
    media = fakes.hub.graph.add_media(
        account["instagram"]["ig_user_id"], "Jadwal", media_id="17920260000000001"
    )
    row = {**rows(1)[0], "external_id": "17930260000000135"}

    fed = feed(fakes.hub, [row], platform="instagram", post_id=media, keep_ids=True)

    assert fed["ids"] == ["17930260000000135"]
    assert fakes.hub.graph.objects["17930260000000135"].kind == "ig_comment"


def test_the_control_api_feeds_with_kept_ids(fakes, post):
    body = {"platform": "facebook", "post_id": post, "keep_ids": True, "rows": rows(7)}
    with httpx.Client(base_url=fakes.base_url, timeout=5) as http:
        first = http.post("/_control/feed", json=body)
        again = http.post("/_control/feed", json=body)
        refused = http.post("/_control/feed", json={**body, "rows": [{**rows(7)[0], "external_id": "x"}]})

    assert first.status_code == 201 and first.json()["ids"] == [f"{POST_TAIL}_20261{7:011d}"]
    assert again.status_code == 201 and again.json()["ids"] == []
    assert refused.status_code == 400


def test_a_comment_and_the_page_reply_to_it_have_a_page_on_the_fake(fakes, account, post):
    comment = feed(fakes.hub, rows(1), platform="facebook", post_id=post, keep_ids=True)["ids"][0]
    token = account["facebook"]["page_token"]
    with httpx.Client(base_url=fakes.base_url, timeout=5) as http:
        made = http.post(
            f"/v23.0/{comment}/comments", params={"access_token": token, "message": "Sudah <dijawab>"}
        )
        reply = made.json()["id"]
        page = http.get(f"/_fake/facebook/{reply}")
        post_page = http.get(f"/_fake/facebook/{post}")
        missing = http.get(f"/_fake/facebook/{POST_TAIL}_99999999999")

    assert made.status_code == 200
    assert page.status_code == 200
    assert "Komentar nomor 1" in page.text and "Sudah &lt;dijawab&gt;" in page.text
    assert "balasan akun ini" in page.text and "background:#fff3bf" in page.text
    assert "Komentar nomor 1" in post_page.text and "background" not in post_page.text.split("<h2>")[1]
    assert missing.status_code == 404
