"""Site illumination and Earth visibility (cosmoplan.surface.analysis)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.surface.analysis import analyze_site, disk_fraction
from cosmoplan.surface.horizon import Horizon
from cosmoplan.surface.sites import LunarSite
from cosmoplan.time import Epoch

START = "2025-01-01T00:00:00Z"
SUN_SEMI_DIAMETER_MAX_DEG = 0.272  # at perihelion (IAU R_sun / 0.983 au)
LUNAR_AXIS_TO_ECLIPTIC_DEG = 1.543  # Bryant (JPL); shared/refdata/vectors/lunar_south_pole.json


@pytest.fixture(scope="module")
def pole_year():
    return analyze_site("south pole", START, 365.0, step_s=600.0)


def test_disk_fraction_is_the_circular_segment_area():
    r = math.radians(0.266)
    assert disk_fraction(0.0, r, 0.0) == pytest.approx(0.5, abs=1e-15)
    assert disk_fraction(r, r, 0.0) == pytest.approx(1.0)
    assert disk_fraction(-r, r, 0.0) == pytest.approx(0.0)
    assert disk_fraction(2 * r, r, 0.0) == 1.0 and disk_fraction(-2 * r, r, 0.0) == 0.0
    # centre half a radius up: 1 - (acos(.5) - .5 sqrt(.75)) / pi = 0.80450
    assert disk_fraction(0.5 * r, r, 0.0) == pytest.approx(0.8044988905221148, rel=1e-12)
    # a horizon sloped at 45 deg halves the perpendicular distance by sqrt(2)
    assert disk_fraction(0.5 * r, r, 0.0, math.cos(0.5 * r)) == pytest.approx(
        disk_fraction(0.5 * r / math.sqrt(2.0), r, 0.0), rel=1e-9)
    # symmetry: f(x) + f(-x) = 1
    x = np.linspace(-1.2, 1.2, 25) * r
    np.testing.assert_allclose(disk_fraction(x, r, 0.0) + disk_fraction(-x, r, 0.0), 1.0,
                               atol=1e-14)


def test_pole_sun_never_higher_than_tilt_plus_colatitude_plus_semi_diameter(pole_year):
    limit = LUNAR_AXIS_TO_ECLIPTIC_DEG + 0.0 + SUN_SEMI_DIAMETER_MAX_DEG
    assert np.degrees(pole_year.sun_el.max()) < limit
    assert np.degrees(pole_year.sun_el.min()) > -limit
    # and it does get close to the tilt over a year (the draconic year is 346 d)
    assert np.degrees(pole_year.sun_el.max()) > LUNAR_AXIS_TO_ECLIPTIC_DEG - 0.2


def test_pole_is_lit_about_half_the_time_over_a_flat_horizon(pole_year):
    # the sub-solar latitude swings symmetrically over the 346-day draconic year
    assert pole_year.mean_disk_fraction == pytest.approx(0.5, abs=0.05)
    assert pole_year.fully_lit_fraction < pole_year.mean_disk_fraction < \
        pole_year.lit_fraction
    # a single long night: half a draconic year at most
    assert 100 * 24 < pole_year.longest_night_s / 3600.0 < 180 * 24


def test_earth_elevation_at_the_pole_within_the_libration_bounds(pole_year):
    el = np.degrees(pole_year.earth_el)
    assert np.abs(el).max() < 6.85 + 0.3  # libration in latitude + parallax
    assert 0.3 < pole_year.earth_visible_fraction < 0.7
    # the Earth rises and sets once a month (draconic month 27.2 d)
    rises = [e for e in pole_year.events if e.kind == "earthrise"]
    assert 12 <= len(rises) <= 15


def test_near_pole_sites_follow_the_bound_with_their_colatitude():
    site = LunarSite("test", -88.0, 45.0)
    a = analyze_site(site, START, 60.0, step_s=900.0)
    limit = LUNAR_AXIS_TO_ECLIPTIC_DEG + 2.0 + SUN_SEMI_DIAMETER_MAX_DEG
    assert np.degrees(a.sun_el.max()) < limit
    assert np.degrees(a.sun_el.max()) > 2.0  # the colatitude adds to it through a month


def test_events_are_refined_to_a_second():
    a = analyze_site("shackleton-rim", START, 40.0, step_s=300.0, tol_s=0.5)
    from cosmoplan.surface.analysis import _Geometry

    geo = _Geometry(a.site, a.horizon, a.observer_height_km, a.earth_min_elevation,
                    a.correction, None)
    kinds = {"sunrise": 0, "sunset": 0, "full sun begins": 1, "full sun ends": 1,
             "earthrise": 2, "earthset": 2}
    assert len(a.events) >= 4
    for ev in a.events:
        k = kinds[ev.kind]
        m = geo(ev.epoch + np.array([-1.0, 1.0]))["margins"][k]
        rising = ev.kind in ("sunrise", "full sun begins", "earthrise")
        assert (m[0] < 0.0 <= m[1]) if rising else (m[0] >= 0.0 > m[1]), ev


def test_statistics_agree_with_the_samples():
    a = analyze_site("shackleton-rim", START, 60.0, step_s=120.0)
    assert a.lit_fraction == pytest.approx(np.mean(a.sun_fraction > 0.0), abs=0.01)
    assert a.fully_lit_fraction == pytest.approx(np.mean(a.sun_fraction >= 1.0), abs=0.01)
    assert a.earth_visible_fraction == pytest.approx(np.mean(a.earth_visible), abs=0.01)
    dark = sum(n.duration_s for n in a.nights)
    assert dark / a.span_s == pytest.approx(1.0 - a.lit_fraction, abs=1e-9)
    up = sum(i.duration_s for i in a.earth_up) + sum(g.duration_s for g in a.earth_gaps)
    assert up == pytest.approx(a.span_s, abs=1e-6)


def test_a_higher_horizon_gives_less_light_and_a_mast_more():
    flat = analyze_site("shackleton-rim", START, 120.0, step_s=600.0)
    mask = Horizon.flat(0.0)
    mask = Horizon(mask.azimuth, np.full(4, math.radians(1.0)), "test mask")
    high = analyze_site("shackleton-rim", START, 120.0, step_s=600.0, horizon=mask)
    mast = analyze_site("shackleton-rim", START, 120.0, step_s=600.0, mast_m=10.0)
    assert high.lit_fraction < flat.lit_fraction < mast.lit_fraction
    assert high.earth_visible_fraction <= flat.earth_visible_fraction


def test_a_raised_rim_on_a_dem_is_lit_more_than_the_flat_horizon():
    # a 1.5 km cone (2 km radius) on a flat plain: from its top the horizon dips below 0
    from cosmoplan.surface.horizon import polar_stereographic

    lat, lon = -88.74, 124.5
    x0, y0 = polar_stereographic(math.radians(lat), math.radians(lon))
    px, n = 100.0, 401
    xs = x0 + (np.arange(n) - n // 2) * px
    ys = y0 - (np.arange(n) - n // 2) * px
    dx, dy = np.meshgrid(xs - x0, ys - y0)
    h = np.clip(1500.0 * (1.0 - np.hypot(dx, dy) / 2000.0), 0.0, None)
    tr = (px, 0.0, xs[0] - px / 2, 0.0, -px, ys[0] + px / 2)
    rim = Horizon.from_array(h, tr, lat, lon)
    assert rim.elevation.max() < 0.0
    flat = analyze_site(LunarSite("rim", lat, lon), START, 60.0, step_s=600.0)
    top = analyze_site(LunarSite("rim", lat, lon), START, 60.0, step_s=600.0, horizon=rim)
    assert top.lit_fraction > flat.lit_fraction + 0.05


def test_csv_and_table(tmp_path):
    a = analyze_site("south pole", START, 2.0, step_s=3600.0)
    a.to_csv(tmp_path / "s.csv")
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0].startswith("epoch_utc,sun_az_deg") and len(lines) == 1 + 49
    assert "Sun up" in a.table() and "Earth up" in a.table()
    s = a.summary()
    assert s["days"] == pytest.approx(2.0) and 0.0 <= s["lit_fraction"] <= 1.0


def test_progress_is_reported():
    seen = []
    analyze_site("south pole", START, 5.0, step_s=600.0, progress=lambda d, t: seen.append(d))
    assert seen[-1] == 5 * 144 + 1 and seen == sorted(seen)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(InputError, match="Shackleton"):
        analyze_site("Shackelton rim", START, 1.0)
    with pytest.raises(InputError, match="days"):
        analyze_site("south pole", START, 0.0)
    with pytest.raises(InputError, match="step_s"):
        analyze_site("south pole", START, 1.0, step_s=0.0)
    with pytest.raises(InputError, match="mast_m"):
        analyze_site("south pole", START, 1.0, horizon=Horizon.flat(), mast_m=2.0)
    with pytest.raises(InputError, match="step"):
        analyze_site("south pole", START, 36000.0, step_s=1.0)
    with pytest.raises(DataRangeError, match="2050-12-30"):  # the lunar PCK ends 2051-01-01
        analyze_site("south pole", Epoch.from_iso("2050-12-30T00:00:00", scale="tdb"), 5.0)
    with pytest.raises(InputError):
        LunarSite("bad", -91.0, 0.0)


def test_a_dem_horizon_is_refused_at_another_site():
    from cosmoplan.access import LunarSiteTarget
    from cosmoplan.surface.horizon import polar_stereographic

    lat, lon = -89.45, 222.7
    x0, y0 = polar_stereographic(math.radians(lat), math.radians(lon))
    n, px = 101, 100.0
    tr = (px, 0.0, x0 - n * px / 2, 0.0, -px, y0 + n * px / 2)
    h = Horizon.from_array(np.zeros((n, n)), tr, lat, lon)
    assert (h.lat_deg, h.lon_deg) == (lat, lon)
    with pytest.raises(InputError, match="was cast for"):
        analyze_site("connecting-ridge", START, 1.0, horizon=h)  # (-89.463, 222.51)
    with pytest.raises(InputError, match="was cast for"):
        LunarSiteTarget("connecting-ridge", horizon=h)
    # the same point written with another longitude convention is the same site
    a = analyze_site(LunarSite("here", lat, lon - 360.0), START, 1.0, step_s=3600.0, horizon=h)
    assert a.horizon is h
