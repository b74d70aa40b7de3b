"""cosmoplan.surface.horizon: projection, DEM ray casting, CSV and array validation.

The terrain checks use synthetic DEMs built here with known geometry (a flat-floored
crater, a mesa, a tilted plane) on a polar stereographic grid, and compare with the exact
elevation formula including the Moon's curvature, evaluated independently in this file:
elev = atan2((R + h_p) cos g - (R + h_s), (R + h_p) sin g), g = ground distance / R.
The projection is checked against PROJ (GDAL bundled with rasterio).
"""

from __future__ import annotations

import dataclasses
import math
import sys

import numpy as np
import pytest
import rasterio  # in the 'test' extra: missing, these tests fail loudly rather than skip
from affine import Affine  # rasterio's dependency
from rasterio.crs import CRS
from rasterio.warp import transform as gdal_transform

from cosmoplan.errors import InputError
from cosmoplan.surface.horizon import (
    Horizon,
    dip_for_height,
    polar_stereographic,
    polar_stereographic_inverse,
)

R_M = 1737400.0
SOUTH = "+proj=stere +lat_0=-90 +lon_0=0 +k=1 +x_0=0 +y_0=0 +R=1737400 +units=m +no_defs"
NORTH = "+proj=stere +lat_0=90 +lon_0=0 +k=1 +x_0=0 +y_0=0 +R=1737400 +units=m +no_defs"
MOON_LONLAT = "+proj=longlat +R=1737400 +no_defs"
TOL_DEG = 0.05


def exact_elev(dist_m, h_point_m, h_obs_m):
    """Elevation (rad) of a point at ground distance dist_m, height h_point_m, seen from h_obs_m."""
    g = np.asarray(dist_m, dtype=float) / R_M
    rp = R_M + np.asarray(h_point_m, dtype=float)
    return np.arctan2(rp * np.cos(g) - (R_M + h_obs_m), rp * np.sin(g))


def grid(n, px, centre_xy):
    """Transform (a, b, c, d, e, f) and pixel-centre coordinates of an n x n grid centred
    on centre_xy (north-up: e < 0)."""
    x0 = centre_xy[0] - n * px / 2.0
    y0 = centre_xy[1] + n * px / 2.0
    tr = (px, 0.0, x0, 0.0, -px, y0)
    cols = x0 + (np.arange(n) + 0.5) * px
    rows = y0 - (np.arange(n) + 0.5) * px
    xx, yy = np.meshgrid(cols, rows)
    return tr, xx, yy


def site_xy(lat_deg, lon_deg, pole="south"):
    x, y = polar_stereographic(math.radians(lat_deg), math.radians(lon_deg), pole=pole)
    return float(x), float(y)


def map_dir(lat_deg, lon_deg, az_deg, pole="south"):
    """Map direction (unit 2-vector) of a small step from the site toward azimuth az_deg
    (numerical, through the projection: independent of the module's unit-vector code).
    At a pole: the limit for a site approaching it along meridian lon_deg (1e-4 rad away)."""
    if abs(lat_deg) == 90.0:
        lat_deg = math.copysign(90.0 - math.degrees(1e-4), lat_deg)
    lat, lon, az = map(math.radians, (lat_deg, lon_deg, az_deg))
    eps = 1e-9
    lat2 = math.asin(math.sin(lat) * math.cos(eps) + math.cos(lat) * math.sin(eps) * math.cos(az))
    lon2 = lon + math.atan2(math.sin(az) * math.sin(eps) * math.cos(lat),
                            math.cos(eps) - math.sin(lat) * math.sin(lat2))
    x1, y1 = site_xy(lat_deg, lon_deg, pole)
    x2, y2 = polar_stereographic(lat2, lon2, pole=pole)
    v = np.array([float(x2) - x1, float(y2) - y1])
    return v / np.hypot(*v)


def write_tif(path, heights, tr, crs=SOUTH, nodata=None, dtype="float32", scale=None,
              offset=None):
    with rasterio.open(path, "w", driver="GTiff", height=heights.shape[0],
                       width=heights.shape[1], count=1, dtype=dtype,
                       crs=None if crs is None else CRS.from_user_input(crs),
                       transform=Affine(*tr), nodata=nodata) as dst:
        dst.write(heights.astype(dtype), 1)
        if scale is not None:
            dst.scales = (scale,)
            dst.offsets = (offset,)
    return path


