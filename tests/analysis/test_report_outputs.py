"""The report's HTML page, PDF and XLSX: who may open which report, and the scan that every
output describes without ranking: no school named, counties only in code order, no ranking
words, charts with CJK labels — the questionnaire indicators' section included."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiance.audit.models import AuditEntry
from jiance.units.models import Level, Unit
from tests.analysis.builders import Built, add_student_answers, built_with_scores
from tests.factories import World, client_for
from tests.printouts.pdftools import is_pdf, squash
from tests.printouts.pdftools import text as pdf_text

RANKING = re.compile(r"(?<!不)(排名|名次|排序|排行|第[一二三四五六七八九十\d]+名|前\d+名|最好的|最差的|领先|落后)")


@pytest.fixture
def built(world: World) -> Built:
    b = built_with_scores(world)
    add_student_answers(b)
    return b


def _outputs(client: Client, code: str) -> dict[str, str]:
    """Every output of a report as text: HTML (tags stripped), PDF text, every XLSX cell."""
    page = client.get(reverse("analysis:report", args=["primary", code]))
    assert page.status_code == 200
    body = page.content.decode()
    html = re.sub(r"<[^>]+>", " ", body[body.index("<main"):body.index("</main>")])
    pdf = client.get(reverse("analysis:report_file", args=["primary", code, "pdf"]))
    assert pdf.status_code == 200 and is_pdf(pdf.content) and "no-store" in pdf["Cache-Control"]
    xlsx = client.get(reverse("analysis:report_file", args=["primary", code, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    cells = "\n".join(" ".join("" if v is None else str(v) for v in row)
                      for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
    assert "问卷指标" in wb.sheetnames and wb.sheetnames.index("问卷指标") == len(wb.sheetnames) - 2  # before 技术说明
    return {"html": html, "pdf": squash(pdf_text(pdf.content, raw=True)), "xlsx": cells}


def _scan(outputs: dict[str, str], counties: list[Unit], own: Unit) -> None:
    schools = list(Unit.objects.filter(level=Level.SCHOOL).values_list("name", flat=True))
    assert schools
    for kind, text in outputs.items():
        flat = squash(text)
        named = [s for s in schools if squash(s) in flat]
        assert not named, f"{kind} names schools {named[:3]}"
        assert not RANKING.search(flat), f"{kind}: {RANKING.search(flat)}"
        # counties appear in code order only (the participation table): never ordered by a result
        where = sorted((m.start(), c.code) for c in counties if c != own for m in re.finditer(squash(c.name), flat))
        codes = [code for _at, code in where]
        assert codes == sorted(codes), f"{kind}: counties out of code order {codes}"


def test_city_report_outputs_never_rank_and_never_name_schools(built: Built) -> None:
    client = client_for(built.city_user)
    counties = [built.world.county_a, built.world.county_b]
    outputs = _outputs(client, built.world.city.code)
    assert "数学" in outputs["pdf"] and "参测情况" in outputs["pdf"] and "技术说明" in outputs["pdf"]
    assert "JK2" in outputs["xlsx"] and "Rubin" in outputs["html"]
    for kind, text in outputs.items():  # the questionnaire section, with its labels and numbers
        flat = squash(text)
        assert all(squash(s) in flat for s in ("问卷指标", "你平时和谁一起生活？", "父母双方", "名参测学生提交了问卷",
                                                "按最终权重加权估计", "性别：女", "我喜欢我们学校")), kind
    _scan(outputs, counties, built.world.city)
    page = client.get(reverse("analysis:report", args=["primary", built.world.city.code])).content.decode()
    assert "学业水平分布" in page and "优秀" in page  # charts, CJK labels
    # 2 histograms + 2 level bars + a bar chart per select_one indicator (住校, 和谁生活, 作业时间)
    assert page.count("<svg") == 7 and page.count('id="report-indicator-') == 8
    section = page[page.index('id="questionnaire-indicators"'):]
    assert "按权重" in section and re.search(r"\d+\.\d%", section)
    # the section describes the city as one population: no county or school in it, nothing ranked
    section = section[:section.index("技术说明")]
    assert not any(u.name in section for u in Unit.objects.filter(level__in=(Level.COUNTY, Level.SCHOOL)))
    assert not RANKING.search(re.sub(r"<[^>]+>", " ", section))
    assert AuditEntry.objects.filter(object_type="analysis.report").count() == 2


def test_county_report_and_who_may_see_it(built: Built) -> None:
    county = built.world.county_a
    county_client = client_for(built.county_user)
    _scan(_outputs(county_client, county.code), [county, built.world.county_b], county)
    assert county_client.get(reverse("analysis:report", args=["primary", built.world.county_b.code])).status_code == 404
    assert county_client.get(reverse("analysis:report", args=["primary", built.world.city.code])).status_code == 404
    city = client_for(built.city_user)
    assert city.get(reverse("analysis:report", args=["primary", county.code])).status_code == 200
    index = city.get(reverse("analysis:reports")).content.decode()
    assert county.name in index and built.world.county_b.name in index
    assert client_for(built.other_city_user).get(reverse("analysis:report", args=["primary", county.code])).status_code == 404
    assert client_for(built.centre_user).get(reverse("analysis:report", args=["primary", county.code])).status_code == 200
    assert city.get(reverse("analysis:report_file", args=["primary", county.code, "doc"])).status_code == 404


def test_the_scan_catches_a_league_table() -> None:
    class U:
        def __init__(self, code: str, name: str) -> None:
            self.code, self.name = code, name

    a, b = U("360121", "南昌县"), U("360124", "进贤县")
    with pytest.raises(AssertionError, match="code order"):
        _scan_counties_only({"html": "进贤县 512.3 南昌县 498.1"}, [a, b])
    with pytest.raises(AssertionError):
        assert not RANKING.search("南昌县排名第一")
    assert not RANKING.search("不排名排队")


def _scan_counties_only(outputs: dict[str, str], counties: list) -> None:  # type: ignore[type-arg]
    for kind, text in outputs.items():
        flat = squash(text)
        where = sorted((m.start(), c.code) for c in counties for m in re.finditer(squash(c.name), flat))
        codes = [code for _at, code in where]
        assert codes == sorted(codes), f"{kind}: counties out of code order {codes}"
