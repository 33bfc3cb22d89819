"""Compute load: what each satellite's computer carries once ground users and offloading count.

The compute sizing (:mod:`core.analysis.compute`) counts one job per satellite, its own
Earth-observation workload (``required_tops_per_satellite``). Two analyses put more work on the
same hardware:

* **offloading** (:mod:`core.analysis.insight`): a saturated satellite hands captures of ``b``
  bytes per analysis window ``W`` to a neighbour, which then computes
  ``b x ops_per_byte / W / 1e12`` TOPS more, and the sender as much less;
* **service** (:mod:`core.analysis.service`): the TOPS the ground users' requests use on each
  satellite, mean over the window (``ServiceResult.used_tops_mean``). The service takes the
  spare left *after* the satellite's own captures and what it took in from neighbours
  (:func:`offload_in_tops`), so the two never count the same spare twice.

Per satellite, mean over the window: ``load = EO - offloaded out + offloaded in + service``,
against its mean delivered TOPS (:mod:`core.analysis.delivered`; the nameplate of a sized bus).
Per shell the results add the mean service and offload TOPS per satellite, the mean and largest
load, ``load_utilization`` (the shell's load over what it delivers; ``null`` when it delivers nothing),
``load_utilization_max`` (the busiest satellite's),
``over_committed_satellites`` (load above delivered: the queue of such a satellite grows), and
``power_w_with_load``: the payload's average power at the shell's mean load (the compute sizing's
power model at utilisation ``min(1, load / nameplate)``), beside ``power_w`` for the EO load alone.
The power analysis still sizes a bus for ``power_w``; a bus serving users needs ``power_w_with_load``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from typing import TYPE_CHECKING

from core.analysis.compute import ComputeResult, compute_power_w
from core.analysis.per_shell import PerShell
from core.mission.model import Mission
from core.orbits.ephemeris import Ephemeris

if TYPE_CHECKING:
    from core.analysis.insight import InsightResult
    from core.analysis.service import ServiceResult


def offload_in_tops(mission: Mission, n_sat: int, insight: InsightResult | None) -> tuple[np.ndarray, np.ndarray]:
    """(TOPS taken in, TOPS handed out) per satellite by the insight analysis' offloading plan."""
    off = getattr(insight, "offloaded", None) if insight is not None else None
    if insight is None or off is None or off.plan_bytes.size == 0 or insight.duration_s <= 0:
        return np.zeros(n_sat), np.zeros(n_sat)
    scale = mission.workload.ops_per_byte / insight.duration_s / 1e12
    taken = np.bincount(off.plan_helper, weights=off.plan_bytes, minlength=n_sat) * scale
    given = np.bincount(off.plan_src, weights=off.plan_bytes, minlength=n_sat) * scale
    return taken, given


@dataclass(frozen=True)
class ShellLoad:
    """Compute load of one shell, TOPS per satellite, mean over the window."""

    shell: str
    eo_tops: float
    service_tops_mean: float
    offload_in_tops_mean: float
    offload_in_tops_max: float
    load_tops_mean: float
    load_tops_max: float
    load_utilization_mean: float
    load_utilization_max: float
    over_committed_satellites: int
    power_w_with_load: float

    def to_json(self) -> dict:
        def num(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "service_tops_per_satellite": self.service_tops_mean,
            "offload_in_tops_per_satellite": self.offload_in_tops_mean,
            "offload_in_tops_per_satellite_max": self.offload_in_tops_max,
            "load_tops_per_satellite": self.load_tops_mean,
            "load_tops_per_satellite_max": self.load_tops_max,
            "load_utilization": num(self.load_utilization_mean),
            "load_utilization_max": num(self.load_utilization_max),
            "over_committed_satellites": self.over_committed_satellites,
            "power_w_with_load": self.power_w_with_load,
        }

    @property
    def reason(self) -> str | None:
        """Why the shell's compute cannot carry its load, or None."""
        if self.over_committed_satellites == 0:
            return None
        return (f"compute over-committed: {self.over_committed_satellites} satellites carry more than they deliver "
                f"(up to {self.load_tops_max:,.0f} TOPS: EO {self.eo_tops:,.0f}, service {self.service_tops_mean:,.0f} mean, "
                f"taken from neighbours {self.offload_in_tops_max:,.0f} max)")


@dataclass(frozen=True)
class LoadResult(PerShell):
    """Compute load per shell and per satellite (``load_tops``, ``(n_sat,)``)."""

    shells: tuple[ShellLoad, ...]
    load_tops: np.ndarray


def shell_load(shell: str, compute_shell, eo_tops: np.ndarray, service_tops: np.ndarray, taken: np.ndarray,
               given: np.ndarray, delivered_tops: np.ndarray) -> ShellLoad:
    """One shell's load from per-satellite TOPS arrays (see the module docstring)."""
    load = eo_tops - given + taken + service_tops
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(delivered_tops > 0, load / delivered_tops, np.where(load > 0, np.inf, 0.0))
    nameplate = compute_shell.tops_per_satellite
    mean_util = min(1.0, float(load.mean()) / nameplate) if nameplate > 0 else 1.0
    return ShellLoad(
        shell=shell, eo_tops=float(eo_tops.mean()), service_tops_mean=float(service_tops.mean()),
        offload_in_tops_mean=float(taken.mean()), offload_in_tops_max=float(taken.max()),
        load_tops_mean=float(load.mean()), load_tops_max=float(load.max()),
        load_utilization_mean=float(load.sum() / delivered_tops.sum()) if delivered_tops.sum() > 0 else float(np.inf),
        load_utilization_max=float(np.max(util)),
        over_committed_satellites=int(np.sum(load > delivered_tops * (1 + 1e-9) + 1e-9)),
        power_w_with_load=compute_power_w(compute_shell.hardware, compute_shell.compute_units, mean_util, compute_shell.idle_power),
    )


def compute_load(mission: Mission, eph: Ephemeris, compute: ComputeResult, insight: InsightResult | None = None,
                 service: ServiceResult | None = None) -> LoadResult | None:
    """Each shell's compute load with the service and the offloaded captures counted; ``None``
    when neither runs (the sizing's EO load is then the whole load)."""
    n = eph.n_sat
    taken, given = offload_in_tops(mission, n, insight)
    served = np.asarray(service.used_tops_mean, float) if service is not None else np.zeros(n)
    if service is None and not taken.any():
        return None
    dlv = getattr(compute, "delivered", None)
    delivered = dlv.tops_mean_per_satellite() if dlv is not None else np.zeros(n)
    eo = np.zeros(n)
    shells = []
    for shell in eph.shells:
        sc = compute.shells[shell.index]
        sl = shell.sat_slice
        eo[sl] = sc.required_tops_per_satellite
        if dlv is None:
            delivered[sl] = sc.tops_per_satellite
        shells.append(shell_load(shell.name, sc, eo[sl], served[sl], taken[sl], given[sl], delivered[sl]))
    return LoadResult(tuple(shells), eo - given + taken + served)
