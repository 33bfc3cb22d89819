"""The globe at 100,000 satellites: level of detail, culling, picking, and what the GUI thread does.

The view is built from a lazy ephemeris (no analysis), as the app shows a large mission whose
analysis is running or was refused. Speed is measured in benchmarks/globe_scale.py; here the
work is bounded by counts (vertices drawn, positions tested, epochs propagated and on which thread).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.globe.canvas import VIEW_MARGIN_PX
from app.globe.density import N_CELLS, N_LAT, N_LON, CellIndex, cells_of, density_rgba
from app.globe.frame_state import POINTS_ON_SCREEN_MAX
from app.globe.occlusion import hidden_behind_earth
from app.globe.prepare import R_EARTH_KM

SIZE = (1280, 800)
ZOOMED_IN_DISTANCE = 1.0 + 2000.0 / R_EARTH_KM  # the eye 2,000 km above the surface


def walker_mission(planes: int, sats_per_plane: int, duration_s: float = 7200.0):
    """Two Walker delta shells (550 km at 53 deg, 1,100 km sun-synchronous) of ``planes x sats_per_plane`` each."""
    from core import api
    from core.mission.model import Mission

    d = api.load_preset("default").model_dump(mode="json")
    base = d["constellations"][0]
    entries = []
    for k, (alt, inc) in enumerate([(550.0, 53.0), (1100.0, "sso")]):
        c = dict(base)
        c.pop("ltan_h", None)
        c.update(name=f"walker-{k + 1}", pattern="delta", altitude_km=alt, inclination_deg=inc, planes=planes,
                 sats_per_plane=sats_per_plane, phasing=1)
        entries.append(c)
    d.update(name="scale test", constellations=entries)
    d["analysis"] = {**d["analysis"], "duration_s": duration_s, "step_s": 60.0}
    return Mission.model_validate(d)


@pytest.fixture(scope="module")
def big():
    """A 100,000-satellite mission (2 shells x 50 planes x 1,000) and its orbits-only view."""
    from app.globe.prepare import prepare_ephemeris_view
    from core.orbits.ephemeris import build_ephemeris

    mission = walker_mission(50, 1000)
    eph = build_ephemeris(mission, None, lazy=True)
    return mission, eph, prepare_ephemeris_view(eph, mission)


@pytest.fixture
def globe(qtbot, big):
    from app.globe.canvas import GlobeView
    from app.main import make_app

    make_app()
    g = GlobeView(size=SIZE)
    g.resize(*SIZE)
    qtbot.addWidget(g)
    g.show()
    qtbot.waitExposed(g)
    g.set_view(big[2])
    assert g.settle(120)
    yield g
    g.frames.close()
    g.canvas.close()


def _zoom(g, distance: float) -> None:
    g.view.camera.distance = distance
    g.canvas.update()
    g.repaint_now()


def _in_view_and_seen(g, margin_px: float = VIEW_MARGIN_PX) -> np.ndarray:
    """Every satellite the camera sees (in the canvas, in front, not behind the Earth), found by brute force."""
    p = g.satellites.markers.get_transform("visual", "canvas").map(g._pos)
    front = p[:, 3] > 0
    xy = p[:, :2] / np.where(front, p[:, 3], 1.0)[:, None]
    w, h = g.canvas.size
    m = margin_px
    on = front & (xy[:, 0] >= -m) & (xy[:, 0] <= w + m) & (xy[:, 1] >= -m) & (xy[:, 1] <= h + m)
    return np.nonzero(on & ~hidden_behind_earth(g.camera_position(), g._pos))[0]


def test_a_large_view_reads_positions_an_epoch_at_a_time(big):
    _, eph, view = big
    assert view.large and view.r_eci_er is None and view.r_ecef_km is None
    assert "r_eci_km" not in eph.__dict__ and "r_ecef_km" not in eph.__dict__  # the whole run was never materialised
    sats = np.array([0, 12_345, 99_999])
    got = view.epoch_eci_er(7)[sats]
    ref = eph.window(7, 8).r_eci_km[sats, 0] / R_EARTH_KM
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)
    t = float(view.offsets_s[7]) + 25.0  # between grid epochs: the orbit turned by its mean motion
    r, _ = eph.states_eci(np.array([t]), sats)
    np.testing.assert_allclose(view.positions_eci(t, sats), r[:, 0] / R_EARTH_KM, rtol=0, atol=2e-4)  # ~1 km
    lat, lon, _ = view.geodetic_of([12_345], 7)
    from core.orbits.frames import geodetic_from_ecef

    la, lo, _ = geodetic_from_ecef(eph.positions_ecef(view.offsets_s[7:8], np.array([12_345]))[:, 0])
    assert lat[0] == pytest.approx(la[0]) and lon[0] == pytest.approx(lo[0])


def test_cell_index_members_match_a_brute_force_search():
    rng = np.random.default_rng(3)
    pos = rng.normal(size=(5000, 3)).astype(np.float32)
    index = CellIndex.build(pos, np.ones((5000, 3), np.float32))
    cell = cells_of(pos)
    assert index.counts.sum() == 5000 and index.counts.shape == (N_CELLS,)
    chosen = np.unique(cell)[::7]
    assert sorted(index.members(chosen).tolist()) == sorted(np.nonzero(np.isin(cell, chosen))[0].tolist())
    assert density_rgba(index).shape == (N_LAT, N_LON, 4)
    # a cell holding many satellites is more opaque than one holding few (away from the blur of neighbours)
    dense = np.zeros((1000, 3), np.float32) + [1.0, 0.0, 0.0]
    sparse = np.zeros((10, 3), np.float32) + [-1.0, 0.0, 0.0]
    two = CellIndex.build(np.concatenate([dense, sparse]), np.ones((1010, 3), np.float32))
    tex = density_rgba(two)
    c_dense, c_sparse = cells_of(dense[:1])[0], cells_of(sparse[:1])[0]
    n_lon = tex.shape[1]
    a_dense, a_sparse = tex[c_dense // n_lon, c_dense % n_lon, 3], tex[c_sparse // n_lon, c_sparse % n_lon, 3]
    assert a_dense > a_sparse > 0
    assert tex[tex.shape[0] // 2 + 20, 10, 3] == 0  # far from both: transparent


def test_zoomed_out_the_density_layer_is_drawn_zoomed_in_the_points_in_view(globe):
    g = globe
    _zoom(g, 5.6)
    assert g.lod == "density"
    assert g.on_screen > POINTS_ON_SCREEN_MAX
    drawn = g.layer_vertices()
    assert drawn["points"] == 0 and drawn["density"] == g.density.n_vertices > 0
    _zoom(g, ZOOMED_IN_DISTANCE)
    assert g.lod == "points"
    drawn = g.layer_vertices()
    assert drawn["density"] == 0
    assert 0 < drawn["points"] <= POINTS_ON_SCREEN_MAX
    # the cell-by-cell cull drew exactly the satellites a brute-force search finds in view
    seen = _in_view_and_seen(g)
    assert drawn["points"] == seen.size


def test_rings_and_links_only_for_the_selected_shell_or_plane(globe):
    from app.globe.prepare import RING_POINTS

    g = globe
    _zoom(g, 5.6)
    assert g.layer_vertices()["rings"] == 0 and g.layer_vertices()["links"] == 0  # nothing selected
    g.set_focus(1, None)  # the second shell: its 50 planes' rings (less those behind the Earth)
    g.repaint_now()
    rings = g.layer_vertices()["rings"]
    assert 0 < rings <= 2 * RING_POINTS * 50
    segs = g.orbits.visual._index_buffer  # which vertices the one draw call uses
    assert segs is not None and segs.size == rings
    g.set_focus(0, 3)  # the first shell's plane 3: its ring only, and its satellites as points over the density
    g.repaint_now()
    assert 0 < g.layer_vertices()["rings"] <= 2 * RING_POINTS
    assert g.lod == "density"
    plane = np.arange(3000, 4000)  # shell 0, plane 3: numbered plane by plane
    assert 0 < g.layer_vertices()["points"] == np.intersect1d(_in_view_and_seen(g), plane).size
    g.set_focus(None)
    g.repaint_now()
    assert g.layer_vertices()["rings"] == 0 and g.layer_vertices()["points"] == 0


def test_a_large_views_first_frame_draws_only_the_focused_rings(globe, big):
    """The ring buffer handed to GL on ``set_view`` already holds only the focus's rings (before
    any cull): a million-satellite run has 2,250 planes, and drawing them all once cost 0.1 s."""
    from app.globe.prepare import RING_POINTS

    g = globe
    g.set_focus(None)
    g.set_view(big[2])  # no event processed, no cull yet
    assert g.orbits.drawn_segments == 0 and g.orbits.visual._index_buffer is None
    g.set_focus(1, None)
    g.set_view(big[2])
    assert g.orbits.drawn_segments == RING_POINTS * 50  # shell 1's 50 rings, none of shell 0
    assert g.orbits.visual._index_buffer.size == 2 * RING_POINTS * 50
    g.set_focus(None)
    assert g.settle(60)


def test_the_maps_dots_of_a_large_run_are_computed_off_the_gui_thread(qtbot, big, monkeypatch):
    import threading

    from app.plots.map2d import MapPanel

    view = big[2]
    callers: list[str] = []
    geodetic_of = view.geodetic_of

    def recorded(sats, i):
        callers.append(threading.current_thread().name)
        return geodetic_of(sats, i)

    monkeypatch.setattr(view, "geodetic_of", recorded)
    m = MapPanel()
    qtbot.addWidget(m)
    m.set_view(view)
    m.select(1234)
    t = 7 * 60.0
    m.set_time(t)
    assert m.settle(60)
    i = view.nearest(t)
    lat, lon, _ = geodetic_of(view.map_sample, i)
    assert np.array_equal(m.sats.data["x"], lon) and np.array_equal(m.sats.data["y"], lat)
    la, lo, _ = geodetic_of([1234], i)
    assert m.sel.data["x"][0] == lo[0] and m.sel.data["y"][0] == la[0]
    assert callers and set(callers) == {"map-sample"}  # never the GUI thread


@pytest.mark.parametrize("distance", [5.6, ZOOMED_IN_DISTANCE], ids=["zoomed-out", "zoomed-in"])
def test_picking_returns_the_satellite_at_its_screen_position(globe, distance):
    g = globe
    _zoom(g, distance)
    seen = _in_view_and_seen(g)
    xy = g.project(g._pos[seen])
    w, h = g.canvas.size
    centre = np.hypot(xy[:, 0] - w / 2, xy[:, 1] - h / 2)
    for k in np.argsort(centre)[:200]:  # a satellite near the middle with no other within a pixel
        others = np.hypot(*(xy - xy[k]).T)
        others[k] = np.inf
        if others.min() > 1.0:
            break
    else:
        pytest.fail("no isolated satellite on screen")
    sat = int(seen[k])
    assert g.pick(float(xy[k, 0]), float(xy[k, 1])) == sat
    far = np.array([5.0, 5.0]) if distance > 2 else None  # zoomed out, a corner of the canvas is empty space
    if far is not None:
        assert g.pick(*far) is None


def test_the_gui_thread_propagates_nothing_and_culls_a_bounded_set(globe, big):
    g = globe
    view = big[2]
    before = len(view.epochs_propagated)
    for k in range(5):
        g.set_time(60.0 * k + 7.0)
        assert g.settle(60)
    mine = view.epochs_propagated[before:]
    assert len(mine) >= 4, "new epochs were propagated"
    assert {name for name, _ in mine} == {"globe-frames"}
    for distance in (5.6, ZOOMED_IN_DISTANCE):
        _zoom(g, distance)
        # the cull tests the non-empty cells and at most the satellites of the cells in view, not all 100,000
        assert g.cull_tested <= N_CELLS + 3 * POINTS_ON_SCREEN_MAX
        assert g.cull_tested < view.n_sat // 4


def test_the_window_shows_a_large_missions_orbits_when_its_analysis_is_refused(make_window, qtbot):
    from core.mission.errors import MissionError, Problem

    def refuse(mission, base_dir, progress=None, cancel=None):
        raise MissionError("scale test", [Problem("analysis.step_s", "the run needs more memory than there is")])

    w = make_window(walker_mission(25, 1000), start=False)  # 50,000 satellites
    w.runner.analyze = refuse
    w.analysis.recompute()
    qtbot.waitUntil(lambda: w.view_data is not None and w.view_data.n_sat == 50_000, timeout=120_000)
    assert w.globe.settle(60)
    assert "Analysis failed" in w.analysis.stage_label.text() or w.runner.is_running()
    g = w.globe
    seen = _in_view_and_seen(g)
    assert seen.size > 0
    xy = g.project(g._pos[seen])
    order = np.argsort(np.hypot(xy[:, 0] - g.canvas.size[0] / 2, xy[:, 1] - g.canvas.size[1] / 2))
    for k in order[:200]:
        others = np.hypot(*(xy - xy[k]).T)
        others[k] = np.inf
        if others.min() > 1.0:
            break
    sat = int(seen[k])
    assert g.pick(float(xy[k, 0]), float(xy[k, 1])) == sat
    w.select_satellite(sat)
    assert w.details.labels["name"].text().startswith(w.view_data.ephemeris.names[sat])
    assert "km" in w.details.labels["altitude"].text()
