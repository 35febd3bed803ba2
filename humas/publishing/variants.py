"""Per-platform text: a post has one main text and, optionally, its own text per platform.

The limits are the connectors' own (``validate``), so what the edit page, the submit and approve
warnings and ``publication_create`` say is exactly what the delivery engine would meet:
X 280 weighted characters (``weighted_length``: URLs 23, many non-Latin characters and emoji 2),
Instagram 2,200 characters, 30 hashtags and 20 mentions, Telegram 4,096 characters or 1,024 as a
photo caption, Facebook 63,206.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.connectors import BadRequest, ImageURL, PublishRequest, build_connector, weighted_length
from humas.channels.connectors import instagram as instagram_connector
from humas.channels.connectors import telegram as telegram_connector
from humas.channels.connectors import x as x_connector
from humas.channels.connectors.facebook import TEXT_LIMIT as FACEBOOK_LIMIT
from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.core import workflow
from humas.offices import policy

from .images import back_to_draft, image_problems
from .models import Post, PostVariant
from .services import EDITABLE, MAX_TEXT, PublishingError, post_variant_text

# Platforms a variant can be written for: the API ones and the assisted ones (copy-ready text).
VARIANT_PLATFORMS = (
    Platform.FACEBOOK,
    Platform.INSTAGRAM,
    Platform.X,
    Platform.TELEGRAM,
    Platform.WHATSAPP,
    Platform.TIKTOK,
    Platform.YOUTUBE,
)
_STAND_IN_IMAGE = "https://humas.invalid/gambar-{}.jpg"


@dataclass(frozen=True)
class Limit:
    """How a platform counts a text, for the live counter (and its server-side twin)."""

    limit: int
    limit_with_images: int
    weighted: bool = False
    hashtags: int = 0  # 0: no hashtag limit


LIMITS: dict[str, Limit] = {
    Platform.X: Limit(
        x_connector.MAX_WEIGHTED_LENGTH,
        x_connector.MAX_WEIGHTED_LENGTH,
        weighted=True,
    ),
    Platform.INSTAGRAM: Limit(
        instagram_connector.CAPTION_LIMIT,
        instagram_connector.CAPTION_LIMIT,
        hashtags=instagram_connector.HASHTAG_LIMIT,
    ),
    Platform.TELEGRAM: Limit(
        telegram_connector.TEXT_LIMIT,
        telegram_connector.CAPTION_LIMIT,
    ),
    Platform.FACEBOOK: Limit(
        FACEBOOK_LIMIT,
        FACEBOOK_LIMIT,
    ),
}


@dataclass(frozen=True)
class Count:
    """One platform's count of the text it would get, shown beside the editor."""

    platform: str
    label: str
    length: int
    limit: int | None
    unit: str
    hashtags: int
    hashtag_limit: int
    from_variant: bool

    @property
    def over(self) -> bool:
        return (self.limit is not None and self.length > self.limit) or (
            self.hashtag_limit > 0 and self.hashtags > self.hashtag_limit
        )


def _lang() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def with_link(text: str, link: str) -> str:
    """The text as the connectors send it: the link appended unless already in it."""
    if link and link not in text:
        return f"{text}\n\n{link}".strip()
    return text


def text_problem(
    *, platform: str, text: str, link: str = "", image_count: int = 0, images: bool = False
) -> str | None:
    """Why ``platform`` would refuse ``text`` (translated, the limit named), or None.

    With ``images`` False only the text is judged (one stand-in image takes the place of the images, so
    Telegram counts the caption limit when the post has images and Instagram does not complain
    about a missing image); with ``images`` True the number of images is judged too."""
    if platform not in API_PLATFORMS:
        if len(text) > MAX_TEXT:
            return _("Teks terlalu panjang (batas %(limit)s karakter).") % {"limit": MAX_TEXT}
        return None
    # Text only: one stand-in image (Telegram then counts the caption limit; Instagram does
    # not complain of a missing image).
    text_only_count = 1 if platform == Platform.INSTAGRAM else min(image_count, 1)
    count = image_count if images else text_only_count
    request = PublishRequest(
        text=text,
        link=link or None,
        images=tuple(ImageURL(_STAND_IN_IMAGE.format(i)) for i in range(count)),
    )
    return request_problem(platform=platform, request=request)


def request_problem(*, platform: str, request: PublishRequest) -> str | None:
    """Why ``platform`` would refuse ``request`` (translated, the limit named), or None.
    validate() is local (limits only): no credential and no network needed."""
    checker = build_connector(platform, account_id="-", token="-")  # noqa: S106
    try:
        checker.validate(request)
    except BadRequest as exc:
        return exc.message_in(_lang())
    finally:
        checker.close()
    return None


