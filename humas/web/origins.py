"""The configured origins (scheme and host) of absolute URLs, never taken from the request.

A request's Host header is chosen by whoever sends it: pages stored in the page cache, feeds,
sitemaps, robots.txt, e-mails and OAuth callbacks built from it would carry an attacker's host or
port to every later reader. They take their origin from the settings instead:
``HUMAS_PUBLIC_BASE_URL`` for the portal (an office served on its own host name, from
``HUMAS_SITE_HOSTS``, on ``https://<host>``) and ``HUMAS_BACKOFFICE_URL`` for the back office.
"""

from __future__ import annotations

from django.conf import settings


def public_origin(host_slug: str | None = None) -> str:
    """Origin of the public portal, or of the host name serving the office ``host_slug``."""
    if host_slug:
        for host, slug in settings.HUMAS_SITE_HOSTS.items():
            if slug == host_slug:
                return f"https://{host}"
    return str(settings.HUMAS_PUBLIC_BASE_URL).rstrip("/")


def backoffice_origin() -> str:
    """Origin of the back office: links in e-mails and the OAuth redirect base."""
    return str(settings.HUMAS_BACKOFFICE_URL).rstrip("/")


def public_url(path: str, host_slug: str | None = None) -> str:
    """``path`` (absolute path, or already an absolute URL) on the public portal's origin."""
    if path.startswith(("https://", "http://")):
        return path
    return public_origin(host_slug) + path


def backoffice_url(path: str) -> str:
    """``path`` on the back office's origin."""
    if path.startswith(("https://", "http://")):
        return path
    return backoffice_origin() + path
