from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from humas.offices import policy

# The back-office modules, in navigation order. Modules whose issue has not landed yet are
# listed as "not yet available" so people see where the product is going without dead links.
MODULES: list[dict[str, Any]] = [
    {"key": "dashboard", "label": _("Beranda"), "url_name": "core:dashboard", "ready": True},
    {"key": "content", "label": _("Konten"), "url_name": "publishing:list", "ready": True},
    {"key": "calendar", "label": _("Kalender"), "url_name": "coordination:calendar", "ready": True},
    {"key": "portal", "label": _("Portal"), "url_name": "portal_admin:list", "ready": True},
    {"key": "library", "label": _("Pustaka"), "url_name": "library:list", "ready": True},
    {"key": "monitoring", "label": _("Pemantauan"), "url_name": "monitoring:queue", "ready": True},
    {"key": "inbox", "label": _("Kotak Masuk"), "ready": False},
    {"key": "analytics", "label": _("Analitik"), "url_name": "analytics:dashboard", "ready": True},
    {"key": "settings", "label": _("Pengaturan"), "url_name": "core:settings", "ready": True},
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    office = getattr(request, "office", None)
    return {
        "active_office": office,
        "entry_offices": list(policy.entry_offices(user)),
        "modules": MODULES,
    }
