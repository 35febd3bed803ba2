"""Branded image cards (humas/media/cards.py): checks, text fitting, layout, fonts, alt text.

The golden images of every template × size are in test_cards_golden.py; the specs they draw are
built here (``golden_spec``), as are the longest texts the limits allow (``longest_spec``).
"""

from __future__ import annotations

import io
import itertools
import struct
import zlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from humas.media import cards
from humas.media.cards import (
    ALT_TEXT_MAX,
    ATTRIBUTION_MAX,
    BODY_MAX,
    FIGURE_MAX,
    FLOOR_SIZE,
    FOOTER_MAX,
    OFFICE_NAME_MAX,
    SCHEDULE_PART_MAX,
    SCHEDULE_ROWS_MAX,
    SIZE_LABELS,
    SIZES,
    STAGE_MAX,
    TEMPLATE_LABELS,
    TITLE_MAX,
    VERDICTS,
    CardFontsMissing,
    CardLayout,
    CardRefused,
    CardSpec,
    CardStyle,
    Template,
    TextDoesNotFit,
    card_alt_text,
    card_check,
    card_layout,
    card_png,
    card_render,
    fit_text,
)

OFFICE = "Komisi Independen Pemilihan Kabupaten Aceh Barat Daya"
SENTENCE = (
    "pemutakhiran data pemilih berkelanjutan dibuka untuk seluruh warga kabupaten periksa nama anda "
    "di daftar pemilih sementara dan laporkan perubahan ke kantor komisi pemilihan terdekat"
)
WORDS = tuple(SENTENCE.split())


@pytest.fixture(autouse=True)
def _indonesian():
    """Cards and their messages in the project's source language."""
    with translation.override("id"):
        yield


