"""The invitation form's office field (#14): only the offices the inviter may manage, grouped by
province (an <optgroup> each, the province first), the national office on its own at the top."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _office_select(html: str) -> str:
    match = re.search(r"<select name=\"office\" id=\"id_office\"[^>]*>(.*?)</select>", html, re.S)
    assert match, "no office field"
    return match.group(1)


def test_national_admin_sees_the_offices_grouped_by_province(client, member):
    client.force_login(member("00", "admin"))

    select = _office_select(client.get("/app/ri/settings/people/").content.decode())

    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert len(groups) == 38
    assert groups[0] == "KIP Aceh"
    assert "KPU Provinsi Jawa Tengah" in groups
    # The national office comes first, outside any province.
    assert select.strip().startswith('<option value="ri"')
    jateng = select.split('<optgroup label="KPU Provinsi Jawa Tengah">')[1].split("</optgroup>")[0]
    values = re.findall(r'<option value="([^"]+)"', jateng)
    assert values[0] == "jateng"  # the province itself heads its group
    assert "kab-jepara" in values and "kota-semarang" in values and len(values) == 36
    assert select.count("<option") == 553


def test_provincial_admin_sees_only_their_province(client, member):
    client.force_login(member("33", "admin"))

    select = _office_select(client.get("/app/jateng/settings/people/").content.decode())

    assert re.findall(r'<optgroup label="([^"]+)">', select) == ["KPU Provinsi Jawa Tengah"]
    assert select.count("<option") == 36
    assert "kota-malang" not in select


def test_regency_admin_gets_a_plain_list_of_one(client, member):
    client.force_login(member("33.20", "admin"))

    select = _office_select(client.get("/app/kab-jepara/settings/people/").content.decode())

    assert "<optgroup" not in select
    assert re.findall(r'<option value="([^"]+)"', select) == ["kab-jepara"]


def test_a_grouped_choice_is_still_validated_against_the_inviters_reach(client, member):
    client.force_login(member("33", "admin"))
    ok = client.post(
        "/app/jateng/settings/people/invite/",
        {"email": "baru@kpu.test", "office": "kab-jepara", "role": "operator"},
    )
    assert ok.status_code == 302
    bad = client.post(
        "/app/jateng/settings/people/invite/",
        {"email": "lain@kpu.test", "office": "kota-malang", "role": "operator"},
    )
    assert bad.status_code == 400
