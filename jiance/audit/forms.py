from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jiance.accounts.scoping import Scope
from jiance.audit.models import Action, Result
from jiance.units.models import Unit


class AuditFilterForm(forms.Form):
    unit = forms.CharField(label=_("单位代码"), required=False, max_length=20)
    person = forms.CharField(label=_("人员"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部操作")), *Action.choices])
    result = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部结果")), *Result.choices])
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_unit(self) -> Unit | None:
        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        try:
            return self.scope.get_unit(code=code)
        except Http404:
            raise forms.ValidationError(
                _("单位代码 %(code)s 不存在或不在您的管辖范围内"), params={"code": code}
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data
