"""Local horizon masks of a lunar surface site: flat, from a CSV table, or cast from a DEM.

A :class:`Horizon` is the elevation of the local horizon (terrain or an imposed mask) as a
function of azimuth, sampled at ``M`` azimuths and linearly interpolated between them
(periodically across north). The site-illumination analysis compares the Sun's and the
Earth's topocentric elevation with it.

Conventions
-----------
* Azimuth: from local **north** (the direction of the lunar north pole along the site's
  meridian) through **east**, radians in [0, 2 pi). Elevation: above the local horizontal
  plane of the sphere (perpendicular to the radius through the site), radians, positive up.
  Degrees appear only at the user-facing edge (CSV files, ``*_deg`` arguments and
  properties).
* At the exact pole the local north is undefined. There the site's longitude ``lon_deg``
  defines it as the limit for a site approaching the pole along that meridian: at the
  south pole azimuth 0 points along meridian ``lon_deg`` (away from the pole) and azimuth
  90 deg along meridian ``lon_deg + 90``; at the north pole azimuth 0 points along meridian
  ``lon_deg + 180`` and 90 deg along ``lon_deg + 90``.
* Reference sphere: radius R = 1737.4 km (IAU mean radius,
  :data:`cosmoplan.constants.MOON_RADIUS_KM`); DEM heights are metres above it, as in the
  LOLA polar gridded products (e.g. ``LDEM_80S_20M``, Smith et al. 2010, GRL 37 L18204;
  Smith et al. 2017, Icarus 283:70; the PDS labels give ``A_AXIS_RADIUS = 1737.4 km`` and
  heights relative to that sphere).

Map projection
--------------
Polar stereographic on the sphere, true scale at the pole (k0 = 1), as the LOLA polar
products and PROJ ``+proj=stere +lat_0=-90 +lon_0=0 +k=1 +R=1737400`` (Snyder 1987,
"Map Projections - A Working Manual", USGS PP 1395, ch. 21, polar aspect of the spherical
stereographic; south-polar signs in eqs. 21-9..21-11)::

    south:  rho = 2 R tan(pi/4 + lat/2),  x = rho sin(lon - lon0),  y =  rho cos(lon - lon0)
    north:  rho = 2 R tan(pi/4 - lat/2),  x = rho sin(lon - lon0),  y = -rho cos(lon - lon0)

(at the south pole the 0 deg meridian points along +y, 90 deg E along +x). These signs are
checked against PROJ (GDAL bundled with rasterio) to < 1 mm in the tests. GeoTIFFs whose
CRS uses a false easting/northing, another central meridian, a scale factor (variant A) or
a standard parallel (variant B, k0 = (1 + |sin lat_ts|) / 2 on the sphere) are accepted
and reduced to the form above.

Terrain horizon (ray casting)
-----------------------------
:meth:`Horizon.from_array` / :meth:`Horizon.from_dem`, in the spirit of the horizon method
of Mazarico et al. (2011), "Illumination conditions of the lunar polar regions using LOLA
topography", Icarus 211:1066-1081. For each azimuth A of a grid of ``az_step_deg``
(default 1 deg) a ray leaves the site along the great circle of that azimuth (destination
point on the sphere, computed with unit vectors so that it stays exact at the pole), in
steps ds of at most half a pixel on the map (ds = 0.5 min(|a|, |e|) / k_max on the ground,
k = 1 + rho^2 / 4R^2 the stereographic scale factor, k_max its value at the DEM corner
farthest from the pole, or with ``max_distance_km`` at rho_site + 2 max_distance). At each
step the height h_p is interpolated bilinearly between the four surrounding pixel centres
and the elevation angle of that terrain point, seen from the observer at radius R + h_s, is
(exact, from the triangle Moon centre - observer - point, central angle g = distance / R)::

    elev = atan2((R + h_p) cos g - (R + h_s), (R + h_p) sin g)

which includes the Moon's curvature (about -g/2: -0.0165 deg/km). The horizon at A is the
largest elev along the ray. The observer height is h_s = DEM height at the site (bilinear)
+ ``height_above_ground_m``. The whole loop over azimuths and steps is one numba kernel
(:func:`cosmoplan._numba.jit`, cached on disk).

A ray stops at the first step whose interpolation cell leaves the grid of pixel centres
(the DEM edge), touches a nodata pixel, or lies beyond ``max_distance_km`` (ground distance
along the great circle) or 90 deg of central angle. **Terrain beyond is not seen**: the
horizon is never set lower than the horizon of the smooth sphere under the observer,
``-dip`` with ``dip = acos(R_s / (R + h_s))`` and R_s = min(R, R + h_ground) (the reference
sphere when the site's ground is above it: terrain beyond the DEM edge is assumed no lower
than R; the sphere through the site's ground when it is below, as on a crater floor, where
dip is that of the mast alone). Where nothing on a ray rises above -dip, the horizon is
-dip; in particular down a slope, or from a summit over a deep valley, the true horizon
may be lower than reported (pessimistic for Sun and Earth visibility, never optimistic).

Accuracy and limits: bilinear interpolation of the DEM (a vertical wall spreads over one
pixel, so a rim is located to within one pixel diagonal: about D / (a^2 + D^2) rad per
metre of error for a rim of relative height D at distance a); sampling every half pixel;
terrain between azimuth samples is interpolated linearly, so a peak narrower than
``az_step_deg`` may be missed; no terrain beyond the DEM or ``max_distance_km``; spherical
Moon (no ellipsoid, no geoid); the Moon has no atmosphere, hence no refraction. Memory: the
whole DEM (or, with ``max_distance_km``, the window around the site that the rays can reach)
is held as float64, 8 bytes per pixel.

Example
-------
>>> import numpy as np
>>> from cosmoplan.surface.horizon import Horizon
>>> flat = Horizon.flat()
>>> float(flat.elevation_at(1.0))
0.0
>>> heights = np.zeros((200, 200))                      # 20 m pixels around the south pole
>>> hz = Horizon.from_array(heights, (20.0, 0, -2000.0, 0, -20.0, 2000.0), -90.0, 0.0,
...                         height_above_ground_m=10.0)
>>> round(float(np.rad2deg(hz.elevation.max())), 4)     # a 10 m mast: the sphere's dip
-0.1944
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._numba import jit
from ..constants import MOON_RADIUS_KM
from ..errors import InputError

__all__ = [
    "Horizon",
    "dip_for_height",
    "polar_stereographic",
    "polar_stereographic_inverse",
]

_TWO_PI = 2.0 * math.pi
_MAX_ABS_HEIGHT_M = 100_000.0
"""DEM heights beyond +/-100 km of the sphere are refused (radii given instead of heights?)."""
_RADIUS_TOL_KM = 1.0
"""A DEM's sphere must be within 1 km of 1737.4 km."""
_MIN_AZ_STEP_DEG = 0.001
"""Finest azimuth step of a cast horizon (360,000 azimuths)."""
_MAX_RAY_KM = 2.0 * math.pi * MOON_RADIUS_KM
"""Longest ray accepted (rays stop at 90 deg of central angle anyway)."""


