"""Trade studies: study files, design expansion, Pareto fronts, local and Dask execution, resume, split coverage."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from core.study.designs import build_designs, expand_points
from core.study.model import StudyError, load_study, study_from_dict
from core.study.pareto import dominates, pareto_mask, pareto_ranks
from core.study.paths import get_path, parse_path, set_path
from core.study.run import Checkpoint, InlineExecutor, LocalExecutor, checkpoint_path, read_table, run_study, write_table

FAST = {"analysis.duration_s": 3600, "analysis.step_s": 120, "analysis.coverage_grid_deg": 6}


def tiny_study(tmp_path: Path, **extra) -> Path:
    """The default preset at two altitudes x two plane counts, one hour at 120 s on a 6-degree grid."""
    doc = {
        "name": "tiny",
        "base": "default",
        "overrides": dict(FAST),
        "parameters": {"altitude_km": [500, 600], "planes": {"start": 2, "stop": 4, "step": 2}},
        "metrics": ["coverage.mean_percent", "coverage.max_gap_s", {"metric": "cost[0].constellation_usd", "name": "usd"},
                    "power[*].feasible"],
        "constraints": [{"metric": "coverage.mean_percent", "min": 10}],
        "objectives": [{"metric": "coverage.mean_percent", "goal": "max"}, {"metric": "cost[0].constellation_usd", "goal": "min"}],
    }
    doc.update(extra)
    path = tmp_path / "tiny.yaml"
    import yaml

    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ------------------------------------------------------------------------------ paths


def test_paths_parse_get_and_set():
    assert parse_path("constellations[0].altitude_km") == ["constellations", 0, "altitude_km"]
    assert parse_path("buses[eo-orin].compute_units") == ["buses", "eo-orin", "compute_units"]
    data = {"latency": [{"from": "A", "to": "B", "ms": 3}, {"from": "C", "to": "D", "ms": 5}], "x": {}}
    assert get_path(data, "latency[*].ms") == [3, 5]
    assert get_path(data, "latency[C-D].ms") == 5
    set_path(data, "x.y.z", 1)  # missing mappings are created
    assert data["x"] == {"y": {"z": 1}}
    set_path(data, "latency[*].ms", 0)
    assert [p["ms"] for p in data["latency"]] == [0, 0]


# ------------------------------------------------------------------------------ study files


def test_example_study_loads_and_expands():
    root = Path(__file__).resolve().parents[2]
    loaded = load_study(root / "resources" / "studies" / "planes-vs-altitude.yaml")
    designs = build_designs(loaded)
    assert len(designs) == 9 and all(d.valid for d in designs)
    d = designs[5]  # altitude 550, planes 8 (first parameter slowest)
    assert d.point == {"altitude_km": 550, "planes": 8}
    assert d.mission["constellations"][0]["altitude_km"] == 550 and d.mission["constellations"][0]["planes"] == 8
    assert d.mission["analysis"]["duration_s"] == 7200
    assert len({x.design_id for x in designs}) == 9


def test_parameter_forms_and_shorthands(tmp_path):
    loaded = study_from_dict({
        "base": "default",
        "parameters": {
            "inclination_deg": {"range": [50, 60], "count": 3},
            "hardware": ["jetson-agx-orin-64gb", "h100-sxm"],
            "units": {"start": 1, "stop": 2, "step": 1},
            "isl": ["none", "plus-grid"],
        },
    }, "s.yaml", tmp_path)
    points = expand_points(loaded)
    assert len(points) == 3 * 2 * 2 * 2
    assert sorted({p["inclination_deg"] for p in points}) == [50, 55, 60]
    d = build_designs(loaded)[-1]
    assert d.mission["buses"]["eo-orin"]["compute_hardware"] == "h100-sxm"  # the first shell's bus
    assert d.mission["buses"]["eo-orin"]["compute_units"] == 2
    assert d.mission["constellations"][0]["isl"] == "plus-grid"


def test_random_mode_is_reproducible(tmp_path):
    doc = {"base": "default", "mode": "random", "samples": 7, "seed": 3,
           "parameters": {"altitude_km": {"range": [400, 800], "count": 2}, "planes": {"range": [2, 12], "count": 11}}}
    a = expand_points(study_from_dict(doc, "s.yaml", tmp_path))
    b = expand_points(study_from_dict(doc, "s.yaml", tmp_path))
    assert a == b and len(a) == 7
    assert all(400 <= p["altitude_km"] <= 800 and isinstance(p["planes"], int) and 2 <= p["planes"] <= 12 for p in a)


def test_invalid_points_are_kept_with_the_reason(tmp_path):
    loaded = study_from_dict({"base": "default", "overrides": FAST, "parameters": {"altitude_km": [100, 550]}}, "s.yaml", tmp_path)
    designs = build_designs(loaded)
    assert not designs[0].valid and "altitude_km" in designs[0].problems[0] and "160" in designs[0].problems[0]
    assert designs[1].valid
    table = run_study(loaded, InlineExecutor(), designs=[designs[0]]).table
    assert table.loc[0, "status"] == "invalid" and not table.loc[0, "feasible"] and "160 km" in table.loc[0, "reason"]


@pytest.mark.parametrize("doc, expected", [
    ({"parameters": {"altitude_km": [500]}}, "base: is required"),
    ({"base": "no-such-preset", "parameters": {"altitude_km": [500]}}, "base: 'no-such-preset' is neither"),
    ({"base": "default", "parameters": {}}, "parameters: "),
    ({"base": "default", "parameters": {"altitude_km": {"start": 1, "stop": 5}}}, "start, stop and step go together"),
    ({"base": "default", "parameters": {"altitude_km": {"range": [1, 5]}}}, "needs count"),
    ({"base": "default", "parameters": {"constellations[0].altitud_km": [500]}}, "is not a mission field"),
    ({"base": "default", "parameters": {"constellations[3].altitude_km": [500]}}, "index out of range"),
    ({"base": "default", "parameters": {"altitude_km": [500]}, "metrics": ["coverag.mean_percent"]}, "unknown results section 'coverag'"),
    ({"base": "default", "parameters": {"altitude_km": [500]}, "objectives": [{"metric": "cost", "goal": "up"}]}, "objectives[0].goal"),
    ({"base": "default", "parameters": {"altitude_km": [500]}, "mode": "random"}, "needs samples"),
    ({"base": "default", "parameters": {"altitude_km": [500]}, "colour": "red"}, "colour: is not a known key"),
])
def test_bad_study_messages(tmp_path, doc, expected):
    with pytest.raises(StudyError) as info:
        study_from_dict(doc, "bad.yaml", tmp_path)
    text = str(info.value)
    assert expected in text, text
    assert all(line.startswith("bad.yaml: ") for line in text.splitlines())


def test_bad_study_file_through_the_command(tmp_path, capsys):
    from core import cli
    from core.study import commands

    bad = tmp_path / "bad.yaml"
    bad.write_text("base: default\nparameters:\n  altitude_km: [500\n")
    parser = argparse.ArgumentParser()
    commands.add_parser(parser.add_subparsers(dest="command"))
    code = cli.run(parser.parse_args(["sweep", str(bad)]), {"sweep": commands.run_sweep})
    err = capsys.readouterr().err
    assert code == 2 and "bad.yaml: invalid YAML at line" in err and "Traceback" not in err
    code = cli.run(parser.parse_args(["sweep", str(tmp_path / "missing.yaml")]), {"sweep": commands.run_sweep})
    assert code == 2 and "no such file" in capsys.readouterr().err


# ------------------------------------------------------------------------------ Pareto


def _brute_front(costs: np.ndarray, goals) -> np.ndarray:
    n = len(costs)
    return np.array([not any(dominates(costs[j], costs[i], goals) for j in range(n) if j != i) for i in range(n)])


def test_pareto_on_constructed_data():
    pts = np.array([[1, 9], [2, 7], [3, 8], [4, 4], [4, 4], [6, 3], [7, 5], [9, 1], [9, 2]], dtype=float)
    front = pareto_mask(pts, ["min", "min"])
    assert front.tolist() == [True, True, False, True, True, True, False, True, False]  # duplicates both kept
    ranks = pareto_ranks(pts, ["min", "min"])
    assert ranks.tolist() == [1, 1, 2, 1, 1, 1, 2, 1, 2]
    # maximising the second objective flips the picture; NaN and masked rows never take part
    assert pareto_mask(pts, ["min", "max"]).tolist() == [True, False, False, False, False, False, False, False, False]
    pts[0, 1] = np.nan
    mask = np.ones(len(pts), bool)
    mask[1] = False
    front = pareto_mask(pts, ["min", "min"], mask=mask)
    assert not front[0] and not front[1] and front[2]


def test_pareto_matches_brute_force_on_random_data():
    rng = np.random.default_rng(7)
    for k in (2, 3):
        for _ in range(10):
            costs = rng.integers(0, 6, size=(60, k)).astype(float)  # many ties
            goals = ["min", "max", "min"][:k]
            assert np.array_equal(pareto_mask(costs, goals), _brute_front(costs, goals))
            ranks = pareto_ranks(costs, goals)
            for r in range(1, ranks.max() + 1):  # each rank is the front of what the earlier ranks left
                rest = ranks >= r
                assert np.array_equal(pareto_mask(costs, goals, mask=rest), ranks == r)


# ------------------------------------------------------------------------------ running


def _rows(table):
    cols = ["design", "design_id", "altitude_km", "planes", "coverage.mean_percent", "coverage.max_gap_s", "usd",
            "power[*].feasible", "status", "feasible", "pareto", "pareto_rank"]
    return table[cols].to_dict("records")


@pytest.fixture(scope="module")
def inline_table(tmp_path_factory):
    path = tiny_study(tmp_path_factory.mktemp("inline"))
    return run_study(load_study(path), InlineExecutor()).table


def test_local_processes_give_the_same_rows_as_inline(tmp_path, inline_table):
    table = run_study(load_study(tiny_study(tmp_path)), LocalExecutor(workers=2)).table
    assert _rows(table) == _rows(inline_table)
    assert (table.status == "ok").all() and len(table) == 4
    # more planes cover more and cost more; at 2 planes coverage is below the 10 % constraint
    assert table["pareto"].sum() >= 1 and not table.loc[table["pareto"], "feasible"].eq(False).any()


def test_dask_cluster_gives_the_same_rows_and_splits_coverage(tmp_path, inline_table):
    from distributed import Client, LocalCluster

    from core.analysis.coverage import compute_coverage
    from core.mission.io import mission_from_dict
    from core.orbits.ephemeris import build_ephemeris
    from core.study import commands
    from core.study.run import DaskExecutor
    from core.study.coverage_tiles import split_coverage

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        # the command, through --scheduler ADDRESS
        out = tmp_path / "res.parquet"
        parser = argparse.ArgumentParser()
        commands.add_parser(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["sweep", str(tiny_study(tmp_path)), "--scheduler", cluster.scheduler_address,
                                  "-o", str(out), "--quiet"])
        assert commands.run_sweep(args) == 0
        assert _rows(read_table(out)) == _rows(inline_table)
        assert _rows(read_table(out.with_suffix(".csv")))[0]["design_id"] == inline_table.loc[0, "design_id"]
        # item 4: coverage split by satellites and epochs over the same cluster equals the unsplit analysis
        loaded = load_study(tiny_study(tmp_path))
        mission = build_designs(loaded)[3].mission
        with Client(cluster.scheduler_address) as client:
            split = split_coverage(mission, None, DaskExecutor(client=client), sat_chunk=7, epoch_chunk=9)
            workers_used = len(client.nthreads())
        assert workers_used == 2
    model = mission_from_dict(mission)
    ref = compute_coverage(model, build_ephemeris(model))
    for f in dataclasses.fields(ref):
        a = getattr(ref, f.name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, getattr(split, f.name), equal_nan=True), f.name
    assert split.to_json() == ref.to_json()


def test_resume_after_interruption(tmp_path, inline_table):
    loaded = load_study(tiny_study(tmp_path))
    ckpt = checkpoint_path(tmp_path / "out.parquet")
    seen = []

    def stop_after_two(done, total, record):
        if record is not None:
            seen.append(record["design_id"])

    outcome = run_study(loaded, InlineExecutor(), checkpoint=ckpt, progress=stop_after_two, cancel=lambda: len(seen) >= 2)
    assert outcome.interrupted and outcome.computed == 2
    assert set(Checkpoint(ckpt).load()) == set(seen)
    assert (outcome.table.status == "pending").sum() == 2  # finished rows kept, the rest not computed
    # a torn last line (hard kill mid-write) is ignored
    with ckpt.open("a") as handle:
        handle.write('{"design_id": "abc", "sta')
    again = run_study(loaded, InlineExecutor(), checkpoint=ckpt)
    assert not again.interrupted and again.reused == 2 and again.computed == 2
    assert _rows(again.table) == _rows(inline_table)
    written = write_table(again.table, tmp_path / "out.parquet")
    assert [p.suffix for p in written] == [".parquet", ".csv"]
    assert read_table(written[0])["design_id"].tolist() == inline_table["design_id"].tolist()
    # nothing left to do the third time
    third = run_study(loaded, InlineExecutor(), checkpoint=ckpt)
    assert third.computed == 0 and third.reused == 4


def test_keyboard_interrupt_keeps_finished_rows(tmp_path, monkeypatch):
    import core.study.evaluate as ev

    loaded = load_study(tiny_study(tmp_path))
    real = ev.evaluate_design
    calls = []

    def flaky(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(ev, "evaluate_design", flaky)
    ckpt = tmp_path / "x.partial.jsonl"
    outcome = run_study(loaded, InlineExecutor(), checkpoint=ckpt)
    assert outcome.interrupted and outcome.computed == 1
    assert len(Checkpoint(ckpt).load()) == 1


def test_unknown_metric_key_stops_with_a_study_error(tmp_path):
    loaded = load_study(tiny_study(tmp_path, metrics=["coverage.mean_pct"], constraints=[], objectives=[]))
    with pytest.raises(StudyError) as info:
        run_study(loaded, InlineExecutor())
    assert "coverage.mean_pct" in str(info.value) and "mean_percent" in str(info.value)


def test_constraint_reasons_and_list_metrics(tmp_path, inline_table):
    t = inline_table
    low = t[t["coverage.mean_percent"] < 10]
    assert len(low) and not low.feasible.any()
    assert all(r.startswith("coverage.mean_percent = ") and "< 10" in r for r in low.reason)
    assert t["power[*].feasible"].dtype == bool
    assert (t.loc[t.feasible, "pareto_rank"] >= 1).all() and (t.loc[~t.feasible, "pareto_rank"] == 0).all()
    # the front is non-dominated among the feasible rows
    feas = t[t.feasible]
    vals = np.c_[feas["coverage.mean_percent"], feas["usd"]]
    assert np.array_equal(pareto_mask(vals, ["max", "min"]), feas["pareto"].to_numpy())
    json.dumps(t.to_dict("records"), default=str)
