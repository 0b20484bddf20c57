"""URL parameters of jiance.questionnaires routes for the access walk.

`qcode` and `number` name a questionnaire of the active cycle and one of its versions: programme
data, the same for every branch (the pages check the person's role on the cycle). `token` is a
parent's single-use link: the bearer credential itself, not unit data — whoever holds it answers as
that parent, so there is no "foreign" token to compare; a wrong token answers like a missing one."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("qcode", missing="no-such-questionnaire", shared=True)
def questionnaire_code(school: Unit) -> str:
    return "principal"


@param("number", missing="999", shared=True)
def version_number(school: Unit) -> str:
    return "1"


@param("token", missing="no-such-token-000000000000000000", shared=True)
def parent_token(school: Unit) -> str:
    return "no-such-token-000000000000000000"
