from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.offices.models import Office
from humas.offices.regions import RegionFileError, default_regions_text
from humas.offices.services import offices_load

pytestmark = pytest.mark.django_db

GOOD_HEAD = "code,name,level,parent_code\n"


def test_all_553_offices_are_loaded_with_levels(offices):
    assert Office.objects.count() == 553
    assert Office.objects.filter(level=Office.Level.PUSAT).count() == 1
    assert Office.objects.filter(level=Office.Level.PROVINSI).count() == 38
    assert Office.objects.filter(level=Office.Level.KABKOTA).count() == 514


@pytest.mark.parametrize(
    ("code", "name", "parent_code", "zone", "slug"),
    [
        ("00", "KPU Republik Indonesia", None, "Asia/Jakarta", "ri"),
        ("33", "KPU Provinsi Jawa Tengah", "00", "Asia/Jakarta", "jateng"),
        ("33.20", "KPU Kabupaten Jepara", "33", "Asia/Jakarta", "kab-jepara"),
        ("33.74", "KPU Kota Semarang", "33", "Asia/Jakarta", "kota-semarang"),
        ("73.71", "KPU Kota Makassar", "73", "Asia/Makassar", "kota-makassar"),
        ("91.71", "KPU Kota Jayapura", "91", "Asia/Jayapura", "kota-jayapura"),
        ("11", "KIP Aceh", "00", "Asia/Jakarta", "aceh"),
        ("11.06", "KIP Kabupaten Aceh Besar", "11", "Asia/Jakarta", "kab-aceh-besar"),
        ("31", "KPU Provinsi DKI Jakarta", "00", "Asia/Jakarta", "jakarta"),
        ("31.72", "KPU Kota Jakarta Utara", "31", "Asia/Jakarta", "kota-jakarta-utara"),
        ("51", "KPU Provinsi Bali", "00", "Asia/Makassar", "bali"),
        ("96", "KPU Provinsi Papua Barat Daya", "00", "Asia/Jayapura", "papua-barat-daya"),
    ],
)
def test_office_names_parents_zones_and_slugs(offices, code, name, parent_code, zone, slug):
    office = offices[code]
    assert office.name == name
    assert (office.parent.code if office.parent else None) == parent_code
    assert office.time_zone == zone
    assert office.slug == slug


def test_every_aceh_office_is_named_kip(offices):
    aceh = Office.objects.filter(path__startswith=offices["11"].path)
    assert aceh.count() == 24
    assert all(o.name.startswith("KIP ") for o in aceh)
    assert (
        not Office.objects.exclude(path__startswith=offices["11"].path)
        .filter(name__startswith="KIP")
        .exists()
    )


def test_paths_and_depths_encode_the_tree(offices):
    jepara = offices["33.20"]
    assert jepara.path == "/00/33/33.20/"
    assert jepara.depth == 2
    assert jepara.is_same_or_below(offices["33"])
    assert jepara.is_same_or_below(offices["00"])
    assert not jepara.is_same_or_below(offices["35"])
    assert not offices["33"].is_same_or_below(jepara)


def test_slugs_are_unique_and_url_safe(offices):
    slugs = [o.slug for o in offices.values()]
    assert len(set(slugs)) == 553
    assert all(s.replace("-", "").isalnum() and s == s.lower() for s in slugs)


def test_second_load_changes_nothing(offices):
    before = list(Office.objects.order_by("code").values_list("code", "name", "slug", "path", "updated_at"))
    events = AuditEvent.objects.filter(action="offices.load").count()

    result = offices_load(text=default_regions_text())

    assert (result.created, result.updated, result.unchanged) == (0, 0, 553)
    assert (
        list(Office.objects.order_by("code").values_list("code", "name", "slug", "path", "updated_at"))
        == before
    )
    assert AuditEvent.objects.filter(action="offices.load").count() == events


def test_renamed_region_updates_in_place_and_keeps_slug(offices):
    text = default_regions_text().replace("33.20,Kabupaten Jepara,", "33.20,Kabupaten Jepara Raya,")
    jepara_id = offices["33.20"].pk

    result = offices_load(text=text)

    assert (result.created, result.updated) == (0, 1)
    jepara = Office.objects.get(code="33.20")
    assert jepara.pk == jepara_id
    assert jepara.name == "KPU Kabupaten Jepara Raya"
    assert jepara.slug == "kab-jepara"
    event = AuditEvent.objects.filter(action="offices.load").first()
    assert event.changes == {"created": 0, "updated": 1, "unchanged": 552}


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("33,Jawa Tengah,provinsi,\n33.20,Kabupaten Jepara,kabupaten,34\n", 3, "does not match"),
        (
            "33,Jawa Tengah,provinsi,\n33.20,Kabupaten Jepara,kabupaten,33\n33.20,Kabupaten Lain,kabupaten,33\n",
            4,
            "duplicate code",
        ),
        ("33,Jawa Tengah,provinsi,\n3320,Kabupaten Jepara,kabupaten,33\n", 3, "malformed"),
        ("3X,Jawa Tengah,provinsi,\n", 2, "malformed province code"),
        ("33,Jawa Tengah,provinsi,\n34.01,Kabupaten Kulon Progo,kabupaten,34\n", 3, "unknown parent"),
        ("33,Jawa Tengah,provinsi,\n33.01,,kabupaten,33\n", 3, "empty name"),
        ("33,Jawa Tengah,negara,\n", 2, "unknown level"),
    ],
)
def test_bad_row_aborts_with_line_number_and_writes_nothing(offices, body, line, fragment):
    before = list(Office.objects.order_by("code").values_list("code", "name", "updated_at"))
    # A valid rename on an earlier line must not survive the bad row either.
    text = GOOD_HEAD + "11,Aceh Baru,provinsi,\n" + body

    with pytest.raises(RegionFileError) as excinfo:
        offices_load(text=text)

    assert excinfo.value.line == line + 1
    assert fragment in excinfo.value.message
    assert list(Office.objects.order_by("code").values_list("code", "name", "updated_at")) == before


def test_bad_header_is_rejected():
    with pytest.raises(RegionFileError) as excinfo:
        offices_load(text="kode,nama\n33,Jawa Tengah\n")
    assert excinfo.value.line == 1