def counts(*, text: str, link: str, variants: Mapping[str, str], image_count: int) -> list[Count]:
    """What each platform would count for the post as written (variant, or the main text)."""
    result = []
    labels = dict(Platform.choices)
    for platform in VARIANT_PLATFORMS:
        own = (variants.get(platform) or "").strip()
        full = with_link(own or text, link)
        limit = LIMITS.get(platform)
        if limit is None:
            length, top, unit, hashtags, hashtag_limit = len(full), None, str(_("karakter")), 0, 0
        else:
            length = weighted_length(full) if limit.weighted else len(full)
            top = limit.limit_with_images if image_count else limit.limit
            unit = _("karakter berbobot") if limit.weighted else _("karakter")
            hashtag_limit = limit.hashtags
            hashtags = len(instagram_connector._HASHTAG.findall(full)) if hashtag_limit else 0
        result.append(
            Count(
                platform=platform,
                label=str(labels[platform]),
                length=length,
                limit=top,
                unit=unit,
                hashtags=hashtags,
                hashtag_limit=hashtag_limit,
                from_variant=bool(own),
            )
        )
    return result


def variant_problems(*, texts: Mapping[str, str], link: str, image_count: int) -> dict[str, str]:
    """Per platform, why its variant would be refused (only the variants written)."""
    problems = {}
    for platform, text in texts.items():
        text = text.replace("\x00", "").strip()
        if text:
            problem = text_problem(platform=platform, text=text, link=link, image_count=image_count)
            if problem:
                problems[platform] = problem
    return problems


def post_variants_set(*, actor: User, post: Post, texts: Mapping[str, str]) -> bool:
    """Set the per-platform texts of a post not yet published (an empty text removes the
    variant: that platform gets the main text). Needs content.draft. A variant the platform
    would refuse is refused here, naming the limit. A change to a post in review or approved
    sends it back to draft. Returns whether anything changed."""
    policy.require(actor, "content.draft", post.office)
    cleaned: dict[str, str] = {}
    for platform, text in texts.items():
        if platform not in VARIANT_PLATFORMS:
            raise PublishingError(_("Platform itu tidak dikenal."))
        cleaned[platform] = text.replace("\x00", "").strip()
    with transaction.atomic():
        locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
        if locked.status not in EDITABLE:
            raise PublishingError(_("Unggahan yang sudah diterbitkan tidak dapat diubah."))
        problems = variant_problems(texts=cleaned, link=locked.link, image_count=locked.images.count())
        if problems:
            raise PublishingError(next(iter(problems.values())))
        current = {v.platform: v for v in PostVariant.objects.filter(post=locked)}
        changed: list[str] = []
        for platform, text in cleaned.items():
            existing = current.get(platform)
            if not text:
                if existing is not None:
                    existing.delete()
                    changed.append(platform)
            elif existing is None:
                PostVariant.objects.create(post=locked, platform=platform, text=text)
                changed.append(platform)
            elif existing.text != text:
                existing.text = text
                existing.save(update_fields=["text", "updated_at"])
                changed.append(platform)
        if not changed:
            return False
        changed_fields = workflow.mark_changed(locked, actor)
        status_before = locked.status
        back = back_to_draft(locked)
        locked.save(update_fields=["status", "approved_by", "approved_at", *changed_fields, "updated_at"])
        audit_record(
            actor=actor,
            office=locked.office,
            action="post.variants",
            obj=locked,
            changes={
                "platforms": sorted(changed),
                **({"status": {"before": status_before, "after": locked.status}} if back else {}),
            },
        )
    post.status, post.approved_by, post.approved_at = locked.status, locked.approved_by, locked.approved_at
    post.last_changed_by, post.last_changed_at = locked.last_changed_by, locked.last_changed_at
    return True


def post_channel_problems(*, post: Post, platforms: Iterable[str] | None = None) -> list[str]:
    """What the post's channels would refuse in it as it stands (text and images), translated,
    the limit named. ``platforms`` defaults to the API platforms of its target channels, or of
    all the office's active channels while it has none chosen yet."""
    if platforms is None:
        channels = Channel.objects.filter(is_active=True, platform__in=API_PLATFORMS)
        chosen = (
            channels.filter(pk__in=post.channels.all())
            if post.channels.exists()
            else channels.filter(office_id=post.office_id)
        )
        platforms = chosen.values_list("platform", flat=True).distinct()
    images = list(post.images.all())
    problems: list[str] = []
    for platform in sorted(set(platforms)):
        text = post_variant_text(post=post, platform=platform)
        problem = text_problem(
            platform=platform, text=text, link=post.link, image_count=len(images), images=True
        )
        if problem:
            problems.append(problem)
        problems.extend(image_problems(images=images, platform=platform))
    return problems
