"""Thin views of the sample schools' rosters: permission check → form → service → render."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.roles import my_school, my_unit_page
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.selectors import current_cycle
from jiance.errors import refusal_shown
from jiance.htmx import HtmxHttpRequest
from jiance.http import download
from jiance.review.forms import Button
from jiance.rosters import selectors, services
from jiance.rosters.changes import roster_changes
from jiance.rosters.forms import CommentForm, DrawForm, StudentForm, TeacherForm, UploadForm
from jiance.rosters.models import (
    Roster,
    RosterError,
    RosterStatus,
    RosterUpload,
    UploadKind,
    teacher_roles_for,
)
from jiance.rosters.spreadsheet import roster_template, teacher_template
from jiance.spreadsheets import missing_columns, write_rows
from jiance.units.areas import PAGE_SIZE, area_for, pager_query, rollup
from jiance.windows.services import window_state
from jiance.windows.views import window_context
from jiance_core.errors import ValidationFailed

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _roster(scope: Scope, roster_id: int) -> Roster:
    roster = selectors.roster_get(scope=scope, pk=roster_id)
    scope.require(selectors.VIEW_ROLES, roster.school)
    return roster


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    if scope.holds(roles.COUNTY_AND_ABOVE):
        return redirect("rosters:overview")
    return my_unit_page(my_school(scope, roles.SCHOOL_OFFICE), "rosters:school")


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The rosters of an area: its parts aggregated, then its sample schools, 50 to a page."""
    scope = get_scope(request)
    if not scope.holds(roles.COUNTY_AND_ABOVE):
        raise PermissionDenied
    cycle = current_cycle(scope=scope)
    area = area_for(scope=scope, roles=roles.COUNTY_AND_ABOVE, code=request.GET.get("area", ""))
    status = request.GET.get("status", "")
    if status not in {selectors.NOT_STARTED, *RosterStatus.values}:
        status = ""
    by_county = selectors.overview_counts(scope=scope, cycle=cycle, area=area)
    counts: Counter[str] = sum(by_county.values(), Counter())
    places = selectors.overview_places(scope=scope, cycle=cycle, area=area, status=status).select_related(
        "school", "school__parent").order_by("school__path", "stage")
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    owner = selectors.draw_owner(scope=scope)
    statuses = [(selectors.NOT_STARTED, _("未开始")), *RosterStatus.choices]
    return render(request, "rosters/overview.html", {
        "cycle": cycle, "area": area, "page": page, "status": status, "statuses": statuses,
        "rows": selectors.overview_rows(scope=scope, cycle=cycle, places=list(page)),
        "places": sum(counts.values()),
        "parts": [(u, c, sum(c.values()), [c.get(v, 0) for v, _label in statuses]) for u, c in rollup(area, by_county)],
        "can_draw": owner is not None, "owner": owner,
        "draw": selectors.draw_for(scope=scope, cycle=cycle, owner=owner) if owner else None,
        "status_rows": [(value, label, counts.get(value, 0)) for value, label in statuses],
        "query": pager_query(request.GET), "area_query": pager_query(request.GET, area=""),
    })


@login_required
@require_GET
def school_page(request: HttpRequest, code: str) -> HttpResponse:
    scope = get_scope(request)
    school = selectors.school_for(scope=scope, code=code)
    scope.require(selectors.VIEW_ROLES, school)
    cycle = current_cycle(scope=get_scope(request))
    rosters = services.rosters_open_for_school(scope=scope, cycle=cycle, school=school)
    if len(rosters) == 1:
        return redirect("rosters:roster", roster_id=rosters[0].pk)
    return render(request, "rosters/school.html", {"cycle": cycle, "school": school, "rosters": rosters})


