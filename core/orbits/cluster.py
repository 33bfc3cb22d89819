"""Formation-flying clusters: N satellites that stay within a radius of a reference orbit.

Google's Suncatcher design flies 81 satellites within about 1 km, 100-200 m apart. Here the
satellites sit on *circular passive relative orbits* of the Hill / Clohessy-Wiltshire
equations: in the reference satellite's radial/along-track/cross-track frame an offset
``rho (cos th e1 + sin th e2)``, with ``e1 = (1/2, 0, sqrt(3)/2)``, ``e2 = (0, -1, 0)`` and
``th = n t + alpha``, is a free (drift-free) solution whose distance from the centre stays
``rho``. All offsets share the same plane and turn together, so the whole cluster is a rigid
disc rotating once per orbit: distances between satellites stay constant to first order.
Satellites are placed on a hexagonal lattice in that disc, spaced as widely as the radius
allows (at least ``min_separation_m``).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from core.mission.model import Constellation
from core.orbits import elements as el
from core.orbits.elements import MeanElements

E1 = np.array([0.5, 0.0, np.sqrt(3.0) / 2.0])
E2 = np.array([0.0, -1.0, 0.0])


def hex_lattice_points(count: int, radius_m: float, min_separation_m: float) -> tuple[np.ndarray, float]:
    """``count`` 2D points (m) within ``radius_m``, as far apart as possible on a hexagonal lattice.

    Returns the points (nearest the centre first) and the lattice spacing. Raises ``ValueError``
    if ``count`` points cannot be placed at ``min_separation_m``.
    """

    def lattice(spacing: float) -> np.ndarray:
        k = int(np.ceil(radius_m / spacing)) + 1
        i, j = np.meshgrid(np.arange(-2 * k, 2 * k + 1), np.arange(-2 * k, 2 * k + 1))
        pts = np.stack([spacing * (i + 0.5 * j), spacing * (np.sqrt(3) / 2) * j], axis=-1).reshape(-1, 2)
        d = np.hypot(pts[:, 0], pts[:, 1])
        keep = d <= radius_m + 1e-9
        order = np.argsort(d[keep], kind="stable")
        return pts[keep][order]

    if count == 1:
        return np.zeros((1, 2)), float(radius_m)
    if min_separation_m <= 0:
        raise ValueError("min_separation_m must be more than 0")
    # A lattice point owns a hexagon of (sqrt(3)/2) s^2 within the disc of radius R + s, so at most
    # (2 pi / sqrt(3)) (R/s + 1)^2 points fit: refuse before building any lattice.
    most = 2.0 * np.pi / np.sqrt(3.0) * (radius_m / min_separation_m + 1.0) ** 2
    if count > most:
        raise ValueError(f"{count} satellites do not fit within {radius_m:.0f} m at {min_separation_m:g} m spacing")
    # The spacing that fits ``count`` points is near R sqrt(2 pi / (sqrt(3) count)); starting the search at
    # half of it (never below the minimum) keeps every lattice near count points, however small the minimum.
    guess = radius_m * np.sqrt(2.0 * np.pi / (np.sqrt(3.0) * count))
    lo, hi = max(float(min_separation_m), 0.5 * guess), 2.0 * radius_m
    if len(lattice(lo)) < count:
        lo = float(min_separation_m)
        if len(lattice(lo)) < count:
            raise ValueError(f"{count} satellites do not fit within {radius_m:.0f} m at {min_separation_m:g} m spacing")
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if len(lattice(mid)) >= count else (lo, mid)
    return lattice(lo)[:count], lo


def cluster_elements(entry: Constellation, epoch: datetime) -> MeanElements:
    """Mean elements of every satellite of a cluster entry (reference orbit from the entry)."""
    spec = entry.cluster
    assert spec is not None
    if entry.altitude_km is None:
        raise ValueError(f"{entry.name}: a cluster needs altitude_km for its reference orbit")
    altitude_km = float(entry.altitude_km)
    inc = entry.inclination_deg
    if inc in (None, "sso"):
        inc = el.sso_inclination_deg(altitude_km, entry.eccentricity) if inc == "sso" else 0.0
    from core.orbits.walker import ltan_to_raan_deg  # needs the Sun (astropy): only when building

    raan0 = ltan_to_raan_deg(entry.ltan_h, epoch) if entry.ltan_h is not None else entry.raan0_deg
    a = el.R_EARTH_KM + altitude_km
    n = float(el.mean_motion_rad_s(a))
    pts_m, _ = hex_lattice_points(spec.satellites, spec.radius_km * 1000.0, spec.min_separation_m)
    rho = np.hypot(pts_m[:, 0], pts_m[:, 1]) / 1000.0
    alpha = np.arctan2(pts_m[:, 1], pts_m[:, 0])
    # Relative state in the rotating Hill frame (x radial, y along-track, z cross-track) at t = 0.
    d_r = rho[:, None] * (np.cos(alpha)[:, None] * E1 + np.sin(alpha)[:, None] * E2)
    d_v = rho[:, None] * n * (-np.sin(alpha)[:, None] * E1 + np.cos(alpha)[:, None] * E2)
    # Reference (chief) circular orbit at argument of latitude 0.
    i_rad, raan = np.radians(float(inc)), np.radians(raan0)
    r_hat = np.array([np.cos(raan), np.sin(raan), 0.0])
    h_hat = np.array([np.sin(raan) * np.sin(i_rad), -np.cos(raan) * np.sin(i_rad), np.cos(i_rad)])
    t_hat = np.cross(h_hat, r_hat)
    basis = np.stack([r_hat, t_hat, h_hat], axis=-1)  # columns: Hill axes in GCRS
    omega = np.array([0.0, 0.0, n])
    r_chief, v_chief = a * r_hat, a * n * t_hat
    r = r_chief + d_r @ basis.T
    v = v_chief + (d_v + np.cross(omega, d_r)) @ basis.T
    return elements_from_states(r, v)


def elements_from_states(r_km: np.ndarray, v_km_s: np.ndarray) -> MeanElements:
    """Classical elements of Cartesian states ``(n, 3)`` (osculating two-body elements)."""
    mu = el.MU_EARTH_KM3_S2
    h = np.cross(r_km, v_km_s)
    rn = np.linalg.norm(r_km, axis=1)
    vn2 = np.sum(v_km_s**2, axis=1)
    e_vec = (np.cross(v_km_s, h) / mu) - r_km / rn[:, None]
    e = np.linalg.norm(e_vec, axis=1)
    a = 1.0 / (2.0 / rn - vn2 / mu)
    hn = np.linalg.norm(h, axis=1)
    inc = np.arccos(np.clip(h[:, 2] / hn, -1, 1))
    node = np.stack([-h[:, 1], h[:, 0], np.zeros(len(h))], axis=1)
    node_n = np.linalg.norm(node, axis=1)
    raan = np.arctan2(node[:, 1], node[:, 0]) % (2 * np.pi)
    # argument of latitude (robust for near-circular orbits), then split into argp + true anomaly
    n_hat = node / np.where(node_n > 0, node_n, 1.0)[:, None]
    m_hat = np.cross(h / hn[:, None], n_hat)
    arg_lat = np.arctan2(np.sum(r_km * m_hat, axis=1), np.sum(r_km * n_hat, axis=1))
    argp = np.where(e > 1e-10, np.arctan2(np.sum(e_vec * m_hat, axis=1), np.sum(e_vec * n_hat, axis=1)), 0.0)
    nu = arg_lat - argp
    m0 = el.mean_from_true(nu, e) % (2 * np.pi)
    return MeanElements(a_km=a, e=e, i_rad=inc, raan_rad=raan, argp_rad=argp % (2 * np.pi), m0_rad=m0)
