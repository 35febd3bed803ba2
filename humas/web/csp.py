"""The Content-Security-Policy header, in a fixed order of directives.

django-csp builds the header from a set of directive names, so their order changes from one
process to the next. nginx sends the same policy as a fixed string for the public pages it serves
from the page cache (deploy/nginx/humas/security-headers.conf), and a reader comparing the two
should see the same text: directives are sorted by name here.

The back office's "connect with Facebook / X" forms are answered with a redirect to the platform's
authorisation page (humas/channels/oauth.py), and browsers check form-action on that redirect too:
under /app/ form-action also allows those pages (HUMAS_CSP_OAUTH_FORM_ACTION). The article editor's
rich-text editor inserts one fixed <style> block, allowed there by its hash
(HUMAS_CSP_BACK_OFFICE_STYLE_HASHES). Public pages keep the fixed policy nginx sends.
"""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def canonical_policy(policy: str) -> str:
    """The same policy with its directives sorted by name (the values keep their order)."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    return "; ".join(sorted(directives, key=lambda directive: directive.split(" ", 1)[0]))


BACK_OFFICE_PREFIX = "/app/"


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if request.path_info.startswith(BACK_OFFICE_PREFIX):
            extra = {
                "form-action": list(settings.HUMAS_CSP_OAUTH_FORM_ACTION),
                "style-src": list(settings.HUMAS_CSP_BACK_OFFICE_STYLE_HASHES),
            }
            for attribute in ("_csp_update", "_csp_update_ro"):
                update = dict(getattr(response, attribute, None) or {})
                for directive, sources in extra.items():
                    if sources:
                        update[directive] = [*update.get(directive, []), *sources]
                setattr(response, attribute, update)
        response = super().process_response(request, response)
        for header in (HEADER, HEADER_REPORT_ONLY):
            if header in response:
                response[header] = canonical_policy(response[header])
        return response
