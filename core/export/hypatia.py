"""Hypatia's satellite-network state for a mission: ``starnet export MISSION --hypatia DIR``.

Hypatia (https://github.com/snkas/hypatia) runs packet-level ns-3 simulations of a LEO
network from four files, which this module writes:

``tles.txt``
    first line ``<orbits> <satellites per orbit>`` (the grid shell's planes and slots; ``1 N``
    for a mission with several shells or none with a plane structure), then per satellite
    ``<name> <id>`` (the shell name with spaces as ``_``, and the global index), TLE line 1
    and line 2. Imported satellites keep their records; the others get the SGP4 records of
    :mod:`core.export.elements`, all at the mission epoch. A shell propagated with ``sgp4``
    is reproduced to metres; one propagated with the mean-element ``j2``/``two-body`` models
    differs in Hypatia by SGP4's short-period J2 terms (~10 km in LEO, periodic, not growing).
``isls.txt``
    ``<a> <b>`` per link (``a < b``): the links of :mod:`core.analysis.topology` that are up
    at every epoch of the analysis (Hypatia's links are static; links that come and go, as
    nearest-neighbour ones do, are left out and counted in the export's messages).
``ground_stations.txt``
    Hypatia's extended format ``gid,name,lat,lon,elevation_m,x_m,y_m,z_m`` (Cartesian on the
    WGS-72 ellipsoid, as Hypatia computes it) for every place of the mission: ground
    stations, cities, the ends of latency pairs and of traffic demands.
``gsl_interfaces_info.txt``
    ``<node id>,<interfaces>,<aggregate Mbit/s>`` for the satellites (one interface at the bus'
    ``downlink_mbps``) then the ground stations (their ``antennas``, at ``traffic.gateway_gbps``
    or the fastest satellite downlink), the fifth file Hypatia's ns-3 run reads.
``description.txt``
    ``max_gsl_length_m`` and ``max_isl_length_m``. Hypatia links a ground station to every
    satellite within ``max_gsl_length_m`` (no elevation mask), so it is the slant range at
    the mission's ``analysis.min_elevation_deg`` from the highest shell, capped by
    ``analysis.max_ground_range_km``; ``max_isl_length_m`` is the shortest ``max_isl_range_km``
    of the linked shells, or, without one, the longest line of sight that clears the Earth
    by 80 km between the highest satellites.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.constants import EARTH_RADIUS_KM, WGS72_A_KM, WGS72_F
from core.export._files import ExportError, staged_dir

if TYPE_CHECKING:
    from core.analysis.topology import Topology
    from core.mission.model import City, GroundStation, Mission
    from core.orbits.ephemeris import Ephemeris

HYPATIA_EARTH_RADIUS_M = WGS72_A_KM * 1000.0
"""WGS-72 equatorial radius (Hypatia's ``geodetic2cartesian``)."""
HYPATIA_FLATTENING = WGS72_F
"""WGS-72 flattening."""
LOS_CLEARANCE_M = 80_000.0


@dataclass(frozen=True)
class HypatiaExport:
    """What was written: counts and the notes the user should read."""

    satellites: int
    isls: int
    ground_stations: int
    max_gsl_length_m: float
    max_isl_length_m: float
    notes: tuple[str, ...]


def wgs72_cartesian_m(lat_deg: float, lon_deg: float, elevation_m: float) -> tuple[float, float, float]:
    """Earth-fixed Cartesian coordinates (m) of a geodetic point on WGS-72."""
    e2 = 2 * HYPATIA_FLATTENING - HYPATIA_FLATTENING**2
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    v = HYPATIA_EARTH_RADIUS_M / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return ((v + elevation_m) * math.cos(lat) * math.cos(lon), (v + elevation_m) * math.cos(lat) * math.sin(lon),
            (v * (1 - e2) + elevation_m) * math.sin(lat))


def slant_range_m(orbit_radius_m: float, elevation_deg: float, earth_radius_m: float = HYPATIA_EARTH_RADIUS_M) -> float:
    """Distance from a point on the surface to a satellite at ``orbit_radius_m`` seen at ``elevation_deg``."""
    e = math.radians(elevation_deg)
    return math.sqrt(orbit_radius_m**2 - (earth_radius_m * math.cos(e)) ** 2) - earth_radius_m * math.sin(e)


def _places(mission: Mission) -> list:
    from core.catalog.places import find_place, mission_places

    places = {p.name: p for p in mission_places(mission)}
    traffic = getattr(mission, "traffic", None)
    for demand in (traffic.demands or []) if traffic is not None else []:
        for name in (demand.from_, demand.to):
            found = find_place(mission, name) if name not in places else None
            if found is not None:
                places[name] = found
    return list(places.values())


def _header(mission: Mission, eph: Ephemeris, base_dir: Path | None) -> tuple[int, int]:
    from core.analysis.topology import imported_grid

    if len(eph.shells) == 1:
        shell = eph.shells[0]
        if shell.is_walker:
            return shell.planes, shell.sats_per_plane
        grid = imported_grid(mission.constellations[shell.index], shell, base_dir)
        if grid is not None:
            return grid
    return 1, eph.n_sat


def hypatia_texts(mission: Mission, eph: Ephemeris, topology: Topology,
                  base_dir: Path | None = None) -> tuple[dict[str, str], HypatiaExport]:
    """The four files' text (by file name) and a summary, without writing anything."""
    from core.export.elements import element_sets
    from core.export.tle import tle_lines

    notes: list[str] = []
    orbits, per_orbit = _header(mission, eph, base_dir)
    if (orbits, per_orbit) == (1, eph.n_sat) and eph.n_sat > 1:
        notes.append(f"tles.txt header is '1 {eph.n_sat}': the mission has no single shell with planes")
    lines = [f"{orbits} {per_orbit}"]
    epochs = set()
    for es in element_sets(eph):
        try:
            l1, l2 = tle_lines(es)
        except ValueError as exc:
            raise ExportError(f"satellite {es.name}: no TLE for it ({exc}); Hypatia needs one per satellite") from None
        epochs.add(l1[18:32])
        lines += [f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', es.shell) or 'sat'} {es.index}", l1, l2]
    analytic = [sh.name for sh in eph.shells if sh.propagator in ("j2", "two-body")]
    if analytic:
        notes.append(f"{', '.join(analytic)} propagate(s) with mean-element models here; Hypatia's SGP4 adds the short-period "
                     "J2 terms (about 10 km in LEO, not growing); use propagator: sgp4 for the same orbits on both sides")
    if len(epochs) > 1:
        notes.append(f"the TLEs have {len(epochs)} different epochs; Hypatia's read_tles wants one (re-epoch the imported set)")

    always = topology.isl_active.all(axis=0) if topology.n_edge else np.zeros(0, bool)
    edges = np.sort(np.asarray(topology.isl_edges, dtype=np.int64), axis=1)[always] if topology.n_edge else np.zeros((0, 2), np.int64)
    edges = np.unique(edges, axis=0) if edges.size else edges
    if topology.n_edge and not always.all():
        notes.append(f"{int((~always).sum())} of {topology.n_edge} links are not up for the whole analysis and are left out "
                     "(Hypatia's links are static)")

    radius_m = float(np.max(np.linalg.norm(eph.r_ecef_km, axis=-1))) * 1000.0 if eph.n_sat else HYPATIA_EARTH_RADIUS_M
    limits = [s.max_isl_range_km for s in eph.shells if s.max_isl_range_km and (s.isl == "plus-grid" or
              getattr(mission.constellations[s.index], "isl_file", None))]
    los_m = 2 * math.sqrt(max(radius_m**2 - (HYPATIA_EARTH_RADIUS_M + LOS_CLEARANCE_M) ** 2, 0.0))
    max_isl_m = min(limits) * 1000.0 if limits else los_m
    if edges.size:
        longest = float(np.max(np.linalg.norm(eph.r_ecef_km[edges[:, 0]] - eph.r_ecef_km[edges[:, 1]], axis=-1))) * 1000.0
        max_isl_m = max(max_isl_m, longest)
    mean_radius_m = max((s.altitude_km + EARTH_RADIUS_KM) for s in eph.shells) * 1000.0 if eph.shells else radius_m
    max_gsl_m = slant_range_m(mean_radius_m, float(mission.analysis.min_elevation_deg))
    cap = getattr(mission.analysis, "max_ground_range_km", None)
    if cap is not None:
        max_gsl_m = min(max_gsl_m, float(cap) * 1000.0)
    places: list[GroundStation | City] = [*mission.ground_stations, *mission.cities]
    own = [p.name for p in places
           if getattr(p, "max_range_km", None) is not None or getattr(p, "min_elevation_deg", None) not in (None, mission.analysis.min_elevation_deg)]
    if own:
        notes.append(f"Hypatia has one ground-link range for all ground stations: {', '.join(own[:5])}"
                     f"{' ...' if len(own) > 5 else ''} keep their own mask or range here but not there")

    places = _places(mission)
    gs_lines = []
    for gid, place in enumerate(places):
        x, y, z = wgs72_cartesian_m(place.lat_deg, place.lon_deg, place.alt_m)
        name = place.name.replace(",", " ")
        gs_lines.append("%d,%s,%f,%f,%f,%f,%f,%f" % (gid, name, place.lat_deg, place.lon_deg, place.alt_m, x, y, z))

    from core.analysis.latency import satellite_link_rates

    _, ground_gbps = satellite_link_rates(mission, eph)
    traffic = getattr(mission, "traffic", None)
    gateway_mbps = (traffic.gateway_gbps * 1000.0 if traffic is not None and traffic.gateway_gbps
                    else float(ground_gbps.max(initial=0.0)) * 1000.0)
    antennas = {g.name: int(getattr(g, "antennas", 1) or 1) for g in mission.ground_stations}
    gsl_lines = ["%d,%d,%f" % (i, 1, ground_gbps[i] * 1000.0) for i in range(eph.n_sat)]
    gsl_lines += ["%d,%d,%f" % (eph.n_sat + gid, antennas.get(place.name, 1), gateway_mbps) for gid, place in enumerate(places)]

    texts = {
        "tles.txt": "\n".join(lines) + "\n",
        "isls.txt": "".join(f"{a} {b}\n" for a, b in edges),
        "ground_stations.txt": "".join(line + "\n" for line in gs_lines),
        "gsl_interfaces_info.txt": "".join(line + "\n" for line in gsl_lines),
        "description.txt": "max_gsl_length_m=%.10f\nmax_isl_length_m=%.10f\n" % (max_gsl_m, max_isl_m),
    }
    summary = HypatiaExport(eph.n_sat, int(edges.shape[0]), len(places), max_gsl_m, max_isl_m, tuple(notes))
    return texts, summary


def write_hypatia_dir(mission: Mission, eph: Ephemeris, topology: Topology, target: str | Path,
                      base_dir: Path | None = None) -> HypatiaExport:
    """Write ``tles.txt``, ``isls.txt``, ``ground_stations.txt``, ``gsl_interfaces_info.txt`` and
    ``description.txt`` into ``target`` (created if missing, filled all or nothing)."""
    texts, summary = hypatia_texts(mission, eph, topology, base_dir)
    with staged_dir(target) as stage:
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8")
    return summary
