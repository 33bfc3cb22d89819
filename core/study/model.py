"""The trade-study document: a base mission, parameter ranges, metrics, constraints and objectives.

A study file (YAML or JSON, see ``docs/trade-studies.md``) reads::

    name: Planes vs altitude
    base: default                      # a preset name, a mission file (relative to the study), or an inline mission
    overrides:                         # set on the base before sweeping (same paths as parameters)
      analysis.duration_s: 7200
    parameters:
      altitude_km: {values: [500, 550, 600]}          # shorthand for constellations[0].altitude_km
      planes: {start: 4, stop: 8, step: 2}             # 4, 6, 8 (stop included)
      constellations[0].inclination_deg: {range: [50, 60], count: 3}
    metrics: [coverage.mean_percent, coverage.max_gap_s, cost[0].constellation_usd]
    constraints:
      - {metric: coverage.max_gap_s, max: 600}
      - {metric: "power[*].feasible", equals: true}
    objectives:
      - {metric: coverage.mean_percent, goal: max}
      - {metric: cost[0].constellation_usd, goal: min}
    mode: grid                         # grid (every combination) | random (``samples`` points)

:func:`load_study` checks the whole document and raises :class:`StudyError` (one line per
problem, naming the file and the field, like a mission file) before any work starts.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.mission.errors import MissionError, Problem, problems_from_validation

STUDY_SCHEMA = "starnet.study/1"

RESULT_SECTIONS = ("mission", "shells", "coverage", "access", "latency", "power", "compute", "insight", "cost", "timings_s")
"""Top-level keys of the results document a metric path may start with."""

SHELL_SHORTHANDS = (
    "altitude_km", "inclination_deg", "planes", "sats_per_plane", "phasing", "pattern", "walker", "raan0_deg",
    "ltan_h", "eccentricity", "propagator", "isl", "max_isl_range_km", "isl_terminals", "bus",
)
"""Parameter names that mean ``constellations[0].<name>``."""

ANALYSIS_SHORTHANDS = ("duration_s", "step_s", "min_elevation_deg", "coverage_grid_deg")
"""Parameter names that mean ``analysis.<name>``."""

BUS_SHORTHANDS = {"hardware": "compute_hardware", "units": "compute_units"}
"""Parameter names that mean ``buses[<bus of constellations[0]>].<field>`` (besides every Bus field name)."""

WORKLOAD_SHORTHANDS = ("ops_per_byte", "output_ratio", "ground_processing_s", "capture_s")

DEFAULT_METRICS = (
    "coverage.mean_percent",
    "coverage.max_gap_s",
    "coverage.mean_sats_in_view",
    "latency[*].median_ms",
    "insight.speedup_median",
    "power[*].solar_array_m2",
    "power[*].radiator_m2",
    "power[*].mass_kg",
    "compute[*].utilization",
    "cost[*].constellation_usd",
)
"""What a study keeps when it names no metrics."""


class StudyError(MissionError):
    """A study that cannot be run; ``str()`` gives one line per problem naming the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ParameterSpec(_Strict):
    """The values one parameter takes: ``values``, or ``start``/``stop``/``step``, or ``range`` + ``count``."""

    values: list[Any] | None = None
    start: float | None = None
    stop: float | None = None
    step: float | None = None
    range: tuple[float, float] | None = None
    count: int | None = Field(None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_form(self) -> ParameterSpec:
        forms = [self.values is not None, any(v is not None for v in (self.start, self.stop, self.step)),
                 self.range is not None]
        if sum(forms) != 1:
            raise ValueError("give exactly one of: values: [...], start/stop/step, or range: [a, b] with count")
        if self.values is not None and not self.values:
            raise ValueError("values: must list at least one value")
        if forms[1]:
            if self.start is None or self.stop is None or self.step is None:
                raise ValueError("start, stop and step go together")
            if self.step == 0 or (self.stop - self.start) / self.step < -1e-9:
                raise ValueError("step must be non-zero and go from start towards stop")
            if (self.stop - self.start) / self.step > 100_000:
                raise ValueError("more than 100,000 values")
        if forms[2] and self.count is None:
            raise ValueError("range: [a, b] needs count: n")
        if self.count is not None and not forms[2]:
            raise ValueError("count goes with range: [a, b]")
        return self

    @property
    def continuous(self) -> tuple[float, float] | None:
        """``(a, b)`` for a ``range`` (random sampling draws uniformly from it), else None."""
        return (self.range[0], self.range[1]) if self.range is not None else None

    def grid_values(self) -> list[Any]:
        """The values of a grid sweep, in order."""
        if self.values is not None:
            return list(self.values)
        if self.range is not None and self.count is not None:  # the validator pairs range with count
            a, b = self.range
            n = int(self.count)
            out = [a] if n == 1 else [a + (b - a) * k / (n - 1) for k in range(n)]
            return [_tidy(v, all(float(x).is_integer() for x in (a, b)) and _spaced_evenly(a, b, n)) for v in out]
        if self.start is None or self.stop is None or self.step is None:
            raise ValueError("give exactly one of: values: [...], start/stop/step, or range: [a, b] with count")
        start, stop, step = float(self.start), float(self.stop), float(self.step)
        n = int(math.floor((stop - start) / step + 1e-9)) + 1
        integral = all(float(x).is_integer() for x in (start, step))
        return [_tidy(start + k * step, integral) for k in range(n)]


def _spaced_evenly(a: float, b: float, n: int) -> bool:
    return n == 1 or float((b - a) / (n - 1)).is_integer()


def _tidy(value: float, integral: bool) -> int | float:
    if integral:
        return int(round(value))
    return round(float(value), 12)


class MetricSpec(_Strict):
    """A column of the results table: a path into the results document."""

    metric: str
    name: str | None = Field(None, description="column name (the path when omitted)")
    reduce: Literal["max", "min", "mean", "sum", "all", "any", "first"] | None = Field(
        None, description="how a [*] path (one value per shell/station/pair) becomes one number; max (numbers) or all (booleans) by default")

    @property
    def column(self) -> str:
        return self.name or self.metric


class ConstraintSpec(_Strict):
    """A design is feasible when the metric lies within ``min``/``max`` (inclusive) or ``equals`` a value.

    For a ``[*]`` path every element must satisfy the bound.
    """

    metric: str
    min: float | None = None
    max: float | None = None
    equals: Any = None

    @model_validator(mode="after")
    def _some_bound(self) -> ConstraintSpec:
        if self.min is None and self.max is None and self.equals is None:
            raise ValueError("give min, max or equals")
        return self

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        if self.equals is not None:
            parts.append(f"== {self.equals!r}")
        return f"{self.metric} {' and '.join(parts)}"


class ObjectiveSpec(_Strict):
    """One axis of the Pareto front."""

    metric: str
    goal: Literal["min", "max"]


class Study(_Strict):
    """A whole study document (after loading: ``base`` resolved to a mission dictionary)."""

    schema_: str = Field(STUDY_SCHEMA, alias="schema")
    name: str = "Trade study"
    description: str | None = None
    base: str | dict = Field(description="preset name, mission file path relative to the study, or an inline mission")
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec | list[Any]] = Field(min_length=1)
    metrics: list[str | MetricSpec] = Field(default_factory=lambda: list[str | MetricSpec](DEFAULT_METRICS))
    constraints: list[ConstraintSpec] = Field(default_factory=list)
    objectives: list[ObjectiveSpec] = Field(default_factory=list)
    mode: Literal["grid", "random"] = "grid"
    samples: int | None = Field(None, ge=1, le=1_000_000)
    seed: int = 0
    max_designs: int = Field(100_000, ge=1, description="refuse grids larger than this")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @field_validator("schema_")
    @classmethod
    def _schema(cls, value: str) -> str:
        if value != STUDY_SCHEMA:
            raise ValueError(f"unknown study schema {value!r}; this version reads {STUDY_SCHEMA!r}")
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _bare_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"values": v} if isinstance(v, list) else v) for k, v in value.items()}
        return value

    @field_validator("metrics", mode="before")
    @classmethod
    def _metric_specs(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"metric": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _random_needs_samples(self) -> Study:
        if self.mode == "random" and self.samples is None:
            raise ValueError("mode: random needs samples: N")
        return self

    # --- derived ----------------------------------------------------------------------

    @property
    def parameter_specs(self) -> dict[str, ParameterSpec]:
        return {k: (v if isinstance(v, ParameterSpec) else ParameterSpec(values=v)) for k, v in self.parameters.items()}

    @property
    def metric_specs(self) -> list[MetricSpec]:
        return [m if isinstance(m, MetricSpec) else MetricSpec(metric=m) for m in self.metrics]

    def needed_paths(self) -> list[str]:
        """Every results path a design's evaluation must return (metrics, constraints, objectives)."""
        paths: list[str] = []
        for path in [m.metric for m in self.metric_specs] + [c.metric for c in self.constraints] + [o.metric for o in self.objectives]:
            if path not in paths:
                paths.append(path)
        return paths

    def grid_size(self) -> int:
        return math.prod(len(spec.grid_values()) for spec in self.parameter_specs.values())


class LoadedStudy:
    """A checked study: the document, its base mission as plain data, and where relative paths resolve."""

    def __init__(self, study: Study, base_mission: dict, base_dir: Path | None, source: str, path: Path | None) -> None:
        self.study = study
        self.base_mission = base_mission
        self.base_dir = base_dir
        self.source = source
        self.path = path

    @property
    def name(self) -> str:
        return self.study.name


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


_HIDDEN_LOC = frozenset({"ParameterSpec", "MetricSpec", "list[any]", "str", "dict[any,any]",
                         "function-after[_one_form(), ParameterSpec]", "function-after[_some_bound(), ConstraintSpec]"})


def load_study(path: str | os.PathLike) -> LoadedStudy:
    """Read and check a study file; raises :class:`StudyError` naming the file and the fields."""
    from core.mission.io import parse_text
    from core.mission.textfile import MAX_MISSION_BYTES, TextFileError, read_text_file

    path = Path(path)
    try:
        text = read_text_file(path, MAX_MISSION_BYTES)
    except TextFileError as exc:
        raise StudyError(str(path), [Problem("", str(exc))]) from None
    try:
        data = parse_text(text, path.name)
    except MissionError as exc:
        raise StudyError(path.name, exc.problems) from None
    return study_from_dict(data, path.name, path.resolve().parent, path=path)


def study_from_dict(data: object, source: str = "<study>", base_dir: Path | None = None, path: Path | None = None) -> LoadedStudy:
    """Check plain data (as parsed from YAML) into a :class:`LoadedStudy`."""
    if not isinstance(data, dict):
        raise StudyError(source, [Problem("", "the study must be a mapping with base, parameters, metrics, ...")])
    from core.mission.textfile import TextFileError, check_nesting

    try:
        check_nesting(data)
    except TextFileError as exc:
        raise StudyError(source, [Problem("", str(exc))]) from None
    try:
        study = Study.model_validate(data)
    except ValidationError as exc:
        raise StudyError(source, problems_from_validation(exc, _HIDDEN_LOC, {"schema_": "schema"})) from None
    base_mission, mission_dir = _resolve_base(study, source, base_dir)
    problems: list[Problem] = []
    problems += _check_metrics(study)
    if study.mode == "grid" and study.grid_size() > study.max_designs:
        problems.append(Problem("parameters", f"the grid has {study.grid_size():,} designs, more than max_designs "
                                              f"({study.max_designs:,}); use mode: random with samples, or raise max_designs"))
    loaded = LoadedStudy(study, base_mission, mission_dir, source, path)
    if not problems:
        from core.study.designs import check_paths

        problems += check_paths(loaded)
    if problems:
        raise StudyError(source, problems)
    return loaded


def _resolve_base(study: Study, source: str, base_dir: Path | None) -> tuple[dict, Path | None]:
    """The base mission as plain data and the folder its relative orbit files resolve against."""
    from core.catalog.presets import preset_names, preset_path
    from core.analysis.mission_checks import engine_problems
    from core.mission.io import load_mission, mission_to_dict

    base = study.base
    if isinstance(base, dict):
        return dict(base), base_dir
    candidate = Path(base)
    if not candidate.is_absolute() and base_dir is not None:
        candidate = base_dir / candidate
    if not candidate.exists() and base in preset_names():
        candidate = preset_path(base)
    if not candidate.exists():
        raise StudyError(source, [Problem("base", f"{base!r} is neither a mission file (relative to the study) nor a preset; "
                                                  f"presets: {', '.join(preset_names())}")])
    try:
        mission = load_mission(candidate, extra_check=engine_problems)
    except MissionError as exc:
        raise StudyError(source, [Problem("base", line) for line in str(exc).splitlines()]) from None
    return mission_to_dict(mission), candidate.resolve().parent


def _check_metrics(study: Study) -> list[Problem]:
    from core.study.paths import PathError, parse_path

    problems = []
    groups = [("metrics", [m.metric for m in study.metric_specs]), ("constraints", [c.metric for c in study.constraints]),
              ("objectives", [o.metric for o in study.objectives])]
    for where, paths in groups:
        for i, text in enumerate(paths):
            try:
                parts = parse_path(text)
            except PathError as exc:
                problems.append(Problem(f"{where}[{i}].metric" if where != "metrics" else f"metrics[{i}]", f"{text!r}: {exc}"))
                continue
            if not parts or parts[0] not in RESULT_SECTIONS:
                problems.append(Problem(f"{where}[{i}].metric" if where != "metrics" else f"metrics[{i}]",
                                        f"{text!r}: unknown results section {parts[0] if parts else ''!r}; "
                                        f"known: {', '.join(RESULT_SECTIONS)}"))
    columns = [m.column for m in study.metric_specs]
    for name in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(Problem("metrics", f"two metrics share the column name {name!r}; give one a name:"))
    return problems
