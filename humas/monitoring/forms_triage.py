"""Forms of the triage desk: the queue's filters and the triage actions. Each works without
JavaScript; choices come from the selectors, so a posted value outside them is refused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from humas.accounts.models import User
from humas.offices.models import Office

from .models import ItemPlatform, Narrative, Variant
from .selectors_triage import (
    ASSIGNEE_ME,
    ASSIGNEE_NONE,
    SINCE,
    STANCE_DENIES,
    STATUS_ALL,
    OfficeChoice,
    QueueFilters,
)
from .triage import NOTE_MAX

_INDENT = "\u2003"  # an em space per level below the queue's office


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; a value that is not offered narrows
    nothing (the queue never fails on a hand-edited address)."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Terbuka (baru dan perlu klarifikasi)")),
            *Narrative.Status.choices,
            (STATUS_ALL, _("Semua status")),
        ],
    )
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("Semua platform")), *ItemPlatform.choices]
    )
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    since = forms.ChoiceField(
        label=_("Terakhir terlihat"),
        required=False,
        choices=[("", _("Kapan saja")), *((key, label) for key, (_d, label) in SINCE.items())],
    )
    assignee = forms.ChoiceField(
        label=_("Penanggung jawab"),
        required=False,
        choices=[("", _("Siapa saja")), (ASSIGNEE_ME, _("Saya")), (ASSIGNEE_NONE, _("Belum ditugaskan"))],
    )
    office = forms.ChoiceField(label=_("Kantor"), required=False)
    stance = forms.ChoiceField(
        label=_("Sikap"),
        required=False,
        choices=[("", _("Semua narasi")), (STANCE_DENIES, _("Kabar baik: membantah hoaks"))],
    )

    def __init__(self, data: Any, *, offices: Sequence[OfficeChoice]) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", _("Semua wilayah")),
            *((o.code, _INDENT * o.depth + o.region_name) for o in offices),
        ]
        below = [o for o in offices if o.depth > 0]
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            ("", _("Semua kantor")),
            *((o.code, _INDENT * (o.depth - 1) + o.name) for o in below),
        ]
        self.has_offices_below = bool(below)

    def filters(self) -> QueueFilters:
        """The valid filters (an invalid field narrows nothing)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(**{name: data.get(name) or "" for name in QueueFilters.__dataclass_fields__})

    @property
    def active(self) -> bool:
        return any(self.filters().__dict__.values())

    def selects(self) -> list[tuple[forms.BoundField, SafeString]]:
        """Each shown filter with its <option>s written at once: the national office's region and
        office lists hold over 500 offices each, too many for a widget template per option."""
        chosen = self.filters()
        shown = []
        for name, field in self.fields.items():
            if name == "office" and not self.has_offices_below:
                continue
            current = getattr(chosen, name)
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if str(value) == current else "", label)
                    for value, label in cast("list[tuple[Any, Any]]", cast(forms.ChoiceField, field).choices)
                ),
            )
            shown.append((self[name], options))
        return shown


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name())


class AssignForm(forms.Form):
    assignee = PersonChoiceField(
        label=_("Penanggung jawab"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Belum ditugaskan —"),
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Narrative.Status.choices)


class RouteForm(forms.Form):
    office = forms.ModelChoiceField(
        label=_("Kantor tujuan"), queryset=Office.objects.none(), empty_label=_("— Pilih kantor —")
    )
    note = forms.CharField(
        label=_("Catatan untuk kantor tujuan"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mengapa narasi ini menjadi urusan kantor tersebut."),
    )

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offices
        self._offices = offices

    def office_options(self) -> SafeString:
        """The offices' <option>s written at once (a national person reaches over 500 offices)."""
        current = str(self["office"].value() or "")
        field = cast(forms.ModelChoiceField, self.fields["office"])
        rows = [("", str(field.empty_label), "")]
        rows += [
            (str(pk), ("\u2003" * max(0, depth - 1)) + name, "")
            for pk, name, depth in self._offices.values_list("pk", "name", "depth")
        ]
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, mark_safe(" selected") if value == current else "", label) for value, label, _x in rows),
        )


class MergeForm(forms.Form):
    """The narratives to merge into this one. The page lists a bounded number of them; any
    candidate (``candidates``, unbounded) may be posted."""

    narratives = forms.ModelMultipleChoiceField(
        label=_("Narasi yang digabungkan ke narasi ini"),
        queryset=Narrative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih setidaknya satu narasi lain untuk digabungkan.")},
    )

    def __init__(self, *args: Any, candidates: QuerySet[Narrative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["narratives"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates


class SplitForm(forms.Form):
    variants = forms.ModelMultipleChoiceField(
        label=_("Variasi yang dipisahkan menjadi narasi baru"),
        queryset=Variant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih setidaknya satu variasi untuk dipisahkan.")},
    )

    def __init__(self, *args: Any, variants: QuerySet[Variant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["variants"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = variants
