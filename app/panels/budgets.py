"""Budgets: one column per shell (headed by its bus), rows for compute, power, array, battery,
radiator, radiation dose, cluster formation, mass and cost. Values the sizing finds infeasible are red, with the reason as a tooltip
and listed under the table.

Reads ``results.compute.shells`` (ShellCompute), ``results.power.shells`` (ShellPower: ``sizing``
dict, ``infeasible_reasons``), and ``results.radiation``, ``results.cluster`` and ``results.cost``
when they exist.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

RED = QColor("#ff6b6b")

ROWS = [
    ("bus", "Bus", ""),
    ("hardware", "Compute hardware", "compute"),
    ("tops", "Compute [TOPS/sat]", "compute"),
    ("required", "Required [TOPS/sat]", "compute"),
    ("util", "Utilisation [%]", "compute"),
    ("delivered", "Delivered [% of nameplate]", "compute"),
    ("load", "Busiest load [% delivered]", "compute"),
    ("compute_w", "Compute power [W]", "power"),
    ("load_w", "Total load [W]", "power"),
    ("eclipse", "Max eclipse [min]", "power"),
    ("array_w", "Solar array [W]", "array"),
    ("array_m2", "Solar array [m²]", "array"),
    ("battery_wh", "Battery [Wh]", "battery"),
    ("battery_dod", "Battery DoD [%]", "battery"),
    ("radiator_m2", "Radiator [m²]", "radiator"),
    ("dose", "Dose [rad(Si)/yr]", "radiation"),
    ("dose_life", "Years to chip tolerance", "radiation"),
    ("separation", "Closest pair [m]", "cluster"),
    ("stationkeeping", "Station-keeping [m/s/yr]", "cluster"),
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


def significant(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, thousands separated, no trailing zeros.

    ``1.5`` -> ``"1.5"``, ``0.55`` -> ``"0.55"``, ``0.333`` -> ``"0.333"``, ``275.4`` -> ``"275"``,
    ``12345.6`` -> ``"12,346"``: a small figure keeps its digits, a large one is not cut.
    """
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fmt(value) -> str:
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
    return significant(v)


def budget_columns(results) -> list[dict]:
    """One dict per shell: header, values by row key, infeasible reasons (the engine's, shell by shell)."""
    mission = results.mission
    cols = []
    for k, entry in enumerate(mission.constellations):
        col: dict = {"header": entry.name, "values": {"bus": entry.bus}, "reasons": []}
        v = col["values"]
        c = results.compute.shells[k] if results.compute is not None else None
        if c is not None:
            v["hardware"] = f"{c.compute_units} × {c.hardware.name}"
            v["tops"] = _fmt(c.tops_per_satellite)
            v["required"] = _fmt(c.required_tops_per_satellite)
            v["util"] = _fmt(100 * c.utilization)
            d = getattr(results.compute, "delivered", None)
            if d is not None and k < len(d.shells):
                ds = d.shells[k]
                v["delivered"] = _fmt(100 * ds.delivered_fraction) + (" (energy)" if ds.throttled_energy_fraction > 0 else "") + (
                    " (heat)" if ds.throttled_heat_fraction > 0 else "")
            ld = getattr(results.compute, "load", None)
            if ld is not None and k < len(ld.shells):
                v["load"] = _fmt(100 * ld.shells[k].load_utilization_max)
                if ld.shells[k].reason:
                    col["reasons"].append(ld.shells[k].reason)
            if c.compute_short:
                col["reasons"].append(f"compute short: needs {c.required_tops_per_satellite:,.0f} TOPS, has {c.tops_per_satellite:,.0f}")
        p = results.power.shells[k] if results.power is not None else None
        if p is not None:
            s = p.sizing
            v["compute_w"] = _fmt(p.compute_w)
            v["load_w"] = _fmt(p.load_w)
            v["eclipse"] = _fmt(p.eclipse_max_s / 60.0)
            v["array_w"] = _fmt(s.get("solar_array_w"))
            v["array_m2"] = _fmt(s.get("solar_array_m2"))
            v["battery_wh"] = _fmt(s.get("battery_wh"))
            v["battery_dod"] = _fmt(100 * s.get("battery_dod", float("nan")))
            v["radiator_m2"] = _fmt(s.get("radiator_m2"))
            v["mass_kg"] = _fmt(p.mass_kg)
            col["reasons"] += list(p.infeasible_reasons)
        _radiation_and_cluster(results, entry.name, v)
        cs = results.cost.shells[k] if results.cost is not None else None
        if cs is not None:
            for key, attr, scale in (("cost", "launch_usd_per_sat", 1e3), ("cost_2035", "launch_usd_per_sat_2035", 1e3),
                                     ("sat_cost", "satellite_usd", 1e3), ("total", "constellation_usd", 1e6),
                                     ("total_2035", "constellation_usd_2035", 1e6)):
                v[key] = _fmt(getattr(cs, attr) / scale)
        v["feasible"] = "yes" if not col["reasons"] else "NO"
        cols.append(col)
    return cols


