"""The API documentation and its schema require a login, like every API call (issue 8, item 12)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiance.accounts.models import Role
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db
DOCS = ["api:openapi-view", "api:openapi-json"]


@pytest.mark.parametrize("name", DOCS)
def test_docs_refuse_an_anonymous_visitor(name: str) -> None:
    r = Client().get(reverse(name))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert b"openapi" not in r.content.lower() and b"/api/units" not in r.content


@pytest.mark.parametrize("name", DOCS)
def test_docs_open_for_a_signed_in_person(world: World, name: str) -> None:
    c = Client()
    c.force_login(make_user("u", Role.SCHOOL_INFO_OFFICER, world.school_a1))
    r = c.get(reverse(name))
    assert r.status_code == 200


def test_api_calls_refuse_an_anonymous_visitor() -> None:
    assert Client().get(reverse("api:cycle_list")).status_code == 401
