"""The built-in compute-hardware catalogue (``resources/hardware.yaml``).

A bus names a catalogue key in ``compute_hardware``; the compute and power analyses look the
part up here::

    >>> from core.catalog.hardware import get_hardware
    >>> orin = get_hardware("jetson-agx-orin-64gb")
    >>> orin.tops, orin.power_w
    (275.0, 60.0)
    >>> orin.tops_at("int8-dense"), orin.tops_at("int8-sparse")
    (137.5, 275.0)

``tops`` is the vendor's headline figure at ``tops_precision`` (as advertised: the Orin's 275 is
sparse INT8, the H100's 1,979 dense INT8). Sizing compares parts on one basis,
:meth:`Hardware.tops_at` of the workload's precision (``int8-dense`` by default): dense INT8,
sparse INT8, FP16 or BF16. A sparse figure the vendor does not give is the dense one; a missing
FP16/BF16 figure is estimated as dense INT8 / 2 and :meth:`Hardware.basis_note` says so.
``estimated`` marks entries where power or mass is an engineering estimate rather than a
datasheet value (``note`` says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from core.resources import resource_path

PRECISIONS: tuple[str, ...] = ("int8-dense", "int8-sparse", "fp16", "bf16")
"""The throughput bases a workload can be sized on (``workload.precision``)."""


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
    tops_int8_dense: float = 0.0
    tops_int8_sparse: float | None = None
    tops_fp16: float | None = None
    tops_bf16: float | None = None
    tops_note: str = ""
    tid_krad: float | None = None
    """Total ionising dose (krad(Si)) the part tolerates before it misbehaves; ``None`` if unknown."""
    tid_source: str = ""

    @property
    def tops_per_w(self) -> float:
        """Headline efficiency at maximum power, TOPS/W."""
        return self.tops / self.power_w if self.power_w else float("inf")

    def tops_at(self, precision: str = "int8-dense") -> float:
        """Peak throughput on one basis (see the module docstring for the missing figures)."""
        if precision == "int8-dense":
            return self.tops_int8_dense
        if precision == "int8-sparse":
            return self.tops_int8_dense if self.tops_int8_sparse is None else self.tops_int8_sparse
        if precision in ("fp16", "bf16"):
            given = self.tops_fp16 if precision == "fp16" else self.tops_bf16
            return self.tops_int8_dense / 2.0 if given is None else given
        raise ValueError(f"unknown precision {precision!r}; known: {', '.join(PRECISIONS)}")

    def basis_note(self, precision: str = "int8-dense") -> str:
        """How the :meth:`tops_at` figure was obtained: empty when the vendor gives it."""
        if precision == "int8-sparse" and self.tops_int8_sparse is None:
            return "no sparse INT8 figure: the dense one"
        if precision == "fp16" and self.tops_fp16 is None or precision == "bf16" and self.tops_bf16 is None:
            return f"no {precision.upper()} figure: estimated as dense INT8 / 2"
        return ""


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
            tops_int8_dense=float(entry["tops_int8_dense"]),
            tops_int8_sparse=_optional_float(entry.get("tops_int8_sparse")),
            tops_fp16=_optional_float(entry.get("tops_fp16")),
            tops_bf16=_optional_float(entry.get("tops_bf16")),
            tops_note=" ".join(str(entry.get("tops_note", "")).split()),
            tid_krad=_optional_float(entry.get("tid_krad")),
            tid_source=" ".join(str(entry.get("tid_source", "")).split()),
        )
    return catalog


def _optional_float(value: float | str | None) -> float | None:
    return None if value is None else float(value)


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
