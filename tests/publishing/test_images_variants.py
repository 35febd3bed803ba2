"""Images on posts and per-platform texts, end to end against the strict fakes over HTTP."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from humas.audit.models import AuditEvent
from humas.channels.connectors import content_marker
from humas.channels.models import Channel
from humas.publishing.delivery import publication_create, publication_withdraw
from humas.publishing.images import (
    RENDITION_KINDS,
    ImageRejected,
    NewImage,
    image_rendition,
    instagram_padding,
    post_image_prepare,
    post_image_renditions,
    post_images_change,
)
from humas.publishing.models import Delivery, Post, PostImage, PostVariant
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import (
    PublishingError,
    post_approve,
    post_create,
    post_submit,
    post_text_for,
)
from humas.publishing.storage import post_image_storage
from humas.publishing.variants import post_channel_problems, post_variants_set
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

pytestmark = pytest.mark.django_db
BASE = "/app/kab-jepara/content/"
PUBLIC_BASE = "https://humas.kpu-jepara.test"
State = Delivery.State


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.HUMAS_PUBLIC_BASE_URL = PUBLIC_BASE


def encode(size: tuple[int, int], fmt: str = "JPEG", color=(200, 30, 30), **params) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt, **params)
    return buf.getvalue()


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width: int, height: int) -> bytes:
    """A few kilobytes of PNG whose header claims ``width`` × ``height`` pixels (a bomb)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * (1 << 20), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def add_images(actor, post, *sizes: tuple[int, int], fmt: str = "JPEG") -> list[PostImage]:
    items = [
        NewImage(post_image_prepare(file=upload(encode(size, fmt))), f"Poster {i}")
        for i, size in enumerate(sizes, start=1)
    ]
    post_images_change(actor=actor, post=post, add=items)
    return list(post.images.all())


@pytest.fixture
def draft(operator, offices):
    """draft("teks", channels=[...]) -> the operator's draft for ``channels`` (by default every
    active channel KPU Jepara has at that moment)."""

    def make(text: str = "Pendaftaran pemantau pemilu dibuka hari ini.", channels=None, **fields) -> Post:
        office = offices["33.20"]
        if channels is None:
            channels = list(Channel.objects.filter(office=office, is_active=True))
        return post_create(actor=operator, office=office, text=text, channels=channels, **fields)

    return make


def approve(operator, editor, post: Post) -> Post:
    post_submit(actor=operator, post=post)
    return post_approve(actor=editor, post=post)


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def jpeg_size(data: bytes) -> tuple[str, tuple[int, int]]:
    with Image.open(io.BytesIO(data)) as img:
        return str(img.format), img.size


# --------------------------------------------------------------------------------------------
# Delivery with images and variants


def test_instagram_post_with_an_image_reaches_the_fake_with_the_public_url(
    client, fakes, connected, draft, operator, editor, django_capture_on_commit_callbacks
):
    channel = connected("instagram")
    post = draft()
    [image] = add_images(operator, post, (1200, 900))
    post = approve(operator, editor, post)

    publication = publish(operator, post, [channel], django_capture_on_commit_callbacks)

    assert publication.deliveries.get().state == State.SENT
    [sent] = fakes.hub.posts("instagram")
    url = f"{PUBLIC_BASE}/app/media/posts/{image.key}/instagram.jpg"
    assert sent["images"] == [url]
    assert sent["text"] == "Pendaftaran pemantau pemilu dibuka hari ini."
    # What Instagram fetches from that URL: a JPEG, answered to anyone while published.
    response = client.get(url.removeprefix(PUBLIC_BASE))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert jpeg_size(b"".join(response.streaming_content) if response.streaming else response.content) == (
        "JPEG",
        (1200, 900),
    )


def test_instagram_carousel_gets_one_url_per_image_in_order(
    fakes, connected, draft, operator, editor, django_capture_on_commit_callbacks
):
    channel = connected("instagram")
    post = draft()
    images = add_images(operator, post, (800, 800), (900, 600), (600, 700))
    post_images_change(actor=operator, post=post, order=[images[2].pk, images[0].pk, images[1].pk])
    post = approve(operator, editor, post)

    publish(operator, post, [channel], django_capture_on_commit_callbacks)

    [sent] = fakes.hub.posts("instagram")
    keys = [images[2].key, images[0].key, images[1].key]
    assert sent["images"] == [f"{PUBLIC_BASE}/app/media/posts/{k}/instagram.jpg" for k in keys]


