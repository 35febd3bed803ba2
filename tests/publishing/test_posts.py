"""Posts: draft -> review -> approved with four eyes; schedules independent of the server zone."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from huey.contrib.djhuey import HUEY

from humas.audit.models import AuditEvent
from humas.offices.policy import PolicyDenied
from humas.publishing.delivery import deliveries_sweep, publication_create
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import (
    PublishingError,
    post_approve,
    post_create,
    post_submit,
    post_update,
    schedule_from_office_time,
)

pytestmark = pytest.mark.django_db
JEPARA = "33.20"


def test_author_cannot_approve_own_post(offices, editor):
    portal = portal_channel_ensure(office=offices[JEPARA])
    post = post_create(actor=editor, office=offices[JEPARA], text="Rapat pleno terbuka.", channels=[portal])
    post_submit(actor=editor, post=post)

    with pytest.raises(PolicyDenied):
        post_approve(actor=editor, post=post)

    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
    assert not AuditEvent.objects.filter(action="post.approve").exists()


def test_operator_cannot_approve(offices, operator, member):
    other = member(JEPARA, "operator")
    portal = portal_channel_ensure(office=offices[JEPARA])
    post = post_create(actor=other, office=offices[JEPARA], text="Rapat pleno terbuka.", channels=[portal])
    post_submit(actor=other, post=post)
    with pytest.raises(PolicyDenied):
        post_approve(actor=operator, post=post)


def test_changing_an_approved_post_needs_approval_again(offices, approved_post, operator):
    portal = portal_channel_ensure(office=offices[JEPARA])
    post = approved_post(channels=[portal])
    post = post_update(actor=operator, post=post, text="Teks baru yang berbeda.")
    assert (post.status, post.approved_by) == (Post.Status.DRAFT, None)
    with pytest.raises(PublishingError):
        publication_create(actor=operator, post=post, channels=[])
    with pytest.raises(PublishingError):  # not even to the channel it was approved for
        publication_create(actor=operator, post=post, channels=[portal])


@pytest.mark.parametrize(
    ("text", "link"),
    [("", ""), ("   ", ""), ("\x00", ""), ("Teks", "javascript:alert(1)"), ("x" * 70_000, "")],
)
def test_bad_input_is_refused_and_nothing_is_created(offices, operator, text, link):
    with pytest.raises(PublishingError):
        post_create(actor=operator, office=offices[JEPARA], text=text, link=link)
    assert not Post.objects.exists()


def test_someone_from_another_office_cannot_write_here(offices, member):
    outsider = member("11.01", "admin")
    with pytest.raises(PolicyDenied):
        post_create(actor=outsider, office=offices[JEPARA], text="Teks")


ZONES = ["UTC", "Asia/Jayapura", "America/New_York"]


@pytest.fixture
def process_tz():
    before = os.environ.get("TZ")

    def set_tz(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_tz
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_scheduler_gets_the_same_instants_whatever_the_server_zone(
    process_tz,
    settings,
    offices,
    fakes,
    connected,
    approved_post,
    operator,
    django_capture_on_commit_callbacks,
):
    """09:00 entered at KPU Kota Jayapura (WIT, UTC+9) is 00:00 UTC under every server TZ, and
    the sweeper releases the delivery at that instant, not an hour or a zone off."""
    jayapura = next(o for o in offices.values() if o.time_zone == "Asia/Jayapura")
    x = connected("x")
    seen = []
    for zone in ZONES:
        process_tz(zone)
        assert time.tzname[0] in {"UTC", "WIT", "EST"}
        instant = schedule_from_office_time(office=jayapura, local=datetime(2030, 3, 14, 9, 0))
        jepara_instant = schedule_from_office_time(office=offices[JEPARA], local=datetime(2030, 3, 14, 9, 0))
        post = approved_post(f"Jadwal {zone}", scheduled_at=instant)
        HUEY.flush()
        with django_capture_on_commit_callbacks(execute=True):
            delivery = publication_create(actor=operator, post=post, channels=[x]).deliveries.get()
        # The queue holds the task for the exact instant (Huey keeps naive UTC) ...
        etas = [t.eta for t in HUEY.scheduled() if t.args == (delivery.pk,)]
        # ... and the sweeper, the backstop, takes it only once it is overdue by its grace.
        grace = timedelta(seconds=settings.HUMAS_DELIVERY_SWEEP_GRACE_SECONDS)
        before = deliveries_sweep(now=instant + grace - timedelta(seconds=1))
        at = deliveries_sweep(now=instant + grace)  # the task then finds the real clock earlier
        Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.CANCELLED)
        seen.append((instant, jepara_instant, delivery.next_attempt_at, etas, before["due"], at["due"]))
    expected = datetime(2030, 3, 14, 0, 0, tzinfo=UTC)
    jepara = datetime(2030, 3, 14, 2, 0, tzinfo=UTC)
    assert seen == [(expected, jepara, expected, [expected.replace(tzinfo=None)], 0, 1)] * 3
