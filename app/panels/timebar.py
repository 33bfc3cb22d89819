"""The time bar: play/pause, speed (1x-3600x), a slider over the analysis window, the UTC time."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

SPEEDS = [1, 10, 30, 60, 120, 300, 600, 1200, 3600]
FRAME_MS = 33


class TimeBar(QWidget):
    """Emits ``timeChanged(float seconds_from_epoch)`` while playing or when the slider moves."""

    timeChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.play_button = QToolButton(self)
        self.play_button.setObjectName("playButton")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))  # glyphs need no font
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._toggle)
        self.speed = QComboBox(self)
        self.speed.setObjectName("speedCombo")
        for s in SPEEDS:
            self.speed.addItem(f"{s}x", s)
        self.speed.setCurrentIndex(SPEEDS.index(60))
        self.speed.setToolTip("Simulation seconds per second")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("timeSlider")
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._slider_moved)
        self.utc = QLabel("—", self)
        self.utc.setObjectName("utcLabel")
        self.utc.setMinimumWidth(250)
        font = self.utc.font()
        font.setFamily("DejaVu Sans Mono")
        self.utc.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.play_button)
        layout.addWidget(QLabel("Speed", self))
        layout.addWidget(self.speed)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.utc)
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._duration = 0.0
        self._t = 0.0
        self._time_grid = None
        self._quiet = False

    # -- model --------------------------------------------------------------------------------
    @property
    def current(self) -> float:
        return self._t

    def set_window(self, duration_s: float, time_grid=None) -> None:
        """The analysis window changed (new results)."""
        self._duration = float(duration_s)
        self._time_grid = time_grid
        self._quiet = True
        self.slider.setRange(0, int(round(self._duration)))
        self.slider.setSingleStep(max(1, int(self._duration / 1000)))
        self.slider.setPageStep(max(1, int(self._duration / 24)))
        self._quiet = False
        self.set_time(min(self._t, self._duration), emit=True)

    def set_time(self, t: float, emit: bool = True) -> None:
        self._t = max(0.0, min(float(t), self._duration))
        self._quiet = True
        self.slider.setValue(int(round(self._t)))
        self._quiet = False
        self.utc.setText(self.utc_text(self._t))
        if emit:
            self.timeChanged.emit(self._t)

    def utc_text(self, t: float) -> str:
        if self._time_grid is None:
            return f"T+{t / 3600:.2f} h"
        try:
            return f"{self._time_grid.iso(t)}   T+{t / 3600:05.2f} h"
        except Exception:  # noqa: BLE001
            return f"T+{t / 3600:.2f} h"

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def play(self, on: bool = True) -> None:
        self.play_button.setChecked(on)

    def set_speed(self, factor: int) -> None:
        idx = self.speed.findData(factor)
        if idx >= 0:
            self.speed.setCurrentIndex(idx)

    # -- internals ----------------------------------------------------------------------------
    def _toggle(self, on: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if on else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setToolTip("Pause (Space)" if on else "Play (Space)")
        if on:
            if self._t >= self._duration:
                self._t = 0.0
            self._last = time.monotonic()
            self._timer.start()
        else:
            self._timer.stop()

    def _tick(self) -> None:
        now = time.monotonic()
        dt = now - self._last
        self._last = now
        t = self._t + dt * float(self.speed.currentData())
        if t >= self._duration:
            t = 0.0  # loop over the window
        self.set_time(t)

    def _slider_moved(self, value: int) -> None:
        if not self._quiet:
            self.set_time(float(value))
