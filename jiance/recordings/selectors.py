"""The monitoring figures: per student and recording task its state (not started, recorded,
uploaded, checked, failed), and per school the count of each state. Grouped in Python from a
few flat queries (deliveries, recordings, marks, banks): the cost does not grow with tasks."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from jiance.cbt.models import Delivery, ItemBank
from jiance.cycles.models import Cycle
from jiance.recordings.models import STATE_LABELS, Recording, RecordingMark
from jiance.units.models import Unit
from jiance_core.recordings import checks
from jiance_core.recordings.tasks import Task, is_task, task_of


@dataclass
class Cell:
    task: Task
    state: str
    label: str
    last: dict[str, Any] | None
    attempts: int


@dataclass
class StudentRow:
    delivery: Delivery
    cells: list[Cell] = field(default_factory=list)


def _tasks(cycle: Cycle) -> dict[tuple[str, int], list[Task]]:
    """(subject, booklet) -> its recording tasks."""
    out: dict[tuple[str, int], list[Task]] = {}
    for bank in ItemBank.objects.filter(cycle=cycle):
        for number in bank.form_numbers():
            tasks = [task_of(i) for i in bank.form_items(number) if is_task(i)]
            if tasks:
                out[(bank.subject, number)] = tasks
    return out


def student_rows(*, cycle: Cycle, unit: Unit) -> list[StudentRow]:
    """Every delivery with recording tasks in `unit`'s subtree, with one cell per task."""
    tasks = _tasks(cycle)
    if not tasks:
        return []
    deliveries = [d for d in Delivery.objects.filter(
        sitting__cycle=cycle, sitting__school__path__startswith=unit.path).select_related(
        "student", "sitting", "sitting__school", "sitting__room", "plan_seat").order_by(
        "sitting__school__path", "sitting__room__number", "plan_seat__seat")
        if (d.sitting.subject, d.booklet) in tasks]
    ids = [d.pk for d in deliveries]
    recs: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in Recording.objects.filter(delivery_id__in=ids).order_by("attempt").values(
            "id", "delivery_id", "task", "attempt", "state", "duration", "silence", "clipped", "problems"):
        recs[(r["delivery_id"], r["task"])].append(dict(r))
    marks = set(RecordingMark.objects.filter(delivery_id__in=ids).values_list("delivery_id", "task"))
    rows = []
    for d in deliveries:
        row = StudentRow(d)
        for t in tasks[(d.sitting.subject, d.booklet)]:
            done = recs.get((d.pk, t.identifier), [])
            state = checks.task_state(done, marked=(d.pk, t.identifier) in marks)
            row.cells.append(Cell(t, state, str(STATE_LABELS[state]), done[-1] if done else None, len(done)))
        rows.append(row)
    return rows


def school_counts(rows: list[StudentRow]) -> list[tuple[Unit, dict[str, int]]]:
    """Per school (in tree order) the number of (student, task) cells in each state."""
    per: dict[int, Counter[str]] = {}
    schools: dict[int, Unit] = {}
    for row in rows:
        school = row.delivery.sitting.school
        schools[school.pk] = school
        per.setdefault(school.pk, Counter()).update(c.state for c in row.cells)
    return [(schools[pk], {s: per[pk].get(s, 0) for s in checks.STATES}) for pk in schools]


def totals(rows: list[StudentRow]) -> list[tuple[str, str, int]]:
    """(state, label, count) in the order of the states."""
    counted = Counter(c.state for row in rows for c in row.cells)
    return [(s, str(STATE_LABELS[s]), counted.get(s, 0)) for s in checks.STATES]
