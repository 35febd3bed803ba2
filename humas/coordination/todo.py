"""Coordination's items in the dashboard's "what to do now" list (humas.core.extensions): content
sent down from above that waits for this office's answer, and amplification tasks not yet done.
A deadline within a day (or passed) makes the item urgent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.core.extensions import Todo
from humas.offices import policy
from humas.offices.models import Office

from .models import CascadeTarget
from .models_amplification import AmplificationTarget

SOON = timedelta(days=1)


def coordination_todos(user: User, office: Office) -> Iterator[Todo]:
    if office.parent_id is None or not policy.can(user, "content.draft", office):
        return  # nothing comes from above KPU RI; answering needs a person who drafts
    soon = timezone.now() + SOON
    cascades = CascadeTarget.objects.filter(office=office, status=CascadeTarget.Status.PENDING).aggregate(
        n=Count("pk"), due=Count("pk", filter=Q(cascade__deadline__lte=soon))
    )
    n = cascades["n"]
    yield Todo(
        ngettext(
            "%(n)d konten dari kantor atasan menunggu jawaban",
            "%(n)d konten dari kantor atasan menunggu jawaban",
            n,
        )
        % {"n": n},
        n,
        reverse("cascades:queue", kwargs={"office_slug": office.slug}),
        tone="warn" if cascades["due"] else "info",
        order=20,
    )
    tasks = AmplificationTarget.objects.filter(
        office=office, status=AmplificationTarget.Status.PENDING
    ).aggregate(n=Count("pk"), due=Count("pk", filter=Q(task__deadline__lte=soon)))
    n = tasks["n"]
    yield Todo(
        ngettext("%(n)d tugas amplifikasi belum dikerjakan", "%(n)d tugas amplifikasi belum dikerjakan", n)
        % {"n": n},
        n,
        reverse("amplification:list", kwargs={"office_slug": office.slug}),
        tone="warn" if tasks["due"] else "info",
        order=20,
    )
