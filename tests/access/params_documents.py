"""URL parameters of jiance.documents routes for the access walk.

The document kinds are the active cycle's: the factory makes the walk's active cycle carry the
2024 national kinds, so the documents pages render for real (a cycle is programme-wide, the kind
code the same for every branch). A file belongs to the school's own submission of the test record.
Ids are distinctive because the walk blanks argument values out of response bodies.
"""

from __future__ import annotations

from pathlib import Path

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 91_000_000
KIND = "school_test_record"
TEMPLATE = Path(__file__).resolve().parents[2] / "jiance" / "cycles" / "templates_data" / "national-2024.yaml"


def _cycle():  # type: ignore[no-untyped-def]
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance_core.cycles import load_template

    cycle = Cycle.objects.filter(code="walk-documents").first()
    if cycle is None:
        documents = load_template(TEMPLATE).model_dump(mode="json")["documents"]
        cycle = Cycle.objects.create(code="walk-documents", year=2024, name="走查周期（实施材料）",
                                     status=CycleStatus.ACTIVE, programme="walk-documents",
                                     config={"test_days": [], "documents": documents})
    return cycle


@param("doc_kind", missing="no-such-kind", shared=True)
def doc_kind(school: Unit) -> str:
    _cycle()
    return KIND


@param("file_id", missing="999999999")
def file_id(school: Unit) -> str:
    """A stamped scan in the school's test record."""
    from jiance import clock
    from jiance.crypto import encrypt_bytes
    from jiance.documents.models import DocumentFile, Submission

    pk = ID_BASE + school.pk
    if DocumentFile.objects.filter(pk=pk).exists():
        return str(pk)
    now = clock.now()
    sub, _ = Submission.objects.get_or_create(
        cycle=_cycle(), kind_code=KIND, unit=school,
        defaults={"pk": ID_BASE + 100_000 + school.pk, "kind_name": "样本校测试情况记录表", "created_at": now,
                  "updated_at": now})
    DocumentFile.objects.create(pk=pk, submission=sub, purpose="scan", filename="走查扫描件.pdf", ext="pdf", size=9,
                                sha256="0" * 64, content=encrypt_bytes(b"%PDF-1.4\n"), uploaded_at=now)
    return str(pk)
