"""The staffing rules of a cycle, checked on plain data (no Django).

The cycle template's `staffing.rules` say who works at each sample school (监测点) on test day,
per site or per test room, who provides the person (county or school) and what the person must
be; its `groups` say how a level's leadership group (实施工作领导小组 / 实施办) is composed. These
functions take the people as plain records and name every broken rule in Chinese, with the people
concerned:

- count short or surplus, per site and per room (1-2 rooms: 1 区县巡视员, more: 2 [003]);
- from another school: 主监测员 is "非本校的教务（教导）主任" [000] / "其他学校…（外派）" [003];
- no mutual exchange: "不允许两所样本校的监测员互派" [003] — school A's person at B and B's at A;
- subjects: 监测员 teaches no tested subject, 演唱和口语测试监测员 no English or music [000];
  信息员 a computer teacher, 体育监测员 a PE teacher [002];
- one person at two sites (a person works at one 监测点 on test day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jiance_core.cycles.schema import STAFF_SUBJECTS, GroupRole, StaffRule

ROOM_UNITS = ("room", "paper_room", "computer_room")
PROVIDER_NAMES = {"county": "县级选派", "school": "学校自配", "city": "市级选派"}


@dataclass(frozen=True)
class Room:
    key: str  # unique at the site, e.g. "primary-1"
    name: str  # 小学第1监测室
    kind: str  # paper | computer


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    rooms: tuple[Room, ...] = ()

    def rooms_for(self, per: str) -> tuple[Room, ...]:
        if per == "room":
            return self.rooms
        kind = {"paper_room": "paper", "computer_room": "computer"}.get(per)
        return tuple(r for r in self.rooms if r.kind == kind)


@dataclass(frozen=True)
class Post:
    """One person in one post: `home` is the code of the school (or county office) the person
    comes from; `subjects` what they teach (STAFF_SUBJECTS codes; empty when not known)."""

    site: str
    role: str
    provided_by: str
    name: str
    home: str
    home_name: str = ""
    subjects: frozenset[str] = frozenset()
    room: str = ""  # Room.key for a per-room post
    person: str = ""  # identity across sites (defaults to home + name)

    @property
    def who(self) -> str:
        return self.person or f"{self.home}:{self.name}"


@dataclass(frozen=True)
class Violation:
    kind: str  # short | surplus | same_school | mutual_exchange | wrong_subject | two_sites | no_rooms
    site: str
    role: str
    message: str
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Slot:
    """What the form lists: one rule at one site or one room, with its (min, max)."""

    rule: StaffRule
    room: Room | None
    low: int
    high: int

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES.get(self.rule.provided_by, self.rule.provided_by)


def site_rules(rules: Iterable[StaffRule]) -> list[StaffRule]:
    """The rules that staff a sample school (per site or per room), in the template's order."""
    return [r for r in rules if r.per == "site" or r.per in ROOM_UNITS]


def slots(rules: Iterable[StaffRule], site: Site) -> list[Slot]:
    """Every post of the site: per-site rules once, per-room rules once per room of their kind."""
    rooms = len(site.rooms)
    out: list[Slot] = []
    for rule in site_rules(rules):
        low, high = rule.count_for_rooms(rooms)
        if rule.per == "site":
            out.append(Slot(rule, None, low, high))
        else:
            out.extend(Slot(rule, room, low, high) for room in site.rooms_for(rule.per))
    return out


def _names(posts: Iterable[Post]) -> tuple[str, ...]:
    return tuple(p.name for p in posts)


def _subject_names(codes: Iterable[str]) -> str:
    return "、".join(STAFF_SUBJECTS.get(c, c) for c in codes)


def _where(site: Site, room: Room | None) -> str:
    return f"{site.name}{room.name}" if room else site.name


