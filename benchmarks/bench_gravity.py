"""Spherical-harmonic gravity: evaluations per second at 20x20, 70x70 and 120x120 (EGM96).

cosmoplan: :func:`cosmoplan.forces.gravity_field.sh_accel_kernel` called point by point
from a numba loop (the propagator's situation: one point per right-hand side), then from
Python one call at a time, then the vectorised :func:`acceleration` wrapper on one point.

Orekit 13.1 (``HolmesFeatherstoneAttractionModel.gradient``, the same EGM96.gfc from
satkit-data), when ``--orekit-python`` names an interpreter with orekit-jpype (the oracle
environment, data directory from ``shared/tools/orekit_oracle.py``): timed in a Java loop
(a class compiled here with ``javac``, after a JIT warm-up; no JPype in the loop) and in a
Python loop over JPype. Also reports the largest difference between Orekit's non-central
acceleration and ours on the same points.

Run:  python benchmarks/bench_gravity.py [--points 1000] [--orekit-python
      ../oracle-venv/bin/python]
(The same file runs as the Orekit peer with ``--peer IN.npz``, under the oracle Python.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEGREES = (20, 70, 120)

JAVA_SOURCE = """
import org.hipparchus.geometry.euclidean.threed.Vector3D;
import org.orekit.forces.gravity.HolmesFeatherstoneAttractionModel;
import org.orekit.time.AbsoluteDate;

