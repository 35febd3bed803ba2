"""Assisted channels (WhatsApp Channel, TikTok, YouTube): a person posts, Humas tracks it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from humas.audit.models import AuditEvent
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.offices.policy import PolicyDenied
from humas.publishing.assisted import (
    assisted_url_check,
    delivery_mark_deleted,
    delivery_mark_published,
    delivery_unmark_published,
)
from humas.publishing.delivery import (
    deliveries_sweep,
    delivery_send,
    publication_create,
    publication_withdraw,
)
from humas.publishing.models import Delivery, PostImage, PostVariant
from humas.publishing.selectors import publication_summary
from humas.publishing.services import PublishingError

from .conftest import JEPARA

pytestmark = pytest.mark.django_db
State = Delivery.State
BASE = "/app/kab-jepara/content/"
TIKTOK_URL = "https://www.tiktok.com/@kpujepara/video/7301234567890123456"


@pytest.fixture
def assisted(admin, offices):
    """assisted("tiktok", handle="kpujepara") -> an assisted channel of KPU Jepara."""

    def make(platform: str, handle: str = "", url: str = "") -> Channel:
        return channel_create(
            actor=admin,
            office=offices[JEPARA],
            data=ChannelInput(platform=platform, name=f"KPU Jepara {platform}", handle=handle, url=url),
        )

    return make


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def test_assisted_delivery_waits_for_a_person_and_the_engine_never_touches_it(
    fakes, connected, assisted, approved_post, operator, django_capture_on_commit_callbacks
):
    tiktok, telegram = assisted("tiktok", handle="kpujepara"), connected("telegram")
    publication = publish(operator, approved_post(), [telegram, tiktok], django_capture_on_commit_callbacks)

    manual = publication.deliveries.get(channel=tiktok)
    assert (manual.state, manual.next_attempt_at, manual.attempt_count) == (State.MANUAL, None, 0)
    assert publication.deliveries.get(channel__platform="telegram").state == State.SENT
    assert publication_summary(publication=publication) == (
        "Terbit di 1 dari 2 kanal — TikTok menunggu diunggah manual"
    )
    # Neither the sweeper nor a stray task acts on it.
    assert deliveries_sweep() == {"due": 0, "stale": 0}
    assert delivery_send(delivery_id=manual.pk) == State.MANUAL
    manual.refresh_from_db()
    assert (manual.state, manual.attempt_count) == (State.MANUAL, 0)


def test_marking_published_records_the_url_who_and_when(
    assisted, approved_post, operator, django_capture_on_commit_callbacks
):
    tiktok = assisted("tiktok", handle="kpujepara")
    publication = publish(operator, approved_post(), [tiktok], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    marked = delivery_mark_published(actor=operator, delivery=delivery, url=f"  {TIKTOK_URL}?lang=id  ")

    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert delivery.url == f"{TIKTOK_URL}?lang=id"
    assert delivery.platform_post_id == "7301234567890123456"
    assert delivery.marked_by == operator and delivery.sent_at == marked.sent_at
    event = AuditEvent.objects.get(action="delivery.mark_published")
    assert (event.actor, event.object_id, event.changes["url"]) == (operator, str(delivery.pk), delivery.url)
    assert publication_summary(publication=publication) == "Terbit di 1 dari 1 kanal"
    with pytest.raises(PublishingError, match="tidak menunggu diunggah manual"):
        delivery_mark_published(actor=operator, delivery=delivery, url=TIKTOK_URL)


@pytest.mark.parametrize(
    ("platform", "url", "expected"),
    [
        (
            "whatsapp",
            "https://whatsapp.com/channel/0029VaSAl4P3bbV1wnRH1L2l/123",
            ("https://whatsapp.com/channel/0029VaSAl4P3bbV1wnRH1L2l/123", "0029VaSAl4P3bbV1wnRH1L2l/123"),
        ),
        (
            "whatsapp",
            "http://www.whatsapp.com/channel/0029VaSAl4P3bbV1wnRH1L2l",
            ("https://www.whatsapp.com/channel/0029VaSAl4P3bbV1wnRH1L2l", "0029VaSAl4P3bbV1wnRH1L2l"),
        ),
        ("tiktok", TIKTOK_URL, (TIKTOK_URL, "7301234567890123456")),
        (
            "tiktok",
            "https://m.tiktok.com/@KPUJepara/photo/7301234567890123456#top",
            ("https://m.tiktok.com/@KPUJepara/photo/7301234567890123456", "7301234567890123456"),
        ),
        (
            "youtube",
            "https://www.youtube.com/post/UgkxAbCdEf123456",
            ("https://www.youtube.com/post/UgkxAbCdEf123456", "UgkxAbCdEf123456"),
        ),
        (
            "youtube",
            "https://youtu.be/dQw4w9WgXcQ",
            ("https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ),
        (
            "youtube",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10",
            ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", "dQw4w9WgXcQ"),
        ),
        (
            "youtube",
            "https://www.youtube.com/@kpujepara/community?lb=UgkxAbCdEf123456",
            ("https://www.youtube.com/@kpujepara/community?lb=UgkxAbCdEf123456", "UgkxAbCdEf123456"),
        ),
        (
            "youtube",
            "https://m.youtube.com/shorts/AbCdEfGhIjK",
            ("https://m.youtube.com/shorts/AbCdEfGhIjK", "AbCdEfGhIjK"),
        ),
    ],
)
def test_public_urls_on_the_platforms_domain_are_accepted(assisted, platform, url, expected):
    channel = assisted(platform, handle="kpujepara" if platform == "tiktok" else "")
    assert assisted_url_check(channel=channel, url=url) == expected


@pytest.mark.parametrize(
    ("platform", "url", "message"),
    [
        ("tiktok", "", "Masukkan tautan publik unggahan di TikTok."),
        (
            "tiktok",
            "ftp://www.tiktok.com/@kpujepara/video/7301234567890123456",
            "Tautan harus diawali https://.",
        ),
        ("tiktok", "www.tiktok.com/@kpujepara/video/7301234567890123456", "Tautan harus diawali https://."),
        (
            "tiktok",
            "https://www.tiktok.com.evil.example/@kpujepara/video/7301234567890123456",
            "Tautan itu bukan alamat TikTok: gunakan tautan di tiktok.com, misalnya "
            "https://www.tiktok.com/@akun/video/7300000000000000000.",
        ),
        (
            "tiktok",
            "https://www.tiktok.com@evil.example/@kpujepara/video/7301234567890123456",
            "Tautan itu bukan alamat TikTok: gunakan tautan di tiktok.com, misalnya "
            "https://www.tiktok.com/@akun/video/7300000000000000000.",
        ),
        (
            "tiktok",
            "https://www.tiktok.com/@kpujepara",
            "Tautan TikTok harus menunjuk ke satu video atau foto: "
            "https://www.tiktok.com/@akun/video/7300000000000000000.",
        ),
        (
            "tiktok",
            "https://www.tiktok.com/@orang.lain/video/7301234567890123456",
            "Tautan itu unggahan akun @orang.lain, bukan akun kanal ini (@kpujepara).",
        ),
        ("tiktok", "https://www.tiktok.com/@kpujepara/video/1 2", "Tautan tidak boleh mengandung spasi."),
        ("tiktok", "https://www.tiktok.com:99999/", "Tautan itu tidak dapat dibaca."),
        ("tiktok", "https://www.tiktok.com/" + "a" * 500, "Tautan terlalu panjang (batas 500 karakter)."),
        (
            "whatsapp",
            "https://chat.whatsapp.com/AbCdEfGhIjKlMn",
            "Tautan itu bukan alamat Saluran WhatsApp: gunakan tautan di whatsapp.com, misalnya "
            "https://whatsapp.com/channel/0029Va…/123.",
        ),
        (
            "whatsapp",
            "https://whatsapp.com/catalog/123",
            "Tautan Saluran WhatsApp harus berbentuk https://whatsapp.com/channel/0029Va…/123 "
            "(tautan saluran atau pesannya).",
        ),
        (
            "youtube",
            "https://www.youtube.com/@kpujepara",
            "Tautan YouTube harus menunjuk ke satu unggahan, misalnya https://www.youtube.com/post/…, "
            "…/shorts/…, …/watch?v=… atau https://youtu.be/…, bukan halaman kanal.",
        ),
        (
            "youtube",
            "https://www.tiktok.com/@kpujepara/video/7301234567890123456",
            "Tautan itu bukan alamat YouTube: gunakan tautan di youtu.be, youtube.com, misalnya "
            "https://www.youtube.com/post/Ugkx….",
        ),
    ],
)
def test_bad_urls_are_refused_with_a_precise_message(assisted, platform, url, message):
    channel = assisted(platform, handle="kpujepara" if platform == "tiktok" else "")
    with pytest.raises(PublishingError) as caught:
        assisted_url_check(channel=channel, url=url)
    assert str(caught.value) == message


def test_an_editor_undoes_a_wrong_url_an_operator_cannot(
    assisted, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    youtube = assisted("youtube")
    publication = publish(operator, approved_post(), [youtube], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    delivery_mark_published(actor=operator, delivery=delivery, url="https://youtu.be/wrongVideo1")

    with pytest.raises(PolicyDenied):
        delivery_unmark_published(actor=operator, delivery=delivery)
    delivery_unmark_published(actor=editor, delivery=delivery)

    delivery.refresh_from_db()
    assert (
        delivery.state,
        delivery.url,
        delivery.platform_post_id,
        delivery.sent_at,
        delivery.marked_by,
    ) == (
        State.MANUAL,
        "",
        "",
        None,
        None,
    )
    event = AuditEvent.objects.get(action="delivery.unmark_published")
    assert (event.actor, event.changes) == (
        editor,
        {"url": "https://youtu.be/wrongVideo1", "marked_by": operator.pk},
    )
    with pytest.raises(PublishingError, match="tidak dapat dibatalkan"):
        delivery_unmark_published(actor=editor, delivery=delivery)


def test_withdrawal_asks_to_delete_by_hand_with_the_url_and_cancels_what_was_not_posted(
    fakes, connected, assisted, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    tiktok, whatsapp, x = assisted("tiktok", handle="kpujepara"), assisted("whatsapp"), connected("x")
    publication = publish(
        operator, approved_post(), [x, tiktok, whatsapp], django_capture_on_commit_callbacks
    )
    sent = publication.deliveries.get(channel=tiktok)
    delivery_mark_published(actor=operator, delivery=sent, url=TIKTOK_URL)

    results = {
        r.channel.platform: (r.ok, r.message)
        for r in publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")
    }

    assert results == {
        "x": (True, "Dihapus dari X."),
        "tiktok": (False, f"TikTok tidak dapat dihapus oleh Humas; hapus manual: {TIKTOK_URL}"),
        "whatsapp": (True, "Belum terkirim; dibatalkan."),
    }
    publication.refresh_from_db()
    withdrawn = publication_summary(publication=publication)
    # Said plainly: withdrawn, by whom and why; and what is still out there for a person to delete.
    assert withdrawn.startswith("Ditarik pada ")
    assert withdrawn.endswith(f" oleh {editor.get_full_name()}: Salah tanggal — TikTok perlu dihapus manual")
    whatsapp_delivery = publication.deliveries.get(channel=whatsapp)
    assert whatsapp_delivery.state == State.CANCELLED
    with pytest.raises(PublishingError):  # a cancelled delivery cannot be marked any more
        delivery_mark_published(
            actor=operator,
            delivery=whatsapp_delivery,
            url="https://whatsapp.com/channel/0029VaSAl4P3bbV1wnRH1L2l",
        )
    with pytest.raises(PublishingError):  # a withdrawn one cannot be un-marked
        delivery_unmark_published(actor=editor, delivery=sent)

    delivery_mark_deleted(actor=operator, delivery=sent)
    sent.refresh_from_db()
    assert sent.state == State.WITHDRAWN
    assert publication_summary(publication=publication) == withdrawn.split(" — ")[0]
    assert AuditEvent.objects.filter(action="delivery.mark_deleted", object_id=str(sent.pk)).count() == 1


# ------------------------------------------------------------------------------------------
# Through the views


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_full_flow_through_the_pages_with_csrf(
    assisted, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    tiktok = assisted("tiktok", handle="kpujepara")
    post = approved_post("Debat kandidat malam ini pukul 19.00 WIB.", link="https://kpu.go.id/debat")
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f'value="{tiktok.pk}"' in page  # assisted channels are offered for publishing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}{post.pk}/publish/", {"channels": [tiktok.pk], "csrfmiddlewaretoken": _csrf(page)}
        )
    assert response.status_code == 302
    delivery = Delivery.objects.get(channel=tiktok)
    assert delivery.state == State.MANUAL

    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "TikTok menunggu diunggah manual" in page
    textarea = re.search(
        rf'<textarea id="assisted-{delivery.pk}-text" rows="6" readonly>(.*?)</textarea>', page, re.S
    )
    assert textarea is not None
    assert textarea.group(1) == "Debat kandidat malam ini pukul 19.00 WIB.\n\nhttps://kpu.go.id/debat"
    assert "Salin teks" in page and 'href="https://www.tiktok.com/upload"' in page
    mark = f"{BASE}{post.pk}/deliveries/{delivery.pk}/mark/"
    assert f'action="{mark}"' in page

    # No CSRF token: refused, nothing changes.
    assert client.post(mark, {"url": TIKTOK_URL}).status_code == 403
    # A URL of another site: the same panel again, with the precise error and the URL kept.
    bad = "https://vt.tokopedia.example/@kpujepara/video/1"
    response = client.post(mark, {"url": bad, "csrfmiddlewaretoken": _csrf(page)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tautan itu bukan alamat TikTok" in body and f'value="{bad}"' in body
    delivery.refresh_from_db()
    assert delivery.state == State.MANUAL

    response = client.post(mark, {"url": TIKTOK_URL, "csrfmiddlewaretoken": _csrf(page)})
    assert response.status_code == 302 and response["Location"] == f"{BASE}{post.pk}/"
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Terbit di 1 dari 1 kanal" in page and f'href="{TIKTOK_URL}"' in page
    assert f'id="assisted-{delivery.pk}"' not in page  # nothing left to post by hand

    unmark = f"{BASE}{post.pk}/deliveries/{delivery.pk}/unmark/"
    assert f'action="{unmark}"' not in page  # only approvers may undo
    assert client.post(unmark, {"csrfmiddlewaretoken": _csrf(page)}).status_code == 403
    client.force_login(editor)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f'action="{unmark}"' in page
    response = client.post(unmark, {"csrfmiddlewaretoken": _csrf(page)})
    assert response["Location"] == f"{BASE}{post.pk}/#assisted-{delivery.pk}"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.url) == (State.MANUAL, "")


def test_other_offices_and_viewers_cannot_mark(
    client, member, offices, assisted, approved_post, operator, django_capture_on_commit_callbacks
):
    tiktok = assisted("tiktok")
    post = approved_post()
    publication = publish(operator, post, [tiktok], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    mark = f"{BASE}{post.pk}/deliveries/{delivery.pk}/mark/"

    client.force_login(member("11.01", "operator"))  # an operator of another regency (Aceh)
    assert client.post(mark, {"url": TIKTOK_URL}).status_code == 403
    # Through their own office's address the delivery does not exist.
    foreign = f"/app/{offices['11.01'].slug}/content/{post.pk}/deliveries/{delivery.pk}/mark/"
    assert client.post(foreign, {"url": TIKTOK_URL}).status_code == 404
    client.force_login(member(JEPARA, "viewer"))
    assert client.post(mark, {"url": TIKTOK_URL}).status_code == 403
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Salin teks" in page and f'action="{mark}"' not in page  # viewers read, do not mark
    delivery.refresh_from_db()
    assert delivery.state == State.MANUAL


def test_post_images_are_offered_for_download_to_the_offices_people_only(
    client,
    settings,
    tmp_path,
    member,
    offices,
    assisted,
    approved_post,
    operator,
    django_capture_on_commit_callbacks,
):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = str(tmp_path)
    whatsapp = assisted("whatsapp")
    post = approved_post()
    data = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    image = PostImage(
        post=post,
        position=0,
        key="a" * 32,
        alt_text="Poster debat",
        width=800,
        height=600,
        mime="image/png",
        bytes=72,
    )
    image.file.save("posts/poster.png", ContentFile(data), save=False)
    image.save()
    publish(operator, post, [whatsapp], django_capture_on_commit_callbacks)
    download = f"{BASE}{post.pk}/image-files/{image.pk}/"

    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f'<a href="{download}" download>Poster debat</a>' in page
    response = client.get(download)
    assert response.status_code == 200
    assert response.content == data and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="unggahan-{post.pk}-1.png"'
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(member("11.01", "operator"))
    assert client.get(download).status_code == 403
    assert (
        client.get(f"/app/{offices['11.01'].slug}/content/{post.pk}/image-files/{image.pk}/").status_code
        == 404
    )
    client.logout()
    assert client.get(download).status_code == 302  # to the sign-in page


def test_the_panel_offers_each_platforms_own_variant_text(
    client, assisted, approved_post, operator, django_capture_on_commit_callbacks
):
    tiktok, whatsapp = assisted("tiktok"), assisted("whatsapp")
    post = approved_post("Teks utama untuk semua kanal.", link="https://kpu.go.id/info")
    PostVariant.objects.create(post=post, platform="tiktok", text="Versi pendek TikTok #PemiluDamai")
    publication = publish(operator, post, [tiktok, whatsapp], django_capture_on_commit_callbacks)
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()

    texts = dict(
        re.findall(r'<textarea id="assisted-(\d+)-text" rows="6" readonly>(.*?)</textarea>', page, re.S)
    )
    assert texts == {
        str(
            publication.deliveries.get(channel=tiktok).pk
        ): "Versi pendek TikTok #PemiluDamai\n\nhttps://kpu.go.id/info",
        str(
            publication.deliveries.get(channel=whatsapp).pk
        ): "Teks utama untuk semua kanal.\n\nhttps://kpu.go.id/info",
    }
    assert 'href="https://web.whatsapp.com/"' in page and 'href="https://www.tiktok.com/upload"' in page


def test_a_scheduled_post_says_when_to_post_by_hand(client, assisted, approved_post, operator):
    youtube = assisted("youtube")
    post = approved_post(scheduled_at=datetime(2031, 3, 14, 2, 0, tzinfo=UTC))
    publication_create(actor=operator, post=post, channels=[youtube])
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Jadwal terbit: 14 Mar 2031 09:00 WIB. Unggah pada waktu itu." in page
    assert Delivery.objects.get().state == State.MANUAL