def check_site(rules: Sequence[StaffRule], site: Site, posts: Sequence[Post]) -> list[Violation]:
    """Every broken rule at one site: counts (per site and per room), same school, subjects."""
    out: list[Violation] = []
    mine = [p for p in posts if p.site == site.code]
    site_level = site_rules(rules)
    per_room = any(r.per in ROOM_UNITS for r in site_level)
    if per_room and not site.rooms:
        out.append(Violation("no_rooms", site.code, "",
                             f"{site.name}：尚无监测室安排，无法核对每个监测室的人员"))
    for slot in slots(rules, site):
        rule, room = slot.rule, slot.room
        held = [p for p in mine if p.role == rule.role and p.provided_by == rule.provided_by
                and (room is None or p.room == room.key)]
        where = _where(site, room)
        who = f"{rule.role}（{slot.provider_name}）"
        if len(held) < slot.low:
            out.append(Violation("short", site.code, rule.role,
                                 f"{where}：{who}应有 {slot.low} 人，现有 {len(held)} 人", _names(held)))
        elif len(held) > slot.high:
            out.append(Violation("surplus", site.code, rule.role,
                                 f"{where}：{who}至多 {slot.high} 人，现有 {len(held)} 人", _names(held)))
    for rule in site_level:
        held = [p for p in mine if p.role == rule.role and p.provided_by == rule.provided_by]
        for p in held:
            if rule.from_other_school and p.home == site.code:
                out.append(Violation("same_school", site.code, rule.role,
                                     f"{site.name}：{rule.role}须由其他学校人员担任，{p.name}是本校人员", (p.name,)))
            bad = sorted(set(rule.not_subjects) & p.subjects)
            if bad:
                out.append(Violation("wrong_subject", site.code, rule.role,
                                     f"{site.name}：{rule.role}不能由{_subject_names(rule.not_subjects)}教师担任，"
                                     f"{p.name}任教{_subject_names(bad)}", (p.name,)))
            if rule.subjects and not set(rule.subjects) & p.subjects:
                out.append(Violation("wrong_subject", site.code, rule.role,
                                     f"{site.name}：{rule.role}须由{_subject_names(rule.subjects)}教师担任，"
                                     f"{p.name}不是", (p.name,)))
    # a post of a role no rule of this site knows (e.g. a room rule after the rooms changed)
    known = {(r.role, r.provided_by) for r in site_level}
    for p in mine:
        if (p.role, p.provided_by) not in known:
            out.append(Violation("surplus", site.code, p.role,
                                 f"{site.name}：本轮没有“{p.role}（{PROVIDER_NAMES.get(p.provided_by, '')}）”这一岗位，"
                                 f"{p.name}须删除", (p.name,)))
    return out


def check_county(rules: Sequence[StaffRule], sites: Sequence[Site], posts: Sequence[Post]) -> list[Violation]:
    """Every broken rule across a county's sample schools: each site's, then the rules between
    sites (mutual exchange of proctors, one person at two sites)."""
    out: list[Violation] = []
    for site in sites:
        out += check_site(rules, site, posts)
    names = {s.code: s.name for s in sites}
    no_swap = {r.role for r in rules if r.no_swap}
    # school A sends someone to B and B sends someone to A, in a no-swap role
    sent: dict[tuple[str, str], list[Post]] = defaultdict(list)
    for p in posts:
        if p.role in no_swap and p.home != p.site and p.home in names:
            sent[(p.home, p.site)].append(p)
    for (a, b), there in sorted(sent.items()):
        back = sent.get((b, a))
        if back and a < b:
            people = _names(there) + _names(back)
            out.append(Violation(
                "mutual_exchange", b, there[0].role,
                f"{names[a]}与{names[b]}互派监测员（{'、'.join(_names(there))} 到{names[b]}，"
                f"{'、'.join(_names(back))} 到{names[a]}）：不允许两所样本校的监测员互派", people,
            ))
    by_person: dict[str, set[str]] = defaultdict(set)
    label: dict[str, str] = {}
    for p in posts:
        by_person[p.who].add(p.site)
        label[p.who] = p.name
    for who, at in sorted(by_person.items()):
        if len(at) > 1:
            where = "、".join(names.get(s, s) for s in sorted(at))
            out.append(Violation("two_sites", sorted(at)[0], "",
                                 f"{label[who]}同时安排在 {len(at)} 个监测点（{where}）", (label[who],)))
    return out


# --- leadership groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    role: str
    name: str


@dataclass
class GroupCheck:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def count_text(low: int, high: int | None) -> str:
    if high is None:
        return f"至少 {low} 人" if low else "若干人"
    return f"{low} 人" if low == high else f"{low}—{high} 人"


def check_group(roles: Sequence[GroupRole], members: Sequence[Member], *, name: str = "领导小组") -> list[str]:
    """A missing, short or surplus role of a leadership group, in Chinese."""
    out: list[str] = []
    held: dict[str, list[str]] = defaultdict(list)
    for m in members:
        held[m.role].append(m.name)
    for r in roles:
        n = len(held.get(r.role, []))
        if n < r.min:
            out.append(f"{name}缺少{r.role}：应有 {count_text(r.min, r.max)}，现有 {n} 人")
        elif r.max is not None and n > r.max:
            out.append(f"{name}{r.role}过多：应有 {count_text(r.min, r.max)}，现有 {n} 人（{'、'.join(held[r.role])}）")
    known = {r.role for r in roles}
    for role, people in held.items():
        if role not in known:
            out.append(f"{name}没有“{role}”这一角色（{'、'.join(people)}）")
    return out
