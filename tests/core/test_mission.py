"""The mission document: round trips, atomic saves, and a clear message for every bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import api
from core.mission.errors import MissionError
from core.mission.io import atomic_write_text, dumps_mission
from tests.core.factories import write_mission

GOOD = {
    "schema_version": 1,
    "name": "test",
    "epoch": "2026-03-20T00:00:00Z",
    "analysis": {"duration_s": 3600, "step_s": 60},
    "constellations": [{"name": "shell-1", "walker": "53:24/6/1", "altitude_km": 550, "isl": "plus-grid"}],
    "ground_stations": [{"name": "Svalbard", "lat_deg": 78.23, "lon_deg": 15.41, "alt_m": 450, "min_elevation_deg": 5}],
    "latency_pairs": [["New York", "London"]],
}

TLE_ISS = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992\n"
    "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008\n"
)


def load(doc: dict, tmp_path: Path, name: str = "mission.yaml"):
    return api.load_mission(write_mission(tmp_path, doc, name))


def problems(doc: dict, tmp_path: Path) -> str:
    with pytest.raises(MissionError) as info:
        load(doc, tmp_path)
    return str(info.value)


def with_constellation(**changes) -> dict:
    doc = json.loads(json.dumps(GOOD))
    doc["constellations"][0].update(changes)
    return doc


def test_defaults_from_the_contract(tmp_path):
    mission = load({"name": "m", "epoch": "2026-03-20T00:00:00Z", "constellations": [{"name": "s", "walker": "53:24/6/1", "altitude_km": 550}]}, tmp_path)
    assert mission.analysis.duration_s == 86400
    assert mission.analysis.step_s == 60
    assert mission.analysis.min_elevation_deg == 25
    assert mission.analysis.coverage_grid_deg == 1.0
    entry = mission.constellations[0]
    assert (entry.pattern, entry.propagator, entry.isl, entry.bus, entry.raan0_deg, entry.eccentricity) == ("delta", "j2", "none", "default", 0, 0)
    assert mission.bus_for(entry).compute_hardware == "jetson-agx-orin-64gb"


@pytest.mark.parametrize("name", api.preset_names())
def test_every_preset_round_trips_load_save_load(name, tmp_path):
    mission = api.load_preset(name)
    for suffix in ("yaml", "json"):
        target = tmp_path / f"copy.{suffix}"
        api.save_mission(mission, target)
        again = api.load_mission(target)
        assert again == mission
        assert api.mission_to_dict(again) == api.mission_to_dict(mission)


def test_save_is_atomic_and_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "m.yaml"
    target.write_text("original")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new text")
    assert target.read_text() == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["m.yaml"]  # no temporary left behind


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (with_constellation(altitude_km=150), "mission.yaml: constellations[0].altitude_km: must be above 160 km"),
        (with_constellation(altitude_km=60000), "constellations[0].altitude_km: must be at most 50,000 km"),
        (with_constellation(eccentricity=1.2), "constellations[0].eccentricity: must be below 1"),
        (with_constellation(eccentricity=0.06), "constellations[0].eccentricity: perigee at 134 km is below 160 km"),
        (with_constellation(walker=None, inclination_deg=53, planes=0, sats_per_plane=4), "constellations[0].planes: must be at least 1"),
        (with_constellation(walker=None, inclination_deg=53, planes=4, sats_per_plane=0), "constellations[0].sats_per_plane: must be at least 1"),
        (with_constellation(phasing=6), "constellations[0].phasing: must be within 0..5"),
        (with_constellation(walker="53:25/6/1"), "constellations[0].walker: t=25 is not a multiple of p=6"),
        (with_constellation(bus="heavy"), "constellations[0].bus: unknown bus 'heavy'"),
        (with_constellation(inclination_deg="sso", altitude_km=7000), "constellations[0].inclination_deg: no sun-synchronous orbit"),
        (with_constellation(walker=None), "constellations[0].inclination_deg: is required"),
        ({**GOOD, "buses": {"default": {"compute_hardware": "abacus"}}}, "buses.default.compute_hardware: unknown hardware 'abacus'"),
        ({**GOOD, "constellations": GOOD["constellations"] * 2}, "constellations[1].name: duplicate constellation name 'shell-1'"),
        ({**GOOD, "cities": [{"name": "Svalbard", "lat_deg": 1, "lon_deg": 2}]}, "cities[0].name: duplicate place name 'Svalbard'"),
        ({**GOOD, "latency_pairs": [["New York", "Atlantis"]]}, "latency_pairs[0][1]: unknown place 'Atlantis'"),
        ({**GOOD, "analysis": {"duration_s": -5}}, "analysis.duration_s: must be positive"),
        ({**GOOD, "analysis": {"step_s": -1}}, "analysis.step_s: must be positive"),
        ({**GOOD, "analysis": {"duration_s": 60, "step_s": 120}}, "analysis.step_s: is longer than analysis.duration_s"),
        ({**GOOD, "schema_version": 99}, "schema_version: schema_version 99 is newer"),
        ({k: v for k, v in GOOD.items() if k != "epoch"}, "mission.yaml: epoch: is required"),
        ({**GOOD, "colour": "red"}, "mission.yaml: colour: is not a known key"),
    ],
)
def test_bad_input_names_the_file_and_field(doc, expected, tmp_path):
    assert expected in problems(doc, tmp_path)


def test_bad_tle_checksum_and_structure(tmp_path):
    bad_sum = TLE_ISS.replace("0  9992", "0  9993")
    assert "checksum is 3, the line sums to 2" in problems({**GOOD, "constellations": [{"name": "iss", "tle": bad_sum}]}, tmp_path)
    short = "\n".join(TLE_ISS.splitlines()[:2])
    assert "constellations[0].tle: TLE record 1 (ISS (ZARYA)): missing line 2" in problems({**GOOD, "constellations": [{"name": "iss", "tle": short}]}, tmp_path)
    assert "constellations[0].tle_file: cannot read" in problems({**GOOD, "constellations": [{"name": "x", "tle_file": "nope.tle"}]}, tmp_path)


def test_tle_file_relative_to_the_mission_and_sgp4_propagation(tmp_path):
    (tmp_path / "sats.tle").write_text(TLE_ISS)
    mission = load({**GOOD, "constellations": [{"name": "iss", "tle_file": "sats.tle"}]}, tmp_path)
    eph = api.build_ephemeris(mission, base_dir=tmp_path)
    assert eph.names == ("ISS (ZARYA)",)
    assert eph.shells[0].propagator == "sgp4"
    assert 51.5 < eph.shells[0].inclination_deg < 51.7


def test_omm_import_in_three_encodings_gives_the_same_orbit(tmp_path):
    from sgp4 import exporter
    from sgp4.api import Satrec

    line1, line2 = TLE_ISS.splitlines()[1:]
    fields = exporter.export_omm(Satrec.twoline2rv(line1, line2), "ISS (ZARYA)")
    (tmp_path / "iss.json").write_text(json.dumps([fields]))
    kvn = "CCSDS_OMM_VERS = 2.0\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())
    (tmp_path / "iss.kvn").write_text(kvn)
    xml_fields = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    (tmp_path / "iss.xml").write_text(f'<?xml version="1.0"?><ndm><omm><body><segment><data>{xml_fields}</data></segment></body></omm></ndm>')
    positions = []
    for name in ("iss.json", "iss.kvn", "iss.xml"):
        mission = load({**GOOD, "constellations": [{"name": "iss", "omm_file": name}]}, tmp_path)
        positions.append(api.build_ephemeris(mission, base_dir=tmp_path).r_eci_km)
    assert abs(positions[0] - positions[1]).max() < 1e-6
    assert abs(positions[0] - positions[2]).max() < 1e-6


def test_custom_satellites_from_classical_elements(tmp_path):
    doc = {**GOOD, "constellations": [{"name": "custom", "satellites": [
        {"name": "A", "altitude_km": 700, "eccentricity": 0.01, "inclination_deg": 98, "raan_deg": 10, "arg_perigee_deg": 90, "mean_anomaly_deg": 0},
        {"name": "B", "altitude_km": 1200, "inclination_deg": 45},
    ]}]}
    eph = api.build_ephemeris(load(doc, tmp_path))
    assert eph.names == ("A", "B")
    assert eph.n_sat == 2


def test_yaml_syntax_error_is_a_clear_message(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(MissionError) as info:
        api.load_mission(path)
    assert str(info.value).startswith("broken.yaml: invalid YAML at line")


def test_json_mission_with_the_same_structure(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(GOOD))
    assert api.load_mission(path).name == "test"
    assert "schema_version: 1" in dumps_mission(api.load_mission(path))


values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.dictionaries(
        st.sampled_from(["name", "epoch", "analysis", "constellations", "buses", "ground_stations", "cities", "latency_pairs", "workload", "schema_version", "extra"]),
        values, max_size=3,
    ),
    entry=st.dictionaries(st.sampled_from(["altitude_km", "walker", "planes", "phasing", "inclination_deg", "eccentricity", "tle", "cluster", "bus", "ltan_h"]), values, max_size=3),
)
def test_generated_documents_never_crash_the_loader(mutations, entry):
    doc = json.loads(json.dumps(GOOD))
    doc["constellations"][0].update(entry)
    doc.update(mutations)
    try:
        mission = api.mission_from_dict(doc, "fuzz.yaml")
    except MissionError as exc:
        assert all(line.startswith("fuzz.yaml: ") for line in str(exc).splitlines())
    else:
        assert mission.name


def test_mission_file_reference_is_generated_from_the_model():
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    import os

    env = {**os.environ, "PYTHONPATH": str(root)}  # this checkout's model, not another installed copy
    done = subprocess.run([sys.executable, "docs/tools/make_mission_reference.py", "--check"], cwd=root, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
