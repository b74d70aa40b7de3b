"""Reference frames: one tree of Earth frames, plus geodetic, topocentric and orbital frames.

The Earth frames form a tree rooted at GCRF; every edge is a rotation with its angular
velocity, computed once, here, with its source:

==========  ========  ==================================================================
frame       parent    edge (source, accuracy)
==========  ========  ==================================================================
GCRF        (root)    Geocentric Celestial Reference Frame (IERS Conventions 2010 ch. 2)
EME2000     GCRF      IAU 2006 frame bias, ERFA ``bp06`` (constant, 23 mas)
CIRS        GCRF      IAU 2006/2000A CIP X, Y (``xys06a``) + EOP dX, dY, CIO locator s
                      (``s06``), matrix ``c2ixys``: IERS Conventions 2010 eq. 5.10;
                      precision ~1 mas (3 cm at LEO) with EOP from the IERS tables
TIRS        CIRS      Earth rotation angle ``era00`` from UT1 (IERS 2010 eq. 5.15);
                      angular velocity 7.292115146706979e-5 rad/s about z
ITRF        TIRS      polar motion ``pom00(xp, yp, s')`` (IERS 2010 eq. 5.3)
TEME        ITRF      True Equator Mean Equinox of SGP4: R3(GMST82(UT1)) then polar
                      motion (Vallado et al. 2006, AIAA 2006-6753, Appendix C, eq. C-2,
                      "TEME -> PEF -> ITRF"); astropy's TEME uses the same chain
==========  ========  ==================================================================

A transform between any two frames walks up to their common ancestor and down again;
no pair is hand-written. Rotations act on column vectors: ``r_child = R @ r_parent`` and
``v_child = R @ v_parent - w x r_child`` where ``w`` is the angular velocity of the
child relative to the parent, expressed in the child. The slow rotation rates of
precession-nutation and polar motion (< 1e-11 rad/s: < 0.1 mm/s at GEO) are neglected.

Arrays: positions are ``(..., 3)`` km, velocities ``(..., 3)`` km/s, broadcast against
the epoch's shape.

Orbital frames (RSW and LVLH) are defined by a state, not an epoch; see
:func:`rsw_matrix`, :func:`lvlh_matrix` and :func:`relative_state`.
"""

from __future__ import annotations

import erfa
import numpy as np

from .constants import EARTH_ROTATION_RATE_RAD_S, WGS84_A_KM, WGS84_F
from .errors import InputError

__all__ = [
    "FRAMES",
    "transform",
    "rotation_matrix",
    "geodetic_to_itrf",
    "itrf_to_geodetic",
    "enu_matrix",
    "topocentric_azel",
    "rsw_matrix",
    "lvlh_matrix",
    "relative_state",
    "absolute_state",
    "orbital_frame_rate",
]

FRAMES = ("GCRF", "EME2000", "CIRS", "TIRS", "ITRF", "TEME")
"""Frame names understood by :func:`transform` (aliases: ICRF -> GCRF, J2000 -> EME2000)."""

_PARENT = {"EME2000": "GCRF", "CIRS": "GCRF", "TIRS": "CIRS", "ITRF": "TIRS", "TEME": "ITRF"}
_ALIASES = {"ICRF": "GCRF", "GCRS": "GCRF", "J2000": "EME2000", "ITRS": "ITRF", "ECEF": "ITRF",
            "ECI": None}


def _canon(name):
    key = str(name).upper()
    if key in _ALIASES:
        if _ALIASES[key] is None:
            raise InputError(
                f"frame {name!r} is ambiguous: say GCRF, EME2000 or TEME", field="frame",
                value=name,
            )
        key = _ALIASES[key]
    if key not in FRAMES:
        raise InputError(
            f"unknown frame {name!r}; known frames: {', '.join(FRAMES)}", field="frame",
            value=name,
        )
    return key