def az_diff_deg(a, b):
    return np.abs((np.asarray(a) - b + 180.0) % 360.0 - 180.0)


# ------------------------------------------------------------------------- projection
@pytest.mark.parametrize("pole, proj, sign", [("south", SOUTH, -1), ("north", NORTH, 1)])
def test_projection_matches_gdal_to_a_millimetre(pole, proj, sign):
    rng = np.random.default_rng(1)
    lat = sign * rng.uniform(60.0, 90.0, 200)
    lon = rng.uniform(-180.0, 180.0, 200)
    lat[:3] = sign * np.array([90.0, 89.99999, 80.0])
    xs, ys = gdal_transform(MOON_LONLAT, proj, list(lon), list(lat))
    x, y = polar_stereographic(np.radians(lat), np.radians(lon), pole=pole)
    assert np.max(np.abs(x - np.array(xs))) < 1e-3
    assert np.max(np.abs(y - np.array(ys))) < 1e-3
    lat2, lon2 = polar_stereographic_inverse(x, y, pole=pole)
    assert np.max(np.abs(np.degrees(lat2) - lat)) < 1e-10
    far = np.abs(lat) < 89.99
    assert np.max(az_diff_deg(np.degrees(lon2[far]), lon[far])) < 1e-9


def test_projection_sign_conventions():
    # south pole aspect: meridian 0 along +y, 90 E along +x; north: 0 along -y, 90 E along +x
    x, y = polar_stereographic(math.radians(-80.0), 0.0)
    assert abs(x) < 1e-6 and y > 0
    x, y = polar_stereographic(math.radians(-80.0), math.pi / 2)
    assert x > 0 and abs(y) < 1e-6
    x, y = polar_stereographic(math.radians(80.0), 0.0, pole="north")
    assert abs(x) < 1e-6 and y < 0
    # true scale at the pole: rho ~ R * colatitude near it
    x, y = polar_stereographic(math.radians(-89.99), 0.0)
    assert y == pytest.approx(R_M * math.radians(0.01), rel=1e-8)
    with pytest.raises(InputError, match="pole"):
        polar_stereographic(0.0, 0.0, pole="east")


def test_dip_for_height_and_flat():
    assert dip_for_height(0.0) == 0.0
    assert dip_for_height(10.0) == pytest.approx(math.sqrt(2 * 10.0 / R_M), rel=1e-5)
    assert math.degrees(dip_for_height(10.0)) == pytest.approx(0.19440, abs=1e-5)
    hz = Horizon.flat(0.5)
    assert hz.source == "flat" and hz.site_height_km == 0.0
    assert np.all(hz.elevation_at(np.linspace(-7, 7, 50)) == pytest.approx(math.radians(-0.5)))
    with pytest.raises(InputError, match="dip_deg"):
        Horizon.flat(-1.0)
    with pytest.raises(InputError, match="height_above_ground_m"):
        dip_for_height(-1.0)


# ----------------------------------------------------------------------------- crater
CRATER_A = 6000.0  # radius, m
CRATER_D = 300.0  # depth, m


def crater(lat_deg, lon_deg, n=700, px=20.0):
    centre = site_xy(lat_deg, lon_deg)
    tr, xx, yy = grid(n, px, centre)
    r = np.hypot(xx - centre[0], yy - centre[1])
    return np.where(r < CRATER_A, -CRATER_D, 0.0), tr


@pytest.mark.parametrize("lat, lon", [(-90.0, 0.0), (-88.5, 45.0)])
def test_crater_floor_sees_the_rim_with_curvature(lat, lon):
    heights, tr = crater(lat, lon)
    hz = Horizon.from_array(heights, tr, lat, lon)
    assert hz.azimuth.size == 360 and hz.source == "DEM array"
    assert hz.site_height_km == pytest.approx(-CRATER_D / 1000.0)
    rho = math.hypot(*site_xy(lat, lon))
    k = 1.0 + rho**2 / (4 * R_M**2)  # map scale: the rim is CRATER_A / k away on the ground
    expected = math.degrees(exact_elev(CRATER_A / k, 0.0, -CRATER_D))
    flat_earth = math.degrees(math.atan2(CRATER_D, CRATER_A))
    assert abs(expected - flat_earth) > 0.08  # the curvature term matters at this size
    assert np.max(np.abs(hz.elevation_deg - expected)) < TOL_DEG


