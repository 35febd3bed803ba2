"""The monitoring pipeline: items to narratives, routed, matched, counted, assessed, alerted."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from humas.factcheck.matching import claim_index_invalidate, claim_index_reset
from humas.factcheck.models import Claim
from humas.monitoring.models import (
    Item,
    MatchDecision,
    Narrative,
    NarrativeAlert,
    NarrativeHour,
    NarrativeTerm,
    Source,
    Variant,
)
from humas.monitoring.pipeline import items_process
from humas.monitoring.services import items_ingest
from humas.monitoring.triage import narrative_split, narratives_merge
from humas.monitoring.vocabulary import relevance_rule_add
from humas.notifications.models import Notification
from humas.textkit.index import ClaimIndex

from .conftest import record, turnbackhoax_claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index():
    claim_index_reset()
    yield
    claim_index_reset()


CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "factchecks" / "corpus.jsonl"


def background_claims(office, n=300):
    """Real fact-checks as the rest of the knowledge base, so matching decides as it would."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is not there (the shared data beside the checkout)")
    rows = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            rows.append(
                Claim(
                    kind=Claim.Kind.EXTERNAL,
                    office=office,
                    source_name="corpus",
                    external_id=doc["doc_id"],
                    title=doc["title"][:500],
                    text=doc["text"],
                    verdict=doc.get("label", ""),
                )
            )
            if len(rows) == n:
                break
    Claim.objects.bulk_create(rows)


@pytest.fixture
def claims(offices):
    national = offices["00"]
    background_claims(national)
    rows = [
        ("Pemilu 2024 ditunda sampai 2025", "Jadwal pemungutan suara tetap 14 Februari 2024, tidak ditunda."),
        ("Tinta pemilu mengandung babi", "Tinta pemilu sudah bersertifikat halal dari MUI."),
        (
            "Surat suara sudah dicoblos sebelum hari pemungutan",
            "Video lama dari luar negeri, bukan surat suara pemilu.",
        ),
    ]
    return [
        Claim.objects.create(
            kind=Claim.Kind.EXTERNAL,
            office=national,
            source_name="TurnBackHoax",
            external_id=f"t{i}",
            title=title,
            text=text,
            verdict="hoaks",
            url=f"https://turnbackhoax.id/{i}",
        )
        for i, (title, text) in enumerate(rows)
    ]


def ingest(source, texts, *, start=None, step=timedelta(minutes=1), prefix="i", **fields):
    start = start or timezone.now() - timedelta(minutes=len(texts))
    records = [
        record(
            external_id=f"{prefix}{n}",
            text=text,
            published_at=(start + n * step).isoformat(),
            url=f"https://x.com/warga/status/{prefix}{n}",
            **fields,
        )
        for n, text in enumerate(texts)
    ]
    items_ingest(actor=None, source=source, records=records)
    return list(
        Item.objects.filter(source=source, external_id__in=[r["external_id"] for r in records]).order_by("pk")
    )


def process(items):
    return items_process(item_ids=[i.pk for i in items])


def test_a_known_hoax_is_matched_to_its_clarification(file_source, claims):
    items = ingest(file_source, ["Info dari grup WA: pemilu ditunda sampai 2025, sebarkan!!"])
    assert process(items) == 1
    item = Item.objects.get(pk=items[0].pk)
    assert item.match_decision == MatchDecision.MATCH
    assert item.match_claim_id == claims[0].pk
    assert item.relevant is True
    narrative = item.narrative
    assert narrative.claim_id == claims[0].pk
    assert narrative.item_count == 1


def test_a_jepara_hoax_lands_in_jeparas_queue_and_rolls_up(offices, member, claims):
    national = offices["00"]
    source = Source.objects.create(office=national, kind=Source.Kind.API, name="Pencarian nasional")
    items = ingest(source, ["Awas, TPS 12 di Kab. Jepara sudah dicoblos duluan oleh petugas KPPS malam ini"])
    process(items)
    item = Item.objects.get(pk=items[0].pk)
    assert item.regions == {"33.20": 0.95}
    assert item.routed_office == offices["33.20"]
    narrative = item.narrative
    assert narrative.office == offices["33.20"]
    assert narrative.office_path.startswith(offices["33"].path)
    assert narrative.office_path.startswith(offices["00"].path)
    assert narrative.targets_commission is True
    assert narrative.regions == {"33.20": 1}


