"""The report's pages for traffic, clusters, optical links, training and radiation.

Each function reads one analysis' results (its ``to_json()``, the documented results shape) and
returns a :class:`~core.export.report.content.Section` (``None`` when the results lack it), a
key-results row, a one-line assumption and the sources its model rests on. Every section opens
with the model's method and its source, so a reader can check where a figure comes from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from core.analysis.tables import Table
from core.export.report.content import FigureBlock, Para, Section, TableBlock, _duration

if TYPE_CHECKING:
    from core.analysis.pipeline import Results

MAX_DEMAND_ROWS = 20
MAX_LINK_ROWS = 10

TRAFFIC_METHOD = ("Method: every demand is routed at each epoch on its shortest route (up to a satellite its origin "
                  "sees, along inter-satellite links, down to its destination; with k-shortest routing, the links a "
                  "round used get twice as long before the next round and a demand is split evenly over its distinct "
                  "routes). Every link direction, every satellite's ground up- and downlink and every gateway is a "
                  "resource with a capacity, and the rates are shared max-min fairly by progressive filling "
                  "(Bertsekas and Gallager, Data Networks, 2nd ed., section 6.5.2).")
CLUSTER_METHOD = ("Method: relative motion from the mission's own propagation (J2 secular), in the Hill frame of the "
                  "cluster's centroid, plus differential drag (King-Hele decay with COESA-76 density). Excursion: distance "
                  "from the bounded Clohessy-Wiltshire (1960) orbit through each satellite's initial state. Station-keeping, "
                  "closed form from the J2 mean-element rates (Vallado, Fundamentals of Astrodynamics, section 9.6; Schaub "
                  "and Alfriend 2001): node drift v |sin i dOmega/dt| + eccentricity-vector rotation (v/2) |de| |domega/dt| "
                  "+ differential drag rho v^2 |dB| / 2, checked against a boinor Cowell + J2 integration of one pair.")
OPTICAL_METHOD = ("Method: far-field (Friis) budget of two diffraction-limited apertures, P_rx = P_tx eta L_point "
                  "(pi D_tx D_rx / (4 lambda R))^2, capped at the whole beam in the near field; capacity = min(terminal "
                  "rate, P_rx / receive power per Gbit/s) (Friis 1946). Routing uses each link's capacity at its longest range.")
TRAINING_METHOD = ("Method: data-parallel training; compute per step = FLOPs / N (6 x parameters x tokens by default, "
                   "Kaplan et al. 2020) at the compute basis below; ring all-reduce 2 (N-1)/N x G / B + 2 (N-1) x alpha "
                   "(Patarasuk and Yuan 2009) or a pipelined tree, over the actual ISL graph epoch by epoch (links shared "
                   "by several hops split their rate); step = compute + all-reduce (no overlap, a conservative bound).")
RADIATION_METHOD = ("Method: trapped protons (AP-8 min) and electrons (AE-8 max) from NASA's models (radbelt package), "
                    "orbit-averaged over a fixed grid with the IGRF field; dose behind aluminium from the SHIELDOSE-2 "
                    "dose-depth curve of a 550 km orbit (SPENVIS; Pfandzelter and Bermbach, LEO-NET '23, "
                    "doi:10.1145/3614204.3616106), each component scaled by the orbit's flux above the shield's cut-off "
                    "energy (PSTAR proton range, Katz-Penfold electron range). Solar particles and cosmic rays are not included.")

NOTES = {
    "traffic": "Traffic: constant demands routed per epoch (shortest or k-shortest), capacities of ISL directions, ground "
               "links and gateways shared max-min fairly; no queues, packets or TCP dynamics (Hypatia/ns-3 does those).",
    "cluster": "Clusters: J2-secular relative motion plus differential drag; the window's minimum separation is without "
               "station-keeping (it shrinks as the window grows), the design spacing and the yearly delta-v are the design's figures.",
    "optical": "Optical links: far-field budget with fixed pointing loss and efficiency, no atmosphere, no acquisition time; "
               "capacity capped by the terminal rate.",
    "training": "Training: data parallel, nameplate compute unless stated, compute and all-reduce not overlapped; epochs "
                "whose links do not connect every satellite are left out.",
    "radiation": "Radiation: trapped belts only (AE-8/AP-8), a 550 km dose-depth curve transferred by flux ratios, a "
                 "sphere of aluminium; not a transport code.",
}

SOURCES = {
    "traffic": ["D. Bertsekas and R. Gallager, Data Networks, 2nd ed., Prentice Hall 1992, section 6.5.2 (max-min fairness)."],
    "cluster": ["W. H. Clohessy and R. S. Wiltshire, Terminal guidance system for satellite rendezvous, J. Aerospace Sci. 27 (1960).",
                "H. Schaub and K. T. Alfriend, J2 invariant relative orbits for spacecraft formations, Celest. Mech. Dyn. Astr. 79 (2001).",
                "D. A. Vallado, Fundamentals of Astrodynamics and Applications, section 9.6 (J2 secular rates).",
                "U.S. Standard Atmosphere 1976 (COESA-76), density for the differential drag."],
    "optical": ["H. T. Friis, A note on a simple transmission formula, Proc. IRE 34 (1946) (link budget)."],
    "training": ["J. Kaplan et al., Scaling laws for neural language models, arXiv 2001.08361 (2020) (6 x parameters x tokens).",
                 ("P. Patarasuk and X. Yuan, Bandwidth optimal all-reduce algorithms for clusters of workstations, "
                 "J. Parallel Distrib. Comput. 69 (2009).")],
    "radiation": ["AE-8/AP-8 trapped particle models (NASA), as packaged by radbelt (L. Singer, NASA).",
                  ("T. Pfandzelter and D. Bermbach, Edge Computing in Low-Earth Orbit - What Could Possibly Go Wrong?, "
                  "LEO-NET '23, doi:10.1145/3614204.3616106 (SHIELDOSE-2 dose-depth curves, SPENVIS 4.6.11)."),
                  "NIST PSTAR (proton ranges in aluminium); L. Katz and A. S. Penfold, Rev. Mod. Phys. 24 (1952) (electron ranges)."],
}


def _pct(fraction: float | None) -> str:
    return "-" if fraction is None else f"{100 * float(fraction):.1f} %"


def _big(n: float) -> str:
    """A large count for people: '244 billion', '3.1 million', '8,400'."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {word}"
    return f"{n:,.0f}"


