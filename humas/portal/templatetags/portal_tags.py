from __future__ import annotations

from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join

from humas.offices.models import Office, office_prefix
from humas.portal.models import ArticleImage, ArticleType

register = template.Library()


@register.simple_tag
def office_home_url(office: Office) -> str:
    return office_prefix(office.slug)


@register.simple_tag
def office_list_url(office: Office, type: str) -> str:
    return f"{office_prefix(office.slug)}{type}/"


@register.simple_tag
def article_types() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ArticleType.choices]


def _srcset(renditions: dict[str, str]) -> str:
    return ", ".join(
        f"{default_storage.url(name)} {width}w"
        for width, name in sorted(renditions.items(), key=lambda kv: int(kv[0]))
    )


@register.simple_tag
def rendition_img(image: ArticleImage, width: int, css_class: str = "") -> str:
    """A <picture> with WebP and JPEG renditions; the browser picks the width it needs."""
    jpeg: dict[str, str] = image.renditions.get("jpeg", {})
    webp: dict[str, str] = image.renditions.get("webp", {})
    if not jpeg:
        return ""
    fallback_width = min((int(w) for w in jpeg), key=lambda w: abs(w - width))
    sizes = f"(max-width: {width}px) 100vw, {width}px"
    sources = (
        format_html_join("", '<source type="image/webp" srcset="{}" sizes="{}">', [(_srcset(webp), sizes)])
        if webp
        else ""
    )
    height = round(fallback_width * image.height / image.width) if image.width else ""
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" loading="lazy" decoding="async"{}></picture>',
        sources,
        default_storage.url(jpeg[str(fallback_width)]),
        _srcset(jpeg),
        sizes,
        image.alt_text,
        fallback_width,
        height,
        format_html(' class="{}"', css_class) if css_class else "",
    )
