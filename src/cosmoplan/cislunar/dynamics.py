"""Full-ephemeris cislunar dynamics: Earth and Moon gravity fields, the Sun, finite burns.

One compiled right-hand side serves every leg of a lunar mission (trans-lunar coast, lunar
orbit, trans-Earth coast): the spacecraft feels

* the Earth: EGM96 (bundled, :func:`cosmoplan.forces.gravity_field.default_field`) to
  ``earth_degree`` x ``earth_order`` in ITRF, or a point mass (degree 0);
* the Moon: the Lunar Prospector field LP165P (Konopliv et al. 2001, Icarus 150, 1-18;
  bundled to degree 70, :func:`cosmoplan.forces.gravity_field.default_moon_field`) to
  ``moon_degree`` x ``moon_order`` in the lunar principal-axis frame MOON_PA (DE421
  libration angles, :mod:`cosmoplan.moon`), or a point mass (degree 0);
* the Sun: a point mass (DE421), on request;
* finite burns: constant thrust with mass flow along a frame attached to the integration
  centre (:class:`cosmoplan.propagator.FiniteManeuver`, kernel
  :func:`cosmoplan.forces.thrust.thrust_accel_kernel`),

and the integration origin is the **Earth** or the **Moon** (``centre``): states are
positions (km) and velocities (km/s) relative to that body on GCRF (ICRF) axes, times are
TDB seconds from the arc's epoch. The origin is not inertial: its own acceleration by the
other primary and the Sun is subtracted (point masses in Battin's F(q) form, Battin 1999,
*An Introduction to the Mathematics and Methods of Astrodynamics*, rev. ed., sec. 8.4, eq.
8.60, as in :func:`cosmoplan.forces.third_body.third_body_accel_kernel`; plus the other
primary's harmonics evaluated at the origin). Orekit and GMAT drop that last term (the
Earth's J2 pulls the Moon by 3e-13 km/s^2, which moves a lunar orbiter by metres a day
relative to the Moon); keeping it makes ``centre`` a choice of coordinates only, not of
physics (tests/test_cislunar_dynamics.py). Pick the body the spacecraft is near for the
best conditioning (:func:`change_centre`).

Equations of motion (centre C, other primary P, spacecraft position r relative to C)::

    r'' = a_C(r) + a_P(r - r_P) - a_P(-r_P) + a_S(r - r_S) - a_S(-r_S) + a_thrust,

(a_S the Sun's point mass; the point-mass parts of P and S in Battin's form) where ``a_B``
is the full field of body B (central term plus harmonics) evaluated in its body-fixed
frame: ITRF for the Earth (GCRF -> CIRS frozen at the arc's epoch, the Earth rotation angle
advancing at the IERS rate, polar motion at the epoch: the scheme and accuracy of
:class:`cosmoplan.propagator.NumericalPropagator`, validated against Orekit), MOON_PA for
the Moon (Euler angles from the bundled DE421 PCK, cubic Hermite on hourly
nodes with their Chebyshev rates: interpolation error below 1e-13 rad). Body positions:
DE421 cubic-Hermite tables (Moon 20 min: 0.2 mm; Sun 3 h: 2 cm).

Integration: the compiled DOP853 of :mod:`cosmoplan.integrators` (rtol 1e-12, atol 1e-9 km
and 1e-12 km/s by default: millimetres over a trans-lunar coast); events (apsides and
distances relative to either body) are located on the dense output to 1e-6 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._numba import jit
from ..constants import EARTH_ROTATION_RATE_RAD_S, MOON_RADIUS_KM, WGS84_A_KM
from ..errors import InputError, PropagationError
from ..forces.gravity_field import kernel_work, recursion_coefficients, sh_accel_kernel
from ..forces.third_body import GM_KM3_S2, hermite_position_kernel, third_body_accel_kernel
from ..forces.thrust import thrust_accel_kernel

__all__ = ["CislunarForceModel", "CislunarArc", "propagate", "fly", "change_centre",
           "lunar_equator_matrix", "lunar_elements",
           "moon_apsis_event", "earth_apsis_event", "moon_distance_event",
           "earth_distance_event", "CENTRES"]

CENTRES = ("earth", "moon")
"""Integration origins: 0 = Earth, 1 = Moon."""

_EVENT_KINDS = {"moon_apsis": 0, "earth_apsis": 1, "moon_distance": 2, "earth_distance": 3}


@dataclass(frozen=True)
class CislunarEvent:
    """A zero crossing to find along an arc (see the ``*_event`` constructors).

    ``kind`` one of ``moon_apsis`` (g = r.v relative to the Moon), ``earth_apsis``,
    ``moon_distance`` (g = |r - r_moon| - value, km), ``earth_distance``; ``direction`` +1
    (g increasing: periapsis, outbound crossing), -1 (apoapsis, inbound) or 0 (either).
    Every event stops the arc (the first one found ends it).
    """

    kind: str
    value: float = 0.0
    direction: int = 0
    name: str = ""

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in _EVENT_KINDS:
            raise InputError(f"unknown event kind {self.kind!r}; known: "
                             f"{', '.join(_EVENT_KINDS)}", field="kind", value=self.kind)
        if isinstance(self.direction, bool) or not isinstance(
                self.direction, (int, np.integer)) or self.direction not in (-1, 0, 1):
            raise InputError(f"direction must be -1, 0 or +1, got {self.direction!r}",
                             field="direction", value=self.direction)
        v = _real(self.value)
        if not math.isfinite(v) or ("distance" in self.kind and v <= 0.0):
            raise InputError(f"event value must be a finite (positive for distances) number "
                             f"of km, got {self.value!r}", field="value", value=self.value)


def moon_apsis_event(which="periapsis"):
    """Stop at the next periapsis (``which='periapsis'``) or apoapsis relative to the Moon."""
    return CislunarEvent("moon_apsis", 0.0, _which(which), f"lunar {which}")


def earth_apsis_event(which="periapsis"):
    """Stop at the next periapsis or apoapsis relative to the Earth."""
    return CislunarEvent("earth_apsis", 0.0, _which(which), f"Earth {which}")


def moon_distance_event(distance_km, direction=0):
    """Stop where the distance to the Moon's centre crosses ``distance_km``
    (direction -1: inbound, +1: outbound)."""
    d = _real(distance_km)
    return CislunarEvent("moon_distance", distance_km if math.isnan(d) else d, direction,
                         f"Moon distance {d:g} km")


def earth_distance_event(distance_km, direction=0):
    """Stop where the distance to the Earth's centre crosses ``distance_km``
    (e.g. WGS-84 a + 120 km inbound: the entry interface)."""
    d = _real(distance_km)
    return CislunarEvent("earth_distance", distance_km if math.isnan(d) else d, direction,
                         f"Earth distance {d:g} km")


def _real(value):
    """``value`` as a float, NaN for anything that is not one real number (a string, None,
    a bool, an array, a complex number), so that callers raise their own InputError."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _which(which):
    if which not in ("periapsis", "apoapsis"):
        raise InputError(f"which must be 'periapsis' or 'apoapsis', got {which!r}",
                         field="which", value=which)
    return 1 if which == "periapsis" else -1


