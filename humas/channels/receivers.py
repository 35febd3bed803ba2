"""The channels app's answers to events of lower apps (connected in ChannelsConfig.ready)."""

from __future__ import annotations

from typing import Any

from humas.accounts.models import User
from humas.offices.models import Office

from .services import channels_flag_departed_person


def flag_channels_of_departed_person(*, user: User, office: Office, **_: Any) -> None:
    # Channels connected with this person's own authorisation must not fail silently later.
    channels_flag_departed_person(user=user, office=office)
