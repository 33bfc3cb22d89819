"""What the globe and the map draw, derived once from a ``Results`` object in the worker thread.

:func:`prepare_view` runs next to the analysis (off the GUI thread) and only reshapes what the
engine computed: positions in Earth radii, orbit rings per plane, link pairs, sunlit flags,
ground points. Per frame the GUI thread just interpolates between two grid epochs.

A large run (:data:`LARGE_RUN_SATS` satellites or more) holds no whole-run position array: the
engine's ephemeris computes positions lazily, and a ``(n_sat, n_time, 3)`` array of a million
satellites over a day is tens of GB. Its view reads positions one grid epoch at a time
(:meth:`ViewData.epoch_eci_er`, computed off the GUI thread by the globe's frame builder) and
single satellites' tracks on demand. :func:`prepare_ephemeris_view` builds a view from the
ephemeris alone, for a run whose analysis is still running or cannot run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.globe import glyphs
from core.constants import EARTH_RADIUS_KM, OMEGA_EARTH_RAD_S
from core.orbits.frames import geodetic_from_ecef

R_EARTH_KM = EARTH_RADIUS_KM
"""The scene unit: one Earth equatorial radius, km."""
OMEGA_EARTH = OMEGA_EARTH_RAD_S
RING_POINTS = 64
MAX_RING_TRACKS = 400
LARGE_RUN_SATS = 20_000
"""From this many satellites a view keeps no whole-run position arrays (positions per epoch instead)."""
EPOCH_CACHE = 3
MAP_SAMPLE = 3_000
"""Satellites of a large run the 2-D map draws (an even sample: the map shows the pattern)."""
"""Grid epochs of positions a large run's view keeps (the displayed one and its neighbours)."""

# Shell colours (bright, distinguishable on a dark background), RGB 0..1
SHELL_COLORS = np.array(
    [
        (0.35, 0.80, 1.00),
        (1.00, 0.70, 0.25),
        (0.55, 1.00, 0.45),
        (1.00, 0.45, 0.70),
        (0.75, 0.60, 1.00),
        (1.00, 1.00, 0.45),
        (0.40, 1.00, 0.90),
        (1.00, 0.55, 0.45),
    ]
)


def shell_color(k: int) -> np.ndarray:
    return SHELL_COLORS[k % len(SHELL_COLORS)]


@dataclass
class Ring:
    """Orbit tracks of one shell in GCRS at the epoch, Earth radii; rotate about z by the J2 drift."""

    shell: int
    pos: np.ndarray  # (k, 3) float32
    connect: np.ndarray  # (m, 2) int32 segments
    drift_rad_per_s: float


@dataclass
class GroundPoint:
    name: str
    kind: str  # station | city
    lat_deg: float
    lon_deg: float
    ecef_er: np.ndarray  # (3,)


