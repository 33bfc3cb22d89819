"""What the report says, independent of PDF or HTML: sections of paragraphs, tables and figures.

:func:`report_content` reads a ``Results`` (the same object the app and the CLI read) and
returns a :class:`Report`; :mod:`.pdf` and :mod:`.html` lay the same content out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from core.analysis.tables import Table

if TYPE_CHECKING:
    from core.analysis.pipeline import Results
    from core.mission.model import Mission
    from core.orbits.shells import ShellInfo


@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"  # body | note | bullet


@dataclass(frozen=True)
class TableBlock:
    table: Table
    note: str = ""


@dataclass(frozen=True)
class FigureBlock:
    name: str


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)
    anchor: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    generated_utc: str
    sections: list[Section]
    figures: dict


def fmt(value: Any) -> str:
    """A table cell as text: numbers with sensible precision and thousands separators."""
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return "-"
        if math.isinf(v):
            return "never" if v > 0 else "-inf"
        if v == 0:
            return "0"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:.1f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3g}"
    return str(value)


_NUMBER = re.compile(r"^[-+]?\$?\d[\d,.]*( ?[%a-zA-Z/]+)?$")


def is_number(value: Any, text: str) -> bool:
    """Whether a cell reads as a number (a value, or text such as '$7,395', '12.5 %', '9.0 h')."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, float, np.integer, np.floating)) or bool(_NUMBER.match(text))


def _duration(seconds: float | None) -> str:
    """A time span for people: '1.2 s', '45 s', '12.5 min', '9.0 h', '3.2 days' ('-' when unknown)."""
    if seconds is None or not np.isfinite(seconds):
        return "-"
    s = float(seconds)
    if s < 10:
        return f"{s:.2g} s" if s >= 0.1 or s == 0 else f"{s:.1g} s"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def _times(n: float) -> str:
    """A ratio for people, to two significant digits: '2.5', '45', '1,200', '28,000'."""
    v = float(f"{n:.2g}")
    return f"{v:,.0f}" if v >= 10 else f"{v:g}"


def _money(usd: float, scale_of: float | None = None) -> str:
    """Money for people: '$7,395', '$8.0 million', '$1.2 billion' (in the scale of ``scale_of`` when
    given, so two amounts in one sentence read alike: '$8.0 million ... $0.44 million')."""
    ref = abs(usd if scale_of is None else scale_of)
    for scale, word in ((1e9, "billion"), (1e6, "million")):
        if ref >= scale:
            value = usd / scale
            return f"${value:.{1 if abs(value) >= 1 else 2}f} {word}"
    return f"${usd:,.0f}"


def _stable(model: dict) -> bool:
    """Whether a time-to-insight model keeps up with its data (results without the key: it does)."""
    return model.get("stable", True) is not False


def _tbit(gbit: float) -> str:
    """A daily volume in Tbit, three significant figures: '660', '0.00576', '1,230'."""
    tbit = gbit / 1000.0
    return f"{tbit:,.0f}" if tbit >= 1000 else f"{tbit:.3g}"


def _unstable_words(model: dict) -> str:
    """Why a model has no median: the analysis' own words ('the downlink cannot keep up: the backlog
    grows by 660 Tbit a day (79 of 81 satellites fall behind)'), or the same from its growth."""
    if model.get("reason"):
        return str(model["reason"])
    growth = model.get("backlog_growth_gbit_per_day")
    return "the downlink cannot keep up" + (f": the backlog grows by {_tbit(growth)} Tbit a day" if growth else "")


def _model_phrase(model: dict, horizon_s: float | None) -> str:
    """One model's time to insight in words: its median, or why there is none."""
    if not _stable(model):
        return _unstable_words(model)
    median = model.get("median_s")
    if median is None:
        if model.get("reason"):  # e.g. no steady state within the repetitions the analysis allows
            return str(model["reason"])
        within = f" within the analysis horizon ({_duration(horizon_s)})" if horizon_s else " within the analysis horizon"
        return f"most captures are not delivered{within}"
    return f"{_duration(median)} median"


