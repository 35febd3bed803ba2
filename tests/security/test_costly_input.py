"""Finding 8: input whose cost grows faster than its size is bounded before the costly work."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from humas.offices.models import Office
from humas.portal.models import Article
from humas.portal.sanitize import BODY_MAX_CHARS, MAX_DEPTH, sanitize_html
from humas.portal.services import ArticleInput, WorkflowError, article_create


def test_deeply_nested_blockquotes_are_flattened_to_the_depth_limit_and_keep_their_text():
    body = "<blockquote>" * 5000 + "inti" + "</blockquote>" * 5000

    cleaned = sanitize_html(body)

    assert cleaned == "<blockquote>" * MAX_DEPTH + "inti" + "</blockquote>" * MAX_DEPTH


def test_nesting_within_the_limit_is_kept_as_written():
    body = "<ul>" + "<li><ul>" * 5 + "<li>x</li>" + "</ul></li>" * 5 + "</ul>"

    assert sanitize_html(body) == body


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_refused_before_sanitizing(member):
    author = member("33.20", "operator")
    office = Office.objects.get(code="33.20")

    with pytest.raises(WorkflowError) as refused:
        article_create(
            actor=author, office=office, data=ArticleInput(title="Besar", body="x" * (BODY_MAX_CHARS + 1))
        )

    assert str(refused.value) == "Isi terlalu panjang: paling banyak 500.000 karakter."
    assert not Article.objects.filter(title="Besar").exists()


def _png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` × ``height`` pixels (never decoded here)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


@pytest.mark.django_db
def test_ten_40_megapixel_images_in_one_post_are_refused_before_any_is_decoded(client, member, monkeypatch):
    from humas.media import pipeline
    from humas.publishing.models import Post

    def no_decoding(**kwargs):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(pipeline, "strip_metadata", no_decoding)
    client.force_login(member("33.20", "operator"))
    files = [SimpleUploadedFile(f"{n}.png", _png_declaring(8000, 5000), "image/png") for n in range(10)]

    response = client.post(
        "/app/kab-jepara/content/new/",
        {"text": "Teks", "images": files, "new_alt": "\n".join(f"Gambar {n}" for n in range(10))},
    )

    assert response.status_code == 400
    assert (
        "Resolusi semua gambar bersama-sama terlalu besar. Paling banyak 120 megapiksel untuk semua "
        "gambar satu konten; kecilkan gambarnya atau unggah lebih sedikit."
    ) in response.content.decode()
    assert Post.objects.count() == 0


def test_the_pixel_bound_counts_the_images_already_kept(settings):
    from humas.media.pipeline import ImageRejected, check_total_pixels

    settings.HUMAS_IMAGE_MAX_PIXELS_PER_POST = 50_000_000
    one = SimpleUploadedFile("a.png", _png_declaring(5000, 4000), "image/png")

    check_total_pixels(files=[one], existing_pixels=30_000_000)
    with pytest.raises(ImageRejected):
        check_total_pixels(files=[one], existing_pixels=30_000_001)
    assert one.tell() == 0


def test_a_large_photo_is_stored_with_no_more_pixels_than_any_rendition_needs():
    import io

    from PIL import Image

    from humas.media.pipeline import ORIGINAL_MAX_PIXELS, prepare_upload

    buf = io.BytesIO()
    Image.new("RGB", (8800, 4400), (200, 30, 30)).save(buf, "JPEG", quality=70)

    prepared = prepare_upload(file=SimpleUploadedFile("besar.jpg", buf.getvalue(), "image/jpeg"))

    assert (prepared.width, prepared.height) == (5792, 2896)
    assert prepared.width * prepared.height <= ORIGINAL_MAX_PIXELS
    assert Image.open(io.BytesIO(prepared.content)).size == (5792, 2896)
