"""Hypatia export and import (``starnet export --hypatia`` and reading its tles.txt).

The export is read back by a parser written here from Hypatia's description of its files
(satgenpy: tles.txt "orbits sats_per_orbit" then "name id"/line 1/line 2 with ids 0, 1, 2 ...
and one epoch; isls.txt "a b" with a < b and no repeats; ground_stations.txt the extended
8-column CSV with WGS-72 Cartesian metres, gids 0, 1, 2 ...; gsl_interfaces_info.txt "node,
interfaces, Mbit/s" for satellites then stations; description.txt key=value), not by
the engine's importer. Positions are checked with python-sgp4 directly on the parsed lines.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec

from core import api
from core.analysis.topology import compute_topology
from core.export.hypatia import write_hypatia_dir
from core.mission.model import Mission
from core.orbits.ephemeris import build_ephemeris

EPOCH = "2026-03-20T00:00:00Z"
ROOT = Path(__file__).resolve().parents[2]


def parse_hypatia_dir(folder: Path) -> dict:
    """An independent reader of Hypatia's four files; raises AssertionError where a file breaks the format."""
    lines = (folder / "tles.txt").read_text().splitlines()
    orbits, per_orbit = (int(x) for x in lines[0].split())
    body = lines[1:]
    assert len(body) == 3 * orbits * per_orbit, "tles.txt must hold orbits x sats_per_orbit satellites"
    sats, epochs = [], set()
    for i in range(orbits * per_orbit):
        name, l1, l2 = body[3 * i : 3 * i + 3]
        parts = name.split()
        assert len(parts) == 2 and int(parts[1]) == i, f"name line {name!r} must be '<name> {i}'"
        assert len(l1) == 69 and len(l2) == 69 and l1[0] == "1" and l2[0] == "2"
        for line in (l1, l2):
            total = sum(int(c) if c.isdigit() else 1 if c == "-" else 0 for c in line[:68])
            assert total % 10 == int(line[68]), "checksum"
        epochs.add(l1[18:32])
        sats.append((l1, l2))
    assert len(epochs) == 1, "Hypatia needs one epoch for all TLEs"
    isls = []
    for line in (folder / "isls.txt").read_text().splitlines():
        a, b = (int(x) for x in line.split())
        assert 0 <= a < b < len(sats), "a < b, both satellites"
        isls.append((a, b))
    assert len(set(isls)) == len(isls), "no repeated ISL"
    stations = []
    for gid, line in enumerate((folder / "ground_stations.txt").read_text().splitlines()):
        cols = line.split(",")
        assert len(cols) == 8 and int(cols[0]) == gid
        stations.append((cols[1], *map(float, cols[2:])))
    interfaces = []
    for node, line in enumerate((folder / "gsl_interfaces_info.txt").read_text().splitlines()):
        cols = line.split(",")
        assert len(cols) == 3 and int(cols[0]) == node and int(cols[1]) >= 1
        interfaces.append(float(cols[2]))
    assert len(interfaces) == len(sats) + len(stations), "one line per satellite, then per ground station"
    desc = dict(line.split("=") for line in (folder / "description.txt").read_text().splitlines())
    return {"orbits": orbits, "per_orbit": per_orbit, "sats": sats, "isls": isls, "stations": stations, "interfaces": interfaces,
            "max_gsl_length_m": float(desc["max_gsl_length_m"]), "max_isl_length_m": float(desc["max_isl_length_m"])}


def _walker(propagator: str, duration_s: float = 86400, step_s: float = 1800) -> Mission:
    return Mission.model_validate(dict(
        name="hyp", epoch=EPOCH, analysis=dict(duration_s=duration_s, step_s=step_s, min_elevation_deg=25),
        constellations=[dict(name="shell 1", walker="53:240/12/1", altitude_km=550, isl="plus-grid", propagator=propagator)],
        ground_stations=[dict(name="Svalbard", lat_deg=78.23, lon_deg=15.41, alt_m=450, min_elevation_deg=5)],
        latency_pairs=[["New York", "London"]]))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    mission = _walker("sgp4")
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    folder = tmp_path_factory.mktemp("hyp")
    summary = write_hypatia_dir(mission, eph, topo, folder)
    return mission, eph, topo, folder, summary


