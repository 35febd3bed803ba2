"""Reads for the back-office shell: the audit log of an office and the offices below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.offices.tree import subtree

if TYPE_CHECKING:
    from humas.accounts.models import User
    from humas.offices.models import Office

# The kinds of event a person may narrow the audit log to: key -> (label, action prefixes).
AUDIT_KINDS: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "konten": (_("Konten"), ("post.", "publication.", "delivery.", "api.")),
    "portal": (_("Portal"), ("article.", "image.")),
    "kanal": (_("Kanal"), ("channel.",)),
    "anggota": (_("Anggota"), ("member.",)),
    "kantor": (_("Profil kantor"), ("office.", "offices.")),
}


def audit_list_for_office(
    *, actor: User, office: Office, action: str = "", kind: str = ""
) -> QuerySet[AuditEvent]:
    """Events of ``office`` and the offices below it, newest first; ``action`` narrows them to an
    action prefix, ``kind`` to one of AUDIT_KINDS (an unknown kind narrows nothing). Raises
    PolicyDenied without audit.view."""
    policy.require(actor, "audit.view", office)
    events = AuditEvent.objects.filter(subtree(office.path, field="office_path")).select_related(
        "office", "actor"
    )
    if action:
        events = events.filter(action__startswith=action)
    if kind in AUDIT_KINDS:
        match = Q()
        for prefix in AUDIT_KINDS[kind][1]:
            match |= Q(action__startswith=prefix)
        events = events.filter(match)
    return events


def audit_recent_for_office(*, actor: User, office: Office, limit: int = 8) -> list[AuditEvent]:
    """The latest events of ``office`` and below for its dashboard; none without audit.view."""
    if not policy.can(actor, "audit.view", office):
        return []
    return list(audit_list_for_office(actor=actor, office=office)[:limit])
