"""The edit rules (app.edits): pure functions on mission data, tested without Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import edits
from core.mission.model import WALKER_FIELDS, WalkerShorthand

ROOT = Path(__file__).resolve().parents[2]


def _mission_data() -> dict:
    from core import api

    return api.mission_to_dict(api.load_preset("default"))


def test_the_module_imports_no_qt():
    code = "import sys, app.edits; print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'vispy', 'pyqtgraph')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("text", ["53:1584/72/17", "sso:24/6/1", "97.6:12/3/0"])
def test_walker_text_reads_back(text):
    short = WalkerShorthand.parse(text)
    assert short is not None and short.text() == text


def test_a_new_shorthand_drops_the_explicit_walker_keys():
    entry = {"name": "a", "walker": "53:60/6/1", "planes": 6, "altitude_km": 550.0}
    assert edits.walker_sync(entry, "walker", "60:100/10/2") == {"walker": "60:100/10/2", **dict.fromkeys(WALKER_FIELDS)}
    assert edits.walker_sync(entry, "walker", None) == {"walker": None}  # cleared: the explicit keys stay


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("planes", 8, "53:80/8/1"),            # 8 planes x 10 sats per plane
    ("sats_per_plane", 4, "53:24/6/1"),    # 6 planes x 4
    ("phasing", 3, "53:60/6/3"),
    ("inclination_deg", 70.5, "70.5:60/6/1"),
    ("inclination_deg", "sso", "sso:60/6/1"),
])
def test_a_walker_number_rewrites_the_shorthand(key, value, expected):
    entry = {"name": "a", "walker": "53:60/6/1", "altitude_km": 550.0}
    changes = edits.walker_sync(entry, key, value)
    assert changes == {"walker": expected, **dict.fromkeys(WALKER_FIELDS)}
    assert entry == {"name": "a", "walker": "53:60/6/1", "altitude_km": 550.0}  # the input is left alone


def test_other_fields_and_explicit_shells_are_set_as_they_are():
    assert edits.walker_sync({"walker": "53:60/6/1"}, "altitude_km", 600.0) is None
    assert edits.walker_sync({"inclination_deg": 53, "planes": 6, "sats_per_plane": 10}, "planes", 8) is None


def test_a_synced_shell_validates_with_the_recounted_total():
    from core import api

    data = _mission_data()
    shell = data["constellations"][0]
    shell.update({"walker": "53:60/6/1", **dict.fromkeys(WALKER_FIELDS)})
    shell = {k: v for k, v in shell.items() if v is not None}
    data["constellations"][0] = shell
    sync = edits.walker_sync(shell, "planes", 9)
    assert sync is not None
    new = edits.with_changes(data, {("constellations", 0, k): v for k, v in sync.items()})
    mission = api.mission_from_dict(new, "<test>")
    assert mission.constellations[0].walker == "53:90/9/1"
    assert edits.satellite_count(new["constellations"][0]) == 90


@pytest.mark.parametrize(("entry", "count"), [
    ({"walker": "53:1584/72/17"}, 1584),
    ({"walker": "53:60/6/1", "planes": 4}, 40),  # an explicit key wins over the shorthand
    ({"inclination_deg": 53, "planes": 3, "sats_per_plane": 5}, 15),
    ({"satellites": [{}, {}, {}]}, 3),
    ({"cluster": {"satellites": 7}}, 7),
    ({"tle_file": "x.tle"}, None),
    ({"walker": "not a walker"}, None),
])
def test_satellite_count(entry, count):
    assert edits.satellite_count(entry) == count


def test_added_entries_get_a_free_name_and_leave_the_input_alone():
    data = {"constellations": [{"name": "shell-2"}], "ground_stations": []}
    first = edits.added_entry(data, "constellations")
    assert first.data["constellations"][-1]["name"] == "shell-3"  # shell-2 is taken
    assert first.text == "Add shell shell-3" and len(data["constellations"]) == 1
    station = edits.added_entry(data, "ground_stations", {"name": "Kiruna", "lat_deg": 67.9, "lon_deg": 21.1})
    assert station.data["ground_stations"] == [{"name": "Kiruna", "lat_deg": 67.9, "lon_deg": 21.1}]
    assert station.text == "Add station Kiruna"


def test_removed_entry():
    data = {"ground_stations": [{"name": "A"}, {"name": "B"}]}
    edit = edits.removed_entry(data, "ground_stations", 0)
    assert edit.data["ground_stations"] == [{"name": "B"}] and edit.text == "Remove station A"
    assert len(data["ground_stations"]) == 2


def test_set_in_and_get_in():
    data = {"a": {"b": 1}, "l": [{"x": 1}]}
    assert edits.set_in(data, ("a", "b"), None) == {"a": {}, "l": [{"x": 1}]}
    assert edits.set_in(data, ("a", "c", "d"), 2)["a"]["c"] == {"d": 2}
    assert edits.set_in(data, ("l", 0, "x"), 5)["l"][0]["x"] == 5
    assert data == {"a": {"b": 1}, "l": [{"x": 1}]}
    assert edits.get_in(data, ("l", 0, "x")) == 1 and edits.get_in(data, ("l", 3, "x"), "none") == "none"
