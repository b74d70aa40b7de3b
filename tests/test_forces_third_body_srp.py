"""Third-body perturbations, Hermite body tables, conical shadows and cannonball SRP."""

from decimal import Decimal, getcontext

import numpy as np
import pytest

from cosmoplan.constants import MOON_RADIUS_KM, SUN_RADIUS_KM, WGS84_A_KM, WGS84_F
from cosmoplan.ephemeris import default_ephemeris
from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.forces.srp import (
    D_REF_KM,
    _ellipsoid_limb_radius,
    earth_shadow,
    lighting_ratio,
    shadow_function,
    srp_acceleration,
)
from cosmoplan.forces.third_body import (
    GM_KM3_S2,
    body_table,
    hermite_position_kernel,
    third_body_accel_kernel,
    third_body_acceleration,
)
from cosmoplan.time import Epoch

AU = 149597870.7
T0 = Epoch.from_iso("2024-03-01T00:00:00Z")


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _random_dirs(rng, n):
    return _unit(rng.normal(size=(n, 3)))


# --------------------------------------------------------------------- third body
def _exact_direct(r, s, gm):
    """GM [(s - r)/|s - r|^3 - s/|s|^3] in 40-digit decimal arithmetic."""
    getcontext().prec = 40
    r = [Decimal(float(x)) for x in r]
    s = [Decimal(float(x)) for x in s]
    d = [si - ri for si, ri in zip(s, r)]
    nd = sum(x * x for x in d).sqrt()
    ns = sum(x * x for x in s).sqrt()
    g = Decimal(gm)
    return np.array([float(g * (di / nd**3 - si / ns**3)) for di, si in zip(d, s)])


@pytest.mark.parametrize("body,dist_km", [("moon", 384400.0), ("sun", AU)])
def test_battin_form_is_exact_where_the_direct_difference_cancels(body, dist_km):
    rng = np.random.default_rng(7)
    gm = GM_KM3_S2[body]
    worst_battin = worst_direct = 0.0
    for radius in (6778.0, 7000.0, 26560.0, 42164.0):
        for rhat, shat in zip(_random_dirs(rng, 25), _random_dirs(rng, 25)):
            r, s = radius * rhat, dist_km * shat
            exact = _exact_direct(r, s, gm)
            battin = np.array(third_body_accel_kernel(*r, *s, gm))
            d = s - r
            direct = gm * (d / np.linalg.norm(d) ** 3 - s / np.linalg.norm(s) ** 3)
            scale = np.linalg.norm(exact)
            worst_battin = max(worst_battin, np.linalg.norm(battin - exact) / scale)
            worst_direct = max(worst_direct, np.linalg.norm(direct - exact) / scale)
    # the Battin form keeps full precision (measured < 1e-15); it equals the direct
    # formula to the latter's own rounding error (measured 2e-14 Moon, 2e-11 Sun)
    assert worst_battin < 2e-15
    assert worst_direct < (1e-13 if body == "moon" else 1e-10)


@pytest.mark.parametrize("body,dist_km", [("moon", 384400.0), ("sun", AU)])
def test_tidal_acceleration_magnitude(body, dist_km):
    gm, r = GM_KM3_S2[body], 7000.0
    # along the line to the body: GM [1/(d - r)^2 - 1/d^2] ~ 2 GM r / d^3
    a = third_body_acceleration([r, 0, 0], [dist_km, 0, 0], gm)
    exact = gm * (2 * dist_km * r - r * r) / (dist_km**2 * (dist_km - r) ** 2)
    np.testing.assert_allclose(a, [exact, 0, 0], rtol=1e-14, atol=0)
    assert a[0] == pytest.approx(2 * gm * r / dist_km**3, rel=3 * r / dist_km)
    # across it: -GM r / d^3 (compression), to first order
    b = third_body_acceleration([0, r, 0], [dist_km, 0, 0], gm)
    assert b[1] == pytest.approx(-gm * r / dist_km**3, rel=2 * r / dist_km)
    # orders of magnitude at LEO: Moon ~1.1e-9, Sun ~0.5e-9 km/s^2
    expected = {"moon": 1.2e-9, "sun": 5.5e-10}[body]
    assert a[0] == pytest.approx(expected, rel=0.05)


