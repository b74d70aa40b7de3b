"""Finite maneuvers: constant thrust along LVLH, RSW or GCRF with mass flow."""

from __future__ import annotations

import numpy as np
import pytest

from cosmoplan.errors import InputError
from cosmoplan.forces.thrust import burn_delta_v
from cosmoplan.propagator import FiniteManeuver, ForceModel, NumericalPropagator, Spacecraft
from cosmoplan.time import Epoch

T0 = Epoch.from_iso("2021-06-17T00:00:00Z")
R0 = np.array([6778.137, 0.0, 0.0])
V0 = np.array([0.0, 7.6686, 0.0])
MU = 398600.4415
TWO_BODY = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None))
CRAFT = Spacecraft(mass_kg=8000.0)


def _energy(tr):
    return 0.5 * np.sum(tr.v ** 2, axis=1) - MU / np.linalg.norm(tr.r, axis=1)


@pytest.mark.parametrize("integrator", ["dop853", "scipy"])
def test_tangential_burn_adds_the_rocket_equation_energy(integrator):
    prop = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None),
                               integrator=integrator)
    burn = FiniteManeuver(T0 + 600.0, 300.0, 400.0, 300.0, (1.0, 0.0, 0.0), "LVLH", "raise")
    res = prop.propagate(T0, R0, V0, duration_s=5400.0, step_s=60.0, spacecraft=CRAFT,
                         finite_maneuvers=[burn])
    dv = burn_delta_v(400.0, 300.0, 8000.0, 300.0)  # Tsiolkovsky, 15.04 m/s
    de = _energy(res.trajectory)
    assert abs(de[0] - de[9]) < 1e-9  # nothing before ignition
    # a tangential burn on a circular orbit: delta E = v dv + dv^2 / 2 (to the small
    # change of speed and radius during the 300 s burn)
    assert de[-1] - de[0] == pytest.approx(7.6686 * dv + 0.5 * dv * dv, rel=2e-3)
    assert abs(de[-1] - de[20]) < 1e-9  # conserved after cut-off


def test_a_short_inertial_burn_adds_its_delta_v_vector():
    d = np.array([0.3, -0.5, 0.8])
    burn = FiniteManeuver(T0 + 100.0, 5.0, 2000.0, 320.0, d, "GCRF")
    ep = T0 + np.array([0.0, 105.0])
    a = TWO_BODY.propagate(T0, R0, V0, epochs=ep, spacecraft=CRAFT, finite_maneuvers=[burn])
    b = TWO_BODY.propagate(T0, R0, V0, epochs=ep, spacecraft=CRAFT)
    dv = burn_delta_v(2000.0, 320.0, 8000.0, 5.0) * d / np.linalg.norm(d)
    np.testing.assert_allclose(a.trajectory.v[-1] - b.trajectory.v[-1], dv, rtol=2e-3,
                               atol=1e-9)


def test_lvlh_x_is_rsw_along_track():
    ep = T0 + np.array([0.0, 3000.0])
    a = TWO_BODY.propagate(T0, R0, V0, epochs=ep, spacecraft=CRAFT, finite_maneuvers=[
        FiniteManeuver(T0 + 100.0, 200.0, 400.0, 300.0, (1.0, 0.0, 0.0), "LVLH")])
    b = TWO_BODY.propagate(T0, R0, V0, epochs=ep, spacecraft=CRAFT, finite_maneuvers=[
        FiniteManeuver(T0 + 100.0, 200.0, 400.0, 300.0, (0.0, 1.0, 0.0), "RSW")])
    np.testing.assert_allclose(a.trajectory.r, b.trajectory.r, atol=1e-9)


def test_bad_finite_maneuvers():
    with pytest.raises(InputError, match="propellant"):
        TWO_BODY.propagate(T0, R0, V0, duration_s=4000.0, spacecraft=Spacecraft(mass_kg=100.0),
                           finite_maneuvers=[FiniteManeuver(T0 + 10.0, 3000.0, 400.0, 300.0)])
    with pytest.raises(InputError, match="direction"):
        FiniteManeuver(T0, 10.0, 1.0, 300.0, (0.0, 0.0, 0.0))
    with pytest.raises(InputError, match="thrust_n"):
        FiniteManeuver(T0, 10.0, -1.0, 300.0)
    with pytest.raises(InputError, match="frame"):
        FiniteManeuver(T0, 10.0, 1.0, 300.0, frame="TEME")
    with pytest.raises(InputError, match="last output epoch"):
        TWO_BODY.propagate(T0, R0, V0, duration_s=100.0,
                           finite_maneuvers=[FiniteManeuver(T0 + 90.0, 20.0, 1.0, 300.0)])


def test_relativity_advances_the_perigee_at_the_schwarzschild_rate():
    # two-body + GR: the eccentricity vector turns by 6 pi GM / (c^2 a (1 - e^2)) per orbit
    a, e = 9000.0, 0.2
    rp = a * (1 - e)
    vp = np.sqrt(MU * (1 + e) / rp)
    n_orbits = 50
    period = 2 * np.pi * np.sqrt(a ** 3 / MU)
    out = []
    for gr in (False, True):
        prop = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None, relativity=gr),
                                   rtol=1e-13, atol_km=1e-10)
        y = prop.propagate_states(T0, np.r_[rp, 0.0, 0.0, 0.0, vp, 0.0],
                                  T0 + n_orbits * period)
        r, v = y[:3], y[3:]
        ev = ((v @ v - MU / np.linalg.norm(r)) * r - (r @ v) * v) / MU
        out.append(np.arctan2(ev[1], ev[0]))
    expected = n_orbits * 6 * np.pi * MU / (299792.458 ** 2 * a * (1 - e * e))
    assert out[1] - out[0] == pytest.approx(expected, rel=0.02)  # ~1.6e-6 rad