@dataclass
class ViewData:
    """Arrays the globe, the 2-D map and the details panel read."""

    results: Any
    offsets_s: np.ndarray
    r_eci_er: np.ndarray | None  # (n_sat, n_time, 3) float32; None for a large run (see epoch_eci_er)
    eci_to_ecef: np.ndarray  # (n_time, 3, 3)
    sun_eci: np.ndarray  # (n_time, 3)
    sun_ecef: np.ndarray
    shell_index: np.ndarray
    shell_names: list[str]
    shell_rgb: np.ndarray  # (n_shell, 3)
    sunlit: np.ndarray | None  # (n_sat, n_time) bool
    r_ecef_km: np.ndarray | None  # (n_sat, n_time, 3) the engine's array (not copied); None for a large run
    rings: list[Ring]
    link_pairs: np.ndarray  # (m, 2) int32 (static topology), may be empty
    links_per_epoch: Any  # optional callable(i_time) -> (m, 2) from the network result
    footprint_rad: np.ndarray  # (n_sat,) Earth central half-angle of the coverage footprint
    orbit_normal: np.ndarray | None = None  # (n_sat, 3) float32 unit angular-momentum direction (GCRS)
    mean_motion: np.ndarray | None = None  # (n_sat,) float32 rad/s
    ground: list[GroundPoint] = field(default_factory=list)
    routes: dict = field(default_factory=dict)  # (a, b) -> callable(i_time) -> list of node ids
    ephemeris: Any = None  # the engine's Ephemeris (positions of a large run are read from it)
    _geodetic_cache: tuple | None = field(default=None, repr=False, compare=False)
    _epochs: dict = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    epochs_propagated: list = field(default_factory=list, repr=False, compare=False)
    """``(thread name, grid epoch)`` of every epoch a large run's view propagated (tests read it)."""

    @property
    def n_sat(self) -> int:
        return int(self.shell_index.shape[0])

    @property
    def large(self) -> bool:
        """True when the view holds no whole-run arrays (positions are read an epoch at a time)."""
        return self.r_eci_er is None

    def epoch_eci_er(self, i: int) -> np.ndarray:
        """GCRS positions (Earth radii, float32) of every satellite at grid epoch ``i``, ``(n_sat, 3)``.

        A large run propagates the epoch from the ephemeris (about 0.4 s for a million
        satellites) and keeps the last :data:`EPOCH_CACHE` epochs; call it off the GUI thread.
        """
        if self.r_eci_er is not None:
            return self.r_eci_er[:, i]
        with self._lock:
            hit = self._epochs.get(i)
        if hit is not None:
            return hit
        r = (self.ephemeris.window(i, i + 1).r_eci_km[:, 0] / R_EARTH_KM).astype(np.float32)
        with self._lock:
            self.epochs_propagated.append((threading.current_thread().name, i))
            self._epochs[i] = r
            while len(self._epochs) > EPOCH_CACHE:
                self._epochs.pop(next(iter(self._epochs)))
        return r

    def ecef_km_of(self, sats: np.ndarray | list[int], i: int) -> np.ndarray:
        """Earth-fixed positions (km) of satellites ``sats`` at grid epoch ``i``, ``(len(sats), 3)``."""
        sats = np.atleast_1d(np.asarray(sats, dtype=np.int64))
        if self.r_ecef_km is not None:
            return np.asarray(self.r_ecef_km[sats, i], dtype=float)
        return self.ephemeris.positions_ecef(self.offsets_s[i : i + 1], sats)[:, 0]

    def geodetic_of(self, sats: np.ndarray | list[int], i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodetic latitude, longitude (deg) and height (km) of satellites ``sats`` at grid epoch ``i``."""
        return geodetic_from_ecef(self.ecef_km_of(sats, i))

    @property
    def map_sample(self) -> np.ndarray:
        """The satellites the 2-D map draws: all of a small run, an even :data:`MAP_SAMPLE` of a large one."""
        if not self.large or self.n_sat <= MAP_SAMPLE:
            return np.arange(self.n_sat)
        return np.linspace(0, self.n_sat - 1, MAP_SAMPLE).astype(np.int64)

    def sunlit_of(self, sat: int, t: float) -> bool:
        """Whether satellite ``sat`` is sunlit at offset ``t`` (cheap at any scale)."""
        if self.sunlit is not None:
            return bool(self.sunlit[sat, self.nearest(t)])
        return bool(self.sunlit_at(t, self.positions_eci(t, np.array([sat])))[0])

    @property
    def n_time(self) -> int:
        return int(self.offsets_s.size)

    def bracket(self, t: float) -> tuple[int, int, float]:
        """Grid indices around offset ``t`` and the fraction between them."""
        off = self.offsets_s
        if off.size == 1:
            return 0, 0, 0.0
        t = float(np.clip(t, off[0], off[-1]))
        i1 = int(np.clip(np.searchsorted(off, t, side="right"), 1, off.size - 1))
        i0 = i1 - 1
        span = off[i1] - off[i0]
        return i0, i1, float((t - off[i0]) / span) if span > 0 else 0.0

    def nearest(self, t: float) -> int:
        i0, i1, f = self.bracket(t)
        return i1 if f >= 0.5 else i0

    def geodetic_at(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodetic latitude, longitude (deg) and height (km) of every satellite at grid epoch ``i``.

        Computed on demand (an epoch at a time: the map and the details panel read one epoch;
        converting a whole day of a large shell up front took about a second).
        """
        cached = self._geodetic_cache
        if cached is None or cached[0] != i:
            ecef = self.r_ecef_km[:, i] if self.r_ecef_km is not None else self.ephemeris.window(i, i + 1).r_ecef_km[:, 0]
            cached = (i, geodetic_from_ecef(ecef))
            self._geodetic_cache = cached
        return cached[1]

    def track_deg(self, sat: int) -> tuple[np.ndarray, np.ndarray]:
        """Geodetic latitude and longitude (deg) of satellite ``sat`` at every grid epoch."""
        ecef = self.r_ecef_km[sat] if self.r_ecef_km is not None else self.ephemeris.subset(sat, sat + 1).r_ecef_km[0]
        lat, lon, _ = geodetic_from_ecef(ecef)
        return lat, lon

    def positions_eci(self, t: float, sats: np.ndarray | slice = slice(None)) -> np.ndarray:
        """GCRS positions (Earth radii) at offset ``t`` between grid epochs.

        From the nearest grid epoch each satellite is turned about its orbit normal by its mean
        motion (exact for circular orbits, whatever the grid step); without elements, a linear
        interpolation that keeps the radius.
        """
        if self.orbit_normal is not None and self.mean_motion is not None:
            i = self.nearest(t)
            r = self.epoch_eci_er(i)[sats]
            dt = float(t - self.offsets_s[i])
            if dt == 0.0:
                return np.asarray(r, dtype=np.float32)
            k = self.orbit_normal[sats]
            ang = self.mean_motion[sats] * np.float32(dt)
            c, s = np.cos(ang)[..., None], np.sin(ang)[..., None]
            kr = np.sum(k * r, axis=-1, keepdims=True)
            return (r * c + np.cross(k, r) * s + k * kr * (1 - c)).astype(np.float32)
        i0, i1, f = self.bracket(t)
        a = self.epoch_eci_er(i0)[sats]
        if f == 0.0 or i0 == i1:
            return np.asarray(a, dtype=np.float32)
        b = self.epoch_eci_er(i1)[sats]
        p = a + (b - a) * np.float32(f)
        ra = np.linalg.norm(a, axis=-1)
        rb = np.linalg.norm(b, axis=-1)
        rp = np.linalg.norm(p, axis=-1)
        scale = (ra + (rb - ra) * f) / np.maximum(rp, 1e-6)
        return (p * scale[..., None]).astype(np.float32)

    def eci_to_ecef_at(self, t: float) -> np.ndarray:
        """Rotation GCRS -> ITRS at offset ``t`` (Earth rotation applied from the nearest grid epoch)."""
        i0, _, _ = self.bracket(t)
        dt = float(t - self.offsets_s[i0])
        a = OMEGA_EARTH * dt
        c, s = np.cos(a), np.sin(a)
        r3 = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])
        return r3 @ self.eci_to_ecef[i0]

    def sun_eci_at(self, t: float) -> np.ndarray:
        i0, i1, f = self.bracket(t)
        v = self.sun_eci[i0] * (1 - f) + self.sun_eci[i1] * f
        return v / np.linalg.norm(v)

    def sunlit_at(self, t: float, pos_eci_er: np.ndarray | None = None) -> np.ndarray:
        """Sunlit flags at ``t``: the power analysis' own flags, else a cylindrical shadow test."""
        if self.sunlit is not None:
            return self.sunlit[:, self.nearest(t)]
        p = self.positions_eci(t) if pos_eci_er is None else pos_eci_er
        s = self.sun_eci_at(t).astype(np.float32)
        along = p @ s
        perp = np.linalg.norm(p - along[:, None] * s[None, :], axis=1)
        return (along > 0) | (perp > 1.0)


