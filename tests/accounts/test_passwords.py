"""Password rules speak Chinese in the Chinese UI (issue 8, item 12)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jiance.accounts.models import Role
from tests.factories import World, make_user


def test_too_short_is_said_in_chinese() -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password("Ab1!x")
    assert exc.value.messages == ["密码太短，至少需要 8 个字符。"]
    with translation.override("zh-hans"):
        assert "密码至少需要 8 个字符。" in password_validators_help_texts()
        assert not [t for t in password_validators_help_texts() if "password" in t.lower()]


@pytest.mark.django_db
def test_password_change_page_refuses_a_short_password_in_chinese(world: World) -> None:
    user = make_user("zhangsan", Role.SCHOOL_INFO_OFFICER, world.school_a1)
    user.set_password("Old-Pass-2022")
    user.save()
    c = Client()
    c.force_login(user)
    r = c.post(reverse("password_change"), {"old_password": "Old-Pass-2022", "new_password1": "Ab1!x",
                                            "new_password2": "Ab1!x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = r.content.decode()
    assert r.status_code == 200 and "密码太短，至少需要 8 个字符。" in body and "too short" not in body
