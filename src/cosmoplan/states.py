"""Orbital elements, anomalies and Kepler's equation: the vectorized two-body core.

Units are km, km/s, s and rad throughout. Every public function takes arrays and
broadcasts them: vectors are shaped ``(..., 3)``, scalars per orbit ``(...)``; a scalar
input is the N = 1 case and gives NumPy scalars (``np.float64``) back. The arithmetic
lives in :func:`numba.njit` kernels (compiled once, cached on disk); the kernels never
raise but return a status per element, and the thin wrappers here turn bad statuses into
:class:`~cosmoplan.errors.InputError` (impossible input) or
:class:`~cosmoplan.errors.ConvergenceError` (a solver that did not converge). No NaN is
ever returned.

Classical (Keplerian) elements
------------------------------
:func:`cartesian_to_keplerian` / :func:`keplerian_to_cartesian` follow Vallado,
*Fundamentals of Astrodynamics and Applications*, 4th ed. (2013), Algorithms 9 (RV2COE)
and 10 (COE2RV), §2.5-2.6. The size element is the semi-latus rectum ``p`` (defined for
every conic, the parabola included); ``a`` is derived (``inf`` for ``e == 1``, negative
for a hyperbola). The angles are computed with two-argument arctangents, never
``arccos``, so they keep full precision near 0 and pi:

* ``i = atan2(|h_xy|, h_z)``, ``raan = atan2(h_x, -h_y)``;
* ``u`` (argument of latitude) is the angle of ``r`` in the orbit plane from the node;
* ``e cos(nu) = p/r - 1`` and ``e sin(nu) = sqrt(p/mu) (r . v)/r`` give ``e`` and ``nu``;
  ``argp = u - nu``. Thus ``argp + nu`` is exact even when ``nu`` alone is ill-defined
  (``e`` tiny), and the round trip Cartesian -> elements -> Cartesian is accurate to
  about ``1e-16 max(1, e) r/p`` for every conic (measured worst 1.5e-13 over 2e5 random
  orbits with ``r/p <= 1e3``), plus up to ~2e-11 where the conventions below apply.

Conditioning: ``1 + e cos(nu) = p/r``, so far from periapsis of a near-parabolic or
hyperbolic orbit every element set carries a relative error of about ``1e-16 r/p`` (at
the apoapsis of an ``e = 1 - 1e-9`` ellipse, ``r/p = 5e8``: the round trip holds to
~1e-8 only). For the same reason, near periapsis of a near-parabolic ellipse the
``[0, 2 pi)`` convention for ``nu`` costs digits in ``M`` (``2 pi - 1e-15``); pass ``nu``
in ``(-pi, pi]`` to the anomaly functions when that matters.

Singular cases (Vallado §2.5, Algorithm 9), decided with :data:`CIRCULAR_TOL` on ``e``
and :data:`EQUATORIAL_TOL` on ``sin(i)``:

============================  =====================================================
circular inclined             ``argp = 0``, ``nu = u`` (argument of latitude)
elliptical equatorial         ``raan = 0``, ``argp`` = longitude of periapsis
                              (measured from +x in the direction of motion, so for a
                              retrograde orbit, ``i = pi``, it is ``2 pi`` minus the
                              geometric angle of the eccentricity vector)
circular equatorial           ``raan = argp = 0``, ``nu`` = true longitude (same sign
                              rule for ``i = pi``)
============================  =====================================================

The position error caused by these conventions is below the tolerances (1e-11
relative). Angles are wrapped to ``[0, 2 pi)``, except the true anomaly of an open orbit
(``e >= 1``), which is kept in ``(-pi, pi)`` so its sign tells inbound from outbound.

Modified equinoctial elements
-----------------------------
``(p, f, g, h, k, L)`` of Walker, Ireland & Owens (1985), Celest. Mech. 36, 409-419,
with the retrograde factor ``I = +-1`` of Broucke & Cefola (1972), Celest. Mech. 5,
303-310::

    f = e cos(argp + I raan)        h = tan(i/2)^I cos(raan)
    g = e sin(argp + I raan)        k = tan(i/2)^I sin(raan)
    L = I raan + argp + nu

They are regular for circular orbits and, with ``I = +1``, for equatorial ones; ``h, k``
are singular at ``i = pi`` for ``I = +1`` and at ``i = 0`` for ``I = -1``.
``retrograde="auto"`` chooses ``I = -1`` exactly for the orbits with ``i > pi/2``, so no
orbit is singular.

Anomalies and Kepler's equation
-------------------------------
Mean anomaly conventions (with ``n`` the mean motion of :meth:`KeplerianElements.mean_motion`):

* ellipse: ``M = E - e sin E``, ``n = sqrt(mu/a^3)``;
* hyperbola: ``M = e sinh F - F``, ``n = sqrt(mu/(-a)^3)``;
* parabola: ``M = B + B^3/3`` with ``B = tan(nu/2)`` (Barker's equation), ``n = 2 sqrt(mu/p^3)``
  (Vallado's form of Barker's equation; Curtis's parabolic mean anomaly ``M_p`` is half
  of this ``M``).

The elliptic solver (:func:`solve_kepler_elliptic`) starts from the root of the cubic model
``(1-e) E + e E^3/6 = M`` (exact as ``E -> 0``, so the ``e -> 1``, ``M -> 0`` corner needs
no special case) and iterates Halley's method inside the bracket ``[M, min(M + e, pi)]``
(for ``M`` reduced to ``[0, pi]``), bisecting whenever a step leaves it; the residual uses
``(1-e) E + e (E - sin E)`` with a series for ``E - sin E``, so it is exact to rounding for
``e`` up to ``1 - 1e-15``. The hyperbolic solver does the same on
``[asinh(M/e), min(asinh(M/(e-1)), (6M/e)^(1/3))]``. Barker's equation has the closed form
``B = 2 sinh(asinh(3M/2)/3)``. References: Vallado Algorithms 2-4; Danby (1988)
*Fundamentals of Celestial Mechanics* §6.6; Curtis, *Orbital Mechanics for Engineering
Students*, 3rd ed. (2014), §3.4-3.5.

Elliptic anomalies keep their revolution count: ``nu = 2 pi k + x`` maps to
``M = 2 pi k + y`` with ``x, y`` in ``[-pi, pi]``, so ``M`` is monotonic in ``nu``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._numba import jit
from .errors import ConvergenceError, InputError

__all__ = [
    "CIRCULAR_TOL",
    "EQUATORIAL_TOL",
    "KeplerianElements",
    "EquinoctialElements",
    "cartesian_to_keplerian",
    "keplerian_to_cartesian",
    "cartesian_to_equinoctial",
    "equinoctial_to_cartesian",
    "true_to_mean_anomaly",
    "mean_to_true_anomaly",
    "true_to_eccentric_anomaly",
    "eccentric_to_true_anomaly",
    "true_to_hyperbolic_anomaly",
    "hyperbolic_to_true_anomaly",
    "true_to_parabolic_anomaly",
    "parabolic_to_true_anomaly",
    "solve_kepler_elliptic",
    "solve_kepler_hyperbolic",
    "solve_barker",
]

CIRCULAR_TOL = 1e-11
"""Orbits with ``e`` below this are treated as circular (``argp = 0``, Vallado §2.5)."""
EQUATORIAL_TOL = 1e-11
"""Orbits with ``sin(i)`` below this are treated as equatorial (``raan = 0``)."""

_TWO_PI = 2.0 * math.pi
_EPS = 2.220446049250313e-16

# Kernel status codes (shared by states.py and kepler.py).
OK = 0
"""Status: success."""
NOT_CONVERGED = 1
"""Status: an iteration hit its cap without meeting its tolerance."""
DEGENERATE = 2
"""Status: the state has no orbit plane (r = 0 or r x v = 0) or p underflows."""
OUT_OF_DOMAIN = 3
"""Status: an anomaly lies beyond the asymptote of an open orbit (1 + e cos nu <= 0)."""
SINGULAR = 4
"""Status: equinoctial h, k are infinite for this orbit with this retrograde factor."""
NON_FINITE = 5
"""Status: the result overflowed (e.g. a hyperbola propagated absurdly far)."""

# error_model="numpy": a stray division by zero gives inf/nan (then caught by a status)
# instead of raising inside a kernel.
_jit = jit(error_model="numpy")


# --------------------------------------------------------------------------------------
# Scalar helpers (compiled, inlined into the kernels)


@_jit
def _wrap_2pi(x):
    """x reduced to [0, 2 pi)."""
    y = x - _TWO_PI * math.floor(x / _TWO_PI)
    if y >= _TWO_PI or y < 0.0:
        y = 0.0
    return y


@_jit
def _wrap_pi(x):
    """x reduced to [-pi, pi)."""
    return x - _TWO_PI * math.floor((x + math.pi) / _TWO_PI)


@_jit
def _x_minus_sin(x):
    """x - sin(x) without cancellation (Taylor series for |x| < 1)."""
    if abs(x) >= 1.0:
        return x - math.sin(x)
    x2 = x * x
    term = x * x2 / 6.0
    s = term
    n = 3.0
    for _ in range(12):
        term *= -x2 / ((n + 1.0) * (n + 2.0))
        n += 2.0
        s += term
    return s


@_jit
def _sinh_minus_x(x):
    """sinh(x) - x without cancellation (Taylor series for |x| < 1)."""
    if abs(x) >= 1.0:
        return math.sinh(x) - x
    x2 = x * x
    term = x * x2 / 6.0
    s = term
    n = 3.0
    for _ in range(12):
        term *= x2 / ((n + 1.0) * (n + 2.0))
        n += 2.0
        s += term
    return s


@_jit
def _cubic_root(c1, c3, m):
    """Positive root of c3 x^3 + c1 x = m (c1, c3 >= 0, m >= 0), a starting value only."""
    if m == 0.0:
        return 0.0
    if c1 <= 0.0:
        return (m / c3) ** (1.0 / 3.0)
    lin = m / c1
    if c3 <= 0.0 or c3 * lin * lin < 1e-8 * c1:
        return lin  # the linear term dominates
    # x^3 + P x - Q = 0 with P = c1/c3, Q = m/c3: x = 2 s sinh(asinh(Q / (2 s^3)) / 3),
    # s = sqrt(P/3).
    s = math.sqrt(c1 / (3.0 * c3))
    arg = (m / c3) / (2.0 * s * s * s)
    if arg > 1e300:
        return (m / c3) ** (1.0 / 3.0)
    return 2.0 * s * math.sinh(math.asinh(arg) / 3.0)


@_jit
def _kepler_e(M, e):
    """Solve E - e sin E = M (0 <= e < 1). Returns (E, status, residual)."""
    if e == 0.0 or M == 0.0:
        return M, OK, 0.0
    k = math.floor(M / _TWO_PI + 0.5)
    mr = M - _TWO_PI * k
    sgn = 1.0
    if mr < 0.0:
        sgn = -1.0
        mr = -mr
    if mr > math.pi:
        mr = math.pi
    one_me = 1.0 - e
    # Rigorous bracket: f(mr) = -e sin(mr) <= 0, f(mr + e) >= 0, f(pi) = pi - mr >= 0.
    lo = mr
    hi = min(mr + e, math.pi)
    # Start from the root of the cubic model (1-e) E + e E^3/6 = M (exact as E -> 0).
    x = min(hi, max(lo, _cubic_root(one_me, e / 6.0, mr)))
    status = NOT_CONVERGED
    f = 0.0
    for _ in range(100):
        f = one_me * x + e * _x_minus_sin(x) - mr
        if f == 0.0:
            status = OK
            break
        if f < 0.0:
            lo = x
        else:
            hi = x
        sh = math.sin(0.5 * x)
        fp = one_me + 2.0 * e * sh * sh
        fpp = e * math.sin(x)
        d = f / fp
        den = fp - 0.5 * d * fpp
        step = f / den if den > 0.0 else d
        xn = x - step
        if not (xn > lo and xn < hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 4.0 * _EPS * abs(xn) or hi - lo <= 4.0 * _EPS * hi:
            x = xn
            f = one_me * x + e * _x_minus_sin(x) - mr
            status = OK
            break
        x = xn
    return sgn * x + _TWO_PI * k, status, abs(f)


@_jit
def _kepler_h(M, e):
    """Solve e sinh F - F = M (e > 1). Returns (F, status, residual)."""
    if M == 0.0:
        return 0.0, OK, 0.0
    sgn = 1.0
    m = M
    if m < 0.0:
        sgn = -1.0
        m = -m
    em1 = e - 1.0
    # Bracket: f(asinh(m/e)) = -asinh(m/e) < 0; e sinh F - F >= (e-1) sinh F and
    # >= e F^3/6 give F <= asinh(m/(e-1)) and F <= (6m/e)^(1/3) (with a little slack).
    lo = math.asinh(m / e)
    hi = (6.0 * m / e) ** (1.0 / 3.0)
    q = m / em1
    if q < 1e300:
        hi = min(hi, math.asinh(q))
    hi = hi * (1.0 + 1e-9)
    if hi <= lo:
        hi = lo * (1.0 + 1e-9) + 1e-300
    # Start: cubic model (e-1) F + e F^3/6 = M for small F, one fixed-point step of
    # F = asinh((M + F)/e) for large F.
    hi_c = _cubic_root(em1, e / 6.0, m)
    if hi_c < 1.0:
        x = hi_c
    else:
        x = math.asinh((m + lo) / e)
    x = min(hi, max(lo, x))
    status = NOT_CONVERGED
    f = 0.0
    for _ in range(200):
        f = em1 * math.sinh(x) + _sinh_minus_x(x) - m
        if f == 0.0:
            status = OK
            break
        if f < 0.0:
            lo = x
        else:
            hi = x
        sh = math.sinh(0.5 * x)
        fp = em1 * math.cosh(x) + 2.0 * sh * sh
        fpp = e * math.sinh(x)
        d = f / fp
        den = fp - 0.5 * d * fpp
        step = f / den if den > 0.0 else d
        xn = x - step
        if not (xn > lo and xn < hi):
            xn = 0.5 * (lo + hi)
        if abs(xn - x) <= 4.0 * _EPS * abs(xn) or hi - lo <= 4.0 * _EPS * hi:
            x = xn
            f = em1 * math.sinh(x) + _sinh_minus_x(x) - m
            status = OK
            break
        x = xn
    return sgn * x, status, abs(f) / max(m, 1.0)


@_jit
def _barker(M):
    """Solve B + B^3/3 = M in closed form: the real root of the cubic (Cardano), written as
    2 sinh(asinh(3M/2)/3), which is accurate for every M (Vallado Algorithm 3 gives the
    equivalent trigonometric form)."""
    return 2.0 * math.sinh(math.asinh(1.5 * M) / 3.0)


@_jit
def _nu_to_e(nu, e):
    k = math.floor(nu / _TWO_PI + 0.5)
    x = nu - _TWO_PI * k
    h = 0.5 * x
    return 2.0 * math.atan2(math.sqrt(1.0 - e) * math.sin(h),
                            math.sqrt(1.0 + e) * math.cos(h)) + _TWO_PI * k


@_jit
def _e_to_nu(E, e):
    k = math.floor(E / _TWO_PI + 0.5)
    x = E - _TWO_PI * k
    h = 0.5 * x
    return 2.0 * math.atan2(math.sqrt(1.0 + e) * math.sin(h),
                            math.sqrt(1.0 - e) * math.cos(h)) + _TWO_PI * k


@_jit
def _e_to_m(E, e):
    k = math.floor(E / _TWO_PI + 0.5)
    x = E - _TWO_PI * k
    return (1.0 - e) * x + e * _x_minus_sin(x) + _TWO_PI * k


@_jit
def _nu_to_f(nu, e):
    """Hyperbolic anomaly; returns (F, ok). nu is reduced to [-pi, pi)."""
    x = _wrap_pi(nu)
    den = 1.0 + e * math.cos(x)
    if not den > 0.0:
        return 0.0, False
    return math.asinh(math.sqrt((e - 1.0) * (e + 1.0)) * math.sin(x) / den), True


@_jit
def _f_to_nu(F, e):
    h = 0.5 * F
    return 2.0 * math.atan2(math.sqrt(e + 1.0) * math.sinh(h), math.sqrt(e - 1.0) * math.cosh(h))


@_jit
def _f_to_m(F, e):
    return (e - 1.0) * math.sinh(F) + _sinh_minus_x(F)


@_jit
def _nu_to_b(nu):
    x = _wrap_pi(nu)
    if x == -math.pi:
        return 0.0, False
    return math.tan(0.5 * x), True


@_jit
def _true_to_mean_one(nu, e):
    """(M, status) for any conic."""
    if e < 1.0:
        return _e_to_m(_nu_to_e(nu, e), e), OK
    if e == 1.0:
        b, ok = _nu_to_b(nu)
        if not ok:
            return 0.0, OUT_OF_DOMAIN
        return b + b * b * b / 3.0, OK
    F, ok = _nu_to_f(nu, e)
    if not ok:
        return 0.0, OUT_OF_DOMAIN
    return _f_to_m(F, e), OK


@_jit
def _mean_to_true_one(M, e):
    """(nu, status, residual) for any conic."""
    if e < 1.0:
        E, st, res = _kepler_e(M, e)
        return _e_to_nu(E, e), st, res
    if e == 1.0:
        return 2.0 * math.atan(_barker(M)), OK, 0.0
    F, st, res = _kepler_h(M, e)
    return _f_to_nu(F, e), st, res


# --------------------------------------------------------------------------------------
# Array kernels


@_jit
def _anomaly_kernel(x, e, mode, out, status, resid):
    """Elementwise anomaly conversions; ``mode`` selects the map (see _ANOMALY_MODES)."""
    for j in range(x.size):
        xj = x[j]
        ej = e[j]
        st = OK
        res = 0.0
        y = 0.0
        if mode == 0:  # true -> mean
            y, st = _true_to_mean_one(xj, ej)
        elif mode == 1:  # mean -> true
            y, st, res = _mean_to_true_one(xj, ej)
        elif mode == 2:  # true -> eccentric
            y = _nu_to_e(xj, ej)
        elif mode == 3:  # eccentric -> true
            y = _e_to_nu(xj, ej)
        elif mode == 4:  # true -> hyperbolic
            y, ok = _nu_to_f(xj, ej)
            if not ok:
                st = OUT_OF_DOMAIN
        elif mode == 5:  # hyperbolic -> true
            y = _f_to_nu(xj, ej)
        elif mode == 6:  # mean -> eccentric
            y, st, res = _kepler_e(xj, ej)
        elif mode == 7:  # mean -> hyperbolic
            y, st, res = _kepler_h(xj, ej)
        elif mode == 8:  # true -> parabolic B
            y, ok = _nu_to_b(xj)
            if not ok:
                st = OUT_OF_DOMAIN
        elif mode == 9:  # parabolic B -> true
            y = 2.0 * math.atan(xj)
        elif mode == 10:  # mean -> parabolic B
            y = _barker(xj)
        if not math.isfinite(y) and st == OK:
            st = NON_FINITE
        if st != OK and st != NOT_CONVERGED:
            y = 0.0
        out[j] = y
        status[j] = st
        resid[j] = res


@_jit
def _row_state(r, v, j, m):
    """Row j of (r, v): its components, angular momentum h, |r|, |h| and p = h^2 / mu."""
    rx, ry, rz = r[j, 0], r[j, 1], r[j, 2]
    vx, vy, vz = v[j, 0], v[j, 1], v[j, 2]
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    return rx, ry, rz, vx, vy, vz, hx, hy, hz, rn, hn, hn * hn / m


@_jit
def _rv2coe_kernel(r, v, mu, out, status):
    """Cartesian -> (p, e, i, raan, argp, nu) per row (Vallado Algorithm 9, atan2 form)."""
    for j in range(r.shape[0]):
        m = mu[j]
        rx, ry, rz, vx, vy, vz, hx, hy, hz, rn, hn, p = _row_state(r, v, j, m)
        if not (rn > 0.0 and hn > 0.0 and p > 0.0):
            for c in range(6):
                out[j, c] = 0.0
            status[j] = DEGENERATE
            continue
        wx, wy, wz = hx / hn, hy / hn, hz / hn
        sini = math.sqrt(wx * wx + wy * wy)
        inc = math.atan2(sini, wz)
        if sini < EQUATORIAL_TOL:
            raan = 0.0
            nx, ny = 1.0, 0.0
        else:
            raan = math.atan2(wx, -wy)
            nx, ny = -wy / sini, wx / sini
        # m = w x n (n has no z component); u = angle of r from n towards m.
        mx = -wz * ny
        my = wz * nx
        mz = wx * ny - wy * nx
        u = math.atan2(rx * mx + ry * my + rz * mz, rx * nx + ry * ny)
        rdv = rx * vx + ry * vy + rz * vz
        ecos = p / rn - 1.0
        esin = math.sqrt(p / m) * rdv / rn
        e = math.sqrt(ecos * ecos + esin * esin)
        if e < CIRCULAR_TOL:
            argp = 0.0
            nu = u
        else:
            nu = math.atan2(esin, ecos)
            argp = u - nu
        out[j, 0] = p
        out[j, 1] = e
        out[j, 2] = inc
        out[j, 3] = _wrap_2pi(raan)
        out[j, 4] = _wrap_2pi(argp)
        out[j, 5] = _wrap_2pi(nu) if e < 1.0 else _wrap_pi(nu)
        status[j] = OK


@_jit
def _coe2rv_kernel(el, mu, r, v, status):
    """(p, e, i, raan, argp, nu) -> Cartesian per row (Vallado Algorithm 10)."""
    for j in range(el.shape[0]):
        p, e, inc, raan, argp, nu = el[j, 0], el[j, 1], el[j, 2], el[j, 3], el[j, 4], el[j, 5]
        cnu = math.cos(nu)
        den = 1.0 + e * cnu
        if not den > 0.0:
            for c in range(3):
                r[j, c] = 0.0
                v[j, c] = 0.0
            status[j] = OUT_OF_DOMAIN
            continue
        rn = p / den
        sq = math.sqrt(mu[j] / p)
        u = argp + nu
        cu, su = math.cos(u), math.sin(u)
        co, so = math.cos(raan), math.sin(raan)
        ci, si = math.cos(inc), math.sin(inc)
        cw, sw = math.cos(argp), math.sin(argp)
        r[j, 0] = rn * (co * cu - so * su * ci)
        r[j, 1] = rn * (so * cu + co * su * ci)
        r[j, 2] = rn * su * si
        a1 = su + e * sw
        a2 = cu + e * cw
        v[j, 0] = -sq * (co * a1 + so * a2 * ci)
        v[j, 1] = -sq * (so * a1 - co * a2 * ci)
        v[j, 2] = sq * a2 * si
        status[j] = OK


@_jit
def _mee_frame(h, k, rf):
    """Unit vectors f, g of the equinoctial frame for retrograde factor rf = +-1."""
    s2 = 1.0 + h * h + k * k
    if rf > 0.0:
        fx, fy, fz = (1.0 + h * h - k * k) / s2, 2.0 * h * k / s2, -2.0 * k / s2
        gx, gy, gz = 2.0 * h * k / s2, (1.0 - h * h + k * k) / s2, 2.0 * h / s2
    else:  # diag(1, -1, -1) applied to the I = +1 frame of (-h, k)
        fx, fy, fz = (1.0 + h * h - k * k) / s2, 2.0 * h * k / s2, 2.0 * k / s2
        gx, gy, gz = -2.0 * h * k / s2, -(1.0 - h * h + k * k) / s2, 2.0 * h / s2
    return fx, fy, fz, gx, gy, gz


@_jit
def _rv2mee_kernel(r, v, mu, rf, out, status):
    """Cartesian -> (p, f, g, h, k, L) per row; rf[j] = 0 asks for the automatic choice,
    and is overwritten with the factor used."""
    for j in range(r.shape[0]):
        m = mu[j]
        rx, ry, rz, vx, vy, vz, hx, hy, hz, rn, hn, p = _row_state(r, v, j, m)
        if rf[j] == 0.0:
            rf[j] = -1.0 if hz < 0.0 else 1.0
        fac = rf[j]
        if not (rn > 0.0 and hn > 0.0 and p > 0.0):
            for c in range(6):
                out[j, c] = 0.0
            status[j] = DEGENERATE
            continue
        wx, wy, wz = hx / hn, hy / hn, hz / hn
        den = 1.0 + fac * wz
        if not den > 0.0:
            for c in range(6):
                out[j, c] = 0.0
            status[j] = SINGULAR
            continue
        kk = wx / den
        hh = -wy / den
        fx, fy, fz, gx, gy, gz = _mee_frame(hh, kk, fac)
        L = math.atan2(rx * gx + ry * gy + rz * gz, rx * fx + ry * fy + rz * fz)
        rdv = rx * vx + ry * vy + rz * vz
        ecos = p / rn - 1.0
        esin = math.sqrt(p / m) * rdv / rn
        # e vector = ecos * rhat - esin * (w x rhat)
        ux, uy, uz = rx / rn, ry / rn, rz / rn
        tx = wy * uz - wz * uy
        ty = wz * ux - wx * uz
        tz = wx * uy - wy * ux
        ex = ecos * ux - esin * tx
        ey = ecos * uy - esin * ty
        ez = ecos * uz - esin * tz
        out[j, 0] = p
        out[j, 1] = ex * fx + ey * fy + ez * fz
        out[j, 2] = ex * gx + ey * gy + ez * gz
        out[j, 3] = hh
        out[j, 4] = kk
        out[j, 5] = _wrap_2pi(L)
        status[j] = OK


@_jit
def _mee2rv_kernel(el, rf, mu, r, v, status):
    """(p, f, g, h, k, L) -> Cartesian per row (Walker, Ireland & Owens 1985)."""
    for j in range(el.shape[0]):
        p, f, g, hh, kk, L = el[j, 0], el[j, 1], el[j, 2], el[j, 3], el[j, 4], el[j, 5]
        cl, sl = math.cos(L), math.sin(L)
        den = 1.0 + f * cl + g * sl
        if not den > 0.0:
            for c in range(3):
                r[j, c] = 0.0
                v[j, c] = 0.0
            status[j] = OUT_OF_DOMAIN
            continue
        rn = p / den
        sq = math.sqrt(mu[j] / p)
        fx, fy, fz, gx, gy, gz = _mee_frame(hh, kk, rf[j])
        a, b = rn * cl, rn * sl
        r[j, 0] = a * fx + b * gx
        r[j, 1] = a * fy + b * gy
        r[j, 2] = a * fz + b * gz
        c, d = -sq * (sl + g), sq * (cl + f)
        v[j, 0] = c * fx + d * gx
        v[j, 1] = c * fy + d * gy
        v[j, 2] = c * fz + d * gz
        status[j] = OK


# --------------------------------------------------------------------------------------
# Input checking (shared with kepler.py)


def _scalar_out(x):
    """NumPy array -> itself, 0-d array -> NumPy scalar (the N = 1 case)."""
    return x[()] if isinstance(x, np.ndarray) and x.ndim == 0 else x


def _as_float(x, name):
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numeric; got {x!r}", field=name, value=x) from None
    if not np.all(np.isfinite(a)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        val = a[idx].item()
        raise InputError(f"{name} must be finite; got {val!r} at index {idx}",
                         field=name, value=val)
    return a


def _as_vectors(x, name, unit):
    a = _as_float(x, name)
    if a.ndim == 0 or a.shape[-1] != 3:
        raise InputError(f"{name} must have shape (..., 3) ({unit}); got shape {a.shape}",
                         field=name, value=x)
    return a


def _check(cond, a, name, what):
    """Raise InputError naming the first element of ``a`` where ``cond`` is False."""
    if not np.all(cond):
        idx = tuple(int(i) for i in np.argwhere(~np.asarray(cond))[0])
        val = np.broadcast_to(a, np.shape(cond))[idx].item()
        raise InputError(f"{name} must be {what}; got {val!r} at index {idx}",
                         field=name, value=val)


def _as_mu(mu):
    m = _as_float(mu, "mu")
    _check(m > 0.0, m, "mu", "> 0 (km^3/s^2)")
    return m


def _flat(a, shape, tail=()):
    """Broadcast ``a`` to ``shape + tail`` and return a writable C-contiguous 2-D/1-D copy
    (so that the kernels see one array type and compile once)."""
    b = np.broadcast_to(a, shape + tail)
    n = int(np.prod(shape, dtype=np.int64))
    return np.array(b.reshape((n,) + tail), dtype=np.float64, order="C")


def _where(status, code):
    idx = np.flatnonzero(status == code)
    return idx


# --------------------------------------------------------------------------------------
# Element sets


@dataclass(frozen=True, eq=False)
class KeplerianElements:
    """Classical orbital elements (arrays of one shape; km and rad).

    Parameters
    ----------
    p : array_like
        Semi-latus rectum, km (> 0); the size element, defined for every conic.
    e : array_like
        Eccentricity (>= 0); ``e == 1`` exactly is the parabola.
    i : array_like
        Inclination, rad, in [0, pi].
    raan, argp, nu : array_like
        Right ascension of the ascending node, argument of periapsis and true anomaly, rad.
        See the module notes for their values in the circular and equatorial cases.

    Use :meth:`from_semimajor_axis` to give ``a`` instead of ``p``.
    """

    p: np.ndarray
    e: np.ndarray
    i: np.ndarray
    raan: np.ndarray
    argp: np.ndarray
    nu: np.ndarray

    def __post_init__(self):
        names = ("p", "e", "i", "raan", "argp", "nu")
        vals = [_as_float(getattr(self, n), n) for n in names]
        try:
            vals = np.broadcast_arrays(*vals)
        except ValueError:
            shapes = {n: np.shape(x) for n, x in zip(names, vals, strict=True)}
            raise InputError(f"element arrays do not broadcast: {shapes}", field="elements",
                             value=shapes) from None
        _check(vals[0] > 0.0, vals[0], "p", "> 0 (km)")
        _check(vals[1] >= 0.0, vals[1], "e", ">= 0")
        for n, x in zip(names, vals, strict=True):
            object.__setattr__(self, n, _scalar_out(np.array(x)))

    @classmethod
    def from_semimajor_axis(cls, a, e, i, raan, argp, nu):
        """Elements from ``a`` (km; > 0 for an ellipse, < 0 for a hyperbola) instead of ``p``.

        A parabola has no finite ``a``: give ``p`` to the constructor instead.
        """
        a_ = _as_float(a, "a")
        e_ = _as_float(e, "e")
        _check(e_ >= 0.0, e_, "e", ">= 0")
        a_, e_ = np.broadcast_arrays(a_, e_)
        _check(e_ != 1.0, e_, "e", "!= 1 with a semi-major axis (a parabola needs p)")
        _check((e_ > 1.0) | (a_ > 0.0), a_, "a", "> 0 for an ellipse (e < 1)")
        _check((e_ < 1.0) | (a_ < 0.0), a_, "a", "< 0 for a hyperbola (e > 1)")
        return cls(a_ * (1.0 - e_) * (1.0 + e_), e_, i, raan, argp, nu)

    @property
    def shape(self):
        return np.shape(self.p)

    @property
    def a(self):
        """Semi-major axis, km: ``p / (1 - e^2)``; ``inf`` for ``e == 1``, < 0 for ``e > 1``.

        Near ``e = 1`` it carries a relative error of about ``1e-16 / |1 - e|``; ``p`` does not.
        """
        p, e = np.asarray(self.p), np.asarray(self.e)
        with np.errstate(divide="ignore"):
            a = np.where(e == 1.0, np.inf, p / np.where(e == 1.0, 1.0, (1.0 - e) * (1.0 + e)))
        return _scalar_out(a)

    @property
    def argument_of_latitude(self):
        """``u = argp + nu`` in [0, 2 pi), rad."""
        return _scalar_out(np.mod(np.asarray(self.argp) + self.nu, 2 * np.pi))

    u = argument_of_latitude

    @property
    def longitude_of_periapsis(self):
        """``raan + argp`` in [0, 2 pi), rad (for an equatorial orbit, ``argp``)."""
        return _scalar_out(np.mod(np.asarray(self.raan) + self.argp, 2 * np.pi))

    @property
    def true_longitude(self):
        """``raan + argp + nu`` in [0, 2 pi), rad (for a circular equatorial orbit, ``nu``)."""
        return _scalar_out(np.mod(np.asarray(self.raan) + self.argp + self.nu, 2 * np.pi))

    @property
    def mean_anomaly(self):
        """Mean anomaly, rad (conventions in the module notes; defined for every conic)."""
        return true_to_mean_anomaly(self.nu, self.e)

    def mean_motion(self, mu):
        """Mean motion ``n`` (rad/s) matching :attr:`mean_anomaly`: ``dM/dt = n``."""
        mu = _as_mu(mu)
        p, e = np.asarray(self.p), np.asarray(self.e)
        q = np.abs((1.0 - e) * (1.0 + e))
        n = np.where(e == 1.0, 2.0 * np.sqrt(mu / p**3), np.sqrt(mu * q**3 / p**3))
        return _scalar_out(n)

    def period(self, mu):
        """Orbital period, s (``inf`` for ``e >= 1``)."""
        n = np.asarray(self.mean_motion(mu))
        return _scalar_out(np.where(np.asarray(self.e) < 1.0, 2 * np.pi / n, np.inf))


@dataclass(frozen=True, eq=False)
class EquinoctialElements:
    """Modified equinoctial elements (Walker, Ireland & Owens 1985) with retrograde factor.

    Parameters
    ----------
    p : array_like
        Semi-latus rectum, km (> 0).
    f, g : array_like
        Eccentricity vector components ``e cos(argp + I raan)``, ``e sin(argp + I raan)``.
    h, k : array_like
        ``tan(i/2)^I cos(raan)``, ``tan(i/2)^I sin(raan)``.
    L : array_like
        True longitude ``I raan + argp + nu``, rad.
    I : array_like
        Retrograde factor, +1 or -1 (Broucke & Cefola 1972).
    """

    p: np.ndarray
    f: np.ndarray
    g: np.ndarray
    h: np.ndarray
    k: np.ndarray
    L: np.ndarray
    I: np.ndarray  # noqa: E741

    def __post_init__(self):
        names = ("p", "f", "g", "h", "k", "L", "I")
        vals = [_as_float(getattr(self, n), n) for n in names]
        try:
            vals = np.broadcast_arrays(*vals)
        except ValueError:
            shapes = {n: np.shape(x) for n, x in zip(names, vals, strict=True)}
            raise InputError(f"element arrays do not broadcast: {shapes}", field="elements",
                             value=shapes) from None
        _check(vals[0] > 0.0, vals[0], "p", "> 0 (km)")
        _check(np.abs(vals[6]) == 1.0, vals[6], "I", "+1 or -1")
        for n, x in zip(names, vals, strict=True):
            object.__setattr__(self, n, _scalar_out(np.array(x)))

    @property
    def shape(self):
        return np.shape(self.p)

    @property
    def e(self):
        """Eccentricity ``hypot(f, g)``."""
        return _scalar_out(np.hypot(self.f, self.g))

    @property
    def i(self):
        """Inclination, rad: ``2 atan(hypot(h, k))``, or ``pi`` minus that when ``I = -1``."""
        t = 2.0 * np.arctan(np.hypot(self.h, self.k))
        return _scalar_out(np.where(np.asarray(self.I) > 0, t, np.pi - t))


# --------------------------------------------------------------------------------------
# Public conversions


def _degenerate_error(r, v, idx, shape):
    k = np.unravel_index(idx, shape) if shape else ()
    return InputError(
        f"state at index {tuple(int(x) for x in k)} has no orbit plane (r = 0 or r x v = 0: "
        f"a rectilinear orbit); r = {r[idx].tolist()} km, v = {v[idx].tolist()} km/s",
        field="r", value=r[idx].tolist())


def _vectors_and_mu(r, v, mu):
    r = _as_vectors(r, "r", "km")
    v = _as_vectors(v, "v", "km/s")
    mu = _as_mu(mu)
    try:
        shape = np.broadcast_shapes(r.shape[:-1], v.shape[:-1], mu.shape)
    except ValueError:
        raise InputError(f"shapes do not broadcast: r {r.shape}, v {v.shape}, mu {mu.shape}",
                         field="r", value=(r.shape, v.shape, mu.shape)) from None
    return _flat(r, shape, (3,)), _flat(v, shape, (3,)), _flat(mu, shape), shape


def cartesian_to_keplerian(r, v, mu):
    """Classical elements of Cartesian states (Vallado 4th ed. Algorithm 9, RV2COE).

    Parameters
    ----------
    r : array_like, shape (..., 3)
        Position, km.
    v : array_like, shape (..., 3)
        Velocity, km/s.
    mu : float or array_like, shape (...)
        Gravitational parameter, km^3/s^2.

    Returns
    -------
    KeplerianElements
        With arrays of the broadcast shape (NumPy scalars for one state).

    Raises
    ------
    InputError
        Non-finite input, bad shapes, ``mu <= 0``, or a state without an orbit plane
        (``r = 0`` or ``r x v = 0``).

    Examples
    --------
    Vallado Example 2-5:

    >>> el = cartesian_to_keplerian([6524.834, 6862.875, 6448.296],
    ...                             [4.901327, 5.533756, -1.976341], 398600.4418)
    >>> round(float(el.p), 1), round(float(el.e), 5), round(float(np.degrees(el.i)), 2)
    (11067.8, 0.83285, 87.87)
    """
    r2, v2, mu2, shape = _vectors_and_mu(r, v, mu)
    n = mu2.size
    out = np.empty((n, 6))
    status = np.empty(n, dtype=np.int64)
    _rv2coe_kernel(r2, v2, mu2, out, status)
    bad = _where(status, DEGENERATE)
    if bad.size:
        raise _degenerate_error(r2, v2, bad[0], shape)
    cols = [out[:, c].reshape(shape) for c in range(6)]
    return KeplerianElements(*cols)


def keplerian_to_cartesian(elements=None, mu=None, *, p=None, a=None, e=None, i=None,
                           raan=None, argp=None, nu=None):
    """Cartesian states of classical elements (Vallado 4th ed. Algorithm 10, COE2RV).

    Call either ``keplerian_to_cartesian(elements, mu)`` with a :class:`KeplerianElements`,
    or ``keplerian_to_cartesian(mu=mu, p=..., e=..., i=..., raan=..., argp=..., nu=...)``
    (``a=`` instead of ``p=`` for an ellipse or a hyperbola). Angles in rad, lengths in km.
    Arrays broadcast; a circular or equatorial orbit needs no special values (the
    conventions of :func:`cartesian_to_keplerian` are just one valid choice).

    Returns
    -------
    r, v : ndarray, shape elements.shape + (3,)
        Position (km) and velocity (km/s).

    Raises
    ------
    InputError
        Bad elements, ``mu <= 0``, or a true anomaly beyond the asymptote of a hyperbola or
        parabola (``1 + e cos(nu) <= 0``).
    """
    if mu is None:
        raise InputError("mu (km^3/s^2) is required", field="mu", value=None)
    if elements is None:
        kw = {"e": e, "i": i, "raan": raan, "argp": argp, "nu": nu}
        missing = [k for k, x in kw.items() if x is None]
        if missing or (p is None) == (a is None):
            raise InputError(
                "give a KeplerianElements, or keywords e, i, raan, argp, nu and exactly one of "
                f"p, a (missing: {missing + (['p or a'] if p is None and a is None else [])})",
                field="elements", value=None)
        if p is not None:
            elements = KeplerianElements(p, e, i, raan, argp, nu)
        else:
            elements = KeplerianElements.from_semimajor_axis(a, e, i, raan, argp, nu)
    elif not isinstance(elements, KeplerianElements):
        raise InputError(f"expected KeplerianElements, got {type(elements).__name__}",
                         field="elements", value=elements)
    mu = _as_mu(mu)
    try:
        shape = np.broadcast_shapes(elements.shape, mu.shape)
    except ValueError:
        raise InputError(f"elements shape {elements.shape} and mu shape {mu.shape} do not "
                         "broadcast", field="mu", value=mu.shape) from None
    el = np.stack([_flat(getattr(elements, n), shape)
                   for n in ("p", "e", "i", "raan", "argp", "nu")], axis=1)
    n = el.shape[0]
    r = np.empty((n, 3))
    v = np.empty((n, 3))
    status = np.empty(n, dtype=np.int64)
    _coe2rv_kernel(el, _flat(mu, shape), r, v, status)
    bad = _where(status, OUT_OF_DOMAIN)
    if bad.size:
        j = bad[0]
        raise InputError(
            f"true anomaly {float(el[j, 5])!r} rad is beyond the asymptote of an orbit with "
            f"e = {float(el[j, 1])!r} (need 1 + e cos(nu) > 0, "
            f"|nu| < {float(np.arccos(-1 / el[j, 1]))!r})",
            field="nu", value=float(el[j, 5]))
    return r.reshape(shape + (3,)), v.reshape(shape + (3,))


def cartesian_to_equinoctial(r, v, mu, retrograde="auto"):
    """Modified equinoctial elements of Cartesian states.

    Parameters
    ----------
    r, v, mu
        As in :func:`cartesian_to_keplerian`.
    retrograde : {False, True, "auto"} or array_like of bool
        ``False`` uses ``I = +1`` (singular at ``i = pi``), ``True`` uses ``I = -1``
        (singular at ``i = 0``), ``"auto"`` picks ``I = -1`` for each orbit with
        ``i > pi/2`` and ``I = +1`` otherwise, so that no orbit is singular.

    Returns
    -------
    EquinoctialElements

    Raises
    ------
    InputError
        As :func:`cartesian_to_keplerian`, and for an orbit exactly at the singularity of
        the requested factor.
    """
    r2, v2, mu2, shape = _vectors_and_mu(r, v, mu)
    n = mu2.size
    if isinstance(retrograde, str):
        if retrograde != "auto":
            raise InputError(f"retrograde must be True, False or 'auto'; got {retrograde!r}",
                             field="retrograde", value=retrograde)
        rf = np.zeros(n)
    else:
        flag = np.asarray(retrograde)
        if flag.dtype != bool:
            raise InputError(f"retrograde must be True, False or 'auto'; got {retrograde!r}",
                             field="retrograde", value=retrograde)
        try:
            rf = _flat(np.where(flag, -1.0, 1.0), shape)
        except ValueError:
            raise InputError(f"retrograde shape {flag.shape} does not broadcast to {shape}",
                             field="retrograde", value=flag.shape) from None
    out = np.empty((n, 6))
    status = np.empty(n, dtype=np.int64)
    _rv2mee_kernel(r2, v2, mu2, rf, out, status)
    bad = _where(status, DEGENERATE)
    if bad.size:
        raise _degenerate_error(r2, v2, bad[0], shape)
    bad = _where(status, SINGULAR)
    if bad.size:
        j = bad[0]
        which = "i = pi with I = +1" if rf[j] > 0 else "i = 0 with I = -1"
        raise InputError(
            f"equinoctial h, k are infinite for the orbit at flat index {j} ({which}); use "
            "retrograde='auto'", field="retrograde", value=retrograde)
    cols = [out[:, c].reshape(shape) for c in range(6)]
    return EquinoctialElements(*cols, rf.reshape(shape))


def equinoctial_to_cartesian(elements, mu):
    """Cartesian states of :class:`EquinoctialElements` (Walker, Ireland & Owens 1985, with
    the retrograde factor of Broucke & Cefola 1972).

    Returns
    -------
    r, v : ndarray, shape elements.shape + (3,)

    Raises
    ------
    InputError
        ``mu <= 0`` or a true longitude beyond the asymptote (``1 + f cos L + g sin L <= 0``).
    """
    if not isinstance(elements, EquinoctialElements):
        raise InputError(f"expected EquinoctialElements, got {type(elements).__name__}",
                         field="elements", value=elements)
    mu = _as_mu(mu)
    try:
        shape = np.broadcast_shapes(elements.shape, mu.shape)
    except ValueError:
        raise InputError(f"elements shape {elements.shape} and mu shape {mu.shape} do not "
                         "broadcast", field="mu", value=mu.shape) from None
    el = np.stack([_flat(getattr(elements, n), shape) for n in ("p", "f", "g", "h", "k", "L")],
                  axis=1)
    n = el.shape[0]
    r = np.empty((n, 3))
    v = np.empty((n, 3))
    status = np.empty(n, dtype=np.int64)
    _mee2rv_kernel(el, _flat(elements.I, shape), _flat(mu, shape), r, v, status)
    bad = _where(status, OUT_OF_DOMAIN)
    if bad.size:
        j = bad[0]
        raise InputError(
            f"true longitude L = {float(el[j, 5])!r} rad is beyond the asymptote "
            f"(1 + f cos L + g sin L <= 0 with f = {float(el[j, 1])!r}, "
            f"g = {float(el[j, 2])!r})", field="L", value=float(el[j, 5]))
    return r.reshape(shape + (3,)), v.reshape(shape + (3,))


# --------------------------------------------------------------------------------------
# Anomalies

_MODES = {
    "true_to_mean": (0, "nu", None),
    "mean_to_true": (1, "M", None),
    "true_to_eccentric": (2, "nu", "elliptic"),
    "eccentric_to_true": (3, "E", "elliptic"),
    "true_to_hyperbolic": (4, "nu", "hyperbolic"),
    "hyperbolic_to_true": (5, "F", "hyperbolic"),
    "mean_to_eccentric": (6, "M", "elliptic"),
    "mean_to_hyperbolic": (7, "M", "hyperbolic"),
    "true_to_parabolic": (8, "nu", "parabolic"),
    "parabolic_to_true": (9, "B", "parabolic"),
    "mean_to_parabolic": (10, "M", "parabolic"),
}


def _anomaly(name, x, e):
    mode, xname, conic = _MODES[name]
    x = _as_float(x, xname)
    e = _as_float(e, "e")
    _check(e >= 0.0, e, "e", ">= 0")
    if conic == "elliptic":
        _check(e < 1.0, e, "e", "< 1 (elliptic)")
    elif conic == "hyperbolic":
        _check(e > 1.0, e, "e", "> 1 (hyperbolic)")
    elif conic == "parabolic":
        _check(e == 1.0, e, "e", "== 1 (parabolic)")
    if xname == "F":
        _check(np.abs(x) < 700.0, x, "F", "smaller than 700 in magnitude (sinh overflows)")
    try:
        shape = np.broadcast_shapes(x.shape, e.shape)
    except ValueError:
        raise InputError(f"{xname} shape {x.shape} and e shape {e.shape} do not broadcast",
                         field=xname, value=x.shape) from None
    xf, ef = _flat(x, shape), _flat(e, shape)
    n = xf.size
    out = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    resid = np.empty(n)
    _anomaly_kernel(xf, ef, mode, out, status, resid)
    bad = _where(status, OUT_OF_DOMAIN)
    if bad.size:
        j = bad[0]
        raise InputError(
            f"true anomaly {float(xf[j])!r} rad is beyond the asymptote of an orbit with "
            f"e = {float(ef[j])!r} (need 1 + e cos(nu) > 0)", field="nu", value=float(xf[j]))
    bad = _where(status, NON_FINITE)
    if bad.size:
        j = bad[0]
        raise InputError(f"{xname} = {float(xf[j])!r} with e = {float(ef[j])!r} overflows",
                         field=xname, value=float(xf[j]))
    bad = _where(status, NOT_CONVERGED)
    if bad.size:
        j = bad[0]
        raise ConvergenceError(
            f"Kepler's equation did not converge for M = {float(xf[j])!r}, "
            f"e = {float(ef[j])!r} (last iterate {float(out[j])!r}, residual "
            f"{float(resid[j])!r}; {bad.size} element(s) failed)")
    return _scalar_out(out.reshape(shape))


def true_to_mean_anomaly(nu, e):
    """Mean anomaly of true anomaly ``nu`` (rad) for eccentricity ``e``, any conic.

    Elliptic: ``M = E - e sin E`` keeping the revolution count of ``nu``; parabolic:
    ``M = B + B^3/3``; hyperbolic: ``M = e sinh F - F``. For open orbits ``nu`` must lie
    between the asymptotes (``1 + e cos nu > 0``) or :class:`InputError` is raised.
    """
    return _anomaly("true_to_mean", nu, e)


def mean_to_true_anomaly(M, e):
    """True anomaly (rad) of mean anomaly ``M`` for eccentricity ``e``, any conic.

    Solves Kepler's equation (elliptic or hyperbolic) or Barker's equation (parabolic);
    see the module notes. Elliptic results keep the revolution count of ``M``.

    Examples
    --------
    Curtis Example 3.3 (e = 0.24649, M = 0.62749 rad -> nu = 1.0022 rad):

    >>> round(float(mean_to_true_anomaly(0.62749, 0.24649)), 4)
    1.0022
    """
    return _anomaly("mean_to_true", M, e)


def true_to_eccentric_anomaly(nu, e):
    """Eccentric anomaly ``E`` of true anomaly ``nu`` (ellipse, 0 <= e < 1), rad:
    ``tan(E/2) = sqrt((1-e)/(1+e)) tan(nu/2)``, same revolution as ``nu``."""
    return _anomaly("true_to_eccentric", nu, e)


def eccentric_to_true_anomaly(E, e):
    """True anomaly of eccentric anomaly ``E`` (ellipse), rad, same revolution as ``E``."""
    return _anomaly("eccentric_to_true", E, e)


def true_to_hyperbolic_anomaly(nu, e):
    """Hyperbolic anomaly ``F`` of true anomaly ``nu`` (e > 1):
    ``sinh F = sqrt(e^2 - 1) sin(nu) / (1 + e cos(nu))``."""
    return _anomaly("true_to_hyperbolic", nu, e)


def hyperbolic_to_true_anomaly(F, e):
    """True anomaly (in ``(-pi, pi)``) of hyperbolic anomaly ``F`` (e > 1)."""
    return _anomaly("hyperbolic_to_true", F, e)


def true_to_parabolic_anomaly(nu):
    """Parabolic anomaly ``B = tan(nu/2)`` (Vallado's ``B``; Curtis's ``tan(theta/2)``)."""
    return _anomaly("true_to_parabolic", nu, 1.0)


def parabolic_to_true_anomaly(B):
    """True anomaly ``2 atan(B)`` of parabolic anomaly ``B``."""
    return _anomaly("parabolic_to_true", B, 1.0)


def solve_kepler_elliptic(M, e):
    """Eccentric anomaly ``E`` with ``E - e sin E = M`` (0 <= e < 1), rad."""
    return _anomaly("mean_to_eccentric", M, e)


def solve_kepler_hyperbolic(M, e):
    """Hyperbolic anomaly ``F`` with ``e sinh F - F = M`` (e > 1)."""
    return _anomaly("mean_to_hyperbolic", M, e)


def solve_barker(M):
    """Parabolic anomaly ``B`` with ``B + B^3/3 = M`` (Barker's equation, closed form)."""
    return _anomaly("mean_to_parabolic", M, 1.0)
