"""The office dashboard's numbers of the week (core.extensions.register_highlight_provider): the
last 7 days of the office and the offices below it against the 7 days before, from the daily
tables (office_series: three queries)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.core.extensions import Highlight
from humas.offices import policy
from humas.offices.models import Office

from .selectors import Figures, office_series

WEEK = 7


def week_highlights(user: User, office: Office) -> list[Highlight]:
    """Posts, engagement, portal views and clarifications of the last 7 days (today included, in
    the office's zone) against the 7 before; nothing for a person without report.view."""
    if not policy.can(user, "report.view", office):
        return []
    today = timezone.localdate(timezone=office.zoneinfo)
    series = office_series(actor=user, office=office, start=today - timedelta(days=2 * WEEK - 1), end=today)
    before, now = Figures(), Figures()
    for row in series.days:
        (now if row.day > today - timedelta(days=WEEK) else before).add(row.figures)
    url = (
        reverse("analytics:dashboard", kwargs={"office_slug": office.slug})
        + "?"
        + urlencode({"periode": WEEK})
    )

    def days(key: str) -> tuple[int | None, ...]:
        return tuple(row.figures.as_dict()[key] for row in series.days)

    return [
        Highlight(_("Unggahan terkirim"), now.posts, before.posts, url, days("posts")),
        Highlight(_("Interaksi"), now.engagement, before.engagement, url, days("engagement")),
        Highlight(_("Dilihat di portal"), now.portal_views, before.portal_views, url, days("portal_views")),
        Highlight(
            _("Klarifikasi terbit"), now.clarifications, before.clarifications, url, days("clarifications")
        ),
    ]
