from __future__ import annotations

import os
import random
import secrets
import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.models import (
    ROLE_LEVELS,
    SCHOOL_ACCOUNT_SUFFIXES,
    Role,
    RoleAssignment,
    User,
    school_account_username,
)
from jiance.accounts.roles import ACCOUNT_MANAGERS, role_assignable_by_manager
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record, audit_record_many, snapshot
from jiance.spreadsheets import write_rows
from jiance.units.models import Level, Unit

_ALPHABET_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "#%+=@")
_AMBIGUOUS = set("0O1lI")

DEFAULT_SCHOOL_ROLES: tuple[str, ...] = (Role.PRINCIPAL, Role.SCHOOL_INFO_OFFICER)


def random_initial_password(length: int = 12, rng: random.Random | None = None) -> str:
    """A random password with every character class, without look-alike characters.

    It starts with a letter: a leading = + - @ would be neutralised with a quote in the XLSX
    handed to schools (formula-injection guard), and would then no longer be the password."""
    rng = rng or secrets.SystemRandom()
    pools = ["".join(c for c in cls if c not in _AMBIGUOUS) for cls in _ALPHABET_CLASSES]
    chars = [rng.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [rng.choice(everything) for _ in range(length - len(chars) - 1)]
    rng.shuffle(chars)
    return rng.choice(pools[0] + pools[1]) + "".join(chars)


class _InitialPasswordHasher(Argon2PasswordHasher):
    """Argon2id at a lower cost for machine-generated one-time passwords.

    A 12-character random password from a 62-symbol alphabet carries ~71 bits of entropy, so
    memory hardness adds nothing against guessing it; the low cost (≈6 ms instead of ≈400 ms)
    lets a city create thousands of school accounts in one request. The hash is ordinary
    `argon2$argon2id$...` (parameters are stored in it), verified by the configured Argon2
    hasher, and replaced at full cost when the person sets their own password at first login.
    """

    time_cost = 1
    memory_cost = 8 * 1024
    parallelism = 1


_initial_hasher = _InitialPasswordHasher()


def hash_initial_password(password: str) -> str:
    return _initial_hasher.encode(password, _initial_hasher.salt())


def hash_initial_passwords(passwords: list[str]) -> list[str]:
    """Hash many initial passwords on every core (argon2 releases the GIL while it works)."""
    workers = min(8, os.cpu_count() or 1)
    if len(passwords) < 32 or workers == 1:
        return [hash_initial_password(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(hash_initial_password, passwords, chunksize=16))


def user_label(user: User) -> str:
    """How a person is named in the audit log: the login name, and the real name when known."""
    return f"{user.username}（{user.full_name}）" if user.full_name else user.username


@transaction.atomic
def user_change_password(*, user: Any, new_password: str) -> User:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(
        action=Action.UPDATE, obj=user, unit=Scope(user).primary_unit, object_repr=user_label(user),
        after={"must_change_password": False}, detail="修改密码",
    )
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


# --- bulk school accounts -------------------------------------------------------------


@dataclass(frozen=True)
class Credential:
    school_code: str
    school_name: str
    county_name: str
    role: str
    username: str
    password: str


@dataclass
class SchoolAccounts:
    """What a bulk creation did. `xlsx` carries the initial passwords: hand it out once."""

    unit: Unit
    created: list[Credential] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # usernames that already existed
    xlsx: bytes = b""


CREDENTIAL_HEADERS = ("学校代码", "学校名称", "所属县（区）", "角色", "用户名", "初始密码", "说明")


def credentials_xlsx(credentials: list[Credential]) -> bytes:
    note = _("首次登录须修改密码")
    return write_rows(
        "初始账号",
        CREDENTIAL_HEADERS,
        (
            (c.school_code, c.school_name, c.county_name, str(Role(c.role).label), c.username, c.password, note)
            for c in credentials
        ),
    )


def _require_manager(actor: Any, unit: Unit) -> None:
    """`actor` None is the operator at the server shell (CLI); a person needs a manager role."""
    if actor is None:
        return
    Scope(actor).require(ACCOUNT_MANAGERS, unit)


@transaction.atomic
def accounts_create_for_schools(
    *,
    county_or_higher: Unit,
    roles: tuple[str, ...] | list[str] = DEFAULT_SCHOOL_ROLES,
    actor: Any,
    rng: random.Random | None = None,
) -> SchoolAccounts:
    """One account per active school below `county_or_higher` and per role, named
    `<school code>-<suffix>`; existing usernames are skipped. Initial passwords are random and
    must be changed at first login. Returns the credentials once, as an XLSX (audited export)."""
    unit = county_or_higher
    if unit.level == Level.SCHOOL:
        raise ValidationError(_("请选择县（区）或更高层级的单位"))
    _require_manager(actor, unit)
    roles = list(dict.fromkeys(roles))
    for role in roles:
        if role not in SCHOOL_ACCOUNT_SUFFIXES or Level.SCHOOL not in ROLE_LEVELS.get(role, ()):
            raise ValidationError(_("角色“%(role)s”不能批量创建学校账号") % {"role": role})

    schools = list(Unit.objects.subtree_of(unit).schools().filter(is_active=True).order_by("path"))
    counties = {
        u.code: u.name
        for u in Unit.objects.filter(
            level=Level.COUNTY, code__in={s.ancestor_codes()[-1] for s in schools if s.parent_id}
        )
    }
    wanted = [(s, role, school_account_username(s.code, role)) for s in schools for role in roles]
    existing = set(
        User.objects.filter(username__in=[w[2] for w in wanted]).values_list("username", flat=True)
    )
    result = SchoolAccounts(unit=unit)
    pending: list[tuple[Unit, str, str, str]] = []
    for school, role, username in wanted:
        if username in existing:
            result.skipped.append(username)
            continue
        pending.append((school, role, username, random_initial_password(rng=rng)))
    if not pending:
        return result
    hashes = hash_initial_passwords([p for _s, _r, _u, p in pending])
    joined = clock.now()
    new_users = [
        User(username=username, full_name="", must_change_password=True, password=hashed, date_joined=joined)
        for (_s, _r, username, _p), hashed in zip(pending, hashes, strict=True)
    ]

    User.objects.bulk_create(new_users, batch_size=500)
    ids = dict(
        User.objects.filter(username__in=[u.username for u in new_users]).values_list("username", "pk")
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=ids[username], role=role, unit=school) for school, role, username, _p in pending],
        batch_size=500,
    )
    for school, role, username, password in pending:
        county = counties.get(school.ancestor_codes()[-1], "") if school.parent_id else ""
        result.created.append(Credential(school.code, school.name, county, role, username, password))
    audit_record_many(
        [
            {
                "action": Action.CREATE,
                "object_type": "accounts.user",
                "object_id": str(ids[username]),
                "object_repr": username,
                "unit": school,
                "after": {"username": username, "role": role, "must_change_password": True},
                "detail": "批量创建学校账号",
                "actor": actor,
            }
            for school, role, username, _p in pending
        ]
    )
    result.xlsx = credentials_xlsx(result.created)
    audit_record(
        action=Action.EXPORT,
        object_type="accounts.user",
        object_repr=f"{unit.name} 学校账号初始密码",
        unit=unit,
        after={"count": len(result.created), "usernames": [c.username for c in result.created]},
        detail=f"导出 {len(result.created)} 个学校账号的初始密码（仅此一次）",
        actor=actor,
    )
    return result


