"""The PDF of a report: an office's figures over a period against the period of the same length
just before, rendered from ``analytics/report_pdf.html`` by WeasyPrint.

Everything is read in a bounded number of queries whatever the number of offices below (the
selectors group by office path and day), then laid out in the report's language: numbers and dates
formatted for it, charts drawn here as SVG (nothing fetched, no JavaScript), each chart followed by
its table. The fonts come from the font-source-sans-pro package through ``@font-face`` with file
URLs, and the renderer may fetch nothing else: a text in the report never makes it read a file or
the network.
"""

from __future__ import annotations

import base64
import io
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageFile, UnidentifiedImageError

from humas.accounts.models import User
from humas.media.cards import FONT_FILES, font_dir
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths
from humas.portal.models import Article

from .formatting import change, day_text, number, period_text
from .models import ChannelDay, PortalDay, Report
from .selectors import (
    Figures,
    OfficeDays,
    PlatformFigures,
    Series,
    channel_totals,
    empty_text,
    followers_by_channel,
    office_series,
    offices_below_days,
    offices_below_table,
)
from .top import clarifications, top_articles, top_posts
from .work import office_work

logger = logging.getLogger(__name__)

CSS_FILE = Path(__file__).resolve().parent / "static" / "analytics" / "report_pdf.css"
FONT_FAMILY = "Humas Source Sans"
# @font-face rules: the package's files by weight and style.
FONT_FACES = (
    ("Regular", 400, "normal"),
    ("Semibold", 600, "normal"),
    ("Bold", 700, "normal"),
    ("It", 400, "italic"),
)
TOP = 10  # posts and articles in "Konten teratas"
CLARIFICATIONS_LISTED = 50  # a busy national month lists the 50 most viewed and counts the rest
TEXT_CHARS = 110  # a post's text in the top list
# An office logo drawn on the cover: read from its header first, never decoded beyond this.
LOGO_MAX_BYTES = 5 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_BOX = 360  # px: the logo is scaled down to fit, then embedded as PNG
# An article counts on the day it went public, also when it has been withdrawn since (aggregate.py).
_PUBLIC = (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)

# Every measure a report defines, in one short sentence each. A measure ``Figures`` gains later is
# still printed (named by the daily tables' field, or its key) until it gets its sentence here.
MEASURES: dict[str, tuple[Promise, Promise]] = {
    "posts": (gettext_lazy("Unggahan"), gettext_lazy("Unggahan yang terkirim ke kanal media sosial.")),
    "reactions": (gettext_lazy("Reaksi"), gettext_lazy("Suka dan reaksi lain pada unggahan itu.")),
    "comments": (gettext_lazy("Komentar"), gettext_lazy("Komentar pada unggahan itu.")),
    "shares": (gettext_lazy("Dibagikan"), gettext_lazy("Berapa kali unggahan itu dibagikan ulang.")),
    "link_clicks": (
        gettext_lazy("Klik tautan"),
        gettext_lazy("Klik pada tautan unggahan (Facebook dan X)."),
    ),
    "engagement": (gettext_lazy("Interaksi"), gettext_lazy("Reaksi + komentar + dibagikan + klik tautan.")),
    "reach": (
        gettext_lazy("Jangkauan"),
        gettext_lazy("Jumlah akun berbeda yang melihat unggahan, menurut platform."),
    ),
    "impressions": (
        gettext_lazy("Impresi"),
        gettext_lazy("Berapa kali unggahan ditampilkan, menurut platform."),
    ),
    "views": (gettext_lazy("Ditonton (video)"), gettext_lazy("Berapa kali video unggahan diputar.")),
    "followers": (
        gettext_lazy("Pengikut"),
        gettext_lazy("Pengikut tiap kanal pada hari terakhir yang tercatat dalam periode, dijumlah."),
    ),
    "followers_growth": (
        gettext_lazy("Pertumbuhan pengikut"),
        gettext_lazy("Pengikut terakhir dikurangi pengikut pertama yang tercatat dalam periode."),
    ),
    "portal_views": (
        gettext_lazy("Dilihat di portal"),
        gettext_lazy("Berapa kali artikel portal kantor dibuka oleh pengunjung."),
    ),
    "visitors": (
        gettext_lazy("Pengunjung portal"),
        gettext_lazy("Pengunjung berbeda yang membuka artikel portal, dijumlah per hari."),
    ),
    "articles": (gettext_lazy("Artikel terbit"), gettext_lazy("Artikel yang terbit di portal.")),
    "clarifications": (
        gettext_lazy("Klarifikasi terbit"),
        gettext_lazy("Artikel klarifikasi hoaks yang terbit di portal."),
    ),
}
# The few numbers that matter, on the first page.
HEADLINE = ("posts", "engagement", "reach", "portal_views", "clarifications")
# The columns of the daily table, of the platforms' and of the offices below.
DAY_KEYS = ("posts", "engagement", "reach", "impressions", "portal_views", "articles", "clarifications")
PLATFORM_KEYS = (
    "posts",
    "reactions",
    "comments",
    "shares",
    "link_clicks",
    "engagement",
    "reach",
    "impressions",
    "views",
)
BELOW_KEYS = ("posts", "engagement", "reach", "portal_views", "articles", "clarifications")
CARD_KEYS = ("posts", "engagement", "portal_views", "clarifications")
CARDS_PER_ROW = 3

