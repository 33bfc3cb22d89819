"""The report's figures, drawn once with matplotlib's Agg canvas (no display, no pyplot state).

:func:`build_figures` returns name -> :class:`FigureImage` (PNG bytes and a caption); the PDF
and the HTML report embed the same images. Figures exist only for sections the results hold.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar

import numpy as np

from core.constants import EARTH_RADIUS_KM

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from core.analysis.pipeline import Results
    from core.orbits.ephemeris import Ephemeris
    from matplotlib.transforms import Bbox

DPI = 170
SHELL_COLOURS = ["#f4b400", "#1e88e5", "#e91e63", "#43a047", "#8e24aa", "#fb8c00", "#00acc1"]
MAX_TRACKS = 400


@dataclass(frozen=True)
class FigureImage:
    name: str
    caption: str
    png: bytes
    width_in: float
    height_in: float


T = TypeVar("T")


def _need(section: T | None) -> T:
    """The section a figure draws (:data:`FIGURES` draws one only when its section was computed)."""
    if section is None:
        raise ValueError("the figure's analysis was not computed")
    return section


def _new(width_in: float, height_in: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _hours(offsets_s: np.ndarray) -> np.ndarray:
    return np.asarray(offsets_s, dtype=float) / 3600.0


def _time_label(eph: Ephemeris) -> str:
    return f"time since {eph.time.iso(0.0)} [h]"


def _earth_image() -> np.ndarray | None:
    try:
        from matplotlib.image import imread

        from core.resources import resource_path

        return imread(resource_path("textures/earth_1024x512.jpg"))
    except (OSError, ImportError, ValueError):  # pragma: no cover - texture missing or Pillow absent: plain map
        return None


def _map_axes(fig: Figure, ax: Axes, dim: float = 0.75) -> None:
    img = _earth_image()
    if img is not None:
        ax.imshow(img, extent=(-180, 180, -90, 90), origin="upper", alpha=dim, zorder=0)
    else:
        ax.set_facecolor("#dfe8f0")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 60))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_aspect("equal")
    ax.grid(True, color="white", alpha=0.3, lw=0.5)


def _shell_colour(k: int) -> str:
    return SHELL_COLOURS[k % len(SHELL_COLOURS)]


def _track_sats(eph: Ephemeris) -> np.ndarray:
    if eph.n_sat <= MAX_TRACKS:
        return np.arange(eph.n_sat)
    return np.unique(np.linspace(0, eph.n_sat - 1, MAX_TRACKS).astype(int))


def _legend_below(fig: Figure, handles: list[Any], labels: list[str], max_cols: int = 3) -> None:
    """One legend for the figure, below its axes (never over the data)."""
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(max_cols, len(handles)), fontsize=7,
                   frameon=False)


def _legend_rows(n_entries: int, max_cols: int = 3) -> int:
    return -(-n_entries // max_cols) if n_entries else 0


PRIMARY_TICKS_S = [(1, "1 s"), (60, "1 min"), (3600, "1 h"), (86400, "1 day")]
SECONDARY_TICKS_S = [(0.01, "0.01 s"), (0.1, "0.1 s"), (10, "10 s"), (600, "10 min"), (6 * 3600, "6 h"),
                     (7 * 86400, "1 week"), (30 * 86400, "30 days")]


def _duration_ticks(lo_s: float, hi_s: float) -> list[tuple[float, str]]:
    """Ticks for a log time axis: 1 s, 1 min, 1 h, 1 day first, then in-between ones where there is room."""
    span = np.log10(hi_s / lo_s)
    gap = max(0.5, span / 7.0)  # decades between two labels
    ticks: list[tuple[float, str]] = [(v, t) for v, t in PRIMARY_TICKS_S if lo_s <= v <= hi_s]
    for v, t in SECONDARY_TICKS_S:
        if lo_s <= v <= hi_s and all(abs(np.log10(v / u)) >= gap for u, _ in ticks):
            ticks.append((v, t))
    return sorted(ticks)


def _duration_axis(ax: Axes, lo_s: float, hi_s: float) -> None:
    """A logarithmic time axis in seconds, ticked in the units people read: 1 s, 1 min, 1 h, 1 day."""
    from matplotlib.ticker import FixedLocator, NullLocator

    ax.set_xscale("log")
    ax.set_xlim(lo_s, hi_s)
    ticks = _duration_ticks(lo_s, hi_s)
    ax.xaxis.set_major_locator(FixedLocator([v for v, _ in ticks]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([t for _, t in ticks])


def _place_labels(fig: Figure, ax: Axes, points: list[tuple[float, float]], names: list[str], fontsize: float = 6,
                  colour: str = "white") -> None:
    """Label map points without letting two labels overlap: each tries eight positions around its
    point and is left out (the marker stays) when none is free."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # FigureCanvasAgg's, which _new sets
    fig.draw_without_rendering()
    placed: list[Bbox] = []
    box = ax.get_window_extent(renderer)
    offsets = [(4, 3, "left"), (4, -9, "left"), (-4, 3, "right"), (-4, -9, "right"), (0, 6, "center"),
               (0, -12, "center"), (8, -3, "left"), (-8, -3, "right")]
    for (x, y), name in zip(points, names):
        for dx, dy, ha in offsets:
            text = ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, color=colour,
                               ha=ha)
            extent = text.get_window_extent(renderer)
            inside = box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1
            if inside and not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                break
            text.remove()


