"""Schema of a monitoring cycle template (监测周期模板).

A cycle (one year of national monitoring, or a provincial/city programme such as Chongqing 2020) is
data, not code (SPEC §2): subjects, grades, test days, sessions, sample sizes, staffing, milestones,
implementation documents and reporting windows all live in a YAML template that is validated here.

Two layers of checks:

* field types, required fields and unknown keys: pydantic (``extra="forbid"``);
* rules between fields (a session on a day that is not a test day, a deadline before its start,
  duplicated milestone numbers, ...): :func:`check_rules`, run by the model validator of
  :class:`CycleTemplate`. Every problem is a :class:`Issue` with the path of the field (for example
  ``milestones.county[3].deadline``) and a reason in Chinese.

Paths use ``[i]`` for list indexes (0-based) and for dictionary keys that are numbers (grades), and
dots for fields and named keys: ``subjects[0].booklet_forms[4]``, ``milestones.school[2].start``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from fnmatch import fnmatchcase
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic_core import PydanticCustomError

from jiance_core.cycles.custody import CustodyRules, custody_issues
from jiance_core.cycles.discipline import Discipline, discipline_issues
from jiance_core.cycles.fieldtest import FieldTestRules
from jiance_core.cycles.incidents import IncidentRules

# ---------------------------------------------------------------------------------------------------
# vocabularies

Level = Literal["national", "province", "city", "county", "school"]
"""Administrative levels, top down (SPEC §1). ``county`` covers 县/区/开发区/管理局 and Chongqing's 区县."""

LEVELS: tuple[Level, ...] = ("national", "province", "city", "county", "school")

DoneWhen = str
"""A task the platform itself sees done, completing a milestone of one unit (e.g. ``sample_confirmed``:
a county has confirmed every school of its published sample). Any identifier here: the events are
declared by the web apps that report them, and the platform checks a template's names against them
when it loads or activates a cycle (``jiance.apps_registry.check_done_when``)."""

DONE_WHEN_FORMAT = re.compile(r"[a-z][a-z0-9_]{0,29}(?::[A-Za-z0-9][A-Za-z0-9_.-]{0,59})?")
"""One condition: an event name, optionally with a parameter after a colon. Two parametrised
conditions are known to the platform (and checked here against the template itself):
``document_approved:<document code>`` (a kind of ``documents:`` approved for the unit) and
``subunits_done:<number>`` (every taking-part unit of the level below has done its task <number>).
A milestone may list several conditions (a YAML list): it completes when all of them hold."""
DOCUMENT_APPROVED = "document_approved"
SUBUNITS_DONE = "subunits_done"


def done_when_conditions(value: str | list[str] | None) -> list[str]:
    """The conditions of a ``done_when`` (one string, a list, or none), in order, without repeats."""
    if not value:
        return []
    items = [value] if isinstance(value, str) else value
    return list(dict.fromkeys(items))
LEVEL_NAMES: dict[str, str] = {
    "national": "国家",
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "school": "样本校",
}

Stage = Literal["primary", "junior"]
STAGES: tuple[Stage, ...] = ("primary", "junior")
STAGE_NAMES: dict[str, str] = {"primary": "小学", "junior": "初中"}

Programme = Literal["national", "provincial", "city"]
Term = Literal["spring", "autumn"]
Phase = Literal["before", "during", "after"]
PHASE_NAMES: dict[str, str] = {"before": "测试前", "during": "测试中", "after": "测试后"}

Mode = Literal[
    "paper",  # 纸笔测试
    "computer",  # 计算机测试（联网计算机，网络测试系统）
    "paper_or_computer",  # 由监测室类型决定：计算机监测教室机考，其余纸笔 [003]
    "online",  # 在线填答（计算机）
    "phone",  # 手机 / 二维码扫描填答 [003]
    "field",  # 现场测试（体育）[002]
    "unspecified",  # 种子未写明
]

Respondent = Literal[
    "student",
    "principal",  # 校长
    "head_teacher",  # 班主任
    "subject_teacher",  # 学科教师（语文、艺术、英语、数学……）
    "teacher",  # 一般教师 / 全体在岗教师 [003]
    "manager",  # 学校中层及以上管理干部 [003]
    "county_manager",  # 区县教育管理人员
    "parent",  # 家长 [003]
]

StaffAccount = Literal["inspector", "chief_proctor", "proctor", "custodian", "timekeeper", "technician"]
"""Platform roles test-day staff get for their site (a subset of the accounts' roles)."""

STAFF_SUBJECTS: dict[str, str] = {
    "chinese": "语文", "math": "数学", "english": "英语", "music": "音乐", "art": "美术",
    "science": "科学", "pe": "体育", "it": "信息技术", "moral": "道德与法治", "other": "其他学科",
}
"""What a staff member teaches, as the staffing rules name it (``subjects`` / ``not_subjects``)."""

StaffUnit = Literal["site", "room", "paper_room", "computer_room", "county", "city"]
"""What a staffing count is per: ``site`` = a sample school on test day (监测点)."""

WindowKind = Literal[
    "school_frame",  # 属地学校信息上报（抽样框）
    "office_staff",  # 各级实施办工作人员信息
    "sample_confirmation",  # 样本校名单确认
    "student_roster",  # 测试年级学生信息
    "teacher_roster",  # 测试年级教师信息
    "room_types",  # 监测教室类型及是否开设英语课程 [003]
    "proctors",  # 监测员 / 巡视员名单 [003]
    "tested_students",  # 测试生基本信息（含缺席测试生）/ 参测学生信息补报
]

