"""Demo people for a trial install: a few offices at each level, one person per role."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from humas.accounts import twofactor
from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Membership, Office

if TYPE_CHECKING:
    from humas.analytics.models import FollowerCount
    from humas.channels.models import Channel

# (email, full name, [(office code, role)], what to try with this login)
DEMO_PEOPLE: list[tuple[str, str, list[tuple[str, str]], str]] = [
    ("admin@kpu.test", "Admin KPU RI", [("00", "admin")], "Administrator nasional: menjangkau semua kantor"),
    ("editor.ri@kpu.test", "Editor KPU RI", [("00", "editor")], "Editor nasional: menyetujui konten"),
    (
        "editor.jateng@kpu.test",
        "Editor Jawa Tengah",
        [("33", "editor")],
        "Editor provinsi: menjangkau 35 kab/kota",
    ),
    ("operator.jepara@kpu.test", "Operator Jepara", [("33.20", "operator")], "Operator KPU Kabupaten Jepara"),
    (
        "admin.semarang@kpu.test",
        "Admin Semarang & Makassar",
        [("33.74", "admin"), ("73.71", "viewer")],
        "Dua keanggotaan: coba ganti kantor",
    ),
    ("analis.aceh@kpu.test", "Analis KIP Aceh", [("11", "analyst")], "Analis KIP Aceh"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    note: str
    # Base32 secret of the person's authenticator, for those who must use a second factor; else "".
    totp_secret: str = ""


def _demo_authenticator(user: User) -> str:
    """A fresh confirmed authenticator for a demo person (new on every start, like the passwords);
    returns its secret for an authenticator app."""
    twofactor.devices_delete(user=user)
    device = twofactor.totp_device_pending(user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return twofactor.secret_base32(device)


def demo_code(email: str) -> str | None:
    """The code a demo person's authenticator shows now (``humas demo code EMAIL``); None for anyone
    who is not a demo person or has no authenticator. Demo people only: elsewhere the code stays on
    the person's phone."""
    if email.strip().lower() not in {p[0] for p in DEMO_PEOPLE}:
        return None
    device = TOTPDevice.objects.filter(user__email=email.strip().lower(), confirmed=True).first()
    if device is None:
        return None
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def demo_seed(*, password: str | None = None) -> list[DemoLogin]:
    """Create (or reset) the demo people. Needs the offices loaded. Re-running resets their passwords."""
    logins: list[DemoLogin] = []
    with transaction.atomic():
        offices = {
            o.code: o for o in Office.objects.filter(code__in={c for p in DEMO_PEOPLE for c, _ in p[2]})
        }
        for email, name, grants, note in DEMO_PEOPLE:
            secret = password or secrets.token_urlsafe(9)
            user = User.objects.filter(email=email).first() or User(email=email)
            user.full_name = name
            user.is_active = True
            user.is_staff = user.is_superuser = grants == [("00", "admin")]
            user.set_password(secret)
            user.save()
            for code, role in grants:
                Membership.objects.update_or_create(user=user, office=offices[code], defaults={"role": role})
            policy.forget(user)
            # A password alone never gets them in: those the policy requires have an authenticator.
            totp_secret = _demo_authenticator(user) if policy.two_factor_required(user) else ""
            logins.append(DemoLogin(email=email, password=secret, note=note, totp_secret=totp_secret))
        audit_record(actor=None, office=offices["00"], action="demo.seed", changes={"people": len(logins)})
    return logins


# (office code, author e-mail, approver e-mail, fields). Written for the demo; not real news.
DEMO_ARTICLES: list[tuple[str, str, str, dict[str, object]]] = [
    (
        "33.20",
        "operator.jepara@kpu.test",
        "editor.jateng@kpu.test",
        {
            "title": "Pencocokan dan penelitian data pemilih dimulai di 16 kecamatan",
            "summary": "Petugas pemutakhiran mendatangi rumah warga untuk memastikan data pemilih akurat.",
            "body": "<p>KPU Kabupaten Jepara memulai pencocokan dan penelitian (coklit) data pemilih di 16 kecamatan. "
            "Petugas datang ke rumah warga dengan membawa tanda pengenal resmi.</p>"
            "<h2>Yang perlu disiapkan warga</h2><ul><li>KTP elektronik</li><li>Kartu keluarga</li></ul>"
            "<p>Warga yang belum didatangi petugas dapat menghubungi PPS di desa masing-masing.</p>",
            "election_stage": "pemutakhiran-data-pemilih",
            "tags": ["coklit", "data pemilih"],
        },
    ),
    (
        "33.20",
        "operator.jepara@kpu.test",
        "editor.jateng@kpu.test",
        {
            "title": "Bimbingan teknis KPPS digelar serentak",
            "summary": "Ribuan anggota KPPS mengikuti bimbingan teknis pemungutan dan penghitungan suara.",
            "body": "<p>Bimbingan teknis bagi anggota KPPS digelar serentak di seluruh kecamatan. Materi meliputi "
            "tata cara pemungutan, penghitungan suara, dan pengisian formulir.</p>",
            "election_stage": "pemungutan-suara",
            "tags": ["KPPS", "bimtek"],
        },
    ),
    (
        "33.20",
        "operator.jepara@kpu.test",
        "editor.jateng@kpu.test",
        {
            "title": "Jadwal rapat pleno rekapitulasi tingkat kabupaten",
            "type": "pengumuman",
            "summary": "Rapat pleno terbuka untuk umum; saksi peserta pemilu diundang hadir.",
            "body": "<p>Rapat pleno rekapitulasi hasil penghitungan suara tingkat kabupaten digelar di kantor KPU "
            "Kabupaten Jepara. Rapat terbuka untuk umum.</p>",
            "pinned_days": 14,
            "election_stage": "rekapitulasi",
        },
    ),
    (
        "33.20",
        "operator.jepara@kpu.test",
        "editor.jateng@kpu.test",
        {
            "title": "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan",
            "type": "klarifikasi",
            "summary": "Foto yang beredar adalah surat suara contoh untuk sosialisasi, bukan surat suara asli.",
            "claim": "Beredar foto surat suara yang sudah tercoblos di gudang logistik KPU Jepara sebelum hari pemungutan suara.",
            "claim_appearances": ["https://x.com/contoh/status/1", "https://www.facebook.com/contoh/posts/2"],
            "verdict": "hoaks",
            "evidence_links": ["https://jdih.kpu.go.id/"],
            "body": "<p>Foto tersebut memperlihatkan surat suara contoh yang diberi tanda &quot;SPESIMEN&quot; dan dipakai "
            "untuk sosialisasi. Surat suara asli disimpan tersegel di gudang logistik dan diawasi Bawaslu.</p>",
            "election_stage": "pemungutan-suara",
            "tags": ["hoaks", "surat suara"],
        },
    ),
    (
        "33",
        "editor.jateng@kpu.test",
        "editor.ri@kpu.test",
        {
            "title": "KPU Jawa Tengah tetapkan daftar pemilih tetap",
            "type": "siaran-pers",
            "summary": "Rapat pleno provinsi menetapkan DPT untuk 35 kabupaten/kota.",
            "body": "<p>KPU Provinsi Jawa Tengah menetapkan daftar pemilih tetap (DPT) dalam rapat pleno terbuka "
            "yang dihadiri Bawaslu dan perwakilan peserta pemilu.</p>",
            "election_stage": "pemutakhiran-data-pemilih",
            "tags": ["DPT"],
        },
    ),
    (
        "00",
        "admin@kpu.test",
        "editor.ri@kpu.test",
        {
            "title": "Masa tenang: peserta pemilu dilarang berkampanye",
            "summary": "Selama masa tenang tidak boleh ada kegiatan kampanye dalam bentuk apa pun.",
            "body": "<p>KPU mengingatkan seluruh peserta pemilu bahwa selama masa tenang tidak boleh ada kegiatan "
            "kampanye, termasuk di media sosial.</p>",
            "election_stage": "masa-tenang",
            "tags": ["masa tenang", "kampanye"],
        },
    ),
    (
        "00",
        "admin@kpu.test",
        "editor.ri@kpu.test",
        {
            "title": "Pesan berantai soal pemilih wajib membawa undangan adalah menyesatkan",
            "type": "klarifikasi",
            "summary": "Pemilih yang terdaftar di DPT tetap dapat memilih dengan menunjukkan KTP elektronik.",
            "claim": "Pemilih yang tidak membawa surat undangan (formulir C pemberitahuan) tidak boleh mencoblos.",
            "claim_appearances": ["https://wa.me/"],
            "verdict": "menyesatkan",
            "body": "<p>Pemilih yang terdaftar di DPT dapat menggunakan hak pilihnya dengan menunjukkan KTP elektronik "
            "meskipun tidak membawa surat pemberitahuan.</p>",
            "election_stage": "pemungutan-suara",
            "tags": ["hoaks", "pemilih"],
        },
    ),
]