@dataclass(frozen=True)
class CislunarForceModel:
    """Which forces act (module docstring).

    Parameters
    ----------
    earth_degree, earth_order : int
        EGM96 degree and order (0: point mass; order defaults to the degree). At most 120.
    moon_degree, moon_order : int
        Lunar field degree and order (0: point mass). At most the field's (70 for LP165P).
        8 x 8 is the default: above 100 km altitude the terms beyond degree 8 move a lunar
        orbit by metres per revolution, not kilometres (set 20-70 for low orbits).
    sun : bool
        Solar point mass (DE421).
    earth_field, moon_field : GravityField, optional
        Other fields (e.g. :func:`cosmoplan.forces.gravity_field.load_gfc` of GRGM1200A).
    """

    earth_degree: int = 8
    earth_order: int | None = None
    moon_degree: int = 8
    moon_order: int | None = None
    sun: bool = True
    earth_field: object = field(default=None, repr=False)
    moon_field: object = field(default=None, repr=False)

    def __post_init__(self):
        for name in ("earth_degree", "moon_degree", "earth_order", "moon_order"):
            v = getattr(self, name)
            if v is None and name.endswith("order"):
                continue
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise InputError(f"{name} must be a non-negative integer, got {v!r}",
                                 field=name, value=v)
        for body in ("earth", "moon"):
            deg = getattr(self, f"{body}_degree")
            order = getattr(self, f"{body}_order")
            if order is not None and order > deg:
                raise InputError(f"{body}_order {order} exceeds {body}_degree {deg}",
                                 field=f"{body}_order", value=order)
            fld_in = getattr(self, f"{body}_field")
            if fld_in is not None and not all(hasattr(fld_in, a) for a in (
                    "max_degree", "mu", "radius_km", "c", "s")):
                raise InputError(f"{body}_field must be a GravityField (e.g. from "
                                 "cosmoplan.forces.gravity_field.load_gfc), got "
                                 f"{type(fld_in).__name__}", field=f"{body}_field",
                                 value=fld_in)
            if deg > 0:
                fld = self._field(body)
                if deg > fld.max_degree:
                    raise InputError(
                        f"{body}_degree {deg} exceeds the {fld.name or body} field's maximum "
                        f"degree {fld.max_degree}", field=f"{body}_degree", value=deg)
        if not isinstance(self.sun, (bool, np.bool_)):
            raise InputError(f"sun must be true or false, got {self.sun!r}", field="sun",
                             value=self.sun)

    def _field(self, body):
        from ..forces import gravity_field

        fld = getattr(self, f"{body}_field")
        if fld is not None:
            return fld
        if body == "earth":
            return gravity_field.default_field()
        return gravity_field.default_moon_field()

    def gm(self, body):
        """GM (km^3/s^2) used for ``body``: the Earth always EGM96's (398600.4415, also as a
        point mass); the Moon the field's (LP165P 4902.801056) with harmonics and
        :data:`cosmoplan.forces.third_body.GM_KM3_S2` (DE430's 4902.800066) as a point
        mass; the Sun ``GM_KM3_S2`` (DE430)."""
        if body not in ("earth", "moon", "sun"):
            raise InputError(f"body must be 'earth', 'moon' or 'sun', got {body!r}",
                             field="body", value=body)
        if body in ("earth", "moon") and getattr(self, f"{body}_degree") > 0:
            return self._field(body).mu
        return GM_KM3_S2[body] if body != "earth" else self._field("earth").mu

    def describe(self):
        """One line naming every force, for reports."""
        parts = []
        for body, label in (("earth", "Earth"), ("moon", "Moon")):
            deg = getattr(self, f"{body}_degree")
            if deg:
                order = getattr(self, f"{body}_order")
                order = deg if order is None else order
                parts.append(f"{label} {self._field(body).name or body} {deg}x{order}")
            else:
                parts.append(f"{label} point mass")
        if self.sun:
            parts.append("Sun point mass (DE421)")
        return ", ".join(parts)


