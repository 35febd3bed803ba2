"""The public forms of the tipline: Cek Klaim (a question, stores nothing) and Laporkan Hoaks (a tip)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from humas.offices.models import Office
from humas.offices.tree import subtree

from .checks import clean_text
from .models import LINK_MAX, SCREENSHOTS_MAX, TEXT_MAX

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
HONEYPOT = "situs_web"  # a field people never see; a bot that fills it is turned away


class CheckForm(forms.Form):
    """Cek Klaim. Only bounds are checked here; ``checks.claim_check`` says what is wrong with a
    message or link (it is the one place that reads them)."""

    teks = forms.CharField(
        label=_("Pesan yang ingin dicek"),
        required=False,
        strip=False,
        max_length=4 * TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_MAX}),
    )
    tautan = forms.CharField(
        label=_("Tautan (jika ada)"),
        required=False,
        max_length=LINK_MAX,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "inputmode": "url"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teks"].error_messages["max_length"] = _(
            "Teks terlalu panjang: tempel bagian yang berisi klaimnya saja."
        )
        self.fields["tautan"].error_messages["max_length"] = _("Tautan terlalu panjang.")


class MultipleScreenshotInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleScreenshotInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if data is None or data == "" or data is False:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(ScreenshotsField, self).clean(f, initial) for f in files if f]


def region_choices(office: Office) -> list[tuple[str, Any]]:
    """The regions below the portal's office a tip may concern, grouped by province (none for a
    regency or city: its own area is implied)."""
    below = list(
        Office.objects.filter(subtree(office.path), is_active=True)
        .exclude(pk=office.pk)
        .filter(level__in=[Office.Level.PROVINSI, Office.Level.KABKOTA])
        .order_by("path")
        .only("code", "name", "level", "path")
    )
    if not below:
        return []
    choices: list[tuple[str, Any]] = [("", _("— Tidak tahu / seluruh wilayah —"))]
    if office.level == Office.Level.PROVINSI:
        return choices + [(o.code, o.name) for o in below]
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for o in below:
        if o.level == Office.Level.PROVINSI:
            names[o.path] = o.name
            groups.setdefault(o.path, []).append(
                (o.code, str(_("%(name)s (seluruh provinsi)") % {"name": o.name}))
            )
        else:
            parent = o.path.rsplit("/", 2)[0] + "/"
            groups.setdefault(parent, []).append((o.code, o.name))
    return choices + [(names.get(path, ""), options) for path, options in groups.items()]


class TipForm(forms.Form):
    teks = forms.CharField(
        label=_("Kabar yang ingin dilaporkan"),
        help_text=_("Tempel pesannya apa adanya, atau ceritakan apa yang Anda lihat atau dengar."),
        max_length=TEXT_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": TEXT_MAX}),
    )
    tautan = forms.URLField(
        label=_("Tautan tempat kabar itu beredar (jika ada)"),
        required=False,
        max_length=LINK_MAX,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://…", "inputmode": "url"}),
    )
    wilayah = forms.ChoiceField(label=_("Wilayah yang dibicarakan"), required=False, choices=[])
    tangkapan = ScreenshotsField(
        label=_("Tangkapan layar (paling banyak %(count)d)") % {"count": SCREENSHOTS_MAX},
        required=False,
        help_text=_("JPEG, PNG, WebP atau GIF. Data lokasi dan kamera di dalam gambar dihapus."),
    )
    email = forms.EmailField(
        label=_("E-mail Anda (jika ingin diberi tahu jawabannya)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    setuju = forms.BooleanField(
        label=_(
            "Saya setuju e-mail saya dipakai hanya untuk memberi tahu jawaban atas laporan ini, lalu dihapus."
        ),
        required=False,
    )
    situs_web = forms.CharField(
        label=_("Biarkan kosong"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        choices = region_choices(office)
        if choices:
            cast(forms.ChoiceField, self.fields["wilayah"]).choices = choices
        else:
            del self.fields["wilayah"]
        self.fields["teks"].error_messages.update(
            required=_("Tuliskan kabar yang ingin dilaporkan."),
            max_length=_("Teks terlalu panjang (paling banyak %(limit_value)d karakter)."),
        )
        self.fields["tautan"].error_messages["invalid"] = _("Tautan harus diawali http:// atau https://.")

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def clean_teks(self) -> str:
        text = clean_text(self.cleaned_data.get("teks") or "")
        if not text:
            raise forms.ValidationError(
                _("Teks itu tidak bisa dibaca. Tuliskan kabarnya sebagai teks biasa.")
            )
        return text

    def clean_tangkapan(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("tangkapan") or []
        if len(files) > SCREENSHOTS_MAX:
            raise forms.ValidationError(
                _("Paling banyak %(count)d tangkapan layar.") % {"count": SCREENSHOTS_MAX}
            )
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and not data.get("setuju"):
            self.add_error(
                "setuju", _("Centang persetujuan ini agar kami boleh mengirim jawabannya ke e-mail Anda.")
            )
        return data
