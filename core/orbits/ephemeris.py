"""The propagated constellation: every satellite at every epoch, inertial and Earth-fixed.

:func:`build_ephemeris` turns a mission into an :class:`Ephemeris`, the one object every
analysis, the globe, the plots and the exports read. Arrays are laid out
``(n_sat, n_time, 3)`` in km; satellites are numbered shell by shell, plane by plane, slot
by slot, in the order of the mission file.
"""

from __future__ import annotations

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
    """Positions of all satellites on the analysis grid, plus what is needed to re-evaluate them.

    Attributes:
        time: the shared time grid.
        shells: one :class:`ShellInfo` per constellation entry (``sat_slice`` indexes the arrays).
        shell_index, plane_index, slot_index: ``(n_sat,)`` ints (plane/slot are -1 outside Walker shells).
        names: satellite names, ``(n_sat,)``.
        r_eci_km: GCRS positions ``(n_sat, n_time, 3)``.
        r_ecef_km: ITRS (Earth-fixed) positions ``(n_sat, n_time, 3)``.
        eci_to_ecef: ``(n_time, 3, 3)`` rotation matrices, ``r_ecef = M @ r_eci``.
        sun_eci_unit: unit vector to the Sun from the Earth's centre, GCRS, ``(n_time, 3)``.
        propagators: one per shell; ``states(offsets_s)`` gives GCRS position and velocity at any time.
    """

    time: TimeGrid
    shells: tuple[ShellInfo, ...]
    shell_index: np.ndarray
    plane_index: np.ndarray
    slot_index: np.ndarray
    names: tuple[str, ...]
    r_eci_km: np.ndarray
    r_ecef_km: np.ndarray
    eci_to_ecef: np.ndarray
    sun_eci_unit: np.ndarray
    propagators: tuple[ShellPropagator, ...]

    @property
    def n_sat(self) -> int:
        return int(self.r_eci_km.shape[0])

    @property
    def n_time(self) -> int:
        return int(self.time.n)

    @cached_property
    def sun_ecef_unit(self) -> np.ndarray:
        """Sun direction in the Earth-fixed frame, ``(n_time, 3)``."""
        return np.einsum("tij,tj->ti", self.eci_to_ecef, self.sun_eci_unit)

    @cached_property
    def lat_lon_alt(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodetic latitude, longitude (deg) and altitude (km) on WGS-84, each ``(n_sat, n_time)``."""
        return frames.geodetic_from_ecef(self.r_ecef_km)

    def shell_of(self, sat: int) -> ShellInfo:
        return self.shells[int(self.shell_index[sat])]

    def states_eci(self, offsets_s: np.ndarray, sats: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """GCRS position (km) and velocity (km/s) at arbitrary offsets, ``(n_sel, n_t, 3)`` each.

        ``sats`` selects satellites by global index (all when ``None``). Used where the grid is
        too coarse: access windows refined to a second, the app between grid epochs, exports.
        """
        offsets_s = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        sats = np.arange(self.n_sat) if sats is None else np.atleast_1d(np.asarray(sats))
        r = np.empty((sats.size, offsets_s.size, 3))
        v = np.empty_like(r)
        for shell, prop in zip(self.shells, self.propagators):
            local = sats - shell.sat_slice.start
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
    full_analysis: bool = False,
) -> Ephemeris:
    """Propagate every constellation of ``mission`` over its analysis window.

    ``base_dir`` resolves relative ``tle_file``/``omm_file`` paths (the mission file's folder).
    ``time`` overrides the grid given by ``mission.analysis``. Before allocating, the run's
    memory (all analyses when ``full_analysis``) is estimated and a run that cannot fit is
    refused with :class:`~core.mission.errors.MissionError` (:mod:`core.orbits.estimate`).
    """
    report = progress or (lambda stage, fraction: None)
    report("Orbits", 0.0)
    shells, sources = build_shells(mission, base_dir)
    n_time = time.n if time is not None else epoch_count(float(mission.analysis.duration_s), float(mission.analysis.step_s))
    check_run_fits(sum(s.n_sat for s in shells), n_time, mission.name, full_analysis=full_analysis)
    warn_outside_tables(mission.epoch, float(mission.analysis.duration_s))
    if time is None:
        grid, rot, sun = _grid_and_frames(mission.epoch, float(mission.analysis.duration_s), float(mission.analysis.step_s))
    else:
        grid, rot, sun = time, frames.gcrs_to_itrs_matrices(time.times), frames.sun_direction_gcrs(time.times)
    propagators = tuple(make_propagator(shell, source, grid.epoch) for shell, source in zip(shells, sources))
    n_sat = sum(s.n_sat for s in shells)
    r_eci = np.empty((n_sat, grid.n, 3))
    for k, (shell, prop) in enumerate(zip(shells, propagators)):
        r_eci[shell.sat_slice] = prop.positions(grid.offsets_s)
        report("Orbits", 0.7 * (k + 1) / len(shells))
    report("Earth-fixed frame", 0.8)
    r_ecef = frames.apply_rotation(rot, r_eci)
    report("Orbits", 1.0)
    index = np.concatenate([np.full(s.n_sat, k, dtype=np.int32) for k, s in enumerate(shells)]) if shells else np.zeros(0, np.int32)
    return Ephemeris(
        time=grid,
        shells=tuple(shells),
        shell_index=index,
        plane_index=np.concatenate([s.plane_index for s in shells]),
        slot_index=np.concatenate([s.slot_index for s in shells]),
        names=tuple(name for s in shells for name in s.sat_names),
        r_eci_km=r_eci,
        r_ecef_km=r_ecef,
        eci_to_ecef=rot,
        sun_eci_unit=sun,
        propagators=propagators,
    )
