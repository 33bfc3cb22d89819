"""Time to insight as executor tasks (issue 17, "every stage on a cluster"): the same result as in this process.

With an executor every block of satellites is a task (``insight_block``, then ``offload_block``
for offloading). :class:`PicklingExecutor` sends each task through pickle, as a process pool or
a Dask cluster does, so a task runs on what it was sent and nothing else, and records what that
was: a block's rows, never the run's per-satellite or per-capture arrays. The mission has
ground stations, plus-grid links and a small fixed solar array, so that some satellites
saturate and offload captures to their neighbours; ``STARNET_BLOCK_MB`` is tiny so that the
48 satellites run in a dozen blocks.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np
import pytest

from core.analysis import insight
from core.analysis.pipeline import Results, run_analysis
from core.mission.model import Mission
from core.orbits.blocks import BLOCK_BUDGET_ENV
from core.study.run import InlineExecutor, LocalExecutor
from tests.core.factories import ground_station, make_mission, walker_shell
from tests.core.streaming_support import insight_arrays

TINY_MB = "0.02"
"""About four of the mission's satellites a block."""


def _mission() -> Mission:
    return make_mission(walker_shell("53:48/6/1", isl="plus-grid"), analysis=dict(duration_s=3600, step_s=60),
                        ground_stations=[ground_station(), ground_station("Awarua", -46.53, 168.38)],
                        buses={"default": {"sensor_duty": 0.3, "solar_array_m2": 0.8, "battery_wh": 50}})


def _arrays_in(value: Any) -> Iterator[np.ndarray]:
    """Every array a task argument holds (in tuples, lists and dataclasses)."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays_in(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _arrays_in(getattr(value, f.name))


class PicklingExecutor(InlineExecutor):
    """Runs each task here, in order, on an unpickled copy of what it was sent; records each task's
    function name, pickled bytes and arrays."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, int, list[np.ndarray], tuple]] = []

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> Any:
        payload = pickle.dumps((fn, args))
        self.sent.append((fn.__name__, len(payload), list(_arrays_in(args)), args))
        fn_there, args_there = pickle.loads(payload)
        return super().submit(fn_there, *args_there, key=key)

    def counts(self) -> Counter[str]:
        return Counter(name for name, *_ in self.sent)


def _assert_same(there: insight.InsightResult | None, here: insight.InsightResult | None) -> None:
    """Every array of the result bit for bit (dtype included), the stabilities and the document."""
    assert there is not None and here is not None
    assert json.dumps(there.to_json(), sort_keys=True) == json.dumps(here.to_json(), sort_keys=True)
    assert there.traditional_stability == here.traditional_stability
    assert there.in_orbit_stability == here.in_orbit_stability
    a, b = insight_arrays(there), insight_arrays(here)
    assert a.keys() == b.keys()
    for key in b:
        assert a[key].dtype == b[key].dtype, key
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    if here.offloaded is not None:
        assert there.offloaded is not None and there.offloaded.stability == here.offloaded.stability


@pytest.fixture(scope="module")
def here() -> Iterator[tuple[Mission, Results]]:
    """The mission and its run in this process (no executor), with the tiny block budget."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
        mission = _mission()
        yield mission, run_analysis(mission)


def _inputs(here: tuple[Mission, Results]) -> tuple:
    mission, run = here
    return mission, run.ephemeris, run.access, run.topology, run.compute


def test_the_mission_offloads_in_many_blocks(here, monkeypatch):
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    res = here[1].insight
    assert res is not None and res.offloaded is not None
    assert res.offloaded.offloaded.any() and np.unique(res.offloaded.plan_src).size >= 3
    assert len(insight._blocks(res.captures, here[1].ephemeris.n_time - 1)) >= 8


def test_insight_tasks_give_the_in_process_result(here, monkeypatch):
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    executor = PicklingExecutor()
    there = insight.compute_insight(*_inputs(here), executor=executor)
    _assert_same(there, here[1].insight)
    blocks = insight._blocks(there.captures, here[1].ephemeris.n_time - 1)
    assert executor.counts() == {"insight_block": len(blocks), "offload_block": len(blocks)}


def test_a_task_is_sent_its_block_only(here, monkeypatch):
    """No task holds an array of the run's satellites or captures: only its block's rows and what
    regenerates its captures."""
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    executor = PicklingExecutor()
    res = insight.compute_insight(*_inputs(here), executor=executor)
    assert res is not None and res.offloaded is not None
    n_sat, n_capture = here[1].ephemeris.n_sat, res.captures.n_capture
    served_bytes = here[1].access.served_fraction.nbytes
    assert executor.sent
    for name, n_bytes, arrays, _ in executor.sent:
        assert arrays, name
        assert max(a.shape[0] for a in arrays if a.ndim) < n_sat // 2, name
        assert max(a.size for a in arrays) < n_capture // 2, name
        assert n_bytes < served_bytes / 2, name
    # the offloading tasks carry their block's assignments (``src``): together, the run's plan once
    sources = [args[3] for name, *_, args in executor.sent if name == "offload_block"]
    assert sum(src.size for src in sources) == res.offloaded.plan_src.size


def test_the_pipeline_sends_the_insight_to_its_executor(here, monkeypatch):
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    mission, run = here
    executor = PicklingExecutor()
    there = run_analysis(mission, executor=executor)
    assert executor.counts()["insight_block"] == len(insight._blocks(run.insight.captures, run.ephemeris.n_time - 1))
    _assert_same(there.insight, run.insight)


def test_offloading_across_block_edges_on_an_executor(monkeypatch):
    """Flat-array captures (``insight_from_arrays``): a ring of 12 where every third satellite saturates,
    its helpers in other blocks."""
    n_sat, step, n_int = 12, 60.0, 24 * 60
    ptr, ready = insight.capture_schedule(n_sat, n_int * step, 60.0, np.full(n_sat, 0.1))
    rng = np.random.default_rng(5)
    size = rng.uniform(0.5e9, 1.5e9, ready.size)
    served = (rng.uniform(size=(n_sat, n_int)) < 0.3).astype(float) * rng.uniform(0.2, 1.0, (n_sat, n_int))
    args = dict(step_s=step, served=served, ptr=ptr, ready_s=ready, size_bytes=size,
                downlink_mbps=np.full(n_sat, 1000.0), processing_bytes_per_s=np.where(np.arange(n_sat) % 3 == 0, 1e6, 5e6),
                output_ratio=1e-3, ground_processing_s=30.0, has_isl=np.ones(n_sat, bool), isl_gbps=np.full(n_sat, 10.0),
                hop_light_s=np.full(n_sat, 0.005), offload_edges=np.array([[s, (s + 1) % n_sat] for s in range(n_sat)]))
    monkeypatch.setenv(BLOCK_BUDGET_ENV, "0.05")  # one satellite a block
    here = insight.insight_from_arrays(**args)
    assert here.offloaded is not None and here.offloaded.offloaded.any()
    executor = PicklingExecutor()
    _assert_same(insight.insight_from_arrays(**args, executor=executor), here)
    assert executor.counts() == {"insight_block": n_sat, "offload_block": n_sat}


def test_local_worker_processes_give_the_in_process_result(here, monkeypatch):
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)  # the workers inherit it, but the blocks are made here
    executor = LocalExecutor(2)
    try:
        there = insight.compute_insight(*_inputs(here), executor=executor)
    finally:
        executor.close()
    _assert_same(there, here[1].insight)
