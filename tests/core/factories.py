"""Mission factories for the engine's tests (the way xarray's ``create_test_data`` builds its test data).

Each test states only what it is about; the rest is a small valid mission::

    mission = make_mission(walker_shell("53:24/6/1", altitude_km=550), analysis=dict(duration_s=3600, step_s=60))
    path = write_mission(tmp_path, mission_data(walker_shell(), ground_stations=[ground_station()]))

:func:`mission_data` gives the plain data (what a mission file holds), :func:`make_mission` the
validated :class:`~core.mission.model.Mission` (through the strict loader of ``core.api``, the one
``starnet`` uses), :func:`write_mission` the file. Shells and stations are plain dicts, so a test
edits one field with ``dict(shell, bus="heavy")`` or ``data["buses"]["default"]["x"] = 1``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from core.mission.model import Mission

EPOCH = "2026-03-20T00:00:00Z"
"""The epoch of every factory mission unless a test gives another (the March equinox of 2026)."""


def walker_shell(walker: str = "53:24/6/1", name: str = "s", altitude_km: float = 550.0, **fields: Any) -> dict[str, Any]:
    """One Walker shell entry of ``constellations`` (``i:t/p/f``), with any other field of a shell."""
    return {"name": name, "walker": walker, "altitude_km": altitude_km, **fields}


def ground_station(name: str = "Svalbard", lat_deg: float = 78.23, lon_deg: float = 15.41, **fields: Any) -> dict[str, Any]:
    """One ``ground_stations`` entry (Svalbard by default), with any other field of a station."""
    return {"name": name, "lat_deg": lat_deg, "lon_deg": lon_deg, **fields}


def mission_data(*shells: dict[str, Any], name: str = "test", epoch: str = EPOCH, analysis: dict[str, Any] | None = None,
                 **sections: Any) -> dict[str, Any]:
    """A mission as plain data: ``shells`` (one default Walker shell when none is given), the analysis
    settings when given (else the mission's defaults), and any other top-level section by name
    (``buses=...``, ``ground_stations=...``, ``workload=...``). The arguments are copied."""
    data: dict[str, Any] = {"schema_version": 1, "name": name, "epoch": epoch}
    if analysis is not None:
        data["analysis"] = dict(analysis)
    data["constellations"] = [dict(s) for s in shells] if shells else [walker_shell()]
    data.update(copy.deepcopy(sections))
    return data


def make_mission(*shells: dict[str, Any], base_dir: Path | None = None, **fields: Any) -> Mission:
    """The validated mission of :func:`mission_data` (same arguments), as ``starnet`` loads it."""
    from core import api

    return api.mission_from_dict(mission_data(*shells, **fields), "test-mission.yaml", base_dir)


def mission_from(data: dict[str, Any], base_dir: Path | None = None) -> Mission:
    """Validate mission data a test has edited (as :func:`make_mission` does)."""
    from core import api

    return api.mission_from_dict(copy.deepcopy(data), "test-mission.yaml", base_dir)


def edited(data: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of mission data with fields set by dotted path: ``edited(data, {"buses.default.compute_units": 1})``
    (a number indexes a list: ``"constellations.0.bus"``); missing mappings on the way are created."""
    out = copy.deepcopy(data)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = out
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return out


def write_mission(folder: Path, data: dict[str, Any], name: str = "mission.yaml") -> Path:
    """Write ``data`` as a YAML (or, for a ``.json`` name, JSON) mission file in ``folder``; returns its path."""
    import json

    path = Path(folder) / name
    text = json.dumps(data, indent=2) if path.suffix == ".json" else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path
