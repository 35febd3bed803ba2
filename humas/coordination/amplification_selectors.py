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
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import channel_list_for_publishing

from .models import AmplificationTarget, AmplificationTask

if TYPE_CHECKING:
    from humas.accounts.models import User

Status = AmplificationTarget.Status
VIEW = "content.view"
BOARD_STATUSES = (Status.PENDING, Status.SHARING, Status.DONE, Status.DECLINED)
SORTS = ("kantor", "status", "dicatat")
STATUS_ORDER: dict[str, int] = {Status.PENDING: 0, Status.SHARING: 1, Status.DONE: 2, Status.DECLINED: 3}


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


def _counts() -> dict[str, Count]:
    return {
        "total": Count("pk"),
        "pending": Count("pk", filter=Q(status=Status.PENDING)),
        "sharing": Count("pk", filter=Q(status=Status.SHARING)),
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "declined": Count("pk", filter=Q(status=Status.DECLINED)),
    }


def _summaries(rows: QuerySet[AmplificationTarget], limit: int) -> list[TaskSummary]:
    counted: list[dict[str, int]] = list(
        rows.values("task_id").annotate(**_counts()).order_by("-task_id")[:limit]  # type: ignore[arg-type]
    )
    tasks = AmplificationTask.objects.select_related("office", "created_by", "account__office").in_bulk(
        [row["task_id"] for row in counted]
    )
    return [
        TaskSummary(
            task=tasks[row["task_id"]],
            total=row["total"],
            pending=row["pending"],
            sharing=row["sharing"],
            done=row["done"],
            declined=row["declined"],
        )
        for row in counted
        if row["task_id"] in tasks
    ]


def amplification_list_sent(*, actor: User, office: Office, limit: int = 50) -> list[TaskSummary]:
    """The latest tasks ``office`` asked, with their counts. Needs content.view there."""
    policy.require(actor, VIEW, office)
    return _summaries(AmplificationTarget.objects.filter(task__office=office), limit)


def amplification_list_from_above(*, actor: User, office: Office, limit: int = 50) -> list[TaskSummary]:
    """For an office in between (a province): the tasks of offices above it that reach offices in
    its subtree, counted over those offices only."""
    policy.require(actor, VIEW, office)
    rows = AmplificationTarget.objects.filter(subtree(office.path, field="office__path")).filter(
        task__office__depth__lt=office.depth
    )
    return _summaries(rows, limit)


# --------------------------------------------------------------------------------------------
# The board


@dataclass
class BoardRow:
    target: AmplificationTarget
    office: Office
    province: Office | None
    post_url: str  # the office's one-click post in the back office

    @property
    def status(self) -> str:
        return self.target.status

    @property
    def status_label(self) -> str:
        return str(self.target.get_status_display())


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
    task: AmplificationTask
    # The office whose view this is: the sender, or an office below it seeing its part.
    office: Office
    read_only: bool
    rows: list[BoardRow]
    total: int
    counts: dict[str, int]
    provinces: list[Office] = field(default_factory=list)

    @property
    def done_share(self) -> float:
        return 100.0 * self.counts[Status.DONE] / self.total if self.total else 0.0


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
    if task is None:
        raise Http404("amplification task")
    if task.office_id == office.pk:
        return task
    if not office.path.startswith(task.office.path):
        raise Http404("amplification task")
    reaches = AmplificationTarget.objects.filter(task=task).filter(subtree(office.path, field="office__path"))
    if not reaches.exists():
        raise Http404("amplification task")
    return task


def amplification_board(
    *, actor: User, office: Office, task: AmplificationTask, filters: BoardFilters | None = None
) -> Board:
    """Every receiving office ``office`` may see (all for the sender, else its subtree's), its
    status, its result link, what it did and who recorded it, with the counts over all of them;
    then filtered by status and province and sorted (by office, status or time recorded). One
    query whatever the number of offices."""
    policy.require(actor, VIEW, office)
    filters = filters or BoardFilters()
    own = task.office_id == office.pk
    targets = AmplificationTarget.objects.filter(task=task).select_related(
        "office__parent", "recorded_by", "channel"
    )
    if not own:
        targets = targets.filter(subtree(office.path, field="office__path"))
    rows: list[BoardRow] = []
    for target in targets.order_by("office__path"):
        target_office = target.office
        province = target_office if target_office.level == Office.Level.PROVINSI else target_office.parent
        rows.append(
            BoardRow(
                target=target,
                office=target_office,
                province=province,
                post_url=reverse(
                    "publishing:detail", kwargs={"office_slug": target_office.slug, "post_id": target.post_id}
                )
                if target.post_id
                else "",
            )
        )
    counts: dict[str, int] = {str(status): 0 for status in BOARD_STATUSES}
    for row in rows:
        counts[row.status] += 1
    provinces = sorted(
        {row.province.pk: row.province for row in rows if row.province is not None}.values(),
        key=lambda o: o.path,
    )
    shown = rows
    if filters.status in BOARD_STATUSES:
        shown = [r for r in shown if r.status == filters.status]
    if filters.province:
        shown = [r for r in shown if r.province is not None and r.province.code == filters.province]
    return Board(
        task=task,
        office=office,
        read_only=not own,
        rows=_sorted(shown, filters.sort),
        total=len(rows),
        counts=counts,
        provinces=provinces if len(provinces) > 1 else [],
    )


def _recorded_at(row: BoardRow) -> datetime:
    assert row.target.recorded_at is not None
    return row.target.recorded_at


def _sorted(rows: list[BoardRow], sort: str) -> list[BoardRow]:
    by_path = sorted(rows, key=lambda r: r.office.path)
    if sort == "status":
        return sorted(by_path, key=lambda r: STATUS_ORDER.get(r.status, 9))
    if sort == "dicatat":
        # Latest record first; offices that have not recorded anything last, in tree order.
        recorded = [r for r in by_path if r.target.recorded_at is not None]
        rest = [r for r in by_path if r.target.recorded_at is None]
        return sorted(recorded, key=_recorded_at, reverse=True) + rest
    return by_path
