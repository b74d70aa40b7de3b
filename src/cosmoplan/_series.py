"""Slowly varying series (TDB-TT, the CIP's X and Y) from cached cubic splines.

ERFA's series are exact but costly per epoch (``dtdb`` ~8 us, ``xys06a`` ~50 us). They are
smooth on the scale of an hour: the shortest periods with amplitudes that matter are about
5 days (nutation) and half a month (TDB-TT). :class:`BlockSeries` evaluates a series on
hourly nodes over 32-day blocks, keeps a not-a-knot cubic spline per block (3 nodes of
margin on each side, so no epoch falls near a spline end), and answers large requests from
the splines. Interpolation errors are below 1e-13 rad for X, Y and 1e-15 s for TDB-TT
(tests/test_frames.py and tests/test_time.py compare with the series at random epochs,
block edges included). Small requests, and requests that would need many new blocks for
few epochs, go to the series directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

NODE_DAYS = 1.0 / 24.0
BLOCK_DAYS = 32.0
MARGIN_NODES = 3
MIN_SIZE = 256
MAX_BLOCKS = 512  # cached splines per series (about 45 years)
_NODES_PER_BLOCK = int(round(BLOCK_DAYS / NODE_DAYS)) + 2 * MARGIN_NODES + 1


class BlockSeries:
    """``series(days) -> ndarray (N, k)`` of a function of days since J2000 (TT or TDB),
    answered from cached per-block cubic splines where that pays."""

    def __init__(self, func):
        self._func = func
        self._cache = OrderedDict()
        self._lock = threading.Lock()

    def _spline(self, block):
        with self._lock:
            hit = self._cache.get(block)
            if hit is not None:
                self._cache.move_to_end(block)
                return hit
        from scipy.interpolate import CubicSpline

        nodes = block * BLOCK_DAYS + NODE_DAYS * (np.arange(_NODES_PER_BLOCK) - MARGIN_NODES)
        spline = CubicSpline(nodes, np.asarray(self._func(nodes), float), axis=0)
        with self._lock:
            self._cache[block] = spline
            while len(self._cache) > MAX_BLOCKS:
                self._cache.popitem(last=False)
        return spline

    def __call__(self, days):
        """Values at ``days`` (1-D float array), or None where the series is cheaper."""
        days = np.asarray(days, float)
        if days.size < MIN_SIZE or not np.all(np.isfinite(days)):
            return None
        blocks = np.floor(days / BLOCK_DAYS).astype(np.int64)
        unique = np.unique(blocks)
        new = sum(1 for b in unique if b not in self._cache)
        if new and new * _NODES_PER_BLOCK > max(2 * days.size, 8 * _NODES_PER_BLOCK):
            return None
        if unique.size == 1:
            return self._spline(int(unique[0]))(days)
        out = None
        for b in unique:
            sel = blocks == b
            vals = self._spline(int(b))(days[sel])
            if out is None:
                out = np.empty((days.size,) + vals.shape[1:])
            out[sel] = vals
        return out
