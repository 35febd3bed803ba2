"""Branded image cards for social media: announcement, quote, fact, schedule and verdict cards.

An office's PR staff fill in a :class:`CardSpec` (texts, a template, a size, the office's brand
colours and logo) and get a PNG sized for Instagram, Facebook, X or a story. The renderer is pure
Pillow and touches no model or database; it reads only ``django.conf.settings`` (where the fonts
are) and translates its words with ``gettext``.

Three steps, each usable alone:

* :func:`card_check` lists every problem a person can fix (too long, unknown verdict, a logo that
  is no image, a word too long for the card, an emoji the font cannot draw), translated;
* :func:`card_layout` places every text as a :class:`Block` (its box, its lines, its font size and
  the measured extent of its ink) on a :class:`CardLayout`; tests assert from it that nothing
  overflows or overlaps;
* :func:`card_render` draws the layout; :func:`card_png` encodes it and :func:`card_alt_text`
  drafts its alternative text.

Texts are never cut: a text is wrapped at word boundaries (a hyphenated word is broken only at its
own hyphens, and only when it does not fit on a line by itself) and shrunk step by step until it
fits its box (:func:`fit_text`); what cannot fit even at the smallest size is refused by
:func:`card_check` with a sentence that says what to shorten. Rendering is deterministic: the same
spec gives the same pixels on the same Pillow and fonts (the golden images of the tests rely on
it, hence the pinned font package and Pillow's basic text layout rather than Raqm).

The words drawn on a card ("Klaim:", "HOAKS", …) follow the active language like every message;
render a card for publication under the portal's language.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal, NamedTuple, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from .pipeline import strict_decoding

# --- What a card may hold -----------------------------------------------------------------------

SIZES: dict[str, tuple[int, int]] = {
    "1080x1080": (1080, 1080),
    "1080x1350": (1080, 1350),
    "1200x630": (1200, 630),
    "1080x1920": (1080, 1920),
}

TITLE_MAX = 200
BODY_MAX = 600
ATTRIBUTION_MAX = 120
FIGURE_MAX = 24
SCHEDULE_ROWS_MAX = 8
SCHEDULE_PART_MAX = 80
STAGE_MAX = 60
FOOTER_MAX = 80
# The longest office name of the 553 offices is about 70 characters; this leaves room.
OFFICE_NAME_MAX = 120
LOGO_MAX_BYTES = 5 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
# Pillow may only try these decoders for a logo (never EPS, which runs Ghostscript).
LOGO_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
LOGO_CACHE_SIDE = 600
ALT_TEXT_MAX = 250
# The smallest font size a card ever uses, in pixels: only a single word too wide for its box at
# the normal minimum of its text goes below that minimum, down to this floor.
FLOOR_SIZE = 14

Weight = Literal["Regular", "Semibold", "Bold", "Black", "It"]
WEIGHTS: tuple[Weight, ...] = ("Regular", "Semibold", "Bold", "Black", "It")
FONT_FILES: dict[Weight, str] = {weight: f"SourceSansPro-{weight}.ttf" for weight in WEIGHTS}

Box = tuple[int, int, int, int]  # x0, y0, x1, y1: x1 and y1 are exclusive
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
_HYPHEN_SPLIT = re.compile(r"(?<=-)")

K = TypeVar("K")
V = TypeVar("V")


class _Translated(Mapping[K, V]):
    """A constant mapping whose values are translated when read, in the active language."""

    def __init__(self, build: Callable[[], dict[K, V]]) -> None:
        self._build = build

    def __getitem__(self, key: K) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())


SIZE_LABELS: Mapping[str, str] = _Translated(
    lambda: {
        "1080x1080": _("Persegi (Instagram, Facebook)"),
        "1080x1350": _("Potret (Instagram)"),
        "1200x630": _("Lanskap (X, Facebook, tautan)"),
        "1080x1920": _("Cerita (Story, Reels, TikTok)"),
    }
)


class Template(StrEnum):
    ANNOUNCEMENT = "pengumuman"
    QUOTE = "kutipan"
    FACT = "fakta-angka"
    SCHEDULE = "jadwal"
    VERDICT = "klarifikasi"


TEMPLATE_LABELS: Mapping[Template, str] = _Translated(
    lambda: {
        Template.ANNOUNCEMENT: _("Pengumuman"),
        Template.QUOTE: _("Kutipan"),
        Template.FACT: _("Fakta angka"),
        Template.SCHEDULE: _("Jadwal kegiatan"),
        Template.VERDICT: _("Klarifikasi"),
    }
)


class VerdictBadge(NamedTuple):
    text: str  # what the stamp says, translated
    color: str  # "#RRGGBB"


FALSE_RED = "#C62828"
MISLEADING_ORANGE = "#E65100"
SATIRE_PURPLE = "#5E4B8B"
TRUE_GREEN = "#2E7D32"

# The portal's verdict taxonomy (humas/portal/models.py Verdict); "benar" is stamped FAKTA.
VERDICTS: Mapping[str, VerdictBadge] = _Translated(
    lambda: {
        "salah": VerdictBadge(_("SALAH"), FALSE_RED),
        "hoaks": VerdictBadge(_("HOAKS"), FALSE_RED),
        "disinformasi": VerdictBadge(_("DISINFORMASI"), FALSE_RED),
        "misinformasi": VerdictBadge(_("MISINFORMASI"), MISLEADING_ORANGE),
        "menyesatkan": VerdictBadge(_("MENYESATKAN"), MISLEADING_ORANGE),
        "satire": VerdictBadge(_("SATIRE"), SATIRE_PURPLE),
        "benar": VerdictBadge(_("FAKTA"), TRUE_GREEN),
    }
)


@dataclass(frozen=True)
class CardStyle:
    """An office's brand: colours as "#RRGGBB" and the logo file's bytes (or None)."""

    primary: str = "#8B0000"
    accent: str = "#F2B705"
    text_on_primary: str = "#FFFFFF"
    logo: bytes | None = None


@dataclass(frozen=True)
class CardSpec:
    """Everything a card shows. Which fields a template uses: see the module and the templates."""

    template: Template
    size: str  # a key of SIZES
    office_name: str
    title: str  # the headline; the quote itself; the figure's label; the claim of a verdict
    body: str = ""  # announcement body, the quote's context, the fact's or the verdict's explanation
    attribution: str = ""  # quote: the speaker, "Nama, Jabatan"
    figure: str = ""  # fact: the big number, e.g. "204.807.222"
    schedule: tuple[tuple[str, str], ...] = ()  # schedule: rows of (when, what)
    verdict: str = ""  # verdict template: a key of VERDICTS
    stage: str = ""  # the election-stage badge, e.g. "Pemutakhiran data pemilih"
    footer: str = ""  # e.g. the portal's address
    style: CardStyle = field(default_factory=CardStyle)


# --- Errors -------------------------------------------------------------------------------------


class CardFontsMissing(ImproperlyConfigured):
    """The card fonts are not installed or cannot be read; the message says how to fix it."""


class CardRefused(ValueError):
    """A card that cannot be drawn as asked; ``problems`` are translated sentences for a person."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__(" ".join(self.problems))


class TextDoesNotFit(ValueError):
    """:func:`fit_text` found no size at which the text fits its box.

    ``word`` is the word (or hyphen-separated part) wider than the box even at the floor size, or
    None when the words fit but there are too many lines for the box's height.
    """

    def __init__(self, word: str | None) -> None:
        self.word = word
        super().__init__(word or "")


class _DoesNotFit(Exception):
    """A text of the card (named by its role) that cannot fit its place; becomes a problem."""

    def __init__(self, role: str, word: str | None) -> None:
        self.role = role
        self.word = word
        super().__init__(role)


# --- Fonts --------------------------------------------------------------------------------------


def _fonts_missing(directory: Path | None, missing: Sequence[str], detail: str = "") -> CardFontsMissing:
    files = ", ".join(missing)
    where = str(directory) if directory is not None else _("(paket font-source-sans-pro tidak terpasang)")
    message = _(
        "Huruf untuk kartu gambar tidak ditemukan atau tidak dapat dibaca: %(files)s, dicari di "
        "%(where)s. Pasang paket hurufnya dengan `pip install font-source-sans-pro==0.0.1`, atau atur "
        "HUMAS_CARD_FONT_DIR ke folder yang berisi berkas-berkas itu."
    ) % {"files": files, "where": where}
    if detail:
        message = f"{message} ({detail})"
    return CardFontsMissing(message)


