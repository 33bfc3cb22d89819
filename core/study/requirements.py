"""The requirements document of ``starnet design``: what a design must achieve, and where to look.

A requirements file (YAML or JSON, see ``docs/trade-studies.md``) reads::

    schema: starnet.requirements/1
    name: Continuous coverage of +-50 deg
    base: default                      # preset, mission file (relative to this file) or inline mission:
                                       # epoch, buses, stations, places and workload every design keeps
    analysis: {duration_s: 5760, step_s: 60, coverage_grid_deg: 2}   # the window each design is judged on
    requirements:
      coverage:
        region: {lat_min_deg: -50, lat_max_deg: 50}   # a latitude band is a box; a polygon works too
        min_elevation_deg: 25
        percent: 100                   # of the region's area ...
        max_gap_s: 0                   # ... never uncovered (0: continuous) or uncovered at most this long
      latency: [{from: London, to: New York, p95_ms: 60}]
      min_delivered_pops: 10
      max_insight_p95_s: 600
      max_mass_kg: 20000
      max_launch_usd: 1.0e8
    design_space:
      altitude_km: [550]
      inclination_deg: [50, 53, 56]
      pattern: [delta]
      planes: {min: 6, max: 24}
      sats_per_plane: {min: 6, max: 30}
      phasing: all                     # every Walker F from 0 to planes-1, or a list of F values
      bus: [default]
    objective: launch_usd              # what "cheapest" means: launch_usd | satellites | mass_kg
    refine: 1                          # re-check the answer at half the step and grid cell (0: do not)

:func:`load_requirements` checks the whole document (one line per problem, naming the file
and the field, exit code 2 from the CLI) before any design is evaluated.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.mission.errors import Problem, problems_from_validation
from core.mission.model import Region
from core.study.model import StudyError

REQUIREMENTS_SCHEMA = "starnet.requirements/1"

OBJECTIVES = ("launch_usd", "satellites", "mass_kg")
"""What ``objective`` may name: the launch cost, the number of satellites or the launch mass."""


class RequirementsError(StudyError):
    """A requirements file that cannot be used; one line per problem naming the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class CoverageRequirement(_Strict):
    """Coverage of a region: ``percent`` of its area must never be uncovered for longer than ``max_gap_s``."""

    region: Region = Field(default_factory=Region, description="a box (a latitude band when the longitudes span the globe) or a polygon")
    min_elevation_deg: float = Field(25.0, ge=0, lt=90, description="a place is covered when a satellite is at least this high")
    percent: float = Field(100.0, gt=0, le=100, description="share of the region's area that must meet the gap bound")
    max_gap_s: float = Field(0.0, ge=0, description="longest allowed gap; 0 asks for continuous coverage")

    @property
    def continuous(self) -> bool:
        return self.max_gap_s == 0

    def describe(self) -> str:
        r = self.region
        where = (f"polygon of {len(r.polygon)} vertices" if r.polygon
                 else f"lat {r.lat_min_deg:g}..{r.lat_max_deg:g} deg, lon {r.lon_min_deg:g}..{r.lon_max_deg:g} deg")
        how = "continuously covered" if self.continuous else f"never uncovered for more than {self.max_gap_s:g} s"
        return f"{self.percent:g} % of {where} {how} at {self.min_elevation_deg:g} deg elevation"


class LatencyRequirement(_Strict):
    """One-way latency between two named places (stations, cities, built-in cities) at the 95th percentile."""

    from_: str = Field(alias="from", description="a place name")
    to: str = Field(description="a place name")
    p95_ms: float = Field(gt=0, description="the 95th percentile over the window must be at most this")

    @property
    def key(self) -> str:
        return f"latency_p95_ms[{self.from_}-{self.to}]"


