"""The one engine that saves answers given one at a time in a browser: questionnaire answers and
test responses (`jiance.questionnaires`, `jiance.cbt`).

Each save carries the client's id (a UUID made once in the browser, `jiance.offline`) and the
sequence number the page gave it. A save whose client id was received before is acknowledged
again and changes nothing; for each answer name the highest sequence number wins whatever the
order in which saves arrive (a queue emptied after a reconnection, a reply lost on the way). The
caller locks the owner row (the response, the delivery) first and acknowledges after the commit.

The two models share their field names: the current answers (`<owner>`, `name`, `value`, `seq`,
`saved_at`) and the log of saves (`client_id` unique, `<owner>`, `name`, `seq`, `client_at`,
`received_at`, `applied`).

The writes (`save_once`, also behind `newest_wins`) log the save with `INSERT … ON CONFLICT
(client_id) DO NOTHING` instead of looking the client id up first — a repeat inserts nothing and
only then is the earlier save read (its result, or the conflict when it belongs to another owner)
— and upsert the answer `WHERE stored seq < new seq`; on PostgreSQL the log, the upsert and the
owner's update are one statement. A queued save also writes the session back at most once a minute
(`SESSION_RENEW_EVERY`) rather than on every save: the idle timeout is kept to within that minute."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connections, router
from django.http import HttpRequest, HttpResponse

from jiance import clock
from jiance.offline import OfflineStampError, client_stamp, queued_reply

SESSION_RENEW_EVERY = 60  # seconds: a queued save renews the session's idle timeout at most this often
_RENEWED = "_saving_renewed"


@contextmanager
def prepared_statements(using: str = "default") -> Iterator[None]:
    """Within the block, PostgreSQL keeps the plans of the statements run (server-side binding:
    psycopg prepares a statement on the connection from its third run, `prepare_threshold`).

    A save's locking query joins five tables and costs several times more to plan than to run;
    planned once per pooled connection, a save costs the database a third to a half less. Only the save path
    uses it: elsewhere Django's client-side binding stays (the platform's default)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    # Django's own server-binding cursor (psycopg's Cursor with Django's callproc)
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    connection.ensure_connection()
    raw = connection.connection
    before = raw.cursor_factory, raw.prepare_threshold  # Django's: client-side, never prepared
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 2
    # what Django reads to show a bound statement (the debug log, captured queries in tests)
    cached = connection.features.__dict__
    flag = cached.get("uses_server_side_binding")
    cached["uses_server_side_binding"] = True
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = before
        if flag is None:
            cached.pop("uses_server_side_binding", None)  # computed again from the settings when read
        else:
            cached["uses_server_side_binding"] = flag


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
    """Store `value` for `name` unless a newer sequence is stored, and log the save (for a caller
    that checked the client id with `seen_save` under the owner's lock): `save_once`'s statements."""
    return save_once(answers, saves, owner_field=owner_field, owner=owner, name=name, value=value, seq=seq,
                     client_id=client_id, client_at=client_at, now=now)


def _insert_sql(model: Any, values: dict[str, Any], tail: str) -> tuple[Any, str, list[Any]]:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(n) for n in values]
    table = quote(model._meta.db_table)
    columns, marks = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    # names from the model, values as parameters
    return connection, f"INSERT INTO {table} ({columns}) VALUES ({marks}) {tail}", params  # noqa: S608


def _column(model: Any, name: str) -> str:
    return str(connections[router.db_for_write(model)].ops.quote_name(model._meta.get_field(name).column))


