#!/usr/bin/env python3
"""A 1000 x 1000 porkchop grid: wall time, and the split between ephemeris and solver.

The issue's target: one million Lambert solves plus the ephemeris look-ups in under 5 s
on a 2-core machine. Prints the median of repeats (JIT compile/cache load timed apart).

Usage: python benchmarks/bench_porkchop.py [--n 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="grid size per axis")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    from cosmoplan.interplanetary.porkchop import porkchop

    # a window of n days x n arrival days at 1-day spacing would be ~3 years long: scale
    # the step so the grid spans the 2020 Earth-Mars window whatever n is
    launch_days, arrive_days = 180.0, 400.0
    kw = dict(step_days=launch_days / (args.n - 1), arrival_step_days=arrive_days / (args.n - 1))
    t0 = time.perf_counter()
    porkchop("earth", "mars", "2020-05-01/2020-10-28", "2020-11-01/2021-12-06", step_days=30.0)
    warm = time.perf_counter() - t0
    walls, ephs, sols = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        pc = porkchop("earth", "mars", "2020-05-01/2020-10-28", "2020-11-01/2021-12-06", **kw)
        walls.append(time.perf_counter() - t0)
        ephs.append(pc.timings["ephemeris_s"])
        sols.append(pc.timings["lambert_s"])
    cells = pc.timings["cells"]
    med = statistics.median(walls)
    print(f"grid {pc.departure.size} x {pc.arrival.size} = {cells:,} cells "
          f"({int(pc.valid.sum()):,} transfers); first call (compile/cache) {warm:.2f} s")
    print(f"{'wall (median)':28s} {med:8.3f} s")
    print(f"{'  ephemeris look-ups':28s} {statistics.median(ephs):8.3f} s")
    print(f"{'  Lambert solves':28s} {statistics.median(sols):8.3f} s "
          f"({cells / statistics.median(sols) / 1e6:.2f} M solves/s)")
    print(f"{'  rest (C3, DLA/RLA, masks)':28s} "
          f"{med - statistics.median(ephs) - statistics.median(sols):8.3f} s")
    print(f"target < 5 s: {'PASS' if med < 5.0 else 'FAIL'}")


if __name__ == "__main__":
    main()
