"""Bulk content plans (Rencana konten massal): a spreadsheet of posts, checked row by row, then
written all at once as drafts for approval.

A plan is a CSV or XLSX file, one post per row, with the columns of :data:`COLUMNS` (Indonesian
names; the English names of :data:`ALIASES` are taken too): ``tanggal`` and ``jam`` in the office's
wall-clock time, ``kanal`` (platform keys, channel names or ``semua``, separated by commas),
``teks``, one ``teks_<platform>`` per platform a variant can be written for, ``tautan``, ``gambar``
(names of images in an uploaded ZIP, or ``pustaka:<id>`` for the media library, separated by
``;``) with ``alt_gambar`` in the same order, ``tahapan`` and ``kampanye``.

:func:`plan_parse` reads the file and checks every row as the services would (format, time in the
past, blackout windows, channels, platform limits, the guideline, images through the one upload
check, alt texts, repeated rows) and keeps *every* problem with its row number as a spreadsheet
shows it and its column; it writes nothing. :func:`plan_commit` checks again (the preview may be
stale) and writes every row as a draft, or nothing.

Cells that a spreadsheet would run as a formula are refused, never evaluated (:func:`formula_like`):
a cell starting with ``=``; one starting with ``+``, ``-`` or ``@`` unless it reads as text — a
list item (the sign followed by a space: "- Coklit dimulai") or an account handle ("@kpu_ri …");
leading spaces, tabs and line breaks are looked through. An XLSX is read with its formulas as
formulas (``data_only=False``; openpyxl never evaluates them): a formula cell reaches the same
check as the text it holds, whatever value the spreadsheet last cached for it.

The ZIP of images never travels in the preview's signed token: it is kept in the private storage
under a random name bound to the office and the person (:func:`plan_upload_store`), deleted after
the commit and, when a preview is abandoned, by the hourly :func:`plan_uploads_purge`. Its guards:
at most :data:`ZIP_MAX_IMAGES` images and :data:`ZIP_MAX_TOTAL` bytes uncompressed (as declared;
nothing is ever read past a member's declared size), a member named with ``..``, an absolute path
or a drive refuses the whole ZIP, only members with an image extension are read (others are named
in a note), and every image goes through ``post_image_prepare``. Images in folders are found by
their file name, without regard to case.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import logging
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import AuditEntry, audit_record, audit_record_many
from humas.blackouts.models import Blackout
from humas.blackouts.selectors import blocking_among, refusal_message, windows_ahead
from humas.channels.models import Channel, Platform
from humas.core import uploads
from humas.core.rowfiles import RowError, read_rows
from humas.core.spreadsheets import csv_cell
from humas.core.stages import ElectionStage
from humas.guideline.check import BLOCK, text_policy_report
from humas.library.selectors import asset_usable
from humas.library.services import asset_prepared
from humas.media.pipeline import ImageRejected, PreparedImage, clean_texts, max_bytes
from humas.media.storage import delete_quietly, private_storage
from humas.offices import policy
from humas.offices.models import Office

from .images import MAX_IMAGES, NewImage, post_image_prepare, post_images_change
from .models import Post, PostVariant
from .portal_channel import channel_list_for_publishing
from .services import MAX_TEXT, PublishingError, clean_campaign, post_submit, schedule_from_office_time
from .variants import VARIANT_PLATFORMS, text_problem, variant_problems

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Columns and limits

DATE, TIME, CHANNELS, TEXT, LINK = "tanggal", "jam", "kanal", "teks", "tautan"
IMAGES, ALTS, STAGE, CAMPAIGN = "gambar", "alt_gambar", "tahapan", "kampanye"
ZIP_COLUMN = "zip"  # where a problem of the ZIP itself is reported
VARIANT_COLUMNS: dict[str, str] = {f"teks_{platform}": str(platform) for platform in VARIANT_PLATFORMS}
COLUMNS: tuple[str, ...] = (DATE, TIME, CHANNELS, TEXT, *VARIANT_COLUMNS, LINK, IMAGES, ALTS, STAGE, CAMPAIGN)
REQUIRED = (DATE, TIME, CHANNELS, TEXT)


def _aliases() -> dict[str, str]:
    english = {
        "date": DATE,
        "time": TIME,
        "channels": CHANNELS,
        "channel": CHANNELS,
        "text": TEXT,
        "link": LINK,
        "url": LINK,
        "images": IMAGES,
        "image": IMAGES,
        "alt_text": ALTS,
        "alt_texts": ALTS,
        "image_alt": ALTS,
        "stage": STAGE,
        "election_stage": STAGE,
        "campaign": CAMPAIGN,
        **{f"text_{platform}": name for name, platform in VARIANT_COLUMNS.items()},
    }
    found: dict[str, str] = {}
    # People also write "teks facebook" or "alt-gambar".
    for name, canonical in [*english.items(), *((c, c) for c in COLUMNS)]:
        for spelled in {name, name.replace("_", " "), name.replace("_", "-")}:
            if spelled != canonical:
                found[spelled] = canonical
    return found


ALIASES = _aliases()
FORMATS = ("csv", "xlsx")
MAX_ROWS = 1000
CELL_MAX = MAX_TEXT + 1024
PLAN_MAX_BYTES = 5 * 1024 * 1024
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_COLUMNS = 64
XLSX_MAX_SHEET_ROWS = 20_000  # blank rows included: a sheet that goes further is refused
ZIP_MAX_BYTES = 100 * 1024 * 1024
ZIP_MAX_ENTRIES = 1000  # every entry, folders and ignored files included
ZIP_MAX_IMAGES = 200
ZIP_MAX_TOTAL = 200 * 1024 * 1024  # about 7 s of upload checks for full-size phone photos
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
LIBRARY_PREFIXES = ("pustaka:", "library:")
ALL_CHANNELS = ("semua", "all")
# Stored ZIPs: plans/<office id>/<person id>/<32 hex>.zip, kept no longer than a preview lives.
UPLOAD_ROOT = "plans"
UPLOAD_MAX_AGE = timedelta(seconds=uploads.TOKEN_MAX_AGE) + timedelta(minutes=15)
_UPLOAD_NAME = re.compile(r"plans/(\d+)/(\d+)/[0-9a-f]{32}\.zip")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_MENTION = re.compile(r"@\w[\w.]*(?=$|[\s,.:;!?)])")
_IGNORED_ENTRIES = (".ds_store", "thumbs.db", "desktop.ini")


def formula_like(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` as a formula (see the module's docstring): a cell
    starting with ``=``, or with ``+``, ``-`` or ``@`` not followed by a space (a list item) nor,
    for ``@``, forming an account handle. Leading whitespace (tab, CR) is looked through."""
    stripped = value.lstrip()
    if not stripped or stripped[0] not in "=+-@":
        return False
    if stripped[0] == "=":
        return True
    rest = stripped[1:]
    if not rest:
        return False
    if rest[0] in " \u00a0":
        return rest.lstrip(" \u00a0")[:1] in ("=", "+", "-", "@")
    if stripped[0] == "@":
        return _MENTION.match(stripped) is None
    return True


