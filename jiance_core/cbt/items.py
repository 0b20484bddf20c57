"""Test items as data: one JSON object per item in the QTI 3 interaction vocabulary, forms
(booklets, 题本) as ordered item lists, and the reading of a student's response to one item.

A bank file (JSON, or a ZIP holding `items.json` and the media it names) is::

    {"format": "jiance-cbt/1", "example": true, "subject": "math",
     "items": [{"identifier": "M5-001", "title": "…", "prompt": "…",
                "media": [{"href": "media/m5-001.png", "type": "image/png", "alt": "…"}],
                "interaction": {"type": "choiceInteraction", "maxChoices": 1,
                                "choices": [{"identifier": "A", "text": "…"}, …]},
                "correct": ["A"], "onPaper": false}, …],
     "forms": [{"number": 1, "items": ["M5-001", …]}, …]}

Interactions (QTI 3 names): `choiceInteraction` (single choice, or multiple response with
`maxChoices` > 1 or 0 for any number), `textEntryInteraction` (a short answer, `expectedLength`),
`extendedTextInteraction` (a longer answer; `onPaper: true` for an open item answered on the
answer card, 主观题在答题卡上作答 [003]), `orderInteraction` (put `choices` in order),
`matchInteraction` (associate `sources` with `targets`, `maxAssociations`); and Jiance's
`recordingInteraction` (a singing or spoken-English recording task, `jiance_core.recordings.tasks`). Every refusal names
the item, the field and the reason in Chinese; `check_bank` collects them all.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jiance_core.recordings import tasks as recording_tasks

FORMAT = "jiance-cbt/1"
INTERACTIONS = ("choiceInteraction", "textEntryInteraction", "extendedTextInteraction", "orderInteraction",
                "matchInteraction", recording_tasks.INTERACTION)
MEDIA_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "audio/mpeg", "audio/ogg", "audio/mp4")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,39}$")
MEDIA_HREF = re.compile(r"^media/[A-Za-z0-9_.-]{1,80}$")
MAX_ITEMS = 500
MAX_ZIP_ENTRIES = 600
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
TEXT_ENTRY_MAX = 200
EXTENDED_MAX = 5000


class BankError(ValueError):
    """A bank refused as a whole: `problems` are the reasons, each naming item, field and reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("；".join(problems[:5]) + (f"；等共 {len(problems)} 处问题" if len(problems) > 5 else ""))
        self.problems = list(problems)


class ResponseError(ValueError):
    """A response that does not fit its item (Chinese reason)."""


@dataclass(frozen=True)
class Bank:
    subject: str
    example: bool
    items: dict[str, dict[str, Any]]
    forms: dict[int, list[str]]
    media: dict[str, bytes]


def _where(item: Mapping[str, Any] | None, index: int) -> str:
    ident = item.get("identifier") if isinstance(item, Mapping) else None
    return f"题目 {ident}" if isinstance(ident, str) and ident else f"第 {index + 1} 道题目"


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _options(where: str, field: str, raw: Any, problems: list[str], minimum: int = 2) -> list[str]:
    if not isinstance(raw, list) or len(raw) < minimum:
        problems.append(f"{where}：字段 {field}：至少需要 {minimum} 个选项")
        return []
    seen: list[str] = []
    for k, opt in enumerate(raw):
        ident = opt.get("identifier") if isinstance(opt, Mapping) else None
        if not isinstance(ident, str) or not IDENT.match(ident):
            problems.append(f"{where}：字段 {field}[{k}].identifier：标识须以字母开头，只含字母、数字、_ . -")
            continue
        if ident in seen:
            problems.append(f"{where}：字段 {field}[{k}].identifier：选项标识“{ident}”重复")
            continue
        if not _text(opt.get("text")) and not opt.get("media"):
            problems.append(f"{where}：字段 {field}[{k}].text：选项“{ident}”没有文字")
        seen.append(ident)
    return seen