# ----------------------------------------------------------------------------- traffic


def traffic_row(traffic: dict) -> list[str]:
    offered, served = traffic["offered_gbps"], traffic["served_gbps_median"]
    return ["traffic served", (f"{served:,.3g} Gbit/s median of {offered:,.3g} Gbit/s offered "
                              f"({100 * traffic['served_fraction_median']:.0f} %, {traffic['demands_count']:,} demands)")]


def traffic_section(results: Results, figures: dict) -> Section | None:
    if results.traffic is None:
        return None
    doc = results.traffic.to_json()
    s = _section("Traffic and throughput", "traffic", TRAFFIC_METHOD)
    routing = doc["routing"] + (f", {doc['paths']} paths" if doc["routing"] != "shortest" else "")
    s.blocks.append(TableBlock(Table("Served against offered", ["figure", "value"], [
        ["demands", f"{doc['demands_count']:,} ({doc['model']}; {routing} routing)"],
        ["offered, all demands", f"{doc['offered_gbps']:,.4g} Gbit/s"],
        ["served, median over the window", f"{doc['served_gbps_median']:,.4g} Gbit/s ({_pct(doc['served_fraction_median'])})"],
        ["served, least at any epoch", f"{doc['served_gbps_min']:,.4g} Gbit/s"],
        ["inter-satellite links, mean use", _pct(doc["isl_utilisation_mean"])],
        ["inter-satellite links, time full", _pct(doc["isl_saturated_fraction"])],
    ]), "Served: the max-min fair rates summed over all demands at each epoch."))
    if "traffic" in figures:
        s.blocks.append(FigureBlock("traffic"))
    demands = sorted(doc["demands"], key=lambda e: e["served_fraction_mean"])
    rows = [[f"{e['from']} - {e['to']}", e["offered_gbps"], e["served_gbps_min"], e["served_gbps_median"],
             round(100 * e["served_fraction_mean"], 1), _duration(e["unreachable_s"]) if e["unreachable_s"] else "0 s",
             e["reason"] or (", ".join(e["bottleneck_links"]) or "-")] for e in demands[:MAX_DEMAND_ROWS]]
    shown = "" if len(demands) <= MAX_DEMAND_ROWS else f" (the {MAX_DEMAND_ROWS} least served of {len(demands):,})"
    s.blocks.append(TableBlock(Table("Demands, least served first" + shown,
                                     ["demand", "offered Gbit/s", "min Gbit/s", "median Gbit/s", "served %", "no route",
                                      "bottleneck links (most often first)"], rows),
                               "No route: the time without any route. A bottleneck is the resource that stopped a "
                               "demand's rate from growing."))
    if doc["links"]:
        links = [[e["link"], e["kind"], e["capacity_gbps"], round(100 * e["utilisation_mean"], 1),
                  round(100 * e["utilisation_max"], 1), round(100 * e["saturated_fraction"], 1)] for e in doc["links"]]
        s.blocks.append(TableBlock(Table("Most loaded links", ["link", "kind", "capacity Gbit/s", "mean use %",
                                                               "max use %", "full, % of time"], links)))
    return s


