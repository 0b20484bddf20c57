"""The one engine that saves answers given one at a time in a browser: questionnaire answers and
test responses (`jiance.questionnaires`, `jiance.cbt`).

Each save carries the client's id (a UUID made once in the browser, `jiance.offline`) and the
sequence number the page gave it. A save whose client id was received before is acknowledged
again and changes nothing; for each answer name the highest sequence number wins whatever the
order in which saves arrive (a queue emptied after a reconnection, a reply lost on the way). The
caller locks the owner row (the response, the delivery) first and acknowledges after the commit.

The two models share their field names: the current answers (`<owner>`, `name`, `value`, `seq`,
`saved_at`) and the log of saves (`client_id` unique, `<owner>`, `name`, `seq`, `client_at`,
`received_at`, `applied`)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from jiance.offline import OfflineStampError, client_stamp, queued_reply


@dataclass(frozen=True)
class Saved:
    name: str
    seq: int
    applied: bool  # False: an older sequence than the stored one (kept in the log only)
    repeated: bool  # the same client id was received before


class SaveConflict(ValueError):
    """A client id already used for another owner (a page copied between people)."""


def seen_save(saves: Any, *, owner_field: str, owner: Any, client_id: uuid.UUID) -> Saved | None:
    """The earlier save with this client id (its result), or None."""
    before = saves.objects.filter(client_id=client_id).first()
    if before is None:
        return None
    if getattr(before, f"{owner_field}_id") != owner.pk:
        raise SaveConflict("保存编号冲突，请刷新页面后重新作答")
    return Saved(before.name, before.seq, before.applied, repeated=True)


def newest_wins(answers: Any, saves: Any, *, owner_field: str, owner: Any, name: str, value: Any, seq: int,
                client_id: uuid.UUID, client_at: dt.datetime, now: dt.datetime) -> Saved:
    """Store `value` for `name` unless a newer sequence is stored, and log the save."""
    stored = answers.objects.filter(**{owner_field: owner, "name": name}).first()
    applied = stored is None or seq > stored.seq
    if stored is None:
        answers.objects.create(**{owner_field: owner}, name=name, value=value, seq=seq, saved_at=now)
    elif applied:
        stored.value, stored.seq, stored.saved_at = value, seq, now
        stored.save(update_fields=["value", "seq", "saved_at"])
    saves.objects.create(**{owner_field: owner}, client_id=client_id, name=name, seq=seq, client_at=client_at,
                         received_at=now, applied=applied)
    return Saved(name, seq, applied, repeated=False)


class _SaveForm(forms.Form):
    name = forms.CharField(max_length=100)
    seq = forms.IntegerField(min_value=1, max_value=2**62)


@dataclass(frozen=True)
class SaveRequest:
    """One answer posted by a page's queue: its name, sequence number, the value as given (a list
    for a multiple choice) and the client's stamp (id and moment)."""

    name: str
    seq: int
    raw: object
    client_id: uuid.UUID
    at: dt.datetime


def save_request(request: HttpRequest) -> SaveRequest | HttpResponse:
    """Read a queued save, or the 409 that refuses it (the queue shows the reason and drops it)."""
    try:
        stamp = client_stamp(request)
    except OfflineStampError as exc:
        return queued_reply(str(exc), refused=True)
    form = _SaveForm(request.POST)
    if not form.is_valid() or stamp.client_id is None:
        return queued_reply("保存请求不完整，请刷新页面", refused=True)
    values = request.POST.getlist("value")
    raw: object = values if request.POST.get("multiple") == "1" else (values[0] if values else "")
    return SaveRequest(name=form.cleaned_data["name"], seq=form.cleaned_data["seq"], raw=raw,
                       client_id=stamp.client_id, at=stamp.at)


def saved_reply(saved: Saved) -> HttpResponse:
    """200 after the commit, with the sequence number the server now holds for that answer."""
    reply = queued_reply("已保存")
    reply["X-Jiance-Seq"] = str(saved.seq)
    return reply
