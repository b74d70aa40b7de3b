"""Oracle: rise and set of the Moon's centre seen from Kashi and Bear Lakes, with Skyfield.

Writes ``tests/fixtures/moon_contacts_skyfield.json``, read by
``tests/test_access_moon_skyfield.py`` (no Skyfield needed there).

For two stations of ``src/cosmoplan/data/ground_stations.json`` (WGS-84 geodetic latitude,
east longitude and height exactly as the file gives them), two months (2025-03-01 ..
2025-04-01, inside the IERS table; 2028-01-01 .. 2028-02-01, beyond it) and two elevation
masks (0 and 10 deg), Skyfield 1.55 finds

* ``geometric``: the times the Moon's **geometric** topocentric elevation crosses the mask,
  with ``skyfield.searchlib.find_discrete`` (10-min initial step, 1 ms resolution) on
  ``(moon - (earth + wgs84.latlon(lat, lon, h))).at(t).altaz()``. The difference of two
  vector functions evaluated at the same ``t`` is a plain vector difference (no light
  time, no aberration, no deflection) and ``altaz()`` without a temperature applies no
  refraction; the script checks this (``checks`` in the fixture): the vector equals
  ``moon.at(t) - (earth + topos).at(t)`` to rounding, and it differs from the
  ``observe().apparent()`` direction by arcseconds;
* ``apparent``: the same search on the apparent altitude
  ``(earth + topos).at(t).observe(moon).apparent().altaz()`` (light time, aberration,
  gravitational deflection; no refraction), for information;
* ``almanac``: Skyfield's own ``almanac.find_risings`` / ``find_settings`` with
  ``horizon_degrees`` = the mask (apparent, no refraction, no deflectors), for information
  (``EarthSatellite.find_events`` exists only for satellites).

Earth orientation: the built-in timescale (``load.timescale(builtin=True)``: UT1 from
Skyfield's own IERS-derived Delta T table, extrapolated with its long-term model beyond
the table) and polar motion installed from the ``finals2000A.all`` shipped by
skyfield-data (``iers.install_polar_motion_table``; held at the last value past the file).
UT1-UTC at every geometric event is recorded, so a test can attribute a difference to the
UT1 prediction. Ephemeris: ``de421.bsp`` from skyfield-data. Offline: nothing is
downloaded.

Run from the repository root with the development environment (Skyfield 1.55,
skyfield-data 7.0.0, numpy 2.4)::

    /work/venv/bin/python tools/oracle_moon_contacts.py
"""

from __future__ import annotations

import datetime
import json
import platform
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "moon_contacts_skyfield.json"
STATIONS_FILE = ROOT / "src" / "cosmoplan" / "data" / "ground_stations.json"
STATIONS = ["Kashi", "Bear Lakes"]
MONTHS = [("2025-03", (2025, 3, 1), (2025, 4, 1)), ("2028-01", (2028, 1, 1), (2028, 2, 1))]
MASKS_DEG = [0.0, 10.0]
STEP_DAYS = 600.0 / 86400.0  # same initial grid as the test's (10 min)
EPSILON_DAYS = 0.001 / 86400.0  # 1 ms


def _station(name):
    data = json.loads(STATIONS_FILE.read_text(encoding="utf-8"))
    for net in data["networks"].values():
        for st in net["stations"]:
            if st["name"] == name:
                return {k: st[k] for k in ("name", "lat_deg", "lon_deg", "height_km")}
    raise KeyError(name)


def _iso(t):
    """UTC ISO 8601 strings with milliseconds ('2025-03-01T04:12:33.123Z')."""
    return list(t.utc_iso(places=3)) if len(t.shape) else [t.utc_iso(places=3)]


def _split(t, rising):
    rising = np.asarray(rising, dtype=bool)
    return {"rise": _iso(t[rising]) if rising.any() else [],
            "set": _iso(t[~rising]) if (~rising).any() else []}


