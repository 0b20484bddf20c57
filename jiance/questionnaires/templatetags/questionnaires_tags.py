from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """mapping[key], or None (answers by question name in the templates)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
