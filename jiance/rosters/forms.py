"""The input boundary of rosters: files, one student, one teacher, review comments, the draw seed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.review.forms import PageVersionForm
from jiance.rosters.models import Employment, TeacherRole

MAX_UPLOAD = 30 * 1024 * 1024
SEXES = [("男", _("男")), ("女", _("女"))]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("学生名单（XLSX）"))

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError(_("请上传 XLSX 文件（由下载的模板填写）"))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大（超过 30 MB）"))
        return f


class StudentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=SEXES)
    birth_date = forms.DateField(label=_("出生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    national_id = forms.CharField(label=_("身份证号"), max_length=18, min_length=18)
    class_name = forms.CharField(label=_("班级"), max_length=50)
    student_no = forms.CharField(label=_("学号"), max_length=50)


class TeacherForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    sex = forms.ChoiceField(label=_("性别"), choices=SEXES)
    class_name = forms.CharField(label=_("任教班级"), max_length=100, required=False)
    roles = forms.MultipleChoiceField(label=_("角色（可多选）"), choices=TeacherRole.choices,
                                      widget=forms.CheckboxSelectMultiple)
    questionnaire_role = forms.ChoiceField(
        label=_("填答问卷时的角色（身兼多职时必选）"), choices=[("", "—"), *TeacherRole.choices], required=False,
    )
    # optional so that a post without it (an old form, a script) means a regular teacher
    employment = forms.ChoiceField(label=_("任职类型"), choices=Employment.choices, initial=Employment.REGULAR,
                                   required=False)

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            choices = [(k, v) for k, v in TeacherRole.choices if k in allowed]
            roles_field = self.fields["roles"]
            role_field = self.fields["questionnaire_role"]
            assert isinstance(roles_field, forms.MultipleChoiceField)
            assert isinstance(role_field, forms.ChoiceField)
            roles_field.choices = choices
            role_field.choices = [("", "—"), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        roles = data.get("roles") or []
        chosen = data.get("questionnaire_role") or ""
        if len(roles) > 1 and not chosen:
            self.add_error("questionnaire_role", _("身兼多职的教师须选择填答问卷时的角色"))
        elif chosen and roles and chosen not in roles:
            self.add_error("questionnaire_role", _("问卷角色必须是该教师的角色之一"))
        return data


class CommentForm(PageVersionForm):
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DrawForm(forms.Form):
    seed = forms.IntegerField(label=_("随机种子（留空则随机生成）"), required=False, min_value=0, max_value=2**63 - 1)
    # the county to draw (its code); empty: every sample school of the area still left
    area = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
