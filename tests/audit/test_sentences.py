"""Audit events read as sentences, in Indonesian and English, for every action the code records."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from humas.audit.models import AuditEvent
from humas.audit.sentences import SENTENCES, audit_describe, audit_sentence
from humas.audit.services import audit_record
from humas.channels.services import ChannelInput, channel_create
from humas.offices.services import membership_change_role
from humas.publishing.delivery import publication_create
from humas.publishing.services import post_approve, post_create, post_return, post_submit, post_update

from .recorded_actions import recorded_actions

pytestmark = pytest.mark.django_db

RAW = re.compile(r"\{'|\[\d|<built-in|object at 0x|\bNone\b|\bTrue\b|\bFalse\b|Traceback|\b[a-z]+_[a-z_]+\b")

# The English of this module's msgids, used until humas/locale/en has them (the catalogue wins
# once it does): the English tests then check the real catalogue.
ENGLISH = {
    "%(actor)s masuk ke Humas.": "%(actor)s signed in to Humas.",
    "%(actor)s menarik unggahan %(object)s dari semua kanal: %(reason)s": (
        "%(actor)s withdrew the post %(object)s from every channel: %(reason)s"
    ),
    "%(actor)s menarik unggahan %(object)s dari semua kanal.": (
        "%(actor)s withdrew the post %(object)s from every channel."
    ),
    "Hasil penarikan unggahan %(object)s dari kanal-kanalnya:": (
        "Result of withdrawing the post %(object)s from its channels:"
    ),
    "dihapus": "deleted",
    "tidak dihapus: %(message)s": "not deleted: %(message)s",
    "%(actor)s mengubah unggahan %(object)s.": "%(actor)s changed the post %(object)s.",
    "Bagian yang diubah": "Parts changed",
    "(kosong)": "(empty)",
    "%(actor)s mengubah peran %(person)s dari %(before)s menjadi %(after)s.": (
        "%(actor)s changed the role of %(person)s from %(before)s to %(after)s."
    ),
    "%(actor)s menerbitkan unggahan %(object)s ke %(channels)s.": (
        "%(actor)s published the post %(object)s to %(channels)s."
    ),
    "Jadwal kirim": "Sending time",
    "%(actor)s membuat perubahan pada %(object)s.": "%(actor)s made a change to %(object)s.",
    "Sistem": "System",
    "%(actor)s mengembalikan unggahan %(object)s ke penulisnya: %(reason)s": (
        "%(actor)s sent the post %(object)s back to its author: %(reason)s"
    ),
    "%(actor)s mengembalikan unggahan %(object)s ke penulisnya.": (
        "%(actor)s sent the post %(object)s back to its author."
    ),
    "%(actor)s memasukkan item ke sumber pemantauan %(object)s.": (
        "%(actor)s took in items into the monitoring source %(object)s."
    ),
    "%(actor)s memasukkan item ke sumber pemantauan %(object)s lewat API.": (
        "%(actor)s took in items into the monitoring source %(object)s through the API."
    ),
    "%(actor)s menambahkan sumber pemantauan %(object)s.": "%(actor)s added the monitoring source %(object)s.",
    "Item baru": "New items",
    "Item yang sudah ada": "Items already held",
    "Berkas": "File",
    "Jenis sumber": "Kind of source",
    "Impor berkas": "File import",
}


@pytest.fixture
def english():
    """English, with this module's msgids the catalogue does not have yet."""
    with translation.override("en"):
        catalog = trans_real.translation("en")._catalog
        added = [msgid for msgid in ENGLISH if msgid not in catalog]
        for msgid in added:
            catalog[msgid] = ENGLISH[msgid]
        yield
        for msgid in added:
            for part in catalog._catalogs:
                part.pop(msgid, None)


@pytest.fixture
def people(offices, member):
    return {
        "editor": member("33", "editor", full_name="Editor Jawa Tengah", email="editor.jateng@kpu.test"),
        "admin": member("33.20", "admin", full_name="Admin Jepara", email="admin.jepara@kpu.test"),
        "operator": member(
            "33.20", "operator", full_name="Operator Jepara", email="operator.jepara@kpu.test"
        ),
    }


@pytest.fixture
def published(offices, people):
    """A post of KPU Jepara published to its TikTok account (an assisted channel: no network)."""
    tiktok = channel_create(
        actor=people["admin"],
        office=offices["33.20"],
        data=ChannelInput(platform="tiktok", name="KPU Jepara", handle="kpujepara"),
    )
    post = post_create(
        actor=people["operator"],
        office=offices["33.20"],
        text="Coklit serentak dimulai hari ini di 16 kecamatan",
        channels=[tiktok],
    )
    post_submit(actor=people["operator"], post=post)
    post = post_approve(actor=people["editor"], post=post)
    publication = publication_create(actor=people["editor"], post=post, channels=[tiktok])
    return post, publication, tiktok


