"""Ground-station access (cosmoplan.access): the Moon seen from the partners' networks.

Physical facts the tests rest on (geometric elevation, no refraction):

* Over a whole month the Moon's declination swings symmetrically (about +/-28.7 deg in
  March 2025, near the major lunar standstill). The half-arc above the horizon obeys
  cos H = -tan(lat) tan(dec), and H(dec) + H(-dec) = 180 deg, so for any latitude where the
  Moon is not circumpolar each station sees it half the time, less a few minutes a day
  for the horizontal parallax (0.95 deg): 0.47..0.51 with a 0 deg mask.
* The Moon rises once per lunar day (24 h 50 min on average): ~29 contacts in 30 days.
* At northern declination a northern station has long passes and a southern one short
  ones, and the reverse two weeks later: daily visibility follows the declination with
  opposite signs.
* NASA's three 70 m antennas are ~120 deg apart in longitude, so with a 0 deg mask the
  Moon is always above some horizon. With a 10 deg mask the arcs shrink; two of the three
  complexes are northern (Goldstone 35 N, Madrid 40 N), so the arcs are shortest, and the
  gaps appear, when the Moon is far south. ESA's network (two southern antennas) shows the
  mirror image. Coverage stays "nearly 100 %": > 95 %, no gap longer than 2 h.
"""

import json

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import GCRS, ITRS, AltAz, CartesianRepresentation, EarthLocation
from astropy.time import Time
from astropy.utils import iers

from cosmoplan import access
from cosmoplan.access import (
    Contact,
    GroundStation,
    InterpolatedTarget,
    contacts,
    coverage,
    elevation_series,
    load_networks,
    load_stations,
    network,
    station,
)
from cosmoplan.ephemeris import moon_position_gcrf
from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.time import Epoch

iers.conf.auto_download = False

HOUR = 3600.0
LUNAR_DAY_H = 24.84  # mean interval between moonrises, hours (synodic month / (month - 1))
ELEV_TOL_DEG = 1e-3  # required agreement of the refined rise/set elevation with the mask
START, STOP = "2025-03-01T00:00:00Z", "2025-03-31T00:00:00Z"


@pytest.fixture(scope="module")
def month():
    """30 days every 10 min (UTC) and the Moon's GCRF positions (DE421) on that grid."""
    t = Epoch.arange(Epoch.from_iso(START), Epoch.from_iso(STOP), 600.0)
    return t, moon_position_gcrf(t)


@pytest.fixture(scope="module")
def zero_mask(month):
    """Coverage of the Moon by each bundled network with a 0 deg mask."""
    t, _ = month
    return {name: coverage(name, t, moon_position_gcrf, mask_deg=0.0) for name in
            access.NETWORK_NAMES}


def _declination_deg(epoch):
    r = moon_position_gcrf(epoch)
    return np.degrees(np.arcsin(r[..., 2] / np.linalg.norm(r, axis=-1)))


# ----------------------------------------------------------------------------- stations
def test_bundled_networks_and_sources():
    nets = load_networks()
    assert tuple(nets) == access.NETWORK_NAMES
    names = {n: [s.name for s in nets[n]] for n in nets}
    assert names == {"china": ["Kashi", "Jiamusi", "Neuquen"],
                     "russia": ["Bear Lakes", "Kalyazin", "Ussuriysk"],
                     "esa": ["New Norcia", "Cebreros", "Malargue"],
                     "nasa": ["DSS-14", "DSS-43", "DSS-63"]}
    for net in nets.values():
        assert net.title and len(net) == 3
        for s in net:
            assert s.network == net.name and s.source and s.dish_m >= 35.0
            assert s.min_elevation_deg == 10.0
    assert station("dss 43") is station("DSS-43")
    assert station("neuquén").name == "Neuquen"
    assert network("NASA") is nets["nasa"]


@pytest.mark.parametrize("name, xyz_m", [
    ("DSS-14", (-2353621.3873, -4641341.4492, 3677052.2629)),
    ("DSS-43", (-4460894.9092, 2682361.5401, -3674748.0458)),
])
def test_dsn_coordinates_reproduce_jpl_itrf(name, xyz_m):
    """The bundled geodetic values give back JPL's ITRF2005 positions to 1 m (rounding)."""
    assert np.allclose(station(name).itrf() * 1000.0, xyz_m, atol=1.0)


