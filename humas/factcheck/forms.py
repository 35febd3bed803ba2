from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .imports import IMPORT_MAX_BYTES
from .models import SOURCE_NAME_MAX, Claim


class ClaimFilterForm(forms.Form):
    """The knowledge base's search and filters (a GET form; a value it does not know is ignored)."""

    q = forms.CharField(label=_("Cari judul atau isi"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Jenis"), required=False, choices=[("", _("Semua")), *Claim.Kind.choices]
    )
    verdict = forms.ChoiceField(label=_("Putusan"), required=False, choices=[("", _("Semua"))])

    def __init__(self, *args: Any, verdicts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        verdict = self.fields["verdict"]
        assert isinstance(verdict, forms.ChoiceField)  # noqa: S101 - declared just above
        verdict.choices = [("", _("Semua")), *verdicts]

    def values(self) -> dict[str, str]:
        """The valid values, empty for anything not valid."""
        if not self.is_bound:
            return {"q": "", "kind": "", "verdict": ""}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: str(data.get(name) or "") for name in ("q", "kind", "verdict")}


class ImportUploadForm(forms.Form):
    """Step one of an import: the file and the name of the source its fact-checks come from."""

    file = forms.FileField(
        label=_("Berkas CSV atau JSONL"),
        help_text=_(
            "Kolom: doc_id, title (wajib); text, label, date, url. Tanggal seperti 2024-02-14. "
            "Kolom lain diabaikan."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"}
        ),
    )
    source_name = forms.CharField(
        label=_("Nama sumber"),
        max_length=SOURCE_NAME_MAX,
        help_text=_(
            "Siapa yang menerbitkan cek fakta ini, mis. TurnBackHoax (MAFINDO). Cek fakta dengan sumber dan "
            "doc_id yang sudah ada diperbarui, tidak digandakan."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Berkas lebih besar dari %(limit)s.") % {"limit": filesizeformat(IMPORT_MAX_BYTES)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    """Step two: the previewed file, its name and the source's, compressed and signed by the
    server when it was previewed (humas/factcheck/views.py)."""

    token = forms.CharField(widget=forms.HiddenInput, strip=False)