# --- role assignments -----------------------------------------------------------------


@transaction.atomic
def role_assign(
    *, actor: Any, unit: Unit, role: str, username: str, full_name: str = "", phone: str = "",
) -> tuple[RoleAssignment, str | None]:
    """Give a person a role in a unit of the actor's subtree. A new username creates the person
    with a random initial password (returned once, to be changed at first login)."""
    scope = Scope(actor)
    scope.require(ACCOUNT_MANAGERS, unit)
    manager_paths = [g.unit_path for g in scope.grants if g.role in ACCOUNT_MANAGERS]
    if not role_assignable_by_manager(role, target_path=unit.path, manager_paths=manager_paths):
        raise PermissionDenied(_("不能在本单位设置同级或上级管理员"))
    username = username.strip()
    user = User.objects.filter(username=username).first()
    password: str | None = None
    if user is None:
        password = random_initial_password()
        user = User(
            username=username, full_name=full_name.strip(), phone=phone.strip(),
            must_change_password=True,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            action=Action.CREATE, obj=user, unit=unit, object_repr=user_label(user),
            after=snapshot(user, exclude=("last_login", "date_joined")), detail="新建人员账号",
            actor=actor,
        )
    assignment = RoleAssignment(user=user, role=role, unit=unit)
    assignment.full_clean()  # the role's level (RoleAssignment.clean) and uniqueness
    assignment.save()
    audit_record(
        action=Action.CREATE, obj=assignment, unit=unit,
        object_repr=f"{user.username}：{assignment.get_role_display()} @ {unit.name}",
        after={"user": user.username, "role": role, "unit": unit.code},
        detail="分配角色", actor=actor,
    )
    return assignment, password


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    scope = Scope(actor)
    scope.require(ACCOUNT_MANAGERS, assignment.unit)
    manager_paths = [g.unit_path for g in scope.grants if g.role in ACCOUNT_MANAGERS]
    if not role_assignable_by_manager(
        assignment.role, target_path=assignment.unit.path, manager_paths=manager_paths
    ):
        raise PermissionDenied(_("不能撤销同级或上级管理员的角色"))
    if assignment.user_id == getattr(actor, "pk", None) and assignment.role in ACCOUNT_MANAGERS:
        raise PermissionDenied(_("不能撤销自己的管理员角色"))
    before = {
        "user": assignment.user.username, "role": assignment.role, "unit": assignment.unit.code,
    }
    audit_record(
        action=Action.DELETE, obj=assignment, unit=assignment.unit,
        object_repr=f"{assignment.user.username}：{assignment.get_role_display()} @ {assignment.unit.name}",
        before=before, detail="撤销角色", actor=actor,
    )
    assignment.delete()


def manager_may_manage_user(scope: Scope, user: User) -> bool:
    """A manager acts on a person's account only when every role the person holds is one the
    manager could grant: a city admin who also proctors in a county stays out of the county's
    reach."""
    manager_paths = [g.unit_path for g in scope.grants if g.role in ACCOUNT_MANAGERS]
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
    return bool(assignments) and all(
        role_assignable_by_manager(a.role, target_path=a.unit.path, manager_paths=manager_paths)
        for a in assignments
    )


@transaction.atomic
def user_reset_password(*, actor: Any, user: User) -> str:
    """A new random initial password (shown once, changed at first login); lifts the person's
    login lockout. Only for people entirely inside the actor's reach."""
    scope = Scope(actor)
    if user.pk == getattr(actor, "pk", None) or not manager_may_manage_user(scope, user):
        raise PermissionDenied(_("无权重置该用户的密码"))
    password = random_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    from axes.utils import reset as axes_reset

    unlocked = axes_reset(username=user.username)
    audit_record(
        action=Action.UPDATE, obj=user, unit=Scope(user).primary_unit, object_repr=user_label(user),
        after={"must_change_password": True, "lockouts_cleared": unlocked},
        detail="重置密码（新初始密码仅显示一次）", actor=actor,
    )
    return password
