"""The Content-Security-Policy: one fixed policy for public pages (the app's and nginx's headers
agree, stored pages carry no nonce), the back office's additions, report-only rollout, and no
inline script, style or event handler left in any template."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.portal.conftest import publish  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = REPO / "deploy" / "nginx" / "humas" / "security-headers.conf"
PUBLIC_POLICY = (
    "base-uri 'self'; default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "img-src 'self' data: blob:; object-src 'none'; script-src 'self'; style-src 'self'"
)


def nginx_policy() -> str:
    match = re.search(
        r'^add_header Content-Security-Policy "([^"]+)" always;$', SECURITY_HEADERS.read_text(), re.M
    )
    assert match is not None, "deploy/nginx/humas/security-headers.conf sends no Content-Security-Policy"
    return match.group(1)


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


@pytest.mark.django_db
def test_public_page_policy_is_fixed_and_the_one_nginx_sends(client, publish):  # noqa: F811
    article = publish("33.20", title="Coklit serentak di Jepara")
    url = f"/kab-jepara/berita/{article.slug}/"

    first = client.get(url)
    stored = client.get(url)

    assert first["X-Humas-Cache"] == "miss"
    assert stored["X-Humas-Cache"] == "hit"
    assert first["Content-Security-Policy"] == PUBLIC_POLICY
    assert stored["Content-Security-Policy"] == PUBLIC_POLICY
    assert nginx_policy() == PUBLIC_POLICY
    assert b"nonce" not in stored.getvalue()
    assert "Content-Security-Policy-Report-Only" not in first


@pytest.mark.django_db
def test_back_office_form_action_allows_the_oauth_pages(client, member):
    member("33.20", "operator", email="op@kpu.test")
    client.post("/accounts/login/", {"email": "op@kpu.test", "password": PASSWORD})

    page = client.get("/app/kab-jepara/")

    assert page.status_code == 200
    directives = dict(part.split(" ", 1) for part in page["Content-Security-Policy"].split("; "))
    assert directives["form-action"] == "'self' https://www.facebook.com https://m.facebook.com https://x.com"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].startswith("'self' 'sha256-")


@pytest.mark.django_db
def test_article_editor_import_map_carries_the_nonce_of_its_header(client, member):
    member("33.20", "operator", email="op@kpu.test")
    client.post("/accounts/login/", {"email": "op@kpu.test", "password": PASSWORD})

    page = client.get("/app/kab-jepara/portal/new/")

    assert page.status_code == 200
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", page["Content-Security-Policy"])
    assert nonce is not None
    assert f'<script type="importmap" nonce="{nonce.group(1)}">' in page.content.decode()


def test_report_only_setting_sends_the_same_policy_as_report_only():
    code = (
        "import humas.config.settings.base as s; "
        "print(hasattr(s, 'CONTENT_SECURITY_POLICY'), "
        "s.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES'] is s.HUMAS_CSP_DIRECTIVES)"
    )
    env = {**os.environ, "HUMAS_CSP_REPORT_ONLY": "true", "PYTHONPATH": str(REPO)}
    out = subprocess.run(  # noqa: S603 - our interpreter
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "True"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"  # inline script
    r"|<style\b"  # style block
    r"|\sstyle=\""  # style attribute
    r"|\son[a-z]+=\"",  # event handler
    re.I,
)


def test_no_template_has_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(REPO)}: {match.group(0).strip()}"
        for path in sorted((REPO / "humas").glob("*/templates/**/*.html"))
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
