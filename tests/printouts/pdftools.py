"""Reading PDFs in tests with poppler-utils (pypdf is not installed)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path


def is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


def pages(content: bytes) -> int:
    """Page count from pdfinfo, cross-checked against the /Type /Page objects."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert count == len(re.findall(rb"/Type\s*/Page(?![s\w])", content))
    return count


def text(content: bytes, *, page: int | None = None, raw: bool = False) -> str:
    """The text of a PDF (or one page): laid out like the page, or in drawing order (`raw`)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.pdf"
        path.write_bytes(content)
        args = ["pdftotext", "-raw" if raw else "-layout"]
        if page is not None:
            args += ["-f", str(page), "-l", str(page)]
        subprocess.run([*args, str(path), str(path.with_suffix(".txt"))], check=True)
        return path.with_suffix(".txt").read_text("utf-8")


def squash(s: str) -> str:
    """Text without whitespace (CJK text extracted from tables may be spaced out)."""
    return re.sub(r"\s+", "", s)
