"""Input boundary of the hierarchy pages."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
TOKEN_RE = r"^[0-9a-f]{32}$"


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件（.xlsx）"),
        help_text=_("使用本页提供的模板填写；先检查，确认无误后再导入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        f: UploadedFile = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if not name.endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的文件（可先下载模板）"))
        if f.size and f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大：最多 20 MB"))
        return f


class ConfirmImportForm(forms.Form):
    token = forms.RegexField(regex=TOKEN_RE, widget=forms.HiddenInput)
