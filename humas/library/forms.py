"""The media library's forms: an image's description, an upload, a card, the office's colours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.core.stages import ElectionStage
from humas.media import cards
from humas.media.pipeline import ALT_TEXT_MAX

from .models import Licence
from .services import CREDIT_MAX, LICENCE_NOTE_MAX, TITLE_MAX, Description

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class DescriptionForm(forms.Form):
    """What is said about an image: alt text (required), title, credit, licence, tags, sharing."""

    alt_text = forms.CharField(
        label=gettext_lazy("Teks alternatif"),
        max_length=ALT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Jelaskan isi gambar untuk pembaca yang tidak dapat melihatnya."),
    )
    title = forms.CharField(label=gettext_lazy("Judul"), max_length=TITLE_MAX, required=False)
    credit = forms.CharField(
        label=gettext_lazy("Sumber / kredit"),
        max_length=CREDIT_MAX,
        required=False,
        help_text=gettext_lazy("Siapa pembuat atau pemilik gambar, misalnya “Humas KPU Kabupaten Jepara”."),
    )
    licence = forms.ChoiceField(label=gettext_lazy("Lisensi"), choices=Licence.choices, initial=Licence.OWN)
    licence_note = forms.CharField(
        label=gettext_lazy("Catatan lisensi"),
        max_length=LICENCE_NOTE_MAX,
        required=False,
        help_text=gettext_lazy("Misalnya nomor surat izin atau syarat pemakaiannya."),
    )
    tags = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=600,
        required=False,
        help_text=gettext_lazy("Pisahkan dengan koma, misalnya: pemutakhiran data, coklit, infografis."),
    )
    shared_below = forms.BooleanField(
        label=gettext_lazy("Boleh dipakai kantor di bawah kantor ini"), required=False
    )

    def description(self) -> Description:
        data = self.cleaned_data
        return Description(
            alt_text=data["alt_text"],
            title=data.get("title", ""),
            credit=data.get("credit", ""),
            licence=data["licence"],
            licence_note=data.get("licence_note", ""),
            tags=data.get("tags", ""),
            shared_below=bool(data.get("shared_below")),
        )

    @staticmethod
    def initial_for(asset: Any) -> dict[str, Any]:
        return {
            "alt_text": asset.alt_text,
            "title": asset.title,
            "credit": asset.credit,
            "licence": asset.licence,
            "licence_note": asset.licence_note,
            "tags": ", ".join(asset.tags),
            "shared_below": asset.shared_below,
        }


class UploadForm(DescriptionForm):
    file = forms.FileField(
        label=gettext_lazy("Berkas gambar"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy("JPEG, PNG, WebP atau GIF. Data lokasi dan metadata lain dibuang."),
    )
    field_order = ["file", "alt_text", "title", "credit", "licence", "licence_note", "tags", "shared_below"]


def _schedule_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        when, sep, what = line.partition("|")
        rows.append((when.strip(), what.strip()) if sep else ("", when.strip()))
    return rows


class CardForm(forms.Form):
    """A card's texts. Limits are the renderer's (``humas.media.cards``); every problem it finds
    (a word too long for the card, a missing verdict...) comes back on the form."""

    template = forms.ChoiceField(
        label=gettext_lazy("Templat"),
        choices=lambda: [(str(t), label) for t, label in cards.TEMPLATE_LABELS.items()],
        initial=str(cards.Template.ANNOUNCEMENT),
    )
    size = forms.ChoiceField(
        label=gettext_lazy("Ukuran"),
        choices=lambda: [
            (key, f"{key.replace('x', ' × ')} — {label}") for key, label in cards.SIZE_LABELS.items()
        ],
        initial="1080x1080",
    )
    title = forms.CharField(
        label=gettext_lazy("Judul"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Pada kartu klarifikasi: klaim yang beredar."),
    )
    body = forms.CharField(
        label=gettext_lazy("Isi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Pada kartu klarifikasi: faktanya. Pada kutipan: konteksnya."),
    )
    figure = forms.CharField(
        label=gettext_lazy("Angka (kartu fakta angka)"),
        required=False,
        help_text=gettext_lazy("Misalnya 204.807.222; judulnya menjadi keterangan angka itu."),
    )
    attribution = forms.CharField(label=gettext_lazy("Nama dan jabatan (kartu kutipan)"), required=False)
    schedule = forms.CharField(
        label=gettext_lazy("Jadwal (kartu jadwal kegiatan)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Satu baris per kegiatan: waktu | kegiatan. Misalnya: 12 Februari 2029 | Coklit dimulai"
        ),
    )
    verdict = forms.ChoiceField(
        label=gettext_lazy("Putusan (kartu klarifikasi)"),
        required=False,
        choices=lambda: [("", "—"), *((key, badge.text) for key, badge in cards.VERDICTS.items())],
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Lencana tahapan pemilu"),
        required=False,
        choices=[("", "—"), *ElectionStage.choices],
    )
    footer = forms.CharField(
        label=gettext_lazy("Kaki kartu"),
        required=False,
        help_text=gettext_lazy("Misalnya alamat portal atau akun resmi kantor."),
    )

    def values(self) -> dict[str, Any]:
        """The card's values as ``library.services.card_spec`` takes them."""
        data = self.cleaned_data
        stage = data.get("stage") or ""
        return {
            "template": data["template"],
            "size": data["size"],
            "title": data["title"],
            "body": data.get("body", ""),
            "figure": data.get("figure", ""),
            "attribution": data.get("attribution", ""),
            "schedule": _schedule_rows(data.get("schedule", "")),
            "verdict": data.get("verdict", ""),
            "stage": str(ElectionStage(stage).label) if stage else "",
            "footer": data.get("footer", ""),
        }

    @staticmethod
    def initial_from(values: dict[str, Any]) -> dict[str, Any]:
        """The form's initial data from a saved card (``Asset.card``)."""
        stages = {str(label): key for key, label in ElectionStage.choices}
        return {
            **{k: v for k, v in values.items() if k not in ("schedule", "stage")},
            "schedule": "\n".join(f"{when} | {what}" for when, what in values.get("schedule") or ()),
            "stage": stages.get(values.get("stage", ""), ""),
        }


class CardSaveForm(forms.Form):
    """What is asked when a card is kept: its alt text (drafted from its texts), tags, sharing."""

    alt_text = forms.CharField(
        label=gettext_lazy("Teks alternatif"),
        max_length=ALT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kosongkan untuk memakai teks yang disusun dari isi kartu."),
    )
    tags = forms.CharField(label=gettext_lazy("Label"), max_length=600, required=False)
    shared_below = forms.BooleanField(
        label=gettext_lazy("Boleh dipakai kantor di bawah kantor ini"), required=False
    )


class BrandForm(forms.Form):
    primary = forms.CharField(
        label=gettext_lazy("Warna utama"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    accent = forms.CharField(
        label=gettext_lazy("Warna aksen"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    text_on_primary = forms.CharField(
        label=gettext_lazy("Warna teks di atas warna utama"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )


def problems_text(problems: list[str]) -> str:
    return " ".join(problems) or _("Kartu belum dapat dibuat.")
