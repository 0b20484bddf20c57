from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CycleCopyForm(forms.Form):
    new_year = forms.IntegerField(label=_("新年度"), min_value=2000, max_value=2100, required=False)
    days = forms.IntegerField(label=_("或顺延天数"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_year") is None and data.get("days") is None:
            raise forms.ValidationError(_("请填写新年度或顺延天数。"))
        return data
