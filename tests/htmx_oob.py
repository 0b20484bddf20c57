"""Reading out-of-band swaps (hx-swap-oob) from an htmx response in view tests."""

from __future__ import annotations

import re

_VERSION = re.compile(
    r'<input type="hidden" name="version" value="(\d+)" data-page-version '
    r'hx-swap-oob="outerHTML:input\[data-page-version\]">'
)


def oob_version(body: str) -> int:
    """The record version the response swaps into every version input of the page."""
    found = _VERSION.findall(body)
    assert len(found) == 1, f"expected one out-of-band version input, found {len(found)}"
    return int(found[0])


def oob_part(body: str, element_id: str) -> str:
    """The response from the out-of-band element `element_id` on (it must be swapped by id)."""
    marker = f'id="{element_id}" hx-swap-oob="true"'
    assert body.count(marker) == 1, f"no out-of-band #{element_id} in the response"
    return body[body.index(marker):]


def page_versions(body: str) -> list[int]:
    """The version of every form of a whole page (each form that changes the record posts one)."""
    return [int(v) for v in re.findall(r'name="version" value="(\d+)" data-page-version', body)]