# ----------------------------------------------------------------------------- figures


def fig_constellation_3d(results: Results) -> Figure:
    """Orbits of one period in the inertial frame around a sphere."""
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (registers the projection)

    eph = results.ephemeris
    fig = _new(6.2, 5.2)
    ax = fig.add_subplot(projection="3d")
    re = EARTH_RADIUS_KM
    u, v = np.mgrid[0 : 2 * np.pi : 48j, 0 : np.pi : 24j]
    ax.plot_surface(re * np.cos(u) * np.sin(v), re * np.sin(u) * np.sin(v), re * np.cos(v), color="#5c8fbf", alpha=0.35,
                    linewidth=0, shade=True)
    ax.plot_wireframe(re * np.cos(u) * np.sin(v), re * np.sin(u) * np.sin(v), re * np.cos(v), color="#2f5f8f", alpha=0.15,
                      linewidth=0.3)
    period = max(s.period_s for s in eph.shells)
    n = int(np.searchsorted(eph.time.offsets_s, eph.time.offsets_s[0] + period)) + 1
    sats = _track_sats(eph)
    extent = re
    for s in sats:
        k = int(eph.shell_index[s])
        r = eph.r_eci_km[s, :n]
        if n >= 3 and eph.time.step_s < eph.shells[k].period_s / 12:
            ax.plot(r[:, 0], r[:, 1], r[:, 2], color=_shell_colour(k), lw=0.6, alpha=0.7)
        ax.scatter(*eph.r_eci_km[s, 0], color=_shell_colour(k), s=6, depthshade=False)
        extent = max(extent, float(np.nanmax(np.abs(r))))
    handles = [ax.plot([], [], color=_shell_colour(k))[0] for k in range(len(eph.shells))]
    _legend_below(fig, handles, [f"{shell.name} ({shell.n_sat:,} satellites)" for shell in eph.shells])
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_zlim(-extent, extent)
    ax.set_box_aspect((1, 1, 1))
    ax.set_xlabel("x [km]", fontsize=7)
    ax.set_ylabel("y [km]", fontsize=7)
    ax.set_zlabel("z [km]", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.view_init(elev=22, azim=-60)
    return fig


def fig_ground_tracks(results: Results) -> Figure:
    eph = results.ephemeris
    fig = _new(7.0, 3.9)
    ax = fig.add_subplot()
    _map_axes(fig, ax)
    lat, lon, _ = eph.lat_lon_alt
    lon = (lon + 180.0) % 360.0 - 180.0
    period = max(s.period_s for s in eph.shells)
    n = int(np.searchsorted(eph.time.offsets_s, eph.time.offsets_s[0] + period)) + 1
    for s in _track_sats(eph):
        k = int(eph.shell_index[s])
        x, y = lon[s, :n].copy(), lat[s, :n].copy()
        jumps = np.flatnonzero(np.abs(np.diff(x)) > 180) + 1
        x = np.insert(x, jumps, np.nan)
        y = np.insert(y, jumps, np.nan)
        ax.plot(x, y, color=_shell_colour(k), lw=0.6, alpha=0.8)
        ax.plot(lon[s, 0], lat[s, 0], "o", ms=2.5, color=_shell_colour(k))
    points = []
    for st in results.mission.ground_stations:
        lo = st.lon_deg if st.lon_deg <= 180 else st.lon_deg - 360
        ax.plot(lo, st.lat_deg, "^", ms=6, color="#d50000", mec="white", mew=0.6)
        points.append((lo, st.lat_deg))
    ax.set_title(f"Ground tracks over one orbit from {eph.time.iso(0.0)}; ▲ ground stations", fontsize=8)
    _place_labels(fig, ax, points, [st.name for st in results.mission.ground_stations])
    return fig


def fig_coverage_map(results: Results) -> Figure:
    cov = _need(results.coverage)
    g = cov.grid
    fig = _new(7.0, 3.9)
    ax = fig.add_subplot()
    _map_axes(fig, ax, dim=0.9)
    data = np.where(g.active, 100.0 * cov.cell_coverage_fraction, np.nan)
    lon_edges = (g.lon_edges_deg + 180.0) % 360.0 - 180.0 if g.lon_edges_deg.max() > 180 else g.lon_edges_deg
    if not np.all(np.diff(lon_edges) > 0):  # wrapping would break the order: keep the grid's own edges
        lon_edges = g.lon_edges_deg
    mesh = ax.pcolormesh(lon_edges, g.lat_edges_deg, np.ma.masked_invalid(data), cmap="viridis", vmin=0, vmax=100,
                         alpha=0.72, shading="flat", zorder=1)
    fig.colorbar(mesh, ax=ax, shrink=0.8, label="time covered [%]")
    ax.set_title(f"Share of time each cell sees a satellite above {cov.min_elevation_deg:g} deg "
                 f"({cov.grid_deg:g} deg grid)", fontsize=8)
    return fig


def fig_coverage_time(results: Results) -> Figure:
    cov = _need(results.coverage)
    eph = results.ephemeris
    fig = _new(7.0, 3.0)
    ax = fig.add_subplot()
    t = _hours(cov.offsets_s)
    ax.plot(t, cov.percent_covered, color="#1e88e5", lw=1.2, label="area covered")
    ax.axhline(cov.mean_percent, color="#1e88e5", ls="--", lw=0.8, label=f"mean {cov.mean_percent:.1f} %")
    ax.set_ylabel("area covered [%]")
    ax.set_xlabel(_time_label(eph))
    ax.set_ylim(0, 100 if cov.max_percent > 50 else max(5.0, 1.15 * cov.max_percent))
    ax.grid(True, alpha=0.3)
    ax2 = ax.twinx()
    ax2.plot(t, cov.mean_sats_in_view, color="#fb8c00", lw=0.9, alpha=0.8, label="mean satellites in view")
    ax2.set_ylabel("mean satellites in view")
    ax2.set_ylim(0, max(1e-3, 1.3 * float(np.nanmax(cov.mean_sats_in_view))) if cov.mean_sats_in_view.size else 1)
    lines = ax.get_lines() + ax2.get_lines()
    _legend_below(fig, lines, [str(ln.get_label()) for ln in lines])
    return fig


def fig_access_timeline(results: Results) -> Figure | None:
    acc = _need(results.access)
    eph = results.ephemeris
    if acc.n_station == 0:
        return None
    fig = _new(7.0, 0.6 + 0.35 * acc.n_station + 0.8)
    ax = fig.add_subplot()
    for k in range(acc.n_station):
        in_view = acc.satellites_in_contact[k] > 0
        step = eph.time.step_s or 60.0
        spans = []
        idx = np.flatnonzero(in_view)
        if idx.size:
            breaks = np.flatnonzero(np.diff(idx) > 1)
            for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, idx.size - 1]):
                t0 = acc.offsets_s[idx[a]] / 3600.0
                spans.append((t0, (acc.offsets_s[idx[b]] - acc.offsets_s[idx[a]] + step) / 3600.0))
        ax.broken_barh(spans, (k - 0.35, 0.7), color="#43a047")
    ax.set_yticks(range(acc.n_station))
    ax.set_yticklabels(acc.station_names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, eph.time.duration_s / 3600.0 + (eph.time.step_s or 0) / 3600.0)
    ax.set_xlabel(_time_label(eph))
    ax.set_title("Ground-station contact (any satellite in view above the station's mask)", fontsize=8)
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def fig_latency(results: Results) -> Figure:
    from matplotlib.lines import Line2D

    net = _need(results.network)
    eph = results.ephemeris
    colours = ["#1e88e5", "#e91e63", "#43a047", "#8e24aa", "#fb8c00", "#00acc1", "#6d4c41"]
    entries = net.n_pair + 2
    fig = _new(7.0, 3.0 + 0.16 * _legend_rows(entries))
    ax = fig.add_subplot()
    t = _hours(net.offsets_s)
    handles, labels = [], []
    for q, (a, b) in enumerate(net.pairs):
        c = colours[q % len(colours)]
        ax.plot(t, net.latency_ms[q], color=c, lw=1.0)
        ax.axhline(net.fiber_ms[q], color=c, ls="--", lw=0.9)
        handles.append(Line2D([], [], color=c, lw=4))
        labels.append(f"{a} - {b}")
    handles += [Line2D([], [], color="#333333", lw=1.0), Line2D([], [], color="#333333", lw=0.9, ls="--")]
    labels += ["through the constellation", "fibre (great circle at 2/3 c)"]
    ax.set_xlim(0, max(float(t[-1]) if t.size else 1.0, 1e-3))
    ax.set_xlabel(_time_label(eph))
    ax.set_ylabel("one-way latency [ms]")
    ax.grid(True, alpha=0.3)
    ax.set_ylim(bottom=0)
    _legend_below(fig, handles, labels)
    ax.set_title("Latency through the constellation (gaps: no route) against terrestrial fibre", fontsize=8)
    return fig