# --------------------------------------------------------------------------------------------
# What a parse answers


@dataclass(frozen=True)
class PlanProblem:
    """One problem: the row as the spreadsheet numbers it (1 is the header; 0 for the file as a
    whole), the column ("" for the whole row) and why, translated."""

    row: int
    column: str
    message: str


@dataclass
class PlanImage:
    """One image of a row: as written (a ZIP member's name or ``pustaka:<id>``), its alt text and,
    once checked, the clean copy the upload check made."""

    ref: str
    alt: str
    prepared: PreparedImage | None = None


@dataclass
class PlanRow:
    """One row of the plan: its cells as read, the post it describes, and its problems (refusing)
    and notes (the guideline's warnings: shown, not refusing)."""

    row: int
    cells: dict[str, str]
    local: datetime | None = None  # the office's wall-clock time
    scheduled_at: datetime | None = None  # aware, UTC
    channels: list[Channel] = field(default_factory=list)
    text: str = ""
    variants: dict[str, str] = field(default_factory=dict)
    link: str = ""
    images: list[PlanImage] = field(default_factory=list)
    stage: str = ""
    campaign: str = ""
    problems: list[PlanProblem] = field(default_factory=list)
    notes: list[PlanProblem] = field(default_factory=list)

    def refuse(self, column: str, message: str) -> None:
        self.problems.append(PlanProblem(self.row, column, message))

    def problems_in(self, column: str) -> bool:
        return any(problem.column == column for problem in self.problems)

    @property
    def stage_label(self) -> str:
        return str(ElectionStage(self.stage).label) if self.stage else ""


