from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from humas.audit.models import AuditEvent
from humas.audit.services import audit_record
from humas.core.selectors import audit_list_for_office
from humas.offices import policy

pytestmark = pytest.mark.django_db


def test_event_records_who_where_what_and_ip(offices, member, client):
    admin = member("33", "admin")
    client.force_login(admin)

    response = client.post(
        "/app/jateng/settings/profile/",
        {"address": "Jl. Veteran No. 1A, Semarang", "phone": "024-8311371", "email": "", "website": ""},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="office.update")
    assert (event.actor_email, event.office.code, event.ip) == (admin.email, "33", "203.0.113.7")
    assert event.object_type == "offices.office"
    assert event.object_id == str(offices["33"].pk)
    assert event.changes["phone"] == {"before": "", "after": "024-8311371"}
    assert event.created_at is not None


def test_events_cannot_be_changed_or_deleted_through_the_orm(offices):
    event = audit_record(actor=None, office=offices["33"], action="test.event")
    event.action = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_raw_update_and_delete(offices):
    event = audit_record(actor=None, office=offices["33"], action="test.event")
    for sql in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_offices_see_their_own_events_and_those_below_only(offices, member):
    for code in ("00", "33", "33.20", "33.74", "35"):
        audit_record(actor=None, office=offices[code], action=f"test.{code}")
    province = member("33", "editor")
    regency = member("33.20", "admin")

    seen_by_province = set(
        audit_list_for_office(actor=province, office=offices["33"], action="test.").values_list(
            "action", flat=True
        )
    )
    seen_by_regency = set(
        audit_list_for_office(actor=regency, office=offices["33.20"], action="test.").values_list(
            "action", flat=True
        )
    )

    assert seen_by_province == {"test.33", "test.33.20", "test.33.74"}
    assert seen_by_regency == {"test.33.20"}
    with pytest.raises(policy.PolicyDenied):
        audit_list_for_office(actor=regency, office=offices["33"])
    with pytest.raises(policy.PolicyDenied):
        audit_list_for_office(actor=member("33", "operator"), office=offices["33"])


def test_audit_page_lists_events_and_denies_other_offices(offices, member, client):
    audit_record(actor=None, office=offices["33.20"], action="offices.load", changes={"created": 2})
    audit_record(actor=None, office=offices["33.74"], action="demo.seed", changes={"people": 6})
    client.force_login(member("33.20", "editor"))

    page = client.get("/app/kab-jepara/settings/audit/")
    other = client.get("/app/kota-semarang/settings/audit/")

    assert page.status_code == 200
    # Sentences people read, not the action names the code records.
    assert "Sistem memuat daftar kantor." in page.content.decode()
    assert b"offices.load" not in page.content
    assert "orang-orang demo" not in page.content.decode()
    assert other.status_code == 403
    assert "orang-orang demo" not in other.content.decode()


def test_audit_page_narrows_to_a_kind_of_event(offices, member, client):
    audit_record(actor=None, office=offices["33.20"], action="offices.load", changes={"created": 2})
    audit_record(
        actor=None, office=offices["33.20"], action="channel.credentials_rotate", changes={"count": 3}
    )
    client.force_login(member("33.20", "editor"))

    page = client.get("/app/kab-jepara/settings/audit/?kind=kanal").content.decode()

    assert "mengenkripsi ulang kredensial kanal" in page
    assert "memuat daftar kantor" not in page
    assert '<option value="kanal" selected>' in page
