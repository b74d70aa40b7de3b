#!/usr/bin/env python3
"""Reference Lambert solutions from pykep's C++ solver (fixture generator and comparison).

``generate`` (needs pykep; run in the oracle environment) draws random Lambert problems
with a fixed seed and records every solution pykep 3.0.1's ``lambert_problem`` finds
(its C++ implementation of Izzo 2015, written independently of cosmoplan's), up to five
revolutions:

* half geocentric (mu = 398600.4418 km^3/s^2, |r| from 6,600 to 100,000 km), half
  heliocentric (mu = 1.32712440018e11, |r| from 0.3 to 40 AU), log-uniform radii;
* directions uniform on the sphere, plus 5 % of transfer angles within 1e-7 to 1e-2 rad
  of 180 degrees and 5 % within 1e-4 to 1e-1 rad of 0 degrees;
* prograde or retrograde at random (pykep's ``cw=True`` is retrograde: ``h_z < 0``,
  the same convention as cosmoplan's ``prograde=False``);
* non-dimensional time of flight ``T = sqrt(2 mu / s^3) tof`` (Izzo 2015 Eq. 8): 15 %
  hyperbolic (``T`` log-uniform from 0.05 to 1 times the parabolic ``T1``), 5 % near
  the parabola (``T1 (1 +- 10^U(-8, -2))``), 80 % elliptic, ``T`` uniform from ``T1`` to
  ``6 pi`` (so 0 to 5 revolutions exist).

Each pykep solution is then polished in 40-digit arithmetic by an independent method,
the universal-variable formulation (Bate, Mueller & White 1971 §5.3) solved by the
secant method from pykep's value (``v1_ref, v2_ref``): pykep stops its iteration early
(|dx| < 1e-5 for M = 0), which leaves ~0.05 % of its solutions off by up to ~1e-7. Where
pykep returns NaN for a solution it lists, a dense scan of the universal variable gives
the minimum time of flight for that M (``nan_min_tof``, s).

It writes all cases to ``--out-all`` and to ``--fixture`` (compressed .npz) the first
``--n-fixture`` plus every hard case (pykep NaN or more than 1e-8 from its polished
value; ``index`` gives their positions in the full set): inputs ``r1, r2`` (N, 3) km,
``tof`` (N,) s, ``mu`` (N,), ``prograde`` (N,) bool, and per case up to 11 solutions
``v1, v2`` (N, 11, 3) km/s, ``M`` (N, 11) and ``branch`` (N, 11: 0 single, 1 low,
2 high, -1 none), in the full file also ``x`` (pykep's Izzo variable). pykep orders
its solutions M = 0, then for each M the left branch (``x < x_Tmin``, cosmoplan's
"high") and the right branch ("low").

``fixture FILE`` rewrites the fixture from an ``--out-all`` file. ``compare FILE``
(needs cosmoplan) solves the same problems with
``cosmoplan.interplanetary.lambert_batch`` and prints the agreement: the largest relative
velocity difference per solution, and every (M, branch) that one solver finds and the
other does not.

Run (pykep 3.0.1's ``import pykep`` fails on a file missing from its wheel, so its
compiled core is loaded through a package stub, see ``shared/ORACLES.md`` §4):

    /work/oracle-venv/bin/pip install pykep mpmath
    /work/oracle-venv/bin/python tools/oracle_lambert.py generate --n 100000 \\
        --out-all /tmp/lambert_oracle_100k.npz --fixture tests/fixtures/lambert_pykep.npz
    /work/venv/bin/python tools/oracle_lambert.py compare /tmp/lambert_oracle_100k.npz
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import multiprocessing
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MU_EARTH = 398600.4418
MU_SUN = 1.32712440018e11
AU = 149597870.7
MAX_REVS = 5
NSOL = 1 + 2 * MAX_REVS
SEED = 20150101


def _pykep_lambert():
    try:
        import pykep

        return pykep.lambert_problem
    except Exception:  # pykep 3.0.1: missing trajopt/gym/tops/*.json in the wheel
        spec = importlib.util.find_spec("pykep")
        if spec is None:
            raise SystemExit("pykep is not installed here (pip install pykep)") from None
        stub = types.ModuleType("pykep")
        stub.__path__ = list(spec.submodule_search_locations)
        sys.modules["pykep"] = stub
        return importlib.import_module("pykep.core").lambert_problem


def _unit(rng, n):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1)[:, None]


def make_problems(n, seed=SEED):
    """Random Lambert problems (see the module notes). Returns r1, r2, tof, mu, prograde."""
    rng = np.random.default_rng(seed)
    helio = rng.random(n) < 0.5
    mu = np.where(helio, MU_SUN, MU_EARTH)
    lo = np.where(helio, 0.3 * AU, 6600.0)
    hi = np.where(helio, 40.0 * AU, 100000.0)
    r1n = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    r2n = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    u1 = _unit(rng, n)
    u2 = _unit(rng, n)
    # near 180 and near 0 degrees: rotate u1 by the chosen angle about a normal to it
    kind = rng.random(n)
    near = kind < 0.10
    w = _unit(rng, n)
    w -= np.sum(w * u1, axis=1)[:, None] * u1
    w /= np.linalg.norm(w, axis=1)[:, None]
    ang = np.where(kind < 0.05, np.pi - 10.0 ** rng.uniform(-7, -2, n),
                   10.0 ** rng.uniform(-4, -1, n))
    rot = np.cos(ang)[:, None] * u1 + np.sin(ang)[:, None] * w
    u2 = np.where(near[:, None], rot, u2)
    r1 = r1n[:, None] * u1
    r2 = r2n[:, None] * u2
    prograde = rng.random(n) < 0.5
    c = np.linalg.norm(r2 - r1, axis=1)
    s = 0.5 * (r1n + r2n + c)
    lam = np.sqrt(np.maximum(0.0, 1.0 - c / s))
    hz = np.cross(r1, r2)[:, 2]
    long_way = (hz < 0) == prograde
    lam = np.where(long_way, -lam, lam)
    t1 = 2.0 / 3.0 * (1.0 - lam**3)
    kt = rng.random(n)
    t_hyp = t1 * np.exp(rng.uniform(np.log(0.05), 0.0, n))
    t_par = t1 * (1.0 + rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-8, -2, n))
    t_ell = rng.uniform(t1, 6.0 * np.pi)
    tnd = np.where(kt < 0.15, t_hyp, np.where(kt < 0.20, t_par, t_ell))
    tof = tnd * np.sqrt(s**3 / (2.0 * mu))
    return r1, r2, tof, mu, prograde


def _stumpff(z):
    """Stumpff C(z), S(z) in mpmath (series near z = 0)."""
    import mpmath as mp

    if abs(z) < mp.mpf("1e-6"):
        c = s = mp.mpf(0)
        tc, ts = mp.mpf(1) / 2, mp.mpf(1) / 6
        for k in range(30):
            c += tc
            s += ts
            tc *= -z / ((2 * k + 3) * (2 * k + 4))
            ts *= -z / ((2 * k + 4) * (2 * k + 5))
        return c, s
    if z > 0:
        q = mp.sqrt(z)
        return (1 - mp.cos(q)) / z, (q - mp.sin(q)) / (q * z)
    q = mp.sqrt(-z)
    return (mp.cosh(q) - 1) / (-z), (mp.sinh(q) - q) / (q * (-z))


def refine(r1, r2, tof, mu, prograde, v1, m):
    """One solution polished in 40-digit arithmetic with universal variables.

    Bate, Mueller & White (1971) §5.3 (Vallado 2013 Algorithm 58; Curtis 2014
    Algorithm 5.2): with ``A = sqrt(2 r1 r2) cos(theta/2)`` (negative the long way),
    ``y(z) = r1 + r2 + A (z S - 1)/sqrt(C)``, the time of flight is ``sqrt(mu) t =
    (y/C)^1.5 S + A sqrt(y)``; ``z`` (the square of the change of eccentric anomaly,
    ``2 pi M`` included) is solved by the secant method from the value of pykep's solution,
    which selects the branch; then ``f = 1 - y/r1``, ``g = A sqrt(y/mu)``,
    ``gdot = 1 - y/r2``. Returns ``(v1, v2)`` as float64, or ``None`` if it fails.
    """
    import mpmath as mp

    mp.mp.dps = 40
    R1 = [mp.mpf(float(a)) for a in r1]
    R2 = [mp.mpf(float(a)) for a in r2]
    n1 = mp.sqrt(sum(a * a for a in R1))
    n2 = mp.sqrt(sum(a * a for a in R2))
    cos_t = sum(a * b for a, b in zip(R1, R2)) / (n1 * n2)
    hz = R1[0] * R2[1] - R1[1] * R2[0]
    long_way = (hz < 0) == bool(prograde)
    A = mp.sqrt(n1 * n2 * (1 + cos_t)) * (-1 if long_way else 1)
    MU = mp.mpf(float(mu))
    T = mp.mpf(float(tof)) * mp.sqrt(MU)
    # starting z from the given (pykep) solution
    v = np.asarray(v1, float)
    r = np.asarray(r1, float)
    alpha = 2.0 / np.linalg.norm(r) - v @ v / float(mu)
    # change of eccentric (hyperbolic) anomaly from the f and g series of the solution
    rr2 = np.asarray(r2, float)
    sig1 = r @ v / math.sqrt(float(mu))
    if alpha > 0:
        sa = math.sqrt(alpha)
        e1 = math.atan2(sig1 * sa, 1 - np.linalg.norm(r) * alpha)
        # velocity at r2 from the given solution is not stored here: use the geometry
        # of the conic through r2 with the same energy and angular momentum
        h = np.cross(r, v)
        ecc = np.cross(v, h) / float(mu) - r / np.linalg.norm(r)
        e = np.linalg.norm(ecc)
        p_ = h @ h / float(mu)
        cos_nu2 = (p_ / np.linalg.norm(rr2) - 1) / e
        sin_nu2 = np.cross(ecc / e, rr2 / np.linalg.norm(rr2)) @ (h / np.linalg.norm(h))
        nu2 = math.atan2(sin_nu2, cos_nu2)
        e2 = 2 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu2 / 2))
        de = (e2 - e1) % (2 * math.pi) + 2 * math.pi * m
        z0 = de * de
    else:
        z0 = -1e-3 if alpha < 0 else 0.0
        h = np.cross(r, v)
        ecc = np.cross(v, h) / float(mu) - r / np.linalg.norm(r)
        e = np.linalg.norm(ecc)
        if alpha < 0 and e > 1:
            sa = math.sqrt(-alpha)
            f1 = math.asinh(sig1 * sa / e)
            p_ = h @ h / float(mu)
            cos_nu2 = (p_ / np.linalg.norm(rr2) - 1) / e
            sin_nu2 = np.cross(ecc / e, rr2 / np.linalg.norm(rr2)) @ (h / np.linalg.norm(h))
            nu2 = math.atan2(sin_nu2, cos_nu2)
            f2 = 2 * math.atanh(math.sqrt((e - 1) / (e + 1)) * math.tan(nu2 / 2))
            z0 = -((f2 - f1) ** 2)

    def yz(z):
        c, s = _stumpff(z)
        return n1 + n2 + A * (z * s - 1) / mp.sqrt(c), c, s

    def fz(z):
        y, c, s = yz(z)
        if y < 0:
            return mp.mpf(-1) * T
        return (y / c) ** mp.mpf(1.5) * s + A * mp.sqrt(y) - T

    try:
        z = mp.findroot(fz, (mp.mpf(z0), mp.mpf(z0) * (1 + mp.mpf("1e-9")) + mp.mpf("1e-12")),
                        solver="secant", tol=mp.mpf("1e-64"), maxsteps=60, verify=False)
    except (ValueError, ZeroDivisionError):
        return None
    y, _, _ = yz(z)
    if y <= 0 or abs(fz(z)) > T * mp.mpf("1e-25"):
        return None
    f = 1 - y / n1
    g = A * mp.sqrt(y / MU)
    gd = 1 - y / n2
    w1 = np.array([float((b - f * a) / g) for a, b in zip(R1, R2)])
    w2 = np.array([float((gd * b - a) / g) for a, b in zip(R1, R2)])
    return w1, w2


def min_tof_uv(r1, r2, mu, prograde, m, n=200001):
    """Smallest time of flight (s) with m revolutions, by a dense scan of the universal
    variable z over ((2 pi m)^2, (2 pi (m+1))^2) (float64; Bate, Mueller & White §5.3).
    An independent check of whether an m-revolution solution can exist."""
    n1, n2 = np.linalg.norm(r1), np.linalg.norm(r2)
    cos_t = r1 @ r2 / (n1 * n2)
    long_way = (np.cross(r1, r2)[2] < 0) == bool(prograde)
    a = math.sqrt(n1 * n2 * (1 + cos_t)) * (-1 if long_way else 1)
    z = np.linspace((2 * np.pi * m) ** 2, (2 * np.pi * (m + 1)) ** 2, n)[1:-1]
    q = np.sqrt(z)
    c = (1 - np.cos(q)) / z
    s = (q - np.sin(q)) / (q * z)
    y = n1 + n2 + a * (z * s - 1) / np.sqrt(c)
    ok = y > 0
    t = ((y[ok] / c[ok]) ** 1.5 * s[ok] + a * np.sqrt(y[ok])) / math.sqrt(mu)
    return float(t.min()) if t.size else math.inf


def _refine_chunk(args):
    r1, r2, tof, mu, prograde, v1, mm = args
    out1 = np.full(v1.shape, np.nan)
    out2 = np.full(v1.shape, np.nan)
    for i in range(tof.size):
        for j in range(NSOL):
            if mm[i, j] < 0 or not np.all(np.isfinite(v1[i, j])):
                continue
            res = refine(r1[i], r2[i], tof[i], mu[i], prograde[i], v1[i, j], int(mm[i, j]))
            if res is not None:
                out1[i, j], out2[i, j] = res
    return out1, out2


def generate(args):
    lambert_problem = _pykep_lambert()
    from importlib.metadata import version

    n = args.n
    r1, r2, tof, mu, prograde = make_problems(n)
    v1 = np.full((n, NSOL, 3), np.nan)
    v2 = np.full((n, NSOL, 3), np.nan)
    mm = np.full((n, NSOL), -1, dtype=np.int8)
    br = np.full((n, NSOL), -1, dtype=np.int8)
    xx = np.full((n, NSOL), np.nan)
    t0 = time.perf_counter()
    for i in range(n):
        lp = lambert_problem(r1[i], r2[i], float(tof[i]), float(mu[i]), not prograde[i],
                             MAX_REVS)
        k = len(lp.v0)
        v1[i, :k] = lp.v0
        v2[i, :k] = lp.v1
        xx[i, :k] = lp.x
        for j in range(k):
            mm[i, j] = (j + 1) // 2
            br[i, j] = 0 if j == 0 else (2 if j % 2 == 1 else 1)
    dt = time.perf_counter() - t0
    # pykep returns NaN for some multi-revolution solutions: check independently whether
    # they exist (the minimum time of flight for that M from a scan of z)
    nan_min_tof = np.full((n, MAX_REVS + 1), np.nan)
    for i, j in zip(*np.nonzero((mm >= 0) & ~np.all(np.isfinite(v1), axis=2))):
        m = int(mm[i, j])
        nan_min_tof[i, m] = min_tof_uv(r1[i], r2[i], mu[i], prograde[i], m)
    nsol = np.sum(mm >= 0, axis=1)
    print(f"pykep {version('pykep')}: {n} problems, {int(nsol.sum())} solutions in {dt:.1f} s; "
          f"cases by largest M: {np.bincount(nsol // 2, minlength=MAX_REVS + 1).tolist()}")
    t0 = time.perf_counter()
    chunks = [(r1[k:k + 500], r2[k:k + 500], tof[k:k + 500], mu[k:k + 500],
               prograde[k:k + 500], v1[k:k + 500], mm[k:k + 500]) for k in range(0, n, 500)]
    with multiprocessing.Pool(args.jobs) as pool:
        parts = pool.map(_refine_chunk, chunks)
    v1_ref = np.concatenate([p[0] for p in parts])
    v2_ref = np.concatenate([p[1] for p in parts])
    found = np.all(np.isfinite(v1), axis=2)
    failed = int(np.sum(found & ~np.all(np.isfinite(v1_ref), axis=2)))
    d1 = np.linalg.norm(v1 - v1_ref, axis=2) / np.linalg.norm(v1_ref, axis=2)
    print(f"40-digit universal-variable polish: {time.perf_counter() - t0:.0f} s, "
          f"{failed} failed; pykep vs polished: max relative dv1 {np.nanmax(d1):.2e}, "
          f"over 1e-8: {int(np.sum(d1 > 1e-8))}; pykep NaN solutions: "
          f"{int(np.sum(np.isfinite(nan_min_tof)))}")
    data = dict(r1=r1, r2=r2, tof=tof, mu=mu, prograde=prograde, v1=v1, v2=v2, M=mm, branch=br,
                x=xx, v1_ref=v1_ref, v2_ref=v2_ref, nan_min_tof=nan_min_tof,
                seed=np.int64(SEED), pykep_version=np.array(version("pykep")))
    if args.out_all:
        np.savez_compressed(args.out_all, **data)
        print(f"wrote {args.out_all}")
    if args.fixture:
        write_fixture(data, args.fixture, args.n_fixture)


def write_fixture(data, path, k):
    """The first ``k`` cases plus every case where pykep returned NaN or is more than 1e-8
    from its polished value (the hard cases), without pykep's ``x``."""
    v1, v2, v1r, v2r = data["v1"], data["v2"], data["v1_ref"], data["v2_ref"]
    listed = data["M"] >= 0
    with np.errstate(invalid="ignore"):
        off = np.maximum(np.linalg.norm(v1 - v1r, axis=2) / np.linalg.norm(v1r, axis=2),
                         np.linalg.norm(v2 - v2r, axis=2) / np.linalg.norm(v2r, axis=2))
    hard = np.any(listed & ~(off <= 1e-8), axis=1)
    idx = np.union1d(np.arange(min(k, hard.size)), np.flatnonzero(hard))
    out = {key: (val[idx] if getattr(val, "ndim", 0) else val) for key, val in data.items()
           if key != "x"}
    out["index"] = idx
    np.savez_compressed(path, **out)
    print(f"wrote {idx.size} cases (the first {k} and {idx.size - k} hard ones) to {path}")


