"""Channels as office property: official accounts, encrypted credentials, key rotation, departures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from humas.audit.models import AuditEvent
from humas.channels import crypto
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import (
    ChannelError,
    ChannelInput,
    channel_create,
    channel_store_credential,
    credentials_rotate,
)
from humas.channels.tokens import channel_credential_secret
from humas.offices import policy
from humas.offices.models import Membership
from humas.offices.services import membership_remove

pytestmark = pytest.mark.django_db

SECRET = "EAAG-super-secret-page-token-123"


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


def official(
    actor, office, platform="instagram", handle="kpu_jepara", decree="Keputusan KPU Kab. Jepara No. 12/2026"
):
    return channel_create(
        actor=actor,
        office=office,
        data=ChannelInput(
            platform=platform,
            name=f"KPU Jepara {platform}",
            handle=handle,
            url=f"https://{platform}.com/{handle}",
            decree_reference=decree,
        ),
    )


def test_credentials_are_encrypted_at_rest_and_never_audited(offices, member):
    admin = member("33.20", "admin")
    channel = official(admin, offices["33.20"], platform="facebook")

    channel_store_credential(
        actor=admin, channel=channel, secret=SECRET, kind="page", personal=True, expires_at=None
    )

    stored = ChannelCredential.objects.get(channel=channel)
    assert SECRET not in stored.ciphertext
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM channels_channelcredential")
        assert SECRET not in cursor.fetchone()[0]
    assert channel_credential_secret(channel=channel) == SECRET
    assert not any(SECRET in str(e.changes) for e in AuditEvent.objects.all())
    assert SECRET not in repr(stored) and SECRET not in str(stored)
    channel.refresh_from_db()
    assert (channel.health, channel.authorised_by) == (Channel.Health.HEALTHY, admin)


def test_key_rotation_re_encrypts_with_the_new_key(offices, member, settings):
    admin = member("33.20", "admin")
    channel = official(admin, offices["33.20"], platform="telegram")
    channel_store_credential(
        actor=admin, channel=channel, secret=SECRET, kind="bot", personal=False, expires_at=None
    )
    old_key = settings.HUMAS_CREDENTIAL_KEYS[0]
    new_key = crypto.new_key()

    settings.HUMAS_CREDENTIAL_KEYS = [new_key, old_key]
    assert credentials_rotate() == 1
    settings.HUMAS_CREDENTIAL_KEYS = [new_key]

    assert channel_credential_secret(channel=channel) == SECRET
    settings.HUMAS_CREDENTIAL_KEYS = [old_key]
    # A key dropped too early: a precise ChannelError (what the engine and health check handle),
    # never the secret, never a crash the sweeper would retry forever.
    with pytest.raises(ChannelError, match="HUMAS_CREDENTIAL_KEYS berubah") as excinfo:
        channel_credential_secret(channel=channel)
    assert SECRET not in str(excinfo.value)


def test_only_administrators_manage_channels(offices, member):
    for role in ("editor", "operator", "viewer"):
        with pytest.raises(policy.PolicyDenied):
            official(member("33.20", role), offices["33.20"])
    with pytest.raises(policy.PolicyDenied):
        official(member("33.74", "admin"), offices["33.20"])
    assert not Channel.objects.exists()


def test_departing_authoriser_flags_channel_for_reconnection(offices, member):
    province_admin = member("33", "admin")
    local_admin = member("33.20", "admin")
    channel = official(local_admin, offices["33.20"], platform="facebook")
    channel_store_credential(
        actor=local_admin, channel=channel, secret=SECRET, kind="page", personal=True, expires_at=None
    )

    membership_remove(actor=province_admin, membership=Membership.objects.get(user=local_admin))

    channel.refresh_from_db()
    assert channel.health == Channel.Health.RECONNECT
    assert local_admin.get_full_name() in channel.health_message
    assert AuditEvent.objects.filter(action="channel.needs_reconnect", object_id=str(channel.pk)).exists()


def test_person_who_still_reaches_the_office_does_not_flag_it(offices, member):
    person = member("33.20", "admin")
    Membership.objects.create(user=person, office=offices["33"], role="admin")
    channel = official(person, offices["33.20"], platform="x", handle="kpujepara")
    channel_store_credential(
        actor=person, channel=channel, secret=SECRET, kind="oauth2_user", personal=True, expires_at=None
    )

    membership_remove(
        actor=member("00", "admin"), membership=Membership.objects.get(user=person, office=offices["33.20"])
    )

    channel.refresh_from_db()
    assert channel.health == Channel.Health.HEALTHY


def test_public_official_accounts_pages(offices, member):
    official(member("33.20", "admin"), offices["33.20"], handle="kpu_jepara")
    official(member("73.71", "admin"), offices["73.71"], handle="kpu_makassar")
    client = Client()

    national = client.get("/akun-resmi/").content.decode()
    jepara = client.get("/kab-jepara/akun-resmi/").content.decode()
    search = client.get("/akun-resmi/?q=makassar").content.decode()
    province = client.get("/jateng/akun-resmi/").content.decode()

    assert "@kpu_jepara" in national and "@kpu_makassar" in national
    assert "@kpu_jepara" in jepara and "@kpu_makassar" not in jepara
    assert "@kpu_makassar" in search and "@kpu_jepara" not in search
    assert "@kpu_jepara" in province and "Keputusan KPU Kab. Jepara No. 12/2026" in province
    assert client.get("/akun-resmi/?q=%25&platform=zzz&page=x").status_code == 200
    assert client.get("/akun-resmi/?q=%00").status_code == 200


def test_new_official_account_invalidates_cached_lists(
    offices, member, settings, django_capture_on_commit_callbacks
):
    client = Client()
    client.get("/akun-resmi/")
    client.get("/jateng/akun-resmi/")
    with django_capture_on_commit_callbacks(execute=True):
        official(member("33.20", "admin"), offices["33.20"], handle="baru")
    assert "@baru" in client.get("/akun-resmi/").content.decode()
    assert "@baru" in client.get("/jateng/akun-resmi/").content.decode()


def test_back_office_channel_page(client, offices, member):
    client.force_login(member("33.20", "admin"))
    created = client.post(
        "/app/kab-jepara/settings/channels/",
        {
            "platform": "tiktok",
            "name": "KPU Jepara",
            "handle": "@kpujepara",
            "url": "https://tiktok.com/@kpujepara",
            "decree_reference": "",
            "decree_date": "",
        },
    )
    assert created.status_code == 302
    channel = Channel.objects.get()
    assert (channel.handle, channel.health) == ("kpujepara", Channel.Health.ASSISTED)
    bad = client.post(
        "/app/kab-jepara/settings/channels/", {"platform": "myspace", "name": "", "url": "bukan"}
    )
    assert bad.status_code == 400
    client.force_login(member("33.20", "operator"))
    assert client.get("/app/kab-jepara/settings/channels/").status_code == 200
    assert client.post("/app/kab-jepara/settings/channels/", {"platform": "x"}).status_code == 404
    assert client.post(f"/app/kab-jepara/settings/channels/{channel.pk}/remove/").status_code == 403
