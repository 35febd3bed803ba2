"""The JSON API at /api/v1. Public endpoints need no login; the rest take a person's API token
(``Authorization: Bearer hms_…``) or the session (with CSRF). Either way the request acts as that
person, through the one policy (humas/offices/policy.py)."""

import json
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthorizationError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer, SessionAuth

from humas.accounts.apitokens import api_token_authenticate
from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.models import ApiToken
from humas.audit.services import audit_record
from humas.blackouts.selectors import blackout_list_for_office
from humas.channels.models import Channel
from humas.coordination.amplification import (
    AmplificationError,
    amplification_create,
    amplification_decline,
    amplification_record,
    amplification_source_from_delivery,
    amplification_source_from_url,
)
from humas.coordination.amplification_selectors import (
    TaskSummary,
    amplification_board,
    amplification_list_for_office,
    amplification_list_sent,
    amplification_source_deliveries,
    amplification_task_get_for_board,
)
from humas.coordination.boards import BoardFilters, BoardRow
from humas.coordination.cascade_selectors import (
    CascadeSummary,
    cascade_board,
    cascade_get_for_board,
    cascade_list_sent,
    cascade_queue_for_office,
)
from humas.coordination.cascades import CascadeError, cascade_adopt, cascade_decline, cascade_text_resolve
from humas.coordination.compliance import compliance_report, compliance_rule_for, default_period
from humas.coordination.models import AmplificationTarget, AmplificationTask, Cascade, CascadeTarget
from humas.monitoring.models import Source
from humas.monitoring.selectors import source_get_by_reference
from humas.monitoring.services import (
    ItemsInvalid,
    MonitoringError,
    items_ingest,
    source_get_or_create_pushed,
)
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.offices.selectors import office_get_public, office_list_public
from humas.publishing.delivery import post_reschedule, publication_create
from humas.publishing.metrics import post_metrics_summary
from humas.publishing.models import Delivery, DeliveryMetrics, Post
from humas.publishing.services import PublishingError, post_approve, post_create, post_submit
from humas.web import limits
from humas.web.origins import public_url
from humas.web.requestcontext import request_client_ip

from .docs import swagger_docs
from .schemas import (
    AdoptIn,
    AmplificationBoardFilters,
    AmplificationBoardOut,
    AmplificationIn,
    AmplificationRecordIn,
    AmplificationTargetOut,
    AmplificationTaskOut,
    ApproveQuery,
    BlackoutOut,
    BoardOut,
    CascadeBoardFilters,
    CascadeOut,
    CascadeTargetOut,
    ComplianceFilters,
    ComplianceOut,
    DeclineIn,
    ErrorOut,
    GuidelineReason,
    MembershipOut,
    MeOut,
    MonitoringItemsIn,
    MonitoringItemsOut,
    OfficeOut,
    PostFilters,
    PostIn,
    PostMetricsOut,
    PostOut,
    PublishIn,
    RateLimitedOut,
    ScheduleIn,
    ValidationErrorOut,
)

