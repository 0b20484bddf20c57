"""htmx requests, typed as in the django-htmx example app.

Every request passes django_htmx's middleware, so `request.htmx` is always there; a view that
answers htmx takes an `HtmxHttpRequest` and renders either its page or one partial of it, so the
same URL works for plain links and forms too.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def page_or_partial(request: HtmxHttpRequest, template: str, partial: str) -> str:
    """`template#partial` for an htmx request, the whole `template` otherwise."""
    return f"{template}#{partial}" if request.htmx else template
