"""Passkeys (WebAuthn, django-otp-webauthn) as a second factor: adding one through the package's
views with a software authenticator, signing in with password + passkey, the relying party taken
from HUMAS_BACKOFFICE_URL, what is refused (another origin, another person's passkey, a replay,
passwordless sign-in), the limit on wrong answers, removal (recent proof, the last factor of
someone who must have one), the audit events, and a passkey counting as an enrolled factor."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from humas.accounts import passkeys, twofactor
from humas.audit.models import AuditEvent
from humas.offices.models import Membership
from humas.offices.services import membership_two_factor_reset
from tests.factories import PASSWORD
from tests.twofactor import code_for, enrol

from .softauthn import SoftPasskey

pytestmark = pytest.mark.django_db

BACKOFFICE = "https://humas.kpu.test"
RP_ID = "humas.kpu.test"
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
PAGE = "/accounts/two-factor/"
ADD = "/accounts/two-factor/passkeys/add/"
REGISTER_BEGIN = "/accounts/two-factor/passkeys/register/begin/"
REGISTER_COMPLETE = "/accounts/two-factor/passkeys/register/complete/"
VERIFY_BEGIN = "/accounts/two-factor/passkeys/verify/begin/"
VERIFY_COMPLETE = "/accounts/two-factor/passkeys/verify/complete/"


@pytest.fixture(autouse=True)
def _backoffice(settings):
    settings.HUMAS_BACKOFFICE_URL = BACKOFFICE
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email):
    return client.post("/accounts/login/", {"email": email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")


def post_json(client, path, data=None, **extra):
    return client.post(
        path, data or {}, content_type="application/json", HTTP_ACCEPT="application/json", **extra
    )


def add_passkey(client, authenticator, name="Ponsel kantor", next_url=""):
    begin = post_json(client, REGISTER_BEGIN)
    assert begin.status_code == 200, begin.content
    path = REGISTER_COMPLETE + (f"?next={quote(next_url, safe='')}" if next_url else "")
    return post_json(client, path, {"name": name, "credential": authenticator.register(begin.json())})


def verify_with(client, authenticator, next_url="", **sign):
    begin = post_json(client, VERIFY_BEGIN)
    assert begin.status_code == 200, begin.content
    path = VERIFY_COMPLETE + (f"?next={quote(next_url, safe='')}" if next_url else "")
    return post_json(client, path, authenticator.sign(begin.json(), **sign))


def with_passkey(member, code, role, email, name="Ponsel kantor"):
    """A person who added a passkey (through the pages, in a throwaway browser) and nothing else."""
    user = member(code, role, email=email)
    other = Client()
    sign_in(other, email)
    authenticator = SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID)
    assert add_passkey(other, authenticator, name).status_code == 200
    cache.clear()
    return user, authenticator


def scripts_are_files_or_data(html: str) -> bool:
    """Every <script> either loads a file or holds JSON: nothing inline for the CSP to refuse."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return all("src=" in tag or 'type="application/json"' in tag for tag in tags)


# --- the relying party is the configured back office --------------------------------------------


@pytest.mark.parametrize(
    ("url", "available", "rp_id"),
    [
        ("https://humas.kpu.go.id", True, "humas.kpu.go.id"),
        ("https://Humas.KPU.go.id:8443", True, "humas.kpu.go.id"),
        ("http://localhost:8000", True, "localhost"),
        ("http://127.0.0.1:8000", False, "127.0.0.1"),  # an IP address cannot be a relying party
        ("https://10.0.0.5", False, "10.0.0.5"),
        ("http://humas.kpu.go.id", False, "humas.kpu.go.id"),  # browsers refuse plain http
        ("", False, ""),
    ],
)
def test_the_relying_party_and_whether_passkeys_are_offered_follow_the_back_office_url(
    settings, url, available, rp_id
):
    settings.HUMAS_BACKOFFICE_URL = url

    assert passkeys.available() is available
    assert passkeys.relying_party_id() == rp_id


@pytest.mark.parametrize(
    ("url", "origins"),
    [
        ("https://Humas.KPU.go.id/", ["https://humas.kpu.go.id"]),
        ("https://humas.kpu.go.id:443/humas", ["https://humas.kpu.go.id"]),
        ("https://humas.kpu.go.id:8443", ["https://humas.kpu.go.id:8443"]),
        ("http://localhost:8000", ["http://localhost:8000"]),
        ("", []),
    ],
)
def test_the_one_accepted_origin_is_the_back_offices_as_a_browser_writes_it(settings, url, origins):
    settings.HUMAS_BACKOFFICE_URL = url

    assert passkeys.allowed_origins() == origins


