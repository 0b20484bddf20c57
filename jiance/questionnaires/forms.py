from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("XLSForm 文件（.xlsx）"))


class SlipForm(forms.Form):
    login = forms.CharField(label=_("登录号"), max_length=40)
    code = forms.CharField(label=_("登录码"), max_length=12)


