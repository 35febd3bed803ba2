"""The monitoring desk end to end against the strict fakes (issue #15, "Proof").

KPU Kabupaten Jepara's Facebook Page is connected to the fakes; the Page's post holds comments
fed from ``../shared/data/posts`` (a slice of the Pilpres 2024 posts), hoaxes people asked about
(``../shared/data/factchecks/queries_dev.jsonl``, whose fact-checks from ``corpus.jsonl`` the
national office imported into the knowledge base) and a Jepara hoax written here, repeated enough
to spike. Everything goes through the real runner (``source_poll``), the pipeline, the triage
selectors, "Buat Klarifikasi", the portal's approval and the replies: nothing is set by hand.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from humas.channels.fakes import RunningFakes
from humas.channels.fakes.feed import read_rows
from humas.channels.models import Channel
from humas.factcheck.matching import claim_index_reset
from humas.factcheck.models import Claim
from humas.factcheck.services import claims_import
from humas.monitoring import polling as polling_module
from humas.monitoring.clarify import narrative_clarification_draft
from humas.monitoring.models import (
    Item,
    MatchDecision,
    Narrative,
    NarrativeAlert,
    NarrativeHour,
    Reply,
    Source,
    Variant,
)
from humas.monitoring.polling import source_poll
from humas.monitoring.replies import replies_confirm
from humas.monitoring.selectors_triage import QueueFilters, narrative_queue
from humas.notifications.models import Notification
from humas.portal.models import Article, ArticleType
from humas.portal.services import ArticleInput, article_approve, article_submit, article_update
from tests.channels.conftest import connected_channel

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
POSTS = SHARED / "posts" / "pilpres2024_tweets.csv"
QUERIES = SHARED / "factchecks" / "queries_dev.jsonl"
CORPUS = SHARED / "factchecks" / "corpus.jsonl"

TWEETS = 300  # rows of the posts file fed as comments
BACKGROUND = 300  # fact-checks of the corpus imported besides those the hoaxes below are about
# Hoaxes people sent to fact-checkers (query id in queries_dev.jsonl), each commented COPIES times.
KNOWN = ("q-tbh24-03656", "q-tbh24-03721", "q-tbh24-03683", "q-tbh24-03544")
COPIES = 3
# A new hoax about Jepara, in three wordings, commented SPIKE times within the last hour.
JEPARA_HOAX = (
    "Serangan fajar di Kecamatan Tahunan Jepara: caleg bagi amplop Rp200 ribu per pemilih malam ini, sebarkan!",
    "SERANGAN FAJAR di Kecamatan Tahunan Jepara, caleg bagi amplop Rp200 ribu per pemilih malam ini!!",
    "Serangan fajar di Tahunan Jepara, caleg bagi-bagi amplop Rp200 ribu ke pemilih malam ini",
)
SPIKE = 24
EXPLANATION = (
    "<p>Bawaslu dan KPU Kabupaten Jepara tidak menemukan pembagian amplop di Kecamatan Tahunan. "
    "Video yang beredar direkam di daerah lain pada 2019.</p>"
)


def shared_data() -> None:
    for path in (POSTS, QUERIES, CORPUS):
        if not path.is_file():
            pytest.skip(f"shared data not found at {path.resolve()}")


def jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Desk:
    """What the scenario set up: the fakes, Jepara's Page and its comments source, the people."""

    fakes: RunningFakes
    offices: dict[str, Any]
    channel: Channel
    source: Source
    post_id: str
    people: dict[str, Any]
    claims: dict[str, Claim]  # query id -> the fact-check it is about
    fed: dict[str, list[str]] = field(default_factory=dict)  # what was fed -> comment ids

    @property
    def jepara(self):
        return self.offices["33.20"]

    def feed(self, kind: str, rows: list[dict[str, Any]]) -> list[str]:
        ids = self.fakes.hub.feed_rows(rows, platform="facebook", post_id=self.post_id)["ids"]
        self.fed.setdefault(kind, []).extend(ids)
        return ids

    def feed_jepara_hoax(self, count: int, *, start: int = 0) -> list[str]:
        # No time given: the fake dates each comment now, as a comment made a moment ago.
        return self.feed(
            "jepara",
            [
                {"text": JEPARA_HOAX[n % len(JEPARA_HOAX)], "author": f"warga_jepara{n}"}
                for n in range(start, start + count)
            ],
        )

    def all_fed(self) -> list[str]:
        return [comment for ids in self.fed.values() for comment in ids]