# ---------------------------------------------------------------------------- kernels
@jit
def _hermite_pv(t0, dt, pos, vel, t):
    """Cubic Hermite position and its time derivative (see hermite_position_kernel)."""
    n = pos.shape[0]
    f = (t - t0) / dt
    j = int(math.floor(f))
    if j < 0:
        j = 0
    if j > n - 2:
        j = n - 2
    u = f - j
    u2 = u * u
    h00 = 6.0 * u2 - 6.0 * u
    h10 = 3.0 * u2 - 4.0 * u + 1.0
    h01 = -6.0 * u2 + 6.0 * u
    h11 = 3.0 * u2 - 2.0 * u
    px, py, pz = hermite_position_kernel(t0, dt, pos, vel, t)
    vx = (h00 * pos[j, 0] + h01 * pos[j + 1, 0]) / dt + h10 * vel[j, 0] + h11 * vel[j + 1, 0]
    vy = (h00 * pos[j, 1] + h01 * pos[j + 1, 1]) / dt + h10 * vel[j, 1] + h11 * vel[j + 1, 1]
    vz = (h00 * pos[j, 2] + h01 * pos[j + 1, 2]) / dt + h10 * vel[j, 2] + h11 * vel[j + 1, 2]
    return px, py, pz, vx, vy, vz


@jit
def _field_accel(m, x, y, z, mu, radius, c, s, nmax, mmax, rec, work):
    """Full field acceleration at inertial (x, y, z) relative to the body; m rotates
    inertial -> body-fixed. Point mass when nmax == 0."""
    if nmax == 0:
        r2 = x * x + y * y + z * z
        k = -mu / (r2 * math.sqrt(r2))
        return k * x, k * y, k * z
    qx = m[0, 0] * x + m[0, 1] * y + m[0, 2] * z
    qy = m[1, 0] * x + m[1, 1] * y + m[1, 2] * z
    qz = m[2, 0] * x + m[2, 1] * y + m[2, 2] * z
    bx, by, bz = sh_accel_kernel(qx, qy, qz, mu, radius, c, s, nmax, mmax, rec, work)
    return (m[0, 0] * bx + m[1, 0] * by + m[2, 0] * bz,
            m[0, 1] * bx + m[1, 1] * by + m[2, 1] * bz,
            m[0, 2] * bx + m[1, 2] * by + m[2, 2] * bz)


@jit
def _earth_matrix(t, cmat, wmat, era0, omega, out):
    """GCRF -> ITRF at t: W R3(era0 + omega t) C."""
    th = era0 + omega * t
    ct, st = math.cos(th), math.sin(th)
    for a in range(3):
        r0 = wmat[a, 0] * ct - wmat[a, 1] * st
        r1 = wmat[a, 0] * st + wmat[a, 1] * ct
        r2 = wmat[a, 2]
        for b in range(3):
            out[a, b] = r0 * cmat[0, b] + r1 * cmat[1, b] + r2 * cmat[2, b]


@jit
def _moon_matrix(t, a_t0, a_dt, a_pos, a_vel, out):
    """ICRF -> MOON_PA at t: R3(psi) R1(theta) R3(phi) from the Hermite angle table."""
    phi, theta, psi = hermite_position_kernel(a_t0, a_dt, a_pos, a_vel, t)
    c1, s1 = math.cos(phi), math.sin(phi)
    c2, s2 = math.cos(theta), math.sin(theta)
    c3, s3 = math.cos(psi), math.sin(psi)
    out[0, 0] = c3 * c1 - s3 * c2 * s1
    out[0, 1] = c3 * s1 + s3 * c2 * c1
    out[0, 2] = s3 * s2
    out[1, 0] = -s3 * c1 - c3 * c2 * s1
    out[1, 1] = -s3 * s1 + c3 * c2 * c1
    out[1, 2] = c3 * s2
    out[2, 0] = s2 * s1
    out[2, 1] = -s2 * c1
    out[2, 2] = c2