def test_x_with_two_images_uploads_their_bytes(
    fakes, connected, draft, operator, editor, django_capture_on_commit_callbacks
):
    channel = connected("x")
    post = draft()
    add_images(operator, post, (640, 480), (480, 640), fmt="PNG")
    post = approve(operator, editor, post)

    publication = publish(operator, post, [channel], django_capture_on_commit_callbacks)

    assert publication.deliveries.get().state == State.SENT
    [sent] = fakes.hub.posts("x")
    assert len(sent["images"]) == 2 and all(ref.startswith("media:") for ref in sent["images"])
    assert len(fakes.hub.x.media) == 2  # two uploads to POST /2/media/upload


def test_telegram_and_facebook_get_the_image_bytes(
    fakes, connected, draft, operator, editor, django_capture_on_commit_callbacks
):
    channels = [connected("telegram"), connected("facebook")]
    post = draft()
    add_images(operator, post, (640, 480))
    post = approve(operator, editor, post)

    publication = publish(operator, post, channels, django_capture_on_commit_callbacks)

    assert {d.state for d in publication.deliveries.all()} == {State.SENT}
    [telegram] = fakes.hub.posts("telegram")
    assert len(telegram["images"]) == 1 and telegram["images"][0].startswith("upload:gambar-1.jpg:")
    [facebook] = fakes.hub.posts("facebook")
    assert facebook["text"] == "Pendaftaran pemantau pemilu dibuka hari ini."


def test_each_platform_gets_its_variant_text_and_the_others_the_main_text(
    fakes, connected, draft, operator, editor, django_capture_on_commit_callbacks
):
    channels = [connected(p) for p in ("facebook", "x", "telegram")]
    post = draft("Teks utama untuk semua kanal.", link="https://kab-jepara.kpu.go.id/berita/1")
    post_variants_set(
        actor=operator,
        post=post,
        texts={"x": "Versi singkat untuk X #Pemilu2029", "telegram": "Versi Telegram yang lebih panjang."},
    )
    post = approve(operator, editor, post)

    publication = publish(operator, post, channels, django_capture_on_commit_callbacks)

    assert {d.state for d in publication.deliveries.all()} == {State.SENT}
    link = "https://kab-jepara.kpu.go.id/berita/1"
    assert fakes.hub.posts("x")[0]["text"] == f"Versi singkat untuk X #Pemilu2029\n\n{link}"
    assert fakes.hub.posts("telegram")[0]["text"] == f"Versi Telegram yang lebih panjang.\n\n{link}"
    assert fakes.hub.posts("facebook")[0]["text"] == "Teks utama untuk semua kanal."
    markers = {d.channel.platform: d.marker for d in publication.deliveries.select_related("channel")}
    assert markers == {
        "x": content_marker("Versi singkat untuk X #Pemilu2029"),
        "telegram": content_marker("Versi Telegram yang lebih panjang."),
        "facebook": content_marker("Teks utama untuk semua kanal."),
    }
    assert post_text_for(post=post, platform="x") == f"Versi singkat untuk X #Pemilu2029\n\n{link}"
    assert post_text_for(post=post, platform="whatsapp") == f"Teks utama untuk semua kanal.\n\n{link}"


# --------------------------------------------------------------------------------------------
# Caught before sending, the limit named


def test_variant_over_the_x_limit_is_refused_naming_the_limit(draft, operator):
    post = draft()
    with pytest.raises(PublishingError) as refused:
        post_variants_set(actor=operator, post=post, texts={"x": "a" * 281})
    assert str(refused.value) == "Teks terlalu panjang untuk X: 281 dari batas 280 karakter berbobot."
    assert PostVariant.objects.count() == 0


