"""The form of a polled monitoring source: its name and interval, and what its kind needs (a
channel, a watch list, feed addresses). It checks what a person wrote, line by line, and hands
the service (humas/monitoring/sources.py) the config it stores."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import SOURCE_NAME_MAX, Source
from .selectors import source_channel_choices
from .sources import (
    DEFAULT_FACTCHECK_SOURCE,
    INTERVALS,
    POLLED_KINDS,
    default_terms,
    feed_urls_check,
    terms_check,
)

Kind = Source.Kind

DEFAULT_NAMES = {
    Kind.CHANNEL_COMMENTS: _("Komentar kanal"),
    Kind.KEYWORD_SEARCH: _("Pencarian kata kunci X"),
    Kind.NEWS_FEED: _("Berita daring"),
    Kind.FACTCHECK_FEED: _("Cek fakta TurnBackHoax"),
}

# What each kind brings in, said on the page that offers them.
KIND_HELP = {
    Kind.CHANNEL_COMMENTS: _("Komentar dan balasan di salah satu kanal kantor yang sudah terhubung."),
    Kind.KEYWORD_SEARCH: _("Unggahan terbaru di X yang memuat kata kunci daftar pantauan kantor."),
    Kind.NEWS_FEED: _("Berita dari umpan RSS/Atom media daring, dengan teks lengkap artikelnya."),
    Kind.FACTCHECK_FEED: _(
        "Hasil cek fakta dari umpan RSS/Atom pemeriksa fakta, masuk ke basis klarifikasi."
    ),
}


def interval_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return ngettext("%(n)d hari", "%(n)d hari", days) % {"n": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d jam", "%(n)d jam", hours) % {"n": hours}
    return ngettext("%(n)d menit", "%(n)d menit", minutes) % {"n": minutes}


class ChannelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class SourceForm(forms.Form):
    """One form for every polled kind: the fields of ``kind`` only."""

    name = forms.CharField(label=_("Nama sumber"), max_length=SOURCE_NAME_MAX)
    poll_interval_minutes = forms.TypedChoiceField(
        label=_("Ambil setiap"),
        coerce=int,
        help_text=_("Bila sumber gagal, Humas mencoba lagi dengan jeda yang makin panjang."),
    )

    def __init__(
        self, *args: Any, office: Any, kind: str, source: Source | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if kind not in POLLED_KINDS:
            raise ValueError(f"{kind!r} is not a polled kind")
        self.office, self.kind, self.source = office, kind, source
        config = source.config if source is not None else {}
        interval_field = self.fields["poll_interval_minutes"]
        assert isinstance(interval_field, forms.TypedChoiceField)
        # A source set up elsewhere (the demo, the admin) keeps an interval that is not offered.
        minutes = sorted({*INTERVALS, *([source.poll_interval_minutes] if source else [])})
        interval_field.choices = [(m, interval_label(m)) for m in minutes]
        self.initial.setdefault("name", source.name if source else str(DEFAULT_NAMES[Kind(kind)]))
        self.initial.setdefault("poll_interval_minutes", source.poll_interval_minutes if source else 15)
        order = ["name"]
        if kind in (Kind.CHANNEL_COMMENTS, Kind.KEYWORD_SEARCH):
            channels = source_channel_choices(office=office, kind=kind)
            self.fields["channel"] = ChannelChoice(
                queryset=channels,
                label=_("Kanal")
                if kind == Kind.CHANNEL_COMMENTS
                else _("Kanal X yang kredensialnya dipakai"),
                empty_label=None,
                help_text=_("Hanya kanal kantor ini yang sudah terhubung lewat Pengaturan → Kanal.")
                if kind == Kind.CHANNEL_COMMENTS
                else _(
                    "Pencarian memakai kuota API akun X kantor ini; batas permintaan X dipatuhi. "
                    "Hanya kanal yang sudah terhubung lewat Pengaturan → Kanal."
                ),
                error_messages={
                    "required": _("Belum ada kanal yang terhubung; hubungkan kanal di Pengaturan → Kanal."),
                    "invalid_choice": _("Pilih kanal kantor yang sudah terhubung."),
                },
            )
            self.initial.setdefault("channel", config.get("channel_id"))
            order.append("channel")
        if kind == Kind.KEYWORD_SEARCH:
            self.fields["terms"] = forms.CharField(
                label=_("Daftar pantauan"),
                widget=forms.Textarea(attrs={"rows": 10}),
                help_text=_("Satu kata kunci atau frasa per baris."),
            )
            self.initial.setdefault("terms", "\n".join(config.get("terms") or default_terms(office)))
            order.append("terms")
        if kind in (Kind.NEWS_FEED, Kind.FACTCHECK_FEED):
            self.fields["feeds"] = forms.CharField(
                label=_("Alamat umpan RSS/Atom"),
                widget=forms.Textarea(attrs={"rows": 5, "inputmode": "url", "spellcheck": "false"}),
                help_text=_("Satu alamat http:// atau https:// per baris."),
            )
            self.initial.setdefault("feeds", "\n".join(config.get("feeds") or []))
            order.append("feeds")
        if kind == Kind.FACTCHECK_FEED:
            self.fields["source_name"] = forms.CharField(
                label=_("Nama pemeriksa fakta"),
                max_length=SOURCE_NAME_MAX,
                help_text=_("Dicantumkan pada setiap cek fakta di basis klarifikasi, mis. TurnBackHoax."),
            )
            self.initial.setdefault("source_name", config.get("source_name") or DEFAULT_FACTCHECK_SOURCE)
            order.append("source_name")
        order.append("poll_interval_minutes")
        self.order_fields(order)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].replace("\x00", "").split())

    def clean_feeds(self) -> list[str]:
        urls, problems = feed_urls_check(self.cleaned_data["feeds"])
        if problems:
            raise forms.ValidationError(problems)
        return urls

    def clean_terms(self) -> list[str]:
        terms, problems = terms_check(self.cleaned_data["terms"])
        if problems:
            raise forms.ValidationError(problems)
        return terms

    def config(self) -> dict[str, Any]:
        """What the service stores as the source's config (after ``is_valid()``)."""
        data = self.cleaned_data
        config: dict[str, Any] = {}
        if "channel" in data:
            config["channel_id"] = data["channel"].pk
        for key in ("terms", "feeds", "source_name"):
            if key in data:
                config[key] = data[key]
        return config
