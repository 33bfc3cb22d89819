"""What the access, power and delivered results keep per satellite-epoch: compact, exact (issue 17).

The results keep packed bits (in-contact, illumination) and recompute the delivered series and
the served share on demand; these tests check the codecs round-trip bit for bit, that the
on-demand series equal what the analysis computed whatever the satellite blocks, and that the
results hold less than a byte a satellite-epoch.
"""

import dataclasses

import numpy as np

from core.analysis import access as access_mod
from core.analysis import delivered, power
from core.analysis.compute import size_compute
from core.analysis.packed import PackedBits, SparseF32
from core.mission.io import load_mission
from core.orbits.blocks import BLOCK_BUDGET_ENV
from core.orbits.ephemeris import build_ephemeris

PATH = "resources/missions/default.yaml"


def test_packed_bits_round_trip_along_any_axis_and_join_blocks():
    rng = np.random.default_rng(1)
    a = rng.random((3, 21, 17)) < 0.3
    for axis in range(3):
        p = PackedBits.pack(a, axis)
        assert p.nbytes == a.size // a.shape[axis] * -(-a.shape[axis] // 8)  # a bit each, rounded up to bytes
        np.testing.assert_array_equal(p.unpack(), a)
    parts = [PackedBits.pack(a[..., t0:t1], axis=1) for t0, t1 in ((0, 1), (1, 9), (9, 17))]
    np.testing.assert_array_equal(PackedBits.concatenate(parts, along=2, shape=(0, 0, 0), axis=1).unpack(), a)


def test_sparse_float32_keeps_every_bit():
    rng = np.random.default_rng(2)
    a = (rng.random((40, 33)) < 0.6).astype(np.float32)
    a[3, 4], a[3, 5], a[39, 32], a[0, 0] = 0.123, np.float32(1.0) - np.float32(2**-24), -0.0, np.nan
    s = SparseF32.encode(a)
    assert s.index.size == 4 and s.nbytes < a.nbytes / 4
    for start, stop in ((0, 40), (3, 4), (2, 39), (39, 40), (10, 10)):
        np.testing.assert_array_equal(s.rows(start, stop).view(np.uint32), a[start:stop].view(np.uint32))
    joined = SparseF32.concatenate_rows([SparseF32.encode(a[r0:r1]) for r0, r1 in ((0, 3), (3, 4), (4, 40))], a.shape[1])
    np.testing.assert_array_equal(joined.rows().view(np.uint32), a.view(np.uint32))


def _fixed_default():
    m = load_mission(PATH)
    m.buses["eo-orin"] = m.buses["eo-orin"].model_copy(update={"solar_array_m2": 1.0, "battery_wh": 100.0, "radiator_m2": 0.6})
    return m.model_copy(update={"analysis": m.analysis.model_copy(update={"duration_s": 3 * 3600.0})})


def _delivered(mission, eph):
    pw = power.compute_power(mission, eph)
    comp = size_compute(mission, eph)
    return pw, delivered.compute_delivered(mission, eph, pw, comp)


def test_delivered_series_on_demand_equal_the_run_whatever_the_satellite_blocks(monkeypatch):
    mission = _fixed_default()
    eph = build_ephemeris(mission)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, "1000000")
    _, whole = _delivered(mission, eph)
    monkeypatch.setenv(BLOCK_BUDGET_ENV, "0.01")  # a few satellites a block
    assert len(delivered.satellite_blocks(0, eph.n_sat, eph.n_time, delivered.DELIVERED_BYTES_PER_SAT_EPOCH)) > 5
    pw, blocked = _delivered(mission, eph)
    assert [s.to_json() for s in blocked.shells] == [s.to_json() for s in whole.shells]
    j = blocked.shells[0].to_json()
    assert 0.0 < j["delivered_fraction"] < 1.0 and j["throttled_energy_fraction"] > 0.0 and j["throttled_heat_fraction"] > 0.0
    np.testing.assert_array_equal(blocked.tops_mean_per_satellite(), whole.tops_mean_per_satellite())
    full = whole.series()
    assert full.tops.dtype == np.float32 and full.reason.dtype == np.int8 and full.tops.shape == (eph.n_sat, eph.n_time)
    np.testing.assert_array_equal(full.tops.mean(axis=1, dtype=np.float64), whole.tops_mean_per_satellite())
    for start, stop in ((0, 1), (7, 23), (59, 60)):
        part = blocked.series(start, stop)
        for name in ("tops", "power_w", "soc", "reason"):
            np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[start:stop], err_msg=name)
    # the series follow the simulation of the whole shell on the power analysis' illumination
    c = np.zeros((eph.n_sat, eph.n_time))
    soc = np.ones((eph.n_sat, eph.n_time))
    m = whole.models[0]
    delivered._simulate(pw.illumination.astype(np.float64), m.step_s, m.array_w, m.bus_w, m.floor_w, m.peak_w, m.level_w,
                        m.heat_w, m.cap_j, (1 - m.dod) * m.cap_j, m.efficiency, m.x_e, m.x_d, True, m.idle_power, c, soc)
    np.testing.assert_array_equal(full.power_w, c.astype(np.float32))
    np.testing.assert_array_equal(full.soc, soc.astype(np.float32))
    assert soc.min() < 1.0  # the battery works


def _kept_bytes(obj, seen: set[int]) -> int:
    """Bytes of the numpy arrays an object holds (its dataclass fields, recursively; each array once)."""
    if isinstance(obj, np.ndarray):
        if id(obj) in seen:
            return 0
        seen.add(id(obj))
        return int(obj.nbytes)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(_kept_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, (tuple, list)):
        return sum(_kept_bytes(x, seen) for x in obj)
    return 0


def test_results_keep_under_a_byte_a_satellite_epoch_and_decode_exactly():
    mission = load_mission(PATH)
    mission = mission.model_copy(update={"analysis": mission.analysis.model_copy(update={"duration_s": 6 * 3600.0})})
    eph = build_ephemeris(mission, lazy=True)
    acc = access_mod.compute_access(mission, eph)
    pw, dlv = _delivered(mission, eph)
    sat_epochs = eph.n_sat * eph.n_time
    assert acc.n_station == 4
    # access: a bit a station and satellite-epoch, the windows and per-epoch counts (the mask and the served
    # share held 4 x 1 + 8 bytes a satellite-epoch; 60 satellites leave the windows a byte and more)
    assert _kept_bytes(acc, set()) / sat_epochs < 3.0
    mask = acc.in_contact
    assert mask.shape == (4, eph.n_sat, eph.n_time) and mask.any()
    np.testing.assert_array_equal(acc.satellites_in_contact, mask.sum(axis=1))
    served = acc.served_fraction
    assert served.shape == (eph.n_sat, eph.n_time - 1) and 0.0 < served.max() <= 1.0
    assert served.sum() * eph.time.step_s * 800e-3 <= acc.downlink_gbit.sum() * (1 + 1e-9)  # tracked time x 800 Mbit/s
    # power: a bit a satellite-epoch plus the penumbra values (was 5 bytes); delivered: per satellite only (was 13)
    assert _kept_bytes(pw.illumination_packed, set()) / sat_epochs < 0.5
    assert _kept_bytes(dlv, {id(a) for a in (pw.illumination_packed.index, pw.illumination_packed.value,
                                             pw.illumination_packed.ones.bits)}) / sat_epochs < 1.0
    assert pw.sunlit.dtype == bool and np.array_equal(pw.sunlit, pw.illumination >= 0.5)
    assert (pw.illumination > 0).any() and (pw.illumination < 1).any()