def font_dir() -> Path | None:
    """Where the card fonts are: ``HUMAS_CARD_FONT_DIR``, else the font-source-sans-pro package's
    files; None when neither is set nor installed."""
    configured = getattr(settings, "HUMAS_CARD_FONT_DIR", None)
    if configured:
        return Path(configured)
    try:
        return Path(str(importlib.resources.files("font_source_sans_pro") / "files"))
    except ModuleNotFoundError:
        return None


@functools.lru_cache(maxsize=8)
def _verified_dir(directory: Path | None) -> str:
    """The font folder once all five files are there (cached only when they are)."""
    if directory is None:
        raise _fonts_missing(None, list(FONT_FILES.values()))
    missing = [name for name in FONT_FILES.values() if not (directory / name).is_file()]
    if missing:
        raise _fonts_missing(directory, missing)
    return str(directory)


@functools.lru_cache(maxsize=512)
def _load_font(directory: str, weight: Weight, size: int) -> ImageFont.FreeTypeFont:
    path = Path(directory) / FONT_FILES[weight]
    try:
        # The basic layout: the same glyph positions with or without Raqm on a machine.
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    except OSError as exc:
        raise _fonts_missing(Path(directory), [FONT_FILES[weight]], str(exc)) from None


@functools.lru_cache(maxsize=65536)
def _extent(directory: str, weight: Weight, size: int, text: str) -> tuple[int, int]:
    """Left and right of a line drawn at x = 0: its advance and its ink, whichever reach further."""
    font = _load_font(directory, weight, size)
    left, _top, right, _bottom = font.getbbox(text, anchor="la")
    return min(0, math.floor(left)), max(math.ceil(font.getlength(text)), math.ceil(right))


@functools.lru_cache(maxsize=4096)
def _has_glyph(directory: str, char: str) -> bool:
    font = _load_font(directory, "Regular", 40)
    mask, notdef = font.getmask(char), font.getmask("\uffff")
    return not (mask.size == notdef.size and bytes(mask) == bytes(notdef))


class _Fonts:
    """The card fonts of one folder: fonts, line widths and metrics (all cached per process)."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory if directory is not None else _verified_dir(font_dir())

    def font(self, weight: Weight, size: int) -> ImageFont.FreeTypeFont:
        return _load_font(self.directory, weight, size)

    def width(self, weight: Weight, size: int, text: str) -> int:
        left, right = _extent(self.directory, weight, size, text)
        return right - left

    def left(self, weight: Weight, size: int, text: str) -> int:
        return _extent(self.directory, weight, size, text)[0]

    def line_box(self, weight: Weight, size: int) -> int:
        ascent, descent = self.font(weight, size).getmetrics()
        return int(ascent + descent)

    def ink(self, weight: Weight, size: int, text: str) -> Box:
        left, top, right, bottom = self.font(weight, size).getbbox(text, anchor="la")
        return math.floor(left), math.floor(top), math.ceil(right), math.ceil(bottom)

    def missing_glyphs(self, text: str) -> list[str]:
        return sorted({char for char in text if not char.isspace() and not _has_glyph(self.directory, char)})


# --- Fitting text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FittedText:
    """Lines of a text at the size where they fit; ``height`` spans the first line's ascender to
    the last line's descender, ``width`` the widest line (ink or advance)."""

    lines: tuple[str, ...]
    size: int
    line_height: int
    width: int
    height: int


