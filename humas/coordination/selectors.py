"""Reads of the content calendar (Kalender): an office's Konten posts and portal articles between
two instants, one entry each, for the office alone or rolled up over every office below it.

When an entry stands on the calendar:

- a post not published yet (draft, in review, approved): its scheduled time; a post without one
  is not on the calendar (it goes out whenever someone publishes it);
- a published or withdrawn post: when its first delivery went out, else when its first delivery
  is due, else its scheduled time, else when it was published (assisted channels nobody has
  marked yet);
- a portal article: when it was published, else its scheduled time (``publish_at``).

A portal article that a post's delivery to the office's own portal made is that post: it is shown
once, as the post, with the portal among its channels.

Everything is read in a bounded number of queries, whatever the number of entries: the keys of the
entries in one UNION query ordered by time, then the posts, their channels, their deliveries that
need a word, and the articles of those keys, one query each.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from humas.blackouts.selectors import windows_between
from humas.channels.models import Platform
from humas.core.stages import ElectionStage
from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article
from humas.publishing.assisted import ASSISTED_PLATFORMS
from humas.publishing.delivery import PENDING_STATES
from humas.publishing.models import Delivery, DeliveryArticle, Post, Publication

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User

VIEW = "content.view"
# A month view asks for six weeks; anything much longer is not a calendar page.
MAX_RANGE_DAYS = 62
TITLE_WORDS = 12
TITLE_CHARS = 90


class Category(models.TextChoices):
    """The calendar's colours, the same for posts and articles (each keeps its own statuses)."""

    DRAFT = "draft", gettext_lazy("Draf")
    IN_REVIEW = "in_review", gettext_lazy("Menunggu persetujuan")
    SCHEDULED = "scheduled", gettext_lazy("Terjadwal")
    PUBLISHED = "published", gettext_lazy("Terbit")
    FAILED = "failed", gettext_lazy("Perlu perhatian")
    WITHDRAWN = "withdrawn", gettext_lazy("Ditarik")


class Kind(models.TextChoices):
    POST = "post", gettext_lazy("Unggahan")
    ARTICLE = "article", gettext_lazy("Artikel portal")


# Short marks of the platforms, for the calendar's cells (the full name goes beside them for
# screen readers and in the list view).
PLATFORM_MARKS: dict[str, str] = {
    Platform.FACEBOOK: "FB",
    Platform.INSTAGRAM: "IG",
    Platform.X: "X",
    Platform.TELEGRAM: "TG",
    Platform.YOUTUBE: "YT",
    Platform.TIKTOK: "TT",
    Platform.WHATSAPP: "WA",
    Platform.PORTAL: "Portal",
}

_PostStatus = Post.Status
_ArticleStatus = Article.Status
_State = Delivery.State
# Deliveries that wait on a person: failed for good, needing attention, or held by a blackout.
_PROBLEM_STATES = (_State.FAILED, _State.NEEDS_ATTENTION, _State.HELD)
_NOT_PUBLISHED_POST = (_PostStatus.DRAFT, _PostStatus.IN_REVIEW, _PostStatus.APPROVED)


@dataclass(frozen=True)
class CalendarFilters:
    """What the calendar shows. ``office_code``: one office at or below the calendar's office
    (with the offices below it when ``include_below``); ``platform``: a channel platform;
    ``category``: a Category; ``stage``: an ElectionStage (of posts and articles); ``campaign``:
    a post's campaign, matched without regard to case (articles have none: an article is shown
    only while no campaign is chosen)."""

    include_below: bool = True
    office_code: str = ""
    platform: str = ""
    category: str = ""
    stage: str = ""
    campaign: str = ""


@dataclass(frozen=True)
class ChannelMark:
    platform: str
    name: str
    mark: str