def people(member) -> dict[str, Any]:
    return {
        "operator": member(
            "33.20", "operator", full_name="Operator Jepara", email="operator.jepara@kpu.test"
        ),
        "editor": member("33.20", "editor", full_name="Editor Jepara", email="editor.jepara@kpu.test"),
        "admin": member("33.20", "admin", full_name="Admin Jepara", email="admin.jepara@kpu.test"),
        "analyst": member("33.20", "analyst", full_name="Analis Jepara", email="analis.jepara@kpu.test"),
        "jateng": member("33", "editor", full_name="Editor Jawa Tengah", email="editor.jateng@kpu.test"),
        "national": member("00", "editor", full_name="Editor KPU RI", email="editor.ri@kpu.test"),
        "jatim": member("35", "operator", full_name="Operator Jawa Timur", email="operator.jatim@kpu.test"),
    }


def knowledge_base(*, actor, office) -> dict[str, Claim]:
    """The national office imports the fact-checks: the corpus's first BACKGROUND and those the
    KNOWN hoaxes are about, through the import service (as the import page does)."""
    corpus = jsonl(CORPUS)
    queries = {q["query_id"]: q for q in jsonl(QUERIES)}
    wanted = {qid: queries[qid]["relevant_doc_ids"][0] for qid in KNOWN}
    rows = corpus[:BACKGROUND]
    held = {row["doc_id"] for row in rows}
    rows += [row for row in corpus if row["doc_id"] in set(wanted.values()) - held]
    result = claims_import(
        actor=actor, office=office, records=rows, source_name="TurnBackHoax", filename="corpus.jsonl"
    )
    assert result.created == len(rows)
    by_doc = {c.external_id: c for c in Claim.objects.filter(external_id__in=wanted.values())}
    return {qid: by_doc[doc_id] for qid, doc_id in wanted.items()}


def known_hoax_rows() -> list[dict[str, Any]]:
    queries = {q["query_id"]: q for q in jsonl(QUERIES)}
    return [
        {
            "text": queries[qid]["text"],
            "author": f"warga_{qid[-5:]}_{n}",
            "created_at": f"{queries[qid]['date']}T0{n + 1}:15:00+07:00",
        }
        for qid in KNOWN
        for n in range(COPIES)
    ]


def desk_build(*, settings, fakes: RunningFakes, offices, member, shared: bool = True) -> Desk:
    """Everything but the first poll: the knowledge base, Jepara's Page and source, the comments
    (TWEETS rows of the posts file, the known hoaxes, then the Jepara hoax). ``shared=False``:
    only the Jepara hoax, and no knowledge base (for a test that must not need ../shared)."""
    if shared:
        shared_data()
    settings.HUMAS_LISTEN_MAX_PAGES = 50
    staff = people(member)
    claims = knowledge_base(actor=staff["national"], office=offices["00"]) if shared else {}
    account = fakes.hub.accounts[0]
    jepara = offices["33.20"]
    channel = connected_channel(office=jepara, platform="facebook", account=account, name="KPU Jepara")
    source = Source.objects.create(
        office=jepara,
        kind=Source.Kind.CHANNEL_COMMENTS,
        name="Komentar Facebook KPU Jepara",
        config={"channel_id": channel.pk},
    )
    post_id = fakes.hub.graph.add_post(
        account["facebook"]["page_id"], "Jadwal pemungutan suara 14 Februari 2024 di Kabupaten Jepara."
    )
    desk = Desk(
        fakes=fakes,
        offices=offices,
        channel=channel,
        source=source,
        post_id=post_id,
        people=staff,
        claims=claims,
    )
    if shared:
        desk.feed("tweets", read_rows(POSTS)[:TWEETS])
        desk.feed("known", known_hoax_rows())
    desk.feed_jepara_hoax(SPIKE)
    return desk


def poll(desk: Desk, capture) -> polling_module.PollOutcome:
    """One run of the runner; what it commits goes through the pipeline (Huey runs immediately)."""
    with capture(execute=True):
        return source_poll(source_id=desk.source.pk)


