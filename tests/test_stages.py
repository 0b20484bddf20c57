"""Stage names: pages follow the user's language, documents and audit details stay Chinese."""

from __future__ import annotations

from django.utils import translation

from jiance.stages import Stage, stage_label, stage_name


def test_page_label_follows_the_language() -> None:
    with translation.override("zh-hans"):
        assert stage_label("primary") == "小学" and stage_label("junior") == "初中"
    with translation.override("en"):
        assert stage_label("primary") == "Primary" and stage_label("junior") == "Junior secondary"


def test_document_name_is_chinese_in_every_language() -> None:
    with translation.override("en"):
        assert stage_name("primary") == "小学" and stage_name(Stage.JUNIOR) == "初中"


def test_unknown_codes_pass_through() -> None:
    assert stage_label("senior") == "senior" and stage_name("senior") == "senior"
