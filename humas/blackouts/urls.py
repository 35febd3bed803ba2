from __future__ import annotations

from django.urls import path

from . import views

app_name = "blackouts"

urlpatterns = [
    path("<slug:office_slug>/masa-jeda/", views.blackout_list, name="list"),
    path("<slug:office_slug>/masa-jeda/baru/", views.blackout_new, name="new"),
    path("<slug:office_slug>/masa-jeda/<int:blackout_id>/ubah/", views.blackout_edit, name="edit"),
    path(
        "<slug:office_slug>/masa-jeda/<int:blackout_id>/batalkan/", views.blackout_cancel_view, name="cancel"
    ),
]
