"""Fixtures of the engine's tests; the mission factories themselves are in :mod:`tests.core.factories`
(plain functions, so that module-level constants and ``parametrize`` can use them too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.core.factories import write_mission


@pytest.fixture
def mission_file(tmp_path: Path) -> Callable[..., Path]:
    """``mission_file(data, name="mission.yaml")``: the path of ``data`` written in this test's folder."""

    def write(data: dict[str, Any], name: str = "mission.yaml") -> Path:
        return write_mission(tmp_path, data, name)

    return write
