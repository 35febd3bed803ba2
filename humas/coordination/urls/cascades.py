from django.urls import path

from ..views import cascades as views

app_name = "cascades"

urlpatterns = [
    path("<slug:office_slug>/teruskan/", views.cascade_list, name="list"),
    path("<slug:office_slug>/teruskan/baru/", views.cascade_new, name="new"),
    path("<slug:office_slug>/teruskan/pratinjau/", views.cascade_preview, name="preview"),
    path("<slug:office_slug>/teruskan/<int:cascade_id>/", views.cascade_board_view, name="board"),
    path("<slug:office_slug>/teruskan/<int:cascade_id>/csv/", views.cascade_board_csv, name="board_csv"),
    path("<slug:office_slug>/dari-atasan/", views.cascade_queue, name="queue"),
    path("<slug:office_slug>/dari-atasan/<int:target_id>/", views.cascade_target_view, name="target"),
    path("<slug:office_slug>/dari-atasan/<int:target_id>/adopsi/", views.cascade_adopt_view, name="adopt"),
    path("<slug:office_slug>/dari-atasan/<int:target_id>/adaptasi/", views.cascade_adapt_view, name="adapt"),
    path("<slug:office_slug>/dari-atasan/<int:target_id>/tolak/", views.cascade_decline_view, name="decline"),
    path(
        "<slug:office_slug>/pengaturan/terbit-otomatis/",
        views.cascade_auto_publish_view,
        name="auto_publish",
    ),
]
