"""What an office is told when a blackout window holds its scheduled content, or when a
cancelled window lets it go. The apps that hold things (publishing's deliveries, the portal's
articles) say who and what; the text is one, here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices.models import Office

from .models import Blackout
from .selectors import local_time

SHOWN = 5  # items named in the body; the link leads to the rest


def held_notify(
    *,
    window: Blackout,
    office: Office,
    people: Iterable[User],
    titles: Sequence[str],
    link: str,
    key: str,
    released: bool = False,
) -> int:
    """Tell ``people`` of ``office`` that ``window`` holds the items named ``titles`` (or, when
    ``released``, that the cancelled window lets them be sent now). ``key`` makes it once."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "n": len(titles),
            "reason": window.title,
            "start": local_time(window.starts_at, office),
            "end": local_time(window.ends_at, office),
            "office": window.office.name,
        }
        if released:
            title = (
                ngettext(
                    "%(reason)s dibatalkan: %(n)s konten yang ditahan dapat diterbitkan",
                    "%(reason)s dibatalkan: %(n)s konten yang ditahan dapat diterbitkan",
                    len(titles),
                )
                % values
            )
            lines = [_("Buka kontennya lalu terbitkan sekarang, atau ubah jadwalnya.")]
        else:
            title = (
                ngettext(
                    "%(n)s konten terjadwal ditahan karena %(reason)s",
                    "%(n)s konten terjadwal ditahan karena %(reason)s",
                    len(titles),
                )
                % values
            )
            lines = [
                _("%(reason)s (%(office)s) berlaku dari %(start)s sampai %(end)s.") % values,
                _(
                    "Yang ditahan tidak hilang: sesudah masa itu, buka kontennya lalu terbitkan sekarang, "
                    "atau ubah jadwalnya."
                ),
            ]
        lines += [f"• {text[:120]}{'…' if len(text) > 120 else ''}" for text in titles[:SHOWN]]
        if len(titles) > SHOWN:
            lines.append(_("dan %(n)s lainnya") % {"n": len(titles) - SHOWN})
    return len(
        notification_send(
            users=people,
            office=office,
            kind=Notification.Kind.CONTENT_HELD,
            title=title,
            body="\n".join(lines),
            link=link,
            key=key,
        )
    )
