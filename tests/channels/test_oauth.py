"""Connecting channels by OAuth through the Django views, against the fakes over HTTP: the test
client plays the browser on Humas, httpx plays it on the fake platform's pages."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.channels import crypto
from humas.channels.connect import channel_check_health
from humas.channels.fakes import running_fakes
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import ChannelError, ChannelInput, channel_create
from humas.channels.tokens import channel_credential_secret
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

JEPARA = "33.20"
BASE = "/app/kab-jepara/settings/channels"


def new_channel(admin, offices, platform: str) -> Channel:
    return channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform=platform, name=f"KPU Jepara {platform}"),
    )


def start(browser: Client, channel: Channel) -> str:
    """Press "Hubungkan dengan …": Humas answers with a redirect to the platform."""
    response = browser.post(f"{BASE}/{channel.pk}/oauth/")
    assert response.status_code == 302
    return response["Location"]


def on_platform(url: str, form: dict[str, str]) -> str:
    """The person on the platform's page: open it, submit the form; the platform redirects back."""
    page = httpx.get(url)
    assert page.status_code == 200, page.text
    answer = httpx.post(url, data=form)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def back_to_humas(browser: Client, location: str):
    parts = urlsplit(location)
    assert parts.netloc == "testserver"
    return browser.get(f"{parts.path}?{parts.query}")


def facebook_form(fakes, *, decision: str = "allow", untick: tuple[str, ...] = ()) -> dict[str, str]:
    form = {"decision": decision, "user_id": fakes.hub.accounts[0]["facebook"]["user_id"]}
    from humas.channels.fakes.graph import IG_SCOPES, PAGE_SCOPES

    form.update({f"perm_{s}": "on" for s in PAGE_SCOPES + IG_SCOPES if s not in untick})
    return form


def x_form(fakes, decision: str = "allow") -> dict[str, str]:
    return {"decision": decision, "user_id": fakes.hub.accounts[0]["x"]["user_id"]}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def user_tokens(fakes) -> set[str]:
    return {t.token for t in fakes.hub.graph.tokens.values() if t.kind == "USER"}


# --- Facebook and Instagram -------------------------------------------------------------------


def test_facebook_login_then_choosing_the_page_stores_the_page_token_only(
    fakes, browser, admin, offices, caplog
):
    caplog.set_level(logging.INFO)
    channel = new_channel(admin, offices, "facebook")
    guide = browser.get(f"{BASE}/guide/facebook/")
    assert "Hubungkan dengan Facebook</button>" in guide.content.decode()

    url = start(browser, channel)
    assert url.startswith(f"{fakes.base_url}/v23.0/dialog/oauth?")
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == ["http://testserver/app/oauth/meta/callback/"]
    assert "pages_manage_posts" in query["scope"][0].split(",")
    callback = back_to_humas(browser, on_platform(url, facebook_form(fakes)))
    assert callback["Location"] == f"{BASE}/{channel.pk}/oauth/pages/"

    choose = browser.get(callback["Location"])
    page = fakes.hub.accounts[0]["facebook"]
    assert page["page_name"] in choose.content.decode()
    done = browser.post(callback["Location"], {"page_id": page["page_id"]})
    assert done["Location"] == f"{BASE}/"
    # The Page is not named like the declared account: said, never silently adopted.
    assert messages_of(done)[0] == "Kanal terhubung dan sudah diperiksa."
    assert messages_of(done)[1].startswith("Akun yang dihubungkan, “KPU Demo 1”, berbeda")

    channel.refresh_from_db()
    credential = ChannelCredential.objects.get(channel=channel)
    assert (channel.health, channel.account_id, channel.authorised_by, credential.kind) == (
        Channel.Health.HEALTHY,
        page["page_id"],
        admin,
        "page",
    )
    secret = channel_credential_secret(channel=channel)
    assert fakes.hub.graph.tokens[secret].kind == "PAGE"
    assert secret not in credential.ciphertext
    assert (credential.refresh_ciphertext, credential.access_expires_at) == ("", None)
    # The person's own (user) tokens are nowhere: not stored, not in the session, not logged.
    session = str(dict(browser.session.items()))
    leaked = [t for t in user_tokens(fakes) | {secret, fakes.hub.graph.app_secret} if t in session]
    assert leaked == []
    assert [t for t in user_tokens(fakes) | {secret, fakes.hub.graph.app_secret} if t in caplog.text] == []
    audit = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert secret not in audit and not any(t in audit for t in user_tokens(fakes))
    # The choice is single-use.
    assert browser.get(callback["Location"])["Location"] == f"{BASE}/guide/facebook/"


