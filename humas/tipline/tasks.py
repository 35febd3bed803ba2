"""Every task of the tipline by name (the worker imports this module). Each takes ids, loads
fresh state and is idempotent."""

from __future__ import annotations

from .services import tip_notify_task, tips_answer_task

__all__ = ["tip_notify_task", "tips_answer_task"]
