"""The score set of a cycle and stage (issue 14). The weights are not stored: they are computed
from the platform's records when asked (build.py).

A score set is the centre's score file matched to the sampled students, kept as **one encrypted
Parquet file** (`KeptFile.sealed`): a row per matched student (``student_pk`` and the score
columns as uploaded). Not a table of rows: a national stage has about 200,000 students with 10–50
score columns each (5 plausible values per subject, item scores); the reports always read every
column of a whole county or city at once, which one Parquet read does in well under a second,
where 200,000 × 30 database values would cost minutes to insert and a pivot to read back. The
score columns found (subjects, plausible values, levels) are kept in clear beside it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.kept import KeptFile


class ScoreSet(KeptFile):
    """The scores of one cycle and stage; a new upload replaces the previous one whole."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("学段"), max_length=8)
    source_name = models.CharField(_("上传的文件"), max_length=200)
    source_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("成绩行数"), default=0)
    missing = models.PositiveIntegerField(_("无成绩的样本学生"), default=0)
    subjects = models.JSONField(_("学科"), default=dict)  # subject → {"kind": "pv"|"scale", "columns": [...]}
    columns = models.JSONField(_("列"), default=list)

    class Meta:
        verbose_name = _("成绩数据")
        constraints = [models.UniqueConstraint(fields=["cycle", "stage"], name="analysis_scoreset_one_per_stage")]