def test_variant_limits_count_like_the_platform(draft, operator):
    post = draft(link="https://kab-jepara.kpu.go.id/berita/1")
    # 256 + "\n\n" + a URL counted as 23 = 281 weighted.
    with pytest.raises(PublishingError, match="281 dari batas 280"):
        post_variants_set(actor=operator, post=post, texts={"x": "a" * 256})
    # An emoji weighs 2.
    with pytest.raises(PublishingError, match="282 dari batas 280"):
        post_variants_set(actor=operator, post=draft(), texts={"x": "🗳" * 141})
    with pytest.raises(PublishingError) as hashtags:
        post_variants_set(
            actor=operator, post=post, texts={"instagram": " ".join(f"#t{i}" for i in range(31))}
        )
    assert str(hashtags.value) == "Terlalu banyak tagar untuk Instagram: 31 dari batas 30."
    assert post_variants_set(actor=operator, post=post, texts={"x": "a" * 255}) is True


def test_telegram_caption_limit_applies_once_the_post_has_an_image(draft, operator):
    post = draft()
    assert post_variants_set(actor=operator, post=post, texts={"telegram": "t" * 1500}) is True
    add_images(operator, post, (640, 480))
    assert post_channel_problems(post=post, platforms=["telegram"]) == [
        "Teks terlalu panjang untuk Telegram: 1500 dari batas 1024 karakter."
    ]
    with pytest.raises(PublishingError, match="1501 dari batas 1024"):
        post_variants_set(actor=operator, post=post, texts={"telegram": "t" * 1500 + "!"})


def test_publication_refuses_a_channel_whose_content_is_over_its_limit_and_creates_nothing(
    fakes, connected, draft, operator, editor
):
    channels = [connected("facebook"), connected("x")]
    post = approve(operator, editor, draft("k" * 300))

    with pytest.raises(PublishingError) as refused:
        publication_create(actor=operator, post=post, channels=channels)

    assert str(refused.value) == "Teks terlalu panjang untuk X: 300 dari batas 280 karakter berbobot."
    assert Delivery.objects.count() == 0
    assert fakes.hub.posts("facebook") == []


def test_instagram_without_an_image_is_refused_before_sending(fakes, connected, draft, operator, editor):
    instagram = connected("instagram")
    post = approve(operator, editor, draft())
    with pytest.raises(PublishingError) as refused:
        publication_create(actor=operator, post=post, channels=[instagram])
    assert str(refused.value) == "Instagram memerlukan minimal satu gambar dengan URL publik."


def test_instagram_is_refused_when_no_public_base_url_is_set(
    fakes, connected, draft, operator, editor, settings
):
    settings.HUMAS_PUBLIC_BASE_URL = ""
    instagram = connected("instagram")
    post = draft()
    add_images(operator, post, (800, 800))
    post = approve(operator, editor, post)
    with pytest.raises(PublishingError, match="HUMAS_PUBLIC_BASE_URL"):
        publication_create(actor=operator, post=post, channels=[instagram])
    assert Delivery.objects.count() == 0


def test_x_refuses_a_fifth_image_naming_its_limit(fakes, connected, draft, operator, editor):
    x = connected("x")
    post = draft()
    add_images(operator, post, *[(300, 300)] * 5)
    assert post_channel_problems(post=post, platforms=["x"]) == [
        "Terlalu banyak gambar untuk X: 5 dari batas 4."
    ]
    post = approve(operator, editor, post)
    with pytest.raises(PublishingError) as refused:
        publication_create(actor=operator, post=post, channels=[x])
    assert str(refused.value) == "Terlalu banyak gambar untuk X: 5 dari batas 4."


def test_telegram_refuses_an_image_longer_than_20_to_1(fakes, connected, draft, operator, editor):
    telegram = connected("telegram")
    post = draft()
    add_images(operator, post, (4300, 200))
    post = approve(operator, editor, post)
    with pytest.raises(PublishingError) as refused:
        publication_create(actor=operator, post=post, channels=[telegram])
    assert str(refused.value) == (
        "Gambar 1 terlalu memanjang untuk Telegram (4300 × 200 piksel); "
        "sisi panjang paling banyak 20 kali sisi pendek."
    )


