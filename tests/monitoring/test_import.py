"""The file import: every bad row with its line, nothing stored on any error, re-import = duplicates."""

from __future__ import annotations

import json

import pytest

from humas.monitoring.imports import format_of, items_file_parse
from humas.monitoring.models import Item
from humas.monitoring.services import items_ingest

pytestmark = pytest.mark.django_db

HEADER = "platform,external_id,author_handle,url,text,published_at,reactions,comments,shares,views\n"
GOOD_CSV = (
    HEADER
    + 'x,1,@warga,https://x.com/warga/status/1,"TPS di Jepara tutup jam 11, benar?",2024-02-14T08:30:00+07:00,1,2,3,4\n'
    + 'facebook,2,,,"Baris dengan\nbaris baru di dalam teks",2024-02-14T01:30:00Z,,,,\n'
    + "instagram,3,kpu_fans,,Coklit sudah selesai,2024-02-14T09:00:00+07:00,,,,\n"
)


def parse(content: str, fmt: str = "csv", max_rows: int = 100):
    return items_file_parse(content=content, fmt=fmt, max_rows=max_rows)


def test_a_valid_csv_reads_every_row_with_the_line_it_starts_on():
    parsed = parse(GOOD_CSV)

    assert parsed.ok and parsed.errors == []
    assert [r["external_id"] for r in parsed.records] == ["1", "2", "3"]
    assert parsed.line_of == [2, 3, 5]  # row 2's text spans two lines
    assert parsed.cleaned[1].text == "Baris dengan\nbaris baru di dalam teks"
    assert "reactions" not in parsed.records[1]  # an empty optional cell is absent


def test_every_bad_csv_row_is_listed_with_its_line_and_reason():
    content = (
        HEADER
        + "x,1,,,Teks sah,2024-02-14T08:30:00+07:00,,,,\n"
        + "x,2,,,Teks,14-02-2024,,,,\n"  # line 3: bad date
        + "myspace,3,,,Teks,2024-02-14T08:30:00Z,,,,\n"  # line 4: unknown platform
        + "x,4,,,   ,2024-02-14T08:30:00Z,,,,\n"  # line 5: empty text
        + "x,5,,,Teks,2024-02-14T08:30:00Z,,,\n"  # line 6: a column short
        + "x,6,,,Teks,2024-02-14T08:30:00,-3,,,\n"  # line 7: no zone and a negative count
    )

    parsed = parse(content)

    assert not parsed.ok
    lines = [(e.line, e.message.split(":")[0]) for e in parsed.errors]
    assert lines == [
        (3, "published_at"),
        (4, "platform"),
        (5, "text"),
        (6, "Baris berisi 9 kolom, judulnya 10."),
        (7, "published_at"),
        (7, "reactions"),
    ]
    assert "myspace" in parsed.errors[1].message


def test_a_missing_required_column_is_reported_on_the_header_line():
    parsed = parse("platform,external_id,published_at\nx,1,2024-02-14T08:30:00Z\n")

    assert [(e.line, e.message) for e in parsed.errors] == [(1, "Kolom wajib tidak ada: text.")]
    assert parsed.records == []


def test_every_bad_jsonl_line_is_listed():
    good = json.dumps(
        {
            "platform": "x",
            "external_id": "1",
            "text": "Sah",
            "published_at": "2024-02-14T08:30:00Z",
            "extra": [1],
        }
    )
    content = "\n".join(
        [
            good,
            '{"platform": "x", "external_id": "2", "text": "Rusak"',  # line 2: broken JSON
            "",
            '["bukan", "objek"]',  # line 4
            json.dumps(
                {"platform": "x", "external_id": "3", "published_at": "2024-02-14T08:30:00Z"}
            ),  # 5: no text
            '{"platform": "x", "external_id": "4", "text": "NaN", "published_at": "2024-02-14T08:30:00Z", "v": NaN}',
        ]
    )

    parsed = parse(content, "jsonl")

    assert [e.line for e in parsed.errors] == [2, 4, 5, 6]
    assert parsed.errors[0].message == "Bukan JSON yang sah."
    assert parsed.errors[2].message == "text: Kolom wajib tidak ada."
    assert parsed.records[0]["extra"] == [1]  # kept in the raw payload


def test_a_line_separator_inside_a_json_string_does_not_split_the_line():
    content = json.dumps(
        {"platform": "x", "external_id": "1", "text": "a\u2028b", "published_at": "2024-02-14T08:30:00Z"},
        ensure_ascii=False,
    )

    parsed = parse(content, "jsonl")

    assert parsed.ok and parsed.cleaned[0].text == "a\u2028b"


@pytest.mark.parametrize(("content", "fmt"), [("", "csv"), (HEADER, "csv"), ("\n\n", "jsonl")])
def test_an_empty_file_is_an_error(content, fmt):
    parsed = parse(content, fmt)

    assert not parsed.ok
    assert [e.line for e in parsed.errors] == [1]


def test_more_rows_than_allowed_is_an_error():
    parsed = parse(GOOD_CSV, max_rows=2)

    assert not parsed.ok
    assert parsed.errors[-1].message == "Berkas lebih dari 2 baris."


def test_format_by_extension():
    assert [format_of(n) for n in ("a.CSV", "b.jsonl", "c.ndjson", "d.xlsx", "")] == [
        "csv",
        "jsonl",
        "jsonl",
        "",
        "",
    ]


def test_a_valid_file_imports_and_importing_it_again_adds_only_duplicates(file_source, operator):
    parsed = parse(GOOD_CSV)

    first = items_ingest(actor=operator, source=file_source, records=parsed.records)
    second = items_ingest(actor=operator, source=file_source, records=parse(GOOD_CSV).records)

    assert (first.created, first.duplicates) == (3, 0)
    assert (second.created, second.duplicates) == (0, 3)
    assert Item.objects.count() == 3
    assert Item.objects.get(external_id="1").raw["text"] == "TPS di Jepara tutup jam 11, benar?"
