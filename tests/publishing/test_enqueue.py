"""A publication's deliveries reach a Redis queue in one round trip, as the same tasks one by one
would (tests/test_redis.py for the Redis server)."""

from __future__ import annotations

import uuid

from huey import RedisHuey

from humas.publishing.delivery import _enqueue_many
from humas.publishing.tasks import deliver_task
from tests.test_redis import redis_url  # noqa: F401 - the fixture


def test_enqueue_many_pushes_every_delivery_task_in_order_on_redis(redis_url, monkeypatch):  # noqa: F811
    queue = RedisHuey(name=f"humas-test-{uuid.uuid4().hex}", url=redis_url)
    queue._registry.register(deliver_task.task_class)  # the consumer's registry knows the task
    monkeypatch.setattr(deliver_task, "huey", queue)
    try:
        _enqueue_many([11, 12, 13])

        assert queue.pending_count() == 3
        tasks = [queue.dequeue() for _ in range(3)]  # what a consumer gets, oldest first

        assert queue.pending_count() == 0
        assert [(type(t), t.args) for t in tasks] == [(deliver_task.task_class, (n,)) for n in (11, 12, 13)]
        assert len({t.id for t in tasks}) == 3
    finally:
        queue.flush()