def fig_power(results: Results) -> Figure:
    from matplotlib.lines import Line2D

    pw = _need(results.power)
    fig = _new(7.0, 4.8 + 0.16 * _legend_rows(len(pw.shells)))
    grid = fig.add_gridspec(2, 2)
    ax_beta, ax_ecl, ax_soc = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])
    handles = []
    for k, s in enumerate(pw.shells):
        c = _shell_colour(k)
        ax_beta.fill_between(s.year_days, s.beta_min_deg_by_day, s.beta_max_deg_by_day, color=c, alpha=0.25)
        ax_beta.plot(s.year_days, s.beta_max_deg_by_day, color=c, lw=0.8)
        ax_ecl.plot(s.year_days, 100 * s.eclipse_fraction_max_by_day, color=c, lw=1.1)
        n = min(s.soc_time_s.size, s.soc.size)
        ax_soc.plot(s.soc_time_s[:n] / 60.0, 100 * s.soc[:n], color=c, lw=1.2)
        handles.append(Line2D([], [], color=c, lw=4))
    ax_beta.set_xlabel("day of the year from the epoch")
    ax_beta.set_ylabel("beta angle [deg]")
    ax_beta.set_title("Sun beta angle (band: all satellites)", fontsize=8)
    ax_ecl.set_xlabel("day of the year from the epoch")
    ax_ecl.set_ylabel("eclipse [% of the orbit]")
    ax_ecl.set_ylim(0, max(5.0, 1.2 * 100 * max(float(np.max(s.eclipse_fraction_max_by_day, initial=0)) for s in pw.shells)))
    ax_ecl.set_title("Eclipse share, worst satellite of each day", fontsize=8)
    ax_soc.set_xlabel("time in the worst orbit of the year [min]")
    ax_soc.set_ylabel("battery charge [%]")
    ax_soc.set_title("Battery state of charge over the worst-case orbit", fontsize=8)
    for ax in (ax_beta, ax_ecl, ax_soc):
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
    _legend_below(fig, handles, [s.shell for s in pw.shells])
    return fig


