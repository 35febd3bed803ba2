"""What an office's people are told when one of its monitoring sources keeps failing. The texts
are monitoring's; notifications delivers them (bell and e-mail) and its keys make sure nobody is
told twice about one outage."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.notifications.models import Notification
from humas.notifications.selectors import office_administrators
from humas.notifications.services import notification_send
from humas.offices import policy
from humas.offices.models import Membership

from .models import Source


def source_people(*, source: Source) -> QuerySet[User]:
    """Who is told about a source: the people of its own office who may manage its sources;
    when it has none, the Administrators who reach the office (from above)."""
    roles = policy.ACTIONS["monitoring.manage_sources"]
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(office=source.office_id, role__in=roles).values("user_id"),
    )
    if people.exists():
        return people.order_by("pk")
    return office_administrators(office=source.office)


def source_failing_notify(*, source: Source, now: datetime | None = None) -> int:
    """Tell the source's people it has failed ``consecutive_failures`` times in a row, with its
    last error. The runner calls this once per outage (when the failures reach the threshold)."""
    now = now or timezone.now()
    office = source.office
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Sumber pemantauan %(source)s bermasalah") % {"source": source.name}
        body = _(
            "Sumber “%(source)s” milik %(office)s gagal diambil %(count)d kali berturut-turut.\n"
            "Galat terakhir: %(error)s\n"
            "Humas terus mencoba lagi dengan jeda yang makin panjang. Buka Pemantauan → Sumber untuk "
            "memeriksa pengaturannya."
        ) % {
            "source": source.name,
            "office": office.name,
            "count": source.consecutive_failures,
            "error": source.last_error or "—",
        }
    # The run that reached the threshold names the outage: called again for it, nobody is told twice.
    run = source.last_run_at or now
    sent = notification_send(
        users=source_people(source=source),
        office=office,
        kind=Notification.Kind.SOURCE_PROBLEM,
        title=title,
        body=body,
        link=reverse("monitoring:source_list", kwargs={"office_slug": office.slug}),
        key=f"monitoring-source-failing:{source.pk}:{run.timestamp():.6f}",
        now=now,
    )
    return len(sent)