def test_crater_from_geotiff_matches_array_with_scale_offset(tmp_path):
    heights, tr = crater(-90.0, 0.0, n=640)
    raw = (heights + 1000.0) / 0.5  # stored as int16 with scale 0.5, offset -1000
    path = write_tif(tmp_path / "crater.tif", raw, tr, dtype="int16", scale=0.5, offset=-1000.0)
    hz_dem = Horizon.from_dem(path, -90.0, 0.0)
    hz_arr = Horizon.from_array(heights, Affine(*tr), -90.0, 0.0)
    assert hz_dem.source == f"DEM {path}"
    np.testing.assert_allclose(hz_dem.elevation, hz_arr.elevation, rtol=0, atol=1e-12)
    expected = math.degrees(exact_elev(CRATER_A, 0.0, -CRATER_D))
    assert np.max(np.abs(hz_dem.elevation_deg - expected)) < TOL_DEG
    # max_distance_km: a window read; short of the rim the floor is all there is
    short = Horizon.from_dem(path, -90.0, 0.0, max_distance_km=4.0)
    np.testing.assert_array_equal(short.elevation, 0.0)
    win = Horizon.from_dem(path, -90.0, 0.0, max_distance_km=6.3)
    full = Horizon.from_array(heights, tr, -90.0, 0.0, max_distance_km=6.3)
    np.testing.assert_allclose(win.elevation, full.elevation, rtol=0, atol=1e-12)
    assert np.max(np.abs(win.elevation_deg - expected)) < TOL_DEG
    # an off-centre site near the east wall: the window is a part of the raster
    lat_e, lon_e = (math.degrees(float(v)) for v in polar_stereographic_inverse(4500.0, 0.0))
    win = Horizon.from_dem(path, lat_e, lon_e, max_distance_km=3.0)
    full = Horizon.from_array(heights, tr, lat_e, lon_e, max_distance_km=3.0)
    np.testing.assert_allclose(win.elevation, full.elevation, rtol=0, atol=1e-12)
    assert win.elevation.max() > math.radians(5.0)  # the wall 1.5 km away is seen


def test_rim_site_sees_lower_horizon_and_a_mast_lowers_it():
    heights, tr = crater(-90.0, 0.0, n=900)
    bottom = Horizon.from_array(heights, tr, -90.0, 0.0)
    lat_rim, _ = polar_stereographic_inverse(0.0, CRATER_A + 1500.0)  # beyond the rim, h = 0
    rim = Horizon.from_array(heights, tr, math.degrees(float(lat_rim)), 0.0)
    assert rim.site_height_km == 0.0
    assert rim.elevation.max() < bottom.elevation.min() - math.radians(2.0)
    mast = Horizon.from_array(heights, tr, -90.0, 0.0, height_above_ground_m=100.0)
    expected = math.degrees(exact_elev(CRATER_A, 0.0, -CRATER_D + 100.0))
    assert np.max(np.abs(mast.elevation_deg - expected)) < TOL_DEG
    assert np.all(mast.elevation < bottom.elevation - math.radians(0.8))
    # flat ground: a mast sees the smooth sphere's dip all around (nothing rises above it)
    flat = np.zeros((300, 300))
    tr_f, _, _ = grid(300, 20.0, (0.0, 0.0))
    for h in (0.0, 10.0):
        hz = Horizon.from_array(flat, tr_f, -90.0, 0.0, height_above_ground_m=h)
        np.testing.assert_allclose(hz.elevation, -dip_for_height(h), rtol=0, atol=1e-12)


# ------------------------------------------------------------------------------- peak
def mesa(heights, xx, yy, centre, radius, height):
    heights[np.hypot(xx - centre[0], yy - centre[1]) < radius] = height
    return heights


