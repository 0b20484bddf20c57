"""Live progress of the online questionnaires per school (the live-progress contract of the
`live` app; SPEC §12: 问卷调查进度管理系统). Counts only — never an answer.

For `day`: the (respondent, questionnaire) pairs whose window touches that day are *invited*
(every slip issued, the school's principal, each parent link); *started* have a real response not
yet submitted, *submitted* are done, *not started* the rest. Practice (模拟练习) is counted apart:
practice responses submitted, whatever the day. Three queries whatever the number of schools."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiance.questionnaires.models import Kind, Respondent, Response
from jiance_core.questionnaires.windows import questionnaires_for, spans

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COLUMNS: list[tuple[str, StrOrPromise]] = [
    ("questionnaires_invited", _("问卷应答人次")),
    ("questionnaires_not_started", _("问卷未开始")),
    ("questionnaires_started", _("问卷填答中")),
    ("questionnaires_submitted", _("问卷已提交")),
    ("questionnaires_practice", _("模拟练习已完成")),
]
ATTENTION: dict[str, int] = {"questionnaires_not_started": 2, "questionnaires_started": 1}


def _due(config: dict[str, Any], kind: str, stage: str, role: str, day: dt.date, tz: ZoneInfo) -> set[str]:
    out = set()
    for code in questionnaires_for(config, kind, teacher_role=role, stage=stage):
        for span in spans(config, code, kind, stage):
            first = span.start.astimezone(tz).date()
            last = (span.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
            if first <= day <= last:
                out.add(code)
    return out


def school_progress(*, cycle: Any, school_ids: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    config = cycle.config or {}
    tz = ZoneInfo(str(config.get("timezone") or "Asia/Shanghai"))
    invited: dict[int, set[tuple[int, str]]] = defaultdict(set)
    cache: dict[tuple[str, str, str], set[str]] = {}

    def due(kind: str, stage: str, role: str) -> set[str]:
        key = (kind, stage, role)
        if key not in cache:
            cache[key] = _due(config, kind, stage, role, day, tz)
        return cache[key]

    rows = Respondent.objects.filter(cycle=cycle, unit_id__in=school_ids).values_list(
        "pk", "unit_id", "kind", "stage", "teacher_role")
    for pk, unit_id, kind, stage, role in rows:
        if kind == Kind.PRINCIPAL:
            continue  # counted below, once per school, whether or not the principal has opened the page yet
        for code in due(kind, stage, role):
            invited[unit_id].add((pk, code))
    principal_codes = due(Kind.PRINCIPAL, "junior", "")
    for school_id in school_ids:
        for code in principal_codes:
            invited[school_id].add((-school_id, code))
    counts = (
        Response.objects.filter(respondent__cycle=cycle, respondent__unit_id__in=school_ids)
        .values("respondent__unit_id", "questionnaire__code", "practice")
        .annotate(started=Count("pk", filter=Q(submitted_at__isnull=True)),
                  submitted=Count("pk", filter=Q(submitted_at__isnull=False)))
    )
    out: dict[int, dict[str, int]] = {}
    for row in counts:
        school = row["respondent__unit_id"]
        entry = out.setdefault(school, dict.fromkeys((k for k, _label in COLUMNS), 0))
        if row["practice"]:
            entry["questionnaires_practice"] += row["submitted"]
        elif any(code == row["questionnaire__code"] for _pk, code in invited.get(school, ())):
            entry["questionnaires_started"] += row["started"]
            entry["questionnaires_submitted"] += row["submitted"]
    for school, pairs in invited.items():
        if not pairs:
            continue
        entry = out.setdefault(school, dict.fromkeys((k for k, _label in COLUMNS), 0))
        entry["questionnaires_invited"] = len(pairs)
    for entry in out.values():
        entry["questionnaires_not_started"] = max(
            0, entry["questionnaires_invited"] - entry["questionnaires_started"] - entry["questionnaires_submitted"])
    return {k: v for k, v in out.items() if any(v.values())}
