"""The input boundary of the documents pages (the filled forms are read by `tables.clean_form`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.documents.models import FilePurpose
from jiance.review.forms import PageVersionForm


class UploadForm(PageVersionForm):
    purpose = forms.ChoiceField(label=_("文件用途"), choices=FilePurpose.choices)
    file = forms.FileField(label=_("选择文件"), error_messages={"required": _("请选择要上传的文件"),
                                                            "empty": _("文件是空的")})


class ReviewForm(PageVersionForm):
    decision = forms.ChoiceField(choices=(("approve", _("审核通过")), ("return", _("退回"))))
    comment = forms.CharField(required=False, max_length=500, widget=forms.Textarea)
