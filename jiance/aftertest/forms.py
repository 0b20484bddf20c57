"""The input boundary of after-test reporting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.aftertest.models import AbsenceReason, Attendance
from jiance.aftertest.services import RowInput
from jiance.review.forms import PageVersionForm

MAX_UPLOAD = 5 * 1024 * 1024


class RowForm(forms.Form):
    attendance = forms.ChoiceField(label=_("参加情况"), choices=Attendance.choices)
    absent_sessions = forms.MultipleChoiceField(label=_("缺考场次"), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label=_("缺考原因"), required=False,
                               choices=[("", "—"), *AbsenceReason.choices])
    note = forms.CharField(label=_("备注"), required=False, max_length=200)
    name = forms.CharField(label=_("更正姓名"), required=False, max_length=50)
    sex = forms.ChoiceField(label=_("更正性别"), required=False, choices=[("", "—"), ("男", "男"), ("女", "女")])
    class_name = forms.CharField(label=_("更正班级"), required=False, max_length=50)

    def __init__(self, *args: Any, sessions: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent_sessions"].choices = (  # type: ignore[attr-defined]
            [(s["code"], s["name"]) for s in sessions]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("attendance") and data["attendance"] != Attendance.PRESENT and not data.get("reason"):
            self.add_error("reason", _("缺考学生必须填写缺考原因（病假/事假/转学/其他）"))
        return data

    def row_input(self) -> RowInput:
        d = self.cleaned_data
        return RowInput(attendance=d["attendance"], absent_sessions=list(d["absent_sessions"]),
                        reason=d["reason"], note=d["note"], name=d["name"], sex=d["sex"],
                        class_name=d["class_name"])


class PageRowForm(RowForm):
    """A row of the page's one form. Everyone is present unless marked otherwise: a present
    student's absence fields are hidden on the page, so what they still hold is ignored."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("attendance") == Attendance.PRESENT:
            data["reason"], data["absent_sessions"] = "", []
        return data


class ReviewForm(PageVersionForm):
    decision = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回"))])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(forms.Form):
    file = forms.FileField(label=_("测试生基本信息表（.xlsx）"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件不能超过 5 MB"))
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的模板文件"))
        return f


class SupplementaryForm(forms.Form):
    school = forms.ChoiceField(label=_("学校"))
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args: Any, schools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [  # type: ignore[attr-defined]
            (s.code, f"{s.name}（{s.code}）") for s in schools
        ]
