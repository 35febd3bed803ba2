"""The small chart of each row of the offices-below table: posts per day of the period, drawn on
the server as an inline SVG (no script, readable without JavaScript, the same on every screen).

One query for every row: the subtree's daily posts grouped by office, told apart by path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import PATH_SEPARATOR, Office
from humas.offices.tree import subtree

from .models import ChannelDay

WIDTH, HEIGHT, PAD = 120, 28, 2


def daily_posts_below(*, actor: User, office: Office, start: date, end: date) -> dict[int, list[int]]:
    """For each office directly below ``office``: the posts its subtree sent on each day of
    [start, end] (every day present). One query for the offices, one for the figures."""
    policy.require(actor, "report.view", office)
    children = {child.path: child.pk for child in Office.objects.filter(parent=office).only("pk", "path")}
    days = (end - start).days + 1
    found = {pk: [0] * days for pk in children.values()}
    rows: Iterable[Mapping[str, Any]] = (
        ChannelDay.objects.filter(subtree(office.path, field="office__path"), day__gte=start, day__lte=end)
        .values("office__path", "day")
        .annotate(posts=Sum("posts"))
        .order_by()
    )
    for row in rows:
        rest = row["office__path"][len(office.path) :]
        if not rest:
            continue  # the office itself
        child = office.path + rest.split(PATH_SEPARATOR, 1)[0] + PATH_SEPARATOR
        if (pk := children.get(child)) is not None:
            found[pk][(row["day"] - start).days] += row["posts"] or 0
    return found


def sparkline(values: Sequence[int], *, start: date) -> SafeString:
    """An inline SVG line of ``values`` (one per day from ``start``) with a text alternative that
    says what it shows: the total, the busiest day and its count."""
    if not values:
        return SafeString("")
    top = max(values)
    total = sum(values)
    if total:
        busiest = values.index(top)
        label = _("Unggahan per hari: %(total)s dalam periode, terbanyak %(top)s pada %(day)s") % {
            "total": total,
            "top": top,
            "day": formats.date_format(start + timedelta(days=busiest), "j M"),
        }
    else:
        label = _("Unggahan per hari: tidak ada dalam periode")
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    scale = (HEIGHT - 2 * PAD) / top if top else 0
    coords = [(PAD + index * step, HEIGHT - PAD - value * scale) for index, value in enumerate(values)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    # The last day is marked: it is where the line stands now (and all there is for one day).
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"'
        ' aria-label="{label}"><title>{label}</title>'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/>'
        '<circle cx="{x}" cy="{y}" r="2" fill="currentColor"/></svg>',
        width=WIDTH,
        height=HEIGHT,
        label=label,
        points=points,
        x=f"{last_x:.1f}",
        y=f"{last_y:.1f}",
    )
