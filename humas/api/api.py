"""The JSON API at /api/v1. Public endpoints need no login; the rest take a person's API token
(``Authorization: Bearer hms_…``) or the session (with CSRF). Either way the request acts as that
person, through the one policy (humas/offices/policy.py)."""

import json
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from humas.channels.models import Channel
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
from humas.publishing.metrics import post_metrics_summary
from humas.publishing.models import DeliveryMetrics, Post
from humas.publishing.services import PublishingError, post_create
from humas.web import limits
from humas.web.requestcontext import request_client_ip

from .docs import swagger_docs
from .schemas import (
    ErrorOut,
    MembershipOut,
    MeOut,
    MonitoringItemsIn,
    MonitoringItemsOut,
    OfficeOut,
    PostIn,
    PostMetricsOut,
    PostOut,
    RateLimitedOut,
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


@posts_router.post(
    "",
    response={201: PostOut, 400: ErrorOut, 404: ErrorOut, **WRITE_REFUSALS},
    auth=SIGNED_IN,
    summary="Create a draft post",
)
def create_post(request: AuthenticatedHttpRequest, data: PostIn):
    """A new draft in the office with code `office`; it goes out only after review and approval in
    the back office. Needs a write token (or the session) and the right to draft in that office."""
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
            actor=request.user, office=office, text=data.text, link=data.link, channels=channels
        )
        audit_api_change(request, operation="post_create", office=office, obj=post)
    return Status(
        201,
        {
            "id": post.pk,
            "office_code": office.code,
            "status": post.status,
            "text": post.text,
            "link": post.link,
            "channels": sorted(c.pk for c in channels),
            "scheduled_at": post.scheduled_at,
            "created_at": post.created_at,
        },
    )


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


api.add_router("/offices", offices_router)
api.add_router("/me", me_router)
api.add_router("/posts", posts_router)
api.add_router("/monitoring", monitoring_router)
