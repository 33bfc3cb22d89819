"""The streamed pipeline (issue 17): results equal to the whole-array run, whatever the blocks or executor.

``STARNET_BLOCK_MB`` sets the block budget: a tiny one forces many blocks of epochs (coverage,
access) and of satellites (power); a huge one gives a single block, i.e. the whole arrays.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core import api
from core.analysis import access as access_mod
from core.analysis import power as power_mod
from core.analysis.pipeline import results_document, run_analysis
from core.mission.io import loads_mission
from core.orbits import estimate
from core.orbits.blocks import BLOCK_BUDGET_ENV, epoch_blocks, satellite_blocks
from core.orbits.ephemeris import build_ephemeris
from tests.core.streaming_support import WHOLE_MB, preset_over

TINY_MB = "0.02"


def _document(results) -> str:
    doc = results_document(results)
    doc.pop("timings_s")
    return json.dumps(doc, sort_keys=True)


def _arrays(results) -> dict[str, np.ndarray]:
    out = {"coverage.percent": results.coverage.percent_covered, "coverage.gap": results.coverage.cell_max_gap_s,
           "power.illumination": results.power.illumination,
           "delivered.soc": results.compute.delivered.soc if results.compute.delivered is not None else np.zeros(0)}
    if results.access is not None:
        out.update({"access.aos": results.access.window_aos_s, "access.los": results.access.window_los_s,
                    "access.track": results.access.window_track_start_s, "access.mask": results.access.in_contact,
                    "access.next": results.access.time_to_next_contact_s})
    return out


def _assert_same(streamed, whole) -> None:
    assert _document(streamed) == _document(whole)
    a, b = _arrays(streamed), _arrays(whole)
    for key in b:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("name, duration_s", [("default", 5400.0), ("starlink-shell-1", 1800.0), ("suncatcher", 5400.0)])
def test_streamed_run_equals_the_whole_array_run(name, duration_s, monkeypatch):
    mission, folder = preset_over(name, duration_s)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    whole = run_analysis(mission, folder)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    n_sat, n_time = whole.ephemeris.n_sat, whole.ephemeris.n_time
    assert len(epoch_blocks(n_sat, n_time, 72)) > 3  # the tiny budget really splits the run
    streamed = run_analysis(mission, folder)
    _assert_same(streamed, whole)


def test_blocks_on_an_executor_equal_the_in_process_run(monkeypatch):
    from core.study.run import InlineExecutor

    mission, folder = preset_over("default", 5400.0)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    whole = run_analysis(mission, folder)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    executor = InlineExecutor()
    on_executor = run_analysis(mission, folder, executor=executor)
    assert executor._submitted > 10  # the streamed stages ran their blocks as tasks
    _assert_same(on_executor, whole)
    # a task rebuilds the mission's own run: an ephemeris on another grid is refused, not silently replaced
    from core.analysis.coverage import compute_coverage

    with pytest.raises(ValueError, match="coverage: executor tasks rebuild the mission's own grid"):
        compute_coverage(mission, whole.ephemeris.window(0, 10), executor=executor, base_dir=folder)


ONE_STATION = """
schema_version: 1
name: passes across blocks
epoch: "2026-03-20T00:00:00Z"
analysis: {duration_s: 21600, step_s: 60}
constellations:
  - {name: s, walker: "53:40/8/1", altitude_km: 550}
ground_stations:
  - {name: Madrid, lat_deg: 40.4, lon_deg: -3.7, min_elevation_deg: 10, antennas: 2}
  - {name: Svalbard, lat_deg: 78.2, lon_deg: 15.4, min_elevation_deg: 5}
