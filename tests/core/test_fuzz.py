"""Fuzzing ``starnet analyze`` with broken missions and orbit files: exit 0 or 2, never anything else.

Hypothesis takes a preset, picks any key or value in it, and breaks it: another type, NaN or
infinity, a huge or tiny number, the key deleted, the key given twice, a boolean for a
number. Orbit files (TLE, OMM as JSON/KVN/XML) get characters changed, lines cut, bytes that
are not text. Every case runs the CLI entry point in-process under an address-space limit
(``ulimit -v``) and must end with

* exit 0 and a results file that is strict JSON (no NaN/Infinity), or
* exit 2 and a message naming the mission file (and so a field) or the file at fault,

never exit 1 (an internal error), a traceback, a ``MemoryError`` or a hang. The default run
tries a few hundred cases in well under a minute (missions get a 10-minute window); the
``slow`` marker runs ten times more.
"""

from __future__ import annotations

import copy
import json
import math
import resource
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core import api
from core.cli import main
from tests.preset_sizes import ANALYSED_PRESETS

PRESETS = {name: yaml.safe_load(api.preset_path(name).read_text(encoding="utf-8")) for name in ANALYSED_PRESETS}  # every analysis is run: not the 1M-satellite preset
SHORT_WINDOW = {"duration_s": 600, "step_s": 60}

BAD_VALUES = st.sampled_from([
    float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 1e20, 2**63, 10**30, 1e-300, 1e-9, 0, -1, -0.5,
    True, False, None, "", "x" * 300, "nan", [], [1, 2], {}, {"a": 1}, "2026-13-45T99:00:00Z", "\x00\ufffd",
])


