"""The constellation editor: shells and stations, a form per shell, presets, inline validation.

Every change goes through :class:`~app.document.MissionDocument` (an undo command; the rules of
an edit, such as keeping a Walker shorthand in step, are in :mod:`app.edits`); a change
that does not validate pushes nothing, marks the field red and shows the engine's message
under the form. The form is rebuilt from the document whenever it changes (edit, undo, redo).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import commands
from app.document import EditError, MissionDocument
from app.edits import satellite_count
from app.panels.shell_values import ORBIT_KEYS, WALKER_KEYS, shown_shell

INVALID_STYLE = "border: 1px solid #ff5c5c; background: #3a1f22;"
STATION_COLUMNS = [("name", "Name", str), ("lat_deg", "Lat [deg]", float), ("lon_deg", "Lon [deg]", float),
                   ("alt_m", "Alt [m]", float), ("min_elevation_deg", "Min el [deg]", float)]


class ShellForm(QGroupBox):
    """Fields of one constellation entry. ``edit(key, value)`` is emitted for a change."""

    edit = Signal(str, object)
    reverted = Signal()
    """A field was put back to the document's value: any message about it is stale."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Shell", parent)
        self.setObjectName("shellForm")
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QWidget] = {}

        def line(key, tip=""):
            w = QLineEdit(self)
            w.setObjectName(f"field_{key}")
            w.setToolTip(tip)
            w.editingFinished.connect(lambda k=key, w=w: self._line_done(k, w))
            self.fields[key] = w
            return w

        def dspin(key, lo, hi, decimals, suffix, step=1.0, unset=None):
            # ``unset``: one step below the range, shown as "—" (the entry does not set the value)
            w = QDoubleSpinBox(self)
            if unset is not None:
                lo = unset
                w.setSpecialValueText("—")
            w.setObjectName(f"field_{key}")
            w.setRange(lo, hi)
            w.setDecimals(decimals)
            w.setSuffix(suffix)
            w.setSingleStep(step)
            w.setKeyboardTracking(False)
            w.valueChanged.connect(lambda v, k=key: self._changed(k, float(v)))
            self.fields[key] = w
            return w

        def ispin(key, lo, hi):
            w = QSpinBox(self)
            w.setSpecialValueText("—")  # the lowest value, one below the valid range: not set
            w.setObjectName(f"field_{key}")
            w.setRange(lo, hi)
            w.setKeyboardTracking(False)
            w.valueChanged.connect(lambda v, k=key: self._changed(k, int(v)))
            self.fields[key] = w
            return w

        def combo(key, items):
            w = QComboBox(self)
            w.setObjectName(f"field_{key}")
            for it in items:
                w.addItem(it, it)
            w.activated.connect(lambda _i, k=key, w=w: self._changed(k, w.currentData()))
            self.fields[key] = w
            return w

        form.addRow("Name", line("name"))
        self.walker = line("walker", 'Walker shorthand "i:t/p/f" (inclination : total / planes / phasing)')
        self.walker.setPlaceholderText("i:t/p/f  e.g. 53:1584/72/17")
        form.addRow("Walker i:t/p/f", self.walker)
        form.addRow("Pattern", combo("pattern", ["delta", "star"]))
        # The boxes accept what the engine may refuse (150 km): its message then says why.
        form.addRow("Altitude", dspin("altitude_km", 1, 50000, 1, " km", 10, unset=0))
        incl_row = QHBoxLayout()
        incl_row.addWidget(dspin("inclination_deg", 0, 180, 2, " deg", 0.5, unset=-1), 1)
        self.sso = QCheckBox("SSO", self)
        self.sso.setObjectName("field_sso")
        self.sso.setToolTip("Sun-synchronous inclination for this altitude")
        self.sso.toggled.connect(self._sso_toggled)
        incl_row.addWidget(self.sso)
        form.addRow("Inclination", incl_row)
        form.addRow("LTAN", dspin("ltan_h", 0, 23.99, 2, " h", 0.5, unset=-0.5))
        self.fields["ltan_h"].setToolTip("Local time of the ascending node; — : not set (RAAN 0 applies)")
        form.addRow("Planes", ispin("planes", 0, 1000))
        form.addRow("Sats / plane", ispin("sats_per_plane", 0, 1000))
        form.addRow("Phasing F", ispin("phasing", -1, 999))
        form.addRow("RAAN 0", dspin("raan0_deg", -360, 360, 2, " deg", 5, unset=-361))
        form.addRow("Propagator", combo("propagator", ["two-body", "j2", "sgp4"]))
        form.addRow("Links (ISL)", combo("isl", ["none", "plus-grid"]))
        form.addRow("Bus", combo("bus", ["default"]))
        self.count = QLabel("", self)
        self.count.setObjectName("satCount")
        form.addRow("Satellites", self.count)
        self.source = QLabel("", self)
        form.addRow("Source", self.source)
        self._loading = False
        self.entry: dict = {}

    # -- from the document ---------------------------------------------------------------------
    def load(self, entry: dict, buses: list[str], epoch=None) -> None:
        """Show ``entry`` (plain mission data); ``epoch`` resolves an LTAN into the RAAN it sets."""
        self._loading = True
        try:
            self.entry = entry
            shown = shown_shell(entry, epoch)
            v = shown.values
            self.fields["name"].setText(entry.get("name", ""))
            self.walker.setText(entry.get("walker", "") or "")
            self._set_combo("pattern", v["pattern"])
            self.sso.setChecked(bool(v["sso"]))
            for key in ("altitude_km", "inclination_deg", "ltan_h", "raan0_deg", "planes", "sats_per_plane", "phasing"):
                box = self.fields[key]
                box.setValue(box.minimum() if v[key] is None else v[key])
                box.setToolTip(shown.notes.get(key, box.toolTip() if key == "ltan_h" else ""))
            self._set_combo("propagator", entry.get("propagator", "j2"))
            self._set_combo("isl", entry.get("isl", "none"))
            bus = self.fields["bus"]
            bus.clear()
            for b in sorted(set(buses) | {"default", entry.get("bus", "default")}):
                bus.addItem(b, b)
            self._set_combo("bus", entry.get("bus", "default"))
            for key in WALKER_KEYS + ORBIT_KEYS:
                (self.sso if key == "sso" else self.fields[key]).setEnabled(key in shown.editable)
            n = satellite_count(entry)
            self.count.setText("from file" if n is None else f"{n:,}")
            self.source.setText({"walker": "Walker shell", "cluster": "cluster around this orbit",
                                 "satellites": "custom satellites", "file": "TLE / OMM file"}[shown.source])
            self.clear_errors()
        finally:
            self._loading = False

    def _set_combo(self, key: str, value: str) -> None:
        w: QComboBox = self.fields[key]  # type: ignore[assignment]
        idx = w.findData(value)
        if idx < 0:
            w.addItem(value, value)
            idx = w.findData(value)
        w.setCurrentIndex(idx)

    # -- to the document -----------------------------------------------------------------------
    def _line_done(self, key: str, w: QLineEdit) -> None:
        text = w.text().strip()
        if text == (self.entry.get(key) or ""):
            self.clear_errors()
            self.reverted.emit()
            return
        self._changed(key, text or None)

    def _changed(self, key: str, value) -> None:
        if key == "ltan_h" and value < 0:
            value = None  # stepped below 00:00: LTAN not set
        if not self._loading:
            self.edit.emit(key, value)

    def _sso_toggled(self, on: bool) -> None:
        if self._loading:
            return
        self.edit.emit("inclination_deg", "sso" if on else float(self.fields["inclination_deg"].value()))

    # -- inline validation ---------------------------------------------------------------------
    def clear_errors(self) -> None:
        for w in self.fields.values():
            w.setStyleSheet("")

    def mark_invalid(self, key: str) -> None:
        if key in self.fields:
            self.fields[key].setStyleSheet(INVALID_STYLE)


