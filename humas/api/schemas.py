from datetime import datetime
from typing import Any

from ninja import Field, Schema

# The longest text any platform takes (Facebook); each channel checks its own limit when sending.
POST_TEXT_MAX = 63_206
POST_LINK_MAX = 500


class OfficeOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    slug: str
    time_zone: str
    website: str
    email: str
    phone: str
    address: str


class MembershipOut(Schema):
    office_code: str
    office_slug: str
    office_name: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MembershipOut]


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """422: the request did not match the schema; one entry per problem (pydantic's shape)."""

    detail: list[dict[str, Any]]


class RateLimitedOut(Schema):
    """429: too many calls with this token; ``retry_after`` (also the Retry-After header) in seconds."""

    detail: str
    retry_after: int


class PostIn(Schema):
    office: str = Field(description="The office's code, e.g. `33.20`.", min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=POST_TEXT_MAX)
    link: str = Field("", max_length=POST_LINK_MAX, description="Empty, or an http:// or https:// address.")
    channels: list[int] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Ids of the office's active channels the post is to go out on. They are part of what is "
            "approved: it cannot be sent for review without at least one."
        ),
    )


class PostOut(Schema):
    id: int
    office_code: str
    status: str
    text: str
    link: str
    channels: list[int]
    scheduled_at: datetime | None
    created_at: datetime


class MetricsPointOut(Schema):
    """One collection of a delivered post's counts; null: the platform does not give it."""

    collected_at: datetime
    reactions: int | None
    comments: int | None
    shares: int | None
    impressions: int | None
    reach: int | None
    views: int | None
    extra: dict[str, int]
    unavailable: list[str]


class DeliveryMetricsOut(Schema):
    delivery_id: int
    channel: str
    platform: str
    metrics_state: str
    note: str
    next_collection_at: datetime | None
    latest: MetricsPointOut | None
    history: list[MetricsPointOut]


class PostMetricsOut(Schema):
    post_id: int
    totals: dict[str, int | None]
    interactions: int | None
    collected_at: datetime | None
    deliveries: list[DeliveryMetricsOut]
