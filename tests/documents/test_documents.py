"""Windows, the review chain, self-check lists, the overview, the ZIP and who sees what."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from jiance import clock
from jiance.audit.models import AuditEntry
from jiance.documents import selectors, services
from jiance.documents.models import DocStatus, DocumentError, Submission
from tests.documents import files
from tests.documents.conftest import Docs, at

RECORD = "school_test_record"  # 2024-05-22 .. 2024-05-24, table + stamped scan, reviewed by the county
RECORD_DATA = {"test_date": "2024-05-22", "rooms": "2", "expected": "60", "tested": "58", "absent": "2",
               "started": "08:30", "ended": "11:40", "course": "测试顺利", "incidents": "无"}


def _ready(docs: Docs, school=None, user=None) -> Submission:  # type: ignore[no-untyped-def]
    """The school's test record filled and its stamped scan attached (not submitted)."""
    school = school or docs.world.school_a1
    user = user or docs.school_info
    kind = docs.kind(RECORD)
    scope = docs.scope(user)
    sub = services.submission_open(scope=scope, cycle=docs.cycle, kind=kind, unit=school, actor=user)
    sub = services.submission_save(scope=scope, kind=kind, submission=sub, data=dict(RECORD_DATA), version=sub.version,
                                   actor=user)
    services.file_add(scope=scope, kind=kind, submission=sub, purpose="scan", name="记录表.pdf",
                      content=files.pdf(), version=sub.version, actor=user)
    return Submission.objects.get(pk=sub.pk)


def _submit(docs: Docs, sub: Submission, user=None) -> Submission:  # type: ignore[no-untyped-def]
    user = user or docs.school_info
    return services.submission_submit(scope=docs.scope(user), kind=docs.kind(RECORD), submission=sub,
                                      version=sub.version, actor=user)


@pytest.mark.django_db
def test_before_the_window_a_submission_is_refused(docs: Docs) -> None:
    with clock.frozen(at("2024-05-20")):
        sub = _ready(docs)
        assert docs.kind(RECORD).phase(clock.today()) == "upcoming"
        with pytest.raises(DocumentError, match="尚未开始"):
            _submit(docs, sub)
    assert Submission.objects.get(pk=sub.pk).status == DocStatus.DRAFT


@pytest.mark.django_db
def test_inside_the_window_it_is_submitted_on_time(docs: Docs) -> None:
    with clock.frozen(at("2024-05-23")):
        row = _submit(docs, _ready(docs))
    assert row.status == DocStatus.SUBMITTED and not row.late
    v = row.versions.get()
    assert v.number == 1 and not v.late and v.files.count() == 1 and v.data["tested"] == "58"


@pytest.mark.django_db
def test_after_the_deadline_it_is_taken_marked_late_and_the_reviewer_sees_it(docs: Docs) -> None:
    with clock.frozen(at("2024-05-26")):
        row = _submit(docs, _ready(docs))
        assert row.status == DocStatus.SUBMITTED and row.late and row.versions.get().late
        client = Client()
        client.force_login(docs.county_a)
        page = client.get(f"/documents/unit/{docs.world.school_a1.code}/{RECORD}/").content.decode()
    assert 'id="late-note"' in page and "逾期提交" in page and 'id="approve-button"' in page


@pytest.mark.django_db
def test_an_incomplete_submission_names_what_is_missing(docs: Docs) -> None:
    kind = docs.kind(RECORD)
    with clock.frozen(at("2024-05-23")):
        sub = services.submission_open(scope=docs.scope(docs.school_info), cycle=docs.cycle, kind=kind,
                                       unit=docs.world.school_a1, actor=docs.school_info)
        with pytest.raises(DocumentError) as exc:
            _submit(docs, sub)
    assert "实测学生数" in str(exc.value) and "盖章扫描件" in str(exc.value)


