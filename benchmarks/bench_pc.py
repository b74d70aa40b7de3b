#!/usr/bin/env python3
"""Throughput of the 2-D probability of collision (Foster, Patera, Alfano, Chan) against scipy.

Draws 10,000 random short-term encounters in the encounter plane (metres: minor-axis
sigma 1 m to 1 km, axis ratio 1 to 100, hard-body radius 1 to 20 m, miss vector a
Gaussian draw scaled by 0.1 to 3 times the covariance, so Pc spans ~1 down to underflow)
and prints, for each cosmoplan method, the first call (JIT compilation or numba's cache)
then the median of ``--repeat`` runs on the whole batch, with all of numba's threads.

The peer, in the same run: scipy ``integrate.dblquad`` of the Gaussian density over the
disk (the brute-force 2-D integral, ``epsrel=1e-10``) called per encounter in a Python
loop on the first ``--peer-n`` encounters: time per encounter, the ratio to cosmoplan's
Foster and Patera, and the largest relative difference where Pc > 1e-12.

Orekit 13.1 (``Patera2005``, ``Alfano2005``, ``Laas2015``), when ``--orekit-python`` names
an interpreter with orekit-jpype (the oracle environment), on the first ``--orekit-n``
encounters in a Python loop through JPype: time per Pc, ratio, largest difference.

Usage: python benchmarks/bench_pc.py [--n N] [--repeat R] [--peer-n K]
           [--orekit-python ../oracle-venv/bin/python] [--orekit-n M]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from _timing import timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numba  # noqa: E402

from cosmoplan import screening  # noqa: E402


def make_encounters(n, seed=1):
    rng = np.random.default_rng(seed)
    sx = 10 ** rng.uniform(0.0, 3.0, n)
    sy = sx * 10 ** rng.uniform(0.0, 2.0, n)
    radius = rng.uniform(1.0, 20.0, n)
    scale = rng.uniform(0.1, 3.0, n)
    xm = rng.normal(size=n) * sx * scale
    ym = rng.normal(size=n) * sy * scale
    return xm, ym, sx, sy, radius


def dblquad_pc(xm, ym, sx, sy, r):
    from scipy import integrate

    def f(y, x):
        return math.exp(-0.5 * ((x / sx) ** 2 + (y / sy) ** 2))

    def half(x):
        return math.sqrt(max(r * r - (x - xm) ** 2, 0.0))

    val, _ = integrate.dblquad(f, xm - r, xm + r, lambda x: ym - half(x),
                               lambda x: ym + half(x), epsabs=0.0, epsrel=1e-10)
    return val / (2.0 * math.pi * sx * sy)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peer-n", type=int, default=200)
    ap.add_argument("--orekit-python",
                    default=str(Path(__file__).resolve().parents[2] / "oracle-venv/bin/python"))
    ap.add_argument("--orekit-n", type=int, default=2000)
    args = ap.parse_args()
    n = args.n
    enc = make_encounters(n)
    print(f"{n:,} encounters, {numba.get_num_threads()} numba threads, median of "
          f"{args.repeat} runs")
    results, per = {}, {}
    for method in screening.PC_METHODS:
        t0 = time.perf_counter()
        screening.pc_2d(*(a[:4] for a in enc), method=method)
        first = time.perf_counter() - t0

        def run(method=method):
            results[method] = screening.pc_2d(*enc, method=method)

        t = timed(run, args.repeat)
        per[method] = t / n
        print(f"cosmoplan {method:<7} {t:8.4f} s  {n / t:12,.0f} Pc/s  {t / n * 1e6:8.2f} us "
              f"each   (first call {first:.2f} s)")
    ref = results["foster"]
    keep = ref > 1e-12
    for method in ("patera", "alfano", "chan"):
        rel = np.abs(results[method][keep] / ref[keep] - 1.0)
        print(f"  {method} vs foster, {keep.sum():,} encounters with Pc > 1e-12: max relative "
              f"difference {rel.max():.1e}")

    k = min(args.peer_n, n)
    peer = np.empty(k)

    def run_peer():
        for i in range(k):
            peer[i] = dblquad_pc(*(a[i] for a in enc))

    t_peer = timed(run_peer, 1) / k
    keep = peer > 1e-12
    err = np.max(np.abs(ref[:k][keep] / peer[keep] - 1.0))
    print(f"scipy dblquad, Python loop, {k:,} encounters: {1 / t_peer:,.0f} Pc/s, "
          f"{t_peer * 1e3:.2f} ms each; time per Pc dblquad / foster = "
          f"{t_peer / per['foster']:,.0f}, dblquad / patera = {t_peer / per['patera']:,.0f}, "
          f"dblquad / alfano = {t_peer / per['alfano']:,.0f}; max relative |foster - dblquad| "
          f"(Pc > 1e-12, {keep.sum()} encounters) = {err:.1e}")

    orekit_peer(args, enc, results, per)


def orekit_peer(args, enc, results, per):
    import json
    import subprocess
    import tempfile

    if not Path(args.orekit_python).exists():
        print(f"Orekit: not run (no interpreter at {args.orekit_python})")
        return
    k = min(args.orekit_n, len(enc[0]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "enc.npz"
        np.savez(path, **dict(zip(("xm", "ym", "sx", "sy", "radius"),
                                  (a[:k] for a in enc))))
        proc = subprocess.run([args.orekit_python,
                               str(Path(__file__).with_name("_pc_orekit_peer.py")), str(path),
                               str(max(1, args.repeat // 2))],
                              capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(f"Orekit: not run ({(proc.stderr.strip().splitlines() or ['failed'])[-1][:200]})")
        return
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    ref = results["foster"][:k]
    keep = ref > 1e-12
    for name, r in res.items():
        ours = per.get(name, per["foster"])
        vals = np.asarray(r["values"])
        ok = keep & np.isfinite(vals)
        err = np.max(np.abs(vals[ok] / ref[ok] - 1.0))
        print(f"Orekit {name:<7} (JPype loop, {k:,}): {1 / r['seconds_per_pc']:>10,.0f} Pc/s; "
              f"time per Pc Orekit / cosmoplan {name if name in per else 'foster'} = "
              f"{r['seconds_per_pc'] / ours:,.1f}; max relative difference to our Foster "
              f"(Pc > 1e-12) {err:.1e}")
        if r["n_failures"]:
            print(f"  Orekit {name} raised on {r['n_failures']} of {k:,} encounters, e.g. "
                  f"{r['failures'][0]}")


if __name__ == "__main__":
    main()
