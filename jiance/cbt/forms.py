from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    login = forms.CharField(max_length=40, label="登录号")
    code = forms.CharField(max_length=12, label="登录码")


class ActForm(forms.Form):
    action = forms.CharField(max_length=20)
    version = forms.IntegerField(required=False)
    reason = forms.CharField(max_length=300, required=False)
    minutes = forms.IntegerField(required=False, min_value=1, max_value=60)
    to_seat = forms.IntegerField(required=False, min_value=1)


class BankForm(forms.Form):
    file = forms.FileField(label=_("题目文件（.json 或 .zip）"))