def _ground_points(mission) -> list[GroundPoint]:
    """Stations and the places the mission names (its cities and latency-pair ends)."""
    from core.catalog.places import mission_places

    points = [(p.name, p.kind, p.lat_deg, p.lon_deg) for p in mission_places(mission)]
    out = []
    for name, kind, lat, lon in points:
        la, lo = np.radians(lat), np.radians(lon)
        ecef = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]) * 1.001
        out.append(GroundPoint(name, kind, float(lat), float(lon), ecef.astype(np.float32)))
    return out


def _rings(eph) -> list[Ring]:
    rings = []
    for k, shell in enumerate(eph.shells):
        start = shell.sat_slice.start
        if shell.planes and shell.sats_per_plane:
            sats = start + np.arange(shell.planes) * shell.sats_per_plane
        elif shell.n_sat <= MAX_RING_TRACKS:
            sats = np.arange(start, start + shell.n_sat)
        else:
            sats = start + np.linspace(0, shell.n_sat - 1, MAX_RING_TRACKS).astype(int)
        if sats.size == 0:
            continue
        offsets = np.linspace(0.0, shell.period_s, RING_POINTS, endpoint=False)
        r, _ = eph.states_eci(offsets, sats)
        pos = (r / R_EARTH_KM).astype(np.float32).reshape(-1, 3)
        n_pts = r.shape[1]
        base = np.arange(r.shape[0])[:, None] * n_pts
        a = base + np.arange(n_pts)[None, :]
        b = base + (np.arange(n_pts)[None, :] + 1) % n_pts
        connect = np.stack([a.ravel(), b.ravel()], axis=1).astype(np.int32)
        drift = np.radians(shell.raan_drift_deg_per_day) / 86400.0
        rings.append(Ring(k, pos, connect, float(drift)))
    return rings


