"""The respondents' pages (phone first): sign in with a slip or a parent link, the list of one's
questionnaires, answering, saving one answer (idempotent, acknowledged after commit), submitting.

No URL carries a respondent or response id: the response is found from the session's slip or
link and the signed-in account (`selectors.respondents_of`), so a respondent reads only their own
answers and another questionnaire code answers 404 like a missing one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from jiance.offline import queued_reply
from jiance.questionnaires import selectors
from jiance.questionnaires.forms import SlipForm
from jiance.questionnaires.models import Kind, QuestionnaireError, Respondent, Response
from jiance.questionnaires.services.answering import (
    answer_save,
    answer_save_as,
    answers_of,
    response_key,
    response_open,
    response_submit,
)
from jiance.questionnaires.services.respondents import respondent_by_slip
from jiance.saving import save_request, saved_reply


def _lang(request: HttpRequest) -> str:
    return "en" if getattr(request, "LANGUAGE_CODE", "") == "en" else "zh"


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    form = SlipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            respondent = respondent_by_slip(login=form.cleaned_data["login"], code=form.cleaned_data["code"])
        except QuestionnaireError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.cycle_key()
            request.session[selectors.SESSION_KEY] = respondent.pk
            return redirect("questionnaires:start")
    respondents = selectors.respondents_of(request)
    return render(request, "questionnaires/start.html", {
        "form": form, "respondents": respondents, "offers": selectors.offers(respondents),
        "signed_in": bool(request.session.get(selectors.SESSION_KEY)),
    })


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /questionnaires/ so that its scope covers the answer pages."""
    path = Path(__file__).parent / "static" / "questionnaires" / "sw.js"
    response = HttpResponse(path.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.pop(selectors.SESSION_KEY, None)
    return redirect("questionnaires:start")


@never_cache
def parent_link(request: HttpRequest, token: str) -> HttpResponse:
    """A parent's single-use link: signs the browser in as that parent until the questionnaire is
    submitted; afterwards the link answers that it no longer works."""
    respondent = Respondent.objects.filter(token=token, kind=Kind.PARENT, cycle__status="active").first()
    if respondent is None:
        return render(request, "questionnaires/link_gone.html", {"reason": _("链接无效，请核对二维码。")}, status=404)
    if Response.objects.filter(respondent=respondent, practice=False, submitted_at__isnull=False).exists():
        return render(request, "questionnaires/link_gone.html",
                      {"reason": _("本问卷已提交，链接已失效。感谢您的参与！")}, status=410)
    request.session.cycle_key()
    request.session[selectors.SESSION_KEY] = respondent.pk
    codes = selectors.codes_for(respondent)
    if len(codes) == 1:
        return redirect("questionnaires:answer", qcode=codes[0])
    return redirect("questionnaires:start")


def _response(request: HttpRequest, qcode: str, practice: bool) -> Response:
    offer = selectors.offer_for(request, qcode)
    found = offer.practice if practice else offer.response
    if found is not None:
        return found
    return response_open(respondent=offer.respondent, questionnaire=offer.questionnaire, practice=practice)


@never_cache
def answer(request: HttpRequest, qcode: str, practice: bool) -> HttpResponse:
    try:
        response = _response(request, qcode, practice)
    except QuestionnaireError as exc:
        messages.error(request, str(exc))
        return redirect("questionnaires:start")
    if response.respondent.kind == Kind.PARENT and not practice and response.submitted_at is not None:
        request.session.pop(selectors.SESSION_KEY, None)
    form = response.version.form
    answers = answers_of(response)
    return render(request, "questionnaires/answer.html", {
        "response": response, "q": response.questionnaire, "practice": practice,
        "form": selectors.labelled(form, _lang(request)), "answers": answers,
        "answers_json": answers, "rules_json": _rules(form), "response_key": response_key(response),
        "readonly": response.submitted_at is not None,
        "save_url": "questionnaires:practice_save" if practice else "questionnaires:save",
        "submit_url": "questionnaires:practice_submit" if practice else "questionnaires:submit",
    })


def _rules(form: dict) -> dict:
    """What the page's script needs: per question its type, relevance and constraint (and message)."""
    from jiance_core.questionnaires.xlsform import questions

    out = {}
    for q in questions(form):
        out[q["name"]] = {"type": q["type"], "relevant": q["relevant"], "constraint": q["constraint"],
                          "message": q["constraint_message"].get("zh") or "回答不符合本题的要求",
                          "required": q["required"]}
    return {"questions": out, "order": list(out),
            "notes": {i["name"]: i["relevant"] for i in form["items"] if i["kind"] in ("note", "section", "grid")}}


@require_POST
def save(request: HttpRequest, qcode: str, practice: bool) -> HttpResponse:
    """One answer: 200 "已保存" after the commit, 409 with the reason when refused.

    A slip or link respondent's save of a questionnaire they began takes the fast path (the
    response found and locked in one query, `answer_save_as`); anything else goes through the
    offer, as the answer page does."""
    posted = save_request(request)
    if isinstance(posted, HttpResponse):
        return posted
    given: dict[str, Any] = {"name": posted.name, "raw": posted.raw, "seq": posted.seq, "client_id": posted.client_id,
             "at": posted.at, "key": request.POST.get("response", "")}
    try:
        rid = request.session.get(selectors.SESSION_KEY)
        saved = answer_save_as(respondent_id=rid, qcode=qcode, practice=practice, **given) if rid else None
        if saved is None:
            saved = answer_save(response=_response(request, qcode, practice), **given)
    except QuestionnaireError as exc:
        return queued_reply(str(exc), refused=True)
    return saved_reply(saved)


@require_POST
def submit(request: HttpRequest, qcode: str, practice: bool) -> HttpResponse:
    try:
        response = _response(request, qcode, practice)
        response_submit(response=response)
    except QuestionnaireError as exc:
        messages.error(request, str(exc))
        return redirect("questionnaires:practice" if practice else "questionnaires:answer", qcode=qcode)
    messages.success(request, _("已提交，感谢您的参与！") if not practice else _("模拟练习已提交（练习答案不计入正式数据）"))
    return redirect("questionnaires:practice" if practice else "questionnaires:answer", qcode=qcode)


