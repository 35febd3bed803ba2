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
    scheduled_at: AwareDatetime | None = Field(
        None, description="When it is to go out, with its offset; empty: as soon as it is published."
    )
    is_clarification: bool = Field(
        False, description="A clarification of a hoax: it may go out in a blackout window that exempts them."
    )


class HoldOut(Schema):
    """The blackout window holding a delivery (masa tenang, hari berkabung)."""

    reason: str = Field(
        description="As people read it: `Masa tenang`, `Hari berkabung` or the window's note."
    )
    office_code: str = Field(description="The office that declared the window.")
    ends_at: datetime


class DeliveryOut(Schema):
    id: int
    channel_id: int
    channel: str
    platform: str
    state: str = Field(
        description=(
            "queued, sending, sent, waiting (a retry at next_attempt_at), failed, needs_attention, "
            "cancelled, withdrawn, manual (an assisted channel: a person posts it) or held (a blackout "
            "window holds it until a person sends or reschedules it)."
        )
    )
    url: str = Field(description="The post on the platform, once sent.")
    error_message: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    held_by: HoldOut | None


class PostOut(Schema):
    id: int
    office_code: str
    status: str = Field(description="draft, in_review, approved, published or withdrawn.")
    text: str
    link: str
    channels: list[int]
    scheduled_at: datetime | None
    is_clarification: bool
    approved_by: str | None = Field(description="The approver's name, once approved.")
    created_at: datetime
    deliveries: list[DeliveryOut] = Field(description="Every delivery of every publication of the post.")


class PostFilters(Schema):
    office: str = Field(description="The office's code, e.g. `33.20`.", min_length=1, max_length=32)
    status: Literal["draft", "in_review", "approved", "published", "withdrawn"] | None = None
    below: bool = Field(False, description="Also the posts of the offices below it that you may see.")


class ScheduleIn(Schema):
    scheduled_at: AwareDatetime = Field(
        description=(
            "The new time, with its offset (e.g. `2029-02-10T09:00:00+07:00`). Only the time changes: "
            "an approved post stays approved. A time in the past or inside a blackout window is a 400."
        )
    )


class PublishIn(Schema):
    channels: list[int] = Field(
        default_factory=list,
        max_length=50,
        description="Ids of channels approved with the post; empty: every approved channel still active.",
    )
    blackout_override: str = Field(
        "",
        max_length=500,
        description=(
            "Inside a blackout window only an Administrator may publish, giving this reason (audited)."
        ),
    )


class BlackoutOut(Schema):
    id: int
    office_code: str = Field(description="The office that declared it.")
    includes_below: bool
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(description="masa_tenang, berkabung or lainnya.")
    title: str
    note: str
    clarifications_exempt: bool


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


class CascadeOut(Schema):
    """Content an office sent to the offices below it, with how they answered so far."""

    id: int
    office_code: str = Field(description="The sending office (KPU RI or a province).")
    source_post_id: int | None = Field(description="The post sent, when it is a Konten post.")
    source_article_id: int | None = Field(description="The portal article sent, when it is one.")
    text: str = Field(
        description=(
            "The text template; `{nama_kantor}`, `{kontak}`, `{url_portal}` and `{akun_resmi}` are "
            "filled in for each receiving office."
        )
    )
    link: str
    scope: str = Field(description="below (all offices below), province (one province's) or chosen.")
    province_code: str | None
    deadline: datetime
    created_at: datetime
    created_by: str
    targets: int = Field(
        description="Receiving offices (of the office asked about, for an office in between)."
    )
    pending: int
    adopted: int
    adapted: int
    declined: int


class CascadeTargetOut(Schema):
    """One receiving office's item: what reached it and its decision."""

    id: int
    cascade_id: int
    office_code: str
    sender_code: str
    text: str = Field(description="The text with this office's fill-in fields resolved.")
    link: str
    deadline: datetime
    status: str = Field(description="pending, adopted, adapted or declined.")
    decided_by: str | None
    decided_at: datetime | None
    decline_reason: str
    automatic: bool = Field(description="Adopted by the office's auto-publish setting.")
    post_id: int | None = Field(description="The office's own post, once adopted or adapted.")


class BoardRowOut(Schema):
    target_id: int
    office_code: str
    office_name: str
    province_code: str | None
    status: str = Field(
        description="pending, adopted, adapted, declined, or published (adopted or adapted, and sent)."
    )
    decision: str = Field(description="The decision itself: pending, adopted, adapted or declined.")
    decided_by: str | None
    decided_at: datetime | None
    decline_reason: str
    automatic: bool
    post_id: int | None
    published_at: datetime | None = Field(description="When its first channel got it.")
    links: list[str] = Field(description="Public addresses of what was sent.")


class BoardOut(Schema):
    cascade: CascadeOut
    office_code: str = Field(
        description="Whose view: the sender's (every office) or an office below it (its part)."
    )
    read_only: bool
    counts: dict[str, int] = Field(
        description="Over every row of this view: pending, adopted, adapted, declined, published."
    )
    rows: list[BoardRowOut]


