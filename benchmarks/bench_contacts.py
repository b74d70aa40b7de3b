#!/usr/bin/env python3
"""Speed of contact finding: the Moon's centre seen from Kashi over one year, against Skyfield.

Three searches of the same year (2025, 10-min grid, 10 deg elevation mask, Kashi as in
``data/ground_stations.json``, JPL DE421), timed in the same run on the same machine:

* **cosmoplan**: ``cosmoplan.access.contacts(station, grid, moon_position_gcrf, 10)``,
  geometric elevation, GCRF -> ITRF with the IERS EOP, batched bisection to ``tol_s``;
* **skyfield find_discrete (geometric)**: ``skyfield.searchlib.find_discrete`` on
  ``(moon - (earth + wgs84.latlon(...))).at(t).altaz() >= mask``, the same geometric
  function, 10-min initial step, ``epsilon`` = ``tol_s``;
* **skyfield almanac (apparent)**: ``almanac.find_risings`` + ``find_settings`` with
  ``horizon_degrees`` = the mask (apparent direction, Skyfield's own rise/set solver; its
  ``find_events`` exists only for Earth satellites).

Skyfield uses its built-in timescale and skyfield-data's polar motion (as the oracle
``tools/oracle_moon_contacts.py``). The first call of each is timed apart (ephemeris and
EOP loading, caches); then the median of ``--repeat`` runs (default 5). The event counts
and the largest difference of cosmoplan's times from Skyfield's geometric ones are printed
beside the ratios. Skyfield is imported only here; without it the script says so and stops.

Usage: python benchmarks/bench_contacts.py [--repeat R] [--year Y] [--tol-s S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cosmoplan.access import contacts, station  # noqa: E402
from cosmoplan.ephemeris import moon_position_gcrf  # noqa: E402
from cosmoplan.time import Epoch  # noqa: E402

STATION = "Kashi"
MASK_DEG = 10.0
STEP_S = 600.0


def timed(fn, repeat):
    t0 = time.perf_counter()
    first_result = fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times), first_result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--tol-s", type=float, default=0.01,
                    help="time resolution of every search, s (default 0.01)")
    args = ap.parse_args(argv)
    try:
        import skyfield
        from skyfield import almanac
        from skyfield.api import Loader, wgs84
        from skyfield.data import iers
        from skyfield.searchlib import find_discrete
        from skyfield_data import get_skyfield_data_path
    except ImportError as exc:
        print(f"skipped: Skyfield is needed for the comparison ({exc}); "
              "pip install skyfield skyfield-data")
        return 0

    st = station(STATION)
    start = Epoch.from_iso(f"{args.year}-01-01T00:00:00Z")
    stop = Epoch.from_iso(f"{args.year + 1}-01-01T00:00:00Z")
    n = int(round(float(stop - start) / STEP_S)) + 1
    grid = Epoch.linspace(start, stop, n)

    warnings.simplefilter("ignore", RuntimeWarning)  # skyfield-data: "finals2000A expired"
    load = Loader(get_skyfield_data_path(), verbose=False)
    eph = load("de421.bsp")
    ts = load.timescale(builtin=True)
    with load.open("finals2000A.all") as f:
        iers.install_polar_motion_table(ts, iers.parse_x_y_dut1_from_finals_all(f))
    observer = eph["earth"] + wgs84.latlon(st.lat_deg, st.lon_deg,
                                           elevation_m=st.height_km * 1e3)
    geometric = eph["moon"] - observer
    t0, t1 = ts.utc(args.year, 1, 1), ts.utc(args.year + 1, 1, 1)

    def above(t):
        return geometric.at(t).altaz()[0].degrees >= MASK_DEG

    above.step_days = STEP_S / 86400.0

    def ours():
        return contacts(st, grid, moon_position_gcrf, MASK_DEG, tol_s=args.tol_s)

    def sky_discrete():
        return find_discrete(t0, t1, above, epsilon=args.tol_s / 86400.0)

    def sky_almanac():
        r = almanac.find_risings(observer, eph["moon"], t0, t1, horizon_degrees=MASK_DEG)
        s = almanac.find_settings(observer, eph["moon"], t0, t1, horizon_degrees=MASK_DEG)
        return r, s

    rows = []
    first, med, found = timed(ours, args.repeat)
    rows.append(("cosmoplan access.contacts (geometric)", first, med))
    first, med, (tg, yg) = timed(sky_discrete, args.repeat)
    rows.append(("skyfield find_discrete (geometric)", first, med))
    first, med, ((tr, yr), (tset, yset)) = timed(sky_almanac, args.repeat)
    rows.append(("skyfield find_risings/settings (apparent)", first, med))

    # agreement: cosmoplan against Skyfield's geometric times (UTC)
    rises = [c.rise for c in found if float(c.rise - grid[0]) != 0.0]
    sets = [c.set for c in found if float(c.set - grid[-1]) != 0.0]
    ours_utc = sorted([*rises, *sets], key=lambda e: float(e - start))
    sky_utc = [Epoch.from_iso(s) for s in tg.utc_iso(places=3)]
    same = len(ours_utc) == len(sky_utc)
    worst = max(abs(float(a - b)) for a, b in zip(ours_utc, sky_utc)) if same else float("nan")

    print(f"Moon's centre from {STATION} ({st.lat_deg:.4f} N, {st.lon_deg:.4f} E, "
          f"{st.height_km} km), {args.year}, {MASK_DEG:g} deg mask, 10-min grid ({n} epochs), "
          f"resolution {args.tol_s} s")
    print(f"skyfield {skyfield.__version__}, numpy {np.__version__}, Python "
          f"{sys.version.split()[0]}; median of {args.repeat} repeats after a first call")
    print()
    print(f"{'search':<44}{'first s':>10}{'median s':>10}{'ratio':>8}")
    base = rows[0][2]
    for name, first, med in rows:
        print(f"{name:<44}{first:>10.3f}{med:>10.3f}{med / base:>8.2f}")
    print()
    print(f"events: cosmoplan {len(rises)} rises + {len(sets)} sets; skyfield geometric "
          f"{len(tg)}; skyfield almanac {int(np.sum(yr))} rises + {int(np.sum(yset))} sets")
    print(f"largest |cosmoplan - skyfield geometric|: {worst:.3f} s (UT1 and polar motion "
          "from different IERS tables; see tests/test_access_moon_skyfield.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
