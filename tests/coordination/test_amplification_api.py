"""#18 amplification tasks through /api/v1: the tasks an office asked, what reached an office, one
task's board (the sender's, or an office's part), asking, recording and declining; limited by the
one policy and the token's scope (an Operator's token cannot ask)."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from humas.api.services import api_token_create
from humas.audit.models import AuditEvent
from humas.coordination.amplification import amplification_record
from humas.coordination.models import AmplificationTarget, AmplificationTask

from .amplification_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    JEPARA_SHARE,
    NATIONAL_URL,
    SEMARANG,
    SURABAYA,
    accounts,
    ask,
    portal_source,
)
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

Status = AmplificationTarget.Status


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


def target_of(task: AmplificationTask, code: str) -> AmplificationTarget:
    return task.targets.get(office__code=code)


def deadline(days: int = 2) -> str:
    return (timezone.now() + timedelta(days=days)).astimezone(timezone.get_fixed_timezone(7 * 60)).isoformat()


def test_an_editors_token_asks_the_offices_below(call, crew, accounts):
    response = call(
        crew["ri_editor"],
        "post",
        "/amplification",
        {
            "office": "00",
            "url": NATIONAL_URL,
            "ask_share": True,
            "ask_interact": True,
            "scope": "province",
            "province": JATENG,
            "deadline": deadline(),
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    task = AmplificationTask.objects.get()
    assert (body["id"], body["url"], body["platform"], body["account_office_code"]) == (
        task.pk,
        NATIONAL_URL,
        "x",
        "00",
    )
    assert (body["targets"], body["pending"], body["done"], body["province_code"]) == (36, 36, 0, JATENG)
    assert AuditEvent.objects.filter(action="api.amplification_create").count() == 1


def test_an_operators_token_cannot_ask(call, crew, accounts):
    response = call(
        crew["ri_operator"],
        "post",
        "/amplification",
        {"office": "00", "url": NATIONAL_URL, "scope": "below", "deadline": deadline()},
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Anda tidak memiliki izin untuk tindakan ini di kantor ini."}
    assert not AmplificationTask.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status", "detail"),
    [
        (
            {"url": "https://x.com/akun_palsu/status/1"},
            400,
            "yang bukan akun resmi kantor KPU mana pun di Humas",
        ),
        ({"deadline": "2031-01-01T09:00:00"}, 422, None),
        ({"scope": "chosen", "offices": ["99.99"]}, 422, None),
        ({"scope": "chosen", "offices": [SURABAYA], "office": JATENG}, 400, "berada di luar jangkauan"),
        ({"ask_share": False}, 400, "Pilih yang diminta"),
    ],
)
def test_bad_input_is_a_clear_refusal_and_nothing_is_made(call, crew, accounts, fields, status, detail):
    data = {"office": "00", "url": NATIONAL_URL, "scope": "below", "deadline": deadline(), **fields}
    person = crew["jateng_editor"] if data["office"] == JATENG else crew["ri_editor"]

    response = call(person, "post", "/amplification", data)

    assert response.status_code == status, response.content
    if detail:
        assert detail in response.json()["detail"]
    assert not AmplificationTask.objects.exists()


def test_a_post_id_asks_one_of_its_delivery_urls(call, crew, portal_source):
    response = call(
        crew["ri_editor"],
        "post",
        "/amplification",
        {
            "office": "00",
            "url": portal_source.url,
            "post_id": portal_source.post.pk,
            "scope": "chosen",
            "offices": [JEPARA],
            "deadline": deadline(),
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["source_post_id"] == portal_source.post.pk
    wrong = call(
        crew["ri_editor"],
        "post",
        "/amplification",
        {
            "office": "00",
            "url": NATIONAL_URL,
            "post_id": portal_source.post.pk,
            "scope": "chosen",
            "offices": [SEMARANG],
            "deadline": deadline(),
        },
    )
    assert wrong.status_code == 400
    assert wrong.json() == {"detail": "Pilih salah satu tautan unggahan ini yang sudah terbit."}


def test_an_office_lists_what_it_asked_and_what_reached_it(call, crew, ask):
    task = ask()

    asked = call(crew["ri_viewer"], "get", "/amplification?office=00", scope="read")
    assert asked.status_code == 200
    (item,) = asked.json()["items"]
    assert (item["id"], item["targets"], item["pending"]) == (task.pk, 36, 36)

    received = call(crew["jepara_viewer"], "get", f"/amplification/received?office={JEPARA}", scope="read")
    (mine,) = received.json()["items"]
    assert (mine["task_id"], mine["office_code"], mine["url"], mine["status"]) == (
        task.pk,
        JEPARA,
        NATIONAL_URL,
        "pending",
    )
    assert (
        call(crew["surabaya_operator"], "get", f"/amplification/received?office={JEPARA}").status_code == 404
    )


def test_recording_through_the_api_checks_the_account(call, crew, ask):
    task = ask()
    target = target_of(task, JEPARA)

    refused = call(
        crew["jepara_operator"],
        "post",
        f"/amplification/targets/{target.pk}/record",
        {"url": "https://x.com/kpujateng/status/1", "shared": True},
    )
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith(
        "Tautan itu unggahan @kpujateng, bukan akun resmi KPU Kabupaten Jepara"
    )

    done = call(
        crew["jepara_operator"],
        "post",
        f"/amplification/targets/{target.pk}/record",
        {"url": JEPARA_SHARE, "shared": True},
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["result_url"], done.json()["recorded_by"]) == (
        "done",
        JEPARA_SHARE,
        "Operator Jepara",
    )
    assert AuditEvent.objects.filter(action="api.amplification_record").count() == 1
    again = call(
        crew["jepara_editor"],
        "post",
        f"/amplification/targets/{target.pk}/record",
        {"url": JEPARA_SHARE, "shared": True},
    )
    assert (
        again.status_code == 400
        and again.json()["detail"] == "Tugas ini sudah dijawab: selesai oleh Operator Jepara."
    )


def test_a_read_token_or_another_office_cannot_answer(call, crew, ask):
    target = target_of(ask(), JEPARA)

    read = call(
        crew["jepara_operator"],
        "post",
        f"/amplification/targets/{target.pk}/record",
        {"url": JEPARA_SHARE, "shared": True},
        scope="read",
    )
    assert read.status_code == 403
    sibling = call(
        crew["semarang_operator"], "post", f"/amplification/targets/{target.pk}/decline", {"reason": "x"}
    )
    assert sibling.status_code == 404
    viewer = call(
        crew["jepara_viewer"], "post", f"/amplification/targets/{target.pk}/decline", {"reason": "x"}
    )
    assert viewer.status_code == 403
    target.refresh_from_db()
    assert target.status == Status.PENDING


def test_declining_through_the_api(call, crew, ask):
    target = target_of(ask(), SEMARANG)

    response = call(
        crew["semarang_operator"],
        "post",
        f"/amplification/targets/{target.pk}/decline",
        {"reason": "Akun dibekukan."},
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decline_reason"]) == ("declined", "Akun dibekukan.")


def test_the_board_the_sender_sees_and_a_provinces_part(call, crew, ask):
    task = ask(scope=AmplificationTask.Scope.BELOW)
    amplification_record(
        actor=crew["jepara_operator"], target=target_of(task, JEPARA), url=JEPARA_SHARE, shared=True
    )

    board = call(crew["ri_viewer"], "get", f"/amplification/{task.pk}/board?status=done", scope="read").json()
    assert (board["read_only"], board["counts"]["done"], board["task"]["targets"]) == (False, 1, 552)
    assert [(r["office_code"], r["result_url"]) for r in board["rows"]] == [(JEPARA, JEPARA_SHARE)]

    part = call(
        crew["jateng_editor"], "get", f"/amplification/{task.pk}/board?office={JATENG}", scope="read"
    ).json()
    assert part["read_only"] and part["task"]["targets"] == 36 and len(part["rows"]) == 36
    assert (
        call(crew["surabaya_operator"], "get", f"/amplification/{task.pk}/board?office={JATENG}").status_code
        == 404
    )
    assert call(crew["ri_viewer"], "get", f"/amplification/{task.pk + 99}/board").status_code == 404
