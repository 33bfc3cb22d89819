"""The mission document: what a user designs, as pydantic v2 models.

A mission names an epoch, the analysis window, one or more constellations (Walker shells,
imported TLE/OMM sets, custom satellites or formation-flying clusters), the satellite
designs (buses), ground stations, cities, latency pairs and the in-orbit workload. The
file format is described in ``docs/mission-file.md``; :mod:`core.mission.io` loads and
saves it and :mod:`core.mission.validate` adds the checks that need the whole document.

Field values are in the units their names carry (``_km``, ``_deg``, ``_s``). Every field
that the contract gives a default for has that default here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_serializer, field_validator, model_validator

from core.mission.bus import Bus, CostModel, Workload
from core.mission.traffic import Traffic
from core.mission.strict import Strict

SCHEMA_VERSION = 1
"""The mission-file format version this code writes; older files are migrated on load."""

MIN_ALTITUDE_KM = 160.0
MAX_ALTITUDE_KM = 50_000.0

MIN_STEP_S = 0.001
"""Shortest analysis time step."""
MAX_DURATION_S = 10 * 365.25 * 86400.0
"""Longest analysis window (ten years)."""
EARLIEST_EPOCH = datetime(1960, 1, 1, tzinfo=timezone.utc)
LATEST_EPOCH = datetime(2100, 1, 1, tzinfo=timezone.utc)
"""The epochs accepted: UTC is defined from 1960, and the time models are not meant past 2100."""
MAX_SATS_PER_SHELL = 1_000_000
"""Most satellites in one Walker shell (planes x satellites per plane)."""

WALKER_RE = re.compile(r"^\s*(?P<i>[0-9.]+|sso)\s*:\s*(?P<t>\d+)\s*/\s*(?P<p>\d+)\s*/\s*(?P<f>\d+)\s*$", re.IGNORECASE)




def _check_eccentricity(value: float) -> float:
    if value >= 1:
        raise ValueError("must be below 1 (closed orbits only)")
    return value


def _check_altitude(value: float | None) -> float | None:
    if value is None:
        return value
    if value <= MIN_ALTITUDE_KM:
        raise ValueError(f"must be above {MIN_ALTITUDE_KM:.0f} km")
    if value > MAX_ALTITUDE_KM:
        raise ValueError(f"must be at most {MAX_ALTITUDE_KM:,.0f} km")
    return value


class Region(Strict):
    """Where coverage is computed: a latitude/longitude box, or a polygon of (lat, lon) vertices."""

    lat_min_deg: float = Field(-90.0, ge=-90, le=90, description="southern edge of the box")
    lat_max_deg: float = Field(90.0, ge=-90, le=90, description="northern edge of the box")
    lon_min_deg: float = Field(-180.0, ge=-180, le=360, description="western edge of the box")
    lon_max_deg: float = Field(180.0, ge=-180, le=360, description="eastern edge of the box")
    polygon: list[tuple[float, float]] | None = Field(None, description="[[lat_deg, lon_deg], ...], at least 3 vertices")

    @field_validator("polygon")
    @classmethod
    def _polygon_size(cls, value: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if value is not None and len(value) < 3:
            raise ValueError("a polygon needs at least 3 [lat_deg, lon_deg] vertices")
        for k, (lat, lon) in enumerate(value or []):
            if not -90 <= lat <= 90:
                raise ValueError(f"vertex {k}: latitude {lat:g} is outside -90..90 deg")
            if not -360 <= lon <= 360:
                raise ValueError(f"vertex {k}: longitude {lon:g} is outside -360..360 deg")
        if value is not None:
            area = 0.5 * abs(sum(a[1] * b[0] - b[1] * a[0] for a, b in zip(value, value[1:] + value[:1])))
            if area == 0:
                raise ValueError("the polygon encloses no area (its vertices are on one line)")
        return value

    @model_validator(mode="after")
    def _box_order(self) -> Region:
        if self.polygon is None and self.lat_min_deg >= self.lat_max_deg:
            raise ValueError(f"lat_min_deg ({self.lat_min_deg:g}) must be below lat_max_deg ({self.lat_max_deg:g})")
        if self.polygon is None and self.lon_min_deg == self.lon_max_deg:
            raise ValueError("lon_min_deg and lon_max_deg are equal: the box has no width")
        return self


class Analysis(Strict):
    """The analysis window and the masks shared by all analyses."""

    duration_s: float = Field(86400.0, le=MAX_DURATION_S, description="length of the analysis window (at most ten years)")
    step_s: float = Field(60.0, le=86400, description="time step of the analysis grid (1 ms to 1 day)")
    min_elevation_deg: float = Field(25.0, ge=0, lt=90, description="user-terminal and coverage elevation mask")
    coverage_grid_deg: float = Field(1.0, ge=0.1, le=10, description="cell size of the area-weighted coverage grid")
    region: Region | None = Field(None, description="restrict coverage to a box or polygon")
    max_ground_range_km: float | None = Field(
        None, gt=0, description="default slant-range limit of every ground link (station or city): a link needs the mask and this range")

    @field_validator("duration_s", "step_s")
    @classmethod
    def _positive(cls, value: float, info: ValidationInfo) -> float:
        if value <= 0:
            raise ValueError("must be positive")
        if info.field_name == "step_s" and value < MIN_STEP_S:
            raise ValueError(f"must be at least {MIN_STEP_S:g} s")
        return value


class Satellite(Strict):
    """A custom satellite from classical (mean) orbital elements."""

    name: str = Field(min_length=1, max_length=200, description="satellite name")
    altitude_km: float = Field(description="semi-major axis minus the Earth's equatorial radius")
    eccentricity: float = Field(0.0, ge=0, description="below 1")
    inclination_deg: float = Field(ge=0, le=180, description="inclination")
    raan_deg: float = Field(0.0, ge=-360, le=360, description="right ascension of the ascending node (GCRS)")
    arg_perigee_deg: float = Field(0.0, ge=-360, le=360, description="argument of perigee")
    mean_anomaly_deg: float = Field(0.0, ge=-360, le=360, description="mean anomaly at the epoch")

    _alt = field_validator("altitude_km")(_check_altitude)

    _ecc = field_validator("eccentricity")(_check_eccentricity)


class Cluster(Strict):
    """A formation-flying cluster (as in Google's Suncatcher): N satellites within a radius.

    The satellites share the reference orbit of the constellation entry and sit on
    passive relative-motion ellipses (Hill / Clohessy-Wiltshire) whose size stays within
    ``radius_km`` of the cluster centre.
    """

    satellites: int = Field(ge=1, le=10_000, description="number of satellites in the cluster")
    radius_km: float = Field(1.0, gt=0, le=100, description="every satellite stays within this distance of the centre")
    min_separation_m: float = Field(100.0, ge=0.01, description="smallest allowed distance between two satellites (at least 1 cm)")
    ballistic_coefficient_spread: float = Field(
        0.0, ge=0, lt=1,
        description="fractional spread of the satellites' ballistic coefficients: B (1 +- spread), uniform in "
        "satellite order, for differential drag",
    )

    @model_validator(mode="after")
    def _fits(self) -> Cluster:
        # Each lattice point owns a hexagon of (sqrt(3)/2) s^2 inside the disc of radius R + s.
        ratio = self.radius_km * 1000.0 / self.min_separation_m + 1.0
        most = int(2.0 * 3.141592653589793 / 3.0**0.5 * ratio * ratio) + 1
        if self.satellites > most:
            raise ValueError(f"{self.satellites} satellites do not fit within {self.radius_km:g} km at "
                             f"{self.min_separation_m:g} m spacing (at most about {most}); "
                             "raise radius_km or lower min_separation_m or satellites")
        return self


class Constellation(Strict):
    """One shell or imported set of satellites.

    Exactly one source of satellites: Walker fields (``walker`` and/or ``altitude_km``,
    ``inclination_deg``, ``planes``, ``sats_per_plane``), ``tle_file``/``tle``,
    ``omm_file``, a list of custom ``satellites``, or a ``cluster``.
    """

    name: str = Field(min_length=1, max_length=200, description="unique name of the shell or set")
    walker: str | None = Field(None, description='shorthand "i:t/p/f", e.g. "53:1584/72/17"')
    pattern: Literal["delta", "star"] = Field("delta", description="RAAN spread 360 deg (delta) or 180 deg (star)")
    altitude_km: float | None = Field(None, description="mean altitude: semi-major axis minus the equatorial radius")
    inclination_deg: float | Literal["sso"] | None = Field(None, description='degrees, or "sso" for the sun-synchronous inclination at this altitude')
    ltan_h: float | None = Field(None, ge=0, lt=24, description="local time of the ascending node of plane 0 at the epoch (sets RAAN)")
    planes: int | None = Field(None, le=MAX_SATS_PER_SHELL, description="number of orbit planes")
    sats_per_plane: int | None = Field(None, le=MAX_SATS_PER_SHELL, description="satellites per plane")
    phasing: int | None = Field(None, description="Walker F, 0 .. planes-1 (default 0)")
    raan0_deg: float = Field(0.0, ge=-360, le=360, description="RAAN of plane 0 (ignored when ltan_h is given)")
    eccentricity: float = Field(0.0, ge=0, description="orbit eccentricity (perigee must stay above 160 km)")
    arg_perigee_deg: float = Field(0.0, ge=-360, le=360, description="argument of perigee of every satellite")
    propagator: Literal["two-body", "j2", "sgp4"] = Field("j2", description="two-body, J2 secular, or SGP4")
    isl: Literal["none", "plus-grid"] = Field("none", description="inter-satellite links")
    max_isl_range_km: float | None = Field(None, gt=0, description="drop inter-satellite links longer than this")
    isl_terminals: int = Field(4, ge=0, le=16, description="laser terminals per satellite for nearest-neighbour links")
    bus: str = Field("default", description="key of `buses`")
    tle_file: str | None = Field(None, description="TLE file, relative to the mission file")
    tle: str | None = Field(None, description="TLE text inline")
    omm_file: str | None = Field(None, description="CCSDS OMM file (XML, KVN or JSON), relative to the mission file")
    satellites: list[Satellite] | None = Field(None, max_length=MAX_SATS_PER_SHELL, description="custom satellites from classical elements")
    cluster: Cluster | None = Field(None, description="a formation-flying cluster around this entry's reference orbit")
    isl_shift: int | None = Field(
        None, description="plus-grid: slot j of plane i links to slot (j + isl_shift) mod sats_per_plane of planes i-1 and i+1 "
        "(imported shells: default 0; Walker shells: added to the default partner, which wraps the last plane by the phasing)")
    isl_file: str | None = Field(
        None, description="inter-satellite links from a file of `a b` index pairs within the shell (0-based, `#` comments; "
        "Hypatia's isls.txt), relative to the mission file; replaces the links `isl` would build")

    _alt = field_validator("altitude_km")(_check_altitude)

    @field_validator("walker")
    @classmethod
    def _walker_format(cls, value: str | None) -> str | None:
        if value is None:
            return value
        shorthand = WalkerShorthand.parse(value)
        if shorthand is None:
            raise ValueError('must look like "i:t/p/f", e.g. "53:1584/72/17"')
        total, planes = shorthand.total, shorthand.planes
        if planes < 1 or total < 1:
            raise ValueError("t and p must be at least 1")
        if total > MAX_SATS_PER_SHELL:
            raise ValueError(f"t={total:,} is more than {MAX_SATS_PER_SHELL:,} satellites in one shell")
        if total % planes:
            raise ValueError(f"t={total} is not a multiple of p={planes}")
        if shorthand.inclination != "sso" and not 0 <= shorthand.inclination <= 180:
            raise ValueError("inclination must be within 0..180 deg")
        return value.strip()

    @field_validator("inclination_deg")
    @classmethod
    def _inclination(cls, value: float | str) -> float | str:
        if isinstance(value, str):
            return value.lower()
        if value is not None and not 0 <= value <= 180:
            raise ValueError("must be within 0..180 deg, or \"sso\"")
        return value

    @field_validator("planes", "sats_per_plane")
    @classmethod
    def _at_least_one(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("must be at least 1")
        return value

    @model_validator(mode="after")
    def _shell_size(self) -> Constellation:
        if self.planes is not None and self.sats_per_plane is not None and self.planes * self.sats_per_plane > MAX_SATS_PER_SHELL:
            raise ValueError(f"planes x sats_per_plane = {self.planes * self.sats_per_plane:,} is more than "
                             f"{MAX_SATS_PER_SHELL:,} satellites in one shell")
        return self

    _ecc = field_validator("eccentricity")(_check_eccentricity)

    @property
    def source(self) -> Literal["walker", "tle", "omm", "satellites", "cluster"]:
        """Which kind of satellite source this entry uses."""
        if self.tle_file is not None or self.tle is not None:
            return "tle"
        if self.omm_file is not None:
            return "omm"
        if self.satellites is not None:
            return "satellites"
        if self.cluster is not None:
            return "cluster"
        return "walker"

    def walker_fields(self) -> WalkerFields:
        """The shell's Walker numbers: the ``walker`` shorthand's, with the explicit keys winning."""
        return walker_fields(self.model_dump(include={"walker", *WALKER_FIELDS}))


class GroundStation(Strict):
    """A ground station: downlink site with its own elevation mask."""

    name: str = Field(min_length=1, max_length=200, description="unique place name")
    lat_deg: float = Field(ge=-90, le=90, description="geodetic latitude")
    lon_deg: float = Field(ge=-180, le=360, description="longitude, east positive")
    alt_m: float = Field(0.0, ge=-500, le=100_000, description="height above the WGS-84 ellipsoid")
    min_elevation_deg: float = Field(5.0, ge=0, lt=90, description="the station's own elevation mask")
    antennas: int = Field(
        1, ge=1, description="antennas the station can point at once, one satellite each; one antenna schedule "
        "(first come, first served) feeds access and time to insight",
    )
    max_range_km: float | None = Field(None, gt=0, description="slant-range limit of the station's links (default analysis.max_ground_range_km)")


class City(Strict):
    """A named point for latency routing (users there see satellites above the mission mask)."""

    name: str = Field(min_length=1, max_length=200, description="unique place name")
    lat_deg: float = Field(ge=-90, le=90, description="geodetic latitude")
    lon_deg: float = Field(ge=-180, le=360, description="longitude, east positive")
    alt_m: float = Field(0.0, ge=-500, le=100_000, description="height above the WGS-84 ellipsoid")
    max_range_km: float | None = Field(None, gt=0, description="slant-range limit of the city's links (default analysis.max_ground_range_km)")


class Training(Strict):
    """Data-parallel training of one model across the satellites of a shell (a cluster).

    Every satellite holds a full replica and computes its share of each global step; the
    gradients are then summed over the shell's inter-satellite links by a ring or tree
    all-reduce (see ``docs/models/clusters-radiation-training.md``).
    """

    model_name: str | None = Field(None, description="what is trained, in words (e.g. \"8B-parameter dense transformer\")")
    shell: str | None = Field(None, description="name of the constellation entry that trains; default the first cluster, else the first shell")
    parameters: float = Field(gt=0, le=1e16, description="model parameters")
    bytes_per_parameter: float = Field(2.0, gt=0, le=64, description="bytes per gradient value exchanged (2 for bf16)")
    tokens_per_step: float = Field(gt=0, le=1e12, description="tokens (or samples) in one global step, over all satellites")
    flops_per_step: float | None = Field(None, gt=0, le=1e30, description="floating-point operations of one global step; default 6 x parameters x tokens_per_step")
    tflops_per_unit: float | None = Field(
        None, gt=0, le=1e9, description="training throughput of one compute unit at the training precision, TFLOP/s; default the catalogue TOPS",
    )
    utilization: float = Field(0.4, gt=0, le=1, description="model FLOPs utilisation: achieved / nameplate throughput")
    algorithm: Literal["ring", "tree"] = Field("ring", description="all-reduce algorithm over the ISL graph")
    hop_latency_s: float = Field(5e-6, ge=0, le=1.0, description="switching latency added per link traversed, s")


class ServiceDemand(Strict):
    """Compute asked of the constellation by the users of one place."""

    place: str = Field(description="a mission city, ground station or catalogue city")
    tops: float = Field(gt=0, le=1e12, description="compute the place's users ask for, TOPS (on the hardware's basis)")


class PopulationWeighted(Strict):
    """Demand spread over the city catalogue's largest cities in proportion to their population."""

    total_tops: float = Field(gt=0, le=1e12, description="compute asked for by all the cities together, TOPS")
    cities: int = Field(50, ge=1, le=1000, description="how many of the catalogue's most populous cities share it")


class Service(Strict):
    """Serving ground users: requests go up, over the ISLs to spare delivered compute, and back."""

    demand: list[ServiceDemand] = Field(default_factory=list, description="demand per place (or give population_weighted)")
    population_weighted: PopulationWeighted | None = Field(None, description="demand spread over the city catalogue by population")
    request_kb: float = Field(4.0, ge=0, le=1e9, description="size of one request, kB")
    response_kb: float = Field(4.0, ge=0, le=1e9, description="size of one response, kB")
    ops_per_request: float = Field(1e11, gt=0, le=1e21, description="compute operations one request needs")
    max_utilization: float = Field(
        0.9, gt=0, lt=1, description="share of a satellite's spare delivered compute that requests may fill (the rest keeps queues short)"
    )

    @model_validator(mode="after")
    def _one_demand(self) -> Service:
        if bool(self.demand) == (self.population_weighted is not None):
            raise ValueError("give either demand (a list of places) or population_weighted, not both and not neither")
        return self


class Mission(Strict):
    """A whole mission document (see CONTRACT §1)."""

    schema_version: int = Field(SCHEMA_VERSION, description="file-format version; older files are migrated on load")
    name: str = Field(min_length=1, max_length=200, description="the mission's name, shown in the app and reports")
    description: str | None = Field(None, description="free text: what the mission is for")
    sources: list[str] = Field(default_factory=list, description="where the figures of a preset come from")
    epoch: datetime = Field(description='start of the analysis, UTC, ISO 8601 ("2026-03-20T00:00:00Z")')
    analysis: Analysis = Field(default_factory=Analysis, description="the analysis window and masks")
    constellations: list[Constellation] = Field(min_length=1, description="shells and imported sets; satellites are numbered in this order")
    buses: dict[str, Bus] = Field(default_factory=dict, description="satellite designs by name; \"default\" exists even if not written")
    ground_stations: list[GroundStation] = Field(default_factory=list, description="downlink sites")
    cities: list[City] = Field(default_factory=list, description="extra named points (the built-in catalogue knows major cities)")
    latency_pairs: list[tuple[str, str]] = Field(default_factory=list, description="[from, to] places for one-way latency through the constellation")
    workload: Workload = Field(default_factory=Workload, description="the in-orbit processing model")
    cost: CostModel = Field(default_factory=CostModel, description="launch prices per kg")
    training: Training | None = Field(None, description="data-parallel training across a cluster's inter-satellite links")

    @field_validator("training")
    @classmethod
    def _training_shell(cls, value: Training | None, info: ValidationInfo) -> Training | None:
        names = [c.name for c in info.data.get("constellations") or []]
        if value is not None and value.shell is not None and names and value.shell not in names:
            raise ValueError(f"shell {value.shell!r} is not a constellation name (known: {', '.join(names)})")
        return value
    traffic: Traffic | None = Field(None, description="traffic demands routed through the constellation (throughput, link utilisation)")
    service: Service | None = Field(None, description="ground users served by the constellation's spare delivered compute")

    @field_validator("epoch")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        if not EARLIEST_EPOCH <= value <= LATEST_EPOCH:
            raise ValueError(f"must be from {EARLIEST_EPOCH:%Y} to {LATEST_EPOCH:%Y} (the span UTC and the Earth-orientation models cover)")
        return value

    @field_serializer("epoch")
    def _epoch_iso(self, value: datetime) -> str:
        text = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
        return text + "Z"

    def bus_for(self, constellation: Constellation) -> Bus:
        """The bus design of a constellation ("default" exists even when not written)."""
        if constellation.bus in self.buses:
            return self.buses[constellation.bus]
        if constellation.bus == "default":
            return Bus()
        raise KeyError(constellation.bus)


# ---- the Walker shorthand "i:t/p/f" (the one parser: validators, orbit checks, the engine, the editor) ----

WALKER_FIELDS = ("inclination_deg", "planes", "sats_per_plane", "phasing")
"""The explicit keys a ``walker`` string stands for."""


@dataclass(frozen=True)
class WalkerShorthand:
    """A parsed ``"i:t/p/f"``: inclination (deg, or ``"sso"``), total satellites, planes, phasing."""

    inclination: float | Literal["sso"]
    total: int
    planes: int
    phasing: int

    @property
    def sats_per_plane(self) -> int:
        """``t / p`` (0 when ``p`` is 0; the model's validator rejects such a string)."""
        return self.total // self.planes if self.planes else 0

    @classmethod
    def parse(cls, text: str) -> WalkerShorthand | None:
        """``"53:1584/72/17"`` -> ``WalkerShorthand(53.0, 1584, 72, 17)``; ``None`` when the text is not that form."""
        match = WALKER_RE.match(text)
        if match is None:
            return None
        inc = match["i"].lower()
        try:
            inclination: float | Literal["sso"] = "sso" if inc == "sso" else float(inc)
        except ValueError:  # "1.2.3" passes the pattern's [0-9.]+
            return None
        return cls(inclination, int(match["t"]), int(match["p"]), int(match["f"]))

    def text(self) -> str:
        """The ``"i:t/p/f"`` string that :meth:`parse` reads back (``53:1584/72/17``, ``sso:24/6/1``)."""
        inclination = self.inclination if isinstance(self.inclination, str) else f"{float(self.inclination):g}"
        return f"{inclination}:{self.total}/{self.planes}/{self.phasing}"


@dataclass(frozen=True)
class WalkerFields:
    """A shell's Walker numbers, each ``None`` where neither the shorthand nor an explicit key gives it."""

    inclination_deg: float | Literal["sso"] | None
    planes: int | None
    sats_per_plane: int | None
    phasing: int | None


def walker_fields(entry: Mapping[str, Any]) -> WalkerFields:
    """Walker numbers of a shell entry (a model dump or a raw mapping): the shorthand's, explicit keys winning.

    A ``walker`` string that does not parse counts as absent (the model's validator reports it).
    """
    text = entry.get("walker")
    short = WalkerShorthand.parse(text) if isinstance(text, str) else None

    def pick(key: str, from_shorthand: Any) -> Any:
        return entry[key] if entry.get(key) is not None else from_shorthand

    return WalkerFields(
        inclination_deg=pick("inclination_deg", short.inclination if short else None),
        planes=pick("planes", short.planes if short else None),
        sats_per_plane=pick("sats_per_plane", short.sats_per_plane if short else None),
        phasing=pick("phasing", short.phasing if short else None),
    )
