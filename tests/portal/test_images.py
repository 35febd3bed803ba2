from __future__ import annotations

import io
import logging
import struct
import zlib

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from PIL import Image, ImageCms

from humas.audit.models import AuditEvent
from humas.media.storage import private_storage, public_storage
from humas.offices import policy
from humas.portal import images as images_module
from humas.portal.images import ImageRejected, image_make_renditions, image_upload, rendition_key
from humas.portal.models import Article, ArticleImage
from humas.portal.services import ArticleInput, article_create

pytestmark = pytest.mark.django_db

NOT_IMAGE = "Berkas ini bukan gambar yang dapat dibaca. Unggah gambar JPEG, PNG, WebP, atau GIF."
CORRUPT = "Berkas gambar rusak atau tidak lengkap. Simpan ulang gambar itu lalu unggah lagi."
TOO_LARGE = "Berkas gambar terlalu besar. Ukuran paling besar 10 MB."
TOO_MANY_PIXELS = "Resolusi gambar terlalu besar. Paling banyak 40 megapiksel."
ALT_REQUIRED = "Teks alternatif wajib diisi: jelaskan isi gambar untuk pembaca yang tidak dapat melihatnya."
NOT_THIS_OFFICE = "Gambar itu tidak tersedia untuk kantor ini."

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture(autouse=True)
def _fresh_storage(settings, tmp_path):
    """A new, empty in-memory public storage and an empty private one per test, so "nothing
    stored" can be checked exactly."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(): a block whose on-commit callbacks (store the original, then the immediate-mode
    renditions task) run at its end, as they would when the request's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def upload_image(committed):
    """image_upload(...) as a view calls it: the on-commit work runs before it returns."""

    def call(**kwargs):
        with committed():
            return image_upload(**kwargs)

    return call


def stored_files(path: str = "", storage=None) -> list[str]:
    """Every file stored under ``path``: in ``storage``, or in the public and private ones."""
    if storage is None:
        return sorted(set(stored_files(path, public_storage())) | set(stored_files(path, private_storage())))
    if path and not storage.exists(path.rstrip("/")) and not storage.exists(path):
        return []
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return []
    found = [f"{path}{name}" for name in files]
    for d in dirs:
        found += stored_files(f"{path}{d}/", storage)
    return sorted(found)


def public_files() -> list[str]:
    return stored_files("", public_storage())


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def halves(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    img = Image.new(mode, size, RED if mode == "RGB" else (*RED, 255))
    img.paste(BLUE if mode == "RGB" else (*BLUE, 255), (size[0] // 2, 0, size[0], size[1]))
    return img


def camera_jpeg(size: tuple[int, int] = (1600, 1000), orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "KameraKu"
    exif[0x0131] = "Editor 1.0"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 35.0, 12.0), 3: "E", 4: (110.0, 40.0, 5.0)})
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(halves(size), "JPEG", quality=90, exif=exif.tobytes(), icc_profile=srgb, comment=b"rahasia")


def png_declaring(width: int, height: int) -> bytes:
    """A few kilobytes of PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * (1 << 20), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(name: str) -> Image.Image:
    storage = private_storage() if private_storage().exists(name) else default_storage
    with storage.open(name, "rb") as fh:
        img = Image.open(io.BytesIO(fh.read()))
        img.load()
        return img


def assert_no_metadata(img: Image.Image) -> None:
    assert dict(img.getexif()) == {}
    assert "exif" not in img.info
    assert "icc_profile" not in img.info
    assert "comment" not in img.info
    assert "xmp" not in img.info


def assert_nothing_stored() -> None:
    assert ArticleImage.objects.count() == 0
    assert stored_files() == []
    assert not AuditEvent.objects.filter(action="image.upload").exists()


def near(pixel, color, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], color, strict=True))


# --- accepted uploads ---------------------------------------------------------------------------


