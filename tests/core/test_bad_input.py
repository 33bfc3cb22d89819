"""Every class of bad input the input sweep found ends as exit 2 with the file and the field.

Each case runs ``starnet`` in-process on a small mission (6 satellites, a 10-minute window)
with one thing wrong, and checks the exit code and that the message names the file and the
field (or the option) that is wrong, without a traceback and without quoting a referenced
file's contents.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from core.cli import main
from tests.core.factories import edited, write_mission

TLE_ISS = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992\n"
    "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008\n"
)

SMALL = {
    "schema_version": 1,
    "name": "small",
    "epoch": "2020-07-13T00:00:00Z",
    "analysis": {"duration_s": 600, "step_s": 60, "coverage_grid_deg": 5},
    "constellations": [{"name": "s", "altitude_km": 550, "inclination_deg": 53, "planes": 2, "sats_per_plane": 3}],
    "ground_stations": [{"name": "g", "lat_deg": 10, "lon_deg": 10}],
}


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


NAN, INF = float("nan"), float("inf")

FIELD_CASES = [
    ("constellations.0.altitude_km", NAN), ("constellations.0.raan0_deg", INF), ("constellations.0.arg_perigee_deg", -INF),
    ("buses.default.bus_power_w", NAN), ("buses.default.sensor_rate_mbps", INF), ("workload.ops_per_byte", INF),
    ("cost.launch_usd_per_kg", NAN), ("analysis.step_s", NAN), ("analysis.step_s", INF), ("analysis.duration_s", INF),
    ("analysis.duration_s", 1e20), ("analysis.step_s", 1e-300), ("buses.default.downlink_mbps", 0),
    ("workload.capture_s", INF), ("workload.capture_s", 1e-9), ("constellations.0.planes", 100_000),
    ("constellations.0.planes", True), ("constellations.0.sats_per_plane", False), ("analysis.step_s", True),
    ("ground_stations.0.alt_m", NAN),
]


@pytest.mark.parametrize(("dotted", "value"), FIELD_CASES, ids=[f"{d}={v}" for d, v in FIELD_CASES])
def test_bad_values_exit_2_naming_the_field(dotted, value, tmp_path, capsys):
    doc = edited(SMALL, {dotted: value})
    if dotted == "constellations.0.planes" and value == 100_000:
        doc["constellations"][0]["sats_per_plane"] = 100_000
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2, err
    field = dotted.replace(".0.", "[0].").replace("buses.default", "buses.default")
    leaf = field.split(".")[-1]
    assert err.startswith("m.yaml: ") and leaf in err, err
    assert "Traceback" not in err


REGION_CASES = [
    {"lat_min_deg": 20, "lat_max_deg": 10},  # inverted
    {"lat_min_deg": 10, "lat_max_deg": 10.01, "lon_min_deg": 0, "lon_max_deg": 0.01},  # no cell centre
    {"polygon": [[100, 0], [10, 10], [0, 10]]},  # latitude 100
    {"polygon": [[0, 0], [1, 1], [2, 2]]},  # no area
]


@pytest.mark.parametrize("region", REGION_CASES)
def test_a_region_with_no_cell_is_refused(region, tmp_path, capsys):
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, edited(SMALL, {"analysis.region": region}), "m.yaml")), "--quiet")
    assert code == 2 and "analysis.region" in err, err


def test_nan_in_a_polygon_vertex_is_refused(tmp_path, capsys):
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(SMALL, sort_keys=False) + "")
    text = path.read_text().replace("  coverage_grid_deg: 5\n", "  coverage_grid_deg: 5\n  region: {polygon: [[.nan, 0], [10, 10], [0, 10]]}\n")
    path.write_text(text)
    code, _, err = run_cli(capsys, "analyze", str(path), "--quiet")
    assert code == 2 and "analysis.region.polygon" in err, err


def test_huge_walker_and_cluster_spacing_are_refused_before_allocating(tmp_path, capsys):
    doc = edited(SMALL, {})
    doc["constellations"][0] = {"name": "w", "walker": "53:100000000000000000000/10/1", "altitude_km": 550}
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and "constellations[0].walker" in err, err
    for spacing in (0.2, 0, 1e-300):  # 1e-300 m once overflowed the lattice count (fuzz)
        doc = edited(SMALL, {})
        doc["constellations"][0] = {"name": "c", "altitude_km": 550, "inclination_deg": 53,
                                    "cluster": {"satellites": 10_000, "radius_km": 0.01, "min_separation_m": spacing}}
        code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
        assert code == 2 and "constellations[0].cluster" in err, err
    doc["constellations"][0]["cluster"] = {"satellites": 81, "radius_km": 100, "min_separation_m": 0.2}
    mission_path = write_mission(tmp_path, doc, "m.yaml")
    from core import api

    assert len(api.build_ephemeris(api.load_mission(mission_path)).names) == 81  # fits: built without a 10 GB lattice


def test_a_run_bigger_than_memory_is_refused_with_the_estimate(tmp_path, capsys, monkeypatch):
    from core.orbits import estimate

    monkeypatch.setattr(estimate, "available_bytes", lambda: 768 * 1024**2)
    doc = edited(SMALL, {"analysis.step_s": 1, "analysis.duration_s": 1e7})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and "m.yaml: analysis.step_s: gives 10,000,001 epochs" in err, err
    doc = edited(SMALL, {"analysis.step_s": 1, "analysis.duration_s": 1e6})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2, err  # 6 satellites x 1,000,001 epochs streamed: 0.4 GB of frames + 0.3 GB for the engine + results and a block > 768 MiB
    assert err.startswith("m.yaml: analysis.step_s: the run needs about") and "1,000,001 epochs" in err, err
    assert "raise analysis.step_s" in err


def test_duplicate_keys_are_refused_in_yaml_and_json(tmp_path, capsys):
    text = yaml.safe_dump(SMALL, sort_keys=False)
    path = tmp_path / "m.yaml"
    path.write_text(text + "constellations:\n  - {name: t, altitude_km: 600, inclination_deg: 53, planes: 1, sats_per_plane: 1}\n")
    code, _, err = run_cli(capsys, "analyze", str(path), "--quiet")
    assert code == 2 and "'constellations' is given twice" in err and "line" in err, err
    path = tmp_path / "m.json"
    path.write_text(json.dumps(SMALL)[:-1] + ', "name": "again"}')
    code, _, err = run_cli(capsys, "analyze", str(path), "--quiet")
    assert code == 2 and "'name' is given twice" in err, err


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_deep_nesting_is_refused(suffix, tmp_path, capsys):
    path = tmp_path / f"m.{suffix}"
    depth = 600 if suffix == "yaml" else 5000
    path.write_text('{"name": "x", "description": ' + "[" * depth + "]" * depth + "}")
    code, _, err = run_cli(capsys, "analyze", str(path), "--quiet")
    assert code == 2 and "nest deeper" in err, err


def test_deep_nesting_in_a_study_and_an_omm_file(tmp_path, capsys):
    study = tmp_path / "s.json"
    study.write_text('{"base": "default", "parameters": ' + "[" * 3000 + "]" * 3000 + "}")
    code, _, err = run_cli(capsys, "sweep", str(study), "-o", str(tmp_path / "t"), "--quiet")
    assert code == 2 and "s.json" in err and "nest deeper" in err, err
    omm = tmp_path / "o.json"
    omm.write_text("[" * 3000 + "]" * 3000)
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, edited(SMALL, {"constellations": [{"name": "o", "omm_file": "o.json"}]}), "m.yaml")), "--quiet")
    assert code == 2 and "constellations[0].omm_file" in err and "nest deeper" in err, err


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x00\x01\x02binary\xff" * 10, "not UTF-8 text at byte 9"),
    ("ISS (ZAR\u00ddA)\n".encode("latin-1") + TLE_ISS.split("\n", 1)[1].encode(), "not UTF-8 text at byte 8"),
    (b"[1, 2, 3]", "must be an object of OMM keywords"),
    (b"[]", "holds no records"),
])
def test_binary_latin1_and_misshapen_orbit_files(content, expected, tmp_path, capsys):
    key = "omm_file" if content.startswith(b"[") else "tle_file"
    (tmp_path / "orbits.txt").write_bytes(content)
    doc = edited(SMALL, {"constellations": [{"name": "o", key: "orbits.txt"}]})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and f"constellations[0].{key}" in err and expected in err, err


def test_a_referenced_file_is_never_quoted(tmp_path, capsys, monkeypatch):
    secret = "SECRET_TOKEN=hunter2"
    (tmp_path / "environ").write_bytes(f"PATH=/usr/bin\x00{secret}\x00".encode().replace(b"\x00", b"\n") * 3)
    doc = edited(SMALL, {"constellations": [{"name": "o", "tle_file": "environ"}]})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and "constellations[0].tle_file" in err and "line 1" in err, err
    assert "hunter2" not in err and "PATH" not in err
    if Path("/proc/self/environ").exists():
        monkeypatch.setenv("STARNET_TEST_SECRET", "hunter2")
        doc = edited(SMALL, {"constellations": [{"name": "o", "tle_file": "/proc/self/environ"}]})
        code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
        assert code == 2 and "hunter2" not in err and "STARNET_TEST_SECRET" not in err, err


def test_devices_and_endless_files_are_refused(tmp_path, capsys):
    doc = edited(SMALL, {"constellations": [{"name": "o", "tle_file": "/dev/zero"}]})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and "is a device" in err, err
    code, _, err = run_cli(capsys, "analyze", "/dev/urandom", "--quiet")
    assert code == 2 and "is a device" in err, err


def test_omm_epochs_in_every_ccsds_form_are_accepted(tmp_path):
    from core.mission.orbit_files import read_omm_text

    base = {"OBJECT_NAME": "ISS", "MEAN_MOTION": 15.5, "ECCENTRICITY": 0.0007, "INCLINATION": 51.6, "RA_OF_ASC_NODE": 247.4,
            "ARG_OF_PERICENTER": 130.5, "MEAN_ANOMALY": 325.0, "NORAD_CAT_ID": 25544}
    for epoch, expected in [("2024-01-01T12:00:00", "2024-01-01T12:00:00.000000"), ("2024-01-01T12:00:00Z", "2024-01-01T12:00:00.000000"),
                            ("2024-01-01T12:00:00.5Z", "2024-01-01T12:00:00.500000"), ("2024-032T06:00:00", "2024-02-01T06:00:00.000000")]:
        assert read_omm_text(json.dumps({**base, "EPOCH": epoch}))[0]["EPOCH"] == expected
    for bad, message in [({"ECCENTRICITY": 1.5}, "ECCENTRICITY is 1.5"), ({"MEAN_MOTION": 0}, "MEAN_MOTION is 0"),
                         ({"INCLINATION": "nan"}, "INCLINATION is nan"), ({"EPOCH": "yesterday"}, "EPOCH must look like")]:
        with pytest.raises(ValueError, match=message):
            read_omm_text(json.dumps({**base, "EPOCH": "2024-01-01T12:00:00", **bad}))


def test_an_element_set_that_decays_in_the_window_is_refused(tmp_path, capsys):
    decaying = TLE_ISS.replace(" 15.72125391563537", " 16.40125391563532")  # ~160 km: re-enters within days
    from core.mission.orbit_files import tle_checksum

    lines = decaying.splitlines()
    lines[2] = lines[2][:68] + str(tle_checksum(lines[2]))
    lines[1] = lines[1][:53] + " 99999-1" + lines[1][61:68]
    lines[1] = lines[1][:68] + str(tle_checksum(lines[1]))
    doc = edited(SMALL, {"analysis.duration_s": 30 * 86400, "analysis.step_s": 3600,
                    "constellations": [{"name": "iss", "tle": "\n".join(lines) + "\n"}]})
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2 and "constellations[0].tle: record 1: SGP4 fails" in err, err


# ------------------------------------------------------------------------------- outputs never hurt inputs


@pytest.mark.parametrize("option", [("analyze", "--json"), ("export", "--czml"), ("export", "--tle"), ("analyze", "--report"),
                                    ("export", "--oem"), ("analyze", "--out")])
def test_an_output_may_not_be_an_input(option, tmp_path, capsys):
    mission = write_mission(tmp_path, SMALL, "m.yaml")
    before = mission.read_bytes()
    command, flag = option
    link = tmp_path / "link.yaml"
    link.symlink_to(mission)
    for target in (mission, link, tmp_path if flag in ("--oem", "--out") else mission):
        code, _, err = run_cli(capsys, command, str(mission), flag, str(target), "--quiet")
        assert code == 2 and "would overwrite its own input" in err, err
    assert mission.read_bytes() == before


def test_an_orbit_file_may_not_be_overwritten_either(tmp_path, capsys):
    (tmp_path / "iss.tle").write_text(TLE_ISS)
    mission = write_mission(tmp_path, edited(SMALL, {"constellations": [{"name": "iss", "tle_file": "iss.tle"}]}), "m.yaml")
    code, _, err = run_cli(capsys, "export", str(mission), "--tle", str(tmp_path / "iss.tle"), "--quiet")
    assert code == 2 and "--tle is the input file" in err, err
    assert (tmp_path / "iss.tle").read_text() == TLE_ISS


def test_outputs_get_ordinary_permissions_and_keep_existing_modes(tmp_path, capsys):
    mission = write_mission(tmp_path, SMALL, "m.yaml")
    old = os.umask(0o022)
    try:
        assert run_cli(capsys, "analyze", str(mission), "--json", str(tmp_path / "r.json"), "--quiet")[0] == 0
        assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o644
        (tmp_path / "r.json").chmod(0o664)
        assert run_cli(capsys, "analyze", str(mission), "--json", str(tmp_path / "r.json"), "--quiet")[0] == 0
        assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o664
        assert run_cli(capsys, "new", "--preset", "default", "-o", str(tmp_path / "n.yaml"), "--quiet")[0] == 0
        assert stat.S_IMODE((tmp_path / "n.yaml").stat().st_mode) == 0o644
        from core import api

        api.save_mission(api.load_mission(mission), tmp_path / "saved.yaml")
        assert stat.S_IMODE((tmp_path / "saved.yaml").stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_a_symlinked_json_target_is_written_through_and_an_unwritable_one_refused_first(tmp_path, capsys, monkeypatch):
    mission = write_mission(tmp_path, SMALL, "m.yaml")
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "r.json"
    real.write_text("{}")
    link = tmp_path / "r.json"
    link.symlink_to(real)
    assert run_cli(capsys, "analyze", str(mission), "--json", str(link), "--quiet")[0] == 0
    assert link.is_symlink() and json.loads(real.read_text())["schema"] == "starnet.results/1"
    real.chmod(0o444)
    from core.export import _files

    real_access = os.access  # root may write read-only files: deny it explicitly as well
    monkeypatch.setattr(_files.os, "access", lambda p, mode: False if Path(p).resolve() == real and mode & os.W_OK else real_access(p, mode))
    from core import api

    ran = []
    monkeypatch.setattr(api, "analyze", lambda *a, **k: ran.append(1))
    code, _, err = run_cli(capsys, "analyze", str(mission), "--json", str(link), "--quiet")
    assert code == 2 and "not writable" in err and ran == [], err


def test_save_into_a_missing_folder_is_a_mission_error_without_temporary_names(tmp_path):
    from core import api

    with pytest.raises(api.MissionError) as done:
        api.save_mission(api.load_preset("default"), tmp_path / "no" / "m.yaml")
    assert "does not exist" in str(done.value) and ".tmp" not in str(done.value)


def test_the_api_raises_mission_error_for_bad_input(tmp_path):
    from core import api

    for data in ("[1, 2]", "a: [" * 2000, "\xff"):
        with pytest.raises(api.MissionError):
            api.loads_mission(data, "x.yaml")
    with pytest.raises(api.MissionError, match="did you mean 'default'"):
        api.load_preset("defualt")
    (tmp_path / "bin.yaml").write_bytes(b"name: \xff\xfe")
    with pytest.raises(api.MissionError, match="not UTF-8 text at byte 6"):
        api.load_mission(tmp_path / "bin.yaml")


def test_an_internal_error_says_so_with_a_hint(tmp_path, capsys, monkeypatch):
    from core import api

    monkeypatch.delenv("STARNET_DEBUG", raising=False)
    monkeypatch.setattr(api, "analyze", lambda *a, **k: (_ for _ in ()).throw(ZeroDivisionError("float division by zero")))
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, SMALL, "m.yaml")), "--quiet")
    assert code == 1 and err.startswith("starnet: internal error: ZeroDivisionError") and "STARNET_DEBUG=1" in err


def test_the_results_writer_refuses_non_finite_numbers():
    from core.cli import dumps_results

    assert json.loads(dumps_results({"a": [1.0, {"b": 2}]})) == {"a": [1.0, {"b": 2}]}
    with pytest.raises(RuntimeError, match=r"coverage\.gaps\[1\]"):
        dumps_results({"coverage": {"gaps": [1.0, float("nan")]}})


def test_did_you_mean_for_presets_and_keys(tmp_path, capsys):
    code, _, err = run_cli(capsys, "new", "--preset", "suncatch", "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "did you mean 'suncatcher'" in err, err
    doc = edited(SMALL, {})
    doc["constelations"] = doc["constellations"]
    doc["analysis"]["step"] = 30
    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, doc, "m.yaml")), "--quiet")
    assert code == 2
    assert "m.yaml: constelations: is not a known key; did you mean 'constellations'?" in err
    assert "analysis.step: is not a known key; did you mean 'step_s'?" in err


def test_epochs_outside_the_time_tables(tmp_path, capsys):
    import warnings

    code, _, err = run_cli(capsys, "analyze", str(write_mission(tmp_path, edited(SMALL, {"epoch": "2200-01-01T00:00:00Z"}), "m.yaml")), "--quiet")
    assert code == 2 and err.startswith("m.yaml: epoch: must be from 1960 to 2100"), err
    from core import api

    mission = api.load_mission(write_mission(tmp_path, edited(SMALL, {"epoch": "2045-01-01T00:00:00Z"}), "m.yaml"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        api.build_ephemeris(mission)
    from core.mission.errors import MissionWarning

    ours = [w for w in caught if issubclass(w.category, MissionWarning) and "leaves the time tables" in str(w.message)]
    assert len(ours) == 1 and "leap seconds after 2029" in str(ours[0].message)


def test_same_path_for_two_outputs_and_new_over_its_preset(tmp_path, capsys):
    mission = write_mission(tmp_path, SMALL, "m.yaml")
    code, _, err = run_cli(capsys, "analyze", str(mission), "--json", str(tmp_path / "r.html"), "--report", str(tmp_path / "r.html"))
    assert code == 2 and "same path" in err, err
    from core import api

    preset = api.preset_path("default")
    before = preset.read_bytes()
    code, _, err = run_cli(capsys, "new", "--preset", "default", "-o", str(preset), "--force")
    assert code == 2 and "would overwrite its own input" in err and preset.read_bytes() == before, err


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    reader = "import subprocess, sys; p = subprocess.Popen([sys.executable, '-m', 'core.cli', 'presets'], stdout=subprocess.PIPE, stderr=subprocess.PIPE); p.stdout.close(); err = p.stderr.read().decode(); print(p.wait()); print(err)"
    done = subprocess.run([sys.executable, "-c", reader], cwd=root, capture_output=True, text=True, timeout=120, check=False)
    code, _, err = done.stdout.partition("\n")
    assert code.strip() == "141", done.stdout
    assert "Traceback" not in err and "BrokenPipeError" not in err and "internal error" not in err, err
