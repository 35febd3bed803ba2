from django.urls import path

from . import views

app_name = "offices"

urlpatterns = [
    path("<slug:office_slug>/settings/profile/", views.profile, name="profile"),
    path("<slug:office_slug>/settings/people/", views.people, name="people"),
    path("<slug:office_slug>/settings/people/invite/", views.invite, name="invite"),
    path(
        "<slug:office_slug>/settings/people/<int:membership_id>/role/", views.change_role, name="change_role"
    ),
    path("<slug:office_slug>/settings/people/<int:membership_id>/remove/", views.remove, name="remove"),
    path(
        "<slug:office_slug>/settings/people/<int:membership_id>/two-factor-reset/",
        views.two_factor_reset,
        name="two_factor_reset",
    ),
]