def test_instagram_connects_the_business_account_of_the_chosen_page(fakes, browser, admin, offices):
    channel = new_channel(admin, offices, "instagram")
    url = start(browser, channel)
    assert "instagram_content_publish" in parse_qs(urlsplit(url).query)["scope"][0]
    pages_url = back_to_humas(browser, on_platform(url, facebook_form(fakes)))["Location"]
    account = fakes.hub.accounts[0]
    assert f"@{account['instagram']['ig_username']}" in browser.get(pages_url).content.decode()

    browser.post(pages_url, {"page_id": account["facebook"]["page_id"]})

    channel.refresh_from_db()
    assert (channel.health, channel.account_id, channel.authorised_handle, channel.authorised_by) == (
        Channel.Health.HEALTHY,
        account["instagram"]["ig_user_id"],
        account["instagram"]["ig_username"],
        admin,
    )


def test_cancelled_login_saves_nothing_and_says_so(fakes, browser, admin, offices):
    channel = new_channel(admin, offices, "facebook")
    back = back_to_humas(
        browser, on_platform(start(browser, channel), facebook_form(fakes, decision="cancel"))
    )

    assert back["Location"] == f"{BASE}/guide/facebook/"
    assert messages_of(back) == [
        "Login Facebook dibatalkan; tidak ada yang disimpan. Ulangi bila ingin menghubungkan kanal."
    ]
    channel.refresh_from_db()
    assert (channel.health, ChannelCredential.objects.count()) == (Channel.Health.UNKNOWN, 0)


def test_missing_permission_is_named_and_nothing_saved(fakes, browser, admin, offices):
    channel = new_channel(admin, offices, "facebook")
    form = facebook_form(fakes, untick=("pages_manage_posts",))
    back = back_to_humas(browser, on_platform(start(browser, channel), form))

    assert messages_of(back) == [
        "Izin berikut tidak diberikan saat login Facebook: pages_manage_posts. Ulangi dan biarkan semua izin "
        "yang diminta tercentang."
    ]
    assert ChannelCredential.objects.count() == 0


def test_wrong_replayed_or_foreign_state_is_refused(fakes, browser, admin, offices, member):
    channel = new_channel(admin, offices, "facebook")
    location = on_platform(start(browser, channel), facebook_form(fakes))
    parts = urlsplit(location)
    code = parse_qs(parts.query)["code"][0]

    forged = browser.get(f"{parts.path}?code={code}&state=forged-state")
    assert forged["Location"] == "/app/"
    assert messages_of(forged)[0].startswith("Permintaan otorisasi ini tidak dikenal")

    # The real state, but in another Administrator's session: refused too.
    other = Client()
    other.force_login(member(JEPARA, "admin", email="admin2.jepara@kpu.test"))
    assert back_to_humas(other, location)["Location"] == "/app/"

    assert back_to_humas(browser, location)["Location"] == f"{BASE}/{channel.pk}/oauth/pages/"
    # A state works once.
    assert back_to_humas(browser, location)["Location"] == "/app/"
    assert ChannelCredential.objects.count() == 0


def test_platform_refusing_the_code_exchange_is_reported_and_nothing_saved(
    fakes, browser, admin, offices, settings
):
    settings.HUMAS_META_APP_SECRET = "not-the-app-secret"
    channel = new_channel(admin, offices, "facebook")
    back = back_to_humas(browser, on_platform(start(browser, channel), facebook_form(fakes)))
    assert messages_of(back) == ["Facebook menolak login: Error validating client secret. Ulangi dari awal."]

    settings.HUMAS_X_CLIENT_SECRET = "not-the-client-secret"
    channel = new_channel(admin, offices, "x")
    back = back_to_humas(browser, on_platform(start(browser, channel), x_form(fakes)))
    assert (
        messages_of(back)[-1]
        == "X menolak kode otorisasi: Missing valid authorization header. Ulangi dari awal."
    )
    assert ChannelCredential.objects.count() == 0