@dataclass
class Plan:
    """A parsed plan: its rows, the problems of the file as a whole (header, ZIP, too many rows)
    and notes about it (ZIP members not read)."""

    rows: list[PlanRow] = field(default_factory=list)
    problems: list[PlanProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def all_problems(self) -> list[PlanProblem]:
        """Every problem, the file's first, then by row."""
        found = [*self.problems, *(p for row in self.rows for p in row.problems)]
        return sorted(found, key=lambda p: p.row)

    @property
    def warnings(self) -> list[PlanProblem]:
        return [n for row in self.rows for n in row.notes]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.all_problems


class PlanInvalid(PublishingError):
    """A plan that cannot be written as it is; ``problems`` says every reason. Nothing written."""

    def __init__(self, problems: Sequence[PlanProblem]) -> None:
        super().__init__(_("Rencana konten ini bermasalah; tidak ada draf yang dibuat."))
        self.problems = list(problems)


class PlanFileError(Exception):
    """A file (the plan, its ZIP) that cannot be read at all; the message is translated."""


# --------------------------------------------------------------------------------------------
# Reading the table


def plan_format(filename: str) -> str:
    """``csv`` or ``xlsx`` by the file's extension, or "" when it is neither."""
    lowered = filename.lower()
    return next((fmt for fmt in FORMATS if lowered.endswith(f".{fmt}")), "")


def _delimiter(content: str) -> str:
    """``;`` when the header is separated by it (spreadsheets in Indonesian save so), else ``,``."""
    first = content.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _zip_guard(archive: zipfile.ZipFile, *, total_limit: int, entries_limit: int) -> None:
    infos = archive.infolist()
    if len(infos) > entries_limit:
        raise PlanFileError(
            _("Berkas ZIP berisi terlalu banyak berkas (batas %(limit)s).") % {"limit": entries_limit}
        )
    if sum(info.file_size for info in infos) > total_limit:
        raise PlanFileError(
            _("Isi berkas ZIP terlalu besar setelah dibuka (batas %(limit)s MB).")
            % {"limit": total_limit // (1024 * 1024)}
        )


def _xlsx_cell(value: Any, data_type: str, column: str) -> str:
    if value is None:
        return ""
    if data_type == "f" or not isinstance(value, str | int | float | bool | date | time | timedelta):
        # A formula (also an array formula object): refused by formula_like, never evaluated.
        text = str(getattr(value, "text", None) or value)
        return text if text.startswith("=") else f"={text}"
    if isinstance(value, datetime):
        if column == TIME:
            return value.strftime("%H:%M")
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_as_csv(content: bytes) -> str:
    """The first sheet of an XLSX as CSV text, one record per sheet row (blank rows too, so the
    numbers stay the sheet's), stopping after :data:`MAX_ROWS` + 1 rows that hold something."""
    from openpyxl import load_workbook  # a large import, needed only here

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _zip_guard(archive, total_limit=XLSX_MAX_UNCOMPRESSED, entries_limit=ZIP_MAX_ENTRIES)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except PlanFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        logger.info("plan XLSX unreadable: %s", exc)
        raise PlanFileError(
            _("Berkas XLSX tidak dapat dibaca. Simpan ulang sebagai .xlsx lalu unggah lagi.")
        ) from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        sheet = workbook.worksheets[0]
        header: list[str] = []
        pending_blank = 0
        filled = 0
        names: list[str] = []
        for number, cells in enumerate(sheet.iter_rows(max_col=XLSX_MAX_COLUMNS), start=1):
            if number == 1:
                header = [_xlsx_cell(c.value, c.data_type, "") for c in cells]
                while header and not header[-1].strip():
                    header.pop()
                writer.writerow(header)
                names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
                continue
            if number > XLSX_MAX_SHEET_ROWS:
                raise PlanFileError(
                    _(
                        "Lembar pertama berkas XLSX berlanjut sampai lewat baris %(limit)s. Hapus baris di "
                        "bawah rencana Anda, lalu unggah lagi."
                    )
                    % {"limit": XLSX_MAX_SHEET_ROWS}
                )
            row = [
                _xlsx_cell(c.value, c.data_type, names[i] if i < len(names) else "")
                for i, c in enumerate(cells)
            ]
            if not any(cell.strip() for cell in row):
                pending_blank += 1
                continue
            for _blank in range(pending_blank):
                writer.writerow([])
            pending_blank = 0
            while len(row) > len(header) and not row[-1].strip():
                row.pop()
            row += [""] * (len(header) - len(row))
            writer.writerow(row)
            filled += 1
            if filled > MAX_ROWS:
                break
    except PlanFileError:
        raise
    except Exception as exc:
        logger.info("plan XLSX unreadable: %s", exc)
        raise PlanFileError(
            _("Berkas XLSX tidak dapat dibaca. Simpan ulang sebagai .xlsx lalu unggah lagi.")
        ) from None
    finally:
        workbook.close()
    return out.getvalue()


def plan_table(*, content: bytes, fmt: str) -> tuple[list[tuple[int, dict[str, str]]], list[PlanProblem]]:
    """The records of a plan file (each with its row number as a spreadsheet shows it, columns by
    their own names) and the problems that stopped or skipped rows. Raises PlanFileError."""
    if len(content) > PLAN_MAX_BYTES:
        raise PlanFileError(
            _("Berkas rencana terlalu besar (batas %(limit)s MB).")
            % {"limit": PLAN_MAX_BYTES // (1024 * 1024)}
        )
    if fmt == "xlsx":
        text = _xlsx_as_csv(content)
    elif fmt == "csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanFileError(
                _("Berkas CSV harus berupa teks UTF-8 (di spreadsheet: simpan sebagai “CSV UTF-8”).")
            ) from None
    else:
        raise PlanFileError(_("Hanya berkas .csv atau .xlsx yang dapat diimpor."))
    records: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    read_rows(
        text,
        "csv",
        required=REQUIRED,
        on_row=lambda row, record: records.append((row, {k: str(v) for k, v in record.items()})),
        errors=errors,
        max_rows=MAX_ROWS,
        field_max=CELL_MAX,
        aliases=ALIASES,
        numbering="row",
        delimiter=_delimiter(text) if fmt == "csv" else ",",
    )
    problems = [PlanProblem(error.line, "", error.message) for error in errors]
    if records:
        unknown = [name for name in records[0][1] if name not in COLUMNS]
        if unknown:
            problems.append(
                PlanProblem(
                    1,
                    "",
                    _("Kolom tidak dikenal: %(columns)s. Kolom yang dipakai: %(known)s.")
                    % {"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)},
                )
            )
    elif not errors:
        problems.append(PlanProblem(0, "", _("Berkas rencana tidak berisi baris.")))
    return records, problems


# --------------------------------------------------------------------------------------------
# Images: the ZIP and the media library


class PlanZip:
    """The images of an uploaded ZIP, found by file name, each through the one upload check once."""

    def __init__(self, file: IO[bytes]) -> None:
        try:
            self._archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise PlanFileError(_("Berkas ZIP tidak dapat dibaca.")) from None
        _zip_guard(self._archive, total_limit=ZIP_MAX_TOTAL, entries_limit=ZIP_MAX_ENTRIES)
        self._index: dict[str, zipfile.ZipInfo] = {}
        self._doubled: set[str] = set()
        self._other: dict[str, str] = {}
        self.ignored: list[str] = []
        self._prepared: dict[str, PreparedImage | str] = {}
        images = 0
        for info in self._archive.infolist():
            name = info.filename
            if _unsafe_name(name):
                raise PlanFileError(
                    _(
                        "Berkas ZIP berisi nama yang tidak aman (“%(name)s”); buat ZIP-nya lagi tanpa folder “..”."
                    )
                    % {"name": name[:100]}
                )
            if info.is_dir():
                continue
            base = name.rsplit("/", 1)[-1]
            if name.startswith("__MACOSX/") or base.startswith("._") or base.lower() in _IGNORED_ENTRIES:
                continue
            key = base.casefold()
            if not key.endswith(IMAGE_EXTENSIONS):
                self._other[key] = name
                self.ignored.append(name)
                continue
            images += 1
            if images > ZIP_MAX_IMAGES:
                raise PlanFileError(
                    _("Berkas ZIP berisi lebih dari %(limit)s gambar.") % {"limit": ZIP_MAX_IMAGES}
                )
            if key in self._index:
                self._doubled.add(key)
            self._index[key] = info

    def close(self) -> None:
        self._archive.close()

    def image(self, ref: str) -> PreparedImage | str:
        """The clean copy of the image named ``ref``, or why there is none (translated)."""
        key = ref.rsplit("/", 1)[-1].casefold()
        if key in self._prepared:
            return self._prepared[key]
        info = self._index.get(key)
        if info is None:
            if key in self._other:
                found: PreparedImage | str = _("“%(name)s” bukan gambar (JPEG, PNG, WebP atau GIF).") % {
                    "name": ref
                }
            else:
                found = _("Gambar “%(name)s” tidak ada di berkas ZIP.") % {"name": ref}
        elif key in self._doubled:
            found = _("Ada lebih dari satu gambar bernama “%(name)s” di berkas ZIP.") % {"name": ref}
        elif info.flag_bits & 0x1:
            found = _("Gambar “%(name)s” di berkas ZIP terenkripsi.") % {"name": ref}
        else:
            found = self._prepare(ref, info)
        self._prepared[key] = found
        return found

    def _prepare(self, ref: str, info: zipfile.ZipInfo) -> PreparedImage | str:
        try:
            with self._archive.open(info) as member:
                # Never past the declared size (the zipfile module stops there too): a member that
                # is larger than an image may be is refused by the upload check by its size.
                data = member.read(max_bytes() + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
            return _("Gambar “%(name)s” di berkas ZIP rusak.") % {"name": ref}
        try:
            return post_image_prepare(file=io.BytesIO(data))
        except ImageRejected as exc:
            return _("Gambar “%(name)s”: %(problem)s") % {"name": ref, "problem": " ".join(exc.messages)}


def _unsafe_name(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or ".." in parts
        or bool(re.match(r"[A-Za-z]:", name))
    )


def _library_image(*, actor: User, office: Office, asset_id: int) -> tuple[PreparedImage, str] | str:
    """The clean copy and the alt text of a media-library image ``actor`` may use in ``office``,
    or why not (translated). The one place the plan reaches the library."""
    asset = asset_usable(actor=actor, office=office, asset_id=asset_id)
    if asset is None:
        return _("Gambar pustaka %(id)s tidak ada atau tidak boleh dipakai kantor ini.") % {"id": asset_id}
    try:
        return asset_prepared(asset), asset.alt_text
    except (ImageRejected, OSError):
        return _("Berkas gambar pustaka %(id)s tidak dapat dipakai.") % {"id": asset_id}


# --------------------------------------------------------------------------------------------
# Checking a row


@dataclass
class _Context:
    office: Office
    actor: User
    channels: list[Channel]
    images: PlanZip | None
    now: datetime
    by_name: dict[str, list[Channel]] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    library: dict[int, tuple[PreparedImage, str] | str] = field(default_factory=dict)
    # The blackout windows not over now, read once; each row asks them as blackout_refusal would.
    windows: list[Blackout] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.windows = windows_ahead(now=self.now)
        with translation.override("id"):
            own_labels = {ch.pk: str(ch.get_platform_display()) for ch in self.channels}
            stage_labels = {key: str(label) for key, label in ElectionStage.choices}
        for channel in self.channels:
            names = {
                channel.platform,
                own_labels[channel.pk],
                str(channel.get_platform_display()),
                channel.name,
                channel.handle.lstrip("@"),
            }
            for name in names:
                key = _norm(name)
                if key and channel not in self.by_name.setdefault(key, []):
                    self.by_name[key].append(channel)
        for key, label in ElectionStage.choices:
            for name in (key, str(label), stage_labels[key]):
                self.stages[_norm(name)] = key

    @property
    def channel_keys(self) -> str:
        return ", ".join(sorted({str(ch.platform) for ch in self.channels})) or "—"


def _norm(value: str) -> str:
    return " ".join(value.replace("\x00", "").split()).casefold()


def _clean_text(value: str) -> str:
    return value.replace("\x00", "").strip()


def _parse_date(raw: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _parse_time(raw: str) -> time | None:
    match = _TIME.fullmatch(raw)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _check_when(row: PlanRow, cells: Mapping[str, str], ctx: _Context) -> None:
    raw_date, raw_time = cells.get(DATE, ""), cells.get(TIME, "")
    day = _parse_date(raw_date) if raw_date else None
    if raw_date and day is None:
        row.refuse(
            DATE,
            _("Tanggal “%(value)s” tidak dikenali: tulis 2029-02-14 atau 14/02/2029.") % {"value": raw_date},
        )
    at = _parse_time(raw_time) if raw_time else None
    if raw_time and at is None:
        row.refuse(TIME, _("Jam “%(value)s” tidak dikenali: tulis 09:30 (jam 00–23).") % {"value": raw_time})
    if day is None or at is None:
        return
    row.local = datetime.combine(day, at)
    row.scheduled_at = schedule_from_office_time(office=ctx.office, local=row.local)


def _check_schedule_state(row: PlanRow, ctx: _Context) -> list[PlanProblem]:
    """What the clock and the blackout windows say of the row's time now."""
    if row.scheduled_at is None:
        return []
    if row.scheduled_at <= ctx.now:
        now = timezone.localtime(ctx.now, ctx.office.zoneinfo)
        return [
            PlanProblem(
                row.row,
                TIME,
                _("Waktu ini sudah lewat (sekarang %(now)s %(zone)s).")
                % {"now": now.strftime("%d/%m/%Y %H:%M"), "zone": ctx.office.tz_abbreviation},
            )
        ]
    window = blocking_among(ctx.windows, office=ctx.office, at=row.scheduled_at)
    return [PlanProblem(row.row, TIME, refusal_message(window, office=ctx.office))] if window else []


def _check_channels(row: PlanRow, raw: str, ctx: _Context) -> None:
    chosen: list[Channel] = []
    for token in re.split(r"[,;\n]", raw):
        name = _norm(token).lstrip("@")
        if not name:
            continue
        found = list(ctx.channels) if name in ALL_CHANNELS else ctx.by_name.get(name)
        if not found:
            row.refuse(
                CHANNELS,
                _("Kanal “%(name)s” bukan kanal aktif kantor ini. Yang dapat dipakai: %(keys)s.")
                % {"name": token.strip(), "keys": ctx.channel_keys},
            )
            continue
        chosen += [channel for channel in found if channel not in chosen]
    if not chosen and not row.problems_in(CHANNELS):
        row.refuse(CHANNELS, _("Tulis setidaknya satu kanal tujuan."))
    row.channels = chosen


def _check_images(row: PlanRow, cells: Mapping[str, str], ctx: _Context) -> None:
    refs = [part.strip() for part in cells.get(IMAGES, "").split(";") if part.strip()]
    raw_alts = cells.get(ALTS, "")
    alts = [part.strip() for part in raw_alts.split(";")] if raw_alts.strip() else []
    if len(refs) > MAX_IMAGES:
        row.refuse(
            IMAGES,
            _("Terlalu banyak gambar: %(count)s dari batas %(limit)s per unggahan.")
            % {"count": len(refs), "limit": MAX_IMAGES},
        )
        return
    if len(alts) > len(refs):
        row.refuse(
            ALTS,
            _(
                "Ada %(alts)s teks alternatif untuk %(images)s gambar: tulis satu untuk setiap gambar, dipisahkan “;”."
            )
            % {"alts": len(alts), "images": len(refs)},
        )
        return
    for index, ref in enumerate(refs):
        alt = alts[index] if index < len(alts) else ""
        lowered = ref.lower()
        prepared: PreparedImage | None = None
        if lowered.startswith(LIBRARY_PREFIXES):
            number = ref.split(":", 1)[1].strip()
            if not (number.isascii() and number.isdigit() and len(number) < 12):
                row.refuse(
                    IMAGES, _("“%(ref)s”: tulis nomor gambar pustaka, misalnya pustaka:12.") % {"ref": ref}
                )
                continue
            asset_id = int(number)
            if asset_id not in ctx.library:
                ctx.library[asset_id] = _library_image(actor=ctx.actor, office=ctx.office, asset_id=asset_id)
            found = ctx.library[asset_id]
            if isinstance(found, str):
                row.refuse(IMAGES, found)
                continue
            prepared, alt = found[0], alt or found[1]
        elif ctx.images is None:
            row.refuse(
                IMAGES,
                _("Gambar “%(name)s” tidak ada: unggah berkas ZIP berisi gambarnya bersama rencana ini.")
                % {"name": ref},
            )
            continue
        else:
            image = ctx.images.image(ref)
            if isinstance(image, str):
                row.refuse(IMAGES, image)
                continue
            prepared = image
        try:
            alt = clean_texts(alt_text=alt)[0]
        except ImageRejected as exc:
            row.refuse(
                ALTS, _("Gambar “%(name)s”: %(problem)s") % {"name": ref, "problem": " ".join(exc.messages)}
            )
            continue
        row.images.append(PlanImage(ref=ref, alt=alt, prepared=prepared))


def _check_limits(row: PlanRow) -> list[PlanProblem]:
    """What the platforms would refuse in the row's texts: each variant on its platform, the main
    text on every platform of the row's channels that has no variant."""
    problems: list[PlanProblem] = []
    image_count = len(row.images)
    platforms = dict(Platform.choices)
    refused = variant_problems(texts=row.variants, link=row.link, image_count=image_count)
    for platform, message in refused.items():
        problems.append(PlanProblem(row.row, f"teks_{platform}", message))
    if row.text:
        for platform in sorted({str(ch.platform) for ch in row.channels} - set(row.variants)):
            problem = text_problem(platform=platform, text=row.text, link=row.link, image_count=image_count)
            if problem:
                problems.append(
                    PlanProblem(
                        row.row,
                        TEXT,
                        _("Untuk %(platform)s: %(problem)s")
                        % {"platform": platforms[platform], "problem": problem},
                    )
                )
    return problems


def _check_guideline(
    rows: Sequence[PlanRow], ctx: _Context
) -> dict[int, tuple[list[PlanProblem], list[PlanProblem]]]:
    """The guideline on every text of ``rows``, read in one pass (the office's rules and sites
    are read once): by row number, what it blocks (problems) and what it warns of (notes)."""
    places: list[tuple[int, str]] = []
    texts: list[tuple[str, str, str]] = []
    for row in rows:
        for platform, text in [("", row.text), *row.variants.items()]:
            if text:
                texts.append((str(len(places)), platform, text))
                places.append((row.row, f"teks_{platform}" if platform else TEXT))
    found: dict[int, tuple[list[PlanProblem], list[PlanProblem]]] = {}
    for finding in text_policy_report(office=ctx.office, texts=texts).findings:
        number, column = places[int(finding.where)]
        problems, notes = found.setdefault(number, ([], []))
        named = _("%(explanation)s (“%(excerpt)s”)") % {
            "explanation": finding.explanation,
            "excerpt": finding.excerpt,
        }
        if finding.severity == BLOCK:
            problems.append(
                PlanProblem(
                    number, column, _("Melanggar pedoman kehumasan: %(finding)s") % {"finding": named}
                )
            )
        else:
            notes.append(
                PlanProblem(
                    number, column, _("Peringatan pedoman kehumasan: %(finding)s") % {"finding": named}
                )
            )
    return found


def _check_row(row_number: int, cells: Mapping[str, str], ctx: _Context) -> PlanRow:
    row = PlanRow(row=row_number, cells=dict(cells))
    usable: dict[str, str] = {}
    for column, value in cells.items():
        if formula_like(value):
            row.refuse(
                column,
                _(
                    "Rumus spreadsheet tidak diterima (sel diawali “%(start)s”): tulis sebagai teks biasa. "
                    "Untuk butir daftar, beri spasi sesudah tanda “-”."
                )
                % {"start": value.lstrip()[:1]},
            )
        else:
            usable[column] = value.replace("\x00", "").strip()
    for column in REQUIRED:
        if column in usable and not usable[column]:
            row.refuse(column, _("Wajib diisi."))
    _check_when(row, usable, ctx)
    if usable.get(CHANNELS):
        _check_channels(row, usable[CHANNELS], ctx)
    row.text = _clean_text(usable.get(TEXT, ""))
    if len(row.text) > MAX_TEXT:
        row.refuse(TEXT, _("Teks terlalu panjang (batas %(limit)s karakter).") % {"limit": MAX_TEXT})
    for column, platform in VARIANT_COLUMNS.items():
        text = _clean_text(usable.get(column, ""))
        if text:
            row.variants[platform] = text
    link = usable.get(LINK, "")
    if link:
        try:
            if len(link) > Post._meta.get_field("link").max_length:  # type: ignore[operator]
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            row.refuse(
                LINK,
                _(
                    "Tautan harus alamat lengkap yang diawali http:// atau https:// (paling panjang 500 karakter)."
                ),
            )
        else:
            row.link = link
    _check_images(row, usable, ctx)
    stage = usable.get(STAGE, "")
    if stage:
        key = ctx.stages.get(_norm(stage))
        if key is None:
            row.refuse(
                STAGE,
                _("Tahapan “%(value)s” tidak dikenal. Pilih salah satu: %(keys)s.")
                % {"value": stage, "keys": ", ".join(ElectionStage.values)},
            )
        else:
            row.stage = key
    try:
        row.campaign = clean_campaign(usable.get(CAMPAIGN, ""))
    except PublishingError as exc:
        row.refuse(CAMPAIGN, str(exc))
    row.problems += _check_schedule_state(row, ctx)
    row.problems += _check_limits(row)
    return row


def _identity(row: PlanRow) -> tuple[object, ...]:
    """What makes two rows the same post: every cell as written (spaces collapsed), the time and
    the channels as understood when they could be (09:00 and 09.00 are the same time)."""
    cells = {column: " ".join(value.split()) for column, value in row.cells.items()}
    if row.local is not None:
        cells[DATE], cells[TIME] = row.local.isoformat(), ""
    if row.channels and not row.problems_in(CHANNELS):
        cells[CHANNELS] = ",".join(str(pk) for pk in sorted(ch.pk for ch in row.channels))
    return tuple(sorted(cells.items()))


def plan_parse(
    *,
    actor: User,
    office: Office,
    content: bytes,
    fmt: str,
    channels: Sequence[Channel],
    images: IO[bytes] | None = None,
    now: datetime | None = None,
) -> Plan:
    """Read and check a plan file of ``office`` (``fmt``: csv or xlsx) with the ZIP of its
    ``images``; ``channels``: the office's channels a post may go out on
    (``channel_list_for_publishing``). Every problem of every row is kept; nothing is written."""
    plan = Plan()
    try:
        records, plan.problems = plan_table(content=content, fmt=fmt)
    except PlanFileError as exc:
        plan.problems.append(PlanProblem(0, "", str(exc)))
        return plan
    archive: PlanZip | None = None
    if images is not None:
        try:
            archive = PlanZip(images)
        except PlanFileError as exc:
            plan.problems.append(PlanProblem(0, ZIP_COLUMN, str(exc)))
            return plan
        if archive.ignored:
            plan.notes.append(
                _("Berkas di ZIP yang bukan gambar tidak dibaca: %(names)s.")
                % {"names": ", ".join(archive.ignored[:10]) + (" …" if len(archive.ignored) > 10 else "")}
            )
    if any(p.row <= 1 for p in plan.problems):
        return plan  # the header is wrong: the rows cannot be read as meant
    ctx = _Context(
        office=office, actor=actor, channels=list(channels), images=archive, now=now or timezone.now()
    )
    seen: dict[tuple[object, ...], int] = {}
    try:
        for row_number, cells in records:
            row = _check_row(row_number, cells, ctx)
            identity = _identity(row)
            if identity in seen:
                row.refuse("", _("Baris ini sama dengan baris %(row)s.") % {"row": seen[identity]})
            else:
                seen[identity] = row_number
            plan.rows.append(row)
    finally:
        if archive is not None:
            archive.close()
    by_number = {row.row: row for row in plan.rows}
    for number, (problems, notes) in _check_guideline(plan.rows, ctx).items():
        row = by_number[number]
        row.problems += problems
        row.notes += notes
    return plan


def plan_recheck(
    *, actor: User, office: Office, rows: Sequence[PlanRow], channels: Sequence[Channel], now: datetime
) -> list[PlanProblem]:
    """Every problem of ``rows`` as things stand now: those found when they were read, and again
    the channels (still the office's active ones), the time (not past, not inside a blackout
    window declared since), the platforms' limits and the guideline."""
    ctx = _Context(office=office, actor=actor, channels=list(channels), images=None, now=now)
    usable = {channel.pk for channel in channels}
    guideline = _check_guideline(rows, ctx)
    found: list[PlanProblem] = []
    for row in rows:
        fresh = list(row.problems)
        for channel in row.channels:
            if channel.pk not in usable or channel.office_id != office.pk:
                fresh.append(
                    PlanProblem(
                        row.row,
                        CHANNELS,
                        _("Kanal “%(name)s” bukan lagi kanal aktif kantor ini.") % {"name": channel.name},
                    )
                )
        if not row.channels:
            fresh.append(PlanProblem(row.row, CHANNELS, _("Tulis setidaknya satu kanal tujuan.")))
        if row.scheduled_at is None or not row.text:
            fresh.append(PlanProblem(row.row, "", _("Baris ini belum lengkap.")))
        fresh += _check_schedule_state(row, ctx)
        fresh += _check_limits(row)
        fresh += guideline.get(row.row, ([], []))[0]
        found += [p for index, p in enumerate(fresh) if p not in fresh[:index]]
    return found


# --------------------------------------------------------------------------------------------
# Writing


def plan_commit(
    *,
    actor: User,
    office: Office,
    rows: Sequence[PlanRow],
    submit: bool = False,
    filename: str = "",
    fmt: str = "",
) -> list[Post]:
    """Write every row of a checked plan as a draft of ``office`` (with its channels, variants,
    images, stage and campaign), or nothing. Needs content.draft there. Everything is checked
    again first, in the transaction (:func:`plan_recheck`); raises PlanInvalid with every
    problem. With ``submit`` each draft is also sent for review (``post_submit``). Image files
    written for a plan that fails are removed.

    The posts, their channels and variants and their audit events are written in bulk, a few
    statements for the whole plan (what ``post_create`` and ``post_variants_set`` would write
    and record for each, their checks made by :func:`plan_recheck`); images go through
    ``post_images_change``, post by post, as every image does."""
    policy.require(actor, "content.draft", office)
    rows = list(rows)
    if not rows:
        raise PlanInvalid([PlanProblem(0, "", _("Berkas rencana tidak berisi baris."))])
    channels = list(channel_list_for_publishing(office=office))
    written: list[str] = []
    try:
        with transaction.atomic():
            problems = plan_recheck(
                actor=actor, office=office, rows=rows, channels=channels, now=timezone.now()
            )
            if problems:
                raise PlanInvalid(problems)
            posts = _write_posts(actor=actor, office=office, rows=rows)
            for post, row in zip(posts, rows, strict=True):
                if row.images:
                    add = [NewImage(image.prepared, image.alt) for image in row.images if image.prepared]
                    post_images_change(actor=actor, post=post, add=add)
                    written += [name for name in post.images.values_list("file", flat=True) if name]
            if submit:
                posts = [post_submit(actor=actor, post=post) for post in posts]
            changes: dict[str, Any] = {"count": len(posts)}
            if filename:
                changes["filename"] = filename[:200]
            if fmt:
                changes["format"] = fmt
            if submit:
                changes["submitted"] = True
            audit_record(actor=actor, office=office, action="post.plan_import", changes=changes)
    except Exception:
        delete_quietly(storage=private_storage(), names=written)
        raise
    return posts


def _write_posts(*, actor: User, office: Office, rows: Sequence[PlanRow]) -> list[Post]:
    """The drafts of ``rows`` with their channels and variants, and the events ``post_create``
    and ``post_variants_set`` record: one statement per table."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        [
            Post(
                office=office,
                author=actor,
                text=row.text,
                link=row.link,
                scheduled_at=row.scheduled_at,
                campaign=row.campaign,
                election_stage=row.stage,
                last_changed_by=actor,
                last_changed_at=now,
            )
            for row in rows
        ]
    )
    through = Post.channels.through
    through.objects.bulk_create(
        [
            through(post_id=post.pk, channel_id=channel.pk)
            for post, row in zip(posts, rows, strict=True)
            for channel in row.channels
        ]
    )
    PostVariant.objects.bulk_create(
        [
            PostVariant(post=post, platform=platform, text=text)
            for post, row in zip(posts, rows, strict=True)
            for platform, text in row.variants.items()
        ]
    )
    entries = []
    for post, row in zip(posts, rows, strict=True):
        changes: dict[str, Any] = {"channels": sorted(channel.pk for channel in row.channels)}
        changes.update({k: v for k, v in (("campaign", row.campaign), ("election_stage", row.stage)) if v})
        entries.append(
            AuditEntry(actor=actor, office=office, action="post.create", obj=post, changes=changes)
        )
    entries += [
        AuditEntry(
            actor=actor,
            office=office,
            action="post.variants",
            obj=post,
            changes={"platforms": sorted(row.variants)},
        )
        for post, row in zip(posts, rows, strict=True)
        if row.variants
    ]
    audit_record_many(entries)
    return posts


# --------------------------------------------------------------------------------------------
# The ZIP kept between the preview and the confirmation


def plan_upload_store(*, actor: User, office: Office, file: IO[bytes]) -> str:
    """Keep an uploaded ZIP in the private storage for the confirmation; its name, bound to the
    office and the person (:func:`plan_upload_open` checks both)."""
    name = f"{UPLOAD_ROOT}/{office.pk}/{actor.pk}/{uuid.uuid4().hex}.zip"
    file.seek(0)
    return private_storage().save(name, File(file, name=name))


def _own_upload(*, actor: User, office: Office, name: str) -> bool:
    match = _UPLOAD_NAME.fullmatch(name)
    return match is not None and (int(match.group(1)), int(match.group(2))) == (office.pk, actor.pk)


def plan_upload_open(*, actor: User, office: Office, name: str) -> IO[bytes] | None:
    """The kept ZIP ``name`` of ``actor`` in ``office``, open for reading; None when it is not
    theirs or no longer kept."""
    if not _own_upload(actor=actor, office=office, name=name):
        return None
    try:
        return private_storage().open(name, "rb")
    except OSError:
        return None


def plan_upload_delete(*, actor: User, office: Office, name: str) -> None:
    """Remove the kept ZIP ``name`` (after its plan was written, or refused at the confirmation)."""
    if name and _own_upload(actor=actor, office=office, name=name):
        delete_quietly(storage=private_storage(), names=[name])


def plan_uploads_purge(*, now: datetime | None = None) -> int:
    """Remove kept ZIPs older than a preview lives (abandoned previews); how many. Idempotent."""
    storage = private_storage()
    cutoff = (now or timezone.now()) - UPLOAD_MAX_AGE
    removed = 0
    try:
        offices, _files = storage.listdir(UPLOAD_ROOT)
    except FileNotFoundError:
        return 0
    for office_dir in offices:
        people, _files = storage.listdir(f"{UPLOAD_ROOT}/{office_dir}")
        for person_dir in people:
            folder = f"{UPLOAD_ROOT}/{office_dir}/{person_dir}"
            for filename in storage.listdir(folder)[1]:
                name = f"{folder}/{filename}"
                try:
                    stale = storage.get_modified_time(name) < cutoff
                except OSError:
                    continue  # removed meanwhile
                if stale:
                    delete_quietly(storage=storage, names=[name])
                    removed += 1
    return removed


# --------------------------------------------------------------------------------------------
# The template


def template_rows(
    *, office: Office, channels: Sequence[Channel], today: date | None = None
) -> list[list[str]]:
    """The header and two example rows (realistic KPU content, the office's own channel keys, a
    week ahead in its time zone): what the downloadable templates hold."""
    day = today or timezone.localdate(timezone=office.zoneinfo)
    keys = sorted({str(channel.platform) for channel in channels}) or [str(Platform.PORTAL)]
    first, second = day + timedelta(days=7), day + timedelta(days=8)
    example_x = (
        "Coklit dimulai hari ini! Petugas Pantarlih mendatangi rumah Anda untuk mencocokkan data pemilih. "
        "Siapkan KTP-el dan KK. #AyoCekDPT"
    )
    rows: list[dict[str, str]] = [
        {
            DATE: first.strftime("%Y-%m-%d"),
            TIME: "09:00",
            CHANNELS: ", ".join(keys),
            TEXT: (
                "Pencocokan dan penelitian (coklit) data pemilih dimulai hari ini. Petugas Pantarlih "
                f"{office.name} akan mendatangi rumah Anda untuk mencocokkan data dalam daftar pemilih. "
                "Siapkan KTP-el dan Kartu Keluarga, dan pastikan nama Anda terdaftar."
            ),
            "teks_x": example_x if "x" in keys else "",
            LINK: "https://cekdptonline.kpu.go.id",
            STAGE: str(ElectionStage.PEMUTAKHIRAN),
            CAMPAIGN: "AyoCekDPT",
        },
        {
            DATE: second.strftime("%d/%m/%Y"),
            TIME: "19:30",
            CHANNELS: keys[0],
            TEXT: (
                "Sudah cek nama Anda di daftar pemilih? Buka cekdptonline.kpu.go.id, masukkan NIK Anda "
                "sendiri, lalu lihat TPS tempat Anda memilih. Jika belum terdaftar, hubungi PPS di desa "
                "atau kelurahan Anda."
            ),
            STAGE: str(ElectionStage.PEMUTAKHIRAN),
            CAMPAIGN: "AyoCekDPT",
        },
    ]
    return [list(COLUMNS), *[[row.get(column, "") for column in COLUMNS] for row in rows]]


def template_csv(rows: Iterable[Sequence[str]]) -> str:
    """The template as CSV text, every cell protected against formula injection (``core.spreadsheets.csv_cell``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()  # spreadsheet programs then read it as UTF-8


def template_xlsx(rows: Sequence[Sequence[str]], *, guide: Sequence[tuple[str, str]]) -> bytes:
    """The template as an XLSX workbook: the plan on the first sheet (every cell text, never a
    formula), what each column takes on a second."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(_("Rencana"))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"  # text, even when it starts with "=": never written as a formula
            cell.number_format = "@"
            if r == 1:
                cell.font = Font(bold=True)
            else:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for c, name in enumerate(rows[0], start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = (
            60 if name.startswith("teks") else 18
        )
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(str(_("Petunjuk")))
    for r, (name, meaning) in enumerate(guide, start=1):
        for c, value in enumerate((name, meaning), start=1):
            cell = help_sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = "s"
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def column_guide() -> list[tuple[str, str]]:
    """What each column takes, for the upload page and the template's second sheet."""
    platforms = dict(Platform.choices)
    guide = [
        (DATE, _("Wajib. Tanggal terbit: 2029-02-14 atau 14/02/2029.")),
        (TIME, _("Wajib. Jam terbit menurut waktu kantor: 09:30.")),
        (
            CHANNELS,
            _(
                "Wajib. Kanal tujuan dipisahkan koma: kunci platform (facebook, x, portal …), nama kanal, atau “semua”."
            ),
        ),
        (TEXT, _("Wajib. Teks unggahan.")),
    ]
    guide += [
        (column, _("Opsional. Teks khusus untuk %(platform)s.") % {"platform": platforms[platform]})
        for column, platform in VARIANT_COLUMNS.items()
    ]
    guide += [
        (LINK, _("Opsional. Tautan lengkap yang diawali https://.")),
        (
            IMAGES,
            _(
                "Opsional. Nama berkas gambar di ZIP yang diunggah bersama rencana, atau pustaka:<nomor>, dipisahkan “;”."
            ),
        ),
        (ALTS, _("Wajib untuk setiap gambar, dalam urutan yang sama, dipisahkan “;”.")),
        (STAGE, _("Opsional. Tahapan pemilu: %(keys)s.") % {"keys": ", ".join(ElectionStage.values)}),
        (CAMPAIGN, _("Opsional. Nama kampanye atau tagar tanpa #.")),
    ]
    return [(name, str(meaning)) for name, meaning in guide]


# --------------------------------------------------------------------------------------------
# Carrying the plan file to the confirmation


def plan_file_encode(*, content: bytes, fmt: str) -> str:
    """The plan file as the preview's signed token carries it (text for a CSV)."""
    if fmt == "csv":
        return content.decode("utf-8-sig")
    return base64.b64encode(content).decode("ascii")


def plan_file_decode(*, carried: str, fmt: str) -> bytes:
    """The inverse of :func:`plan_file_encode`. Raises PlanFileError."""
    if fmt == "csv":
        return carried.encode("utf-8")
    try:
        return base64.b64decode(carried.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise PlanFileError(
            _("Pratinjau impor sudah kedaluwarsa atau tidak sah; unggah berkasnya lagi.")
        ) from None


__all__ = [
    "ALIASES",
    "COLUMNS",
    "MAX_ROWS",
    "Plan",
    "PlanFileError",
    "PlanInvalid",
    "PlanProblem",
    "PlanRow",
    "formula_like",
    "plan_commit",
    "plan_parse",
    "plan_recheck",
    "plan_upload_delete",
    "plan_upload_open",
    "plan_upload_store",
    "plan_uploads_purge",
]