@pytest.mark.parametrize("source", ["array", "geotiff"])
def test_single_mesa_at_known_azimuth(source, tmp_path):
    lat, lon, az0, dist, w, height = -90.0, 30.0, 120.0, 5000.0, 200.0, 200.0
    tr, xx, yy = grid(600, 20.0, (0.0, 0.0))
    u = map_dir(lat, lon, az0)
    heights = mesa(np.zeros(xx.shape), xx, yy, dist * u, w, height)
    if source == "array":
        hz = Horizon.from_array(heights, tr, lat, lon)
    else:
        hz = Horizon.from_dem(write_tif(tmp_path / "mesa.tif", heights, tr), lat, lon)
    expected = math.degrees(exact_elev(dist - w, height, 0.0))
    i0 = int(np.argmax(hz.elevation))
    assert hz.azimuth_deg[i0] == pytest.approx(az0)
    assert abs(hz.elevation_deg[i0] - expected) < TOL_DEG
    away = az_diff_deg(hz.azimuth_deg, az0) >= 4.0
    np.testing.assert_array_equal(hz.elevation[away], -dip_for_height(0.0))
    assert np.all(hz.elevation[az_diff_deg(hz.azimuth_deg, az0) <= 2.0] > 0.0)  # asin(w/d) = 2.3


# ----------------------------------------------------------------------------- plane
def test_tilted_plane_horizon_is_the_slope_along_each_azimuth():
    lat, lon, az0, s = -90.0, 0.0, 200.0, 0.1
    tr, xx, yy = grid(400, 20.0, (0.0, 0.0))
    u = map_dir(lat, lon, az0)
    heights = s * (xx * u[0] + yy * u[1])  # rises toward az0, zero at the site
    hz = Horizon.from_array(heights, tr, lat, lon)
    assert hz.site_height_km == pytest.approx(0.0, abs=1e-12)
    t = np.geomspace(1e-3, 4000.0, 4000)  # ground distance along the ray, m
    s_eff = s * np.cos(np.radians(hz.azimuth_deg - az0))
    analytic = np.array([exact_elev(t, se * t, 0.0).max() for se in s_eff])
    expected = np.degrees(np.maximum(analytic, 0.0))  # down-slope: the smooth sphere's horizon
    assert np.max(np.abs(hz.elevation_deg - expected)) < 0.01
    assert hz.elevation_at(math.radians(az0)) == pytest.approx(math.atan(s), abs=1e-5)


def test_geotiff_crs_with_standard_parallel_central_meridian_and_false_origin(tmp_path):
    """Variant B (lat_ts = -80: k0 = 0.9924), lon_0 = 45, false easting/northing: the file's
    grid is located through GDAL here, and the horizon must be the same tilted plane's."""
    crs = ("+proj=stere +lat_0=-90 +lat_ts=-80 +lon_0=45 +x_0=100000 +y_0=-50000 +R=1737400 "
           "+units=m +no_defs")
    lat, lon, az0, s = -89.5, 100.0, 30.0, 0.1
    (xf,), (yf,) = gdal_transform(MOON_LONLAT, crs, [lon], [lat])
    tr, xx, yy = grid(300, 20.0, (xf, yf))
    plon, plat = gdal_transform(crs, MOON_LONLAT, xx.ravel().tolist(), yy.ravel().tolist())
    px, py = polar_stereographic(np.radians(plat), np.radians(plon))  # canonical (k0 = 1)
    xs, ys = site_xy(lat, lon)
    u = map_dir(lat, lon, az0)
    heights = s * ((px - xs) * u[0] + (py - ys) * u[1]).reshape(xx.shape)
    hz = Horizon.from_dem(write_tif(tmp_path / "b.tif", heights, tr, crs=crs, dtype="float64"),
                          lat, lon)
    expected = np.degrees(np.maximum(np.arctan(s * np.cos(hz.azimuth - math.radians(az0))), 0))
    assert np.max(np.abs(hz.elevation_deg - expected)) < 0.01  # k0 ignored: 0.04 deg off


# ------------------------------------------------------------------------- pole/azimuth
def _peak_azimuth(lat, lon, peak_xy, pole="south", centre=(0.0, 0.0)):
    tr, xx, yy = grid(400, 20.0, centre)
    heights = mesa(np.zeros(xx.shape), xx, yy, peak_xy, 100.0, 300.0)
    hz = Horizon.from_array(heights, tr, lat, lon, pole=pole)
    return hz, float(hz.azimuth_deg[np.argmax(hz.elevation)])


