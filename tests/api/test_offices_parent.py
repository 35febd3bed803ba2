"""`/api/v1/offices?parent=`: a code or a slug; an unknown parent is a 422, not an empty list
(issue #14: `?parent=sulsel` answered 200 with no offices)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_parent_takes_a_slug_as_well_as_a_code(client, offices):
    by_code = client.get("/api/v1/offices?parent=73").json()
    by_slug = client.get("/api/v1/offices?parent=sulsel").json()

    assert by_slug == by_code
    assert by_slug["count"] == 24
    assert {o["parent_code"] for o in by_slug["items"]} == {"73"}
    assert client.get("/api/v1/offices?parent=jateng&level=kabupaten-kota").json()["count"] == 35


def test_a_parent_without_offices_below_is_an_empty_list(client, offices):
    for parent in ("33.20", "kab-jepara"):
        response = client.get(f"/api/v1/offices?parent={parent}")
        assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize("parent", ["99", "sulawesi-selatan", "KAB-JEPARA", "73.71.01"])
def test_a_parent_that_matches_no_office_is_a_422_saying_what_parent_takes(client, offices, parent):
    response = client.get(f"/api/v1/offices?parent={parent}")

    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", "parent"]
    assert problem["type"] == "unknown_office"
    assert problem["msg"] == (
        f"Tidak ada kantor dengan kode atau slug “{parent}”. Parameter parent menerima kode kantor "
        "(mis. 73) atau slug-nya (mis. sulsel)."
    )


def test_an_inactive_parent_is_unknown(client, offices):
    offices["73"].is_active = False
    offices["73"].save(update_fields=["is_active"])

    assert client.get("/api/v1/offices?parent=sulsel").status_code == 422


def test_the_schema_says_parent_takes_a_code_or_a_slug_and_may_answer_422(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/offices"]["get"]
    (parent,) = [p for p in operation["parameters"] if p["name"] == "parent"]

    assert "slug" in parent["description"] and "code" in parent["description"]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
