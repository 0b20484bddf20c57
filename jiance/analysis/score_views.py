"""The score upload page: one score file per cycle and stage (cycle managers), issue 14."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiance.accounts import roles
from jiance.accounts.scoping import Scope, get_scope
from jiance.analysis.models import ScoreSet
from jiance.analysis.scoring import MAX_BYTES, SHOWN_ERRORS, score_import
from jiance.analysis.services import AnalysisError
from jiance.analysis.views import cycle_stages
from jiance.cycles.models import Cycle
from jiance.cycles.selectors import current_cycle
from jiance.stages import stage_label


class ScoreUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("成绩文件（.csv、.xlsx、.parquet 或 .sav）"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过 200 MB"))
        return f


def _cycle(request: HttpRequest) -> tuple[Scope, Cycle]:
    scope = get_scope(request)
    if not scope.holds(roles.CYCLE_MANAGERS):
        raise PermissionDenied
    return scope, current_cycle(scope=scope)


def _page(request: HttpRequest, scope: Scope, cycle: Cycle, *, stage: str = "", errors: Any = None,
          status: int = 200) -> HttpResponse:
    sets = {s.stage: s for s in ScoreSet.objects.filter(cycle=cycle).select_related("uploaded_by")}
    stages = [{"code": s, "label": stage_label(s), "set": sets.get(s)} for s in cycle_stages(cycle)]
    shown = list(errors or [])[:SHOWN_ERRORS]
    return render(request, "analysis/scores.html", {
        "cycle": cycle, "stages": stages, "form": ScoreUploadForm(), "error_stage": stage_label(stage) if stage else "",
        "errors": shown, "more_errors": max(0, len(errors or []) - len(shown)),
    }, status=status)


@login_required
@require_GET
def scores_page(request: HttpRequest) -> HttpResponse:
    scope, cycle = _cycle(request)
    return _page(request, scope, cycle)


@login_required
@require_POST
def scores_upload(request: HttpRequest, stage: str) -> HttpResponse:
    scope, cycle = _cycle(request)
    if stage not in cycle_stages(cycle):
        raise Http404
    form = ScoreUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            messages.error(request, "；".join(str(x) for x in errs))
        return redirect("analysis:scores")
    f = form.cleaned_data["file"]
    try:
        outcome = score_import(scope=scope, cycle=cycle, stage=stage, content=f.read(), filename=f.name,
                               actor=request.user)
    except AnalysisError as exc:
        messages.error(request, str(exc))
        return redirect("analysis:scores")
    if outcome.errors:
        messages.error(request, _("成绩文件未导入：共 %(n)s 处问题，见下表。改正后请重新上传整个文件。")
                       % {"n": len(outcome.errors)})
        return _page(request, scope, cycle, stage=stage, errors=outcome.errors, status=400)
    assert outcome.score_set is not None
    messages.success(request, _("已导入 %(file)s：%(rows)s 名样本学生的成绩；%(missing)s 名样本学生没有成绩。")
                     % {"file": f.name, "rows": outcome.score_set.rows, "missing": outcome.missing})
    return redirect("analysis:scores")