def fig_insight(results: Results) -> Figure:
    from matplotlib.lines import Line2D

    ins = _need(results.insight)
    stability = {"traditional": ins.traditional_stability, "in_orbit": ins.in_orbit_stability}
    fig = _new(7.0, 3.2)
    ax1, ax2 = fig.subplots(1, 2)
    styles = (("traditional", "traditional: downlink raw data, process on the ground", "#e53935"),
              ("in_orbit", "in orbit: process on board, downlink the results", "#1e88e5"))
    finite_all = np.concatenate([ins.traditional_s[np.isfinite(ins.traditional_s)], ins.in_orbit_s[np.isfinite(ins.in_orbit_s)]])
    finite_all = finite_all[finite_all > 0]
    lo = max(0.01, float(finite_all.min()) / 1.5) if finite_all.size else 1.0
    hi = max(float(finite_all.max()) * 1.5, lo * 10) if finite_all.size else 3600.0
    bins = np.geomspace(lo, hi, 41)
    handles, labels = [], []
    for which, label, c in styles:
        v, f = ins.distribution(which)
        ok = np.isfinite(v) & (v > 0)
        if ok.any():
            ax1.step(v[ok], 100 * f[ok], where="post", color=c, lw=1.3)
            ax2.hist(v[ok], bins=bins, color=c, alpha=0.55, weights=np.full(int(ok.sum()), 100.0 / max(v.size, 1)))
        path = stability[which]
        if path is not None and not path.stable:
            label += " (cannot keep up: the queue grows)"
        handles.append(Line2D([], [], color=c, lw=4))
        labels.append(label)
    for ax in (ax1, ax2):
        _duration_axis(ax, lo, hi)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("time from capture to result on the ground")
    ax1.set_ylabel("captures delivered [%]")
    ax1.set_ylim(0, 100)
    if not ax1.get_lines():
        ax1.text(0.5, 0.5, "no capture delivered within the horizon", ha="center", transform=ax1.transAxes, fontsize=8)
    ax1.set_title("Cumulative share of captures delivered", fontsize=8)
    ax2.set_ylabel("captures [% of all]")
    ax2.set_title("Distribution", fontsize=8)
    _legend_below(fig, handles, labels, max_cols=1)
    return fig