def _radiation_and_cluster(results, shell: str, values: dict) -> None:
    """Dose, chip life and formation figures of one shell, when those analyses ran for it."""
    radiation = getattr(results, "radiation", None)
    if radiation is not None:
        try:
            dose = radiation.shell(shell)
        except KeyError:
            dose = None
        if dose is not None:
            values["dose"] = _fmt(1000.0 * dose.tid_krad_per_year)
            values["dose_life"] = _fmt(dose.life_years) if dose.life_years is not None else "no published tolerance"
    cluster = getattr(results, "cluster", None)
    if cluster is not None:
        try:
            c = cluster.shell(shell)
        except KeyError:
            return
        values["separation"] = _fmt(c.min_separation_m)
        values["stationkeeping"] = _fmt(float(c.stationkeeping_dv_m_s_per_year.max()))


def _rows_hit(reason: str) -> set[str]:
    text = reason.lower()
    return {group for group, words in KEYWORDS.items() if any(w in text for w in words)}


class BudgetsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTableWidget(len(ROWS), 0, self)
        self.table.setObjectName("budgetTable")
        self.table.setVerticalHeaderLabels([r[1] for r in ROWS])
        # Columns share the width; a long name wraps onto a second line instead of ending in "…".
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.table.viewport().installEventFilter(self)  # the cell area: it narrows when a scroll bar appears
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.reasons = QLabel("", self)
        self.reasons.setObjectName("budgetReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setStyleSheet("color: #ff8080;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reasons)

    def fit_columns(self) -> None:
        """Share the width when every column's longest word fits; else give each column that word
        (the rest wraps) and let the table scroll sideways."""
        t = self.table
        metrics, header = t.fontMetrics(), t.horizontalHeader()
        need = []
        for c in range(t.columnCount()):
            texts = [t.horizontalHeaderItem(c).text() if t.horizontalHeaderItem(c) else ""]
            texts += [t.item(r, c).text() for r in range(t.rowCount()) if t.item(r, c) is not None]
            need.append(max((metrics.horizontalAdvance(w) for text in texts for w in text.split()), default=20) + 16)
        room = t.viewport().width()
        if sum(need) <= room:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            for c, width in enumerate(need):
                t.setColumnWidth(c, width)
        t.resizeRowsToContents()
        QTimer.singleShot(0, self._fit_rows)  # stretched sections take their width on the next layout pass

    def _fit_rows(self) -> None:
        try:
            self.table.resizeRowsToContents()
        except RuntimeError:  # the panel was deleted meanwhile
            pass

    def eventFilter(self, watched, event) -> bool:
        from PySide6.QtCore import QEvent

        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

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
            lines += [f"{col['header']}: {r}" for r in col["reasons"]]
        self.fit_columns()
        self.reasons.setText("\n".join(lines))
        self.reasons.setVisible(bool(lines))