# ----------------------------------------------------------------------------- cluster


def cluster_rows(cluster: list[dict]) -> list[list[str]]:
    return [[f"formation {c['shell']}", (f"closest {c['min_separation_m']:,.1f} m over the window (design spacing "
             f"{c['nominal_min_separation_m']:,.1f} m, warning below {c['separation_threshold_m']:,.0f} m); station-keeping "
             f"{c['stationkeeping_dv_m_s_per_year']:,.3g} m/s a year for the worst satellite")] for c in cluster]


def cluster_section(results: Results) -> Section | None:
    if results.cluster is None:
        return None
    doc = results.cluster.to_json()
    s = _section("Cluster formation and station-keeping", "cluster", CLUSTER_METHOD)
    geometry = [[c["shell"], c["satellites"], c["nominal_min_separation_m"], c["min_separation_m"],
                 " - ".join(c["min_separation_pair"]) + f" at {_duration(c['min_separation_time_s'])}",
                 c["separation_threshold_m"], c["pairs_below_threshold"], c["max_radius_m"], c["max_excursion_m"],
                 c["median_excursion_m"]] for c in doc]
    s.blocks.append(TableBlock(Table("Cluster geometry", ["shell", "satellites", "design spacing m", "closest m",
                                                          "closest pair, when", "warning below m", "pairs below",
                                                          "max radius m", "max excursion m", "median excursion m"], geometry),
                               "Closest: the smallest distance between two satellites over the window without "
                               "station-keeping (it shrinks as the window grows); design spacing: that of the nominal slots."))
    keeping = [[c["shell"], c["stationkeeping_dv_m_s_per_year"], c["stationkeeping_dv_worst_satellite"],
                c["stationkeeping_dv_m_s_per_year_mean"], c["j2_dv_m_s_per_year_max"], c["drag_dv_m_s_per_year_max"],
                c["along_track_trim_dv_m_s_max"]] for c in doc]
    s.blocks.append(TableBlock(Table("Station-keeping delta-v", ["shell", "worst m/s/yr", "worst satellite", "mean m/s/yr",
                                                                 "J2 part m/s/yr", "drag part m/s/yr", "one-time trim m/s"],
                                     keeping), "Method: " + "; ".join(sorted({c["method"] for c in doc})) + "."))
    for c in doc:
        if c["warning"]:
            s.blocks.append(Para(f"Warning ({c['shell']}): {c['warning']}.", "note"))
    return s


# ----------------------------------------------------------------------------- optical links


def optical_row(optical: dict) -> list[str]:
    return ["optical links", (f"{optical['links']:,} links; capacity at the longest range: min "
                             f"{optical['min_capacity_gbps']:,.4g} Gbit/s, median {optical['median_capacity_gbps']:,.4g} Gbit/s")]