@jit
def _rhs(t, y, centre, e_mu, e_r, e_c, e_s, e_n, e_m, e_rec, e_work, cmat, wmat, era0, omega,
         m_mu, m_r, m_c, m_s, m_n, m_m, m_rec, m_work, a_t0, a_dt, a_pos, a_vel,
         b_t0, b_dt, b_pos, b_vel, s_gm, use_sun, burns, mats):
    out = np.empty(6)
    mx, my, mz = hermite_position_kernel(b_t0, b_dt, b_pos[1], b_vel[1], t)  # geocentric
    x, yy, z = y[0], y[1], y[2]
    if e_n > 0:
        _earth_matrix(t, cmat, wmat, era0, omega, mats[0])
    if m_n > 0:
        _moon_matrix(t, a_t0, a_dt, a_pos, a_vel, mats[1])
    if centre == 0:
        # central Earth, full field
        ax, ay, az = _field_accel(mats[0], x, yy, z, e_mu, e_r, e_c, e_s, e_n, e_m, e_rec,
                                  e_work)
        # the Moon: point mass with the indirect term (Battin), plus its harmonics
        tx, ty, tz = third_body_accel_kernel(x, yy, z, mx, my, mz, m_mu)
        ax += tx
        ay += ty
        az += tz
        if m_n > 0:
            dx, dy, dz = x - mx, yy - my, z - mz
            hx, hy, hz = _field_accel(mats[1], dx, dy, dz, m_mu, m_r, m_c, m_s, m_n, m_m,
                                      m_rec, m_work)
            d2 = dx * dx + dy * dy + dz * dz
            k = m_mu / (d2 * math.sqrt(d2))
            ax += hx + k * dx
            ay += hy + k * dy
            az += hz + k * dz
            # minus the same non-spherical pull on the Earth (the origin), at -r_moon
            gx, gy, gz = _field_accel(mats[1], -mx, -my, -mz, m_mu, m_r, m_c, m_s, m_n, m_m,
                                      m_rec, m_work)
            d2 = mx * mx + my * my + mz * mz
            k = m_mu / (d2 * math.sqrt(d2))
            ax -= gx - k * mx
            ay -= gy - k * my
            az -= gz - k * mz
        sx, sy, sz = 0.0, 0.0, 0.0
    else:
        ax, ay, az = _field_accel(mats[1], x, yy, z, m_mu, m_r, m_c, m_s, m_n, m_m, m_rec,
                                  m_work)
        # the Earth at -r_moon
        tx, ty, tz = third_body_accel_kernel(x, yy, z, -mx, -my, -mz, e_mu)
        ax += tx
        ay += ty
        az += tz
        if e_n > 0:
            dx, dy, dz = x + mx, yy + my, z + mz
            hx, hy, hz = _field_accel(mats[0], dx, dy, dz, e_mu, e_r, e_c, e_s, e_n, e_m,
                                      e_rec, e_work)
            d2 = dx * dx + dy * dy + dz * dz
            k = e_mu / (d2 * math.sqrt(d2))
            ax += hx + k * dx
            ay += hy + k * dy
            az += hz + k * dz
            # minus the same non-spherical pull on the Moon (the origin), at +r_moon
            gx, gy, gz = _field_accel(mats[0], mx, my, mz, e_mu, e_r, e_c, e_s, e_n, e_m,
                                      e_rec, e_work)
            d2 = mx * mx + my * my + mz * mz
            k = e_mu / (d2 * math.sqrt(d2))
            ax -= gx + k * mx
            ay -= gy + k * my
            az -= gz + k * mz
        sx, sy, sz = -mx, -my, -mz
    if use_sun:
        px, py, pz = hermite_position_kernel(b_t0, b_dt, b_pos[0], b_vel[0], t)
        tx, ty, tz = third_body_accel_kernel(x, yy, z, px + sx, py + sy, pz + sz, s_gm)
        ax += tx
        ay += ty
        az += tz
    if burns.shape[0] > 0:
        tx, ty, tz = thrust_accel_kernel(t, x, yy, z, y[3], y[4], y[5], burns)
        ax += tx
        ay += ty
        az += tz
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = ax
    out[4] = ay
    out[5] = az
    return out


@jit
def _event(t, y, centre, b_t0, b_dt, b_pos, b_vel, kinds, values):
    mx, my, mz, mvx, mvy, mvz = _hermite_pv(b_t0, b_dt, b_pos[1], b_vel[1], t)
    if centre == 0:
        ex, ey, ez, evx, evy, evz = y[0], y[1], y[2], y[3], y[4], y[5]
        dx, dy, dz = ex - mx, ey - my, ez - mz
        dvx, dvy, dvz = evx - mvx, evy - mvy, evz - mvz
    else:
        dx, dy, dz, dvx, dvy, dvz = y[0], y[1], y[2], y[3], y[4], y[5]
        ex, ey, ez = dx + mx, dy + my, dz + mz
        evx, evy, evz = dvx + mvx, dvy + mvy, dvz + mvz
    g = np.empty(kinds.shape[0])
    for i in range(kinds.shape[0]):
        k = kinds[i]
        if k == 0:
            g[i] = dx * dvx + dy * dvy + dz * dvz
        elif k == 1:
            g[i] = ex * evx + ey * evy + ez * evz
        elif k == 2:
            g[i] = math.sqrt(dx * dx + dy * dy + dz * dz) - values[i]
        else:
            g[i] = math.sqrt(ex * ex + ey * ey + ez * ez) - values[i]
    return g


# ---------------------------------------------------------------------------- context
def _centre_code(centre):
    key = str(centre).lower()
    if key not in CENTRES:
        raise InputError(f"centre must be 'earth' or 'moon', got {centre!r}", field="centre",
                         value=centre)
    return CENTRES.index(key)


def _field_args(model, body):
    deg = getattr(model, f"{body}_degree")
    if deg == 0:
        return (model.gm(body), 1.0, np.zeros((1, 1)), np.zeros((1, 1)), 0, 0,
                np.zeros((3, 1, 1)), kernel_work(0))
    fld = model._field(body)
    order = getattr(model, f"{body}_order")
    order = deg if order is None else int(order)
    c = np.array(fld.c[:deg + 1, :deg + 1])
    s = np.array(fld.s[:deg + 1, :deg + 1])
    c[:, order + 1:] = 0.0
    s[:, order + 1:] = 0.0
    return (float(fld.mu), float(fld.radius_km), c, s, int(deg), int(order),
            np.array(recursion_coefficients(deg)), kernel_work(deg))


