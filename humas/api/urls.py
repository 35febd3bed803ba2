from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("me/tokens/", views.token_list, name="list"),
    path("me/tokens/new/", views.token_create, name="create"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
