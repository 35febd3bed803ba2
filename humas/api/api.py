"""The JSON API at /api/v1. Public endpoints need no login; the rest use the session (with CSRF)."""

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import SessionAuth

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.offices.selectors import office_list_public
from humas.publishing.metrics import post_metrics_summary
from humas.publishing.models import DeliveryMetrics, Post

from .schemas import ErrorOut, MembershipOut, MeOut, OfficeOut, PostMetricsOut

api = NinjaAPI(
    title="Humas API",
    version="1",
    description="Humas: the public-communications desk of the election commission's offices.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError):
    return api.create_response(request, {"detail": exc.errors}, status=422)


offices_router = Router(tags=["offices"])

LevelFilter = Literal["pusat", "provinsi", "kabupaten-kota", "ppk", "pps"]


class OfficeFilters(Schema):
    level: LevelFilter | None = None
    parent: str | None = None
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


@offices_router.get("", response=list[OfficeOut], auth=None, summary="List offices")
@paginate(LimitOffsetPagination)
def list_offices(request: HttpRequest, filters: Query[OfficeFilters]):
    """Every active office, filterable by level and by parent code (e.g. `?parent=33`)."""
    offices = office_list_public(
        level=filters.level or "", parent_code=filters.parent or "", query=(filters.q or "")[:80]
    )
    return [_office_out(o) for o in offices]


@offices_router.get("/{code}", response={200: OfficeOut, 404: ErrorOut}, auth=None, summary="One office")
def get_office(request: HttpRequest, code: str):
    office = Office.objects.filter(code=code, is_active=True).select_related("parent").first()
    if office is None:
        raise Http404
    return _office_out(office)


me_router = Router(tags=["me"])


@me_router.get("", response=MeOut, auth=SessionAuth(), summary="The signed-in user and memberships")
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
    response={200: PostMetricsOut, 404: ErrorOut},
    auth=SessionAuth(),
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


api.add_router("/offices", offices_router)
api.add_router("/me", me_router)
api.add_router("/posts", posts_router)
