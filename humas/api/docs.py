"""The API docs page (/api/v1/docs) with Swagger UI from the project's own static files.

Django Ninja's own page loads Swagger UI from a CDN unless ``ninja`` is an installed app, and then
from the copy bundled with Ninja at whatever version Ninja ships. Humas serves the version pinned in
package.json (``swagger-ui-dist``, under ``static/vendor/swagger-ui/``), so nothing on the page
comes from another origin and the Content-Security-Policy holds: the settings travel as a JSON data
block, read by a static script (humas/core/static/humas/api-docs.js).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template import Engine, RequestContext, Template
from ninja.constants import NOT_SET
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "api" / "swagger.html"


@cache
def _template() -> Template:
    # humas.api is not an installed app, so its template is read by path, once.
    return Engine.get_default().from_string(TEMPLATE_PATH.read_text(encoding="utf-8"))


def _csrf_needed(api: NinjaAPI) -> bool:
    """As Ninja's own page: "Try it out" sends the CSRF token when an API-wide auth needs one."""
    if not api.auth or api.auth == NOT_SET:
        return False
    return any(getattr(auth, "csrf", False) for auth in api.auth)  # type: ignore[union-attr]


class SelfHostedSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            # "</" cannot end the data block early, whatever a setting says.
            "swagger_settings": json.dumps(swagger_settings).replace("</", "<\\/"),
            "add_csrf": _csrf_needed(api),
        }
        return HttpResponse(_template().render(RequestContext(request, context)))


def swagger_docs() -> SelfHostedSwagger:
    # The validator badge would send the schema's address to validator.swagger.io.
    return SelfHostedSwagger(settings={"validatorUrl": None, "layout": "BaseLayout", "deepLinking": True})
