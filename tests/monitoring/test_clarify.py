"""Closing the loop: Buat Klarifikasi → approve → publish → narrative clarified, replies prepared;
a clarification published later answers open narratives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.channels.models import Channel
from humas.factcheck.matching import claim_index_reset
from humas.factcheck.models import Claim
from humas.monitoring.clarify import claims_rematch, narrative_clarification_draft
from humas.monitoring.models import Item, MatchDecision, Narrative, Reply, Source
from humas.portal.models import Article, ArticleType
from humas.portal.services import article_approve, article_submit

from .conftest import turnbackhoax_claim
from .test_pipeline import background_claims, ingest, process

pytestmark = pytest.mark.django_db

HOAX = "Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa"


@pytest.fixture(autouse=True)
def fresh_index(offices):
    claim_index_reset()
    background_claims(offices["00"], n=200)
    yield
    claim_index_reset()


@pytest.fixture
def editor(member):
    return member("33.20", "editor", full_name="Editor Jepara")


@pytest.fixture
def facebook(offices):
    return Channel.objects.create(
        office=offices["33.20"], platform="facebook", name="KPU Jepara", account_id="1001"
    )


@pytest.fixture
def comments(offices, facebook):
    return Source.objects.create(
        office=offices["33.20"],
        kind=Source.Kind.CHANNEL_COMMENTS,
        name="Komentar Facebook",
        config={"channel_id": facebook.pk},
    )


def test_buat_klarifikasi_to_published_clarifies_the_narrative_and_prepares_replies(
    operator, editor, comments, file_source, django_capture_on_commit_callbacks
):
    process(ingest(comments, [HOAX, HOAX + "!!", HOAX + " di TPS 4"], prefix="c", platform="facebook"))
    process(ingest(file_source, [HOAX + " kata grup WA"], prefix="f"))
    narrative = Narrative.objects.get()
    assert narrative.item_count == 4

    article = narrative_clarification_draft(actor=operator, narrative=narrative, verdict="hoaks")
    narrative.refresh_from_db()
    assert narrative.status == Narrative.Status.NEEDS_CLARIFICATION
    assert narrative.clarification_article == article
    assert article.type == ArticleType.KLARIFIKASI
    assert article.status == Article.Status.DRAFT
    assert article.claim == narrative.title
    assert set(article.claim_appearances) == {f"https://x.com/warga/status/c{n}" for n in range(3)} | {
        "https://x.com/warga/status/f0"
    }
    assert "Kabupaten Jepara" in article.body

    with django_capture_on_commit_callbacks(execute=True):
        article_submit(actor=operator, article=article)
        article_approve(actor=editor, article=Article.objects.get(pk=article.pk))

    narrative.refresh_from_db()
    claim = Claim.objects.get(article=article)
    assert narrative.status == Narrative.Status.CLARIFIED
    assert narrative.claim == claim
    assert set(Item.objects.filter(narrative=narrative).values_list("match_decision", flat=True)) == {
        MatchDecision.MATCH
    }
    replies = Reply.objects.filter(narrative=narrative).order_by("item__external_id")
    # Only the comments on the office's own channel get a reply; the file's item does not.
    assert [r.item.external_id for r in replies] == ["c0", "c1", "c2"]
    assert {r.status for r in replies} == {Reply.Status.PREPARED}
    assert all(claim.url in r.text for r in replies)
    assert AuditEvent.objects.filter(
        action="monitoring.narrative_clarified", object_id=str(narrative.pk)
    ).exists()

    # Re-running the loop changes nothing: no second reply to anyone.
    claims_rematch(claim_ids=[claim.pk])
    assert Reply.objects.filter(narrative=narrative).count() == 3


def test_a_clarification_imported_later_answers_an_open_narrative(offices, file_source):
    process(
        ingest(file_source, ["Beredar kabar pemilu 2024 ditunda sampai tahun 2025 karena anggaran habis"])
    )
    narrative = Narrative.objects.get()
    assert narrative.claim is None
    claim = turnbackhoax_claim(
        offices["00"],
        "tunda",
        "Pemilu 2024 ditunda sampai 2025 karena anggaran habis",
        "KPU memastikan pemungutan suara tetap 14 Februari 2024; anggaran sudah tersedia.",
    )
    counts = claims_rematch(claim_ids=[claim.pk])
    narrative.refresh_from_db()
    assert counts["matched"] == 1
    assert narrative.claim == claim
    assert Item.objects.get().match_claim == claim


def test_the_clarify_page_drafts_and_sends_to_the_editor(client, operator, file_source):
    process(ingest(file_source, [HOAX]))
    narrative = Narrative.objects.get()
    client.force_login(operator)
    url = reverse(
        "monitoring:narrative_clarify",
        kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert HOAX in page.content.decode()
    response = client.post(url, {"verdict": "hoaks"})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "portal_admin:edit", kwargs={"office_slug": narrative.office.slug, "article_id": article.pk}
    )
    # A second visit goes to the same draft instead of making another.
    assert client.post(url, {"verdict": "hoaks"})["Location"] == response["Location"]
    assert Article.objects.count() == 1


def test_an_analyst_cannot_draft_a_clarification(client, member, file_source):
    process(ingest(file_source, [HOAX]))
    narrative = Narrative.objects.get()
    client.force_login(member("33.20", "analyst"))
    url = reverse(
        "monitoring:narrative_clarify",
        kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk},
    )
    assert client.post(url, {"verdict": "hoaks"}).status_code == 403
    assert not Article.objects.exists()


def test_the_narrative_page_offers_buat_klarifikasi_to_staff_only(client, operator, member, file_source):
    process(ingest(file_source, [HOAX]))
    narrative = Narrative.objects.get()
    page_url = reverse(
        "monitoring:narrative", kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk}
    )
    clarify_url = reverse(
        "monitoring:narrative_clarify",
        kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk},
    )
    client.force_login(operator)
    assert f'href="{clarify_url}"' in client.get(page_url).content.decode()
    client.force_login(member("33.20", "analyst"))
    assert clarify_url not in client.get(page_url).content.decode()
