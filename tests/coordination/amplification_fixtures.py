"""Fixtures of the amplification tests: the official accounts of KPU RI, Jawa Tengah and some of
its regencies, a national post published to KPU RI's portal, and a task asked of the offices
below. Import the fixtures a module uses by name, with the cascade's people:

    from .amplification_fixtures import accounts, ask, national_url  # noqa: F401 - fixtures
    from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.coordination.amplification import (
    amplification_create,
    amplification_source_from_delivery,
    amplification_source_from_url,
)
from humas.coordination.models import AmplificationTask
from humas.offices.models import Office

RI = "00"
JATENG = "33"
JEPARA = "33.20"
SEMARANG = "33.74"
KUDUS = "33.19"
JATIM = "35"
SURABAYA = "35.78"

NATIONAL_URL = "https://x.com/KPU_ID/status/1870000000000000001"
JEPARA_SHARE = "https://x.com/kpujepara/status/1870000000000000777"


def official(office: Office, actor, platform: str, handle: str, **fields) -> Channel:
    """An official account of ``office`` (declared, not connected: no fake is needed)."""
    return channel_create(
        actor=actor,
        office=office,
        data=ChannelInput(platform=platform, name=office.name, handle=handle, **fields),
    )


@pytest.fixture
def accounts(crew, offices):
    """The official X accounts of KPU RI (@KPU_ID), Jawa Tengah (@kpujateng), Jepara
    (@kpujepara), Semarang (@kpusemarang) and Surabaya (@kpusurabaya), and Jepara's Instagram
    (@kpu_kab_jepara)."""
    superuser = crew["ri_admin"]
    return {
        "ri": official(offices[RI], superuser, "x", "KPU_ID"),
        "jateng": official(offices[JATENG], superuser, "x", "kpujateng"),
        "jepara": official(offices[JEPARA], superuser, "x", "kpujepara"),
        "semarang": official(offices[SEMARANG], superuser, "x", "kpusemarang"),
        "surabaya": official(offices[SURABAYA], superuser, "x", "kpusurabaya"),
        "jepara_ig": official(offices[JEPARA], superuser, "instagram", "kpu_kab_jepara"),
    }


@pytest.fixture
def ask(crew, offices, accounts):
    """ask(scope="province", province="33", url=NATIONAL_URL, ...) -> a task of KPU RI, asked by
    its Editor, of the offices below, deadline two days ahead (a pasted URL unless ``source``)."""

    def make(
        scope: str = AmplificationTask.Scope.PROVINCE,
        *,
        province: str | None = JATENG,
        chosen: tuple[str, ...] = (),
        url: str = NATIONAL_URL,
        source=None,
        office: str = RI,
        actor=None,
        deadline=None,
        ask_share: bool = True,
        ask_interact: bool = False,
        instructions: str = "",
    ) -> AmplificationTask:
        return amplification_create(
            actor=actor or crew["ri_editor"],
            office=offices[office],
            source=source if source is not None else amplification_source_from_url(url=url),
            scope=scope,
            province=offices[province] if scope == AmplificationTask.Scope.PROVINCE and province else None,
            chosen=[offices[code] for code in chosen],
            deadline=deadline or timezone.now() + timedelta(days=2),
            ask_share=ask_share,
            ask_interact=ask_interact,
            instructions=instructions,
        )

    return make


@pytest.fixture
def portal_source(crew, offices, national_post, django_capture_on_commit_callbacks):
    """A KPU RI post published to its portal (a delivery sent with the article's URL), as the
    source of a task."""
    from humas.publishing.delivery import publication_create
    from humas.publishing.models import Delivery, Post
    from humas.publishing.portal_channel import portal_channel_ensure
    from humas.publishing.services import post_approve, post_create, post_submit

    office = offices[RI]
    portal = portal_channel_ensure(office=office)
    post = post_create(
        actor=crew["ri_operator"],
        office=office,
        text="Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK.",
        channels=[portal],
    )
    post_submit(actor=crew["ri_operator"], post=post)
    post = post_approve(actor=crew["ri_editor"], post=post)
    with django_capture_on_commit_callbacks(execute=True):
        publication_create(actor=crew["ri_editor"], post=post, channels=[portal])
    post = Post.objects.get(pk=post.pk)
    delivery = Delivery.objects.get(publication__post=post)
    assert delivery.state == Delivery.State.SENT and delivery.url
    return amplification_source_from_delivery(office=office, post=post, delivery_id=delivery.pk)


@pytest.fixture
def fakes(settings):
    """The fake platforms with two seeded accounts (KPU RI's and Jepara's channels)."""
    from django.core.cache import cache

    from humas.channels.fakes import running_fakes

    cache.clear()  # rate-limit waits recorded by an earlier test must not block this one
    with running_fakes(seed=2) as running:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), running.base_url
        )
        settings.HUMAS_DELIVERY_TIMEOUT_SECONDS = 1
        yield running


@pytest.fixture
def connected(crew, offices, fakes):
    """connected("telegram", code=JEPARA, fake_account=0) -> a channel of the office verified
    against that account of the fakes."""
    from humas.channels.connect import channel_connect_token

    def make(platform: str, code: str = JEPARA, fake_account: int = 0) -> Channel:
        account = fakes.hub.accounts[fake_account]
        admin = crew["ri_admin"]
        office = offices[code]
        channel = channel_create(
            actor=admin, office=office, data=ChannelInput(platform=platform, name=f"{office.name} {platform}")
        )
        token, account_id = {
            "x": (account["x"]["access_token"], ""),
            "telegram": (account["telegram"]["bot_token"], account["telegram"]["chat_username"]),
        }[platform]
        channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)
        channel.refresh_from_db()
        return channel

    return make


@pytest.fixture
def telegram_source(crew, offices, connected, django_capture_on_commit_callbacks):
    """A KPU RI post published to its Telegram channel (the fakes' second account) and sent, as
    the source of a task."""
    from humas.publishing.delivery import publication_create
    from humas.publishing.models import Delivery, Post
    from humas.publishing.services import post_approve, post_create, post_submit

    office = offices[RI]
    channel = connected("telegram", code=RI, fake_account=1)
    post = post_create(
        actor=crew["ri_operator"],
        office=office,
        text="Hari ini batas akhir pendaftaran pemantau pemilu. Daftar di kantor KPU terdekat.",
        channels=[channel],
    )
    post_submit(actor=crew["ri_operator"], post=post)
    post = post_approve(actor=crew["ri_editor"], post=post)
    with django_capture_on_commit_callbacks(execute=True):
        publication_create(actor=crew["ri_editor"], post=post, channels=[channel])
    delivery = Delivery.objects.get(publication__post=post)
    assert delivery.state == Delivery.State.SENT, (delivery.state, delivery.error_message)
    return amplification_source_from_delivery(
        office=office, post=Post.objects.get(pk=post.pk), delivery_id=delivery.pk
    )
