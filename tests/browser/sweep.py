"""The page sweep's parts: every URL pattern of the project, the values that fill its parameters,
what a page must never show, and the data it is filled from (tests/browser/test_page_sweep.py).

The list of pages is generated from ``django.urls.get_resolver()``; nothing here lists pages. A
new pattern is swept by the same rules as the others, and a new path parameter fails the sweep
until ``FILLERS`` says where its value comes from.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from PIL import Image

from humas.accounts.models import User
from humas.analytics.forms import last_month
from humas.analytics.models import Report
from humas.analytics.reports import report_render
from humas.api.services import api_token_create
from humas.blackouts.models import Blackout
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.coordination.amplification import amplification_create, amplification_source_from_url
from humas.coordination.cascades import cascade_create
from humas.coordination.models import AmplificationTarget, AmplificationTask, Cascade, CascadeTarget
from humas.demo.seed import demo_content, demo_official_accounts, demo_seed
from humas.factcheck.models import Claim
from humas.inbox.models import SavedReply
from humas.library.services import Description, asset_upload
from humas.monitoring.models import Narrative, Source
from humas.notifications.services import notification_send
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.portal.images import image_upload
from humas.portal.models import Article, ArticleType
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.publishing.delivery import publication_create
from humas.publishing.images import NewImage, post_image_prepare, post_images_change
from humas.publishing.models import Delivery, Post, PostImage
from humas.publishing.services import post_approve, post_create, post_submit
from humas.tipline.models import Tip
from humas.tipline.services import TipInput, tip_submit
from tests.audit.recorded_actions import recorded_actions

# --------------------------------------------------------------------------------------------
# What is not a page. Each entry: a URL name (namespace:name) or a route prefix, and why.

EXCLUDED: dict[str, str] = {
    "admin/": "the Django admin: staff only, Django's own pages and styles",
    "api/v1/": "the API answers JSON; its documentation page is swept on its own (test_api_docs_page)",
    "accounts:logout": "signing out would end the session the sweep is signed in with",
    "channels:oauth_callback": "an OAuth callback answers a platform's redirect and needs its state",
}

# Views answering a piece of HTML for htmx rather than a page: fine without a heading or title.
FRAGMENTS: dict[str, str] = {
    "core:office_search": "the <option>s of the office switcher, fetched as a person types",
    "portal_admin:image_state": "an image's processing state, polled by the article editor",
}

# Namespaces of the public portal: visited signed out; everything else signed in (and signed out,
# where it must send a person to sign in).
PORTAL_NAMESPACES = frozenset({"portal", "tipline"})
PUBLIC_NAMESPACES = frozenset({"portal", "tipline", "accounts", ""})


@dataclass(frozen=True)
class Route:
    """One URL pattern: its qualified name (or route text when it has none), its route text,
    the namespace it lives in and the names of its path parameters."""

    name: str
    route: str
    namespace: str
    url_name: str
    params: tuple[str, ...]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "root"

    def excluded(self) -> str:
        for key, reason in EXCLUDED.items():
            if self.name == key or self.route.startswith(key):
                return reason
        return ""


def _text(pattern: URLPattern | URLResolver) -> str:
    """A pattern's route as written (a regular expression without its anchors)."""
    return str(pattern.pattern).lstrip("^").rstrip("$")