# ----------------------------------------------------------------------------- helpers
def _finite(value, fld, source=None):
    """A finite float, or InputError naming the field."""
    if isinstance(value, bool):
        raise InputError(f"{fld} must be a number, got {value!r}", source=source, field=fld,
                         value=value)
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{fld} must be a number, got {value!r}", source=source, field=fld,
                         value=value) from None
    if not math.isfinite(out):
        raise InputError(f"{fld} must be finite, got {value!r}", source=source, field=fld,
                         value=value)
    return out


def _pole_sign(pole):
    """-1 for the south polar aspect, +1 for the north."""
    if pole == "south":
        return -1.0
    if pole == "north":
        return 1.0
    raise InputError(f"pole must be 'south' or 'north', got {pole!r}", field="pole", value=pole)


def dip_for_height(height_above_ground_m, radius_km=MOON_RADIUS_KM):
    """Dip of the horizon of a smooth sphere seen from a height above it.

    ``dip = acos(R / (R + h))``: the depression below the local horizontal plane of the
    tangent line from the observer to the sphere (for h << R, about sqrt(2 h / R)).

    Parameters
    ----------
    height_above_ground_m : float
        Observer height above the sphere, metres, >= 0 (e.g. a mast).
    radius_km : float
        Sphere radius, km (default 1737.4, the Moon's mean radius).

    Returns
    -------
    float
        Dip angle, rad (>= 0; the horizon lies at elevation ``-dip``).

    Examples
    --------
    >>> round(math.degrees(dip_for_height(10.0)), 4)
    0.1944
    """
    h = _finite(height_above_ground_m, "height_above_ground_m")
    r = _finite(radius_km, "radius_km")
    if h < 0.0:
        raise InputError(f"height_above_ground_m must be >= 0, got {h}",
                         field="height_above_ground_m", value=height_above_ground_m)
    if r <= 0.0:
        raise InputError(f"radius_km must be positive, got {r}", field="radius_km",
                         value=radius_km)
    r_m = r * 1000.0
    return math.acos(r_m / (r_m + h))


def polar_stereographic(lat_rad, lon_rad, *, pole="south", radius_km=MOON_RADIUS_KM):
    """Polar stereographic map coordinates on a sphere, true scale at the pole (k0 = 1).

    Snyder (1987) ch. 21 (spherical polar aspect): south ``rho = 2R tan(pi/4 + lat/2)``,
    ``x = rho sin(lon)``, ``y = rho cos(lon)``; north ``rho = 2R tan(pi/4 - lat/2)``,
    ``x = rho sin(lon)``, ``y = -rho cos(lon)``; central meridian 0, no false
    easting/northing: PROJ ``+proj=stere +lat_0=-90 (or 90) +lon_0=0 +k=1 +R=...``.

    Parameters
    ----------
    lat_rad, lon_rad : array_like
        Latitude and east longitude, rad (broadcast together).
    pole : {'south', 'north'}
        Projection aspect.
    radius_km : float
        Sphere radius, km (default 1737.4).

    Returns
    -------
    x_m, y_m : numpy.ndarray
        Map coordinates, metres, shape of the broadcast inputs (infinite at the opposite
        pole).
    """
    s = _pole_sign(pole)
    r_m = _finite(radius_km, "radius_km") * 1000.0
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rho = 2.0 * r_m * np.tan(np.pi / 4.0 - s * lat / 2.0)
    return rho * np.sin(lon), -s * rho * np.cos(lon)


def polar_stereographic_inverse(x_m, y_m, *, pole="south", radius_km=MOON_RADIUS_KM):
    """Inverse of :func:`polar_stereographic`.

    Parameters
    ----------
    x_m, y_m : array_like
        Map coordinates, metres (broadcast together).
    pole : {'south', 'north'}
    radius_km : float
        Sphere radius, km (default 1737.4).

    Returns
    -------
    lat_rad, lon_rad : numpy.ndarray
        Latitude and east longitude in (-pi, pi], rad (longitude 0 at the pole itself).
    """
    s = _pole_sign(pole)
    r_m = _finite(radius_km, "radius_km") * 1000.0
    x = np.asarray(x_m, dtype=np.float64)
    y = np.asarray(y_m, dtype=np.float64)
    rho = np.hypot(x, y)
    lat = s * (np.pi / 2.0 - 2.0 * np.arctan(rho / (2.0 * r_m)))
    lon = np.arctan2(x, -s * y)
    return lat, lon


