"""CSV files of every time series and table of a ``Results``, for spreadsheets and pandas.

One file per series, columns with their unit in the name, times as ISO 8601 UTC
(``time_utc``) and as seconds from the mission epoch (``offset_s``):

=========================== ==========================================================
``coverage_over_time.csv``  covered percent of the area and mean satellites in view
``coverage_map.csv``        per grid cell: covered share of time, longest gap, revisit
``latency.csv``             per pair and epoch: one-way latency, hops, bottleneck, fibre, route
``access_windows.csv``      every pass: station, satellite, AOS/LOS, duration
``access_over_time.csv``    per station and epoch: satellites in contact
``isl_links.csv``           per epoch: inter-satellite links up
``traffic.csv``             per demand and epoch: offered and max-min fair served rate
``power_year.csv``          per shell and day of the year: beta angle, eclipse
``power_soc.csv``           per shell: battery state of charge over the worst orbit
``sunlit_over_time.csv``    per shell and epoch: share of satellites in sunlight
``compute_delivered.csv``   per satellite and epoch of a fixed design: delivered TOPS, payload W, battery, throttle
``insight_captures.csv``    per capture: time to insight, traditional and in orbit
``summary.csv``             the scalar results document, flattened (section, key, value)
=========================== ==========================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.export._files import staged_dir

if TYPE_CHECKING:
    import pandas as pd

    from core.analysis.pipeline import Results
    from core.orbits.timegrid import TimeGrid


def _stamps(grid: TimeGrid, offsets: np.ndarray) -> list[str]:
    return [t[:19] + "Z" for t in np.atleast_1d(grid.at(offsets).utc.isot)]


def _frame(columns: dict) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns)


def _flatten(prefix: str, value: Any, rows: list) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, rows)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for k, v in enumerate(value):
            label = v.get("shell") or v.get("station") or (f"{v['from']}-{v['to']}" if "from" in v else str(k))
            _flatten(f"{prefix}[{label}]", v, rows)
    else:
        section, _, key = prefix.partition(".")
        rows.append((section, key, value if not isinstance(value, list) else "; ".join(map(str, value))))


def csv_tables(results: Results) -> dict:
    """File name -> ``pandas.DataFrame`` of every series the results hold."""
    from core.analysis.pipeline import results_document

    eph = results.ephemeris
    grid = eph.time
    out = {}
    cov = results.coverage
    if cov is not None:
        out["coverage_over_time.csv"] = _frame({
            "time_utc": _stamps(grid, cov.offsets_s), "offset_s": cov.offsets_s,
            "covered_percent": np.round(cov.percent_covered, 4), "mean_sats_in_view": np.round(cov.mean_sats_in_view, 4),
        })
        lat, lon = np.meshgrid(cov.grid.lat_deg, cov.grid.lon_deg, indexing="ij")
        act = cov.grid.active
        out["coverage_map.csv"] = _frame({
            "lat_deg": lat[act], "lon_deg": lon[act], "area_km2": np.round(cov.grid.area_km2[act], 1),
            "covered_percent_of_time": np.round(100 * cov.cell_coverage_fraction[act], 3),
            "max_gap_s": cov.cell_max_gap_s[act], "mean_revisit_s": cov.cell_mean_revisit_s[act],
            "mean_sats_in_view": np.round(cov.cell_mean_sats[act], 4), "max_sats_in_view": cov.cell_max_sats[act],
        })
    net = results.network
    if net is not None:
        n_t = net.offsets_s.size
        out["latency.csv"] = _frame({
            "time_utc": np.tile(_stamps(grid, net.offsets_s), net.n_pair),
            "offset_s": np.tile(net.offsets_s, net.n_pair),
            "from": np.repeat([p[0] for p in net.pairs], n_t), "to": np.repeat([p[1] for p in net.pairs], n_t),
            "latency_ms": np.round(net.latency_ms.ravel(), 4), "hops": net.hops.ravel(),
            "bottleneck_gbps": net.bottleneck_gbps.ravel(), "route_changed": net.route_changed.ravel(),
            "fiber_ms": np.repeat(np.round(net.fiber_ms, 4), n_t), "vacuum_ms": np.repeat(np.round(net.vacuum_ms, 4), n_t),
            "route": [" > ".join(net.route_names(q, t, eph.names)) for q in range(net.n_pair) for t in range(n_t)],
        })
    traffic = getattr(results, "traffic", None)
    if traffic is not None:
        n_t, n_d = traffic.offsets_s.size, len(traffic.demands)
        out["traffic.csv"] = _frame({
            "time_utc": np.tile(_stamps(grid, traffic.offsets_s), n_d), "offset_s": np.tile(traffic.offsets_s, n_d),
            "from": np.repeat([d.src for d in traffic.demands], n_t), "to": np.repeat([d.dst for d in traffic.demands], n_t),
            "offered_gbps": np.repeat(traffic.offered_gbps, n_t), "served_gbps": np.round(traffic.served_gbps.ravel(), 6),
            "reachable": traffic.reachable.ravel(),
        })
    topo = results.topology if net is not None else None  # the links table goes with the latency tables
    if topo is not None and topo.n_edge:
        out["isl_links.csv"] = _frame({"time_utc": _stamps(grid, grid.offsets_s), "offset_s": grid.offsets_s,
                                       "active_links": topo.active_count()})
    acc = results.access
    if acc is not None:
        names = np.array(acc.station_names, dtype=object)
        sats = np.array(eph.names, dtype=object)
        out["access_windows.csv"] = _frame({
            "station": names[acc.window_station] if acc.window_station.size else [],
            "satellite": sats[acc.window_sat] if acc.window_sat.size else [],
            "aos_utc": _stamps(grid, acc.window_aos_s) if acc.window_aos_s.size else [],
            "los_utc": _stamps(grid, acc.window_los_s) if acc.window_los_s.size else [],
            "aos_s": np.round(acc.window_aos_s, 3), "los_s": np.round(acc.window_los_s, 3),
            "duration_s": np.round(acc.window_los_s - acc.window_aos_s, 3),
            "aos_cut_by_window": acc.window_aos_cut, "los_cut_by_window": acc.window_los_cut,
        })
        in_view = acc.satellites_in_contact  # (n_station, n_time)
        n_t = acc.offsets_s.size
        out["access_over_time.csv"] = _frame({
            "time_utc": np.tile(_stamps(grid, acc.offsets_s), acc.n_station), "offset_s": np.tile(acc.offsets_s, acc.n_station),
            "station": np.repeat(list(acc.station_names), n_t), "satellites_in_contact": in_view.ravel(),
        })
    pw = results.power
    if pw is not None:
        year, soc, sun = [], [], []
        for k, s in enumerate(pw.shells):
            year.append(_frame({"shell": s.shell, "day": s.year_days, "beta_min_deg": np.round(s.beta_min_deg_by_day, 4),
                                "beta_max_deg": np.round(s.beta_max_deg_by_day, 4),
                                "eclipse_fraction_max": np.round(s.eclipse_fraction_max_by_day, 5),
                                "eclipse_max_s": np.round(s.eclipse_s_max_by_day, 2)}))
            n = min(s.soc_time_s.size, s.soc.size, s.worst_orbit_illumination.size)
            soc.append(_frame({"shell": s.shell, "time_s": s.soc_time_s[:n], "state_of_charge": np.round(s.soc[:n], 5),
                               "illumination": np.round(s.worst_orbit_illumination[:n], 4)}))
            sl = eph.shells[k].sat_slice if k < len(eph.shells) else slice(0, 0)
            if sl.stop > sl.start:
                sun.append(_frame({"time_utc": _stamps(grid, grid.offsets_s), "offset_s": grid.offsets_s, "shell": s.shell,
                                   "sunlit_fraction": np.round(pw.sunlit_rows(sl.start, sl.stop).mean(axis=0), 5)}))
        import pandas as pd

        out["power_year.csv"] = pd.concat(year, ignore_index=True)
        out["power_soc.csv"] = pd.concat(soc, ignore_index=True)
        if sun:
            out["sunlit_over_time.csv"] = pd.concat(sun, ignore_index=True)
    dlv = getattr(results.compute, "delivered", None) if results.compute is not None else None
    if dlv is not None:
        frames = []
        names = np.array(eph.names, dtype=object)
        why = np.array(["", "energy", "heat"], dtype=object)
        for shell, d in zip(eph.shells, dlv.shells):
            if not d.fixed:  # a sized design delivers its nameplate at every epoch
                continue
            sl = shell.sat_slice
            n = sl.stop - sl.start
            ser = dlv.series(sl.start, sl.stop)  # this shell's series, recomputed exactly
            frames.append(_frame({
                "satellite": np.repeat(names[sl], eph.n_time), "offset_s": np.tile(grid.offsets_s, n),
                "delivered_tops": np.round(ser.tops.ravel(), 4), "compute_power_w": np.round(ser.power_w.ravel(), 3),
                "battery_soc": np.round(ser.soc.ravel(), 5), "throttled_by": why[ser.reason.ravel()],
            }))
        if frames:
            import pandas as pd

            out["compute_delivered.csv"] = pd.concat(frames, ignore_index=True)
    ins = results.insight
    if ins is not None:
        sats = np.array(eph.names, dtype=object)
        out["insight_captures.csv"] = _frame({
            "satellite": sats[ins.sat] if ins.sat.size else [], "ready_utc": _stamps(grid, ins.ready_s) if ins.ready_s.size else [],
            "ready_s": np.round(ins.ready_s, 3), "traditional_s": np.round(ins.traditional_s, 3),
            "in_orbit_s": np.round(ins.in_orbit_s, 3), "processed_s": np.round(ins.processed_s, 3),
        })
    rows: list = []
    doc = results_document(results)
    for key, value in doc.items():
        if key in ("schema", "timings_s"):
            continue
        _flatten(key, value, rows)
    out["summary.csv"] = _frame({"section": [r[0] for r in rows], "key": [r[1] for r in rows], "value": [r[2] for r in rows]})
    return out


def write_csv_dir(results: Results, folder: str | Path) -> list[Path]:
    """Write every CSV into ``folder`` (created if missing), all or nothing; returns the paths."""
    tables = csv_tables(results)
    with staged_dir(folder) as stage:
        for name, frame in tables.items():
            frame.to_csv(stage / name, index=False, na_rep="")
    return [Path(folder) / name for name in tables]
