"""Delivered compute: what each satellite can actually run, epoch by epoch, given energy and heat.

Nameplate TOPS (:mod:`core.analysis.compute`) is what the hardware runs flat out. A satellite
delivers less when its power system cannot feed it or its radiator cannot reject the heat.
This module takes the power analysis' energy model (:mod:`core.analysis.power`: the same
illumination series, SMAD path efficiencies ``X_e``/``X_d``, battery efficiency and depth of
discharge, end-of-life array output per m2 at the bus' worst sun angle) and asks, for every
satellite and epoch, how much compute power ``c`` the design can sustain.

Designs
    A bus may give a *fixed* ``solar_array_m2``, ``battery_wh`` and/or ``radiator_m2``. A fixed
    part is checked and throttles the compute; a part left out is sized for whatever load is
    asked of it (as the power analysis sizes it), so it never limits. A bus without any fixed
    part therefore delivers its nameplate at every epoch.

Compute power and TOPS
    The bus load ``bus_power_w`` is served first. The payload runs between its lowest power
    mode ``F = units x power_w_min`` and full load ``P = units x power_w``; at power ``c`` it
    delivers ``tops x (c - F) / (P - F)`` (the linear power model of the compute sizing), and
    nothing below ``F`` (switched off). With ``compute_idle_power: false`` (duty-cycled
    between jobs) it delivers ``tops x c / P``.

Limits (per satellite, over the analysis window)
    * energy (fixed array): the level the array sustains over an orbit,
      ``A p_EOL nu (B + c)^-1 = (1 - nu) / X_e + nu / X_d`` with ``nu`` the satellite's mean
      illumination over the whole orbits of the window (:func:`whole_orbit_illumination`), i.e.
      ``c_energy = A p_EOL nu / ((1 - nu)/X_e + nu/X_d) - B`` (the SMAD balance with the day
      and eclipse shares of this satellite's orbits);
    * battery (fixed battery): the longest eclipse ``T_e`` of the satellite must leave the
      depth of discharge: ``(B + c) T_e / eff <= DoD x capacity``;
    * heat (fixed radiator): ``B + c <= q_net x A_rad``, the net flux of the worst thermal
      environment (:mod:`core.analysis.thermal`).

Epoch by epoch
    The payload runs at ``min(P, c_energy, c_battery, c_heat)``. When the battery is full and
    the array has power that would otherwise be wasted, the payload also takes that surplus
    (up to ``P`` and the heat limit). The battery state of charge follows the power analysis'
    rule (``state_of_charge``): a surplus ``nu A p - L / X_d`` charges at ``x X_e / eff``; a
    shortfall draws ``(L - nu A p X_d) / eff``. When a draw would take the battery below
    ``1 - DoD`` the payload is throttled to what keeps it there, and switched off if that is
    below ``F`` (the bus keeps its power). Each epoch where the payload runs below ``P`` is
    *throttled*, by **heat** when the radiator limit is the lowest, by **energy** otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from core.analysis.packed import SparseF32
from core.analysis.per_shell import PerShell
from core.analysis.power import PATH_EFFICIENCY, PowerResult, solar_array_power_w
from core.mission.model import Mission
from core.orbits.blocks import satellite_blocks
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from core.analysis.compute import ComputeResult

REASON_NONE, REASON_ENERGY, REASON_HEAT = 0, 1, 2


def tops_at_power(c_w: np.ndarray | float, tops: float, floor_w: float, peak_w: float, idle_power: bool = True) -> np.ndarray:
    """TOPS delivered at payload power ``c_w`` (see the module docstring).

    >>> float(tops_at_power(37.5, 137.5, 15.0, 60.0)), float(tops_at_power(10.0, 137.5, 15.0, 60.0))
    (68.75, 0.0)
    """
    c = np.minimum(np.asarray(c_w, float), peak_w)
    if peak_w <= 0:
        return np.zeros_like(c)
    if not idle_power:
        return tops * np.clip(c, 0.0, None) / peak_w
    if peak_w <= floor_w:
        return np.where(c >= floor_w, tops, 0.0)
    return np.where(c >= floor_w * (1 - 1e-12), tops * np.clip(c - floor_w, 0.0, None) / (peak_w - floor_w), 0.0)


def energy_limited_load_w(array_w: float, mean_illumination: float, regulation: str = "ppt") -> float:
    """Largest constant load (bus + compute, W) a full-sun array output ``array_w`` sustains.

    ``array_w x nu / ((1 - nu) / X_e + nu / X_d)``: the SMAD balance over an orbit with
    sunlit share ``nu``. For a one-orbit square wave it inverts :func:`core.analysis.power.solar_array_power_w`.
    """
    x_e, x_d = PATH_EFFICIENCY[regulation]
    nu = float(mean_illumination)
    denom = (1.0 - nu) / x_e + nu / x_d
    return float(array_w * nu / denom) if denom > 0 else 0.0


@njit(cache=True, nogil=True)
def _simulate(illum, dt_s, array_w, bus_w, floor_w, peak_w, level_w, heat_w, cap_j, reserve_j, eff, x_e, x_d,
              has_battery, idle_power, c_out, soc_out):
    """Payload power and state of charge of every satellite and epoch (see the module docstring), from a full battery."""
    _simulate_from(illum, dt_s, array_w, bus_w, floor_w, peak_w, level_w, heat_w, cap_j, reserve_j, eff, x_e, x_d,
                   has_battery, idle_power, np.full(illum.shape[0], cap_j), c_out, soc_out)


@njit(cache=True, nogil=True)
def _simulate_from(illum, dt_s, array_w, bus_w, floor_w, peak_w, level_w, heat_w, cap_j, reserve_j, eff, x_e, x_d,
                   has_battery, idle_power, energy_j, c_out, soc_out):
    """:func:`_simulate` from the battery energies ``energy_j`` (J, per satellite) at the first epoch of
    ``illum``; ``energy_j`` is left at the energies after its last epoch, so consecutive blocks of epochs
    simulated one after the other give the same values as the whole window at once."""
    n_sat, n_time = illum.shape
    for s in range(n_sat):
        energy = energy_j[s]
        for t in range(n_time):
            nu = illum[s, t]
            avail = nu * array_w[s]
            c = level_w[s]
            full = has_battery and energy >= cap_j * (1.0 - 1e-9)
            surplus = avail * x_d - bus_w
            if full and surplus > c:
                c = min(surplus, peak_w, heat_w)
            if has_battery:
                need = (bus_w + c) / x_d
                if avail < need:
                    # battery covers the shortfall (L - avail X_d) / eff; keep the reserve
                    room = (energy - reserve_j) * eff / dt_s + avail * x_d - bus_w
                    if c > room:
                        c = max(room, 0.0)
                    if idle_power and c < floor_w:
                        c = 0.0
                    need = (bus_w + c) / x_d
                if avail >= need:
                    energy = min(cap_j, energy + (avail - need) * x_e / eff * dt_s)
                else:
                    energy = max(0.0, energy - ((bus_w + c) - avail * x_d) / eff * dt_s)
                soc_out[s, t] = energy / cap_j
            else:
                if idle_power and c < floor_w:
                    c = 0.0
                soc_out[s, t] = 1.0
            c_out[s, t] = c
        energy_j[s] = energy


@dataclass(frozen=True, eq=False)
class ShellDelivered:
    """Delivered compute of one shell; limits in W of payload power (inf: not limiting)."""

    shell: str
    satellites: int
    fixed: tuple[str, ...]
    nameplate_tops: float
    delivered_tops_mean: float
    throttled_energy_fraction: float
    throttled_heat_fraction: float
    energy_limit_w: float
    battery_limit_w: float
    heat_limit_w: float
    peak_power_w: float

    @property
    def delivered_fraction(self) -> float:
        return self.delivered_tops_mean / self.nameplate_tops if self.nameplate_tops > 0 else 1.0

    def to_json(self) -> dict:
        def num(x):
            return float(x) if np.isfinite(x) else None

        return {
            "shell": self.shell,
            "delivered_fraction": float(self.delivered_fraction),
            "delivered_tops_per_satellite_mean": float(self.delivered_tops_mean),
            "delivered_pops_mean": float(self.delivered_tops_mean * self.satellites / 1000.0),
            "fixed_design": list(self.fixed),
            "throttled_fraction": float(self.throttled_energy_fraction + self.throttled_heat_fraction),
            "throttled_energy_fraction": float(self.throttled_energy_fraction),
            "throttled_heat_fraction": float(self.throttled_heat_fraction),
            "compute_limit_energy_w": num(self.energy_limit_w),
            "compute_limit_battery_w": num(self.battery_limit_w),
            "compute_limit_heat_w": num(self.heat_limit_w),
        }


DELIVERED_BYTES_PER_SAT_EPOCH = 64
"""Block bytes per satellite-epoch of the simulation: illumination, power, charge and TOPS (float64) and their scratch."""


@dataclass(frozen=True, eq=False)
class ShellModel:
    """The per-satellite inputs of one shell's epoch-by-epoch simulation (see the module docstring),
    kept so that any satellite's series can be recomputed exactly when asked.

    ``sat_slice`` numbers the whole run; ``array_w``, ``level_w`` (the sustained payload power),
    ``energy_w`` and ``battery_w`` (limits) are per satellite of the shell; powers in W, ``cap_j``
    the battery capacity in J (1 when not fixed), ``dod`` its depth of discharge.
    """

    sat_slice: slice
    step_s: float
    array_w: np.ndarray
    level_w: np.ndarray
    energy_w: np.ndarray
    battery_w: np.ndarray
    heat_w: float
    bus_w: float
    floor_w: float
    peak_w: float
    cap_j: float
    dod: float
    efficiency: float
    x_e: float
    x_d: float
    has_battery: bool
    idle_power: bool
    tops_per_satellite: float

    def run(self, illum: np.ndarray, rows: slice,
            energy_j: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(tops, payload power W, state of charge, reason) float64/float64/float64/int8 ``(n, n_time)`` of
        the shell's satellites ``rows`` (local to the shell) from their illumination ``illum``.

        ``illum`` starts at the window's first epoch with a full battery, or, with ``energy_j``
        (float64, one per satellite of ``rows``), at a later epoch with those battery energies (J);
        ``energy_j`` is then updated in place to the energies after ``illum``'s last epoch."""
        illum = np.ascontiguousarray(illum, dtype=np.float64)
        c = np.zeros(illum.shape)
        soc = np.ones(illum.shape)
        args = (illum, self.step_s, np.ascontiguousarray(self.array_w[rows]), self.bus_w, self.floor_w, self.peak_w,
                np.ascontiguousarray(self.level_w[rows]), float(min(self.heat_w, 1e300)), self.cap_j,
                (1.0 - self.dod) * self.cap_j, self.efficiency, self.x_e, self.x_d, self.has_battery, self.idle_power)
        if energy_j is None:
            _simulate(*args, c, soc)
        else:
            _simulate_from(*args, energy_j, c, soc)
        tops = tops_at_power(c, self.tops_per_satellite, self.floor_w, self.peak_w, self.idle_power)
        throttled = tops < self.tops_per_satellite * (1 - 1e-9)
        by_heat = throttled & (self.heat_w <= np.minimum(self.energy_w[rows], self.battery_w[rows]))[:, None]
        reason = np.where(by_heat, REASON_HEAT, np.where(throttled, REASON_ENERGY, REASON_NONE)).astype(np.int8)
        return tops, c, soc, reason