# ----------------------------------------------------------------------------- Horizon
@dataclass(frozen=True, eq=False)
class Horizon:
    """Elevation of the local horizon versus azimuth at one site (immutable).

    Attributes
    ----------
    azimuth : numpy.ndarray, shape (M,)
        Azimuths of the samples, rad, strictly increasing in [0, 2 pi), from local north
        (toward the lunar north pole) through east. Read-only.
    elevation : numpy.ndarray, shape (M,)
        Horizon elevation at those azimuths, rad, in [-pi/2, pi/2]. Read-only.
    source : str
        ``"flat"``, the CSV path, ``"DEM <path>"`` or ``"DEM array"``.
    site_height_km : float
        Height of the observer above the reference sphere used to build it, km (DEM
        horizons: ground height + mast; 0 for flat and CSV horizons unless given).
    lat_deg, lon_deg : float or None
        The site a terrain horizon was cast for (DEM horizons), degrees; None for flat and
        CSV horizons. :meth:`check_site` refuses to apply it elsewhere.

    Between samples the horizon is linear in azimuth, periodically (the last sample joins
    the first across north), see :meth:`elevation_at`.
    """

    azimuth: np.ndarray
    elevation: np.ndarray
    source: str = "user"
    site_height_km: float = 0.0
    lat_deg: float | None = None
    lon_deg: float | None = None

    def check_site(self, lat_deg, lon_deg, name="the site"):
        """InputError if this horizon was cast for another site (more than 1e-6 deg away)."""
        if self.lat_deg is None or self.lon_deg is None:
            return
        dlat = abs(self.lat_deg - lat_deg)
        dlon = abs((self.lon_deg - lon_deg + 180.0) % 360.0 - 180.0)
        if dlat > 1e-6 or (dlon > 1e-6 and abs(lat_deg) < 90.0 - 1e-9):
            raise InputError(f"this horizon ({self.source}) was cast for ({self.lat_deg:.6f}, "
                             f"{self.lon_deg:.6f}) deg, not for {name} at ({lat_deg:.6f}, "
                             f"{lon_deg:.6f}) deg: cast it for that site",
                             field="horizon", value=self.source)

    def __post_init__(self):
        az = _vector(self.azimuth, "azimuth")
        el = _vector(self.elevation, "elevation")
        if az.shape != el.shape:
            raise InputError(f"azimuth and elevation must have the same shape, got {az.shape} "
                             f"and {el.shape}", field="elevation", value=el.shape)
        bad = np.flatnonzero((az < 0.0) | (az >= _TWO_PI))
        if bad.size:
            i = int(bad[0])
            raise InputError(f"azimuth[{i}] = {az[i]!r} rad is outside [0, 2 pi)",
                             field=f"azimuth[{i}]", value=float(az[i]))
        bad = np.flatnonzero(np.diff(az) <= 0.0)
        if bad.size:
            i = int(bad[0]) + 1
            raise InputError(f"azimuth must be strictly increasing: azimuth[{i}] = {az[i]!r} "
                             f"after {az[i - 1]!r} rad", field=f"azimuth[{i}]",
                             value=float(az[i]))
        bad = np.flatnonzero(np.abs(el) > np.pi / 2.0)
        if bad.size:
            i = int(bad[0])
            raise InputError(f"elevation[{i}] = {el[i]!r} rad is outside [-pi/2, pi/2]",
                             field=f"elevation[{i}]", value=float(el[i]))
        object.__setattr__(self, "azimuth", az)
        object.__setattr__(self, "elevation", el)
        object.__setattr__(self, "source", str(self.source))
        object.__setattr__(self, "site_height_km",
                           _finite(self.site_height_km, "site_height_km"))

    def __repr__(self):
        return (f"Horizon(M={self.azimuth.size}, elevation {np.rad2deg(self.elevation.min()):.3f}"
                f" .. {np.rad2deg(self.elevation.max()):.3f} deg, source={self.source!r}, "
                f"site_height_km={self.site_height_km:.4f})")

    @property
    def azimuth_deg(self):
        """Azimuths of the samples, degrees, shape (M,)."""
        return np.rad2deg(self.azimuth)

    @property
    def elevation_deg(self):
        """Horizon elevation at the samples, degrees, shape (M,)."""
        return np.rad2deg(self.elevation)

    def elevation_at(self, azimuth_rad):
        """Horizon elevation at any azimuths (periodic linear interpolation).

        Parameters
        ----------
        azimuth_rad : array_like
            Azimuths, rad, any shape and any value (taken modulo 2 pi); NaN gives NaN.

        Returns
        -------
        numpy.ndarray
            Elevation, rad, float64, the shape of ``azimuth_rad`` (0-d for a scalar).
        """
        x = np.asarray(azimuth_rad, dtype=np.float64)
        out = np.interp(x.ravel(), self.azimuth, self.elevation, period=_TWO_PI)
        return np.asarray(out, dtype=np.float64).reshape(x.shape)

    def slope_at(self, azimuth_rad):
        """Derivative d(elevation)/d(azimuth) of the piecewise-linear horizon.

        On the segment [az_i, az_i+1) (the last one wraps to az_0 + 2 pi) the slope is
        (el_i+1 - el_i) / (az_i+1 - az_i); at a sample the segment starting there is used.

        Parameters
        ----------
        azimuth_rad : array_like
            Azimuths, rad, any shape (modulo 2 pi); NaN gives NaN.

        Returns
        -------
        numpy.ndarray
            Slope, rad per rad (dimensionless), float64, the shape of ``azimuth_rad``.
        """
        x = np.asarray(azimuth_rad, dtype=np.float64)
        az_ext = np.append(self.azimuth, self.azimuth[0] + _TWO_PI)
        el_ext = np.append(self.elevation, self.elevation[0])
        seg = np.diff(el_ext) / np.diff(az_ext)
        xm = np.mod(x.ravel() - self.azimuth[0], _TWO_PI) + self.azimuth[0]
        idx = np.clip(np.searchsorted(az_ext, xm, side="right") - 1, 0, seg.size - 1)
        out = seg[idx]
        out = np.where(np.isfinite(xm), out, np.nan)
        return out.reshape(x.shape)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def flat(cls, dip_deg=0.0):
        """A constant horizon at elevation ``-dip_deg``.

        Parameters
        ----------
        dip_deg : float
            Depression of the horizon below the local horizontal, degrees, in [0, 90]:
            0 for a flat plain seen from the ground; ``math.degrees(dip_for_height(h))``
            for an observer (mast) at height h over a smooth sphere.

        Returns
        -------
        Horizon
            Four samples (N, E, S, W) at the same elevation, ``source='flat'``.
        """
        dip = _finite(dip_deg, "dip_deg")
        if not 0.0 <= dip <= 90.0:
            raise InputError(f"dip_deg must be in [0, 90] (a dip lowers the horizon), got "
                             f"{dip_deg!r}", field="dip_deg", value=dip_deg)
        az = np.arange(4) * (np.pi / 2.0)
        return cls(az, np.full(4, -math.radians(dip)), "flat", 0.0)

    @classmethod
    def from_csv(cls, path):
        """Read a horizon table.

        Format: UTF-8 text, a header line ``azimuth_deg,elevation_deg``, then one row per
        sample: azimuth in [0, 360) degrees, strictly increasing (a last row at 360 is
        accepted only as a repetition of the row at 0, same elevation, and dropped),
        elevation in [-90, 90] degrees; at least 2 rows. Blank lines and ``#`` comments
        (whole lines or line ends) are ignored.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        Horizon
            ``source`` = the path, ``site_height_km`` = 0.

        Raises
        ------
        InputError
            With ``source`` (the file), ``line`` (1-based), ``field`` (column) and
            ``value`` (the text read) for every malformed row.
        """
        src = str(path)
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputError("horizon file not found", source=src, field="path",
                             value=src) from None
        except OSError as exc:
            raise InputError(f"cannot read horizon file: {exc.strerror or exc}", source=src,
                             field="path", value=src) from None
        except (TypeError, ValueError) as exc:  # not a path, or a NUL in it
            raise InputError(f"cannot use {path!r} as a horizon file name: {exc}",
                             field="path", value=path) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputError(f"horizon file is not UTF-8 text ({exc.reason}: byte "
                             f"{raw[exc.start:exc.start + 1]!r})", source=src, line=line,
                             value=raw[exc.start:exc.start + 1]) from None
        cols = ("azimuth_deg", "elevation_deg")
        header_seen = False
        rows = []  # (line, azimuth_deg, elevation_deg, azimuth text)
        for lineno, line in enumerate(text.splitlines(), start=1):
            content = line.split("#", 1)[0].strip()
            if not content:
                continue
            cells = [c.strip() for c in content.split(",")]
            if not header_seen:
                if tuple(c.lower() for c in cells) != cols:
                    raise InputError(f"the header must be 'azimuth_deg,elevation_deg', got "
                                     f"{content!r}", source=src, line=lineno, field="header",
                                     value=content)
                header_seen = True
                continue
            if len(cells) != 2:
                fld = cols[len(cells)] if len(cells) < 2 else "row"
                raise InputError(f"expected 2 columns (azimuth_deg, elevation_deg), got "
                                 f"{len(cells)}: {content!r}", source=src, line=lineno,
                                 field=fld, value=content)
            vals = []
            for name, cell in zip(cols, cells):
                try:  # plain ASCII numbers only: float() also reads '1_0' and '２'
                    if not cell.isascii() or "_" in cell:
                        raise ValueError(cell)
                    v = float(cell)
                except ValueError:
                    raise InputError(f"{name} must be a number, got {cell!r}", source=src,
                                     line=lineno, field=name, value=cell) from None
                if not math.isfinite(v):
                    raise InputError(f"{name} must be finite, got {cell!r}", source=src,
                                     line=lineno, field=name, value=cell)
                vals.append(v)
            az, el = vals
            if not 0.0 <= az <= 360.0:
                raise InputError(f"azimuth_deg {cells[0]} is outside [0, 360)", source=src,
                                 line=lineno, field="azimuth_deg", value=cells[0])
            if not -90.0 <= el <= 90.0:
                raise InputError(f"elevation_deg {cells[1]} is outside [-90, 90]",
                                 source=src, line=lineno, field="elevation_deg",
                                 value=cells[1])
            if rows and az <= rows[-1][1]:
                raise InputError(f"azimuth_deg must be strictly increasing: {cells[0]} after "
                                 f"{rows[-1][1]:g} (line {rows[-1][0]})", source=src,
                                 line=lineno, field="azimuth_deg", value=cells[0])
            rows.append((lineno, az, el, cells[0]))
        if not header_seen:
            raise InputError("empty horizon file: expected a header 'azimuth_deg,elevation_deg' "
                             "and at least 2 rows", source=src)
        if len(rows) < 2:
            raise InputError(f"a horizon needs at least 2 rows, got {len(rows)}", source=src,
                             line=rows[0][0] if rows else None, value=len(rows))
        if rows[-1][1] == 360.0:
            lineno, _, el, az_text = rows[-1]
            if rows[0][1] != 0.0 or abs(rows[0][2] - el) > 1e-9:
                shown = "360" if az_text == "360" else f"{az_text} (= 360)"
                raise InputError(f"azimuth_deg {shown} is allowed only as a repetition of the row "
                                 f"at 0 (line {rows[0][0]}: {rows[0][1]:g}, {rows[0][2]:g}) "
                                 f"with the same elevation, got elevation {el:g}", source=src,
                                 line=lineno, field="azimuth_deg", value=az_text)
            rows.pop()
        az = np.radians([r[1] for r in rows])
        el = np.radians([r[2] for r in rows])
        return cls(az, el, src, 0.0)

    @classmethod
    def from_array(cls, heights_m, transform, lat_deg, lon_deg, *, pole="south",
                   radius_km=MOON_RADIUS_KM, height_above_ground_m=0.0, az_step_deg=1.0,
                   max_distance_km=None, nodata=None):
        """Terrain horizon of a site, cast through a polar stereographic height grid.

        Parameters
        ----------
        heights_m : array_like, shape (rows, cols)
            Heights above the sphere of radius ``radius_km``, metres, at the pixel centres;
            row 0 is the first line of the raster. At least 2 x 2.
        transform : sequence of 6 floats or affine.Affine
            Pixel-corner affine, rasterio/GDAL-Affine order ``(a, b, c, d, e, f)``:
            ``x = a col + b row + c``, ``y = d col + e row + f``, metres in the projection of
            :func:`polar_stereographic` (k0 = 1, central meridian 0). Pixel (row, col) has
            its centre at (col + 0.5, row + 0.5). Rotated or sheared grids (b or d nonzero)
            are refused. Note: GDAL's ``GetGeoTransform()`` order is ``(c, a, b, f, d, e)``;
            convert it with ``affine.Affine.from_gdal``.
        lat_deg, lon_deg : float
            Site latitude in [-90, 90] and east longitude, degrees. At the exact pole
            ``lon_deg`` defines azimuth 0 (see the module notes).
        pole : {'south', 'north'}
            Aspect of the projection.
        radius_km : float
            Sphere of the projection and of the heights, km (default 1737.4).
        height_above_ground_m : float
            Observer above the ground (a mast), metres, >= 0.
        az_step_deg : float
            Azimuth step of the output, degrees, in [0.001, 30].
        max_distance_km : float or None
            Longest ray (ground distance along the great circle), km, in (0, 10916] (the
            Moon's circumference); None: to the DEM edge.
        nodata : float or None
            Height value marking missing pixels (NaN for NaN cells); None: every height
            must be finite.

        Returns
        -------
        Horizon
            ``ceil(360 / az_step_deg)`` samples from azimuth 0, ``source='DEM array'``,
            ``site_height_km`` = ground height at the site + mast.

        Raises
        ------
        InputError
            Bad arguments, a grid that does not cover the site or nodata at the site.
        """
        s = _pole_sign(pole)
        r_km = _finite(radius_km, "radius_km")
        if r_km <= 0.0:
            raise InputError(f"radius_km must be positive, got {radius_km!r}", field="radius_km",
                             value=radius_km)
        a, b, c, d, e, f = _affine6(transform)
        h = _heights(heights_m, nodata, "DEM array")
        frame = _Frame(s, r_km * 1000.0, 1.0, 0.0, 0.0, 0.0)
        return _cast_horizon(cls, h, (a, b, c, d, e, f), frame, lat_deg, lon_deg,
                             height_above_ground_m, az_step_deg, max_distance_km, "DEM array")

    @classmethod
    def from_dem(cls, path, lat_deg, lon_deg, *, height_above_ground_m=0.0, az_step_deg=1.0,
                 max_distance_km=None):
        """Terrain horizon of a site from a polar stereographic GeoTIFF (needs rasterio).

        Band 1 is read as heights in metres above the CRS's sphere (scale and offset of the
        band applied; the band's nodata value, its mask and NaN cells are nodata). The CRS
        must be a polar stereographic (variant A or B, latitude of origin +/-90) on a
        sphere within 1 km of 1737.4 km, in metres; a false easting/northing, a
        central meridian, a scale factor or a standard parallel are taken into account.
        With ``max_distance_km`` only the window the rays can reach is read.

        Parameters
        ----------
        path : str or os.PathLike
            GeoTIFF (or any raster GDAL reads), e.g. a LOLA ``LDEM_80S_20M`` conversion.
        lat_deg, lon_deg, height_above_ground_m, az_step_deg, max_distance_km
            As in :meth:`from_array`.

        Returns
        -------
        Horizon
            ``source = "DEM <path>"``.

        Raises
        ------
        InputError
            rasterio missing; the file missing or unreadable; a CRS that is not a lunar
            polar stereographic (the message gives the CRS found and the one expected); a
            rotated grid; a DEM not covering the site (the message gives the site and the
            DEM's extent in metres and latitude); nodata at the site; bad arguments.
        """
        try:
            import rasterio
            from rasterio.errors import RasterioError
            from rasterio.windows import Window
        except ImportError:
            raise InputError("terrain horizons need rasterio: pip install 'cosmoplan[terrain]'",
                             source=str(path), field="rasterio") from None
        src_name = str(path)
        label = f"DEM {src_name}"
        if not os.path.exists(src_name):
            raise InputError("DEM file not found", source=src_name, field="path",
                             value=src_name)
        try:
            ds = rasterio.open(src_name)
        except RasterioError as exc:
            raise InputError(f"cannot read the DEM as a raster: {exc}", source=src_name,
                             field="path", value=src_name) from None
        with ds:
            frame = _frame_from_crs(ds.crs, src_name)
            a, b, c, d, e, f = _affine6(ds.transform, source=src_name)
            # site pixel from the metadata alone: refuse early, before reading the band
            lat, lon, mast, step, max_km = _site_args(lat_deg, lon_deg, height_above_ground_m,
                                                      az_step_deg, max_distance_km)
            xs, ys = frame.site_xy(lat, lon)
            _check_coverage(xs, ys, (a, c, e, f), (ds.height, ds.width), frame, lat_deg,
                            lon_deg, src_name)
            window = None
            if max_km is not None:
                window = _window(xs, ys, (a, c, e, f), (ds.height, ds.width), frame,
                                 max_km * 1000.0)
                if window is not None:
                    col0, row0, ncol, nrow = window
                    c = c + a * col0
                    f = f + e * row0
                    window = Window(col0, row0, ncol, nrow)
            if ds.height < 2 or ds.width < 2:
                raise InputError(f"the DEM has {ds.height} x {ds.width} pixels (rows x "
                                 "columns); at least 2 x 2 are needed to interpolate heights",
                                 source=src_name, field="shape", value=(ds.height, ds.width))
            if np.dtype(ds.dtypes[0]).kind not in "iuf":
                raise InputError(f"band 1 of the DEM holds {ds.dtypes[0]} values, not real "
                                 "heights", source=src_name, field="band 1",
                                 value=ds.dtypes[0])
            try:
                band = ds.read(1, masked=True, window=window)
            except RasterioError as exc:
                raise InputError(f"cannot read band 1 of the DEM: {exc}", source=src_name,
                                 field="band 1") from None
            scale = ds.scales[0] if ds.scales else 1.0
            offset = ds.offsets[0] if ds.offsets else 0.0
        values = np.ma.getdata(band).astype(np.float64)
        if scale is not None and scale != 1.0:
            values *= float(scale)
        if offset:
            values += float(offset)
        mask = np.ma.getmaskarray(band) | np.isnan(values)
        values[mask] = np.nan
        h = _heights(values, np.nan, src_name)
        return _cast_horizon(cls, h, (a, b, c, d, e, f), frame, lat_deg, lon_deg,
                             height_above_ground_m, az_step_deg, max_distance_km, label,
                             source=src_name)


