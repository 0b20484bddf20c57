"""URL parameters of jiance.recordings routes for the access walk. The test room and seat are
cbt's and proctoring's (`test_room_id`, `seat`); a task identifier and a SHA-256 are the cycle's
vocabulary and the browser's digest, the same for every branch (the student's routes reach
objects only through the signed-in delivery). `recording_id` is a recording of the school's
branch: the walk's world has no computer test, so the factory names an id that no branch holds
(own, foreign and missing answer alike: 404); the permission on a real recording is tested in
tests/recordings/test_views.py."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param

ID_BASE = 88_000_000


@param("task", missing="NO-SUCH-TASK", shared=True)
def task(school: Unit) -> str:
    return "R-SPK-01"


@param("sha256", missing="f" * 64, shared=True)
def sha256(school: Unit) -> str:
    return "0" * 64


@param("recording_id", missing="999999999")
def recording_id(school: Unit) -> str:
    return str(ID_BASE + school.pk)
