"""The export page of a questionnaire version and its downloads (see `jiance.questionnaires.exports`).

Whoever reads the cycle's questionnaires (the cycle managers: the centre, provinces and cities that
implement it) exports the answers of their own units, pseudonymous. The identified export (names,
student numbers, logins, accounts) is for the cycle's owner office only (the centre for national
cycles), with a stated reason; a refused attempt is audited too. Thin views: permission → form →
service → file."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from jiance.accounts.models import Role
from jiance.accounts.scoping import get_scope
from jiance.cycles.editing import can_manage
from jiance.errors import RoleRequired
from jiance.http import download, download_stream
from jiance.questionnaires import exports
from jiance.questionnaires.export_jobs import export_job_submit
from jiance.questionnaires.models import FormVersion, Response
from jiance.questionnaires.views import MANAGE_ROLES, _version


class IdentifiedForm(forms.Form):
    fmt = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "XLSX"), ("csv", "CSV"), ("sav", "SPSS (.sav)")])
    reason = forms.CharField(label=_("导出原因"), min_length=6, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("实名数据仅用于核查等必要用途；原因写入审计日志。"))
    background = forms.BooleanField(label=_("在后台生成（答卷较多时自动在后台生成）"), required=False)


def _to_job(request: HttpRequest, version: FormVersion, fmt: str, *, identified: bool, reason: str = "") -> HttpResponse:
    job = export_job_submit(version=version, scope=get_scope(request), fmt=fmt, identified=identified, reason=reason)
    messages.success(request, _("已提交后台导出，完成后在本页下载。"))
    return redirect(f"{reverse('jobs:list')}?job={job.pk}")


def _download(version: FormVersion, request: HttpRequest, fmt: str, *, identified: bool,
          reason: str = "", background: bool = False) -> HttpResponse | StreamingHttpResponse:
    scope = get_scope(request)
    count = exports.responses_for(version, scope).count()
    if background or count > settings.JIANCE_SYNC_EXPORT_ROWS:
        return _to_job(request, version, fmt, identified=identified, reason=reason)
    exports.export_record(version=version, fmt=fmt, rows=count, identified=identified, reason=reason,
                          actor=request.user, unit=scope.primary_unit)
    export = exports.build(version, scope=scope, identified=identified)
    name = exports.filename(version, "answers", fmt, identified=identified)
    if fmt == "csv":
        return download_stream(exports.csv_chunks(export), name)
    if fmt == "xlsx":
        return download(exports.xlsx_bytes(export), name)
    return download(exports.sav_bytes(export), name, content_type="application/x-spss-sav")


@login_required
@require_GET
def page(request: HttpRequest, qcode: str, number: int) -> HttpResponse:
    version = _version(request, qcode, number, manage=False)
    return _page(request, version, IdentifiedForm())


def _page(request: HttpRequest, version: FormVersion, form: IdentifiedForm, status: int = 200) -> HttpResponse:
    scope = get_scope(request)
    real = exports.responses_for(version, scope)
    practice = scope.filter(Response.objects.filter(version=version, practice=True), unit_field="respondent__unit")
    return render(request, "questionnaires/export.html", {
        "version": version, "q": version.questionnaire, "formats": exports.FORMATS,
        "started": real.count(), "submitted": real.filter(submitted_at__isnull=False).count(),
        "practice": practice.count(), "form": form,
        "identified_allowed": can_manage(scope, version.questionnaire.cycle),
    }, status=status)


@login_required
@require_GET
def answers(request: HttpRequest, qcode: str, number: int, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    version = _version(request, qcode, number, manage=False)
    count = exports.responses_for(version, get_scope(request)).count()
    if count > settings.JIANCE_SYNC_EXPORT_ROWS:  # too large for one request: the page offers a job
        messages.info(request, _("本版答卷较多（%(n)s 份），请点击“后台生成”。") % {"n": count})
        return redirect("questionnaires:export", qcode, number)
    return _download(version, request, fmt, identified=False)


@login_required
@require_http_methods(["POST"])
def answers_job(request: HttpRequest, qcode: str, number: int, fmt: str) -> HttpResponse:
    """The pseudonymous answers of a version as a background job (any size)."""
    if fmt not in exports.FORMATS:
        raise Http404
    version = _version(request, qcode, number, manage=False)
    return _to_job(request, version, fmt, identified=False)


@login_required
@require_GET
def codebook(request: HttpRequest, qcode: str, number: int, fmt: str) -> HttpResponse:
    """The codebook alone (variables, labels, values, rules): programme material, no personal data."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    version = _version(request, qcode, number, manage=False)
    export = exports.build(version, scope=None)
    content = exports.codebook_csv(export) if fmt == "csv" else exports.codebook_xlsx(export)
    return download(content, exports.filename(version, "codebook", fmt))


@login_required
@require_http_methods(["POST"])
def identified(request: HttpRequest, qcode: str, number: int) -> HttpResponse | StreamingHttpResponse:
    version = _version(request, qcode, number, manage=False)
    scope = get_scope(request)
    form = IdentifiedForm(request.POST)
    if not can_manage(scope, version.questionnaire.cycle):
        exports.identified_refused_record(version=version, reason=str(request.POST.get("reason", ""))[:300],
                                          actor=request.user, unit=scope.primary_unit)
        owners: tuple[str, ...] = (Role.CENTRE_ADMIN,) if version.questionnaire.cycle.owner is None else MANAGE_ROLES
        raise RoleRequired(owners, [str(Role(r).label) for r in owners])
    if not form.is_valid():
        return _page(request, version, form, status=400)
    return _download(version, request, form.cleaned_data["fmt"], identified=True, reason=form.cleaned_data["reason"],
                     background=form.cleaned_data["background"])
