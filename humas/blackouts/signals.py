"""The hook of blackout periods (docs/architecture.md, "When a lower app must react to a higher one").

``window_changed`` is sent after the commit of a window declared, changed or cancelled, with
``blackout_id``. Publishing and the portal answer it: what they had scheduled inside an active
window is held (not lost) and its offices told."""

from __future__ import annotations

from django.dispatch import Signal

window_changed = Signal()
