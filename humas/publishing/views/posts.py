"""The Konten module: write, submit, approve, publish to channels, follow each delivery."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.reauth import recent_auth_required
from humas.blackouts.services import blackout_refusal
from humas.channels.models import Channel
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web import paging

from ..assisted import assisted_panels, found_panels
from ..checklist import checklist_for
from ..contentcheck import post_policy_report
from ..delivery import delivery_retry, publication_create, publication_withdraw, publication_withdraw_plan
from ..forms import PostForm, PublishForm, ReturnForm, WithdrawForm
from ..images import ImageRejected, post_images_change
from ..metrics import post_metrics_summary
from ..models import Delivery, Post
from ..portal_channel import channel_list_for_publishing
from ..selectors import (
    POST_VIEWS,
    campaign_names,
    post_get_for_actor,
    post_list_for_office,
    publication_get_for_office,
    publication_summary,
)
from ..services import (
    EDITABLE,
    SUBMITTABLE,
    PublishingError,
    post_approve,
    post_create,
    post_return,
    post_submit,
    post_update,
    schedule_from_office_time,
)
from ..variants import post_variants_set
from ._flow import Done, Invalid, Outcome, delivery_step, post_step, to_detail
from .media import media_context, media_forms, post_media_context


@office_view("content.view")
def post_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    page_number = request.GET.get("page", "1")
    view = request.GET.get("tampil", "")
    view = view if view in POST_VIEWS else ""
    page = Paginator(post_list_for_office(actor=request.user, office=office, view=view), 50).get_page(
        paging.page_number(page_number)
    )
    return render(
        request,
        "publishing/list.html",
        {
            "office": office,
            "page": page,
            "view": view,
            "views": POST_VIEWS,
            "can_draft": policy.can(request.user, "content.draft", office),
            "nav_active": "content",
        },
    )


def _initial_schedule(raw: str | None) -> datetime | None:
    """The compose page's ``jadwal``: the office-local wall time (YYYY-MM-DDTHH:MM) of the empty
    calendar slot someone clicked (humas/coordination). Anything else prefills nothing."""
    if not raw or len(raw) != len("2026-03-14T09:00"):
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None


def _edit(request: AuthenticatedHttpRequest, office: Office, post: Post | None) -> HttpResponse:
    choices = channel_list_for_publishing(office=office)
    initial: dict[str, object] = (
        {
            "text": post.text,
            "link": post.link,
            "scheduled_at": post.scheduled_at,
            "is_clarification": post.is_clarification,
            "campaign": post.campaign,
            "election_stage": post.election_stage,
            "channels": list(post.channels.values_list("pk", flat=True)),
        }
        if post
        # A new post goes everywhere the office publishes unless the writer unticks a channel.
        else {"channels": list(choices.values_list("pk", flat=True))}
    )
    if post is None and (jadwal := _initial_schedule(request.GET.get("jadwal"))) is not None:
        initial["scheduled_at"] = jadwal
    form = PostForm(request.POST or None, initial=initial, channels=choices)
    # Approved channels that were switched off or disconnected since: saving lets them go.
    leaving = list(post.channels.exclude(pk__in=choices).order_by("platform", "name")) if post else []
    form.fields["scheduled_at"].help_text = _(
        "Waktu kantor ini (%(zone)s). Kosongkan untuk menerbitkan segera setelah disetujui."
    ) % {"zone": office.tz_abbreviation}
    variants_form, images_form = media_forms(request, post, office)
    valid = [form.is_valid(), variants_form.is_valid(), images_form.is_valid()]  # all, for errors
    if request.method == "POST" and all(valid):
        local = form.cleaned_data["scheduled_at"]
        scheduled = schedule_from_office_time(office=office, local=local) if local else None
        fields = {
            "text": form.cleaned_data["text"],
            "link": form.cleaned_data["link"],
            "scheduled_at": scheduled,
            "channels": list(form.cleaned_data["channels"]),
            "is_clarification": form.cleaned_data["is_clarification"],
            "campaign": form.cleaned_data["campaign"],
            "election_stage": form.cleaned_data["election_stage"],
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
                return to_detail(office, saved.pk)
    errors = form.errors or variants_form.errors or images_form.errors
    return render(
        request,
        "publishing/edit.html",
        {
            "office": office,
            "post": post,
            "form": form,
            "leaving": leaving,
            "campaigns": campaign_names(office=office),
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
        return to_detail(office, post.pk)
    return _edit(request, office, post)


@office_view("content.view")
def post_detail(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
    post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    user = request.user
    can_publish = policy.can(user, "content.publish", office) and post.status in (
        Post.Status.APPROVED,
        Post.Status.PUBLISHED,
    )
    targets = list(post.channels.order_by("platform", "name"))
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
            "targets": targets,
            "publish_form": _publish_form(office, targets) if can_publish else None,
            # A blackout window that would stop publishing it now or at its time, and whether
            # this person may publish it anyway with a reason.
            "blackout_refusal": blackout_refusal(
                office=office,
                at=max(post.scheduled_at or timezone.now(), timezone.now()),
                clarification=post.is_clarification,
            )
            if can_publish
            else None,
            "can_override": policy.can(user, "blackout.override", office),
            # The public-relations guideline on a post not yet approved (contentcheck.py).
            "guideline": post_policy_report(post=post)
            if not request.GET.get("partial") and post.status in (*SUBMITTABLE, Post.Status.IN_REVIEW)
            else None,
            "can_override_guideline": policy.can(user, "content.policy_override", office),
            "checklist": checklist_for(office=office) if post.status == Post.Status.IN_REVIEW else None,
            "can_edit": post.status in EDITABLE and policy.can(user, "content.draft", office),
            "can_submit": post.status in SUBMITTABLE and policy.can(user, "content.draft", office),
            "can_approve": post.status == Post.Status.IN_REVIEW
            and post.author_id != user.pk
            and policy.can(user, "content.approve", office),
            "return_form": ReturnForm(auto_id="return-%s"),
            "can_retry": policy.can(user, "content.publish", office),
            "can_withdraw": policy.can(user, "content.approve", office),
            "retryable": (
                Delivery.State.FAILED,
                Delivery.State.NEEDS_ATTENTION,
                Delivery.State.WAITING,
                Delivery.State.HELD,
            ),
            "nav_active": "content",
        },
    )


def _publish_form(office: Office, targets: list[Channel]) -> PublishForm:
    # Only the channels approved with the post (and still publishable) are offered, all ticked.
    # Built only for someone who may publish: it makes the office's portal channel on first use.
    publishable = channel_list_for_publishing(office=office).filter(pk__in=[c.pk for c in targets])
    return PublishForm(channels=publishable, initial={"channels": list(publishable)})


# The steps below look alike by design (see _flow.py): each differs only in its service and message.


@require_POST
@office_view("content.draft")
@post_step()
def post_submit_view(request: AuthenticatedHttpRequest, office: Office, post: Post) -> Outcome:
    post_submit(actor=request.user, post=post, policy_reason=request.POST.get("policy_reason", ""))
    return Done(_("Dikirim untuk disetujui."))


@require_POST
@office_view("content.approve")
# The service refuses an author approving their own post with PolicyDenied: a message, not a 403.
@post_step(errors=(PublishingError, policy.PolicyDenied))
def post_approve_view(request: AuthenticatedHttpRequest, office: Office, post: Post) -> Outcome:
    post_approve(
        actor=request.user,
        post=post,
        policy_reason=request.POST.get("policy_reason", ""),
        checked=request.POST.getlist("checklist"),
        decision=request.POST.get("decision", ""),
    )
    return Done(_("Disetujui."))


@require_POST
@office_view("content.publish")
@post_step()
def post_publish(request: AuthenticatedHttpRequest, office: Office, post: Post) -> Outcome:
    # Any publishable channel parses; the service refuses one that was not approved, saying why.
    form = PublishForm(request.POST, channels=channel_list_for_publishing(office=office))
    if not form.is_valid():
        return Invalid(_("Pilih setidaknya satu kanal yang terhubung."))
    publication_create(
        actor=request.user,
        post=post,
        channels=list(form.cleaned_data["channels"]),
        blackout_override=form.cleaned_data["blackout_override"],
    )
    return Done(_("Penerbitan dimulai; status tiap kanal tampil di bawah."))


@require_POST
@office_view("content.publish")
@delivery_step()
def delivery_retry_view(request: AuthenticatedHttpRequest, office: Office, delivery: Delivery) -> Outcome:
    delivery_retry(actor=request.user, delivery=delivery)
    return Done(_("Dikirim ulang ke %(channel)s.") % {"channel": delivery.channel})


@require_POST
@office_view("content.approve")
@post_step(errors=(PublishingError,))
def post_return_view(request: AuthenticatedHttpRequest, office: Office, post: Post) -> Outcome:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return Invalid(" ".join(str(error) for error in form.errors["reason"]))
    post_return(actor=request.user, post=post, reason=form.cleaned_data["reason"])
    return Done(_("Unggahan dikembalikan ke penulisnya."))


@require_http_methods(["GET", "POST"])
@office_view("content.approve")
@recent_auth_required
def publication_withdraw_view(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, publication_id: int
) -> HttpResponse:
    """The confirmation of a withdrawal from every channel: what will happen on each channel,
    and the reason, before anything is withdrawn."""
    publication = publication_get_for_office(office=office, post_id=post_id, publication_id=publication_id)
    if publication.withdrawn_at is not None:
        messages.info(request, _("Publikasi ini sudah ditarik."))
        return to_detail(office, post_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            results = publication_withdraw(
                actor=request.user, publication=publication, reason=form.cleaned_data["reason"]
            )
        except PublishingError as exc:
            form.add_error("reason", str(exc))
        else:
            for result in results:
                line = f"{result.channel}: {result.message}"
                (messages.success if result.ok else messages.error)(request, line)
            return to_detail(office, post_id)
    steps = publication_withdraw_plan(publication=publication)
    return render(
        request,
        "publishing/withdraw.html",
        {
            "office": office,
            "post": publication.post,
            "publication": publication,
            "steps": steps,
            "by_hand": any(step.by_hand for step in steps),
            "form": form,
            "nav_active": "content",
        },
        status=400 if form.errors else 200,
    )
