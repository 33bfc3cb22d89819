"""The Plots dock's body: the plots side by side when the dock is wide enough, else one tab each.

A plot narrower than :data:`SIDE_BY_SIDE_MIN_PX` cannot show its title, legend and both axes;
below that width per plot the panel switches to tabs, so each plot gets the whole dock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedLayout, QTabWidget, QWidget

SIDE_BY_SIDE_MIN_PX = 380
"""Smallest width (px) a plot gets when the plots are shown side by side."""


class PlotsPanel(QWidget):
    """Holds titled plot widgets; ``mode`` is ``"side"`` (a splitter) or ``"tabs"``."""

    def __init__(self, plots: list[tuple[str, QWidget]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("plotsPanel")
        self.all_plots = list(plots)
        self.plots = list(plots)
        """The plots shown now (see :meth:`show_only`); ``all_plots`` holds every plot."""
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("plotsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("plotsTabs")
        self.tabs.setDocumentMode(True)
        self.stack = QStackedLayout(self)
        self.stack.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.tabs)
        self.mode = ""
        self.set_mode("side")
        self.setMinimumSize(240, 140)  # explicit: the splitter's own minimum (all plots side by side) must not bind

    def set_mode(self, mode: str) -> None:
        """Arrange the plots side by side (``"side"``) or as tabs (``"tabs"``)."""
        if mode == self.mode:
            return
        current = self.tabs.currentIndex()
        if mode == "side":
            while self.tabs.count():
                self.tabs.removeTab(0)
            for _title, w in self.all_plots:
                self.splitter.addWidget(w)
                w.setVisible(any(w is shown for _t, shown in self.plots))
            self.splitter.setSizes([1] * len(self.all_plots))
            self.stack.setCurrentWidget(self.splitter)
        else:
            for title, w in self.all_plots:
                if any(w is shown for _t, shown in self.plots):
                    self.tabs.addTab(w, title)
                else:  # parked, hidden, in the splitter
                    self.splitter.addWidget(w)
                    w.hide()
            self.tabs.setCurrentIndex(max(current, 0))
            self.stack.setCurrentWidget(self.tabs)
        self.mode = mode

    def show_only(self, titles: list[str]) -> None:
        """Show the plots with these titles (in their original order), hide the others."""
        shown = [(t, w) for t, w in self.all_plots if t in titles]
        if [w for _t, w in shown] == [w for _t, w in self.plots]:
            return
        self.plots = shown
        mode, self.mode = self.mode, ""
        if mode == "tabs":
            while self.tabs.count():
                self.tabs.removeTab(0)
        self.set_mode(self.mode_for_width(self.width()) if self.width() > 0 else mode)

    def mode_for_width(self, width_px: int) -> str:
        return "side" if width_px >= SIDE_BY_SIDE_MIN_PX * len(self.plots) else "tabs"

    def resizeEvent(self, event) -> None:
        self.set_mode(self.mode_for_width(event.size().width()))
        super().resizeEvent(event)