def test_every_action_recorded_in_the_code_has_a_sentence():
    actions = recorded_actions()

    # The scan follows literals, forwarded parameters, signals and f-strings.
    assert {"post.create", "post.submit", "article.typo_correction", "api.post_create"} <= actions
    assert {"auth.two_factor_enrol", "publication.withdraw_report", "article.publish_scheduled"} <= actions
    assert len(actions) > 45
    missing = sorted(actions - set(SENTENCES))
    assert missing == [], f"add a sentence to humas/audit/sentences.py SENTENCES for {missing}"
    stale = sorted(set(SENTENCES) - actions)
    assert stale == [], f"no code records {stale} any more: remove them from SENTENCES"


def test_every_sentence_names_only_placeholders_it_is_given(offices):
    event = audit_record(actor=None, office=offices["33"], action="test.event")
    for action, sentence in SENTENCES.items():
        for text in filter(None, (sentence.text, sentence.with_reason)):
            placeholders = set(re.findall(r"%\((\w+)\)s", str(text)))
            assert placeholders <= {
                "actor",
                "object",
                "channel",
                "channels",
                "person",
                "email",
                "role",
                "before",
                "after",
                "reason",
                "when",
            }, action
    assert audit_sentence(event) == "Sistem membuat perubahan pada kantor ini."


def test_withdrawal_reads_as_a_sentence_with_its_reason(published, people, offices):
    post, publication, tiktok = published
    audit_record(
        actor=people["editor"],
        office=offices["33.20"],
        action="publication.withdraw",
        obj=publication,
        changes={"cancelled": 1, "post_status": "withdrawn", "reason": "Tanggal salah"},
    )
    audit_record(
        actor=people["editor"],
        office=offices["33.20"],
        action="publication.withdraw_report",
        obj=publication,
        changes={str(tiktok.pk): {"ok": False, "message": "Hapus manual di aplikasi TikTok."}},
    )
    withdraw, report = audit_describe(
        AuditEvent.objects.filter(action__startswith="publication.withdraw").order_by("id")
    )

    assert withdraw.sentence == (
        "Editor Jawa Tengah menarik unggahan “Coklit serentak dimulai hari ini di 16 kecamatan” "
        "dari semua kanal: Tanggal salah"
    )
    assert [(d.label, d.text) for d in withdraw.details] == [
        ("Pengiriman dibatalkan", "1"),
        ("Status unggahan", "Ditarik"),
    ]
    assert report.sentence.startswith("Hasil penarikan unggahan “Coklit serentak")
    assert [(d.label, d.text) for d in report.details] == [
        ("TikTok: kpujepara", "tidak dihapus: Hapus manual di aplikasi TikTok.")
    ]
    assert "publication" not in withdraw.sentence + report.sentence


def test_the_whole_life_of_a_post_reads_without_internals(published):
    described = audit_describe(AuditEvent.objects.exclude(action="offices.load").order_by("id"))
    sentences = [d.sentence for d in described]

    assert sentences == [
        "Admin Jepara menambahkan kanal “TikTok: kpujepara”.",
        "Operator Jepara membuat unggahan “Coklit serentak dimulai hari ini di 16 kecamatan”.",
        "Operator Jepara mengajukan unggahan “Coklit serentak dimulai hari ini di 16 kecamatan” untuk disetujui.",
        "Editor Jawa Tengah menyetujui unggahan “Coklit serentak dimulai hari ini di 16 kecamatan”.",
        "Editor Jawa Tengah menerbitkan unggahan “Coklit serentak dimulai hari ini di 16 kecamatan” "
        "ke TikTok: kpujepara.",
    ]
    details = {d.event.action: [(x.label, x.text) for x in d.details] for d in described}
    assert details["post.create"] == [("Kanal", "TikTok: kpujepara")]
    assert details["channel.create"] == [
        ("Platform", "TikTok"),
        ("Nama pengguna", "kpujepara"),
        ("Akun resmi", "ya"),
    ]
    assert [label for label, _text in details["publication.create"]] == ["Jadwal kirim"]
    for item in described:
        text = " ".join([item.sentence, *(f"{d.label} {d.text}" for d in item.details)])
        assert not RAW.search(text), text


def test_changes_show_before_and_after_in_words(offices, people):
    post = post_create(actor=people["operator"], office=offices["33.20"], text="Teks pertama")
    post_update(actor=people["operator"], post=post, text="Teks kedua", link="https://kpu.go.id/")
    membership = people["operator"].memberships.get()
    membership_change_role(actor=people["admin"], membership=membership, role="editor")

    update, role = audit_describe(
        AuditEvent.objects.filter(action__in=["post.update", "member.change_role"]).order_by("id")
    )

    assert update.sentence == "Operator Jepara mengubah unggahan “Teks kedua”."
    assert [(d.label, d.text) for d in update.details] == [("Bagian yang diubah", "tautan, teks")]
    assert role.sentence == "Admin Jepara mengubah peran Operator Jepara dari Operator menjadi Editor."
    assert role.details == ()


