"""Images on posts: upload through the portal's hardened pipeline, order, alt text, and the
rendition each platform gets.

An upload goes through the shared pipeline (humas/media/pipeline.py ``prepare_upload``): decoded
by Pillow, never trusted by its name or content type, byte/pixel/bomb limits checked before
decoding, EXIF (GPS) stripped, re-encoded. Only that clean copy is stored, in the private storage
(humas/publishing/storage.py): a draft's images are reachable only through the back office, which
checks the office. Scaling, padding and encoding are humas/media/variants.py.

What each platform gets (``images_for_platform``):

* Instagram fetches the image itself from a public URL (``HUMAS_PUBLIC_BASE_URL``), which answers
  only once the post is published. It takes JPEG only, 320–1440 px wide, with an aspect ratio
  between 4:5 and 1.91:1: its rendition is a JPEG at most 1440 px wide, and an image outside that
  range is *padded* with white bars to the nearest allowed ratio (never cropped, so text on an
  infographic is never cut). The page says so per image.
* X, Facebook and Telegram get the bytes. The original goes as it is when the platform takes its
  type and size; otherwise a JPEG rendition is made, scaled down until it fits. Telegram refuses a
  photo whose sides differ more than 20:1: that is caught before sending, naming the limit.

Renditions are files with fixed names per image and kind, so making one again is harmless.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task
from PIL import Image

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.connectors import ImageBytes, ImageURL
from humas.channels.connectors import facebook as facebook_connector
from humas.channels.connectors import telegram as telegram_connector
from humas.channels.connectors import x as x_connector
from humas.core import workflow
from humas.media import variants
from humas.media.pipeline import ImageRejected, PreparedImage, clean_texts, prepare_upload
from humas.media.storage import delete_quietly, read_bytes, save_new
from humas.offices import policy

from .models import Post, PostImage
from .services import EDITABLE, PublishingError, back_to_draft
from .storage import post_image_storage

logger = logging.getLogger(__name__)

MAX_IMAGES = 10  # the most any platform takes in one post (Instagram carousel, Telegram album)
THUMB_WIDTH = 480
JPEG_QUALITY = 88
# Instagram: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
IG_MIN_RATIO, IG_MAX_RATIO = 4 / 5, 1.91
IG_MAX_WIDTH = 1440
IG_MAX_BYTES = 8 * 1024 * 1024
TELEGRAM_MAX_RATIO = 20
TELEGRAM_MAX_SIDES = 10_000  # width + height of a photo
# Kinds a public URL may name: only platforms that fetch images themselves.
PUBLIC_KINDS = frozenset({"instagram"})
BYTES_KINDS = frozenset({"facebook", "x", "telegram"})


@dataclass(frozen=True)
class ImageSpec:
    """What a platform takes as an uploaded photo."""

    max_bytes: int
    mimes: frozenset[str]
    max_side: int  # longest side we send; larger originals are scaled down


SPECS: dict[str, ImageSpec] = {
    "x": ImageSpec(
        max_bytes=x_connector.MAX_IMAGE_BYTES,
        mimes=x_connector.IMAGE_TYPES,
        max_side=4096,
    ),
    "facebook": ImageSpec(
        max_bytes=facebook_connector.MAX_IMAGE_BYTES,
        mimes=frozenset(facebook_connector.IMAGE_TYPES),
        max_side=4096,
    ),
    "telegram": ImageSpec(
        max_bytes=telegram_connector.MAX_PHOTO_BYTES,
        mimes=frozenset({"image/jpeg", "image/png", "image/webp"}),
        max_side=4096,
    ),
}


@dataclass(frozen=True)
class NewImage:
    """An upload already validated by ``post_image_prepare``, with its alt text."""

    prepared: PreparedImage
    alt_text: str


def post_image_prepare(*, file: IO[bytes] | Any) -> PreparedImage:
    """Validate one upload (type by content, size, pixels, decompression bombs) and return the
    clean copy. Raises ImageRejected with a translated message; stores nothing."""
    return prepare_upload(file=file)


# --------------------------------------------------------------------------------------------
# Changing a post's images


def _name(office_id: int, key: str, extension: str) -> str:
    return f"posts/{office_id}/{key}.{extension}"


def _rendition_name(image: PostImage, kind: str) -> str:
    return f"renditions/{image.key}/{kind}.jpg"


def _delete_files(names: Collection[str]) -> None:
    delete_quietly(storage=post_image_storage(), names=names)


def _files_of(image: PostImage) -> list[str]:
    names = [image.file.name or ""]
    names += [_rendition_name(image, kind) for kind in ("thumb", *PUBLIC_KINDS, *BYTES_KINDS)]
    return [n for n in names if n]


def post_images_change(
    *,
    actor: User,
    post: Post,
    add: Sequence[NewImage] = (),
    alt_texts: Mapping[int, str] | None = None,
    order: Sequence[int] | None = None,
    remove: Collection[int] = (),
) -> bool:
    """Add, remove, reorder and re-describe the images of a post not yet published. Needs
    content.draft. ``order`` lists image ids first to last (others keep their relative order
    after them; new images come last). Any change to a post in review or approved sends it back
    to draft. Returns whether anything changed. Raises PublishingError or ImageRejected
    (translated) and then changes nothing."""
    policy.require(actor, "content.draft", post.office)
    alt_texts = alt_texts or {}
    new_alts = [clean_texts(alt_text=item.alt_text)[0] for item in add]
    cleaned_alts = {pk: clean_texts(alt_text=text)[0] for pk, text in alt_texts.items()}
    storage = post_image_storage()
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
            if locked.status not in EDITABLE:
                raise PublishingError(_("Unggahan yang sudah diterbitkan tidak dapat diubah."))
            current = {image.pk: image for image in PostImage.objects.filter(post=locked)}
            unknown = (set(remove) | set(cleaned_alts) | set(order or ())) - set(current)
            if unknown:
                raise PublishingError(_("Gambar itu bukan gambar unggahan ini."))
            kept = [image for pk, image in sorted(current.items()) if pk not in set(remove)]
            if len(kept) + len(add) > MAX_IMAGES:
                raise PublishingError(
                    _("Terlalu banyak gambar: %(count)s dari batas %(limit)s per unggahan.")
                    % {"count": len(kept) + len(add), "limit": MAX_IMAGES}
                )
            kept.sort(key=lambda image: (image.position, image.pk))
            if order:
                rank = {pk: index for index, pk in enumerate(order)}
                kept.sort(key=lambda image: rank.get(image.pk, len(rank)))
            changes: dict[str, Any] = {}
            removed = [current[pk] for pk in sorted(set(remove))]
            if removed:
                PostImage.objects.filter(pk__in=[image.pk for image in removed]).delete()
                changes["removed"] = [image.pk for image in removed]
            for position, image in enumerate(kept):
                fields = []
                alt = cleaned_alts.get(image.pk)
                if alt is not None and alt != image.alt_text:
                    image.alt_text = alt
                    fields.append("alt_text")
                    changes.setdefault("alt_text", []).append(image.pk)
                if image.position != position:
                    image.position = position
                    fields.append("position")
                    changes["order"] = True
                if fields:
                    image.save(update_fields=fields)
            added = []
            for offset, (item, alt) in enumerate(zip(add, new_alts, strict=True)):
                key = uuid.uuid4().hex
                name = save_new(
                    storage=storage,
                    name=_name(locked.office_id, key, item.prepared.extension),
                    content=item.prepared.content,
                )
                written.append(name)
                image = PostImage(
                    post=locked,
                    position=len(kept) + offset,
                    key=key,
                    alt_text=alt,
                    width=item.prepared.width,
                    height=item.prepared.height,
                    mime=item.prepared.mime,
                    bytes=len(item.prepared.content),
                )
                image.file.name = name
                image.save()
                added.append(
                    {"id": image.pk, "width": image.width, "height": image.height, "bytes": image.bytes}
                )
            if added:
                changes["added"] = added
                ids = [item["id"] for item in added]
                # Made ahead, in the worker: publishing then finds them ready.
                transaction.on_commit(lambda: _enqueue_renditions(ids))
            if not changes:
                return False
            # Adding, removing, reordering and re-describing all change what goes out.
            changed_fields = workflow.mark_changed(locked, actor)
            status_before = locked.status
            if back_to_draft(locked):
                changes["status"] = {"before": status_before, "after": locked.status}
            locked.save(update_fields=["status", "approved_by", "approved_at", *changed_fields, "updated_at"])
            audit_record(actor=actor, office=locked.office, action="post.images", obj=locked, changes=changes)
            stale = [name for image in removed for name in _files_of(image)]
            transaction.on_commit(lambda: _delete_files(stale))
    except Exception:
        _delete_files(written)
        raise
    _copy_review_state(locked, post)
    return True


def _copy_review_state(source: Post, target: Post) -> None:
    """Show the caller's instance what the service changed on the locked row."""
    target.status, target.approved_by, target.approved_at = (
        source.status,
        source.approved_by,
        source.approved_at,
    )
    target.last_changed_by, target.last_changed_at = source.last_changed_by, source.last_changed_at


