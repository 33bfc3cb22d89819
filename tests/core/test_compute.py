"""Compute sizing against hand computations (core.analysis.compute)."""

import pytest

from core.analysis import compute
from core.mission.io import loads_mission

MISSION = """
schema_version: 1
name: compute test
epoch: "2026-03-20T00:00:00Z"
analysis: {duration_s: 3600, step_s: 60}
constellations:
  - {name: light, walker: "53:24/4/1", altitude_km: 550}
  - {name: heavy, walker: "97:12/3/1", altitude_km: 600, bus: heavy}
buses:
  default: {compute_hardware: jetson-agx-orin-64gb, compute_units: 2, sensor_rate_mbps: 800, sensor_duty: 0.3}
  heavy: {compute_hardware: jetson-agx-orin-64gb, compute_units: 1, sensor_rate_mbps: 8000, sensor_duty: 0.5,
          compute_idle_power: true}
workload: {ops_per_byte: 100000, capture_s: 60}
"""


@pytest.fixture(scope="module")
def result():
    return compute.size_compute(loads_mission(MISSION))


def test_required_tops_utilisation_and_pops(result):
    light, heavy = result.shells
    # 800 Mbit/s = 1e8 B/s x 0.3 x 1e5 ops/B = 3e12 ops/s = 3 TOPS
    assert light.required_tops_per_satellite == pytest.approx(3.0)
    assert light.tops_per_satellite == pytest.approx(550.0)
    assert light.utilization == pytest.approx(3.0 / 550.0)
    assert light.constellation_pops == pytest.approx(550.0 * 24 / 1000)
    assert light.compute_power_w == pytest.approx(60.0 * 2 * 3.0 / 550.0)
    assert not light.compute_short
    # 8000 Mbit/s = 1e9 B/s x 0.5 x 1e5 = 50 TOPS needed of 275: not short
    assert heavy.required_tops_per_satellite == pytest.approx(50.0)
    # with idle power: busy 60 W x u + idle 15 W x (1 - u)
    u = 50.0 / 275.0
    assert heavy.compute_power_w == pytest.approx(60.0 * u + 15.0 * (1 - u))


def test_short_compute_clips_utilisation_and_needs_storage():
    m = loads_mission(MISSION.replace("ops_per_byte: 100000", "ops_per_byte: 1000000"))
    heavy = compute.size_compute(m).shells[1]
    # 500 TOPS needed, 275 available
    assert heavy.required_tops_per_satellite == pytest.approx(500.0)
    assert heavy.utilization == 1.0 and heavy.compute_short
    # backlog: (5e8 - 2.75e8) B/s over 3600 s + one 60 s capture of 1e9 B/s
    expected_tb = ((5e8 - 275e12 / 1e6) * 3600 + 1e9 * 60) / 1e12
    assert heavy.storage_tb_needed == pytest.approx(expected_tb)
    j = compute.size_compute(m).to_json()[1]
    for key in ("shell", "tops_per_satellite", "constellation_pops", "required_tops_per_satellite", "utilization",
                "storage_tb_needed", "hardware", "power_w"):
        assert key in j


def test_utilisation_edge_cases():
    assert compute.utilization(0.0, 0.0) == 0.0
    assert compute.utilization(1.0, 0.0) == 1.0
    assert compute.utilization(5.0, 10.0) == 0.5
