"""From constellation entries of a mission to shells of satellites with mean elements.

A :class:`ShellInfo` is what every analysis needs to know about one constellation entry:
its satellites' place in the global arrays, the Walker geometry (planes, slots), the bus
and the link settings, and the mean elements at the epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.mission.model import Constellation, Mission
from core.orbits import elements as el
from core.orbits.elements import MeanElements


@dataclass(frozen=True, eq=False)
class ShellInfo:
    """One constellation entry, resolved.

    ``planes``/``sats_per_plane``/``phasing`` describe a Walker shell; imported or custom
    sets have ``planes == 0``. ``altitude_km``, ``inclination_deg`` and ``period_s`` are the
    mean values of the shell (for a Walker shell, of every satellite).
    """

    index: int
    name: str
    source: str
    sat_slice: slice
    planes: int
    sats_per_plane: int
    phasing: int
    pattern: str | None
    altitude_km: float
    inclination_deg: float
    eccentricity: float
    period_s: float
    raan_drift_deg_per_day: float
    propagator: str
    isl: str
    max_isl_range_km: float | None
    isl_terminals: int
    bus: str
    plane_index: np.ndarray
    slot_index: np.ndarray
    sat_names: tuple[str, ...]
    elements: MeanElements

    @property
    def n_sat(self) -> int:
        return self.sat_slice.stop - self.sat_slice.start

    @property
    def is_walker(self) -> bool:
        return self.planes > 0


def build_shells(mission: Mission, base_dir: Path | None) -> tuple[list[ShellInfo], list[object]]:
    """Resolve every constellation entry; returns the shells and, per shell, the propagator source.

    The source is the :class:`MeanElements` for analytic propagators, or a list of sgp4
    ``Satrec`` for TLE/OMM sets.
    """
    from core.orbits import cluster, tle, walker

    shells: list[ShellInfo] = []
    sources: list[object] = []
    start = 0
    for index, entry in enumerate(mission.constellations):
        kind = entry.source
        geometry: tuple[int, int, int, str | None]  # planes, sats per plane, phasing, pattern
        if kind == "walker":
            spec = walker.resolve_walker(entry, mission.epoch)
            elems, plane, slot = walker.walker_elements(spec)
            names = tuple(f"{entry.name}-P{p + 1:02d}S{s + 1:02d}" for p, s in zip(plane, slot))
            source: object = elems
            geometry = (spec.planes, spec.sats_per_plane, spec.phasing, spec.pattern)
        elif kind in ("tle", "omm"):
            records = tle.load_satrecs(entry, base_dir)
            elems = tle.mean_elements_of(records.satrecs, mission.epoch)
            names = records.names
            source = records.satrecs
            plane = slot = np.full(len(names), -1)
            geometry = (0, 0, 0, None)
        elif kind == "satellites":
            elems = custom_elements(entry)
            names = tuple(s.name for s in entry.satellites or [])
            source = elems
            plane = slot = np.full(len(names), -1)
            geometry = (0, 0, 0, None)
        else:
            elems = cluster.cluster_elements(entry, mission.epoch)
            names = tuple(f"{entry.name}-{k + 1:03d}" for k in range(elems.n))
            source = elems
            plane = np.zeros(elems.n, dtype=int)
            slot = np.arange(elems.n)
            geometry = (0, 0, 0, None)
        n = elems.n
        a_mean = float(np.mean(elems.a_km))
        e_mean = float(np.mean(elems.e))
        i_mean = float(np.mean(elems.i_rad))
        raan_dot, _, _ = el.j2_rates(a_mean, e_mean, i_mean)
        propagator = "sgp4" if kind in ("tle", "omm") else entry.propagator
        shells.append(
            ShellInfo(
                index=index,
                name=entry.name,
                source=kind,
                sat_slice=slice(start, start + n),
                planes=geometry[0],
                sats_per_plane=geometry[1],
                phasing=geometry[2],
                pattern=geometry[3],
                altitude_km=a_mean - el.R_EARTH_KM,
                inclination_deg=float(np.degrees(i_mean)),
                eccentricity=e_mean,
                period_s=float(el.period_s(a_mean)),
                raan_drift_deg_per_day=float(np.degrees(raan_dot) * 86400.0),
                propagator=propagator,
                isl=entry.isl,
                max_isl_range_km=entry.max_isl_range_km,
                isl_terminals=entry.isl_terminals,
                bus=entry.bus,
                plane_index=np.asarray(plane, dtype=np.int32),
                slot_index=np.asarray(slot, dtype=np.int32),
                sat_names=names,
                elements=elems,
            )
        )
        sources.append(source)
        start += n
    return shells, sources


def satellite_count(mission: Mission, base_dir: Path | None) -> int:
    """The mission's satellites, counted from its entries: a Walker shell is ``planes x sats_per_plane``
    (nothing is built, so a million-satellite mission counts at once); other entries are resolved as
    :func:`build_shells` does (a TLE/OMM file is read, a cluster's lattice laid out)."""
    total = 0
    for entry in mission.constellations:
        if entry.source == "walker":
            w = entry.walker_fields()
            if w.planes is not None and w.sats_per_plane is not None:
                total += int(w.planes) * int(w.sats_per_plane)
                continue
        if entry.source == "satellites":
            total += len(entry.satellites or [])
            continue
        shells, _ = build_shells(mission.model_copy(update={"constellations": [entry]}), base_dir)
        total += sum(s.n_sat for s in shells)
    return total


def custom_elements(entry: Constellation) -> MeanElements:
    """Mean elements of a list of custom satellites."""
    sats = entry.satellites or []
    return MeanElements(
        a_km=np.array([el.R_EARTH_KM + s.altitude_km for s in sats]),
        e=np.array([s.eccentricity for s in sats]),
        i_rad=np.radians([s.inclination_deg for s in sats]),
        raan_rad=np.radians([s.raan_deg for s in sats]),
        argp_rad=np.radians([s.arg_perigee_deg for s in sats]),
        m0_rad=np.radians([s.mean_anomaly_deg for s in sats]),
    )
