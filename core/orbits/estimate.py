"""Estimate a run's memory before allocating it, and refuse a run the machine cannot hold.

A run that holds every satellite at every epoch in several arrays (inertial and Earth-fixed
positions, geodetic coordinates, visibility and link tables) grows as satellites x epochs:
:func:`check_run_fits` estimates that for a whole-array ephemeris. The analysis pipeline
streams instead (:mod:`core.orbits.blocks`): :func:`streamed_run_bytes` counts one block of
the streamed analyses plus what the results keep (per-satellite-epoch arrays, the links'
``(n_time, n_edge)`` tables, the coverage grid) and :func:`check_streamed_run_fits` refuses
a run whose smallest block cannot fit. Both compare with the memory this process may use
(``MemAvailable`` in ``/proc/meminfo``, and the address-space limit when one is set, as
``ulimit -v`` does) and raise :class:`~core.mission.errors.MissionError` with the estimate,
the limit and what to change, instead of letting the operating system kill the run.
"""

from __future__ import annotations

import math
import resource

from dataclasses import dataclass

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
BLOCK_BYTES_PER_SAT_EPOCH = 120
"""Bytes per satellite-epoch of the largest block a streamed analysis holds (positions, masks, scratch)."""
SERVICE_BYTES_PER_PLACE_SAT = 24
"""The service stage's scratch at each epoch, per place with demand and satellite: the slant ranges and the
ISL search's distances (float64 each), the visibility and the allocation's per-place mask (measured 21.3 B at
200 places x 20,000 satellites). The stage streams blocks of epochs (positions and delivered TOPS of a block
only), so this and :data:`SERVICE_BYTES_PER_SAT` are all it holds beyond a block."""
SERVICE_BYTES_PER_SAT = 64
"""The service allocation's assignment buffers, per satellite (two assignments of 32 bytes)."""
RESULT_BYTES_PER_SAT_EPOCH = 0.25
"""Per-satellite-epoch arrays every run's results keep: the power analysis' illumination packed (a bit, plus
12 bytes for each penumbra value: under 1 % of epochs with the conical model); delivered compute keeps
per-satellite values only and recomputes its series when asked."""
GROUND_RESULT_BYTES_PER_SAT_EPOCH = 1
"""With ground stations: the insight's hops' share, 1 (access computes its served share from the windows when read)."""
BYTES_PER_CAPTURE = 33
"""The time to insight keeps 33 bytes per capture: three waits (traditional, in orbit, with offloading) and the
processing end (float64 each), and the offloaded flag; ready times and satellites are regenerated from the
schedule when read (measured 32.0 B at 20,000 x 289 with offloading, 8.6 million captures)."""
SCRATCH_BYTES_PER_CAPTURE = 12
"""Its transient peak on top of one block of satellites (the block budget bounds the queue kernels' scratch):
the run's capture sizes, then the percentiles' copy, one float64 per capture at a time (measured 8.0 B)."""
INSIGHT_BYTES_PER_SAT_EPOCH = 5
"""What the time to insight holds per satellite-epoch through its stage (scratch, not kept): whether each
satellite is tracked in each step (bool) and its ISL hops to a tracked satellite (int32). Its tracked shares are
computed from the access windows per block of satellites, never whole."""
RESULT_BYTES_PER_STATION_SAT_EPOCH = 0.125
"""The access result's in-contact table, per station (packed, a bit)."""
TOPOLOGY_BYTES_PER_EDGE_EPOCH = 1
"""The topology's ``(n_time, n_edge)`` link-up table."""
TRAFFIC_BYTES_PER_EDGE_EPOCH = 2
"""The traffic result's ``(n_time, n_edge)`` float16 link utilisation (with a ``traffic`` section)."""
EDGES_PER_LINKED_SATELLITE = 2
"""Links per satellite of a shell with inter-satellite links (a plus grid has four neighbours, two links each)."""
BYTES_PER_COVERAGE_CELL = 120
"""The coverage fold's per-cell state and the result's maps."""


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


