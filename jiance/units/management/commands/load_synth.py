"""jiance load-synth --scale national|city --seed N"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiance.units.services import LoadError, units_load_synth


class Command(BaseCommand):
    help = "载入合成的行政层级与学校（national：全国约 2,850 个县级单位、21 万所学校；city：南昌市）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["national", "city"], default="city")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = units_load_synth(scale=opts["scale"], seed=opts["seed"])
        except LoadError as exc:
            raise CommandError(f"载入失败：{exc}") from exc
        counts = "，".join(f"{k} {v:,}" for k, v in result.counts.items())
        self.stdout.write(
            f"已载入 {result.total:,} 个单位（{counts}）：生成 {result.seconds_generate:.1f} 秒，"
            f"计算路径 {result.seconds_prepare:.1f} 秒，写入 {result.seconds_insert:.1f} 秒"
        )
