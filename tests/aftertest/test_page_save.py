"""The after-test page's one save: absent students first, everyone present unless marked, every
row or none, the page's version checked, a repeated submission acknowledged without a second write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jiance.accounts.scoping import Scope
from jiance.aftertest import batch, services
from jiance.aftertest.models import (
    AftertestError,
    TestedCorrection,
    TestedReport,
    TestedReportEvent,
    TestedStudent,
)
from jiance.audit.models import AuditEntry
from tests.aftertest.test_views import (  # noqa: F401  (env is a fixture)
    env,
    opened,
    url,
)
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def page_post(report: TestedReport, changes: dict[int, dict[str, Any]] | None = None,
              version: int | None = None) -> dict[str, Any]:
    """What the page posts: every row as shown (present by default), with `changes` by row number."""
    data: dict[str, Any] = {"version": report.version if version is None else version}
    for t in TestedStudent.objects.filter(report=report):
        p = f"r{t.pk}"
        row = {"attendance": t.attendance, "reason": t.reason, "note": t.note, "name": t.name, "sex": t.sex,
               "class_name": t.class_name, "absent_sessions": t.absent_sessions,
               **(changes or {}).get(t.row, {})}
        for k, v in row.items():
            data[f"{p}-{k}"] = v
    return data


def save(c: Client, code: str, data: dict[str, Any]) -> Any:
    return c.post(url("save", code), data)


def test_page_lists_absent_first_in_one_form(env) -> None:  # noqa: F811
    c, _report = opened(env)
    page = c.get(url("report", env["code"])).content.decode()
    assert page.count('id="row-') == 5 and page.count('id="tested-form"') == 1
    assert page.count("<form") == page.count("</form>") and 'name="version"' in page
    # seat 3 was absent: its row comes first
    order = [int(x.split('"')[0]) for x in page.split('data-row="')[1:]]
    assert order == [3, 1, 2, 4, 5]
    assert page.count('id="save-all"') == 1 and page.count(">保存</button>") == 1  # one save for the page


def test_one_save_for_the_page(env) -> None:  # noqa: F811
    c, report = opened(env)
    version = report.version
    r = save(c, env["code"], page_post(report, {3: {"reason": "sick"}, 5: {"attendance": "partial",
             "absent_sessions": ["s3-arts"], "reason": "personal"}, 1: {"name": "更正名"}}))
    assert r.status_code == 302
    msgs = [str(m) for m in c.get(r["Location"]).context["messages"]]
    assert any("已保存 3 名学生的修改（更正 1 项）" in m for m in msgs)
    rows = {t.row: t for t in TestedStudent.objects.filter(report=report)}
    assert (rows[3].attendance, rows[3].reason) == ("absent", "sick")
    assert (rows[5].attendance, rows[5].absent_sessions, rows[5].reason) == ("partial", ["s3-arts"], "personal")
    assert rows[1].name == "更正名" and TestedCorrection.objects.filter(tested=rows[1]).count() == 1
    report.refresh_from_db()
    assert report.version == version + 1
    assert TestedReportEvent.objects.filter(report=report, action="edit").count() == 1
    assert AuditEntry.objects.filter(action="update", detail__startswith="测试生基本信息修改").count() == 3


def test_a_bad_row_names_the_student_and_nothing_is_saved(env) -> None:  # noqa: F811
    c, report = opened(env)
    t2 = TestedStudent.objects.select_related("sampled__student").get(report=report, row=2)
    version = report.version
    r = save(c, env["code"], page_post(report, {3: {"reason": "sick"}, 2: {"attendance": "absent"}}))
    assert r.status_code == 200
    body = r.content.decode()
    assert f"第 2 行（{t2.sampled.student.name}）" in body and "缺考原因" in body
    assert 'class="absent has-error"' in body or "has-error" in body
    assert TestedStudent.objects.get(report=report, row=3).reason == ""
    assert TestedStudent.objects.get(report=report, row=2).attendance == "present"
    report.refresh_from_db()
    assert report.version == version
    # the service's own rules too (a reason "other" without a note), naming the student
    rows = {t.pk: services.RowInput("absent", [], "other", "", "", "", "") for t in [t2]}
    with pytest.raises(batch.RowsRefused) as exc:
        batch.tested_students_save(scope=Scope(env["officer"]), report=report, rows=rows, version=version,
                                   actor=env["officer"])
    assert exc.value.rows == {t2.pk: f"第 2 行（{t2.sampled.student.name}）“备注”：缺考原因为“其他”时须在备注中说明"}


def test_a_stale_page_is_refused(env) -> None:  # noqa: F811
    c, report = opened(env)
    stale = page_post(report, {3: {"reason": "sick"}})
    # someone else saves first
    assert save(c, env["code"], page_post(report, {1: {"note": "迟到"}})).status_code == 302
    r = save(c, env["code"], stale)
    msgs = [str(m) for m in c.get(r["Location"]).context["messages"]]
    assert any("页面已过期" in m for m in msgs)
    assert TestedStudent.objects.get(report=report, row=3).reason == ""
    with pytest.raises(AftertestError, match="页面已过期"):
        t3 = TestedStudent.objects.get(report=report, row=3)
        batch.tested_students_save(scope=Scope(env["officer"]), report=report, version=report.version,
                                   rows={t3.pk: services.RowInput("absent", [], "sick", "", "", "", "")},
                                   actor=env["officer"])


def test_a_repeated_submission_is_acknowledged_once(env) -> None:  # noqa: F811
    c, report = opened(env)
    data = page_post(report, {3: {"reason": "sick"}})
    assert save(c, env["code"], data).status_code == 302
    report.refresh_from_db()
    version, audits = report.version, AuditEntry.objects.exclude(action="view_personal").count()
    r = save(c, env["code"], data)  # the same page posted again (double click, resent form)
    assert r.status_code == 302
    msgs = [str(m) for m in c.get(r["Location"]).context["messages"]]
    assert any("已经保存过" in m for m in msgs)
    report.refresh_from_db()
    assert report.version == version
    assert TestedReportEvent.objects.filter(report=report, action="edit").count() == 1
    assert AuditEntry.objects.exclude(action="view_personal").count() == audits
    assert AuditEntry.objects.filter(action="update").count() == 1


def test_only_the_school_saves_and_only_while_editable(env) -> None:  # noqa: F811
    c, report = opened(env)
    county = client_for(env["county"])
    assert county.post(url("save", env["code"]), page_post(report, {3: {"reason": "sick"}})).status_code == 403
    assert TestedStudent.objects.get(report=report, row=3).reason == ""
    save(c, env["code"], page_post(report, {3: {"reason": "sick"}}))
    report.refresh_from_db()
    services.tested_report_submit(scope=Scope(env["officer"]), report=report, actor=env["officer"])
    report.refresh_from_db()
    r = save(c, env["code"], page_post(report, {1: {"note": "迟到"}}))
    assert r.status_code == 302 and TestedStudent.objects.get(report=report, row=1).note == ""
