from django.urls import path

from ..views import sources

_SOURCE = "<slug:office_slug>/monitoring/sumber/<int:source_id>/"

urlpatterns = [
    path("<slug:office_slug>/monitoring/sumber/", sources.source_list, name="source_list"),
    # The desk's first page until the triage queue takes its place.
    path("<slug:office_slug>/monitoring/", sources.source_list, name="sources"),
    path("<slug:office_slug>/monitoring/sumber/baru/", sources.source_new, name="source_new"),
    path(_SOURCE, sources.source_edit, name="source_edit"),
    path(f"{_SOURCE}jalankan/", sources.source_run, name="source_run"),
    path(f"{_SOURCE}aktifkan/", sources.source_activate_view, name="source_activate"),
    path(f"{_SOURCE}nonaktifkan/", sources.source_deactivate_view, name="source_deactivate"),
]
