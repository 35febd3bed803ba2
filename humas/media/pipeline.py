"""Upload checks and the clean copy: what an uploaded image must pass before anything is stored.

An upload is decoded by Pillow (never trusted by its name or its browser content type), checked
against byte, pixel and dimension limits, turned upright by its EXIF orientation, converted to
sRGB and re-encoded without any metadata (EXIF with GPS, XMP, comments, ICC). Only formats Pillow
may try are JPEG, PNG, WebP and GIF: an SVG, a TIFF or a file that only *looks* like an image
(a polyglot with a wrong signature) is "not an image we take".
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# Pillow may only try these decoders: a TIFF, PSD or SVG upload is "not an image we take".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ORIGINAL_QUALITY = 92
# The most pixels of a stored original (4096 × 4096: X and Facebook take at most 4096 on a side,
# the portal's largest rendition is 1440 wide): a larger photo is scaled down before it is
# re-encoded, which spares most of the encoding time and memory; a JPEG far larger is decoded
# straight at 1/2, 1/4 or 1/8 scale (``Image.draft``).
ORIGINAL_MAX_PIXELS = 4096 * 4096
ALT_TEXT_MAX = 250
CAPTION_MAX = 300
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ImageRejected(ValidationError):
    """An upload a person can fix (wrong type, too big, too small, no alt text); translated."""


@dataclass(frozen=True)
class PreparedImage:
    """A decoded, validated upload re-encoded without metadata, not yet stored."""

    content: bytes
    format: str  # JPEG, PNG or WEBP: the format of ``content``
    source_format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def mime(self) -> str:
        return MIMES[self.format]


def max_bytes() -> int:
    """The largest upload in bytes (``HUMAS_IMAGE_MAX_BYTES``)."""
    return int(getattr(settings, "HUMAS_IMAGE_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    """The most pixels an upload may declare (``HUMAS_IMAGE_MAX_PIXELS``)."""
    return int(getattr(settings, "HUMAS_IMAGE_MAX_PIXELS", 40_000_000))


def max_pixels_per_post() -> int:
    """The most pixels all images of one post (or one request) may have together
    (``HUMAS_IMAGE_MAX_PIXELS_PER_POST``): decoding and re-encoding cost grows with pixels."""
    return int(getattr(settings, "HUMAS_IMAGE_MAX_PIXELS_PER_POST", 120_000_000))


def min_side() -> int:
    """The shortest side an upload may have in pixels (``HUMAS_IMAGE_MIN_SIDE``)."""
    return int(getattr(settings, "HUMAS_IMAGE_MIN_SIDE", 200))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _megapixels(n: int) -> str:
    return f"{n / 1_000_000:g}"


def not_an_image_error() -> ImageRejected:
    """The error for a file that is not an image of an accepted type."""
    return ImageRejected(
        _("Berkas ini bukan gambar yang dapat dibaca. Unggah gambar JPEG, PNG, WebP, atau GIF."),
        code="not_image",
    )


def too_large_error(*, limit: int) -> ImageRejected:
    """The error for a file of more than ``limit`` bytes."""
    return ImageRejected(
        _("Berkas gambar terlalu besar. Ukuran paling besar %(limit)s MB.") % {"limit": _megabytes(limit)},
        code="too_large",
    )


def too_many_pixels_error(*, limit: int) -> ImageRejected:
    """The error for an image (or a decompression bomb) of more than ``limit`` pixels."""
    return ImageRejected(
        _("Resolusi gambar terlalu besar. Paling banyak %(limit)s megapiksel.")
        % {"limit": _megapixels(limit)},
        code="too_many_pixels",
    )


def too_many_pixels_together_error(*, limit: int) -> ImageRejected:
    """The error for images that together have more than ``limit`` pixels."""
    return ImageRejected(
        _(
            "Resolusi semua gambar bersama-sama terlalu besar. Paling banyak %(limit)s megapiksel "
            "untuk semua gambar satu konten; kecilkan gambarnya atau unggah lebih sedikit."
        )
        % {"limit": _megapixels(limit)},
        code="too_many_pixels_together",
    )


def declared_pixels(*, file: IO[bytes] | Any, formats: tuple[str, ...] = ACCEPTED_FORMATS) -> int:
    """Width × height an upload declares in its header (no pixel is decoded); 0 when it cannot be
    read (``prepare_upload`` then says why). The file is left at its start."""
    try:
        file.seek(0)
        with Image.open(cast(IO[bytes], file), formats=formats) as img:
            width, height = img.size
    except Exception:
        return 0
    finally:
        file.seek(0)
    return int(width) * int(height)


def check_total_pixels(
    *, files: Sequence[IO[bytes] | Any], existing_pixels: int = 0, limit: int | None = None
) -> None:
    """Refuse, before any of them is decoded, uploads that together with the images already kept
    (``existing_pixels``) declare more than ``limit`` pixels (default ``max_pixels_per_post()``).
    Raises ImageRejected."""
    limit = max_pixels_per_post() if limit is None else limit
    total = existing_pixels
    for file in files:
        total += declared_pixels(file=file)
        if total > limit:
            raise too_many_pixels_together_error(limit=limit)


def too_small_error(*, width: int, height: int, limit: int) -> ImageRejected:
    """The error for an image whose shorter side is under ``limit`` pixels."""
    return ImageRejected(
        _(
            "Gambar terlalu kecil (%(width)d × %(height)d piksel). "
            "Lebar dan tinggi paling kecil %(min)d piksel."
        )
        % {"width": width, "height": height, "min": limit},
        code="too_small",
    )


def corrupt_error() -> ImageRejected:
    """The error for truncated or damaged image data."""
    return ImageRejected(
        _("Berkas gambar rusak atau tidak lengkap. Simpan ulang gambar itu lalu unggah lagi."),
        code="corrupt",
    )


def strict_decoding() -> None:
    """Make Pillow refuse truncated data again if anything in this process allowed it.

    ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` is one flag for the whole process, and libraries
    switch it on when imported (WeasyPrint does). A truncated upload must be refused, never
    padded with grey and published, so every decode of untrusted bytes calls this first.
    """
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        logger.warning("Pillow's LOAD_TRUNCATED_IMAGES was switched on in this process; switching it off")
        ImageFile.LOAD_TRUNCATED_IMAGES = False


def file_size(*, file: IO[bytes] | Any) -> int:
    """The size of an uploaded file in bytes, without reading it."""
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, io.SEEK_END)
    end = int(file.tell())
    file.seek(0)
    return end


def check_upload_size(*, file: IO[bytes] | Any, limit: int | None = None) -> int:
    """Refuse an empty file or one above ``limit`` bytes (default ``max_bytes()``) before anything
    is read; the size otherwise. Raises ImageRejected."""
    limit = max_bytes() if limit is None else limit
    size = file_size(file=file)
    if size == 0:
        raise not_an_image_error()
    if size > limit:
        raise too_large_error(limit=limit)
    return size


def clean_texts(
    *, alt_text: str, caption: str = "", alt_max: int = ALT_TEXT_MAX, caption_max: int = CAPTION_MAX
) -> tuple[str, str]:
    """Normalise alt text and caption; alt text is required (it is what a screen reader says)."""
    alt = " ".join((alt_text or "").split())
    cap = " ".join((caption or "").split())
    if not alt:
        raise ImageRejected(
            _("Teks alternatif wajib diisi: jelaskan isi gambar untuk pembaca yang tidak dapat melihatnya."),
            code="alt_required",
        )
    if len(alt) > alt_max:
        raise ImageRejected(
            _("Teks alternatif paling panjang %(limit)d karakter.") % {"limit": alt_max},
            code="alt_too_long",
        )
    if len(cap) > caption_max:
        raise ImageRejected(
            _("Keterangan gambar paling panjang %(limit)d karakter.") % {"limit": caption_max},
            code="caption_too_long",
        )
    return alt, cap


def prepare_upload(
    *,
    file: IO[bytes] | Any,
    byte_limit: int | None = None,
    pixel_limit: int | None = None,
    side_minimum: int | None = None,
    formats: tuple[str, ...] = ACCEPTED_FORMATS,
) -> PreparedImage:
    """Validate an uploaded file and return a clean re-encoded copy; store nothing.

    The byte size is checked before anything is read; the declared pixel size is checked after
    Pillow has read only the header, before any pixel is decoded; a decompression bomb is refused
    as too many pixels. Limits default to the settings. Raises ImageRejected.
    """
    pixel_limit = max_pixels() if pixel_limit is None else pixel_limit
    side_minimum = min_side() if side_minimum is None else side_minimum
    check_upload_size(file=file, limit=byte_limit)
    file.seek(0)
    strict_decoding()
    try:
        with Image.open(cast(IO[bytes], file), formats=formats) as img:
            width, height = img.size
            # Our own limit, checked on the declared size before decoding: Pillow's global
            # MAX_IMAGE_PIXELS is a process-wide default we neither rely on nor change.
            if width * height > pixel_limit:
                raise too_many_pixels_error(limit=pixel_limit)
            if min(width, height) < side_minimum:
                raise too_small_error(width=width, height=height, limit=side_minimum)
            # Phones write MPO: a JPEG with extra frames; the first frame is the photo.
            source_format = "JPEG" if img.format == "MPO" else str(img.format)
            img.seek(0)  # an animated GIF or WebP: its first frame
            target = _stored_size(width, height)
            if img.format in ("JPEG", "MPO") and target != (width, height):
                img.draft(img.mode, target)
            img.load()
            clean = strip_metadata(image=img)
            if clean.width * clean.height > ORIGINAL_MAX_PIXELS:
                stored = _stored_size(clean.width, clean.height)
                scaled = clean.resize(stored, Image.Resampling.LANCZOS, reducing_gap=3.0)
                clean.close()
                clean = scaled
        prepared = encode_clean(image=clean, source_format=source_format)
        # Free the decoded pixels now, not when the request (or worker) next collects garbage.
        clean.close()
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise too_many_pixels_error(limit=pixel_limit) from None
    except UnidentifiedImageError:
        raise not_an_image_error() from None
    except Exception as exc:
        # Truncated or corrupt data makes decoders raise OSError, SyntaxError, ValueError or
        # worse; none of it may become a 500.
        logger.info("image upload refused as corrupt: %s", exc)
        raise corrupt_error() from None
    return prepared


def _stored_size(width: int, height: int) -> tuple[int, int]:
    """The size an original of ``width``×``height`` is stored at (at most ORIGINAL_MAX_PIXELS)."""
    if width * height <= ORIGINAL_MAX_PIXELS:
        return width, height
    scale = math.sqrt(ORIGINAL_MAX_PIXELS / (width * height))
    return max(1, int(width * scale)), max(1, int(height * scale))


def strip_metadata(*, image: Image.Image) -> Image.Image:
    """The pixels turned upright, in sRGB (RGB or RGBA), with no metadata left in ``info``."""
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    if upright.mode == "P" or "transparency" in upright.info:
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    converted: Image.Image | None = None
    if icc:
        converted = _to_srgb(upright, icc)
    if converted is None:
        target = "RGBA" if has_alpha else "RGB"
        converted = upright if upright.mode == target else upright.convert(target)
    # Nothing of the source (EXIF, XMP, comments, ICC, PNG text) may reach the encoder.
    converted.info = {}
    return converted


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert from the embedded profile to sRGB; None when the profile cannot be used."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        if img.mode in ("RGBA", "LA"):
            alpha = img.getchannel("A")
            base = img.convert("RGB" if img.mode == "RGBA" else "L")
            out = ImageCms.profileToProfile(base, source, srgb, outputMode="RGB")
            if out is None:
                return None
            out = out.convert("RGBA")
            out.putalpha(alpha)
            return out
        if img.mode not in ("RGB", "CMYK", "L"):
            return None
        return ImageCms.profileToProfile(img, source, srgb, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        logger.info("ignoring an unusable ICC profile: %s", exc)
        return None


def encode_clean(*, image: Image.Image, source_format: str, quality: int = ORIGINAL_QUALITY) -> PreparedImage:
    """Re-encode clean pixels in the upload's own format where possible: JPEG stays JPEG, WebP
    stays WebP, anything else (or a JPEG with transparency) becomes PNG. Writes no metadata."""
    buf = io.BytesIO()
    if image.mode == "RGBA":
        fmt = "WEBP" if source_format == "WEBP" else "PNG"
    else:
        fmt = {"JPEG": "JPEG", "WEBP": "WEBP"}.get(source_format, "PNG")
    if fmt == "JPEG":
        image.save(buf, "JPEG", quality=quality, optimize=True)
    elif fmt == "WEBP":
        image.save(buf, "WEBP", quality=quality, method=4)
    else:
        image.save(buf, "PNG")
    return PreparedImage(
        content=buf.getvalue(),
        format=fmt,
        source_format=source_format,
        width=image.width,
        height=image.height,
    )