@dataclass(frozen=True)
class StreamedRun:
    """What a streamed analysis run needs, in bytes (see :func:`streamed_run_bytes`)."""

    engine: int
    frames: int
    kept: int
    smallest_block: int

    @property
    def total(self) -> int:
        return self.engine + self.frames + self.kept + self.smallest_block


def streamed_run_bytes(n_sat: int, n_time: int, n_station: int = 0, n_linked_sat: int = 0, coverage_cells: int = 0,
                       n_service_place: int = 0, edge_epoch_bytes: int = TOPOLOGY_BYTES_PER_EDGE_EPOCH,
                       n_capture: int = 0) -> StreamedRun:
    """Memory of a streamed run of ``n_sat`` satellites x ``n_time`` epochs.

    ``kept`` is what the results hold: per-satellite-epoch arrays (more with ``n_station``
    ground stations), the ``(n_time, n_edge)`` link tables of ``n_linked_sat`` satellites with
    inter-satellite links (``edge_epoch_bytes`` per link and epoch: the topology's, plus the
    traffic table when the mission has one), ``coverage_cells`` cells and the
    time to insight's ``n_capture`` captures (with ground stations). ``smallest_block`` is one
    epoch of every satellite, or one satellite over every epoch, whichever is larger (blocks are
    at least that), or the insight's scratch, or the service stage's (one epoch of every
    satellite and its per-epoch scratch over ``n_service_place`` places), if larger: no stage
    holds the whole run's positions.
    """
    sat_epochs = int(n_sat) * int(n_time)
    per_sat_epoch = RESULT_BYTES_PER_SAT_EPOCH
    if n_station:
        per_sat_epoch += GROUND_RESULT_BYTES_PER_SAT_EPOCH + RESULT_BYTES_PER_STATION_SAT_EPOCH * int(n_station)
    captures = int(n_capture) if n_station else 0
    kept = int(sat_epochs * per_sat_epoch
            + int(n_linked_sat) * EDGES_PER_LINKED_SATELLITE * int(n_time) * int(edge_epoch_bytes)
            + int(coverage_cells) * BYTES_PER_COVERAGE_CELL + captures * BYTES_PER_CAPTURE)
    return StreamedRun(
        engine=BASE_BYTES, frames=int(n_time) * BYTES_PER_EPOCH, kept=kept,
        smallest_block=max(max(int(n_sat), int(n_time)) * BLOCK_BYTES_PER_SAT_EPOCH,
                           captures * SCRATCH_BYTES_PER_CAPTURE + (sat_epochs * INSIGHT_BYTES_PER_SAT_EPOCH if captures else 0),
                           int(n_sat) * (BLOCK_BYTES_PER_SAT_EPOCH + SERVICE_BYTES_PER_SAT
                                         + int(n_service_place) * SERVICE_BYTES_PER_PLACE_SAT) if n_service_place else 0),
    )


def check_streamed_run_fits(estimate: StreamedRun, n_sat: int, n_time: int, source: str) -> None:
    """Raise :class:`MissionError` when even the smallest block of a streamed run cannot fit."""
    have = available_bytes()
    if have is None or estimate.total <= have:
        return
    raise MissionError(source, [Problem("analysis.step_s", (
        f"the run needs about {estimate.total / GiB:,.1f} GiB ({n_sat:,} satellites x {n_time:,} epochs: "
        f"{estimate.kept / GiB:,.2f} GiB of results, "
        f"{estimate.frames / GiB:,.2f} GiB of per-epoch frames, {estimate.smallest_block / GiB:,.2f} GiB for the "
        f"smallest block or the time to insight's or the service's scratch), more than the {have / GiB:,.1f} GiB of memory available; raise analysis.step_s, shorten analysis.duration_s, "
        "coarsen analysis.coverage_grid_deg, use fewer satellites or run on a cluster (--scheduler)"))])
