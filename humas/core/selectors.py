"""Reads for the back-office shell: the audit log of an office and the offices below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.offices.tree import subtree

if TYPE_CHECKING:
    from humas.accounts.models import User
    from humas.offices.models import Office


def audit_list_for_office(*, actor: User, office: Office, action: str = "") -> QuerySet[AuditEvent]:
    """Events of ``office`` and the offices below it. Raises PolicyDenied without audit.view."""
    policy.require(actor, "audit.view", office)
    events = AuditEvent.objects.filter(subtree(office.path, field="office_path")).select_related("office")
    if action:
        events = events.filter(action__startswith=action)
    return events