def demo_content() -> int:
    """Publish the demo articles once (skipped when any article exists). Returns how many were published."""
    from datetime import timedelta

    from django.utils import timezone

    from humas.portal.models import Article
    from humas.portal.services import ArticleInput, article_approve, article_create, article_submit

    if Article.objects.exists():
        return 0
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in={a for _, a, _, _ in DEMO_ARTICLES} | {b for _, _, b, _ in DEMO_ARTICLES}
        )
    }
    offices = {o.code: o for o in Office.objects.filter(code__in={c for c, _, _, _ in DEMO_ARTICLES})}
    for code, author, approver, fields in DEMO_ARTICLES:
        data = dict(fields)
        pinned_days = data.pop("pinned_days", None)
        if pinned_days:
            data["pinned_until"] = timezone.now() + timedelta(days=int(str(pinned_days)))
        article = article_create(actor=people[author], office=offices[code], data=ArticleInput(**data))  # type: ignore[arg-type]
        article_submit(actor=people[author], article=article)
        article_approve(actor=people[approver], article=article)
    return len(DEMO_ARTICLES)


DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("33.20", "instagram", "kpu_kab_jepara", "Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026"),
    ("33.20", "facebook", "kpukabjepara", "Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026"),
    ("33.20", "x", "kpujepara", "Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026"),
    ("33.20", "tiktok", "kpujepara", "Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026"),
    ("33", "instagram", "kpu_jateng", "Keputusan KPU Provinsi Jawa Tengah Nomor 3 Tahun 2026"),
    ("00", "x", "KPU_ID", "Keputusan KPU Nomor 1 Tahun 2026"),
]
PLATFORM_URLS = {
    "instagram": "https://www.instagram.com/{}/",
    "facebook": "https://www.facebook.com/{}",
    "x": "https://x.com/{}",
    "tiktok": "https://www.tiktok.com/@{}",
}


def demo_official_accounts() -> int:
    """Register the demo offices' official accounts once (skipped when any channel exists)."""
    from humas.channels.models import Channel
    from humas.channels.services import ChannelInput, channel_create

    if Channel.objects.exists():
        return 0
    admin = User.objects.get(email="admin@kpu.test")
    offices = {o.code: o for o in Office.objects.filter(code__in={c for c, _, _, _ in DEMO_ACCOUNTS})}
    for code, platform, handle, decree in DEMO_ACCOUNTS:
        channel_create(
            actor=admin,
            office=offices[code],
            data=ChannelInput(
                platform=platform,
                name=offices[code].name,
                handle=handle,
                url=PLATFORM_URLS[platform].format(handle),
                decree_reference=decree,
            ),
        )
    return len(DEMO_ACCOUNTS)


SAMPLE = Path(__file__).resolve().parent / "data" / "monitoring_sample.jsonl"
# Demo sources: (key in the sample, office code, kind, name). Inactive, so no poller reaches out
# for them: their items come from the packaged sample only. The comments are on the fake
# platforms too, with the same ids (humas/demo/fakes.py): replies to them reach the fake, and a
# comment source switched on once its channel is connected polls the same comments again.
DEMO_SOURCES: list[tuple[str, str, str, str]] = [
    ("comments", "33.20", "channel_comments", "Contoh komentar kanal (demo)"),
    ("instagram", "33.20", "channel_comments", "Contoh komentar Instagram (demo)"),
    ("search", "00", "keyword_search", "Contoh pencarian X (demo)"),
]
# The channel of the office whose comments a comment source holds, by its key.
DEMO_SOURCE_CHANNELS = {"comments": "facebook", "instagram": "instagram"}


def demo_monitoring(*, now: datetime | None = None) -> int:
    """Take in the packaged sample (humas/demo/data/monitoring_sample.jsonl) once, with times
    relative to ``now``: its items go through the pipeline when the worker starts, so KPU
    Kabupaten Jepara's queue holds a narrative matched to the demo's clarification and a new one
    spiking. Skipped when the demo sources already hold items. Returns how many were taken in."""
    from django.utils import timezone

    from humas.channels.models import Channel
    from humas.factcheck.services import claims_sync_all
    from humas.monitoring.models import Source
    from humas.monitoring.services import items_ingest

    now = now or timezone.now()
    claims_sync_all()  # the demo's clarifications are in the knowledge base before items arrive
    offices = {o.code: o for o in Office.objects.filter(code__in={c for _, c, _, _ in DEMO_SOURCES})}
    sources: dict[str, Source] = {}
    for key, code, kind, name in DEMO_SOURCES:
        channel = (
            Channel.objects.filter(office=offices[code], platform=DEMO_SOURCE_CHANNELS[key])
            .order_by("pk")
            .first()
            if key in DEMO_SOURCE_CHANNELS
            else None
        )
        config = {"channel_id": channel.pk} if channel is not None else {}
        source, _created = Source.objects.get_or_create(
            office=offices[code], name=name, defaults={"kind": kind, "config": config, "is_active": False}
        )
        sources[key] = source
    if any(source.item_count for source in sources.values()):
        return 0
    batches: dict[str, list[dict[str, object]]] = {key: [] for key in sources}
    with SAMPLE.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            published = now - timedelta(minutes=int(row.pop("minutes_ago")))
            key = str(row.pop("source"))
            row.pop("story", None)
            row["published_at"] = published.isoformat()
            batches[key].append(row)
    taken = 0
    for key, records in batches.items():
        taken += items_ingest(actor=None, source=sources[key], records=records).created
    return taken


def demo_tipline(*, token: str, secret: str, bot_id: int, username: str) -> bool:
    """The demo's Telegram tipline bot (on the fakes, webhook mode), stored encrypted as an
    Administrator's setting would store it; a new token and secret at every start. False when a
    person has set up another bot (theirs is kept)."""
    from humas.channels import crypto
    from humas.tipline.models import TiplineBot

    current = TiplineBot.objects.filter(is_active=True).first()
    if current is not None and current.username != username:
        return False
    TiplineBot.objects.filter(is_active=True).update(is_active=False)
    TiplineBot.objects.create(
        token_ciphertext=crypto.encrypt(token),
        secret_ciphertext=crypto.encrypt(secret),
        bot_id=bot_id,
        username=username,
        mode=TiplineBot.Mode.WEBHOOK,
    )
    return True


# A month of Konten for the calendars of KPU Kabupaten Jepara and KPU Provinsi Jawa Tengah:
# (office, days from today, hour in the office's zone, status, text). Written for the demo.
DEMO_CAMPAIGN = "CekDPT"
DEMO_CAMPAIGN_WORDS = ("DPT", "Coklit", "pantarlih")
DEMO_POSTS: list[tuple[str, int, int, str, str]] = [
    (
        "33.20",
        1,
        9,
        "approved",
        "Coklit hari ke-3: petugas pantarlih mendatangi warga di Kecamatan Tahunan. Pastikan data Anda benar.",
    ),
    (
        "33.20",
        2,
        13,
        "approved",
        "Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK, hasilnya langsung tampil.",
    ),
    (
        "33.20",
        3,
        19,
        "in_review",
        "Live Instagram malam ini: tanya jawab pindah memilih bersama Divisi Data KPU Jepara.",
    ),
    (
        "33.20",
        5,
        9,
        "approved",
        "Rekrutmen KPPS dibuka: syarat, jadwal dan cara mendaftar ada di portal KPU Jepara.",
    ),
    ("33.20", 7, 10, "draft", "Infografis: tahapan Pilkada Jepara dari pendaftaran sampai penetapan."),
    (
        "33.20",
        9,
        13,
        "approved",
        "Sosialisasi pemilih pemula di SMA Negeri 1 Jepara bersama relawan demokrasi.",
    ),
    (
        "33.20",
        12,
        9,
        "in_review",
        "Pengumuman DPS: warga dapat memberi tanggapan di kantor desa sampai akhir pekan.",
    ),
    (
        "33.20",
        14,
        19,
        "approved",
        "Simulasi pemungutan suara di TPS contoh Alun-alun Jepara, terbuka untuk umum.",
    ),
    ("33.20", 17, 9, "draft", "Kuis kepemiluan berhadiah untuk pengikut Instagram KPU Jepara."),
    ("33.20", 19, 13, "approved", "Distribusi logistik ke 16 PPK dimulai besok pagi, dikawal kepolisian."),
    (
        "33.20",
        24,
        9,
        "approved",
        "Terima kasih warga Jepara: partisipasi pemilih akan diumumkan setelah rekapitulasi.",
    ),
    ("33.20", 27, 10, "in_review", "Rekapitulasi tingkat kabupaten digelar terbuka di aula KPU Jepara."),
    ("33", 1, 10, "approved", "KPU Jawa Tengah: 35 kabupaten/kota memulai coklit serentak hari ini."),
    (
        "33",
        4,
        13,
        "approved",
        "Rapat koordinasi humas KPU se-Jawa Tengah: strategi konten menjelang masa kampanye.",
    ),
    ("33", 8, 9, "in_review", "Bimbingan teknis KPPS untuk 35 kabupaten/kota dimulai pekan depan."),
    (
        "33",
        11,
        19,
        "approved",
        "Talkshow radio: menjaga pemilu damai di Jawa Tengah bersama Bawaslu dan kepolisian.",
    ),
    ("33", 16, 9, "draft", "Data: jumlah DPT Jawa Tengah per kabupaten/kota, dalam satu infografis."),
    (
        "33",
        20,
        13,
        "approved",
        "Pengumuman: debat publik calon gubernur disiarkan langsung di kanal KPU Jawa Tengah.",
    ),
    ("33", 26, 10, "approved", "Hasil rekapitulasi provinsi akan diumumkan dalam rapat pleno terbuka."),
]
# The demo's masa tenang: declared by KPU RI for every office, from this many days ahead, 3 days.
DEMO_BLACKOUT_DAYS = 21


