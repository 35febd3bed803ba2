from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from humas.monitoring.models import AUTHOR_HANDLE_MAX, EXTERNAL_ID_MAX, TEXT_MAX, URL_MAX
from humas.monitoring.records import COUNT_MAX

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


# The platforms of humas.monitoring.models.ItemPlatform (a test keeps the two the same).
MonitoringPlatform = Literal[
    "facebook", "instagram", "x", "telegram", "youtube", "tiktok", "whatsapp", "news", "web", "portal"
]
MONITORING_BATCH_MAX = 1000


def _count(description: str) -> Any:
    return Field(None, ge=0, le=COUNT_MAX, description=description)


class MonitoringItemIn(Schema):
    """One item as the source has it. Other keys are allowed and kept in the item's raw payload
    (stored as received, with the SHA-256 of its canonical JSON)."""

    model_config = ConfigDict(extra="allow")

    platform: MonitoringPlatform
    external_id: str = Field(
        min_length=1,
        max_length=EXTERNAL_ID_MAX,
        description="The item's id at its source: sending the same id again adds nothing (a duplicate).",
    )
    text: str = Field(min_length=1, max_length=TEXT_MAX)
    published_at: AwareDatetime = Field(
        description="When it was said, with its UTC offset (`Z` or `+07:00`)."
    )
    author_handle: str = Field("", max_length=AUTHOR_HANDLE_MAX)
    url: str = Field("", max_length=URL_MAX, description="Empty, or an http:// or https:// address.")
    reactions: int | None = _count("Reactions (likes) when the source reports them.")
    comments: int | None = _count("Comments or replies.")
    shares: int | None = _count("Shares, reposts or forwards.")
    views: int | None = _count("Views or impressions.")


class MonitoringItemsIn(Schema):
    office: str = Field(description="The office's code, e.g. `33.20`.", min_length=1, max_length=32)
    source: str = Field(
        min_length=1,
        max_length=120,
        description=(
            "The source the items come from: the id of one of the office's sources (digits), or the "
            "name of an API source, started on first use."
        ),
    )
    items: list[MonitoringItemIn] = Field(min_length=1, max_length=MONITORING_BATCH_MAX)


class MonitoringItemsOut(Schema):
    """``created``: items stored now; ``duplicates``: items the source already held (or repeated
    in the batch), left as they were."""

    source_id: int
    created: int
    duplicates: int
