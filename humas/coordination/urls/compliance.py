from __future__ import annotations

from django.urls import path

from ..views import compliance as views

app_name = "compliance"

urlpatterns = [
    path("<slug:office_slug>/koordinasi/keaktifan/", views.compliance_page, name="page"),
    path("<slug:office_slug>/koordinasi/keaktifan/pengaturan/", views.compliance_rule_view, name="rule"),
    path("<slug:office_slug>/koordinasi/keaktifan.csv", views.compliance_csv, name="csv"),
    path("<slug:office_slug>/koordinasi/keaktifan.xlsx", views.compliance_xlsx, name="xlsx"),
]