def test_an_unknown_object_is_named_by_its_model_not_its_internals(published, people, offices):
    _post, publication, _tiktok = published
    event = audit_record(
        actor=people["editor"], office=offices["33.20"], action="test.something", obj=publication
    )

    assert event.object_repr.startswith("publication ")
    # A publication is named through its post; a model the log knows nothing of, by its verbose name.
    assert audit_sentence(event) == (
        "Editor Jawa Tengah membuat perubahan pada “Coklit serentak dimulai hari ini di 16 kecamatan”."
    )
    membership = audit_record(
        actor=None, office=offices["33.20"], action="test.other", obj=people["admin"].memberships.get()
    )
    assert audit_sentence(membership) == "Sistem membuat perubahan pada Admin Jepara."
    version = audit_record(
        actor=None, office=offices["33.20"], action="test.version", obj=_post.versions.get()
    )
    assert audit_sentence(version) == "Sistem membuat perubahan pada versi unggahan."
    # A model without a verbose name of its own is no better named by Django's made-up one.
    made_up = AuditEvent.objects.create(
        action="test.made_up", object_type="portal.articleversion", object_id="1", object_repr="1 v1"
    )
    assert audit_sentence(made_up) == "Sistem membuat perubahan pada objek."


def test_english(published, people, offices, english):
    post, publication, tiktok = published
    audit_record(
        actor=people["editor"],
        office=offices["33.20"],
        action="publication.withdraw",
        obj=publication,
        changes={"cancelled": 0, "post_status": "withdrawn", "reason": "Wrong date"},
    )
    audit_record(
        actor=people["editor"],
        office=offices["33.20"],
        action="publication.withdraw_report",
        obj=publication,
        changes={str(tiktok.pk): {"ok": True, "message": ""}},
    )
    described = {d.event.action: d for d in audit_describe(AuditEvent.objects.all())}

    assert described["publication.withdraw"].sentence == (
        "Editor Jawa Tengah withdrew the post “Coklit serentak dimulai hari ini di 16 kecamatan” "
        "from every channel: Wrong date"
    )
    assert [(d.label, d.text) for d in described["publication.withdraw_report"].details] == [
        ("TikTok: kpujepara", "deleted")
    ]
    assert described["publication.create"].sentence.startswith(
        "Editor Jawa Tengah published the post “Coklit"
    )
    assert described["publication.create"].sentence.endswith(" to TikTok: kpujepara.")
    assert [d.label for d in described["publication.create"].details] == ["Sending time"]


def test_sending_a_post_back_reads_with_its_reason_in_both_languages(offices, people):
    post = post_create(actor=people["operator"], office=offices["33.20"], text="Coklit dimulai 12 Februari.")
    post.status = "in_review"
    post.save()
    post_return(actor=people["editor"], post=post, reason="Tanggalnya 12 Juni.")
    event = AuditEvent.objects.get(action="post.return")

    [described] = audit_describe([event])
    assert described.sentence == (
        "Editor Jawa Tengah mengembalikan unggahan “Coklit dimulai 12 Februari” ke penulisnya: Tanggalnya 12 Juni."
    )
    assert described.details == ()  # the status and the reason are the sentence's


def test_sending_a_post_back_in_english(offices, people, english):
    post = post_create(actor=people["operator"], office=offices["33.20"], text="Coklit dimulai 12 Februari.")
    post.status = "in_review"
    post.save()
    post_return(actor=people["editor"], post=post, reason="The date is 12 June.")

    assert audit_sentence(AuditEvent.objects.get(action="post.return")) == (
        "Editor Jawa Tengah sent the post “Coklit dimulai 12 Februari” back to its author: The date is 12 June."
    )


