"""The service map's grid and per-cell response times (core.analysis.service)."""

import numpy as np
import pytest

from core.analysis import service
from core.analysis.pipeline import results_document, run_analysis
from tests.core.factories import make_mission, walker_shell

def service_mission():
    """Population-weighted demand over 20 cities on a 120-satellite shell, no stations."""
    return make_mission(
        walker_shell("53:120/10/1", isl="plus-grid"), name="service map test",
        analysis={"duration_s": 3600, "step_s": 120, "min_elevation_deg": 25, "coverage_grid_deg": 10},
        buses={"default": {"sensor_duty": 0.1}},
        service={"population_weighted": {"total_tops": 2000, "cities": 20}, "request_kb": 4, "response_kb": 16,
                 "ops_per_request": 1.4e12})


@pytest.fixture(scope="module")
def result():
    r = run_analysis(service_mission())
    return r.service, results_document(r)["service"]


def test_cells_by_hand():
    i, j = service.cell_of(np.array([-90.0, -0.01, 0.0, 89.99, 90.0]), np.array([-180.0, -0.01, 0.0, 179.99, 180.0]))
    assert list(i) == [0, 17, 18, 35, 35] and list(j) == [0, 35, 36, 71, 71]
    # two places in one cell: the cell's p50 is over both places' samples, weighted by served TOPS
    cells = service.service_cells(np.array([51.5, 52.4]), np.array([-0.1, -1.9]), np.array([10.0, 30.0]), np.array([1.0, 0.5]),
                                  np.array([0.0, 0.0]), np.array([10.0, 20.0, 30.0]), np.array([10.0, 5.0, 10.0]),
                                  np.array([0, 1, 1]))
    k = (28, 35)
    assert cells["cell_demand_tops"][k] == 40.0
    assert cells["cell_served"][k] == pytest.approx((10 + 15) / 40)
    assert cells["cell_p50_ms"][k] == 20.0  # cumulative weight 0.4, 0.6, 1.0: the median is the second sample
    assert cells["cell_p95_ms"][k] == 30.0
    assert cells["cell_status"][k] == service.CELL_SERVED
    assert (cells["cell_status"] != service.CELL_EMPTY).sum() == 1 and np.isnan(cells["cell_p50_ms"]).sum() == 36 * 72 - 1
    # demand that is never served, with the place in view: no spare compute in reach
    none = service.service_cells(np.array([0.0]), np.array([0.0]), np.array([5.0]), np.array([0.0]), np.array([0.3]),
                                 np.zeros(0), np.zeros(0), np.zeros(0, np.int64))
    assert none["cell_status"][18, 36] == service.CELL_NO_SPARE and np.isnan(none["cell_p50_ms"][18, 36])


def test_every_served_place_and_cell_has_response_times(result):
    svc, doc = result
    served = svc.place_served > 0
    assert served.sum() >= 10
    assert np.all(np.isfinite(svc.place_p50_ms[served])) and np.all(np.isnan(svc.place_p50_ms[~served]))
    for cell in doc["cells"]:
        assert (cell["p50_ms"] is not None) == (cell["status"] == "served")
        assert cell["p50_ms"] is None or cell["p50_ms"] <= cell["p95_ms"]


def test_a_one_place_cell_is_that_place(result):
    svc, doc = result
    by_name = {p["place"]: p for p in doc["places"]}
    single = [c for c in doc["cells"] if len(c["places"]) == 1 and c["p50_ms"] is not None]
    assert single
    for c in single:
        p = by_name[c["places"][0]]
        assert c["p50_ms"] == p["p50_ms"] and c["p95_ms"] == p["p95_ms"] and c["served_fraction"] == pytest.approx(p["served_fraction"])
    # the cells hold the whole demand
    assert sum(c["demand_tops"] for c in doc["cells"]) == pytest.approx(doc["demand_tops"])
    assert doc["cell_deg"] == 5.0 and doc["window_note"] is not None  # one hour (0.6 orbits) is too short, and the results say so