def _wrap(fonts: _Fonts, text: str, weight: Weight, size: int, width: int) -> tuple[list[str], str | None]:
    """Greedy lines of at most ``width`` pixels, or ``([], piece)`` for the first piece too wide.

    Breaks only between words (``str.split``), and inside a word only after one of its own
    hyphens, and that only when the whole word does not fit on a line by itself. A newline in the
    text starts a new line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if fonts.width(weight, size, candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
                line = ""
            if fonts.width(weight, size, word) <= width:
                line = word
                continue
            pieces = [piece for piece in _HYPHEN_SPLIT.split(word) if piece]
            if len(pieces) == 1:
                return [], word
            for piece in pieces:
                if fonts.width(weight, size, line + piece) <= width:
                    line += piece
                    continue
                if fonts.width(weight, size, piece) > width:
                    return [], piece
                if line:
                    lines.append(line)
                line = piece
        if line:
            lines.append(line)
    return lines, None


def _balanced(fonts: _Fonts, text: str, weight: Weight, size: int, width: int, lines: list[str]) -> list[str]:
    """The same number of lines in the narrowest width that keeps it: no lone last word."""
    if len(lines) < 2:
        return lines
    pieces = sum(len(line.split()) for line in lines)
    low, high = 1, width
    best = lines
    while low < high:
        middle = (low + high) // 2
        attempt, too_wide = _wrap(fonts, text, weight, size, middle)
        # Narrower, but with no more lines and no hyphenated word newly broken.
        if (
            too_wide is None
            and len(attempt) <= len(lines)
            and sum(len(line.split()) for line in attempt) == pieces
        ):
            high = middle
            best = attempt
        else:
            low = middle + 1
    return best if high < width else lines


def _set(
    fonts: _Fonts,
    text: str,
    weight: Weight,
    size: int,
    width: int,
    line_spacing: float,
    balance: bool = False,
) -> tuple[FittedText | None, str | None]:
    """The text wrapped at one size (None and the piece too wide when a piece is too wide)."""
    lines, too_wide = _wrap(fonts, text, weight, size, width)
    if too_wide is not None:
        return None, too_wide
    if balance:
        lines = _balanced(fonts, text, weight, size, width, lines)
    line_height = max(1, round(size * line_spacing))
    height = (len(lines) - 1) * line_height + fonts.line_box(weight, size) if lines else 0
    widest = max((fonts.width(weight, size, line) for line in lines), default=0)
    return FittedText(tuple(lines), size, line_height, widest, height), None


def _largest(low: int, high: int, fits: Callable[[int], bool]) -> int | None:
    """The largest size in [low, high] that fits (binary search: fitting shrinks with the size)."""
    if high < low or not fits(low):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _fit(
    fonts: _Fonts,
    text: str,
    weight: Weight,
    box_width: int,
    box_height: int,
    max_size: int,
    min_size: int,
    line_spacing: float,
    max_lines: int | None = None,
    balance: bool = False,
) -> FittedText:
    min_size = max(FLOOR_SIZE, min(min_size, max_size))

    def attempt(size: int) -> tuple[FittedText | None, str | None]:
        return _set(fonts, text, weight, size, box_width, line_spacing)

    def fits(size: int) -> bool:
        fitted, _too_wide = attempt(size)
        return (
            fitted is not None
            and fitted.height <= box_height
            and (max_lines is None or len(fitted.lines) <= max_lines)
        )

    size = _largest(min_size, max_size, fits)
    if size is None:
        fitted, too_wide = attempt(min_size)
        if too_wide is None:
            raise TextDoesNotFit(None)
        # A word wider than the box at the normal minimum: smaller still, down to the floor.
        size = _largest(FLOOR_SIZE, min_size - 1, fits)
        if size is None:
            raise TextDoesNotFit(attempt(FLOOR_SIZE)[1] or too_wide)
    fitted, _too_wide = _set(fonts, text, weight, size, box_width, line_spacing, balance)
    assert fitted is not None
    return fitted


def fit_text(
    text: str,
    font_weight: Weight,
    box_width: int,
    box_height: int,
    max_size: int,
    min_size: int,
    line_spacing: float = 1.2,
    *,
    max_lines: int | None = None,
    balance: bool = False,
) -> FittedText:
    """The largest size in [min_size, max_size] at which ``text`` wraps into the box, and its lines.

    Lines break at whitespace only (a hyphenated word breaks at its own hyphens when it does not fit
    on a line by itself); no word is cut, no line is dropped. Only when a single word is wider than
    the box even at ``min_size`` does the size go lower, down to :data:`FLOOR_SIZE`. ``balance``
    evens out the line lengths (headlines). Raises :class:`TextDoesNotFit` when nothing fits, and
    :class:`CardFontsMissing` when the fonts are missing.
    """
    return _fit(
        _Fonts(),
        text,
        font_weight,
        box_width,
        box_height,
        max_size,
        min_size,
        line_spacing,
        max_lines,
        balance,
    )


# --- Layout data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    x: int  # where the line is drawn, with Pillow's "la" anchor (left, ascender)
    y: int


@dataclass(frozen=True)
class Block:
    """One thing drawn on the card, in a box of its own: no two blocks' boxes overlap.

    ``kind``: "text" (lines), "pill" (lines on a rounded badge filling the box), "logo" (the logo on
    a plate filling the box, the image in ``image_box``), "stamp" (the verdict stamp, rotated by
    ``angle`` degrees, centred in the box) or "glyph" (a big decorative character).
    ``bbox`` is the measured extent of what is drawn: ink of the lines, or the shape.
    """

    role: str
    kind: str
    box: Box
    bbox: Box
    lines: tuple[Line, ...] = ()
    weight: Weight = "Regular"
    size: int = 0
    fill: str = "#000000"
    background: str = ""
    radius: int = 0
    angle: float = 0.0
    image_box: Box | None = None


@dataclass(frozen=True)
class Shape:
    """A decoration under the blocks: a band, a strip, a rule, a separator."""

    role: str
    box: Box
    fill: str
    radius: int = 0


@dataclass(frozen=True)
class CardLayout:
    width: int
    height: int
    background: str
    shapes: tuple[Shape, ...]
    blocks: tuple[Block, ...]


# --- Colours ------------------------------------------------------------------------------------

INK = "#1B1B1F"
MUTED = "#4A4A52"
RULE = "#D6D6DA"
WHITE = "#FFFFFF"


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02X}" for c in rgb[:3])


def _mix(a: str, b: str, t: float) -> str:
    """``a`` moved by ``t`` (0..1) towards ``b``."""
    return _hex([x + (y - x) * t for x, y in zip(_rgb(a), _rgb(b), strict=True)])


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_on(background: str) -> str:
    """Dark or white text, whichever contrasts more with ``background`` (WCAG contrast ratio)."""
    lum = _luminance(background)
    dark = (lum + 0.05) / (_luminance(INK) + 0.05)
    light = 1.05 / (lum + 0.05)
    return INK if dark >= light else WHITE


# --- Logo ---------------------------------------------------------------------------------------


class _LogoProblem(Exception):
    pass


@functools.lru_cache(maxsize=8)
def _logo_image(data: bytes) -> Image.Image:
    """The logo decoded as RGBA, upright, its transparent margins trimmed. Never change it."""
    if len(data) > LOGO_MAX_BYTES:
        raise _LogoProblem(
            _("Logo terlalu besar: %(size)s MB, paling banyak %(limit)s MB.")
            % {"size": f"{len(data) / (1024 * 1024):.1f}", "limit": f"{LOGO_MAX_BYTES / (1024 * 1024):g}"}
        )
    not_image = _("Logo bukan gambar yang dapat dibaca. Unggah logo PNG, JPEG, WebP, atau GIF.")
    strict_decoding()
    try:
        with Image.open(io.BytesIO(data), formats=LOGO_FORMATS) as source:
            width, height = source.size  # read from the header: nothing is decoded yet
            if width * height > LOGO_MAX_PIXELS:
                raise _LogoProblem(
                    _(
                        "Logo terlalu besar: %(width)s × %(height)s piksel, paling banyak %(limit)s juta piksel."
                    )
                    % {
                        "width": _number(width),
                        "height": _number(height),
                        "limit": f"{LOGO_MAX_PIXELS / 1_000_000:g}",
                    }
                )
            if source.format == "JPEG":
                source.draft(source.mode, (LOGO_CACHE_SIDE, LOGO_CACHE_SIDE))  # decode at 1/2..1/8
            source.load()
            image = ImageOps.exif_transpose(source).convert("RGBA")
    except _LogoProblem:
        raise
    except Image.DecompressionBombError:
        raise _LogoProblem(
            _("Logo terlalu besar: lebih dari %(limit)s juta piksel.")
            % {"limit": f"{LOGO_MAX_PIXELS / 1_000_000:g}"}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _LogoProblem(not_image) from None
    alpha_box = image.getchannel("A").getbbox()
    if alpha_box is None:
        raise _LogoProblem(_("Logo kosong: semua pikselnya transparan."))
    image = image.crop(alpha_box)
    # The plate is at most a few hundred pixels: keep no more in the cache.
    image.thumbnail((LOGO_CACHE_SIDE, LOGO_CACHE_SIDE), Image.Resampling.LANCZOS)
    return image


# --- Checks -------------------------------------------------------------------------------------


def _number(n: int) -> str:
    """5000 -> "5.000": the Indonesian thousands separator."""
    return f"{n:,}".replace(",", ".")


def _template(value: object) -> Template | None:
    try:
        return Template(value)  # type: ignore[arg-type]
    except ValueError:
        return None


def _too_long(label: str, text: str, limit: int) -> str:
    return _("%(field)s terlalu panjang: %(count)s karakter, paling banyak %(limit)s.") % {
        "field": label,
        "count": _number(len(text)),
        "limit": _number(limit),
    }


def _field_labels() -> dict[str, str]:
    return {
        "office": _("Nama kantor"),
        "title": _("Judul"),
        "body": _("Isi"),
        "attribution": _("Nama pembicara"),
        "figure": _("Angka"),
        "stage": _("Tahapan"),
        "footer": _("Teks kaki"),
        "schedule": _("Jadwal"),
        "verdict": _("Putusan"),
    }


def _static_problems(spec: CardSpec) -> list[str]:
    """Every problem found without fonts or layout; never raises on bad input."""
    problems: list[str] = []
    labels = _field_labels()
    template = _template(getattr(spec, "template", None))
    if template is None:
        problems.append(
            _("Templat kartu tidak dikenal: %(value)s. Pilih salah satu: %(choices)s.")
            % {"value": getattr(spec, "template", ""), "choices": ", ".join(t.value for t in Template)}
        )
    size = getattr(spec, "size", None)
    if not isinstance(size, str) or size not in SIZES:
        problems.append(
            _("Ukuran kartu tidak dikenal: %(value)s. Pilih salah satu: %(choices)s.")
            % {"value": size, "choices": ", ".join(SIZES)}
        )

    texts = {
        "office": (OFFICE_NAME_MAX, getattr(spec, "office_name", None)),
        "title": (TITLE_MAX, getattr(spec, "title", None)),
        "body": (BODY_MAX, getattr(spec, "body", None)),
        "attribution": (ATTRIBUTION_MAX, getattr(spec, "attribution", None)),
        "figure": (FIGURE_MAX, getattr(spec, "figure", None)),
        "stage": (STAGE_MAX, getattr(spec, "stage", None)),
        "footer": (FOOTER_MAX, getattr(spec, "footer", None)),
        "verdict": (100, getattr(spec, "verdict", None)),
    }
    valid_text = True
    for key, (limit, value) in texts.items():
        if not isinstance(value, str):
            problems.append(_("%(field)s tidak sah: harus berupa teks.") % {"field": labels[key]})
            valid_text = False
        elif len(value) > limit:
            problems.append(_too_long(labels[key], value, limit))
    if not valid_text:
        return problems

    if not spec.office_name.strip():
        problems.append(_("Nama kantor kosong. Isi nama kantor yang tampil di kepala kartu."))
    if not spec.title.strip():
        problems.append(_("Judul kosong. Tulis judul kartu."))
    if template is Template.QUOTE and not spec.attribution.strip():
        problems.append(_("Nama pembicara wajib diisi untuk templat Kutipan."))
    if template is Template.FACT and not spec.figure.strip():
        problems.append(_("Angka wajib diisi untuk templat Fakta angka."))
    if template is Template.VERDICT and not spec.verdict:
        problems.append(
            _("Putusan wajib dipilih untuk templat Klarifikasi. Pilih salah satu: %(choices)s.")
            % {"choices": ", ".join(VERDICTS)}
        )
    elif spec.verdict and spec.verdict not in VERDICTS:
        problems.append(
            _("Putusan tidak dikenal: %(value)s. Pilih salah satu: %(choices)s.")
            % {"value": spec.verdict, "choices": ", ".join(VERDICTS)}
        )
    problems.extend(_schedule_problems(spec.schedule, template))
    problems.extend(_style_problems(spec.style))
    return problems


def _schedule_problems(schedule: object, template: Template | None) -> list[str]:
    problems: list[str] = []
    if not isinstance(schedule, tuple | list):
        return [_("Jadwal tidak sah: harus berupa daftar baris (waktu, kegiatan).")]
    if template is Template.SCHEDULE and not schedule:
        problems.append(_("Jadwal kosong: isi paling sedikit satu baris untuk templat Jadwal kegiatan."))
    if len(schedule) > SCHEDULE_ROWS_MAX:
        problems.append(
            _("Jadwal terlalu panjang: %(count)s baris, paling banyak %(limit)s.")
            % {"count": _number(len(schedule)), "limit": SCHEDULE_ROWS_MAX}
        )
    for number, row in enumerate(schedule, start=1):
        if not (
            isinstance(row, tuple | list) and len(row) == 2 and all(isinstance(part, str) for part in row)
        ):
            problems.append(
                _("Baris jadwal %(row)s tidak sah: tiap baris berisi waktu dan kegiatan.") % {"row": number}
            )
            continue
        when, what = row
        if not when.strip():
            problems.append(_("Baris jadwal %(row)s: waktu kosong.") % {"row": number})
        if not what.strip():
            problems.append(_("Baris jadwal %(row)s: kegiatan kosong.") % {"row": number})
        if len(when) > SCHEDULE_PART_MAX:
            problems.append(
                _too_long(_("Waktu pada baris jadwal %(row)s") % {"row": number}, when, SCHEDULE_PART_MAX)
            )
        if len(what) > SCHEDULE_PART_MAX:
            problems.append(
                _too_long(_("Kegiatan pada baris jadwal %(row)s") % {"row": number}, what, SCHEDULE_PART_MAX)
            )
    return problems


def _style_problems(style: object) -> list[str]:
    if not isinstance(style, CardStyle):
        return [_("Gaya kartu tidak sah.")]
    problems: list[str] = []
    colors = {
        _("Warna utama"): style.primary,
        _("Warna aksen"): style.accent,
        _("Warna teks di atas warna utama"): style.text_on_primary,
    }
    for label, value in colors.items():
        if not isinstance(value, str) or not _HEX.match(value):
            problems.append(
                _("%(field)s tidak sah: %(value)s. Tulis warna sebagai #RRGGBB, misalnya #8B0000.")
                % {"field": label, "value": value}
            )
    if style.logo is not None:
        if not isinstance(style.logo, bytes | bytearray):
            problems.append(_("Logo bukan gambar yang dapat dibaca. Unggah logo PNG, JPEG, WebP, atau GIF."))
        else:
            try:
                _logo_image(bytes(style.logo))
            except _LogoProblem as exc:
                problems.append(str(exc))
    return problems


def _fit_problem(spec: CardSpec, error: _DoesNotFit) -> str:
    if error.word is not None:
        return _(
            "Kata terlalu panjang untuk kartu: %(word)s. Pisahkan dengan spasi atau tanda hubung, "
            "atau persingkat."
        ) % {"word": error.word}
    label = _field_labels().get(error.role.split("-")[0], _("Teks"))
    return _(
        "%(field)s terlalu panjang untuk kartu ukuran %(size)s: persingkat teksnya, kurangi baris barunya, "
        "atau pilih ukuran kartu yang lebih tinggi."
    ) % {
        "field": label,
        "size": spec.size,
    }


def _glyph_problems(fonts: _Fonts, spec: CardSpec) -> list[str]:
    labels = _field_labels()
    texts = {
        "office": spec.office_name,
        "title": spec.title,
        "body": spec.body,
        "attribution": spec.attribution,
        "figure": spec.figure,
        "stage": spec.stage,
        "footer": spec.footer,
        "schedule": " ".join(part for row in spec.schedule for part in row),
    }
    problems = []
    for key, text in texts.items():
        missing = fonts.missing_glyphs(text)
        if missing:
            shown = " ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            problems.append(
                _(
                    "%(field)s memuat karakter yang tidak dapat digambar di kartu: %(chars)s. Hapus atau "
                    "ganti karakter itu (misalnya emoji)."
                )
                % {"field": labels[key], "chars": shown}
            )
    return problems


def card_check(spec: CardSpec) -> list[str]:
    """Every problem of ``spec`` as a translated sentence; empty when the card can be drawn.

    Checks the limits, the template's required fields, the colours and the logo, then lays the card
    out to find words too long for it. Never raises for bad input; raises
    :class:`CardFontsMissing` when the fonts are missing (nothing can be checked without them).
    """
    problems = _static_problems(spec)
    if problems:
        return problems
    fonts = _Fonts()
    problems = _glyph_problems(fonts, spec)
    if problems:
        return problems
    try:
        _layout(fonts, spec)
    except _DoesNotFit as error:
        return [_fit_problem(spec, error)]
    return []


def card_layout(spec: CardSpec) -> CardLayout:
    """The card's blocks and decorations; raises :class:`CardRefused` with every problem."""
    problems = _static_problems(spec)
    if problems:
        raise CardRefused(problems)
    fonts = _Fonts()
    problems = _glyph_problems(fonts, spec)
    if problems:
        raise CardRefused(problems)
    try:
        return _layout(fonts, spec)
    except _DoesNotFit as error:
        raise CardRefused([_fit_problem(spec, error)]) from None


