from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Implementation documents (实施材料): each level submits inside the cycle's windows, the
    level above reviews (SPEC §10, [002] 实施材料提交及审核清单)."""

    name = "jiance.documents"
    verbose_name = "实施材料"
