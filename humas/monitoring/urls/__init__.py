"""The monitoring desk's pages under ``/app/``, one module per subject."""

from . import alerts, clarify, imports, lookalikes, replies, sources, triage, vocabulary

app_name = "monitoring"

urlpatterns = [
    *sources.urlpatterns,
    *imports.urlpatterns,
    *triage.urlpatterns,
    *clarify.urlpatterns,
    *replies.urlpatterns,
    *vocabulary.urlpatterns,
    *alerts.urlpatterns,
    *lookalikes.urlpatterns,
]
