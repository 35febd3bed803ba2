"""Hooks that apps above offices subscribe to (in their AppConfig.ready), so offices imports none of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that removed a membership, with ``user`` (the person) and ``office``
# (where they were a member). Receivers change their own data in the same transaction: channels
# flags the channels that ran on the person's own authorisation (humas/channels/receivers.py).
membership_removed = Signal()
