"""The weights page (city, province, centre; scope-filtered) and the student weight file's
download (no-store, audited, pseudonymous unless the centre asks with a reason)."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiance.audit.models import AuditEntry
from jiance_core.commands.estimate import main as estimate
from tests.analysis.builders import Built, make_cycle
from tests.factories import World, client_for


def test_city_sees_its_counties_with_sums_against_the_frame(built: Built) -> None:
    page = client_for(built.city_user).get(reverse("analysis:weights", args=["primary"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert built.world.county_a.name in html and built.world.county_b.name in html
    assert "JK2" in html and "rep_" in html
    counties = page.context["result"].counties
    assert all(c.weighted == pytest.approx(c.frame_enrolment) for c in counties)
    assert client_for(built.city_user).get(reverse("analysis:home")).url == reverse("analysis:weights", args=["primary"])


def test_who_may_open_the_page(built: Built) -> None:
    assert client_for(built.county_user).get(reverse("analysis:weights", args=["primary"])).status_code == 403
    assert client_for(built.centre_user).get(reverse("analysis:weights", args=["primary"])).status_code == 200
    assert client_for(built.city_user).get(reverse("analysis:weights", args=["junior"])).status_code == 404
    other = client_for(built.other_city_user).get(reverse("analysis:weights", args=["primary"]))
    assert other.status_code == 200
    assert other.context["result"].counties == []  # another city's counties are not its business
    assert built.world.county_a.name not in other.content.decode()
    # a county of our city asked by the other city's user: 404
    assert client_for(built.other_city_user).get(
        reverse("analysis:weights", args=["primary"]) + f"?area={built.world.county_a.code}").status_code == 404


def test_download_is_pseudonymous_audited_and_read_by_jiance_estimate(built: Built, tmp_path: Path) -> None:
    ours = AuditEntry.objects.filter(object_type="analysis.weights")
    before = ours.count()
    response = client_for(built.city_user).get(reverse("analysis:download", args=["primary", "csv"]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    entry = ours.order_by("-pk").first()
    assert ours.count() == before + 1 and entry is not None
    assert entry.action == "export" and "化名" in entry.detail and entry.actor_id == built.city_user.pk
    path = tmp_path / "w.csv"
    path.write_bytes(response.content)
    frame = pl.read_csv(path)
    assert "name" not in frame.columns and "student_no" not in frame.columns
    assert frame["student_id"].str.starts_with("S").all() and frame["student_id"].n_unique() == frame.height
    names = {s.student.name for v in built.sampled.values() for s in v}
    assert not names & set(response.content.decode("utf-8-sig").split(","))
    assert {"school_base_weight", "school_nr_factor", "within_school_weight", "student_nr_factor",
            "trim_factor", "final_weight", "rep_1"} <= set(frame.columns)
    out = tmp_path / "out.csv"
    assert estimate(["--data", str(path), "--weight", "final_weight", "--replicates", "rep_", "--method", "jk2",
                     "--proportion", "sex", "--by", "county", "--out", str(out)]) == 0
    assert pl.read_csv(out).height == 2 * 3  # 2 levels × (overall + 2 counties)
    # the same ids in the parquet file; the XLSX opens
    parquet = client_for(built.city_user).get(reverse("analysis:download", args=["primary", "parquet"]))
    assert sorted(pl.read_parquet(io.BytesIO(parquet.content))["student_id"]) == sorted(frame["student_id"])
    xlsx = client_for(built.city_user).get(reverse("analysis:download", args=["primary", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == frame.height + 1
    assert client_for(built.city_user).get(reverse("analysis:download", args=["primary", "sav"])).status_code == 404


def test_identified_file_only_for_the_centre_with_a_reason(built: Built) -> None:
    url = reverse("analysis:download", args=["primary", "xlsx"])
    assert client_for(built.city_user).post(url, {"reason": "核对测试成绩"}).status_code == 403
    refused = client_for(built.centre_user).post(url, {"reason": ""})
    assert refused.status_code == 302  # back to the page with the reason asked for
    response = client_for(built.centre_user).post(url, {"reason": "核对成绩文件与名单"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "name" in header and "student_no" in header
    entry = AuditEntry.objects.filter(object_type="analysis.weights").order_by("-pk").first()
    assert entry is not None and entry.action == "view_personal"
    assert "实名" in entry.detail and "核对成绩文件与名单" in entry.detail


def test_a_county_drawn_with_the_v1_rule_is_marked_approximate(world: World) -> None:
    """A draw whose stored plan does not name the shortfall rule was made with v1; where it added
    schools, the page says the county's base weights are the v1 approximation."""
    from jiance.accounts.models import Role
    from tests.aftertest.builders import draw
    from tests.factories import make_user

    cycle = make_cycle()
    draw(cycle, world, [{"code": world.school_a1.code}, {"code": world.school_b1.code, "role": "added"}])
    city = make_user("nc_city", Role.CITY_ADMIN, world.city)
    page = client_for(city).get(reverse("analysis:weights", args=["primary"]))
    assert page.status_code == 200
    flagged = [c.code for c in page.context["result"].counties if c.approximate]
    assert flagged == [world.county_b.code]
    assert "旧版（v1）" in page.content.decode()
