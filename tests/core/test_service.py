"""Serving ground users from spare delivered compute (core.analysis.service)."""

import numpy as np
import pytest

from core.analysis import delivered, power, service, topology
from core.analysis.compute import size_compute
from core.mission.errors import MissionError
from core.orbits.ephemeris import build_ephemeris
from tests.core.factories import edited, mission_data, mission_from, walker_shell

def service_mission(london_tops: float) -> dict:
    """120 satellites with links serving London (``london_tops``) and Nairobi (50 TOPS)."""
    return mission_data(
        walker_shell("53:120/10/1", altitude_km=550, isl="plus-grid"),
        name="service test",
        analysis=dict(duration_s=3600, step_s=120, min_elevation_deg=25, coverage_grid_deg=5),
        buses={"default": {"sensor_duty": 0.1}},
        service={"demand": [{"place": "London", "tops": london_tops}, {"place": "Nairobi", "tops": 50}],
                 "request_kb": 4, "response_kb": 4, "ops_per_request": 1.0e11},
    )


def _service(tops):
    m = mission_from(service_mission(tops))
    eph = build_ephemeris(m)
    pw = power.compute_power(m, eph, year_days=30.0)
    comp = size_compute(m, eph)
    comp = comp.__class__(comp.shells, delivered.compute_delivered(m, eph, pw, comp))
    return m, comp, service.compute_service(m, eph, topology.compute_topology(m, eph), comp)


def test_terrestrial_reference_is_fibre_to_the_nearest_region():
    name, ms = service.terrestrial_ms(51.51, -0.13)  # London itself
    assert name == "London" and ms == pytest.approx(0.0, abs=1e-6)
    # Nairobi: nearest listed region is Johannesburg (2,910 km) -> 2 x 2910 / 199,862 km/s = 29.1 ms
    name, ms = service.terrestrial_ms(-1.29, 36.82)
    from core.analysis.latency import great_circle_km

    d = float(great_circle_km(-1.29, 36.82, -26.20, 28.05))
    assert name == "Johannesburg" and ms == pytest.approx(2 * d / (299_792.458 * 2 / 3) * 1000)


def test_weighted_quantiles_by_hand():
    v = np.array([30.0, 10.0, 20.0])
    w = np.array([1.0, 1.0, 2.0])
    # sorted 10 (0.25), 20 (0.75), 30 (1.0)
    assert service.weighted_quantiles(v, w, (0.2, 0.5, 0.9)) == [10.0, 20.0, 30.0]


def test_allocation_fills_nearest_spare_first_and_counts_what_is_left():
    dist = np.array([[0.0, 100.0, 200.0, np.inf]])
    spare = np.array([10.0, 10.0, 10.0, 100.0])
    bufs = (np.zeros(8, np.int64), np.zeros(8, np.int64), np.zeros(8), np.zeros(8))
    # place 1 asks for 20 (served first), place 0 for 10; both enter at satellite 0; 90 % of spare usable
    m, used, unmet = service.allocate(np.array([1, 0]), np.array([10.0, 20.0]), np.array([0, 0]), dist, spare, 0.9, *bufs)
    assert m == 4
    assert list(bufs[0][:m]) == [1, 1, 1, 0] and list(bufs[1][:m]) == [0, 1, 2, 2]
    assert np.allclose(bufs[2][:m], [9.0, 9.0, 2.0, 7.0])
    # satellite 3 is unreachable: 30 asked, 27 served
    assert used.sum() == pytest.approx(27.0) and used[3] == 0.0
    assert list(unmet) == [3.0, 0.0]


def test_a_short_first_search_gives_the_same_result(monkeypatch):
    wide = _service(2000)[2].to_json()
    monkeypatch.setattr(service, "SEARCH_KM", 300.0)  # most places must widen their search
    narrow = _service(2000)[2].to_json()
    assert narrow == wide


def test_small_mission_serves_and_reports_response_times():
    _, comp, r = _service(50)
    j = r.to_json()
    assert 0.0 < j["served_fraction"] <= 1.0
    # a request goes up and down at least 550 km each way
    assert j["p50_ms"] >= 2 * 550 / 299_792.458 * 1000
    assert j["p50_ms"] <= j["p95_ms"] <= j["p99_ms"]
    assert [p["place"] for p in j["places"]] == ["London", "Nairobi"]
    # what is not served here is demand at epochs when the place sees no satellite (capacity is ample)
    assert j["served_fraction"] == pytest.approx(1.0 - j["not_in_view_fraction"])
    assert j["places"][0]["terrestrial_ms"] < 0.01  # the catalogue city sits a few hundred metres from the region city
    # spare compute is shared: served TOPS never exceed 90 % of the delivered TOPS less the workload
    spare = (comp.delivered.tops.astype(float) - comp.shells[0].required_tops_per_satellite).clip(0).sum(axis=0)
    assert np.all(r.served_over_time * r.demand_tops.sum() <= 0.9 * spare + 1e-6)


def test_demand_beyond_the_constellation_is_counted_as_not_served():
    _, comp, r = _service(1e7)
    spare = (comp.delivered.tops.astype(float) - comp.shells[0].required_tops_per_satellite).clip(0).sum(axis=0)
    j = r.to_json()
    assert j["served_fraction"] <= float(np.mean(0.9 * spare)) / (1e7 + 50) + 1e-9
    assert j["utilization_max"] <= 0.9 + 1e-9


def test_unknown_place_is_a_field_error():
    with pytest.raises(MissionError, match=r"service.demand\[0\].place"):
        mission_from(edited(service_mission(1), {"service.demand.0.place": "Atlantis"}))
    with pytest.raises(MissionError, match="service"):
        both = service_mission(1)
        del both["service"]["request_kb"]
        mission_from(edited(both, {"service.population_weighted": {"total_tops": 5}}))


def test_results_document_has_a_finite_service_section():
    import json

    from core.analysis.pipeline import results_document, run_analysis

    doc = results_document(run_analysis(mission_from(service_mission(50))))
    text = json.dumps(doc["service"], allow_nan=False)  # plain JSON numbers only
    assert set(json.loads(text)) >= {"served_fraction", "p50_ms", "p95_ms", "p99_ms", "places"}
    assert set(doc["service"]["places"][0]) >= {"place", "served_fraction", "p50_ms", "p95_ms", "terrestrial_ms"}
    assert "delivered" in doc["timings_s"] and "service" in doc["timings_s"]
    assert doc["compute"][0]["delivered_fraction"] == 1.0