# What the code records with each kind of action (humas/*/services.py and friends), in short.
SAMPLE_CHANGES = {
    "channel.connect": {
        "kind": "oauth2_user",
        "personal": True,
        "expires_at": "2026-12-01T03:00:00+00:00",
        "declared": {"handle": "kpujepara", "name": "KPU Jepara"},
        "authorised": {"handle": "kpujeparaid", "name": "KPU Jepara"},
        "differs": True,
    },
    "channel.health": {"health": {"before": "healthy", "after": "reconnect"}, "reason": "refresh_refused"},
    "channel.needs_reconnect": {"reason": "authoriser_left", "email": "admin.lama@kpu.test"},
    "channel.update": {"url": {"before": "", "after": "https://x.com/kpujepara"}},
    "channel.credentials_rotate": {"count": 3},
    "api_token.create": {
        "name": "Skrip",
        "prefix": "ab12cd34",
        "scope": "read",
        "expires_at": "2027-01-01T00:00:00+00:00",
    },
    "api.post_create": {"token": None},
    "post.images": {
        "removed": [4],
        "added": [{"id": 5, "width": 1080, "height": 1080, "bytes": 70000}],
        "order": True,
    },
    "post.variants": {"platforms": ["instagram", "x"], "status": {"before": "in_review", "after": "draft"}},
    "delivery.confirm_published": {
        "state": "needs_attention",
        "error": "Waktu habis",
        "url": "https://x.com/1",
        "at": "2026-12-01T03:00:00+00:00",
    },
    "delivery.unmark_published": {"url": "https://www.tiktok.com/@kpu/video/1", "marked_by": 999999},
    "delivery.retry": {"state": "failed"},
    "post.return": {"status": {"before": "in_review", "after": "draft"}, "reason": "Tanggalnya salah."},
    "article.update": {
        "fields": ["body", "title"],
        "version": 3,
        "status": {"before": "published", "after": "in_review"},
    },
    "article.typo_correction": {"fields": ["body"], "version": 4, "changed_characters": 2},
    "article.publish_from_post": {
        "type": "berita",
        "title": "Judul",
        "approved_by": "e@kpu.test",
        "author": "a@kpu.test",
    },
    "image.upload": {
        "file": "portal/originals/x.jpg",
        "format": "JPEG",
        "width": 800,
        "height": 600,
        "bytes": 120000,
    },
    "offices.load": {"created": 553, "updated": 0, "unchanged": 0},
    "member.two_factor_reset": {"email": "op@kpu.test", "devices": 2},
    "monitoring.source_create": {"source_kind": "file_import"},
    "monitoring.items_ingest": {"items_created": 3, "items_duplicate": 1, "filename": "ekspor.csv"},
    "api.monitoring_items_ingest": {"token": "ab12cd34"},
}


# The kind of object each family of actions records.
OBJECT_TYPES = {
    "post": "publishing.post",
    "api": "publishing.post",
    "publication": "publishing.publication",
    "delivery": "publishing.delivery",
    "article": "portal.article",
    "image": "portal.articleimage",
    "channel": "channels.channel",
    "member": "offices.membership",
    "office": "offices.office",
    "api_token": "accounts.apitoken",
    "monitoring": "monitoring.source",
}


def test_every_sentence_renders_without_internals(offices, people):
    for action in SENTENCES:
        object_type = OBJECT_TYPES.get(action.split(".")[0], "")
        AuditEvent.objects.create(
            actor=people["editor"],
            actor_email=people["editor"].email,
            office=offices["33"],
            office_path=offices["33"].path,
            action=action,
            object_type=object_type,
            object_id="999999" if object_type else "",
            object_repr="Contoh" if object_type else "",
            changes=SAMPLE_CHANGES.get(action, {}),
        )
    for item in audit_describe(AuditEvent.objects.filter(action__in=list(SENTENCES))):
        text = " ".join([item.sentence, *(f"{d.label} {d.text}" for d in item.details)])
        assert "%(" not in text and not RAW.search(text), (item.event.action, text)
        assert item.event.action not in text


@pytest.mark.parametrize(
    ("language", "sentences", "details"),
    [
        (
            "id",
            [
                "Operator Jepara menambahkan sumber pemantauan “Impor berkas”.",
                "Operator Jepara memasukkan item ke sumber pemantauan “Impor berkas”.",
            ],
            [("Jenis sumber", "Impor berkas")],
        ),
        (
            "en",
            [
                "Operator Jepara added the monitoring source “Impor berkas”.",
                "Operator Jepara took in items into the monitoring source “Impor berkas”.",
            ],
            [("Kind of source", "File import")],
        ),
    ],
)
def test_monitoring_imports_read_as_sentences_in_both_languages(
    offices, people, english, language, sentences, details
):
    from humas.monitoring.models import Source
    from humas.monitoring.services import items_ingest, source_get_or_create_pushed

    source = source_get_or_create_pushed(
        actor=people["operator"], office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Impor berkas"
    )
    record = {
        "platform": "x",
        "external_id": "1",
        "text": "TPS tutup?",
        "published_at": "2024-02-14T08:30:00Z",
    }
    items_ingest(actor=people["operator"], source=source, records=[record], filename="ekspor.csv")

    with translation.override(language):
        created, ingested = audit_describe(
            AuditEvent.objects.filter(action__startswith="monitoring.").order_by("id")
        )

    assert [created.sentence, ingested.sentence] == sentences
    assert [(d.label, d.text) for d in created.details] == details
    if language == "en":
        assert [(d.label, d.text) for d in ingested.details] == [
            ("File", "ekspor.csv"),
            ("New items", "1"),
            ("Items already held", "0"),
        ]
