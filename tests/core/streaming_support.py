"""What the streaming tests share: a block budget that holds any test run whole, a preset over a chosen
window, and the arrays of a time-to-insight result that two runs must agree on."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import api
from core.analysis import insight
from core.mission.model import Mission

WHOLE_MB = "1000000"
"""``STARNET_BLOCK_MB`` that fits every test run in one block (the whole-array reference)."""


def preset_over(name: str, duration_s: float) -> tuple[Mission, Path]:
    """Preset ``name`` analysed over ``duration_s``, and its folder."""
    mission = api.load_preset(name)
    mission = mission.model_copy(update={"analysis": mission.analysis.model_copy(update={"duration_s": duration_s})})
    return mission, api.preset_path(name).parent


def insight_arrays(res: insight.InsightResult) -> dict[str, np.ndarray]:
    """Every per-capture and per-satellite array of ``res`` (and of its offloading, when it has one)."""
    out = {"ready": res.ready_s, "sat": res.sat, "traditional": res.traditional_s, "in_orbit": res.in_orbit_s,
           "processed": res.processed_s, "backlog_end": res.backlog_end_gbit, "backlog_peak": res.backlog_peak_gbit}
    if res.offloaded is not None:
        off = res.offloaded
        out |= {"off.in_orbit": off.in_orbit_s, "off.offloaded": off.offloaded, "off.src": off.plan_src,
                "off.helper": off.plan_helper, "off.bytes": off.plan_bytes, "off.hops": off.plan_hops}
    return out
