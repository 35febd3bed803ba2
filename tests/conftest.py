from __future__ import annotations

import os

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from humas.offices import policy
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


@pytest.fixture(scope="session", autouse=True)
def _static_files_scanned_once():
    """WhiteNoise lists and stats every static file (about 800 with the vendored builds) each time
    its middleware is built, and Django's test client builds the middleware anew for every
    ``Client()``: thousands of scans in a run. Production builds it once per process. Here the
    first scan's entries are kept and handed to every later instance; the static files do not
    change during a run."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    scanned: dict[str, dict] = {}

    def add_files_from_finders(self):
        entries = scanned.get(self.static_prefix)
        if entries is None:
            before = set(self.files)
            original(self)
            entries = scanned[self.static_prefix] = {k: v for k, v in self.files.items() if k not in before}
        for url, static_file in entries.items():
            self.files[url] = static_file

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(autouse=True)
def _fresh_impersonation_watch():
    """The pipeline's impersonation watch trusts its index of the official accounts for a minute
    (humas/monitoring/lookalikes.py); each test's accounts are rolled back, so each starts afresh."""
    from humas.monitoring.lookalikes import _watch

    _watch.reset()
    yield
    _watch.reset()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` signs in the way production does, second factor included.

    The back office lets a person who must use a second factor (offices.policy.two_factor_required,
    or staff in the Django admin) in only once the session is verified by a code
    (humas/core/middleware.py TwoFactorMiddleware); enforcement stays on in tests. force_login skips
    the code page, so this does what the code page does: it gives such a person a confirmed
    authenticator (when they have none) and marks the session verified with it (django-otp's
    ``otp_device_id``). Tests of the second factor itself sign in with the form or ``client.login``.
    """
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        required = user.is_staff or policy.two_factor_required(user)
        # Memberships may change after signing in; do not keep this check's cached grants.
        policy.forget(user)
        if not required:
            return
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


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
