from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.portal.models import Article, ArticleVersion
from humas.portal.services import (
    ArticleInput,
    WorkflowError,
    article_approve,
    article_create,
    article_publish_due,
    article_reject,
    article_submit,
    article_unpublish,
    article_update,
)

pytestmark = pytest.mark.django_db
Status = Article.Status


def test_operator_drafts_and_editor_publishes(offices, member):
    operator, editor = member("33.20", "operator"), member("33.20", "editor")
    article = article_create(
        actor=operator,
        office=offices["33.20"],
        data=ArticleInput(title="Coklit dimulai", body="<p>Petugas datang.</p>"),
    )
    assert (article.status, article.slug, article.version) == (Status.DRAFT, "coklit-dimulai", 1)

    article_submit(actor=operator, article=article)
    published = article_approve(actor=editor, article=article)

    assert published.status == Status.PUBLISHED
    assert published.approved_by == editor
    assert published.published_at is not None
    actions = list(
        AuditEvent.objects.filter(object_type="portal.article")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["article.create", "article.submit", "article.publish"]


def test_operator_cannot_approve_and_nobody_approves_own_article(offices, member):
    operator, editor = member("33.20", "operator"), member("33.20", "editor")
    own = article_create(actor=editor, office=offices["33.20"], data=ArticleInput(title="Milik editor"))
    article_submit(actor=editor, article=own)
    other = article_create(actor=operator, office=offices["33.20"], data=ArticleInput(title="Milik operator"))
    article_submit(actor=operator, article=other)

    with pytest.raises(policy.PolicyDenied):
        article_approve(actor=operator, article=other)
    with pytest.raises(policy.PolicyDenied):
        article_approve(actor=editor, article=own)
    assert set(Article.objects.values_list("status", flat=True)) == {Status.IN_REVIEW}


def test_province_editor_approves_regency_article_but_sibling_cannot(offices, member):
    operator = member("33.20", "operator")
    article = article_create(
        actor=operator, office=offices["33.20"], data=ArticleInput(title="Berita Jepara")
    )
    article_submit(actor=operator, article=article)

    with pytest.raises(policy.PolicyDenied):
        article_approve(actor=member("33.74", "editor"), article=article)
    assert article_approve(actor=member("33", "editor"), article=article).status == Status.PUBLISHED


def test_schedule_in_office_zone_then_publish_when_due(offices, member):
    operator, editor = member("91.71", "operator"), member("91.71", "editor")
    article = article_create(actor=operator, office=offices["91.71"], data=ArticleInput(title="Jadwal"))
    article_submit(actor=operator, article=article)
    when = timezone.now() + timedelta(hours=2)

    scheduled = article_approve(actor=editor, article=article, publish_at=when)
    assert scheduled.status == Status.SCHEDULED
    assert article_publish_due(now=when - timedelta(minutes=1)) == 0
    assert article_publish_due(now=when + timedelta(seconds=1)) == 1
    assert article_publish_due(now=when + timedelta(seconds=2)) == 0  # idempotent
    article.refresh_from_db()
    assert article.status == Status.PUBLISHED
    assert AuditEvent.objects.filter(action="article.publish_scheduled", actor=None).count() == 1


def test_reject_needs_reason_and_returns_to_author(offices, member):
    operator, editor = member("33.20", "operator"), member("33.20", "editor")
    article = article_create(actor=operator, office=offices["33.20"], data=ArticleInput(title="Perlu revisi"))
    article_submit(actor=operator, article=article)

    with pytest.raises(WorkflowError):
        article_reject(actor=editor, article=article, reason="  ")
    rejected = article_reject(actor=editor, article=article, reason="Sumber data belum disebut")

    assert (rejected.status, rejected.rejection_reason) == (Status.REJECTED, "Sumber data belum disebut")
    article_update(
        actor=operator, article=rejected, data=ArticleInput(title="Perlu revisi", body="<p>Sumber: KPU</p>")
    )
    assert article_submit(actor=operator, article=rejected).status == Status.IN_REVIEW


def test_every_save_keeps_a_version(offices, member, publish):
    article = publish("33.20", title="Versi satu", body="<p>Satu</p>")
    editor = member("33", "editor")

    article_update(actor=editor, article=article, data=ArticleInput(title="Versi dua", body="<p>Dua</p>"))

    versions = list(
        ArticleVersion.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "title", "body")
    )
    assert versions == [(1, "Versi satu", "<p>Satu</p>"), (2, "Versi dua", "<p>Dua</p>")]


