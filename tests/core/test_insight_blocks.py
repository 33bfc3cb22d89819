"""Time to insight in blocks of satellites (issue 17): the same waits and figures whatever the block budget.

``STARNET_BLOCK_MB`` sets the block budget; a tiny one runs the queue kernels (and the offloading
rows) a few satellites at a time, a huge one all satellites in one block, as before blocking.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.analysis import insight
from core.analysis.pipeline import run_analysis
from core.orbits.blocks import BLOCK_BUDGET_ENV
from tests.core.streaming_support import WHOLE_MB, insight_arrays, preset_over

TINY_MB = "0.05"


def _assert_same(blocked: insight.InsightResult, whole: insight.InsightResult) -> None:
    assert json.dumps(blocked.to_json(), sort_keys=True) == json.dumps(whole.to_json(), sort_keys=True)
    a, b = insight_arrays(blocked), insight_arrays(whole)
    assert a.keys() == b.keys()
    for key in b:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("name, duration_s", [("default", 5400.0), ("starlink-shell-1", 1800.0)])
def test_insight_in_tiny_blocks_equals_one_block(name, duration_s, monkeypatch):
    mission, folder = preset_over(name, duration_s)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    run = run_analysis(mission, folder)
    inputs = (mission, run.ephemeris, run.access, run.topology, run.compute)
    whole = insight.compute_insight(*inputs)
    assert whole is not None and whole.offloaded is not None  # both presets route over ISLs and offload
    n_int = run.ephemeris.n_time - 1
    assert len(insight._blocks(whole.captures, n_int)) == 1
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    assert len(insight._blocks(whole.captures, n_int)) > 5  # the tiny budget really splits the satellites
    _assert_same(insight.compute_insight(*inputs), whole)
    # the result is the pipeline's (same document either way)
    assert json.dumps(run.insight.to_json(), sort_keys=True) == json.dumps(whole.to_json(), sort_keys=True)


def test_offloading_in_blocks_equals_one_block_when_helpers_are_in_other_blocks(monkeypatch):
    """A ring of 12 satellites where every third one is saturated: its helpers lie across block edges."""
    n_sat, step, n_int = 12, 60.0, 24 * 60
    ptr, ready = insight.capture_schedule(n_sat, n_int * step, 60.0, np.full(n_sat, 0.1))
    rng = np.random.default_rng(5)
    size = rng.uniform(0.5e9, 1.5e9, ready.size)
    served = (rng.uniform(size=(n_sat, n_int)) < 0.3).astype(float) * rng.uniform(0.2, 1.0, (n_sat, n_int))
    proc = np.where(np.arange(n_sat) % 3 == 0, 1e6, 5e6)
    edges = np.array([[s, (s + 1) % n_sat] for s in range(n_sat)])
    args = dict(step_s=step, served=served, ptr=ptr, ready_s=ready, size_bytes=size,
                downlink_mbps=np.full(n_sat, 1000.0), processing_bytes_per_s=proc, output_ratio=1e-3,
                ground_processing_s=30.0, has_isl=np.ones(n_sat, bool), isl_gbps=np.full(n_sat, 10.0),
                hop_light_s=np.full(n_sat, 0.005), offload_edges=edges)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, WHOLE_MB)
    whole = insight.insight_from_arrays(**args)
    assert whole.offloaded is not None and whole.offloaded.offloaded.any()
    assert set(whole.offloaded.plan_src) == {0, 3, 6, 9}
    for budget in ("0.05", "0.2"):  # one and a few satellites a block
        monkeypatch.setenv(BLOCK_BUDGET_ENV, budget)
        blocks = insight._blocks(whole.captures, n_int)
        assert 3 <= len(blocks) <= n_sat
        _assert_same(insight.insight_from_arrays(**args), whole)


def test_the_schedule_regenerates_the_captures_of_any_block():
    duty = np.array([0.3, 0.0, 0.1, 1.0, 0.25, 0.3])
    ptr, ready = insight.capture_schedule(duty.size, 7200.0, 60.0, duty)
    sched = insight.CaptureSchedule(7200.0, 60.0, duty, np.arange(duty.size) * 1e6)
    np.testing.assert_array_equal(sched.ptr, ptr)
    np.testing.assert_array_equal(sched.ready_s(), ready)
    np.testing.assert_array_equal(sched.sizes(), np.repeat(np.arange(duty.size) * 1e6, np.diff(ptr)))
    r, s = sched.block(2, 5)
    np.testing.assert_array_equal(r, ready[ptr[2]:ptr[5]])
    np.testing.assert_array_equal(s, np.repeat([2e6, 3e6, 4e6], np.diff(ptr)[2:5]))
    assert sched.n_capture == ready.size and np.diff(ptr)[1] == 0


def _per_capture_bytes(obj: object, n_capture: int) -> int:
    """Bytes of the arrays of length ``n_capture`` an object (and its offloading result, captures) holds."""
    total = 0
    for value in vars(obj).values():
        if isinstance(value, np.ndarray) and value.size == n_capture:
            total += value.nbytes
        elif isinstance(value, (insight.OffloadResult, insight.Captures)):
            total += _per_capture_bytes(value, n_capture)
    return total


def test_the_estimate_counts_what_the_result_keeps_per_capture(monkeypatch):
    from core.orbits import estimate

    n_sat, step, n_int = 30, 300.0, 288
    rng = np.random.default_rng(2)
    served = (rng.uniform(size=(n_sat, n_int)) < 0.1).astype(float)
    captures = insight.CaptureSchedule(n_int * step, 60.0, np.full(n_sat, 0.3), np.full(n_sat, 2e7))
    monkeypatch.setenv(BLOCK_BUDGET_ENV, TINY_MB)
    res = insight.insight_from_captures(
        step_s=step, captures=captures, served=served, downlink_mbps=800.0,
        processing_bytes_per_s=np.where(np.arange(n_sat) % 5 == 0, 1e5, 1e7), output_ratio=1e-3,
        ground_processing_s=60.0, has_isl=np.ones(n_sat, bool), isl_gbps=10.0, hop_light_s=0.005,
        offload_edges=np.array([[s, (s + 1) % n_sat] for s in range(n_sat)]))
    assert res.offloaded is not None and res.offloaded.offloaded.any()
    n = captures.n_capture
    assert 431 * n_sat <= n <= 432 * n_sat  # a capture every 200 s over the day (the last one may not end in it)
    res.to_json(), res.wait_histogram()  # what the app and the document read does not add per-capture arrays
    assert _per_capture_bytes(res, n) == estimate.BYTES_PER_CAPTURE * n
    # ready times and satellites are regenerated on demand, equal to the schedule's
    ptr, ready = insight.capture_schedule(n_sat, n_int * step, 60.0, np.full(n_sat, 0.3))
    np.testing.assert_array_equal(res.ready_s, ready)
    np.testing.assert_array_equal(res.sat, np.repeat(np.arange(n_sat), np.diff(ptr)))