def _terminal_limit_km(results: Results) -> list[list]:
    """Per bus with an optical budget: its inputs and the range out to which the terminal rate, not the
    received power, limits a link between two such buses."""
    from core.analysis.optical import received_power_w
    rows, seen = [], set()
    for shell in results.ephemeris.shells:
        name, bus = shell.bus, results.mission.bus_for(results.mission.constellations[shell.index])
        if name in seen or bus.optical_tx_power_w is None:
            continue
        seen.add(name)
        far_m = 1e9  # far field: received power falls as 1/R^2 from here in
        p_far = float(received_power_w(bus.optical_tx_power_w, bus.optical_aperture_m, bus.optical_aperture_m,
                                       bus.optical_wavelength_nm * 1e-9, far_m, bus.optical_efficiency,
                                       bus.optical_pointing_loss_db))
        limit_m = far_m * math.sqrt(p_far / (bus.optical_rx_w_per_gbps * bus.isl_gbps))
        rows.append([name, bus.optical_tx_power_w, bus.optical_aperture_m, bus.optical_wavelength_nm,
                     bus.optical_pointing_loss_db, bus.optical_efficiency, f"{bus.optical_rx_w_per_gbps:.3g}",
                     bus.isl_gbps, round(limit_m / 1000.0, 1)])
    return rows


def optical_section(results: Results) -> Section | None:
    if results.optical is None:
        return None
    doc = results.optical.to_json()
    if not doc["links"]:
        return None
    s = _section("Optical inter-satellite links", "optical", OPTICAL_METHOD)
    budget = _terminal_limit_km(results)
    if budget:
        s.blocks.append(TableBlock(Table("Terminal budget", ["bus", "transmit W", "aperture m", "wavelength nm",
                                                             "pointing loss dB", "optics efficiency", "receive W per Gbit/s",
                                                             "terminal Gbit/s", "terminal-limited to km"], budget),
                                   "Beyond the last column's range the received power, not the terminal, sets the "
                                   "capacity, and it falls as 1/R^2."))
    links = sorted(doc["per_link"], key=lambda e: (e["min_gbps"] if e["min_gbps"] is not None else math.inf,
                                                   -(e["max_range_m"] or 0.0)))
    rows = [[f"{e['a']} - {e['b']}", round(100 * e["up_fraction"], 1), e["min_range_m"], e["max_range_m"], e["min_gbps"],
             e["median_gbps"]] for e in links[:MAX_LINK_ROWS]]
    title = (f"Link capacity from range: {doc['links']:,} optical links, min {doc['min_capacity_gbps']:,.4g} and median "
             f"{doc['median_capacity_gbps']:,.4g} Gbit/s at their longest range")
    s.blocks.append(TableBlock(Table(title, ["link (lowest capacity first)", "up %", "min range m", "max range m",
                                             "min Gbit/s", "median Gbit/s"], rows),
                               f"The {len(rows)} links of lowest capacity (then longest range) of {doc['links']:,}; "
                               "capacity while the link is up."))
    return s


# ----------------------------------------------------------------------------- training


def training_row(training: dict) -> list[str]:
    if training["step_s_median"] is None:
        return ["distributed training", training["reason"] or "no step completes"]
    return ["distributed training", (f"step {_duration(training['step_s_median'])} median, scaling efficiency "
                                    f"{100 * training['scaling_efficiency']:.0f} % over {training['satellites']:,} "
                                    f"satellites, {_big(training['tokens_per_day'])} tokens a day ({training['compute_basis']} compute)")]