def insight_phrase(insight: dict) -> str:
    """The key result of time to insight, for people: 'in orbit: 1.2 s median; traditional: ...'."""
    horizon = insight.get("horizon_s")
    trad, orbit = insight["traditional"], insight["in_orbit"]
    text = f"in orbit: {_model_phrase(orbit, horizon)}; traditional: {_model_phrase(trad, horizon)}"
    speedup = insight.get("speedup_median")
    medians = trad.get("median_s") is not None and orbit.get("median_s") is not None
    if speedup and medians and _stable(trad) and _stable(orbit) and speedup > 1.5:
        text += f"; results arrive about {_times(speedup)} times sooner"
    return text


def _walker(shell: ShellInfo) -> str:
    if not shell.is_walker:
        return shell.source
    return f"{shell.pattern or 'delta'} {shell.inclination_deg:.1f}:{shell.n_sat}/{shell.planes}/{shell.phasing}"


def _headline(results: Results) -> Table:
    rows = []
    eph = results.ephemeris
    rows.append(["satellites", f"{eph.n_sat:,} in {len(eph.shells)} shell" + ("s" if len(eph.shells) != 1 else "")])
    if results.coverage is not None:
        c = results.coverage
        rows.append(["coverage, mean area covered", f"{c.mean_percent:.1f} % (min {c.min_percent:.1f} %, max {c.max_percent:.1f} %)"])
        rows.append(["coverage, longest gap", "none: every covered cell stays covered" if c.max_gap_s == 0 else _duration(c.max_gap_s)])
    if results.access is not None:
        a = results.access
        rows.append(["ground contact, all stations", f"{int(np.sum(a.passes)):,} passes, {float(np.sum(a.downlink_gbit)):,.0f} Gbit downlink"])
    if results.network is not None:
        for entry in results.network.to_json():
            med = entry["median_ms"]
            reach = entry["reachable_fraction"]
            when = "reachable all the time" if reach >= 0.9995 else f"reachable {100 * reach:.0f} % of the time"
            text = ("no route at any time" if med is None
                    else f"{med:.1f} ms median vs {entry['fiber_ms']:.1f} ms fibre ({when})")
            rows.append([f"latency {entry['from']} - {entry['to']}", text])
    if results.compute is not None:
        pops = sum(s.constellation_pops for s in results.compute.shells)
        bases = {s.hardware.tops_basis for s in results.compute.shells if s.hardware.tops_basis is not None}
        basis = ", ".join(str(b) for b in sorted(bases)) if bases else "peak INT8"
        rows.append(["compute in orbit", f"{pops:,.1f} POPS ({basis})"])
    if results.power is not None:
        bad = [s.shell for s in results.power.shells if not s.feasible]
        rows.append(["power and heat", "all shells feasible" if not bad else "NOT feasible: " + ", ".join(bad)])
    if results.insight is not None:
        rows.append(["time to insight", insight_phrase(results.insight.to_json())])
    from core.export.report import analyses

    if results.traffic is not None:
        rows.append(analyses.traffic_row(results.traffic.to_json()))
    if results.cluster is not None:
        rows += analyses.cluster_rows(results.cluster.to_json())
    if results.optical is not None and results.optical.optical.any():  # some link has an optical budget
        rows.append(analyses.optical_row(results.optical.to_json()))
    if results.training is not None:
        rows.append(analyses.training_row(results.training.to_json()))
    if results.radiation is not None:
        rows += analyses.radiation_rows(results.radiation.to_json())
    if results.cost is not None:
        costs = [s.to_json() for s in results.cost.shells]
        today = [c["constellation_usd"] for c in costs if c["constellation_usd"] is not None]
        later = [c["constellation_usd_2035"] for c in costs if c["constellation_usd_2035"] is not None]
        built = any(c["satellite_usd"] for c in costs)
        if today:
            rows.append(["launch and build cost" if built else "launch cost of the constellation",
                         f"{_money(sum(today))} at today's prices"
                         + (f", {_money(sum(later), sum(today))} at mid-2030s prices" if len(later) == len(today) else "")])
    return Table("Key results", ["figure of merit", "value"], rows)


