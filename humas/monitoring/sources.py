"""Writes of the monitoring sources Humas polls itself (comments on the office's channels, keyword
searches, news and fact-check feeds): create, change, switch on and off, run now. Sources filled
by files and the API are made as their items arrive (services.py).

A source's ``config`` says what to fetch and never holds a secret: a channel is named by its id
(its credential stays with the channel, encrypted), feeds by addresses without user or password.
Config shapes, by kind:

- channel comments: ``{"channel_id": int}``
- keyword search: ``{"platform": "x", "channel_id": int, "terms": [str, ...]}``
- news feed: ``{"feeds": [url, ...]}``
- fact-check feed: ``{"feeds": [url, ...], "source_name": str}``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from humas.audit.services import audit_record
from humas.factcheck.records import source_name_clean as factcheck_source_clean
from humas.factcheck.records import source_name_problem as factcheck_source_problem
from humas.offices import policy
from humas.offices.models import Office

from .models import SOURCE_NAME_MAX, URL_MAX, Source
from .polling import poller_for, source_lease_claim, source_poll_enqueue
from .selectors import source_channel_choices
from .services import MonitoringError

if TYPE_CHECKING:
    from humas.accounts.models import User

Kind = Source.Kind
POLLED_KINDS: tuple[str, ...] = (
    Kind.CHANNEL_COMMENTS,
    Kind.KEYWORD_SEARCH,
    Kind.NEWS_FEED,
    Kind.FACTCHECK_FEED,
)
FEEDS_MAX = 20
TERMS_MAX = 50
TERM_MAX = 60
# Every office watches these; its own region's name joins them (default_terms).
DEFAULT_TERMS = ("KPU", "pemilu", "pilkada", "TPS", "DPT", "Sirekap", "tahapan")
INTERVALS = (5, 15, 30, 60, 180, 360, 720, 1440)
DEFAULT_FACTCHECK_SOURCE = "TurnBackHoax"
NATIONAL_CODE = "00"
_REGION_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Provinsi ")


def default_terms(office: Office) -> list[str]:
    """The watch list a new keyword search starts from: the election's words and the office's
    region as people write it ("Jepara", not "Kabupaten Jepara")."""
    terms = list(DEFAULT_TERMS)
    if office.code != NATIONAL_CODE and office.region_name:
        region = office.region_name
        for prefix in _REGION_PREFIXES:
            if region.startswith(prefix):
                region = region[len(prefix) :]
                break
        if region.casefold() not in {t.casefold() for t in terms}:
            terms.append(region)
    return terms


def _lines(value: str | Iterable[str]) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [" ".join(str(line).replace("\x00", "").split()) for line in items]


def feed_urls_check(value: str | Iterable[str]) -> tuple[list[str], list[str]]:
    """The feed addresses of ``value`` (one per line; blank lines and repeats dropped) and what is
    wrong with them, each problem naming its line."""
    validate = URLValidator(schemes=["http", "https"])
    urls: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(_lines(value), start=1):
        if not line:
            continue
        shown = line if len(line) <= 80 else line[:79] + "…"
        try:
            if len(line) > URL_MAX:
                raise ValidationError("too long")
            validate(line)
            parts = urlsplit(line)
        except (ValidationError, ValueError):
            problems.append(
                _("Baris %(line)d: “%(value)s” bukan alamat http:// atau https:// yang sah.")
                % {"line": number, "value": shown}
            )
            continue
        if parts.username or parts.password:
            problems.append(
                _("Baris %(line)d: alamat tidak boleh memuat nama pengguna atau kata sandi.")
                % {"line": number}
            )
            continue
        if line not in urls:
            urls.append(line)
    if not urls and not problems:
        problems.append(_("Tulis sedikitnya satu alamat umpan."))
    if len(urls) > FEEDS_MAX:
        problems.append(_("Paling banyak %(max)d umpan per sumber.") % {"max": FEEDS_MAX})
    return urls, problems


def terms_check(value: str | Iterable[str]) -> tuple[list[str], list[str]]:
    """The watch list of ``value`` (one term per line; blank lines and repeats, whatever their
    case, dropped) and what is wrong with it."""
    terms: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, term in enumerate(_lines(value), start=1):
        if not term:
            continue
        if len(term) > TERM_MAX:
            problems.append(
                _("Baris %(line)d: kata kunci paling panjang %(max)d karakter.")
                % {"line": number, "max": TERM_MAX}
            )
            continue
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    if not terms and not problems:
        problems.append(_("Tulis sedikitnya satu kata kunci."))
    if len(terms) > TERMS_MAX:
        problems.append(_("Paling banyak %(max)d kata kunci.") % {"max": TERMS_MAX})
    return terms, problems


def _channel_id(office: Office, kind: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise MonitoringError(_("Pilih kanal kantor yang sudah terhubung."))
    channel_id = int(value)
    if not source_channel_choices(office=office, kind=kind).filter(pk=channel_id).exists():
        raise MonitoringError(_("Pilih kanal kantor yang sudah terhubung."))
    return channel_id


def source_config_clean(*, office: Office, kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` checked and in its stored shape (see the module's docstring), or MonitoringError
    with the first problem."""

    def first(problems: list[str]) -> None:
        if problems:
            raise MonitoringError(problems[0])

    if kind == Kind.CHANNEL_COMMENTS:
        return {"channel_id": _channel_id(office, kind, config.get("channel_id"))}
    if kind == Kind.KEYWORD_SEARCH:
        terms, problems = terms_check(config.get("terms") or [])
        first(problems)
        return {
            "platform": "x",
            "channel_id": _channel_id(office, kind, config.get("channel_id")),
            "terms": terms,
        }
    if kind in (Kind.NEWS_FEED, Kind.FACTCHECK_FEED):
        feeds, problems = feed_urls_check(config.get("feeds") or [])
        first(problems)
        if kind == Kind.NEWS_FEED:
            return {"feeds": feeds}
        name = str(config.get("source_name") or "")
        problem = factcheck_source_problem(name)
        if problem:
            raise MonitoringError(problem)
        return {"feeds": feeds, "source_name": factcheck_source_clean(name)}
    raise MonitoringError(_("Sumber jenis ini tidak diambil oleh Humas."))


