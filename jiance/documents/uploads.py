"""Uploaded files are untrusted: what a file is comes from its content, never its name.

`inspect(name, data, purpose)` accepts a PDF, a JPEG, a PNG or a DOCX (a zip holding
word/document.xml, without macros), as far as the purpose allows, under the size cap
(`JIANCE_DOCUMENT_MAX_MB`). Images are decoded and re-encoded, which drops their metadata (EXIF
with the camera's GPS position, comments); a PDF carrying JavaScript or a launch action is
refused. Everything else is refused with a Chinese message. It also draws the preview thumbnail:
an image's own, a PDF's first page through `pdftoppm` (with a timeout), or none.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import tempfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

THUMB_PX = 240
PDFTOPPM_TIMEOUT_S = 10
MAX_IMAGE_PIXELS = 60_000_000  # a 7000 x 8500 scan; above it a decompression bomb is assumed
ALLOWED: dict[str, tuple[str, ...]] = {
    "scan": ("pdf", "jpg", "png"),
    "document": ("docx", "pdf"),
    "photo": ("jpg", "png"),
}
EXT_LABELS = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "docx": "Word（DOCX）"}
# Names in a PDF that run code or other programs when the file is opened.
PDF_ACTIVE = (b"/JS", b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class UploadRefused(ValueError):
    """The file is not accepted; the message says why, in Chinese."""


@dataclass(frozen=True)
class Checked:
    ext: str
    data: bytes  # what is stored: the upload, or the re-encoded image
    thumbnail: bytes | None
    sha256: str
    filename: str  # the uploaded name, its extension set to what the content is


def max_bytes() -> int:
    return int(getattr(settings, "JIANCE_DOCUMENT_MAX_MB", 20)) * 1024 * 1024


def sniff(data: bytes) -> str:
    """The type by the first bytes: pdf, jpg, png, zip, or ""."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    return ""


def _docx(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UploadRefused(_("文件已损坏，无法作为 Word 文档读取")) from exc
    if len(names) > 2000:
        raise UploadRefused(_("Word 文档结构异常（部件过多），不予接收"))
    if "word/document.xml" not in names:
        raise UploadRefused(_("压缩文件不是 Word 文档（DOCX），不予接收"))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused(_("Word 文档含有宏，不予接收；请另存为不含宏的 DOCX 或 PDF 后上传"))


def pdf_active_content(data: bytes) -> str:
    """The first name of active content in the PDF ("" if none): in the file's own text (stream
    bodies left out: an image's bytes may spell anything), with #xx escapes in names decoded, and
    inside its compressed object streams (/ObjStm), where dictionaries may hide."""
    def scan(chunk: bytes) -> str:
        chunk = NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)
        for name in PDF_ACTIVE:
            if re.search(re.escape(name) + rb"(?![A-Za-z0-9])", chunk):
                return name.decode()
        return ""

    found = scan(STREAM.sub(b"stream\nendstream", data))
    if found:
        return found
    budget = 8 * max_bytes()  # unpacked bytes scanned in all (a deflate bomb stops here)
    for m in STREAM.finditer(data):
        head = NAME_ESCAPE.sub(lambda h: bytes([int(h.group(1), 16)]), data[max(0, m.start() - 400):m.start()])
        if b"/ObjStm" not in head[head.rfind(b"obj"):]:
            continue
        if budget <= 0:
            return "/ObjStm"  # too much packed content to check: refuse rather than guess
        try:
            out = zlib.decompressobj().decompress(m.group(1), budget)
        except zlib.error:
            continue
        budget -= len(out)
        found = scan(out)
        if found:
            return found
    return ""


def _image(data: bytes, ext: str) -> tuple[bytes, bytes]:
    """The image re-encoded without its metadata (turned upright first), and its thumbnail."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(_("图片像素过大，请缩小后再上传"))
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                if upright.mode not in ("RGB", "L") and ext == "jpg":
                    upright = upright.convert("RGB")
                if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    upright = upright.convert("RGBA")
                clean = Image.new(upright.mode, upright.size)
                clean.paste(upright)  # pixels only: no EXIF, XMP, ICC comments or text chunks
                out = io.BytesIO()
                if ext == "jpg":
                    clean.save(out, "JPEG", quality=90, optimize=True)
                else:
                    clean.save(out, "PNG", optimize=True)
                return out.getvalue(), _thumb(clean)
    except UploadRefused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(_("图片已损坏或格式不受支持，无法读取")) from exc


def _thumb(img: Image.Image) -> bytes:
    small = img.copy()
    small.thumbnail((THUMB_PX, THUMB_PX))
    if small.mode not in ("RGB", "RGBA", "L"):
        small = small.convert("RGBA")
    out = io.BytesIO()
    small.save(out, "PNG")
    return out.getvalue()


_THUMBS: dict[str, bytes | None] = {}  # by the PDF's SHA-256: the same file is drawn once


def pdf_thumbnail(data: bytes) -> bytes | None:
    """The first page as a PNG thumbnail (pdftoppm, time-limited); None when it cannot be drawn."""
    key = hashlib.sha256(data).hexdigest()
    if key not in _THUMBS:
        if len(_THUMBS) > 64:
            _THUMBS.clear()
        _THUMBS[key] = _draw_pdf(data)
    return _THUMBS[key]


def _draw_pdf(data: bytes) -> bytes | None:
    try:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "in.pdf"
            src.write_bytes(data)
            subprocess.run(
                ["pdftoppm", "-png", "-f", "1", "-l", "1", "-scale-to", str(THUMB_PX), "-singlefile",
                 str(src), str(Path(tmp) / "out")],
                check=True, timeout=PDFTOPPM_TIMEOUT_S, capture_output=True,
            )
            png = (Path(tmp) / "out.png").read_bytes()
    except (OSError, subprocess.SubprocessError):
        return None
    return png or None


def inspect(name: str, data: bytes, purpose: str) -> Checked:
    allowed = ALLOWED[purpose]
    wanted = "、".join(EXT_LABELS[e] for e in allowed)
    if not data:
        raise UploadRefused(_("文件是空的"))
    if len(data) > max_bytes():
        raise UploadRefused(_("文件过大（%(size).1f MB），不能超过 %(max)s MB")
                            % {"size": len(data) / 1024 / 1024, "max": max_bytes() // 1024 // 1024})
    kind = sniff(data)
    if kind == "zip":
        _docx(data)
        kind = "docx"
    if kind not in allowed:
        raise UploadRefused(_("文件内容不是 %(wanted)s 文件（不看扩展名，按内容识别），不予接收") % {"wanted": wanted})
    thumb: bytes | None = None
    if kind == "pdf":
        active = pdf_active_content(data)
        if active:
            raise UploadRefused(_("PDF 文件含有脚本或自动执行的内容（%(name)s），不予接收；请重新扫描或打印为 PDF 后上传")
                                % {"name": active})
        thumb = pdf_thumbnail(data)
    elif kind in ("jpg", "png"):
        data, thumb = _image(data, kind)
    stem = PurePath(name or "").stem.strip()[:150] or _("文件")
    return Checked(ext=kind, data=data, thumbnail=thumb, sha256=hashlib.sha256(data).hexdigest(),
                   filename=f"{stem}.{kind}")