def test_camera_jpeg_is_turned_upright_stripped_of_exif_gps_and_icc_and_gets_renditions(
    offices, member, upload_image
):
    operator = member("33.20", "operator")
    source = camera_jpeg()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture really carries GPS

    image = upload_image(
        actor=operator,
        office=offices["33.20"],
        file=upload(source),
        alt_text="  Rapat   pleno  ",
        caption="Jepara",
    )

    image.refresh_from_db()
    assert (image.state, image.width, image.height) == (ArticleImage.State.READY, 1000, 1600)
    assert (image.alt_text, image.caption) == ("Rapat pleno", "Jepara")
    original = opened(image.file.name)
    assert (original.format, original.size) == ("JPEG", (1000, 1600))
    assert_no_metadata(original)
    # Orientation 6 turns the picture a quarter clockwise: the red left half ends up on top.
    assert near(original.getpixel((500, 100)), RED)
    assert near(original.getpixel((500, 1500)), BLUE)

    base = f"portal/renditions/{rendition_key(image.pk)}"
    assert image.renditions == {
        "jpeg": {"480": f"{base}/480.jpg", "960": f"{base}/960.jpg"},
        "webp": {"480": f"{base}/480.webp", "960": f"{base}/960.webp"},
        "og": f"{base}/og.jpg",
    }
    expected = {"480": (480, 768), "960": (960, 1536)}
    for width, size in expected.items():
        jpeg, webp = opened(image.renditions["jpeg"][width]), opened(image.renditions["webp"][width])
        assert (jpeg.format, jpeg.size, jpeg.mode) == ("JPEG", size, "RGB")
        assert jpeg.info.get("progressive") == 1
        assert (webp.format, webp.size) == ("WEBP", size)
        assert_no_metadata(jpeg)
        assert_no_metadata(webp)
        assert near(jpeg.getpixel((size[0] // 2, 10)), RED)
    og = opened(image.renditions["og"])
    assert (og.format, og.size) == ("JPEG", (1200, 630))
    assert_no_metadata(og)
    assert stored_files() == sorted(
        [image.file.name, *[f"{base}/{n}" for n in ("480.jpg", "480.webp", "960.jpg", "960.webp", "og.jpg")]]
    )
    event = AuditEvent.objects.get(action="image.upload")
    assert (event.object_id, event.changes["format"], event.changes["width"]) == (str(image.pk), "JPEG", 1000)


def test_png_with_alpha_keeps_alpha_in_webp_and_is_flattened_on_white_in_jpeg(offices, member, upload_image):
    img = Image.new("RGBA", (500, 300), (0, 0, 0, 0))
    img.paste((*BLUE, 255), (250, 0, 500, 300))
    data = encode(img, "PNG", pnginfo=_png_text())

    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(data, "logo.png"),
        alt_text="Logo",
    )

    image.refresh_from_db()
    original = opened(image.file.name)
    assert (original.format, original.mode, original.size) == ("PNG", "RGBA", (500, 300))
    assert "Author" not in original.info
    # Narrower than 960: one width only, never upscaled.
    assert sorted(image.renditions["jpeg"]) == ["480"]
    webp, jpeg = opened(image.renditions["webp"]["480"]), opened(image.renditions["jpeg"]["480"])
    assert (webp.mode, webp.size) == ("RGBA", (480, 288))
    assert webp.getpixel((10, 10))[3] == 0
    assert jpeg.mode == "RGB"
    assert near(jpeg.getpixel((10, 10)), (255, 255, 255))
    # The share image alone is scaled up to the size share previews need.
    assert opened(image.renditions["og"]).size == (1200, 630)


def _png_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nama Pribadi")
    return info


def test_webp_upload_gets_three_widths_and_stays_webp(offices, member, upload_image):
    data = encode(halves((1600, 900)), "WEBP", quality=90)

    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(data, "a.webp"),
        alt_text="Spanduk",
    )

    image.refresh_from_db()
    assert opened(image.file.name).format == "WEBP"
    sizes = {w: opened(name).size for w, name in image.renditions["jpeg"].items()}
    assert sizes == {"480": (480, 270), "960": (960, 540), "1440": (1440, 810)}
    assert {w: opened(n).size for w, n in image.renditions["webp"].items()} == sizes


@pytest.mark.parametrize(
    ("data", "name", "size", "widths"),
    [
        (lambda: encode(halves((300, 250)), "JPEG"), "kecil.jpg", (300, 250), ["300"]),
        (
            lambda: encode(
                Image.new("P", (400, 220)),
                "GIF",
                save_all=True,
                append_images=[Image.new("P", (400, 220), 3)],
            ),
            "animasi.gif",
            (400, 220),
            ["400"],
        ),
    ],
    ids=["narrow-jpeg", "animated-gif-first-frame"],
)
def test_small_originals_get_one_rendition_at_their_own_width(
    offices, member, upload_image, data, name, size, widths
):
    image = upload_image(
        actor=member("33.20", "operator"), office=offices["33.20"], file=upload(data(), name), alt_text="Foto"
    )
    image.refresh_from_db()
    assert (image.state, (image.width, image.height)) == (ArticleImage.State.READY, size)
    assert sorted(image.renditions["jpeg"]) == widths == sorted(image.renditions["webp"])
    assert opened(image.renditions["jpeg"][widths[0]]).size == size


# --- refused uploads: exact message, nothing stored ---------------------------------------------


def _truncated_jpeg() -> bytes:
    data = encode(halves((800, 600)), "JPEG", quality=90)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: b"Ini hanya teks, bukan foto.\n" * 40, "foto.jpg", NOT_IMAGE),
        (lambda: b"", "kosong.jpg", NOT_IMAGE),
        (lambda: encode(halves((400, 400)), "BMP"), "gambar.jpg", NOT_IMAGE),
        (lambda: encode(halves((400, 400)), "TIFF"), "gambar.tiff", NOT_IMAGE),
        (
            lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "a.svg",
            NOT_IMAGE,
        ),
        (_truncated_jpeg, "potong.jpg", CORRUPT),
        (lambda: png_declaring(100_000, 100_000), "bom.png", TOO_MANY_PIXELS),
        (lambda: png_declaring(8000, 6000), "besar.png", TOO_MANY_PIXELS),
        (
            lambda: encode(halves((150, 600)), "PNG"),
            "sempit.png",
            "Gambar terlalu kecil (150 × 600 piksel). Lebar dan tinggi paling kecil 200 piksel.",
        ),
    ],
    ids=[
        "text-renamed-jpg",
        "empty",
        "bmp",
        "tiff",
        "svg",
        "truncated-jpeg",
        "bomb",
        "over-40-mp",
        "too-small",
    ],
)
def test_bad_upload_is_refused_with_its_message_and_nothing_stored(
    offices, member, upload_image, make, name, message
):
    with pytest.raises(ImageRejected) as refused:
        upload_image(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            file=upload(make(), name),
            alt_text="Foto",
        )
    assert refused.value.messages == [message]
    assert_nothing_stored()


