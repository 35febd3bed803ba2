"""The verification checklist an approver ticks (publishing/checklist.py): set by an
Administrator, inherited down the tree, every item ticked before approving, kept with the
approval."""

from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.channels.services import ChannelInput, channel_create
from humas.offices.policy import PolicyDenied
from humas.publishing.checklist import checklist_for, checklist_set
from humas.publishing.models import Post
from humas.publishing.services import PublishingError, post_approve, post_create, post_submit

from .conftest import JEPARA

pytestmark = pytest.mark.django_db

BASE = "/app/kab-jepara/content/"
ITEMS = ["Sumber informasi sudah diperiksa", "Angka sesuai keputusan resmi", "Tidak ada data pribadi"]


@pytest.fixture
def national_admin(member):
    return member("00", "admin", email="admin.ri@kpu.test")


@pytest.fixture
def in_review(operator, admin, offices):
    tiktok = channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform="tiktok", name="KPU Jepara", handle="kpujepara"),
    )
    post = post_create(
        actor=operator, office=offices[JEPARA], text="Rekapitulasi dimulai pukul 09.00.", channels=[tiktok]
    )
    return post_submit(actor=operator, post=post)


def test_kpu_ris_checklist_reaches_the_offices_below_until_one_sets_its_own(
    national_admin, admin, editor, offices
):
    with pytest.raises(PolicyDenied):
        checklist_set(actor=editor, office=offices[JEPARA], text="Satu")
    checklist_set(actor=national_admin, office=offices["00"], text="\n".join(ITEMS) + "\n\n" + ITEMS[0])

    inherited = checklist_for(office=offices[JEPARA])
    assert (inherited.items, inherited.set_at) == (ITEMS, offices["00"])

    checklist_set(actor=admin, office=offices[JEPARA], text="Sudah dibaca dua orang")
    assert checklist_for(office=offices[JEPARA]).items == ["Sudah dibaca dua orang"]
    assert checklist_for(office=offices["33"]).items == ITEMS
    checklist_set(actor=admin, office=offices[JEPARA], text="  ")  # empty: the one above again
    assert checklist_for(office=offices[JEPARA]).items == ITEMS
    assert AuditEvent.objects.filter(action="checklist.set").count() == 3


def test_an_approval_needs_every_item_ticked_and_keeps_them_with_the_decisions_number(
    national_admin, editor, offices, in_review
):
    checklist_set(actor=national_admin, office=offices["00"], text="\n".join(ITEMS))

    with pytest.raises(PublishingError, match="Centang dulu daftar periksa.*Tidak ada data pribadi"):
        post_approve(actor=editor, post=in_review, checked=ITEMS[:2])
    approved = post_approve(
        actor=editor, post=in_review, checked=ITEMS, decision="  Keputusan KPU  No. 360/2024 "
    )

    version = approved.versions.get()
    assert version.checklist == {"items": ITEMS, "decision": "Keputusan KPU No. 360/2024"}
    assert AuditEvent.objects.get(action="post.approve").changes["checklist"] == version.checklist


def test_the_post_page_asks_for_the_ticks_and_the_history_shows_them(
    client, national_admin, editor, offices, in_review
):
    checklist_set(actor=national_admin, office=offices["00"], text="\n".join(ITEMS))
    client.force_login(editor)

    page = client.get(f"{BASE}{in_review.pk}/").content.decode()
    assert page.count('name="checklist"') == 3 and 'name="decision"' in page

    refused = client.post(f"{BASE}{in_review.pk}/approve/", {"checklist": ITEMS[:1]}, follow=True)
    assert "Centang dulu daftar periksa" in refused.content.decode()
    client.post(f"{BASE}{in_review.pk}/approve/", {"checklist": ITEMS, "decision": "360/2024"})
    in_review.refresh_from_db()
    assert in_review.status == Post.Status.APPROVED
    history = client.get(f"{BASE}{in_review.pk}/").content.decode()
    assert "dicentang: Sumber informasi sudah diperiksa; Angka sesuai keputusan resmi" in history
    assert "(keputusan 360/2024)" in history


def test_the_settings_page_is_an_administrators(client, admin, editor, offices):
    client.force_login(editor)
    assert client.get(f"{BASE}checklist/").status_code == 403

    client.force_login(admin)
    assert "Belum ada daftar periksa" in client.get(f"{BASE}checklist/").content.decode()
    response = client.post(
        f"{BASE}checklist/", {"items": "Sumber diperiksa\nTanpa data pribadi"}, follow=True
    )
    assert "Daftar periksa disimpan." in response.content.decode()
    assert checklist_for(office=offices[JEPARA]).items == ["Sumber diperiksa", "Tanpa data pribadi"]
    too_many = client.post(f"{BASE}checklist/", {"items": "\n".join(f"Butir {n}" for n in range(20))})
    assert "Paling banyak 15 butir periksa." in too_many.content.decode()


def test_the_api_takes_the_ticks_as_query_parameters(client, national_admin, editor, offices, in_review):
    from django.core.cache import cache

    from humas.api.services import api_token_create

    cache.clear()
    checklist_set(actor=national_admin, office=offices["00"], text="\n".join(ITEMS[:2]))
    _token, raw = api_token_create(actor=editor, name="meja", scope="write", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/posts/{in_review.pk}/approve"

    refused = client.post(f"{url}?checklist={ITEMS[0]}", **auth)
    approved = client.post(f"{url}?checklist={ITEMS[0]}&checklist={ITEMS[1]}&decision=360%2F2024", **auth)

    assert refused.status_code == 400 and "Angka sesuai keputusan resmi" in refused.json()["detail"]
    assert approved.status_code == 200
    assert in_review.versions.get().checklist == {"items": ITEMS[:2], "decision": "360/2024"}
