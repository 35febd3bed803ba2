"""Sign-in throttling, on the one limits mechanism (humas/web/limits.py).

Failures are counted three ways, so that guessing is slowed however it is spread while a
stranger cannot lock a known person out:

* per account **and** address (``HUMAS_LOGIN_FAILURES_PER_ACCOUNT``): a guesser at one address
  is stopped; the owner at another address is not;
* per address (``HUMAS_LOGIN_FAILURES_PER_IP``): one address trying many accounts is stopped;
* per account over every address (``HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL``): guessing one account
  from many addresses is stopped, except in a browser where that person signed in before (a
  signed cookie set at sign-in), so the owner still gets in while a stranger is refused.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

from humas.web import limits

KNOWN_COOKIE = "humas_known"
_KNOWN_SALT = "humas.accounts.known-browser"
_KNOWN_MAX = 5  # people remembered per browser (a shared office computer)


def _limits() -> tuple[limits.Limit, limits.Limit, limits.Limit]:
    window = settings.HUMAS_LOGIN_WINDOW_SECONDS
    return (
        limits.Limit("sign-in-pair", settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT, window),
        limits.Limit("sign-in-address", settings.HUMAS_LOGIN_FAILURES_PER_IP, window),
        limits.Limit("sign-in-account", settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL, window),
    )


def _norm(email: str) -> str:
    return email.strip().lower()


def known_accounts(request: HttpRequest | None) -> set[str]:
    """The e-mails that signed in before in this browser (from the signed cookie)."""
    if request is None:
        return set()
    try:
        value = signing.loads(request.COOKIES.get(KNOWN_COOKIE, ""), salt=_KNOWN_SALT)
    except signing.BadSignature:
        return set()
    return {str(e) for e in value} if isinstance(value, list) else set()


def remember_account(request: HttpRequest, response: HttpResponseBase, email: str) -> None:
    """Mark this browser as one where ``email`` signed in (after a successful sign-in)."""
    known = [e for e in known_accounts(request) if e != _norm(email)]
    value = signing.dumps([_norm(email), *known][:_KNOWN_MAX], salt=_KNOWN_SALT)
    response.set_cookie(
        KNOWN_COOKIE,
        value,
        max_age=60 * 60 * 24 * 365,
        path="/accounts/",
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def login_blocked(*, email: str, ip: str | None, known: bool = False) -> int | None:
    """Seconds to wait before this sign-in may be tried, or None."""
    pair, address, account = _limits()
    waits = [limits.blocked(pair, _norm(email), ip or "")]
    if ip:
        waits.append(limits.blocked(address, ip))
    if not known:
        waits.append(limits.blocked(account, _norm(email)))
    found = [w for w in waits if w is not None]
    return max(found) if found else None


def login_failed(*, email: str, ip: str | None) -> None:
    pair, address, account = _limits()
    limits.hit(pair, _norm(email), ip or "")
    limits.hit(account, _norm(email))
    if ip:
        limits.hit(address, ip)


def login_succeeded(*, email: str, ip: str | None) -> None:
    pair, _, _ = _limits()
    limits.reset(pair, _norm(email), ip or "")