def main():
    import skyfield
    from skyfield import almanac
    from skyfield.api import Loader, wgs84
    from skyfield.data import iers
    from skyfield.searchlib import find_discrete
    from skyfield_data import get_skyfield_data_path

    warnings.simplefilter("ignore", RuntimeWarning)  # skyfield-data: "finals2000A expired"
    load = Loader(get_skyfield_data_path(), verbose=False)
    eph = load("de421.bsp")
    ts = load.timescale(builtin=True)
    with load.open("finals2000A.all") as f:
        finals = iers.parse_x_y_dut1_from_finals_all(f)
    iers.install_polar_motion_table(ts, finals)
    earth, moon = eph["earth"], eph["moon"]

    cases, checks = [], []
    for month, start, stop in MONTHS:
        t0, t1 = ts.utc(*start), ts.utc(*stop)
        for name in STATIONS:
            st = _station(name)
            topos = wgs84.latlon(st["lat_deg"], st["lon_deg"], elevation_m=st["height_km"] * 1e3)
            observer = earth + topos
            geometric = moon - observer

            # the geometric vector is a plain difference; the apparent one is not
            tc = ts.tt_jd(np.linspace(t0.tt, t1.tt, 97))
            diff = geometric.at(tc).xyz.km - (moon.at(tc).xyz.km - observer.at(tc).xyz.km)
            alt_g = geometric.at(tc).altaz()[0].degrees
            alt_a = observer.at(tc).observe(moon).apparent().altaz()[0].degrees
            checks.append({"month": month, "station": name,
                           "max_vector_difference_km": float(np.abs(diff).max()),
                           "max_apparent_minus_geometric_altitude_arcsec":
                               float(np.abs(alt_a - alt_g).max() * 3600.0)})

            for mask in MASKS_DEG:
                def above_geometric(t, mask=mask, vec=geometric):
                    return vec.at(t).altaz()[0].degrees >= mask

                def above_apparent(t, mask=mask, obs=observer):
                    return obs.at(t).observe(moon).apparent().altaz()[0].degrees >= mask

                above_geometric.step_days = above_apparent.step_days = STEP_DAYS
                tg, yg = find_discrete(t0, t1, above_geometric, epsilon=EPSILON_DAYS)
                ta, ya = find_discrete(t0, t1, above_apparent, epsilon=EPSILON_DAYS)
                tr, yr = almanac.find_risings(observer, moon, t0, t1, horizon_degrees=mask)
                tsets, ys = almanac.find_settings(observer, moon, t0, t1, horizon_degrees=mask)
                rising = np.asarray(yg, dtype=bool)
                dut1 = np.atleast_1d(np.asarray(tg.dut1, dtype=float))
                cases.append({
                    "month": month, "station": name, "mask_deg": mask,
                    "start_utc": t0.utc_iso(), "stop_utc": t1.utc_iso(),
                    "geometric": _split(tg, rising),
                    "ut1_minus_utc_s": {"rise": [round(float(x), 7) for x in dut1[rising]],
                                        "set": [round(float(x), 7) for x in dut1[~rising]]},
                    "apparent": _split(ta, ya),
                    "almanac": {"rise": _iso(tr[np.asarray(yr, bool)]) if np.any(yr) else [],
                                "set": _iso(tsets[np.asarray(ys, bool)]) if np.any(ys) else []},
                })
                print(f"{month} {name:<10} mask {mask:4.1f}: {rising.sum()} rises, "
                      f"{(~rising).sum()} sets")

    fixture = {
        "generator": "tools/oracle_moon_contacts.py",
        "generated": datetime.date.today().isoformat(),
        "versions": {"skyfield": skyfield.__version__,
                     "skyfield_data": _version("skyfield-data"),
                     "numpy": np.__version__, "python": platform.python_version()},
        "model": {
            "ephemeris": "JPL DE421 (de421.bsp from skyfield-data)",
            "timescale": "load.timescale(builtin=True): Skyfield's built-in leap seconds and "
                         "Delta T (UT1), extrapolated by Skyfield beyond its IERS table",
            "polar_motion": "iers.install_polar_motion_table with skyfield-data's "
                            "finals2000A.all (last row 2026-10; held beyond)",
            "station": "wgs84.latlon(lat_deg, lon_deg, elevation_m=1000*height_km), values "
                       "as in src/cosmoplan/data/ground_stations.json",
            "geometric": "find_discrete on (moon - (earth + topos)).at(t).altaz() >= mask; "
                         "no light time, aberration, deflection or refraction",
            "apparent": "find_discrete on (earth + topos).at(t).observe(moon).apparent()"
                        ".altaz() >= mask; no refraction",
            "almanac": "almanac.find_risings / find_settings, horizon_degrees = mask "
                       "(apparent, no deflectors, no refraction)",
            "search": {"step_days": STEP_DAYS, "epsilon_s": EPSILON_DAYS * 86400.0},
        },
        "stations": [_station(n) for n in STATIONS],
        "checks": checks,
        "cases": cases,
    }
    OUT.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(cases)} cases)")


def _version(dist):
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    main()
