#!/usr/bin/env python3
"""Throughput of the Lambert solver (single revolution) against pykep's C++ and lamberthub.

Draws 1,000,000 random zero-revolution prograde problems (heliocentric, |r| from 0.4 to
6 AU in random directions, time of flight from 30 to 900 days: elliptic and hyperbolic
transfers, short and long way) and prints solves per second for

* cosmoplan ``lambert_batch`` on the whole batch: the first call apart (JIT compilation or
  loading numba's on-disk cache), then the median of ``--repeat`` runs; with all of
  numba's threads and with one;
* pykep 3.0.1 ``lambert_problem`` (C++ Izzo 2015) called in a Python loop, timed on
  ``--peer-n`` problems and given per solve. pykep has no batch Lambert call: the loop is
  its fastest mode from Python. ``import pykep`` fails on pykep 3.0.1's wheel (a missing
  data file), so its compiled core is loaded through a package stub (``shared/ORACLES.md``);
* the same C++ solver (``kep3::lambert_problem`` in pykep's bundled ``libkep3``) called
  in a native C++ loop over all the problems, with no Python in between: a helper is
  compiled with ``g++`` against that library when both are present (kep3's headers are
  not in the wheel, so the helper declares the class itself; see ``KEP3_LOOP``);
* lamberthub ``izzo2015`` (numba) in a Python loop, on ``--lamberthub-n`` problems;

with the ratio of each peer's time per solve to cosmoplan's, and the largest velocity
difference on the common problems. A peer that is not importable is reported as such.

Runs in the project venv (where the peers are not installed) and in the oracle venv
(pykep, lamberthub); there cosmoplan is imported from this checkout's ``src/`` (added to
``sys.path`` below), not installed.

Usage: python benchmarks/bench_lambert.py [--n N] [--repeat R] [--peer-n K]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
from _timing import timed  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numba  # noqa: E402

from cosmoplan.interplanetary.lambert import lambert_batch  # noqa: E402

MU_SUN = 1.32712440018e11
AU = 149597870.7


def make_problems(n, seed=1):
    rng = np.random.default_rng(seed)
    u1 = rng.normal(size=(n, 3))
    u2 = rng.normal(size=(n, 3))
    u1 /= np.linalg.norm(u1, axis=1)[:, None]
    u2 /= np.linalg.norm(u2, axis=1)[:, None]
    r1 = u1 * rng.uniform(0.4, 6.0, (n, 1)) * AU
    r2 = u2 * rng.uniform(0.4, 6.0, (n, 1)) * AU
    tof = rng.uniform(30.0, 900.0, n) * 86400.0
    return r1, r2, tof


KEP3_LOOP = r"""
// Times kep3::lambert_problem (pykep's C++ core) in a native loop. kep3's headers are not
// in the pykep wheel: the class is declared here by its exported constructor and getter,
// with storage larger than the real object; the object is never destroyed (its vectors
// leak, a few hundred bytes per solve), which the timing includes as allocation only.
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>
namespace kep3 {
class lambert_problem {
public:
    lambert_problem(const std::array<double, 3> &, const std::array<double, 3> &, double, double,
                    bool, unsigned);
    const std::vector<std::array<double, 3>> &get_v0() const;
private:
    alignas(64) char storage[4096];
};
}  // namespace kep3
int main(int argc, char **argv) {
    // argv: infile outfile n mu
    long n = std::atol(argv[3]);
    double mu = std::atof(argv[4]);
    std::vector<double> in(7 * n), out(3 * n);
    FILE *f = std::fopen(argv[1], "rb");
    if (std::fread(in.data(), sizeof(double), 7 * n, f) != (size_t)(7 * n)) return 2;
    std::fclose(f);
    alignas(64) static char buf[8192];
    auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
        const double *p = &in[7 * i];
        std::array<double, 3> r0{p[0], p[1], p[2]}, r1{p[3], p[4], p[5]};
        auto *lp = new (buf) kep3::lambert_problem(r0, r1, p[6], mu, false, 0);
        const auto &v = lp->get_v0()[0];
        out[3 * i] = v[0]; out[3 * i + 1] = v[1]; out[3 * i + 2] = v[2];
    }
    auto t1 = std::chrono::steady_clock::now();
    std::printf("%.9f\n", std::chrono::duration<double>(t1 - t0).count());
    f = std::fopen(argv[2], "wb");
    std::fwrite(out.data(), sizeof(double), 3 * n, f);
    std::fclose(f);
    return 0;
}
"""


def kep3_native(r1, r2, tof, mu, repeat):
    """Median time per solve of kep3::lambert_problem in a C++ loop, and its v1; or a
    reason why it could not run."""
    mod = sys.modules.get("pykep")  # the stub of pykep_lambert() has no __spec__
    where = list(getattr(mod, "__path__", None) or [])
    gxx = shutil.which("g++")
    if not where or gxx is None:
        return None, None, "pykep or g++ not available"
    libs = sorted(Path(where[0]).parent.glob("pykep.libs/libkep3*.so*"))
    if not libs:
        return None, None, "libkep3 not found beside pykep"
    n = tof.size
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "loop.cpp").write_text(KEP3_LOOP)
        res = subprocess.run([gxx, "-O2", "-std=c++17", str(tmp / "loop.cpp"), str(libs[0]),
                              f"-Wl,-rpath,{libs[0].parent}", "-o", str(tmp / "loop")],
                             capture_output=True, text=True)
        if res.returncode:
            return None, None, f"could not compile the helper: {res.stderr[:200]}"
        np.hstack([r1, r2, tof[:, None]]).astype(np.float64).tofile(tmp / "in.bin")
        times = []
        for _ in range(repeat):
            res = subprocess.run([str(tmp / "loop"), str(tmp / "in.bin"), str(tmp / "out.bin"),
                                  str(n), repr(mu)], capture_output=True, text=True)
            if res.returncode:
                return None, None, f"helper failed: {res.stderr[:200]}"
            times.append(float(res.stdout))
        v1 = np.fromfile(tmp / "out.bin").reshape(n, 3)
    return statistics.median(times) / n, v1, "ok"


def pykep_lambert():
    try:
        import pykep

        return pykep.lambert_problem, "import pykep"
    except ImportError as exc:
        if "pykep" in str(exc) and importlib.util.find_spec("pykep") is None:
            return None, "pykep is not installed"
    except Exception:  # noqa: BLE001 - pykep 3.0.1's wheel misses a data file
        pass
    spec = importlib.util.find_spec("pykep")
    if spec is None:
        return None, "pykep is not installed"
    stub = types.ModuleType("pykep")
    stub.__path__ = list(spec.submodule_search_locations)
    sys.modules["pykep"] = stub
    return importlib.import_module("pykep.core").lambert_problem, "pykep.core via a stub"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--peer-n", type=int, default=200_000)
    ap.add_argument("--lamberthub-n", type=int, default=20_000)
    args = ap.parse_args()
    n = args.n
    r1, r2, tof = make_problems(n)

    t0 = time.perf_counter()
    lambert_batch(r1[:10], r2[:10], tof[:10], MU_SUN)
    print(f"first call (JIT compile or numba cache load): {time.perf_counter() - t0:.2f} s")
    out = {}

    def run():
        out["v"] = lambert_batch(r1, r2, tof, MU_SUN)

    threads = numba.get_num_threads()
    t_ours = timed(run, args.repeat)
    v1, _, status = out["v"]
    assert np.all(status == 0), np.bincount(status)
    numba.set_num_threads(1)
    t_one = timed(run, args.repeat)
    numba.set_num_threads(threads)
    per = t_ours / n
    print(f"cosmoplan lambert_batch, {n:,} problems, {threads} threads: {t_ours:.3f} s "
          f"({n / t_ours / 1e6:.2f} M solves/s, {per * 1e9:.0f} ns each)")
    print(f"cosmoplan lambert_batch, 1 thread:            {t_one:.3f} s "
          f"({n / t_one / 1e6:.2f} M solves/s, {t_one / n * 1e9:.0f} ns each)")

    lp, how = pykep_lambert()
    if lp is None:
        print(f"pykep: not importable here ({how}); no ratio printed. Run this script in an "
              "environment with pykep (e.g. the oracle venv) for the comparison.")
    else:
        k = min(args.peer_n, n)
        pv = np.empty((k, 3))

        def run_pykep():
            for i in range(k):
                pv[i] = lp(r1[i], r2[i], tof[i], MU_SUN, False, 0).v0[0]

        run_pykep()
        t_pk = timed(run_pykep, max(1, args.repeat // 2)) / k
        err = np.max(np.linalg.norm(pv - v1[:k], axis=1) / np.linalg.norm(pv, axis=1))
        print(f"pykep lambert_problem, Python loop ({how}), {k:,} problems: "
              f"{1 / t_pk / 1e6:.2f} M solves/s, {t_pk * 1e9:.0f} ns each; pykep has no batch "
              f"call. Time per solve pykep / cosmoplan = {t_pk / per:.1f} "
              f"(1 thread: {t_pk / (t_one / n):.1f}); max relative |dv1| = {err:.1e}")

    if lp is not None:
        t_cpp, cv, why = kep3_native(r1, r2, tof, MU_SUN, max(1, args.repeat // 2))
        if t_cpp is None:
            print(f"pykep C++ native loop: not run ({why})")
        else:
            err = np.max(np.linalg.norm(cv - v1, axis=1) / np.linalg.norm(cv, axis=1))
            print(f"pykep C++ kep3::lambert_problem, native C++ loop, {n:,} problems: "
                  f"{1 / t_cpp / 1e6:.2f} M solves/s, {t_cpp * 1e9:.0f} ns each. Time per "
                  f"solve pykep / cosmoplan = {t_cpp / per:.2f} (1 thread: "
                  f"{t_cpp / (t_one / n):.2f}); max relative |dv1| = {err:.1e}")

    try:
        from lamberthub import izzo2015
    except ImportError:
        print("lamberthub: not installed here; no ratio printed")
    else:
        k = min(args.lamberthub_n, n)
        hv = np.empty((k, 3))
        izzo2015(MU_SUN, r1[0], r2[0], tof[0])

        def run_hub():
            for i in range(k):
                hv[i] = izzo2015(MU_SUN, r1[i], r2[i], tof[i])[0]

        t_hub = timed(run_hub, 1) / k
        err = np.max(np.linalg.norm(hv - v1[:k], axis=1) / np.linalg.norm(hv, axis=1))
        print(f"lamberthub izzo2015, Python loop, {k:,} problems: {1 / t_hub / 1e6:.3f} M "
              f"solves/s; time per solve lamberthub / cosmoplan = {t_hub / per:.0f}; max "
              f"relative |dv1| = {err:.1e}")


if __name__ == "__main__":
    main()
