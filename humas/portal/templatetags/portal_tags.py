from __future__ import annotations

from collections.abc import Callable

from django import template
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from humas.offices.models import Office, office_prefix
from humas.portal.extensions import HomeBlock, NavLink, home_blocks, nav_links
from humas.portal.models import ArticleImage, ArticleType

register = template.Library()


@register.simple_tag
def office_home_url(office: Office) -> str:
    return office_prefix(office.slug)


@register.simple_tag
def office_list_url(office: Office, type: str) -> str:
    return f"{office_prefix(office.slug)}{type}/"


@register.simple_tag
def portal_nav_links() -> list[NavLink]:
    """Links other apps put in every portal's menu (humas/portal/extensions.py)."""
    return nav_links()


@register.simple_tag
def portal_home_blocks() -> list[HomeBlock]:
    """Blocks other apps put on every portal's home page."""
    return home_blocks()


@register.simple_tag
def article_types() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ArticleType.choices]


def _srcset(renditions: dict[str, str], url: Callable[[str], str]) -> str:
    return ", ".join(
        f"{url(name)} {width}w" for width, name in sorted(renditions.items(), key=lambda kv: int(kv[0]))
    )


def _image_url(context: template.Context, image: ArticleImage) -> Callable[[str], str]:
    """Public pages use the public files (present while an article using the image is published);
    back-office pages (previews, the image state) go through the view that checks who asks."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "portal_admin":
        return default_storage.url
    office = context.get("office")
    slug = office.slug if isinstance(office, Office) else image.office.slug
    return lambda name: reverse(
        "portal_admin:image_file",
        kwargs={"office_slug": slug, "image_id": image.pk, "name": name.rsplit("/", 1)[-1]},
    )


@register.simple_tag(takes_context=True)
def rendition_img(context: template.Context, image: ArticleImage, width: int, css_class: str = "") -> str:
    """A <picture> with WebP and JPEG renditions; the browser picks the width it needs."""
    url = _image_url(context, image)
    jpeg: dict[str, str] = image.renditions.get("jpeg", {})
    webp: dict[str, str] = image.renditions.get("webp", {})
    if not jpeg:
        return ""
    fallback_width = min((int(w) for w in jpeg), key=lambda w: abs(w - width))
    sizes = f"(max-width: {width}px) 100vw, {width}px"
    sources = (
        format_html_join(
            "", '<source type="image/webp" srcset="{}" sizes="{}">', [(_srcset(webp, url), sizes)]
        )
        if webp
        else ""
    )
    height = round(fallback_width * image.height / image.width) if image.width else ""
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" loading="lazy" decoding="async"{}></picture>',
        sources,
        url(jpeg[str(fallback_width)]),
        _srcset(jpeg, url),
        sizes,
        image.alt_text,
        fallback_width,
        height,
        format_html(' class="{}"', css_class) if css_class else "",
    )