def fixture(args):
    write_fixture(dict(np.load(args.file)), args.fixture, args.n_fixture)


def compare(args):
    sys.path.insert(0, str(ROOT / "src"))
    from cosmoplan.interplanetary import lambert_batch

    d = np.load(args.file)
    r1, r2, tof, mu, prograde = d["r1"], d["r2"], d["tof"], d["mu"], d["prograde"]
    n = tof.size
    err_pk, err_ref = [], []
    missing, extra, pk_nan = [], [], []
    for m in range(MAX_REVS + 1):
        for branch in (("low",) if m == 0 else ("low", "high")):
            col = 0 if m == 0 else (2 * m if branch == "low" else 2 * m - 1)
            ours_ok = np.zeros(n, bool)
            v1 = np.full((n, 3), np.nan)
            v2 = np.full((n, 3), np.nan)
            for mu_val in np.unique(mu):
                for pro in (True, False):
                    sel = (mu == mu_val) & (prograde == pro)
                    a, b, st = lambert_batch(r1[sel], r2[sel], tof[sel], float(mu_val),
                                             revolutions=m, prograde=pro, branch=branch)
                    ours_ok[sel] = st == 0
                    v1[sel], v2[sel] = a, b
            listed = d["M"][:, col] == m
            finite = listed & np.all(np.isfinite(d["v1"][:, col]), axis=1)
            for ref, out in ((("v1", "v2"), err_pk), (("v1_ref", "v2_ref"), err_ref)):
                both = finite & ours_ok
                e1 = np.linalg.norm(v1 - d[ref[0]][:, col], axis=1) / np.linalg.norm(v1, axis=1)
                e2 = np.linalg.norm(v2 - d[ref[1]][:, col], axis=1) / np.linalg.norm(v2, axis=1)
                out.append(np.maximum(e1, e2)[both])
            missing += [(int(i), m, branch) for i in np.flatnonzero(finite & ~ours_ok)]
            extra += [(int(i), m, branch) for i in np.flatnonzero(ours_ok & ~listed)]
            pk_nan += [(int(i), m, branch, bool(ours_ok[i]),
                        float(d["nan_min_tof"][i, m]) > tof[i])
                       for i in np.flatnonzero(listed & ~finite)]
    for name, errs in (("pykep as returned", err_pk), ("pykep polished to 40 digits", err_ref)):
        e = np.concatenate(errs)
        print(f"vs {name}: {e.size} solutions, relative velocity difference median "
              f"{np.median(e):.2e}, 99.9 % {np.quantile(e, 0.999):.2e}, max {e.max():.2e}; "
              f"over 1e-8: {int(np.sum(e > 1e-8))}")
    print(f"{n} problems; solutions pykep finds (finite) that cosmoplan does not: "
          f"{len(missing)} {missing[:10]}")
    print(f"solutions cosmoplan finds (M <= {MAX_REVS}) that pykep does not list: {len(extra)} "
          f"{extra[:10]}")
    print(f"pykep NaN solutions: {len(pk_nan)}; of these cosmoplan finds "
          f"{sum(p[3] for p in pk_nan)}, and the z scan says M revs need more time than given "
          f"in {sum(p[4] for p in pk_nan)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--n", type=int, default=100_000)
    g.add_argument("--out-all", default=None)
    g.add_argument("--fixture", default=str(ROOT / "tests" / "fixtures" / "lambert_pykep.npz"))
    g.add_argument("--n-fixture", type=int, default=5000)
    g.add_argument("--jobs", type=int, default=2)
    f = sub.add_parser("fixture", help="rewrite the fixture from a generate --out-all file")
    f.add_argument("file")
    f.add_argument("--fixture", default=str(ROOT / "tests" / "fixtures" / "lambert_pykep.npz"))
    f.add_argument("--n-fixture", type=int, default=5000)
    c = sub.add_parser("compare")
    c.add_argument("file")
    args = ap.parse_args()
    {"generate": generate, "fixture": fixture, "compare": compare}[args.cmd](args)


if __name__ == "__main__":
    main()
