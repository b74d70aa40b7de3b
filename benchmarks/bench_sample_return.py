#!/usr/bin/env python3
"""Speed of the lunar sample-return planner (Chang'e-5), and of its trans-lunar injection
(TLI) targeting against the same algorithm on Orekit 13.1.

A. End to end: ``plan_sample_return(load_scenario('change-5').to_config())`` (bundled
   scenario src/cosmoplan/data/scenarios/change-5.toml: Earth EGM96 8x8, Moon LP165P 8x8,
   Sun). One warm-up run (numba compilation or cache loading), then the median of
   ``--repeat-a`` (3) runs, split per leg from the timestamps of the planner's
   ``progress(step, total, text)`` callback (time from the previous callback; leg 1 includes
   the inclination tuning, i.e. several TLI targetings and lunar parking orbits). A leg that
   raises (e.g. ImportError while cislunar.lunar_rendezvous or cislunar.earth_return are
   being written, or an interface that does not fit yet) ends that run: the split is
   printed up to it and the failing leg is named with its error; the benchmark carries on.

B. The TLI differential correction alone, cosmoplan vs Orekit, same problem, same
   algorithm, same starting point. Chang'e-5 case: lift-off from Wenchang 2020-11-23
   20:30:12 UTC (``LaunchGeometry`` defaults: 200 km parking orbit, insertion 600 s and
   16 deg downrange after lift-off), target a 200 km lunar periapsis inclined 43.8 deg to
   the lunar equator at 2020-11-28 08:30:12 UTC; model ``CislunarForceModel(earth_degree=8,
   moon_degree=0, sun=True)`` (Earth EGM96 8x8, Moon and Sun point masses: forces Orekit has
   natively). cosmoplan: ``target_lunar_arrival(model, launch, target, x0=x0)``; Orekit:
   ``_tli_orekit_peer.py`` (a subprocess in the oracle venv; its docstring gives the set-up),
   a line-by-line copy of translunar.py's two-stage Newton (unknowns azimuth, coast, dv;
   scaled residuals; forward-difference steps (1e-5 rad, 0.5 s, 1e-6 km/s) then a tenth;
   the same line search and tolerances) on Orekit's ``NumericalPropagator``
   (DormandPrince853 at cosmoplan's tolerances, relative 1e-12, absolute 1e-6 m and
   1e-9 m/s). Both start from x0 = ``translunar._first_guess(launch, target, transfer_s)``
   (computed once here and passed to both; its cost, a few ms, is in neither time). Time:
   wall time of one whole correction (x0 to the solution, including the final TLI state and
   periapsis that ``target_lunar_arrival`` recomputes), one warm-up then the median of
   ``--repeat-b`` (3) runs, per tool. Propagations: numerical propagation calls (coast,
   TLI-to-sphere-of-influence, Moon-centred approach); evaluations: right-hand-side calls
   (cosmoplan ``CislunarArc.n_rhs``, Orekit ``getEvaluations()``), summed over a run.

   HotSpot is not settled after one warm-up correction (the Orekit times still fall over
   the next ten): ``--orekit-warmup 10`` gives the warm-JVM figure.

   Checks printed with it: the two solutions (they must agree to 1e-6 rad in azimuth,
   0.1 s in coast, 1 mm/s in dv); each tool's model evaluated at cosmoplan's solution
   (sphere-of-influence and periapsis states, the targets Orekit's model misses there: the
   physics difference of the two tools, also with the Earth's harmonics dropped from
   Orekit's Moon-centred arc and with the indirect term Orekit lacks added, see the peer);
   and the integration error of each tool's arcs (nominal tolerances against rtol 1e-14,
   atol 1e-12 km). Without the oracle venv the Orekit half is skipped (said so) and
   cosmoplan's time is printed alone.

Machines are noisy: medians, all runs and the load average are printed. Usage:

    python benchmarks/bench_sample_return.py [--repeat-a 3] [--repeat-b 3] [--skip-a]
        [--skip-b] [--orekit-warmup 1] [--orekit-python ../oracle-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

import cosmoplan  # noqa: E402
import cosmoplan.sites  # noqa: E402
from cosmoplan.cislunar import translunar as tl  # noqa: E402
from cosmoplan.cislunar.dynamics import (  # noqa: E402
    CislunarForceModel,
    change_centre,
    moon_apsis_event,
    moon_distance_event,
    propagate,
)
from cosmoplan.constants import EARTH_MU_KM3_S2  # noqa: E402
from cosmoplan.forces.third_body import GM_KM3_S2  # noqa: E402
from cosmoplan.time import Epoch  # noqa: E402

# the legs of plan_sample_return, in the order of its progress callbacks (sample_return.py)
LEGS = ["trans-lunar injection targeted", "mid-course correction", "lunar orbit insertion",
        "descent", "ascent", "lunar-orbit rendezvous", "trans-Earth injection and entry"]

LIFTOFF_UTC = "2020-11-23T20:30:12"
PERIAPSIS_UTC = "2020-11-28T08:30:12"
PERIAPSIS_ALT_KM = 200.0
INCLINATION_DEG = 43.8
RTOL, ATOL_KM = 1e-12, 1e-9  # cislunar.dynamics.propagate defaults (what translunar uses)
TIGHT_RTOL, TIGHT_ATOL_KM = 1e-14, 1e-12  # integration-error reference, both tools
AGREE = {"azimuth": 1e-6, "coast": 0.1, "dv": 1e-6}  # rad, s, km/s


# ------------------------------------------------------------------------------ part A
def _one_plan(cfg):
    """One plan_sample_return run: list of (step, text, seconds since start), error."""
    from cosmoplan.cislunar.sample_return import plan_sample_return

    marks = []
    t0 = time.perf_counter()

    def progress(step, total, text):
        marks.append((int(step), str(text), time.perf_counter() - t0))

    err = None
    try:
        plan_sample_return(cfg, progress=progress)
    except Exception as exc:  # noqa: BLE001 - report the leg that failed, never crash
        frames = traceback.extract_tb(exc.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno} ({f.name})" for f in reversed(frames)
                      if "cosmoplan" in f.filename), "?")
        err = {"type": type(exc).__name__, "message": str(exc).splitlines()[0][:200]
               if str(exc) else "", "where": where,
               "module": getattr(exc, "name", None), "t": time.perf_counter() - t0}
    return marks, err, time.perf_counter() - t0


def part_a(args):
    from cosmoplan.scenario import load_scenario

    print("\nA. plan_sample_return, Chang'e-5 scenario (change-5.toml), end to end")
    try:
        cfg = load_scenario("change-5").to_config()
    except Exception as exc:  # noqa: BLE001
        print(f"  cannot load the scenario: {type(exc).__name__}: {exc}")
        return
    print(f"  model: {cfg.model.describe()}")
    first_marks, first_err, first_s = _one_plan(cfg)
    runs = [_one_plan(cfg) for _ in range(args.repeat_a)]
    done = [m for m, _, _ in runs]
    errs = [e for _, e, _ in runs]
    n_done = min(len(m) for m in done)
    print(f"  warm-up run (numba compilation / cache loading included): {first_s:.2f} s"
          + (f", stopped in leg {len(first_marks) + 1}" if first_err else ", complete"))
    print(f"  {'leg':40s}{'median s':>10s}{'min s':>8s}{'share':>7s}")
    total_done = statistics.median(m[n_done - 1][2] for m in done) if n_done else 0.0
    for k in range(n_done):
        durs = [m[k][2] - (m[k - 1][2] if k else 0.0) for m in done]
        med = statistics.median(durs)
        name = done[0][k][1]
        print(f"  {k + 1}. {name:37s}{med:10.2f}{min(durs):8.2f}"
              f"{med / max(total_done, 1e-9):7.0%}")
    totals = [t for _, _, t in runs]
    if any(errs):
        e = next(e for e in errs if e)
        leg = n_done + 1
        name = LEGS[n_done] if n_done < len(LEGS) else f"after '{done[0][-1][1]}'"
        spent = statistics.median(x["t"] - (m[n_done - 1][2] if n_done else 0.0)
                                  for x, m in zip(errs, done) if x)
        missing = ""
        if e["type"] in ("ImportError", "ModuleNotFoundError"):
            missing = f" (module {e['module'] or '?'} missing or incomplete)"
        print(f"  {leg}. {name:37s}{spent:10.2f}{'':8s}   FAILED: {e['type']}{missing}: "
              f"{e['message']} [at {e['where']}]")
        print(f"  plan_sample_return does not complete yet: legs 1..{n_done} timed "
              f"(median {total_done:.2f} s, whole call until the failure "
              f"{statistics.median(totals):.2f} s); leg {leg} ({name}) is missing. "
              f"Median of {args.repeat_a} run{'s' if args.repeat_a > 1 else ''} after the "
              "warm-up.")
    else:
        print(f"  total: median {statistics.median(totals):.2f} s, min {min(totals):.2f} s "
              f"({args.repeat_a} runs after the warm-up)")


# ------------------------------------------------------------------------------ part B
class _Count:
    """Wraps translunar.propagate: numerical propagations and right-hand-side calls."""

    def __init__(self):
        self.props = self.rhs = 0
        self._orig = tl.propagate

        def wrapped(*a, **k):
            arc = self._orig(*a, **k)
            self.props += 1
            self.rhs += arc.n_rhs
            return arc

        tl.propagate = wrapped

    def reset(self):
        self.props = self.rhs = 0


def tli_case():
    launch = tl.LaunchGeometry(cosmoplan.sites.WENCHANG, Epoch.from_iso(LIFTOFF_UTC,
                                                                        scale="utc"))
    target = tl.TransferTarget(PERIAPSIS_ALT_KM, math.radians(INCLINATION_DEG),
                               Epoch.from_iso(PERIAPSIS_UTC, scale="utc"))
    model = CislunarForceModel(earth_degree=8, moon_degree=0, sun=True)
    tr = float(target.periapsis_epoch - launch.insertion_epoch)
    return model, launch, target, tr


def cp_chain(model, launch, target, tr, x, rtol, atol_km):
    """_Evaluator.periapsis(x) with given tolerances: (SOI epoch, Moon-centred state there,
    periapsis epoch, state there, right-hand-side calls)."""
    ev = tl._Evaluator(model, launch, target, tr)
    az, coast, dv = (float(v) for v in x)
    ins = launch.parking_state(az)
    n = 0
    y = ins
    if coast > 1.0:
        a = propagate(model, ev.t_ins, ins, coast, centre="earth", rtol=rtol, atol_km=atol_km)
        y, n = a.final, n + a.n_rhs
    y1 = y.copy()
    y1[3:] += dv * y[3:] / np.linalg.norm(y[3:])
    a = propagate(model, ev.t_ins + max(coast, 0.0), y1, tr * 1.6 + 86400.0, centre="earth",
                  events=[moon_distance_event(tl.MOON_SOI_KM, -1)], rtol=rtol,
                  atol_km=atol_km)
    ep = a.epoch_final
    sm = change_centre(a.final, ep, "earth", "moon")
    b = propagate(model, ep, sm, 3 * 86400.0, centre="moon",
                  events=[moon_apsis_event("periapsis")], rtol=rtol, atol_km=atol_km)
    return ep, sm, b.epoch_final, b.final, n + a.n_rhs + b.n_rhs, ev


def _fine(ev, target, ep, y):
    el = tl._elements_dict(ev.frame @ y[:3], ev.frame @ y[3:], ev.mu_moon)
    return np.array([el["rp"] - tl._MOON_R - target.periapsis_altitude_km,
                     el["i"] - target.inclination, float(ep - ev.t_ref)])


def run_peer(python, spec, timeout):
    if not python or not Path(python).exists():
        return None, f"no oracle interpreter at {python}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.json"
        path.write_text(json.dumps(spec))
        try:
            proc = subprocess.run([python, str(HERE / "_tli_orekit_peer.py"), str(path)],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout} s"
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or ["failed"])[-1][:300]
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def _x_line(label, x, t=None):
    s = (f"  {label:10s} azimuth {math.degrees(x[0]):.9f} deg ({x[0]:.10f} rad), coast "
         f"{x[1]:.4f} s, dv {x[2] * 1e3:.5f} m/s")
    return s + (f"   [{t}]" if t else "")


def part_b(args):
    model, launch, target, tr = tli_case()
    print("\nB. TLI differential correction alone, cosmoplan vs Orekit (same problem, same "
          "two-stage Newton, same x0)")
    if not Path(args.orekit_python).exists():
        print(f"  SKIPPED the Orekit comparison: no oracle venv interpreter at "
              f"{args.orekit_python} (--orekit-python); cosmoplan's side only")
    print(f"  Chang'e-5: Wenchang {LIFTOFF_UTC} UTC, periapsis {PERIAPSIS_ALT_KM:.0f} km "
          f"inclined {INCLINATION_DEG} deg at {PERIAPSIS_UTC} UTC; {model.describe()}")
    s = time.perf_counter()
    x0 = tl._first_guess(launch, target, tr)
    t_guess = time.perf_counter() - s
    print(_x_line("x0", x0, f"patched conic, {t_guess * 1e3:.1f} ms incl. first use"))

    cnt = _Count()
    times = []
    for _ in range(1 + args.repeat_b):
        cnt.reset()
        s = time.perf_counter()
        sol = tl.target_lunar_arrival(model, launch, target, x0=x0)
        times.append(time.perf_counter() - s)
    cp_t = statistics.median(times[1:])
    x_cp = np.array([sol.azimuth, sol.coast_s, sol.tli_dv_km_s])
    cp_info = dict(props=cnt.props, rhs=cnt.rhs, iterations=sol.iterations,
                   residuals=sol.residuals, history=sol.history)

    spec = dict(
        x0=x0.tolist(), x_check=x_cp.tolist(), warmup=args.orekit_warmup,
        repeat=args.repeat_b,
        insertion_tdb=launch.insertion_epoch.tdb.iso(9),
        target_epoch_tdb=target.periapsis_epoch.tdb.iso(9),
        lunar_equator_matrix=tl.lunar_equator_matrix(target.periapsis_epoch.tdb).tolist(),
        gm_km3_s2={"earth": model.gm("earth"), "moon": model.gm("moon"),
                   "sun": GM_KM3_S2["sun"]},
        site_frame=dict(zip(("site", "east", "north"), (v.tolist() for v in launch.frame()))),
        parking_altitude_km=launch.parking_altitude_km, parking_mu_km3_s2=EARTH_MU_KM3_S2,
        ascent_range_rad=launch.ascent_range_rad, transfer_s=tr,
        periapsis_altitude_km=target.periapsis_altitude_km,
        inclination_rad=target.inclination, earth_degree=model.earth_degree,
        rtol=RTOL, atol_km=ATOL_KM, tight_rtol=TIGHT_RTOL, tight_atol_km=TIGHT_ATOL_KM)
    ork, err = run_peer(args.orekit_python, spec, args.peer_timeout)

    # ---- solutions
    print("  solutions:")
    print(_x_line("cosmoplan", x_cp, f"{cp_info['iterations']} Newton iterations, miss "
                  f"{cp_info['residuals'][0] * 1e3:.2e} m, {cp_info['residuals'][1]:.1e} rad, "
                  f"{cp_info['residuals'][2] * 1e3:.2e} ms"))
    if ork is None:
        print(f"  Orekit: not run ({err}); part B without the peer")
    else:
        so = ork["solution"]
        x_o = np.array(so["x"])
        r = so["residuals"]
        print(_x_line("Orekit", x_o, f"{sum(so['iterations'])} Newton iterations, miss "
                      f"{r[0] * 1e3:.2e} m, {r[1]:.1e} rad, {r[2] * 1e3:.2e} ms"))
        d = x_o - x_cp
        ok = (abs(d[0]) <= AGREE["azimuth"] and abs(d[1]) <= AGREE["coast"]
              and abs(d[2]) <= AGREE["dv"])
        print(f"  difference Orekit - cosmoplan: azimuth {d[0]:.2e} rad, coast "
              f"{d[1] * 1e3:.3f} ms, "
              f"dv {d[2] * 1e6:.4f} mm/s -> {'AGREE' if ok else 'DO NOT AGREE'} (limits "
              f"1e-6 rad, 0.1 s, 1 mm/s)")
        hc = " ".join(f"{h:.1e}" for h in cp_info["history"])
        ho = " ".join(f"{h:.1e}" for h in so["history"])
        print(f"  Newton miss history (scaled; stage 1 then 2): cosmoplan {hc}")
        print(f"  {'':45s}Orekit    {ho}")

    # ---- timings
    print(f"\n  time of one correction (s: median after the warm-up, 1 run for cosmoplan, "
          f"{args.orekit_warmup} for Orekit; min; all runs incl. the warm-up) and work")
    print(f"  {'tool':10s}{'median s':>10s}{'min s':>8s}{'props':>7s}{'evals':>8s}"
          f"{'us/eval':>9s}   runs s")
    print(f"  {'cosmoplan':10s}{cp_t:10.3f}{min(times[1:]):8.3f}{cp_info['props']:7d}"
          f"{cp_info['rhs']:8d}{cp_t / cp_info['rhs'] * 1e6:9.2f}   "
          + " ".join(f"{t:.3f}" for t in times))
    if ork is not None:
        print(f"  {'Orekit':10s}{ork['median_s']:10.3f}{ork['min_s']:8.3f}"
              f"{ork['propagations']:7d}{ork['evaluations']:8d}"
              f"{ork['median_s'] / ork['evaluations'] * 1e6:9.2f}   "
              + " ".join(f"{t:.3f}" for t in ork["times_s"]))
        print(f"  ratio cosmoplan / Orekit (medians): {cp_t / ork['median_s']:.3f} "
              f"(< 1: cosmoplan faster; Orekit {ork['median_s'] / cp_t:.1f}x cosmoplan's time)")
        print(f"  Orekit: JVM start and data {ork['jvm_start_s']:.1f} s, Moon-centred frame "
              f"{ork['moon_frame']} {ork['frame_setup_s']:.1f} s (both outside the timings); "
              f"tolerances abs {ork['abs_tol'][0]:g} m, {ork['abs_tol'][3]:g} m/s, rel "
              f"{ork['rel_tol'][0]:g} ({len(ork['abs_tol'])} components); EGM96 mu from the "
              f"file {ork['earth_mu_from_gfc_km3_s2']:.4f} km^3/s^2")

    # ---- physics and integration checks at cosmoplan's solution
    nom = cp_chain(model, launch, target, tr, x_cp, RTOL, ATOL_KM)
    tight = cp_chain(model, launch, target, tr, x_cp, TIGHT_RTOL, TIGHT_ATOL_KM)
    ev = nom[5]
    f_nom, f_tight = _fine(ev, target, nom[2], nom[3]), _fine(ev, target, tight[2], tight[3])
    print("\n  checks at cosmoplan's solution x (periapsis: Moon-centred ICRF-axes state)")
    print(f"  integration error, nominal vs tight (rtol {TIGHT_RTOL:g}, atol {TIGHT_ATOL_KM:g} "
          "km), whole chain coast + TLI-to-SOI + approach:")
    print(f"    cosmoplan: periapsis position "
          f"{np.linalg.norm(nom[3][:3] - tight[3][:3]) * 1e6:.2f} mm, epoch "
          f"{float(nom[2] - tight[2]) * 1e3:.4f} ms, SOI state "
          f"{np.linalg.norm(nom[1][:3] - tight[1][:3]) * 1e6:.2f} mm; altitude "
          f"{(f_nom[0] - f_tight[0]) * 1e6:.2f} mm, inclination {f_nom[1] - f_tight[1]:.1e} "
          f"rad; evaluations {nom[4]} vs {tight[4]}")
    if ork is not None and ork["checks"].get("x_check"):
        c = ork["checks"]["x_check"]
        on, ot = c["nominal"], c["tight"]
        pn, pt = np.array(on["periapsis_state_km"]), np.array(ot["periapsis_state_km"])
        sn, st = np.array(on["soi_state_km"]), np.array(ot["soi_state_km"])
        fo_n, fo_t = np.array(on["fine"]), np.array(ot["fine"])
        print(f"    Orekit:    periapsis position {np.linalg.norm(pn[:3] - pt[:3]) * 1e6:.2f} "
              f"mm, epoch {(on['periapsis_offset_s'] - ot['periapsis_offset_s']) * 1e3:.4f} "
              f"ms, SOI state {np.linalg.norm(sn[:3] - st[:3]) * 1e6:.2f} mm; altitude "
              f"{(fo_n[0] - fo_t[0]) * 1e8:.2f} mm, inclination "
              f"{(fo_n[1] - fo_t[1]) / 10:.1e} rad; evaluations {on['evaluations']} vs "
              f"{ot['evaluations']}")
        print("  Orekit's model against cosmoplan's at the same x (DE440 vs DE421, ITRF IERS "
              "2010 vs cosmoplan's frozen-CIRS Earth rotation, TT vs TDB seconds, and Orekit's "
              "Moon-centred arc has the Earth harmonics' direct pull only: cosmoplan also "
              "subtracts their pull on the Moon):")
        t_soi_cp = float(nom[0] - ev.t_ref)
        t_p_cp = float(nom[2] - ev.t_ref)
        print(f"    SOI crossing: epoch {(on['soi_offset_s'] - t_soi_cp) * 1e3:+.3f} ms, "
              f"Moon-centred position {np.linalg.norm(sn[:3] - nom[1][:3]) * 1e3:.2f} m, "
              f"velocity {np.linalg.norm(sn[3:] - nom[1][3:]) * 1e6:.3f} mm/s")
        print(f"    periapsis:    epoch {(on['periapsis_offset_s'] - t_p_cp) * 1e3:+.3f} ms, "
              f"position {np.linalg.norm(pn[:3] - nom[3][:3]) * 1e3:.2f} m, velocity "
              f"{np.linalg.norm(pn[3:] - nom[3][3:]) * 1e6:.3f} mm/s")
        print(f"    targets missed in Orekit's model at cosmoplan's x: altitude "
              f"{fo_n[0] * 1e5:+.2f} m, inclination {fo_n[1] / 10:+.2e} rad, epoch "
              f"{fo_n[2] * 3600e3:+.3f} ms (cosmoplan's own miss: "
              f"{sol.residuals[0] * 1e3:+.2e} m, {sol.residuals[1]:+.1e} rad, "
              f"{sol.residuals[2] * 1e3:+.3f} ms)")
        for key, label in (("no_earth_harmonics_in_moon_arc", "Earth harmonics dropped from "
                            "Orekit's Moon-centred arc"),
                           ("with_indirect_harmonics", "Orekit's Moon-centred arc with the "
                            "indirect term added (cosmoplan's forces)")):
            if key in c:
                fh = np.array(c[key]["fine"])
                print(f"    {label}: altitude {fh[0] * 1e5:+.2f} m, inclination "
                      f"{fh[1] / 10:+.2e} rad, epoch {fh[2] * 3600e3:+.3f} ms")
        own = ork["checks"].get("own")
        if own:
            print(f"    Orekit at its own solution: periapsis epoch "
                  f"{own['nominal']['periapsis_offset_s'] * 1e3:+.3f} ms from the target")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat-a", type=int, default=3)
    ap.add_argument("--repeat-b", type=int, default=3)
    ap.add_argument("--skip-a", action="store_true")
    ap.add_argument("--skip-b", action="store_true")
    ap.add_argument("--orekit-warmup", type=int, default=1,
                    help="whole corrections run before Orekit's timed ones (HotSpot warm-up)")
    ap.add_argument("--peer-timeout", type=int, default=1800)
    ap.add_argument("--orekit-python", default=str(ROOT.parent / "oracle-venv/bin/python"))
    args = ap.parse_args()
    t_start = time.perf_counter()
    print(f"python {platform.python_version()} {platform.machine()}, {os.cpu_count()} CPUs "
          f"(load average at start {os.getloadavg()[0]:.1f}); cosmoplan from {ROOT / 'src'}")
    if not args.skip_a:
        part_a(args)
    if not args.skip_b:
        part_b(args)
    print(f"\ntotal run {time.perf_counter() - t_start:.0f} s; load average (1 min) at the end "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
