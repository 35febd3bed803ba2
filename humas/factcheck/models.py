"""The clarification knowledge base: one ``Claim`` per clarification a Humas office published on
its portal (kept in step with the article) and per external fact-check imported with its source.

Claim matching (humas/factcheck/matching.py) indexes the active claims with
``humas.textkit.ClaimIndex``; monitoring stores the claim an item or a narrative matched.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from humas.portal.models import Verdict

TITLE_MAX = 500
SOURCE_NAME_MAX = 120
EXTERNAL_ID_MAX = 200
URL_MAX = 2000
VERDICT_MAX = 64


class Claim(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", _("Klarifikasi Humas")
        EXTERNAL = "external", _("Cek fakta eksternal")

    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    # Own claims: the office that published the clarification; external ones: the office whose
    # Editor imported them (every office may match against every claim).
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    article = models.OneToOneField(
        "portal.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kb_claim",
        verbose_name=_("artikel klarifikasi"),
    )
    # External claims: who published the fact-check (TurnBackHoax, Cekfakta, ...) and its id there.
    source_name = models.CharField(_("sumber"), max_length=SOURCE_NAME_MAX, blank=True)
    external_id = models.CharField(_("ID di sumber"), max_length=EXTERNAL_ID_MAX, blank=True)
    title = models.CharField(_("judul"), max_length=TITLE_MAX)
    text = models.TextField(_("isi"), blank=True)
    # A portal Verdict code for own claims; the source's own label for external ones.
    verdict = models.CharField(_("putusan"), max_length=VERDICT_MAX, blank=True)
    url = models.URLField(_("tautan"), max_length=URL_MAX, blank=True)
    published_at = models.DateTimeField(_("waktu terbit"), null=True, blank=True)
    # False once the article is withdrawn or the external claim removed: no longer matched.
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    updated_at = models.DateTimeField(_("diperbarui"), default=timezone.now)

    class Meta:
        verbose_name = _("klaim terklarifikasi")
        verbose_name_plural = _("klaim terklarifikasi")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_name", "external_id"],
                condition=Q(kind="external"),
                name="factcheck_claim_unique_external",
            ),
            models.CheckConstraint(
                condition=Q(kind="own", article__isnull=False) | Q(kind="external", article__isnull=True),
                name="factcheck_claim_article_iff_own",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "-updated_at"], name="factcheck_claim_active")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_own(self) -> bool:
        return self.kind == self.Kind.OWN

    @property
    def verdict_label(self) -> str:
        """The verdict as people read it: a portal Verdict's label for own claims, the source's
        own label (in capitals, as fact-checkers write them) for external ones."""
        if self.is_own:
            return str(dict(Verdict.choices).get(self.verdict, self.verdict))
        return self.verdict.upper()
