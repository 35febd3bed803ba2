from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class AuditEntry:
    """One event for ``audit_record_many``."""

    actor: User | None
    office: Located | None
    action: str
    obj: models.Model
    changes: dict[str, Any] = field(default_factory=dict)


def audit_record_many(entries: Sequence[AuditEntry]) -> list[AuditEvent]:
    """Append several events in one statement, in that order (changes made many at once, such as
    a cascade adopted by a batch of offices). Call inside the transaction of the changes."""
    ip = client_ip.get()
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=e.actor,
                actor_email=e.actor.email if e.actor is not None else "",
                office_id=e.office.pk if e.office is not None else None,
                office_path=e.office.path if e.office is not None else "",
                action=e.action,
                object_type=e.obj._meta.label_lower,
                object_id=str(e.obj.pk) if e.obj.pk is not None else "",
                object_repr=str(e.obj)[:200],
                changes=e.changes or {},
                ip=ip,
            )
            for e in entries
        ]
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """A short before/after summary holding only the fields that changed."""
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in after
        if before.get(key) != after.get(key)
    }