class CascadeBoardFilters(Schema):
    office: str | None = Field(
        None,
        max_length=32,
        description="Whose view, by office code: the sender (default) or an office below it, which sees its part.",
    )
    status: Literal["pending", "adopted", "adapted", "declined", "published"] | None = None
    province: str | None = Field(None, max_length=32, description="Only one province's offices, by its code.")
    sort: Literal["kantor", "status", "diputuskan", "terbit"] = "kantor"


class AdoptIn(Schema):
    channels: list[int] = Field(
        min_length=1,
        max_length=50,
        description="Ids of the receiving office's channels to publish on (connected, its portal, or assisted).",
    )


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why; the sender reads it on its board.")


AMPLIFICATION_STATUSES = Literal["pending", "sharing", "done", "declined"]


class AmplificationTaskOut(Schema):
    """A request of an office to the offices below it to amplify a post of an official account,
    with how they answered so far."""

    id: int
    office_code: str = Field(description="The asking office (KPU RI or a province).")
    url: str = Field(description="The public URL of the post to amplify.")
    platform: str = Field(
        description="x, facebook, instagram, tiktok, telegram, youtube, whatsapp or portal."
    )
    account_office_code: str = Field(description="The office whose official account the post is on.")
    source_post_id: int | None = Field(
        description="The asking office's own post, when the URL is one of its."
    )
    ask_share: bool = Field(description="Share it again (repost, share, forward).")
    ask_interact: bool = Field(description="Interact with it (like, comment).")
    instructions: str
    scope: str = Field(description="below (all offices below), province (one province's) or chosen.")
    province_code: str | None
    deadline: datetime
    created_at: datetime
    created_by: str
    targets: int = Field(
        description="Receiving offices (of the office asked about, for an office in between)."
    )
    pending: int
    sharing: int = Field(description="Shared through Humas in one click, its delivery not out yet.")
    done: int
    declined: int


class AmplificationTargetOut(Schema):
    """One receiving office's task and its answer."""

    id: int
    task_id: int
    office_code: str
    sender_code: str
    url: str
    platform: str
    ask_share: bool
    ask_interact: bool
    instructions: str
    deadline: datetime
    status: str = Field(description="pending, sharing, done or declined.")
    result_url: str = Field(description="The post on the office's own official account (empty for a like).")
    shared: bool
    interacted: bool
    recorded_by: str | None
    recorded_at: datetime | None
    decline_reason: str
    post_id: int | None = Field(description="The office's own post, when shared through Humas.")


class AmplificationBoardRowOut(Schema):
    target_id: int
    office_code: str
    office_name: str
    province_code: str | None
    status: str = Field(description="pending, sharing, done or declined.")
    result_url: str
    shared: bool
    interacted: bool
    recorded_by: str | None
    recorded_at: datetime | None
    decline_reason: str
    post_id: int | None


class AmplificationBoardOut(Schema):
    task: AmplificationTaskOut
    office_code: str = Field(
        description="Whose view: the asking office's (every office) or an office below it (its part)."
    )
    read_only: bool
    counts: dict[str, int] = Field(
        description="Over every row of this view: pending, sharing, done, declined."
    )
    rows: list[AmplificationBoardRowOut]


class AmplificationBoardFilters(Schema):
    office: str | None = Field(
        None,
        max_length=32,
        description="Whose view, by office code: the asking office (default) or an office below it, which sees its part.",
    )
    status: AMPLIFICATION_STATUSES | None = None
    province: str | None = Field(None, max_length=32, description="Only one province's offices, by its code.")
    sort: Literal["kantor", "status", "dicatat"] = "kantor"


class AmplificationIn(Schema):
    office: str = Field(
        description="The asking office's code (`00` or a province's).", min_length=1, max_length=32
    )
    url: str = Field(
        min_length=1,
        max_length=500,
        description=(
            "The public URL of one post of an official account of a KPU office registered in Humas "
            "(e.g. `https://x.com/KPU_ID/status/…`), or of one of `post_id`'s deliveries."
        ),
    )
    post_id: int | None = Field(
        None,
        description="The asking office's own post whose delivery `url` is (its one-click shares then work).",
    )
    ask_share: bool = True
    ask_interact: bool = False
    instructions: str = Field("", max_length=1000)
    scope: Literal["below", "province", "chosen"] = "below"
    province: str | None = Field(
        None, max_length=32, description="For scope `province` (KPU RI only): its code."
    )
    offices: list[str] = Field(
        default_factory=list, max_length=600, description="For scope `chosen`: the offices' codes."
    )
    deadline: AwareDatetime = Field(description="With its offset, in the future, at most 90 days ahead.")


class AmplificationRecordIn(Schema):
    url: str = Field(
        "",
        max_length=500,
        description=(
            "The post on the office's own official account on the task's platform (the share, or a "
            "comment); required when `shared`. Checked to be that account's."
        ),
    )
    shared: bool = False
    interacted: bool = False
