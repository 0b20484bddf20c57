"""The demo's online questionnaires: every questionnaire of the active cycle published from the
example XLSForm files (marked as examples: the real instruments are confidential), login slips
issued in every sample school of 南昌县, practice (模拟练习) done by most teachers of four of them,
the demo school's principal and — once the students are drawn — most of their secondary students,
and by a few teachers in four of five of the county's other sample schools.

Real answers come only in their windows (the 2022 staff questionnaires on the second test day from
09:00, the student questionnaires in their sessions, county managers after the test). The
test-day demo stands on the second test day at 10:30 (`DEMO_TESTDAY_TIME`), so the staff window
is open: about two thirds of the slip schools' teachers have started their questionnaire since
09:00 (`ANSWERING_SHARE`), half of those submitted, the rest part-way; the demo school's principal
(`school.principal`) is part-way, to be finished in the browser. Cheap: a few schools, answers
written through the real services (`response_open`, `answer_save`, `response_submit`), each inside
`clock.frozen` at its moment.

One parent slip to try: the 2022 national cycle has no parent questionnaire (only Chongqing's 2020
cycle has one, 11–17 Nov [003]), so the demo adds the example 家长问卷 to its cycle's set, open for
the week from the first test day (`PARENT_DAYS`), and issues parent links in the demo school once
its students are drawn: `school.info` prints them from “网络问卷登录条” (家长问卷二维码)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import uuid
from typing import Any

import numpy as np

from jiance import clock
from jiance.cycles.models import Cycle
from jiance.questionnaires.examples import example_xlsx
from jiance.questionnaires.models import Kind, Questionnaire, QuestionnaireError, Respondent
from jiance.questionnaires.selectors import codes_for
from jiance.questionnaires.services.answering import (
    answer_save,
    response_open,
    response_submit,
    windows_of,
)
from jiance.questionnaires.services.respondents import respondent_for_account, slips_issue
from jiance.questionnaires.services.versions import (
    questionnaires_sync,
    version_publish,
    version_upload,
)
from jiance.rosters.models import Roster
from jiance.units.models import Unit
from jiance.web.demo.common import Timeline
from jiance_core.questionnaires.synth import fill

SCHOOLS = 4  # sample schools of the demo county where most practise and answer (the demo school first)
PRACTICE_FEW = 2  # teachers who practised in each of the county's other sample schools (four in five of them)
PRACTICE_SHARE = 0.8  # of the teachers and students who practised
PUBLISH_DAYS_BEFORE = 20
PRACTICE_DAYS_BEFORE = 3
ANSWERING_SHARE = 0.65  # of the teachers who started their real questionnaire by the demo's moment
SUBMITTED_SHARE = 0.5  # of those, who have submitted
ANSWER_PACE = dt.timedelta(seconds=30)
PARENT_DAYS = 7  # the demo's parent questionnaire is open from the first test day for this many days
PARENT_QUESTIONNAIRE = {"code": "parent", "name": "家长问卷", "respondents": ["parent"], "mode": "phone",
                        "note": "演示用示例问卷：2022 年全国方案无家长问卷（重庆市 2020 年方案有）"}


def _parent_questionnaire(cycle: Cycle, today: dt.date) -> bool:
    """Add the example parent questionnaire to the demo cycle's set unless it has one; True when the
    cycle has a parent questionnaire afterwards."""
    listed = list(cycle.config.get("questionnaires") or [])
    if any(Kind.PARENT in (q.get("respondents") or []) for q in listed):
        return True
    if not cycle.test_days:
        return False
    start = min(cycle.test_days)
    end = max(start + dt.timedelta(days=PARENT_DAYS - 1), today)
    listed.append({**PARENT_QUESTIONNAIRE, "window": {"start": start.isoformat(), "end": end.isoformat()}})
    cycle.config = {**cycle.config, "questionnaires": listed}
    Cycle.objects.filter(pk=cycle.pk).update(config=cycle.config)
    return True


def _answer(respondent: Respondent, qs: dict[str, Questionnaire], rng: np.random.Generator, *, practice: bool,
            share: float = 1.0, submit: bool = True, start: dt.datetime | None = None) -> int:
    """Open, fill (the first `share` of the questions) and submit (when `submit`); with `start`,
    one answer every ANSWER_PACE from that moment (a real respondent's pace), else all at the clock's now."""
    saved = 0
    for code in codes_for(respondent):
        q = qs.get(code)
        if q is None:
            continue
        with clock.frozen(start) if start is not None else contextlib.nullcontext():
            response = response_open(respondent=respondent, questionnaire=q, practice=practice)
        answers = fill(response.version.form, rng, share=share)
        when = start
        for seq, (name, value) in enumerate(answers.items(), start=1):
            with clock.frozen(when) if when is not None else contextlib.nullcontext():
                answer_save(response=response, name=name, raw=value, seq=seq,
                            client_id=uuid.UUID(int=int(rng.integers(1, 2**62)) << 64 | response.pk << 16 | seq),
                            at=clock.now())
            saved += 1
            when = when + ANSWER_PACE if when is not None else None
        if submit:
            with (clock.frozen(when) if when is not None else contextlib.nullcontext()), \
                    contextlib.suppress(QuestionnaireError):  # a practice left unfinished is fine
                response_submit(response=response)
    return saved


def _practise(respondent: Respondent, qs: dict[str, Questionnaire], rng: np.random.Generator) -> int:
    return _answer(respondent, qs, rng, practice=True)


def build_questionnaires(*, cycle: Cycle, demo_county: Unit, demo_school: Unit, schools_by_county: dict[int, list[Unit]],
                         users: dict[str, Any], today: dt.date, seed: int) -> int:
    """Publish, issue slips, practise, and — when a staff window opened on `today` before the
    clock's now — answer for real; returns how many answers the demo saved."""
    if not cycle.config.get("questionnaires"):
        return 0
    rng = np.random.default_rng(seed + 12)
    codes = random.Random(seed)
    first_day = min(cycle.test_days)
    timeline = Timeline(today)
    centre = users.get("centre.admin")
    parents = _parent_questionnaire(cycle, today)
    qs: dict[str, Questionnaire] = {}
    with timeline.at(max((today - first_day).days + PUBLISH_DAYS_BEFORE, 2), 10):
        for q in questionnaires_sync(cycle=cycle):
            config = next(c for c in cycle.config["questionnaires"] if c["code"] == q.code)
            version, _ = version_upload(questionnaire=q, content=example_xlsx(q.code, q.name, config["respondents"]),
                                        filename=f"{q.name}（示例）.xlsx", actor=centre)
            version_publish(version=version, actor=centre)
            qs[q.code] = q
    schools = [demo_school, *[s for s in schools_by_county.get(demo_county.pk, []) if s.pk != demo_school.pk]]
    saved = 0
    days_ago = max(1, (today - first_day).days + PRACTICE_DAYS_BEFORE)  # never after today
    for i, school in enumerate(schools):
        if not Roster.objects.filter(cycle=cycle, school=school).exists():
            continue
        with timeline.at(days_ago + 2, 9, 0):
            slips_issue(cycle=cycle, school=school, rng=codes, parents=parents and i == 0)
        if i >= SCHOOLS and i % 5 == 4:
            continue  # one school in five has not practised
        people = list(Respondent.objects.filter(cycle=cycle, unit=school).order_by("pk"))
        if i == 0 and "school.principal" in users:
            people.insert(0, respondent_for_account(cycle=cycle, user=users["school.principal"], kind=Kind.PRINCIPAL,
                                                    unit=school))
        if i >= SCHOOLS:  # the other schools: a few teachers each tried the practice (kept cheap)
            people = [p for p in people if p.kind == Kind.TEACHER][:PRACTICE_FEW]
        for k, person in enumerate(people):
            if person.kind == Kind.PARENT or rng.random() > PRACTICE_SHARE:
                continue
            with timeline.at(days_ago, 14 + (k // 60) % 3, k % 60):
                saved += _practise(person, qs, rng)
    return saved + _staff_answers(cycle=cycle, schools=schools[:SCHOOLS], qs=qs, today=today, rng=rng)


def _staff_answers(*, cycle: Cycle, schools: list[Unit], qs: dict[str, Questionnaire], today: dt.date,
                   rng: np.random.Generator) -> int:
    """Real answers in the staff window of `today`, up to the clock's now: most teachers started
    (some submitted), the principal part-way."""
    now = clock.now()
    people = list(Respondent.objects.filter(cycle=cycle, unit__in=schools, kind__in=(Kind.TEACHER, Kind.PRINCIPAL))
                  .order_by("unit__code", "kind", "pk"))
    saved = 0
    for person in people:
        opens = [w.start for code in codes_for(person) if code in qs
                 for w in windows_of(person, qs[code]) if w.start.date() == today and w.covers(now)]
        if not opens:
            continue
        if person.kind == Kind.PRINCIPAL:  # the demo login finishes it in the browser
            share, done, start = 0.4, False, opens[0] + dt.timedelta(minutes=40)
        elif rng.random() < ANSWERING_SHARE:
            done = rng.random() < SUBMITTED_SHARE
            share, start = (1.0 if done else 0.5), opens[0] + dt.timedelta(minutes=int(rng.integers(0, 45)))
        else:
            continue
        if start + dt.timedelta(minutes=30) > now:
            continue  # too late a start to show by the demo's moment
        saved += _answer(person, qs, rng, practice=False, share=share, submit=done, start=start)
    return saved
