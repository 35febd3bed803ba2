from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import ProseEditorWidget

from humas.accounts.models import User
from humas.blackouts.services import OVERRIDE_REASON_MAX
from humas.library.selectors import assets_offered
from humas.library.services import asset_prepared
from humas.offices.models import Office

from .images import (
    ALT_TEXT_MAX,
    CAPTION_MAX,
    ImageRejected,
    PreparedImage,
    image_clean_texts,
    image_list_for_office,
    image_prepare,
    image_upload,
    max_bytes,
    min_side,
)
from .models import ArticleImage, ArticleType, Category, ElectionStage, Verdict
from .services import TYPO_MAX_CHANGED, ArticleInput

EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False},
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "History": True,
    }
}


class CoverChoiceField(forms.ModelChoiceField):
    """The office's images by alt text and size; the state is shown until an image is ready."""

    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.alt_text[:70]} ({obj.width}×{obj.height})"
        if obj.state != ArticleImage.State.READY:
            label += f" — {obj.get_state_display()}"
        return label


def _url_lines(value: str, field_label: str) -> list[str]:
    urls = [line.strip() for line in value.splitlines() if line.strip()]
    validate = URLValidator(schemes=["http", "https"])
    for number, url in enumerate(urls, start=1):
        try:
            validate(url)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Baris %(n)d bukan URL yang valid: %(url)s"), params={"n": number, "url": url[:80]}
            ) from None
    if len(urls) > 20:
        raise forms.ValidationError(_("Paling banyak 20 tautan."))
    return urls


