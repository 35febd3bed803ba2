from datetime import datetime

from ninja import Schema


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
