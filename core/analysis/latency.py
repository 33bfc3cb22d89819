"""The network analysis: one-way latency between named places through the constellation.

For every ``latency_pairs`` entry of the mission, at every epoch of the analysis grid, the
shortest route goes up from the first place to a satellite it sees (at or above its
elevation mask: a ground station's own ``min_elevation_deg``, a city's the mission's
``analysis.min_elevation_deg``; and within its slant range ``max_range_km``, default
``analysis.max_ground_range_km``, when one is set), along inter-satellite links (see
:mod:`core.analysis.topology`), and down to the second place. Routes never relay through
another city or station. Latency is the route length over the vacuum speed of light.

Each pair is compared with two ground baselines over the great-circle distance on a
sphere of mean radius 6371.0 km (the places' geodetic latitudes used as spherical ones):
``vacuum_ms`` (light in vacuum along the Earth's surface — a floor no real route reaches)
and ``fiber_ms`` (light in fibre, 2/3 c, along the great circle).

Example (Starlink shell 1 with ``isl: plus-grid`` and one pair, a day at 60 s)::

    from core.api import load_mission
    from core.orbits.ephemeris import build_ephemeris
    mission = load_mission("starlink.yaml"); eph = build_ephemeris(mission, lazy=True)
    topo = compute_topology(mission, eph)
    net = compute_network(mission, eph, topo)
    net.latency_ms.shape      # (1, 1441): pairs x epochs, NaN where unreachable
    net.route_at(0, 0)        # [265, 266, 288, 310, 332]: satellites in travel order
    topo.links_at(0).shape    # (3168, 2): inter-satellite links up at epoch 0
    net.to_json()             # the "latency" section of the results document

The routing runs block of epochs by block (:mod:`core.analysis.windows`), here or on an
executor; the per-epoch figures are concatenated in time order, so the percentiles are
those of the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.analysis.routing import Routes, concat_routes, route_changed, route_pairs
from core.analysis.topology import Topology
from core.constants import C_KM_S, EARTH_MEAN_RADIUS_KM
from core.constants import FIBRE_KM_S as FIBER_SPEED_KM_S
from core.mission.model import Mission
from core.orbits.blocks import BlockExecutor
from core.orbits.ephemeris import Ephemeris

ROUTING_BYTES_PER_SAT_EPOCH = 72
"""Block memory per satellite and epoch: inertial and Earth-fixed float64 positions (48 bytes)
and the frame rotation's temporary (24); the per-epoch graph is reused from epoch to epoch."""


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """Routes and latencies of every latency pair over the analysis grid.

    Arrays are ``(n_pair, n_time)`` unless noted.

    Attributes:
        pairs: ``(from, to)`` place names, in the mission's order.
        place_names: the places that appear in a pair; ``pair_from``/``pair_to`` ``(n_pair,)``
            index them.
        place_ecef_km: ``(n_place, 3)`` Earth-fixed positions (WGS-84, at the place's altitude).
        place_min_elevation_deg: ``(n_place,)`` the elevation mask used for each place.
        offsets_s: ``(n_time,)`` seconds from the mission epoch.
        latency_ms: one-way latency, NaN where no route exists.
        hops: links on the route (uplink + inter-satellite links + downlink), -1 unreachable.
        bottleneck_gbps: smallest link rate on the route (ground links at the bus
            ``downlink_mbps``, ISLs at ``isl_gbps``), NaN unreachable.
        route_changed: True where the satellite path differs from the previous epoch's.
        route_sats, route_start, route_len: ragged satellite paths; use :meth:`route_at`.
        great_circle_km, vacuum_ms, fiber_ms: ``(n_pair,)`` ground baselines.
        place_max_range_km: ``(n_place,)`` slant-range limit of each place's ground links,
            ``inf`` where only the elevation mask applies.
    """

    pairs: tuple[tuple[str, str], ...]
    place_names: tuple[str, ...]
    place_ecef_km: np.ndarray
    place_min_elevation_deg: np.ndarray
    pair_from: np.ndarray
    pair_to: np.ndarray
    offsets_s: np.ndarray
    latency_ms: np.ndarray
    hops: np.ndarray
    bottleneck_gbps: np.ndarray
    route_changed: np.ndarray
    route_sats: np.ndarray
    route_start: np.ndarray
    route_len: np.ndarray
    great_circle_km: np.ndarray
    vacuum_ms: np.ndarray
    fiber_ms: np.ndarray
    place_max_range_km: np.ndarray | None = None

    @property
    def n_pair(self) -> int:
        return len(self.pairs)

    @property
    def n_time(self) -> int:
        return int(self.offsets_s.size)

    @property
    def reachable(self) -> np.ndarray:
        """``(n_pair, n_time)`` bool, a route exists."""
        return np.isfinite(self.latency_ms)

    def pair_index(self, pair: int | tuple[str, str]) -> int:
        """Index of a pair given as an index or as ``(from, to)`` names."""
        if isinstance(pair, (int, np.integer)):
            return int(pair)
        return self.pairs.index(tuple(pair))

    def route_at(self, pair: int | tuple[str, str], epoch: int) -> list[int]:
        """Satellites (global indices) on the route of ``pair`` at grid epoch ``epoch``, in
        travel order from the first place; empty when unreachable."""
        q = self.pair_index(pair)
        start = int(self.route_start[q, epoch])
        return self.route_sats[start : start + int(self.route_len[q, epoch])].tolist()

    def route_names(self, pair: int, epoch: int, sat_names) -> list[str]:
        """The route of ``pair`` at ``epoch`` as node names, from the first place through the
        satellites (``sat_names`` indexed by global satellite index) to the second place;
        empty when unreachable."""
        q = self.pair_index(pair)
        if not np.isfinite(self.latency_ms[q, epoch]):
            return []
        return [self.pairs[q][0], *(str(sat_names[k]) for k in self.route_at(q, epoch)), self.pairs[q][1]]

    def unreachable_s(self) -> np.ndarray:
        """``(n_pair,)`` total time without a route: each epoch stands for the time from halfway
        after the previous epoch to halfway before the next (so the weights add up to the
        analysis duration)."""
        return (~self.reachable * epoch_weights_s(self.offsets_s)).sum(axis=1)

    def route_changes(self) -> np.ndarray:
        """``(n_pair,)`` number of epochs whose route differs from the previous one."""
        return self.route_changed.sum(axis=1)

    def route_flap_fraction(self) -> np.ndarray:
        """``(n_pair,)`` share of epoch-to-epoch steps in which the route changes."""
        steps = max(self.n_time - 1, 1)
        return self.route_changes() / steps

    def summary(self, pair: int) -> dict:
        """Statistics of one pair over the epochs (the JSON entry)."""
        lat = self.latency_ms[pair]
        ok = np.isfinite(lat)
        stats: dict[str, float | None] = {"min_ms": None, "median_ms": None, "max_ms": None, "mean_hops": None, "bottleneck_gbps": None}
        if ok.any():
            stats = {
                "min_ms": float(np.min(lat[ok])),
                "median_ms": float(np.median(lat[ok])),
                "max_ms": float(np.max(lat[ok])),
                "mean_hops": float(np.mean(self.hops[pair][ok])),
                "bottleneck_gbps": float(np.median(self.bottleneck_gbps[pair][ok])),
            }
        return {
            "from": self.pairs[pair][0],
            "to": self.pairs[pair][1],
            "min_ms": stats["min_ms"],
            "median_ms": stats["median_ms"],
            "max_ms": stats["max_ms"],
            "reachable_fraction": float(ok.mean()) if ok.size else 0.0,
            "unreachable_s": float(self.unreachable_s()[pair]),
            "great_circle_km": float(self.great_circle_km[pair]),
            "vacuum_ms": float(self.vacuum_ms[pair]),
            "fiber_ms": float(self.fiber_ms[pair]),
            "mean_hops": stats["mean_hops"],
            "bottleneck_gbps": stats["bottleneck_gbps"],
            "route_changes": int(self.route_changes()[pair]),
            "route_flap_fraction": float(self.route_flap_fraction()[pair]),
        }

    def to_json(self) -> list[dict]:
        """The contract's ``latency`` section: one entry per pair.

        ``min_ms``/``median_ms``/``max_ms``, ``mean_hops`` and ``bottleneck_gbps`` (median
        of the per-epoch bottleneck) are over the epochs with a route, and ``null`` for a
        pair that is never reachable; ``unreachable_s`` is the time without a route (see
        :meth:`unreachable_s`); ``mean_hops`` counts links (uplink, inter-satellite
        links, downlink: 2 for a single bent-pipe satellite). ``route_changes`` counts the epochs whose satellite
        path differs from the previous epoch's; ``route_flap_fraction`` divides it by the
        number of epoch-to-epoch steps.
        """
        return [self.summary(q) for q in range(self.n_pair)]

    def tables(self) -> list:
        """One table: each pair's latency through the constellation against fibre."""
        from core.analysis.tables import Table

        rows = []
        for entry in self.to_json():
            med = entry["median_ms"]
            rows.append(
                [
                    f"{entry['from']} - {entry['to']}",
                    _ms(entry["min_ms"]),
                    _ms(med),
                    _ms(entry["max_ms"]),
                    _ms(entry["fiber_ms"]),
                    "-" if med is None else f"{med / entry['fiber_ms']:.2f}" if entry["fiber_ms"] > 0 else "-",
                    f"{100 * entry['reachable_fraction']:.1f}",
                    "-" if entry["mean_hops"] is None else f"{entry['mean_hops']:.1f}",
                    "-" if entry["bottleneck_gbps"] is None else f"{entry['bottleneck_gbps']:.3g}",
                    f"{100 * entry['route_flap_fraction']:.0f}",
                ]
            )
        columns = ["pair", "min ms", "median ms", "max ms", "fibre ms", "median/fibre", "reachable %",
                   "hops", "bottleneck Gbit/s", "route flaps %"]
        return [Table("Latency against fibre", columns, rows)]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def epoch_weights_s(offsets_s: np.ndarray) -> np.ndarray:
    """Seconds each grid epoch stands for: half the gap to each neighbour (a single epoch: 0)."""
    t = np.asarray(offsets_s, dtype=float)
    if t.size < 2:
        return np.zeros(t.size)
    gaps = np.diff(t)
    return np.concatenate([[0.0], gaps / 2]) + np.concatenate([gaps / 2, [0.0]])


