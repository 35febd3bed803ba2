from __future__ import annotations

import os

import pytest

from humas.offices.models import Membership, Office
from humas.offices.regions import default_regions_text
from humas.offices.services import offices_load

from .factories import MembershipFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, reason: str) -> None:
    """Skip with a visible reason outside CI; in CI a missing service is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: F811 - extends pytest-django's fixture
    """Load the 553 offices once into the test database; each test then runs in a rollback."""
    with django_db_blocker.unblock():
        offices_load(text=default_regions_text())


@pytest.fixture
def offices(db) -> dict[str, Office]:
    """Offices by code (loaded again if a transactional test flushed them)."""
    if not Office.objects.exists():
        offices_load(text=default_regions_text())
    return {o.code: o for o in Office.objects.all()}


@pytest.fixture
def member(offices):
    """member("33.20", "operator") -> a user with that membership."""

    def make(code: str, role: str, **user_fields) -> object:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, office=offices[code], role=role)
        return user

    return make


@pytest.fixture
def roles() -> list[str]:
    return [r.value for r in Membership.Role]