def jepara_narrative(desk: Desk) -> Narrative:
    ids = set(Item.objects.filter(external_id__in=desk.fed["jepara"]).values_list("narrative_id", flat=True))
    assert len(ids) == 1, ids
    return Narrative.objects.get(pk=ids.pop())


@pytest.fixture(autouse=True)
def fresh_index():
    claim_index_reset()
    yield
    claim_index_reset()


@pytest.fixture
def desk(settings, fakes, offices, member) -> Desk:
    return desk_build(settings=settings, fakes=fakes, offices=offices, member=member)


@pytest.fixture
def polled(desk, django_capture_on_commit_callbacks) -> Desk:
    outcome = poll(desk, django_capture_on_commit_callbacks)
    fed = len(desk.all_fed())
    assert fed == TWEETS + len(KNOWN) * COPIES + SPIKE
    assert (outcome.status, outcome.batches, outcome.created, outcome.error) == (
        "done",
        -(-fed // 100),
        fed,
        "",
    )
    return desk


# --------------------------------------------------------------------------------------------


def test_every_comment_becomes_one_item_and_known_hoaxes_find_their_fact_checks(
    polled, django_capture_on_commit_callbacks
):
    desk = polled
    fed = desk.all_fed()
    again = poll(desk, django_capture_on_commit_callbacks)

    stored = Counter(Item.objects.filter(source=desk.source).values_list("external_id", flat=True))
    desk.source.refresh_from_db()
    assert (again.status, again.created) == ("done", 0)
    assert len(fed) == len(set(fed)) == 336
    assert stored == Counter(fed)  # each comment exactly once
    assert desk.source.item_count == 336
    assert (desk.source.health, desk.source.last_error) == (Source.Health.HEALTHY, "")
    assert Item.objects.filter(source=desk.source, processed_at__isnull=True).count() == 0
    assert set(Item.objects.values_list("platform", "office_id")) == {("facebook", desk.jepara.pk)}

    queries = {q["query_id"]: q for q in jsonl(QUERIES)}
    for qid, claim in desk.claims.items():
        items = Item.objects.filter(source=desk.source, text=queries[qid]["text"])
        assert items.count() == COPIES, qid
        assert set(items.values_list("match_decision", "match_claim_id", "relevant")) == {
            (MatchDecision.MATCH, claim.pk, True)
        }, qid
        narrative = Narrative.objects.get(pk=items.first().narrative_id)
        assert (narrative.claim_id, narrative.item_count, narrative.office) == (claim.pk, COPIES, desk.jepara)
        assert (claim.kind, claim.source_name) == (Claim.Kind.EXTERNAL, "TurnBackHoax")
    # The Jepara hoax is new: no fact-check holds it.
    assert set(
        Item.objects.filter(external_id__in=desk.fed["jepara"]).values_list("match_claim_id", flat=True)
    ) == {None}
    # Counted once: narratives and their hours hold each relevant item once.
    relevant = Item.objects.filter(source=desk.source, relevant=True).count()
    assert sum(Narrative.objects.values_list("item_count", flat=True)) == relevant
    assert sum(NarrativeHour.objects.values_list("count", flat=True)) == relevant


def test_the_jepara_hoax_lands_in_jeparas_queue_and_rolls_up(polled):
    desk = polled
    narrative = jepara_narrative(desk)
    staff = desk.people

    def queue(person, code) -> set[int]:
        return set(
            narrative_queue(actor=person, office=desk.offices[code], filters=QueueFilters()).values_list(
                "pk", flat=True
            )
        )

    assert (narrative.office, narrative.item_count, narrative.variant_count) == (desk.jepara, SPIKE, 2)
    # The first two wordings differ only in case, punctuation and one word: one variant.
    assert sorted(Variant.objects.filter(narrative=narrative).values_list("text", "item_count")) == [
        (JEPARA_HOAX[0], 16),
        (JEPARA_HOAX[2], 8),
    ]
    assert narrative.regions == {"33.20": SPIKE}
    assert narrative.status == Narrative.Status.NEW
    assert narrative.claim is None
    assert set(Item.objects.filter(narrative=narrative).values_list("routed_office__code", "relevant")) == {
        ("33.20", True)
    }
    assert narrative.pk in queue(staff["operator"], "33.20")
    assert narrative.pk in queue(staff["jateng"], "33")
    assert narrative.pk in queue(staff["national"], "00")
    assert queue(staff["jatim"], "35") == set()
    # Jawa Tengah's queue is Jepara's rolled up: the same narratives, nothing of another province.
    assert queue(staff["jateng"], "33") == queue(staff["operator"], "33.20")
    assert queue(staff["national"], "00") == queue(staff["operator"], "33.20")
    # The narrative that spikes is the riskiest the office has.
    top = narrative_queue(actor=staff["operator"], office=desk.jepara, filters=QueueFilters()).first()
    assert top == narrative


def test_the_spike_alerts_jeparas_people_once(polled, django_capture_on_commit_callbacks):
    desk = polled
    narrative = jepara_narrative(desk)
    staff = desk.people

    alert = NarrativeAlert.objects.get()  # the only alert of the whole desk
    notes = Notification.objects.filter(kind=Notification.Kind.NARRATIVE_ALERT)
    first = sorted(notes.values_list("recipient__email", "key", "link"))

    desk.feed_jepara_hoax(20, start=SPIKE)
    more = poll(desk, django_capture_on_commit_callbacks)

    narrative.refresh_from_db()
    assert (alert.narrative, alert.kind) == (narrative, NarrativeAlert.Kind.SPIKE)
    assert alert.details == {"last_hour": SPIKE, "baseline": 0.0}
    assert alert.first_item_captured_at is not None
    link = f"/app/kab-jepara/monitoring/narasi/{narrative.pk}/"
    key = f"monitoring:alert:{alert.pk}"
    assert first == [
        ("admin.jepara@kpu.test", key, link),
        ("editor.jepara@kpu.test", key, link),
        ("operator.jepara@kpu.test", key, link),
    ]
    assert (more.status, more.created) == ("done", 20)
    assert (narrative.item_count, narrative.risk_parts["last_hour"]) == (SPIKE + 20, SPIKE + 20)
    assert list(NarrativeAlert.objects.values_list("pk", flat=True)) == [alert.pk]
    assert sorted(notes.values_list("recipient__email", "key", "link")) == first
    assert not Notification.objects.filter(
        recipient__in=[staff["analyst"], staff["jateng"], staff["national"], staff["jatim"]]
    ).exists()


def test_buat_klarifikasi_to_published_clarifies_and_replies_are_sent_once(
    polled, django_capture_on_commit_callbacks
):
    desk = polled
    narrative = jepara_narrative(desk)
    operator, editor = desk.people["operator"], desk.people["editor"]

    article = narrative_clarification_draft(actor=operator, narrative=narrative, verdict="hoaks")
    article_update(
        actor=operator,
        article=article,
        data=ArticleInput(
            title=article.title,
            type=ArticleType.KLARIFIKASI,
            body=article.body + EXPLANATION,
            claim=article.claim,
            claim_appearances=article.claim_appearances,
            verdict=article.verdict,
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        article_submit(actor=operator, article=Article.objects.get(pk=article.pk))
        article_approve(actor=editor, article=Article.objects.get(pk=article.pk))

    article.refresh_from_db()
    narrative.refresh_from_db()
    claim = Claim.objects.get(article=article)
    comments = sorted(desk.fed["jepara"])
    assert article.status == Article.Status.PUBLISHED
    assert (claim.kind, claim.office, claim.verdict) == (Claim.Kind.OWN, desk.jepara, "hoaks")
    assert claim.url.endswith(article.get_absolute_url())
    assert (narrative.status, narrative.claim) == (Narrative.Status.CLARIFIED, claim)
    assert set(Item.objects.filter(narrative=narrative).values_list("match_claim_id", "match_decision")) == {
        (claim.pk, MatchDecision.MATCH)
    }
    replies = Reply.objects.filter(narrative=narrative).select_related("item")
    assert sorted(r.item.external_id for r in replies) == comments
    assert {(r.status, r.claim_id, r.channel_id, r.office_id) for r in replies} == {
        (Reply.Status.PREPARED, claim.pk, desk.channel.pk, desk.jepara.pk)
    }
    text = f"Terima kasih atas perhatiannya. Informasi ini sudah diklarifikasi oleh KPU Kabupaten Jepara: {claim.url}"
    assert {r.text for r in replies} == {text}
    assert desk.fakes.hub.replies("facebook") == []  # nothing leaves before a person confirms
    # The known hoaxes matched external fact-checks: nothing is answered in the office's name.
    assert Reply.objects.exclude(narrative=narrative).count() == 0

    ids = [r.pk for r in replies]
    with django_capture_on_commit_callbacks(execute=True):
        sent = replies_confirm(actor=operator, office=desk.jepara, reply_ids=ids)
    with django_capture_on_commit_callbacks(execute=True):
        again = replies_confirm(actor=operator, office=desk.jepara, reply_ids=ids)

    on_platform = desk.fakes.hub.replies("facebook")
    assert (sent, again) == (SPIKE, 0)
    assert sorted(r["parent_id"] for r in on_platform) == comments
    assert {r["text"] for r in on_platform} == {text}
    assert dict(Reply.objects.filter(pk__in=ids).values_list("external_id", "status")) == {
        r["id"]: Reply.Status.SENT for r in on_platform
    }
    assert set(Reply.objects.filter(pk__in=ids).values_list("confirmed_by", flat=True)) == {operator.pk}


def test_a_badly_signed_webhook_stores_nothing(desk, django_capture_on_commit_callbacks):
    comment = desk.fakes.hub.graph.add_public_comment(desk.post_id, JEPARA_HOAX[0], "warga_webhook")
    meta = Client(enforce_csrf_checks=True)

    def post(secret: str | None):
        body, headers = desk.fakes.hub.signed_webhook(comment, secret=secret)
        return meta.post(
            "/hooks/meta/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=headers["X-Hub-Signature-256"],
        )

    forged = post("bukan-rahasia-aplikasi")
    assert forged.status_code == 403
    assert Item.objects.count() == 0
    desk.source.refresh_from_db()
    assert desk.source.item_count == 0

    with django_capture_on_commit_callbacks(execute=True):
        signed = post(None)
    assert (signed.status_code, signed.json()) == (200, {"created": 1, "duplicates": 0, "ignored": 0})
    item = Item.objects.get()
    assert (item.source, item.external_id, item.routed_office) == (desk.source, comment, desk.jepara)
    assert item.processed_at is not None


class WorkerKilled(BaseException):
    """The worker's process dies: nothing of the runner gets to handle it (not an Exception)."""


def test_a_poller_killed_mid_run_and_run_again_loses_and_repeats_nothing(
    desk, monkeypatch, django_capture_on_commit_callbacks
):
    real = polling_module.items_ingest
    stored: list[int] = []

    def dies_on_the_third_batch(**kwargs):
        if len(stored) == 2:
            raise WorkerKilled
        result = real(**kwargs)
        stored.append(result.created)
        return result

    monkeypatch.setattr(polling_module, "items_ingest", dies_on_the_third_batch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkerKilled):
        source_poll(source_id=desk.source.pk)
    monkeypatch.setattr(polling_module, "items_ingest", real)

    # The dead worker still holds the source until its lease runs out: nobody polls it meanwhile.
    held = poll(desk, django_capture_on_commit_callbacks)
    Source.objects.filter(pk=desk.source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    resumed = poll(desk, django_capture_on_commit_callbacks)

    fed = desk.all_fed()
    stored_ids = Counter(Item.objects.filter(source=desk.source).values_list("external_id", flat=True))
    desk.source.refresh_from_db()
    assert stored == [100, 100]
    assert held.status == "busy"
    assert (resumed.status, resumed.created) == ("done", len(fed) - 200)
    assert stored_ids == Counter(fed)
    assert desk.source.item_count == len(fed)
    assert Item.objects.filter(processed_at__isnull=True).count() == 0
    relevant = Item.objects.filter(relevant=True).count()
    assert sum(Narrative.objects.values_list("item_count", flat=True)) == relevant
    assert sum(NarrativeHour.objects.values_list("count", flat=True)) == relevant
    assert jepara_narrative(desk).item_count == SPIKE
    assert NarrativeAlert.objects.count() == 1