def _params(pattern: URLPattern | URLResolver) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def routes() -> list[Route]:
    """Every URL pattern of the project, in the resolver's order."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, params: list[str]) -> None:
        for pattern in resolver.url_patterns:
            text = prefix + _text(pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, text, inner, params + _params(pattern))
                continue
            url_name = pattern.name or ""
            found.append(
                Route(
                    name=f"{namespace}:{url_name}" if namespace and url_name else (url_name or text),
                    route=text,
                    namespace=namespace,
                    url_name=url_name,
                    params=tuple(params + _params(pattern)),
                )
            )

    walk(get_resolver(), "", "", [])
    return found


# --------------------------------------------------------------------------------------------
# Where the values of path parameters come from: by (namespace, name), else by name.


@dataclass
class OfficeData:
    """What one office holds for the sweep: every object a URL of the office can name."""

    office: Office
    channel: Channel
    post: Post  # published to the assisted channel, with an image: it has a publication and a delivery
    draft: Post
    delivery: Delivery
    post_image: PostImage
    article: Article  # published
    draft_article: Article
    article_image_id: int
    notification_id: int
    membership: Membership
    asset_id: int  # an image of the office's media library


@dataclass
class Context:
    """A role's view of the data: the office its URLs name, and the person."""

    role: str
    user: User | None
    data: OfficeData
    national: OfficeData
    token_id: int = 0
    variant: str = ""  # "draft" for the second visit of a page that names a post or an article
    extra: dict[str, Any] = field(default_factory=dict)


def _article(ctx: Context, route: Route) -> Article:
    data = ctx.data if "office_slug" in route.params else ctx.national
    return data.draft_article if ctx.variant == "draft" else data.article


def _post(ctx: Context) -> Post:
    return ctx.data.draft if ctx.variant == "draft" else ctx.data.post


def _reset_user(ctx: Context) -> User:
    return ctx.user or ctx.data.membership.user


SWEEP_AMPLIFIED = "https://x.com/KPU_ID/status/1870000000000000001"


def _amplification_task() -> AmplificationTask:
    found = AmplificationTask.objects.filter(url=SWEEP_AMPLIFIED).first()
    if found is not None:
        return found
    return amplification_create(
        actor=User.objects.get(email="admin@kpu.test"),
        office=Office.objects.get(code="00"),
        source=amplification_source_from_url(url=SWEEP_AMPLIFIED),
        scope=AmplificationTask.Scope.BELOW,
        deadline=timezone.now() + timedelta(days=30),
        instructions="Bagikan ulang dengan tagar #CekDPT (sapuan halaman).",
    )


def _cascade(ctx: Context) -> Cascade:
    """KPU RI's published post cascaded to every office below, made on first use (by its Editor)."""
    post = ctx.national.post
    found = Cascade.objects.filter(source_post=post).first()
    if found is not None:
        return found
    return cascade_create(
        actor=User.objects.get(email="editor.ri@kpu.test"),
        office=ctx.national.office,
        source=post,
        scope=Cascade.Scope.BELOW,
        deadline=timezone.now() + timedelta(days=2),
    )


def _report(ctx: Context) -> int:
    """The office's monthly PDF report of last month, made and rendered on first use: its download
    is a file for everyone who may see the office's analytics."""
    found = Report.objects.filter(office=ctx.data.office).values_list("pk", flat=True).first()
    if found is not None:
        return found
    month = last_month(timezone.localdate(timezone=ctx.data.office.zoneinfo))
    report = Report.objects.create(
        office=ctx.data.office, period_start=month.start, period_end=month.end, kind=Report.Kind.MONTHLY
    )
    report_render(report=report)
    return report.pk


def _cascade_target(ctx: Context) -> int:
    """The office's item of that cascade; KPU RI receives none (its page is a 404 for all)."""
    return (
        CascadeTarget.objects.filter(cascade=_cascade(ctx), office=ctx.data.office)
        .values_list("pk", flat=True)
        .first()
        or 0
    )


