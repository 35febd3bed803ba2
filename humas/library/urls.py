from __future__ import annotations

from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("<slug:office_slug>/pustaka/", views.library, name="list"),
    path("<slug:office_slug>/pustaka/unggah/", views.upload, name="upload"),
    path("<slug:office_slug>/pustaka/kartu/", views.card_new, name="card"),
    path("<slug:office_slug>/pustaka/kartu/pratinjau.jpg", views.card_preview, name="card_preview"),
    path("<slug:office_slug>/pustaka/merek-kartu/", views.brand, name="brand"),
    path("<slug:office_slug>/pustaka/<int:asset_id>/", views.detail, name="detail"),
    path("<slug:office_slug>/pustaka/<int:asset_id>/arsip/", views.archive, name="archive"),
    path("<slug:office_slug>/pustaka/<int:asset_id>/<slug:kind>.img", views.asset_file, name="file"),
]