def place_range_km(mission: Mission, name: str) -> float:
    """Slant-range limit of a place's ground links: its own ``max_range_km`` (a mission ground
    station or city), else ``analysis.max_ground_range_km``, else ``inf``."""
    for group in (mission.ground_stations, mission.cities):
        for place in group:
            if place.name == name and place.max_range_km is not None:
                return float(place.max_range_km)
    default = getattr(mission.analysis, "max_ground_range_km", None)
    return float(default) if default is not None else np.inf


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg, radius_km: float = EARTH_MEAN_RADIUS_KM) -> np.ndarray:
    """Great-circle distance on a sphere (haversine), km; arrays broadcast."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2_deg, dtype=float) - np.asarray(lon1_deg, dtype=float))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def satellite_link_rates(mission: Mission, eph: Ephemeris) -> tuple[np.ndarray, np.ndarray]:
    """Per-satellite ``(isl_gbps, ground_gbps)`` from each shell's bus (``downlink_mbps / 1000``
    for the ground links, used for both directions)."""
    isl = np.zeros(eph.n_sat)
    ground = np.zeros(eph.n_sat)
    for shell in eph.shells:
        bus = mission.bus_for(mission.constellations[shell.index])
        isl[eph.local_slice(shell)] = bus.isl_gbps
        ground[eph.local_slice(shell)] = bus.downlink_mbps / 1000.0
    return isl, ground


@dataclass(frozen=True, eq=False)
class PairPlaces:
    """The places of the latency pairs, as the router reads them (small: sent with each block task)."""

    place_ecef_km: np.ndarray
    place_up: np.ndarray
    min_elevation_deg: np.ndarray
    max_range_km: np.ndarray
    pair_from: np.ndarray
    pair_to: np.ndarray


def window_routes(mission: Mission, win: Ephemeris, edges: np.ndarray, active: np.ndarray, places: PairPlaces) -> Routes:
    """Routes of every pair on the epochs of ``win`` (``active`` is the links' availability on them)."""
    isl_gbps, ground_gbps = satellite_link_rates(mission, win)
    return route_pairs(win.r_ecef_km, edges, active, places.place_ecef_km, places.place_up, places.min_elevation_deg,
                       places.pair_from, places.pair_to, isl_gbps, ground_gbps, place_max_range_km=places.max_range_km)


def latency_block(mission_data: dict, folder: str | None, t0: int, t1: int, edges: np.ndarray, active: np.ndarray,
                  places: PairPlaces) -> Routes:
    """:func:`window_routes` of epochs ``t0:t1`` as an executor task."""
    from core.analysis.windows import run_window_task

    return run_window_task(window_routes, mission_data, folder, t0, t1, edges, active, places)


def compute_network(mission: Mission, eph: Ephemeris, topology: Topology, base_dir: Path | None = None,
                    executor: BlockExecutor | None = None) -> NetworkResult | None:
    """Route every latency pair of ``mission`` at every epoch of ``eph`` over ``topology``'s links.

    Returns ``None`` when the mission has no ``latency_pairs``. The epochs are routed block by
    block, on ``executor`` when given (``base_dir``, the mission file's folder, lets the
    workers find its relative TLE files).
    """
    if not mission.latency_pairs:
        return None
    from core.analysis.windows import over_windows
    from core.catalog.places import resolve_place
    from core.orbits import frames

    pairs = tuple((str(a), str(b)) for a, b in mission.latency_pairs)
    names: list[str] = []
    for a, b in pairs:
        for name in (a, b):
            if name not in names:
                names.append(name)
    places = [resolve_place(mission, name) for name in names]
    lat = np.array([p.lat_deg for p in places], dtype=float)
    lon = np.array([p.lon_deg for p in places], dtype=float)
    alt_km = np.array([p.alt_m for p in places], dtype=float) / 1000.0
    mask_deg = np.array([p.min_elevation_deg for p in places], dtype=float)
    place_km = frames.ecef_from_geodetic(lat, lon, alt_km).reshape(-1, 3)
    place_up = frames.up_vector(lat, lon).reshape(-1, 3)
    pair_from = np.array([names.index(a) for a, _ in pairs], dtype=np.int64)
    pair_to = np.array([names.index(b) for _, b in pairs], dtype=np.int64)
    range_km = np.array([place_range_km(mission, name) for name in names], dtype=float)
    where = PairPlaces(place_km, place_up, mask_deg, range_km, pair_from, pair_to)

    edges = np.ascontiguousarray(topology.isl_edges, dtype=np.int64).reshape(-1, 2)
    parts = [routes for _t0, _t1, routes in over_windows(
        window_routes, latency_block, mission, eph, base_dir, ROUTING_BYTES_PER_SAT_EPOCH,
        args_of=lambda t0, t1: (edges, topology.isl_active[t0:t1], where), executor=executor)]
    routes = concat_routes(parts, len(pairs))
    gc_km = great_circle_km(lat[pair_from], lon[pair_from], lat[pair_to], lon[pair_to])
    return NetworkResult(
        pairs=pairs,
        place_names=tuple(names),
        place_ecef_km=place_km,
        place_min_elevation_deg=mask_deg,
        pair_from=pair_from,
        pair_to=pair_to,
        offsets_s=np.asarray(eph.time.offsets_s, dtype=float),
        latency_ms=np.where(np.isfinite(routes.path_km), routes.path_km / C_KM_S * 1e3, np.nan),
        hops=routes.hops,
        bottleneck_gbps=routes.bottleneck_gbps,
        route_changed=route_changed(routes.route_sats, routes.route_start, routes.route_len),
        route_sats=routes.route_sats,
        route_start=routes.route_start,
        route_len=routes.route_len,
        great_circle_km=gc_km,
        vacuum_ms=gc_km / C_KM_S * 1e3,
        fiber_ms=gc_km / FIBER_SPEED_KM_S * 1e3,
        place_max_range_km=range_km,
    )
