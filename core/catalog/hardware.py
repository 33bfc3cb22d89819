"""The built-in compute-hardware catalogue (``resources/hardware.yaml``).

A bus names a catalogue key in ``compute_hardware``; the compute and power analyses look the
part up here::

    >>> from core.catalog.hardware import get_hardware
    >>> orin = get_hardware("jetson-agx-orin-64gb")
    >>> orin.tops, orin.power_w
    (275.0, 60.0)

Figures are vendor peaks at ``tops_precision``; ``estimated`` marks entries where power or mass
is an engineering estimate rather than a datasheet value (``note`` says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from core.resources import resource_path


@dataclass(frozen=True)
class Hardware:
    """One compute part; power and mass are per unit (a bus may carry several)."""

    key: str
    name: str
    vendor: str
    tops: float
    tops_precision: str
    power_w: float
    power_w_min: float
    mass_kg: float
    radiation: str
    source: str
    estimated: bool = False
    note: str = ""
    tid_krad: float | None = None
    """Total ionising dose (krad(Si)) the part tolerates before it misbehaves; ``None`` if unknown."""
    tid_source: str = ""

    @property
    def tops_per_w(self) -> float:
        """Peak efficiency at maximum power, TOPS/W."""
        return self.tops / self.power_w if self.power_w else float("inf")


@lru_cache(maxsize=1)
def hardware_catalog() -> dict[str, Hardware]:
    """Every part of ``resources/hardware.yaml`` by key, in file order (read once, then cached)."""
    path = resource_path("hardware.yaml")
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    catalog: dict[str, Hardware] = {}
    for key, entry in (doc.get("hardware") or {}).items():
        catalog[key] = Hardware(
            key=key,
            name=str(entry["name"]),
            vendor=str(entry.get("vendor", "")),
            tops=float(entry["tops"]),
            tops_precision=str(entry.get("tops_precision", "INT8")),
            power_w=float(entry["power_w"]),
            power_w_min=float(entry.get("power_w_min", entry["power_w"])),
            mass_kg=float(entry["mass_kg"]),
            radiation=str(entry.get("radiation", "")),
            source=str(entry.get("source", "")),
            estimated=bool(entry.get("estimated", False)),
            note=" ".join(str(entry.get("note", "")).split()),
            tid_krad=None if entry.get("tid_krad") is None else float(entry["tid_krad"]),
            tid_source=" ".join(str(entry.get("tid_source", "")).split()),
        )
    return catalog


def hardware_keys() -> list[str]:
    """The catalogue keys, in file order."""
    return list(hardware_catalog())


def get_hardware(key: str) -> Hardware:
    """The part called ``key``; a ``KeyError`` that lists the known keys otherwise."""
    catalog = hardware_catalog()
    try:
        return catalog[key]
    except KeyError:
        known = ", ".join(catalog)
        raise KeyError(f"unknown compute hardware {key!r}; known: {known}") from None
