"""Exchange formats: OMM/TLE round trips through sgp4, OEM read back by ccsds-ndm, CZML through czml3,
GeoJSON, CSV, and bad input (unwritable paths, nothing half-written)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import api
from core.export import _files
from core.export._files import ExportError, staged_dir
from core.export.elements import element_sets
from core.orbits.propagate import Sgp4Propagator
from tests.core.factories import ground_station, mission_data, write_mission

ROOT = Path(__file__).parents[2]
EPOCH = "2026-03-20T00:00:00Z"


def _tle_near_epoch() -> str:
    """An ISS-like TLE (catalogue 25544) with its epoch a day before the mission epoch."""
    from sgp4.api import WGS72, Satrec
    from sgp4.exporter import export_tle

    rec = Satrec()
    days = 2461118.5 - 2433281.5 - 1.0  # 2026-03-19 00:00 UTC in days since 1949-12-31
    rec.sgp4init(WGS72, "i", 25544, days, 2.0e-5, 0.0, 0.0, 0.0005, 1.2, np.radians(51.64), 0.5, 15.5 * 2 * np.pi / 1440, 2.0)
    l1, l2 = export_tle(rec)
    return f"ISS (ZARYA)\n{l1}\n{l2}\n"


def export_mission(iss_tle: str) -> dict:
    """A Walker ring with links, an imported OMM file (``big.json``) and one TLE, a station and a latency pair."""
    return mission_data(
        dict(name="ring", altitude_km=550, inclination_deg=53, planes=2, sats_per_plane=10, phasing=1, isl="plus-grid"),
        dict(name="imported", omm_file="big.json"),
        dict(name="iss", tle=iss_tle),
        name="Export test",
        epoch=EPOCH,
        analysis=dict(duration_s=3600, step_s=60, coverage_grid_deg=5),
        ground_stations=[ground_station("Svalbard", 78.23, 15.41, alt_m=450, min_elevation_deg=5)],
        latency_pairs=[["London", "New York"]],
    )


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mission")
    big = [{
        "OBJECT_NAME": "IMPORTED-OMM", "OBJECT_ID": "2026-999A", "EPOCH": "2026-03-19T12:00:00.000000",
        "MEAN_MOTION": 14.2, "ECCENTRICITY": 0.001, "INCLINATION": 98.0, "RA_OF_ASC_NODE": 10.0,
        "ARG_OF_PERICENTER": 30.0, "MEAN_ANOMALY": 40.0, "NORAD_CAT_ID": 99990, "BSTAR": 0.0001,
    }]
    (folder / "big.json").write_text(json.dumps(big))
    mission = api.mission_from_dict(export_mission(_tle_near_epoch()), "export-test.yaml", folder)
    return api.analyze(mission, folder)


def _sgp4_positions(satrecs, eph):
    return Sgp4Propagator(list(satrecs), eph.time.epoch).positions(eph.time.offsets_s)


def _split(eph):
    """Indices of the analytic (j2) satellites and of the SGP4 (imported) ones."""
    j2 = np.flatnonzero([eph.shell_of(s).propagator == "j2" for s in range(eph.n_sat)])
    sg = np.flatnonzero([eph.shell_of(s).propagator == "sgp4" for s in range(eph.n_sat)])
    return j2, sg


def test_the_fixture_has_both_kinds_of_satellite(results):
    eph = results.ephemeris
    j2, sg = _split(eph)
    assert j2.size == 20 and sg.size == 2
    assert results.network is not None and results.topology.isl_active.any()


# ------------------------------------------------------------------------------------ OMM


def test_omm_xml_round_trip_reproduces_positions(results, tmp_path):
    from sgp4 import omm
    from sgp4.api import Satrec

    from core.export.ccsds import write_omm
    from core.mission.orbit_files import read_omm_text

    eph = results.ephemeris
    path = tmp_path / "sats.xml"
    assert write_omm(eph, path) == eph.n_sat
    records = read_omm_text(path.read_text())
    assert [r["OBJECT_NAME"] for r in records] == list(eph.names)
    assert "99990" in [r["NORAD_CAT_ID"] for r in records] and "25544" in [r["NORAD_CAT_ID"] for r in records]
    sats = []
    for fields in records:
        rec = Satrec()
        omm.initialize(rec, fields)
        sats.append(rec)
    r = _sgp4_positions(sats, eph)
    err = np.linalg.norm(r - eph.r_eci_km, axis=-1)
    j2, sg = _split(eph)
    assert err[sg].max() < 1e-3, "imported SGP4 records must come back exactly"
    assert err[j2].max() < 25.0, "converted J2 mean elements follow the engine within tens of km"
    # an independent reader: ccsds-ndm parses the NDM and sees every record
    from ccsds_ndm.ndm_io import NdmIo

    ndm = NdmIo().from_string(path.read_text())
    assert len(ndm.omm) == eph.n_sat
    first = ndm.omm[0].body.segment
    assert first.metadata.ref_frame == "TEME" and first.metadata.mean_element_theory == "SGP4"
    assert first.data.mean_elements.mean_motion.value == pytest.approx(float(records[0]["MEAN_MOTION"]))


def test_omm_kvn_and_json_carry_the_same_elements(results, tmp_path):
    from core.export.ccsds import write_omm
    from core.mission.orbit_files import read_omm_text

    eph = results.ephemeris
    out = {}
    for suffix in (".xml", ".kvn", ".json"):
        write_omm(eph, tmp_path / f"e{suffix}")
        out[suffix] = read_omm_text((tmp_path / f"e{suffix}").read_text())
    for key in ("EPOCH", "NORAD_CAT_ID", "OBJECT_NAME"):
        assert [r[key] for r in out[".kvn"]] == [r[key] for r in out[".xml"]] == [str(r[key]) for r in out[".json"]]
    for key in ("MEAN_MOTION", "INCLINATION", "RA_OF_ASC_NODE", "MEAN_ANOMALY", "BSTAR"):
        a = np.array([float(r[key]) for r in out[".kvn"]])
        b = np.array([float(r[key]) for r in out[".json"]])
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    with pytest.raises(ExportError, match="unknown OMM file type"):
        write_omm(eph, tmp_path / "e.docx")


def test_imported_catalogue_numbers_are_kept_and_others_do_not_collide(results):
    sets = element_sets(results.ephemeris)
    numbers = [s.norad_cat_id for s in sets]
    assert 25544 in numbers and 99990 in numbers
    assert len(set(numbers)) == len(numbers)
    assert {s.origin for s in sets} == {"converted", "imported"}


# ------------------------------------------------------------------------------------ TLE


def test_tle_round_trip_and_skips_what_does_not_fit(results, tmp_path):
    from core.export.tle import write_tle
    from core.mission.orbit_files import read_tle_text
    from sgp4.api import Satrec

    eph = results.ephemeris
    done = write_tle(eph, tmp_path / "sats.tle")
    assert done.written == eph.n_sat and not done.skipped
    records = read_tle_text((tmp_path / "sats.tle").read_text())  # checksums and structure checked here
    assert [r.name for r in records] == list(eph.names)
    keep = np.arange(eph.n_sat)
    r = _sgp4_positions([Satrec.twoline2rv(x.line1, x.line2) for x in records], eph)
    err = np.linalg.norm(r - eph.r_eci_km[keep], axis=-1)
    kinds = np.array([eph.shell_of(s).propagator for s in keep])
    assert err[kinds == "sgp4"].max() < 1.0, "TLE rounding (1e-4 deg, 1e-8 rev/day) costs well under a kilometre"
    assert err[kinds == "j2"].max() < 25.0


def test_tle_skips_catalogue_numbers_that_do_not_fit(results):
    from core.export.tle import tle_export

    done = tle_export(results.ephemeris, max_number=10)
    assert done.written == 10
    assert {name for name, _ in done.skipped} == set(results.ephemeris.names[10:])
    assert "25544" in dict(done.skipped)["ISS (ZARYA)"]


def test_catalogue_numbers_beyond_alpha5_still_make_records(results):
    from core.orbits.sgp4_elements import init_satrec

    rec = init_satrec(400_000, 27_837.0, ecco=0.0, argpo=0.0, inclo=1.0, mo=0.0, no_kozai=0.06, nodeo=0.0)
    assert rec.satnum == 0 and rec.error == 0


# ------------------------------------------------------------------------------------ OEM


def test_oem_read_back_by_ccsds_ndm_matches_the_engine(results, tmp_path):
    from ccsds_ndm.ndm_io import NdmIo

    from core.export.ccsds import oem_file_names, write_oem_dir

    eph = results.ephemeris
    paths = write_oem_dir(eph, tmp_path / "oem", "Export test")
    assert [p.name for p in paths] == oem_file_names(eph)
    assert len({p.name for p in paths}) == eph.n_sat
    _, v_all = eph.states_eci(eph.time.offsets_s)
    for sat in (0, 13, eph.n_sat - 1):
        text = paths[sat].read_text()
        assert "COMMENT REF_FRAME GCRF" in text
        oem = NdmIo().from_string(text)
        seg = oem.body.segment[0]
        assert seg.metadata.object_name == eph.names[sat]
        assert seg.metadata.ref_frame == "GCRF" and seg.metadata.time_system == "UTC"
        states = seg.data.state_vector
        assert len(states) == eph.n_time
        r = np.array([[s.x.value, s.y.value, s.z.value] for s in states])
        v = np.array([[s.x_dot.value, s.y_dot.value, s.z_dot.value] for s in states])
        np.testing.assert_allclose(r, eph.r_eci_km[sat], atol=2e-6)
        np.testing.assert_allclose(v, v_all[sat], atol=2e-9)
        assert states[1].epoch.startswith("2026-03-20T00:01:00")


def test_oem_velocity_is_the_derivative_of_position(results):
    eph = results.ephemeris
    t = np.array([600.0 - 0.5, 600.0 + 0.5, 600.0])
    r, v = eph.states_eci(t, np.array([0, 21]))
    np.testing.assert_allclose(r[:, 1] - r[:, 0], v[:, 2], atol=1e-4)


# ------------------------------------------------------------------------------------ CZML


def test_czml_validates_with_czml3_and_has_the_expected_packets(results, tmp_path):
    from czml3 import Document

    from core.export.czml import satellite_ids, write_czml

    eph = results.ephemeris
    path = tmp_path / "m.czml"
    n = write_czml(results, path)
    doc = Document.model_validate_json(path.read_text())  # czml3 validation of the whole file
    assert len(doc.packets) == n
    raw = json.loads(path.read_text())
    by_id = {p["id"]: p for p in raw}
    head = raw[0]
    assert head["id"] == "document" and head["version"] == "1.0"
    assert head["clock"]["interval"] == "2026-03-20T00:00:00Z/2026-03-20T01:00:00Z"
    ids = satellite_ids(eph.names)
    for sid in ids:
        pos = by_id[sid]["position"]
        assert pos["referenceFrame"] == "FIXED" and pos["interpolationAlgorithm"] == "LAGRANGE"
        assert len(pos["cartesian"]) == 4 * eph.n_time
        assert "path" in by_id[sid]
    assert "station/Svalbard" in by_id
    topo = results.topology
    links = [p for p in raw if p["id"].startswith("isl/")]
    assert len(links) == int(topo.isl_active.any(axis=0).sum()) > 0
    # the link's visibility follows the topology epoch by epoch
    stamps = [t[:19] + "Z" for t in eph.time.times.utc.isot]
    for e, (a, b) in enumerate(topo.isl_edges):
        pid = f"isl/{ids[a]}--{ids[b]}"
        if pid not in by_id:
            assert not topo.isl_active[:, e].any()
            continue
        line = by_id[pid]["polyline"]
        assert line["positions"]["references"] == [f"{ids[a]}#position", f"{ids[b]}#position"]
        assert line["arcType"]["arcType"] == "NONE"
        for k in range(eph.n_time - 1):
            shown = [iv["boolean"] for iv in line["show"] if iv["interval"].split("/")[0] <= stamps[k] < iv["interval"].split("/")[1]]
            assert shown == [bool(topo.isl_active[k, e])], (pid, k)


def test_czml_lagrange_samples_reproduce_positions_between_epochs(results, tmp_path):
    from core.export.czml import czml_document

    eph = results.ephemeris
    doc = json.loads(czml_document(results).model_dump_json(exclude_none=True))
    sat = 3
    samples = np.array(next(p for p in doc if p.get("name") == eph.names[sat])["position"]["cartesian"]).reshape(-1, 4)
    t, xyz = samples[:, 0], samples[:, 1:] / 1000.0
    mid = t[10:14] + 30.0
    truth = eph.positions_ecef(mid, np.array([sat]))[0]
    for q, tq in enumerate(mid):
        k = np.searchsorted(t, tq) - 3
        nodes = np.arange(k, k + 6)  # degree 5: six samples around the time
        w = np.array([np.prod([(tq - t[m]) / (t[j] - t[m]) for m in nodes if m != j]) for j in nodes])
        est = w @ xyz[nodes]
        assert np.linalg.norm(est - truth[q]) < 0.05  # km: Lagrange on the 60 s grid is good to tens of metres


# ------------------------------------------------------------------------------------ GeoJSON and CSV


def test_geojson_tracks_are_split_at_the_antimeridian(results, tmp_path):
    from core.export.geojson import write_geojson

    eph = results.ephemeris
    path = tmp_path / "tracks.geojson"
    n = write_geojson(results, path)
    doc = json.loads(path.read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == n == eph.n_sat + 1
    tracks = [f for f in doc["features"] if f["properties"]["kind"] == "ground_track"]
    crossings = 0
    for f in tracks:
        parts = f["geometry"]["coordinates"]
        crossings += len(parts) - 1
        for part in parts:
            lon = np.array(part)[:, 0]
            lat = np.array(part)[:, 1]
            assert np.all(np.abs(np.diff(lon)) < 180) and np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)
    assert crossings > 0  # an hour of LEO crosses the antimeridian somewhere
    lat, lon, _ = eph.lat_lon_alt
    first = np.array(tracks[0]["geometry"]["coordinates"][0][0])
    assert first == pytest.approx([(lon[0, 0] + 180) % 360 - 180, lat[0, 0]], abs=1e-4)


def test_csv_has_every_series(results, tmp_path):
    import pandas as pd

    from core.export.csv import write_csv_dir

    eph = results.ephemeris
    paths = write_csv_dir(results, tmp_path / "csv")
    names = {p.name for p in paths}
    for name in ("coverage_over_time.csv", "coverage_map.csv", "latency.csv", "access_windows.csv", "isl_links.csv",
                 "power_year.csv", "power_soc.csv", "sunlit_over_time.csv", "insight_captures.csv", "summary.csv"):
        assert name in names
    cov = pd.read_csv(tmp_path / "csv" / "coverage_over_time.csv")
    assert len(cov) == eph.n_time and cov["covered_percent"].between(0, 100).all()
    np.testing.assert_allclose(cov["covered_percent"], results.coverage.percent_covered, atol=1e-3)
    lat = pd.read_csv(tmp_path / "csv" / "latency.csv")
    assert len(lat) == eph.n_time * results.network.n_pair
    assert lat["time_utc"].iloc[0] == EPOCH
    summary = pd.read_csv(tmp_path / "csv" / "summary.csv")
    row = summary[(summary.section == "mission") & (summary.key == "satellites")]
    assert int(row["value"].iloc[0]) == eph.n_sat


# ------------------------------------------------------------------------------------ commands and bad input


def _args(**kw):
    base = dict(czml=None, oem=None, omm=None, tle=None, geojson=None, csv=None, quiet=True)
    base.update(kw)
    return argparse.Namespace(**base)


def test_run_export_writes_everything_asked(results, tmp_path):
    from core.export.commands import run_export

    args = _args(czml=str(tmp_path / "a.czml"), oem=str(tmp_path / "oem"), omm=str(tmp_path / "a.json"),
                 tle=str(tmp_path / "a.tle"), geojson=str(tmp_path / "a.geojson"), csv=str(tmp_path / "csv"))
    lines = run_export(results.mission, None, args, results=results)
    assert any(ln.startswith("wrote 22 TLE") for ln in lines)
    for name in ("a.czml", "a.json", "a.tle", "a.geojson"):
        assert (tmp_path / name).stat().st_size > 0
    assert len(list((tmp_path / "oem").glob("*.oem"))) == results.ephemeris.n_sat
    assert not list(tmp_path.glob(".*.tmp")), "no temporary files left behind"


def test_unwritable_or_missing_targets_fail_before_any_work(tmp_path, monkeypatch):
    from core.export import _files
    from core.export.commands import check_export_args

    with pytest.raises(ExportError, match="nothing to export"):
        check_export_args(_args())
    check_export_args(_args(czml=str(tmp_path / "no" / "such" / "a.czml")))  # missing folders are created on writing
    assert not (tmp_path / "no").exists(), "the check creates nothing"
    (tmp_path / "file").write_text("")
    with pytest.raises(ExportError, match="is not a folder"):
        check_export_args(_args(czml=str(tmp_path / "file" / "a.czml")))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    real_access = os.access
    # root may write anywhere: deny writing to the locked folder explicitly as well
    monkeypatch.setattr(_files.os, "access", lambda p, mode: False if Path(p) == locked and mode & os.W_OK else real_access(p, mode))
    try:
        with pytest.raises(ExportError, match="not writable"):
            check_export_args(_args(tle=str(locked / "a.tle")))
        with pytest.raises(ExportError, match="not writable"):
            check_export_args(_args(oem=str(locked / "oem")))
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []
    with pytest.raises(ExportError, match="unknown OMM"):
        check_export_args(_args(omm=str(tmp_path / "a.pdf")))


def test_a_failed_folder_export_leaves_the_target_untouched(tmp_path):
    target = tmp_path / "out"
    with staged_dir(target) as stage:
        (stage / "keep.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with staged_dir(target) as stage:
            (stage / "keep.txt").write_text("new")
            (stage / "half.csv").write_text("x")
            raise RuntimeError("disk full")
    assert (target / "keep.txt").read_text() == "old"
    assert sorted(p.name for p in target.iterdir()) == [".starnet-export", "keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "the staging folder is removed"


def test_a_folder_export_replaces_the_earlier_one_whole_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out"
    with staged_dir(target) as stage:
        (stage / "a.oem").write_text("first mission")
        (stage / "b.oem").write_text("first mission")
    target.chmod(0o750)
    with staged_dir(target) as stage:
        (stage / "a.oem").write_text("second mission")
    assert sorted(p.name for p in target.iterdir()) == [".starnet-export", "a.oem"], "no stale file of the earlier export"
    assert (target / "a.oem").read_text() == "second mission"
    assert target.stat().st_mode & 0o777 == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_with_files_no_export_wrote_is_refused(tmp_path):
    from core.export._files import check_dir_target

    target = tmp_path / "home"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    with pytest.raises(ExportError, match="no StarNet export wrote"):
        check_dir_target(target)
    with pytest.raises(ExportError, match="no StarNet export wrote"):
        with staged_dir(target):
            pass
    assert (target / "thesis.tex").read_text() == "years of work"


def test_leftovers_of_a_killed_export_are_cleaned_and_an_interrupted_swap_is_undone(tmp_path):
    import subprocess as sp

    dead = sp.Popen(["true"])
    dead.wait()  # a process id that no longer runs
    target = tmp_path / "out"
    (tmp_path / f".out.{dead.pid}.stage.starnet.tmp").mkdir()
    (tmp_path / f".out.{dead.pid}.stage.starnet.tmp" / "x.oem").write_text("half")
    old = tmp_path / f".out.{dead.pid}.old.starnet.tmp"  # killed between the two renames of the fallback swap
    old.mkdir()
    (old / ".starnet-export").write_text("")
    (old / "a.oem").write_text("previous")
    (tmp_path / f".x.czml.{dead.pid}.starnet.tmp").write_text("half a czml")
    with staged_dir(target) as stage:
        (stage / "a.oem").write_text("new")
    assert (target / "a.oem").read_text() == "new"
    _files.atomic_write_text(tmp_path / "x.czml", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "x.czml"]


def test_a_failed_file_write_keeps_the_old_file(tmp_path, monkeypatch):
    from core.export import _files

    path = tmp_path / "a.czml"
    path.write_text("old")

    def boom(*a, **k):
        raise OSError("no space left")

    monkeypatch.setattr(_files.os, "replace", boom)
    with pytest.raises(OSError):
        _files.atomic_write_text(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.czml"]


def test_write_outputs_layout(results, tmp_path):
    from core.export.commands import write_outputs

    paths = write_outputs(results, tmp_path / "out")
    rel = {str(p.relative_to(tmp_path / "out")) for p in paths}
    assert {"Export_test.czml", "Export_test.geojson", "Export_test.omm.xml", "Export_test.tle"} <= rel
    assert "csv/coverage_over_time.csv" in rel
    assert sum(r.startswith("oem/") for r in rel) == results.ephemeris.n_sat
    assert all(p.is_file() for p in paths)


def test_parsers_follow_the_contract():
    from core.export.commands import add_parsers

    parser = argparse.ArgumentParser(prog="starnet")
    add_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["export", "default", "--czml", "a.czml", "--oem", "d", "--omm", "o.xml", "--tle", "t.tle", "--csv", "c"])
    assert (args.command, args.mission, args.czml, args.oem, args.omm, args.tle, args.csv) == ("export", "default", "a.czml", "d", "o.xml", "t.tle", "c")
    args = parser.parse_args(["report", "m.yaml", "-o", "r.pdf"])
    assert (args.command, args.mission, args.output) == ("report", "m.yaml", "r.pdf")


def test_cli_export_bad_input_exits_2(tmp_path):
    too_low = dict(name="a", altitude_km=100, inclination_deg=53, planes=1, sats_per_plane=1)
    bad = write_mission(tmp_path, mission_data(too_low, name="x"), "bad.yaml")
    done = subprocess.run([sys.executable, "-m", "core.cli", "export", str(bad), "--czml", str(tmp_path / "a.czml")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "altitude_km" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "a.czml").exists()
    done = subprocess.run([sys.executable, "-m", "core.cli", "export", "default", "--czml", str(tmp_path / "new" / "dir" / "a.czml")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "new" / "dir" / "a.czml").read_text())[0]["id"] == "document"
