"""The person's own API tokens page at /app/me/tokens/: list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from humas.accounts.apitokens import api_token_list_for
from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.models import ApiToken
from humas.accounts.reauth import recent_auth_required

from .forms import ApiTokenForm
from .services import api_token_create, api_token_revoke


def _page(
    request: AuthenticatedHttpRequest, form: ApiTokenForm, *, new_token: str = "", status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": api_token_list_for(owner_id=request.user.pk),
            "new_token": new_token,
            "now": timezone.now(),
        },
        status=status,
    )
    # The page may hold a token shown once: no cache, the browser's included, may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, ApiTokenForm())


@require_POST
@login_required
@recent_auth_required
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, raw = api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, form, status=400)
    # Rendered, not redirected: the token is never kept (not in the session either), so this
    # answer is the only place it ever appears.
    return _page(request, ApiTokenForm(), new_token=raw)


@require_POST
@login_required
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    # Another person's token is not told apart from a missing one.
    token = get_object_or_404(ApiToken, pk=token_id, owner=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(
        request, _("Token %(name)s dicabut; token itu tidak dapat dipakai lagi.") % {"name": token.name}
    )
    return redirect("api_tokens:list")
