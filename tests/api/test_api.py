from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_offices_endpoint_lists_all_553_publicly(client, offices):
    body = client.get("/api/v1/offices").json()
    assert body["count"] == 553
    makassar = next(o for o in body["items"] if o["code"] == "73.71")
    assert makassar == {
        "code": "73.71",
        "name": "KPU Kota Makassar",
        "level": "kabupaten-kota",
        "parent_code": "73",
        "slug": "kota-makassar",
        "time_zone": "Asia/Makassar",
        "website": "",
        "email": "",
        "phone": "",
        "address": "",
    }


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("level=provinsi", 38),
        ("level=pusat", 1),
        ("level=kabupaten-kota", 514),
        ("parent=33", 35),
        ("parent=11&level=kabupaten-kota", 23),
        ("parent=33.20", 0),  # an office with none below (an unknown parent is a 422)
        ("q=jepara", 1),
    ],
)
def test_offices_filters(client, offices, query, count):
    assert client.get(f"/api/v1/offices?{query}").json()["count"] == count


@pytest.mark.parametrize("query", ["level=negara", "limit=-1", "limit=abc", "offset=-5"])
def test_bad_filters_are_422_with_detail(client, offices, query):
    response = client.get(f"/api/v1/offices?{query}")
    assert response.status_code == 422
    assert response.json()["detail"]


def test_one_office_and_unknown_office(client, offices):
    assert client.get("/api/v1/offices/33.20").json()["name"] == "KPU Kabupaten Jepara"
    assert client.get("/api/v1/offices/99.99").status_code == 404


def test_me_needs_login_and_lists_memberships(client, member):
    assert client.get("/api/v1/me").status_code == 401
    client.force_login(member("33.20", "operator", email="me@kpu.test"))
    assert client.get("/api/v1/me").json() == {
        "email": "me@kpu.test",
        "full_name": client.get("/api/v1/me").json()["full_name"],
        "memberships": [
            {
                "office_code": "33.20",
                "office_slug": "kab-jepara",
                "office_name": "KPU Kabupaten Jepara",
                "role": "operator",
            }
        ],
    }


def test_openapi_schema_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/v1/offices" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_nul_in_parameters_is_dropped_instead_of_failing(client, offices):
    # PostgreSQL refuses NUL in a query (a 500 before); no name or code holds one.
    assert client.get("/api/v1/offices?q=jep%00ara").json()["count"] == 1
    assert client.get("/api/v1/offices?parent=33%00").json()["count"] == 35
    assert client.get("/api/v1/offices/33.20%00").status_code == 200
