"""The shared image pipeline (humas/media): upload checks, metadata stripping, variants, storage."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import InMemoryStorage
from PIL import Image, ImageCms

from humas.media.pipeline import ImageRejected, clean_texts, prepare_upload
from humas.media.storage import (
    delete_quietly,
    private_storage,
    public_storage,
    read_bytes,
    save_replacing,
    storage_for,
)
from humas.media.variants import (
    cover_crop,
    encode_jpeg,
    encode_webp,
    fit_within,
    jpeg_shrunk_to_bytes,
    jpeg_within_bytes,
    open_stored,
    pad_to_ratio,
    padded_size,
    rendition_widths,
)

NOT_IMAGE = "Berkas ini bukan gambar yang dapat dibaca. Unggah gambar JPEG, PNG, WebP, atau GIF."
CORRUPT = "Berkas gambar rusak atau tidak lengkap. Simpan ulang gambar itu lalu unggah lagi."
RED, BLUE, WHITE = (220, 20, 20), (20, 20, 220), (255, 255, 255)


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: shows which way an image was turned."""
    img = Image.new("RGB", size, RED)
    img.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return img


def gps_jpeg(size: tuple[int, int] = (800, 600), orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "KameraKu"
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


def refused(data: bytes, **limits) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        prepare_upload(file=io.BytesIO(data), **limits)
    return caught.value


def color_at(img: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    return tuple(img.convert("RGB").getpixel(xy))


def near(color: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected, strict=True))


# --------------------------------------------------------------------------------------------
# Upload checks and metadata


def test_jpeg_with_gps_exif_comes_out_as_jpeg_without_exif_gps_icc_or_comment():
    source = gps_jpeg()
    assert decoded(source).getexif().get_ifd(0x8825)  # the fixture really carries a location

    prepared = prepare_upload(file=io.BytesIO(source))

    clean = decoded(prepared.content)
    assert (prepared.format, prepared.source_format, prepared.width, prepared.height) == (
        "JPEG",
        "JPEG",
        800,
        600,
    )
    assert (prepared.extension, prepared.mime) == ("jpg", "image/jpeg")
    assert dict(clean.getexif()) == {}
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(clean.info)
    assert b"KameraKu" not in prepared.content and b"rahasia" not in prepared.content


def test_exif_orientation_is_applied_before_the_exif_is_dropped():
    prepared = prepare_upload(file=io.BytesIO(gps_jpeg(size=(800, 600), orientation=6)))

    clean = decoded(prepared.content)
    assert (prepared.width, prepared.height) == (600, 800)
    assert near(color_at(clean, (300, 10)), RED)  # the left (red) half is now on top
    assert near(color_at(clean, (300, 790)), BLUE)


def test_decompression_bomb_is_refused_as_too_many_pixels_even_when_our_limit_is_above_pillows():
    error = refused(png_declaring(1_000_000, 1_000_000), pixel_limit=10**12)

    assert error.code == "too_many_pixels"
    assert error.messages == ["Resolusi gambar terlalu besar. Paling banyak 1e+06 megapiksel."]


def test_image_declaring_more_pixels_than_the_limit_is_refused_with_the_limit_named():
    error = refused(png_declaring(8000, 6000))

    assert error.code == "too_many_pixels"
    assert error.messages == ["Resolusi gambar terlalu besar. Paling banyak 40 megapiksel."]


def test_file_above_the_byte_limit_is_refused_before_it_is_decoded(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file that was already too large")

    monkeypatch.setattr(Image, "open", no_decoding)
    error = refused(b"\xff\xd8\xff\xe0" + b"\x00" * (600 * 1024), byte_limit=512 * 1024)

    assert error.messages == ["Berkas gambar terlalu besar. Ukuran paling besar 0.5 MB."]


def test_empty_file_is_not_an_image():
    assert refused(b"").messages == [NOT_IMAGE]


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="400">'
        b"<script>alert(1)</script></svg>",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="9" height="9"/></svg>',
    ],
    ids=["svg-with-xml-declaration", "bare-svg"],
)
def test_svg_is_refused_as_not_an_image(data):
    error = refused(data)

    assert (error.code, error.messages) == ("not_image", [NOT_IMAGE])


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a/*<script>alert(document.cookie)</script>*/=1;",
        b"\x89PNG\r\n\x1a\n<?php system($_GET['c']); ?>",
    ],
    ids=["gif-javascript", "png-php"],
)
def test_polyglot_with_an_image_signature_but_no_image_is_refused(data):
    assert refused(data).messages == [NOT_IMAGE]


