"""The responses of a subject's computer test for the centre, scored (CSV, XLSX).

- **Pseudonymous**: `resp_id` is the questionnaires' keyed pseudonym of the student's slip
  (`jiance.questionnaires.exports.pseudonym`), so a student's test joins their questionnaire
  answers in the centre's files; no name, student number or login.
- **Scoped**: the deliveries of the schools below the person's units.
- **Scored**: each objective item against the bank's `correct` (`jiance_core.cbt.scoring`):
  `<item>` the response, `<item>_score` 1/0 (blank for an item not in the student's booklet or
  not scored on screen), `score_total` of `score_max` (the booklet's scored items).
- **Formula-safe** cells (`safe_cell`); the view serves them no-store and audits the export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from jiance.accounts.scoping import Scope
from jiance.cbt.models import Delivery, ItemBank, ItemResponse
from jiance.questionnaires.exports import pseudonym, pseudonym_key
from jiance.questionnaires.models import Respondent
from jiance.spreadsheets import safe_cell, workbook_bytes
from jiance_core.cbt.scoring import scorable, score, shown

META = ["resp_id", "school_code", "county_code", "session", "booklet", "status", "seconds_used"]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]


def responses_table(*, bank: ItemBank, scope: Scope) -> Table:
    items = list(bank.items.values())
    header = META + [c for i in items for c in (i["identifier"], f"{i['identifier']}_score")] + [
        "score_total", "score_max"]
    qs = scope.filter(Delivery.objects.filter(sitting__cycle=bank.cycle, sitting__subject=bank.subject),
                      unit_field="sitting__school")
    deliveries = list(qs.select_related("sitting", "sitting__school", "sitting__school__parent").order_by(
        "sitting__school__code", "sitting__room__number", "plan_seat__seat"))
    slips = dict(Respondent.objects.filter(cycle=bank.cycle, student_id__in=[d.student_id for d in deliveries])
                 .values_list("student_id", "pk"))
    answers: dict[int, dict[str, Any]] = {d.pk: {} for d in deliveries}
    for did, name, value in ItemResponse.objects.filter(delivery_id__in=list(answers)).values_list(
            "delivery_id", "name", "value"):
        answers[did][name] = value
    key = pseudonym_key(bank.cycle)
    rows: list[list[Any]] = []
    for d in deliveries:
        school = d.sitting.school
        mine = set(bank.forms.get(str(d.booklet), []))
        row: list[Any] = [pseudonym(key, slips[d.student_id]) if d.student_id in slips else "", school.code,
                          school.parent.code if school.parent else "", d.sitting.session, d.booklet, d.status,
                          d.elapsed_seconds]
        total = most = 0
        for item in items:
            name = item["identifier"]
            if name not in mine:
                row += ["", ""]
                continue
            value = answers[d.pk].get(name)
            points = score(item, value)
            row += [shown(value), "" if points is None else points]
            if scorable(item):
                total, most = total + (points or 0), most + 1
        rows.append([*row, total, most])
    return Table(header, rows)


def table_csv(table: Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("作答 responses")
    ws.append(table.header)
    for row in table.rows:
        ws.append([safe_cell(v) for v in row])
    return workbook_bytes(wb)
