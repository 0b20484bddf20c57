"""Deterministic synthetic data: units, schools, teachers, students.

Public API (the DataFrame columns are documented in :mod:`jiance_core.synth.generate`)::

    nanchang_city(seed, *, test_date=DEFAULT_TEST_DATE) -> SynthCity
        .units      江西省 → 南昌市 → its 12 county-level units (UNIT_COLUMNS)
        .schools    ~1,200 schools (SCHOOL_COLUMNS)
        .counties() the 12 county rows of .units
        .students(grade, school_ids=None) / .teachers(school_ids=None)
    national_hierarchy(seed) -> NationalHierarchy(.units, .schools, .timings)
    national_school_frame(seed) -> pl.DataFrame          # ~210,000 schools, SCHOOL_COLUMNS
    students_for(schools, grade, seed, *, test_date=...) -> pl.DataFrame   # STUDENT_COLUMNS
    teachers_for(schools, seed, *, today=...) -> pl.DataFrame              # TEACHER_COLUMNS
    generate_names(rng, male, generation="child") -> pl.Series

Same seed, same data; Nanchang inside the national hierarchy equals ``nanchang_city(seed)``.
"""

from __future__ import annotations

from jiance_core.synth.generate import (
    AFFILIATIONS,
    AREAS,
    DEFAULT_TEST_DATE,
    NATIONAL_SCHOOL_TARGET,
    SCHOOL_COLUMNS,
    SCHOOL_TYPES,
    STUDENT_COLUMNS,
    TEACHER_COLUMNS,
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
    "NATIONAL_SCHOOL_TARGET",
    "SCHOOL_COLUMNS",
    "SCHOOL_TYPES",
    "STUDENT_COLUMNS",
    "TEACHER_COLUMNS",
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
