"""Which built-in presets the test suite analyses: those small enough to run in seconds.

Every preset is loaded, validated and round-tripped by the tests. Analysing one is another
matter: ``spacex-odc-1m`` (1,000,000 satellites) takes minutes and gigabytes even streamed,
so tests that *analyse* every preset (or fuzz every field of it) iterate
:data:`ANALYSED_PRESETS` instead of ``api.preset_names()``; the million-satellite run lives in
``benchmarks/scale.py``.
"""

from __future__ import annotations

from core import api
from core.mission.model import Mission
from core.orbits.shells import satellite_count

TEST_MAX_SATELLITES = 20_000
"""Largest preset (in satellites) the test suite analyses; larger ones run in benchmarks/."""


def preset_satellites(mission: Mission) -> int:
    """Satellites of a preset, counted from its entries (:func:`core.orbits.shells.satellite_count`: Walker shells are not built)."""
    return satellite_count(mission, None)


ANALYSED_PRESETS = [name for name in api.preset_names() if preset_satellites(api.load_preset(name)) <= TEST_MAX_SATELLITES]
"""The presets the suite analyses (every preset but the million-satellite one today)."""
