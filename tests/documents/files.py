"""Files for upload tests, made here (no fixtures on disk)."""

from __future__ import annotations

import io
import zipfile
import zlib

from PIL import Image


def pdf(body: bytes = b"") -> bytes:
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + body
            + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def pdf_with_js() -> bytes:
    return pdf(b"3 0 obj\n<< /Type /Action /S /JavaScript /JS (app.alert('x')) >>\nendobj\n")


def pdf_with_hidden_js() -> bytes:
    """The action dictionary inside a compressed object stream, its name hex-escaped."""
    packed = zlib.compress(b"<< /S /J#61vaScript /J#53 (app.launchURL('http://x')) >>")
    return pdf(b"4 0 obj\n<< /Type /ObjStm /N 1 /First 0 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
               + packed + b"\nendstream\nendobj\n")


def pdf_with_js_bytes_in_image() -> bytes:
    """A scan whose image data happens to spell /JS: not active content."""
    data = b"\x00\x01/JS \x02" * 10
    return pdf(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length %d >>\nstream\n" % len(data)
               + data + b"\nendstream\nendobj\n")


def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "GPS-LEAKING-SOFTWARE"  # Software
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def docx(macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        if macro:
            z.writestr("word/vbaProject.bin", b"\x00" * 10)
    return out.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
