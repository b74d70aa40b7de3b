#!/usr/bin/env python3
"""Orekit NRLMSISE-00 reference densities and drag trajectories (fixture generator).

Writes ``tests/fixtures/orekit_nrlmsise.json``; tests read the fixture, so CI needs
neither Java nor Orekit.

Space weather: the CelesTrak ``SW-All.csv`` shipped by satkit-data, the same file from
which ``tools/make_space_weather.py`` makes cosmoplan's bundled copy. Orekit 13.1's
``CssiSpaceWeatherDataLoader`` only parses the legacy fixed-column layout
(``SpaceWeather-All-v1.2.txt``, 130-character lines), so this script rewrites the CSV rows
in that layout (every daily row, values unchanged; observed rows in ``BEGIN OBSERVED``,
``PRD`` rows in ``BEGIN DAILY_PREDICTED``, an empty ``BEGIN MONTHLY_FIT`` section: the
monthly rows carry no Ap) and loads it with ``CssiSpaceWeatherData(DataSource(file))``.
What Orekit then uses (bytecode of Orekit 13.1.9, ``CssiSpaceWeatherData``):

* ``getDailyFlux(t)`` = ``F10.7_OBS`` (observed) of the UTC day of t - 1 day;
* ``getAverageFlux(t)`` = ``F10.7_OBS_CENTER81`` of the UTC day of t;
* ``getAp(t)`` = [AP_AVG of the day, 3-h ap at t, t-3h, t-6h, t-9h, mean of the 8 three-
  hourly values at t-12h..t-33h, mean at t-36h..t-57h] (3-h slots aligned on 00 h UTC;
  after the last observed day each 3-h value is the day's AP_AVG).

``NRLMSISE00(cssi, sun, wgs84Ellipsoid)`` switches are all 1, so switch 9 = 1: only the
daily Ap (element 0) is used; ``withSwitch(9, -1)`` uses the whole array ("storm" mode).
Its default local solar time is ``APPARENT`` (true Sun hour angle); pymsis (and so
cosmoplan) computes lst = UT/3600 + lon/15, Orekit's ``LocalSolarTimeMode.MEAN``. The
density points are given for MEAN and APPARENT with daily Ap, and MEAN with storm Ap;
the trajectories use MEAN (and APPARENT / storm for information). Density = GTD7D total
mass density (anomalous oxygen included), geodetic coordinates from the WGS-84
``OneAxisEllipsoid`` in ITRF (IERS 2010, full EOP). The model's day of year and seconds
of day are in UT1 (the 3-argument constructor takes ``getUT1(IERS_2010, true)``), the
indices in UTC: within |UT1-UTC| of 00:00 UTC Orekit uses the other day of year.

Propagation: the LEO case of tools/oracle_force_models.py (2021-06-17T00:00:00 UTC,
a = 6778.137 km, e = 0.0005, i 41.5, RAAN 60, argp 30, M 0), 24 h, EGM96 20x20 + Sun +
Moon (DE440) + ``DragForce(NRLMSISE00, IsotropicDrag(10 m^2, Cd 2.2))``, mass 1000 kg; and
the same + SRP (A 10 m^2, Cr 1.5) segmented at the shadow boundaries found by a first run,
DP853 with ``ToleranceProvider.getDefaultToleranceProvider(1e-4)``, hourly GCRF samples
(successive ``propagate()`` calls, the reference scheme of oracle_force_models.py).

Run from the repository root with the oracle environment:
    /work/oracle-venv/bin/python tools/oracle_nrlmsise.py [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import math
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

import oracle_force_models as ofm  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "orekit_nrlmsise.json"
AREA_M2, CD, MASS_KG = 10.0, 2.2, 1000.0
SRP = (10.0, 1.5)
HOURS = 24
MJD_EPOCH = _dt.date(1858, 11, 17)


# ---------------------------------------------------------------------------------------
# Space weather: CelesTrak CSV -> legacy CSSI text (Orekit's loader)
# ---------------------------------------------------------------------------------------


def satkit_sw_csv() -> Path:
    import satkit_data

    return Path(satkit_data.__file__).resolve().parent / "data" / "SW-All.csv"


def _i(s):
    return int(round(float(s))) if s.strip() else 0


def legacy_line(r) -> str:
    """One 130-character line of SpaceWeather-All-v1.2.txt from a CSV row (dict)."""
    y, m, d = (int(p) for p in r["DATE"].split("-"))
    kp = "".join(f" {_i(r[f'KP{k}']):2d}" for k in range(1, 9))
    ap = "".join(f" {_i(r[f'AP{k}']):3d}" for k in range(1, 9))
    qual = {"OBS": 0, "INT": 1, "PRD": 2, "PRM": 3}.get(r["F10.7_DATA_TYPE"], 0)
    cp = float(r["CP"]) if r["CP"].strip() else 0.0
    line = (
        f"{y:4d} {m:02d} {d:02d} {_i(r['BSRN']):4d} {_i(r['ND']):2d}{kp} {_i(r['KP_SUM']):3d}"
        f"{ap} {_i(r['AP_AVG']):3d} {cp:3.1f} {_i(r['C9']):1d} {_i(r['ISN']):3d}"
        f" {float(r['F10.7_ADJ']):5.1f} {qual:1d} {float(r['F10.7_ADJ_CENTER81']):5.1f}"
        f" {float(r['F10.7_ADJ_LAST81']):5.1f} {float(r['F10.7_OBS']):5.1f}"
        f" {float(r['F10.7_OBS_CENTER81']):5.1f} {float(r['F10.7_OBS_LAST81']):5.1f}"
    )
    assert len(line) == 130, (len(line), line)
    return line


def write_legacy(csv_path: Path, out: Path) -> dict:
    rows = list(csv.DictReader(open(csv_path, newline="")))
    obs = [r for r in rows if r["F10.7_DATA_TYPE"] in ("OBS", "INT")]
    prd = [r for r in rows if r["F10.7_DATA_TYPE"] == "PRD"]
    prm = [r for r in rows if r["F10.7_DATA_TYPE"] == "PRM"]
    assert len(obs) + len(prd) + len(prm) == len(rows)
    lines = ["DATATYPE CssiSpaceWeather", "VERSION 1.2",
             "COMMENT written by tools/oracle_nrlmsise.py from CelesTrak SW-All.csv",
             f"NUM_OBSERVED_POINTS {len(obs)}", "BEGIN OBSERVED"]
    lines += [legacy_line(r) for r in obs]
    lines += ["END OBSERVED", f"NUM_DAILY_PREDICTED_POINTS {len(prd)}",
              "BEGIN DAILY_PREDICTED"]
    lines += [legacy_line(r) for r in prd]
    lines += ["END DAILY_PREDICTED", "NUM_MONTHLY_PREDICTED_POINTS 0", "BEGIN MONTHLY_FIT",
              "END MONTHLY_FIT"]
    out.write_text("\n".join(lines) + "\n")
    return {
        "rows_observed": len(obs),
        "rows_daily_predicted": len(prd),
        "rows_monthly_predicted_dropped": len(prm),
        "first": obs[0]["DATE"],
        "last_observed": obs[-1]["DATE"],
        "last_daily_predicted": prd[-1]["DATE"] if prd else None,
    }


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------
# Orekit objects
# ---------------------------------------------------------------------------------------


class _Atm:
    def __init__(self, legacy_path):
        import java.io
        from org.orekit.bodies import CelestialBodyFactory, OneAxisEllipsoid
        from org.orekit.data import DataSource
        from org.orekit.frames import FramesFactory
        from org.orekit.models.earth.atmosphere import NRLMSISE00
        from org.orekit.models.earth.atmosphere.data import CssiSpaceWeatherData
        from org.orekit.time import TimeScalesFactory
        from org.orekit.utils import Constants, IERSConventions

        self.utc = TimeScalesFactory.getUTC()
        self.itrf = FramesFactory.getITRF(IERSConventions.IERS_2010, False)
        self.earth = OneAxisEllipsoid(Constants.WGS84_EARTH_EQUATORIAL_RADIUS,
                                      Constants.WGS84_EARTH_FLATTENING, self.itrf)
        self.sun = CelestialBodyFactory.getSun()
        self.cssi = CssiSpaceWeatherData(DataSource(java.io.File(str(legacy_path))))
        base = NRLMSISE00(self.cssi, self.sun, self.earth)
        mean = NRLMSISE00.LocalSolarTimeMode.MEAN
        self.models = {
            "apparent_daily_ap": base,
            "mean_daily_ap": base.withLocalSolarTimeMode(mean),
            "mean_storm_ap": base.withLocalSolarTimeMode(mean).withSwitch(9, -1),
        }
        self.default_lst_mode = str(base.getLocalSolarTimeMode())


def _date(atm, day_mjd, sod):
    from org.orekit.time import AbsoluteDate

    d = MJD_EPOCH + _dt.timedelta(days=day_mjd)
    return AbsoluteDate(d.year, d.month, d.day, 0, 0, 0.0, atm.utc).shiftedBy(float(sod))


def _iso(day_mjd, sod):
    t = _dt.datetime.combine(MJD_EPOCH, _dt.time()) + _dt.timedelta(days=day_mjd, seconds=sod)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _mjd(y, m, d):
    return (_dt.date(y, m, d) - MJD_EPOCH).days


# ---------------------------------------------------------------------------------------
# (a) density points
# ---------------------------------------------------------------------------------------

DATE_SETS = [
    # (label, first day, number of days spanned, number of points)
    ("june_2021_quiet", (2021, 6, 14), 8, 22),
    ("halloween_storm_2003", (2003, 10, 28), 4, 14),
    ("gannon_storm_2024", (2024, 5, 9), 4, 14),
]
ALTS_KM = [90.0, 120.0, 150.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0, 500.0, 600.0,
           700.0, 800.0, 1000.0]


def density_points(atm):
    from org.orekit.bodies import GeodeticPoint

    rnd = random.Random(20210617)
    pts = []
    for label, (y, m, d), ndays, npts in DATE_SETS:
        day0 = _mjd(y, m, d)
        for k in range(npts):
            day = day0 + rnd.randrange(ndays)
            if k == 0:
                sod = 0.0  # exactly midnight (slot 0, day change)
            elif k == 1:
                sod = 3 * 3600.0  # exactly on a 3-h slot boundary
            elif k == 2:
                sod = 3 * 3600.0 - 0.25  # just before it
            else:
                sod = round(rnd.uniform(0.0, 86400.0), 3)
            lat = rnd.uniform(-89.0, 89.0) if k % 7 else (89.9 if k % 2 else -89.9)
            lon = rnd.uniform(-180.0, 180.0)
            # off the round values: NRLMSISE-00 has branch points at some round heights
            # (e.g. a jump of 3e-4 at exactly 300 km in the float32 Fortran)
            alt = round(ALTS_KM[len(pts) % len(ALTS_KM)] + rnd.uniform(-4.0, 4.0), 3)
            date = _date(atm, day, sod)
            gp = GeodeticPoint(math.radians(lat), math.radians(lon), alt * 1e3)
            pos = atm.earth.transform(gp)
            rho = {name: mdl.getDensity(date, pos, atm.itrf) for name, mdl in
                   atm.models.items()}
            pts.append({
                "set": label,
                "utc": _iso(day, sod),
                "mjd_day": day,
                "sod": sod,
                "lat_deg": lat,
                "lon_deg": lon,
                "alt_km": alt,
                "r_itrf_m": ofm._vec(pos),
                "rho_kg_m3": rho,
                "orekit_indices": {
                    "f107_daily_prev_day": atm.cssi.getDailyFlux(date),
                    "f107a_ctr81": atm.cssi.getAverageFlux(date),
                    "ap": list(atm.cssi.getAp(date)),
                },
            })
    return pts


# ---------------------------------------------------------------------------------------
# (b) trajectories
# ---------------------------------------------------------------------------------------

_DRAG_MODEL = {"atm": None}
_base_build = ofm.build


def _build_with_drag(*args, **kw):
    """oracle_force_models.build + DragForce(NRLMSISE00, IsotropicDrag(A, Cd))."""
    from org.orekit.forces.drag import DragForce, IsotropicDrag

    prop, integ, tol = _base_build(*args, **kw)
    prop.addForceModel(DragForce(_DRAG_MODEL["atm"], IsotropicDrag(AREA_M2, CD)))
    return prop, integ, tol


# shadow_boundaries / segmented_run of oracle_force_models look `build` up at call time
ofm.build = _build_with_drag


def trajectory(ctx, atm, model, srp, pos_tol=ofm.POS_TOL_M):
    _DRAG_MODEL["atm"] = atm.models[model]
    orbit = ofm.keplerian_orbit(ctx, ofm.LEO)
    spec = (20, True, srp, MASS_KG, HOURS)
    times = [float(h * 3600) for h in range(HOURS + 1)]
    bnds = ofm.shadow_boundaries(ctx, orbit, spec, pos_tol)[0] if srp else []
    t0 = time.perf_counter()
    rows, evals, _, tol, _, nstops = ofm.segmented_run(ctx, orbit, spec, times, bnds, pos_tol)
    return rows, {"evaluations": evals, "propagate_calls": nstops, "wall_s":
                  time.perf_counter() - t0, "abs_tol": list(tol[0]), "rel_tol": list(tol[1]),
                  "shadow_boundaries_s": bnds}


def densities_along(ctx, atm, rows, model):
    """ITRF position and Orekit density at each GCRF sample."""
    from org.hipparchus.geometry.euclidean.threed import Vector3D

    out = []
    mdl = atm.models[model]
    for r in rows:
        date = ctx.epoch.shiftedBy(r[0])
        p_itrf = ctx.gcrf.getStaticTransformTo(atm.itrf, date).transformPosition(
            Vector3D(*r[1:4]))
        out.append([r[0]] + ofm._vec(p_itrf) + [mdl.getDensity(date, p_itrf, atm.itrf)])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    from orekit_oracle import start_orekit

    data_dir = start_orekit()
    src = satkit_sw_csv()
    tmp = Path(tempfile.mkdtemp(prefix="cosmoplan_sw_"))
    legacy = tmp / "SpaceWeather-All-v1.2.txt"
    conv = write_legacy(src, legacy)
    atm = _Atm(legacy)
    ctx = ofm._Ctx()
    ctx.hashes = {ofm.GRAVITY_FILE: ofm._sha256(Path(data_dir) / ofm.GRAVITY_FILE),
                  "de440": ofm._sha256(Path(data_dir) / "lnxp1550p2650.440")}
    ctx.epoch_dt = _dt.datetime(2021, 6, 17, tzinfo=_dt.timezone.utc)

    from org.orekit.time import TimeScalesFactory
    from org.orekit.utils import IERSConventions

    ut1 = TimeScalesFactory.getUT1(IERSConventions.IERS_2010, True)
    dut1 = ut1.offsetFromTAI(ctx.epoch).toDouble() - atm.utc.offsetFromTAI(ctx.epoch).toDouble()
    pts = density_points(atm)
    rel = [abs(p["rho_kg_m3"]["apparent_daily_ap"] / p["rho_kg_m3"]["mean_daily_ap"] - 1)
           for p in pts]
    print(f"{len(pts)} density points; APPARENT vs MEAN lst: max rel diff {max(rel):.3e}")

    cases = {}
    for name, model, srp in (
        ("leo_20x20_sun_moon_nrlmsise", "mean_daily_ap", None),
        ("leo_20x20_sun_moon_nrlmsise_srp", "mean_daily_ap", SRP),
    ):
        rows, stats = trajectory(ctx, atm, model, srp)
        tight, _ = trajectory(ctx, atm, model, srp, pos_tol=ofm.POS_TOL_M / 10)
        conv_m = max(ofm._dist(a[1:4], b[1:4]) for a, b in zip(rows, tight))
        info = {}
        for other in ("apparent_daily_ap", "mean_storm_ap"):
            alt, _ = trajectory(ctx, atm, other, srp)
            info[other] = {
                "final": alt[-1],
                "max_position_diff_vs_reference_m": max(
                    ofm._dist(a[1:4], b[1:4]) for a, b in zip(rows, alt)),
            }
        cases[name] = {
            "description": "LEO 24 h, EGM96 20x20 + Sun + Moon + NRLMSISE-00 drag"
            + (" + SRP (segmented at shadow boundaries)" if srp else ""),
            "density_model": model,
            "keplerian_elements": {**ofm.LEO, "frame": "GCRF", "anomaly": "mean",
                                   "angles": "deg", "mu_m3_s2": ctx.mu},
            "spacecraft": {"mass_kg": MASS_KG, "drag_area_m2": AREA_M2, "cd": CD,
                           **({"srp_area_m2": srp[0], "cr": srp[1]} if srp else {})},
            "forces": {**ofm.forces_dict(ctx, 20, True, srp), "drag": DRAG_SETTINGS},
            "initial": rows[0],
            "final": rows[-1],
            "samples": rows,
            "density_along_samples": {
                "columns": ["t_s", "x_itrf_m", "y_itrf_m", "z_itrf_m", "rho_kg_m3"],
                "model": model,
                "rows": densities_along(ctx, atm, rows, model),
            },
            "stats": stats,
            "sanity": {"max_position_diff_vs_10x_tighter_tolerance_m": conv_m},
            "variants_for_information": info,
        }
        f = rows[-1]
        print(f"{name}: final r = [{f[1]:.4f}, {f[2]:.4f}, {f[3]:.4f}] m, conv {conv_m:.2e} m,"
              + "".join(f" {k} {v['max_position_diff_vs_reference_m']:.2f} m"
                        for k, v in info.items()))
    ref = Path(ROOT / "tests" / "fixtures" / "orekit_force_models.json")
    if ref.exists():
        import json

        nd = json.loads(ref.read_text())["cases"]
        for name, base in (("leo_20x20_sun_moon_nrlmsise", "leo_20x20_sun_moon"),
                           ("leo_20x20_sun_moon_nrlmsise_srp", "leo_20x20_sun_moon_srp")):
            cases[name]["sanity"]["drag_displacement_vs_" + base + "_m"] = ofm._dist(
                cases[name]["final"][1:4], nd[base]["final"][1:4])

    doc = {
        "generator": "tools/oracle_nrlmsise.py",
        "oracle": "Orekit 13.1 NRLMSISE00 + CssiSpaceWeatherData (orekit-jpype), offline",
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "units": "s, m, m/s, kg, kg/m^3 (density), km (alt_km), deg (lat/lon)",
        "space_weather": {
            "source": f"satkit-data {ofm._version('satkit-data')} {src.name}",
            "source_sha256": _sha256(src),
            "source_bytes": src.stat().st_size,
            "orekit_loader": (
                "CssiSpaceWeatherData(DataSource(file)) on the CSV rows rewritten in the legacy "
                "SpaceWeather-All-v1.2.txt layout (values unchanged)"),
            "conversion": conv,
            "legacy_sha256": _sha256(legacy),
            "f107_used": "F10.7_OBS (observed, not adjusted) of the previous UTC day",
            "f107a_used": "F10.7_OBS_CENTER81 of the current UTC day",
            "ap_used": (
                "[AP_AVG(day), ap3(t), ap3(t-3h), ap3(t-6h), ap3(t-9h), mean ap3(t-12h.."
                "t-33h), mean ap3(t-36h..t-57h)], 3-h slots from 00 h UTC; after the last "
                "observed day ap3 = AP_AVG of the day"),
        },
        "nrlmsise00": {
            "class": "org.orekit.models.earth.atmosphere.NRLMSISE00 (Java port of the C "
                     "port of the 2001 Fortran)",
            "constructor": "NRLMSISE00(cssi, CelestialBodyFactory.getSun(), OneAxisEllipsoid("
                           "WGS84 a, WGS84 f, ITRF IERS 2010 full EOP))",
            "switches": "all 1 (so switch 9 = 1: daily Ap only); mean_storm_ap: "
                        "withSwitch(9, -1), the 7-element Ap array",
            "default_local_solar_time_mode": atm.default_lst_mode,
            "local_solar_time_modes": {
                "MEAN": "UT seconds of day / 3600 + lon_deg / 15 (as pymsis computes it)",
                "APPARENT": "12 h + hour angle of the true Sun at the point (Orekit default)",
            },
            "density": "getDensity = GTD7D d[5], total mass density incl. anomalous O",
            "time": "day of year and seconds of day in UT1 (TimeScales.getUT1(IERS_2010, "
                    "simpleEOP=true), the default of the 3-argument constructor); the "
                    "space-weather indices follow UTC days",
            "geodetic": "OneAxisEllipsoid.transform (WGS-84) of the ITRF position",
        },
        "density_models": {
            "mean_daily_ap": "withLocalSolarTimeMode(MEAN), switches all 1",
            "apparent_daily_ap": "default (APPARENT), switches all 1",
            "mean_storm_ap": "withLocalSolarTimeMode(MEAN).withSwitch(9, -1)",
        },
        "density_points": pts,
        "ut1_minus_utc_s_at_epoch": dut1,
        "epoch_utc": "2021-06-17T00:00:00Z",
        "frame": "GCRF",
        "sample_columns": ["t_s", "x_m", "y_m", "z_m", "vx_m_s", "vy_m_s", "vz_m_s"],
        "integrator": {
            "name": "DormandPrince853Integrator",
            "min_step_s": ofm.MIN_STEP_S,
            "max_step_s": ofm.MAX_STEP_S,
            "tolerance_provider": f"ToleranceProvider.getDefaultToleranceProvider("
                                  f"{ofm.POS_TOL_M})",
            "scheme": "successive propagate() calls ending at every hourly sample and, with "
                      "SRP, at every shadow boundary (found by a first run with drag)",
        },
        "cases": cases,
        "versions": ofm.metadata(ctx, data_dir),
        "total_run_s": time.perf_counter() - t_start,
    }
    Path(args.out).write_text(ofm.dumps(doc) + "\n")
    print(f"wrote {args.out} in {doc['total_run_s']:.1f} s")


DRAG_SETTINGS = {
    "model": "DragForce(NRLMSISE00, IsotropicDrag(A, Cd))",
    "acceleration": "a = -0.5 rho |v_rel| v_rel Cd A / m, v_rel = v - v_atm (GCRF)",
    "area_m2": AREA_M2,
    "cd": CD,
    "atmosphere_velocity": (
        "Atmosphere.getVelocity: velocity in GCRF of the point fixed in the atmosphere's "
        "frame (ITRF, IERS 2010, full EOP): co-rotating with the Earth, rate from UT1/LOD "
        "(~ omega_E x r with omega_E = 7.292115e-5 rad/s, LOD effect ~1e-8 relative)"),
    "atmosphere_frame": "ITRF (IERS 2010, simpleEOP=false) = NRLMSISE00.getFrame()",
    "density_frame": "position transformed to ITRF, geodetic on the WGS-84 ellipsoid",
}


if __name__ == "__main__":
    sys.exit(main())