@pytest.mark.django_db
def test_return_with_reason_resubmit_approve_and_every_version_is_kept(docs: Docs) -> None:
    kind = docs.kind(RECORD)
    county = docs.scope(docs.county_a)
    with clock.frozen(at("2024-05-23")):
        row = _submit(docs, _ready(docs))
        with pytest.raises(DocumentError, match="退回原因"):
            services.submission_return(scope=county, kind=kind, submission=row, version=row.version,
                                       actor=docs.county_a, comment=" ")
        returned = services.submission_return(scope=county, kind=kind, submission=row, version=row.version,
                                              actor=docs.county_a, comment="扫描件未盖章，请盖章后重新上传")
        assert returned.status == DocStatus.RETURNED and returned.editable
        school = docs.scope(docs.school_info)
        services.file_add(scope=school, kind=kind, submission=returned, purpose="scan", name="盖章后.pdf",
                          content=files.pdf(b"%stamped"), version=returned.version, actor=docs.school_info)
        old = returned.files.get(filename="记录表.pdf")
        returned = Submission.objects.get(pk=row.pk)
        services.file_remove(scope=school, kind=kind, file=old, version=returned.version, actor=docs.school_info)
        again = _submit(docs, Submission.objects.get(pk=row.pk))
        stale = again.version - 1
        with pytest.raises(DocumentError, match="页面已过期"):
            services.submission_approve(scope=county, kind=kind, submission=again, version=stale, actor=docs.county_a)
        done = services.submission_approve(scope=county, kind=kind, submission=again, version=again.version,
                                           actor=docs.county_a)
    assert done.status == DocStatus.APPROVED and done.locked
    versions = list(done.versions.order_by("number"))
    assert [sorted(f.filename for f in v.files.all()) for v in versions] == [["记录表.pdf"], ["盖章后.pdf"]]
    assert list(done.events.order_by("pk").values_list("action", flat=True)) == ["submit", "return", "submit", "approve"]
    assert done.events.get(action="return").comment == "扫描件未盖章，请盖章后重新上传"
    with pytest.raises(DocumentError, match="锁定"):
        services.submission_save(scope=docs.scope(docs.school_info), kind=kind, submission=done, data={},
                                 version=done.version, actor=docs.school_info)


@pytest.mark.django_db
def test_only_the_reviewing_level_decides(docs: Docs) -> None:
    from jiance.errors import RoleRequired

    kind = docs.kind(RECORD)
    with clock.frozen(at("2024-05-23")):
        row = _submit(docs, _ready(docs))
        with pytest.raises(RoleRequired):  # the school cannot approve its own record
            services.submission_approve(scope=docs.scope(docs.principal), kind=kind, submission=row,
                                        version=row.version, actor=docs.principal)
        with pytest.raises(RoleRequired):  # nor can the county submit it for the school
            services.submission_submit(scope=docs.scope(docs.county_a), kind=kind, submission=row,
                                       version=row.version, actor=docs.county_a)


@pytest.mark.django_db
def test_a_self_check_list_is_filed_and_the_county_phone_is_published(docs: Docs) -> None:
    from jiance.testday.models import ReportPhone

    kind = docs.kind("school_self_check")
    scope = docs.scope(docs.school_info)
    with clock.frozen(at("2024-05-18")):
        sub = services.submission_open(scope=scope, cycle=docs.cycle, kind=kind, unit=docs.world.school_a1,
                                       actor=docs.school_info)
        answers = {str(i): {"done": True, "note": ""} for i in range(len(kind.items))}
        answers["2"] = {"done": False, "note": ""}
        sub = services.submission_save(scope=scope, kind=kind, submission=sub, data={"items": answers},
                                       version=sub.version, actor=docs.school_info)
        with pytest.raises(DocumentError, match="第 3 项"):
            services.submission_submit(scope=scope, kind=kind, submission=sub, version=sub.version, actor=docs.school_info)
        answers["2"] = {"done": False, "note": "测试年级周三下午调课，已报县级"}
        sub = services.submission_save(scope=scope, kind=kind, submission=sub, data={"items": answers},
                                       version=sub.version, actor=docs.school_info)
        filed = services.submission_submit(scope=scope, kind=kind, submission=sub, version=sub.version,
                                           actor=docs.school_info)
        assert filed.status == DocStatus.FILED and filed.editable  # a filed list may be filed again

        ckind = docs.kind("county_self_check")
        cscope = docs.scope(docs.county_a)
        csub = services.submission_open(scope=cscope, cycle=docs.cycle, kind=ckind, unit=docs.world.county_a,
                                        actor=docs.county_a)
        canswers = {str(i): ({"value": "0791-85712345"} if it.answer == "phone" else {"done": True})
                    for i, it in enumerate(ckind.items)}
        csub = services.submission_save(scope=cscope, kind=ckind, submission=csub, data={"items": canswers},
                                        version=csub.version, actor=docs.county_a)
        services.submission_submit(scope=cscope, kind=ckind, submission=csub, version=csub.version, actor=docs.county_a)
    phone = ReportPhone.objects.get(cycle=docs.cycle, unit=docs.world.county_a)
    assert phone.number == "0791-85712345" and phone.label == services.SUPERVISION_PHONE_LABEL


