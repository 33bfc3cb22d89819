"""Formation geometry over time and the station-keeping it costs, for clusters and custom sets.

For every ``cluster`` shell (and every set of custom ``satellites`` that starts within
:data:`MAX_FORMATION_RADIUS_KM` of its centroid) with two or more satellites:

* **Relative motion** is taken from the mission's own propagation (J2 secular for ``j2``, so
  each satellite's node, perigee and mean anomaly drift at the rates of its own elements and
  the formation slowly shears), expressed in the Hill frame (radial, along-track, cross-track)
  of the cluster's centroid. Differential drag is added on top: a satellite whose ballistic
  coefficient ``B = C_D A / m`` differs by ``dB`` from the cluster mean loses semi-major axis
  ``da/dt = -sqrt(mu a) rho dB`` faster, so it drifts along-track by ``-(3/4) n (da/dt) t^2``
  (COESA-76 density, the atmosphere of the lifetime estimate). ``Cluster.ballistic_coefficient_spread``
  spreads ``B`` uniformly over ``B (1 +- spread)`` in satellite order.
* **Minimum separation** over the window, the pair and time that reach it, and every pair that
  comes closer than ``min_separation_m`` (the cluster's, else :data:`DEFAULT_MIN_SEPARATION_M`):
  a warning.
* **Excursion from the nominal slot**: the distance of each satellite from the bounded
  Clohessy-Wiltshire (Hill) relative orbit through its initial relative state. On a two-body
  propagation it is only the linearisation error of the initial state (it scales with the
  square of the cluster's size); J2 and drag make it grow with time.
* The **nominal minimum separation** is that of the nominal slots over the window (the
  design's spacing); the window minimum is what the satellites reach without station-keeping.
* **Station-keeping delta-v** per satellite per year, closed form (method in
  ``docs/models/clusters-radiation-training.md``):

  - differential J2 (Schaub and Alfriend's mean-element rates): the node of a satellite whose
    inclination differs by ``di`` drifts at ``dOmega_dot``; holding the formation's cross-track
    geometry costs ``v |sin i dOmega_dot|`` per second (a plane rotation). Its relative
    eccentricity vector turns with the perigee at ``omega_dot``, rotating the in-plane ellipse
    against the cross-track motion; holding it costs ``(v/2) |de| |omega_dot|`` per second.
    The differential along-track rate is cancelled once by a semi-major-axis trim,
    ``v |du_dot| / (3 n)`` (reported as a one-time delta-v, not per year);
  - differential drag: ``(1/2) rho v^2 |dB|`` per second, the acceleration difference itself.

The differential-J2 node rate is checked against a numerical (boinor Cowell, J2) integration of
one pair in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.analysis.per_shell import PerShell
from core.mission.model import Mission
from core.orbits.ephemeris import Ephemeris

DEFAULT_MIN_SEPARATION_M = 50.0
"""Warning threshold for custom sets (clusters use their own ``min_separation_m``)."""
SECONDS_PER_YEAR = 365.25 * 86400.0
MAX_LISTED_PAIRS = 20
MAX_FORMATION_RADIUS_KM = 100.0
"""A custom set is analysed as a formation only if every satellite starts this close to its centroid."""


@dataclass(frozen=True)
class ClusterShell:
    """Geometry and station-keeping of one cluster (arrays are per satellite, in shell order)."""

    shell: str
    satellites: int
    names: tuple[str, ...]
    min_separation_m: float
    nominal_min_separation_m: float
    min_pair: tuple[str, str]
    min_time_s: float
    threshold_m: float
    close_pairs: tuple[tuple[str, str, float], ...]
    """Pairs closer than the threshold at some epoch: (a, b, closest distance m)."""
    close_pair_count: int
    max_radius_m: float
    excursion_m: np.ndarray
    j2_dv_m_s_per_year: np.ndarray
    drag_dv_m_s_per_year: np.ndarray
    trim_dv_m_s: np.ndarray

    @property
    def stationkeeping_dv_m_s_per_year(self) -> np.ndarray:
        return self.j2_dv_m_s_per_year + self.drag_dv_m_s_per_year

    @property
    def warning(self) -> str | None:
        if self.close_pair_count == 0:
            return None
        a, b = self.min_pair
        return (f"{self.close_pair_count} pair(s) come closer than {self.threshold_m:.0f} m; the closest, {a} and {b}, "
                f"reach {self.min_separation_m:.1f} m at t = {self.min_time_s:.0f} s")

    def to_json(self) -> dict:
        dv = self.stationkeeping_dv_m_s_per_year
        worst = int(np.argmax(dv))
        return {
            "shell": self.shell,
            "satellites": self.satellites,
            "min_separation_m": self.min_separation_m,
            "nominal_min_separation_m": self.nominal_min_separation_m,
            "min_separation_pair": list(self.min_pair),
            "min_separation_time_s": self.min_time_s,
            "separation_threshold_m": self.threshold_m,
            "pairs_below_threshold": self.close_pair_count,
            "close_pairs": [{"a": a, "b": b, "min_m": d} for a, b, d in self.close_pairs],
            "warning": self.warning,
            "max_radius_m": self.max_radius_m,
            "max_excursion_m": float(self.excursion_m.max()),
            "median_excursion_m": float(np.median(self.excursion_m)),
            "stationkeeping_dv_m_s_per_year": float(dv.max()),
            "stationkeeping_dv_m_s_per_year_mean": float(dv.mean()),
            "stationkeeping_dv_worst_satellite": self.names[worst],
            "j2_dv_m_s_per_year_max": float(self.j2_dv_m_s_per_year.max()),
            "drag_dv_m_s_per_year_max": float(self.drag_dv_m_s_per_year.max()),
            "along_track_trim_dv_m_s_max": float(self.trim_dv_m_s.max()),
            "method": "differential J2 mean-element rates (node, eccentricity vector) + differential drag (COESA-76), closed form",
        }


@dataclass(frozen=True)
class ClusterResult(PerShell):
    """Every cluster of the mission (the ``cluster`` section of the results)."""

    shells: tuple[ClusterShell, ...]

    def tables(self) -> list:
        from core.analysis.tables import Table

        rows = []
        for c in self.shells:
            dv = c.stationkeeping_dv_m_s_per_year
            rows.append([c.shell, c.satellites, f"{c.min_separation_m:.1f}", f"{c.nominal_min_separation_m:.1f}",
                         f"{c.threshold_m:.0f}", c.close_pair_count,
                         f"{c.max_radius_m:.0f}", f"{c.excursion_m.max():.2f}", f"{dv.max():.2f}", f"{dv.mean():.2f}",
                         f"{c.drag_dv_m_s_per_year.max():.3f}"])
        cols = ["shell", "satellites", "min separation m", "design spacing m", "threshold m", "pairs below", "max radius m",
                "max excursion m", "station-keeping m/s/yr (max)", "mean", "of which drag"]
        tables = [Table("Cluster geometry and station-keeping (J2 + differential drag)", cols, rows)]
        warnings = [[c.shell, c.warning] for c in self.shells if c.warning]
        if warnings:
            tables.append(Table("Cluster warnings", ["shell", "warning"], warnings))
        return tables


# ----------------------------------------------------------------------------------------
# Relative motion


def hill_frames(r_c: np.ndarray, v_c: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(n_time, 3, 3)`` whose rows are the radial, along-track and
    cross-track unit vectors of the reference states ``r_c, v_c`` ``(n_time, 3)``."""
    x = r_c / np.linalg.norm(r_c, axis=-1, keepdims=True)
    h = np.cross(r_c, v_c)
    z = h / np.linalg.norm(h, axis=-1, keepdims=True)
    y = np.cross(z, x)
    return np.stack([x, y, z], axis=-2)


