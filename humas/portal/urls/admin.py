from django.urls import path, re_path

from ..views import admin as views
from ..views import images as views_images

app_name = "portal_admin"

urlpatterns = [
    path("<slug:office_slug>/portal/", views.article_list, name="list"),
    path("<slug:office_slug>/portal/new/", views.article_new, name="new"),
    path(
        "<slug:office_slug>/portal/images/<int:image_id>/state/", views_images.image_state, name="image_state"
    ),
    re_path(
        r"^(?P<office_slug>[-a-z0-9]+)/portal/images/(?P<image_id>\d+)/(?P<name>\d+\.(?:jpg|webp)|og\.jpg)$",
        views_images.image_file,
        name="image_file",
    ),
    path("<slug:office_slug>/portal/<int:article_id>/", views.article_detail, name="detail"),
    path("<slug:office_slug>/portal/<int:article_id>/edit/", views.article_edit, name="edit"),
    path("<slug:office_slug>/portal/<int:article_id>/preview/", views.article_preview, name="preview"),
    path(
        "<slug:office_slug>/portal/<int:article_id>/versions/<int:number>/",
        views.article_version,
        name="version",
    ),
    re_path(
        r"^(?P<office_slug>[-a-z0-9]+)/portal/(?P<article_id>\d+)/(?P<action>submit|approve|reject|unpublish)/$",
        views.article_action,
        name="action",
    ),
]
