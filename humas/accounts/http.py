from __future__ import annotations

from django.http import HttpRequest

from humas.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind login_required (for the type checker only)."""

    user: User
