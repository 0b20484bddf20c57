"""The platform's URLs plus `/bench/hello/`, the hello-world baseline of `bench/dashboard.py`
(served only by the bench's server: `bench.dashboard_settings`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from jiance.urls import (  # noqa: F401 - the platform's error pages
    handler400,
    handler403,
    handler404,
    handler500,
)
from jiance.urls import urlpatterns as platform


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *platform]