def test_third_body_vectorised_broadcasts():
    rng = np.random.default_rng(3)
    r = 7000.0 * _random_dirs(rng, 6).reshape(2, 3, 3)
    s = np.array([384400.0, 1000.0, -2000.0])
    a = third_body_acceleration(r, s, GM_KM3_S2["moon"])
    assert a.shape == (2, 3, 3)
    np.testing.assert_array_equal(a[1, 2], third_body_accel_kernel(*r[1, 2], *s,
                                                                   GM_KM3_S2["moon"]))


# --------------------------------------------------------------------- body tables
@pytest.mark.parametrize("body,tol_m", [("moon", 1e-3), ("sun", 1.0)])
def test_hermite_table_against_ephemeris(body, tol_m):
    span = 30 * 86400.0
    table = body_table(body, T0, span)
    ts = np.random.default_rng(11).uniform(0.0, span, 4000)
    ref = default_ephemeris().position(body, "earth", T0 + ts)
    err = np.linalg.norm(table.position(ts) - ref, axis=-1)
    # measured: Moon 0.2 mm (20 min nodes), Sun 2.4 cm (3 h nodes)
    assert err.max() * 1e3 < tol_m
    assert table.gm == GM_KM3_S2[body]
    # the nodes are the ephemeris exactly
    nodes = table.t0_s + table.step_s * np.arange(table.pos.shape[0])
    np.testing.assert_allclose(table.position(nodes[:5]), table.pos[:5], rtol=0, atol=1e-9)


def test_table_time_axis_origin_backwards_and_range():
    origin = T0 - 7200.0
    fwd = body_table("moon", T0, 86400.0, origin=origin)
    assert fwd.t0_s == pytest.approx(7200.0, abs=1e-6)
    assert fwd.t1_s >= 7200.0 + 86400.0
    back = body_table("moon", T0 + 86400.0, -86400.0, origin=origin)
    t = np.array([7200.0 + 1000.0, 7200.0 + 50000.0])
    np.testing.assert_allclose(back.position(t), fwd.position(t), rtol=0, atol=1e-8)
    # outside the table: NaN from the kernel, InputError from the wrapper
    x = hermite_position_kernel(fwd.t0_s, fwd.step_s, fwd.pos, fwd.vel, fwd.t0_s - 60.0)
    assert np.all(np.isnan(x))
    with pytest.raises(InputError):
        fwd.position(fwd.t1_s + 60.0)
    with pytest.raises(InputError):
        body_table("sun", T0, 3600.0, step_s=0.0)


def test_table_outside_ephemeris_raises_data_range_error():
    # DE421 ends 2053-10-09: the ephemeris' DataRangeError propagates unchanged
    late = Epoch.from_iso("2053-10-05T00:00:00", scale="tdb")
    with pytest.raises(DataRangeError):
        body_table("moon", late, 10 * 86400.0)


# --------------------------------------------------------------------- shadows
SUN_X = np.array([AU, 0.0, 0.0])


def _sat(phi, radius=7000.0):
    """Satellite on a circle in the Sun plane, phi from the anti-Sun direction."""
    return radius * np.array([-np.cos(phi), np.sin(phi), 0.0])


def test_sunlight_umbra_and_exact_eclipse():
    assert earth_shadow([7000.0, 0, 0], SUN_X) == 1.0
    assert earth_shadow([0, 7000.0, 0], SUN_X) == 1.0
    assert earth_shadow([-7000.0, 0, 0], SUN_X) == 0.0
    assert shadow_function([-7000.0, 0, 0], SUN_X, [0, 0, 0], WGS84_A_KM) == 0.0
    # a satellite directly behind the Earth on the real Sun-Earth line
    eph = default_ephemeris()
    sun = eph.position("sun", "earth", T0)
    moon = eph.position("moon", "earth", T0)
    r = -7000.0 * _unit(sun)
    assert lighting_ratio(r, sun, moon) == 0.0
    a = srp_acceleration(r, sun, moon, cr=1.5, area_m2=1.0, mass_kg=100.0)
    np.testing.assert_array_equal(a, 0.0)


