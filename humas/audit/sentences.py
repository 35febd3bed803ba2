"""What an audit event says, as a sentence people read, in the active language.

One place turns an event (action, actor, office, object, changes) into "Editor Jawa Tengah menarik
unggahan “Coklit dimulai…” dari semua kanal: salah tanggal" and a few details ("Status: Draf →
Menunggu persetujuan"), for the audit log page and the dashboard. Every action the code records
has a sentence here (``SENTENCES``; tests/audit/test_sentences.py scans humas/ for them); an
action without one still gets a neutral sentence, never its internal name.

The audit app sits below the apps whose objects it records, so it never imports their models: it
reads them through the app registry by the label stored with each event (``object_type``, e.g.
``publishing.post``), in one query per kind of object for a whole page of events. Objects whose
own text is not for people ("publication 1 of post 1") are named through the post or person
they belong to, or else by their model's verbose name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError, ObjectDoesNotExist
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

OBJECT_CHARS = 80  # a post's or article's text, cut to this length in a sentence
VALUE_CHARS = 160  # a detail's value


@dataclass(frozen=True)
class Sentence:
    """``text`` says the event with the placeholders below; ``with_reason`` says it when the event
    carries a reason a person wrote. ``uses``: the change keys the sentence itself says (left out
    of the details). ``field``: the change whose before/after fill %(before)s and %(after)s.

    Placeholders: actor, object, channel, channels, person, email, role, before, after, reason,
    when (publish_at or due)."""

    text: Promise
    uses: tuple[str, ...] = ()
    with_reason: Promise | None = None
    field: str = ""


S = Sentence

SENTENCES: dict[str, Sentence] = {
    # Signing in and second factors (the person's own; these belong to no office).
    "auth.login": S(_("%(actor)s masuk ke Humas.")),
    "auth.reauth": S(_("%(actor)s mengonfirmasi ulang identitasnya.")),
    "auth.two_factor": S(_("%(actor)s memasukkan kode verifikasi dua langkah.")),
    "auth.recovery_code_used": S(_("%(actor)s masuk dengan kode pemulihan.")),
    "auth.two_factor_enrol": S(_("%(actor)s mengaktifkan verifikasi dua langkah.")),
    "auth.recovery_codes_renew": S(_("%(actor)s membuat kode pemulihan baru.")),
    "auth.two_factor_disable": S(_("%(actor)s mematikan verifikasi dua langkah.")),
    "auth.passkey_add": S(_("%(actor)s menambahkan passkey.")),
    "auth.passkey_used": S(_("%(actor)s masuk dengan passkey.")),
    "auth.passkey_remove": S(_("%(actor)s menghapus passkey.")),
    # API tokens and changes made through the API.
    "api_token.create": S(_("%(actor)s membuat token API %(object)s."), uses=("name",)),
    "api_token.revoke": S(_("%(actor)s mencabut token API %(object)s."), uses=("name",)),
    "api.post_create": S(_("%(actor)s membuat unggahan %(object)s lewat API.")),
    "api.post_submit": S(_("%(actor)s mengajukan unggahan %(object)s untuk disetujui lewat API.")),
    "api.post_approve": S(_("%(actor)s menyetujui unggahan %(object)s lewat API.")),
    "api.post_schedule": S(_("%(actor)s memindahkan jadwal unggahan %(object)s lewat API.")),
    "api.post_publish": S(_("%(actor)s menerbitkan unggahan %(object)s lewat API.")),
    "api.cascade_adopt": S(_("%(actor)s mengadopsi %(object)s dari kantor atasan lewat API.")),
    "api.cascade_decline": S(_("%(actor)s menolak %(object)s dari kantor atasan lewat API.")),
    "api.amplification_create": S(
        _("%(actor)s meminta kantor di bawahnya mengamplifikasi %(object)s lewat API.")
    ),
    "api.amplification_record": S(_("%(actor)s mencatat hasil tugas amplifikasi %(object)s lewat API.")),
    "api.amplification_decline": S(_("%(actor)s menolak tugas amplifikasi %(object)s lewat API.")),
    "api.monitoring_items_ingest": S(
        _("%(actor)s memasukkan item ke sumber pemantauan %(object)s lewat API.")
    ),
    # Offices and people.
    "offices.load": S(_("%(actor)s memuat daftar kantor.")),
    "office.update": S(_("%(actor)s mengubah profil %(object)s.")),
    "member.invite": S(_("%(actor)s mengundang %(email)s sebagai %(role)s."), uses=("email", "role")),
    "member.change_role": S(
        _("%(actor)s mengubah peran %(person)s dari %(before)s menjadi %(after)s."),
        uses=("role",),
        field="role",
    ),
    "member.remove": S(_("%(actor)s mengeluarkan %(email)s (%(role)s) dari kantor."), uses=("email", "role")),
    "member.two_factor_reset": S(
        _("%(actor)s mengatur ulang verifikasi dua langkah %(email)s."), uses=("email",)
    ),
    "demo.seed": S(_("%(actor)s menyiapkan orang-orang demo.")),
    # Channels.
    "channel.create": S(_("%(actor)s menambahkan kanal %(object)s.")),
    "channel.update": S(_("%(actor)s mengubah kanal %(object)s.")),
    "channel.deactivate": S(_("%(actor)s menghapus kanal %(object)s.")),
    "channel.connect": S(_("%(actor)s menghubungkan kanal %(object)s.")),
    "tipline.bot_configure": S(_("%(actor)s mengatur bot Telegram Cek Klaim %(object)s.")),
    "tipline.bot_disable": S(_("%(actor)s mematikan bot Telegram Cek Klaim %(object)s.")),
    "channel.lookalike_confirm": S(_("%(actor)s menandai %(object)s sebagai akun palsu.")),
    "channel.lookalike_dismiss": S(_("%(actor)s menyatakan %(object)s bukan akun palsu.")),
    "channel.identity_confirm": S(
        _("%(actor)s menjadikan akun yang dihubungkan sebagai akun resmi kanal %(object)s.")
    ),
    "channel.credentials_rotate": S(_("%(actor)s mengenkripsi ulang kredensial kanal dengan kunci baru.")),
    "channel.needs_reconnect": S(_("Kanal %(object)s perlu dihubungkan ulang.")),
    # A person records the followers of an assisted channel (humas/analytics/followers.py).
    "followers.record": S(_("%(actor)s mencatat jumlah pengikut kanal %(object)s.")),
    "channel.health": S(
        _("Kesehatan kanal %(object)s berubah dari %(before)s menjadi %(after)s."),
        uses=("health",),
        field="health",
    ),
    # Posts (Konten) and where they go out.
    "post.create": S(_("%(actor)s membuat unggahan %(object)s.")),
    "post.update": S(_("%(actor)s mengubah unggahan %(object)s.")),
    "post.images": S(_("%(actor)s mengubah gambar unggahan %(object)s.")),
    "post.variants": S(_("%(actor)s mengubah teks per platform unggahan %(object)s.")),
    "post.submit": S(_("%(actor)s mengajukan unggahan %(object)s untuk disetujui."), uses=("status",)),
    "post.approve": S(_("%(actor)s menyetujui unggahan %(object)s."), uses=("status",)),
    "post.return": S(
        _("%(actor)s mengembalikan unggahan %(object)s ke penulisnya."),
        uses=("status",),
        with_reason=_("%(actor)s mengembalikan unggahan %(object)s ke penulisnya: %(reason)s"),
    ),
    "publication.create": S(
        _("%(actor)s menerbitkan unggahan %(object)s ke %(channels)s."), uses=("channels",)
    ),
    "publication.withdraw": S(
        _("%(actor)s menarik unggahan %(object)s dari semua kanal."),
        with_reason=_("%(actor)s menarik unggahan %(object)s dari semua kanal: %(reason)s"),
    ),
    "publication.withdraw_report": S(_("Hasil penarikan unggahan %(object)s dari kanal-kanalnya:")),
    "delivery.retry": S(_("%(actor)s mengulang pengiriman unggahan %(object)s ke %(channel)s.")),
    "delivery.mark_published": S(
        _("%(actor)s menandai unggahan %(object)s sudah terbit di %(channel)s."), uses=("channel",)
    ),
    "delivery.confirm_published": S(
        _("%(actor)s memastikan unggahan %(object)s sudah terbit di %(channel)s."), uses=("channel",)
    ),
    "delivery.unmark_published": S(
        _("%(actor)s membatalkan tanda terbit unggahan %(object)s di %(channel)s.")
    ),
    "delivery.mark_deleted": S(_("%(actor)s menandai unggahan %(object)s sudah dihapus dari %(channel)s.")),
    "post.reschedule": S(_("%(actor)s memindahkan jadwal unggahan %(object)s.")),
    "post.plan_import": S(_("%(actor)s membuat draf unggahan dari rencana konten.")),
    "post.adopt_approved": S(
        _("%(actor)s membuat unggahan %(object)s dari konten kantor atasan, dengan persetujuan dari sana."),
        uses=("status",),
    ),
    # Cascades down the hierarchy (humas/coordination).
    "cascade.create": S(_("%(actor)s meneruskan %(object)s ke kantor di bawahnya.")),
    "cascade.adopt": S(
        _("%(actor)s mengadopsi %(object)s dari kantor atasan dan menerbitkannya ke %(channels)s."),
        uses=("channels",),
    ),
    "cascade.adopt_auto": S(
        _("Terbit otomatis atas nama %(actor)s: %(object)s dari kantor atasan diterbitkan ke %(channels)s."),
        uses=("channels",),
    ),
    "cascade.adapt": S(_("%(actor)s mengadaptasi %(object)s dari kantor atasan menjadi draf unggahan.")),
    "cascade.decline": S(
        _("%(actor)s menolak %(object)s dari kantor atasan."),
        with_reason=_("%(actor)s menolak %(object)s dari kantor atasan: %(reason)s"),
    ),
    "cascade.auto_publish_set": S(_("%(actor)s mengatur terbit otomatis konten dari kantor atasan.")),
    "cascade.auto_publish_off": S(_("%(actor)s mematikan terbit otomatis konten dari kantor atasan.")),
    # Posting activity (humas/coordination/compliance.py): how an office judges those below it.
    "compliance.setting_set": S(_("%(actor)s mengatur periode dan ambang Keaktifan unggahan.")),
    "checklist.set": S(_("%(actor)s mengatur daftar periksa persetujuan unggahan.")),
    "guideline.set": S(_("%(actor)s mengatur tambahan pedoman kehumasan kantor.")),
    # The media library (humas/library): images, cards and the cards' colours.
    "asset.create": S(_("%(actor)s menambahkan gambar %(object)s ke pustaka media.")),
    "asset.update": S(_("%(actor)s mengubah keterangan gambar pustaka %(object)s.")),
    "asset.archive": S(_("%(actor)s mengarsipkan gambar pustaka %(object)s.")),
    "asset.restore": S(_("%(actor)s mengembalikan gambar pustaka %(object)s.")),
    "card_brand.set": S(_("%(actor)s mengatur warna kartu bergambar kantor.")),
    "card_brand.clear": S(_("%(actor)s mengembalikan warna kartu bergambar ke warna kantor di atasnya.")),
    # PDF reports (humas/analytics/reports.py); the monthly ones are made by Humas, not recorded.
    "report.request": S(_("%(actor)s meminta %(object)s.")),
    # Amplification tasks (humas/coordination): asked of the offices below, answered by each.
    "amplification.create": S(_("%(actor)s meminta kantor di bawahnya mengamplifikasi %(object)s.")),
    "amplification.record": S(_("%(actor)s mencatat hasil tugas amplifikasi %(object)s.")),
    "amplification.decline": S(
        _("%(actor)s menolak tugas amplifikasi %(object)s."),
        with_reason=_("%(actor)s menolak tugas amplifikasi %(object)s: %(reason)s"),
    ),
    "amplification.share": S(
        _("%(actor)s membagikan %(object)s lewat Humas ke %(channel)s."), uses=("channel",)
    ),
    "amplification.shared": S(
        _("Tugas amplifikasi %(object)s selesai: bagikan ulang lewat Humas terbit di %(channel)s."),
        uses=("channel",),
    ),
    "amplification.share_failed": S(
        _("Bagikan ulang %(object)s lewat Humas tidak terbit di %(channel)s; tugasnya menunggu lagi."),
        uses=("channel",),
    ),
    # Saved replies of the inbox (humas/inbox).
    "inbox.saved_reply_create": S(_("%(actor)s menulis balasan tersimpan %(object)s.")),
    "inbox.saved_reply_update": S(_("%(actor)s mengubah balasan tersimpan %(object)s.")),
    "inbox.saved_reply_archive": S(_("%(actor)s mengarsipkan balasan tersimpan %(object)s.")),
    "inbox.saved_reply_restore": S(_("%(actor)s memakai lagi balasan tersimpan %(object)s.")),
    # Blackout periods (humas/blackouts).
    "blackout.create": S(_("%(actor)s menetapkan masa jeda publikasi %(object)s.")),
    "blackout.update": S(_("%(actor)s mengubah masa jeda publikasi %(object)s.")),
    "blackout.cancel": S(_("%(actor)s membatalkan masa jeda publikasi %(object)s.")),
    # Portal articles and images.
    "image.upload": S(_("%(actor)s mengunggah gambar %(object)s.")),
    "article.create": S(_("%(actor)s membuat artikel %(object)s."), uses=("title",)),
    "article.update": S(_("%(actor)s mengubah artikel %(object)s.")),
    "article.typo_correction": S(_("%(actor)s membetulkan salah ketik di artikel %(object)s.")),
    "article.submit": S(_("%(actor)s mengajukan artikel %(object)s untuk ditinjau."), uses=("status",)),
    "article.schedule": S(
        _("%(actor)s menjadwalkan artikel %(object)s terbit pada %(when)s."), uses=("status", "publish_at")
    ),
    "article.publish": S(_("%(actor)s menerbitkan artikel %(object)s."), uses=("status", "publish_at")),
    "article.publish_scheduled": S(
        _("Artikel %(object)s terbit sesuai jadwal."), uses=("status", "publish_at")
    ),
    "article.reject": S(
        _("%(actor)s menolak artikel %(object)s."),
        uses=("status",),
        with_reason=_("%(actor)s menolak artikel %(object)s: %(reason)s"),
    ),
    "article.unpublish": S(
        _("%(actor)s menarik artikel %(object)s dari portal."),
        uses=("status",),
        with_reason=_("%(actor)s menarik artikel %(object)s dari portal: %(reason)s"),
    ),
    "article.reschedule": S(_("%(actor)s memindahkan jadwal terbit artikel %(object)s.")),
    "article.publish_from_post": S(
        _("%(actor)s menerbitkan unggahan sebagai artikel %(object)s di portal."), uses=("title",)
    ),
    # Monitoring.
    "monitoring.source_create": S(_("%(actor)s menambahkan sumber pemantauan %(object)s.")),
    "monitoring.items_ingest": S(_("%(actor)s memasukkan item ke sumber pemantauan %(object)s.")),
    "monitoring.source_update": S(_("%(actor)s mengubah sumber pemantauan %(object)s.")),
    "monitoring.source_activate": S(_("%(actor)s mengaktifkan sumber pemantauan %(object)s.")),
    "monitoring.source_deactivate": S(_("%(actor)s menonaktifkan sumber pemantauan %(object)s.")),
    "monitoring.source_run": S(_("%(actor)s menjalankan sumber pemantauan %(object)s sekarang.")),
    # Triage of narratives (humas/monitoring/triage.py, evidence.py).
    "monitoring.narrative_assign": S(
        _("%(actor)s menugaskan narasi %(object)s kepada %(after)s."), uses=("assignee",), field="assignee"
    ),
    "monitoring.narrative_unassign": S(
        _("%(actor)s melepas %(before)s dari narasi %(object)s."), uses=("assignee",), field="assignee"
    ),
    "monitoring.narrative_status": S(
        _("%(actor)s mengubah status narasi %(object)s dari %(before)s menjadi %(after)s."),
        uses=("status",),
        field="status",
    ),
    "monitoring.narrative_route": S(
        _("%(actor)s meneruskan narasi %(object)s dari %(before)s ke %(after)s."),
        uses=("office",),
        with_reason=_("%(actor)s meneruskan narasi %(object)s dari %(before)s ke %(after)s: %(reason)s"),
        field="office",
    ),
    "monitoring.narrative_merge": S(_("%(actor)s menggabungkan narasi lain ke narasi %(object)s.")),
    "monitoring.narrative_merged": S(_("%(actor)s menggabungkan narasi %(object)s ke narasi lain.")),
    "monitoring.narrative_split": S(_("%(actor)s memisahkan variasi narasi %(object)s menjadi narasi baru.")),
    "monitoring.narrative_split_from": S(
        _("%(actor)s membuat narasi %(object)s dari variasi yang dipisahkan dari narasi lain.")
    ),
    "monitoring.narrative_clarification_draft": S(
        _("%(actor)s membuat draf klarifikasi dari narasi %(object)s.")
    ),
    "monitoring.narrative_clarified": S(
        _("Narasi %(object)s ditandai sudah diklarifikasi: klarifikasinya terbit.")
    ),
    "monitoring.relevance_rule_add": S(_("%(actor)s menetapkan aturan istilah pemilu kantor.")),
    "monitoring.relevance_rule_remove": S(_("%(actor)s menghapus aturan istilah pemilu kantor.")),
    "monitoring.evidence_export": S(_("%(actor)s membuat ekspor bukti narasi %(object)s.")),
    "monitoring.lookalike_evidence_export": S(_("%(actor)s membuat ekspor bukti akun palsu %(object)s.")),
    "monitoring.reply_confirm": S(
        _("%(actor)s mengonfirmasi pengiriman %(object)s lewat %(channel)s."), uses=("channel",)
    ),
    "monitoring.reply_discard": S(
        _("%(actor)s membatalkan %(object)s untuk %(channel)s."), uses=("channel",)
    ),
    "monitoring.reply_sent": S(_("%(actor)s mengirim %(object)s lewat %(channel)s."), uses=("channel",)),
    "monitoring.reply_failed": S(
        _("%(actor)s gagal mengirim %(object)s lewat %(channel)s."), uses=("channel",)
    ),
    "monitoring.alert_chat_save": S(
        _("%(actor)s menetapkan obrolan Telegram %(object)s untuk peringatan narasi.")
    ),
    "monitoring.alert_chat_remove": S(
        _("%(actor)s menghentikan peringatan narasi ke obrolan Telegram %(object)s.")
    ),
    "monitoring.alert_chat_test": S(_("%(actor)s mengirim pesan uji ke obrolan Telegram %(object)s.")),
    # Clarification knowledge base.
    "factcheck.claims_import": S(_("%(actor)s mengimpor cek fakta eksternal ke basis klarifikasi.")),
}

# Said of an action that has no sentence yet (an event recorded by an older or newer version).
UNKNOWN = _("%(actor)s membuat perubahan pada %(object)s.")

# Reasons recorded as codes by the code that records them.
REASONS: dict[str, Promise] = {
    "refresh_refused": _("platform menolak memperbarui tokennya"),
    "delivery": _("platform menolak token saat mengirim unggahan"),
    "portal_channel": _("dibuat otomatis sebagai kanal portal kantor"),
    "authoriser_left": _("orang yang menghubungkannya sudah tidak di kantor ini"),
}

# Labels of change keys that are not a field of the event's object, or whose field's name would
# say less (fields are labelled by their verbose name).
KEY_LABELS: dict[str, Promise] = {
    "added": _("Gambar ditambahkan"),
    "removed": _("Gambar dihapus"),
    "alt_text": _("Teks alternatif diubah"),
    "order": _("Urutan gambar diubah"),
    "approved_by": _("Disetujui oleh"),
    "automatic": _("Otomatis"),
    "source_office": _("Kantor sumber"),
    "source_post": _("Unggahan sumber"),
    "source_article": _("Artikel sumber"),
    "targets": _("Kantor tujuan"),
    "skipped": _("Kantor yang dilewati (sudah menerimanya)"),
    "sender": _("Kantor pengirim"),
    "author": _("Penulis"),
    "at": _("Waktu"),
    "authorised": _("Akun yang dihubungkan"),
    "declared": _("Akun yang diumumkan"),
    "differs": _("Akun berbeda"),
    "blackout_override": _("Alasan terbit saat masa jeda"),
    "guideline": _("Pedoman kehumasan"),
    "checklist": _("Daftar periksa"),
    "items": _("Butir yang dicentang"),
    "template": _("Templat kartu"),
    "candidates": _("Calon (jumlah)"),
    "parties": _("Partai (jumlah)"),
    "support_phrases": _("Frasa dukungan (jumlah)"),
    "official_hosts": _("Situs resmi (jumlah)"),
    "stricter": _("Aturan yang dijadikan larangan (jumlah)"),
    "decision": _("Nomor keputusan"),
    "blocks": _("Dilarang"),
    "warnings": _("Peringatan"),
    "released_from_blackout": _("Dilepas dari masa jeda"),
    "deliveries": _("Pengiriman yang ikut dipindah"),
    "bytes": _("Ukuran berkas"),
    "cancelled": _("Pengiriman dibatalkan"),
    "changed_characters": _("Karakter diubah"),
    "channel": _("Kanal"),
    "chat_id": _("ID obrolan"),
    "chat_title": _("Nama obrolan"),
    "include_below": _("Termasuk kantor di bawahnya"),
    "is_active": _("Aktif"),
    "message_url": _("Tautan pesan"),
    "channels": _("Kanal"),
    "claims_created": _("Cek fakta baru"),
    "claims_updated": _("Cek fakta diperbarui"),
    "claims_unchanged": _("Cek fakta tidak berubah"),
    "submitted": _("Dikirim untuk ditinjau"),
    "count": _("Jumlah"),
    "day": _("Tanggal"),
    "followers": _("Jumlah pengikut"),
    "created": _("Kantor baru"),
    "devices": _("Perangkat dihapus"),
    "due": _("Jadwal kirim"),
    "email": _("E-mail"),
    "error": _("Pesan galat"),
    "expires_at": _("Berlaku sampai"),
    "fields": _("Bagian yang diubah"),
    "filename": _("Berkas"),
    "format": _("Format"),
    "height": _("Tinggi (piksel)"),
    "items_created": _("Item baru"),
    "items_duplicate": _("Item yang sudah ada"),
    "items_skipped": _("Item tidak sah yang dilewati"),
    "phrase": _("Kata atau frasa"),
    "rule": _("Aturan"),
    "article": _("Artikel"),
    "claim": _("Klarifikasi"),
    "kind": _("Jenis kredensial"),
    "marked_by": _("Ditandai oleh"),
    "official": _("Akun resmi"),
    "people": _("Orang"),
    "personal": _("Otorisasi pribadi"),
    "platforms": _("Platform"),
    "post_status": _("Status unggahan"),
    "reason": _("Alasan"),
    "source_kind": _("Jenis sumber"),
    "source_name": _("Sumber"),
    "state": _("Status pengiriman sebelumnya"),
    "token": _("Token API"),
    "unchanged": _("Kantor tidak berubah"),
    "updated": _("Kantor diperbarui"),
    "url": _("Tautan"),
    "version": _("Versi"),
    # Triage of narratives.
    "merged": _("Narasi yang digabungkan"),
    "sha256": _("SHA-256"),
    "split_from": _("Dipisahkan dari"),
    "variants": _("Variasi yang dipisahkan"),
    "width": _("Lebar (piksel)"),
}

# Change keys never shown: storage paths and other internals with nothing for a reader.
HIDDEN_KEYS = frozenset({"file"})

# Change keys whose values are choices of a field other than one of the event's object.
CHOICES_OF: dict[str, tuple[str, str]] = {
    "post_status": ("publishing.post", "status"),
    "role": ("offices.membership", "role"),
    "platform": ("channels.channel", "platform"),
    "platforms": ("channels.channel", "platform"),
    "state": ("publishing.delivery", "state"),
    "type": ("portal.article", "type"),
    "scope": ("accounts.apitoken", "scope"),
    "health": ("channels.channel", "health"),
    "source_kind": ("monitoring.source", "kind"),
    "rule": ("monitoring.relevancerule", "action"),
}

# Kinds of channel credential, as the connectors report them (channels/connectors/base.py).
CREDENTIAL_KINDS: dict[str, Promise] = {
    "page": _("token halaman"),
    "user": _("token pengguna"),
    "bot": _("token bot"),
    "oauth2_user": _("otorisasi OAuth 2.0"),
    "oauth1_user": _("otorisasi OAuth 1.0a"),
}

# Objects whose own text (recorded as object_repr) is a name people recognise.
NAMED_BY_TEXT = frozenset(
    {
        "accounts.apitoken",
        "accounts.user",
        "blackouts.blackout",
        "channels.channel",
        "coordination.amplificationtask",
        "coordination.cascade",
        "monitoring.narrative",
        "monitoring.source",
        "offices.office",
        "portal.article",
        "portal.articleimage",
        "publishing.post",
        "publishing.postimage",
    }
)

# Objects named through what they belong to, read in one query per kind: label -> {name: path}.
THROUGH: dict[str, dict[str, str]] = {
    "publishing.post": {"post": "text"},  # its recorded text stops at 60 characters, mid-word
    "publishing.publication": {"post": "post__text"},
    "publishing.delivery": {"post": "publication__post__text", "channel": "channel_id"},
    "offices.membership": {"person": "user__full_name", "email": "user__email"},
    # A receiving office's decision on a cascade: named by the cascaded text.
    "coordination.cascadetarget": {"post": "cascade__text"},
    # A receiving office's answer to an amplification task: named by the URL to amplify.
    "coordination.amplificationtarget": {"post": "task__url"},
}

CHANNEL_MODEL = "channels.channel"
USER_MODEL = "accounts.user"
CHANNEL_KEYS = frozenset({"channel", "channels"})
USER_KEYS = frozenset({"marked_by"})


@dataclass(frozen=True)
class Detail:
    label: str
    text: str


@dataclass(frozen=True)
class DescribedEvent:
    event: AuditEvent
    sentence: str
    details: tuple[Detail, ...]


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(label: str, name: str) -> models.Field[Any, Any] | None:
    model = _model(label)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _ids(value: Any) -> list[int]:
    """Primary keys in a change value: one, a list, or a before/after of either."""
    if isinstance(value, dict) and set(value) <= {"before", "after"}:
        return [*_ids(value.get("before")), *_ids(value.get("after"))]
    if isinstance(value, list):
        return [v for item in value for v in _ids(item)]
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, str) and value.isdigit():
        return [int(value)]
    return []


class _Names:
    """The names a page of events mentions, read in bulk: channels, people, and the objects named
    through what they belong to."""

    def __init__(self, events: Sequence[AuditEvent]) -> None:
        channel_ids: set[int] = set()
        user_ids: set[int] = set()
        through: dict[str, set[str]] = {}
        for event in events:
            changes = event.changes if isinstance(event.changes, dict) else {}
            for key, value in changes.items():
                if key in CHANNEL_KEYS:
                    channel_ids.update(_ids(value))
                elif key in USER_KEYS:
                    user_ids.update(_ids(value))
            if event.action == "publication.withdraw_report":
                channel_ids.update(int(key) for key in changes if str(key).isdigit())
            if event.object_type in THROUGH and event.object_id:
                through.setdefault(event.object_type, set()).add(event.object_id)
        self.through: dict[str, dict[str, dict[str, Any]]] = {}
        for label, pks in through.items():
            self.through[label] = self._read_through(label, pks)
            for row in self.through[label].values():
                if isinstance(row.get("channel"), int):
                    channel_ids.add(row["channel"])
        self.channels = self._read(CHANNEL_MODEL, channel_ids)
        self.users = self._read(USER_MODEL, user_ids)

    @staticmethod
    def _read(label: str, pks: set[int]) -> dict[int, str]:
        model = _model(label)
        if model is None or not pks:
            return {}
        return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}

    @staticmethod
    def _read_through(label: str, pks: set[str]) -> dict[str, dict[str, Any]]:
        model = _model(label)
        paths = THROUGH[label]
        if model is None:
            return {}
        try:
            rows = model._default_manager.filter(pk__in=[int(pk) for pk in pks if pk.isdigit()]).values_list(
                "pk", *paths.values()
            )
            return {str(row[0]): dict(zip(paths, row[1:], strict=True)) for row in rows}
        except FieldError:
            return {}

    def channel(self, pk: Any) -> str:
        ids = _ids(pk)
        if not ids:
            return ""
        return self.channels.get(ids[0], gettext("kanal yang sudah dihapus"))


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    # "ID akun" stays as it is; "Tautan" reads "tautan" inside a list.
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _quoted(text: str) -> str:
    # A sentence goes on after the quote: a full stop inside it would double the one after it.
    return f"“{Truncator(' '.join(text.split())).chars(OBJECT_CHARS).rstrip('.')}”"


def _verbose_name(label: str) -> str:
    model = _model(label)
    # Only a verbose name the model declares (translated); Django's made-up one is its class name.
    if model is None or "verbose_name" not in model._meta.original_attrs:
        return gettext("objek")
    return str(model._meta.verbose_name)


def _actor(event: AuditEvent) -> str:
    try:
        actor = event.actor if event.actor_id else None
    except ObjectDoesNotExist:  # the account is gone: the e-mail recorded with the event names them
        actor = None
    if actor is not None:
        return actor.get_full_name()
    return event.actor_email or gettext("Sistem")


def _object(event: AuditEvent, names: _Names) -> str:
    label = event.object_type
    row = names.through.get(label, {}).get(event.object_id, {})
    if row.get("post"):
        return _quoted(str(row["post"]))
    if row.get("person") or row.get("email"):
        return str(row.get("person") or row.get("email"))
    if label == "offices.membership":
        # A removed membership: its text was "<person> @ <office> (<role>)" when recorded.
        if " @ " in event.object_repr:
            return event.object_repr.split(" @ ")[0]
        return gettext("seorang anggota")
    if label in NAMED_BY_TEXT and event.object_repr.strip():
        return _quoted(event.object_repr)
    if label in THROUGH:
        # Named through a post that is no longer there ("unggahan yang sudah dihapus").
        return gettext("yang sudah dihapus")
    if label:
        return _verbose_name(label)
    return gettext("kantor ini") if event.office_id else "Humas"


def _choice(label: str, name: str, value: Any) -> str | None:
    field = _field(label, name)
    if field is None or not field.choices:
        return None
    for key, text in field.flatchoices:
        if key == value:
            return str(text)
    return None


class _Render:
    def __init__(self, event: AuditEvent, names: _Names) -> None:
        self.event = event
        self.names = names

    def label(self, key: str) -> str:
        if key in KEY_LABELS:
            return str(KEY_LABELS[key])
        field = _field(self.event.object_type, key) if self.event.object_type else None
        if field is not None:
            return _upper_first(str(field.verbose_name))
        return _upper_first(key.replace("_", " ").strip())

    def value(self, key: str, value: Any) -> str:
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            return f"{self.value(key, value['before'])} → {self.value(key, value['after'])}"
        if value is None or value == "" or value == []:
            return gettext("(kosong)")
        if key in CHANNEL_KEYS:
            return ", ".join(self.names.channel(pk) for pk in _ids(value)) or gettext("(kosong)")
        if key in USER_KEYS:
            return ", ".join(
                self.names.users.get(pk, gettext("orang yang sudah dihapus")) for pk in _ids(value)
            )
        if key == "fields" and isinstance(value, list):
            return ", ".join(_lower_first(self.label(str(name))) for name in value)
        if key in ("added", "removed", "alt_text") and isinstance(value, list):
            return str(len(value))
        if key == "bytes" and isinstance(value, int):
            return str(filesizeformat(value))
        if isinstance(value, bool):
            return gettext("ya") if value else gettext("tidak")
        if isinstance(value, list):
            return ", ".join(self.value(key, item) for item in value)
        if isinstance(value, dict):
            return "; ".join(
                f"{_lower_first(self.label(str(k)))}: {self.value(str(k), v)}" for k, v in value.items()
            )
        if isinstance(value, str):
            if key == "reason" and value in REASONS:
                return str(REASONS[value])
            if key == "kind" and value in CREDENTIAL_KINDS:
                return str(CREDENTIAL_KINDS[value])
            choice = self._choice(key, value)
            if choice is not None:
                return choice
            moment = _moment(value)
            if moment is not None:
                return moment
        return Truncator(str(value)).chars(VALUE_CHARS)

    def _choice(self, key: str, value: str) -> str | None:
        if self.event.object_type:
            found = _choice(self.event.object_type, key, value)
            if found is not None:
                return found
        if key in CHOICES_OF:
            return _choice(*CHOICES_OF[key], value)
        return None

    def details(self, skip: Iterable[str]) -> tuple[Detail, ...]:
        changes = self.event.changes if isinstance(self.event.changes, dict) else {}
        if self.event.action == "publication.withdraw_report":
            return tuple(
                Detail(
                    self.names.channel(key),
                    gettext("dihapus")
                    if isinstance(result, dict) and result.get("ok")
                    else gettext("tidak dihapus: %(message)s")
                    % {"message": (result or {}).get("message", "") if isinstance(result, dict) else ""},
                )
                for key, result in changes.items()
            )
        skipped = set(skip) | HIDDEN_KEYS
        # In a fixed order: PostgreSQL's jsonb does not keep the order the keys were written in.
        keys = sorted(changes, key=lambda key: (DETAIL_ORDER.get(str(key), len(DETAIL_ORDER)), str(key)))
        return tuple(
            Detail(self.label(str(key)), self.value(str(key), changes[key]))
            for key in keys
            if key not in skipped and not (changes[key] is None and key != "reason")
        )


# The order details are listed in: what the thing is, then what changed, then why; other keys
# after these, alphabetically.
DETAIL_ORDER = {
    key: rank
    for rank, key in enumerate(
        (
            "platform",
            "name",
            "handle",
            "url",
            "is_official",
            "fields",
            "status",
            "channels",
            "scheduled_at",
            "before",
            "after",
            "reason",
        )
    )
}


def _moment(text: str) -> str | None:
    """An ISO date-time recorded in the changes, written for people in the active zone."""
    if "T" not in text or len(text) < 16:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None:
        return None
    return _when(moment)


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{formats.date_format(local, 'j F Y H.i')} {local.strftime('%Z')}".strip()


def _fill(event: AuditEvent, names: _Names, sentence: Sentence | None) -> dict[str, str]:
    changes: dict[str, Any] = event.changes if isinstance(event.changes, dict) else {}
    render = _Render(event, names)
    row = names.through.get(event.object_type, {}).get(event.object_id, {})
    channel = changes.get("channel", row.get("channel"))
    context = {
        "actor": _actor(event),
        "object": _object(event, names),
        "channel": names.channel(channel) if channel is not None else gettext("kanalnya"),
        "channels": render.value("channels", changes.get("channels")),
        "person": str(row.get("person") or row.get("email") or _object(event, names)),
        "email": str(changes.get("email") or row.get("email") or _object(event, names)),
        "role": render.value("role", changes.get("role")) if "role" in changes else "",
        "reason": render.value("reason", changes.get("reason")),
        "when": render.value("publish_at", changes.get("publish_at") or changes.get("due")),
        "before": "",
        "after": "",
    }
    if sentence is not None and sentence.field:
        value = changes.get(sentence.field)
        if isinstance(value, dict):
            context["before"] = render.value(sentence.field, value.get("before"))
            context["after"] = render.value(sentence.field, value.get("after"))
    return context


def audit_describe(events: Iterable[AuditEvent]) -> list[DescribedEvent]:
    """Each event as a sentence and its details, in the active language. Reads the names a page
    mentions in a few queries (select_related("actor", "office") on the events avoids more)."""
    events = list(events)
    names = _Names(events)
    described = []
    uses: tuple[str, ...]
    for event in events:
        sentence = SENTENCES.get(event.action)
        context = _fill(event, names, sentence)
        changes = event.changes if isinstance(event.changes, dict) else {}
        free_reason = isinstance(changes.get("reason"), str) and changes["reason"] not in REASONS
        if sentence is None:
            text, uses = str(UNKNOWN) % context, ()
        elif sentence.with_reason is not None and free_reason and changes["reason"].strip():
            text, uses = str(sentence.with_reason) % context, (*sentence.uses, "reason")
        else:
            text, uses = str(sentence.text) % context, sentence.uses
        described.append(
            DescribedEvent(event=event, sentence=text, details=_Render(event, names).details(uses))
        )
    return described


def audit_sentence(event: AuditEvent) -> str:
    """One event's sentence (for a list of events, ``audit_describe`` reads the names in bulk)."""
    return audit_describe([event])[0].sentence
