"""Task priorities (humas/core/queue.py): a worker takes a fan-out's few links, then deliveries,
then everything else, whatever order they were queued in."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY

from humas.coordination.cascades import cascade_auto_adopt_task, cascade_notify_task
from humas.core.queue import PRIORITY_DELIVERY, PRIORITY_FAN_OUT
from humas.publishing.delivery import deliver_task, reconcile_task


@pytest.fixture
def queued():
    """The test queue (MemoryHuey, priority-aware like production's PriorityRedisHuey and the
    embedded SqliteHuey), holding tasks instead of running them."""
    HUEY.flush()
    HUEY.immediate = False
    yield HUEY
    HUEY.immediate = True
    HUEY.flush()


def test_a_fan_outs_links_are_taken_before_deliveries_and_deliveries_before_the_rest(queued):
    deliver_task(41)
    cascade_notify_task(7)
    cascade_auto_adopt_task([1, 2], [[3]])
    reconcile_task(42)

    order = [(task.name.rsplit(".", 1)[-1], task.args) for task in iter(queued.dequeue, None)]

    # A fan-out runs in a few lanes (humas/coordination/cascades.py): its links never wait behind
    # the deliveries they make, and only those few links go ahead of a person's delivery.
    assert order == [
        ("cascade_auto_adopt_task", ([1, 2], [[3]])),
        ("deliver_task", (41,)),
        ("reconcile_task", (42,)),
        ("cascade_notify_task", (7,)),
    ]
    assert PRIORITY_FAN_OUT > PRIORITY_DELIVERY > 0
