"""Look-alike accounts: handles and display names that imitate an office's official accounts.

Monitoring sees the author and the @mentions of every item. ``LookalikeIndex`` holds the official
accounts of the offices (553 KPU offices x 6 platforms) and answers, for one author or mention,
which official account it imitates, how strongly, and why::

    index = LookalikeIndex([Official("kpu_kabjepara", "KPU Kabupaten Jepara", "x", office="33.20"), ...])
    index.find("kpujepar4", platform="x")
    # [Hit(official=Official('kpu_kabjepara', ...), score=1.0, reasons=('digit_swap',))]

**The method.** Handle and display name go through the same steps.

1. ``skeleton()``: NFKC (fullwidth and mathematical letters become plain ones), hidden format
   characters (zero-width spaces) dropped, Cyrillic, Greek and other Latin look-alikes mapped to
   the Latin letter they imitate (after the idea of the confusables skeleton of Unicode TR39, with
   a small hand-made table rather than the full one), accents dropped, case folded, years
   (``2024``) dropped, digits read as the letters they stand for (4→a, 0→o, 1→i, 3→e, 5→s, 7→t,
   8→b, 9→g), ``I``/``l``/``1`` made one letter, ``rn``→``m``, ``vv``→``w``, and everything that is
   not a letter dropped. ``kpu_j3para``, ``kpu.jepara`` and ``KРU Jepara`` (Cyrillic Р) all become
   ``kpujepara``.
2. The organisation word is found (``kpu``, ``kpuu``, or spelled out: *Komisi Pemilihan Umum*,
   *Komisi Pemilu*). A candidate without it is never a hit: ``bawaslu_jepara``, ``pemkabjepara``
   and ``jeparaupdate`` do not claim to be KPU. ``kppu_ri`` (the competition commission) and
   ``kpk_ri`` do not contain it either.
3. Decoration words are peeled off both ends (official, resmi, asli, real, info, news, update,
   humas, id, ri, indonesia, pemilu, ...), then an office-type word (``kab``/``kabupaten``,
   ``kota``, ``prov``/``provinsi``). What remains is the place, looked up among the places of the
   registered offices: taken from each office's display name (``KPU Kabupaten Jepara`` →
   ``jepara``, type regency), from each of its handles (``kpujateng`` → ``jateng``) and from the
   aliases its ``Official`` rows carry (``solo`` for Surakarta).
4. A place equal to an office's place scores 1.0; one or two edits away (Damerau distance,
   found through a deletion-neighbourhood index, so a lookup never scans the offices) scores 0.9
   to 0.75 depending on the length (short places must match
   exactly: ``ntb`` is not ``ntt``). The type must agree: ``kpukotabogor`` names the city, so it
   is not an imitation of ``kpukabbogor`` when the registry has both; a candidate without a type
   word (``kpu_bogor``) imitates both. A place that is exactly another office's place stops the
   near matches (``kpusiak_official`` imitates Siak, not Sikka).
5. Words that are not decoration lower the score: an unknown word before or after (``pantau``
   KPU Jepara, a watchdog) x0.55; a word that marks a parody, a watchdog or a protest (parodi,
   watch, kawal, tolak, ...) x0.3; another body's marker (PPK, PPS, Bawaslu's panwas, Bea Cukai's
   ``kpu bc`` customs offices) x0.2. A display name that names someone else (no KPU in it) lowers
   what the handle alone says (x0.75): ``k.puri`` called *Kartika Puri* is a person.

The score of an account is the best of its handle and its display name (a little more when
both imitate). A candidate whose handle is a registered official account on that platform
(any platform when the platform is not given) is never a hit, whatever its name says.

**Limits.** The registry must be complete: an office's real account that is not registered
looks like an imitation of it, and of its neighbours. The confusables table covers the Latin,
Cyrillic and Greek look-alikes seen in practice, not all of Unicode. Meaning is not read, only
the word lists: ``infokpujepara`` scores as an imitation whoever runs it, and a word the lists do
not know lowers the score below the threshold, so an impersonator's new decoration is missed as a
critic's unknown word is spared. Abbreviations no office uses in its handles or names
(``kpusmg`` for Semarang) are found only through aliases, and a province glued after a regency
(``kpubantul.diy``) counts as an unknown word (0.55, not flagged). Places of three letters or
fewer (NTB, HSS, TTU) must match exactly, so ``kpu_ntbx`` is missed rather than ``kpu_ntt`` flagged. ``DEFAULT_THRESHOLD`` (0.8)
was set before the labelled pairs of ``bench/impersonation`` were scored; their figures,
cross-validated, are in BENCHMARKS.md. A hit is a lead for a person to check, never a verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_THRESHOLD", "Hit", "LookalikeIndex", "Official", "score", "skeleton"]

DEFAULT_THRESHOLD = 0.8  # set before the first benchmark run; the bench's F1 rule picked the same cut
MAX_INPUT = 200  # characters of a handle or a name looked at; the rest is ignored

# -- skeleton ----------------------------------------------------------------------------------
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ӏ": "l", "ү": "y", "ց": "g", "ո": "n", "ս": "u",
    "օ": "o", "ԍ": "g", "ⅰ": "i", "ⅼ": "l",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "Ԛ": "Q",
    "Ԝ": "W", "Ү": "Y", "Һ": "H", "Ӏ": "I",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ο": "o", "ρ": "p", "ι": "i",
    "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x", "ε": "e", "ϲ": "c", "ϳ": "j", "ω": "w",
    # Latin look-alikes that NFKC keeps
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʟ": "l", "ǀ": "l", "ø": "o", "Ø": "O",
    "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "2": "z"}
)
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
_NOT_LETTER = re.compile(r"[^a-z]+")
_DIGIT = re.compile(r"[0-9]")
_RUN = re.compile(r"(.)\1+")
# a capital I inside lower-case letters (kpubantuI), or a lower-case l among capitals (KPU_lD)
_I_FOR_L = re.compile(r"[a-z]I|(?<![a-z])l[A-Z]|[A-Z]l(?![a-z])")


@dataclass(frozen=True, slots=True)
class _Folded:
    text: str  # the skeleton
    homoglyph: bool  # a look-alike or hidden character, I for l, rn for m or vv for w
    digits: bool  # a digit was read as a letter
    year: bool  # a year was dropped


def _fold(text: str) -> _Folded:
    raw = text[:MAX_INPUT]
    homoglyph = bool(_I_FOR_L.search(raw))
    if not raw.isascii():
        homoglyph = homoglyph or any(
            not ch.isascii() and (ch.isalpha() or unicodedata.category(ch) == "Cf") for ch in raw
        )
        folded = unicodedata.normalize("NFKC", raw).translate(_CONFUSABLE_TABLE)
        raw = "".join(ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch))
    low = raw.casefold()
    year = bool(_YEAR.search(low))
    if year:
        low = _YEAR.sub(" ", low)
    digits = bool(_DIGIT.search(low))
    letters = _NOT_LETTER.sub("", low.translate(_LEET))
    if "rn" in letters or "vv" in letters:
        homoglyph = True
        letters = letters.replace("rn", "m").replace("vv", "w")
    return _Folded(letters.replace("l", "i"), homoglyph, digits, year)


def skeleton(text: str) -> str:
    """The form two confusable names share: ``skeleton("KPU_J3para") == skeleton("kpu.jepara")``."""
    return _fold(text).text


def _sk(word: str) -> str:
    return _fold(word).text


# -- word lists (kept in skeleton form) --------------------------------------------------------
_ORG_FORMS = (_sk("komisi pemilihan umum"), _sk("komisi pemilu"))
_ORG = re.compile("|".join([*map(re.escape, _ORG_FORMS), "kpu+"]))
_DECORATION = tuple(
    sorted(
        {
            _sk(w)
            for w in (
                "official", "officials", "offical", "ofc", "ofcl", "offc", "resmi", "asli", "real", "the",
                "info", "infos", "news", "berita", "update", "updates", "media", "humas", "pr",
                "id", "ri", "indonesia", "ina", "indo", "pusat", "pemilu", "center", "centre", "channel",
                "tv", "page", "akun", "akunresmi", "kanal", "portal", "terkini", "hq", "online",
                "komisi pemilihan umum", "komisi pemilu", "kpu",
            )
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_NEGATIVE = tuple(
    _sk(w)
    for w in (
        "parodi", "parody", "fans", "fanbase", "fanpage", "watch", "watcher", "pantau", "kawal",
        "tolak", "anti", "mafia", "bubarkan", "lawan", "kritik", "satire", "meme", "palsu", "bukan",
    )
)  # fmt: skip
# Bodies whose names sit next to "KPU": election committees below it, the supervisors, and the
# customs main service offices ("KPU Bea dan Cukai", Kantor Pelayanan Utama).
_OTHER_BODY = tuple(
    _sk(w)
    for w in (
        "bawaslu", "panwas", "panwaslu", "panwascam", "ppk", "pps", "kpps", "pantarlih", "dkpp",
        "bc", "beacukai", "bea", "cukai", "kppbc", "pajak",
    )
)  # fmt: skip
_TYPES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [(_sk("kabupaten"), "kab"), (_sk("kab"), "kab"), (_sk("kota"), "kota"), (_sk("provinsi"), "prov"),
         (_sk("propinsi"), "prov"), (_sk("prov"), "prov")],
        key=lambda t: len(t[0]),
        reverse=True,
    )
)  # fmt: skip
_TYPE_WORDS = frozenset(word for word, _ in _TYPES)
_NATIONAL_KEYS = frozenset(_sk(w) for w in ("", "ri", "id", "indonesia", "pusat", "republik indonesia"))


def _collapse(text: str) -> str:
    return _RUN.sub(r"\1", text)


_DECORATION_START = re.compile("^(?:" + "|".join(map(re.escape, _DECORATION)) + ")")
_DECORATION_END = re.compile("(?:" + "|".join(map(re.escape, _DECORATION)) + ")$")


def _strip_end(text: str) -> tuple[str, str] | None:
    if not text.endswith(_DECORATION):
        return None
    found = _DECORATION_END.search(text)  # the leftmost start: the longest word
    return (text[: found.start()], found.group(0)) if found else None


def _strip_start(text: str) -> tuple[str, str] | None:
    found = _DECORATION_START.match(text)  # alternatives longest first
    return (text[found.end() :], found.group(0)) if found else None


@dataclass(frozen=True, slots=True)
class _Peeled:
    text: str
    peeled: bool  # decoration words were taken off
    short_word: bool  # one of them was a two-letter word (id, ri, tv): no fuzzy match then


def _peel(text: str) -> list[_Peeled]:
    """``text`` and what is left after peeling decoration words off either end, step by step."""
    out = [_Peeled(text, False, False)]
    seen = {text}
    frontier = out[:]
    for _ in range(4):
        grown: list[_Peeled] = []
        for item in frontier:
            for cut in (_strip_end(item.text), _strip_start(item.text)):
                if cut is not None and cut[0] not in seen:
                    seen.add(cut[0])
                    grown.append(_Peeled(cut[0], True, item.short_word or len(cut[1]) <= 2))
        out += grown
        frontier = grown
        if not frontier:
            break
    return out


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _allowed_edits(length: int) -> int:
    return 0 if length <= 3 else 1 if length <= 7 else 2


def _edit_score(edits: int, length: int) -> float:
    if edits == 1:
        return 0.9 if length >= 6 else 0.85
    return 0.78 if length >= 10 else 0.75


def _affix(extra: str) -> tuple[float, str | None]:
    """How much a word left over beside KPU + place lowers the score, and why."""
    if not extra:
        return 1.0, None
    if extra.startswith(_OTHER_BODY) or extra.endswith(tuple(w for w in _OTHER_BODY if len(w) >= 3)):
        return 0.2, "other_body"
    if any(word in extra for word in _NEGATIVE):
        return 0.3, "negative_word"
    if len(extra) <= 2:
        return 0.85, "edit_distance"
    return 0.55, "unknown_words"


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a handle or name as [extra] KPU [type] place."""

    place: str
    kind: str | None
    factor: float
    reasons: frozenset[str]
    fuzzy_ok: bool


