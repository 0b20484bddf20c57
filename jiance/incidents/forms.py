"""The input boundary of the incident and hotline pages: every choice comes from the cycle (the
catalogue, the sessions), the school (its rooms) or the released sample (its students)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiance.incidents.services import IncidentInput
from jiance_core.cycles.incidents import IncidentRules

GRADE_CHOICES = (("", _("按事件类别默认等级")), ("1", _("1 级")), ("2", _("2 级")), ("3", _("3 级")))
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def kind_choices(rules: IncidentRules) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", "—")]
    groups: dict[str, list[tuple[str, str]]] = {}
    for k in rules.kinds:
        groups.setdefault(k.group or "", []).append((k.code, f"{k.name}（{k.grade} 级）"))
    for group, items in groups.items():
        out.append((group, items))  # type: ignore[arg-type]
    return out


def local_input(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类别"), error_messages={"required": _("请选择事件类别"),
                                                               "invalid_choice": _("事件类别不在本周期的事件目录中")})
    grade = forms.ChoiceField(label=_("等级"), choices=GRADE_CHOICES, required=False)
    occurred_at = forms.DateTimeField(label=_("发生时间"), input_formats=DATETIME_FORMATS,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      error_messages={"required": _("请填写发生时间"), "invalid": _("发生时间格式有误")})
    room = forms.TypedChoiceField(label=_("监测室"), coerce=int, required=False, empty_value=None)
    session = forms.ChoiceField(label=_("场次"), required=False)
    what = forms.CharField(label=_("事件情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                           error_messages={"required": _("请填写事件情况")})
    actions = forms.CharField(label=_("已采取的措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                              required=False)
    booklets = forms.IntegerField(label=_("实有测试卷数"), min_value=0, max_value=999, required=False,
                                  help_text=_("测试卷数少于学生数时填写：平台按座位号由大到小提出剔除名单"))
    students = forms.TypedMultipleChoiceField(label=_("涉及学生"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, rules: IncidentRules, rooms: list[tuple[int, str]],
                 sessions: list[tuple[str, str]], students: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(rules)  # type: ignore[attr-defined]
        self.fields["room"].choices = [("", "—"), *rooms]  # type: ignore[attr-defined]
        self.fields["session"].choices = [("", "—"), *sessions]  # type: ignore[attr-defined]
        self.fields["students"].choices = students  # type: ignore[attr-defined]

    def to_input(self) -> IncidentInput:
        d = self.cleaned_data
        return IncidentInput(kind_code=d["kind"], occurred_at=d["occurred_at"], what=d["what"], actions=d["actions"],
                             grade=int(d["grade"]) if d.get("grade") else None, room_id=d.get("room"),
                             session_code=d.get("session") or "", booklets=d.get("booklets"),
                             student_ids=tuple(d.get("students") or ()))


class StepForm(forms.Form):
    action = forms.CharField(max_length=12)
    comment = forms.CharField(required=False, max_length=4000)
    grade = forms.TypedChoiceField(choices=GRADE_CHOICES, coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(required=False, min_value=0)


class EvaluationForm(forms.Form):
    cause = forms.CharField(label=_("事件原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    course = forms.CharField(label=_("事件过程"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    effect = forms.CharField(label=_("事件影响"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    grade_note = forms.CharField(label=_("事件等级"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    handling = forms.CharField(label=_("处置办法"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    result = forms.CharField(label=_("处置效果"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class CallForm(forms.Form):
    at = forms.DateTimeField(label=_("来电时间"), input_formats=DATETIME_FORMATS,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             error_messages={"required": _("请填写来电时间"), "invalid": _("来电时间格式有误")})
    caller = forms.CharField(label=_("来电人及联系方式"), max_length=100, error_messages={"required": _("请填写来电人")})
    school = forms.TypedChoiceField(label=_("涉及学校"), coerce=int, required=False, empty_value=None)
    content = forms.CharField(label=_("来电内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                              error_messages={"required": _("请填写来电内容")})
    handling = forms.CharField(label=_("处理情况"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000,
                               required=False)

    def __init__(self, *args: Any, schools: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "—"), *schools]  # type: ignore[attr-defined]


class ConvertForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类别"), error_messages={"required": _("请选择事件类别")})
    grade = forms.ChoiceField(label=_("等级"), choices=GRADE_CHOICES, required=False)

    def __init__(self, *args: Any, rules: IncidentRules, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(rules)  # type: ignore[attr-defined]


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else str(errors[0])
    return str(_("提交的内容有误"))
