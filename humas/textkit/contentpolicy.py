"""Content-policy checker: what in a post breaks the public-relations guideline, and where.

Every post is checked before it is submitted and again at approval (issue #19). A finding names
its family, a stable rule id, a severity (``block`` stops the post, ``warn`` asks a person to look
again) and the exact character span of the ORIGINAL text, so a UI can highlight it. There is no
user-facing prose here: the Django layer translates by rule id.

===============================  ========  ===================================================
rule id                          severity  what it means
===============================  ========  ===================================================
``personal_data.nik``            block     a 16-digit NIK: real regency/city prefix and a valid
                                           birth date DDMMYY in digits 7-12 (day + 40 for women)
``personal_data.kk``             block     a 16-digit family-card (KK) number: real regency/city
                                           prefix, named "KK" / "kartu keluarga" just before it
``personal_data.phone``          block     an Indonesian mobile number (08.., +62 8.., 62 8..;
                                           10-13 digits) that is not one of the office's contacts
``personal_data.email``          block     an e-mail address neither on an official domain nor
                                           one of the office's contacts
``personal_greeting.birthday``   block     a birthday greeting to a person ("HBD bu Ketua");
                                           anniversaries of the nation, regions and institutions
                                           are not findings
``partisan.support_candidate``   block     a support word ("dukung", "coblos", "all in", ...)
                                           followed by a candidate's name
``partisan.support_party``       block     a support word followed by a party's name
``partisan.ballot_number``       block     a support word followed by a ballot number
                                           ("coblos nomor 2", "dukung 02")
``partisan.campaign_hashtag``    block     a candidate, party or number followed by a campaign
                                           word ("#AMINMenang", "#GanjarPresiden")
``unverified_figure.count``      warn      a count of votes, voters, DPT or TPS (or a turnout
                                           percentage) in a text without an http(s) link
``non_official_link.host``       warn      a link whose host is not official (kpu.go.id,
                                           ``*.go.id``, or a host the caller names as the office's)
``non_official_link.shortener``  warn      a link through a shortener (bit.ly, s.id, ...), always
===============================  ========  ===================================================

Rules are data (``data/contentpolicy.json``): word lists, phrases, the 2024 parties and tickets
with their ballot numbers. :meth:`RuleSet.with_extra` adds an office's own entries,
:meth:`RuleSet.from_dict` builds a whole replacement. Words are compared in every spelling the
shared :class:`~humas.textkit.normalize.Analyzer` gives them (lexicon, leetspeak "c0bl0s",
hashtags split into words), token by token, so offsets stay those of the original text.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from .normalize import Analyzer, default_analyzer
from .regions import load_regions

__all__ = [
    "FAMILIES",
    "Candidate",
    "Finding",
    "Party",
    "Rule",
    "RuleSet",
    "check",
    "is_valid_nik",
    "load_default_rules",
    "rule_examples",
]

BLOCK, WARN = "block", "warn"
FAMILIES = ("personal_data", "personal_greeting", "partisan", "unverified_figure", "non_official_link")
# Tokens a support word may be separated from its target by ("pilih pasangan nomor urut 2").
SUPPORT_GAP = 3
# Tokens after a birthday greeting in which its addressee is looked for.
GREETING_WINDOW = 7
# Tokens before a number in which a figure keyword ("suara sah", "DPT") is looked for.
FIGURE_WINDOW = 6
# Characters before a 16-digit number in which "KK" / "kartu keluarga" is looked for.
KK_WINDOW = 30
FIGURE_MIN_COUNT = 100
# A longer run of digits without thousands separators is an identifier (invoice, NIK), no count.
MAX_PLAIN_COUNT_DIGITS = 9
_FORM_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Finding:
    """One breach of the guideline; ``start``/``end`` are offsets into the original text."""

    family: str
    rule: str
    severity: str
    start: int
    end: int
    excerpt: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    severity: str


@dataclass(frozen=True)
class Party:
    name: str
    number: int
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    name: str
    ticket: str
    number: int
    aliases: tuple[str, ...]


_Params = tuple[tuple[str, str], ...]
_TargetEntry = tuple[tuple[str, ...], str, _Params]  # alias words, rule id, params


@dataclass(frozen=True)
class _Target:
    """A candidate, party or ballot number found at tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    rule: str
    params: _Params


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    kind: str  # word | number | url | email | mention | hashtag | symbol | boundary
    raw: str
    forms: frozenset[str]
    tag: int = -1  # index of the hashtag a piece comes from, -1 outside hashtags