def _roster_context(request: HttpRequest, scope: Scope, roster: Roster, **extra: Any) -> dict[str, Any]:
    full = request.GET.get("full") == "1" and selectors.can_unmask(scope, roster)
    students = list(selectors.students_of(scope=scope, roster=roster))
    if full:
        services.personal_data_viewed(roster=roster, actor=request.user, what=_("查看完整身份证号"), rows=len(students))
    allowed = teacher_roles_for(roster.cycle)
    kept = {u.kind: u for u in RosterUpload.objects.filter(roster=roster)}
    ctx = {
        "roster": roster, "school": roster.school, "cycle": roster.cycle, "students": students, "full": full,
        "can_unmask": selectors.can_unmask(scope, roster), "can": services.can_act(scope, roster),
        "teachers": list(selectors.teachers_of(scope=scope, roster=roster)),
        "events": list(selectors.events_of(scope=scope, roster=roster)),
        "changes": roster_changes(scope=scope, roster=roster, unmask=full),
        "classes": len({s.class_name for s in students}),
        "student_form": StudentForm(), "teacher_form": TeacherForm(allowed=allowed),
        "upload_form": UploadForm(), "comment_form": CommentForm(),
        "review_buttons": [
            Button(_("审核通过"), formaction=reverse("rosters:approve", args=[roster.pk]), id="approve-roster"),
            Button(_("退回修改"), css="danger", formaction=reverse("rosters:return", args=[roster.pk]),
                   id="return-roster"),
        ],
        "rejected": kept.get(UploadKind.STUDENTS), "teacher_rejected": kept.get(UploadKind.TEACHERS),
    }
    # the school enters inside the cycle's windows; the county may reopen them (jiance.windows)
    ctx |= window_context(scope, roster.cycle, services.STUDENTS_WINDOW, roster.school)
    ctx |= {"teachers_window": window_state(cycle=roster.cycle, kind=services.TEACHERS_WINDOW, unit=roster.school),
            "reopen_url": reverse("rosters:window_reopen", args=[roster.school.code])}
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def roster_page(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    return render(request, "rosters/roster.html", _roster_context(request, scope, roster))


@login_required
@require_GET
def template_download(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    return download(roster_template(roster), f"{roster.school.code}-{roster.grade}年级学生名单模板.xlsx")


def _handle_upload(
    request: HtmxHttpRequest, roster_id: int, *, importer: Any, imported_message: str,
    partial: str, outcome_key: str, error_key: str, kept: Any, errors: Any,
) -> HttpResponse:
    """One upload flow for students and teachers: check the whole file, import or show errors.
    `kept(outcome)`: whether a refused file was kept for the rejected-rows download; `errors(outcome)`."""
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    scope.require(roles.SCHOOL_OFFICER, roster.school)
    form = UploadForm(request.POST, request.FILES)
    outcome = None
    error = ""
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            outcome = importer(scope=scope, roster=roster, content=f.read(), filename=f.name, actor=request.user)
        except RosterError as exc:
            error = str(exc)
    else:
        error = "；".join(str(e) for errs in form.errors.values() for e in errs)
    roster.refresh_from_db()
    if outcome is not None and outcome.applied:
        messages.success(request, imported_message % {"n": outcome.created})
        target = reverse("rosters:roster", kwargs={"roster_id": roster.pk})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    # a refused file with readable rows is kept for the rejected-rows download; one without (e.g.
    # missing columns) is not: the page names the missing columns and links the template instead
    file = {"kept": kept(outcome), "missing": missing_columns(e.reason for e in errors(outcome))} if outcome else None
    ctx = _roster_context(request, scope, roster, **{outcome_key: outcome, error_key: error,
                                                     f"{outcome_key}_file": file})
    if request.htmx:
        return render(request, f"rosters/roster.html#{partial}", ctx)
    return render(request, "rosters/roster.html", ctx, status=200 if outcome is not None else 400)


@login_required
@require_POST
def upload(request: HtmxHttpRequest, roster_id: int) -> HttpResponse:
    return _handle_upload(
        request, roster_id, importer=services.roster_import, imported_message=_("已导入 %(n)s 名学生"),
        partial="upload-result", outcome_key="outcome", error_key="upload_error",
        kept=lambda o: o.check.students.height > 0, errors=lambda o: o.check.errors,
    )


@login_required
@require_GET
def teacher_template_download(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    return download(teacher_template(roster), f"{roster.school.code}-{roster.grade}年级教师名单模板.xlsx")


@login_required
@require_POST
def teacher_upload(request: HtmxHttpRequest, roster_id: int) -> HttpResponse:
    return _handle_upload(
        request, roster_id, importer=services.teacher_import, imported_message=_("已导入 %(n)s 名教师"),
        partial="teacher-upload-result", outcome_key="teacher_outcome", error_key="teacher_upload_error",
        kept=lambda o: o.rows > 0, errors=lambda o: o.errors,
    )


def _rejected(request: HttpRequest, roster_id: int, kind: str, filename: str) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    scope.require(roles.SCHOOL_OFFICER, roster.school)
    upload_row = RosterUpload.objects.filter(roster=roster, kind=kind).first()
    if upload_row is None:
        raise Http404
    services.export_record(roster=roster, actor=request.user, what=_("下载未通过的行"), rows=upload_row.error_count,
                           full=True)
    return download(services.rejected_rows(upload_row), f"{roster.school.code}-{filename}.xlsx")


@login_required
@require_GET
def rejected_download(request: HttpRequest, roster_id: int) -> HttpResponse:
    return _rejected(request, roster_id, UploadKind.STUDENTS, "学生名单未通过的行")


@login_required
@require_GET
def teacher_rejected_download(request: HttpRequest, roster_id: int) -> HttpResponse:
    return _rejected(request, roster_id, UploadKind.TEACHERS, "教师名单未通过的行")


@dataclass(frozen=True)
class _People:
    """What differs between the roster page's two lists of people (students, teachers)."""

    form: Callable[[Roster, Any], forms.Form]  # (roster, posted data)
    save: Callable[..., Any]  # the service: save(scope=, roster=, data=, actor=)
    delete: Callable[[Scope, Roster, Any, Any], None]  # (scope, roster, person, actor)
    of: Callable[..., Any]  # the selector of the roster's people
    added: StrOrPromise
    deleted: StrOrPromise
    # students: the file's checks, listed by column like an import; teachers: errors on the form
    row_errors: bool


PEOPLE = {
    "student": _People(
        form=lambda roster, data: StudentForm(data), save=services.student_save,
        delete=lambda scope, roster, p, actor: services.student_delete(scope=scope, roster=roster, student=p,
                                                                        actor=actor),
        of=selectors.students_of, added=gettext_lazy("已添加学生"), deleted=gettext_lazy("已删除学生"), row_errors=True,
    ),
    "teacher": _People(
        form=lambda roster, data: TeacherForm(data, allowed=teacher_roles_for(roster.cycle)), save=services.teacher_save,
        delete=lambda scope, roster, p, actor: services.teacher_delete(scope=scope, roster=roster, teacher=p,
                                                                        actor=actor),
        of=selectors.teachers_of, added=gettext_lazy("已添加教师"), deleted=gettext_lazy("已删除教师"), row_errors=False,
    ),
}


@login_required
@require_POST
def person_add(request: HttpRequest, roster_id: int, kind: str) -> HttpResponse:
    """Add a student or a teacher (`kind`, from the URL table) by hand."""
    people = PEOPLE[kind]
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    scope.require(roles.SCHOOL_OFFICER, roster.school)
    form = people.form(roster, request.POST)
    row_errors: list[Any] = []
    if form.is_valid():
        try:
            people.save(scope=scope, roster=roster, data=form.cleaned_data, actor=request.user)
        except ValidationFailed as exc:
            if people.row_errors:
                row_errors = exc.errors
            else:
                for e in exc.errors:
                    form.add_error(e.column if e.column in form.fields else None, e.reason)
        except RosterError as exc:
            messages.error(request, str(exc))
            return redirect("rosters:roster", roster_id=roster.pk)
        else:
            messages.success(request, str(people.added))
            return redirect("rosters:roster", roster_id=roster.pk)
    extra: dict[str, Any] = {f"{kind}_form": form}
    if people.row_errors:
        extra[f"{kind}_errors"] = row_errors
    return render(request, "rosters/roster.html", _roster_context(request, scope, roster, **extra), status=400)


@login_required
@require_POST
def person_delete(request: HttpRequest, roster_id: int, kind: str, **ids: int) -> HttpResponse:
    """Delete a student or a teacher (`kind`); `ids` holds the URL's student_id or teacher_id."""
    people = PEOPLE[kind]
    person_id = ids[f"{kind}_id"]
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    scope.require(roles.SCHOOL_OFFICER, roster.school)
    person = scope.get(people.of(scope=scope, roster=roster), unit_field="roster__school", pk=person_id)
    with refusal_shown(request, RosterError, str(people.deleted)):
        people.delete(scope, roster, person, request.user)
    return redirect("rosters:roster", roster_id=roster.pk)


@login_required
@require_POST
def transition(request: HttpRequest, roster_id: int, action: str) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    version = form.posted_version()
    run = {"submit": services.roster_submit, "approve": services.roster_approve, "return": services.roster_return}
    if action not in run:
        raise Http404
    done = {"submit": _("已提交校长审核"), "approve": _("已审核通过"), "return": _("已退回")}
    with refusal_shown(request, RosterError, done[action]):
        run[action](scope=scope, roster=roster, actor=request.user, comment=comment, version=version)
    return redirect("rosters:roster", roster_id=roster.pk)


@login_required
@require_GET
def export(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    full = request.GET.get("full") == "1" and selectors.can_unmask(scope, roster)
    students = list(selectors.students_of(scope=scope, roster=roster))
    rows = [[s.class_name, s.student_no, s.name, s.sex, s.birth_date.isoformat(),
             s.national_id if full else s.masked_id] for s in students]
    services.export_record(roster=roster, actor=request.user, what=_("导出学生名单"), rows=len(rows), full=full)
    content = write_rows(_("学生名单"), ["班级", "学号", "姓名", "性别", "出生日期", "身份证号"], rows)
    return download(content, f"{roster.school.code}-{roster.grade}年级学生名单.xlsx")


# --- the student sample ---------------------------------------------------------------------------
@login_required
@require_GET
def sampled(request: HttpRequest, roster_id: int) -> HttpResponse:
    """The sampled students of a roster. Before release a school or county user sees exactly
    what a roster without a draw shows."""
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    rows = list(selectors.sampled_students_for(scope=scope, roster=roster, now=clock.now()))
    return render(request, "rosters/sampled.html", {"roster": roster, "school": roster.school, "rows": rows})


@login_required
@require_GET
def sampled_export(request: HttpRequest, roster_id: int) -> HttpResponse:
    scope = get_scope(request)
    roster = _roster(scope, roster_id)
    rows = list(selectors.sampled_students_for(scope=scope, roster=roster, now=clock.now()))
    if rows:
        services.export_record(roster=roster, actor=request.user, what=_("导出样本学生名单"), rows=len(rows), full=False)
    content = write_rows(
        _("样本学生"),
        ["班级", "学号", "姓名", "性别", "出生日期", "身份证号", "入样概率", "校内权重", "最终权重"],
        services.sampled_export_rows(rows, full=False),
    )
    return download(content, f"{roster.school.code}-样本学生.xlsx")


@login_required
def draw(request: HttpRequest) -> HttpResponse:
    """The student draw, per county as each county's rosters are approved, or for all that is left."""
    scope = get_scope(request)
    owner = selectors.draw_owner(scope=scope)
    if owner is None:
        raise PermissionDenied
    cycle = current_cycle(scope=get_scope(request))
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.get("area") or ""
        area = scope.get_unit(code=code) if code else None
        try:
            made = services.students_draw(cycle=cycle, actor=request.user, seed=form.cleaned_data.get("seed"),
                                          scope=scope, area=area)
            messages.success(request, _("%(area)s样本学生已抽取：%(n)d 名") % {"area": made.owner.name, "n": made.students})
            return redirect("rosters:draw")
        except RosterError as exc:
            messages.error(request, str(exc))
    areas = selectors.draw_areas(scope=scope, cycle=cycle, owner=owner)
    rosters = selectors.rosters_for_draw(cycle=cycle, owner=owner).filter(pk__in=selectors.reviewable_rosters(
        scope=scope, cycle=cycle).values("pk"))
    drawn = Paginator(selectors.drawn_only(rosters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rosters/draw.html", {
        "cycle": cycle, "owner": owner, "form": form, "areas": areas,
        "drawn_rosters": drawn, "query": pager_query(request.GET),
        "approved": sum(a.approved for a in areas),
        "places": sum(a.places for a in areas), "drawn": sum(a.drawn for a in areas),
    })
