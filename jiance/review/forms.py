"""The input a review page posts besides its own fields: the version it showed."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _


class PageVersionForm(forms.Form):
    """Carries the record's version as the page showed it (hidden), so the engine refuses a click
    on a page drawn before someone else acted. Every page form posts it (review/_version.html); the
    page's own htmx saves swap the new version into those forms out of band. Missing = compare the
    status only (callers without a page)."""

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput,
                                 error_messages={"invalid": _("页面数据有误，请刷新页面后再操作")})

    def posted_version(self) -> int | None:
        if not self.is_valid():
            return None
        return self.cleaned_data.get("version")


@dataclass(frozen=True)
class Button:
    """One decision button of `review/_form.html`."""

    label: str
    value: str = ""
    name: str = "action"
    css: str = "primary"
    formaction: str = ""
    id: str = ""
