"""The shipped nginx configuration (deploy/nginx) in front of the app server running Humas as `humas serve` starts it.

Renders deploy/nginx/humas.conf with temporary ports, directories and a self-signed
certificate, then checks over HTTPS that anonymous pages come from the page-cache files without
Python, that signed-in visitors never get those files, that static files and uploads come from
disk, and that an edit removes the stale page. The app runs on SQLite in a temporary data dir.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from humas.cli import server_argv
from tests.conftest import require_service

pytestmark = [pytest.mark.nginx, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "nginx"
PAGE_CACHE_CONTROL = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
OPENSSL = shutil.which("openssl")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], what: str, log: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"{what} did not listen on {port}:\n{log.read_text()[-3000:]}")


def render_humas_conf(
    *, app_port: int, http_port: int, https_port: int, data: Path, cert: Path, logs: Path
) -> str:
    """deploy/nginx/humas.conf with the lines marked EDIT replaced; each must be found exactly."""
    text = (DEPLOY / "humas.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "server_name humas.example.org;": "server_name localhost;",
        "/etc/letsencrypt/live/humas.example.org/": f"{cert}/",
        "/srv/humas/var/": f"{data}/",
        "/var/log/nginx/": f"{logs}/",
    }
    for old, new in replacements.items():
        assert old in text, (
            f"deploy/nginx/humas.conf no longer contains {old!r}; update this test and the README"
        )
        text = text.replace(old, new)
    return text


@dataclass
class Site:
    base: str  # https://localhost:port
    http_base: str
    data: Path
    article_url: str
    article_id: int
    email: str
    password: str
    env: dict[str, str]

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base, verify=False, timeout=10, **kwargs)  # noqa: S501 - self-signed

    def run_setup(self, *args: str) -> dict[str, object]:
        out = subprocess.run(  # noqa: S603 - our interpreter and module
            [sys.executable, "-m", "tests.deploy.site_setup", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def cache_file(self, url: str) -> Path:
        return self.data / "pagecache" / "localhost" / url.strip("/") / "index.html"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_service(NGINX is not None, "nginx is not installed (apt-get install -y nginx)")
    require_service(OPENSSL is not None, "openssl is not installed (needed for a self-signed certificate)")
    assert NGINX is not None and OPENSSL is not None
    tmp = tmp_path_factory.mktemp("nginx")
    data, conf, logs, cert = tmp / "data", tmp / "conf", tmp / "logs", tmp / "cert"
    for d in (data, conf, logs, cert):
        d.mkdir()
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HUMAS_REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="humas.config.settings.local",
        HUMAS_DATA_DIR=str(data),
        DEBUG="false",
        SECRET_KEY="nginx-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="localhost,127.0.0.1",
        HUMAS_TRUSTED_PROXY_COUNT="1",
        PYTHONPATH=str(REPO),
    )
    published = Site(
        base="", http_base="", data=data, article_url="", article_id=0, email="", password="", env=env
    ).run_setup("publish")

    subprocess.run(  # noqa: S603
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(cert / "privkey.pem"), "-out", str(cert / "fullchain.pem")],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip

    app_log = logs / "app.log"
    # The app server exactly as `humas serve` starts it.
    app = subprocess.Popen(  # noqa: S603
        server_argv("127.0.0.1", app_port, workers=1, threads=4),
        cwd=REPO, env=env, stdout=app_log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    nginx_log = logs / "error.log"
    nginx_log.touch()
    proc: subprocess.Popen[bytes] | None = None
    try:
        _wait_for(app_port, app, "app server", app_log)
        (conf / "humas").symlink_to(DEPLOY / "humas")
        shutil.copy("/etc/nginx/mime.types", conf / "mime.types")
        (conf / "humas.conf").write_text(
            render_humas_conf(
                app_port=app_port, http_port=http_port, https_port=https_port, data=data, cert=cert, logs=logs
            )
        )
        temp = "\n".join(
            f"    {kind}_temp_path {tmp / (kind + '_temp')};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (conf / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\ndaemon off;\npid {tmp / 'nginx.pid'};\nerror_log {nginx_log} warn;\n"
            + "events { worker_connections 256; }\n"
            + f"http {{\n    include mime.types;\n    default_type application/octet-stream;\n{temp}\n"
            + "    sendfile on;\n    include humas.conf;\n}\n"
        )
        proc = subprocess.Popen(  # noqa: S603
            [NGINX, "-c", str(conf / "nginx.conf"), "-p", str(tmp)],
            stdout=(logs / "nginx.out").open("wb"),
            stderr=subprocess.STDOUT,
        )
        _wait_for(https_port, proc, "nginx", logs / "nginx.out")
        yield Site(
            base=f"https://localhost:{https_port}",
            http_base=f"http://localhost:{http_port}",
            data=data,
            article_url=str(published["url"]),
            article_id=int(published["id"]),  # type: ignore[call-overload]
            email=str(published["email"]),
            password=str(published["password"]),
            env=env,
        )
    finally:
        if proc is not None:
            _stop(proc)
        _stop(app)


def test_plain_http_redirects_to_https(site: Site) -> None:
    response = httpx.get(f"{site.http_base}/kab-jepara/", timeout=10)
    assert response.status_code == 301
    assert response.headers["location"] == "https://localhost/kab-jepara/"


def test_anonymous_page_is_stored_by_the_app_then_served_by_nginx(site: Site) -> None:
    url = "/kab-jepara/"
    site.cache_file(url).unlink(missing_ok=True)
    with site.client() as client:
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["x-humas-cache"] == "miss"
        assert site.cache_file(url).is_file()

        second = client.get(url)
        assert second.status_code == 200
        assert second.headers["x-humas-cache"] == "nginx"
        assert second.text == first.text
        assert second.headers["content-type"] == "text/html; charset=utf-8"
        assert second.headers["cache-control"] == PAGE_CACHE_CONTROL
        assert first.headers["cache-control"] == PAGE_CACHE_CONTROL
        for header in (
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
            "cross-origin-opener-policy",
            "permissions-policy",
            "content-security-policy",
        ):
            assert second.headers[header] == first.headers[header], header
        assert second.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        assert client.head(url).headers["x-humas-cache"] == "nginx"


def test_article_page_from_the_file_and_fresh_after_an_edit(site: Site) -> None:
    url = site.article_url
    with site.client() as client:
        client.get(url)
        cached = client.get(url)
        assert cached.headers["x-humas-cache"] == "nginx"
        assert "Rapat pleno rekapitulasi" in cached.text

        site.run_setup("edit", str(site.article_id), "Rapat pleno rekapitulasi tingkat kabupaten")
        assert not site.cache_file(url).exists()

        fresh = client.get(url)
        assert fresh.headers["x-humas-cache"] == "miss"
        assert "Rapat pleno rekapitulasi tingkat kabupaten" in fresh.text
        again = client.get(url)
        assert again.headers["x-humas-cache"] == "nginx"
        assert "Rapat pleno rekapitulasi tingkat kabupaten" in again.text


def test_pages_are_gzipped_for_clients_that_accept_it(site: Site) -> None:
    with site.client() as client:
        client.get(site.article_url)
        response = client.get(site.article_url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["x-humas-cache"] == "nginx"
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]


@pytest.mark.parametrize(
    ("cookies", "query"),
    [
        ({"sessionid": "not-a-real-session"}, ""),
        ({"humas_language": "en"}, ""),
        ({}, "?page=2"),
        ({}, "?q=pemilu"),
    ],
    ids=["session-cookie", "english", "page-parameter", "search-parameter"],
)
def test_requests_that_may_differ_never_get_the_file(site: Site, cookies: dict[str, str], query: str) -> None:
    with site.client() as client:
        client.get(site.article_url)
        assert client.get(site.article_url).headers["x-humas-cache"] == "nginx"
        client.cookies.update(cookies)
        response = client.get(site.article_url + query)
    assert response.status_code == 200
    assert response.headers.get("x-humas-cache") != "nginx"


@pytest.mark.parametrize("query", ["?utm_source=wa", "?x=3f9c2a71d", "?fbclid=IwAR0&utm_medium=social"])
def test_parameters_no_page_reads_get_the_file(site: Site, query: str) -> None:
    """A flood of ?x=<random> took the feeds to 12 requests/s: each one reached the app."""
    with site.client() as client:
        client.get(site.article_url)
        client.get("/kab-jepara/feed/rss.xml")
        page = client.get(site.article_url + query)
        feed = client.get("/kab-jepara/feed/rss.xml" + query)
    assert (page.status_code, page.headers["x-humas-cache"]) == (200, "nginx")
    assert (feed.status_code, feed.headers["x-humas-cache"]) == (200, "nginx")


def test_parameters_pages_read_still_reach_the_app(site: Site) -> None:
    with site.client() as client:
        client.get("/kab-jepara/berita/")
        assert client.get("/kab-jepara/berita/").headers["x-humas-cache"] == "nginx"
        for query in ("?page=2", "?q=pemilu", "?utm_source=wa&page=2", "?%70age=2"):
            response = client.get("/kab-jepara/berita/" + query)
            assert response.headers.get("x-humas-cache") != "nginx", query


def test_default_language_cookie_still_gets_the_file(site: Site) -> None:
    with site.client(cookies={"humas_language": "id"}) as client:
        client.get(site.article_url)
        assert client.get(site.article_url).headers["x-humas-cache"] == "nginx"


def test_signed_in_editor_never_gets_the_file_nor_stores_one(site: Site) -> None:
    with site.client() as client:
        client.get(site.article_url)
        assert client.get(site.article_url).headers["x-humas-cache"] == "nginx"
        stored = site.cache_file(site.article_url).read_bytes()

        login_page = client.get("/accounts/login/")
        token = client.cookies["csrftoken"]
        assert 'name="csrfmiddlewaretoken"' in login_page.text
        signed_in = client.post(
            "/accounts/login/",
            data={"email": site.email, "password": site.password, "csrfmiddlewaretoken": token},
            # A client-supplied hop must not be believed: nginx appends the real address.
            headers={"Referer": f"{site.base}/accounts/login/", "X-Forwarded-For": "203.0.113.9"},
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert client.cookies.get("sessionid")

        page = client.get(site.article_url)
        assert page.status_code == 200
        assert "x-humas-cache" not in page.headers
        assert page.headers["cache-control"] == "private, no-cache"
        assert site.cache_file(site.article_url).read_bytes() == stored
    assert site.run_setup("login-ip") == {"ip": "127.0.0.1"}


def test_static_files_come_from_disk_with_long_cache_for_hashed_names(site: Site) -> None:
    # Written after the app started: WhiteNoise indexed the static root at start-up and does
    # not know these files, so a 200 proves nginx served them.
    static = site.data / "static" / "deploy-test"
    static.mkdir(parents=True, exist_ok=True)
    (static / "probe.css").write_text("body { color: #123; }\n")
    (static / "probe.0123456789ab.css").write_text("body { color: #456; }\n")
    with site.client() as client:
        plain = client.get("/static/deploy-test/probe.css")
        hashed = client.get("/static/deploy-test/probe.0123456789ab.css")
        missing = client.get("/static/deploy-test/nothing.css")
    assert plain.status_code == 200
    assert plain.text == "body { color: #123; }\n"
    assert plain.headers["content-type"] == "text/css; charset=utf-8"
    assert plain.headers["cache-control"] == "public, max-age=3600"
    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404


def test_uploads_come_from_disk_and_cannot_run_scripts(site: Site) -> None:
    media = site.data / "media" / "deploy-test"
    media.mkdir(parents=True, exist_ok=True)
    (media / "pixel.gif").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    with site.client() as client:
        response = client.get("/media/deploy-test/pixel.gif")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert "sandbox" in response.headers["content-security-policy"]


def test_view_beacon_reaches_the_app_unbuffered_and_uncached(site: Site) -> None:
    if not (REPO / "humas" / "portal" / "views" / "counter.py").exists():
        pytest.skip("the view counter (humas/portal/views/counter.py) is not in this checkout")
    with site.client() as client:
        response = client.post(
            f"/_v/{site.article_id}",
            content=b"r=",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": site.base,
                "User-Agent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
            },
        )
    assert response.status_code == 200
    assert "views" in response.json()
    assert response.headers["cache-control"] == "no-store"
    assert "x-humas-cache" not in response.headers
    assert response.cookies.get("hv")


def test_a_compressed_copy_beside_a_stored_page_is_sent_as_is(site: Site) -> None:
    url = "/kab-jepara/berita/"
    with site.client() as client:
        client.get(url)
        page = site.cache_file(url)
        assert page.is_file()
        marker = page.read_bytes() + b"<!-- from index.html.gz -->"
        page.with_name("index.html.gz").write_bytes(gzip.compress(marker))
        try:
            response = client.get(url, headers={"Accept-Encoding": "gzip"})
            plain = client.get(url, headers={"Accept-Encoding": "identity"})
        finally:
            page.with_name("index.html.gz").unlink()
    assert response.headers["x-humas-cache"] == "nginx"
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == marker
    assert plain.content == page.read_bytes()


def test_sign_in_forms_are_rate_limited_by_nginx(site: Site) -> None:
    with site.client() as client:
        admin = [client.get("/admin/login/").status_code for _ in range(25)]
        # The same budget covers both forms: a client that spent it on one is refused on the other.
        product = client.get("/accounts/login/").status_code

    assert admin[0] == 200
    assert 429 in admin
    assert set(admin) <= {200, 429}
    assert product == 429
