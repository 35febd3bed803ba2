"""The actions the back office's article page offers: every button shown is one its viewer may
perform (the same rules as the services), and nothing is offered that would be refused.

Issue #14: a published article showed 'Ubah' twice to an Editor, and 'Ubah' and 'Kirim untuk
ditinjau' to an Operator, whose edit form was then refused with a 403 on 'Simpan'.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from humas.portal.models import Article
from humas.portal.services import (
    ArticleInput,
    article_approve,
    article_create,
    article_reject,
    article_submit,
    article_unpublish,
    article_update,
)

pytestmark = pytest.mark.django_db
JEPARA = "33.20"
BASE = "/app/kab-jepara/portal/"
Status = Article.Status
ACTIONS = ("edit", "submit", "approve", "reject", "unpublish")
# What each action, when performed, turns the article into (edit: whatever the rules say).
RESULT = {
    "submit": Status.IN_REVIEW,
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "unpublish": Status.UNPUBLISHED,
}
STAFF = ("author", "operator", "approver", "editor", "admin")
EDITORS = ("approver", "editor", "admin")
# Actor -> actions offered, per status. The author is an Operator; the approver is the Editor
# who approved (or rejected) the article, or who will; "editor" is another Editor.
OFFERED: dict[str, dict[str, set[str]]] = {
    Status.DRAFT: {actor: {"edit", "submit"} for actor in STAFF},
    Status.IN_REVIEW: {actor: {"edit", "approve", "reject"} for actor in EDITORS},
    Status.SCHEDULED: {actor: {"edit", "unpublish"} for actor in EDITORS},
    Status.PUBLISHED: {actor: {"edit", "unpublish"} for actor in EDITORS},
    Status.REJECTED: {actor: {"edit", "submit"} for actor in STAFF},
    Status.UNPUBLISHED: {actor: {"edit", "submit"} for actor in STAFF},
}
# Allowed by the services but deliberately not on this page: a scheduled article is withdrawn
# (or edited) here rather than published at once or rejected.
NOT_ON_THE_PAGE = {(Status.SCHEDULED, "approve"), (Status.SCHEDULED, "reject")}


@pytest.fixture
def people(member):
    return {
        "author": member(JEPARA, "operator", email="penulis@kpu.test"),
        "operator": member(JEPARA, "operator", email="operator.lain@kpu.test"),
        "approver": member(JEPARA, "editor", email="penyetuju@kpu.test"),
        "editor": member(JEPARA, "editor", email="editor.lain@kpu.test"),
        "admin": member(JEPARA, "admin", email="admin@kpu.test"),
        "viewer": member(JEPARA, "viewer", email="pembaca@kpu.test"),
        "analyst": member(JEPARA, "analyst", email="analis@kpu.test"),
    }


def make_article(status: str, people, offices, *, author: str = "author") -> Article:
    """A fresh article of the author's in ``status``, approved or rejected by the approver."""
    writer, approver = people[author], people["approver"]
    article = article_create(
        actor=writer,
        office=offices[JEPARA],
        data=ArticleInput(title="Rapat pleno rekapitulasi", summary="Ringkas.", body="<p>Isi berita.</p>"),
    )
    if status == Status.DRAFT:
        return article
    article_submit(actor=writer, article=article)
    if status == Status.IN_REVIEW:
        return Article.objects.get(pk=article.pk)
    if status == Status.REJECTED:
        return article_reject(actor=approver, article=article, reason="Lengkapi data.")
    if status == Status.SCHEDULED:
        return article_approve(actor=approver, article=article, publish_at=timezone.now() + timedelta(days=3))
    published = article_approve(actor=approver, article=article)
    if status == Status.UNPUBLISHED:
        return article_unpublish(actor=approver, article=published, reason="Data keliru.")
    return published


def offered(page: str, article: Article) -> list[str]:
    """The actions the detail page offers, once per button or link (so duplicates show)."""
    found = re.findall(rf'href="{BASE}{article.pk}/edit/"', page)
    actions = ["edit"] * len(found)
    actions += re.findall(rf'<form method="post" action="{BASE}{article.pk}/(\w+)/"', page)
    return actions


def edit_data(article: Article) -> dict[str, str]:
    return {
        "type": article.type,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "tags": "",
        "election_stage": "",
        "claim": "",
        "claim_appearances": "",
        "verdict": "",
        "evidence_links": "",
    }


