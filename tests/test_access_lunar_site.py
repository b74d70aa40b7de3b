"""Ground-station contacts with a lunar surface site, both horizons applied."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cosmoplan import moon
from cosmoplan.access import LunarSiteTarget, contacts, coverage, look_angles, station
from cosmoplan.ephemeris import moon_position_gcrf
from cosmoplan.errors import InputError
from cosmoplan.surface.horizon import Horizon
from cosmoplan.time import Epoch

T0 = Epoch.from_iso("2025-03-01T00:00:00Z")
GRID = Epoch.arange(T0, T0 + 30 * 86400.0, 600.0)


@pytest.fixture(scope="module")
def target():
    return LunarSiteTarget("shackleton-rim")


def test_position_is_on_the_lunar_sphere(target):
    r = target(GRID[:5])
    d = np.linalg.norm(r - moon_position_gcrf(GRID[:5]), axis=-1)
    np.testing.assert_allclose(d, 1737.4, atol=1e-9)


def test_contacts_need_both_ends_in_view(target):
    kashi = station("Kashi")
    site_c = contacts(kashi, GRID, target)
    moon_c = contacts(kashi, GRID, moon_position_gcrf)
    assert site_c, "Kashi must see Shackleton's rim at some time in a month"
    # the site's horizon removes the contacts while the Earth is below it (half a month)
    assert sum(c.duration_s for c in site_c) < 0.8 * sum(c.duration_s for c in moon_c)
    lat, lon = math.radians(-88.74), math.radians(124.5)
    for c in site_c:
        mid = c.rise + 0.5 * c.duration_s
        el_station = look_angles(kashi, mid, target)[1]
        assert el_station >= kashi.min_elevation_deg - 1e-6
        st_gcrf = lambda ep: np.broadcast_to(  # noqa: E731
            __import__("cosmoplan.frames", fromlist=["transform"]).transform(
                kashi.itrf(), None, ep, "ITRF", "GCRF")[0], ep.shape + (3,))
        el_site = moon.look_angles(lat, lon, 0.0, mid, st_gcrf, correction="none")[1]
        assert el_site >= 0.0
    # at the refined ends one of the two conditions is exactly at its limit (to 0.01 s)
    for c in site_c:
        for ep in (c.rise, c.set):
            if ep in (GRID[0], GRID[-1]):
                continue
            m_station = look_angles(kashi, ep, target)[1] - kashi.min_elevation_deg
            m_site = math.degrees(target.station_margin(kashi.itrf(), ep))
            assert min(abs(m_station), abs(m_site)) < 1e-3  # deg: < 0.1 s of motion


def test_a_site_horizon_mask_shortens_contacts():
    flat = LunarSiteTarget("shackleton-rim")
    az = np.radians(np.arange(0.0, 360.0, 30.0))
    ridge = LunarSiteTarget("shackleton-rim", Horizon(az, np.full(az.size, math.radians(1.5)),
                                                      "mask"))
    a = coverage("china", GRID, flat)
    b = coverage("china", GRID, ridge)
    assert b.fraction < a.fraction
    assert b.longest_gap_s > a.longest_gap_s


def test_bad_arguments():
    with pytest.raises(InputError, match="Shackleton"):
        LunarSiteTarget("Shakleton rim")
    with pytest.raises(InputError, match="horizon"):
        LunarSiteTarget("south pole", horizon=[0.0, 1.0])
    with pytest.raises(InputError, match="min_elevation_deg"):
        LunarSiteTarget("south pole", min_elevation_deg=95.0)