def _vector(values, fld):
    """A read-only finite float64 copy of a 1-D array with at least one element."""
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{fld} must be an array of numbers", field=fld, value=values) from None
    if arr.ndim != 1 or arr.size < 1:
        raise InputError(f"{fld} must be a non-empty 1-D array, got shape {arr.shape}",
                         field=fld, value=arr.shape)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{fld}[{i}] is not finite ({arr[i]!r})", field=f"{fld}[{i}]",
                         value=float(arr[i]))
    arr.setflags(write=False)
    return arr


# ------------------------------------------------------------------------- DEM support
class _Frame:
    """How a raster's coordinates relate to the canonical projection of this module.

    ``x_file = x0 + k0 * x(lat, lon - lon0)`` (same for y), with x, y from
    :func:`polar_stereographic` (k0 = 1, central meridian 0) on a sphere of radius r_m.
    """

    def __init__(self, sign, r_m, k0, lon0, x0, y0):
        self.sign, self.r_m, self.k0, self.lon0, self.x0, self.y0 = sign, r_m, k0, lon0, x0, y0

    @property
    def pole(self):
        return "south" if self.sign < 0 else "north"

    def site_xy(self, lat, lon):
        x, y = polar_stereographic(lat, lon - self.lon0, pole=self.pole,
                                   radius_km=self.r_m / 1000.0)
        return self.x0 + self.k0 * float(x), self.y0 + self.k0 * float(y)

    def canonical(self, x, y):
        return (x - self.x0) / self.k0, (y - self.y0) / self.k0


