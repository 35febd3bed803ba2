"""Search over published portal content.

PostgreSQL: full-text search with the ``indonesian`` configuration on ``Article.search_vector``
(title weight A, summary B, body C; kept up to date by :func:`article_index`, which the portal
services call on every content save and on publish), ranked with ``ts_rank`` and shown with
``ts_headline`` snippets. SQLite (the embedded shape): every word must occur in the title, the
summary or the body (case-insensitive), ranked by where the words occur, then by recency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from humas.offices.models import Office
from humas.offices.tree import subtree

from .models import Article, ArticleType
from .selectors import article_list_public

SEARCH_CONFIG = "indonesian"
QUERY_MAX_LENGTH = 200
# More words than this add nothing to a news search but cost a LIKE each on SQLite.
MAX_TERMS = 8
SNIPPET_CHARS = 240
# Private-use characters mark the matches in ts_headline output; the text around them is escaped
# before they become <mark> tags, so article text can never inject markup.
_START, _STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_EARLIEST, _LATEST = date(1990, 1, 1), date(2100, 12, 31)


def _search_vector() -> CombinedExpression:
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def article_index(*, article: Article) -> None:
    """Refresh the search vector of ``article`` from its saved title, summary and body text.

    One UPDATE on PostgreSQL; nothing on SQLite, which searches the text columns directly.
    Call after the article's text is saved (inside the same transaction is fine).
    """
    if connection.vendor != "postgresql":
        return
    Article.objects.filter(pk=article.pk).update(search_vector=_search_vector())


def article_reindex_all() -> int:
    """Rebuild every article's search vector (after a change of configuration). Returns the count."""
    if connection.vendor != "postgresql":
        return 0
    return Article.objects.update(search_vector=_search_vector())


