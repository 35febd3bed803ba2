"""Platform connectors (no Django): one interface in ``base``, one module per platform."""

from __future__ import annotations

from .base import (
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    Connector,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
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
    "content_marker",
    "weighted_length",
]
