"""In the demo, "Lihat unggahan" opens the fake platform's page of the post, not facebook.com or
x.com (issue #14): HUMAS_PLATFORM_WEB_URLS reaches every connector Humas builds."""

from __future__ import annotations

import httpx
import pytest

from humas.channels.connect import channel_connect_token
from humas.channels.fakes import running_fakes
from humas.channels.services import ChannelInput, channel_create

pytestmark = pytest.mark.django_db

JEPARA = "33.20"


@pytest.fixture
def fakes(settings):
    with running_fakes(seed=1) as running:
        platforms = ("facebook", "instagram", "x", "telegram")
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(platforms, running.base_url)
        settings.HUMAS_PLATFORM_WEB_URLS = {p: f"{running.base_url}/_fake/{p}" for p in platforms}
        yield running


def test_the_delivered_post_links_to_the_fakes_page_of_it(
    fakes, offices, member, django_capture_on_commit_callbacks
):
    from humas.publishing.delivery import delivery_send, publication_create
    from humas.publishing.models import Delivery
    from humas.publishing.services import post_approve, post_create, post_submit

    admin, operator, editor = (member(JEPARA, role) for role in ("admin", "operator", "editor"))
    channel = channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform="x", name="KPU Jepara", handle="kpu_demo1"),
    )
    channel_connect_token(
        actor=admin, channel=channel, token=fakes.hub.accounts[0]["x"]["access_token"], account_id=""
    )
    channel.refresh_from_db()
    assert channel.authorised_url == f"{fakes.base_url}/_fake/x/kpu_demo1"
    text = "Pengumuman hasil rekapitulasi tingkat kabupaten."
    post = post_create(actor=operator, office=offices[JEPARA], text=text, channels=[channel])
    post_submit(actor=operator, post=post)
    post = post_approve(actor=editor, post=post)
    with django_capture_on_commit_callbacks(execute=False):
        publication = publication_create(actor=operator, post=post, channels=[channel])
    delivery = publication.deliveries.get()

    assert delivery_send(delivery_id=delivery.pk) == Delivery.State.SENT

    delivery.refresh_from_db()
    assert delivery.url.startswith(f"{fakes.base_url}/_fake/x/")
    page = httpx.get(delivery.url)
    assert page.status_code == 200 and text in page.text
