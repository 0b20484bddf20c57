from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def rate(p: Any, value: float | None, kind: str) -> str:
    """A rate as a percentage with 达标 / 未达标 against the cycle's threshold."""
    if value is None:
        return "—"
    ok = p.meets(value, kind)
    return format_html('{}% <span class="tag {}">{}</span>', f"{value * 100:.1f}", "ok" if ok else "owing",
                       _("达标") if ok else _("未达标"))


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
