"""Reads for the Konten module."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from humas.accounts.models import User
from humas.channels.models import API_PLATFORMS, Channel
from humas.offices import policy
from humas.offices.models import Office

from .models import Delivery, Post, Publication


def post_list_for_office(*, actor: User, office: Office) -> QuerySet[Post]:
    policy.require(actor, "content.view", office)
    return Post.objects.filter(office=office).select_related("author", "approved_by").order_by("-created_at")


def post_get_for_actor(*, actor: User, office: Office, post_id: int) -> Post:
    policy.require(actor, "content.view", office)
    post = (
        Post.objects.filter(pk=post_id, office=office)
        .select_related("office", "author", "approved_by")
        .prefetch_related(
            Prefetch(
                "publications",
                queryset=Publication.objects.select_related("created_by").prefetch_related(
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
