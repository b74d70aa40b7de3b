"""Solar radiation pressure, cannonball model, with conical Earth and Moon shadows (numba).

Acceleration of a spherical ("cannonball") satellite at r, the Sun at s (same centre
and axes, km):

    a = nu P_ref (D_ref / |r - s|)^2 Cr A / m  (r - s) / |r - s|                (1)

(Montenbruck & Gill 2000, *Satellite Orbits*, §3.4, the cannonball form with the
1/d^2 scaling of the flux), A in m^2, m in kg, P_ref in N/m^2, so Cr A / m P_ref is in
m/s^2; the kernels multiply by 1e-3 to return km/s^2. The constants are Orekit's (13.x,
``org.orekit.forces.radiation.SolarRadiationPressure``: ``D_REF = 149597870000.0`` m,
``P_REF = 4.56e-6`` N/m^2, i.e. 1367 W/m^2 / c at 1 AU): :data:`D_REF_KM` is
149597870.0 km, *not* the IAU 2012 au (149597870.7 km; the 0.7 km changes the pressure
by 1e-8). Orekit's cannonball (``IsotropicRadiationSingleCoefficient``) is the same
a = Cr A / m x flux.

Shadow function nu in [0, 1] (fraction of the solar disk that is visible), conical
model with penumbra (Montenbruck & Gill 2000, §3.4.2, eqs. 3.79-3.87). Seen from the
satellite, the Sun has apparent radius a_s = asin(R_sun / |s - r|), the occulting body
b = asin(R_b / |r_b - r|) (or, for the oblate Earth, its limb radius, below), and the
two centres are c apart. Then

* c >= a_s + b: nu = 1 (sunlight);
* c <= b - a_s: nu = 0 (umbra);
* otherwise the visible fraction is 1 - (overlap of the two disks) / (pi a_s^2), which
  Orekit writes (and this module follows, clamps included)
  alpha1 = (c^2 - b^2 + a_s^2) / (2 c),  alpha2 = (c^2 + b^2 - a_s^2) / (2 c),
  P1 = a_s^2 acos(alpha1 / a_s) - alpha1 sqrt(a_s^2 - alpha1^2),
  P2 = b^2 acos(alpha2 / b) - alpha2 sqrt(b^2 - alpha2^2),
  nu = 1 - (P1 + P2) / (pi a_s^2),
  the same as M&G's x, y, A form; the clamped acos/sqrt also give the annular case
  (body inside the solar disk) nu = 1 - b^2 / a_s^2.

The two tests use Orekit's 1e-10 rad margin (umbra if c - b + a_s <= 1e-10, penumbra
if c - b - a_s < -1e-10). Conditioning: in LEO b (about 1.1 rad) is 250 times a_s, and
P2 is the small difference of O(b^2) terms, so nu carries ~1e-9 of rounding noise in
the penumbra (as Orekit's does; 1e-9 of the SRP is ~1e-19 km/s^2).

Earth's shape. Orekit 12/13's ``SolarRadiationPressure`` takes the central body as a
``OneAxisEllipsoid`` (usually WGS-84: a = 6378.137 km, f = 1/298.257223563, in ITRF):
``OccultationEngine.angles`` computes b as the angle, at the satellite, between the
Earth's centre and the point of the ellipsoid limb (``OneAxisEllipsoid.pointOnLimb``)
in the plane through the centre, the satellite and the Sun. :func:`earth_shadow_kernel`
does the same: that plane cuts the ellipsoid along an ellipse whose semi-axes are a
(along the equatorial direction pole x normal) and
b' = [(1 - z^2) / a^2 + z^2 / b^2]^(-1/2) (z = sine of the other in-plane axis' angle to
the equator, b = a (1 - f)); in coordinates scaled by (a, b') the tangent points from
the satellite P on the unit circle are (P +- sqrt(|P|^2 - 1) P_perp) / |P|^2, the one on
the Sun's side is kept. The pole is a unit vector on the position's axes: (0, 0, 1) in
CIRS/ITRF; in GCRF, the CIP (third row of the GCRF -> CIRS matrix). Polar motion
(< 0.5 arcsec) moves the limb by < 5 cm and is ignored. With f = 0 this is the sphere
of radius a, i.e. Orekit's ``ConicallyShadowedLightFluxModel`` (single spherical
occulting body, M&G 3.79-3.87).

Several occulting bodies (Earth, Moon): :func:`lighting_ratio_kernel` combines the two
ratios as Orekit 13's ``SolarRadiationPressure.getLightingRatio`` does (``combine=0``,
checked in CS-SI Orekit 13 source): return 0 if either ratio is 0, else

    nu = nu_E + nu_M - 1 - [0 < nu_M < 1] (1 - m_EM) a_E^2 / a_s^2                (2)

the occulted fractions add, minus the Earth-Moon overlap (m_EM: fraction of the Earth's
disk, taken as a sphere of radius a, left visible by the Moon), normalised by the solar
disk. In the rare geometry where the Moon partially hides the Sun and overlaps the
Earth's disk outside the solar disk, (2) can leave [0, 1] (Orekit does not clamp; this
kernel does not either, to reproduce it). ``combine=1`` gives the product nu_E nu_M
instead. The Moon is a sphere of radius 1737.4 km (Orekit
``Constants.MOON_EQUATORIAL_RADIUS``), the Sun one of 695700 km (IAU 2015 B3, Orekit
``Constants.SUN_RADIUS``).

Units: km, s, km/s^2; area m^2, mass kg.
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import jit
from ..constants import MOON_RADIUS_KM, SUN_RADIUS_KM, WGS84_A_KM, WGS84_F
from ..errors import InputError

__all__ = [
    "P_REF_N_M2",
    "D_REF_KM",
    "ANGULAR_MARGIN_RAD",
    "shadow_function_kernel",
    "earth_shadow_kernel",
    "lighting_ratio_kernel",
    "srp_accel_kernel",
    "shadow_function",
    "earth_shadow",
    "lighting_ratio",
    "srp_acceleration",
]

P_REF_N_M2 = 4.56e-6
"""Solar radiation pressure at D_REF, N/m^2 (Orekit ``SolarRadiationPressure.P_REF``)."""
D_REF_KM = 149597870.0
"""Reference distance, km (Orekit ``SolarRadiationPressure.D_REF`` = 149597870000.0 m)."""
K_REF = P_REF_N_M2 * D_REF_KM * D_REF_KM * 1.0e-3
"""P_ref D_ref^2 with the m/s^2 -> km/s^2 factor: a [km/s^2] = K_REF Cr A/m / d^2 [km]."""
ANGULAR_MARGIN_RAD = 1.0e-10
"""Margin of the umbra/penumbra tests, rad (Orekit ``SolarRadiationPressure``)."""
_SAFE_MIN = 2.2250738585072014e-308  # Hipparchus Precision.SAFE_MIN (0x1.0p-1022)
_ALMOST1 = float(np.nextafter(1.0, 0.0))  # FastMath.nextDown(1.0)


# ------------------------------------------------------------------------ kernels
@jit
def _angle(ax, ay, az, bx, by, bz):
    """Angle between two vectors, rad (atan2 of |a x b| and a . b: accurate everywhere)."""
    cx = ay * bz - az * by
    cy = az * bx - ax * bz
    cz = ax * by - ay * bx
    return math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), ax * bx + ay * by + az * bz)


@jit
def _masking_ratio(sep, alpha_body, alpha_sun):
    """Visible fraction of a disk of radius alpha_sun behind one of radius alpha_body.

    ``sep`` is the angle between the two centres; all in rad (Orekit 13
    ``SolarRadiationPressure.maskingRatio``, = M&G eqs. 3.79-3.87).
    """
    if sep - alpha_body + alpha_sun <= ANGULAR_MARGIN_RAD:
        return 0.0
    if sep - alpha_body - alpha_sun < -ANGULAR_MARGIN_RAD:
        sea2 = sep * sep
        oo2sea = 1.0 / (2.0 * sep)
        as2 = alpha_sun * alpha_sun
        ae2 = alpha_body * alpha_body
        ae2mas2 = ae2 - as2
        alpha1 = (sea2 - ae2mas2) * oo2sea
        alpha2 = (sea2 + ae2mas2) * oo2sea
        a1oas = min(_ALMOST1, max(-_ALMOST1, alpha1 / alpha_sun))
        as2ma12 = max(_SAFE_MIN, as2 - alpha1 * alpha1)
        a2oae = min(_ALMOST1, max(-_ALMOST1, alpha2 / alpha_body))
        ae2ma22 = max(_SAFE_MIN, ae2 - alpha2 * alpha2)
        p1 = as2 * math.acos(a1oas) - alpha1 * math.sqrt(as2ma12)
        p2 = ae2 * math.acos(a2oae) - alpha2 * math.sqrt(ae2ma22)
        return 1.0 - (p1 + p2) / (math.pi * as2)
    return 1.0


@jit
def shadow_function_kernel(rx, ry, rz, sun_x, sun_y, sun_z, body_x, body_y, body_z,
                           r_sun, r_body):
    """Lighting ratio nu in [0, 1] of a spherical occulting body (conical model).

    Parameters (all float): satellite (rx, ry, rz), Sun (sun_*) and occulting body
    (body_*) positions, km, same centre and axes; radii of the Sun and of the body, km.
    A satellite inside the body gets 0.
    """
    dsx = sun_x - rx
    dsy = sun_y - ry
    dsz = sun_z - rz
    dbx = body_x - rx
    dby = body_y - ry
    dbz = body_z - rz
    ds = math.sqrt(dsx * dsx + dsy * dsy + dsz * dsz)
    db = math.sqrt(dbx * dbx + dby * dby + dbz * dbz)
    if db <= r_body:
        return 0.0
    alpha_sun = math.asin(min(1.0, r_sun / ds))
    alpha_body = math.asin(r_body / db)
    sep = _angle(dsx, dsy, dsz, dbx, dby, dbz)
    return _masking_ratio(sep, alpha_body, alpha_sun)


@jit
def _ellipsoid_limb_radius(px, py, pz, ox, oy, oz, kx, ky, kz, a, b):
    """Apparent radius (rad) of an oblate ellipsoid's limb in the plane of centre, P, O.

    P = observer, O = the outside point fixing the plane and the side (the Sun), both
    relative to the ellipsoid's centre; k = unit pole; a, b = equatorial and polar
    semi-axes. Returns -1.0 if P is inside the ellipsoid.
    """
    # unit normal of the plane through the centre, P and O
    nx = py * oz - pz * oy
    ny = pz * ox - px * oz
    nz = px * oy - py * ox
    nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    pn = math.sqrt(px * px + py * py + pz * pz)
    on = math.sqrt(ox * ox + oy * oy + oz * oz)
    if nn <= 1e-15 * pn * on:
        # P, centre and O aligned: any plane through P; take the one containing the pole
        nx = py * kz - pz * ky
        ny = pz * kx - px * kz
        nz = px * ky - py * kx
        nn = math.sqrt(nx * nx + ny * ny + nz * nz)
        if nn <= 1e-15 * pn:
            nx, ny, nz = -py, px, 0.0
            nn = math.sqrt(nx * nx + ny * ny)
            if nn == 0.0:
                nx, ny, nz, nn = 1.0, 0.0, 0.0, 1.0
    nx /= nn
    ny /= nn
    nz /= nn
    # principal axes of the section: e1 = k x n (equatorial, semi-axis a), e2 = n x e1
    e1x = ky * nz - kz * ny
    e1y = kz * nx - kx * nz
    e1z = kx * ny - ky * nx
    m = math.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
    if m <= 1e-15:
        # the plane is the equator: a circle of radius a, any in-plane axis
        e1x, e1y, e1z = px / pn, py / pn, pz / pn
    else:
        e1x /= m
        e1y /= m
        e1z /= m
    e2x = ny * e1z - nz * e1y
    e2y = nz * e1x - nx * e1z
    e2z = nx * e1y - ny * e1x
    zk = e2x * kx + e2y * ky + e2z * kz
    bp = 1.0 / math.sqrt((1.0 - zk * zk) / (a * a) + zk * zk / (b * b))
    # observer in scaled 2D coordinates; tangent points on the unit circle
    xo = (px * e1x + py * e1y + pz * e1z) / a
    yo = (px * e2x + py * e2y + pz * e2z) / bp
    rho2 = xo * xo + yo * yo
    if rho2 <= 1.0:
        return -1.0
    s = math.sqrt(rho2 - 1.0)
    u1 = a * (xo - s * yo) / rho2
    v1 = bp * (yo + s * xo) / rho2
    u2 = a * (xo + s * yo) / rho2
    v2 = bp * (yo - s * xo) / rho2
    t1x = u1 * e1x + v1 * e2x
    t1y = u1 * e1y + v1 * e2y
    t1z = u1 * e1z + v1 * e2z
    t2x = u2 * e1x + v2 * e2x
    t2y = u2 * e1y + v2 * e2y
    t2z = u2 * e1z + v2 * e2z
    d1 = (t1x - ox) ** 2 + (t1y - oy) ** 2 + (t1z - oz) ** 2
    d2 = (t2x - ox) ** 2 + (t2y - oy) ** 2 + (t2z - oz) ** 2
    if d2 < d1:
        t1x, t1y, t1z = t2x, t2y, t2z
    return _angle(px - t1x, py - t1y, pz - t1z, px, py, pz)


@jit
def earth_shadow_kernel(rx, ry, rz, sun_x, sun_y, sun_z, pole_x, pole_y, pole_z,
                        r_sun, eq_radius, flattening):
    """Lighting ratio nu in [0, 1] behind the oblate Earth (Orekit's ellipsoid limb).

    Parameters (all float): satellite and Sun positions, km, geocentric, any axes; the
    Earth's unit pole (pole_*) on the same axes; Sun radius, Earth equatorial radius
    (km) and flattening (0: sphere). A satellite inside the ellipsoid gets 0.
    """
    dsx = sun_x - rx
    dsy = sun_y - ry
    dsz = sun_z - rz
    ds = math.sqrt(dsx * dsx + dsy * dsy + dsz * dsz)
    alpha_sun = math.asin(min(1.0, r_sun / ds))
    if flattening == 0.0:
        rn = math.sqrt(rx * rx + ry * ry + rz * rz)
        if rn <= eq_radius:
            return 0.0
        limb = math.asin(eq_radius / rn)
    else:
        limb = _ellipsoid_limb_radius(rx, ry, rz, sun_x, sun_y, sun_z, pole_x, pole_y,
                                      pole_z, eq_radius, eq_radius * (1.0 - flattening))
        if limb < 0.0:
            return 0.0
    sep = _angle(dsx, dsy, dsz, -rx, -ry, -rz)
    return _masking_ratio(sep, limb, alpha_sun)


@jit
def lighting_ratio_kernel(rx, ry, rz, sun_x, sun_y, sun_z, moon_x, moon_y, moon_z,
                          pole_x, pole_y, pole_z, earth_a, earth_f, moon_radius, combine):
    """Lighting ratio with the Earth (ellipsoid) and the Moon (sphere) as occulters.

    Parameters (floats, except ``combine`` int): satellite, Sun, Moon positions (km,
    geocentric, same axes), Earth unit pole on those axes, Earth equatorial radius (km;
    <= 0: no Earth shadow) and flattening, Moon radius (km; <= 0: no Moon shadow),
    ``combine`` 0 = Orekit 13 rule (2) of the module docstring, 1 = product. Sun radius
    :data:`cosmoplan.constants.SUN_RADIUS_KM`.
    """
    nu_e = 1.0
    if earth_a > 0.0:
        nu_e = earth_shadow_kernel(rx, ry, rz, sun_x, sun_y, sun_z, pole_x, pole_y, pole_z,
                                   SUN_RADIUS_KM, earth_a, earth_f)
        if nu_e == 0.0:
            return 0.0
    if moon_radius <= 0.0:
        return nu_e
    nu_m = shadow_function_kernel(rx, ry, rz, sun_x, sun_y, sun_z, moon_x, moon_y, moon_z,
                                  SUN_RADIUS_KM, moon_radius)
    if nu_m == 0.0:
        return 0.0
    if combine == 1:
        return nu_e * nu_m
    result = nu_e + nu_m - 1.0
    if earth_a > 0.0 and nu_m != 1.0:
        # Orekit: Earth (sphere of radius a) occulted by the Moon, overlap / solar disk
        dsx = sun_x - rx
        dsy = sun_y - ry
        dsz = sun_z - rz
        ds = math.sqrt(dsx * dsx + dsy * dsy + dsz * dsz)
        alpha_sun = math.asin(min(1.0, SUN_RADIUS_KM / ds))
        rn = math.sqrt(rx * rx + ry * ry + rz * rz)
        alpha_e = math.asin(min(1.0, earth_a / rn))
        dmx = moon_x - rx
        dmy = moon_y - ry
        dmz = moon_z - rz
        dm = math.sqrt(dmx * dmx + dmy * dmy + dmz * dmz)
        alpha_m = math.asin(min(1.0, moon_radius / dm))
        sep = _angle(-rx, -ry, -rz, dmx, dmy, dmz)
        m_em = _masking_ratio(sep, alpha_m, alpha_e)
        result -= (1.0 - m_em) * alpha_e * alpha_e / (alpha_sun * alpha_sun)
    return result


@jit
def srp_accel_kernel(rx, ry, rz, sun_x, sun_y, sun_z, moon_x, moon_y, moon_z,
                     pole_x, pole_y, pole_z, cr_area_over_mass, earth_a, earth_f,
                     moon_radius, combine):
    """Cannonball SRP acceleration (km/s^2), eq. (1) with nu from lighting_ratio_kernel.

    Parameters as :func:`lighting_ratio_kernel`, plus ``cr_area_over_mass`` = Cr A / m in
    m^2/kg. Returns (ax, ay, az), directed away from the Sun.
    """
    nu = lighting_ratio_kernel(rx, ry, rz, sun_x, sun_y, sun_z, moon_x, moon_y, moon_z,
                               pole_x, pole_y, pole_z, earth_a, earth_f, moon_radius,
                               combine)
    dx = rx - sun_x
    dy = ry - sun_y
    dz = rz - sun_z
    d2 = dx * dx + dy * dy + dz * dz
    k = nu * K_REF * cr_area_over_mass / (d2 * math.sqrt(d2))
    return k * dx, k * dy, k * dz


# ------------------------------------------------------------------------ NumPy API
def _rows(*arrays):
    out = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])
    if out[0].shape[-1:] != (3,):
        raise InputError(f"positions must have shape (..., 3), got {out[0].shape}",
                         field="r")
    return out[0].shape[:-1], [a.reshape(-1, 3) for a in out]


def shadow_function(r, sun, body, r_body, r_sun=SUN_RADIUS_KM):
    """Lighting ratio behind a spherical body, vectorised over (..., 3) positions (km)."""
    shape, (fr, fs, fb) = _rows(r, sun, body)
    out = np.empty(fr.shape[0])
    for i in range(out.size):
        out[i] = shadow_function_kernel(*fr[i], *fs[i], *fb[i], float(r_sun), float(r_body))
    return out.reshape(shape)


def earth_shadow(r, sun, pole=(0.0, 0.0, 1.0), eq_radius=WGS84_A_KM, flattening=WGS84_F,
                 r_sun=SUN_RADIUS_KM):
    """Lighting ratio behind the oblate Earth (default WGS-84), vectorised (km)."""
    shape, (fr, fs, fp) = _rows(r, sun, _unit(pole))
    out = np.empty(fr.shape[0])
    for i in range(out.size):
        out[i] = earth_shadow_kernel(*fr[i], *fs[i], *fp[i], float(r_sun), float(eq_radius),
                                     float(flattening))
    return out.reshape(shape)


_COMBINE = {"orekit": 0, "product": 1}


def lighting_ratio(r, sun, moon=None, *, pole=(0.0, 0.0, 1.0), earth_a=WGS84_A_KM,
                   earth_f=WGS84_F, moon_radius=MOON_RADIUS_KM, combine="orekit"):
    """Lighting ratio with Earth and (if ``moon`` is given) Moon shadows, vectorised.

    ``combine``: ``'orekit'`` (rule (2) of the module docstring) or ``'product'``.
    """
    if combine not in _COMBINE:
        raise InputError(f"combine must be one of {sorted(_COMBINE)}, got {combine!r}",
                         field="combine", value=combine)
    mr = float(moon_radius) if moon is not None else 0.0
    moon = np.zeros(3) if moon is None else moon
    shape, (fr, fs, fm, fp) = _rows(r, sun, moon, _unit(pole))
    out = np.empty(fr.shape[0])
    for i in range(out.size):
        out[i] = lighting_ratio_kernel(*fr[i], *fs[i], *fm[i], *fp[i], float(earth_a),
                                       float(earth_f), mr, _COMBINE[combine])
    return out.reshape(shape)


def srp_acceleration(r, sun, moon=None, *, cr, area_m2, mass_kg, pole=(0.0, 0.0, 1.0),
                     earth_a=WGS84_A_KM, earth_f=WGS84_F, moon_radius=MOON_RADIUS_KM,
                     combine="orekit"):
    """Cannonball SRP acceleration, km/s^2, vectorised over (..., 3) positions (km).

    Parameters
    ----------
    r, sun, moon : array_like, shape (..., 3)
        Satellite, Sun and (optional) Moon positions, km, geocentric, same axes.
    cr : float
        Radiation pressure coefficient (1: absorbing, ~1.2-1.5 typical, 2: mirror).
    area_m2 : float
        Cross-section, m^2.
    mass_kg : float
        Mass, kg (> 0).
    pole : array_like, shape (3,)
        Earth's pole on the positions' axes (normalised here); (0, 0, 1) for CIRS.
    earth_a, earth_f : float
        Occulting Earth ellipsoid (default WGS-84; earth_f = 0 for a sphere).
    moon_radius : float
        km; ignored without ``moon``.
    combine : {'orekit', 'product'}
        How the Earth and Moon lighting ratios combine.
    """
    if not (mass_kg > 0 and area_m2 >= 0 and cr >= 0):
        raise InputError(f"need mass_kg > 0, area_m2 >= 0, cr >= 0; got {mass_kg!r}, "
                         f"{area_m2!r}, {cr!r}", field="mass_kg", value=mass_kg)
    if combine not in _COMBINE:
        raise InputError(f"combine must be one of {sorted(_COMBINE)}, got {combine!r}",
                         field="combine", value=combine)
    k = float(cr) * float(area_m2) / float(mass_kg)
    mr = float(moon_radius) if moon is not None else 0.0
    moon = np.zeros(3) if moon is None else moon
    shape, (fr, fs, fm, fp) = _rows(r, sun, moon, _unit(pole))
    out = np.empty_like(fr)
    for i in range(fr.shape[0]):
        out[i] = srp_accel_kernel(*fr[i], *fs[i], *fm[i], *fp[i], k, float(earth_a),
                                  float(earth_f), mr, _COMBINE[combine])
    return out.reshape(shape + (3,))


def _unit(v):
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if not np.all(n > 0):
        raise InputError("the pole must be a non-zero vector", field="pole", value=v)
    return v / n