def _config_text(kind: str, config: Mapping[str, Any]) -> str:
    """The config as an audit detail reads it (the channel is a detail of its own)."""
    if kind == Kind.KEYWORD_SEARCH:
        return ", ".join(config.get("terms", []))
    if kind == Kind.FACTCHECK_FEED:
        return f"{config.get('source_name', '')}: {', '.join(config.get('feeds', []))}"
    if kind == Kind.NEWS_FEED:
        return ", ".join(config.get("feeds", []))
    return ""


def _name_checked(office: Office, name: str, *, source: Source | None = None) -> str:
    name = " ".join(name.replace("\x00", "").split())
    if not name:
        raise MonitoringError(_("Nama sumber wajib diisi."))
    if len(name) > SOURCE_NAME_MAX:
        raise MonitoringError(_("Nama sumber paling panjang %(max)d karakter.") % {"max": SOURCE_NAME_MAX})
    taken = Source.objects.filter(office=office, name=name)
    if source is not None:
        taken = taken.exclude(pk=source.pk)
    if taken.exists():
        raise MonitoringError(_("Kantor ini sudah punya sumber bernama “%(name)s”.") % {"name": name})
    return name


def _interval_checked(minutes: int, *, current: int | None = None) -> int:
    if minutes not in INTERVALS and minutes != current:
        raise MonitoringError(_("Pilih selang pengambilan dari daftar."))
    return minutes


def source_create(
    *,
    actor: User,
    office: Office,
    kind: str,
    name: str,
    config: Mapping[str, Any],
    poll_interval_minutes: int,
) -> Source:
    """Create a source of a polled ``kind`` in ``office``; its first poll comes within a minute.
    Needs ``monitoring.manage_sources`` in the office (checked here)."""
    policy.require(actor, "monitoring.manage_sources", office)
    if kind not in POLLED_KINDS:
        raise MonitoringError(_("Sumber jenis ini tidak diambil oleh Humas."))
    name = _name_checked(office, name)
    cleaned = source_config_clean(office=office, kind=kind, config=config)
    interval = _interval_checked(poll_interval_minutes)
    changes: dict[str, Any] = {"source_kind": kind, "poll_interval_minutes": interval}
    if "channel_id" in cleaned:
        changes["channel"] = cleaned["channel_id"]
    if _config_text(kind, cleaned):
        changes["config"] = _config_text(kind, cleaned)
    try:
        with transaction.atomic():
            source = Source.objects.create(
                office=office,
                kind=kind,
                name=name,
                config=cleaned,
                poll_interval_minutes=interval,
                created_by=actor,
            )
            audit_record(
                actor=actor, office=office, action="monitoring.source_create", obj=source, changes=changes
            )
    except IntegrityError:  # the same name, made by another request in the meantime
        raise MonitoringError(
            _("Kantor ini sudah punya sumber bernama “%(name)s”.") % {"name": name}
        ) from None
    return source


