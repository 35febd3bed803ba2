from django.urls import path

from .views import assisted as views_assisted
from .views import cards as views_cards
from .views import checklist as views_checklist
from .views import media as views_media
from .views import plans as views_plans
from .views import posts as views
from .views import sharing as views_sharing

app_name = "publishing"

urlpatterns = [
    path("<slug:office_slug>/content/", views.post_list, name="list"),
    path("<slug:office_slug>/content/new/", views.post_new, name="new"),
    path("<slug:office_slug>/content/checklist/", views_checklist.checklist_settings, name="checklist"),
    path("<slug:office_slug>/content/rencana/", views_plans.plan_import, name="plan"),
    path(
        "<slug:office_slug>/content/rencana/templat.csv",
        views_plans.plan_template_csv,
        name="plan_template_csv",
    ),
    path(
        "<slug:office_slug>/content/rencana/templat.xlsx",
        views_plans.plan_template_xlsx,
        name="plan_template_xlsx",
    ),
    path(
        "<slug:office_slug>/content/from-article/<int:article_id>/",
        views_sharing.post_from_article_view,
        name="from_article",
    ),
    path("<slug:office_slug>/content/<int:post_id>/", views.post_detail, name="detail"),
    path("<slug:office_slug>/content/<int:post_id>/edit/", views.post_edit, name="edit"),
    path("<slug:office_slug>/content/<int:post_id>/kartu/", views_cards.post_card, name="card"),
    path(
        "<slug:office_slug>/content/<int:post_id>/images/<int:image_id>/<slug:kind>/",
        views_media.image_view,
        name="image",
    ),
    path("media/posts/<slug:key>/<slug:kind>.jpg", views_media.public_image, name="public_image"),
    path("<slug:office_slug>/content/<int:post_id>/submit/", views.post_submit_view, name="submit"),
    path("<slug:office_slug>/content/<int:post_id>/approve/", views.post_approve_view, name="approve"),
    path("<slug:office_slug>/content/<int:post_id>/return/", views.post_return_view, name="return"),
    path("<slug:office_slug>/content/<int:post_id>/publish/", views.post_publish, name="publish"),
    path(
        "<slug:office_slug>/content/<int:post_id>/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry_view,
        name="retry",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/deliveries/<int:delivery_id>/mark/",
        views_assisted.assisted_mark,
        name="assisted_mark",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/deliveries/<int:delivery_id>/found/",
        views_assisted.delivery_found,
        name="delivery_found",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/deliveries/<int:delivery_id>/unmark/",
        views_assisted.assisted_unmark,
        name="assisted_unmark",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/deliveries/<int:delivery_id>/deleted/",
        views_assisted.assisted_deleted,
        name="assisted_deleted",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/image-files/<int:image_id>/",
        views_assisted.assisted_image,
        name="assisted_image",
    ),
    path(
        "<slug:office_slug>/content/<int:post_id>/publications/<int:publication_id>/withdraw/",
        views.publication_withdraw_view,
        name="withdraw",
    ),
]