@dataclass(frozen=True, eq=False)
class DeliveredSeries:
    """Delivered compute of some satellites at every epoch, ``(n, n_time)``: ``tops`` float32,
    ``power_w`` float32 payload power, ``soc`` float32 state of charge, ``reason`` int8 (0 full,
    1 energy, 2 heat)."""

    tops: np.ndarray
    power_w: np.ndarray
    soc: np.ndarray
    reason: np.ndarray


@dataclass(frozen=True, eq=False)
class DeliveredResult(PerShell):
    """Delivered compute per shell, and per satellite and epoch on demand.

    The result keeps no ``(n_sat, n_time)`` array of its own: :meth:`series` re-runs the
    simulation (:class:`ShellModel`) for the satellites asked for, from the power analysis'
    illumination, with the same bits as the analysis computed. ``tops``, ``power_w``, ``soc``
    and ``reason`` are the whole run's series (computed when read: 13 bytes a satellite-epoch).
    ``tops_mean`` is every satellite's mean delivered TOPS over the window.
    """

    shells: tuple[ShellDelivered, ...]
    models: tuple[ShellModel, ...]
    illumination: SparseF32
    tops_mean: np.ndarray
    nameplate_tops: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def series(self, start: int = 0, stop: int | None = None) -> DeliveredSeries:
        """The series of the run's satellites ``start:stop`` (all by default), recomputed exactly."""
        n_sat, n_time = self.illumination.shape
        stop = n_sat if stop is None else min(stop, n_sat)
        start = min(start, stop)
        out = DeliveredSeries(np.zeros((stop - start, n_time), np.float32), np.zeros((stop - start, n_time), np.float32),
                              np.ones((stop - start, n_time), np.float32), np.zeros((stop - start, n_time), np.int8))
        for m in self.models:  # in blocks of satellites: the float64 scratch stays a block's
            for lo, hi in satellite_blocks(max(start, m.sat_slice.start), min(stop, m.sat_slice.stop), n_time,
                                           DELIVERED_BYTES_PER_SAT_EPOCH):
                tops, c, soc, reason = m.run(self.illumination.rows(lo, hi), slice(lo - m.sat_slice.start, hi - m.sat_slice.start))
                rows = slice(lo - start, hi - start)
                out.tops[rows], out.power_w[rows], out.soc[rows], out.reason[rows] = tops, c, soc, reason
        return out

    @property
    def tops(self) -> np.ndarray:
        return self.series().tops

    @property
    def power_w(self) -> np.ndarray:
        return self.series().power_w

    @property
    def soc(self) -> np.ndarray:
        return self.series().soc

    @property
    def reason(self) -> np.ndarray:
        return self.series().reason

    def tops_windows(self, blocks: Sequence[tuple[int, int]]) -> Iterator[np.ndarray]:
        """Delivered TOPS float32 ``(n_sat, t1 - t0)`` of every satellite on each of the consecutive
        epoch ``blocks`` ``(t0, t1)`` (from epoch 0), yielded in order: the same values as
        ``tops[:, t0:t1]`` without the whole run's array. The simulation runs block after block,
        each satellite's battery energy carried from one to the next, and reads only the block's
        columns of the illumination."""
        n_sat, n_time = self.illumination.shape
        energy = [np.full(m.sat_slice.stop - m.sat_slice.start, m.cap_j) for m in self.models]
        expected = 0
        for t0, t1 in blocks:
            if t0 != expected or not t0 <= t1 <= n_time:
                raise ValueError(f"tops_windows: blocks must follow each other from epoch 0 (got {t0}:{t1} after {expected})")
            expected = t1
            out = np.zeros((n_sat, t1 - t0), np.float32)
            for m, left in zip(self.models, energy):
                for lo, hi in satellite_blocks(m.sat_slice.start, m.sat_slice.stop, t1 - t0, DELIVERED_BYTES_PER_SAT_EPOCH):
                    rows = slice(lo - m.sat_slice.start, hi - m.sat_slice.start)
                    out[lo:hi] = m.run(sparse_window(self.illumination, lo, hi, t0, t1), rows, left[rows])[0]
            yield out

    def tops_mean_per_satellite(self) -> np.ndarray:
        """Mean delivered TOPS of every satellite over the window."""
        return self.tops_mean