# ----------------------------------------------------------------------------- the Moon
@pytest.mark.parametrize("name", access.NETWORK_NAMES)
def test_each_station_sees_the_moon_half_the_time(zero_mask, name):
    cov = zero_mask[name]
    for s in cov.stations:
        assert 0.47 < cov.per_station[s.name] < 0.51, (s.name, cov.per_station[s.name])
        cs = cov.contacts[s.name]
        assert 28 <= len(cs) <= 31
        rises = [c.rise for c in cs if not c.rise.isclose(cov.start)]
        gaps_h = np.diff([float(r - cov.start) for r in rises]) / HOUR
        # once per lunar day: the mean interval is the lunar day, each one close to it
        assert abs(np.mean(gaps_h) - LUNAR_DAY_H) < 0.2, (s.name, np.mean(gaps_h))
        assert np.all((gaps_h > 23.0) & (gaps_h < 27.0)), (s.name, gaps_h)
        assert all(0 < c.duration_s < 21 * HOUR for c in cs)


def test_southern_station_sees_the_moon_at_other_times(month):
    """Daily visibility follows the declination: + for Ussuriysk (44 N), - for DSS-43 (35 S)."""
    t, r = month
    day = 144  # samples per day
    ndays = t.size // day
    dec = _declination_deg(t[: ndays * day]).reshape(ndays, day).mean(axis=1)
    frac = {}
    for name in ("Ussuriysk", "DSS-43"):
        el = elevation_series(name, t, r)
        frac[name] = (el[: ndays * day] >= 0).reshape(ndays, day).mean(axis=1)
    assert np.corrcoef(dec, frac["Ussuriysk"])[0, 1] > 0.95
    assert np.corrcoef(dec, frac["DSS-43"])[0, 1] < -0.95
    north, south = np.argmax(dec), np.argmin(dec)
    # at dec +28.6: 2H/360 = 0.68 at 44 N and 0.37 at 35 S (cos H = -tan(lat) tan(dec))
    assert frac["Ussuriysk"][north] - frac["DSS-43"][north] > 0.25
    assert frac["DSS-43"][south] - frac["Ussuriysk"][south] > 0.25


def test_nasa_dsn_sees_the_moon_nearly_always(month, zero_mask):
    t, _ = month
    assert zero_mask["nasa"].fraction == 1.0 and zero_mask["nasa"].gaps == []
    cov = coverage("nasa", t, moon_position_gcrf, mask_deg=10.0)
    assert 0.95 < cov.fraction < 1.0
    assert cov.longest_gap_s < 2 * HOUR
    assert all(0.38 < f < 0.45 for f in cov.per_station.values())
    # the gaps longer than 30 min all come with the Moon far south
    long_gaps = [g for g in cov.gaps if g.duration_s > 0.5 * HOUR]
    assert long_gaps
    mid = Epoch.concatenate([g.rise + 0.5 * g.duration_s for g in long_gaps])
    assert np.all(_declination_deg(mid) < -15.0)
    assert "DSS-43" in cov.table()


def test_esa_gaps_are_the_mirror_image(zero_mask):
    """ESA's network has two southern antennas: its gaps come with the Moon north."""
    cov = zero_mask["esa"]
    assert 0.9 < cov.fraction < 1.0
    long_gaps = [g for g in cov.gaps if g.duration_s > 0.5 * HOUR]
    mid = Epoch.concatenate([g.rise + 0.5 * g.duration_s for g in long_gaps])
    assert np.all(_declination_deg(mid) > 5.0)


def test_rise_set_against_astropy_altaz():
    """astropy's own GCRS->ITRS chain, geodetic site and AltAz give the mask at our times."""
    st = station("DSS-43")
    grid = Epoch.arange(Epoch.from_iso(START), Epoch.from_iso("2025-03-04T00:00:00Z"), 600.0)
    cs = contacts(st, grid, moon_position_gcrf, mask_deg=10.0)
    events = [e for c in cs for e in c if not (e.isclose(grid[0]) or e.isclose(grid[-1]))]
    assert len(events) >= 4
    ep = Epoch.concatenate(events)
    t = Time(ep.jd1, ep.jd2, format="jd", scale=ep.scale)
    r = moon_position_gcrf(ep)
    itrs = GCRS(CartesianRepresentation(r.T * u.km), obstime=t).transform_to(ITRS(obstime=t))
    loc = EarthLocation.from_geodetic(st.lon_deg * u.deg, st.lat_deg * u.deg,
                                      st.height_km * u.km)
    topo = itrs.cartesian - loc.get_itrs(t).cartesian
    altaz = ITRS(topo, obstime=t, location=loc).transform_to(AltAz(obstime=t, location=loc))
    assert np.max(np.abs(altaz.alt.deg - 10.0)) < ELEV_TOL_DEG


