from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReopenForm(forms.Form):
    until = forms.DateField(label=_("开放至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=200)
