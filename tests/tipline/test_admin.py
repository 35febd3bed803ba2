"""The tips in the back office: the receiving office and those above it see them; another office
does not; screenshots are served only through the policy."""

from __future__ import annotations

import pytest

from humas.tipline.services import TipInput, tip_submit

from .conftest import HOAX, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(jepara):
    return tip_submit(
        office=jepara, data=TipInput(text=HOAX, contact_email="warga@example.org"), screenshots=[png()]
    )


def test_the_office_sees_its_tips_without_the_tippers_address(client, operator, received):
    client.force_login(operator)
    page = client.get("/app/kab-jepara/monitoring/laporan-warga/")
    assert page.status_code == 200
    body = page.content.decode()
    assert received.reference in body
    detail = client.get(f"/app/kab-jepara/monitoring/laporan-warga/{received.reference}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert HOAX in text
    assert "warga@example.org" not in text
    shot = client.get(f"/app/kab-jepara/monitoring/laporan-warga/{received.reference}/gambar/1/")
    assert shot.status_code == 200
    assert shot["Content-Type"] == "image/png"
    assert (
        client.get(f"/app/kab-jepara/monitoring/laporan-warga/{received.reference}/gambar/2/").status_code
        == 404
    )


def test_the_province_sees_its_regencies_tips(client, member, offices, received):
    province = member("33", "analyst")
    client.force_login(province)
    slug = offices["33"].slug
    assert received.reference in client.get(f"/app/{slug}/monitoring/laporan-warga/").content.decode()


def test_another_office_never_sees_them(client, member, offices, received):
    kudus = member("33.19", "operator")
    client.force_login(kudus)
    slug = offices["33.19"].slug
    assert received.reference not in client.get(f"/app/{slug}/monitoring/laporan-warga/").content.decode()
    assert client.get(f"/app/{slug}/monitoring/laporan-warga/{received.reference}/").status_code == 404
    assert (
        client.get(f"/app/{slug}/monitoring/laporan-warga/{received.reference}/gambar/1/").status_code == 404
    )
    # And not by naming Jepara in the address.
    assert client.get(f"/app/kab-jepara/monitoring/laporan-warga/{received.reference}/").status_code == 403


def test_the_public_cannot_open_them(client, received):
    response = client.get(f"/app/kab-jepara/monitoring/laporan-warga/{received.reference}/gambar/1/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