def perform(client: Client, article: Article, action: str) -> bool:
    """Whether ``action`` on ``article`` goes through for the signed-in person (no 403, no
    refusal of the workflow); the edit form must also open."""
    url = f"{BASE}{article.pk}/"
    if action == "edit":
        opened = client.get(f"{url}edit/")
        if opened.status_code == 403:
            return False
        assert opened.status_code == 200
        saved = client.post(f"{url}edit/", edit_data(article))
        assert saved.status_code in (302, 403), saved.content.decode()[:500]
        return saved.status_code == 302
    data = {"reason": "Perlu diperiksa."} if action in ("reject", "unpublish") else {"publish_at": ""}
    response = client.post(f"{url}{action}/", data)
    if response.status_code == 403:
        return False
    assert response.status_code == 302
    # A transition the workflow refuses redirects with a message and changes nothing.
    return article.status != RESULT[action] == Article.objects.get(pk=article.pk).status


@pytest.mark.parametrize("actor", [*STAFF, "viewer", "analyst"])
@pytest.mark.parametrize("status", list(OFFERED))
def test_every_action_offered_goes_through_and_none_that_would_be_refused(
    client, people, offices, status, actor
):
    client.force_login(people[actor])
    article = make_article(status, people, offices)

    page = client.get(f"{BASE}{article.pk}/").content.decode()
    shown = offered(page, article)

    assert len(shown) == len(set(shown)), shown  # no button twice ('Ubah' was)
    assert set(shown) == OFFERED[status].get(actor, set())
    for action in ACTIONS:
        # Each on a fresh article in the same state: performing one changes it.
        allowed = perform(client, make_article(status, people, offices), action)
        if action in shown:
            assert allowed, f"{actor} was offered {action} on a {status} article and was refused"
        elif (status, action) not in NOT_ON_THE_PAGE:
            assert not allowed, f"{actor} may {action} a {status} article but was not offered it"


def test_an_operator_gets_no_edit_form_for_a_published_article(client, people, offices):
    article = make_article(Status.PUBLISHED, people, offices)
    client.force_login(people["operator"])

    page = client.get(f"{BASE}{article.pk}/").content.decode()

    assert "Ubah" not in page
    assert "Kirim untuk ditinjau" not in page
    assert client.get(f"{BASE}{article.pk}/edit/").status_code == 403
    assert client.post(f"{BASE}{article.pk}/edit/", edit_data(article)).status_code == 403


def test_an_editor_sees_one_edit_link_on_a_published_article(client, people, offices):
    article = make_article(Status.PUBLISHED, people, offices)
    client.force_login(people["editor"])

    page = client.get(f"{BASE}{article.pk}/").content.decode()

    assert page.count(">Ubah</a>") == 1
    assert "Kirim untuk ditinjau" not in page
    assert "Tarik dari portal" in page


def test_an_editor_who_wrote_the_article_may_not_approve_it_and_is_told_why(client, people, offices):
    article = make_article(Status.IN_REVIEW, people, offices, author="editor")
    client.force_login(people["editor"])

    page = client.get(f"{BASE}{article.pk}/").content.decode()

    assert set(offered(page, article)) == {"edit", "reject"}
    assert "Anda tidak dapat menyetujui artikel Anda sendiri." in page
    assert not perform(client, article, "approve")
    assert perform(client, make_article(Status.IN_REVIEW, people, offices, author="editor"), "reject")


def test_the_last_changer_may_not_approve_and_is_told_why(client, people, offices):
    article = make_article(Status.IN_REVIEW, people, offices)
    article_update(
        actor=people["editor"],
        article=article,
        data=ArticleInput(title="Rapat pleno rekapitulasi", summary="Ringkas.", body="<p>Isi diubah.</p>"),
    )
    client.force_login(people["editor"])

    page = client.get(f"{BASE}{article.pk}/").content.decode()

    assert set(offered(page, article)) == {"edit", "reject"}
    assert "Anda yang terakhir mengubah artikel ini, jadi Editor lain yang menyetujuinya." in page
    assert not perform(client, article, "approve")
    # Another Editor may.
    client.force_login(people["approver"])
    assert "approve" in offered(client.get(f"{BASE}{article.pk}/").content.decode(), article)
    assert perform(client, article, "approve")
