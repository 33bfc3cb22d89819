"""The mission factories the engine's tests build on (tests/core/factories.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from core import api
from core.mission.errors import MissionError
from tests.core.factories import EPOCH, edited, ground_station, make_mission, mission_data, walker_shell, write_mission


def test_mission_data_is_a_valid_mission_with_only_what_is_given():
    data = mission_data(walker_shell("53:24/6/1", altitude_km=600), ground_stations=[ground_station()])
    assert set(data) == {"schema_version", "name", "epoch", "constellations", "ground_stations"}  # no analysis: defaults
    mission = api.mission_from_dict(data)
    assert mission.epoch.isoformat().startswith(EPOCH[:19])
    assert mission.constellations[0].walker_fields().planes == 6
    assert mission.ground_stations[0].name == "Svalbard"


def test_edited_copies_and_sets_dotted_paths_through_lists():
    data = mission_data(walker_shell(), walker_shell("97:4/2/1", name="polar"))
    changed = edited(data, {"constellations.1.bus": "big", "buses.big.compute_units": 4})
    assert changed["constellations"][1]["bus"] == "big" and changed["buses"] == {"big": {"compute_units": 4}}
    assert "bus" not in data["constellations"][1] and "buses" not in data  # the original is untouched
    mission = make_mission(*changed["constellations"], buses=changed["buses"])
    assert mission.bus_for(mission.constellations[1]).compute_units == 4


def test_make_mission_runs_the_strict_loader():
    with pytest.raises(MissionError, match=r"constellations\[0\]\.altitude_km"):
        make_mission(walker_shell(altitude_km=100))


@pytest.mark.parametrize("name", ["m.yaml", "m.json"])
def test_write_mission_round_trips(tmp_path, name):
    data = mission_data(walker_shell(), name="written")
    path = write_mission(tmp_path, data, name)
    text = path.read_text(encoding="utf-8")
    assert (json.loads(text) if name.endswith(".json") else yaml.safe_load(text)) == data
    assert api.load_mission(path).name == "written"