def _insight_cell(model: dict, key: str) -> str:
    if not _stable(model):
        return "-"
    value = model.get(key)
    return "not reached" if value is None else _duration(value)


def insight_table(insight: dict) -> Table:
    """Both time-to-insight models side by side, times in the unit that suits each (s, min, h)."""
    rows = []
    for name, model in (("traditional", insight["traditional"]), ("in orbit", insight["in_orbit"])):
        growth = model.get("backlog_growth_gbit_per_day")
        keeps_up = "yes" if _stable(model) else ("no: the backlog grows by " + (f"{_tbit(growth)} Tbit/day" if growth else "the day"))
        undelivered = model.get("undelivered_fraction")
        rows.append([name, _insight_cell(model, "median_s"), _insight_cell(model, "p95_s"),
                     "-" if undelivered is None else f"{100 * undelivered:.1f} %",
                     model.get("downlink_gbit_per_day"), keeps_up])
    return Table("Time to insight", ["model", "median", "95th percentile", "not delivered", "downlink Gbit/day",
                                     "keeps up with its data"], rows)


def insight_gains_table(insight: dict) -> Table:
    """What processing in orbit gains, in words and ratios (the terminal's companion to :func:`insight_table`)."""
    trad, orbit = insight["traditional"], insight["in_orbit"]
    speedup = insight.get("speedup_median")
    if not _stable(trad):
        sooner = "no median: the traditional downlink cannot keep up"
    elif not _stable(orbit):
        sooner = "no median: in-orbit processing cannot keep up"
    elif speedup:
        sooner = f"{_times(speedup)} times sooner"
    else:
        sooner = "no median for one of the two models"
    reduction = insight.get("downlink_reduction")
    rows = [["results, median", sooner],
            ["data sent to the ground", f"{_times(reduction)} times less" if reduction else "-"]]
    capacity, raw = insight.get("downlink_capacity_gbit_per_day"), trad.get("downlink_gbit_per_day")
    if capacity and raw:
        rows.append(["raw data against the stations' capacity", f"{100 * raw / capacity:,.0f} %"])
    return Table("Time to insight: what processing in orbit gains", ["figure", "value"], rows)


def insight_summary(insight: dict) -> str:
    """The comparison in a sentence: how much sooner, how much less data, against the ground segment."""
    parts = [insight_phrase(insight)[0].upper() + insight_phrase(insight)[1:] + "."]
    reduction = insight.get("downlink_reduction")
    if reduction:
        parts.append(f"Processing in orbit sends {_times(reduction)} times less data to the ground.")
    capacity = insight.get("downlink_capacity_gbit_per_day")
    raw = insight["traditional"].get("downlink_gbit_per_day")
    if capacity and raw:
        parts.append(f"The ground stations can take {capacity:,.0f} Gbit a day; the raw data are {raw:,.0f} Gbit a day "
                     f"({100 * raw / capacity:.0f} % of that).")
    return " ".join(parts)


def readable_units(table: Table) -> Table:
    """The same table with every seconds column ('... s') in minutes or hours when its values are that long."""
    columns, rows = list(table.columns), [list(r) for r in table.rows]
    for k, name in enumerate(columns):
        head, _, unit = str(name).rpartition(" ")
        values = [r[k] for r in rows if k < len(r) and isinstance(r[k], (int, float)) and not isinstance(r[k], bool)]
        finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
        if unit != "s" or not head or not finite:
            continue
        scale, label = (3600.0, "h") if max(finite) >= 7200 else (60.0, "min") if max(finite) >= 120 else (1.0, "s")
        if scale == 1.0:
            continue
        columns[k] = f"{head} {label}"
        for r in rows:
            if k < len(r) and isinstance(r[k], (int, float)) and not isinstance(r[k], bool):
                r[k] = round(float(r[k]) / scale, 1)
    return Table(table.title, columns, rows)