def demo_calendar(*, now: datetime | None = None) -> int:
    """A month of posts in the calendars of Jepara and Jawa Tengah (drafts, in review, approved
    for their time), a scheduled portal article, and KPU RI's masa tenang three weeks ahead — the
    article scheduled inside it is held. Skipped when any post exists. Returns the posts made."""
    from django.utils import timezone

    from humas.blackouts.models import Blackout
    from humas.blackouts.services import blackout_create
    from humas.channels.models import Channel
    from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
    from humas.publishing.models import Post
    from humas.publishing.services import post_approve, post_create, post_submit

    if Post.objects.exists():
        return 0
    now = now or timezone.now()
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in=["operator.jepara@kpu.test", "editor.jateng@kpu.test", "admin@kpu.test"]
        )
    }
    authors = {"33.20": people["operator.jepara@kpu.test"], "33": people["editor.jateng@kpu.test"]}
    approvers = {"33.20": people["editor.jateng@kpu.test"], "33": people["admin@kpu.test"]}
    offices = {o.code: o for o in Office.objects.filter(code__in=["00", "33", "33.20"])}
    made = 0
    for code, days, hour, status, text in DEMO_POSTS:
        office = offices[code]
        local_day = timezone.localtime(now, office.zoneinfo) + timedelta(days=days)
        at = local_day.replace(hour=hour, minute=0, second=0, microsecond=0)
        channels = list(Channel.objects.filter(office=office, is_active=True))
        # The voter-list posts belong to the national "CekDPT" campaign (Kalender → Kampanye).
        on_voter_list = any(word in text for word in DEMO_CAMPAIGN_WORDS)
        post = post_create(
            actor=authors[code],
            office=office,
            text=text,
            scheduled_at=at,
            channels=channels,
            campaign=DEMO_CAMPAIGN if on_voter_list else "",
            election_stage="pemutakhiran-data-pemilih" if on_voter_list else "",
        )
        if status != "draft" and channels:
            post_submit(actor=authors[code], post=post)
            if status == "approved":
                post_approve(actor=approvers[code], post=post)
        made += 1
    start = (timezone.localtime(now, offices["00"].zoneinfo) + timedelta(days=DEMO_BLACKOUT_DAYS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    article = article_create(
        actor=authors["33.20"],
        office=offices["33.20"],
        data=ArticleInput(
            title="Ajakan datang ke TPS: jam buka dan yang perlu dibawa",
            summary="TPS buka pukul 07.00 sampai 13.00 waktu setempat; bawa KTP elektronik.",
            body="<p>Pemilih datang ke TPS dengan KTP elektronik. TPS buka pukul 07.00 sampai 13.00.</p>",
            election_stage="pemungutan-suara",
        ),
    )
    article_submit(actor=authors["33.20"], article=article)
    article_approve(actor=approvers["33.20"], article=article, publish_at=start + timedelta(days=1, hours=9))
    if not Blackout.objects.exists():
        blackout_create(
            actor=people["admin@kpu.test"],
            office=offices["00"],
            starts_at=start,
            ends_at=start + timedelta(days=3),
            reason=Blackout.Reason.MASA_TENANG,
            note="Masa tenang Pilkada (demo)",
        )
    return made


# The posting history of Jawa Tengah's regencies and cities (Keaktifan unggahan): over the last
# DEMO_ACTIVITY_DAYS days each posted on its TikTok account on a share of the days that differs by
# office (seeded, so every demo shows the same ranking), recorded by hand as assisted channels are.
DEMO_ACTIVITY_DAYS = 30
DEMO_ACTIVITY_SEED = 1804
DEMO_ACTIVITY_TEXTS = (
    "Cek DPT online di cekdptonline.kpu.go.id: pastikan nama Anda terdaftar.",
    "Jadwal rapat pleno terbuka rekapitulasi di kantor KPU, terbuka untuk umum.",
    "Pantarlih menyambangi rumah warga untuk pencocokan dan penelitian data pemilih.",
    "Sosialisasi pemilih pemula di SMA bersama relawan demokrasi.",
    "Ingat: bawa KTP elektronik saat datang ke TPS.",
)


def demo_activity(*, now: datetime | None = None) -> int:
    """Give Jawa Tengah's regencies and cities a month of posts on their TikTok accounts, each
    marked published by hand on a day of the last DEMO_ACTIVITY_DAYS (as an operator records an
    assisted channel), so Keaktifan unggahan ranks them on first start. Written as history rows
    (no audit events, no notifications: nothing happens now). Skipped when any such history
    exists. Returns the posts made."""
    import random

    from django.db.models import F
    from django.utils import timezone

    from humas.channels.models import Channel
    from humas.channels.services import ChannelInput, channel_create
    from humas.publishing.models import Delivery, Post, Publication

    if Delivery.objects.filter(state=Delivery.State.SENT, marked_by__isnull=False).exists():
        return 0
    now = now or timezone.now()
    admin = User.objects.get(email="admin@kpu.test")
    recorder = User.objects.get(email="editor.jateng@kpu.test")
    offices = list(Office.objects.filter(parent__code="33", is_active=True).order_by("code"))
    rng = random.Random(DEMO_ACTIVITY_SEED)
    posts: list[Post] = []
    sends: list[tuple[Channel, datetime]] = []
    with transaction.atomic():
        for office in offices:
            channel = Channel.objects.filter(office=office, platform="tiktok").first() or channel_create(
                actor=admin,
                office=office,
                data=ChannelInput(
                    platform="tiktok", name=f"TikTok {office.name}", handle=f"kpu{office.slug}"
                ),
            )
            # Most offices post on most days; a few lag behind, as provinces report them.
            rate = rng.choice((0.97, 0.93, 0.9, 0.87, 0.83, 0.8, 0.77, 0.7, 0.6, 0.45))
            today = timezone.localtime(now, office.zoneinfo).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            for days_ago in range(DEMO_ACTIVITY_DAYS, 0, -1):
                if rng.random() >= rate:
                    continue
                for _n in range(rng.choice((1, 1, 1, 2))):
                    at = today - timedelta(
                        days=days_ago, hours=-rng.randint(8, 20), minutes=-rng.randint(0, 59)
                    )
                    posts.append(
                        Post(
                            office=office,
                            author=recorder,
                            approved_by=admin,
                            approved_at=at - timedelta(hours=1),
                            text=rng.choice(DEMO_ACTIVITY_TEXTS),
                            status=Post.Status.PUBLISHED,
                            scheduled_at=at,
                            last_changed_by=recorder,
                            last_changed_at=at - timedelta(hours=2),
                        )
                    )
                    sends.append((channel, at))
        Post.objects.bulk_create(posts)
        # Written long ago, not now (the list of Konten is newest first).
        Post.objects.filter(pk__in=[p.pk for p in posts]).update(
            created_at=F("scheduled_at") - timedelta(hours=3)
        )
        publications = Publication.objects.bulk_create(
            [Publication(post=post, created_by=recorder) for post in posts]
        )
        Post.channels.through.objects.bulk_create(
            [
                Post.channels.through(post_id=post.pk, channel_id=channel.pk)
                for post, (channel, _at) in zip(posts, sends, strict=True)
            ]
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    publication=publication,
                    channel=channel,
                    state=Delivery.State.SENT,
                    sent_at=at,
                    marked_by=recorder,
                    url=f"https://www.tiktok.com/@{channel.handle or 'kpu'}/video/{7300000000000000000 + publication.pk}",
                )
                for publication, (channel, at) in zip(publications, sends, strict=True)
            ]
        )
    return len(posts)


