"""The input boundary of sampling: a draw's seed and method, a replacement request, a decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.sampling.models import Method, ReasonKind
from jiance.sampling.services import SEED_LIMIT


class DrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("随机种子"), required=False, min_value=0, max_value=2**63 - 1,
        help_text=_("留空则由系统随机生成；种子会被记录，用同一种子和同一抽样框可以复核抽样结果。"),
        widget=forms.NumberInput(attrs={"placeholder": _("留空自动生成（0–%(n)s）") % {"n": SEED_LIMIT - 1}}),
    )
    method = forms.ChoiceField(label=_("抽样方法"), choices=Method.choices, initial=Method.PPS)
    background = forms.BooleanField(
        label=_("在后台抽样"), required=False,
        help_text=_("省级或学校很多的市，抽样可能需要几分钟：在后台进行，完成后在“后台任务”中打开结果。"),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核对预览结果，确认发布。发布后样本不可修改，只能按替换程序更换样本校。"), required=True
    )


class ReplacementRequestForm(forms.Form):
    reason_kind = forms.ChoiceField(label=_("原因类别"), choices=ReasonKind.choices)
    reason = forms.CharField(
        label=_("原因说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("请写明学校停办、合并或拒绝参加等具体情况及依据。"),
        error_messages={"required": _("请填写申请替换的原因。")},
    )

    def clean_reason(self) -> str:
        value = (self.cleaned_data.get("reason") or "").strip()
        if not value:
            raise forms.ValidationError(_("请填写申请替换的原因。"))
        return value


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("同意替换")), ("reject", _("驳回"))])
    comment = forms.CharField(label=_("审核意见"), max_length=500, required=False)
    skip_first = forms.BooleanField(
        label=_("第一替补校也无法参加（改用第二替补校）"), required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("驳回须填写理由。"))
        return data
