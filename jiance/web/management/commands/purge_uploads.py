"""`jiance purge-uploads [--days N]`: delete kept uploads older than N days (run it daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jiance.apps_registry import kept_uploads
from jiance.retention import uploads_purge


class Command(BaseCommand):
    help = "删除超过保留期限的上传文件（预览与未通过的文件，含个人信息）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.UPLOAD_KEEP_DAYS,
                            help=f"保留天数（默认 {settings.UPLOAD_KEEP_DAYS}，环境变量 JIANCE_UPLOAD_KEEP_DAYS）")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = uploads_purge(keep_days=options["days"])
        labels = {k.key: k.label for k in kept_uploads()}
        for key, n in counts.items():
            self.stdout.write(f"{labels[key]}：删除 {n} 个")
