"""Details of the selected satellite: elements, altitude, state, next contact, lifetime."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from app.workers import Job
from core.constants import MU_EARTH_KM3_S2
from core.orbits.frames import geodetic_from_ecef


def next_contact(results, sat: int, t: float) -> str:
    access = getattr(results, "access", None)
    if access is None:
        return "—"
    try:
        idx = access.windows_of(sat=sat)
        aos = access.window_aos_s[idx]
        los = access.window_los_s[idx]
        now = np.flatnonzero((aos <= t) & (los > t))
        if now.size:
            k = idx[now[0]]
            return f"in contact with {access.station_names[access.window_station[k]]} (for {(access.window_los_s[k] - t) / 60:.0f} min)"
        later = np.flatnonzero(aos > t)
        if later.size == 0:
            return "none in the window"
        k = idx[later[np.argmin(aos[later])]]
        return f"{access.station_names[access.window_station[k]]} in {(access.window_aos_s[k] - t) / 60:.0f} min"
    except Exception:  # noqa: BLE001
        return "—"


class DetailsPanel(QWidget):
    """The selected satellite. The lifetime comes from the engine (``core.api.lifetime_of``:
    Cowell with J2 and drag, about a second) on a :class:`~app.workers.Job`, once per satellite."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._lifetimes: dict[tuple[int, int], str] = {}
        self._pending: set[tuple[int, int]] = set()
        self.form = QFormLayout(self)
        self.labels: dict[str, QLabel] = {}
        for key, label in [("name", "Satellite"), ("shell", "Shell"), ("elements", "Elements"), ("altitude", "Altitude"),
                           ("position", "Lat / lon"), ("velocity", "Speed"), ("state", "State"), ("contact", "Next contact"),
                           ("lifetime", "Lifetime (drag)")]:
            w = QLabel("—", self)
            w.setObjectName(f"detail_{key}")
            w.setWordWrap(True)
            self.labels[key] = w
            self.form.addRow(label, w)
        self.sat: int | None = None

    def show_satellite(self, view, sat: int | None, t: float) -> None:
        self.sat = sat
        if view is None or sat is None or sat < 0 or sat >= view.n_sat:
            for w in self.labels.values():
                w.setText("—")
            self.labels["name"].setText("click a satellite on the globe")
            return
        res = view.results
        eph = res.ephemeris
        shell = eph.shell_of(sat)
        i = view.nearest(t)
        e = shell.elements
        local = sat - shell.sat_slice.start

        def el(name, conv=1.0):
            arr = getattr(e, name, None)
            if arr is None:
                return float("nan")
            return float(np.asarray(arr).reshape(-1)[local]) * conv

        a = el("a_km")
        deg = 180.0 / math.pi
        self.labels["name"].setText(f"{eph.names[sat]}  (#{sat})")
        self.labels["shell"].setText(f"{shell.name} — plane {int(eph.plane_index[sat]) + 1}, slot {int(eph.slot_index[sat]) + 1}"
                                     if eph.plane_index[sat] >= 0 else shell.name)
        self.labels["elements"].setText(
            f"a {a:,.1f} km, e {el('e'):.4f}, i {el('i_rad', deg):.2f}°\nRAAN {el('raan_rad', deg) % 360:.2f}°, "
            f"ω {el('argp_rad', deg) % 360:.1f}°, M {el('m0_rad', deg) % 360:.1f}° (at epoch)")
        ecef = view.ecef_km_of([sat], i)  # this satellite only: a large run holds no whole-run arrays
        lat, lon, height = geodetic_from_ecef(ecef)
        alt = float(height[0])
        self.labels["altitude"].setText(f"{alt:,.1f} km (period {shell.period_s / 60:.1f} min)")
        self.labels["position"].setText(f"{float(lat[0]):+.2f}°, {float(lon[0]):+.2f}°")
        r = float(np.linalg.norm(ecef[0]))  # geocentric distance (the vis-viva r), not height + a radius
        speed = math.sqrt(MU_EARTH_KM3_S2 * (2 / r - 1 / a)) if a == a else math.sqrt(MU_EARTH_KM3_S2 / r)
        self.labels["velocity"].setText(f"{speed:.3f} km/s")
        lit = view.sunlit_of(sat, t)
        self.labels["state"].setText("☀ sunlit" if lit else "● eclipse")
        self.labels["contact"].setText(next_contact(res, sat, t))
        self.labels["lifetime"].setText(self._lifetime_text(res, sat))

    def _lifetime_text(self, results: object, sat: int) -> str:
        key = (id(results), sat)
        if key in self._lifetimes:
            return self._lifetimes[key]
        if key not in self._pending:
            self._pending.add(key)
            job = Job(lambda _cancelled, _report: lifetime_text(results, sat), self, "lifetime")
            job.done.connect(lambda text: self._on_lifetime(results, sat, text))
            job.finished.connect(job.deleteLater)
            job.start()
        return "estimating (Cowell, J2 + drag)…"

    def _on_lifetime(self, results: object, sat: int, text: str) -> None:
        key = (id(results), sat)
        self._pending.discard(key)
        self._lifetimes[key] = text
        if len(self._lifetimes) > 256:
            self._lifetimes.pop(next(iter(self._lifetimes)))
        if self.sat == sat:
            self.labels["lifetime"].setText(text)


def lifetime_text(results: object, sat: int) -> str:
    """The orbital lifetime of satellite ``sat`` in words (a Cowell run: seconds; called off the GUI thread)."""
    from core.api import lifetime_of

    try:
        return f"~{lifetime_of(results, sat).text} (COESA-76 drag, mean solar activity)"
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
        return f"not available ({exc})"
