"""Reads of cascades: the receiving office's queue ("Dari kantor atasan"), the cascades an office
sent (and, for an office in between, the cascades from above that reach its subtree), and the
board of one cascade: each receiving office's decision and publication, in a fixed number of
queries whatever the number of offices.

Who sees what: the sender sees every receiving office; an office below the sender sees only the
receiving offices in its own subtree, read-only (a province its part of a national cascade, a
regency its own row). Nobody sees another province's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.publishing.models import Delivery

from .models import Cascade, CascadeAutoPublish, CascadeTarget

if TYPE_CHECKING:
    from humas.accounts.models import User

Status = CascadeTarget.Status
VIEW = "content.view"
# The board's own status: the target's decision, or "published" once its post went out.
PUBLISHED = "published"
BOARD_STATUSES = (Status.PENDING, Status.ADOPTED, Status.ADAPTED, Status.DECLINED, PUBLISHED)
SORTS = ("kantor", "status", "diputuskan", "terbit")
STATUS_ORDER = {Status.PENDING: 0, Status.ADAPTED: 1, Status.ADOPTED: 2, PUBLISHED: 3, Status.DECLINED: 4}


def board_status_label(status: str) -> str:
    if status == PUBLISHED:
        return gettext("Terbit")
    return str(Status(status).label)


# --------------------------------------------------------------------------------------------
# The receiving office's queue


def cascade_queue_for_office(*, actor: User, office: Office) -> QuerySet[CascadeTarget]:
    """What reached ``office`` from above: pending first (nearest deadline first), then the
    decided ones, latest first. Needs content.view there."""
    policy.require(actor, VIEW, office)
    return (
        CascadeTarget.objects.filter(office=office)
        .select_related("cascade__office", "cascade__created_by", "decided_by", "post")
        .annotate(
            waiting=Case(
                When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", "cascade__deadline", "-decided_at", "-pk")
    )


def cascade_pending_count(*, office: Office) -> int:
    return CascadeTarget.objects.filter(office=office, status=Status.PENDING).count()


def cascade_target_get(*, actor: User, office: Office, target_id: int) -> CascadeTarget:
    """The target ``target_id`` of ``office`` (404 for any other office's: nothing says it exists).
    Needs content.view there."""
    policy.require(actor, VIEW, office)
    target = (
        CascadeTarget.objects.filter(pk=target_id, office=office)
        .select_related(
            "office",
            "cascade__office",
            "cascade__created_by",
            "cascade__source_post",
            "cascade__source_article",
            "decided_by",
            "post",
        )
        .first()
    )
    if target is None:
        raise Http404("cascade target")
    return target


def cascade_auto_publish_get(*, office: Office) -> CascadeAutoPublish | None:
    return (
        CascadeAutoPublish.objects.select_related("set_by")
        .prefetch_related("channels")
        .filter(office=office)
        .first()
    )


# --------------------------------------------------------------------------------------------
# The cascades of an office


@dataclass(frozen=True)
class CascadeSummary:
    cascade: Cascade
    total: int
    pending: int
    adopted: int
    adapted: int
    declined: int

    @property
    def decided(self) -> int:
        return self.total - self.pending


def _counts() -> dict[str, Count]:
    return {
        "total": Count("pk"),
        "pending": Count("pk", filter=Q(status=Status.PENDING)),
        "adopted": Count("pk", filter=Q(status=Status.ADOPTED)),
        "adapted": Count("pk", filter=Q(status=Status.ADAPTED)),
        "declined": Count("pk", filter=Q(status=Status.DECLINED)),
    }


def _summaries(rows: QuerySet[CascadeTarget], limit: int) -> list[CascadeSummary]:
    counted: list[dict[str, int]] = list(
        rows.values("cascade_id").annotate(**_counts()).order_by("-cascade_id")[:limit]  # type: ignore[arg-type]
    )
    cascades = Cascade.objects.select_related("office", "created_by").in_bulk(
        [row["cascade_id"] for row in counted]
    )
    return [
        CascadeSummary(
            cascade=cascades[row["cascade_id"]],
            total=row["total"],
            pending=row["pending"],
            adopted=row["adopted"],
            adapted=row["adapted"],
            declined=row["declined"],
        )
        for row in counted
        if row["cascade_id"] in cascades
    ]


def cascade_list_sent(*, actor: User, office: Office, limit: int = 50) -> list[CascadeSummary]:
    """The latest cascades ``office`` sent, with their counts. Needs content.view there."""
    policy.require(actor, VIEW, office)
    return _summaries(CascadeTarget.objects.filter(cascade__office=office), limit)


def cascade_list_from_above(*, actor: User, office: Office, limit: int = 50) -> list[CascadeSummary]:
    """For an office in between (a province): the cascades of offices above it that reach offices
    in its subtree, counted over those offices only."""
    policy.require(actor, VIEW, office)
    rows = CascadeTarget.objects.filter(subtree(office.path, field="office__path")).filter(
        cascade__office__depth__lt=office.depth
    )
    return _summaries(rows, limit)


# --------------------------------------------------------------------------------------------
# The board


@dataclass
class BoardRow:
    target: CascadeTarget
    office: Office
    province: Office | None
    status: str
    published_at: datetime | None
    links: list[tuple[str, str]]  # (channel, public URL) of each delivery sent
    post_url: str  # the office's post in the back office

    @property
    def status_label(self) -> str:
        return board_status_label(self.status)


@dataclass
class BoardFilters:
    status: str = ""
    province: str = ""  # a province's code
    sort: str = "kantor"

    @property
    def active(self) -> bool:
        return bool(self.status or self.province)


@dataclass
class Board:
    cascade: Cascade
    # The office whose view this is: the sender, or an office below it seeing its part.
    office: Office
    read_only: bool
    rows: list[BoardRow]
    total: int
    counts: dict[str, int]
    provinces: list[Office] = field(default_factory=list)


def cascade_get_for_board(*, actor: User, office: Office, cascade_id: int) -> Cascade:
    """The cascade as ``office`` may read it: sent by it, or sent from above it to offices in its
    subtree. Anything else: 404. Needs content.view at ``office``."""
    policy.require(actor, VIEW, office)
    cascade = (
        Cascade.objects.select_related(
            "office", "created_by", "province", "source_post", "source_article__office"
        )
        .filter(pk=cascade_id)
        .first()
    )
    if cascade is None:
        raise Http404("cascade")
    if cascade.office_id == office.pk:
        return cascade
    if not office.path.startswith(cascade.office.path):
        raise Http404("cascade")
    reaches = CascadeTarget.objects.filter(cascade=cascade).filter(subtree(office.path, field="office__path"))
    if not reaches.exists():
        raise Http404("cascade")
    return cascade


def cascade_board(
    *, actor: User, office: Office, cascade: Cascade, filters: BoardFilters | None = None
) -> Board:
    """Every receiving office ``office`` may see (all for the sender, else its subtree's), its
    status (published once its adopted or adapted post has a delivery sent), when it went out
    and where, with the counts over all of them; then filtered by status and province and sorted
    (by office, status, decision time or publication time). Four queries whatever the size."""
    filters = filters or BoardFilters()
    own = cascade.office_id == office.pk
    targets = CascadeTarget.objects.filter(cascade=cascade).select_related(
        "office__parent", "decided_by", "post"
    )
    if not own:
        targets = targets.filter(subtree(office.path, field="office__path"))
    rows_of = list(targets.order_by("office__path"))
    sent: dict[int, list[Delivery]] = {}
    deliveries = (
        Delivery.objects.filter(
            publication__post__cascade_targets__cascade=cascade, state=Delivery.State.SENT
        )
        .select_related("channel", "publication")
        .order_by("sent_at", "pk")
    )
    if not own:
        deliveries = deliveries.filter(subtree(office.path, field="publication__post__office__path"))
    for delivery in deliveries:
        sent.setdefault(delivery.publication.post_id, []).append(delivery)
    rows: list[BoardRow] = []
    for target in rows_of:
        target_office = target.office
        province = target_office if target_office.level == Office.Level.PROVINSI else target_office.parent
        went_out = sent.get(target.post_id or 0, [])
        status = target.status
        if status in (Status.ADOPTED, Status.ADAPTED) and went_out:
            status = PUBLISHED
        rows.append(
            BoardRow(
                target=target,
                office=target_office,
                province=province,
                status=status,
                published_at=min((d.sent_at for d in went_out if d.sent_at), default=None),
                links=[(str(d.channel), d.url) for d in went_out if d.url],
                post_url=reverse(
                    "publishing:detail",
                    kwargs={"office_slug": target_office.slug, "post_id": target.post_id},
                )
                if target.post_id
                else "",
            )
        )
    counts = dict.fromkeys(BOARD_STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    # Published rows were adopted or adapted first: the decision counts include them.
    decided: dict[str, int] = {Status.ADOPTED: 0, Status.ADAPTED: 0}
    for row in rows:
        if row.target.status in decided:
            decided[row.target.status] += 1
    counts[Status.ADOPTED], counts[Status.ADAPTED] = decided[Status.ADOPTED], decided[Status.ADAPTED]
    provinces = sorted(
        {row.province.pk: row.province for row in rows if row.province is not None}.values(),
        key=lambda o: o.path,
    )
    shown = rows
    if filters.status in BOARD_STATUSES:
        if filters.status in (Status.ADOPTED, Status.ADAPTED):
            shown = [r for r in shown if r.target.status == filters.status]
        else:
            shown = [r for r in shown if r.status == filters.status]
    if filters.province:
        shown = [r for r in shown if r.province is not None and r.province.code == filters.province]
    shown = _sorted(shown, filters.sort)
    return Board(
        cascade=cascade,
        office=office,
        read_only=not own,
        rows=shown,
        total=len(rows),
        counts=counts,
        provinces=provinces if len(provinces) > 1 else [],
    )


def _decided_at(row: BoardRow) -> datetime:
    assert row.target.decided_at is not None
    return row.target.decided_at


def _published_at(row: BoardRow) -> datetime:
    assert row.published_at is not None
    return row.published_at


def _sorted(rows: list[BoardRow], sort: str) -> list[BoardRow]:
    by_path = sorted(rows, key=lambda r: r.office.path)
    if sort == "status":
        return sorted(by_path, key=lambda r: STATUS_ORDER.get(r.status, 9))
    if sort == "diputuskan":
        # Latest decision first; undecided offices last, in tree order.
        decided = [r for r in by_path if r.target.decided_at is not None]
        undecided = [r for r in by_path if r.target.decided_at is None]
        return sorted(decided, key=_decided_at, reverse=True) + undecided
    if sort == "terbit":
        out = [r for r in by_path if r.published_at is not None]
        rest = [r for r in by_path if r.published_at is None]
        return sorted(out, key=_published_at) + rest
    return by_path
