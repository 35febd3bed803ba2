from __future__ import annotations

from django.urls import path

from . import views

app_name = "guideline"

urlpatterns = [
    path("<slug:office_slug>/pedoman/", views.guideline, name="page"),
]