def sparse_window(a: SparseF32, r0: int, r1: int, t0: int, t1: int) -> np.ndarray:
    """Rows ``r0:r1`` and columns ``t0:t1`` of a packed array, decoded (the same float32 bits as
    ``a.rows(r0, r1)[:, t0:t1]``) without decoding the rows' other columns."""
    n_col = a.shape[1]
    b0, b1 = t0 // 8, (t1 + 7) // 8
    out = np.unpackbits(a.ones.bits[r0:r1, b0:b1], axis=1)[:, t0 - 8 * b0:t1 - 8 * b0].astype(np.float32)
    lo, hi = np.searchsorted(a.index, [r0 * n_col, r1 * n_col])
    row, col = np.divmod(a.index[lo:hi] - r0 * n_col, n_col)
    inside = (col >= t0) & (col < t1)
    out[row[inside], col[inside] - t0] = a.value[lo:hi][inside]
    return out


def _longest_run_s(dark: np.ndarray, step_s: float) -> np.ndarray:
    """Longest run of True per row, in seconds."""
    best = np.zeros(dark.shape[0])
    run = np.zeros(dark.shape[0])
    for t in range(dark.shape[1]):
        run = np.where(dark[:, t], run + 1, 0)
        best = np.maximum(best, run)
    return best * step_s


