"""Placeholders of saved replies: ``{kantor}`` and the rest are filled with the details of the
office that uses the answer, so one national answer reads right in each of 553 offices."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.offices.models import Office

# name -> (what it is, how an office gives it); each name is what people type between braces.
PLACEHOLDERS: dict[str, tuple[object, Callable[[Office], str]]] = {
    "kantor": (gettext_lazy("nama kantor"), lambda office: office.name),
    "wilayah": (gettext_lazy("nama wilayah"), lambda office: office.region_name),
    "alamat": (gettext_lazy("alamat kantor"), lambda office: " ".join(office.address.split())),
    "telepon": (gettext_lazy("telepon kantor"), lambda office: office.phone),
    "email": (gettext_lazy("e-mail kantor"), lambda office: office.email),
    "situs": (gettext_lazy("situs web kantor"), lambda office: office.website),
}
_FIELD = re.compile(r"\{([^{}\s]{1,40})\}")


class PlaceholderError(ValueError):
    """A body naming a placeholder that does not exist; the message is translated."""


def placeholders_check(body: str) -> None:
    """Raise PlaceholderError naming every unknown ``{placeholder}`` of ``body``."""
    unknown = sorted({name for name in _FIELD.findall(body) if name.lower() not in PLACEHOLDERS})
    if unknown:
        raise PlaceholderError(
            _("Isian %(unknown)s tidak dikenal. Yang dapat dipakai: %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
        )


@dataclass(frozen=True)
class Filled:
    text: str
    # The placeholders the office has no value for (left as they are in the text).
    missing: tuple[str, ...]


def placeholders_fill(body: str, office: Office) -> Filled:
    """``body`` with each known placeholder replaced by ``office``'s value; a placeholder the
    office has not filled in stays as it is and is named in ``missing`` (the page says where to
    fill it in)."""
    missing: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in PLACEHOLDERS:
            return match.group(0)
        found = PLACEHOLDERS[name][1](office).strip()
        if not found:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return found

    return Filled(text=_FIELD.sub(value, body), missing=tuple(missing))
