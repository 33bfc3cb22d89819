"""The propagated constellation: every satellite at every epoch, inertial and Earth-fixed.

:func:`build_ephemeris` turns a mission into an :class:`Ephemeris`, the one object every
analysis, the globe, the plots and the exports read. Arrays are laid out
``(n_sat, n_time, 3)`` in km; satellites are numbered shell by shell, plane by plane, slot
by slot, in the order of the mission file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from core.mission.model import Mission
from core.orbits import frames
from core.orbits.epoch_check import warn_outside_tables
from core.orbits.estimate import check_run_fits, epoch_count
from core.orbits.propagate import ShellPropagator, make_propagator
from core.orbits.shells import ShellInfo, build_shells
from core.orbits.timegrid import TimeGrid

ProgressFn = Callable[[str, float], None]
"""``progress(stage, fraction_done)``; fraction is within 0..1."""


@dataclass(frozen=True, eq=False)
class Ephemeris:
    """All satellites on the analysis grid, or a block of them: positions are computed on first use.

    An ephemeris holds the propagators, not the positions: ``r_eci_km`` and ``r_ecef_km`` are
    evaluated (and kept) the first time they are read. :meth:`window` gives the same
    constellation on a range of epochs and :meth:`subset` a range of satellites, each with its
    own, smaller arrays, so a streaming analysis holds one block at a time. A block's
    positions are the same bits as the matching rows and columns of the whole arrays.

    Attributes:
        time: the time grid (of this block: ``offsets_s`` start at ``time_offset_index`` of the run).
        shells: one :class:`ShellInfo` per constellation entry (``sat_slice`` indexes the run's satellites).
        shell_index, plane_index, slot_index: ``(n_sat,)`` ints (plane/slot are -1 outside Walker shells).
        names: satellite names, ``(n_sat,)``.
        eci_to_ecef: ``(n_time, 3, 3)`` rotation matrices, ``r_ecef = M @ r_eci``.
        sun_eci_unit: unit vector to the Sun from the Earth's centre, GCRS, ``(n_time, 3)``.
        propagators: one per shell; ``states(offsets_s)`` gives GCRS position and velocity at any time.
        sats: the run's satellites this ephemeris holds (``slice(0, n_sat)`` for the whole run).
        epochs: the run's epochs this ephemeris holds (``slice(0, n_time)`` for the whole run).
    """

    time: TimeGrid
    shells: tuple[ShellInfo, ...]
    shell_index: np.ndarray
    plane_index: np.ndarray
    slot_index: np.ndarray
    names: tuple[str, ...]
    eci_to_ecef: np.ndarray
    sun_eci_unit: np.ndarray
    propagators: tuple[ShellPropagator, ...]
    sats: slice
    epochs: slice

    @property
    def n_sat(self) -> int:
        return int(self.sats.stop - self.sats.start)

    @property
    def n_time(self) -> int:
        return int(self.time.n)

    @property
    def is_block(self) -> bool:
        """True for a :meth:`window` or :meth:`subset` of a run (not the whole of it)."""
        return self.sats.start != 0 or self.epochs.start != 0 or self.n_sat != self.run_n_sat

    @property
    def run_n_sat(self) -> int:
        """Satellites of the whole run this ephemeris is part of."""
        return int(sum(s.n_sat for s in self.shells))

    @cached_property
    def r_eci_km(self) -> np.ndarray:
        """GCRS positions ``(n_sat, n_time, 3)`` km (computed on first use)."""
        out = np.empty((self.n_sat, self.n_time, 3))
        for shell, prop in zip(self.shells, self.propagators):
            lo = max(self.sats.start, shell.sat_slice.start)
            hi = min(self.sats.stop, shell.sat_slice.stop)
            if lo < hi:
                local = slice(lo - shell.sat_slice.start, hi - shell.sat_slice.start)
                out[lo - self.sats.start:hi - self.sats.start] = prop.positions(self.time.offsets_s, local)
        return out

    @cached_property
    def r_ecef_km(self) -> np.ndarray:
        """ITRS (Earth-fixed) positions ``(n_sat, n_time, 3)`` km (computed on first use)."""
        return frames.apply_rotation(self.eci_to_ecef, self.r_eci_km)

    @cached_property
    def sun_ecef_unit(self) -> np.ndarray:
        """Sun direction in the Earth-fixed frame, ``(n_time, 3)``."""
        return np.einsum("tij,tj->ti", self.eci_to_ecef, self.sun_eci_unit)

    @cached_property
    def lat_lon_alt(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodetic latitude, longitude (deg) and altitude (km) on WGS-84, each ``(n_sat, n_time)``."""
        return frames.geodetic_from_ecef(self.r_ecef_km)

    def window(self, start: int, stop: int) -> "Ephemeris":
        """The same satellites on epochs ``start:stop`` of this ephemeris (positions computed anew, or
        sliced from this one's when it already holds them)."""
        start, stop, _ = slice(start, stop).indices(self.n_time)
        stop = max(start, stop)
        block = dataclasses.replace(
            self, time=TimeGrid(self.time.epoch, self.time.offsets_s[start:stop]),
            eci_to_ecef=self.eci_to_ecef[start:stop], sun_eci_unit=self.sun_eci_unit[start:stop],
            epochs=slice(self.epochs.start + start, self.epochs.start + stop))
        if "r_eci_km" in self.__dict__:
            block.__dict__["r_eci_km"] = self.r_eci_km[:, start:stop]
        if "r_ecef_km" in self.__dict__:
            block.__dict__["r_ecef_km"] = self.r_ecef_km[:, start:stop]
        return block

    def subset(self, start: int, stop: int) -> "Ephemeris":
        """Satellites ``start:stop`` of this ephemeris on the same epochs (indices local to this one)."""
        start, stop, _ = slice(start, stop).indices(self.n_sat)
        stop = max(start, stop)
        block = dataclasses.replace(
            self, shell_index=self.shell_index[start:stop], plane_index=self.plane_index[start:stop],
            slot_index=self.slot_index[start:stop], names=self.names[start:stop],
            sats=slice(self.sats.start + start, self.sats.start + stop))
        if "r_eci_km" in self.__dict__:
            block.__dict__["r_eci_km"] = self.r_eci_km[start:stop]
        if "r_ecef_km" in self.__dict__:
            block.__dict__["r_ecef_km"] = self.r_ecef_km[start:stop]
        return block

    def local_slice(self, shell: ShellInfo) -> slice:
        """This ephemeris's satellites of ``shell``, as a slice of its own arrays (empty if none).

        ``shell.sat_slice`` numbers the whole run's satellites; on a :meth:`subset` use this."""
        lo = max(self.sats.start, shell.sat_slice.start)
        hi = max(lo, min(self.sats.stop, shell.sat_slice.stop))
        return slice(lo - self.sats.start, hi - self.sats.start)

    def shell_of(self, sat: int) -> ShellInfo:
        return self.shells[int(self.shell_index[sat])]

    def states_eci(self, offsets_s: np.ndarray, sats: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """GCRS position (km) and velocity (km/s) at arbitrary offsets, ``(n_sel, n_t, 3)`` each.

        ``sats`` selects satellites by index in this ephemeris (all when ``None``). Used where the
        grid is too coarse: access windows refined to a second, the app between grid epochs, exports.
        """
        offsets_s = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        sats = np.arange(self.n_sat) if sats is None else np.atleast_1d(np.asarray(sats))
        glob = sats + self.sats.start
        r = np.empty((sats.size, offsets_s.size, 3))
        v = np.empty_like(r)
        for shell, prop in zip(self.shells, self.propagators):
            local = glob - shell.sat_slice.start
            mask = (local >= 0) & (local < shell.n_sat)
            if mask.any():
                r[mask], v[mask] = prop.states(offsets_s, local[mask])
        return r, v

    def positions_ecef(self, offsets_s: np.ndarray, sats: np.ndarray | None = None) -> np.ndarray:
        """Earth-fixed positions (km) at arbitrary offsets, ``(n_sel, n_t, 3)``."""
        offsets_s = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        r, _ = self.states_eci(offsets_s, sats)
        return frames.apply_rotation(frames.gcrs_to_itrs_matrices(self.time.at(offsets_s)), r)


@lru_cache(maxsize=4)
def _grid_and_frames(epoch: datetime, duration_s: float, step_s: float) -> tuple[TimeGrid, np.ndarray, np.ndarray]:
    """The time grid with its Earth-fixed rotations and Sun directions (shared by every edit of
    the constellation: only a change of epoch or window recomputes them). Arrays are read-only."""
    grid = TimeGrid.regular(epoch, duration_s, step_s)
    rot = frames.gcrs_to_itrs_matrices(grid.times)
    sun = frames.sun_direction_gcrs(grid.times)
    rot.flags.writeable = False
    sun.flags.writeable = False
    return grid, rot, sun


def build_ephemeris(
    mission: Mission,
    base_dir: Path | None = None,
    time: TimeGrid | None = None,
    progress: ProgressFn | None = None,
    lazy: bool = False,
    memory_check: Callable[[tuple[ShellInfo, ...], int], None] | None = None,
) -> Ephemeris:
    """Propagate every constellation of ``mission`` over its analysis window.

    ``base_dir`` resolves relative ``tle_file``/``omm_file`` paths (the mission file's folder).
    ``time`` overrides the grid given by ``mission.analysis``. Before allocating, the
    ephemeris's memory is estimated and a run that cannot fit is refused with :class:`~core.mission.errors.MissionError` (:mod:`core.orbits.estimate`).
    With ``lazy`` nothing is propagated here: positions are computed when first read, for the
    whole run or for the :meth:`Ephemeris.window` / :meth:`Ephemeris.subset` blocks a
    streaming analysis asks for, and the memory check is ``memory_check(shells, n_time)``,
    called (when given) before the per-epoch frames are computed.
    """
    report = progress or (lambda stage, fraction: None)
    report("Orbits", 0.0)
    shells, sources = build_shells(mission, base_dir)
    n_time = time.n if time is not None else epoch_count(float(mission.analysis.duration_s), float(mission.analysis.step_s))
    if not lazy:
        check_run_fits(sum(s.n_sat for s in shells), n_time, mission.name, full_analysis=False)
    elif memory_check is not None:
        memory_check(tuple(shells), n_time)
    warn_outside_tables(mission.epoch, float(mission.analysis.duration_s))
    if time is None:
        grid, rot, sun = _grid_and_frames(mission.epoch, float(mission.analysis.duration_s), float(mission.analysis.step_s))
    else:
        grid, rot, sun = time, frames.gcrs_to_itrs_matrices(time.times), frames.sun_direction_gcrs(time.times)
    propagators = tuple(make_propagator(shell, source, grid.epoch) for shell, source in zip(shells, sources))
    n_sat = sum(s.n_sat for s in shells)
    index = np.concatenate([np.full(s.n_sat, k, dtype=np.int32) for k, s in enumerate(shells)]) if shells else np.zeros(0, np.int32)
    eph = Ephemeris(
        time=grid,
        shells=tuple(shells),
        shell_index=index,
        plane_index=np.concatenate([s.plane_index for s in shells]) if shells else np.zeros(0, np.int32),
        slot_index=np.concatenate([s.slot_index for s in shells]) if shells else np.zeros(0, np.int32),
        names=tuple(name for s in shells for name in s.sat_names),
        eci_to_ecef=rot,
        sun_eci_unit=sun,
        propagators=propagators,
        sats=slice(0, n_sat),
        epochs=slice(0, grid.n),
    )
    if not lazy:
        _ = eph.r_eci_km  # evaluate now, so the time is spent in the "orbits" stage
        report("Earth-fixed frame", 0.8)
        _ = eph.r_ecef_km
    report("Orbits", 1.0)
    return eph
