"""The small chart of each row of the offices-below table: posts per day of the period, drawn on
the server (``core.charts``).

One query for every row: the roll-ups of the offices directly below, grouped by office and day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.core.charts import sparkline_svg
from humas.offices import policy
from humas.offices.models import Office

from .models import SubtreeDay


def daily_posts_below(*, actor: User, office: Office, start: date, end: date) -> dict[int, list[int]]:
    """For each office directly below ``office``: the posts its subtree sent on each day of
    [start, end] (every day present). One query for the offices, one for the figures."""
    policy.require(actor, "report.view", office)
    days = (end - start).days + 1
    found = {pk: [0] * days for pk in Office.objects.filter(parent=office).values_list("pk", flat=True)}
    rows: Iterable[Mapping[str, Any]] = (
        SubtreeDay.objects.filter(office__parent=office, day__gte=start, day__lte=end)
        .values("office_id", "day")
        .annotate(posts=Sum("posts"))
        .order_by()
    )
    for row in rows:
        if (counts := found.get(row["office_id"])) is not None:
            counts[(row["day"] - start).days] += row["posts"] or 0
    return found


def sparkline(values: Sequence[int], *, start: date) -> SafeString:
    """The posts of each day from ``start`` as a small line, saying in words the total, the
    busiest day and its count."""
    if not values:
        return SafeString("")
    top, total = max(values), sum(values)
    if total:
        label = _("Unggahan per hari: %(total)s dalam periode, terbanyak %(top)s pada %(day)s") % {
            "total": total,
            "top": top,
            "day": formats.date_format(start + timedelta(days=values.index(top)), "j M"),
        }
    else:
        label = _("Unggahan per hari: tidak ada dalam periode")
    return sparkline_svg(values, label=label)
