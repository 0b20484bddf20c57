from __future__ import annotations

import secrets
import string
from typing import Any

from django.db import transaction

from jiance.accounts.models import RoleAssignment, User
from jiance.audit.models import Action
from jiance.audit.services import audit_record

_ALPHABET_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+=@")
_AMBIGUOUS = set("0O1lI")


def random_initial_password(length: int = 12, rng: secrets.SystemRandom | None = None) -> str:
    """A random password with every character class, without look-alike characters."""
    rng = rng or secrets.SystemRandom()
    pools = ["".join(c for c in cls if c not in _AMBIGUOUS) for cls in _ALPHABET_CLASSES]
    chars = [rng.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [rng.choice(everything) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


@transaction.atomic
def user_change_password(*, user: Any, new_password: str) -> User:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(action=Action.UPDATE, obj=user, detail="修改密码")
    return user


@transaction.atomic
def user_create_with_role(
    *, username: str, full_name: str, role: str, unit: Any, password: str | None = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create a person holding one role in one unit; returns the user and the initial password."""
    password = password or random_initial_password()
    user = User(username=username, full_name=full_name, must_change_password=must_change_password)
    user.set_password(password)
    user.save()
    assignment = RoleAssignment(user=user, role=role, unit=unit)
    assignment.full_clean(exclude=["user"])
    assignment.save()
    audit_record(action=Action.CREATE, obj=user, unit=unit, after={"username": username, "role": role})
    return user, password
