from django.urls import path

from ..views import clarify

urlpatterns = [
    path(
        "<slug:office_slug>/monitoring/narasi/<int:narrative_id>/klarifikasi/",
        clarify.narrative_clarify,
        name="narrative_clarify",
    ),
]
