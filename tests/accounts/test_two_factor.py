"""The second factor (TOTP and recovery codes): who must enrol, signing in with a code, codes
refused and limited, recovery codes, turning it off, and an Administrator's reset."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.offices.models import Membership
from humas.offices.services import membership_two_factor_reset
from tests.factories import PASSWORD, MembershipFactory
from tests.twofactor import code_for, enrol

pytestmark = pytest.mark.django_db

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
WRONG = "Kode salah, sudah dipakai, atau kedaluwarsa."


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR="198.51.100.7")


def enrolled(member, code, role, email):
    """A person with a confirmed authenticator (enrolled through the pages in a throwaway browser)."""
    user = member(code, role, email=email)
    other = Client()
    sign_in(other, email)
    recovery = enrol(other, user)
    cache.clear()
    return user, TOTPDevice.objects.get(user=user, confirmed=True), recovery


# --- who must -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "role", "required"),
    [
        ("00", "viewer", True),  # national office, any role
        ("33", "analyst", True),  # provincial office, any role
        ("33.20", "admin", True),  # Administrator anywhere
        ("33.20", "editor", True),  # Editor anywhere
        ("33.20", "operator", False),
        ("33.20", "analyst", False),
        ("33.20", "viewer", False),
    ],
)
def test_policy_requires_a_second_factor_for_national_provincial_and_approving_roles(
    member, code, role, required
):
    assert policy.two_factor_required(member(code, role)) is required


def test_policy_requires_it_of_a_regency_operator_who_is_also_a_provincial_viewer(member, offices):
    user = member("33.20", "operator")
    MembershipFactory(user=user, office=offices["33"], role="viewer")

    assert policy.two_factor_required(user) is True


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def back_office_paths(slug):
    """Every page under /app/ (ids and slugs filled in: the guard answers before any view runs), and
    the Django admin."""
    from humas.config.urls import urlpatterns

    paths = set()
    for route in _routes(urlpatterns):
        if not route.startswith("app/") or "^" in route or "(?P" in route:
            continue
        route = re.sub(r"<slug:\w+>", slug, route)
        route = re.sub(r"<int:\w+>", "1", route)
        paths.add("/" + re.sub(r"<(?:str|path|uuid):\w+>", "x", route))
    return sorted(paths) + ["/admin/", "/admin/accounts/user/"]


@pytest.mark.parametrize(
    ("code", "role", "slug"), [("33", "editor", "jateng"), ("33.20", "admin", "kab-jepara")]
)
def test_a_required_person_without_a_device_is_led_to_enrolment_from_every_back_office_page(
    client, member, code, role, slug
):
    member(code, role, email="wajib@kpu.test")

    signed = sign_in(client, "wajib@kpu.test")
    answers = {path: client.get(path) for path in back_office_paths(slug)}
    post = client.post(f"/app/{slug}/settings/people/invite/", {"email": "x@kpu.test", "role": "viewer"})
    api = client.get("/api/v1/me")

    assert signed.status_code == 302
    assert len(answers) > 40
    assert {
        path: (r.status_code, r["Location"].split("?")[0]) for path, r in answers.items()
    } == dict.fromkeys(back_office_paths(slug), (302, SETUP))
    assert answers[f"/app/{slug}/settings/people/"]["Location"] == (
        f"{SETUP}?next=%2Fapp%2F{slug}%2Fsettings%2Fpeople%2F"
    )
    assert (post.status_code, post["Location"]) == (302, SETUP)
    assert not Membership.objects.filter(user__email="x@kpu.test").exists()
    assert api.status_code == 403
    assert api.json() == {"detail": "Verifikasi dua langkah diperlukan."}


def test_sign_out_language_switch_and_static_files_stay_reachable_before_enrolment(client, member):
    member("33", "editor", email="wajib@kpu.test")
    sign_in(client, "wajib@kpu.test")

    language = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get(SETUP)
    out = client.post("/accounts/logout/")

    assert language.status_code == 302
    assert page.status_code == 200
    assert out.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("code", "role"), [("33.20", "operator"), ("33.20", "analyst"), ("33.20", "viewer")])
def test_an_optional_person_without_a_device_reaches_the_back_office_with_a_password(
    client, member, code, role
):
    member(code, role, email="biasa@kpu.test")

    sign_in(client, "biasa@kpu.test")

    assert client.get("/app/kab-jepara/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/accounts/two-factor/").status_code == 200


# --- enrolment ----------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_secret_and_asks_for_a_one_time_code(client, member):
    user = member("33", "editor", email="wajib@kpu.test")
    sign_in(client, "wajib@kpu.test")

    first = client.get(SETUP)
    again = client.get(SETUP)

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = first.context["secret"].replace(" ", "")
    html = first.content.decode()
    assert first.status_code == 200
    assert "<svg" in html and "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert again.context["secret"] == first.context["secret"]
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html


def test_enrolment_confirms_with_a_first_code_shows_ten_recovery_codes_once_and_opens_the_back_office(
    client, member
):
    user = member("33", "editor", email="wajib@kpu.test")
    sign_in(client, "wajib@kpu.test")
    client.get(SETUP + "?next=/app/jateng/settings/people/")
    device = TOTPDevice.objects.get(user=user)

    wrong = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111"})
    right = client.post(SETUP, {"code": code_for(device), "next": "/app/jateng/settings/people/"})

    assert wrong.status_code == 400
    assert WRONG in wrong.content.decode()
    assert right.status_code == 200
    codes = right.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert right.context["next"] == "/app/jateng/settings/people/"
    assert 'download="humas-kode-pemulihan.txt"' in right.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 10
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/app/jateng/settings/people/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enrol", actor=user).count() == 1


# --- signing in with a device -------------------------------------------------------------------


def test_with_a_device_the_password_leads_to_the_code_page_and_the_code_opens_the_back_office(client, member):
    user, device, _ = enrolled(member, "33.20", "admin", "admin.jepara@kpu.test")

    signed = client.post(
        "/accounts/login/?next=/app/kab-jepara/settings/people/",
        {"email": user.email, "password": PASSWORD, "next": "/app/kab-jepara/settings/people/"},
    )
    blocked = client.get("/app/kab-jepara/")
    page = client.get(signed["Location"])
    verified = client.post(
        VERIFY, {"code": code_for(device, steps=1), "next": "/app/kab-jepara/settings/people/"}
    )

    assert signed["Location"] == f"{VERIFY}?next=%2Fapp%2Fkab-jepara%2Fsettings%2Fpeople%2F"
    assert (blocked.status_code, blocked["Location"]) == (302, f"{VERIFY}?next=%2Fapp%2Fkab-jepara%2F")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    assert verified.status_code == 302 and verified["Location"] == "/app/kab-jepara/settings/people/"
    assert client.get("/app/kab-jepara/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor", actor=user).count() == 1


def test_an_optional_person_who_enrolled_needs_the_code_too(client, member):
    user, device, _ = enrolled(member, "33.20", "operator", "op@kpu.test")

    sign_in(client, user.email)

    assert client.get("/app/kab-jepara/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/me").status_code == 403


def test_a_password_alone_can_neither_enrol_a_new_authenticator_nor_make_recovery_codes(client, member):
    user, device, recovery = enrolled(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)

    setup = client.get(SETUP)
    renew = client.post("/accounts/two-factor/recovery-codes/")
    disable = client.post("/accounts/two-factor/disable/")

    assert setup.status_code == 302 and setup["Location"].startswith(VERIFY)
    assert renew.status_code == 302 and renew["Location"] == "/accounts/two-factor/"
    assert disable.status_code == 403
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [(device.pk, True)]
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(recovery)


def test_a_wrong_code_is_refused_with_a_clear_message(client, member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    right = code_for(device, steps=1)

    response = client.post(VERIFY, {"code": "1" + right[1:] if right[0] != "1" else "2" + right[1:]})

    assert response.status_code == 400
    assert WRONG in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_code_cannot_be_used_twice(member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    code = code_for(device, steps=1)
    first, second = Client(), Client()
    sign_in(first, user.email)
    sign_in(second, user.email)

    accepted = first.post(VERIFY, {"code": code})
    replayed = second.post(VERIFY, {"code": code})

    assert accepted.status_code == 302
    assert replayed.status_code == 400
    assert WRONG in replayed.content.decode()
    assert DEVICE_ID_SESSION_KEY not in second.session


def test_an_expired_code_is_refused(client, member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)

    response = client.post(VERIFY, {"code": code_for(device, steps=-3)})

    assert response.status_code == 400
    assert WRONG in response.content.decode()


def test_a_recovery_code_works_once(member):
    user, _, recovery = enrolled(member, "33", "editor", "editor@kpu.test")
    first, second = Client(), Client()
    sign_in(first, user.email)
    sign_in(second, user.email)

    used = first.post(VERIFY, {"recovery_code": recovery[0][:4] + "-" + recovery[0][4:].upper()})
    again = second.post(VERIFY, {"recovery_code": recovery[0]})

    assert used.status_code == 302
    assert first.get("/app/jateng/").status_code == 200
    assert again.status_code == 400
    assert "Kode pemulihan salah atau sudah dipakai." in again.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert AuditEvent.objects.filter(action="auth.recovery_code_used", actor=user).count() == 1


def test_wrong_codes_are_limited_per_person_with_retry_after(client, member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    right = code_for(device, steps=1)
    wrong = "1" + right[1:] if right[0] != "1" else "2" + right[1:]
    answers = [client.post(VERIFY, {"code": wrong}).status_code for _ in range(5)]

    # Another browser of the same person is limited too, even with the right code.
    other = Client()
    sign_in(other, user.email)
    refused = other.post(VERIFY, {"code": right})

    assert answers == [400] * 5
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert DEVICE_ID_SESSION_KEY not in other.session


# --- recent re-authentication, turning off ------------------------------------------------------


def test_a_current_code_is_a_proof_on_the_confirmation_page(client, member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    client.force_login(user)
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()

    page = client.get("/accounts/confirm/?next=/app/jateng/")
    wrong = client.post("/accounts/confirm/", {"code": "12345", "next": "/app/jateng/"})
    right = client.post("/accounts/confirm/", {"code": code_for(device, steps=1), "next": "/app/jateng/"})

    assert 'name="code"' in page.content.decode()
    assert wrong.status_code == 400
    assert WRONG in wrong.content.decode()
    assert right.status_code == 302 and right["Location"] == "/app/jateng/"
    assert int(time.time()) - client.session["humas_auth_at"] < 5
    assert AuditEvent.objects.filter(action="auth.reauth", actor=user).count() == 1


def test_an_optional_person_can_turn_off_their_second_factor_after_a_recent_proof(client, member):
    user, device, _ = enrolled(member, "33.20", "operator", "op@kpu.test")
    sign_in(client, user.email)
    client.post(VERIFY, {"code": code_for(device, steps=1)})
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()

    stale = client.post("/accounts/two-factor/disable/")
    still = TOTPDevice.objects.filter(user=user).count()
    client.post("/accounts/confirm/", {"password": PASSWORD, "next": "/accounts/two-factor/disable/"})
    done = client.post("/accounts/two-factor/disable/")

    assert stale["Location"].startswith("/accounts/confirm/")
    assert still == 1
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert AuditEvent.objects.filter(action="auth.two_factor_disable", actor=user).count() == 1
    assert client.get("/app/kab-jepara/").status_code == 200


def test_a_required_person_cannot_turn_off_their_second_factor(client, member):
    user, device, _ = enrolled(member, "33", "editor", "editor@kpu.test")
    client.force_login(user)

    response = client.post("/accounts/two-factor/disable/")

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert not AuditEvent.objects.filter(action="auth.two_factor_disable").exists()


def test_a_session_verified_with_a_recovery_code_stays_verified_after_making_new_codes(client, member):
    user, _, recovery = enrolled(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    client.post(VERIFY, {"recovery_code": recovery[0]})

    renewed = client.post("/accounts/two-factor/recovery-codes/")

    assert renewed.status_code == 200
    assert len(renewed.context["codes"]) == 10
    assert client.get("/app/jateng/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, member):
    user, _, recovery = enrolled(member, "33", "editor", "editor@kpu.test")
    client.force_login(user)

    response = client.post("/accounts/two-factor/recovery-codes/")

    new = [c.replace("-", "") for c in response.context["codes"]]
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)
    assert not set(recovery) & set(new)
    assert AuditEvent.objects.filter(action="auth.recovery_codes_renew", actor=user).count() == 1


# --- an Administrator's reset -------------------------------------------------------------------


def test_an_administrator_above_resets_a_second_factor_audited_and_e_mailed(
    client, member, django_capture_on_commit_callbacks
):
    person, device, _ = enrolled(member, "33.20", "editor", "editor.jepara@kpu.test")
    admin = member("33", "admin", email="admin.jateng@kpu.test")
    person_browser = Client()
    sign_in(person_browser, person.email)
    person_browser.post(VERIFY, {"code": code_for(device, steps=1)})
    assert person_browser.get("/app/kab-jepara/").status_code == 200
    mail.outbox.clear()
    client.force_login(admin)
    membership = Membership.objects.get(user=person)

    page = client.get("/app/jateng/settings/people/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/app/jateng/settings/people/{membership.pk}/two-factor-reset/",
            HTTP_REFERER="http://testserver/app/jateng/settings/people/",
        )

    assert f"/app/jateng/settings/people/{membership.pk}/two-factor-reset/" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == "/app/jateng/settings/people/"
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticToken.objects.filter(device__user=person).exists()
    event = AuditEvent.objects.get(action="member.two_factor_reset")
    assert (event.actor, event.office.code) == (admin, "33.20")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editor.jepara@kpu.test"]
    assert "verifikasi dua langkah" in mail.outbox[0].subject
    assert "mengatur ulang verifikasi dua langkah" in mail.outbox[0].body
    # The person's verified session no longer counts: they enrol again.
    assert person_browser.get("/app/kab-jepara/")["Location"].startswith(SETUP)


@pytest.mark.parametrize(
    ("actor_grant", "reason"),
    [
        (("33.20", "operator"), "no member.manage"),
        (("33.21", "admin"), "another regency"),
        (("33.20", "editor"), "an Editor, not an Administrator"),
    ],
)
def test_only_an_administrator_above_may_reset(member, actor_grant, reason):
    person, _, _ = enrolled(member, "33.20", "editor", "editor.jepara@kpu.test")
    actor = member(*actor_grant)

    with pytest.raises(policy.PolicyDenied):
        membership_two_factor_reset(actor=actor, membership=Membership.objects.get(user=person))

    assert TOTPDevice.objects.filter(user=person, confirmed=True).count() == 1
    assert not AuditEvent.objects.filter(action="member.two_factor_reset").exists()


def test_a_regency_administrator_cannot_reset_a_provincial_administrator_through_a_lower_membership(
    member, offices
):
    person, _, _ = enrolled(member, "33", "admin", "admin.jateng@kpu.test")
    low = MembershipFactory(user=person, office=offices["33.20"], role="viewer")
    regency_admin = member("33.20", "admin")

    with pytest.raises(policy.PolicyDenied):
        membership_two_factor_reset(actor=regency_admin, membership=low)

    assert TOTPDevice.objects.filter(user=person, confirmed=True).count() == 1


def test_an_administrator_cannot_reset_their_own_second_factor_from_the_people_page(client, member):
    admin, _, _ = enrolled(member, "33", "admin", "admin.jateng@kpu.test")
    client.force_login(admin)
    membership = Membership.objects.get(user=admin)

    response = client.post(f"/app/jateng/settings/people/{membership.pk}/two-factor-reset/", follow=True)

    assert "Anda tidak dapat mengubah atau menghapus keanggotaan Anda sendiri." in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1


# --- the Django admin ---------------------------------------------------------------------------


def test_the_django_admin_needs_a_verified_session_even_for_staff_the_policy_does_not_name(client, member):
    staff = member("33.20", "viewer", email="staf@kpu.test")
    staff.is_staff = True
    staff.save()

    sign_in(client, "staf@kpu.test")

    assert client.get("/app/kab-jepara/").status_code == 200
    assert client.get("/admin/")["Location"] == f"{SETUP}?next=%2Fadmin%2F"
