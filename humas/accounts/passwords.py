"""Django's password validators, saying what they check in the project's words.

Django's own Indonesian catalogue mixes "Sandi anda …" with "Kata sandi Anda …"; these subclasses
keep Django's checks and give every help text and refusal one wording ("kata sandi", "Anda"),
in the project's catalogue (settings AUTH_PASSWORD_VALIDATORS names them).
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The account fields a password must not resemble: the User model has no username or first name.
USER_ATTRIBUTES = ("email", "full_name")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def __init__(
        self, user_attributes: tuple[str, ...] = USER_ATTRIBUTES, max_similarity: float = 0.7
    ) -> None:
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        # %(verbose_name)s: the field's name, "e-mail" or "nama lengkap".
        return _("Kata sandi ini terlalu mirip dengan %(verbose_name)s Anda.")

    def get_help_text(self) -> str:
        return _("Kata sandi Anda tidak boleh mirip dengan nama atau e-mail Anda.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Kata sandi ini terlalu pendek: minimal %d karakter.",
            "Kata sandi ini terlalu pendek: minimal %d karakter.",
            self.min_length,
        ) % (self.min_length,)

    def get_help_text(self) -> str:
        return ngettext(
            "Kata sandi Anda minimal %(min_length)d karakter.",
            "Kata sandi Anda minimal %(min_length)d karakter.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("Kata sandi ini terlalu umum.")

    def get_help_text(self) -> str:
        return _("Kata sandi Anda tidak boleh berupa kata sandi yang umum dipakai.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Kata sandi ini hanya berisi angka.")

    def get_help_text(self) -> str:
        return _("Kata sandi Anda tidak boleh hanya berisi angka.")
