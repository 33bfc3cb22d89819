"""Upgrades of older mission files to the current ``schema_version``.

Each entry of :data:`MIGRATIONS` takes a document of version ``n`` (a plain dict, as read
from YAML/JSON) and returns it as version ``n + 1``. Old files are migrated on load, never
rejected; saving writes the current version.
"""

from __future__ import annotations

from typing import Callable

from core.mission.model import SCHEMA_VERSION

MIGRATIONS: dict[int, Callable[[dict], dict]] = {}
"""version -> function upgrading a document of that version by one step (none yet: v1 is the first)."""


def migrate(document: dict) -> dict:
    """Bring ``document`` up to :data:`SCHEMA_VERSION`; raises ``ValueError`` for unknown versions."""
    version = document.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"schema_version must be a whole number from 1 to {SCHEMA_VERSION}")
    if version > SCHEMA_VERSION:
        raise ValueError(f"schema_version {version} is newer than this StarNet Studio understands ({SCHEMA_VERSION}); please upgrade")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](dict(document))
        version += 1
        document["schema_version"] = version
    return document