def test_penumbra_is_continuous_monotonic_and_of_the_right_width():
    radius = 7000.0
    alpha_e = np.arcsin(WGS84_A_KM / radius)
    alpha_s = np.arcsin(SUN_RADIUS_KM / AU)
    phi = np.linspace(alpha_e - 2 * alpha_s, alpha_e + 2 * alpha_s, 4001)
    pts = np.array([_sat(p, radius) for p in phi])
    for nu in (earth_shadow(pts, SUN_X, flattening=0.0),
               shadow_function(pts, SUN_X, [0, 0, 0], WGS84_A_KM)):
        assert nu[0] == 0.0 and nu[-1] == 1.0
        assert np.all(np.diff(nu) >= 0.0)
        # continuity: no step larger than the slope allows (max slope ~ 2/(pi alpha_s))
        dphi = phi[1] - phi[0]
        assert np.max(np.diff(nu)) < 1.5 * dphi * 2.0 / (np.pi * alpha_s)
        inside = phi[(nu > 0.0) & (nu < 1.0)]
        width = inside[-1] - inside[0] + dphi
        # penumbra arc = 2 alpha_s = 0.53 deg (8.6 s at 7000 km)
        assert width == pytest.approx(2 * alpha_s, rel=2e-3)
        mid = np.interp(0.5 * (inside[0] + inside[-1]), phi, nu)
        assert mid == pytest.approx(0.5, abs=0.01)


def test_ellipsoid_limb_matches_brute_force_and_sphere_on_the_equator():
    a, b = WGS84_A_KM, WGS84_A_KM * (1 - WGS84_F)
    # equatorial plane: the section is the circle of radius a
    pts = np.array([_sat(p) for p in np.linspace(1.0, 1.2, 50)])
    np.testing.assert_allclose(earth_shadow(pts, SUN_X),
                               shadow_function(pts, SUN_X, [0, 0, 0], a), atol=1e-12)
    # meridian plane x-z, satellite behind the Earth at high latitude: brute-force each
    # tangent by maximising the angle (seen from the satellite) of ellipse points
    t = np.linspace(-np.pi, np.pi, 1_000_001)
    q = np.stack([a * np.cos(t), np.zeros_like(t), b * np.sin(t)], axis=-1)
    for lat in np.radians([-15.0, -70.0]):
        p = 7000.0 * np.array([-np.cos(lat), 0.0, np.sin(lat)])
        v = q - p
        ang = np.arccos(np.clip((v @ -p) / (np.linalg.norm(v, axis=-1) * 7000.0), -1, 1))
        side = np.cross(-p, v)[:, 1]
        for sgn in (1.0, -1.0):
            limb = ang[side * sgn < 0].max()
            th = sgn * limb  # Sun exactly behind that limb point, far away
            rot = np.array([[np.cos(th), 0, -np.sin(th)], [0, 1, 0],
                            [np.sin(th), 0, np.cos(th)]])
            sun = p + AU * (rot @ _unit(-p))
            got = _ellipsoid_limb_radius(*p, *sun, 0.0, 0.0, 1.0, a, b)
            assert got == pytest.approx(limb, abs=1e-10)
            # the Sun centre on the limb: penumbra middle, nu ~ 0.5 (0.5004: curved limb)
            assert earth_shadow(p, sun) == pytest.approx(0.5, abs=0.01)
            # the flattened Earth hides less of the Sun than the sphere of radius a
            assert earth_shadow(p, sun, flattening=0.0) < 0.48
            # any axes: rotate everything (pole included) and get the same ratio, to the
            # ~1e-9 conditioning of the overlap formula when alpha_body >> alpha_sun
            rz = np.array([[0.6, -0.8, 0], [0.8, 0.6, 0], [0, 0, 1.0]])
            rx = np.array([[1.0, 0, 0], [0, 0.8, -0.6], [0, 0.6, 0.8]])
            m = rx @ rz
            assert earth_shadow(m @ p, m @ sun, pole=m @ [0, 0, 1.0]) == pytest.approx(
                earth_shadow(p, sun), abs=1e-8)