def test_array_target_matches_callable(month):
    """Positions every 10 min, spline-interpolated, give the same rise/set times (< 0.05 s)."""
    t, r = month
    a = contacts("Kashi", t[:600], r[:600], mask_deg=5.0)
    b = contacts("Kashi", t[:600], moon_position_gcrf, mask_deg=5.0)
    assert len(a) == len(b) >= 3
    for ca, cb in zip(a, b):
        assert abs(float(ca.rise - cb.rise)) < 0.05 and abs(float(ca.set - cb.set)) < 0.05


def test_contact_in_progress_is_clipped(month):
    t, r = month
    el = elevation_series("DSS-43", t[:2], r[:2])
    assert el[0] > 10.0  # the Moon is up at the start of March 2025 from Canberra
    first = contacts("DSS-43", t[:200], r[:200])[0]
    assert isinstance(first, Contact)
    assert first.rise.isclose(t[0], atol_s=0.0)
    rise, set_ = first
    assert set_ > rise and first.duration_s == pytest.approx(float(set_ - rise))


def test_user_station_and_lunar_site_like_target():
    """Any GroundStation and any callable target work; a target at the zenith is always up."""
    st = GroundStation("Pole", "user", 90.0, 0.0, 0.0)
    grid = Epoch.arange(Epoch.from_iso(START), Epoch.from_iso("2025-03-02T00:00:00Z"), 3600.0)

    def above_pole(ep):
        return np.broadcast_to([0.0, 0.0, 400000.0], ep.shape + (3,))

    cs = contacts(st, grid, above_pole, mask_deg=80.0)
    assert len(cs) == 1 and cs[0].rise.isclose(grid[0]) and cs[0].set.isclose(grid[-1])
    cov = coverage([st], grid, above_pole, mask_deg=80.0)
    assert cov.fraction == 1.0 and cov.longest_gap_s == 0.0


# ----------------------------------------------------------------------------- bad input
def test_unknown_names_list_the_valid_ones():
    with pytest.raises(InputError, match="known networks: china, russia, esa, nasa"):
        network("jaxa")
    with pytest.raises(InputError, match="DSS-63") as exc:
        station("DSS-65")
    assert exc.value.field == "station" and exc.value.value == "DSS-65"
    with pytest.raises(InputError, match="neither a network .*china.*nor a station .*Kashi"):
        coverage(["nasa", "Usuda"], Epoch.from_iso([START, STOP]), moon_position_gcrf)


def test_shapes_and_epochs_are_checked(month):
    t, r = month
    with pytest.raises(InputError, match=r"shape \(4320, 3\).*got \(4319, 3\)"):
        contacts("DSS-14", t, r[:-1])
    with pytest.raises(InputError, match=r"shape \(2, 3\).*got \(3,\)"):
        contacts("DSS-14", t[:2], lambda ep: np.zeros(3))
    bad = Epoch.concatenate([t[:5], t[3:4]])
    with pytest.raises(InputError, match=r"strictly increasing: epochs\[5\]") as exc:
        contacts("DSS-14", bad, moon_position_gcrf)
    assert exc.value.field == "epochs" and exc.value.value == 5
    with pytest.raises(InputError, match="1-D Epoch of at least 2"):
        contacts("DSS-14", t[0], moon_position_gcrf)
    with pytest.raises(InputError, match="cosmoplan Epoch"):
        contacts("DSS-14", [0.0, 1.0], moon_position_gcrf)
    with pytest.raises(InputError, match="mask_deg 95.0 is outside"):
        contacts("DSS-14", t[:10], r[:10], mask_deg=95.0)
    with pytest.raises(InputError, match="tol_s"):
        contacts("DSS-14", t[:10], r[:10], tol_s=5.0)
    nan = r[:10].copy()
    nan[3, 1] = np.nan
    with pytest.raises(InputError, match="NaN"):
        elevation_series("DSS-14", t[:10], nan)
    interp = InterpolatedTarget(t[:10], r[:10])
    with pytest.raises(DataRangeError) as exc:
        interp(t[8:12])
    assert exc.value.mask.tolist() == [False, False, True, True]