def test_bomb_is_refused_even_when_the_pixel_limit_is_raised_above_pillows(
    offices, member, settings, upload_image
):
    settings.HUMAS_IMAGE_MAX_PIXELS = 10**12
    with pytest.raises(ImageRejected) as refused:
        upload_image(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            file=upload(png_declaring(1_000_000, 1_000_000), "bom.png"),
            alt_text="Foto",
        )
    assert refused.value.messages == ["Resolusi gambar terlalu besar. Paling banyak 1e+06 megapiksel."]
    assert_nothing_stored()


def test_50_mb_file_is_refused_by_size_before_anything_is_decoded(
    offices, member, tmp_path, monkeypatch, upload_image
):
    path = tmp_path / "besar.jpg"
    with path.open("wb") as fh:  # sparse: 50 MB on paper, nothing held in memory
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(50 * 1024 * 1024)

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file that was already too large")

    monkeypatch.setattr(images_module.Image, "open", no_decoding)
    with path.open("rb") as fh, pytest.raises(ImageRejected) as refused:
        upload_image(
            actor=member("33.20", "operator"), office=offices["33.20"], file=File(fh), alt_text="Foto"
        )
    assert refused.value.messages == [TOO_LARGE]
    assert_nothing_stored()


@pytest.mark.parametrize(
    ("alt_text", "caption", "message"),
    [
        ("", "", ALT_REQUIRED),
        ("   \n ", "", ALT_REQUIRED),
        ("x" * 251, "", "Teks alternatif paling panjang 250 karakter."),
        ("Foto", "k" * 301, "Keterangan gambar paling panjang 300 karakter."),
    ],
    ids=["missing", "blank", "alt-too-long", "caption-too-long"],
)
def test_alt_text_is_required_and_texts_are_bounded(
    offices, member, upload_image, alt_text, caption, message
):
    with pytest.raises(ImageRejected) as refused:
        upload_image(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            file=upload(encode(halves((400, 300)), "JPEG")),
            alt_text=alt_text,
            caption=caption,
        )
    assert refused.value.messages == [message]
    assert_nothing_stored()


