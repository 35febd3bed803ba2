from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, BeforeValidator, ConfigDict, StrictBool, StrictInt

from humas.monitoring.models import AUTHOR_HANDLE_MAX, EXTERNAL_ID_MAX, TEXT_MAX, URL_MAX
from humas.monitoring.records import COUNT_MAX
from humas.publishing.services import CAMPAIGN_MAX


# The longest text any platform takes (Facebook); each channel checks its own limit when sending.
def _text_only(value: Any) -> Any:
    """A time in JSON is a string (ISO 8601 with its offset): a number is not read as seconds
    since 1970, which would schedule a post in the past without a word."""
    if not isinstance(value, str | datetime):
        raise ValueError("expected an ISO 8601 date and time with its offset, as a string")
    return value


IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_text_only)]

POST_TEXT_MAX = 63_206
POST_LINK_MAX = 500
POST_CAMPAIGN_MAX = CAMPAIGN_MAX
ElectionStageCode = Literal[
    "perencanaan",
    "pemutakhiran-data-pemilih",
    "pencalonan",
    "kampanye",
    "masa-tenang",
    "pemungutan-suara",
    "rekapitulasi",
    "penetapan",
]


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
    text: str = Field(min_length=1, max_length=POST_TEXT_MAX, pattern=r"[^\s\x00]")
    link: str = Field(
        "",
        max_length=POST_LINK_MAX,
        pattern=r"^(https?://.*)?$",
        description="Empty, or an http:// or https:// address.",
    )
    channels: list[StrictInt] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Ids of the office's active channels the post is to go out on. They are part of what is "
            "approved: it cannot be sent for review without at least one."
        ),
    )
    scheduled_at: IsoDatetime | None = Field(
        None, description="When it is to go out, with its offset; empty: as soon as it is published."
    )
    is_clarification: StrictBool = Field(
        False, description="A clarification of a hoax: it may go out in a blackout window that exempts them."
    )
    campaign: str = Field(
        "",
        pattern=rf"^#?[A-Za-z0-9 _-]{{0,{POST_CAMPAIGN_MAX}}}$",
        description=(
            "The campaign it belongs to, e.g. `AyoKeTPS` (a leading # is dropped): letters, digits, "
            "spaces, `-` and `_`. A planning label, not part of what is approved."
        ),
    )
    election_stage: ElectionStageCode | Literal[""] = Field(
        "", description="The election stage it speaks to (the portal's stages); empty: none."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "office": "33.20",
                    "text": "Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK.",
                    "link": "https://jdih.kpu.go.id/",
                    "channels": [],
                    "scheduled_at": "2029-02-10T09:00:00+07:00",
                    "is_clarification": False,
                    "campaign": "AyoKeTPS",
                    "election_stage": "pemutakhiran-data-pemilih",
                }
            ]
        }
    }


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
    campaign: str
    election_stage: str
    approved_by: str | None = Field(description="The approver's name, once approved.")
    created_at: datetime
    deliveries: list[DeliveryOut] = Field(description="Every delivery of every publication of the post.")


class PostFilters(Schema):
    office: str = Field(description="The office's code, e.g. `33.20`.", min_length=1, max_length=32)
    status: Literal["draft", "in_review", "approved", "published", "withdrawn"] | None = None
    below: bool = Field(False, description="Also the posts of the offices below it that you may see.")
    campaign: str | None = Field(
        None, max_length=80, description="Only the posts of this campaign (case-insensitive, without #)."
    )


class ScheduleIn(Schema):
    scheduled_at: IsoDatetime = Field(
        description=(
            "The new time, with its offset (e.g. `2029-02-10T09:00:00+07:00`). Only the time changes: "
            "an approved post stays approved. A time in the past or inside a blackout window is a 400."
        )
    )

    model_config = {"json_schema_extra": {"examples": [{"scheduled_at": "2029-02-10T09:00:00+07:00"}]}}


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

    model_config = {"json_schema_extra": {"examples": [{"channels": [], "blackout_override": ""}]}}


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
    link_clicks: int | None = Field(description="Clicks on the post's link (Facebook, X); null elsewhere.")
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


