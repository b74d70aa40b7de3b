#!/usr/bin/env python3
"""Throughput of the Kepler (universal-variable) propagation kernel.

Propagates 1e6 random two-body states (90 % ellipses from LEO to beyond GEO, 5 %
hyperbolas, 5 % near-parabolic) by random times of up to +-10 periods (or equivalent),
and prints:

  * the first call on a small batch (JIT compilation, or loading numba's on-disk cache);
  * the warm time of ``propagate_kepler`` on all 1e6 states (median of repeats) and the
    kernel alone (no input checks and copies), as propagations per second;
  * the same for ``states.mean_to_true_anomaly`` (Kepler's equation alone), for scale;
  * the same inputs through a peer, if one is importable: hapsira or poliastro
    (``core.propagation.farnocchia.farnocchia_rv``, called from a numba loop so that
    kernel is compared with kernel). Neither is a dependency; when absent, that is said.

Usage: python benchmarks/bench_kepler.py [--n N] [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib
import time

import numpy as np
from _timing import timed  # noqa: E402

from cosmoplan import kepler, states

MU = 398600.4418


def make_states(n, seed=42):
    rng = np.random.default_rng(seed)
    kind = rng.random(n)
    e = np.where(kind < 0.9, rng.uniform(0.0, 0.95, n),
                 np.where(kind < 0.95, rng.uniform(1.05, 5.0, n),
                          1.0 + rng.choice([-1e-9, 1e-9], n)))
    rp = rng.uniform(6600.0, 50000.0, n)
    p = rp * (1.0 + e)
    nu_max = np.where(e < 1.0, np.pi, 0.9 * np.arccos(np.clip(-1.0 / e, -1.0, 1.0)))
    nu = rng.uniform(-1.0, 1.0, n) * nu_max
    el = states.KeplerianElements(p, e, rng.uniform(0, np.pi, n), rng.uniform(0, 2 * np.pi, n),
                                  rng.uniform(0, 2 * np.pi, n), nu)
    r, v = states.keplerian_to_cartesian(el, MU)
    tau = 2 * np.pi * np.sqrt((p / np.abs(1 - e * e)) ** 3 / MU)  # period-like time
    tau = np.where(np.abs(1 - e) < 1e-3, 2 * np.pi * np.sqrt(p**3 / MU), tau)
    dt = rng.uniform(-10.0, 10.0, n) * tau
    return r, v, dt, el


def peer_module():
    for name in ("hapsira", "poliastro"):
        try:
            mod = importlib.import_module(f"{name}.core.propagation.farnocchia")
            return name, mod.farnocchia_rv
        except ImportError:
            continue
    return None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n = args.n

    r, v, dt, el = make_states(n)
    mu = np.full(n, MU)

    t0 = time.perf_counter()
    kepler.propagate_kepler(r[:10], v[:10], dt[:10], MU)
    first = time.perf_counter() - t0
    print(f"first call (JIT compile or numba cache load): {first:.3f} s")

    t_api = timed(lambda: kepler.propagate_kepler(r, v, dt, MU), args.repeat)
    rr, vv, status, resid = np.empty((n, 3)), np.empty((n, 3)), np.empty(n, np.int64), np.empty(n)
    rc, vc = np.ascontiguousarray(r), np.ascontiguousarray(v)
    t_kernel = timed(lambda: kepler._kepler_kernel(rc, vc, dt, mu, rr, vv, status, resid),
                     args.repeat)
    assert np.all(status == 0)
    print(f"cosmoplan propagate_kepler, {n:.0e} states: {t_api:.3f} s "
          f"({n / t_api / 1e6:.2f} M propagations/s, {t_api / n * 1e9:.0f} ns each)")
    print(f"cosmoplan kernel alone:                 {t_kernel:.3f} s "
          f"({n / t_kernel / 1e6:.2f} M propagations/s, {t_kernel / n * 1e9:.0f} ns each)")

    m0 = states.true_to_mean_anomaly(((el.nu + np.pi) % (2 * np.pi)) - np.pi, el.e)
    states.mean_to_true_anomaly(m0[:10], el.e[:10])
    t_m = timed(lambda: states.mean_to_true_anomaly(m0, el.e), args.repeat)
    print(f"cosmoplan mean_to_true_anomaly:         {t_m:.3f} s "
          f"({n / t_m / 1e6:.2f} M solutions/s)")

    name, farnocchia_rv = peer_module()
    if name is None:
        print("peer: neither hapsira nor poliastro is installed here; no ratio printed "
              "(they are not dependencies and are not installed by this script)")
        return
    import numba

    @numba.njit
    def peer_loop(r, v, dt, out_r, out_v):
        for j in range(dt.size):
            a, b = farnocchia_rv(MU, r[j], v[j], dt[j])
            out_r[j] = a
            out_v[j] = b

    pr, pv = np.empty((n, 3)), np.empty((n, 3))
    peer_loop(rc[:10], vc[:10], dt[:10], pr[:10], pv[:10])
    t_peer = timed(lambda: peer_loop(rc, vc, dt, pr, pv), args.repeat)
    err = np.linalg.norm(pr - rr, axis=1) / np.linalg.norm(rr, axis=1)
    print(f"{name} farnocchia_rv (numba loop):   {t_peer:.3f} s "
          f"({n / t_peer / 1e6:.2f} M propagations/s); ratio peer/cosmoplan kernel = "
          f"{t_peer / t_kernel:.2f}; median |dr|/r = {np.median(err):.1e}, "
          f"max = {np.max(err):.1e}")


if __name__ == "__main__":
    main()
