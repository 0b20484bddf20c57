"""Scheduling core for the test day: student sampling, test rooms, seats and booklets.

* :mod:`jiance_core.rooms.students` — equal-probability sampling of students per school, weights.
* :mod:`jiance_core.rooms.rooms` — paper and computer test rooms of a school.
* :mod:`jiance_core.rooms.seating` — seat numbering (vertical / horizontal S) and fixed seat plans.
* :mod:`jiance_core.rooms.booklets` — booklet / answer-card forms dealt by seat number.

Plain Python (numpy, polars); no Django.
"""

from __future__ import annotations

from jiance_core.rooms.booklets import (
    BookletForm,
    SubjectForms,
    booklet_form,
    deal,
    subjects_with_forms,
)
from jiance_core.rooms.rooms import (
    ComputerRoom,
    Room,
    RoomPlan,
    cycle_room_settings,
    plan_rooms,
    seat_students,
    split_evenly,
)
from jiance_core.rooms.seating import (
    RoomLayout,
    SeatedStudent,
    SeatPlan,
    paper_layout,
    seat_positions,
)
from jiance_core.rooms.students import sample_size, sample_students, school_rng

__all__ = [
    "BookletForm",
    "ComputerRoom",
    "Room",
    "RoomLayout",
    "RoomPlan",
    "SeatPlan",
    "SeatedStudent",
    "SubjectForms",
    "booklet_form",
    "cycle_room_settings",
    "deal",
    "paper_layout",
    "plan_rooms",
    "sample_size",
    "sample_students",
    "school_rng",
    "seat_positions",
    "seat_students",
    "split_evenly",
    "subjects_with_forms",
]