# --- Stacking items in a column ---------------------------------------------------------------

_TOO_TALL = 10**9


class _Item:
    """Something placed in a column: it has a size (a font size) that the column shrinks."""

    role = ""
    max_size = 0
    min_size = 0
    gap = 0.0  # space above it, as a fraction of its size

    def cap(self, fonts: _Fonts, width: int) -> int:
        """The largest usable size for this width (a word or a line limit may force it down)."""
        return self.max_size

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        raise NotImplementedError

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        raise NotImplementedError

    def gap_px(self, size: int) -> int:
        return round(self.gap * size)


class _Text(_Item):
    def __init__(
        self,
        role: str,
        text: str,
        weight: Weight,
        max_size: float,
        min_size: float,
        fill: str,
        *,
        spacing: float = 1.2,
        gap: float = 0.0,
        max_lines: int | None = None,
        balance: bool = False,
    ) -> None:
        self.role, self.text, self.weight, self.fill = role, text, weight, fill
        self.max_size, self.min_size = round(max_size), max(FLOOR_SIZE, round(min_size))
        self.spacing, self.gap, self.max_lines, self.balance = spacing, gap, max_lines, balance
        self._cache: dict[tuple[int, int], FittedText | None] = {}

    def _set(self, fonts: _Fonts, size: int, width: int) -> FittedText | None:
        key = (size, width)
        if key not in self._cache:
            fitted, _too_wide = _set(fonts, self.text, self.weight, size, width, self.spacing, self.balance)
            if fitted is not None and self.max_lines is not None and len(fitted.lines) > self.max_lines:
                fitted = None
            self._cache[key] = fitted
        return self._cache[key]

    def cap(self, fonts: _Fonts, width: int) -> int:
        def usable(size: int) -> bool:
            fitted, _too_wide = _set(fonts, self.text, self.weight, size, width, self.spacing)
            return fitted is not None and (self.max_lines is None or len(fitted.lines) <= self.max_lines)

        size = _largest(FLOOR_SIZE, self.max_size, usable)
        if size is None:
            raise _DoesNotFit(
                self.role, _set(fonts, self.text, self.weight, FLOOR_SIZE, width, self.spacing)[1]
            )
        return size

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        fitted = self._set(fonts, size, width)
        return _TOO_TALL if fitted is None else fitted.height

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        fitted = self._set(fonts, size, width)
        assert fitted is not None
        return [
            _text_block(
                fonts,
                self.role,
                fitted,
                self.weight,
                self.fill,
                (x, y, x + width, y + fitted.height),
            )
        ], []


def _text_block(
    fonts: _Fonts,
    role: str,
    fitted: FittedText,
    weight: Weight,
    fill: str,
    box: Box,
    kind: str = "text",
    background: str = "",
    radius: int = 0,
    text_box: Box | None = None,
) -> Block:
    """A block of fitted lines, drawn from the top of ``text_box`` (default: the box)."""
    x0, y0, _x1, _y1 = text_box or box
    lines = []
    ink: list[Box] = []
    for index, text in enumerate(fitted.lines):
        left, right = _extent(fonts.directory, weight, fitted.size, text)
        x = x0 - left  # a glyph reaching left of its origin starts at the box's edge
        y = y0 + index * fitted.line_height
        lines.append(Line(text, x, y))
        ink_left, ink_top, ink_right, ink_bottom = fonts.ink(weight, fitted.size, text)
        ink.append((x + ink_left, y + ink_top, x + ink_right, y + ink_bottom))
    if kind == "pill":
        bbox = box
    else:
        bbox = (
            min(b[0] for b in ink),
            min(b[1] for b in ink),
            max(b[2] for b in ink),
            max(b[3] for b in ink),
        )
    return Block(role, kind, box, bbox, tuple(lines), weight, fitted.size, fill, background, radius)


