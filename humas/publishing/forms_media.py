"""Forms of the post editor beside the main text: per-platform variants and images."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.channels.models import Platform
from humas.library.models import Asset
from humas.library.services import asset_prepared
from humas.media.pipeline import check_total_pixels

from .images import MAX_IMAGES, ImageRejected, NewImage, post_image_prepare
from .models import PostImage
from .services import MAX_TEXT
from .variants import VARIANT_PLATFORMS, variant_problems

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def variant_field_name(platform: str) -> str:
    return f"variant_{platform}"


class VariantsForm(forms.Form):
    """One optional text per platform; empty means "the main text"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Platform.choices)
        for platform in VARIANT_PLATFORMS:
            self.fields[variant_field_name(platform)] = forms.CharField(
                label=labels[platform],
                required=False,
                max_length=MAX_TEXT,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 3, "data-variant": platform}),
            )

    def texts(self) -> dict[str, str]:
        return {p: self.cleaned_data.get(variant_field_name(p), "") for p in VARIANT_PLATFORMS}

    def check_limits(self, *, link: str, image_count: int) -> bool:
        """Add an error, naming the limit, to each variant its platform would refuse."""
        problems = variant_problems(texts=self.texts(), link=link, image_count=image_count)
        for platform, problem in problems.items():
            self.add_error(variant_field_name(platform), problem)
        return not problems


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if data is None or data == "" or data is False:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files if f]


class ImagesForm(forms.Form):
    """The post's images: alt text, order and removal of the stored ones, and new uploads with
    one alt text each. Uploads are validated here (type by content, size, pixels, bombs) and the
    clean copies are kept in ``new_images`` for the service."""

    images = MultipleImageField(
        label=gettext_lazy("Tambah gambar"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG, WebP atau GIF; boleh beberapa sekaligus."),
    )
    new_alt = forms.CharField(
        label=gettext_lazy("Teks alternatif gambar baru"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Satu baris per gambar, sesuai urutan berkas: jelaskan isi gambar untuk pembaca yang "
            "tidak dapat melihatnya."
        ),
    )

    pustaka = forms.MultipleChoiceField(
        label=gettext_lazy("Ambil dari pustaka media"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Gambar pustaka dipakai dengan teks alternatifnya; ubah di sini setelah disimpan."
        ),
    )

    def __init__(
        self, *args: Any, existing: list[PostImage], library: list[Asset] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing
        self.new_images: list[NewImage] = []
        # The library images offered (each usable in this office: humas/library/selectors.py).
        self.library = {str(asset.pk): asset for asset in library or []}
        field = self.fields["pustaka"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(key, asset.title or asset.alt_text) for key, asset in self.library.items()]
        for position, image in enumerate(existing, start=1):
            self.fields[f"alt_{image.pk}"] = forms.CharField(
                label=gettext_lazy("Teks alternatif"), max_length=250, initial=image.alt_text
            )
            self.fields[f"order_{image.pk}"] = forms.IntegerField(
                label=gettext_lazy("Urutan"),
                min_value=1,
                max_value=MAX_IMAGES,
                initial=position,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "short"}),
            )
            self.fields[f"remove_{image.pk}"] = forms.BooleanField(
                label=gettext_lazy("Hapus"), required=False
            )

    def library_rows(self) -> list[tuple[Asset, Any]]:
        """Each library image offered with its box."""
        return [(self.library[str(box.data["value"])], box) for box in self["pustaka"]]

    def rows(self) -> list[tuple[PostImage, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (image, self[f"alt_{image.pk}"], self[f"order_{image.pk}"], self[f"remove_{image.pk}"])
            for image in self.existing
        ]

    def _alt_lines(self) -> list[str]:
        # With the script each preview has its own field; without it, one line per image.
        getlist = getattr(self.data, "getlist", None)
        each = [" ".join(str(v).split()) for v in getlist("new_alt_each")] if getlist else []
        if each:
            return each
        return [
            line.strip() for line in (self.cleaned_data.get("new_alt") or "").splitlines() if line.strip()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        files: list[UploadedFile] = cleaned.get("images") or []
        chosen = [self.library[key] for key in cleaned.get("pustaka") or [] if key in self.library]
        kept = [image for image in self.existing if not cleaned.get(f"remove_{image.pk}")]
        if len(kept) + len(files) + len(chosen) > MAX_IMAGES:
            self.add_error(
                "images",
                _("Terlalu banyak gambar: %(count)s dari batas %(limit)s per unggahan.")
                % {"count": len(kept) + len(files) + len(chosen), "limit": MAX_IMAGES},
            )
            return cleaned
        alts = self._alt_lines()
        if files and (len(alts) != len(files) or not all(alts)):
            self.add_error(
                "new_alt",
                _(
                    "Teks alternatif wajib diisi untuk setiap gambar baru: %(files)s gambar, "
                    "%(alts)s teks alternatif."
                )
                % {"files": len(files), "alts": len([a for a in alts if a])},
            )
        try:
            # All the uploads and the images kept, by their headers, before any is decoded.
            check_total_pixels(files=files, existing_pixels=sum(i.width * i.height for i in kept))
        except ImageRejected as exc:
            self.add_error("images", " ".join(exc.messages))
            return cleaned
        prepared = []
        for upload in files:
            try:
                prepared.append(post_image_prepare(file=upload))
            except ImageRejected as exc:
                self.add_error("images", f"{upload.name}: {' '.join(exc.messages)}")
        from_library = []
        for asset in chosen:
            try:
                from_library.append(NewImage(asset_prepared(asset), asset.alt_text))
            except (ImageRejected, OSError):
                self.add_error(
                    "pustaka", _("Gambar pustaka “%(title)s” tidak dapat dibaca.") % {"title": asset}
                )
        if not self.errors:
            self.new_images = [NewImage(p, alt) for p, alt in zip(prepared, alts, strict=True)] + from_library
        return cleaned

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for post_images_change."""
        data = self.cleaned_data
        remove = [image.pk for image in self.existing if data.get(f"remove_{image.pk}")]
        kept = [image for image in self.existing if image.pk not in remove]
        # A stable sort by the numbers typed: equal numbers keep the current order.
        order = [
            image.pk
            for _index, image in sorted(
                enumerate(kept), key=lambda pair: (data.get(f"order_{pair[1].pk}") or 0, pair[0])
            )
        ]
        return {
            "add": self.new_images,
            "alt_texts": {image.pk: data.get(f"alt_{image.pk}", image.alt_text) for image in kept},
            "order": order,
            "remove": remove,
        }

    @property
    def image_count(self) -> int:
        """How many images the post has once this form is applied."""
        removed = sum(1 for image in self.existing if self.cleaned_data.get(f"remove_{image.pk}"))
        return len(self.existing) - removed + len(self.new_images)
