from django.urls import path

from . import views

app_name = "factcheck"

urlpatterns = [
    path("<slug:office_slug>/klarifikasi/basis/", views.claim_list, name="list"),
    path("<slug:office_slug>/klarifikasi/basis/impor/", views.claims_import_page, name="import"),
    path("<slug:office_slug>/klarifikasi/basis/<int:claim_id>/", views.claim_detail, name="detail"),
]
