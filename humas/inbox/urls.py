from __future__ import annotations

from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("<slug:office_slug>/kotak-masuk/balasan/", views.saved_replies, name="saved_replies"),
    path("<slug:office_slug>/kotak-masuk/balasan/baru/", views.saved_reply_new, name="saved_reply_new"),
    path(
        "<slug:office_slug>/kotak-masuk/balasan/<int:reply_id>/ubah/",
        views.saved_reply_edit,
        name="saved_reply_edit",
    ),
    path(
        "<slug:office_slug>/kotak-masuk/balasan/<int:reply_id>/arsipkan/",
        views.saved_reply_archive_view,
        name="saved_reply_archive",
    ),
    path(
        "<slug:office_slug>/kotak-masuk/balasan/<int:reply_id>/pulihkan/",
        views.saved_reply_restore_view,
        name="saved_reply_restore",
    ),
]
