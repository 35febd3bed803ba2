"""The fakes' OAuth endpoints: Facebook Login (dialog, code exchange, long-lived token,
me/permissions, me/accounts) and X OAuth 2.0 with PKCE (authorize page, token endpoint with
rotating refresh tokens), spoken over HTTP exactly as a client would."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from humas.channels.fakes import RunningFakes
from humas.channels.fakes.x import CLIENT_ID, CLIENT_SECRET

CALLBACK = "https://humas.example/app/oauth/meta/callback/"
X_CALLBACK = "https://humas.example/app/oauth/x/callback/"
SCOPES = "pages_show_list,pages_manage_posts,pages_read_engagement,instagram_basic,instagram_content_publish"


def query_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


# --- Facebook Login ---------------------------------------------------------------------------


def dialog(fakes: RunningFakes, **extra: str) -> tuple[str, dict[str, str]]:
    app_id = fakes.hub.graph.app_id
    params = {"client_id": app_id, "redirect_uri": CALLBACK, "state": "st4te", "scope": SCOPES, **extra}
    return f"{fakes.base_url}/v23.0/dialog/oauth", params


def login(fakes: RunningFakes, *, untick: tuple[str, ...] = (), decision: str = "allow") -> httpx.Response:
    url, params = dialog(fakes)
    page = httpx.get(url, params=params)
    assert page.status_code == 200
    assert 'value="allow"' in page.text and "pages_manage_posts" in page.text
    user_id = fakes.hub.accounts[0]["facebook"]["user_id"]
    form = {"decision": decision, "user_id": user_id}
    form.update({f"perm_{s}": "on" for s in SCOPES.split(",") if s not in untick})
    return httpx.post(url, params=params, data=form)


def exchange(fakes: RunningFakes, **params: str) -> httpx.Response:
    app = {"client_id": fakes.hub.graph.app_id, "client_secret": fakes.hub.graph.app_secret}
    return httpx.get(f"{fakes.base_url}/v23.0/oauth/access_token", params={**app, **params})


def test_login_dialog_allow_gives_a_code_for_a_user_token_then_a_long_lived_one(fakes, clock):
    answer = query_of(login(fakes))
    assert answer["state"] == "st4te"

    short = exchange(fakes, redirect_uri=CALLBACK, code=answer["code"]).json()
    assert (short["token_type"], short["expires_in"]) == ("bearer", 7200)
    long = exchange(fakes, grant_type="fb_exchange_token", fb_exchange_token=short["access_token"]).json()
    assert long["expires_in"] == 60 * 86400

    headers = {"Authorization": f"Bearer {long['access_token']}"}
    debug = httpx.get(
        f"{fakes.base_url}/v23.0/debug_token", params={"input_token": long["access_token"]}, headers=headers
    ).json()["data"]
    assert (debug["type"], debug["is_valid"], debug["expires_at"]) == (
        "USER",
        True,
        int(clock.epoch()) + 60 * 86400,
    )
    accounts = httpx.get(
        f"{fakes.base_url}/v23.0/me/accounts",
        params={"fields": "id,name,access_token,tasks,instagram_business_account{id,username}"},
        headers=headers,
    ).json()["data"]
    seeded = fakes.hub.accounts[0]
    assert [(a["id"], a["instagram_business_account"]["id"]) for a in accounts] == [
        (seeded["facebook"]["page_id"], seeded["instagram"]["ig_user_id"])
    ]
    # The Page token carries what the person granted, and does not expire on a timer.
    page_token = accounts[0]["access_token"]
    page_debug = httpx.get(
        f"{fakes.base_url}/v23.0/debug_token",
        params={"input_token": page_token},
        headers={"Authorization": f"Bearer {page_token}"},
    ).json()["data"]
    assert (page_debug["type"], page_debug["scopes"], page_debug["expires_at"]) == (
        "PAGE",
        SCOPES.split(","),
        0,
    )


def test_unticked_permission_is_declined_and_the_page_token_lacks_it(fakes):
    code = query_of(login(fakes, untick=("pages_manage_posts",)))["code"]
    token = exchange(fakes, redirect_uri=CALLBACK, code=code).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    permissions = httpx.get(f"{fakes.base_url}/v23.0/me/permissions", headers=headers).json()["data"]
    assert {"permission": "pages_manage_posts", "status": "declined"} in permissions
    page = httpx.get(f"{fakes.base_url}/v23.0/me/accounts", headers=headers).json()["data"][0]
    page_id = fakes.hub.accounts[0]["facebook"]["page_id"]
    refused = httpx.post(
        f"{fakes.base_url}/v23.0/{page_id}/feed",
        data={"message": "uji"},
        headers={"Authorization": f"Bearer {page['access_token']}"},
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, 200)


def test_cancel_redirects_with_user_denied(fakes):
    answer = query_of(login(fakes, decision="cancel"))
    assert answer == {
        "error": "access_denied",
        "error_code": "200",
        "error_description": "Permissions error",
        "error_reason": "user_denied",
        "state": "st4te",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "123"}, "Invalid App ID"),
        ({"redirect_uri": "javascript:alert(1)"}, "redirect_uri"),
        ({"scope": "pages_show_list,publish_everything"}, "Invalid Scopes: publish_everything"),
    ],
)
def test_dialog_refuses_bad_requests_with_an_error_page(fakes, change, message):
    url, params = dialog(fakes, **change)
    page = httpx.get(url, params=params)
    assert page.status_code == 400
    assert message in page.text


def test_code_exchange_is_strict(fakes, clock):
    code = query_of(login(fakes))["code"]
    mismatch = exchange(fakes, redirect_uri=CALLBACK + "other/", code=code).json()["error"]
    assert (mismatch["code"], mismatch["error_subcode"]) == (100, 36008)
    bad_secret = httpx.get(
        f"{fakes.base_url}/v23.0/oauth/access_token",
        params={"client_id": fakes.hub.graph.app_id, "client_secret": "nope", "code": code},
    ).json()["error"]
    assert (bad_secret["code"], bad_secret["message"]) == (1, "Error validating client secret.")
    assert exchange(fakes, redirect_uri=CALLBACK, code=code).status_code == 200
    reused = exchange(fakes, redirect_uri=CALLBACK, code=code).json()["error"]
    assert (reused["code"], reused["error_subcode"]) == (100, 36009)

    late = query_of(login(fakes))["code"]
    clock.now += timedelta(minutes=11)
    expired = exchange(fakes, redirect_uri=CALLBACK, code=late).json()["error"]
    assert expired["error_subcode"] == 36007


# --- X OAuth 2.0 with PKCE ----------------------------------------------------------------------


VERIFIER = "v" * 20 + "-" + "w" * 30
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def authorize(fakes: RunningFakes, *, decision: str = "allow", **extra: str) -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": X_CALLBACK,
        "scope": "tweet.read tweet.write users.read offline.access",
        "state": "xst4te",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **extra,
    }
    url = f"{fakes.base_url}/i/oauth2/authorize"
    page = httpx.get(url, params=params)
    assert page.status_code == 200, page.text
    assert "Authorize app" in page.text
    return httpx.post(
        url, params=params, data={"decision": decision, "user_id": fakes.hub.accounts[0]["x"]["user_id"]}
    )


def token(
    fakes: RunningFakes, data: dict[str, str], auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET)
) -> httpx.Response:
    return httpx.post(f"{fakes.base_url}/2/oauth2/token", data=data, auth=auth)


def code_grant(code: str, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": X_CALLBACK,
        "code_verifier": VERIFIER,
        **extra,
    }


def me(fakes: RunningFakes, access: str) -> httpx.Response:
    return httpx.get(f"{fakes.base_url}/2/users/me", headers={"Authorization": f"Bearer {access}"})


def test_x_authorization_code_with_pkce_then_rotating_refresh(fakes, clock):
    answer = query_of(authorize(fakes))
    assert answer["state"] == "xst4te"
    issued: dict[str, Any] = token(fakes, code_grant(answer["code"])).json()
    assert (issued["token_type"], issued["expires_in"], issued["scope"]) == (
        "bearer",
        7200,
        "tweet.read tweet.write users.read offline.access",
    )
    assert me(fakes, issued["access_token"]).json()["data"]["username"] == "kpu_demo1"

    refreshed = token(fakes, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}).json()
    assert refreshed["refresh_token"] != issued["refresh_token"]
    assert me(fakes, refreshed["access_token"]).status_code == 200
    # Refresh tokens rotate: the old one works once only.
    reused = token(fakes, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_request")

    clock.now += timedelta(hours=2)
    assert me(fakes, refreshed["access_token"]).status_code == 401


def test_x_token_endpoint_is_strict_about_pkce_client_and_redirect(fakes, clock):
    code = query_of(authorize(fakes))["code"]
    assert token(fakes, code_grant(code), auth=None).status_code == 401
    code = query_of(authorize(fakes))["code"]
    assert token(fakes, code_grant(code), auth=(CLIENT_ID, "wrong")).json()["error"] == "unauthorized_client"
    code = query_of(authorize(fakes))["code"]
    wrong = token(fakes, code_grant(code, code_verifier="x" * 50)).json()
    assert "code verifier" in wrong["error_description"]
    # A code works once, even after a failed attempt.
    assert token(fakes, code_grant(code)).status_code == 400
    code = query_of(authorize(fakes))["code"]
    assert (
        "redirect uri"
        in token(fakes, code_grant(code, redirect_uri=X_CALLBACK + "x")).json()["error_description"]
    )
    code = query_of(authorize(fakes))["code"]
    clock.now += timedelta(seconds=31)
    assert token(fakes, code_grant(code)).status_code == 400


def test_x_without_offline_access_gets_no_refresh_token(fakes):
    code = query_of(authorize(fakes, scope="tweet.read users.read"))["code"]
    issued = token(fakes, code_grant(code)).json()
    assert "refresh_token" not in issued


def test_x_cancel_and_bad_authorize_requests(fakes):
    assert query_of(authorize(fakes, decision="cancel")) == {"error": "access_denied", "state": "xst4te"}
    bad = httpx.get(
        f"{fakes.base_url}/i/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": X_CALLBACK,
            "state": "s",
            "scope": "tweet.read",
        },
    )
    assert (bad.status_code, "code_challenge is required" in bad.text) == (400, True)


def test_revoked_refresh_tokens_are_refused(fakes):
    issued = token(fakes, code_grant(query_of(authorize(fakes))["code"])).json()
    assert fakes.hub.x.revoke_refresh_tokens() == 1
    refused = token(fakes, {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert refused.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the token was invalid.",
    }


def test_control_api_lists_the_oauth_apps(fakes):
    apps = httpx.get(f"{fakes.base_url}/_control/oauth_apps").json()
    assert apps == {
        "meta": {"app_id": fakes.hub.graph.app_id, "app_secret": fakes.hub.graph.app_secret},
        "x": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    }
