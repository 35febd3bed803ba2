"""Meta's webhooks for the offices' Facebook Pages and Instagram accounts (``/hooks/meta/``): a
comment made on a Page post or an Instagram media reaches Humas at once, instead of at the next
poll of the channel's comments.

``GET`` is Meta's subscription check: ``hub.mode=subscribe`` with the verify token configured in
HUMAS_META_WEBHOOK_VERIFY_TOKEN (compared in constant time) is answered with ``hub.challenge``;
anything else with 403. ``POST`` carries change notifications signed with the Meta app's secret
(HUMAS_META_APP_SECRET, the app the channels connect through): ``X-Hub-Signature-256:
sha256=<HMAC-SHA256 of the raw body>``. The signature is checked over the body exactly as
received, in constant time, before anything in it is read; unsigned or badly signed → 403 and
nothing stored. The body is bounded (HUMAS_WEBHOOK_MAX_BYTES) and each address limited
(HUMAS_WEBHOOK_RATE_PER_MINUTE, humas/web/limits.py).

A new comment on a Page or an Instagram account Humas knows as a connected channel goes into that
channel's channel-comments sources (``config.channel_id``) with ``items_ingest(actor=None)``:
idempotent by the comment's id, so Meta sending a notification twice, or the poller reading the
comment later, stores it once. A channel without such a source: the notification is answered 200
and ignored (Meta would otherwise retry it for hours).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from humas.channels.models import Channel, Platform
from humas.web import limits
from humas.web.requestcontext import request_client_ip

from .models import AUTHOR_HANDLE_MAX, TEXT_MAX, Source
from .services import items_ingest

# A Meta challenge is a short number; anything much longer is not Meta's.
CHALLENGE_MAX = 200
# Notifications Meta batches into one request stay far below this.
ENTRIES_MAX = 1000
FACEBOOK_WEB = "https://www.facebook.com"


def webhook_limit() -> limits.Limit:
    return limits.Limit("meta-webhook", int(settings.HUMAS_WEBHOOK_RATE_PER_MINUTE), 60)


def subscription_challenge(params: Mapping[str, str]) -> str | None:
    """The challenge to echo when ``params`` is Meta's subscription check with our verify token;
    None otherwise (also when no verify token is configured: then nothing subscribes)."""
    expected = str(settings.HUMAS_META_WEBHOOK_VERIFY_TOKEN or "")
    given = str(params.get("hub.verify_token", ""))
    challenge = str(params.get("hub.challenge", ""))
    if params.get("hub.mode") != "subscribe" or not expected or not challenge:
        return None
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        return None
    if len(challenge) > CHALLENGE_MAX or not challenge.isprintable():
        return None
    return challenge


def signature_valid(body: bytes, header: str, *, secret: str) -> bool:
    """Whether ``header`` (``sha256=<hex>``) is the HMAC-SHA256 of ``body`` with ``secret``."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().lower().encode(), expected.encode())


