"""Outputs are all-or-nothing and strict JSON: kill -9 at any moment, and every preset's results.

A writer process is killed at random moments while it replaces a folder export or a file;
afterwards the target holds either the old generation or the new one complete, and the next
export removes what the killed one left beside it.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import api
from core.export._files import MARKER, staged_dir
from tests.preset_sizes import ANALYSED_PRESETS

ROOT = Path(__file__).parents[2]

WRITER = r"""
import sys, time
from pathlib import Path
from core.export._files import staged_dir, atomic_write_text
target, kind = Path(sys.argv[1]), sys.argv[2]
generation = 0
print("ready", flush=True)
while True:
    generation += 1
    if kind == "folder":
        with staged_dir(target) as stage:
            for k in range(200):
                (stage / f"sat{k:03d}.oem").write_text(f"generation {generation}\n" * 50)
    else:
        atomic_write_text(target, (f"generation {generation}\n" * 200_000))
"""


def _generations_in(folder: Path) -> tuple[set[str], int]:
    files = sorted(p for p in folder.iterdir() if p.name != MARKER)
    return {p.read_text().splitlines()[0] for p in files}, len(files)


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_kill_9_at_random_moments_leaves_old_or_new_whole(kind, tmp_path):
    rng = random.Random(15)
    target = tmp_path / ("out" if kind == "folder" else "big.czml")
    if kind == "folder":
        with staged_dir(target) as stage:
            for k in range(200):
                (stage / f"sat{k:03d}.oem").write_text("generation 0\n" * 50)
    else:
        target.write_text("generation 0\n" * 200_000)
    interrupted = 0
    for trial in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), kind], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        interrupted += any(p.name.endswith(".starnet.tmp") for p in tmp_path.iterdir())
        if kind == "folder":
            generations, count = _generations_in(target)
            assert len(generations) == 1 and count == 200, f"trial {trial}: a mix {generations} of {count} files"
            assert (target / MARKER).exists()
        else:
            lines = target.read_text().splitlines()
            assert len(lines) == 200_000 and len(set(lines)) == 1, f"trial {trial}: half a file"
    assert interrupted > 0, "no kill landed in the middle of a write: the test proves nothing"
    # The next export cleans what the killed writers left beside the target.
    if kind == "folder":
        with staged_dir(target) as stage:
            (stage / "final.oem").write_text("final")
        assert sorted(p.name for p in target.iterdir()) == [MARKER, "final.oem"]
    else:
        from core.export._files import atomic_write_text

        atomic_write_text(target, "final")
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def _short(name: str):
    mission = api.load_preset(name)
    mission.analysis.duration_s = min(float(mission.analysis.duration_s), 1800.0)
    return mission


@pytest.mark.parametrize("name", ANALYSED_PRESETS)  # the 1M-satellite preset runs in benchmarks/scale.py
def test_every_preset_writes_strict_json(name):
    document = api.results_document(api.analyze(_short(name), api.preset_path(name).parent))
    text = json.dumps(document, allow_nan=False)  # raises on NaN or infinity anywhere
    assert json.loads(text)["mission"]["satellites"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ANALYSED_PRESETS)  # the 1M-satellite preset runs in benchmarks/scale.py
def test_every_preset_writes_strict_json_over_its_full_window(name):
    document = api.results_document(api.analyze(api.load_preset(name), api.preset_path(name).parent))
    json.dumps(document, allow_nan=False)
