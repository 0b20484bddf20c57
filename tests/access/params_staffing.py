"""URL parameters of jiance.staffing routes for the access walk.

Ids are distinctive because the walk blanks argument values out of response bodies. The badge
verification page is public by design (what a badge's QR code opens: name, post, site, cycle and
status only, behind a 128-bit token), so the walk leaves it out like the login page.
"""

from __future__ import annotations

from jiance.units.models import Level, Unit
from tests.access.registry import PUBLIC_ROUTES, param

ID_BASE = 87_000_000
PUBLIC_ROUTES.add("staffing:verify")


def _cycle():  # type: ignore[no-untyped-def]
    from jiance.cycles.models import Cycle

    cycle, _ = Cycle.objects.get_or_create(
        code="walk-2022", defaults={"year": 2022, "name": "走查周期", "config": {"test_days": []}}
    )
    return cycle


def _county(school: Unit) -> Unit:
    return school.ancestors().filter(level=Level.COUNTY).first() or school


def _post(school: Unit):  # type: ignore[no-untyped-def]
    from jiance import clock
    from jiance.staffing.models import StaffPost

    post, _ = StaffPost.objects.get_or_create(
        pk=ID_BASE + school.pk,
        defaults={"cycle": _cycle(), "site": school, "role": "责任督学", "provided_by": "county",
                  "name": "走查督学", "home": _county(school), "created_at": clock.now()},
    )
    return post


@param("member_id", missing="999999999")
def member_id(school: Unit) -> str:
    """A member of the school's county leadership group."""
    from jiance import clock
    from jiance.staffing.models import GroupMember

    member, _ = GroupMember.objects.get_or_create(
        pk=ID_BASE + 100_000 + school.pk,
        defaults={"cycle": _cycle(), "unit": _county(school), "role": "组员", "name": "走查组员",
                  "created_at": clock.now()},
    )
    return str(member.pk)


@param("post_id", missing="999999999")
def post_id(school: Unit) -> str:
    """A post at the school (its county's inspector)."""
    return str(_post(school).pk)


@param("badge_id", missing="999999999")
def badge_id(school: Unit) -> str:
    """The badge of that post."""
    from jiance import clock
    from jiance.staffing.models import Badge

    badge, _ = Badge.objects.get_or_create(
        pk=ID_BASE + 200_000 + school.pk,
        defaults={"cycle": _cycle(), "staff": _post(school), "site": school, "name": "走查督学", "role": "责任督学",
                  "site_name": school.name, "cycle_name": "走查周期", "issued_at": clock.now()},
    )
    return str(badge.pk)


@param("token", missing="no-such-badge-token-000")
def token(school: Unit) -> str:
    """The verification token of that badge (a public route: see above)."""
    from jiance.staffing.models import Badge

    return Badge.objects.get(pk=int(badge_id(school))).token