def test_azimuths_at_and_near_the_pole():
    d = 3000.0
    along = lambda lon_deg: d * np.array([math.sin(math.radians(lon_deg)),  # noqa: E731
                                          math.cos(math.radians(lon_deg))])
    # at the exact south pole, north = along the site's meridian, east = along lon + 90
    hz_pole, az = _peak_azimuth(-90.0, 40.0, along(40.0))
    assert az == 0.0
    assert _peak_azimuth(-90.0, 40.0, along(130.0))[1] == 90.0
    assert _peak_azimuth(-90.0, 40.0, along(-140.0))[1] == 180.0
    # a site 3 cm from the pole on that meridian: the same horizon (continuity)
    hz_near, az = _peak_azimuth(-89.999999, 40.0, along(40.0))
    assert az == 0.0
    assert np.max(np.abs(hz_near.elevation_deg - hz_pole.elevation_deg)) < 0.005
    # away from the pole: the pole lies at azimuth 180, the local east along +x at lon 0
    x, y = site_xy(-89.5, 0.0)
    assert _peak_azimuth(-89.5, 0.0, (x, y - d), centre=(x, y))[1] == 180.0
    assert _peak_azimuth(-89.5, 0.0, (x + d, y), centre=(x, y))[1] == 90.0


def test_north_polar_aspect_azimuths():
    d = 3000.0
    x, y = site_xy(89.5, 0.0, "north")
    assert y < 0
    assert _peak_azimuth(89.5, 0.0, (x, y + d), "north", (x, y))[1] == 0.0  # toward the pole
    assert _peak_azimuth(89.5, 0.0, (x + d, y), "north", (x, y))[1] == 90.0
    # at the north pole, azimuth 0 is along meridian lon + 180 (limit along meridian lon)
    lon = 40.0
    to_meridian = lambda m: d * np.array([math.sin(math.radians(m)),  # noqa: E731
                                          -math.cos(math.radians(m))])
    assert _peak_azimuth(90.0, lon, to_meridian(lon + 180.0), "north")[1] == 0.0
    assert _peak_azimuth(90.0, lon, to_meridian(lon + 90.0), "north")[1] == 90.0


# ----------------------------------------------------------------------------- bad DEMs
@pytest.fixture
def small_dem():
    tr, xx, _ = grid(100, 20.0, (0.0, 0.0))
    return np.zeros(xx.shape), tr


def test_geographic_and_earth_crs_are_refused(tmp_path, small_dem):
    heights, tr = small_dem
    p = write_tif(tmp_path / "wgs84.tif", heights, (0.01, 0, -1, 0, -0.01, -89), crs="EPSG:4326")
    with pytest.raises(InputError) as exc:
        Horizon.from_dem(p, -89.5, 0.0)
    msg = str(exc.value)
    assert str(p) in msg and "EPSG:4326" in msg and "polar stereographic" in msg
    p = write_tif(tmp_path / "antarctic.tif", heights, tr, crs="EPSG:3031")
    with pytest.raises(InputError) as exc:
        Horizon.from_dem(p, -90.0, 0.0)
    msg = str(exc.value)
    assert str(p) in msg and "EPSG:3031" in msg and "6378.137 km" in msg and "1737.4" in msg
    p = write_tif(tmp_path / "eqc.tif", heights, tr, crs="+proj=eqc +R=1737400 +units=m")
    with pytest.raises(InputError, match="Equidistant Cylindrical"):
        Horizon.from_dem(p, -90.0, 0.0)
    p = write_tif(tmp_path / "km.tif", heights, tr, crs=SOUTH.replace("+units=m", "+units=km"))
    with pytest.raises(InputError, match="metres"):
        Horizon.from_dem(p, -90.0, 0.0)
    p = write_tif(tmp_path / "nocrs.tif", heights, tr, crs=None)
    with pytest.raises(InputError, match="no coordinate reference system"):
        Horizon.from_dem(p, -90.0, 0.0)


def test_dem_not_covering_the_site_or_nodata_there(tmp_path, small_dem):
    heights, tr = small_dem
    p = write_tif(tmp_path / "pole.tif", heights, tr)
    with pytest.raises(InputError) as exc:
        Horizon.from_dem(p, -80.0, 10.0)
    msg = str(exc.value)
    assert str(p) in msg and "-80.000000" in msg and "10.000000" in msg
    corner_lat = math.degrees(2 * math.atan(math.hypot(1000.0, 1000.0) / (2 * R_M))) - 90.0
    assert "x -1000.0 .. 1000.0 m" in msg and f"latitude -90.0000 .. {corner_lat:.4f}" in msg
    holed = heights.copy()
    holed[48:52, 48:52] = -32768.0
    p = write_tif(tmp_path / "hole.tif", holed, tr, nodata=-32768.0)
    with pytest.raises(InputError, match="no data at the site") as exc:
        Horizon.from_dem(p, -90.0, 0.0)
    assert str(p) in str(exc.value)
    # nodata off the site stops the rays there: beyond a nodata ring the rim is not seen
    ringed, tr2 = crater(-90.0, 0.0, n=700)
    tr_c, xx, yy = grid(700, 20.0, (0.0, 0.0))
    ringed[np.abs(np.hypot(xx, yy) - 3000.0) < 30.0] = np.nan
    hz = Horizon.from_array(ringed, tr2, -90.0, 0.0, nodata=np.nan)
    np.testing.assert_array_equal(hz.elevation, 0.0)
    with pytest.raises(InputError, match=r"heights_m\[.*not finite"):
        Horizon.from_array(ringed, tr2, -90.0, 0.0)


