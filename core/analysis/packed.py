"""Exact compact storage of per-(satellite, epoch) arrays kept in results.

At a million satellites one float64 ``(n_sat, n_time)`` array of a day at 300 s is 2.3 GB, so
results keep their per-satellite series in forms that decode to the *same bits*:

* :class:`PackedBits`: a bool array packed 8 to a byte (``np.packbits``) along one axis, built
  block by block along another (epoch blocks of a streamed analysis append columns);
* :class:`SparseF32`: a float32 array whose values are mostly exactly 0 or 1 (the illumination:
  penumbra epochs are rare): a bit for "is 1", and the other values' flat indices and float32
  bits; any value that is not exactly +0.0 or 1.0 (including -0.0 and NaN) is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class PackedBits:
    """A bool array of shape ``shape`` packed along axis ``axis`` (``bits`` is ``np.packbits(a, axis)``)."""

    bits: np.ndarray
    shape: tuple[int, ...]
    axis: int

    @classmethod
    def pack(cls, a: np.ndarray, axis: int) -> PackedBits:
        a = np.asarray(a, dtype=bool)
        return cls(np.packbits(a, axis=axis), tuple(a.shape), axis)

    @classmethod
    def concatenate(cls, parts: list[PackedBits], along: int, shape: tuple[int, ...], axis: int) -> PackedBits:
        """Join parts packed along ``axis`` end to end along another axis ``along`` (``shape``: of the empty result)."""
        if not parts:
            return cls.pack(np.zeros(shape, dtype=bool), axis)
        assert all(p.axis == axis for p in parts) and along != axis
        full = list(parts[0].shape)
        full[along] = sum(p.shape[along] for p in parts)
        return cls(np.concatenate([p.bits for p in parts], axis=along), tuple(full), axis)

    @property
    def nbytes(self) -> int:
        return int(self.bits.nbytes)

    def unpack(self) -> np.ndarray:
        """The bool array."""
        return np.unpackbits(self.bits, axis=self.axis, count=self.shape[self.axis]).astype(bool)


_ONE_BITS = np.float32(1.0).view(np.uint32)


@dataclass(frozen=True, eq=False)
class SparseF32:
    """A 2-D float32 array whose values are mostly exactly 0 or 1, stored exactly (see the module docstring).

    ``ones`` packs ``a == 1`` along the last axis; ``index``/``value`` are the flat indices
    (row-major) and float32 values of every element that is not exactly +0.0 or 1.0.
    """

    ones: PackedBits
    index: np.ndarray
    value: np.ndarray

    @classmethod
    def encode(cls, a: np.ndarray) -> SparseF32:
        a = np.ascontiguousarray(a, dtype=np.float32)
        bits = a.view(np.uint32)
        ones = bits == _ONE_BITS
        other = np.flatnonzero(~ones & (bits != 0))
        return cls(PackedBits.pack(ones, axis=a.ndim - 1), other.astype(np.int64), a.ravel()[other].copy())

    @classmethod
    def concatenate_rows(cls, parts: list[SparseF32], n_col: int) -> SparseF32:
        """The array of consecutive blocks of rows (each ``(n, n_col)``), in order."""
        if not parts:
            return cls.encode(np.zeros((0, n_col), np.float32))
        offsets = np.cumsum([0] + [p.shape[0] for p in parts[:-1]]) * n_col
        return cls(PackedBits.concatenate([p.ones for p in parts], along=0, shape=(0, n_col), axis=1),
                   np.concatenate([p.index + off for p, off in zip(parts, offsets)]),
                   np.concatenate([p.value for p in parts]))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.ones.shape

    @property
    def nbytes(self) -> int:
        return self.ones.nbytes + int(self.index.nbytes + self.value.nbytes)

    def rows(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows ``start:stop`` (all by default) decoded: the same float32 bits as the array encoded."""
        n_row, n_col = self.shape
        stop = n_row if stop is None else min(stop, n_row)
        start = min(start, stop)
        out = np.unpackbits(self.ones.bits[start:stop], axis=1, count=n_col).astype(np.float32)
        lo, hi = np.searchsorted(self.index, [start * n_col, stop * n_col])
        out.ravel()[self.index[lo:hi] - start * n_col] = self.value[lo:hi]
        return out
