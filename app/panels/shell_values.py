"""What the shell form shows for one constellation entry: the document's values, resolved.

The form never invents a value: a field the entry does not define is ``None`` (shown as "—"),
``sso`` shows the sun-synchronous inclination the engine computes for the altitude, an
``ltan_h`` shows the RAAN it sets, and custom satellites show their own elements. Which fields
can be edited depends on the entry's source (a Walker shell, a cluster's reference orbit, a list
of satellites, a TLE/OMM file).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from core.mission.model import walker_fields

WALKER_KEYS = ("walker", "pattern", "planes", "sats_per_plane", "phasing")
ORBIT_KEYS = ("altitude_km", "inclination_deg", "sso", "ltan_h", "raan0_deg")


@dataclass
class ShownShell:
    """Field values (``None``: not defined by the entry) and the keys the user may edit."""

    source: str
    values: dict[str, Any] = field(default_factory=dict)
    editable: set[str] = field(default_factory=set)
    notes: dict[str, str] = field(default_factory=dict)
    """Tooltips saying where a shown value comes from (``"set by LTAN 10.50 h"``)."""


def entry_source(entry: dict) -> str:
    """``walker``, ``cluster``, ``satellites`` or ``file`` (TLE / OMM)."""
    if any(entry.get(k) for k in ("tle", "tle_file", "omm_file")):
        return "file"
    if entry.get("satellites"):
        return "satellites"
    if entry.get("cluster"):
        return "cluster"
    return "walker"


def _walker_numbers(entry: dict) -> dict[str, Any]:
    return {k: v for k, v in asdict(walker_fields(entry)).items() if v is not None}


def _common(values: list[float]) -> float | None:
    """The value all satellites share, else ``None``."""
    return values[0] if values and all(abs(v - values[0]) < 1e-9 for v in values) else None


def shown_shell(entry: dict, epoch: datetime | str | None) -> ShownShell:
    """The values the shell form shows for ``entry`` (plain mission data) at the mission ``epoch``."""
    source = entry_source(entry)
    shown = ShownShell(source)
    v = shown.values
    v["pattern"] = entry.get("pattern", "delta")
    if source == "file":
        for key in ("altitude_km", "inclination_deg", "ltan_h", "raan0_deg", "planes", "sats_per_plane", "phasing"):
            v[key] = None
        v["sso"] = False
        shown.notes["altitude_km"] = "per satellite, from the file: see the Satellite panel"
        return shown
    if source == "satellites":
        sats = entry["satellites"]
        v["altitude_km"] = _common([float(s["altitude_km"]) for s in sats])
        v["inclination_deg"] = _common([float(s["inclination_deg"]) for s in sats])
        v["raan0_deg"] = _common([float(s.get("raan_deg", 0.0)) for s in sats])
        v.update(sso=False, ltan_h=None, planes=None, sats_per_plane=None, phasing=None)
        if len(sats) > 1:
            shown.notes["altitude_km"] = "— where the satellites differ: see the Satellite panel"
        return shown
    w = _walker_numbers(entry) if source == "walker" else {"inclination_deg": entry.get("inclination_deg")}
    alt = entry.get("altitude_km")
    v["altitude_km"] = float(alt) if alt is not None else None
    incl = w.get("inclination_deg")
    v["sso"] = incl == "sso"
    if incl == "sso":
        v["inclination_deg"] = _sso_inclination(v["altitude_km"], float(entry.get("eccentricity") or 0.0))
        shown.notes["inclination_deg"] = "sun-synchronous inclination for this altitude"
    else:
        v["inclination_deg"] = float(incl) if incl is not None else None
    ltan = entry.get("ltan_h")
    v["ltan_h"] = float(ltan) if ltan is not None else None
    if ltan is not None:
        # The Sun's position needs astropy (a 0.3 s import): the window passes no epoch until the
        # first analysis has loaded it, and shows "—" (set by LTAN) meanwhile.
        v["raan0_deg"] = _raan_of_ltan(float(ltan), epoch) if epoch is not None else None
        shown.notes["raan0_deg"] = f"set by LTAN {float(ltan):.2f} h at the epoch"
    else:
        v["raan0_deg"] = float(entry.get("raan0_deg") or 0.0)
    if source == "walker":
        v["planes"] = w.get("planes")
        v["sats_per_plane"] = w.get("sats_per_plane")
        v["phasing"] = w.get("phasing", 0) if w.get("planes") else None
        shown.editable |= set(WALKER_KEYS)
    else:
        v.update(planes=None, sats_per_plane=None, phasing=None)
    shown.editable |= {"altitude_km", "sso", "ltan_h"}
    if not v["sso"]:
        shown.editable.add("inclination_deg")
    if ltan is None:
        shown.editable.add("raan0_deg")
    return shown


@lru_cache(maxsize=64)
def _raan_of_ltan(ltan_h: float, epoch: datetime | str) -> float:
    from core.orbits.walker import ltan_to_raan_deg

    return ltan_to_raan_deg(ltan_h, epoch)


def _sso_inclination(altitude_km: float | None, eccentricity: float) -> float | None:
    if altitude_km is None:
        return None
    from core.orbits.elements import sso_inclination_deg

    try:
        return sso_inclination_deg(altitude_km, eccentricity)
    except ValueError:
        return None