def test_rolled_back_transaction_leaves_no_file(offices, member, committed):
    class Boom(Exception):
        pass

    with committed(), pytest.raises(Boom), transaction.atomic():
        image_upload(
            actor=member("33.20", "operator"),
            office=offices["33.20"],
            file=upload(encode(halves((400, 300)), "JPEG")),
            alt_text="Foto",
        )
        raise Boom
    assert_nothing_stored()


# --- permission -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "role"), [("33.21", "operator"), ("33.20", "viewer"), ("33.20", "analyst")])
def test_only_staff_of_the_office_or_above_may_upload(offices, member, upload_image, code, role):
    with pytest.raises(policy.PolicyDenied):
        upload_image(
            actor=member(code, role),
            office=offices["33.20"],
            file=upload(encode(halves((400, 300)), "JPEG")),
            alt_text="Foto",
        )
    assert_nothing_stored()


def test_provincial_editor_may_upload_for_an_office_below(offices, member, upload_image):
    image = upload_image(
        actor=member("33", "editor"),
        office=offices["33.20"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Foto",
    )
    assert image.office == offices["33.20"]


# --- the task -----------------------------------------------------------------------------------


def test_renditions_task_is_idempotent_and_leaves_no_orphans(offices, member, upload_image):
    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(camera_jpeg()),
        alt_text="Foto",
    )
    image.refresh_from_db()
    first, files = image.renditions, stored_files()
    # A rendition left by an earlier run at a width this run does not make.
    stale = default_storage.save(f"portal/renditions/{image.pk}/1440.jpg", io.BytesIO(b"old"))
    ArticleImage.objects.filter(pk=image.pk).update(
        renditions={**first, "jpeg": {**first["jpeg"], "1440": stale}}
    )

    again = image_make_renditions(image_id=image.pk)
    image_make_renditions(image_id=image.pk)

    image.refresh_from_db()
    assert again is not None and again.renditions == first == image.renditions
    assert image.state == ArticleImage.State.READY
    assert stored_files() == files


def test_renditions_failure_marks_the_image_failed_and_logs_why(offices, member, upload_image, caplog):
    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(camera_jpeg()),
        alt_text="Foto",
    )
    private_storage().delete(image.file.name)

    with caplog.at_level(logging.ERROR, logger="humas.portal.images"):
        image_make_renditions(image_id=image.pk)

    image.refresh_from_db()
    assert (image.state, image.renditions) == (ArticleImage.State.FAILED, {})
    assert stored_files() == []
    assert f"image {image.pk}: renditions failed: FileNotFoundError" in caplog.text


def test_renditions_task_for_a_deleted_image_does_nothing():
    assert image_make_renditions(image_id=987654) is None


# --- the article form, through the views ----------------------------------------------------------


def form_data(**overrides):
    data = {
        "type": "berita",
        "title": "Rapat pleno terbuka",
        "slug": "",
        "summary": "",
        "body": "<p>Isi.</p>",
        "tags": "",
        "election_stage": "",
        "claim": "",
        "claim_appearances": "",
        "verdict": "",
        "evidence_links": "",
        "cover": "",
        "cover_alt": "",
        "cover_caption": "",
    }
    data.update(overrides)
    return data