# --------------------------------------------------------------------------------------------
# Renditions


def instagram_padding(width: int, height: int) -> tuple[int, int]:
    """The canvas an image of ``width``×``height`` is padded to for Instagram (4:5 to 1.91:1)."""
    return variants.padded_size(width=width, height=height, min_ratio=IG_MIN_RATIO, max_ratio=IG_MAX_RATIO)


def _instagram_ratio(img: Image.Image) -> Image.Image:
    return variants.pad_to_ratio(image=img, min_ratio=IG_MIN_RATIO, max_ratio=IG_MAX_RATIO)


def _make_instagram(img: Image.Image) -> bytes:
    # Pad, scale to Instagram's width, and pad again by a pixel if rounding left the ratio out.
    padded = _instagram_ratio(variants.fit_within(image=_instagram_ratio(img), max_width=IG_MAX_WIDTH))
    return variants.jpeg_within_bytes(image=padded, max_bytes=IG_MAX_BYTES, quality=JPEG_QUALITY)


def _make_fitting(img: Image.Image, spec: ImageSpec) -> bytes:
    """A JPEG within the platform's size: scaled down until it fits."""
    scaled = variants.fit_within(image=img, max_side=spec.max_side)
    return variants.jpeg_shrunk_to_bytes(image=scaled, max_bytes=spec.max_bytes, quality=JPEG_QUALITY)


