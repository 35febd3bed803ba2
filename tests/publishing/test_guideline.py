"""The public-relations guideline at submission and approval (publishing/contentcheck.py): what it
blocks, what it warns of, who may go on with a reason, and how the post's page shows it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from humas.api.services import api_token_create
from humas.audit.models import AuditEvent
from humas.channels.services import ChannelInput, channel_create
from humas.publishing.models import Post
from humas.publishing.services import PublishingError, post_approve, post_create, post_submit

from .conftest import JEPARA

pytestmark = pytest.mark.django_db

BASE = "/app/kab-jepara/content/"
NIK = "3320015708900003"  # Kab. Jepara, born 17 August 1990 (a woman: 57 = 17 + 40)
LINK_WARNING = "Info lengkap di https://contoh-berita.example/jadwal"


@pytest.fixture
def draft(operator, admin, offices):
    tiktok = channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform="tiktok", name="KPU Jepara", handle="kpujepara"),
    )

    def make(text: str) -> Post:
        return post_create(actor=operator, office=offices[JEPARA], text=text, channels=[tiktok])

    return make


def test_personal_data_is_not_submitted_and_only_an_administrator_goes_on_with_a_reason(
    draft, operator, admin
):
    post = draft(f"Warga atas nama Sari, NIK {NIK}, belum terdaftar di DPT.")

    with pytest.raises(PublishingError, match=rf"NIK seseorang.*“{NIK}”"):
        post_submit(actor=operator, post=post, policy_reason="penting")
    with pytest.raises(PublishingError, match="alasan Administrator"):
        post_submit(actor=admin, post=post)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

    post_submit(actor=admin, post=post, policy_reason="Data pemilih sendiri, izin tertulis terlampir.")

    event = AuditEvent.objects.get(action="post.submit")
    assert event.changes["guideline"] == {
        "blocks": ["personal_data.nik"],
        "warnings": [],
        "reason": "Data pemilih sendiri, izin tertulis terlampir.",
    }


def test_a_warning_is_approved_only_with_the_approvers_reason(draft, operator, editor):
    post = post_submit(actor=operator, post=draft(LINK_WARNING))  # a warning does not stop it

    with pytest.raises(PublishingError, match="tuliskan alasan menyetujuinya"):
        post_approve(actor=editor, post=post)
    approved = post_approve(actor=editor, post=post, policy_reason="Situs mitra resmi pemda.")

    assert approved.status == Post.Status.APPROVED
    assert AuditEvent.objects.get(action="post.approve").changes["guideline"] == {
        "blocks": [],
        "warnings": ["non_official_link.host"],
        "reason": "Situs mitra resmi pemda.",
    }


def test_the_offices_own_contact_and_a_clean_post_go_through_without_a_word(draft, operator, editor, offices):
    jepara = offices[JEPARA]
    jepara.phone = "0812-2500-7788"
    jepara.save(update_fields=["phone"])
    post = post_submit(actor=operator, post=draft("Tanya soal DPT? Hubungi kami di 0812-2500-7788."))

    post_approve(actor=editor, post=post)

    assert "guideline" not in AuditEvent.objects.get(action="post.approve").changes


def test_the_posts_page_marks_the_exact_words_and_asks_the_approver_for_a_reason(
    client, draft, operator, editor
):
    post = post_submit(actor=operator, post=draft(LINK_WARNING))
    # A block found after submission (the rules changed since): only an Administrator goes on.
    Post.objects.filter(pk=post.pk).update(text="Selamat ulang tahun Pak Budi! " + LINK_WARNING)
    client.force_login(editor)

    page = client.get(f"{BASE}{post.pk}/").content.decode()

    assert "Pemeriksaan pedoman kehumasan" in page
    assert '<mark class="guideline-block"' in page and ">Selamat ulang tahun Pak Budi</mark>" in page
    assert '<mark class="guideline-warn"' in page
    assert "Ucapan ulang tahun untuk perorangan" in page
    assert 'name="policy_reason"' not in page  # an Editor cannot override a block

    response = client.post(f"{BASE}{post.pk}/approve/", {"policy_reason": "Tetap"}, follow=True)
    assert "Ucapan ulang tahun untuk perorangan" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW


def test_the_api_takes_the_reason_as_a_query_parameter(client, draft, operator, editor):
    cache.clear()
    post = post_submit(actor=operator, post=draft(LINK_WARNING))
    _token, raw = api_token_create(actor=editor, name="meja", scope="write", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    refused = client.post(f"/api/v1/posts/{post.pk}/approve", **auth)
    approved = client.post(f"/api/v1/posts/{post.pk}/approve?policy_reason=Mitra%20resmi", **auth)

    assert refused.status_code == 400 and "alasan menyetujuinya" in refused.json()["detail"]
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
