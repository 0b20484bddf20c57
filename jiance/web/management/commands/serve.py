from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站（开发服务器，SQLite 演示用）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        # The demo runs with DEBUG off (the platform's own error pages, no debug pages listing
        # URL patterns), so the development server must be told to serve the static files.
        call_command("runserver", options["addr"], use_reloader=False, insecure_serving=not settings.DEBUG)
