from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("<slug:office_slug>/monitoring/", views.source_list, name="sources"),
    path("<slug:office_slug>/monitoring/import/", views.items_import, name="import"),
]
