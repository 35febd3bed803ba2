from __future__ import annotations

from datetime import UTC, datetime

import pytest

from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.portal.models import Article
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.publishing.delivery import publication_create
from humas.publishing.models import Delivery, Post
from humas.publishing.services import post_approve, post_create, post_submit

JEPARA = "33.20"
SEMARANG = "33.74"
JATENG = "33"
MAKASSAR = "73.71"
JAYAPURA = "91.71"

# Far enough ahead that "in the past" never bites, in a month the tests name.
MARCH = datetime(2031, 3, 1, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """An instant in March 2031 (UTC)."""
    return datetime(2031, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def people(member):
    """The people of Jepara and of its province, and a sibling regency's operator."""
    return {
        "operator": member(JEPARA, "operator", email="operator.jepara@kpu.test"),
        "editor": member(JEPARA, "editor", email="editor.jepara@kpu.test"),
        "admin": member(JEPARA, "admin", email="admin.jepara@kpu.test"),
        "viewer": member(JEPARA, "viewer", email="peninjau.jepara@kpu.test"),
        "semarang": member(SEMARANG, "operator", email="operator.semarang@kpu.test"),
        "jateng": member(JATENG, "editor", email="editor.jateng@kpu.test"),
        "jateng_admin": member(JATENG, "admin", email="admin.jateng@kpu.test"),
    }


@pytest.fixture
def channel(people, offices):
    """channel("tiktok", office_code) -> an active channel (assisted platforms need no fake)."""

    def make(platform: str = "tiktok", code: str = JEPARA) -> Channel:
        office = offices[code]
        existing = Channel.objects.filter(office=office, platform=platform).first()
        if existing is not None:
            return existing
        admin = people["admin"] if code == JEPARA else people["jateng_admin"]
        return channel_create(
            actor=admin,
            office=office,
            data=ChannelInput(
                platform=platform, name=f"{office.name} {platform}", handle=f"kpu{platform}{code}"
            ),
        )

    return make


@pytest.fixture
def post(people, offices, channel):
    """post(text, status=..., scheduled_at=..., code=...) -> a post carried to ``status`` by the
    services (publishing through an assisted channel, whose deliveries wait for a person)."""

    def make(
        text: str = "Pendaftaran pemantau pemilu dibuka hari ini di kantor KPU.",
        *,
        status: str = Post.Status.DRAFT,
        scheduled_at: datetime | None = None,
        code: str = JEPARA,
        platform: str = "tiktok",
    ) -> Post:
        office = offices[code]
        author = people["operator"] if code == JEPARA else people["semarang"]
        approver = people["editor"] if code == JEPARA else people["jateng"]
        target = channel(platform, code)
        item = post_create(
            actor=author, office=office, text=text, scheduled_at=scheduled_at, channels=[target]
        )
        if status == Post.Status.DRAFT:
            return item
        post_submit(actor=author, post=item)
        if status == Post.Status.IN_REVIEW:
            return Post.objects.get(pk=item.pk)
        item = post_approve(actor=approver, post=item)
        if status == Post.Status.APPROVED:
            return item
        publication_create(actor=approver, post=item, channels=[target])
        return Post.objects.get(pk=item.pk)

    return make


def deliveries_become(post: Post, state: str, **fields) -> None:
    """What the delivery engine (or a person marking an assisted channel) would have recorded."""
    Delivery.objects.filter(publication__post=post).update(state=state, **fields)


@pytest.fixture
def article(people, offices):
    """article(title, publish_at=..., code=..., stage=...) -> a scheduled article (approved by a
    second person for ``publish_at``), or a draft with ``draft=True``."""

    def make(
        title: str = "Jadwal kampanye terbuka di Jepara",
        *,
        publish_at: datetime | None = None,
        code: str = JEPARA,
        stage: str = "",
        draft: bool = False,
    ) -> Article:
        office = offices[code]
        author = people["operator"] if code == JEPARA else people["semarang"]
        approver = people["editor"] if code == JEPARA else people["jateng"]
        item = article_create(
            actor=author,
            office=office,
            data=ArticleInput(title=title, body="<p>Isi.</p>", election_stage=stage),
        )
        if draft:
            return item
        article_submit(actor=author, article=item)
        return article_approve(actor=approver, article=item, publish_at=publish_at or at(10, 2))

    return make
