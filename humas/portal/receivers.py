"""The portal's answers to events of lower apps (connected in PortalConfig.ready)."""

from __future__ import annotations

from .tasks import articles_hold_task


def hold_articles_on_window_changed(sender: object, blackout_id: int, **kwargs: object) -> None:
    # A blackout window declared, changed or cancelled: the scheduled articles it covers are held.
    articles_hold_task(blackout_id)
