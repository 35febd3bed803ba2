"""Evidence ZIPs sent as downloads (a narrative's, a fake account's)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO, cast

from django.http import FileResponse, HttpResponse

from ..models import EvidenceExport


def evidence_download_response(write: Callable[[IO[bytes]], EvidenceExport]) -> HttpResponse:
    """An evidence ZIP sent as a download: ``write`` fills a temporary file (and records the
    export); the response carries the ZIP's SHA-256 in ``X-Evidence-SHA256``."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    try:
        export = write(out)
    except BaseException:
        out.close()
        raise
    response = FileResponse(out, as_attachment=True, filename=export.filename, content_type="application/zip")
    response["X-Evidence-SHA256"] = export.sha256
    # Views are typed for HttpResponse; Django serves a streamed file response the same way.
    return cast(HttpResponse, response)
