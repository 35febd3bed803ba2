"""Monitoring's items in the dashboard's "what to do now" list (humas.core.extensions): new
narratives of this office that the risk score puts at medium or high, and the open narratives
assigned to this person."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.core.extensions import Todo
from humas.offices import policy
from humas.offices.models import Office

from .models import Narrative
from .selectors_triage import ASSIGNEE_ME, OPEN_STATUSES, RISK_LEVELS

_HIGH, _MEDIUM = RISK_LEVELS[0][1], RISK_LEVELS[1][1]


def monitoring_todos(user: User, office: Office) -> Iterator[Todo]:
    if not policy.can(user, "monitoring.view", office):
        return
    counts = Narrative.objects.filter(
        Q(office=office) | Q(assignee=user), merged_into__isnull=True, status__in=OPEN_STATUSES
    ).aggregate(
        new=Count("pk", filter=Q(office=office, status=Narrative.Status.NEW, risk__gte=_MEDIUM)),
        high=Count("pk", filter=Q(office=office, status=Narrative.Status.NEW, risk__gte=_HIGH)),
        mine=Count("pk", filter=Q(assignee=user, office_path__startswith=office.path)),
    )
    queue = reverse("monitoring:queue", kwargs={"office_slug": office.slug})
    n = counts["new"]
    yield Todo(
        ngettext(
            "%(n)d narasi baru berisiko sedang atau tinggi",
            "%(n)d narasi baru berisiko sedang atau tinggi",
            n,
        )
        % {"n": n},
        n,
        f"{queue}?{urlencode({'status': Narrative.Status.NEW, 'office': office.code})}",
        tone="alert" if counts["high"] else "warn",
        order=5,
    )
    n = counts["mine"]
    yield Todo(
        ngettext("%(n)d narasi ditugaskan kepada Anda", "%(n)d narasi ditugaskan kepada Anda", n) % {"n": n},
        n,
        f"{queue}?{urlencode({'assignee': ASSIGNEE_ME})}",
        tone="warn",
        order=15,
    )