class ReceivingOfficeOut(Schema):
    """The receiving office of one row of a board (a cascade's, an amplification task's)."""

    target_id: int
    office_code: str
    office_name: str
    province_code: str | None


class BoardRowOut(ReceivingOfficeOut):
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


class GuidelineReason(Schema):
    policy_reason: str = Field(
        "",
        max_length=500,
        description=(
            "Why the post goes on despite the public-relations guideline's findings: needed to "
            "approve a post with warnings, and (an Administrator's only) to submit or approve one "
            "the guideline blocks. Kept in the audit event."
        ),
    )


class ApproveQuery(GuidelineReason):
    checklist: list[str] = Field(
        default_factory=list,
        max_length=15,
        description=(
            "The items of the office's verification checklist the approver ticked, each as it is "
            "labelled (repeat the parameter); every item must be there when the office has one."
        ),
    )
    decision: str = Field(
        "", max_length=120, description="The number of the official decision the post's figures come from."
    )


class DeclineIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why; the sender reads it on its board.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"reason": "Sudah diunggah versi kami sendiri kemarin, dengan video ketua KPU kabupaten."}
            ]
        }
    }


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


class AmplificationBoardRowOut(ReceivingOfficeOut):
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


class ComplianceFilters(Schema):
    office: str = Field(
        description="The office's code, e.g. `33` (a province ranks its regencies).",
        min_length=1,
        max_length=32,
    )
    start: date | None = Field(
        None, description="The first day (in each office's zone); empty: the office's default period."
    )
    end: date | None = Field(None, description="The last day, inclusive; empty: yesterday.")
    threshold: int | None = Field(
        None, ge=1, le=100, description="Percent of days active; empty: the office's setting (80 by default)."
    )


class ChannelActivityOut(Schema):
    platform: str
    active_days: int
    posts: int


class OfficeActivityOut(Schema):
    office_code: str
    office_name: str
    activity: float = Field(description="Active days ÷ days in the period, in percent (0–100), one decimal.")
    active_days: int
    days: int
    posts: int
    posts_per_week: float
    meets_threshold: bool
    channels: list[ChannelActivityOut]
    amplification_asked: int
    amplification_done: int
    amplification_share: float | None = Field(description="Percent done; null when none was asked.")
    cascades_asked: int
    cascades_adopted: int
    cascade_share: float | None = Field(
        description="Percent adopted or adapted; null when none was received."
    )
    median_delay_hours: float | None = Field(
        description="Median hours from a cascade's sending to its adoption; null when none was adopted."
    )


class ComplianceOut(Schema):
    """Posting activity (Keaktifan unggahan) of the offices ranked at an office, most active first."""

    office_code: str
    start: date
    end: date
    days: int
    threshold: int
    setting_office_code: str | None = Field(
        description="The office whose setting gave the default period and threshold; null: Humas's defaults."
    )
    average: float = Field(description="The mean activity of the offices, in percent.")
    meeting: int = Field(description="How many offices meet the threshold.")
    offices: list[OfficeActivityOut]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "office_code": "33",
                    "start": "2029-01-01",
                    "end": "2029-01-30",
                    "days": 30,
                    "threshold": 80,
                    "setting_office_code": "33",
                    "average": 91.4,
                    "meeting": 31,
                    "offices": [
                        {
                            "office_code": "33.20",
                            "office_name": "KPU Kabupaten Jepara",
                            "activity": 96.7,
                            "active_days": 29,
                            "days": 30,
                            "posts": 41,
                            "posts_per_week": 9.6,
                            "meets_threshold": True,
                            "channels": [{"platform": "instagram", "active_days": 27, "posts": 33}],
                            "amplification_asked": 4,
                            "amplification_done": 4,
                            "amplification_share": 100.0,
                            "cascades_asked": 3,
                            "cascades_adopted": 2,
                            "cascade_share": 66.7,
                            "median_delay_hours": 5.5,
                        }
                    ],
                }
            ]
        }
    }
