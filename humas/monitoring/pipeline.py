"""What Humas makes of each item taken in: the monitoring pipeline.

For a batch of new items: normalise (``humas.textkit``) → exact and near-duplicate keys →
regions → the office the item is routed to → election relevance (that office's vocabulary) →
claim matching against the clarification knowledge base (``humas.factcheck``) → the item joins a
narrative: the known hoax's narrative when it matched a claim, the narrative of an earlier copy,
or the most similar open narrative of its office (online clustering), else a new one → the
narrative's counters, hours, risk → alerts.

Many workers run this at once (``humas worker`` on several machines). Everything up to the
narrative is computed without a lock, item by item (a text seen lately is not analysed again);
items that concern nothing of the election are stored apart, without any lock; joining narratives
is done for the rest of the batch in one transaction that holds the locks of the offices its items
are routed to (PostgreSQL advisory locks, taken in one order; SQLite writes one at a time anyway),
so two workers never start two narratives for one story. No item row is locked meanwhile: results
are written only to items still unprocessed, and a batch that finds some taken by another worker
is rolled back and done again without them, so an item processed twice is processed once. The
batch's state is read in a handful of queries (copies of a known wording first: they join its
narrative with no similarity search) and written back in a handful of statements, whatever the
number of offices.
"""

from __future__ import annotations

import logging
import operator
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from huey.contrib.djhuey import db_task

from humas.factcheck.matching import claim_index_versioned
from humas.factcheck.models import Claim
from humas.offices.models import Office
from humas.textkit.cluster import (
    centroid_add,
    cluster_terms,
    index_terms,
    query_terms,
    similarity,
    term_vector,
)
from humas.textkit.dedupe import NearDuplicateIndex, exact_key
from humas.textkit.index import MatchResult
from humas.textkit.normalize import Analysis
from humas.textkit.regions import RegionTagger, default_tagger
from humas.textkit.stance import DENIES_THRESHOLD, analyze_claim, default_stance_model

from .answers import replies_prepare_for_items
from .bulk import bulk_insert, bulk_set, insert_new, upsert_add
from .lookalikes import lookalikes_watch
from .models import (
    NARRATIVE_COUNTERS,
    Item,
    MatchDecision,
    Narrative,
    NarrativeHour,
    NarrativeTerm,
    Source,
    Stance,
    TermFrequency,
    Variant,
)
from .risk import narratives_assess
from .vocabulary import (
    ADDRESSEE_TERMS,
    commission_vocabulary,
    simple_form,
    vocabularies_refresh,
    vocabulary_for_office,
)

logger = logging.getLogger(__name__)

BATCH = 250  # items per transaction: large enough to amortise queries, small enough to retry cheaply
# Items per task, processed BATCH at a time by one worker thread: what one call of items_ingest took
# in (most of it concerns one office) stays together, rather than two threads taking the same
# office's batches at once and one waiting for the other's lock.
TASK_ITEMS = 1000
REGION_CONFIDENCE = 0.5  # a region mentioned at least this surely routes the item
CLUSTER_THRESHOLD = 0.45  # as textkit's NarrativeClusterer
MATCH_ALONE_RELEVANT = 0.9  # confidence of a match that makes an item relevant by itself
NEAR_DUPLICATE = 0.5  # estimated Jaccard of word shingles for one variant
VARIANTS_COMPARED = 100  # a narrative's largest variants a new wording is compared with
BUSY_TERM = 64  # a term indexing more open narratives of an office than this is not looked up
CANDIDATES = 8  # narratives an item is compared with, at most
MATCH_CACHE = 100_000  # claim matches remembered per worker process, by wording
TEXT_CACHE = 50_000  # text analyses remembered per worker process, by text
BACKLOG_AGE = timedelta(minutes=10)  # an item unprocessed this long after intake lost its task
_LOCK_SPACE = 741_500  # first key of the PostgreSQL advisory locks of this module


def _match_floor() -> float:
    return float(settings.HUMAS_MONITORING_MATCH_CONFIDENCE)


def _window_days() -> int:
    return int(settings.HUMAS_MONITORING_NARRATIVE_DAYS)


# ---------------------------------------------------------------------------------------------
# Shared, read-mostly state of a worker process


