"""Telegram's webhook for the tipline bot: ``POST /hooks/telegram/tipline/``. Public and exempt
from CSRF; Telegram proves itself with the secret token the bot was set up with (the
``X-Telegram-Bot-Api-Secret-Token`` header, compared in constant time): anything else is 403."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import TiplineBot
from ..tasks import tipline_update_task
from ..telegram import SECRET_HEADER, bot_get, webhook_secret_ok

BODY_MAX = 1024 * 1024  # an update is a few kilobytes


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    bot = bot_get()
    if bot is None or bot.mode != TiplineBot.Mode.WEBHOOK:
        return JsonResponse({"detail": "no webhook here"}, status=404)
    if not webhook_secret_ok(bot, request.headers.get(SECRET_HEADER, "")):
        return JsonResponse({"detail": "forbidden"}, status=403)
    if len(request.body) > BODY_MAX:
        return JsonResponse({"detail": "too large"}, status=413)
    try:
        update = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"detail": "not JSON"}, status=400)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return JsonResponse({"detail": "not an update"}, status=400)
    # Answered by a worker: Telegram only needs to know it arrived.
    tipline_update_task(update)
    return JsonResponse({"ok": True})