# --------------------------------------------------------------------------------------------
# Renditions


@pytest.mark.parametrize(
    ("size", "canvas"),
    [
        ((3000, 1000), (1440, 754)),  # 3:1 → padded top and bottom to 1.91:1, at most 1440 wide
        ((600, 1800), (1440, 1800)),  # 1:3 → padded left and right to 4:5
        ((1000, 4000), (1440, 1800)),  # padded to 4:5, then scaled to Instagram's 1440 width
        ((1000, 800), (1000, 800)),  # inside 4:5…1.91:1: unchanged
    ],
    ids=["wide", "tall", "very-tall", "inside"],
)
def test_instagram_rendition_is_a_padded_jpeg_within_its_aspect_ratios(draft, operator, size, canvas):
    post = draft()
    [image] = add_images(operator, post, size, fmt="PNG")

    data, mime = image_rendition(image=image, kind="instagram")

    assert mime == "image/jpeg"
    assert jpeg_size(data) == ("JPEG", canvas)
    assert 4 / 5 <= canvas[0] / canvas[1] <= 1.91
    with Image.open(io.BytesIO(data)) as img:
        corner = img.convert("RGB").getpixel((0, 0))
        centre = img.convert("RGB").getpixel((canvas[0] // 2, canvas[1] // 2))
    padded = canvas[0] / canvas[1] != size[0] / size[1]
    assert (corner == (255, 255, 255)) is padded  # white bars, the picture itself is not cropped
    assert centre[0] > 180 and centre[1] < 80


def test_renditions_are_made_in_the_worker_after_upload_and_kept(
    draft, operator, django_capture_on_commit_callbacks
):
    post = draft()
    with django_capture_on_commit_callbacks(execute=True):
        [image] = add_images(operator, post, (3000, 1000))  # the queue runs immediately in tests
    storage = post_image_storage()
    made = {kind: storage.exists(f"renditions/{image.key}/{kind}.jpg") for kind in RENDITION_KINDS}
    # The original fits X, Facebook and Telegram as it is: they get it, no copy is made.
    assert made == {"thumb": True, "instagram": True, "x": False, "facebook": False, "telegram": False}
    assert post_image_renditions(image_id=image.pk) == list(RENDITION_KINDS)  # again: harmless
    assert sorted(storage.listdir(f"renditions/{image.key}")[1]) == ["instagram.jpg", "thumb.jpg"]
    assert post_image_renditions(image_id=999_999) == []


def test_instagram_padding_bounds():
    assert instagram_padding(1910, 1000) == (1910, 1000)
    assert instagram_padding(1911, 1000) == (1911, 1001)
    assert instagram_padding(800, 1000) == (800, 1000)
    assert instagram_padding(799, 1000) == (800, 1000)


def test_page_says_which_images_instagram_gets_padded(client, draft, operator):
    post = draft()
    add_images(operator, post, (3000, 1000), (800, 800))
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert (
        "Instagram: gambar 1 (3000 × 1000) di luar rasio 4:5 sampai 1,91:1 yang diterima Instagram; "
        "Humas menambahkan bingkai putih (tidak memotong gambar)."
    ) in page
    assert "gambar 2" not in page
    first = post.images.first()
    preview = client.get(f"{BASE}{post.pk}/images/{first.pk}/instagram/")
    assert preview.status_code == 200 and jpeg_size(preview.content) == ("JPEG", (1440, 754))
    assert f'href="{BASE}{post.pk}/images/{first.pk}/instagram/"' in page


def test_x_gets_a_jpeg_rendition_when_the_original_is_over_its_5_mb(draft, operator):
    post = draft()
    noise = Image.frombytes("RGB", (2000, 1500), random.Random(1).randbytes(2000 * 1500 * 3))
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    [image] = post.images.all() or [None]
    post_images_change(
        actor=operator,
        post=post,
        add=[NewImage(post_image_prepare(file=upload(buf.getvalue(), "n.png")), "Derau")],
    )
    [image] = post.images.all()
    assert image.mime == "image/png" and image.bytes > 5 * 1024 * 1024

    data, mime = image_rendition(image=image, kind="x")

    assert mime == "image/jpeg" and len(data) <= 5 * 1024 * 1024
    original, original_mime = image_rendition(image=image, kind="facebook")
    assert original_mime == "image/png" and len(original) == image.bytes  # within Facebook's 10 MB


# --------------------------------------------------------------------------------------------
# Uploads through the editor


def test_editor_uploads_several_images_with_alt_text_and_shows_counters(client, operator):
    client.force_login(operator)
    page = client.get(f"{BASE}new/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "0 / 280 karakter berbobot" in page

    response = client.post(
        f"{BASE}new/",
        {
            "text": "Debat publik calon bupati malam ini.",
            "link": "",
            "images": [
                upload(encode((800, 600)), "a.jpg"),
                upload(encode((600, 800), "PNG"), "b.png", "image/png"),
            ],
            "new_alt": "Panggung debat\nPara calon bupati",
            "variant_x": "Debat malam ini #DebatJepara",
        },
    )

    post = Post.objects.get()
    assert response.status_code == 302
    assert [(i.alt_text, i.width, i.height, i.mime) for i in post.images.all()] == [
        ("Panggung debat", 800, 600, "image/jpeg"),
        ("Para calon bupati", 600, 800, "image/png"),
    ]
    assert {v.platform: v.text for v in post.variants.all()} == {"x": "Debat malam ini #DebatJepara"}
    page = client.get(f"{BASE}{post.pk}/edit/").content.decode()
    assert "Debat malam ini #DebatJepara" in page
    assert "28 / 280 karakter berbobot" in page


def test_editor_reorders_renames_and_removes_images(
    client, draft, operator, django_capture_on_commit_callbacks
):
    post = draft()
    first, second, third = add_images(operator, post, (300, 300), (400, 300), (300, 400))
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}{post.pk}/edit/",
            {
                "text": post.text,
                f"alt_{first.pk}": "Pertama",
                f"order_{first.pk}": "3",
                f"alt_{second.pk}": "Kedua",
                f"order_{second.pk}": "1",
                f"remove_{second.pk}": "on",
                f"alt_{third.pk}": "Ketiga, diganti",
                f"order_{third.pk}": "2",
            },
        )
    assert response.status_code == 302
    assert [(i.pk, i.alt_text, i.position) for i in post.images.all()] == [
        (third.pk, "Ketiga, diganti", 0),
        (first.pk, "Pertama", 1),
    ]
    assert not post_image_storage().exists(second.file.name)


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (
            lambda: b"bukan gambar sama sekali",
            "surat.jpg",
            "Berkas ini bukan gambar yang dapat dibaca. Unggah gambar JPEG, PNG, WebP, atau GIF.",
        ),
        (
            lambda: png_declaring(1_000_000, 1_000_000),
            "bom.png",
            "Resolusi gambar terlalu besar. Paling banyak 40 megapiksel.",
        ),
        (
            lambda: encode((400, 400)) + b"\0" * (10 * 1024 * 1024),
            "besar.jpg",
            "Berkas gambar terlalu besar. Ukuran paling besar 10 MB.",
        ),
    ],
    ids=["non-image", "bomb", "too-large"],
)
def test_editor_refuses_a_bad_upload_with_its_message_and_saves_nothing(
    client, operator, make, name, message
):
    client.force_login(operator)
    response = client.post(
        f"{BASE}new/", {"text": "Teks", "images": [upload(make(), name)], "new_alt": "Gambar"}
    )
    assert response.status_code == 400
    assert f"{name}: {message}" in response.content.decode()
    assert Post.objects.count() == 0 and PostImage.objects.count() == 0


