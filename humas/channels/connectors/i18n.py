"""User-facing messages of the platform layer, Indonesian first, English alongside.

The platform layer must not import Django, so it cannot call ``gettext`` itself. Messages are
Indonesian source strings wrapped in ``_()`` — a no-op marker that ``makemessages``/xgettext
recognise, so the Django layer can extract them into its catalogue and translate them with
``gettext(error.template) % error.params``. Without Django, ``translate(template, "en")`` uses
the English table below. Templates use ``%(name)s`` placeholders only.
"""

from __future__ import annotations

from collections.abc import Mapping


def _(message: str) -> str:
    """Mark an Indonesian source string for translation (returns it unchanged)."""
    return message


EN: dict[str, str] = {}


def register(indonesian: str, english: str) -> str:
    """Record the English translation of an Indonesian template and return the template."""
    EN[indonesian] = english
    return indonesian


def translate(template: str, language: str = "id", params: Mapping[str, object] | None = None) -> str:
    """Render a template in ``language`` ("id" or "en"); unknown templates fall back to Indonesian."""
    text = EN.get(template, template) if language.lower().startswith("en") else template
    if params:
        try:
            return text % dict(params)
        except (KeyError, ValueError, TypeError):
            return text
    return text
