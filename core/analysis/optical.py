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
the window; training computes the capacity epoch by epoch (:func:`edge_capacity_gbps`).

The ranges are computed block of epochs by block (:mod:`core.analysis.windows`, on an
executor when given) and folded into each link's worst budget (min and max: exact); the
per-epoch ranges are kept only for the links the results list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.analysis.topology import Topology
from core.mission.bus import Bus
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris

MAX_LISTED_LINKS = 500
OPTICAL_BYTES_PER_SAT_EPOCH = 128
"""Block memory per satellite and epoch: inertial float64 positions (24 bytes) and, for about
two links per satellite, their separation vectors (48), ranges and capacities (32) and temporaries."""


def received_power_w(tx_w: float, aperture_tx_m: float, aperture_rx_m: float, wavelength_m: float,
                     range_m: np.ndarray | float, efficiency: float = 1.0, pointing_loss_db: float = 0.0) -> np.ndarray:
    """Received optical power (W) at ``range_m`` (far-field budget, capped at the near-field catch)."""
    loss = efficiency * 10.0 ** (-pointing_loss_db / 10.0)
    r = np.maximum(np.asarray(range_m, dtype=float), 1e-9)
    far = tx_w * loss * (np.pi * aperture_tx_m * aperture_rx_m / (4.0 * wavelength_m * r)) ** 2
    return np.minimum(far, tx_w * loss)


def capacity_gbps(bus_a: Bus, bus_b: Bus, range_m: np.ndarray) -> np.ndarray:
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


def satellite_buses(mission: Mission, eph: Ephemeris) -> tuple[list[Bus], np.ndarray]:
    """The buses of the mission's shells and, per satellite of ``eph``, the index of its bus in that list."""
    buses = [mission.bus_for(mission.constellations[shell.index]) for shell in eph.shells]
    return buses, np.asarray(eph.shell_index, dtype=np.int64)


def has_optical_budget(mission: Mission, eph: Ephemeris, edges: np.ndarray) -> np.ndarray:
    """``(n_edge,)`` bool: either end's bus sets ``optical_tx_power_w``."""
    buses, of_sat = satellite_buses(mission, eph)
    on = np.array([b.optical_tx_power_w is not None for b in buses], dtype=bool)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    return on[of_sat[edges[:, 0]]] | on[of_sat[edges[:, 1]]] if on.size else np.zeros(edges.shape[0], bool)


def edge_range_km(win: Ephemeris, edges: np.ndarray) -> np.ndarray:
    """``(n_time, n_edge)`` length of each link (global satellite indices) on the epochs of ``win``."""
    r = win.r_eci_km
    return np.linalg.norm(r[edges[:, 1]] - r[edges[:, 0]], axis=-1).T


def edge_capacity_gbps(mission: Mission, eph: Ephemeris, edges: np.ndarray, range_km: np.ndarray) -> np.ndarray:
    """``(n_time, n_edge)`` rate of each link at ``range_km`` (:func:`capacity_gbps` of its two buses)."""
    buses, of_sat = satellite_buses(mission, eph)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    cap = np.empty_like(range_km)
    pair = of_sat[edges[:, 0]] * max(len(buses), 1) + of_sat[edges[:, 1]]
    for key in np.unique(pair):
        sel = np.flatnonzero(pair == key)
        a, b = divmod(int(key), max(len(buses), 1))
        cap[:, sel] = capacity_gbps(buses[a], buses[b], range_km[:, sel] * 1000.0)
    return cap


