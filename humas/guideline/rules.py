"""An office's own rules of the public-relations guideline, on top of the shipped ones.

The text engine ships the guideline as data (``humas/textkit/data/contentpolicy.json``): the
national candidates and parties, support phrases, official sites. A regional election has its
own candidates, a region may have local parties (Aceh), an office has its own sites; and an
office may hold a warning stricter, as a block. Each office's Administrator adds these
(``GuidelineRules``); an office checks posts with the shipped rules plus the additions of every
office above it and its own. Nothing set above can be loosened below: additions only add, and a
rule raised to block above stays a block.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths
from humas.textkit.contentpolicy import WARN, Candidate, Party, RuleSet, load_default_rules

from .models import GuidelineRules

LINES_MAX = 200
LINE_MAX = 200
ALIASES_MAX = 12
_CACHE_SIZE = 600
_cache: OrderedDict[tuple[Any, ...], RuleSet] = OrderedDict()
_cache_lock = threading.Lock()


class GuidelineError(Exception):
    """Additions the guideline refuses, with a translated reason."""


@dataclass(frozen=True)
class Layer:
    """One office's additions, as the guideline page shows them."""

    office: Office
    candidates: list[dict[str, Any]]
    parties: list[dict[str, Any]]
    support_phrases: list[str]
    official_hosts: list[str]
    stricter: list[str]
    stricter_labels: list[str]


def _rows(office: Office) -> list[GuidelineRules]:
    """The additions of ``office`` and of every office above it, from the top down."""
    return sorted(
        GuidelineRules.objects.select_related("office").filter(
            office__path__in=[*ancestor_paths(office.path), office.path]
        ),
        key=lambda row: row.office.depth,
    )


def layers_for(office: Office, labels: Mapping[str, object] | None = None) -> list[Layer]:
    """Each office's additions from the top down; ``labels`` names the rules made stricter."""
    labels = labels or {}
    return [
        Layer(
            office=row.office,
            candidates=list(row.candidates),
            parties=list(row.parties),
            support_phrases=list(row.support_phrases),
            official_hosts=list(row.official_hosts),
            stricter=list(row.stricter),
            stricter_labels=[str(labels.get(rule, rule)) for rule in row.stricter],
        )
        for row in _rows(office)
    ]


def _build(rows: list[GuidelineRules]) -> RuleSet:
    ruleset = load_default_rules()
    for row in rows:
        ruleset = ruleset.with_extra(
            candidates=[
                Candidate(c["name"], c.get("ticket", ""), int(c["number"]), tuple(c["aliases"]))
                for c in row.candidates
            ],
            parties=[Party(p["name"], int(p["number"]), tuple(p["aliases"])) for p in row.parties],
            support_phrases=row.support_phrases,
            official_hosts=row.official_hosts,
        ).with_blocking(row.stricter)
    return ruleset


def office_ruleset(office: Office) -> RuleSet:
    """The guideline ``office``'s posts are checked against. One small query; the compiled rule
    set is kept per office until any of its layers changes."""
    rows = _rows(office)
    if not rows:
        return load_default_rules()
    key = (office.pk, *((row.pk, row.updated_at.isoformat()) for row in rows))
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    built = _build(rows)
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


# --------------------------------------------------------------------------------------------
# What an Administrator types


def _lines(text: str, what: str) -> list[str]:
    lines = list(dict.fromkeys(" ".join(line.replace("\x00", "").split()) for line in text.splitlines()))
    lines = [line for line in lines if line]
    if len(lines) > LINES_MAX:
        raise GuidelineError(
            _("%(what)s: paling banyak %(limit)s baris.") % {"what": what, "limit": LINES_MAX}
        )
    long = [line for line in lines if len(line) > LINE_MAX]
    if long:
        raise GuidelineError(
            _("%(what)s: baris terlalu panjang (batas %(limit)s karakter): %(line)s")
            % {"what": what, "limit": LINE_MAX, "line": long[0][:40] + "…"}
        )
    return lines


