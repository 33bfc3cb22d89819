"""The globe's label glyphs: rendered once per process off the GUI thread, the same bytes vispy renders.

Rendering a glyph costs about 10 ms (freetype at 256 pt and a distance transform); vispy did it
on the GUI thread at a globe's first draw with labels (0.4-2 s). The speed is measured in
benchmarks/globe_scale.py; here: the cached glyphs equal vispy's own, and the GUI thread renders
none of the labels' glyphs when a view comes from a worker thread.
"""

from __future__ import annotations

import threading

import numpy as np

from app.globe import glyphs
from vispy.visuals.text.text import SDFRendererCPU, TextureFont

TEXT = "Svalbard Ÿ-42 Tromsø, AVAWAY"


class _Atlas:
    """A font atlas in memory (vispy's is a GL texture): glyphs side by side in one row."""

    def __init__(self, shape: tuple[int, int] = (256, 4096)):
        self.data = np.zeros((*shape, 3), np.uint8)
        self.shape = self.data.shape
        self._x = 0

    def get_free_region(self, w: int, h: int) -> tuple[int, int, int, int]:
        x, self._x = self._x, self._x + w
        return x, 0, w, h

    def __setitem__(self, key, value) -> None:
        self.data[key] = value


def _font(cls) -> TextureFont:
    font = cls(dict(face=glyphs.LABEL_FACE, bold=False, italic=False), SDFRendererCPU())
    font._atlas = _Atlas()  # the test reads what the font stores
    return font


def _stored(font: TextureFont, char: str) -> np.ndarray:
    g = font[char]
    atlas = font._atlas
    w, h = g["size"]
    x, y = round(g["texcoords"][0] * atlas.shape[1]), round(g["texcoords"][1] * atlas.shape[0])
    return atlas.data[y : y + h, x : x + w]


def test_cached_glyphs_are_the_bytes_and_metrics_vispy_renders(monkeypatch):
    monkeypatch.setattr(glyphs, "CACHE", glyphs.GlyphCache())
    glyphs.render("Wy")  # some glyphs cached before the font asks, the rest rendered on demand
    plain, cached = _font(TextureFont), _font(glyphs.CachedTextureFont)
    for char in TEXT:
        a, b = plain[char], cached[char]
        assert a["offset"] == b["offset"] and a["advance"] == b["advance"] and a["size"] == b["size"], char
        assert np.array_equal(_stored(plain, char), _stored(cached, char)), char
    assert _stored(cached, "S").max() > 128  # a real glyph: inside the outline the field passes one half
    for prev, char in zip(TEXT, TEXT[1:]):
        assert plain[char]["kerning"].get(prev, 0.0) == cached[char]["kerning"].get(prev, 0.0), (prev, char)
    assert any(plain[c]["kerning"].get(p, 0.0) != 0.0 for p, c in zip(TEXT, TEXT[1:]))  # "AV", "WA": kerned pairs


def test_a_views_label_glyphs_are_rendered_off_the_gui_thread(qtbot, monkeypatch):
    from app.globe.canvas import GlobeView
    from app.globe.prepare import prepare_ephemeris_view
    from app.main import make_app
    from core import api
    from core.orbits.ephemeris import build_ephemeris

    monkeypatch.setattr(glyphs, "CACHE", glyphs.GlyphCache())
    mission = api.load_preset("default")
    views = []
    worker = threading.Thread(target=lambda: views.append(prepare_ephemeris_view(build_ephemeris(mission, None, lazy=True),
                                                                                 mission)), name="view-worker")
    worker.start()
    worker.join()
    view = views[0]
    assert view.ground, "the default mission has stations and cities to label"
    label_chars = set("".join(g.name for g in view.ground))
    assert label_chars <= set(glyphs.CACHE.fields)  # prepared with the view, before the globe has it
    make_app()
    g = GlobeView(size=(640, 480))
    g.resize(640, 480)
    qtbot.addWidget(g)
    g.show()
    qtbot.waitExposed(g)
    qtbot.waitUntil(g.canvas.native.isExposed)  # the GL window is a native child, exposed on its own
    g.set_view(view)
    assert g.settle(60)
    assert not g.grab_image().isNull()  # a frame drawn: the labels' glyphs are in their atlas now
    drawn = set(g.stations.labels._font._glyphs)  # the glyphs the label visual stored in its atlas
    shown = set("".join(g.stations.shown))  # the labels not hidden by the Earth
    assert len(shown) > 5 and shown <= drawn
    assert {glyphs.CACHE.rendered_by[c] for c in drawn} <= {"view-worker", "label-glyphs"}  # never "MainThread"
    g.frames.close()
    g.canvas.close()