def whole_orbit_illumination(illum: np.ndarray, step_s: float, period_s: float) -> np.ndarray:
    """Each satellite's sunlit share over the whole orbits the window holds (all of it when under one).

    A partial orbit at the end of the window would bias a satellite's share up or down by where
    its eclipse falls, and the payload's cap at full load turns that noise into a loss that
    shrinks with the window; whole orbits keep the energy balance independent of the window.
    """
    if illum.size == 0:
        return np.ones(illum.shape[0])
    orbits = np.floor((illum.shape[1] - 1) * step_s / period_s) if period_s > 0 else 0.0
    n = int(round(orbits * period_s / step_s)) if orbits >= 1 else illum.shape[1]
    return illum[:, : max(1, min(n, illum.shape[1]))].mean(axis=1)


def _limits(bus, sp, peak_w: float, step_s: float, illum: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(array W, energy limit W, battery limit W) of some satellites of a shell from their illumination
    (see the module docstring; per satellite, so any block of satellites gives the same values)."""
    illum = np.ascontiguousarray(illum, dtype=np.float64)
    n = illum.shape[0]
    bus_w = float(bus.bus_power_w)
    eol = sp.sizing["array_eol_w_per_m2"]
    if bus.solar_array_m2 is not None:
        nu = whole_orbit_illumination(illum, step_s, sp.period_s)
        array_w = np.full(n, float(bus.solar_array_m2) * eol)
        energy_w = np.array([energy_limited_load_w(a, v, bus.power_regulation) for a, v in zip(array_w, nu)]) - bus_w
    else:  # sized for full load on the worst orbit: never limits
        t_e = sp.eclipse_max_s
        array_w = np.full(n, solar_array_power_w(bus_w + peak_w, t_e, bus_w + peak_w, sp.period_s - t_e, bus.power_regulation))
        energy_w = np.full(n, np.inf)
    if bus.battery_wh is not None:
        cap_j = float(bus.battery_wh) * 3600.0
        dod = float(sp.sizing["battery_dod"])
        t_e_max = _longest_run_s(illum < 0.5, step_s)
        with np.errstate(divide="ignore"):
            battery_w = np.where(t_e_max > 0, dod * cap_j * bus.battery_efficiency / np.maximum(t_e_max, 1e-9) - bus_w, np.inf)
    else:
        battery_w = np.full(n, np.inf)
    return array_w, energy_w, battery_w


def compute_delivered(mission: Mission, eph: Ephemeris, power: PowerResult, compute: ComputeResult) -> DeliveredResult:
    """Delivered compute of every satellite and epoch from the power and compute analyses.

    Each shell is simulated in blocks of satellites over every epoch (the battery carries over
    time); the series are folded into the shell's figures and dropped: the result keeps the
    shell's :class:`ShellModel` and recomputes series on demand (:meth:`DeliveredResult.series`).
    """
    n_time = eph.n_time
    nameplate = np.zeros(eph.n_sat)
    tops_mean = np.zeros(eph.n_sat)
    step = float(eph.time.step_s) or 1.0
    shells, models = [], []
    for shell in eph.shells:
        bus = mission.bus_for(mission.constellations[shell.index])
        sc = compute.shells[shell.index]
        sp = power.shells[shell.index]
        sl = shell.sat_slice
        nameplate[sl] = sc.tops_per_satellite
        floor_w = sc.hardware.power_w_min * sc.compute_units if sc.idle_power else 0.0
        peak_w = sc.compute_peak_w
        bus_w = float(bus.bus_power_w)
        x_e, x_d = PATH_EFFICIENCY[bus.power_regulation]
        fixed = tuple(k for k in ("solar_array_m2", "battery_wh", "radiator_m2") if getattr(bus, k) is not None)
        blocks = satellite_blocks(sl.start, sl.stop, n_time, DELIVERED_BYTES_PER_SAT_EPOCH) or [(sl.start, sl.stop)]
        limits = [_limits(bus, sp, peak_w, step, power.illumination_rows(s0, s1)) for s0, s1 in blocks]
        array_w, energy_w, battery_w = (np.concatenate([part[k] for part in limits]) for k in range(3))
        cap_j, dod = (float(bus.battery_wh) * 3600.0, float(sp.sizing["battery_dod"])) if bus.battery_wh is not None else (1.0, 1.0)
        heat_w = float(sp.sizing["net_w_m2"]) * float(bus.radiator_m2) - bus_w if bus.radiator_m2 is not None else np.inf
        level = np.minimum(np.minimum(energy_w, battery_w), min(heat_w, peak_w))
        level = np.maximum(level, 0.0)
        model = ShellModel(sat_slice=sl, step_s=step, array_w=array_w, level_w=level, energy_w=energy_w, battery_w=battery_w,
                           heat_w=heat_w, bus_w=bus_w, floor_w=floor_w, peak_w=peak_w, cap_j=cap_j, dod=dod,
                           efficiency=float(bus.battery_efficiency), x_e=x_e, x_d=x_d, has_battery=bus.battery_wh is not None,
                           idle_power=bool(sc.idle_power), tops_per_satellite=float(sc.tops_per_satellite))
        # the share of nameplate of every satellite-epoch, whole, so that its mean is numpy's over the shell
        share = np.zeros((shell.n_sat, n_time)) if sc.tops_per_satellite > 0 else np.zeros((0, 0))
        n_energy = n_heat = 0
        for s0, s1 in blocks:
            rows = slice(s0 - sl.start, s1 - sl.start)
            tops, _, _, reason = model.run(power.illumination_rows(s0, s1), rows)
            if n_time:
                tops_mean[s0:s1] = tops.astype(np.float32).mean(axis=1, dtype=np.float64)
            if share.size:
                np.divide(tops, sc.tops_per_satellite, out=share[rows])
            n_energy += int(np.count_nonzero(reason == REASON_ENERGY))
            n_heat += int(np.count_nonzero(reason == REASON_HEAT))
        n_cell = shell.n_sat * n_time
        models.append(model)
        shells.append(ShellDelivered(
            shell=shell.name, satellites=shell.n_sat, fixed=fixed, nameplate_tops=float(sc.tops_per_satellite),
            delivered_tops_mean=(float(np.mean(share)) * float(sc.tops_per_satellite) if share.size
                                 else float(sc.tops_per_satellite)),
            throttled_energy_fraction=float(np.float64(n_energy) / n_cell) if n_cell else 0.0,
            throttled_heat_fraction=float(np.float64(n_heat) / n_cell) if n_cell else 0.0,
            energy_limit_w=float(np.min(energy_w)), battery_limit_w=float(np.min(battery_w)), heat_limit_w=float(heat_w),
            peak_power_w=float(peak_w),
        ))
        del share
    return DeliveredResult(tuple(shells), tuple(models), power.illumination_packed, tops_mean, nameplate)
