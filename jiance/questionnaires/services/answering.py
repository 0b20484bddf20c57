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
from jiance.questionnaires.models import (
    Answer,
    AnswerSave,
    Questionnaire,
    QuestionnaireError,
    Respondent,
    Response,
)
from jiance.saving import SaveConflict, Saved, newest_wins, seen_save
from jiance_core.questionnaires.answers import (
    AnswerError,
    constraint_error,
    effective,
    question_map,
    read_answer,
    submission_errors,
)
from jiance_core.questionnaires.windows import Span, spans


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


@transaction.atomic
def answer_save(*, response: Response, name: str, raw: Any, seq: int, client_id: uuid.UUID,
                at: dt.datetime) -> Saved:
    locked = Response.objects.select_for_update(of=("self",)).select_related(
        "version", "questionnaire", "respondent__cycle").defer("version__source").get(pk=response.pk)
    try:
        before = seen_save(AnswerSave, owner_field="response", owner=locked, client_id=client_id)
    except SaveConflict as exc:
        raise QuestionnaireError(str(exc)) from exc
    if before is not None:
        return before
    if locked.submitted_at is not None:
        raise QuestionnaireError("问卷已提交，答案不能再修改")
    check_window(locked)
    form = locked.version.form
    question = question_map(form).get(name)
    if question is None:
        raise QuestionnaireError(f"本问卷没有题目“{name}”，请刷新页面")
    if seq < 1:
        raise QuestionnaireError("保存序号无效，请刷新页面")
    try:
        value = read_answer(form, question, raw)
    except AnswerError as exc:
        raise QuestionnaireError(f"{question['label'].get('zh', name)}：{exc}") from exc
    rows = {row.name: row for row in Answer.objects.filter(response=locked)}  # one query: values and seqs
    current = {n: row.value for n, row in rows.items()}
    message = constraint_error(form, question, value, effective(form, current))
    if message:
        raise QuestionnaireError(f"{question['label'].get('zh', name)}：{message}")
    now = clock.now()
    saved = newest_wins(Answer, AnswerSave, owner_field="response", owner=locked, name=name, value=value, seq=seq,
                        client_id=client_id, client_at=at, now=now)
    locked.last_seq = max(locked.last_seq, seq)
    locked.updated_at = now
    locked.save(update_fields=["last_seq", "updated_at"])
    return saved


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