def test_moon_shadow_and_orekit_combination_rule():
    eph = default_ephemeris()
    sun = eph.position("sun", "earth", T0)
    moon = eph.position("moon", "earth", T0)
    # behind the Moon on the Sun-Moon line, inside its umbra (length ~374000 km)
    r = moon + 5000.0 * _unit(moon - sun)
    assert lighting_ratio(r, sun, moon) == 0.0
    assert lighting_ratio(r, sun) == 1.0  # the Earth alone does not hide the Sun there
    # Earth and Moon each hiding a separate part of the solar disk: the occulted areas
    # add (Orekit 13 rule), which differs from the product of the ratios
    radius = 7000.0
    alpha_s = np.arcsin(SUN_RADIUS_KM / AU)
    p = _sat(np.arcsin(WGS84_A_KM / radius), radius)  # Earth limb across the Sun centre
    u = _unit(SUN_X - p)
    w = _unit(np.cross(np.cross(-p, u), u))  # in-plane, pointing away from the Earth
    dist = MOON_RADIUS_KM / np.sin(alpha_s)  # Moon disk as large as the Sun's
    m = p + dist * (np.cos(1.2 * alpha_s) * u + np.sin(1.2 * alpha_s) * w)
    nu_e = lighting_ratio(p, SUN_X, earth_f=0.0)
    nu_m = shadow_function(p, SUN_X, m, MOON_RADIUS_KM)
    assert 0.3 < nu_e < 0.7 and 0.3 < nu_m < 0.9
    both = lighting_ratio(p, SUN_X, m, earth_f=0.0)
    assert both == pytest.approx(nu_e + nu_m - 1.0, abs=1e-12)
    assert lighting_ratio(p, SUN_X, m, earth_f=0.0, combine="product") == pytest.approx(
        nu_e * nu_m, abs=1e-15)


# --------------------------------------------------------------------- SRP
def test_srp_magnitude_at_reference_distance():
    # Orekit's D_REF = 149597870.0 km; Cr = 1.5, A/m = 0.01 m^2/kg:
    # 4.56e-6 * 1.5 * 0.01 = 6.84e-8 m/s^2, away from the Sun
    r = np.array([7000.0, 0.0, 0.0])
    sun = np.array([7000.0 + D_REF_KM, 0.0, 0.0])
    a = srp_acceleration(r, sun, cr=1.5, area_m2=1.0, mass_kg=100.0)
    np.testing.assert_allclose(a, [-6.84e-11, 0.0, 0.0], rtol=1e-13, atol=0)
    # 1/d^2: at 1 au (IAU 2012) the pressure is 9.4e-9 smaller
    a1 = srp_acceleration(r, sun + [0.7, 0, 0], cr=1.5, area_m2=1.0, mass_kg=100.0)
    assert a1[0] / a[0] == pytest.approx((D_REF_KM / (D_REF_KM + 0.7)) ** 2, rel=1e-14)
    # penumbra scales it; batch shape kept
    pts = np.array([_sat(p) for p in np.linspace(1.0, 1.2, 6)]).reshape(2, 3, 3)
    acc = srp_acceleration(pts, SUN_X, cr=1.2, area_m2=2.0, mass_kg=500.0)
    assert acc.shape == (2, 3, 3)
    nu = lighting_ratio(pts, SUN_X)
    full = srp_acceleration(pts, SUN_X, cr=1.2, area_m2=2.0, mass_kg=500.0, earth_a=0.0)
    np.testing.assert_allclose(acc, full * nu[..., None], rtol=1e-14, atol=0)
    with pytest.raises(InputError):
        srp_acceleration(r, sun, cr=1.5, area_m2=1.0, mass_kg=0.0)
