"""The CSP nonce for the few back-office pages whose form media need an inline script.

The rich-text editor (django-prose-editor) loads its modules through an inline
``<script type="importmap">``, which ``script-src 'self'`` refuses without a nonce. Public pages are
stored as files (humas/web/pagecache.py) and must never carry one: use this only in back-office
templates.
"""

from __future__ import annotations

from django import forms, template
from django.http import HttpRequest

register = template.Library()


@register.filter
def with_csp_nonce(media: forms.Media, request: HttpRequest) -> forms.Media:
    """``{{ form.media|with_csp_nonce:request }}``: the media with this response's nonce on its
    script tags (django-js-asset media); plain Django media have no inline script and stay as
    they are."""
    nonce = getattr(request, "csp_nonce", None)
    with_nonce = getattr(media, "with_nonce", None)
    if nonce is None or with_nonce is None:
        return media
    return with_nonce(str(nonce))
