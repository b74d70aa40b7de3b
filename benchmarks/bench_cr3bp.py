#!/usr/bin/env python3
"""Speed of the Earth-Moon CR3BP core: a 100-member halo family, and one-period STM
propagation against SciPy's ``solve_ivp(method="DOP853")``.

* ``halo_family(2, "south", 100)``: the L2 southern halo family from the Lyapunov
  bifurcation to the Moon (pseudo-arclength, each member corrected by single shooting and
  its monodromy matrix propagated). Timed with the bifurcation search included (its cache
  cleared before each repeat) and without it. Target: under 5 s.
* One period of the JPL catalog L2 halo 1524 (T = 3.4155 TU) with the 6 x 6 STM
  (42 equations), rtol = atol = 1e-13: cosmoplan's compiled DOP853 step loop against SciPy's
  DOP853 (same method, same error norm and step control) with (a) a NumPy right-hand side
  and (b) cosmoplan's numba-compiled right-hand side called from SciPy's Python loop. The
  largest difference of the final state and STM is printed beside the ratio.

The first call (JIT compilation or loading numba's on-disk cache) is timed apart; then the
median of ``--repeat`` runs.

Usage: python benchmarks/bench_cr3bp.py [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from _timing import timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scipy.integrate import solve_ivp  # noqa: E402

from cosmoplan.cislunar import cr3bp, periodic  # noqa: E402

HALO_1524 = np.array([1.1808985497899205, 0.0, 1.0295054075242347e-4, 0.0,
                      -0.15585631393981156, 0.0])
PERIOD_1524 = 3.4155308065628454
MU = cr3bp.MU_EARTH_MOON


def rhs_numpy(t, y):
    """CR3BP + variational equations with NumPy (rotating frame, nondimensional)."""
    x, yy, z, vx, vy, vz = y[:6]
    d1 = np.array([x + MU, yy, z])
    d2 = np.array([x - 1 + MU, yy, z])
    r1 = np.linalg.norm(d1)
    r2 = np.linalg.norm(d2)
    acc = (np.array([x + 2 * vy, yy - 2 * vx, 0.0]) - (1 - MU) * d1 / r1**3
           - MU * d2 / r2**3)
    hess = (np.diag([1.0, 1.0, 0.0]) - ((1 - MU) / r1**3 + MU / r2**3) * np.eye(3)
            + 3 * (1 - MU) * np.outer(d1, d1) / r1**5 + 3 * MU * np.outer(d2, d2) / r2**5)
    a = np.zeros((6, 6))
    a[:3, 3:] = np.eye(3)
    a[3:, :3] = hess
    a[3, 4] = 2.0
    a[4, 3] = -2.0
    phi = y[6:].reshape(6, 6)
    return np.concatenate([[vx, vy, vz], acc, (a @ phi).ravel()])


def rhs_numba(t, y):
    out = np.empty(42)
    cr3bp._rhs(y, MU, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    t0 = time.perf_counter()
    cr3bp.propagate(HALO_1524, 0.1, stm=True)
    cr3bp.propagate_to_crossing(HALO_1524, stm=True)
    print(f"first call (JIT compile or numba cache load): {time.perf_counter() - t0:.2f} s")

    out = {}

    def family_cold():
        periodic.find_halo_bifurcation.cache_clear()
        out["fam"] = periodic.halo_family(2, "south", 100)

    def family_warm():
        out["fam"] = periodic.halo_family(2, "south", 100)

    t_cold = timed(family_cold, args.repeat)
    t_warm = timed(family_warm, args.repeat)
    fam = out["fam"]
    print(f"halo family L2 south, {len(fam)} members (z0 from {fam.state0[0, 2]:.1e} to "
          f"{fam.state0[-1, 2]:.3f} LU, period {fam.period[0]:.3f} to {fam.period[-1]:.3f} TU): "
          f"{t_cold:.3f} s with the bifurcation search, {t_warm:.3f} s without "
          f"(target < 5 s); worst closure {fam.closure.max():.1e}")

    y0 = np.concatenate([HALO_1524, np.eye(6).ravel()])
    ours = {}

    def run_ours():
        ours["a"] = cr3bp.propagate(HALO_1524, PERIOD_1524, stm=True)

    t_ours = timed(run_ours, max(args.repeat, 20))
    a = ours["a"]
    ref = np.concatenate([a.state_final, a.stm_final.ravel()])
    print(f"one period with STM, cosmoplan DOP853 (numba step loop): {t_ours * 1e3:.3f} ms, "
          f"{a.n_steps} steps")
    for label, f in (("NumPy rhs", rhs_numpy), ("numba rhs", rhs_numba)):
        sol = {}

        def run_scipy(f=f, sol=sol):
            sol["r"] = solve_ivp(f, (0.0, PERIOD_1524), y0, method="DOP853", rtol=1e-13,
                                 atol=1e-13)

        run_scipy()
        t_sp = timed(run_scipy, args.repeat)
        r = sol["r"]
        diff = np.max(np.abs(r.y[:, -1] - ref) / np.maximum(1.0, np.abs(ref)))
        print(f"scipy solve_ivp DOP853 ({label}): {t_sp * 1e3:.2f} ms, {r.nfev} rhs calls; "
              f"scipy / cosmoplan = {t_sp / t_ours:.0f}; max scaled difference {diff:.1e}")


if __name__ == "__main__":
    main()
