"""A health check that finds a channel unhealthy tells its Administrators through notifications:
in the app and by e-mail, the same words, once per change."""

from __future__ import annotations

import pytest
from django.core import mail

from humas.channels.connect import channel_check_health
from humas.channels.models import Channel
from humas.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_expired_token_found_by_the_check_notifies_administrators_once(
    fakes, connected, admin, province_admin, neighbour_admin, editor
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)
    mail.outbox.clear()

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.RECONNECT
    assert channel_check_health(channel_id=channel.pk) == Channel.Health.RECONNECT  # no change

    notifications = list(Notification.objects.order_by("recipient_id"))
    assert [n.recipient for n in notifications] == [admin, province_admin]
    notification = notifications[0]
    assert notification.kind == "channel_health"
    channel.refresh_from_db()
    assert notification.title == f"Kanal {channel} perlu perhatian"
    assert "berstatus “Perlu dihubungkan ulang”" in notification.body
    assert notification.link == f"/app/kab-jepara/settings/channels/{channel.pk}/connect/"
    assert sorted(m.to[0] for m in mail.outbox) == ["admin.jateng@kpu.test", "admin.jepara@kpu.test"]
    message = next(m for m in mail.outbox if m.to == ["admin.jepara@kpu.test"])
    assert message.subject == f"Humas: {notification.title}"
    assert message.body.startswith(notification.body)


def test_a_channel_back_to_healthy_is_a_quiet_note_in_the_app_only(fakes, connected, admin):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=1)
    assert channel_check_health(channel_id=channel.pk) == Channel.Health.FAILING
    mail.outbox.clear()

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.HEALTHY
    assert channel_check_health(channel_id=channel.pk) == Channel.Health.HEALTHY  # no change

    recovered = Notification.objects.filter(kind="channel_recovered")
    assert [(n.recipient, n.title) for n in recovered] == [(admin, f"Kanal {channel} kembali sehat")]
    assert recovered[0].emailed_at is None
    assert mail.outbox == []
