from __future__ import annotations

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """No tables: the abstract review models and the shared review templates."""

    name = "jiance.review"
    verbose_name = "审核"
