"""The tipline's pages on every portal (included before the portal's own office-slug patterns)."""

from __future__ import annotations

from django.urls import path

from ..views import public as views

app_name = "tipline"

urlpatterns = [
    path("cek-klaim/", views.check, name="national_check"),
    path("<slug:office_slug>/cek-klaim/", views.check, name="check"),
    path("lapor-hoaks/", views.tip_new, name="national_tip"),
    path("<slug:office_slug>/lapor-hoaks/", views.tip_new, name="tip"),
    path("lapor-hoaks/terkirim/", views.tip_sent, name="national_tip_sent"),
    path("<slug:office_slug>/lapor-hoaks/terkirim/", views.tip_sent, name="tip_sent"),
]
