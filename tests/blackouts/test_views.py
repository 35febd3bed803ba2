"""The blackout page (/app/<office>/masa-jeda/) and the notices on the pages that publish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from humas.blackouts.models import Blackout
from humas.blackouts.services import blackout_create

pytestmark = pytest.mark.django_db


def url(name, office, **kwargs):
    return reverse(f"blackouts:{name}", kwargs={"office_slug": office.slug, **kwargs})


@pytest.fixture
def national_admin(member):
    return member("00", "admin", email="admin.ri@kpu.test")


def test_an_administrator_declares_masa_tenang_for_every_office_below(client, offices, national_admin):
    client.force_login(national_admin)
    national = offices["00"]
    page = client.get(url("new", national))
    assert page.status_code == 200
    assert "Berlaku juga untuk semua kantor di bawah kantor ini" in page.content.decode()
    start = timezone.localtime(timezone.now() + timedelta(days=1), national.zoneinfo)
    response = client.post(
        url("new", national),
        {
            "reason": "masa_tenang",
            "note": "Keputusan KPU Nomor 1 Tahun 2029",
            "starts_at": start.strftime("%Y-%m-%dT00:00"),
            "ends_at": (start + timedelta(days=3)).strftime("%Y-%m-%dT00:00"),
            "includes_below": "on",
            "clarifications_exempt": "on",
        },
    )
    assert response.status_code == 302
    window = Blackout.objects.get()
    # Entered as WIB wall-clock time.
    assert timezone.localtime(window.starts_at, national.zoneinfo).strftime("%H:%M") == "00:00"
    assert window.includes_below and window.clarifications_exempt


def test_a_regency_sees_the_national_window_but_cannot_change_it(client, offices, member, national_admin):
    start = timezone.now() + timedelta(days=1)
    window = blackout_create(
        actor=national_admin,
        office=offices["00"],
        starts_at=start,
        ends_at=start + timedelta(days=3),
        reason=Blackout.Reason.MASA_TENANG,
    )
    jepara_admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    client.force_login(jepara_admin)
    jepara = offices["33.20"]
    page = client.get(url("list", jepara)).content.decode()
    assert "Masa tenang" in page and "Ditetapkan KPU Republik Indonesia" in page
    assert url("edit", jepara, blackout_id=window.pk) not in page
    assert client.post(url("cancel", jepara, blackout_id=window.pk)).status_code == 404
    assert client.post(url("cancel", offices["00"], blackout_id=window.pk)).status_code == 403
    window.refresh_from_db()
    assert window.cancelled_at is None


def test_an_editor_reads_but_does_not_declare(client, offices, member):
    editor = member("33.20", "editor", email="editor.jepara@kpu.test")
    client.force_login(editor)
    assert client.get(url("list", offices["33.20"])).status_code == 200
    assert client.get(url("new", offices["33.20"])).status_code == 403


def test_a_bad_window_is_refused_on_the_form(client, offices, national_admin):
    client.force_login(national_admin)
    now = timezone.localtime(timezone.now(), offices["00"].zoneinfo)
    response = client.post(
        url("new", offices["00"]),
        {
            "reason": "berkabung",
            "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "Waktu selesai harus sesudah waktu mulai." in response.content.decode()
    assert not Blackout.objects.exists()


def test_the_post_page_says_why_it_cannot_be_published_and_offers_the_override_to_an_admin(
    client, offices, national_admin, admin, operator, connected, approved_post
):
    connected("x")
    post = approved_post()
    blackout_create(
        actor=national_admin,
        office=offices["00"],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=5),
        reason=Blackout.Reason.BERKABUNG,
    )
    detail = reverse("publishing:detail", kwargs={"office_slug": "kab-jepara", "post_id": post.pk})
    client.force_login(operator)
    page = client.get(detail).content.decode()
    assert "Hari berkabung ditetapkan KPU Republik Indonesia" in page
    assert "Hanya Administrator yang dapat menerbitkan" in page
    assert 'name="blackout_override"' not in page
    client.force_login(admin)
    page = client.get(detail).content.decode()
    assert 'name="blackout_override"' in page and "Terbitkan saat masa jeda" in page