def test_only_administrators_start_and_only_by_post(fakes, client, admin, offices, member):
    channel = new_channel(admin, offices, "x")
    client.force_login(admin)
    assert client.get(f"{BASE}/{channel.pk}/oauth/").status_code == 405
    client.force_login(member(JEPARA, "editor"))
    assert client.post(f"{BASE}/{channel.pk}/oauth/").status_code == 403
    assert client.get(f"{BASE}/guide/x/").status_code == 200
    assert "Hubungkan dengan X</button>" not in client.get(f"{BASE}/guide/x/").content.decode()


def test_without_configured_apps_the_guide_offers_the_pasted_token(fakes, browser, admin, offices, settings):
    settings.HUMAS_META_APP_ID = ""
    channel = new_channel(admin, offices, "facebook")
    page = browser.get(f"{BASE}/guide/facebook/").content.decode()
    assert "Hubungkan dengan Facebook</button>" not in page
    assert "belum dikonfigurasi" in page and f"{BASE}/{channel.pk}/connect/" in page
    refused = browser.post(f"{BASE}/{channel.pk}/oauth/")
    assert refused["Location"] == f"{BASE}/guide/facebook/"


@pytest.mark.parametrize(
    ("platform", "needle"),
    [
        ("facebook", "pages_manage_posts"),
        ("instagram", "instagram_content_publish"),
        ("x", "offline.access"),
        ("telegram", "@BotFather"),
    ],
)
def test_guide_per_platform(browser, platform, needle):
    page = browser.get(f"{BASE}/guide/{platform}/")
    assert page.status_code == 200
    assert needle in page.content.decode()


def test_guide_for_an_unknown_platform_is_404(browser):
    assert browser.get(f"{BASE}/guide/myspace/").status_code == 404


# --- X ----------------------------------------------------------------------------------------


def connect_x(fakes, browser, admin, offices) -> Channel:
    channel = new_channel(admin, offices, "x")
    url = start(browser, channel)
    query = parse_qs(urlsplit(url).query)
    assert (query["code_challenge_method"], query["scope"]) == (
        ["S256"],
        ["tweet.read tweet.write users.read offline.access"],
    )
    back = back_to_humas(browser, on_platform(url, x_form(fakes)))
    assert back["Location"] == f"{BASE}/"
    channel.refresh_from_db()
    return channel


def test_x_connects_with_pkce_and_keeps_both_tokens_encrypted(fakes, browser, admin, offices):
    channel = connect_x(fakes, browser, admin, offices)

    credential = ChannelCredential.objects.get(channel=channel)
    access = crypto.decrypt(credential.ciphertext)
    refresh = crypto.decrypt(credential.refresh_ciphertext)
    assert fakes.hub.x.tokens[access] == fakes.hub.accounts[0]["x"]["user_id"]
    assert list(fakes.hub.x.refresh_tokens) == [refresh]
    assert refresh not in credential.refresh_ciphertext
    expires_in = (credential.access_expires_at - timezone.now()).total_seconds()
    assert 7100 < expires_in <= 7200
    assert (
        channel.health,
        channel.authorised_handle,
        channel.authorised_by,
        channel.token_expires_at,
        credential.kind,
    ) == (
        Channel.Health.HEALTHY,
        "kpu_demo1",
        admin,
        None,
        "oauth2_user",
    )


def test_x_cancel(fakes, browser, admin, offices):
    channel = new_channel(admin, offices, "x")
    back = back_to_humas(browser, on_platform(start(browser, channel), x_form(fakes, decision="cancel")))
    assert messages_of(back) == [
        "Otorisasi di X dibatalkan; tidak ada yang disimpan. Ulangi bila ingin menghubungkan kanal."
    ]
    assert ChannelCredential.objects.count() == 0


