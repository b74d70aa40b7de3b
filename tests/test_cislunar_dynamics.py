"""The full-ephemeris cislunar model (cosmoplan.cislunar.dynamics).

Independent checks: the Earth-centred model without lunar harmonics against the
Orekit-validated NumericalPropagator (same forces, a different code path); the right-hand
side against a direct NumPy sum of the published formulas (lunar field through
moon.rotation_matrix and gravity_field.acceleration, point masses by Newton); the change of
integration centre (physics unchanged); events on the dense output. The lunar orbit against
Orekit is in tests/test_lunar_orbit_oracle.py.
"""

import math

import numpy as np
import pytest

from cosmoplan import moon
from cosmoplan.cislunar.dynamics import (
    CislunarForceModel,
    _context,
    _rhs,
    change_centre,
    earth_distance_event,
    fly,
    lunar_elements,
    lunar_equator_matrix,
    moon_apsis_event,
    moon_distance_event,
    propagate,
)
from cosmoplan.errors import InputError, PropagationError
from cosmoplan.forces import gravity_field
from cosmoplan.forces.third_body import GM_KM3_S2
from cosmoplan.propagator import ForceModel, ImpulsiveManeuver, NumericalPropagator
from cosmoplan.time import Epoch

EP = Epoch.from_iso("2020-11-23T21:00:00", scale="utc")
TLI = np.array([6578.137, 0.0, 0.0, 0.0, 10.9, 1.5])


def test_earth_centred_matches_numerical_propagator():
    """EGM96 8x8 + Sun + Moon point masses, 4 days from a trans-lunar state: the same
    physics as NumericalPropagator (validated against Orekit to 0.17 m on a translunar
    case); requirement 1 cm (the two differ only in the time argument: TDB here, TT there,
    1e-10 relative)."""
    m = CislunarForceModel(earth_degree=8, moon_degree=0)
    t = np.linspace(0.0, 4 * 86400.0, 9)
    arc = propagate(m, EP, TLI, t[-1], t_out=t)
    fm = ForceModel(gravity_degree=8, gravity_order=8, third_bodies=("sun", "moon"),
                    atmosphere=None)
    ref = NumericalPropagator(fm).propagate(EP, TLI[:3], TLI[3:], epochs=EP + t)
    d = np.linalg.norm(np.asarray(ref.trajectory.r) - arc.states[:, :3], axis=1)
    assert d.max() < 1e-5


def test_rhs_matches_direct_formulas():
    """Moon-centred state near the Moon: the compiled acceleration equals the sum of the
    LP165P 8x8 field (evaluated in MOON_PA by cosmoplan.moon + gravity_field.acceleration),
    the Earth's point-mass tide (Earth at -r_moon) and the Sun's, to 1e-12 relative."""
    from cosmoplan.ephemeris import default_ephemeris

    m = CislunarForceModel(earth_degree=0, moon_degree=8)
    ep = Epoch.from_iso("2020-11-30T03:17:00", scale="tdb")
    args, _ = _context(m, ep, 0.0, 3600.0, np.zeros((0, 8)), 1)
    y = np.array([1200.0, -900.0, 1100.0, 0.4, 1.1, -0.9])
    got = _rhs(0.0, y, *args)[3:]
    pa = moon.rotation_matrix(ep, "MOON_PA")
    fld = gravity_field.default_moon_field()
    a_moon = pa.T @ gravity_field.acceleration(pa @ y[:3], field=fld, degree=8)
    eph = default_ephemeris()
    rm = eph.position("moon", "earth", ep)
    rs = eph.position("sun", "earth", ep)

    def tide(s, gm):
        d = s - y[:3]
        return gm * (d / np.linalg.norm(d) ** 3 - s / np.linalg.norm(s) ** 3)

    want = a_moon + tide(-rm, m.gm("earth")) + tide(rs - rm, GM_KM3_S2["sun"])
    assert np.linalg.norm(got - want) < 1e-12 * np.linalg.norm(want) + 1e-17


def test_moon_angle_table_accuracy():
    """The hourly Hermite table of the DE421 libration angles reproduces the PCK within
    1e-12 rad between nodes (module docstring claims 1e-13)."""
    from cosmoplan.cislunar.dynamics import _moon_matrix

    m = CislunarForceModel(earth_degree=0, moon_degree=2)
    ep = Epoch.from_iso("2020-12-01T00:00:00", scale="tdb")
    args, _ = _context(m, ep, 0.0, 86400.0, np.zeros((0, 8)), 1)
    a_t0, a_dt, a_pos, a_vel = args[21:25]
    out = np.zeros((3, 3))
    rng = np.random.default_rng(1)
    for t in rng.uniform(0, 86400.0, 20):
        _moon_matrix(t, a_t0, a_dt, a_pos, a_vel, out)
        want = moon.rotation_matrix(ep + float(t), "MOON_PA")
        assert np.abs(out - want).max() < 1e-12


