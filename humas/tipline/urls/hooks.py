from __future__ import annotations

from django.urls import path

from ..views import hooks

app_name = "tipline_hooks"

urlpatterns = [path("tipline/", hooks.telegram_webhook, name="telegram")]
