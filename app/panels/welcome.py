"""The first-run welcome panel and the short guided tour.

:class:`WelcomePanel` is a dock (objectName ``welcomeDock``) that lists the built-in preset
missions and offers the tour. It knows nothing of the main window: it only emits

* ``presetChosen(str)`` — the preset name (``"starlink-shell-1"``) the user picked;
* ``tourRequested()`` — the user asked for the guided tour.

:class:`GuidedTour` is a small non-modal dialog (objectName ``guidedTour``) that steps through four
pages: design a shell, read coverage and latency, size compute, compare time to insight. Each page
names the dock it talks about; when a page is shown the tour emits ``highlightRequested(str)``
with that dock's objectName (``editorDock``, ``plotsDock``, ``budgetsDock``) so the window can
raise it. Wiring, for the main window::

    self.welcome = WelcomePanel(self)
    self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.welcome)
    self.welcome.presetChosen.connect(self.files.new_from_preset)
    self.tour = GuidedTour(self)
    self.welcome.tourRequested.connect(self.tour.start)
    self.tour.highlightRequested.connect(lambda name: self.docks[name].raise_())

Nothing here imports the engine's analyses: the preset list is read from the preset YAML files'
``name`` and ``description`` keys, so building the panel costs a few milliseconds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

SETTINGS_KEY = "welcome/showAtStartup"
LINK_COLOR = "#6cb6ff"  # readable on the app's dark palette (its Link role is the default dark blue)


def docs_dir() -> Path | None:
    """The ``docs/`` folder: beside the packages in a checkout, inside a PyInstaller bundle."""
    here = Path(__file__).resolve().parents[2] / "docs"
    if here.is_dir():
        return here
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / "docs").is_dir():
        return Path(bundle) / "docs"
    return None


def doc_link(name: str, text: str) -> str:
    """A link to ``docs/<name>`` (a file URL), or the plain text when the docs are not installed."""
    folder = docs_dir()
    if folder is None or not (folder / name).is_file():
        return text
    url = QUrl.fromLocalFile(str(folder / name)).toString()
    return f'<a href="{url}" style="color: {LINK_COLOR};">{text}</a>'


@dataclass(frozen=True)
class PresetInfo:
    """What the welcome panel shows of one preset: its key, title and description."""

    key: str
    title: str
    description: str = ""


def builtin_presets() -> list[PresetInfo]:
    """The built-in presets, ``default`` first, read cheaply from their YAML (no validation)."""
    import yaml

    from core.catalog.presets import preset_names, preset_path

    out = []
    for key in preset_names():
        try:
            data = yaml.safe_load(preset_path(key).read_text(encoding="utf-8")) or {}
        except Exception:  # noqa: BLE001 - a broken preset still gets a row; loading it reports the problem
            data = {}
        title = str(data.get("name") or key)
        desc = " ".join(str(data.get("description") or "").split())
        out.append(PresetInfo(key, title, desc))
    return out


# ------------------------------------------------------------------------------------------ tour
@dataclass(frozen=True)
class TourPage:
    title: str
    dock: str  # objectName of the dock the page talks about
    text: str  # rich text


TOUR_PAGES: tuple[TourPage, ...] = (
    TourPage(
        "1 · Design a shell", "editorDock",
        "<p>The <b>Constellation</b> panel on the left edits the open mission. A shell is a Walker "
        "pattern: <i>altitude</i>, <i>inclination</i> (a number, or <b>SSO</b> for sun-synchronous), "
        "<i>planes</i> × <i>satellites per plane</i> and the <i>phasing</i> F.</p>"
        "<p>Change any field: the analysis reruns by itself a moment later, a quick preview first and "
        "then the full day. <b>Ctrl+Z</b> undoes an edit; <b>File ▸ New from preset</b> starts over "
        "from a real system.</p>"
        "<p><i>Try it:</i> raise the altitude from 550 to 1,200 km and watch the footprints on the globe "
        "grow.</p>"),
    TourPage(
        "2 · Read coverage and latency", "plotsDock",
        "<p>The <b>Coverage</b> plot shows the share of the Earth's area that sees at least one satellite "
        "above the elevation mask, over the analysis window, with the mean number of satellites in view. "
        "The status bar and <code>starnet analyze</code> also give the longest gap.</p>"
        "<p>The <b>Latency</b> plot routes each city pair of the mission through the laser links and "
        "compares the one-way delay with a fibre cable along the great circle (light in glass is a third "
        "slower than in vacuum).</p>"
        "<p><i>Try it:</i> pick the other pair in the latency plot's list; its route is drawn on the "
        "globe.</p>"),
    TourPage(
        "3 · Size compute, power and heat", "budgetsDock",
        "<p>Each shell flies a bus with a computer from the hardware catalogue (Jetson Orin, H100, "
        "TPU ...). The <b>Budgets</b> table gives its TOPS, the TOPS the workload needs and the "
        "utilisation, then sizes the solar array and battery against the longest eclipse of the year and "
        "the radiator that rejects the heat.</p>"
        "<p>Red cells are budgets the bus cannot close; the reason is in the tooltip and under the "
        "table.</p>"
        "<p><i>Try it:</i> open the <b>suncatcher</b> preset and compare its power and radiator with the "
        "demo shell's.</p>"),
    TourPage(
        "4 · Compare time to insight", "plotsDock",
        "<p>The <b>Time to insight</b> plot answers the question the whole tool is for: how long from "
        "a capture to a result on the ground?</p>"
        "<p><b>Traditional</b>: downlink the raw data at the next ground-station pass, then process it in "
        "a data centre. <b>In orbit</b>: process on board and send only the result, through the laser "
        "mesh to whichever satellite is over a station. The plot shows both distributions; the speed-up "
        "and the downlink saved are in <code>starnet analyze</code>'s <i>insight</i> section.</p>"
        "<p>That is the tour. The user guide and the students' tutorial (docs/) go further.</p>"),
)


class GuidedTour(QDialog):
    """A four-page, non-modal walk through the app (Back / Next / Close)."""

    highlightRequested = Signal(str)  # objectName of the dock the current page talks about
    pageChanged = Signal(int)
    finished_tour = Signal()

    def __init__(self, parent: QWidget | None = None, pages: tuple[TourPage, ...] = TOUR_PAGES):
        super().__init__(parent)
        self.setObjectName("guidedTour")
        self.setWindowTitle("StarNet Studio — guided tour")
        self.setModal(False)
        self.pages = tuple(pages)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("tourPages")
        for i, page in enumerate(self.pages):
            w = QWidget(self.stack)
            lay = QVBoxLayout(w)
            title = QLabel(f"<h3>{page.title}</h3>", w)
            title.setObjectName(f"tourTitle{i}")
            body = QLabel(page.text, w)
            body.setObjectName(f"tourText{i}")
            body.setWordWrap(True)
            body.setTextFormat(Qt.TextFormat.RichText)
            body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            lay.addWidget(title)
            lay.addWidget(body, 1)
            self.stack.addWidget(w)
        self.position = QLabel(self)
        self.position.setObjectName("tourPosition")
        self.back_button = QPushButton("◀ Back", self)
        self.back_button.setObjectName("tourBack")
        self.next_button = QPushButton("Next ▶", self)
        self.next_button.setObjectName("tourNext")
        self.next_button.setDefault(True)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("tourClose")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.position)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)
        self.resize(460, 340)
        self._update()

    # -- navigation
    @property
    def index(self) -> int:
        return self.stack.currentIndex()

    def current_page(self) -> TourPage:
        return self.pages[self.index]

    def start(self) -> None:
        """Show the tour from its first page."""
        self.go_to(0)
        self.show()
        self.raise_()
        self.activateWindow()

    def go_to(self, index: int) -> None:
        index = max(0, min(int(index), len(self.pages) - 1))
        self.stack.setCurrentIndex(index)
        self._update()
        self.pageChanged.emit(index)
        self.highlightRequested.emit(self.pages[index].dock)

    def next(self) -> None:
        if self.index >= len(self.pages) - 1:
            self.finished_tour.emit()
            self.close()
            return
        self.go_to(self.index + 1)

    def back(self) -> None:
        if self.index > 0:
            self.go_to(self.index - 1)

    def _update(self) -> None:
        i, n = self.index, len(self.pages)
        self.position.setText(f"{i + 1} of {n}")
        self.back_button.setEnabled(i > 0)
        self.next_button.setText("Finish" if i == n - 1 else "Next ▶")


# --------------------------------------------------------------------------------------- welcome
class WelcomePanel(QDockWidget):
    """The welcome dock: the presets to open and the tour. Emits, never calls the window."""

    presetChosen = Signal(str)
    tourRequested = Signal()

    def __init__(self, parent: QWidget | None = None, presets: list[PresetInfo] | None = None,
                 settings: QSettings | None = None):
        super().__init__("Welcome", parent)
        self.setObjectName("welcomeDock")
        self.settings = settings
        body = QWidget(self)
        body.setObjectName("welcomeBody")
        layout = QVBoxLayout(body)

        intro = QLabel(
            "<h3>Welcome to StarNet Studio</h3>"
            "<p>Design a constellation of satellites that compute in orbit, and see what it buys you: "
            "coverage, latency over laser links, the power and heat of the onboard computers, and how "
            "much sooner a result reaches the ground.</p>"
            "<p>The demo mission is open and already analysed. Start from a real system:</p>", body)
        intro.setObjectName("welcomeIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.preset_list = QListWidget(body)
        self.preset_list.setObjectName("welcomePresets")
        self.preset_list.itemActivated.connect(self._activated)
        layout.addWidget(self.preset_list, 1)
        self.open_button = QPushButton("Open preset", body)
        self.open_button.setObjectName("welcomeOpenPreset")
        self.open_button.setToolTip("Open the selected preset as a new, unsaved mission")
        self.open_button.clicked.connect(self._open_selected)
        self.tour_button = QPushButton("Take the 2-minute tour", body)
        self.tour_button.setObjectName("welcomeTour")
        self.tour_button.clicked.connect(self.tourRequested.emit)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.tour_button)
        layout.addLayout(row)

        docs = QLabel(
            f"<p>Read more: the {doc_link('user-guide.md', 'user guide')}, the "
            f"{doc_link('tutorial.md', 'tutorial for students')} (three trade-offs, step by step) "
            f"and the {doc_link('mission-file.md', 'mission-file reference')}.</p>", body)
        docs.setObjectName("welcomeDocs")
        docs.setWordWrap(True)
        docs.setOpenExternalLinks(True)
        layout.addWidget(docs)

        self.show_at_startup_box = QCheckBox("Show this panel at start-up", body)
        self.show_at_startup_box.setObjectName("welcomeShowAtStartup")
        self.show_at_startup_box.setChecked(self.show_at_startup())
        self.show_at_startup_box.toggled.connect(self._store_show_at_startup)
        layout.addWidget(self.show_at_startup_box)
        self.setWidget(body)

        self.set_presets(builtin_presets() if presets is None else presets)

    # -- presets
    def set_presets(self, presets: list[PresetInfo]) -> None:
        self.preset_list.clear()
        for p in presets:
            item = QListWidgetItem(p.title if p.title == p.key else f"{p.title}  ({p.key})")
            item.setData(Qt.ItemDataRole.UserRole, p.key)
            if p.description:
                item.setToolTip(p.description)
            self.preset_list.addItem(item)
        if presets:
            self.preset_list.setCurrentRow(0)
        self.open_button.setEnabled(bool(presets))

    def preset_keys(self) -> list[str]:
        return [self.preset_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.preset_list.count())]

    def choose(self, key: str) -> None:
        """Select preset ``key`` and emit ``presetChosen`` (what a double-click does)."""
        keys = self.preset_keys()
        if key not in keys:
            raise KeyError(f"unknown preset {key!r}; known: {', '.join(keys)}")
        self.preset_list.setCurrentRow(keys.index(key))
        self.presetChosen.emit(key)

    def _activated(self, item: QListWidgetItem) -> None:
        self.presetChosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _open_selected(self) -> None:
        item = self.preset_list.currentItem()
        if item is not None:
            self.presetChosen.emit(item.data(Qt.ItemDataRole.UserRole))

    # -- show at start-up
    def show_at_startup(self) -> bool:
        if self.settings is None:
            return True
        value = self.settings.value(SETTINGS_KEY, True)
        return value not in (False, "false", "0", 0)

    def _store_show_at_startup(self, on: bool) -> None:
        if self.settings is not None:
            self.settings.setValue(SETTINGS_KEY, bool(on))