def _paths(node, prefix=()) -> list[tuple]:
    """Every key and index path in a parsed document."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(prefix + (key,))
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append(prefix + (i,))
            out += _paths(value, prefix + (i,))
    return out


def _parent(doc, path):
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def _dump_json(node, duplicate: tuple | None = None, here: tuple = ()) -> str:
    """JSON text; with ``duplicate`` (a key path) that key is written twice."""
    if isinstance(node, dict):
        items = []
        for key, value in node.items():
            items.append(f"{json.dumps(key)}: {_dump_json(value, duplicate, here + (key,))}")
            if duplicate == here + (key,):
                items.append(f"{json.dumps(key)}: {_dump_json(value)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_dump_json(v, duplicate, here + (i,)) for i, v in enumerate(node)) + "]"
    return json.dumps(node, default=str)


@st.composite
def broken_missions(draw) -> tuple[str, str, str]:
    """(file name, text, mutation class) of a preset with one thing broken."""
    name = draw(st.sampled_from(sorted(PRESETS)))
    doc = copy.deepcopy(PRESETS[name])
    doc.setdefault("analysis", {}).update(SHORT_WINDOW)
    path = draw(st.sampled_from(_paths(doc)))
    kind = draw(st.sampled_from(["value", "value", "value", "delete", "duplicate", "rename"]))
    parent = _parent(doc, path)
    duplicate = None
    if kind == "value":
        parent[path[-1]] = draw(BAD_VALUES)
    elif kind == "delete":
        del parent[path[-1]]
    elif kind == "rename" and isinstance(parent, dict):
        parent[str(path[-1]) + draw(st.sampled_from(["s", "_", "x"]))] = parent.pop(path[-1])
    elif kind == "duplicate" and isinstance(parent, dict):
        duplicate = path
    else:
        kind = "value"
        parent[path[-1]] = draw(BAD_VALUES)
    fmt = "json" if duplicate is not None or draw(st.booleans()) else "yaml"
    if fmt == "json":
        text = _dump_json(doc, duplicate)
    else:
        text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    field = ".".join(str(p) for p in path[:2])
    return f"m.{fmt}", text, f"{kind} {field}"


TLE = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   20194.88612269 -.00002218  00000-0 -31515-4 0  9992\n"
    "2 25544  51.6461 221.2784 0001413  89.1723 280.4612 15.49507896236008\n"
)
OMM = {"OBJECT_NAME": "ISS", "OBJECT_ID": "1998-067A", "EPOCH": "2020-07-12T21:16:01.000416", "MEAN_MOTION": 15.49507896,
       "ECCENTRICITY": 0.0001413, "INCLINATION": 51.6461, "RA_OF_ASC_NODE": 221.2784, "ARG_OF_PERICENTER": 89.1723,
       "MEAN_ANOMALY": 280.4612, "NORAD_CAT_ID": 25544, "BSTAR": -3.1515e-5}


def _omm_text(fields: dict, form: str) -> str:
    if form == "json":
        return json.dumps([fields], default=str)
    if form == "kvn":
        return "CCSDS_OMM_VERS = 2.0\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0"?><ndm><omm><body><segment><data>{body}</data></segment></body></omm></ndm>'


@st.composite
def broken_orbit_files(draw) -> tuple[str, bytes, str]:
    """(constellation key, file bytes, mutation class) of a TLE or OMM file with one thing broken."""
    if draw(st.booleans()):
        text = TLE
        how = draw(st.sampled_from(["char", "cut", "bytes", "lines"]))
        if how == "char":
            k = draw(st.integers(0, len(text) - 1))
            text = text[:k] + draw(st.sampled_from(list("0123456789 -+.xZ\t\x00é"))) + text[k + 1:]
        elif how == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif how == "lines":
            text = "\n".join(draw(st.permutations(text.splitlines())))
        data = text.encode("utf-8") if how != "bytes" else draw(st.binary(min_size=0, max_size=300))
        return "tle_file", data, f"tle {how}"
    fields = dict(OMM)
    key = draw(st.sampled_from(sorted(OMM)))
    how = draw(st.sampled_from(["value", "delete"]))
    if how == "delete":
        del fields[key]
    else:
        fields[key] = draw(st.sampled_from(["", "nan", "inf", "-1", "1.5", "0", "1e308", "x", "2020-07-12T21:16:01Z",
                                            "2020-194T21:16:01", "2020-07-12 21:16", "99999999999"]))
    form = draw(st.sampled_from(["json", "kvn", "xml"]))
    return "omm_file", _omm_text(fields, form).encode("utf-8"), f"omm-{form} {how} {key}"


@contextmanager
def memory_limit(extra_bytes: int = 6 * 1024**3):
    """Cap this process's address space at what it uses now plus ``extra_bytes`` (like ``ulimit -v``)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm", encoding="ascii") as handle:
        used = int(handle.read().split()[0]) * resource.getpagesize()
    cap = used + extra_bytes if hard == resource.RLIM_INFINITY else min(hard, used + extra_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _strict_json(text: str):
    def refuse(token):
        raise AssertionError(f"results carry {token}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


def check_one(folder: Path, name: str, data: bytes, capsys) -> int:
    """Run ``starnet analyze`` on one mission file; assert the contract; return the exit code."""
    mission = folder / name
    mission.write_bytes(data)
    out = folder / "results.json"
    out.unlink(missing_ok=True)
    with memory_limit():
        code = main(["analyze", str(mission), "--json", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err
    if code == 0:
        document = _strict_json(out.read_text(encoding="utf-8"))
        assert document["schema"] == "starnet.results/1"
    else:
        first = err.splitlines()[0] if err else ""
        assert first.startswith(f"{name}: ") or str(folder) in first, f"the message names no file: {err!r}"
        assert all(line.strip() for line in err.splitlines()), err
    return code


FUZZ_SETTINGS = {"deadline": None, "database": None,
                 "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]}


def _mission_case(case, tmp_path, capsys):
    name, text, kind = case
    event(f"mission: {kind.split()[0]}")
    code = check_one(tmp_path, name, text.encode("utf-8"), capsys)
    event(f"mission exit {code}")


def _orbit_case(case, tmp_path, capsys):
    key, data, kind = case
    event(f"orbit file: {kind.split()[0]} {kind.split()[1]}")
    (tmp_path / "orbits.dat").write_bytes(data)
    doc = {"name": "fuzz", "epoch": "2020-07-13T00:00:00Z", "analysis": SHORT_WINDOW,
           "constellations": [{"name": "imported", key: "orbits.dat"}]}
    code = check_one(tmp_path, "m.yaml", yaml.safe_dump(doc).encode("utf-8"), capsys)
    event(f"orbit exit {code}")


@settings(max_examples=300, **FUZZ_SETTINGS)
@given(case=broken_missions())
def test_fuzzed_missions_exit_0_or_2(case, tmp_path, capsys):
    _mission_case(case, tmp_path, capsys)


@settings(max_examples=120, **FUZZ_SETTINGS)
@given(case=broken_orbit_files())
def test_fuzzed_orbit_files_exit_0_or_2(case, tmp_path, capsys):
    _orbit_case(case, tmp_path, capsys)


@pytest.mark.slow
@settings(max_examples=2500, **FUZZ_SETTINGS)
@given(case=broken_missions())
def test_fuzzed_missions_exit_0_or_2_at_length(case, tmp_path, capsys):
    _mission_case(case, tmp_path, capsys)


@pytest.mark.slow
@settings(max_examples=1000, **FUZZ_SETTINGS)
@given(case=broken_orbit_files())
def test_fuzzed_orbit_files_exit_0_or_2_at_length(case, tmp_path, capsys):
    _orbit_case(case, tmp_path, capsys)


def test_the_fuzzer_breaks_what_it_says():
    """The mutations do what their names say (so a passing fuzz run means something)."""
    text = _dump_json({"a": {"b": 1}}, duplicate=("a", "b"))
    assert text.count('"b"') == 2
    assert {("a",), ("a", "b")} == set(_paths({"a": {"b": 1}}))
    assert math.isnan(json.loads(_dump_json({"x": float("nan")}))["x"])  # NaN reaches the file as the NaN token


EXTREMES = (float("nan"), float("inf"), 1e308, -1e308, True)


def _numeric_leaves(doc) -> list[tuple]:
    return [p for p in _paths(doc) if isinstance(_parent(doc, p)[p[-1]], (int, float)) and not isinstance(_parent(doc, p)[p[-1]], bool)]


def _every_numeric_field(name: str, tmp_path, capsys) -> dict[int, int]:
    base = copy.deepcopy(PRESETS[name])
    base.setdefault("analysis", {}).update(SHORT_WINDOW)
    folder = tmp_path / name
    folder.mkdir()
    for orbit_file in api.preset_path(name).parent.glob("*.tle"):
        (folder / orbit_file.name).write_bytes(orbit_file.read_bytes())
    codes = {0: 0, 2: 0}
    for path in _numeric_leaves(base):
        for value in EXTREMES:
            doc = copy.deepcopy(base)
            _parent(doc, path)[path[-1]] = value
            codes[check_one(folder, "m.json", _dump_json(doc).encode("utf-8"), capsys)] += 1
    return codes


def test_every_numeric_field_of_the_default_preset_at_extreme_values(tmp_path, capsys):
    codes = _every_numeric_field("default", tmp_path, capsys)
    assert codes[2] >= 5 * 20 and codes[0] == 0, codes  # every field has a bound: every extreme is refused


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_numeric_field_of_every_preset_at_extreme_values(name, tmp_path, capsys):
    _every_numeric_field(name, tmp_path, capsys)
