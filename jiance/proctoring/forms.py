"""The input boundary of the proctoring pages: every field checked here, errors in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiance.aftertest.models import AbsenceReason
from jiance.proctoring.models import OTHER, OffenderKind, Presence, RunAction
from jiance_core.cycles.discipline import Discipline


class VersionField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=0, widget=forms.HiddenInput, **kwargs)


class ControlForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, a.label) for a in RunAction if a != RunAction.CANCEL])
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    version = VersionField()


class CheckInForm(forms.Form):
    status = forms.ChoiceField(choices=[(p.value, p.label) for p in (Presence.PRESENT, Presence.ABSENT, Presence.LEFT)],
                               initial=Presence.PRESENT)
    seat = forms.IntegerField(min_value=1, max_value=999, required=False)
    code = forms.CharField(label=_("条形码、座位号或学号"), max_length=60, required=False)
    how = forms.ChoiceField(choices=[("tap", "tap"), ("scan", "scan"), ("code", "code")], required=False)
    reason = forms.ChoiceField(label=_("缺考原因"), choices=[("", "—"), *AbsenceReason.choices], required=False)
    version = VersionField()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("确认")), ("reject", _("不予确认"))])
    comment = forms.CharField(label=_("意见"), max_length=500, required=False)
    version = VersionField()


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("违纪对象"), choices=OffenderKind.choices)
    offence = forms.ChoiceField(label=_("违纪情形"))
    room = forms.TypedChoiceField(label=_("监测室"), coerce=int, required=False, empty_value=None)
    session = forms.ChoiceField(label=_("场次"), required=False)
    seat = forms.IntegerField(label=_("学生座位号"), min_value=1, max_value=999, required=False)
    person_name = forms.CharField(label=_("工作人员姓名"), max_length=50, required=False)
    person_post = forms.CharField(label=_("岗位"), max_length=50, required=False)
    description = forms.CharField(label=_("情况说明"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("经过、已采取的措施；学生违纪均取消监测资格。"))

    def __init__(self, *args: Any, catalogue: Discipline, rooms: list[Any], sessions: list[Any],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[Any] = []
        for kind, label in OffenderKind.choices:
            for tier in catalogue.tiers(kind):
                groups.append((f"{label} · {tier.tier}级：{tier.handling}",
                               [(o.code, o.text) for o in tier.offences]))
        groups.append((_("其他"), [(OTHER, _("其他（在情况说明中写明）"))]))
        self.fields["offence"].choices = groups  # type: ignore[attr-defined]
        self.fields["room"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *((r.pk, f"{r.stage_label}{r.name}") for r in rooms)]
        self.fields["session"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *((s.code, f"{s.day_label} {s.name}") for s in sessions)]
