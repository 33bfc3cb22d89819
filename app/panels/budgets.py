"""Budgets: one column per shell (headed by its bus), rows for compute, power, array, battery,
radiator, mass and cost. Values the sizing finds infeasible are red, with the reason as a tooltip
and listed under the table.

Reads ``results.compute.shells`` (ShellCompute), ``results.power.shells`` (ShellPower: ``sizing``
dict, ``infeasible_reasons``) and ``results.cost`` when it exists.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

RED = QColor("#ff6b6b")

ROWS = [
    ("hardware", "Compute hardware", "compute"),
    ("tops", "Compute [TOPS/sat]", "compute"),
    ("required", "Required [TOPS/sat]", "compute"),
    ("util", "Utilisation [%]", "compute"),
    ("delivered", "Delivered [% of nameplate]", "compute"),
    ("compute_w", "Compute power [W]", "power"),
    ("load_w", "Total load [W]", "power"),
    ("eclipse", "Max eclipse [min]", "power"),
    ("array_w", "Solar array [W]", "array"),
    ("array_m2", "Solar array [m²]", "array"),
    ("battery_wh", "Battery [Wh]", "battery"),
    ("battery_dod", "Battery DoD [%]", "battery"),
    ("radiator_m2", "Radiator [m²]", "radiator"),
    ("mass_kg", "Mass per sat [kg]", "mass"),
    ("cost", "Launch per sat [k$]", "cost"),
    ("cost_2035", "Launch per sat, 2035 [k$]", "cost"),
    ("sat_cost", "Satellite [k$]", "cost"),
    ("total", "Constellation [M$]", "cost"),
    ("total_2035", "Constellation, 2035 [M$]", "cost"),
    ("feasible", "Feasible", "all"),
]
KEYWORDS = {"array": ("array",), "battery": ("battery",), "radiator": ("radiator", "heat"),
            "compute": ("compute", "tops", "storage"), "mass": ("mass",), "power": ("power", "load")}


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "∞"
    return f"{v:,.{digits}f}"


def budget_columns(results) -> list[dict]:
    """One dict per shell: header, values by row key, infeasible reasons (the engine's, shell by shell)."""
    mission = results.mission
    cols = []
    for k, entry in enumerate(mission.constellations):
        col: dict = {"header": f"{entry.name}\n(bus {entry.bus})", "values": {}, "reasons": []}
        v = col["values"]
        c = results.compute.shells[k] if results.compute is not None else None
        if c is not None:
            v["hardware"] = f"{c.compute_units} × {c.hardware.name}"
            v["tops"] = _fmt(c.tops_per_satellite, 0)
            v["required"] = _fmt(c.required_tops_per_satellite, 0)
            v["util"] = _fmt(100 * c.utilization, 0)
            d = getattr(results.compute, "delivered", None)
            if d is not None and k < len(d.shells):
                ds = d.shells[k]
                v["delivered"] = _fmt(100 * ds.delivered_fraction, 0) + (" (energy)" if ds.throttled_energy_fraction > 0 else "") + (
                    " (heat)" if ds.throttled_heat_fraction > 0 else "")
            if c.compute_short:
                col["reasons"].append(f"compute short: needs {c.required_tops_per_satellite:,.0f} TOPS, has {c.tops_per_satellite:,.0f}")
        p = results.power.shells[k] if results.power is not None else None
        if p is not None:
            s = p.sizing
            v["compute_w"] = _fmt(p.compute_w, 0)
            v["load_w"] = _fmt(p.load_w, 0)
            v["eclipse"] = _fmt(p.eclipse_max_s / 60.0, 1)
            v["array_w"] = _fmt(s.get("solar_array_w"), 0)
            v["array_m2"] = _fmt(s.get("solar_array_m2"), 2)
            v["battery_wh"] = _fmt(s.get("battery_wh"), 0)
            v["battery_dod"] = _fmt(100 * s.get("battery_dod", float("nan")), 0)
            v["radiator_m2"] = _fmt(s.get("radiator_m2"), 2)
            v["mass_kg"] = _fmt(p.mass_kg, 1)
            col["reasons"] += list(p.infeasible_reasons)
        cs = results.cost.shells[k] if results.cost is not None else None
        if cs is not None:
            for key, attr, scale in (("cost", "launch_usd_per_sat", 1e3), ("cost_2035", "launch_usd_per_sat_2035", 1e3),
                                     ("sat_cost", "satellite_usd", 1e3), ("total", "constellation_usd", 1e6),
                                     ("total_2035", "constellation_usd_2035", 1e6)):
                v[key] = _fmt(getattr(cs, attr) / scale, 0 if scale == 1e3 else 1)
        v["feasible"] = "yes" if not col["reasons"] else "NO"
        cols.append(col)
    return cols


def _rows_hit(reason: str) -> set[str]:
    text = reason.lower()
    return {group for group, words in KEYWORDS.items() if any(w in text for w in words)}


class BudgetsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(len(ROWS), 0, self)
        self.table.setObjectName("budgetTable")
        self.table.setVerticalHeaderLabels([r[1] for r in ROWS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.reasons = QLabel("", self)
        self.reasons.setObjectName("budgetReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setStyleSheet("color: #ff8080;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reasons)

    def set_results(self, results) -> None:
        cols = budget_columns(results)
        self.table.setColumnCount(len(cols))
        self.table.setHorizontalHeaderLabels([c["header"] for c in cols])
        lines = []
        for j, col in enumerate(cols):
            hit = set()
            for reason in col["reasons"]:
                hit |= _rows_hit(reason)
            tip = "\n".join(col["reasons"])
            for i, (key, _label, group) in enumerate(ROWS):
                item = QTableWidgetItem(col["values"].get(key, "—"))
                if (group in hit) or (group == "all" and col["reasons"]):
                    item.setForeground(QBrush(RED))
                    item.setToolTip(tip)
                self.table.setItem(i, j, item)
            lines += [f"{col['header'].splitlines()[0]}: {r}" for r in col["reasons"]]
        self.reasons.setText("\n".join(lines))
        self.reasons.setVisible(bool(lines))