def test_an_ambiguous_place_routes_to_the_office_both_readings_share(offices, claims):
    source = Source.objects.create(office=offices["00"], kind=Source.Kind.API, name="API")
    items = ingest(source, ["Kotak suara di Semarang dibuka sebelum rekapitulasi, pemilu curang"])
    process(items)
    assert Item.objects.get(pk=items[0].pk).routed_office == offices["33"]


def test_a_comment_on_an_offices_channel_stays_with_it_when_it_names_another_province(offices, claims):
    source = Source.objects.create(
        office=offices["33.20"], kind=Source.Kind.CHANNEL_COMMENTS, name="Komentar Facebook", config={}
    )
    items = ingest(source, ["Di Surabaya TPS dibuka jam 9, apakah di sini juga? pemilu"])
    process(items)
    assert Item.objects.get(pk=items[0].pk).routed_office == offices["33.20"]


def test_processing_twice_changes_nothing(file_source, claims):
    items = ingest(file_source, ["KPU Jepara curang, hasil suara TPS digelembungkan di Sirekap"] * 1)
    assert process(items) == 1
    assert process(items) == 0
    narrative = Narrative.objects.get()
    assert narrative.item_count == 1
    assert NarrativeHour.objects.get(narrative=narrative).count == 1


def test_copies_and_near_copies_are_one_narrative_and_copies_one_variant(file_source, claims):
    text = "Sirekap KPU salah hitung, suara paslon 2 di Jepara digelembungkan 300 persen! Sebarkan"
    items = ingest(
        file_source,
        [
            text,
            text.upper() + " https://bit.ly/abc",
            text + " 😡😡",
            "Sirekap KPU salah hitung, suara paslon 2 di Jepara digelembungkan 300 persen! Tolong sebarkan ke grup",
            "Sirekap KPU salah hitung lagi, suara paslon 2 di Jepara digelembungkan 300 persen",
        ],
    )
    process(items)
    narratives = Narrative.objects.all()
    assert narratives.count() == 1
    narrative = narratives.get()
    assert narrative.item_count == 5
    variants = {v.text: v.item_count for v in Variant.objects.filter(narrative=narrative)}
    assert variants[text] >= 3
    assert sum(variants.values()) == 5
    assert narrative.variant_count == len(variants)


def test_different_stories_are_different_narratives(file_source, claims):
    items = ingest(
        file_source,
        [
            "Sirekap KPU salah hitung, suara paslon 2 di Jepara digelembungkan 300 persen",
            "Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa",
        ],
    )
    process(items)
    assert Narrative.objects.count() == 2


def test_chatter_without_election_words_is_kept_but_joins_no_narrative(file_source, claims):
    items = ingest(file_source, ["Selamat pagi semua, cuaca Jepara cerah hari ini"])
    process(items)
    item = Item.objects.get(pk=items[0].pk)
    assert item.processed_at is not None
    assert item.relevant is False
    assert item.narrative is None
    assert Narrative.objects.count() == 0


def test_an_office_adds_its_own_words_and_excludes_inherited_ones(offices, member, file_source, claims):
    editor = member("33.20", "editor")
    relevance_rule_add(actor=editor, office=offices["33.20"], phrase="Bupati Witiarso", action="add")
    relevance_rule_add(actor=editor, office=offices["33.20"], phrase="tinta", action="exclude")
    items = ingest(file_source, ["Bupati Witiarso hadir di alun-alun", "Tinta printer kantor habis"])
    process(items)
    first, second = (Item.objects.get(pk=i.pk) for i in items)
    assert first.relevant is True
    assert first.relevance_terms == ["bupati witiarso"]
    assert second.relevant is False


