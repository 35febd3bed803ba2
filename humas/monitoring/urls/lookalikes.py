from django.urls import path

from ..views import lookalikes

urlpatterns = [
    path("<slug:office_slug>/monitoring/akun-tiruan/", lookalikes.lookalike_list, name="lookalikes"),
    path(
        "<slug:office_slug>/monitoring/akun-tiruan/<int:lookalike_id>/putuskan/",
        lookalikes.lookalike_decide,
        name="lookalike_decide",
    ),
    path(
        "<slug:office_slug>/monitoring/akun-tiruan/<int:lookalike_id>/bukti/",
        lookalikes.lookalike_evidence,
        name="lookalike_evidence",
    ),
]
