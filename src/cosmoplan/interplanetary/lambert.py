"""Lambert's problem: the orbit through two positions in a given time, every solution.

The solver follows D. Izzo, "Revisiting Lambert's problem", *Celestial Mechanics and
Dynamical Astronomy* 121, 1-15 (2015) (referred to below as "Izzo"); the equations are
written here from the paper, with the numerical safeguards listed at the end.

Formulation
-----------
With ``r1 = |r1|``, ``r2 = |r2|``, the chord ``c = |r2 - r1|``, the semi-perimeter
``s = (r1 + r2 + c) / 2`` and the transfer angle ``theta`` (measured in the direction
of motion, in ``[0, 2 pi)``), the problem depends only on (Izzo §2, Eq. 4-7)

* ``lambda = sqrt(r1 r2) cos(theta/2) / s``, so ``lambda^2 = 1 - c/s`` and ``lambda < 0``
  when ``theta > pi`` (written with ``|r1/r1 + r2/r2| = 2 |cos(theta/2)|`` so that it has
  no cancellation near 180 degrees);
* the non-dimensional time of flight ``T = sqrt(2 mu / s^3) tof`` (Eq. 8);
* the revolution count ``M``.

The unknown is ``x`` (Eq. 9-10: ``x^2 = 1 - a_m/a`` with ``a_m = s/2``; ``x < 1``
ellipse, ``x = 1`` parabola, ``x > 1`` hyperbola) with ``y = sqrt(1 - lambda^2 (1 - x^2))``.
The time of flight ``T(x)`` is evaluated

* by the Lancaster-Blanchard form (Eq. 18) ``T (1 - x^2) = (psi + M pi)/sqrt(|1 - x^2|)
  - x + lambda y`` (with ``cos psi = x y + lambda (1 - x^2)`` for ellipses, ``cosh psi``
  for hyperbolas; ``psi`` is computed from its sine, ``sqrt(|1 - x^2|) (y - lambda x)``,
  with ``atan2``/``asinh``, which keeps full precision at ``psi`` near 0 and pi);
* and, where that form cancels (``|S1| < 0.3`` with ``S1 = (1 - lambda - x eta)/2``,
  ``eta = y - lambda x``, i.e. near the parabola ``x = 1`` and for small chords), by
  Battin's hypergeometric series (Eq. 20) ``T = (eta^3 Q + 4 lambda eta)/2 + M pi /
  (1 - x^2)^1.5`` with ``Q = 4/3 2F1(3, 1; 5/2; S1)``, summed to rounding.

Its derivatives are Izzo's Eq. 22 (``(1 - x^2) T' = 3 T x - 2 + 2 lambda^3 x / y`` and the
two that follow) away from the parabola and, in the series region, the derivatives of
Eq. 20 (through ``d eta/dx = -lambda eta / y`` and ``dS1/dx = -eta^2 / (2 y)``).

``T(x) = T*`` is solved by Householder's third-order iteration (Eq. 23-24 of the
paper's §4; Halley's method in the series region) from the paper's initial guesses
(Eq. 30 for ``M = 0``, Eq. 31 for the two ``M > 0`` branches). For ``M > 0`` the
minimum ``T_min`` of ``T(x)`` (the shortest time of flight with ``M`` revolutions) is
found by Halley's method on ``T'(x) = 0`` (§3, Eq. 22), unless ``T* >= T(0)`` proves
that solutions exist. The velocities follow from Eq. 11-13 (radial and tangential
components with ``gamma = sqrt(mu s / 2)``, ``rho = (r1 - r2)/c``,
``sigma = sqrt(1 - rho^2)``).

Solutions and branches
----------------------
For ``M = 0`` there is exactly one solution (``T`` decreases monotonically from
infinity at ``x = -1`` to 0 as ``x -> infinity``): branch ``"single"``. For ``M > 0``
the ellipses have ``-1 < x < 1`` and ``T(x)`` is convex with one minimum at
``x_Tmin``; ``T* > T_min`` gives two solutions:

* ``"low"``: Izzo's *right* branch, ``x_Tmin < x < 1`` (the root his guess ``x0r``
  starts from; ``x > 0`` whenever ``T* >= T(x = 0)``): Der's (2011) "low path";
* ``"high"``: Izzo's *left* branch, ``-1 < x < x_Tmin`` (guess ``x0l``; ``x < 0``
  whenever ``T* >= T(x = 0)``), Der's "high path".

With ``a = a_m / (1 - x^2)``, the larger ``|x|`` has the larger semi-major axis. On the
174,660 two-branch pairs of the oracle set (``tools/oracle_lambert.py``) the ``"low"``
solution always had ``x > 0`` and the larger ``a`` (the longer period: M revolutions plus
a shorter arc), the ``"high"`` one the smaller ``a`` (``x < 0`` in 99 % of them); ``x``
relative to ``x_Tmin`` is the definition. At ``T* = T_min``
(within 4 rounding errors) the two coincide: one solution, labelled ``"low"``.
``T* < T_min`` has no solution (:class:`~cosmoplan.errors.PlanningError` from
:func:`lambert`, status 1 from :func:`lambert_batch`).

Direction of motion and degenerate geometry
-------------------------------------------
``prograde=True`` is motion with a positive angular momentum ``z`` component
(``h_z > 0``, e.g. heliocentric planets in ecliptic or equatorial axes), ``False`` is
``h_z < 0``; so the short way (``theta < pi``) or the long way is chosen by the geometry.
(A transfer plane containing the ``z`` axis, ``h_z = 0`` exactly, counts as prograde when
``h`` is along ``r1 x r2``.) When ``r1 x r2 = 0`` (a 0- or 180-degree transfer; in
practice ``|r1 x r2| < 1e-10 |r1| |r2|``), the transfer plane is undefined: every plane
through ``r1`` contains ``r2``. :func:`lambert` then raises
:class:`~cosmoplan.errors.InputError` unless ``plane_normal`` gives the plane and the
direction of motion (angular momentum along ``plane_normal``); :func:`lambert_batch`
returns status 3. A 0-degree transfer (``r2`` along ``r1``) is refused even with a plane:
a conic meets each direction from its focus at one radius only, so only a rectilinear
orbit joins two different radii (and ``r1 = r2`` has no unique solution).

Numerical safeguards
--------------------
Every iteration keeps a bracket of the root (``T`` is monotonic on each branch) and
bisects when a step leaves it or fails to halve the residual, so it always converges;
the loops are capped (100 iterations) and report "not converged" rather than loop or
return NaN. ``r1 x r2`` is computed with Dekker's exact products, so the transfer plane
is right to rounding even a few degrees from 0 or 180. Cancellation-free forms are used
for ``y - lambda x``, ``y + lambda x``, ``x - lambda y`` and ``sigma``.

Accuracy: on 100,000 random geometries (0-5 revolutions, elliptic to hyperbolic, both
directions; ``tools/oracle_lambert.py``) every one of the 449,320 solutions pykep's C++
Izzo solver finds is found on the same branch, none other, and agrees with pykep's
solution polished in 40-digit arithmetic to 1.7e-12 relative in velocity (median 3e-16);
pykep's own values are off by more than 1e-8 for 205 of them (up to 7.6e-8). Kepler
propagation of ``(r1, v1)`` reaches ``r2`` to 1 mm or 1e-11 of the orbit's size
(tests/test_lambert.py).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numba
import numpy as np

from .._numba import jit
from ..errors import ConvergenceError, InputError, PlanningError

__all__ = ["lambert", "lambert_batch", "LambertSolution", "LAMBERT_STATUS"]

LAMBERT_STATUS = {
    0: "ok",
    1: "no solution for this M",
    2: "not converged",
    3: "degenerate geometry (0 or 180 deg)",
    4: "invalid input",
}
"""Meaning of the status codes of :func:`lambert_batch`."""

_OK = 0
_NO_SOLUTION = 1
_NOT_CONVERGED = 2
_DEGENERATE = 3
_INVALID = 4

_EPS = 2.220446049250313e-16
_PI = math.pi
_MAXIT = 100
_S_SERIES = 0.3  # |S1| below which T(x) is summed by Battin's series (Izzo Eq. 20)
_DEGENERATE_SIN = 1e-10  # |sin(theta)| below which r1 x r2 defines no plane
_TANGENT = 4.0 * _EPS  # relative band around T_min where the two M > 0 branches merge
_XTOL = 1e-13  # converged when a step is below this (x is O(1); quartic convergence)

_jit = jit(error_model="numpy")


# --------------------------------------------------------------------------------------
# Exact products for the transfer plane


@_jit
def _split(a):
    t = 134217729.0 * a  # 2^27 + 1 (Veltkamp)
    hi = t - (t - a)
    return hi, a - hi


@_jit
def _two_prod(a, b):
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


@_jit
def _prod_diff(a, b, c, d):
    """``a b - c d`` to about one rounding of the result (Dekker products, two-sum)."""
    p, ep = _two_prod(a, b)
    q, eq = _two_prod(c, d)
    s = p - q
    bv = s - p
    err = (p - (s - bv)) + (-q - bv)
    return s + (err + (ep - eq))


# --------------------------------------------------------------------------------------
# Time of flight T(x) and its derivatives


@_jit
def _hyp(s):
    """F = 2F1(3, 1; 5/2; s) and dF/ds, d2F/ds2 by their power series (|s| < 0.3)."""
    a = 1.0  # (3)_k / (5/2)_k
    p0 = 1.0  # s^k
    p1 = 0.0  # s^(k-1)
    p2 = 0.0  # s^(k-2)
    f = 0.0
    f1 = 0.0
    f2 = 0.0
    for k in range(200):
        t0 = a * p0
        t1 = k * a * p1
        t2 = k * (k - 1) * a * p2
        f += t0
        f1 += t1
        f2 += t2
        if k > 2 and abs(t2) <= 1e-17 * abs(f2) and abs(t0) <= 1e-17 * f:
            break
        a *= (k + 3.0) / (k + 2.5)
        p2 = p1
        p1 = p0
        p0 *= s
    return f, f1, f2


@_jit
def _x_minus_ly(x, y, lam, oml2):
    """``x - lambda y`` without cancellation when x and lambda have the same sign."""
    if x * lam > 0.0:
        return oml2 * (x * x * (1.0 + lam * lam) - lam * lam) / (x + lam * y)
    return x - lam * y


@_jit
def _tof(x, lam, oml2, m):
    """Non-dimensional time of flight T(x) and dT/dx, d2T/dx2, d3T/dx3 (Izzo Eq. 18-22).

    Returns ``(T, T', T'', T''', series)``; in the series region (``series`` True) the
    third derivative is not computed (0).
    """
    l2 = lam * lam
    omx2 = (1.0 - x) * (1.0 + x)  # 1 - x^2
    y = math.sqrt(oml2 + l2 * x * x)
    lx = lam * x
    eta = oml2 / (y + lx) if lx > 0.0 else y - lx  # y - lambda x
    s1 = 0.5 * (1.0 - lam - x * eta)
    if abs(s1) < _S_SERIES:
        # Battin's series, Izzo Eq. 20, and its derivatives through eta(x), S1(x).
        f, f1, f2 = _hyp(s1)
        q = 4.0 / 3.0 * f
        q1 = 4.0 / 3.0 * f1
        q2 = 4.0 / 3.0 * f2
        e2 = eta * eta
        e3 = e2 * eta
        e5 = e3 * e2
        e7 = e5 * e2
        t = 0.5 * (e3 * q + 4.0 * lam * eta)
        g = 3.0 * lam * e3 * q + 0.5 * e5 * q1 + 4.0 * l2 * eta
        h = 9.0 * l2 * e3 * q + 4.0 * lam * e5 * q1 + 0.25 * e7 * q2 + 4.0 * l2 * lam * eta
        d1 = -g / (2.0 * y)
        d2 = (l2 * x * g / y + h) / (2.0 * y * y)
        if m > 0:
            w = 1.0 / (omx2 * math.sqrt(omx2))  # (1 - x^2)^-1.5
            mp = m * _PI
            t += mp * w
            d1 += 3.0 * mp * x * w / omx2
            d2 += 3.0 * mp * (1.0 + 4.0 * x * x) * w / (omx2 * omx2)
        return t, d1, d2, 0.0, True
    if omx2 > 0.0:
        sq = math.sqrt(omx2)
        psi = math.atan2(sq * eta, x * y + lam * omx2)
        t = ((psi + m * _PI) / sq - _x_minus_ly(x, y, lam, oml2)) / omx2
    else:
        sq = math.sqrt(-omx2)
        psi = math.asinh(sq * eta)
        t = (_x_minus_ly(x, y, lam, oml2) - psi / sq) / (-omx2)
    y2 = y * y
    y3 = y2 * y
    d1 = (3.0 * t * x - 2.0 + 2.0 * l2 * lam * x / y) / omx2
    d2 = (3.0 * t + 5.0 * x * d1 + 2.0 * oml2 * l2 * lam / y3) / omx2
    d3 = (7.0 * x * d2 + 8.0 * d1 - 6.0 * oml2 * l2 * l2 * lam * x / (y3 * y2)) / omx2
    return t, d1, d2, d3, False


# --------------------------------------------------------------------------------------
# Root finding


@_jit
def _mid(lo, hi):
    if hi == math.inf:
        return lo + 1.0 if lo < 1.0 else 2.0 * lo
    return 0.5 * (lo + hi)


@_jit
def _root(tstar, lam, oml2, m, x0, lo, hi, slope):
    """Solve T(x) = tstar in (lo, hi), where T has the sign ``slope`` of derivative.

    Householder (Halley in the series region) inside a bracket, bisecting when a step
    leaves it or fails to halve |T - T*|. Returns ``(x, status, relative residual)``.
    """
    x = x0
    if not (x > lo and x < hi):
        x = _mid(lo, hi)
    fprev = math.inf
    bisect = False
    f = math.inf
    for _ in range(_MAXIT):
        t, d1, d2, d3, series = _tof(x, lam, oml2, m)
        f = t - tstar
        if not math.isfinite(f):
            # at the ends T -> +inf (x -> -1; x -> 1 for M > 0): the root is inside
            if slope < 0.0:
                lo = x
            else:
                hi = x
            x = _mid(lo, hi)
            fprev = math.inf
            continue
        if abs(f) <= 2.0 * _EPS * tstar:
            return x, _OK, abs(f) / tstar
        if f * slope < 0.0:
            lo = x
        else:
            hi = x
        if series:
            den = 2.0 * d1 * d1 - f * d2
            xn = x - 2.0 * f * d1 / den
        else:
            d12 = d1 * d1
            den = d1 * (d12 - f * d2) + d3 * f * f / 6.0
            xn = x - f * (d12 - 0.5 * f * d2) / den
        stepped = not bisect and xn > lo and xn < hi
        if not stepped:
            xn = _mid(lo, hi)
        bisect = abs(f) > 0.5 * fprev
        fprev = abs(f)
        # a small Householder step has converged (quartically: its result is the root to
        # rounding); a bisection only when the bracket itself has collapsed
        if (stepped and abs(xn - x) <= _XTOL * max(1.0, abs(xn))) or \
                hi - lo <= 4.0 * _EPS * max(1.0, abs(xn)):
            return xn, _OK, abs(f) / tstar
        x = xn
    return x, _NOT_CONVERGED, abs(f) / tstar


@_jit
def _tmin(lam, oml2, m):
    """x and T at the minimum of T(x) for M > 0: Halley on T'(x) = 0 in (-1, 1) (Izzo §3).

    Returns ``(x_Tmin, T_min, status)``.
    """
    lo = -1.0
    hi = 1.0
    x = 0.0
    status = _NOT_CONVERGED
    for _ in range(_MAXIT):
        t, d1, d2, d3, series = _tof(x, lam, oml2, m)
        if not math.isfinite(d1):
            x = 0.5 * (lo + hi)
            continue
        if d1 < 0.0:
            lo = x
        else:
            hi = x
        if series or not math.isfinite(d3):
            xn = x - d1 / d2
        else:
            xn = x - 2.0 * d1 * d2 / (2.0 * d2 * d2 - d1 * d3)
        stepped = xn > lo and xn < hi
        if not stepped:
            xn = 0.5 * (lo + hi)
        if (stepped and abs(xn - x) <= _XTOL) or hi - lo <= 4.0 * _EPS:
            x = xn
            status = _OK
            break
        x = xn
    t, _, _, _, _ = _tof(x, lam, oml2, m)
    return x, t, status


@_jit
def _solve_x(tstar, lam, oml2, m, right):
    """The x of the M-revolution solution on one branch.

    Returns ``(x, status, residual, T_min, tangent)``; ``T_min`` is NaN when it was not
    needed (M = 0, or T* >= T(0) so that both branches exist).
    """
    if m == 0:
        t00 = math.atan2(math.sqrt(oml2), lam) + lam * math.sqrt(oml2)  # T(x=0), acos form
        t1 = 2.0 / 3.0 * (1.0 - lam * lam * lam)  # T(x=1), the parabola
        if tstar >= t00:
            x0 = (t00 / tstar) ** (2.0 / 3.0) - 1.0  # Izzo Eq. 30
        elif tstar < t1:
            x0 = 2.5 * t1 * (t1 - tstar) / (tstar * (1.0 - lam ** 5)) + 1.0
        else:
            x0 = 2.0 ** (math.log(tstar / t00) / math.log(t1 / t00)) - 1.0
        if not math.isfinite(x0):
            x0 = 0.0
        x, st, res = _root(tstar, lam, oml2, 0, x0, -1.0, math.inf, -1.0)
        return x, st, res, math.nan, False
    t_at0 = math.atan2(math.sqrt(oml2), lam) + lam * math.sqrt(oml2) + m * _PI
    xm = 0.0
    tmin = math.nan
    if tstar < t_at0:
        xm, tmin, st = _tmin(lam, oml2, m)
        if st != _OK:
            return xm, st, math.nan, tmin, False
        if tstar < tmin * (1.0 - _TANGENT):
            return xm, _NO_SOLUTION, (tmin - tstar) / tstar, tmin, False
        if tstar <= tmin * (1.0 + _TANGENT):
            return xm, _OK, abs(tmin - tstar) / tstar, tmin, True
    if right:  # Izzo Eq. 31, x0r
        q = (8.0 * tstar / (m * _PI)) ** (2.0 / 3.0)
        x, st, res = _root(tstar, lam, oml2, m, (q - 1.0) / (q + 1.0), xm, 1.0, 1.0)
    else:  # x0l
        q = ((m + 1.0) * _PI / (8.0 * tstar)) ** (2.0 / 3.0)
        x, st, res = _root(tstar, lam, oml2, m, (q - 1.0) / (q + 1.0), -1.0, xm, -1.0)
    return x, st, res, tmin, False


# --------------------------------------------------------------------------------------
# One problem in physical units


@_jit
def _solve_one(r1, r2, tof, mu, m, right, mode, pn):
    """Solve one Lambert problem.

    ``mode``: 0 prograde (h_z > 0), 1 retrograde, 2 angular momentum along the unit
    vector ``pn`` (which the caller has checked lies normal to r1 and r2).
    Returns ``(v1x, v1y, v1z, v2x, v2y, v2z, status, residual, tmin_s, tangent)``.
    """
    nan = math.nan
    r1x, r1y, r1z = r1[0], r1[1], r1[2]
    r2x, r2y, r2z = r2[0], r2[1], r2[2]
    r1n = math.sqrt(r1x * r1x + r1y * r1y + r1z * r1z)
    r2n = math.sqrt(r2x * r2x + r2y * r2y + r2z * r2z)
    if not (math.isfinite(r1n) and math.isfinite(r2n) and r1n > 0.0 and r2n > 0.0
            and math.isfinite(tof) and tof > 0.0 and m >= 0):
        return nan, nan, nan, nan, nan, nan, _INVALID, nan, nan, False
    dx, dy, dz = r2x - r1x, r2y - r1y, r2z - r1z
    c = math.sqrt(dx * dx + dy * dy + dz * dz)
    wx = _prod_diff(r1y, r2z, r1z, r2y)
    wy = _prod_diff(r1z, r2x, r1x, r2z)
    wz = _prod_diff(r1x, r2y, r1y, r2x)
    wn = math.sqrt(wx * wx + wy * wy + wz * wz)
    u1x, u1y, u1z = r1x / r1n, r1y / r1n, r1z / r1n
    u2x, u2y, u2z = r2x / r2n, r2y / r2n, r2z / r2n
    if c == 0.0:
        return nan, nan, nan, nan, nan, nan, _DEGENERATE, nan, nan, False
    sgn = 1.0
    if wn / r1n / r2n <= _DEGENERATE_SIN:
        if mode != 2:
            return nan, nan, nan, nan, nan, nan, _DEGENERATE, nan, nan, False
        # the given normal, made exactly perpendicular to r1 (theta = pi; the wrapper
        # refuses theta = 0)
        d = pn[0] * u1x + pn[1] * u1y + pn[2] * u1z
        nx, ny, nz = pn[0] - d * u1x, pn[1] - d * u1y, pn[2] - d * u1z
        nn = math.sqrt(nx * nx + ny * ny + nz * nz)
        nx, ny, nz = nx / nn, ny / nn, nz / nn
    else:
        nx, ny, nz = wx / wn, wy / wn, wz / wn
        if mode == 0:
            flip = nz < 0.0
        elif mode == 1:
            flip = nz >= 0.0
        else:
            flip = nx * pn[0] + ny * pn[1] + nz * pn[2] < 0.0
        if flip:  # motion opposite to r1 x r2: the long way, theta > pi
            nx, ny, nz = -nx, -ny, -nz
            sgn = -1.0
    s = 0.5 * (r1n + r2n + c)
    sx, sy, sz = u1x + u2x, u1y + u2y, u1z + u2z
    lam = sgn * math.sqrt(r1n * r2n) * 0.5 * math.sqrt(sx * sx + sy * sy + sz * sz) / s
    oml2 = c / s  # 1 - lambda^2
    if lam > 1.0:
        lam = 1.0
    elif lam < -1.0:
        lam = -1.0
    scale = math.sqrt(2.0 * mu / (s * s * s))
    tstar = tof * scale
    x, st, res, tmin, tangent = _solve_x(tstar, lam, oml2, m, right)
    tmin_s = tmin / scale
    if st != _OK:
        return nan, nan, nan, nan, nan, nan, st, res, tmin_s, False
    # Velocities, Izzo Eq. 11-13 (radial and tangential components).
    y = math.sqrt(oml2 + lam * lam * x * x)
    lx = lam * x
    ly = lam * y
    ly_minus_x = -_x_minus_ly(x, y, lam, oml2)
    if lx < 0.0:
        eta = y - lx
        y_plus_lx = oml2 / eta
        ly_plus_x = -oml2 * (x * x * (1.0 + lam * lam) - lam * lam) / (ly - x)
    else:
        y_plus_lx = y + lx
        ly_plus_x = ly + x
    gamma = math.sqrt(0.5 * mu * s)
    rho = (r1n - r2n) / c
    ex, ey, ez = u1x - u2x, u1y - u2y, u1z - u2z
    sigma = math.sqrt(r1n * r2n) * math.sqrt(ex * ex + ey * ey + ez * ez) / c
    vr1 = gamma * (ly_minus_x - rho * ly_plus_x) / r1n
    vr2 = -gamma * (ly_minus_x + rho * ly_plus_x) / r2n
    vt = gamma * sigma * y_plus_lx
    vt1 = vt / r1n
    vt2 = vt / r2n
    t1x, t1y, t1z = ny * u1z - nz * u1y, nz * u1x - nx * u1z, nx * u1y - ny * u1x
    t2x, t2y, t2z = ny * u2z - nz * u2y, nz * u2x - nx * u2z, nx * u2y - ny * u2x
    v1x = vr1 * u1x + vt1 * t1x
    v1y = vr1 * u1y + vt1 * t1y
    v1z = vr1 * u1z + vt1 * t1z
    v2x = vr2 * u2x + vt2 * t2x
    v2y = vr2 * u2y + vt2 * t2y
    v2z = vr2 * u2z + vt2 * t2z
    if not (math.isfinite(v1x) and math.isfinite(v1y) and math.isfinite(v1z)
            and math.isfinite(v2x) and math.isfinite(v2y) and math.isfinite(v2z)):
        return nan, nan, nan, nan, nan, nan, _NOT_CONVERGED, res, tmin_s, False
    return v1x, v1y, v1z, v2x, v2y, v2z, _OK, res, tmin_s, tangent


@jit(parallel=True, error_model="numpy")
def _batch_kernel(r1, r2, tof, mu, m, right, mode, v1, v2, status):
    """Solve every row (parallel over rows); NaN rows carry a non-zero status."""
    pn = np.zeros(3)
    for j in numba.prange(tof.size):
        out = _solve_one(r1[j], r2[j], tof[j], mu, m, right, mode, pn)
        v1[j, 0] = out[0]
        v1[j, 1] = out[1]
        v1[j, 2] = out[2]
        v2[j, 0] = out[3]
        v2[j, 1] = out[4]
        v2[j, 2] = out[5]
        status[j] = out[6]


@_jit
def _sin_theta(r1, r2):
    """``|r1 x r2| / (|r1| |r2|)`` as the kernel computes it (exact products)."""
    wx = _prod_diff(r1[1], r2[2], r1[2], r2[1])
    wy = _prod_diff(r1[2], r2[0], r1[0], r2[2])
    wz = _prod_diff(r1[0], r2[1], r1[1], r2[0])
    r1n = math.sqrt(r1[0] * r1[0] + r1[1] * r1[1] + r1[2] * r1[2])
    r2n = math.sqrt(r2[0] * r2[0] + r2[1] * r2[1] + r2[2] * r2[2])
    return math.sqrt(wx * wx + wy * wy + wz * wz) / r1n / r2n


@_jit
def _scalar_kernel(r1, r2, tof, mu, m, right, mode, pn):
    """:func:`_solve_one` for the scalar path (no thread start-up)."""
    return _solve_one(r1, r2, tof, mu, m, right, mode, pn)


# --------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class LambertSolution:
    """One solution of Lambert's problem.

    Attributes
    ----------
    v1 : numpy.ndarray, shape (3,)
        Velocity at ``r1``, km/s.
    v2 : numpy.ndarray, shape (3,)
        Velocity at ``r2``, km/s.
    revolutions : int
        Number of complete revolutions ``M``.
    branch : str
        ``"single"`` for ``M = 0``; for ``M > 0``, ``"low"`` (Izzo's right branch,
        ``x > x_Tmin``; Der's low path) or ``"high"`` (Izzo's left branch,
        ``x < x_Tmin``; Der's high path). See the module notes.
    """

    v1: np.ndarray
    v2: np.ndarray
    revolutions: int
    branch: str


def _vector(a, name):
    try:
        v = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a numeric 3-vector (km); got {a!r}", field=name,
                         value=a) from None
    if v.shape != (3,):
        raise InputError(f"{name} must have shape (3,) (km); got shape {v.shape}",
                         field=name, value=a)
    if not np.all(np.isfinite(v)):
        raise InputError(f"{name} must be finite; got {v.tolist()}", field=name,
                         value=v.tolist())
    return v


def _positive_scalar(a, name, unit):
    if isinstance(a, (bool, np.bool_)):
        raise InputError(f"{name} must be a number ({unit}); got {a!r}", field=name, value=a)
    try:
        v = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number ({unit}); got {a!r}", field=name,
                         value=a) from None
    if v.shape != ():
        raise InputError(f"{name} must be a scalar ({unit}); got shape {v.shape}",
                         field=name, value=a)
    v = float(v)
    if not (math.isfinite(v) and v > 0.0):
        raise InputError(f"{name} must be finite and > 0 ({unit}); got {v!r}", field=name,
                         value=v)
    return v


def _revolutions(revolutions, allow_all):
    if allow_all and isinstance(revolutions, str) and revolutions == "all":
        return "all"
    if isinstance(revolutions, (bool, np.bool_)) or not isinstance(revolutions,
                                                                    numbers.Integral):
        extra = ' or "all"' if allow_all else ""
        raise InputError(f"revolutions must be an integer >= 0{extra}; got {revolutions!r}",
                         field="revolutions", value=revolutions)
    if revolutions < 0:
        raise InputError(f"revolutions must be >= 0; got {revolutions}", field="revolutions",
                         value=revolutions)
    return int(revolutions)


def _bool(a, name):
    if not isinstance(a, (bool, np.bool_)):
        raise InputError(f"{name} must be True or False; got {a!r}", field=name, value=a)
    return bool(a)


def lambert(r1, r2, tof, mu, *, revolutions=0, prograde=True, plane_normal=None):
    """Every solution of one Lambert problem for the requested revolutions (Izzo 2015).

    Parameters
    ----------
    r1, r2 : array_like, shape (3,)
        Initial and final positions, km (any inertial axes; both in the same).
    tof : float
        Time of flight, s (> 0).
    mu : float
        Gravitational parameter of the central body, km^3/s^2 (> 0).
    revolutions : int or "all"
        Number of complete revolutions ``M >= 0``, or ``"all"`` for every solution from
        ``M = 0`` up to the largest ``M`` that exists.
    prograde : bool
        True: motion with ``h_z > 0``; False: ``h_z < 0``. Ignored when ``plane_normal``
        is given.
    plane_normal : array_like, shape (3,), optional
        Direction of the angular momentum. It defines the transfer plane of a
        180-degree transfer (where ``r1 x r2 = 0``) and, in every case, the direction
        of motion. ``r1`` and ``r2`` must lie in the plane (``|r . n| <= 1e-6 |r| |n|``).

    Returns
    -------
    list of LambertSolution
        Ordered by ``M``, then ``"low"`` before ``"high"``: one solution for ``M = 0``;
        two (or one at the tangent ``T = T_min``) for each ``M > 0``.

    Raises
    ------
    InputError
        A bad argument (non-finite, wrong shape, ``tof <= 0``, ``mu <= 0``, ``|r| = 0``,
        ``M < 0``; the message names it), ``r1 = r2``, a 0-degree transfer, or a
        180-degree transfer without ``plane_normal`` (the transfer plane is undefined).
    PlanningError
        No solution with the requested ``M > 0`` revolutions at this time of flight (it
        is shorter than the minimum, which the message gives in seconds).
    ConvergenceError
        The iteration did not converge (never seen in testing; message gives the inputs
        and the residual).

    Examples
    --------
    Curtis, *Orbital Mechanics for Engineering Students*, 3rd ed., Example 5.2:

    >>> sol, = lambert([5000.0, 10000.0, 2100.0], [-14600.0, 2500.0, 7000.0], 3600.0,
    ...                398600.4418)
    >>> np.round(sol.v1, 4).tolist()
    [-5.9925, 1.9254, 3.2456]
    """
    r1 = _vector(r1, "r1")
    r2 = _vector(r2, "r2")
    tof = _positive_scalar(tof, "tof", "s")
    mu = _positive_scalar(mu, "mu", "km^3/s^2")
    revs = _revolutions(revolutions, True)
    prograde = _bool(prograde, "prograde")
    for v, name in ((r1, "r1"), (r2, "r2")):
        if not np.linalg.norm(v) > 0.0:
            raise InputError(f"{name} must not be the zero vector (|{name}| = 0)", field=name,
                             value=v.tolist())
    if np.array_equal(r1, r2):
        raise InputError(f"r1 and r2 are the same point {r1.tolist()} km: the transfer is "
                         "undefined", field="r2", value=r2.tolist())
    pn = np.zeros(3)
    mode = 0 if prograde else 1
    n1, n2 = np.linalg.norm(r1), np.linalg.norm(r2)
    sin_theta = _sin_theta(r1, r2)
    degenerate = sin_theta <= _DEGENERATE_SIN
    if plane_normal is not None:
        pn = _vector(plane_normal, "plane_normal")
        nn = np.linalg.norm(pn)
        if not nn > 0.0:
            raise InputError("plane_normal must not be the zero vector", field="plane_normal",
                             value=pn.tolist())
        pn = pn / nn
        for v, n, name in ((r1, n1, "r1"), (r2, n2, "r2")):
            if abs(v @ pn) > 1e-6 * n:
                raise InputError(f"plane_normal {pn.tolist()} is not normal to {name} "
                                 f"(cos = {v @ pn / n:.3e}); it must be perpendicular to both "
                                 "positions", field="plane_normal", value=pn.tolist())
        mode = 2
    elif degenerate and r1 @ r2 < 0:
        raise InputError(f"r1 and r2 are opposite (a 180-degree transfer, |sin(theta)| = "
                         f"{sin_theta:.1e}): the transfer plane is undefined; give "
                         "plane_normal (the direction of the angular momentum) to choose it",
                         field="r2", value=r2.tolist())
    if degenerate and r1 @ r2 > 0:
        raise InputError(f"r2 lies along r1 (a 0-degree transfer, |sin(theta)| = "
                         f"{sin_theta:.1e}): a conic meets each direction from the focus at "
                         "one radius only, so only a rectilinear (radial) orbit joins them",
                         field="r2", value=r2.tolist())

    def solve(m, right):
        out = _scalar_kernel(r1, r2, tof, mu, m, right, mode, pn)
        st = int(out[6])
        if st == _OK:
            return LambertSolution(np.array(out[0:3]), np.array(out[3:6]), m,
                                   "single" if m == 0 else ("low" if right else "high")), \
                bool(out[9]), out[8]
        if st == _NO_SOLUTION:
            return None, False, out[8]
        where = (f"r1 = {r1.tolist()} km, r2 = {r2.tolist()} km, tof = {tof!r} s, "
                 f"mu = {mu!r}, M = {m}, branch = {'low' if right else 'high'}")
        if st == _NOT_CONVERGED:
            raise ConvergenceError(f"Lambert iteration did not converge in {_MAXIT} steps for "
                                   f"{where} (relative residual in T: {out[7]:.3e})")
        raise InputError(f"invalid Lambert problem ({LAMBERT_STATUS.get(st, st)}): {where}",
                         field="r1", value=r1.tolist())

    if revs == "all":
        out = [solve(0, True)[0]]
        s = 0.5 * (n1 + n2 + np.linalg.norm(r2 - r1))
        tnd = tof * math.sqrt(2.0 * mu / s**3)
        for m in range(1, int(tnd / math.pi) + 1):
            low, tangent, _ = solve(m, True)
            if low is None:
                break
            out.append(low)
            if not tangent:
                out.append(solve(m, False)[0])
        return out
    if revs == 0:
        return [solve(0, True)[0]]
    low, tangent, tmin_s = solve(revs, True)
    if low is None:
        raise PlanningError(f"no solution for {revs} revolutions at this time of flight "
                            f"(minimum time of flight for {revs} revs: {tmin_s:.6g} s; "
                            f"tof = {tof:.6g} s)")
    if tangent:
        return [low]
    return [low, solve(revs, False)[0]]


def lambert_batch(r1, r2, tof, mu, *, revolutions=0, prograde=True, branch="low"):
    """Solve N Lambert problems for one revolution count and branch, in one compiled loop.

    The loop runs in parallel over numba's threads (``numba.set_num_threads`` limits
    them): on 2 cores about 4 million single-revolution solves per second, 2.5 million
    on one thread (``benchmarks/bench_lambert.py``).

    Parameters
    ----------
    r1, r2 : array_like, shape (N, 3) or (3,)
        Initial and final positions, km (a (3,) row is broadcast against the others).
    tof : float or array_like, shape (N,)
        Times of flight, s.
    mu : float
        Gravitational parameter, km^3/s^2 (> 0).
    revolutions : int
        ``M >= 0``.
    prograde : bool
        True: ``h_z > 0``; False: ``h_z < 0``.
    branch : {"low", "high"}
        Which ``M > 0`` branch (see the module notes); ignored for ``M = 0``.

    Returns
    -------
    v1, v2 : ndarray, shape (N, 3)
        Velocities at ``r1`` and ``r2``, km/s.
    status : ndarray of int8, shape (N,)
        Per row, a key of :data:`LAMBERT_STATUS`: 0 ok, 1 no solution for this ``M``,
        2 not converged, 3 degenerate geometry (0 or 180 degrees, or ``r1 = r2``),
        4 invalid input (a non-finite value, ``|r| = 0``, ``tof <= 0``). Rows with a
        non-zero status hold NaN in ``v1`` and ``v2``: use ``status == 0`` as the mask.

    Raises
    ------
    InputError
        Arguments that are wrong as a whole (shapes, ``mu``, ``revolutions``, ``branch``,
        ``prograde``); the message names the argument. Bad rows get a status instead.
    """
    arrs = {}
    for a, name in ((r1, "r1"), (r2, "r2"), (tof, "tof")):
        try:
            arrs[name] = np.asarray(a, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be numeric; got {a!r}", field=name,
                             value=a) from None
    for name in ("r1", "r2"):
        a = arrs[name]
        if a.ndim not in (1, 2) or a.shape[-1] != 3:
            raise InputError(f"{name} must have shape (N, 3) or (3,) (km); got shape "
                             f"{a.shape}", field=name, value=a.shape)
    t = arrs["tof"]
    if t.ndim > 1:
        raise InputError(f"tof must be a scalar or have shape (N,) (s); got shape {t.shape}",
                         field="tof", value=t.shape)
    try:
        n = np.broadcast_shapes(arrs["r1"].shape[:-1], arrs["r2"].shape[:-1], t.shape)
    except ValueError:
        raise InputError(f"shapes do not broadcast: r1 {arrs['r1'].shape}, r2 "
                         f"{arrs['r2'].shape}, tof {t.shape}", field="tof",
                         value=t.shape) from None
    n = n[0] if n else 1
    mu = _positive_scalar(mu, "mu", "km^3/s^2")
    m = _revolutions(revolutions, False)
    prograde = _bool(prograde, "prograde")
    if branch not in ("low", "high"):
        raise InputError(f'branch must be "low" or "high"; got {branch!r}', field="branch",
                         value=branch)
    r1a = np.ascontiguousarray(np.broadcast_to(arrs["r1"], (n, 3)), dtype=np.float64)
    r2a = np.ascontiguousarray(np.broadcast_to(arrs["r2"], (n, 3)), dtype=np.float64)
    ta = np.ascontiguousarray(np.broadcast_to(t, (n,)), dtype=np.float64)
    v1 = np.empty((n, 3))
    v2 = np.empty((n, 3))
    status = np.empty(n, dtype=np.int8)
    _batch_kernel(r1a, r2a, ta, mu, m, branch == "low", 0 if prograde else 1, v1, v2, status)
    return v1, v2, status
