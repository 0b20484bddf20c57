"""The input boundary of the staffing pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance_core.cycles.schema import STAFF_SUBJECTS


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GroupMemberForm(VersionForm):
    role = forms.ChoiceField(label=_("小组职务"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    post = forms.CharField(label=_("工作单位及职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = roles


class StaffPostForm(VersionForm):
    """One person into one post: from the teacher roster, or entered (county staff, others)."""

    slot = forms.ChoiceField(label=_("岗位"))
    teacher = forms.ChoiceField(label=_("从教师名单选择"), required=False)
    name = forms.CharField(label=_("姓名（不在教师名单中时填写）"), max_length=50, required=False)
    home = forms.ChoiceField(label=_("所在单位"), required=False)
    subjects = forms.MultipleChoiceField(label=_("任教学科"), required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=list(STAFF_SUBJECTS.items()))
    post = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args: Any, slots: list[tuple[str, str]], teachers: list[tuple[str, str]],
                 homes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["slot"]).choices = slots
        cast(forms.ChoiceField, self.fields["teacher"]).choices = [("", "—"), *teachers]
        cast(forms.ChoiceField, self.fields["home"]).choices = [("", _("（本校 / 本县）")), *homes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("teacher") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("请从教师名单中选择，或填写姓名"))
        return data
