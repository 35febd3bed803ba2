"""What the boards of every request down the hierarchy share (a cascade's, an amplification
task's): the request as an office may read it, the latest requests of an office with their counts
by status, and the board itself: one row per receiving office the reading office may see, the
counts over all of them, then filtered by status and province and sorted.

Who sees what: the sender sees every receiving office; an office below the sender sees only the
receiving offices in its own subtree, read-only (a province its part of a national request, a
regency its own row). Nobody sees another province's rows.

What differs is the feature's: its statuses and their labels, the row it builds (a cascade's row
derives "published" from the deliveries sent), the sorts by a time it offers (``BoardSpec``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.functional import Promise

from humas.offices.models import Office
from humas.offices.tree import subtree

SentT = TypeVar("SentT")  # a request sent down: a Cascade, an AmplificationTask
TargetT = TypeVar("TargetT")  # one receiving office's row of it: a CascadeTarget, an AmplificationTarget
ModelT = TypeVar("ModelT", bound=Model)
RowT = TypeVar("RowT", bound="BoardRow[Any]")
BoardT = TypeVar("BoardT", bound="Board[Any, Any]")


# --------------------------------------------------------------------------------------------
# The requests of an office


def summaries(
    rows: QuerySet[Any], *, parent: str, requests: QuerySet[ModelT], statuses: Iterable[str], limit: int
) -> list[tuple[ModelT, dict[str, int]]]:
    """The latest ``limit`` requests among the targets ``rows`` (``parent``: the targets' foreign
    key to their request), newest first, each with its counts over those rows: ``total`` and one
    per status. Two queries; ``requests`` says what is read with each request."""
    key = f"{parent}_id"
    counts = {str(s): Count("pk", filter=Q(status=s)) for s in statuses}
    counted: list[dict[str, int]] = list(
        rows.values(key).annotate(total=Count("pk"), **counts).order_by(f"-{key}")[:limit]
    )
    found = requests.in_bulk([row[key] for row in counted])
    out: list[tuple[ModelT, dict[str, int]]] = []
    for row in counted:
        pk = row.pop(key)
        if pk in found:
            out.append((found[pk], row))
    return out


def rows_from_above(rows: QuerySet[ModelT], *, parent: str, office: Office) -> QuerySet[ModelT]:
    """For an office in between (a province): the targets ``rows`` of its subtree whose request
    was sent by an office above it."""
    return rows.filter(subtree(office.path, field="office__path")).filter(
        **{f"{parent}__office__depth__lt": office.depth}
    )


def sent_for_board(sent: SentT | None, *, targets: QuerySet[Any], office: Office, not_found: str) -> SentT:
    """``sent`` (a request read with its office, or None) as ``office`` may read its board: sent
    by it, or sent from above it to offices in its subtree (``targets``: the request's targets).
    Anything else: 404."""
    if sent is None:
        raise Http404(not_found)
    found: Any = sent
    if found.office_id == office.pk:
        return sent
    if not office.path.startswith(found.office.path):
        raise Http404(not_found)
    if not targets.filter(subtree(office.path, field="office__path")).exists():
        raise Http404(not_found)
    return sent


# --------------------------------------------------------------------------------------------
# The board


@dataclass
class BoardFilters:
    status: str = ""
    province: str = ""  # a province's code
    sort: str = "kantor"

    @property
    def active(self) -> bool:
        return bool(self.status or self.province)


@dataclass
class BoardRow(Generic[TargetT]):
    target: TargetT
    office: Office
    province: Office | None
    status: str  # on the board: the target's, or one derived from it (a cascade's "published")
    status_label: str
    post_url: str  # the office's own post in the back office ("" for none)


@dataclass
class Board(Generic[SentT, RowT]):
    sent: SentT  # the cascade or the task
    # The office whose view this is: the sender, or an office below it seeing its part.
    office: Office
    read_only: bool
    rows: list[RowT]
    total: int
    counts: dict[str, int]
    provinces: list[Office] = field(default_factory=list)


@dataclass(frozen=True)
class TimeSort(Generic[RowT]):
    """A sort of the board by a time of each row: rows without one last, in tree order."""

    label: Promise | str
    moment: Callable[[RowT], datetime | None]
    latest_first: bool


@dataclass(frozen=True)
class BoardSpec(Generic[RowT]):
    """What a feature's board is made of: its statuses (in the order of its counters), their
    labels, their order when sorted by status, and the sorts by a time it offers (by their name
    in the query string)."""

    statuses: tuple[str, ...]
    label: Callable[[str], str]
    order: Mapping[str, int]
    times: Mapping[str, TimeSort[RowT]]

    @property
    def sorts(self) -> tuple[str, ...]:
        return ("kantor", "status", *self.times)

    def filters(self, query: Any) -> BoardFilters:
        """The board's filters from a query string; anything unknown is ignored rather than
        refused (a stale bookmark shows the whole board)."""
        status = str(query.get("status", ""))
        province = str(query.get("provinsi", ""))[:32]
        sort = str(query.get("urut", ""))
        return BoardFilters(
            status=status if status in self.statuses else "",
            province=province if all(c.isdigit() or c == "." for c in province) else "",
            sort=sort if sort in self.sorts else "kantor",
        )


def province_of(office: Office) -> Office | None:
    """The province a receiving office belongs to (itself for a provincial office); its parent is
    read with it."""
    return office if office.level == Office.Level.PROVINSI else office.parent


def own_post_url(office: Office, post_id: int | None) -> str:
    """The receiving office's own post (adopted, adapted, shared in one click) in the back office."""
    if not post_id:
        return ""
    return reverse("publishing:detail", kwargs={"office_slug": office.slug, "post_id": post_id})


def board_assemble(
    board: type[BoardT],
    spec: BoardSpec[RowT],
    *,
    sent: Any,
    office: Office,
    own: bool,
    rows: list[RowT],
    filters: BoardFilters,
) -> BoardT:
    """The board of ``rows`` (in tree order): the counts over all of them, then filtered by
    status and province and sorted. A row counts, and is found by the status filter, under its
    status on the board and under its target's own status (a cascade's published row was
    adopted or adapted first)."""
    counts = {str(status): 0 for status in spec.statuses}
    for row in rows:
        for status in {row.status, row.target.status}:
            if status in counts:
                counts[status] += 1
    provinces = sorted(
        {row.province.pk: row.province for row in rows if row.province is not None}.values(),
        key=lambda o: o.path,
    )
    shown = rows
    if filters.status in spec.statuses:
        shown = [r for r in shown if filters.status in (r.status, r.target.status)]
    if filters.province:
        shown = [r for r in shown if r.province is not None and r.province.code == filters.province]
    return board(
        sent=sent,
        office=office,
        read_only=not own,
        rows=_sorted(shown, filters.sort, spec),
        total=len(rows),
        counts=counts,
        provinces=provinces if len(provinces) > 1 else [],
    )


def _sorted(rows: list[RowT], sort: str, spec: BoardSpec[RowT]) -> list[RowT]:
    by_path = sorted(rows, key=lambda r: r.office.path)
    if sort == "status":
        return sorted(by_path, key=lambda r: spec.order.get(r.status, 9))
    by_time = spec.times.get(sort)
    if by_time is None:
        return by_path
    dated: list[tuple[datetime, RowT]] = []
    rest: list[RowT] = []
    for row in by_path:
        moment = by_time.moment(row)
        if moment is None:
            rest.append(row)
        else:
            dated.append((moment, row))
    dated.sort(key=lambda pair: pair[0], reverse=by_time.latest_first)
    return [row for _moment, row in dated] + rest