def test_missing_file_bad_arguments_and_no_rasterio(tmp_path, small_dem, monkeypatch):
    heights, tr = small_dem
    missing = tmp_path / "nope.tif"
    with pytest.raises(InputError, match="not found") as exc:
        Horizon.from_dem(missing, -90.0, 0.0)
    assert str(missing) in str(exc.value)
    for kwargs, fld in [({"az_step_deg": 0.0}, "az_step_deg"), ({"az_step_deg": 31}, "az_step_deg"),
                        ({"max_distance_km": 0.0}, "max_distance_km"),
                        ({"height_above_ground_m": math.nan}, "height_above_ground_m")]:
        with pytest.raises(InputError) as exc:
            Horizon.from_array(heights, tr, -90.0, 0.0, **kwargs)
        assert exc.value.field == fld
    with pytest.raises(InputError, match="lat_deg"):
        Horizon.from_array(heights, tr, -90.5, 0.0)
    with pytest.raises(InputError, match="rotated"):
        Horizon.from_array(heights, (20.0, 1.0, 0.0, 0.0, -20.0, 0.0), -90.0, 0.0)
    with pytest.raises(InputError, match="from_gdal"):  # GDAL GetGeoTransform order
        Horizon.from_array(heights, (-1000.0, 20.0, 0.0, 1000.0, 0.0, -20.0), -90.0, 0.0)
    with pytest.raises(InputError, match="radii or km"):
        Horizon.from_array(heights + R_M, tr, -90.0, 0.0)
    with pytest.raises(InputError, match="2 x 2"):
        Horizon.from_array(np.zeros(5), tr, -90.0, 0.0)
    hz = Horizon.from_array(heights, tr, -90.0, 0.0, az_step_deg=7.0)
    assert hz.azimuth.size == 52 and hz.azimuth_deg[-1] == pytest.approx(357.0)
    monkeypatch.setitem(sys.modules, "rasterio", None)
    with pytest.raises(InputError, match=r"pip install 'cosmoplan\[terrain\]'"):
        Horizon.from_dem(missing, -90.0, 0.0)


