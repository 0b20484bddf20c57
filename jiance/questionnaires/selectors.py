"""Reads of the questionnaires app: who the request answers as, and what they answer.

A respondent reads only their own responses: every answering view finds the response through
`respondents_of(request)` (the slip or link in the session, the accounts' own respondents), never
by an id in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest

from jiance.accounts.roles import COUNTY_OFFICE, PRINCIPAL, my_county, my_school
from jiance.accounts.scoping import get_scope
from jiance.cycles.models import CycleStatus
from jiance.cycles.selectors import active_cycle
from jiance.questionnaires.models import Kind, Questionnaire, Respondent, Response
from jiance.questionnaires.services.answering import window_state
from jiance.questionnaires.services.respondents import respondent_for_account
from jiance_core.questionnaires.windows import questionnaires_for

SESSION_KEY = "questionnaires.respondent"


def respondents_of(request: HttpRequest) -> list[Respondent]:
    """The respondents this browser answers as: the slip or parent link it signed in with, and the
    signed-in account's own (a principal, a county education manager) in the active cycle."""
    out: list[Respondent] = []
    rid = request.session.get(SESSION_KEY)
    if rid:
        found = Respondent.objects.filter(pk=rid, cycle__status=CycleStatus.ACTIVE).select_related("cycle", "unit").first()
        if found is not None:
            out.append(found)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        scope = get_scope(request)
        cycle = active_cycle(scope)
        if cycle is not None:
            school = my_school(scope, PRINCIPAL)
            if school is not None:
                out.append(respondent_for_account(cycle=cycle, user=user, kind=Kind.PRINCIPAL, unit=school))
            county = my_county(scope, COUNTY_OFFICE)
            if county is not None:
                out.append(respondent_for_account(cycle=cycle, user=user, kind=Kind.COUNTY_MANAGER, unit=county))
    return out


def codes_for(respondent: Respondent) -> list[str]:
    kind = respondent.kind
    return questionnaires_for(respondent.cycle.config, kind, teacher_role=respondent.teacher_role,
                              stage=respondent.stage)


@dataclass(frozen=True)
class Offer:
    respondent: Respondent
    questionnaire: Questionnaire
    published: bool
    window: str  # open | before | closed
    response: Response | None
    practice: Response | None

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.submitted_at is not None


def offers(respondents: list[Respondent], only: str | None = None) -> list[Offer]:
    """The respondents' questionnaires (`only`: that code alone, for the answering views)."""
    out: list[Offer] = []
    for r in respondents:
        codes = [c for c in codes_for(r) if only is None or c == only]
        if not codes:
            continue
        by_code = {q.code: q for q in Questionnaire.objects.filter(cycle=r.cycle, code__in=codes)}
        # the version comes along (the page and each save need it), without its XLSForm file
        responses = {(x.questionnaire_id, x.practice): x for x in Response.objects.filter(
            respondent=r, questionnaire__code__in=codes).select_related("version").defer("version__source")}
        for code in codes:
            q = by_code.get(code)
            if q is None:
                continue
            real, practice = responses.get((q.pk, False)), responses.get((q.pk, True))
            # a response exists only on a published version: no query for those being answered
            published = real is not None or practice is not None or q.published() is not None
            out.append(Offer(r, q, published, window_state(r, q), real, practice))
    return out


def offer_for(request: HttpRequest, qcode: str) -> Offer:
    """The request's own offer of questionnaire `qcode`, or 404 (another's looks like a missing one)."""
    for offer in offers(respondents_of(request), only=qcode):
        if offer.questionnaire.code == qcode:
            return offer
    raise Http404


def labelled(form: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    """The form with each label resolved for `lang` (Chinese when missing), for the template."""
    def pick(texts: dict[str, str]) -> str:
        return texts.get(lang) or texts.get("zh") or next(iter(texts.values()), "")

    def item(i: dict[str, Any]) -> dict[str, Any]:
        out = {**i, "text": pick(i.get("label") or {}), "hint_text": pick(i.get("hint") or {})}
        if i.get("list"):
            out["options"] = [{"name": c["name"], "text": pick(c["label"])} for c in form["choices"][i["list"]]]
        if i["kind"] == "grid":
            out["rows"] = [item(r) for r in i["rows"]]
        return out

    return {"title": pick(form["title"]), "items": [item(i) for i in form["items"]]}