def _affine6(transform, source=None):
    """(a, b, c, d, e, f) from an affine.Affine or 6 numbers; refuse rotated grids."""
    if all(hasattr(transform, k) for k in "abcdef"):
        vals = [getattr(transform, k) for k in "abcdef"]
    else:
        try:
            vals = list(transform)
        except TypeError:
            raise InputError("transform must be 6 numbers (a, b, c, d, e, f) or an "
                             f"affine.Affine, got {transform!r}", source=source,
                             field="transform", value=transform) from None
        if len(vals) != 6:
            raise InputError(f"transform must have 6 numbers (a, b, c, d, e, f), got "
                             f"{len(vals)}", source=source, field="transform", value=transform)
    a, b, c, d, e, f = (_finite(v, f"transform.{k}", source) for v, k in zip(vals, "abcdef"))
    if b != 0.0 or d != 0.0:
        raise InputError(f"rotated or sheared rasters are not supported (transform b = {b}, "
                         f"d = {d}; both must be 0). If these numbers come from GDAL's "
                         "GetGeoTransform (order c, a, b, f, d, e), use "
                         "affine.Affine.from_gdal(*gt)", source=source, field="transform",
                         value=tuple(vals))
    if a == 0.0 or e == 0.0:
        raise InputError(f"transform pixel size is zero (a = {a}, e = {e})", source=source,
                         field="transform", value=tuple(vals))
    return a, b, c, d, e, f