# ------------------------------------------------------------------------------- CSV
def write_csv(tmp_path, text, name="h.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_round_trip_wrap_and_comments(tmp_path):
    p = write_csv(tmp_path, "# measured mask\n\nazimuth_deg,elevation_deg\n10,2\n"
                            "180, 5.5  # ridge\n350,4\n")
    hz = Horizon.from_csv(p)
    assert hz.source == str(p) and hz.site_height_km == 0.0
    np.testing.assert_allclose(hz.azimuth_deg, [10, 180, 350])
    # periodic interpolation across north: 350 -> 10 deg is a 20 deg segment
    assert np.degrees(hz.elevation_at(0.0)) == pytest.approx(3.0)
    assert np.degrees(hz.elevation_at(2 * math.pi)) == pytest.approx(3.0)
    assert np.degrees(hz.elevation_at(math.radians(-5.0))) == pytest.approx(3.5)
    assert np.degrees(hz.elevation_at(math.radians(365.0))) == pytest.approx(2.5)
    out = hz.elevation_at(np.zeros((2, 3)))
    assert out.shape == (2, 3) and out.dtype == np.float64
    p = write_csv(tmp_path, "azimuth_deg,elevation_deg\n0,1\n180,2\n360,1\n", "dup.csv")
    np.testing.assert_allclose(Horizon.from_csv(p).azimuth_deg, [0, 180])


def test_slope_on_a_triangle_mask():
    hz = Horizon(np.radians([0.0, 90.0, 180.0, 270.0]), np.radians([0.0, 10.0, 0.0, 0.0]))
    slope = hz.slope_at(np.radians([45.0, 135.0, 90.0, 300.0, 45.0 + 360.0]))
    np.testing.assert_allclose(slope, [1 / 9, -1 / 9, -1 / 9, 0.0, 1 / 9], atol=1e-15)
    wrap = Horizon(np.radians([0.0, 120.0, 240.0]), np.radians([6.0, 0.0, 0.0]))
    np.testing.assert_allclose(wrap.slope_at(np.radians([300.0, -10.0, 60.0])),
                               [0.05, 0.05, -0.05], atol=1e-15)
    # consistent with a finite difference of elevation_at
    x = np.radians(np.linspace(1.3, 358.7, 97))
    fd = (wrap.elevation_at(x + 1e-7) - wrap.elevation_at(x - 1e-7)) / 2e-7
    np.testing.assert_allclose(wrap.slope_at(x), fd, atol=1e-6)


@pytest.mark.parametrize("body, line, field, value", [
    ("azimuth_deg,elevation_deg\n0,1\n10,2\n5,3\n", 4, "azimuth_deg", "5"),
    ("azimuth_deg,elevation_deg\n0,1\n# c\n10,nan\n", 4, "elevation_deg", "nan"),
    ("azimuth_deg,elevation_deg\n0,1\n10\n", 3, "elevation_deg", "10"),
    ("azimuth_deg,elevation_deg\n0,1\nten,2\n", 3, "azimuth_deg", "ten"),
    ("azimuth_deg,elevation_deg\n0,1\n10,95\n", 3, "elevation_deg", "95"),
    ("azimuth_deg,elevation_deg\n0,1\n10,2,3\n", 3, "row", "10,2,3"),
    ("azimuth_deg,elevation_deg\n0,1\n370,2\n", 3, "azimuth_deg", "370"),
    ("azimuth_deg,elevation_deg\n0,1\n180,2\n360,2\n", 4, "azimuth_deg", "360"),
    ("az,el\n0,1\n10,2\n", 1, "header", "az,el"),
    ("azimuth_deg,elevation_deg\n0,inf\n10,2\n", 2, "elevation_deg", "inf"),
])
def test_csv_errors_name_file_line_field_and_value(tmp_path, body, line, field, value):
    p = write_csv(tmp_path, body)
    with pytest.raises(InputError) as exc:
        Horizon.from_csv(p)
    err = exc.value
    assert (err.source, err.line, err.field, err.value) == (str(p), line, field, value)
    assert str(p) in str(err) and f"line {line}" in str(err) and value in str(err)


def test_csv_file_level_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        Horizon.from_csv(tmp_path / "missing.csv")
    p = tmp_path / "latin1.csv"
    p.write_bytes("azimuth_deg,elevation_deg\n0,1\n# \u00e9t\u00e9\n10,2\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as exc:
        Horizon.from_csv(p)
    assert exc.value.line == 3
    with pytest.raises(InputError, match="at least 2 rows"):
        Horizon.from_csv(write_csv(tmp_path, "azimuth_deg,elevation_deg\n0,1\n", "one.csv"))
    with pytest.raises(InputError, match="empty"):
        Horizon.from_csv(write_csv(tmp_path, "# nothing\n", "empty.csv"))
    with pytest.raises(InputError, match="cannot read"):
        Horizon.from_csv(tmp_path)


def test_constructor_validates_and_is_immutable():
    az, el = np.radians([0.0, 90.0, 180.0]), np.radians([1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="strictly increasing"):
        Horizon(az[::-1], el)
    with pytest.raises(InputError, match="not finite"):
        Horizon(az, [0.0, np.nan, 0.0])
    with pytest.raises(InputError, match="same shape"):
        Horizon(az, el[:2])
    with pytest.raises(InputError, match=r"\[0, 2 pi\)"):
        Horizon(np.array([0.0, 2 * np.pi]), [0.0, 0.0])
    with pytest.raises(InputError, match="pi/2"):
        Horizon(az, [0.0, 2.0, 0.0])
    hz = Horizon(az, el, "test")
    with pytest.raises(dataclasses.FrozenInstanceError):
        hz.source = "x"
    with pytest.raises(ValueError):
        hz.elevation[0] = 0.0
