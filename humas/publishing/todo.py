"""Publishing's items in the dashboard's "what to do now" list (humas.core.extensions)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.core.extensions import Todo
from humas.offices import policy
from humas.offices.models import Office

from .selectors import (
    POST_VIEW_ATTENTION,
    POST_VIEW_HELD,
    POST_VIEW_MANUAL,
    POST_VIEW_WAITING,
    post_todo_counts,
)


def publishing_todos(user: User, office: Office) -> Iterator[Todo]:
    if not policy.can(user, "content.view", office):
        return
    counts = post_todo_counts(office=office)
    base = reverse("publishing:list", kwargs={"office_slug": office.slug})

    def link(view: str) -> str:
        return f"{base}?{urlencode({'tampil': view})}"

    if policy.can(user, "content.approve", office):
        n = counts[POST_VIEW_WAITING]
        yield Todo(
            ngettext("%(n)d unggahan menunggu persetujuan", "%(n)d unggahan menunggu persetujuan", n)
            % {"n": n},
            n,
            link(POST_VIEW_WAITING),
            tone="warn",
            order=10,
        )
    n = counts[POST_VIEW_ATTENTION]
    yield Todo(
        ngettext(
            "%(n)d unggahan gagal terkirim atau perlu perhatian",
            "%(n)d unggahan gagal terkirim atau perlu perhatian",
            n,
        )
        % {"n": n},
        n,
        link(POST_VIEW_ATTENTION),
        tone="alert",
        order=10,
    )
    n = counts[POST_VIEW_HELD]
    yield Todo(
        ngettext("%(n)d unggahan ditahan masa jeda", "%(n)d unggahan ditahan masa jeda", n) % {"n": n},
        n,
        link(POST_VIEW_HELD),
        tone="warn",
        order=30,
    )
    n = counts[POST_VIEW_MANUAL]
    yield Todo(
        ngettext("%(n)d unggahan menunggu diunggah manual", "%(n)d unggahan menunggu diunggah manual", n)
        % {"n": n},
        n,
        link(POST_VIEW_MANUAL),
        order=40,
    )
