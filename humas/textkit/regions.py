"""Region tagging: which provinces and regencies/cities a text is about.

The gazetteer is built from the offices' package data
(``humas/offices/data/wilayah_provinsi_kabkota.csv``, Kemendagri codes) plus
aliases: administrative prefixes ("Kabupaten", "Kab.", "Kota", "Provinsi"),
province abbreviations ("Jateng", "DKI", "Jogja", "NTB"), and well-known short
forms ("Solo", "Jaksel").  Matching works on whole tokens only (never inside a
word) and prefers the longest alias at each position.

Confidence, by design:

* name with its administrative prefix ("Kota Semarang", "Kab. Jepara"): 0.95;
* province name or abbreviation ("Jawa Tengah", "Jateng"): 0.9;
* bare regency/city name that is unique ("Jepara"): 0.8;
* bare name shared by a kabupaten and a kota ("Semarang"), or by a province and
  its capital city ("Jambi"): every reading is returned, with 0.5 (or 0.7 for
  the province) each;
* names that are also ordinary words ("Batu", "Padang", "Medan", "Malang",
  "Serang", "Solo", ...) count only with a prefix, or when capitalised away from
  the start of a sentence, or after a place cue ("di", "warga", "KPU", ...).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Region", "RegionMatch", "RegionTagger", "default_tagger", "load_regions"]

PREFIX_CONFIDENCE = 0.95
PROVINCE_CONFIDENCE = 0.9
BARE_CONFIDENCE = 0.8
AMBIGUOUS_CONFIDENCE = 0.5
PROVINCE_OVER_CITY_CONFIDENCE = 0.7

_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "11": ("aceh", "nanggroe aceh darussalam", "nad"),
    "12": ("sumut", "sumatra utara"),
    "13": ("sumbar", "sumatra barat"),
    "14": ("riau",),
    "15": ("jambi",),
    "16": ("sumsel", "sumatra selatan"),
    "17": ("bengkulu",),
    "18": ("lampung",),
    "19": ("bangka belitung", "babel", "kep babel", "kepulauan babel"),
    "21": ("kepri",),
    "31": ("dki jakarta", "dki", "jakarta", "daerah khusus jakarta"),
    "32": ("jabar",),
    "33": ("jateng",),
    "34": ("diy", "yogyakarta", "jogja", "yogya", "jogjakarta"),
    "35": ("jatim",),
    "36": ("banten",),
    "51": ("bali",),
    "52": ("ntb",),
    "53": ("ntt",),
    "61": ("kalbar",),
    "62": ("kalteng",),
    "63": ("kalsel",),
    "64": ("kaltim",),
    "65": ("kaltara",),
    "71": ("sulut",),
    "72": ("sulteng",),
    "73": ("sulsel",),
    "74": ("sultra",),
    "75": ("gorontalo",),
    "76": ("sulbar",),
    "81": ("maluku",),
    "82": ("malut",),
    "91": ("papua",),
    "92": ("papua barat", "pabar"),
    "93": ("papua selatan",),
    "94": ("papua tengah",),
    "95": ("papua pegunungan",),
    "96": ("papua barat daya",),
}
# Extra bare aliases of regencies/cities: alias -> code.
_PLACE_ALIASES: dict[str, str] = {
    "solo": "33.72",
    "jaksel": "31.74",
    "jakpus": "31.71",
    "jakut": "31.72",
    "jakbar": "31.73",
    "jaktim": "31.75",
    "tangsel": "36.74",
    "toli toli": "72.04",
    "tolitoli": "72.04",
    "baubau": "74.72",
    "pangkalpinang": "19.71",
    "tanjungpinang": "21.72",
    "palangka raya": "62.71",
    "lubuklinggau": "16.73",
    "pematang siantar": "12.72",
    "padang sidempuan": "12.77",
    "labuan bajo": "53.15",
    "pangkep": "73.10",
    "sidrap": "73.14",
    "kukar": "64.02",
    "gunung kidul": "34.03",
    "kulonprogo": "34.01",
    "tanjung balai": "12.74",
    "bau bau": "74.72",
    "toraja": "73.18",
}
# Bare names that are also ordinary Indonesian words or given names.
_COMMON_WORDS = frozenset(
    {
        "batu",
        "metro",
        "palu",
        "solo",
        "padang",
        "medan",
        "malang",
        "serang",
        "banjar",
        "batang",
        "buru",
        "puncak",
        "bone",
        "pati",
        "karo",
        "bima",
        "agam",
        "tebing tinggi",
        "sungai penuh",
        "pagar alam",
        "lima puluh kota",
        "empat lawang",
        "tanah datar",
        "kota baru",
        "muna",
        "sula",
        "ende",
        "alor",
        "sigi",
        "nias",
        "asahan",
        "kapuas",
        "paser",
        "berau",
        "tual",
        "batu bara",
        "bau bau",
        "lingga",
        "bangli",
        "badung",
        "deli",
        "langkat",
        "lebak",
        "dairi",
        "gowa",
        "luwu",
        "wajo",
        "maros",
        "barru",
        "poso",
        "buol",
        "seram",
        "mimika",
        "intan jaya",
        "aru",
    }
)
_NO_PREFIX_ONLY = frozenset({"batu", "metro", "palu", "puncak", "buru", "bone", "karo", "aru"})
_CUES = frozenset(
    {
        "di",
        "ke",
        "dari",
        "warga",
        "wilayah",
        "daerah",
        "kpu",
        "kip",
        "bawaslu",
        "pemkab",
        "pemkot",
        "bupati",
        "wali",
        "walikota",
        "gubernur",
        "dprd",
        "asal",
        "kawasan",
        "sekitar",
    }
)
# Phrases where a place name is part of something else.
_EXCLUSIONS = (
    "bima arya",
    "padang pasir",
    "padang rumput",
    "medan perang",
    "medan magnet",
    "medan laga",
    "nasib malang",
    "serang balik",
    "batang tubuh",
    "puncak acara",
    "danau toba",
)

# Words, also split at case changes so hashtags like "#KPUJepara" read "KPU Jepara".
_TOKEN_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^\W_]+")


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str  # provinsi | kabupaten | kota
    parent_code: str


@dataclass(frozen=True, slots=True)
class RegionMatch:
    code: str
    name: str
    level: str
    confidence: float
    start: int  # character offsets in the NFKC-normalised text
    end: int
    alias: str


@cache
def load_regions() -> tuple[Region, ...]:
    """The 38 provinces and 514 regencies/cities shipped with ``humas.offices``."""
    ref = resources.files("humas.offices.data").joinpath("wilayah_provinsi_kabkota.csv")
    text = ref.read_text(encoding="utf-8")
    return tuple(
        Region(row["code"], row["name"], row["level"], row["parent_code"] or "")
        for row in csv.DictReader(io.StringIO(text))
    )


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def _bare(name: str) -> str:
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True, slots=True)
class _Entry:
    codes: tuple[str, ...]
    confidences: tuple[float, ...]
    prefixed: bool
    common: bool


class RegionTagger:
    """Finds region mentions. Immutable after construction, so safe to share between threads."""

    def __init__(self, regions: Iterable[Region] | None = None) -> None:
        self.regions = {r.code: r for r in (regions if regions is not None else load_regions())}
        entries: dict[tuple[str, ...], list[tuple[str, float, bool]]] = {}

        def put(alias: str, code: str, confidence: float, prefixed: bool) -> None:
            key = tuple(_tokens(alias))
            if key:
                entries.setdefault(key, []).append((code, confidence, prefixed))

        for r in self.regions.values():
            if r.level == "provinsi":
                for alias in (r.name, *_PROVINCE_ALIASES.get(r.code, ())):
                    put(alias, r.code, PROVINCE_CONFIDENCE, False)
                    put("provinsi " + alias, r.code, PREFIX_CONFIDENCE, True)
                    put("prov " + alias, r.code, PREFIX_CONFIDENCE, True)
                continue
            bare = _bare(r.name)
            put(r.name, r.code, PREFIX_CONFIDENCE, True)
            if r.level == "kabupaten":
                put("kab " + bare, r.code, PREFIX_CONFIDENCE, True)
                put("kabupaten " + bare, r.code, PREFIX_CONFIDENCE, True)
            else:
                put("kota " + bare, r.code, PREFIX_CONFIDENCE, True)
            if "kepulauan" in bare.lower():
                short = bare.lower().replace("kepulauan", "kep")
                put(short, r.code, BARE_CONFIDENCE, False)
            put(bare, r.code, BARE_CONFIDENCE, False)
        for alias, code in _PLACE_ALIASES.items():
            put(alias, code, BARE_CONFIDENCE, False)
        for alias in ("kabupaten", "kab", "kota", "provinsi", "prov"):
            entries.pop((alias,), None)

        self._entries: dict[tuple[str, ...], _Entry] = {}
        for key, items in entries.items():
            # Prefixed aliases are specific; bare ones may name several places.
            unique: dict[str, tuple[float, bool]] = {}
            for code, conf, prefixed in items:
                if code not in unique or conf > unique[code][0]:
                    unique[code] = (conf, prefixed)
            codes = tuple(sorted(unique))
            prefixed_all = all(p for _, p in unique.values())
            if len(codes) > 1:
                levels = {self.regions[c].level for c in codes}
                confs = tuple(
                    PROVINCE_OVER_CITY_CONFIDENCE
                    if self.regions[c].level == "provinsi" and "provinsi" in levels
                    else AMBIGUOUS_CONFIDENCE
                    for c in codes
                )
            else:
                confs = (unique[codes[0]][0],)
            self._entries[key] = _Entry(codes, confs, prefixed_all, " ".join(key) in _COMMON_WORDS)
        self._max_len = max(len(k) for k in self._entries)
        self._exclusions: dict[str, list[tuple[str, ...]]] = {}
        for phrase in _EXCLUSIONS:
            toks = tuple(_tokens(phrase))
            self._exclusions.setdefault(toks[0], []).append(toks)
        self._first_words = frozenset(k[0] for k in self._entries) | frozenset(self._exclusions)

    def tag(self, text: str) -> list[RegionMatch]:
        """All region mentions in ``text``, in order of appearance."""
        if not text or text.isspace():
            return []
        text = unicodedata.normalize("NFKC", text[:200_000])
        if self._first_words.isdisjoint(w.lower() for w in _TOKEN_RE.findall(text)):
            return []  # most posts name no place: skip building spans
        spans = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN_RE.finditer(text)]
        words = [s[2] for s in spans]
        out: list[RegionMatch] = []
        i = 0
        n = len(words)
        while i < n:
            if words[i] not in self._first_words:
                i += 1
                continue
            excluded = next(
                (ex for ex in self._exclusions.get(words[i], ()) if tuple(words[i : i + len(ex)]) == ex), None
            )
            if excluded is not None:
                i += len(excluded)
                continue
            matched = False
            for length in range(min(self._max_len, n - i), 0, -1):
                key = tuple(words[i : i + length])
                entry = self._entries.get(key)
                if entry is None:
                    continue
                if entry.common and not entry.prefixed and not self._accept_common(text, spans, i, key):
                    continue
                start, end = spans[i][0], spans[i + length - 1][1]
                alias = text[start:end]
                for code, conf in zip(entry.codes, entry.confidences, strict=True):
                    r = self.regions[code]
                    out.append(RegionMatch(code, r.name, r.level, conf, start, end, alias))
                i += length
                matched = True
                break
            if not matched:
                i += 1
        return out

    def _accept_common(
        self, text: str, spans: list[tuple[int, int, str]], i: int, key: tuple[str, ...]
    ) -> bool:
        if " ".join(key) in _NO_PREFIX_ONLY:
            return False
        if i > 0 and spans[i - 1][2] in _CUES:
            return True
        first = text[spans[i][0]]
        if not first.isupper():
            return False
        before = text[: spans[i][0]].rstrip()
        sentence_start = not before or before[-1] in '.!?\n"“:'
        return not sentence_start

    def codes(self, text: str, *, min_confidence: float = 0.0) -> dict[str, float]:
        """Code -> best confidence among the mentions of ``text``."""
        best: dict[str, float] = {}
        for m in self.tag(text):
            if m.confidence >= min_confidence and m.confidence > best.get(m.code, 0.0):
                best[m.code] = m.confidence
        return best


@cache
def default_tagger() -> RegionTagger:
    return RegionTagger()
