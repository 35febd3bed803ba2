"""What an office is told when a blackout window holds its scheduled content, or when a
cancelled window lets it go. The apps that hold things (publishing's deliveries, the portal's
articles) say who and what; the text is one, here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices.models import Membership, Office

from .models import Blackout
from .selectors import local_time

SHOWN = 5  # items named in the body; the link leads to the rest


@dataclass(frozen=True)
class HeldItem:
    """One held post or article as its office is told of it."""

    pk: int
    title: str
    author_id: int | None  # told too (besides the office's Editors and Administrators)


def held_notify(
    *,
    window: Blackout,
    office: Office,
    items: Sequence[HeldItem],
    kind: str,
    one_link: Callable[[HeldItem], str],
    list_link: str,
    released: bool = False,
) -> int:
    """Tell the Editors and Administrators of ``office``, and the items' authors, that ``window``
    holds ``items`` (posts or articles, named by ``kind`` in the key), or, when ``released``, that
    the cancelled window lets them go now. The link opens the item when there is one, else
    ``list_link``. The same window and set of items never notifies twice."""
    if not items:
        return 0
    people = User.objects.filter(
        Q(
            pk__in=Membership.objects.filter(
                office=office, role__in=(Membership.Role.ADMIN, Membership.Role.EDITOR)
            ).values("user_id")
        )
        | Q(pk__in=[item.author_id for item in items if item.author_id]),
        is_active=True,
    ).order_by("pk")
    ordered = sorted(items, key=lambda item: item.pk)
    digest = hashlib.sha256(",".join(str(item.pk) for item in ordered).encode()).hexdigest()[:16]
    link = one_link(ordered[0]) if len(ordered) == 1 else list_link
    key = f"blackout:{window.pk}:{'released' if released else 'held'}:{kind}:{office.pk}:{digest}"
    return _send(
        window=window,
        office=office,
        people=people,
        titles=[item.title for item in ordered],
        link=link,
        key=key,
        released=released,
    )


def _send(
    *,
    window: Blackout,
    office: Office,
    people: Iterable[User],
    titles: Sequence[str],
    link: str,
    key: str,
    released: bool,
) -> int:
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
