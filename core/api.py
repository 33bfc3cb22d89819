"""The engine's front door, for notebooks, scripts and the app.

>>> from core import api
>>> mission = api.load_preset("default")
>>> results = api.analyze(mission)                       # doctest: +SKIP
>>> api.results_document(results)["coverage"]["mean_percent"]   # doctest: +SKIP

Everything here is headless (no Qt); the desktop app calls the same functions in a worker.

Every bad input raises :class:`MissionError` (a ``ValueError``) whose ``str()`` names the
file and the field: a file that cannot be read, is not UTF-8, nests too deeply or repeats a
key; a value out of range or not finite; a run that would not fit in memory. Anything else
that escapes is a bug in the engine.
Loading and saving missions is light; the engine (numba kernels, astropy frames) is imported
on first use of :func:`analyze`, :func:`build_ephemeris` or the result types, so the app's
window and the CLI's quick commands do not wait for it.
"""

from __future__ import annotations

import os

import numpy as np
from pathlib import Path

from typing import TYPE_CHECKING, Any

from core.analysis.mission_checks import engine_problems
from core.catalog.presets import preset_names, preset_path
from core.mission import io as _io
from core.mission.errors import MissionError, Problem
from core.mission.model import Mission

if TYPE_CHECKING:  # the names _LAZY serves, for type checkers and linters
    from core.analysis.pipeline import Cancelled, CancelFn, ProgressFn, Results, results_document
    from core.orbits.blocks import BlockExecutor
    from core.orbits.ephemeris import Ephemeris, build_ephemeris
    from core.orbits.lifetime import Lifetime

_LAZY = {
    "Cancelled": ("core.analysis.pipeline", "Cancelled"),
    "Results": ("core.analysis.pipeline", "Results"),
    "results_document": ("core.analysis.pipeline", "results_document"),
    "Ephemeris": ("core.orbits.ephemeris", "Ephemeris"),
    "build_ephemeris": ("core.orbits.ephemeris", "build_ephemeris"),
}


def __getattr__(name: str) -> Any:
    """The engine's heavy parts, imported on first use."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'core.api' has no attribute {name!r}")

__all__ = [
    "Cancelled", "Ephemeris", "Mission", "MissionError", "Problem", "Results", "analyze", "build_ephemeris",
    "dumps_mission", "lifetime_of", "load_mission", "load_preset", "loads_mission", "mission_from_dict", "mission_to_dict",
    "preset_names", "preset_path", "results_document", "save_mission",
]


def load_mission(path: str | os.PathLike) -> Mission:
    """Load and fully check a mission file; raises :class:`MissionError` naming file and fields."""
    return _io.load_mission(path, extra_check=engine_problems)


def loads_mission(text: str, source: str = "<text>", base_dir: Path | None = None) -> Mission:
    """Load a mission from YAML/JSON text."""
    return _io.loads_mission(text, source, base_dir, extra_check=engine_problems)


def mission_from_dict(data: dict, source: str = "<mission>", base_dir: Path | None = None) -> Mission:
    """Validate plain data (as from YAML) into a mission."""
    return _io.mission_from_dict(data, source, base_dir, extra_check=engine_problems)


def load_preset(name: str) -> Mission:
    """A built-in preset mission by name (see :func:`preset_names`); an unknown name is a :class:`MissionError`."""
    try:
        path = preset_path(name)
    except KeyError as exc:
        raise MissionError(name, [Problem("", exc.args[0])]) from None
    return load_mission(path)


mission_to_dict = _io.mission_to_dict
dumps_mission = _io.dumps_mission
save_mission = _io.save_mission


def analyze(mission: Mission, base_dir: Path | None = None, progress: ProgressFn | None = None,
            cancel: CancelFn | None = None, executor: BlockExecutor | None = None) -> Results:
    """Run every analysis; see :func:`core.analysis.pipeline.run_analysis`.

    ``executor`` (from :func:`core.study.run.make_executor`: local processes or a Dask
    cluster) runs the stages that split into tasks there; the results are the same.
    """
    from core.analysis.pipeline import run_analysis

    return run_analysis(mission, base_dir, progress=progress, cancel=cancel, executor=executor)


def lifetime_of(results: Results, sat: int, offset_s: float = 0.0) -> Lifetime:
    """Orbital lifetime estimate of one satellite (Cowell with J2 and drag, then orbit-averaged decay).

    The mass comes from the power sizing of its shell; the drag area is a 1 m^2 body plus half the
    solar array (the average projected area of a tumbling flat plate). Without a power sizing (or with
    an unbounded one) the satellite is taken as 100 kg with a 1 m^2 array. Takes about a second.
    """
    from core.orbits.lifetime import estimate_lifetime

    eph = results.ephemeris
    r, v = eph.states_eci(np.array([offset_s]), np.array([sat]))
    shell = eph.shell_of(sat)
    mass_kg, array_m2 = 100.0, 1.0
    if results.power is not None:
        sized = next((p for p in results.power.shells if p.shell == shell.name), None)
        if sized is not None and np.isfinite(sized.mass_kg):
            mass_kg, array_m2 = float(sized.mass_kg), float(sized.sizing["solar_array_m2"])
    return estimate_lifetime(r[0, 0], v[0, 0], mass_kg=mass_kg, drag_area_m2=1.0 + 0.5 * array_m2)
