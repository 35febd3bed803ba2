from django.urls import path

from ..views import vocabulary

urlpatterns = [
    path("<slug:office_slug>/monitoring/istilah/", vocabulary.vocabulary, name="vocabulary"),
    path(
        "<slug:office_slug>/monitoring/istilah/hapus/", vocabulary.vocabulary_remove, name="vocabulary_remove"
    ),
]
