"""Delivered compute: fixed arrays, batteries and radiators throttle the payload (core.analysis.delivered)."""

import numpy as np
import pytest

from core.analysis import delivered, power
from core.analysis.compute import size_compute
from core.mission.io import load_mission
from core.orbits.ephemeris import build_ephemeris
from tests.core.factories import make_mission, walker_shell

PATH = "resources/missions/default.yaml"


def _square_wave(n_orbit: int, k_dark: int, orbits: int) -> np.ndarray:
    one = np.ones(n_orbit)
    one[:k_dark] = 0.0
    return np.tile(one, orbits)[None, :]


def _run(illum, dt, array_w, level, cap_j=1.0, reserve_j=0.0, has_battery=False, heat_w=1e300,
         bus_w=100.0, floor_w=15.0, peak_w=60.0):
    c = np.zeros(illum.shape)
    soc = np.ones(illum.shape)
    delivered._simulate(illum, dt, np.array([array_w]), bus_w, floor_w, peak_w, np.array([level]), heat_w, cap_j,
                        reserve_j, 0.9, 0.6, 0.8, has_battery, True, c, soc)
    return c, soc


def test_tops_follow_the_linear_power_model():
    # Orin: 137.5 TOPS at 60 W, 15 W floor: half-way in power is half the TOPS; below the floor it is off
    assert delivered.tops_at_power(37.5, 137.5, 15.0, 60.0) == pytest.approx(68.75)
    assert delivered.tops_at_power(14.9, 137.5, 15.0, 60.0) == 0.0
    assert delivered.tops_at_power(90.0, 137.5, 15.0, 60.0) == pytest.approx(137.5)
    assert delivered.tops_at_power(30.0, 137.5, 15.0, 60.0, idle_power=False) == pytest.approx(68.75)


def test_half_array_delivers_the_orbit_energy_balance_by_hand_never_more():
    # orbit of 6000 s: 2000 s eclipse, 4000 s sun; bus 20 W, payload 15..60 W (Orin)
    t, t_e, t_d = 6000.0, 2000.0, 4000.0
    bus_w = 20.0
    needed_w = ((bus_w + 60) * t_e / 0.6 + (bus_w + 60) * t_d / 0.8) / t_d  # SMAD for 80 W: 166.7 W
    assert needed_w == pytest.approx(166.667, abs=1e-3)
    # half the array carries half the load over an orbit: 40 W, of which the payload gets 40 - 20 = 20 W
    level = delivered.energy_limited_load_w(needed_w / 2, t_d / t) - bus_w  # 40 - 20 = 20 W
    assert level == pytest.approx(20.0)
    illum = _square_wave(600, 200, 6)
    cap_j = 1.01 * (bus_w + level) * t_e / 0.9 / 0.5  # a battery large enough at 50 % DoD
    c, soc = _run(illum, 10.0, needed_w / 2, level, cap_j=cap_j, reserve_j=0.5 * cap_j, has_battery=True,
                  bus_w=bus_w)
    tops = delivered.tops_at_power(c, 137.5, 15.0, 60.0)
    hand = 137.5 * (20.0 - 15.0) / 45.0  # 15.28 TOPS
    assert tops.mean() == pytest.approx(hand, rel=1e-3)
    assert tops.max() <= hand * (1 + 1e-6)  # never more than the balance allows
    # the battery returns to full each orbit: energy in equals energy out
    assert soc[0, -1] == pytest.approx(1.0, abs=1e-3)
    assert soc.min() > 0.5 - 1e-9


def test_small_battery_throttles_in_eclipse_to_its_reserve():
    # array sized for far more than full load; a 40 Wh battery at 50 % DoD over a 2000 s eclipse
    bus_w = 20.0
    cap_j = 40.0 * 3600.0
    illum = _square_wave(600, 200, 3)
    c, soc = _run(illum, 10.0, 1e6, 60.0, cap_j=cap_j, reserve_j=0.5 * cap_j, has_battery=True, bus_w=bus_w)
    dark = illum[0] == 0
    # hand: the DoD holds 72 kJ; at full load (20 + 60 W) / 0.9 a 10 s step draws 888.9 J: 81 steps,
    # then the payload is switched off (the bus keeps its power)
    first = c[0, :200]
    assert (first[:81] == 60.0).all() and (first[81:] == 0.0).all()
    assert (c[0, ~dark] == 60.0).all()  # full load in sunlight
    assert soc[0, 80] == pytest.approx(0.5, abs=1e-9)


def test_radiator_limit_caps_the_payload():
    c, _ = _run(_square_wave(60, 0, 1), 10.0, 1e6, 30.0, heat_w=30.0)
    assert (c == 30.0).all()


def _default_with(**fixed):
    m = load_mission(PATH)
    m.buses["eo-orin"] = m.buses["eo-orin"].model_copy(update=fixed)
    return m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 3 * 3600.0})})


class _Run:
    """The power, compute and delivered-compute stages of the pipeline, nothing else."""

    def __init__(self, mission):
        self.mission = mission
        eph = build_ephemeris(mission)
        self.power = power.compute_power(mission, eph)
        comp = size_compute(mission, eph)
        self.compute = comp.__class__(comp.shells, delivered.compute_delivered(mission, eph, self.power, comp))


def test_sized_design_delivers_its_nameplate():
    m = _default_with()
    r = _Run(m)
    c = r.compute.to_json()[0]
    assert c["delivered_fraction"] == 1.0
    assert c["delivered_pops_mean"] == pytest.approx(c["constellation_pops"])
    assert c["throttled_fraction"] == 0.0


def test_default_mission_with_a_too_small_array_matches_the_energy_balance():
    base = _Run(_default_with())
    sp = base.power.shells[0]
    bus_w = base.mission.buses["eo-orin"].bus_power_w
    comp = base.compute.shells[0]
    peak = comp.compute_peak_w
    t_e = sp.eclipse_max_s
    full_w = power.solar_array_power_w(bus_w + peak, t_e, bus_w + peak, sp.period_s - t_e)
    area = 0.5 * full_w / sp.sizing["array_eol_w_per_m2"]
    r = _Run(_default_with(solar_array_m2=area))
    c = r.compute.to_json()[0]
    p = r.power.to_json()[0]
    assert p["solar_array_m2"] == pytest.approx(area) and p["fixed_design"] == ["solar_array_m2"]
    # by hand per satellite: load the half array sustains over its sunlit share (whole orbits), minus the bus
    step, n_time = float(r.mission.analysis.step_s), r.power.illumination.shape[1]
    whole = int(round(np.floor((n_time - 1) * step / sp.period_s) * sp.period_s / step))
    nu = r.power.illumination[:, :whole].mean(axis=1)
    eol = sp.sizing["array_eol_w_per_m2"]
    load = area * eol * nu / ((1 - nu) / 0.6 + nu / 0.8)
    floor = comp.hardware.power_w_min
    tops = comp.tops_per_satellite * np.clip((np.minimum(load - bus_w, peak) - floor) / (peak - floor), 0, 1)
    hand = float(np.mean(tops)) / comp.tops_per_satellite
    assert 0.0 < c["delivered_fraction"] < 1.0
    assert c["delivered_fraction"] == pytest.approx(hand, rel=1e-6)
    assert c["throttled_energy_fraction"] == pytest.approx(1.0)
    assert r.compute.delivered.tops.max() <= comp.tops_per_satellite


def test_fixed_design_fields_are_optional_and_positive():
    from core.mission.errors import MissionError

    with pytest.raises(MissionError):
        make_mission(walker_shell("53:4/2/1", name="a", altitude_km=550), name="x", buses={"default": {"solar_array_m2": -1}})
