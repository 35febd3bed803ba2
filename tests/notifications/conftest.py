from __future__ import annotations

import pytest

from tests.publishing.conftest import (  # noqa: F401 - fixtures shared with the publishing tests
    JEPARA,
    admin,
    approved_post,
    connected,
    editor,
    fakes,
    operator,
)


@pytest.fixture
def province_admin(member):
    return member("33", "admin", email="admin.jateng@kpu.test")


@pytest.fixture
def national_admin(member):
    return member("00", "admin", email="admin.ri@kpu.test")


@pytest.fixture
def neighbour_admin(member):
    """An Administrator of KPU Kabupaten Kudus: not above Jepara."""
    return member("33.19", "admin", email="admin.kudus@kpu.test")
