from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_office, name="switch"),
    path("offices/search/", views.office_search, name="office_search"),
    path("offices/find/", views.office_find, name="office_find"),
    path("<slug:office_slug>/", views.dashboard, name="dashboard"),
    path("<slug:office_slug>/settings/", views.settings_index, name="settings"),
    path("<slug:office_slug>/settings/audit/", views.audit_list, name="audit_log"),
]
