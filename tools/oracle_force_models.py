#!/usr/bin/env python3
"""Orekit reference trajectories for cosmoplan's high-fidelity force models (fixture generator).

Writes ``tests/fixtures/orekit_force_models.json``: the oracle for "high-fidelity numerical
propagation validated against Orekit to the metre". Tests read the fixture, so CI needs
neither Java nor Orekit.

Oracle: Orekit 13.1 (orekit-jpype) ``NumericalPropagator``, Dormand-Prince 8(5,3) with the
tolerances of ``ToleranceProvider.getDefaultToleranceProvider(1e-4)`` (0.1 mm position),
steps between 1e-3 s and 300 s, Cartesian equations of motion in GCRF, central term
mu = EGM96 GM (added by the propagator as a ``NewtonianAttraction``).

Cases (epoch 2021-06-17T00:00:00 UTC):

1. ``leo_20x20``: a = 6778.137 km, e = 0.0005, i = 41.5, RAAN 60, argp 30, M 0; 24 h;
   EGM96 20x20 (Holmes-Featherstone in ITRF / IERS 2010 with EOP).
2. ``leo_20x20_sun_moon``: + Sun and Moon point masses (DE440).
3. ``leo_20x20_sun_moon_srp``: + cannonball SRP (A 10 m^2, Cr 1.5, m 1000 kg), conical
   shadow of the WGS-84 Earth ellipsoid and of the spherical Moon.
4. ``geo_8x8_sun_moon_srp``: GEO, 7 days, EGM96 8x8 + Sun + Moon + SRP (A 20, Cr 1.3, m 2000).
5. ``molniya_8x8_sun_moon_srp``: Molniya, 3 days, forces of 4 (A 15, Cr 1.3, m 1500).
6. ``eclipses_leo``: EclipseDetector umbra / penumbra events along case 3 (Sun occulted by
   the WGS-84 ellipsoid, and by a spherical Earth of radius 6378137 m, for information).
7. ``translunar``: a 200 km-perigee transfer aimed near the Moon, 5 days, EGM96 8x8 + Sun +
   Moon; Moon sphere-of-influence entry (66,100 km) and closest approach events.

Every case records its ``forces`` dict (constants, frames, file hashes), its integrator
settings and tolerance vectors, the GCRF initial state computed by Orekit from the Keplerian
elements (GCRF, mu = EGM96 GM), samples ``[t_s, x, y, z, vx, vy, vz]`` (s, m, m/s), the
final state, the derivative-evaluation count, cold / warm wall times, and sanity checks
(convergence against a 10x tighter tolerance, Jacobi integral, GEO radius, Molniya perigee,
shared/ORACLES.md (iii) reproduced, spherical-Earth shadow sensitivity).

Reference scheme: successive ``propagate()`` calls ending at every sample time and, with SRP,
at every shadow boundary found by a first run (the force's own umbra / penumbra detectors).
In one long ``propagate()`` call Orekit takes the state at each SRP eclipse event from the
interpolator of a step whose stages straddle the kink of the lighting ratio; that costs
~1e-6 m/s per boundary and 1.4 m (LEO, 24 h) / 0.6 m (Molniya, 3 d) at the end, and does not
shrink with the tolerance. The segmented runs converge (10x tighter tolerance: < 3 cm LEO,
0.13 m Molniya, 0.3 m translunar). The one-call result is kept as ``single_run`` (final state
and deviation) for information.

Run with the oracle environment (a JDK, ``orekit-jpype``, ``satkit-data``,
``astropy-iers-data``), from the repository root:
    /work/oracle-venv/bin/python tools/oracle_force_models.py [--out PATH] [--repeats N]
The Orekit data directory is assembled offline from PyPI packages by
``shared/tools/orekit_oracle.py`` (imported from the shared folder beside the repo).
End to end: well under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import importlib
import importlib.metadata
import json
import math
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

OUT = ROOT / "tests" / "fixtures" / "orekit_force_models.json"
EPOCH = (2021, 6, 17, 0, 0, 0.0)
EPOCH_ISO = "2021-06-17T00:00:00Z"
POS_TOL_M = 1e-4  # ToleranceProvider.getDefaultToleranceProvider(POS_TOL_M)
MIN_STEP_S = 1e-3
MAX_STEP_S = 300.0
GRAVITY_FILE = "EGM96.gfc"
MOON_SOI_M = 66_100e3
EVENT_MAX_CHECK_S = 60.0
EVENT_THRESHOLD_S = 1e-6

LEO = dict(a_m=6778137.0, e=0.0005, i_deg=41.5, raan_deg=60.0, argp_deg=30.0, M_deg=0.0)
GEO = dict(a_m=42164170.0, e=0.0002, i_deg=0.05, raan_deg=80.0, argp_deg=0.0, M_deg=0.0)
MOLNIYA = dict(a_m=26554000.0, e=0.72, i_deg=63.4, raan_deg=90.0, argp_deg=270.0, M_deg=0.0)

# Translunar design (see translunar_elements): perigee and apogee radii, first guess of the
# arrival time at the Moon's distance, and the lead angle of the aim point ahead of the Moon
# (in the Moon's orbit plane; negative = behind), chosen so that the flyby passes ~15,700 km
# from the Moon's centre instead of hitting it.
TLI_RP_M = 6578e3
TLI_RA_M = 384400e3
TLI_TOF_GUESS_S = 4.5 * 86400.0
TLI_LEAD_DEG = -6.0

CASES = [
    # name, elements, hours, sample step h, degree/order, sun_moon, srp (A m^2, Cr), mass kg
    ("leo_20x20", LEO, 24, 1, 20, False, None, 1000.0),
    ("leo_20x20_sun_moon", LEO, 24, 1, 20, True, None, 1000.0),
    ("leo_20x20_sun_moon_srp", LEO, 24, 1, 20, True, (10.0, 1.5), 1000.0),
    ("geo_8x8_sun_moon_srp", GEO, 168, 6, 8, True, (20.0, 1.3), 2000.0),
    ("molniya_8x8_sun_moon_srp", MOLNIYA, 72, 1, 8, True, (15.0, 1.3), 1500.0),
    ("translunar", None, 120, 1, 8, True, None, 1000.0),
]


# ---------------------------------------------------------------------------------------
# Orekit set-up
# ---------------------------------------------------------------------------------------


class _Ctx:
    """Orekit objects shared by all cases (built once the JVM runs)."""

    def __init__(self):
        from org.orekit.bodies import CelestialBodyFactory, OneAxisEllipsoid
        from org.orekit.forces.gravity.potential import GravityFieldFactory, ICGEMFormatReader
        from org.orekit.frames import FramesFactory
        from org.orekit.time import AbsoluteDate, TimeScalesFactory
        from org.orekit.utils import Constants, IERSConventions

        # Use EGM96.gfc (satkit-data) through the ICGEM reader and nothing else: drop the
        # default readers (which would accept any .gfc / SHM / EGM / GRGS file found).
        GravityFieldFactory.clearPotentialCoefficientsReaders()
        GravityFieldFactory.addPotentialCoefficientsReader(ICGEMFormatReader(GRAVITY_FILE, False))
        self.utc = TimeScalesFactory.getUTC()
        self.gcrf = FramesFactory.getGCRF()
        self.itrf = FramesFactory.getITRF(IERSConventions.IERS_2010, False)  # EOP with tides
        self.epoch = AbsoluteDate(*EPOCH, self.utc)
        self.sun = CelestialBodyFactory.getSun()
        self.moon = CelestialBodyFactory.getMoon()
        self.earth_wgs84 = OneAxisEllipsoid(
            Constants.WGS84_EARTH_EQUATORIAL_RADIUS, Constants.WGS84_EARTH_FLATTENING, self.itrf
        )
        self.earth_sphere = OneAxisEllipsoid(
            Constants.WGS84_EARTH_EQUATORIAL_RADIUS, 0.0, self.itrf
        )
        self.C = Constants

    def provider(self, degree):
        from org.orekit.forces.gravity.potential import GravityFieldFactory

        return GravityFieldFactory.getNormalizedProvider(degree, degree)

    @property
    def mu(self):
        return self.provider(2).getMu()


def keplerian_orbit(ctx, el):
    from org.orekit.orbits import CartesianOrbit, KeplerianOrbit, PositionAngleType

    orb = KeplerianOrbit(
        el["a_m"],
        el["e"],
        math.radians(el["i_deg"]),
        math.radians(el["argp_deg"]),
        math.radians(el["raan_deg"]),
        math.radians(el["M_deg"]),
        PositionAngleType.MEAN,
        ctx.gcrf,
        ctx.epoch,
        ctx.mu,
    )
    return CartesianOrbit(orb.getPVCoordinates(), ctx.gcrf, ctx.epoch, ctx.mu)


def _vec(v):
    return [v.getX(), v.getY(), v.getZ()]


def _unit(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def _cross(a, b):
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def _rot(u, n, ang):
    """Rotate u (perpendicular to the unit axis n) by ang about n."""
    w = _cross(n, u)
    return [math.cos(ang) * a + math.sin(ang) * b for a, b in zip(u, w)]


def translunar_elements(ctx, lead_deg=TLI_LEAD_DEG):
    """Keplerian elements (GCRF) of a direct Earth-Moon transfer, from a 2-body design.

    Ellipse with perigee radius TLI_RP_M at the epoch (M = 0) and apogee radius TLI_RA_M,
    in the Moon's orbit plane at arrival (normal r_moon x v_moon, DE440, GCRF). The arrival
    time t_arr is the 2-body time from perigee to the radius |r_moon(t_arr)| (fixed point,
    started at 4.5 d). The perigee is placed so that the spacecraft would then be at the
    Moon's position rotated by lead_deg about the normal (aim point off the Moon, so that the
    flyby misses it; the Moon's pull and the Sun bend the real path).
    """
    mu = ctx.mu
    rp, ra = TLI_RP_M, TLI_RA_M
    a, e = 0.5 * (rp + ra), (ra - rp) / (ra + rp)
    p = a * (1 - e * e)

    def moon(t):
        pv = ctx.moon.getPVCoordinates(ctx.epoch.shiftedBy(t), ctx.gcrf)
        return _vec(pv.getPosition()), _vec(pv.getVelocity())

    def tof(dist):
        nu = math.acos((p / dist - 1.0) / e)
        ecc_an = 2.0 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu / 2))
        return (ecc_an - e * math.sin(ecc_an)) / math.sqrt(mu / a**3), nu

    t_arr = TLI_TOF_GUESS_S
    for _ in range(50):
        rm, vm = moon(t_arr)
        dist = math.sqrt(_dot(rm, rm))
        t_new, nu = tof(dist)
        if abs(t_new - t_arr) < 1e-6:
            break
        t_arr = t_new
    n = _unit(_cross(rm, vm))
    aim = _rot(_unit(rm), n, math.radians(lead_deg))
    up = _rot(aim, n, -nu)  # perigee direction
    inc = math.acos(n[2])
    raan = math.atan2(n[0], -n[1])
    node = [math.cos(raan), math.sin(raan), 0.0]
    argp = math.atan2(_dot(up, _cross(n, node)), _dot(up, node))
    el = dict(
        a_m=a,
        e=e,
        i_deg=math.degrees(inc),
        raan_deg=math.degrees(raan) % 360.0,
        argp_deg=math.degrees(argp) % 360.0,
        M_deg=0.0,
    )
    design = {
        "perigee_radius_m": rp,
        "apogee_radius_m": ra,
        "arrival_time_2body_s": t_arr,
        "moon_distance_at_arrival_m": dist,
        "true_anomaly_at_moon_distance_deg": math.degrees(nu),
        "aim_lead_angle_deg": lead_deg,
        "plane": "Moon's orbit plane at arrival: normal r_moon x v_moon (DE440, GCRF)",
        "method": (
            "2-body (mu = EGM96 GM) ellipse, perigee at the epoch; arrival time = time "
            "from perigee to radius |r_moon(t_arr)| (fixed point from 4.5 d); aim point = "
            "Moon position at arrival rotated by aim_lead_angle_deg about the plane "
            "normal (positive: ahead of the Moon)"
        ),
    }
    return el, design


def _integrator(orbit, pos_tol):
    from org.hipparchus.ode.nonstiff import DormandPrince853Integrator
    from org.orekit.orbits import OrbitType
    from org.orekit.propagation import ToleranceProvider

    tol = ToleranceProvider.getDefaultToleranceProvider(pos_tol).getTolerances(
        orbit, OrbitType.CARTESIAN
    )
    return DormandPrince853Integrator(MIN_STEP_S, MAX_STEP_S, tol[0], tol[1]), tol


def build(ctx, orbit, degree, sun_moon, srp, mass, pos_tol=POS_TOL_M, srp_earth=None):
    from org.orekit.forces.gravity import HolmesFeatherstoneAttractionModel, ThirdBodyAttraction
    from org.orekit.forces.radiation import (
        IsotropicRadiationSingleCoefficient,
        SolarRadiationPressure,
    )
    from org.orekit.orbits import OrbitType
    from org.orekit.propagation import SpacecraftState
    from org.orekit.propagation.numerical import NumericalPropagator

    integ, tol = _integrator(orbit, pos_tol)
    prop = NumericalPropagator(integ)
    prop.setOrbitType(OrbitType.CARTESIAN)
    prop.setInitialState(SpacecraftState(orbit).withMass(mass))
    prop.addForceModel(HolmesFeatherstoneAttractionModel(ctx.itrf, ctx.provider(degree)))
    if sun_moon:
        prop.addForceModel(ThirdBodyAttraction(ctx.sun))
        prop.addForceModel(ThirdBodyAttraction(ctx.moon))
    if srp:
        area, cr = srp
        earth = ctx.earth_wgs84 if srp_earth is None else srp_earth
        force = SolarRadiationPressure(
            ctx.sun, earth, IsotropicRadiationSingleCoefficient(area, cr)
        )
        force.addOccultingBody(ctx.moon, ctx.C.MOON_EQUATORIAL_RADIUS)
        prop.addForceModel(force)
    return prop, integ, tol


def _handlers(ctx, samples, steps):
    from jpype import JImplements, JOverride

    epoch, gcrf = ctx.epoch, ctx.gcrf

    @JImplements("org.orekit.propagation.sampling.OrekitFixedStepHandler")
    class Sampler:
        @JOverride
        def init(self, *args):  # JPype proxies do not reach Java default methods
            pass

        @JOverride
        def finish(self, *args):
            pass

        @JOverride
        def handleStep(self, st):
            samples.append(_row(st, epoch, gcrf))

    @JImplements("org.orekit.propagation.sampling.OrekitStepHandler")
    class StepCounter:
        @JOverride
        def init(self, *args):
            pass

        @JOverride
        def finish(self, *args):
            pass

        @JOverride
        def handleStep(self, interp):
            steps.append(
                interp.getCurrentState().getDate().durationFrom(interp.getPreviousState().getDate())
            )

    return Sampler(), StepCounter()


def _row(st, epoch, gcrf):
    pv = st.getPVCoordinates(gcrf)
    return [st.getDate().durationFrom(epoch)] + _vec(pv.getPosition()) + _vec(pv.getVelocity())


def _iso(ctx, date):
    """UTC ISO 8601 with microseconds (no leap second in the windows used here)."""
    t = ctx.epoch_dt + _dt.timedelta(seconds=date.durationFrom(ctx.epoch))
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dist(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------


def _event_detectors(ctx, kind):
    """Detectors logged by an EventsLogger (all with ContinueOnEvent)."""
    from org.orekit.propagation.events import (
        EclipseDetector,
        ExtremumApproachDetector,
        RelativeDistanceDetector,
    )
    from org.orekit.propagation.events.handlers import ContinueOnEvent

    def tune(d):
        return (
            d.withMaxCheck(EVENT_MAX_CHECK_S)
            .withThreshold(EVENT_THRESHOLD_S)
            .withHandler(ContinueOnEvent())
        )

    if kind == "eclipse":
        out = {}
        for earth_name, earth in (
            ("wgs84_ellipsoid", ctx.earth_wgs84),
            ("sphere_6378137m", ctx.earth_sphere),
        ):
            det = EclipseDetector(ctx.sun, ctx.C.SUN_RADIUS, earth)
            out[(earth_name, "umbra")] = tune(det.withUmbra())
            out[(earth_name, "penumbra")] = tune(det.withPenumbra())
        return out
    if kind == "translunar":
        return {
            ("moon", "soi"): tune(RelativeDistanceDetector(ctx.moon, MOON_SOI_M)),
            ("moon", "extremum"): tune(ExtremumApproachDetector(ctx.moon)),
        }
    raise ValueError(kind)


def _attach(prop, detectors):
    """One EventsLogger per detector, so that each logged event is known by its key."""
    from org.orekit.propagation.events import EventsLogger

    loggers = {}
    for key, det in detectors.items():
        loggers[key] = EventsLogger()
        prop.addEventDetector(loggers[key].monitorDetector(det))
    return loggers


def _logged(loggers):
    out = []
    for key, logger in loggers.items():
        for ev in logger.getLoggedEvents():
            out.append((key, ev.isIncreasing(), ev.getState()))
    return sorted(out, key=lambda e: e[2].getDate().durationFrom(out[0][2].getDate()))


def shadow_boundaries(ctx, orbit, spec, pos_tol=POS_TOL_M, srp_earth=None):
    """Times (s from epoch) of the SRP force's own umbra / penumbra events along a plain run."""
    from org.orekit.propagation.events import EventsLogger
    from org.orekit.propagation.events.handlers import ContinueOnEvent

    degree, sun_moon, srp, mass, hours = spec
    prop, _, _ = build(ctx, orbit, degree, sun_moon, srp, mass, pos_tol, srp_earth)
    srp_force = [
        f
        for f in prop.getAllForceModels()
        if f.getClass().getSimpleName() == "SolarRadiationPressure"
    ][0]
    loggers = []
    for det in list(
        srp_force.getEventDetectors().toArray()
    ):  # [umbra, penumbra] per occulting body
        loggers.append(EventsLogger())
        prop.addEventDetector(loggers[-1].monitorDetector(det.withHandler(ContinueOnEvent())))
    prop.propagate(ctx.epoch.shiftedBy(hours * 3600.0))
    counts = {"earth": 0, "moon": 0}
    for i, lg in enumerate(loggers):
        counts["earth" if i < 2 else "moon"] += lg.getLoggedEvents().size()
    times = sorted(
        ev.getState().getDate().durationFrom(ctx.epoch)
        for lg in loggers
        for ev in lg.getLoggedEvents()
    )
    return times, counts


