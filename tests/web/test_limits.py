from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from humas.web import limits

LIMIT = limits.Limit("test", count=3, seconds=60)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_hits_within_the_limit_pass_and_the_next_one_waits_for_the_window():
    results = [limits.hit(LIMIT, "203.0.113.1") for _ in range(4)]

    assert results[:3] == [None, None, None]
    assert 1 <= results[3] <= 61
    assert 1 <= limits.blocked(LIMIT, "203.0.113.1") <= 61


def test_each_combination_of_parts_has_its_own_count():
    for _ in range(3):
        limits.hit(LIMIT, "a@kpu.test", "203.0.113.1")

    assert limits.hit(LIMIT, "a@kpu.test", "203.0.113.2") is None
    assert limits.hit(LIMIT, "b@kpu.test", "203.0.113.1") is None
    assert limits.blocked(LIMIT, "a@kpu.test", "203.0.113.1") is not None


def test_reset_forgets_the_window_and_a_zero_limit_is_off():
    for _ in range(5):
        limits.hit(LIMIT, "x")
    limits.reset(LIMIT, "x")

    assert limits.count(LIMIT, "x") == 0
    assert all(limits.hit(limits.Limit("off", 0, 60), "x") is None for _ in range(10))


def test_keys_never_hold_the_value_they_count():
    limits.hit(LIMIT, "rahasia@kpu.test")

    assert all("rahasia" not in key for key in cache._cache)  # LocMem in the test settings


def test_refusal_is_a_429_with_retry_after_in_indonesian_and_never_cached():
    request = RequestFactory().get("/cari/")

    response = limits.too_many(request, 125)

    assert response.status_code == 429
    assert response["Retry-After"] == "125"
    assert response["Cache-Control"] == "no-store"
    assert "Coba lagi dalam 3 menit" in response.content.decode()


def test_refusal_of_an_api_or_script_call_is_json():
    request = RequestFactory().post("/api/v1/x", HTTP_ACCEPT="application/json")

    response = limits.too_many(request, 30)

    assert json.loads(response.content) == {
        "detail": "Terlalu banyak permintaan. Coba lagi dalam 30 detik.",
        "retry_after": 30,
    }
