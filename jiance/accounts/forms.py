"""The input boundary for account pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jiance.accounts.models import ROLE_LEVELS, SCHOOL_ACCOUNT_SUFFIXES, Role
from jiance.accounts.roles import ACCOUNT_MANAGERS, ADMINS
from jiance.accounts.scoping import Scope
from jiance.accounts.selectors import bulk_account_units, manageable_units
from jiance.accounts.services import DEFAULT_SCHOOL_ROLES
from jiance.units.models import LEVEL_DEPTH, Level, Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


class UnitLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.code}）"


class SchoolAccountsForm(forms.Form):
    unit = UnitLabelField(label=_("单位（县级或以上）"), queryset=Unit.objects.none())
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (r, format_lazy(_("{role}（用户名后缀 -{suffix}）"), role=Role(r).label, suffix=SCHOOL_ACCOUNT_SUFFIXES[r]))
            for r in SCHOOL_ACCOUNT_SUFFIXES
            if Level.SCHOOL in ROLE_LEVELS[r]
        ],
        initial=list(DEFAULT_SCHOOL_ROLES),
    )

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bulk_account_units(scope=scope)
        field.empty_label = None


DATALIST_LIMIT = 500


def assignable_role_choices(scope: Scope) -> list[tuple[str, StrOrPromise]]:
    """Roles a manager can hand out somewhere in their subtree: any role held at a level below
    their highest unit, and non-admin roles at that unit's own level."""
    depths = [LEVEL_DEPTH[Level(g.unit_level)] for g in scope.grants if g.role in ACCOUNT_MANAGERS]
    if not depths:
        return []
    top = min(depths)
    choices = []
    for role, label in Role.choices:
        role_depths = [LEVEL_DEPTH[Level(lv)] for lv in ROLE_LEVELS[role]]
        if any(d > top for d in role_depths) or (top in role_depths and role not in ADMINS):
            choices.append((role, label))
    return choices


class RoleAssignForm(forms.Form):
    unit_code = forms.CharField(label=_("单位代码"), max_length=20)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    username = forms.CharField(
        label=_("用户名"), max_length=150,
        help_text=_("已有账号填其用户名；新用户名将创建账号并生成初始密码"),
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— 请选择 —")), *assignable_role_choices(scope)]
        units = manageable_units(scope=scope)
        # A pick list of unit codes when it is short enough to send (a county, a city).
        self.unit_options = list(units.values_list("code", "name")[:DATALIST_LIMIT + 1])
        if len(self.unit_options) > DATALIST_LIMIT:
            self.unit_options = []
        else:
            self.fields["unit_code"].widget.attrs["list"] = "manageable-units"

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if not USERNAME_RE.match(username):
            raise forms.ValidationError(
                _("用户名只能包含字母、数字和 _ . @ + -，长度 3-150 位")
            )
        return username

    def clean_unit_code(self) -> Unit:
        code = self.cleaned_data["unit_code"].strip()
        try:
            return manageable_units(scope=self.scope).get(code=code)
        except Unit.DoesNotExist:
            raise forms.ValidationError(_("单位代码 %(code)s 不存在或不在您管理的范围内"), params={"code": code}) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, role = data.get("unit_code"), data.get("role")
        if isinstance(unit, Unit) and role and unit.level not in ROLE_LEVELS.get(role, ()):
            levels = "、".join(str(Level(lv).label) for lv in ROLE_LEVELS.get(role, ()))
            self.add_error(
                "role",
                _("角色“%(role)s”只能设在%(levels)s，%(unit)s 是%(level)s")
                % {"role": Role(role).label, "levels": levels, "unit": unit.name, "level": Level(unit.level).label},
            )
        return data


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])
    unit = forms.CharField(label=_("单位代码"), required=False, max_length=20)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit", "").strip()
        if not code:
            return None
        try:
            return self.scope.get_unit(code=code)
        except Http404:
            raise forms.ValidationError(_("单位代码 %(code)s 不存在或不在您管理的范围内"), params={"code": code}) from None
