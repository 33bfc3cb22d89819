"""Data-parallel training: ring and tree all-reduce against hand-computed 4-satellite cases."""

import numpy as np
import pytest

from core.analysis import training as tr
from core.constants import C_KM_S
from core.mission.model import Mission
from core.orbits.ephemeris import build_ephemeris

RING = np.array([[0, 1], [1, 2], [2, 3], [0, 3]])
G_GBIT = 1e9 * 2 * 8 / 1e9  # 1e9 parameters, bf16 gradients: 16 Gbit
LINK_S = 0.2 / C_KM_S + 5e-6  # 200 m of light time plus 5 us switching


def test_ring_allreduce_on_a_four_satellite_ring_by_hand():
    plan = tr.ring_plan(4, RING)
    t, _, share = tr.allreduce_s(plan, "ring", 4, G_GBIT, np.full(4, 100.0), np.full(4, 0.2), 5e-6)
    assert share == 100.0
    # 2 (N-1)/N x G / B + 2 (N-1) x alpha = 1.5 x 16 / 100 + 6 x (0.667 us + 5 us)
    assert t == pytest.approx(1.5 * 16 / 100 + 6 * LINK_S, rel=1e-12)
    assert t == pytest.approx(0.240034, rel=1e-5)
    slow = np.array([100.0, 100.0, 10.0, 100.0])  # link 2-3 at 10 Gbit/s is the bottleneck
    t_slow, b, _ = tr.allreduce_s(plan, "ring", 4, G_GBIT, slow, np.full(4, 0.2), 5e-6)
    assert b == 2 and t_slow == pytest.approx(1.5 * 16 / 10 + 6 * LINK_S, rel=1e-12)


def test_ring_on_a_chain_routes_the_closing_hop_through_the_others():
    chain = RING[:3]
    plan = tr.ring_plan(4, chain)
    t, _, _ = tr.allreduce_s(plan, "ring", 4, G_GBIT, np.full(3, 100.0), np.full(3, 0.2), 5e-6)
    # hop 3 -> 0 takes three links, each in the direction opposite to the forward hops: no sharing
    assert plan.share.max() == 1
    assert t == pytest.approx(1.5 * 16 / 100 + 6 * 3 * LINK_S, rel=1e-12)


def test_tree_allreduce_by_hand():
    plan = tr.tree_plan(4, RING)
    t, _, _ = tr.allreduce_s(plan, "tree", 4, G_GBIT, np.full(4, 100.0), np.full(4, 0.2), 5e-6)
    assert plan.depth == 2
    assert t == pytest.approx(2 * 16 / 100 + 2 * 2 * LINK_S, rel=1e-12)


def test_a_link_shared_by_two_ring_hops_halves_their_rate():
    # depth-first ring 0, 1, 4, 2, 3: hop 4 -> 2 and the closing hop 3 -> 4 -> 2 -> 0 both cross 4 -> 2
    graph = np.array([[0, 1], [0, 2], [1, 4], [2, 4], [3, 4]])
    plan = tr.ring_plan(5, graph)
    t, b, share = tr.allreduce_s(plan, "ring", 5, G_GBIT, np.full(5, 100.0), np.full(5, 0.2), 5e-6)
    assert b == 3 and share == 50.0
    assert t == pytest.approx(2 * 4 / 5 * 16 / 50 + 2 * 4 * 3 * LINK_S, rel=1e-12)


def test_split_graph_has_no_plan():
    assert tr.ring_plan(4, RING[:1]) is None and tr.tree_plan(4, RING[:2]) is None


def _mission(isl: str) -> Mission:
    return Mission.model_validate({
        "name": "train", "epoch": "2026-03-20T00:00:00Z", "analysis": {"duration_s": 3600, "step_s": 600},
        "constellations": [{"name": "c", "altitude_km": 650, "inclination_deg": "sso", "ltan_h": 6.0, "isl": isl,
                            "isl_terminals": 3, "bus": "tpu",
                            "cluster": {"satellites": 4, "radius_km": 0.3, "min_separation_m": 50}}],
        "buses": {"tpu": {"compute_hardware": "tpu-v6e", "compute_units": 8, "isl_gbps": 100}},
        "training": {"parameters": 1e9, "tokens_per_step": 1e6, "tflops_per_unit": 918, "utilization": 0.5},
    })


