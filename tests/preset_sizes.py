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

TEST_MAX_SATELLITES = 20_000
"""Largest preset (in satellites) the test suite analyses; larger ones run in benchmarks/."""


def preset_satellites(mission: Mission) -> int:
    """Satellites of a mission's Walker, cluster and custom entries (from the file, nothing built); imported sets count as one."""
    total = 0
    for entry in mission.constellations:
        if entry.cluster is not None:
            total += entry.cluster.satellites
        elif entry.satellites:
            total += len(entry.satellites)
        elif entry.planes and entry.sats_per_plane:
            total += entry.planes * entry.sats_per_plane
        elif entry.walker:  # "i:t/p/f" shorthand alone
            total += int(entry.walker.split(":")[1].split("/")[0])
        else:  # a TLE/OMM set: the presets import a handful of satellites
            total += 1
    return total


ANALYSED_PRESETS = [name for name in api.preset_names() if preset_satellites(api.load_preset(name)) <= TEST_MAX_SATELLITES]
"""The presets the suite analyses (every preset but the million-satellite one today)."""
