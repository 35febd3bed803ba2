"""Narrative alerts in the office's Telegram staff group, sent by the bot of its connected Telegram
channel, against the strict Telegram fake: checked when saved, once per alert and chat, the
offices above that follow the ones below, failures kept and retried, the page and its rights."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.monitoring.alert_chats import AlertChatError, alert_chat_save, alert_chat_test
from humas.monitoring.models import AlertChat, AlertDelivery, NarrativeAlert
from humas.monitoring.risk import AlertRetry, narrative_alert_notify
from humas.notifications.models import Notification

from ..channels.conftest import connected_channel
from .factories_narratives import NarrativeFactory

pytestmark = pytest.mark.django_db

WINDOW = datetime(2026, 12, 6, 10, tzinfo=UTC)


@pytest.fixture
def admin(member):
    return member("33.20", "admin", email="admin.jepara@kpu.test")


@pytest.fixture
def channel(jepara, account):
    return connected_channel(office=jepara, platform="telegram", account=account, name="Telegram KPU Jepara")


@pytest.fixture
def staff_group(fakes, account):
    """A group the channel's bot belongs to (the fake makes it as a discussion group)."""
    return fakes.hub.telegram.add_discussion_group(
        int(account["telegram"]["chat_id"]), title="Staf Humas Jepara"
    )


def group_messages(fakes, chat_id: int) -> list[str]:
    return [m.text for (chat, _id), m in sorted(fakes.hub.telegram.messages.items()) if chat == chat_id]


def alert_for(office, *, kind=NarrativeAlert.Kind.NEW_TARGETING) -> NarrativeAlert:
    narrative = NarrativeFactory(
        office=office,
        title="Kotak suara di Jepara sudah dicoblos sebelum hari pemungutan",
        item_count=6,
        risk=72,
    )
    return NarrativeAlert.objects.create(
        narrative=narrative, kind=kind, window_start=WINDOW, details={"items": 6}
    )


def test_saving_checks_the_chat_with_the_bot_and_keeps_its_id(jepara, admin, channel, staff_group):
    chat = alert_chat_save(actor=admin, office=jepara, channel=channel, chat_id=str(staff_group["chat_id"]))

    assert (chat.chat_id, chat.chat_title) == (str(staff_group["chat_id"]), "Staf Humas Jepara")
    event = AuditEvent.objects.get(action="monitoring.alert_chat_save")
    assert event.changes["chat_id"] == str(staff_group["chat_id"])


def test_a_chat_the_bot_is_not_in_is_refused_and_nothing_is_saved(jepara, admin, channel):
    with pytest.raises(AlertChatError):
        alert_chat_save(actor=admin, office=jepara, channel=channel, chat_id="-1009999999999")
    assert not AlertChat.objects.exists()


def test_an_operator_may_not_set_the_chat(jepara, operator, channel, staff_group):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        alert_chat_save(actor=operator, office=jepara, channel=channel, chat_id=str(staff_group["chat_id"]))


def test_an_alert_goes_to_the_group_once_with_its_link(fakes, jepara, admin, operator, channel, staff_group):
    alert_chat_save(actor=admin, office=jepara, channel=channel, chat_id=str(staff_group["chat_id"]))
    alert = alert_for(jepara)

    narrative_alert_notify(alert_id=alert.pk)
    narrative_alert_notify(alert_id=alert.pk)  # the task's retry, or a second worker

    messages = group_messages(fakes, staff_group["chat_id"])
    assert len(messages) == 1
    assert messages[0].startswith("Narasi baru menyasar penyelenggara: “Kotak suara di Jepara")
    assert f"/app/{jepara.slug}/monitoring/narasi/{alert.narrative_id}/" in messages[0]
    delivery = AlertDelivery.objects.get()
    assert delivery.sent_at is not None and delivery.attempts == 1 and delivery.message_url
    assert (
        Notification.objects.filter(recipient=operator, kind=Notification.Kind.NARRATIVE_ALERT).count() == 1
    )


