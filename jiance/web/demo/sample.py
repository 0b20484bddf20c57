"""Step 2 of the demo chain: the city draws the sample schools (`draw_create`, PPS, the demo's
seed) and publishes them; most counties confirm their sample, 南昌县 all but two junior schools,
one of which has a replacement request waiting for the city."""

from __future__ import annotations

import datetime as dt

from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.sampling.models import Method, ReasonKind, RowStatus, SampledSchool, SampleRole
from jiance.sampling.services import (
    draw_create,
    draw_publish,
    replacement_request,
    sample_confirm,
    sample_confirm_county,
)
from jiance.units.models import Unit
from jiance.web.demo.common import (
    CONFIRM_DAYS_AGO,
    DRAW_DAYS_AGO,
    REPLACEMENT_REASON,
    UNCONFIRMED_IN_DEMO_COUNTY,
    ChainSummary,
    Sample,
    Timeline,
    acting,
    actor_of,
    county_officer,
)
from jiance.web.demo.frames import report_frames
from jiance.web.demo_data import DemoUnits


def build_sample(
    *, cycle: Cycle, city: Unit, counties: list[Unit], demo_county: Unit, data: DemoUnits, seed: int,
    today: dt.date, users: dict[str, User], summary: ChainSummary, complete: bool = False,
) -> Sample:
    """Frames reported and approved (step 1), the sample drawn, published and (mostly) confirmed;
    `complete`: every county confirmed every sample school (as on test day)."""
    when = Timeline(today)
    summary.county_name = demo_county.name
    city_info, city_admin, county_info = (
        Scope(users["nanchang.info"]), Scope(users["nanchang.admin"]), Scope(users["ncx.info"])
    )
    report_frames(cycle=cycle, counties=counties, demo_county=demo_county, data=data, when=when,
                  city_info=city_info, county_info=county_info, summary=summary)

    def county_scope(county: Unit) -> Scope:
        return county_officer(county, demo_county=demo_county, demo_officer=county_info)

    with when.at(DRAW_DAYS_AGO, 10, 0):
        draw = draw_create(scope=city_admin, cycle=cycle, owner=city, seed=seed, method=Method.PPS,
                           actor=city_admin.user)
    with when.at(DRAW_DAYS_AGO - 1, 9, 0):
        draw = draw_publish(scope=city_admin, draw=draw, actor=city_admin.user)
    summary.draw_seed, summary.draw_hash = draw.seed, draw.sample_hash

    rows = list(
        SampledSchool.objects.filter(draw=draw, status=RowStatus.IN_SAMPLE)
        .select_related("county", "school").order_by("county__path", "stage", "frame_order", "pk")
    )
    summary.sample_rows = len(rows)
    summary.sample_schools = len({r.school_id for r in rows})
    # Every county confirms its sample but the last one (it has not yet); 南昌县 confirms school
    # by school and keeps its last junior schools back, one of them asking for a replacement.
    for i, county in enumerate(counties):
        if county.pk == demo_county.pk or (i == len(counties) - 1 and not complete):
            continue
        scope = county_scope(county)
        with acting(scope), when.at(CONFIRM_DAYS_AGO - i % 3, 14, i):
            sample_confirm_county(scope=scope, draw=draw, county=county, actor=actor_of(scope))
        summary.counties_confirmed += 1
    mine = [r for r in rows if r.county_id == demo_county.pk]
    held = set() if complete else held_back(mine)
    for k, r in enumerate(mine):
        if r.pk in held:
            continue
        with when.at(CONFIRM_DAYS_AGO - 1, 9, k):
            sample_confirm(scope=county_info, sampled_school=r, actor=county_info.user)
        summary.demo_county_confirmed += 1
    summary.demo_county_rows = len(mine)
    if held:
        row = next(r for r in mine if r.pk == min(held))
        with when.at(2, 11, 20):
            replacement_request(scope=county_info, sampled_school=row, reason=REPLACEMENT_REASON,
                                actor=county_info.user, reason_kind=ReasonKind.MERGED)
        summary.replacements_pending = 1
    return Sample(draw=draw, rows=rows, held=held)




def held_back(rows: list[SampledSchool]) -> set[int]:
    """The sample rows of the demo county it has not confirmed: its last junior schools."""
    junior = [r for r in rows if r.stage == "junior"] or rows
    return {r.pk for r in junior[-UNCONFIRMED_IN_DEMO_COUNTY:]} if len(rows) > UNCONFIRMED_IN_DEMO_COUNTY else set()


def pick_demo_school(sample: Sample, county: Unit) -> Unit | None:
    """The school the school accounts work in: a confirmed in-sample 小学 of the county, drawn
    as a sample school (not added), of a size that shows a few classes (deterministic: the
    first by code)."""
    rows = [r for r in sample.rows if r.county_id == county.pk and r.stage == "primary" and r.school_type == "小学"]
    rows = [r for r in rows if r.pk not in sample.held]
    if not rows:
        return None
    sized = [r for r in rows if 60 <= r.primary_students <= 200]
    return min(sized or rows, key=lambda r: (r.role != SampleRole.SAMPLE, r.school.code)).school


