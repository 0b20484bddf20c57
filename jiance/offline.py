"""Actions a phone queued while offline: the one contract between `static/jiance/queue.js` and
the services that record test-day evidence (custody hand-overs, check-in, session control,
incidents, answers).

A form marked `data-queue="<what it does, in Chinese>"` is not posted directly: `queue.js`
stores it in the browser (IndexedDB, so a reload or a crash loses nothing), stamps it with a
`client_id` (a UUID, generated once) and `client_at` (when the person acted, ISO 8601), and posts
it with the header `X-Jiance-Queue: 1` as soon as the network allows, in the order taken.

The server side, in every view that accepts such a form:
- `stamp = client_stamp(request)` gives the id and the moment the action happened (the browser's
  time, refused when in the future beyond a small skew or older than the queue may hold);
- the service stores `client_id` in a unique column and, when a row with that id exists already,
  returns it and changes nothing (the browser may send twice: a reply lost to the network);
- the view answers `queued_reply(request, ...)`: 200 with a short Chinese acknowledgement once
  committed, or 409 with the reason, which the page keeps in its list of refused actions.
Without JavaScript the same form posts normally and the view redirects as usual.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiance import clock

QUEUE_HEADER = "HTTP_X_JIANCE_QUEUE"
# The seeds allow up to an hour without network (网络中断); a phone may hold its queue longer
# (a custodian driving back from a school), never a whole day.
MAX_AGE = dt.timedelta(hours=24)
# Phones' clocks drift; a stamp a little in the future is taken as now, more is refused.
MAX_SKEW = dt.timedelta(minutes=5)


class OfflineStampError(ValueError):
    """A queued action whose stamp cannot be trusted, with the reason in Chinese."""


@dataclass(frozen=True)
class ClientStamp:
    client_id: uuid.UUID | None
    at: dt.datetime
    queued: bool  # sent by queue.js (answer with queued_reply)


def is_queued(request: HttpRequest) -> bool:
    return request.META.get(QUEUE_HEADER) == "1"


def client_stamp(request: HttpRequest, *, max_age: dt.timedelta = MAX_AGE) -> ClientStamp:
    """The id and moment of the action posted in `request` (now and no id for a plain form)."""
    now = clock.now()
    raw_id = (request.POST.get("client_id") or "").strip()
    raw_at = (request.POST.get("client_at") or "").strip()
    client_id = None
    if raw_id:
        try:
            client_id = uuid.UUID(raw_id)
        except ValueError as exc:
            raise OfflineStampError("离线记录的编号无效，请刷新页面后重新操作。") from exc
    at = now
    if raw_at:
        parsed = parse_datetime(raw_at)
        if parsed is None:
            raise OfflineStampError("离线记录的时间无效，请刷新页面后重新操作。")
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if parsed > now + MAX_SKEW:
            raise OfflineStampError("离线记录的时间晚于服务器时间，请检查手机时间后重新操作。")
        if parsed < now - max_age:
            raise OfflineStampError("离线记录保存过久（超过 24 小时），未被采用；请按实际情况重新登记。")
        at = min(parsed, now)
    return ClientStamp(client_id=client_id, at=at, queued=is_queued(request))


def queued_reply(message: str, *, refused: bool = False) -> HttpResponse:
    """The answer to a queued post: the acknowledgement (after commit) or the refusal's reason."""
    return HttpResponse(message, status=409 if refused else 200, content_type="text/plain; charset=utf-8")
