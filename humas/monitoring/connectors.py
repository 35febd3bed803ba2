"""A connected channel's connector as monitoring uses it (reading comments, replying, sending an
alert to a staff chat): its decrypted credential, the platform's base URL from the settings, the
waits every worker shares for the platform's rate limits, and a timeout."""

from __future__ import annotations

import httpx
from django.conf import settings

from humas.channels.connectors import build_connector
from humas.channels.connectors.base import Connector
from humas.channels.models import Channel
from humas.channels.tokens import channel_credential_secret
from humas.publishing.ratelimit import CacheRateLimitStore


def channel_connector(channel: Channel, *, account_id: str | None = None) -> Connector:
    """The connector of ``channel`` (``account_id`` another chat or account to address with the
    same credential, e.g. a Telegram group the channel's bot belongs to). Raises ChannelError
    when the channel has no usable credential."""
    token = channel_credential_secret(channel=channel)
    return build_connector(
        channel.platform,
        account_id=account_id if account_id is not None else channel.account_id,
        token=token,
        base_url=settings.HUMAS_PLATFORM_BASE_URLS.get(channel.platform) or None,
        web_url=settings.HUMAS_PLATFORM_WEB_URLS.get(channel.platform) or None,
        rate_store=CacheRateLimitStore(),
        timeout=httpx.Timeout(settings.HUMAS_DELIVERY_TIMEOUT_SECONDS, connect=5.0),
    )
