"""Access-walk parameters of the cycles app: the edit page of every section."""

from __future__ import annotations

from jiance.units.models import Unit
from tests.access.registry import param


@param("section", missing="no-such-section", shared=True)
def cycle_section(school: Unit) -> list[str]:
    """Sections are parts of a programme-wide cycle, the same for every branch: walk each one."""
    from jiance.cycles.sections import SECTIONS

    return list(SECTIONS)