def test_the_ceremony_names_the_configured_back_office_whatever_host_the_request_names(client, member):
    member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")

    options = post_json(client, REGISTER_BEGIN, HTTP_HOST="127.0.0.1").json()

    assert options["rp"] == {"id": RP_ID, "name": "Humas"}
    assert options["user"]["name"] == "op@kpu.test"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"


def test_an_answer_made_for_another_origin_or_relying_party_is_refused(client, member):
    user = member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")
    phished = SoftPasskey(origin="https://humas-kpu.example", rp_id=RP_ID)

    refused = add_passkey(client, phished)

    assert refused.status_code == 422
    assert refused.json()["detail"] == "Passkey tidak dapat ditambahkan. Coba lagi."
    assert not WebAuthnCredential.objects.filter(user=user).exists()


def test_an_http_back_office_offers_no_passkeys_and_its_endpoints_refuse(client, member, settings):
    settings.HUMAS_BACKOFFICE_URL = "http://127.0.0.1:8000"
    member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")

    page = client.get(PAGE)
    add = client.get(ADD)
    begin = post_json(client, REGISTER_BEGIN)

    assert ADD not in page.content.decode()
    assert add.status_code == 404
    assert "Passkey tidak tersedia di alamat ini." in add.content.decode()
    assert begin.status_code == 404
    assert begin.json()["detail"] == "Passkey tidak tersedia di alamat ini."


# --- adding a passkey ---------------------------------------------------------------------------


def test_an_optional_person_adds_a_named_passkey_and_is_led_to_make_recovery_codes(client, member):
    user = member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")
    page = client.get(ADD)
    authenticator = SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID)

    added = add_passkey(client, authenticator, name="  Ponsel   kantor  ")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="passkey-config"' in html and 'data-passkey="register"' in html
    assert '<script src="/static/accounts/passkeys.js" defer></script>' in html
    assert scripts_are_files_or_data(html)
    assert added.status_code == 200
    passkey = WebAuthnCredential.objects.get(user=user)
    assert (passkey.name, passkey.confirmed) == ("Ponsel kantor", True)
    assert added.json() == {
        "id": passkey.pk,
        "redirect_url": "/accounts/two-factor/recovery-codes/?next=%2Fapp%2F",
    }
    # A first factor verifies the session it was added in.
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert twofactor.has_device(user) and not twofactor.has_authenticator_app(user)
    assert AuditEvent.objects.filter(action="auth.passkey_add", actor=user).count() == 1

    codes_page = client.get(added.json()["redirect_url"])
    codes = client.post("/accounts/two-factor/recovery-codes/", {"next": "/app/"})
    assert codes_page.status_code == 200 and "Nanti saja" in codes_page.content.decode()
    assert len(codes.context["codes"]) == 10 and codes.context["next"] == "/app/"
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_the_page_lists_passkeys_with_name_added_and_last_used(client, member):
    user, authenticator = with_passkey(member, "33.20", "operator", "op@kpu.test", name="Laptop <b>")
    sign_in(client, user.email)
    verify_with(client, authenticator)
    second = SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID)
    add_passkey(client, second, name="Kunci keamanan")

    html = client.get(PAGE).content.decode()

    listed = html.split('id="passkeys"', 1)[1]
    assert "Laptop &lt;b&gt;" in listed and "Kunci keamanan" in listed
    assert listed.count("Ditambahkan ") == 2
    assert "Terakhir dipakai " in listed and "Belum pernah dipakai" in listed
    assert "Aktif: setiap kali masuk, Anda memakai passkey selain kata sandi." in html
    for passkey in WebAuthnCredential.objects.filter(user=user):
        assert f"/accounts/two-factor/passkeys/{passkey.pk}/remove/" in listed