def _heights(heights_m, nodata, source):
    """float64 (rows, cols) heights with NaN at nodata; finite and plausible elsewhere."""
    try:
        h = np.ascontiguousarray(heights_m, dtype=np.float64)  # no copy when already so
    except (TypeError, ValueError):
        raise InputError("heights_m must be a 2-D array of numbers", source=source,
                         field="heights_m", value=type(heights_m).__name__) from None
    if h.ndim != 2 or h.shape[0] < 2 or h.shape[1] < 2:
        raise InputError(f"heights_m must be a 2-D array of at least 2 x 2, got shape {h.shape}",
                         source=source, field="heights_m", value=h.shape)
    if nodata is not None:
        nd = _finite(nodata, "nodata", source) if not (
            isinstance(nodata, float) and math.isnan(nodata)) else math.nan
        if not math.isnan(nd):
            h = np.where(h == nd, np.nan, h)  # a copy: the caller's array is not modified
    elif not np.isfinite(h).all():
        bad = np.argwhere(~np.isfinite(h))
        if bad.size:
            r, c = (int(v) for v in bad[0])
            raise InputError(f"heights_m[{r}, {c}] is not finite ({h[r, c]!r}); pass "
                             "nodata= to mark missing pixels", source=source,
                             field=f"heights_m[{r}, {c}]", value=float(h[r, c]))
    big = np.nanmax(np.abs(h)) if not np.isnan(h).all() else 0.0
    bad = np.argwhere(np.isinf(h) | (np.abs(h) > _MAX_ABS_HEIGHT_M)) if big > _MAX_ABS_HEIGHT_M \
        else np.empty((0, 2), dtype=np.intp)
    if bad.size:
        r, c = (int(v) for v in bad[0])
        raise InputError(f"heights_m[{r}, {c}] = {h[r, c]!r} m is not a height above the "
                         f"sphere (|h| <= {_MAX_ABS_HEIGHT_M:.0f} m expected; radii or km "
                         "given?)", source=source, field=f"heights_m[{r}, {c}]",
                         value=float(h[r, c]))
    return h


def _site_args(lat_deg, lon_deg, height_above_ground_m, az_step_deg, max_distance_km):
    """Validated (lat rad, lon rad, mast m, step deg, max km or None)."""
    lat = _finite(lat_deg, "lat_deg")
    lon = _finite(lon_deg, "lon_deg")
    if not -90.0 <= lat <= 90.0:
        raise InputError(f"lat_deg {lat_deg!r} is outside [-90, 90]", field="lat_deg",
                         value=lat_deg)
    mast = _finite(height_above_ground_m, "height_above_ground_m")
    if mast < 0.0:
        raise InputError(f"height_above_ground_m must be >= 0, got {height_above_ground_m!r}",
                         field="height_above_ground_m", value=height_above_ground_m)
    step = _finite(az_step_deg, "az_step_deg")
    if not _MIN_AZ_STEP_DEG <= step <= 30.0:
        raise InputError(f"az_step_deg must be in [{_MIN_AZ_STEP_DEG:g}, 30], got "
                         f"{az_step_deg!r}", field="az_step_deg", value=az_step_deg)
    max_km = None
    if max_distance_km is not None:
        max_km = _finite(max_distance_km, "max_distance_km")
        if not 0.0 < max_km <= _MAX_RAY_KM:
            raise InputError(f"max_distance_km must be in (0, {_MAX_RAY_KM:.0f}] (the Moon's "
                             f"circumference), got {max_distance_km!r}",
                             field="max_distance_km", value=max_distance_km)
    return math.radians(lat), math.radians(lon), mast, step, max_km