class _Offices:
    """Every office by code, id and path (a few hundred rows), reloaded when the table changed:
    one cheap aggregate per batch tells (an office added, renamed or the table loaded again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self.by_code: dict[str, Office] = {}
        self.by_id: dict[int, Office] = {}
        self.by_path: dict[str, Office] = {}

    def get(self) -> _Offices:
        found = Office.objects.aggregate(n=Count("pk"), top=Max("pk"), changed=Max("updated_at"))
        version = (found["n"], found["top"], found["changed"])
        with self._lock:
            if version != self._version:
                offices = list(Office.objects.all())
                self.by_code = {o.code: o for o in offices}
                self.by_id = {o.pk: o for o in offices}
                self.by_path = {o.path: o for o in offices}
                self._version = version
        return self


_offices = _Offices()
_tools_lock = threading.Lock()
_tools: dict[str, Any] = {}


def _tagger() -> RegionTagger:
    with _tools_lock:
        if "tagger" not in _tools:
            _tools["tagger"] = default_tagger()
        tagger: RegionTagger = _tools["tagger"]
        return tagger


def _minhash() -> NearDuplicateIndex:
    with _tools_lock:
        if "minhash" not in _tools:
            # Only its signature function is used: fixed seed, so every process agrees.
            _tools["minhash"] = NearDuplicateIndex(num_perm=64, bands=16, threshold=NEAR_DUPLICATE)
        minhash: NearDuplicateIndex = _tools["minhash"]
        return minhash


# ---------------------------------------------------------------------------------------------
# Per item, without a lock


@dataclass
class _Work:
    item: Item
    analysis: Analysis
    key: str
    terms: list[str]
    regions: dict[str, float]
    office: Office
    relevance_terms: list[str]
    targets_commission: bool
    match: MatchResult | None = None
    decision: str = MatchDecision.NONE
    claim_id: int | None = None
    score: float | None = None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    stance: str = ""
    # Filled when it joins a narrative.
    narrative: Narrative | None = None
    variant: Variant | None = None
    _signature: list[int] | None = None

    @property
    def signature(self) -> list[int]:
        """MinHash of the wording, made when first asked (only a wording new to its narrative
        needs one: copies of a known wording and items that join no narrative never do)."""
        if self._signature is None:
            found = _minhash().signature(self.analysis)
            self._signature = [int(v) for v in found] if found is not None else []
        return self._signature

    @property
    def relevant(self) -> bool:
        # Without an election word, only a sure match makes an item relevant: a suggestion, or a
        # match of a greeting that shares a word or two with a claim, is chatter.
        return bool(self.relevance_terms) or (
            self.decision == MatchDecision.MATCH and (self.score or 0.0) >= MATCH_ALONE_RELEVANT
        )


def _reach(item: Item) -> int:
    if item.views:
        return int(item.views)
    return int((item.reactions or 0) + (item.comments or 0) + (item.shares or 0))


def route(*, source_office: Office, source_kind: str, regions: dict[str, float], offices: _Offices) -> Office:
    """The office whose area an item concerns: the most specific offices of the regions it names
    surely, and their nearest common office when there are several (Kota and Kabupaten Semarang:
    Jawa Tengah). Comments on an office's own channels stay with it unless they name a place
    below it, since answering them is that office's job. No region: the source's office."""
    paths = [
        offices.by_code[code].path
        for code, confidence in regions.items()
        if confidence >= REGION_CONFIDENCE and code in offices.by_code
    ]
    if not paths:
        return source_office
    specific = [p for p in set(paths) if not any(q != p and q.startswith(p) for q in paths)]
    parts = [p.strip("/").split("/") for p in specific]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    target = offices.by_path.get("/" + "/".join(common) + "/") if common else None
    if target is None:
        return source_office
    if source_kind == Source.Kind.CHANNEL_COMMENTS and not target.path.startswith(source_office.path):
        return source_office
    return target


@dataclass(frozen=True, slots=True)
class _Text:
    """What a text's words alone say, the same for every copy of it."""

    analysis: Analysis
    normalized: str
    plain: str
    key: str
    terms: list[str]
    regions: dict[str, float]


class _TextCache:
    """The analyses of the texts a worker saw last, by text: a flood repeats the same message word
    for word (forwarded, re-posted, pasted under every post), and each copy then costs a lookup
    instead of tokenising, stemming and tagging again. Bounded (about a kilobyte per text); made
    again when the analyzer changes (a new claim index brings its own)."""

    def __init__(self, size: int = TEXT_CACHE) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._analyzer: Any = None
        self._texts: OrderedDict[str, _Text] = OrderedDict()

    def get(self, analyzer: Any, tagger: RegionTagger, text: str) -> _Text:
        with self._lock:
            if analyzer is not self._analyzer:
                self._texts.clear()
                self._analyzer = analyzer
            found = self._texts.get(text)
            if found is not None:
                self._texts.move_to_end(text)
                return found
        analysis = analyzer.analyze(text)
        found = _Text(
            analysis=analysis,
            normalized=analysis.normalized,
            plain=simple_form(text),
            key=exact_key(analysis),
            terms=cluster_terms(analysis),
            regions=tagger.codes(text),
        )
        with self._lock:
            if analyzer is self._analyzer:
                self._texts[text] = found
                while len(self._texts) > self._size:
                    self._texts.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._analyzer = None


_text_cache = _TextCache()


TIP_TERM = "laporan warga"  # the relevance term of a tip that names no election word
TIP_REGION_KEY = "region"  # a tip's payload: the region (Kemendagri code) the tipper chose


def _tip_regions(items: Sequence[Item], offices: _Offices) -> dict[int, str]:
    """The region each tip's sender chose (a form field, not the text): it routes the tip as
    surely as a region named in it. One query, for the tips of the batch only."""
    tips = [i.pk for i in items if i.source.kind == Source.Kind.PUBLIC_TIP]
    if not tips:
        return {}
    hints: dict[int, str] = {}
    for pk, raw in Item.objects.filter(pk__any=tips).values_list("pk", "raw"):
        code = raw.get(TIP_REGION_KEY) if isinstance(raw, dict) else None
        if isinstance(code, str) and code in offices.by_code:
            hints[pk] = code
    return hints