def test_end_to_end_step_time_and_scaling_efficiency():
    from core.analysis.topology import compute_topology

    mission = _mission("plus-grid")
    eph = build_ephemeris(mission)
    res = tr.compute_training(mission, eph, compute_topology(mission, eph))
    j = res.to_json()
    single = 6 * 1e9 * 1e6 / (8 * 918e12 * 0.5)  # 6 N D FLOPs on one satellite
    assert j["single_satellite_step_s"] == pytest.approx(single)
    assert j["compute_s"] == pytest.approx(single / 4)
    assert j["step_s_median"] == pytest.approx(j["compute_s"] + j["allreduce_s_median"])
    # 4 satellites, 3 terminals each: every pair linked, a ring of direct 100 Gbit/s hops a few hundred
    # metres long: 1.5 x 16 / 100 + 6 x (about 1 us of light + 5 us switching)
    assert j["allreduce_s_median"] == pytest.approx(1.5 * 16 / 100 + 6 * (0.3 / C_KM_S + 5e-6), rel=1e-4)
    assert j["allreduce_s_median"] > 1.5 * 16 / 100
    assert j["scaling_efficiency"] == pytest.approx(single / (4 * j["step_s_median"]))
    assert j["compute_basis"] == "nameplate" and j["compute_source"] == "training.tflops_per_unit"
    assert j["connected_fraction"] == 1.0
    assert j["tokens_per_day"] == pytest.approx(1e6 / j["step_s_median"] * 86400)


def test_no_links_says_why():
    from core.analysis.topology import compute_topology

    mission = _mission("none")
    eph = build_ephemeris(mission)
    j = tr.compute_training(mission, eph, compute_topology(mission, eph)).to_json()
    assert j["step_s_median"] is None and "isl: none" in j["reason"]


def test_unknown_training_shell_is_a_field_error(tmp_path):
    from core.mission.errors import MissionError
    from core.mission.io import load_mission

    doc = _mission("plus-grid").model_dump(mode="json")
    doc["training"]["shell"] = "nope"
    path = tmp_path / "m.yaml"
    import yaml

    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(MissionError) as err:
        load_mission(path)
    assert "training" in str(err.value) and "'nope' is not a constellation" in str(err.value)


def test_suncatcher_preset_trains_over_its_optical_cluster_links():
    from core.analysis.optical import compute_optical
    from core.analysis.topology import compute_topology
    from core.catalog.presets import preset_path
    from core.mission.io import load_mission

    mission = load_mission(preset_path("suncatcher"))
    mission = mission.model_copy(update={"analysis": mission.analysis.model_copy(update={"duration_s": 1800, "step_s": 300})})
    eph = build_ephemeris(mission)
    topo = compute_topology(mission, eph)
    optical = compute_optical(mission, eph, topo)
    assert optical is not None and optical.to_json()["min_capacity_gbps"] == 800.0  # 200 m links: terminal-limited
    j = tr.compute_training(mission, eph, optical.apply(topo), optical).to_json()
    assert j["satellites"] == 81 and j["connected_fraction"] == 1.0
    assert 0 < j["scaling_efficiency"] < 1
    # the ring's bandwidth term alone: 2 x 80/81 x 128 Gbit / 800 Gbit/s
    assert j["allreduce_s_median"] >= 2 * 80 / 81 * 128 / 800


def test_a_training_shell_without_compute_says_so_in_strict_json():
    """compute_units: 0 leaves no step time: nulls and the reason, never an infinite number."""
    import json

    from core.analysis.pipeline import results_document
    from core.api import analyze, load_preset
    from core.catalog.presets import preset_path

    mission = load_preset("suncatcher")
    mission.analysis.duration_s = 600.0
    mission.buses["suncatcher"].compute_units = 0
    doc = results_document(analyze(mission, preset_path("suncatcher").parent))
    training = json.loads(json.dumps(doc["training"], allow_nan=False))
    assert training["step_s_median"] is None and training["single_satellite_step_s"] is None
    assert training["reason"] == "the training shell has no compute"
