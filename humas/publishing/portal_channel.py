"""The office's own Humas portal as a channel.

Each office has one channel of platform PORTAL, created on demand (:func:`portal_channel_ensure`)
the first time the office's channels are listed for publishing: offices can be added at any time
(``humas offices load``), so a data migration would miss the later ones, and an office that never
publishes never gets a row.

Delivering a post to it goes through the same delivery engine as every platform (claim before
send, reconciliation, sweeper, withdrawal) with :class:`PortalConnector`, an in-process adapter
implementing the connector interface. Publishing creates a published portal article through the
portal's own service (sanitizing, unique slug, search index, version, audit, page-cache
invalidation) with the post's approver as the approver, and records the delivery
(:class:`~humas.publishing.models.DeliveryArticle`) in the same transaction: a re-run finds the
article instead of making a second one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.connectors import (
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    PostMetrics,
    PublishedPost,
    PublishRequest,
    Unsupported,
)
from humas.channels.connectors import Platform as ConnectorPlatform
from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.offices import policy
from humas.offices.models import Office, office_prefix
from humas.portal.counter import article_views_total
from humas.portal.models import Article, ArticleType
from humas.portal.services import (
    ArticleInput,
    WorkflowError,
    article_publish_approved_post,
    article_withdraw_published_post,
)

from .models import Delivery, DeliveryArticle, Post

PORTAL_ACCOUNT_ID = "portal"
# A post this short reads as a notice (Pengumuman); a longer one as a news item (Berita).
ANNOUNCEMENT_MAX_CHARS = 280
TITLE_MAX_CHARS = 120
SUMMARY_MAX_CHARS = 300
_URL = re.compile(r"https?://[^\s<>\"']+")
_HASHTAG = re.compile(r"(?<![\w#])#(\w{2,60})")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def portal_channel_ensure(*, office: Office) -> Channel:
    """The office's portal channel, created the first time it is needed. Safe to call
    concurrently: the (office, platform, account_id) constraint allows one, and a loser of the
    race reads the winner's row."""
    existing = Channel.objects.filter(
        office=office, platform=Platform.PORTAL, account_id=PORTAL_ACCOUNT_ID
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                office=office,
                platform=Platform.PORTAL,
                account_id=PORTAL_ACCOUNT_ID,
                name=office.name,
                # The portal is the office's website, not a social account people could fake:
                # it stays off the public list of official accounts.
                is_official=False,
                health=Channel.Health.HEALTHY,
            )
            audit_record(
                actor=None,
                office=office,
                action="channel.create",
                obj=channel,
                changes={"platform": Platform.PORTAL, "reason": "portal_channel"},
            )
    except IntegrityError:
        return Channel.objects.get(office=office, platform=Platform.PORTAL, account_id=PORTAL_ACCOUNT_ID)
    return channel


# --------------------------------------------------------------------------------------------
# A post as a portal article


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-—")
    return f"{cut}…"


def _title(text: str) -> str:
    first_line = text.strip().splitlines()[0].strip() if text.strip() else ""
    first_line = _URL.sub("", first_line).strip() or first_line
    end = _SENTENCE_END.search(first_line)
    if end is not None and end.end() <= TITLE_MAX_CHARS and end.end() < len(first_line):
        # The first sentence, without a lone trailing full stop (titles do not end in one).
        return first_line[: end.end()].rstrip(".").strip()
    return _shorten(first_line, TITLE_MAX_CHARS).rstrip(".")


