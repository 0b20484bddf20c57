"""The compiled questionnaire versions, kept per process (issue 12's save throughput).

A `FormVersion` never changes once written (a later edit is a new version), so its compiled form
and its question map can be kept for the life of the process, keyed by the version's id and hash
(the caller has both from the response's row): a save reads them from here instead of loading and
decoding the form's JSON on every request. The store is
bounded (the least recently used version goes first) and holds nothing personal."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from jiance_core.questionnaires.answers import question_map

KEEP = 64  # versions per process (a cycle has about ten questionnaires)


@dataclass(frozen=True)
class Compiled:
    pk: int
    sha256: str
    form: dict[str, Any]
    questions: dict[str, dict[str, Any]]


_store: OrderedDict[tuple[int, str], Compiled] = OrderedDict()
_lock = threading.Lock()


def compiled(version_id: int, sha256: str) -> Compiled:
    """The version's compiled form (from the process's store, else one query)."""
    key = (version_id, sha256)
    with _lock:
        found = _store.get(key)
        if found is not None:
            _store.move_to_end(key)
            return found
    from jiance.questionnaires.models import FormVersion

    form = FormVersion.objects.values_list("form", flat=True).get(pk=version_id, sha256=sha256)
    made = Compiled(version_id, sha256, form, question_map(form))
    with _lock:
        _store[key] = made
        while len(_store) > KEEP:
            _store.popitem(last=False)
    return made
