"""Whole-page cache of anonymous public pages, kept as files that nginx can serve directly.

A cacheable response (anonymous GET, default language, status 200, no query parameter that the
page reads: see :data:`PAGE_PARAMETERS`) is written
to ``<HUMAS_PAGECACHE_DIR>/<host>/<path>/index.html`` (or the file name itself for ``.xml`` and
``.txt`` URLs). nginx's ``try_files`` serves those without touching Python (see
``deploy/nginx/humas.conf``); without nginx, :class:`PageCacheMiddleware` serves them. Publishing,
editing or withdrawing an article deletes exactly the files that show it: the article, its
office's home, lists and feeds, the sitemaps, and the homes of the offices above (the portal
says which paths those are; this module only stores, serves and deletes files).
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control

CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


def root() -> Path:
    return Path(settings.HUMAS_PAGECACHE_DIR)


def _safe_host(request: HttpRequest) -> str | None:
    host = request.get_host().split(":")[0].lower()
    if not host or host.startswith(".") or "/" in host or ".." in host:
        return None
    return host


# File systems refuse names over 255 bytes; ".gz" and ".tmp-…" siblings need a few more.
MAX_NAME_BYTES = 240
MAX_PATH_BYTES = 2048


def _too_long(host: str, relative: str) -> bool:
    names = [host, *relative.split("/")]
    if any(len(n.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for n in names):
        return True
    return len(relative.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES


def file_for(host: str, path: str) -> Path | None:
    """The cache file of ``path``; None for paths that can never be cached (also those the file
    system could not name: a path segment over 255 bytes is simply not cached)."""
    if not path.startswith("/") or ".." in path or "\x00" in path or "//" in path:
        return None
    relative = path.lstrip("/")
    if _too_long(host, relative):
        return None
    if relative.endswith((".xml", ".txt")):
        return root() / host / relative
    if relative and not relative.endswith("/"):
        return None
    return root() / host / relative / "index.html"


# The query parameters public pages read (request.GET in humas/portal: list pages, the list of
# official accounts, search and its form, sitemap pages). Any other parameter (utm_source,
# fbclid, a cache-busting ?x=<random>) changes nothing on the page, so such a request gets the
# stored page and its response is stored under the path: a flood of made-up parameters cannot
# reach the database. deploy/nginx/humas/http.conf ($humas_query_uncacheable) lists the same names.
PAGE_PARAMETERS = frozenset({"page", "q", "p", "platform", "jenis", "kantor", "dari", "sampai"})


def query_is_ignorable(query_string: str) -> bool:
    """Whether a query string holds no parameter a page reads (an empty one holds none)."""
    if not query_string:
        return True
    # Names are compared as Django decodes them ("%70age" is "page"), blank values included.
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=100)
    except ValueError:  # more fields than any page has: not worth a stored page
        return False
    return not any(name in PAGE_PARAMETERS for name, _value in pairs)


def request_is_cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or not query_is_ignorable(request.META.get("QUERY_STRING", "")):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return not (language and language != settings.LANGUAGE_CODE)


def cache_headers(response: HttpResponseBase, *, shared: bool) -> None:
    if shared:
        patch_cache_control(
            response,
            public=True,
            max_age=settings.HUMAS_PAGE_MAX_AGE,
            s_maxage=settings.HUMAS_PAGE_S_MAXAGE,
            stale_while_revalidate=settings.HUMAS_PAGE_STALE_SECONDS,
        )
    else:
        patch_cache_control(response, private=True, no_cache=True)


def _write_atomically(target: Path, data: bytes) -> None:
    # Write then rename: a reader (nginx or a Python worker) never sees half a page.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def gz_for(target: Path) -> Path:
    return target.with_name(target.name + ".gz")


def store(request: HttpRequest, response: HttpResponse) -> bool:
    """Store the page and a gzip copy beside it (nginx's gzip_static and the WSGI fast path send
    it as is: compressing a 40 KB page on every request would cost more than serving it).
    False when the path has no cache file (it is then sent, not stored)."""
    host = _safe_host(request)
    target = file_for(host, request.path) if host else None
    if target is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    body = response.content
    # The compressed copy first: a page never exists without its current .gz beside it.
    _write_atomically(gz_for(target), gzip.compress(body, compresslevel=6, mtime=0))
    _write_atomically(target, body)
    return True


class PageCacheMiddleware:
    """Serve stored pages to anonymous visitors; store responses of views marked cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cacheable_request = request_is_cacheable(request)
        if cacheable_request:
            host = _safe_host(request)
            target = file_for(host, request.path) if host else None
            if target is not None and target.is_file():
                hit = FileResponse(
                    target.open("rb"), content_type=CONTENT_TYPES.get(target.suffix, CONTENT_TYPES[".html"])
                )
                hit["X-Humas-Cache"] = "hit"
                hit["Vary"] = "Cookie"
                cache_headers(hit, shared=True)
                return hit
        return self.get_response(request)


def finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Called by public views: set cache headers and store the page when it may be shared."""
    user = getattr(request, "user", None)
    shared = (
        request_is_cacheable(request)
        and response.status_code == 200
        and not (user is not None and user.is_authenticated)
    )
    cache_headers(response, shared=shared)
    if shared and settings.HUMAS_PAGECACHE_ENABLED and store(request, response):
        response["X-Humas-Cache"] = "miss"
    return response


def _hosts() -> list[Path]:
    base = root()
    return [p for p in base.iterdir() if p.is_dir()] if base.is_dir() else []


def _host_paths(host: str, paths: list[str]) -> list[str]:
    """On a host that serves one office's site (HUMAS_SITE_HOSTS) that office's pages also live
    without their prefix ("/berita/x/" as well as "/kab-jepara/berita/x/")."""
    slug = settings.HUMAS_SITE_HOSTS.get(host)
    if not slug:
        return paths
    prefix = f"/{slug}/"
    return paths + ["/" + p[len(prefix) :] for p in paths if p.startswith(prefix)]


def invalidate_paths(paths: Iterable[str]) -> int:
    """Delete the cached files of these URL paths on every host. Returns how many were removed."""
    removed = 0
    wanted = list(paths)
    for host_dir in _hosts():
        for path in _host_paths(host_dir.name, wanted):
            target = file_for(host_dir.name, path)
            if target is not None and target.is_file():
                # The page first: without it nobody serves the .gz either.
                target.unlink(missing_ok=True)
                gz_for(target).unlink(missing_ok=True)
                removed += 1
    return removed


def clear() -> None:
    if root().is_dir():
        shutil.rmtree(root())