def _frame_from_crs(crs, source):
    """_Frame of a rasterio CRS, or InputError saying what was found and what is expected."""
    expected = ("a polar stereographic projection on a lunar sphere, e.g. '+proj=stere "
                "+lat_0=-90 +lon_0=0 +k=1 +x_0=0 +y_0=0 +R=1737400 +units=m' (LOLA polar "
                "products; +lat_0=90 in the north)")
    if crs is None:
        raise InputError(f"the DEM has no coordinate reference system; expected {expected}",
                         source=source, field="crs", value=None)
    try:
        found = crs.to_string()
    except Exception:  # noqa: BLE001 - only for the message
        found = str(crs)
    if len(found) > 300:
        found = found[:300] + "..."

    def refuse(why):
        raise InputError(f"unsupported DEM CRS ({why}): found {found!r}; expected {expected}",
                         source=source, field="crs", value=found)

    try:
        pj = crs.to_dict(projjson=True)
    except Exception:  # noqa: BLE001 - any PROJ failure is an unsupported CRS
        refuse("cannot be read by PROJ")
    if pj.get("type") == "BoundCRS":
        pj = pj.get("source_crs", {})
    if pj.get("type") != "ProjectedCRS":
        refuse(f"{pj.get('type', 'unknown type')}, not a projected CRS")
    base = pj.get("base_crs", {})
    datum = base.get("datum") or base.get("datum_ensemble") or {}
    ell = datum.get("ellipsoid", {})
    if "radius" in ell:
        a_m = b_m = _length(ell["radius"], ell.get("unit"))
    elif "semi_major_axis" in ell:
        a_m = _length(ell["semi_major_axis"], ell.get("unit"))
        if "semi_minor_axis" in ell:
            b_m = _length(ell["semi_minor_axis"], ell.get("unit"))
        elif ell.get("inverse_flattening"):
            b_m = a_m * (1.0 - 1.0 / float(ell["inverse_flattening"]))
        else:
            b_m = a_m
    else:
        refuse("no ellipsoid")
    if abs(a_m / 1000.0 - MOON_RADIUS_KM) > _RADIUS_TOL_KM:
        refuse(f"semi-major axis {a_m / 1000.0:.3f} km, not the Moon's "
               f"{MOON_RADIUS_KM} km within {_RADIUS_TOL_KM:g} km")
    if abs(a_m - b_m) > 1.0:
        refuse(f"an ellipsoid (a = {a_m:.1f} m, b = {b_m:.1f} m), not a sphere")
    conv = pj.get("conversion", {})
    method = str(conv.get("method", {}).get("name", ""))
    params = {p.get("name", ""): p for p in conv.get("parameters", [])}

    def param(name, kind, default=None):
        p = params.get(name)
        if p is None:
            if default is None:
                refuse(f"parameter {name!r} missing")
            return default
        v = float(p["value"])
        unit = p.get("unit")
        if kind == "angle":
            return v * _unit_factor(unit, math.pi / 180.0)
        if kind == "length":
            return _length(v, unit)
        return v * _unit_factor(unit, 1.0)

    if method == "Polar Stereographic (variant A)":
        lat0 = param("Latitude of natural origin", "angle")
        lon0 = param("Longitude of natural origin", "angle", 0.0)
        k0 = param("Scale factor at natural origin", "scale", 1.0)
    elif method == "Polar Stereographic (variant B)":
        lat0 = param("Latitude of standard parallel", "angle")
        lon0 = param("Longitude of origin", "angle", 0.0)
        k0 = (1.0 + abs(math.sin(lat0))) / 2.0
    elif method == "Stereographic":
        lat0 = param("Latitude of natural origin", "angle")
        lon0 = param("Longitude of natural origin", "angle", 0.0)
        k0 = param("Scale factor at natural origin", "scale", 1.0)
        if abs(abs(lat0) - math.pi / 2.0) > 1e-9:
            refuse(f"an oblique stereographic centred at latitude {math.degrees(lat0):g}")
    else:
        refuse(f"projection method {method or 'unknown'!r}")
    if method.endswith("(variant A)") and abs(abs(lat0) - math.pi / 2.0) > 1e-9:
        refuse(f"latitude of origin {math.degrees(lat0):g}, not +/-90")
    if lat0 == 0.0 or not k0 > 0.0:
        refuse("degenerate projection parameters")
    x0 = param("False easting", "length", 0.0)
    y0 = param("False northing", "length", 0.0)
    axis = pj.get("coordinate_system", {}).get("axis", [{}])
    unit = axis[0].get("unit", "metre") if axis else "metre"
    factor = _unit_factor(unit, 1.0)
    if factor != 1.0:
        refuse(f"map units {unit!r}: the DEM grid must be in metres")
    return _Frame(-1.0 if lat0 < 0 else 1.0, a_m, k0, lon0, x0, y0)


def _unit_factor(unit, default):
    """Conversion factor of a PROJJSON unit (to metres or radians), ``default`` if unnamed."""
    if unit is None:
        return default
    if isinstance(unit, dict):
        return float(unit.get("conversion_factor", default))
    return {"metre": 1.0, "degree": math.pi / 180.0, "radian": 1.0, "unity": 1.0}.get(
        unit, default if unit in ("", None) else float("nan"))


def _length(value, unit):
    return float(value) * _unit_factor(unit, 1.0)


def _check_coverage(xs, ys, tr, shape, frame, lat_deg, lon_deg, source):
    """InputError unless the site (file coordinates) lies within the raster's extent."""
    a, c, e, f = tr
    nrow, ncol = shape
    col = (xs - c) / a
    row = (ys - f) / e
    if 0.0 <= col <= ncol and 0.0 <= row <= nrow:
        return
    xa, xb = sorted((c, c + a * ncol))
    ya, yb = sorted((f, f + e * nrow))
    # latitude range of the rectangle: nearest and farthest points from the pole
    cx = [(v - frame.x0) / frame.k0 for v in (xa, xb)]
    cy = [(v - frame.y0) / frame.k0 for v in (ya, yb)]
    near = math.hypot(min(max(0.0, cx[0]), cx[1]), min(max(0.0, cy[0]), cy[1]))
    far = max(math.hypot(u, v) for u in cx for v in cy)
    lats = [math.degrees(float(polar_stereographic_inverse(r, 0.0, pole=frame.pole,
                                                           radius_km=frame.r_m / 1000.0)[0]))
            for r in (near, far)]
    raise InputError(
        f"the DEM does not cover the site lat {float(lat_deg):.6f} deg, lon "
        f"{float(lon_deg):.6f} deg (x = {xs:.1f} m, y = {ys:.1f} m in the DEM's projection): "
        f"the DEM covers x {xa:.1f} .. {xb:.1f} m, y {ya:.1f} .. {yb:.1f} m, latitude "
        f"{min(lats):.4f} .. {max(lats):.4f} deg", source=source, field="lat_deg, lon_deg",
        value=(float(lat_deg), float(lon_deg)))


def _window(xs, ys, tr, shape, frame, max_m):
    """(col0, row0, ncol, nrow) of the pixels a ray of max_m metres can reach, or None."""
    a, c, e, f = tr
    nrow, ncol = shape
    rho = math.hypot(*frame.canonical(xs, ys))
    kmax = 1.0 + (rho + 2.0 * max_m) ** 2 / (4.0 * frame.r_m**2)
    half = frame.k0 * max_m * kmax * 1.01
    cols = sorted(((xs - half - c) / a, (xs + half - c) / a))
    rows = sorted(((ys - half - f) / e, (ys + half - f) / e))
    c0 = max(0, math.floor(cols[0]) - 2)
    c1 = min(ncol, math.ceil(cols[1]) + 2)
    r0 = max(0, math.floor(rows[0]) - 2)
    r1 = min(nrow, math.ceil(rows[1]) + 2)
    if c0 == 0 and r0 == 0 and c1 == ncol and r1 == nrow:
        return None
    return c0, r0, c1 - c0, r1 - r0


def _site_height(h, col_f, row_f, source, lat_deg, lon_deg):
    """Bilinear height at a fractional pixel-centre position (clamped to the grid)."""
    nrow, ncol = h.shape
    cf = min(max(col_f, 0.0), ncol - 1.0)
    rf = min(max(row_f, 0.0), nrow - 1.0)
    i = min(int(math.floor(cf)), ncol - 2)
    j = min(int(math.floor(rf)), nrow - 2)
    tx, ty = cf - i, rf - j
    total = 0.0
    for dj, wy in ((0, 1.0 - ty), (1, ty)):
        for di, wx in ((0, 1.0 - tx), (1, tx)):
            w = wx * wy
            if w == 0.0:
                continue
            v = h[j + dj, i + di]
            if math.isnan(v):
                raise InputError(f"the DEM has no data at the site lat {float(lat_deg):.6f} "
                                 f"deg, lon {float(lon_deg):.6f} deg (pixel row {j + dj}, "
                                 f"col {i + di} is nodata)", source=source,
                                 field="lat_deg, lon_deg",
                                 value=(float(lat_deg), float(lon_deg)))
            total += w * v
    return total