def _shell_table(results: Results) -> Table:
    eph = results.ephemeris
    rows = []
    for s in eph.shells:
        rows.append([s.name, _walker(s), s.n_sat, s.altitude_km, s.inclination_deg, s.eccentricity, s.period_s / 60.0,
                     s.raan_drift_deg_per_day, s.propagator, s.isl, s.bus])
    return Table("Constellation", ["shell", "geometry i:t/p/f", "satellites", "altitude km", "inclination deg", "eccentricity",
                                   "period min", "RAAN drift deg/day", "propagator", "ISL", "bus"], rows)


def _stations_table(mission: Mission) -> Table:
    rows = [[s.name, s.lat_deg, s.lon_deg, s.alt_m, s.min_elevation_deg] for s in mission.ground_stations]
    return Table("Ground stations", ["station", "latitude deg", "longitude deg", "altitude m", "elevation mask deg"], rows)


def _bus_table(results: Results) -> Table:
    mission = results.mission
    used = []
    for s in results.ephemeris.shells:
        if s.bus not in used:
            used.append(s.bus)
    rows = []
    fields = [
        ("compute_hardware", "compute hardware", ""), ("compute_units", "compute units", ""),
        ("bus_power_w", "bus power (excl. compute)", "W"), ("sensor_rate_mbps", "sensor rate while imaging", "Mbit/s"),
        ("sensor_duty", "sensor duty", "fraction"), ("downlink_mbps", "downlink rate", "Mbit/s"),
        ("isl_gbps", "inter-satellite link rate", "Gbit/s"), ("storage_tb", "onboard storage", "TB"),
        ("solar_cell", "solar cells", ""), ("mission_life_years", "mission life", "years"),
        ("battery_wh_per_kg", "battery specific energy", "Wh/kg"), ("shadow_model", "shadow model", ""),
        ("radiator_temp_c", "radiator temperature", "deg C"), ("radiator_emissivity", "radiator emissivity", ""),
        ("structure_mass_kg", "structure mass", "kg"), ("shielding_mm_al", "radiation shielding", "mm Al"),
    ]
    buses = {}
    for key in used:
        try:
            buses[key] = mission.bus_for(next(c for c in mission.constellations if c.bus == key))
        except (KeyError, StopIteration):
            continue
    for attr, label, unit in fields:
        rows.append([label + (f" [{unit}]" if unit else "")] + [getattr(b, attr, "-") for b in buses.values()])
    return Table("Satellite designs (buses)", ["parameter"] + list(buses), rows)


def _workload_table(mission: Mission) -> Table:
    w, c = mission.workload, mission.cost
    rows = [
        ["compute per raw byte", w.ops_per_byte, "operations/byte"],
        ["output ratio after processing", w.output_ratio, "result bytes per raw byte"],
        ["ground processing per batch", w.ground_processing_s, "s"],
        ["capture (batch) length", w.capture_s, "s"],
        ["launch price today", c.launch_usd_per_kg, "USD/kg"],
        ["launch price mid-2030s", c.launch_usd_per_kg_2035, "USD/kg"],
        ["satellite build cost", c.satellite_usd, "USD per satellite"],
    ]
    return Table("Workload and cost model", ["parameter", "value", "unit"], rows)


