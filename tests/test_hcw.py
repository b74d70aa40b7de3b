"""HCW relative motion (cosmoplan.rendezvous.hcw) against its defining properties and
against numerical two-body propagation."""

import numpy as np
import pytest

from cosmoplan.errors import InputError
from cosmoplan.frames import absolute_state, relative_state
from cosmoplan.propagator import ForceModel, NumericalPropagator
from cosmoplan.rendezvous.hcw import (
    hcw_propagate,
    hcw_stm,
    hcw_two_impulse,
    hill_to_lvlh,
    lvlh_to_hill,
)
from cosmoplan.time import Epoch

MU = 398600.4415
R = 6778.0
N = np.sqrt(MU / R**3)


def test_stm_group_property():
    a, b = hcw_stm(N, 700.0), hcw_stm(N, 1300.0)
    assert np.allclose(hcw_stm(N, 2000.0), b @ a, atol=1e-12)
    assert np.allclose(hcw_stm(N, 0.0), np.eye(6))


def test_frame_conversion_round_trip():
    x = np.array([1.0, -2.0, 3.0])
    assert np.allclose(hill_to_lvlh(lvlh_to_hill(x)), x)
    assert np.allclose(lvlh_to_hill([0, 0, 1.0]), [-1.0, 0, 0])  # R-bar is radially inward


def test_vbar_point_is_an_equilibrium():
    rho, rho_dot = hcw_propagate(N, np.linspace(0, 6000, 7), [-5.0, 0, 0], [0, 0, 0])
    assert np.allclose(rho, [-5.0, 0, 0]) and np.allclose(rho_dot, 0)


def test_matches_numerical_two_body_for_small_separation():
    """100 m off the target, a quarter orbit: HCW vs nonlinear two-body < 1 cm."""
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    r_t, v_t = np.array([R, 0, 0]), np.array([0, R * N, 0])
    rho0, rho_dot0 = np.array([-0.1, 0.02, 0.05]), np.array([1e-4, -5e-5, 2e-5])
    r_c, v_c = absolute_state(r_t, v_t, rho0, rho_dot0)
    prop = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None), rtol=1e-13,
                               atol_km=1e-11)
    t = 0.25 * 2 * np.pi / N
    out = prop.propagate_states(t0, np.vstack([np.r_[r_t, v_t], np.r_[r_c, v_c]]), t0 + t)
    rho, _ = relative_state(out[0, :3], out[0, 3:], out[1, :3], out[1, 3:])
    rho_hcw, _ = hcw_propagate(N, t, rho0, rho_dot0)
    assert np.linalg.norm(rho - rho_hcw) < 1e-5


def test_two_impulse_reaches_target():
    dv1, dv2 = hcw_two_impulse(N, 1800.0, [-5.0, 0, 0], [0, 0, 0], [-0.4, 0, 0])
    rho, rho_dot = hcw_propagate(N, 1800.0, [-5.0, 0, 0], dv1)
    assert np.allclose(rho, [-0.4, 0, 0], atol=1e-12)
    assert np.allclose(rho_dot + dv2, 0, atol=1e-15)
    # along V-bar transfer in less than half an orbit: radial components of opposite sign
    assert dv1[2] * dv2[2] > 0 or abs(dv1[2]) < 1e-9


def test_half_revolution_is_refused():
    with pytest.raises(InputError, match="half a revolution"):
        hcw_two_impulse(N, np.pi / N, [-5.0, 0, 0.1], [0, 0, 0], [-0.4, 0, 0])
