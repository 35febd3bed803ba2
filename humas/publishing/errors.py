"""The refusal every publishing service raises (services.py re-exports it, where callers import it
from)."""

from __future__ import annotations

from humas.core import workflow


class PublishingError(workflow.WorkflowError):
    """A request that cannot be carried out; the message is translated and shown to people."""
