"""Publishing's answers to events of lower apps (connected in PublishingConfig.ready)."""

from __future__ import annotations

from .delivery import deliveries_hold_task


def hold_deliveries_on_window_changed(sender: object, blackout_id: int, **kwargs: object) -> None:
    # A blackout window declared, changed or cancelled: what it covers is held (in a task).
    deliveries_hold_task(blackout_id)
