"""Free-space optical inter-satellite links: capacity from range, link by link and epoch by epoch.

For a link between two satellites whose buses set ``optical_tx_power_w``, the received power
at range ``R`` is the far-field (Friis) budget of two diffraction-limited apertures::

    P_rx = P_tx  eta  L_point  (pi D_tx D_rx / (4 lambda R))^2

(``eta`` = ``optical_efficiency``, ``L_point`` = ``10^(-optical_pointing_loss_db / 10)``; the
aperture gains ``(pi D / lambda)^2`` and the free-space loss ``(lambda / 4 pi R)^2`` combined).
Closer than the far field, when the formula would collect more than was sent, the receiver
catches the whole beam: ``P_rx <= P_tx eta L_point``. The capacity is the received power over
the power the receiver needs per Gbit/s (``optical_rx_w_per_gbps``; 1.28e-8 W is 100 photons per
bit at 1550 nm), capped by the terminal's rate ``isl_gbps``::

    capacity_gbps = min(isl_gbps, P_rx / optical_rx_w_per_gbps)

so it is flat while the terminal is the limit and falls as ``1 / R^2`` beyond. A link with no
optical budget on either bus keeps its ``isl_gbps``. Each link's rate in the topology (what
latency routing and the bottleneck figures read) becomes the budget at its longest range over
the window; training reads the capacity epoch by epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

MAX_LISTED_LINKS = 500


def received_power_w(tx_w: float, aperture_tx_m: float, aperture_rx_m: float, wavelength_m: float,
                     range_m: np.ndarray | float, efficiency: float = 1.0, pointing_loss_db: float = 0.0) -> np.ndarray:
    """Received optical power (W) at ``range_m`` (far-field budget, capped at the near-field catch)."""
    loss = efficiency * 10.0 ** (-pointing_loss_db / 10.0)
    r = np.maximum(np.asarray(range_m, dtype=float), 1e-9)
    far = tx_w * loss * (np.pi * aperture_tx_m * aperture_rx_m / (4.0 * wavelength_m * r)) ** 2
    return np.minimum(far, tx_w * loss)


def capacity_gbps(bus_a, bus_b, range_m: np.ndarray) -> np.ndarray:
    """Rate of a link between buses ``a`` (sending) and ``b`` at ``range_m``; ``isl_gbps`` of the
    slower end when neither has an optical budget."""
    cap = min(bus_a.isl_gbps, bus_b.isl_gbps)
    tx = bus_a if bus_a.optical_tx_power_w is not None else bus_b
    if tx.optical_tx_power_w is None:
        return np.full(np.shape(range_m), float(cap))
    rx = bus_b if tx is bus_a else bus_a
    p_rx = received_power_w(tx.optical_tx_power_w, tx.optical_aperture_m, rx.optical_aperture_m,
                            tx.optical_wavelength_nm * 1e-9, range_m, tx.optical_efficiency, tx.optical_pointing_loss_db)
    return np.minimum(float(cap), p_rx / rx.optical_rx_w_per_gbps)


@dataclass(frozen=True, eq=False)
class OpticalResult:
    """Per-link range and capacity over the analysis grid.

    ``range_km`` and ``capacity_gbps`` are ``(n_time, n_edge)`` over the topology's edge list
    (the budget at the range, whether or not the link is up: ``active`` says that);
    ``optical`` marks links with an optical budget.
    """

    edges: np.ndarray
    names: tuple[str, ...]
    range_km: np.ndarray
    capacity_gbps: np.ndarray
    active: np.ndarray
    optical: np.ndarray

    def worst_capacity_gbps(self) -> np.ndarray:
        """``(n_edge,)`` capacity at each link's longest range while it is up (its terminal rate if never up)."""
        cap = np.where(self.active, self.capacity_gbps, np.inf)
        worst = cap.min(axis=0) if cap.size else np.zeros(0)
        return np.where(np.isfinite(worst), worst, self.capacity_gbps.max(axis=0) if cap.size else worst)

    def apply(self, topology):
        """The topology with each link's rate set to its worst-case budget (for routing)."""
        return replace(topology, isl_capacity_gbps=self.worst_capacity_gbps())

    def link_summary(self, e: int) -> dict:
        up = self.active[:, e]
        rng = self.range_km[up, e] * 1000.0 if up.any() else np.array([np.nan])
        cap = self.capacity_gbps[up, e] if up.any() else np.array([np.nan])
        a, b = (int(x) for x in self.edges[e])
        return {"a": self.names[a], "b": self.names[b], "up_fraction": float(up.mean()),
                "min_range_m": _num(rng.min()), "max_range_m": _num(rng.max()),
                "min_gbps": _num(cap.min()), "median_gbps": _num(np.median(cap)), "max_gbps": _num(cap.max())}

    def to_json(self) -> dict:
        idx = np.flatnonzero(self.optical)
        worst = self.worst_capacity_gbps()[idx] if idx.size else np.zeros(0)
        return {
            "links": int(idx.size),
            "min_capacity_gbps": _num(worst.min()) if idx.size else None,
            "median_capacity_gbps": _num(np.median(worst)) if idx.size else None,
            "links_listed": int(min(idx.size, MAX_LISTED_LINKS)),
            "per_link": [self.link_summary(int(e)) for e in idx[:MAX_LISTED_LINKS]],
            "model": "far-field optical link budget (apertures, wavelength, pointing loss) capped by the terminal rate",
        }

    def tables(self) -> list:
        from core.analysis.tables import Table

        idx = np.flatnonzero(self.optical)
        rows = [[s["a"] + " - " + s["b"], _fmt(s["min_range_m"], "{:.0f}"), _fmt(s["max_range_m"], "{:.0f}"),
                 _fmt(s["min_gbps"], "{:.4g}"), _fmt(s["median_gbps"], "{:.4g}"), f"{100 * s['up_fraction']:.0f}"]
                for s in (self.link_summary(int(e)) for e in idx[:10])]
        title = f"Optical links: capacity from range ({idx.size} links, first {len(rows)} shown)"
        return [Table(title, ["link", "min range m", "max range m", "min Gbit/s", "median Gbit/s", "up %"], rows)]


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _fmt(x, pattern: str) -> str:
    return "-" if x is None else pattern.format(x)


def compute_optical(mission, eph, topology) -> OpticalResult | None:
    """Link budgets of every inter-satellite link whose bus has an optical terminal budget;
    ``None`` when no link has one."""
    if topology.n_edge == 0:
        return None
    buses = [mission.bus_for(mission.constellations[eph.shells[int(k)].index]) for k in eph.shell_index]
    edges = np.asarray(topology.isl_edges, dtype=np.int64)
    optical = np.array([buses[a].optical_tx_power_w is not None or buses[b].optical_tx_power_w is not None for a, b in edges])
    if not optical.any():
        return None
    d = eph.r_eci_km[edges[:, 1]] - eph.r_eci_km[edges[:, 0]]  # (n_edge, n_time, 3)
    range_km = np.linalg.norm(d, axis=-1).T
    cap = np.empty_like(range_km)
    for e, (a, b) in enumerate(edges):
        cap[:, e] = capacity_gbps(buses[a], buses[b], range_km[:, e] * 1000.0)
    return OpticalResult(edges=edges, names=tuple(eph.names), range_km=range_km,
                         capacity_gbps=cap, active=topology.isl_active, optical=optical)
