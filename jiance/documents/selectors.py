"""Reads of the implementation documents, always through the Scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from jiance.accounts import roles
from jiance.accounts.scoping import Scope
from jiance.documents.kinds import Kind, cycle_kinds
from jiance.documents.models import (
    DocStatus,
    DocumentFile,
    Submission,
    SubmissionEvent,
    SubmissionVersion,
)
from jiance.sampling.models import DrawStatus, RowStatus, SampledSchool
from jiance.units.models import Level, Unit, subtree_upper_bound

LEVEL_ORDER = (Level.SCHOOL, Level.COUNTY, Level.CITY, Level.PROVINCE, Level.CENTRE)
# Who sees a unit's documents at all: its own office and every office above it.
VIEW_ROLES = roles.DOCUMENT_OFFICES


def office_units(scope: Scope, level: str) -> list[Unit]:
    """Units of `level` whose own office the person is in (they submit there)."""
    return list(roles.units_at(scope, level, roles.LEVEL_OFFICE[level]))


def submitter_units(scope: Scope) -> list[Unit]:
    """Every unit the person submits documents for, lowest level first."""
    return [u for level in LEVEL_ORDER for u in office_units(scope, level)]


def _under(unit: Unit, prefix: str = "") -> Q:
    return Q(**{f"{prefix}path__gt": unit.path, f"{prefix}path__lt": subtree_upper_bound(unit.path)})


def expected_units(*, scope: Scope, cycle: Any, level: str, under: Unit) -> list[Unit]:
    """The units below `under` that submit documents of `level` in `cycle`: the sample schools
    (监测点) of the cycle's published draws; the counties holding one (all active counties when
    nothing is drawn yet); every active city or province."""
    units = scope.filter(Unit.objects.filter(_under(under), level=level, is_active=True), unit_field="self")
    if level in (Level.SCHOOL, Level.COUNTY):
        rows = SampledSchool.objects.filter(draw__cycle=cycle, draw__status=DrawStatus.PUBLISHED,
                                            status=RowStatus.IN_SAMPLE)
        if level == Level.SCHOOL:
            units = units.filter(pk__in=rows.values("school_id"))
        elif rows.exists():
            units = units.filter(pk__in=rows.values("county_id"))
    return list(units.order_by("path"))


@dataclass
class KindCounts:
    kind: Kind
    expected: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # status -> units
    late: int = 0

    @property
    def not_submitted(self) -> int:
        """No submission yet, or still a draft."""
        done = sum(n for s, n in self.counts.items() if s != DocStatus.DRAFT)
        return max(self.expected - done, 0)

    def n(self, status: str) -> int:
        return self.counts.get(status, 0)


def overview(*, scope: Scope, cycle: Any, unit: Unit) -> list[KindCounts]:
    """Per kind that `unit` follows, how many of its sub-units are at each step: one query per
    submitting level for the expected units, one for every count."""
    kinds = [k for k in cycle_kinds(cycle) if k.overseer_level == unit.level]
    if not kinds:
        return []
    expected = {lv: expected_units(scope=scope, cycle=cycle, level=lv, under=unit) for lv in {k.level for k in kinds}}
    ids = {lv: {u.pk for u in us} for lv, us in expected.items()}
    out = {k.code: KindCounts(k, expected=len(expected[k.level])) for k in kinds}
    rows = (Submission.objects.filter(cycle=cycle, kind_code__in=list(out), unit__in=[i for s in ids.values() for i in s])
            .values("kind_code", "status", "unit__level")
            .annotate(n=Count("pk"), late=Count("pk", filter=Q(late=True) & ~Q(status=DocStatus.DRAFT))))
    for r in rows:
        c = out[r["kind_code"]]
        if r["unit__level"] != c.kind.level:
            continue
        c.counts[r["status"]] = c.counts.get(r["status"], 0) + r["n"]
        c.late += r["late"]
    return list(out.values())


def kind_rows(*, scope: Scope, cycle: Any, kind: Kind, under: Unit) -> list[tuple[Unit, Submission | None]]:
    """Each sub-unit expected to submit `kind`, with its submission (two queries)."""
    units = expected_units(scope=scope, cycle=cycle, level=kind.level, under=under)
    subs = {s.unit_id: s for s in Submission.objects.filter(cycle=cycle, kind_code=kind.code, unit__in=units)}
    return [(u, subs.get(u.pk)) for u in units]


def submissions_of(*, scope: Scope, cycle: Any, unit: Unit) -> dict[str, Submission]:
    return {s.kind_code: s for s in scope.filter(Submission.objects.filter(cycle=cycle, unit=unit))}


def submission_of(*, scope: Scope, cycle: Any, kind: Kind, unit: Unit) -> Submission | None:
    return scope.filter(Submission.objects.filter(cycle=cycle, kind_code=kind.code, unit=unit)).first()


def draft_files(submission: Submission) -> QuerySet[DocumentFile]:
    return submission.files.filter(removed_at__isnull=True).defer("content", "thumbnail").order_by("purpose", "pk")


def versions_of(submission: Submission) -> list[SubmissionVersion]:
    versions = list(submission.versions.select_related("submitted_by").order_by("-number"))
    files: dict[int, list[DocumentFile]] = defaultdict(list)
    through = SubmissionVersion.files.through.objects.filter(submissionversion__submission=submission)
    by_pk = {f.pk: f for f in submission.files.defer("content", "thumbnail")}
    for t in through.order_by("documentfile_id"):
        files[t.submissionversion_id].append(by_pk[t.documentfile_id])
    for v in versions:
        v.file_list = files[v.pk]  # type: ignore[attr-defined]
    return versions


def events_of(submission: Submission) -> QuerySet[SubmissionEvent]:
    return submission.events.select_related("actor").order_by("at", "pk")


def file_get(*, scope: Scope, pk: int) -> DocumentFile:
    """A file of a submission inside the person's scope (404 otherwise)."""
    f = scope.get(DocumentFile.objects.select_related("submission__unit", "submission__cycle"),
                  unit_field="submission__unit", pk=pk)
    scope.require(VIEW_ROLES, f.submission.unit)
    return f


def approved_files(*, cycle: Any, kind: Kind, units: list[Unit]) -> list[tuple[Submission, SubmissionVersion | None, list[DocumentFile]]]:
    """The approved (or filed) submissions of `kind` among `units`, each with its last version and
    that version's files (contents included: they go into the ZIP)."""
    subs = list(Submission.objects.filter(cycle=cycle, kind_code=kind.code, unit__in=units,
                                          status__in=(DocStatus.APPROVED, DocStatus.FILED))
                .select_related("unit").order_by("unit__path"))
    last = {}
    for v in SubmissionVersion.objects.filter(submission__in=subs).order_by("submission_id", "number"):
        last[v.submission_id] = v
    files: dict[int, list[DocumentFile]] = defaultdict(list)
    for f in DocumentFile.objects.filter(versions__in=list(last.values())).order_by("purpose", "pk"):
        files[f.submission_id].append(f)
    return [(s, last.get(s.pk), files[s.pk]) for s in subs]
