"""Access-walk parameters of the units app."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("token", missing="0" * 32)
def import_token(school: Unit) -> str:
    """Kept import files are bound to the uploader's session, never to a unit's branch: any
    well-formed token that this session did not upload must answer 404."""
    return f"{school.pk:032x}"