def log_once(saves: Any, *, owner_field: str, owner_id: int, client_id: uuid.UUID, name: str, seq: int,
             client_at: dt.datetime, now: dt.datetime, applied: bool) -> bool:
    """Log a save unless its client id is already logged: True when this call inserted it.

    One statement on PostgreSQL and SQLite (≥ 3.24): `INSERT … ON CONFLICT (client_id) DO NOTHING`;
    a concurrent insert of the same id waits on the unique index and then inserts nothing."""
    connection, sql, params = _insert_sql(saves, {
        owner_field: owner_id, "client_id": client_id, "name": name, "seq": seq, "client_at": client_at,
        "received_at": now, "applied": applied}, f"ON CONFLICT ({_column(saves, 'client_id')}) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


def apply_newest(answers: Any, *, owner_field: str, owner_id: int, name: str, value: Any, seq: int,
                 now: dt.datetime) -> bool:
    """Store `value` for `name` unless a sequence as high or higher is stored: True when stored.
    One upsert, `INSERT … ON CONFLICT (<owner>, name) DO UPDATE … WHERE stored seq < new seq`."""
    owner, key, seq_col = _column(answers, owner_field), _column(answers, "name"), _column(answers, "seq")
    sets = ", ".join(f"{c} = excluded.{c}" for c in (_column(answers, "value"), seq_col,
                                                      _column(answers, "saved_at")))
    table = connections[router.db_for_write(answers)].ops.quote_name(answers._meta.db_table)
    connection, sql, params = _insert_sql(answers, {
        owner_field: owner_id, "name": name, "value": value, "seq": seq, "saved_at": now},
        f"ON CONFLICT ({owner}, {key}) DO UPDATE SET {sets} WHERE {table}.{seq_col} < excluded.{seq_col}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.rowcount == 1)


def save_once(answers: Any, saves: Any, *, owner_field: str, owner: Any, name: str, value: Any, seq: int,
              client_id: uuid.UUID, client_at: dt.datetime, now: dt.datetime,
              owner_updates: dict[str, Any] | None = None) -> Saved:
    """`seen_save` + `newest_wins` (+ `owner_updates` written on the owner when the save is new),
    for a caller holding the owner's lock: the save is logged first (`log_once`); when its client id
    was logged before, nothing is written and the earlier result is returned (`SaveConflict` if it
    belongs to another owner). Then the answer is upserted (`apply_newest`); a save that lost to a
    newer sequence (out of order, rare) has its log row marked not applied. On PostgreSQL the three
    writes are one statement (data-modifying CTEs, `_save_pg`); elsewhere three."""
    log = {owner_field: owner.pk, "client_id": client_id, "name": name, "seq": seq, "client_at": client_at,
           "received_at": now, "applied": True}
    answer = {owner_field: owner.pk, "name": name, "value": value, "seq": seq, "saved_at": now}
    if connections[router.db_for_write(saves)].vendor == "postgresql":
        logged, applied = _save_pg(answers, saves, type(owner), owner_field=owner_field, owner_id=owner.pk,
                                   log=log, answer=answer, owner_updates=owner_updates or {})
    else:
        logged = log_once(saves, owner_field=owner_field, owner_id=owner.pk, client_id=client_id, name=name,
                          seq=seq, client_at=client_at, now=now, applied=True)
        applied = logged and apply_newest(answers, owner_field=owner_field, owner_id=owner.pk, name=name,
                                          value=value, seq=seq, now=now)
        if logged and owner_updates:
            type(owner).objects.filter(pk=owner.pk).update(**owner_updates)
    if not logged:
        before = seen_save(saves, owner_field=owner_field, owner=owner, client_id=client_id)
        assert before is not None  # the conflict was on this id; a logged save is never deleted alone
        return before
    if not applied:
        saves.objects.filter(client_id=client_id).update(applied=False)
    return Saved(name, seq, applied, repeated=False)


def _save_pg(answers: Any, saves: Any, owners: Any, *, owner_field: str, owner_id: int, log: dict[str, Any],
             answer: dict[str, Any], owner_updates: dict[str, Any]) -> tuple[bool, bool]:
    """(logged, applied) of one statement: the log's insert, then — only when it inserted — the
    answer's upsert and the owner's update. One round trip instead of three."""
    connection = connections[router.db_for_write(saves)]
    quote = connection.ops.quote_name
    _c, log_sql, log_params = _insert_sql(saves, log, f"ON CONFLICT ({_column(saves, 'client_id')}) DO NOTHING "
                                                      "RETURNING 1")
    fields = [answers._meta.get_field(n) for n in answer]
    table, seq_col = quote(answers._meta.db_table), _column(answers, "seq")
    sets = ", ".join(f"{c} = excluded.{c}" for c in (_column(answers, "value"), seq_col,
                                                      _column(answers, "saved_at")))
    answer_sql = (f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - names
                  f"SELECT {', '.join(['%s'] * len(fields))} WHERE EXISTS (SELECT 1 FROM logged) "
                  f"ON CONFLICT ({_column(answers, owner_field)}, {_column(answers, 'name')}) DO UPDATE SET {sets} "
                  f"WHERE {table}.{seq_col} < excluded.{seq_col} RETURNING 1")
    params = [*log_params, *(f.get_db_prep_save(answer[f.name], connection) for f in fields)]
    ctes = [f"logged AS ({log_sql})", f"applied AS ({answer_sql})"]
    if owner_updates:
        owner_fields = [owners._meta.get_field(n) for n in owner_updates]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in owner_fields)
        ctes.append(f"touched AS (UPDATE {quote(owners._meta.db_table)} SET {assignments} "  # noqa: S608 - names
                    f"WHERE {quote(owners._meta.pk.column)} = %s AND EXISTS (SELECT 1 FROM logged))")
        params += [*(f.get_db_prep_save(owner_updates[f.name], connection) for f in owner_fields), owner_id]
    sql = f"WITH {', '.join(ctes)} SELECT (SELECT count(*) FROM logged), (SELECT count(*) FROM applied)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        logged, applied = cursor.fetchone()
    return bool(logged), bool(applied)


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


def renew_session_lightly(request: HttpRequest) -> None:
    """Write the session back (renewing its idle timeout, `SESSION_SAVE_EVERY_REQUEST`) at most once
    every `SESSION_RENEW_EVERY` seconds, unless the request changed it: a respondent saving an answer
    every few seconds keeps their session without an UPDATE of it per save."""
    session = getattr(request, "session", None)
    if session is None or session.session_key is None:
        return
    now = int(clock.now().timestamp())
    if 0 <= now - int(session.get(_RENEWED, 0)) < SESSION_RENEW_EVERY:
        write = session.save

        def save(must_create: bool = False) -> None:
            if session.modified or must_create:
                write(must_create)

        session.save = save  # SessionMiddleware calls it after the view
    else:
        session[_RENEWED] = now


def save_request(request: HttpRequest) -> SaveRequest | HttpResponse:
    """Read a queued save, or the 409 that refuses it (the queue shows the reason and drops it)."""
    renew_session_lightly(request)
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
