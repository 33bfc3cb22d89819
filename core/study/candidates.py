"""One candidate of a design search: its mission, its figures, and which requirements it misses.

:func:`candidate_mission` turns a point of the design space (altitude, inclination, pattern,
planes, satellites per plane, phasing, bus) into a mission dictionary: the base mission of the
requirements file with its constellations replaced by that one Walker shell, the analysis
settings of the requirements file, the coverage region and mask of the coverage requirement,
and every latency pair the requirements name.

:func:`evaluate_candidate` is what a worker runs (plain data in and out, so it pickles cheaply
for a process pool or a Dask cluster). Stage ``"coverage"`` propagates and runs the coverage
analysis only (the screen the search uses to find the fewest satellites); stage ``"full"``
runs the whole pipeline of ``starnet analyze`` and judges every requirement.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

if TYPE_CHECKING:
    from core.analysis.coverage import CoverageResult
    from core.analysis.latency import NetworkResult
    from core.analysis.pipeline import Results
    from core.mission.model import Mission
    from core.study.requirements import CoverageRequirement, LoadedRequirements, Requirements

COVERAGE_KEY = "coverage_percent"
"""Metric: percent of the region's area that meets the coverage requirement's gap bound."""


def candidate_mission(loaded: LoadedRequirements, altitude_km: float, inclination_deg: float | str, pattern: str, planes: int,
                      sats_per_plane: int, phasing: int, bus: str) -> dict:
    """The mission (plain data) of one point of the design space of ``loaded`` (:class:`LoadedRequirements`)."""
    doc = loaded.doc
    mission = copy.deepcopy(loaded.base_mission)
    template = _walker_template((mission.get("constellations") or [{}])[0], inclination_deg)
    shell = dict(template, name=doc.shell_name, altitude_km=altitude_km, inclination_deg=inclination_deg, pattern=pattern,
                 planes=int(planes), sats_per_plane=int(sats_per_plane), phasing=int(phasing), bus=bus)
    mission["constellations"] = [shell]
    T = int(planes) * int(sats_per_plane)
    inc = inclination_deg if isinstance(inclination_deg, str) else f"{inclination_deg:g}"
    mission["name"] = f"{doc.name}: Walker {inc}:{T}/{int(planes)}/{int(phasing)} at {altitude_km:g} km"
    mission.pop("description", None)
    analysis = dict(mission.get("analysis") or {})
    analysis.update(doc.analysis)
    cov = doc.requirements.coverage
    if cov is not None:
        analysis["region"] = cov.region.model_dump(mode="json", exclude_none=True)
        analysis["min_elevation_deg"] = cov.min_elevation_deg
    mission["analysis"] = analysis
    pairs = [list(p) for p in mission.get("latency_pairs") or []]
    for lat in doc.requirements.latency:
        if [lat.from_, lat.to] not in pairs:
            pairs.append([lat.from_, lat.to])
    if pairs:
        mission["latency_pairs"] = pairs
    return mission


def _walker_template(first: Any, inclination_deg: float | str) -> dict:
    """Settings of the base's first shell a designed shell keeps (propagator, links); orbit fields are dropped."""
    if not isinstance(first, dict):
        return {}
    keep = ("propagator", "isl", "isl_shift", "max_isl_range_km", "isl_terminals", "raan0_deg", "eccentricity", "arg_perigee_deg")
    out = {k: first[k] for k in keep if k in first}
    if inclination_deg == "sso" and "ltan_h" in first:
        out["ltan_h"] = first["ltan_h"]
    return out


# ------------------------------------------------------------------------------------------
# Evaluation (runs in a worker)
# ------------------------------------------------------------------------------------------


def evaluate_candidate(key: str, mission: dict, base_dir: str | None, requirements: dict, stage: str) -> dict:
    """Analyse one candidate and judge it; returns ``{key, stage, status, metrics, failures, reason, elapsed_s}``.

    ``requirements`` is :class:`~core.study.requirements.Requirements` as plain data
    (``model_dump(by_alias=True)``). ``status`` is ``"ok"`` (``failures`` lists every
    requirement missed, in words; empty when the candidate meets them all), ``"invalid"`` (the
    mission does not load) or ``"error"`` (an analysis raised).
    """
    from core.study.evaluate import evaluate_guarded
    from core.study.requirements import Requirements

    reqs = Requirements.model_validate(requirements)

    def figures(model: Mission, folder: Path | None) -> dict[str, Any]:
        metrics = _figures(model, folder, reqs, stage)
        return {"metrics": metrics, "failures": judge(metrics, reqs, stage)}

    record: dict[str, Any] = {"key": key, "stage": stage, "status": "ok", "metrics": {}, "failures": [], "reason": ""}
    return evaluate_guarded(record, mission, base_dir, figures)


def _figures(model: Mission, folder: Path | None, reqs: Requirements, stage: str) -> dict[str, Any]:
    from core.analysis.coverage import compute_coverage
    from core.analysis.pipeline import run_analysis
    from core.orbits.ephemeris import build_ephemeris

    if stage == "coverage":
        eph = build_ephemeris(model, folder)
        metrics: dict[str, Any] = {"satellites": int(eph.n_sat)}
        metrics.update(coverage_figures(compute_coverage(model, eph), reqs.coverage))
        return metrics
    results = run_analysis(model, folder)
    metrics = {"satellites": int(results.ephemeris.n_sat)}
    if reqs.coverage is not None and results.coverage is not None:
        metrics.update(coverage_figures(results.coverage, reqs.coverage))
    metrics.update(full_figures(results, reqs))
    return metrics