MODEL_NOTES = [
    "Orbits: Walker shells from mean elements; 'j2' propagates the J2 secular drift of node, perigee and mean "
    "anomaly (no short-period terms, no drag), 'two-body' is Keplerian, 'sgp4' and imported TLE/OMM sets use SGP4. "
    "Inertial positions are GCRS; Earth-fixed positions are ITRS through the full IAU 2006/2000A rotation (astropy).",
    "Coverage: an area-weighted latitude/longitude grid on a spherical Earth; a cell is covered when at least one "
    "satellite is at or above the elevation mask from its centre. Gaps and revisit come from the analysis grid, so "
    "they resolve to one time step.",
    "Ground-station access: line of sight above each station's own elevation mask on the WGS-84 ellipsoid; pass "
    "times are refined between grid epochs. Downlink volume follows the antenna schedule below.",
    "Latency: one way, up-link + inter-satellite links + down-link at the speed of light in vacuum, shortest path "
    "per epoch; fibre is the great-circle distance at 2/3 c, a lower bound for real fibre routes.",
    "Inter-satellite links: Walker shells use a plus-grid (two in-plane, two cross-plane neighbours); a link is up "
    "when its line of sight clears the Earth by 80 km and, where set, is within the range limit.",
    "Power: beta angle and eclipse over one year from the epoch (cylindrical or conical shadow); solar array and "
    "battery sized by the SMAD method for the worst orbit and the eclipse load; radiator for the peak dissipation "
    "(bus + compute at full load) from the Stefan-Boltzmann balance with Earth infrared and albedo loads for its facing.",
    "Compute: catalogue peak TOPS on one basis for every part (the workload's precision, dense INT8 by default) times "
    "the units; a powered unit draws at least its lowest power mode: power_w_min + (power_w - power_w_min) x utilisation.",
    "Ground segment: each station's antennas track one satellite each, first come first served; this one schedule gives "
    "the access downlink and the contacts of the time-to-insight model.",
    "Time to insight: traditional = raw downlink plus ground processing, in orbit = on-board processing plus downlink "
    "of the results (through ISLs to a tracked satellite where links exist). A path whose long-run arrival exceeds its "
    "service cannot keep up and has no median; a stable path reports steady-state figures (warm-up excluded).",
    "Cost: launch mass x price per kilogram, today and as projected for the mid-2030s, plus the satellite build cost if given.",
]


def _sources(results: Results) -> list[str]:
    mission = results.mission
    out = list(mission.sources)
    if results.compute is not None:
        for s in results.compute.shells:
            src = s.hardware.source
            line = f"{s.hardware.name}: {src}" if src else s.hardware.name
            if line not in out:
                out.append(line)
    from core.export.report.analyses import sources as analysis_sources

    out += [line for line in analysis_sources(results) if line not in out]
    out.append("Earth imagery: NASA Earth Observatory, Blue Marble Next Generation (public domain).")
    out.append("City positions: the built-in city catalogue (resources/cities.yaml).")
    return out