@dataclass(frozen=True)
class CalendarEntry:
    kind: str
    pk: int
    office: Office
    title: str
    at: datetime  # aware, UTC
    category: str
    status: str  # the item's own status (Post.Status or Article.Status)
    status_label: str  # ... as its page says it
    note: str  # what needs a word: a failed channel, a hold, an approval not yet published
    channels: tuple[ChannelMark, ...]
    url: str
    stage: str = ""  # the article's election stage, as a label
    # A published post whose deliveries have not gone out yet (queued, waiting, held): a new time
    # moves them (publishing/delivery.py post_reschedule).
    pending: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def category_label(self) -> str:
        return _label_of(Category, self.category)

    @property
    def kind_label(self) -> str:
        return _label_of(Kind, self.kind)

    def local(self, zone: tzinfo) -> datetime:
        return timezone.localtime(self.at, zone)


@dataclass
class CalendarSlice:
    """Entries in time order from ``offset``; ``total`` counts every entry the range and filters
    hold (the slice may be a page of them)."""

    entries: list[CalendarEntry] = field(default_factory=list)
    total: int = 0
    offset: int = 0

    @property
    def truncated(self) -> bool:
        """Whether entries come after this slice."""
        return self.total > self.offset + len(self.entries)


@dataclass(frozen=True)
class OfficeChoice:
    code: str
    name: str
    depth: int  # below the calendar's office: 1 for its children


# --------------------------------------------------------------------------------------------
# The rows


def _post_rows(
    *, offices: QuerySet[Office], start: datetime, end: datetime, filters: CalendarFilters
) -> QuerySet[Any, Any] | None:
    """The keys (kind, id, instant, category) of the posts on the calendar, or None when the
    filters leave none."""
    # The first delivery sent or due, the first publication, and whether a live publication has a
    # delivery sent or one waiting on a person: aggregates of one grouped join, not subqueries per
    # post. Correlated subqueries (repeated by the range's filter) made PostgreSQL estimate a
    # month of 10,000 posts above its JIT thresholds: a second of compiling for 0.15 s of work.
    live = Q(publications__withdrawn_at__isnull=True)
    at = Case(
        When(status__in=_NOT_PUBLISHED_POST, then=F("scheduled_at")),
        default=Coalesce(
            Min("publications__deliveries__sent_at"),
            Min("publications__deliveries__next_attempt_at"),
            F("scheduled_at"),
            Min("publications__created_at"),
        ),
        output_field=DateTimeField(),
    )
    category = Case(
        When(status=_PostStatus.DRAFT, then=Value(Category.DRAFT.value)),
        When(status=_PostStatus.IN_REVIEW, then=Value(Category.IN_REVIEW.value)),
        When(status=_PostStatus.APPROVED, then=Value(Category.SCHEDULED.value)),
        When(status=_PostStatus.WITHDRAWN, then=Value(Category.WITHDRAWN.value)),
        When(live_problems__gt=0, then=Value(Category.FAILED.value)),
        When(live_sent__gt=0, then=Value(Category.PUBLISHED.value)),
        default=Value(Category.SCHEDULED.value),
        output_field=CharField(),
    )
    # Only posts with a time inside the range can have their instant there: a cheap first cut
    # (uncorrelated subqueries) before the instant is worked out row by row.
    touching = (
        Q(scheduled_at__gte=start, scheduled_at__lt=end)
        | Q(
            pk__in=Delivery.objects.filter(
                Q(sent_at__gte=start, sent_at__lt=end)
                | Q(next_attempt_at__gte=start, next_attempt_at__lt=end)
            ).values("publication__post_id")
        )
        | Q(pk__in=Publication.objects.filter(created_at__gte=start, created_at__lt=end).values("post_id"))
    )
    rows = (
        Post.objects.filter(office__in=offices)
        .filter(touching)
        .alias(
            live_problems=Count(
                "publications__deliveries",
                filter=live & Q(publications__deliveries__state__in=_PROBLEM_STATES),
            ),
            live_sent=Count(
                "publications__deliveries", filter=live & Q(publications__deliveries__state=_State.SENT)
            ),
        )
        .annotate(
            entry_kind=Value(Kind.POST.value, output_field=CharField()),
            entry_id=F("pk"),
            entry_at=at,
            entry_category=category,
        )
        .filter(entry_at__gte=start, entry_at__lt=end)
    )
    if filters.platform:
        rows = rows.filter(
            Exists(
                Post.channels.through.objects.filter(
                    post_id=OuterRef("pk"), channel__platform=filters.platform
                )
            )
        )
    if filters.category:
        rows = rows.filter(entry_category=filters.category)
    if filters.stage:
        rows = rows.filter(election_stage=filters.stage)
    if filters.campaign:
        rows = rows.filter(campaign__iexact=filters.campaign)
    return rows.order_by().values_list("entry_kind", "entry_id", "entry_at", "entry_category")


