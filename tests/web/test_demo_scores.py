"""The demo after the test has a full cycle's worth of data for 南昌市 (after-test reports and
synthetic scores), so its reports show results."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.urls import reverse

from jiance import clock
from jiance.accounts.models import User
from jiance.accounts.scoping import Scope
from jiance.analysis.models import ScoreSet
from jiance.analysis.report import report_build
from jiance.cycles.models import Cycle, CycleStatus
from jiance.units.models import Level, Unit
from jiance.web.services import demo_build

pytestmark = pytest.mark.django_db


def test_demo_after_the_test_has_scores_and_reports_for_the_city() -> None:
    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        demo_build(seed=2022, today=dt.date(2026, 11, 23), phase="after")
        sets = {s.stage: s for s in ScoreSet.objects.all()}
        assert set(sets) == {"primary", "junior"}
        assert all(s.rows > 1000 and set(s.subjects) == {"语文", "数学"} for s in sets.values())
        admin = User.objects.get(username="nanchang.admin")
        city = Unit.objects.get(level=Level.CITY)
        cycle = Cycle.objects.get(status=CycleStatus.ACTIVE)
        started = time.perf_counter()
        report = report_build(scope=Scope(admin), cycle=cycle, unit=city, stage="primary")
        print(f"city report: {time.perf_counter() - started:.2f} s")
        assert len(report.participation) == Unit.objects.filter(parent=city, level=Level.COUNTY).count()
        assert all(p.participating > 0 for p in report.participation)
        maths = next(s for s in report.subjects if s.subject == "数学")
        assert maths.mean.shown and 430 < maths.mean.value < 570 and 0 < maths.mean.se < 20
        assert [s.subject for s in report.subjects] == ["语文", "数学"]  # the cycle's order, on either database
        chinese = report.subjects[0]
        girls = next(d for d in chinese.differences if d.variable == "性别")  # 语文: girls +12
        assert girls.value > 0
        client = Client()
        client.force_login(User.objects.get(username="ncx.admin") if User.objects.filter(username="ncx.admin").exists()
                           else admin)
        county = Unit.objects.get(code="360121")
        page = client.get(reverse("analysis:report", args=["primary", county.code]))
        assert page.status_code == 200 and "各学科结果" in page.content.decode()
