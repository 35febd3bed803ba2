from django.urls import path

from . import views

app_name = "channels"

urlpatterns = [
    path("<slug:office_slug>/settings/channels/", views.channel_list, name="list"),
    path(
        "<slug:office_slug>/settings/channels/<int:channel_id>/remove/", views.channel_remove, name="remove"
    ),
    path(
        "<slug:office_slug>/settings/channels/<int:channel_id>/connect/",
        views.channel_connect,
        name="connect",
    ),
    path("<slug:office_slug>/settings/channels/<int:channel_id>/check/", views.channel_check, name="check"),
    path(
        "<slug:office_slug>/settings/channels/<int:channel_id>/identity/",
        views.channel_identity_confirm,
        name="identity_confirm",
    ),
    path("<slug:office_slug>/settings/channels/guide/<slug:platform>/", views.channel_guide, name="guide"),
    path(
        "<slug:office_slug>/settings/channels/<int:channel_id>/oauth/",
        views.channel_oauth_start,
        name="oauth_start",
    ),
    path(
        "<slug:office_slug>/settings/channels/<int:channel_id>/oauth/pages/",
        views.channel_oauth_pages,
        name="oauth_pages",
    ),
    path("oauth/<slug:provider>/callback/", views.channel_oauth_callback, name="oauth_callback"),
]
