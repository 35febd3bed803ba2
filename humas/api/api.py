"""The JSON API at /api/v1. Public endpoints need no login; the rest use the session (with CSRF)."""

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import SessionAuth

from humas.core.http import AuthenticatedHttpRequest
from humas.offices.models import Membership, Office
from humas.offices.selectors import office_list_public

from .schemas import ErrorOut, MembershipOut, MeOut, OfficeOut

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


api.add_router("/offices", offices_router)
api.add_router("/me", me_router)