FILLERS: dict[str, Callable[[Context, Route], Any]] = {
    "office_slug": lambda ctx, route: ctx.data.office.slug,
    "post_id": lambda ctx, route: _post(ctx).pk,
    "delivery_id": lambda ctx, route: ctx.data.delivery.pk,
    "publication_id": lambda ctx, route: ctx.data.delivery.publication_id,
    "image_id": lambda ctx, route: ctx.data.post_image.pk,
    "portal_admin:image_id": lambda ctx, route: ctx.data.article_image_id,
    "kind": lambda ctx, route: "thumb",
    "publishing:public_image:kind": lambda ctx, route: "instagram",
    "key": lambda ctx, route: ctx.data.post_image.key,
    "name": lambda ctx, route: "og.jpg",
    "article_id": lambda ctx, route: _article(ctx, route).pk,
    "number": lambda ctx, route: 1,
    "action": lambda ctx, route: "submit",
    "channel_id": lambda ctx, route: ctx.data.channel.pk,
    "platform": lambda ctx, route: ctx.data.channel.platform,
    "membership_id": lambda ctx, route: ctx.data.membership.pk,
    "notification_id": lambda ctx, route: ctx.data.notification_id,
    "asset_id": lambda ctx, route: ctx.data.asset_id,
    "report_id": lambda ctx, route: _report(ctx),
    "token_id": lambda ctx, route: ctx.token_id,
    "type": lambda ctx, route: _article(ctx, route).type,
    "slug": lambda ctx, route: _article(ctx, route).slug,
    "raw_id": lambda ctx, route: _article(ctx, route).pk,
    "code": lambda ctx, route: "id",
    "uidb64": lambda ctx, route: urlsafe_base64_encode(force_bytes(_reset_user(ctx).pk)),
    "token": lambda ctx, route: default_token_generator.make_token(_reset_user(ctx)),
    "provider": lambda ctx, route: "facebook",
    # The demo has no passkey (a browser ceremony makes one): its confirmation page is 404 for all.
    "passkey_id": lambda ctx, route: 0,
    # A national cascade of KPU RI's post to every office (made on first use): KPU RI's board, a
    # province's or a regency's part of it; the item of the office in the URL.
    "cascade_id": lambda ctx, route: _cascade(ctx).pk,
    "target_id": lambda ctx, route: _cascade_target(ctx),
    # A news source of the office, made on first use; its feed is on loopback, which the poller
    # refuses without a request ("Jalankan sekarang" marks it failing, nothing is fetched).
    "source_id": lambda ctx, route: (
        Source.objects.get_or_create(
            office=ctx.data.office,
            name="Berita daring (sapuan)",
            defaults={"kind": "news_feed", "config": {"feeds": ["http://127.0.0.1:9/berita.xml"]}},
        )[0].pk
    ),
    # A citizen's tip to the office's portal, made on first use (no screenshot: its image is 404).
    "reference": lambda ctx, route: (
        Tip.objects.filter(office=ctx.data.office).values_list("reference", flat=True).first()
        or tip_submit(
            office=ctx.data.office, data=TipInput(text="Kabar surat suara tercoblos (sapuan)")
        ).reference
    ),
    # A blackout window of the office, made on first use far in the future (it blocks nothing the
    # sweep does); its edit page is the declaring office's Administrators'.
    "blackout_id": lambda ctx, route: (
        Blackout.objects.get_or_create(
            office=ctx.data.office,
            note="Sapuan halaman",
            defaults={
                "includes_below": False,
                "starts_at": timezone.now() + timedelta(days=300),
                "ends_at": timezone.now() + timedelta(days=301),
                "reason": Blackout.Reason.LAINNYA,
                "created_by": ctx.data.membership.user,
            },
        )[0].pk
    ),
    # KPU RI's amplification task to every office below (its X post), made on first use: the
    # board as each office reads it (its own, or its part), and the office's own item (none for
    # KPU RI itself: 404).
    "amplification:task_id": lambda ctx, route: _amplification_task().pk,
    # A saved reply of the office, made on first use; its edit page is the office's approvers'.
    "inbox:reply_id": lambda ctx, route: (
        SavedReply.objects.get_or_create(
            office=ctx.data.office,
            title="Sapuan halaman",
            is_active=True,
            defaults={"body": "Hubungi {kantor} di {telepon}.", "keywords": "kontak, telepon"},
        )[0].pk
    ),
    "amplification:target_id": lambda ctx, route: (
        AmplificationTarget.objects.filter(task=_amplification_task(), office=ctx.data.office)
        .values_list("pk", flat=True)
        .first()
        or 0
    ),
    # Deciding on an imitating account and its evidence are POSTs only (a GET answers 405).
    "lookalike_id": lambda ctx, route: 0,
    # Sending or discarding one reply is a POST only (a GET answers 405); the sweep's data has none.
    "reply_id": lambda ctx, route: 0,
    # The knowledge base is shared: any claim (the demo's published clarifications) shows to all.
    "claim_id": lambda ctx, route: Claim.objects.order_by("pk").values_list("pk", flat=True).first() or 0,
    # The office's riskiest narrative (the demo's pipeline fills Jepara's queue); none: 404 for all.
    "narrative_id": lambda ctx, route: (
        Narrative.objects.filter(office=ctx.data.office, merged_into__isnull=True)
        .order_by("-risk", "pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    ),
}

# Pages visited twice when they name a post or an article: as published and as a draft (their
# buttons differ).
VARIANT_PARAMS = frozenset({"post_id", "article_id"})


class UnknownParameter(LookupError):
    pass


def fill(route: Route, ctx: Context) -> str:
    """The path of ``route`` for ``ctx``. Raises UnknownParameter naming a parameter FILLERS lacks."""
    kwargs = {}
    for param in route.params:
        filler = (
            FILLERS.get(f"{route.name}:{param}")
            or FILLERS.get(f"{route.namespace}:{param}")
            or FILLERS.get(param)
        )
        if filler is None:
            raise UnknownParameter(
                f"{route.name} ({route.route}): no value for the path parameter {param!r}; add it to "
                "FILLERS in tests/browser/sweep.py (where in the sweep's data its value comes from)"
            )
        kwargs[param] = str(filler(ctx, route))
    if route.url_name:
        return reverse(route.name, kwargs=kwargs)
    if kwargs:
        raise UnknownParameter(f"{route.route}: a pattern with parameters needs a name")
    return "/" + route.route


# --------------------------------------------------------------------------------------------
# What a page must never show: Python reprs, tracebacks, internal names.


def raw_internals_pattern() -> re.Pattern[str]:
    """Python reprs, tracebacks, a standalone None, and the dotted names of audit actions and
    policy actions (``publication.withdraw_report``, ``content.approve``), which are the code's
    and never a reader's."""
    names = sorted(recorded_actions() | set(policy.ACTIONS), key=len, reverse=True)
    dotted = "|".join(re.escape(n) for n in names)
    return re.compile(
        r"\{'|<built-in|object at 0x|Traceback \(most recent|\bNone\b"
        r"|\bpublication \d+ of post \d+|\bdelivery \d+ \("
        rf"|(?<![\w.@])(?:{dotted})(?![\w.@])"
        r"|(?<![\w.@/])[a-z]+_[a-z_]+\.[a-z_]+(?![\w.@/])"
    )


# --------------------------------------------------------------------------------------------
# The data: the demo (people, articles, official accounts) and, in each office a role works in,
# a post published to an assisted channel, a draft, images, an article draft and a notification.

ROLE_PEOPLE = {
    # role -> (demo e-mail, office code the role's URLs name)
    "admin": ("admin@kpu.test", "00"),
    "editor": ("editor.jateng@kpu.test", "33"),
    "operator": ("operator.jepara@kpu.test", "33.20"),
    "analyst": ("analis.aceh@kpu.test", "11"),
}
ANONYMOUS_OFFICE = "33.20"


def _jpeg(color: tuple[int, int, int]) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (1080, 1080), color).save(buf, "JPEG")
    return SimpleUploadedFile("poster.jpg", buf.getvalue(), content_type="image/jpeg")


def _office_data(office: Office, people: dict[str, User]) -> OfficeData:
    admin, approver = people["admin@kpu.test"], people["editor.ri@kpu.test"]
    staff = (
        Membership.objects.filter(office=office, role__in=("operator", "admin", "editor"))
        .select_related("user")
        .first()
    )
    author = staff.user if staff is not None and staff.user != approver else admin
    channel = Channel.objects.filter(office=office, platform__in=("instagram", "facebook", "x")).first()
    assisted = Channel.objects.filter(office=office, platform="tiktok").first() or channel_create(
        actor=admin,
        office=office,
        data=ChannelInput(platform="tiktok", name=office.name, handle=f"kpu{office.slug.replace('-', '')}"),
    )
    post = post_create(
        actor=author,
        office=office,
        text=f"Coklit serentak dimulai hari ini. Warga {office.region_name} diminta menyiapkan KTP-el.",
        link="https://www.kpu.go.id/",
        channels=[assisted],
    )
    post_images_change(
        actor=author,
        post=post,
        add=[NewImage(post_image_prepare(file=_jpeg((122, 16, 32))), "Poster coklit")],
    )
    post_submit(actor=author, post=post)
    post = post_approve(actor=approver, post=post)
    publication = publication_create(actor=approver, post=post, channels=[assisted])
    draft = post_create(
        actor=author, office=office, text="Draf: jadwal rapat pleno terbuka pekan depan.", channels=[assisted]
    )
    article = Article.objects.filter(office=office, status="published", type=ArticleType.BERITA).first()
    if article is None:
        article = article_create(
            actor=admin,
            office=office,
            data=ArticleInput(title=f"Sosialisasi pemilu di {office.region_name}", body="<p>Isi berita.</p>"),
        )
        article_submit(actor=admin, article=article)
        article = article_approve(actor=approver, article=article)
    draft_article = article_create(
        actor=author,
        office=office,
        data=ArticleInput(
            title="Draf pengumuman jadwal kampanye", summary="Ringkasan draf.", body="<p>Draf.</p>"
        ),
    )
    image = image_upload(actor=author, office=office, file=_jpeg((30, 90, 160)), alt_text="Foto kegiatan")
    asset = asset_upload(
        actor=author,
        office=office,
        file=_jpeg((40, 120, 60)),
        description=Description(alt_text="Spanduk sosialisasi coklit", tags="coklit"),
    )
    members = list(Membership.objects.filter(office=office).select_related("user"))
    notified = [m.user for m in members] + [admin]
    notification = notification_send(
        users=notified,
        office=office,
        kind="delivery_problem",
        title=f"Unggahan ke TikTok {office.name} menunggu diunggah manual",
        body="Salin teksnya dan unggah lewat aplikasi, lalu tandai sudah terbit.",
        link=f"/app/{office.slug}/content/{post.pk}/",
        key=f"sweep-{office.pk}",
    )
    return OfficeData(
        office=office,
        channel=channel or assisted,
        post=post,
        draft=draft,
        delivery=Delivery.objects.get(publication=publication),
        post_image=PostImage.objects.get(post=post),
        article=article,
        draft_article=draft_article,
        article_image_id=image.pk,
        notification_id=notification[0].pk if notification else 0,
        membership=members[0] if members else Membership.objects.first(),  # type: ignore[assignment]
        asset_id=asset.pk,
    )


def seed() -> dict[str, OfficeData]:
    """The demo, then each swept office's own objects; by office code."""
    demo_seed(password="kata-sandi-demo-yang-panjang")
    demo_content()
    demo_official_accounts()
    people = {u.email: u for u in User.objects.all()}
    codes = {code for _email, code in ROLE_PEOPLE.values()} | {ANONYMOUS_OFFICE}
    offices = {o.code: o for o in Office.objects.filter(code__in=codes)}
    data = {code: _office_data(offices[code], people) for code in sorted(codes)}
    for email, _code in ROLE_PEOPLE.values():
        api_token_create(actor=people[email], name="Skrip laporan", scope="read", days=30)
    return data
