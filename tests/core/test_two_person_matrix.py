"""The two-person rule, field by field, for Konten posts and portal articles.

For each person P (the author, another Editor, the Editor who approved the earlier version) and
each field F of what goes out: after P changes F on an approved item, the item is back in review,
P cannot approve it, and another Editor can.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from humas.accounts.models import User
from humas.audit.models import AuditEvent
from humas.channels.models import Channel, Platform
from humas.channels.services import ChannelInput, channel_create
from humas.core.workflow import SECOND_PERSON, may_approve_item, require_second_person
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article, ArticleImage, ArticleType, Verdict
from humas.portal.services import (
    OWN_ARTICLE,
    ArticleInput,
    article_approve,
    article_create,
    article_submit,
    article_update,
)
from humas.publishing.images import NewImage, post_image_prepare, post_images_change
from humas.publishing.models import Post
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import OWN_POST, post_approve, post_create, post_submit, post_update
from humas.publishing.variants import post_variants_set

pytestmark = pytest.mark.django_db
JEPARA = "33.20"
PERSONS = ("author", "editor", "approver")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def people(member) -> dict[str, object]:
    """The author is an Editor too, so that only the two-person rule (not the role) refuses them."""
    return {
        "author": member(JEPARA, "editor", email="penulis@kpu.test"),
        "editor": member(JEPARA, "editor", email="editor.lain@kpu.test"),
        "approver": member(JEPARA, "editor", email="penyetuju@kpu.test"),
        "other": member(JEPARA, "editor", email="editor.kedua@kpu.test"),
        # Registers the office's channels; never writes or approves.
        "admin": member(JEPARA, "admin", email="admin.jepara@kpu.test"),
    }


def _own_message(person: str, own: object) -> str:
    return str(own) if person == "author" else str(SECOND_PERSON)


# --------------------------------------------------------------------------------------------
# Posts


def _image(color: tuple[int, int, int] = (200, 30, 30)) -> NewImage:
    buf = io.BytesIO()
    Image.new("RGB", (320, 320), color).save(buf, "JPEG")
    upload = SimpleUploadedFile("foto.jpg", buf.getvalue(), content_type="image/jpeg")
    return NewImage(post_image_prepare(file=upload), "Poster pendaftaran")


def _post_update(**fields: object) -> Callable[[object, Post], None]:
    def change(actor: object, post: Post) -> None:
        current = {"text": post.text, "link": post.link, "scheduled_at": post.scheduled_at}
        post_update(actor=actor, post=post, **{**current, **fields})

    return change


def _later_schedule(actor: object, post: Post) -> None:
    assert post.scheduled_at is not None
    # Into the quiet period: a day later than approved.
    post_update(
        actor=actor,
        post=post,
        text=post.text,
        link=post.link,
        scheduled_at=post.scheduled_at + timedelta(days=1),
    )


def _first_image(post: Post) -> int:
    return post.images.get().pk


def _channel_added(actor: object, post: Post) -> None:
    """Also send it to the office's WhatsApp channel, which was not approved for it."""
    whatsapp = Channel.objects.get(office=post.office, platform=Platform.WHATSAPP)
    post_update(
        actor=actor,
        post=post,
        text=post.text,
        link=post.link,
        scheduled_at=post.scheduled_at,
        channels=[*post.channels.all(), whatsapp],
    )


POST_CHANGES: dict[str, Callable[[object, Post], None]] = {
    "text": _post_update(text="Pendaftaran pemantau pemilu ditutup hari ini."),
    "link": _post_update(link="https://kpu.go.id/lain"),
    "schedule": _later_schedule,
    "channels": _channel_added,
    "variant": lambda actor, post: post_variants_set(
        actor=actor, post=post, texts={"telegram": "Teks Telegram"}
    ),
    "image_added": lambda actor, post: post_images_change(actor=actor, post=post, add=[_image((0, 90, 0))]),
    "image_removed": lambda actor, post: post_images_change(
        actor=actor, post=post, remove=[_first_image(post)]
    ),
    "image_replaced": lambda actor, post: post_images_change(
        actor=actor, post=post, remove=[_first_image(post)], add=[_image((0, 0, 90))]
    ),
    "alt_text": lambda actor, post: post_images_change(
        actor=actor, post=post, alt_texts={_first_image(post): "Poster dengan jadwal baru"}
    ),
}
POST_AUDIT_ACTION = {
    "variant": "post.variants",
    **{k: "post.images" for k in POST_CHANGES if "image" in k or k == "alt_text"},
}


