"""Each language is named in itself wherever languages are listed (#14): "Bahasa Indonesia" and
"English", whichever language the page is in (not "Inggris" on an Indonesian page)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="(id|en)"[^>]*lang="\1">([^<]+)</option>', html)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_language_lists_name_each_language_in_itself(client, member, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert _options(client.get("/accounts/login/").content.decode()) == [
        ("id", "Bahasa Indonesia"),
        ("en", "English"),
    ]
    client.force_login(member("33", "viewer"))
    assert _options(client.get("/app/jateng/").content.decode()) == [
        ("id", "Bahasa Indonesia"),
        ("en", "English"),
    ]


def test_the_setting_names_them_untranslated():
    assert [(code, str(name)) for code, name in settings.LANGUAGES] == [
        ("id", "Bahasa Indonesia"),
        ("en", "English"),
    ]
