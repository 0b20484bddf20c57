"""Teacher files (相关教师名单): reading and checking, the rules that need no database.

One row per teacher: 姓名 (required), 性别 (男/女, required), 任教班级 (optional: tells two
teachers of the same name apart), 角色 (one or more roles separated by 、，,；;/), 问卷角色 (required
when a teacher has several roles; one of them), 任职类型 (optional, default 在编在岗).

Every problem is a :class:`~jiance_core.errors.RowError` (row, column header, Chinese reason).
The vocabulary (roles, the roles a cycle asks for, employment kinds) is passed in: the web app
builds it from its models and the cycle; the offline tool uses :data:`DEFAULT_VOCABULARY`.
Messages go through ``tr`` (the web app passes its gettext; the identity offline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from jiance_core.errors import RowError
from jiance_core.sheets import Limits, SheetError, cell_text, open_workbook, read_table

__all__ = [
    "DEFAULT_VOCABULARY",
    "HEADERS",
    "ROLE_SEPARATORS",
    "TeacherCheck",
    "Vocabulary",
    "check_teacher_file",
    "check_teacher_rows",
    "looks_like_teachers",
    "read_teacher_rows",
]

HEADERS: Final = {
    "name": "姓名",
    "sex": "性别",
    "class_name": "任教班级",
    "roles": "角色",
    "questionnaire_role": "问卷角色",
    "employment": "任职类型",
}
REQUIRED: Final = ("name", "sex", "roles")
ROLE_SEPARATORS: Final = ("、", "，", ",", "；", ";", "/", "／")


@dataclass(frozen=True)
class Vocabulary:
    roles: Mapping[str, str]  # value -> Chinese label, every role
    allowed: Sequence[str]  # the role values this cycle asks for
    employment: Mapping[str, str]  # value -> Chinese label; the first is the default


#: every role (as `jiance.rosters.models.TeacherRole`; a test keeps the two equal) and employment kind
DEFAULT_VOCABULARY: Final = Vocabulary(
    roles={
        "head_teacher": "班主任", "chinese": "语文教师", "math": "数学教师", "english": "英语教师",
        "music": "音乐教师", "art": "美术教师", "science": "科学教师", "other": "其他教师",
        "leader": "学校领导（中层及以上）",
    },
    allowed=("head_teacher", "chinese", "math", "english", "music", "art", "science", "other", "leader"),
    employment={"regular": "在编在岗", "substitute": "代课", "rehired": "返聘", "other": "其他聘用"},
)


def _same(text: str) -> str:
    return text


@dataclass
class TeacherCheck:
    rows: int
    errors: list[RowError]
    teachers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _split_roles(text: str) -> list[str]:
    for sep in ROLE_SEPARATORS[1:]:
        text = text.replace(sep, ROLE_SEPARATORS[0])
    return [p.strip() for p in text.split(ROLE_SEPARATORS[0]) if p.strip()]


def _check_roles(
    n: int, texts: Mapping[str, str], vocab: Vocabulary, head: Mapping[str, str], tr: Callable[[str], str],
) -> tuple[list[str], str, list[RowError]]:
    """The row's roles and questionnaire role (values), and what is wrong with them."""
    by_label = {label: value for value, label in vocab.roles.items()}
    ok = "、".join(vocab.roles[r] for r in vocab.allowed)
    errors: list[RowError] = []
    role_labels = _split_roles(texts.get("roles", ""))
    roles: list[str] = []
    if not role_labels:
        errors.append(RowError(n, head["roles"], tr("角色为空：请至少填写一个角色")))
    for label in role_labels:
        value = by_label.get(label)
        if value is None:
            errors.append(RowError(n, head["roles"], tr("未知的角色“%(v)s”：可选角色为%(ok)s") % {"v": label, "ok": ok}))
        elif value not in vocab.allowed:
            errors.append(RowError(n, head["roles"], tr("本周期不上报“%(v)s”：需要填报的角色为%(ok)s")
                                   % {"v": label, "ok": ok}))
        elif value not in roles:
            roles.append(value)
    chosen_text = texts.get("questionnaire_role", "")
    chosen = ""
    if chosen_text:
        chosen = by_label.get(chosen_text, "")
        if not chosen:
            errors.append(RowError(n, head["questionnaire_role"], tr("未知的问卷角色“%(v)s”") % {"v": chosen_text}))
        elif chosen not in {by_label.get(label) for label in role_labels}:
            errors.append(RowError(n, head["questionnaire_role"],
                                   tr("问卷角色“%(v)s”不是该教师的角色之一") % {"v": chosen_text}))
    elif len(set(role_labels)) > 1:
        errors.append(RowError(n, head["questionnaire_role"], tr("身兼多职教师须选择一个问卷角色（须为其角色之一）")))
    return roles, chosen, errors