class _Pill(_Item):
    """A rounded badge around one line of text (the election stage)."""

    def __init__(
        self, role: str, text: str, max_size: float, min_size: float, fill: str, background: str
    ) -> None:
        self.text, self.fill, self.background, self.role = text, fill, background, role
        self.max_size, self.min_size = round(max_size), max(FLOOR_SIZE, round(min_size))
        self.inner = _Text(role, text, "Semibold", max_size, min_size, fill, spacing=1.1, max_lines=1)

    def _pad(self, size: int) -> tuple[int, int]:
        return round(size * 0.8), round(size * 0.28)

    def cap(self, fonts: _Fonts, width: int) -> int:
        size = _largest(FLOOR_SIZE, self.max_size, lambda size: self.measure(fonts, size, width) < _TOO_TALL)
        if size is None:
            pad_x, _pad_y = self._pad(FLOOR_SIZE)
            raise _DoesNotFit(
                self.role, _set(fonts, self.text, "Semibold", FLOOR_SIZE, width - 2 * pad_x, 1.1)[1]
            )
        return size

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        pad_x, pad_y = self._pad(size)
        if self.inner.measure(fonts, size, width - 2 * pad_x) >= _TOO_TALL:
            return _TOO_TALL
        return fonts.line_box("Semibold", size) + 2 * pad_y

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        pad_x, pad_y = self._pad(size)
        fitted = self.inner._set(fonts, size, width - 2 * pad_x)
        assert fitted is not None
        height = fitted.height + 2 * pad_y
        box = (x, y, x + fitted.width + 2 * pad_x, y + height)
        text_box = (x + pad_x, y + pad_y, box[2] - pad_x, box[3] - pad_y)
        block = _text_block(
            fonts,
            self.role,
            fitted,
            "Semibold",
            self.fill,
            box,
            kind="pill",
            background=self.background,
            radius=height // 2,
            text_box=text_box,
        )
        return [block], []


class _Rule(_Item):
    """A short bar in a colour (a decoration between a title and its text)."""

    def __init__(self, role: str, length: float, thickness: float, color: str, gap: float) -> None:
        self.role, self.length, self.thickness, self.color = (
            role,
            round(length),
            max(2, round(thickness)),
            color,
        )
        self.max_size = self.min_size = self.thickness
        self.gap_pixels = round(gap)

    def gap_px(self, size: int) -> int:
        return self.gap_pixels

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        return self.thickness

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        return [], [Shape(self.role, (x, y, x + min(self.length, width), y + self.thickness), self.color)]


@functools.lru_cache(maxsize=64)
def _glyph_ink(directory: str, size: int, char: str) -> Box:
    """The exact ink of a character in Black drawn at (0, 0) with the "la" anchor (Pillow's
    ``getbbox`` reaches down to the baseline even for a quotation mark)."""
    font = _load_font(directory, "Black", size)
    left, top, right, bottom = font.getbbox(char, anchor="la")
    width, height = math.ceil(right) + 2, math.ceil(bottom) + 2
    canvas = Image.new("L", (width, height), 0)
    ImageDraw.Draw(canvas).text((0, 0), char, font=font, fill=255, anchor="la")
    return canvas.getbbox() or (0, 0, 1, 1)


class _Glyph(_Item):
    """A big decorative character (the quotation mark), placed by its ink."""

    def __init__(
        self, role: str, char: str, max_size: float, min_size: float, fill: str, gap: float = 0.0
    ) -> None:
        self.role, self.char, self.fill = role, char, fill
        self.max_size, self.min_size, self.gap = round(max_size), max(FLOOR_SIZE, round(min_size)), gap

    def gap_px(self, size: int) -> int:
        return round(self.gap * size)

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        _l, top, _r, bottom = _glyph_ink(fonts.directory, size, self.char)
        return bottom - top

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        left, top, right, bottom = _glyph_ink(fonts.directory, size, self.char)
        box = (x, y, x + right - left, y + bottom - top)
        line = Line(self.char, x - left, y - top)
        return [Block(self.role, "glyph", box, box, (line,), "Black", size, self.fill)], []


STAMP_ANGLE = -5.0


def _stamp_geometry(fonts: _Fonts, text: str, size: int) -> tuple[int, int, int, int, int]:
    """Unrotated stamp width and height, its padding and border, and the ring's inset."""
    border = max(3, round(size * 0.07))
    pad_x, pad_y = round(size * 0.42), round(size * 0.26)
    _l, top, _r, bottom = fonts.ink("Black", size, text)
    width = fonts.width("Black", size, text) + 2 * pad_x + 2 * border * 2
    height = (bottom - top) + 2 * pad_y + 2 * border * 2
    return width, height, pad_x, pad_y, border


def _rotated_size(width: int, height: int, angle: float) -> tuple[int, int]:
    radians = math.radians(abs(angle))
    cos, sin = math.cos(radians), math.sin(radians)
    return math.ceil(width * cos + height * sin) + 8, math.ceil(width * sin + height * cos) + 8


