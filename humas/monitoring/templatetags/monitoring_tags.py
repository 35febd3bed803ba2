"""Template helpers of the monitoring pages."""

from __future__ import annotations

from django import template
from django.conf import settings

from humas.channels.connectors import FacebookConnector, XConnector

from ..models import Reply

register = template.Library()


@register.filter
def reply_link(reply: Reply) -> str:
    """Where a sent reply is on the platform's site (the fakes' pages when HUMAS_PLATFORM_WEB_URLS
    points there, as in the demo); "" before it is sent, or where a reply has no address of its
    own (Instagram comments, Telegram groups)."""
    if reply.status != Reply.Status.SENT or not reply.external_id:
        return ""
    platform = reply.channel.platform
    web = str(settings.HUMAS_PLATFORM_WEB_URLS.get(platform) or "").rstrip("/")
    if platform == "facebook":
        # A comment's id opens it on facebook.com, as a post's does (FacebookConnector.publish).
        return f"{web or FacebookConnector.WEB_URL}/{reply.external_id}"
    if platform == "x":
        return f"{web or XConnector.WEB_URL}/i/web/status/{reply.external_id}"
    return ""