MAX_DEMAND_LINES = 6


def fig_traffic(results: Results) -> Figure | None:
    """Served Gbit/s over the window: all demands together against the offer (and each demand when few)."""
    from matplotlib.lines import Line2D

    tr = _need(results.traffic)
    eph = results.ephemeris
    if tr.offsets_s.size < 2:
        return None
    colours = ["#e91e63", "#43a047", "#8e24aa", "#fb8c00", "#00acc1", "#6d4c41"]
    t = _hours(tr.offsets_s)
    each = len(tr.demands) <= MAX_DEMAND_LINES and len(tr.demands) > 1
    entries = 2 + (len(tr.demands) if each else 0)
    fig = _new(7.0, 2.8 + 0.16 * _legend_rows(entries))
    ax = fig.add_subplot()
    ax.plot(t, tr.total_served_gbps(), color="#1e88e5", lw=1.4)
    ax.axhline(float(tr.offered_gbps.sum()), color="#1e88e5", ls="--", lw=0.9)
    handles = [Line2D([], [], color="#1e88e5", lw=1.4), Line2D([], [], color="#1e88e5", lw=0.9, ls="--")]
    labels = ["served, all demands", "offered, all demands"]
    if each:
        for q, d in enumerate(tr.demands):
            c = colours[q % len(colours)]
            ax.plot(t, tr.served_gbps[q], color=c, lw=0.9, alpha=0.9)
            handles.append(Line2D([], [], color=c, lw=4))
            labels.append(f"{d.src} - {d.dst} (offered {d.gbps:,.3g} Gbit/s)")
    ax.set_xlim(0, max(float(t[-1]), 1e-3))
    ax.set_ylim(0, 1.1 * max(float(tr.offered_gbps.sum()), float(np.max(tr.total_served_gbps(), initial=0.0)), 1e-6))
    ax.set_xlabel(_time_label(eph))
    ax.set_ylabel("throughput [Gbit/s]")
    ax.grid(True, alpha=0.3)
    ax.tick_params(labelsize=7)
    ax.set_title("Max-min fair throughput at each epoch against the offered demand", fontsize=8)
    _legend_below(fig, handles, labels)
    return fig


FIGURES: list[tuple[str, str, Callable, str]] = [
    ("constellation_3d", "ephemeris", fig_constellation_3d,
     "The constellation in the inertial frame (GCRS): each satellite's orbit over one period from the epoch."),
    ("ground_tracks", "ephemeris", fig_ground_tracks,
     "Ground tracks over one orbital period from the epoch, with the ground stations."),
    ("coverage_map", "coverage", fig_coverage_map, "Coverage map: the share of the analysis window each grid cell is covered."),
    ("coverage_time", "coverage", fig_coverage_time, "Coverage over time: covered area and mean number of satellites in view."),
    ("access_timeline", "access", fig_access_timeline, "When each ground station is in contact with at least one satellite."),
    ("latency", "network", fig_latency, "One-way latency of each pair through the constellation, against fibre."),
    ("traffic", "traffic", fig_traffic, "Traffic served over the window (max-min fair rates) against the offered demand."),
    ("power", "power", fig_power, "Sun geometry over a year and the battery over the worst-case orbit."),
    ("insight", "insight", fig_insight, "Time to insight: traditional (downlink raw data) against in-orbit processing."),
]


def draw_figures(results: Results) -> Iterator[tuple[str, str, Figure]]:
    """``(name, caption, matplotlib Figure)`` for every figure the results support, in report order."""
    for name, needs, fn, caption in FIGURES:
        if needs != "ephemeris" and getattr(results, needs, None) is None:
            continue
        if needs == "ephemeris" and results.ephemeris.n_sat == 0:
            continue
        fig = fn(results)
        if fig is not None:
            yield name, caption, fig


def build_figures(results: Results) -> dict[str, FigureImage]:
    """Every figure the results support, rendered to PNG once."""
    out: dict[str, FigureImage] = {}
    for name, caption, fig in draw_figures(results):
        w, h = fig.get_size_inches()
        out[name] = FigureImage(name, caption, _png(fig), float(w), float(h))
    return out
