"""Scoring of objective items against the bank's `correct` (plain Python).

One point per item, all or nothing: a single choice equals the key; a multiple response is the
same set; a text entry equals one of the accepted answers (trimmed, spaces collapsed, case and
full-width forms ignored); an order is the same sequence; a match is the same set of pairs. An
unanswered item scores 0. Items without `correct`, extended text and items answered on paper are
not scored here (None): they are marked by people from the answer cards."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any


def _norm(text: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def scorable(item: Mapping[str, Any]) -> bool:
    return bool(item.get("correct")) and not item.get("onPaper") and \
        item["interaction"]["type"] != "extendedTextInteraction"


def score(item: Mapping[str, Any], value: Any) -> int | None:
    """1 or 0 for a scorable item (None when the item is not scored on screen)."""
    if not scorable(item):
        return None
    if value in (None, "", []):
        return 0
    key = [str(k) for k in item["correct"]]
    kind = item["interaction"]["type"]
    given = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if kind == "choiceInteraction":
        return int(sorted(given) == sorted(key))
    if kind == "textEntryInteraction":
        return int(_norm(given[0]) in {_norm(k) for k in key})
    if kind == "orderInteraction":
        return int(given == key)
    if kind == "matchInteraction":
        return int({_norm(g) for g in given} == {_norm(k) for k in key})
    return None


def shown(value: Any) -> str:
    """A response as one cell: choices and pairs joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
