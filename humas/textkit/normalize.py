"""Normalisation and tokenisation of Indonesian social-media text.

The :class:`Analyzer` turns raw text into :class:`Token` objects carrying the
normalised surface form, the stem and the kind of token.  It is the single entry
point used by matching, de-duplication, region tagging and clustering, so all of
them see the same text.

Thread safety: an ``Analyzer`` is immutable after construction except for its
memo caches (plain dicts).  Under CPython a dict ``get``/``__setitem__`` is
atomic, and two threads racing on the same key both compute and store the same
value, so concurrent reads are safe without locks.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from .stemmer import build_stemmer

__all__ = [
    "Analysis",
    "Analyzer",
    "Token",
    "default_analyzer",
    "load_lexicon",
    "load_stopwords",
]

# Limits keep a 1 MB paste from costing more than a few milliseconds per stage.
MAX_TEXT_CHARS = 200_000
MAX_TOKEN_CHARS = 40
_CACHE_LIMIT = 400_000

_EMOJI_RANGES = (
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols & pictographs ext.
    "\u2600-\u27bf"  # misc symbols and dingbats
    "\u2b00-\u2bff"  # arrows and stars used as emoji
    "\u3030\u303d\u3297\u3299"
)

# Multipliers of amounts; the one-letter ones only glued to a number ("100k", "5M").
_MULTIPLIERS = {
    "ribu": 3,
    "rb": 3,
    "k": 3,
    "juta": 6,
    "jt": 6,
    "miliar": 9,
    "milyar": 9,
    "m": 9,
    "triliun": 12,
    "triliyun": 12,
    "t": 12,
}
_SPACED_UNITS = "ribu|rb|juta|jt|miliar|milyar|triliun|triliyun"
_UNITS = _SPACED_UNITS + "|k|m|t"
_AMOUNT_RE = re.compile(r"(?i)(?:rp\.?\s?)?(\d+(?:[.,]\d+)*)\s?([a-z]*)")
_LEET = str.maketrans("0134578", "oieastb")
# Host labels that say nothing about a link's content.
_GENERIC_HOST_LABELS = frozenset(
    [
        "www",
        "m",
        "mobile",
        "web",
        "co",
        "com",
        "go",
        "id",
        "net",
        "org",
        "or",
        "ac",
        "sch",
        "my",
        "ly",
        "bit",
        "me",
        "wa",
        "api",
        "app",
        "vt",
        "t",
        "s",
    ]
)
_RUN_RE = re.compile(r"\d+|[^\W\d_]+")

_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"'\u201c\u201d]+)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{1,30})"
    r"|(?P<hashtag>(?<![\w#])#[^\W_][\w]*)"
    r"|(?P<date>(?<!\d)(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?!\d))"
    # "Rp27.300.000", "Rp 27 juta", "rp900ribu": the currency word and one amount.
    r"|(?P<money>(?<![\w])(?i:rp)\.?\s?\d+(?:[.,]\d+)*(?:\s?(?i:" + _UNITS + r"))?(?![\w]))"
    # "27 juta", "50jt", "900rb": one amount.
    r"|(?P<amount>(?<![\w])\d+(?:[.,]\d+)*\s?(?i:" + _SPACED_UNITS + r")(?![\w]))"
    r"|(?P<number>(?<![\w])\d+(?:[.,]\d+)*(?![^\W_]))"
    r"|(?P<redup>[^\W\d_]+2(?![\w]))"
    r"|(?P<word>(?>[^\W\d_]+(?:['\u2019-][^\W\d_]+)*)(?!\d))"
    # Letters and digits run together: "pemilu2024", "covid19", "5G", leetspeak "g4ji".
    r"|(?P<mixed>(?<![\w])[^\W_]*(?:[^\W\d_]\d|\d[^\W\d_])[^\W_]*)"
    rf"|(?P<emoji>[{_EMOJI_RANGES}])"
)
_HASHTAG_PART_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^\W\d_]+")
_REPEAT_RE = re.compile(r"(\w)\1{2,}")
# Sastrawi only strips these prefixes/suffixes; a word with neither is its own stem
# (checked on 21,779 corpus words: 99.7 % identical), so the costly call is skipped.
_AFFIX_RE = re.compile(r"^(?:di|ke|se|be|te|me|pe)|(?:lah|kah|tah|pun|ku|mu|nya|i|kan|an)$")
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufe0f]")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``surface`` is normalised (lower-case, lexicon applied), ``stem`` its stem."""

    surface: str
    stem: str
    kind: str  # word | number | date | url | mention | hashtag | emoji
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Analysis:
    tokens: tuple[Token, ...]

    @property
    def normalized(self) -> str:
        """The normalised text: surface forms joined by single spaces."""
        return " ".join(t.surface for t in self.tokens)

    @property
    def terms(self) -> list[str]:
        """Stemmed content terms (stop-words dropped) used for matching."""
        return [t.stem for t in self.tokens if not t.stop]

    @property
    def surfaces(self) -> list[str]:
        return [t.surface for t in self.tokens]

    @property
    def word_count(self) -> int:
        """Distinct content words (a post repeating one word five times is short)."""
        return len({t.surface for t in self.tokens if t.kind in ("word", "hashtag") and not t.stop})


