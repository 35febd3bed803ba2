"""A claimed attempt carries its credential and request, made before "sending" was committed."""

from __future__ import annotations

from django.utils import timezone

from humas.channels.tokens import channel_credential_secret
from humas.publishing.delivery import _claim, publication_create
from humas.publishing.models import Delivery

State = Delivery.State


def test_the_claim_prepares_credential_and_request_before_committing_sending(
    fakes, connected, approved_post, operator
):
    channel = connected("telegram")
    post = approved_post("Rekapitulasi suara tingkat kecamatan dimulai pukul 08.00 WIB.")
    publication = publication_create(actor=operator, post=post, channels=[channel])
    delivery = publication.deliveries.get()

    attempt = _claim(delivery.pk, timezone.now())

    assert attempt is not None and attempt.problem is None
    assert attempt.token == channel_credential_secret(channel=channel)
    assert attempt.request is not None
    assert attempt.request.text == "Rekapitulasi suara tingkat kecamatan dimulai pukul 08.00 WIB."
    assert attempt.request.marker == attempt.delivery.marker
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count) == (State.SENDING, 1)
    assert fakes.hub.posts("telegram") == []  # nothing left before the connector is called
    assert _claim(delivery.pk, timezone.now()) is None  # a second worker finds it taken


def test_a_channel_without_credential_is_claimed_with_its_problem(fakes, connected, approved_post, operator):
    channel = connected("x")
    channel.credential.delete()
    publication = publication_create(actor=operator, post=approved_post(), channels=[channel])

    attempt = _claim(publication.deliveries.get().pk, timezone.now())

    assert attempt is not None and attempt.request is None
    assert attempt.problem == (State.NEEDS_ATTENTION, "Kanal ini belum dihubungkan.")
