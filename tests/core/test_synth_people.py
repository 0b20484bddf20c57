"""Synthetic students and teachers: valid IDs, plausible ages, the right stages."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from jiance_core.idcard import birth_date, plausible_birth_for_grade, sex, validate
from jiance_core.synth import (
    SynthCity,
    generate_names,
    nanchang_city,
    national_school_frame,
    students_for,
    teachers_for,
)
from jiance_core.synth.generate import STUDENT_COLUMNS, TEACHER_COLUMNS
from jiance_core.synth.names import SURNAMES

TEST_DATE = date(2027, 5, 20)
NANCHANG_REGIONS = {
    "360102", "360103", "360104", "360105", "360111", "360112", "360113", "360121", "360122",
    "360123", "360124",
}  # fmt: skip


@pytest.fixture(scope="module")
def city() -> SynthCity:
    return nanchang_city(5, test_date=TEST_DATE)


@pytest.fixture(scope="module")
def grade4(city: SynthCity) -> pl.DataFrame:
    return city.students(4)


@pytest.fixture(scope="module")
def grade8(city: SynthCity) -> pl.DataFrame:
    return city.students(8)


@pytest.fixture(scope="module")
def teachers(city: SynthCity) -> pl.DataFrame:
    return city.teachers()


def check_people(people: pl.DataFrame, today: date) -> None:
    assert people["id_number"].is_unique().all()
    for number, born, s in people.select("id_number", "birth_date", "sex").iter_rows():
        result = validate(number, today)
        assert result.ok, (number, result.reason)
        assert birth_date(number) == born
        assert sex(number) == s


def test_students_match_enrolment(
    city: SynthCity, grade4: pl.DataFrame, grade8: pl.DataFrame
) -> None:
    assert tuple(grade4.columns) == STUDENT_COLUMNS
    schools = city.schools
    for students, count, classes in (
        (grade4, "primary_students", "primary_classes"),
        (grade8, "junior_students", "junior_classes"),
    ):
        per_school = students.group_by("school_id").agg(
            n=pl.len(), classes=pl.col("class_no").max(), nos=pl.col("student_no").n_unique()
        )
        joined = schools.filter(pl.col(count) > 0).join(per_school, on="school_id", how="left")
        assert (joined["n"] == joined[count]).all()
        assert (joined["classes"] == joined[classes]).all()
        assert (joined["nos"] == joined["n"]).all()  # student numbers unique in a school
    # schools of a type have students only in the right stages
    types4 = set(
        schools.filter(pl.col("school_id").is_in(grade4["school_id"].unique().to_list()))[
            "school_type"
        ]
    )
    types8 = set(
        schools.filter(pl.col("school_id").is_in(grade8["school_id"].unique().to_list()))[
            "school_type"
        ]
    )
    assert types4 == {"小学", "九年一贯制", "十二年一贯制"}
    assert types8 <= {"初中", "九年一贯制", "十二年一贯制", "完全中学"}
    assert "完全中学" in types8 and "初中" in types8
    assert grade4["class_name"][0] == "四年级(1)班"


def test_student_ids_valid_and_local(grade4: pl.DataFrame, grade8: pl.DataFrame) -> None:
    for students in (grade4, grade8):
        check_people(students, TEST_DATE)
        assert set(students["id_number"].str.slice(0, 6)) <= NANCHANG_REGIONS
    both = pl.concat([grade4["id_number"], grade8["id_number"]])
    assert both.is_unique().all()


def test_student_birth_dates_fit_the_grade(grade4: pl.DataFrame, grade8: pl.DataFrame) -> None:
    for grade, students in ((4, grade4), (8, grade8)):
        reasons = [
            plausible_birth_for_grade(born, grade, TEST_DATE) for born in students["birth_date"]
        ]
        assert not [r for r in reasons if r is not None][:5]
        # most are the usual age: grade + 5 on 1 September 2026
        on_time = students.filter(
            pl.col("birth_date").is_between(
                date(2026 - grade - 6, 9, 2), date(2026 - grade - 5, 9, 1)
            )
        )
        assert 0.8 <= on_time.height / students.height <= 0.9
    share_male = (grade4["sex"] == "男").mean()
    assert 0.5 <= share_male <= 0.56  # type: ignore[operator]


def test_students_deterministic_and_independent_of_the_subset(
    city: SynthCity, grade4: pl.DataFrame
) -> None:
    some = city.schools.filter(pl.col("primary_students") > 0)["school_id"].to_list()[::50]
    alone = city.students(4, school_ids=some)
    from_all = grade4.filter(pl.col("school_id").is_in(some))
    cols = ["school_id", "class_no", "student_no", "name", "sex", "birth_date"]
    assert alone.select(cols).equals(from_all.select(cols))
    assert students_for(city.schools, 4, seed=5, test_date=TEST_DATE).equals(grade4)
    other = students_for(city.schools, 4, seed=6, test_date=TEST_DATE)
    assert other.height == grade4.height
    assert not other["name"].equals(grade4["name"])


def test_teachers(city: SynthCity, teachers: pl.DataFrame) -> None:
    assert tuple(teachers.columns) == TEACHER_COLUMNS
    check_people(teachers, TEST_DATE)
    assert teachers["teacher_no"].is_unique().all()
    schools = city.schools
    # one principal per school, every school staffed
    principals = teachers.filter(pl.col("role") == "校长")
    assert principals["school_id"].is_unique().all()
    assert set(principals["school_id"]) == set(schools["school_id"])
    assert teachers.filter(pl.col("role").is_in(["校长", "副校长"]))["grade"].is_null().all()
    # stages match the school type
    stages = teachers.join(schools.select("school_id", "school_type"), on="school_id")
    bad = stages.filter(
        ((pl.col("stage") == "小学") & pl.col("school_type").is_in(["初中", "完全中学"]))
        | ((pl.col("stage") == "初中") & (pl.col("school_type") == "小学"))
        | ((pl.col("stage") == "高中") & ~pl.col("school_type").is_in(["完全中学", "十二年一贯制"]))
    )
    assert bad.is_empty()
    # every school with a primary stage has a grade-4 head teacher, junior: grade 8
    g4_heads = set(
        teachers.filter((pl.col("grade") == 4) & (pl.col("role") == "班主任"))["school_id"]
    )
    assert g4_heads == set(schools.filter(pl.col("primary_students") > 0)["school_id"])
    g8 = set(teachers.filter(pl.col("grade") == 8)["school_id"])
    assert g8 == set(schools.filter(pl.col("junior_students") > 0)["school_id"])
    # head teachers teach Chinese, maths or English; roles are the four known
    heads = teachers.filter(pl.col("role") == "班主任")
    assert set(heads["subject"]) <= {"语文", "数学", "英语"}
    assert set(teachers["role"]) == {"校长", "副校长", "班主任", "任课教师"}
    ages = (TEST_DATE - teachers["birth_date"]).dt.total_days() / 365.25
    assert ages.min() >= 22 and ages.max() <= 60  # type: ignore[operator]
    same = teachers_for(schools.head(30), seed=5, today=TEST_DATE)
    assert same.select("teacher_no", "name").equals(
        teachers.filter(pl.col("school_id").is_in(schools.head(30)["school_id"].to_list())).select(
            "teacher_no", "name"
        )
    )


def test_people_for_national_schools() -> None:
    frame = national_school_frame(3)
    subset = frame.filter(pl.col("province") == "640000")  # Ningxia: a few hundred schools
    students = students_for(subset, 8, seed=3)
    assert students.height == subset["junior_students"].sum()
    check_people(students.head(5_000), TEST_DATE)
    assert (students["id_number"].str.slice(0, 6) == students["county"]).all()


def test_generate_names() -> None:
    rng = np.random.default_rng(1)
    male = rng.random(20_000) < 0.5
    names = generate_names(np.random.default_rng(2), male)
    again = generate_names(np.random.default_rng(2), male)
    assert names.equals(again)
    lengths = names.str.len_chars()
    assert lengths.min() >= 2 and lengths.max() <= 4  # type: ignore[operator]
    assert names.str.slice(0, 1).is_in(list({s[0] for s in SURNAMES})).all()
    top = names.str.slice(0, 1).value_counts(sort=True)["name"].head(5).to_list()
    assert set(top) <= {"王", "李", "张", "刘", "陈", "杨"}