END_BEFORE_START = "截止日期早于开始日期"


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


HM = Annotated[time, PlainSerializer(_hm, return_type=str, when_used="json")]
"""A clock time written ``HH:MM`` (quote it in YAML: ``"10:20"``)."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


# ---------------------------------------------------------------------------------------------------
# scope


class CoordinationRule(StrictModel):
    """Which participating units a coordinator runs. Exactly one selector: ``units`` (codes or exact
    names), ``pattern`` (glob on the unit name, ``*`` = all the others) or ``national_sample``
    (true = the national sample counties of this cycle). Rules are tried in order; first match wins."""

    units: list[str] = Field(default_factory=list)
    pattern: str | None = None
    national_sample: bool | None = None
    coordinator_level: Level
    coordinator: str | None = None
    note: str | None = None

    def matches(self, *, name: str, code: str | None = None, national_sample: bool = False) -> bool:
        if self.units:
            return name in self.units or (code is not None and code in self.units)
        if self.pattern is not None:
            return fnmatchcase(name, self.pattern)
        if self.national_sample is not None:
            return self.national_sample == national_sample
        return False


class Scope(StrictModel):
    region: str
    region_code: str | None = None
    unit_level: Level = "county"
    unit_count: int | None = None
    units: list[str] = Field(default_factory=list)
    coordination: list[CoordinationRule] = Field(default_factory=list)
    note: str | None = None

    def coordinator_for(
        self, *, name: str, code: str | None = None, national_sample: bool = False
    ) -> CoordinationRule | None:
        for rule in self.coordination:
            if rule.matches(name=name, code=code, national_sample=national_sample):
                return rule
        return None


# ---------------------------------------------------------------------------------------------------
# subjects, questionnaires, sessions


class SubjectPart(StrictModel):
    """A part of a subject test run separately, e.g. 艺术演唱测试 or 英语口语测试 recorded on PCs [001]."""

    name: str
    mode: Mode
    note: str | None = None


class Subject(StrictModel):
    code: str
    name: str
    components: list[str] = Field(default_factory=list)
    mode: Mode
    mode_by_stage: dict[Stage, Mode] = Field(default_factory=dict)
    booklet_forms: dict[int, int] = Field(default_factory=dict)
    """grade -> number of booklet forms (题本套数); each booklet form has its own answer-card form."""
    answer_card_paired: bool = True
    """题卡分离, booklet A goes with answer card A."""
    parts: list[SubjectPart] = Field(default_factory=list)
    note: str | None = None

    def mode_for(self, stage: Stage) -> Mode:
        return self.mode_by_stage.get(stage, self.mode)


class Window(StrictModel):
    start: date | None = None
    end: date


class Questionnaire(StrictModel):
    code: str
    name: str
    respondents: list[Respondent]
    subject: str | None = None
    """for subject-teacher questionnaires: the subject code."""
    mode: Mode
    mode_by_stage: dict[Stage, Mode] = Field(default_factory=dict)
    window: Window | None = None
    """when it is answered outside the test-day sessions (county managers, parents)."""
    note: str | None = None

    def mode_for(self, stage: Stage) -> Mode:
        return self.mode_by_stage.get(stage, self.mode)


class TimeSpan(StrictModel):
    start: HM
    end: HM | None = None


def _students() -> list[Respondent]:
    return ["student"]


def _both_stages() -> list[Stage]:
    return ["primary", "junior"]


class Session(StrictModel):
    """One session of a test day. Times are Beijing time (see ``local_time_regions``).

    Either ``start``/``end`` for everybody, or ``primary``/``junior`` spans where the stages differ
    (2022 问卷（一）: primary 10:50-11:20, secondary 11:00-11:40). ``until_done`` marks "09:00 至全部
    填答完毕": a start and no end."""

    code: str
    day: date
    name: str
    instrument: str | None = None
    """a subject or questionnaire code of this template."""
    respondents: list[Respondent] = Field(default_factory=_students)
    stages: list[Stage] = Field(default_factory=_both_stages)
    start: HM | None = None
    end: HM | None = None
    primary: TimeSpan | None = None
    junior: TimeSpan | None = None
    until_done: bool = False
    minutes: int | None = None
    skip_without_subject: str | None = None
    """a school that does not teach this subject skips the session (Chongqing 英语 [003])."""
    note: str | None = None

    def span(self, stage: Stage) -> TimeSpan | None:
        """Start and end of the session for one stage, or None if the stage does not take it."""
        if stage not in self.stages:
            return None
        own = self.primary if stage == "primary" else self.junior
        if own is not None:
            return own
        if self.start is None:
            return None
        return TimeSpan(start=self.start, end=self.end)


class LocalTimeRegion(StrictModel):
    """Regions that run the same clock times in local time (新疆、西藏地区使用地方时间 [001, 002])."""

    code: str
    name: str
    behind_beijing_minutes: int = 120
    """how far the local clock runs behind Beijing time (新疆、西藏: about two hours)."""


# ---------------------------------------------------------------------------------------------------
# sample, staffing


class UnitSchools(StrictModel):
    unit: str
    primary: int | None = None
    junior: int | None = None


