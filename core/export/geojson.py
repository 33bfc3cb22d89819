"""GeoJSON (RFC 7946) ground tracks of every satellite, and the ground stations.

Each satellite is a ``MultiLineString`` of its sub-satellite points (longitude, latitude in
degrees, WGS-84 geodetic) over the analysis window, split where the track crosses the
antimeridian so that map tools do not draw lines across the whole map. Ground stations
are ``Point`` features.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.export._files import atomic_write_text

if TYPE_CHECKING:
    from core.analysis.pipeline import Results
    from core.mission.model import Mission
    from core.orbits.ephemeris import Ephemeris


def _split_antimeridian(lon: np.ndarray, lat: np.ndarray) -> list[list[list[float]]]:
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    parts = []
    for a, b in zip(np.r_[0, jumps], np.r_[jumps, lon.size]):
        if b - a >= 2:
            parts.append([[round(float(x), 5), round(float(y), 5)] for x, y in zip(lon[a:b], lat[a:b])])
    return parts


def ground_tracks(results_or_eph: Results | Ephemeris, mission: Mission | None = None) -> dict:
    """The FeatureCollection as a dict (``results_or_eph``: a ``Results`` or an ``Ephemeris``)."""
    from core.orbits.ephemeris import Ephemeris

    eph = results_or_eph if isinstance(results_or_eph, Ephemeris) else results_or_eph.ephemeris
    mission = mission or getattr(results_or_eph, "mission", None)
    lat, lon, alt = eph.lat_lon_alt
    lon = (np.asarray(lon) + 180.0) % 360.0 - 180.0
    start, stop = eph.time.iso(float(eph.time.offsets_s[0])), eph.time.iso(float(eph.time.offsets_s[-1]))
    features = []
    for s in range(eph.n_sat):
        ok = np.isfinite(lat[s]) & np.isfinite(lon[s])
        parts = _split_antimeridian(lon[s][ok], lat[s][ok])
        if not parts:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "MultiLineString", "coordinates": parts},
            "properties": {"kind": "ground_track", "name": eph.names[s], "shell": eph.shell_of(s).name,
                           "start_utc": start, "stop_utc": stop, "step_s": eph.time.step_s,
                           "mean_altitude_km": round(float(np.nanmean(alt[s])), 3)},
        })
    for st in (mission.ground_stations if mission is not None else []):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(st.lon_deg if st.lon_deg <= 180 else st.lon_deg - 360), float(st.lat_deg)]},
            "properties": {"kind": "ground_station", "name": st.name, "alt_m": st.alt_m,
                           "min_elevation_deg": st.min_elevation_deg},
        })
    return {"type": "FeatureCollection", "name": getattr(mission, "name", "StarNet ground tracks"), "features": features}


def write_geojson(results_or_eph: Results | Ephemeris, path: str | Path, mission: Mission | None = None) -> int:
    """Write the ground tracks; returns the number of features."""
    doc = ground_tracks(results_or_eph, mission)
    atomic_write_text(path, json.dumps(doc, separators=(",", ":")) + "\n")
    return len(doc["features"])