def test_article_form_uploads_a_cover_with_alt_text(client, member, committed):
    client.force_login(member("33.20", "operator"))
    jpeg = upload(camera_jpeg((900, 700), orientation=1), "Foto Rapat.JPG")

    with committed():
        response = client.post(
            "/app/kab-jepara/portal/new/",
            form_data(cover_file=jpeg, cover_alt="Anggota KPU membuka rapat", cover_caption="Foto: Humas"),
        )

    article = Article.objects.get()
    assert response.status_code == 302
    cover = article.cover
    assert cover is not None
    assert (cover.office.code, cover.alt_text, cover.caption) == (
        "33.20",
        "Anggota KPU membuka rapat",
        "Foto: Humas",
    )
    assert (cover.state, cover.width, cover.height) == (ArticleImage.State.READY, 900, 700)
    assert cover.file.name.startswith("portal/originals/") and "Foto" not in cover.file.name
    edit = client.get(f"/app/kab-jepara/portal/{article.pk}/edit/").content.decode()
    assert "Anggota KPU membuka rapat (900×700)" in edit
    assert '<span class="status status-published">Siap</span>' in edit


@pytest.mark.parametrize(
    ("file_data", "alt", "field", "message"),
    [
        (b"GIF89a bukan gambar sungguhan", "Foto", "cover_file", NOT_IMAGE),
        (png_declaring(100_000, 100_000), "Foto", "cover_file", TOO_MANY_PIXELS),
        (None, "", "cover_alt", ALT_REQUIRED),
    ],
    ids=["non-image", "bomb", "no-alt-text"],
)
def test_article_form_shows_upload_errors_and_stores_nothing(
    client, member, committed, file_data, alt, field, message
):
    client.force_login(member("33.20", "operator"))
    data = file_data if file_data is not None else encode(halves((400, 300)), "JPEG")

    with committed():
        response = client.post(
            "/app/kab-jepara/portal/new/", form_data(cover_file=upload(data, "x.gif"), cover_alt=alt)
        )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Article.objects.exists()
    assert_nothing_stored()


def test_article_form_refuses_a_50_mb_upload(client, member, tmp_path, committed):
    client.force_login(member("33.20", "operator"))
    path = tmp_path / "besar.jpg"
    with path.open("wb") as fh:
        fh.write(b"\xff\xd8\xff\xe0")
        fh.truncate(50 * 1024 * 1024)

    with path.open("rb") as fh, committed():
        response = client.post("/app/kab-jepara/portal/new/", form_data(cover_file=fh, cover_alt="Foto"))

    assert response.status_code == 400
    assert response.context["form"].errors["cover_file"] == [TOO_LARGE]
    assert not Article.objects.exists()
    assert_nothing_stored()


