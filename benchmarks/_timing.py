"""Shared timing helper of the benchmark scripts (run as ``python benchmarks/NAME.py``, so
this folder is on ``sys.path``)."""

from __future__ import annotations

import statistics
import time


def timed(fn, repeat):
    """Median wall time (s) of ``repeat`` calls of ``fn()``."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
