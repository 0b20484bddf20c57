from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.review.forms import PageVersionForm


class MarkForm(PageVersionForm):
    note = forms.CharField(label=_("说明（可选）"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("附件（可选，PDF/JPEG/PNG）"), required=False)


class DecideForm(PageVersionForm):
    action = forms.ChoiceField(choices=[("confirm", _("确认完成")), ("return", _("退回"))])
    comment = forms.CharField(max_length=500, required=False)
