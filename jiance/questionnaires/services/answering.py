"""Answering: opening a questionnaire (window, version), saving one answer, submitting.

Saves are idempotent and ordered: each carries the client's id (a UUID made once in the browser)
and the respondent's sequence number for the response. A save already received is acknowledged
again and changes nothing; for each question the highest sequence number wins whatever the order
in which saves arrive (a queue emptied after a reconnection, a reply lost to the network). The
acknowledgement is sent only after the commit (the view answers after the atomic block)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from jiance import clock
from jiance.apps_registry import progress_changed
from jiance.questionnaires.compiled import compiled
from jiance.questionnaires.models import (
    Answer,
    AnswerSave,
    Questionnaire,
    QuestionnaireError,
    Respondent,
    Response,
)
from jiance.questionnaires.services.locking import response_locked, response_locked_for
from jiance.saving import SaveConflict, Saved, prepared_statements, save_once, seen_save
from jiance_core.questionnaires.answers import (
    AnswerError,
    constraint_error,
    effective,
    question_map,
    read_answer,
    submission_errors,
)
from jiance_core.questionnaires.windows import Span, questionnaires_for, spans


def windows_of(respondent: Respondent, questionnaire: Questionnaire) -> list[Span]:
    return spans(respondent.cycle.config, questionnaire.code, respondent.kind, respondent.stage)


def window_state(respondent: Respondent, questionnaire: Questionnaire, now: dt.datetime | None = None) -> str:
    """'open', 'before' (a window is still to come) or 'closed' — the server's clock decides."""
    moment = now or clock.now()
    wins = windows_of(respondent, questionnaire)
    if any(w.covers(moment) for w in wins):
        return "open"
    if any(w.start > moment for w in wins):
        return "before"
    return "closed"


def _window_text(respondent: Respondent, questionnaire: Questionnaire) -> str:
    wins = windows_of(respondent, questionnaire)
    if not wins:
        return "本问卷未设填答时间"
    from django.utils import timezone

    return "、".join(
        f"{timezone.localtime(w.start):%m月%d日 %H:%M}至{timezone.localtime(w.end - dt.timedelta(minutes=1)):%m月%d日 %H:%M}"
        for w in wins
    )


def check_window(response: Response) -> None:
    if response.practice:
        return
    state = window_state(response.respondent, response.questionnaire)
    if state != "open":
        when = _window_text(response.respondent, response.questionnaire)
        word = "尚未开始" if state == "before" else "已结束"
        raise QuestionnaireError(f"{response.questionnaire.name}的填答时间{word}（{when}）")


def response_open(*, respondent: Respondent, questionnaire: Questionnaire, practice: bool) -> Response:
    """The respondent's response (started now on the published version, or the one they began)."""
    found = Response.objects.filter(respondent=respondent, questionnaire=questionnaire, practice=practice).first()
    if found is not None:
        return found
    version = questionnaire.published()
    if version is None:
        raise QuestionnaireError(f"{questionnaire.name}尚未发布")
    now = clock.now()
    probe = Response(respondent=respondent, questionnaire=questionnaire, version=version, practice=practice)
    check_window(probe)
    try:
        with transaction.atomic():
            return Response.objects.create(respondent=respondent, questionnaire=questionnaire, version=version,
                                           practice=practice, started_at=now, updated_at=now)
    except IntegrityError:  # opened on two devices at once
        return Response.objects.get(respondent=respondent, questionnaire=questionnaire, practice=practice)


def answers_of(response: Response) -> dict[str, Any]:
    return dict(response.answers.values_list("name", "value"))


def response_key(response: Response) -> str:
    """What the page stamps on each queued save: the response and the version it shows."""
    return f"{response.pk}-{response.version.sha256[:12]}"


def answer_save(*, response: Response, name: str, raw: Any, seq: int, client_id: uuid.UUID,
                at: dt.datetime, key: str = "") -> Saved:
    """Save one answer of `response` (see the module's docstring); `key`: the page's `response_key`."""
    with prepared_statements(), transaction.atomic():
        locked = response_locked(response_id=response.pk)
        if locked is None:  # pragma: no cover - a response is never deleted while answered
            raise QuestionnaireError("找不到这份问卷，请刷新页面")
        return _save(locked, name=name, raw=raw, seq=seq, client_id=client_id, at=at, key=key)


