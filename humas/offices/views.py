from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.reauth import recent_auth_required
from humas.offices.officecontext import office_view
from humas.web import limits

from . import policy
from .forms import InviteForm, OfficeProfileForm, RoleForm
from .models import Membership, Office
from .selectors import membership_get_for_actor, membership_list_for_office
from .services import (
    ServiceError,
    membership_change_role,
    membership_invite,
    membership_remove,
    membership_two_factor_reset,
    office_update_profile,
)


@office_view()
def profile(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_edit = policy.can(request.user, "office.update", office)
    form = OfficeProfileForm(request.POST or None, instance=office)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        # Validate on a copy so a rejected form never half-changes the instance we render.
        form = OfficeProfileForm(request.POST, instance=Office.objects.get(pk=office.pk))
        if form.is_valid():
            office_update_profile(actor=request.user, office=office, data=form.cleaned_data)
            messages.success(request, _("Profil kantor disimpan."))
            return redirect("offices:profile", office_slug=office.slug)
    return render(request, "offices/profile.html", {"office": office, "form": form, "can_edit": can_edit})


def _invite_targets(request: AuthenticatedHttpRequest, office: Office) -> list[Office]:
    return list(
        policy.visible_offices(request.user, action="member.manage", root=office).order_by("path")[:600]
    )


@office_view("member.view")
def people(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    memberships = membership_list_for_office(actor=request.user, office=office)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    can_manage = policy.can(request.user, "member.manage", office)
    roles = policy.grantable_roles(request.user, office)
    invite_form = (
        InviteForm(offices=_invite_targets(request, office), roles=roles, initial={"office": office.slug})
        if can_manage
        else None
    )
    return render(
        request,
        "offices/people.html",
        {
            "office": office,
            "page": page,
            "can_manage": can_manage,
            "invite_form": invite_form,
            "roles": [(r, Membership.Role(r).label) for r in roles],
        },
    )


@require_POST
@office_view("member.manage")
@recent_auth_required
def invite(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    wait = limits.hit(
        limits.Limit("invitations", settings.HUMAS_INVITATIONS_PER_HOUR, 3600), str(request.user.pk)
    )
    if wait is not None:
        return limits.too_many(request, wait)
    targets = _invite_targets(request, office)
    form = InviteForm(request.POST, offices=targets, roles=policy.grantable_roles(request.user, office))
    if form.is_valid():
        target = next(o for o in targets if o.slug == form.cleaned_data["office"])
        try:
            membership_invite(
                actor=request.user,
                office=target,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Undangan dikirim ke %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("offices:people", office_slug=office.slug)
    memberships = membership_list_for_office(actor=request.user, office=office)
    page = Paginator(memberships, 50).get_page(1)
    return render(
        request,
        "offices/people.html",
        {
            "office": office,
            "page": page,
            "can_manage": True,
            "invite_form": form,
            "roles": [(r, Membership.Role(r).label) for r in policy.grantable_roles(request.user, office)],
        },
        status=400,
    )


def _membership_in(request: AuthenticatedHttpRequest, office: Office, membership_id: int) -> Membership:
    """A membership the person may see, in ``office`` or below it (the page they act from)."""
    membership = membership_get_for_actor(actor=request.user, membership_id=membership_id)
    if not membership.office.is_same_or_below(office):
        raise PermissionDenied
    return membership


@require_POST
@office_view("member.view")
@recent_auth_required
def change_role(request: AuthenticatedHttpRequest, office: Office, membership_id: int) -> HttpResponse:
    membership = _membership_in(request, office, membership_id)
    form = RoleForm(request.POST, roles=policy.grantable_roles(request.user, membership.office))
    if not form.is_valid():
        messages.error(request, _("Peran tidak valid."))
    else:
        try:
            membership_change_role(actor=request.user, membership=membership, role=form.cleaned_data["role"])
            messages.success(request, _("Peran diperbarui."))
        except ServiceError as exc:
            messages.error(request, str(exc))
    return redirect("offices:people", office_slug=office.slug)


@require_POST
@office_view("member.view")
@recent_auth_required
def remove(request: AuthenticatedHttpRequest, office: Office, membership_id: int) -> HttpResponse:
    membership = _membership_in(request, office, membership_id)
    try:
        membership_remove(actor=request.user, membership=membership)
        messages.success(
            request,
            _("%(email)s dihapus dari %(office)s.")
            % {"email": membership.user.email, "office": membership.office.name},
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("offices:people", office_slug=office.slug)


@require_POST
@office_view("member.view")
@recent_auth_required
def two_factor_reset(request: AuthenticatedHttpRequest, office: Office, membership_id: int) -> HttpResponse:
    """Delete a person's second factor (lost phone) so they enrol again; for an Administrator above."""
    membership = _membership_in(request, office, membership_id)
    try:
        membership_two_factor_reset(actor=request.user, membership=membership)
        messages.success(
            request,
            _("Verifikasi dua langkah %(email)s diatur ulang; dia memasangnya lagi saat masuk berikutnya.")
            % {"email": membership.user.email},
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return redirect("offices:people", office_slug=office.slug)