def _original_fits(image: PostImage, spec: ImageSpec) -> bool:
    return (
        image.mime in spec.mimes
        and image.bytes <= spec.max_bytes
        and max(image.width, image.height) <= (spec.max_side)
    )


def image_rendition(*, image: PostImage, kind: str) -> tuple[bytes, str]:
    """The bytes and content type of ``image`` as ``kind`` ("thumb", "instagram", "x",
    "facebook", "telegram") gets it. Made once and kept; the original when it already fits."""
    storage = post_image_storage()
    spec = SPECS.get(kind)
    if spec is not None and _original_fits(image, spec):
        return read_bytes(storage=storage, name=image.file.name or ""), image.mime
    name = _rendition_name(image, kind)
    if storage.exists(name):
        return read_bytes(storage=storage, name=name), "image/jpeg"
    img = variants.open_stored(storage=storage, name=image.file.name or "")
    if kind == "thumb":
        data = variants.encode_jpeg(image=variants.fit_within(image=img, max_width=THUMB_WIDTH), quality=80)
    elif kind == "instagram":
        data = _make_instagram(img)
    elif spec is not None:
        data = _make_fitting(img, spec)
    else:
        raise ValueError(f"unknown rendition kind {kind!r}")
    try:
        save_new(storage=storage, name=name, content=data)
    except OSError:
        logger.warning("could not keep rendition %s", name, exc_info=True)
    return data, "image/jpeg"


RENDITION_KINDS = ("thumb", "instagram", "x", "facebook", "telegram")


def _enqueue_renditions(image_ids: list[int]) -> None:
    for image_id in image_ids:
        post_image_renditions_task(image_id)


def post_image_renditions(*, image_id: int) -> list[str]:
    """Make the thumbnail and every platform's rendition of one image (each kept once made, so
    a second run reads them back). Returns the kinds; empty if the image is gone."""
    image = PostImage.objects.filter(pk=image_id).first()
    if image is None:
        return []
    for kind in RENDITION_KINDS:
        image_rendition(image=image, kind=kind)
    return list(RENDITION_KINDS)