class SampleSize(StrictModel):
    schools_per_unit: dict[Stage, int] = Field(default_factory=dict)
    """sample schools per stage per county (12 primary, 8 junior). Empty when the centre decides."""
    schools_by_unit: list[UnitSchools] = Field(default_factory=list)
    students_per_school: int
    take_all_if_fewer: bool = False
    shortfall_rule: str | None = None
    room_capacity: int | None = None
    computer_spare_pcs: int | None = None
    """spare networked PCs in a computer test room (Chongqing: 3)."""
    questionnaire_room_spare_pcs_min: int | None = None
    """spare PCs in the secondary online-questionnaire room (2022: at least 2, "条件允许")."""
    note: str | None = None


ReplicateMethod = Literal["jk2", "fay"]
REPLICATE_METHODS: dict[str, str] = {
    "jk2": "成对抽样区 JK2 刀切法（TIMSS 式）",
    "fay": "Fay 平衡重复复制法（PISA 式）",
}


class Analysis(StrictModel):
    """数据处理与分析: how the platform builds the student weights (jiance/analysis, docs/analysis.md)."""

    replicate_method: ReplicateMethod = "jk2"
    """replicate weights: ``jk2`` = schools paired in sort order within explicit strata, one
    replicate per zone (TIMSS); ``fay`` = Fay's BRR on the same pairs (PISA: 80 replicates, k = 0.5)."""
    fay_replicates: int = 80
    """number of Fay replicates: a multiple of 4 with a Hadamard matrix (80 as PISA)."""
    fay_rho: float = 0.5
    """Fay's coefficient k (the replicate factors are 1 ± (1 − k))."""
    trim_ratio: float = 4.0
    """student weights above this multiple of their stratum's median are trimmed (0 = no trimming)."""
    min_students: int = 30
    """reports give no estimate for a group of fewer students than this (and say so)."""
    min_schools: int = 3
    """reports give no estimate for a group from fewer schools than this (and say so)."""


class CountStep(StrictModel):
    max_rooms: int | None
    """this count applies up to this many test rooms; None = any number above the previous step."""
    count: int


class StaffRule(StrictModel):
    role: str
    per: StaffUnit
    count: int | None = None
    count_max: int | None = None
    by_rooms: list[CountStep] = Field(default_factory=list)
    provided_by: Level
    from_other_school: bool = False
    no_swap: bool = False
    """不允许两所样本校的监测员互派 [003]."""
    subjects: list[str] = Field(default_factory=list)
    """the person must teach one of these (``STAFF_SUBJECTS`` codes), e.g. 信息员 a computer teacher."""
    not_subjects: list[str] = Field(default_factory=list)
    """the person may teach none of these, e.g. 演唱和口语测试监测员 not English or music [000]."""
    account: StaffAccount | None = None
    """the platform role a person in this post gets on test day (scoped to the site, for the cycle)."""
    requirement: str | None = None
    duty: str | None = None

    def count_for_rooms(self, rooms: int) -> tuple[int, int]:
        """(min, max) people for one unit of ``per`` at a site with ``rooms`` test rooms."""
        if self.by_rooms:
            for step in self.by_rooms:
                if step.max_rooms is None or rooms <= step.max_rooms:
                    return step.count, step.count
            last = self.by_rooms[-1].count
            return last, last
        low = self.count or 0
        return low, self.count_max if self.count_max is not None else low


class Staffing(StrictModel):
    rules: list[StaffRule] = Field(default_factory=list)
    badges_made_by: Level | None = None
    note: str | None = None

    def for_site(
        self, *, paper_rooms: int, computer_rooms: int = 0
    ) -> dict[tuple[str, Level], tuple[int, int]]:
        """People needed at one sample school: (role, provided_by) -> (min, max)."""
        rooms = paper_rooms + computer_rooms
        multiplier = {
            "site": 1,
            "room": rooms,
            "paper_room": paper_rooms,
            "computer_room": computer_rooms,
        }
        out: dict[tuple[str, Level], tuple[int, int]] = {}
        for rule in self.rules:
            if rule.per not in multiplier:
                continue
            low, high = rule.count_for_rooms(rooms)
            n = multiplier[rule.per]
            key = (rule.role, rule.provided_by)
            old = out.get(key, (0, 0))
            out[key] = (old[0] + low * n, old[1] + high * n)
        return {k: v for k, v in out.items() if v[1] > 0}


class GroupRole(StrictModel):
    """One role of a level's 实施工作领导小组 (``body: group``) or its office 实施办 (``body: office``)."""

    role: str
    body: Literal["group", "office"] = "group"
    min: int = 0
    max: int | None = None
    """None: any number (组员 若干人)."""
    requirement: str | None = None
    duty: str | None = None


class LeadershipGroup(StrictModel):
    """The composition a level's leadership group must have for the cycle [000] [003]."""

    name: str
    office_name: str | None = None
    roles: list[GroupRole] = Field(default_factory=list)
    note: str | None = None


# ---------------------------------------------------------------------------------------------------
# milestones, documents, windows, release


class Milestone(StrictModel):
    """A numbered task of one level's task table (各级实施工作任务与时间节点).

    Seed wording -> fields: "X月X日前" = ``deadline`` only; "A-B" = ``start`` + ``deadline``;
    a single day "X月X日" = ``start`` = ``deadline``; "X月X日起" = ``start`` only."""

    number: int
    phase: Phase
    start: date | None = None
    deadline: date | None = None
    task: str
    office: str | None = None
    """responsible office / people (责任部门, 主要完成人), where the seed names them."""
    done_when: DoneWhen | list[DoneWhen] | None = None
    """set when the platform itself sees the task done (the unit's milestone completes by itself);
    a list when the task has several parts, all of which must hold (see ``DONE_WHEN_FORMAT``)."""
    confirmed_by: Level | None = None
    """a task marked done by hand that the level above confirms (through the review engine)."""

    @property
    def due(self) -> date | None:
        return self.deadline

    @property
    def conditions(self) -> list[str]:
        return done_when_conditions(self.done_when)


