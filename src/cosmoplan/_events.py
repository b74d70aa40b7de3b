"""Visibility spans on a time grid, with every change refined by batched bisection.

One routine serves every "is it visible?" search in cosmoplan (ground-station contacts,
sunrise/sunset and Earth-rise/set at a lunar site): a set of K series, each a continuous
*margin* (elevation minus mask, say) sampled on a common grid, visible where the margin is
>= 0. Each sign change between two grid samples is bracketed and bisected, all brackets of
all series at once, until the bracket is narrower than ``tol_s``; the crossing is the
bracket's midpoint (error <= tol_s / 2). A span that begins and ends between two grid
samples is not seen: the grid spacing must be shorter than the shortest span of interest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["Crossings", "refine_crossings", "spans_from_crossings", "complement"]


class Crossings(NamedTuple):
    """Refined sign changes of K margin series.

    Attributes
    ----------
    series : ndarray of int, shape (M,)
        Index of the series of each crossing.
    time_s : ndarray, shape (M,)
        Crossing times, s from the grid's first sample.
    rising : ndarray of bool, shape (M,)
        True where the series becomes visible (margin goes from < 0 to >= 0).
    visible_at_start : ndarray of bool, shape (K,)
        Visibility of each series at the first grid sample.
    span_s : float
        Last grid time, s.
    """

    series: np.ndarray
    time_s: np.ndarray
    rising: np.ndarray
    visible_at_start: np.ndarray
    span_s: float


def refine_crossings(t, margin, evaluate, tol_s, max_iter=200):
    """Find and refine every visibility change of K margin series.

    Parameters
    ----------
    t : ndarray, shape (N,)
        Strictly increasing grid times, s (``t[0]`` is the origin of the returned times).
    margin : ndarray, shape (K, N)
        Margins on the grid; visible where ``margin >= 0``.
    evaluate : callable
        ``evaluate(series, times) -> margins``: the margins of series ``series`` (int
        array, shape (M,)) at times ``times`` (s from ``t[0]``, shape (M,)); called once per
        bisection step with every open bracket.
    tol_s : float
        Bracket width at which the bisection stops, s.

    Returns
    -------
    Crossings
        In time order within each series.
    """
    t = np.asarray(t, float)
    vis = np.atleast_2d(np.asarray(margin) >= 0.0)
    ks, idx = np.nonzero(vis[:, 1:] != vis[:, :-1])
    lo, hi = t[idx].copy(), t[idx + 1].copy()
    vis_lo = vis[ks, idx]
    for _ in range(max_iter):
        if not (ks.size and np.max(hi - lo) > tol_s):
            break
        mid = 0.5 * (lo + hi)
        same = (np.asarray(evaluate(ks, mid)) >= 0.0) == vis_lo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    return Crossings(ks, 0.5 * (lo + hi) - t[0], ~vis_lo, vis[:, 0].copy(),
                     float(t[-1] - t[0]))


def spans_from_crossings(cr, k):
    """Visible spans ``[(start_s, end_s), ...]`` of series ``k``, clipped to the grid."""
    sel = cr.series == k
    spans, start = [], (0.0 if cr.visible_at_start[k] else None)
    for tc, up in zip(cr.time_s[sel], cr.rising[sel]):
        if up:
            start = float(tc)
        elif start is not None:
            spans.append((start, float(tc)))
            start = None
    if start is not None:
        spans.append((start, cr.span_s))
    return spans


def complement(spans, span_s):
    """The gaps between sorted, possibly overlapping spans over [0, span_s]."""
    merged = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    gaps, cursor = [], 0.0
    for a, b in merged:
        if a > cursor:
            gaps.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < span_s:
        gaps.append((cursor, span_s))
    return gaps