def _cast_horizon(cls, h, tr6, frame, lat_deg, lon_deg, height_above_ground_m, az_step_deg,
                  max_distance_km, label, source=None):
    """Validate the site, build the ray geometry and run the compiled kernel."""
    who = source if source is not None else label
    lat, lon, mast, step, max_km = _site_args(lat_deg, lon_deg, height_above_ground_m,
                                              az_step_deg, max_distance_km)
    a, _, c, _, e, f = tr6
    nrow, ncol = h.shape
    xs, ys = frame.site_xy(lat, lon)
    _check_coverage(xs, ys, (a, c, e, f), h.shape, frame, lat_deg, lon_deg, who)
    h_ground = _site_height(h, (xs - c) / a - 0.5, (ys - f) / e - 0.5, who, lat_deg, lon_deg)
    r_m = frame.r_m
    h_obs = h_ground + mast
    floor = -math.acos(min(r_m, r_m + h_ground) / (r_m + h_obs))

    # canonical grid: x_canon = (x_file - x0) / k0
    ca, cc = a / frame.k0, (c - frame.x0) / frame.k0
    ce, cf = e / frame.k0, (f - frame.y0) / frame.k0
    corners_x = (cc, cc + ca * ncol)
    corners_y = (cf, cf + ce * nrow)
    if max_km is None:  # largest scale factor on the grid: at its corner farthest from the pole
        rho_max = max(math.hypot(u, v) for u in corners_x for v in corners_y)
    else:  # within reach of the rays (independent of the grid: a window gives the same steps)
        rho_max = math.hypot(*frame.canonical(xs, ys)) + 2.0 * max_km * 1000.0
    kmax = 1.0 + rho_max**2 / (4.0 * r_m**2)
    ds = 0.5 * min(abs(ca), abs(ce)) / kmax
    diag = math.hypot(ca * ncol, ce * nrow)
    n_steps = math.ceil(1.6 * diag / ds) + 2
    if max_km is not None:
        n_steps = min(n_steps, int(math.floor(max_km * 1000.0 / ds)))
    n_steps = max(0, min(n_steps, int(math.floor(0.5 * math.pi * r_m / ds))))
    g = np.arange(1, n_steps + 1, dtype=np.float64) * (ds / r_m)

    lam = lon - frame.lon0
    sl, cl = math.sin(lat), math.cos(lat)
    up = np.array([cl * math.cos(lam), cl * math.sin(lam), sl])
    north = np.array([-sl * math.cos(lam), -sl * math.sin(lam), cl])
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    n_az = math.ceil(360.0 / step - 1e-9)
    az_deg = np.arange(n_az, dtype=np.float64) * step
    az_deg = az_deg[az_deg < 360.0]
    az = np.deg2rad(az_deg)
    out = np.empty(az.size)
    _cast_kernel(h, ca, cc, ce, cf, up, north, east, frame.sign, r_m, h_obs, floor, az,
                 np.cos(g), np.sin(g), 2.0 * np.sin(g / 2.0) ** 2, out)
    return cls(az, out, label, h_obs / 1000.0, float(lat_deg), float(lon_deg))


@jit
def _cast_kernel(h, a, c, e, f, up, north, east, sign, r_m, h_obs, floor, az, cos_g, sin_g,
                 vers_g, out):
    """Largest terrain elevation along each azimuth (see the module notes), in place.

    h (rows, cols) heights, m, NaN = nodata; (a, c, e, f) canonical pixel-corner affine, m;
    up, north, east (3,) site unit vectors in the projection's frame (lon - lon0); sign -1
    south / +1 north aspect; r_m sphere radius, m; h_obs observer height above it, m; floor
    the smooth-sphere horizon, rad; az (M,) rad; cos_g, sin_g, vers_g (N,) of the central
    angles of the steps (vers = 1 - cos, computed as 2 sin^2(g/2) for precision); out (M,).
    """
    nrow, ncol = h.shape
    two_r = 2.0 * r_m
    inv_a = 1.0 / a
    inv_e = 1.0 / e
    tan_floor = math.tan(floor)
    for k in range(az.shape[0]):
        ca = math.cos(az[k])
        sa = math.sin(az[k])
        d0 = ca * north[0] + sa * east[0]
        d1 = ca * north[1] + sa * east[1]
        d2 = ca * north[2] + sa * east[2]
        # elev = atan2(num, den) with den = (R + hp) sin g > 0: track the largest num / den
        best = tan_floor
        for i in range(cos_g.shape[0]):
            cg = cos_g[i]
            sg = sin_g[i]
            px = cg * up[0] + sg * d0
            py = cg * up[1] + sg * d1
            pz = cg * up[2] + sg * d2
            den = 1.0 + sign * pz
            if den <= 0.0:
                break
            x = two_r * py / den
            y = -sign * two_r * px / den
            colf = (x - c) * inv_a - 0.5
            rowf = (y - f) * inv_e - 0.5
            if not (colf >= 0.0 and colf <= ncol - 1.0 and rowf >= 0.0 and rowf <= nrow - 1.0):
                break
            i0 = int(colf)
            j0 = int(rowf)
            if i0 > ncol - 2:
                i0 = ncol - 2
            if j0 > nrow - 2:
                j0 = nrow - 2
            tx = colf - i0
            ty = rowf - j0
            h00 = h[j0, i0]
            h01 = h[j0, i0 + 1]
            h10 = h[j0 + 1, i0]
            h11 = h[j0 + 1, i0 + 1]
            if math.isnan(h00) or math.isnan(h01) or math.isnan(h10) or math.isnan(h11):
                break
            hp = (1.0 - ty) * ((1.0 - tx) * h00 + tx * h01) + ty * ((1.0 - tx) * h10 + tx * h11)
            rp = r_m + hp
            # (R + hp) cos g - (R + hs) = (hp - hs) - (R + hp)(1 - cos g), without cancellation
            t = ((hp - h_obs) - rp * vers_g[i]) / (rp * sg)
            if t > best:
                best = t
        out[k] = math.atan(best)
