"""Sun and Moon from DE421 via jplephem (cosmoplan.ephemeris)."""

import numpy as np
import pytest

from cosmoplan.ephemeris import default_ephemeris, moon_position_gcrf, sun_position_gcrf
from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.time import Epoch


def test_moon_matches_published_de421():
    """ORACLES.md §2: DE421 geometric Moon at 2021-06-17T01:22:27 UTC, jplephem = astropy:
    [-362066.278274, 94267.420106, 79147.628170] km; agreement to 1 mm expected (same
    file, same TDB)."""
    r = moon_position_gcrf(Epoch.from_iso("2021-06-17T01:22:27Z"))
    assert np.linalg.norm(r - [-362066.278274, 94267.420106, 79147.628170]) < 1e-6


def test_sun_against_astropy():
    """astropy's get_body_barycentric with the same DE421 file: < 1 m."""
    import os
    from importlib.resources import files

    from astropy.coordinates import get_body_barycentric, solar_system_ephemeris
    from astropy.time import Time

    path = os.fspath(files("skyfield_data") / "data" / "de421.bsp")
    ep = Epoch.from_iso(["2000-01-01T12:00:00Z", "2021-06-17T01:22:27Z", "2026-07-01T00:00:00Z"])
    t = Time(ep.jd1, ep.jd2, format="jd", scale="utc")
    with solar_system_ephemeris.set(path):
        ref = (get_body_barycentric("sun", t) - get_body_barycentric("earth", t))
        ref = ref.xyz.to("km").value.T
    assert np.max(np.linalg.norm(sun_position_gcrf(ep) - ref, axis=1)) < 1e-3


def test_shapes_and_velocity():
    ep = Epoch.from_iso("2021-06-17T00:00:00Z") + np.array([0.0, 10.0, 20.0, 30.0])
    r, v = default_ephemeris().position("moon", "earth", ep, velocity=True)
    assert r.shape == (4, 3) and v.shape == (4, 3)
    # velocity consistent with a central difference of positions over 20 s (its truncation
    # error, h^2/6 times the jerk ~7e-12 km/s^3, is below 1e-9 km/s)
    fd = (r[2] - r[0]) / 20.0
    assert np.linalg.norm(fd - v[1]) < 1e-8


def test_out_of_span_is_data_range_error_with_mask():
    # TDB epochs: a UTC epoch in 2060 would (rightly) warn about the leap-second table
    ep = Epoch.from_iso(["2021-01-01T00:00:00", "2060-01-01T00:00:00"], scale="tdb")
    with pytest.raises(DataRangeError) as exc:
        sun_position_gcrf(ep)
    assert exc.value.mask.tolist() == [False, True]
    assert "de421.bsp" in str(exc.value)


def test_unknown_body():
    with pytest.raises(InputError, match="unknown body"):
        default_ephemeris().position("vulcan", "earth", Epoch.from_iso("2021-01-01T00:00:00Z"))