DocumentForm = Literal["table", "scan", "document", "checklist"]
"""What a document kind is: ``table`` a structured table the platform fills (from its own data or a
form the unit fills) and prints to sign and stamp; ``scan`` a stamped scan (PDF/JPEG/PNG);
``document`` a DOCX/PDF document the unit writes (细则, 总结); ``checklist`` a self-check list
(自查清单) whose ``items`` are ticked, each with a note."""

DOCUMENT_FORM_NAMES: dict[str, str] = {
    "table": "报表", "scan": "盖章扫描件", "document": "文档", "checklist": "自查清单",
}


class ChecklistItem(StrictModel):
    """One line of a self-check list. ``answer: phone`` records a phone number instead of a tick
    (the county's published supervision line, [002] 七、（一）)."""

    text: str
    answer: Literal["tick", "phone"] = "tick"


class DocumentKind(StrictModel):
    """A kind of implementation document (实施材料) submitted in the 实施管理系统 [002 §10]."""

    code: str
    name: str
    submitted_by: Level
    reviewed_by: Level | None = None
    start: date | None = None
    deadline: date | None = None
    review_start: date | None = None
    review_deadline: date | None = None
    stamped_scan: bool = False
    """提交附件及盖章扫描件."""
    photos: bool = False
    attachment: str | None = None
    """the form number in the manual, e.g. 附件3-1."""
    filed_only: bool = False
    """备案、备查: kept for inspection, not reviewed."""
    note: str | None = None
    form: DocumentForm = "document"
    items: list[ChecklistItem] = Field(default_factory=list)
    """the self-check list's lines (``form: checklist`` only)."""


class ReportingWindow(StrictModel):
    kind: WindowKind
    name: str
    reported_by: Level
    reviewed_by: Level | None = None
    start: date | None = None
    end: date
    system: str | None = None
    note: str | None = None


class Release(StrictModel):
    """When the sampled-student list becomes visible to the school (SPEC §4: published on test day)."""

    day: date
    start: HM
    end: HM | None = None
    system: str | None = None
    time_is_assumption: bool = False
    note: str | None = None

    @property
    def visible_at(self) -> datetime:
        return datetime.combine(self.day, self.start)


class Participation(StrictModel):
    school_rate: float
    student_rate: float
    assumption: bool = True
    note: str | None = None


# ---------------------------------------------------------------------------------------------------
# the template


class CycleTemplate(StrictModel):
    code: str
    year: int
    name: str
    programme: Programme
    term: Term
    school_year: str | None = None
    sources: list[str] = Field(default_factory=list)
    scope: Scope
    grades: dict[Stage, int]
    subjects: list[Subject]
    questionnaires: list[Questionnaire] = Field(default_factory=list)
    test_days: list[date]
    timezone: str = "Asia/Shanghai"
    sessions: list[Session] = Field(default_factory=list)
    local_time_regions: list[LocalTimeRegion] = Field(default_factory=list)
    sample_size: SampleSize
    analysis: Analysis = Field(default_factory=Analysis)
    """权重与重复权重 (issue 14); the default JK2 when the template does not say."""
    fieldtest: FieldTestRules | None = None
    """体育现场测试记录卡: items, units, plausible ranges (`jiance_core.cycles.fieldtest`); None: no
    PE field test in the cycle."""
    staffing: Staffing = Field(default_factory=Staffing)
    groups: dict[Level, LeadershipGroup] = Field(default_factory=dict)
    milestones: dict[Level, list[Milestone]] = Field(default_factory=dict)
    documents: list[DocumentKind] = Field(default_factory=list)
    release: Release | None = None
    windows: list[ReportingWindow] = Field(default_factory=list)
    participation_thresholds: Participation
    notes: list[str] = Field(default_factory=list)
    custody: CustodyRules | None = None  # 监测工具: boxes, bags, return time (jiance_core.cycles.custody)
    incidents: IncidentRules | None = None
    """应急事件: grades, catalogue and the report clock (`jiance_core.cycles.incidents`)."""
    discipline: Discipline | None = None
    """违纪处理规定: staff offences in tiers, student offences in tiers [003]."""

    @model_validator(mode="after")
    def _cross_field_rules(self) -> CycleTemplate:
        issues = check_rules(self)
        if issues:
            raise PydanticCustomError(
                "cycle_rules",
                "{summary}",
                {
                    "summary": "\n".join(str(i) for i in issues),
                    "issues": [i.as_tuple() for i in issues],
                },
            )
        return self

    # convenience -----------------------------------------------------------------------------------

    def subject(self, code: str) -> Subject | None:
        return next((s for s in self.subjects if s.code == code), None)

    def sessions_on(self, day: date) -> list[Session]:
        return [s for s in self.sessions if s.day == day]

    def milestones_for(self, level: Level) -> list[Milestone]:
        return sorted(self.milestones.get(level, []), key=lambda m: m.number)

    def all_dates(self) -> list[date]:
        """Every date in the template, in field order, repeats included (for checking shifts)."""
        return list(_walk_dates(self))