@functools.lru_cache(maxsize=16)
def _stamp_sprite(directory: str, text: str, size: int, color: str, ink: str, angle: float) -> Image.Image:
    """The verdict stamp as an RGBA image: a filled badge inside a ring, slightly rotated, drawn at
    twice the size and scaled down for smooth edges. Never change the returned image."""
    fonts = _Fonts(directory)
    scale = 2
    width, height, pad_x, pad_y, border = _stamp_geometry(fonts, text, size * scale)
    rgb = _rgb(color)
    sprite = Image.new("RGBA", (width, height), (*rgb, 0))
    draw = ImageDraw.Draw(sprite)
    radius = round(height * 0.16)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, outline=(*rgb, 255), width=border)
    inset = border * 2
    draw.rounded_rectangle(
        (inset, inset, width - 1 - inset, height - 1 - inset), radius=max(1, radius - inset), fill=(*rgb, 255)
    )
    font = fonts.font("Black", size * scale)
    left, top, right, bottom = fonts.ink("Black", size * scale, text)
    # Centre the ink (capitals: no descender), not the line box.
    x = (width - (right - left)) // 2 - left
    y = (height - (bottom - top)) // 2 - top
    draw.text((x, y), text, font=font, fill=(*_rgb(ink), 255), anchor="la")
    rotated = sprite.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(*rgb, 0))
    return rotated.resize(
        (max(1, rotated.width // scale), max(1, rotated.height // scale)), Image.Resampling.LANCZOS
    )


class _Stamp(_Item):
    def __init__(
        self, role: str, text: str, color: str, max_size: float, min_size: float, gap: float = 0.0
    ) -> None:
        self.role, self.text, self.color = role, text, color
        self.max_size, self.min_size, self.gap = round(max_size), max(FLOOR_SIZE, round(min_size)), gap
        self.align: Literal["left", "center"] = "left"

    def _size(self, fonts: _Fonts, size: int) -> tuple[int, int]:
        width, height, *_rest = _stamp_geometry(fonts, self.text, size)
        return _rotated_size(width, height, STAMP_ANGLE)

    def cap(self, fonts: _Fonts, width: int) -> int:
        size = _largest(FLOOR_SIZE, self.max_size, lambda s: self._size(fonts, s)[0] <= width)
        if size is None:
            raise _DoesNotFit(self.role, self.text)
        return size

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        box_width, box_height = self._size(fonts, size)
        return box_height if box_width <= width else _TOO_TALL

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        box_width, box_height = self._size(fonts, size)
        if self.align == "center":
            x += (width - box_width) // 2
        box = (x, y, x + box_width, y + box_height)
        sprite = _stamp_sprite(fonts.directory, self.text, size, self.color, WHITE, STAMP_ANGLE)
        sx = x + (box_width - sprite.width) // 2
        sy = y + (box_height - sprite.height) // 2
        alpha = sprite.getchannel("A").getbbox() or (0, 0, sprite.width, sprite.height)
        bbox = (sx + alpha[0], sy + alpha[1], sx + alpha[2], sy + alpha[3])
        block = Block(
            self.role,
            "stamp",
            box,
            bbox,
            (Line(self.text, sx, sy),),
            "Black",
            size,
            WHITE,
            self.color,
            angle=STAMP_ANGLE,
        )
        return [block], []


class _Table(_Item):
    """Schedule rows: when (bold) and what (regular) side by side, separated by rules."""

    def __init__(
        self,
        rows: Sequence[tuple[str, str]],
        max_size: float,
        min_size: float,
        when_fill: str,
        what_fill: str,
        rule: str,
        edge: str,
        when_share: float,
        gap: float = 0.0,
    ) -> None:
        self.role = "schedule"
        self.rows = [(" ".join(when.split()), " ".join(what.split())) for when, what in rows]
        self.max_size, self.min_size, self.gap = round(max_size), max(FLOOR_SIZE, round(min_size)), gap
        self.when_fill, self.what_fill, self.rule, self.edge, self.when_share = (
            when_fill,
            what_fill,
            rule,
            edge,
            when_share,
        )
        self.spacing = 1.18

    def _columns(self, fonts: _Fonts, size: int, width: int) -> tuple[int, int, int]:
        """Widths of the when column, the gutter and the what column: the when column is as wide
        as its longest line needs, within 18% to ``when_share`` of the width."""
        gutter = round(size * 0.9)
        widest = max((fonts.width("Bold", size, when) for when, _what in self.rows), default=0)
        when = max(round(width * 0.18), min(round(width * self.when_share), widest))
        return when, gutter, width - when - gutter

    def _pad(self, size: int) -> int:
        return round(size * 0.42)

    def _edge(self, size: int) -> int:
        return max(3, round(size * 0.12))

    def _cells(self, fonts: _Fonts, size: int, width: int) -> list[tuple[FittedText, FittedText]] | None:
        when_w, _gutter, what_w = self._columns(fonts, size, width)
        cells = []
        for when, what in self.rows:
            a, _too_wide = _set(fonts, when, "Bold", size, when_w, self.spacing)
            b, _too_wide = _set(fonts, what, "Regular", size, what_w, self.spacing)
            if a is None or b is None:
                return None
            cells.append((a, b))
        return cells

    def cap(self, fonts: _Fonts, width: int) -> int:
        size = _largest(FLOOR_SIZE, self.max_size, lambda s: self._cells(fonts, s, width) is not None)
        if size is None:
            when_w, _gutter, what_w = self._columns(fonts, FLOOR_SIZE, width)
            for when, what in self.rows:
                for text, weight, w in ((when, "Bold", when_w), (what, "Regular", what_w)):
                    too_wide = _set(fonts, text, weight, FLOOR_SIZE, w, self.spacing)[1]  # type: ignore[arg-type]
                    if too_wide:
                        raise _DoesNotFit(self.role, too_wide)
            raise _DoesNotFit(self.role, None)
        return size

    def measure(self, fonts: _Fonts, size: int, width: int) -> int:
        cells = self._cells(fonts, size, width)
        if cells is None:
            return _TOO_TALL
        pad = self._pad(size)
        return self._edge(size) + sum(max(a.height, b.height) + 2 * pad for a, b in cells)

    def place(self, fonts: _Fonts, x: int, y: int, width: int, size: int) -> tuple[list[Block], list[Shape]]:
        cells = self._cells(fonts, size, width)
        assert cells is not None
        when_w, gutter, _what_w = self._columns(fonts, size, width)
        pad = self._pad(size)
        edge = self._edge(size)
        blocks: list[Block] = []
        shapes = [Shape("schedule-edge", (x, y, x + width, y + edge), self.edge)]
        top = y + edge
        for number, (when, what) in enumerate(cells, start=1):
            row_height = max(when.height, what.height) + 2 * pad
            if number > 1:
                shapes.append(
                    Shape("schedule-rule", (x, top, x + width, top + max(1, size // 16)), self.rule)
                )
            blocks.append(
                _text_block(
                    fonts,
                    f"schedule-when-{number}",
                    when,
                    "Bold",
                    self.when_fill,
                    (x, top + pad, x + when_w, top + pad + when.height),
                )
            )
            what_x = x + when_w + gutter
            blocks.append(
                _text_block(
                    fonts,
                    f"schedule-what-{number}",
                    what,
                    "Regular",
                    self.what_fill,
                    (what_x, top + pad, x + width, top + pad + what.height),
                )
            )
            top += row_height
        return blocks, shapes


def _stack(
    fonts: _Fonts, items: Sequence[_Item], box: Box, bias: float = 0.45
) -> tuple[list[Block], list[Shape]]:
    """Place ``items`` top to bottom in ``box``, all shrunk by one factor until they fit.

    Each item keeps its own maximum and minimum size (the hierarchy stays); what is left of the
    height widens the gaps a little and is split above and below by ``bias``.
    """
    x0, y0, x1, y1 = box
    width, available = x1 - x0, y1 - y0
    items = list(items)
    if not items:
        return [], []
    caps = [item.cap(fonts, width) for item in items]
    lows = [min(item.min_size, cap) for item, cap in zip(items, caps, strict=True)]

    def sizes_at(t: float) -> list[int]:
        """Each size ``t`` of the way from its minimum to its maximum (capped)."""
        return [
            min(cap, round(low + (item.max_size - low) * t))
            for item, cap, low in zip(items, caps, lows, strict=True)
        ]

    def total(sizes: list[int]) -> int:
        heights = sum(item.measure(fonts, size, width) for item, size in zip(items, sizes, strict=True))
        gaps = sum(item.gap_px(size) for item, size in zip(items[1:], sizes[1:], strict=True))
        return heights + gaps

    # Candidates from the largest down: all shrink together, each from its maximum towards its
    # minimum (the small texts stay readable while the headline gives way); then (a long text in a small card) all shrink further together, down to the floor size.
    steps = 100
    candidates = [sizes_at(1 - i / steps) for i in range(steps + 1)]
    largest = max(lows)
    if largest > FLOOR_SIZE:
        floor_t = FLOOR_SIZE / largest
        steps = max(1, math.ceil((1 - floor_t) / 0.01))
        for i in range(1, steps + 1):
            t = 1 - (1 - floor_t) * i / steps
            candidates.append([low if low <= FLOOR_SIZE else max(FLOOR_SIZE, round(low * t)) for low in lows])
    last = len(candidates) - 1
    index = _largest(0, last, lambda i: total(candidates[last - i]) <= available)
    if index is None:
        sizes = candidates[-1]
        heights = [item.measure(fonts, size, width) for item, size in zip(items, sizes, strict=True)]
        raise _DoesNotFit(items[heights.index(max(heights))].role, None)
    sizes = candidates[last - index]
    used = total(sizes)
    leftover = available - used
    gaps = [item.gap_px(size) for item, size in zip(items, sizes, strict=True)]
    extra = [
        min(gap * 0.5, leftover * 0.3 / max(1, len(items) - 1)) if i else 0 for i, gap in enumerate(gaps)
    ]
    leftover -= round(sum(extra))
    y = y0 + round(leftover * bias)
    blocks: list[Block] = []
    shapes: list[Shape] = []
    for index, (item, size) in enumerate(zip(items, sizes, strict=True)):
        if index:
            y += gaps[index] + round(extra[index])
        placed_blocks, placed_shapes = item.place(fonts, x0, y, width, size)
        blocks.extend(placed_blocks)
        shapes.extend(placed_shapes)
        y += item.measure(fonts, size, width)
    return blocks, shapes


def _arranged(
    fonts: _Fonts, arrangements: Sequence[Sequence[tuple[Sequence[_Item], Box]]]
) -> tuple[list[Block], list[Shape]]:
    """The first arrangement (columns of items) in which every column fits; raises the first
    arrangement's error when none does."""
    first_error: _DoesNotFit | None = None
    for columns in arrangements:
        try:
            placed = [_stack(fonts, items, box) for items, box in columns]
        except _DoesNotFit as error:
            first_error = first_error or error
            continue
        return [b for blocks, _shapes in placed for b in blocks], [
            s for _blocks, shapes in placed for s in shapes
        ]
    assert first_error is not None
    raise first_error


# --- The card's frame ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    unit: float  # font sizes are given for a 1080-pixel square and multiplied by this
    margin: int
    band: int  # the header band's height
    header: Box  # where the logo and the office name go
    stripe: int  # the accent stripe under the band
    footer: Box  # the footer strip
    footer_text: Box
    content: Box
    landscape: bool


def _frame(size: str) -> _Frame:
    width, height = SIZES[size]
    margin = round(width * 0.07)
    if size == "1200x630":
        unit, band, header_y, stripe, footer_h, footer_text_y = 0.78, 112, (18, 94), 8, 58, (12, 46)
        gap_top, gap_bottom = 30, 26
    elif size == "1080x1920":
        # Stories: the top and bottom 250 pixels lie under the app's own controls; the logo, the
        # office name and the footer text stay out of them.
        unit, band, header_y, stripe, footer_h, footer_text_y = 1.1, 420, (262, 392), 12, 340, (34, 94)
        gap_top, gap_bottom = 84, 76
    elif size == "1080x1350":
        unit, band, header_y, stripe, footer_h, footer_text_y = 1.0, 204, (38, 166), 12, 96, (22, 74)
        gap_top, gap_bottom = 66, 60
    else:
        unit, band, header_y, stripe, footer_h, footer_text_y = 1.0, 184, (32, 152), 12, 90, (20, 70)
        gap_top, gap_bottom = 54, 48
    footer_top = height - footer_h
    return _Frame(
        width=width,
        height=height,
        unit=unit,
        margin=margin,
        band=band,
        header=(margin, header_y[0], width - margin, header_y[1]),
        stripe=stripe,
        footer=(0, footer_top, width, height),
        footer_text=(margin, footer_top + footer_text_y[0], width - margin, footer_top + footer_text_y[1]),
        content=(margin, band + stripe + gap_top, width - margin, footer_top - gap_bottom),
        landscape=width > height,
    )


@dataclass(frozen=True)
class _Palette:
    background: str
    band: str
    band_text: str
    stripe: str
    footer: str
    footer_text: str
    title: str
    body: str
    kicker: str
    pill: str
    pill_text: str
    rule: str


def _palette(spec: CardSpec, template: Template) -> _Palette:
    style = spec.style
    if template is Template.FACT:
        deep = _mix(style.primary, "#000000", 0.32)
        return _Palette(
            background=style.primary,
            band=deep,
            band_text=style.text_on_primary,
            stripe=style.accent,
            footer=deep,
            footer_text=style.text_on_primary,
            title=style.text_on_primary,
            body=_mix(style.text_on_primary, style.primary, 0.14),
            kicker=style.accent,
            pill=style.accent,
            pill_text=_ink_on(style.accent),
            rule=style.accent,
        )
    background = _mix(style.primary, WHITE, 0.94) if template is Template.QUOTE else WHITE
    return _Palette(
        background=background,
        band=style.primary,
        band_text=style.text_on_primary,
        stripe=style.accent,
        footer=style.primary,
        footer_text=style.text_on_primary,
        title=INK,
        body=MUTED,
        kicker=style.primary,
        pill=style.accent,
        pill_text=_ink_on(style.accent),
        rule=style.accent,
    )


def _header(fonts: _Fonts, spec: CardSpec, frame: _Frame, palette: _Palette) -> list[Block]:
    x0, y0, x1, y1 = frame.header
    side = y1 - y0
    blocks: list[Block] = []
    text_x = x0
    if spec.style.logo is not None:
        logo = _logo_image(bytes(spec.style.logo))
        plate = (x0, y0, x0 + side, y1)
        pad = round(side * 0.1)
        inner = side - 2 * pad
        scale = min(inner / logo.width, inner / logo.height)
        w, h = max(1, round(logo.width * scale)), max(1, round(logo.height * scale))
        lx, ly = x0 + pad + (inner - w) // 2, y0 + pad + (inner - h) // 2
        blocks.append(
            Block(
                "logo",
                "logo",
                plate,
                plate,
                background=WHITE,
                radius=round(side * 0.18),
                image_box=(lx, ly, lx + w, ly + h),
            )
        )
        text_x = x0 + side + round(side * 0.22)
    name = " ".join(spec.office_name.split())
    try:
        fitted = _fit(
            fonts,
            name,
            "Bold",
            x1 - text_x,
            side,
            round(46 * frame.unit),
            round(22 * frame.unit),
            1.08,
            2,
            True,
        )
    except TextDoesNotFit as exc:
        raise _DoesNotFit("office", exc.word) from None
    top = y0 + (side - fitted.height) // 2
    blocks.append(
        _text_block(
            fonts, "office", fitted, "Bold", palette.band_text, (text_x, top, x1, top + fitted.height)
        )
    )
    return blocks


def _footer(fonts: _Fonts, spec: CardSpec, frame: _Frame, palette: _Palette) -> list[Block]:
    text = " ".join(spec.footer.split())
    if not text:
        return []
    x0, y0, x1, y1 = frame.footer_text
    try:
        fitted = _fit(
            fonts, text, "Semibold", x1 - x0, y1 - y0, round(30 * frame.unit), round(18 * frame.unit), 1.1, 2
        )
    except TextDoesNotFit as exc:
        raise _DoesNotFit("footer", exc.word) from None
    top = y0 + (y1 - y0 - fitted.height) // 2
    return [
        _text_block(
            fonts, "footer", fitted, "Semibold", palette.footer_text, (x0, top, x1, top + fitted.height)
        )
    ]


# --- The templates ------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Spaces collapsed within lines; newlines kept as line breaks, blank lines dropped."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _pill(spec: CardSpec, frame: _Frame, palette: _Palette) -> _Pill | None:
    stage = " ".join(spec.stage.split())
    if not stage:
        return None
    return _Pill("stage", stage, 30 * frame.unit, 24 * frame.unit, palette.pill_text, palette.pill)


def _columns(frame: _Frame, box: Box, share: float, gutter: float = 0.06) -> tuple[Box, Box, int]:
    x0, y0, x1, y1 = box
    gap = round((x1 - x0) * gutter)
    split = x0 + round((x1 - x0 - gap) * share)
    return (x0, y0, split, y1), (split + gap, y0, x1, y1), split + gap // 2


def _layout(fonts: _Fonts, spec: CardSpec) -> CardLayout:
    template = Template(spec.template)
    frame = _frame(spec.size)
    palette = _palette(spec, template)
    u = frame.unit
    shapes: list[Shape] = [
        Shape("band", (0, 0, frame.width, frame.band), palette.band),
        Shape("stripe", (0, frame.band, frame.width, frame.band + frame.stripe), palette.stripe),
        Shape("footer", frame.footer, palette.footer),
    ]
    blocks = _header(fonts, spec, frame, palette) + _footer(fonts, spec, frame, palette)

    title = _clean(spec.title)
    body = _clean(spec.body)
    pill = _pill(spec, frame, palette)
    content = frame.content

    # In a landscape card the stage badge heads the whole content; the columns come below it.
    if frame.landscape and pill is not None:
        x0, y0, x1, y1 = content
        placed, _shapes = _stack(fonts, [pill], (x0, y0, x1, y1), bias=0.0)
        blocks += placed
        content = (x0, placed[0].box[3] + round(24 * u), x1, y1)
        pill = None
    lead: list[_Item] = [pill] if pill is not None else []

    if template is Template.ANNOUNCEMENT:
        kicker = _Text(
            "kicker", TEMPLATE_LABELS[template].upper(), "Bold", 30 * u, 22 * u, palette.kicker, gap=0.7
        )
        title_item = _Text(
            "title", title, "Bold", 92 * u, 34 * u, palette.title, spacing=1.1, gap=0.35, balance=True
        )
        body_items: list[_Item] = []
        if body:
            body_items = [
                _Rule("rule", 96 * u, 8 * u, palette.rule, 34 * u),
                _Text("body", body, "Regular", 44 * u, 24 * u, palette.body, spacing=1.32, gap=1.0),
            ]
        if frame.landscape and body:
            left, right, split = _columns(frame, content, 0.46)
            blocks_l, shapes_l = _stack(fonts, [*lead, kicker, title_item], left)
            body_items[1].max_size = round(34 * u)  # beside the title: smaller than it
            blocks_r, shapes_r = _stack(fonts, body_items[1:], right)
            blocks += blocks_l + blocks_r
            shapes += shapes_l + shapes_r
            shapes.append(Shape("column-rule", (split - 2, right[1], split + 2, right[3]), palette.rule))
        else:
            placed, decor = _stack(fonts, [*lead, kicker, title_item, *body_items], content)
            blocks += placed
            shapes += decor

    elif template is Template.QUOTE:
        mark = _Glyph("quote-mark", "\u201c", 240 * u, 120 * u, spec.style.primary)
        quote = _Text(
            "title", title, "Semibold", 72 * u, 30 * u, palette.title, spacing=1.16, gap=0.3, balance=True
        )
        speaker = _Text(
            "attribution",
            "\u2014 " + " ".join(spec.attribution.split()),
            "Bold",
            36 * u,
            22 * u,
            spec.style.primary,
            spacing=1.2,
            gap=0.9,
            balance=True,
        )
        context = (
            [_Text("body", body, "It", 34 * u, 22 * u, palette.body, spacing=1.3, gap=1.0)] if body else []
        )
        if frame.landscape:
            left, right, _split = _columns(frame, content, 0.13, gutter=0.03)
            blocks_l, _decor = _stack(fonts, [mark], left, bias=0.0)
            blocks_r, shapes_r = _stack(fonts, [quote, speaker, *context], right)
            blocks += blocks_l + blocks_r
            shapes += shapes_r
        else:
            mark.gap = 0.15
            placed, decor = _stack(fonts, [*lead, mark, quote, speaker, *context], content)
            blocks += placed
            shapes += decor

    elif template is Template.FACT:
        figure = _Text(
            "figure",
            " ".join(spec.figure.split()),
            "Black",
            230 * u,
            150 * u,
            spec.style.accent,
            spacing=1.0,
            gap=0.1,
            max_lines=2,
            balance=True,
        )
        label = _Text(
            "title", title, "Bold", 62 * u, 30 * u, palette.title, spacing=1.12, gap=0.45, balance=True
        )
        explanation: list[_Item] = []
        if body:
            explanation = [
                _Rule("rule", 96 * u, 8 * u, palette.rule, 34 * u),
                _Text("body", body, "Regular", 38 * u, 24 * u, palette.body, spacing=1.32, gap=1.0),
            ]
        if frame.landscape:
            if explanation:
                explanation[1].max_size = round(32 * u)  # beside the label: smaller than it
            left, right, _split = _columns(frame, content, 0.5)
            # The figure with its label on the left, the explanation on the right; with more text,
            # the figure alone on the left.
            placed, decor = _arranged(
                fonts,
                [
                    [([figure, label], left), (explanation[1:], right)],
                    [([figure], left), ([label, *explanation], right)],
                ]
                if explanation
                else [[([figure], left), ([label], right)]],
            )
            blocks += placed
            shapes += decor
        else:
            placed, decor = _stack(fonts, [*lead, figure, label, *explanation], content)
            blocks += placed
            shapes += decor

    elif template is Template.SCHEDULE:
        heading = _Text(
            "title", title, "Bold", 72 * u, 30 * u, palette.title, spacing=1.1, gap=0.5, balance=True
        )
        table = _Table(
            spec.schedule,
            40 * u,
            20 * u,
            spec.style.primary,
            INK,
            RULE,
            spec.style.primary,
            when_share=0.36,
            gap=0.9,
        )
        note = (
            [_Text("body", body, "Regular", 30 * u, 20 * u, palette.body, spacing=1.3, gap=0.9)]
            if body
            else []
        )
        if frame.landscape:
            left, right, _split = _columns(frame, content, 0.34)
            table.when_share = 0.38
            # The heading beside the table (and its note); with more text, the note under the
            # heading; with still more, everything in one column.
            placed, decor = _arranged(
                fonts,
                [
                    [([heading], left), ([table, *note], right)],
                    [([heading, *note], left), ([table], right)],
                    [([heading, table, *note], content)],
                ],
            )
            blocks += placed
            shapes += decor
        else:
            placed, decor = _stack(fonts, [*lead, heading, table, *note], content)
            blocks += placed
            shapes += decor

    else:  # Template.VERDICT
        badge = VERDICTS[spec.verdict]
        stamp = _Stamp("verdict", badge.text, badge.color, 110 * u, 40 * u, gap=0.5)
        claim_label = _Text("claim-label", _("Klaim:"), "Bold", 30 * u, 20 * u, MUTED, gap=0.9)
        claim = _Text(
            "title", title, "Semibold", 68 * u, 28 * u, palette.title, spacing=1.14, gap=0.2, balance=True
        )
        facts: list[_Item] = []
        if body:
            facts = [
                _Text("body-label", _("Faktanya:"), "Bold", 30 * u, 20 * u, badge.color, gap=1.3),
                _Text("body", body, "Regular", 42 * u, 22 * u, palette.body, spacing=1.3, gap=0.2),
            ]
        if frame.landscape:
            left, right, split = _columns(frame, content, 0.36)
            stamp.gap = 0.0
            stamp.align = "center"
            blocks_l, _decor = _stack(fonts, [stamp], left, bias=0.5)
            claim_label.gap = 0.0
            blocks_r, shapes_r = _stack(fonts, [claim_label, claim, *facts], right)
            blocks += blocks_l + blocks_r
            shapes += shapes_r
        else:
            placed, decor = _stack(fonts, [*lead, stamp, claim_label, claim, *facts], content)
            blocks += placed
            shapes += decor

    return CardLayout(frame.width, frame.height, palette.background, tuple(shapes), tuple(blocks))


# --- Drawing ------------------------------------------------------------------------------------


def _paste_rounded(canvas: Image.Image, box: Box, radius: int, color: str) -> None:
    """A rounded rectangle with smooth edges (drawn at four times the size, scaled down)."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return
    scale = 4
    mask = Image.new("L", (width * scale, height * scale), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, width * scale - 1, height * scale - 1), radius=radius * scale, fill=255
    )
    mask = mask.resize((width, height), Image.Resampling.LANCZOS)
    canvas.paste(Image.new("RGB", (width, height), _rgb(color)), (x0, y0), mask)


def _draw(fonts: _Fonts, spec: CardSpec, layout: CardLayout) -> Image.Image:
    canvas = Image.new("RGB", (layout.width, layout.height), _rgb(layout.background))
    draw = ImageDraw.Draw(canvas)
    for shape in layout.shapes:
        if shape.radius:
            _paste_rounded(canvas, shape.box, shape.radius, shape.fill)
        else:
            x0, y0, x1, y1 = shape.box
            draw.rectangle((x0, y0, x1 - 1, y1 - 1), fill=_rgb(shape.fill))
    for block in layout.blocks:
        if block.kind in ("pill", "logo"):
            _paste_rounded(canvas, block.box, block.radius, block.background)
        if block.kind == "logo" and block.image_box is not None and spec.style.logo is not None:
            x0, y0, x1, y1 = block.image_box
            logo = _logo_image(bytes(spec.style.logo)).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
            canvas.paste(logo.convert("RGB"), (x0, y0), logo.getchannel("A"))
        elif block.kind == "stamp":
            line = block.lines[0]
            sprite = _stamp_sprite(
                fonts.directory, line.text, block.size, block.background, block.fill, block.angle
            )
            canvas.paste(sprite.convert("RGB"), (line.x, line.y), sprite.getchannel("A"))
        else:
            font = fonts.font(block.weight, block.size)
            for line in block.lines:
                draw.text((line.x, line.y), line.text, font=font, fill=_rgb(block.fill), anchor="la")
    return canvas


def card_render(spec: CardSpec) -> Image.Image:
    """The card as an RGB image. Raises :class:`CardRefused` (with every problem) for a card that
    cannot be drawn, :class:`CardFontsMissing` when the fonts are missing."""
    layout = card_layout(spec)
    return _draw(_Fonts(), spec, layout)


def card_png(spec: CardSpec) -> bytes:
    """The card as an optimized PNG."""
    buffer = io.BytesIO()
    card_render(spec).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- Alternative text ---------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".!?…\"'\u201d\u2019":
        text += "."
    return text


def _shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut only between words and then ended with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = max(cut.rfind(" "), 0)
        cut = cut[:space]
    cut = cut.rstrip(" ,;:.\u2014\u2013-(\u201c\"'")
    return cut + "\u2026"


def card_alt_text(spec: CardSpec) -> str:
    """The card's alternative text, drafted from its words: at most 250 characters, in the active
    language, shortened only between words (ending with "…"). Never raises."""
    office = " ".join(str(getattr(spec, "office_name", "") or "").split())
    title = _sentence(str(getattr(spec, "title", "") or ""))
    body = _sentence(str(getattr(spec, "body", "") or ""))
    template = _template(getattr(spec, "template", None))
    values = {"office": office, "title": title}
    if template is Template.ANNOUNCEMENT:
        parts = [_("Kartu pengumuman %(office)s:") % values, title, body]
    elif template is Template.QUOTE:
        speaker = " ".join(str(spec.attribution or "").split())
        quote = " ".join(str(spec.title or "").split())
        parts = [
            _("Kartu kutipan %(office)s:") % values,
            _("“%(quote)s” — %(speaker)s.") % {"quote": quote, "speaker": speaker}
            if speaker
            else f"\u201c{quote}\u201d",
            body,
        ]
    elif template is Template.FACT:
        figure = " ".join(str(spec.figure or "").split())
        parts = [
            _("Kartu fakta angka %(office)s:") % values,
            f"{figure} \u2014 {title}" if figure else title,
            body,
        ]
    elif template is Template.SCHEDULE:
        rows = []
        for row in spec.schedule if isinstance(spec.schedule, tuple | list) else ():
            if isinstance(row, tuple | list) and len(row) == 2:
                rows.append(f"{' '.join(str(row[0]).split())}: {' '.join(str(row[1]).split())}")
        parts = [_("Kartu jadwal kegiatan %(office)s:") % values, title, _sentence("; ".join(rows)), body]
    elif template is Template.VERDICT:
        verdict = str(spec.verdict or "")
        badge = VERDICTS[verdict].text if verdict in VERDICTS else verdict.upper()
        parts = [
            _("Kartu klarifikasi %(office)s: %(verdict)s.") % {"office": office, "verdict": badge},
            _("Klaim: %(claim)s") % {"claim": title},
            _("Faktanya: %(facts)s") % {"facts": body} if body else "",
        ]
    else:
        parts = [_("Kartu %(office)s:") % values, title, body]
    text = " ".join(part for part in parts if part)
    return _shorten(" ".join(text.split()), ALT_TEXT_MAX)
