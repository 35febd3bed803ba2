"""With HUMAS_REDIS_URL the queue is RedisHuey and the cache is Redis; both tested on the real server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import require_service

REDIS_URL = os.environ.get("HUMAS_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url() -> str:
    require_service(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


def test_settings_choose_redis_for_queue_and_cache_when_configured(redis_url, tmp_path):
    env = {
        **os.environ,
        "HUMAS_REDIS_URL": redis_url,
        "HUMAS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "humas.config.settings.local",
    }
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from huey.contrib.djhuey import HUEY; from django.core.cache import cache;"
        "print(type(HUEY).__name__, HUEY.storage.priority, settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]);"
        "cache.set('humas-probe', 41); print(cache.incr('humas-probe'))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # A queue that keeps priorities (humas/core/queue.py: deliveries before fan-outs).
    assert result.stdout.split() == ["PriorityRedisHuey", "True", "RedisCache", "42"]


def test_redis_huey_round_trips_a_task(redis_url):
    from huey import RedisHuey

    huey = RedisHuey(name=f"humas-test-{uuid.uuid4().hex}", url=redis_url)

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    try:
        result = add(20, 22)
        assert huey.pending_count() == 1
        task = huey.dequeue()
        huey.execute(task)
        assert result.get() == 42
        assert huey.pending_count() == 0
    finally:
        huey.flush()


def test_health_report_uses_the_redis_queue(db, redis_url, monkeypatch):
    from huey import RedisHuey

    from humas.core import health

    monkeypatch.setattr(health, "HUEY", RedisHuey(name=f"humas-test-{uuid.uuid4().hex}", url=redis_url))
    ok, checks = health.health_report()
    assert ok is True
    assert checks["queue"] == {"ok": True, "backend": "RedisHuey", "pending": 0, "ms": checks["queue"]["ms"]}


def test_health_report_fails_when_queue_is_unreachable(db, monkeypatch):
    from huey import RedisHuey

    from humas.core import health

    monkeypatch.setattr(health, "HUEY", RedisHuey(name="humas-down", url="redis://127.0.0.1:1/0"))
    ok, checks = health.health_report()
    assert ok is False
    assert checks["queue"]["ok"] is False