def report_content(results: Results, figures: dict | None = None) -> Report:
    """The report's sections for ``results`` (``figures`` from :func:`.figures.build_figures`)."""
    from core import __version__

    if figures is None:
        from core.export.report.figures import build_figures

        figures = build_figures(results)
    mission, eph = results.mission, results.ephemeris
    step = eph.time.step_s
    subtitle = (f"Epoch {eph.time.iso(0.0)} · window {_duration(eph.time.duration_s)} in {step:g} s steps "
                f"({eph.n_time:,} epochs) · {eph.n_sat:,} satellites")
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    def fig(name: str) -> list[FigureBlock]:
        return [FigureBlock(name)] if name in figures else []

    sections: list[Section] = []
    summary = Section("Mission summary", anchor="summary")
    if mission.description:
        summary.blocks.append(Para(mission.description))
    summary.blocks.append(Para(f"Generated by StarNet Studio {__version__} on {generated}. All times are UTC; units are "
                               "given in every column heading.", "note"))
    summary.blocks.append(TableBlock(_headline(results)))
    sections.append(summary)

    constellation = Section("Constellation", anchor="constellation")
    constellation.blocks.append(TableBlock(_shell_table(results),
                                           "Altitude is the mean semi-major axis minus the equatorial radius (6,378.137 km)."))
    constellation.blocks += fig("constellation_3d") + fig("ground_tracks")
    sections.append(constellation)

    if results.coverage is not None:
        s = Section("Coverage", anchor="coverage")
        s.blocks += [TableBlock(t) for t in map(readable_units, results.coverage.tables())]
        s.blocks += fig("coverage_map") + fig("coverage_time")
        sections.append(s)
    if results.access is not None:
        s = Section("Ground-station access", anchor="access")
        s.blocks.append(TableBlock(_stations_table(mission)))
        s.blocks += [TableBlock(t) for t in map(readable_units, results.access.tables())]
        s.blocks += fig("access_timeline")
        sections.append(s)
    if results.network is not None:
        s = Section("Latency", anchor="latency")
        s.blocks += [TableBlock(t, "Fibre: great-circle distance at 2/3 of the speed of light. Median/fibre below 1 means "
                                   "the constellation beats an ideal fibre.") for t in map(readable_units, results.network.tables())]
        s.blocks += fig("latency")
        sections.append(s)
    from core.export.report import analyses

    for extra in (analyses.traffic_section(results, figures), analyses.optical_section(results),
                  analyses.cluster_section(results)):
        if extra is not None:
            sections.append(extra)
    budgets = Section("Power, heat, compute and cost budgets", anchor="budgets")
    if results.power is not None:
        budgets.blocks += [TableBlock(t, "Eclipse over one year from the epoch; array and battery sized for the worst orbit.")
                           for t in map(readable_units, results.power.tables())]
        budgets.blocks += fig("power")
    if results.compute is not None:
        budgets.blocks += [TableBlock(t, "Utilization: required / available TOPS per satellite.") for t in map(readable_units, results.compute.tables())]
    if results.cost is not None:
        budgets.blocks += [TableBlock(t) for t in map(readable_units, results.cost.tables())]
    if budgets.blocks:
        sections.append(budgets)
    for extra in (analyses.radiation_section(results), analyses.training_section(results)):
        if extra is not None:
            sections.append(extra)
    if results.insight is not None:
        s = Section("Time to insight: traditional against in-orbit processing", anchor="insight")
        s.blocks.append(Para("Traditional: raw captures wait for a ground contact, are downlinked and processed in a ground "
                             "data centre. In orbit: each satellite processes its captures and downlinks only the results."))
        j = results.insight.to_json()
        s.blocks.append(TableBlock(insight_table(j), "Times from the end of a capture to its result on the ground; "
                                                     "'not delivered': not on the ground within the analysis horizon."))
        s.blocks.append(Para(insight_summary(j)))
        s.blocks += fig("insight")
        sections.append(s)

    notes = Section("Assumptions and model notes", anchor="assumptions")
    a = mission.analysis
    notes.blocks.append(TableBlock(Table("Analysis settings", ["setting", "value"], [
        ["epoch", eph.time.iso(0.0)], ["duration", f"{a.duration_s:,.0f} s ({_duration(a.duration_s)})"],
        ["time step", f"{a.step_s:g} s"], ["user elevation mask", f"{a.min_elevation_deg:g} deg"],
        ["coverage grid", f"{a.coverage_grid_deg:g} deg"],
        ["region", "whole Earth" if a.region is None else "restricted (box or polygon)"],
    ])))
    notes.blocks.append(TableBlock(_bus_table(results)))
    notes.blocks.append(TableBlock(_workload_table(mission)))
    notes.blocks += [Para(text, "bullet") for text in MODEL_NOTES + analyses.notes(results)]
    sections.append(notes)

    sources = Section("Sources", anchor="sources")
    sources.blocks += [Para(text, "bullet") for text in _sources(results)]
    if results.timings_s:
        sources.blocks.append(Para("Computation time: " + ", ".join(f"{k} {v:.2f} s" for k, v in results.timings_s.items()) + ".",
                                   "note"))
    sections.append(sources)
    return Report(mission.name, subtitle, generated, sections, figures)