def test_export_reads_back_with_an_independent_parser(exported):
    _, eph, topo, folder, summary = exported
    got = parse_hypatia_dir(folder)
    assert (got["orbits"], got["per_orbit"]) == (12, 20)
    assert sorted(got["isls"]) == sorted(map(tuple, np.sort(topo.isl_edges, axis=1).tolist()))
    assert summary.isls == len(got["isls"]) == 480
    names = [s[0] for s in got["stations"]]
    assert names == ["Svalbard", "New York", "London"]
    assert got["interfaces"][0] == 800.0  # the default bus' downlink_mbps
    # WGS-72 Cartesian of Svalbard by the closed form, independently
    a, f = 6378135.0, 1 / 298.26
    e2 = 2 * f - f * f
    lat, lon, h = math.radians(78.23), math.radians(15.41), 450.0
    v = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    expect = ((v + h) * math.cos(lat) * math.cos(lon), (v + h) * math.cos(lat) * math.sin(lon), (v * (1 - e2) + h) * math.sin(lat))
    assert np.allclose(got["stations"][0][4:], expect, atol=1e-3)
    # Slant range at 25 deg from 550 km: sqrt(r^2 - (R cos e)^2) - R sin e
    r, R, el = 6378137.0 + 550e3, 6378135.0, math.radians(25)
    assert got["max_gsl_length_m"] == pytest.approx(math.sqrt(r**2 - (R * math.cos(el)) ** 2) - R * math.sin(el), rel=1e-9)
    # Every exported ISL is no longer than the declared maximum at any epoch
    lengths = np.linalg.norm(eph.r_ecef_km[topo.isl_edges[:, 0]] - eph.r_ecef_km[topo.isl_edges[:, 1]], axis=-1)
    assert lengths.max() * 1000 <= got["max_isl_length_m"]


def test_exported_tles_follow_the_engine_within_a_km_over_a_day(exported):
    _, eph, _, folder, _ = exported
    got = parse_hypatia_dir(folder)
    offsets = eph.time.offsets_s
    utc = eph.time.epoch.utc
    picked = (0, 17, 71, 200)
    teme = {}
    for i in picked:
        err, r, _ = Satrec.twoline2rv(*got["sats"][i]).sgp4_array(np.full_like(offsets, utc.jd1), utc.jd2 + offsets / 86400.0)
        assert not err.any()
        teme[i] = r
    # radii and distances between satellites do not depend on the frame (TEME here, GCRS in the engine)
    for i in picked:
        assert np.allclose(np.linalg.norm(teme[i], axis=1), np.linalg.norm(eph.r_eci_km[i], axis=1), atol=1.0)
    for i, j in ((0, 17), (17, 71), (0, 200)):
        ours = np.linalg.norm(eph.r_eci_km[i] - eph.r_eci_km[j], axis=1)
        assert np.allclose(np.linalg.norm(teme[i] - teme[j], axis=1), ours, atol=1.0)


def test_round_trip_through_our_importer(exported, tmp_path):
    _, eph, topo, folder, _ = exported
    back = api.mission_from_dict(dict(name="back", epoch=EPOCH, analysis=dict(duration_s=86400, step_s=1800),
                                      constellations=[dict(name="h", tle_file="tles.txt", isl_file="isls.txt")]),
                                 "back.yaml", folder)
    eph2 = build_ephemeris(back, folder)
    assert np.linalg.norm(eph2.r_ecef_km - eph.r_ecef_km, axis=-1).max() < 1.0  # km, over the day
    topo2 = compute_topology(back, eph2, folder)
    assert sorted(map(tuple, topo2.isl_edges.tolist())) == sorted(map(tuple, np.sort(topo.isl_edges, axis=1).tolist()))
    assert np.array_equal(topo2.isl_active, topo.isl_active)
    # the header alone gives the plus-grid on the imported shell
    grid = api.mission_from_dict(dict(name="g", epoch=EPOCH, analysis=dict(duration_s=86400, step_s=1800),
                                      constellations=[dict(name="h", tle_file="tles.txt", isl="plus-grid")]), "g.yaml", folder)
    topo3 = compute_topology(grid, build_ephemeris(grid, folder), folder)
    assert topo3.isl_edges.shape[0] == 480 and set(topo3.isl_kind.tolist()) == {0, 1}


