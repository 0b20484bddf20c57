"""Test rooms as the school reports them, the fixed seat plan, and the report phone numbers
of the notice board (SPEC §5, seed 003)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiance.stages import stage_label
from jiance_core.rooms import ComputerRoom as CoreComputerRoom


class TestdayError(ValueError):
    """A refused operation, with the reason in Chinese for the user."""

    __test__ = False  # not a pytest class


class Orientation(models.TextChoices):
    FRONT = "front", _("面朝讲台（横向S型编号）")
    SIDEWAYS = "sideways", _("侧对讲台（竖向S型编号）")


class RoomKind(models.TextChoices):
    PAPER = "paper", _("纸笔")
    COMPUTER = "computer", _("计算机")


class ComputerRoom(models.Model):
    """A networked computer lab the school offers for the test."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("机房名称"), max_length=50)
    pcs = models.PositiveIntegerField(_("联网计算机台数"))
    orientation = models.CharField(_("学生朝向"), max_length=10, choices=Orientation.choices,
                                   default=Orientation.FRONT)
    columns = models.PositiveSmallIntegerField(_("每排台数"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("计算机教室")
        verbose_name_plural = _("计算机教室")
        ordering = ["school__path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school", "name"], name="unique_computer_room_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.pcs} 台）"

    @property
    def unit(self) -> Any:
        return self.school

    def as_core(self) -> CoreComputerRoom:
        return CoreComputerRoom(self.name, int(self.pcs), self.orientation, self.columns or None)  # type: ignore[arg-type]


class TestRoom(models.Model):
    """One test room (监测室) of a school in a cycle, numbered per stage."""

    __test__ = False  # not a pytest class

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("学段"), max_length=8)
    number = models.PositiveSmallIntegerField(_("监测室号"))
    kind = models.CharField(_("类型"), max_length=10, choices=RoomKind.choices)
    computer_room = models.ForeignKey(ComputerRoom, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="test_rooms")
    computer_room_name = models.CharField(_("机房"), max_length=50, blank=True)
    students = models.PositiveSmallIntegerField(_("学生数"))
    rows = models.PositiveSmallIntegerField(_("行数"))
    columns = models.PositiveSmallIntegerField(_("列数"))
    pattern = models.CharField(_("编号方式"), max_length=10)
    created_at = models.DateTimeField(_("编排时间"))

    class Meta:
        verbose_name = _("监测室")
        verbose_name_plural = _("监测室")
        ordering = ["school__path", "stage", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "school", "stage", "number"], name="unique_test_room"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Any:
        return self.school

    @property
    def name(self) -> str:
        return f"第{self.number}监测室"

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage)


class Seat(models.Model):
    """One desk or PC of a test room. The plan is fixed: an absent student keeps the seat
    (marked absent, left empty on the day); nobody is moved or substituted."""

    room = models.ForeignKey(TestRoom, on_delete=models.CASCADE, related_name="seats")
    seat = models.PositiveSmallIntegerField(_("座位号"))
    row = models.PositiveSmallIntegerField(_("行"))
    column = models.PositiveSmallIntegerField(_("列"))
    student = models.OneToOneField("rosters.Student", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="seat")
    booklets = models.JSONField(_("题本"), default=dict)
    """subject name -> booklet (and answer-card) form number."""
    absent = models.BooleanField(_("缺考"), default=False)

    class Meta:
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        ordering = ["room", "seat"]
        constraints = [models.UniqueConstraint(fields=["room", "seat"], name="unique_seat_number")]

    def __str__(self) -> str:
        return f"{self.room_id}:{self.seat:02d}"

    @property
    def unit(self) -> Any:
        return self.room.school

    @property
    def seat_label(self) -> str:
        return f"{self.seat:02d}"


class ReportPhone(models.Model):
    """A supervision / report phone line (监督、举报电话) a county (or city…) publishes on the
    notice boards of its sample schools for one cycle."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("名称"), max_length=100)
    number = models.CharField(_("电话"), max_length=100)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("举报电话")
        verbose_name_plural = _("举报电话")
        ordering = ["unit__path", "pk"]

    def __str__(self) -> str:
        return f"{self.label}：{self.number}"
