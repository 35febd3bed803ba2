"""RSS 2.0 and Atom feeds of every office's site, of all its content and per content type.

``<prefix>feed/rss.xml``, ``<prefix>feed/atom.xml``, ``<prefix>feed/<type>/rss.xml`` and
``<prefix>feed/<type>/atom.xml``, where the prefix is ``/`` for the national site and
``/<office-slug>/`` otherwise (the URLs ``selectors.paths_showing_article`` invalidates).
National and provincial feeds include the offices below, as their homes do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from humas.offices.models import Office, office_prefix
from humas.web import pagecache

from .models import Article, ArticleType, ElectionStage
from .selectors import article_list_public, shows_offices_below, site_office_get
from .seo import OG_IMAGE_SIZE, absolute_for, description_of, og_image, xml_text

FEED_SIZE = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"


@dataclass
class FeedScope:
    office: Office
    type: str
    absolute: Callable[[str], str]


@dataclass
class FeedItem:
    """An article with what the feed needs that the article alone cannot say (absolute URLs)."""

    article: Article
    absolute: Callable[[str], str]
    tags: list[str] = field(default_factory=list)

    @property
    def image(self) -> tuple[str, str] | None:
        found = og_image(self.article.cover)
        return (self.absolute(found[0]), found[1]) if found else None


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with a Media RSS <media:content> for the cover image, which many readers show."""

    def rss_attributes(self) -> dict[str, str]:
        attributes: dict[str, str] = super().rss_attributes()
        attributes["xmlns:media"] = MEDIA_NS
        return attributes

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        media = item.get("media")
        if media:
            handler.addQuickElement("media:content", None, media)


class ArticleRssFeed(Feed):
    feed_type = MediaRssFeed
    file_name = "rss.xml"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return pagecache.finish(request, super().__call__(request, *args, **kwargs))

    def get_object(
        self, request: HttpRequest, office_slug: str | None = None, type: str | None = None
    ) -> FeedScope:
        office = site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))
        return FeedScope(office=office, type=type or "", absolute=absolute_for(request))

    # The feed.

    def title(self, obj: FeedScope) -> str:
        if obj.type:
            return f"{ArticleType(obj.type).label} — {obj.office.name}"
        return obj.office.name

    # Absolute here, so that Django's Feed does not complete them with the request's Host.

    def link(self, obj: FeedScope) -> str:
        prefix = office_prefix(obj.office.slug)
        return obj.absolute(f"{prefix}{obj.type}/" if obj.type else prefix)

    def feed_url(self, obj: FeedScope) -> str:
        prefix = office_prefix(obj.office.slug)
        return obj.absolute(
            f"{prefix}feed/{obj.type}/{self.file_name}" if obj.type else f"{prefix}feed/{self.file_name}"
        )

    def description(self, obj: FeedScope) -> str:
        return _("Informasi resmi %(name)s: berita, pengumuman, siaran pers, dan klarifikasi hoaks.") % {
            "name": obj.office.name
        }

    def subtitle(self, obj: FeedScope) -> str:
        return self.description(obj)

    def author_name(self, obj: FeedScope) -> str:
        return obj.office.name

    def items(self, obj: FeedScope) -> list[FeedItem]:
        articles = article_list_public(
            office=obj.office, type=obj.type or None, include_below=shows_offices_below(obj.office)
        ).prefetch_related("tags")[:FEED_SIZE]
        return [
            FeedItem(article=a, absolute=obj.absolute, tags=[t.name for t in a.tags.all()]) for a in articles
        ]

    # Each item.

    def item_title(self, item: FeedItem) -> str:
        return xml_text(item.article.title)

    def item_description(self, item: FeedItem) -> str:
        # Readers take an RSS <description> and an Atom <summary type="html"> as HTML. The summary
        # is plain text an Operator typed (and body_text is plain text too): escape it, so that a
        # "<script>" in it is shown as text and never runs in anyone's feed reader.
        return escape(xml_text(description_of(item.article, words=60)))

    def item_link(self, item: FeedItem) -> str:
        return item.absolute(item.article.get_absolute_url())

    def item_guid_is_permalink(self, item: FeedItem) -> bool:
        return True

    def item_pubdate(self, item: FeedItem) -> datetime | None:
        return item.article.published_at

    def item_updateddate(self, item: FeedItem) -> datetime | None:
        published = item.article.published_at
        return max(item.article.updated_at, published) if published else item.article.updated_at

    def item_author_name(self, item: FeedItem) -> str:
        return xml_text(item.article.office.name)

    def item_author_link(self, item: FeedItem) -> str:
        return item.absolute(office_prefix(item.article.office.slug))

    def item_categories(self, item: FeedItem) -> list[str]:
        article = item.article
        names = [str(ArticleType(article.type).label)]
        if article.category is not None:
            names.append(article.category.name)
        if article.election_stage:
            names.append(str(ElectionStage(article.election_stage).label))
        names += item.tags
        return [xml_text(n) for n in dict.fromkeys(names)]

    def item_enclosures(self, item: FeedItem) -> list[Enclosure]:
        image = item.image
        if image is None:
            return []
        return [Enclosure(image[0], str(_file_size(item.article)), "image/jpeg")]

    def item_extra_kwargs(self, item: FeedItem) -> dict[str, Any]:
        image = item.image
        if image is None:
            return {}
        width, height = OG_IMAGE_SIZE
        media = {
            "url": image[0],
            "medium": "image",
            "type": "image/jpeg",
            "width": str(width),
            "height": str(height),
        }
        return {"media": media}


class ArticleAtomFeed(ArticleRssFeed):
    feed_type = Atom1Feed  # type: ignore[assignment]
    file_name = "atom.xml"


def _file_size(article: Article) -> int:
    """Bytes of the cover's OpenGraph rendition (RSS enclosures carry a length); 0 if unknown."""
    name = article.cover.renditions.get("og") if article.cover else None
    if not name:
        return 0
    try:
        return int(default_storage.size(name))
    except (OSError, NotImplementedError, ValueError):
        return 0


rss_feed = ArticleRssFeed()
atom_feed = ArticleAtomFeed()
