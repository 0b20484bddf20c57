from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CycleCopyForm(forms.Form):
    new_year = forms.IntegerField(label=_("新年度"), min_value=2000, max_value=2100, required=False,
                                  help_text=_("按整周顺延（364 天的倍数），星期几不变"))
    days = forms.IntegerField(label=_("或顺延天数"), required=False, min_value=-3660, max_value=3660,
                              help_text=_("填写天数时按天数顺延，年度取顺延后第一个测试日的年份"))
    new_code = forms.SlugField(label=_("新周期代码"), max_length=60, required=False,
                               help_text=_("留空：把原代码中的年份换成新年份"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_year") is None and data.get("days") is None:
            raise forms.ValidationError(_("请填写新年度或顺延天数。"))
        return data
