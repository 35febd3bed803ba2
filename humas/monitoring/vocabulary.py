"""The election vocabulary an item is judged relevant by, and the words that say it is about the
commission or its staff.

Every office inherits ``ELECTION_TERMS`` and the additions of the offices above it; an office
adds its own words (a local candidate's name, a district) or excludes an inherited one for
itself and the offices below (``RelevanceRule``). Phrases are compared after the text engine's
normalisation, so "Pemilu", "PEMILU!!" and "#pemilu" all count as "pemilu".
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office
from humas.textkit.normalize import Analyzer

from .models import RelevanceRule

if TYPE_CHECKING:
    from humas.accounts.models import User

# Words of elections and of the commission's work, as people write them in Indonesia.
ELECTION_TERMS: tuple[str, ...] = (
    "pemilu",
    "pemilihan umum",
    "pilkada",
    "pilpres",
    "pileg",
    "pilgub",
    "pilbup",
    "pilwalkot",
    "kpu",
    "kip",
    "bawaslu",
    "dkpp",
    "tps",
    "dpt",
    "dps",
    "sirekap",
    "silon",
    "sipol",
    "tahapan",
    "kampanye",
    "caleg",
    "capres",
    "cawapres",
    "paslon",
    "coblos",
    "mencoblos",
    "surat suara",
    "kotak suara",
    "bilik suara",
    "tinta",
    "quick count",
    "hitung cepat",
    "real count",
    "rekapitulasi",
    "pemungutan suara",
    "penghitungan suara",
    "hasil suara",
    "daftar pemilih",
    "pemilih",
    "golput",
    "kpps",
    "ppk",
    "pps",
    "pantarlih",
    "coklit",
    "politik uang",
    "serangan fajar",
    "kecurangan",
    "curang",
    "penggelembungan suara",
    "debat capres",
    "masa tenang",
)

# Words that say an item is about the commission or its staff (a risk factor of a narrative).
COMMISSION_TERMS: tuple[str, ...] = (
    "kpu",
    "kip",
    "komisi pemilihan umum",
    "komisioner",
    "ketua kpu",
    "anggota kpu",
    "penyelenggara pemilu",
    "penyelenggara",
    "kpps",
    "ppk",
    "pps",
    "pantarlih",
    "petugas pemilu",
    "petugas tps",
    "sirekap",
)

# How people address the commission on its own channels: there, not an election word by itself.
ADDRESSEE_TERMS = frozenset({"kpu", "kip"})

PHRASE_MAX = 100
_CACHE_SECONDS = 60.0


_NOT_WORD = re.compile(r"[^\w]+")


def simple_form(text: str) -> str:
    """Lower case, words separated by single spaces: how a phrase is looked for as written."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


@dataclass(frozen=True)
class Vocabulary:
    """Phrases looked for as whole words, in the text as written and in its normalised form
    (so "Pemilu", "PEMILU!!" and "#pemilu" all count, and "nyoblos" counts as "coblos").

    A phrase whose normalised form is another single word is looked for only as written: the
    colloquial lexicon reads "dpt" as "dapat", which would make every sentence relevant."""

    phrases: tuple[tuple[str, str], ...]  # (as written, normalised or "" when not usable)

    def found(self, normalized: str, written: str = "", *, plain_form: str | None = None) -> list[str]:
        """The phrases in the text; ``plain_form`` is ``simple_form(written)`` when the caller
        has it already (one text looked up in several vocabularies)."""
        padded = f" {normalized} "
        if plain_form is None:
            plain_form = simple_form(written) if written else ""
        plain = f" {plain_form} " if plain_form else ""
        return [
            phrase
            for phrase, norm in self.phrases
            if (plain and f" {phrase} " in plain) or (norm and f" {norm} " in padded)
        ]


