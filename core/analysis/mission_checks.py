"""The engine's checks of a mission: what the document model alone cannot see.

:func:`engine_problems` is the ``extra_check`` every full load passes to
:func:`core.mission.io.load_mission` (``core.api.load_mission``, the trade-study and design
candidates, the split coverage run), so a file the engine would reject is rejected on load
with its field paths, the same way everywhere.
"""

from __future__ import annotations

from core.mission.errors import Problem
from core.mission.model import Mission
from core.orbits.checks import orbit_problems


def engine_problems(mission: Mission) -> list[Problem]:
    """Problems only the engine can see: orbit physics, cluster geometry, a coverage region with no cell."""
    problems = orbit_problems(mission)
    region = mission.analysis.region
    if region is not None:
        from core.analysis.grid import make_grid

        try:
            make_grid(float(mission.analysis.coverage_grid_deg), region)
        except ValueError as exc:
            problems.append(Problem("analysis.region", str(exc)))
    return problems
