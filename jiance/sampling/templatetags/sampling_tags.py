"""`{% school_sample_notice unit %}`: the sample notice of a school, for any page that has one.

A one-line hook for the home page (per home unit)::

    {% load sampling_tags %}{% school_sample_notice panel.unit %}

Renders nothing for a unit that is not a school, not sampled, or outside the person's scope.
"""

from __future__ import annotations

from typing import Any

from django import template

from jiance.accounts.scoping import get_scope
from jiance.cycles.selectors import active_cycle
from jiance.sampling.selectors import school_sample_status
from jiance.units.models import Level

register = template.Library()


@register.inclusion_tag("sampling/_school_notice.html", takes_context=True)
def school_sample_notice(context: dict[str, Any], unit: Any) -> dict[str, Any]:
    request = context.get("request")
    if request is None or getattr(unit, "level", None) != Level.SCHOOL:
        return {"sample_notices": []}
    cycle = context.get("cycle") or active_cycle(get_scope(request))
    # After the release time (the page says so: `sample_released`, from the rosters' release rule)
    # the notice says the list is out, not that it comes on test day.
    return {"sample_notices": school_sample_status(get_scope(request), unit, cycle),
            "released": bool(context.get("sample_released"))}
