"""Writes of sampling: draw, publish, confirm, replace. Each runs under `transaction.atomic`,
checks permissions through the Scope and writes its audit entry in the same transaction.

`draw_verify` is the one read here: it recomputes the hash chain of a published draw.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from jiance import clock
from jiance.accounts.scoping import Scope
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.cycles.services import milestones_observed, milestones_withdrawn
from jiance.sampling import selectors
from jiance.sampling.models import (
    REPLACEMENT_ROLES,
    DrawStatus,
    Method,
    ReasonKind,
    ReplacementRequest,
    RequestStatus,
    RowStatus,
    SampledSchool,
    SampleRole,
    SamplingError,
    SchoolDraw,
)
from jiance.sampling.plan import plan_from_config
from jiance.sampling.selectors import COUNTY_ROLES, DRAW_ROLES, OWNER_LEVELS
from jiance.stages import stage_name
from jiance.units.models import Unit
from jiance_core.errors import ValidationFailed
from jiance_core.sampling.schools import draw_school_sample, frame_content_hash

SEED_LIMIT = 2**31  # seeds people can read out and type back: at most 10 digits


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def _require_owner(scope: Scope, owner: Unit) -> None:
    if owner.level not in OWNER_LEVELS:
        raise SamplingError("只有市级（或省级、国家监测中心）可以抽取样本校。")
    scope.require(DRAW_ROLES, owner)


def _name_county(text: str, code: str, name: str) -> str:
    return name + text[len(code):] if text.startswith(code) else text


@transaction.atomic
def draw_create(
    *, scope: Scope, cycle: Cycle, owner: Unit, seed: int | None = None, method: str = Method.PPS, actor: Any
) -> SchoolDraw:
    """Draw the sample schools of every county under `owner` from their approved frames.

    Refuses (SamplingError, Chinese) when a county's frame is not approved, naming every such
    county. The seed is the one given, or a new random one; it is stored, and the same seed on a
    frame with the same content hash gives the same rows. Earlier drafts of the same owner and
    cycle are discarded.
    """
    _require_owner(scope, owner)
    if method not in Method.values:
        raise SamplingError(f"抽样方法无效：{method}，应为 pps 或 srs。")
    if seed is None:
        seed = new_seed()
    if not 0 <= int(seed) < 2**63:
        raise SamplingError("随机种子应为非负整数。")
    counties = selectors.draw_counties(scope=scope, cycle=cycle, owner=owner)
    if not counties:
        raise SamplingError(f"{owner.name}下没有参加本周期监测的县（区）。")
    status = selectors.frame_status(scope=scope, cycle=cycle, counties=counties)
    pending = [f"{s.county.name}（{s.status_label}）" for s in status if not s.approved]
    if pending:
        raise SamplingError(
            "以下县（区）的属地学校信息尚未审核通过，不能抽样：" + "、".join(pending)
            + "。请先完成这些县（区）的信息上报与审核。"
        )
    params = plan_from_config(cycle.config, counties)
    frame, schools = selectors.approved_frame(scope=scope, cycle=cycle, counties=counties)
    if frame.height == 0:
        raise SamplingError("已审核通过的属地学校信息中没有学校，不能抽样。")
    try:
        sample = draw_school_sample(frame, params.engine_plan(method), seed=int(seed))
    except ValidationFailed as exc:
        raise SamplingError("抽样框有误，未抽样：" + "；".join(str(e) for e in exc.errors[:20])) from exc

    by_code = {c.code: c for c in counties}
    explanations = [
        {
            "county": e.county, "county_name": by_code[e.county].name if e.county in by_code else e.county,
            "stage": e.stage, "text": _name_county(e.text, e.county, by_code[e.county].name)
            if e.county in by_code else e.text,
            "frame_schools": e.frame_schools, "planned_schools": e.planned_schools,
            "target_students": e.target_students, "sampled": e.sampled, "added": e.added,
            "replacements": e.replacements, "planned_students": e.planned_students,
        }
        for e in sample.explanations
    ]
    SchoolDraw.objects.filter(cycle=cycle, owner=owner, status=DrawStatus.DRAFT).delete()
    draw = SchoolDraw.objects.create(
        cycle=cycle, owner=owner, method=method, seed=int(seed), frame_hash=sample.frame_hash,
        frame_schools=frame.height, plan=params.as_json(), counties=[c.code for c in counties],
        explanations=explanations, summary=sample.summary(), engine=str(getattr(sample, "engine", ""))[:60],
        created_at=clock.now(), created_by=actor,
    )
    _store_rows(draw, sample.rows.to_dicts(), by_code, schools)
    audit_record(
        action=Action.CREATE, obj=draw, unit=owner, actor=actor,
        after={"seed": draw.seed, "method": method, "frame_hash": draw.frame_hash, "counties": draw.counties,
               "frame_schools": draw.frame_schools, "rows": draw.rows.count()},
        detail=f"样本校抽样预览：{owner.name}，{cycle.name}，随机种子 {draw.seed}",
    )
    return draw


def _store_rows(draw: SchoolDraw, rows: list[dict[str, Any]], counties: dict[str, Unit], schools: dict[str, Unit]) -> None:
    def make(r: dict[str, Any]) -> SampledSchool:
        row = SampledSchool(
            draw=draw, county=counties[r["county"]], stage=r["stage"], school=schools[r["school_id"]],
            role=r["role"], selection_probability=float(r["selection_probability"]),
            base_weight=float(r["base_weight"]), planned_students=int(r["planned_students"]),
            certainty=bool(r["certainty"]), frame_order=int(r["frame_order"]),
            school_type=r["school_type"], area=r["area"], primary_students=int(r["primary_students"]),
            junior_students=int(r["junior_students"]),
        )
        row.status = row.initial_status()
        return row

    selected = [make(r) for r in rows if r["role"] not in REPLACEMENT_ROLES]
    SampledSchool.objects.bulk_create(selected, batch_size=1000)
    by_key = {(s.stage, s.school.code): s for s in selected}
    reps = []
    for r in rows:
        if r["role"] in REPLACEMENT_ROLES:
            row = make(r)
            row.replaces = by_key[(r["stage"], r["replaces"])]
            reps.append(row)
    SampledSchool.objects.bulk_create(reps, batch_size=1000)


def _locked_draw(draw: SchoolDraw) -> SchoolDraw:
    return SchoolDraw.objects.select_for_update().select_related("cycle", "owner").get(pk=draw.pk)


def _all_rows(draw: SchoolDraw) -> list[SampledSchool]:
    return list(SampledSchool.objects.filter(draw=draw).select_related("county", "school", "replaces__school"))


@transaction.atomic
def draw_publish(*, scope: Scope, draw: SchoolDraw, actor: Any) -> SchoolDraw:
    """Publish a previewed draw: it becomes immutable, and its hash is computed and stored."""
    _require_owner(scope, draw.owner)
    draw = _locked_draw(draw)
    if draw.is_published:
        raise SamplingError("该样本已经发布，不能重复发布。")
    taken = selectors.covered_counties_elsewhere(cycle=draw.cycle, counties=draw.counties, exclude_draw=draw.pk)
    if taken:
        names = dict(Unit.objects.filter(code__in=taken).values_list("code", "name"))
        raise SamplingError(
            "以下县（区）已有已发布的样本，不能再次发布：" + "、".join(names.get(c, c) for c in taken)
        )
    counties = list(Unit.objects.filter(code__in=draw.counties).order_by("path"))
    frame, _schools = selectors.approved_frame(scope=scope, cycle=draw.cycle, counties=counties)
    if frame.height == 0 or frame_content_hash(frame) != draw.frame_hash:
        raise SamplingError("预览之后抽样框（已审核的属地学校信息）发生了变化，请重新抽样后再发布。")
    rows = _all_rows(draw)
    draw.status = DrawStatus.PUBLISHED
    draw.published_at = clock.now()
    draw.published_by = actor
    draw.published_hash = draw.sample_hash = draw.compute_base_hash(rows)
    try:
        with transaction.atomic():
            draw.save()
    except IntegrityError as exc:
        raise SamplingError("本周期该单位已有已发布的样本，不能再次发布。") from exc
    audit_record(
        action=Action.APPROVE, obj=draw, unit=draw.owner, actor=actor,
        before={"status": DrawStatus.DRAFT},
        after={"status": draw.status, "sample_hash": draw.sample_hash, "seed": draw.seed,
               "frame_hash": draw.frame_hash, "rows": len(rows)},
        detail=f"发布样本校名单：{draw.owner.name}，校验码 {draw.sample_hash}",
    )
    return draw


@dataclass
class Verification:
    ok: bool
    stored_hash: str
    computed_hash: str
    problems: list[str] = field(default_factory=list)
    links: int = 0


def draw_verify(*, draw: SchoolDraw) -> Verification:
    """Recompute a published draw's hash chain from the stored rows and replacements.

    Checks: the rows still give the hash of publication; every approved replacement's link
    covers the previous hash and its change; the head of the chain is the stored sample hash;
    the rows' states (在样 / 备用 / 已被替换) are those the approved replacements lead to.
    The caller has already checked that the person may see the draw.
    """
    draw = SchoolDraw.objects.select_related("cycle", "owner").get(pk=draw.pk)
    if not draw.is_published:
        return Verification(False, "", "", ["样本尚未发布，没有校验码。"])
    rows = _all_rows(draw)
    problems: list[str] = []
    base = draw.compute_base_hash(rows)
    if base != draw.published_hash:
        problems.append("样本校记录与发布时的校验码不一致：发布后样本校名单、概率、权重或计划人数被改动。")
    head = base
    expected = {r.pk: r.initial_status() for r in rows}
    approved = list(
        ReplacementRequest.objects.filter(sampled_school__draw=draw, status=RequestStatus.APPROVED)
        .select_related("sampled_school__county", "sampled_school__school", "replacement__school")
        .order_by("sequence", "pk")
    )
    for i, req in enumerate(approved, start=1):
        label = f"第 {i} 次替换（{req.sampled_school.school.name}）"
        if req.sequence != i:
            problems.append(f"{label}：序号应为 {i}，记录为 {req.sequence}。")
        if req.prev_hash != head:
            problems.append(f"{label}：所接的上一校验码与链条不符。")
        link = req.compute_hash()
        if link != req.hash:
            problems.append(f"{label}：替换记录（学校、原因、审核人或时间）在审核后被改动。")
        rep = req.replacement
        if rep is None or rep.draw_id != draw.pk:
            problems.append(f"{label}：替补学校不属于本样本。")
        else:
            expected[req.sampled_school_id] = RowStatus.WITHDRAWN
            expected[rep.pk] = RowStatus.IN_SAMPLE
        head = link
    # Recompute the head from our own links so a stored hash cannot vouch for itself.
    computed = head
    if computed != draw.sample_hash:
        problems.append("样本当前校验码与替换记录链条计算结果不一致。")
    for r in rows:
        if r.status != expected[r.pk]:
            problems.append(
                f"{r.county.name} {stage_name(r.stage)} {r.school.name}：状态为“{r.get_status_display()}”，"
                f"按已审核的替换记录应为“{RowStatus(expected[r.pk]).label}”。"
            )
    return Verification(not problems, draw.sample_hash, computed, problems, len(approved))


# --- county: confirmation and replacement requests -------------------------------------------
def _require_county(scope: Scope, row: SampledSchool) -> None:
    scope.require(COUNTY_ROLES, row.county)


@transaction.atomic
def sample_confirm(*, scope: Scope, sampled_school: SampledSchool, actor: Any) -> SampledSchool:
    """样本校名单确认 of one school by its county. Confirming twice changes nothing."""
    _require_county(scope, sampled_school)
    row = SampledSchool.objects.select_for_update().get(pk=sampled_school.pk)
    if row.status != RowStatus.IN_SAMPLE:
        raise SamplingError("该学校不在当前样本中，无需确认。")
    if row.confirmed_at is None:
        now = clock.now()
        SampledSchool.objects.filter(pk=row.pk).update(confirmed_at=now, confirmed_by=actor)
        audit_record(
            action=Action.UPDATE, obj=row, unit=sampled_school.county, actor=actor,
            before={"confirmed_at": None}, after={"confirmed_at": now},
            detail=f"确认样本校：{sampled_school.school.name}（{stage_name(row.stage)}）",
        )
        _county_confirmed(draw=row.draw, county=row.county, actor=actor)
    return SampledSchool.objects.select_related("county", "school", "confirmed_by", "replaces__school").get(pk=row.pk)


@transaction.atomic
def sample_confirm_county(*, scope: Scope, draw: SchoolDraw, county: Unit, actor: Any) -> int:
    """Confirm every unconfirmed school in the county's current sample; returns how many."""
    scope.require(COUNTY_ROLES, county)
    if not draw.is_published:
        raise SamplingError("样本尚未发布，不能确认。")
    rows = list(
        SampledSchool.objects.select_for_update().filter(
            draw=draw, county=county, status=RowStatus.IN_SAMPLE, confirmed_at__isnull=True
        )
    )
    if not rows:
        return 0
    now = clock.now()
    SampledSchool.objects.filter(pk__in=[r.pk for r in rows]).update(confirmed_at=now, confirmed_by=actor)
    audit_record(
        action=Action.UPDATE, obj=draw, unit=county, actor=actor,
        after={"confirmed": [r.pk for r in rows], "confirmed_at": now},
        detail=f"确认样本校名单：{county.name}，{len(rows)} 所",
    )
    _county_confirmed(draw=draw, county=county, actor=actor)
    return len(rows)