class _Cache:
    """Vocabularies per office, kept a minute (rules change seldom; a change here clears it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_office: dict[int, tuple[float, Vocabulary]] = {}
        self._version: tuple[object, ...] | None = None
        self._commission: Vocabulary | None = None

    def clear(self) -> None:
        with self._lock:
            self._by_office.clear()

    def refresh(self) -> None:
        """Forget every vocabulary when the rules changed in another process (one aggregate)."""
        found = RelevanceRule.objects.aggregate(n=Count("pk"), top=Max("pk"), latest=Max("created_at"))
        version = (found["n"], found["top"], found["latest"])
        with self._lock:
            if version != self._version:
                self._by_office.clear()
                self._version = version

    def office(self, office: Office, analyzer: Analyzer) -> Vocabulary:
        now = time.monotonic()
        with self._lock:
            hit = self._by_office.get(office.pk)
            if hit is not None and now - hit[0] < _CACHE_SECONDS:
                return hit[1]
        vocabulary = _build(office, analyzer)
        with self._lock:
            self._by_office[office.pk] = (now, vocabulary)
        return vocabulary

    def commission(self, analyzer: Analyzer) -> Vocabulary:
        if self._commission is None:
            self._commission = Vocabulary(_normalised(COMMISSION_TERMS, analyzer))
        return self._commission


_cache = _Cache()


def _pair(phrase: str, analyzer: Analyzer) -> tuple[str, str]:
    written = simple_form(phrase)
    norm = analyzer.normalize(phrase)
    if norm != written and " " not in norm:
        norm = ""
    return written, norm


def _normalised(phrases: Iterable[str], analyzer: Analyzer) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({pair for p in phrases if (pair := _pair(p, analyzer))[0]}))


def _ancestor_ids(office: Office) -> list[int]:
    codes = office.ancestor_codes
    ids = list(Office.objects.filter(code__in=codes).values_list("pk", flat=True)) if codes else []
    return [*ids, office.pk]


def _build(office: Office, analyzer: Analyzer) -> Vocabulary:
    rules = RelevanceRule.objects.filter(office_id__in=_ancestor_ids(office)).values_list("phrase", "action")
    added = [phrase for phrase, action in rules if action == RelevanceRule.Action.ADD]
    excluded = {simple_form(phrase) for phrase, action in rules if action == RelevanceRule.Action.EXCLUDE}
    phrases = [pair for pair in _normalised([*ELECTION_TERMS, *added], analyzer) if pair[0] not in excluded]
    return Vocabulary(tuple(phrases))


def vocabularies_refresh() -> None:
    """Called once per pipeline batch: a rule added or removed anywhere counts at once."""
    _cache.refresh()


def vocabulary_for_office(*, office: Office, analyzer: Analyzer) -> Vocabulary:
    """The election vocabulary in force in ``office`` (inherited, with its own rules)."""
    return _cache.office(office, analyzer)


def commission_vocabulary(*, analyzer: Analyzer) -> Vocabulary:
    return _cache.commission(analyzer)


@dataclass(frozen=True)
class RuleRow:
    phrase: str
    action: str
    office: Office
    inherited: bool


def relevance_rules_for_office(*, actor: User, office: Office) -> list[RuleRow]:
    """The rules in force in ``office``: its own and those of the offices above, nearest last."""
    policy.require(actor, "monitoring.view", office)
    rules = (
        RelevanceRule.objects.filter(office_id__in=_ancestor_ids(office))
        .select_related("office")
        .order_by("office__path", "phrase")
    )
    return [RuleRow(r.phrase, r.action, r.office, r.office_id != office.pk) for r in rules]


def relevance_rule_add(*, actor: User, office: Office, phrase: str, action: str) -> RelevanceRule:
    """Add a word or phrase to the office's vocabulary, or exclude one (``action``)."""
    policy.require(actor, "monitoring.manage_sources", office)
    phrase = " ".join(phrase.replace("\x00", "").split()).lower()
    if not phrase:
        raise ValueError(_("Kata atau frasa wajib diisi."))
    if len(phrase) > PHRASE_MAX:
        raise ValueError(_("Kata atau frasa paling panjang %(max)d karakter.") % {"max": PHRASE_MAX})
    if action not in RelevanceRule.Action.values:
        raise ValueError(f"unknown rule action {action!r}")
    with transaction.atomic():
        rule, created = RelevanceRule.objects.update_or_create(
            office=office, phrase=phrase, defaults={"action": action, "created_by": actor}
        )
        audit_record(
            actor=actor,
            office=office,
            action="monitoring.relevance_rule_add",
            obj=None,
            changes={"phrase": phrase, "rule": action},
        )
        _cache.clear()
        transaction.on_commit(_cache.clear)  # and again once others can see the rule
    return rule


def relevance_rule_remove(*, actor: User, office: Office, phrase: str) -> bool:
    """Remove the office's own rule for ``phrase`` (inherited rules belong to the office above)."""
    policy.require(actor, "monitoring.manage_sources", office)
    with transaction.atomic():
        deleted, _rows = RelevanceRule.objects.filter(office=office, phrase=phrase).delete()
        if deleted:
            audit_record(
                actor=actor,
                office=office,
                action="monitoring.relevance_rule_remove",
                obj=None,
                changes={"phrase": phrase},
            )
            _cache.clear()
            transaction.on_commit(_cache.clear)
    return bool(deleted)
