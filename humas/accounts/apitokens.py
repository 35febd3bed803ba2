"""Per-person API tokens: the token format, and recognising a token presented to /api/v1.

A token reads ``hms_<prefix>_<secret>``: ``prefix`` is 8 hexadecimal characters kept in clear so
its owner can tell tokens apart; ``secret`` comes from ``secrets.token_urlsafe(32)``. Only the
SHA-256 of the whole token is stored. A hash without a salt is enough here (unlike passwords):
the secret has 256 bits of entropy, so nothing can be guessed from the hash.

Creating and revoking a token are audited, and the audit log sits above this app, so those two
services live in ``humas/api/services.py``; this module holds what needs no other app.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "hms_"  # noqa: S105 - the public marker of our tokens, not a secret
# "hms_" + 8 + "_" + 43: anything much longer is not one of ours and is not hashed or looked up.
MAX_TOKEN_LENGTH = 100
# Recording the last use costs a write; once a minute per token is precise enough for its owner.
LAST_USE_PRECISION = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_generate() -> tuple[str, str]:
    """A new token and its prefix: (``hms_<prefix>_<secret>``, ``prefix``)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


def api_token_authenticate(*, raw: str, ip: str | None) -> ApiToken | None:
    """The usable token ``raw`` names, with its owner loaded, or None: unknown, revoked or expired
    tokens and the tokens of a deactivated person are refused alike (the caller answers 401 and
    says no more)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("owner").filter(key_hash=token_hash(raw)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.owner.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        # Conditional, so concurrent requests of the same token still write once a minute.
        ApiToken.objects.filter(pk=token.pk, last_used_at=token.last_used_at).update(
            last_used_at=now, last_used_ip=ip
        )
        token.last_used_at, token.last_used_ip = now, ip
    return token


def api_token_list_for(*, owner_id: int) -> list[ApiToken]:
    """A person's tokens, newest first, revoked and expired ones included (they explain the log)."""
    return list(ApiToken.objects.filter(owner_id=owner_id).order_by("-created_at"))
