"""Design from requirements: the requirements file, the Walker-aware search, the command, the written mission."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from core.study.candidates import (
    coverage_figures,
    evaluate_candidate,
    judge,
    latency_p95_ms,
)
from core.study.design import Point, _PlaneSearch, design_from_requirements
from core.study.requirements import (
    Requirements,
    RequirementsError,
    load_requirements,
    requirements_from_dict,
)
from core.study.run import InlineExecutor

REPO = Path(__file__).resolve().parents[2]

# A small question the search answers in seconds: continuous coverage of +-30 deg latitude at a 5 deg
# mask from 1500 km (big footprints), two hours at 120 s on a 6-degree grid.
TINY = {
    "schema": "starnet.requirements/1",
    "name": "tiny",
    "base": "default",
    "analysis": {"duration_s": 7200, "step_s": 120, "coverage_grid_deg": 6},
    "requirements": {"coverage": {"region": {"lat_min_deg": -30, "lat_max_deg": 30}, "min_elevation_deg": 5}},
    "design_space": {"altitude_km": [1500], "inclination_deg": [45], "planes": {"min": 2, "max": 6},
                     "sats_per_plane": {"min": 2, "max": 9}, "bus": ["eo-orin"]},
    "objective": "satellites",
}


def write(tmp_path: Path, doc: dict, name: str = "reqs.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ------------------------------------------------------------------------------ the file


def test_example_requirements_load():
    loaded = load_requirements(REPO / "resources/requirements/continuous-50.yaml")
    cov = loaded.doc.requirements.coverage
    assert (cov.region.lat_min_deg, cov.region.lat_max_deg, cov.min_elevation_deg, cov.continuous) == (-50, 50, 25, True)
    assert loaded.doc.design_space.altitude_km == [550]
    assert loaded.doc.design_space.phasings(5) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("change, expected", [
    ({"schema": "starnet.requirements/9"}, "reqs.yaml: schema: unknown requirements schema"),
    ({"design_space": {"altitude_km": [550], "inclination_deg": [53], "sats_per_plane": [4]}}, "reqs.yaml: design_space.planes: is required"),
    ({"design_space": {**TINY["design_space"], "planes": {"min": 6, "max": 2}}}, "reqs.yaml: design_space.planes: max must be at least min"),
    ({"design_space": {**TINY["design_space"], "bus": ["nope"]}}, "reqs.yaml: design_space.bus[0]: 'nope' is not a bus of the base mission"),
    ({"requirements": {}}, "reqs.yaml: requirements: give at least one requirement"),
    ({"requirements": {"coverage": {"percent": 120}}}, "reqs.yaml: requirements.coverage.percent: Input should be less than or equal to 100"),
    ({"requirements": {"latency": [{"from": "Atlantis", "to": "London", "p95_ms": 50}]}}, "reqs.yaml: requirements.latency:"),
    ({"base": "no-such-preset"}, "reqs.yaml: base: 'no-such-preset' is neither a mission file"),
])
def test_bad_requirements_name_the_file_and_field(tmp_path, change, expected):
    path = write(tmp_path, {**TINY, **change})
    with pytest.raises(RequirementsError) as info:
        load_requirements(path)
    assert expected in str(info.value)


def test_bad_requirements_exit_2_without_traceback(tmp_path, capsys):
    from core.cli import main

    path = write(tmp_path, {**TINY, "design_space": {**TINY["design_space"], "planes": "many"}})
    assert main(["design", str(path), "-o", str(tmp_path / "best.yaml"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reqs.yaml: design_space.planes") and "Traceback" not in err
    assert not (tmp_path / "best.yaml").exists()


# ------------------------------------------------------------------------------ judging


def test_coverage_share_meeting_a_gap_bound_is_area_weighted():
    """Cells north of the equator with a 100 s gap, the south always covered: exactly half the sphere's area."""
    from types import SimpleNamespace

    from core.analysis.grid import make_grid
    from core.study.requirements import CoverageRequirement

    grid = make_grid(10.0)
    gaps = np.where(grid.lat_deg[:, None] > 0, 100.0, 0.0) * np.ones(grid.shape)
    cov = SimpleNamespace(grid=grid, cell_max_gap_s=gaps, continuous_percent=50.0, max_gap_s=100.0, mean_percent=90.0)
    assert coverage_figures(cov, CoverageRequirement(max_gap_s=0))["coverage_percent"] == pytest.approx(50.0, abs=1e-9)
    assert coverage_figures(cov, CoverageRequirement(max_gap_s=99))["coverage_percent"] == pytest.approx(50.0, abs=1e-9)
    assert coverage_figures(cov, CoverageRequirement(max_gap_s=100))["coverage_percent"] == pytest.approx(100.0, abs=1e-9)