POSTS_COLOUR = "#8b0000"
ENGAGEMENT_COLOUR = "#1f5f99"
GRID_COLOUR = "#d9d9d9"
TEXT_COLOUR = "#333333"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


# --- Formatting in the report's language ------------------------------------------------------


def measure_label(key: str) -> str:
    if key in MEASURES:
        return str(MEASURES[key][0])
    for model in (ChannelDay, PortalDay):
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        return str(getattr(field, "verbose_name", key)).capitalize()
    return key.replace("_", " ").capitalize()


def measure_definition(key: str) -> str:
    return str(MEASURES[key][1]) if key in MEASURES else ""


def _present(keys: Sequence[str], figures: Figures) -> list[str]:
    values = figures.as_dict()
    return [key for key in keys if key in values]


def _cells(figures: Figures, keys: Sequence[str]) -> list[str]:
    values = figures.as_dict()
    return [number(values[key]) for key in keys]


# --- Charts, drawn as SVG ---------------------------------------------------------------------


def _ticks(maximum: int, count: int = 4) -> list[int]:
    """Round, whole-number steps from 0 up to at least ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = 10 * magnitude
    for multiple in (1, 2, 5):
        if multiple * magnitude >= raw:
            step = multiple * magnitude
            break
    whole = max(1, math.ceil(step))
    top = whole * math.ceil(maximum / whole)
    return list(range(0, top + 1, whole))


def _text(
    x: float, y: float, text: str, *, size: float = 9, anchor: str = "start", bold: bool = False
) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{TEXT_COLOUR}"'
        f' font-family="{FONT_FAMILY}"{weight}>{escape(text)}</text>'
    )


def _svg(width: int, height: int, label: str, body: Iterable[str]) -> SafeString:
    # Every text inside is escaped by _text; the numbers are ours.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _x_label_every(count: int, labels: int = 7) -> int:
    return max(1, math.ceil(count / labels))


def daily_chart(days: Sequence[date], panels: Sequence[tuple[str, str, Sequence[int | None]]]) -> SafeString:
    """One line panel per series (its own scale: posts are tens, engagement thousands), each with
    the days along its bottom. An unknown value is drawn as 0; the table after it says "—"."""
    width, left, right, panel_height, gap, top = 660, 56, 14, 78, 44, 18
    plot_width = width - left - right
    height = top + len(panels) * (panel_height + gap) - 12
    count = len(days)

    def x_at(index: int) -> float:
        return left + (plot_width / 2 if count == 1 else index * plot_width / (count - 1))

    every = _x_label_every(count)
    marks = list(range(0, count, every))
    if marks and count - 1 - marks[-1] >= every / 2:
        marks.append(count - 1)
    body: list[str] = []
    for place, (title, colour, values) in enumerate(panels):
        base = top + place * (panel_height + gap) + panel_height
        points = [value or 0 for value in values]
        ticks = _ticks(max(points, default=0))
        scale = panel_height / ticks[-1]
        body.append(_text(left, base - panel_height - 7, title, size=10, bold=True))
        # Shapes of a kind go in one path each: the renderer's cost is per element, not per point.
        grid = "".join(f"M{left} {base - tick * scale:.1f}H{width - right}" for tick in ticks)
        body.append(f'<path d="{grid}" stroke="{GRID_COLOUR}" stroke-width="0.6" fill="none"/>')
        body.extend(
            _text(left - 6, base - tick * scale + 3, number(tick), size=8, anchor="end") for tick in ticks
        )
        notches = "".join(f"M{x_at(index):.1f} {base}v3" for index in marks)
        body.append(f'<path d="{notches}" stroke="{TEXT_COLOUR}" stroke-width="0.6" fill="none"/>')
        body.extend(
            _text(x_at(index), base + 13, day_text(days[index], "j M"), size=8, anchor="middle")
            for index in marks
        )
        coordinates = " ".join(f"{x_at(i):.1f},{base - value * scale:.1f}" for i, value in enumerate(points))
        body.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="1.6" '
            'stroke-linejoin="round"/>'
        )
        if count <= 62:  # a dot per day while the days are far enough apart to tell
            dots = "".join(
                f"M{x_at(i) - 1.8:.1f} {base - value * scale:.1f}a1.8 1.8 0 1 0 3.6 0a1.8 1.8 0 1 0 -3.6 0"
                for i, value in enumerate(points)
            )
            body.append(f'<path d="{dots}" fill="{colour}"/>')
    label = _("Grafik per hari: %(series)s") % {"series": ", ".join(title for title, _c, _v in panels)}
    return _svg(width, height, label, body)


def bar_chart(
    rows: Sequence[tuple[str, int | None]], *, title: str, colour: str, width: int = 325
) -> SafeString:
    """Horizontal bars, one per row, each labelled with its value."""
    label_width, right, bar, gap, top = 78, 46, 13, 6, 20
    height = top + len(rows) * (bar + gap) + 4
    values = [value or 0 for _label, value in rows]
    maximum = max(values, default=0) or 1
    plot_width = width - label_width - right
    body = [_text(0, 11, title, size=10, bold=True)]
    for index, ((name, value), drawn) in enumerate(zip(rows, values, strict=True)):
        y = top + index * (bar + gap)
        length = plot_width * drawn / maximum
        body.append(_text(label_width - 6, y + bar - 3, Truncator(name).chars(16), size=8.5, anchor="end"))
        body.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 0.8):.1f}" height="{bar}" fill="{colour}"/>'
        )
        body.append(_text(label_width + length + 4, y + bar - 3, number(value), size=8.5))
    return _svg(width, height, title, body)


def sparkline(values: Sequence[int | None], *, label: str, colour: str = POSTS_COLOUR) -> SafeString:
    """A small column per day, scaled to the busiest day (named on the right)."""
    width, height, right = 200, 44, 44
    points = [value or 0 for value in values]
    maximum = max(points, default=0)
    count = max(len(points), 1)
    slot = (width - right) / count
    body = [
        f'<line x1="0" y1="{height - 0.5}" x2="{width - right}" y2="{height - 0.5}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
    ]
    bar = max(slot * 0.7, 0.6)
    bars = "".join(
        f"M{index * slot + slot * 0.15:.2f} {height - 1:.2f}v{-(height - 4) * value / maximum:.2f}h{bar:.2f}"
        f"V{height - 1:.2f}Z"
        for index, value in enumerate(points)
        if value and maximum
    )
    if bars:  # one path for every bar: the renderer's cost is per element
        body.append(f'<path d="{bars}" fill="{colour}"/>')
    body.append(_text(width - right + 5, 11, _("maks. %(n)s") % {"n": number(maximum)}, size=9))
    return _svg(width, height, label, body)


# --- What a report shows ----------------------------------------------------------------------


def office_logo(office: Office) -> str | None:
    """The office's logo, else the nearest one above it (a regency's report carries the
    commission's logo until it uploads its own), as a PNG data URI; None when no usable one. A
    missing, unreadable or broken file is skipped with a warning, never a failed report."""
    chain = [office]
    if office.parent_id is not None:
        chain += list(Office.objects.filter(path__in=ancestor_paths(office.path)).order_by("-depth"))
    for candidate in chain:
        if not (candidate.logo and candidate.logo.name):
            continue
        try:
            with candidate.logo.open("rb") as fh:
                data = bytes(fh.read(LOGO_MAX_BYTES + 1))
            if len(data) > LOGO_MAX_BYTES:
                raise ValueError("logo too large")
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP", "GIF")) as image:
                if image.width * image.height > LOGO_MAX_PIXELS:
                    raise ValueError("logo has too many pixels")
                image.thumbnail((LOGO_BOX, LOGO_BOX))
                converted = image.convert("RGBA")
            buffer = io.BytesIO()
            converted.save(buffer, "PNG")
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError):
            logger.warning("logo of office %s unusable in its report; skipped", candidate.pk, exc_info=True)
            continue
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return None


def _headline(now: Figures, before: Figures) -> list[dict[str, str]]:
    current, previous = now.as_dict(), before.as_dict()
    return [
        {
            "label": measure_label(key),
            "value": number(current[key]),
            "previous": number(previous[key]),
            "change": change(current[key], previous[key]),
        }
        for key in HEADLINE
        if key in current
    ]


def _measures(now: Figures, before: Figures) -> list[dict[str, str]]:
    current, previous = now.as_dict(), before.as_dict()
    # The defined measures in their order (engagement beside its parts), then any other.
    order = {key: rank for rank, key in enumerate(MEASURES)}
    keys = sorted(current, key=lambda key: (order.get(key, len(order)), key))
    return [
        {
            "label": measure_label(key),
            "definition": measure_definition(key),
            "value": number(current[key]),
            "previous": number(previous[key]),
            "change": change(current[key], previous.get(key)),
        }
        for key in keys
    ]


def _daily(series: Series) -> dict[str, Any]:
    keys = _present(DAY_KEYS, series.total)
    days = [row.day for row in series.days]
    chart = daily_chart(
        days,
        [
            (measure_label("posts"), POSTS_COLOUR, [row.figures.posts for row in series.days]),
            (measure_label("engagement"), ENGAGEMENT_COLOUR, [row.figures.engagement for row in series.days]),
        ],
    )
    return {
        "chart": chart,
        "columns": [measure_label(key) for key in keys],
        "rows": [(day_text(row.day, "D, j M"), _cells(row.figures, keys)) for row in series.days],
        "total": _cells(series.total, keys),
    }


def _platforms(platforms: Sequence[PlatformFigures]) -> dict[str, Any] | None:
    if not platforms:
        return None
    keys = _present(PLATFORM_KEYS, platforms[0].figures)
    return {
        "posts_chart": bar_chart(
            [(item.label, item.figures.posts) for item in platforms],
            title=measure_label("posts"),
            colour=POSTS_COLOUR,
        ),
        "engagement_chart": bar_chart(
            [(item.label, item.figures.engagement) for item in platforms],
            title=measure_label("engagement"),
            colour=ENGAGEMENT_COLOUR,
        ),
        "columns": [measure_label(key) for key in keys],
        "rows": [(item.label, _cells(item.figures, keys)) for item in platforms],
    }


def _below(
    reader: User, office: Office, start: date, end: date, days: Sequence[OfficeDays]
) -> dict[str, Any] | None:
    if not days:
        return None
    table = offices_below_table(actor=reader, office=office, start=start, end=end)
    keys = _present(BELOW_KEYS, table.total)
    card_keys = _present(CARD_KEYS, table.total)
    cards = []
    for item in days:
        cards.append(
            {
                "name": item.office.name,
                "empty": item.total.is_empty,
                "cells": list(
                    zip([measure_label(key) for key in card_keys], _cells(item.total, card_keys), strict=True)
                ),
                "chart": sparkline(
                    [row.figures.posts for row in item.days],
                    label=_("Unggahan per hari, %(office)s") % {"office": item.office.name},
                ),
            }
        )
    return {
        "columns": [measure_label(key) for key in keys],
        "rows": [(row.office.name, _cells(row.figures, keys)) for row in table.rows],
        "own": _cells(table.own, keys),
        "total": _cells(table.total, keys),
        # Three cards a row; the last row filled up with blanks.
        "card_rows": [
            cards[index : index + CARDS_PER_ROW]
            + [None] * (CARDS_PER_ROW - len(cards[index : index + CARDS_PER_ROW]))
            for index in range(0, len(cards), CARDS_PER_ROW)
        ],
    }


def report_context(*, report: Report, reader: User, now: datetime) -> dict[str, Any]:
    """What the template shows, every number formatted in the active language. A bounded number
    of queries whatever the number of offices below."""
    office, start, end = report.office, report.period_start, report.period_end
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - timedelta(days=1)
    followers = followers_by_channel(office=office, start=start, end=end)
    series = office_series(actor=reader, office=office, start=start, end=end, followers=followers)
    local_now = timezone.localtime(now, office.zoneinfo)
    context: dict[str, Any] = {
        "report": report,
        "office": office,
        "title": _("Laporan bulanan analitik")
        if report.kind == Report.Kind.MONTHLY
        else _("Laporan analitik"),
        "period": period_text(start, end),
        "previous_period": period_text(previous_start, previous_end),
        "days": length,
        "generated": _("%(when)s %(zone)s")
        % {"when": formats.date_format(local_now, "j F Y, H:i"), "zone": office.tz_abbreviation},
        "logo": office_logo(office),
        "empty": series.is_empty,
        "empty_text": empty_text(),
    }
    if series.is_empty:
        return context
    before = office_series(actor=reader, office=office, start=previous_start, end=previous_end)
    platforms = channel_totals(actor=reader, office=office, start=start, end=end, followers=followers)
    below_days = offices_below_days(actor=reader, office=office, start=start, end=end)
    listed, more = clarifications(actor=reader, office=office, start=start, end=end)
    context.update(
        {
            "headline": _headline(series.total, before.total),
            "measures": _measures(series.total, before.total),
            "daily": _daily(series),
            "platforms": _platforms(platforms),
            "top_posts": top_posts(actor=reader, office=office, start=start, end=end),
            "top_articles": top_articles(actor=reader, office=office, start=start, end=end),
            "clarifications": listed,
            "clarifications_more": more,
            "below": _below(reader, office, start, end, below_days),
            "work": office_work(actor=reader, office=office, start=start, end=end),
        }
    )
    return context


# --- Rendering --------------------------------------------------------------------------------


class FontsMissing(RuntimeError):
    """The report fonts are not installed (the font-source-sans-pro package)."""


def _css_string(text: str) -> str:
    """``text`` as a CSS string: everything but letters, digits and spaces escaped."""
    return (
        '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):x} " for c in text) + '"'
    )


def _font_urls() -> dict[str, str]:
    directory = font_dir()
    found = {}
    for weight, _number, _style in FONT_FACES:
        name = FONT_FILES[weight]  # type: ignore[index]
        if directory is None or not (directory / name).is_file():
            raise FontsMissing(
                f"report font {name} not found in {directory}: install font-source-sans-pro "
                "(requirements.lock) or set HUMAS_CARD_FONT_DIR"
            )
        found[weight] = (directory / name).resolve().as_uri()
    return found


def _stylesheets(office: Office) -> list[str]:
    """The fonts, the report's CSS and the page footer (the office's name, "Halaman n dari m")."""
    urls = _font_urls()
    fonts = "".join(
        f"@font-face {{ font-family: {_css_string(FONT_FAMILY)}; src: url({_css_string(urls[weight])}); "
        f"font-weight: {weight_number}; font-style: {style}; }}\n"
        for weight, weight_number, style in FONT_FACES
    )
    # "Halaman 2 dari 5" as the language words it, the numbers being the page counters.
    words = _("Halaman %(page)s dari %(pages)s") % {"page": "\x00page\x00", "pages": "\x00pages\x00"}
    counters = " ".join(
        f"counter({part})" if index % 2 else _css_string(part)
        for index, part in enumerate(words.split("\x00"))
        if part or index % 2
    )
    page = (
        f"@page {{ @bottom-left {{ content: {_css_string(office.name)}; }} "
        f"@bottom-right {{ content: {counters}; }} }}\n"
        f"html {{ font-family: {_css_string(FONT_FAMILY)}; }}\n"
    )
    return [fonts, CSS_FILE.read_text(encoding="utf-8"), page]


def _fetcher(allowed: Iterable[str]) -> Any:
    """A URL fetcher that gives WeasyPrint the font files and data: URIs, and nothing else."""
    from weasyprint.urls import URLFetcher

    permitted = frozenset(allowed)

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            if not (url.startswith("data:") or url in permitted):
                raise ValueError(f"the report may not fetch {url[:80]!r}")
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols=("file", "data"))


def report_html(*, report: Report, reader: User, now: datetime) -> str:
    """The report's HTML in the active language."""
    return render_to_string(
        "analytics/report_pdf.html", report_context(report=report, reader=reader, now=now)
    )


def report_pdf(*, report: Report, reader: User, now: datetime | None = None) -> RenderedPdf:
    """Render ``report`` as PDF in its language, reading as ``reader`` (who must have
    ``report.view`` at the office). Raises on a failure; the caller records it."""
    from weasyprint import CSS, HTML  # a large import, needed only when rendering
    from weasyprint.text.fonts import FontConfiguration

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES; the image pipeline
    # must keep refusing truncated uploads in this worker, and the report embeds no such image.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    now = now or timezone.now()
    with translation.override(report.language):
        html = report_html(report=report, reader=reader, now=now)
        sheets = _stylesheets(report.office)
    fetcher = _fetcher(_font_urls().values())
    fonts = FontConfiguration()
    document = HTML(string=html, url_fetcher=fetcher, base_url=CSS_FILE.parent.as_uri() + "/").render(
        stylesheets=[CSS(string=sheet, font_config=fonts, url_fetcher=fetcher) for sheet in sheets],
        font_config=fonts,
    )
    content = document.write_pdf()
    return RenderedPdf(content=bytes(content or b""), pages=len(document.pages))