def segmented_run(
    ctx, orbit, spec, sample_times, boundaries, pos_tol=POS_TOL_M, det_kind=None, srp_earth=None
):
    """Reference run: successive propagate() calls ending at every sample time and every shadow
    boundary, so that no integration step straddles a shadow boundary."""
    degree, sun_moon, srp, mass, hours = spec
    t0 = time.perf_counter()
    prop, integ, tol = build(ctx, orbit, degree, sun_moon, srp, mass, pos_tol, srp_earth)
    loggers = _attach(prop, _event_detectors(ctx, det_kind)) if det_kind else None
    wanted = set(sample_times)
    stops = sorted(wanted | {t for t in boundaries if 0.0 < t < sample_times[-1]})
    rows, evals, st = [_row(prop.getInitialState(), ctx.epoch, ctx.gcrf)], 0, None
    for t in stops:
        if t <= 0.0:
            continue
        st = prop.propagate(ctx.epoch.shiftedBy(float(t)))
        evals += integ.getEvaluations()
        if t in wanted:
            rows.append(_row(st, ctx.epoch, ctx.gcrf))
    return rows, evals, time.perf_counter() - t0, tol, loggers, len(stops)


def run_case(ctx, name, el, hours, step_h, degree, sun_moon, srp, mass, repeats, jvm_cold):
    from org.hipparchus.geometry.euclidean.threed import Vector3D
    from org.orekit.orbits import CartesianOrbit, KeplerianOrbit
    from org.orekit.utils import PVCoordinates

    design = None
    if name == "translunar":
        el, design = translunar_elements(ctx)
    orbit = keplerian_orbit(ctx, el)
    spec = (degree, sun_moon, srp, mass, hours)
    tend = ctx.epoch.shiftedBy(hours * 3600.0)
    det_kind = "translunar" if name == "translunar" else None
    sample_times = [float(k * step_h * 3600) for k in range(hours // step_h + 1)]

    # 1. timing: build + one propagate() to the end, no Python handler; the first run of the
    #    first case is the cold-JVM run
    times, evals = [], []
    for _ in range(max(repeats, 2)):
        t0 = time.perf_counter()
        prop, integ, tol = build(ctx, orbit, degree, sun_moon, srp, mass)
        if det_kind:
            _attach(prop, _event_detectors(ctx, det_kind))
        prop.propagate(tend)
        times.append(time.perf_counter() - t0)
        evals.append(integ.getEvaluations())

    # 2. single run (what one propagate() call gives): fixed-step sampler + step counter
    single, steps = [], []
    prop, integ, tol = build(ctx, orbit, degree, sun_moon, srp, mass)
    sampler, counter = _handlers(ctx, single, steps)
    prop.getMultiplexer().add(float(step_h * 3600.0), sampler)
    prop.getMultiplexer().add(counter)
    if det_kind:
        _attach(prop, _event_detectors(ctx, det_kind))
    st = prop.propagate(tend)
    single_final = _row(st, ctx.epoch, ctx.gcrf)
    single_evals = integ.getEvaluations()
    if not single or abs(single[-1][0] - single_final[0]) > 1e-9:
        single.append(single_final)

    # 3. reference: segmented at the samples and at the SRP shadow boundaries
    bnds, shadow_counts = shadow_boundaries(ctx, orbit, spec) if srp else ([], None)
    samples, seg_evals, seg_time, tol, loggers, n_stops = segmented_run(
        ctx, orbit, spec, sample_times, bnds, det_kind=det_kind
    )
    final = samples[-1]

    # 4. convergence: the reference scheme at a 10x tighter tolerance (boundaries re-found)
    bnds_t = shadow_boundaries(ctx, orbit, spec, POS_TOL_M / 10)[0] if srp else []
    tight, _, _, _, _, _ = segmented_run(
        ctx, orbit, spec, sample_times, bnds_t, pos_tol=POS_TOL_M / 10
    )
    conv = max(_dist(a[1:4], b[1:4]) for a, b in zip(samples, tight))
    conv_v = max(_dist(a[4:7], b[4:7]) for a, b in zip(samples, tight))
    single_dev = max(_dist(a[1:4], b[1:4]) for a, b in zip(samples, single))
    sphere_dev = None
    if srp:  # sensitivity: the same case with a spherical Earth (R = 6378137 m) in the SRP shadow
        b_s, _ = shadow_boundaries(ctx, orbit, spec, srp_earth=ctx.earth_sphere)
        sph = segmented_run(ctx, orbit, spec, sample_times, b_s, srp_earth=ctx.earth_sphere)[0]
        sphere_dev = max(_dist(a[1:4], b[1:4]) for a, b in zip(samples, sph))

    pv0 = orbit.getPVCoordinates(ctx.gcrf)
    init = [0.0] + _vec(pv0.getPosition()) + _vec(pv0.getVelocity())
    case = {
        "description": None,
        "keplerian_elements": {
            **el,
            "frame": "GCRF",
            "mu_m3_s2": ctx.mu,
            "anomaly": "mean",
            "angles": "deg",
        },
        "spacecraft": {"mass_kg": mass, **({"area_m2": srp[0], "cr": srp[1]} if srp else {})},
        "duration_s": hours * 3600.0,
        "sample_step_s": step_h * 3600.0,
        "forces": forces_dict(ctx, degree, sun_moon, srp),
        "integrator": {
            "name": "DormandPrince853Integrator (Hipparchus)",
            "min_step_s": MIN_STEP_S,
            "max_step_s": MAX_STEP_S,
            "initial_step": "automatic (Hipparchus initializeStep), at every propagate() call",
            "tolerance_provider": f"ToleranceProvider.getDefaultToleranceProvider({POS_TOL_M})",
            "abs_tol": list(tol[0]),
            "rel_tol": list(tol[1]),
            "state_vector": "x y z [m] vx vy vz [m/s] mass [kg] (OrbitType.CARTESIAN, GCRF)",
            "tolerances_from": "the initial orbit (fixed for the whole run)",
        },
        "reference_scheme": (
            "samples/final: successive propagate() calls on one NumericalPropagator, ending at "
            "every "
            "sample time"
            + (
                " and at every SRP shadow boundary (umbra/penumbra entry and exit of the "
                "force's own detectors, found by a first run), so that no step "
                "straddles a kink of the lighting ratio"
                if srp
                else ""
            )
        ),
        "shadow_boundaries_s": bnds,
        "shadow_events_by_occulting_body": shadow_counts,
        "initial": init,
        "final": final,
        "samples": samples,
        "single_run": {
            "what": (
                "one propagate() call to the end, samples from an OrekitFixedStepHandler (dense "
                "output); the integrator then steps across shadow boundaries and the state at "
                "each SRP event is interpolated from a step whose stages straddle the boundary"
            ),
            "final": single_final,
            "max_position_diff_vs_reference_m": single_dev,
        },
        "stats": {
            "derivative_evaluations_single_run": single_evals,
            "derivative_evaluations_reference": seg_evals,
            "propagate_calls_reference": n_stops,
            "accepted_steps_single_run": len(steps),
            "min_step_s_single_run": min(steps[:-1]) if len(steps) > 1 else None,
            "max_step_s_single_run": max(steps),
            "evaluations_note": (
                "AbstractIntegrator.getEvaluations(): calls of the full right-hand "
                "side (all force models together); DP853 uses 12 per step, plus "
                "step rejections and restarts"
            ),
            "wall_time_s": {
                "single_run_first": times[0],
                "single_run_warm_min": min(times[1:]),
                "single_run_all": times,
                "first_run_is_cold_jvm": jvm_cold,
                "reference_run": seg_time,
                "what": (
                    "build the propagator + propagate to the end, no Python step "
                    "handler" + (", with the event detectors" if det_kind else "")
                ),
            },
        },
        "sanity": {
            "max_position_diff_vs_10x_tighter_tolerance_m": conv,
            "max_velocity_diff_vs_10x_tighter_tolerance_m_s": conv_v,
        },
    }
    if srp:
        case["sanity"]["max_position_diff_if_srp_shadow_uses_sphere_6378137m_m"] = sphere_dev
    if design:
        case["tli_design"] = design
    if loggers is not None:
        case["events"] = translunar_events(ctx, loggers)
    radii = [math.sqrt(_dot(s[1:4], s[1:4])) for s in samples]
    case["sanity"]["radius_min_max_m_at_samples"] = [min(radii), max(radii)]
    if name == "translunar":
        return case, (orbit, spec)
    rps = []
    for s in samples:
        o = KeplerianOrbit(
            CartesianOrbit(
                PVCoordinates(Vector3D(*s[1:4]), Vector3D(*s[4:7])),
                ctx.gcrf,
                ctx.epoch.shiftedBy(s[0]),
                ctx.mu,
            )
        )
        rps.append(o.getA() * (1 - o.getE()))
    case["sanity"]["osculating_perigee_radius_min_m"] = min(rps)
    return case, (orbit, spec)


def translunar_events(ctx, loggers):
    out = {
        "soi_radius_m": MOON_SOI_M,
        "soi_entries": [],
        "soi_exits": [],
        "closest_approach": None,
        "detector_settings": {"max_check_s": EVENT_MAX_CHECK_S, "threshold_s": EVENT_THRESHOLD_S},
        "detectors": (
            "RelativeDistanceDetector(Moon, 66100 km): g = |r_moon - r| - 66100 km; "
            "ExtremumApproachDetector(Moon): g = (r - r_moon).(v - v_moon), "
            "increasing zero = closest approach; Moon = DE440 geometric position"
        ),
    }
    best = None
    for key, inc, st in _logged(loggers):
        pm = ctx.moon.getPVCoordinates(st.getDate(), ctx.gcrf)
        row = _row(st, ctx.epoch, ctx.gcrf)
        rel = _dist(row[1:4], _vec(pm.getPosition()))
        ev = {
            "utc": _iso(ctx, st.getDate()),
            "t_s": row[0],
            "state": row,
            "moon_distance_m": rel,
            "moon_relative_speed_m_s": _dist(row[4:7], _vec(pm.getVelocity())),
        }
        if key[1] == "soi":
            out["soi_exits" if inc else "soi_entries"].append(ev)
        elif inc and (best is None or rel < best["moon_distance_m"]):
            best = ev
    out["closest_approach"] = best
    return out


def eclipse_case(ctx, orbit, spec):
    """EclipseDetector events along case 3 (plain single runs with the detectors added)."""
    degree, sun_moon, srp, mass, hours = spec
    runs = {}
    for tol in (POS_TOL_M, POS_TOL_M / 100):
        prop, _, _ = build(ctx, orbit, degree, sun_moon, srp, mass, tol)
        loggers = _attach(prop, _event_detectors(ctx, "eclipse"))
        st = prop.propagate(ctx.epoch.shiftedBy(hours * 3600.0))
        ev = {}
        for (earth, kind), inc, s in _logged(loggers):
            lst = ev.setdefault(earth, {}).setdefault(
                kind, {"entry": [], "exit": [], "entry_t_s": [], "exit_t_s": []}
            )
            t = s.getDate().durationFrom(ctx.epoch)
            lst["exit" if inc else "entry"].append(_iso(ctx, s.getDate()))
            lst["exit_t_s" if inc else "entry_t_s"].append(t)
        runs[tol] = (ev, _row(st, ctx.epoch, ctx.gcrf))
    ev, final = runs[POS_TOL_M]
    ev_t = runs[POS_TOL_M / 100][0]
    shift = max(
        abs(a - b)
        for e in ev
        for k in ev[e]
        for w in ("entry_t_s", "exit_t_s")
        for a, b in zip(ev[e][k][w], ev_t[e][k][w])
    )
    counts_equal = all(
        len(ev[e][k][w]) == len(ev_t[e][k][w]) for e in ev for k in ev[e] for w in ("entry", "exit")
    )
    return {
        "description": (
            "Orekit EclipseDetector events over 24 h along leo_20x20_sun_moon_srp "
            "(same initial state and forces, one propagate() call with the detectors "
            "added; entry = g decreasing, exit = g increasing; the run starts in sunlight, "
            "so entry k pairs with exit k, and the last entry has no exit before the end; "
            "the event times come from this one-call run, whose trajectory is <= 1.4 m "
            "from the case reference: <= 0.2 ms in time)"
        ),
        "occulted": {
            "body": "Sun (DE440, geometric position, no light time / aberration)",
            "radius_m": ctx.C.SUN_RADIUS,
        },
        "occulting": {
            "wgs84_ellipsoid": {
                "model": "OneAxisEllipsoid in ITRF (IERS 2010, EOP)",
                "equatorial_radius_m": ctx.C.WGS84_EARTH_EQUATORIAL_RADIUS,
                "flattening": ctx.C.WGS84_EARTH_FLATTENING,
                "note": "the Earth model of the SRP force of case 3",
            },
            "sphere_6378137m": {
                "model": "OneAxisEllipsoid with flattening 0 in ITRF",
                "radius_m": ctx.C.WGS84_EARTH_EQUATORIAL_RADIUS,
                "note": "for information: a spherical Earth",
            },
        },
        "g_functions": {
            "umbra": "separation - limb_radius + sun_apparent_radius (EclipseDetector.withUmbra)",
            "penumbra": (
                "separation - limb_radius - sun_apparent_radius (EclipseDetector.withPenumbra)"
            ),
            "angles": (
                "OccultationEngine, in the occulting body frame: separation = angle(sat - sun, "
                "sat); sun_apparent_radius = asin(R_sun / |sat - sun|); limb_radius = "
                "angle(sat - limb, sat), limb = OneAxisEllipsoid.pointOnLimb(sat, sun) (the "
                "ellipsoid limb point in the plane containing the Earth centre, sat and Sun)"
            ),
            "margin": 0.0,
        },
        "detector_settings": {
            "max_check_s": EVENT_MAX_CHECK_S,
            "threshold_s": EVENT_THRESHOLD_S,
            "max_iter": 100,
            "handler": "ContinueOnEvent",
        },
        "events": ev,
        "sanity": {
            "max_event_time_shift_vs_100x_tighter_tolerance_s": shift,
            "same_event_counts_vs_tighter_run": counts_equal,
            "final_position_vs_case_reference_m": _dist(final[1:4], ctx.case3_final[1:4]),
        },
    }


def forces_dict(ctx, degree, sun_moon, srp):
    p = ctx.provider(degree)
    d = ctx.epoch
    h = p.onDate(d)
    out = {
        "central": {
            "model": "NewtonianAttraction added by NumericalPropagator from the orbit mu",
            "mu_m3_s2": p.getMu(),
        },
        "gravity_field": {
            "model": "HolmesFeatherstoneAttractionModel (non-central part only)",
            "file": GRAVITY_FILE,
            "reader": 'ICGEMFormatReader("EGM96.gfc", false), the only reader',
            "sha256": ctx.hashes[GRAVITY_FILE],
            "degree": p.getMaxDegree(),
            "order": p.getMaxOrder(),
            "normalized": True,
            "mu_m3_s2": p.getMu(),
            "ae_m": p.getAe(),
            "tide_system": str(p.getTideSystem()),
            "body_frame": (
                "ITRF, IERSConventions.IERS_2010, simpleEOP=false (tidal EOP corrections)"
            ),
            "C20": h.getNormalizedCnm(2, 0),
            "C22": h.getNormalizedCnm(2, 2),
            "S22": h.getNormalizedSnm(2, 2),
            "degree_1_terms": "none (C10 = C11 = S11 = 0)",
        },
    }
    if sun_moon:
        out["third_bodies"] = {
            "model": (
                "ThirdBodyAttraction (point mass, direct + indirect term: "
                "GM (d/|d|^3 - s/|s|^3), s = body position in GCRF, d = s - r)"
            ),
            "ephemeris": (
                "JPL DE440 (satkit-data linux_p1550p2650.440 as lnxp1550p2650.440), geometric"
            ),
            "sha256": ctx.hashes["de440"],
            "sun_gm_m3_s2": ctx.sun.getGM(),
            "moon_gm_m3_s2": ctx.moon.getGM(),
            "gm_source": "DE440 header constants (Moon: GMB / (1 + EMRAT))",
        }
    if srp:
        area, cr = srp
        out["srp"] = {
            "model": (
                "SolarRadiationPressure(sun, earthWGS84, "
                "IsotropicRadiationSingleCoefficient(A, Cr))"
            ),
            "area_m2": area,
            "cr": cr,
            "acceleration": (
                "a = nu * P_REF * (D_REF / |r - r_sun|)^2 * Cr * A / m * (r - r_sun) / |r - r_sun|"
                " (distance satellite-Sun, not Earth-Sun)"
            ),
            "P_REF_N_m2": 4.56e-6,
            "D_REF_m": 1.4959787e11,
            "D_REF_note": "149 597 870 000 m (not the IAU au 149 597 870 700 m)",
            "sun_radius_m": ctx.C.SUN_RADIUS,
            "occulting_bodies": [
                {
                    "body": "Earth",
                    "model": "OneAxisEllipsoid WGS-84 in ITRF",
                    "equatorial_radius_m": ctx.C.WGS84_EARTH_EQUATORIAL_RADIUS,
                    "flattening": ctx.C.WGS84_EARTH_FLATTENING,
                },
                {
                    "body": "Moon",
                    "model": "sphere (addOccultingBody(moon, R))",
                    "radius_m": ctx.C.MOON_EQUATORIAL_RADIUS,
                },
            ],
            "eclipse_model": (
                "conical with penumbra; per occulting body, from OccultationEngine angles "
                "(s = separation sat->Sun vs sat->body centre, ro = limb angle of the ellipsoid "
                "limb point in the Sun plane, rs = asin(R_sun/|r - r_sun|)): "
                "nu_i = 0 if s - ro + rs "
                "<= 1e-10; nu_i = 1 if s - ro - rs >= -1e-10; else nu_i = 1 - (P1 + P2)/(pi rs^2) "
                "with a1 = (s^2 - ro^2 + rs^2)/(2s), a2 = (s^2 + ro^2 - rs^2)/(2s), "
                "P1 = rs^2 acos(a1/rs) - a1 sqrt(rs^2 - a1^2), "
                "P2 = ro^2 acos(a2/ro) - a2 sqrt(ro^2 - a2^2) "
                "(visible fraction of the Sun's disk area, flat-angle circle overlap); "
                "total nu = sum(nu_i) - (n - 1) (plus an overlap term when two bodies both "
                "partially hide the Sun); no atmosphere, no limb darkening"
            ),
            "eclipse_events": (
                "the force's umbra / penumbra detectors stop integration steps at "
                "the shadow boundaries (max check 60 s, threshold 1e-7 s)"
            ),
            "attitude": "irrelevant (isotropic cannonball)",
        }
    return out


# ---------------------------------------------------------------------------------------
# Sanity: Jacobi integral for the conservative case (gravity field only)
# ---------------------------------------------------------------------------------------


def jacobi_drift(ctx, samples, degree):
    """J = v_ITRF^2/2 - |w x r|^2/2 - U, U = mu/r + non-central; w = 7.292115e-5 rad/s, z_ITRF."""
    from org.hipparchus.geometry.euclidean.threed import Vector3D
    from org.orekit.forces.gravity import HolmesFeatherstoneAttractionModel
    from org.orekit.utils import PVCoordinates

    p = ctx.provider(degree)
    hf = HolmesFeatherstoneAttractionModel(ctx.itrf, p)
    w = ctx.C.WGS84_EARTH_ANGULAR_VELOCITY
    vals = []
    for s in samples:
        d = ctx.epoch.shiftedBy(s[0])
        tr = ctx.gcrf.getTransformTo(ctx.itrf, d)
        pv = tr.transformPVCoordinates(PVCoordinates(Vector3D(*s[1:4]), Vector3D(*s[4:7])))
        r, v = pv.getPosition(), pv.getVelocity()
        u = hf.value(d, r, p.getMu())
        vals.append(0.5 * v.getNormSq() - 0.5 * w * w * (r.getX() ** 2 + r.getY() ** 2) - u)
    return max(vals) - min(vals), vals[0]


# shared/ORACLES.md (iii): the same initial state, EGM96 20x20 only, DP853 1 mm, initial step 10 s
ORACLES_III_FINAL_M = [1878840.029, -5123466.056, -4007310.423]


def cross_check_iii(ctx):
    orbit = keplerian_orbit(ctx, LEO)
    prop, integ, _ = build(ctx, orbit, 20, False, None, 1000.0, pos_tol=1e-3)
    integ.setInitialStepSize(10.0)
    st = prop.propagate(ctx.epoch.shiftedBy(86400.0))
    r = _row(st, ctx.epoch, ctx.gcrf)[1:4]
    return {
        "what": (
            "leo_20x20 rerun with the settings of shared/ORACLES.md (iii) (1 mm tolerance, "
            "initial step 10 s): final position vs the published one (rounded to 1 mm)"
        ),
        "final_m": r,
        "published_m": ORACLES_III_FINAL_M,
        "diff_m": _dist(r, ORACLES_III_FINAL_M),
    }


# ---------------------------------------------------------------------------------------
# Metadata and output
# ---------------------------------------------------------------------------------------


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


def metadata(ctx, data_dir):
    import java.lang
    from org.hipparchus.ode.nonstiff import DormandPrince853Integrator
    from org.orekit.frames import FramesFactory
    from org.orekit.time import AbsoluteDate
    from org.orekit.utils import IERSConventions

    prop = java.lang.System.getProperty

    def jar(cls):
        return Path(
            str(cls.class_.getProtectionDomain().getCodeSource().getLocation().getPath())
        ).name

    files = {}
    for f in sorted(Path(data_dir).iterdir()):
        src = f.resolve()
        files[f.name] = {
            "source": str(src) if f.is_symlink() else "generated by orekit_oracle.py",
            "bytes": src.stat().st_size,
            "sha256": ctx.hashes.get(f.name) or _sha256(f),
        }
    leap = (
        Path(importlib.import_module("astropy_iers_data").__file__).parent
        / "data"
        / "Leap_Second.dat"
    )
    files["tai-utc.dat"]["from"] = {"file": str(leap), "sha256": _sha256(leap)}
    files["lnxp1550p2650.440"]["content"] = "JPL DE440 (binary), 1550-2650"
    eop = FramesFactory.getEOPHistory(IERSConventions.IERS_2010, False)
    d = ctx.epoch
    pole = eop.getPoleCorrection(d)
    nro = eop.getNonRotatinOriginNutationCorrection(d)
    return {
        "orekit_jar": jar(AbsoluteDate),
        "hipparchus_jar": jar(DormandPrince853Integrator),
        "orekit_jpype": _version("orekit-jpype"),
        "jpype1": _version("jpype1"),
        "satkit_data": _version("satkit-data"),
        "astropy_iers_data": _version("astropy-iers-data"),
        "jdk": f"{prop('java.vm.name')} {prop('java.version')} "
        f"({prop('java.vendor')})",
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
        "orekit_data_dir": {
            "built_by": "shared/tools/orekit_oracle.py build_orekit_data_dir (symlinks)",
            "files": files,
        },
        "eop_at_epoch": {
            "source": "finals2000A.all (astropy-iers-data), IERS 2010, tidal corrections on",
            "ut1_minus_utc_s": eop.getUT1MinusUTC(d),
            "lod_s": eop.getLOD(d),
            "xp_rad": pole.getXp(),
            "yp_rad": pole.getYp(),
            "dX_rad": nro[0],
            "dY_rad": nro[1],
        },
        "tai_minus_utc_s": -ctx.utc.offsetFromTAI(d).toDouble(),
    }


def dumps(doc):
    """JSON with every innermost list (a sample, a vector) on one line."""
    text = json.dumps(doc, indent=1)
    return re.sub(
        r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + re.sub(r"\s*\n\s*", " ", m.group(1)) + "]", text
    )


DESCRIPTIONS = {
    "leo_20x20": "LEO, 24 h, EGM96 20x20 only",
    "leo_20x20_sun_moon": "LEO, 24 h, EGM96 20x20 + Sun + Moon (DE440 point masses)",
    "leo_20x20_sun_moon_srp": "LEO, 24 h, EGM96 20x20 + Sun + Moon + SRP (conical shadows)",
    "geo_8x8_sun_moon_srp": "GEO, 7 days, EGM96 8x8 + Sun + Moon + SRP",
    "molniya_8x8_sun_moon_srp": "Molniya, 3 days, EGM96 8x8 + Sun + Moon + SRP",
    "translunar": "Earth-Moon transfer from a 200 km perigee, 5 days, EGM96 8x8 + Sun + Moon",
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--repeats", type=int, default=3, help="timing runs per case (>= 2)")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    from orekit_oracle import start_orekit  # shared/tools

    t0 = time.perf_counter()
    data_dir = start_orekit()
    t_jvm = time.perf_counter() - t0
    ctx = _Ctx()
    ctx.epoch_dt = _dt.datetime(2021, 6, 17, tzinfo=_dt.timezone.utc)
    ctx.hashes = {
        GRAVITY_FILE: _sha256(Path(data_dir) / GRAVITY_FILE),
        "de440": _sha256(Path(data_dir) / "lnxp1550p2650.440"),
    }

    cases, specs = {}, {}
    for i, (name, el, hours, step_h, deg, sm, srp, mass) in enumerate(CASES):
        case, spec = run_case(
            ctx, name, el, hours, step_h, deg, sm, srp, mass, args.repeats, jvm_cold=(i == 0)
        )
        case["description"] = DESCRIPTIONS[name]
        cases[name] = case
        specs[name] = spec
        if name == "leo_20x20_sun_moon_srp":
            ctx.case3_final = case["final"]
        fin = case["final"]
        print(
            f"{name:26s} final r = [{fin[1]:.4f}, {fin[2]:.4f}, {fin[3]:.4f}] m"
            f"  evals {case['stats']['derivative_evaluations_single_run']}"
            f"  steps {case['stats']['accepted_steps_single_run']}"
            f"  t first {case['stats']['wall_time_s']['single_run_first']:.3f} s warm "
            f"{case['stats']['wall_time_s']['single_run_warm_min']:.3f} s"
            f"  conv {case['sanity']['max_position_diff_vs_10x_tighter_tolerance_m']:.1e} m"
            f"  single-run dev {case['single_run']['max_position_diff_vs_reference_m']:.2e} m"
        )

    # sanity
    jd, j0 = jacobi_drift(ctx, cases["leo_20x20"]["samples"], 20)
    cases["leo_20x20"]["sanity"]["jacobi_integral_range_m2_s2"] = jd
    cases["leo_20x20"]["sanity"]["jacobi_integral_relative"] = abs(jd / j0)
    cases["leo_20x20"]["sanity"]["jacobi_note"] = (
        "J = |v_ITRF|^2/2 - (w^2/2)(x^2 + y^2) - U in ITRF with w = 7.292115e-5 rad/s: exact "
        "only for a uniformly rotating Earth, so precession-nutation, polar motion and UT1 "
        "leave a small residual"
    )
    cases["leo_20x20"]["sanity"]["cross_check_shared_oracles_md_iii"] = cross_check_iii(ctx)
    geo_r = cases["geo_8x8_sun_moon_srp"]["sanity"]["radius_min_max_m_at_samples"]
    mol_rp = cases["molniya_8x8_sun_moon_srp"]["sanity"]["osculating_perigee_radius_min_m"]
    print(
        f"Jacobi range (leo_20x20) {jd:.3e} m^2/s^2 (rel {abs(jd / j0):.1e}); GEO radius "
        f"{geo_r[0] / 1e3:.3f}..{geo_r[1] / 1e3:.3f} km; Molniya min osculating perigee altitude "
        f"{(mol_rp - ctx.C.WGS84_EARTH_EQUATORIAL_RADIUS) / 1e3:.1f} km"
    )
    assert 200e3 < mol_rp - ctx.C.WGS84_EARTH_EQUATORIAL_RADIUS
    assert 42000e3 < geo_r[0] and geo_r[1] < 42330e3

    cases["eclipses_leo"] = eclipse_case(ctx, *specs["leo_20x20_sun_moon_srp"])
    ev = cases["eclipses_leo"]["events"]["wgs84_ellipsoid"]
    print("eclipses (WGS-84):", {k: (len(v["entry"]), len(v["exit"])) for k, v in ev.items()})
    tl = cases["translunar"]["events"]
    ca = tl["closest_approach"]
    assert tl["soi_entries"] and ca and 1737.4e3 + 500e3 < ca["moon_distance_m"] < MOON_SOI_M
    print(
        f"translunar: SOI entries {[e['utc'] for e in tl['soi_entries']]}, closest approach "
        f"{ca['moon_distance_m'] / 1e3:.1f} km at {ca['utc']}"
    )

    doc = {
        "generator": "tools/oracle_force_models.py",
        "oracle": "Orekit NumericalPropagator (orekit-jpype), offline data directory",
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "epoch_utc": EPOCH_ISO,
        "frame": "GCRF (Orekit: ICRF axes, Earth centre from DE440)",
        "units": "s, m, m/s, kg",
        "sample_columns": ["t_s", "x_m", "y_m", "z_m", "vx_m_s", "vy_m_s", "vz_m_s"],
        "time_scales": (
            "UTC from tai-utc.dat (astropy-iers-data Leap_Second.dat), TT = TAI + 32.184 s, "
            "DE440 read with TDB (Orekit TDB model); t_s = SI seconds since the epoch"
        ),
        "frames": (
            "GCRF -> ITRF: IERS 2010 conventions, CIO-based IAU 2006/2000A precession-nutation "
            "with dX/dY, ERA with UT1, polar motion + s', EOP from finals2000A.all with "
            "tidal (diurnal/semi-diurnal) corrections (simpleEOP=false)"
        ),
        "versions": metadata(ctx, data_dir),
        "jvm_start_and_data_setup_s": t_jvm,
        "cases": cases,
        "total_run_s": time.perf_counter() - t_start,
    }
    Path(args.out).write_text(dumps(doc) + "\n")
    print(f"wrote {args.out} in {doc['total_run_s']:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
