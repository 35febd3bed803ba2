"""Reads for the Konten module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from humas.accounts.models import User
from humas.channels.models import API_PLATFORMS, Channel
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree

from .assisted import needs_hand_deletion
from .models import Delivery, Post, Publication

State = Delivery.State


# The post list's views (``?tampil=``): what the dashboard's to-do items link to. Each names the
# posts in one state of the workflow or with a delivery in one of the given states.
POST_VIEW_WAITING = "menunggu"
POST_VIEW_ATTENTION = "perhatian"
POST_VIEW_HELD = "ditahan"
POST_VIEW_MANUAL = "manual"
POST_VIEW_DRAFTS = "draf"  # where a content plan's import lands (publishing/views/plans.py)
ATTENTION_STATES = (Delivery.State.FAILED, Delivery.State.NEEDS_ATTENTION)
POST_VIEWS: dict[str, Any] = {
    POST_VIEW_WAITING: gettext_lazy("Menunggu persetujuan"),
    POST_VIEW_ATTENTION: gettext_lazy("Kiriman gagal atau perlu perhatian"),
    POST_VIEW_HELD: gettext_lazy("Ditahan masa jeda"),
    POST_VIEW_MANUAL: gettext_lazy("Menunggu diunggah manual"),
    POST_VIEW_DRAFTS: gettext_lazy("Draf"),
}


def _with_deliveries(posts: QuerySet[Post], states: Sequence[str]) -> QuerySet[Post]:
    return posts.filter(Exists(Delivery.objects.filter(publication__post=OuterRef("pk"), state__in=states)))


def post_list_for_office(*, actor: User, office: Office, view: str = "") -> QuerySet[Post]:
    """The office's posts, newest first; ``view`` (a key of POST_VIEWS) narrows them."""
    policy.require(actor, "content.view", office)
    posts = Post.objects.filter(office=office)
    if view == POST_VIEW_WAITING:
        posts = posts.filter(status=Post.Status.IN_REVIEW)
    elif view == POST_VIEW_ATTENTION:
        posts = _with_deliveries(posts, ATTENTION_STATES)
    elif view == POST_VIEW_HELD:
        posts = _with_deliveries(posts, (Delivery.State.HELD,))
    elif view == POST_VIEW_MANUAL:
        posts = _with_deliveries(posts, (Delivery.State.MANUAL,))
    elif view == POST_VIEW_DRAFTS:
        posts = posts.filter(status=Post.Status.DRAFT)
    return posts.select_related("author", "approved_by").order_by("-created_at")


CAMPAIGNS_OFFERED = 50


def campaign_names(*, office: Office, days: int = 365) -> list[str]:
    """Campaign names used in the last ``days`` by ``office``, the offices above it and those
    below it, most used first: what the composer offers, so offices name a shared campaign the
    same way. One query."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Post.objects.filter(
            subtree(office.path, field="office__path") | Q(office__code__in=office.ancestor_codes),
            created_at__gte=since,
        )
        .exclude(campaign="")
        .values("campaign")
        .annotate(n=Count("pk"))
        .order_by("-n", "campaign")[:CAMPAIGNS_OFFERED]
    )
    return [row["campaign"] for row in rows]


def post_todo_counts(*, office: Office) -> dict[str, int]:
    """How many of the office's posts are in each of POST_VIEWS (two queries)."""
    waiting = Post.objects.filter(office=office, status=Post.Status.IN_REVIEW).count()

    def posts_in(*states: str) -> Count:
        return Count("publication__post", distinct=True, filter=Q(state__in=states))

    counts = Delivery.objects.filter(
        publication__post__office=office,
        state__in=(*ATTENTION_STATES, Delivery.State.HELD, Delivery.State.MANUAL),
    ).aggregate(
        attention=posts_in(*ATTENTION_STATES),
        held=posts_in(Delivery.State.HELD),
        manual=posts_in(Delivery.State.MANUAL),
    )
    return {
        POST_VIEW_WAITING: waiting,
        POST_VIEW_ATTENTION: counts["attention"],
        POST_VIEW_HELD: counts["held"],
        POST_VIEW_MANUAL: counts["manual"],
    }


def post_get_for_actor(*, actor: User, office: Office, post_id: int) -> Post:
    policy.require(actor, "content.view", office)
    post = (
        Post.objects.filter(pk=post_id, office=office)
        .select_related("office", "author", "approved_by", "returned_by")
        .prefetch_related(
            Prefetch(
                "publications",
                queryset=Publication.objects.select_related("created_by", "withdrawn_by").prefetch_related(
                    Prefetch("deliveries", queryset=Delivery.objects.select_related("channel", "marked_by"))
                ),
            )
        )
        .first()
    )
    if post is None:
        raise Http404("post")
    return post


