"""URL parameters of jiance.cbt routes for the access walk. The test room and session are the
proctoring walk's (`test_room_id`, `session`); a seat number, a subject code and a media file
name are the cycle's vocabulary, the same for every branch (the objects behind them are reached
only through the scoped room or the signed-in student)."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("seat", missing="99", shared=True)
def seat(school: Unit) -> str:
    return "1"


@param("subject", missing="no-such-subject", shared=True)
def subject(school: Unit) -> str:
    return "math"


@param("media", missing="missing.png", shared=True)
def media(school: Unit) -> str:
    return "fig1.svg"
