from django.urls import path

from ..views import imports

urlpatterns = [
    path("<slug:office_slug>/monitoring/import/", imports.items_import, name="import"),
]