def _article_rows(
    *, offices: QuerySet[Office], start: datetime, end: datetime, filters: CalendarFilters
) -> QuerySet[Any, Any] | None:
    """The keys of the portal articles on the calendar, or None when the filters leave none (an
    article goes out on the portal only, and belongs to no campaign)."""
    if (filters.platform and filters.platform != Platform.PORTAL) or filters.campaign:
        return None
    at = Case(
        When(
            status__in=(_ArticleStatus.PUBLISHED, _ArticleStatus.UNPUBLISHED),
            then=Coalesce(F("published_at"), F("publish_at")),
        ),
        default=F("publish_at"),
        output_field=DateTimeField(),
    )
    category = Case(
        When(status__in=(_ArticleStatus.DRAFT, _ArticleStatus.REJECTED), then=Value(Category.DRAFT.value)),
        When(status=_ArticleStatus.IN_REVIEW, then=Value(Category.IN_REVIEW.value)),
        When(status=_ArticleStatus.SCHEDULED, held_by__isnull=False, then=Value(Category.FAILED.value)),
        When(status=_ArticleStatus.SCHEDULED, then=Value(Category.SCHEDULED.value)),
        When(status=_ArticleStatus.PUBLISHED, then=Value(Category.PUBLISHED.value)),
        default=Value(Category.WITHDRAWN.value),
        output_field=CharField(),
    )
    rows = (
        Article.objects.filter(office__in=offices)
        .filter(
            Q(publish_at__gte=start, publish_at__lt=end) | Q(published_at__gte=start, published_at__lt=end)
        )
        .filter(~Exists(DeliveryArticle.objects.filter(article_id=OuterRef("pk"))))
        .annotate(
            entry_kind=Value(Kind.ARTICLE.value, output_field=CharField()),
            entry_id=F("pk"),
            entry_at=at,
            entry_category=category,
        )
        .filter(entry_at__gte=start, entry_at__lt=end)
    )
    if filters.stage:
        rows = rows.filter(election_stage=filters.stage)
    if filters.category:
        rows = rows.filter(entry_category=filters.category)
    return rows.order_by().values_list("entry_kind", "entry_id", "entry_at", "entry_category")


def _offices(*, actor: User | AnonymousUser, office: Office, filters: CalendarFilters) -> QuerySet[Office]:
    """The offices whose entries show: ``office`` (or the chosen office below it) and, when the
    filters roll up, every office below it, each one the actor may read content of."""
    offices = policy.visible_offices(actor, action=VIEW, root=office)
    root = office
    if filters.office_code and filters.office_code != office.code:
        chosen = offices.filter(code=filters.office_code).first()
        if chosen is None:
            return offices.none()  # not at or below this office, or not the actor's to read
        root = chosen
        offices = policy.visible_offices(actor, action=VIEW, root=root)
    if not filters.include_below:
        offices = offices.filter(pk=root.pk)
    return offices


# --------------------------------------------------------------------------------------------
# The entries


def _title(text: str) -> str:
    """The first TITLE_WORDS words, at most TITLE_CHARS characters with the ellipsis (what
    Truncator's words() then chars() give, without walking every character of a long text)."""
    words = unicodedata.normalize("NFC", text).split()
    title = " ".join(words[:TITLE_WORDS])
    if len(words) > TITLE_WORDS and not title.endswith("…"):
        title += "…"
    if len(title) <= TITLE_CHARS:
        return title
    return Truncator(title).chars(TITLE_CHARS, truncate="…")


