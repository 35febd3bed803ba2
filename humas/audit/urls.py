from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [path("<slug:office_slug>/settings/audit/", views.audit_list, name="list")]
