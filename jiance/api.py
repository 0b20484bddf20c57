"""The JSON API (django-ninja, OpenAPI at /api/docs). Session-authenticated, scoped like pages;
the documentation and the schema too (they map what the platform holds)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import visible_cycles
from jiance.units.models import Unit

api = NinjaAPI(title="Jiance API", version="1", auth=SessionAuth(), urls_namespace="api",
               docs_decorator=login_required)


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    school_type: str
    nature: str
    area: str
    affiliation: str


def _unit_out(u: Unit) -> UnitOut:
    return UnitOut(
        code=u.code, name=u.name, level=u.level,
        parent_code=u.path.rstrip("/").split("/")[-2] if u.parent_id else None,
        school_type=u.school_type, nature=u.nature, area=u.area, affiliation=u.affiliation,
    )


@api.get("/units/{code}", response=UnitOut)
def unit_detail(request: HttpRequest, code: str) -> UnitOut:
    return _unit_out(get_scope(request).get_unit(code=code))


@api.get("/units/{code}/children", response=list[UnitOut])
def unit_children(request: HttpRequest, code: str) -> list[UnitOut]:
    scope = get_scope(request)
    parent = scope.get_unit(code=code)
    return [_unit_out(u) for u in scope.filter(parent.children.all(), unit_field="self").order_by("code")]


class CycleOut(Schema):
    code: str
    year: int
    name: str
    status: str


@api.get("/cycles", response=list[CycleOut])
def cycle_list(request: HttpRequest) -> list[CycleOut]:
    cycles = visible_cycles(scope=get_scope(request))
    return [CycleOut(code=c.code, year=c.year, name=c.name, status=c.status) for c in cycles]