def test_judge_explains_every_missed_requirement():
    reqs = Requirements.model_validate({
        "coverage": {"percent": 99, "max_gap_s": 600}, "latency": [{"from": "A", "to": "B", "p95_ms": 40}],
        "min_delivered_pops": 10, "max_insight_p95_s": 300, "max_mass_kg": 1000, "max_launch_usd": 1e6})
    ok = {"coverage_percent": 99.5, "max_gap_s": 500, "latency_p95_ms[A-B]": 39.0, "delivered_pops": 12,
          "insight_p95_s": 200, "mass_kg": 900, "launch_usd": 9e5}
    assert judge(ok, reqs) == []
    bad = {"coverage_percent": 97.0, "max_gap_s": 800, "latency_p95_ms[A-B]": None, "latency_p95_ms[A-B].reachable_fraction": 0.9,
           "delivered_pops": 8, "insight_p95_s": None, "mass_kg": 1100, "launch_usd": 2e6}
    failures = judge(bad, reqs)
    assert failures == [
        "coverage: 97.00 % of the region with no gap over 600 s, needs 99 % (longest gap 800 s)",
        "latency A-B: no route 10.0 % of the time, so no p95 (needs p95 <= 40 ms)",
        "delivered compute: 8 POPS < 10 POPS",
        "time to insight: the in-orbit pipeline does not keep up (no p95)",
        "launch mass: 1,100 kg > 1,000 kg",
        "launch cost: 2e+06 USD > 1e+06 USD",
    ]
    assert judge(bad, reqs, stage="coverage") == failures[:1]


def test_latency_p95_counts_unreachable_epochs_as_late():
    from types import SimpleNamespace

    lat = np.arange(1.0, 101.0)  # 1..100 ms, one value per epoch
    net = SimpleNamespace(latency_ms=lat[None, :], pair_index=lambda pair: 0)
    value, share = latency_p95_ms(net, "A", "B")
    assert share == 1.0 and value == 95.0  # nearest rank: 95 of the 100 epochs are at or below 95 ms
    lat[:5] = np.nan  # 5 % without a route: the 95 reachable epochs are all at or below 100 ms
    assert latency_p95_ms(net, "A", "B") == (100.0, 0.95)
    lat[:6] = np.nan  # 6 % without a route: the 95th percentile is beyond reach
    value, share = latency_p95_ms(net, "A", "B")
    assert value is None and share == pytest.approx(0.94)


# ------------------------------------------------------------------------------ the search


def test_plane_search_bisects_a_monotone_oracle():
    """The fewest passing value of a monotone predicate, in about log2(n) probes."""
    for first_pass in range(12):
        s = _PlaneSearch(("o",), 3, 0, 10, [0])
        probes = 0
        while s.active:
            index = s.probe_index()
            passed = index >= first_pass
            s.record([_fake(index, passed)])
            probes += 1
        assert probes <= 5
        assert (s.found if first_pass <= 10 else None) == (first_pass if first_pass <= 10 else None)
        assert s.dead == (first_pass > 10)


def _fake(index: int, passed: bool):
    from core.study.design import Evaluated

    p = Point(500.0, 50.0, "delta", 3, index + 1, 0, "default")
    return Evaluated(p, "coverage", "ok", {"coverage_percent": 100.0 if passed else 50.0}, [] if passed else ["no"])


def test_search_finds_the_exhaustive_minimum_with_fewer_evaluations(tmp_path):
    loaded = requirements_from_dict(TINY, "tiny.yaml", tmp_path)
    outcome = design_from_requirements(loaded, InlineExecutor())
    assert outcome.best is not None and outcome.best.passed and outcome.best.stage == "full"

    # exhaustive check: every design of the space with fewer satellites fails the coverage screen
    from core.study.design import _Runner

    space = loaded.doc.design_space
    reqs = loaded.doc.requirements.model_dump(by_alias=True)
    runner = _Runner(loaded, None, None, None)
    fewest = outcome.best.point.satellites
    grid = 0
    for planes in space.plane_counts():
        for sats in space.sats_counts():
            for f in space.phasings(planes):
                grid += 1
                if planes * sats >= fewest:
                    continue
                p = Point(1500.0, 45.0, "delta", planes, sats, f, "eo-orin")
                rec = evaluate_candidate("x", runner.mission(p), None, reqs, "coverage")
                assert rec["status"] == "ok" and rec["failures"], p.label()
    assert grid == 160 and outcome.counts["total"] < grid / 2
    # the design just below fails, and says why
    smaller = outcome.nearest_smaller()
    assert smaller.point.satellites < fewest and smaller.why()[0].startswith("coverage: ")
    # the rest's front: fewer satellites always means less coverage along it
    front = outcome.pareto()
    cover = [e.metrics["coverage_percent"] for e in front]
    assert [e.point.satellites for e in front] == sorted(e.point.satellites for e in front)
    assert all(a < b for a, b in itertools.pairwise(cover))


