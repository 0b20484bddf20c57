"""Reading out-of-band swaps (hx-swap-oob) from an htmx response in view tests."""

from __future__ import annotations

import re

_VERSION = re.compile(
    r'<input type="hidden" name="version" value="(\d+)" data-page-version '
    r'hx-swap-oob="outerHTML:input\[data-page-version\]">'
)


def _in_template_after_a_row(body: str, at: int) -> None:
    """After a table row the parser is in table mode (a form is torn apart, other elements moved):
    out-of-band parts of such an answer must sit in a <template>, which htmx swaps from."""
    if body.lstrip().startswith("<tr"):
        assert body.rfind("<template>", 0, at) > body.rfind("</template>", 0, at), "out-of-band part outside <template>"


def oob_version(body: str) -> int:
    """The record version the response swaps into every version input of the page."""
    found = list(_VERSION.finditer(body))
    assert len(found) == 1, f"expected one out-of-band version input, found {len(found)}"
    _in_template_after_a_row(body, found[0].start())
    return int(found[0].group(1))


def oob_part(body: str, element_id: str) -> str:
    """The response from the out-of-band element `element_id` on (it must be swapped by id)."""
    marker = f'id="{element_id}" hx-swap-oob="true"'
    assert body.count(marker) == 1, f"no out-of-band #{element_id} in the response"
    _in_template_after_a_row(body, body.index(marker))
    return body[body.index(marker):]


def page_versions(body: str) -> list[int]:
    """The version of every form of a whole page (each form that changes the record posts one)."""
    return [int(v) for v in re.findall(r'name="version" value="(\d+)" data-page-version', body)]
