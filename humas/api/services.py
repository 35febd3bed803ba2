"""Writes to API tokens. They live here rather than in accounts because every create and revoke is
audited and the audit log sits above accounts (docs/architecture.md).

A token belongs to one person and is not an office's: only its owner creates or revokes it, and
the audit events name no office. The token itself is never written anywhere, the audit log
included: only its name, prefix, scope and expiry.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.apitokens import token_generate, token_hash
from humas.accounts.models import ApiToken, User
from humas.audit.services import audit_record

NAME_MAX = ApiToken._meta.get_field("name").max_length or 80


def _summary(token: ApiToken) -> dict[str, str]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat(),
    }


def api_token_create(*, actor: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token of ``actor`` and the token itself, to be shown once and never again."""
    name = name.replace("\x00", "").strip()
    if not name:
        raise ValidationError(_("Beri nama token, misalnya untuk apa token itu dipakai."))
    if len(name) > NAME_MAX:
        raise ValidationError(_("Nama token paling panjang %(n)d karakter.") % {"n": NAME_MAX})
    if scope not in ApiToken.Scope.values:
        raise ValidationError(_("Cakupan token tidak dikenal."))
    if days not in ApiToken.LIFETIME_DAYS:
        raise ValidationError(_("Masa berlaku token tidak tersedia."))
    raw, prefix = token_generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=actor,
            name=name,
            prefix=prefix,
            key_hash=token_hash(raw),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit_record(actor=actor, office=None, action="api_token.create", obj=token, changes=_summary(token))
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; it stops working at once. Revoking twice changes nothing."""
    if token.owner_id != actor.pk:
        raise PermissionDenied(_("Token ini bukan milik Anda."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, office=None, action="api_token.revoke", obj=locked, changes=_summary(locked)
        )
    return locked