@pytest.mark.django_db
def test_the_overview_counts_each_state_without_a_query_per_unit(docs: Docs, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    w = docs.world
    with clock.frozen(at("2024-05-23")):
        _submit(docs, _ready(docs))
    with django_assert_max_num_queries(8):
        counts = {c.kind.code: c for c in selectors.overview(scope=docs.scope(docs.county_a), cycle=docs.cycle, unit=w.county_a)}
    record = counts[RECORD]
    assert record.expected == 2 and record.n("submitted") == 1 and record.not_submitted == 1
    assert "school_self_check" in counts and "county_rules" not in counts


def _approve_record(docs: Docs, school, user) -> None:  # type: ignore[no-untyped-def]
    row = _submit(docs, _ready(docs, school, user), user)
    county = docs.county_a if school.parent_id == docs.world.county_a.pk else docs.county_b
    services.submission_approve(scope=docs.scope(county), kind=docs.kind(RECORD), submission=row,
                                version=row.version, actor=county)


@pytest.mark.django_db
def test_the_zip_holds_every_approved_submission_named_by_unit_and_is_audited(docs: Docs) -> None:
    w = docs.world
    with clock.frozen(at("2024-05-23")):
        _approve_record(docs, w.school_a1, docs.school_info)
        _approve_record(docs, w.school_b1, docs.school_b_info)  # the sibling county's
        client = Client()
        client.force_login(docs.county_a)
        resp = client.get(f"/documents/overview/{w.county_a.code}/{RECORD}/approved.zip")
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    names = sorted(zipfile.ZipFile(io.BytesIO(resp.content)).namelist())
    assert names == ["3601210001_南昌县莲塘第一小学_样本校测试情况记录表.pdf",
                     "3601210001_南昌县莲塘第一小学_样本校测试情况记录表_盖章扫描件.pdf"]
    assert AuditEntry.objects.filter(action="export", detail__contains="样本校测试情况记录表").exists()
    school = Client()
    school.force_login(docs.school_info)
    assert school.get(f"/documents/overview/{w.school_a1.code}/{RECORD}/approved.zip").status_code == 404
    assert school.get(f"/documents/overview/{w.county_a.code}/{RECORD}/approved.zip").status_code == 404


@pytest.mark.django_db
def test_a_county_cannot_see_a_sibling_countys_documents(docs: Docs) -> None:
    w = docs.world
    with clock.frozen(at("2024-05-23")):
        sub = _submit(docs, _ready(docs))
        f = sub.files.get()
        other = Client()
        other.force_login(docs.county_b)
        for url in (f"/documents/unit/{w.school_a1.code}/{RECORD}/", f"/documents/file/{f.pk}/",
                    f"/documents/file/{f.pk}/preview.png", f"/documents/overview/{w.county_a.code}/{RECORD}/",
                    f"/documents/overview/{w.county_a.code}/{RECORD}/approved.zip"):
            assert other.get(url).status_code == 404, url
        assert other.post(f"/documents/unit/{w.school_a1.code}/{RECORD}/review/",
                          {"decision": "approve", "version": sub.version}).status_code == 404
        home = other.get("/documents/").content.decode()
        own = Client()
        own.force_login(docs.county_a)
        mine = own.get(f"/documents/overview/{w.county_a.code}/{RECORD}/").content.decode()
    assert w.school_a1.name not in home
    assert w.school_a1.name in mine and w.school_b1.name not in mine
    assert Submission.objects.get(pk=sub.pk).status == DocStatus.SUBMITTED


@pytest.mark.django_db
def test_the_pages_render_and_the_table_prints(docs: Docs) -> None:
    w = docs.world
    with clock.frozen(at("2024-05-23")):
        _ready(docs)
        c = Client()
        c.force_login(docs.school_info)
        assert "样本校测试情况记录表" in c.get("/documents/").content.decode()
        page = c.get(f"/documents/unit/{w.school_a1.code}/{RECORD}/").content.decode()
        assert 'id="submit-button"' in page and 'id="table-pdf"' in page
        pdf = c.get(f"/documents/unit/{w.school_a1.code}/{RECORD}/table.pdf")
        xlsx = c.get(f"/documents/unit/{w.school_a1.code}/{RECORD}/table.xlsx")
        assert pdf.content.startswith(b"%PDF") and xlsx.content.startswith(b"PK")
        bad = c.post(f"/documents/unit/{w.school_a1.code}/{RECORD}/upload/",
                     {"purpose": "scan", "file": io.BytesIO(files.exe())} | {}, follow=True)
        city = Client()
        city.force_login(docs.city)
        assert "县级实施工作领导小组名单" in city.get("/documents/").content.decode()
    assert bad.status_code == 200


@pytest.mark.django_db
def test_the_inbox_holds_what_waits_for_review_and_what_came_back(docs: Docs) -> None:
    from jiance.documents.inbox import inbox

    kind = docs.kind(RECORD)
    with clock.frozen(at("2024-05-23")):
        row = _submit(docs, _ready(docs))
        county = list(inbox(scope=docs.scope(docs.county_a), cycle=docs.cycle))
        assert [(i.kind, i.unit) for i in county] == [("review", docs.world.school_a1.name)]
        assert list(inbox(scope=docs.scope(docs.county_b), cycle=docs.cycle)) == []
        services.submission_return(scope=docs.scope(docs.county_a), kind=kind, submission=row, version=row.version,
                                   actor=docs.county_a, comment="请补充")
        school = list(inbox(scope=docs.scope(docs.school_info), cycle=docs.cycle))
    assert [i.kind for i in school] == ["returned"]
    assert list(inbox(scope=docs.scope(docs.county_a), cycle=docs.cycle)) == []
