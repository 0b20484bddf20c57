from __future__ import annotations

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    """At least `min_classes` of: lowercase, uppercase, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a message of our own: Django 5.2 renamed its msgid (``%d``), and
    the Chinese catalogue it ships still translates only the old one, so the Chinese page said
    "This password is too short" in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}
