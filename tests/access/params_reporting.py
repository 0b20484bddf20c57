"""URL parameters of jiance.reporting routes for the access walk: a stored upload of the
school's county (the frame submission is opened for the walk's cycle on first use), a file with
one bad row, so its rejected-rows download has a row to send."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 91_000_000


@param("pk", missing="999999999")
def frame_upload_pk(school: Unit) -> str:
    from jiance import clock
    from jiance.cycles.models import Cycle, CycleStatus
    from jiance.reporting.models import FrameStatus, FrameSubmission, FrameUpload

    county = school.parent
    assert county is not None
    existing = FrameUpload.objects.filter(pk=ID_BASE + county.pk).first()
    if existing is not None:
        return str(existing.pk)
    cycle, _ = Cycle.objects.get_or_create(
        code="walk-reporting", defaults={"year": 2022, "name": "走查周期", "config": {}, "status": CycleStatus.ACTIVE}
    )
    now = clock.now()
    sub, _ = FrameSubmission.objects.get_or_create(
        cycle=cycle, county=county, defaults={"status": FrameStatus.DRAFT, "created_at": now, "updated_at": now}
    )
    from jiance.reporting.importing import frame_columns
    from jiance.reporting.models import cycle_grades
    from jiance.spreadsheets import write_rows

    headers = [c.header for c in frame_columns(cycle_grades(cycle))]
    content = write_rows("数据", headers, [[school.code, "", "小学", "公办", "城区", "县属", "很多", 1, "", "", ""]])
    upload = FrameUpload.objects.create(
        pk=ID_BASE + county.pk, submission=sub, base_version=sub.version, **FrameUpload.keep(content, filename="walk.xlsx"),
    )
    return str(upload.pk)