def _footprints(eph, min_elevation_deg: float) -> np.ndarray:
    alt = np.array([s.altitude_km for s in eph.shells])[eph.shell_index] if eph.n_sat else np.zeros(0)
    eps = np.radians(min_elevation_deg)
    ratio = np.clip(R_EARTH_KM * np.cos(eps) / (R_EARTH_KM + np.maximum(alt, 1.0)), -1, 1)
    return (np.arccos(ratio) - eps).astype(np.float32)


def _orbit_normals(eph) -> tuple[np.ndarray, np.ndarray]:
    """Orbit normal and Keplerian mean motion of every satellite, to turn grid positions between epochs."""
    from core.orbits.elements import MeanElements, mean_motion_rad_s

    e = MeanElements.concat([s.elements for s in eph.shells])
    i, raan = np.asarray(e.i_rad, float), np.asarray(e.raan_rad, float)
    h = np.stack([np.sin(i) * np.sin(raan), -np.sin(i) * np.cos(raan), np.cos(i)], axis=1)
    return h.astype(np.float32), mean_motion_rad_s(e.a_km).astype(np.float32)


@dataclass(frozen=True)
class EphemerisResults:
    """What a view needs of ``Results`` when only the ephemeris exists (the analysis is running,
    or was refused for memory): every analysis is absent."""

    ephemeris: Any
    mission: Any
    topology: Any = None
    power: Any = None
    insight: Any = None
    network: Any = None
    traffic: Any = None
    access: Any = None
    coverage: Any = None
    timings_s: dict = field(default_factory=dict)


def prepare_view(results) -> ViewData:
    """Everything the globe/map need from ``results`` (runs in the worker thread).

    Also asks the insight result for the summary and histogram the plots read, so that their
    one-off cost (sorting every capture's wait) is paid here and not on the GUI thread.
    """
    insight = getattr(results, "insight", None)
    if insight is not None:
        insight.to_json()
        insight.wait_histogram()
    eph = results.ephemeris
    sunlit = None
    power = getattr(results, "power", None)
    if power is not None and getattr(power, "sunlit", None) is not None:
        sunlit = np.asarray(power.sunlit, dtype=bool)
        if sunlit.shape != (eph.n_sat, eph.n_time):
            sunlit = None
    topology = getattr(results, "topology", None)  # the engine's links (plus-grid with the Walker wrap, nearest-neighbour sets)
    link_pairs = np.asarray(topology.isl_edges, dtype=np.int32) if topology is not None else np.zeros((0, 2), np.int32)
    links_per_epoch = topology.links_at if topology is not None else None
    large = eph.n_sat >= LARGE_RUN_SATS
    normal, motion = _orbit_normals(eph)
    ground = _ground_points(results.mission)
    glyphs.render(glyphs.ALIGN_CHARS + "".join(" " + g.name for g in ground))  # the globe's labels, so its first draw renders none
    return ViewData(
        results=results,
        ephemeris=eph,
        orbit_normal=normal,
        mean_motion=motion,
        offsets_s=np.asarray(eph.time.offsets_s, dtype=float),
        r_eci_er=None if large else (eph.r_eci_km / R_EARTH_KM).astype(np.float32),
        eci_to_ecef=np.asarray(eph.eci_to_ecef, dtype=float),
        sun_eci=np.asarray(eph.sun_eci_unit, dtype=float),
        sun_ecef=np.asarray(eph.sun_ecef_unit, dtype=float),
        shell_index=np.asarray(eph.shell_index),
        shell_names=[s.name for s in eph.shells],
        shell_rgb=np.array([shell_color(k) for k in range(len(eph.shells))]).reshape(-1, 3),
        sunlit=sunlit,
        r_ecef_km=None if large else eph.r_ecef_km,
        rings=_rings(eph),
        link_pairs=link_pairs,
        links_per_epoch=links_per_epoch,
        footprint_rad=_footprints(eph, results.mission.analysis.min_elevation_deg),
        ground=ground,
    )


def prepare_ephemeris_view(eph, mission) -> ViewData:
    """A view of the constellation alone (no analysis): positions, rings, footprints, ground points.

    ``eph`` may be lazy (``build_ephemeris(mission, base_dir, lazy=True)``): a large run's view
    reads it an epoch at a time and never materialises its whole arrays.
    """
    return prepare_view(EphemerisResults(eph, mission))
