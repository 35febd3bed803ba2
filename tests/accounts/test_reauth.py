"""Sensitive actions need a recent proof of identity (humas/accounts/reauth.py)."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.core.cache import cache

from humas.audit.models import AuditEvent
from humas.offices.models import Membership
from tests.factories import PASSWORD
from tests.twofactor import enrol

pytestmark = pytest.mark.django_db

PEOPLE = "http://testserver/app/kab-jepara/settings/people/"


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stale(client, member):
    """An Administrator of Jepara signed in an hour ago, and a member to remove."""
    admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    target = member("33.20", "operator", email="op@kpu.test")
    client.force_login(admin)
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()
    return admin, Membership.objects.get(user=target)


def remove(client, membership):
    return client.post(f"/app/kab-jepara/settings/people/{membership.pk}/remove/", HTTP_REFERER=PEOPLE)


def test_an_old_sign_in_is_sent_to_confirm_and_nothing_changes(client, stale):
    _, membership = stale

    response = remove(client, membership)

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/accounts/confirm/?next=http%3A%2F%2Ftestserver%2Fapp%2Fkab-jepara%2Fsettings%2Fpeople%2F"
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_confirming_the_password_returns_to_the_page_and_the_action_then_goes_through(client, stale):
    admin, membership = stale

    wrong = client.post("/accounts/confirm/", {"password": "bukan-ini", "next": PEOPLE})
    right = client.post("/accounts/confirm/", {"password": PASSWORD, "next": PEOPLE})
    after = remove(client, membership)

    assert wrong.status_code == 400
    assert "Kata sandi salah." in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == PEOPLE
    assert after.status_code == 302 and "/accounts/confirm/" not in after["Location"]
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="auth.reauth", actor=admin).count() == 1


def test_a_fresh_sign_in_needs_no_confirmation(client, member):
    admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    target = Membership.objects.get(user=member("33.20", "operator"))
    client.post("/accounts/login/", {"email": admin.email, "password": PASSWORD})
    enrol(client, admin)  # an Administrator signs in with a second factor

    response = remove(client, target)

    assert "/accounts/confirm/" not in response["Location"]
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_confirmation_guesses_are_limited(client, stale):
    for _ in range(5):
        client.post("/accounts/confirm/", {"password": "tebakan", "next": PEOPLE})

    response = client.post("/accounts/confirm/", {"password": PASSWORD, "next": PEOPLE})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_confirmation_never_sends_to_another_site(client, stale):
    response = client.post("/accounts/confirm/", {"password": PASSWORD, "next": "https://evil.example/"})

    assert response["Location"] == "/app/"


@pytest.mark.parametrize(
    "path",
    [
        "/app/kab-jepara/settings/channels/{channel}/remove/",
        "/app/kab-jepara/settings/channels/{channel}/connect/",
        "/app/kab-jepara/settings/channels/{channel}/oauth/",
    ],
)
def test_channel_connecting_and_removing_need_a_recent_proof(client, stale, path):
    from humas.channels.services import ChannelInput, channel_create
    from humas.offices.models import Office

    admin, _ = stale
    channel = channel_create(
        actor=admin,
        office=Office.objects.get(code="33.20"),
        data=ChannelInput(platform="telegram", name="KPU"),
    )

    response = client.post(path.format(channel=channel.pk), {"token": "x"}, HTTP_REFERER=PEOPLE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    channel.refresh_from_db()
    assert channel.is_active


def test_withdrawing_from_every_channel_needs_a_recent_proof(client, stale):
    response = client.post("/app/kab-jepara/content/1/publications/1/withdraw/", HTTP_REFERER=PEOPLE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")


def test_the_withdrawal_confirmation_asks_for_the_proof_before_the_reason_is_typed(client, stale):
    # Opening the confirmation page already asks (#14): the reason typed after it is not lost.
    page = "/app/kab-jepara/content/1/publications/1/withdraw/"

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/confirm/?next={quote(page, safe='')}"


def test_changing_a_role_needs_a_recent_proof(client, stale):
    _, membership = stale

    response = client.post(
        f"/app/kab-jepara/settings/people/{membership.pk}/role/", {"role": "editor"}, HTTP_REFERER=PEOPLE
    )

    membership.refresh_from_db()
    assert response["Location"].startswith("/accounts/confirm/")
    assert membership.role == "operator"