def test_truncated_jpeg_is_refused_as_corrupt():
    assert refused(gps_jpeg()[:600]).messages == [CORRUPT]


def test_truncated_jpeg_is_refused_even_after_a_library_allowed_truncated_images(monkeypatch):
    # WeasyPrint (the PDF reports) switches Pillow's process-wide flag on when imported; a
    # worker that rendered a report must still refuse a truncated upload.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    assert refused(gps_jpeg()[:600]).messages == [CORRUPT]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_payload_appended_to_a_real_jpeg_does_not_survive_the_re_encoding():
    payload = b"<?php system($_GET['c']); ?>PK\x03\x04"
    prepared = prepare_upload(file=io.BytesIO(gps_jpeg() + payload))

    assert payload not in prepared.content
    assert prepared.format == "JPEG"


def test_image_with_a_side_below_the_minimum_is_refused_with_its_size():
    error = refused(encode(halves((150, 600)), "PNG"))

    assert error.messages == [
        "Gambar terlalu kecil (150 × 600 piksel). Lebar dan tinggi paling kecil 200 piksel."
    ]


def test_png_with_alpha_stays_png_with_alpha_and_a_gif_becomes_png():
    rgba = Image.new("RGBA", (300, 300), (*RED, 0))
    assert decoded(prepare_upload(file=io.BytesIO(encode(rgba, "PNG"))).content).mode == "RGBA"

    gif = prepare_upload(file=io.BytesIO(encode(Image.new("P", (300, 300), 3), "GIF")))
    assert (gif.format, gif.source_format) == ("PNG", "GIF")


def test_alt_text_is_required_and_whitespace_is_collapsed():
    assert clean_texts(alt_text="  Foto \n bupati ", caption=" di  kantor ") == ("Foto bupati", "di kantor")
    with pytest.raises(ImageRejected) as caught:
        clean_texts(alt_text="  ")
    assert caught.value.messages == [
        "Teks alternatif wajib diisi: jelaskan isi gambar untuk pembaca yang tidak dapat melihatnya."
    ]


# --------------------------------------------------------------------------------------------
# Variants


@pytest.mark.parametrize(
    ("size", "canvas"),
    [((400, 1000), (800, 1000)), ((2000, 500), (2000, 1048)), ((1000, 1000), (1000, 1000))],
    ids=["too-tall", "too-wide", "inside"],
)
def test_padding_to_a_ratio_box_keeps_the_whole_image_centred_on_white(size, canvas):
    img = halves(size)

    padded = pad_to_ratio(image=img, min_ratio=4 / 5, max_ratio=1.91)

    assert padded.size == canvas
    left, top = (canvas[0] - size[0]) // 2, (canvas[1] - size[1]) // 2
    assert padded.crop((left, top, left + size[0], top + size[1])).tobytes() == img.tobytes()
    if canvas != size:
        assert color_at(padded, (0, 0)) == WHITE
        assert color_at(padded, (canvas[0] - 1, canvas[1] - 1)) == WHITE


def test_padded_size_is_the_smallest_canvas_within_the_ratios():
    assert padded_size(width=1910, height=1000, min_ratio=0.8, max_ratio=1.91) == (1910, 1000)
    assert padded_size(width=1911, height=1000, min_ratio=0.8, max_ratio=1.91) == (1911, 1001)
    assert padded_size(width=799, height=1000, min_ratio=0.8, max_ratio=1.91) == (800, 1000)


