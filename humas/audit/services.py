from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.db import models

from humas.web.requestcontext import client_ip

from .models import AuditEvent

if TYPE_CHECKING:
    from humas.accounts.models import User


class Located(Protocol):
    """Where an event happened: an office (audit sits below the offices app, so it names the
    office by its key and tree path rather than by its model)."""

    pk: Any
    path: str


def audit_record(
    *,
    actor: User | None,
    office: Located | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email if actor is not None else "",
        office_id=office.pk if office is not None else None,
        office_path=office.path if office is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip=ip if ip is not None else client_ip.get(),
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A short before/after summary holding only the fields that changed."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in after
        if before.get(key) != after.get(key)
    }
