"""The two school stages a cycle tests, named once.

`stage_label` is for pages (in the user's language); `stage_name` is the Chinese name used in
documents, file names, audit details and stored explanations, which stay Chinese in every language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

STAGE_NAMES = {"primary": "小学", "junior": "初中"}


class Stage(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")


def stage_name(stage: str) -> str:
    """The stage's Chinese name (documents, files, audit log); unknown codes pass through."""
    return STAGE_NAMES.get(stage, stage)


def stage_label(stage: str) -> str:
    """The stage's name in the user's language (pages); unknown codes pass through."""
    return str(Stage(stage).label) if stage in Stage.values else stage