"""


def test_access_windows_spanning_block_boundaries_are_joined_exactly(monkeypatch):
    mission = loads_mission(ONE_STATION)
    eph = build_ephemeris(mission, lazy=True)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    whole = access_mod.compute_access(mission, eph)
    # irregular blocks, one and two epochs among them, straight through the events' halo
    stations = list(mission.ground_stations)
    site, up = access_mod.station_geometry(stations)
    el = np.array([s.min_elevation_deg for s in stations])
    cuts = [0, 1, 3, 4, 17, 18, 60, 61, 62, 200, eph.n_time - 2, eph.n_time - 1, eph.n_time]
    parts = []
    for t0, t1 in zip(cuts[:-1], cuts[1:]):
        h0, h1 = access_mod.halo(t0, t1, eph.n_time)
        parts.append(access_mod.block_events(eph.window(h0, h1).r_ecef_km, h0, t0, t1, eph.time.offsets_s, site, up, el))
    win, mask = access_mod.windows_from_events(parts, eph.n_time)
    np.testing.assert_array_equal(win.aos_s, whole.window_aos_s)
    np.testing.assert_array_equal(win.los_s, whole.window_los_s)
    np.testing.assert_array_equal(win.sat, whole.window_sat)
    np.testing.assert_array_equal(mask.bits.unpack(), whole.in_contact)
    np.testing.assert_array_equal(mask.count, whole.satellites_in_contact)
    # with one-epoch blocks every pass spans many blocks: windows, schedule and figures unchanged
    monkeypatch.setenv(BLOCK_BUDGET_ENV, "0.001")
    assert len(epoch_blocks(eph.n_sat, eph.n_time, access_mod.access_block_bytes(2))) == eph.n_time
    streamed = access_mod.compute_access(mission, eph)
    step = eph.time.step_s
    assert np.sum(whole.window_los_s - whole.window_aos_s > 3 * step) > 10  # passes of several epochs
    for key in ("window_aos_s", "window_los_s", "window_track_start_s", "window_aos_cut", "window_los_cut",
                "passes", "contact_s", "max_gap_s", "downlink_gbit", "served_fraction", "time_to_next_contact_s"):
        np.testing.assert_array_equal(getattr(streamed, key), getattr(whole, key), err_msg=key)
    assert streamed.to_json() == whole.to_json()


SHADOWS = """
schema_version: 1
name: two shadow models
epoch: "2026-06-01T00:00:00Z"
analysis: {duration_s: 10800, step_s: 60}
constellations:
  - {name: a, walker: "53:24/4/1", altitude_km: 550}
  - {name: b, walker: "97.6:12/3/1", altitude_km: 700, bus: conical}
buses:
  conical: {shadow_model: conical}
