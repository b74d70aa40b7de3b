"""Lunar frames (MOON_PA, MOON_ME) and the view from lunar sites, against SPICE.

Reference values: tests/fixtures/moon_spice.json, written by tools/oracle_moon_spice.py
(spiceypy / CSPICE N0067 with the same DE421 kernels).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cosmoplan import moon
from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.time import Epoch

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "moon_spice.json").read_text())
R_M = 1737.4


def _tdb(et):
    return Epoch(2451545.0, np.asarray(et, float) / 86400.0, scale="tdb")


@pytest.mark.parametrize("frame", ["MOON_PA", "MOON_ME"])
def test_rotation_matches_spice_to_a_micrometre_at_the_surface(frame):
    et = np.array([f["et_tdb_s"] for f in FIXTURE["frames"]])
    ref = np.array([f[f"J2000_to_{frame}"] for f in FIXTURE["frames"]])
    m = moon.rotation_matrix(_tdb(et), frame)
    assert m.shape == (et.size, 3, 3)
    err_m = np.abs(m - ref).max() * R_M * 1000.0
    assert err_m < 1e-3, err_m  # metres at the surface; requirement 1 m


def test_pa_and_me_differ_by_the_published_offset():
    # DE421 PA vs ME: about 875 m at the surface (NAIF moon_080317.tf)
    t = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb")
    d = moon.rotation_matrix(t, "MOON_ME") - moon.rotation_matrix(t, "MOON_PA")
    assert 700.0 < np.linalg.norm(d, 2) * R_M * 1000.0 < 1000.0


def _views(target=None, corr=None):
    return [v for v in FIXTURE["views"]
            if (target is None or v["target"] == target)
            and (corr is None or v["correction"] == corr)]


@pytest.mark.parametrize("corr", ["NONE", "CN", "CN+S"])
@pytest.mark.parametrize("target", ["SUN", "EARTH"])
def test_look_angles_match_spice_azlcpo(target, corr):
    worst_el = worst_az = worst_r = 0.0
    for v in _views(target, corr):
        az, el, dist = moon.look_angles(math.radians(v["lat_deg"]), math.radians(v["lon_deg"]),
                                        v["height_km"], _tdb(v["et_tdb_s"]), target.lower(),
                                        correction=corr.lower().replace("cn", "lt"))
        worst_el = max(worst_el, abs(math.degrees(el) - v["el_deg"]))
        daz = (math.degrees(az) - v["az_deg"] + 180.0) % 360.0 - 180.0
        worst_az = max(worst_az, abs(daz) * math.cos(math.radians(v["el_deg"])))
        worst_r = max(worst_r, abs(dist - v["range_km"]))
    # 1 mas = 2.8e-7 deg; a surface metre seen from the other side of the Moon is 1.6e-5 deg
    assert worst_el < 3e-7, worst_el
    assert worst_az < 3e-7, worst_az
    assert worst_r < 1e-4, worst_r  # km


def test_corrections_move_the_sun_by_the_expected_amounts():
    lat, lon = math.radians(-88.74), math.radians(124.5)
    t = Epoch.from_iso("2028-03-01T00:00:00", scale="tdb") + np.arange(0.0, 30 * 86400.0, 86400.0)
    geo = moon.look_angles(lat, lon, 0.0, t, "sun", correction="none")
    lt = moon.look_angles(lat, lon, 0.0, t, "sun", correction="lt")
    lts = moon.look_angles(lat, lon, 0.0, t, "sun", correction="lt+s")
    # light time alone barely moves the Sun (it moves ~5 km about the barycentre in 8.3 min)
    shift = np.degrees(np.abs((lt[0] - geo[0] + np.pi) % (2 * np.pi) - np.pi))
    assert np.all((shift > 1e-7) & (shift < 1e-5))
    # aberration: v/c = 1e-4 rad (20.5 arcsec = 0.0057 deg) for the Moon's orbital speed
    ab = np.degrees(np.abs((lts[0] - lt[0] + np.pi) % (2 * np.pi) - np.pi))
    assert np.all((ab > 0.005) & (ab < 0.0065))


def test_several_targets_at_once_equal_one_at_a_time():
    t = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb") + np.linspace(0.0, 86400.0 * 40, 97)
    lat, lon = math.radians(-89.5), math.radians(200.0)
    both = moon.look_angles_many(lat, lon, 0.3, t, ("sun", "earth"))
    for target, got in zip(("sun", "earth"), both):
        one = moon.look_angles(lat, lon, 0.3, t, target)
        for a, b in zip(got, one):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_callable_target_is_a_geocentric_gcrf_position():
    # the Earth's centre given as a callable (zero geocentric vector) equals the body "earth"
    t = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb") + np.linspace(0.0, 86400.0 * 10, 11)
    lat, lon = math.radians(-85.0), math.radians(10.0)
    for corr in ("none", "lt", "lt+s"):
        a = moon.look_angles(lat, lon, 0.0, t, lambda ep: np.zeros(ep.shape + (3,)),
                             correction=corr)
        b = moon.look_angles(lat, lon, 0.0, t, "earth", correction=corr)
        np.testing.assert_allclose(a[1], b[1], atol=1e-10)
        np.testing.assert_allclose(a[2], b[2], atol=1e-6)


def test_pole_azimuth_follows_the_given_meridian():
    t = Epoch.from_iso("2028-05-01T00:00:00", scale="tdb")
    az0, el0, _ = moon.look_angles(-math.pi / 2, 0.0, 0.0, t, "earth")
    az1, el1, _ = moon.look_angles(-math.pi / 2, math.radians(90.0), 0.0, t, "earth")
    assert abs(el0 - el1) < 1e-12  # elevation does not depend on the meridian at the pole
    # rotating the reference meridian by +90 deg (eastward) turns azimuths by -90 deg...
    # at the south pole north points along +lon's meridian away from the pole
    d = (math.degrees(az1 - az0) + 180.0) % 360.0 - 180.0
    assert abs(abs(d) - 90.0) < 1e-9


def test_earth_stays_near_the_horizon_at_the_pole_within_libration_bounds():
    t0 = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb")
    t = t0 + np.arange(0.0, 366 * 86400.0, 3 * 3600.0)
    _, el, _ = moon.look_angles(-math.pi / 2, 0.0, 0.0, t, "earth")
    el = np.degrees(el)
    # optical libration in latitude (about +/-6.8 deg) plus the site's parallax (0.26 deg)
    assert np.max(np.abs(el)) < 6.85 + 0.26
    assert el.max() > 5.5 and el.min() < -5.5


def test_selenographic_round_trip():
    lat = np.radians([-90.0, -88.74, 0.0, 45.0, 89.0])
    lon = np.radians([0.0, 124.5, -170.0, 30.0, 179.0])
    r = moon.selenographic_to_fixed(lat, lon, [0.0, 1.2, -3.0, 0.5, 0.0])
    la, lo, h = moon.fixed_to_selenographic(r)
    np.testing.assert_allclose(la, lat, atol=1e-14)
    np.testing.assert_allclose(np.cos(lo[1:] - lon[1:]), 1.0, atol=1e-14)
    np.testing.assert_allclose(h, [0.0, 1.2, -3.0, 0.5, 0.0], atol=1e-10)


def test_site_position_gcrf_is_moon_centre_plus_rotated_site():
    from cosmoplan.ephemeris import moon_position_gcrf

    t = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb")
    r = moon.site_position_gcrf(math.radians(-88.74), math.radians(124.5), 0.0, t)
    assert abs(np.linalg.norm(r - moon_position_gcrf(t)) - R_M) < 1e-9


def test_bad_inputs_are_clear_errors():
    t = Epoch.from_iso("2028-01-01T00:00:00", scale="tdb")
    with pytest.raises(DataRangeError, match="lunar orientation file"):
        moon.rotation_matrix(Epoch.from_iso("2051-06-01T00:00:00", scale="tdb"))
    with pytest.raises(InputError, match="unknown lunar frame"):
        moon.rotation_matrix(t, "MOON_IAU")
    with pytest.raises(InputError, match="correction"):
        moon.look_angles(0.0, 0.0, 0.0, t, "sun", correction="LT+S+X")
    with pytest.raises(InputError, match="latitude"):
        moon.look_angles(2.0, 0.0, 0.0, t, "sun")
    with pytest.raises(InputError, match="unknown body"):
        moon.look_angles(0.0, 0.0, 0.0, t, "vulcan")
    with pytest.raises(InputError, match="Epoch"):
        moon.rotation_matrix("2028-01-01")