def public_image_url(*, image: PostImage, kind: str = "instagram") -> str:
    """The absolute URL a platform fetches ``image`` from (answers once the post is published)."""
    path = reverse("publishing:public_image", kwargs={"key": image.key, "kind": kind})
    return f"{settings.HUMAS_PUBLIC_BASE_URL}{path}"


def images_for_platform(*, post: Post, platform: str) -> tuple[ImageBytes | ImageURL, ...]:
    """The post's images in the form ``platform`` takes them: URLs for Instagram, bytes for the
    others. Raises PublishingError (naming the limit) for an image the platform would refuse
    whatever we do with it."""
    images = list(post.images.all())
    if not images:
        return ()
    problem = image_problems(images=images, platform=platform)
    if problem:
        raise PublishingError(problem[0])
    if platform == "instagram":
        return tuple(ImageURL(public_image_url(image=image)) for image in images)
    result: list[ImageBytes | ImageURL] = []
    for index, image in enumerate(images, start=1):
        try:
            data, mime = image_rendition(image=image, kind=platform)
        except (OSError, Image.DecompressionBombError) as exc:
            logger.error("post image %s cannot be read: %s", image.pk, exc)
            raise PublishingError(
                _("Gambar %(n)s tidak dapat dibaca dari penyimpanan; hapus lalu unggah lagi.") % {"n": index}
            ) from None
        extension = {"image/png": "png", "image/webp": "webp", "image/gif": "gif"}.get(mime, "jpg")
        result.append(ImageBytes(data=data, mime=mime, filename=f"gambar-{index}.{extension}"))
    return tuple(result)


def image_problems(*, images: Sequence[PostImage], platform: str) -> list[str]:
    """Why ``platform`` would refuse these images whatever rendition we make (translated, the
    limit named); empty when it takes them."""
    problems: list[str] = []
    if (
        platform == "instagram"
        and images
        and not settings.HUMAS_PUBLIC_BASE_URL.startswith(("https://", "http://"))
    ):
        problems.append(
            _(
                "Instagram mengambil gambar dari URL publik, tetapi HUMAS_PUBLIC_BASE_URL belum diatur. "
                "Minta administrator sistem mengaturnya."
            )
        )
    if platform == "telegram":
        for index, image in enumerate(images, start=1):
            long, short = max(image.width, image.height), min(image.width, image.height)
            if long > TELEGRAM_MAX_RATIO * short:
                problems.append(
                    _(
                        "Gambar %(n)s terlalu memanjang untuk Telegram (%(width)s × %(height)s piksel); "
                        "sisi panjang paling banyak %(limit)s kali sisi pendek."
                    )
                    % {"n": index, "width": image.width, "height": image.height, "limit": TELEGRAM_MAX_RATIO}
                )
    return problems


def image_adjustments(*, images: Sequence[PostImage]) -> list[str]:
    """What Humas changes in the images for a platform, said to the person (translated)."""
    notes: list[str] = []
    for index, image in enumerate(images, start=1):
        canvas = instagram_padding(image.width, image.height)
        if canvas != (image.width, image.height):
            notes.append(
                _(
                    "Instagram: gambar %(n)s (%(width)s × %(height)s) di luar rasio 4:5 sampai 1,91:1 "
                    "yang diterima Instagram; Humas menambahkan bingkai putih (tidak memotong gambar)."
                )
                % {"n": index, "width": image.width, "height": image.height}
            )
    return notes


__all__ = [
    "MAX_IMAGES",
    "ImageRejected",
    "NewImage",
    "back_to_draft",
    "image_adjustments",
    "image_problems",
    "image_rendition",
    "images_for_platform",
    "post_image_prepare",
    "post_images_change",
    "public_image_url",
]


# Enqueued by the code above; declared here, beside it, so that this module never imports tasks.py
# (tasks.py imports it): the import graph stays one-way. A task takes ids, loads fresh state and
# calls the service, so it is idempotent.
@db_task(retries=2, retry_delay=60)
def post_image_renditions_task(image_id: int) -> None:
    """A new post image's thumbnail and platform renditions, made before anyone publishes."""
    post_image_renditions(image_id=image_id)