def test_the_province_that_follows_its_regencies_gets_their_alerts(
    fakes, offices, member, account, staff_group
):
    jateng = offices["33"]
    province_admin = member("33", "admin", email="admin.jateng@kpu.test")
    channel = connected_channel(office=jateng, platform="telegram", account=account, name="Telegram Jateng")
    alert_chat_save(
        actor=province_admin,
        office=jateng,
        channel=channel,
        chat_id=str(staff_group["chat_id"]),
        include_below=True,
    )
    alert = alert_for(offices["33.20"])

    narrative_alert_notify(alert_id=alert.pk)

    (message,) = group_messages(fakes, staff_group["chat_id"])
    assert f"({offices['33.20'].name})" in message


def test_a_province_that_does_not_follow_gets_nothing(fakes, offices, member, account, staff_group):
    jateng = offices["33"]
    province_admin = member("33", "admin", email="admin.jateng@kpu.test")
    channel = connected_channel(office=jateng, platform="telegram", account=account, name="Telegram Jateng")
    alert_chat_save(actor=province_admin, office=jateng, channel=channel, chat_id=str(staff_group["chat_id"]))

    narrative_alert_notify(alert_id=alert_for(offices["33.20"]).pk)

    assert group_messages(fakes, staff_group["chat_id"]) == []


def test_a_platform_failure_is_kept_and_the_retry_sends_once(fakes, jepara, admin, channel, staff_group):
    alert_chat_save(actor=admin, office=jepara, channel=channel, chat_id=str(staff_group["chat_id"]))
    alert = alert_for(jepara, kind=NarrativeAlert.Kind.SPIKE)
    fakes.hub.add_fault(platform="telegram", kind="error", status=502, path="/sendMessage", times=1)

    with pytest.raises(AlertRetry):
        narrative_alert_notify(alert_id=alert.pk)
    failed = AlertDelivery.objects.get()
    assert failed.sent_at is None and failed.error
    assert AlertChat.objects.get().last_error

    narrative_alert_notify(alert_id=alert.pk)

    assert len(group_messages(fakes, staff_group["chat_id"])) == 1
    delivery = AlertDelivery.objects.get()
    assert (delivery.attempts, delivery.error) == (2, "")
    assert AlertChat.objects.get().last_error == ""


def test_the_page_sets_the_chat_and_sends_a_test(client, fakes, jepara, admin, channel, staff_group):
    client.force_login(admin)
    url = reverse("monitoring:alert_chat", kwargs={"office_slug": jepara.slug})

    page = client.get(url)
    assert page.status_code == 200
    assert "Telegram KPU Jepara" in page.content.decode()

    saved = client.post(
        url, {"channel": channel.pk, "chat_id": str(staff_group["chat_id"]), "is_active": "on"}
    )
    assert saved.status_code == 302
    assert AlertChat.objects.get(office=jepara).chat_title == "Staf Humas Jepara"

    tested = client.post(
        reverse("monitoring:alert_chat_test", kwargs={"office_slug": jepara.slug}), follow=True
    )
    assert "Pesan uji terkirim" in tested.content.decode()
    (message,) = group_messages(fakes, staff_group["chat_id"])
    assert message.startswith("Uji dari Humas")

    removed = client.post(reverse("monitoring:alert_chat_remove", kwargs={"office_slug": jepara.slug}))
    assert removed.status_code == 302
    assert not AlertChat.objects.exists()


def test_a_bad_chat_is_shown_on_the_form(client, fakes, jepara, admin, channel):
    client.force_login(admin)
    url = reverse("monitoring:alert_chat", kwargs={"office_slug": jepara.slug})

    page = client.post(url, {"channel": channel.pk, "chat_id": "@tidak_ada", "is_active": "on"})

    assert page.status_code == 200
    assert "Kanal @tidak_ada tidak ditemukan" in page.content.decode()
    assert not AlertChat.objects.exists()


def test_operators_see_the_page_without_the_form_and_other_offices_are_refused(
    client, member, jepara, operator
):
    client.force_login(operator)
    url = reverse("monitoring:alert_chat", kwargs={"office_slug": jepara.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "Periksa dan simpan" not in page.content.decode()
    assert (
        client.post(reverse("monitoring:alert_chat_test", kwargs={"office_slug": jepara.slug})).status_code
        == 403
    )

    stranger = member("73.71", "admin", email="admin.makassar@kpu.test")
    client.force_login(stranger)
    assert client.get(url).status_code == 403


def test_testing_without_a_chat_says_so(jepara, admin):
    with pytest.raises(AlertChatError):
        alert_chat_test(actor=admin, office=jepara)