def answer_save_as(*, respondent_id: int, qcode: str, practice: bool, name: str, raw: Any, seq: int,
                   client_id: uuid.UUID, at: dt.datetime, key: str = "") -> Saved | None:
    """The saving view's fast path for a slip or link respondent (the session's): the response they
    began of questionnaire `qcode` in the active cycle, found and locked in one query. None when
    there is none, or the questionnaire is no longer theirs: the caller goes through the offer
    (`selectors.offer_for`), which opens the response or answers 404."""
    with prepared_statements(), transaction.atomic():
        locked = response_locked_for(respondent_id=respondent_id, qcode=qcode, practice=practice)
        r = locked.respondent if locked is not None else None
        if r is None or qcode not in questionnaires_for(r.cycle.config, r.kind, teacher_role=r.teacher_role,
                                                        stage=r.stage):
            return None
        return _save(locked, name=name, raw=raw, seq=seq, client_id=client_id, at=at, key=key)  # type: ignore[arg-type]


def _repeat(locked: Response, client_id: uuid.UUID) -> Saved | None:
    try:
        return seen_save(AnswerSave, owner_field="response", owner=locked, client_id=client_id)
    except SaveConflict as exc:
        raise QuestionnaireError(str(exc)) from exc


def _save(locked: Response, *, name: str, raw: Any, seq: int, client_id: uuid.UUID, at: dt.datetime,
          key: str) -> Saved:
    """Under the response's lock: check, then log the save, upsert the answer and move the response's
    sequence (`jiance.saving.save_once`: one statement on PostgreSQL). A refused save that repeats an earlier client id is
    acknowledged again with the earlier result, as a repeat always is."""
    version = compiled(locked.version_id, locked.version.sha256)
    if key and key != f"{locked.pk}-{version.sha256[:12]}":
        # a page kept on a shared computer for someone else: never file it under this person
        raise QuestionnaireError("这条答案来自另一位填答者的页面，未保存；请重新登录后作答")
    form = version.form
    try:
        if locked.submitted_at is not None:
            raise QuestionnaireError("问卷已提交，答案不能再修改")
        check_window(locked)
        question = version.questions.get(name)
        if question is None:
            raise QuestionnaireError(f"本问卷没有题目“{name}”，请刷新页面")
        if seq < 1:
            raise QuestionnaireError("保存序号无效，请刷新页面")
        try:
            value = read_answer(form, question, raw)
        except AnswerError as exc:
            raise QuestionnaireError(f"{question['label'].get('zh', name)}：{exc}") from exc
        if value is not None and question.get("constraint"):  # it may read the other answers
            current = dict(Answer.objects.filter(response=locked).values_list("name", "value"))
            message = constraint_error(form, question, value, effective(form, current))
            if message:
                raise QuestionnaireError(f"{question['label'].get('zh', name)}：{message}")
    except QuestionnaireError:
        before = _repeat(locked, client_id)
        if before is not None:
            return before
        raise
    now = clock.now()
    try:
        return save_once(Answer, AnswerSave, owner_field="response", owner=locked, name=name, value=value,
                         seq=seq, client_id=client_id, client_at=at, now=now,
                         owner_updates={"last_seq": max(locked.last_seq, seq), "updated_at": now})
    except SaveConflict as exc:
        raise QuestionnaireError(str(exc)) from exc


@transaction.atomic
def response_submit(*, response: Response) -> Response:
    """Explicit submission: every shown required question answered, every constraint met; then read-only."""
    locked = Response.objects.select_for_update().select_related("version", "questionnaire", "respondent__cycle").get(
        pk=response.pk)
    if locked.submitted_at is not None:
        return locked
    check_window(locked)
    errors = submission_errors(locked.version.form, answers_of(locked))
    if errors:
        labels = {q: d["label"].get("zh", q) for q, d in question_map(locked.version.form).items()}
        first = next(iter(errors))
        raise QuestionnaireError(f"还有 {len(errors)} 题需要完成，如“{labels[first]}”：{errors[first]}")
    locked.submitted_at = clock.now()
    locked.save(update_fields=["submitted_at"])
    transaction.on_commit(progress_changed)
    return locked
