"""Reads of amplification tasks: the receiving office's list ("Tugas amplifikasi"), the tasks an
office asked (and, for an office in between, those from above that reach its subtree), one task's
board (each receiving office's status and result link, in a fixed number of queries whatever the
number of offices), the URLs a post can be amplified by, and the channels an office can share a
task through in one click.

Who sees what, as on a cascade's board: the sender sees every receiving office; an office below
the sender sees only the receiving offices of its own subtree, read-only (a province its part of a
national task, a regency its own row). Nobody sees another province's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy

from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import channel_list_for_publishing

from . import boards
from .boards import BoardFilters as BoardFilters
from .models import AmplificationTarget, AmplificationTask

if TYPE_CHECKING:
    from humas.accounts.models import User

Status = AmplificationTarget.Status
VIEW = "content.view"


# --------------------------------------------------------------------------------------------
# The receiving office


def amplification_list_for_office(*, actor: User, office: Office) -> QuerySet[AmplificationTarget]:
    """The tasks that reached ``office`` from above: the ones still to do first (waiting, then
    being shared), nearest deadline first; then the done and declined ones, latest first. Needs
    content.view there."""
    policy.require(actor, VIEW, office)
    return (
        AmplificationTarget.objects.filter(office=office)
        .select_related(
            "office",
            "task__office",
            "task__account__office",
            "task__created_by",
            "task__source_post",
            "recorded_by",
            "channel",
        )
        .annotate(
            waiting=Case(
                When(status=Status.PENDING, then=Value(0)),
                When(status=Status.SHARING, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "task__deadline", "-recorded_at", "-pk")
    )


def amplification_pending_count(*, office: Office) -> int:
    return AmplificationTarget.objects.filter(office=office, status=Status.PENDING).count()


def amplification_target_get(*, actor: User, office: Office, target_id: int) -> AmplificationTarget:
    """The target ``target_id`` of ``office`` (404 for any other office's: nothing says it
    exists). Needs content.view there."""
    policy.require(actor, VIEW, office)
    target = (
        AmplificationTarget.objects.filter(pk=target_id, office=office)
        .select_related(
            "office",
            "task__office",
            "task__account__office",
            "task__created_by",
            "task__source_post",
            "recorded_by",
            "channel",
            "post",
        )
        .first()
    )
    if target is None:
        raise Http404("amplification target")
    return target


def amplification_share_channels(
    *, target: AmplificationTarget, publishable: Sequence[Channel] | None = None
) -> list[Channel]:
    """The channels of the target's office through which Humas can do the task in one click: the
    task is of a post published through Humas (its approval carries the share), and the office
    has a channel on the task's platform that Humas posts to itself (a connected account, or its
    portal). Empty otherwise: the office shares on the platform and records the URL.
    ``publishable``: the office's ``channel_list_for_publishing`` when the caller read it already
    (a list of the office's tasks asks once)."""
    task = target.task
    if task.source_post_id is None or task.platform not in (*API_PLATFORMS, Platform.PORTAL):
        return []
    source = task.source_post
    if source is None or source.status not in (Post.Status.APPROVED, Post.Status.PUBLISHED):
        return []
    return [
        channel
        for channel in (
            publishable if publishable is not None else channel_list_for_publishing(office=target.office)
        )
        if channel.platform == task.platform
    ]


# --------------------------------------------------------------------------------------------
# Where a task's URL comes from


def amplification_source_deliveries(*, actor: User, office: Office, post: Post) -> list[Delivery]:
    """The public URLs ``post`` (of ``office``) has: its deliveries that went out with a URL, one
    per channel (the latest), in channel order. Needs content.view."""
    policy.require(actor, VIEW, office)
    if post.office_id != office.pk:
        raise Http404("post")
    found: dict[int, Delivery] = {}
    for delivery in (
        Delivery.objects.filter(publication__post=post, state=Delivery.State.SENT)
        .exclude(url="")
        .select_related("channel__office")
        .order_by("channel__platform", "channel__name", "-sent_at", "-pk")
    ):
        found.setdefault(delivery.channel_id, delivery)
    return list(found.values())


# --------------------------------------------------------------------------------------------
# The tasks of an office


@dataclass(frozen=True)
class TaskSummary:
    task: AmplificationTask
    total: int
    pending: int
    sharing: int
    done: int
    declined: int

    @property
    def answered(self) -> int:
        return self.done + self.declined

    @property
    def done_share(self) -> float:
        """Done as a percentage of the offices asked (0–100)."""
        return 100.0 * self.done / self.total if self.total else 0.0


def _summaries(rows: QuerySet[AmplificationTarget], limit: int) -> list[TaskSummary]:
    counted = boards.summaries(
        rows,
        parent="task",
        requests=AmplificationTask.objects.select_related("office", "created_by", "account__office"),
        statuses=Status.values,
        limit=limit,
    )
    return [TaskSummary(task, **counts) for task, counts in counted]


def amplification_list_sent(*, actor: User, office: Office, limit: int = 50) -> list[TaskSummary]:
    """The latest tasks ``office`` asked, with their counts. Needs content.view there."""
    policy.require(actor, VIEW, office)
    return _summaries(AmplificationTarget.objects.filter(task__office=office), limit)


def amplification_list_from_above(*, actor: User, office: Office, limit: int = 50) -> list[TaskSummary]:
    """For an office in between (a province): the tasks of offices above it that reach offices in
    its subtree, counted over those offices only."""
    policy.require(actor, VIEW, office)
    return _summaries(
        boards.rows_from_above(AmplificationTarget.objects.all(), parent="task", office=office), limit
    )


# --------------------------------------------------------------------------------------------
# The board


BoardRow = boards.BoardRow[AmplificationTarget]


class Board(boards.Board[AmplificationTask, BoardRow]):
    @property
    def task(self) -> AmplificationTask:
        return self.sent

    @property
    def done_share(self) -> float:
        return 100.0 * self.counts[Status.DONE] / self.total if self.total else 0.0


def _status_label(status: str) -> str:
    return str(Status(status).label)


BOARD = boards.BoardSpec[BoardRow](
    statuses=(Status.PENDING, Status.SHARING, Status.DONE, Status.DECLINED),
    label=_status_label,
    order={Status.PENDING: 0, Status.SHARING: 1, Status.DONE: 2, Status.DECLINED: 3},
    times={
        # Latest record first.
        "dicatat": boards.TimeSort(
            gettext_lazy("Terakhir dicatat"), lambda row: row.target.recorded_at, latest_first=True
        ),
    },
)


def amplification_task_get_for_board(*, actor: User, office: Office, task_id: int) -> AmplificationTask:
    """The task as ``office`` may read it: asked by it, or asked from above it of offices in its
    subtree. Anything else: 404. Needs content.view at ``office``."""
    policy.require(actor, VIEW, office)
    task = (
        AmplificationTask.objects.select_related(
            "office", "created_by", "province", "source_post", "account__office"
        )
        .filter(pk=task_id)
        .first()
    )
    return boards.sent_for_board(
        task,
        targets=AmplificationTarget.objects.filter(task_id=task_id),
        office=office,
        not_found="amplification task",
    )


def amplification_board(
    *, actor: User, office: Office, task: AmplificationTask, filters: BoardFilters | None = None
) -> Board:
    """Every receiving office ``office`` may see (all for the sender, else its subtree's), its
    status, its result link, what it did and who recorded it, with the counts over all of them;
    then filtered by status and province and sorted (by office, status or time recorded). One
    query whatever the number of offices."""
    policy.require(actor, VIEW, office)
    own = task.office_id == office.pk
    targets = AmplificationTarget.objects.filter(task=task).select_related(
        "office__parent", "recorded_by", "channel"
    )
    if not own:
        targets = targets.filter(subtree(office.path, field="office__path"))
    rows = [
        BoardRow(
            target=target,
            office=target.office,
            province=boards.province_of(target.office),
            status=target.status,
            status_label=str(target.get_status_display()),
            post_url=boards.own_post_url(target.office, target.post_id),
        )
        for target in targets.order_by("office__path")
    ]
    return boards.board_assemble(
        Board, BOARD, sent=task, office=office, own=own, rows=rows, filters=filters or BoardFilters()
    )