@dataclass(frozen=True)
class Notified:
    """One comment a notification announced: on which platform and account, as an item record."""

    platform: str
    account_id: str
    record: dict[str, Any]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _iso(seconds: Any) -> str:
    try:
        moment = datetime.fromtimestamp(int(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        moment = timezone.now()
    return moment.astimezone(UTC).isoformat()


def _facebook_comment(account_id: str, value: Mapping[str, Any]) -> dict[str, Any] | None:
    if value.get("item") != "comment" or value.get("verb") != "add" or not value.get("comment_id"):
        return None
    author = _object(value.get("from"))
    if str(author.get("id", "")) == account_id:
        return None  # the Page's own reply (one Humas sent)
    comment_id = str(value["comment_id"])
    post_id = str(value.get("post_id") or "")
    web = (settings.HUMAS_PLATFORM_WEB_URLS.get(Platform.FACEBOOK) or FACEBOOK_WEB).rstrip("/")
    return {
        "platform": Platform.FACEBOOK.value,
        "external_id": comment_id,
        "author_handle": str(author.get("name", ""))[:AUTHOR_HANDLE_MAX],
        "url": f"{web}/{post_id}?comment_id={comment_id.rsplit('_', 1)[-1]}" if post_id else "",
        "text": str(value.get("message") or "")[:TEXT_MAX].rstrip(),
        "published_at": _iso(value.get("created_time")),
        "in_reply_to": str(value.get("parent_id") or post_id),
        "raw": dict(value),
    }


def _instagram_comment(account_id: str, value: Mapping[str, Any], sent: Any) -> dict[str, Any] | None:
    if not value.get("id"):
        return None
    author = _object(value.get("from"))
    if str(author.get("id", "")) == account_id:
        return None
    media = _object(value.get("media"))
    return {
        "platform": Platform.INSTAGRAM.value,
        "external_id": str(value["id"]),
        "author_handle": str(author.get("username", ""))[:AUTHOR_HANDLE_MAX],
        "url": "",
        "text": str(value.get("text") or "")[:TEXT_MAX].rstrip(),
        # Instagram's notification has no time of its own: the time Meta sent it is the closest.
        "published_at": _iso(sent),
        "in_reply_to": str(value.get("parent_id") or media.get("id") or ""),
        "raw": dict(value),
    }


def notified_comments(payload: Any) -> Iterator[Notified]:
    """The new comments a notification announces (other changes are not items)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return
    kind = payload.get("object")
    for entry in payload["entry"][:ENTRIES_MAX]:
        if not isinstance(entry, dict) or not isinstance(entry.get("changes"), list):
            continue
        account_id = str(entry.get("id", ""))
        for change in entry["changes"]:
            if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
                continue
            value = change["value"]
            record = None
            if kind == "page" and change.get("field") == "feed":
                record = _facebook_comment(account_id, value)
                platform = Platform.FACEBOOK
            elif kind == "instagram" and change.get("field") in ("comments", "live_comments"):
                record = _instagram_comment(account_id, value, entry.get("time"))
                platform = Platform.INSTAGRAM
            if record is not None:
                yield Notified(platform=platform.value, account_id=account_id, record=record)


@dataclass(frozen=True)
class WebhookResult:
    created: int = 0
    duplicates: int = 0
    ignored: int = 0


def meta_webhook_ingest(*, payload: Any) -> WebhookResult:
    """Store the comments of a verified notification in the channel-comments sources of the
    channels they were made on. The caller has checked the signature."""
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for notified in notified_comments(payload):
        grouped[(notified.platform, notified.account_id)].append(notified.record)
    created = duplicates = ignored = 0
    for (platform, account_id), records in grouped.items():
        channels = Channel.objects.filter(platform=platform, account_id=account_id, is_active=True)
        sources = [
            source
            for channel in channels
            for source in Source.objects.select_related("office").filter(
                kind=Source.Kind.CHANNEL_COMMENTS,
                is_active=True,
                office_id=channel.office_id,
                config__channel_id=channel.pk,
            )
        ]
        if not sources:
            ignored += len(records)
            continue
        for source in sources:
            result = items_ingest(actor=None, source=source, records=records, skip_invalid=True, polled=False)
            created += result.created
            duplicates += result.duplicates
            ignored += result.skipped
    return WebhookResult(created=created, duplicates=duplicates, ignored=ignored)


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # Meta signs its requests; it has no session and no CSRF token
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponseBase:
    wait = limits.hit(webhook_limit(), request_client_ip(request) or "")
    if wait is not None:
        return limits.too_many(request, wait)
    if request.method == "GET":
        challenge = subscription_challenge(request.GET)
        if challenge is None:
            return _no_store(HttpResponse("Forbidden", status=403, content_type="text/plain"))
        return _no_store(HttpResponse(challenge, content_type="text/plain; charset=utf-8"))
    maximum = int(settings.HUMAS_WEBHOOK_MAX_BYTES)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = maximum + 1
    if declared > maximum:
        return _no_store(HttpResponse("Payload Too Large", status=413, content_type="text/plain"))
    body = request.body
    signature = request.headers.get("X-Hub-Signature-256", "")
    if len(body) > maximum or not signature_valid(body, signature, secret=settings.HUMAS_META_APP_SECRET):
        return _no_store(HttpResponse("Forbidden", status=403, content_type="text/plain"))
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _no_store(HttpResponse("Bad Request", status=400, content_type="text/plain"))
    result = meta_webhook_ingest(payload=payload)
    return _no_store(
        JsonResponse({"created": result.created, "duplicates": result.duplicates, "ignored": result.ignored})
    )
