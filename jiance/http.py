"""HTTP helpers every app shares: the one way a file leaves the platform.

Every download is `Cache-Control: no-store, private`: most files the platform serves hold personal
data (rosters, sampled students, accounts with initial passwords), and a template that does not
costs nothing to refetch, so one rule for all keeps a new export from forgetting it. The filename
follows RFC 6266 (`filename*=UTF-8''…`, with an ASCII fallback), so Chinese names survive every
browser. Auditing the export stays with the service that knows what was exported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import TypeVar

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header

R = TypeVar("R", HttpResponse, StreamingHttpResponse)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    ".xlsx": XLSX,
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
    ".json": "application/json",
    ".png": "image/png",
}


def download(content: bytes, filename: str, *, content_type: str | None = None, inline: bool = False) -> HttpResponse:
    """A file as an attachment, never cached (see the module docstring); `inline` for what the page
    itself plays or shows (a recording in an <audio> element), with the same headers otherwise."""
    kind = content_type or CONTENT_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")
    return _attachment(HttpResponse(content, content_type=kind), filename, inline=inline)


def download_stream(chunks: Iterable[bytes], filename: str, *, content_type: str | None = None) -> StreamingHttpResponse:
    """`download` for a large file written as it is read (a CSV of many rows): same headers."""
    kind = content_type or CONTENT_TYPES.get(PurePath(filename).suffix.lower(), "application/octet-stream")
    return _attachment(StreamingHttpResponse(chunks, content_type=kind), filename)


def _attachment(response: R, filename: str, *, inline: bool = False) -> R:
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


# The CSP addition of a page that scans barcodes with the vendored ZXing WebAssembly reader
# (static/jiance/vendor/barcode-detector, used where the browser has no BarcodeDetector).
WASM_CSP = {"script-src": ["'wasm-unsafe-eval'"]}
