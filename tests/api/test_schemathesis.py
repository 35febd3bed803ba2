"""Property-based fuzzing of /api/v1 from its own OpenAPI schema (schemathesis), in process.

Every operation gets a bounded number of generated requests, sent with the API token of an office
Administrator through the WSGI application; each answer must pass every check: no server error,
a status code and content type the schema declares, a body matching the declared schema. The
seed is fixed so CI runs the same requests each time.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import positive_data_acceptance

from humas.api.services import api_token_create
from humas.config.wsgi import application
from humas.offices.selectors import office_get_public
from humas.publishing.models import Post

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25


# Loaded at collection through the application itself (reading the schema touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI application closes the database connection after each request, which would end
    the test's transaction; Django's own test client unhooks the same receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(member) -> str:
    cache.clear()  # the per-token rate limit starts empty for each operation
    admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    _, raw = api_token_create(actor=admin, name="schemathesis", scope="write", days=30)
    return raw


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    # The database and the token are per test, shared by its examples on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@seed(20261206)
def test_every_operation_passes_every_check(case, admin_token):
    unknown_parent = names_no_office(case)
    foreign_channels = names_channels_of_no_office(case)
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_token}"},
        # The schema-valid requests the API refuses: the schema cannot list the offices, nor the
        # ids of an office's active channels.
        excluded_checks=[positive_data_acceptance] if unknown_parent or foreign_channels else None,
    )
    if unknown_parent:
        assert response.status_code == 422
    if foreign_channels and response.status_code == 400:
        assert response.json() == {"detail": "Kanal itu bukan kanal aktif kantor ini."}


def names_channels_of_no_office(case) -> bool:
    """Whether ``case`` creates a post for channels that are not (all) the office's active ones
    (answered 400 with the reason)."""
    if case.method.upper() != "POST" or case.path != "/api/v1/posts" or not isinstance(case.body, dict):
        return False
    channels = case.body.get("channels")
    return isinstance(channels, list) and bool(channels)


def names_no_office(case) -> bool:
    """Whether ``case`` lists offices below a parent that is no active office's code or slug
    (answered 422 with the validation error shape)."""
    parent = (case.query or {}).get("parent")
    if case.method.upper() != "GET" or case.path != "/api/v1/offices" or not isinstance(parent, str):
        return False
    wanted = parent.replace("\x00", "")
    return bool(wanted) and office_get_public(code_or_slug=wanted) is None


def test_signed_in_operations_refuse_calls_without_a_token(client, offices):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    guarded = [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if operation.get("security")
    ]
    assert sorted(guarded) == [
        ("/api/v1/amplification", "get"),
        ("/api/v1/amplification", "post"),
        ("/api/v1/amplification/received", "get"),
        ("/api/v1/amplification/targets/{target_id}/decline", "post"),
        ("/api/v1/amplification/targets/{target_id}/record", "post"),
        ("/api/v1/amplification/{task_id}/board", "get"),
        ("/api/v1/blackouts", "get"),
        ("/api/v1/cascades", "get"),
        ("/api/v1/cascades/received", "get"),
        ("/api/v1/cascades/targets/{target_id}/adopt", "post"),
        ("/api/v1/cascades/targets/{target_id}/decline", "post"),
        ("/api/v1/cascades/{cascade_id}/board", "get"),
        ("/api/v1/compliance", "get"),
        ("/api/v1/me", "get"),
        ("/api/v1/monitoring/items", "post"),
        ("/api/v1/posts", "get"),
        ("/api/v1/posts", "post"),
        ("/api/v1/posts/{post_id}", "get"),
        ("/api/v1/posts/{post_id}/approve", "post"),
        ("/api/v1/posts/{post_id}/metrics", "get"),
        ("/api/v1/posts/{post_id}/publish", "post"),
        ("/api/v1/posts/{post_id}/schedule", "post"),
        ("/api/v1/posts/{post_id}/submit", "post"),
    ]
    for path, method in guarded:
        for name in ("{post_id}", "{target_id}", "{cascade_id}", "{task_id}"):
            path = path.replace(name, "1")
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Unauthorized"}


def test_an_administrator_token_is_refused_in_another_office(client, admin_token, member, offices):
    other = Post.objects.create(office=offices["73.71"], author=member("73.71", "admin"), text="Makassar")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {admin_token}"}

    metrics = client.get(f"/api/v1/posts/{other.pk}/metrics", **headers)
    created = client.post(
        "/api/v1/posts",
        {"office": "73.71", "text": "bukan kantor saya"},
        content_type="application/json",
        **headers,
    )
    # Below its own office the same token may act.
    below = client.post(
        "/api/v1/posts",
        {"office": "33.20", "text": "kantor sendiri"},
        content_type="application/json",
        **headers,
    )

    assert metrics.status_code == 404
    assert created.status_code == 403
    assert below.status_code == 201
    assert list(Post.objects.values_list("office__code", flat=True).order_by("office__code")) == [
        "33.20",
        "73.71",
    ]
