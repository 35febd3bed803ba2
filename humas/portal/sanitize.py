"""The one HTML allowlist for content written in the editor. Applied by the services on save."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3

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


def sanitize_html(html: str) -> str:
    """Keep only the allowlisted tags and attributes: no scripts, no event handlers, no styles,
    no iframes except https embeds from the allowed video hosts."""
    cleaned = _cleaner.clean(html or "")
    cleaned = _EMPTY_IFRAME.sub("", cleaned)
    return "" if re.fullmatch(r"\s*(<p>\s*(<br>)?\s*</p>)?\s*", cleaned) else cleaned.strip()


def html_to_text(html: str) -> str:
    """Plain text of sanitized HTML, for search and summaries."""
    text = nh3.clean(re.sub(r"<(br|/p|/h\d|/li|/blockquote|/figcaption|/tr)\b[^>]*>", "\n", html), tags=set())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    text = text.replace("&#39;", "'").replace("&nbsp;", " ")
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()
