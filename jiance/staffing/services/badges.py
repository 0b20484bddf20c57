"""Badges: the county prints one badge per person of its staffing (a valid badge is reused, so
printing again gives the same QR codes); a badge is revoked when withdrawn or its post deleted."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.staffing import selectors
from jiance.staffing.models import Badge, StaffingError
from jiance.units.models import Unit


@transaction.atomic
def badges_issue(*, scope: Scope, cycle: Cycle, county: Unit, actor: Any, site: Unit | None = None) -> list[Badge]:
    """The valid badge of every person the county's sample schools have (of one `site` if given),
    made now for those without one; in site and post order."""
    scope.require(selectors.COUNTY_EDIT_ROLES, county)
    sites = selectors.sample_sites(cycle=cycle, county=county)
    if site is not None:
        sites = [s for s in sites if s.pk == site.pk]
    posts = list(selectors.posts_of(scope=scope, cycle=cycle, sites=sites))
    valid = {b.staff_id: b for b in Badge.objects.filter(staff__in=posts, revoked_at__isnull=True)}
    now = clock.now()
    made = []
    for p in posts:
        if p.pk not in valid:
            role = p.role if p.room is None else f"{p.role}（{selectors.room_label(p.room)}）"
            made.append(Badge(cycle=cycle, staff=p, site=p.site, name=p.name, role=role, site_name=p.site.name,
                              cycle_name=cycle.name, issued_at=now))
    if made:
        Badge.objects.bulk_create(made)
        audit_record(action=Action.CREATE, object_type="staffing.badge", object_repr=f"{county.name} 工作胸牌",
                     unit=county, after={"count": len(made)}, detail=f"制作工作胸牌 {len(made)} 个", actor=actor)
    by_post = {b.staff_id: b for b in Badge.objects.filter(staff__in=posts, revoked_at__isnull=True)}
    return [by_post[p.pk] for p in posts if p.pk in by_post]


@transaction.atomic
def badge_revoke(*, scope: Scope, badge: Badge, actor: Any) -> Badge:
    """Revoke a badge (lost, or the person replaced): its QR code answers “已作废” from now on."""
    county = badge.site.parent
    scope.require(selectors.COUNTY_EDIT_ROLES, badge.site)
    badge = Badge.objects.select_for_update().get(pk=badge.pk)
    if badge.revoked_at is not None:
        raise StaffingError(_("该胸牌已作废"))
    badge.revoked_at = clock.now()
    badge.save(update_fields=["revoked_at"])
    audit_record(action=Action.UPDATE, obj=badge, unit=county or badge.site, after={"revoked": True},
                 detail="作废工作胸牌", actor=actor)
    return badge
