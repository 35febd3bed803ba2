from django.urls import path

from ..views import amplification as views

app_name = "amplification"

urlpatterns = [
    path("<slug:office_slug>/amplifikasi/", views.amplification_list, name="list"),
    path("<slug:office_slug>/amplifikasi/baru/", views.amplification_new, name="new"),
    path("<slug:office_slug>/amplifikasi/<int:task_id>/", views.amplification_board_view, name="board"),
    path(
        "<slug:office_slug>/amplifikasi/<int:task_id>/csv/", views.amplification_board_csv, name="board_csv"
    ),
    path(
        "<slug:office_slug>/amplifikasi/tugas/<int:target_id>/",
        views.amplification_target_view,
        name="target",
    ),
    path(
        "<slug:office_slug>/amplifikasi/tugas/<int:target_id>/catat/",
        views.amplification_record_view,
        name="record",
    ),
    path(
        "<slug:office_slug>/amplifikasi/tugas/<int:target_id>/tolak/",
        views.amplification_decline_view,
        name="decline",
    ),
    path(
        "<slug:office_slug>/amplifikasi/tugas/<int:target_id>/bagikan/",
        views.amplification_share_view,
        name="share",
    ),
]
