"""Per-person API tokens: the page at /app/me/tokens/, the services, and Bearer auth on /api/v1."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from humas.accounts.apitokens import api_token_authenticate, token_hash
from humas.accounts.models import ApiToken
from humas.api.services import api_token_create, api_token_revoke
from humas.audit.models import AuditEvent
from humas.offices.models import Membership
from humas.publishing.models import Post

pytestmark = pytest.mark.django_db

TOKENS = "/app/me/tokens/"


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator(member):
    return member("33.20", "operator", email="op.jepara@kpu.test")


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def create_post(client, raw: str, office: str = "33.20"):
    return client.post(
        "/api/v1/posts",
        {"office": office, "text": "Jadwal rapat pleno terbuka.", "link": ""},
        content_type="application/json",
        **bearer(raw),
    )


# --- services ---


def test_create_stores_only_the_hash_and_returns_the_token_once(operator):
    token, raw = api_token_create(actor=operator, name="laporan", scope="read", days=30)

    assert raw.startswith(f"hms_{token.prefix}_")
    assert len(token.prefix) == 8
    assert token.key_hash == token_hash(raw)
    assert raw not in {str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()}
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_create_and_revoke_are_audited_without_the_token(operator):
    token, raw = api_token_create(actor=operator, name="laporan", scope="write", days=90)
    api_token_revoke(actor=operator, token=token)

    events = list(AuditEvent.objects.filter(actor=operator).order_by("id"))
    assert [e.action for e in events] == ["api_token.create", "api_token.revoke"]
    assert events[0].changes == {
        "name": "laporan",
        "prefix": token.prefix,
        "scope": "write",
        "expires_at": token.expires_at.isoformat(),
    }
    assert all(raw not in str(e.changes) and raw not in e.object_repr for e in events)


@pytest.mark.parametrize(
    ("name", "scope", "days"),
    [("", "read", 30), ("x", "admin", 30), ("x", "read", 7), ("x" * 81, "read", 30)],
)
def test_create_refuses_bad_input(operator, name, scope, days):
    with pytest.raises(ValidationError):
        api_token_create(actor=operator, name=name, scope=scope, days=days)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.create").exists()


def test_nobody_revokes_another_persons_token(operator, member):
    token, raw = api_token_create(actor=operator, name="laporan", scope="read", days=30)
    other = member("33.20", "admin", email="admin.jepara@kpu.test")

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_token_authenticate(raw=raw, ip=None) == token


def test_authenticate_refuses_unknown_revoked_expired_and_inactive(operator):
    token, raw = api_token_create(actor=operator, name="a", scope="read", days=30)
    assert api_token_authenticate(raw=raw, ip="10.0.0.1") == token
    assert api_token_authenticate(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B"), ip=None) is None
    assert api_token_authenticate(raw="hms_" + "x" * 200, ip=None) is None
    assert api_token_authenticate(raw="", ip=None) is None

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_token_authenticate(raw=raw, ip=None) is None

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert api_token_authenticate(raw=raw, ip=None) is None

    operator.is_active = True
    operator.save(update_fields=["is_active"])
    api_token_revoke(actor=operator, token=token)
    assert api_token_authenticate(raw=raw, ip=None) is None


def test_last_use_is_written_at_most_once_a_minute(operator, django_assert_num_queries):
    token, raw = api_token_create(actor=operator, name="a", scope="read", days=30)

    api_token_authenticate(raw=raw, ip="10.0.0.1")
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        api_token_authenticate(raw=raw, ip="10.0.0.2")
    token.refresh_from_db()
    assert token.last_used_ip == "10.0.0.1"

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    api_token_authenticate(raw=raw, ip="10.0.0.2")
    token.refresh_from_db()
    assert token.last_used_ip == "10.0.0.2"
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


# --- the page ---


def test_tokens_page_needs_sign_in(client):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_token_is_shown_once_then_only_its_prefix(client, operator, caplog):
    client.force_login(operator)
    caplog.set_level(logging.DEBUG)

    response = client.post(f"{TOKENS}new/", {"name": "skrip laporan", "scope": "read", "days": "90"})

    assert response.status_code == 200
    token = ApiToken.objects.get(owner=operator)
    raw = response.context["new_token"]
    assert raw.startswith(f"hms_{token.prefix}_")
    assert raw in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert token.name == "skrip laporan"
    assert token.scope == "read"

    later = client.get(TOKENS).content.decode()
    assert raw not in later
    assert f"hms_{token.prefix}…" in later
    assert "skrip laporan" in later
    assert raw not in caplog.text
    assert raw not in str(list(AuditEvent.objects.values_list("changes", "object_repr")))
    assert raw not in str(dict(client.session))


def test_creating_a_token_needs_a_recent_sign_in(client, operator):
    client.force_login(operator)
    session = client.session
    session["humas_auth_at"] = int(time.time()) - 3600
    session.save()

    response = client.post(
        f"{TOKENS}new/",
        {"name": "x", "scope": "write", "days": "30"},
        HTTP_REFERER=f"http://testserver{TOKENS}",
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm/")
    assert not ApiToken.objects.exists()


def test_invalid_form_creates_nothing(client, operator):
    client.force_login(operator)
    response = client.post(f"{TOKENS}new/", {"name": "x", "scope": "write", "days": "3650"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_from_the_page_stops_the_token(client, operator):
    token, raw = api_token_create(actor=operator, name="lama", scope="read", days=30)
    client.force_login(operator)

    response = client.post(f"{TOKENS}{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_another_persons_token_cannot_be_revoked_from_the_page(client, operator, member):
    token, _ = api_token_create(actor=operator, name="milik op", scope="read", days=30)
    client.force_login(member("33.20", "operator", email="lain@kpu.test"))

    assert client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_back_office_menu_links_to_the_tokens_page(client, operator):
    client.force_login(operator)
    assert f'href="{TOKENS}"' in client.get("/app/kab-jepara/").content.decode()


# --- Bearer auth on /api/v1 ---


def test_api_acts_as_the_tokens_owner(client, operator):
    _, raw = api_token_create(actor=operator, name="a", scope="read", days=30)

    response = client.get("/api/v1/me", **bearer(raw))

    assert response.status_code == 200
    assert response.json()["email"] == "op.jepara@kpu.test"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer hms_00000000_bukan-token-yang-ada",
        "Bearer ",
        "Bearer",
        "Basic b3A6cGFzcw==",
        "Bearer hms_" + "x" * 500,
    ],
)
def test_wrong_tokens_are_401(client, operator, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_revoked_and_expired_tokens_are_401(client, operator):
    revoked, raw_revoked = api_token_create(actor=operator, name="a", scope="read", days=30)
    api_token_revoke(actor=operator, token=revoked)
    expired, raw_expired = api_token_create(actor=operator, name="b", scope="read", days=30)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert client.get("/api/v1/me", **bearer(raw_revoked)).status_code == 401
    assert client.get("/api/v1/me", **bearer(raw_expired)).status_code == 401


def test_token_of_a_deactivated_person_is_401(client, operator):
    _, raw = api_token_create(actor=operator, name="a", scope="write", days=30)
    operator.is_active = False
    operator.save(update_fields=["is_active"])

    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401
    assert create_post(client, raw).status_code == 401
    assert not Post.objects.exists()


def test_token_of_a_person_whose_membership_was_removed_acts_with_no_offices(client, operator):
    _, raw = api_token_create(actor=operator, name="a", scope="write", days=30)
    Membership.objects.filter(user=operator).delete()

    assert client.get("/api/v1/me", **bearer(raw)).json()["memberships"] == []
    response = create_post(client, raw)
    assert response.status_code == 403
    assert response.json() == {"detail": "Anda tidak memiliki izin untuk tindakan ini di kantor ini."}
    assert not Post.objects.exists()


def test_read_token_is_refused_on_a_write(client, operator):
    _, raw = api_token_create(actor=operator, name="a", scope="read", days=30)

    response = create_post(client, raw)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Token ini hanya untuk membaca. Buat token dengan cakupan baca dan ubah untuk mengubah data."
    }
    assert not Post.objects.exists()


def test_write_token_creates_a_draft_and_the_change_is_audited(client, operator):
    token, raw = api_token_create(actor=operator, name="a", scope="write", days=30)

    response = create_post(client, raw)

    assert response.status_code == 201
    post = Post.objects.get()
    assert response.json()["id"] == post.pk
    assert response.json()["status"] == "draft"
    assert post.author == operator
    assert post.office.code == "33.20"
    event = AuditEvent.objects.get(action="api.post_create")
    assert event.actor == operator
    assert event.office_path == post.office.path
    assert event.object_id == str(post.pk)
    assert event.changes == {"token": token.prefix}
    assert AuditEvent.objects.filter(action="post.create", object_id=str(post.pk)).count() == 1


def test_write_token_cannot_post_in_another_office(client, operator):
    _, raw = api_token_create(actor=operator, name="a", scope="write", days=30)

    response = create_post(client, raw, office="73.71")

    assert response.status_code == 403
    assert not Post.objects.exists()
    assert not AuditEvent.objects.filter(action="api.post_create").exists()


def test_a_post_of_another_office_is_not_found_with_a_token(client, operator, member, offices):
    post = Post.objects.create(office=offices["73.71"], author=member("73.71", "admin"), text="t")
    _, raw = api_token_create(actor=operator, name="a", scope="read", days=30)

    assert client.get(f"/api/v1/posts/{post.pk}/metrics", **bearer(raw)).status_code == 404


def test_session_writes_still_need_csrf(operator, offices):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(operator)
    response = csrf_client.post(
        "/api/v1/posts", {"office": "33.20", "text": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_token_rate_limit_answers_429_with_retry_after(client, operator, settings):
    settings.HUMAS_API_TOKEN_RATE = 3
    _, raw = api_token_create(actor=operator, name="a", scope="read", days=30)
    _, other = api_token_create(actor=operator, name="b", scope="read", days=30)

    codes = [client.get("/api/v1/me", **bearer(raw)).status_code for _ in range(3)]
    refused = client.get("/api/v1/me", **bearer(raw))

    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert refused.json()["detail"].startswith("Terlalu banyak permintaan.")
    # The limit is per token: another token of the same person goes on.
    assert client.get("/api/v1/me", **bearer(other)).status_code == 200


def test_openapi_declares_the_bearer_scheme_and_refusals(client):
    schema = client.get("/api/v1/openapi.json").json()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token, `hms_<prefix>_<secret>`, created at /app/me/tokens/.",
    }
    for path, method in [
        ("/api/v1/me", "get"),
        ("/api/v1/posts/{post_id}/metrics", "get"),
        ("/api/v1/posts", "post"),
    ]:
        operation = schema["paths"][path][method]
        assert {"TokenAuth": []} in operation["security"]
        assert {"401", "403", "429"} <= set(operation["responses"])
    assert "422" in schema["paths"]["/api/v1/posts"]["post"]["responses"]
    assert "422" in schema["paths"]["/api/v1/posts/{post_id}/metrics"]["get"]["responses"]


def test_a_token_sent_with_another_scheme_is_never_logged(client, operator, settings, caplog):
    # Ninja's own bearer parsing logs an unexpected Authorization header in full under DEBUG.
    settings.DEBUG = True
    _, raw = api_token_create(actor=operator, name="a", scope="read", days=30)
    caplog.set_level(logging.DEBUG)

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 401
    assert raw not in caplog.text