class ConstellationEditor(QWidget):
    """Shells, stations and the mission's analysis window; every change is an undo step."""

    shellSelected = Signal(int)

    def __init__(self, doc: MissionDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)

        # Mission-level settings
        top = QHBoxLayout()
        self.mission_name = QLineEdit(self)
        self.mission_name.setObjectName("missionName")
        self.mission_name.editingFinished.connect(self._name_done)
        top.addWidget(self.mission_name, 1)
        self.presets = QToolButton(self)
        self.presets.setObjectName("presetsButton")
        self.presets.setText("Presets")
        self.presets.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_menu = QMenu(self.presets)
        self.presets.setMenu(self.presets_menu)
        self.presets_menu.aboutToShow.connect(self._fill_presets)
        top.addWidget(self.presets)
        layout.addLayout(top)

        window = QGridLayout()
        window.setVerticalSpacing(1)
        self.duration = QDoubleSpinBox(self)
        self.duration.setObjectName("durationHours")
        self.duration.setRange(0.1, 24 * 30)
        self.duration.setDecimals(1)
        self.duration.setSuffix(" h")
        self.duration.setKeyboardTracking(False)
        self.duration.valueChanged.connect(lambda v: self._edit(("analysis", "duration_s"), float(v) * 3600.0, "Set duration"))
        self.step = QDoubleSpinBox(self)
        self.step.setObjectName("stepSeconds")
        self.step.setRange(1, 3600)
        self.step.setDecimals(0)
        self.step.setSuffix(" s")
        self.step.setKeyboardTracking(False)
        self.step.valueChanged.connect(lambda v: self._edit(("analysis", "step_s"), float(v), "Set time step"))
        self.min_el = QDoubleSpinBox(self)
        self.min_el.setObjectName("minElevation")
        self.min_el.setRange(0, 89)
        self.min_el.setDecimals(1)
        self.min_el.setSuffix(" deg")
        self.min_el.setKeyboardTracking(False)
        self.min_el.valueChanged.connect(lambda v: self._edit(("analysis", "min_elevation_deg"), float(v), "Set elevation mask"))
        for col, (label, w) in enumerate((("Window", self.duration), ("Step", self.step), ("Mask", self.min_el))):
            window.addWidget(QLabel(label, self), 0, col)  # labels above the boxes: the dock stays narrow
            window.addWidget(w, 1, col)
            window.setColumnStretch(col, 1)
        layout.addLayout(window)

        # Shell list
        shells_head = QHBoxLayout()
        shells_head.addWidget(QLabel("<b>Shells</b>", self))
        shells_head.addStretch(1)
        self.add_shell_btn = QPushButton("+", self)
        self.add_shell_btn.setObjectName("addShell")
        self.add_shell_btn.setToolTip("Add a shell")
        self.add_shell_btn.setFixedWidth(28)
        self.add_shell_btn.clicked.connect(self._add_shell)
        self.remove_shell_btn = QPushButton("−", self)
        self.remove_shell_btn.setObjectName("removeShell")
        self.remove_shell_btn.setToolTip("Remove the selected shell")
        self.remove_shell_btn.setFixedWidth(28)
        self.remove_shell_btn.clicked.connect(self._remove_shell)
        shells_head.addWidget(self.add_shell_btn)
        shells_head.addWidget(self.remove_shell_btn)
        layout.addLayout(shells_head)
        self.shell_list = QListWidget(self)
        self.shell_list.setObjectName("shellList")
        self.shell_list.setMaximumHeight(90)
        self.shell_list.currentRowChanged.connect(self._shell_row_changed)
        layout.addWidget(self.shell_list)

        self.form = ShellForm(self)
        self.form.edit.connect(self._shell_edit)
        self.form.reverted.connect(lambda: self.error.setVisible(False))
        layout.addWidget(self.form)
        self.error = QLabel("", self)
        self.error.setObjectName("validationMessage")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff7070;")
        self.error.setVisible(False)
        layout.addWidget(self.error)

        # Stations
        st_head = QHBoxLayout()
        st_head.addWidget(QLabel("<b>Ground stations</b>", self))
        st_head.addStretch(1)
        self.add_station_btn = QPushButton("+", self)
        self.add_station_btn.setObjectName("addStation")
        self.add_station_btn.setFixedWidth(28)
        self.add_station_btn.clicked.connect(self._add_station)
        self.remove_station_btn = QPushButton("−", self)
        self.remove_station_btn.setObjectName("removeStation")
        self.remove_station_btn.setFixedWidth(28)
        self.remove_station_btn.clicked.connect(self._remove_station)
        st_head.addWidget(self.add_station_btn)
        st_head.addWidget(self.remove_station_btn)
        layout.addLayout(st_head)
        self.stations = QTableWidget(0, len(STATION_COLUMNS), self)
        self.stations.setObjectName("stationTable")
        self.stations.setHorizontalHeaderLabels([c[1] for c in STATION_COLUMNS])
        # columns fit their text (the table scrolls sideways in a narrow dock) rather than cut it
        self.stations.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.stations.verticalHeader().setVisible(False)
        self.stations.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.stations.itemChanged.connect(self._station_item_changed)
        layout.addWidget(self.stations, 1)

        self._loading = False
        self.current_shell = 0
        self.sun_ready = False
        doc.missionChanged.connect(self.refresh)
        self.refresh()

    # -- document -> widgets ---------------------------------------------------------------
    def refresh(self) -> None:
        self._loading = True
        try:
            data = self.doc.as_dict()
            m = self.doc.mission
            self.mission_name.setText(m.name)
            self.mission_name.setCursorPosition(0)  # show the start of a long name, not its end
            self.duration.setValue(m.analysis.duration_s / 3600.0)
            self.step.setValue(m.analysis.step_s)
            self.min_el.setValue(m.analysis.min_elevation_deg)
            shells = data.get("constellations", [])
            self.shell_list.clear()
            for entry in shells:
                n = satellite_count(entry)
                self.shell_list.addItem(f"{entry.get('name', '?')}  ({'file' if n is None else f'{n:,} sats'})")
            self.current_shell = min(self.current_shell, max(0, len(shells) - 1))
            self.shell_list.setCurrentRow(self.current_shell)
            if shells:
                self.form.load(shells[self.current_shell], list(m.buses), self._epoch())
            self.remove_shell_btn.setEnabled(len(shells) > 1)
            stations = data.get("ground_stations", [])
            self.stations.setRowCount(len(stations))
            for r, st in enumerate(stations):
                for c, (key, _label, _typ) in enumerate(STATION_COLUMNS):
                    value = getattr(m.ground_stations[r], key)
                    self.stations.setItem(r, c, QTableWidgetItem(str(value) if key == "name" else f"{value:g}"))
            self.error.setVisible(False)
        finally:
            self._loading = False

    def _epoch(self):
        """The epoch that resolves an LTAN into its RAAN, once an analysis has warmed the Sun model.

        The first Sun position costs ~0.4 s (astropy's set-up): paid by the worker, not at start-up.
        """
        return self.doc.mission.epoch if self.sun_ready else None

    def engine_ready(self) -> None:
        """The first analysis has loaded the Sun model: show the RAAN an LTAN sets."""
        if not self.sun_ready:
            self.sun_ready = True
            self.refresh()

    # -- widgets -> document -----------------------------------------------------------------
    def _edit(self, path, value, text: str) -> bool:
        if self._loading:
            return False
        try:
            self.doc.edit_field(path, value, text)
        except EditError as err:
            self.show_problems(err.problems)
            return False
        self.error.setVisible(False)
        return True

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        self.form.clear_errors()
        lines = []
        for path, message in problems:
            key = path.split(".")[-1] if path else ""
            self.form.mark_invalid(key)
            if key in ("t", "p", "f") or "walker" in path:
                self.form.mark_invalid("walker")
            lines.append(f"{path}: {message}" if path else message)
        self.error.setText("\n".join(lines))
        self.error.setVisible(True)

    def _name_done(self) -> None:
        name = self.mission_name.text().strip()
        if name and name != self.doc.mission.name:
            self._edit(("name",), name, "Rename mission")

    def _shell_row_changed(self, row: int) -> None:
        if self._loading or row < 0:
            return
        self.current_shell = row
        entry = self.doc.as_dict()["constellations"][row]
        self.form.load(entry, list(self.doc.mission.buses), self._epoch())
        self.shellSelected.emit(row)

    def _shell_edit(self, key: str, value: object) -> None:
        try:
            self.doc.edit_shell(self.current_shell, key, value)
        except EditError as err:
            self.show_problems(err.problems)
            return
        self.error.setVisible(False)

    def _add_shell(self) -> None:
        try:
            commands.add_entry(self.doc, "constellations")
        except EditError as err:
            self.show_problems(err.problems)
            return
        self.current_shell = len(self.doc.mission.constellations) - 1
        self.refresh()

    def _remove_shell(self) -> None:
        try:
            commands.remove_entry(self.doc, "constellations", self.current_shell)
        except EditError as err:
            self.show_problems(err.problems)

    def _add_station(self) -> None:
        try:
            commands.add_entry(self.doc, "ground_stations")
        except EditError as err:
            self.show_problems(err.problems)

    def _remove_station(self) -> None:
        row = self.stations.currentRow()
        if row < 0:
            row = self.stations.rowCount() - 1
        if row < 0:
            return
        try:
            commands.remove_entry(self.doc, "ground_stations", row)
        except EditError as err:
            self.show_problems(err.problems)

    def _station_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        key, label, typ = STATION_COLUMNS[item.column()]
        try:
            value = typ(item.text().strip())
        except ValueError:
            self.show_problems([(f"ground_stations[{item.row()}].{key}", "must be a number")])
            item.setBackground(Qt.GlobalColor.darkRed)
            return
        self._edit(("ground_stations", item.row(), key), value, f"Set station {label}")

    def _fill_presets(self) -> None:
        self.presets_menu.clear()
        try:
            from core import api

            names = api.preset_names()
        except Exception:  # noqa: BLE001
            names = []
        for name in names:
            act = self.presets_menu.addAction(name)
            act.triggered.connect(lambda _=False, n=name: self.apply_preset(n))

    def apply_preset(self, name: str) -> None:
        """Replace the document's content with a preset (an undoable step, unlike File > New)."""
        from core import api

        commands.replace_from_preset(self.doc, api.load_preset(name), name)
