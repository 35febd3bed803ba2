"""The steps a file import in the back office shares: upload → preview → confirm.

The uploaded file is read as UTF-8 text (:func:`upload_read`) and parsed by the app; the preview
carries the file back with the confirmation, compressed and signed by the server
(:func:`preview_token`), so what is imported is exactly what was previewed and no server keeps a
half-finished import. The confirmation's token is checked and opened by :func:`preview_load`;
:func:`preview_render` answers the preview page (``core/import_preview_base.html`` is its frame).
Each app keeps its forms, its own salt, its parsing, its service and its messages of success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .rowfiles import ParsedRows, format_of

PREVIEW_ROWS = 20
TOKEN_MAX_AGE = 60 * 60
# Room left in a confirmation's form data for the other fields.
_FORM_MARGIN = 16 * 1024


@dataclass(frozen=True)
class UploadedText:
    filename: str
    fmt: str
    content: str


def upload_read(form: forms.Form) -> UploadedText | None:
    """The name, format (:func:`~humas.core.rowfiles.format_of`) and text of the valid ``form``'s
    uploaded ``file``; ``None`` after adding to the form why it cannot be read."""
    upload = form.cleaned_data["file"]
    filename = upload.name or ""
    fmt = format_of(filename)
    if not fmt:
        form.add_error("file", _("Hanya berkas .csv atau .jsonl yang dapat diimpor."))
        return None
    try:
        content = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.add_error("file", _("Berkas harus berupa teks UTF-8."))
        return None
    return UploadedText(filename=filename, fmt=fmt, content=content)


def preview_token(text: UploadedText, *, source: str, salt: str) -> tuple[str, str]:
    """The signed token that carries ``text`` and the source's name to the confirmation, and
    ``""``; or ``""`` and why not, when the token would not fit in the confirmation's form data."""
    token = signing.dumps(
        {"content": text.content, "format": text.fmt, "filename": text.filename, "source": source},
        salt=salt,
        compress=True,
    )
    if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - _FORM_MARGIN:
        return "", _("Berkas ini terlalu besar untuk diimpor sekaligus; bagi menjadi beberapa berkas.")
    return token, ""


def preview_load(request: HttpRequest, form: forms.Form, *, salt: str) -> dict[str, Any] | None:
    """What :func:`preview_token` put in the confirmation ``form``'s ``token`` (keys: content,
    format, filename, source); ``None``, with a message for the person, when the token is missing,
    not ours or older than :data:`TOKEN_MAX_AGE`."""
    payload: Any = None
    if form.is_valid():
        try:
            payload = signing.loads(form.cleaned_data["token"], salt=salt, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            payload = None
    if not isinstance(payload, dict):
        messages.error(request, _("Pratinjau impor sudah kedaluwarsa atau tidak sah; unggah berkasnya lagi."))
        return None
    return payload


def preview_render(
    request: HttpRequest,
    template: str,
    *,
    parsed: ParsedRows[Any],
    token: str,
    problem: str,
    confirm_form: type[forms.Form],
    context: dict[str, Any],
) -> HttpResponse:
    """The preview page: every bad row, or the ``problem`` that stops the import, or the button
    that confirms it (``confirm_form`` with the ``token``); 400 unless the import can go on."""
    ok = parsed.ok and not problem
    return render(
        request,
        template,
        {
            **context,
            "parsed": parsed,
            "problem": problem,
            "confirm": confirm_form(initial={"token": token}) if ok else None,
        },
        status=200 if ok else 400,
    )