@dataclass(frozen=True, eq=False)
class OpticalResult:
    """Per-link worst budget over the analysis grid, and the listed links epoch by epoch.

    ``worst_gbps`` is ``(n_edge,)`` over the topology's edge list: the capacity at each link's
    longest range while it is up (its best budget if never up). ``optical`` marks links with
    an optical budget; ``listed`` indexes the first :data:`MAX_LISTED_LINKS` of them, whose
    per-epoch ``listed_range_km``, ``listed_capacity_gbps`` (the budget whether or not the
    link is up) and ``listed_active`` are ``(n_time, n_listed)``.
    """

    edges: np.ndarray
    names: tuple[str, ...]
    optical: np.ndarray
    worst_gbps: np.ndarray
    listed: np.ndarray
    listed_range_km: np.ndarray
    listed_capacity_gbps: np.ndarray
    listed_active: np.ndarray

    def worst_capacity_gbps(self) -> np.ndarray:
        """``(n_edge,)`` capacity at each link's longest range while it is up (its terminal rate if never up)."""
        return self.worst_gbps

    def apply(self, topology: Topology) -> Topology:
        """The topology with each link's rate set to its worst-case budget (for routing)."""
        return replace(topology, isl_capacity_gbps=self.worst_capacity_gbps())

    def link_summary(self, e: int) -> dict:
        """Range and capacity of link ``e`` of the edge list (a listed one) over the epochs it is up."""
        k = int(np.searchsorted(self.listed, e))
        if k >= self.listed.size or self.listed[k] != e:
            raise KeyError(f"link {e} is not among the {self.listed.size} listed optical links")
        up = self.listed_active[:, k]
        rng = self.listed_range_km[up, k] * 1000.0 if up.any() else np.array([np.nan])
        cap = self.listed_capacity_gbps[up, k] if up.any() else np.array([np.nan])
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


def window_optical(mission: Mission, win: Ephemeris, edges: np.ndarray, active: np.ndarray,
                   listed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One block's fold of the optical links ``edges``: ``(min capacity while up (inf: never up),
    max capacity, listed ranges, listed capacities)``; ``listed`` indexes ``edges``."""
    rng = edge_range_km(win, edges)
    cap = edge_capacity_gbps(mission, win, edges, rng)
    low = np.where(active, cap, np.inf).min(axis=0) if cap.shape[0] else np.full(edges.shape[0], np.inf)
    high = cap.max(axis=0) if cap.shape[0] else np.full(edges.shape[0], -np.inf)
    return low, high, rng[:, listed], cap[:, listed]


def optical_block(mission_data: dict, folder: str | None, t0: int, t1: int, edges: np.ndarray, active: np.ndarray,
                  listed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`window_optical` of epochs ``t0:t1`` as an executor task."""
    from core.analysis.windows import run_window_task

    return run_window_task(window_optical, mission_data, folder, t0, t1, edges, active, listed)


def compute_optical(mission: Mission, eph: Ephemeris, topology: Topology, base_dir: Path | None = None,
                    executor: BlockExecutor | None = None) -> OpticalResult | None:
    """Link budgets of every inter-satellite link whose bus has an optical terminal budget;
    ``None`` when no link has one. Block by block over the epochs, on ``executor`` when given."""
    from core.analysis.windows import over_windows

    if topology.n_edge == 0:
        return None
    edges = np.asarray(topology.isl_edges, dtype=np.int64)
    optical = has_optical_budget(mission, eph, edges)
    if not optical.any():
        return None
    which = np.flatnonzero(optical)
    opt_edges = np.ascontiguousarray(edges[which])
    listed_pos = np.arange(min(which.size, MAX_LISTED_LINKS))
    low = np.full(which.size, np.inf)
    high = np.full(which.size, -np.inf)
    ranges, caps = [], []
    for _t0, _t1, (lo, hi, rng, cap) in over_windows(
            window_optical, optical_block, mission, eph, base_dir, OPTICAL_BYTES_PER_SAT_EPOCH,
            args_of=lambda t0, t1: (opt_edges, topology.isl_active[t0:t1, which], listed_pos), executor=executor):
        np.minimum(low, lo, out=low)
        np.maximum(high, hi, out=high)
        ranges.append(rng)
        caps.append(cap)
    worst = edge_capacity_gbps(mission, eph, edges, np.zeros((1, edges.shape[0])))[0]  # the terminal rate: flat at short range
    worst[which] = np.where(np.isfinite(low), low, high)
    listed = which[listed_pos]
    n_listed = listed.size
    return OpticalResult(
        edges=edges, names=tuple(eph.names), optical=optical, worst_gbps=worst, listed=listed,
        listed_range_km=np.concatenate(ranges) if ranges else np.zeros((0, n_listed)),
        listed_capacity_gbps=np.concatenate(caps) if caps else np.zeros((0, n_listed)),
        listed_active=np.ascontiguousarray(topology.isl_active[:, listed]),
    )
