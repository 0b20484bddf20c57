"""Accounts for test-day staff: every person in a post whose rule names a platform role (proctors,
custodians, timekeepers, technicians, inspectors) gets that role at the sample school for this
cycle only — on their existing account (same name and phone) or on a new one, created in bulk
with one-time passwords (the accounts app's initial-password machinery and credentials sheet).
The role is bound to the cycle (`RoleAssignment.cycle`): the Scope ignores it once the cycle is
closed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.models import SCHOOL_ACCOUNT_SUFFIXES, RoleAssignment, User
from jiance.accounts.scoping import Scope
from jiance.accounts.services import (
    Credential,
    credentials_xlsx,
    hash_initial_passwords,
    random_initial_password,
)
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.staffing import selectors
from jiance.staffing.models import StaffingError, StaffPost
from jiance.units.models import Unit


@dataclass
class StaffAccounts:
    created: list[Credential] = field(default_factory=list)
    roles_added: list[str] = field(default_factory=list)  # existing accounts that got a role
    xlsx: bytes = b""


def _free_username(base: str, taken: set[str]) -> str:
    k = 1
    while f"{base}{k}" in taken:
        k += 1
    name = f"{base}{k}"
    taken.add(name)
    return name


@transaction.atomic
def staff_accounts_create(*, scope: Scope, cycle: Cycle, county: Unit, actor: Any,
                          rng: random.Random | None = None) -> StaffAccounts:
    scope.require(selectors.ACCOUNT_ROLES, county)
    accounts = {r.role: r.account for r in selectors.staffing_rules(cycle).rules if r.account}
    sites = selectors.sample_sites(cycle=cycle, county=county)
    posts = [p for p in selectors.posts_of(scope=scope, cycle=cycle, sites=sites) if accounts.get(p.role)]
    if not posts:
        raise StaffingError(_("没有需要平台账号的测试工作人员"))
    result = StaffAccounts()
    # their existing account: the same real name and phone
    existing = {
        (u.full_name, u.phone): u
        for u in User.objects.filter(full_name__in={p.name for p in posts}, phone__in={p.phone for p in posts if p.phone})
    }
    pending: list[tuple[StaffPost, str, str]] = []
    bases = {f"{p.site.code}-{SCHOOL_ACCOUNT_SUFFIXES[accounts[p.role]]}" for p in posts}
    near = Q(pk__in=[])
    for base in bases:
        near |= Q(username__startswith=base)
    taken = set(User.objects.filter(near).values_list("username", flat=True))
    grants: list[tuple[StaffPost, int]] = []
    for p in posts:
        user = p.user or (existing.get((p.name, p.phone)) if p.phone else None)
        if user is not None:
            grants.append((p, user.pk))
            if p.user_id is None:
                p.user = user
                p.save(update_fields=["user"])
            continue
        base = f"{p.site.code}-{SCHOOL_ACCOUNT_SUFFIXES[accounts[p.role]]}"
        pending.append((p, _free_username(base, taken), random_initial_password(rng=rng)))
    if pending:
        hashes = hash_initial_passwords([pw for _p, _u, pw in pending])
        joined = clock.now()
        users = User.objects.bulk_create([
            User(username=u, full_name=p.name, phone=p.phone, must_change_password=True, password=h,
                 date_joined=joined)
            for (p, u, _pw), h in zip(pending, hashes, strict=True)
        ])
        ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
        for p, username, password in pending:
            p.user_id = ids[username]
            p.save(update_fields=["user"])
            grants.append((p, ids[username]))
            result.created.append(Credential(p.site.code, p.site.name, county.name, accounts[p.role], username,
                                             password))
    fresh = {p.pk for p, _u, _pw in pending}
    have = set(RoleAssignment.objects.filter(user_id__in={u for _p, u in grants}).values_list(
        "user_id", "role", "unit_id"))
    new = []
    for p, user_id in grants:
        key = (user_id, accounts[p.role], p.site_id)
        if key not in have:
            have.add(key)
            new.append(RoleAssignment(user_id=user_id, role=accounts[p.role], unit_id=p.site_id, cycle=cycle))
            if p.pk not in fresh:
                result.roles_added.append(p.name)
    RoleAssignment.objects.bulk_create(new)
    result.xlsx = credentials_xlsx(result.created)
    audit_record(
        action=Action.EXPORT, object_type="accounts.user", object_repr=f"{county.name} 测试工作人员账号初始密码",
        unit=county, after={"created": len(result.created), "roles": len(new),
                            "usernames": [c.username for c in result.created]},
        detail=f"为测试工作人员创建 {len(result.created)} 个账号、授予 {len(new)} 个本轮角色（初始密码仅此一次）",
        actor=actor,
    )
    return result

