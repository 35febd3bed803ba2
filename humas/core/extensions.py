"""The dashboard's "what to do now" list, filled by the apps above core (in their
AppConfig.ready). Each app registers a provider that, for one person in one office, returns the
few things waiting for them there (posts to approve, deliveries that failed, content sent down
from above...). The dashboard renders what the providers return and knows nothing of the apps.

A provider checks the policy itself (it only returns what this person may open) and costs at most
one or two counting queries: it runs on every visit of the dashboard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

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