def test_bad_upload_messages_are_translated(settings):
    with translation.override("en"), pytest.raises(ImageRejected) as refused:
        post_image_prepare(file=upload(b"%PDF-1.7 not an image", "surat.jpg"))
    assert refused.value.messages == [
        "This file is not a readable image. Upload a JPEG, PNG, WebP or GIF image."
    ]
    with translation.override("en"), pytest.raises(ImageRejected) as bomb:
        post_image_prepare(file=upload(png_declaring(1_000_000, 1_000_000), "bom.png"))
    assert bomb.value.messages == ["The image resolution is too large. At most 40 megapixels."]


def test_editor_requires_alt_text_for_every_new_image(client, operator):
    client.force_login(operator)
    response = client.post(
        f"{BASE}new/",
        {
            "text": "Teks",
            "images": [upload(encode((300, 300)), "a.jpg"), upload(encode((300, 300)), "b.jpg")],
            "new_alt": "Satu saja",
        },
    )
    assert response.status_code == 400
    assert (
        "Teks alternatif wajib diisi untuk setiap gambar baru: 2 gambar, 1 teks alternatif."
        in response.content.decode()
    )
    assert Post.objects.count() == 0


def test_editor_shows_the_variant_limit_error_and_saves_nothing(client, draft, operator):
    post = draft()
    client.force_login(operator)
    response = client.post(f"{BASE}{post.pk}/edit/", {"text": "Teks baru", "variant_x": "x" * 300})
    assert response.status_code == 400
    assert "Teks terlalu panjang untuk X: 300 dari batas 280 karakter berbobot." in response.content.decode()
    post.refresh_from_db()
    assert post.text == "Pendaftaran pemantau pemilu dibuka hari ini."
    assert PostVariant.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Four eyes