def _split_org(text: str) -> tuple[str, str, str] | None:
    found = _ORG.search(text)
    if found is None:
        return None
    return text[: found.start()], found.group(0), text[found.end() :]


def _split_type(place: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = [(place, None)]
    for word, kind in _TYPES:
        if place.startswith(word) and len(place) > len(word):
            out.append((place[len(word) :], kind))
            break
    return out


def _readings(folded: _Folded) -> list[_Reading]:
    parts = _split_org(folded.text)
    if parts is None:
        return []
    left, org, right = parts
    base = {
        name
        for name, present in (
            ("homoglyph", folded.homoglyph),
            ("digit_swap", folded.digits),
            ("decoration", folded.year),
            ("letter_edit", org.startswith("kpuu")),
        )
        if present
    }
    out: list[_Reading] = []
    for after in _peel(right):
        for before in _peel(left):
            reasons = set(base)
            if after.peeled or before.peeled:
                reasons.add("decoration")
            if after.text:  # [extra] KPU place
                place, extra = after.text, before.text
            else:  # place KPU: the words turned round
                place, extra = before.text, ""
                if before.text:
                    reasons.add("reorder")
            factor, why = _affix(extra)
            if after.text and after.text.startswith(_OTHER_BODY):  # KPU BC Batam: customs
                factor, why = min(factor, 0.2), "other_body"
            if why:
                reasons.add(why)
            fuzzy_ok = not (after.short_word or before.short_word)
            for place_form, kind in _split_type(place):
                out.append(_Reading(place_form, kind, factor, frozenset(reasons), fuzzy_ok))
    return out


def _office_place(text: str) -> tuple[str, str | None] | None:
    """The (place, type) an official handle or name declares, or None when it does not say KPU."""
    parts = _split_org(skeleton(text))
    if parts is None:
        return None
    left, _, right = parts
    place = right or left
    if place in _NATIONAL_KEYS:
        return place, None
    peeled = [p for p in _peel(place) if p.text]
    national = [p for p in peeled if p.text in _NATIONAL_KEYS]
    if national:
        return national[0].text, None
    typed = _split_type(place)
    return typed[-1]


# -- the registry ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Official:
    """One official account. ``office`` groups the accounts of one office (any id); ``aliases``
    are other names of its place (``solo`` for Surakarta, ``jogja``), as the caller knows them."""

    handle: str
    name: str = ""
    platform: str = ""
    office: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """``official``: the account imitated (the office's account on the candidate's platform when it
    has one); ``score`` in [0, 1]; ``reasons``: short codes of what was seen."""

    official: Official
    score: float
    reasons: tuple[str, ...]


@dataclass(slots=True)
class _Profile:
    accounts: list[Official]
    kind: str | None = None  # "kab", "kota", "prov", "pusat"; None when nothing says
    keys: set[str] = field(default_factory=set)
    skeletons: set[str] = field(default_factory=set)


_REASONS = (
    "display_name", "decoration", "separator", "homoglyph", "digit_swap", "letter_edit", "edit_distance",
    "reorder", "name_variant", "type_word", "unknown_words", "negative_word", "other_body", "name_differs",
)  # fmt: skip

_Match = tuple[float, frozenset[str], bool]  # score, reasons, names the place exactly


class LookalikeIndex:
    """The official accounts, indexed by the places of their offices. Build it once (about 0.1 s
    for 553 offices x 6 platforms); ``find`` is read-only and thread-safe."""

    def __init__(
        self, officials: Iterable[Official], *, threshold: float = DEFAULT_THRESHOLD, complete: bool = True
    ) -> None:
        """``complete``: the registry holds every office, so a candidate with another type word
        (``kpukotabogor`` against the regency) is read as that other office's, not an imitation."""
        self.threshold = threshold
        self._complete = complete
        self._profiles: list[_Profile] = []
        self._registered: set[tuple[str, str]] = set()
        self._registered_any: set[str] = set()
        groups: dict[str, int] = {}
        for official in officials:
            if official.office:
                group = f"office:{official.office}"
            elif official.name:
                group = f"name:{skeleton(official.name)}"
            else:
                group = f"handle:{official.platform}:{official.handle.casefold()}"
            if group not in groups:
                groups[group] = len(self._profiles)
                self._profiles.append(_Profile([]))
            self._profiles[groups[group]].accounts.append(official)
            self._registered.add((official.platform, _handle_key(official.handle)))
            self._registered_any.add(_handle_key(official.handle))
        self._exact: dict[str, list[int]] = {}
        self._collapsed: dict[str, list[int]] = {}
        self._deletions: dict[str, set[str]] = {}
        for number, profile in enumerate(self._profiles):
            self._describe(profile)
            for key in profile.keys:
                self._exact.setdefault(key, []).append(number)
                self._collapsed.setdefault(_collapse(key), []).append(number)
                if len(key) >= 4:
                    for variant in _neighbours(key):
                        self._deletions.setdefault(variant, set()).add(key)
        self._kinds: dict[str, set[str | None]] = {
            key: {self._profiles[n].kind for n in numbers} for key, numbers in self._exact.items()
        }

    @staticmethod
    def _describe(profile: _Profile) -> None:
        named: list[str] = []
        handled: list[str] = []
        for official in profile.accounts:
            profile.skeletons.add(skeleton(official.handle))
            for text, kinds in ((official.name, named), (official.handle, handled)):
                found = _office_place(text) if text else None
                if found is None:
                    continue
                place, kind = found
                if place in _NATIONAL_KEYS and kind is None:
                    profile.keys |= _NATIONAL_KEYS
                    kinds.append("pusat")
                elif place:
                    profile.keys.add(place)
                    if kind:
                        kinds.append(kind)
            profile.keys |= {skeleton(alias) for alias in official.aliases if skeleton(alias)}
        kinds = named or handled
        if kinds:
            profile.kind = max(sorted(set(kinds)), key=kinds.count)

    def __len__(self) -> int:
        return sum(len(p.accounts) for p in self._profiles)

    def is_official(self, handle: str, platform: str = "") -> bool:
        """True when ``handle`` is a registered account (on ``platform``, or on any when empty)."""
        key = _handle_key(handle)
        if not platform:
            return key in self._registered_any
        return (platform, key) in self._registered or ("", key) in self._registered

    def find(
        self, handle: str, name: str = "", platform: str = "", *, min_score: float | None = None
    ) -> list[Hit]:
        """The official accounts that ``handle`` (and its display ``name``) imitate, best first,
        scoring at least ``min_score`` (the index's threshold when None)."""
        floor = self.threshold if min_score is None else min_score
        handle = (handle or "").strip().lstrip("@")
        name = (name or "").strip()
        if not handle and not name:
            return []
        if handle and self.is_official(handle, platform):
            return []
        by_handle = self._match(_fold(handle)) if handle else {}
        by_name: dict[int, _Match] = {}
        if name:
            folded_name = _fold(name)
            by_name = self._match(folded_name)
            if not by_name and _split_org(folded_name.text) is None:
                # the display name says someone else: the handle alone is weaker evidence
                by_handle = {n: (v * 0.75, r | {"name_differs"}, e) for n, (v, r, e) in by_handle.items()}
        exact_somewhere = any(m[2] for m in by_handle.values()) or any(m[2] for m in by_name.values())
        best: dict[int, tuple[float, frozenset[str]]] = {}
        for found, extra in ((by_handle, frozenset()), (by_name, frozenset({"display_name"}))):
            for number, (value, reasons, exact) in found.items():
                if exact_somewhere and not exact and self._complete:
                    continue  # the candidate names another office exactly; near matches do not count
                reasons = reasons | extra
                if number in best:
                    other, other_reasons = best[number]
                    value = min(1.0, max(value, other) + 0.05 * min(value, other))
                    reasons = reasons | other_reasons
                best[number] = (value, reasons)
        hits = [
            Hit(self._account(number, platform), round(value, 4), tuple(r for r in _REASONS if r in reasons))
            for number, (value, reasons) in best.items()
            if value >= floor and value > 0.0
        ]
        hits.sort(key=lambda h: (-h.score, h.official.handle))
        return hits

    def _account(self, number: int, platform: str) -> Official:
        accounts = self._profiles[number].accounts
        return next((a for a in accounts if a.platform == platform), accounts[0])

    def _match(self, folded: _Folded) -> dict[int, _Match]:
        """The best (score, reasons, exact) per office for one folded handle or name."""
        out: dict[int, _Match] = {}
        for reading in _readings(folded):
            for number, value, extra, exact in self._places(reading):
                profile = self._profiles[number]
                reasons = set(reading.reasons) | extra
                value *= reading.factor
                if reading.kind and profile.kind and reading.kind != profile.kind:
                    reasons.add("type_word")
                    exact = False
                    if profile.kind == "pusat":
                        value *= 0.3
                    elif not self._complete or reading.kind in self._kinds.get(reading.place, ()):
                        value *= 0.15  # it names the other office of that place
                    else:
                        value *= 0.75
                if not reasons:
                    reasons.add("separator" if folded.text in profile.skeletons else "name_variant")
                if number not in out or value > out[number][0]:
                    out[number] = (value, frozenset(reasons), exact and reading.factor >= 0.85)
        return out

    def _places(self, reading: _Reading) -> list[tuple[int, float, set[str], bool]]:
        place = reading.place
        if place in self._exact:
            return [(number, 1.0, set(), True) for number in self._exact[place]]
        found = [
            (number, 0.9 if len(place) >= 6 else 0.85, {"letter_edit"}, False)
            for number in self._collapsed.get(_collapse(place), ())
        ]
        if reading.fuzzy_ok and len(place) >= 4:
            found += self._near(place)
        if len(place) >= 6:
            found += self._affixed(place)
        return found

    def _near(self, place: str) -> list[tuple[int, float, set[str], bool]]:
        keys: set[str] = set()
        for variant in _neighbours(place):
            keys |= self._deletions.get(variant, set())
        out = []
        for key in keys:
            length = min(len(key), len(place))
            allowed = _allowed_edits(length)
            edits = _distance(place, key, allowed)
            if 0 < edits <= allowed:
                out += [(n, _edit_score(edits, length), {"edit_distance"}, False) for n in self._exact[key]]
        return out

    def _affixed(self, place: str) -> list[tuple[int, float, set[str], bool]]:
        """A registered place with a word glued before or after it (``semarangparodi``)."""
        for cut in range(len(place) - 3, 2, -1):
            for key, extra in (
                (place[:cut], place[cut:]),
                (place[len(place) - cut :], place[: len(place) - cut]),
            ):
                if key in self._exact and extra not in _TYPE_WORDS:  # a type word is read by _split_type
                    factor, why = _affix(extra)
                    return [(n, factor, {why or "unknown_words"}, False) for n in self._exact[key]]
        return []


def _handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


def _neighbours(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1 :] for i in range(len(key))}


def score(candidate_handle: str, candidate_name: str, official_handle: str, official_name: str) -> float:
    """How strongly one account imitates one official account, in [0, 1], without a registry: it
    cannot know that ``kpu_ntt`` is a real office, only that it is not ``kpu_ntb``; an explicit
    other type word (``kota`` against a regency) is read as another office."""
    index = LookalikeIndex([Official(official_handle, official_name)], complete=False)
    hits = index.find(candidate_handle, candidate_name, min_score=0.0)
    return hits[0].score if hits else 0.0
