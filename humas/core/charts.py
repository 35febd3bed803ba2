"""Small charts drawn on the server as inline SVG: readable without JavaScript, the same on every
screen, no script for the page to load. Each carries its text alternative, given by the caller
(what the line shows and its notable values)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 120, 28, 2


def sparkline_svg(values: Sequence[int | None], *, label: str) -> SafeString:
    """A line of ``values`` (one per day, None counted as 0) scaled to its highest value, the last
    point marked (where the line stands now; all there is for a single value)."""
    if not values:
        return SafeString("")
    numbers = [value or 0 for value in values]
    top = max(numbers)
    step = (WIDTH - 2 * PAD) / max(len(numbers) - 1, 1)
    scale = (HEIGHT - 2 * PAD) / top if top else 0
    coords = [(PAD + index * step, HEIGHT - PAD - value * scale) for index, value in enumerate(numbers)]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
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
