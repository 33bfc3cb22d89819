"""Build every globe layer's shaders on the globe's first frame, not when the first data arrives.

vispy writes and compiles a visual's GLSL program the first time the visual is drawn: for the
globe's dozen layers (satellites, density, rings, links, route, footprint, stations, labels) that
is 0.3-0.6 s on software OpenGL, and it fell on the GUI thread when a mission's first view was
drawn, whatever its size. :func:`arm` makes the globe's first frame (the empty Earth, drawn when
the window opens) also draw each layer once with one point at the Earth's centre (hidden by the
Earth), and puts the layers back as they were right after that frame, within the same draw event.
"""

from __future__ import annotations

import numpy as np


def _layers(globe) -> dict[str, object]:
    g = globe
    return {"density": g.density, "dots": g.satellites.markers, "selected": g.satellites.selected, "rings": g.orbits.visual,
            "links": g.links.lines, "loaded": g.links.loaded, "route": g.route.line, "route_ends": g.route.ends,
            "footprint": g.footprint.line, "stations": g.stations.stations, "cities": g.stations.cities,
            "labels": g.stations.labels}


def _fill(globe) -> None:
    """One degenerate item in every layer (at the Earth's centre: the Earth hides it)."""
    g = globe
    dot, two = np.zeros((1, 3), np.float32), np.zeros((2, 3), np.float32)
    g.satellites.markers.set_data(dot, np.zeros((1, 4), np.float32), 1.0)
    g.satellites.selected.set_data(dot, face_color=(1, 1, 1, 1), edge_width=0, size=16, symbol="ring")
    g.orbits.visual.set_rings(two, np.zeros((2, 4), np.float32), np.zeros(2, np.float32), np.array([[0, 1]], np.uint32))
    g.links.lines.set_segments(two)
    g.links.loaded.set_segments(two, np.zeros((2, 4), np.float32))
    g.route.line.set_data(pos=two, color=(1.0, 0.25, 0.35, 1.0))
    g.route.ends.set_data(two, face_color=(1.0, 0.25, 0.35, 1.0), size=9, edge_width=0)
    g.footprint.line.set_data(pos=two, color=(1.0, 1.0, 1.0, 0.85))
    g.stations.show_stations(dot)
    g.stations.cities.set_data(dot, face_color=(1.0, 1.0, 1.0, 1.0), size=6, edge_color=(0, 0, 0, 1), edge_width=1)
    g.stations.labels.text = [" "]  # a space: vispy still measures its alignment glyphs
    g.stations.labels.pos = dot


def _empty(globe) -> None:
    """The globe's own layers back to no items (vispy's stock visuals are hidden until they get data)."""
    g = globe
    g.satellites.markers.set_data(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32), g.satellites.size)
    g.orbits.visual.set_rings(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32), np.zeros(0, np.float32),
                              np.zeros((0, 2), np.uint32))
    g.links.lines.set_segments(np.zeros((0, 3), np.float32))
    g.links.loaded.set_segments(np.zeros((0, 3), np.float32), np.zeros((0, 4), np.float32))
    g.stations.labels.text = ""


def arm(globe) -> None:
    """Warm the shaders on ``globe``'s first frame if it still has no data then (call once, at creation)."""
    canvas = globe.canvas
    saved: dict[str, bool] = {}

    def before(_event) -> None:  # the first draw handler: the layers get their one item
        canvas.events.draw.disconnect(before)
        if globe.data is not None:  # data came before the first frame: its draw builds the shaders anyway
            canvas.events.draw.disconnect(after)
            return
        layers = _layers(globe)
        saved.update({name: bool(v.visible) for name, v in layers.items()})
        _fill(globe)
        for v in layers.values():
            v.visible = True

    def after(_event) -> None:  # the last draw handler of the same frame (after the scene and the GL flush)
        canvas.events.draw.disconnect(after)
        if not saved:  # data came first: ``before`` filled nothing (vispy still calls us in this frame)
            return
        _empty(globe)
        stock = {"selected", "route", "route_ends", "footprint", "stations", "cities", "labels"}
        for name, v in _layers(globe).items():
            v.visible = saved[name] and name not in stock
        globe.warmed_up = True

    canvas.events.draw.connect(before, position="first")
    canvas.events.draw.connect(after, position="last")