def test_centre_change_is_coordinates_only():
    """A 30-h close lunar flyby (periapsis 1,915 km from the centre) flown Earth-centred and
    Moon-centred ends at the same place within 2 m (0.9 m measured, the same at rtol 1e-12
    and 1e-14). The model's Earth-Moon relative acceleration (point masses, each body's
    harmonics on the other, the Sun) is not DE421's, which also holds the planets' tides
    (Jupiter's ~2e-13 km/s^2 at the Moon's distance: ~1 m over 30 h, amplified by the
    flyby); without the harmonics-on-the-origin term of the module docstring it was 5.6 m."""
    m = CislunarForceModel(earth_degree=4, moon_degree=4)
    ep = Epoch.from_iso("2020-11-28T00:00:00", scale="utc")
    sm = np.array([-20000.0, 5000.0, 3000.0, 0.9, -0.1, 0.05])
    a = propagate(m, ep, sm, 30 * 3600.0, centre="moon")
    se = change_centre(sm, ep, "moon", "earth")
    b = propagate(m, ep, se, 30 * 3600.0, centre="earth")
    bm = b.relative_to("moon")[-1]
    assert np.linalg.norm(a.final[:3] - bm[:3]) < 2e-3
    assert np.linalg.norm(a.final[3:] - bm[3:]) < 2e-6
    assert np.linalg.norm(a.final[:3] - bm[:3]) > 1e-6  # a real difference, not a copy


def test_events_lunar_periapsis_and_distance():
    """The periapsis event stops where r.v = 0 relative to the Moon; the distance event at
    the requested radius."""
    m = CislunarForceModel(earth_degree=0, moon_degree=4)
    ep = Epoch.from_iso("2020-11-28T00:00:00", scale="utc")
    sm = np.array([-20000.0, 5000.0, 3000.0, 0.9, -0.1, 0.05])
    a = propagate(m, ep, sm, 2 * 86400.0, centre="moon", events=[moon_apsis_event()])
    assert a.event is not None and a.event.kind == "moon_apsis"
    r, v = a.final[:3], a.final[3:]
    assert abs(r @ v) / (np.linalg.norm(r) * np.linalg.norm(v)) < 1e-8
    b = propagate(m, ep, sm, 2 * 86400.0, centre="moon",
                  events=[moon_distance_event(10000.0, -1)])
    assert abs(np.linalg.norm(b.final[:3]) - 10000.0) < 1e-5
    assert b.t_final < a.t_final


def test_fly_applies_burns_and_matches_segments():
    """A burn list re-flown equals propagating to the burn, adding dv, propagating on."""
    m = CislunarForceModel(earth_degree=2, moon_degree=0)
    burn = ImpulsiveManeuver(EP + 3600.0, (0.01, 0.0, 0.002), "GCRF", "test")
    a = fly(m, EP, TLI, 7200.0, maneuvers=[burn], t_out=[0.0, 3600.0, 7200.0])
    b1 = propagate(m, EP, TLI, 3600.0)
    y = b1.final.copy()
    y[3:] += [0.01, 0.0, 0.002]
    b2 = propagate(m, EP + 3600.0, y, 3600.0)
    assert np.allclose(a.final, b2.final, atol=1e-9)
    k = np.nonzero(a.t_s == 3600.0)[0]
    assert k.size == 1 and np.allclose(a.states[k[0], 3:], y[3:])


def test_lunar_elements_circular_orbit():
    """A circular orbit built in the lunar-equator frame returns its elements."""
    ep = Epoch.from_iso("2020-11-29T00:00:00", scale="tdb")
    f = lunar_equator_matrix(ep)
    mu = GM_KM3_S2["moon"]
    r = 1937.4
    i, raan, u = math.radians(43.8), math.radians(142.0), 0.3
    node = np.array([math.cos(raan), math.sin(raan), 0.0])
    h = np.array([math.sin(i) * math.sin(raan), -math.sin(i) * math.cos(raan), math.cos(i)])
    w = np.cross(h, node)
    pos = r * (math.cos(u) * node + math.sin(u) * w)
    vel = math.sqrt(mu / r) * (-math.sin(u) * node + math.cos(u) * w)
    el = lunar_elements(np.r_[f.T @ pos, f.T @ vel], ep)
    assert el["e"] < 1e-12
    assert abs(el["i"] - i) < 1e-12 and abs(el["raan"] - raan) < 1e-12
    assert abs(el["periapsis_altitude"] - 200.0) < 1e-9
    assert np.allclose(f @ f.T, np.eye(3), atol=1e-15)


def test_impact_and_bad_input():
    m = CislunarForceModel(earth_degree=0, moon_degree=0)
    ep = Epoch.from_iso("2020-11-28T00:00:00", scale="utc")
    with pytest.raises(PropagationError, match="hits the Moon"):
        propagate(m, ep, [3000.0, 0, 0, -1.0, 0, 0], 86400.0, centre="moon")
    with pytest.raises(InputError, match="centre"):
        propagate(m, ep, TLI, 100.0, centre="mars")
    with pytest.raises(InputError, match="state0"):
        propagate(m, ep, [1.0, 2.0], 100.0)
    with pytest.raises(InputError, match="state0"):
        propagate(m, ep, [np.nan] * 6, 100.0)
    with pytest.raises(InputError, match="t_end_s"):
        propagate(m, ep, TLI, float("inf"))
    with pytest.raises(InputError, match="moon_degree 99 exceeds"):
        CislunarForceModel(moon_degree=99)
    with pytest.raises(InputError, match="non-negative integer"):
        CislunarForceModel(earth_degree=-1)
    with pytest.raises(InputError, match="kind"):
        from cosmoplan.cislunar.dynamics import CislunarEvent

        CislunarEvent("nowhere")
    with pytest.raises(InputError, match="positive"):
        earth_distance_event(-5.0)


def test_outside_ephemeris_is_a_data_range_error():
    from cosmoplan.errors import DataRangeError

    m = CislunarForceModel(earth_degree=0, moon_degree=2)
    with pytest.raises(DataRangeError):
        propagate(m, Epoch.from_iso("2070-01-01T00:00:00", scale="tdb"), TLI, 3600.0)
