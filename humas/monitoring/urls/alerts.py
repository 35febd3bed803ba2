from django.urls import path

from ..views import alerts

urlpatterns = [
    path("<slug:office_slug>/monitoring/peringatan/", alerts.alert_chat, name="alert_chat"),
    path(
        "<slug:office_slug>/monitoring/peringatan/uji/", alerts.alert_chat_test_view, name="alert_chat_test"
    ),
    path(
        "<slug:office_slug>/monitoring/peringatan/hapus/",
        alerts.alert_chat_remove_view,
        name="alert_chat_remove",
    ),
]
