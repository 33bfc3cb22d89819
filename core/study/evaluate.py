"""Evaluate one design: the function every worker runs, locally or on a Dask cluster.

:func:`evaluate_design` takes plain data only (the mission as a dictionary, the folder that
relative orbit files resolve against, the results paths to keep) and returns plain data, so it
pickles cheaply and runs the same in a process pool, in a Dask worker or in the caller's thread.
It runs the very pipeline ``starnet analyze`` runs (:func:`core.analysis.pipeline.run_analysis`
and :func:`~core.analysis.pipeline.results_document`) and keeps only the requested values.
"""

from __future__ import annotations

import math
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from core.mission.model import Mission


def _plain(value: Any) -> Any:
    """JSON-safe copy (NaN/inf become None)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _plain(value.item())
    return value


def extract_metrics(document: dict, paths: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Values at ``paths`` in a results document, and for each path that does not fit, why.

    A whole section the mission has no inputs for (no stations: no ``access``) gives ``None``
    without complaint; a key or index that does not exist inside a present section is reported.
    """
    from core.study.paths import Missing, get_path

    values: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for path in paths:
        try:
            values[path] = _plain(get_path(document, path))
        except Missing as exc:
            values[path] = None
            if exc.where:
                hint = f"; keys there: {', '.join(exc.available[:30])}" if exc.available else ""
                missing[path] = f"{exc}{hint}"
    return values, missing


def load_design_mission(mission: dict, folder: Path | None) -> tuple[Mission | None, str]:
    """A design's mission, checked as a run checks it: ``(Mission, "")``, or ``(None, reason)``
    when it does not load (one line naming the fields)."""
    from core.analysis.mission_checks import engine_problems
    from core.mission.errors import MissionError
    from core.mission.io import mission_from_dict

    try:
        return mission_from_dict(mission, "design", folder, extra_check=engine_problems), ""
    except MissionError as exc:
        return None, "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in exc.problems)


def evaluate_design(design_id: str, mission: dict, base_dir: str | None, paths: list[str]) -> dict:
    """Check and analyse one mission; returns a record for the results table and the checkpoint.

    ``status`` is ``"ok"`` (``metrics`` filled), ``"invalid"`` (the mission does not load;
    ``reason`` has the loader's lines) or ``"error"`` (an analysis raised; ``reason`` names it).
    """
    from core.analysis.pipeline import results_document, run_analysis

    def metrics(model: Mission, folder: Path | None) -> dict[str, Any]:
        values, missing = extract_metrics(results_document(run_analysis(model, folder)), list(paths))
        return {"metrics": values, "missing": missing}

    record: dict[str, Any] = {"design_id": design_id, "status": "ok", "metrics": {}, "missing": {}, "reason": "",
                              "worker": f"{socket.gethostname()}:{os.getpid()}"}
    return evaluate_guarded(record, mission, base_dir, metrics)


def evaluate_guarded(record: dict[str, Any], mission: dict, base_dir: str | None,
                     analyse: Callable[[Mission, Path | None], dict[str, Any]]) -> dict[str, Any]:
    """Load ``mission`` and fill ``record`` with ``analyse(model, folder)``, never raising.

    The shared part of a design's and a design candidate's evaluation: ``status`` becomes
    ``"invalid"`` (the mission does not load; ``reason`` has the loader's lines) or ``"error"``
    (``analyse`` raised; ``reason`` names it); ``elapsed_s`` is the wall time of the whole.
    """
    start = time.perf_counter()
    folder = Path(base_dir) if base_dir else None
    model, reason = load_design_mission(mission, folder)
    if model is None:
        record.update(status="invalid", reason=reason)
    else:
        try:
            record.update(analyse(model, folder))
        except Exception as exc:  # noqa: BLE001 - one design failing must not stop the study
            record.update(status="error", reason=f"analysis failed: {type(exc).__name__}: {exc}")
    record["elapsed_s"] = round(time.perf_counter() - start, 4)
    return record