# ---------------------------------------------------------------------------------------------------
# cross-field rules


class Issue:
    """One problem: the field path and a reason in Chinese."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}：{self.reason}" if self.path else self.reason

    def __repr__(self) -> str:
        return f"Issue({self.path!r}, {self.reason!r})"

    def as_tuple(self) -> tuple[str, str]:
        return (self.path, self.reason)


_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_YEAR_IN_CODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _fmt(d: date) -> str:
    return d.isoformat()


def _minutes(a: time, b: time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def _window_issues(path: str, start: date | None, end: date | None, end_field: str) -> list[Issue]:
    if start is not None and end is not None and end < start:
        return [Issue(f"{path}.{end_field}", END_BEFORE_START)]
    return []


def _hadamard_order(n: int) -> bool:
    from jiance_core.analysis.replicates import hadamard

    if n < 4 or n % 4 or n > 400:
        return False
    try:
        hadamard(n)
    except ValueError:
        return False
    return True


def check_rules(t: CycleTemplate) -> list[Issue]:
    """Every rule between fields; an empty list means the template is consistent."""
    out: list[Issue] = []
    out += _check_header(t)
    out += _check_scope(t)
    out += _check_grades_subjects(t)
    out += _check_sessions(t)
    out += _check_sample_staffing(t)
    out += _check_groups(t)
    out += _check_milestones(t)
    out += [Issue(p, r) for p, r in custody_issues(t.custody, len(t.test_days))]
    out += _check_documents_windows(t)
    out += _check_release_thresholds(t)
    out += [Issue(path, reason) for path, reason in discipline_issues(t.discipline)]
    return out


def _check_header(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    if not _CODE_RE.match(t.code):
        out.append(Issue("code", f"代码“{t.code}”只能由小写字母、数字、连字符组成"))
    m = _YEAR_IN_CODE.search(t.code)
    if m and int(m.group(1)) != t.year:
        out.append(Issue("code", f"代码中的年份 {m.group(1)} 与 year（{t.year}）不一致"))
    if not 2000 <= t.year <= 2100:
        out.append(Issue("year", f"年份 {t.year} 不合理"))
    if not t.test_days:
        out.append(Issue("test_days", "至少要有一个测试日"))
    seen: set[date] = set()
    for i, d in enumerate(t.test_days):
        if d in seen:
            out.append(Issue(f"test_days[{i}]", f"测试日 {_fmt(d)} 重复"))
        elif i > 0 and d < t.test_days[i - 1]:
            out.append(Issue(f"test_days[{i}]", "测试日未按先后顺序排列"))
        seen.add(d)
        # autumn-term cycles may test in the calendar year of the code; spring the same year
        if d.year != t.year:
            out.append(Issue(f"test_days[{i}]", f"测试日 {_fmt(d)} 不在 {t.year} 年"))
    for i, r in enumerate(t.local_time_regions):
        if not re.fullmatch(r"\d{2}", r.code):
            out.append(
                Issue(f"local_time_regions[{i}].code", "应为两位省级行政区划代码，如 65、54")
            )
    return out


def _check_scope(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    s = t.scope
    if s.unit_count is not None and s.unit_count <= 0:
        out.append(Issue("scope.unit_count", "参测单位数必须为正整数"))
    unit_rank = LEVELS.index(s.unit_level)
    catch_all_at: int | None = None
    for i, rule in enumerate(s.coordination):
        p = f"scope.coordination[{i}]"
        selectors = sum(
            [bool(rule.units), rule.pattern is not None, rule.national_sample is not None]
        )
        if selectors != 1:
            out.append(Issue(p, "必须且只能给出 units、pattern、national_sample 之一"))
        if LEVELS.index(rule.coordinator_level) >= unit_rank:
            out.append(
                Issue(
                    f"{p}.coordinator_level",
                    f"统筹层级（{LEVEL_NAMES[rule.coordinator_level]}）必须高于参测单位层级"
                    f"（{LEVEL_NAMES[s.unit_level]}）",
                )
            )
        if catch_all_at is not None:
            out.append(
                Issue(p, f"位于通配规则 scope.coordination[{catch_all_at}] 之后，永远不会生效")
            )
        if rule.pattern == "*" and catch_all_at is None:
            catch_all_at = i
    return out


def _check_grades_subjects(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    bounds = {"primary": (1, 6), "junior": (7, 9)}
    if not t.grades:
        out.append(Issue("grades", "至少要有一个监测年级"))
    for stage, grade in t.grades.items():
        lo, hi = bounds[stage]
        if not lo <= grade <= hi:
            out.append(
                Issue(f"grades.{stage}", f"{STAGE_NAMES[stage]}监测年级应在 {lo}-{hi} 年级之间")
            )
    grade_values = set(t.grades.values())
    grade_text = "、".join(str(g) for g in sorted(grade_values))
    if not t.subjects:
        out.append(Issue("subjects", "至少要有一个监测学科"))
    codes: dict[str, str] = {}
    for i, subj in enumerate(t.subjects):
        p = f"subjects[{i}]"
        if subj.code in codes:
            out.append(Issue(f"{p}.code", f"代码“{subj.code}”与 {codes[subj.code]} 重复"))
        else:
            codes[subj.code] = p
        for grade, forms in subj.booklet_forms.items():
            if grade not in grade_values:
                out.append(
                    Issue(
                        f"{p}.booklet_forms[{grade}]",
                        f"{grade} 年级不是本轮监测年级（{grade_text}）",
                    )
                )
            if forms <= 0:
                out.append(
                    Issue(f"{p}.booklet_forms[{grade}]", f"题本套数必须为正整数，现为 {forms}")
                )
        for stage in subj.mode_by_stage:
            if stage not in t.grades:
                out.append(Issue(f"{p}.mode_by_stage.{stage}", "本轮没有该学段"))
    for i, q in enumerate(t.questionnaires):
        p = f"questionnaires[{i}]"
        if q.code in codes:
            out.append(Issue(f"{p}.code", f"代码“{q.code}”与 {codes[q.code]} 重复"))
        else:
            codes[q.code] = p
        if not q.respondents:
            out.append(Issue(f"{p}.respondents", "至少要有一类填答对象"))
        if q.subject is not None and t.subject(q.subject) is None:
            out.append(Issue(f"{p}.subject", f"未知的学科代码“{q.subject}”"))
        if q.window is not None:
            out += _window_issues(f"{p}.window", q.window.start, q.window.end, "end")
    return out


def _check_sessions(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    days = set(t.test_days)
    instruments = {s.code for s in t.subjects} | {q.code for q in t.questionnaires}
    seen: dict[str, int] = {}
    for i, s in enumerate(t.sessions):
        p = f"sessions[{i}]"
        if s.code in seen:
            out.append(Issue(f"{p}.code", f"场次代码“{s.code}”与 sessions[{seen[s.code]}] 重复"))
        else:
            seen[s.code] = i
        if s.day not in days:
            out.append(Issue(f"{p}.day", f"场次日期 {_fmt(s.day)} 不是测试日"))
        if s.instrument is not None and s.instrument not in instruments:
            out.append(Issue(f"{p}.instrument", f"未知的学科或问卷代码“{s.instrument}”"))
        if s.skip_without_subject is not None and t.subject(s.skip_without_subject) is None:
            out.append(
                Issue(f"{p}.skip_without_subject", f"未知的学科代码“{s.skip_without_subject}”")
            )
        if not s.stages:
            out.append(Issue(f"{p}.stages", "至少要有一个学段"))
        if s.minutes is not None and s.minutes <= 0:
            out.append(Issue(f"{p}.minutes", "时长必须为正整数"))
        for stage in ("primary", "junior"):
            span = getattr(s, stage)
            if span is not None and stage not in s.stages:
                out.append(
                    Issue(
                        f"{p}.{stage}",
                        f"该场次不含{STAGE_NAMES[stage]}，不应给出{STAGE_NAMES[stage]}时间",
                    )
                )
        spans: list[tuple[str, TimeSpan]] = []
        for stage in s.stages:
            own = s.primary if stage == "primary" else s.junior
            if own is not None:
                spans.append((f"{p}.{stage}", own))
            elif s.start is not None:
                spans.append((p, TimeSpan(start=s.start, end=s.end)))
            else:
                out.append(Issue(f"{p}.start", f"缺少开始时间（{STAGE_NAMES[stage]}）"))
        done: set[str] = set()
        for sp, span in spans:
            if sp in done:
                continue
            done.add(sp)
            if s.until_done:
                if span.end is not None:
                    out.append(Issue(f"{sp}.end", "“至全部完成”的场次不能有结束时间"))
                continue
            if span.end is None:
                out.append(
                    Issue(f"{sp}.end", "缺少结束时间（若为“至全部完成”请设 until_done: true）")
                )
            elif span.end <= span.start:
                out.append(
                    Issue(f"{sp}.end", f"结束时间 {_hm(span.end)} 不晚于开始时间 {_hm(span.start)}")
                )
            elif s.minutes is not None and _minutes(span.start, span.end) != s.minutes:
                out.append(
                    Issue(
                        f"{p}.minutes",
                        f"时长 {s.minutes} 分钟与起止时间 {_hm(span.start)}-{_hm(span.end)}"
                        f"（{_minutes(span.start, span.end)} 分钟）不符",
                    )
                )
    out += _check_overlaps(t)
    return out


def _check_overlaps(t: CycleTemplate) -> list[Issue]:
    """Two student sessions of the same stage on the same day must not overlap."""
    out: list[Issue] = []
    for stage in STAGES:
        timed: list[tuple[int, date, time, time]] = []
        for i, s in enumerate(t.sessions):
            if "student" not in s.respondents or s.until_done:
                continue
            span = s.span(stage)
            if span is None or span.end is None or span.end <= span.start:
                continue
            timed.append((i, s.day, span.start, span.end))
        for a in range(len(timed)):
            for b in range(a + 1, len(timed)):
                ia, da, sa, ea = timed[a]
                ib, db, sb, eb = timed[b]
                if da == db and sa < eb and sb < ea:
                    out.append(
                        Issue(
                            f"sessions[{ib}]",
                            f"{STAGE_NAMES[stage]}学生场次与 sessions[{ia}] 时间重叠",
                        )
                    )
    return out


def _check_sample_staffing(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    ss = t.sample_size
    for stage, n in ss.schools_per_unit.items():
        if n <= 0:
            out.append(Issue(f"sample_size.schools_per_unit.{stage}", "样本校数必须为正整数"))
        if stage not in t.grades:
            out.append(Issue(f"sample_size.schools_per_unit.{stage}", "本轮没有该学段"))
    for i, u in enumerate(ss.schools_by_unit):
        for stage in ("primary", "junior"):
            n = getattr(u, stage)
            if n is not None and n < 0:
                out.append(Issue(f"sample_size.schools_by_unit[{i}].{stage}", "样本校数不能为负"))
    positive = {
        "students_per_school": ss.students_per_school,
        "room_capacity": ss.room_capacity,
    }
    for name, value in positive.items():
        if value is not None and value <= 0:
            out.append(Issue(f"sample_size.{name}", "必须为正整数"))
    an = t.analysis
    if not _hadamard_order(an.fay_replicates):
        out.append(Issue("analysis.fay_replicates", "Fay 重复权重个数应为可构造 Hadamard 矩阵的 4 的倍数（如 80）"))
    if not 0 <= an.fay_rho < 1:
        out.append(Issue("analysis.fay_rho", "Fay 系数应不小于 0、小于 1（PISA 为 0.5）"))
    if an.trim_ratio != 0 and an.trim_ratio < 1:
        out.append(Issue("analysis.trim_ratio", "修剪倍数应为 0（不修剪）或不小于 1"))
    if t.fieldtest is not None:
        if t.subject(t.fieldtest.subject) is None:
            out.append(Issue("fieldtest.subject", f"本轮没有学科“{t.fieldtest.subject}”"))
        tested = set(t.grades.values())
        for i, item in enumerate(t.fieldtest.items):
            for grade in sorted(set(item.ranges) - tested):
                out.append(Issue(f"fieldtest.items[{i}].ranges", f"{item.name}：本轮不测 {grade} 年级"))
    for name in ("computer_spare_pcs", "questionnaire_room_spare_pcs_min"):
        value = getattr(ss, name)
        if value is not None and value < 0:
            out.append(Issue(f"sample_size.{name}", "不能为负"))
    for i, r in enumerate(t.staffing.rules):
        p = f"staffing.rules[{i}]"
        if r.by_rooms and r.count is not None:
            out.append(Issue(p, "count 与 by_rooms 只能给出其一"))
        if not r.by_rooms and r.count is None:
            out.append(Issue(f"{p}.count", "缺少人数"))
        if r.count is not None and r.count <= 0:
            out.append(Issue(f"{p}.count", "人数必须为正整数"))
        if r.count_max is not None and (r.count is None or r.count_max < r.count):
            out.append(Issue(f"{p}.count_max", "人数上限小于下限"))
        previous = 0
        for j, step in enumerate(r.by_rooms):
            sp = f"{p}.by_rooms[{j}]"
            if step.count <= 0:
                out.append(Issue(f"{sp}.count", "人数必须为正整数"))
            if step.max_rooms is None:
                if j != len(r.by_rooms) - 1:
                    out.append(Issue(f"{sp}.max_rooms", "不设上限的档位必须放在最后"))
            elif step.max_rooms <= previous:
                out.append(Issue(f"{sp}.max_rooms", "监测室数档位必须递增"))
            else:
                previous = step.max_rooms
    return out


def _check_groups(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    for i, r in enumerate(t.staffing.rules):
        for name in ("subjects", "not_subjects"):
            for code in getattr(r, name):
                if code not in STAFF_SUBJECTS:
                    out.append(Issue(f"staffing.rules[{i}].{name}", f"未知学科“{code}”"))
    for level, group in t.groups.items():
        seen: set[str] = set()
        for i, g in enumerate(group.roles):
            p = f"groups.{level}.roles[{i}]"
            if g.role in seen:
                out.append(Issue(f"{p}.role", f"角色“{g.role}”重复"))
            seen.add(g.role)
            if g.min < 0:
                out.append(Issue(f"{p}.min", "人数不能为负"))
            if g.max is not None and (g.max < max(g.min, 1)):
                out.append(Issue(f"{p}.max", "人数上限小于下限"))
    return out


def _check_milestones(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    first = min(t.test_days) if t.test_days else None
    last = max(t.test_days) if t.test_days else None
    for level, items in t.milestones.items():
        numbers: dict[int, int] = {}
        for i, m in enumerate(items):
            p = f"milestones.{level}[{i}]"
            if m.number <= 0:
                out.append(Issue(f"{p}.number", "序号必须为正整数"))
            if m.number in numbers:
                out.append(
                    Issue(
                        f"{p}.number",
                        f"序号 {m.number} 与 milestones.{level}[{numbers[m.number]}] 重复",
                    )
                )
            else:
                numbers[m.number] = i
            if not m.task.strip():
                out.append(Issue(f"{p}.task", "工作任务不能为空"))
            out += _done_when_issues(t, level, p, m)
            out += _window_issues(p, m.start, m.deadline, "deadline")
            if first is None or last is None:
                continue
            begin = m.start or m.deadline
            finish = m.deadline or m.start
            if begin is None or finish is None:
                continue
            if m.phase == "before" and begin > first:
                out.append(Issue(f"{p}.phase", f"测试前任务的日期晚于首个测试日 {_fmt(first)}"))
            elif m.phase == "during" and (finish < first or begin > last):
                out.append(Issue(f"{p}.phase", "测试中任务的日期不在测试日之内"))
            elif m.phase == "after" and finish < last:
                out.append(Issue(f"{p}.phase", f"测试后任务的日期早于最后一个测试日 {_fmt(last)}"))
    return out


def _done_when_issues(t: CycleTemplate, level: str, p: str, m: Milestone) -> list[Issue]:
    """A milestone's ``done_when`` conditions and ``confirmed_by`` (see ``DONE_WHEN_FORMAT``)."""
    out: list[Issue] = []
    if isinstance(m.done_when, list) and not m.done_when:
        out.append(Issue(f"{p}.done_when", "条件列表不能为空"))
    many = isinstance(m.done_when, list)
    below = LEVELS[LEVELS.index(level) + 1] if level in LEVELS[:-1] else None  # type: ignore[arg-type]
    for j, cond in enumerate(m.conditions):
        where = f"{p}.done_when[{j}]" if many else f"{p}.done_when"
        if not DONE_WHEN_FORMAT.fullmatch(cond):
            out.append(Issue(where, f"“{cond}”应为事件标识：小写字母开头，由小写字母、数字和下划线组成，"
                                    "最多 30 个字符；带参数时写作“事件:参数”"))
            continue
        name, _, arg = cond.partition(":")
        if name == DOCUMENT_APPROVED:
            if not arg:
                out.append(Issue(where, "document_approved 须写明材料代码，如 document_approved:county_group_list"))
            elif arg not in {d.code for d in t.documents}:
                out.append(Issue(where, f"材料代码“{arg}”不在本周期的实施材料（documents）中"))
        elif name == SUBUNITS_DONE:
            if below is None:
                out.append(Issue(where, f"{LEVEL_NAMES.get(level, level)}没有下一级单位，不能使用 subunits_done"))
            elif not arg.isdigit() or int(arg) not in {x.number for x in t.milestones.get(below, [])}:  # type: ignore[call-overload]
                out.append(Issue(where, f"“{arg}”不是{LEVEL_NAMES[below]}工作节点的序号"))
    if m.confirmed_by is not None:
        if m.conditions:
            out.append(Issue(f"{p}.confirmed_by", "平台自动完成的工作节点无需上级确认，请删除 confirmed_by 或 done_when"))
        elif level not in LEVELS or LEVELS.index(m.confirmed_by) >= LEVELS.index(level):  # type: ignore[arg-type]
            out.append(Issue(f"{p}.confirmed_by", f"确认单位应为{LEVEL_NAMES.get(level, level)}的上级"))
    return out