def test_a_required_person_may_enrol_a_passkey_instead_of_an_authenticator_app(client, member):
    user = member("33", "editor", email="editor@kpu.test")
    sign_in(client, "editor@kpu.test")
    blocked = client.get("/app/jateng/")
    setup = client.get(blocked["Location"])
    link = re.search(r'id="passkey-instead" href="([^"]+)"', setup.content.decode()).group(1)
    add_page = client.get(link)

    added = add_passkey(client, SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID), next_url="/app/jateng/")

    assert blocked["Location"] == f"{SETUP}?next=%2Fapp%2Fjateng%2F"
    assert link == f"{ADD}?next=%2Fapp%2Fjateng%2F"
    assert add_page.status_code == 200
    assert added.json()["redirect_url"] == "/accounts/two-factor/recovery-codes/?next=%2Fapp%2Fjateng%2F"
    assert client.get("/app/jateng/notifications/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_adding_a_passkey_beside_an_authenticator_app_needs_the_app_first(client, member):
    user = member("33", "editor", email="editor@kpu.test")
    enrol_client = Client()
    sign_in(enrol_client, user.email)
    enrol(enrol_client, user)
    cache.clear()
    sign_in(client, user.email)  # password only: not verified yet

    page = client.get(ADD)
    begin = post_json(client, REGISTER_BEGIN)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    client.post(VERIFY, {"code": code_for(device, steps=1)})
    added = add_passkey(client, SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID))

    assert page.status_code == 302 and page["Location"] == f"{VERIFY}?next={quote(ADD, safe='')}"
    assert begin.status_code == 403
    assert begin.json()["detail"] == "Verifikasi dulu dengan faktor kedua yang sudah Anda punya."
    assert added.status_code == 200
    # Recovery codes exist already: straight back to the page.
    assert added.json()["redirect_url"] == "/app/"
    # The session stays verified with the app it was verified with.
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_adding_a_passkey_needs_a_recent_proof(client, member):
    member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()

    page = client.get(ADD)
    begin = post_json(client, REGISTER_BEGIN)

    assert page.status_code == 302 and page["Location"].startswith("/accounts/confirm/")
    assert begin.status_code == 403
    assert begin.json()["detail"] == "Konfirmasi dulu bahwa ini Anda, lalu ulangi."
    assert begin.json()["redirect_url"] == f"/accounts/confirm/?next={quote(ADD, safe='')}"


def test_an_unnamed_or_over_long_name_and_a_replayed_registration_are_refused(client, member):
    user = member("33.20", "operator", email="op@kpu.test")
    sign_in(client, "op@kpu.test")
    authenticator = SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID)

    empty = add_passkey(client, authenticator, name="   ")
    long = add_passkey(client, authenticator, name="x" * 65)
    begin = post_json(client, REGISTER_BEGIN)
    answer = {"name": "Ponsel", "credential": authenticator.register(begin.json())}
    first = post_json(client, REGISTER_COMPLETE, answer)
    replay = post_json(client, REGISTER_COMPLETE, answer)

    assert empty.status_code == long.status_code == 400
    assert empty.json()["detail"] == "Beri passkey ini nama (paling banyak 64 karakter)."
    assert first.status_code == 200
    assert replay.status_code == 400
    assert replay.json()["code"] == "invalid_state"
    assert WebAuthnCredential.objects.filter(user=user).count() == 1


