"""A large mission's orbits on the globe before, or without, its analysis.

A mission of :data:`~app.globe.prepare.LARGE_RUN_SATS` satellites or more may take minutes to
analyse, or be refused for memory. :class:`EphemerisFeed` builds its ephemeris lazily (no
positions yet) when an analysis starts, off the GUI thread, and shows the orbits-only view on
the globe, the map, the time bar and the satellite details until the analysis delivers results.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.globe.prepare import LARGE_RUN_SATS, ViewData, prepare_ephemeris_view
from app.workers import Job


def ephemeris_view(mission, base_dir) -> ViewData | None:
    """The orbits-only view of ``mission`` if it is a large run, else None (its analysis is quick)."""
    from core.orbits.ephemeris import build_ephemeris

    eph = build_ephemeris(mission, base_dir, lazy=True)
    if eph.n_sat < LARGE_RUN_SATS:
        return None
    return prepare_ephemeris_view(eph, mission)


def show_ephemeris_view(window, view: ViewData, note: str = "orbits only until the analysis arrives") -> None:
    """Show an orbits-only ``view`` in ``window`` (a :class:`~app.main_window.MainWindow`), GUI thread."""
    eph = view.ephemeris
    window.view_data = view
    window.globe.set_view(view)
    window.map.set_view(view)
    window.analysis.count_label.setText(f"{eph.n_sat:,} satellites · {eph.n_time:,} epochs ({note})")
    window.timebar.set_window(float(eph.time.duration_s), eph.time)


class EphemerisFeed(QObject):
    """Shows a large mission's orbits as soon as its ephemeris is built (see the module text)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.runner.started.connect(self._on_started)

    def _on_started(self, generation: int) -> None:
        doc = self.window.doc
        mission, base_dir = doc.snapshot(), doc.base_dir
        # the app's one worker style; a mission the engine refuses is reported by the analysis, so failures are dropped
        job = Job(lambda _cancelled, _report: ephemeris_view(mission, base_dir), self, name="globe-ephemeris")
        job.done.connect(lambda view: self._show(view, generation) if view is not None else None)
        job.finished.connect(job.deleteLater)
        job.start()

    def _show(self, view: ViewData, generation: int) -> None:
        w = self.window
        if generation != w.runner.generation or w.results_generation >= generation:
            return  # an older edit, or the analysis of this one was already shown
        show_ephemeris_view(w, view)


def install_ephemeris_feed(window) -> EphemerisFeed:
    """Give ``window`` the orbits-only view of large missions (one call from the main window)."""
    return EphemerisFeed(window)


def show_orbits_for_picture(window, doc, t_s: float = 0.0, select: int | None = None) -> bool:
    """Show a large mission's orbits-only view for a picture (its analysis was refused), the
    selected satellite in view, the globe settled. False when the mission is not a large run."""
    import numpy as np

    from app.main import make_app

    view = ephemeris_view(doc.snapshot(), doc.base_dir)
    if view is None:
        return False
    app = make_app()
    show_ephemeris_view(window, view, note="orbits only: the analysis needs more memory than this machine has")
    window.timebar.set_time(t_s)
    select = 0 if select is None and view.n_sat else select
    window.select_satellite(select)
    if select is not None and select >= 0:
        window.globe_gestures.select(*window.globe_gestures.plane_of(select))  # its plane's ring and links
        sat = view.positions_eci(t_s, np.array([select]))[0]
        window.globe.aim_at_sun(sat / np.linalg.norm(sat) + 0.35 * view.sun_eci_at(t_s), offset_deg=0.0)
        window.globe.set_time(t_s)
    window.show_dock("budgetsDock")
    window.show_dock("plotsDock")
    window.analysis.stage_label.setText("Orbits shown; the analysis of this many satellites needs the streaming engine")
    window.globe.settle()
    window.map.settle()
    for _ in range(10):
        app.processEvents()
    window.globe.canvas.update()
    app.processEvents()
    return True
