from django.urls import path

from ..views import triage

_NARRATIVE = "<slug:office_slug>/monitoring/narasi/<int:narrative_id>/"

urlpatterns = [
    path("<slug:office_slug>/monitoring/narasi/", triage.queue, name="queue"),
    path(_NARRATIVE, triage.narrative_detail, name="narrative"),
    path(f"{_NARRATIVE}variasi/", triage.narrative_variant_list, name="narrative_variants"),
    path(f"{_NARRATIVE}tugaskan/", triage.narrative_assign_view, name="narrative_assign"),
    path(f"{_NARRATIVE}status/", triage.narrative_status_view, name="narrative_status"),
    path(f"{_NARRATIVE}teruskan/", triage.narrative_route_view, name="narrative_route"),
    path(f"{_NARRATIVE}gabung/", triage.narrative_merge_view, name="narrative_merge"),
    path(f"{_NARRATIVE}pisah/", triage.narrative_split_view, name="narrative_split"),
    path(f"{_NARRATIVE}bukti/", triage.evidence_download, name="evidence"),
]
