"""The headless ``starnet`` commands through the contract: exit codes, JSON sections, presets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import api
from core.cli import main
from tests.core.factories import mission_data, walker_shell

ROOT = Path(__file__).parents[2]
MISSIONS = ROOT / "resources" / "missions"


def starnet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=ROOT, capture_output=True, text=True)


def test_version_and_presets(capsys):
    import core

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert core.__version__ in capsys.readouterr().out
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in api.preset_names():
        assert name in out


@pytest.mark.parametrize("name", api.preset_names())
def test_new_from_every_preset_round_trips(name, tmp_path):
    target = tmp_path / f"{name}.yaml"
    assert main(["new", "--preset", name, "-o", str(target), "--quiet"]) == 0
    assert api.load_mission(target) == api.load_preset(name)
    assert main(["new", "--preset", name, "-o", str(target), "--quiet"]) == 2  # exists, not overwritten


def test_analyze_writes_the_contract_sections(tmp_path):
    out = tmp_path / "out.json"
    done = starnet("analyze", str(MISSIONS / "default.yaml"), "--json", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["schema"] == "starnet.results/1"
    assert doc["mission"]["satellites"] == 60
    assert doc["mission"]["epoch_utc"] == "2026-03-20T00:00:00Z"
    shell = doc["shells"][0]
    assert shell["satellites"] == 60
    assert shell["altitude_km"] == pytest.approx(550)
    assert shell["inclination_deg"] == pytest.approx(97.59, abs=0.01)
    assert shell["raan_drift_deg_per_day"] == pytest.approx(0.9856, abs=1e-3)
    for key in ("coverage", "access", "latency", "power", "compute", "insight"):
        assert key in doc, key


def test_analyze_prints_a_summary_table(tmp_path):
    done = starnet("analyze", str(MISSIONS / "default.yaml"))
    assert done.returncode == 0, done.stderr
    assert "eo-sso" in done.stdout and "satellites" in done.stdout


def test_bad_mission_exits_2_with_file_and_field(mission_file):
    path = mission_file(mission_data(walker_shell("53:24/6/1", altitude_km=100), name="x"), "bad.yaml")
    done = starnet("analyze", str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == "bad.yaml: constellations[0].altitude_km: must be above 160 km"
    assert "Traceback" not in done.stderr


def test_missing_file_unwritable_json_and_usage_errors(tmp_path):
    done = starnet("analyze", str(tmp_path / "nope.yaml"))
    assert done.returncode == 2 and "nope.yaml: no such file" in done.stderr
    done = starnet("analyze", str(MISSIONS / "default.yaml"), "--json", str(tmp_path / "no" / "dir" / "x.json"))
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = starnet("frobnicate")
    assert done.returncode == 2
    done = starnet("new", "--preset", "nonexistent", "-o", str(tmp_path / "x.yaml"))
    assert done.returncode == 2 and "unknown preset" in done.stderr
