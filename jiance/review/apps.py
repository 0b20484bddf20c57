from __future__ import annotations

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """The abstract review models, the shared review templates, and one table: the data each
    approval saw (`snapshots.ReviewSnapshot`)."""

    name = "jiance.review"
    verbose_name = "审核"
