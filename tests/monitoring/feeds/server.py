"""A small HTTP server on 127.0.0.1 that serves the feed fixtures of this folder (``{base}`` in a
file becomes the server's own address), answers ETag / Last-Modified validators with 304, and
can be told to answer a path with a status, a body, a redirect or a stall."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    location: str = ""
    stall: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def fixture(self, name: str) -> bytes:
        return (HERE / name).read_text(encoding="utf-8").replace("{base}", self.base).encode("utf-8")

    def serve(self, path: str, name_or_body: str | bytes, **route: object) -> Route:
        """Serve the fixture file ``name_or_body`` (a str ending in .xml/.html), or the bytes."""
        if isinstance(name_or_body, str):
            body = self.fixture(name_or_body)
            if name_or_body.endswith(".html") and "content_type" not in route:
                route["content_type"] = "text/html; charset=utf-8"
        else:
            body = name_or_body
        self.routes[path] = Route(body=body, **route)  # type: ignore[arg-type]
        return self.routes[path]

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


def start() -> tuple[FeedServer, ThreadingHTTPServer]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            route = state.routes.get(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if route is None:
                status, body, extra, content_type = 404, b"not found", {}, "text/plain"
            elif route.stall:
                time.sleep(route.stall)
                status, body, extra, content_type = route.status, route.body, {}, route.content_type
            else:
                status, body, content_type = route.status, route.body, route.content_type
                extra = {}
                if route.etag:
                    extra["ETag"] = route.etag
                if route.last_modified:
                    extra["Last-Modified"] = route.last_modified
                if route.location:
                    extra["Location"] = route.location
                if (route.etag and headers.get("if-none-match") == route.etag) or (
                    route.last_modified and headers.get("if-modified-since") == route.last_modified
                ):
                    status, body = 304, b""
            state.requests.append(Seen(path=self.path, headers=headers, status=status))
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state, server
