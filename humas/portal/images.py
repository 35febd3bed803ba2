"""Article images: validated uploads with metadata stripped, and renditions made by a task.

An upload is decoded by Pillow (never trusted by its name or its browser content type), checked
against byte, pixel and dimension limits, turned upright by its EXIF orientation, converted to
sRGB and re-encoded without any metadata (EXIF with GPS, XMP, comments, ICC). Only that clean
copy is stored. The renditions the public pages use (JPEG and WebP at a few widths, and the
1200×630 OpenGraph crop) are made afterwards by ``image_renditions_task``.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office

from .models import ArticleImage

logger = logging.getLogger(__name__)

# Pillow may only try these decoders: a TIFF, PSD or SVG upload is "not an image we take".
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
RENDITION_WIDTHS = (480, 960, 1440)
OG_SIZE = (1200, 630)
ALT_TEXT_MAX = 250
CAPTION_MAX = 300
JPEG_QUALITY = 82
WEBP_QUALITY = 80
ORIGINAL_QUALITY = 92
RENDITIONS_DIR = "portal/renditions"

State = ArticleImage.State


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
        return {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[self.format]


def max_bytes() -> int:
    return int(getattr(settings, "HUMAS_IMAGE_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "HUMAS_IMAGE_MAX_PIXELS", 40_000_000))


def min_side() -> int:
    return int(getattr(settings, "HUMAS_IMAGE_MIN_SIDE", 200))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _megapixels(n: int) -> str:
    return f"{n / 1_000_000:g}"


def not_an_image_error() -> ImageRejected:
    return ImageRejected(
        _("Berkas ini bukan gambar yang dapat dibaca. Unggah gambar JPEG, PNG, WebP, atau GIF."),
        code="not_image",
    )


def _too_many_pixels_error() -> ImageRejected:
    return ImageRejected(
        _("Resolusi gambar terlalu besar. Paling banyak %(limit)s megapiksel.")
        % {"limit": _megapixels(max_pixels())},
        code="too_many_pixels",
    )


def _file_size(file: Any) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    file.seek(0, io.SEEK_END)
    end = int(file.tell())
    file.seek(0)
    return end


def image_clean_texts(*, alt_text: str, caption: str = "") -> tuple[str, str]:
    """Normalise alt text and caption; alt text is required (it is what a screen reader says)."""
    alt = " ".join((alt_text or "").split())
    cap = " ".join((caption or "").split())
    if not alt:
        raise ImageRejected(
            _("Teks alternatif wajib diisi: jelaskan isi gambar untuk pembaca yang tidak dapat melihatnya."),
            code="alt_required",
        )
    if len(alt) > ALT_TEXT_MAX:
        raise ImageRejected(
            _("Teks alternatif paling panjang %(limit)d karakter.") % {"limit": ALT_TEXT_MAX},
            code="alt_too_long",
        )
    if len(cap) > CAPTION_MAX:
        raise ImageRejected(
            _("Keterangan gambar paling panjang %(limit)d karakter.") % {"limit": CAPTION_MAX},
            code="caption_too_long",
        )
    return alt, cap


def image_prepare(*, file: IO[bytes] | Any) -> PreparedImage:
    """Validate an uploaded file and return a clean re-encoded copy; store nothing.

    The byte size is checked before anything is read; the declared pixel size is checked after
    Pillow has read only the header, before any pixel is decoded. Raises ImageRejected.
    """
    size = _file_size(file)
    if size == 0:
        raise not_an_image_error()
    if size > max_bytes():
        raise ImageRejected(
            _("Berkas gambar terlalu besar. Ukuran paling besar %(limit)s MB.")
            % {"limit": _megabytes(max_bytes())},
            code="too_large",
        )
    file.seek(0)
    try:
        with Image.open(cast(IO[bytes], file), formats=ACCEPTED_FORMATS) as img:
            width, height = img.size
            # Our own limit, checked on the declared size before decoding: Pillow's global
            # MAX_IMAGE_PIXELS is a process-wide default we neither rely on nor change.
            if width * height > max_pixels():
                raise _too_many_pixels_error()
            if min(width, height) < min_side():
                raise ImageRejected(
                    _(
                        "Gambar terlalu kecil (%(width)d × %(height)d piksel). "
                        "Lebar dan tinggi paling kecil %(min)d piksel."
                    )
                    % {"width": width, "height": height, "min": min_side()},
                    code="too_small",
                )
            # Phones write MPO: a JPEG with extra frames; the first frame is the photo.
            source_format = "JPEG" if img.format == "MPO" else str(img.format)
            img.seek(0)  # an animated GIF or WebP: its first frame
            img.load()
            clean = _upright_srgb(img)
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels_error() from None
    except UnidentifiedImageError:
        raise not_an_image_error() from None
    except Exception as exc:
        # Truncated or corrupt data makes decoders raise OSError, SyntaxError, ValueError or
        # worse; none of it may become a 500.
        logger.info("image upload refused as corrupt: %s", exc)
        raise ImageRejected(
            _("Berkas gambar rusak atau tidak lengkap. Simpan ulang gambar itu lalu unggah lagi."),
            code="corrupt",
        ) from None
    return _encode_original(clean, source_format)


def _upright_srgb(img: Image.Image) -> Image.Image:
    """The pixels turned upright, in sRGB (RGB or RGBA), with no metadata left in ``info``."""
    icc = img.info.get("icc_profile")
    upright = ImageOps.exif_transpose(img) or img
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


def _encode_original(img: Image.Image, source_format: str) -> PreparedImage:
    buf = io.BytesIO()
    if img.mode == "RGBA":
        fmt = "WEBP" if source_format == "WEBP" else "PNG"
    else:
        fmt = {"JPEG": "JPEG", "WEBP": "WEBP"}.get(source_format, "PNG")
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=ORIGINAL_QUALITY, optimize=True)
    elif fmt == "WEBP":
        img.save(buf, "WEBP", quality=ORIGINAL_QUALITY, method=4)
    else:
        img.save(buf, "PNG")
    return PreparedImage(
        content=buf.getvalue(), format=fmt, source_format=source_format, width=img.width, height=img.height
    )


def _original_name(extension: str) -> str:
    # ArticleImage.file's upload_to, with a random name: the upload's own name is never used.
    return f"{timezone.now():portal/originals/%Y/%m}/{uuid.uuid4().hex}.{extension}"


def image_upload(
    *, actor: User, office: Office, file: IO[bytes] | PreparedImage | Any, alt_text: str, caption: str = ""
) -> ArticleImage:
    """Validate and store an image of ``office``. Needs content.draft there.

    ``file`` is an uploaded file (or a PreparedImage from image_prepare, to avoid decoding twice).
    Raises ImageRejected (a translated ValidationError) and then stores nothing. The clean
    original is written to storage only when the surrounding transaction commits, so a rollback
    leaves no file behind; the renditions task is enqueued right after it.
    """
    policy.require(actor, "content.draft", office)
    alt, cap = image_clean_texts(alt_text=alt_text, caption=caption)
    prepared = file if isinstance(file, PreparedImage) else image_prepare(file=file)
    name = _original_name(prepared.extension)
    with transaction.atomic():
        image = ArticleImage(
            office=office,
            alt_text=alt,
            caption=cap,
            width=prepared.width,
            height=prepared.height,
            state=State.PROCESSING,
            renditions={},
            created_by=actor,
        )
        image.file.name = name
        image.save()
        audit_record(
            actor=actor,
            office=office,
            action="image.upload",
            obj=image,
            changes={
                "file": name,
                "format": prepared.source_format,
                "width": prepared.width,
                "height": prepared.height,
                "bytes": len(prepared.content),
            },
        )
        image_id, content = image.pk, prepared.content
        transaction.on_commit(lambda: _store_original_and_enqueue(image_id, name, content))
    return image


def _store_original_and_enqueue(image_id: int, name: str, content: bytes) -> None:
    try:
        stored = default_storage.save(name, ContentFile(content))
    except Exception:
        logger.exception("image %s: storing the original %s failed", image_id, name)
        ArticleImage.objects.filter(pk=image_id).update(state=State.FAILED)
        return
    if stored != name:
        ArticleImage.objects.filter(pk=image_id).update(file=stored)
    image_renditions_task(image_id)


def _rendition_names(renditions: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("jpeg", "webp"):
        names.update(str(v) for v in (renditions.get(key) or {}).values())
    if renditions.get("og"):
        names.add(str(renditions["og"]))
    return names


def _delete_quietly(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("could not delete %s", name, exc_info=True)


def _put(name: str, img: Image.Image, fmt: str, written: list[str], **params: Any) -> str:
    """Write ``img`` under ``name``, replacing an earlier file of that name (a re-run)."""
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(buf.getvalue()))
    written.append(stored)
    return stored


def _flatten(img: Image.Image) -> Image.Image:
    """JPEG has no alpha: transparent areas become white, as on the page."""
    if img.mode == "RGB":
        return img
    rgba = img.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def rendition_widths(original_width: int) -> list[int]:
    """The widths to make: never wider than the original; a narrow original gets its own width."""
    return [w for w in RENDITION_WIDTHS if w <= original_width] or [original_width]


def _render(image_id: int, src: Image.Image, written: list[str]) -> dict[str, Any]:
    base = f"{RENDITIONS_DIR}/{image_id}"
    jpeg: dict[str, str] = {}
    webp: dict[str, str] = {}
    for width in rendition_widths(src.width):
        height = max(1, round(src.height * width / src.width))
        resized = (
            src
            if width == src.width
            else src.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        jpeg[str(width)] = _put(
            f"{base}/{width}.jpg",
            _flatten(resized),
            "JPEG",
            written,
            quality=JPEG_QUALITY,
            progressive=True,
            optimize=True,
        )
        webp[str(width)] = _put(
            f"{base}/{width}.webp", resized, "WEBP", written, quality=WEBP_QUALITY, method=4
        )
    # Cover-scale then centre-crop; a small original is scaled up for this one image only,
    # because share previews want exactly 1200×630.
    og = ImageOps.fit(_flatten(src), OG_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    og_name = _put(f"{base}/og.jpg", og, "JPEG", written, quality=85, progressive=True, optimize=True)
    return {"jpeg": jpeg, "webp": webp, "og": og_name}


def image_make_renditions(*, image_id: int) -> ArticleImage | None:
    """Make (again) the renditions of one image and mark it ready; None if it no longer exists.

    Idempotent: file names are fixed per image, width and format, so a second run replaces the
    same files, and names of an earlier run that this run did not make are deleted. Any failure
    marks the image failed with the reason logged, and leaves no rendition files.
    """
    image = ArticleImage.objects.filter(pk=image_id).first()
    if image is None:
        logger.info("image %s is gone; no renditions to make", image_id)
        return None
    previous = _rendition_names(image.renditions or {})
    written: list[str] = []
    try:
        with (
            default_storage.open(image.file.name or "", "rb") as fh,
            Image.open(fh, formats=ACCEPTED_FORMATS) as src,
        ):
            if src.width * src.height > max_pixels():
                raise ValueError(f"stored original is {src.width}x{src.height}, above the pixel limit")
            src.load()
            pixels = src.convert("RGBA" if src.mode in ("RGBA", "LA", "P") else "RGB")
        renditions = _render(image.pk, pixels, written)
    except Exception as exc:
        logger.error("image %s: renditions failed: %s: %s", image_id, type(exc).__name__, exc, exc_info=True)
        _delete_quietly(set(written) | previous)
        ArticleImage.objects.filter(pk=image_id).update(state=State.FAILED, renditions={})
        image.state, image.renditions = State.FAILED, {}
        return image
    _delete_quietly(previous - set(written))
    ArticleImage.objects.filter(pk=image_id).update(
        renditions=renditions, width=pixels.width, height=pixels.height, state=State.READY
    )
    image.renditions, image.width, image.height, image.state = (
        renditions,
        pixels.width,
        pixels.height,
        State.READY,
    )
    return image


def image_retry_stale(*, older_than: timedelta = timedelta(minutes=15)) -> int:
    """Make the renditions of images still processing long after upload (a worker died)."""
    cutoff = timezone.now() - older_than
    ids = list(
        ArticleImage.objects.filter(state=State.PROCESSING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:100]
    )
    for image_id in ids:
        image_make_renditions(image_id=image_id)
    return len(ids)


def image_list_for_office(
    *, office: Office, include_id: int | None = None, limit: int = 100
) -> QuerySet[ArticleImage]:
    """Images an article of ``office`` may use as its cover: the office's own, newest first, not
    failed; plus ``include_id`` (the current cover) so an edit never loses it."""
    recent = (
        ArticleImage.objects.filter(office=office)
        .exclude(state=State.FAILED)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = set(recent)
    if include_id is not None:
        ids |= set(ArticleImage.objects.filter(office=office, pk=include_id).values_list("pk", flat=True))
    return ArticleImage.objects.filter(pk__in=ids).order_by("-created_at", "-pk")


def image_get_for_office(*, actor: User, office: Office, image_id: int) -> ArticleImage | None:
    """One image of ``office`` the actor may see; None for another office's image."""
    policy.require(actor, "content.view", office)
    return ArticleImage.objects.filter(office=office, pk=image_id).first()


# Enqueued by the code above; declared here, beside it, so that this module never imports tasks.py
# (tasks.py imports it): the import graph stays one-way. A task takes ids, loads fresh state and
# calls the service, so it is idempotent.
@db_task()
def image_renditions_task(image_id: int) -> None:
    """Make the renditions of an uploaded image (idempotent; a failure marks the image failed)."""
    image_make_renditions(image_id=image_id)