def _approved_post(people: dict[str, object], offices) -> Post:
    """Approved for the office's portal only; its WhatsApp channel exists but was not chosen."""
    author, office = people["author"], offices[JEPARA]
    channel_create(
        actor=people["admin"],
        office=office,
        data=ChannelInput(platform="whatsapp", name="KPU Jepara WhatsApp"),
    )
    post = post_create(
        actor=author,
        office=office,
        text="Pendaftaran pemantau pemilu dibuka hari ini.",
        link="https://kpu.go.id/pemantau",
        scheduled_at=timezone.now() + timedelta(days=3),
        channels=[portal_channel_ensure(office=office)],
    )
    post_images_change(actor=author, post=post, add=[_image()])
    post_submit(actor=author, post=post)
    return post_approve(actor=people["approver"], post=post)


@pytest.mark.parametrize("person", PERSONS)
@pytest.mark.parametrize("field", sorted(POST_CHANGES))
def test_whoever_last_changed_a_post_field_cannot_approve_it_and_another_editor_can(
    people, offices, person, field
):
    post = _approved_post(people, offices)
    changer = people[person]

    POST_CHANGES[field](changer, post)

    post.refresh_from_db()
    assert (post.status, post.approved_by, post.approved_at) == (Post.Status.DRAFT, None, None)
    assert post.last_changed_by == changer
    event = AuditEvent.objects.filter(action=POST_AUDIT_ACTION.get(field, "post.update")).latest("pk")
    assert event.changes["status"] == {"before": "approved", "after": "draft"}
    post_submit(actor=changer, post=post)
    with pytest.raises(PolicyDenied) as refused:
        post_approve(actor=changer, post=post)
    assert str(refused.value) == _own_message(person, OWN_POST)
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW

    approved = post_approve(actor=people["other"], post=post)

    assert (approved.status, approved.approved_by) == (Post.Status.APPROVED, people["other"])
    assert list(post.versions.values_list("number", "written_by", "approved_by")) == [
        (2, changer.pk, people["other"].pk),
        (1, people["author"].pk, people["approver"].pk),
    ]


# --------------------------------------------------------------------------------------------
# Articles


def _cover(office, actor, alt: str) -> ArticleImage:
    image = ArticleImage(office=office, alt_text=alt, width=1200, height=800, created_by=actor, state="ready")
    image.file.name = f"portal/originals/2026/12/{alt.replace(' ', '-')}.jpg"
    image.save()
    return image


def _input_of(article: Article, **fields: object) -> ArticleInput:
    data = {
        "title": article.title,
        "type": article.type,
        "summary": article.summary,
        "body": article.body,
        "slug": article.slug,
        "category": article.category,
        "tags": [t.name for t in article.tags.all()],
        "election_stage": article.election_stage,
        "cover": article.cover,
        "pinned_until": article.pinned_until,
        "claim": article.claim,
        "claim_appearances": list(article.claim_appearances),
        "verdict": article.verdict,
        "evidence_links": list(article.evidence_links),
    }
    data.update(fields)
    return ArticleInput(**data)  # type: ignore[arg-type]


def _article_update(**fields: object) -> Callable[[object, Article], None]:
    def change(actor: object, article: Article) -> None:
        values = {k: (v(article) if callable(v) else v) for k, v in fields.items()}
        article_update(actor=actor, article=article, data=_input_of(article, **values))

    return change


