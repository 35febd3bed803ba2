"""The Konten module: write, submit, approve, publish to channels, follow each delivery."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..assisted import assisted_panels, found_panels
from ..delivery import delivery_retry, publication_create, publication_withdraw
from ..forms import PostForm, PublishForm
from ..images import ImageRejected, post_images_change
from ..metrics import post_metrics_summary
from ..models import Delivery, Post, Publication
from ..portal_channel import channel_list_for_publishing
from ..selectors import delivery_get_for_office, post_get_for_actor, post_list_for_office, publication_summary
from ..services import (
    EDITABLE,
    SUBMITTABLE,
    PublishingError,
    post_approve,
    post_create,
    post_submit,
    post_update,
    schedule_from_office_time,
)
from ..variants import post_variants_set
from .media import media_context, media_forms, post_media_context


def _to_detail(office: Office, post_id: int) -> HttpResponse:
    return redirect("publishing:detail", office_slug=office.slug, post_id=post_id)


@office_view("content.view")
def post_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    page_number = request.GET.get("page", "1")
    page = Paginator(post_list_for_office(actor=request.user, office=office), 50).get_page(
        page_number if page_number.isdigit() else 1
    )
    return render(
        request,
        "publishing/list.html",
        {
            "office": office,
            "page": page,
            "can_draft": policy.can(request.user, "content.draft", office),
            "nav_active": "content",
        },
    )


def _edit(request: AuthenticatedHttpRequest, office: Office, post: Post | None) -> HttpResponse:
    initial = {"text": post.text, "link": post.link, "scheduled_at": post.scheduled_at} if post else None
    form = PostForm(request.POST or None, initial=initial)
    variants_form, images_form = media_forms(request, post)
    valid = [form.is_valid(), variants_form.is_valid(), images_form.is_valid()]  # all, for errors
    if request.method == "POST" and all(valid):
        local = form.cleaned_data["scheduled_at"]
        scheduled = schedule_from_office_time(office=office, local=local) if local else None
        fields = {
            "text": form.cleaned_data["text"],
            "link": form.cleaned_data["link"],
            "scheduled_at": scheduled,
        }
        try:
            # Text, images and variants change together or not at all.
            with transaction.atomic():
                if post is None:
                    saved = post_create(actor=request.user, office=office, **fields)
                else:
                    saved = post_update(actor=request.user, post=post, **fields)
                post_images_change(actor=request.user, post=saved, **images_form.changes())
                if variants_form.check_limits(link=saved.link, image_count=images_form.image_count):
                    post_variants_set(actor=request.user, post=saved, texts=variants_form.texts())
                else:
                    transaction.set_rollback(True)
        except PublishingError as exc:
            form.add_error(None, str(exc))
        except ImageRejected as exc:
            images_form.add_error(None, exc.messages)
        else:
            if not variants_form.errors:
                messages.success(request, _("Unggahan disimpan."))
                return _to_detail(office, saved.pk)
    errors = form.errors or variants_form.errors or images_form.errors
    return render(
        request,
        "publishing/edit.html",
        {
            "office": office,
            "post": post,
            "form": form,
            "nav_active": "content",
            **media_context(form=form, variants_form=variants_form, images_form=images_form),
        },
        status=400 if errors else 200,
    )


@office_view("content.draft")
def post_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _edit(request, office, None)


@office_view("content.draft")
def post_edit(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    if post.status not in EDITABLE:
        messages.error(request, _("Unggahan yang sudah diterbitkan tidak dapat diubah."))
        return _to_detail(office, post.pk)
    return _edit(request, office, post)


@office_view("content.view")
def post_detail(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    user = request.user
    can_publish = policy.can(user, "content.publish", office) and post.status in (
        Post.Status.APPROVED,
        Post.Status.PUBLISHED,
    )
    publications = [
        (
            publication,
            publication_summary(publication=publication, deliveries=list(publication.deliveries.all())),
        )
        for publication in post.publications.all()
    ]
    in_progress = any(
        d.state in (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.WAITING)
        for publication in post.publications.all()
        for d in publication.deliveries.all()
    )
    return render(
        request,
        # While deliveries are under way the list refreshes itself (HTMX) from this partial.
        "publishing/_publications.html" if request.GET.get("partial") else "publishing/detail.html",
        {
            "in_progress": in_progress,
            "office": office,
            "post": post,
            "publications": publications,
            # Variants, images and what the office's channels would refuse (not in the partial).
            **({} if request.GET.get("partial") else post_media_context(post=post)),
            "metrics": None if request.GET.get("partial") else post_metrics_summary(post=post),
            # Assisted channels waiting for a person: outside the self-refreshing list, so a URL
            # being typed is never replaced.
            "assisted_panels": None if request.GET.get("partial") else assisted_panels(post=post, actor=user),
            "found_panels": None if request.GET.get("partial") else found_panels(post=post, actor=user),
            "publish_form": PublishForm(channels=channel_list_for_publishing(office=office))
            if can_publish
            else None,
            "can_edit": post.status in EDITABLE and policy.can(user, "content.draft", office),
            "can_submit": post.status in SUBMITTABLE and policy.can(user, "content.draft", office),
            "can_approve": post.status == Post.Status.IN_REVIEW
            and post.author_id != user.pk
            and policy.can(user, "content.approve", office),
            "can_retry": policy.can(user, "content.publish", office),
            "can_withdraw": policy.can(user, "content.approve", office),
            "retryable": (Delivery.State.FAILED, Delivery.State.NEEDS_ATTENTION, Delivery.State.WAITING),
            "nav_active": "content",
        },
    )


@require_POST
@office_view("content.draft")
def post_submit_view(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    try:
        post_submit(actor=request.user, post=post)
    except PublishingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Dikirim untuk disetujui."))
    return _to_detail(office, post.pk)


@require_POST
@office_view("content.approve")
def post_approve_view(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    try:
        post_approve(actor=request.user, post=post)
    except (PublishingError, policy.PolicyDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Disetujui."))
    return _to_detail(office, post.pk)


@require_POST
@office_view("content.publish")
def post_publish(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    form = PublishForm(request.POST, channels=channel_list_for_publishing(office=office))
    if not form.is_valid():
        messages.error(request, _("Pilih setidaknya satu kanal yang terhubung."))
        return _to_detail(office, post.pk)
    try:
        publication_create(actor=request.user, post=post, channels=list(form.cleaned_data["channels"]))
    except PublishingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Penerbitan dimulai; status tiap kanal tampil di bawah."))
    return _to_detail(office, post.pk)


@require_POST
@office_view("content.publish")
def delivery_retry_view(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
) -> HttpResponse:
    delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
    try:
        delivery_retry(actor=request.user, delivery=delivery)
    except PublishingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Dikirim ulang ke %(channel)s.") % {"channel": delivery.channel})
    return _to_detail(office, post_id)


@require_POST
@office_view("content.approve")
def publication_withdraw_view(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, publication_id: int
) -> HttpResponse:
    publication = (
        Publication.objects.select_related("post__office")
        .filter(pk=publication_id, post_id=post_id, post__office=office)
        .first()
    )
    if publication is None:
        raise Http404("publication")
    for result in publication_withdraw(actor=request.user, publication=publication):
        line = f"{result.channel}: {result.message}"
        (messages.success if result.ok else messages.error)(request, line)
    return _to_detail(office, post_id)
