"""CZML for Cesium: the constellation moving over the analysis window, built with czml3.

The document holds:

* a clock over the analysis window (looping, 60x real time);
* one packet per satellite: positions sampled on the analysis grid in the Earth-fixed frame
  (``referenceFrame: FIXED``, Cesium's default, metres) with Lagrange interpolation of
  degree 5, a point coloured by shell and a trailing path of one orbit;
* one packet per ground station (a point and a label);
* one packet per inter-satellite link: a straight polyline between the two satellites'
  positions (by reference, so it moves with them) whose ``show`` follows the topology: it is
  on for the grid intervals in which the link is up and off otherwise.

Every packet is a ``czml3.Packet``, so the document is validated as it is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.export._files import atomic_write_text, safe_name

if TYPE_CHECKING:
    from czml3 import Document

    from core.analysis.pipeline import Results
    from core.analysis.topology import Topology
    from core.mission.model import Mission
    from core.orbits.ephemeris import Ephemeris

SHELL_COLOURS = [
    (255, 196, 0), (0, 200, 255), (255, 90, 160), (120, 230, 90), (190, 140, 255), (255, 140, 60), (80, 255, 220),
]
LINK_COLOUR = (120, 200, 255, 150)
STATION_COLOUR = (255, 60, 60, 255)
LAGRANGE_DEGREE = 5


def satellite_ids(names: tuple[str, ...]) -> list[str]:
    """Stable, unique packet ids for the satellites (``sat/<name>``)."""
    ids, seen = [], set()
    for k, name in enumerate(names):
        base = f"sat/{safe_name(name)}"
        pid = base if base not in seen else f"{base}-{k + 1}"
        seen.add(pid)
        ids.append(pid)
    return ids


def _runs(active: np.ndarray) -> list[tuple[int, int, bool]]:
    """Runs of equal values: (first index, last index + 1, value)."""
    if active.size == 0:
        return []
    change = np.flatnonzero(np.diff(active.astype(np.int8))) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, active.size]
    return [(int(a), int(b), bool(active[a])) for a, b in zip(starts, ends)]


def czml_document(results: Results | None = None, *, ephemeris: Ephemeris | None = None, mission: Mission | None = None,
                  topology: Topology | None = None, path_orbits: float = 1.0) -> Document:
    """The ``czml3.Document`` of a ``Results`` (or of an ephemeris, a mission and a topology).

    ``topology`` defaults to the results' topology (the links the analysis computed); without
    results it must be given (:func:`core.analysis.topology.compute_topology`).
    """
    from czml3 import Document, Packet
    from czml3.enums import ClockRanges, ClockSteps, HorizontalOrigins, InterpolationAlgorithms, LabelStyles
    from czml3.properties import (
        ArcType,
        Clock,
        Color,
        Label,
        Path as CzPath,
        Point,
        Polyline,
        PolylineMaterial,
        Position,
        PositionList,
        SolidColorMaterial,
    )
    from czml3.types import Cartesian2Value, IntervalValue, TimeInterval, TimeIntervalCollection

    if ephemeris is None or mission is None:
        if results is None:
            raise TypeError("czml_document needs results, or an ephemeris and a mission")
        ephemeris = ephemeris if ephemeris is not None else results.ephemeris
        mission = mission if mission is not None else results.mission
    eph = ephemeris
    if topology is None and results is not None:
        topology = results.topology
    if topology is None:
        raise ValueError("czml_document: give the results, or the ephemeris, the mission and the topology")

    grid = eph.time
    offsets = grid.offsets_s
    step = grid.step_s or 60.0
    start_iso = grid.iso(float(offsets[0]))
    end_off = float(offsets[-1])
    stop_iso = grid.iso(end_off)
    window = TimeInterval(start=start_iso, end=stop_iso)
    stamps = [t[:19] + "Z" for t in np.atleast_1d(grid.times.utc.isot)]

    packets = [
        Packet(
            id="document",
            name=mission.name,
            version="1.0",
            clock=Clock(interval=window, currentTime=start_iso, multiplier=60, range=ClockRanges.LOOP_STOP,
                        step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER),
        )
    ]
    ids = satellite_ids(eph.names)
    big = eph.n_sat > 200
    r_m = eph.r_ecef_km * 1000.0
    rel = offsets - offsets[0]
    for s in range(eph.n_sat):
        shell = eph.shell_of(s)
        rgb = SHELL_COLOURS[shell.index % len(SHELL_COLOURS)]
        ok = np.isfinite(r_m[s]).all(axis=1)
        samples = np.column_stack([rel[ok], r_m[s][ok]]).ravel().round(3).tolist()
        if len(samples) < 8:
            continue
        packets.append(
            Packet(
                id=ids[s],
                name=eph.names[s],
                description=f"{eph.names[s]}: shell {shell.name}, {shell.altitude_km:.0f} km, {shell.inclination_deg:.1f} deg",
                availability=window,
                # czml3's epoch/interpolation fields come from a second pydantic base (Interpolatable)
                # that mypy's pydantic plugin does not merge into Position's signature.
                position=Position(epoch=start_iso, cartesian=samples, referenceFrame="FIXED",  # type: ignore[call-arg]
                                  interpolationAlgorithm=InterpolationAlgorithms.LAGRANGE,
                                  interpolationDegree=LAGRANGE_DEGREE),
                point=Point(pixelSize=4 if big else 6, color=Color(rgba=[*rgb, 255]),
                            outlineColor=Color(rgba=[0, 0, 0, 200]), outlineWidth=1),
                path=CzPath(show=not big, leadTime=0, trailTime=float(path_orbits * shell.period_s), width=1,
                            resolution=float(step),
                            material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=[*rgb, 110])))),
            )
        )

    for st in mission.ground_stations:
        lon = st.lon_deg if st.lon_deg <= 180 else st.lon_deg - 360
        packets.append(
            Packet(
                id=f"station/{safe_name(st.name)}",
                name=st.name,
                description=f"Ground station {st.name}: {st.lat_deg:.2f} deg, {lon:.2f} deg, {st.alt_m:.0f} m; "
                            f"elevation mask {st.min_elevation_deg:g} deg",
                position=Position(cartographicDegrees=[float(lon), float(st.lat_deg), float(st.alt_m)]),
                point=Point(pixelSize=8, color=Color(rgba=list(STATION_COLOUR)), outlineColor=Color(rgba=[255, 255, 255, 255]),
                            outlineWidth=1),
                label=Label(text=st.name, font="12pt sans-serif", style=LabelStyles.FILL_AND_OUTLINE, outlineWidth=2,
                            horizontalOrigin=HorizontalOrigins.LEFT, pixelOffset=Cartesian2Value(values=[8, 0]),
                            fillColor=Color(rgba=[255, 255, 255, 255]), outlineColor=Color(rgba=[0, 0, 0, 255])),
            )
        )

    if topology is not None and topology.n_edge:
        packets.append(Packet(id="isl", name="Inter-satellite links"))
        edge_iso = stamps + [stop_iso]
        for e, (a, b) in enumerate(topology.isl_edges):
            runs = _runs(topology.isl_active[:, e])
            if not any(v for _, _, v in runs):
                continue
            shows = []
            for i0, i1, value in runs:
                # the state at grid epoch k holds until epoch k+1; the last run ends with the window
                end = edge_iso[i1] if i1 < len(stamps) else stop_iso
                if edge_iso[i0] == end:
                    continue
                shows.append(IntervalValue(start=edge_iso[i0], end=end, value=value))
            packets.append(
                Packet(
                    id=f"isl/{ids[a]}--{ids[b]}",
                    name=f"ISL {eph.names[a]} - {eph.names[b]}",
                    parent="isl",
                    availability=window,
                    polyline=Polyline(
                        show=TimeIntervalCollection(values=shows),
                        positions=PositionList(references=[f"{ids[a]}#position", f"{ids[b]}#position"]),
                        arcType=ArcType(arcType="NONE"),
                        width=1,
                        material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=list(LINK_COLOUR)))),
                    ),
                )
            )
    return Document(packets=packets)


def czml_text(results: Results | None = None, **kwargs: Any) -> str:
    """The CZML document as JSON text."""
    return czml_document(results, **kwargs).model_dump_json(exclude_none=True)


def write_czml(results: Results | None, path: str | Path, **kwargs: Any) -> int:
    """Write the CZML of ``results`` to ``path`` atomically; returns the number of packets."""
    doc = czml_document(results, **kwargs)
    atomic_write_text(path, doc.model_dump_json(exclude_none=True) + "\n")
    return len(doc.packets)
