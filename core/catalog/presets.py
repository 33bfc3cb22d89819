"""The built-in preset missions (``resources/missions/*.yaml``).

``starnet presets`` lists them and ``starnet new --preset NAME -o FILE`` writes one out::

    >>> from core.catalog.presets import preset_names
    >>> preset_names()[0]
    'default'

A preset name is the file stem (``three-body`` for ``three-body.yaml``); ``default`` comes
first, the others in alphabetical order.
"""

from __future__ import annotations

from pathlib import Path

from core.resources import resource_path

DEFAULT_PRESET = "default"


def _presets_dir() -> Path:
    return resource_path("missions")


def _preset_files() -> dict[str, Path]:
    folder = _presets_dir()
    if not folder.is_dir():
        return {}
    files = {p.stem: p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")}
    return files


def preset_names() -> list[str]:
    """The preset names (file stems): ``default`` first, then the rest alphabetically."""
    names = sorted(_preset_files())
    if DEFAULT_PRESET in names:
        names.remove(DEFAULT_PRESET)
        names.insert(0, DEFAULT_PRESET)
    return names


def preset_path(name: str) -> Path:
    """The file of preset ``name``; a ``KeyError`` that lists the known presets otherwise."""
    files = _preset_files()
    key = name[:-5] if name.endswith(".yaml") else name
    if key not in files:
        import difflib

        close = difflib.get_close_matches(key, list(files), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"unknown preset {name!r}{hint} (known: {', '.join(preset_names())})")
    return files[key]


def preset_text(name: str) -> str:
    """The YAML text of preset ``name``, comments included (what ``starnet new`` writes out)."""
    return preset_path(name).read_text(encoding="utf-8")