def test_article_form_picks_an_image_of_its_own_office_but_not_of_another(
    client, offices, member, upload_image
):
    operator = member("33.20", "operator")
    own = upload_image(
        actor=operator,
        office=offices["33.20"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Milik Jepara",
    )
    other = upload_image(
        actor=member("33.21", "operator"),
        office=offices["33.21"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Milik Demak",
    )
    article = article_create(
        actor=operator, office=offices["33.20"], data=ArticleInput(title="Berita", cover=own)
    )
    client.force_login(operator)

    page = client.get(f"/app/kab-jepara/portal/{article.pk}/edit/").content.decode()
    assert "Milik Jepara" in page and "Milik Demak" not in page
    refused = client.post(
        f"/app/kab-jepara/portal/{article.pk}/edit/", form_data(title="Berita", cover=str(other.pk))
    )
    kept = client.post(
        f"/app/kab-jepara/portal/{article.pk}/edit/", form_data(title="Berita baru", cover=str(own.pk))
    )

    assert refused.status_code == 400
    assert refused.context["form"].errors["cover"] == [NOT_THIS_OFFICE]
    assert kept.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.cover_id) == ("Berita baru", own.pk)


def test_image_state_partial_serves_only_the_offices_own_images(client, offices, member, upload_image):
    operator = member("33.20", "operator")
    own = upload_image(
        actor=operator,
        office=offices["33.20"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Milik Jepara",
    )
    other = upload_image(
        actor=member("33.21", "operator"),
        office=offices["33.21"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Milik Demak",
    )
    ArticleImage.objects.filter(pk=own.pk).update(state=ArticleImage.State.PROCESSING)
    client.force_login(operator)

    mine = client.get(f"/app/kab-jepara/portal/images/{own.pk}/state/")
    theirs = client.get(f"/app/kab-jepara/portal/images/{other.pk}/state/")
    foreign_office = client.get(f"/app/kab-demak/portal/images/{other.pk}/state/")

    assert mine.status_code == 200
    assert "Diproses" in mine.content.decode() and 'hx-trigger="every 3s"' in mine.content.decode()
    assert theirs.status_code == 404
    assert foreign_office.status_code == 403


def test_phone_mpo_photo_is_stored_as_jpeg_from_its_first_frame(offices, member, upload_image):
    data = encode(
        halves((800, 600)), "MPO", save_all=True, append_images=[Image.new("RGB", (800, 600), BLUE)]
    )

    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(data, "IMG_0001.JPG"),
        alt_text="Foto",
    )

    original = opened(image.file.name)
    assert (original.format, original.size) == ("JPEG", (800, 600))
    assert near(original.getpixel((10, 300)), RED)


def test_images_left_processing_by_a_dead_worker_are_finished_by_the_sweep(offices, member, upload_image):
    from datetime import timedelta

    from django.utils import timezone

    from humas.portal.images import image_retry_stale

    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Foto",
    )
    fresh = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(encode(halves((400, 300)), "JPEG")),
        alt_text="Baru",
    )
    ArticleImage.objects.filter(pk__in=[image.pk, fresh.pk]).update(state=ArticleImage.State.PROCESSING)
    ArticleImage.objects.filter(pk=image.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert image_retry_stale() == 1

    states = dict(ArticleImage.objects.values_list("alt_text", "state"))
    assert states == {"Foto": ArticleImage.State.READY, "Baru": ArticleImage.State.PROCESSING}


def _public_renditions(image: ArticleImage) -> list[str]:
    image.refresh_from_db()
    names = [*image.renditions["jpeg"].values(), *image.renditions["webp"].values(), image.renditions["og"]]
    return sorted(n for n in names if public_storage().exists(n))


def test_unpublished_article_images_are_private_until_published_and_again_after_unpublish(
    offices, member, upload_image, committed
):
    from humas.portal.services import article_approve, article_reject, article_submit, article_unpublish

    office = offices["33.20"]
    author, editor = member("33.20", "operator"), member("33.20", "editor")
    cover = upload_image(actor=author, office=office, file=upload(camera_jpeg()), alt_text="Sampul")
    inline = upload_image(actor=author, office=office, file=upload(camera_jpeg()), alt_text="Di badan")
    cover.refresh_from_db()
    inline.refresh_from_db()
    body = f'<p>Isi.</p><img src="/media/{inline.renditions["jpeg"]["480"]}" alt="Di badan">'
    all_names = _rendition_names_of(cover) + _rendition_names_of(inline)
    assert all(f"/{cover.pk}/" not in n and f"/{inline.pk}/" not in n for n in all_names)

    with committed():
        article = article_create(
            actor=author, office=office, data=ArticleInput(title="A", body=body, cover=cover)
        )
    assert (_public_renditions(cover), _public_renditions(inline)) == ([], [])  # draft
    with committed():
        article_submit(actor=author, article=article)
    assert (_public_renditions(cover), _public_renditions(inline)) == ([], [])  # in review
    with committed():
        article_reject(actor=editor, article=article, reason="Perbaiki")
    assert (_public_renditions(cover), _public_renditions(inline)) == ([], [])  # rejected

    with committed():
        article_submit(actor=author, article=article)
        article_approve(actor=editor, article=article)
    assert _public_renditions(cover) == sorted(_rendition_names_of(cover))
    assert _public_renditions(inline) == sorted(_rendition_names_of(inline))

    with committed():
        article_unpublish(actor=editor, article=article, reason="Ditarik")
    assert (_public_renditions(cover), _public_renditions(inline)) == ([], [])  # withdrawn
    assert all(private_storage().exists(n) for n in all_names)


def _rendition_names_of(image: ArticleImage) -> list[str]:
    image.refresh_from_db()
    return [*image.renditions["jpeg"].values(), *image.renditions["webp"].values(), image.renditions["og"]]


def test_back_office_serves_an_unpublished_image_to_its_office_only(client, offices, member, upload_image):
    image = upload_image(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        file=upload(camera_jpeg()),
        alt_text="Foto",
    )
    image.refresh_from_db()

    client.force_login(member("33.20", "editor"))
    own = client.get(f"/app/kab-jepara/portal/images/{image.pk}/og.jpg")
    client.force_login(member("33.10", "editor"))
    other = client.get(f"/app/kab-jepara/portal/images/{image.pk}/og.jpg")
    anonymous = Client().get(f"/app/kab-jepara/portal/images/{image.pk}/og.jpg")

    assert (own.status_code, own["Content-Type"], own["Cache-Control"]) == (
        200,
        "image/jpeg",
        "private, max-age=3600",
    )
    assert own.content == private_storage().open(image.renditions["og"]).read()
    assert other.status_code in (403, 404)
    assert anonymous.status_code == 302


def test_images_stored_publicly_before_keep_working_while_published_and_leave_when_not(
    offices, member, committed
):
    from humas.portal.images import image_publication_sync_all
    from humas.portal.services import article_approve, article_submit

    office = offices["33.20"]
    author, editor = member("33.20", "operator"), member("33.20", "editor")
    legacy = {}
    for alt in ("Terbit", "Draf"):
        image = ArticleImage.objects.create(
            office=office,
            alt_text=alt,
            width=1600,
            height=1000,
            state=ArticleImage.State.READY,
            created_by=author,
        )
        names = {
            "jpeg": {"480": f"portal/renditions/{image.pk}/480.jpg"},
            "webp": {},
            "og": f"portal/renditions/{image.pk}/og.jpg",
        }
        image.file.name = f"portal/originals/2026/01/{alt}.jpg"
        image.renditions = names
        image.save()
        for name in (image.file.name, names["jpeg"]["480"], names["og"]):
            public_storage().save(name, io.BytesIO(b"jpeg"))
        legacy[alt] = image
    with committed():
        article = article_create(
            actor=author, office=office, data=ArticleInput(title="Lama", cover=legacy["Terbit"])
        )
        article_submit(actor=author, article=article)
        article_approve(actor=editor, article=article)

    assert image_publication_sync_all() == 2

    published, draft = legacy["Terbit"], legacy["Draf"]
    assert public_files() == [
        f"portal/renditions/{published.pk}/480.jpg",
        f"portal/renditions/{published.pk}/og.jpg",
    ]
    assert private_storage().exists(draft.renditions["og"]) and private_storage().exists(draft.file.name)
    assert private_storage().exists(published.file.name)


def test_preview_of_a_draft_shows_its_cover_through_the_checking_view(client, offices, member, upload_image):
    author = member("33.20", "operator")
    cover = upload_image(actor=author, office=offices["33.20"], file=upload(camera_jpeg()), alt_text="Sampul")
    article = article_create(
        actor=author, office=offices["33.20"], data=ArticleInput(title="Draf bergambar", cover=cover)
    )
    client.force_login(author)

    page = client.get(f"/app/kab-jepara/portal/{article.pk}/preview/").content.decode()

    assert f'src="/app/kab-jepara/portal/images/{cover.pk}/960.jpg"' in page
    assert "/media/portal/renditions/" not in page.split("<body", 1)[1]
    assert client.get(f"/app/kab-jepara/portal/images/{cover.pk}/960.jpg").status_code == 200