def _analyse(items: Sequence[Item]) -> list[_Work]:
    index, version = claim_index_versioned()
    analyzer = index.analyzer
    offices = _offices.get()
    vocabularies_refresh()
    tagger = _tagger()
    commission = commission_vocabulary(analyzer=analyzer)
    hints = _tip_regions(items, offices)
    works: list[_Work] = []
    for item in items:
        text = _text_cache.get(analyzer, tagger, item.text)
        regions = dict(text.regions)
        if item.pk in hints:
            regions[hints[item.pk]] = 1.0
        source_office = offices.by_id.get(item.office_id) or Office.objects.get(pk=item.office_id)
        item.office = source_office  # from the cache: no query when a later step reads it
        office = route(
            source_office=source_office, source_kind=item.source.kind, regions=regions, offices=offices
        )
        normalized, plain = text.normalized, text.plain
        relevance_terms = vocabulary_for_office(office=source_office, analyzer=analyzer).found(
            normalized, item.text, plain_form=plain
        )
        if item.source.kind == Source.Kind.CHANNEL_COMMENTS:
            # On the office's own channel people address the commission by name ("Terima kasih
            # infonya KPU Jepara"); its name alone says nothing about the election there.
            relevance_terms = [t for t in relevance_terms if t not in ADDRESSEE_TERMS]
        elif item.source.kind == Source.Kind.PUBLIC_TIP and not relevance_terms:
            # Someone asked the commission about it: whatever its words, the desk sees it.
            relevance_terms = [TIP_TERM]
        works.append(
            _Work(
                item=item,
                analysis=text.analysis,
                key=text.key,
                terms=text.terms,
                regions=regions,
                office=office,
                relevance_terms=relevance_terms,
                targets_commission=bool(commission.found(normalized, item.text, plain_form=plain)),
            )
        )
    _match(works, index, version)
    return works


class _MatchCache:
    """Claim matches by exact key, kept for the copies of a wording that later batches bring (most
    of a busy day's flood repeats what was already said), as long as the knowledge base is the one
    they were found in. Bounded: the oldest are forgotten first."""

    def __init__(self, size: int = MATCH_CACHE) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._version: Any = None
        self._results: OrderedDict[str, MatchResult | None] = OrderedDict()

    def get(self, version: Any, keys: Iterable[str]) -> dict[str, MatchResult | None]:
        with self._lock:
            if version != self._version:
                self._results.clear()
                self._version = version
                return {}
            found = {}
            for key in keys:
                if key in self._results:
                    self._results.move_to_end(key)
                    found[key] = self._results[key]
            return found

    def put(self, version: Any, results: dict[str, MatchResult | None]) -> None:
        with self._lock:
            if version != self._version:
                return
            self._results.update(results)
            while len(self._results) > self._size:
                self._results.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._results.clear()
            self._version = None


_match_cache = _MatchCache()


def _match(works: list[_Work], index: Any, version: Any) -> None:
    """Claim matching, once per wording: copies take the result of their wording, found in this
    batch or remembered from an earlier one."""
    by_key: dict[str, MatchResult | None] = _match_cache.get(version, {w.key for w in works})
    first: dict[str, int] = {}
    fresh: list[int] = []
    for i, work in enumerate(works):
        if work.key not in first and work.key not in by_key:
            first[work.key] = i
            fresh.append(i)
    results = index.search_analyses([works[i].analysis for i in fresh], k=5) if fresh else []
    found = {works[i].key: result for i, result in zip(fresh, results, strict=True)}
    _match_cache.put(version, found)
    by_key.update(found)
    for work in works:
        result: MatchResult | None = by_key.get(work.key)
        work.match = result
        if result is None or result.best is None:
            continue
        work.decision = str(result.decision)
        work.score = float(result.confidence)
        if work.decision == MatchDecision.MATCH and work.score < _match_floor():
            # The index's decision is calibrated on a large knowledge base; an office's first few
            # clarifications make its confidence look higher than it is. Below the floor a person
            # judges (a suggestion) instead of the item joining the hoax's narrative unseen.
            work.decision = MatchDecision.SUGGESTION
        if work.decision == MatchDecision.MATCH:
            work.claim_id = int(result.best.doc_id)
        if work.decision != MatchDecision.NONE:
            work.suggestions = [
                {"claim": int(c.doc_id), "score": round(float(c.probability), 3)}
                for c in result.candidates[:3]
            ]
    _denials(works, index.analyzer)


def _denials(works: list[_Work], analyzer: Any) -> None:
    """An item that denies the claim it matched or may match (news reporting the truth, a
    debunk: "Erick Thohir *tak* jadi cawapres" against "Erick Thohir resmi jadi cawapres") is
    marked as denying it, and is no automatic match of the hoax: it waits as a suggestion
    (``humas.textkit.stance``)."""
    judged = [
        w
        for w in works
        if w.decision in (MatchDecision.MATCH, MatchDecision.SUGGESTION) and w.match and w.match.best
    ]
    if not judged:
        return
    ids = sorted({int(w.match.best.doc_id) for w in judged if w.match and w.match.best})
    titles: dict[int, str] = dict(Claim.objects.filter(pk__any=ids).values_list("pk", "title"))
    model = default_stance_model()
    for work in judged:
        assert work.match is not None and work.match.best is not None  # noqa: S101 - filtered above
        title = titles.get(int(work.match.best.doc_id), "")
        if not title:
            continue
        key = (title, work.item.text)
        with _denial_lock:
            denies = _denial_cache.get(key)
            claim_an = _claim_analyses.get(title) if analyzer is _claim_analyses_of[0] else None
        if denies is None:
            if claim_an is None:
                claim_an = analyze_claim(title, analyzer)
                with _denial_lock:
                    if analyzer is not _claim_analyses_of[0]:
                        _claim_analyses.clear()
                        _claim_analyses_of[0] = analyzer
                    _claim_analyses[title] = claim_an
                    while len(_claim_analyses) > TEXT_CACHE:
                        _claim_analyses.popitem(last=False)
            found = model.decide(
                title, work.item.text, analyzer=analyzer, claim_analysis=claim_an, post_analysis=work.analysis
            )
            denies = found.probabilities.get("denies", 0.0) >= DENIES_THRESHOLD
            with _denial_lock:
                _denial_cache[key] = denies
                while len(_denial_cache) > TEXT_CACHE:
                    _denial_cache.popitem(last=False)
        if denies:
            work.decision = MatchDecision.SUGGESTION
            work.claim_id = None
            work.stance = Stance.DENIES


