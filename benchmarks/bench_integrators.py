#!/usr/bin/env python3
"""Compiled integrators (:mod:`cosmoplan.integrators`) on the propagator's force model.

Case: 24 h of a LEO state (6778 km circular, i = 51.6 deg) under EGM96 20x20 (no drag, no
third bodies), GCRF Cowell, :func:`cosmoplan.propagator._rhs_kernel` with its argument
tuple built as ``NumericalPropagator._integrate`` builds it, the propagator's default
tolerances (rtol = 1e-12, atol = 1e-9 km and 1e-12 km/s):

* the propagator's current path: ``NumericalPropagator._integrate`` (SciPy's
  ``solve_ivp(method="DOP853")`` calling the numba right-hand side from Python each stage,
  with its re-entry event); its RHS count from the same ``solve_ivp`` call;
* :func:`cosmoplan.integrators.dop853_solve` (same method and step control, compiled loop);
* :func:`cosmoplan.integrators.verner98_solve`.

Each with the final state only and with output every 60 s (1441 samples, dense output).
Time: median of ``--repeat`` runs after a first (compiling) call; accuracy: final position
against a tight reference (Verner at rtol = 1e-15, atol = 1e-14 km; DOP853 at 1e-14 agrees
with it to the printed "reference check"). Then the tolerance table of the module docstring:
24 h position error against rtol = atol_km for three LEO orbits (worst of them), and RHS
evaluations.

Usage: python benchmarks/bench_integrators.py [--repeat R] [--no-table]
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

import numpy as np
from _timing import timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from scipy.integrate import solve_ivp  # noqa: E402

from cosmoplan import integrators as integ  # noqa: E402
from cosmoplan.propagator import (  # noqa: E402
    REENTRY_RADIUS_KM,
    ForceModel,
    NumericalPropagator,
    _rhs_kernel,
)
from cosmoplan.time import Epoch  # noqa: E402

DAY = 86400.0
EPOCH = Epoch.from_iso("2021-06-17T00:00:00Z")


def leo(radius_km, inc_deg, ecc=0.0):
    """State at perigee on the x axis, velocity in the plane inclined by inc_deg."""
    mu = 398600.4415
    rp = radius_km
    a = rp / (1.0 - ecc)
    vp = np.sqrt(mu * (2.0 / rp - 1.0 / a))
    i = np.radians(inc_deg)
    return np.array([rp, 0.0, 0.0, 0.0, vp * np.cos(i), vp * np.sin(i)])


ORBITS = {"ISS-like 400 km, 51.6 deg": leo(6778.0, 51.6),
          "sun-synchronous 700 km, 98.2 deg": leo(7078.0, 98.2),
          "300 x 1000 km, 28.5 deg": leo(6678.0, 28.5, ecc=700.0 / (2 * 6678.0 + 700.0))}


def rhs_args(ctx, nsat=1):
    """The argument tuple of _rhs_kernel for nsat states without drag or SRP, in
    NumericalPropagator._integrate's order (the kernel's parameter order, read from its
    signature so that the benchmark follows changes of the propagator)."""
    extra = {"nsat": nsat, "bc": np.zeros(nsat), "srp_k": np.zeros(nsat),
             "rho_in": np.zeros(nsat), "rho_buf": np.zeros(nsat), "burns": np.zeros((0, 8)),
             "use_gr": False}
    names = list(inspect.signature(_rhs_kernel.py_func).parameters)[2:]
    return tuple(extra[k] if k in extra else ctx[k] for k in names)


def atol_of(atol_km):
    return np.r_[np.full(3, atol_km), np.full(3, atol_km * 1e-3)]


def reference(args, y0, t_out=None):
    ref = integ.verner98_solve(_rhs_kernel, args, 0.0, y0, DAY, 1e-15, atol_of(1e-14), t_out)
    chk = integ.dop853_solve(_rhs_kernel, args, 0.0, y0, DAY, 1e-14, atol_of(1e-14))
    return ref, np.linalg.norm(ref.y_final[:3] - chk.y_final[:3]) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-table", action="store_true", help="skip the tolerance table")
    opts = ap.parse_args()

    prop = NumericalPropagator(ForceModel(gravity_degree=20, atmosphere=None))
    ctx = prop._context(EPOCH, 0.0, DAY)
    args = rhs_args(ctx)
    y0 = ORBITS["ISS-like 400 km, 51.6 deg"]
    rtol, atol = prop.rtol, atol_of(prop.atol_km)
    bc, srp_k = np.zeros(1), np.zeros(1)
    samples = np.arange(0.0, DAY + 1.0, 60.0)

    t0 = time.perf_counter()
    integ.warm_up(_rhs_kernel, args, y0)
    print(f"first call (compile the driver for _rhs_kernel; the core from numba's cache): "
          f"{time.perf_counter() - t0:.2f} s")
    ref, ref_check = reference(args, y0, samples)
    print(f"reference: Verner rtol 1e-15 ({ref.n_rhs} rhs); DOP853 rtol 1e-14 agrees to "
          f"{ref_check * 1e6:.1f} um (reference check)")

    # the RHS count of the current path: the same solve_ivp call as _integrate makes
    def fun(t, y):
        return _rhs_kernel(t, y, *args)

    def reentry(t, y):
        r = y.reshape(-1, 6)[:, :3]
        return float(np.min(np.einsum("ij,ij->i", r, r))) - REENTRY_RADIUS_KM ** 2

    reentry.terminal = True
    reentry.direction = -1

    rows = []
    for label, t_eval in (("final state", None), ("every 60 s", samples)):
        out = {}

        def current(t_eval=t_eval, out=out):
            out["y"] = prop._integrate(ctx, y0, bc, 0.0, DAY, t_eval=t_eval, srp_k=srp_k)

        current()
        sol = solve_ivp(fun, (0.0, DAY), y0, method="DOP853", rtol=rtol, atol=atol,
                        t_eval=t_eval, events=[reentry])
        t_cur = timed(current, opts.repeat)
        if t_eval is None:
            err = np.linalg.norm(out["y"][0][:3] - ref.y_final[:3]) * 1e3
        else:
            err = np.max(np.linalg.norm(out["y"][1].T[:, :3] - ref.y_out[:, :3], axis=1)) * 1e3
        rows.append((label, "propagator (SciPy DOP853, numba rhs)", t_cur, sol.nfev, err))
        for name, solve in (("compiled DOP853", integ.dop853_solve),
                            ("compiled Verner 9(8)", integ.verner98_solve)):
            res = {}

            def run(solve=solve, t_eval=t_eval, res=res):
                res["r"] = solve(_rhs_kernel, args, 0.0, y0, DAY, rtol, atol, t_eval)

            run()
            t = timed(run, opts.repeat)
            r = res["r"]
            if t_eval is None:
                err = np.linalg.norm(r.y_final[:3] - ref.y_final[:3]) * 1e3
            else:
                err = np.max(np.linalg.norm(r.y_out[:, :3] - ref.y_out[:, :3], axis=1)) * 1e3
            rows.append((label, name, t, r.n_rhs, err))

    print(f"\n24 h LEO, EGM96 20x20, rtol {rtol:g}, atol {prop.atol_km:g} km, median of "
          f"{opts.repeat}")
    print(f"{'output':12s} {'integrator':38s} {'time ms':>9s} {'rhs':>7s} {'us/rhs':>7s} "
          f"{'pos. err. m':>12s}")
    for label, name, t, nrhs, err in rows:
        print(f"{label:12s} {name:38s} {t * 1e3:9.2f} {nrhs:7d} {t / nrhs * 1e6:7.2f} "
              f"{err:12.2e}")
    t_rhs = timed(lambda: [_rhs_kernel(0.0, y0, *args) for _ in range(1000)], opts.repeat)
    print(f"(one _rhs_kernel call from Python: {t_rhs * 1e3:.2f} us)")

    if opts.no_table:
        return
    print("\n24 h position error (worst of the orbits below) against rtol = atol_km "
          "(atol 1e-3 of it for velocities), and rhs evaluations (first orbit):")
    for name, y in ORBITS.items():
        print(f"  {name}: {y[:3]} km, {y[3:]} km/s")
    refs = {name: reference(args, y)[0] for name, y in ORBITS.items()}
    print(f"{'rtol':>8s} {'DOP853 m':>10s} {'rhs':>7s} {'Verner m':>10s} {'rhs':>7s}")
    for tol in (1e-8, 1e-9, 1e-10, 1e-11, 1e-12, 1e-13):
        line = [f"{tol:8.0e}"]
        for solve in (integ.dop853_solve, integ.verner98_solve):
            errs, nrhs = [], []
            for name, y in ORBITS.items():
                r = solve(_rhs_kernel, args, 0.0, y, DAY, tol, atol_of(tol))
                errs.append(np.linalg.norm(r.y_final[:3] - refs[name].y_final[:3]) * 1e3)
                nrhs.append(r.n_rhs)
            line.append(f"{max(errs):10.2e} {nrhs[0]:7d}")
        print(" ".join(line))


if __name__ == "__main__":
    main()
