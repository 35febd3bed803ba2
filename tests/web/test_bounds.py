"""Over-long query strings get a plain 400 before anything parses them, DEBUG or not (#13)."""

from __future__ import annotations

import pytest

from humas.web.bounds import query_has_too_many_fields

pytestmark = pytest.mark.django_db


def _query(fields: int) -> str:
    return "&".join(f"a{i}=1" for i in range(fields))


@pytest.mark.parametrize("debug", [True, False])
def test_more_fields_than_django_parses_is_a_short_400_even_with_debug_on(client, settings, debug):
    settings.DEBUG = debug
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    refused = client.get("/healthz?" + _query(limit + 1))
    allowed = client.get("/healthz?" + _query(limit))

    assert refused.status_code == 400
    # The plain answer, not Django's debug page listing every frame.
    assert refused["Content-Type"].startswith("text/plain")
    assert len(refused.content) < 200
    assert allowed.status_code == 200


def test_the_count_is_djangos():
    assert not query_has_too_many_fields("")
    assert not query_has_too_many_fields("a=1&" * 999 + "a=1")  # 1,000 fields
    assert query_has_too_many_fields("a=1&" * 1000 + "a=1")
    assert not query_has_too_many_fields("q=" + "x" * 5000)  # long, one field