class Requirements(_Strict):
    """Everything a design must meet; every part is optional, but at least one must be given."""

    coverage: CoverageRequirement | None = None
    latency: list[LatencyRequirement] = Field(default_factory=list)
    min_delivered_pops: float | None = Field(None, ge=0, description="compute of the whole constellation (compute[*].constellation_pops)")
    max_insight_p95_s: float | None = Field(None, gt=0, description="time to insight of in-orbit processing, 95th percentile")
    max_mass_kg: float | None = Field(None, gt=0, description="launch mass of the constellation")
    max_launch_usd: float | None = Field(None, gt=0, description="launch cost of the constellation (today's price)")

    @model_validator(mode="after")
    def _something(self) -> Requirements:
        if (self.coverage is None and not self.latency and self.min_delivered_pops is None and self.max_insight_p95_s is None
                and self.max_mass_kg is None and self.max_launch_usd is None):
            raise ValueError("give at least one requirement (coverage, latency, min_delivered_pops, ...)")
        return self

    def needs_full_analysis(self) -> bool:
        """Whether anything but coverage is asked (the coverage screen alone cannot decide)."""
        return bool(self.latency) or any(v is not None for v in (self.min_delivered_pops, self.max_insight_p95_s,
                                                                 self.max_mass_kg, self.max_launch_usd))


