"""notification_send: one notification per person per event, in the app and by e-mail."""

from __future__ import annotations

import pytest
from django.core import mail

from humas.notifications.models import Notification
from humas.notifications.services import notification_send, notifications_mark_read

pytestmark = pytest.mark.django_db


def send(users, office, key="ev-1", **fields):
    return notification_send(
        users=users,
        office=office,
        kind=fields.pop("kind", Notification.Kind.CHANNEL_HEALTH),
        title=fields.pop("title", "Kanal X: KPU Jepara perlu perhatian"),
        body=fields.pop("body", "Token tidak berlaku lagi."),
        link=fields.pop("link", "/app/kab-jepara/settings/channels/"),
        key=key,
    )


def test_the_same_event_never_notifies_a_person_twice(offices, admin, editor):
    jepara = offices["33.20"]

    first = send([admin, editor], jepara)
    again = send([admin, editor, admin], jepara)

    assert [n.recipient for n in first] == [admin, editor]
    assert again == []
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin.jepara@kpu.test", "editor.jepara@kpu.test"]


def test_a_new_person_gets_an_event_others_already_have(offices, admin, editor):
    jepara = offices["33.20"]
    send([admin], jepara)
    mail.outbox.clear()

    created = send([admin, editor], jepara)

    assert [n.recipient for n in created] == [editor]
    assert [m.to for m in mail.outbox] == [["editor.jepara@kpu.test"]]


def test_email_says_what_the_app_says_in_indonesian(offices, admin, settings):
    settings.HUMAS_BACKOFFICE_URL = "https://humas.kpu.example"
    (notification,) = send([admin], offices["33.20"])

    (message,) = mail.outbox
    assert message.subject == "Humas: Kanal X: KPU Jepara perlu perhatian"
    assert message.to == ["admin.jepara@kpu.test"]
    assert message.body == (
        "Token tidak berlaku lagi.\n\n"
        "Buka: https://humas.kpu.example/app/kab-jepara/settings/channels/\n"
        "Pemberitahuan ini juga ada di menu Notifikasi Humas (KPU Kabupaten Jepara)."
    )
    notification.refresh_from_db()
    assert notification.emailed_at is not None and notification.read_at is None


def test_inactive_people_are_not_notified(offices, admin, editor):
    editor.is_active = False
    editor.save()
    assert [n.recipient for n in send([admin, editor], offices["33.20"])] == [admin]


def test_a_mail_server_that_refuses_keeps_the_notification_in_the_app(offices, admin, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there

    (notification,) = send([admin], offices["33.20"])

    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert Notification.objects.filter(recipient=admin).count() == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_links_outside_humas_are_refused(offices, admin, link):
    with pytest.raises(ValueError):
        send([admin], offices["33.20"], link=link)
    assert not Notification.objects.exists()


def test_marking_read_touches_only_ones_own(offices, admin, editor):
    jepara = offices["33.20"]
    (mine,) = send([admin], jepara, key="a")
    (theirs,) = send([editor], jepara, key="a")

    assert notifications_mark_read(user=admin, ids=[mine.pk, theirs.pk]) == 1
    assert notifications_mark_read(user=admin) == 0

    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.is_read, theirs.is_read) == (True, False)
