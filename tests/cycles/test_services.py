from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from jiance.audit.models import AuditEntry
from jiance.cycles.models import Cycle, CycleStatus, Milestone, MilestoneCompletion
from jiance.cycles.services import (
    cycle_activate,
    cycle_copy,
    cycle_load_file,
    milestones_observed,
    shipped_template_path,
    template_of,
)
from jiance_core.cycles.loader import load_template

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["national-2022", "national-2023", "national-2024", "chongqing-2020"])
def test_every_shipped_template_loads_with_its_milestone_tables(code: str) -> None:
    template = load_template(shipped_template_path(code))
    cycle = cycle_load_file(path=shipped_template_path(code))
    expected = sum(len(v) for v in template.milestones.values())
    assert cycle.milestones.count() == expected > 0
    assert cycle.test_days == template.test_days
    assert template_of(cycle) == template
    assert AuditEntry.objects.filter(object_id=str(cycle.pk), action="create").exists()


def test_2022_school_table_has_ten_tasks_and_centre_level_is_mapped() -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2022"))
    assert cycle.milestones.filter(level="school").count() == 10
    assert cycle.milestones.filter(level="county").count() == 13
    assert cycle.milestones.filter(level="city").count() == 13


def test_loading_twice_needs_replace_and_keeps_completions(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2024"))
    m = cycle.milestones.get(level="county", number=1)
    MilestoneCompletion.objects.create(milestone=m, unit=world.county_a, done_at=dt.datetime(2024, 3, 20, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="已存在"):
        cycle_load_file(path=shipped_template_path("national-2024"))
    cycle_load_file(path=shipped_template_path("national-2024"), replace=True)
    assert MilestoneCompletion.objects.filter(milestone__cycle=cycle, unit=world.county_a).count() == 1


def test_copy_shifts_every_date_by_the_same_offset_and_keeps_weekdays() -> None:
    source = cycle_load_file(path=shipped_template_path("national-2024"))
    copy = cycle_copy(source=source, new_year=2025)
    assert copy.code == "national-2025" and copy.year == 2025
    assert [d - dt.timedelta(days=364) for d in copy.test_days] == source.test_days
    assert [d.weekday() for d in copy.test_days] == [d.weekday() for d in source.test_days]
    old = {(m.level, m.number): m.deadline for m in source.milestones.all()}
    for m in copy.milestones.all():
        if m.deadline:
            assert m.deadline - old[(m.level, m.number)] == dt.timedelta(days=364)
    assert Milestone.objects.filter(cycle=copy).count() == len(old)


def test_activate_closes_the_other_active_cycle_of_the_programme() -> None:
    a = cycle_load_file(path=shipped_template_path("national-2023"))
    b = cycle_load_file(path=shipped_template_path("national-2024"))
    cq = cycle_load_file(path=shipped_template_path("chongqing-2020"))
    cycle_activate(cycle=cq)
    cycle_activate(cycle=a)
    cycle_activate(cycle=b)
    statuses = dict(Cycle.objects.values_list("code", "status"))
    assert statuses == {
        "national-2023": CycleStatus.CLOSED, "national-2024": CycleStatus.ACTIVE,
        "chongqing-2020": CycleStatus.ACTIVE,
    }


def test_command_reports_template_errors_in_chinese(tmp_path) -> None:
    broken = shipped_template_path("chongqing-2020").read_text(encoding="utf-8").replace(
        "code: chongqing-2020", "code: Chongqing 2020!"
    )
    f = tmp_path / "broken.yaml"
    f.write_text(broken, encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("cycle", "load", str(f))
    assert "code" in str(info.value)
    assert not Cycle.objects.exists()


def test_command_copy_is_one_action(capsys) -> None:
    call_command("cycle", "load", "national-2022")
    call_command("cycle", "copy", "national-2022", "--year", "2026")
    assert Cycle.objects.get(code="national-2026").test_days[0] == dt.date(2026, 5, 20)


def test_an_observed_task_completes_the_units_milestone_once(world) -> None:
    cycle = cycle_load_file(path=shipped_template_path("national-2022"))
    m = cycle.milestones.get(level="school", done_when="roster_submitted")
    assert m.number == 2
    assert milestones_observed(cycle=cycle, unit=world.school_a1, event="roster_submitted") == 1
    assert milestones_observed(cycle=cycle, unit=world.school_a1, event="roster_submitted") == 0
    done = MilestoneCompletion.objects.get(milestone=m, unit=world.school_a1)
    assert "系统记录" in done.note
    # another level or another event completes nothing
    assert milestones_observed(cycle=cycle, unit=world.county_a, event="roster_submitted") == 0
    assert milestones_observed(cycle=cycle, unit=world.school_a1, event="sample_confirmed") == 0
    assert MilestoneCompletion.objects.count() == 1


def test_copying_a_cycle_keeps_the_observed_tasks() -> None:
    source = cycle_load_file(path=shipped_template_path("national-2022"))
    copy = cycle_copy(source=source, days=364)
    assert set(copy.milestones.exclude(done_when="").values_list("level", "number", "done_when")) == {
        ("county", 3, "sample_confirmed"), ("school", 2, "roster_submitted"), ("school", 10, "tested_submitted"),
        ("county", 2, "frame_submitted document_approved:county_group_list"),
    }
