"""First login: a person with an issued password changes it before doing anything else."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from jiance.accounts.models import Role
from jiance.audit.models import Action, AuditEntry
from tests.factories import PASSWORD, World, make_user

NEW_PASSWORD = "Xin-mima-2026"


def test_must_change_password_redirects_every_page(world: World) -> None:
    user = make_user("a1-xz", Role.PRINCIPAL, world.school_a1, must_change_password=True)
    client = Client()
    client.force_login(user)
    for url in ("/", reverse("audit:list"), reverse("units:detail", args=[world.school_a1.code])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200


def test_after_changing_password_pages_open(world: World) -> None:
    user = make_user("a1-xz", Role.PRINCIPAL, world.school_a1, must_change_password=True)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # still logged in, no redirect
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_repr="a1-xz")
    assert entry.actor == user and entry.unit == world.school_a1  # visible to the county
    assert NEW_PASSWORD not in f"{entry.before}{entry.after}{entry.detail}"


def test_weak_new_password_keeps_the_flag(world: World) -> None:
    user = make_user("a1-xz", Role.PRINCIPAL, world.school_a1, must_change_password=True)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password
    assert client.get("/").status_code == 302


def test_logout_is_allowed_while_changing(world: World) -> None:
    user = make_user("a1-xz", Role.PRINCIPAL, world.school_a1, must_change_password=True)
    client = Client()
    client.force_login(user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_people_without_the_flag_are_not_redirected(world: World) -> None:
    user = make_user("a1-xz", Role.PRINCIPAL, world.school_a1)
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