# Copies of a matched text are judged once: (claim title, text) -> denies it.
_denial_lock = threading.Lock()
_denial_cache: OrderedDict[tuple[str, str], bool] = OrderedDict()
# Each claim's analysis for the stance features, made once per analyzer (a new claim index brings
# its own).
_claim_analyses: OrderedDict[str, Analysis] = OrderedDict()
_claim_analyses_of: list[Any] = [None]


# ---------------------------------------------------------------------------------------------
# Per batch, under the locks of the offices it routes items to


def _lock_offices(office_ids: Iterable[int]) -> None:
    """The offices' advisory locks, taken in ascending order by every worker (no lock cycles)."""
    ids = sorted(set(office_ids))
    if ids and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A function scan of an array yields its elements in order: the locks follow it.
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(%s, o)) FROM unnest(%s::integer[]) AS o",
                [_LOCK_SPACE, ids],
            )


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _ref(narrative: Narrative) -> int:
    """A narrative's key in the maps below: its id, or minus its object's id until it is saved."""
    return narrative.pk or -id(narrative)


class _Clusters:
    """The open narratives a batch may touch, in every office it routes items to: loaded in a
    handful of queries (copies of a known wording first: they need no similarity search),
    changed in memory, written back in a handful of statements."""

    def __init__(self, works: list[_Work], now: datetime) -> None:
        self.now = now
        self.since = now - timedelta(days=_window_days())
        self.narratives: dict[int, Narrative] = {}  # id() of the object → narrative
        self.created: list[Narrative] = []
        self.touched: set[int] = set()  # id() of the narratives changed
        self.postings: dict[tuple[int, str], set[int]] = defaultdict(set)  # (office, term) → id()s
        self.indexed: dict[int, frozenset[str]] = {}
        self.loaded_terms: dict[int, frozenset[str]] = {}
        self.by_pk: dict[int, Narrative] = {}
        self.by_claim: dict[tuple[int, int], Narrative] = {}  # (office, claim) → narrative
        self.by_key: dict[tuple[int, str], Narrative] = {}  # (office, exact key) → narrative
        self.variants: dict[int, list[Variant]] = defaultdict(list)  # _ref(narrative) → variants
        self.variant_by_key: dict[tuple[int, str], Variant] = {}  # (_ref(narrative), key) → variant
        self.variant_pks: set[int] = set()
        self.compared: set[int] = set()  # narratives whose largest variants are loaded
        self.new_variants: list[Variant] = []
        self.changed_variants: set[int] = set()
        self.moved: set[int] = set()  # id() of the narratives whose centroid moved
        self._load(works)

    # Loading ---------------------------------------------------------------------------------

    def _load(self, works: list[_Work]) -> None:
        offices = sorted({w.office.pk for w in works})
        wanted = {(w.office.pk, w.key) for w in works}
        keys = sorted({w.key for w in works})
        claims = sorted({w.claim_id for w in works if w.claim_id is not None})
        # Copies of a wording an open narrative of the office already holds: they join it.
        # (By key alone: the index on the key leads, whatever the planner thinks of the offices.)
        exact = [
            v
            for v in Variant.objects.filter(exact_key__any=keys)
            .annotate(office_id=F("narrative__office_id"), merged=F("narrative__merged_into_id"))
            .defer("text")
            if v.merged is None and (v.office_id, v.exact_key) in wanted
        ]
        ids = {v.narrative_id for v in exact}
        known = {(v.office_id, v.exact_key) for v in exact}
        self.df = self._document_frequencies(works)
        # Every other wording looks for the most similar open narratives of its office, once.
        vectors: dict[tuple[int, str], dict[str, float]] = {}
        for work in works:
            pair = (work.office.pk, work.key)
            if work.claim_id is None and pair not in known and pair not in vectors:
                vectors[pair] = term_vector(work.terms, self.df, self.docs)
        lookup = sorted({t for vec in vectors.values() for t in query_terms(vec)})
        similar: set[int] = set()  # narratives a wording may join by similarity
        if lookup:
            postings: dict[tuple[int, str], set[int]] = defaultdict(set)
            for term, narrative_id, office_id in NarrativeTerm.objects.filter(
                term__any=lookup,
                narrative__office_id__any=offices,
                narrative__merged_into__isnull=True,
                narrative__last_seen_at__gte=self.since,
            ).values_list("term", "narrative_id", "narrative__office_id"):
                postings[(office_id, term)].add(narrative_id)
            # As textkit's clusterer: a term shared by many narratives says little about which one
            # an item belongs to; each wording brings its few best candidates only.
            for (office_id, _key), vec in vectors.items():
                votes: dict[int, float] = defaultdict(float)
                for term in query_terms(vec):
                    found = postings.get((office_id, term), ())
                    if len(found) <= BUSY_TERM:
                        for narrative_id in found:
                            votes[narrative_id] += vec[term]
                similar.update(sorted(votes, key=lambda n: -votes[n])[:CANDIDATES])
        if not ids and not similar and not claims:
            return
        wanted_narratives = Q(pk__any=sorted(ids | similar))
        if claims:
            wanted_narratives |= Q(office_id__in=offices, claim_id__in=claims)
        # Without their centroids (kilobytes of JSON each): a narrative found only because it
        # holds a wording of the batch just counts its copies.
        rows = (
            Narrative.objects.filter(wanted_narratives, merged_into__isnull=True)
            .defer("centroid")
            .order_by("pk")
        )
        if connection.vendor == "postgresql":
            # Triage (merge, split, route) locks the rows it changes: so does the pipeline.
            rows = rows.select_for_update()
        narratives = list(rows)
        needed = sorted(n.pk for n in narratives if n.pk in similar or n.claim_id in claims)
        centroids = (
            dict(Narrative.objects.filter(pk__any=needed).values_list("pk", "centroid")) if needed else {}
        )
        for narrative in narratives:
            if narrative.pk in centroids:
                narrative.centroid = centroids[narrative.pk]
            self._remember(narrative)
        for variant in exact:
            self._remember_variant(variant)

    def _document_frequencies(self, works: list[_Work]) -> dict[str, int]:
        terms = sorted({t for w in works for t in w.terms})
        rows = dict(TermFrequency.objects.filter(term__any=[*terms, ""]).values_list("term", "df"))
        self.docs = int(rows.pop("", 0))
        return {t: int(n) for t, n in rows.items()}

    def _remember(self, narrative: Narrative) -> None:
        ref = id(narrative)
        self.narratives[ref] = narrative
        if narrative.pk:
            self.by_pk[narrative.pk] = narrative
        if narrative.claim_id is not None:
            self.by_claim.setdefault((narrative.office_id, narrative.claim_id), narrative)
        if "centroid" in narrative.get_deferred_fields():
            return  # found by a wording it holds only: neither compared nor moved
        top = index_terms(narrative.centroid)
        self.indexed[ref] = top
        self.loaded_terms[ref] = top
        for term in top:
            self.postings[(narrative.office_id, term)].add(ref)

    def _remember_variant(self, variant: Variant) -> None:
        narrative = self.by_pk.get(variant.narrative_id)
        if narrative is None or variant.pk in self.variant_pks:
            return
        self.variant_pks.add(variant.pk)
        self.variants[variant.narrative_id].append(variant)
        self.variant_by_key[(variant.narrative_id, variant.exact_key)] = variant
        self.by_key.setdefault((narrative.office_id, variant.exact_key), narrative)

    def _load_largest_variants(self, narrative_ids: set[int]) -> None:
        """The largest variants of these narratives: a new wording is compared with them."""
        ids = sorted(narrative_ids - self.compared)
        if not ids:
            return
        self.compared.update(ids)
        rank = Window(
            RowNumber(), partition_by=[F("narrative_id")], order_by=[F("item_count").desc(), F("pk")]
        )
        for variant in (
            Variant.objects.filter(narrative_id__any=ids)
            .annotate(rank=rank)
            .filter(rank__lte=VARIANTS_COMPARED)
            .defer("text")
        ):
            self._remember_variant(variant)

    # Assigning -------------------------------------------------------------------------------

    def _closest(self, office_id: int, vec: dict[str, float]) -> Narrative | None:
        votes: dict[int, float] = defaultdict(float)
        for term in query_terms(vec):
            for ref in self.postings.get((office_id, term), ()):
                votes[ref] += vec[term]
        best, best_sim = None, 0.0
        for ref in sorted(votes, key=lambda r: -votes[r])[:CANDIDATES]:
            narrative = self.narratives[ref]
            if narrative.claim_id is not None:
                # A known hoax's narrative takes what the matcher gave it (and copies of that);
                # an item that did not match its claim only resembles it in words.
                continue
            sim = similarity(vec, narrative.centroid, narrative.centroid_norm)
            if sim > best_sim:
                best, best_sim = narrative, sim
        return best if best is not None and best_sim >= CLUSTER_THRESHOLD else None

    def _new_narrative(self, work: _Work) -> Narrative:
        narrative = Narrative(
            office=work.office,
            office_path=work.office.path,
            title=work.item.text[:500],
            claim_id=work.claim_id,
            suggestions=work.suggestions,
            centroid={},
            centroid_norm=1.0,
            first_seen_at=work.item.published_at,
            last_seen_at=work.item.published_at,
            created_at=self.now,
            updated_at=self.now,
        )
        self.created.append(narrative)
        self._remember(narrative)
        return narrative

    def assign(self, work: _Work, new_terms: dict[str, int]) -> None:
        """The narrative the item joins: the one holding its wording, else its matched claim's,
        else the most similar open one of its office, else a new one."""
        office_id = work.office.pk
        narrative = self.by_key.get((office_id, work.key))
        copy = narrative is not None  # of a wording the narrative holds: counted, its words are there
        vec: dict[str, float] | None = None
        if narrative is None and work.claim_id is not None:
            narrative = self.by_claim.get((office_id, work.claim_id)) or self._new_narrative(work)
        if narrative is None:
            # A new wording counts as a document of the collection ("" holds their number).
            for term in {*work.terms, ""}:
                new_terms[term] = new_terms.get(term, 0) + 1
                if term:
                    self.df[term] = self.df.get(term, 0) + 1
            self.docs += 1
            vec = term_vector(work.terms, self.df, self.docs)
            narrative = self._closest(office_id, vec) or self._new_narrative(work)
        if vec is None and not copy and work.terms and narrative.item_count < 64:
            vec = term_vector(work.terms, self.df, self.docs)
        if vec:
            self._move_centroid(narrative, vec)
        self.by_key.setdefault((office_id, work.key), narrative)
        work.narrative = narrative
        self._count(narrative, work)

    def attach_variants(self, works: list[_Work]) -> None:
        """Each item's variant: the narrative's variant of its exact wording, else its nearest
        variant by MinHash among the narrative's largest, else a new one."""
        self._load_largest_variants(
            {
                w.narrative.pk
                for w in works
                if w.narrative is not None
                and w.narrative.pk
                and (w.narrative.pk, w.key) not in self.variant_by_key
            }
        )
        for work in works:
            assert work.narrative is not None  # noqa: S101 - assigned first
            work.variant = self._variant(work.narrative, work)

    def _move_centroid(self, narrative: Narrative, vec: dict[str, float]) -> None:
        if narrative.pk and "centroid" in narrative.get_deferred_fields():
            # Loaded for its copies only (not expected to move): its centroid and terms now.
            narrative.refresh_from_db(fields=["centroid"])
            top = index_terms(narrative.centroid)
            self.indexed[id(narrative)] = self.loaded_terms[id(narrative)] = top
        self.moved.add(id(narrative))
        centroid, norm = centroid_add(dict(narrative.centroid), narrative.item_count, vec)
        narrative.centroid, narrative.centroid_norm = centroid, norm
        top = index_terms(centroid)
        ref = id(narrative)
        office_id = narrative.office_id
        for term in self.indexed.get(ref, frozenset()) - top:
            self.postings[(office_id, term)].discard(ref)
        for term in top:
            self.postings[(office_id, term)].add(ref)
        self.indexed[ref] = top

    def _variant(self, narrative: Narrative, work: _Work) -> Variant:
        ref = _ref(narrative)
        variant = self.variant_by_key.get((ref, work.key))
        if variant is None and work.signature:
            variant = _nearest(self.variants.get(ref, ()), work.signature)
        if variant is None:
            variant = Variant(
                narrative=narrative,
                exact_key=work.key,
                signature=work.signature,
                text=work.item.text,
                item_count=0,
                reach=0,
                first_seen_at=work.item.published_at,
            )
            self.new_variants.append(variant)
            self.variants[ref].append(variant)
            self.variant_by_key[(ref, work.key)] = variant
            narrative.variant_count += 1
        variant.item_count += 1
        variant.reach += _reach(work.item)
        if variant.pk:
            self.changed_variants.add(variant.pk)
        return variant

    def _count(self, narrative: Narrative, work: _Work) -> None:
        item = work.item
        narrative.item_count += 1
        if work.stance == Stance.DENIES:
            narrative.denial_count += 1
        narrative.reach += _reach(item)
        platforms = dict(narrative.platforms)
        platforms[item.platform] = platforms.get(item.platform, 0) + 1
        narrative.platforms = platforms
        regions = dict(narrative.regions)
        for code, confidence in work.regions.items():
            if confidence >= REGION_CONFIDENCE:
                regions[code] = regions.get(code, 0) + 1
        narrative.regions = regions
        narrative.targets_commission = narrative.targets_commission or work.targets_commission
        narrative.first_seen_at = min(narrative.first_seen_at, item.published_at)
        narrative.last_seen_at = max(narrative.last_seen_at, item.published_at)
        if narrative.claim_id is None and work.claim_id is not None:
            narrative.claim_id = work.claim_id
        if not narrative.claim_id and work.suggestions and not narrative.suggestions:
            narrative.suggestions = work.suggestions
        narrative.updated_at = self.now
        self.touched.add(id(narrative))

    # Writing ---------------------------------------------------------------------------------

    def save(self) -> list[Narrative]:
        for narrative in self.created:
            biggest = max(self.variants.get(-id(narrative), []), key=lambda v: v.item_count, default=None)
            if biggest is not None:
                narrative.title = biggest.text[:500]
        bulk_insert(Narrative, self.created)
        # Variants made for narratives created in this batch were keyed before the narrative
        # had an id; point them at it now.
        for variant in self.new_variants:
            variant.narrative_id = variant.narrative.pk
        bulk_insert(Variant, self.new_variants)
        changed = [self.narratives[ref] for ref in self.touched if self.narratives[ref].pk]
        created_ids = {n.pk for n in self.created}
        existing = [n for n in changed if n.pk not in created_ids]
        # A centroid is a few kilobytes of JSON: written only where it moved.
        moved = [n for n in existing if id(n) in self.moved]
        if moved:
            bulk_set(Narrative, moved, ["centroid", "centroid_norm"])
        if existing:
            bulk_set(
                Narrative,
                existing,
                [
                    *NARRATIVE_COUNTERS,
                    "targets_commission",
                    "first_seen_at",
                    "last_seen_at",
                    "claim",
                    "suggestions",
                    "updated_at",
                ],
            )
        if self.changed_variants:
            bulk_set(
                Variant,
                [v for vs in self.variants.values() for v in vs if v.pk in self.changed_variants],
                ["item_count", "reach"],
            )
        self._save_terms([n for n in changed if id(n) in self.moved])
        return changed

    def _save_terms(self, narratives: list[Narrative]) -> None:
        # The rows hold the strongest terms of each narrative as it was loaded (this module is
        # their only writer, under the office's lock), so the difference needs no query.
        add: list[tuple[str, int]] = []
        drop: list[Q] = []
        for narrative in narratives:
            wanted = {t[:100] for t in self.indexed.get(id(narrative), frozenset())}
            have = {t[:100] for t in self.loaded_terms.get(id(narrative), frozenset())}
            add.extend((t, narrative.pk) for t in sorted(wanted - have))
            if have - wanted:
                drop.append(Q(narrative_id=narrative.pk, term__in=have - wanted))
        if drop:
            NarrativeTerm.objects.filter(reduce(operator.or_, drop)).delete()
        insert_new(NarrativeTerm, ["term", "narrative"], add)


