"""The globe's own parts: occlusion culling, packed orbit rings, and pictures of the GL window."""

from __future__ import annotations

import numpy as np
import pytest

from app.globe.occlusion import hidden_behind_earth

pytestmark = pytest.mark.gui


def _hidden_by_marching(eye: np.ndarray, p: np.ndarray, steps: int = 4000) -> bool:
    """Independent check: walk the segment eye -> p and see whether it passes inside the unit sphere."""
    t = np.linspace(0.0, 1.0, steps)[:-40]  # stop short of the point itself (it may sit on the surface)
    samples = eye[None, :] + t[:, None] * (p - eye)[None, :]
    return bool(np.any(np.linalg.norm(samples, axis=1) < 1.0 - 1e-9))


def test_hidden_behind_earth_matches_a_marched_segment():
    rng = np.random.default_rng(3)
    eye = np.array([0.0, -5.2, 2.1])
    pts = rng.normal(size=(400, 3))
    pts *= (1.02 + 0.6 * rng.random(400))[:, None] / np.linalg.norm(pts, axis=1)[:, None]
    got = hidden_behind_earth(eye, pts)
    want = np.array([_hidden_by_marching(eye, p) for p in pts])
    assert 0.2 < got.mean() < 0.8  # both kinds are present
    assert np.array_equal(got, want)


def test_hidden_behind_earth_simple_cases():
    eye = np.array([0.0, 0.0, 5.0])
    pts = np.array([[0, 0, 1.1], [0, 0, -1.1], [1.5, 0, 0], [0.3, 0, -1.05], [0, 0, 2.0]])
    assert hidden_behind_earth(eye, pts).tolist() == [False, True, False, True, False]


def test_rings_pack_into_one_buffer():
    from types import SimpleNamespace

    from app.globe.orbits import pack_rings
    from app.globe.prepare import Ring

    a = Ring(0, np.zeros((4, 3), np.float32), np.array([[0, 1], [1, 2], [2, 3], [3, 0]]), 1e-6)
    b = Ring(1, np.ones((3, 3), np.float32), np.array([[0, 1], [1, 2], [2, 0]]), -2e-6)
    view = SimpleNamespace(rings=[a, b], shell_rgb=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    pos, rgba, drift, segs = pack_rings(view)
    assert pos.shape == (7, 3) and rgba.shape == (7, 4) and drift.shape == (7,)
    assert segs.max() == 6 and segs[4:].tolist() == [[4, 5], [5, 6], [6, 4]]  # second ring offset by 4 vertices
    assert np.allclose(drift[:4], 1e-6) and np.allclose(drift[4:], -2e-6)
    assert np.allclose(rgba[4:, :3], [0.0, 1.0, 0.0])


def test_globe_picture_is_what_the_screen_shows(qtbot, small_mission):
    """The globe draws into a native GL window; its picture must equal the pixels on screen."""
    from app.globe.canvas import GlobeView
    from app.globe.prepare import prepare_view
    from app.main import make_app
    from app.workers import run_analysis

    app = make_app()
    g = GlobeView(size=(480, 360))
    qtbot.addWidget(g)
    g.resize(480, 360)
    g.move(0, 0)
    g.show()
    qtbot.waitExposed(g)
    qtbot.waitUntil(g.canvas.native.isExposed)  # the GL window is a native child, exposed on its own
    g.set_view(prepare_view(run_analysis(small_mission, None)))
    g.select(0)
    for _ in range(3):
        g.repaint_now()
    origin = g.container.mapToGlobal(g.container.rect().topLeft())
    screen = app.primaryScreen().grabWindow(0).copy(origin.x(), origin.y(), g.container.width(), g.container.height())
    picture = g.grab_image()

    def rgb(image) -> np.ndarray:
        image = image.convertToFormat(image.Format.Format_RGB888)
        ptr = image.constBits()
        return np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())[:, : 3 * image.width()].astype(float)

    a, b = rgb(screen.toImage()), rgb(picture)
    assert a.shape == b.shape
    assert a.std() > 15  # a globe, not an empty window
    diff = np.abs(a - b)  # the test X server may run at 16 bits a pixel: up to 7 levels of rounding
    assert diff.mean() < 6.0
    assert np.mean(diff > 12.0) < 0.01