def expire_soon(channel: Channel) -> None:
    ChannelCredential.objects.filter(channel=channel).update(
        access_expires_at=timezone.now() + timedelta(minutes=2)
    )


def test_x_token_is_refreshed_before_it_expires_and_refresh_tokens_rotate(fakes, browser, admin, offices):
    channel = connect_x(fakes, browser, admin, offices)
    old_access = channel_credential_secret(channel=channel)
    old_refresh = next(iter(fakes.hub.x.refresh_tokens))
    expire_soon(channel)

    fresh = channel_credential_secret(channel=channel)

    assert fresh != old_access
    assert old_refresh not in fakes.hub.x.refresh_tokens and len(fakes.hub.x.refresh_tokens) == 1
    credential = ChannelCredential.objects.get(channel=channel)
    assert crypto.decrypt(credential.refresh_ciphertext) == next(iter(fakes.hub.x.refresh_tokens))
    assert credential.access_expires_at > timezone.now() + timedelta(minutes=110)
    # Fresh enough now: handed out as is, X not asked again.
    assert channel_credential_secret(channel=channel) == fresh
    assert (
        httpx.get(f"{fakes.base_url}/2/users/me", headers={"Authorization": f"Bearer {fresh}"}).status_code
        == 200
    )


def test_x_token_rejected_with_401_is_refreshed_by_the_health_check(fakes, browser, admin, offices):
    channel = connect_x(fakes, browser, admin, offices)
    rejected = channel_credential_secret(channel=channel)
    fakes.hub.expire_token("x", rejected)

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.HEALTHY
    assert channel_credential_secret(channel=channel) != rejected


def test_x_refresh_refused_flags_reconnect_and_warns_administrators(fakes, browser, admin, offices):
    channel = connect_x(fakes, browser, admin, offices)
    fakes.hub.x.revoke_refresh_tokens()
    expire_soon(channel)
    mail.outbox.clear()

    with pytest.raises(ChannelError) as excinfo:
        channel_credential_secret(channel=channel)

    assert str(excinfo.value) == (
        "X menolak memperbarui token (Value passed for the token was invalid). Hubungkan ulang kanal ini "
        "dengan akun X kantor."
    )
    channel.refresh_from_db()
    assert (channel.health, channel.health_message) == (Channel.Health.RECONNECT, str(excinfo.value))
    assert [m.to for m in mail.outbox] == [["admin.jepara@kpu.test"]]
    assert "Perlu dihubungkan ulang" in mail.outbox[0].body
    event = AuditEvent.objects.filter(action="channel.health").get()
    assert event.changes["reason"] == "refresh_refused"
    # Asked once: the dead refresh token is dropped, nobody is e-mailed again.
    assert ChannelCredential.objects.get(channel=channel).refresh_ciphertext == ""
    channel_check_health(channel_id=channel.pk)
    assert len(mail.outbox) == 1


def test_delivery_engine_gets_a_fresh_x_token(
    fakes, browser, admin, offices, member, django_capture_on_commit_callbacks
):
    from humas.publishing.delivery import delivery_send, publication_create
    from humas.publishing.models import Delivery
    from humas.publishing.services import post_approve, post_create, post_submit

    channel = connect_x(fakes, browser, admin, offices)
    expire_soon(channel)
    operator, editor = member(JEPARA, "operator"), member(JEPARA, "editor")
    post = post_create(
        actor=operator,
        office=offices[JEPARA],
        text="Rekapitulasi suara dimulai pukul 09.00 WIB.",
        channels=[channel],
    )
    post_submit(actor=operator, post=post)
    post = post_approve(actor=editor, post=post)
    with django_capture_on_commit_callbacks(execute=False):
        publication = publication_create(actor=operator, post=post, channels=[channel])
    delivery = publication.deliveries.get()

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.SENT
    assert [p["account"] for p in fakes.hub.posts("x")] == ["@kpu_demo1"]
    assert ChannelCredential.objects.get(channel=channel).access_expires_at > timezone.now() + timedelta(
        hours=1
    )


