from __future__ import annotations

from django.urls import path

from ..views import admin as views

app_name = "tipline_admin"

_TIP = "<slug:office_slug>/monitoring/laporan-warga/<str:reference>/"

urlpatterns = [
    path("<slug:office_slug>/monitoring/laporan-warga/", views.tip_list, name="list"),
    path(_TIP, views.tip_detail, name="detail"),
    path(f"{_TIP}gambar/<int:number>/", views.tip_screenshot, name="screenshot"),
    path("<slug:office_slug>/settings/tipline-telegram/", views.bot_settings, name="bot"),
]
