from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiance import clock
from jiance.accounts.forms import PeopleFilterForm, RoleAssignForm, SchoolAccountsForm
from jiance.accounts.models import RoleAssignment
from jiance.accounts.roles import ACCOUNT_MANAGERS, role_assignable_by_manager
from jiance.accounts.scoping import get_scope
from jiance.accounts.selectors import role_holders
from jiance.accounts.services import (
    accounts_create_for_schools,
    manager_may_manage_user,
    role_assign,
    role_revoke,
    user_change_password,
    user_label,
    user_reset_password,
)
from jiance.audit.models import Action
from jiance.audit.services import audit_record
from jiance.htmx import HtmxHttpRequest
from jiance.http import download


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


def _require_manager(request: HttpRequest) -> None:
    if not get_scope(request).holds(ACCOUNT_MANAGERS):
        raise PermissionDenied


def _people_context(request: HttpRequest, assign_form: RoleAssignForm | None = None) -> dict:
    scope = get_scope(request)
    filters = PeopleFilterForm(request.GET or None, scope=scope)
    unit = role = q = None
    if filters.is_valid():
        unit = filters.cleaned_data["unit"]
        role = filters.cleaned_data["role"]
        q = filters.cleaned_data["q"]
    holders = role_holders(scope=scope, unit=unit, role=role or "", q=q or "")
    page = Paginator(holders, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if page.object_list:
        # Names and phone numbers of people: a display of personal data.
        audit_record(
            action=Action.VIEW_PERSONAL,
            object_type="accounts.roleassignment",
            object_repr=_("人员与角色名单"),
            unit=unit or scope.primary_unit,
            after={"users": sorted({a.user.username for a in page.object_list})},
            detail=f"查看人员名单第 {page.number} 页，{len(page.object_list)} 条",
        )
    manager_paths = [g.unit_path for g in scope.grants if g.role in ACCOUNT_MANAGERS]
    others = [a for a in page.object_list if a.user_id != request.user.pk]
    revocable = {a.pk for a in others
                 if role_assignable_by_manager(a.role, target_path=a.unit.path, manager_paths=manager_paths)}
    resettable = {a.pk for a in others if manager_may_manage_user(scope, a.user)}
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filters": filters,
        "page": page,
        "revocable": revocable,
        "resettable": resettable,
        "query": query.urlencode(),
        "assign_form": assign_form or RoleAssignForm(scope=scope),
    }


@login_required
def people(request: HtmxHttpRequest) -> HttpResponse:
    _require_manager(request)
    context = _people_context(request)
    template = "accounts/people.html#table" if request.htmx else "accounts/people.html"
    return render(request, template, context)


@login_required
@require_POST
def people_assign(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    scope = get_scope(request)
    form = RoleAssignForm(request.POST, scope=scope)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment, password = role_assign(
                actor=request.user, unit=data["unit_code"], role=data["role"],
                username=data["username"], full_name=data["full_name"], phone=data["phone"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("无权设置该角色"))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if password is None:
                messages.success(
                    request,
                    _("已为 %(user)s 分配角色：%(role)s @ %(unit)s")
                    % {"user": assignment.user.username, "role": assignment.get_role_display(), "unit": assignment.unit.name},
                )
                return redirect("accounts:people")
            # A new person: their initial password is shown on this page only, once.
            audit_record(
                action=Action.VIEW_PERSONAL, obj=assignment.user, unit=assignment.unit,
                object_repr=user_label(assignment.user),
                detail="显示新账号的初始密码（仅此一次）",
            )
            response = render(
                request, "accounts/people_created.html",
                {"assignment": assignment, "password": password},
            )
            add_never_cache_headers(response)
            return response
    context = _people_context(request, assign_form=form)
    return render(request, "accounts/people.html", context, status=400)


def _managed_assignment(request: HttpRequest) -> RoleAssignment:
    """The role assignment the form names, inside the units the person manages (else 404)."""
    _require_manager(request)
    scope = get_scope(request)
    try:
        pk = int(request.POST.get("assignment", ""))
    except ValueError:
        pk = 0
    managed = RoleAssignment.objects.select_related("user", "unit").filter(unit__in=scope.units_for_roles(ACCOUNT_MANAGERS))
    return scope.get(managed, pk=pk)


@login_required
@require_POST
def people_revoke(request: HttpRequest) -> HttpResponse:
    assignment = _managed_assignment(request)
    try:
        role_revoke(actor=request.user, assignment=assignment)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权撤销该角色"))
    else:
        messages.success(request, _("已撤销角色。"))
    return redirect("accounts:people")


@login_required
@require_POST
def people_reset_password(request: HttpRequest) -> HttpResponse:
    assignment = _managed_assignment(request)
    try:
        password = user_reset_password(actor=request.user, user=assignment.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权重置该用户的密码"))
        return redirect("accounts:people")
    response = render(
        request, "accounts/people_created.html",
        {"assignment": assignment, "password": password, "reset": True},
    )
    add_never_cache_headers(response)
    return response


@login_required
def school_accounts(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    scope = get_scope(request)
    form = SchoolAccountsForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        result = accounts_create_for_schools(
            county_or_higher=form.cleaned_data["unit"],
            roles=tuple(form.cleaned_data["roles"]),
            actor=request.user,
        )
        if not result.created:
            messages.warning(
                request,
                _("没有需要新建的账号：%(n)d 个账号已存在，已跳过。") % {"n": len(result.skipped)},
            )
            return redirect("accounts:school_accounts")
        response = download(result.xlsx, f"school-accounts-{result.unit.code}-{clock.now():%Y%m%d-%H%M}.xlsx")
        response["X-Jiance-Created"] = str(len(result.created))
        response["X-Jiance-Skipped"] = str(len(result.skipped))
        return response
    return render(request, "accounts/school_accounts.html", {"form": form})
