"""The guideline on portal articles (humas/portal/services.py article_submit, article_approve):
the same findings as on posts, in the title, summary, text and claim; a block needs an
Administrator's reason, a warning the approver's; both audited; the article's page marks them."""

# The fixtures are imported from another test package: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.core.workflow import WorkflowError
from humas.portal.models import Article
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from tests.publishing.conftest import JEPARA, admin, editor, operator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

BASE = "/app/kab-jepara/portal/"


def write(operator, offices, **fields) -> Article:
    data = {
        "title": "Jadwal coklit",
        "summary": "Coklit dimulai 12 Februari.",
        "body": "<p>Isi.</p>",
        **fields,
    }
    return article_create(actor=operator, office=offices[JEPARA], data=ArticleInput(**data))


def test_personal_data_in_an_articles_text_is_not_submitted_without_an_administrators_reason(
    operator, admin, offices
):
    article = write(
        operator, offices, body="<p>Hubungi petugas kami, Pak Darto, di <b>0812-2765-4301</b>.</p>"
    )
    with pytest.raises(WorkflowError, match="Nomor telepon pribadi"):
        article_submit(actor=operator, article=article)
    assert Article.objects.get().status == Article.Status.DRAFT

    article_submit(actor=admin, article=article, policy_reason="Nomor dinas petugas, sudah izin.")
    event = AuditEvent.objects.get(action="article.submit")
    assert event.changes["guideline"] == {
        "blocks": ["personal_data.phone"],
        "warnings": [],
        "reason": "Nomor dinas petugas, sudah izin.",
    }


def test_a_warning_in_an_article_is_approved_only_with_the_approvers_reason(operator, editor, offices):
    article = article_submit(
        actor=operator,
        article=write(operator, offices, summary="Info di https://contoh-berita.example/coklit"),
    )
    with pytest.raises(WorkflowError, match="alasan menyetujuinya"):
        article_approve(actor=editor, article=article)
    published = article_approve(actor=editor, article=article, policy_reason="Situs mitra pemda.")
    assert published.status == Article.Status.PUBLISHED
    assert AuditEvent.objects.get(action="article.publish").changes["guideline"]["warnings"] == [
        "non_official_link.host"
    ]


def test_a_clean_article_is_not_asked_anything(operator, editor, offices):
    article = article_submit(actor=operator, article=write(operator, offices))
    article_approve(actor=editor, article=article)
    assert "guideline" not in AuditEvent.objects.get(action="article.publish").changes


def test_the_articles_page_marks_the_findings_and_asks_the_approver_for_a_reason(
    client, operator, editor, offices
):
    article = article_submit(
        actor=operator,
        article=write(
            operator, offices, claim="Katanya 987.654 pemilih dicoret", type="klarifikasi", verdict="hoaks"
        ),
    )
    client.force_login(editor)
    page = client.get(f"{BASE}{article.pk}/").content.decode()
    assert '<mark class="guideline-warn"' in page and "987.654" in page
    assert 'name="policy_reason"' in page
    client.post(f"{BASE}{article.pk}/approve/", {"publish_at": ""})
    assert Article.objects.get().status == Article.Status.IN_REVIEW
    client.post(
        f"{BASE}{article.pk}/approve/", {"publish_at": "", "policy_reason": "Angka dari rekap resmi."}
    )
    assert Article.objects.get().status == Article.Status.PUBLISHED