class IntRange(_Strict):
    """Every whole number from ``min`` to ``max`` (both included)."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.max < self.min:
            raise ValueError("max must be at least min")
        if self.max - self.min > 10_000:
            raise ValueError("more than 10,000 values")
        return self

    def values(self) -> list[int]:
        return list(range(self.min, self.max + 1))


class DesignSpace(_Strict):
    """The Walker shells the search may choose from (every combination of these values)."""

    altitude_km: list[float] = Field(min_length=1, description="mean altitudes to try")
    inclination_deg: list[float | Literal["sso"]] = Field(min_length=1, description='inclinations to try ("sso" allowed)')
    pattern: list[Literal["delta", "star"]] = Field(default_factory=lambda: list[Literal["delta", "star"]](["delta"]), min_length=1)
    planes: IntRange | list[int] = Field(description="{min, max} or a list")
    sats_per_plane: IntRange | list[int] = Field(description="{min, max} or a list")
    phasing: Literal["all"] | list[int] = Field("all", description="Walker F values, or every F from 0 to planes-1")
    bus: list[str] = Field(default_factory=lambda: ["default"], min_length=1, description="keys of the base's buses")

    @field_validator("planes", "sats_per_plane")
    @classmethod
    def _positive(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError("must list at least one value")
            if any(v < 1 for v in value):
                raise ValueError("values must be 1 or more")
        return value

    @field_validator("phasing")
    @classmethod
    def _phasing(cls, value: Any) -> Any:
        if isinstance(value, list) and (not value or any(v < 0 for v in value)):
            raise ValueError('list at least one F value (0 or more), or write "all"')
        return value

    def plane_counts(self) -> list[int]:
        return sorted(set(self.planes.values() if isinstance(self.planes, IntRange) else self.planes))

    def sats_counts(self) -> list[int]:
        return sorted(set(self.sats_per_plane.values() if isinstance(self.sats_per_plane, IntRange) else self.sats_per_plane))

    def phasings(self, planes: int) -> list[int]:
        """The F values allowed for ``planes`` planes (those below ``planes``)."""
        if self.phasing == "all":
            return list(range(planes))
        return sorted({f for f in self.phasing if f < planes})


class RequirementsDoc(_Strict):
    """A whole requirements document."""

    schema_: str = Field(REQUIREMENTS_SCHEMA, alias="schema")
    name: str = "Design from requirements"
    description: str | None = None
    base: str | dict = Field("default", description="preset name, mission file relative to this file, or an inline mission")
    analysis: dict[str, Any] = Field(default_factory=dict, description="analysis settings every design is judged with")
    requirements: Requirements
    design_space: DesignSpace
    objective: Literal["launch_usd", "satellites", "mass_kg"] = "launch_usd"
    shell_name: str = Field("design", description="name of the designed shell in the written mission")
    refine: int = Field(1, ge=0, le=3, description="how many times the answer may be re-checked (and, if it fails, searched "
                                                 "again) at half the step and half the coverage grid cell")

    @field_validator("schema_")
    @classmethod
    def _schema(cls, value: str) -> str:
        if value != REQUIREMENTS_SCHEMA:
            raise ValueError(f"unknown requirements schema {value!r}; this version reads {REQUIREMENTS_SCHEMA!r}")
        return value


class LoadedRequirements:
    """A checked requirements document, its base mission as plain data, and where relative paths resolve."""

    def __init__(self, doc: RequirementsDoc, base_mission: dict, base_dir: Path | None, source: str) -> None:
        self.doc = doc
        self.base_mission = base_mission
        self.base_dir = base_dir
        self.source = source

    @property
    def name(self) -> str:
        return self.doc.name


_HIDDEN_LOC = frozenset({"IntRange", "list[int]", "list[float]", "float", "int", "str", "literal['sso']", "literal['all']",
                         "dict[str,any]", "function-after[_ordered(), IntRange]"})


def load_requirements(path: str | os.PathLike) -> LoadedRequirements:
    """Read and check a requirements file; raises :class:`RequirementsError` naming the file and the fields."""
    from core.mission.errors import MissionError
    from core.mission.io import parse_text

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RequirementsError(str(path), [Problem("", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RequirementsError(str(path), [Problem("", f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")]) from None
    try:
        data = parse_text(text, path.name)
    except MissionError as exc:
        raise RequirementsError(path.name, exc.problems) from None
    return requirements_from_dict(data, path.name, path.resolve().parent)


def requirements_from_dict(data: object, source: str = "<requirements>", base_dir: Path | None = None) -> LoadedRequirements:
    """Check plain data (as parsed from YAML) into :class:`LoadedRequirements`."""
    from core.study.model import Study, _resolve_base

    if not isinstance(data, dict):
        raise RequirementsError(source, [Problem("", "the document must be a mapping with requirements and design_space")])
    try:
        doc = RequirementsDoc.model_validate(data)
    except ValidationError as exc:
        raise RequirementsError(source, problems_from_validation(exc, _HIDDEN_LOC, {"schema_": "schema", "from_": "from"})) from None
    try:
        base, mission_dir = _resolve_base(Study(base=doc.base, parameters={"x": [0]}), source, base_dir)
    except StudyError as exc:
        raise RequirementsError(source, exc.problems) from None
    loaded = LoadedRequirements(doc, base, mission_dir, source)
    problems = _check_against_base(loaded)
    if problems:
        raise RequirementsError(source, problems)
    return loaded


def _check_against_base(loaded: LoadedRequirements) -> list[Problem]:
    """Buses must exist in the base, and the first design must be a valid mission (keys, places)."""
    from core.study.candidates import candidate_mission
    from core.study.designs import mission_problems

    doc = loaded.doc
    problems: list[Problem] = []
    buses = set((loaded.base_mission.get("buses") or {}).keys()) | {"default"}
    for i, bus in enumerate(doc.design_space.bus):
        if bus not in buses:
            problems.append(Problem(f"design_space.bus[{i}]", f"{bus!r} is not a bus of the base mission; buses: {', '.join(sorted(buses))}"))
    if problems:
        return problems
    space = doc.design_space
    p0 = space.plane_counts()[0]
    first = candidate_mission(loaded, space.altitude_km[0], space.inclination_deg[0], space.pattern[0], p0,
                              space.sats_counts()[0], (space.phasings(p0) or [0])[0], space.bus[0])
    for line in mission_problems(first, loaded.base_dir):
        where = line.partition(": ")[0]
        if where.startswith("analysis"):
            problems.append(Problem("analysis", line))
        elif where.startswith(("latency_pairs", "cities")) or "place" in line:
            problems.append(Problem("requirements.latency", line))
        else:
            problems.append(Problem("design_space", f"the first design does not load: {line}"))
    return problems
