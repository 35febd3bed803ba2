from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("<slug:office_slug>/notifications/", views.notification_list, name="list"),
    path("<slug:office_slug>/notifications/read-all/", views.notification_read_all, name="read_all"),
    path(
        "<slug:office_slug>/notifications/<int:notification_id>/read/",
        views.notification_read,
        name="read",
    ),
    path(
        "<slug:office_slug>/notifications/<int:notification_id>/open/",
        views.notification_open,
        name="open",
    ),
]
