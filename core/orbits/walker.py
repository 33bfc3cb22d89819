"""Walker delta and star constellations.

A Walker constellation ``i:t/p/f`` has ``t`` satellites in ``p`` equally spaced planes at
inclination ``i``, with phasing ``f``: plane ``j`` has RAAN ``raan0 + j * spread / p``
(spread 360 deg for delta, 180 deg for star) and its slot ``k`` sits at argument of
latitude ``k * 360 / s + j * f * 360 / t`` (``s = t / p``).

>>> spec = WalkerSpec(altitude_km=550, inclination_deg=53, planes=72, sats_per_plane=22, phasing=17)
>>> elements, plane, slot = walker_elements(spec)
>>> elements.n
1584
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from core.mission.model import Constellation, WalkerShorthand
from core.orbits import elements as el
from core.orbits.elements import MeanElements
from core.orbits.timegrid import to_time


@dataclass(frozen=True)
class WalkerSpec:
    """The resolved numbers of a Walker shell (explicit keys win over the ``walker`` shorthand)."""

    altitude_km: float
    inclination_deg: float
    planes: int
    sats_per_plane: int
    phasing: int = 0
    pattern: str = "delta"
    raan0_deg: float = 0.0
    eccentricity: float = 0.0
    arg_perigee_deg: float = 0.0

    @property
    def total(self) -> int:
        return self.planes * self.sats_per_plane


def parse_walker(text: str) -> tuple[float | str, int, int, int]:
    """``"53:1584/72/17"`` -> ``(53.0, 1584, 72, 17)``; the inclination may be ``"sso"``."""
    short = WalkerShorthand.parse(text)
    if short is None:
        raise ValueError(f'not a Walker "i:t/p/f" string: {text!r}')
    return short.inclination, short.total, short.planes, short.phasing


def ltan_to_raan_deg(ltan_h: float, epoch: datetime | str) -> float:
    """RAAN (deg) that puts the ascending node at local solar time ``ltan_h`` at the epoch.

    Measured from the true Sun's right ascension at the epoch: RAAN = RA_sun + (LTAN - 12 h) * 15 deg/h.
    """
    from core.orbits.frames import sun_right_ascension_rad

    ra_sun = np.degrees(sun_right_ascension_rad(to_time(epoch)))
    return float((ra_sun + (ltan_h - 12.0) * 15.0) % 360.0)


def resolve_walker(entry: Constellation, epoch: datetime | str) -> WalkerSpec:
    """Combine the ``walker`` shorthand with explicit keys; resolve ``sso`` and ``ltan_h``."""
    if entry.walker:
        parse_walker(entry.walker)  # a malformed shorthand is an error here, not a missing value
    w = entry.walker_fields()
    inc: float | str | None = w.inclination_deg
    planes, per_plane, phasing = w.planes, w.sats_per_plane, w.phasing
    if entry.altitude_km is None or inc is None or planes is None or per_plane is None:
        missing = [k for k, v in (("altitude_km", entry.altitude_km), ("inclination_deg", inc), ("planes", planes), ("sats_per_plane", per_plane)) if v is None]
        raise ValueError(f"a Walker shell needs {', '.join(missing)} (or a `walker` string)")
    if inc == "sso":
        inc = el.sso_inclination_deg(entry.altitude_km, entry.eccentricity)
    raan0 = ltan_to_raan_deg(entry.ltan_h, epoch) if entry.ltan_h is not None else entry.raan0_deg
    return WalkerSpec(
        altitude_km=entry.altitude_km,
        inclination_deg=float(inc),
        planes=int(planes),
        sats_per_plane=int(per_plane),
        phasing=int(phasing or 0),
        pattern=entry.pattern,
        raan0_deg=raan0,
        eccentricity=entry.eccentricity,
        arg_perigee_deg=entry.arg_perigee_deg,
    )


def walker_elements(spec: WalkerSpec) -> tuple[MeanElements, np.ndarray, np.ndarray]:
    """Mean elements of every satellite, plane by plane, plus plane and slot indices."""
    plane, slot = np.divmod(np.arange(spec.total), spec.sats_per_plane)
    spread = 360.0 if spec.pattern == "delta" else 180.0
    raan = spec.raan0_deg + plane * spread / spec.planes
    arg_lat = slot * 360.0 / spec.sats_per_plane + plane * spec.phasing * 360.0 / spec.total
    n = spec.total
    elements = MeanElements(
        a_km=np.full(n, el.R_EARTH_KM + spec.altitude_km),
        e=np.full(n, spec.eccentricity),
        i_rad=np.full(n, np.radians(spec.inclination_deg)),
        raan_rad=np.radians(raan % 360.0),
        argp_rad=np.full(n, np.radians(spec.arg_perigee_deg)),
        m0_rad=np.radians((arg_lat - spec.arg_perigee_deg) % 360.0),
    )
    return elements, plane.astype(np.int32), slot.astype(np.int32)