ARTICLE_CHANGES: dict[str, Callable[[object, Article], None]] = {
    "title": _article_update(title="Video surat suara tercoblos adalah hoaks lama"),
    "summary": _article_update(summary="Ringkasan lain."),
    "body": _article_update(body="<p>Isi yang sama sekali berbeda dari yang disetujui.</p>"),
    "inline_image": _article_update(
        body='<p>Isi klarifikasi.</p><p><img src="/media/portal/renditions/9/960.jpg" alt="Tangkapan layar"></p>'
    ),
    "cover_replaced": _article_update(cover=lambda a: _cover(a.office, a.author, "Gambar pengganti")),
    "cover_removed": _article_update(cover=None),
    "verdict": _article_update(verdict=Verdict.BENAR),
    "claim": _article_update(claim="Klaim lain yang beredar."),
    "claim_appearances": _article_update(claim_appearances=["https://contoh.test/unggahan-lain"]),
    "evidence_links": _article_update(evidence_links=["https://kpu.go.id/bukti-lain"]),
    "type": _article_update(type=ArticleType.BERITA),
}


def _published_article(people: dict[str, object], offices, *, publish_at=None) -> Article:
    author, office = people["author"], offices[JEPARA]
    article = article_create(
        actor=author,
        office=office,
        data=ArticleInput(
            title="Video surat suara tercoblos",
            type=ArticleType.KLARIFIKASI,
            summary="Video itu bukan dari pemilu ini.",
            body="<p>Isi klarifikasi.</p>",
            cover=_cover(office, author, "Tangkapan layar video"),
            claim="Surat suara sudah tercoblos sebelum hari pemungutan.",
            claim_appearances=["https://contoh.test/unggahan"],
            verdict=Verdict.HOAKS,
            evidence_links=["https://kpu.go.id/bukti"],
        ),
    )
    article_submit(actor=author, article=article)
    return article_approve(actor=people["approver"], article=article, publish_at=publish_at)


@pytest.mark.parametrize("person", PERSONS)
@pytest.mark.parametrize("field", sorted(ARTICLE_CHANGES))
def test_whoever_last_changed_an_article_field_cannot_approve_it_and_another_editor_can(
    people, offices, person, field
):
    article = _published_article(people, offices)
    assert article.status == Article.Status.PUBLISHED
    changer = people[person]

    ARTICLE_CHANGES[field](changer, article)

    article.refresh_from_db()
    assert (article.status, article.approved_by) == (Article.Status.IN_REVIEW, None)
    assert article.last_changed_by == changer
    event = AuditEvent.objects.filter(action="article.update").latest("pk")
    assert event.changes["status"] == {"before": "published", "after": "in_review"}
    with pytest.raises(PolicyDenied) as refused:
        article_approve(actor=changer, article=article)
    assert str(refused.value) == _own_message(person, OWN_ARTICLE)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW

    approved = article_approve(actor=people["other"], article=article)

    assert (approved.status, approved.approved_by) == (Article.Status.PUBLISHED, people["other"])
    assert list(article.versions.values_list("number", "created_by", "approved_by")) == [
        (2, changer.pk, people["other"].pk),
        (1, people["author"].pk, people["approver"].pk),
    ]


@pytest.mark.parametrize("person", PERSONS)
def test_a_change_to_a_scheduled_article_cancels_the_schedule_and_returns_it_to_review(
    people, offices, person
):
    article = _published_article(people, offices, publish_at=timezone.now() + timedelta(days=2))
    assert article.status == Article.Status.SCHEDULED
    changer = people[person]

    ARTICLE_CHANGES["body"](changer, article)

    article.refresh_from_db()
    assert (article.status, article.approved_by, article.publish_at) == (Article.Status.IN_REVIEW, None, None)
    with pytest.raises(PolicyDenied):
        article_approve(actor=changer, article=article)
    assert article_approve(actor=people["other"], article=article).status == Article.Status.PUBLISHED


# --------------------------------------------------------------------------------------------
# The workflow check itself


def test_require_second_person_refuses_the_last_changer_and_lets_a_third_person_through():
    item = Post(author_id=7, last_changed_by_id=8)

    with pytest.raises(PolicyDenied) as refused:
        require_second_person(item, User(pk=8), own_message=OWN_POST)

    assert str(refused.value) == "Anda tidak dapat menyetujui konten yang Anda tulis atau ubah terakhir."
    require_second_person(item, User(pk=9), own_message=OWN_POST)  # does not raise
    assert may_approve_item(item, User(pk=7)) is False
    assert may_approve_item(item, User(pk=9)) is True
