"""A page for the offline-queue browser test: one queued form, the status box and a part that
re-reads what the server holds. The server keeps the actions it accepted in memory (the live
server runs in the test's process), once per client_id, and refuses the value "bad"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from jiance.offline import OfflineStampError, client_stamp, queued_reply

ACCEPTED: dict[str, tuple[str, str]] = {}  # client_id -> (value, client_at)
POSTS: list[str] = []  # every post that reached the view, repeats included

PAGE = """{% load static %}<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="jiance-now" content="{{ server_now }}"><title>queue probe</title><script src="{% static 'jiance/queue.js' %}" defer></script></head><body>
<div data-queue-status hidden></div>
<form method="post" action="/queue-probe/" data-queue="登记 {{ next }}" data-queue-reset>{% csrf_token %}
<input name="value" id="value"><button type="submit" id="go">登记</button></form>
<div id="held" data-queue-refresh><span id="count">{{ count }}</span> 条已登记：{{ values }}</div>
</body></html>"""


def probe(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            stamp = client_stamp(request)
        except OfflineStampError as exc:
            return queued_reply(str(exc), refused=True)
        value = request.POST.get("value", "")
        POSTS.append(value)
        if value == "bad":
            return queued_reply(f"“{value}”不能登记", refused=True)
        ACCEPTED.setdefault(str(stamp.client_id), (value, stamp.at.isoformat()))
        return queued_reply("已登记")
    values = "、".join(v for v, _ in sorted(ACCEPTED.values(), key=lambda item: item[1]))
    html = engines["django"].from_string(PAGE).render({"count": len(ACCEPTED), "values": values, "next": ""},
                                                      request)
    return HttpResponse(html)


urlpatterns = [path("queue-probe/", probe), path("", include("jiance.urls"))]
