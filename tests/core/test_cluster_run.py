"""``starnet analyze --scheduler ADDRESS`` and ``--workers N``: the same results document as in this process.

The case is 10,000 satellites with plus-grid links over 3 epochs (30,000 satellite-epochs, a few MB of arrays: no
memory guard needed) with a tiny block budget, so that coverage, the links and routing (and
every other stage as the streaming engine sends it) run as several tasks on a local Dask
cluster of two worker processes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.cli import main

MISSION = """\
schema_version: 1
name: ten thousand
epoch: "2026-03-20T00:00:00Z"
analysis: {duration_s: 120, step_s: 60, coverage_grid_deg: 3.0}
constellations:
  - {name: sso, pattern: star, altitude_km: 600, inclination_deg: sso, ltan_h: 6.0, planes: 50, sats_per_plane: 100, phasing: 1, isl: plus-grid}
  - {name: mid, altitude_km: 1000, inclination_deg: 40, planes: 50, sats_per_plane: 100, phasing: 1, isl: plus-grid}
ground_stations:
  - {name: Redmond, lat_deg: 47.67, lon_deg: -122.12}
  - {name: Awarua, lat_deg: -46.53, lon_deg: 168.38}
latency_pairs:
  - [New York, London]
"""


def _document(path: Path) -> dict:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("timings_s")  # wall-clock seconds differ from run to run
    return doc


@pytest.fixture(scope="module")
def mission_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STARNET_BLOCK_MB", "0.5")  # 10,000 satellites: one epoch a block, so three tasks
        path = tmp_path_factory.mktemp("cluster") / "m.yaml"
        path.write_text(MISSION, encoding="utf-8")
        yield path


@pytest.fixture(scope="module")
def in_process(mission_file: Path) -> dict:
    """The results document of the run in this process (every stage here, no executor)."""
    here = mission_file.with_name("here.json")
    assert main(["analyze", str(mission_file), "--json", str(here), "--quiet"]) == 0
    return _document(here)


def test_local_dask_cluster_gives_the_in_process_results(mission_file: Path, in_process: dict, capsys) -> None:
    from distributed import LocalCluster

    assert in_process["mission"]["satellites"] == 10_000 and in_process["mission"]["epochs"] == 3
    capsys.readouterr()
    there = mission_file.with_name("cluster.json")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster:  # any free port: never a warning for 8787
        assert main(["analyze", str(mission_file), "--scheduler", cluster.scheduler_address,
                     "--json", str(there)]) == 0
    err = capsys.readouterr().err
    assert _document(there) == in_process
    assert cluster.scheduler_address in err and "2 worker threads" in err
    finished = re.search(r"coverage: (\d+)/(\d+) tasks done", err)
    assert finished is not None, err
    assert finished.group(1) == finished.group(2) == "3"  # one task per epoch block
    assert re.search(r"links: (\d+)/\1 tasks done", err), err  # the links (s17-stream-b) go to the cluster too
    insight = re.search(r"insight: (\d+)/(\d+) tasks done", err)  # its blocks of satellites (s17-insight-exec)
    assert insight is not None and insight.group(1) == insight.group(2) and int(insight.group(1)) > 1, err
    assert in_process["insight"]["traditional"]["captures"] > 0


def test_local_worker_processes_give_the_in_process_results(mission_file: Path, in_process: dict) -> None:
    there = mission_file.with_name("workers.json")
    assert main(["analyze", str(mission_file), "--workers", "2", "--json", str(there), "--quiet"]) == 0
    assert _document(there) == in_process


@pytest.mark.parametrize("flags, says", [
    (["--scheduler", "not-an-address"], "--scheduler: 'not-an-address' is not a Dask scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "not both"),
    (["--workers", "-1"], "--workers: must be 0 or more"),
])
def test_bad_executor_flags_exit_2_naming_the_flag(mission_file: Path, flags: list[str], says: str, capsys) -> None:
    assert main(["analyze", str(mission_file), *flags, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err


def test_an_unreachable_scheduler_exits_2_naming_the_flag(mission_file: Path, capsys) -> None:
    assert main(["analyze", str(mission_file), "--scheduler", "tcp://127.0.0.1:9", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--scheduler: cannot connect to the Dask scheduler at tcp://127.0.0.1:9")
