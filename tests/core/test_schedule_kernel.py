"""The antenna schedule's fast kernel against a direct transcription of its rule.

The reference below rescans every window in view at every AOS/LOS time (the first kernel,
O(events x windows in view)); the engine's kernel keeps per-station lists and must give the
same track start of every window, ties included.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis.access import schedule_antennas


def reference_schedule(station, sat, aos, los, antennas, n_sat):
    """First come, first served, without pre-emption, by rescanning all windows in view."""
    n = station.size
    order = np.lexsort((sat, aos))
    free = list(antennas)
    busy = [False] * n_sat
    tracked = [False] * n
    out = np.full(n, np.nan)
    open_: list[int] = []
    nxt = 0
    for t in sorted(set(aos.tolist()) | set(los.tolist())):
        keep = []
        for w in open_:
            if los[w] <= t:
                if tracked[w]:
                    free[station[w]] += 1
                    busy[sat[w]] = False
            else:
                keep.append(w)
        open_ = keep
        while nxt < n and aos[order[nxt]] <= t:
            w = int(order[nxt])
            nxt += 1
            if los[w] > t:
                open_.append(w)
        for w in open_:
            if not tracked[w] and not busy[sat[w]] and free[station[w]] > 0:
                tracked[w] = True
                busy[sat[w]] = True
                free[station[w]] -= 1
                out[w] = t
    return out


def random_windows(rng, n_station, n_sat, n_win, grid):
    """Windows on an integer time grid (many equal AOS/LOS times), none overlapping per satellite and station."""
    station, sat, aos, los = [], [], [], []
    for _ in range(n_win):
        k, s = int(rng.integers(n_station)), int(rng.integers(n_sat))
        a = float(rng.integers(grid))
        b = a + float(rng.integers(1, max(2, grid // 4)))
        clash = any(st_ == k and sa == s and a < lo and aa < b for st_, sa, aa, lo in zip(station, sat, aos, los))
        if not clash:
            station.append(k), sat.append(s), aos.append(a), los.append(b)
    return np.array(station, int), np.array(sat, int), np.array(aos), np.array(los)


@pytest.mark.parametrize("seed", range(12))
def test_kernel_equals_the_rescanning_rule(seed):
    rng = np.random.default_rng(seed)
    n_station = int(rng.integers(1, 6))
    n_sat = int(rng.integers(1, 40))
    station, sat, aos, los = random_windows(rng, n_station, n_sat, int(rng.integers(1, 300)), int(rng.integers(5, 200)))
    antennas = rng.integers(0, 4, n_station)
    got = schedule_antennas(station, sat, aos, los, antennas, n_sat)
    want = reference_schedule(station, sat, aos, los, antennas, n_sat)
    np.testing.assert_array_equal(got, want)
    # the rule's invariants, independently of the reference
    for k in range(n_station):
        tracked = np.flatnonzero((station == k) & ~np.isnan(got))
        for t in np.unique(got[tracked]):
            in_use = np.sum((got[tracked] <= t) & (los[tracked] > t))
            assert in_use <= antennas[k]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 12), st.integers(1, 60))
def test_kernel_equals_the_rescanning_rule_fuzzed(seed, n_station, n_sat, n_win):
    rng = np.random.default_rng(seed)
    station, sat, aos, los = random_windows(rng, n_station, n_sat, n_win, 30)
    antennas = rng.integers(1, 3, n_station)
    np.testing.assert_array_equal(schedule_antennas(station, sat, aos, los, antennas, n_sat),
                                  reference_schedule(station, sat, aos, los, antennas, n_sat))


def test_a_satellite_is_never_tracked_twice_at_once_on_a_busy_sky():
    """Many satellites seen by several stations at once: each satellite's tracks never overlap."""
    rng = np.random.default_rng(7)
    station, sat, aos, los = random_windows(rng, 4, 30, 800, 400)
    got = schedule_antennas(station, sat, aos, los, np.array([2, 1, 3, 1]), 30)
    np.testing.assert_array_equal(got, reference_schedule(station, sat, aos, los, np.array([2, 1, 3, 1]), 30))
    for s in range(30):
        w = np.flatnonzero((sat == s) & ~np.isnan(got))
        spans = sorted(zip(got[w], los[w]))
        assert all(b0 <= a1 for (_, b0), (a1, _) in zip(spans, spans[1:]))
