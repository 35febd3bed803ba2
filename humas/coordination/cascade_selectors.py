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

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy

from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.publishing.models import Delivery

from . import boards
from .boards import BoardFilters as BoardFilters
from .models import Cascade, CascadeAutoPublish, CascadeTarget

if TYPE_CHECKING:
    from humas.accounts.models import User

Status = CascadeTarget.Status
VIEW = "content.view"
# The board's own status: the target's decision, or "published" once its post went out.
PUBLISHED = "published"


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


def _summaries(rows: QuerySet[CascadeTarget], limit: int) -> list[CascadeSummary]:
    counted = boards.summaries(
        rows,
        parent="cascade",
        requests=Cascade.objects.select_related("office", "created_by"),
        statuses=Status.values,
        limit=limit,
    )
    return [CascadeSummary(cascade, **counts) for cascade, counts in counted]


def cascade_list_sent(*, actor: User, office: Office, limit: int = 50) -> list[CascadeSummary]:
    """The latest cascades ``office`` sent, with their counts. Needs content.view there."""
    policy.require(actor, VIEW, office)
    return _summaries(CascadeTarget.objects.filter(cascade__office=office), limit)


def cascade_list_from_above(*, actor: User, office: Office, limit: int = 50) -> list[CascadeSummary]:
    """For an office in between (a province): the cascades of offices above it that reach offices
    in its subtree, counted over those offices only."""
    policy.require(actor, VIEW, office)
    return _summaries(
        boards.rows_from_above(CascadeTarget.objects.all(), parent="cascade", office=office), limit
    )


# --------------------------------------------------------------------------------------------
# The board


@dataclass
class BoardRow(boards.BoardRow[CascadeTarget]):
    published_at: datetime | None = None  # when its first channel got it
    links: list[tuple[str, str]] = field(default_factory=list)  # (channel, public URL) of each delivery sent


class Board(boards.Board[Cascade, BoardRow]):
    @property
    def cascade(self) -> Cascade:
        return self.sent


BOARD = boards.BoardSpec[BoardRow](
    statuses=(Status.PENDING, Status.ADOPTED, Status.ADAPTED, Status.DECLINED, PUBLISHED),
    label=board_status_label,
    order={Status.PENDING: 0, Status.ADAPTED: 1, Status.ADOPTED: 2, PUBLISHED: 3, Status.DECLINED: 4},
    times={
        # Latest decision first; published earliest first.
        "diputuskan": boards.TimeSort(
            gettext_lazy("Terakhir diputuskan"), lambda row: row.target.decided_at, latest_first=True
        ),
        "terbit": boards.TimeSort(
            gettext_lazy("Waktu terbit"), lambda row: row.published_at, latest_first=False
        ),
    },
)


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
    return boards.sent_for_board(
        cascade,
        targets=CascadeTarget.objects.filter(cascade_id=cascade_id),
        office=office,
        not_found="cascade",
    )


def cascade_board(
    *, actor: User, office: Office, cascade: Cascade, filters: BoardFilters | None = None
) -> Board:
    """Every receiving office ``office`` may see (all for the sender, else its subtree's), its
    status (published once its adopted or adapted post has a delivery sent), when it went out
    and where, with the counts over all of them; then filtered by status and province and sorted
    (by office, status, decision time or publication time). Four queries whatever the size."""
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
        went_out = sent.get(target.post_id or 0, [])
        status = target.status
        if status in (Status.ADOPTED, Status.ADAPTED) and went_out:
            status = PUBLISHED
        rows.append(
            BoardRow(
                target=target,
                office=target.office,
                province=boards.province_of(target.office),
                status=status,
                status_label=board_status_label(status),
                post_url=boards.own_post_url(target.office, target.post_id),
                published_at=min((d.sent_at for d in went_out if d.sent_at), default=None),
                links=[(str(d.channel), d.url) for d in went_out if d.url],
            )
        )
    return boards.board_assemble(
        Board, BOARD, sent=cascade, office=office, own=own, rows=rows, filters=filters or BoardFilters()
    )
