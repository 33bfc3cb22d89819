"""The service map (app/plots/service_map.py): shown for a mission that serves ground users, hidden
for one that does not, and drawing the engine's per-cell p50 response times, recomputing nothing."""

import numpy as np
import pytest

from app.plots.service_map import ServiceMapPlot
from core.analysis.pipeline import results_document


@pytest.fixture
def ada_small():
    """The ADA Star-Compute preset (it has a ``service:`` section), its 400-satellite shell over 30 min."""
    from core import api

    m = api.load_mission("resources/missions/ada-star-compute.yaml")
    assert m.service is not None
    return m.model_copy(update={"constellations": [c for c in m.constellations if c.name == "low-inc-550"],
                                "analysis": m.analysis.model_copy(update={"duration_s": 1800.0, "step_s": 300.0})})


def test_map_shows_for_a_service_mission_and_draws_the_engines_p50(make_window, ada_small, wait_full):
    w = make_window(ada_small)
    wait_full(w)
    shown = [title for title, _plot in w.plots.plots]
    assert "Service map" in shown
    svc = w.results.service
    image = w.service_map.heat.image
    # the image is the engine's p50 grid (x = longitude), cell for cell, empty cells clear (nan)
    assert image.shape == svc.cell_p50_ms.T.shape == (72, 36)
    assert np.array_equal(image, svc.cell_p50_ms.T, equal_nan=True)
    # ... and each cell of the results document sits where the map draws it, with the same p50
    cells = results_document(w.results)["service"]["cells"]
    assert len(cells) >= 5
    for cell in cells:
        j, i = int((cell["lon_deg"] + 180) // 5), int((cell["lat_deg"] + 90) // 5)
        if cell["p50_ms"] is None:
            assert np.isnan(image[j, i]) and cell["status"].startswith("unreachable")
        else:
            assert image[j, i] == pytest.approx(cell["p50_ms"], rel=1e-12)
    assert np.isfinite(image).sum() == sum(c["p50_ms"] is not None for c in cells)
    # the colour bar spans the drawn values, in ms
    lo, hi = w.service_map.colorbar.levels()
    assert lo == pytest.approx(np.nanmin(image)) and hi == pytest.approx(np.nanmax(image))
    assert "ms" in w.service_map.colorbar.getAxis("left").labelText
    assert f"served {100 * svc.served_fraction:.0f} %" in w.service_map.plot.starnet_title
    # the Budgets panel shows the engine's compute load with the requests counted
    from app.panels.budgets import ROWS, significant

    load = w.results.compute.load.shells[0]
    assert load.service_tops_mean > 0
    row = [key for key, _label, _group in ROWS].index("load")
    assert w.budgets.table.item(row, 0).text() == significant(100 * load.load_utilization_max)


def test_map_is_hidden_for_a_mission_without_service(make_window, small_mission, wait_full):
    assert small_mission.service is None
    w = make_window(small_mission)
    wait_full(w)
    assert "Service map" not in [title for title, _plot in w.plots.plots]
    assert w.service_map.heat.image is None


def test_unreachable_cells_are_crossed_out(qtbot):
    from types import SimpleNamespace

    from core.analysis import service

    # two places: one served (20 ms), one whose place never sees a satellite
    cells = service.service_cells(np.array([51.5, -60.0]), np.array([0.1, -100.0]), np.array([10.0, 5.0]),
                                  np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([20.0]), np.array([10.0]),
                                  np.array([0]))
    svc = SimpleNamespace(served_fraction=2 / 3, place_lat_deg=np.array([51.5, -60.0]), place_lon_deg=np.array([0.1, -100.0]),
                          cell_deg=5.0, lat_edges_deg=np.linspace(-90, 90, 37), lon_edges_deg=np.linspace(-180, 180, 73), **cells)
    plot = ServiceMapPlot()
    qtbot.addWidget(plot)
    plot.set_results(SimpleNamespace(service=svc))
    x, y = plot.unreachable.getData()
    assert list(x) == [-97.5] and list(y) == [-57.5]
    assert cells["cell_status"][6, 16] == service.CELL_NOT_IN_VIEW
    assert plot.heat.image[36, 28] == 20.0 and np.isnan(plot.heat.image[16, 6])
    assert "1 unreachable" in plot.plot.starnet_title
