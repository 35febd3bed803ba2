"""Platform connectors (no Django): one interface in ``base``, one module per platform."""

from __future__ import annotations

from typing import Any

from .base import (
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    Connector,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
    FollowerSource,
    ImageBytes,
    ImageURL,
    MemoryRateLimitStore,
    PermissionMissing,
    Platform,
    PostMetrics,
    PublishedPost,
    PublishRequest,
    RateLimited,
    RateLimitStore,
    RetryLater,
    TextTooLong,
    Unsupported,
    content_marker,
)
from .facebook import FacebookConnector
from .instagram import InstagramConnector
from .telegram import TelegramConnector
from .x import XConnector, weighted_length


def build_connector(
    platform: Platform | str,
    *,
    account_id: str,
    token: str,
    base_url: str | None = None,
    web_url: str | None = None,
    **options: Any,
) -> Connector:
    """The connector for one channel. ``account_id`` is the page id, IG user id, X user id or
    Telegram chat (``@name`` or ``-100…``); ``base_url`` None means the real platform;
    ``web_url`` None means links to the real site (the demo: the fakes' pages); ``options`` go
    to the connector (timeout, rate_store, clock, api_version, app_id…)."""
    platform = Platform(platform)
    if base_url is not None:
        options["base_url"] = base_url
    if web_url is not None:
        options["web_url"] = web_url
    if platform is Platform.FACEBOOK:
        return FacebookConnector(page_id=account_id, access_token=token, **options)
    if platform is Platform.INSTAGRAM:
        return InstagramConnector(ig_user_id=account_id, access_token=token, **options)
    if platform is Platform.X:
        return XConnector(access_token=token, user_id=account_id or None, **options)
    if platform is not Platform.TELEGRAM:
        raise ValueError(f"no HTTP connector for {platform}")
    return TelegramConnector(bot_token=token, chat_id=account_id, **options)


__all__ = [
    "AccountInfo",
    "BadRequest",
    "Capability",
    "Comment",
    "Connector",
    "ConnectorError",
    "CredentialsInvalid",
    "DuplicatePost",
    "FacebookConnector",
    "FollowerSource",
    "ImageBytes",
    "ImageURL",
    "InstagramConnector",
    "MemoryRateLimitStore",
    "PermissionMissing",
    "Platform",
    "PostMetrics",
    "PublishRequest",
    "PublishedPost",
    "RateLimitStore",
    "RateLimited",
    "RetryLater",
    "TelegramConnector",
    "TextTooLong",
    "Unsupported",
    "XConnector",
    "build_connector",
    "content_marker",
    "weighted_length",
]
