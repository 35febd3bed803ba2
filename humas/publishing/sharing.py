"""A published portal article shared to the office's channels ("Bagikan ke kanal").

One step makes a draft post in the article's office, pre-filled from the article: its title and
summary (or the start of its body) as the text, its public address as the link, its cover as the
image, and every channel the office publishes to except its own portal (the article is already
there). The post then goes through the usual approval (submit, approve by a second person,
publish); nothing is sent from here. Sharing the same article again finds the post made before.
"""

from __future__ import annotations

import io
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.channels.models import Platform
from humas.media.pipeline import ImageRejected, PreparedImage, prepare_upload
from humas.media.storage import private_storage, public_storage, read_bytes
from humas.offices import policy
from humas.portal.models import Article, ArticleImage
from humas.portal.sanitize import html_to_text
from humas.web.origins import public_url

from .images import NewImage, post_images_change
from .models import Post
from .portal_channel import channel_list_for_publishing
from .services import MAX_TEXT, PublishingError, post_create

logger = logging.getLogger(__name__)

EXCERPT_MAX_CHARS = 280  # of the body, when the article has no summary


def article_share_link(article: Article) -> str:
    """The article's absolute public address: the one its claim in the knowledge base carries
    (humas/factcheck/services.py), on the office's own host name when it has one."""
    return public_url(article.get_absolute_url(), host_slug=article.office.slug)


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-—")
    return f"{cut}…"


def article_share_text(article: Article) -> str:
    """The post's text: the title, a blank line, the summary (plain text already) or else the
    first ~280 characters of the body as plain text."""
    title = " ".join(article.title.split())
    summary = " ".join(article.summary.split())
    if not summary:
        summary = _excerpt(article.body_text or html_to_text(article.body or ""), EXCERPT_MAX_CHARS)
    text = f"{title}\n\n{summary}" if summary else title
    return text[:MAX_TEXT]


def _existing(*, article: Article, link: str) -> Post | None:
    """A post of the article's office with this link that has not been withdrawn."""
    return (
        Post.objects.filter(office_id=article.office_id, link=link)
        .exclude(status=Post.Status.WITHDRAWN)
        .order_by("-created_at", "-pk")
        .first()
    )


def _cover_image(article: Article) -> NewImage | None:
    """The article's cover as a post image, through the same upload checks as any image; None
    when it has none or its file cannot be read (the draft then goes without it)."""
    cover: ArticleImage | None = article.cover
    if cover is None or not cover.file.name or cover.office_id != article.office_id:
        return None
    name = cover.file.name
    try:
        # Originals are private; an image stored before that may still be in the public storage.
        for storage in (private_storage(), public_storage()):
            if storage.exists(name):
                prepared: PreparedImage = prepare_upload(
                    file=io.BytesIO(read_bytes(storage=storage, name=name))
                )
                return NewImage(prepared=prepared, alt_text=cover.alt_text or article.title[:250])
    except (ImageRejected, OSError) as exc:
        logger.info("article %s: cover %s not attached to the shared post: %s", article.pk, cover.pk, exc)
    return None


def post_from_article(*, actor: User, article: Article) -> tuple[Post, bool]:
    """A draft post in the article's office to share a published article to its channels, and
    whether it was made now. Needs content.draft there (``post_create`` audits ``post.create``;
    the cover, when attached, ``post.images``). Refuses an article that is not published. When a
    post of that office already links to the article and has not been withdrawn, returns it
    instead of making a second one."""
    office = article.office
    policy.require(actor, "content.draft", office)
    if article.status != Article.Status.PUBLISHED:
        raise PublishingError(_("Hanya artikel yang sudah terbit yang dapat dibagikan ke kanal."))
    link = article_share_link(article)
    found = _existing(article=article, link=link)
    if found is not None:
        return found, False
    cover = _cover_image(article)  # decoded outside the transaction: no lock held meanwhile
    with transaction.atomic():
        # Two clicks at once make one post: the second waits here, then finds the first.
        locked = Article.objects.select_for_update().filter(pk=article.pk).first()
        if locked is None or locked.status != Article.Status.PUBLISHED:
            raise PublishingError(_("Hanya artikel yang sudah terbit yang dapat dibagikan ke kanal."))
        found = _existing(article=article, link=link)
        if found is not None:
            return found, False
        channels = list(channel_list_for_publishing(office=office).exclude(platform=Platform.PORTAL))
        post = post_create(
            actor=actor, office=office, text=article_share_text(locked), link=link, channels=channels
        )
        if cover is not None:
            post_images_change(actor=actor, post=post, add=[cover])
    return post, True
