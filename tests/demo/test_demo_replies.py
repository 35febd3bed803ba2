"""The demo's replies reach the fake (issue #15): the packaged sample's comments on KPU Jepara's
channels are put on the fakes with the same ids, so once Jepara's Facebook is connected to the
fakes' "KPU Demo 1" as the README's tour does, the replies Humas prepared for them are sent,
listed as sent with a link to the reply on the fake, and polling the channel finds the very
comments the demo took in (nothing twice)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from humas.accounts.models import User
from humas.channels.connect import channel_connect_token
from humas.channels.fakes import FakeHub, make_server
from humas.channels.fakes.server import run_in_thread
from humas.channels.models import Channel
from humas.cli import demo_commands
from humas.demo.fakes import DEMO_POSTS, demo_fakes_feed, demo_fakes_state
from humas.demo.seed import SAMPLE, demo_content, demo_monitoring, demo_official_accounts, demo_seed
from humas.factcheck.matching import claim_index_reset
from humas.monitoring.models import Item, Reply, Source
from humas.monitoring.polling import source_poll
from humas.monitoring.replies import replies_confirm

pytestmark = pytest.mark.django_db

PLATFORMS = ("facebook", "instagram", "x", "telegram")


@contextmanager
def demo_fakes(state: Path, settings) -> Iterator[tuple[str, FakeHub]]:
    """The fakes as `humas demo` runs them (their state file), with the demo's settings: every
    platform's API and web pages on them."""
    hub = FakeHub(state_path=state)
    server = make_server("127.0.0.1", 0, hub=hub)
    thread = run_in_thread(server)
    settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(PLATFORMS, server.base_url)
    settings.HUMAS_PLATFORM_WEB_URLS = {p: f"{server.base_url}/_fake/{p}" for p in PLATFORMS}
    try:
        yield server.base_url, hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def demo(offices, django_capture_on_commit_callbacks):
    """`humas demo`'s seeding, the sample taken in and run through the pipeline."""
    claim_index_reset()
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed(password="demo-password-1")
        demo_content()
        demo_official_accounts()
    with django_capture_on_commit_callbacks(execute=True):
        demo_monitoring()
    return offices["33.20"]


def connect(channel: Channel, account: dict) -> None:
    """What choosing "KPU Demo 1" after "Hubungkan dengan Facebook/Instagram" stores."""
    admin = User.objects.get(email="admin@kpu.test")
    if channel.platform == "facebook":
        token, account_id = account["facebook"]["page_token"], account["facebook"]["page_id"]
    else:
        token, account_id = account["instagram"]["access_token"], account["instagram"]["ig_user_id"]
    channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)


def test_the_sample_comments_go_on_the_fakes_once(tmp_path):
    state = demo_fakes_state(tmp_path)
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    comments = [r for r in sample if r["source"] in ("comments", "instagram")]

    added = demo_fakes_feed(state)
    again = demo_fakes_feed(state)

    hub = FakeHub(state_path=state)  # what the fakes read when `humas demo` starts them
    page_post = f"{hub.accounts[0]['facebook']['page_id']}_{DEMO_POSTS['facebook']}"
    assert (added, again) == (len(comments), 0) and added > 100
    for row in comments:
        stored = hub.graph.objects[row["external_id"]]
        assert stored.data["message"] == row["text"]
        assert stored.data["parent"] == (
            page_post if row["platform"] == "facebook" else DEMO_POSTS["instagram"]
        )
    assert len(hub.accounts) == 3  # what `humas fakes serve` seeds by default


def test_humas_demo_gives_its_fakes_the_state_file_the_comments_are_written_to(tmp_path):
    fakes = demo_commands(host="127.0.0.1", port=8000, fakes_port=8001, data_dir=tmp_path)[2]
    assert fakes[fakes.index("--state") + 1] == str(demo_fakes_state(tmp_path)), shlex.join(fakes)


def test_a_prepared_reply_to_a_demo_comment_is_sent_to_the_fake(
    demo, tmp_path, settings, client, django_capture_on_commit_callbacks
):
    jepara = demo
    state = demo_fakes_state(tmp_path)
    demo_fakes_feed(state)
    with demo_fakes(state, settings) as (base, hub):
        channel = Channel.objects.get(office=jepara, platform="facebook")
        connect(channel, hub.accounts[0])
        prepared = list(
            Reply.objects.filter(channel=channel, status=Reply.Status.PREPARED).select_related("item")
        )
        assert len(prepared) >= 30  # the comments matched to the demo's published clarification
        operator = User.objects.get(email="operator.jepara@kpu.test")

        with django_capture_on_commit_callbacks(execute=True):
            confirmed = replies_confirm(actor=operator, office=jepara, reply_ids=[r.pk for r in prepared])

        sent = list(Reply.objects.filter(pk__in=[r.pk for r in prepared]).select_related("item"))
        assert confirmed == len(prepared)
        assert {r.status for r in sent} == {Reply.Status.SENT}, {r.error for r in sent}
        on_fake = {r["id"]: r for r in hub.replies("facebook")}
        assert {on_fake[r.external_id]["parent_id"] for r in sent} == {r.item.external_id for r in sent}
        assert all(on_fake[r.external_id]["text"] == r.text for r in sent)

        client.force_login(operator)
        page = client.get(reverse("monitoring:replies", kwargs={"office_slug": jepara.slug}))
        link = f"{base}/_fake/facebook/{sent[0].external_id}"
        assert page.status_code == 200
        assert f'href="{link}"' in page.content.decode()
        on_the_fake = httpx.get(link, timeout=5)
        assert on_the_fake.status_code == 200
        assert "balasan akun ini" in on_the_fake.text and sent[0].item.text in on_the_fake.text

        # Switched on, the demo's comment source polls the channel: the same comments, by the
        # same ids, so nothing is stored twice (and the Page's own replies are not comments).
        source = Source.objects.get(office=jepara, name="Contoh komentar kanal (demo)")
        before = Item.objects.filter(source=source).count()
        Source.objects.filter(pk=source.pk).update(is_active=True)
        outcome = source_poll(source_id=source.pk)
        assert (outcome.status, outcome.created) == ("done", 0), outcome.error
        assert Item.objects.filter(source=source).count() == before


def test_a_reply_to_a_demo_instagram_comment_is_sent_to_the_fake(
    demo, tmp_path, settings, django_capture_on_commit_callbacks
):
    jepara = demo
    state = demo_fakes_state(tmp_path)
    demo_fakes_feed(state)
    with demo_fakes(state, settings) as (_base, hub):
        channel = Channel.objects.get(office=jepara, platform="instagram")
        connect(channel, hub.accounts[0])
        source = Source.objects.get(office=jepara, name="Contoh komentar Instagram (demo)")
        item = Item.objects.filter(source=source).order_by("pk").first()
        assert source.config == {"channel_id": channel.pk} and item is not None
        reply = Reply.objects.create(item=item, channel=channel, office=jepara, text="Sudah diklarifikasi.")
        operator = User.objects.get(email="operator.jepara@kpu.test")

        with django_capture_on_commit_callbacks(execute=True):
            replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])

        reply.refresh_from_db()
        assert reply.status == Reply.Status.SENT, reply.error
        assert [r["parent_id"] for r in hub.replies("instagram")] == [item.external_id]
        Source.objects.filter(pk=source.pk).update(is_active=True)
        outcome = source_poll(source_id=source.pk)
        assert (outcome.status, outcome.created) == ("done", 0), outcome.error