def _context(model, epoch0, t_lo, t_hi, burns, code):
    """Argument tuple of :func:`_rhs` for an arc from the TDB epoch ``epoch0`` over
    [t_lo, t_hi] s."""
    import erfa

    from .. import moon as _moon
    from ..eop import default_eop
    from ..forces.third_body import body_table
    from ..frames import rotation_matrix

    lo, hi = min(t_lo, t_hi), max(t_lo, t_hi)
    e_args = _field_args(model, "earth")
    m_args = _field_args(model, "moon")
    if model.earth_degree > 0:
        cmat = np.ascontiguousarray(rotation_matrix(epoch0, "GCRF", "CIRS"))
        eop = default_eop().at(epoch0)
        tt = epoch0.tt
        wmat = np.ascontiguousarray(erfa.pom00(float(eop.xp), float(eop.yp),
                                               float(erfa.sp00(tt.jd1, tt.jd2))))
        ut1 = epoch0.ut1
        era0 = float(erfa.era00(ut1.jd1, ut1.jd2))
    else:
        cmat, wmat, era0 = np.eye(3), np.eye(3), 0.0
    if model.moon_degree > 0:
        step = 3600.0
        n0 = math.floor((lo - 2 * step) / step)
        nodes = step * np.arange(n0, math.ceil((hi + 2 * step) / step) + 1)
        ang, rate = _moon.libration_angles(epoch0 + nodes)
        a_t0, a_dt = float(nodes[0]), step
        a_pos, a_vel = np.ascontiguousarray(ang), np.ascontiguousarray(rate)
    else:
        a_t0, a_dt, a_pos, a_vel = 0.0, 1.0, np.zeros((2, 3)), np.zeros((2, 3))
    tables = [body_table(b, epoch0 + (lo - 2400.0), hi - lo + 4800.0, 1200.0, origin=epoch0)
              for b in ("sun", "moon")]
    b_t0, b_dt = float(tables[0].t0_s), float(tables[0].step_s)
    b_pos = np.ascontiguousarray(np.stack([tb.pos for tb in tables]))
    b_vel = np.ascontiguousarray(np.stack([tb.vel for tb in tables]))
    mats = np.zeros((2, 3, 3))
    rhs_args = ((int(code),) + e_args + (cmat, wmat, era0, EARTH_ROTATION_RATE_RAD_S) + m_args
                + (a_t0, a_dt, a_pos, a_vel, b_t0, b_dt, b_pos, b_vel,
                   float(GM_KM3_S2["sun"]), bool(model.sun), burns, mats))
    return rhs_args, (b_t0, b_dt, b_pos, b_vel)


# ---------------------------------------------------------------------------- results
@dataclass
class CislunarArc:
    """A propagated arc.

    Attributes
    ----------
    epoch0 : Epoch
        Epoch of t = 0 (TDB).
    centre : str
        ``'earth'`` or ``'moon'``: origin of ``states`` (GCRF axes).
    t_s : ndarray, shape (n,)
        TDB seconds from ``epoch0`` of the output states (the requested output times up to
        where the arc ended, then the end).
    states : ndarray, shape (n, 6)
        Positions (km) and velocities (km/s) relative to ``centre``.
    event : CislunarEvent or None
        The event that ended the arc (None: it reached the requested end).
    n_rhs : int
        Right-hand-side evaluations.
    """

    epoch0: object
    centre: str
    t_s: np.ndarray
    states: np.ndarray
    event: object = None
    n_rhs: int = 0

    @property
    def t_final(self):
        """TDB seconds from ``epoch0`` where the arc ends."""
        return float(self.t_s[-1])

    @property
    def final(self):
        """State (6,) at the end, relative to ``centre``."""
        return self.states[-1].copy()

    @property
    def epoch_final(self):
        """Epoch (TDB) of the end."""
        return self.epoch0 + self.t_final

    @property
    def epochs(self):
        """Epochs (TDB) of the output states."""
        return self.epoch0 + self.t_s

    def relative_to(self, centre):
        """The states relative to ``'earth'`` or ``'moon'``, shape (n, 6)."""
        return change_centre(self.states, self.epochs, self.centre, centre)


def change_centre(states, epochs, from_centre, to_centre, *, ephemeris=None):
    """Re-origin states between the Earth and the Moon (GCRF axes, DE421 geometric).

    Parameters
    ----------
    states : array_like, shape (..., 6)
        km, km/s relative to ``from_centre``.
    epochs : Epoch
        Shape (...) matching ``states``.
    from_centre, to_centre : {"earth", "moon"}
    """
    from ..ephemeris import default_ephemeris
    from ..time import Epoch

    a, b = _centre_code(from_centre), _centre_code(to_centre)
    try:
        if np.iscomplexobj(states):
            raise TypeError
        x = np.array(states, dtype=float)
    except (TypeError, ValueError):
        x = None
    if x is None or x.ndim == 0 or x.shape[-1] != 6:
        raise InputError(f"states must be numbers of shape (..., 6) (km, km/s), got "
                         f"{states!r}", field="states", value=states)
    if not isinstance(epochs, Epoch):
        raise InputError(f"epochs must be a cosmoplan Epoch, got {type(epochs).__name__}",
                         field="epochs", value=epochs)
    if a == b:
        return x
    eph = ephemeris or default_ephemeris()
    r, v = eph.position("moon", "earth", epochs, velocity=True)
    mv = np.concatenate([r, v], axis=-1)
    try:
        return x - mv if b == 1 else x + mv
    except ValueError:
        raise InputError(f"states of shape {x.shape} do not match epochs of shape "
                         f"{np.shape(epochs.jd1)} (one epoch per state)", field="epochs",
                         value=np.shape(epochs.jd1)) from None


_MAX_SPAN_S = 160.0 * 365.25 * 86400.0
"""Longest arc, s: more than the DE421 ephemeris covers (1900-2050)."""

IMPACT_RADIUS_KM = {"earth": 6300.0, "moon": MOON_RADIUS_KM - 10.0}
"""Radii below which a trajectory has hit the body and the arc stops with an error: the
Earth 6,300 km (below the WGS-84 polar radius 6,356.8 km: entry events stop well above);
the Moon 1,727.4 km, 10 km under the mean radius (the deepest lunar terrain, in the
South Pole-Aitken basin, lies ~9 km below it; LOLA, Smith et al. 2010, GRL 37, L18204)."""
_MIN_RADIUS_KM = IMPACT_RADIUS_KM
_MAX_RADIUS_KM = 5.0e6
_MAX_SPEED_KM_S = 1000.0