def _county_confirmed(*, draw: SchoolDraw, county: Unit, actor: Any) -> None:
    """The county's 确认样本校名单 task is done once every school of its current sample is confirmed."""
    pending = SampledSchool.objects.filter(draw=draw, county=county, status=RowStatus.IN_SAMPLE,
                                           confirmed_at__isnull=True)
    if not pending.exists():
        milestones_observed(cycle=draw.cycle, unit=county, event="sample_confirmed", actor=actor)


@transaction.atomic
def replacement_request(
    *, scope: Scope, sampled_school: SampledSchool, reason: str, actor: Any, reason_kind: str = ReasonKind.OTHER
) -> ReplacementRequest:
    """A county asks to replace a school of its published sample (closed, merged, refused…)."""
    _require_county(scope, sampled_school)
    row = SampledSchool.objects.select_for_update().select_related("draw", "school").get(pk=sampled_school.pk)
    if not row.draw.is_published:
        raise SamplingError("样本尚未发布，不能申请替换。")
    if row.status != RowStatus.IN_SAMPLE:
        raise SamplingError(f"{row.school.name}不在当前样本中，不能申请替换。")
    reason = (reason or "").strip()
    if not reason:
        raise SamplingError("请填写申请替换的原因。")
    if reason_kind not in ReasonKind.values:
        raise SamplingError("替换原因类别无效。")
    if ReplacementRequest.objects.filter(sampled_school=row, status=RequestStatus.PENDING).exists():
        raise SamplingError(f"{row.school.name}已有待审核的替换申请。")
    req = ReplacementRequest.objects.create(
        sampled_school=row, reason_kind=reason_kind, reason=reason, requested_at=clock.now(), requested_by=actor,
    )
    audit_record(
        action=Action.SUBMIT, obj=req, unit=sampled_school.county, actor=actor,
        after={"school": row.school.code, "stage": row.stage, "reason_kind": reason_kind, "reason": reason},
        detail=f"申请替换样本校：{row.school.name}（{stage_name(row.stage)}），原因：{reason}",
    )
    return req