# The demo's national cascade: a KPU RI post with fill-in fields, sent to every office below.
DEMO_CASCADE_TEXT = (
    "Cek apakah Anda terdaftar sebagai pemilih: buka cekdptonline.kpu.go.id dan masukkan NIK. "
    "Belum terdaftar? Datangi {nama_kantor} atau hubungi {kontak}. Informasi lengkap di {url_portal}."
)
# Jawa Tengah's regencies that adopt it as it is (half of its 35; Jepara is left for the visitor to
# adapt, Kota Semarang declines).
DEMO_CASCADE_ADOPTERS = 18
DEMO_CASCADE_DECLINE = (
    "Kota Semarang sudah mengunggah ajakan cek DPT versi sendiri kemarin, dengan video wali kota."
)


def demo_cascade(*, now: datetime | None = None) -> int:
    """KPU RI's post on checking the voter list, cascaded to all 552 offices below it with a
    deadline three days ahead: half of Jawa Tengah's regencies adopted it (published on their
    portals when the worker runs), KPU Kota Semarang declined it with a reason, KPU Kabupaten
    Jepara has it waiting. Uses the services. Skipped when any cascade exists. Returns the
    receiving offices."""
    from django.utils import timezone

    from humas.channels.models import Channel
    from humas.coordination.cascades import cascade_adopt, cascade_create, cascade_decline
    from humas.coordination.models import Cascade
    from humas.publishing.portal_channel import portal_channel_ensure
    from humas.publishing.services import post_approve, post_create, post_submit

    if Cascade.objects.exists():
        return 0
    now = now or timezone.now()
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in=[
                "admin@kpu.test",
                "editor.ri@kpu.test",
                "editor.jateng@kpu.test",
                "admin.semarang@kpu.test",
            ]
        )
    }
    national = Office.objects.get(code="00")
    channels = list(Channel.objects.filter(office=national, is_active=True))
    post = post_create(
        actor=people["admin@kpu.test"],
        office=national,
        text=DEMO_CASCADE_TEXT,
        link="https://cekdptonline.kpu.go.id/",
        channels=channels or [portal_channel_ensure(office=national)],
        campaign=DEMO_CAMPAIGN,
        election_stage="pemutakhiran-data-pemilih",
    )
    post_submit(actor=people["admin@kpu.test"], post=post)
    post = post_approve(actor=people["editor.ri@kpu.test"], post=post)
    cascade = cascade_create(
        actor=people["editor.ri@kpu.test"],
        office=national,
        source=post,
        scope=Cascade.Scope.BELOW,
        deadline=now + timedelta(days=3),
    )
    targets = {t.office.code: t for t in cascade.targets.select_related("office")}
    regencies = sorted(code for code in targets if code.startswith("33.") and code not in ("33.20", "33.74"))
    for code in regencies[:DEMO_CASCADE_ADOPTERS]:
        office = targets[code].office
        cascade_adopt(
            actor=people["editor.jateng@kpu.test"],
            target=targets[code],
            channels=[portal_channel_ensure(office=office)],
        )
    cascade_decline(
        actor=people["admin.semarang@kpu.test"], target=targets["33.74"], reason=DEMO_CASCADE_DECLINE
    )
    return len(targets)


# The demo's amplification task: KPU RI asks every office below to share (and like) a post of its
# X account. Some of Jawa Tengah's regencies have done it from their own X account (registered
# here, with the decree like the accounts above); Jepara is left for the visitor.
DEMO_AMPLIFIED_URL = "https://x.com/KPU_ID/status/1866000000000000001"
DEMO_AMPLIFICATION_NOTE = (
    "Bagikan ulang (kutip) dengan tagar #CekDPTOnline dan beri tanda suka. Sebutkan nama kantor Anda."
)
# (office code, X handle, who records it, shared, interacted)
DEMO_AMPLIFIERS: list[tuple[str, str, str, bool, bool]] = [
    ("33.74", "kpukotasemarang", "admin.semarang@kpu.test", True, True),
    ("33.19", "kpukudus", "editor.jateng@kpu.test", True, False),
    ("33.18", "kpupati", "editor.jateng@kpu.test", True, True),
    ("33.21", "kpudemak", "editor.jateng@kpu.test", False, True),
]


def demo_amplification(*, now: datetime | None = None) -> int:
    """KPU RI's amplification task: every office below is asked to share and like a post of
    @KPU_ID on X, due in two days. Kota Semarang, Kudus, Pati and Demak have recorded it with the
    URL of their own X account (Demak only liked it); Jepara's waits. Uses the services. Skipped
    when any task exists. Returns the offices that recorded it."""
    from django.utils import timezone

    from humas.channels.models import Channel
    from humas.channels.services import ChannelInput, channel_create
    from humas.coordination.amplification import (
        amplification_create,
        amplification_record,
        amplification_source_from_url,
    )
    from humas.coordination.models import AmplificationTask

    if AmplificationTask.objects.exists():
        return 0
    now = now or timezone.now()
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in={"admin@kpu.test", "editor.ri@kpu.test", *(p for _c, _h, p, _s, _i in DEMO_AMPLIFIERS)}
        )
    }
    offices = {
        o.code: o for o in Office.objects.filter(code__in=["00", *(c for c, *_rest in DEMO_AMPLIFIERS)])
    }
    if not Channel.objects.filter(office=offices["00"], platform="x", is_official=True).exists():
        return 0  # KPU RI's X account comes with demo_official_accounts
    for code, handle, _person, _shared, _interacted in DEMO_AMPLIFIERS:
        if not Channel.objects.filter(office=offices[code], platform="x").exists():
            channel_create(
                actor=people["admin@kpu.test"],
                office=offices[code],
                data=ChannelInput(
                    platform="x",
                    name=offices[code].name,
                    handle=handle,
                    url=PLATFORM_URLS["x"].format(handle),
                    decree_reference=f"Keputusan {offices[code].name} Nomor 5 Tahun 2026",
                ),
            )
    task = amplification_create(
        actor=people["editor.ri@kpu.test"],
        office=offices["00"],
        source=amplification_source_from_url(url=DEMO_AMPLIFIED_URL),
        scope=AmplificationTask.Scope.BELOW,
        deadline=now + timedelta(days=2),
        ask_share=True,
        ask_interact=True,
        instructions=DEMO_AMPLIFICATION_NOTE,
    )
    targets = {t.office.code: t for t in task.targets.select_related("office")}
    for number, (code, handle, person, shared, interacted) in enumerate(DEMO_AMPLIFIERS, start=1):
        amplification_record(
            actor=people[person],
            target=targets[code],
            url=f"https://x.com/{handle}/status/18660000000000{number:05d}" if shared else "",
            shared=shared,
            interacted=interacted,
        )
    return len(DEMO_AMPLIFIERS)


DEMO_CHECKLIST = (
    "Sumber informasi sudah diperiksa",
    "Angka sesuai keputusan resmi (nomor keputusannya ditulis di bawah)",
    "Tidak ada data pribadi (NIK, nomor telepon, alamat pemilih)",
    "Gambar berlisensi atau milik sendiri",
    "Bahasa Indonesia yang baik dan benar",
)


def demo_checklist() -> bool:
    """KPU RI's verification checklist, which every office below uses: set by its Administrator
    after the demo's own approvals. Skipped when any office has one. Returns whether it set it."""
    from humas.publishing.checklist import checklist_set
    from humas.publishing.models import ApprovalChecklist

    if ApprovalChecklist.objects.exists():
        return False
    admin = User.objects.filter(email="admin@kpu.test").first()
    if admin is None:
        return False
    checklist_set(actor=admin, office=Office.objects.get(code="00"), text="\n".join(DEMO_CHECKLIST))
    return True


