"""Optical ISL budget: capacity flat while the terminal limits it, falling as 1/R^2 beyond."""

import numpy as np
import pytest

from core.analysis import optical as opt
from core.mission.bus import Bus


def test_far_field_budget_by_hand():
    # 1 W, 10 cm apertures, 1550 nm, 1,000 km, no losses: (pi 0.1 0.1 / (4 1.55e-6 1e6))^2 = 2.567e-5 W
    p = opt.received_power_w(1.0, 0.1, 0.1, 1.55e-6, np.array([1.0e6]))[0]
    assert p == pytest.approx((np.pi * 0.01 / (4 * 1.55e-6 * 1e6)) ** 2, rel=1e-12)
    assert p == pytest.approx(2.567e-5, rel=1e-3)
    # 3 dB pointing loss and 50 % optics: a quarter
    assert opt.received_power_w(1.0, 0.1, 0.1, 1.55e-6, np.array([1.0e6]), 0.5, 3.0103)[0] == pytest.approx(p / 4, rel=1e-4)


def test_capacity_falls_with_range_and_is_capped_by_the_terminal():
    bus = Bus(isl_gbps=1600.0, optical_tx_power_w=1.0, optical_efficiency=1.0, optical_pointing_loss_db=0.0)
    ranges = np.array([200.0, 1e5, 2e6, 4e6])
    cap = opt.capacity_gbps(bus, bus, ranges)
    assert cap[0] == cap[1] == 1600.0  # a cluster's links: the terminal is the limit
    assert cap[2] < 1600.0
    assert cap[3] == pytest.approx(cap[2] / 4, rel=1e-9)  # far field: 1 / R^2
    expected = 1.0 * (np.pi * 0.01 / (4 * 1.55e-6 * 2e6)) ** 2 / 1.28e-8
    assert cap[2] == pytest.approx(expected, rel=1e-9)


def test_near_field_never_collects_more_than_was_sent():
    p = opt.received_power_w(2.0, 0.2, 0.2, 1.55e-6, np.array([1.0]), 0.5, 0.0)[0]
    assert p == pytest.approx(1.0)


def test_links_without_optical_budget_keep_their_rate():
    bus = Bus(isl_gbps=10.0)
    assert np.all(opt.capacity_gbps(bus, bus, np.array([1.0, 1e7])) == 10.0)