def _locked_request(request: ReplacementRequest) -> ReplacementRequest:
    req = ReplacementRequest.objects.select_for_update().select_related(
        "sampled_school__draw", "sampled_school__county", "sampled_school__school"
    ).get(pk=request.pk)
    if req.status != RequestStatus.PENDING:
        raise SamplingError(f"该申请已{req.get_status_display()}，不能再次审核。")
    return req


def _require_decider(scope: Scope, req: ReplacementRequest) -> None:
    scope.require(DRAW_ROLES, req.sampled_school.county)
    scope.require(DRAW_ROLES, req.sampled_school.draw.owner)


def replacement_candidates(row: SampledSchool) -> list[SampledSchool]:
    """The standby replacements of a row's selected school, replacement1 first."""
    root_id = row.replaces_id if row.role in REPLACEMENT_ROLES else row.pk
    return list(
        SampledSchool.objects.filter(replaces_id=root_id, status=RowStatus.STANDBY)
        .select_related("school", "county")
        .order_by("role")
    )


@transaction.atomic
def replacement_approve(
    *, scope: Scope, request: ReplacementRequest, actor: Any, comment: str = "", skip_first: bool = False
) -> ReplacementRequest:
    """The city approves: the school's replacement1 takes its place (replacement2 when
    replacement1 is unavailable: already used, inactive, or `skip_first`), and the change is
    chained onto the sample hash."""
    _require_decider(scope, request)
    draw = _locked_draw(request.sampled_school.draw)
    req = _locked_request(request)
    row = SampledSchool.objects.select_related("school", "county").get(pk=req.sampled_school_id)
    if row.status != RowStatus.IN_SAMPLE:
        raise SamplingError(f"{row.school.name}已不在当前样本中。")
    candidates = [c for c in replacement_candidates(row) if c.school.is_active]
    if skip_first:
        candidates = [c for c in candidates if c.role != SampleRole.REPLACEMENT1]
    if not candidates:
        raise SamplingError(
            f"{row.school.name}（{stage_name(row.stage)}）没有可用的替补学校：第一、第二替补校均已使用或不可用。"
        )
    chosen = candidates[0]
    sequence = ReplacementRequest.objects.filter(sampled_school__draw=draw, status=RequestStatus.APPROVED).count() + 1
    req.status = RequestStatus.APPROVED
    req.decided_at = clock.now()
    req.decided_by = actor
    req.comment = (comment or "").strip()
    req.replacement = chosen
    req.sequence = sequence
    req.prev_hash = draw.sample_hash
    req.hash = req.compute_hash()
    req.save()
    SampledSchool.objects.filter(pk=row.pk).update(status=RowStatus.WITHDRAWN)
    SampledSchool.objects.filter(pk=chosen.pk).update(status=RowStatus.IN_SAMPLE)
    SchoolDraw.objects.filter(pk=draw.pk).update(sample_hash=req.hash)
    if chosen.confirmed_at is None:  # a school the county has not confirmed: its 确认样本校名单 task reopens
        milestones_withdrawn(cycle=draw.cycle, unit=row.county, event="sample_confirmed")
    audit_record(
        action=Action.APPROVE, obj=req, unit=row.county, actor=actor,
        before={"school": row.school.code, "sample_hash": req.prev_hash},
        after={"replacement": chosen.school.code, "role": chosen.role, "sample_hash": req.hash},
        detail=(f"同意替换样本校：{row.school.name} → {chosen.school.name}（{chosen.get_role_display()}），"
                f"原因：{req.reason}"),
    )
    return req


@transaction.atomic
def replacement_reject(*, scope: Scope, request: ReplacementRequest, actor: Any, comment: str) -> ReplacementRequest:
    _require_decider(scope, request)
    comment = (comment or "").strip()
    if not comment:
        raise SamplingError("驳回替换申请须填写理由。")
    req = _locked_request(request)
    req.status = RequestStatus.REJECTED
    req.decided_at = clock.now()
    req.decided_by = actor
    req.comment = comment
    req.save()
    audit_record(
        action=Action.RETURN, obj=req, unit=req.sampled_school.county, actor=actor,
        after={"status": req.status, "comment": comment},
        detail=f"驳回替换申请：{req.sampled_school.school.name}，理由：{comment}",
    )
    return req


def draw_export_record(*, draw: SchoolDraw, fmt: str, rows: int, actor: Any) -> None:
    audit_record(
        action=Action.EXPORT, obj=draw, unit=draw.owner, actor=actor,
        after={"format": fmt, "rows": rows, "sample_hash": draw.sample_hash},
        detail=f"导出样本校名单（{fmt.upper()}，{rows} 行）",
    )