def cw_propagate(rel0: np.ndarray, vel0: np.ndarray, n_rad_s: float, t_s: np.ndarray) -> np.ndarray:
    """Clohessy-Wiltshire positions ``(n, n_time, 3)`` from Hill-frame states ``(n, 3)`` at t = 0
    (``vel0`` in the rotating frame)."""
    nt = n_rad_s * np.asarray(t_s, dtype=float)[None, :]
    c, s = np.cos(nt), np.sin(nt)
    x0, y0, z0 = (rel0[:, k:k + 1] for k in range(3))
    vx, vy, vz = (vel0[:, k:k + 1] for k in range(3))
    n = n_rad_s
    x = (4 - 3 * c) * x0 + s / n * vx + 2 * (1 - c) / n * vy
    y = 6 * (s - nt) * x0 + y0 - 2 * (1 - c) / n * vx + (4 * s - 3 * nt) / n * vy
    z = c * z0 + s / n * vz
    return np.stack([x, y, z], axis=-1)


def relative_motion(r_km: np.ndarray, v_km_s: np.ndarray, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Hill-frame positions (km) about the centroid, the nominal slots, and the centroid's mean
    motion. ``r_km``/``v_km_s`` are ``(n, n_time, 3)`` inertial states.

    A satellite's nominal slot is the bounded (drift-free) Clohessy-Wiltshire relative orbit
    through its initial relative position and its initial radial and cross-track velocity: the
    slot a passive-ellipse design means it to fly."""
    r_c, v_c = r_km.mean(axis=0), v_km_s.mean(axis=0)
    rot = hill_frames(r_c, v_c)
    rel = np.einsum("tij,ntj->nti", rot, r_km - r_c[None])
    n_rad_s = float(np.linalg.norm(np.cross(r_c[0], v_c[0])) / np.dot(r_c[0], r_c[0]))
    omega = np.array([0.0, 0.0, n_rad_s])
    vel0 = np.einsum("ij,nj->ni", rot[0], v_km_s[:, 0] - v_c[0]) - np.cross(omega, rel[:, 0])
    vel0[:, 1] = -2.0 * n_rad_s * rel[:, 0, 0]  # the bounded (drift-free) relative orbit through the start
    nominal = cw_propagate(rel[:, 0], vel0, n_rad_s, t_s - t_s[0])
    return rel, nominal, n_rad_s


def drag_along_track_km(a_km: float, n_rad_s: float, d_b_m2_kg: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Along-track displacement ``(n, n_time)`` km of satellites whose ballistic coefficient is
    ``d_b_m2_kg`` above the cluster mean: ``-(3/4) n (da/dt) t^2`` with ``da/dt = -sqrt(mu a) rho dB``."""
    from core.orbits import elements as el
    from core.orbits.lifetime import density_kg_m3

    rho = float(density_kg_m3(a_km - el.R_EARTH_KM))
    a_dot_km_s = -np.sqrt(el.MU_EARTH_KM3_S2 * a_km) * rho * np.asarray(d_b_m2_kg, dtype=float) * 1e3
    return -0.75 * n_rad_s * a_dot_km_s[:, None] * np.asarray(t_s, dtype=float)[None, :] ** 2


# ----------------------------------------------------------------------------------------
# Station-keeping


def stationkeeping_dv(elements, b_m2_kg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-satellite ``(J2 m/s/yr, drag m/s/yr, one-time along-track trim m/s)`` to hold a
    formation whose satellites have mean ``elements`` and ballistic coefficients ``b_m2_kg``,
    against a circular reference orbit at the cluster's mean ``a`` and ``i`` (closed form)."""
    from core.orbits import elements as el
    from core.orbits.lifetime import density_kg_m3

    a, e, inc = np.asarray(elements.a_km, float), np.asarray(elements.e, float), np.asarray(elements.i_rad, float)
    a_c, i_c = float(a.mean()), float(inc.mean())
    raan_dot, argp_dot, m_dot = el.j2_rates(a, e, inc)
    raan_c, argp_c, m_c = (float(x) for x in el.j2_rates(a_c, 0.0, i_c))
    v_m_s = float(np.sqrt(el.MU_EARTH_KM3_S2 / a_c)) * 1e3
    n = float(el.mean_motion_rad_s(a_c))
    d_raan = raan_dot - raan_c
    # argument of latitude plus the along-track share of the node drift
    d_u = (argp_dot + m_dot - argp_c - m_c) + np.cos(i_c) * d_raan
    cross = v_m_s * np.abs(np.sin(i_c) * d_raan)
    ecc = 0.5 * v_m_s * e * np.abs(argp_dot)
    j2 = (cross + ecc) * SECONDS_PER_YEAR
    rho = float(density_kg_m3(a_c - el.R_EARTH_KM))
    drag = 0.5 * rho * v_m_s**2 * np.abs(b_m2_kg - b_m2_kg.mean()) * SECONDS_PER_YEAR
    trim = v_m_s * np.abs(d_u) / (3 * n)
    return j2, drag, trim


def ballistic_coefficients(b_m2_kg: float, spread: float, count: int) -> np.ndarray:
    """``count`` ballistic coefficients spread uniformly over ``b (1 - spread) .. b (1 + spread)``."""
    return b_m2_kg * (1.0 + spread * np.linspace(-1.0, 1.0, count)) if count > 1 else np.full(count, b_m2_kg)


# ----------------------------------------------------------------------------------------
# Whole mission


def analyse_cluster(name: str, names: tuple[str, ...], r_km: np.ndarray, v_km_s: np.ndarray, t_s: np.ndarray,
                    elements, b_m2_kg: np.ndarray, threshold_m: float) -> ClusterShell:
    """Geometry and station-keeping of one set of satellites (states ``(n, n_time, 3)``)."""
    from scipy.spatial import cKDTree

    rel, nominal, n_rad_s = relative_motion(r_km, v_km_s, t_s)
    a_mean = float(np.mean(np.linalg.norm(r_km[:, 0], axis=-1)))
    rel = rel.copy()
    rel[:, :, 1] += drag_along_track_km(a_mean, n_rad_s, b_m2_kg - b_m2_kg.mean(), t_s - t_s[0])
    count, n_time = rel.shape[:2]
    best = (np.inf, 0, 1, 0)
    nominal_min = np.inf
    close: dict[tuple[int, int], float] = {}
    thr_km = threshold_m / 1000.0
    for t in range(n_time):
        nominal_min = min(nominal_min, float(cKDTree(nominal[:, t]).query(nominal[:, t], k=2)[0][:, 1].min()))
        tree = cKDTree(rel[:, t])
        dist, idx = tree.query(rel[:, t], k=2)
        i = int(np.argmin(dist[:, 1]))
        if dist[i, 1] < best[0]:
            best = (float(dist[i, 1]), i, int(idx[i, 1]), t)
        if dist[:, 1].min() < thr_km:
            for a, b in tree.query_pairs(thr_km):
                d = float(np.linalg.norm(rel[a, t] - rel[b, t]))
                key = (min(a, b), max(a, b))
                close[key] = min(close.get(key, np.inf), d)
    d_min, ia, ib, t_min = best
    listed = sorted(close.items(), key=lambda kv: kv[1])[:MAX_LISTED_PAIRS]
    j2, drag, trim = stationkeeping_dv(elements, b_m2_kg)
    return ClusterShell(
        shell=name, satellites=count, names=names,
        min_separation_m=d_min * 1000.0, nominal_min_separation_m=nominal_min * 1000.0, min_pair=(names[min(ia, ib)], names[max(ia, ib)]),
        min_time_s=float(t_s[t_min]), threshold_m=float(threshold_m),
        close_pairs=tuple((names[a], names[b], d * 1000.0) for (a, b), d in listed), close_pair_count=len(close),
        max_radius_m=float(np.linalg.norm(rel, axis=-1).max() * 1000.0),
        excursion_m=np.linalg.norm(rel - nominal, axis=-1).max(axis=1) * 1000.0,
        j2_dv_m_s_per_year=j2, drag_dv_m_s_per_year=drag, trim_dv_m_s=trim,
    )


def compute_cluster(mission: Mission, eph: Ephemeris) -> ClusterResult | None:
    """Geometry over the analysis window and station-keeping of every cluster and custom set with
    two or more satellites; ``None`` when the mission has none."""
    out = []
    t_s = np.asarray(eph.time.offsets_s, dtype=float)
    for shell in eph.shells:
        if shell.source not in ("cluster", "satellites") or shell.n_sat < 2:
            continue
        entry = mission.constellations[shell.index]
        spec = entry.cluster
        threshold = spec.min_separation_m if spec is not None else DEFAULT_MIN_SEPARATION_M
        spread = getattr(spec, "ballistic_coefficient_spread", 0.0) if spec is not None else 0.0
        sats = np.arange(shell.sat_slice.start, shell.sat_slice.stop)
        r, v = eph.states_eci(t_s, sats)
        if np.linalg.norm(r[:, 0] - r[:, 0].mean(axis=0), axis=-1).max() > MAX_FORMATION_RADIUS_KM:
            continue  # satellites in separate orbits, not a formation
        b = ballistic_coefficients(mission.bus_for(mission.constellations[shell.index]).ballistic_coefficient_m2_kg, spread, shell.n_sat)
        out.append(analyse_cluster(shell.name, tuple(shell.sat_names), r, v, t_s, shell.elements, b, threshold))
    return ClusterResult(tuple(out)) if out else None