def test_a_spike_raises_exactly_one_alert_and_notifies_the_office(
    offices, member, operator, file_source, claims, django_capture_on_commit_callbacks
):
    other_province = member("35", "operator")
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    # A quiet baseline two hours ago, then the flood in the current hour.
    base = ingest(
        file_source,
        ["Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa"] * 2,
        start=hour - timedelta(hours=2),
        prefix="b",
    )
    process(base)
    flood = ingest(
        file_source,
        [f"Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa, TPS {n}" for n in range(25)],
        start=hour,
        step=timedelta(seconds=5),
        prefix="f",
    )
    with django_capture_on_commit_callbacks(execute=True):
        process(flood[:12])
    with django_capture_on_commit_callbacks(execute=True):
        process(flood[12:])
    more = ingest(
        file_source,
        ["Petugas KPPS di Jepara dibayar paslon untuk coblos surat suara sisa lagi"] * 5,
        start=hour,
        prefix="m",
    )
    with django_capture_on_commit_callbacks(execute=True):
        process(more)
    narrative = Narrative.objects.get()
    spikes = NarrativeAlert.objects.filter(narrative=narrative, kind=NarrativeAlert.Kind.SPIKE)
    assert spikes.count() == 1
    alert = spikes.get()
    assert alert.window_start == hour
    assert alert.first_item_captured_at is not None
    notes = Notification.objects.filter(
        kind=Notification.Kind.NARRATIVE_ALERT, key=f"monitoring:alert:{alert.pk}"
    )
    assert [n.recipient for n in notes] == [operator]
    assert not Notification.objects.filter(recipient=other_province).exists()
    assert narrative.risk_parts["last_hour"] == 30
    assert narrative.risk > 0


def test_a_new_narrative_targeting_the_commission_alerts_once(
    offices, operator, file_source, claims, django_capture_on_commit_callbacks
):
    items = ingest(
        file_source,
        [f"Ketua KPU Jepara terima suap dari caleg, bukti transfer nomor {n}" for n in range(4)],
    )
    process(items[:2])
    assert not NarrativeAlert.objects.exists()  # two items are not yet a narrative worth an alert
    with django_capture_on_commit_callbacks(execute=True):
        process(items[2:])
    alerts = NarrativeAlert.objects.filter(kind=NarrativeAlert.Kind.NEW_TARGETING)
    assert alerts.count() == 1
    assert [n.recipient for n in Notification.objects.filter(kind=Notification.Kind.NARRATIVE_ALERT)] == [
        operator
    ]