def test_operator_cannot_edit_published_article(offices, member, publish):
    article = publish("33.20")
    with pytest.raises(policy.PolicyDenied):
        article_update(
            actor=member("33.20", "operator"), article=article, data=ArticleInput(title="Diam-diam")
        )
    assert Article.objects.get(pk=article.pk).title == "Rapat pleno rekapitulasi"


def test_unpublish_and_invalid_transitions(offices, member, publish):
    article = publish("33.20")
    editor = member("33.20", "editor")
    withdrawn = article_unpublish(actor=editor, article=article, reason="Data keliru")
    assert withdrawn.status == Status.UNPUBLISHED
    with pytest.raises(WorkflowError):
        article_unpublish(actor=editor, article=withdrawn)
    with pytest.raises(WorkflowError):
        article_approve(actor=editor, article=withdrawn)


def test_script_in_editor_is_removed_on_save(offices, member):
    article = article_create(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        data=ArticleInput(
            title="Aman",
            body='<p onclick="steal()">Teks<script>alert(1)</script>'
            '<a href="javascript:alert(1)">tautan</a><img src=x onerror=alert(1) alt="g">'
            '<iframe src="https://evil.example/x"></iframe>'
            '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe></p>',
        ),
    )
    assert article.body == (
        '<p>Teks<a rel="noopener noreferrer">tautan</a><img src="x" alt="g">'
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe></p>'
    )
    assert "script" not in article.body_text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "klarifikasi"}, "klaim"),
        ({"type": "klarifikasi", "claim": "KPU curang", "verdict": ""}, "putusan"),
        ({"type": "berita", "pinned_until": timezone.now()}, "pengumuman"),
        ({"type": "opini"}, "Jenis"),
    ],
)
def test_invalid_content_is_refused_and_nothing_saved(offices, member, fields, message):
    with pytest.raises(WorkflowError, match=message):
        article_create(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            data=ArticleInput(title="Judul", **fields),
        )
    assert not Article.objects.exists()


def test_slugs_are_unique_per_office_and_type(offices, member):
    author = member("33.20", "operator")
    first = article_create(actor=author, office=offices["33.20"], data=ArticleInput(title="Sama"))
    second = article_create(actor=author, office=offices["33.20"], data=ArticleInput(title="Sama"))
    other_type = article_create(
        actor=author, office=offices["33.20"], data=ArticleInput(title="Sama", type="pengumuman")
    )
    assert (first.slug, second.slug, other_type.slug) == ("sama", "sama-2", "sama")


def test_cover_image_of_another_office_is_refused(offices, member):
    from humas.portal.models import ArticleImage

    foreign = ArticleImage.objects.create(
        office=offices["33.74"],
        file="x.jpg",
        alt_text="Gambar Semarang",
        created_by=member("33.74", "operator"),
    )
    with pytest.raises(WorkflowError, match="tidak tersedia"):
        article_create(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            data=ArticleInput(title="Sampul asing", cover=foreign),
        )
    assert not Article.objects.exists()


def test_hourly_task_drops_the_stored_news_sitemap(settings):
    from humas.portal.tasks import refresh_news_sitemap_task

    stored = settings.HUMAS_PAGECACHE_DIR / "testserver" / "sitemap-news.xml"
    stored.parent.mkdir(parents=True)
    stored.write_text("<urlset/>")
    refresh_news_sitemap_task.call_local()
    assert not stored.exists()