def test_a_401_while_publishing_that_a_refresh_cures_is_retried_not_flagged(
    fakes, browser, admin, offices, member, django_capture_on_commit_callbacks
):
    from humas.publishing.delivery import delivery_send, publication_create
    from humas.publishing.models import Delivery
    from humas.publishing.services import post_approve, post_create, post_submit

    channel = connect_x(fakes, browser, admin, offices)
    rejected = channel_credential_secret(channel=channel)
    fakes.hub.expire_token("x", rejected)  # revoked on X's side; Humas still thinks it is fresh
    operator, editor = member(JEPARA, "operator"), member(JEPARA, "editor")
    post = post_create(
        actor=operator,
        office=offices[JEPARA],
        text="Debat kandidat malam ini pukul 19.00 WIB.",
        channels=[channel],
    )
    post_submit(actor=operator, post=post)
    post = post_approve(actor=editor, post=post)
    with django_capture_on_commit_callbacks(execute=False):
        publication = publication_create(actor=operator, post=post, channels=[channel])
    delivery = publication.deliveries.get()

    with django_capture_on_commit_callbacks(execute=False):
        assert delivery_send(delivery_id=delivery.pk) == Delivery.State.WAITING
    channel.refresh_from_db()
    assert channel.health == Channel.Health.HEALTHY
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.SENT
    assert [p["text"] for p in fakes.hub.posts("x")] == ["Debat kandidat malam ini pukul 19.00 WIB."]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_spend_the_refresh_token_once(settings, offices, member):
    require_service(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
    admin = member(JEPARA, "admin")
    with running_fakes(seed=1) as fakes:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), fakes.base_url
        )
        apps = fakes.hub.oauth_apps()
        settings.HUMAS_X_CLIENT_ID, settings.HUMAS_X_CLIENT_SECRET = (
            apps["x"]["client_id"],
            apps["x"]["client_secret"],
        )
        settings.HUMAS_OAUTH_REDIRECT_BASE_URL = ""
        browser = Client()
        browser.force_login(admin)
        channel = connect_x(fakes, browser, admin, offices)
        expire_soon(channel)
        # X is slow to answer: the second worker arrives while the first holds the refresh token.
        fakes.hub.add_fault(platform="x", kind="latency", latency_ms=400, path="/2/oauth2/token", times=None)
        barrier, results, errors = threading.Barrier(2), [], []

        def worker() -> None:
            barrier.wait()
            try:
                results.append(channel_credential_secret(channel=Channel.objects.get(pk=channel.pk)))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert errors == []
        assert len(results) == 2 and results[0] == results[1]
        assert len(fakes.hub.x.refresh_tokens) == 1
        channel.refresh_from_db()
        assert channel.health == Channel.Health.HEALTHY
        assert (
            httpx.get(
                f"{fakes.base_url}/2/users/me", headers={"Authorization": f"Bearer {results[0]}"}
            ).status_code
            == 200
        )


def test_channel_authorised_by_oauth_is_flagged_when_that_person_leaves(
    fakes, browser, admin, offices, member
):
    from humas.offices.models import Membership
    from humas.offices.services import membership_remove

    channel = connect_x(fakes, browser, admin, offices)
    assert channel.authorised_by == admin

    membership_remove(actor=member("33", "admin"), membership=Membership.objects.get(user=admin))

    channel.refresh_from_db()
    assert channel.health == Channel.Health.RECONNECT
    assert admin.get_full_name() in channel.health_message


def test_a_page_where_the_person_cannot_create_content_is_refused(fakes, admin, offices):
    from humas.channels.oauth import oauth_choose_page

    channel = new_channel(admin, offices, "facebook")
    page = fakes.hub.accounts[0]["facebook"]
    pages = [
        {
            "id": page["page_id"],
            "name": page["page_name"],
            "ig_id": "",
            "ig_username": "",
            "can_post": False,  # e.g. only the ANALYZE task on that Page
            "sealed": crypto.encrypt(page["page_token"]),
        }
    ]
    with pytest.raises(ChannelError) as excinfo:
        oauth_choose_page(actor=admin, channel=channel, pages=pages, page_id=page["page_id"])
    assert str(excinfo.value).startswith(
        f"Peran Anda di Halaman {page['page_name']} tidak dapat membuat konten."
    )
    assert ChannelCredential.objects.count() == 0