# (choices class, value, language) -> label: a month's entries would otherwise translate the
# same few labels thousands of times (each a lookup of the active language).
_LABELS: dict[tuple[type, str, str | None], str] = {}


def _label_of(choices: type[models.TextChoices], value: str) -> str:
    key = (choices, value, get_language())
    label = _LABELS.get(key)
    if label is None:
        label = _LABELS[key] = str(choices(value).label)
    return label


def _url_maker(name: str, id_name: str) -> Callable[[str, int], str]:
    """A fast ``reverse(name, office_slug=…, <id_name>=…)`` for many entries: the route reversed
    once with markers, then filled in (slugs and ids need no quoting)."""
    template = reverse(name, kwargs={"office_slug": "officeslugmarker", id_name: 918273645})

    def make(slug: str, pk: int) -> str:
        return template.replace("officeslugmarker", slug, 1).replace("918273645", str(pk), 1)

    return make


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Choice labels in the active language, read once per call: ``get_FOO_display`` rebuilds the
    field's choices at every call, a tenth of a second over a month's 1,500 entries."""
    return {str(value): str(label) for value, label in choices}


def _channel_marks(platforms: list[tuple[str, str]]) -> tuple[ChannelMark, ...]:
    seen: dict[str, ChannelMark] = {}
    for platform, name in sorted(platforms):
        seen.setdefault(
            platform, ChannelMark(platform=platform, name=name, mark=PLATFORM_MARKS.get(platform, name))
        )
    return tuple(seen.values())


def _post_note(category: str, status: str, problems: list[Delivery], platforms: dict[str, str]) -> str:
    if category == Category.FAILED:
        notes = []
        for delivery in problems:
            name = platforms.get(delivery.channel.platform, delivery.channel.platform)
            if delivery.state == _State.HELD:
                notes.append(_("%(platform)s ditahan (masa jeda)") % {"platform": name})
            elif delivery.state == _State.NEEDS_ATTENTION:
                notes.append(_("%(platform)s perlu perhatian") % {"platform": name})
            elif delivery.state == _State.FAILED:
                notes.append(_("%(platform)s gagal") % {"platform": name})
        return "; ".join(notes)
    if category == Category.SCHEDULED and status == _PostStatus.APPROVED:
        return _("Disetujui; belum diterbitkan ke kanal.")
    if category == Category.SCHEDULED and any(d.state == _State.MANUAL for d in problems):
        return _("Menunggu diunggah manual.")
    return ""


def _ids(keys: list[tuple[str, int, datetime, str]], kind: str) -> list[int]:
    return [pk for entry_kind, pk, _at, _c in keys if entry_kind == kind]


def _load(keys: list[tuple[str, int, datetime, str]]) -> tuple[list[Post], list[Article], dict[int, Office]]:
    """The posts and articles of ``keys`` with only what an entry shows, and their offices (one
    instance per office, in one query for both). ``__any``: the ids as one array parameter, where
    ``__in`` would prepare and bind each of 1,500."""
    post_ids, article_ids = _ids(keys, Kind.POST), _ids(keys, Kind.ARTICLE)
    posts = (
        list(Post.objects.filter(pk__any=post_ids).only("pk", "text", "status", "office_id"))
        if post_ids
        else []
    )
    articles = (
        list(
            Article.objects.filter(pk__any=article_ids).only(
                "pk", "title", "status", "election_stage", "held_by", "office_id"
            )
        )
        if article_ids
        else []
    )
    office_ids = sorted({p.office_id for p in posts} | {a.office_id for a in articles})
    offices = {o.pk: o for o in Office.objects.filter(pk__any=office_ids)} if office_ids else {}
    return posts, articles, offices


def _post_entries(
    keys: list[tuple[str, int, datetime, str]], posts: list[Post], offices: dict[int, Office]
) -> dict[int, CalendarEntry]:
    if not posts:
        return {}
    ids = [post.pk for post in posts]
    # The posts' channels as plain rows (sorted by _channel_marks), not a prefetch of models.
    channels: dict[int, list[str]] = defaultdict(list)
    for post_id, platform in (
        Post.channels.through.objects.filter(post_id__any=ids)
        .values_list("post_id", "channel__platform")
        .order_by()
    ):
        channels[post_id].append(platform)
    platforms, statuses = _labels(Platform.choices), _labels(_PostStatus.choices)
    post_url = _url_maker("publishing:detail", "post_id")
    waiting = [
        pk
        for kind, pk, _at, category in keys
        if kind == Kind.POST and category in (Category.FAILED, Category.SCHEDULED)
    ]
    problems: dict[int, list[Delivery]] = defaultdict(list)
    if waiting:
        for delivery in (
            Delivery.objects.filter(
                publication__post_id__any=waiting,
                publication__withdrawn_at__isnull=True,
                state__in=(*_PROBLEM_STATES, *PENDING_STATES, _State.MANUAL),
            )
            .select_related("channel", "publication")
            .only("pk", "state", "publication__post_id", "channel__platform", "channel__name")
            .order_by("channel__platform", "pk")
        ):
            problems[delivery.publication.post_id].append(delivery)
    when = {pk: (at, category) for kind, pk, at, category in keys if kind == Kind.POST}
    entries = {}
    for post in posts:
        at, category = when[post.pk]
        office = offices[post.office_id]
        entries[post.pk] = CalendarEntry(
            kind=Kind.POST.value,
            pk=post.pk,
            office=office,
            title=_title(post.text),
            at=at,
            category=category,
            status=post.status,
            status_label=statuses.get(post.status, post.status),
            note=_post_note(category, post.status, problems.get(post.pk, []), platforms),
            pending=any(
                d.state in PENDING_STATES and d.channel.platform not in ASSISTED_PLATFORMS
                for d in problems.get(post.pk, [])
            ),
            channels=_channel_marks(
                [(platform, platforms.get(platform, platform)) for platform in channels[post.pk]]
            ),
            url=post_url(office.slug, post.pk),
        )
    return entries


def _article_entries(
    keys: list[tuple[str, int, datetime, str]], articles: list[Article], offices: dict[int, Office]
) -> dict[int, CalendarEntry]:
    if not articles:
        return {}
    stages, statuses = _labels(ElectionStage.choices), _labels(_ArticleStatus.choices)
    article_url = _url_maker("portal_admin:detail", "article_id")
    portal = _channel_marks([(Platform.PORTAL, str(Platform.PORTAL.label))])
    when = {pk: (at, category) for kind, pk, at, category in keys if kind == Kind.ARTICLE}
    entries = {}
    for article in articles:
        office = offices[article.office_id]
        at, category = when[article.pk]
        note = ""
        if category == Category.FAILED:
            note = _("Ditahan (masa jeda).")
        elif article.status == _ArticleStatus.REJECTED:
            note = _("Ditolak; menunggu diperbaiki penulis.")
        entries[article.pk] = CalendarEntry(
            kind=Kind.ARTICLE.value,
            pk=article.pk,
            office=office,
            title=_title(article.title),
            at=at,
            category=category,
            status=article.status,
            status_label=statuses.get(article.status, article.status),
            note=note,
            channels=portal,
            url=article_url(office.slug, article.pk),
            stage=str(stages.get(article.election_stage, "")),
        )
    return entries


def calendar_entry_list(
    *,
    actor: User | AnonymousUser,
    office: Office,
    start: datetime,
    end: datetime,
    filters: CalendarFilters | None = None,
    offset: int = 0,
    limit: int = 500,
) -> CalendarSlice:
    """The calendar entries of ``office`` (and, as ``filters`` say, the offices below it) whose
    instant is in [``start``, ``end``), in time order: ``limit`` of them from ``offset``, with the
    count of them all. Raises PolicyDenied when the actor may not read the office's content."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be timezone-aware")
    policy.require(actor, VIEW, office)
    filters = filters or CalendarFilters()
    offices = _offices(actor=actor, office=office, filters=filters)
    parts = [
        rows
        for rows in (
            _post_rows(offices=offices, start=start, end=end, filters=filters),
            _article_rows(offices=offices, start=start, end=end, filters=filters),
        )
        if rows is not None
    ]
    if not parts:
        return CalendarSlice(offset=offset)
    keys_query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys, total = _keys_page(keys_query, offset=offset, limit=limit)
    post_rows, article_rows, entry_offices = _load(keys)
    posts = _post_entries(keys, post_rows, entry_offices)
    articles = _article_entries(keys, article_rows, entry_offices)
    entries = [
        (posts if kind == Kind.POST else articles)[pk]
        for kind, pk, _at, _c in keys
        if pk in (posts if kind == Kind.POST else articles)
    ]
    return CalendarSlice(entries=entries, total=total, offset=offset)