def delivery_get_for_office(*, office: Office, post_id: int, delivery_id: int) -> Delivery:
    """A delivery of this office's post; anything else is a 404 (no hint it exists elsewhere).
    The caller's view has checked the policy for ``office``."""
    delivery = (
        Delivery.objects.select_related("publication__post__office", "channel")
        .filter(pk=delivery_id, publication__post_id=post_id, publication__post__office=office)
        .first()
    )
    if delivery is None:
        raise Http404("delivery")
    return delivery


def channel_list_publishable(*, office: Office) -> QuerySet[Channel]:
    """Active API channels of the office that have a stored credential."""
    return Channel.objects.filter(
        office=office, is_active=True, platform__in=API_PLATFORMS, credential__isnull=False
    ).order_by("platform", "name")


def publication_get_for_office(*, office: Office, post_id: int, publication_id: int) -> Publication:
    """A publication of this office's post; anything else is a 404. The caller's view has
    checked the policy for ``office``."""
    publication = (
        Publication.objects.select_related("post__office", "withdrawn_by")
        .filter(pk=publication_id, post_id=post_id, post__office=office)
        .first()
    )
    if publication is None:
        raise Http404("publication")
    return publication


def publication_summary(*, publication: Publication, deliveries: list[Delivery] | None = None) -> str:
    """ "Terbit di 4 dari 5 kanal — Instagram gagal: token kedaluwarsa", or for a withdrawn one
    "Ditarik pada 3 Mar 2026 10:00 WIB oleh Editor Jepara: Tanggal salah — TikTok perlu dihapus
    manual" (what still needs a person)."""
    items = deliveries if deliveries is not None else list(publication.deliveries.select_related("channel"))
    if publication.withdrawn_at is not None:
        return _withdrawn_summary(publication, items)
    total = len(items)
    sent = sum(1 for d in items if d.state == State.SENT)
    head = ngettext(
        "Terbit di %(sent)s dari %(total)s kanal", "Terbit di %(sent)s dari %(total)s kanal", total
    ) % {"sent": sent, "total": total}
    notes = []
    for d in items:
        name = d.channel.get_platform_display()
        if d.state == State.FAILED:
            notes.append(_("%(platform)s gagal: %(reason)s") % {"platform": name, "reason": d.error_message})
        elif d.state == State.NEEDS_ATTENTION:
            notes.append(
                _("%(platform)s perlu perhatian: %(reason)s") % {"platform": name, "reason": d.error_message}
            )
        elif d.state == State.WAITING:
            notes.append(_("%(platform)s menunggu percobaan ulang") % {"platform": name})
        elif d.state in (State.QUEUED, State.SENDING):
            notes.append(_("%(platform)s dalam proses") % {"platform": name})
        elif d.state == State.WITHDRAWN:
            notes.append(_("%(platform)s ditarik") % {"platform": name})
        elif d.state == State.MANUAL:
            notes.append(_("%(platform)s menunggu diunggah manual") % {"platform": name})
        elif d.state == State.HELD:
            notes.append(_("%(platform)s ditahan karena masa jeda") % {"platform": name})
    return " — ".join([head, "; ".join(notes)]) if notes else head


def _withdrawn_summary(publication: Publication, items: list[Delivery]) -> str:
    assert publication.withdrawn_at is not None
    office = publication.post.office
    local = timezone.localtime(publication.withdrawn_at, office.zoneinfo)
    when = f"{formats.date_format(local, 'j M Y H:i')} {office.tz_abbreviation}".strip()
    person = publication.withdrawn_by.get_full_name() if publication.withdrawn_by else ""
    reason = publication.withdrawal_reason
    if person and reason:
        head = _("Ditarik pada %(when)s oleh %(person)s: %(reason)s") % {
            "when": when,
            "person": person,
            "reason": reason,
        }
    elif person:
        head = _("Ditarik pada %(when)s oleh %(person)s") % {"when": when, "person": person}
    else:
        head = _("Ditarik pada %(when)s") % {"when": when}
    notes = []
    for d in items:
        name = d.channel.get_platform_display()
        if d.state == State.SENT and needs_hand_deletion(d):
            notes.append(_("%(platform)s perlu dihapus manual") % {"platform": name})
        elif d.state == State.SENT:
            notes.append(_("%(platform)s masih terbit") % {"platform": name})
        elif d.state == State.SENDING:
            notes.append(_("%(platform)s dalam proses") % {"platform": name})
    return " — ".join([head, "; ".join(notes)]) if notes else head
