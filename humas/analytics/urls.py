from __future__ import annotations

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("<slug:office_slug>/analitik/", views.dashboard, name="dashboard"),
    path("<slug:office_slug>/analitik/ekspor.csv", views.export_series_csv, name="export_csv"),
    path("<slug:office_slug>/analitik/ekspor.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<slug:office_slug>/analitik/kantor-bawah/", views.offices_below, name="below"),
    path("<slug:office_slug>/analitik/laporan/", views.reports_page, name="reports"),
    path(
        "<slug:office_slug>/analitik/laporan/<int:report_id>/unduh/",
        views.report_download,
        name="report_download",
    ),
    path(
        "<slug:office_slug>/analitik/pengikut/<int:channel_id>/",
        views.followers_record,
        name="followers_record",
    ),
    path("<slug:office_slug>/analitik/peringkat/", views.leaderboard_page, name="leaderboard"),
    path("<slug:office_slug>/analitik/kantor-bawah/ekspor.csv", views.export_below_csv, name="below_csv"),
]