def test_transparent_image_is_padded_on_white_not_black():
    padded = pad_to_ratio(image=Image.new("RGBA", (100, 400), (0, 0, 0, 0)), min_ratio=0.8, max_ratio=1.91)

    assert padded.mode == "RGB"
    assert color_at(padded, (160, 200)) == WHITE


@pytest.mark.parametrize(
    ("size", "limits", "expected"),
    [
        ((3000, 2000), {"max_width": 960}, (960, 640)),
        ((2000, 5000), {"max_side": 1000}, (400, 1000)),
        ((3000, 2000), {"max_width": 1440, "max_side": 1000}, (1000, 667)),
        ((300, 200), {"max_width": 960, "max_side": 960}, (300, 200)),
    ],
    ids=["by-width", "by-longest-side", "both", "never-upscaled"],
)
def test_variant_fits_its_box_keeping_its_ratio(size, limits, expected):
    img = halves(size)

    fitted = fit_within(image=img, **limits)

    assert fitted.size == expected
    if expected == size:
        assert fitted is img


def test_cover_crop_fills_its_box_exactly_even_from_a_smaller_image():
    assert cover_crop(image=halves((600, 600)), size=(1200, 630)).size == (1200, 630)


def test_jpeg_variant_is_flattened_on_white_and_webp_keeps_alpha():
    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))

    jpeg, webp = decoded(encode_jpeg(image=img, quality=80)), decoded(encode_webp(image=img, quality=80))

    assert (jpeg.format, jpeg.mode) == ("JPEG", "RGB")
    assert near(color_at(jpeg, (32, 32)), WHITE, tolerance=3)
    assert (webp.format, webp.mode) == ("WEBP", "RGBA")


def test_jpeg_made_to_fit_a_byte_limit_is_under_it():
    noise = Image.frombytes("RGB", (800, 800), bytes(range(256)) * (800 * 800 * 3 // 256))
    limit = len(encode_jpeg(image=noise, quality=88)) // 3

    assert len(jpeg_shrunk_to_bytes(image=noise, max_bytes=limit, quality=88)) <= limit
    lowered = jpeg_within_bytes(image=noise, max_bytes=limit, quality=88, min_quality=10)
    assert len(lowered) < len(encode_jpeg(image=noise, quality=88))


def test_rendition_widths_are_never_wider_than_the_original():
    assert rendition_widths(original_width=1000, widths=(480, 960, 1440)) == [480, 960]
    assert rendition_widths(original_width=300, widths=(480, 960)) == [300]


# --------------------------------------------------------------------------------------------
# Storage


def test_private_storage_is_outside_media_root_and_has_no_public_url(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"

    storage = storage_for(private=True)

    assert storage is private_storage()
    assert storage.path("a.jpg").startswith(str(tmp_path / "private"))
    assert not storage.path("a.jpg").startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url("a.jpg")
    assert storage_for(private=False) is public_storage()


def test_save_replacing_keeps_one_file_per_name_and_delete_quietly_skips_missing_files():
    storage = InMemoryStorage()

    first = save_replacing(storage=storage, name="r/1/480.jpg", content=b"one")
    second = save_replacing(storage=storage, name="r/1/480.jpg", content=b"two")

    assert first == second == "r/1/480.jpg"
    assert read_bytes(storage=storage, name=second) == b"two"
    delete_quietly(storage=storage, names=["r/1/480.jpg", "r/1/gone.jpg", ""])
    assert storage.listdir("r/1") == ([], [])


def test_open_stored_refuses_an_image_above_the_pixel_limit_and_returns_rgb():
    storage = InMemoryStorage()
    storage.save("a.png", io.BytesIO(encode(Image.new("P", (50, 40), 3), "PNG")))

    assert open_stored(storage=storage, name="a.png").mode in ("RGB", "RGBA")
    with pytest.raises(ValueError, match="above the pixel limit"):
        open_stored(storage=storage, name="a.png", pixel_limit=1000)
