"""The input boundary of frame reporting: one school's row, an upload, a review decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.reporting.models import FrameRecord, ReviewAction
from jiance.review.forms import PageVersionForm
from jiance.units.models import Affiliation, Area, Nature, SchoolType

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class FrameRecordForm(forms.Form):
    school_type = forms.ChoiceField(label=_("学校类型"), choices=SchoolType.choices)
    nature = forms.ChoiceField(label=_("办学性质"), choices=Nature.choices)
    area = forms.ChoiceField(label=_("城乡区域"), choices=Area.choices)
    affiliation = forms.ChoiceField(label=_("隶属关系"), choices=Affiliation.choices)
    primary_students = forms.IntegerField(label=_("学生数"), min_value=0, required=False)
    primary_classes = forms.IntegerField(label=_("班级数"), min_value=0, required=False)
    junior_students = forms.IntegerField(label=_("学生数"), min_value=0, required=False)
    junior_classes = forms.IntegerField(label=_("班级数"), min_value=0, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, grades: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grades = grades
        for stage in ("primary", "junior"):
            g = grades[stage]
            self.fields[f"{stage}_students"].label = _("%(g)s年级学生数") % {"g": g}
            self.fields[f"{stage}_classes"].label = _("%(g)s年级班级数") % {"g": g}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        values = {k: (data.get(k) or 0) if k.endswith(("students", "classes")) else data.get(k, "")
                  for k in FrameRecord.DATA_FIELDS}
        for field, _kind, reason in FrameRecord(**values).problems(self.grades):
            self.add_error(field, reason)
        return data

    def record_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in FrameRecord.DATA_FIELDS}


def initial_for(record: FrameRecord | None, school: Any) -> dict[str, Any]:
    if record is not None:
        return {k: getattr(record, k) for k in FrameRecord.DATA_FIELDS}
    return {
        "school_type": school.school_type, "nature": school.nature, "area": school.area,
        "affiliation": school.affiliation,
    }


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填好的模板（.xlsx）"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的模板文件"))
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB"))
        return f


class SubmitForm(PageVersionForm):
    comment = forms.CharField(label=_("提交说明"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(PageVersionForm):
    action = forms.ChoiceField(choices=[
        (ReviewAction.APPROVE, _("审核通过")), (ReviewAction.RETURN, _("退回")), (ReviewAction.UNLOCK, _("解锁")),
    ])
    comment = forms.CharField(label=_("审核意见（退回、解锁时必填）"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if str(data.get("action")) in (ReviewAction.RETURN, ReviewAction.UNLOCK) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回或解锁时必须填写原因"))
        return data
