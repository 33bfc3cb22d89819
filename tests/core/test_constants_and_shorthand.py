"""The one home of the Earth model and of the Walker shorthand parser."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core import constants as k
from core.mission.model import Constellation, WalkerShorthand, walker_fields


def test_wgs84_derived_values_match_the_published_ones():
    # NIMA TR8350.2: b = 6356.7523142 km, e^2 = 6.69437999014e-3
    assert k.WGS84_B_KM == pytest.approx(6356.7523142, abs=1e-7)
    assert k.WGS84_E2 == pytest.approx(6.69437999014e-3, rel=1e-11)
    assert k.FIBRE_KM_S == pytest.approx(199_861.638667, rel=1e-9)


def test_shorthand_parses_and_rejects():
    assert WalkerShorthand.parse(" 53 : 1584 / 72 / 17 ") == WalkerShorthand(53.0, 1584, 72, 17)
    assert WalkerShorthand.parse("SSO:12/3/1").inclination == "sso"
    assert WalkerShorthand.parse("53:1584/72/17").sats_per_plane == 22
    assert WalkerShorthand.parse("53:1584/72") is None
    assert WalkerShorthand.parse("1.2.3:6/2/1") is None  # matches [0-9.]+ but is no number


def test_explicit_keys_win_over_the_shorthand():
    w = walker_fields({"walker": "53:1584/72/17", "planes": 24, "phasing": None})
    assert (w.inclination_deg, w.planes, w.sats_per_plane, w.phasing) == (53.0, 24, 22, 17)
    assert walker_fields({"walker": "nonsense"}).planes is None


def test_model_reports_a_non_numeric_inclination_as_malformed():
    with pytest.raises(ValidationError, match='must look like "i:t/p/f"'):
        Constellation(name="s", walker="1.2.3:6/2/1", altitude_km=550)
    entry = Constellation(name="s", walker="53:6/2/1", altitude_km=550, sats_per_plane=4)
    assert entry.walker_fields().sats_per_plane == 4