def _named(line: str, *, what: str, number: int) -> tuple[str, int, list[str]]:
    parts = [part.strip() for part in line.split("|")]
    if len(parts) < 2 or not parts[0]:
        raise GuidelineError(
            _("%(what)s baris %(n)s: tulis “Nama | nomor urut | nama lain, nama lain”.")
            % {"what": what, "n": number}
        )
    raw_number = parts[1]
    if not (raw_number.isascii() and raw_number.isdigit() and 1 <= int(raw_number) <= 999):
        raise GuidelineError(
            _("%(what)s baris %(n)s: nomor urut harus angka 1 sampai 999.") % {"what": what, "n": number}
        )
    aliases = [" ".join(a.lower().split()) for a in (parts[2] if len(parts) > 2 else "").split(",")]
    aliases = list(dict.fromkeys([parts[0].lower(), *[a for a in aliases if a]]))
    if len(aliases) > ALIASES_MAX:
        raise GuidelineError(
            _("%(what)s baris %(n)s: paling banyak %(limit)s nama lain.")
            % {"what": what, "n": number, "limit": ALIASES_MAX}
        )
    return parts[0], int(raw_number), aliases


def _host(line: str) -> str:
    host = line.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.removeprefix("www.").rstrip("/")
    if not host or " " in host or "." not in host.split("/")[0]:
        raise GuidelineError(_("Situs resmi tidak dikenali: %(line)s") % {"line": line[:60]})
    return host


def warn_rules() -> list[str]:
    """The rules the shipped guideline only warns of (those an office may raise to block)."""
    return [rule.id for rule in load_default_rules().rules if rule.severity == WARN]


@dataclass(frozen=True)
class RulesInput:
    candidates: str = ""
    parties: str = ""
    support_phrases: str = ""
    official_hosts: str = ""
    stricter: Iterable[str] = ()


def rules_clean(data: RulesInput) -> dict[str, Any]:
    """The office's additions from what its Administrator typed; raises GuidelineError."""
    candidates = [
        {"name": name, "ticket": "", "number": number, "aliases": aliases}
        for index, line in enumerate(_lines(data.candidates, _("Calon")), start=1)
        for name, number, aliases in [_named(line, what=_("Calon"), number=index)]
    ]
    parties = [
        {"name": name, "number": number, "aliases": aliases}
        for index, line in enumerate(_lines(data.parties, _("Partai")), start=1)
        for name, number, aliases in [_named(line, what=_("Partai"), number=index)]
    ]
    allowed = set(warn_rules())
    return {
        "candidates": candidates,
        "parties": parties,
        "support_phrases": [line.lower() for line in _lines(data.support_phrases, _("Frasa dukungan"))],
        "official_hosts": list(
            dict.fromkeys(_host(line) for line in _lines(data.official_hosts, _("Situs resmi")))
        ),
        "stricter": sorted(set(data.stricter) & allowed),
    }


def rules_text(row: GuidelineRules | None) -> RulesInput:
    """What the settings form shows of an office's own additions."""
    if row is None:
        return RulesInput()
    return RulesInput(
        candidates="\n".join(
            f"{c['name']} | {c['number']} | {', '.join(c['aliases'][1:])}" for c in row.candidates
        ),
        parties="\n".join(
            f"{p['name']} | {p['number']} | {', '.join(p['aliases'][1:])}" for p in row.parties
        ),
        support_phrases="\n".join(row.support_phrases),
        official_hosts="\n".join(row.official_hosts),
        stricter=list(row.stricter),
    )


def guideline_rules_set(*, actor: User, office: Office, data: RulesInput) -> None:
    """Set ``office``'s own additions (all empty: it has none). Needs guideline.manage; audited."""
    policy.require(actor, "guideline.manage", office)
    values = rules_clean(data)
    current = GuidelineRules.objects.filter(office=office).first()
    before = {key: getattr(current, key) for key in values} if current else {}
    with transaction.atomic():
        if any(values.values()):
            GuidelineRules.objects.update_or_create(office=office, defaults={**values, "set_by": actor})
        else:
            GuidelineRules.objects.filter(office=office).delete()
        changes = {
            key: {"before": len(before.get(key) or []), "after": len(value)}
            for key, value in values.items()
            if (before.get(key) or []) != value
        }
        if changes:
            audit_record(actor=actor, office=office, action="guideline.set", obj=office, changes=changes)