def test_editing_a_variant_after_approval_sends_the_post_back_for_approval(draft, operator, editor, offices):
    post = approve(operator, editor, draft(channels=[portal_channel_ensure(office=offices["33.20"])]))
    assert post.status == Post.Status.APPROVED

    assert post_variants_set(actor=operator, post=post, texts={"x": "Versi X"}) is True

    post.refresh_from_db()
    assert (post.status, post.approved_by, post.approved_at) == (Post.Status.DRAFT, None, None)
    event = AuditEvent.objects.get(action="post.variants")
    assert event.changes == {"platforms": ["x"], "status": {"before": "approved", "after": "draft"}}
    # Saving the same text again changes nothing.
    post = approve(operator, editor, post)
    assert post_variants_set(actor=operator, post=post, texts={"x": "Versi X"}) is False
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_changing_images_after_approval_sends_the_post_back_for_approval(
    client, draft, operator, editor, offices
):
    portal = portal_channel_ensure(office=offices["33.20"])
    post = draft(channels=[portal])
    [image] = add_images(operator, post, (300, 300))
    post = approve(operator, editor, post)
    client.force_login(operator)
    client.post(
        f"{BASE}{post.pk}/edit/",
        # The same text and channels: only the alt text changes.
        {
            "text": post.text,
            "channels": [portal.pk],
            f"alt_{image.pk}": "Teks lain",
            f"order_{image.pk}": "1",
        },
    )
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT and post.approved_by is None


def test_a_published_post_keeps_its_images_and_variants(
    draft, operator, editor, fakes, connected, django_capture_on_commit_callbacks
):
    facebook = connected("facebook")
    post = draft()
    add_images(operator, post, (300, 300))
    post = approve(operator, editor, post)
    publish(operator, post, [facebook], django_capture_on_commit_callbacks)
    with pytest.raises(PublishingError, match="sudah diterbitkan"):
        post_variants_set(actor=operator, post=post, texts={"x": "Terlambat"})
    with pytest.raises(PublishingError, match="sudah diterbitkan"):
        post_images_change(actor=operator, post=post, remove=[post.images.get().pk])


# --------------------------------------------------------------------------------------------
# Who can see the images


