"""The public-relations guideline, checked on a post or an article before it is submitted and at
its approval.

The text engine finds what breaks the guideline (``humas.textkit.contentpolicy``: personal data,
personal greetings, partisan calls, unverified figures, unofficial links), each with its exact
span, a rule id and a severity. Here every finding gets its explanation in the person's language,
the office's own contacts and accounts are not flagged, and the workflow decides:

- **block**: the post or article is not submitted nor approved, unless an Administrator gives a
  reason;
- **warn**: shown when it is submitted; the approver approves it only with a reason.

A reason given is stored in the audit event of the submission or approval, with the findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.accounts.models import User
from humas.channels.models import Channel
from humas.offices import policy
from humas.offices.models import Office
from humas.textkit.contentpolicy import Finding, check

from .rules import office_ruleset

BLOCK, WARN = "block", "warn"
REASON_MAX = 500

# What each rule of the text engine means, said to the person who wrote or approves the post.
EXPLANATIONS: dict[str, Promise] = {
    "personal_data.nik": gettext_lazy("NIK seseorang: data pribadi tidak boleh diunggah."),
    "personal_data.kk": gettext_lazy("Nomor Kartu Keluarga: data pribadi tidak boleh diunggah."),
    "personal_data.phone": gettext_lazy(
        "Nomor telepon pribadi: hanya nomor resmi kantor (di profil kantor) yang boleh diunggah."
    ),
    "personal_data.email": gettext_lazy(
        "Alamat e-mail pribadi: hanya alamat resmi (kpu.go.id atau di profil kantor) yang boleh diunggah."
    ),
    "personal_greeting.birthday": gettext_lazy(
        "Ucapan ulang tahun untuk perorangan tidak boleh diunggah di akun resmi."
    ),
    "partisan.support_candidate": gettext_lazy("Ajakan mendukung calon: akun resmi KPU harus netral."),
    "partisan.support_party": gettext_lazy("Ajakan mendukung partai: akun resmi KPU harus netral."),
    "partisan.ballot_number": gettext_lazy(
        "Ajakan memilih nomor urut tertentu: akun resmi KPU harus netral."
    ),
    "partisan.campaign_hashtag": gettext_lazy("Tagar kampanye: akun resmi KPU harus netral."),
    "unverified_figure.count": gettext_lazy(
        "Angka suara atau pemilih tanpa sumber: sertakan tautan ke keputusan atau data resminya."
    ),
    "non_official_link.host": gettext_lazy("Tautan ke situs yang bukan situs resmi: pastikan sumbernya."),
    "non_official_link.shortener": gettext_lazy(
        "Tautan pemendek menyembunyikan tujuannya: tulis alamat lengkapnya."
    ),
}


@dataclass(frozen=True)
class PolicyFinding:
    """A finding of the guideline in one of the post's texts (``where``: the main text, or a
    platform's own text), with its explanation."""

    where: str
    platform: str  # "" for the main text
    rule: str
    severity: str
    start: int
    end: int
    excerpt: str
    explanation: str


@dataclass(frozen=True)
class Segment:
    """A piece of a text as shown with its findings highlighted."""

    text: str
    finding: PolicyFinding | None = None


@dataclass(frozen=True)
class Marked:
    """One of the post's texts, cut where findings begin and end."""

    where: str
    segments: list[Segment]


@dataclass(frozen=True)
class PolicyReport:
    findings: list[PolicyFinding]
    texts: list[Marked]

    @property
    def blocks(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.severity == BLOCK]

    @property
    def warnings(self) -> list[PolicyFinding]:
        return [f for f in self.findings if f.severity == WARN]

    def summary(self) -> dict[str, list[str]]:
        """What an audit event keeps of it: the rule ids, by severity."""
        return {"blocks": [f.rule for f in self.blocks], "warnings": [f.rule for f in self.warnings]}


@cache
def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}{parts.path.rstrip('/')}" if parts.hostname else ""


def _official_hosts(office: Office) -> list[str]:
    """The office's own places on the web: its portal and its channels' pages."""
    hosts = [_host(settings.HUMAS_PUBLIC_BASE_URL)]
    hosts += [
        _host(url)
        for url in Channel.objects.filter(office=office, is_active=True).values_list("url", flat=True)
    ]
    return [h for h in hosts if h]


def _mark(text: str, findings: list[PolicyFinding]) -> list[Segment]:
    segments: list[Segment] = []
    at = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.start < at:
            continue  # inside one already marked (two families on the same words)
        if finding.start > at:
            segments.append(Segment(text[at : finding.start]))
        segments.append(Segment(text[finding.start : finding.end], finding))
        at = finding.end
    if at < len(text):
        segments.append(Segment(text[at:]))
    return segments


def text_policy_report(*, office: Office, texts: list[tuple[str, str, str]]) -> PolicyReport:
    """The guideline's findings in ``texts`` (``(where, platform, text)``) of ``office``: its
    profile's telephone and e-mail and its own sites are not flagged."""
    contacts = [value for value in (office.phone, office.email) if value.strip()]
    hosts = _official_hosts(office)
    findings: list[PolicyFinding] = []
    marked: list[Marked] = []
    rules = office_ruleset(office)
    for where, platform, text in texts:
        found = [
            _finding(where, platform, f)
            for f in check(text, rules, known_contacts=contacts, official_hosts=hosts)
        ]
        findings += found
        if found:
            marked.append(Marked(where=where, segments=_mark(text, found)))
    return PolicyReport(findings=findings, texts=marked)


def _finding(where: str, platform: str, found: Finding) -> PolicyFinding:
    return PolicyFinding(
        where=where,
        platform=platform,
        rule=found.rule,
        severity=found.severity,
        start=found.start,
        end=found.end,
        excerpt=found.excerpt,
        explanation=str(EXPLANATIONS.get(found.rule, _("Melanggar pedoman kehumasan."))),
    )


def policy_refusal(
    *, report: PolicyReport, actor: User, office: Office, reason: str, approving: bool
) -> tuple[str, str]:
    """("", the reason to record) when ``actor`` may go on with ``report``; else (why not, "").
    A block needs an Administrator's reason; a warning needs the approver's reason at approval
    (at submission it is only shown)."""
    reason = reason.replace("\x00", "").strip()[:REASON_MAX]
    if report.blocks:
        first = report.blocks[0]
        named = _("%(explanation)s (“%(excerpt)s”)") % {
            "explanation": first.explanation,
            "excerpt": first.excerpt,
        }
        if not policy.can(actor, "content.policy_override", office):
            return (
                _("Unggahan ini melanggar pedoman kehumasan: %(finding)s Perbaiki teksnya.")
                % {"finding": named},
                "",
            )
        if not reason:
            return (
                _(
                    "Unggahan ini melanggar pedoman kehumasan: %(finding)s Perbaiki teksnya, atau tuliskan "
                    "alasan Administrator untuk tetap melanjutkan."
                )
                % {"finding": named},
                "",
            )
        return "", reason
    if approving and report.warnings and not reason:
        return (
            _("Periksa peringatan pedoman kehumasan, lalu tuliskan alasan menyetujuinya."),
            "",
        )
    return "", reason if report.findings else ""
