"""POST /api/v1/monitoring/items: token scopes, office isolation, idempotency, per-item errors."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from humas.api.services import api_token_create
from humas.audit.models import AuditEvent
from humas.monitoring.models import Item, Source

pytestmark = pytest.mark.django_db

URL = "/api/v1/monitoring/items"


def item(external_id="1", **overrides):
    base = {
        "platform": "facebook",
        "external_id": external_id,
        "text": "Benarkah surat suara sudah dicoblos?",
        "published_at": "2024-02-14T08:30:00+07:00",
        "author_handle": "warga",
        "url": "https://www.facebook.com/123/posts/456",
        "reactions": 10,
    }
    base.update(overrides)
    return base


def send(client, token, *, office="33.20", source="Skrip mitra", items=None):
    return client.post(
        URL,
        {"office": office, "source": source, "items": items if items is not None else [item()]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def token_of(member):
    cache.clear()

    def make(home="33.20", role="operator", scope="write"):
        person = member(home, role)
        return api_token_create(actor=person, name="skrip", scope=scope, days=30)[1]

    return make


def test_a_write_token_sends_items_into_a_new_api_source_and_again_as_duplicates(client, token_of):
    token = token_of()

    first = send(client, token, items=[item("1", extra={"likes_by_type": {"love": 2}}), item("2")])
    again = send(client, token, items=[item("1"), item("2"), item("3")])

    source = Source.objects.get()
    assert first.status_code == 200
    assert first.json() == {"source_id": source.pk, "created": 2, "duplicates": 0}
    assert again.json() == {"source_id": source.pk, "created": 1, "duplicates": 2}
    assert (source.kind, source.name, source.office.code) == ("api", "Skrip mitra", "33.20")
    stored = Item.objects.get(external_id="1")
    assert stored.raw == item("1", extra={"likes_by_type": {"love": 2}})  # as received, extra keys too
    assert [
        e.action for e in AuditEvent.objects.order_by("id") if e.action.startswith(("api.", "monitoring."))
    ] == [
        "monitoring.source_create",
        "monitoring.items_ingest",
        "api.monitoring_items_ingest",
        "monitoring.items_ingest",
        "api.monitoring_items_ingest",
    ]


def test_a_source_is_named_by_its_id_too(client, token_of, offices):
    source = Source.objects.create(office=offices["33.20"], kind=Source.Kind.API, name="Mitra")

    response = send(client, token_of(), source=str(source.pk))

    assert response.json()["source_id"] == source.pk
    assert send(client, token_of(), source="999999").status_code == 404


def test_a_source_of_another_kind_takes_no_items(client, token_of, offices):
    Source.objects.create(office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Impor berkas")

    response = send(client, token_of(), source="Impor berkas")

    assert response.status_code == 400
    assert response.json() == {"detail": "Sumber “Impor berkas” tidak menerima item lewat API."}
    assert not Item.objects.exists()


def test_a_read_token_may_not_send(client, token_of):
    response = send(client, token_of(scope="read"))

    assert response.status_code == 403
    assert not Item.objects.exists() and not Source.objects.exists()


@pytest.mark.parametrize(
    ("home", "role", "status"),
    [
        ("33.20", "analyst", 403),  # may view, not take in
        ("33.74", "admin", 403),  # another regency
        ("35", "admin", 403),  # another province
        ("33", "operator", 200),  # the province above
        ("00", "editor", 200),  # the national office
    ],
)
def test_only_staff_reaching_the_office_may_send(client, token_of, home, role, status):
    response = send(client, token_of(home, role))

    assert response.status_code == status
    assert Item.objects.count() == (1 if status == 200 else 0)


def test_an_unknown_office_is_404(client, token_of):
    assert send(client, token_of(), office="99.99").status_code == 404


def test_an_invalid_item_is_a_422_naming_its_index_and_nothing_is_stored(client, token_of):
    response = send(
        client, token_of(), items=[item("1"), item("2", text="   "), item("3", url="javascript:x")]
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(d["loc"], d["type"]) for d in detail] == [
        (["body", "data", "items", 1, "text"], "invalid_item"),
        (["body", "data", "items", 2, "url"], "invalid_item"),
    ]
    assert detail[0]["msg"] == "Teks kosong."
    assert not Item.objects.exists() and not Source.objects.exists()


@pytest.mark.parametrize(
    "items",
    [
        [item(platform="myspace")],
        [item(published_at="2024-02-14T08:30:00")],  # no time zone
        [item(reactions=-1)],
        [],
        [{"platform": "x"}],
    ],
)
def test_schema_errors_are_422_with_the_item_index(client, token_of, items):
    response = send(client, token_of(), items=items)

    assert response.status_code == 422
    if items:
        assert response.json()["detail"][0]["loc"][:4] == ["body", "data", "items", 0]
    assert not Item.objects.exists()


def test_the_operation_is_declared_in_openapi(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]

    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "422", "429"}
    assert operation["security"]
