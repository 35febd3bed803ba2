"""The office's own Humas portal as a channel: same delivery engine, an article per delivery."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.channels.connectors import PublishRequest
from humas.channels.models import Channel, Platform
from humas.offices.models import Membership
from humas.portal.models import Article, ArticleType, ArticleViewTotal
from humas.publishing.delivery import (
    connector_for_delivery,
    deliveries_sweep,
    delivery_send,
    publication_create,
    publication_withdraw,
)
from humas.publishing.models import Delivery, DeliveryArticle
from humas.publishing.portal_channel import (
    PortalConnector,
    article_input_for_post,
    channel_list_for_publishing,
    portal_channel_ensure,
)
from humas.publishing.selectors import publication_summary
from tests.conftest import require_service

from .conftest import JEPARA

pytestmark = pytest.mark.django_db
State = Delivery.State
BASE = "/app/kab-jepara/content/"
LONG = (
    "KPU Kabupaten Jepara menggelar rapat pleno terbuka rekapitulasi hasil penghitungan suara. "
    "Rapat dihadiri saksi partai politik, Bawaslu dan pemantau pemilu terdaftar.\n\n"
    "Hasil rekapitulasi tingkat kabupaten diumumkan di https://jepara.kpu.go.id/hasil dan di papan "
    "pengumuman kantor. #PemiluDamai #KPUMelayani"
)


@pytest.fixture
def portal(offices):
    return portal_channel_ensure(office=offices[JEPARA])


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def test_each_office_gets_one_portal_channel_on_demand(offices):
    office = offices[JEPARA]
    assert not Channel.objects.filter(platform=Platform.PORTAL).exists()

    listed = list(channel_list_for_publishing(office=office))
    again = list(channel_list_for_publishing(office=office))

    portal = Channel.objects.get(platform=Platform.PORTAL)
    assert listed == again == [portal]
    assert (portal.office, portal.name, portal.is_official, portal.health) == (
        office,
        office.name,
        False,
        Channel.Health.HEALTHY,
    )
    assert portal_channel_ensure(office=office) == portal
    assert portal_channel_ensure(office=offices["11.01"]) != portal  # every office has its own


def test_short_post_becomes_a_published_announcement_through_the_engine(
    client, portal, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    post = approved_post("Pendaftaran pemantau pemilu dibuka hari ini.")
    publication = publish(operator, post, [portal], django_capture_on_commit_callbacks)

    delivery = publication.deliveries.get()
    article = Article.objects.get()
    assert (delivery.state, delivery.attempt_count, delivery.platform_post_id) == (
        State.SENT,
        1,
        str(article.pk),
    )
    assert (
        delivery.url
        == article.get_absolute_url()
        == "/kab-jepara/pengumuman/pendaftaran-pemantau-pemilu-dibuka-hari-ini/"
    )
    assert (article.type, article.status, article.title) == (
        ArticleType.PENGUMUMAN,
        Article.Status.PUBLISHED,
        "Pendaftaran pemantau pemilu dibuka hari ini",
    )
    # The post passed four eyes in Konten: its author and approver are the article's.
    assert (article.author, article.approved_by, article.office) == (operator, editor, post.office)
    assert article.published_at is not None and article.version == 1
    assert DeliveryArticle.objects.get().article == article
    event = AuditEvent.objects.get(action="article.publish_from_post")
    assert (event.actor, event.changes["approved_by"]) == (operator, editor.email)
    assert publication_summary(publication=publication) == "Terbit di 1 dari 1 kanal"

    page = client.get(delivery.url)
    assert page.status_code == 200
    assert "Pendaftaran pemantau pemilu dibuka hari ini" in page.content.decode()


def test_long_post_becomes_news_with_paragraphs_links_and_tags(
    portal, approved_post, operator, django_capture_on_commit_callbacks
):
    post = approved_post(LONG, link="https://kpu.go.id/pleno")
    publish(operator, post, [portal], django_capture_on_commit_callbacks)

    article = Article.objects.get()
    assert article.type == ArticleType.BERITA
    assert (
        article.title
        == "KPU Kabupaten Jepara menggelar rapat pleno terbuka rekapitulasi hasil penghitungan suara"
    )
    assert article.summary == (
        "KPU Kabupaten Jepara menggelar rapat pleno terbuka rekapitulasi hasil penghitungan suara. "
        "Rapat dihadiri saksi partai politik, Bawaslu dan pemantau pemilu terdaftar."
    )
    assert article.body.count("<p>") == 3
    assert '<a href="https://jepara.kpu.go.id/hasil" rel="noopener noreferrer">' in article.body
    assert (
        '<a href="https://kpu.go.id/pleno" rel="noopener noreferrer">https://kpu.go.id/pleno</a>'
        in article.body
    )
    assert sorted(t.name for t in article.tags.all()) == ["KPUMelayani", "PemiluDamai"]


def test_markup_in_a_post_is_text_on_the_portal(
    portal, approved_post, operator, django_capture_on_commit_callbacks
):
    publish(
        operator,
        approved_post('Awas hoaks <script>alert(1)</script> <img src=x onerror="alert(2)">'),
        [portal],
        django_capture_on_commit_callbacks,
    )
    article = Article.objects.get()
    assert "<script" not in article.body and "<img" not in article.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article.body


def test_running_the_delivery_again_never_makes_a_second_article(
    settings, portal, approved_post, operator, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), [portal], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    assert delivery_send(delivery_id=delivery.pk) == State.SENT  # a duplicate task: no-op
    # A worker that died after the article's transaction committed, before recording "sent".
    long_ago = timezone.now() - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS + 5)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.SENDING, attempt_started_at=long_ago, url="", platform_post_id=""
    )
    assert deliveries_sweep() == {"due": 0, "stale": 1}

    delivery.refresh_from_db()
    article = Article.objects.get()
    assert (delivery.state, delivery.platform_post_id, delivery.url) == (
        State.SENT,
        str(article.pk),
        article.get_absolute_url(),
    )
    # The connector itself finds its article rather than making another.
    connector = connector_for_delivery(channel=portal, token="", delivery_id=delivery.pk)
    again = connector.publish(PublishRequest(text=publication.post.text))
    assert again.post_id == str(article.pk)
    assert Article.objects.count() == 1 and DeliveryArticle.objects.count() == 1


def test_worker_died_before_the_article_existed_is_retried_and_published_once(
    settings, portal, approved_post, operator
):
    publication = publication_create(actor=operator, post=approved_post(), channels=[portal])
    delivery = publication.deliveries.get()
    long_ago = timezone.now() - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS + 5)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.SENDING, attempt_started_at=long_ago, attempt_count=1
    )

    assert deliveries_sweep() == {"due": 0, "stale": 1}
    delivery.refresh_from_db()
    assert (delivery.state, Article.objects.count()) == (State.WAITING, 0)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    deliveries_sweep()

    delivery.refresh_from_db()
    assert (delivery.state, Article.objects.count()) == (State.SENT, 1)


def test_withdrawal_takes_the_article_off_the_portal(
    client, portal, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), [portal], django_capture_on_commit_callbacks)
    url = publication.deliveries.get().url
    assert client.get(url).status_code == 200  # also stored in the page cache

    with django_capture_on_commit_callbacks(execute=True):  # the cache is invalidated on commit
        results = publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")

    assert [(r.channel, r.ok, r.message) for r in results] == [(portal, True, "Dihapus dari Portal Humas.")]
    article = Article.objects.get()
    assert article.status == Article.Status.UNPUBLISHED
    assert publication.deliveries.get().state == State.WITHDRAWN
    assert client.get(url).status_code == 404
    event = AuditEvent.objects.get(action="article.unpublish")
    assert (event.actor, event.changes["reason"]) == (editor, "Publikasi ditarik dari modul Konten.")
    assert publication_summary(publication=publication) == "Terbit di 0 dari 1 kanal — Portal Humas ditarik"


def test_summary_counts_the_portal_like_any_channel(
    portal, admin, offices, approved_post, operator, django_capture_on_commit_callbacks
):
    from humas.channels.services import ChannelInput, channel_create

    tiktok = channel_create(
        actor=admin, office=offices[JEPARA], data=ChannelInput(platform="tiktok", name="KPU Jepara")
    )
    publication = publish(operator, approved_post(), [portal, tiktok], django_capture_on_commit_callbacks)
    assert publication_summary(publication=publication) == (
        "Terbit di 1 dari 2 kanal — TikTok menunggu diunggah manual"
    )


def test_an_approver_who_left_the_office_fails_the_delivery_with_the_reason(
    portal, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    post = approved_post()
    Membership.objects.filter(user=editor).delete()  # the approver has left since approving

    publication = publish(operator, post, [portal], django_capture_on_commit_callbacks)

    delivery = publication.deliveries.get()
    assert (delivery.state, delivery.error_message) == (
        State.FAILED,
        "Portal Humas menolak permintaan ini: Anda tidak memiliki izin untuk tindakan ini di kantor ini.",
    )
    assert not Article.objects.exists() and not DeliveryArticle.objects.exists()


def test_metrics_are_the_articles_counted_views(
    portal, approved_post, operator, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), [portal], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    ArticleViewTotal.objects.create(article_id=int(delivery.platform_post_id), count=42)

    metrics = PortalConnector(channel=portal).metrics(delivery.platform_post_id)

    assert (metrics.views, metrics.reactions, metrics.unavailable) == (
        42,
        None,
        ("reactions", "comments", "shares", "impressions", "reach", "link_clicks"),
    )


def test_article_input_titles():
    assert article_input_for_post(text="Satu kalimat saja.", link=None).title == "Satu kalimat saja"
    long_line = "kata " * 40
    title = article_input_for_post(text=long_line, link=None).title
    assert len(title) <= 120 and title.endswith("…")
    assert article_input_for_post(text="https://kpu.go.id Info pemilu.", link=None).title == "Info pemilu"


# ------------------------------------------------------------------------------------------
# Through the views


def test_publishing_to_the_portal_from_the_page_with_csrf(
    approved_post, operator, editor, offices, django_capture_on_commit_callbacks
):
    post = approved_post(channels=[portal_channel_ensure(office=offices[JEPARA])])
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    portal = Channel.objects.get(office=offices[JEPARA], platform=Platform.PORTAL)
    assert f'value="{portal.pk}"' in page and "Portal Humas" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    assert client.post(f"{BASE}{post.pk}/publish/", {"channels": [portal.pk]}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}{post.pk}/publish/", {"channels": [portal.pk], "csrfmiddlewaretoken": token}
        )
    assert response.status_code == 302

    article = Article.objects.get()
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Terbit di 1 dari 1 kanal" in page and f'href="{article.get_absolute_url()}"' in page


def test_another_offices_operator_cannot_publish_to_this_portal(
    client, member, offices, approved_post, django_capture_on_commit_callbacks
):
    portal = portal_channel_ensure(office=offices[JEPARA])
    post = approved_post(channels=[portal])
    other = member("11.01", "operator")
    client.force_login(other)

    assert client.post(f"{BASE}{post.pk}/publish/", {"channels": [portal.pk]}).status_code == 403
    foreign = f"/app/{offices['11.01'].slug}/content/{post.pk}/publish/"
    assert client.post(foreign, {"channels": [portal.pk]}).status_code == 404
    # Their own office's portal channel is not offered for a Jepara post either.
    assert portal not in channel_list_for_publishing(office=offices["11.01"])
    assert not Delivery.objects.exists() and not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_connectors_publishing_one_delivery_make_one_article(offices, member):
    """Even past the engine's claim (a reconciler racing a slow worker), the delivery's row lock
    and the one-to-one link leave exactly one article."""
    require_service(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
    from humas.publishing.services import post_approve, post_create, post_submit

    operator, editor = member(JEPARA, "operator"), member(JEPARA, "editor")
    office = offices[JEPARA]
    portal = portal_channel_ensure(office=office)
    # Scheduled later, so that publishing itself sends nothing: only the two racers act.
    post = post_create(
        actor=operator,
        office=office,
        text="Debat kandidat malam ini.",
        scheduled_at=timezone.now() + timedelta(hours=1),
        channels=[portal],
    )
    post_submit(actor=operator, post=post)
    post = post_approve(actor=editor, post=post)
    publication = publication_create(actor=operator, post=post, channels=[portal])
    delivery = publication.deliveries.get()
    barrier, results = threading.Barrier(2), []

    def worker() -> None:
        connector = PortalConnector(channel=portal, delivery_id=delivery.pk)
        barrier.wait()
        try:
            results.append(connector.publish(PublishRequest(text=post.text)).post_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    article = Article.objects.get(office=office)
    assert results == [str(article.pk), str(article.pk)]
    assert Delivery.objects.get(pk=delivery.pk).state == State.QUEUED  # the engine did not act
    assert DeliveryArticle.objects.filter(delivery=delivery).count() == 1


def test_the_portal_channel_is_not_registered_by_hand():
    from humas.channels.forms import OfficialAccountForm

    form = OfficialAccountForm(
        data={"platform": "portal", "name": "Portal", "url": "https://jepara.kpu.go.id"}
    )
    assert not form.is_valid() and "platform" in form.errors
    assert "portal" not in [value for value, _label in form.fields["platform"].choices]
