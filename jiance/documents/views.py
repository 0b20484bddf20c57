"""Thin views of the implementation documents: permission → form → service → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance import clock
from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.documents import printing, selectors, services, tables
from jiance.documents.forms import ReviewForm, UploadForm
from jiance.documents.kinds import Kind, cycle_kinds, kind_of
from jiance.documents.models import DocStatus, DocumentError, FilePurpose, Submission
from jiance.documents.uploads import max_bytes as max_upload_bytes
from jiance.http import download
from jiance.review.forms import Button, PageVersionForm
from jiance.units.models import Unit

NO_PREVIEW_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="160" viewBox="0 0 120 160">'
                  b'<rect x="8" y="8" width="104" height="144" rx="6" fill="#f2f4f7" stroke="#98a2b3" stroke-width="3"/>'
                  b'<path d="M30 50h60M30 70h60M30 90h60M30 110h40" stroke="#98a2b3" stroke-width="6"/></svg>')


def _kind(cycle: Cycle, code: str) -> Kind:
    kind = kind_of(cycle, code)
    if kind is None:
        raise Http404
    return kind


def _context(request: HttpRequest, code: str, kind_code: str) -> tuple[Scope, Cycle, Kind, Unit]:
    """The submitting unit (inside the scope; its office or an office above it) and its kind."""
    scope = get_scope(request)
    unit = scope.get_unit(code=code)
    scope.require(selectors.VIEW_ROLES, unit)
    cycle = current_cycle(scope=scope)
    kind = _kind(cycle, kind_code)
    if unit.level != kind.level:
        raise Http404
    return scope, cycle, kind, unit


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    scope = get_scope(request)
    scope.require(selectors.VIEW_ROLES)
    cycle = current_cycle(scope=scope)
    today = clock.today()
    kinds = cycle_kinds(cycle)
    own = []
    for unit in selectors.submitter_units(scope):
        subs = selectors.submissions_of(scope=scope, cycle=cycle, unit=unit)
        rows = [{"kind": k, "sub": subs.get(k.code), "phase": k.phase(today)} for k in kinds if k.level == unit.level]
        if rows:
            own.append({"unit": unit, "rows": rows})
    follows = []
    for level in (lv for lv in selectors.LEVEL_ORDER[1:]):
        for unit in selectors.office_units(scope, level):
            counts = selectors.overview(scope=scope, cycle=cycle, unit=unit)
            if counts:
                follows.append({"unit": unit, "counts": counts})
    return render(request, "documents/home.html", {"cycle": cycle, "own": own, "follows": follows, "today": today})


def _overseen(request: HttpRequest, code: str, doc_kind: str) -> tuple[Scope, Cycle, Unit, Kind]:
    """The unit `code` that oversees document kind `doc_kind`, for its office: (scope, cycle, unit,
    kind); 404 when the unit is not the kind's reviewing level."""
    scope = get_scope(request)
    cycle = current_cycle(scope=scope)
    unit = scope.get_unit(code=code)
    k = _kind(cycle, doc_kind)
    if k.overseer_level != unit.level:
        raise Http404
    scope.require(roles.LEVEL_OFFICE[unit.level], unit)
    return scope, cycle, unit, k


