"""Uploads are checked by content: type, size, active PDF content; images lose their metadata."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jiance.documents.uploads import UploadRefused, inspect, pdf_active_content
from tests.documents import files


def test_a_renamed_exe_is_refused_whatever_its_name() -> None:
    with pytest.raises(UploadRefused, match="文件内容不是"):
        inspect("盖章扫描件.pdf", files.exe(), "scan")


@override_settings(JIANCE_DOCUMENT_MAX_MB=1)
def test_an_oversized_file_is_refused() -> None:
    big = files.pdf(b"%" + b"x" * (1024 * 1024 + 10))
    with pytest.raises(UploadRefused, match="文件过大"):
        inspect("scan.pdf", big, "scan")


@pytest.mark.parametrize("data", [files.pdf_with_js(), files.pdf_with_hidden_js()], ids=["plain", "object-stream"])
def test_a_pdf_with_javascript_is_refused(data: bytes) -> None:
    with pytest.raises(UploadRefused, match="脚本"):
        inspect("scan.pdf", data, "scan")


def test_image_bytes_that_spell_a_name_are_not_active_content() -> None:
    assert pdf_active_content(files.pdf_with_js_bytes_in_image()) == ""
    assert inspect("scan.pdf", files.pdf_with_js_bytes_in_image(), "scan").ext == "pdf"


def test_a_jpeg_loses_its_metadata_and_gets_a_thumbnail() -> None:
    raw = files.jpeg_with_exif()
    assert b"SecretCam" in raw
    checked = inspect("photo.JPG", raw, "photo")
    assert checked.ext == "jpg" and checked.filename == "photo.jpg"
    assert b"SecretCam" not in checked.data and b"Exif" not in checked.data
    assert checked.thumbnail is not None and checked.thumbnail.startswith(b"\x89PNG")


def test_docx_is_recognised_by_content_and_macros_are_refused() -> None:
    assert inspect("细则.bin", files.docx(), "document").filename == "细则.docx"
    with pytest.raises(UploadRefused, match="宏"):
        inspect("细则.docx", files.docx(macro=True), "document")
    with pytest.raises(UploadRefused, match="文件内容不是"):
        inspect("细则.docx", files.docx(), "scan")  # a scan is PDF/JPEG/PNG only


def test_a_real_pdf_gets_its_first_page_as_thumbnail() -> None:
    from jiance.apps_registry import DocumentTable
    from jiance.documents.printing import table_pdf

    pdf = table_pdf(DocumentTable(title="表", header=("a", "b"), rows=(("1", "2"),)), cycle_name="周期")
    checked = inspect("t.pdf", pdf, "scan")
    assert checked.thumbnail is not None and checked.thumbnail.startswith(b"\x89PNG")


def test_the_printed_table_keeps_a_formula_as_text() -> None:
    import io

    import openpyxl

    from jiance.apps_registry import DocumentTable
    from jiance.documents.printing import table_xlsx

    data = table_xlsx(DocumentTable(title="表", header=("项目", "内容"), rows=(("说明", '=HYPERLINK("http://x")'),)),
                      cycle_name="周期")
    values = [c for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in values
