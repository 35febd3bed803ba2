"""Connecting a channel never changes the official account the public is told about (issue #14).

The declared handle, name and link come from the decree; the account a person authorises (by OAuth
or a pasted token) is recorded beside them. When the two differ the channel says so, and only an
Administrator who confirms (after re-authenticating) makes the authorised account the official one.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import get_messages

from humas.audit.models import AuditEvent
from humas.channels.connect import channel_connect_token
from humas.channels.models import Channel
from humas.channels.services import ChannelError, ChannelInput, channel_create
from tests.channels.test_oauth import back_to_humas, facebook_form, on_platform, start, x_form

pytestmark = pytest.mark.django_db

JEPARA = "33.20"
BASE = "/app/kab-jepara/settings/channels"
DECLARED = {
    "x": ("KPU Kabupaten Jepara", "kpujepara", "https://x.com/kpujepara"),
    "facebook": ("KPU Kabupaten Jepara", "kpukabjepara", "https://www.facebook.com/kpukabjepara"),
}


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


def declared_channel(admin, offices, platform: str, handle: str | None = None) -> Channel:
    name, declared_handle, url = DECLARED[platform]
    return channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(
            platform=platform,
            name=name,
            handle=declared_handle if handle is None else handle,
            url=url,
            decree_reference="Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026",
        ),
    )


def connect_by_oauth(fakes, browser, channel: Channel):
    if channel.platform == "x":
        return back_to_humas(browser, on_platform(start(browser, channel), x_form(fakes)))
    pages = back_to_humas(browser, on_platform(start(browser, channel), facebook_form(fakes)))["Location"]
    return browser.post(pages, {"page_id": fakes.hub.accounts[0]["facebook"]["page_id"]})


def connect_by_token(fakes, admin, channel: Channel) -> list[str]:
    account = fakes.hub.accounts[0]
    token, account_id = {
        "x": (account["x"]["access_token"], ""),
        "facebook": (account["facebook"]["page_token"], account["facebook"]["page_id"]),
    }[channel.platform]
    return channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)


def public_accounts(client) -> str:
    client.logout()
    return client.get("/kab-jepara/akun-resmi/").content.decode()


def assert_declared_kept(channel: Channel) -> None:
    channel.refresh_from_db()
    assert (channel.name, channel.handle, channel.url) == DECLARED[channel.platform]


# --- connecting keeps the declared account --------------------------------------------------------


@pytest.mark.parametrize("how", ["oauth", "token"])
def test_connecting_x_keeps_the_declared_handle_and_records_the_authorised_one(
    fakes, browser, admin, offices, how
):
    channel = declared_channel(admin, offices, "x")

    if how == "oauth":
        done = connect_by_oauth(fakes, browser, channel)
        shown = [str(m) for m in get_messages(done.wsgi_request)]
        assert any("@kpu_demo1" in m and "@kpujepara" in m for m in shown), shown
    else:
        connect_by_token(fakes, admin, channel)

    assert_declared_kept(channel)
    assert (channel.health, channel.account_id, channel.authorised_handle) == (
        Channel.Health.HEALTHY,
        fakes.hub.accounts[0]["x"]["user_id"],
        "kpu_demo1",
    )
    page = browser.get(f"{BASE}/").content.decode()
    assert "@kpu_demo1" in page and "berbeda dari akun resmi yang ditetapkan" in page
    assert f'action="{BASE}/{channel.pk}/identity/"' in page
    event = AuditEvent.objects.filter(action="channel.connect").get()
    assert event.changes["authorised"] == {"handle": "kpu_demo1", "name": "KPU Demo 1"}
    assert event.changes["declared"] == {"handle": "kpujepara", "name": "KPU Kabupaten Jepara"}
    assert event.changes["differs"] is True
    public = public_accounts(browser)
    assert "@kpujepara" in public and "kpu_demo1" not in public


@pytest.mark.parametrize("how", ["oauth", "token"])
def test_connecting_facebook_keeps_the_declared_page_name_and_link(fakes, browser, admin, offices, how):
    channel = declared_channel(admin, offices, "facebook")
    page = fakes.hub.accounts[0]["facebook"]

    if how == "oauth":
        done = connect_by_oauth(fakes, browser, channel)
        shown = [str(m) for m in get_messages(done.wsgi_request)]
        assert any("“KPU Demo 1”" in m for m in shown), shown
    else:
        connect_by_token(fakes, admin, channel)

    assert_declared_kept(channel)
    assert (channel.account_id, channel.authorised_name) == (page["page_id"], "KPU Demo 1")
    listing = browser.get(f"{BASE}/").content.decode()
    assert "“KPU Demo 1”" in listing and "“KPU Kabupaten Jepara”" in listing
    assert "KPU Demo 1" not in public_accounts(browser)


def test_the_connect_page_shows_the_difference_and_the_confirm_button(fakes, browser, admin, offices):
    channel = declared_channel(admin, offices, "x")
    connect_by_token(fakes, admin, channel)

    page = browser.get(f"{BASE}/{channel.pk}/connect/").content.decode()

    assert "berbeda dari akun resmi yang ditetapkan" in page
    assert f'action="{BASE}/{channel.pk}/identity/"' in page
    assert 'name="authorised" value="kpu_demo1"' in page


def test_the_same_account_in_another_case_is_no_difference(fakes, browser, admin, offices):
    channel = declared_channel(admin, offices, "x", handle="KPU_Demo1")

    warnings = connect_by_token(fakes, admin, channel)

    channel.refresh_from_db()
    assert channel.identity_mismatch is None
    assert warnings == []
    assert "berbeda dari akun resmi" not in browser.get(f"{BASE}/").content.decode()
    assert AuditEvent.objects.filter(action="channel.connect").get().changes["differs"] is False


def test_an_empty_declared_handle_is_not_filled_in_by_connecting(fakes, admin, offices):
    channel = declared_channel(admin, offices, "x", handle="")

    connect_by_token(fakes, admin, channel)

    channel.refresh_from_db()
    assert (channel.handle, channel.authorised_handle) == ("", "kpu_demo1")
    assert channel.identity_mismatch is not None


# --- an Administrator confirms the change -------------------------------------------------------


def test_confirming_makes_the_authorised_handle_official_with_before_and_after(
    fakes, browser, admin, offices
):
    channel = declared_channel(admin, offices, "x")
    connect_by_token(fakes, admin, channel)

    done = browser.post(f"{BASE}/{channel.pk}/identity/", {"authorised": "kpu_demo1"})

    assert done["Location"] == f"{BASE}/"
    channel.refresh_from_db()
    assert (channel.name, channel.handle, channel.url) == (
        "KPU Kabupaten Jepara",
        "kpu_demo1",
        channel.authorised_url,
    )
    assert channel.url.endswith("/kpu_demo1")
    assert channel.identity_mismatch is None
    event = AuditEvent.objects.filter(action="channel.identity_confirm").get()
    assert event.actor == admin
    assert event.changes["handle"] == {"before": "kpujepara", "after": "kpu_demo1"}
    assert event.changes["url"] == {"before": "https://x.com/kpujepara", "after": channel.url}
    assert "name" not in event.changes
    assert "@kpu_demo1" in public_accounts(browser)


def test_confirming_a_facebook_page_adopts_its_name(fakes, browser, admin, offices):
    channel = declared_channel(admin, offices, "facebook")
    connect_by_token(fakes, admin, channel)

    browser.post(f"{BASE}/{channel.pk}/identity/", {"authorised": "KPU Demo 1"})

    channel.refresh_from_db()
    assert (channel.name, channel.handle) == ("KPU Demo 1", "kpukabjepara")
    event = AuditEvent.objects.filter(action="channel.identity_confirm").get()
    assert event.changes["name"] == {"before": "KPU Kabupaten Jepara", "after": "KPU Demo 1"}


def test_confirming_needs_a_recent_sign_in(fakes, browser, admin, offices):
    channel = declared_channel(admin, offices, "x")
    connect_by_token(fakes, admin, channel)
    session = browser.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()

    answer = browser.post(f"{BASE}/{channel.pk}/identity/", {"authorised": "kpu_demo1"})

    assert answer["Location"].startswith("/accounts/confirm/")
    assert_declared_kept(channel)
    assert not AuditEvent.objects.filter(action="channel.identity_confirm").exists()


def test_only_administrators_confirm(fakes, client, admin, offices, member):
    channel = declared_channel(admin, offices, "x")
    connect_by_token(fakes, admin, channel)
    client.force_login(member(JEPARA, "editor"))

    assert client.post(f"{BASE}/{channel.pk}/identity/", {"authorised": "kpu_demo1"}).status_code == 403
    assert "identity/" not in client.get(f"{BASE}/").content.decode()
    assert_declared_kept(channel)


def test_a_confirmation_of_an_account_no_longer_connected_changes_nothing(fakes, browser, admin, offices):
    from humas.channels.services import channel_confirm_authorised_identity

    channel = declared_channel(admin, offices, "x")
    connect_by_token(fakes, admin, channel)

    answer = browser.post(f"{BASE}/{channel.pk}/identity/", {"authorised": "akun_lain"})
    assert answer["Location"] == f"{BASE}/"
    shown = [str(m) for m in get_messages(answer.wsgi_request)]
    assert shown == [
        "Akun yang dihubungkan sudah berubah sejak halaman ini dibuka; periksa lagi sebelum mengonfirmasi."
    ]
    assert_declared_kept(channel)
    matching = declared_channel(admin, offices, "x", handle="kpu_demo2")
    with pytest.raises(ChannelError):
        channel_confirm_authorised_identity(actor=admin, channel=matching, seen="kpu_demo2")


def test_a_handle_renamed_on_the_platform_shows_at_the_next_health_check(fakes, admin, offices):
    from humas.channels.connect import channel_check_health

    channel = declared_channel(admin, offices, "x", handle="kpu_demo1")
    connect_by_token(fakes, admin, channel)
    channel.refresh_from_db()
    assert channel.identity_mismatch is None
    fakes.hub.x.users[fakes.hub.accounts[0]["x"]["user_id"]].username = "kpu_demo1_baru"

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.HEALTHY

    channel.refresh_from_db()
    assert (channel.handle, channel.authorised_handle) == ("kpu_demo1", "kpu_demo1_baru")
    assert channel.identity_mismatch is not None
