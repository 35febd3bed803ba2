"""A WSGI layer in front of Django that answers anonymous requests for stored pages itself.

Without nginx (the embedded shape) this is the hot path of election-day traffic: a stored page
is read from disk and sent without building a Django request, running middleware or resolving
URLs. The rules are those of :func:`pagecache.request_is_cacheable`; anything else goes to Django.

Other hot paths can be answered here too (``fast_paths``: a path prefix and a WSGI callable that
returns None to let Django answer): the portal's view-counter beacon is one (wired in
humas/config/wsgi.py, as this layer knows no app above it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie

from . import pagecache

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
# Answers the request, or returns None (having called nothing) to let the next layer answer.
FastPath = Callable[[dict[str, Any], StartResponse], Iterable[bytes] | None]


class PageCacheApp:
    def __init__(self, app: WSGIApp, *, fast_paths: Mapping[str, FastPath] | None = None) -> None:
        self.app = app
        self.fast_paths = tuple((fast_paths or {}).items())
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.language_cookie = settings.LANGUAGE_COOKIE_NAME
        self.default_language = settings.LANGUAGE_CODE
        self.permissions_policy = settings.HUMAS_PERMISSIONS_POLICY
        self.cache_control = (
            f"public, max-age={settings.HUMAS_PAGE_MAX_AGE}, s-maxage={settings.HUMAS_PAGE_S_MAXAGE}, "
            f"stale-while-revalidate={settings.HUMAS_PAGE_STALE_SECONDS}"
        )

    def _cacheable(self, environ: dict[str, Any]) -> bool:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return False
        if not pagecache.query_is_ignorable(environ.get("QUERY_STRING", "")):
            return False
        raw = environ.get("HTTP_COOKIE", "")
        if raw:
            cookies = parse_cookie(raw)
            if self.session_cookie in cookies:
                return False
            language = cookies.get(self.language_cookie)
            if language and language != self.default_language:
                return False
        return True

    def _security_headers(self) -> list[tuple[str, str]]:
        # What the middleware adds to Django's responses, for answers given without Django.
        return [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", self.permissions_policy),
        ]

    def _fast_path(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes] | None:
        path = environ.get("PATH_INFO", "")
        handler = next((h for prefix, h in self.fast_paths if path.startswith(prefix)), None)
        if handler is None:
            return None
        extra = self._security_headers()

        def respond(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [*headers, *extra], *args)

        return handler(environ, respond)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.fast_paths:
            answered = self._fast_path(environ, start_response)
            if answered is not None:
                return answered
        if settings.HUMAS_PAGECACHE_ENABLED and self._cacheable(environ):
            host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")).split(":")[0].lower()
            path = environ.get("PATH_INFO", "")
            target = pagecache.file_for(host, path) if host and "/" not in host and ".." not in host else None
            if target is not None:
                gzip_ok = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
                chosen, encoded = (pagecache.gz_for(target), True) if gzip_ok else (target, False)
                try:
                    with open(chosen, "rb") as handle:
                        body = handle.read()
                except OSError:
                    body = None
                if body is not None and (not encoded or target.is_file()):
                    headers = [
                        (
                            "Content-Type",
                            pagecache.CONTENT_TYPES.get(target.suffix, pagecache.CONTENT_TYPES[".html"]),
                        ),
                        ("Content-Length", str(len(body))),
                        ("Cache-Control", self.cache_control),
                        ("Vary", "Cookie, Accept-Encoding"),
                        ("Content-Language", self.default_language),
                        *self._security_headers(),
                        ("X-Humas-Cache", "hit"),
                    ]
                    if encoded:
                        headers.append(("Content-Encoding", "gzip"))
                    start_response("200 OK", headers)
                    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.app(environ, start_response)
