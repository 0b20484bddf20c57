"""Shifting the dates and years written inside a cycle's texts when it is copied (issue 9)."""

from __future__ import annotations

import pytest

from jiance_core.cycles import shift_cycle_with_flags, shift_text, shift_texts, shipped_templates


def year_on(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Copy a 2020 cycle to 2021: 364 days, one year."""
    return shift_text(text, days=364, year_delta=1, ref_year=2020)


def week_on(text: str) -> tuple[str, list[tuple[str, str]]]:
    return shift_text(text, days=7, year_delta=0, ref_year=2020)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("召开2020年重庆市义务教育质量监测工作会", "召开2021年重庆市义务教育质量监测工作会"),
        ("2020 年国家义务教育质量监测", "2021 年国家义务教育质量监测"),
        ("近郊区县10月28日发放监测工具", "近郊区县10月27日发放监测工具"),
        ("5 月 29 日前", "5 月 28 日前"),
        ("28号领取", "28号领取"),  # a bare day: not touched (flagged)
        ("2020-10-28", "2021-10-27"),
        ("2020/10/28 提交", "2021/10/27 提交"),
        ("2020年10月28日", "2021年10月27日"),
        ("10月28日—11月5日", "10月27日—11月4日"),
        ("10月28日至11月5日", "10月27日至11月4日"),
        ("5月25—26日", "5月24—25日"),
        ("12月28日—1月5日", "12月27日—1月4日"),
        ("２０２０年１０月２８日", "２０２１年１０月２７日"),
        ("１０月２８日发放", "１０月２７日发放"),
        ("2020-2021学年度", "2021-2022学年度"),
        ("每校 30 人，12 所学校", "每校 30 人，12 所学校"),
    ],
)
def test_a_year_on(text: str, expected: str) -> None:
    assert year_on(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10月28日发放", "11月4日发放"),  # the day rolls over into the next month
        ("5月25—26日", "6月1—2日"),  # both ends roll over
        ("5月28—31日", "6月4—7日"),
        ("5月20—26日", "5月27—6月2日"),  # only the end rolls over: its month is written out
        ("5 月 20—26 日", "5 月 27—6 月 2 日"),  # in the spacing of the text
        ("2020年12月30日", "2021年1月6日"),  # into the next year
        ("2020-10-28", "2020-11-04"),  # ISO keeps two digits
        ("召开2020年工作会", "召开2020年工作会"),  # a week later: the same year
    ],
)
def test_a_week_later(text: str, expected: str) -> None:
    assert week_on(text)[0] == expected


def test_ambiguous_pieces_are_flagged_and_left_alone() -> None:
    text = "依据2015年文件；编号2020；5 月 25 日全天、26 日上午；2月30日；沿用 2019 年规定"
    new, flags = year_on(text)
    assert new == "依据2015年文件；编号2020；5 月 24 日全天、26 日上午；2月30日；沿用 2019 年规定"
    excerpts = [e for e, _ in flags]
    assert excerpts == ["2015年", "2020", "26 日", "2月30日", "2019 年"]
    reasons = dict(flags)
    assert "引用往年" in reasons["2015年"] and "没写月份" in reasons["26 日"]
    assert "不存在" in reasons["2月30日"]


def test_weekdays_and_months_are_flagged_only_when_the_shift_changes_them() -> None:
    assert year_on("星期三上午，10月中旬")[1] == []  # 364 days: same weekday, about the same time
    new, flags = shift_text("星期三上午，10月中旬", days=10, year_delta=0, ref_year=2020)
    assert new == "星期三上午，10月中旬"
    assert [e for e, _ in flags] == ["星期三", "10月"]


def test_plain_text_is_untouched() -> None:
    assert year_on("组织现场测试，处置应急事件。") == ("组织现场测试，处置应急事件。", [])


def test_shift_texts_walks_free_text_fields_only() -> None:
    data = {
        "code": "cq-2020", "sources": ["[003] 2020 年实施细则"], "name": "2020 年监测",
        "milestones": {"county": [{"task": "10月28日领取", "deadline": "2020-10-28"}]},
        "notes": ["26日送回"],
    }
    new, flags = shift_texts(data, days=364, year_delta=1, ref_year=2020)
    assert new["code"] == "cq-2020" and new["sources"] == ["[003] 2020 年实施细则"]
    assert new["milestones"]["county"][0] == {"task": "10月27日领取", "deadline": "2020-10-28"}
    assert new["name"] == "2021 年监测"
    assert [(f.path, f.excerpt) for f in flags] == [("notes[0]", "26日")]
    assert flags[0].text == "26日送回"


def test_copying_chongqing_2020_rewrites_the_texts_the_walk_found() -> None:
    t = shipped_templates()["chongqing-2020"]
    copy, flags = shift_cycle_with_flags(t, new_year=2021)
    texts = " ".join(m.task for items in copy.milestones.values() for m in items)
    assert "召开2021年重庆市义务教育质量监测工作会" in texts and "2020年" not in texts
    assert "10月27日发放监测工具" in texts and "10月28日" not in texts
    assert [(f.path, f.excerpt) for f in flags] == [("milestones.county[12].task", "30日")]
