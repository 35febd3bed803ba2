"""The dashboard's "what to do now" list and its numbers of the week, filled by the apps above
core (in their AppConfig.ready). Each app registers a provider that, for one person in one office, returns the
few things waiting for them there (posts to approve, deliveries that failed, content sent down
from above...). The dashboard renders what the providers return and knows nothing of the apps.

A provider checks the policy itself (it only returns what this person may open) and costs at most
one or two counting queries: it runs on every visit of the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from humas.accounts.models import User
    from humas.offices.models import Office

Tone = Literal["info", "warn", "alert"]


@dataclass(frozen=True)
class Todo:
    label: str  # translated, the count already in it ("3 unggahan menunggu persetujuan")
    count: int
    url: str
    tone: Tone = "info"
    order: int = 50  # smaller first: what is most urgent for the office


TodoProvider = Callable[["User", "Office"], Iterable[Todo]]

_providers: dict[str, TodoProvider] = {}


def register_todo_provider(key: str, provider: TodoProvider) -> None:
    """Register (or replace, by ``key``) a provider of the dashboard's to-do items."""
    _providers[key] = provider


def todos_for(user: User, office: Office) -> list[Todo]:
    """What is waiting for ``user`` in ``office``: every provider's items with a count, most
    urgent first."""
    found: list[Todo] = []
    for key in sorted(_providers):
        found.extend(todo for todo in _providers[key](user, office) if todo.count > 0)
    rank = {"alert": 0, "warn": 1, "info": 2}
    return sorted(found, key=lambda t: (rank[t.tone], t.order, t.label))


@dataclass(frozen=True)
class Highlight:
    """One number of the dashboard's week: its value over the last 7 days and the 7 before
    (None: no platform gives it), and where its detail is."""

    label: str  # translated
    value: int | None
    previous: int | None
    url: str = ""
    # The value of each day of both weeks, oldest first (None: not given that day): its small chart.
    days: tuple[int | None, ...] = ()

    @property
    def chart(self) -> SafeString:
        """The days as a small line, labelled with what it shows."""
        from django.utils.translation import gettext as _

        from .charts import sparkline_svg

        if not self.days:
            return SafeString("")
        label = _("%(label)s per hari, %(days)s hari terakhir") % {
            "label": self.label,
            "days": len(self.days),
        }
        return sparkline_svg(self.days, label=label)

    @property
    def change(self) -> int | None:
        """The change against the previous 7 days in whole percent, None when it cannot be said."""
        if self.value is None or not self.previous:
            return None
        return round((self.value - self.previous) * 100 / self.previous)


HighlightProvider = Callable[["User", "Office"], Iterable[Highlight]]

_highlight_providers: dict[str, HighlightProvider] = {}


def register_highlight_provider(key: str, provider: HighlightProvider) -> None:
    """Register (or replace, by ``key``) a provider of the dashboard's numbers of the week. A
    provider checks the policy itself and costs a few queries on aggregated tables at most."""
    _highlight_providers[key] = provider


def highlights_for(user: User, office: Office) -> list[Highlight]:
    """The numbers of the week ``user`` may see for ``office``, in the providers' order."""
    return [item for key in sorted(_highlight_providers) for item in _highlight_providers[key](user, office)]
