"""The one HTML allowlist for content written in the editor. Applied by the services on save."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from django.utils.translation import gettext as _

# Video hosts whose embeds may appear in articles (privacy-friendly YouTube first).
ALLOWED_IFRAME_HOSTS = frozenset(
    {"www.youtube-nocookie.com", "www.youtube.com", "youtube.com", "player.vimeo.com"}
)

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "code",
    "pre",
    "iframe",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "iframe": {"src", "title", "width", "height", "allowfullscreen"},
}
# The HTML parser's work grows much faster than the input with nesting (a few hundred nested
# blockquotes took seconds): elements deeper than this are flattened (their text is kept) before
# sanitizing, and bodies longer than this are refused, so that one save stays cheap.
MAX_DEPTH = 20
BODY_MAX_CHARS = 500_000
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "iframe" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme != "https" or parts.hostname not in ALLOWED_IFRAME_HOSTS:
            return None
    if element == "img" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http", "") or value.startswith("//"):
            return None
    return value


_cleaner = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer",
    attribute_filter=_filter_attribute,
    strip_comments=True,
)


def body_problem(html: str) -> str | None:
    """Why a body cannot be saved (too long to sanitize in one request), or None."""
    if len(html or "") > BODY_MAX_CHARS:
        return _("Isi terlalu panjang: paling banyak %(max)s karakter.") % {
            "max": f"{BODY_MAX_CHARS:,}".replace(",", ".")
        }
    return None


def flatten_deep(html: str, *, max_depth: int = MAX_DEPTH) -> str:
    """``html`` with the tags of elements nested deeper than ``max_depth`` removed (text kept).

    One linear pass over the tags; a closing tag that matches an open element closes it (and
    every element opened after it, as a parser would), a closing tag of a removed element goes
    with it, and any other stray closing tag is left to the sanitizer.
    """
    stack: list[str] = []
    dropped: dict[str, int] = {}
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1) == "/", match.group(2).lower()
        keep = True
        if name in VOID_TAGS:
            keep = closing is False
        elif not closing:
            if len(stack) >= max_depth:
                dropped[name] = dropped.get(name, 0) + 1
                keep = False
            else:
                stack.append(name)
        elif dropped.get(name):
            dropped[name] -= 1
            keep = False
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name) :]
        out.append(html[position : match.start()])
        if keep:
            out.append(match.group(0))
        position = match.end()
    out.append(html[position:])
    return "".join(out)


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags and attributes: no scripts, no event handlers, no styles,
    no iframes except https embeds from the allowed video hosts; nesting deeper than MAX_DEPTH is
    flattened first (callers refuse bodies over BODY_MAX_CHARS with ``body_problem``)."""
    cleaned = _cleaner.clean(flatten_deep(html or ""))
    cleaned = _EMPTY_IFRAME.sub("", cleaned)
    return "" if re.fullmatch(r"\s*(<p>\s*(<br>)?\s*</p>)?\s*", cleaned) else cleaned.strip()


def html_to_text(html: str) -> str:
    """Plain text of sanitized HTML, for search and summaries."""
    text = nh3.clean(re.sub(r"<(br|/p|/h\d|/li|/blockquote|/figcaption|/tr)\b[^>]*>", "\n", html), tags=set())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    text = text.replace("&#39;", "'").replace("&nbsp;", " ")
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()