api = NinjaAPI(
    title="Humas API",
    version="1",
    description=(
        "Humas: the public-communications desk of the election commission's offices. "
        "Send a personal API token (created at /app/me/tokens/) as `Authorization: Bearer hms_…`."
    ),
    urls_namespace="api",
    docs=swagger_docs(),
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimited(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def token_limit() -> limits.Limit:
    # Read on each call: the setting may differ between deployments and tests.
    return limits.Limit("api-token", count=settings.HUMAS_API_TOKEN_RATE, seconds=60)


class TokenAuth(HttpBearer):
    """A person's API token. A read token may only read; every token has its own rate limit."""

    openapi_description = "A personal API token, `hms_<prefix>_<secret>`, created at /app/me/tokens/."

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        # Not HttpBearer's own parsing: under DEBUG it logs a header it does not understand, and
        # that header may hold a token.
        scheme, _sep, raw = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not raw:
            return None
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(raw=token, ip=request_client_ip(request))
        if found is None:
            return None
        wait = limits.hit(token_limit(), str(found.pk))
        if wait is not None:
            raise RateLimited(wait)
        if found.scope != ApiToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise AuthorizationError(
                message=_(
                    "Token ini hanya untuk membaca. Buat token dengan cakupan baca dan ubah untuk mengubah data."
                )
            )
        request.user = found.owner
        request.api_token = found  # type: ignore[attr-defined]
        return found


# A token first: a script never has a session, and a browser never sends a bearer token.
SIGNED_IN = [TokenAuth(), SessionAuth()]
# What every signed-in operation may answer besides its own results: 401 without a usable token
# or session, 403 for a session owing its second factor (humas/core/middleware.py) or a read
# token on a write, 429 over a token's rate; 422 wherever there is input to validate.
REFUSALS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 429: RateLimitedOut}
WRITE_REFUSALS: dict[int, Any] = {**REFUSALS, 422: ValidationErrorOut}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return limits.too_many(request, exc.seconds)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # PolicyDenied carries a sentence for people; a bare PermissionDenied gets the general one.
    message = str(exc) or _("Anda tidak memiliki izin untuk tindakan ini di kantor ini.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(PublishingError)
def publishing_error(request: HttpRequest, exc: PublishingError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(CascadeError)
def cascade_error(request: HttpRequest, exc: CascadeError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(AmplificationError)
def amplification_error(request: HttpRequest, exc: AmplificationError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ItemsInvalid)
def items_invalid(request: HttpRequest, exc: ItemsInvalid) -> HttpResponse:
    # The shape of a schema error, so a client reads one kind of 422: where (the item's index and
    # field) and what.
    detail = [
        {
            "type": "invalid_item",
            "loc": ["body", "data", "items", error.index, *([error.field] if error.field else [])],
            "msg": error.message,
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(MonitoringError)
def monitoring_error(request: HttpRequest, exc: MonitoringError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


def audit_api_change(request: AuthenticatedHttpRequest, *, operation: str, office: Office, obj: Any) -> None:
    """Record that a change came through the API, and with which token (by its prefix only)."""
    token: ApiToken | None = getattr(request, "api_token", None)
    audit_record(
        actor=request.user,
        office=office,
        action=f"api.{operation}",
        obj=obj,
        changes={"token": token.prefix if token is not None else None},
    )


def no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in any string (a 500); no office name or code holds one.
    return value.replace("\x00", "")


offices_router = Router(tags=["offices"])

LevelFilter = Literal["pusat", "provinsi", "kabupaten-kota", "ppk", "pps"]


class OfficeFilters(Schema):
    level: LevelFilter | None = None
    parent: str | None = Field(
        None,
        description=(
            "The offices directly below this one, named by its code (`73`) or its slug (`sulsel`). "
            "An office that does not exist (or is not active) is a 422."
        ),
    )
    q: str | None = None


def _office_out(office: Office) -> dict[str, object]:
    return {
        "code": office.code,
        "name": office.name,
        "level": office.level,
        "parent_code": office.parent.code if office.parent_id and office.parent else None,
        "slug": office.slug,
        "time_zone": office.time_zone,
        "website": office.website,
        "email": office.email,
        "phone": office.phone,
        "address": office.address,
    }


@offices_router.get(
    "", response={200: list[OfficeOut], 422: ValidationErrorOut}, auth=None, summary="List offices"
)
@paginate(LimitOffsetPagination)
def list_offices(request: HttpRequest, filters: Query[OfficeFilters]):
    """Every active office, filterable by level and by parent code or slug (e.g. `?parent=33`,
    `?parent=jateng`)."""
    parent_code = ""
    wanted = no_nul(filters.parent or "")
    if wanted:
        parent = office_get_public(code_or_slug=wanted)
        if parent is None:
            # Not an empty list: a slug given where a code was expected used to look like one.
            raise ValidationError(
                [
                    {
                        "type": "unknown_office",
                        "loc": ["query", "parent"],
                        "msg": _(
                            "Tidak ada kantor dengan kode atau slug “%(parent)s”. Parameter parent "
                            "menerima kode kantor (mis. 73) atau slug-nya (mis. sulsel)."
                        )
                        % {"parent": wanted[:80]},
                    }
                ]
            )
        parent_code = parent.code
    offices = office_list_public(
        level=filters.level or "",
        parent_code=parent_code,
        query=no_nul(filters.q or "")[:80],
    )
    return [_office_out(o) for o in offices]


@offices_router.get("/{code}", response={200: OfficeOut, 404: ErrorOut}, auth=None, summary="One office")
def get_office(request: HttpRequest, code: str):
    office = Office.objects.filter(code=no_nul(code), is_active=True).select_related("parent").first()
    if office is None:
        raise Http404
    return _office_out(office)


me_router = Router(tags=["me"])


@me_router.get(
    "", response={200: MeOut, **REFUSALS}, auth=SIGNED_IN, summary="The signed-in user and memberships"
)
def me(request: AuthenticatedHttpRequest):
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("office").order_by("office__path")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            MembershipOut(
                office_code=m.office.code, office_slug=m.office.slug, office_name=m.office.name, role=m.role
            )
            for m in memberships
        ],
    }


posts_router = Router(tags=["posts"])


def _metrics_point(snapshot: DeliveryMetrics) -> dict[str, object]:
    return {
        "collected_at": snapshot.collected_at,
        "reactions": snapshot.reactions,
        "comments": snapshot.comments,
        "shares": snapshot.shares,
        "impressions": snapshot.impressions,
        "reach": snapshot.reach,
        "views": snapshot.views,
        "link_clicks": snapshot.link_clicks,
        "extra": snapshot.extra,
        "unavailable": snapshot.unavailable,
    }


@posts_router.get(
    "/{post_id}/metrics",
    response={200: PostMetricsOut, 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="A post's metrics per channel",
)
def post_metrics(request: AuthenticatedHttpRequest, post_id: int):
    """Latest counts and history of each delivery of the post (collected +1 h … +7 d after
    sending), and totals across channels. Only for members who may see the office's content."""
    post = Post.objects.select_related("office").filter(pk=post_id).first()
    if post is None or not policy.can(request.user, "content.view", post.office):
        raise Http404  # another office's post is not told apart from a missing one
    summary = post_metrics_summary(post=post)
    return {
        "post_id": post.pk,
        "totals": summary.totals,
        "interactions": summary.interactions,
        "collected_at": summary.collected_at,
        "deliveries": [
            {
                "delivery_id": row.delivery.pk,
                "channel": str(row.delivery.channel),
                "platform": row.delivery.channel.platform,
                "metrics_state": row.delivery.metrics_state,
                "note": row.delivery.metrics_note,
                "next_collection_at": row.delivery.metrics_next_at,
                "latest": _metrics_point(row.latest) if row.latest is not None else None,
                "history": [_metrics_point(s) for s in row.history],
            }
            for row in summary.rows
        ],
    }


def _post_out(post: Post) -> dict[str, object]:
    """A post with its deliveries, read from ``post_queryset()``'s prefetches."""
    deliveries = [
        {
            "id": d.pk,
            "channel_id": d.channel_id,
            "channel": str(d.channel),
            "platform": d.channel.platform,
            "state": d.state,
            "url": d.url,
            "error_message": d.error_message,
            "next_attempt_at": d.next_attempt_at,
            "sent_at": d.sent_at,
            "held_by": {
                "reason": d.held_by.title,
                "office_code": d.held_by.office.code,
                "ends_at": d.held_by.ends_at,
            }
            if d.state == Delivery.State.HELD and d.held_by is not None
            else None,
        }
        for publication in post.publications.all()
        for d in publication.deliveries.all()
    ]
    return {
        "id": post.pk,
        "office_code": post.office.code,
        "status": post.status,
        "text": post.text,
        "link": post.link,
        "channels": sorted(c.pk for c in post.channels.all()),
        "scheduled_at": post.scheduled_at,
        "is_clarification": post.is_clarification,
        "campaign": post.campaign,
        "election_stage": post.election_stage,
        "approved_by": post.approved_by.get_full_name() if post.approved_by else None,
        "created_at": post.created_at,
        "deliveries": deliveries,
    }


def post_queryset() -> QuerySet[Post]:
    """Posts with everything ``_post_out`` reads, in a fixed number of queries for any page."""
    return Post.objects.select_related("office", "approved_by").prefetch_related(
        "channels",
        Prefetch(
            "publications__deliveries",
            queryset=Delivery.objects.select_related("channel", "held_by__office").order_by("pk"),
        ),
    )


def _visible_post(request: AuthenticatedHttpRequest, post_id: int) -> Post:
    """The post, if this person may see its office's content; else 404 (another office's post is
    not told apart from a missing one). The service checks the action itself."""
    post = post_queryset().filter(pk=post_id).first()
    if post is None or not policy.can(request.user, "content.view", post.office):
        raise Http404
    return post


def _fresh(request: AuthenticatedHttpRequest, post: Post, *, operation: str) -> dict[str, object]:
    audit_api_change(request, operation=operation, office=post.office, obj=post)
    return _post_out(post_queryset().get(pk=post.pk))


@posts_router.get(
    "",
    response={200: list[PostOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="List posts",
)
@paginate(LimitOffsetPagination)
def list_posts(request: AuthenticatedHttpRequest, filters: Query[PostFilters]):
    """The posts of an office (newest first), with each delivery's state; `below=true` adds the
    offices below it that you may see. Needs the right to see the office's content."""
    office = Office.objects.filter(code=no_nul(filters.office), is_active=True).first()
    if office is None or not policy.can(request.user, "content.view", office):
        raise Http404
    posts = post_queryset().order_by("-created_at", "-pk")
    if filters.below:
        posts = posts.filter(
            office__in=policy.visible_offices(request.user, action="content.view", root=office)
        )
    else:
        posts = posts.filter(office=office)
    if filters.status:
        posts = posts.filter(status=filters.status)
    if filters.campaign:
        posts = posts.filter(campaign__iexact=" ".join(no_nul(filters.campaign).split()).lstrip("#"))
    return [_post_out(post) for post in posts]


@posts_router.get(
    "/{post_id}",
    response={200: PostOut, 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="One post and its delivery status",
)
def get_post(request: AuthenticatedHttpRequest, post_id: int):
    return _post_out(_visible_post(request, post_id))


@posts_router.post(
    "",
    response={201: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Create a draft post",
)
def create_post(request: AuthenticatedHttpRequest, data: PostIn):
    """A new draft in the office with code `office`; it goes out only after review and approval.
    Needs a write token (or the session) and the right to draft in that office. A time inside a
    blackout window is a 400 that names the window."""
    office = Office.objects.filter(code=no_nul(data.office), is_active=True).first()
    if office is None:
        raise Http404
    policy.require(request.user, "content.draft", office)  # before saying anything about channels
    wanted = set(data.channels)
    channels = list(Channel.objects.filter(office=office, is_active=True, pk__in=wanted))
    if len(channels) != len(wanted):
        raise PublishingError(_("Kanal itu bukan kanal aktif kantor ini."))
    with transaction.atomic():
        post = post_create(
            actor=request.user,
            office=office,
            text=no_nul(data.text),
            link=no_nul(data.link),
            channels=channels,
            scheduled_at=data.scheduled_at,
            is_clarification=data.is_clarification,
            campaign=no_nul(data.campaign),
            election_stage=data.election_stage,
        )
        return Status(201, _fresh(request, post, operation="post_create"))


@posts_router.post(
    "/{post_id}/submit",
    response={200: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Send a draft for review",
)
def submit_post(request: AuthenticatedHttpRequest, post_id: int, guideline: Query[GuidelineReason]):
    """Needs the right to draft in the post's office; the post needs at least one channel. What
    the public-relations guideline blocks (personal data, partisan calls...) is refused, with the
    finding named, unless an Administrator gives ``policy_reason``."""
    post = _visible_post(request, post_id)
    with transaction.atomic():
        submitted = post_submit(actor=request.user, post=post, policy_reason=guideline.policy_reason)
        return _fresh(request, submitted, operation="post_submit")


@posts_router.post(
    "/{post_id}/approve",
    response={200: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Approve a post in review",
)
def approve_post(request: AuthenticatedHttpRequest, post_id: int, guideline: Query[ApproveQuery]):
    """Needs an Editor's or Administrator's right to approve in the post's office (an Operator's
    token is a 403), and a second person: nobody approves what they wrote or changed last. The
    public-relations guideline's warnings need ``policy_reason``; what it blocks needs an
    Administrator's. Every item of the office's verification checklist must be in ``checklist``."""
    post = _visible_post(request, post_id)
    with transaction.atomic():
        approved = post_approve(
            actor=request.user,
            post=post,
            policy_reason=guideline.policy_reason,
            checked=guideline.checklist,
            decision=guideline.decision,
        )
        return _fresh(request, approved, operation="post_approve")


@posts_router.post(
    "/{post_id}/schedule",
    response={200: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Move a post to another time",
)
def schedule_post(request: AuthenticatedHttpRequest, post_id: int, data: ScheduleIn):
    """Only the time changes, so an approved post keeps its approval; deliveries not yet sent
    (queued, waiting or held) move with it."""
    post = _visible_post(request, post_id)
    with transaction.atomic():
        moved = post_reschedule(actor=request.user, post=post, scheduled_at=data.scheduled_at)
        return _fresh(request, moved, operation="post_schedule")


@posts_router.post(
    "/{post_id}/publish",
    response={200: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Publish an approved post",
)
def publish_post(request: AuthenticatedHttpRequest, post_id: int, data: PublishIn):
    """One delivery per channel, sent at the post's time (or now); read their state with
    `GET /posts/{id}`. Needs the right to publish in the post's office; inside a blackout window
    only an Administrator, with `blackout_override`."""
    post = _visible_post(request, post_id)
    approved = list(post.channels.all())
    if data.channels:
        chosen = [c for c in approved if c.pk in set(data.channels)]
        if len(chosen) != len(set(data.channels)):
            raise PublishingError(_("Kanal itu bukan kanal tujuan yang disetujui untuk unggahan ini."))
    else:
        chosen = [c for c in approved if c.is_active]
    with transaction.atomic():
        publication_create(
            actor=request.user, post=post, channels=chosen, blackout_override=no_nul(data.blackout_override)
        )
        return _fresh(request, post, operation="post_publish")


blackouts_router = Router(tags=["blackouts"])


@blackouts_router.get(
    "",
    response={200: list[BlackoutOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Blackout windows covering an office",
)
def list_blackouts(request: AuthenticatedHttpRequest, office: str):
    """The windows (masa tenang, hari berkabung) that cover the office with code `office` now or
    later: its own and those of the offices above it declared for everything below them."""
    found = Office.objects.filter(code=no_nul(office), is_active=True).first()
    if found is None or not policy.can(request.user, "office.view", found):
        raise Http404
    page = blackout_list_for_office(actor=request.user, office=found)
    return [
        {
            "id": w.pk,
            "office_code": w.office.code,
            "includes_below": w.includes_below,
            "starts_at": w.starts_at,
            "ends_at": w.ends_at,
            "reason": w.reason,
            "title": w.title,
            "note": w.note,
            "clarifications_exempt": w.clarifications_exempt,
        }
        for w in [*page.current, *page.upcoming]
    ]


compliance_router = Router(tags=["compliance"])


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@compliance_router.get(
    "",
    response={200: ComplianceOut, 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Posting activity of the offices below an office",
)
def get_compliance(request: AuthenticatedHttpRequest, filters: Query[ComplianceFilters]):
    """Keaktifan unggahan, as the page and its CSV: the offices directly below the office with code
    `office` that you may see (a province: its regencies and cities; KPU RI: the provinces; a
    regency: itself), over a period, against a threshold; the defaults are the office's setting
    (or the nearest office above with one). Needs the right to see the office's content."""
    office = Office.objects.filter(code=no_nul(filters.office), is_active=True).first()
    if office is None or not policy.can(request.user, "content.view", office):
        raise Http404
    rule = compliance_rule_for(office=office)
    start, end = default_period(office=office, days=rule.period_days)
    report = compliance_report(
        actor=request.user,
        office=office,
        start=filters.start or start,
        end=filters.end or end,
        threshold=filters.threshold or rule.threshold,
    )
    return {
        "office_code": office.code,
        "start": report.start,
        "end": report.end,
        "days": report.days,
        "threshold": report.threshold,
        "setting_office_code": rule.set_by_office.code if rule.set_by_office else None,
        "average": round(report.average, 1),
        "meeting": report.meeting,
        "offices": [
            {
                "office_code": row.office.code,
                "office_name": row.office.name,
                "activity": round(row.activity, 1),
                "active_days": row.active_days,
                "days": row.days,
                "posts": row.posts,
                "posts_per_week": round(row.posts_per_week, 1),
                "meets_threshold": row.activity >= report.threshold,
                "channels": [
                    {"platform": c.platform, "active_days": c.active_days, "posts": c.posts}
                    for c in row.channels
                ],
                "amplification_asked": row.amplification_asked,
                "amplification_done": row.amplification_done,
                "amplification_share": _share(row.amplification_share),
                "cascades_asked": row.cascades_asked,
                "cascades_adopted": row.cascades_adopted,
                "cascade_share": _share(row.cascade_share),
                "median_delay_hours": _share(row.median_delay_hours),
            }
            for row in report.rows
        ],
    }


monitoring_router = Router(tags=["monitoring"])


def _received_items(request: HttpRequest) -> list[Any] | None:
    """The items of the request body exactly as sent (the schema's parsed copy has coerced them)."""
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    items = body.get("items") if isinstance(body, dict) else None
    return items if isinstance(items, list) else None


@monitoring_router.post(
    "/items",
    response={200: MonitoringItemsOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Send monitored items",
)
def ingest_items(request: AuthenticatedHttpRequest, data: MonitoringItemsIn):
    """Items said in public (comments, posts, articles) from a listening tool or a script, into
    one of the office's sources. Idempotent by each item's `external_id` within its source:
    sending a batch again answers them as duplicates and stores nothing twice. Any invalid item
    is a 422 naming its index and field, and then nothing is stored. Needs a write token (or the
    session) and the right to take in items in that office."""
    office = Office.objects.filter(code=no_nul(data.office), is_active=True).first()
    if office is None:
        raise Http404
    policy.require(request.user, "monitoring.ingest", office)
    received = _received_items(request)
    records = received if received is not None and len(received) == len(data.items) else None
    if records is None:  # not JSON the way it was parsed: the schema's copy is the record
        records = [item.model_dump(mode="json", exclude_unset=True) for item in data.items]
    with transaction.atomic():
        source = source_get_by_reference(office=office, reference=data.source)
        if source is None:
            if data.source.strip().isdigit():
                raise Http404
            source = source_get_or_create_pushed(
                actor=request.user, office=office, kind=Source.Kind.API, name=data.source
            )
        elif source.kind != Source.Kind.API or not source.is_active:
            raise MonitoringError(
                _("Sumber “%(name)s” tidak menerima item lewat API.") % {"name": source.name}
            )
        result = items_ingest(actor=request.user, source=source, records=records)
        audit_api_change(request, operation="monitoring_items_ingest", office=office, obj=source)
    return {"source_id": source.pk, "created": result.created, "duplicates": result.duplicates}


cascades_router = Router(tags=["cascades"])


def _office_by_code(request: AuthenticatedHttpRequest, code: str) -> Office:
    """The active office with ``code`` whose content this person may see; else 404."""
    office = Office.objects.filter(code=no_nul(code), is_active=True).first()
    if office is None or not policy.can(request.user, "content.view", office):
        raise Http404
    return office


def _cascade_out(summary: CascadeSummary) -> dict[str, object]:
    cascade = summary.cascade
    return {
        "id": cascade.pk,
        "office_code": cascade.office.code,
        "source_post_id": cascade.source_post_id,
        "source_article_id": cascade.source_article_id,
        "text": cascade.text,
        "link": cascade.link,
        "scope": cascade.scope,
        "province_code": cascade.province.code if cascade.province_id and cascade.province else None,
        "deadline": cascade.deadline,
        "created_at": cascade.created_at,
        "created_by": cascade.created_by.get_full_name(),
        "targets": summary.total,
        "pending": summary.pending,
        "adopted": summary.adopted,
        "adapted": summary.adapted,
        "declined": summary.declined,
    }


def _target_out(target: CascadeTarget) -> dict[str, object]:
    cascade = target.cascade
    return {
        "id": target.pk,
        "cascade_id": cascade.pk,
        "office_code": target.office.code,
        "sender_code": cascade.office.code,
        "text": cascade_text_resolve(text=cascade.text, office=target.office).text,
        "link": cascade.link,
        "deadline": cascade.deadline,
        "status": target.status,
        "decided_by": target.decided_by.get_full_name() if target.decided_by else None,
        "decided_at": target.decided_at,
        "decline_reason": target.decline_reason,
        "automatic": target.automatic,
        "post_id": target.post_id,
    }


@cascades_router.get(
    "",
    response={200: list[CascadeOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Cascades an office sent",
)
@paginate(LimitOffsetPagination)
def list_cascades(request: AuthenticatedHttpRequest, office: str):
    """The content the office with code `office` (KPU RI or a province) sent to the offices below
    it, newest first, with how many offices adopted, adapted, declined or have not decided yet.
    Needs the right to see the office's content."""
    found = _office_by_code(request, office)
    return [
        _cascade_out(summary) for summary in cascade_list_sent(actor=request.user, office=found, limit=500)
    ]


@cascades_router.get(
    "/received",
    response={200: list[CascadeTargetOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Cascades an office received",
)
@paginate(LimitOffsetPagination)
def list_received(request: AuthenticatedHttpRequest, office: str):
    """What reached the office with code `office` from above ("Dari kantor atasan"): undecided
    first, nearest deadline first; each with its text as this office publishes it."""
    found = _office_by_code(request, office)
    return [_target_out(t) for t in cascade_queue_for_office(actor=request.user, office=found)]


def _board_view(
    request: AuthenticatedHttpRequest,
    sent: QuerySet[Cascade] | QuerySet[AmplificationTask],
    filters: CascadeBoardFilters | AmplificationBoardFilters,
) -> tuple[Office, BoardFilters]:
    """Whose view of a board (the office with code ``filters.office``, by default the sender of
    ``sent``, the cascade or task asked for; 404 when there is none) and its filters."""
    sender = sent.values_list("office__code", flat=True).first()
    if sender is None:
        raise Http404
    office = _office_by_code(request, filters.office or sender)
    return office, BoardFilters(
        status=filters.status or "", province=no_nul(filters.province or ""), sort=filters.sort
    )


def _board_row_out(row: BoardRow[Any]) -> dict[str, object]:
    """What every board says of one receiving office; each board adds its own."""
    return {
        "target_id": row.target.pk,
        "office_code": row.office.code,
        "office_name": row.office.name,
        "province_code": row.province.code if row.province else None,
        "status": row.status,
        "decline_reason": row.target.decline_reason,
        "post_id": row.target.post_id,
    }


@cascades_router.get(
    "/{cascade_id}/board",
    response={200: BoardOut, 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="One cascade's board",
)
def get_board(request: AuthenticatedHttpRequest, cascade_id: int, filters: Query[CascadeBoardFilters]):
    """Each receiving office's decision and publication (published: adopted or adapted, and
    sent), with the counts. The sender sees every office; an office below it (`office=`) sees
    only the offices in its own subtree, read-only. Another province's rows are never shown."""
    office, wanted = _board_view(request, Cascade.objects.filter(pk=cascade_id), filters)
    found = cascade_get_for_board(actor=request.user, office=office, cascade_id=cascade_id)
    board = cascade_board(actor=request.user, office=office, cascade=found, filters=wanted)
    everyone = CascadeSummary(
        cascade=found,
        total=board.total,
        pending=board.counts["pending"],
        adopted=board.counts["adopted"],
        adapted=board.counts["adapted"],
        declined=board.counts["declined"],
    )
    return {
        "cascade": _cascade_out(everyone),
        "office_code": office.code,
        "read_only": board.read_only,
        "counts": board.counts,
        "rows": [
            {
                **_board_row_out(row),
                "decision": row.target.status,
                "decided_by": row.target.decided_by.get_full_name() if row.target.decided_by else None,
                "decided_at": row.target.decided_at,
                "automatic": row.target.automatic,
                "published_at": row.published_at,
                "links": [url for _channel, url in row.links],
            }
            for row in board.rows
        ],
    }


def _visible_target(request: AuthenticatedHttpRequest, target_id: int) -> CascadeTarget:
    """The target, if this person may see its office's content; else 404 (another office's item
    is not told apart from a missing one). The service checks the action itself."""
    target = (
        CascadeTarget.objects.select_related("office", "cascade__office", "decided_by")
        .filter(pk=target_id)
        .first()
    )
    if target is None or not policy.can(request.user, "content.view", target.office):
        raise Http404
    return target


@cascades_router.post(
    "/targets/{target_id}/adopt",
    response={200: CascadeTargetOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Adopt a cascade as it is",
)
def adopt_target(request: AuthenticatedHttpRequest, target_id: int, data: AdoptIn):
    """Publish the cascade in the receiving office now, with its fill-in fields resolved and the
    approval given above, on the chosen channels of that office. Needs an Operator's, Editor's or
    Administrator's right there. Already decided, inside a blackout window, or a channel that
    would refuse the text: a 400 that says why, and nothing is made."""
    target = _visible_target(request, target_id)
    wanted = set(data.channels)
    channels = list(Channel.objects.filter(office=target.office, is_active=True, pk__in=wanted))
    if len(channels) != len(wanted):
        raise CascadeError(_("Kanal itu bukan kanal aktif kantor ini."))
    with transaction.atomic():
        adopted = cascade_adopt(actor=request.user, target=target, channels=channels)
        audit_api_change(request, operation="cascade_adopt", office=target.office, obj=adopted)
    return _target_out(_visible_target(request, target_id))


@cascades_router.post(
    "/targets/{target_id}/decline",
    response={200: CascadeTargetOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Decline a cascade with a reason",
)
def decline_target(request: AuthenticatedHttpRequest, target_id: int, data: DeclineIn):
    """The sender reads the reason on its board. Needs an Operator's, Editor's or
    Administrator's right in the receiving office."""
    target = _visible_target(request, target_id)
    with transaction.atomic():
        declined = cascade_decline(actor=request.user, target=target, reason=no_nul(data.reason))
        audit_api_change(request, operation="cascade_decline", office=target.office, obj=declined)
    return _target_out(_visible_target(request, target_id))


amplification_router = Router(tags=["amplification"])


def _task_out(summary: TaskSummary) -> dict[str, object]:
    task = summary.task
    return {
        "id": task.pk,
        "office_code": task.office.code,
        "url": task.url,
        "platform": task.platform,
        "account_office_code": task.account.office.code,
        "source_post_id": task.source_post_id,
        "ask_share": task.ask_share,
        "ask_interact": task.ask_interact,
        "instructions": task.instructions,
        "scope": task.scope,
        "province_code": task.province.code if task.province_id and task.province else None,
        "deadline": task.deadline,
        "created_at": task.created_at,
        "created_by": task.created_by.get_full_name(),
        "targets": summary.total,
        "pending": summary.pending,
        "sharing": summary.sharing,
        "done": summary.done,
        "declined": summary.declined,
    }


def _amplification_target_out(target: AmplificationTarget) -> dict[str, object]:
    task = target.task
    return {
        "id": target.pk,
        "task_id": task.pk,
        "office_code": target.office.code,
        "sender_code": task.office.code,
        "url": task.url,
        "platform": task.platform,
        "ask_share": task.ask_share,
        "ask_interact": task.ask_interact,
        "instructions": task.instructions,
        "deadline": task.deadline,
        "status": target.status,
        "result_url": target.result_url,
        "shared": target.shared,
        "interacted": target.interacted,
        "recorded_by": target.recorded_by.get_full_name() if target.recorded_by else None,
        "recorded_at": target.recorded_at,
        "decline_reason": target.decline_reason,
        "post_id": target.post_id,
    }


@amplification_router.get(
    "",
    response={200: list[AmplificationTaskOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Amplification tasks an office asked",
)
@paginate(LimitOffsetPagination)
def list_amplification_tasks(request: AuthenticatedHttpRequest, office: str):
    """The tasks the office with code `office` (KPU RI or a province) asked of the offices below
    it, newest first, with how many are done, being shared, declined or waiting. Needs the right
    to see the office's content."""
    found = _office_by_code(request, office)
    return [
        _task_out(summary) for summary in amplification_list_sent(actor=request.user, office=found, limit=500)
    ]


@amplification_router.get(
    "/received",
    response={200: list[AmplificationTargetOut], 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="Amplification tasks of an office",
)
@paginate(LimitOffsetPagination)
def list_amplification_received(request: AuthenticatedHttpRequest, office: str):
    """The tasks that reached the office with code `office` ("Tugas amplifikasi"): waiting first,
    nearest deadline first, then the answered ones."""
    found = _office_by_code(request, office)
    return [
        _amplification_target_out(t) for t in amplification_list_for_office(actor=request.user, office=found)
    ]


@amplification_router.get(
    "/{task_id}/board",
    response={200: AmplificationBoardOut, 404: ErrorOut, 422: ValidationErrorOut, **REFUSALS},
    auth=SIGNED_IN,
    summary="One amplification task's board",
)
def get_amplification_board(
    request: AuthenticatedHttpRequest, task_id: int, filters: Query[AmplificationBoardFilters]
):
    """Each receiving office's status, result link and who recorded it, with the counts. The
    asking office sees every office; an office below it (`office=`) sees only the offices of its
    own subtree, read-only. Another province's rows are never shown."""
    office, wanted = _board_view(request, AmplificationTask.objects.filter(pk=task_id), filters)
    found = amplification_task_get_for_board(actor=request.user, office=office, task_id=task_id)
    board = amplification_board(actor=request.user, office=office, task=found, filters=wanted)
    everyone = TaskSummary(
        task=found,
        total=board.total,
        pending=board.counts["pending"],
        sharing=board.counts["sharing"],
        done=board.counts["done"],
        declined=board.counts["declined"],
    )
    return {
        "task": _task_out(everyone),
        "office_code": office.code,
        "read_only": board.read_only,
        "counts": board.counts,
        "rows": [
            {
                **_board_row_out(row),
                "result_url": row.target.result_url,
                "shared": row.target.shared,
                "interacted": row.target.interacted,
                "recorded_by": row.target.recorded_by.get_full_name() if row.target.recorded_by else None,
                "recorded_at": row.target.recorded_at,
            }
            for row in board.rows
        ],
    }


def _offices_by_codes(codes: list[str], *, field: str) -> list[Office]:
    """The active offices with these codes (the body's ``field``); a code that names none is a 422."""
    wanted = list(dict.fromkeys(no_nul(code) for code in codes))
    found = {o.code: o for o in Office.objects.filter(code__in=wanted, is_active=True)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError(
            [
                {
                    "type": "unknown_office",
                    "loc": ["body", "data", field],
                    "msg": _("Tidak ada kantor aktif dengan kode %(codes)s.") % {"codes": ", ".join(missing)},
                }
            ]
        )
    return [found[code] for code in wanted]


@amplification_router.post(
    "",
    response={200: AmplificationTaskOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Ask the offices below to amplify a post",
)
def create_amplification_task(request: AuthenticatedHttpRequest, data: AmplificationIn):
    """Ask the offices below the office with code `office` (all of them, one province's, or
    chosen ones) to share and/or interact with a post of an official account by `deadline`. Needs
    an Editor's or Administrator's right there (an Operator's token is a 403). A URL that is no
    official account's post, a past deadline, an office outside reach: a 400 that says why, and
    nothing is made."""
    office = _office_by_code(request, data.office)
    policy.require(request.user, "amplification.send", office)
    province = (
        _offices_by_codes([data.province], field="province")[0]
        if data.scope == "province" and data.province
        else None
    )
    chosen = (
        _offices_by_codes(data.offices, field="offices") if data.scope == "chosen" and data.offices else []
    )
    if data.post_id is not None:
        post = Post.objects.filter(pk=data.post_id, office=office).first()
        if post is None:
            raise Http404
        wanted = no_nul(data.url).strip()
        match = next(
            (
                d
                for d in amplification_source_deliveries(actor=request.user, office=office, post=post)
                if d.url == wanted or public_url(d.url) == wanted
            ),
            None,
        )
        if match is None:
            raise AmplificationError(_("Pilih salah satu tautan unggahan ini yang sudah terbit."))
        source = amplification_source_from_delivery(office=office, post=post, delivery_id=match.pk)
    else:
        source = amplification_source_from_url(url=no_nul(data.url))
    with transaction.atomic():
        task = amplification_create(
            actor=request.user,
            office=office,
            source=source,
            scope=data.scope,
            deadline=data.deadline,
            ask_share=data.ask_share,
            ask_interact=data.ask_interact,
            instructions=no_nul(data.instructions),
            province=province,
            chosen=chosen,
        )
        audit_api_change(request, operation="amplification_create", office=office, obj=task)
    asked = task.targets.count()
    return _task_out(TaskSummary(task=task, total=asked, pending=asked, sharing=0, done=0, declined=0))


def _visible_amplification_target(request: AuthenticatedHttpRequest, target_id: int) -> AmplificationTarget:
    """The target, if this person may see its office's content; else 404 (another office's item
    is not told apart from a missing one). The service checks the action itself."""
    target = (
        AmplificationTarget.objects.select_related("office", "task__office", "recorded_by")
        .filter(pk=target_id)
        .first()
    )
    if target is None or not policy.can(request.user, "content.view", target.office):
        raise Http404
    return target


@amplification_router.post(
    "/targets/{target_id}/record",
    response={200: AmplificationTargetOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Record (complete) an amplification task",
)
def record_amplification(request: AuthenticatedHttpRequest, target_id: int, data: AmplificationRecordIn):
    """What the receiving office did: `shared` (with `url`, the post on its own official account
    on the task's platform) and/or `interacted` (a comment's `url` when there is one). A URL of
    another account is a 400 naming the account expected; an answered task is a 400 naming who
    answered. Needs an Operator's, Editor's or Administrator's right there."""
    target = _visible_amplification_target(request, target_id)
    with transaction.atomic():
        recorded = amplification_record(
            actor=request.user,
            target=target,
            url=no_nul(data.url),
            shared=data.shared,
            interacted=data.interacted,
        )
        audit_api_change(request, operation="amplification_record", office=target.office, obj=recorded)
    return _amplification_target_out(_visible_amplification_target(request, target_id))


@amplification_router.post(
    "/targets/{target_id}/decline",
    response={200: AmplificationTargetOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Decline an amplification task with a reason",
)
def decline_amplification(request: AuthenticatedHttpRequest, target_id: int, data: DeclineIn):
    """The asking office reads the reason on its board. Needs an Operator's, Editor's or
    Administrator's right in the receiving office."""
    target = _visible_amplification_target(request, target_id)
    with transaction.atomic():
        declined = amplification_decline(actor=request.user, target=target, reason=no_nul(data.reason))
        audit_api_change(request, operation="amplification_decline", office=target.office, obj=declined)
    return _amplification_target_out(_visible_amplification_target(request, target_id))


api.add_router("/offices", offices_router)
api.add_router("/me", me_router)
api.add_router("/posts", posts_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/blackouts", blackouts_router)
api.add_router("/cascades", cascades_router)
api.add_router("/amplification", amplification_router)
api.add_router("/compliance", compliance_router)
