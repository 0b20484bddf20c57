"""The centre's pages: each questionnaire of the active cycle, its XLSForm versions, upload,
preview and publishing. Thin views: permission → form → service → render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts.models import Role
from jiance.accounts.roles import CYCLE_MANAGERS
from jiance.accounts.scoping import get_scope
from jiance.cycles.editing import can_manage
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import active_cycle, current_cycle
from jiance.errors import RoleRequired, refusal_shown
from jiance.http import download
from jiance.questionnaires import examples, selectors
from jiance.questionnaires.forms import UploadForm
from jiance.questionnaires.models import FormVersion, Questionnaire, QuestionnaireError
from jiance.questionnaires.services.versions import (
    questionnaires_sync,
    version_publish,
    version_upload,
)
from jiance_core.questionnaires.xlsform import XLSFormError

MANAGE_ROLES = CYCLE_MANAGERS
RESPONDENT_NAMES = {"student": "学生", "principal": "校长", "head_teacher": "班主任", "subject_teacher": "学科教师",
                    "teacher": "教师", "manager": "学校管理干部", "county_manager": "区县教育管理人员", "parent": "家长"}


def _cycle(request: HttpRequest, *, manage: bool) -> Cycle:
    """The cycle whose questionnaires this office reads; `manage` for uploading and publishing,
    which only the cycle's owner may do (national cycles: the centre). A province or city reads
    the national questionnaires it implements."""
    scope = get_scope(request)
    scope.require(MANAGE_ROLES)
    cycle = current_cycle(scope=scope)
    if manage and not can_manage(scope, cycle):
        raise RoleRequired(MANAGE_ROLES, [str(Role(r).label) for r in MANAGE_ROLES])
    return cycle


def _questionnaire(request: HttpRequest, qcode: str, *, manage: bool) -> Questionnaire:
    cycle = _cycle(request, manage=manage)
    questionnaires_sync(cycle=cycle)
    return get_object_or_404(Questionnaire, cycle=cycle, code=qcode)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    cycle = _cycle(request, manage=False)
    rows: list[dict[str, object]] = []
    for q in questionnaires_sync(cycle=cycle):
        versions = list(q.versions.order_by("-number"))
        config: dict[str, Any] = next((c for c in cycle.config.get("questionnaires", []) if c["code"] == q.code), {})
        rows.append({"q": q, "versions": versions, "published": next((v for v in versions if v.published_at), None),
                     "respondents": "、".join(RESPONDENT_NAMES.get(r, r) for r in config.get("respondents") or [])})
    return render(request, "questionnaires/home.html", {
        "cycle": cycle, "rows": rows, "form": UploadForm(), "manages": can_manage(get_scope(request), cycle)})


@login_required
@require_POST
def upload(request: HttpRequest, qcode: str) -> HttpResponse:
    q = _questionnaire(request, qcode, manage=True)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        from django.contrib import messages

        messages.error(request, _("请选择要上传的 XLSForm 文件"))
        return redirect("questionnaires:home")
    f = form.cleaned_data["file"]
    try:
        version, created = version_upload(questionnaire=q, content=f.read(), filename=f.name, actor=request.user)
    except XLSFormError as exc:
        return render(request, "questionnaires/refused.html", {"q": q, "problems": exc.problems, "filename": f.name},
                      status=400)
    from django.contrib import messages

    if created:
        messages.success(request, _("已生成%(name)s第 %(n)s 版（尚未发布）") % {"name": q.name, "n": version.number})
    else:
        messages.info(request, _("文件内容与第 %(n)s 版相同，未生成新版本") % {"n": version.number})
    return redirect("questionnaires:home")


def _version(request: HttpRequest, qcode: str, number: int, *, manage: bool) -> FormVersion:
    q = _questionnaire(request, qcode, manage=manage)
    return get_object_or_404(FormVersion, questionnaire=q, number=number)


@login_required
@require_GET
def preview(request: HttpRequest, qcode: str, number: int) -> HttpResponse:
    version = _version(request, qcode, number, manage=False)
    return render(request, "questionnaires/preview.html", {
        "version": version, "q": version.questionnaire,
        "form": selectors.labelled(version.form, "en" if request.LANGUAGE_CODE == "en" else "zh"),
    })


@login_required
@require_POST
def publish(request: HttpRequest, qcode: str, number: int) -> HttpResponse:
    version = _version(request, qcode, number, manage=True)
    with refusal_shown(request, QuestionnaireError, _("已发布第 %(n)s 版") % {"n": version.number}):
        version_publish(version=version, actor=request.user)
    return redirect("questionnaires:home")


@login_required
@require_GET
def example(request: HttpRequest, qcode: str) -> HttpResponse:
    """An example XLSForm to start from: for a questionnaire of the active cycle (by its
    respondents), else one of the shipped examples by code. Programme material, no personal data."""
    scope = get_scope(request)
    scope.require(MANAGE_ROLES)
    cycle = active_cycle(scope)
    config = next((c for c in (cycle.config.get("questionnaires") or []) if c["code"] == qcode), None) if cycle else None
    if config is None:
        config = next((e for e in examples.EXAMPLES if e["code"] == qcode), None)
    if config is None:
        raise Http404
    content = examples.example_xlsx(qcode, config["name"], list(config.get("respondents") or []),
                                    config.get("subject_name", ""))
    return download(content, f"{config['name']}（示例）.xlsx")