public class CosmoplanHFBench {
    /** Seconds per gradient (non-central acceleration), median of `runs` loops. */
    public static double run(HolmesFeatherstoneAttractionModel model, AbsoluteDate date,
                             double[] xyz, double mu, int reps, int runs) {
        int n = xyz.length / 3;
        Vector3D[] pos = new Vector3D[n];
        for (int i = 0; i < n; ++i) {
            pos[i] = new Vector3D(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
        }
        double[] times = new double[runs];
        double sink = 0;
        for (int r = 0; r < runs; ++r) {
            long t0 = System.nanoTime();
            for (int k = 0; k < reps; ++k) {
                for (int i = 0; i < n; ++i) {
                    sink += model.gradient(date, pos[i], mu)[0];
                }
            }
            times[r] = (System.nanoTime() - t0) * 1e-9 / ((double) reps * n);
        }
        java.util.Arrays.sort(times);
        return sink == 12345.678 ? -1 : times[runs / 2];
    }
}
"""


def make_points(n, seed=7):
    """n positions (km), uniform on the sphere, radius 300 km altitude .. GEO."""
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    return v * rng.uniform(6678.0, 42164.0, size=(n, 1))


# --------------------------------------------------------------------------------------
# cosmoplan
# --------------------------------------------------------------------------------------


def bench_cosmoplan(pos, repeat):
    import numba

    from cosmoplan.forces import gravity_field as gf

    @numba.njit
    def loop(pos, mu, radius, c, s, nmax, mmax, rec, work, out):
        for i in range(pos.shape[0]):
            ax, ay, az = gf.sh_accel_kernel(pos[i, 0], pos[i, 1], pos[i, 2], mu, radius, c, s,
                                            nmax, mmax, rec, work)
            out[i, 0] = ax
            out[i, 1] = ay
            out[i, 2] = az

    fld = gf.default_field()
    c_nc = fld.c.copy()
    c_nc[0, 0] = 0.0  # C_00 = 0: the kernel then returns the non-central part (as Orekit)
    res = {}
    for deg in DEGREES:
        rec = gf.recursion_coefficients(deg)
        work = gf.kernel_work(deg)
        out = np.empty_like(pos)
        t0 = time.perf_counter()
        loop(pos[:1], fld.mu, fld.radius_km, fld.c, fld.s, deg, deg, rec, work, out[:1])
        first = time.perf_counter() - t0
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            loop(pos, fld.mu, fld.radius_km, fld.c, fld.s, deg, deg, rec, work, out)
            times.append((time.perf_counter() - t0) / len(pos))
        kernel = statistics.median(times)
        k = min(len(pos), 200)
        t0 = time.perf_counter()
        for p in pos[:k]:
            gf.sh_accel_kernel(p[0], p[1], p[2], fld.mu, fld.radius_km, fld.c, fld.s, deg, deg,
                               rec, work)
        from_python = (time.perf_counter() - t0) / k
        gf.acceleration(pos[0], fld, deg)
        t0 = time.perf_counter()
        for p in pos[:k]:
            gf.acceleration(p, fld, deg)
        wrapper = (time.perf_counter() - t0) / k
        noncentral = np.empty_like(pos)
        loop(pos, fld.mu, fld.radius_km, c_nc, fld.s, deg, deg, rec, work, noncentral)
        res[deg] = dict(kernel=kernel, python=from_python, wrapper=wrapper, first=first,
                        noncentral=noncentral)
    return res


# --------------------------------------------------------------------------------------
# Orekit (run as a subprocess in the oracle environment)
# --------------------------------------------------------------------------------------


def orekit_peer(npz_path, repeat):
    """Runs under the oracle Python: prints one JSON line of timings and gradients."""
    sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))
    import jpype
    import orekit_jpype

    java_note = "Java loop"
    classdir = tempfile.mkdtemp(prefix="cosmoplan-hfbench-")
    jars = Path(orekit_jpype.__file__).resolve().parent / "jars"
    cp = os.pathsep.join(str(j) for j in sorted(jars.glob("*.jar")))
    src = Path(classdir) / "CosmoplanHFBench.java"
    src.write_text(JAVA_SOURCE)
    try:
        subprocess.run(["javac", "-cp", cp, "-d", classdir, str(src)], check=True,
                       capture_output=True, text=True, timeout=120)
        jpype.addClassPath(classdir)
        have_java = True
    except (OSError, subprocess.SubprocessError) as exc:
        have_java = False
        java_note = f"no Java loop ({type(exc).__name__})"

    import orekit_oracle

    orekit_oracle.start_orekit()
    from org.hipparchus.geometry.euclidean.threed import Vector3D
    from org.orekit.forces.gravity import HolmesFeatherstoneAttractionModel
    from org.orekit.forces.gravity.potential import GravityFieldFactory
    from org.orekit.frames import FramesFactory
    from org.orekit.time import AbsoluteDate, TimeScalesFactory
    from org.orekit.utils import IERSConventions

    data = np.load(npz_path)
    pos_m = data["pos_km"] * 1e3
    n = len(pos_m)
    itrf = FramesFactory.getITRF(IERSConventions.IERS_2010, True)
    date = AbsoluteDate(2021, 6, 17, 0, 0, 0.0, TimeScalesFactory.getUTC())
    vecs = [Vector3D(*map(float, p)) for p in pos_m]
    bench = jpype.JClass("CosmoplanHFBench") if have_java else None
    xyz = jpype.JArray(jpype.JDouble)(pos_m.ravel().tolist())
    out = {"java_note": java_note}
    # JPype overhead for one trivial call with an object argument
    v0, v1 = vecs[0], vecs[1 % n]
    t0 = time.perf_counter()
    for _ in range(2000):
        v0.dotProduct(v1)
    out["jpype_call_overhead"] = (time.perf_counter() - t0) / 2000
    for deg in DEGREES:
        provider = GravityFieldFactory.getNormalizedProvider(deg, deg)
        model = HolmesFeatherstoneAttractionModel(itrf, provider)
        mu = provider.getMu()
        grads = [list(model.gradient(date, v, mu)) for v in vecs]  # also warms up
        r = {"mu": mu, "ae": provider.getAe(), "gradients": grads}
        if bench is not None:
            reps = max(1, int(2e6 / (deg * deg * n)))
            bench.run(model, date, xyz, mu, max(1, 30000 // n), 1)  # JIT warm-up, 30k calls
            r["java_loop"] = float(bench.run(model, date, xyz, mu, reps, max(3, repeat)))
        k = min(n, 300)
        times = []
        for _ in range(max(1, repeat // 2)):
            t0 = time.perf_counter()
            for v in vecs[:k]:
                model.gradient(date, v, mu)
            times.append((time.perf_counter() - t0) / k)
        r["python_loop"] = statistics.median(times)
        out[str(deg)] = r
    print(json.dumps(out))


def run_orekit(args, pos):
    if not args.orekit_python:
        return None
    if not Path(args.orekit_python).exists():
        print(f"Orekit: not run (no interpreter at {args.orekit_python})")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pos.npz"
        np.savez(path, pos_km=pos)
        proc = subprocess.run([args.orekit_python, str(Path(__file__).resolve()), "--peer",
                               str(path), "--repeat", str(args.repeat)],
                              capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        print(f"Orekit: not run ({(proc.stderr.strip().splitlines() or ['failed'])[-1][:300]})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--orekit-python", default=None,
                    help="interpreter with orekit-jpype, e.g. ../oracle-venv/bin/python")
    ap.add_argument("--peer", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.peer:
        orekit_peer(args.peer, args.repeat)
        return
    import numba

    pos = make_points(args.points)
    print(f"EGM96 (bundled), {args.points} points 300 km..GEO, one point per call, "
          f"{numba.get_num_threads()} numba threads available (kernel is serial), median of "
          f"{args.repeat}")
    ours = bench_cosmoplan(pos, args.repeat)
    ork = run_orekit(args, pos)
    for deg in DEGREES:
        o = ours[deg]
        print(f"{deg:3d}x{deg:<3d} cosmoplan numba loop {1 / o['kernel']:>11,.0f} /s "
              f"{o['kernel'] * 1e6:8.2f} us | one call from Python {o['python'] * 1e6:7.2f} us"
              f" | acceleration() {o['wrapper'] * 1e6:7.2f} us | first call "
              f"{o['first']:.2f} s")
        if ork is None:
            continue
        r = ork[str(deg)]
        g = np.asarray(r["gradients"]) * 1e-3  # m/s^2 -> km/s^2
        mine = o["noncentral"][: len(g)]
        rel = np.linalg.norm(mine - g, axis=1) / np.linalg.norm(g, axis=1)
        line = "        Orekit 13.1 HolmesFeatherstone "
        if "java_loop" in r:
            line += (f"Java loop {1 / r['java_loop']:>9,.0f} /s {r['java_loop'] * 1e6:8.2f} us"
                     f" (Orekit / cosmoplan = {r['java_loop'] / o['kernel']:.2f}) | ")
        line += (f"JPype loop {r['python_loop'] * 1e6:8.2f} us (/ our Python call = "
                 f"{r['python_loop'] / o['python']:.2f})")
        print(line)
        print(f"        |a_noncentral(ours) - Orekit| / |Orekit|: max {rel.max():.1e}, median "
              f"{np.median(rel):.1e} over {len(g)} points (Orekit mu {r['mu']:.10e} m^3/s^2,"
              f" ae {r['ae']} m)")
    if ork is not None:
        print(f"Orekit: {ork['java_note']}; JPype overhead of a trivial call "
              f"{ork['jpype_call_overhead'] * 1e6:.2f} us")


if __name__ == "__main__":
    main()