def _paragraph_html(paragraph: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(paragraph):
        url = match.group(0).rstrip(".,;:!?)")
        parts.append(html.escape(paragraph[position : match.start()]))
        parts.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        position = match.start() + len(url)
    parts.append(html.escape(paragraph[position:]))
    return "<p>" + "".join(parts).replace("\n", "<br>") + "</p>"


def article_input_for_post(*, text: str, link: str | None) -> ArticleInput:
    """The article a post's text becomes: the first sentence as the title, the whole text as the
    body (paragraphs, links made clickable), hashtags as tags; short posts are announcements."""
    text = text.strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    body = "".join(_paragraph_html(p) for p in paragraphs)
    if link and link not in text:
        body += f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>'
    title = _title(text)
    first = " ".join(paragraphs[0].split()) if paragraphs else ""
    summary = "" if first.rstrip(".") == title else _shorten(_URL.sub("", first).strip(), SUMMARY_MAX_CHARS)
    kind = ArticleType.PENGUMUMAN if len(text) <= ANNOUNCEMENT_MAX_CHARS else ArticleType.BERITA
    tags = list(dict.fromkeys(_HASHTAG.findall(text)))[:10]
    return ArticleInput(title=title, type=kind, summary=summary, body=body, tags=tags)


def article_public_url(article: Article) -> str:
    """The article's public address: absolute on the office's own host name when one is mapped
    (HUMAS_SITE_HOSTS), otherwise the path on the main site."""
    path = article.get_absolute_url()
    for host, slug in settings.HUMAS_SITE_HOSTS.items():
        if slug == article.office.slug:
            return f"https://{host}{path}"
    return path


# --------------------------------------------------------------------------------------------
# The connector


class PortalConnector:
    """The connector interface over the portal's services, in-process (no credential, no HTTP).

    ``delivery_id`` is needed to publish and to find a published article (the link is per
    delivery); ``actor`` is who withdraws (None inside the engine after an authorised withdrawal).
    """

    def __init__(self, *, channel: Channel, delivery_id: int | None = None, actor: User | None = None):
        self.channel = channel
        self.delivery_id = delivery_id
        self.actor = actor

    @property
    def platform(self) -> ConnectorPlatform:
        return ConnectorPlatform.PORTAL

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(
            {Capability.PUBLISH, Capability.DELETE, Capability.METRICS, Capability.FIND_PUBLISHED}
        )

    def _refuse(self, reason: str) -> BadRequest:
        return BadRequest(ConnectorPlatform.PORTAL, platform_message=reason)

    def validate(self, request: PublishRequest) -> None:
        if not _title(request.text):
            raise self._refuse(_("Teks tidak memuat kalimat yang dapat menjadi judul artikel."))

    def verify(self) -> AccountInfo:
        office = self.channel.office
        return AccountInfo(
            platform=ConnectorPlatform.PORTAL,
            account_id=office.slug,
            name=office.name,
            credential_type="internal",
            url=office_home(office),
        )

    def _published(self, article: Article) -> PublishedPost:
        return PublishedPost(
            platform=ConnectorPlatform.PORTAL,
            post_id=str(article.pk),
            url=article_public_url(article),
            created_at=article.published_at,
            text=article.title,
        )

    def _delivery_id(self) -> int:
        if self.delivery_id is None:
            raise ValueError("the portal connector publishes for one delivery: pass delivery_id")
        return self.delivery_id

    def publish(self, request: PublishRequest) -> PublishedPost:
        self.validate(request)
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update()
                .select_related("publication__created_by", "channel__office")
                .get(pk=self._delivery_id())
            )
            done = DeliveryArticle.objects.filter(delivery=delivery).select_related("article__office").first()
            if done is not None:
                return self._published(done.article)
            post = Post.objects.select_related("office", "author", "approved_by").get(
                pk=delivery.publication.post_id
            )
            if post.approved_by is None:
                raise self._refuse(_("Unggahan ini belum disetujui."))
            try:
                article = article_publish_approved_post(
                    publisher=delivery.publication.created_by,
                    approver=post.approved_by,
                    author=post.author,
                    office=delivery.channel.office,
                    data=article_input_for_post(text=request.text, link=request.link),
                )
            except (policy.PolicyDenied, WorkflowError) as exc:
                raise self._refuse(str(exc)) from None
            DeliveryArticle.objects.create(delivery=delivery, article=article)
        return self._published(article)

    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        # The link is written in the article's own transaction: it exists exactly when the
        # article does, whatever moment a worker died at.
        done = (
            DeliveryArticle.objects.filter(delivery_id=self._delivery_id())
            .select_related("article__office")
            .first()
        )
        return self._published(done.article) if done is not None else None

    def delete(self, post_id: str) -> None:
        article = Article.objects.select_related("office").filter(pk=int(post_id)).first()
        if article is None or article.status not in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
            return  # already off the portal: withdrawing again changes nothing
        try:
            article_withdraw_published_post(
                actor=self.actor, article=article, reason=_("Publikasi ditarik dari modul Konten.")
            )
        except policy.PolicyDenied as exc:
            raise self._refuse(str(exc)) from None
        except WorkflowError:
            return  # withdrawn by someone else meanwhile

    def metrics(self, post_id: str) -> PostMetrics:
        return PostMetrics(
            post_id=post_id,
            views=article_views_total(article_id=int(post_id)),
            unavailable=("reactions", "comments", "shares", "impressions", "reach", "link_clicks"),
        )

    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]:
        raise Unsupported(ConnectorPlatform.PORTAL, operation="comments")

    def reply(self, comment_id: str, text: str) -> Comment:
        raise Unsupported(ConnectorPlatform.PORTAL, operation="reply")

    def close(self) -> None:
        return None


def office_home(office: Office) -> str:
    return office_prefix(office.slug)


def _publishing_channels() -> Q:
    """Active channels a post can go out on: connected API channels, an office's own portal and
    its assisted channels (posted by hand)."""
    from .assisted import ASSISTED_PLATFORMS

    return Q(is_active=True) & (
        Q(platform__in=API_PLATFORMS, credential__isnull=False)
        | Q(platform=Platform.PORTAL, account_id=PORTAL_ACCOUNT_ID)
        | Q(platform__in=ASSISTED_PLATFORMS)
    )


def channel_list_for_publishing(*, office: Office) -> QuerySet[Channel]:
    """The channels a post of ``office`` can be published to: connected API channels, the office's
    own portal (created here on first use) and its active assisted channels (posted by hand)."""
    portal_channel_ensure(office=office)
    return Channel.objects.filter(_publishing_channels(), office=office).order_by("platform", "name")


def channels_ready_for_publishing(*, channel_ids: Collection[int]) -> set[int]:
    """Those of ``channel_ids`` a post of their office can be published to now (as
    ``channel_list_for_publishing`` lists them), whatever their offices, in one query."""
    if not channel_ids:
        return set()
    return set(
        Channel.objects.filter(_publishing_channels(), pk__in=list(channel_ids)).values_list("pk", flat=True)
    )