def training_section(results: Results) -> Section | None:
    if results.training is None:
        return None
    j = results.training.to_json()
    s = _section("Distributed training", "training", TRAINING_METHOD)
    if j["step_s_median"] is None:
        s.blocks.append(Para(f"No training step completes: {j['reason'] or 'the links never connect every satellite'}."))
        return s
    b = j["bottleneck_link"]
    rows = [
        ["model", j["model_name"] or "-"], ["shell, satellites", f"{j['shell']}, {j['satellites']:,}"],
        ["all-reduce", j["algorithm"]],
        ["compute basis", f"{j['compute_basis']}: {j['tflops_per_satellite']:,.1f} TFLOP/s per satellite ({j['compute_source']})"],
        ["compute per step", f"{j['compute_s']:.3g} s"],
        ["all-reduce, median / 95th percentile", f"{j['allreduce_s_median']:.3g} s / {j['allreduce_s_p95']:.3g} s"],
        ["step, median / 95th percentile", f"{j['step_s_median']:.3g} s / {j['step_s_p95']:.3g} s"],
        ["one satellite alone, per step", _duration(j["single_satellite_step_s"])],
        ["scaling efficiency", f"{100 * j['scaling_efficiency']:.1f} %"],
        ["tokens per day", _big(j["tokens_per_day"])],
        ["gradient per step", f"{j['gradient_gbit']:,.4g} Gbit"],
        ["bottleneck link (worst epoch)", "-" if b is None else
         f"{b['a']} - {b['b']}: the all-reduce gets {b['allreduce_gbps']:,.4g} of its {b['gbps']:,.4g} Gbit/s"],
        ["epochs with every satellite connected", _pct(j["connected_fraction"])],
    ]
    s.blocks.append(TableBlock(Table("Training step", ["figure", "value"], rows),
                               "Scaling efficiency: one satellite's step time over N times the cluster's."))
    return s


# ----------------------------------------------------------------------------- radiation


def radiation_rows(radiation: list[dict]) -> list[list[str]]:
    out = []
    for r in radiation:
        life = (f"the {r['hardware']}'s {r['hardware_tid_krad']:g} krad lasts {r['life_years']:.1f} years"
                if r["life_years"] is not None else f"{r['hardware']}: {r['life_reason']}")
        out.append([f"radiation {r['shell']}", (f"{1000 * r['tid_krad_per_year']:,.0f} rad(Si) a year behind "
                                               f"{r['shielding_mm_al']:g} mm Al; {life} (mission {r['mission_life_years']:g} years)")])
    return out


def radiation_section(results: Results) -> Section | None:
    if results.radiation is None:
        return None
    doc = results.radiation.to_json()
    s = _section("Radiation: total ionising dose", "radiation", RADIATION_METHOD)
    rows = [[r["shell"], r["shielding_mm_al"], round(1000 * r["tid_krad_per_year"]), round(1000 * r["proton_krad_per_year"]),
             round(1000 * r["electron_krad_per_year"]), r["mission_dose_krad"], r["hardware"],
             "-" if r["hardware_tid_krad"] is None else r["hardware_tid_krad"],
             r["life_years"] if r["life_years"] is not None else r["life_reason"]] for r in doc]
    s.blocks.append(TableBlock(Table("Dose per shell", ["shell", "aluminium mm", "dose rad(Si)/yr", "protons rad(Si)/yr",
                                                        "electrons rad(Si)/yr", "mission dose krad(Si)", "hardware",
                                                        "tolerates krad(Si)", "years to tolerance"], rows),
                               "Mission dose: the yearly dose over the bus's mission life. Years to tolerance: the "
                               "part's total-dose tolerance over the yearly dose."))
    for source in _tolerance_sources(results):
        s.blocks.append(Para(f"Tolerance source: {source}", "note"))
    return s


def _tolerance_sources(results: Results) -> list[str]:
    out: list[str] = []
    for shell in results.radiation.shells if results.radiation is not None else ():
        if shell.tid_source:
            line = f"{shell.hardware}: {shell.tid_source}"
            if line not in out:
                out.append(line)
    return out


def _section(title: str, anchor: str, method: str) -> Section:
    """A report section opened by the paragraph that says how its figures are computed."""
    s = Section(title, anchor=anchor)
    s.blocks.append(Para(method))
    return s


def _present(results: Results) -> list[str]:
    """The keys of :data:`SOURCES` and :data:`NOTES` whose analysis was computed, in report order."""
    present = {"traffic": results.traffic, "cluster": results.cluster, "optical": results.optical,
               "training": results.training, "radiation": results.radiation}
    return [key for key, value in present.items() if value is not None]


def sources(results: Results) -> list[str]:
    out = [line for key in _present(results) for line in SOURCES[key]]
    if results.radiation is not None:
        out += _tolerance_sources(results)
    return out


def notes(results: Results) -> list[str]:
    return [NOTES[key] for key in _present(results)]
