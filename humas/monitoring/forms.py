from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import SOURCE_NAME_MAX

DEFAULT_SOURCE_NAME = _("Impor berkas")


class ImportUploadForm(forms.Form):
    """Step one of an import: the file and the source its items go into."""

    file = forms.FileField(
        label=_("Berkas CSV atau JSONL"),
        help_text=_(
            "Kolom: platform, external_id, text, published_at (wajib); author_handle, url, reactions, "
            "comments, shares, views. Waktu dengan zona waktu, mis. 2024-02-14T08:30:00+07:00."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.jsonl,.ndjson,text/csv,application/x-ndjson"}
        ),
    )
    source_name = forms.CharField(
        label=_("Nama sumber"),
        max_length=SOURCE_NAME_MAX,
        initial=DEFAULT_SOURCE_NAME,
        help_text=_("Item masuk ke sumber impor berkas dengan nama ini; dibuat bila belum ada."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.HUMAS_MONITORING_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas lebih besar dari %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return upload


class ImportConfirmForm(forms.Form):
    """Step two: the previewed file, its name and the source's, compressed and signed by the
    server when it was previewed (humas/monitoring/views/imports.py)."""

    token = forms.CharField(widget=forms.HiddenInput, strip=False)
