"""Deterministic synthetic data: units, schools, teachers, students (see :mod:`.generate`)."""

from __future__ import annotations

from jiance_core.synth.generate import (
    AFFILIATIONS,
    AREAS,
    DEFAULT_TEST_DATE,
    SCHOOL_COLUMNS,
    SCHOOL_TYPES,
    UNIT_COLUMNS,
    NationalHierarchy,
    SynthCity,
    nanchang_city,
    national_hierarchy,
    national_school_frame,
    students_for,
    teachers_for,
)
from jiance_core.synth.names import generate_names

__all__ = [
    "AFFILIATIONS",
    "AREAS",
    "DEFAULT_TEST_DATE",
    "SCHOOL_COLUMNS",
    "SCHOOL_TYPES",
    "UNIT_COLUMNS",
    "NationalHierarchy",
    "SynthCity",
    "generate_names",
    "nanchang_city",
    "national_hierarchy",
    "national_school_frame",
    "students_for",
    "teachers_for",
]
