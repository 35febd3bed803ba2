"""English must be complete, and the compiled catalogue must match its source."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "humas" / "locale"


def test_english_catalogue_is_complete_and_not_fuzzy():
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 100


def test_compiled_catalogue_matches_source(tmp_path):
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    committed = polib.mofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.mo"))

    def entries(catalogue):
        return {
            (e.msgctxt, e.msgid): (e.msgstr or tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid
        }

    assert entries(committed) == {k: v for k, v in entries(po).items() if v}