def test_the_ceremony_endpoints_need_the_csrf_token(member):
    member("33.20", "operator", email="op@kpu.test")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    client.post(
        "/accounts/login/",
        {"email": "op@kpu.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
        REMOTE_ADDR="198.51.100.7",
    )

    without = post_json(client, REGISTER_BEGIN)
    config = client.get(ADD).context["passkey_config"]
    with_token = post_json(client, REGISTER_BEGIN, HTTP_X_CSRFTOKEN=config["csrfToken"])

    assert without.status_code == 403
    assert with_token.status_code == 200


# --- signing in with a passkey ------------------------------------------------------------------


def test_with_a_passkey_the_password_leads_to_the_verify_page_and_the_passkey_opens_the_back_office(
    client, member
):
    user, authenticator = with_passkey(member, "33.20", "admin", "admin.jepara@kpu.test")

    signed = client.post(
        "/accounts/login/?next=/app/kab-jepara/settings/people/",
        {"email": user.email, "password": PASSWORD, "next": "/app/kab-jepara/settings/people/"},
    )
    blocked = client.get("/app/kab-jepara/")
    page = client.get(signed["Location"])
    options = post_json(client, VERIFY_BEGIN).json()
    verified = post_json(
        client,
        page.context["passkey_config"]["completeUrl"],
        authenticator.sign(options),
    )

    html = page.content.decode()
    assert signed["Location"] == f"{VERIFY}?next=%2Fapp%2Fkab-jepara%2Fsettings%2Fpeople%2F"
    assert (blocked.status_code, blocked["Location"]) == (302, f"{VERIFY}?next=%2Fapp%2Fkab-jepara%2F")
    assert "Gunakan passkey" in html and 'data-passkey="verify"' in html
    assert 'name="code"' not in html  # no authenticator app: no code to type
    assert 'name="recovery_code"' in html
    assert scripts_are_files_or_data(html)
    assert options["rpId"] == RP_ID
    assert [c["id"] for c in options["allowCredentials"]] == [authenticator.id]
    assert verified.status_code == 200
    assert verified.json()["redirect_url"] == "/app/kab-jepara/settings/people/"
    passkey = WebAuthnCredential.objects.get(user=user)
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.get("/app/kab-jepara/notifications/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert passkey.last_used_at is not None and passkey.sign_count == 1
    assert AuditEvent.objects.filter(action="auth.passkey_used", actor=user).count() == 1


def test_the_code_forms_stay_beside_the_passkey_button(client, member):
    user, authenticator = with_passkey(member, "33", "editor", "editor@kpu.test")
    # Add an authenticator app too (verified with the passkey in that browser).
    other = Client()
    sign_in(other, user.email)
    verify_with(other, authenticator)
    response = other.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    other.post(SETUP, {"code": code_for(device)})
    cache.clear()

    sign_in(client, user.email)
    html = client.get(VERIFY).content.decode()
    by_code = client.post(VERIFY, {"code": code_for(device, steps=1)})

    assert response.status_code == 200
    assert "Gunakan passkey" in html
    assert 'name="code"' in html and 'autocomplete="one-time-code"' in html
    assert 'name="recovery_code"' in html
    assert by_code.status_code == 302


def test_a_passkey_proves_nothing_for_someone_else_or_without_a_password(member):
    owner, authenticator = with_passkey(member, "33.20", "operator", "op@kpu.test")
    member("33.20", "operator", email="lain@kpu.test")
    thief, anonymous = Client(), Client()
    sign_in(thief, "lain@kpu.test")

    stolen = verify_with(thief, authenticator)
    passwordless = post_json(anonymous, VERIFY_BEGIN)

    assert stolen.status_code == 403
    assert stolen.json()["detail"] == "Passkey ini tidak terdaftar untuk akun Anda."
    assert DEVICE_ID_SESSION_KEY not in thief.session
    assert passwordless.status_code == 403
    assert "_auth_user_id" not in anonymous.session


def test_a_replayed_or_forged_answer_is_refused_and_wrong_answers_are_limited(client, member):
    user, authenticator = with_passkey(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)

    begin = post_json(client, VERIFY_BEGIN).json()
    answer = authenticator.sign(begin)
    first = post_json(client, VERIFY_COMPLETE, answer)
    replay = post_json(client, VERIFY_COMPLETE, answer)

    other = Client()
    sign_in(other, user.email)
    wrong_origin = [
        verify_with(other, authenticator, origin="https://evil.example").status_code for _ in range(5)
    ]
    refused = post_json(other, VERIFY_COMPLETE, authenticator.sign(begin))

    assert first.status_code == 200
    assert replay.status_code == 400 and replay.json()["code"] == "invalid_state"
    assert wrong_origin == [422] * 5
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert DEVICE_ID_SESSION_KEY not in other.session


# --- a passkey is a second factor like the others -----------------------------------------------


def test_a_confirmed_passkey_counts_as_enrolled_for_the_gate(client, member):
    user, _ = with_passkey(member, "33.20", "operator", "op@kpu.test")

    sign_in(client, user.email)

    # An optional person who enrolled owes the second factor, as with an app: the verify page.
    assert client.get("/app/kab-jepara/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/me").status_code == 403
    assert twofactor.has_device(user)


def test_the_confirmation_page_asks_no_code_of_someone_with_only_a_passkey(client, member):
    user, authenticator = with_passkey(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    verify_with(client, authenticator)

    page = client.get("/accounts/confirm/?next=/app/jateng/")

    assert page.status_code == 200
    assert 'name="code"' not in page.content.decode()


# --- removing -----------------------------------------------------------------------------------


def _stale(client):
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()


def test_removing_a_passkey_needs_a_recent_proof_and_is_audited(client, member):
    user, authenticator = with_passkey(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    verify_with(client, authenticator)
    add_passkey(client, SoftPasskey(origin=BACKOFFICE, rp_id=RP_ID), name="Laptop")
    laptop = WebAuthnCredential.objects.get(user=user, name="Laptop")
    url = f"/accounts/two-factor/passkeys/{laptop.pk}/remove/"
    _stale(client)

    stale = client.post(url, HTTP_REFERER=f"http://testserver{PAGE}")
    client.post("/accounts/confirm/", {"password": PASSWORD, "next": url})
    confirm = client.get(url)
    done = client.post(url)

    assert stale.status_code == 302 and stale["Location"].startswith("/accounts/confirm/")
    assert confirm.status_code == 200
    assert "Setelah dihapus, passkey ini tidak dapat dipakai lagi" in confirm.content.decode()
    assert done.status_code == 302 and done["Location"] == PAGE
    assert list(WebAuthnCredential.objects.filter(user=user).values_list("name", flat=True)) == [
        "Ponsel kantor"
    ]
    assert AuditEvent.objects.filter(action="auth.passkey_remove", actor=user).count() == 1
    assert "Passkey “Laptop” dihapus." in client.get(PAGE).content.decode()


def test_the_last_factor_of_someone_who_must_have_one_cannot_be_removed(client, member):
    user, authenticator = with_passkey(member, "33", "editor", "editor@kpu.test")
    sign_in(client, user.email)
    verify_with(client, authenticator)
    passkey = WebAuthnCredential.objects.get(user=user)
    url = f"/accounts/two-factor/passkeys/{passkey.pk}/remove/"

    page = client.get(url)
    post = client.post(url)

    assert page.status_code == post.status_code == 403
    assert "peran Anda mewajibkan verifikasi dua langkah" in post.content.decode()
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    assert not AuditEvent.objects.filter(action="auth.passkey_remove").exists()


def test_the_last_passkey_of_someone_else_goes_with_the_recovery_codes(client, member):
    user, authenticator = with_passkey(member, "33.20", "operator", "op@kpu.test")
    sign_in(client, user.email)
    verify_with(client, authenticator)
    client.post("/accounts/two-factor/recovery-codes/")
    passkey = WebAuthnCredential.objects.get(user=user)
    url = f"/accounts/two-factor/passkeys/{passkey.pk}/remove/"

    page = client.get(url)
    done = client.post(url)

    assert "Ini faktor kedua terakhir Anda" in page.content.decode()
    assert done.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert not twofactor.has_device(user)
    assert client.get("/app/kab-jepara/notifications/").status_code == 200


def test_nobody_removes_another_persons_passkey_or_removes_one_unverified(client, member):
    owner, _ = with_passkey(member, "33.20", "operator", "op@kpu.test")
    stranger, stranger_key = with_passkey(member, "33.20", "operator", "lain@kpu.test")
    url = f"/accounts/two-factor/passkeys/{WebAuthnCredential.objects.get(user=owner).pk}/remove/"
    own = f"/accounts/two-factor/passkeys/{WebAuthnCredential.objects.get(user=stranger).pk}/remove/"
    sign_in(client, stranger.email)

    unverified = client.post(own)
    verify_with(client, stranger_key)
    foreign = client.post(url)

    assert unverified.status_code == 302 and unverified["Location"].startswith(VERIFY)
    assert foreign.status_code == 404
    assert WebAuthnCredential.objects.filter(user=owner).exists()
    assert WebAuthnCredential.objects.filter(user=stranger).exists()


def test_turning_off_and_an_administrators_reset_remove_passkeys_too(client, member, offices):
    optional, key = with_passkey(member, "33.20", "operator", "op@kpu.test")
    sign_in(client, optional.email)
    verify_with(client, key)
    page = client.get("/accounts/two-factor/disable/")
    client.post("/accounts/two-factor/disable/")

    person, _ = with_passkey(member, "33.20", "editor", "editor.jepara@kpu.test")
    admin = member("33", "admin", email="admin.jateng@kpu.test")
    removed = membership_two_factor_reset(actor=admin, membership=Membership.objects.get(user=person))

    assert "Passkey Anda juga dihapus dari Humas." in page.content.decode()
    assert not WebAuthnCredential.objects.filter(user=optional).exists()
    assert AuditEvent.objects.filter(action="auth.two_factor_disable", actor=optional).count() == 1
    assert removed == 1
    assert not WebAuthnCredential.objects.filter(user=person).exists()