@login_required
@require_GET
def kind_overview(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, unit, k = _overseen(request, code, doc_kind)
    wanted = request.GET.get("status", "")
    rows = selectors.kind_rows(scope=scope, cycle=cycle, kind=k, under=unit)
    counts: dict[str, int] = {}
    for _u, s in rows:
        st = s.status if s is not None and s.status != DocStatus.DRAFT else "none"
        counts[st] = counts.get(st, 0) + 1
    if wanted:
        rows = [(u, s) for u, s in rows if (s.status if s is not None and s.status != DocStatus.DRAFT else "none") == wanted]
    done = counts.get(DocStatus.APPROVED, 0) + counts.get(DocStatus.FILED, 0)
    return render(request, "documents/kind.html", {
        "cycle": cycle, "unit": unit, "kind": k, "rows": rows, "counts": counts, "wanted": wanted, "done": done,
        "filters": [("", _("全部")), ("none", _("未提交")), (DocStatus.SUBMITTED, _("待审核")),
                    (DocStatus.RETURNED, _("已退回")), (DocStatus.APPROVED, _("已通过")), (DocStatus.FILED, _("已备案"))],
        "today": clock.today(),
    })


@login_required
@require_GET
def kind_zip(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, unit, k = _overseen(request, code, doc_kind)
    content, _n = services.approved_zip(scope=scope, cycle=cycle, kind=k, under=unit, actor=request.user)
    return download(content, f"{unit.code}_{unit.name}_{k.name}_已通过.zip")


def _page(request: HttpRequest, scope: Scope, cycle: Cycle, kind: Kind, unit: Unit, sub: Submission | None,
          status: int = 200, posted: dict[str, Any] | None = None, form_errors: list[str] | None = None) -> HttpResponse:
    today = clock.today()
    can_submit = scope.holds(roles.LEVEL_OFFICE[kind.level], unit)
    can_edit = can_submit and (sub is None or sub.editable)
    can_review = (sub is not None and sub.status == DocStatus.SUBMITTED and not kind.filed
                  and scope.holds(roles.LEVEL_OFFICE[kind.reviewer_level], unit))
    data: dict[str, Any] = posted if posted is not None else (sub.data if sub else {})
    spec = tables.form_spec(kind)
    checklist = []
    answers = (data.get("items") or {}) if isinstance(data, dict) else {}
    for i, item in enumerate(kind.items):
        checklist.append({"i": i, "item": item, "a": answers.get(str(i)) or {}})
    files = list(selectors.draft_files(sub)) if sub else []
    table = tables.document_table(kind=kind, cycle=cycle, unit=unit, data=data) if kind.form in ("table", "checklist") else None
    return render(request, "documents/submission.html", {
        "cycle": cycle, "unit": unit, "kind": kind, "sub": sub, "today": today, "phase": kind.phase(today),
        "window_message": kind.window_message(today),
        "can_edit": can_edit, "can_submit": can_submit, "can_review": can_review,
        "spec": spec, "fields": [{"f": f, "v": data.get(f.key, "")} for f in spec.fields] if spec else [],
        "checklist": checklist, "table": table, "provided": kind.form == "table" and spec is None,
        "files": files, "purposes": [(p, FilePurpose(p).label, [f for f in files if f.purpose == p]) for p in kind.wants_files],
        "problems": services.problems(kind=kind, submission=sub) if sub and can_edit else [],
        "form_errors": form_errors or [],
        "versions": selectors.versions_of(sub) if sub else [],
        "events": list(selectors.events_of(sub)) if sub else [],
        "upload_form": UploadForm(), "review_form": ReviewForm(),
        "review_buttons": [Button(_("审核通过"), "approve", name="decision", id="approve-button"),
                           Button(_("退回"), "return", name="decision", css="", id="return-button")],
    }, status=status)


@login_required
@require_GET
def submission(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, k, unit = _context(request, code, doc_kind)
    return _page(request, scope, cycle, k, unit, selectors.submission_of(scope=scope, cycle=cycle, kind=k, unit=unit))


def _open(request: HttpRequest, code: str, doc_kind: str) -> tuple[Scope, Cycle, Kind, Unit, Submission]:
    scope, cycle, k, unit = _context(request, code, doc_kind)
    sub = services.submission_open(scope=scope, cycle=cycle, kind=k, unit=unit, actor=request.user)
    return scope, cycle, k, unit, sub


def _posted_data(request: HttpRequest, kind: Kind) -> tuple[dict[str, object], list[str]]:
    if kind.form == "checklist":
        items: dict[str, dict[str, object]] = {}
        for i, item in enumerate(kind.items):
            note = request.POST.get(f"item-{i}-note", "").strip()[:500]
            if item.answer == "phone":
                items[str(i)] = {"value": request.POST.get(f"item-{i}-value", "").strip()[:60], "note": note}
            else:
                items[str(i)] = {"done": request.POST.get(f"item-{i}-done") == "on", "note": note}
        return {"items": items}, []
    spec = tables.form_spec(kind)
    if spec is None:
        return {}, []
    values, errors = tables.clean_form(spec, request.POST)
    return dict(values), errors


@login_required
@require_POST
def save(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, k, unit, sub = _open(request, code, doc_kind)
    data, errors = _posted_data(request, k)
    if errors:
        return _page(request, scope, cycle, k, unit, sub, status=422, posted={str(a): str(b) for a, b in data.items()}
                     if k.form != "checklist" else None, form_errors=errors)
    try:
        services.submission_save(scope=scope, kind=k, submission=sub, data=data,
                                 version=PageVersionForm(request.POST).posted_version(), actor=request.user)
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已保存"))
    return redirect("documents:submission", code=code, doc_kind=doc_kind)


@login_required
@require_POST
def upload(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, _cycle, k, _unit, sub = _open(request, code, doc_kind)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("documents:submission", code=code, doc_kind=doc_kind)
    f = form.cleaned_data["file"]
    if f.size > max_upload_bytes():
        messages.error(request, _("文件过大（%(size).1f MB），不能超过 %(max)s MB")
                       % {"size": f.size / 1024 / 1024, "max": max_upload_bytes() // 1024 // 1024})
        return redirect("documents:submission", code=code, doc_kind=doc_kind)
    try:
        added = services.file_add(scope=scope, kind=k, submission=sub, purpose=form.cleaned_data["purpose"],
                                  name=f.name or "", content=f.read(), version=PageVersionForm(request.POST).posted_version(),
                                  actor=request.user)
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已上传：%(name)s") % {"name": added.filename})
    return redirect("documents:submission", code=code, doc_kind=doc_kind)


@login_required
@require_POST
def submit(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, k, unit = _context(request, code, doc_kind)
    sub = selectors.submission_of(scope=scope, cycle=cycle, kind=k, unit=unit)
    services.require_submitter(scope, k, unit)
    if sub is None:
        messages.error(request, _("请先填写或上传材料"))
        return redirect("documents:submission", code=code, doc_kind=doc_kind)
    try:
        row = services.submission_submit(scope=scope, kind=k, submission=sub, actor=request.user,
                                         version=PageVersionForm(request.POST).posted_version(),
                                         comment=request.POST.get("comment", "")[:500])
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        done = _("已备案") if k.filed else _("已提交审核")
        messages.success(request, done + (_("（逾期提交）") if row.late else ""))
    return redirect("documents:submission", code=code, doc_kind=doc_kind)


@login_required
@require_POST
def review(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    scope, cycle, k, unit = _context(request, code, doc_kind)
    sub = selectors.submission_of(scope=scope, cycle=cycle, kind=k, unit=unit)
    if sub is None:
        raise Http404
    services.require_reviewer(scope, k, unit)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结论"))
        return redirect("documents:submission", code=code, doc_kind=doc_kind)
    fn = services.submission_approve if form.cleaned_data["decision"] == "approve" else services.submission_return
    try:
        fn(scope=scope, kind=k, submission=sub, version=form.posted_version(), actor=request.user,
           comment=form.cleaned_data["comment"])
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已审核通过") if form.cleaned_data["decision"] == "approve" else _("已退回"))
    return redirect("documents:submission", code=code, doc_kind=doc_kind)


def _table(request: HttpRequest, code: str, doc_kind: str) -> tuple[Cycle, Kind, Unit, object]:
    scope, cycle, k, unit = _context(request, code, doc_kind)
    sub = selectors.submission_of(scope=scope, cycle=cycle, kind=k, unit=unit)
    table = services.table_of(kind=k, submission=sub, cycle=cycle, unit=unit)
    if table is None:
        raise Http404
    return cycle, k, unit, table


@login_required
@require_GET
def table_pdf(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    cycle, k, unit, table = _table(request, code, doc_kind)
    return download(printing.table_pdf(table, cycle_name=cycle.name), f"{unit.code}_{unit.name}_{k.name}.pdf")  # type: ignore[arg-type]


@login_required
@require_GET
def table_xlsx(request: HttpRequest, code: str, doc_kind: str) -> HttpResponse:
    cycle, k, unit, table = _table(request, code, doc_kind)
    return download(printing.table_xlsx(table, cycle_name=cycle.name), f"{unit.code}_{unit.name}_{k.name}.xlsx")  # type: ignore[arg-type]


@login_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    f = selectors.file_get(scope=get_scope(request), pk=file_id)
    content = services.file_content(file=f, actor=request.user)
    return download(content, f.filename)


@login_required
@require_GET
def file_thumb(request: HttpRequest, file_id: int) -> HttpResponse:
    f = selectors.file_get(scope=get_scope(request), pk=file_id)
    if f.thumbnail:
        return download(bytes(f.thumbnail), f"preview-{f.pk}.png", content_type="image/png")
    return download(NO_PREVIEW_SVG, f"preview-{f.pk}.svg", content_type="image/svg+xml")


@login_required
@require_POST
def file_remove(request: HttpRequest, file_id: int) -> HttpResponse:
    scope = get_scope(request)
    f = selectors.file_get(scope=scope, pk=file_id)
    sub = f.submission
    k = _kind(sub.cycle, sub.kind_code)
    try:
        services.file_remove(scope=scope, kind=k, file=f, version=PageVersionForm(request.POST).posted_version(),
                             actor=request.user)
    except DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除：%(name)s") % {"name": f.filename})
    return redirect("documents:submission", code=sub.unit.code, doc_kind=sub.kind_code)