def _check_documents_windows(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    codes: dict[str, int] = {}
    for i, d in enumerate(t.documents):
        p = f"documents[{i}]"
        if d.code in codes:
            out.append(Issue(f"{p}.code", f"材料代码“{d.code}”与 documents[{codes[d.code]}] 重复"))
        else:
            codes[d.code] = i
        out += _window_issues(p, d.start, d.deadline, "deadline")
        out += _window_issues(p, d.review_start, d.review_deadline, "review_deadline")
        if d.reviewed_by is not None and LEVELS.index(d.reviewed_by) >= LEVELS.index(
            d.submitted_by
        ):
            out.append(Issue(f"{p}.reviewed_by", "审核层级必须高于提交层级"))
        if (d.review_start or d.review_deadline) and d.reviewed_by is None:
            out.append(Issue(f"{p}.reviewed_by", "给出了审核时间但没有审核层级"))
        if d.form == "checklist" and not d.items:
            out.append(Issue(f"{p}.items", "自查清单必须列出检查项目（items）"))
        if d.form != "checklist" and d.items:
            out.append(Issue(f"{p}.items", "只有自查清单（form: checklist）才有检查项目"))
        if d.form in ("scan", "checklist") and d.stamped_scan:
            out.append(Issue(f"{p}.stamped_scan", "盖章扫描件只用于报表（form: table）"))
    for i, w in enumerate(t.windows):
        p = f"windows[{i}]"
        out += _window_issues(p, w.start, w.end, "end")
        if w.reviewed_by is not None and LEVELS.index(w.reviewed_by) >= LEVELS.index(w.reported_by):
            out.append(Issue(f"{p}.reviewed_by", "审核层级必须高于上报层级"))
    return out


def _check_release_thresholds(t: CycleTemplate) -> list[Issue]:
    out: list[Issue] = []
    r = t.release
    if r is not None:
        if r.day not in set(t.test_days):
            out.append(Issue("release.day", f"样本学生名单发布日期 {_fmt(r.day)} 不是测试日"))
        if r.end is not None and r.end <= r.start:
            out.append(Issue("release.end", f"结束时间 {_hm(r.end)} 不晚于开始时间 {_hm(r.start)}"))
        starts = [
            span.start
            for s in t.sessions_on(r.day)
            if "student" in s.respondents
            for stage in s.stages
            if (span := s.span(stage)) is not None
        ]
        if starts and r.start >= min(starts):
            out.append(
                Issue(
                    "release.start",
                    f"名单发布时间 {_hm(r.start)} 不早于当天第一场学生测试 {_hm(min(starts))}",
                )
            )
    th = t.participation_thresholds
    for name in ("school_rate", "student_rate"):
        value = getattr(th, name)
        if not 0 < value <= 1:
            out.append(
                Issue(f"participation_thresholds.{name}", f"参与率应在 0 与 1 之间，现为 {value}")
            )
    return out


# ---------------------------------------------------------------------------------------------------


def _walk_dates(obj: object) -> Iterable[date]:
    if isinstance(obj, datetime):
        yield obj.date()
    elif isinstance(obj, date):
        yield obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_dates(getattr(obj, name))
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _walk_dates(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _walk_dates(v)
