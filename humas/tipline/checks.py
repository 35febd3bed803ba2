"""Cek Klaim: a citizen pastes a message, a link or both and is answered from the knowledge base
(the commission's published clarifications and the fact-checks it imported). Nothing of what
they pasted is stored here, and a link is never fetched: only the words of its address help the
search, and an address that is itself a clarification's or a fact-check's finds it directly."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext as _

from humas.factcheck.matching import claim_index, claims_match
from humas.factcheck.models import Claim

from .models import LINK_MAX, TEXT_MAX

RESULTS_MAX = 5
# Candidates after the first are shown when the engine gives them at least this share.
OTHER_FLOOR = 0.15
# A public answer shares at least this many content words with the message (fewer when the
# message has fewer): one word in common ("gurih", a name) is not the same claim, whatever the
# ranker's share says about candidates that are all unrelated.
SHARED_WORDS = 2
QUERY_CHARS = 2000  # what the engine reads of a long message (its start says what it claims)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_WORDS = re.compile(r"[a-zA-Z]{3,}")
_URL_NOISE = frozenset({"www", "http", "https", "html", "htm", "php", "aspx", "amp", "index", "read", "news"})


class CheckRefused(ValueError):
    """What the citizen sent cannot be checked; the message says why (translated)."""


@dataclass(frozen=True)
class CheckInput:
    text: str
    link: str


@dataclass(frozen=True)
class Hit:
    claim: Claim
    probability: float

    @property
    def url(self) -> str:
        if self.claim.is_own and self.claim.article is not None:
            return str(self.claim.article.get_absolute_url())
        return self.claim.url

    @property
    def publisher(self) -> str:
        if self.claim.is_own:
            return self.claim.office.name
        return self.claim.source_name


@dataclass(frozen=True)
class CheckAnswer:
    decision: str  # "match": it is clarified; "suggestion": perhaps; "none": nothing yet
    hits: list[Hit] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.decision != "none" and bool(self.hits)


def clean_text(value: str) -> str:
    """The message as a person would read it: Unicode normalised, control characters dropped,
    whitespace collapsed."""
    value = unicodedata.normalize("NFC", value or "")
    value = _CONTROL.sub(" ", value)
    return " ".join(value.split())


def check_input(*, text: str, link: str) -> CheckInput:
    """The cleaned message and link, or CheckRefused with the reason."""
    raw = text or ""
    if len(raw) > 4 * TEXT_MAX:
        raise CheckRefused(
            _(
                "Teks terlalu panjang: paling banyak %(max)s karakter. Tempel bagian yang berisi klaimnya saja."
            )
            % {"max": f"{TEXT_MAX:,}".replace(",", ".")}
        )
    cleaned = clean_text(raw)
    if len(cleaned) > TEXT_MAX:
        raise CheckRefused(
            _(
                "Teks terlalu panjang: paling banyak %(max)s karakter. Tempel bagian yang berisi klaimnya saja."
            )
            % {"max": f"{TEXT_MAX:,}".replace(",", ".")}
        )
    link = (link or "").strip()
    if link:
        if len(link) > LINK_MAX:
            raise CheckRefused(_("Tautan terlalu panjang."))
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CheckRefused(_("Tautan harus diawali http:// atau https://."))
    if raw.strip() and not cleaned and not link:
        raise CheckRefused(_("Teks itu tidak bisa dibaca. Tempel pesannya sebagai teks biasa."))
    if not cleaned and not link:
        raise CheckRefused(_("Tempel pesan atau tautan yang ingin dicek."))
    return CheckInput(text=cleaned, link=link)


def _link_words(link: str) -> str:
    """The words of a link's path (a news site's slug says what the page claims)."""
    parts = urlsplit(link)
    words = _URL_WORDS.findall(unquote(parts.path + " " + parts.query))
    return " ".join(w for w in words if w.lower() not in _URL_NOISE)


def _claims(ids: list[int]) -> dict[int, Claim]:
    rows = Claim.objects.filter(pk__in=ids, is_active=True).select_related(
        "office", "article", "article__office"
    )
    return {c.pk: c for c in rows}


def _by_link(link: str) -> Claim | None:
    """The active claim whose own address this is (a clarification's public page, a fact-check)."""
    if not link:
        return None
    bare = link.split("#", 1)[0].rstrip("/")
    return (
        Claim.objects.filter(is_active=True, url__in=[bare, bare + "/"])
        .select_related("office", "article", "article__office")
        .order_by("-published_at", "-pk")
        .first()
    )


def _words(analyzer: Any, text: str) -> set[str]:
    return {t.stem for t in analyzer.analyze(text).tokens if not t.stop and t.kind in ("word", "hashtag")}


def _sharing_words(query: str, hits: list[Hit]) -> list[Hit]:
    """The hits whose claim shares enough content words with the message."""
    analyzer = claim_index().analyzer
    asked = _words(analyzer, query)
    needed = min(SHARED_WORDS, len(asked))
    return [
        h for h in hits if len(asked & _words(analyzer, f"{h.claim.title} {h.claim.text[:4000]}")) >= needed
    ]


def claim_check(*, text: str, link: str = "") -> CheckAnswer:
    """What the knowledge base says about a message and/or link (raises CheckRefused). Reads
    only; stores nothing."""
    given = check_input(text=text, link=link)
    direct = _by_link(given.link)
    query = " ".join(p for p in (given.text[:QUERY_CHARS], _link_words(given.link)) if p)
    hits: list[Hit] = []
    decision = "none"
    if query:
        result = claims_match([query], k=RESULTS_MAX)[0]
        decision = result.decision
        if decision != "none":
            chosen = [
                (int(c.doc_id), float(c.probability))
                for i, c in enumerate(result.candidates)
                if i == 0 or c.probability >= OTHER_FLOOR
            ]
            claims = _claims([pk for pk, _p in chosen])
            hits = [Hit(claim=claims[pk], probability=p) for pk, p in chosen if pk in claims]
            hits = _sharing_words(query, hits)
            if not hits:
                decision = "none"
    if direct is not None:
        hits = [Hit(claim=direct, probability=1.0), *(h for h in hits if h.claim.pk != direct.pk)]
        decision = "match"
    return CheckAnswer(decision=decision, hits=hits[:RESULTS_MAX])
