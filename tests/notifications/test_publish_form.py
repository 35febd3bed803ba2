"""The publish form shows each channel's health; unhealthy ones say why and how to fix it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from humas.channels.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(fakes, connected):
    healthy, broken, expiring = connected("telegram"), connected("facebook"), connected("x")
    Channel.objects.filter(pk=broken.pk).update(
        health=Channel.Health.RECONNECT, health_message="Token Facebook sudah kedaluwarsa."
    )
    Channel.objects.filter(pk=expiring.pk).update(
        health=Channel.Health.EXPIRING, token_expires_at=timezone.now() + timedelta(days=2, hours=3)
    )
    return healthy, broken, expiring


def test_every_channel_shows_its_health_and_a_broken_one_its_reason(client, channels, approved_post, admin):
    healthy, broken, expiring = channels
    post = approved_post()
    client.force_login(admin)

    page = client.get(f"/app/kab-jepara/content/{post.pk}/").content.decode()

    badge = r'value="{}"[^>]*> [^<]+</label>\s*<span class="status status-{}">{}</span>'
    assert re.search(badge.format(healthy.pk, "healthy", "Sehat"), page)
    assert re.search(badge.format(broken.pk, "reconnect", "Perlu dihubungkan ulang"), page)
    assert page.count('<span class="status status-reconnect">Perlu dihubungkan ulang</span>') == 1
    assert page.count('<span class="status status-expiring">Token segera kedaluwarsa</span>') == 1
    assert "Token Facebook sudah kedaluwarsa." in page
    assert "berstatus “Perlu perhatian” (tidak dikirim ulang otomatis)" in page
    assert f'href="/app/kab-jepara/settings/channels/{broken.pk}/connect/"' in page
    assert "kedaluwarsa dalam 3 hari" in page
    assert f'value="{broken.pk}"' in page  # still allowed: the engine asks a person if it fails


def test_someone_who_cannot_reconnect_is_told_whom_to_ask(client, channels, approved_post, operator):
    _healthy, broken, _expiring = channels
    post = approved_post()
    client.force_login(operator)

    page = client.get(f"/app/kab-jepara/content/{post.pk}/").content.decode()

    assert "Minta Administrator kantor menghubungkannya ulang." in page
    assert f"/settings/channels/{broken.pk}/connect/" not in page


def test_publishing_to_a_channel_marked_reconnect_asks_a_person_when_it_fails(
    client, fakes, channels, approved_post, operator, django_capture_on_commit_callbacks
):
    _healthy, broken, _expiring = channels
    fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)
    post = approved_post()
    client.force_login(operator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/app/kab-jepara/content/{post.pk}/publish/", {"channels": [broken.pk]})

    delivery = broken.deliveries.get()
    assert (delivery.state, delivery.attempt_count) == ("needs_attention", 1)