def _nearest(variants: Iterable[Variant], signature: list[int]) -> Variant | None:
    """The variant whose MinHash signature agrees most with ``signature``, if it agrees enough."""
    candidates = [v for v in variants if v.signature and len(v.signature) == len(signature)]
    if not candidates:
        return None
    agree = (np.asarray([v.signature for v in candidates]) == np.asarray(signature)).mean(axis=1)
    best = int(agree.argmax())
    return candidates[best] if float(agree[best]) >= NEAR_DUPLICATE else None


def narratives_recentre(narratives: Sequence[Narrative]) -> None:
    """Each narrative's centroid and index terms made again from its largest variants, after a
    person moved wordings between narratives (split, merge): new items then find a narrative by
    the wordings it holds now, not by those it held. Call in the transaction that moved them."""
    analyzer = claim_index_versioned()[0].analyzer
    for narrative in narratives:
        texts = list(
            Variant.objects.filter(narrative=narrative)
            .order_by("-item_count", "pk")
            .values_list("text", flat=True)[:VARIANTS_COMPARED]
        )
        wordings = [terms for terms in (cluster_terms(analyzer.analyze(t)) for t in texts) if terms]
        counts = dict(
            TermFrequency.objects.filter(
                term__any=sorted({t for w in wordings for t in w} | {""})
            ).values_list("term", "df")
        )
        docs = int(counts.pop("", 0))
        centroid: dict[str, float] = {}
        norm = 1.0
        for size, terms in enumerate(wordings):  # one wording, one vote (as copies do not move it)
            centroid, norm = centroid_add(centroid, size, term_vector(terms, counts, docs))
        narrative.centroid, narrative.centroid_norm = centroid, norm
        Narrative.objects.filter(pk=narrative.pk).update(centroid=centroid, centroid_norm=norm)
        NarrativeTerm.objects.filter(narrative=narrative).delete()
        insert_new(
            NarrativeTerm,
            ["term", "narrative"],
            [(t[:100], narrative.pk) for t in sorted(index_terms(centroid))],
        )


