"""The input boundary of the custody pages: one form for every hand-over step."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.custody.models import Step


class EntryForm(forms.Form):
    step = forms.ChoiceField(label=_("环节"), choices=Step.choices)
    code = forms.CharField(label=_("箱号 / 袋号"), max_length=50, required=False)
    school = forms.CharField(label=_("学校代码"), max_length=20, required=False)
    boxes = forms.IntegerField(label=_("箱数"), min_value=1, max_value=10000, required=False)
    bags_counted = forms.IntegerField(label=_("清点袋数"), min_value=0, max_value=500, required=False)
    travel_minutes = forms.IntegerField(label=_("车程（分钟）"), min_value=1, max_value=2000, required=False)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    second_username = forms.CharField(label=_("第二人账号"), max_length=150, required=False)
    second_pin = forms.CharField(label=_("第二人保管确认码"), max_length=6, required=False,
                                 widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    seals = forms.CharField(label=_("封条号"), max_length=200, required=False)
    signers = forms.CharField(label=_("签字监测员"), max_length=200, required=False)
    tracking_no = forms.CharField(label=_("机要单号"), max_length=60, required=False)
    note = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    note = forms.CharField(label=_("更正原因"), max_length=2000)


class PinForm(forms.Form):
    password = forms.CharField(label=_("登录密码"), widget=forms.PasswordInput)
    pin = forms.CharField(label=_("新的保管确认码（6 位数字）"), min_length=6, max_length=6,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