"""


def test_power_on_satellite_subsets_equals_the_whole_shells(monkeypatch):
    mission = loads_mission(SHADOWS)
    eph = build_ephemeris(mission, lazy=True)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    whole = power_mod.compute_power(mission, eph, year_days=30.0)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, "0.05")
    blocks = satellite_blocks(0, 24, eph.n_time, power_mod.POWER_BYTES_PER_SAT_EPOCH)
    assert 4 <= len(blocks) < 24 and blocks[-1][1] == 24  # several satellites a block, over every epoch
    streamed = power_mod.compute_power(mission, eph, year_days=30.0)
    np.testing.assert_array_equal(streamed.illumination, whole.illumination)
    np.testing.assert_array_equal(streamed.sunlit, whole.sunlit)
    assert streamed.to_json() == whole.to_json()
    penumbra = whole.illumination[24:]
    assert np.any((penumbra > 0) & (penumbra < 1))  # the conical shell's blocks carry penumbra values
    # a subset's illumination is the rows of the whole one (any split, across the shell boundary too)
    np.testing.assert_array_equal(power_mod.illumination_block(eph.subset(20, 30), "cylindrical")[:4],
                                  whole.illumination[20:24])


def test_the_streamed_estimate_counts_results_not_the_whole_arrays():
    n_sat, n_time = 100_000, 1441
    whole = estimate.run_bytes(n_sat, n_time)
    streamed = estimate.streamed_run_bytes(n_sat, n_time, n_station=3, n_linked_sat=n_sat, coverage_cells=64_800)
    assert streamed.total < 0.6 * whole
    assert streamed.smallest_block == n_sat * estimate.BLOCK_BYTES_PER_SAT_EPOCH
    # what the results keep grows with satellites x epochs: half the epochs, about half the results
    half = estimate.streamed_run_bytes(n_sat, n_time // 2 + 1, n_station=3, n_linked_sat=n_sat, coverage_cells=64_800)
    cells = 64_800 * estimate.BYTES_PER_COVERAGE_CELL  # the coverage grid's share does not grow with them
    assert half.kept - cells == pytest.approx((streamed.kept - cells) / 2, rel=0.01)
    # the service stage streams: its places' per-epoch scratch grows with satellites x places, not with epochs
    with_service = estimate.streamed_run_bytes(n_sat, n_time, n_service_place=50)
    assert with_service.smallest_block == n_sat * (estimate.BLOCK_BYTES_PER_SAT_EPOCH + estimate.SERVICE_BYTES_PER_SAT
                                                   + 50 * estimate.SERVICE_BYTES_PER_PLACE_SAT)
    assert estimate.streamed_run_bytes(n_sat, 2 * n_time, n_service_place=50).smallest_block == with_service.smallest_block


def test_a_streamed_run_that_cannot_fit_is_refused_with_what_to_change(tmp_path, capsys, monkeypatch):
    from core.cli import main

    monkeypatch.setattr(estimate, "available_bytes", lambda: 320 * 1024**2)
    doc = api.mission_to_dict(api.load_preset("default"))
    doc.setdefault("analysis", {})["step_s"] = 1.0  # 60 satellites x 86,401 epochs: the engine, 35 MB of frames and the results
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc))
    code = main(["analyze", str(path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "big.json: analysis.step_s: the run needs about" in err and "0.3 GiB of memory available" in err
    for hint in ("analysis.step_s", "analysis.duration_s", "analysis.coverage_grid_deg", "--scheduler"):
        assert hint in err, err


CHILD = """
import json, resource, sys
from core import api
from core.analysis import (access, cluster, compute, cost, coverage, delivered, insight, latency, optical, power,
                           radiation, service, topology, traffic, training)
from core.analysis.pipeline import results_document, run_analysis
from core.orbits import estimate

mission = api.loads_mission(sys.argv[1])
n_sat, n_time, budget = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (used + budget, resource.RLIM_INFINITY))  # what `ulimit -v` sets
print(json.dumps({"have": estimate.available_bytes(), "whole": estimate.run_bytes(n_sat, n_time)}), flush=True)
doc = results_document(run_analysis(mission))
print(json.dumps({"satellites": doc["mission"]["satellites"], "coverage": doc["coverage"]["mean_percent"]}))
"""


def test_a_run_too_big_for_whole_arrays_completes_streamed_under_ulimit(tmp_path):
    """Under an address-space limit (``ulimit -v``) a run the whole-array estimate refuses completes by streaming."""
    n_sat, n_time = 2000, 1441
    mission_text = textwrap.dedent(f"""
        schema_version: 1
        name: under ulimit
        epoch: "2026-03-20T00:00:00Z"
        analysis: {{duration_s: {(n_time - 1) * 60}, step_s: 60, coverage_grid_deg: 5}}
        constellations:
          - {{name: w, walker: "53:{n_sat}/40/1", altitude_km: 550}}
        """)
    whole = estimate.run_bytes(n_sat, n_time)
    streamed = estimate.streamed_run_bytes(n_sat, n_time, 0, 0, 36 * 72).total
    assert streamed < whole - 200 * 1024**2  # 2.9 million satellite-epochs: 120 bytes each whole, under 1 kept streamed
    budget = (whole + streamed) // 2
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    root = Path(__file__).parents[2]
    env = dict(os.environ, MALLOC_ARENA_MAX="2", OMP_NUM_THREADS="1", PYTHONPATH=str(root))
    env.pop(BLOCK_BUDGET_ENV, None)
    out = subprocess.run([sys.executable, str(script), mission_text, str(n_sat), str(n_time), str(budget)],
                         capture_output=True, text=True, cwd=root, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    first, last = (json.loads(line) for line in out.stdout.strip().splitlines()[-2:])
    assert first["whole"] > first["have"]  # the whole-array run would have been refused here
    assert last["satellites"] == n_sat and last["coverage"] > 0
