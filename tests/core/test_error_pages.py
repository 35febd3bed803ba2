"""Unknown URLs show the project's own pages (#14): the portal's look on public addresses, the back
office's shell under /app/; and a trial install (local settings: `humas demo`, `humas serve`)
runs without Django's debug pages unless DEBUG is asked for, still serving its static files and
uploads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_public_address_gets_the_portals_404(client, offices):
    response = client.get("/tidak/ada/halaman-ini/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "portal/portal.css" in html and "humas/app.css" not in html
    assert "Halaman tidak ditemukan" in html
    assert 'class="site-header"' in html and offices["00"].name in html


def test_an_unknown_page_of_an_offices_site_wears_that_office(client, offices):
    response = client.get("/kab-jepara/berita/tidak-ada/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "KPU Kabupaten Jepara" in html and "portal/portal.css" in html
    assert 'href="/kab-jepara/"' in html


def test_an_unknown_back_office_address_gets_the_shell(client, member):
    client.force_login(member("33", "editor"))
    client.get("/app/jateng/")

    response = client.get("/app/jateng/tidak/ada/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "humas/app.css" in html and 'class="topbar"' in html
    assert "Halaman tidak ditemukan" in html
    assert 'href="/app/"' in html


def test_an_unknown_back_office_address_signed_out_gets_the_plain_page(client):
    response = client.get("/accounts/tidak-ada/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "humas/app.css" in html and 'class="topbar"' not in html
    assert "Halaman tidak ditemukan" in html


def _local_settings(tmp_path: Path, code: str, argv: list[str] | None = None, **env: str) -> str:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="humas.config.settings.local", HUMAS_DATA_DIR=str(tmp_path), **env
    )
    script = "import sys\nsys.argv = %r\n" % (argv or ["humas"]) + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SHOW = """
import django
django.setup()
from django.conf import settings
print(settings.DEBUG, settings.WHITENOISE_USE_FINDERS, settings.HUMAS_SERVE_MEDIA)
"""


@pytest.mark.slow
def test_a_trial_install_runs_without_debug_pages_unless_asked(tmp_path):
    assert _local_settings(tmp_path, SHOW) == "False True True"
    assert _local_settings(tmp_path, SHOW, DEBUG="true") == "True True True"
    # The development server keeps Django's debug pages, as before.
    assert _local_settings(tmp_path, SHOW, argv=["manage.py", "runserver"]) == "True True True"
    assert _local_settings(tmp_path, SHOW, argv=["humas", "manage", "runserver"]) == "True True True"
    assert (
        _local_settings(tmp_path, SHOW, argv=["manage.py", "runserver"], DEBUG="false") == "False True True"
    )


@pytest.mark.slow
def test_without_debug_a_trial_install_still_serves_its_static_files_and_uploads(tmp_path):
    (tmp_path / "media" / "offices").mkdir(parents=True)
    (tmp_path / "media" / "offices" / "logo.txt").write_text("logo")
    out = _local_settings(
        tmp_path,
        """
        import django
        django.setup()
        from django.test import Client
        client = Client(HTTP_HOST="127.0.0.1")
        static = client.get("/static/humas/app.css")
        media = client.get("/media/offices/logo.txt")
        print(static.status_code, media.status_code, b"".join(media.streaming_content).decode())
        """,
    )
    assert out == "200 200 logo"