class ArticleForm(forms.Form):
    type = forms.ChoiceField(label=_("Jenis"), choices=ArticleType.choices)
    title = forms.CharField(label=_("Judul"), max_length=200)
    slug = forms.SlugField(
        label=_("Slug (alamat)"),
        max_length=100,
        required=False,
        help_text=_("Kosongkan agar dibuat dari judul. Tidak berubah setelah terbit."),
    )
    summary = forms.CharField(
        label=_("Ringkasan"), max_length=400, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Isi"), required=False, widget=ProseEditorWidget(config=EDITOR_CONFIG, preset="configurable")
    )
    category = forms.ModelChoiceField(label=_("Kategori"), queryset=Category.objects.all(), required=False)
    tags = forms.CharField(
        label=_("Tag"),
        max_length=400,
        required=False,
        help_text=_("Pisahkan dengan koma, mis. DPT, kampanye"),
    )
    election_stage = forms.ChoiceField(
        label=_("Tahapan pemilu"), required=False, choices=[("", "—"), *ElectionStage.choices]
    )
    pinned_until = forms.DateTimeField(
        label=_("Sematkan hingga (khusus pengumuman)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    claim = forms.CharField(
        label=_("Klaim yang beredar (khusus klarifikasi)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    claim_appearances = forms.CharField(
        label=_("Tempat klaim muncul (satu URL per baris)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    verdict = forms.ChoiceField(label=_("Putusan"), required=False, choices=[("", "—"), *Verdict.choices])
    evidence_links = forms.CharField(
        label=_("Tautan bukti (satu URL per baris)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The cover image: pick one of the office's images, or upload a new one (which then wins).
    cover = CoverChoiceField(
        label=_("Gambar utama"),
        queryset=ArticleImage.objects.none(),
        required=False,
        empty_label=_("— tanpa gambar —"),
        error_messages={"invalid_choice": _("Gambar itu tidak tersedia untuk kantor ini.")},
    )
    # Or an image of the media library the office may use (a copy becomes the office's image).
    cover_library = forms.ChoiceField(label=_("Atau pilih dari pustaka media"), required=False, choices=())
    cover_file = forms.FileField(
        label=_("Unggah gambar utama baru"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    cover_alt = forms.CharField(
        label=_("Teks alternatif gambar"),
        max_length=ALT_TEXT_MAX,
        required=False,
        help_text=_(
            "Wajib bila mengunggah gambar: jelaskan isi gambar, "
            "mis. “Petugas KPPS menghitung surat suara di TPS 05”."
        ),
    )
    cover_caption = forms.CharField(label=_("Keterangan gambar"), max_length=CAPTION_MAX, required=False)
    # Only on the edit form of a published article (``published=True``); the service judges it.
    typo_correction = forms.BooleanField(label=_("Koreksi salah ketik"), required=False)
    COVER_FIELDS = ("cover", "cover_library", "cover_file", "cover_alt", "cover_caption")

    # Fields that only mean something for one content type; the page hides them for the others.
    ONLY_FOR_TYPE = {
        "pinned_until": ArticleType.PENGUMUMAN,
        "claim": ArticleType.KLARIFIKASI,
        "claim_appearances": ArticleType.KLARIFIKASI,
        "verdict": ArticleType.KLARIFIKASI,
        "evidence_links": ArticleType.KLARIFIKASI,
    }

    def __init__(
        self,
        *args: Any,
        zone: ZoneInfo,
        office: Office | None = None,
        current_cover_id: int | None = None,
        published: bool = False,
        **kwargs: Any,
    ) -> None:
        self.zone = zone
        self.office = office
        super().__init__(*args, **kwargs)
        if not published:
            del self.fields["typo_correction"]  # a typo correction keeps a published article live
        else:
            self.fields["typo_correction"].help_text = _(
                "Centang bila Anda hanya membetulkan salah ketik atau ejaan pada ringkasan atau isi: "
                "paling banyak %(limit)s karakter berubah; judul, jenis, putusan, klaim, dan gambar tetap. "
                "Artikel tetap terbit dan koreksi dicatat di riwayat versi. Orang yang menyetujui artikel "
                "ini tidak dapat mengoreksinya sendiri. Tanpa tanda ini, perubahan mengembalikan artikel ke "
                "tinjauan dan artikel ditarik dari portal sampai disetujui lagi."
            ) % {"limit": TYPO_MAX_CHANGED}
        for name, type in self.ONLY_FOR_TYPE.items():
            self.fields[name].widget.attrs["data-only-type"] = str(type)
        cover_field = self.fields["cover"]
        assert isinstance(cover_field, forms.ModelChoiceField)
        if office is not None:
            # Only this office's images: another office's image id is an invalid choice.
            cover_field.queryset = image_list_for_office(office=office, include_id=current_cover_id)
            library_field = self.fields["cover_library"]
            assert isinstance(library_field, forms.ChoiceField)
            self.library = {str(asset.pk): asset for asset in assets_offered(office=office)}
            library_field.choices = [
                ("", "—"),
                *((key, (asset.title or asset.alt_text)[:80]) for key, asset in self.library.items()),
            ]
        self.fields["cover_file"].help_text = _(
            "JPEG, PNG, WebP, atau GIF; paling besar %(mb)s MB, sisi terpendek paling kecil %(px)d piksel. "
            "Pilih ulang berkasnya bila formulir menampilkan kesalahan."
        ) % {"mb": f"{max_bytes() / (1024 * 1024):g}", "px": min_side()}

    def clean_cover_file(self) -> PreparedImage | None:
        upload = self.cleaned_data.get("cover_file")
        if not upload:
            return None
        # Decoded once, here; cover_for() stores this prepared copy without decoding again.
        return image_prepare(file=upload)

    def clean_cover(self) -> ArticleImage | None:
        image: ArticleImage | None = self.cleaned_data.get("cover")
        if image is not None and image.state == ArticleImage.State.FAILED:
            raise forms.ValidationError(_("Gambar itu gagal diproses; unggah ulang gambarnya."))
        return image

    def cover_for(self, *, actor: User) -> ArticleImage | None:
        """The cover to save: a new upload (its file is written when the caller's transaction
        commits) or the chosen image. Call after is_valid(); may raise ImageRejected or PolicyDenied."""
        prepared: PreparedImage | None = self.cleaned_data.get("cover_file")
        alt_text, caption = self.cleaned_data.get("cover_alt", ""), self.cleaned_data.get("cover_caption", "")
        asset = getattr(self, "library", {}).get(self.cleaned_data.get("cover_library") or "")
        if prepared is None and asset is not None:
            prepared = asset_prepared(asset)
            alt_text = alt_text or asset.alt_text
            caption = caption or (_("Sumber: %(credit)s") % {"credit": asset.credit} if asset.credit else "")
        if prepared is None:
            chosen: ArticleImage | None = self.cleaned_data.get("cover")
            return chosen
        if self.office is None:
            raise ValueError("ArticleForm needs office= to upload a cover")
        return image_upload(
            actor=actor,
            office=self.office,
            file=prepared,
            alt_text=alt_text,
            caption=caption,
        )

    def clean_claim_appearances(self) -> list[str]:
        return _url_lines(self.cleaned_data.get("claim_appearances", ""), "claim_appearances")

    def clean_evidence_links(self) -> list[str]:
        return _url_lines(self.cleaned_data.get("evidence_links", ""), "evidence_links")

    def clean_pinned_until(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("pinned_until")
        if value is None:
            return None
        # Entered in the office's zone, whatever zone the server runs in.
        return value.replace(tzinfo=self.zone) if timezone.is_naive(value) else value.astimezone(self.zone)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("type") == ArticleType.KLARIFIKASI:
            if not (data.get("claim") or "").strip():
                self.add_error("claim", _("Klarifikasi harus memuat klaim yang beredar."))
            if not data.get("verdict"):
                self.add_error("verdict", _("Klarifikasi harus memiliki putusan."))
        if data.get("pinned_until") and data.get("type") != ArticleType.PENGUMUMAN:
            self.add_error("pinned_until", _("Hanya pengumuman yang dapat disematkan."))
        if data.get("cover_file") is not None:
            try:
                image_clean_texts(alt_text=data.get("cover_alt", ""), caption=data.get("cover_caption", ""))
            except ImageRejected as exc:
                self.add_error("cover_alt", exc)
        return data

    def to_input(self) -> ArticleInput:
        d = self.cleaned_data
        return ArticleInput(
            title=d["title"],
            type=d["type"],
            summary=d.get("summary", ""),
            body=d.get("body", ""),
            slug=d.get("slug", ""),
            category=d.get("category"),
            tags=[t for t in (d.get("tags") or "").split(",") if t.strip()][:20],
            election_stage=d.get("election_stage", ""),
            cover=d.get("cover"),
            pinned_until=d.get("pinned_until"),
            claim=d.get("claim", ""),
            claim_appearances=d.get("claim_appearances", []),
            verdict=d.get("verdict", ""),
            evidence_links=d.get("evidence_links", []),
        )


def initial_from(article: Any, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "type": article.type,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "tags": ", ".join(t.name for t in article.tags.all()),
        "election_stage": article.election_stage,
        "cover": article.cover_id,
        "pinned_until": article.pinned_until.astimezone(zone).replace(tzinfo=None)
        if article.pinned_until
        else None,
        "claim": article.claim,
        "claim_appearances": "\n".join(article.claim_appearances),
        "verdict": article.verdict,
        "evidence_links": "\n".join(article.evidence_links),
    }


class ApproveForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Jadwal terbit (kosongkan untuk terbit sekarang)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    # Offered only to an Administrator while a blackout window stops publishing now.
    blackout_override = forms.CharField(
        label=_("Alasan menerbitkan sekarang saat masa jeda"),
        required=False,
        max_length=OVERRIDE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Tercatat di log audit bersama nama Anda. Kosongkan bila menjadwalkan sesudah masa jeda."
        ),
    )

    # Offered when the guideline finds something: a warning's reason (any approver), a block's
    # (an Administrator only).
    policy_reason = forms.CharField(
        label=_("Alasan menyetujui meski ada peringatan pedoman"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tercatat di log audit bersama temuan pedoman."),
    )

    def __init__(
        self, *args: Any, zone: ZoneInfo, override: bool = True, guideline: str = "", **kwargs: Any
    ) -> None:
        """``guideline``: "" (nothing found, or a block this person may not pass), "warn" or
        "block" (the reason asked for)."""
        self.zone = zone
        super().__init__(*args, **kwargs)
        if not override:
            del self.fields["blackout_override"]
        if not guideline:
            del self.fields["policy_reason"]
        elif guideline == "block":
            self.fields["policy_reason"].label = _("Alasan Administrator untuk tetap menyetujui")

    def clean_publish_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("publish_at")
        if value is None:
            return None
        value = value.replace(tzinfo=self.zone) if timezone.is_naive(value) else value
        if value < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError(_("Jadwal terbit sudah lewat."))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