def query_terms(query: str) -> list[str]:
    """The words of a query, lower-cased, without duplicates, at most MAX_TERMS."""
    terms: list[str] = []
    for word in _WORD.findall(query.lower()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def parse_query(query: str) -> tuple[list[str], list[str]]:
    """(required, excluded) for the portable search, in the spirit of websearch_to_tsquery:
    "quoted phrases" must occur as written, -word must not occur, other words must occur."""
    required: list[str] = []
    excluded: list[str] = []
    for phrase, token in _TOKEN.findall(query.lower()):
        if phrase:
            found = [(required, " ".join(_WORD.findall(phrase)))]
        else:
            target = excluded if token.startswith("-") else required
            found = [(target, word) for word in _WORD.findall(token)]
        for target, text in found:
            if text and text not in required and text not in excluded:
                target.append(text)
    return required[:MAX_TERMS], excluded[:MAX_TERMS]


@dataclass(frozen=True)
class SearchParams:
    query: str
    office: Office
    type: str = ""
    date_from: date | None = None
    date_to: date | None = None


class SearchForm(forms.Form):
    """The public search parameters. ``site`` is the office whose site is searched."""

    q = forms.CharField(label=_("Kata kunci"), required=False, max_length=QUERY_MAX_LENGTH, strip=True)
    jenis = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua jenis")), *ArticleType.choices]
    )
    kantor = forms.CharField(label=_("Kantor"), required=False, max_length=80)
    dari = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sampai = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, site: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.office_choices = office_choices_for_search(site=site)
        self.fields["q"].error_messages["max_length"] = _(
            "Kata kunci terlalu panjang (paling banyak %(limit_value)d karakter)."
        )

    def clean_kantor(self) -> Office:
        slug: str = self.cleaned_data.get("kantor") or ""
        if not slug or slug == self.site.slug:
            return self.site
        office = (
            Office.objects.filter(slug=slug, is_active=True).filter(subtree(self.site.path)).first()
            if re.fullmatch(r"[-a-z0-9]+", slug)
            else None
        )
        if office is None:
            raise forms.ValidationError(_("Kantor tidak dikenal di situs ini."))
        return office

    def _clean_date(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not (_EARLIEST <= value <= _LATEST):
            raise forms.ValidationError(_("Tanggal di luar rentang yang dapat dicari."))
        return value

    def clean_dari(self) -> date | None:
        return self._clean_date("dari")

    def clean_sampai(self) -> date | None:
        return self._clean_date("sampai")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if isinstance(start, date) and isinstance(end, date) and start > end:
            self.add_error("sampai", _("Tanggal akhir harus sesudah tanggal awal."))
        return cleaned

    def params(self) -> SearchParams:
        """The validated parameters; only after is_valid()."""
        data = self.cleaned_data
        return SearchParams(
            query=data["q"],
            office=data["kantor"],
            type=data["jenis"],
            date_from=data["dari"],
            date_to=data["sampai"],
        )


def office_choices_for_search(*, site: Office) -> list[tuple[str, str]]:
    """The site's office and the offices right below it (each choice searches its whole subtree)."""
    children = Office.objects.filter(parent=site, is_active=True).order_by("path").values_list("slug", "name")
    return [(site.slug, site.name), *children]


def _in_scope(params: SearchParams) -> QuerySet[Article]:
    articles = article_list_public(office=params.office, type=params.type or None, include_below=True)
    zone = params.office.zoneinfo
    if params.date_from is not None:
        articles = articles.filter(published_at__gte=datetime.combine(params.date_from, time.min, zone))
    if params.date_to is not None:
        end = datetime.combine(params.date_to + timedelta(days=1), time.min, zone)
        articles = articles.filter(published_at__lt=end)
    return articles


def _search_postgresql(articles: QuerySet[Article], query: str) -> QuerySet[Article]:
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            headline=SearchHeadline(
                "body_text",
                search_query,
                config=SEARCH_CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def _search_simple(
    articles: QuerySet[Article], required: list[str], excluded: list[str]
) -> QuerySet[Article]:
    """The portable search: every required term somewhere in the text, no excluded one; a term in
    the title outranks one in the summary, which outranks one in the body; then newest first."""

    def anywhere(term: str) -> Q:
        return Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term)

    hits = []
    for term in required:
        articles = articles.filter(anywhere(term))
        hits.append(
            Case(
                When(title__icontains=term, then=Value(4)),
                When(summary__icontains=term, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    for term in excluded:
        articles = articles.exclude(anywhere(term))
    score = sum(hits[1:], hits[0])
    return articles.annotate(score=score).order_by("-score", "-published_at", "-id")


def article_search(*, params: SearchParams, backend: str | None = None) -> QuerySet[Article]:
    """Published articles of ``params.office`` and the offices below it that match the query,
    best first. A query without any word to look for (only punctuation, only
    exclusions) finds nothing. ``backend`` ("postgresql" or "simple")
    overrides the choice made from the database vendor (tests use it to check the fallback)."""
    required, excluded = parse_query(params.query)
    if not required:
        return Article.objects.none()
    articles = _in_scope(params)
    backend = backend or ("postgresql" if connection.vendor == "postgresql" else "simple")
    if backend == "postgresql":
        return _search_postgresql(articles, params.query)
    return _search_simple(articles, required, excluded)


def _plain_snippet(text: str, terms: list[str]) -> SafeString:
    """A window of ``text`` around the first matching term, matches marked, everything escaped."""
    lowered = text.lower()
    positions = [p for p in (lowered.find(t) for t in terms) if p >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    window = text[start : start + SNIPPET_CHARS]
    if start > 0:
        window = "… " + window.split(" ", 1)[-1]
    if start + SNIPPET_CHARS < len(text):
        window = window.rsplit(" ", 1)[0] + " …"
    if not terms:
        return escape(window)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(window):
        out.append(escape(window[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(window[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def _marked_headline(headline: str) -> SafeString:
    escaped = str(escape(headline))
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 - escaped above


def result_snippet(*, article: Article, query: str) -> SafeString:
    """The snippet shown under a search result: the database headline when there is one."""
    headline = getattr(article, "headline", None)
    if headline and _START in headline:
        return _marked_headline(headline)
    text = article.body_text or article.summary
    return _plain_snippet(text, query_terms(query))
