"""Pareto fronts: which designs no other design beats on every objective.

Design ``a`` *dominates* ``b`` when ``a`` is at least as good on every objective and strictly
better on one. The front is the set of non-dominated designs; equal designs do not dominate
each other, so duplicates on the front are all kept. Non-dominated sorting peels fronts one
after the other: rank 1 is the front, rank 2 the front of what remains, and so on.

Rows with a NaN objective (or excluded by ``mask``) take no part: they are never on a front
and dominate nothing (rank 0).

>>> import numpy as np
>>> pareto_mask(np.array([[1, 5], [2, 2], [3, 3], [5, 1]]), ["min", "min"]).tolist()
[True, True, False, True]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _as_costs(values: ArrayLike, goals: Sequence[str]) -> np.ndarray:
    costs = np.asarray(values, dtype=float)
    if costs.ndim == 1:
        costs = costs[:, None]
    if costs.ndim != 2 or costs.shape[1] != len(goals):
        raise ValueError(f"values must be (n, {len(goals)}) for {len(goals)} objectives")
    sign = np.array([1.0 if g == "min" else -1.0 if g == "max" else np.nan for g in goals])
    if np.isnan(sign).any():
        raise ValueError("each goal must be 'min' or 'max'")
    return costs * sign


def _front(costs: np.ndarray) -> np.ndarray:
    """Indices (into ``costs``) of the non-dominated rows, all minimised. No NaNs here.

    Each pass takes the first remaining candidate, drops every row it dominates (one vectorised
    comparison) and moves on; a candidate that survives until its turn is non-dominated.
    """
    n = costs.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # in lexicographic order no row is dominated by a row after it, so each candidate only
    # needs to remove rows that follow it, and the rows before it stay where they are
    order = np.lexsort(costs.T[::-1])
    idx = order.copy()
    pts = costs[order]
    i = 0
    while i < pts.shape[0]:
        p = pts[i]
        dominated = np.all(p <= pts, axis=1) & np.any(p < pts, axis=1)
        keep = ~dominated
        pts = pts[keep]
        idx = idx[keep]
        i = int(np.count_nonzero(keep[:i])) + 1
    return idx


def pareto_mask(values: ArrayLike, goals: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
    """Boolean ``(n,)``: True for the rows on the Pareto front.

    ``values`` is ``(n, k)`` (one column per objective), ``goals`` ``k`` strings ``"min"``/``"max"``,
    ``mask`` optionally limits the rows that compete (e.g. the feasible designs).
    """
    costs = _as_costs(values, goals)
    n = costs.shape[0]
    ok = np.all(np.isfinite(costs), axis=1)
    if mask is not None:
        ok &= np.asarray(mask, dtype=bool)
    rows = np.flatnonzero(ok)
    out = np.zeros(n, dtype=bool)
    out[rows[_front(costs[rows])]] = True
    return out


def pareto_ranks(values: ArrayLike, goals: Sequence[str], mask: np.ndarray | None = None) -> np.ndarray:
    """Non-dominated sorting: ``(n,)`` ints, 1 for the front, 2 for the next front, ...; 0 for rows left out."""
    costs = _as_costs(values, goals)
    n = costs.shape[0]
    ok = np.all(np.isfinite(costs), axis=1)
    if mask is not None:
        ok &= np.asarray(mask, dtype=bool)
    ranks = np.zeros(n, dtype=np.int64)
    remaining = np.flatnonzero(ok)
    rank = 1
    while remaining.size:
        front = remaining[_front(costs[remaining])]
        ranks[front] = rank
        remaining = np.setdiff1d(remaining, front, assume_unique=True)
        rank += 1
    return ranks


def dominates(a: ArrayLike, b: ArrayLike, goals: Sequence[str]) -> bool:
    """Whether design ``a`` dominates design ``b`` (a readable reference for tests and docs)."""
    ca, cb = _as_costs(np.asarray([a]), goals)[0], _as_costs(np.asarray([b]), goals)[0]
    return bool(np.all(ca <= cb) and np.any(ca < cb))
