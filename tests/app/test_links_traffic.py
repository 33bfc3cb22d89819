"""The globe's link layer coloured by the traffic analysis' utilisation."""

from __future__ import annotations

import numpy as np
import pytest

from app.globe.links import FULL_USE_RGBA, LOW_USE_RGBA, LinksAdapter, epoch_utilisation, utilisation_rgba
from core.analysis.topology import Topology


def test_utilisation_colours_run_from_amber_to_red():
    rgba = utilisation_rgba(np.array([0.0, 0.5, 1.0, 3.0]))
    assert rgba[0].tolist() == pytest.approx(LOW_USE_RGBA.tolist())
    assert rgba[2].tolist() == pytest.approx(FULL_USE_RGBA.tolist()) and rgba[3].tolist() == rgba[2].tolist()
    assert rgba[1].tolist() == pytest.approx(((LOW_USE_RGBA + FULL_USE_RGBA) / 2).tolist())


class _Traffic:
    def __init__(self, util):
        self.isl_utilisation = util


def test_loaded_links_go_to_the_coloured_layer():
    from vispy import scene

    edges = np.array([[0, 1], [1, 2], [2, 3]], np.int32)
    active = np.array([[True, False, True]])
    topo = Topology(edges, active, np.full(3, 10.0), np.zeros(3, np.int8))
    traffic = _Traffic(np.array([[0.0, 0.7, 0.4]], np.float32))
    assert epoch_utilisation(traffic, topo, 0).tolist() == pytest.approx([0.0, 0.4])  # the links up, in links_at order

    class View:
        link_pairs = edges
        links_per_epoch = staticmethod(topo.links_at)
        results = type("R", (), {"traffic": traffic, "topology": topo})()

    adapter = LinksAdapter(scene.Node())
    adapter.set_view(View())
    pos = np.arange(12, dtype=np.float32).reshape(4, 3)
    adapter.update_time(pos, 0, np.zeros(4, bool))
    assert adapter.loaded.visible and adapter.lines.visible  # link 2-3 loaded, link 0-1 idle
    adapter.traffic = None
    adapter.update_time(pos, 0, np.zeros(4, bool))
    assert not adapter.loaded.visible and adapter.lines.visible
