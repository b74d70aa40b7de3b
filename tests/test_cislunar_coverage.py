"""Relay coverage geometry in the Earth-Moon CR3BP (physical checks)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import REFDATA
from cosmoplan.cislunar import cr3bp
from cosmoplan.cislunar.coverage import LunarSite, relay_coverage, site_position
from cosmoplan.errors import InputError


@pytest.fixture(scope="module")
def catalog_halo():
    orbit = json.loads((REFDATA / "vectors" / "cr3bp.json").read_text())["orbits"][0]
    arc = cr3bp.propagate(np.array(orbit["state0"]), orbit["period"], dense=721)
    return arc


def test_sub_earth_point_sees_the_earth_at_the_zenith():
    r, up = site_position(LunarSite("sub-Earth point", 0.0, 0.0))
    np.testing.assert_allclose(up, [-1.0, 0.0, 0.0], atol=1e-15)
    earth = np.array([-cr3bp.EARTH_MOON.mu, 0.0, 0.0])
    d = earth - r
    assert np.degrees(np.arccos(d @ up / np.linalg.norm(d))) < 1e-9
    # east longitude 90 is the trailing hemisphere: the rotating frame's -y (the Moon moves
    # toward +y; its leading apex is at 90 W)
    _, up90 = site_position(LunarSite("east limb", 0.0, 90.0))
    np.testing.assert_allclose(up90, [0.0, -1.0, 0.0], atol=1e-15)


def test_far_side_site_never_sees_the_earth_and_relies_on_the_relay(catalog_halo):
    cov = relay_coverage(catalog_halo.t, catalog_halo.states, "von-karman", mask_deg=10)
    assert cov.fraction("direct_to_earth") == 0.0  # physical: the far side
    assert np.all(cov.earth_elevation_deg < -40)  # 45 deg S, 177.6 E: Earth well below
    # the catalog orbit is nearly planar (Az ~ 40 km) and circles L2 behind the Moon
    assert cov.fraction("site_relay") == 1.0
    assert 0.9 < cov.fraction("relay_earth") < 1.0  # the Moon hides the Earth part of it
    assert cov.fraction("end_to_end") == cov.fraction("relay_earth")
    gaps = cov.gaps()
    assert gaps and cov.longest_gap() < 0.2 * catalog_halo.t[-1]


def test_planar_orbit_is_below_the_south_pole_horizon(catalog_halo):
    cov = relay_coverage(catalog_halo.t, catalog_halo.states, "shackleton-rim", mask_deg=5)
    assert cov.fraction("site_relay") == 0.0  # a planar orbit stays under 1.3 deg there
    assert np.all(cov.relay_elevation_deg < 5)
    assert cov.longest_gap() == pytest.approx(catalog_halo.t[-1])


@pytest.mark.parametrize("kwargs, field", [
    ({"site": "atlantis"}, "site"), ({"mask_deg": 95}, "mask_deg"),
    ({"relay_states": np.zeros((3, 6))}, "relay_states"),
])
def test_bad_input(catalog_halo, kwargs, field):
    args = {"t": catalog_halo.t, "relay_states": catalog_halo.states, "site": "von-karman"}
    args.update(kwargs)
    with pytest.raises(InputError) as info:
        relay_coverage(args.pop("t"), args.pop("relay_states"), args.pop("site"), **args)
    assert info.value.field == field


def test_site_coordinates_are_checked():
    with pytest.raises(InputError, match="lat_deg"):
        LunarSite("x", -91.0, 0.0)
    with pytest.raises(InputError, match="lon_deg"):
        LunarSite("x", 0.0, float("nan"))
