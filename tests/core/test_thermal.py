"""Radiator sizing against hand computations (core.analysis.thermal)."""

import numpy as np
import pytest

from core.analysis import thermal
from core.mission.bus import Bus


def test_zenith_radiator_hand_case():
    # 1,000 W at 20 C, eps 0.85, deep space at 3 K, no view of the Earth:
    # q = 0.85 * 5.670374419e-8 * (293.15^4 - 3^4) = 355.951 W/m2 -> A = 2.80938 m2
    bus = Bus(radiator_facing="zenith", radiator_temp_c=20.0, radiator_emissivity=0.85, radiator_sink_temp_k=3.0, radiator_kg_per_m2=5.0)
    out = thermal.size_radiator(bus, 550.0, 1000.0)
    q = 0.85 * 5.670374419e-8 * (293.15**4 - 3.0**4)
    assert q == pytest.approx(355.951, abs=0.001)
    assert out["view_factor"] == 0.0
    assert out["radiator_m2"] == pytest.approx(1000.0 / q, rel=1e-12)
    assert out["radiator_m2"] == pytest.approx(2.80938, abs=1e-5)
    assert out["radiator_mass_kg"] == pytest.approx(5.0 * 2.80938, abs=1e-4)


def test_side_radiator_with_earth_ir_and_albedo_hand_case():
    # H = (6378.137 + 550) / 6378.137 = 1.086232; H^2 = 1.179900; sqrt(H^2 - 1) = 0.424146
    # F = (atan(1/0.424146) - 0.424146 / 1.179900) / pi = (1.169649 - 0.359476) / pi = 0.257886
    f = thermal.earth_view_factor(550.0, "side")
    assert f == pytest.approx(0.257886, abs=1e-6)
    bus = Bus(radiator_facing="side", radiator_temp_c=20.0, radiator_emissivity=0.85, radiator_absorptivity=0.2)
    out = thermal.size_radiator(bus, 550.0, 500.0)
    # absorbed: IR 0.85 * 237 * F = 51.951; albedo 0.2 * 1361 * 0.3 * F = 21.059
    assert out["earth_ir_w_m2"] == pytest.approx(51.951, abs=0.001)
    assert out["albedo_w_m2"] == pytest.approx(21.059, abs=0.001)
    assert out["net_w_m2"] == pytest.approx(355.951 - 51.951 - 21.059, abs=0.002)
    assert out["radiator_m2"] == pytest.approx(500.0 / 282.941, abs=1e-4)


def test_view_factors_limits():
    assert thermal.earth_view_factor(1e-6, "side") == pytest.approx(0.5, abs=1e-3)
    assert thermal.earth_view_factor(550.0, "nadir") == pytest.approx((6378.137 / 6928.137) ** 2)
    assert thermal.earth_view_factor(35786.0, "side") < thermal.earth_view_factor(550.0, "side")


def test_cold_radiator_cannot_reject_heat():
    bus = Bus(radiator_facing="nadir", radiator_temp_c=-80.0, radiator_absorptivity=1.0)
    out = thermal.size_radiator(bus, 300.0, 100.0)
    assert out["net_w_m2"] < 0 and np.isinf(out["radiator_m2"])
