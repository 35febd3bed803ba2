"""Write humas/demo/data/monitoring_sample.jsonl: the items `humas demo` takes in at start.

Every text is written for the demo from the templates below (none is a real post), with a fixed
seed, so the file is the same on every run. Each line is a monitoring record plus
``minutes_ago`` (the demo turns it into a time relative to its start, so the spiking narrative
spikes whenever the demo is started) and ``source`` (which demo source takes it in).

    python scripts/demo_sample.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "humas" / "demo" / "data" / "monitoring_sample.jsonl"
RNG = random.Random(2026)
# The comments on KPU Jepara's channels carry the ids the platform gives comments: `humas demo`
# puts them on the fake platforms with these ids (under a Page post and an Instagram media with
# the ids of humas/demo/fakes.py DEMO_POSTS), so a reply Humas sends reaches a comment that exists.
FACEBOOK_POST = "2026000000000001"

HANDLES = [
    "warga_jepara",
    "mas_bagus88",
    "ibu_sri_tahunan",
    "pemuda_mlonggo",
    "kabar_kalinyamatan",
    "infojeparaterkini",
    "ruslan.welahan",
    "dewi_bangsri",
    "arif_pecangaan",
    "nelayan_karimun",
    "ojol_jepara",
    "guru_honorer_jpr",
]

# (narrative, source, platform, how many, spread in minutes (oldest, newest), templates, tails)
STORIES = [
    (
        "clarified",  # matches the demo's published clarification
        "comments",
        "facebook",
        36,
        (60 * 60, 60 * 3),
        [
            "Surat suara di gudang logistik KPU Jepara sudah dicoblos sebelum hari pemungutan",
            "Ada foto surat suara sudah tercoblos di gudang KPU Jepara sebelum hari pemungutan suara",
            "Beredar foto surat suara yang sudah dicoblos di gudang logistik KPU Jepara, curang!",
            "Surat suara di gudang KPU Jepara sudah tercoblos duluan sebelum pemungutan suara?",
        ],
        ["", " Benar ga min?", " Tolong dijelaskan", " Sebarkan!!", " Astaga", " Mohon klarifikasinya KPU"],
    ),
    (
        "spike-baseline",
        "comments",
        "facebook",
        10,
        (60 * 13, 70),
        [
            "Sirekap KPU Jepara menggelembungkan perolehan suara paslon 2 sampai 300 persen",
            "Katanya Sirekap KPU Jepara menggelembungkan suara paslon 2 sampai 300 persen",
        ],
        ["", " beneran?", " hmm"],
    ),
    (
        "spike",
        "search",
        "x",
        64,
        (55, 1),
        [
            "Sirekap KPU Jepara menggelembungkan perolehan suara paslon 2 sampai 300 persen di banyak TPS",
            "VIRAL: Sirekap KPU Jepara gelembungkan suara paslon 2 sampai 300 persen, KPU diam saja",
            "Data Sirekap Jepara digelembungkan, suara paslon 2 naik 300 persen dalam semalam",
            "Sirekap KPU Jepara menggelembungkan suara paslon 2 sampai 300 persen, usut tuntas!",
        ],
        ["", " #KPUCurang", " #PemiluJujur", " Bawaslu mana?", " sebarkan", " parah"],
    ),
    (
        "dpt",
        "comments",
        "facebook",
        24,
        (60 * 40, 60 * 2),
        [
            "DPT Jepara ada 5.000 pemilih siluman yang sudah meninggal masih terdaftar",
            "Ribuan pemilih siluman di DPT Kabupaten Jepara, orang meninggal masih terdaftar",
            "DPT Jepara berisi pemilih yang sudah meninggal, ada 5 ribu nama siluman",
        ],
        ["", " tolong dicek KPU", " pantas aja", " datanya ngawur"],
    ),
    (
        "tps",
        "instagram",
        "instagram",
        14,
        (60 * 20, 30),
        [
            "TPS di Kecamatan Tahunan dipindah tanpa pemberitahuan ke warga",
            "Lokasi TPS Kecamatan Tahunan Jepara pindah mendadak tanpa pengumuman",
        ],
        ["", " gimana ini min", " warga bingung", " ?"],
    ),
    (
        "national",
        "search",
        "x",
        18,
        (60 * 30, 60),
        [
            "Pemilu 2029 akan ditunda dua tahun karena anggaran habis, kata pejabat",
            "Kabar pemilu 2029 ditunda dua tahun karena anggaran negara habis",
        ],
        ["", " serius?", " hoaks kah?", " waduh"],
    ),
    (
        "semarang",
        "search",
        "x",
        14,
        (60 * 26, 60 * 4),
        [
            "Kotak suara di Semarang dibuka sebelum rekapitulasi, segel rusak",
            "Video kotak suara Semarang dibuka sebelum rapat rekapitulasi, segelnya rusak",
        ],
        ["", " curang", " usut!", ""],
    ),
]

CHATTER = [
    "Semoga Jepara makin maju dan sejahtera",
    "Min, info lowongan kerja di Jepara ada?",
    "Mantap kegiatannya, sukses terus",
    "Jalan di Mlonggo rusak parah mohon diperbaiki",
    "Selamat pagi Jepara, cuaca cerah hari ini",
    "Ukiran Jepara memang terbaik",
    "Kapan ada festival kartini lagi?",
    "Pantai Kartini ramai banget minggu ini",
    "Terima kasih infonya min",
    "Kantornya buka jam berapa ya?",
]


IMPOSTOR = [
    "INFO RESMI KPU Jepara: pemungutan suara di Kabupaten Jepara diundur ke 15 Februari. Sebarkan!",
    "INFO RESMI: TPS di Jepara buka mulai jam 10 pagi, bukan jam 7. Mohon disebarkan",
    "Pengumuman resmi KPU Kabupaten Jepara: pemilih wajib membawa fotokopi KK ke TPS",
]


def item_id(platform: str, serial: int) -> str:
    """The item's id on its platform: a Facebook comment's ``{post}_{comment}``, an Instagram
    comment's digits, an X post's (made-up) id."""
    if platform == "facebook":
        return f"{FACEBOOK_POST}_20261{serial:011d}"
    if platform == "instagram":
        return f"1793026{serial:010d}"
    return f"demo-{serial:05d}"


def facebook_url(serial: int) -> str:
    """Where the comment is on facebook.com (its permalink: the post, the comment named)."""
    return f"https://www.facebook.com/kpukabjepara/posts/{FACEBOOK_POST}?comment_id=20261{serial:011d}"


def main() -> None:
    lines = []
    serial = 0
    for story, source, platform, count, (oldest, newest), templates, tails in STORIES:
        for n in range(count):
            serial += 1
            minutes = round(oldest - (oldest - newest) * n / max(count - 1, 1)) + RNG.randint(0, 2)
            handle = RNG.choice(HANDLES)
            text = RNG.choice(templates) + RNG.choice(tails)
            if platform == "x":
                url = f"https://x.com/{handle}/status/{1_800_000_000_000_000_000 + serial}"
            elif platform == "instagram":
                url = f"https://www.instagram.com/p/demo{serial:05d}/"
            else:
                url = facebook_url(serial)
            reactions = RNG.randint(0, 40) * (8 if story == "spike" else 1)
            lines.append(
                {
                    "source": source,
                    "story": story,
                    "minutes_ago": max(minutes, 0),
                    "platform": platform,
                    "external_id": item_id(platform, serial),
                    "author_handle": f"@{handle}",
                    "url": url,
                    "text": text,
                    "reactions": reactions,
                    "comments": RNG.randint(0, 12),
                    "shares": RNG.randint(0, 30) * (5 if story == "spike" else 1),
                }
            )
    for _ in range(60):
        serial += 1
        handle = RNG.choice(HANDLES)
        lines.append(
            {
                "source": "comments",
                "story": "chatter",
                "minutes_ago": RNG.randint(5, 60 * 48),
                "platform": "facebook",
                "external_id": item_id("facebook", serial),
                "author_handle": f"@{handle}",
                "url": facebook_url(serial),
                "text": RNG.choice(CHATTER),
                "reactions": RNG.randint(0, 10),
                "comments": 0,
                "shares": 0,
            }
        )
    # An account imitating KPU Kabupaten Jepara's X account (@kpujepara) spreads a false date; the
    # impersonation watch flags it (Pemantauan → Akun tiruan). Last, so the lines above are as before.
    for n, text in enumerate(IMPOSTOR):
        serial += 1
        lines.append(
            {
                "source": "search",
                "story": "impostor",
                "minutes_ago": 90 - 20 * n,
                "platform": "x",
                "external_id": item_id("x", serial),
                "author_handle": "@kpujepara_0fficial",
                "url": f"https://x.com/kpujepara_0fficial/status/{1_800_000_000_000_000_000 + serial}",
                "text": text,
                "reactions": 40 + 10 * n,
                "comments": 3,
                "shares": 25,
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} items -> {OUT}")


if __name__ == "__main__":
    main()
