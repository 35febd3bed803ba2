""" "Bagikan ke kanal": a published portal article (a Klarifikasi above all) becomes a draft post
of its office, pre-filled, which then goes through the usual approval."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from humas.audit.models import AuditEvent
from humas.channels.models import Channel, Platform
from humas.channels.services import ChannelInput, channel_create
from humas.factcheck.models import Claim
from humas.factcheck.services import claims_sync_all
from humas.offices import policy
from humas.portal.images import image_upload
from humas.portal.models import Article, ArticleType
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.publishing.models import Post
from humas.publishing.services import PublishingError, post_approve, post_create, post_submit
from humas.publishing.sharing import article_share_link, post_from_article
from tests.monitoring.factories_narratives import NarrativeFactory

pytestmark = pytest.mark.django_db

JEPARA, KUDUS = "33.20", "33.19"
CREATED = "Draf unggahan dibuat dari artikel ini. Periksa teksnya, lalu kirim untuk disetujui."
EXISTING = "Artikel ini sudah punya unggahan; ini unggahannya."
NOT_PUBLISHED = "Hanya artikel yang sudah terbit yang dapat dibagikan ke kanal."
CLAIM = "Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa"


def share_url(office_slug: str, article_id: int) -> str:
    return reverse("publishing:from_article", kwargs={"office_slug": office_slug, "article_id": article_id})


def detail(article: Article) -> str:
    return reverse("portal_admin:detail", kwargs={"office_slug": "kab-jepara", "article_id": article.pk})


def texts_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def channels(admin, offices):
    """KPU Jepara's channels: two assisted ones, one switched off, one not connected; and Kudus's."""
    office = offices[JEPARA]

    def make(platform: str, office=office, actor=admin) -> Channel:
        return channel_create(
            actor=actor, office=office, data=ChannelInput(platform=platform, name=f"KPU {platform}")
        )

    tiktok, whatsapp = make("tiktok"), make("whatsapp")
    off = make("youtube")
    off.is_active = False
    off.save()
    unconnected = make("facebook")  # no credential yet: nothing can be published to it
    return {"tiktok": tiktok, "whatsapp": whatsapp, "off": off, "unconnected": unconnected}


@pytest.fixture
def published(operator, editor, member, offices):
    """published(code, **fields) -> a Klarifikasi written by one person and approved by another
    (``approve=False``: left a draft)."""
    people = {JEPARA: (operator, editor)}

    def make(code: str = JEPARA, *, approve: bool = True, **fields) -> Article:
        if code not in people:
            people[code] = (member(code, "operator"), member(code, "editor"))
        author, approver = people[code]
        fields.setdefault("title", "[Klarifikasi] Petugas KPPS tidak dibayar paslon")
        fields.setdefault("type", ArticleType.KLARIFIKASI)
        fields.setdefault("claim", CLAIM)
        fields.setdefault("verdict", "hoaks")
        fields.setdefault("summary", "KPU Jepara memastikan kabar itu tidak benar.")
        fields.setdefault("body", "<p>Petugas KPPS bekerja untuk semua peserta.</p>")
        article = article_create(actor=author, office=offices[code], data=ArticleInput(**fields))
        if not approve:
            return article
        article_submit(actor=author, article=article)
        return article_approve(actor=approver, article=article)

    return make


def test_sharing_drafts_a_post_with_the_title_summary_link_and_channels(
    client, operator, channels, published
):
    article = published()
    client.force_login(operator)

    response = client.post(share_url("kab-jepara", article.pk))

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "publishing:edit", kwargs={"office_slug": "kab-jepara", "post_id": post.pk}
    )
    assert texts_of(response) == [CREATED]
    assert post.status == Post.Status.DRAFT
    assert (post.office, post.author) == (article.office, operator)
    assert (
        post.text
        == "[Klarifikasi] Petugas KPPS tidak dibayar paslon\n\nKPU Jepara memastikan kabar itu tidak benar."
    )
    assert post.link == f"http://testserver/kab-jepara/klarifikasi/{article.slug}/"
    assert post.link == article_share_link(article)
    # Every channel the office publishes to, except its own portal: the article is already there.
    assert set(post.channels.all()) == {channels["tiktok"], channels["whatsapp"]}
    assert Channel.objects.filter(office=article.office, platform=Platform.PORTAL).exists()
    event = AuditEvent.objects.get(action="post.create", object_id=str(post.pk))
    assert event.actor == operator
    # The draft opens for review as any other: the edit page shows it.
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Petugas KPPS tidak dibayar paslon" in page.content.decode()


def test_without_a_summary_the_text_is_the_start_of_the_body_as_plain_text(operator, published):
    body = "<p>Kabar itu <strong>tidak benar</strong> &amp; menyesatkan.</p>" + "<p>" + "kata " * 100 + "</p>"
    article = published(summary="", body=body)

    post, created = post_from_article(actor=operator, article=article)

    title, excerpt = post.text.split("\n\n")
    assert created
    assert title == article.title
    assert excerpt.startswith("Kabar itu tidak benar & menyesatkan. kata kata")
    assert excerpt.endswith("kata…")
    assert len(excerpt) <= 280
    assert "<" not in post.text and "&amp;" not in post.text


def test_sharing_again_finds_the_same_post(client, operator, channels, published):
    article = published()
    client.force_login(operator)
    first = client.post(share_url("kab-jepara", article.pk))

    second = client.post(share_url("kab-jepara", article.pk))

    assert Post.objects.count() == 1
    assert second["Location"] == first["Location"]
    assert texts_of(second) == [CREATED, EXISTING]  # the first redirect was not followed
    assert AuditEvent.objects.filter(action="post.create").count() == 1


def test_a_post_already_in_review_is_shown_on_its_page(client, operator, channels, published):
    article = published()
    post, _ = post_from_article(actor=operator, article=article)
    post_submit(actor=operator, post=post)
    client.force_login(operator)

    response = client.post(share_url("kab-jepara", article.pk))

    # Not the edit page: an edit would send the post in review back to draft.
    assert response["Location"] == reverse(
        "publishing:detail", kwargs={"office_slug": "kab-jepara", "post_id": post.pk}
    )
    assert texts_of(response) == [EXISTING]


def test_a_withdrawn_post_does_not_count_a_new_draft_is_made(operator, editor, channels, published):
    article = published()
    post, _ = post_from_article(actor=operator, article=article)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.WITHDRAWN)

    again, created = post_from_article(actor=operator, article=article)

    assert created and again.pk != post.pk


def test_another_office_post_with_the_same_link_does_not_count(operator, member, published, offices):
    article = published()
    provincial = member("33", "operator")
    post_create(
        actor=provincial, office=offices["33"], text="Baca klarifikasinya", link=article_share_link(article)
    )

    post, created = post_from_article(actor=operator, article=article)

    assert created and post.office == article.office


def test_an_article_not_published_is_refused(client, operator, published):
    draft = published(approve=False)
    client.force_login(operator)

    response = client.post(share_url("kab-jepara", draft.pk))

    assert response["Location"] == detail(draft)
    assert texts_of(response) == [NOT_PUBLISHED]
    assert not Post.objects.exists()
    with pytest.raises(PublishingError, match=NOT_PUBLISHED):
        post_from_article(actor=operator, article=draft)


def test_a_withdrawn_article_is_refused(operator, published):
    article = published()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
    article.refresh_from_db()
    with pytest.raises(PublishingError, match=NOT_PUBLISHED):
        post_from_article(actor=operator, article=article)
    assert not Post.objects.exists()


def test_offices_are_kept_apart(client, operator, member, published):
    kudus_article = published(KUDUS)
    jepara_article = published()
    kudus_operator = member(KUDUS, "operator")

    client.force_login(operator)
    # Kudus's article is not in Jepara's office, and Jepara's operator does not reach Kudus.
    assert client.post(share_url("kab-jepara", kudus_article.pk)).status_code == 404
    assert client.post(share_url("kab-kudus", kudus_article.pk)).status_code == 403
    client.force_login(kudus_operator)
    assert client.post(share_url("kab-jepara", jepara_article.pk)).status_code == 403
    assert not Post.objects.exists()


def test_a_viewer_may_not_share(client, member, published):
    article = published()
    viewer = member(JEPARA, "viewer")
    client.force_login(viewer)

    assert client.post(share_url("kab-jepara", article.pk)).status_code == 403
    assert not Post.objects.exists()
    with pytest.raises(policy.PolicyDenied):
        post_from_article(actor=viewer, article=article)


def test_sharing_is_a_post_only_and_needs_sign_in(client, operator, published):
    article = published()
    url = share_url("kab-jepara", article.pk)
    assert client.post(url).status_code == 302  # to the sign-in page
    client.force_login(operator)
    assert client.get(url).status_code == 405
    assert not Post.objects.exists()


def test_sharing_checks_the_csrf_token(operator, published):
    article = published()
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.post(share_url("kab-jepara", article.pk)).status_code == 403
    assert not Post.objects.exists()


def test_the_draft_goes_through_the_usual_approval(operator, editor, channels, published):
    post, _ = post_from_article(actor=operator, article=published())
    post_submit(actor=operator, post=post)
    approved = post_approve(actor=editor, post=post)
    assert approved.status == Post.Status.APPROVED


def _jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(buf, "JPEG")
    return SimpleUploadedFile("sampul.jpg", buf.getvalue(), content_type="image/jpeg")


def test_the_cover_comes_along_as_the_post_image(
    settings, tmp_path, operator, channels, published, offices, django_capture_on_commit_callbacks
):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with django_capture_on_commit_callbacks(execute=True):
        cover = image_upload(
            actor=operator, office=offices[JEPARA], file=_jpeg(), alt_text="Petugas KPPS bertugas"
        )
    article = published(cover=cover)

    post, _ = post_from_article(actor=operator, article=article)

    image = post.images.get()
    assert (image.alt_text, image.width, image.height) == ("Petugas KPPS bertugas", 1200, 800)
    assert AuditEvent.objects.filter(action="post.images", object_id=str(post.pk)).exists()


def test_a_cover_whose_file_is_missing_is_left_out(
    settings, tmp_path, operator, channels, published, offices
):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Not committed: the original was never stored.
    cover = image_upload(actor=operator, office=offices[JEPARA], file=_jpeg(), alt_text="Foto")
    post, created = post_from_article(actor=operator, article=published(cover=cover))
    assert created and not post.images.exists()


def test_the_article_page_offers_sharing_when_published_to_staff(client, operator, member, published):
    article = published()
    draft = published(approve=False, title="Draf lain")

    client.force_login(operator)
    page = client.get(detail(article)).content.decode()
    assert f'action="{share_url("kab-jepara", article.pk)}"' in page
    assert "Bagikan ke kanal" in page
    assert share_url("kab-jepara", draft.pk) not in client.get(detail(draft)).content.decode()
    client.force_login(member(JEPARA, "viewer"))
    assert share_url("kab-jepara", article.pk) not in client.get(detail(article)).content.decode()


def test_the_narrative_page_offers_sharing_once_the_clarification_is_published(
    client, operator, member, published, offices
):
    article = published(approve=False)
    narrative = NarrativeFactory(office=offices[JEPARA], clarification_article=article)
    page_url = reverse(
        "monitoring:narrative", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk}
    )
    url = share_url("kab-jepara", article.pk)
    client.force_login(operator)
    assert url not in client.get(page_url).content.decode()

    article_submit(actor=operator, article=article)
    article_approve(actor=member(JEPARA, "editor"), article=Article.objects.get(pk=article.pk))

    page = client.get(page_url).content.decode()
    assert f'action="{url}"' in page
    assert "Bagikan klarifikasi ke kanal" in page
    client.force_login(member(JEPARA, "analyst"))  # monitors, but drafts no content
    assert url not in client.get(page_url).content.decode()
    # From a province above, the button names the narrative's office.
    client.force_login(member("33", "editor"))
    assert (
        f'action="{url}"'
        in client.get(
            reverse("monitoring:narrative", kwargs={"office_slug": "jateng", "narrative_id": narrative.pk})
        ).content.decode()
    )


def test_a_narrative_matched_to_the_offices_own_clarification_offers_sharing_it(
    client, operator, published, offices
):
    article = published()
    claims_sync_all()
    claim = Claim.objects.get(article=article)
    narrative = NarrativeFactory(office=offices[JEPARA], claim=claim)
    client.force_login(operator)
    page = client.get(
        reverse("monitoring:narrative", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk})
    ).content.decode()
    assert f'action="{share_url("kab-jepara", article.pk)}"' in page
