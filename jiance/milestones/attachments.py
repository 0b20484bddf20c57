"""The evidence file of a task marked done by hand: PDF, JPEG or PNG, recognised by its content
(the first bytes), never by its name; capped in size; a PDF that carries JavaScript or launches
actions is refused. Anything else is refused with a Chinese message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MAGIC = (
    (b"%PDF-", "pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", ".png"),
    (b"\xff\xd8\xff", "jpeg", ".jpg"),
)
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}
# Active content in a PDF: scripts, actions run on opening, launched programs, embedded files.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|RichMedia)\b")


class AttachmentRefused(ValueError):
    pass


@dataclass(frozen=True)
class Attachment:
    content: bytes
    name: str
    kind: str  # pdf | png | jpeg


def max_bytes() -> int:
    return int(getattr(settings, "JIANCE_MILESTONE_ATTACHMENT_MB", 10)) * 1024 * 1024


def check_attachment(content: bytes, filename: str) -> Attachment:
    """The file as an `Attachment`, or `AttachmentRefused` saying why."""
    limit = max_bytes()
    if not content:
        raise AttachmentRefused(_("附件是空文件"))
    if len(content) > limit:
        raise AttachmentRefused(_("附件不能超过 %(mb)d MB") % {"mb": limit // (1024 * 1024)})
    for magic, kind, suffix in MAGIC:
        if content.startswith(magic):
            if kind == "pdf" and PDF_ACTIVE.search(content):
                raise AttachmentRefused(_("PDF 文件含有脚本或自动执行的动作，不能上传；请重新导出为普通 PDF"))
            stem = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", filename.rsplit(".", 1)[0])[:100] or "附件"
            return Attachment(content, stem + suffix, kind)
    raise AttachmentRefused(_("附件只能是 PDF、JPEG 或 PNG 文件（按文件内容判断，与扩展名无关）"))
