"""Where StarNet Studio's bundled data lives: textures, icons, presets, catalogues.

:func:`resources_dir` finds the ``resources/`` folder, in this order:

1. the ``STARNET_RESOURCES`` environment variable, if set (tests, custom installs);
2. ``resources/`` beside the ``core`` package (a source checkout or an editable install);
3. ``resources/`` inside a PyInstaller bundle (``sys._MEIPASS``).

>>> (resources_dir() / "hardware.yaml").is_file()
True
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "STARNET_RESOURCES"


def resources_dir() -> Path:
    """The folder that holds the bundled resources (see the module docstring for the search order)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    repo = Path(__file__).resolve().parents[1] / "resources"
    if repo.is_dir():
        return repo
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    return repo


def resource_path(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource_path("textures", "earth_2048x1024.jpg")``."""
    return resources_dir().joinpath(*parts)