def _check_interaction(where: str, item: Mapping[str, Any], problems: list[str]) -> None:
    inter = item.get("interaction")
    if not isinstance(inter, Mapping):
        problems.append(f"{where}：字段 interaction：缺少作答方式")
        return
    kind = inter.get("type")
    if kind not in INTERACTIONS:
        problems.append(f"{where}：字段 interaction.type：不支持“{kind}”，可用 {'、'.join(INTERACTIONS)}")
        return
    correct = item.get("correct")
    if kind == recording_tasks.INTERACTION:
        recording_tasks.check_interaction(where, item, problems)
    elif kind == "choiceInteraction":
        ids = _options(where, "interaction.choices", inter.get("choices"), problems)
        most = inter.get("maxChoices", 1)
        if not isinstance(most, int) or isinstance(most, bool) or most < 0 or (ids and most > len(ids)):
            problems.append(f"{where}：字段 interaction.maxChoices：须为 0（不限）到选项数之间的整数")
        elif correct is not None and ids:
            if not isinstance(correct, list) or not correct or any(c not in ids for c in correct):
                problems.append(f"{where}：字段 correct：正确答案须为本题选项标识的列表")
            elif most and len(correct) > most:
                problems.append(f"{where}：字段 correct：正确答案多于 maxChoices（{most}）")
    elif kind == "textEntryInteraction":
        length = inter.get("expectedLength", 20)
        if not isinstance(length, int) or isinstance(length, bool) or not 1 <= length <= TEXT_ENTRY_MAX:
            problems.append(f"{where}：字段 interaction.expectedLength：须为 1 到 {TEXT_ENTRY_MAX} 的整数")
        if correct is not None and (not isinstance(correct, list) or not all(_text(c) for c in correct)):
            problems.append(f"{where}：字段 correct：正确答案须为文字列表")
    elif kind == "extendedTextInteraction":
        if correct is not None:
            problems.append(f"{where}：字段 correct：开放题不设正确答案（由评分员评分）")
    elif kind == "orderInteraction":
        ids = _options(where, "interaction.choices", inter.get("choices"), problems)
        if correct is not None and ids and (not isinstance(correct, list) or sorted(correct) != sorted(ids)):
            problems.append(f"{where}：字段 correct：须为全部选项标识的一种排列")
    elif kind == "matchInteraction":
        sources = _options(where, "interaction.sources", inter.get("sources"), problems, minimum=1)
        targets = _options(where, "interaction.targets", inter.get("targets"), problems, minimum=1)
        both = set(sources) & set(targets)
        if both:
            problems.append(f"{where}：字段 interaction.targets：标识“{sorted(both)[0]}”与左侧项重复")
        most = inter.get("maxAssociations", len(sources))
        if not isinstance(most, int) or isinstance(most, bool) or most < 1:
            problems.append(f"{where}：字段 interaction.maxAssociations：须为正整数")
        if correct is not None and sources and targets and (not isinstance(correct, list) or any(
                not isinstance(p, str) or len(p.split()) != 2 or p.split()[0] not in sources
                or p.split()[1] not in targets for p in correct)):
            problems.append(f"{where}：字段 correct：须为“左侧标识 右侧标识”的列表")


def _check_media(where: str, item: Mapping[str, Any], problems: list[str], media: Mapping[str, bytes] | None) -> None:
    refs = item.get("media", [])
    if not isinstance(refs, list):
        problems.append(f"{where}：字段 media：须为列表")
        return
    for k, ref in enumerate(refs):
        href = ref.get("href") if isinstance(ref, Mapping) else None
        if not isinstance(href, str) or not MEDIA_HREF.match(href):
            problems.append(f"{where}：字段 media[{k}].href：须为 media/ 下的文件名（字母、数字、_ . -）")
            continue
        if ref.get("type") not in MEDIA_TYPES:
            problems.append(f"{where}：字段 media[{k}].type：不支持“{ref.get('type')}”，可用 {'、'.join(MEDIA_TYPES)}")
        if str(ref.get("type", "")).startswith("image/") and not _text(ref.get("alt")):
            problems.append(f"{where}：字段 media[{k}].alt：图片须有文字说明（读屏与图片无法显示时用）")
        if media is not None and href not in media:
            problems.append(f"{where}：字段 media[{k}].href：压缩包中没有文件 {href}")


