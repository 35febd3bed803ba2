"""#18 cascades through /api/v1: the cascades of an office, what an office received, one board
(the sender's, or an office's part), adopt and decline for a target; limited by the policy and
the token's scope."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.core.cache import cache

from humas.api.services import api_token_create
from humas.audit.models import AuditEvent
from humas.coordination.models import Cascade, CascadeTarget
from humas.publishing.portal_channel import portal_channel_ensure

from .cascade_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    SEMARANG,
    SURABAYA,
    crew,
    national_post,
    send,
)

pytestmark = pytest.mark.django_db

Status = CascadeTarget.Status


@pytest.fixture
def call(client):
    """call(person, method, path, json=None, scope="write") -> the response to a token's call."""
    cache.clear()

    def make(person, method: str, path: str, json=None, scope: str = "write"):
        _token, raw = api_token_create(actor=person, name="skrip", scope=scope, days=30)
        return getattr(client, method)(
            f"/api/v1{path}",
            data=json if json is not None else None,
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    return make


def target_of(cascade: Cascade, code: str) -> CascadeTarget:
    return cascade.targets.get(office__code=code)


def test_an_office_lists_the_cascades_it_sent_with_their_counts(call, crew, send):
    cascade = send()

    response = call(crew["ri_viewer"], "get", "/cascades?office=00")

    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert (item["id"], item["office_code"], item["scope"], item["province_code"]) == (
        cascade.pk,
        "00",
        "province",
        JATENG,
    )
    assert (item["targets"], item["pending"], item["created_by"]) == (36, 36, "Editor KPU RI")
    assert "{nama_kantor}" in item["text"]


def test_an_office_lists_what_it_received_with_its_own_text(call, crew, send):
    cascade = send()

    response = call(crew["jepara_viewer"], "get", f"/cascades/received?office={JEPARA}")

    (item,) = response.json()["items"]
    assert (item["cascade_id"], item["status"], item["sender_code"]) == (cascade.pk, "pending", "00")
    assert "Info KPU Kabupaten Jepara:" in item["text"]


def test_the_board_for_the_sender_and_for_a_province_and_never_another_province(call, crew, send):
    cascade = send()

    whole = call(crew["ri_editor"], "get", f"/cascades/{cascade.pk}/board").json()
    assert (whole["office_code"], whole["read_only"], len(whole["rows"])) == ("00", False, 36)
    assert whole["counts"]["pending"] == 36

    part = call(crew["jateng_editor"], "get", f"/cascades/{cascade.pk}/board?office={JATENG}").json()
    assert part["read_only"] is True and len(part["rows"]) == 36

    mine = call(crew["jepara_operator"], "get", f"/cascades/{cascade.pk}/board?office={JEPARA}").json()
    assert [row["office_code"] for row in mine["rows"]] == [JEPARA]

    assert call(crew["jepara_operator"], "get", f"/cascades/{cascade.pk}/board").status_code == 404
    assert (
        call(crew["surabaya_operator"], "get", f"/cascades/{cascade.pk}/board?office={SURABAYA}").status_code
        == 404
    )
    assert call(crew["ri_editor"], "get", f"/cascades/{cascade.pk + 99}/board").status_code == 404


def test_the_board_filters_by_status(call, crew, send):
    cascade = send()
    call(
        crew["semarang_operator"],
        "post",
        f"/cascades/targets/{target_of(cascade, SEMARANG).pk}/decline",
        {"reason": "Tidak relevan"},
    )

    board = call(crew["ri_editor"], "get", f"/cascades/{cascade.pk}/board?status=declined").json()

    assert [(row["office_code"], row["decline_reason"]) for row in board["rows"]] == [
        (SEMARANG, "Tidak relevan")
    ]
    assert board["counts"]["declined"] == 1 and board["cascade"]["targets"] == 36


def test_adopting_through_the_api(call, crew, send, offices):
    cascade = send()
    target = target_of(cascade, JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])

    response = call(
        crew["jepara_operator"], "post", f"/cascades/targets/{target.pk}/adopt", {"channels": [portal.pk]}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["decided_by"]) == ("adopted", "Operator Jepara")
    assert body["post_id"] == target_of(cascade, JEPARA).post_id
    assert AuditEvent.objects.filter(action="api.cascade_adopt", actor=crew["jepara_operator"]).exists()

    again = call(
        crew["jepara_editor"], "post", f"/cascades/targets/{target.pk}/adopt", {"channels": [portal.pk]}
    )
    assert again.status_code == 400
    assert again.json() == {"detail": "Konten ini sudah diputuskan: diadopsi oleh Operator Jepara."}


def test_adopting_on_another_offices_channel_is_a_400(call, crew, send, offices):
    target = target_of(send(), JEPARA)
    other = portal_channel_ensure(office=offices[SEMARANG])

    response = call(
        crew["jepara_operator"], "post", f"/cascades/targets/{target.pk}/adopt", {"channels": [other.pk]}
    )

    assert response.status_code == 400 and response.json() == {
        "detail": "Kanal itu bukan kanal aktif kantor ini."
    }
    assert target_of(target.cascade, JEPARA).status == Status.PENDING


def test_declining_needs_a_reason(call, crew, send):
    target = target_of(send(), SEMARANG)

    empty = call(crew["semarang_operator"], "post", f"/cascades/targets/{target.pk}/decline", {"reason": ""})
    blank = call(
        crew["semarang_operator"], "post", f"/cascades/targets/{target.pk}/decline", {"reason": "   "}
    )

    assert empty.status_code == 422
    assert blank.status_code == 400 and blank.json() == {"detail": "Tuliskan alasan menolak konten ini."}


def test_the_policy_and_the_tokens_scope_limit_the_answers(call, crew, send, offices):
    target = target_of(send(), JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])
    path = f"/cascades/targets/{target.pk}/adopt"

    assert call(crew["jepara_viewer"], "post", path, {"channels": [portal.pk]}).status_code == 403
    assert call(crew["semarang_operator"], "post", path, {"channels": [portal.pk]}).status_code == 404
    assert (
        call(crew["jepara_operator"], "post", path, {"channels": [portal.pk]}, scope="read").status_code
        == 403
    )
    assert call(crew["makassar_operator"], "get", f"/cascades/received?office={JEPARA}").status_code == 404
    assert target_of(target.cascade, JEPARA).status == Status.PENDING