def _count_terms(counts: dict[tuple[Any, ...], int]) -> None:
    with transaction.atomic():
        upsert_add(TermFrequency._meta.db_table, ["term"], "df", counts)


def _published_range(works: Sequence[_Work]) -> tuple[datetime, datetime]:
    """The batch's span of publication times: on PostgreSQL it confines a statement on items to
    the partitions of those months."""
    moments = [w.item.published_at for w in works]
    return min(moments), max(moments)


# The columns of an item the pipeline fills.
ITEM_RESULTS = (
    "processed_at",
    "exact_key",
    "relevant",
    "relevance_terms",
    "regions",
    "routed_office",
    "match_decision",
    "match_claim",
    "match_score",
    "stance",
    "narrative",
    "variant",
    "reach",
)


def _write_items(works: list[_Work], now: datetime) -> int:
    """Every item's results, in one statement, to the items still unprocessed: returns how many
    were written."""
    for work in works:
        item = work.item
        item.processed_at = now
        item.exact_key = work.key
        item.relevant = work.relevant
        item.relevance_terms = work.relevance_terms
        item.regions = work.regions
        item.routed_office = work.office
        item.match_decision = work.decision
        item.match_claim_id = work.claim_id
        item.match_score = work.score
        item.stance = work.stance
        item.narrative = work.narrative
        item.variant = work.variant
        item.reach = _reach(item)
    low, high = _published_range(works)
    return bulk_set(
        Item,
        [w.item for w in works],
        ITEM_RESULTS,
        within=("published_at", low, high),
        unset="processed_at",
    )


