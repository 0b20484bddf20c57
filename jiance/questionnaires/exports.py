"""Exports of one questionnaire version for the centre: CSV, XLSX, SPSS `.sav` and the codebook.

The layout (columns, codes, labels) is `jiance_core.questionnaires.codebook`; this module reads the
answers and writes the files.

- **Version-aware**: one file per version; a response is in the export of the version it was
  given on (`Response.version`), never another's.
- **Practice answers are never exported** (`Response.practice`): the query excludes them.
- **Pseudonymous by default**: `resp_id` is a keyed HMAC of the respondent, with a key derived per
  cycle from the settings' secret material (`FIELD_ENCRYPTION_KEY`): stable across exports of the
  cycle (answers of several questionnaires join on it), different in each cycle, not reversible
  without the key. An **identified** export adds name, student number, slip login and account;
  only the cycle's owner office (the centre for national cycles) may make one, with a stated reason.
- **Scoped**: the rows are the respondents below the person's units (a city reading a national
  cycle exports its own schools).
- **Audited**: every export (and every refused identified one) writes an audit entry: version,
  format, rows, identified or not, the reason.
- **Formula-safe**: text cells of CSV and XLSX go through `safe_cell`.
- Built from batched queries (`BATCH` responses and their answers at a time).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook

from jiance.accounts.scoping import Scope
from jiance.audit.models import Action, Result
from jiance.audit.services import audit_record
from jiance.cycles.models import Cycle
from jiance.questionnaires.models import Answer, FormVersion, Response
from jiance.spreadsheets import safe_cell, workbook_bytes
from jiance.units.models import Level, Unit
from jiance_core.questionnaires.codebook import (
    CODEBOOK_HEADERS,
    Variable,
    answer_values,
    codebook_rows,
    variables,
)

FORMATS = ("csv", "xlsx", "sav")
BATCH = 1000


class ExportRefused(PermissionError):
    """An identified export asked for without the right or without a reason (Chinese message)."""


def pseudonym_key(cycle: Cycle) -> bytes:
    """The cycle's key for respondent pseudonyms, derived from the settings' secret material."""
    secret = settings.FIELD_ENCRYPTION_KEY.encode("ascii")
    return hmac.new(secret, f"jiance-questionnaire-pseudonym-v1:{cycle.code}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, respondent_id: int) -> str:
    """`R` + 20 hex characters of HMAC-SHA256(key, respondent id): 80 bits, no collision in practice."""
    return "R" + hmac.new(key, str(respondent_id).encode(), hashlib.sha256).hexdigest()[:20].upper()


@dataclass(frozen=True)
class Export:
    version: FormVersion
    columns: list[Variable]
    rows: Iterator[list[Any]]
    identified: bool


def responses_for(version: FormVersion, scope: Scope | None) -> Any:
    """The real (never practice) responses given on `version`, below the person's units."""
    qs = Response.objects.filter(version=version, practice=False)
    if scope is not None:
        qs = scope.filter(qs, unit_field="respondent__unit")
    return qs


def _counties(units: Sequence[Unit]) -> dict[str, str]:
    """unit path → the code of its county (the unit itself for a county)."""
    codes = {c for u in units for c in u.path.rstrip("/").split("/")}
    counties = set(Unit.objects.filter(code__in=codes, level=Level.COUNTY).values_list("code", flat=True))
    return {u.path: next((c for c in u.path.rstrip("/").split("/") if c in counties), "") for u in units}


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def build(version: FormVersion, *, scope: Scope | None, identified: bool = False) -> Export:
    """The columns and a lazy iterator of rows (batched queries) of `version`'s export."""
    form = version.form
    columns = variables(form, identified=identified)
    key = pseudonym_key(version.questionnaire.cycle)

    def rows() -> Iterator[list[Any]]:
        ids = list(responses_for(version, scope).order_by("pk").values_list("pk", flat=True))
        county_of: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            # the student's number and the account's name as plain columns: no student row (its
            # encrypted ID number) is loaded, even for an identified export
            batch = list(Response.objects.filter(pk__in=chunk).order_by("pk").select_related("respondent__unit")
                         .annotate(student_no=F("respondent__student__student_no"),
                                   account=F("respondent__user__username")))
            missing = [r.respondent.unit for r in batch if r.respondent.unit.path not in county_of]
            if missing:
                county_of.update(_counties(missing))
            answers: dict[int, dict[str, Any]] = {pk: {} for pk in chunk}
            for rid, name, value in Answer.objects.filter(response_id__in=chunk).values_list("response_id", "name",
                                                                                              "value"):
                answers[rid][name] = value
            for r in batch:
                p, unit = r.respondent, r.respondent.unit
                meta: list[Any] = [
                    pseudonym(key, p.pk), p.kind, unit.code if unit.level == Level.SCHOOL else "",
                    county_of.get(unit.path, ""), _local(r.started_at), _local(r.submitted_at),
                    "submitted" if r.submitted_at else "started", version.number, version.sha256,
                ]
                if identified:
                    meta += [p.name, r.student_no or "", p.login or "", r.account or ""]  # type: ignore[attr-defined]
                yield meta + answer_values(form, columns, answers[r.pk])

    return Export(version, columns, rows(), identified)


