"""Thin views of school sampling: permission check → form → service → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


@login_required
def sampling_home(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied
