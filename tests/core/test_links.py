"""Link settings: +Grid on imported shells, isl_shift, explicit isl_file links, ground-link range.

References are independent of the engine: link lists from a plain double loop (the one in
Hypatia's description of its plus-grid), elevation and range from textbook vector formulas.
"""

from __future__ import annotations

import numpy as np
import pytest

from core import api
from core.analysis.latency import compute_network
from core.analysis.topology import compute_topology, visible_from_places
from core.export.tle import tle_export
from core.mission.errors import MissionError
from core.mission.model import Mission
from core.orbits import frames
from core.orbits.ephemeris import build_ephemeris

EPOCH = "2026-03-20T00:00:00Z"


def _doc(constellations, **extra) -> dict:
    doc = dict(name="links", epoch=EPOCH, analysis=dict(duration_s=600, step_s=60, min_elevation_deg=25),
               constellations=constellations)
    doc.update(extra)
    return doc


def _walker_tle_text(walker: str, altitude_km: float = 550.0) -> str:
    """Three-line element sets of a Walker shell, plane by plane (the engine's satellite order)."""
    mission = Mission.model_validate(_doc([dict(name="w", walker=walker, altitude_km=altitude_km)]))
    return tle_export(build_ephemeris(mission)).text


def _pairs(edges) -> set[tuple[int, int]]:
    return {(int(min(a, b)), int(max(a, b))) for a, b in np.asarray(edges)}


def plus_grid_loop(planes: int, per_plane: int, shift: int, wrap_extra: int = 0, wrap: bool = True) -> set[tuple[int, int]]:
    """The plus-grid by a straightforward loop: slot j of plane i to j+1 in its plane and to
    (j + shift) of plane i+1; the last plane to plane 0 with ``wrap_extra`` more slots."""
    links = set()
    for i in range(planes):
        for j in range(per_plane):
            me = i * per_plane + j
            same = i * per_plane + (j + 1) % per_plane
            if same != me:
                links.add((min(me, same), max(me, same)))
            if i < planes - 1:
                other = (i + 1) * per_plane + (j + shift) % per_plane
            elif wrap and planes > 1:
                other = (j + shift + wrap_extra) % per_plane
            else:
                continue
            if other != me:
                links.add((min(me, other), max(me, other)))
    return links


# --------------------------------------------------------------------------------------
# +Grid


@pytest.mark.parametrize("shift", [0, 2])
def test_imported_shell_plus_grid_equals_the_loop(shift):
    text = _walker_tle_text("53:20/4/1")
    mission = Mission.model_validate(_doc([dict(name="imp", tle=text, planes=4, sats_per_plane=5, isl="plus-grid",
                                                isl_shift=shift)]))
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    assert _pairs(topo.isl_edges) == plus_grid_loop(4, 5, shift)
    assert set(topo.isl_kind.tolist()) == {0, 1}


@pytest.mark.parametrize("shift", [None, 3])
def test_walker_plus_grid_equals_the_loop(shift):
    entry = dict(name="w", walker="53:48/6/2", altitude_km=600, isl="plus-grid")
    if shift is not None:
        entry["isl_shift"] = shift
    mission = Mission.model_validate(_doc([entry]))
    topo = compute_topology(mission, build_ephemeris(mission))
    # Walker: the wrap keeps its phasing shift F = 2, isl_shift moves every cross-plane partner
    assert _pairs(topo.isl_edges) == plus_grid_loop(6, 8, shift or 0, wrap_extra=2)


def test_imported_shell_without_planes_keeps_nearest_neighbours():
    mission = Mission.model_validate(_doc([dict(name="imp", tle=_walker_tle_text("53:20/4/1"), isl="plus-grid")]))
    topo = compute_topology(mission, build_ephemeris(mission))
    assert set(topo.isl_kind.tolist()) == {2}


def test_plane_count_mismatch_names_the_file(tmp_path):
    (tmp_path / "sats.tle").write_text(_walker_tle_text("53:20/4/1"))
    doc = _doc([dict(name="imp", tle_file="sats.tle", planes=4, sats_per_plane=4, isl="plus-grid")])
    with pytest.raises(MissionError) as err:
        api.mission_from_dict(doc, "m.yaml", tmp_path)
    assert "m.yaml: constellations[0].planes: sats.tle: 20 satellites read, but planes x sats_per_plane = 4 x 4 = 16" in str(err.value)
    doc["constellations"][0].pop("sats_per_plane")
    with pytest.raises(MissionError, match="give both planes and sats_per_plane"):
        api.mission_from_dict(doc, "m.yaml", tmp_path)


def _hypatia_tles(text: str, orbits: int, per_orbit: int) -> str:
    """Hypatia's tles.txt from a three-line file: header, then 'name id' lines."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    out = [f"{orbits} {per_orbit}"]
    for k in range(len(lines) // 3):
        out += [f"Shell {k}", lines[3 * k + 1], lines[3 * k + 2]]
    return "\n".join(out) + "\n"


def test_hypatia_header_sets_the_grid(tmp_path):
    (tmp_path / "tles.txt").write_text(_hypatia_tles(_walker_tle_text("53:20/4/1"), 4, 5))
    mission = api.mission_from_dict(_doc([dict(name="h", tle_file="tles.txt", isl="plus-grid")]), "m.yaml", tmp_path)
    eph = build_ephemeris(mission, tmp_path)
    assert eph.n_sat == 20 and eph.names[7] == "Shell 7"
    topo = compute_topology(mission, eph, tmp_path)
    assert _pairs(topo.isl_edges) == plus_grid_loop(4, 5, 0)
    (tmp_path / "bad.txt").write_text(_hypatia_tles(_walker_tle_text("53:20/4/1"), 3, 5))
    with pytest.raises(MissionError, match="bad.txt: 20 satellites read, but its Hypatia header says 3 x 5 = 15"):
        api.mission_from_dict(_doc([dict(name="h", tle_file="bad.txt")]), "m.yaml", tmp_path)


# --------------------------------------------------------------------------------------
# Explicit links


def test_isl_file_links_with_line_of_sight_and_range(tmp_path):
    # 8 satellites in one equatorial plane 45 deg apart at 1,200 km: neighbours are 5,800 km
    # apart and their chord passes 7,001 km from the centre, clear of the Earth + 80 km; the
    # chord of satellites 135 deg apart dips to 2,900 km, and 90 deg apart is 10,717 km long.
    (tmp_path / "isls.txt").write_text("# a b\n0 1\n2 1  # reversed order is fine\n\n0 3\n4 6\n")
    entry = dict(name="ring", walker="0:8/1/0", altitude_km=1200, isl_file="isls.txt", max_isl_range_km=6000)
    mission = api.mission_from_dict(_doc([entry]), "m.yaml", tmp_path)
    eph = build_ephemeris(mission, tmp_path)
    topo = compute_topology(mission, eph, tmp_path)
    assert topo.isl_edges.tolist() == [[0, 1], [1, 2], [0, 3], [4, 6]]
    assert set(topo.isl_kind.tolist()) == {3}
    r = eph.r_ecef_km
    for e, (a, b) in enumerate(topo.isl_edges):
        length = np.linalg.norm(r[a] - r[b], axis=-1)
        mid = np.linalg.norm((r[a] + r[b]) / 2, axis=-1)  # closest point of a chord between equal radii
        expect = (length <= 6000) & (mid > 6378.137 + 80)
        assert topo.isl_active[:, e].tolist() == expect.tolist()
    assert topo.isl_active[:, 0].all() and not topo.isl_active[:, 2].any()  # 0-3 hidden by the Earth
    assert not topo.isl_active[:, 3].any()  # 4-6: 90 deg apart


@pytest.mark.parametrize("text, message", [
    ("0 1\n1 x\n", "isls.txt: line 2: expected two satellite indices"),
    ("0 8\n", "isls.txt: line 1: satellite 8 does not exist (the shell has 8, 0..7)"),
    ("0 1\n1 0\n", "isls.txt: line 2: link 0 1 is given twice"),
    ("3 3\n", "isls.txt: line 1: links satellite 3 to itself"),
])
def test_isl_file_problems_name_file_and_line(tmp_path, text, message):
    (tmp_path / "isls.txt").write_text(text)
    with pytest.raises(MissionError) as err:
        api.mission_from_dict(_doc([dict(name="ring", walker="0:8/1/0", altitude_km=550, isl_file="isls.txt")]), "m.yaml", tmp_path)
    assert f"m.yaml: constellations[0].isl_file: {message}" in str(err.value)


# --------------------------------------------------------------------------------------
# Ground-link range


def test_ground_links_need_mask_and_range():
    rng = np.random.default_rng(3)
    lat, lon = np.array([10.0, -35.0, 60.0]), np.array([20.0, 150.0, -70.0])
    place = frames.ecef_from_geodetic(lat, lon, np.zeros(3)).reshape(-1, 3)
    up = frames.up_vector(lat, lon).reshape(-1, 3)
    sats = place[rng.integers(0, 3, 400)] + rng.normal(0, 1500, (400, 3)) + up[rng.integers(0, 3, 400)] * 600
    r = sats[:, None, :]
    mask_deg = np.array([10.0, 25.0, 40.0])
    max_range = np.array([1260.0, np.inf, 900.0])
    vis = np.zeros((3, 400), bool)
    visible_from_places(r, 0, place, up, np.sin(np.radians(mask_deg)), max_range, vis)
    for p in range(3):
        d = sats - place[p]
        dist = np.linalg.norm(d, axis=1)
        elev = np.degrees(np.arcsin(d @ up[p] / dist))
        expect = (elev >= mask_deg[p]) & (dist <= max_range[p])
        assert vis[p].tolist() == expect.tolist()
        assert expect.any() and ((elev >= mask_deg[p]) & ~expect).any() or np.isinf(max_range[p])


def test_range_limits_of_stations_cities_and_the_default():
    doc = _doc([dict(name="s", walker="53:400/20/5", altitude_km=550, isl="plus-grid")],
               cities=[dict(name="A", lat_deg=40.0, lon_deg=-3.0, max_range_km=700.0)],
               ground_stations=[dict(name="G", lat_deg=48.0, lon_deg=11.0, min_elevation_deg=10)],
               latency_pairs=[["A", "G"], ["G", "London"]])
    doc["analysis"]["max_ground_range_km"] = 1260.0
    mission = Mission.model_validate(doc)
    eph = build_ephemeris(mission)
    net = compute_network(mission, eph, compute_topology(mission, eph))
    assert dict(zip(net.place_names, net.place_max_range_km.tolist())) == {"A": 700.0, "G": 1260.0, "London": 1260.0}
    for q in range(net.n_pair):
        for t in range(net.n_time):
            route = net.route_at(q, t)
            if not route:
                continue
            a, b = net.pair_from[q], net.pair_to[q]
            assert np.linalg.norm(eph.r_ecef_km[route[0], t] - net.place_ecef_km[a]) <= net.place_max_range_km[a] + 1e-6
            assert np.linalg.norm(eph.r_ecef_km[route[-1], t] - net.place_ecef_km[b]) <= net.place_max_range_km[b] + 1e-6
    free = compute_network(Mission.model_validate({**doc, "analysis": {**doc["analysis"], "max_ground_range_km": None},
                                                   "cities": [dict(name="A", lat_deg=40.0, lon_deg=-3.0)]}), eph,
                           compute_topology(mission, eph))
    both = np.isfinite(net.latency_ms) & np.isfinite(free.latency_ms)
    assert both.any() and np.all(free.latency_ms[both] <= net.latency_ms[both] + 1e-9)
    assert np.isfinite(free.latency_ms).sum() >= np.isfinite(net.latency_ms).sum()
    assert all(e["unreachable_s"] >= 0 for e in net.to_json())


def test_unreachable_seconds_weigh_each_epoch_by_its_share():
    from core.analysis.latency import epoch_weights_s

    w = epoch_weights_s(np.array([0.0, 60.0, 120.0, 180.0]))
    assert w.tolist() == [30.0, 60.0, 60.0, 30.0] and w.sum() == 180.0


def test_imported_1156_satellite_shell_routes_three_cities_with_1260_km_ground_range(tmp_path):
    """The issue's acceptance case: a 34 x 34 TLE shell with isl: plus-grid, three cities whose
    ground links reach 1,260 km (a 10 deg mask alone would allow ~1,800 km from 550 km)."""
    (tmp_path / "shell.tle").write_text(_walker_tle_text("53:1156/34/1"))
    cities = [dict(name="NYC", lat_deg=40.71, lon_deg=-74.01, max_range_km=1260),
              dict(name="LDN", lat_deg=51.51, lon_deg=-0.13, max_range_km=1260),
              dict(name="MAD", lat_deg=40.42, lon_deg=-3.70, max_range_km=1260)]
    doc = _doc([dict(name="imp", tle_file="shell.tle", planes=34, sats_per_plane=34, isl="plus-grid")],
               cities=cities, latency_pairs=[["NYC", "LDN"], ["LDN", "MAD"], ["NYC", "MAD"]])
    doc["analysis"].update(min_elevation_deg=10, duration_s=600, step_s=120)
    mission = api.mission_from_dict(doc, "m.yaml", tmp_path)
    eph = build_ephemeris(mission, tmp_path)
    assert eph.n_sat == 1156
    topo = compute_topology(mission, eph, tmp_path)
    assert _pairs(topo.isl_edges) == plus_grid_loop(34, 34, 0)
    net = compute_network(mission, eph, topo)
    assert net.reachable.all()
    links = _pairs(topo.isl_edges)
    for q in range(net.n_pair):
        for t in range(net.n_time):
            route = net.route_at(q, t)
            assert all((min(a, b), max(a, b)) in links for a, b in zip(route[:-1], route[1:]))
            for end, sat in ((net.pair_from[q], route[0]), (net.pair_to[q], route[-1])):
                assert np.linalg.norm(eph.r_ecef_km[sat, t] - net.place_ecef_km[end]) <= 1260.0
    assert np.all(net.latency_ms >= net.vacuum_ms[:, None])


def test_station_access_windows_honour_the_range():
    """Contact windows of a station with a 5 deg mask and a 1,000 km range: every window edge
    that the range sets lies at 1,000 km (refined between epochs), and the contact time shrinks."""
    from core.analysis.access import compute_access

    base = _doc([dict(name="s", walker="53:60/6/1", altitude_km=550)],
                ground_stations=[dict(name="G", lat_deg=45.0, lon_deg=10.0, min_elevation_deg=5)])
    base["analysis"].update(duration_s=21600, step_s=60)
    free = Mission.model_validate(base)
    eph = build_ephemeris(free)
    limited_doc = {**base, "ground_stations": [dict(name="G", lat_deg=45.0, lon_deg=10.0, min_elevation_deg=5, max_range_km=1000)]}
    limited = compute_access(Mission.model_validate(limited_doc), eph)
    open_ = compute_access(free, eph)
    assert 0 < limited.contact_s[0] < open_.contact_s[0]
    site = frames.ecef_from_geodetic(np.array([45.0]), np.array([10.0]), np.array([0.0])).reshape(3)
    cut = limited.window_aos_cut | limited.window_los_cut
    for sat, aos, los in zip(limited.window_sat[~cut], limited.window_aos_s[~cut], limited.window_los_s[~cut]):
        r = eph.positions_ecef(np.array([aos, los]), np.array([sat]))[0]
        assert np.linalg.norm(r - site, axis=1) == pytest.approx([1000.0, 1000.0], abs=1.0)
