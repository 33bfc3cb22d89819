"""The area-weighted latitude/longitude grid that coverage is computed on.

The Earth is a **sphere** of radius :data:`core.constants.EARTH_MEAN_RADIUS_KM` (6371.0 km) for the
whole coverage computation: cell centres are points on that sphere, latitudes are
geocentric, and a satellite is "in view" of a cell when its elevation above the cell's
local horizontal plane (normal = the sphere's radius) is at or above the mask. The error
against WGS-84 is a few tenths of a degree of footprint edge, far below a 1 deg cell;
ground stations (:mod:`core.analysis.access`) use proper geodetic positions instead.

The global grid has ``round(180/d)`` rows and ``round(360/d)`` columns, aligned on
-90 deg latitude and -180 deg longitude. A region (``Analysis.region``) keeps the rows and
columns whose centres fall in its latitude/longitude box (which may cross the
antimeridian: ``lon_min_deg > lon_max_deg``) and, for a polygon, marks the cells whose
centres lie inside it as *active*; inactive cells carry zero area.

>>> g = make_grid(1.0)
>>> g.shape, round(float(g.area_km2.sum() / (4 * 3.141592653589793 * g.radius_km**2)), 12)
((180, 360), 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.constants import EARTH_MEAN_RADIUS_KM


@dataclass(frozen=True, eq=False)
class CoverageGrid:
    """A lat/lon grid (possibly a sub-box of the global grid) with cell areas.

    Attributes:
        lat_deg: centre latitudes of the rows, ascending, ``(n_lat,)``.
        lon_deg: centre longitudes of the columns, ``(n_lon,)`` (ascending within -180..180,
            or continuing past 180 for a box that crosses the antimeridian).
        lat_edges_deg, lon_edges_deg: cell edges, ``(n_lat+1,)`` and ``(n_lon+1,)``.
        area_km2: area of each cell on the sphere, ``(n_lat, n_lon)``; 0 outside a polygon.
        active: cells that belong to the region, ``(n_lat, n_lon)`` bool.
        row_index, col_index: the rows/columns of the global grid these are.
        n_lat_global, n_lon_global: size of the global grid.
        d_lat_deg, d_lon_deg: cell size (``180/n_lat_global``, ``360/n_lon_global``).
        radius_km: radius of the spherical Earth.
        region: ``"global"``, ``"box"`` or ``"polygon"``.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    lat_edges_deg: np.ndarray
    lon_edges_deg: np.ndarray
    area_km2: np.ndarray
    active: np.ndarray
    row_index: np.ndarray
    col_index: np.ndarray
    n_lat_global: int
    n_lon_global: int
    d_lat_deg: float
    d_lon_deg: float
    radius_km: float
    region: str

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.lat_deg.size), int(self.lon_deg.size))

    @property
    def n_cells(self) -> int:
        return int(self.lat_deg.size * self.lon_deg.size)

    @property
    def weights(self) -> np.ndarray:
        """Area fractions of the region, ``(n_lat, n_lon)``, summing to 1 (0 outside)."""
        total = float(self.area_km2.sum())
        return self.area_km2 / total if total > 0 else self.area_km2

    @property
    def total_area_km2(self) -> float:
        return float(self.area_km2.sum())

    def up_vectors(self) -> np.ndarray:
        """Unit vectors of the cell centres (Earth-fixed), ``(n_lat, n_lon, 3)``."""
        lat = np.radians(self.lat_deg)[:, None]
        lon = np.radians(self.lon_deg)[None, :]
        return np.stack(np.broadcast_arrays(np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1)

    def row_map(self) -> np.ndarray:
        """Global row -> local row (``-1`` where the row is not in the grid)."""
        out = np.full(self.n_lat_global, -1, dtype=np.int64)
        out[self.row_index] = np.arange(self.row_index.size)
        return out

    def col_map(self) -> np.ndarray:
        """Global column -> local column (``-1`` where the column is not in the grid)."""
        out = np.full(self.n_lon_global, -1, dtype=np.int64)
        out[self.col_index] = np.arange(self.col_index.size)
        return out


def make_grid(grid_deg: float, region=None, radius_km: float = EARTH_MEAN_RADIUS_KM) -> CoverageGrid:
    """The area-weighted grid of about ``grid_deg`` cells, restricted to ``region`` if given.

    ``region`` is a :class:`core.mission.model.Region` (or anything with ``lat_min_deg``,
    ``lat_max_deg``, ``lon_min_deg``, ``lon_max_deg`` and ``polygon``), or ``None`` for the
    whole Earth. Raises ``ValueError`` when the region holds no cell centre.
    """
    if not grid_deg > 0:
        raise ValueError("grid_deg must be positive")
    n_lat = max(1, int(round(180.0 / grid_deg)))
    n_lon = max(1, int(round(360.0 / grid_deg)))
    d_lat, d_lon = 180.0 / n_lat, 360.0 / n_lon
    lat_c = -90.0 + (np.arange(n_lat) + 0.5) * d_lat
    lon_c = -180.0 + (np.arange(n_lon) + 0.5) * d_lon

    rows = np.arange(n_lat)
    cols = np.arange(n_lon)
    kind = "global"
    polygon = None
    if region is not None:
        lat_lo, lat_hi = float(region.lat_min_deg), float(region.lat_max_deg)
        lon_lo, lon_hi = float(region.lon_min_deg), float(region.lon_max_deg)
        polygon = getattr(region, "polygon", None)
        if polygon is not None:
            poly = np.asarray(polygon, dtype=float)
            plon = _unwrap_deg(poly[:, 1])
            lat_lo, lat_hi = max(lat_lo, poly[:, 0].min()), min(lat_hi, poly[:, 0].max())
            if _is_full_box(region):
                lon_lo, lon_hi = plon.min(), plon.max()
        rows = rows[(lat_c >= lat_lo) & (lat_c <= lat_hi)]
        span = (lon_hi - lon_lo) % 360.0
        if span == 0.0 and lon_hi != lon_lo:
            span = 360.0
        if span >= 360.0 - 1e-9:
            cols = np.arange(n_lon)
        else:
            rel = (lon_c - lon_lo) % 360.0
            inside = rel <= span
            order = np.argsort(rel[inside], kind="stable")
            cols = cols[inside][order]  # ascending from lon_lo, possibly across 180
        kind = "polygon" if polygon is not None else ("global" if _is_full_box(region) else "box")
    if rows.size == 0 or cols.size == 0:
        raise ValueError("the coverage region contains no grid cell centre; enlarge it or refine the grid")

    lat = lat_c[rows]
    lon = lon_c[cols]
    if cols.size < n_lon:  # a box crossing the antimeridian keeps ascending longitudes (e.g. 170 .. 190)
        lon = lon[0] + np.mod(lon - lon[0], 360.0)
    lat_edges = np.append(lat - d_lat / 2, lat[-1] + d_lat / 2)
    lon_edges = np.append(lon - d_lon / 2, lon[-1] + d_lon / 2)
    band = np.sin(np.radians(lat + d_lat / 2)) - np.sin(np.radians(lat - d_lat / 2))
    area = radius_km**2 * np.radians(d_lon) * np.repeat(band[:, None], lon.size, axis=1)
    active = np.ones(area.shape, dtype=bool)
    if polygon is not None:
        active = points_in_polygon(lat, lon, np.asarray(polygon, dtype=float))
        area = np.where(active, area, 0.0)
        if not active.any():
            raise ValueError("the coverage polygon contains no grid cell centre; enlarge it or refine the grid")
    return CoverageGrid(
        lat_deg=lat, lon_deg=lon, lat_edges_deg=lat_edges, lon_edges_deg=lon_edges,
        area_km2=area, active=active, row_index=rows.astype(np.int64), col_index=cols.astype(np.int64),
        n_lat_global=n_lat, n_lon_global=n_lon, d_lat_deg=d_lat, d_lon_deg=d_lon,
        radius_km=float(radius_km), region=kind,
    )


def points_in_polygon(lat_deg: np.ndarray, lon_deg: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which grid points ``(lat_deg[:, None], lon_deg[None, :])`` lie inside a lat/lon polygon.

    The polygon is ``(n, 2)`` ``[lat_deg, lon_deg]`` vertices, its edges straight lines in the
    plate-carree plane (even-odd rule). Vertex longitudes are unwrapped, so a polygon may
    cross the antimeridian; test longitudes are compared modulo 360 around the polygon.
    """
    plat = polygon[:, 0]
    plon = _unwrap_deg(polygon[:, 1])
    lo = plon.min()
    lat = np.asarray(lat_deg, dtype=float)[:, None]
    lon = lo + np.mod(np.asarray(lon_deg, dtype=float)[None, :] - lo, 360.0)
    inside = np.zeros(np.broadcast_shapes(lat.shape, lon.shape), dtype=bool)
    n = plat.size
    for k in range(n):  # loop over polygon edges only
        y0, x0, y1, x1 = plat[k], plon[k], plat[(k + 1) % n], plon[(k + 1) % n]
        if y0 == y1:
            continue
        crosses = (y0 > lat) != (y1 > lat)
        x_at = x0 + (lat - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (lon < x_at)
    return inside


def _unwrap_deg(lon_deg: np.ndarray) -> np.ndarray:
    return np.degrees(np.unwrap(np.radians(np.asarray(lon_deg, dtype=float))))


def _is_full_box(region) -> bool:
    return (
        float(region.lat_min_deg) <= -90 and float(region.lat_max_deg) >= 90
        and (float(region.lon_max_deg) - float(region.lon_min_deg)) >= 360
    )