def _rz(angle):
    """Rotation matrices R3(angle) (passive, as in ERFA ``rz``), shape angle.shape+(3,3)."""
    angle = np.asarray(angle, dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(angle.shape + (3, 3))
    out[..., 0, 0] = c
    out[..., 0, 1] = s
    out[..., 1, 0] = -s
    out[..., 1, 1] = c
    out[..., 2, 2] = 1.0
    return out


def _edge(frame, epoch):
    """(R, w) for the edge parent(frame) -> frame at ``epoch``: r_frame = R r_parent."""
    from .eop import default_eop

    if frame == "EME2000":
        rb, _, _ = erfa.bp06(2451545.0, 0.0)
        shape = epoch.shape
        return np.broadcast_to(rb, shape + (3, 3)), None
    tt = epoch.tt
    if frame == "CIRS":
        eop = default_eop().at(epoch)
        x, y = _xy06a(tt.jd1, tt.jd2)
        x = x + eop.dx
        y = y + eop.dy
        s = erfa.s06(tt.jd1, tt.jd2, x, y)
        return erfa.c2ixys(x, y, s), None
    if frame == "TIRS":
        ut1 = epoch.ut1
        era = erfa.era00(ut1.jd1, ut1.jd2)
        w = np.zeros(np.shape(era) + (3,))
        w[..., 2] = EARTH_ROTATION_RATE_RAD_S
        return _rz(era), w
    if frame == "ITRF":
        eop = default_eop().at(epoch)
        sp = erfa.sp00(tt.jd1, tt.jd2)
        return erfa.pom00(eop.xp, eop.yp, sp), None
    if frame == "TEME":
        eop = default_eop().at(epoch)
        ut1 = epoch.ut1
        gmst = erfa.gmst82(ut1.jd1, ut1.jd2)
        sp = 0.0  # Vallado 2006 eq. C-2 uses polar motion without s'
        pom = erfa.pom00(eop.xp, eop.yp, sp)
        # ITRF -> TEME = (W R3(gmst))^T ; TEME rotates at -omega z relative to ITRF.
        m = np.swapaxes(pom @ _rz(gmst), -1, -2)
        w = np.zeros(np.shape(gmst) + (3,))
        w[..., 2] = -EARTH_ROTATION_RATE_RAD_S
        return m, w
    raise AssertionError(frame)  # pragma: no cover


def _xy_series(days):
    x, y, _ = erfa.xys06a(2451545.0, days)
    return np.stack([x, y], -1)


_XY = None


def _xy06a(jd1, jd2):
    """CIP X, Y (rad), IAU 2006/2000A (ERFA ``xys06a``), at TT (jd1, jd2).

    Large arrays are answered from cached cubic splines on hourly nodes
    (:class:`cosmoplan._series.BlockSeries`, error below 1e-13 rad, 0.6 um at the Earth's
    surface).
    """
    global _XY
    if _XY is None:
        from ._series import BlockSeries

        _XY = BlockSeries(_xy_series)
    jd1, jd2 = np.broadcast_arrays(np.asarray(jd1, float), np.asarray(jd2, float))
    fast = _XY((jd1.ravel() - 2451545.0) + jd2.ravel())
    if fast is not None:
        return fast[:, 0].reshape(jd1.shape), fast[:, 1].reshape(jd1.shape)
    x, y, _ = erfa.xys06a(jd1, jd2)
    return x, y


def _chain(frame):
    out = [frame]
    while out[-1] in _PARENT:
        out.append(_PARENT[out[-1]])
    return out


def _apply(mat, vec):
    return np.einsum("...ij,...j->...i", mat, vec)


def transform(r, v, epoch, from_frame, to_frame):
    """Transform positions (and velocities) between Earth frames.

    Parameters
    ----------
    r : array_like, shape (..., 3)
        Positions, km.
    v : array_like, shape (..., 3) or None
        Velocities, km/s (None: positions only).
    epoch : Epoch
        Epoch(s), any time scale; shape broadcastable with ``r[..., 0]``.
    from_frame, to_frame : str
        Names from :data:`FRAMES` (aliases ICRF, GCRS, J2000, ITRS, ECEF accepted).

    Returns
    -------
    r, v : ndarray
        Transformed position (km) and velocity (km/s; None if ``v`` was None).
    """
    from .time import Epoch

    a, b = _canon(from_frame), _canon(to_frame)
    r = _vectors(r, "r")
    v = None if v is None else _vectors(v, "v")
    if v is not None and v.shape != r.shape:
        try:
            r, v = np.broadcast_arrays(r, v)
        except ValueError:
            raise InputError(f"positions {r.shape} and velocities {v.shape} do not match",
                             field="v") from None
    if not isinstance(epoch, Epoch):
        raise InputError(f"epoch must be a cosmoplan Epoch, got {type(epoch).__name__} "
                         f"{epoch!r}; use Epoch.from_iso(...)", field="epoch", value=epoch)
    try:
        np.broadcast_shapes(r.shape[:-1], epoch.shape)
    except ValueError:
        raise InputError(f"{r.shape[:-1]} states cannot be paired with epochs of shape "
                         f"{epoch.shape}: give one epoch, or one per state", field="epoch",
                         value=epoch.shape) from None
    if a == b:
        return r, v
    up, down = _chain(a), _chain(b)
    while len(up) > 1 and len(down) > 1 and up[-2] == down[-2]:
        up.pop()
        down.pop()
    # up: a ... lca ; down: b ... lca
    for child in up[:-1]:
        m, w = _edge(child, epoch)
        mt = np.swapaxes(m, -1, -2)
        if v is not None:
            vv = v + np.cross(w, r) if w is not None else v
            v = _apply(mt, vv)
        r = _apply(mt, r)
    for child in reversed(down[:-1]):
        m, w = _edge(child, epoch)
        r = _apply(m, r)
        if v is not None:
            v = _apply(m, v)
            if w is not None:
                v = v - np.cross(w, r)
    return r, v


def _vectors(x, name):
    """Finite float array of shape (..., 3), or InputError."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers with shape (..., 3)", field=name,
                         value=x) from None
    if x.shape[-1:] != (3,):
        raise InputError(f"{name} must have shape (..., 3), got {x.shape}", field=name)
    if not np.all(np.isfinite(x)):
        raise InputError(f"{name} contains NaN or infinite values", field=name)
    return x


def rotation_matrix(epoch, from_frame, to_frame):
    """Rotation matrix M with ``r_to = M @ r_from`` at ``epoch``, shape epoch.shape + (3, 3)."""
    eye = np.broadcast_to(np.eye(3), epoch.shape + (3, 3))
    # the three basis vectors in one transform (one evaluation of each edge)
    cols = transform(eye, None, epoch.reshape(*epoch.shape, 1), from_frame, to_frame)[0]
    return np.swapaxes(cols, -1, -2)


# ------------------------------------------------------------------------- geodetic
def geodetic_to_itrf(lat, lon, height_km):
    """ITRF position (km) of WGS-84 geodetic coordinates (ERFA ``gd2gc``).

    Parameters
    ----------
    lat, lon : array_like
        Geodetic latitude and east longitude, rad.
    height_km : array_like
        Height above the WGS-84 ellipsoid, km.

    Returns
    -------
    ndarray, shape (..., 3)
    """
    lat, lon, h = np.broadcast_arrays(
        np.asarray(lat, float), np.asarray(lon, float), np.asarray(height_km, float)
    )
    if np.any(np.abs(lat) > np.pi / 2 + 1e-12):
        raise InputError("geodetic latitude must lie in [-90, 90] degrees", field="lat",
                         value=np.degrees(lat))
    return erfa.gd2gce(WGS84_A_KM, WGS84_F, lon, lat, h)


def itrf_to_geodetic(r):
    """WGS-84 geodetic (lat rad, east lon rad, height km) of ITRF positions (ERFA ``gc2gde``).

    Parameters
    ----------
    r : array_like, shape (..., 3), km

    Returns
    -------
    lat, lon, height_km : ndarray, shape (...)
    """
    r = np.asarray(r, dtype=float)
    lon, lat, h = erfa.gc2gde(WGS84_A_KM, WGS84_F, r)
    return lat, lon, h


def enu_matrix(lat, lon):
    """Rows east, north, up (ITRF components) at geodetic (lat, lon) rad; shape (..., 3, 3)."""
    lat, lon = np.broadcast_arrays(np.asarray(lat, float), np.asarray(lon, float))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    m = np.zeros(lat.shape + (3, 3))
    m[..., 0, :] = np.stack([-so, co, np.zeros_like(so)], -1)
    m[..., 1, :] = np.stack([-sl * co, -sl * so, cl], -1)
    m[..., 2, :] = np.stack([cl * co, cl * so, sl], -1)
    return m


def topocentric_azel(r_itrf, lat, lon, height_km, v_itrf=None):
    """Azimuth, elevation, range (and range rate) of ITRF positions seen from a site.

    Parameters
    ----------
    r_itrf : array_like, shape (..., 3)
        Target positions in ITRF, km.
    lat, lon, height_km : float
        Site geodetic latitude, east longitude (rad) and height (km), WGS-84.
    v_itrf : array_like, shape (..., 3), optional
        Target velocities in ITRF, km/s, for the range rate.

    Returns
    -------
    az, el : ndarray
        Azimuth from north through east in [0, 2 pi) and elevation, rad (geodetic
        horizon, no refraction).
    rng : ndarray
        Range, km.
    rng_rate : ndarray or None
        Range rate, km/s (None without ``v_itrf``).
    """
    site = geodetic_to_itrf(lat, lon, height_km)
    rho = np.asarray(r_itrf, float) - site
    enu = _apply(enu_matrix(lat, lon), rho)
    rng = np.linalg.norm(rho, axis=-1)
    az = np.mod(np.arctan2(enu[..., 0], enu[..., 1]), 2 * np.pi)
    el = np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1]))
    rr = None
    if v_itrf is not None:
        rr = np.einsum("...i,...i->...", rho, np.asarray(v_itrf, float)) / rng
    return az, el, rng, rr


# ------------------------------------------------------------------------- orbital frames
def _unit(x):
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / n


def rsw_matrix(r, v):
    """Rows R (radial), S (along-track), W (cross-track, along h) of a state; (..., 3, 3).

    ``x_rsw = M @ x_inertial``. Vallado (2013) §3.3 "RSW"; also called RTN or RIC, and the
    Hill frame of the HCW equations (x radial, y along-track, z cross-track).
    """
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    rhat = _unit(r)
    what = _unit(np.cross(r, v))
    shat = np.cross(what, rhat)
    return np.stack([rhat, shat, what], axis=-2)


def lvlh_matrix(r, v):
    """Rows of the LVLH frame of a state; shape (..., 3, 3).

    Convention of Fehse, *Automated Rendezvous and Docking of Spacecraft* (2003) §3.1
    (also CCSDS "LVLH", and the frame of ISS/CSS operations): z = R-bar, toward the
    Earth's centre (-r/|r|); y = -H-bar, opposite the orbital angular momentum; x =
    V-bar = y x z, along the velocity for a circular orbit. ``x_lvlh = M @ x_inertial``.
    """
    r = np.asarray(r, float)
    v = np.asarray(v, float)
    zhat = -_unit(r)
    yhat = -_unit(np.cross(r, v))
    xhat = np.cross(yhat, zhat)
    return np.stack([xhat, yhat, zhat], axis=-2)


_ORBITAL = {"LVLH": lvlh_matrix, "RSW": rsw_matrix, "RTN": rsw_matrix, "RIC": rsw_matrix}


def orbital_frame_rate(r, v):
    """Angular velocity of the orbital frame of (r, v), in inertial axes, rad/s: h / |r|^2.

    This is the rate of the Keplerian orbital frame (Fehse 2003 eq. 3.4); the small
    out-of-plane rate caused by perturbing forces normal to the plane is left out, as in
    the HCW model and in flight relative-navigation conventions.
    """
    r = np.asarray(r, float)
    h = np.cross(r, np.asarray(v, float))
    return h / np.einsum("...i,...i->...", r, r)[..., None]


def _orbital_matrix(frame):
    key = str(frame).upper()
    if key not in _ORBITAL:
        raise InputError(f"unknown orbital frame {frame!r}; use LVLH or RSW", field="frame",
                         value=frame)
    return _ORBITAL[key]


def relative_state(r_target, v_target, r_chaser, v_chaser, frame="LVLH"):
    """Position and velocity of a chaser relative to a target, in the target's orbital frame.

    Parameters
    ----------
    r_target, v_target, r_chaser, v_chaser : array_like, shape (..., 3)
        Inertial (e.g. GCRF) states, km and km/s.
    frame : {'LVLH', 'RSW'}
        Target orbital frame (see :func:`lvlh_matrix`, :func:`rsw_matrix`).

    Returns
    -------
    rho, rho_dot : ndarray, shape (..., 3)
        Relative position (km) and velocity (km/s) as seen in the rotating frame:
        ``rho_dot = M (v_c - v_t) - w x rho`` with ``w`` from :func:`orbital_frame_rate`.
    """
    m = _orbital_matrix(frame)(r_target, v_target)
    w = _apply(m, orbital_frame_rate(r_target, v_target))
    rho = _apply(m, np.asarray(r_chaser, float) - np.asarray(r_target, float))
    rho_dot = _apply(m, np.asarray(v_chaser, float) - np.asarray(v_target, float))
    return rho, rho_dot - np.cross(w, rho)


def absolute_state(r_target, v_target, rho, rho_dot, frame="LVLH"):
    """Inverse of :func:`relative_state`: the chaser's inertial state from a relative one."""
    m = _orbital_matrix(frame)(r_target, v_target)
    w = _apply(m, orbital_frame_rate(r_target, v_target))
    rho = np.asarray(rho, float)
    mt = np.swapaxes(m, -1, -2)
    r = np.asarray(r_target, float) + _apply(mt, rho)
    v = np.asarray(v_target, float) + _apply(mt, np.asarray(rho_dot, float) + np.cross(w, rho))
    return r, v