# The answers the public's questions get most often (humas/inbox): written by KPU RI for every
# office, and one by Jawa Tengah for its regencies; (author, office, title, keywords, body).
DEMO_SAVED_REPLIES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "admin@kpu.test",
        "00",
        "Cek DPT",
        "dpt, daftar pemilih, terdaftar, cek, nik, cekdptonline",
        "Terima kasih sudah bertanya. Status Anda sebagai pemilih dapat dicek di cekdptonline.kpu.go.id "
        "dengan memasukkan NIK sesuai KTP elektronik. Bila nama Anda belum terdaftar, hubungi {kantor} di "
        "{telepon} atau datang ke {alamat}.",
    ),
    (
        "admin@kpu.test",
        "00",
        "Lokasi TPS",
        "tps, lokasi, tempat pemungutan suara, coblos, mencoblos, dimana",
        "Lokasi TPS Anda tercantum di cekdptonline.kpu.go.id setelah memasukkan NIK, dan di surat "
        "pemberitahuan yang dibagikan petugas KPPS sebelum hari pemungutan suara. Pertanyaan lain: "
        "{kantor}, {telepon}.",
    ),
    (
        "admin@kpu.test",
        "00",
        "Pindah memilih",
        "pindah, pindah memilih, dptb, domisili, kuliah, kerja, luar kota, rantau",
        "Pemilih yang akan mencoblos di luar TPS asalnya (karena bekerja, kuliah, atau dirawat) dapat "
        "mengurus pindah memilih di PPS desa/kelurahan, PPK, atau {kantor} sebelum batas waktu yang "
        "ditetapkan KPU. Bawa KTP elektronik. Informasi lengkap: {situs}.",
    ),
    (
        "admin@kpu.test",
        "00",
        "Jadwal tahapan",
        "jadwal, tahapan, kapan, tanggal, pemungutan, hari h",
        "Jadwal lengkap tahapan pemilu diumumkan di jdih.kpu.go.id dan di situs {kantor}: {situs}. Ikuti "
        "juga akun resmi {kantor} untuk pengumuman terbaru.",
    ),
    (
        "admin@kpu.test",
        "00",
        "Kontak kantor",
        "kontak, telepon, alamat, email, hubungi, kantor, nomor",
        "{kantor} dapat dihubungi di {telepon}, e-mail {email}, atau datang langsung ke {alamat} pada "
        "hari dan jam kerja.",
    ),
    (
        "editor.jateng@kpu.test",
        "33",
        "Rekrutmen KPPS",
        "kpps, rekrutmen, pendaftaran, daftar petugas, badan adhoc",
        "Pendaftaran anggota KPPS dibuka oleh PPS di setiap desa/kelurahan. Syarat dan jadwalnya "
        "diumumkan {kantor} di {situs} dan di kantor PPS setempat.",
    ),
)
# KPU Kabupaten Jepara's contact details in its profile (made up for the demo), so its answers
# read filled in where the other offices' show what is missing.
DEMO_JEPARA_PROFILE = {
    "address": "Jl. Contoh Demo No. 1, Jepara (alamat demo)",
    "phone": "0291-000-000 (demo)",
    "email": "demo.jepara@kpu.test",
    "website": "https://jepara.kpu.example",
}


def demo_saved_replies() -> int:
    """The demo's saved replies and Jepara's contact details. Skipped when any saved reply
    exists. Returns how many were written."""
    from humas.inbox.models import SavedReply
    from humas.inbox.services import saved_reply_create

    if SavedReply.objects.exists():
        return 0
    Office.objects.filter(code="33.20").update(**DEMO_JEPARA_PROFILE)
    people = {
        user.email: user for user in User.objects.filter(email__in={row[0] for row in DEMO_SAVED_REPLIES})
    }
    offices = {
        office.code: office
        for office in Office.objects.filter(code__in={row[1] for row in DEMO_SAVED_REPLIES})
    }
    made = 0
    for email, code, title, keywords, body in DEMO_SAVED_REPLIES:
        if email in people and code in offices:
            saved_reply_create(
                actor=people[email], office=offices[code], title=title, keywords=keywords, body=body
            )
            made += 1
    return made


# The demo's media library: cards in each office's brand and drawn illustrations (nothing is
# downloaded; the images are made here).
DEMO_CARDS: tuple[tuple[str, str, dict[str, object], str, bool], ...] = (
    (
        "editor.jateng@kpu.test",
        "33",
        {
            "template": "jadwal",
            "size": "1080x1350",
            "title": "Jadwal pemutakhiran data pemilih 2029",
            "schedule": [
                ["12 Februari 2029", "Pencocokan dan penelitian (coklit) dimulai"],
                ["13 Maret 2029", "Coklit selesai"],
                ["20 Maret 2029", "Rekapitulasi DPS di kecamatan"],
                ["5 April 2029", "Pengumuman DPS di desa dan kelurahan"],
            ],
            "stage": "Pemutakhiran data pemilih",
            "footer": "kpu-jatengprov.go.id",
        },
        "jadwal, coklit, pemutakhiran data",
        True,
    ),
    (
        "operator.jepara@kpu.test",
        "33.20",
        {
            "template": "pengumuman",
            "size": "1080x1080",
            "title": "Petugas coklit datang ke rumah Anda mulai 12 Februari",
            "body": "Siapkan KTP elektronik dan Kartu Keluarga. Petugas membawa surat tugas dan tanda pengenal dari KPU Kabupaten Jepara.",
            "stage": "Pemutakhiran data pemilih",
            "footer": "kab-jepara.kpu.go.id",
        },
        "coklit, pengumuman",
        False,
    ),
    (
        "operator.jepara@kpu.test",
        "33.20",
        {
            "template": "fakta-angka",
            "size": "1200x630",
            "title": "Tempat pemungutan suara di Kabupaten Jepara (data contoh demo)",
            "figure": "2.911",
            "body": "Sumber: Keputusan KPU Kabupaten Jepara Nomor 7 Tahun 2026 (contoh).",
            "stage": "Pemungutan suara",
            "footer": "kab-jepara.kpu.go.id",
        },
        "tps, angka",
        False,
    ),
    (
        "operator.jepara@kpu.test",
        "33.20",
        {
            "template": "klarifikasi",
            "size": "1080x1080",
            "title": "Pemilih yang tidak menerima undangan C6 tidak boleh mencoblos",
            "body": "Pemilih yang terdaftar di DPT tetap dapat mencoblos dengan menunjukkan KTP elektronik di TPS-nya.",
            "verdict": "hoaks",
            "stage": "Pemungutan suara",
            "footer": "kab-jepara.kpu.go.id/klarifikasi",
        },
        "hoaks, klarifikasi, c6",
        False,
    ),
)
DEMO_ILLUSTRATIONS: tuple[tuple[str, str, str, tuple[int, int, int], str, bool], ...] = (
    (
        "editor.jateng@kpu.test",
        "33",
        "Ilustrasi kotak suara transparan di depan bilik suara",
        (139, 0, 0),
        "kotak suara, ilustrasi",
        True,
    ),
    (
        "operator.jepara@kpu.test",
        "33.20",
        "Ilustrasi petugas coklit menempelkan stiker di pintu rumah warga",
        (11, 61, 145),
        "coklit, ilustrasi",
        False,
    ),
)
DEMO_GUIDELINE = {
    "candidates": "Sutrisno Hadi | 1 | pak tris, sutrisno\nRahmawati Dewi | 2 | bu rahma, rahmawati",
    "official_hosts": "jdih.kpu.go.id\nkab-jepara.kpu.go.id",
}


