"""The input boundary of the test-day pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.testday.models import ComputerRoom, Orientation


class ComputerRoomForm(forms.ModelForm):
    class Meta:
        model = ComputerRoom
        fields = ["name", "pcs", "orientation", "columns"]
        help_texts = {
            "pcs": _("可用于测试的联网计算机台数（含备用机）"),
            "columns": _("从讲台看每排的计算机台数；不填按 6 台"),
        }

    orientation = forms.ChoiceField(label=_("学生朝向"), choices=Orientation.choices, initial=Orientation.FRONT)

    def clean_pcs(self) -> int:
        pcs = self.cleaned_data["pcs"]
        if pcs is None or pcs < 1:
            raise forms.ValidationError(_("联网计算机台数应为正整数"))
        if pcs > 200:
            raise forms.ValidationError(_("联网计算机台数 %(pcs)s 过大，请核对（一间机房不超过 200 台）") % {"pcs": pcs})
        return pcs

    def clean_columns(self) -> int | None:
        columns = self.cleaned_data.get("columns")
        if columns is not None and not 1 <= columns <= 20:
            raise forms.ValidationError(_("每排台数应在 1-20 之间"))
        return columns


class PhoneForm(forms.Form):
    label = forms.CharField(label=_("名称"), max_length=100,
                            help_text=_("例如：某某区义务教育质量监测实施办公室"))
    number = forms.CharField(label=_("举报电话"), max_length=100, help_text=_("多个号码用逗号分隔"))

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not any(ch.isdigit() for ch in number):
            raise forms.ValidationError(_("请填写电话号码"))
        return number


class AbsenceForm(forms.Form):
    absent = forms.BooleanField(required=False)