# --- files ---------------------------------------------------------------------------------------

def _text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_chunks(export: Export) -> Iterator[bytes]:
    """The CSV (UTF-8 with BOM for Excel, one header row of variable names), in chunks."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([v.name for v in export.columns])
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")
    buf.seek(0)
    buf.truncate()
    for n, row in enumerate(export.rows, start=1):
        writer.writerow([safe_cell(_text(v)) for v in row])
        if n % 500 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def _codebook_sheet(wb: Workbook, export: Export) -> None:
    ws = wb.create_sheet("变量说明 codebook")
    ws.append(list(CODEBOOK_HEADERS))
    for row in codebook_rows(export.columns, export.version.sha256):
        ws.append([safe_cell(v) for v in row])


def xlsx_bytes(export: Export) -> bytes:
    """Sheet 数据 (variable names, then the Chinese labels as a second header row) + the codebook."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据 data")
    ws.append([v.name for v in export.columns])
    ws.append([safe_cell(v.label.get("zh", "")) for v in export.columns])
    for row in export.rows:
        ws.append([safe_cell(v) for v in row])
    _codebook_sheet(wb, export)
    return workbook_bytes(wb)


SPSS_FORMATS = {"integer": "F8.0", "binary": "F1.0", "code": "F8.0", "decimal": "F12.6", "date": "DATE11",
                "datetime": "DATETIME20"}


def sav_bytes(export: Export) -> bytes:
    """SPSS: variable labels (Chinese, the English after a slash) and value labels from the XLSForm."""
    import polars as pl
    import pyreadstat

    cols = export.columns
    kinds: dict[str, Any] = {"integer": pl.Float64, "binary": pl.Float64, "code": pl.Float64, "decimal": pl.Float64,
             "date": pl.Date, "datetime": pl.Datetime("us"), "string": pl.String}
    data = list(export.rows)
    frame = pl.DataFrame({v.name: [row[i] for row in data] for i, v in enumerate(cols)},
                         schema={v.name: kinds[v.type] for v in cols})

    def label(v: Variable) -> str:
        return " / ".join(t for t in (v.label.get("zh"), v.label.get("en")) if t)[:250]

    value_labels: dict[str, Any] = {
        v.name: {code: " / ".join(t for t in (lab.get("zh"), lab.get("en")) if t)[:120] for code, lab in v.values.items()}
        for v in cols if v.values}
    fd, path = tempfile.mkstemp(suffix=".sav")
    os.close(fd)
    try:
        pyreadstat.write_sav(
            frame, path, file_label=f"{export.version.questionnaire.code} v{export.version.number} {export.version.short_hash}"[:64],
            column_labels={v.name: label(v) for v in cols}, variable_value_labels=value_labels,
            variable_measure={v.name: "nominal" if v.type in ("code", "binary", "string") else "scale" for v in cols},
            variable_format={v.name: SPSS_FORMATS[v.type] for v in cols if v.type in SPSS_FORMATS},
        )
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def codebook_csv(export: Export) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CODEBOOK_HEADERS)
    for row in codebook_rows(export.columns, export.version.sha256):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def codebook_xlsx(export: Export) -> bytes:
    wb = Workbook(write_only=True)
    _codebook_sheet(wb, export)
    return workbook_bytes(wb)


def filename(version: FormVersion, what: str, ext: str, *, identified: bool = False) -> str:
    q = version.questionnaire
    tag = "identified" if identified else "pseudonymous"
    stem = f"{q.cycle.code}-{q.code}-v{version.number}-{version.short_hash[:8]}"
    return f"{stem}-{what}.{ext}" if what == "codebook" else f"{stem}-{tag}.{ext}"


# --- the audited services ------------------------------------------------------------------------

def export_record(*, version: FormVersion, fmt: str, rows: int | None, identified: bool, reason: str,
                  actor: Any, unit: Unit | None) -> None:
    """Audit one export of answers (the codebook holds no personal data and is not audited)."""
    q = version.questionnaire
    kind = "实名" if identified else "假名"
    audit_record(
        action=Action.EXPORT, object_type="questionnaires.formversion", object_id=str(version.pk),
        object_repr=f"{q.name} 第 {version.number} 版（{version.short_hash}）"[:200], unit=unit, actor=actor,
        detail=f"导出问卷答案（{kind}，{fmt}" + (f"，{rows} 份答卷" if rows is not None else "") + "）"
        + (f"；原因：{reason}" if reason else ""),
    )


def identified_refused_record(*, version: FormVersion, reason: str, actor: Any, unit: Unit | None) -> None:
    audit_record(
        action=Action.EXPORT, object_type="questionnaires.formversion", object_id=str(version.pk),
        object_repr=f"{version.questionnaire.name} 第 {version.number} 版"[:200], unit=unit, actor=actor,
        result=Result.DENIED, detail="实名导出问卷答案被拒绝" + (f"；所填原因：{reason}" if reason else ""),
    )
