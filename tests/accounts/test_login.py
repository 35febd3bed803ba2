from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from humas.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.twofactor import enrol

pytestmark = pytest.mark.django_db

SAME_MESSAGE = "E-mail atau kata sandi salah."


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password, ip="198.51.100.1"):
    return client.post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def test_login_with_email_and_password_lands_on_first_office(client, member):
    member("33.20", "operator", email="operator@kpu.test")

    response = login(client, "OPERATOR@kpu.test", PASSWORD)

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/app/kab-jepara/"
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor_email, event.ip, event.office) == ("operator@kpu.test", "198.51.100.1", None)


@pytest.mark.parametrize("case", ["wrong password", "unknown e-mail", "inactive account"])
def test_every_failed_login_gives_the_same_message(client, member, case):
    user = member("33.20", "operator", email="operator@kpu.test")
    email, password = "operator@kpu.test", PASSWORD
    if case == "wrong password":
        password = "salah-salah-salah"
    elif case == "unknown e-mail":
        email = "tidak-ada@kpu.test"
    else:
        user.is_active = False
        user.save()

    response = login(client, email, password)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [SAME_MESSAGE]
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_per_account_even_from_many_addresses(client, member, settings):
    settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL = 3
    member("33.20", "operator", email="target@kpu.test")
    for attempt in range(3):
        login(client, "target@kpu.test", "tebakan", ip=f"198.51.100.{attempt + 10}")

    response = login(client, "target@kpu.test", PASSWORD, ip="198.51.100.99")

    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak percobaan masuk" in response.context["form"].non_field_errors()[0]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.HUMAS_LOGIN_WINDOW_SECONDS + 1


def test_a_guesser_at_one_address_is_refused_while_the_owner_signs_in_from_another(client, member, settings):
    settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT = 5
    member("33.20", "operator", email="pemilik@kpu.test")
    for _ in range(5):
        login(client, "pemilik@kpu.test", "tebakan", ip="203.0.113.66")

    stranger = login(client, "pemilik@kpu.test", PASSWORD, ip="203.0.113.66")
    owner = login(client, "pemilik@kpu.test", PASSWORD, ip="198.51.100.7")

    assert stranger.status_code == 429
    assert owner.status_code == 302


def test_the_owner_in_a_browser_that_signed_in_before_is_not_locked_by_a_distributed_guesser(
    client, member, settings
):
    from django.test import Client

    settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL = 3
    member("33.20", "operator", email="pemilik@kpu.test")
    assert login(client, "pemilik@kpu.test", PASSWORD, ip="198.51.100.7").status_code == 302
    client.post("/accounts/logout/")
    stranger = Client()
    for n in range(3):
        login(stranger, "pemilik@kpu.test", "tebakan", ip=f"203.0.113.{n + 1}")

    refused = login(stranger, "pemilik@kpu.test", PASSWORD, ip="203.0.113.9")
    owner = login(client, "pemilik@kpu.test", PASSWORD, ip="198.51.100.7")

    assert refused.status_code == 429
    assert owner.status_code == 302


def test_a_forged_known_browser_cookie_does_not_lift_the_account_limit(client, member, settings):
    settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL = 2
    member("33.20", "operator", email="pemilik@kpu.test")
    for n in range(2):
        login(client, "pemilik@kpu.test", "tebakan", ip=f"203.0.113.{n + 1}")
    client.cookies["humas_known"] = '["pemilik@kpu.test"]'

    assert login(client, "pemilik@kpu.test", PASSWORD, ip="203.0.113.9").status_code == 429


def test_login_is_throttled_per_address_across_accounts(client, member, settings):
    settings.HUMAS_LOGIN_FAILURES_PER_IP = 4
    member("33.20", "operator", email="korban@kpu.test")
    for n in range(4):
        login(client, f"akun{n}@kpu.test", "tebakan", ip="203.0.113.50")

    blocked = login(client, "korban@kpu.test", PASSWORD, ip="203.0.113.50")
    elsewhere = login(client, "korban@kpu.test", PASSWORD, ip="203.0.113.51")

    assert "Terlalu banyak percobaan masuk" in blocked.context["form"].non_field_errors()[0]
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    "data", [{}, {"email": "bukan-email", "password": "x"}, {"email": "a@b.c" * 100, "password": "x"}]
)
def test_malformed_login_input_gives_field_errors_not_500(client, data):
    response = client.post("/accounts/login/", data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_password_reset_sends_a_working_link(client, member):
    member("33.20", "operator", email="lupa@kpu.test")

    response = client.post("/accounts/password-reset/", {"email": "lupa@kpu.test"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Sandi-Baru-2029!", "new_password2": "Sandi-Baru-2029!"},
    )
    assert done.status_code == 302
    assert login(client, "lupa@kpu.test", "Sandi-Baru-2029!").status_code == 302


def test_password_reset_for_unknown_address_looks_the_same(client):
    response = client.post("/accounts/password-reset/", {"email": "siapa@kpu.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_logout_needs_post(client, member):
    client.force_login(member("33", "viewer"))
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def admin_login(client, email, password, ip="198.51.100.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"email": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_admin_sign_in_is_throttled_like_every_sign_in(client, member, settings):
    settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL = 5
    admin = member("00", "admin", email="super@kpu.test")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    for n in range(5):
        admin_login(client, "super@kpu.test", "tebakan", ip=f"198.51.100.{n + 20}")

    response = admin_login(client, "super@kpu.test", PASSWORD, ip="198.51.100.99")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak percobaan masuk" in response.context["form"].non_field_errors()[0]


def test_admin_sign_in_is_audited_and_reaches_the_admin_after_the_second_factor(client, member):
    admin = member("00", "admin", email="super@kpu.test")
    admin.is_staff = admin.is_superuser = True
    admin.save()

    response = admin_login(client, "super@kpu.test", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"
    enrol(client, admin)
    assert client.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor_email, event.ip) == ("super@kpu.test", "198.51.100.1")


def test_the_admin_sends_strangers_to_the_one_sign_in_form(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/admin/login/?next=/admin/"
    assert response.templates[0].name == "accounts/login.html"


def test_a_signed_in_person_without_admin_access_is_told_so_without_a_redirect_loop(client, member):
    client.force_login(member("33", "editor"))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1
    assert "tidak memiliki akses ke admin" in response.content.decode()


def test_password_reset_emails_are_limited_per_address_with_retry_after(client, member, settings):
    settings.HUMAS_RESET_EMAILS_PER_IP = 3
    member("33.20", "operator", email="lupa@kpu.test")
    answers = [
        client.post("/accounts/password-reset/", {"email": f"orang{n}@kpu.test"}, REMOTE_ADDR="203.0.113.5")
        for n in range(3)
    ]

    refused = client.post("/accounts/password-reset/", {"email": "lupa@kpu.test"}, REMOTE_ADDR="203.0.113.5")
    elsewhere = client.post(
        "/accounts/password-reset/", {"email": "lupa@kpu.test"}, REMOTE_ADDR="198.51.100.5"
    )

    assert [a.status_code for a in answers] == [302, 302, 302]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in refused.content.decode()
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 1


def test_one_address_cannot_flood_a_mailbox_with_reset_emails(client, member, settings):
    settings.HUMAS_RESET_EMAILS_PER_ACCOUNT = 3
    member("33.20", "operator", email="korban@kpu.test")

    statuses = [
        client.post(
            "/accounts/password-reset/", {"email": "korban@kpu.test"}, REMOTE_ADDR=f"203.0.113.{n}"
        ).status_code
        for n in range(1, 6)
    ]

    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
