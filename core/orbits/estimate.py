"""Estimate a run's memory before allocating it, and refuse a run the machine cannot hold.

A run keeps every satellite at every epoch in several arrays (inertial and Earth-fixed
positions, geodetic coordinates, visibility and link tables), so its memory grows as
satellites x epochs. :func:`check_run_fits` compares that estimate with the memory this
process may use (``MemAvailable`` in ``/proc/meminfo``, and the address-space limit when
one is set, as ``ulimit -v`` does) and raises :class:`~core.mission.errors.MissionError`
with the estimate and what to change, instead of letting the operating system kill the run.
"""

from __future__ import annotations

import math
import resource

from core.mission.errors import MissionError, Problem

BYTES_PER_SAT_EPOCH_ANALYSIS = 120
"""Peak bytes per satellite-epoch of a full analysis, with a margin (measured 82: 2,000 satellites x 1,441
epochs peak at 552 MB against 328 MB for 100 satellites; the issue's 80,000 x 1,441 took 10.9 GB, 94)."""
BYTES_PER_SAT_EPOCH_EPHEMERIS = 60
"""Peak bytes per satellite-epoch of propagation alone (GCRS and ITRS positions, float64)."""
BYTES_PER_EPOCH = 400
"""Per-epoch frame data: rotation matrices, Sun directions, astropy times and their scratch."""
BASE_BYTES = 300 * 1024**2
"""The engine itself once loaded (numpy, numba, astropy, the coverage grid)."""
GiB = 1024**3


def epoch_count(duration_s: float, step_s: float) -> int:
    """Epochs of the regular analysis grid (both ends included), as :class:`TimeGrid` makes them."""
    return math.floor(duration_s / step_s + 1e-9) + 1


def run_bytes(n_sat: int, n_time: int, full_analysis: bool = True) -> int:
    """Estimated peak memory of propagating (and, if ``full_analysis``, analysing) ``n_sat`` x ``n_time``."""
    per = BYTES_PER_SAT_EPOCH_ANALYSIS if full_analysis else BYTES_PER_SAT_EPOCH_EPHEMERIS
    return int(BASE_BYTES + n_time * BYTES_PER_EPOCH + n_sat * n_time * per)


def _meminfo_bytes(key: str) -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _address_space_left() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            used = int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        used = 0
    return max(0, soft - used)


def available_bytes() -> int | None:
    """Memory this process can still use: free RAM, bounded by ``ulimit -v`` if set (None: unknown)."""
    limits = [v for v in (_meminfo_bytes("MemAvailable"), _address_space_left()) if v is not None]
    return min(limits) if limits else None


def check_run_fits(n_sat: int, n_time: int, source: str, full_analysis: bool = True) -> None:
    """Raise :class:`MissionError` when the run's estimate exceeds the memory available."""
    need = run_bytes(n_sat, n_time, full_analysis)
    have = available_bytes()
    if have is None or need <= have:
        return
    raise MissionError(source, [Problem("analysis.step_s", (
        f"the run needs about {need / GiB:,.1f} GiB ({n_sat:,} satellites x {n_time:,} epochs), more than the "
        f"{have / GiB:,.1f} GiB of memory available; raise analysis.step_s, shorten analysis.duration_s "
        "or use fewer satellites"))])