# -- rule data ------------------------------------------------------------------------------------


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


@dataclass(frozen=True)
class RuleSet:
    """The guideline as data. Immutable; derive variants with :meth:`with_extra`."""

    rules: tuple[Rule, ...]
    kk_keywords: tuple[str, ...]
    greeting_heads: tuple[str, ...]
    person_markers: tuple[str, ...]
    greeting_fillers: tuple[str, ...]
    not_names: tuple[str, ...]
    institution_words: tuple[str, ...]
    support_phrases: tuple[str, ...]
    hashtag_suffixes: tuple[str, ...]
    support_suffixes: tuple[str, ...]
    number_markers: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    parties: tuple[Party, ...]
    case_sensitive_aliases: tuple[str, ...]
    figure_keywords: tuple[str, ...]
    figure_nouns: tuple[str, ...]
    figure_units: tuple[str, ...]
    identifier_words: tuple[str, ...]
    official_hosts: tuple[str, ...]
    shorteners: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Build a rule set from the JSON layout of ``data/contentpolicy.json``."""
        return cls(
            rules=tuple(Rule(r["id"], r["family"], r["severity"]) for r in data["rules"]),
            candidates=tuple(
                Candidate(c["name"], c["ticket"], int(c["number"]), _strings(c["aliases"]))
                for c in data["candidates"]
            ),
            parties=tuple(
                Party(p["name"], int(p["number"]), _strings(p["aliases"])) for p in data["parties"]
            ),
            **{f.name: _strings(data[f.name]) for f in dataclasses.fields(cls) if f.name not in _STRUCTURED},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout :meth:`from_dict` reads (what a database column can store)."""
        out: dict[str, Any] = {
            f.name: list(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name not in _STRUCTURED
        }
        out["rules"] = [dataclasses.asdict(r) for r in self.rules]
        out["candidates"] = [{**dataclasses.asdict(c), "aliases": list(c.aliases)} for c in self.candidates]
        out["parties"] = [{**dataclasses.asdict(p), "aliases": list(p.aliases)} for p in self.parties]
        return out

    def with_extra(
        self,
        *,
        parties: Iterable[Party] = (),
        candidates: Iterable[Candidate] = (),
        support_phrases: Iterable[str] = (),
        official_hosts: Iterable[str] = (),
        shorteners: Iterable[str] = (),
    ) -> RuleSet:
        """This rule set with more entries (an office's local parties, candidates or hosts)."""
        return dataclasses.replace(
            self,
            parties=self.parties + tuple(parties),
            candidates=self.candidates + tuple(candidates),
            support_phrases=_strings(self.support_phrases + tuple(support_phrases)),
            official_hosts=_strings(self.official_hosts + tuple(official_hosts)),
            shorteners=_strings(self.shorteners + tuple(shorteners)),
        )

    def with_blocking(self, rule_ids: Iterable[str]) -> RuleSet:
        """This rule set with the rules ``rule_ids`` raised to block (an office stricter than the
        guideline: unknown ids are ignored; nothing is ever lowered)."""
        raised = frozenset(rule_ids)
        return dataclasses.replace(
            self,
            rules=tuple(
                Rule(r.id, r.family, BLOCK) if r.id in raised and r.severity != BLOCK else r
                for r in self.rules
            ),
        )

    def severity(self, rule: str) -> str:
        return self._severities[rule]

    @cached_property
    def _severities(self) -> dict[str, str]:
        return {r.id: r.severity for r in self.rules}

    @cached_property
    def compiled(self) -> _Compiled:
        return _Compiled(self, default_analyzer())


_STRUCTURED = frozenset({"rules", "candidates", "parties"})


@cache
def _default_data() -> dict[str, Any]:
    text = resources.files("humas.textkit.data").joinpath("contentpolicy.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def rule_examples() -> dict[str, dict[str, list[str]]]:
    """Per rule id, the shipped examples of what it flags and of innocent look-alikes."""
    return {
        rule["id"]: {
            "flagged": list(rule.get("examples", {}).get("flagged", [])),
            "innocent": list(rule.get("examples", {}).get("innocent", [])),
        }
        for rule in _default_data()["rules"]
    }


@cache
def load_default_rules() -> RuleSet:
    """The shipped rule set (``data/contentpolicy.json``)."""
    return RuleSet.from_dict(_default_data())


# -- tokens with their offsets ---------------------------------------------------------------------

_TLDS = "com|id|net|org|ly|co|io|me|info|xyz|site|gle|ee|nz|to|gl|cc|link|online|biz|tv|app|page|top|club|at|gd|in"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_LINK = (
    r"(?:https?://|www\.)[^\s<>\"'\u201c\u201d]+"
    r"|(?<![\w@./-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:"
    + _TLDS
    + r")(?![\w.-])(?:/[^\s<>\"']*)?"
)
_TOKEN_RE = re.compile(
    r"(?P<email>(?<![\w.+-])" + _EMAIL + r")"
    r"|(?P<url>" + _LINK + r")"
    r"|(?P<mention>(?<![\w@])@\w{1,30})"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
    r"|(?P<number>\d+(?:[.,]\d+)*(?![^\W_]))"
    r"|(?P<word>[^\W_]+)"
    r"|(?P<symbol>[%:])"
    r"|(?P<boundary>[!?;\n]|\.(?=\s+[A-Z]|\s*$))"
)
_TRAILING_PUNCT = ".,;:!?)]}'\""
_LEET_DIGITS = str.maketrans("oOlI", "0011")
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+62|62|0|O)[ .-]?8(?:[ .-]?[0-9oOlI]){8,11}(?![\w])")
_LONG_NUMBER_RE = re.compile(r"(?<![\w.-])\d{4}([ .-]?)\d{4}\1\d{4}\1\d{4}(?![\w])")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
_DECIMAL_RE = re.compile(r"\d+(?:,\d+)?")


def _clean_url(raw: str) -> str:
    return raw.rstrip(_TRAILING_PUNCT)


class _Compiled:
    """A rule set turned into lookup tables; built once per :class:`RuleSet`."""

    def __init__(self, rules: RuleSet, analyzer: Analyzer) -> None:
        self.rules = rules
        self.analyzer = analyzer
        self._forms: dict[str, frozenset[str]] = {}
        self.heads = self._phrases(rules.greeting_heads)
        self.person_markers = frozenset(rules.person_markers)
        self.greeting_fillers = frozenset(rules.greeting_fillers)
        self.institution_words = (frozenset(rules.institution_words) | _region_words()) - self.person_markers
        self.not_names = frozenset(rules.not_names) | self.institution_words
        self.support = self._phrases(rules.support_phrases)
        self.hashtag_suffixes = self._phrases(rules.hashtag_suffixes)
        self.support_suffixes = self._phrases(rules.support_suffixes)
        self.number_markers = self._phrases(rules.number_markers)
        self.case_sensitive = frozenset(a.lower() for a in rules.case_sensitive_aliases)
        self.targets = self._target_phrases(rules)
        self.max_ticket_number = max((cand.number for cand in rules.candidates), default=0)
        self.figure_keywords = frozenset(rules.figure_keywords)
        self.figure_nouns = frozenset(rules.figure_nouns)
        self.figure_units = frozenset(rules.figure_units)
        self.identifier_words = frozenset(rules.identifier_words)
        self.kk_re = re.compile(
            r"\b(?:" + "|".join(re.escape(k) for k in rules.kk_keywords) + r")\b", re.IGNORECASE
        )

    # -- vocabulary -----------------------------------------------------------------------------
    def forms(self, raw: str) -> frozenset[str]:
        """Every spelling a word may be matched under: as written, and as the analyzer reads it."""
        low = raw.lower()
        cached = self._forms.get(low)
        if cached is not None:
            return cached
        surfaces = self.analyzer.analyze(low).surfaces
        result = frozenset((low, *surfaces, " ".join(surfaces)))
        if len(self._forms) < _FORM_CACHE_LIMIT:
            self._forms[low] = result
        return result

    def _phrases(self, phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
        """Phrases indexed by their first word, longest first."""
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(re.findall(r"[^\W_]+|%", phrase.lower()))
            if words:
                index.setdefault(words[0], []).append(words)
        for entries in index.values():
            entries.sort(key=len, reverse=True)
        return index

    def _target_phrases(self, rules: RuleSet) -> dict[str, list[_TargetEntry]]:
        """Aliases of candidates and parties indexed by their first word, longest first."""
        entries: list[tuple[str, str, _Params]] = []
        for cand in rules.candidates:
            params: _Params = (
                ("candidate", cand.name),
                ("ticket", cand.ticket),
                ("number", str(cand.number)),
            )
            entries += [(a, "partisan.support_candidate", params) for a in cand.aliases]
        for party in rules.parties:
            params = (("party", party.name), ("number", str(party.number)))
            entries += [(a, "partisan.support_party", params) for a in party.aliases]
        index: dict[str, list[_TargetEntry]] = {}
        for alias, rule, params in entries:
            words = tuple(re.findall(r"[^\W_]+", alias.lower()))
            if words:
                index.setdefault(words[0], []).append((words, rule, params))
        for found in index.values():
            found.sort(key=lambda e: len(e[0]), reverse=True)
        return index

    # -- tokenising -----------------------------------------------------------------------------
    def tokens(self, text: str) -> list[_Token]:
        out: list[_Token] = []
        for m in _TOKEN_RE.finditer(text):
            kind = m.lastgroup or "word"
            start, raw = m.start(), m.group()
            if kind == "url":
                raw = _clean_url(raw)
                out.append(_Token(start, start + len(raw), kind, raw, frozenset()))
            elif kind == "hashtag":
                tag = len(out)
                for piece in self.analyzer.split_hashtag(raw):
                    out.append(_Token(start, m.end(), kind, piece, self.forms(piece), tag))
            elif kind == "mention":
                out.append(_Token(start, m.end(), kind, raw, frozenset((raw[1:].lower(),))))
            elif kind in ("word", "number"):
                out.append(_Token(start, m.end(), kind, raw, self.forms(raw)))
            else:
                out.append(_Token(start, m.end(), kind, raw, frozenset((raw,))))
        return out


@cache
def _region_words() -> frozenset[str]:
    """Words of the regency, city and province names: "Selamat ulang tahun Jepara" is a place."""
    prefixes = {"kabupaten", "kota", "administrasi", "provinsi", "kepulauan"}
    words: set[str] = set()
    for region in load_regions():
        words.update(w for w in re.findall(r"[^\W_]+", region.name.lower()) if w not in prefixes)
    return frozenset(words)


@cache
def _regency_codes() -> frozenset[str]:
    return frozenset(r.code.replace(".", "") for r in load_regions() if r.level != "provinsi")


# -- the checker ---------------------------------------------------------------------------------


def check(
    text: str,
    rules: RuleSet | None = None,
    *,
    known_contacts: Iterable[str] = (),
    official_hosts: Iterable[str] = (),
) -> list[Finding]:
    """Findings in ``text``, sorted by start; overlapping findings of one family are merged.

    ``known_contacts`` are the office's own published phone numbers and e-mail addresses (not
    personal data); ``official_hosts`` are hosts (optionally with a path prefix, such as
    ``instagram.com/kpujepara``) the office publishes under, on top of the rule set's.
    """
    if not text or text.isspace():
        return []
    ruleset = rules or load_default_rules()
    compiled = ruleset.compiled
    tokens = compiled.tokens(text)
    hosts = ruleset.official_hosts + tuple(h.strip().lower() for h in official_hosts if h.strip())
    known = _contact_keys(known_contacts)
    addresses = [t for t in tokens if t.kind in ("url", "email")]
    numbers = _personal_numbers(text, compiled, known, addresses)
    found = (
        numbers + _emails(tokens, hosts, known) + _greetings(tokens, compiled) + _partisan(tokens, compiled)
    )
    links = [t for t in tokens if t.kind == "url"]
    if not any(t.raw.lower().startswith(("http://", "https://")) for t in links):
        masked = [(s, e) for _, s, e, _ in numbers] + _phone_spans(text)
        found += _figures(tokens, compiled, masked)
    found += _links(links, ruleset, hosts)
    return _merge(text, ruleset, found)


def _merge(text: str, rules: RuleSet, found: list[tuple[str, int, int, dict[str, str]]]) -> list[Finding]:
    found.sort(key=lambda f: (f[1], -f[2]))
    merged: list[Finding] = []
    last: dict[str, int] = {}
    for rule, start, end, params in found:
        family = rule.split(".", 1)[0]
        at = last.get(family)
        if at is not None and start < merged[at].end:
            prev = merged[at]
            end = max(end, prev.end)
            merged[at] = dataclasses.replace(
                prev, end=end, excerpt=text[prev.start : end], params={**params, **prev.params}
            )
            continue
        last[family] = len(merged)
        merged.append(Finding(family, rule, rules.severity(rule), start, end, text[start:end], params))
    return merged


# -- personal data -------------------------------------------------------------------------------


def _contact_keys(contacts: Iterable[str]) -> frozenset[str]:
    keys = set()
    for contact in contacts:
        contact = contact.strip().lower()
        keys.add(contact if "@" in contact else _phone_digits(contact))
    return frozenset(keys)


def _phone_digits(raw: str) -> str:
    """``"+62 812-3456 7890"`` -> ``"081234567890"`` (leetspeak O and l read as digits)."""
    digits = re.sub(r"[^0-9]", "", raw.translate(_LEET_DIGITS))
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


def _phone_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PHONE_RE.finditer(text)]


def is_valid_nik(digits: str) -> bool:
    """A NIK: 16 digits, a real regency/city prefix, a birth date DDMMYY (women: day + 40)."""
    if len(digits) != 16 or not digits.isdigit() or digits[:4] not in _regency_codes():
        return False
    if digits[12:] == "0000":
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    try:
        datetime.date(2000, month, day)  # a leap year: 29 February is a birth date
    except ValueError:
        return False
    return True


def _personal_numbers(
    text: str, compiled: _Compiled, known: frozenset[str], links: Sequence[_Token]
) -> list[tuple[str, int, int, dict[str, str]]]:
    """NIK, KK and mobile numbers outside links and e-mail addresses."""
    found: list[tuple[str, int, int, dict[str, str]]] = []
    for m in _LONG_NUMBER_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if digits[:4] not in _regency_codes():
            continue
        before = text[max(0, m.start() - KK_WINDOW) : m.start()]
        if compiled.kk_re.search(before):
            found.append(("personal_data.kk", m.start(), m.end(), {"region": digits[:4]}))
        elif is_valid_nik(digits):
            found.append(("personal_data.nik", m.start(), m.end(), {"region": digits[:4]}))
    for m in _PHONE_RE.finditer(text):
        if sum(c.isdigit() for c in m.group()) < 8 or _phone_digits(m.group()) in known:
            continue
        if any(t.start <= m.start() < t.end for t in links):
            continue
        found.append(("personal_data.phone", m.start(), m.end(), {}))
    return found


def _host_is(host: str, path: str, official: str) -> bool:
    want_host, _, want_path = official.partition("/")
    if host != want_host and not host.endswith("." + want_host):
        return False
    return not want_path or path.lstrip("/").lower().startswith(want_path.lower())


def _is_official(host: str, path: str, hosts: Sequence[str]) -> bool:
    return any(_host_is(host, path, h) for h in hosts)


def _emails(
    tokens: Sequence[_Token], hosts: Sequence[str], known: frozenset[str]
) -> list[tuple[str, int, int, dict[str, str]]]:
    found: list[tuple[str, int, int, dict[str, str]]] = []
    for t in tokens:
        if t.kind != "email":
            continue
        address = t.raw.lower()
        domain = address.rpartition("@")[2]
        if address in known or _is_official(domain, "", [h for h in hosts if "/" not in h]):
            continue
        found.append(("personal_data.email", t.start, t.end, {"domain": domain}))
    return found


# -- birthday greetings --------------------------------------------------------------------------


def _match_phrase(tokens: Sequence[_Token], i: int, index: Mapping[str, list[tuple[str, ...]]]) -> int:
    """End (exclusive) of the longest phrase of ``index`` starting at token ``i``, or -1."""
    best = -1
    for form in tokens[i].forms:
        for phrase in index.get(form, ()):
            end = i + len(phrase)
            if (
                end <= len(tokens)
                and end > best
                and all(w in tokens[i + k].forms for k, w in enumerate(phrase))
            ):
                best = end
    return best


def _is_name(token: _Token, c: _Compiled) -> bool:
    """A capitalised word that is no sentence word ("Semoga") and no place or institution."""
    raw = token.raw
    if token.kind != "word" or not raw[:1].isupper() or raw.isupper() or not raw.isalpha():
        return False
    return not token.forms & c.not_names


def _greetings(tokens: Sequence[_Token], c: _Compiled) -> list[tuple[str, int, int, dict[str, str]]]:
    found: list[tuple[str, int, int, dict[str, str]]] = []
    i = 0
    while i < len(tokens):
        end = _match_phrase(tokens, i, c.heads)
        if end < 0:
            i += 1
            continue
        addressee = _addressee(tokens, end, c)
        if addressee > 0:
            found.append(("personal_greeting.birthday", tokens[i].start, tokens[addressee - 1].end, {}))
        i = max(end, addressee)
    return found


def _addressee(tokens: Sequence[_Token], i: int, c: _Compiled) -> int:
    """End (exclusive) of the person a greeting ending at ``i`` is addressed to, or -1."""
    for j in range(i, min(len(tokens), i + GREETING_WINDOW)):
        t = tokens[j]
        if t.kind == "mention" or t.forms & c.person_markers:
            return _name_end(tokens, j + 1, c)
        if t.kind == "boundary" or t.forms & c.institution_words:
            return -1
        if _is_name(t, c):
            return _name_end(tokens, j + 1, c)
        if t.kind != "number" and not t.forms & c.greeting_fillers:
            return -1
    return -1


def _name_end(tokens: Sequence[_Token], j: int, c: _Compiled) -> int:
    """Extend a person's span over the title and name words that follow ("Pak Ketua", "Ibu Sri")."""
    while j < len(tokens):
        t = tokens[j]
        if t.forms & c.institution_words or t.start - tokens[j - 1].end > 1:
            break
        if not (t.kind == "mention" or t.forms & c.person_markers or _is_name(t, c)):
            break
        j += 1
    return j


# -- partisan ------------------------------------------------------------------------------------


def _number_value(token: _Token) -> int:
    return int(token.raw) if token.kind == "number" and token.raw.isdigit() and len(token.raw) <= 2 else -1


def _targets_at(tokens: Sequence[_Token], i: int, c: _Compiled, *, after_support: bool) -> _Target | None:
    """A candidate, party or ballot number starting at token ``i``."""
    t = tokens[i]
    best: _Target | None = None
    for form in t.forms:
        for words, rule, params in c.targets.get(form, ()):
            end = i + len(words)
            if end > len(tokens) or (best is not None and end <= best.end):
                continue
            if not all(w in tokens[i + k].forms for k, w in enumerate(words)):
                continue
            if " ".join(words) in c.case_sensitive and t.tag < 0 and not t.raw.isupper():
                continue
            best = _Target(i, end, rule, params)
    if best is not None:
        return best
    marker_end = _match_phrase(tokens, i, c.number_markers)
    if 0 < marker_end < len(tokens) and 1 <= _number_value(tokens[marker_end]) <= 99:
        return _Target(
            i, marker_end + 1, "partisan.ballot_number", (("number", str(int(tokens[marker_end].raw))),)
        )
    value = _number_value(t)
    if value < 1 or i > 0 and tokens[i - 1].forms & c.identifier_words:
        return None
    if len(t.raw) == 2 and t.raw[0] == "0" and value <= c.max_ticket_number:
        return _Target(i, i + 1, "partisan.ballot_number", (("number", str(value)),))
    if after_support and _ends_phrase(tokens, i + 1, c):
        return _Target(i, i + 1, "partisan.ballot_number", (("number", str(value)),))
    return None


def _ends_phrase(tokens: Sequence[_Token], i: int, c: _Compiled) -> bool:
    """Whether a bare number before token ``i`` stands alone ("coblos 2!", not "mendukung 3 periode")."""
    if i >= len(tokens) or tokens[i].kind not in ("word", "number"):
        return True
    return _targets_at(tokens, i, c, after_support=False) is not None


def _partisan(tokens: Sequence[_Token], c: _Compiled) -> list[tuple[str, int, int, dict[str, str]]]:
    found: list[tuple[str, int, int, dict[str, str]]] = []
    for i in range(len(tokens)):
        end = _match_phrase(tokens, i, c.support)
        if end > 0:
            target = _support_target(tokens, end, c)
            if target is not None:
                found.append((target.rule, tokens[i].start, tokens[target.end - 1].end, dict(target.params)))
                continue
        target = _targets_at(tokens, i, c, after_support=False)
        if target is not None:
            suffix = _campaign_suffix(tokens, target, c)
            if suffix > 0:
                params = dict(target.params)
                found.append(("partisan.campaign_hashtag", tokens[i].start, tokens[suffix - 1].end, params))
    return found


def _support_target(tokens: Sequence[_Token], i: int, c: _Compiled) -> _Target | None:
    for j in range(i, min(len(tokens), i + SUPPORT_GAP + 1)):
        if tokens[j].kind in ("boundary", "url"):
            return None
        target = _targets_at(tokens, j, c, after_support=j == i)
        if target is not None:
            return target
    return None


def _campaign_suffix(tokens: Sequence[_Token], target: _Target, c: _Compiled) -> int:
    """End of a campaign word right after a target: in its hashtag ("#AMINMenang") or a slogan."""
    j = target.end
    while j < len(tokens) and (following := _targets_at(tokens, j, c, after_support=False)) is not None:
        j = following.end  # "#GanjarMahfudMenang": a ticket of two names
    if j >= len(tokens):
        return -1
    tag = tokens[target.start].tag
    if tag >= 0 and tokens[j].tag == tag:
        return _match_phrase(tokens, j, c.hashtag_suffixes)
    return _match_phrase(tokens, j, c.support_suffixes)


# -- figures -------------------------------------------------------------------------------------


def _count(raw: str) -> float | None:
    """``"1.234.567"`` -> 1234567, ``"82,3"`` -> 82.3; times ("07.00") and years are no counts."""
    if _THOUSANDS_RE.fullmatch(raw):
        return float(raw.replace(".", ""))
    if not _DECIMAL_RE.fullmatch(raw):
        return None
    if raw.isdigit() and (len(raw) > MAX_PLAIN_COUNT_DIGITS or len(raw) == 4 and 1900 <= int(raw) <= 2099):
        return None
    return float(raw.replace(",", "."))


def _figures(
    tokens: Sequence[_Token], c: _Compiled, masked: Sequence[tuple[int, int]]
) -> list[tuple[str, int, int, dict[str, str]]]:
    found: list[tuple[str, int, int, dict[str, str]]] = []
    for i, t in enumerate(tokens):
        if t.kind != "number" or any(s <= t.start < e for s, e in masked):
            continue
        if i > 0 and tokens[i - 1].forms & c.identifier_words and tokens[i - 1].tag < 0:
            continue
        value = _count(t.raw)
        if value is None:
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        percent = nxt is not None and bool(nxt.forms & {"%", "persen"})
        noun = nxt is not None and bool(nxt.forms & c.figure_nouns)
        keyword = _figure_keyword(tokens, i, c)
        if not (percent and keyword >= 0) and value < FIGURE_MIN_COUNT:
            continue
        if keyword < 0 and not noun:
            continue
        end = i + 1
        if nxt is not None and (noun or nxt.forms & c.figure_units):
            end = i + 2
        start = keyword if keyword >= 0 else i
        found.append(("unverified_figure.count", tokens[start].start, tokens[end - 1].end, {"value": t.raw}))
    return found


def _figure_keyword(tokens: Sequence[_Token], i: int, c: _Compiled) -> int:
    """Index of the nearest figure keyword before token ``i`` in the same sentence, or -1."""
    for j in range(i - 1, max(-1, i - 1 - FIGURE_WINDOW), -1):
        t = tokens[j]
        if t.kind in ("boundary", "url"):
            return -1
        if t.forms & c.figure_keywords:
            return j
    return -1


# -- links ---------------------------------------------------------------------------------------


def _host_and_path(url: str) -> tuple[str, str]:
    rest = re.sub(r"^(?:https?://)?", "", url, flags=re.IGNORECASE)
    host, slash, path = rest.partition("/")
    host = host.rpartition("@")[2].split(":", 1)[0].lower()
    host = host.removeprefix("www.")
    return host, slash + path


def _links(
    links: Sequence[_Token], rules: RuleSet, hosts: Sequence[str]
) -> list[tuple[str, int, int, dict[str, str]]]:
    found: list[tuple[str, int, int, dict[str, str]]] = []
    for t in links:
        host, path = _host_and_path(t.raw)
        if any(host == s or host.endswith("." + s) for s in rules.shorteners):
            found.append(("non_official_link.shortener", t.start, t.end, {"host": host}))
        elif not _is_official(host, path, hosts):
            found.append(("non_official_link.host", t.start, t.end, {"host": host}))
    return found
