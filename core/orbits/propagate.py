"""Vectorised propagation of a whole shell over many epochs: two-body, J2 secular, SGP4.

Positions come out as ``(n_sat, n_time, 3)`` km in GCRS.

* ``two-body`` and ``j2`` are analytic in the mean elements: RAAN, argument of perigee and
  mean anomaly advance linearly (J2 secular rates, or only the mean motion for two-body).
  For circular shells whose satellites share their rates (every Walker shell), the
  position uses angle addition: trigonometry runs only on the satellite vector and on the
  time vector, and the inner loop is a handful of multiply-adds.
* ``sgp4`` runs python-sgp4's ``SatrecArray`` (TEME), rotated to GCRS per epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange
from astropy.time import Time, TimeDelta
from sgp4.api import SatrecArray

from core.orbits import elements as el
from core.orbits import frames
from core.orbits.elements import MeanElements
from core.orbits.sgp4_elements import satrecs_from_elements


@njit(cache=True, nogil=True, parallel=True)
def _circular_positions(a, cu0, su0, co0, so0, ci, si, cut, sut, cot, sot, out):
    """Circular orbits by angle addition: u = u0 + du(t), RAAN = O0 + dO(t)."""
    for s in prange(a.size):
        for t in range(cut.size):
            cu = cu0[s] * cut[t] - su0[s] * sut[t]
            su = su0[s] * cut[t] + cu0[s] * sut[t]
            co = co0[s] * cot[t] - so0[s] * sot[t]
            so = so0[s] * cot[t] + co0[s] * sot[t]
            out[s, t, 0] = a[s] * (co * cu - so * su * ci[s])
            out[s, t, 1] = a[s] * (so * cu + co * su * ci[s])
            out[s, t, 2] = a[s] * su * si[s]


@njit(cache=True, nogil=True, parallel=True)
def _kepler_states(a, e, inc, raan0, argp0, m0, raan_dot, argp_dot, m_dot, t_s, mu, r_out, v_out, with_v):
    """General (elliptical) mean-element states; velocity is the exact time derivative."""
    for s in prange(a.size):
        n_kep = np.sqrt(mu / a[s] ** 3)
        ci = np.cos(inc[s])
        si = np.sin(inc[s])
        for t in range(t_s.size):
            m = m0[s] + m_dot[s] * t_s[t]
            ea = m if e[s] < 0.8 else np.pi
            for _ in range(60):
                f = ea - e[s] * np.sin(ea) - m
                step = f / (1.0 - e[s] * np.cos(ea))
                ea -= step
                if abs(step) < 1e-14:
                    break
            cos_ea = np.cos(ea)
            sin_ea = np.sin(ea)
            sq = np.sqrt(1.0 - e[s] * e[s])
            # perifocal position and (Keplerian) velocity
            xp = a[s] * (cos_ea - e[s])
            yp = a[s] * sq * sin_ea
            rr = a[s] * (1.0 - e[s] * cos_ea)
            vxp = -a[s] * n_kep * sin_ea * a[s] / rr
            vyp = a[s] * n_kep * sq * cos_ea * a[s] / rr
            raan = raan0[s] + raan_dot[s] * t_s[t]
            argp = argp0[s] + argp_dot[s] * t_s[t]
            co = np.cos(raan)
            so = np.sin(raan)
            cw = np.cos(argp)
            sw = np.sin(argp)
            # columns P, Q of the perifocal -> inertial rotation
            px = co * cw - so * sw * ci
            py = so * cw + co * sw * ci
            pz = sw * si
            qx = -co * sw - so * cw * ci
            qy = -so * sw + co * cw * ci
            qz = cw * si
            rx = xp * px + yp * qx
            ry = xp * py + yp * qy
            rz = xp * pz + yp * qz
            r_out[s, t, 0] = rx
            r_out[s, t, 1] = ry
            r_out[s, t, 2] = rz
            if with_v:
                scale = m_dot[s] / n_kep
                vx = scale * (vxp * px + vyp * qx)
                vy = scale * (vxp * py + vyp * qy)
                vz = scale * (vxp * pz + vyp * qz)
                # argument-of-perigee rotation about the orbit normal h = P x Q
                hx = py * qz - pz * qy
                hy = pz * qx - px * qz
                hz = px * qy - py * qx
                vx += argp_dot[s] * (hy * rz - hz * ry)
                vy += argp_dot[s] * (hz * rx - hx * rz)
                vz += argp_dot[s] * (hx * ry - hy * rx)
                # node rotation about the polar axis
                vx += -raan_dot[s] * ry
                vy += raan_dot[s] * rx
                v_out[s, t, 0] = vx
                v_out[s, t, 1] = vy
                v_out[s, t, 2] = vz


@dataclass(frozen=True, eq=False)
class AnalyticPropagator:
    """Two-body (``j2=False``) or J2-secular (``j2=True``) propagation of mean elements."""

    elements: MeanElements
    j2: bool = True
    rates: tuple[np.ndarray, np.ndarray, np.ndarray] = field(init=False)

    def __post_init__(self):
        e = self.elements
        if self.j2:
            rates = el.j2_rates(e.a_km, e.e, e.i_rad)
        else:
            zeros = np.zeros(e.n)
            rates = (zeros, zeros, el.mean_motion_rad_s(e.a_km))
        object.__setattr__(self, "rates", tuple(np.ascontiguousarray(np.broadcast_to(r, (e.n,)), dtype=float) for r in rates))

    @property
    def n_sat(self) -> int:
        return self.elements.n

    def positions(self, offsets_s: np.ndarray, local: slice | None = None) -> np.ndarray:
        """GCRS positions ``(n_sel, n_time, 3)`` km on the given offsets from the epoch.

        ``local`` selects a contiguous range of the shell's satellites (all when ``None``);
        the values are the same bits as the rows of the whole shell's array.
        """
        t = np.ascontiguousarray(offsets_s, dtype=float)
        e = self.elements if local is None else self.elements.subset(np.arange(self.elements.n)[local])
        raan_dot, argp_dot, m_dot = self.rates if local is None else tuple(r[local] for r in self.rates)
        out = np.empty((e.n, t.size, 3))
        full_raan_dot, full_argp_dot, full_m_dot = self.rates  # the kernel is chosen for the whole shell: same bits for any range
        uniform = e.n > 0 and np.ptp(full_raan_dot) == 0 and np.ptp(full_argp_dot + full_m_dot) == 0
        if uniform and not np.any(self.elements.e):
            u0 = e.argp_rad + e.m0_rad
            du = (argp_dot[0] + m_dot[0]) * t
            d_raan = raan_dot[0] * t
            _circular_positions(
                np.ascontiguousarray(e.a_km, dtype=float), np.cos(u0), np.sin(u0), np.cos(e.raan_rad), np.sin(e.raan_rad),
                np.cos(e.i_rad), np.sin(e.i_rad), np.cos(du), np.sin(du), np.cos(d_raan), np.sin(d_raan), out,
            )
            return out
        r, _ = self.states(t, None if local is None else np.arange(self.elements.n)[local], with_velocity=False)
        return r

    def states(self, offsets_s: np.ndarray, local: np.ndarray | None = None, with_velocity: bool = True):
        """Position (km) and velocity (km/s) ``(n_sel, n_time, 3)`` for selected satellites."""
        t = np.ascontiguousarray(np.atleast_1d(offsets_s), dtype=float)
        e = self.elements if local is None else self.elements.subset(np.asarray(local))
        rates = self.rates if local is None else tuple(r[np.asarray(local)] for r in self.rates)
        r = np.empty((e.n, t.size, 3))
        v = np.empty_like(r) if with_velocity else np.empty((1, 1, 3))
        args = [np.ascontiguousarray(x, dtype=float) for x in (e.a_km, e.e, e.i_rad, e.raan_rad, e.argp_rad, e.m0_rad, *rates)]
        _kepler_states(*args, t, el.MU_EARTH_KM3_S2, r, v, with_velocity)
        return r, (v if with_velocity else None)


@dataclass(frozen=True, eq=False)
class Sgp4Propagator:
    """SGP4 through python-sgp4's ``SatrecArray``; output rotated from TEME to GCRS."""

    satrecs: list
    epoch: Time

    @property
    def n_sat(self) -> int:
        return len(self.satrecs)

    def _teme(self, offsets_s: np.ndarray, local: np.ndarray | None):
        offsets_s = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        times = (self.epoch + TimeDelta(offsets_s, format="sec")).utc
        recs = self.satrecs if local is None else [self.satrecs[int(k)] for k in np.atleast_1d(local)]
        # SGP4 counts time as days of 86400 s from the epoch (no leap seconds), like its tsince.
        epoch = self.epoch.utc
        jd1 = np.full(offsets_s.shape, float(epoch.jd1))
        err, r, v = SatrecArray(recs).sgp4(jd1, float(epoch.jd2) + offsets_s / 86400.0)
        if np.any(err):
            bad = np.isnan(r).any(axis=-1) | (err != 0)
            r[bad] = np.nan
            v[bad] = np.nan
        return times, r, v

    def positions(self, offsets_s: np.ndarray, local: slice | None = None) -> np.ndarray:
        """GCRS positions ``(n_sel, n_time, 3)`` km; ``local`` selects a range of the shell's satellites."""
        r, _ = self.states(offsets_s, None if local is None else np.arange(self.n_sat)[local], with_velocity=False)
        return r

    def states(self, offsets_s: np.ndarray, local: np.ndarray | None = None, with_velocity: bool = True):
        times, r, v = self._teme(offsets_s, local)
        mats = frames.teme_to_gcrs_matrices(times)
        r = frames.apply_rotation(mats, r)
        # The TEME -> GCRS rotation changes by ~1e-11 rad/s (precession): its effect on velocity is negligible.
        v = frames.apply_rotation(mats, v) if with_velocity else None
        return r, v


ShellPropagator = AnalyticPropagator | Sgp4Propagator


def make_propagator(shell, source, epoch: Time) -> ShellPropagator:
    """The propagator a shell asks for: its source is mean elements or a list of ``Satrec``."""
    if isinstance(source, MeanElements):
        if shell.propagator == "sgp4":
            return Sgp4Propagator(satrecs_from_elements(source, epoch), epoch)
        return AnalyticPropagator(source, j2=shell.propagator == "j2")
    return Sgp4Propagator(list(source), epoch)