def test_design_command_writes_a_mission_that_meets_every_requirement(tmp_path):
    """`starnet design`, then `starnet analyze` on the written mission: every requirement holds in the results."""
    import pandas as pd

    from core.cli import main

    doc = {**TINY, "requirements": {**TINY["requirements"],
                                    "latency": [{"from": "Nairobi", "to": "Singapore", "p95_ms": 120}],
                                    "max_mass_kg": 5000, "min_delivered_pops": 1}}
    doc["design_space"] = {**TINY["design_space"], "planes": {"min": 4, "max": 6}, "sats_per_plane": {"min": 4, "max": 8}}
    reqs = write(tmp_path, doc)
    best = tmp_path / "best.yaml"
    assert main(["design", str(reqs), "-o", str(best), "--workers", "0", "--quiet"]) == 0
    report = json.loads((tmp_path / "best.design.json").read_text())
    assert report["found"] and report["designs_evaluated"]["total"] >= 1
    assert all(r["why_rejected"] for r in report["rejected"])

    out = tmp_path / "analysis"
    assert main(["analyze", str(best), "--json", str(tmp_path / "r.json"), "--out", str(out), "--quiet"]) == 0
    results = json.loads((tmp_path / "r.json").read_text())
    assert results["coverage"]["region"] == "box" and results["coverage"]["min_elevation_deg"] == 5
    assert results["coverage"]["continuous_percent"] == pytest.approx(100.0)
    assert sum(c["constellation_mass_kg"] for c in results["cost"]) <= 5000
    assert sum(c["constellation_pops"] for c in results["compute"]) >= 1
    series = pd.read_csv(out / "csv" / "latency.csv")
    pair = series[(series["from"] == "Nairobi") & (series["to"] == "Singapore")]
    late = pair["latency_ms"].fillna(np.inf).to_numpy()
    assert late.size == results["mission"]["epochs"]
    assert np.percentile(late, 95, method="inverted_cdf") <= 120
    assert report["best"]["satellites"] == results["mission"]["satellites"]


def test_design_command_through_a_dask_scheduler_gives_the_inline_answer(tmp_path):
    """`--scheduler ADDRESS`: the same answer as in this process (a two-worker local cluster on loopback)."""
    from distributed import LocalCluster

    from core.cli import main

    doc = {**TINY, "design_space": {**TINY["design_space"], "planes": {"min": 5, "max": 6}, "sats_per_plane": {"min": 3, "max": 5}}}
    reqs = write(tmp_path, doc)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        assert main(["design", str(reqs), "-o", str(tmp_path / "dask.yaml"), "--scheduler", cluster.scheduler_address, "--quiet"]) == 0
    assert main(["design", str(reqs), "-o", str(tmp_path / "inline.yaml"), "--workers", "0", "--quiet"]) == 0
    via_dask = json.loads((tmp_path / "dask.design.json").read_text())
    inline = json.loads((tmp_path / "inline.design.json").read_text())
    assert via_dask["executor"].startswith("Dask cluster") and inline["executor"] == "in this process"
    assert via_dask["best"]["walker"] == inline["best"]["walker"] == "45:24/6/1 delta at 1500 km, bus eo-orin"
    # (how many phasings a probe tries at once follows the executor's slots, so the counts may differ)
    assert via_dask["designs_evaluated"]["total"] < 33 and inline["designs_evaluated"]["total"] < 33  # 3 x (5 + 6) in the grid


def test_seeded_plane_search_gallops_up_from_its_seed():
    """A finer pass starting at a seed finds an answer just above it in a couple of probes."""
    for first_pass in range(3, 11):
        s = _PlaneSearch(("o",), 3, 3, 10, [0], gallop=True)
        probes = []
        while s.active:
            index = s.probe_index()
            probes.append(index)
            s.record([_fake(index, index >= first_pass)])
        assert s.found == first_pass
        assert probes[0] == 3 and len(probes) <= 2 + 2 * (first_pass - 3).bit_length()
