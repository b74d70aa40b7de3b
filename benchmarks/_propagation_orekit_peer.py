"""Orekit peer for bench_propagation.py, run in the oracle environment (orekit-jpype, offline
data from shared/tools/orekit_oracle.py):

    python _propagation_orekit_peer.py SPEC.json

SPEC (written by bench_propagation.py): ``initial`` (GCRF x y z vx vy vz, m and m/s, at
2021-06-17T00:00:00 UTC), ``warmup``, ``repeat`` and ``cases``, a list of dicts with
``name``, ``degree``, ``sun_moon`` (bool), ``srp`` ([A m^2, Cr] or null), ``drag``
([A m^2, Cd] or null: NRLMSISE-00 with satkit-data's SW-All.csv), ``mass``, ``pos_tol_m``
(``ToleranceProvider.getDefaultToleranceProvider``), ``timed`` (bool).

The propagator is the one of tools/oracle_force_models.py (``build``): Cartesian
``NumericalPropagator`` in GCRF, DormandPrince853 with steps 1e-3 .. 300 s and automatic
first step, EGM96 (satkit-data's EGM96.gfc through the ICGEM reader) Holmes-Featherstone in
ITRF / IERS 2010 with EOP, DE440 Sun and Moon, cannonball SRP with conical WGS-84 and Moon
shadows; with ``drag``, ``DragForce(NRLMSISE00(...), IsotropicDrag(A, Cd))`` (space weather
through a Python callback, shared/tools/orekit_oracle.py).

Warm JVM: first ``global_rounds`` rounds run every timed case once (HotSpot needs ~15-20
24 h runs before its times settle on 2 cores), then each timed case runs ``warmup`` more
times and ``repeat`` timed times. Each run builds the propagator and propagates 24 h in one
``propagate()`` call, no step handler. Prints one JSON line: per case the median and all
times (s), the build-only median, ``getEvaluations()`` (right-hand-side calls), the
tolerance vectors and the final state (m, m/s).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def main():
    here = Path(__file__).resolve()
    root = here.parents[1]
    sys.path.insert(0, str(root.parent / "shared" / "tools"))
    sys.path.insert(0, str(root / "tools"))
    import oracle_force_models as ofm
    import orekit_oracle

    spec = json.loads(Path(sys.argv[1]).read_text())
    t0 = time.perf_counter()
    orekit_oracle.start_orekit()
    ctx = ofm._Ctx()
    jvm_s = time.perf_counter() - t0

    from org.hipparchus.geometry.euclidean.threed import Vector3D
    from org.orekit.forces.drag import DragForce, IsotropicDrag
    from org.orekit.models.earth.atmosphere import NRLMSISE00
    from org.orekit.orbits import CartesianOrbit
    from org.orekit.utils import PVCoordinates

    x = spec["initial"]
    orbit = CartesianOrbit(PVCoordinates(Vector3D(*x[:3]), Vector3D(*x[3:])), ctx.gcrf,
                           ctx.epoch, ctx.mu)
    tend = ctx.epoch.shiftedBy(float(spec["duration_s"]))
    sw = None

    def make(case):
        nonlocal sw
        prop, integ, tol = ofm.build(ctx, orbit, case["degree"], case["sun_moon"],
                                     case["srp"], case["mass"], pos_tol=case["pos_tol_m"])
        if case.get("drag"):
            if sw is None:
                sw = orekit_oracle.make_nrlmsise_inputs()
            area, cd = case["drag"]
            atm = NRLMSISE00(sw, ctx.sun, ctx.earth_wgs84)
            prop.addForceModel(DragForce(atm, IsotropicDrag(float(area), float(cd))))
        return prop, integ, tol

    out = {"jvm_start_s": jvm_s, "mu_m3_s2": ctx.mu, "cases": {}}
    t0 = time.perf_counter()
    for _ in range(spec.get("global_rounds", 0)):
        for case in spec["cases"]:
            if case.get("timed"):
                make(case)[0].propagate(tend)
    out["global_warmup_s"] = time.perf_counter() - t0
    for case in spec["cases"]:
        runs = (spec["warmup"] + spec["repeat"]) if case.get("timed") else 1
        times, builds, evals = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            prop, integ, tol = make(case)
            t1 = time.perf_counter()
            st = prop.propagate(tend)
            t2 = time.perf_counter()
            times.append(t2 - t0)
            builds.append(t1 - t0)
            evals.append(int(integ.getEvaluations()))
        pv = st.getPVCoordinates(ctx.gcrf)
        p, v = pv.getPosition(), pv.getVelocity()
        timed = times[spec["warmup"]:] if case.get("timed") else times
        out["cases"][case["name"]] = {
            "median_s": statistics.median(timed),
            "min_s": min(timed),
            "times_s": times,
            "build_median_s": statistics.median(builds[-len(timed):]),
            "evaluations": evals[-1],
            "abs_tol": list(tol[0]),
            "rel_tol": list(tol[1]),
            "final": [p.getX(), p.getY(), p.getZ(), v.getX(), v.getY(), v.getZ()],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
