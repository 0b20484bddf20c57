"""The committed English catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "jiance" / "locale" / "en" / "LC_MESSAGES"


def _unquote(chunk: str) -> str:
    return "".join(
        bytes(m, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for m in re.findall(r'"((?:[^"\\]|\\.)*)"', chunk)
    )


def po_entries() -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for every entry but the header."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m:
            continue
        msgid = _unquote(m.group(1))
        if not msgid:
            continue
        strs = [_unquote(s) for s in re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', block, re.M)]
        entries.append((msgid, strs, "#, fuzzy" in block))
    return entries


def test_every_message_is_translated() -> None:
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert not untranslated, untranslated[:20]


def test_compiled_catalogue_matches_the_po() -> None:
    with (LOCALE / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    stale = [
        msgid for msgid, strs, _ in po_entries()
        if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]
    ]
    assert not stale, stale[:20]


def test_english_reads_like_english() -> None:
    """No Chinese in the English text, except quoted values a user must type as they are
    (“男”, a sheet name): the spreadsheets keep their Chinese values in every language."""
    han = re.compile(r"[\u4e00-\u9fff]")
    quoted = re.compile(r"“[^”]*”")
    leaks = [strs for _, strs, _ in po_entries() if any(han.search(quoted.sub("", s)) for s in strs)]
    assert not leaks, leaks[:10]