def logo_png() -> bytes:
    """A simple drawn logo: a maroon disc with a gold star on a transparent background."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill=(139, 0, 0, 255))
    star = [(120, 40), (145, 100), (205, 100), (155, 140), (175, 200), (120, 165), (65, 200), (85, 140)]
    draw.polygon([*star, (35, 100), (95, 100)], fill=(242, 183, 5, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def text_of(length: int) -> str:
    """Indonesian words, exactly ``length`` characters."""
    words = itertools.cycle(WORDS)
    text = next(words)
    while len(text) < length:
        text += " " + next(words)
    text = text[:length].rstrip()
    return text + "a" * (length - len(text))


# A 200-character title of real words, about the voter-list update.
GOLDEN_TITLE = (
    "Pemutakhiran data pemilih berkelanjutan dibuka untuk seluruh warga Aceh Barat Daya: periksa nama "
    "Anda di daftar pemilih sementara dan laporkan perubahan data ke kantor KIP atau panitia desa segera"
)
GOLDEN_BODY = (
    "Warga yang belum terdaftar, pindah domisili, atau baru berusia tujuh belas tahun dapat melapor "
    "langsung ke panitia pemungutan suara di desa masing-masing dengan membawa KTP elektronik dan kartu "
    "keluarga. Pemeriksaan juga dapat dilakukan secara daring melalui laman cek DPT online."
)


def golden_spec(template: Template, size: str) -> CardSpec:
    """The card every golden image draws: realistic texts, a 200-character title, a logo."""
    fields: dict = {
        "template": template,
        "size": size,
        "office_name": OFFICE,
        "title": GOLDEN_TITLE,
        "body": GOLDEN_BODY,
        "stage": "Pemutakhiran data pemilih",
        "footer": "kip-acehbaratdaya.go.id",
        "style": CardStyle(logo=logo_png()),
    }
    if template is Template.QUOTE:
        fields["attribution"] = "Ahmad Fauzi, Ketua Komisi Independen Pemilihan Kabupaten Aceh Barat Daya"
    elif template is Template.FACT:
        fields["figure"] = "204.807.222"
    elif template is Template.SCHEDULE:
        fields["schedule"] = (
            ("Senin, 12 Februari 2029", "Pengumuman daftar pemilih sementara di kantor desa"),
            ("12–21 Februari 2029", "Masukan dan tanggapan masyarakat"),
            ("22 Februari 2029, 09.00 WIB", "Rapat pleno rekapitulasi daftar pemilih hasil perbaikan"),
            ("1 Maret 2029", "Penetapan daftar pemilih tetap"),
        )
    elif template is Template.VERDICT:
        fields["verdict"] = "hoaks"
        fields["title"] = (
            "Beredar pesan berantai bahwa pemilih yang tidak membawa undangan tidak boleh mencoblos di "
            "tempat pemungutan suara pada hari pemungutan suara"
        )
        fields["body"] = (
            "Pemilih yang terdaftar di daftar pemilih tetap dapat mencoblos dengan menunjukkan KTP "
            "elektronik, meskipun tidak membawa surat pemberitahuan memilih."
        )
    assert len(fields["title"]) <= TITLE_MAX
    return CardSpec(**fields)


def longest_spec(template: Template, size: str) -> CardSpec:
    """Every text at its limit."""
    return CardSpec(
        template=template,
        size=size,
        office_name=text_of(OFFICE_NAME_MAX),
        title=text_of(TITLE_MAX),
        body=text_of(BODY_MAX),
        attribution=text_of(ATTRIBUTION_MAX),
        figure="1.234.567.890.123.456.789"[:FIGURE_MAX],
        schedule=tuple(
            (text_of(SCHEDULE_PART_MAX), text_of(SCHEDULE_PART_MAX)) for _ in range(SCHEDULE_ROWS_MAX)
        ),
        verdict="disinformasi",
        stage=text_of(STAGE_MAX),
        footer=text_of(FOOTER_MAX),
        style=CardStyle(logo=logo_png()),
    )


def shortest_spec(template: Template, size: str) -> CardSpec:
    """One word where a text is needed, nothing optional, no logo."""
    return CardSpec(
        template=template,
        size=size,
        office_name="KPU",
        title="Pleno",
        attribution="Ketua" if template is Template.QUOTE else "",
        figure="7" if template is Template.FACT else "",
        schedule=(("Senin", "Pleno"),) if template is Template.SCHEDULE else (),
        verdict="benar" if template is Template.VERDICT else "",
    )


CASES = [(template, size) for template in Template for size in SIZES]


# --- Fitting text ------------------------------------------------------------------------------

indonesianish = st.text(alphabet="abcdeghijklmnoprstuwy", min_size=1, max_size=14)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(indonesianish, min_size=1, max_size=40), width=st.integers(200, 900))
def test_fit_text_never_cuts_a_word_and_fits_the_box(words, width):
    text = " ".join(words)

    fitted = fit_text(text, "Regular", width, 600, 48, 18, 1.25)

    assert " ".join(fitted.lines).split() == words
    font = cards._Fonts()
    assert all(font.width("Regular", fitted.size, line) <= width for line in fitted.lines)
    assert fitted.height <= 600
    assert 18 <= fitted.size <= 48 or fitted.size == FLOOR_SIZE


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    words=st.lists(
        st.lists(indonesianish, min_size=1, max_size=4).map("-".join),
        min_size=1,
        max_size=12,
    ),
    width=st.integers(120, 400),
)
def test_fit_text_breaks_a_hyphenated_word_only_at_its_hyphens(words, width):
    text = " ".join(words)

    fitted = fit_text(text, "Bold", width, 2000, 30, 14, 1.2)

    # Rejoined (a line ending in a hyphen continues the word), the lines are the text again.
    rejoined = ""
    for line in fitted.lines:
        rejoined += line if not rejoined or rejoined.endswith("-") else " " + line
    # No word ends with a hyphen, so this also shows every break is at a space or after a hyphen.
    assert rejoined == text


def test_fit_text_keeps_a_hyphenated_word_whole_when_it_fits_on_a_line():
    fitted = fit_text("pendataan masing-masing desa", "Regular", 240, 400, 30, 30, 1.2)

    assert "masing-masing" in " ".join(fitted.lines).split()


def test_fit_text_shrinks_until_the_lines_fit_the_height():
    text = " ".join(WORDS)

    roomy = fit_text(text, "Regular", 800, 1000, 60, 16, 1.2)
    tight = fit_text(text, "Regular", 800, 120, 60, 16, 1.2)

    assert roomy.size == 60
    assert tight.size < roomy.size
    assert tight.height <= 120


def test_fit_text_goes_below_the_minimum_only_for_a_word_too_wide():
    word = "pemutakhirandatapemilihberkelanjutan"

    fitted = fit_text(word, "Bold", 300, 400, 40, 30, 1.2)

    assert FLOOR_SIZE <= fitted.size < 30
    assert fitted.lines == (word,)

    with pytest.raises(TextDoesNotFit) as too_much:
        fit_text(" ".join(WORDS * 4), "Regular", 300, 60, 40, 30, 1.2)
    assert too_much.value.word is None

    with pytest.raises(TextDoesNotFit) as too_wide:
        fit_text("kata " + word * 3, "Bold", 300, 400, 40, 30, 1.2)
    assert too_wide.value.word == word * 3


# --- Checks -------------------------------------------------------------------------------------


def test_a_good_spec_has_no_problem_for_every_template_and_size():
    for template, size in CASES:
        assert card_check(golden_spec(template, size)) == [], (template, size)


def test_a_title_of_5000_characters_is_refused_with_the_limit():
    spec = golden_spec(Template.ANNOUNCEMENT, "1080x1080")
    spec = CardSpec(**{**spec.__dict__, "title": text_of(5000)})

    assert "Judul terlalu panjang: 5.000 karakter, paling banyak 200." in card_check(spec)
    with pytest.raises(CardRefused) as refused:
        card_render(spec)
    assert "Judul terlalu panjang: 5.000 karakter, paling banyak 200." in refused.value.problems


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, "Judul kosong. Tulis judul kartu."),
        ({"size": "800x800"}, "Ukuran kartu tidak dikenal: 800x800."),
        ({"template": "poster"}, "Templat kartu tidak dikenal: poster."),
        ({"verdict": "palsu"}, "Putusan tidak dikenal: palsu."),
        ({"body": text_of(601)}, "Isi terlalu panjang: 601 karakter, paling banyak 600."),
        ({"attribution": text_of(121)}, "Nama pembicara terlalu panjang: 121 karakter, paling banyak 120."),
        ({"figure": "1" * 25}, "Angka terlalu panjang: 25 karakter, paling banyak 24."),
        ({"stage": text_of(61)}, "Tahapan terlalu panjang: 61 karakter, paling banyak 60."),
        ({"footer": text_of(81)}, "Teks kaki terlalu panjang: 81 karakter, paling banyak 80."),
        ({"office_name": ""}, "Nama kantor kosong."),
        ({"schedule": (("Senin", "Pleno"),) * 9}, "Jadwal terlalu panjang: 9 baris, paling banyak 8."),
        (
            {"schedule": (("Senin", text_of(81)),)},
            "Kegiatan pada baris jadwal 1 terlalu panjang: 81 karakter, paling banyak 80.",
        ),
        ({"schedule": (("Senin", ""),)}, "Baris jadwal 1: kegiatan kosong."),
        ({"schedule": [1, 2]}, "Baris jadwal 1 tidak sah"),
        ({"title": None}, "Judul tidak sah: harus berupa teks."),
        ({"style": CardStyle(primary="red")}, "Warna utama tidak sah: red."),
        ({"style": CardStyle(accent="#12345")}, "Warna aksen tidak sah: #12345."),
        ({"title": "Pemilu damai 🗳️"}, "Judul memuat karakter yang tidak dapat digambar di kartu"),
        (
            {"title": "Cek " + "pemutakhirandatapemilihberkelanjutan" * 4},
            "Kata terlalu panjang untuk kartu: " + "pemutakhirandatapemilihberkelanjutan" * 4,
        ),
    ],
)
def test_every_problem_is_named(changes, expected):
    spec = golden_spec(Template.ANNOUNCEMENT, "1080x1080")
    spec = CardSpec(**{**spec.__dict__, **changes})

    problems = card_check(spec)

    assert any(problem.startswith(expected) for problem in problems), problems
    with pytest.raises(CardRefused):
        card_render(spec)


def test_each_template_requires_its_own_field():
    base = golden_spec(Template.ANNOUNCEMENT, "1080x1080").__dict__

    def problems(template: Template) -> list[str]:
        return card_check(CardSpec(**{**base, "template": template}))

    assert "Putusan wajib dipilih untuk templat Klarifikasi." in problems(Template.VERDICT)[0]
    assert problems(Template.FACT) == ["Angka wajib diisi untuk templat Fakta angka."]
    assert problems(Template.QUOTE) == ["Nama pembicara wajib diisi untuk templat Kutipan."]
    assert problems(Template.SCHEDULE)[0].startswith("Jadwal kosong")


def test_a_logo_that_is_not_an_image_is_refused():
    spec = golden_spec(Template.ANNOUNCEMENT, "1080x1080")
    spec = CardSpec(
        **{**spec.__dict__, "style": CardStyle(logo=b"<svg xmlns='http://www.w3.org/2000/svg'/>")}
    )

    assert card_check(spec) == ["Logo bukan gambar yang dapat dibaca. Unggah logo PNG, JPEG, WebP, atau GIF."]
    with pytest.raises(CardRefused):
        card_render(spec)


@pytest.mark.parametrize(
    ("logo", "expected"),
    [
        (png_declaring(30000, 30000), "Logo terlalu besar: lebih dari 25 juta piksel."),
        (
            png_declaring(6000, 6000),
            "Logo terlalu besar: 6.000 × 6.000 piksel, paling banyak 25 juta piksel.",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024),
            "Logo terlalu besar: 5.0 MB, paling banyak 5 MB.",
        ),
    ],
)
def test_a_huge_logo_is_refused_before_it_is_decoded(logo, expected):
    spec = golden_spec(Template.ANNOUNCEMENT, "1080x1080")

    assert card_check(CardSpec(**{**spec.__dict__, "style": CardStyle(logo=logo)})) == [expected]


def test_a_logo_is_scaled_into_its_plate_keeping_its_aspect():
    wide = Image.new("RGBA", (400, 100), (0, 0, 255, 255))
    buffer = io.BytesIO()
    wide.save(buffer, "PNG")
    spec = golden_spec(Template.ANNOUNCEMENT, "1080x1080")
    spec = CardSpec(**{**spec.__dict__, "style": CardStyle(logo=buffer.getvalue())})

    logo = next(block for block in card_layout(spec).blocks if block.kind == "logo")

    assert logo.image_box is not None
    x0, y0, x1, y1 = logo.image_box
    assert abs((x1 - x0) / (y1 - y0) - 4) < 0.1
    assert logo.box[0] <= x0 and x1 <= logo.box[2] and logo.box[1] <= y0 and y1 <= logo.box[3]
    image = card_render(spec)
    assert image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2)) == (0, 0, 255)


# --- Fonts ---------------------------------------------------------------------------------------


def test_missing_fonts_say_what_was_looked_for_where_and_how_to_fix_it(settings, tmp_path):
    settings.HUMAS_CARD_FONT_DIR = str(tmp_path)

    with pytest.raises(CardFontsMissing) as missing:
        card_render(golden_spec(Template.ANNOUNCEMENT, "1080x1080"))

    message = str(missing.value)
    assert isinstance(missing.value, ImproperlyConfigured)
    assert "SourceSansPro-Regular.ttf" in message and "SourceSansPro-Black.ttf" in message
    assert str(tmp_path) in message
    assert "pip install font-source-sans-pro" in message and "HUMAS_CARD_FONT_DIR" in message


def test_unreadable_fonts_are_reported_as_missing_not_as_an_os_error(settings, tmp_path):
    for name in cards.FONT_FILES.values():
        (tmp_path / name).write_bytes(b"not a font")
    settings.HUMAS_CARD_FONT_DIR = str(tmp_path)

    with pytest.raises(CardFontsMissing, match="pip install font-source-sans-pro"):
        card_check(golden_spec(Template.ANNOUNCEMENT, "1080x1080"))


def test_fonts_come_from_the_package_by_default():
    directory = cards.font_dir()

    assert directory is not None and directory.name == "files"
    assert all((directory / name).is_file() for name in cards.FONT_FILES.values())


# --- Layout -------------------------------------------------------------------------------------


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_sound(layout: CardLayout) -> None:
    canvas = (0, 0, layout.width, layout.height)
    margin = round(layout.width * 0.06)
    for block in layout.blocks:
        assert _inside(block.bbox, block.box), f"{block.role}: {block.bbox} outside its box {block.box}"
        assert _inside(block.box, canvas), f"{block.role}: {block.box} outside the card"
        assert margin <= block.box[0] and block.box[2] <= layout.width - margin, f"{block.role} in the margin"
        if block.kind in ("text", "pill"):
            assert block.size >= FLOOR_SIZE, block.role
            assert block.lines, block.role
    for a, b in itertools.combinations(layout.blocks, 2):
        assert not _overlap(a.box, b.box), f"{a.role} {a.box} overlaps {b.role} {b.box}"


# Eight schedule rows of 80 + 80 characters do not fit a 1200×630 card at any readable size (at most
# five such rows do); that card is refused, and the longest schedule it takes is tested instead.
LANDSCAPE_SCHEDULE_ROWS = 5


def test_the_longest_schedule_is_refused_in_landscape_with_a_way_out():
    spec = longest_spec(Template.SCHEDULE, "1200x630")

    assert card_check(spec) == [
        "Jadwal terlalu panjang untuk kartu ukuran 1200x630: persingkat teksnya, kurangi baris barunya, "
        "atau pilih ukuran kartu yang lebih tinggi."
    ]
    realistic = tuple((f"Senin, {day} Februari 2029, 09.00 WIB", text_of(60)) for day in range(1, 9))
    assert (
        card_check(CardSpec(**{**golden_spec(Template.SCHEDULE, "1200x630").__dict__, "schedule": realistic}))
        == []
    )


@pytest.mark.parametrize(("template", "size"), CASES)
def test_no_block_overflows_or_overlaps(template, size):
    longest = longest_spec(template, size)
    if (template, size) == (Template.SCHEDULE, "1200x630"):
        longest = CardSpec(**{**longest.__dict__, "schedule": longest.schedule[:LANDSCAPE_SCHEDULE_ROWS]})
    for spec in (shortest_spec(template, size), golden_spec(template, size), longest):
        assert card_check(spec) == []
        layout = card_layout(spec)
        assert_sound(layout)
        roles = {block.role for block in layout.blocks}
        assert {"office", "title"} <= roles
        office = next(block for block in layout.blocks if block.role == "office")
        assert len(office.lines) <= 2
        # Every word of the title is on the card, none cut.
        title = next(block for block in layout.blocks if block.role == "title")
        assert " ".join(line.text for line in title.lines).split() == spec.title.split()


def test_the_longest_office_name_fits_in_two_lines_in_every_size():
    for template, size in CASES:
        layout = card_layout(golden_spec(template, size))
        office = next(block for block in layout.blocks if block.role == "office")
        assert " ".join(line.text for line in office.lines) == OFFICE
        assert len(office.lines) <= 2


def test_each_template_has_its_own_parts():
    def roles(template: Template) -> set[str]:
        return {block.role for block in card_layout(golden_spec(template, "1080x1350")).blocks}

    assert {"logo", "stage", "kicker", "title", "body", "footer"} <= roles(Template.ANNOUNCEMENT)
    assert {"quote-mark", "attribution"} <= roles(Template.QUOTE)
    assert "figure" in roles(Template.FACT)
    assert {"schedule-when-1", "schedule-what-4"} <= roles(Template.SCHEDULE)
    assert {"verdict", "claim-label", "body-label"} <= roles(Template.VERDICT)


@pytest.mark.parametrize("verdict", list(VERDICTS))
def test_every_verdict_has_its_badge(verdict):
    expected = {
        "salah": ("SALAH", "#C62828"),
        "hoaks": ("HOAKS", "#C62828"),
        "disinformasi": ("DISINFORMASI", "#C62828"),
        "misinformasi": ("MISINFORMASI", "#E65100"),
        "menyesatkan": ("MENYESATKAN", "#E65100"),
        "satire": ("SATIRE", cards.SATIRE_PURPLE),
        "benar": ("FAKTA", "#2E7D32"),
    }[verdict]
    spec = golden_spec(Template.VERDICT, "1200x630")
    spec = CardSpec(**{**spec.__dict__, "verdict": verdict})

    stamp = next(block for block in card_layout(spec).blocks if block.role == "verdict")
    image = card_render(spec)

    assert (stamp.lines[0].text, stamp.background) == expected
    colour = tuple(int(expected[1][i : i + 2], 16) for i in (1, 3, 5))
    region = image.crop(stamp.bbox)
    matching = sum(count for count, pixel in region.getcolors(1 << 20) if pixel == colour)
    assert matching > region.width * region.height * 0.1
    assert card_alt_text(spec).startswith(f"Kartu klarifikasi {OFFICE}: {expected[0]}.")


def test_labels_are_translated():
    assert SIZE_LABELS["1200x630"] == "Lanskap (X, Facebook, tautan)"
    assert TEMPLATE_LABELS[Template.SCHEDULE] == "Jadwal kegiatan"
    assert list(SIZE_LABELS) == list(SIZES)
    assert VERDICTS["benar"].text == "FAKTA"


# --- Rendering ---------------------------------------------------------------------------------


def test_the_png_is_the_card_and_rendering_is_deterministic():
    spec = golden_spec(Template.FACT, "1200x630")

    png = card_png(spec)
    again = card_render(spec)

    decoded = Image.open(io.BytesIO(png))
    assert decoded.format == "PNG" and decoded.size == (1200, 630)
    assert decoded.convert("RGB").tobytes() == again.tobytes()
    assert again.mode == "RGB"


# --- Alternative text --------------------------------------------------------------------------


def test_alt_text_is_drafted_from_the_card():
    verdict = golden_spec(Template.VERDICT, "1080x1080")
    fact = golden_spec(Template.FACT, "1080x1080")
    short = shortest_spec(Template.ANNOUNCEMENT, "1080x1080")

    assert card_alt_text(verdict).startswith(f"Kartu klarifikasi {OFFICE}: HOAKS. Klaim: Beredar pesan")
    assert card_alt_text(fact).startswith(f"Kartu fakta angka {OFFICE}: 204.807.222 — Pemutakhiran")
    assert card_alt_text(short) == "Kartu pengumuman KPU: Pleno."


@pytest.mark.parametrize(("template", "size"), [(template, "1080x1080") for template in Template])
def test_alt_text_is_short_and_not_cut_mid_word(template, size):
    spec = longest_spec(template, size)
    words = set(" ".join([spec.title, spec.body, spec.office_name, spec.attribution]).split())

    alt = card_alt_text(spec)

    assert len(alt) <= ALT_TEXT_MAX
    assert alt.endswith("…")
    assert alt[:-1].split()[-1].strip(".,:;—") in {w.strip(".,:;—") for w in words} | {"Klaim", "Faktanya"}


@hypothesis_settings(max_examples=80, deadline=None)
@given(words=st.lists(indonesianish, min_size=1, max_size=120))
def test_alt_text_is_never_cut_inside_a_word(words):
    spec = CardSpec(Template.ANNOUNCEMENT, "1080x1080", "KPU Kabupaten Jepara", " ".join(words))

    alt = card_alt_text(spec)

    assert len(alt) <= ALT_TEXT_MAX
    full = f"Kartu pengumuman KPU Kabupaten Jepara: {' '.join(words)}."
    if alt.endswith("…"):
        kept = alt[:-1].split()
        assert kept == full.split()[: len(kept)]
    else:
        assert alt == full


def test_garbage_is_reported_never_raised():
    garbage = CardSpec(template=None, size=None, office_name=None, title=None, schedule=None, style=None)  # type: ignore[arg-type]
    half = CardSpec(Template.SCHEDULE, "1080x1080", OFFICE, "Jadwal", schedule=[("Senin",), 3], style="merah")  # type: ignore[arg-type]

    assert len(card_check(garbage)) >= 3
    assert "Gaya kartu tidak sah." in card_check(half)
    assert any(problem.startswith("Baris jadwal 2 tidak sah") for problem in card_check(half))
    assert card_alt_text(garbage).startswith("Kartu")
    assert card_alt_text(half).startswith("Kartu jadwal kegiatan")