def _illustration(color: tuple[int, int, int]) -> bytes:
    """A flat drawing of a ballot box before a voting booth, in ``color`` (the demo's "photo")."""
    import io

    from PIL import Image, ImageDraw

    width, height = 1200, 800
    image = Image.new("RGB", (width, height), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    for y in range(height // 2, height):  # the floor, darker towards the viewer
        shade = 210 - (y - height // 2) // 8
        draw.line([(0, y), (width, y)], fill=(shade, shade - 6, shade - 14))
    draw.rectangle([760, 140, 1060, 560], fill=(60, 60, 70))  # the booth
    draw.rectangle([780, 160, 1040, 300], fill=color)
    draw.rectangle([300, 330, 640, 620], fill=(225, 235, 245), outline=(90, 100, 120), width=6)  # the box
    draw.rectangle([300, 330, 640, 380], fill=color)
    draw.rectangle([420, 342, 520, 356], fill=(30, 30, 30))  # the slot
    draw.polygon([(440, 300), (500, 250), (520, 272), (460, 322)], fill=(255, 255, 255), outline=(80, 80, 80))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def demo_library() -> int:
    """Jepara's and Central Java's media library (cards and illustrations, some shared with the
    offices below) and Jepara's additions to the guideline. Skipped when the library has any
    image; cards are skipped (with a note in the log) when the card fonts are missing."""
    import logging

    from django.core.files.uploadedfile import SimpleUploadedFile

    from humas.guideline.rules import RulesInput, guideline_rules_set
    from humas.library.models import Asset
    from humas.library.services import Description, asset_upload, card_make, card_spec
    from humas.media.cards import CardFontsMissing

    if Asset.objects.exists():
        return 0
    people = {
        u.email: u for u in User.objects.filter(email__in={row[0] for row in DEMO_CARDS} | {"admin@kpu.test"})
    }
    offices = {o.code: o for o in Office.objects.filter(code__in=["33", "33.20"])}
    if len(offices) < 2 or len(people) < 3:
        return 0
    made = 0
    for email, code, alt_text, color, tags, shared in DEMO_ILLUSTRATIONS:
        asset_upload(
            actor=people[email],
            office=offices[code],
            file=SimpleUploadedFile("ilustrasi.png", _illustration(color), content_type="image/png"),
            description=Description(
                alt_text=alt_text,
                title=alt_text.removeprefix("Ilustrasi ").capitalize(),
                credit="Ilustrasi demo Humas",
                tags=tags,
                shared_below=shared,
            ),
        )
        made += 1
    try:
        for email, code, values, tags, shared in DEMO_CARDS:
            office = offices[code]
            card_make(
                actor=people[email],
                office=office,
                spec=card_spec(office=office, values=values),
                tags=tags,
                shared_below=shared,
            )
            made += 1
    except CardFontsMissing as missing:
        logging.getLogger(__name__).warning("demo cards skipped: %s", missing)
    guideline_rules_set(
        actor=people["admin@kpu.test"], office=offices["33.20"], data=RulesInput(**DEMO_GUIDELINE)
    )
    return made


# Three months of history for the analytics dashboards (Analitik): KPU Kabupaten Jepara, KPU
# Provinsi Jawa Tengah, KPU RI and a few of Jawa Tengah's regencies posted on their channels and
# published portal articles, with the counts their platforms reported. Written as raw rows (posts,
# deliveries, metrics snapshots, articles, view counts) in bulk, then aggregated by the analytics
# rebuild, as the nightly job would. Invented for the demo; not real figures.
DEMO_ANALYTICS_SEED = 2029
# The invented event the posting and the views peak around: the start of coklit, this many days ago.
DEMO_ANALYTICS_EVENT_DAYS_AGO = 30
# The last days (today included) are left to the live demo: no history post is sent in them.
DEMO_ANALYTICS_QUIET_DAYS = 2
# (office code, posts per weekday, audience scale, portal articles per week, platforms).
# Jepara is the most active; KPU RI the largest audience.
DEMO_ANALYTICS_OFFICES: list[tuple[str, float, float, float, tuple[str, ...]]] = [
    ("33.20", 2.2, 1.0, 3.0, ("instagram", "facebook", "x", "tiktok")),
    ("33", 1.6, 3.0, 2.0, ("instagram", "facebook", "x")),
    ("00", 1.9, 14.0, 4.0, ("instagram", "facebook", "x", "youtube")),
    ("33.74", 1.2, 0.9, 1.5, ("instagram", "facebook", "x")),
    ("33.19", 0.9, 0.5, 1.0, ("instagram", "facebook", "x")),
    ("33.18", 0.8, 0.5, 1.0, ("instagram", "facebook", "x")),
    ("33.21", 0.7, 0.4, 0.7, ("instagram", "facebook")),
    ("33.22", 0.8, 0.5, 0.8, ("instagram", "facebook")),
    ("33.72", 1.0, 0.7, 1.2, ("instagram", "facebook")),
    ("33.24", 0.6, 0.35, 0.6, ("instagram", "facebook")),
    ("33.02", 0.9, 0.55, 1.0, ("instagram", "facebook")),
]
# Share of the office's posts that go to each platform (the main accounts get nearly all).
DEMO_ANALYTICS_REACH = {"instagram": 0.95, "facebook": 0.9, "x": 0.65, "tiktok": 0.3, "youtube": 0.15}
# Final counts (a week after sending) for a post of an office of audience scale 1: (low, high).
# None: the platform does not give it (as its connector reports).
DEMO_ANALYTICS_COUNTS: dict[str, dict[str, tuple[int, int] | None]] = {
    "instagram": {
        "reactions": (150, 600),
        "comments": (4, 40),
        "shares": (5, 60),
        "impressions": None,
        "reach": (2000, 9000),
        "views": (3000, 15000),
        "link_clicks": None,
    },
    "facebook": {
        "reactions": (40, 250),
        "comments": (2, 30),
        "shares": (5, 60),
        "impressions": (2000, 12000),
        "reach": (1500, 9000),
        "views": None,
        "link_clicks": (20, 300),
    },
    "x": {
        "reactions": (5, 60),
        "comments": (0, 10),
        "shares": (2, 25),
        "impressions": (800, 5000),
        "reach": None,
        "views": None,
        "link_clicks": (3, 60),
    },
}
# The share of the final counts reached at each point of the metrics schedule (+1 h … +7 d).
DEMO_ANALYTICS_GROWTH = (0.25, 0.55, 0.8, 0.95, 1.0)
DEMO_ANALYTICS_POSTS = (
    "Coklit hari ini: pantarlih mendatangi warga di {place}. Siapkan KTP elektronik dan KK.",
    "Cek status Anda sebagai pemilih di cekdptonline.kpu.go.id, cukup dengan NIK.",
    "Rapat koordinasi persiapan tahapan bersama PPK se-{place}.",
    "Sosialisasi pemilih pemula bersama relawan demokrasi di {place}.",
    "Pemilih pindah domisili? Urus pindah memilih paling lambat 30 hari sebelum pemungutan suara.",
    "Infografis: tahapan pemilu yang sedang berjalan dan jadwal berikutnya.",
    "Terima kasih kepada petugas pantarlih yang bekerja sampai ke pelosok {place}.",
    "Bimbingan teknis bagi badan ad hoc digelar di aula {place}.",
    "Kenali petugas resmi: pantarlih membawa surat tugas dan tanda pengenal dari KPU.",
    "Layanan informasi publik {place} buka Senin sampai Jumat pukul 08.00-16.00.",
    "Live tanya jawab malam ini bersama divisi sosialisasi, kirim pertanyaan Anda di kolom komentar.",
    "Ayo jadi pemilih cerdas: cek informasi hanya dari kanal resmi KPU.",
)
# Articles: (type, title, summary). Clarifications also (claim, verdict). Topics kept apart from
# the demo's monitoring sample so its narratives match what they matched before.
DEMO_ANALYTICS_ARTICLES = (
    (
        "berita",
        "Pantarlih mulai mendatangi rumah warga di {place}",
        "Coklit berjalan serentak di semua desa.",
    ),
    ("berita", "Rapat koordinasi persiapan tahapan di {place}", "PPK dan PPS menyamakan jadwal kerja."),
    ("berita", "Sosialisasi pemilih pemula di sekolah-sekolah {place}", "Relawan demokrasi menyapa siswa."),
    (
        "pengumuman",
        "Jadwal layanan pindah memilih di {place}",
        "Layanan dibuka di kantor KPU pada hari kerja.",
    ),
    ("siaran-pers", "Capaian coklit pekan ini di {place}", "Sebagian besar rumah warga sudah didatangi."),
    ("infografis", "Tahapan pemilu yang sedang berjalan di {place}", "Ringkasan jadwal dalam satu gambar."),
)
DEMO_ANALYTICS_CLAIMS = (
    (
        "Tidak benar pantarlih memungut biaya pendaftaran pemilih",
        "Coklit tidak dipungut biaya apa pun; laporkan petugas yang meminta uang.",
        "Beredar pesan bahwa warga harus membayar Rp50.000 kepada pantarlih agar terdaftar sebagai pemilih.",
        "hoaks",
    ),
    (
        "Akun WhatsApp yang menjanjikan hadiah atas nama KPU adalah palsu",
        "KPU tidak pernah membagikan hadiah lewat pesan berantai.",
        "Sebuah akun WhatsApp mengatasnamakan KPU menjanjikan pulsa bagi warga yang mengisi formulir daring.",
        "salah",
    ),
    (
        "Pendaftaran badan ad hoc tidak melalui perantara",
        "Seleksi PPK dan PPS terbuka dan gratis; tidak ada jalur titipan.",
        "Beredar tawaran jasa perantara yang menjamin kelulusan seleksi anggota PPS dengan imbalan uang.",
        "disinformasi",
    ),
)


def _demo_metric_counts(
    rng: random.Random, platform: str, scale: float
) -> tuple[dict[str, int | None], dict[str, int]]:
    """A post's final counts on ``platform`` for an audience ``scale`` (None: not given), and its
    extra counts."""
    counts: dict[str, int | None] = {}
    # One draw for how well the post did, shared by its counts (a good post does well on all).
    luck = rng.lognormvariate(0, 0.35) * scale
    for name, bounds in DEMO_ANALYTICS_COUNTS[platform].items():
        counts[name] = None if bounds is None else int(rng.uniform(*bounds) * luck)
    extra: dict[str, int] = {}
    if platform == "instagram":
        extra["saved"] = int(rng.uniform(5, 50) * luck)
    elif platform == "x":
        extra = {"bookmarks": int(rng.uniform(0, 8) * luck), "quotes": int(rng.uniform(0, 4) * luck)}
    return counts, extra


# Followers of a demo channel on the first day of the history, for an audience scale of 1 (KPU RI's
# is 14), and the share they grow by on an ordinary day; they grow faster in the week before the
# demo's event, as an election commission's accounts do before a vote.
DEMO_ANALYTICS_FOLLOWERS = {
    "facebook": 8_400,
    "instagram": 5_200,
    "x": 2_600,
    "tiktok": 3_100,
    "youtube": 900,
}
DEMO_ANALYTICS_FOLLOWER_GROWTH = 0.0015


def _demo_follower_counts(
    channels: dict[str, list[Channel]], offices: dict[str, Office], *, first: date, today: date
) -> list[FollowerCount]:
    """A FollowerCount for every day of [first, today) of every demo channel (today is left to the
    live collection and to the people recording theirs), growing a little each day and faster
    before the demo's event. Deterministic."""
    from humas.analytics.models import FollowerCount  # noqa: F811 - the demo imports apps lazily

    rng = random.Random(DEMO_ANALYTICS_SEED + 21)
    scales = {code: scale for code, _rate, scale, _weekly, _platforms in DEMO_ANALYTICS_OFFICES}
    rows = []
    for code, found in channels.items():
        zone = offices[code].zoneinfo
        for channel in found:
            base = DEMO_ANALYTICS_FOLLOWERS.get(channel.platform, 1_000) * scales.get(code, 1.0)
            count = base * rng.uniform(0.8, 1.25)
            rate = DEMO_ANALYTICS_FOLLOWER_GROWTH * rng.uniform(0.7, 1.3)
            day = first
            while day < today:
                since_event = DEMO_ANALYTICS_EVENT_DAYS_AGO - (today - day).days
                # The bump: up to five times the usual growth two days before the event.
                bump = 1.0 + 4.0 * 0.7 ** abs(since_event + 2)
                count *= 1 + rate * bump * rng.uniform(0.4, 1.6)
                at = datetime.combine(day, datetime.min.time(), zone) + timedelta(
                    hours=9, minutes=rng.randint(0, 50)
                )
                rows.append(FollowerCount(channel=channel, day=day, count=int(count), collected_at=at))
                day += timedelta(days=1)
    return rows


def demo_analytics(*, days: int = 90, now: datetime | None = None) -> int:
    """``days`` days of history for the analytics dashboards: KPU Kabupaten Jepara, KPU Provinsi
    Jawa Tengah, KPU RI and eight of Jawa Tengah's regencies posted 0-4 times a day on their
    channels (a weekly rhythm, a peak around the start of coklit) with the counts their platforms
    reported, and published portal articles (a few clarifications) read less and less after
    publication, by fewer distinct visitors a day than views. Raw rows written in bulk (no audit
    events, no notifications: nothing happens now), then each day aggregated
    (``analytics.aggregate.day_rebuild``). Posts are published with sent deliveries whose metrics
    schedule is over, none in the last DEMO_ANALYTICS_QUIET_DAYS days;
    in the last month a regency recorded by demo_activity posts only on the days it was active, so
    Keaktifan unggahan keeps its ranking. Deterministic. Skipped (0) when the history exists.
    Returns the days rebuilt."""
    from zoneinfo import ZoneInfo

    from django.db.models import F, OuterRef, Subquery
    from django.utils import timezone
    from django.utils.text import slugify
    from django.utils.translation import gettext

    from humas.analytics.aggregate import day_rebuild
    from humas.analytics.models import ChannelDay, FollowerCount
    from humas.channels.models import Channel
    from humas.channels.services import ChannelInput, channel_create
    from humas.portal.models import (
        Article,
        ArticleVersion,
        ArticleViewDaily,
        ArticleViewTotal,
        OfficeVisitorDaily,
    )
    from humas.portal.search import article_reindex_all
    from humas.publishing.metrics import metrics_schedule
    from humas.publishing.models import Delivery, DeliveryMetrics, Post, PostVersion, Publication

    now = now or timezone.now()
    wib = ZoneInfo(Office.TimeZone.WIB)
    today = timezone.localtime(now, wib).date()
    first = today - timedelta(days=days - 1)
    if days <= 0 or ChannelDay.objects.filter(day__lt=today - timedelta(days=30)).exists():
        return 0
    people = {
        u.email: u
        for u in User.objects.filter(
            email__in=[
                "admin@kpu.test",
                "editor.ri@kpu.test",
                "editor.jateng@kpu.test",
                "operator.jepara@kpu.test",
            ]
        )
    }
    if len(people) < 4:
        return 0
    offices = {o.code: o for o in Office.objects.filter(code__in=[row[0] for row in DEMO_ANALYTICS_OFFICES])}
    # (author, approver) of each office's posts and articles: the demo people who work there.
    crew = {
        "33.20": (people["operator.jepara@kpu.test"], people["editor.jateng@kpu.test"]),
        "00": (people["admin@kpu.test"], people["editor.ri@kpu.test"]),
    }
    provincial = (people["editor.jateng@kpu.test"], people["admin@kpu.test"])
    schedule = metrics_schedule()
    rng = random.Random(DEMO_ANALYTICS_SEED)

    # The channels: the demo's where they exist, else registered as an Administrator would.
    channels: dict[str, list[Channel]] = {}
    for code, _rate, _scale, _weekly, platforms in DEMO_ANALYTICS_OFFICES:
        office = offices.get(code)
        if office is None:
            continue
        existing = {
            c.platform: c for c in Channel.objects.filter(office=office, is_active=True).order_by("-pk")
        }
        found = []
        for platform in platforms:
            channel = existing.get(platform)
            if channel is None:
                handle = "kpu" + slugify(office.name).replace("-", "")[:24]
                channel = channel_create(
                    actor=people["admin@kpu.test"],
                    office=office,
                    data=ChannelInput(
                        platform=platform,
                        name=office.name,
                        handle=handle,
                        url=PLATFORM_URLS.get(platform, "https://www.youtube.com/@{}").format(handle),
                        decree_reference=f"Keputusan {office.name} Nomor 2 Tahun 2026",
                    ),
                )
            found.append(channel)
        channels[code] = found

    # A regency's active days of the last month as demo_activity recorded them (Keaktifan unggahan).
    recorded_since = datetime.combine(
        today - timedelta(days=DEMO_ACTIVITY_DAYS + 1), datetime.min.time(), wib
    )
    recorded: dict[int, set[object]] = {}
    for office_id, sent_at in Delivery.objects.filter(
        state=Delivery.State.SENT, sent_at__gte=recorded_since, publication__post__office__in=offices.values()
    ).values_list("publication__post__office_id", "sent_at"):
        recorded.setdefault(office_id, set()).add(timezone.localtime(sent_at, wib).date())

    posts: list[Post] = []
    sends: list[list[tuple[Channel, datetime]]] = []
    articles: list[Article] = []
    last_post_day = today - timedelta(days=DEMO_ANALYTICS_QUIET_DAYS)
    for code, rate, _scale, weekly, _platforms in DEMO_ANALYTICS_OFFICES:
        office = offices.get(code)
        if office is None:
            continue
        author, approver = crew.get(code, provincial)
        zone = office.zoneinfo
        regency = office.parent_id is not None and code != "33.20" and code.startswith("33.")
        active = recorded.get(office.pk) if regency else None
        place = office.name
        for offset in range(days):
            day = first + timedelta(days=offset)
            days_ago = (today - day).days
            weekday = (1.0, 1.0, 1.0, 1.0, 0.9, 0.55, 0.3)[day.weekday()]
            since_event = DEMO_ANALYTICS_EVENT_DAYS_AGO - days_ago
            # The peak: a week of build-up to the start of coklit, then a slow return.
            peak = 1.0 + (1.4 * 0.8**since_event if since_event >= 0 else 0.7 * 0.6**-since_event)
            if day <= last_post_day and (
                active is None or days_ago > DEMO_ACTIVITY_DAYS + 1 or day in active
            ):
                count = min(4, max(0, round(rng.gauss(rate * weekday * peak, 0.7))))
                if code == "33.20" and day.weekday() < 5:
                    count = max(count, 1)
                for _n in range(count):
                    at = datetime.combine(day, datetime.min.time(), zone) + timedelta(
                        hours=rng.randint(7, 20), minutes=rng.randint(0, 59)
                    )
                    chosen = [c for c in channels[code] if rng.random() < DEMO_ANALYTICS_REACH[c.platform]]
                    chosen = chosen or channels[code][:1]
                    text = rng.choice(DEMO_ANALYTICS_POSTS).format(place=place)
                    posts.append(
                        Post(
                            office=office,
                            author=author,
                            approved_by=approver,
                            approved_at=at - timedelta(hours=rng.randint(1, 20)),
                            text=text,
                            status=Post.Status.PUBLISHED,
                            scheduled_at=at,
                            last_changed_by=author,
                            last_changed_at=at - timedelta(hours=22),
                            election_stage="pemutakhiran-data-pemilih" if "antarlih" in text else "",
                        )
                    )
                    sends.append(
                        [(channel, at + timedelta(seconds=rng.randint(2, 40))) for channel in chosen]
                    )
            # Portal articles on working days; a clarification now and then.
            if day.weekday() < 5 and (rng.random() < weekly * peak / 5 or (code == "33.20" and offset == 0)):
                at = datetime.combine(day, datetime.min.time(), zone) + timedelta(
                    hours=rng.randint(8, 16), minutes=rng.randint(0, 59)
                )
                fields: dict[str, object]
                if rng.random() < 0.12:
                    title, summary, claim, verdict = rng.choice(DEMO_ANALYTICS_CLAIMS)
                    fields = {
                        "type": "klarifikasi",
                        "title": title,
                        "summary": summary,
                        "claim": claim,
                        "claim_appearances": ["https://wa.me/"],
                        "verdict": verdict,
                        "evidence_links": ["https://jdih.kpu.go.id/"],
                    }
                else:
                    kind, title, summary = rng.choice(DEMO_ANALYTICS_ARTICLES)
                    fields = {"type": kind, "title": title.format(place=place), "summary": summary}
                body = (
                    f"<p>{fields['summary']}</p><p>Informasi lengkap dapat ditanyakan di kantor {place}.</p>"
                )
                number = len(articles) + 1
                articles.append(
                    Article(
                        office=office,
                        slug=f"{slugify(str(fields['title']))[:100]}-{number}",
                        body=body,
                        body_text=f"{fields['summary']}\n\nInformasi lengkap dapat ditanyakan di kantor {place}.",
                        status=Article.Status.PUBLISHED,
                        published_at=at,
                        author=author,
                        approved_by=approver,
                        last_changed_by=author,
                        last_changed_at=at - timedelta(hours=3),
                        version=1,
                        election_stage="pemutakhiran-data-pemilih",
                        **fields,
                    )
                )

    views_until = now.astimezone(ZoneInfo("UTC")).date() - timedelta(days=1)
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=500)
        # Written before they went out, not now (the list of Konten is newest first).
        Post.objects.filter(pk__in=[p.pk for p in posts]).update(
            created_at=F("scheduled_at") - timedelta(days=1)
        )
        Post.channels.through.objects.bulk_create(
            [
                Post.channels.through(post_id=post.pk, channel_id=channel.pk)
                for post, targets in zip(posts, sends, strict=True)
                for channel, _at in targets
            ],
            batch_size=1000,
        )
        PostVersion.objects.bulk_create(
            [
                PostVersion(
                    post=post,
                    number=1,
                    text=post.text,
                    channels=sorted(str(channel) for channel, _at in targets),
                    written_by=post.author,
                    written_at=post.last_changed_at or post.approved_at,
                    approved_by=post.approved_by,
                    approved_at=post.approved_at,
                )
                for post, targets in zip(posts, sends, strict=True)
                if post.approved_by is not None and post.approved_at is not None
            ],
            batch_size=500,
        )
        publications = Publication.objects.bulk_create(
            [Publication(post=post, created_by=post.approved_by or post.author) for post in posts],
            batch_size=500,
        )
        Publication.objects.filter(pk__in=[p.pk for p in publications]).update(
            created_at=Subquery(Post.objects.filter(pk=OuterRef("post_id")).values("scheduled_at")[:1])
        )
        scales = {offices[row[0]].pk: row[2] for row in DEMO_ANALYTICS_OFFICES if row[0] in offices}
        unavailable_note = gettext("Platform ini tidak menyediakan statistik unggahan lewat API.")
        deliveries: list[Delivery] = []
        for publication, post, targets in zip(publications, posts, sends, strict=True):
            for channel, sent_at in targets:
                assisted = channel.platform not in DEMO_ANALYTICS_COUNTS
                deliveries.append(
                    Delivery(
                        publication=publication,
                        channel=channel,
                        state=Delivery.State.SENT,
                        attempt_count=0 if assisted else 1,
                        sent_at=sent_at,
                        # Assisted: recorded by hand from the public link, as demo_activity does.
                        platform_post_id="" if assisted else str(rng.randint(10**15, 10**16 - 1)),
                        url=f"{channel.url.rstrip('/')}/{'video' if assisted else 'posts'}/{publication.pk}",
                        marked_by=post.author if assisted else None,
                        # As metrics_start leaves an assisted delivery; the others' schedule is over.
                        metrics_state=Delivery.MetricsState.UNAVAILABLE
                        if assisted
                        else Delivery.MetricsState.DONE,
                        metrics_stage=0 if assisted else len(schedule),
                        metrics_note=unavailable_note if assisted else "",
                    )
                )
        Delivery.objects.bulk_create(deliveries, batch_size=500)

        # The snapshots of each schedule point passed (a point now and then skipped, as when a
        # platform did not answer); the counts grow towards the week's final figures.
        snapshots: list[DeliveryMetrics] = []
        last_collected: dict[int, datetime] = {}
        for delivery, (channel, sent_at) in zip(
            deliveries, [send for targets in sends for send in targets], strict=True
        ):
            if channel.platform not in DEMO_ANALYTICS_COUNTS or not schedule:
                continue
            days_ago = (today - timezone.localtime(sent_at, wib).date()).days
            since_event = DEMO_ANALYTICS_EVENT_DAYS_AGO - days_ago
            boost = 1.0 + (0.8 * 0.85**since_event if since_event >= 0 else 0.0)
            final, extra = _demo_metric_counts(rng, channel.platform, scales[channel.office_id] * boost)
            points = [stage for stage, after in enumerate(schedule) if sent_at + after <= now]
            kept = [s for s in points if s == points[-1] or rng.random() > 0.1]
            for stage in kept:
                share = DEMO_ANALYTICS_GROWTH[stage] if stage < len(DEMO_ANALYTICS_GROWTH) else 1.0
                at = sent_at + schedule[stage] + timedelta(minutes=rng.randint(1, 9))
                counts = {
                    name: None if value is None else int(value * share) for name, value in final.items()
                }
                snapshots.append(
                    DeliveryMetrics(
                        delivery=delivery,
                        stage=stage,
                        collected_at=at,
                        extra={name: int(value * share) for name, value in extra.items()},
                        unavailable=[name for name, value in counts.items() if value is None],
                        **counts,
                    )
                )
                last_collected[delivery.pk] = at
        DeliveryMetrics.objects.bulk_create(snapshots, batch_size=1000)
        collected = Delivery.objects.filter(pk__in=list(last_collected))
        collected.update(
            metrics_latest=Subquery(
                DeliveryMetrics.objects.filter(delivery=OuterRef("pk")).order_by("-stage").values("pk")[:1]
            ),
            metrics_collected_at=Subquery(
                DeliveryMetrics.objects.filter(delivery=OuterRef("pk"))
                .order_by("-stage")
                .values("collected_at")[:1]
            ),
        )

        Article.objects.bulk_create(articles, batch_size=500)
        Article.objects.filter(pk__in=[a.pk for a in articles]).update(
            created_at=F("published_at") - timedelta(hours=4)
        )
        ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(
                    article=article,
                    number=1,
                    title=article.title,
                    summary=article.summary,
                    body=article.body,
                    created_by=article.author,
                    approved_by=article.approved_by,
                    approved_at=article.published_at,
                )
                for article in articles
            ],
            batch_size=500,
        )
        # Views (UTC days, as the portal counts them): most on the first days, then a long tail.
        views: list[ArticleViewDaily] = []
        totals: list[ArticleViewTotal] = []
        for article in articles:
            assert article.published_at is not None
            published = article.published_at.astimezone(ZoneInfo("UTC")).date()
            since_event = DEMO_ANALYTICS_EVENT_DAYS_AGO - (today - published).days
            boost = 1.0 + (1.0 * 0.85**since_event if since_event >= 0 else 0.0)
            top = 180 * scales[article.office_id] * boost * rng.lognormvariate(0, 0.4)
            if article.type == "klarifikasi":
                top *= 2.5
            total = 0
            day = published
            while day <= views_until:
                age = (day - published).days
                count = int(top * (0.55**age + 0.015) * rng.uniform(0.8, 1.2))
                if count < 1:
                    break
                views.append(ArticleViewDaily(article=article, day=day, count=count))
                total += count
                day += timedelta(days=1)
            totals.append(ArticleViewTotal(article=article, count=total))
        ArticleViewDaily.objects.bulk_create(views, batch_size=1000)
        ArticleViewTotal.objects.bulk_create(totals, batch_size=1000)
        # Distinct visitors per office and UTC day: fewer than its views (a reader opens one or two
        # articles). Drawn from a stream of their own, so the rest of the history stays as it was.
        visitor_rng = random.Random(DEMO_ANALYTICS_SEED + 22)
        office_views: dict[tuple[int, date], int] = {}
        for row in views:
            key = (row.article.office_id, row.day)
            office_views[key] = office_views.get(key, 0) + row.count
        OfficeVisitorDaily.objects.bulk_create(
            [
                OfficeVisitorDaily(
                    office_id=office_id, day=day, count=max(1, int(count * visitor_rng.uniform(0.55, 0.8)))
                )
                for (office_id, day), count in sorted(office_views.items())
            ],
            batch_size=1000,
        )
        article_reindex_all()  # PostgreSQL's search vectors; nothing on SQLite

    FollowerCount.objects.bulk_create(
        _demo_follower_counts(channels, offices, first=first, today=today),
        batch_size=1000,
        ignore_conflicts=True,
    )
    for offset in range(days):
        day_rebuild(day=first + timedelta(days=offset))
    return days