def check_bank(data: Any, *, media: Mapping[str, bytes] | None = None,
               subjects: Sequence[str] | None = None, max_forms: int | None = None) -> Bank:
    """Validate a bank (the parsed JSON) and return it, or raise `BankError` with every problem.
    `media`: the files of a ZIP (None for a bare JSON file: media references are then not checked
    against files). `subjects`: the cycle's subject codes; `max_forms`: the forms the cycle has
    for the subject in its grade (None: not set in the cycle)."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise BankError(["文件内容须为一个 JSON 对象"])
    if data.get("format") != FORMAT:
        problems.append(f"字段 format：须为“{FORMAT}”，现为“{data.get('format')}”")
    subject = data.get("subject")
    if not _text(subject):
        problems.append("字段 subject：缺少学科代码")
    elif subjects is not None and subject not in subjects:
        problems.append(f"字段 subject：本轮监测没有学科“{subject}”（可用 {'、'.join(subjects)}）")
    raw_items = data.get("items")
    items: dict[str, dict[str, Any]] = {}
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("字段 items：没有题目")
        raw_items = []
    if len(raw_items) > MAX_ITEMS:
        problems.append(f"字段 items：题目超过 {MAX_ITEMS} 道")
        raw_items = raw_items[:MAX_ITEMS]
    for i, item in enumerate(raw_items):
        where = _where(item, i)
        if not isinstance(item, Mapping):
            problems.append(f"{where}：须为 JSON 对象")
            continue
        ident = item.get("identifier")
        if not isinstance(ident, str) or not IDENT.match(ident):
            problems.append(f"{where}：字段 identifier：标识须以字母开头，只含字母、数字、_ . -（至多 40 个字符）")
            continue
        if ident in items:
            problems.append(f"{where}：字段 identifier：与前面的题目重复")
            continue
        if not _text(item.get("prompt")):
            problems.append(f"{where}：字段 prompt：缺少题干")
        if "onPaper" in item and not isinstance(item["onPaper"], bool):
            problems.append(f"{where}：字段 onPaper：须为 true 或 false")
        _check_interaction(where, item, problems)
        _check_media(where, item, problems, media)
        items[ident] = dict(item)
    forms: dict[int, list[str]] = {}
    raw_forms = data.get("forms")
    if not isinstance(raw_forms, list) or not raw_forms:
        problems.append("字段 forms：没有题本")
        raw_forms = []
    for k, form in enumerate(raw_forms):
        number = form.get("number") if isinstance(form, Mapping) else None
        where = f"题本 {number}" if isinstance(number, int) else f"第 {k + 1} 个题本"
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problems.append(f"{where}：字段 number：题本号须为正整数")
            continue
        if number in forms:
            problems.append(f"{where}：字段 number：题本号重复")
            continue
        if max_forms is not None and number > max_forms:
            problems.append(f"{where}：字段 number：本轮该学科只有 {max_forms} 套题本")
        listed = form.get("items")
        if not isinstance(listed, list) or not listed:
            problems.append(f"{where}：字段 items：题本没有题目")
            continue
        missing = [x for x in listed if x not in items]
        if missing:
            problems.append(f"{where}：字段 items：没有题目“{missing[0]}”")
        if len(set(map(str, listed))) != len(listed):
            problems.append(f"{where}：字段 items：同一题目出现两次")
        forms[number] = [str(x) for x in listed]
    if problems:
        raise BankError(problems)
    return Bank(str(subject), bool(data.get("example", False)), items, dict(sorted(forms.items())), dict(media or {}))


def read_bank_file(content: bytes, filename: str, **context: Any) -> Bank:
    """A bank from an uploaded `.json` or `.zip` (items.json + media/…), checked whole."""
    name = filename.lower()
    media: dict[str, bytes] | None = None
    if name.endswith(".zip"):
        raw, media = _read_zip(content)
    elif name.endswith(".json"):
        raw = content
    else:
        raise BankError(["文件须为 .json 或 .zip（items.json 与 media/ 文件夹）"])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BankError([f"items.json 不是有效的 JSON（{getattr(exc, 'lineno', '?')} 行）"]) from exc
    return check_bank(data, media=media, **context)


def _read_zip(content: bytes) -> tuple[bytes, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise BankError(["文件不是有效的 ZIP 压缩包"]) from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise BankError([f"压缩包文件过多（超过 {MAX_ZIP_ENTRIES} 个）"])
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise BankError(["压缩包解压后过大（超过 100 MB）"])
    raw: bytes | None = None
    media: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.filename == "items.json":
            raw = archive.read(info)
        elif MEDIA_HREF.match(info.filename):
            if info.file_size > MAX_MEDIA_BYTES:
                raise BankError([f"媒体文件 {info.filename} 超过 5 MB"])
            media[info.filename] = archive.read(info)
        else:
            raise BankError([f"压缩包中有不认识的文件 {info.filename}（只允许 items.json 与 media/ 下的文件）"])
    if raw is None:
        raise BankError(["压缩包中没有 items.json"])
    return raw, media


def bank_json(bank: Bank) -> dict[str, Any]:
    return {"format": FORMAT, "example": bank.example, "subject": bank.subject,
            "items": list(bank.items.values()),
            "forms": [{"number": n, "items": ids} for n, ids in bank.forms.items()]}


def write_bank_zip(bank: Bank) -> bytes:
    """The export: items.json and the media, read back by `read_bank_file`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("items.json", json.dumps(bank_json(bank), ensure_ascii=False, indent=1))
        for href, data in sorted(bank.media.items()):
            archive.writestr(href, data)
    return out.getvalue()


