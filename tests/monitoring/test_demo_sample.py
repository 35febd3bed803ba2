"""The demo shows the desk at work: the packaged sample flows through the pipeline."""

from __future__ import annotations

import pytest

from humas.channels.models import Lookalike
from humas.demo.seed import demo_content, demo_monitoring, demo_official_accounts, demo_seed
from humas.factcheck.matching import claim_index_reset
from humas.factcheck.models import Claim
from humas.monitoring.models import Item, Narrative, NarrativeAlert
from humas.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_sample_fills_jeparas_queue_with_a_matched_and_a_spiking_narrative(
    offices, django_capture_on_commit_callbacks
):
    claim_index_reset()
    with django_capture_on_commit_callbacks(execute=True):
        demo_seed(password="demo-password-1")
        demo_content()
        demo_official_accounts()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_monitoring() == 243
    assert Item.objects.filter(processed_at__isnull=True).count() == 0
    jepara = offices["33.20"]
    queue = Narrative.objects.filter(office=jepara, merged_into__isnull=True).order_by("-risk")
    clarification = Claim.objects.get(article__title__startswith="Tidak benar surat suara di Jepara")
    matched = queue.get(claim=clarification)
    assert matched.item_count >= 30
    spiking = queue.first()
    assert spiking.claim is None
    assert spiking.risk_parts["last_hour"] >= 50
    assert NarrativeAlert.objects.filter(narrative=spiking, kind=NarrativeAlert.Kind.SPIKE).count() == 1
    assert Notification.objects.filter(
        kind=Notification.Kind.NARRATIVE_ALERT, recipient__email="operator.jepara@kpu.test"
    ).exists()
    assert queue.count() >= 4
    # The national and Jawa Tengah stories land in their own queues.
    assert Narrative.objects.filter(office=offices["00"]).exists()
    assert Narrative.objects.filter(office=offices["33"]).exists()
    # The account imitating Jepara's X account is flagged for Jepara to decide.
    impostor = Lookalike.objects.get(handle="kpujepara_0fficial")
    assert impostor.office == jepara
    assert impostor.official.handle == "kpujepara"
    assert impostor.status == Lookalike.Status.FLAGGED
    assert impostor.seen_count == 3
    # Chatter is kept but joins nothing.
    assert Item.objects.filter(relevant=False, narrative__isnull=True).count() >= 50
    # Starting the demo again takes nothing in twice.
    assert demo_monitoring() == 0