class _Raced(Exception):
    """Some of the batch's items were processed by another worker meanwhile: the transaction is
    rolled back and the batch done again without them."""


def _unprocessed(works: list[_Work]) -> list[_Work]:
    """The works whose items are still unprocessed."""
    low, high = _published_range(works)
    still = set(
        Item.objects.filter(
            pk__any=[w.item.pk for w in works],
            processed_at__isnull=True,
            published_at__gte=low,
            published_at__lte=high,
        ).values_list("pk", flat=True)
    )
    return [w for w in works if w.item.pk in still]


def _store_unrelated(works: list[_Work], now: datetime) -> None:
    """Items that join no narrative (nothing about the election): their results are stored in a
    short transaction of their own, without any office's lock. An item another worker processed
    meanwhile is left as that worker stored it (the write skips processed rows)."""
    with transaction.atomic():
        _write_items(works, now)


def _apply(works: list[_Work], now: datetime) -> list[Narrative]:
    """Join the batch's relevant items to narratives, in one transaction holding the locks of
    the offices they are routed to, and store their results. Raises _Raced (nothing stored)
    when another worker processed some of the items meanwhile."""
    with transaction.atomic():
        _lock_offices(w.office.pk for w in works)
        relevant = sorted((w for w in works if w.relevant), key=lambda w: (w.item.published_at, w.item.pk))
        new_terms: dict[str, int] = {}
        changed: list[Narrative] = []
        if relevant:
            clusters = _Clusters(relevant, now)
            for work in relevant:
                clusters.assign(work, new_terms)
            clusters.attach_variants(relevant)
            changed = clusters.save()
        if _write_items(works, now) != len(works):
            # Optimistic: no item row is locked while the batch clusters. Another worker that
            # took some of these items routed them to the same offices and held their locks, so
            # this is rare (a task run twice, the office tree changed in between).
            raise _Raced
        hours: dict[tuple[Any, ...], int] = defaultdict(int)
        for work in relevant:
            assert work.narrative is not None  # noqa: S101 - every relevant item joined one
            hours[(work.narrative.pk, _hour(work.item.published_at))] += 1
        upsert_add(NarrativeHour._meta.db_table, ["narrative_id", "hour"], "count", dict(hours))
        if new_terms:
            counts = {(t[:100],): n for t, n in new_terms.items()}
            # Document frequencies only weigh terms: counted after the commit, in a short
            # transaction of their own, so no worker holds the shared rows while it clusters.
            transaction.on_commit(lambda: _count_terms(counts))
        matched = [
            (w.item, w.narrative, w.claim_id)
            for w in relevant
            if w.claim_id is not None and w.narrative is not None and w.decision == MatchDecision.MATCH
        ]
        if matched:
            replies_prepare_for_items(matched=matched)
        if changed:
            narratives_assess(narratives=changed, now=now)
        return changed