def _seconds(value, name):
    """A finite number of seconds (at most 160 years: the ephemeris span), else InputError."""
    t = _real(value)
    if np.ndim(value) != 0 or not math.isfinite(t):
        raise InputError(f"{name} must be a finite number of seconds, got {value!r}",
                         field=name, value=value)
    if abs(t) > _MAX_SPAN_S:
        raise InputError(f"{name} = {t:g} s is {abs(t) / 3.15576e7:,.0f} years: longer than the "
                         "DE421 ephemeris and the lunar orientation file cover (1900-2050)",
                         field=name, value=value)
    return t


def _state6(state, name, centre):
    """A state as 6 finite floats (km, km/s) that make sense relative to ``centre``: outside
    the body, inside the Earth's neighbourhood (5 million km), slower than 1000 km/s (a
    state in metres or m/s by mistake fails here, not after hours of integration)."""
    try:
        if np.iscomplexobj(state):
            raise TypeError
        y = np.array(state, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        y = None
    if y is None or y.shape != (6,) or not np.all(np.isfinite(y)):
        raise InputError(f"{name} must be 6 finite numbers (km, km/s), got {state!r}",
                         field=name, value=state)
    r = float(np.linalg.norm(y[:3]))
    v = float(np.linalg.norm(y[3:]))
    body = centre.capitalize()
    if r < _MIN_RADIUS_KM[centre]:
        raise InputError(f"{name} lies {r:.1f} km from the {body}'s centre, inside the "
                         f"{body} (below {_MIN_RADIUS_KM[centre]:g} km): positions are km "
                         f"relative to centre={centre!r}", field=name, value=y.tolist())
    if r > _MAX_RADIUS_KM or v > _MAX_SPEED_KM_S:
        raise InputError(f"{name} has |r| = {r:.4g} km and |v| = {v:.4g} km/s: beyond the "
                         f"Earth-Moon system ({_MAX_RADIUS_KM:.0e} km, {_MAX_SPEED_KM_S:g} "
                         "km/s); states are km and km/s (metres or m/s by mistake?)",
                         field=name, value=y.tolist())
    return y


def _event_list(events):
    """Events as a list of CislunarEvent (None: none; one event alone is accepted)."""
    if events is None:
        return []
    if isinstance(events, CislunarEvent):
        return [events]
    if isinstance(events, (str, bytes)) or not hasattr(events, "__iter__"):
        raise InputError(f"events must be a list of CislunarEvent objects (moon_apsis_event() "
                         f"etc.), got {events!r}", field="events", value=events)
    ev = list(events)
    for e in ev:
        if not isinstance(e, CislunarEvent):
            raise InputError(f"events must be CislunarEvent objects (moon_apsis_event() etc.), "
                             f"got {e!r}", field="events", value=e)
    return ev


def propagate(model, epoch0, state0, t_end_s, *, centre="earth", t_out=None, events=(),
              burns=None, rtol=1e-12, atol_km=1e-9, mass_kg=None):
    """Propagate one state in the full cislunar model.

    Parameters
    ----------
    model : CislunarForceModel
    epoch0 : Epoch
        Epoch of ``state0`` (any scale; t counts TDB seconds from it).
    state0 : array_like, shape (6,)
        km, km/s relative to ``centre``, GCRF axes.
    t_end_s : float
        TDB seconds from ``epoch0`` to stop at (negative: backwards).
    centre : {"earth", "moon"}
    t_out : array_like, optional
        Output times (s from ``epoch0``, sorted toward ``t_end_s``); default: start and end.
    events : sequence of CislunarEvent
        The first one found ends the arc.
    burns : sequence of FiniteManeuver, optional
        Finite burns (epochs absolute); their LVLH/RSW frames are relative to ``centre``.
    mass_kg : float, optional
        Initial mass, needed with ``burns``.

    Returns
    -------
    CislunarArc

    Raises
    ------
    InputError
        Bad arguments. DataRangeError: epochs outside DE421 / the lunar PCK.
    PropagationError
        The integration failed, or the spacecraft hit the Earth (r < 6,300 km) or the Moon
        (r < 1,700 km) without an event to stop it.
    """
    from ..integrators import STATUS_MESSAGES, dop853_solve
    from ..time import Epoch

    if not isinstance(model, CislunarForceModel):
        raise InputError(f"model must be a CislunarForceModel, got {type(model).__name__}",
                         field="model", value=model)
    if not isinstance(epoch0, Epoch) or np.ndim(epoch0.jd1) != 0:
        raise InputError("epoch0 must be a scalar cosmoplan Epoch", field="epoch0",
                         value=epoch0)
    code = _centre_code(centre)
    y0 = _state6(state0, "state0", CENTRES[code])
    t_end = _seconds(t_end_s, "t_end_s")
    if t_end == 0.0:
        raise InputError(f"t_end_s must be a finite non-zero number of seconds, got "
                         f"{t_end_s!r}", field="t_end_s", value=t_end_s)
    ep = epoch0.tdb
    burn_tab = np.zeros((0, 8))
    if burns is not None and not isinstance(burns, (list, tuple)):
        from ..propagator import FiniteManeuver

        if not isinstance(burns, FiniteManeuver):
            raise InputError(f"burns must be a list of FiniteManeuver objects, got "
                             f"{type(burns).__name__}", field="burns", value=burns)
        burns = [burns]
    if burns:
        from ..propagator import FiniteManeuver, _burn_table

        for b in burns:
            if not isinstance(b, FiniteManeuver):
                raise InputError(f"burns must be FiniteManeuver objects, got {b!r}",
                                 field="burns", value=b)
        if mass_kg is None:
            raise InputError("finite burns need the initial mass (mass_kg)", field="mass_kg")
        m = _real(mass_kg)
        if not (math.isfinite(m) and m > 0.0):
            raise InputError(f"mass_kg must be a positive number of kg, got {mass_kg!r}",
                             field="mass_kg", value=mass_kg)
        burn_tab = np.ascontiguousarray(_burn_table(list(burns), ep, m))
    ev = _event_list(events)
    te = None
    if t_out is not None:
        try:
            te = np.asarray(t_out, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InputError(f"t_out must be numbers of seconds from epoch0, got {t_out!r}",
                             field="t_out", value=t_out) from None
    args, btab = _context(model, ep, 0.0, t_end, burn_tab, code)
    # guard events: impact on either body
    kinds = np.array([_EVENT_KINDS[e.kind] for e in ev] + [3, 2], dtype=np.int64)
    values = np.array([float(e.value) for e in ev] + [IMPACT_RADIUS_KM["earth"],
                                                      IMPACT_RADIUS_KM["moon"]])
    dirs = np.array([e.direction for e in ev] + [-1, -1], dtype=np.int64)
    ev_args = (code,) + btab + (kinds, values)
    atol = np.r_[np.full(3, atol_km), np.full(3, atol_km * 1e-3)]
    res = dop853_solve(_rhs, args, 0.0, y0, t_end, rtol, atol, te, 2_000_000,
                       event=_event, event_args=ev_args, event_direction=dirs,
                       event_terminal=True)
    if res.status not in (0, 1):
        raise PropagationError(f"cislunar integration failed: {STATUS_MESSAGES[res.status]} "
                               f"at t = {res.t_final:.1f} s")
    hit = None
    if res.status == 1:
        k = int(res.event_index[-1])
        if k >= len(ev):
            body = (f"the Earth (r < {IMPACT_RADIUS_KM['earth']:g} km)" if k == len(ev) else
                    f"the Moon (r < {IMPACT_RADIUS_KM['moon']:g} km)")
            raise PropagationError(
                f"the trajectory hits {body} {res.t_final / 3600:.2f} h after "
                f"{ep.iso()} TDB: change the burns, or stop it with an event")
        hit = ev[k]
    if te is None:
        t_s = np.array([0.0, res.t_final])
        states = np.vstack([y0, res.y_final])
    else:
        ok = np.isfinite(res.y_out[:, 0])
        t_s = np.r_[te[ok], res.t_final]
        states = np.vstack([res.y_out[ok], res.y_final])
        if t_s.size > 1 and t_s[-2] == t_s[-1]:
            t_s, states = t_s[:-1], states[:-1]
    return CislunarArc(ep, CENTRES[code], t_s, states, hit, int(res.n_rhs))


RADII_KM = {"earth": WGS84_A_KM, "moon": MOON_RADIUS_KM}
"""Reference radii for altitudes: WGS-84 equatorial radius, IAU mean lunar radius."""


def fly(model, epoch0, state0, t_end_s, *, centre="earth", maneuvers=(), t_out=None,
        events=(), rtol=1e-12, atol_km=1e-9):
    """Propagate through a list of impulsive burns (the burn list re-flown).

    Parameters
    ----------
    maneuvers : sequence of :class:`cosmoplan.propagator.ImpulsiveManeuver`
        Applied at their epochs (within the span); LVLH/RSW frames are those of the state
        relative to ``centre``.
    Other parameters as :func:`propagate`; an event ends the whole flight.

    Returns
    -------
    CislunarArc
        With ``states`` at ``t_out`` (both sides of a burn at a burn time: the post-burn
        state is kept) and the final state; ``event`` the event that ended it.
    """
    from ..propagator import ImpulsiveManeuver
    from ..time import Epoch

    if not isinstance(model, CislunarForceModel):
        raise InputError(f"model must be a CislunarForceModel, got {type(model).__name__}",
                         field="model", value=model)
    if not isinstance(epoch0, Epoch) or np.ndim(epoch0.jd1) != 0:
        raise InputError("epoch0 must be a scalar cosmoplan Epoch", field="epoch0",
                         value=epoch0)
    ep = epoch0.tdb
    t_end = _seconds(t_end_s, "t_end_s")
    if t_end == 0.0:
        raise InputError(f"t_end_s must be a finite non-zero number of seconds, got "
                         f"{t_end_s!r}", field="t_end_s", value=t_end_s)
    y = _state6(state0, "state0", CENTRES[_centre_code(centre)])
    sgn = 1.0 if t_end >= 0 else -1.0
    if maneuvers is None:
        maneuvers = ()
    elif isinstance(maneuvers, ImpulsiveManeuver):
        maneuvers = (maneuvers,)
    elif isinstance(maneuvers, (str, bytes)) or not hasattr(maneuvers, "__iter__"):
        raise InputError(f"maneuvers must be a list of ImpulsiveManeuver objects, got "
                         f"{maneuvers!r}", field="maneuvers", value=maneuvers)
    mans = []
    for m in maneuvers:
        if not isinstance(m, ImpulsiveManeuver):
            raise InputError(f"maneuvers must be ImpulsiveManeuver objects, got {m!r}",
                             field="maneuvers", value=m)
        t = float(m.epoch - ep)
        if sgn * t < 0.0 or sgn * t > sgn * t_end:
            raise InputError(f"maneuver {m.name or ''} at {m.epoch.iso()} lies outside the "
                             f"propagation span ({ep.iso()} TDB + {t_end:g} s)",
                             field="maneuvers", value=m.epoch.iso())
        mans.append((t, m))
    mans.sort(key=lambda x: sgn * x[0])
    te = None
    if t_out is not None:
        try:
            te = np.asarray(t_out, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InputError(f"t_out must be numbers of seconds from epoch0, got {t_out!r}",
                             field="t_out", value=t_out) from None
        if not np.all(np.isfinite(te)):
            raise InputError("t_out must be finite", field="t_out", value=t_out)
        if te.size and (np.min(sgn * te) < 0.0 or np.max(sgn * te) > sgn * t_end):
            raise InputError(f"t_out must lie within [0, {t_end:g}] s", field="t_out",
                             value=[float(te.min()), float(te.max())])
    t_cur = 0.0
    ts, ys, n_rhs = [], [], 0
    bounds = [t for t, _ in mans] + [t_end]
    for k, t_next in enumerate(bounds):
        if t_next != t_cur:
            sel = None
            if te is not None:
                sel = te[(sgn * te >= sgn * t_cur) & (sgn * te <= sgn * t_next)]
            arc = propagate(model, ep + t_cur, y, t_next - t_cur, centre=centre,
                            t_out=None if sel is None else sel - t_cur, events=events,
                            rtol=rtol, atol_km=atol_km)
            n_rhs += arc.n_rhs
            ts.append(arc.t_s + t_cur)
            ys.append(arc.states)
            y = arc.final
            if arc.event is not None:
                return CislunarArc(ep, arc.centre, *_merge(ts, ys), arc.event, n_rhs)
            t_cur = t_next
        if k < len(mans):
            m = mans[k][1]
            y = y.copy()
            y[3:] += m.dv_inertial(y[:3], y[3:])
            if float(np.linalg.norm(y[3:])) > _MAX_SPEED_KM_S:
                raise InputError(f"maneuver {m.name or ''} at {m.epoch.iso()} leaves the "
                                 f"spacecraft at {float(np.linalg.norm(y[3:])):.4g} km/s: "
                                 "delta-v is km/s (m/s by mistake?)", field="maneuvers",
                                 value=list(m.dv))
            ts.append(np.array([t_cur]))
            ys.append(y[None, :])
    return CislunarArc(ep, CENTRES[_centre_code(centre)], *_merge(ts, ys), None, n_rhs)


def _merge(ts, ys):
    t = np.concatenate(ts)
    y = np.vstack(ys)
    # keep the last state at repeated times (post-burn)
    keep = np.r_[t[1:] != t[:-1], True]
    return t[keep], y[keep]


def lunar_equator_matrix(epoch):
    """Rotation from ICRF to the Moon-centred inertial frame of the lunar mean equator of
    ``epoch``: z the MOON_ME pole at ``epoch``, x the ascending node of the lunar equator on
    the ICRF equator (z_icrf x z), y = z x x (the IAU convention for body "inertial" frames,
    Archinal et al. 2018, Celest. Mech. Dyn. Astron. 130:22, sec. 2). Shape (3, 3); the
    orbit elements of lunar orbits (inclination to the lunar equator, RAAN) refer to it."""
    from .. import moon as _moon

    z = np.asarray(_moon.rotation_matrix(epoch, "MOON_ME"))[2]
    x = np.cross([0.0, 0.0, 1.0], z)
    x /= np.linalg.norm(x)
    return np.array([x, np.cross(z, x), z])


def lunar_elements(state, epoch, mu=None):
    """Osculating Keplerian elements of a Moon-centred GCRF state on the lunar equator of
    ``epoch`` (:func:`lunar_equator_matrix`).

    Returns a dict: ``a`` (km), ``e``, ``i``, ``raan``, ``argp``, ``nu`` (rad), ``rp``,
    ``ra`` (km; ra inf for hyperbolae), ``periapsis_altitude`` (km above the IAU mean
    radius 1737.4 km). ``mu`` default: DE421's lunar GM.
    """
    mu = GM_KM3_S2["moon"] if mu is None else _real(mu)
    if not (math.isfinite(mu) and mu > 0.0):
        raise InputError("mu must be a positive number (km^3/s^2)", field="mu", value=mu)
    try:
        s = np.array(state, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        s = None
    if s is None or s.shape != (6,) or not np.all(np.isfinite(s)) or not (
            np.linalg.norm(np.cross(s[:3], s[3:])) > 0.0):
        raise InputError(f"state must be 6 finite numbers (km, km/s) of an orbit (position "
                         f"and velocity not parallel, neither zero), got {state!r}",
                         field="state", value=state)
    m = lunar_equator_matrix(epoch)
    return _elements_dict(m @ s[:3], m @ s[3:6], mu)


def _elements_dict(r, v, mu):
    h = np.cross(r, v)
    hn = np.linalg.norm(h)
    rn = np.linalg.norm(r)
    ev = np.cross(v, h) / mu - r / rn
    e = float(np.linalg.norm(ev))
    energy = 0.5 * float(v @ v) - mu / rn
    a = -mu / (2.0 * energy) if energy != 0 else np.inf
    p = hn * hn / mu
    rp = p / (1.0 + e)
    ra = p / (1.0 - e) if e < 1.0 else np.inf
    i = math.acos(max(-1.0, min(1.0, h[2] / hn)))
    node = np.array([-h[1], h[0], 0.0])
    nn = np.linalg.norm(node)
    raan = math.atan2(node[1], node[0]) % (2 * math.pi) if nn > 0 else 0.0
    nu = math.atan2(float(np.dot(np.cross(ev, r), h)) / hn, float(ev @ r))
    if nn > 0:
        argp = math.atan2(float(np.dot(np.cross(node, ev), h)) / hn, float(node @ ev))
    else:
        argp = math.atan2(ev[1], ev[0])
    return dict(a=float(a), e=e, i=i, raan=raan, argp=argp % (2 * math.pi),
                nu=nu % (2 * math.pi), rp=float(rp), ra=float(ra),
                periapsis_altitude=float(rp - MOON_RADIUS_KM))