def _read_package_text(name: str) -> str:
    return resources.files("humas.textkit.data").joinpath(name).read_text(encoding="utf-8")


def _parse_lexicon(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        slang, sep, formal = line.partition("\t")
        if not sep:
            slang, sep, formal = line.partition(",")
        slang, formal = slang.strip().lower(), formal.strip().lower()
        if slang and formal and slang != formal:
            out.setdefault(slang, formal)
    return out


def load_lexicon(path: str | Path | None = None) -> dict[str, str]:
    """The shipped colloquial lexicon and English glossary, optionally extended by a file.

    The glossary (``glossary_en.tsv``) gives the Indonesian a fact-check would write for the
    English words of a foreign-language hoax ("ballot" -> "surat suara", "rigged" -> "curang");
    words Indonesian writers also use (link, share, survey) are not in it. The extra file may be
    a TSV (``slang<TAB>formal``) or a CSV whose first two columns are slang and formal (the
    Colloquial Indonesian Lexicon layout). Entries of the shipped files win over the extra file.
    """
    lexicon = _parse_lexicon(_read_package_text("lexicon_id.tsv"))
    for english, indonesian in _parse_lexicon(_read_package_text("glossary_en.tsv")).items():
        lexicon.setdefault(english, indonesian)
    if path is not None:
        import csv

        p = Path(path)
        with p.open(encoding="utf-8", newline="") as fh:
            if p.suffix.lower() == ".csv":
                reader = csv.reader(fh)
                header = next(reader, None)
                rows: Iterable[list[str]] = reader
                if header and header[0].strip().lower() not in ("slang", "colloquial"):
                    rows = [header, *reader]
                for row in rows:
                    if len(row) >= 2:
                        slang, formal = row[0].strip().lower(), row[1].strip().lower()
                        if slang and formal and slang != formal and " " not in slang:
                            lexicon.setdefault(slang, formal)
            else:
                for k, v in _parse_lexicon(fh.read()).items():
                    lexicon.setdefault(k, v)
    return lexicon


def _word_list(name: str) -> frozenset[str]:
    words = (w.strip() for w in _read_package_text(name).splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def load_stopwords() -> frozenset[str]:
    return _word_list("stopwords.txt")


@cache
def _sastrawi() -> tuple[object, frozenset[str]]:
    # Sastrawi's cached wrapper stems whole sentences; we cache per word ourselves, and
    # use its stemmer with precompiled, guarded rules (same results, ~3x faster).
    return build_stemmer()


def _parse_number(raw: str) -> str:
    if "." in raw and "," not in raw and all(len(p) == 3 for p in raw.split(".")[1:]):
        return raw.replace(".", "")  # 1.000.000 (Indonesian thousands separator)
    if "," in raw and "." not in raw and all(len(p) == 3 for p in raw.split(",")[1:]):
        return raw.replace(",", "")
    if "." in raw and "," in raw:
        return raw.replace(".", "").replace(",", ".")
    return raw.replace(",", ".")


def _amount(raw: str) -> str:
    """``"Rp 27 juta"``, ``"27.000.000"``, ``"27jt"`` -> ``"27000000"`` (one token per amount)."""
    m = _AMOUNT_RE.match(raw)
    if m is None:  # pragma: no cover - the tokeniser only passes amounts
        return raw
    number = _parse_number(m.group(1))
    exponent = _MULTIPLIERS.get(m.group(2).lower(), 0)
    try:
        value = Decimal(number).scaleb(exponent)
    except ArithmeticError:
        return number
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _parse_date(raw: str) -> str:
    if len(raw) == 10 and raw[4] == "-":
        return raw  # already ISO
    d, m, y = re.split(r"[/.\-]", raw)
    if len(y) == 2:
        y = "20" + y
    day, month = int(d), int(m)
    if 1 <= day <= 31 and 1 <= month <= 12:
        return f"{y}-{month:02d}-{day:02d}"
    return raw


class Analyzer:
    """Normalises, tokenises and stems text.  Build once, share between threads."""

    def __init__(
        self,
        *,
        lexicon: Mapping[str, str] | None = None,
        stopwords: Iterable[str] | None = None,
        stem: bool = True,
    ) -> None:
        self.lexicon: dict[str, str] = dict(load_lexicon() if lexicon is None else lexicon)
        self.stopwords: frozenset[str] = frozenset(load_stopwords() if stopwords is None else stopwords)
        self.stem_enabled = stem
        stemmer, dictionary = _sastrawi()
        self._stemmer = stemmer
        self._roots = dictionary
        standard = frozenset(w for v in self.lexicon.values() for w in v.split())
        self.dictionary: frozenset[str] = dictionary | standard
        # "word" keeps the word as its own stem; "word stem" gives the stem.
        self._stem_cache: dict[str, str] = {}
        for line in _word_list("protected_stems.txt"):
            word, _, given = line.partition(" ")
            self._stem_cache[word] = given.strip() or word
        # Words a run-together hashtag may be made of: roots and the protected words.
        self._whole_words: frozenset[str] = self.dictionary | frozenset(self._stem_cache)
        self._word_cache: dict[str, tuple[Token, ...]] = {}
        self._hashtag_cache: dict[str, tuple[str, ...]] = {}

    # -- words -------------------------------------------------------------------------------
    def stem(self, word: str) -> str:
        cached = self._stem_cache.get(word)
        if cached is not None:
            return cached
        if (
            not self.stem_enabled
            or len(word) <= 3
            or not word.isascii()
            or not word.isalpha()
            or word in self._roots
            or not _AFFIX_RE.search(word)
        ):
            result = word
        else:
            # A plain a-z word needs none of ``stem``'s text clean-up and plural handling.
            stem = self._stemmer.stem_word if word.islower() else self._stemmer.stem  # type: ignore[attr-defined]
            result = str(stem(word)) or word
        if len(self._stem_cache) < _CACHE_LIMIT:
            self._stem_cache[word] = result
        return result

    def _collapse_repeats(self, word: str) -> str:
        if not _REPEAT_RE.search(word):
            return word
        single = _REPEAT_RE.sub(r"\1", word)
        double = _REPEAT_RE.sub(r"\1\1", word)
        for candidate in (single, double):
            if candidate in self.dictionary or self.stem(candidate) in self.dictionary:
                return candidate
        return single

    def _word(self, raw: str) -> tuple[Token, ...]:
        """Word tokens for one lower-cased word (the lexicon may expand it to several)."""
        cached = self._word_cache.get(raw)
        if cached is not None:
            return cached
        word = self._collapse_repeats(raw.replace("\u2019", "'"))
        mapped = self.lexicon.get(word)
        parts = mapped.split() if mapped else [word]
        out = []
        for part in parts:
            stem = self.stem(part)
            out.append(Token(part, stem, "word", part in self.stopwords or stem in self.stopwords))
        result = tuple(out)
        if len(self._word_cache) < _CACHE_LIMIT:
            self._word_cache[raw] = result
        return result

    def _mixed(self, lower: str) -> tuple[Token, ...]:
        """Letters and digits run together.

        An amount ("50jt", "100k") is one number; leetspeak ("g4ji", "ind0nesia") is read as
        the word when that is a known word; otherwise the runs are split ("pemilu2024" ->
        pemilu 2024, "covid19" -> covid 19, "5g" -> 5 g).
        """
        cached = self._word_cache.get(lower)
        if cached is not None:
            return cached
        m = _AMOUNT_RE.fullmatch(lower)
        if m is not None and m.group(2) in _MULTIPLIERS:
            value = _amount(lower)
            result: tuple[Token, ...] = (Token(value, value, "number"),)
        else:
            leet = lower.translate(_LEET)
            letters = sum(c.isalpha() for c in lower)
            if (
                leet.isalpha()
                and letters >= 2
                and (leet in self.dictionary or self.stem(leet) in self.dictionary)
            ):
                result = self._word(leet)
            else:
                out: list[Token] = []
                for run in _RUN_RE.findall(lower):
                    if run[0].isdigit():
                        out.append(Token(run, run, "number"))
                    else:
                        out.extend(self._word(run))
                result = tuple(out)
        if len(self._word_cache) < _CACHE_LIMIT:
            self._word_cache[lower] = result
        return result

    def _host_words(self, host: str) -> tuple[Token, ...]:
        """Words of a link's host name, without the public suffix and common hosts."""
        cached = self._hashtag_cache.get("url:" + host)
        if cached is None:
            labels = [x for x in host.split(".")[:-1] if x not in _GENERIC_HOST_LABELS]
            words: list[str] = []
            for label in labels[:4]:
                for part in re.split(r"[^a-z]+", label):
                    if len(part) >= 3:
                        words.extend(self._segment(part))
            cached = tuple(words)
            if len(self._hashtag_cache) < _CACHE_LIMIT:
                self._hashtag_cache["url:" + host] = cached
        return tuple(t for w in cached for t in self._word(w))

    def _segment(self, lower: str) -> tuple[str, ...]:
        """Split a run-together lower-case hashtag into dictionary words when it fully splits."""
        n = len(lower)
        if n < 6 or n > 30 or lower in self._whole_words or self.stem(lower) in self.dictionary:
            return (lower,)  # "#bantuan" is one word, not "ban tuan"
        words = self._whole_words
        best: list[tuple[int, int] | None] = [None] * (n + 1)  # (pieces, previous cut)
        best[0] = (0, 0)
        for end in range(3, n + 1):
            for start in range(max(0, end - 15), end - 2):
                prev = best[start]
                if prev is None:
                    continue
                if lower[start:end] in words:
                    cand = (prev[0] + 1, start)
                    cur = best[end]
                    if cur is None or cand[0] < cur[0]:
                        best[end] = cand
        if best[n] is None or best[n][0] == 1:  # type: ignore[index]
            return (lower,)
        pieces: list[str] = []
        end = n
        while end > 0:
            entry = best[end]
            assert entry is not None  # noqa: S101 - guaranteed by the DP above
            pieces.append(lower[entry[1] : end])
            end = entry[1]
        return tuple(reversed(pieces))

    def split_hashtag(self, tag: str) -> tuple[str, ...]:
        """``#Pemilu2024`` -> ("pemilu", "2024"); ``#pemilujurdil`` -> ("pemilu", "jurdil") if known."""
        cached = self._hashtag_cache.get(tag)
        if cached is not None:
            return cached
        out: list[str] = []
        for part in _HASHTAG_PART_RE.findall(tag.lstrip("#")):
            low = part.lower()
            if low.isalpha():
                out.extend(self._segment(low))
            else:
                out.append(low)
        result = tuple(p for p in out if p)
        if len(self._hashtag_cache) < _CACHE_LIMIT:
            self._hashtag_cache[tag] = result
        return result

    # -- text --------------------------------------------------------------------------------
    def clean(self, text: str) -> str:
        """NFKC, HTML entities, zero-width and bidi controls removed; case kept."""
        if not text:
            return ""
        text = text[:MAX_TEXT_CHARS]
        if "&" in text:
            text = html.unescape(text)
        text = unicodedata.normalize("NFKC", text)
        return _ZERO_WIDTH_RE.sub("", text)

    def analyze(self, text: str) -> Analysis:
        if not text or text.isspace():
            return Analysis(())
        text = self.clean(text)
        tokens: list[Token] = []
        add = tokens.append
        extend = tokens.extend
        word_cache = self._word_cache
        for m in _TOKEN_RE.finditer(text):
            kind = m.lastgroup
            raw = m.group()
            if kind == "word":
                if len(raw) <= MAX_TOKEN_CHARS:
                    low = raw.lower()
                    extend(word_cache.get(low) or self._word(low))
            elif kind == "redup":
                if len(raw) <= MAX_TOKEN_CHARS:
                    # "hati2" is written reduplication: "hati-hati".
                    word = self._word(raw[:-1].lower())
                    extend(word)
                    extend(word)
            elif kind == "hashtag":
                for piece in self.split_hashtag(raw[: MAX_TOKEN_CHARS + 1]):
                    if piece.isdigit():
                        add(Token(piece, piece, "number"))
                    else:
                        for t in self._word(piece):
                            add(Token(t.surface, t.stem, "hashtag", t.stop))
            elif kind == "number":
                value = _parse_number(raw[:MAX_TOKEN_CHARS])
                add(Token(value, value, "number"))
            elif kind == "money" or kind == "amount":
                if kind == "money":
                    extend(self._word("rp"))
                value = _amount(raw[:MAX_TOKEN_CHARS])
                add(Token(value, value, "number"))
            elif kind == "mixed":
                if len(raw) <= MAX_TOKEN_CHARS:
                    extend(self._mixed(raw.lower()))
            elif kind == "date":
                value = _parse_date(raw)
                add(Token(value, value, "date"))
            elif kind == "mention":
                handle = raw.lower()
                add(Token(handle, handle, "mention"))
            elif kind == "url":
                host = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw.lower()).split("/", 1)[0]
                add(Token("url:" + host[:MAX_TOKEN_CHARS], "url:" + host[:MAX_TOKEN_CHARS], "url", True))
                # Scam links spell their bait in the host ("bpjskesehatan2024.site"): its words count.
                extend(self._host_words(host))
            elif kind == "emoji":
                add(Token(raw, raw, "emoji", True))
        return Analysis(tuple(tokens))

    def normalize(self, text: str) -> str:
        return self.analyze(text).normalized

    def terms(self, text: str) -> list[str]:
        return self.analyze(text).terms


LEXICON_ENV = "HUMAS_TEXTKIT_LEXICON"


@cache
def default_analyzer() -> Analyzer:
    """A process-wide analyzer (built lazily) with the shipped lexicon and stop-words.

    If the environment variable ``HUMAS_TEXTKIT_LEXICON`` names a file, its entries
    extend the shipped lexicon (see :func:`load_lexicon`).
    """
    extra = os.environ.get(LEXICON_ENV, "").strip()
    return Analyzer(lexicon=load_lexicon(extra) if extra else None)