def source_update(
    *,
    actor: User,
    source: Source,
    name: str,
    config: Mapping[str, Any],
    poll_interval_minutes: int,
) -> Source:
    """Change a polled source's name, what it fetches and how often. A different channel starts
    its cursor afresh (positions belong to one account); a feed's position stays with its
    address. Needs ``monitoring.manage_sources`` in the source's office (checked here)."""
    office = source.office
    policy.require(actor, "monitoring.manage_sources", office)
    if source.kind not in POLLED_KINDS:
        raise MonitoringError(_("Sumber jenis ini tidak diambil oleh Humas."))
    name = _name_checked(office, name, source=source)
    cleaned = source_config_clean(office=office, kind=source.kind, config=config)
    interval = _interval_checked(poll_interval_minutes, current=source.poll_interval_minutes)
    changes: dict[str, Any] = {}
    if name != source.name:
        changes["name"] = {"before": source.name, "after": name}
    if interval != source.poll_interval_minutes:
        changes["poll_interval_minutes"] = {"before": source.poll_interval_minutes, "after": interval}
    before_channel = source.config.get("channel_id")
    if cleaned.get("channel_id") != before_channel:
        changes["channel"] = {"before": before_channel, "after": cleaned.get("channel_id")}
    before_text, after_text = _config_text(source.kind, source.config), _config_text(source.kind, cleaned)
    if before_text != after_text:
        changes["config"] = {"before": before_text, "after": after_text}
    if not changes:
        return source
    fields = ["name", "config", "poll_interval_minutes"]
    try:
        with transaction.atomic():
            if "channel" in changes:
                source.cursor = {}
                fields.append("cursor")
            if "poll_interval_minutes" in changes or "channel" in changes or "config" in changes:
                source.next_run_at = None  # due now: the new settings are tried at once
                fields.append("next_run_at")
            source.name, source.config, source.poll_interval_minutes = name, cleaned, interval
            source.save(update_fields=fields)
            audit_record(
                actor=actor, office=office, action="monitoring.source_update", obj=source, changes=changes
            )
    except IntegrityError:
        raise MonitoringError(
            _("Kantor ini sudah punya sumber bernama “%(name)s”.") % {"name": name}
        ) from None
    return source


def _switch(*, actor: User, source: Source, active: bool) -> Source:
    policy.require(actor, "monitoring.manage_sources", source.office)
    if source.is_active == active:
        return source
    with transaction.atomic():
        source.is_active = active
        fields = ["is_active"]
        if active:
            source.next_run_at = None
            fields.append("next_run_at")
        source.save(update_fields=fields)
        audit_record(
            actor=actor,
            office=source.office,
            action="monitoring.source_activate" if active else "monitoring.source_deactivate",
            obj=source,
        )
    return source


def source_activate(*, actor: User, source: Source) -> Source:
    """Switch a source on again; a polled one runs within a minute. Needs ``monitoring.manage_sources``."""
    return _switch(actor=actor, source=source, active=True)


def source_deactivate(*, actor: User, source: Source) -> Source:
    """Switch a source off: it is not polled and takes no imported or API items; its items stay.
    Needs ``monitoring.manage_sources``."""
    return _switch(actor=actor, source=source, active=False)


def source_run_now(*, actor: User, source: Source) -> bool:
    """Queue a poll of the source now, whatever its schedule. Answers False when it is being
    polled already (nothing is queued). Needs ``monitoring.manage_sources``."""
    policy.require(actor, "monitoring.manage_sources", source.office)
    if poller_for(source.kind) is None:
        raise MonitoringError(_("Sumber jenis ini tidak diambil oleh Humas."))
    if not source.is_active:
        raise MonitoringError(_("Sumber “%(name)s” sudah dinonaktifkan.") % {"name": source.name})
    with transaction.atomic():
        token = source_lease_claim(source_id=source.pk)
        if token is None:
            return False
        audit_record(actor=actor, office=source.office, action="monitoring.source_run", obj=source)
        source_poll_enqueue(source_id=source.pk, token=token)
    return True
