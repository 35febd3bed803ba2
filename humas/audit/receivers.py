"""What the audit log records of events that lower apps announce (connected in AuditConfig.ready)."""

from __future__ import annotations

from typing import Any

from humas.accounts.models import User

from .services import audit_record


def record_sign_in(*, user: User | None, **_: Any) -> None:
    # Sign-ins belong to no office; superusers read them in the admin.
    audit_record(actor=user, office=None, action="auth.login")


def record_reauthentication(*, user: User, **_: Any) -> None:
    audit_record(actor=user, office=None, action="auth.reauth")


def record_two_factor(*, user: User, action: str, **_: Any) -> None:
    # A person's own second factor belongs to no office, like their sign-ins.
    audit_record(actor=user, office=None, action=action)