def _lock_groups(works: list[_Work]) -> list[list[_Work]]:
    """The batch in at most two transactions: the office most of it concerns (with every office
    that has as many items), then the few items routed elsewhere. Those few often go to an office
    every batch touches (the national office, for a post naming two provinces): apart, that
    office's lock is held for a short transaction, not for the whole batch's."""
    counts: dict[int, int] = defaultdict(int)
    for work in works:
        counts[work.office.pk] += 1
    if len(counts) < 2:
        return [works] if works else []
    top = max(counts.values())
    main = {office for office, n in counts.items() if n == top}
    first = [w for w in works if w.office.pk in main]
    rest = [w for w in works if w.office.pk not in main]
    return [first, rest] if rest else [first]


def items_process(*, item_ids: Iterable[int], now: datetime | None = None) -> int:
    """Run the pipeline over the given items (those already processed are left alone); returns
    how many were processed here. Safe to call twice, from several workers at once."""
    now = now or timezone.now()
    ids = sorted(set(item_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        items = list(
            Item.objects.filter(pk__any=ids[start : start + BATCH], processed_at__isnull=True)
            .defer("raw")
            .order_by("pk")
        )
        if not items:
            continue
        # A batch comes from a few sources: each is loaded once, not joined to every item.
        sources = {
            s.pk: s for s in Source.objects.filter(pk__in={i.source_id for i in items}).defer("cursor")
        }
        for item in items:
            item.source = sources[item.source_id]
        works = _analyse(items)
        _store(works, now)
        done += len(works)
        _watch_accounts(items)
    return done


def _watch_accounts(items: Sequence[Item]) -> None:
    """The impersonation watch over the batch's accounts (humas/monitoring/lookalikes.py), after
    the batch is stored: a failure there is logged and never undoes or repeats the batch."""
    try:
        lookalikes_watch(items)
    except Exception:
        logger.exception("impersonation watch failed for %d items", len(items))


def _store(works: list[_Work], now: datetime) -> None:
    """The analysed batch stored: items about nothing of the election apart, the rest joined to
    narratives under their offices' locks (again without the items another worker took, if any)."""
    unrelated = [w for w in works if not w.relevant]
    if unrelated:
        _store_unrelated(unrelated, now)
    for group in _lock_groups([w for w in works if w.relevant]):
        for _attempt in range(3):
            try:
                _apply(group, now)
                break
            except _Raced:
                group = _unprocessed(group)
                if not group:
                    break
        else:
            raise _Raced


@db_task(retries=2, retry_delay=10)
def items_process_task(item_ids: list[int]) -> None:
    items_process(item_ids=item_ids)


def items_enqueue(item_ids: Sequence[int]) -> None:
    """Hand new items to the pipeline in batches (call after the items are committed)."""
    for start in range(0, len(item_ids), TASK_ITEMS):
        items_process_task(list(item_ids[start : start + TASK_ITEMS]))


def items_backlog_sweep(*, limit: int = 20 * BATCH, now: datetime | None = None) -> int:
    """Backstop for batches the queue lost: the oldest items still unprocessed ``BACKLOG_AGE``
    after they were taken in are processed (younger ones still have their task in the queue)."""
    before = (now or timezone.now()) - BACKLOG_AGE
    ids = list(
        Item.objects.filter(processed_at__isnull=True, captured_at__lt=before)
        .order_by("captured_at")
        .values_list("pk", flat=True)[:limit]
    )
    items_enqueue(ids)
    return len(ids)