def coverage_figures(coverage: CoverageResult, requirement: CoverageRequirement | None) -> dict[str, Any]:
    """The coverage figures the search judges: the share meeting the gap bound, and the usual ones."""
    out: dict[str, Any] = {
        "continuous_percent": _num(coverage.continuous_percent),
        "max_gap_s": _num(coverage.max_gap_s),
        "mean_percent": _num(coverage.mean_percent),
    }
    if requirement is not None:
        grid = coverage.grid
        meets = grid.active & (np.nan_to_num(coverage.cell_max_gap_s, nan=np.inf) <= requirement.max_gap_s)
        out[COVERAGE_KEY] = _num(100.0 * float(np.sum(grid.weights[meets])))
    return out


def full_figures(results: Results, reqs: Requirements) -> dict[str, Any]:
    """Cost, mass, compute, time to insight and the latency percentiles the requirements name."""
    costs = results.cost.shells if results.cost is not None else ()
    computes = results.compute.shells if results.compute is not None else ()
    insight = results.insight
    in_orbit = None if insight is None else insight.summary(insight.in_orbit_s, insight.in_orbit_stability)
    out: dict[str, Any] = {
        "launch_usd": _sum([c.constellation_usd for c in costs]),
        "mass_kg": _sum([c.mass_kg_per_sat * c.satellites for c in costs]),
        "delivered_pops": _sum([c.constellation_pops for c in computes]),
        "insight_p95_s": None if in_orbit is None else _num(in_orbit["p95_s"]),
    }
    for lat in reqs.latency:
        out[lat.key], out[lat.key + ".reachable_fraction"] = latency_p95_ms(results.network, lat.from_, lat.to)
    return out


def latency_p95_ms(network: NetworkResult | None, a: str, b: str) -> tuple[float | None, float]:
    """95th percentile of the one-way latency between ``a`` and ``b`` over the window, and the reachable share.

    The nearest-rank percentile (the smallest latency that 95 % of the epochs meet or beat); an
    epoch without a route counts as infinitely late, so the percentile is ``None`` when more
    than 5 % of the window has no route.
    """
    if network is None:
        return None, 0.0
    try:
        q = network.pair_index((a, b))
    except ValueError:
        q = network.pair_index((b, a))
    lat = np.asarray(network.latency_ms[q], dtype=float)
    if lat.size == 0:
        return None, 0.0
    reachable = float(np.mean(np.isfinite(lat)))
    value = float(np.percentile(np.where(np.isfinite(lat), lat, np.inf), 95, method="inverted_cdf"))
    return (value if math.isfinite(value) else None), reachable


def judge(metrics: dict[str, Any], reqs: Requirements, stage: str = "full") -> list[str]:
    """Every requirement ``metrics`` misses, in words (empty when all are met).

    At the ``"coverage"`` stage only the coverage requirement is judged.
    """
    failures: list[str] = []
    cov = reqs.coverage
    if cov is not None:
        got = metrics.get(COVERAGE_KEY)
        if got is None or got < cov.percent - 1e-9:
            what = "continuously covered" if cov.continuous else f"with no gap over {cov.max_gap_s:g} s"
            gap = metrics.get("max_gap_s")
            failures.append(f"coverage: {_pct(got)} of the region {what}, needs {cov.percent:g} %"
                            + (f" (longest gap {gap:.0f} s)" if gap is not None else ""))
    if stage == "coverage":
        return failures
    for lat in reqs.latency:
        got = metrics.get(lat.key)
        if got is None:
            share = metrics.get(lat.key + ".reachable_fraction", 0.0) or 0.0
            failures.append(f"latency {lat.from_}-{lat.to}: no route {100 * (1 - share):.1f} % of the time, "
                            f"so no p95 (needs p95 <= {lat.p95_ms:g} ms)")
        elif got > lat.p95_ms:
            failures.append(f"latency {lat.from_}-{lat.to}: p95 {got:.1f} ms > {lat.p95_ms:g} ms")
    _cap(failures, "delivered compute", metrics.get("delivered_pops"), reqs.min_delivered_pops, "POPS", lower=True)
    if reqs.max_insight_p95_s is not None and metrics.get("insight_p95_s") is None:
        failures.append("time to insight: the in-orbit pipeline does not keep up (no p95)")
    else:
        _cap(failures, "time to insight p95", metrics.get("insight_p95_s"), reqs.max_insight_p95_s, "s")
    _cap(failures, "launch mass", metrics.get("mass_kg"), reqs.max_mass_kg, "kg")
    _cap(failures, "launch cost", metrics.get("launch_usd"), reqs.max_launch_usd, "USD")
    return failures


def _cap(failures: list[str], what: str, got: float | None, bound: float | None, unit: str, lower: bool = False) -> None:
    if bound is None:
        return
    if got is None:
        failures.append(f"{what}: not available")
    elif (got < bound) if lower else (got > bound):
        failures.append(f"{what}: {got:,.4g} {unit} {'<' if lower else '>'} {bound:,.4g} {unit}")


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _sum(values: Iterable[Any]) -> float | None:
    nums = [_num(v) for v in values]
    finite = [v for v in nums if v is not None]
    if not nums or len(finite) != len(nums):
        return None
    return float(sum(finite))
