"""Reads for the Konten module."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.channels.models import API_PLATFORMS, Channel
from humas.offices import policy
from humas.offices.models import Office

from .assisted import needs_hand_deletion
from .models import Delivery, Post, Publication

State = Delivery.State


def post_list_for_office(*, actor: User, office: Office) -> QuerySet[Post]:
    policy.require(actor, "content.view", office)
    return Post.objects.filter(office=office).select_related("author", "approved_by").order_by("-created_at")


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
