"""Overhead of cosmoplan's batch SGP4 layer over python-sgp4's ``SatrecArray``.

Runs the same near-Earth element sets (period < 225 min) over the same one-minute epochs
through

* **raw**: ``SatrecArray(satrecs).sgp4(jd, fr)``, with the array and the ``jd``/``fr``
  arrays built beforehand (only the C++ loop is timed), and
* **cosmoplan**: ``cosmoplan.tle.propagate_tles(tles, epochs)`` from parsed TLE objects
  and an Epoch array (time axis, leap-second check, SatrecArray, error mask included),

alternating the two, and prints the median of each, the throughputs (propagations per
second) and the ratio ours/raw. The element sets come from
``refdata/catalog/celestrak_active_2021-12-07.tle`` (``COSMOPLAN_REFDATA`` or
``../shared/refdata``); without it, synthetic near-circular LEO sets are used.

Usage::

    python benchmarks/bench_sgp4.py            # 1000 satellites x 1440 epochs, 7 repeats
    python benchmarks/bench_sgp4.py --quick    # 200 x 240, 5 repeats

Exit status 1 if the overhead exceeds the budget (20 %).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray

from cosmoplan.time import Epoch
from cosmoplan.tle import TLE, propagate_tles, read_tles

BUDGET = 1.20  # ours / raw


def _refdata():
    default = Path(__file__).resolve().parents[2] / "shared" / "refdata"
    return Path(os.environ.get("COSMOPLAN_REFDATA", default))


def load_tles(n):
    """``n`` near-Earth element sets (real if the refdata catalog is there)."""
    path = _refdata() / "catalog" / "celestrak_active_2021-12-07.tle"
    if path.is_file():
        near = [t for t in read_tles(path) if t.mean_motion_rev_per_day > 6.4]
        if len(near) >= n:
            return near[:n], f"{path.name} (first {n} with period < 225 min)"
    rng = np.random.default_rng(1)
    tles = [
        TLE(satnum=90000 + k, epoch_year=2021, epoch_day=341.5, bstar=1e-4,
            inclination_rad=float(rng.uniform(0.1, 1.7)),
            raan_rad=float(rng.uniform(0, 6.28)), eccentricity=float(rng.uniform(0, 0.01)),
            arg_perigee_rad=float(rng.uniform(0, 6.28)),
            mean_anomaly_rad=float(rng.uniform(0, 6.28)),
            mean_motion_rev_per_day=float(rng.uniform(14.0, 15.8)))
        for k in range(n)
    ]
    return tles, f"{n} synthetic LEO element sets (refdata catalog not found)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 x 240, 5 repeats")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    n_sat, n_ep, repeats = (200, 240, 5) if args.quick else (1000, 1440, 7)
    repeats = args.repeats or repeats

    tles, origin = load_tles(n_sat)
    start = Epoch.from_iso("2021-12-07T00:00:00Z")
    epochs = start + np.arange(n_ep) * 60.0

    # raw inputs, built once: python-sgp4 objects and the Julian-date axis
    satrecs = [Satrec.twoline2rv(*t.to_lines(), WGS72) for t in tles]
    array = SatrecArray(satrecs)
    jd = np.full(n_ep, float(start.jd1))
    fr = float(start.jd2) + np.arange(n_ep) * 60.0 / 86400.0

    t0 = time.perf_counter()
    ours = propagate_tles(tles, epochs, max_age_days=None)  # first call builds satrecs
    first = time.perf_counter() - t0
    err, r, _ = array.sgp4(jd, fr)
    same = np.array_equal(err, ours.error)
    ok = err == 0
    dr = float(np.abs(ours.r[ok] - r[ok]).max()) if ok.any() else 0.0

    raw_times, our_times = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        array.sgp4(jd, fr)
        raw_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        propagate_tles(tles, epochs, max_age_days=None)
        our_times.append(time.perf_counter() - t0)

    n = n_sat * n_ep
    raw_t, our_t = statistics.median(raw_times), statistics.median(our_times)
    ratio = our_t / raw_t
    print(f"SGP4 batch: {n_sat} satellites x {n_ep} one-minute epochs = {n:,} propagations")
    print(f"element sets: {origin}; median of {repeats} alternating repeats")
    print(f"sgp4 {__import__('sgp4').__version__}, accelerated C++: "
          f"{__import__('sgp4.api').api.accelerated}")
    print()
    print(f"{'path':<36}{'median s':>10}{'propagations/s':>18}")
    print(f"{'python-sgp4 SatrecArray.sgp4 (raw)':<36}{raw_t:>10.4f}{n / raw_t:>18,.0f}")
    print(f"{'cosmoplan propagate_tles':<36}{our_t:>10.4f}{n / our_t:>18,.0f}")
    print(f"{'cosmoplan first call (cold)':<36}{first:>10.4f}{n / first:>18,.0f}")
    print()
    print(f"ratio ours/raw (time): {ratio:.3f}  (overhead {100 * (ratio - 1):+.1f} %, "
          f"budget {100 * (BUDGET - 1):.0f} %)")
    print(f"same error codes: {same}; max |dr| on valid states: {dr:.1e} km; "
          f"invalid states: {int((~ok).sum())}")
    verdict = ratio <= BUDGET and same and dr < 1e-6
    print("PASS" if verdict else "FAIL")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
