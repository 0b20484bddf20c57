"""The school draw of a city or province as a background job (`jiance.jobs`).

A draw reads every approved frame below the owner and runs the engine: seconds for a county,
minutes for a province. The draw page offers it as a job; the seed is fixed at submission (a
new random one when left empty), so a retry draws exactly the same sample. The task runs
`services.draw_create` with the submitter's scope as it is at run time (permission checked
again), and its result is the link to the draft draw to check and publish.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from jiance.accounts.scoping import Scope
from jiance.cycles.models import Cycle
from jiance.jobs.runner import JobContext, JobResult, job_task
from jiance.jobs.services import JobError, job_submit
from jiance.sampling import services
from jiance.sampling.models import SamplingError
from jiance.units.models import Unit

KIND = "school_draw"


def draw_job_submit(*, scope: Scope, cycle: Cycle, owner: Unit, seed: int | None, method: str) -> Any:
    seed = services.new_seed() if seed is None else int(seed)
    return job_submit(
        task=draw_schools, owner=scope.user, unit=owner, kind=KIND,
        label=f"样本校抽样：{owner.name}，{cycle.name}（随机种子 {seed}）",
        params={"cycle_id": cycle.pk, "owner_id": owner.pk, "seed": seed, "method": method},
    )


@job_task
def draw_schools(ctx: JobContext) -> JobResult:
    """Draw the sample schools below the owner unit (a draft to check and publish)."""
    p = ctx.params
    user = ctx.submitter("抽样")
    cycle = Cycle.objects.filter(pk=p["cycle_id"]).first()
    owner = Unit.objects.filter(pk=p["owner_id"]).first()
    if cycle is None or owner is None:
        raise JobError("监测周期或单位已不存在。")
    ctx.progress(10, "读取已审核的抽样框并抽样")
    try:
        draw = services.draw_create(scope=Scope(user), cycle=cycle, owner=owner, seed=p["seed"],
                                    method=p["method"], actor=user)
    except SamplingError as exc:
        raise JobError(str(exc)) from exc
    except (PermissionDenied, Http404) as exc:  # RoleRequired is a PermissionDenied
        raise JobError("您已没有为该单位抽样的权限。") from exc
    return JobResult(url=reverse("sampling:draw", kwargs={"draw_id": draw.pk}),
                     message=f"已抽取 {draw.rows.count()} 行，请核对后发布")
