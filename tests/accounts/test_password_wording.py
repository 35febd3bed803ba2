"""The password pages speak one Indonesian (#14): "kata sandi" and "Anda" throughout, never
Django's own "Sandi anda …" beside the project's "Kata sandi Anda …"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

# "sandi" only as "kata sandi"; "Anda" always capitalised; none of Django's own words for it.
MIXED = re.compile(r"(?<!kata )(?<!Kata )\bsandi\b|\banda\b|\bSandi\b|Surel|bidang sandi|Konfirmasi sandi")


def _set_password_page(client, user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    assert page.context["validlink"] is True
    return page.redirect_chain[-1][0]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_set_password_page_speaks_one_indonesian(client, member):
    user = member("33.20", "operator", email="budi.santoso@kpu.test", full_name="Budi Santoso")
    url = _set_password_page(client, user)

    page = _text(client.get(url).content.decode())

    assert not MIXED.findall(page), MIXED.findall(page)
    assert "Kata sandi baru" in page and "Ulangi kata sandi baru" in page
    assert "Kata sandi Anda minimal 10 karakter." in page


@pytest.mark.parametrize(
    ("password", "again", "expected"),
    [
        ("Sandi-Baru-2029!", "Sandi-Lain-2029!", "Kedua kata sandi tidak sama."),
        ("pendek", "pendek", "Kata sandi ini terlalu pendek: minimal 10 karakter."),
        ("1234567890123", "1234567890123", "Kata sandi ini hanya berisi angka."),
        ("password123", "password123", "Kata sandi ini terlalu umum."),
        ("budisantoso", "budisantoso", "Kata sandi ini terlalu mirip dengan nama lengkap Anda."),
        ("", "", "Masukkan kata sandi baru."),
    ],
)
def test_refusals_speak_it_too(client, member, password, again, expected):
    user = member("33.20", "operator", email="b.s@kpu.test", full_name="Budi Santoso")
    url = _set_password_page(client, user)

    response = client.post(url, {"new_password1": password, "new_password2": again})

    page = _text(response.content.decode())
    assert response.status_code == 200
    assert expected in page
    assert not MIXED.findall(page), MIXED.findall(page)


def test_every_validator_speaks_it(member):
    user = member("33.20", "operator", email="budi.santoso@kpu.test", full_name="Budi Santoso")
    for text in password_validators_help_texts():
        assert not MIXED.findall(text), text
    with pytest.raises(ValidationError) as refused:
        validate_password("budi.santoso", user)
    assert [str(m) for m in refused.value.messages] == ["Kata sandi ini terlalu mirip dengan e-mail Anda."]


def test_the_reset_request_page_says_e_mail(client):
    page = _text(client.get("/accounts/password-reset/").content.decode())
    assert "E-mail" in page
    assert not MIXED.findall(page), MIXED.findall(page)