def test_imported_tles_are_exported_exactly(exported, tmp_path):
    _, _, _, folder, _ = exported
    back = api.mission_from_dict(dict(name="b", epoch=EPOCH, analysis=dict(duration_s=3600, step_s=600),
                                      constellations=[dict(name="h", tle_file=str(folder / "tles.txt"), isl="plus-grid")]), "b.yaml")
    eph = build_ephemeris(back)
    write_hypatia_dir(back, eph, compute_topology(back, eph, folder), tmp_path / "again")
    assert (tmp_path / "again" / "tles.txt").read_text().splitlines()[1:] == [
        ln if k % 3 else f"h {k // 3}" for k, ln in enumerate((folder / "tles.txt").read_text().splitlines()[1:])]


def test_cli_writes_the_four_files(tmp_path):
    (tmp_path / "m.yaml").write_text(api.dumps_mission(_walker("j2", duration_s=1200, step_s=600)))
    done = subprocess.run([sys.executable, "-m", "core.cli", "export", str(tmp_path / "m.yaml"), "--hypatia", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    # (plus the hidden marker by which a later export knows the folder is StarNet's to replace)
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "description.txt", "ground_stations.txt", "gsl_interfaces_info.txt", "isls.txt", "tles.txt"]
    assert "480 links" in done.stdout


def test_j2_shells_export_with_a_note_and_bounded_offset(tmp_path):
    """A j2 (mean-element) shell: SGP4 adds short-period terms, so the export says so; the
    offset stays bounded (periodic) over the day instead of growing."""
    mission = _walker("j2")
    eph = build_ephemeris(mission)
    summary = write_hypatia_dir(mission, eph, compute_topology(mission, eph), tmp_path)
    assert any("short-period" in note for note in summary.notes)
    back = api.mission_from_dict(dict(name="b", epoch=EPOCH, analysis=dict(duration_s=86400, step_s=1800),
                                      constellations=[dict(name="h", tle_file="tles.txt")]), "b.yaml", tmp_path)
    err = np.linalg.norm(build_ephemeris(back, tmp_path).r_eci_km - eph.r_eci_km, axis=-1)
    assert err.max() < 25.0  # km
    assert err[:, -12:].max() < 1.5 * err[:, :12].max()  # the last 6 h no worse than the first 6 h: no drift


def test_two_shells_export_one_orbit_header_and_global_ids(tmp_path):
    mission = Mission.model_validate(dict(
        name="two", epoch=EPOCH, analysis=dict(duration_s=600, step_s=300),
        constellations=[dict(name="a", walker="53:240/12/1", altitude_km=1100, isl="plus-grid", propagator="sgp4"),
                        dict(name="b", walker="70:240/12/1", altitude_km=1200, isl="plus-grid", propagator="sgp4")]))
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    summary = write_hypatia_dir(mission, eph, topo, tmp_path)
    got = parse_hypatia_dir(tmp_path)
    assert (got["orbits"], got["per_orbit"]) == (1, 480)
    assert any("'1 480'" in note for note in summary.notes)
    assert sorted(got["isls"]) == sorted(map(tuple, np.sort(topo.isl_edges, axis=1).tolist()))
    assert max(b for _, b in got["isls"]) >= 240  # the second shell's links keep their global ids
