"""Public webhook endpoints of the monitoring desk (``/hooks/``): platforms call them, not people."""

from django.urls import path

from ..webhooks import meta_webhook

app_name = "monitoring_hooks"

urlpatterns = [
    path("meta/", meta_webhook, name="meta"),
]
