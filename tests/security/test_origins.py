"""Finding 6: absolute URLs in stored pages, feeds, sitemaps, robots.txt and e-mails come from the
configured origins (HUMAS_PUBLIC_BASE_URL, HUMAS_BACKOFFICE_URL), never from the Host header."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from humas.offices.models import Office
from humas.offices.services import membership_invite
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.web import pagecache

pytestmark = pytest.mark.django_db

PUBLIC = "https://humas.kpu.example"
BACKOFFICE = "https://app.humas.kpu.example"
FORGED_HOSTS = ["localhost:1337", "evil.example", "testserver:8443"]


@pytest.fixture(autouse=True)
def _origins(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    settings.HUMAS_PUBLIC_BASE_URL = PUBLIC
    settings.HUMAS_BACKOFFICE_URL = BACKOFFICE
    # As lax as a misconfigured installation: the Host header reaches the app unchecked.
    settings.ALLOWED_HOSTS = ["*"]
    yield
    pagecache.clear()


@pytest.fixture
def article(member):
    office = Office.objects.get(code="33.20")
    author, editor = member("33.20", "operator"), member("33.20", "editor")
    draft = article_create(
        actor=author, office=office, data=ArticleInput(title="Debat kandidat", body="<p>Isi berita.</p>")
    )
    article_submit(actor=author, article=draft)
    return article_approve(actor=editor, article=draft)


def stored(host: str, path: str) -> str:
    target = pagecache.file_for(host.split(":")[0], path)
    assert target is not None and target.is_file(), path
    return target.read_text()


def origins_in(text: str) -> set[str]:
    return set(re.findall(r"https?://[a-z0-9.\-]+(?::\d+)?", text)) - {
        "http://www.w3.org",
        "http://www.sitemaps.org",
        "http://www.google.com",
        "http://search.yahoo.com",
        "https://schema.org",
        "http://purl.org",
        "https://www.facebook.com",
        "https://t.me",
        "https://twitter.com",
        "https://x.com",
        "https://wa.me",
        "https://api.whatsapp.com",
    }


@pytest.mark.parametrize("host", FORGED_HOSTS)
@pytest.mark.parametrize(
    "path",
    [
        "/kab-jepara/",
        "/kab-jepara/berita/debat-kandidat/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/robots.txt",
        "/kab-jepara/feed/rss.xml",
        "/kab-jepara/feed/berita/atom.xml",
    ],
)
def test_stored_pages_feeds_sitemaps_and_robots_carry_only_the_configured_origin(article, host, path):
    response = Client().get(path, HTTP_HOST=host)

    assert response.status_code == 200
    text = stored(host, path)
    assert origins_in(text) == {PUBLIC}
    assert host not in text
    assert response.content.decode() == text


def test_canonical_and_og_url_of_a_stored_article_use_the_public_origin(article):
    Client().get("/kab-jepara/berita/debat-kandidat/", HTTP_HOST="localhost:1337")

    text = stored("localhost", "/kab-jepara/berita/debat-kandidat/")
    assert f'<link rel="canonical" href="{PUBLIC}/kab-jepara/berita/debat-kandidat/">' in text
    assert f'<meta property="og:url" content="{PUBLIC}/kab-jepara/berita/debat-kandidat/">' in text


def test_an_office_host_gets_its_own_https_origin(article, settings):
    settings.HUMAS_SITE_HOSTS = {"kab-jepara.pemilu.test": "kab-jepara"}

    Client().get("/robots.txt", HTTP_HOST="kab-jepara.pemilu.test:1337")

    assert stored("kab-jepara.pemilu.test", "/robots.txt").endswith(
        "Sitemap: https://kab-jepara.pemilu.test/sitemap.xml\n"
        "Sitemap: https://kab-jepara.pemilu.test/sitemap-news.xml\n"
    )


@pytest.mark.parametrize("host", FORGED_HOSTS)
def test_password_reset_link_uses_the_back_office_origin(member, host):
    member("33.20", "operator", email="lupa@kpu.test")

    Client().post("/accounts/password-reset/", {"email": "lupa@kpu.test"}, HTTP_HOST=host)

    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    assert links[0].startswith(f"{BACKOFFICE}/accounts/reset/")


@pytest.mark.parametrize("host", FORGED_HOSTS)
def test_invitation_link_uses_the_back_office_origin(
    member, client, host, django_capture_on_commit_callbacks
):
    admin = member("33.20", "admin")

    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(
            actor=admin, office=Office.objects.get(code="33.20"), email="baru@kpu.test", role="operator"
        )

    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    assert links[0].startswith(f"{BACKOFFICE}/accounts/reset/")


def test_inviting_an_existing_person_looks_the_same_to_the_inviter(
    member, django_capture_on_commit_callbacks
):
    from humas.audit.models import AuditEvent

    admin = member("33.20", "admin")
    member("33.10", "operator", email="lama@kpu.test")
    office = Office.objects.get(code="33.20")

    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(actor=admin, office=office, email="baru@kpu.test", role="operator")
        membership_invite(actor=admin, office=office, email="lama@kpu.test", role="operator")

    new, existing = AuditEvent.objects.filter(action="member.invite").order_by("pk")
    assert new.changes == {"email": "baru@kpu.test", "role": "operator"}
    assert existing.changes == {"email": "lama@kpu.test", "role": "operator"}
    assert [m.subject for m in mail.outbox] == ["Undangan Humas: KPU Kabupaten Jepara"] * 2
    assert mail.outbox[1].body.strip().endswith(f"{BACKOFFICE}/accounts/login/")


def test_oauth_redirect_uri_uses_the_back_office_origin(rf, settings):
    from humas.channels.oauth import redirect_uri

    settings.HUMAS_OAUTH_REDIRECT_BASE_URL = ""
    request = rf.get("/", HTTP_HOST="evil.example:1337")

    assert redirect_uri(provider="meta", request=request) == f"{BACKOFFICE}/app/oauth/meta/callback/"


def test_the_shipped_nginx_passes_the_host_name_without_the_clients_port():
    from pathlib import Path

    proxy = (Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "humas" / "proxy.conf").read_text()
    headers = [
        line.split("#", 1)[0].strip() for line in proxy.splitlines() if "proxy_set_header Host" in line
    ]

    assert [h for h in headers if h] == ["proxy_set_header Host $host;"]