def test_image_views_are_for_the_office_only_and_public_only_once_published(
    client, fakes, connected, draft, operator, editor, member, offices, django_capture_on_commit_callbacks
):
    instagram = connected("instagram")
    post = draft()
    [image] = add_images(operator, post, (900, 900))
    own = f"{BASE}{post.pk}/images/{image.pk}/thumb/"
    public = f"/app/media/posts/{image.key}/instagram.jpg"

    assert client.get(public).status_code == 404  # a draft: nobody, even knowing the key
    client.force_login(member("33.21", "admin", email="admin.lain@kpu.test"))
    assert client.get(own).status_code == 403  # not a member of KPU Jepara
    other = offices["33.21"].slug
    assert client.get(f"/app/{other}/content/{post.pk}/images/{image.pk}/thumb/").status_code == 404
    client.force_login(operator)
    response = client.get(own)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert jpeg_size(response.content) == ("JPEG", (480, 480))
    assert client.get(f"{BASE}{post.pk}/images/{image.pk}/x/").status_code == 404
    client.logout()
    assert client.get(own).status_code == 302  # to sign-in

    post = approve(operator, editor, post)
    assert client.get(public).status_code == 404  # approved is not yet public
    publication = publish(operator, post, [instagram], django_capture_on_commit_callbacks)
    assert client.get(public).status_code == 200
    assert client.get(f"/app/media/posts/{image.key}/thumb.jpg").status_code == 404

    publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")
    assert client.get(public).status_code == 404  # withdrawn everywhere: no longer public


def test_images_are_not_stored_under_the_public_media_root(settings, draft, operator):
    post = draft()
    [image] = add_images(operator, post, (300, 300))
    path = post_image_storage().path(image.file.name)
    assert path.startswith(str(settings.HUMAS_PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert image.file.name == f"posts/{post.office_id}/{image.key}.jpg"


def test_detail_page_lists_variants_images_and_what_the_channels_would_refuse(
    client, fakes, connected, draft, operator
):
    connected("instagram")
    connected("x")
    post = draft("k" * 300)
    post_variants_set(actor=operator, post=post, texts={"telegram": "Teks khusus Telegram"})
    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Teks khusus Telegram" in page
    assert "Instagram memerlukan minimal satu gambar dengan URL publik." in page
    assert "Teks terlalu panjang untuk X: 300 dari batas 280 karakter berbobot." in page
    assert Channel.objects.filter(office=post.office).count() == 2


# --------------------------------------------------------------------------------------------
# In a real browser (Chromium on a 360 px phone)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_counts_live_and_previews_images_on_a_phone(live_server, phone, draft, operator, tmp_path):  # noqa: F811

    post = draft("Teks utama")
    add_images(operator, post, (3000, 1000))
    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    phone.goto(f"{live_server.url}{BASE}{post.pk}/edit/")
    assert phone.locator("[data-counter='x']").inner_text() == "10 / 280 karakter berbobot"
    # One image: Telegram counts the 1,024 caption limit.
    assert phone.locator("[data-counter='telegram']").inner_text() == "10 / 1024 karakter"

    phone.locator("details.variant:has([data-counter='x']) summary").click()
    phone.locator("#id_variant_x").fill("🗳" * 141)
    counter = phone.locator("[data-counter='x']")
    assert counter.inner_text() == "282 / 280 karakter berbobot"
    assert "over" in (counter.get_attribute("class") or "")
    phone.locator(f"input[name='remove_{post.images.get().pk}']").check()
    assert phone.locator("[data-counter='telegram']").inner_text() == "10 / 4096 karakter"

    picture = tmp_path / "foto.jpg"
    picture.write_bytes(encode((800, 600)))
    phone.locator("input[name='images']").set_input_files([str(picture), str(picture)])
    assert phone.locator("[data-previews] img").count() == 2
    assert phone.locator("input[name='new_alt_each']").count() == 2
    assert phone.locator("[data-alt-lines]").is_hidden()
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.locator("input[name='new_alt_each']").nth(0).fill("Foto satu")
    phone.locator("input[name='new_alt_each']").nth(1).fill("Foto dua")
    phone.locator("#id_variant_x").fill("Singkat untuk X")
    phone.locator("form[data-post-form] button[type=submit]").click()
    phone.wait_for_url(f"{live_server.url}{BASE}{post.pk}/")
    assert [i.alt_text for i in post.images.all()] == ["Foto satu", "Foto dua"]
    assert post.variants.get().text == "Singkat untuk X"
    assert phone.locator("main img").count() == 2
    # Again without the "Unggahan disimpan." message: the shell's <ul role="status"> is its own matter.
    phone.reload()
    assert phone.locator("main").inner_text().count("Singkat untuk X") == 1
    assert serious_violations(phone) == []