def test_items_taken_in_go_through_the_pipeline_after_commit(
    file_source, claims, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        items_ingest(
            actor=None, source=file_source, records=[record(text="Pemilu ditunda sampai 2025, kata grup WA")]
        )
    item = Item.objects.get()
    assert item.processed_at is not None
    assert item.narrative is not None


def test_words_are_found_as_written_too_and_the_commissions_name_alone_is_no_election_word_on_its_channel(
    offices, file_source, claims
):
    comments = Source.objects.create(
        office=offices["33.20"], kind=Source.Kind.CHANNEL_COMMENTS, name="Komentar"
    )
    (written,) = ingest(file_source, ["DPT ganda di desa kami"], prefix="w")
    thanks, question = ingest(
        comments, ["Terima kasih infonya KPU Jepara", "KPU, kapan DPT diumumkan?"], prefix="c"
    )
    process([written, thanks, question])
    assert Item.objects.get(pk=written.pk).relevance_terms == ["dpt"]
    assert Item.objects.get(pk=thanks.pk).relevant is False
    assert Item.objects.get(pk=question.pk).relevance_terms == ["dpt"]


def test_the_narrative_page_shows_the_alert_people_came_from(
    client, offices, operator, file_source, claims, django_capture_on_commit_callbacks
):
    items = ingest(
        file_source,
        [f"Sirekap KPU Jepara menggelembungkan suara paslon 2 di TPS {n}" for n in range(22)],
        start=timezone.now() - timedelta(minutes=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        process(items)
    narrative = Narrative.objects.get()
    assert narrative.risk >= 70  # spiking now: high risk, whatever its reach so far
    client.force_login(operator)
    page = client.get(
        reverse(
            "monitoring:narrative",
            kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk},
        )
    ).content.decode()
    assert "Peringatan" in page
    assert "Lonjakan" in page
    assert "22 item dalam satu jam" in page


def test_a_wording_matched_in_an_earlier_batch_is_not_searched_again_until_the_claims_change(
    file_source, claims, monkeypatch
):
    searched: list[int] = []
    search = ClaimIndex.search_analyses

    def counting(self, analyses, **kwargs):
        searched.append(len(analyses))
        return search(self, analyses, **kwargs)

    monkeypatch.setattr(ClaimIndex, "search_analyses", counting)
    text = "Info dari grup WA: pemilu ditunda sampai 2025, sebarkan!!"
    process(ingest(file_source, [text], prefix="a"))
    process(ingest(file_source, [text.upper()], prefix="b"))  # the same wording, a later batch
    assert searched == [1]
    assert set(Item.objects.values_list("match_claim_id", flat=True)) == {claims[0].pk}

    # A new clarification may answer the wording better: the next copy is searched again.
    turnbackhoax_claim(
        claims[0].office, "t-new", "Pemilu ditunda ke 2025 menurut grup WA", "Tidak benar, jadwal tetap."
    )
    claim_index_invalidate()
    process(ingest(file_source, [text], prefix="c"))
    assert searched == [1, 1]


def test_after_a_split_new_wordings_find_the_narrative_that_holds_their_story(file_source, claims, operator):
    sirekap = "Sirekap KPU salah hitung, suara paslon 2 di Jepara digelembungkan 300 persen"
    ballots = "Suara paslon 2 di Jepara digelembungkan, kotak suara dibuka petugas KPU malam hari di gudang"
    process(ingest(file_source, [sirekap, ballots], prefix="s"))
    (narrative,) = Narrative.objects.all()  # one story in two wordings
    moved = Variant.objects.get(narrative=narrative, text=ballots)

    new = narrative_split(actor=operator, narrative=narrative, variants=[moved])

    new_terms = set(NarrativeTerm.objects.filter(narrative=new).values_list("term", flat=True))
    assert {"kotak", "buka"} <= new_terms, new_terms
    assert "kotak" not in set(
        NarrativeTerm.objects.filter(narrative=narrative).values_list("term", flat=True)
    )
    process(ingest(file_source, ["Kotak suara di gudang KPU Jepara dibuka petugas malam hari"], prefix="t"))
    assert Item.objects.get(external_id="t0").narrative_id == new.pk


def test_items_another_worker_processed_meanwhile_are_counted_once(file_source, claims):
    """No item row is locked while a batch clusters: if another worker processed some of its
    items in between, the batch is stored again without them and nothing is counted twice."""
    from humas.monitoring.pipeline import _analyse, _store

    texts = [
        "KPU Jepara curang, hasil suara TPS digelembungkan di Sirekap",
        "KPU Jepara curang, hasil suara TPS digelembungkan di Sirekap!!",
        "Hari ini cerah, saya makan bakso di alun-alun",  # joins no narrative
    ]
    # Published within one hour (an hour boundary would split the narrative's hourly count).
    items = ingest(file_source, texts, start=timezone.now().replace(minute=10, second=0) - timedelta(hours=1))
    loaded = list(Item.objects.filter(pk__in=[i.pk for i in items]).select_related("source").order_by("pk"))
    works = _analyse(loaded)  # this worker has analysed the batch ...
    assert process(items[:1]) == 1  # ... when another one takes the first item and stores it
    _store(works, timezone.now())
    narrative = Narrative.objects.get()
    assert narrative.item_count == 2
    assert NarrativeHour.objects.get(narrative=narrative).count == 2
    assert Variant.objects.get(narrative=narrative).item_count == 2
    assert Item.objects.filter(processed_at__isnull=True).count() == 0
    assert Item.objects.get(pk=items[2].pk).relevant is False


def test_a_worker_analyses_a_text_once_for_all_its_copies(file_source, claims, monkeypatch):
    from humas.monitoring import pipeline
    from humas.textkit.normalize import Analyzer

    pipeline._text_cache.clear()
    analysed: list[str] = []
    analyze = Analyzer.analyze

    def counting(self, text):
        analysed.append(text)
        return analyze(self, text)

    monkeypatch.setattr(Analyzer, "analyze", counting)
    text = "Sirekap KPU salah hitung, suara paslon 2 di Jepara digelembungkan 300 persen! Sebarkan"
    process(ingest(file_source, [text, text], prefix="a"))
    process(ingest(file_source, [text], prefix="b"))
    assert analysed.count(text) == 1
    assert Narrative.objects.get().item_count == 3
    # Another analyzer starts afresh: its analyses may differ.
    other = Analyzer()
    assert pipeline._text_cache.get(other, pipeline._tagger(), text).key == Item.objects.first().exact_key
    assert analysed.count(text) == 2


def test_a_post_that_denies_a_hoax_is_no_automatic_match_of_it(
    client, operator, file_source, claims, offices
):
    """News reporting the truth shares the hoax's words; it waits as a suggestion, marked as
    denying the claim, while a post asserting the claim is matched."""
    claim = turnbackhoax_claim(
        offices["00"],
        "t-erick",
        "[SALAH] Erick Thohir Resmi Jadi Cawapres Prabowo",
        "Tidak benar. Hingga kini belum ada pengumuman resmi cawapres Prabowo.",
    )
    claim_index_invalidate()
    asserting, denying = ingest(
        file_source,
        [
            "Erick Thohir resmi jadi cawapres Prabowo di pilpres 2024! Sebarkan!!",
            "Politisi Gerindra ungkap alasan Erick Thohir tak jadi cawapres Prabowo di pilpres 2024 - berita",
        ],
    )
    process([asserting, denying])
    asserting.refresh_from_db()
    denying.refresh_from_db()
    assert (asserting.match_decision, asserting.match_claim_id, asserting.stance) == (
        MatchDecision.MATCH,
        claim.pk,
        "",
    )
    assert (denying.match_decision, denying.match_claim_id, denying.stance) == (
        MatchDecision.SUGGESTION,
        None,
        "denies",
    )
    # Its narrative's page says so: it supports the clarification.
    assert denying.narrative is not None
    client.force_login(operator)
    page = client.get(
        reverse(
            "monitoring:narrative",
            kwargs={"office_slug": denying.narrative.office.slug, "narrative_id": denying.narrative_id},
        )
    ).content.decode()
    assert "Membantah klaim" in page
    assert "mendukung klarifikasi" in page
    assert "1 membantah klaim" in page


def test_a_narrative_made_only_of_denials_is_good_news_not_an_alert(file_source, claims, offices, operator):
    """News outlets reporting the clarification: no alert, no risk, and the counts follow merges
    and splits."""
    turnbackhoax_claim(
        offices["00"],
        "t-erick",
        "[SALAH] Erick Thohir Resmi Jadi Cawapres Prabowo",
        "Tidak benar. Hingga kini belum ada pengumuman resmi cawapres Prabowo.",
    )
    claim_index_invalidate()
    denials = ingest(
        file_source,
        ["Politisi Gerindra ungkap alasan Erick Thohir tak jadi cawapres Prabowo di pilpres 2024"] * 4
        + [
            "Hoaks, Erick Thohir tidak jadi cawapres Prabowo, faktanya belum ada pengumuman resmi pilpres 2024"
        ]
        * 2,
        start=timezone.now() - timedelta(minutes=20),
    )
    process(denials)
    assert {i.stance for i in Item.objects.filter(pk__in=[i.pk for i in denials])} == {"denies"}
    narrative = Narrative.objects.get()
    assert (narrative.item_count, narrative.denial_count) == (6, 6)
    assert narrative.risk == 0.0
    assert narrative.risk_parts["denies"] is True
    assert not NarrativeAlert.objects.exists()
    # A split moves its denials with the items; a merge adds them up again.
    variants = list(Variant.objects.filter(narrative=narrative).order_by("-item_count"))
    assert [v.item_count for v in variants] == [4, 2]
    other = narrative_split(actor=operator, narrative=narrative, variants=[variants[1]])
    narrative.refresh_from_db()
    assert (narrative.denial_count, other.denial_count) == (4, 2)
    narratives_merge(actor=operator, target=narrative, others=[other])
    narrative.refresh_from_db()
    other.refresh_from_db()
    assert (narrative.item_count, narrative.denial_count, other.denial_count) == (6, 6, 0)


def test_the_backlog_sweep_takes_only_items_whose_task_was_lost(file_source, claims, monkeypatch):
    """Items still waiting for their queued task are left to it; those unprocessed for longer than
    BACKLOG_AGE lost theirs and are queued again, oldest first."""
    from humas.monitoring import pipeline

    old, fresh = ingest(
        file_source, ["Surat suara pemilu rusak di TPS 3", "Surat suara pemilu rusak di TPS 4"]
    )
    Item.objects.filter(pk=old.pk).update(
        captured_at=timezone.now() - pipeline.BACKLOG_AGE - timedelta(minutes=1)
    )
    queued: list[list[int]] = []
    monkeypatch.setattr(pipeline, "items_enqueue", lambda ids: queued.append(list(ids)))
    assert pipeline.items_backlog_sweep() == 1
    assert queued == [[old.pk]]
    assert fresh.pk not in queued[0]
