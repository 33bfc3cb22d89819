"""Terminal tables never cut a number: at 80 columns, boxed on a terminal and plain through a pipe,
in ``starnet analyze`` and in the sweep's Pareto table."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from core.analysis.tables import Table, cell_text, layout, print_tables
from tests.core.factories import ground_station, mission_data, write_mission

ROOT = Path(__file__).parents[2]

# A launch-cost-like table: eight columns of money that cannot share 80 characters.
COST = Table("Launch cost", ["shell", "kg/sat", "launch/sat today", "launch/sat 2035", "constellation today",
                             "constellation 2035", "per POPS-year today", "per POPS-year 2035"],
             [["eo-sso", 37.0, "$133,105", "$7,395", "$7,986,314", "$443,684", "$96,804", "$5,378"],
              ["polar-relay-long-name", 1234.5678, "$1,133,105", "$17,395", "$97,986,314", "$1,443,684", "$196,804", None]])
# A sweep's Pareto front: dotted metric names, no spaces to break at.
PARETO = Table("Pareto front", ["design", "altitude_km", "planes", "coverage.mean_percent", "coverage.max_gap_s",
                                "coverage.mean_revisit_s", "latency_median_ms", "insight.speedup_median",
                                "solar_array_m2", "radiator_m2", "launch_usd"],
               [[7, 600, 6, 32.4912, 6000.0, 538.31, 58.22, 4017.2, 1.0101, 0.42153, 7967955.0],
                [8, 600, 8, 40.0, 4080.0, 384.7, 58.31, 4017.2, 1.011, 0.42153, 10631337.0]])
# A text cell longer than the terminal: it wraps between words.
LONG = Table("Power and heat", ["shell", "mass kg", "feasible"],
             [["eo-sso", 37.0, "NO: the solar array needs 4.20 m2 but the bus carries 1.50 m2; the radiator needs "
                               "2.10 m2 but the bus carries 0.40 m2"]])


def _cells(table: Table) -> list[str]:
    return [cell_text(v) for row in table.rows for v in row]


def _printed(table: Table, terminal: bool, width: int = 80) -> str:
    buf = io.StringIO()
    print_tables([table], Console(file=buf, force_terminal=terminal, width=width, color_system=None))
    return buf.getvalue()


def _assert_uncut(text: str, table: Table, width: int) -> None:
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width, max(lines, key=len)
    assert "…" not in text and "..." not in text
    tokens = set(re.split(r"[\s│┃|]+", text))
    for cell in _cells(table):
        for word in cell.split():
            assert word in tokens, f"{word!r} was cut or broken"


@pytest.mark.parametrize("table", [COST, PARETO], ids=["cost", "pareto"])
@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "tty"])
def test_tables_fit_80_columns_without_cutting_a_number(table, terminal):
    text = _printed(table, terminal)
    _assert_uncut(text, table, 80)
    assert "(continued)" in text  # the columns that did not fit went into a second table
    if terminal:
        assert "┃" in text
    else:
        assert not re.search(r"[│┃━─┏└]", text), "a pipe gets plain text, no box drawing"
    # every part repeats the key column, so each continued row still says which row it is
    for key in (str(row[0]) for row in table.rows):
        assert text.count(key) >= 2


def test_plain_columns_are_aligned():
    lines = _printed(COST, False).splitlines()
    rule = next(line for line in lines if set(line) <= {"-", " "} and line)
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    start = lines.index(rule)
    for line in lines[start + 1:start + 1 + len(COST.rows)]:
        for k, (a, b) in enumerate(spans[1:], 1):  # numbers right-aligned: each ends at its rule's end
            assert line[b - 1] != " " and (b == len(line) or line[b] == " "), (k, line)


def test_headings_break_between_words_or_after_separators():
    for part in layout(PARETO, 80, 2, 0):
        for head in part.headers:  # names without spaces: the pieces rejoin to the full name
            assert "".join(head) in PARETO.columns, head
            assert all(line[-1] in "._/" for line in head[:-1]), head
    for part in layout(COST, 80, 2, 0):
        for head in part.headers:
            for word in " ".join(head).split():
                assert any(word in c.split() for c in COST.columns), f"{word!r} is half a word"


def test_long_text_cell_wraps_between_words():
    for terminal in (False, True):
        text = _printed(LONG, terminal)
        _assert_uncut(text, LONG, 80)
        assert "4.20" in text and "m2;" in text


def test_wide_console_prints_one_table():
    text = _printed(COST, False, width=200)
    assert "(continued)" not in text
    assert "$97,986,314" in text and "1235" in text


def test_missing_values_read_as_words():
    assert cell_text(None) == "-"
    assert cell_text(float("nan")) == "-"
    assert cell_text(float("inf")) == "unbounded"
    assert cell_text(True) == "yes"
    assert "None" not in _printed(COST, False) and "nan" not in _printed(COST, False)


MISSION = mission_data(
    dict(name="ring", altitude_km=550, inclination_deg=53, planes=2, sats_per_plane=6, phasing=1, isl="plus-grid"),
    name="Table test with a long name so the title wraps at eighty columns in the terminal",
    analysis=dict(duration_s=1800, step_s=60, coverage_grid_deg=10),
    ground_stations=[ground_station("Hartebeesthoek", -25.89, 27.69, alt_m=1415, min_elevation_deg=5)],
    latency_pairs=[["London", "New York"]],
)


def test_analyze_through_a_pipe_at_80_columns(tmp_path):
    path = write_mission(tmp_path, MISSION, "m.yaml")
    out = tmp_path / "r.json"
    env = dict(os.environ, COLUMNS="80")
    done = subprocess.run([sys.executable, "-m", "core.cli", "analyze", str(path), "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    text = done.stdout.replace(f"results written to {out}", "")
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" not in text and not re.search(r"[│┃━]", text)
    doc = json.loads(out.read_text())
    cost = doc["cost"][0]["constellation_usd"]
    assert f"${cost:,.0f}" in text.split()  # the widest money cell, whole
    assert "Hartebeesthoek" in text.split()
