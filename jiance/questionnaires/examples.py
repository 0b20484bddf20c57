"""Example XLSForm files for the cycles' questionnaires (学生相关因素问卷, 校长问卷, 班主任问卷, the
subject teachers', 区县教育管理人员问卷, 家长问卷).

THE ITEMS ARE EXAMPLES written for the demo and the tests: the real instruments are confidential
(the seeds name the questionnaires, never their content). Each form says so in its first note.
`example_xlsx(code, name)` builds the workbook with openpyxl; `python -m jiance.questionnaires.examples
DIR` writes one file per kind of questionnaire for researchers to start from.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

NOTICE = "【示例问卷】本问卷题目为平台演示而编写，并非正式监测工具（正式问卷保密）。"
NOTICE_EN = "[EXAMPLE] Items written for the platform's demo; not the (confidential) monitoring instrument."

CHOICES: list[tuple[str, str, str, str]] = [
    ("yn", "1", "是", "Yes"), ("yn", "2", "否", "No"),
    ("sex", "1", "男", "Male"), ("sex", "2", "女", "Female"),
    ("agree4", "1", "非常不同意", "Strongly disagree"), ("agree4", "2", "不同意", "Disagree"),
    ("agree4", "3", "同意", "Agree"), ("agree4", "4", "非常同意", "Strongly agree"),
    ("freq4", "1", "从不", "Never"), ("freq4", "2", "有时", "Sometimes"),
    ("freq4", "3", "经常", "Often"), ("freq4", "4", "总是", "Always"),
    ("hours", "1", "不到 1 小时", "Under 1 hour"), ("hours", "2", "1-2 小时", "1-2 hours"),
    ("hours", "3", "2-3 小时", "2-3 hours"), ("hours", "4", "3 小时以上", "Over 3 hours"),
    ("edu", "1", "小学及以下", "Primary or less"), ("edu", "2", "初中", "Junior secondary"),
    ("edu", "3", "高中/中专", "Senior secondary"), ("edu", "4", "大专", "College"),
    ("edu", "5", "本科", "Bachelor"), ("edu", "6", "研究生", "Postgraduate"),
    ("activity", "1", "阅读", "Reading"), ("activity", "2", "体育锻炼", "Sport"),
    ("activity", "3", "音乐或美术", "Music or art"), ("activity", "4", "上网或游戏", "Internet or games"),
    ("activity", "5", "做家务", "Housework"), ("activity", "9", "以上都没有", "None of these"),
    ("title", "1", "未定职级", "No rank"), ("title", "2", "三级/二级教师", "Grade 3/2 teacher"),
    ("title", "3", "一级教师", "Grade 1 teacher"), ("title", "4", "高级教师", "Senior teacher"),
    ("title", "5", "正高级教师", "Professor-level teacher"),
    ("live", "1", "父母双方", "Both parents"), ("live", "2", "仅父亲或母亲", "One parent"),
    ("live", "3", "祖辈", "Grandparents"), ("live", "4", "其他", "Other"),
]

Q = dict[str, str]


def _q(type_: str, name: str, zh: str, en: str = "", **extra: str) -> Q:
    return {"type": type_, "name": name, "label::zh": zh, "label::en": en, **extra}


def _grid(name: str, zh: str, en: str, list_name: str, rows: list[tuple[str, str]], **extra: str) -> list[Q]:
    out = [{"type": "begin_group", "name": name, "label::zh": zh, "label::en": en, "appearance": "table-list", **extra}]
    for i, (rzh, ren) in enumerate(rows, start=1):
        out.append(_q(f"select_one {list_name}", f"{name}_{i}", rzh, ren, required="yes"))
    out.append({"type": "end_group", "name": ""})
    return out


def _intro(title: str) -> list[Q]:
    return [_q("note", "example_notice", NOTICE, NOTICE_EN),
            _q("note", "intro", f"欢迎参加{title}。答案没有对错之分，请根据实际情况作答；你的回答将被严格保密。",
               "There are no right or wrong answers; your answers are kept confidential.")]


def _student(part: int) -> list[Q]:
    rows = _intro(f"学生相关因素问卷（{'一二三四'[part - 1]}）")
    rows += [
        _q("select_one sex", "sex", "你的性别", "Your sex", required="yes"),
        _q("integer", "age", "你今年几岁？", "How old are you?", required="yes",
           constraint=". >= 8 and . <= 18", **{"constraint_message::zh": "请填写 8 到 18 之间的整数",
                                              "constraint_message::en": "A whole number from 8 to 18"}),
        _q("select_one yn", "boarding", "你是否住校？", "Do you board at school?", required="yes"),
        _q("integer", "boarding_days", "每周住校几晚？", "Nights per week at school", required="yes",
           relevant="${boarding} = '1'", constraint=". >= 1 and . <= 7",
           **{"constraint_message::zh": "请填写 1 到 7"}),
        _q("select_one live", "live_with", "你平时和谁一起生活？", "Who do you usually live with?", required="yes"),
        _q("select_one hours", "homework", "上学日你每天做作业大约多长时间？", "Homework time on a school day",
           required="yes"),
        _q("select_multiple activity", "activities", "课余时间你常做哪些事？（可多选，最多 3 项）",
           "What do you often do after school? (up to 3)", required="yes",
           constraint="count-selected(.) <= 3 and not(selected(., '9') and count-selected(.) > 1)",
           **{"constraint_message::zh": "最多选 3 项；选了“以上都没有”就不能再选其他"}),
        *_grid("climate", "你是否同意下列说法？", "Do you agree?", "agree4", [
            ("我喜欢我们学校", "I like my school"), ("老师关心我的学习", "Teachers care about my learning"),
            ("同学之间相处融洽", "Classmates get along well"), ("我在学校感到安全", "I feel safe at school"),
            ("遇到困难时我知道向谁求助", "I know whom to ask for help"),
        ]),
        *_grid("feel", "最近两周，你有多经常出现以下情况？", "In the last two weeks, how often…", "freq4", [
            ("感到心情愉快", "Felt cheerful"), ("感到紧张或担心", "Felt nervous or worried"),
            ("睡眠不好", "Slept badly"), ("对学习失去兴趣", "Lost interest in learning"),
        ]),
        _q("decimal", "sleep_hours", "上学日你一般每晚睡几小时？（可填小数，如 8.5）", "Hours of sleep on a school night",
           constraint=". >= 3 and . <= 14", **{"constraint_message::zh": "请填写 3 到 14 之间的数字"}),
        _q("text", "wish", "你对学校有什么建议？（选答）", "Any suggestion for your school? (optional)"),
    ]
    return rows


def _staff(role: str, subject: str = "") -> list[Q]:
    title = {"principal": "校长问卷", "head_teacher": "班主任问卷", "teacher": f"{subject}教师问卷"}[role]
    rows = _intro(title)
    rows += [
        _q("select_one sex", "sex", "您的性别", "Sex", required="yes"),
        _q("date", "birth_date", "您的出生日期", "Date of birth", required="yes",
           constraint=". >= '1955-01-01' and . <= '2005-12-31'", **{"constraint_message::zh": "请核对出生日期"}),
        _q("select_one edu", "education", "您的最高学历", "Highest degree", required="yes"),
        _q("integer", "years", "您从事教育工作多少年？", "Years in education", required="yes",
           constraint=". >= 0 and . <= 50", **{"constraint_message::zh": "请填写 0 到 50"}),
        _q("select_one title", "rank", "您目前的专业技术职务", "Professional rank", required="yes"),
    ]
    if role == "principal":
        rows += [
            _q("integer", "principal_years", "您担任本校校长几年？", "Years as principal here", required="yes",
               constraint=". >= 0 and . <= ${years}", **{"constraint_message::zh": "不能超过从事教育工作的年数"}),
            _q("integer", "staff", "本校在岗教师人数", "Teachers in post", required="yes", constraint=". >= 1 and . <= 600"),
            *_grid("lead", "过去一学年，您多经常开展以下工作？", "How often last year…", "freq4", [
                ("听课评课", "Observed lessons"), ("组织教研活动", "Led teaching research"),
                ("与家长沟通", "Met parents"), ("关注学生心理健康", "Attended to students' mental health"),
            ]),
        ]
    elif role == "head_teacher":
        rows += [
            _q("integer", "class_size", "您所带班级的学生人数", "Students in your class", required="yes",
               constraint=". >= 1 and . <= 80"),
            _q("select_one yn", "home_visit", "本学期您是否进行过家访？", "Home visits this term?", required="yes"),
            _q("integer", "visits", "家访次数", "Number of home visits", relevant="${home_visit} = '1'",
               required="yes", constraint=". >= 1"),
            *_grid("class", "您是否同意下列关于本班的说法？", "About your class", "agree4", [
                ("学生之间互相帮助", "Students help each other"), ("家长积极配合学校工作", "Parents cooperate"),
                ("班级纪律良好", "Good discipline"),
            ]),
        ]
    else:
        rows += [
            _q("integer", "lessons", f"您每周上{subject}课多少节？", "Lessons per week", required="yes",
               constraint=". >= 0 and . <= 40"),
            _q("select_one yn", "training", "过去一年您是否参加过学科培训？", "Subject training last year?", required="yes"),
            _q("integer", "training_days", "培训累计天数", "Days of training", relevant="${training} = '1'",
               constraint=". >= 1 and . <= 365"),
            *_grid("teach", "您在课堂上多经常这样做？", "In your lessons, how often…", "freq4", [
                ("让学生分组讨论", "Group discussion"), ("联系生活实际", "Relate to daily life"),
                ("根据学生差异布置作业", "Differentiated homework"),
            ]),
        ]
    rows.append(_q("text", "comment", "您对本次监测或学校工作的建议（选答）", "Suggestions (optional)"))
    return rows


def _county() -> list[Q]:
    rows = _intro("区县教育管理人员问卷")
    rows += [
        _q("select_one sex", "sex", "您的性别", "Sex", required="yes"),
        _q("integer", "years", "您在教育行政部门工作多少年？", "Years in education administration", required="yes",
           constraint=". >= 0 and . <= 45"),
        _q("integer", "schools", "本区县义务教育阶段学校数", "Compulsory-education schools in the county",
           required="yes", constraint=". >= 1 and . <= 2000"),
        _q("select_one yn", "used_report", "本区县是否使用过往年的监测结果报告？", "Used past monitoring reports?",
           required="yes"),
        _q("select_multiple activity", "uses", "（示例）报告用于哪些方面？", "(example) Uses of the report",
           relevant="${used_report} = '1'"),
        *_grid("policy", "您是否同意下列说法？", "Do you agree?", "agree4", [
            ("监测结果有助于改进教学", "Results help improve teaching"),
            ("学校课后服务开展良好", "After-school services work well"),
        ]),
        _q("text", "comment", "您的建议（选答）", "Suggestions (optional)"),
    ]
    return rows


def _parent() -> list[Q]:
    rows = _intro("家长问卷")
    rows += [
        _q("select_one live", "relation", "填答人与孩子的关系", "Your relation to the child", required="yes"),
        _q("select_one edu", "education", "您的最高学历", "Your highest degree", required="yes"),
        _q("select_one hours", "reading", "您每周陪孩子阅读的时间", "Time reading with your child each week",
           required="yes"),
        _q("select_one yn", "tutoring", "孩子本学期是否参加校外学科类培训？", "Out-of-school tutoring this term?",
           required="yes"),
        _q("integer", "tutoring_hours", "每周校外培训小时数", "Hours of tutoring per week",
           relevant="${tutoring} = '1'", required="yes", constraint=". >= 1 and . <= 40"),
        *_grid("home", "您是否同意下列说法？", "Do you agree?", "agree4", [
            ("孩子喜欢上学", "My child likes school"), ("我了解孩子在校情况", "I know how my child does at school"),
            ("学校与家长沟通顺畅", "The school communicates well"),
        ]),
    ]
    return rows


def survey_for(code: str, name: str, respondents: list[str], subject_name: str = "") -> list[Q]:
    """The example survey rows for a questionnaire of a cycle (by its respondents and name)."""
    if "student" in respondents:
        part = next((i + 1 for i, ch in enumerate("一二三四") if f"（{ch}）" in name), 1)
        return _student(part)
    if "principal" in respondents:
        return _staff("principal")
    if "head_teacher" in respondents:
        return _staff("head_teacher")
    if "county_manager" in respondents:
        return _county()
    if "parent" in respondents:
        return _parent()
    return _staff("teacher", subject_name or name.replace("教师问卷", "").replace("问卷", "") or "任教学科")


def example_xlsx(code: str, name: str, respondents: list[str], subject_name: str = "") -> bytes:
    """An XLSForm workbook (survey, choices, settings) of the example questionnaire."""
    survey = survey_for(code, name, respondents, subject_name)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    columns: list[str] = []
    for row in survey:
        for col in row:
            if col not in columns:
                columns.append(col)
    ws.append(columns)
    for row in survey:
        ws.append([row.get(c, "") or None for c in columns])
    used = {r["type"].split(" ", 1)[1] for r in survey if r["type"].startswith("select_")}
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::zh", "label::en"])
    for list_name, value, zh, en in CHOICES:
        if list_name in used:
            ch.append([list_name, value, zh, en])
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id", "version", "default_language"])
    st.append([f"{name}（示例）", code, "example-1", "zh"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


EXAMPLES: list[dict[str, Any]] = [
    {"code": "student_q1", "name": "学生相关因素问卷（一）", "respondents": ["student"]},
    {"code": "principal", "name": "校长问卷", "respondents": ["principal"]},
    {"code": "head_teacher", "name": "班主任问卷", "respondents": ["head_teacher"]},
    {"code": "math_teacher", "name": "数学教师问卷", "respondents": ["subject_teacher"], "subject_name": "数学"},
    {"code": "county_manager", "name": "区县教育管理人员问卷", "respondents": ["county_manager"]},
    {"code": "parent", "name": "家长问卷", "respondents": ["parent"]},
]


def main(argv: list[str] | None = None) -> int:
    target = Path((argv if argv is not None else sys.argv[1:] or ["."])[0])
    target.mkdir(parents=True, exist_ok=True)
    for ex in EXAMPLES:
        path = target / f"{ex['code']}.xlsx"
        path.write_bytes(example_xlsx(ex["code"], ex["name"], ex["respondents"], ex.get("subject_name", "")))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
