"""Reads of public portal content. Only published articles ever leave these functions for the public."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from humas.offices.models import NATIONAL_SLUG, Office, office_prefix
from humas.offices.tree import subtree

from .models import Article, ArticleType

Status = Article.Status


def site_office_get(*, slug: str | None) -> Office:
    office = (
        Office.objects.filter(slug=slug or NATIONAL_SLUG, is_active=True).select_related("parent").first()
    )
    if office is None:
        raise Http404(slug)
    return office


def _published() -> QuerySet[Article]:
    return Article.objects.filter(status=Status.PUBLISHED).select_related("office", "cover", "category")


def article_list_public(
    *, office: Office, type: str | None = None, include_below: bool = False
) -> QuerySet[Article]:
    """Published articles of ``office`` (and of the offices below it when ``include_below``), newest first."""
    articles = _published()
    articles = (
        articles.filter(subtree(office.path, field="office__path"))
        if include_below
        else articles.filter(office=office)
    )
    if type:
        articles = articles.filter(type=type)
    return articles.order_by("-published_at", "-id")


def shows_offices_below(office: Office) -> bool:
    """National and provincial homes show news from the offices below them."""
    return office.level in (Office.Level.PUSAT, Office.Level.PROVINSI)


def home_sections(*, office: Office) -> dict[str, list[Article]]:
    below = shows_offices_below(office)
    now = timezone.now()
    pinned = list(
        article_list_public(office=office, type=ArticleType.PENGUMUMAN)
        .filter(pinned_until__gt=now)
        .order_by("-pinned_until")[:3]
    )
    latest = list(
        article_list_public(office=office, include_below=below)
        .exclude(type=ArticleType.KLARIFIKASI)
        .exclude(pk__in=[a.pk for a in pinned])[:10]
    )
    clarifications = list(
        article_list_public(office=office, type=ArticleType.KLARIFIKASI, include_below=below)[:5]
    )
    return {"pinned": pinned, "latest": latest, "clarifications": clarifications}


def article_get_public(*, office: Office, type: str, slug: str) -> Article:
    article = _published().prefetch_related("tags").filter(office=office, type=type, slug=slug).first()
    if article is None:
        raise Http404(slug)
    return article


def article_neighbours(*, article: Article) -> tuple[Article | None, Article | None]:
    """The previous (older) and next (newer) published article of the same office and type."""
    same = _published().filter(office=article.office, type=article.type)
    key = (article.published_at, article.pk)
    older = (
        same.filter(Q(published_at__lt=key[0]) | Q(published_at=key[0], pk__lt=key[1]))
        .order_by("-published_at", "-id")
        .first()
    )
    newer = (
        same.filter(Q(published_at__gt=key[0]) | Q(published_at=key[0], pk__gt=key[1]))
        .order_by("published_at", "id")
        .first()
    )
    return older, newer


def article_related(*, article: Article, limit: int = 4) -> list[Article]:
    tag_ids = [t.pk for t in article.tags.all()]
    related = _published().filter(office=article.office).exclude(pk=article.pk)
    match = Q(tags__in=tag_ids) if tag_ids else Q(pk__in=[])
    if article.category_id:
        match |= Q(category_id=article.category_id)
    found = list(related.filter(match).distinct().order_by("-published_at")[:limit])
    if len(found) < limit:
        found += list(
            related.filter(type=article.type)
            .exclude(pk__in=[a.pk for a in found])
            .order_by("-published_at")[: limit - len(found)]
        )
    return found


def article_view_count(*, article: Article) -> int:
    from .models import ArticleViewTotal

    total = ArticleViewTotal.objects.filter(article=article).values_list("count", flat=True).first()
    return int(total or 0)


def article_list_for_office(*, actor: object, office: Office, status: str = "") -> QuerySet[Article]:
    """Articles of ``office`` (not of the offices below) for its back office. Needs content.view."""
    from humas.offices import policy

    policy.require(actor, "content.view", office)  # type: ignore[arg-type]
    articles = Article.objects.filter(office=office).select_related("author", "office")
    if status in Status.values:
        articles = articles.filter(status=status)
    return articles.order_by("-updated_at")


def article_get_for_actor(*, actor: object, office: Office, article_id: int) -> Article:
    """An article of ``office`` the actor may see; 404 for anything else (no existence leak)."""
    from humas.offices import policy

    article = (
        Article.objects.select_related("office", "author", "approved_by", "category", "cover")
        .filter(pk=article_id, office=office)
        .first()
    )
    if article is None or not policy.can(actor, "content.view", office):  # type: ignore[arg-type]
        raise Http404("article")
    return article


def paths_showing_article(article: Article) -> list[str]:
    """Every cached URL whose content changes when ``article`` is published, edited or withdrawn."""
    office = article.office
    prefix = office_prefix(office.slug)
    paths = {
        article.get_absolute_url(),
        prefix,
        f"{prefix}{article.type}/",
        f"{prefix}feed/rss.xml",
        f"{prefix}feed/atom.xml",
        f"{prefix}feed/{article.type}/rss.xml",
        f"{prefix}feed/{article.type}/atom.xml",
        "/sitemap.xml",
        "/sitemap-news.xml",
    }
    # Homes, lists and feeds of the offices above show news from below.
    for ancestor in Office.objects.filter(code__in=office.ancestor_codes):
        up = office_prefix(ancestor.slug)
        paths.update({up, f"{up}{article.type}/", f"{up}feed/rss.xml", f"{up}feed/atom.xml"})
    # Neighbours link to this article (previous/next, related).
    if article.published_at is not None:
        for neighbour in (*article_neighbours(article=article), *article_related(article=article)):
            if neighbour is not None:
                paths.add(neighbour.get_absolute_url())
    return sorted(paths)
