"""Article images: validated uploads with metadata stripped, and renditions made by a task.

Uploads go through the shared pipeline (humas/media/pipeline.py): decoded by Pillow, checked
against byte, pixel and dimension limits, turned upright, converted to sRGB and re-encoded without
any metadata. Only that clean copy is stored, in the private storage. The renditions the public
pages use (JPEG and WebP at a few widths, and the 1200×630 OpenGraph crop) are made afterwards by
``image_renditions_task``, also in the private storage, under a directory named by a keyed hash of
the image's id (not a guessable sequence).

An image reaches the public storage (plain files nginx serves) only while an article that uses it
(as its cover, or in its body) is published: ``image_publication_sync`` copies its renditions there
when that starts and deletes them when it ends. The back office sees every image of its office
through ``views.images.image_file``, which checks who asks.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from huey.contrib.djhuey import db_task
from PIL import Image

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.media import variants
from humas.media.pipeline import ALT_TEXT_MAX as ALT_TEXT_MAX
from humas.media.pipeline import CAPTION_MAX as CAPTION_MAX
from humas.media.pipeline import ImageRejected as ImageRejected
from humas.media.pipeline import PreparedImage, clean_texts, max_pixels, prepare_upload
from humas.media.pipeline import max_bytes as max_bytes
from humas.media.pipeline import min_side as min_side
from humas.media.pipeline import not_an_image_error as not_an_image_error
from humas.media.storage import (
    delete_quietly,
    private_storage,
    public_storage,
    read_bytes,
    save_new,
    save_replacing,
)
from humas.offices import policy
from humas.offices.models import Office

from .models import Article, ArticleImage

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (480, 960, 1440)
OG_SIZE = (1200, 630)
JPEG_QUALITY = 82
WEBP_QUALITY = 80
OG_QUALITY = 85
RENDITIONS_DIR = "portal/renditions"

State = ArticleImage.State


def image_clean_texts(*, alt_text: str, caption: str = "") -> tuple[str, str]:
    """Normalise alt text and caption of an article image; alt text is required."""
    return clean_texts(alt_text=alt_text, caption=caption)


def image_prepare(*, file: IO[bytes] | Any) -> PreparedImage:
    """Validate an uploaded file and return a clean re-encoded copy; store nothing.
    Raises ImageRejected (humas/media/pipeline.py ``prepare_upload``)."""
    return prepare_upload(file=file)


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
        stored = save_new(storage=private_storage(), name=name, content=content)
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


def rendition_widths(original_width: int) -> list[int]:
    """The widths to make: never wider than the original; a narrow original gets its own width."""
    return variants.rendition_widths(original_width=original_width, widths=RENDITION_WIDTHS)


def rendition_key(image_id: int) -> str:
    """The directory name of an image's renditions: a keyed hash of its id, so that nobody can
    walk the ids of unpublished images, yet the same on every run (re-runs replace the files)."""
    message = f"portal.article-image:{image_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def rendition_dir(image: ArticleImage) -> str:
    """The directory holding this image's renditions (from the stored names: images made before
    the keyed names keep their directory)."""
    og = (image.renditions or {}).get("og") if isinstance(image.renditions, dict) else None
    if isinstance(og, str) and "/" in og:
        return og.rsplit("/", 1)[0] + "/"
    return f"{RENDITIONS_DIR}/{rendition_key(image.pk)}/"


def _render(image_id: int, src: Image.Image, written: list[str]) -> dict[str, Any]:
    base = f"{RENDITIONS_DIR}/{rendition_key(image_id)}"
    storage = private_storage()

    def put(name: str, content: bytes) -> str:
        stored = save_replacing(storage=storage, name=name, content=content)
        written.append(stored)
        return stored

    jpeg: dict[str, str] = {}
    webp: dict[str, str] = {}
    for width in rendition_widths(src.width):
        resized = variants.fit_within(image=src, max_width=width)
        jpeg[str(width)] = put(
            f"{base}/{width}.jpg", variants.encode_jpeg(image=resized, quality=JPEG_QUALITY)
        )
        webp[str(width)] = put(
            f"{base}/{width}.webp", variants.encode_webp(image=resized, quality=WEBP_QUALITY)
        )
    # Cover-scale then centre-crop; a small original is scaled up for this one image only,
    # because share previews want exactly 1200×630.
    og = variants.cover_crop(image=variants.flatten(image=src), size=OG_SIZE)
    og_name = put(f"{base}/og.jpg", variants.encode_jpeg(image=og, quality=OG_QUALITY))
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
    storage = private_storage()
    previous = _rendition_names(image.renditions or {})
    written: list[str] = []
    try:
        _keep_private(name=image.file.name or "")
        # The upload recorded the original's size: a large JPEG is then decoded only as large as
        # the biggest rendition needs.
        at_least = (
            variants.needed_size(
                width=image.width, height=image.height, max_width=max(RENDITION_WIDTHS), cover=OG_SIZE
            )
            if image.width and image.height
            else None
        )
        pixels = variants.open_stored(
            storage=storage, name=image.file.name or "", pixel_limit=max_pixels(), at_least=at_least
        )
        width, height = (image.width, image.height) if at_least else pixels.size
        renditions = _render(image.pk, pixels, written)
        pixels.close()
    except Exception as exc:
        logger.error("image %s: renditions failed: %s: %s", image_id, type(exc).__name__, exc, exc_info=True)
        delete_quietly(storage=storage, names=set(written) | previous)
        delete_quietly(storage=public_storage(), names=set(written) | previous)
        ArticleImage.objects.filter(pk=image_id).update(state=State.FAILED, renditions={})
        image.state, image.renditions = State.FAILED, {}
        return image
    delete_quietly(storage=storage, names=previous - set(written))
    delete_quietly(storage=public_storage(), names=previous - set(written))
    ArticleImage.objects.filter(pk=image_id).update(
        renditions=renditions, width=width, height=height, state=State.READY
    )
    image.renditions, image.width, image.height, image.state = (renditions, width, height, State.READY)
    # Chosen for an article that was published while the renditions were being made.
    image_publication_sync(image_ids=[image.pk])
    return image


def _keep_private(*, name: str) -> None:
    """Move a file stored in the public storage before images were kept private (the original
    of an older image) into the private storage, under the same name."""
    if not name or private_storage().exists(name) or not public_storage().exists(name):
        return
    save_replacing(
        storage=private_storage(), name=name, content=read_bytes(storage=public_storage(), name=name)
    )
    delete_quietly(storage=public_storage(), names=[name])


def image_is_published(image: ArticleImage) -> bool:
    """Whether an article using ``image`` (as cover or in its body) is published."""
    uses = Q(cover_id=image.pk) | Q(body__contains=rendition_dir(image))
    return Article.objects.filter(uses, status=Article.Status.PUBLISHED).exists()


def image_publication_sync(*, image_ids: Iterable[int]) -> None:
    """Make the public copies of these images' renditions match whether a published article uses
    them: copied from the private storage when one does, deleted otherwise. Idempotent; run after
    an article's publication changes commits (and after renditions are made)."""
    public, private = public_storage(), private_storage()
    for image in ArticleImage.objects.filter(pk__in=set(image_ids), state=State.READY):
        names = _rendition_names(image.renditions or {})
        for name in names:
            _keep_private(name=name)
        if image_is_published(image):
            for name in names:
                if private.exists(name) and not public.exists(name):
                    save_new(storage=public, name=name, content=read_bytes(storage=private, name=name))
        else:
            delete_quietly(storage=public, names=[n for n in names if public.exists(n)])