def test_station_values_are_checked():
    with pytest.raises(InputError, match="lat_deg 95.0 is outside") as exc:
        GroundStation("X", "user", 95.0, 0.0, 0.0)
    assert exc.value.field == "lat_deg"
    with pytest.raises(InputError, match="metres given as km"):
        GroundStation("X", "user", 10.0, 0.0, 650.0)
    assert GroundStation("X", "user", 10.0, 350.0, 0.0).lon_deg == pytest.approx(-10.0)


def test_user_csv_and_json(tmp_path):
    good = tmp_path / "st.csv"
    good.write_text("name,lat_deg,lon_deg,height_km,dish_m,source\n"
                    "Alpha,10.5,20.25,0.1,12,survey\nBeta,-33,151,0.05,,\n")
    a, b = load_stations(good)
    assert (a.name, a.lat_deg, a.dish_m, a.network) == ("Alpha", 10.5, 12.0, "user")
    assert b.dish_m is None and b.min_elevation_deg == 10.0
    js = tmp_path / "st.json"
    js.write_text(json.dumps({"stations": [{"name": "Gamma", "lat_deg": 1, "lon_deg": 2,
                                            "height_km": 0.0, "network": "mine"}]}, indent=1))
    (g,) = load_stations(js)
    assert g.network == "mine"
    # the bundled file reads back through the user path too
    bundled = access.__file__.replace("access.py", "data/ground_stations.json")
    assert len(load_stations(bundled)) == 12


@pytest.mark.parametrize("text, line, fld, value, match", [
    ("name,lat_deg,lon_deg,height_km\nA,1,2,0\nB,north,2,0\n", 3, "lat_deg", "north",
     "lat_deg must be a number"),
    ("name,lat,lon_deg,height_km\nA,1,2,0\n", 1, "lat", "lat", "unknown column 'lat'"),
    ("name,lat_deg,lon_deg\nA,1,2\n", 1, "height_km", None, "missing column"),
    ("name,lat_deg,lon_deg,height_km\nA,1,2,0\nB,-91,2,0\n", 3, "lat_deg", -91.0,
     "outside"),
    ("name,lat_deg,lon_deg,height_km\nA,1,2\n", 2, None, ["A", "1", "2"], "3 values for 4"),
    ("name,lat_deg,lon_deg,height_km\nA,1,2,0\na,1,2,0\n", None, "name", "a", "twice"),
])
def test_csv_errors_name_file_line_field_value(tmp_path, text, line, fld, value, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(InputError, match=match) as exc:
        load_stations(p)
    e = exc.value
    assert (e.source, e.line, e.field, e.value) == (str(p), line, fld, value)
    assert str(p) in str(e)


def test_json_errors_name_file_line_field_value(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('[\n {"name": "A", "lat_deg": 1, "lon_deg": 2, "height_km": 0},\n'
                 ' {"name": "B", "lat_deg": 1, "lon_deg": "east", "height_km": 0}\n]\n')
    with pytest.raises(InputError, match="lon_deg must be a number") as exc:
        load_stations(p)
    e = exc.value
    assert (e.source, e.line, e.field, e.value) == (str(p), 3, "[1].lon_deg", "east")
    p.write_text('[\n {"name": "A",\n "lat_deg": }\n]')
    with pytest.raises(InputError, match="invalid JSON") as exc:
        load_stations(p)
    assert exc.value.line == 3
    p.write_text('[{"name": "A", "lat_deg": 1, "lon_deg": 2, "height_km": 0, "alt": 3}]')
    with pytest.raises(InputError, match="unknown key.*alt") as exc:
        load_stations(p)
    assert exc.value.field == "[0].alt"
    with pytest.raises(InputError, match=r"\.csv or \.json"):
        load_stations(tmp_path / "stations.txt")
