"""The web side of the sheet reader: the missing columns a whole-file error names."""

from __future__ import annotations

from jiance.spreadsheets import missing_columns


def test_missing_columns_from_the_readers_sentences() -> None:
    assert missing_columns(["缺少列：学校类型、办学性质"]) == ["学校类型", "办学性质"]  # the shared reader
    # the roster checker: one error per column, with the English alias; once each, in order
    assert missing_columns(["缺少列 姓名（或 name）", "缺少列 身份证号（或 national_id）", "缺少列 姓名（或 name）"]) \
        == ["姓名", "身份证号"]
    assert missing_columns(["第 3 行：学号重复", "文件中没有数据行"]) == []
