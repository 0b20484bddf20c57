"""Reads about people and accounts, always through the Scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import ACCOUNT_MANAGERS
from jiance.accounts.scoping import Scope
from jiance.units.models import Level, Unit


def role_holders(
    *, scope: Scope, unit: Unit | None = None, role: str = "", q: str = ""
) -> QuerySet[RoleAssignment]:
    """Role assignments in the units this person manages (and below), newest structure first."""
    qs = RoleAssignment.objects.filter(
        unit__in=scope.units_for_roles(ACCOUNT_MANAGERS)
    ).select_related("user", "unit")
    qs = scope.filter(qs, unit_field="unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if role:
        qs = qs.filter(role=role)
    if q:
        qs = qs.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q) | Q(unit__name__icontains=q)
        )
    return qs.order_by("unit__path", "role", "user__username")


def manageable_units(*, scope: Scope, levels: tuple[str, ...] | None = None) -> QuerySet[Unit]:
    """Units where this person may manage accounts (their admin units and everything below)."""
    qs = scope.filter(scope.units_for_roles(ACCOUNT_MANAGERS), unit_field="self")
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.filter(is_active=True).order_by("path")


def bulk_account_units(*, scope: Scope) -> QuerySet[Unit]:
    """Units a bulk creation of school accounts may start from: county level or higher."""
    return manageable_units(
        scope=scope, levels=(Level.CENTRE, Level.PROVINCE, Level.CITY, Level.COUNTY)
    )


def school_account_counts(*, unit: Unit) -> dict[str, Any]:
    schools = Unit.objects.subtree_of(unit).schools().filter(is_active=True)
    return {"schools": schools.count()}
