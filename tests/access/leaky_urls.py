"""Deliberately broken views, to prove the access walk fails when scoping is forgotten."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from jiance.units.models import Unit


def leaky_unit(request: HttpRequest, code: str) -> HttpResponse:
    unit = Unit.objects.filter(code=code).first()  # no scope: any unit by code
    if unit is None:
        raise Http404
    return HttpResponse(unit.name)


def leaky_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("、".join(Unit.objects.schools().values_list("name", flat=True)))


def leaky_write(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "POST":
        Unit.objects.filter(code=code).update(name="改过了")
    return HttpResponse("ok")


urlpatterns = [
    path("u/<str:code>/", leaky_unit, name="leaky_unit"),
    path("all/", leaky_list, name="leaky_list"),
    path("w/<str:code>/", leaky_write, name="leaky_write"),
]
