#!/usr/bin/env python3
"""Orekit reference states for cosmoplan's numerical propagator (fixture generator).

Produces ``tests/fixtures/orekit_propagation.json``: a LEO state (400 km, e = 0.0005,
i = 41.5 deg) from 2021-06-17T00:00:00 UTC propagated 24 h by Orekit 13.1's
NumericalPropagator (Dormand-Prince 8(5,3), 0.1 mm position tolerance) with

* ``zonal``: EGM96 zonal terms J2..J6 only (HolmesFeatherstone, degree 6, order 0, in
  ITRF / IERS 2010 with EOP);
* ``zonal_hp``: the same plus drag in a modified Harris-Priester atmosphere (cosine
  exponent 2, Sun from DE440, WGS-84 ellipsoid), isotropic Cd = 2.2, A = 10 m^2,
  m = 1000 kg.

States are GCRF, sampled every hour. The test ``tests/test_propagator.py`` reads the
fixture, so CI needs neither Java nor Orekit.

Run (needs a JDK and ``pip install orekit-jpype satkit-data astropy-iers-data``):
    python tools/oracle_propagation.py [--out tests/fixtures/orekit_propagation.json]
The Orekit data directory is assembled offline from PyPI packages by
``shared/tools/orekit_oracle.py`` (imported from the shared folder beside the repo).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))

EPOCH = (2021, 6, 17, 0, 0, 0.0)
KEPLER = dict(a=6778137.0, e=0.0005, i=41.5, raan=60.0, argp=30.0, M=0.0)  # m, deg
SPACECRAFT = dict(mass_kg=1000.0, area_m2=10.0, cd=2.2)


def run_case(drag, hours=24, step_h=1):
    import math

    from org.hipparchus.ode.nonstiff import DormandPrince853Integrator
    from org.orekit.bodies import CelestialBodyFactory, OneAxisEllipsoid
    from org.orekit.forces.drag import DragForce, IsotropicDrag
    from org.orekit.forces.gravity import HolmesFeatherstoneAttractionModel
    from org.orekit.forces.gravity.potential import GravityFieldFactory
    from org.orekit.frames import FramesFactory
    from org.orekit.models.earth.atmosphere import HarrisPriester
    from org.orekit.orbits import CartesianOrbit, KeplerianOrbit, OrbitType, PositionAngleType
    from org.orekit.propagation import SpacecraftState, ToleranceProvider
    from org.orekit.propagation.numerical import NumericalPropagator
    from org.orekit.time import AbsoluteDate, TimeScalesFactory
    from org.orekit.utils import Constants, IERSConventions

    utc = TimeScalesFactory.getUTC()
    gcrf = FramesFactory.getGCRF()
    itrf = FramesFactory.getITRF(IERSConventions.IERS_2010, False)
    date = AbsoluteDate(*EPOCH, utc)
    provider = GravityFieldFactory.getNormalizedProvider(6, 0)
    k = KEPLER
    orbit = KeplerianOrbit(k["a"], k["e"], math.radians(k["i"]), math.radians(k["argp"]),
                           math.radians(k["raan"]), math.radians(k["M"]), PositionAngleType.MEAN,
                           gcrf, date, provider.getMu())
    orbit = CartesianOrbit(orbit.getPVCoordinates(), gcrf, date, provider.getMu())
    tol = ToleranceProvider.getDefaultToleranceProvider(1e-4).getTolerances(
        orbit, OrbitType.CARTESIAN)
    integ = DormandPrince853Integrator(1e-3, 300.0, tol[0], tol[1])
    prop = NumericalPropagator(integ)
    prop.setOrbitType(OrbitType.CARTESIAN)
    prop.setInitialState(SpacecraftState(orbit).withMass(SPACECRAFT["mass_kg"]))
    prop.addForceModel(HolmesFeatherstoneAttractionModel(itrf, provider))
    if drag:
        earth = OneAxisEllipsoid(Constants.WGS84_EARTH_EQUATORIAL_RADIUS,
                                 Constants.WGS84_EARTH_FLATTENING, itrf)
        atm = HarrisPriester(CelestialBodyFactory.getSun(), earth, 2.0)
        prop.addForceModel(DragForce(atm, IsotropicDrag(SPACECRAFT["area_m2"], SPACECRAFT["cd"])))
    out = []
    for h in range(0, hours + 1, step_h):
        st = prop.propagate(date.shiftedBy(float(h * 3600)))
        pv = st.getPVCoordinates(gcrf)
        p, v = pv.getPosition(), pv.getVelocity()
        out.append({"t_s": h * 3600.0,
                    "r_km": [p.getX() / 1e3, p.getY() / 1e3, p.getZ() / 1e3],
                    "v_km_s": [v.getX() / 1e3, v.getY() / 1e3, v.getZ() / 1e3]})
    return provider.getMu() / 1e9, provider.getAe() / 1e3, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "tests" / "fixtures" / "orekit_propagation.json"))
    args = ap.parse_args(argv)
    from orekit_oracle import start_orekit  # shared/tools

    start_orekit()
    import orekit_jpype

    cases = {}
    for name, drag in (("zonal", False), ("zonal_hp", True)):
        mu, ae, states = run_case(drag)
        cases[name] = states
    doc = {
        "generator": "tools/oracle_propagation.py",
        "oracle": f"Orekit (orekit-jpype {getattr(orekit_jpype, '__version__', '13.1')})",
        "epoch_utc": "2021-06-17T00:00:00Z",
        "frame": "GCRF",
        "mu_km3_s2": mu,
        "radius_km": ae,
        "keplerian_initial": KEPLER,
        "spacecraft": SPACECRAFT,
        "harris_priester_n": 2.0,
        "integrator": "DormandPrince853, position tolerance 0.1 mm",
        "cases": cases,
    }
    Path(args.out).write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
