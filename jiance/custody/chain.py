"""The hash chain of a county's custody ledger: appending a link and verifying the chain (the
pattern of the published sample's chain, `jiance.sampling.services.draw_verify`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiance.custody.models import LedgerEntry, LedgerHead


def append(**values: Any) -> LedgerEntry:
    """Append one entry to the chain of (cycle, county): lock the head, number the entry, link
    it to the previous hash, store it and move the head. Call inside `transaction.atomic`."""
    assert transaction.get_connection().in_atomic_block
    cycle, county = values["cycle"], values["county"]
    LedgerHead.objects.get_or_create(cycle=cycle, county=county)
    head = LedgerHead.objects.select_for_update().get(cycle=cycle, county=county)
    entry = LedgerEntry(sequence=head.sequence + 1, prev_hash=head.hash, **values)
    entry.hash = entry.compute_hash()
    entry.save()
    LedgerHead.objects.filter(pk=head.pk).update(sequence=entry.sequence, hash=entry.hash)
    return entry


@dataclass
class Verification:
    ok: bool
    entries: int
    stored_hash: str
    computed_hash: str
    problems: list[str] = field(default_factory=list)


def verify(*, cycle: Any, county: Any) -> Verification:
    """Recompute the chain from the stored rows: each entry's hash covers its content and the
    previous hash, sequences run 1, 2, 3… without a gap, and the last hash is the stored head.
    A row changed, removed or inserted behind the model's back fails."""
    head = LedgerHead.objects.filter(cycle=cycle, county=county).first()
    stored = head.hash if head else ""
    problems: list[str] = []
    prev = ""
    n = 0
    rows = LedgerEntry.objects.filter(cycle=cycle, county=county).order_by("sequence", "pk").iterator(chunk_size=500)
    for n, entry in enumerate(rows, start=1):
        label = _("第 %(n)s 条（%(step)s）") % {"n": n, "step": entry.get_step_display()}
        if entry.sequence != n:
            problems.append(_("%(label)s：序号应为 %(n)s，记录为 %(seq)s（有记录被删除或插入）。") % {
                "label": label, "n": n, "seq": entry.sequence})
        if entry.prev_hash != prev:
            problems.append(_("%(label)s：所接的上一校验码与链条不符。") % {"label": label})
        computed = entry.compute_hash()
        if computed != entry.hash:
            problems.append(_("%(label)s：记录内容（时间、箱号、人员、封条号或说明）在登记后被改动。") % {"label": label})
        prev = computed  # our own link: a stored hash cannot vouch for itself
    if head is not None and head.sequence != n:
        problems.append(_("链条末端记录为第 %(head)s 条，实有 %(n)s 条。") % {"head": head.sequence, "n": n})
    if prev != stored:
        problems.append(_("账本末端校验码与逐条计算的结果不一致。"))
    return Verification(not problems, n, stored, prev, problems)
