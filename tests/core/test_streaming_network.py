"""The network analyses streamed over blocks of epochs give the whole run's results.

Each analysis (links, optical budgets, latency routing, traffic, training) is run three ways
on the same mission: in one block (a large ``STARNET_BLOCK_MB``), in many small blocks (a
tiny budget, so a block holds a few epochs and the last one is short), and in small blocks
as tasks on ``InlineExecutor`` (the in-process stand-in for a Dask cluster: each task
rebuilds the mission and its own lazy ephemeris from plain data). The results must be
equal, exactly: the merges concatenate in time order, take mins and maxes, and fold the
traffic analysis' per-epoch loads into its sums in time order.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest

from core.analysis import latency, optical, topology, traffic, training
from core.api import load_preset
from core.catalog.presets import preset_path
from core.mission.model import Mission
from core.orbits.blocks import epoch_blocks
from core.orbits.ephemeris import build_ephemeris
from core.study.run import InlineExecutor
from tests.core.streaming_support import WHOLE_MB



def _tiny_mb(eph) -> str:
    """A block budget of a few epochs of ``eph`` (5 to 14, by the analysis' bytes per satellite and epoch)."""
    return str(eph.n_sat * 7 * 64 / 1024**2)

TRAFFIC = {"demands": [{"from": "New York", "to": "London", "gbps": 30}, {"from": "London", "to": "Tokyo", "gbps": 5},
                       {"from": "Tokyo", "to": "New York", "gbps": 2}], "routing": "k-shortest", "paths": 2}


@lru_cache(maxsize=None)
def _mission(name: str, duration_s: float) -> Mission:
    """Preset ``name`` on a short window, with a traffic section between its own places."""
    mission = load_preset(name)
    return mission.model_copy(update={
        "analysis": mission.analysis.model_copy(update={"duration_s": duration_s}),
        "traffic": Mission.model_validate({**mission.model_dump(mode="json", exclude_none=True), "traffic": TRAFFIC}).traffic,
    })


CASES = [("default", 3600.0), ("starlink-shell-1", 5400.0), ("ada-star-compute", 3600.0)]
"""Three presets: the default, Starlink shell 1 (1,584 satellites, plus-grid), and one with two
linked shells, ground stations and latency pairs."""


def _ephemeris(mission: Mission):
    return build_ephemeris(mission, preset_path("default").parent, lazy=True)


def _three_ways(monkeypatch, eph, run):
    """``run(executor)`` in one block, in tiny blocks, and in tiny blocks on ``InlineExecutor``."""
    monkeypatch.setenv("STARNET_BLOCK_MB", WHOLE_MB)
    whole = run(None)
    monkeypatch.setenv("STARNET_BLOCK_MB", _tiny_mb(eph))
    streamed = run(None)
    on_tasks = run(InlineExecutor())
    return whole, streamed, on_tasks


def _assert_same(a, b, path: str = "result") -> None:
    """Field by field equality of two results (arrays exactly, NaN equal to NaN)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            if f.name != "timings_s":  # wall-clock times differ from run to run
                _assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, path
        np.testing.assert_array_equal(b, a, err_msg=path)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{path}[{k}]")
    else:  # numbers, strings, Counters (compared with their order: most_common breaks ties by it)
        assert a == b or (a != a and b != b), path
        if isinstance(a, Counter):
            assert list(a.items()) == list(b.items()), path


def test_the_tiny_budget_splits_every_case_into_many_blocks(monkeypatch):
    for name, duration in CASES:
        eph = _ephemeris(_mission(name, duration))
        monkeypatch.setenv("STARNET_BLOCK_MB", _tiny_mb(eph))
        blocks = epoch_blocks(eph.n_sat, eph.n_time, latency.ROUTING_BYTES_PER_SAT_EPOCH)
        assert len(blocks) >= 3 and blocks[-1][1] == eph.n_time, name


@pytest.mark.parametrize("name,duration", CASES)
def test_links_streamed_equal_the_whole_run(monkeypatch, name, duration):
    mission = _mission(name, duration)
    eph = _ephemeris(mission)
    whole, streamed, on_tasks = _three_ways(monkeypatch, eph, lambda ex: topology.compute_topology(mission, eph, executor=ex))
    assert whole.n_edge > 0 and whole.isl_active.any()
    _assert_same(whole, streamed)
    _assert_same(whole, on_tasks)
    assert "r_ecef_km" not in eph.__dict__  # the whole run's positions were never computed


def test_nearest_neighbour_links_streamed_equal_the_whole_run(monkeypatch):
    """Suncatcher's cluster: links chosen epoch by epoch, their union known only at the end."""
    mission = _mission("suncatcher", 1800.0)
    eph = _ephemeris(mission)
    whole, streamed, on_tasks = _three_ways(monkeypatch, eph, lambda ex: topology.compute_topology(mission, eph, executor=ex))
    assert (whole.isl_kind == 2).any() and whole.n_edge > 0
    _assert_same(whole, streamed)
    _assert_same(whole, on_tasks)


@pytest.mark.parametrize("name,duration", CASES)
def test_latency_streamed_equals_the_whole_run(monkeypatch, name, duration):
    mission = _mission(name, duration)
    eph = _ephemeris(mission)
    monkeypatch.setenv("STARNET_BLOCK_MB", WHOLE_MB)
    topo = topology.compute_topology(mission, eph)
    whole, streamed, on_tasks = _three_ways(monkeypatch, eph, lambda ex: latency.compute_network(mission, eph, topo, executor=ex))
    assert whole is not None and np.isfinite(whole.latency_ms).any() and whole.route_changed.any()
    _assert_same(whole, streamed)
    _assert_same(whole, on_tasks)
    assert streamed.to_json() == whole.to_json() == on_tasks.to_json()  # percentiles from the same per-epoch values


def test_optical_and_training_streamed_equal_the_whole_run(monkeypatch):
    """Suncatcher: optical budgets on nearest-neighbour cluster links, and training over them."""
    mission = _mission("suncatcher", 1800.0)
    eph = _ephemeris(mission)
    monkeypatch.setenv("STARNET_BLOCK_MB", WHOLE_MB)
    topo = topology.compute_topology(mission, eph)
    whole, streamed, on_tasks = _three_ways(monkeypatch, eph, lambda ex: optical.compute_optical(mission, eph, topo, executor=ex))
    assert whole is not None and whole.optical.any() and whole.listed_range_km.shape == (eph.n_time, whole.listed.size)
    _assert_same(whole, streamed)
    _assert_same(whole, on_tasks)
    assert whole.to_json() == streamed.to_json() == on_tasks.to_json()
    linked = whole.apply(topo)
    runs = _three_ways(monkeypatch, eph, lambda ex: training.compute_training(mission, eph, linked, whole, executor=ex))
    assert runs[0] is not None and np.isfinite(runs[0].allreduce_s).all() and runs[0].bottleneck is not None
    for other in runs[1:]:
        _assert_same(runs[0], other)
        assert other.to_json() == runs[0].to_json()


def test_optical_budget_by_link_matches_the_formula_at_each_range(monkeypatch):
    """The folded worst budget is the capacity at the longest range while up, from the positions."""
    mission = _mission("suncatcher", 1800.0)
    eph = build_ephemeris(mission)
    monkeypatch.setenv("STARNET_BLOCK_MB", _tiny_mb(eph))
    topo = topology.compute_topology(mission, eph)
    res = optical.compute_optical(mission, eph, topo)
    bus = mission.bus_for(mission.constellations[eph.shells[int(eph.shell_index[topo.isl_edges[0, 0]])].index])
    for e in res.listed[:5]:
        a, b = topo.isl_edges[e]
        rng_m = np.linalg.norm(eph.r_eci_km[b] - eph.r_eci_km[a], axis=-1) * 1000.0
        up = topo.isl_active[:, e]
        expect = optical.capacity_gbps(bus, bus, rng_m[up]).min() if up.any() else optical.capacity_gbps(bus, bus, rng_m).max()
        assert res.worst_gbps[e] == expect
        assert res.link_summary(int(e))["max_range_m"] == pytest.approx(rng_m[up].max(), rel=1e-12)


@pytest.mark.parametrize("name,duration", CASES)
def test_traffic_streamed_equals_the_whole_run(monkeypatch, name, duration):
    mission = _mission(name, duration)
    eph = _ephemeris(mission)
    monkeypatch.setenv("STARNET_BLOCK_MB", WHOLE_MB)
    topo = topology.compute_topology(mission, eph)
    seen: list[float] = []
    whole, streamed, on_tasks = _three_ways(
        monkeypatch, eph, lambda ex: traffic.compute_traffic(mission, eph, topo, progress=lambda _s, f: seen.append(f), executor=ex))
    assert whole is not None and whole.served_gbps.any() and whole.isl_utilisation.any()
    _assert_same(whole, streamed)
    _assert_same(whole, on_tasks)  # the executor's blocks return their epochs' loads, folded here in time order
    assert whole.to_json() == streamed.to_json() == on_tasks.to_json()
    assert [b.most_common() for b in on_tasks.bottlenecks] == [b.most_common() for b in whole.bottlenecks]
    assert seen and all(0.0 <= f <= 1.0 for f in seen)  # progress was reported


def test_the_results_document_is_the_same_in_tiny_blocks(monkeypatch):
    """The whole pipeline (its network stages streamed) on the default preset, with ISLs, latency pairs and traffic."""
    from core.analysis.pipeline import results_document, run_analysis

    mission = _mission("default", 1200.0)
    monkeypatch.setenv("STARNET_BLOCK_MB", WHOLE_MB)
    whole = results_document(run_analysis(mission))
    monkeypatch.setenv("STARNET_BLOCK_MB", _tiny_mb(_ephemeris(mission)))
    streamed = results_document(run_analysis(mission))
    whole.pop("timings_s"), streamed.pop("timings_s")
    assert whole["latency"] and whole["traffic"]["demands"]
    assert streamed == whole


def test_an_executor_refuses_an_ephemeris_on_another_grid():
    """Tasks rebuild the mission's own grid: a window of it would silently give other epochs."""
    mission = _mission("default", 1200.0)
    part = _ephemeris(mission).window(0, 5)
    with pytest.raises(ValueError, match="executor tasks rebuild the mission's own grid"):
        topology.compute_topology(mission, part, executor=InlineExecutor())
