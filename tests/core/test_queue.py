"""Task priorities (humas/core/queue.py): a worker takes deliveries before the tasks of a large
fan-out, whatever order they were queued in."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY

from humas.coordination.cascades import cascade_auto_adopt_task
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


def test_deliveries_are_taken_before_the_fan_out_queued_ahead_of_them(queued):
    for target in range(3):
        cascade_auto_adopt_task(target)
    deliver_task(41)
    reconcile_task(42)

    order = [(task.name.rsplit(".", 1)[-1], task.args) for task in iter(queued.dequeue, None)]

    assert order == [
        ("deliver_task", (41,)),
        ("reconcile_task", (42,)),
        ("cascade_auto_adopt_task", (0,)),
        ("cascade_auto_adopt_task", (1,)),
        ("cascade_auto_adopt_task", (2,)),
    ]
    assert PRIORITY_DELIVERY > 0 > PRIORITY_FAN_OUT