def check_teacher_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    vocab: Vocabulary = DEFAULT_VOCABULARY,
    *,
    headers: Mapping[str, str] = HEADERS,
    tr: Callable[[str], str] = _same,
) -> TeacherCheck:
    """Check numbered rows (cell values keyed by column key); never raises for bad data."""
    head = {**HEADERS, **headers}
    employment_by_label = {label: value for value, label in vocab.employment.items()}
    default_employment = next(iter(vocab.employment))
    errors: list[RowError] = []
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for n, values in rows:
        count += 1
        texts = {k: cell_text(values.get(k)) for k in HEADERS}
        name, sex, class_name = texts["name"], texts["sex"], texts["class_name"]
        row_errors: list[RowError] = []
        employment_text = texts["employment"]
        employment = employment_by_label.get(employment_text) if employment_text else default_employment
        if employment is None:
            row_errors.append(RowError(n, head["employment"], tr("任职类型“%(v)s”无效：应为%(ok)s")
                                       % {"v": employment_text, "ok": "、".join(employment_by_label)}))
        if not name:
            row_errors.append(RowError(n, head["name"], tr("姓名为空")))
        if not sex:
            row_errors.append(RowError(n, head["sex"], tr("性别为空：请填写“男”或“女”")))
        elif sex not in ("男", "女"):
            row_errors.append(RowError(n, head["sex"], tr("性别“%(v)s”无效：应为“男”或“女”") % {"v": sex}))
        roles, chosen, role_errors = _check_roles(n, texts, vocab, head, tr)
        row_errors += role_errors
        if name:
            key = (name, class_name)
            if key in seen:
                row_errors.append(RowError(n, head["name"], tr("与第 %(r)s 行重复：同一任教班级中已有同名教师“%(v)s”")
                                           % {"r": seen[key], "v": name}))
            else:
                seen[key] = n
        errors.extend(row_errors)
        if not row_errors:
            out.append({"name": name, "sex": sex, "class_name": class_name, "roles": roles,
                        "questionnaire_role": chosen or roles[0], "employment": employment})
    if not count:
        errors.append(RowError(0, "", tr("文件中没有教师：请在“数据”工作表中每行填写一名教师")))
    errors.sort()
    return TeacherCheck(count, errors, out)


def read_teacher_rows(data: bytes, limits: Limits | None = None) -> list[tuple[int, dict[str, Any]]]:
    """The numbered rows of a teacher XLSX (the 数据 sheet, else the first), keyed by column key."""
    header, body = read_table(data, limits, sheet="数据")
    names = [cell_text(h) for h in header]
    index = {k: names.index(label) for k, label in HEADERS.items() if label in names}
    missing = [HEADERS[k] for k in REQUIRED if k not in index]
    if missing:
        raise SheetError("缺少列：" + "、".join(missing))
    return [(n, {k: (v[i] if i < len(v) else None) for k, i in index.items()}) for n, v in body]


def check_teacher_file(
    path: str | Path, vocab: Vocabulary = DEFAULT_VOCABULARY, *, limits: Limits | None = None,
) -> TeacherCheck:
    """Read and check a teacher file offline; an unreadable file is one file-level error."""
    p = Path(path)
    if not p.is_file():
        return TeacherCheck(0, [RowError(0, "", f"找不到文件：{p}")])
    try:
        rows = read_teacher_rows(p.read_bytes(), limits)
    except SheetError as exc:
        return TeacherCheck(0, [RowError(0, "", str(exc))])
    return check_teacher_rows(rows, vocab)


def looks_like_teachers(path: str | Path) -> bool:
    """Whether a file's header is that of a teacher file (a 角色 column and no 身份证号)."""
    try:
        first = next(open_workbook(Path(path).read_bytes()).rows("数据"), None)
    except (SheetError, OSError):
        return False
    names = {cell_text(h) for h in first[1]} if first and first[0] == 1 else set()
    return HEADERS["roles"] in names and not names & {"身份证号", "身份证号码", "公民身份号码", "national_id"}
