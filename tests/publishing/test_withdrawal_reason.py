"""Withdrawing a publication from every channel (#14): a confirmation page that says per channel
what will happen and asks why; the reason is required, kept with the publication and recorded;
a withdrawn publication then reads plainly as withdrawn, by whom and why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import formats

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_sentence
from humas.channels.services import ChannelInput, channel_create
from humas.offices.policy import PolicyDenied
from humas.publishing.assisted import delivery_mark_published
from humas.publishing.delivery import publication_create, publication_withdraw, publication_withdraw_plan
from humas.publishing.models import Delivery, Publication
from humas.publishing.selectors import publication_summary
from humas.publishing.services import WITHDRAWAL_REASON_MAX, PublishingError

pytestmark = pytest.mark.django_db
State = Delivery.State
BASE = "/app/kab-jepara/content/"


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


@pytest.fixture
def tiktok(admin, offices):
    return channel_create(
        actor=admin,
        office=offices["33.20"],
        data=ChannelInput(platform="tiktok", name="KPU Jepara TikTok", handle="kpujepara"),
    )


@pytest.fixture
def published(fakes, connected, tiktok, approved_post, operator, django_capture_on_commit_callbacks):
    """A post out on Telegram (deletable through its API) and on TikTok (posted by hand, so
    deleted by hand)."""
    telegram = connected("telegram")
    post = approved_post(channels=[telegram, tiktok])
    publication = publish(operator, post, [telegram, tiktok], django_capture_on_commit_callbacks)
    manual = publication.deliveries.get(channel=tiktok)
    delivery_mark_published(
        actor=operator, delivery=manual, url="https://www.tiktok.com/@kpujepara/video/7300000000000000001"
    )
    return post, publication, telegram


@pytest.mark.parametrize("reason", ["", "   ", "\n\t", "\x00"])
def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(published, editor, reason):
    _post, publication, _telegram = published

    with pytest.raises(PublishingError, match="alasan"):
        publication_withdraw(actor=editor, publication=publication, reason=reason)

    publication.refresh_from_db()
    assert publication.withdrawn_at is None
    assert set(publication.deliveries.values_list("state", flat=True)) == {State.SENT}
    assert not AuditEvent.objects.filter(action__startswith="publication.withdraw").exists()


def test_an_over_long_reason_is_refused(published, editor):
    _post, publication, _telegram = published
    with pytest.raises(PublishingError, match=str(WITHDRAWAL_REASON_MAX)):
        publication_withdraw(actor=editor, publication=publication, reason="x" * (WITHDRAWAL_REASON_MAX + 1))
    publication.refresh_from_db()
    assert publication.withdrawn_at is None


def test_the_reason_is_kept_and_recorded(published, editor):
    _post, publication, _telegram = published

    publication_withdraw(actor=editor, publication=publication, reason="  Tanggal coklit salah.  ")

    publication.refresh_from_db()
    assert (publication.withdrawn_by, publication.withdrawal_reason) == (editor, "Tanggal coklit salah.")
    event = AuditEvent.objects.get(action="publication.withdraw")
    assert event.changes["reason"] == "Tanggal coklit salah."
    assert audit_sentence(event).endswith("dari semua kanal: Tanggal coklit salah.")


def test_an_operator_still_may_not_withdraw(published, operator):
    _post, publication, _telegram = published
    with pytest.raises(PolicyDenied):
        publication_withdraw(actor=operator, publication=publication, reason="Salah")


def test_a_withdrawn_publication_reads_as_withdrawn_by_whom_and_why(published, editor):
    _post, publication, _telegram = published
    publication_withdraw(actor=editor, publication=publication, reason="Tanggal coklit salah.")
    publication = Publication.objects.select_related("withdrawn_by", "post__office").get(pk=publication.pk)
    local = publication.withdrawn_at.astimezone(publication.post.office.zoneinfo)
    when = formats.date_format(local, "j M Y H:i")

    summary = publication_summary(publication=publication)

    assert summary.startswith(f"Ditarik pada {when} WIB oleh {editor.get_full_name()}: Tanggal coklit salah.")
    assert "Terbit di" not in summary
    # What is still out there and needs a person is still said.
    assert "TikTok perlu dihapus manual" in summary


def test_the_plan_says_per_channel_what_will_happen(
    fakes, connected, tiktok, approved_post, operator, django_capture_on_commit_callbacks
):
    telegram, x, instagram = connected("telegram"), connected("x"), connected("instagram")
    post = approved_post(channels=[telegram, tiktok, instagram])
    publication = publish(operator, post, [telegram, tiktok], django_capture_on_commit_callbacks)
    # Instagram offers no deletion through its API (its publishing needs an image: made directly).
    Delivery.objects.create(
        publication=publication,
        channel=instagram,
        state=State.SENT,
        platform_post_id="17900",
        url="https://www.instagram.com/p/abc/",
    )
    later = approved_post(channels=[x], scheduled_at=datetime(2031, 1, 1, tzinfo=UTC))
    scheduled = publication_create(actor=operator, post=later, channels=[x])

    plan = {
        step.channel.platform: step.message for step in publication_withdraw_plan(publication=publication)
    }
    assert plan["telegram"] == "Dihapus dari Telegram oleh Humas."
    assert plan["tiktok"] == "Belum diunggah: dibatalkan."
    assert plan["instagram"] == (
        "Instagram tidak mengizinkan penghapusan oleh Humas: hapus sendiri di https://www.instagram.com/p/abc/"
    )
    [step] = publication_withdraw_plan(publication=scheduled)
    assert step.message == "Belum terkirim: dibatalkan."


def test_the_post_page_links_to_a_confirmation_page_not_a_one_click_button(client, published, editor):
    post, publication, _telegram = published
    client.force_login(editor)
    url = f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/"

    detail = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f'href="{url}"' in detail
    assert f'action="{url}"' not in detail

    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tarik dari semua kanal" in html
    assert "Dihapus dari Telegram oleh Humas." in html
    assert "TikTok tidak dapat dihapus oleh Humas" in html
    assert 'name="reason"' in html and "required" in html and f'maxlength="{WITHDRAWAL_REASON_MAX}"' in html
    assert f'action="{url}"' in html


def test_confirming_without_a_reason_asks_for_it(client, published, editor):
    post, publication, _telegram = published
    client.force_login(editor)

    response = client.post(f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/", {"reason": "  "})

    assert response.status_code == 400
    assert "Tuliskan alasan penarikan" in response.content.decode()
    publication.refresh_from_db()
    assert publication.withdrawn_at is None


def test_confirming_with_a_reason_withdraws_and_the_post_page_says_so(client, fakes, published, editor):
    post, publication, _telegram = published
    client.force_login(editor)

    response = client.post(
        f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/", {"reason": "Tanggal coklit salah."}
    )

    assert response.status_code == 302 and response["Location"] == f"{BASE}{post.pk}/"
    assert fakes.hub.posts("telegram") == []
    page = client.get(response["Location"]).content.decode()
    assert f"oleh {editor.get_full_name()}: Tanggal coklit salah." in page
    assert "Terbit di" not in page
    # Withdrawn: no second confirmation is offered, and the page refuses to withdraw again.
    assert f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/" not in page
    again = client.get(f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/")
    assert again.status_code == 302 and again["Location"] == f"{BASE}{post.pk}/"


def test_an_operator_gets_no_confirmation_page(client, published, operator):
    post, publication, _telegram = published
    client.force_login(operator)
    assert client.get(f"{BASE}{post.pk}/publications/{publication.pk}/withdraw/").status_code == 403
    assert "/withdraw/" not in client.get(f"{BASE}{post.pk}/").content.decode()
