"""Reading the packaged Kemendagri region list and deriving office names, slugs and zones."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

DEFAULT_REGIONS_FILE = "wilayah_provinsi_kabkota.csv"
PROVINCE_CODE = re.compile(r"^\d{2}$")
REGENCY_CODE = re.compile(r"^(\d{2})\.\d{2}$")

# Province -> official time zone (Keppres 41/1987): WIB west, WITA central, WIT east.
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}

# Short, stable URL names for provinces as the commission's own sites use them.
PROVINCE_SLUGS = {
    "11": "aceh",
    "12": "sumut",
    "13": "sumbar",
    "14": "riau",
    "15": "jambi",
    "16": "sumsel",
    "17": "bengkulu",
    "18": "lampung",
    "19": "babel",
    "21": "kepri",
    "31": "jakarta",
    "32": "jabar",
    "33": "jateng",
    "34": "diy",
    "35": "jatim",
    "36": "banten",
    "51": "bali",
    "52": "ntb",
    "53": "ntt",
    "61": "kalbar",
    "62": "kalteng",
    "63": "kalsel",
    "64": "kaltim",
    "65": "kaltara",
    "71": "sulut",
    "72": "sulteng",
    "73": "sulsel",
    "74": "sultra",
    "75": "gorontalo",
    "76": "sulbar",
    "81": "maluku",
    "82": "malut",
    "91": "papua",
    "92": "papua-barat",
    "93": "papua-selatan",
    "94": "papua-tengah",
    "95": "papua-pegunungan",
    "96": "papua-barat-daya",
}
# Public names where the region's formal name is not what people say.
PROVINCE_PUBLIC_NAMES = {
    "31": "DKI Jakarta",
    "34": "Daerah Istimewa Yogyakarta",
}
ACEH = "11"


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


class RegionFileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def time_zone_for_province(province_code: str) -> str:
    if province_code in WIT_PROVINCES:
        return "Asia/Jayapura"
    if province_code in WITA_PROVINCES:
        return "Asia/Makassar"
    return "Asia/Jakarta"


def province_public_name(code: str, region_name: str) -> str:
    return PROVINCE_PUBLIC_NAMES.get(code, region_name)


def office_name(*, code: str, region_name: str, level: str, province_code: str) -> str:
    """The name the public knows: "KPU Kabupaten Jepara", "KIP Aceh", "KPU Provinsi Jawa Tengah"."""
    body = "KIP" if province_code == ACEH else "KPU"
    if level == "provinsi":
        public = province_public_name(code, region_name)
        if province_code == ACEH or public.startswith("Daerah Istimewa"):
            return f"{body} {public}"
        return f"{body} Provinsi {public}"
    # "Kota Administrasi Jakarta Utara" is known as KPU Kota Jakarta Utara.
    name = region_name.replace("Kabupaten Administrasi ", "Kabupaten ").replace("Kota Administrasi ", "Kota ")
    return f"{body} {name}"


def slugify_region(name: str) -> str:
    lowered = name.lower()
    for prefix, short in (
        ("kabupaten administrasi ", "kab-"),
        ("kota administrasi ", "kota-"),
        ("kabupaten ", "kab-"),
        ("kota ", "kota-"),
    ):
        if lowered.startswith(prefix):
            lowered = short + lowered[len(prefix) :]
            break
    return re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")


def default_regions_text() -> str:
    return resources.files("humas.offices.data").joinpath(DEFAULT_REGIONS_FILE).read_text(encoding="utf-8")


def parse_regions(text: str) -> list[RegionRow]:
    """Parse and validate the whole file; raise RegionFileError naming the first bad line."""
    reader = csv.DictReader(io.StringIO(text))
    expected = {"code", "name", "level", "parent_code"}
    if reader.fieldnames is None or not expected.issubset({f.strip() for f in reader.fieldnames}):
        raise RegionFileError(1, "header must have the columns code, name, level, parent_code")
    rows: list[RegionRow] = []
    seen: dict[str, int] = {}
    provinces: set[str] = set()
    for index, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = " ".join((raw.get("name") or "").split())
        level = (raw.get("level") or "").strip()
        parent = (raw.get("parent_code") or "").strip()
        if not name:
            raise RegionFileError(index, "empty name")
        if code in seen:
            raise RegionFileError(index, f"duplicate code {code!r} (first on line {seen[code]})")
        if level == "provinsi":
            if not PROVINCE_CODE.match(code):
                raise RegionFileError(index, f"malformed province code {code!r}")
            if parent:
                raise RegionFileError(index, "a province has no parent_code")
            provinces.add(code)
        elif level in {"kabupaten", "kota"}:
            match = REGENCY_CODE.match(code)
            if not match:
                raise RegionFileError(index, f"malformed regency/city code {code!r}")
            if parent != match.group(1):
                raise RegionFileError(index, f"parent_code {parent!r} does not match code {code!r}")
            if parent not in provinces:
                raise RegionFileError(index, f"unknown parent {parent!r} (provinces must come first)")
        else:
            raise RegionFileError(index, f"unknown level {level!r}")
        seen[code] = index
        rows.append(RegionRow(line=index, code=code, name=name, level=level, parent_code=parent))
    if not rows:
        raise RegionFileError(1, "no rows")
    return rows
