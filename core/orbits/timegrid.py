"""The analysis time grid shared by every analysis.

Times are seconds from the mission epoch (a float array); the astropy ``Time`` array is
built once, on first use, for the frame and Sun computations that need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
from astropy.time import Time, TimeDelta

from core.orbits import iers_offline  # noqa: F401  (no network at run time)


@dataclass(frozen=True, eq=False)
class TimeGrid:
    """Epoch plus offsets in seconds: ``t = epoch + offsets_s``.

    >>> grid = TimeGrid.regular("2026-03-20T00:00:00Z", duration_s=3600, step_s=60)
    >>> grid.n, grid.step_s
    (61, 60.0)
    """

    epoch: Time
    offsets_s: np.ndarray

    @classmethod
    def regular(cls, epoch: Time | datetime | str, duration_s: float, step_s: float) -> "TimeGrid":
        """Samples from the epoch to ``epoch + duration_s`` (inclusive) every ``step_s``."""
        count = int(np.floor(duration_s / step_s + 1e-9)) + 1
        return cls(to_time(epoch), np.arange(count, dtype=float) * float(step_s))

    @property
    def n(self) -> int:
        """Number of epochs."""
        return int(self.offsets_s.size)

    @property
    def step_s(self) -> float:
        """Spacing of a regular grid (the first step; 0 for a single epoch)."""
        return float(self.offsets_s[1] - self.offsets_s[0]) if self.n > 1 else 0.0

    @property
    def duration_s(self) -> float:
        return float(self.offsets_s[-1] - self.offsets_s[0]) if self.n else 0.0

    @cached_property
    def times(self) -> Time:
        """The epochs as an astropy ``Time`` array (UTC)."""
        return self.at(self.offsets_s)

    def at(self, offsets_s: np.ndarray | float) -> Time:
        """Absolute times for offsets (seconds from the epoch) that need not be on the grid."""
        return self.epoch + TimeDelta(np.asarray(offsets_s, dtype=float), format="sec")

    def iso(self, offset_s: float) -> str:
        """ISO 8601 UTC text of one offset, e.g. ``2026-03-20T00:01:00Z``."""
        return self.at(offset_s).utc.isot[:19] + "Z"

    def index_at(self, offset_s: float) -> int:
        """Index of the grid epoch nearest to ``offset_s``."""
        return int(np.clip(np.searchsorted(self.offsets_s, offset_s), 0, self.n - 1))


def to_time(value: Time | datetime | str) -> Time:
    """An astropy UTC ``Time`` from a ``Time``, an aware ``datetime`` or ISO text."""
    if isinstance(value, Time):
        return value.utc
    if isinstance(value, datetime):
        return Time(value, scale="utc")
    return Time(str(value).replace("Z", ""), scale="utc")
