"""Timekeeping rules without a database: signals, the 10-minute warning, the 1-hour pause,
barcodes, and the discipline catalogue of the shipped templates."""

from __future__ import annotations

import datetime as dt

from jiance_core.cycles.discipline import Discipline, discipline_issues
from jiance_core.cycles.loader import shipped_templates
from jiance_core.timekeeping import parse_barcode, pause_exceeded, signals_for

DAY = dt.date(2022, 5, 25)
SESSIONS = [
    {"code": "s1", "day": "2022-05-25", "name": "语文测试", "instrument": "chinese", "start": "09:00", "end": "10:20"},
    {"code": "q1", "day": "2022-05-25", "name": "问卷（一）", "instrument": "q",
     "primary": {"start": "10:50", "end": "11:20"}, "junior": {"start": "11:00", "end": "11:40"}},
    {"code": "t", "day": "2022-05-25", "name": "教师问卷", "respondents": ["teacher"], "start": "09:00",
     "until_done": True},
    {"code": "s2", "day": "2022-05-26", "name": "艺术测试", "instrument": "arts", "start": "08:30", "end": "09:50"},
]


def test_signals_of_a_day_with_a_warning_before_each_subject_test_only() -> None:
    out = signals_for(SESSIONS, day=DAY, stages=["primary", "junior"], subject_codes=["chinese", "arts"])
    assert [(s.at.strftime("%H:%M"), s.kind, s.session, s.stages) for s in out] == [
        ("09:00", "start", "s1", ("junior", "primary")),
        ("10:10", "warning", "s1", ("junior", "primary")),
        ("10:20", "end", "s1", ("junior", "primary")),
        ("10:50", "start", "q1", ("primary",)),
        ("11:00", "start", "q1", ("junior",)),
        ("11:20", "end", "q1", ("primary",)),
        ("11:40", "end", "q1", ("junior",)),
    ]
    assert out[1].label == "语文测试还有10分钟"


def test_a_pause_may_be_cancelled_only_after_more_than_an_hour() -> None:
    since = dt.datetime(2022, 5, 25, 9, 0)
    assert not pause_exceeded(since, since + dt.timedelta(hours=1))
    assert pause_exceeded(since, since + dt.timedelta(hours=1, seconds=1))
    assert not pause_exceeded(None, since)


def test_barcodes_are_read_back() -> None:
    code = parse_barcode("2022360121000101072022000701", year=2022, school_code="3601210001")
    assert code is not None and (code.room, code.seat, code.student_no, code.session) == (1, 7, "20220007", 1)
    assert parse_barcode("2021360121000101072022000701", year=2022, school_code="3601210001") is None
    assert parse_barcode("20223601210001", year=2022, school_code="3601210001") is None


def test_every_shipped_template_has_the_tiers_of_seed_003() -> None:
    for code, template in shipped_templates().items():
        d = template.discipline
        assert d is not None, code
        assert [t.tier for t in d.staff] == [1, 2, 3] and [t.tier for t in d.student] == [1, 2]
        assert [len(t.offences) for t in d.staff] == [5, 4, 7] and [len(t.offences) for t in d.student] == [5, 5]
        assert all(t.ends_participation for t in d.student) and d.staff[2].decided_by == "city"


def test_a_broken_catalogue_is_refused_with_its_path() -> None:
    d = Discipline.model_validate({
        "staff": [{"tier": 1, "handling": "x", "decided_by": "county", "offences": [{"code": "a", "text": "x"}]},
                  {"tier": 1, "handling": "y", "decided_by": "county", "offences": [{"code": "a", "text": "y"}]}],
        "student": [{"tier": 1, "handling": "z", "decided_by": "school", "offences": [{"code": "other", "text": "z"}]}],
    })
    paths = [p for p, _reason in discipline_issues(d)]
    assert paths == ["discipline.staff[1].tier", "discipline.staff[1].offences[0].code",
                     "discipline.student[0].ends_participation", "discipline.student[0].offences[0].code"]