def image_publication_sync_all() -> int:
    """Bring every image to the private scheme: originals and renditions stored publicly before
    images were kept private move to the private storage, and public copies remain only for
    images a published article uses. Idempotent; returns how many images it looked at."""
    ids = list(ArticleImage.objects.values_list("pk", flat=True))
    for image in ArticleImage.objects.filter(pk__in=ids).only("file"):
        _keep_private(name=image.file.name or "")
    image_publication_sync(image_ids=ids)
    return len(ids)


def article_image_ids(article: Article) -> set[int]:
    """The images an article shows: its cover and the images of its office its body refers to."""
    ids = {article.cover_id} if article.cover_id else set()
    if RENDITIONS_DIR in (article.body or ""):
        for image in ArticleImage.objects.filter(office_id=article.office_id, state=State.READY):
            if rendition_dir(image) in article.body:
                ids.add(image.pk)
    return ids


def image_file(*, image: ArticleImage, name: str) -> bytes | None:
    """The bytes of one of ``image``'s renditions by file name ("480.jpg", "og.jpg"), from the
    private storage; None for a name that is not one of its renditions."""
    wanted = {n.rsplit("/", 1)[-1]: n for n in _rendition_names(image.renditions or {})}
    stored = wanted.get(name)
    if stored is None:
        return None
    for storage in (private_storage(), public_storage()):
        if storage.exists(stored):
            return read_bytes(storage=storage, name=stored)
    return None


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