def public_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """What the student's screen may see: never the correct answer."""
    return {k: v for k, v in item.items() if k != "correct"}


def read_response(item: Mapping[str, Any], raw: Any) -> Any:
    """The stored value of a response to `item` from the posted value(s), or `ResponseError`.
    An empty response clears the item (None)."""
    if item.get("onPaper"):
        raise ResponseError("本题在答题卡上作答，不在计算机上保存")
    inter = item["interaction"]
    kind = inter["type"]
    if kind == recording_tasks.INTERACTION:
        raise ResponseError("录音题的录音在录音页上传，不在此保存")
    values = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if str(v).strip() != ""]
    if not values:
        return None
    if kind == "choiceInteraction":
        ids = [c["identifier"] for c in inter["choices"]]
        if any(v not in ids for v in values):
            raise ResponseError("选项不属于本题")
        if len(set(values)) != len(values):
            raise ResponseError("同一选项选了两次")
        most = int(inter.get("maxChoices", 1))
        if most == 1:
            if len(values) != 1:
                raise ResponseError("本题只能选一个选项")
            return values[0]
        if most and len(values) > most:
            raise ResponseError(f"本题最多选 {most} 项")
        return sorted(values, key=ids.index)
    if kind == "textEntryInteraction":
        text = values[0].strip()
        if len(text) > int(inter.get("expectedLength", 20)) * 4 or len(text) > TEXT_ENTRY_MAX:
            raise ResponseError("答案过长")
        return text
    if kind == "extendedTextInteraction":
        text = values[0].strip()
        if len(text) > EXTENDED_MAX:
            raise ResponseError(f"答案超过 {EXTENDED_MAX} 字")
        return text
    if kind == "orderInteraction":
        ids = [c["identifier"] for c in inter["choices"]]
        if sorted(values) != sorted(ids):
            raise ResponseError("排序须包含本题每个选项各一次")
        return values
    # matchInteraction: "source target" pairs
    sources = [s["identifier"] for s in inter["sources"]]
    targets = [t["identifier"] for t in inter["targets"]]
    pairs = []
    for v in values:
        parts = v.split()
        if len(parts) != 2 or parts[0] not in sources or parts[1] not in targets:
            raise ResponseError("连线不属于本题")
        pairs.append(f"{parts[0]} {parts[1]}")
    if len(set(pairs)) != len(pairs):
        raise ResponseError("同一连线出现两次")
    if len(pairs) > int(inter.get("maxAssociations", len(sources))):
        raise ResponseError("连线多于本题允许的数目")
    used = [p.split()[0] for p in pairs]
    if len(set(used)) != len(used):
        raise ResponseError("每个左侧项只能连一条线")
    return pairs