def _keys_page(
    keys_query: QuerySet[Any, Any], *, offset: int, limit: int
) -> tuple[list[tuple[str, int, datetime, str]], int]:
    """``limit`` keys from ``offset`` in time order, and how many keys there are in all: one
    statement (``COUNT(*) OVER ()`` beside the page), so the union of posts and articles — the
    costly part, with each post's first delivery — is computed once, not again for a count."""
    try:
        sql, params = keys_query.query.sql_with_params()
    except EmptyResultSet:  # the filters leave nothing (no office to read, say)
        return [], 0
    statement = (
        "SELECT entry_kind, entry_id, entry_at, entry_category, COUNT(*) OVER () "  # noqa: S608 - compiled SQL
        f"FROM ({sql}) AS calendar_keys ORDER BY entry_at, entry_kind, entry_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit, offset])
        rows = cursor.fetchall()
    if not rows:
        # Past the end (or nothing at all): the count of everything, for the page that says so.
        total = keys_query.count() if offset else 0
        return [], total
    total = int(rows[0][4])
    return [(kind, int(pk), _aware(at), category) for kind, pk, at, category, _n in rows], total


def _aware(value: datetime | str) -> datetime:
    """A key's instant as an aware datetime: SQLite gives the column back as text, and a value
    read without the field's converter is naive UTC."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a datetime: {value!r}")
        value = parsed
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def calendar_office_choices(*, actor: User | AnonymousUser, office: Office) -> list[OfficeChoice]:
    """The offices below ``office`` whose content the actor reads, down to two levels (a
    province's regencies; KPU RI's provinces and regencies), by path: the office filter offers
    them. One query."""
    rows = (
        policy.visible_offices(actor, action=VIEW, root=office)
        .filter(depth__gt=office.depth, depth__lte=office.depth + 2, is_active=True)
        .order_by("path")
        .values_list("code", "name", "depth")
    )
    return [OfficeChoice(code=code, name=name, depth=depth - office.depth) for code, name, depth in rows]


def calendar_days(entries: list[CalendarEntry], zone: tzinfo) -> list[tuple[date, list[CalendarEntry]]]:
    """``entries`` (in time order) grouped by their day in ``zone``, days in order."""
    days: dict[date, list[CalendarEntry]] = {}
    for entry in entries:
        days.setdefault(entry.local(zone).date(), []).append(entry)
    return list(days.items())


@dataclass(frozen=True)
class WindowMark:
    """A blackout window the calendar shades: nothing of the office is scheduled inside it."""

    title: str  # "Masa tenang"
    starts_at: datetime
    ends_at: datetime
    office: Office  # the office that declared it (this one or one above)


def calendar_windows(*, office: Office, start: datetime, end: datetime) -> list[WindowMark]:
    """The active blackout windows covering ``office`` (its own and those of the offices above
    it declared for everything below them) that overlap [start, end), in time order. A window a
    regency declared for itself alone shades that regency's calendar, not its province's. One
    query; the caller's view has checked the policy for ``office``."""
    return [
        WindowMark(
            title=window.title, starts_at=window.starts_at, ends_at=window.ends_at, office=window.office
        )
        for window in windows_between(office=office, start=start, end=end)
    ]
