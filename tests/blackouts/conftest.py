from __future__ import annotations

from tests.publishing.conftest import (  # noqa: F401 - the publishing fixtures, shared
    JEPARA,
    admin,
    approved_post,
    connected,
    editor,
    fakes,
    operator,
)
