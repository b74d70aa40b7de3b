"""Short-term encounter probability of collision (Pc) in the two-dimensional encounter plane.

Model
-----
Two objects meet at the time of closest approach (TCA) with a high relative speed, so
that during the encounter their relative motion is a straight line and their position
uncertainties do not change. Each object is enclosed in a sphere; the combined hard-body
radius is ``R = R1 + R2``. The position errors are Gaussian, zero-mean and uncorrelated
between the two objects (so the covariance of the relative position is the sum of the
two), and the velocities are taken as exact. The probability that the relative position
ever comes within ``R`` is then the integral of the combined position density, projected
onto the plane perpendicular to the relative velocity (the *encounter plane*), over the
disk of radius ``R`` around the miss vector (Foster & Estes 1992; Chan 2008, ch. 2
"Spacecraft Encounters" and ch. 5 "Analytical Expressions for Short-Term Encounters";
Alfano 2005, "Introduction"):

    Pc = 1 / (2 pi sx sy) * integral over (x - xm)^2 + (y - ym)^2 <= R^2 of
         exp(-(x^2 / sx^2 + y^2 / sy^2) / 2) dx dy

with ``(x, y)`` the principal axes of the projected covariance (standard deviations
``sx``, ``sy``) and ``(xm, ym)`` the miss vector in those axes. All five numbers are in
one length unit (any); the result is dimensionless. The model is not valid for slow
encounters (formation flying, GEO co-location: Chan 2008 ch. 8 "Long-Term Encounters"),
where the straight-line assumption fails.

Encounter plane (:func:`encounter_plane`)
-----------------------------------------
From inertial states at TCA (``r1, v1`` the primary, ``r2, v2`` the secondary; km, km/s,
any common inertial frame) and 3x3 position covariances (km^2, each in its own object's
RTN frame as a CDM gives them, or in the inertial frame):

* relative state of the secondary with respect to the primary: ``r = r2 - r1``,
  ``v = v2 - v1`` (the CDM's RELATIVE_POSITION / RELATIVE_VELOCITY convention);
* combined covariance ``C = C1 + C2`` in the inertial frame, where an RTN covariance is
  rotated with ``C_inertial = M^T C_rtn M`` and ``M`` the RTN rows of that object's own
  state (:func:`cosmoplan.frames.rsw_matrix`: R radial, T along-track, N along the
  angular momentum);
* encounter frame (right-handed): ``z`` along the relative velocity ``v``; ``x`` along
  ``r_perp = r - (r.z) z``, the part of the relative position in the plane (the miss
  vector; ``r_perp = r`` exactly at TCA); ``y = z cross x``. When ``r_perp = 0`` (a
  direct hit in the linear model) ``x`` is the primary's radial direction made
  perpendicular to ``z`` (or, if that too is along ``z``, the inertial axis least
  aligned with ``z``);
* the plane quantities: miss vector ``(|r_perp|, 0)`` and covariance ``B C B^T`` with
  ``B`` the rows ``x, y``;
* principal axes: the eigenvectors of the 2x2 covariance, ordered so that
  ``sigma_x <= sigma_y`` (``x_p`` along the minor axis, the ordering of the published
  cases in ``refdata/vectors/pc_2d.json``), ``y_p = z cross x_p``, and ``x_p`` turned
  so that its component along ``x`` is not negative; ``xm``, ``ym`` are the miss
  vector's components on ``x_p``, ``y_p`` (so ``xm >= 0``).

``Pc`` does not depend on these choices within the plane (it is invariant under
rotations and reflections of the plane); they only fix the reported numbers.

Methods
-------
All take ``(xm, ym, sigma_x, sigma_y, radius)``, broadcast like NumPy, and run in
parallel compiled loops (numba). Accuracy below is relative to the exact integral.

==============  ===============================================================  ==========
method          formulation and numerical scheme                                 accuracy
==============  ===============================================================  ==========
``foster``      Foster & Estes (1992): the 2-D integral itself, in polar         rtol (1e-9
                coordinates about the disk centre, adaptive Gauss-Kronrod        default)
                (7/15) in angle and, along each ray, in radius (with break
                points at the ray's closest approach to the density centre)
``patera``      Patera (2001): the 2-D integral as a 1-D contour integral        rtol (1e-9
                around the disk after scaling the density to a circular one;     default)
                parameterized by the angle around the disk as in Patera
                (2005); adaptive Gauss-Kronrod (7/15)
``alfano``      Alfano (2005): the y integral in closed form (erf), the          < 1e-10 in
                remaining 1-D integral over the disk's width; 16-point           the tested
                Gauss-Legendre panels in ``t`` with ``x = xm + R cos t``         regimes
``chan``        Chan (1997; 2008 ch. 5): the ellipse replaced by the disk of     approximate
                equal Mahalanobis area, a Rician (non-central chi-square, 2      (see
                degrees of freedom) distribution (scipy.stats.ncx2); exact for   below)
                ``sigma_x = sigma_y``
==============  ===============================================================  ==========

Where each one loses accuracy:

* ``foster`` is the reference: its error estimate is checked at every level and a case
  it cannot bring under ``rtol`` within its interval budget raises
  :class:`~cosmoplan.errors.ConvergenceError` instead of returning a number. It is the
  slowest (about 1e3 to 1e5 density evaluations per Pc). Measured exception: a density
  1e8 times longer than wide with the disk across its centre (``sigma_x = 1e-8``,
  ``sigma_y = 1``, ``R = 10``) comes back as converged with a 9e-9 relative error (4e-11
  at a ratio of 1e6).
* ``chan`` aside, all four agree to 1e-9 (Foster, Patera) and 1e-10 (Alfano) relative on
  random encounters with axis ratios up to 1e3 (``tests/test_screening.py``).
* ``patera``: the contour integrand is bounded everywhere (the form ``1 - exp`` is used
  when the density centre is inside or within one sigma of the disk, ``exp(-d^2) -
  exp(-d_min^2)`` otherwise), so the classic failure of the line integral when the
  density centre sits on the contour, and its cancellation far from the disk, do not
  occur; a very elongated density (``sigma_y / sigma_x`` above ~1e6) makes the scaled
  contour a sliver whose features may fall below the quadrature's resolution: then
  :class:`~cosmoplan.errors.ConvergenceError`. Alfano's case 5 (``sigma_y / sigma_x =
  4760``), which Orekit's Patera2005 leaves out as unstable, converges here.
* ``alfano``: a fixed rule, with no error estimate: its panels are placed from the
  geometry (break points where the integrand changes fastest, graded around them), not
  refined on an error estimate. Measured relative errors for a disk across the centre of
  a needle-like density: 4e-10 at ``R / sigma_min = 1e7``, 5e-8 at 1e9; compare with
  ``foster`` there. The difference of the two normal probabilities is formed from
  ``erfc`` on the tail side: the plain ``erf(a) - erf(b)`` of the paper has no correct
  digit once both arguments exceed ~6 (e.g. CDM case 2: 2.1652e-20 instead of
  2.2796e-20, as Orekit's Alfano2005 asserts). Relative round-off grows like
  ``1e-16 |m| / R`` for a small disk far from the density centre.
* ``chan``: exact only for a circular covariance; otherwise an approximation whose error
  grows with the ellipse's elongation relative to the disk and the miss distance
  (1e-3 relative for Chan's own cases, 2e-2 for CSM case 2, and useless -- 0 instead of
  0.0445 -- for Alfano's case 5, where the disk is 270 minor-axis sigmas wide). Use it
  for fast screening only.

References
----------
* Foster, J. L., Estes, H. S., "A Parametric Analysis of Orbital Debris Collision
  Probability and Maneuver Rate for Space Vehicles", NASA JSC-25898 (1992).
* Patera, R. P., "General Method for Calculating Satellite Collision Probability",
  J. Guidance, Control, and Dynamics 24(4), 716-722 (2001).
* Patera, R. P., "Calculating Collision Probability for Arbitrary Space Vehicle Shapes
  via Numerical Quadrature", J. Guidance, Control, and Dynamics 28(6), 1326-1328 (2005).
* Alfano, S., "A Numerical Implementation of Spherical Object Collision Probability",
  J. Astronautical Sciences 53(1), 103-109 (2005).
* Alfano, S., Advances in the Astronautical Sciences 120 (2005), as the method is also
  cited (that volume was not checked here).
* CCSDS 508.0-B-1, *Conjunction Data Message*, Blue Book (2013): the CDM's states (km,
  km/s), RTN covariances (m**2) and COLLISION_PROBABILITY(_METHOD), read by
  :meth:`cosmoplan.ccsds.CDM.probability_of_collision`.
* Chan, F. K., *Spacecraft Collision Probability*, The Aerospace Press (2008).
* Piessens, R. et al., *QUADPACK* (Springer, 1983): the Gauss-Kronrod (7, 15) rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ._numba import jit
from .errors import ConvergenceError, InputError
from .frames import rsw_matrix

__all__ = [
    "PC_METHODS",
    "EncounterPlane",
    "PcResult",
    "encounter_plane",
    "pc_foster",
    "pc_patera",
    "pc_alfano",
    "pc_chan",
    "pc_2d",
    "pc_from_states",
]

_jit = jit(error_model="numpy")

# ------------------------------------------------------------------ quadrature rules
# Gauss-Kronrod (7, 15) on [-1, 1] (QUADPACK qk15): Kronrod abscissae from the end inwards
# (odd indices are the 7-point Gauss abscissae), Kronrod weights, Gauss weights.
_XGK = np.array([
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000,
])
_WGK = np.array([
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
])
_WG = np.array([
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
])
# 16-point Gauss-Legendre on [-1, 1] (for the fixed Alfano rule).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)

_EPS = 2.220446049250313e-16
_SQRT2 = math.sqrt(2.0)
_TWO_PI = 2.0 * math.pi

# status codes of the adaptive kernels
_OK = 0
_BUDGET = 1  # interval budget exhausted before the error estimate met the tolerance
_ROUNDOFF = 2  # an interval could not be split any further

_LEAF_MAX = 400  # intervals per 1-D adaptive integral (each ray; Patera's contour)
_THETA_MAX = 2000  # intervals of Foster's angular integral
_BRK_MAX = 256  # break points of an initial partition
_TINY = 1e-280  # absolute floor of the error tests: values below it are irrelevant to Pc

_K_RAY = 0  # integrand kinds of the 1-D adaptive driver
_K_PATERA = 1


@_jit
def _leaf_f(kind, x, p):
    """Integrand of the 1-D adaptive driver at ``x`` (parameters ``p``)."""
    if kind == _K_RAY:
        # Foster, along a ray of direction (p0, p1) from the disk centre (p2, p3):
        # r * exp(-q/2), q = (xm + r c)^2 / sx^2 + (ym + r s)^2 / sy^2.
        gx = p[2] + x * p[0]
        gy = p[3] + x * p[1]
        return x * math.exp(-0.5 * (gx * gx * p[4] + gy * gy * p[5]))
    # Patera: expm1(-(|P|^2 - rho_ref^2) / (2 s^2)) * dtheta/dphi, P on the scaled contour.
    xm, ym, k, rad, inv2s2, rho2, phi0 = p[0], p[1], p[2], p[3], p[4], p[5], p[6]
    c = math.cos(x)
    s = math.sin(x)
    px = xm + rad * c
    py = k * (ym + rad * s)
    pp = px * px + py * py
    cross = k * rad * (rad + xm * c + ym * s)  # P x dP/dphi
    if rho2 == 0.0:
        arg = pp * inv2s2
        if arg < 1e-8:
            # expm1(-arg) / pp -> -inv2s2 (1 - arg/2) as pp -> 0 (contour through the centre)
            return -inv2s2 * (1.0 - 0.5 * arg) * cross
        return math.expm1(-arg) / pp * cross
    # |P(phi)|^2 - |P(phi0)|^2 from half-angle products: no cancellation near phi0
    sh = math.sin(0.5 * (x - phi0))
    sm = math.sin(0.5 * (x + phi0))
    cm = math.cos(0.5 * (x + phi0))
    k2 = k * k
    diff = (4.0 * rad * sh * (k2 * ym * cm - xm * sm)
            + (k2 - 1.0) * rad * rad * math.sin(x + phi0) * 2.0 * sh * math.cos(0.5 * (x - phi0)))
    return math.expm1(-diff * inv2s2) / pp * cross


@_jit
def _gk_sum(fc, f1, f2, h):
    """Kronrod value, error estimate and the Kronrod integral of |f| from node values.

    ``fc`` is the centre value, ``f1[j]``/``f2[j]`` the values at centre -/+ h XGK[j].
    The error estimate is QUADPACK's for this rule (Piessens et al. 1983, §2.2.3):
    ``resasc min(1, (200 |K - G| / resasc)^1.5)`` with ``resasc`` the rule applied to
    ``|f - mean|``; it is much closer to the true error of the Kronrod value than
    ``|K - G|`` (the error of the Gauss value), and never below 50 eps ``resabs``.
    """
    resk = fc * _WGK[7]
    resg = fc * _WG[3]
    resabs = abs(fc) * _WGK[7]
    for j in range(7):
        s = f1[j] + f2[j]
        resk += _WGK[j] * s
        resabs += _WGK[j] * (abs(f1[j]) + abs(f2[j]))
        if j % 2 == 1:
            resg += _WG[j // 2] * s
    mean = 0.5 * resk
    resasc = _WGK[7] * abs(fc - mean)
    for j in range(7):
        resasc += _WGK[j] * (abs(f1[j] - mean) + abs(f2[j] - mean))
    ah = abs(h)
    resasc *= ah
    err = abs((resk - resg) * h)
    if resasc != 0.0 and err != 0.0:
        err = resasc * min(1.0, (200.0 * err / resasc) ** 1.5)
    resabs *= ah
    if resabs > 1e-300 / (50.0 * _EPS):
        err = max(err, 50.0 * _EPS * resabs)
    return resk * h, err, resabs


@_jit
def _totals(wr, we, wabs, n):
    """Sums of the first ``n`` panel integrals, error estimates and |integrals|."""
    tot = 0.0
    err = 0.0
    tabs = 0.0
    for i in range(n):
        tot += wr[i]
        err += we[i]
        tabs += wabs[i]
    return tot, err, tabs


@_jit
def _gk15_leaf(kind, a, b, p, f1, f2):
    c = 0.5 * (a + b)
    h = 0.5 * (b - a)
    fc = _leaf_f(kind, c, p)
    for j in range(7):
        f1[j] = _leaf_f(kind, c - h * _XGK[j], p)
        f2[j] = _leaf_f(kind, c + h * _XGK[j], p)
    return _gk_sum(fc, f1, f2, h)


@_jit
def _pick(we, n):
    j = 0
    emax = we[0]
    for i in range(1, n):
        if we[i] > emax:
            emax = we[i]
            j = i
    return j


@_jit
def _adapt_leaf(kind, p, brk, nbrk, rtol, work):
    """Adaptive (7, 15) Gauss-Kronrod integral of ``_leaf_f(kind, ., p)``.

    Starts from the intervals between the sorted break points ``brk[:nbrk]`` and bisects
    the interval with the largest error estimate until the summed estimate is at most
    ``rtol |I|`` (or 100 eps times the integral of ``|f|``, the round-off floor).
    ``work`` is a (7, _LEAF_MAX) scratch array. Returns (value, error, status).
    """
    wa, wb, wr, we, wabs = work[0], work[1], work[2], work[3], work[4]
    f1, f2 = work[5], work[6]
    n = 0
    for i in range(nbrk - 1):
        a = brk[i]
        b = brk[i + 1]
        if b > a:
            r, e, ab = _gk15_leaf(kind, a, b, p, f1, f2)
            wa[n], wb[n], wr[n], we[n], wabs[n] = a, b, r, e, ab
            n += 1
    status = _OK
    while True:
        tot, err, tabs = _totals(wr, we, wabs, n)
        if err <= max(rtol * abs(tot), 100.0 * _EPS * tabs, _TINY):
            break
        if n >= _LEAF_MAX:
            status = _BUDGET
            break
        j = _pick(we, n)
        a = wa[j]
        b = wb[j]
        m = 0.5 * (a + b)
        if not (a < m < b):
            status = _ROUNDOFF
            break
        r1, e1, ab1 = _gk15_leaf(kind, a, m, p, f1, f2)
        r2, e2, ab2 = _gk15_leaf(kind, m, b, p, f1, f2)
        wb[j], wr[j], we[j], wabs[j] = m, r1, e1, ab1
        wa[n], wb[n], wr[n], we[n], wabs[n] = m, b, r2, e2, ab2
        n += 1
    return tot, err, status


@_jit
def _sort_small(x, n):
    """Sort x[:n] in place (insertion sort: the break-point lists are short)."""
    for i in range(1, n):
        v = x[i]
        j = i - 1
        while j >= 0 and x[j] > v:
            x[j + 1] = x[j]
            j -= 1
        x[j + 1] = v


@_jit
def _graded(brk, nb, centre, w, lo, hi, ratio=4.0):
    """Append break points centre +- w ratio^j inside (lo, hi); return the new count."""
    if w <= 0.0 or not math.isfinite(w):
        return nb
    reach = max(abs(centre - lo), abs(centre - hi))
    step = w
    while step < reach and nb < _BRK_MAX - 2:
        for x in (centre - step, centre + step):
            if lo < x < hi:
                brk[nb] = x
                nb += 1
        step *= ratio
    return nb


@_jit
def _stat_g(phi, a, b, c):
    """Derivative (scaled) of the Mahalanobis distance along the circle, at angle phi."""
    sn = math.sin(phi)
    cs = math.cos(phi)
    return -a * sn + b * cs + c * sn * cs


_N_STAT = 128


@_jit
def _circle_stationary(xm, ym, sx, sy, rad, out):
    """Angles on the disk's boundary where q = x^2/sx^2 + y^2/sy^2 is stationary.

    With ``(x, y) = (xm + R cos phi, ym + R sin phi)``, ``dq/dphi`` is proportional to
    ``g = -(xm/R)(sy/sx) sin + (ym/R)(sx/sy) cos + (sx/sy - sy/sx) sin cos``: its zeros
    (at most four: where the boundary touches a level ellipse of the density) are
    bracketed on a 128-point grid and bisected; a near-double zero (a boundary almost
    tangent to a level ellipse, no sign change on the grid) is located as a minimum of
    ``|g|`` by golden-section search. These are where the integrands of the Foster and
    Patera methods change fastest. Writes them to ``out``; returns their count (<= 8).
    """
    a = xm / rad * (sy / sx)
    b = ym / rad * (sx / sy)
    c = sx / sy - sy / sx
    h = _TWO_PI / _N_STAT
    n = 0
    g0 = _stat_g(0.0, a, b, c)
    gprev = _stat_g(-h, a, b, c)
    gcur = g0
    for i in range(_N_STAT):
        lo = i * h
        hi = lo + h
        gnext = _stat_g(hi, a, b, c) if i < _N_STAT - 1 else g0
        if gcur == 0.0:
            if n < 8:
                out[n] = lo
                n += 1
        elif gcur * gnext < 0.0:
            glo = gcur
            x0 = lo
            x1 = hi
            for _ in range(60):
                xmid = 0.5 * (x0 + x1)
                gm = _stat_g(xmid, a, b, c)
                if gm * glo <= 0.0:
                    x1 = xmid
                else:
                    x0 = xmid
                    glo = gm
            if n < 8:
                out[n] = 0.5 * (x0 + x1)
                n += 1
        elif abs(gcur) <= abs(gprev) and abs(gcur) < abs(gnext) and gprev * gcur > 0.0 \
                and gcur * gnext > 0.0:
            # local minimum of |g| without a sign change: golden section on [lo-h, lo+h]
            x0 = lo - h
            x1 = lo + h
            r = 0.6180339887498949
            for _ in range(50):
                xa = x1 - r * (x1 - x0)
                xb = x0 + r * (x1 - x0)
                if abs(_stat_g(xa, a, b, c)) < abs(_stat_g(xb, a, b, c)):
                    x1 = xb
                else:
                    x0 = xa
            if n < 8:
                out[n] = 0.5 * (x0 + x1)
                n += 1
        gprev = gcur
        gcur = gnext
    return n


@_jit
def _add_features(brk, nb, centres, ncent, w, lo, hi):
    """Break points at each feature centre (taken modulo 2 pi into [lo, lo + 2 pi)) and
    geometrically graded around it (w, 4w, 16w, ...), inside [lo, hi]."""
    for i in range(ncent):
        cst = lo + ((centres[i] - lo) % _TWO_PI)
        if lo < cst < hi and nb < _BRK_MAX:
            brk[nb] = cst
            nb += 1
        nb = _graded(brk, nb, cst, w, lo, hi)
        nb = _graded(brk, nb, cst - _TWO_PI, w, lo, hi)  # its image below lo
        nb = _graded(brk, nb, cst + _TWO_PI, w, lo, hi)  # and above hi
    return nb


# ------------------------------------------------------------------ Foster (2-D)
@_jit
def _foster_ray(theta, q, rtol, work, brk):
    """Integral over r in [0, R] along the ray at angle theta from the disk centre."""
    c = math.cos(theta)
    s = math.sin(theta)
    xm, ym, ix2, iy2, rad = q[0], q[1], q[2], q[3], q[4]
    p = q[5:11]
    p[0], p[1], p[2], p[3], p[4], p[5] = c, s, xm, ym, ix2, iy2
    # exponent along the ray: (a r^2 + 2 b r + const) / 2
    a = c * c * ix2 + s * s * iy2
    b = xm * c * ix2 + ym * s * iy2
    rstar = -b / a
    brk[0] = 0.0
    brk[1] = rad
    nb = 2
    if 0.0 < rstar < rad:
        brk[nb] = rstar
        nb += 1
    # the ray's Gaussian: width 1/sqrt(a) about r*; beyond 16 widths it is below e^-128
    w = 1.0 / math.sqrt(a)
    nb = _graded(brk, nb, rstar, w, max(0.0, rstar - 20.0 * w), min(rad, rstar + 20.0 * w))
    for x in (rstar - 20.0 * w, rstar + 20.0 * w):
        if 0.0 < x < rad:
            brk[nb] = x
            nb += 1
    _sort_small(brk, nb)
    val, err, st = _adapt_leaf(_K_RAY, p, brk, nb, rtol, work)
    return val, st


@_jit
def _gk15_theta(a, b, q, rtol, work, brk, f1, f2):
    c = 0.5 * (a + b)
    h = 0.5 * (b - a)
    worst = _OK
    fc, st = _foster_ray(c, q, rtol, work, brk)
    worst = max(worst, st)
    for j in range(7):
        v, st = _foster_ray(c - h * _XGK[j], q, rtol, work, brk)
        f1[j] = v
        worst = max(worst, st)
        v, st = _foster_ray(c + h * _XGK[j], q, rtol, work, brk)
        f2[j] = v
        worst = max(worst, st)
    r, e, ab = _gk_sum(fc, f1, f2, h)
    return r, e, ab, worst


@_jit
def _foster_one(xm, ym, sx, sy, rad, rtol, work, twork, brk, tbrk):
    """Foster's 2-D integral for one encounter: (Pc, status)."""
    q = np.empty(11)
    q[0], q[1], q[2], q[3], q[4] = xm, ym, 1.0 / (sx * sx), 1.0 / (sy * sy), rad
    rin = 0.1 * rtol  # each ray ten times tighter than the whole
    d = math.hypot(xm, ym)
    theta0 = math.atan2(-ym, -xm) if d > 0.0 else 0.0
    nb = 0
    for i in range(9):  # eight equal sectors starting at the direction of the density centre
        tbrk[nb] = theta0 + _TWO_PI * i / 8.0
        nb += 1
    smin = min(sx, sy)
    if d > smin:  # rays through a density peak far from the centre: refine towards it
        nb = _graded(tbrk, nb, theta0, smin / d, theta0, theta0 + _TWO_PI)
        nb = _graded(tbrk, nb, theta0 + _TWO_PI, smin / d, theta0, theta0 + _TWO_PI)
    if rad > 0.5 * smin:  # where the boundary is tangent to the density's level ellipses
        stat = np.empty(8)
        ns = _circle_stationary(xm, ym, sx, sy, rad, stat)
        nb = _add_features(tbrk, nb, stat, ns, smin / rad, theta0, theta0 + _TWO_PI)
    _sort_small(tbrk, nb)
    bs = tbrk
    wa, wb, wr, we, wabs = twork[0], twork[1], twork[2], twork[3], twork[4]
    f1, f2 = twork[5], twork[6]
    n = 0
    status = _OK
    for i in range(nb - 1):
        a = bs[i]
        b = bs[i + 1]
        if b > a:
            r, e, ab, st = _gk15_theta(a, b, q, rin, work, brk, f1, f2)
            status = max(status, st)
            wa[n], wb[n], wr[n], we[n], wabs[n] = a, b, r, e, ab
            n += 1
    while True:
        tot, err, tabs = _totals(wr, we, wabs, n)
        if err <= max(rtol * abs(tot), 100.0 * _EPS * tabs, _TINY):
            break
        if n >= _THETA_MAX:
            status = max(status, _BUDGET)
            break
        j = _pick(we, n)
        a = wa[j]
        b = wb[j]
        m = 0.5 * (a + b)
        if not (a < m < b):
            status = max(status, _ROUNDOFF)
            break
        r1, e1, ab1, st1 = _gk15_theta(a, m, q, rin, work, brk, f1, f2)
        r2, e2, ab2, st2 = _gk15_theta(m, b, q, rin, work, brk, f1, f2)
        status = max(status, st1, st2)
        wb[j], wr[j], we[j], wabs[j] = m, r1, e1, ab1
        wa[n], wb[n], wr[n], we[n], wabs[n] = m, b, r2, e2, ab2
        n += 1
    return min(1.0, tot / (_TWO_PI * sx * sy)), status


@jit(parallel=True, error_model="numpy")
def _foster_kernel(xm, ym, sx, sy, rad, rtol, out, status):
    n = xm.size
    chunk = 64
    for c in numba.prange((n + chunk - 1) // chunk):
        work = np.empty((7, _LEAF_MAX))
        twork = np.empty((7, _THETA_MAX))
        brk = np.empty(_BRK_MAX)
        tbrk = np.empty(_BRK_MAX)
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            out[i], status[i] = _foster_one(xm[i], ym[i], sx[i], sy[i], rad[i], rtol,
                                            work, twork, brk, tbrk)


# ------------------------------------------------------------------ Patera (contour)
@_jit
def _patera_one(xm, ym, sx, sy, rad, rtol, work, brk):
    """Patera's contour integral for one encounter: (Pc, status)."""
    if sx > sy:  # reflect x <-> y so that the scaled axis is the one with the larger sigma
        xm, ym, sx, sy = ym, xm, sy, sx
    k = sx / sy
    s = sx
    inv2s2 = 0.5 / (s * s)
    inside = xm * xm + ym * ym < rad * rad
    # nearest point of the scaled contour P(phi) = (xm + R cos, k (ym + R sin)) to the
    # density centre: best of 32 samples, then Newton on P . P' = 0
    best = 0.0
    bestd = math.inf
    for i in range(33):
        phi = math.atan2(-ym, -xm) if i == 32 else _TWO_PI * i / 32.0
        px = xm + rad * math.cos(phi)
        py = k * (ym + rad * math.sin(phi))
        dd = px * px + py * py
        if dd < bestd:
            bestd = dd
            best = phi
    phi = best
    for _ in range(30):
        c = math.cos(phi)
        sn = math.sin(phi)
        px = xm + rad * c
        py = k * (ym + rad * sn)
        dpx = -rad * sn
        dpy = k * rad * c
        g = px * dpx + py * dpy
        gp = dpx * dpx + dpy * dpy - px * rad * c - py * k * rad * sn
        if gp <= 0.0:
            break
        step = g / gp
        phi -= step
        if abs(step) < 1e-15:
            break
    px = xm + rad * math.cos(phi)
    py = k * (ym + rad * math.sin(phi))
    dd = px * px + py * py
    if dd < bestd:
        bestd = dd
        best = phi
    stat = np.empty(9)
    ns = 0
    if rad > 0.5 * s:  # where the contour is tangent to the density's level circles
        ns = _circle_stationary(xm, ym, sx, sy, rad, stat)
        for i in range(ns):
            px = xm + rad * math.cos(stat[i])
            py = k * (ym + rad * math.sin(stat[i]))
            dd = px * px + py * py
            if dd < bestd:
                bestd = dd
                best = stat[i]
    rho_min2 = bestd
    if inside:
        rho2 = 0.0  # Pc = (1/2pi) int (1 - exp(-rho^2/2s^2)) dtheta: bounded, positive
    else:
        rho2 = rho_min2  # Pc = -(C/2pi) int expm1(-(rho^2 - rho_min^2)/2s^2) dtheta
    p = np.empty(7)
    p[0], p[1], p[2], p[3], p[4], p[5], p[6] = xm, ym, k, rad, inv2s2, rho2, best
    nb = 0
    for i in range(9):  # eight equal arcs starting at the nearest point
        brk[nb] = best + _TWO_PI * i / 8.0
        nb += 1
    # Features of the integrand, at the nearest point and at the other stationary points
    # of |P|: width s / R where the contour passes near the centre, s / sqrt(R d) (d ~ R +
    # |P|) where it stays far, and, with the centre outside, |P| / |P'|: the notch where
    # expm1(...) -> 0 meets the peak of dtheta/dphi.
    stat[ns] = best
    for i in range(ns + 1):
        phi = stat[i]
        px = xm + rad * math.cos(phi)
        py = k * (ym + rad * math.sin(phi))
        rho = math.hypot(px, py)
        w = s / math.sqrt(rad * (rad + rho))
        if not inside:
            speed = rad * math.hypot(math.sin(phi), k * math.cos(phi))
            w = min(w, max(rho / speed, 1e-15))
        nb = _add_features(brk, nb, stat[i:i + 1], 1, w, best, best + _TWO_PI)
    _sort_small(brk, nb)
    val, err, status = _adapt_leaf(_K_PATERA, p, brk, nb, rtol, work)
    scale = math.exp(-rho2 * inv2s2)
    pc = -scale * val / _TWO_PI
    return min(1.0, max(0.0, pc)), status


@jit(parallel=True, error_model="numpy")
def _patera_kernel(xm, ym, sx, sy, rad, rtol, out, status):
    n = xm.size
    chunk = 256
    for c in numba.prange((n + chunk - 1) // chunk):
        work = np.empty((7, _LEAF_MAX))
        brk = np.empty(_BRK_MAX)
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            out[i], status[i] = _patera_one(xm[i], ym[i], sx[i], sy[i], rad[i], rtol,
                                            work, brk)


# ------------------------------------------------------------------ Alfano (erf, 1-D)
@_jit
def _normal_interval(m, hw):
    """P(m - hw < Z < m + hw) for a standard normal Z (hw >= 0), to full relative precision.

    A short interval (``2 hw max(1, |m|) <= 1``) is summed as ``phi(m) sum_n He_2n(m) 2
    hw^(2n+1) / (2n+1)!`` (the Taylor series of the density about ``m``, with Hermite
    polynomials ``He``), which keeps its digits however narrow the interval; a longer one
    is the difference of ``erfc`` on the tail side (or of ``erf`` about zero), where the
    two terms differ enough not to cancel. Taking the midpoint and half-width (rather
    than the two ends) keeps the width exact for a chord much shorter than ``|ym|``.
    """
    if 2.0 * hw * max(1.0, abs(m)) <= 1.0:
        hw2 = hw * hw
        he_prev = 1.0  # He_0
        he = m  # He_1
        coef = 2.0 * hw  # 2 hw^(2n+1) / (2n+1)!
        tot = coef
        k = 1
        for n in range(1, 17):  # |term_n| < 1e-17 |term_0| by n = 16 here
            # He_{k+1} = m He_k - k He_{k-1}, two orders at a time
            he_prev, he = he, m * he - k * he_prev
            k += 1
            he_prev, he = he, m * he - k * he_prev
            k += 1
            coef *= hw2 / ((2 * n) * (2 * n + 1))
            tot += he_prev * coef  # He_{2n}
        return math.exp(-0.5 * m * m) / math.sqrt(_TWO_PI) * tot
    a = m - hw
    b = m + hw
    if a >= 0.5:
        return 0.5 * (math.erfc(a / _SQRT2) - math.erfc(b / _SQRT2))
    if b <= -0.5:
        return 0.5 * (math.erfc(-b / _SQRT2) - math.erfc(-a / _SQRT2))
    return 0.5 * (math.erf(b / _SQRT2) - math.erf(a / _SQRT2))


@_jit
def _alfano_one(xm, ym, sx, sy, rad, brk):
    """Alfano's 1-D integral over the disk's width, x = xm + R cos t, t in [0, pi]."""
    # panels: four equal ones, plus break points where the integrand changes fastest --
    # where x(t) = 0 (the x density's peak, width sx / R in t) and where the chord's end
    # ym +- R sin t crosses y = 0 (width sy / R) -- graded by factors of 4 around them
    nb = 0
    for i in range(5):
        brk[nb] = 0.25 * math.pi * i
        nb += 1
    tx = math.acos(min(1.0, max(-1.0, -xm / rad)))
    ty = math.asin(min(1.0, abs(ym) / rad))
    # widths: sigma / |R dx/dt|, or sqrt(2 sigma / R) where the first derivative vanishes;
    # with the disk in a tail of the density (|xm| - R or |ym| - R beyond sigma), sigma is
    # replaced by the tail's decay length sigma^2 / distance
    ex = sx * min(1.0, sx / max(abs(xm) - rad, 1e-300))
    ey = sy * min(1.0, sy / max(abs(ym) - rad, 1e-300))
    wx = min(ex / (rad * max(math.sin(tx), 1e-300)), math.sqrt(2.0 * ex / rad))
    wy = min(ey / (rad * max(math.cos(ty), 1e-300)), math.sqrt(2.0 * ey / rad))
    for cen, w in ((tx, wx), (ty, wy), (math.pi - ty, wy)):
        if 0.0 < cen < math.pi:
            brk[nb] = cen
            nb += 1
        nb = _graded(brk, nb, cen, w, 0.0, math.pi, 2.0)
    _sort_small(brk, nb)
    tot = 0.0
    for j in range(nb - 1):
        a = brk[j]
        b = brk[j + 1]
        if not b > a:
            continue
        c = 0.5 * (a + b)
        h = 0.5 * (b - a)
        acc = 0.0
        for i in range(_GL_X.size):
            t = c + h * _GL_X[i]
            st = math.sin(t)
            x = xm + rad * math.cos(t)
            half = rad * st
            g = math.exp(-0.5 * (x / sx) ** 2)
            acc += _GL_W[i] * g * st * _normal_interval(ym / sy, half / sy)
        tot += acc * h
    return min(1.0, tot * rad / (math.sqrt(_TWO_PI) * sx))


@jit(parallel=True, error_model="numpy")
def _alfano_kernel(xm, ym, sx, sy, rad, out):
    n = xm.size
    chunk = 256
    for c in numba.prange((n + chunk - 1) // chunk):
        brk = np.empty(_BRK_MAX)
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            out[i] = _alfano_one(xm[i], ym[i], sx[i], sy[i], rad[i], brk)


# ------------------------------------------------------------------ Python layer
PC_METHODS = ("foster", "patera", "alfano", "chan")
"""Names accepted by :func:`pc_2d` and :func:`pc_from_states`."""

PC_STATUS = {0: "ok", 1: "interval budget exhausted before the error estimate met rtol",
             2: "an interval could not be split further (round-off)"}
"""Meaning of the status codes of :func:`pc_foster` and :func:`pc_patera`."""

_ARGS_2D = ("xm", "ym", "sigma_x", "sigma_y", "radius")


def _float_array(value, name):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or an array of numbers; got {value!r}",
                         field=name, value=value) from None
    return arr


def _first_bad(mask):
    idx = np.argwhere(mask)[0]
    return tuple(int(i) for i in idx)


def _at(where):
    """' at batch index (i, j)' for a batch position, '' for a single encounter."""
    return f" at batch index {where}" if where else ""


def _prepare_2d(xm, ym, sigma_x, sigma_y, radius):
    """Checked, broadcast, flattened float64 arrays of the five 2-D inputs and their shape."""
    arrs = [_float_array(v, n) for v, n in zip((xm, ym, sigma_x, sigma_y, radius), _ARGS_2D)]
    for arr, name in zip(arrs, _ARGS_2D):
        bad = ~np.isfinite(arr)
        if name in ("sigma_x", "sigma_y", "radius"):
            bad |= ~(arr > 0.0)
            what = "finite and > 0"
        else:
            what = "finite"
        if np.any(bad):
            where = "" if arr.ndim == 0 else f" at index {_first_bad(bad)}"
            val = arr[bad].flat[0]
            raise InputError(f"{name} must be {what}; got {val!r}{where}", field=name,
                             value=float(val))
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for a, n in zip(arrs, _ARGS_2D))
        raise InputError(f"the arguments do not broadcast together: {shapes}",
                         field="xm") from None
    flat = [np.ascontiguousarray(np.broadcast_to(a, shape), dtype=np.float64).ravel()
            for a in arrs]
    return flat, shape


def _check_rtol(rtol):
    try:
        r = float(rtol)
    except (TypeError, ValueError):
        r = math.nan
    if not (0.0 < r <= 0.1):
        raise InputError(f"rtol must be a number in (0, 0.1]; got {rtol!r}", field="rtol",
                         value=rtol)
    return r


def _shaped(out, shape):
    out = out.reshape(shape)
    return out[()] if shape == () else out


def _raise_status(name, status, flat, rtol):
    bad = np.flatnonzero(status)
    i = int(bad[0])
    vals = ", ".join(f"{n}={flat[k][i]!r}" for k, n in enumerate(_ARGS_2D))
    raise ConvergenceError(
        f"{name}: no Pc within rtol={rtol:g} for {bad.size} of {status.size} encounter(s) "
        f"({PC_STATUS[int(status[i])]}); first at flat index {i}: {vals}. A larger rtol, "
        f"or return_status=True to get the estimates with their status, may help")


def pc_foster(xm, ym, sigma_x, sigma_y, radius, *, rtol=1e-9, return_status=False):
    """Pc by Foster's 2-D integral of the Gaussian over the hard-body disk (polar coordinates).

    The density ``exp(-(x^2/sx^2 + y^2/sy^2)/2) / (2 pi sx sy)`` is integrated over the
    disk in polar coordinates ``(r, theta)`` about the disk centre ``(xm, ym)`` (Foster &
    Estes 1992): an adaptive Gauss-Kronrod (7, 15) rule in ``theta`` (eight sectors from
    the direction of the density centre, refined geometrically towards it), and for each
    ``theta`` an adaptive Gauss-Kronrod rule in ``r`` in ``[0, R]`` with break points at
    the ray's closest approach to the density centre (in the Mahalanobis metric) and at
    widths growing by 4 around it. Each ray is integrated to ``rtol / 10``; the angular
    integral stops when its summed error estimate is below ``rtol * Pc`` (or the
    round-off floor, ``100 eps`` times the integral).

    Parameters
    ----------
    xm, ym : array_like
        Miss vector in the principal axes of the covariance (any length unit).
    sigma_x, sigma_y : array_like
        Standard deviations along those axes (same unit; > 0).
    radius : array_like
        Combined hard-body radius (same unit; > 0).
    rtol : float
        Relative accuracy asked for (error estimate), in (0, 0.1].
    return_status : bool
        If True, return ``(pc, status)`` instead of raising
        :class:`~cosmoplan.errors.ConvergenceError`: ``status`` is an int8 array of
        :data:`PC_STATUS` codes (0 ok); rows with a non-zero status hold the estimate
        reached.

    Returns
    -------
    float or ndarray
        Pc in [0, 1], shape ``broadcast(xm, ym, sigma_x, sigma_y, radius)``.

    Raises
    ------
    InputError
        Non-numeric or non-finite inputs, non-positive sigmas or radius (the message names
        the argument), shapes that do not broadcast.
    ConvergenceError
        The error estimate did not reach ``rtol`` within 2000 angular intervals (or 400
        radial ones on a ray).
    """
    flat, shape = _prepare_2d(xm, ym, sigma_x, sigma_y, radius)
    rtol = _check_rtol(rtol)
    out = np.empty(flat[0].size)
    status = np.zeros(flat[0].size, dtype=np.int8)
    _foster_kernel(*flat, rtol, out, status)
    if return_status:
        return _shaped(out, shape), status.reshape(shape)
    if np.any(status):
        _raise_status("pc_foster", status, flat, rtol)
    return _shaped(out, shape)


def pc_patera(xm, ym, sigma_x, sigma_y, radius, *, rtol=1e-9, return_status=False):
    """Pc by Patera's contour integral around the hard-body disk.

    Scaling the axis of the larger sigma by ``k = sigma_min / sigma_max`` makes the
    density circular (standard deviation ``s = sigma_min``) and the disk an ellipse,
    ``P(phi) = (xm + R cos phi, k (ym + R sin phi))`` for the angle ``phi`` around the
    disk (Patera 2005's parameterization). Integrating the circular density radially
    from its centre to the contour turns the area integral into the line integral of
    Patera (2001),

        Pc = (1 / 2 pi) * contour integral of (1 - exp(-rho^2 / 2 s^2)) dtheta,

    with ``rho``, ``theta`` the polar coordinates of ``P`` about the density centre and
    ``dtheta = k R (R + xm cos phi + ym sin phi) / rho^2 dphi``. Because the contour
    integral of ``dtheta`` is 2 pi when the density centre is inside the disk and 0
    outside, any constant may be subtracted from ``exp(...)`` outside: with ``rho_min``
    the contour's nearest distance to the density centre, the integrand used is
    ``-expm1(-rho^2 / 2 s^2)`` when the centre is inside or ``rho_min <= s`` (bounded
    where ``rho -> 0``, no cancellation), and ``-exp(-rho_min^2 / 2 s^2) expm1(-(rho^2 -
    rho_min^2) / 2 s^2)`` otherwise (no cancellation between the near and far sides of
    the contour, no underflow before Pc itself underflows). The integral in ``phi`` is
    an adaptive Gauss-Kronrod (7, 15) rule over eight arcs from the nearest point,
    refined geometrically towards it, until the error estimate is below ``rtol * Pc``
    (or the round-off floor).

    Parameters, returns and errors as :func:`pc_foster`.
    """
    flat, shape = _prepare_2d(xm, ym, sigma_x, sigma_y, radius)
    rtol = _check_rtol(rtol)
    out = np.empty(flat[0].size)
    status = np.zeros(flat[0].size, dtype=np.int8)
    _patera_kernel(*flat, rtol, out, status)
    if return_status:
        return _shaped(out, shape), status.reshape(shape)
    if np.any(status):
        _raise_status("pc_patera", status, flat, rtol)
    return _shaped(out, shape)


def pc_alfano(xm, ym, sigma_x, sigma_y, radius):
    """Pc by Alfano's one-dimensional erf integral over the disk's width.

    Integrating the density over ``y`` along each chord of the disk in closed form
    leaves one integral across the disk (Alfano 2005):

        Pc = integral over the disk's x extent of
             exp(-x^2 / 2 sx^2) / (sqrt(2 pi) sx) * P(ym - h < Y < ym + h) dx,

    with ``h = sqrt(R^2 - (x - xm)^2)`` the chord's half-length and ``Y ~ N(0, sy^2)``,
    ``P(a < Y < b) = (erf(b / sqrt2 sy) - erf(a / sqrt2 sy)) / 2``. Alfano sums it with
    Simpson's rule in ``x`` (a step count from ``R`` and the smallest of ``sx``, ``sy``
    and the miss distance); here ``x = xm + R cos t`` (``dx = -R sin t dt``, ``h = R sin
    t``) removes the square-root behaviour at the disk's edges that limits Simpson's
    rule, and the integral over ``t`` in ``[0, pi]`` is a 16-point Gauss-Legendre rule
    on panels between four equal quarters and break points where the integrand changes
    fastest (where ``x = 0`` and where the chord's ends cross ``y = 0``), graded by
    factors of 2 around them. The normal probability is formed from ``erfc`` on the
    tail side (see the module notes).

    This is a fixed rule without an error estimate: accurate to < 1e-10 relative on
    the published cases and on random encounters (``tests/test_screening.py``); see the
    module notes for where it degrades.

    Parameters, returns and input errors as :func:`pc_foster` (no ``rtol``).
    """
    flat, shape = _prepare_2d(xm, ym, sigma_x, sigma_y, radius)
    out = np.empty(flat[0].size)
    _alfano_kernel(*flat, out)
    return _shaped(out, shape)


def pc_chan(xm, ym, sigma_x, sigma_y, radius):
    """Pc by Chan's equivalent-area series (an approximation; exact for sigma_x = sigma_y).

    Chan (1997; 2008 ch. 5) replaces the disk, in the coordinates where the density is
    circular, by the circle of equal area, which leaves the Rician integral with
    ``u = R^2 / (sx sy)`` and ``v = xm^2 / sx^2 + ym^2 / sy^2``:

        Pc = exp(-v/2) sum_m (v/2)^m / m! * (1 - exp(-u/2) sum_{k<=m} (u/2)^k / k!),

    the distribution function at ``u`` of a non-central chi-square with 2 degrees of
    freedom and non-centrality ``v`` (``1 - Q_1(sqrt v, sqrt u)``, Marcum's Q). It is
    evaluated with :data:`scipy.stats.ncx2` (Boost's non-central chi-square), to about
    1e-14 relative; results below ~1e-300 underflow to 0. The equal-area replacement is
    exact only for a circular covariance; see the module notes for its error elsewhere.

    Parameters, returns and input errors as :func:`pc_alfano`.
    """
    from scipy.stats import chi2, ncx2  # imported here: scipy.stats takes ~0.3 s to import

    flat, shape = _prepare_2d(xm, ym, sigma_x, sigma_y, radius)
    x, y, sx, sy, rad = flat
    u = rad * rad / (sx * sy)
    v = (x / sx) ** 2 + (y / sy) ** 2
    with np.errstate(all="ignore"):
        out = np.where(v > 0.0, ncx2.cdf(u, 2.0, np.maximum(v, 1e-300)), chi2.cdf(u, 2.0))
    return _shaped(np.clip(out, 0.0, 1.0), shape)


_PC_FUNCS = {"foster": pc_foster, "patera": pc_patera, "alfano": pc_alfano, "chan": pc_chan}


def _method(method):
    key = str(method).lower()
    if key not in _PC_FUNCS:
        raise InputError(f"unknown Pc method {method!r}; use one of {', '.join(PC_METHODS)}",
                         field="method", value=method)
    return _PC_FUNCS[key]


def pc_2d(xm, ym, sigma_x, sigma_y, radius, method="foster"):
    """Pc of a 2-D encounter by the named method (one of :data:`PC_METHODS`)."""
    return _method(method)(xm, ym, sigma_x, sigma_y, radius)


# ------------------------------------------------------------------ encounter plane
@dataclass(frozen=True)
class EncounterPlane:
    """The encounter plane of two objects at TCA (see the module notes for the axes).

    Lengths in the unit of the states (km), shapes ``S`` = the broadcast batch shape
    (``()`` for one encounter).

    Attributes
    ----------
    axes : ndarray, shape S + (3, 3)
        Rows: the encounter frame's ``x`` (miss direction), ``y`` and ``z`` (relative
        velocity direction) in the inertial frame of the states.
    miss : ndarray, shape S + (2,)
        Miss vector in (``x``, ``y``): ``(|r_perp|, 0)``.
    covariance : ndarray, shape S + (2, 2)
        Combined position covariance projected on the plane, in (``x``, ``y``), km^2.
    principal_axes : ndarray, shape S + (2, 3)
        Rows: the principal axes ``x_p`` (minor, ``sigma_x``) and ``y_p`` (major,
        ``sigma_y``) in the inertial frame.
    xm, ym : ndarray, shape S
        Miss vector on ``x_p`` and ``y_p`` (``xm >= 0``).
    sigma_x, sigma_y : ndarray, shape S
        Principal standard deviations, ``sigma_x <= sigma_y``.
    miss_distance : ndarray, shape S
        ``|r2 - r1|`` at the given epoch (3-D).
    relative_speed : ndarray, shape S
        ``|v2 - v1|``.
    time_to_tca : ndarray, shape S
        ``-(r . v) / |v|^2``, s: when the straight-line relative motion is closest (0 if
        the states are exactly at TCA; the plane quantities drop the part of ``r`` along
        ``v``).
    """

    axes: np.ndarray
    miss: np.ndarray
    covariance: np.ndarray
    principal_axes: np.ndarray
    xm: np.ndarray
    ym: np.ndarray
    sigma_x: np.ndarray
    sigma_y: np.ndarray
    miss_distance: np.ndarray
    relative_speed: np.ndarray
    time_to_tca: np.ndarray

    def pc(self, radius, method="foster"):
        """Pc for a combined hard-body radius (same unit as the states) by ``method``."""
        return pc_2d(self.xm, self.ym, self.sigma_x, self.sigma_y, radius, method)


def _vec3(x, name):
    arr = _float_array(x, name)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise InputError(f"{name} must have shape (..., 3); got shape {arr.shape}",
                         field=name, value=arr.shape)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values", field=name)
    return arr


def _cov3(c, name):
    arr = _float_array(c, name)
    if arr.ndim < 2 or arr.shape[-2:] != (3, 3):
        hint = (" (for a 6x6 or larger state covariance, pass its position block "
                f"{name}[..., :3, :3])" if arr.ndim >= 2 and arr.shape[-1] == arr.shape[-2]
                and arr.shape[-1] > 3 else "")
        raise InputError(f"{name} must have shape (..., 3, 3); got shape {arr.shape}{hint}",
                         field=name, value=arr.shape)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values", field=name)
    scale = np.max(np.abs(arr), axis=(-2, -1), keepdims=True)
    asym = np.abs(arr - np.swapaxes(arr, -1, -2))
    if np.any(asym > 1e-9 * scale):
        where = _first_bad(np.any(asym > 1e-9 * scale, axis=(-2, -1)))
        raise InputError(f"{name} is not symmetric (largest |C - C^T| "
                         f"{float(np.max(asym)):.3e}{_at(where)})",
                         field=name)
    arr = 0.5 * (arr + np.swapaxes(arr, -1, -2))
    eig = np.linalg.eigvalsh(arr)
    tol = 1e-12 * np.max(np.abs(eig), axis=-1)
    bad = eig[..., 0] < -tol
    if np.any(bad):
        where = _first_bad(bad) if bad.ndim else ()
        ev = eig[where]
        raise InputError(
            f"{name} is not a covariance: it has a negative eigenvalue (eigenvalues "
            f"{np.array2string(ev, precision=6)}{_at(where)})",
            field=name, value=ev.tolist())
    return arr


_COV_FRAMES = {"RTN": "RTN", "INERTIAL": "inertial"}


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def encounter_plane(r1, v1, cov1, r2, v2, cov2, *, cov_frame):
    """The encounter plane of two objects at TCA: miss vector, covariance, principal axes.

    Parameters
    ----------
    r1, v1 : array_like, shape (..., 3)
        Primary position (km) and velocity (km/s) at TCA, inertial frame.
    cov1 : array_like, shape (..., 3, 3)
        Primary position covariance, km^2.
    r2, v2, cov2
        The same for the secondary, in the same inertial frame.
    cov_frame : {"RTN", "inertial"}
        Frame of both covariances: ``"RTN"``, each in its own object's radial /
        along-track / normal frame (as in a CDM: :func:`cosmoplan.frames.rsw_matrix`);
        ``"inertial"``, the frame of the states. There is no default.

    Returns
    -------
    EncounterPlane
        Batch shape: the broadcast of the inputs' leading dimensions.

    Raises
    ------
    InputError
        Wrong shapes, non-finite values, a covariance that is not symmetric or has a
        negative eigenvalue (the message gives them), zero relative velocity, an RTN
        frame that does not exist (``r x v = 0``), or a combined covariance that is
        singular in the encounter plane (its eigenvalues in the message).
    """
    r1, v1, r2, v2 = (_vec3(x, n) for x, n in ((r1, "r1"), (v1, "v1"), (r2, "r2"), (v2, "v2")))
    c1, c2 = _cov3(cov1, "cov1"), _cov3(cov2, "cov2")
    key = str(cov_frame).upper()
    if key not in _COV_FRAMES:
        raise InputError(f"cov_frame must be 'RTN' or 'inertial'; got {cov_frame!r}",
                         field="cov_frame", value=cov_frame)
    try:
        shape = np.broadcast_shapes(r1.shape[:-1], v1.shape[:-1], r2.shape[:-1],
                                    v2.shape[:-1], c1.shape[:-2], c2.shape[:-2])
    except ValueError:
        raise InputError(
            f"the batch shapes do not broadcast: r1 {r1.shape}, v1 {v1.shape}, cov1 "
            f"{c1.shape}, r2 {r2.shape}, v2 {v2.shape}, cov2 {c2.shape}", field="r2") from None
    r1, v1, r2, v2 = (np.broadcast_to(x, shape + (3,)) for x in (r1, v1, r2, v2))
    c1, c2 = (np.broadcast_to(c, shape + (3, 3)) for c in (c1, c2))
    if key == "RTN":
        for r, v, name in ((r1, v1, "1"), (r2, v2, "2")):
            h = np.linalg.norm(np.cross(r, v), axis=-1)
            if np.any(h <= 1e-12 * np.linalg.norm(r, axis=-1) * np.linalg.norm(v, axis=-1)):
                raise InputError(f"the RTN frame of object {name} is undefined (r{name} x "
                                 f"v{name} = 0); give its covariance in the inertial frame",
                                 field=f"cov{name}")
        m1, m2 = rsw_matrix(r1, v1), rsw_matrix(r2, v2)
        c1 = np.swapaxes(m1, -1, -2) @ c1 @ m1
        c2 = np.swapaxes(m2, -1, -2) @ c2 @ m2
    cov = c1 + c2
    dr = r2 - r1
    dv = v2 - v1
    speed = np.linalg.norm(dv, axis=-1)
    if np.any(speed == 0.0):
        raise InputError("the two objects have the same velocity: the encounter plane "
                         "(normal to the relative velocity) is undefined, and a short-term "
                         "encounter model does not apply", field="v2")
    z = dv / speed[..., None]
    along = np.einsum("...i,...i->...", dr, z)
    perp = dr - along[..., None] * z
    dperp = np.linalg.norm(perp, axis=-1)
    x = np.array(perp, dtype=float)
    # direct hit in the linear model: x from the primary's radial direction, else an axis
    hit = dperp <= 1e-15 * np.maximum(np.linalg.norm(dr, axis=-1), np.linalg.norm(r1, axis=-1))
    if np.any(hit):
        fall = r1 - np.einsum("...i,...i->...", r1, z)[..., None] * z
        weak = np.linalg.norm(fall, axis=-1) <= 1e-12 * np.linalg.norm(r1, axis=-1)
        ax = np.eye(3)[np.argmin(np.abs(z), axis=-1)]
        ax = ax - np.einsum("...i,...i->...", ax, z)[..., None] * z
        fall = np.where(weak[..., None], ax, fall)
        x = np.where(hit[..., None], fall, x)
    x = _unit(x)
    y = np.cross(z, x)
    axes = np.stack([x, y, z], axis=-2)
    b = axes[..., :2, :]
    c2d = b @ cov @ np.swapaxes(b, -1, -2)
    c2d = 0.5 * (c2d + np.swapaxes(c2d, -1, -2))
    lam, vec = np.linalg.eigh(c2d)
    scale = np.max(np.abs(lam), axis=-1)
    bad = ~(lam[..., 0] > 1e-15 * scale) | ~(scale > 0.0)
    if np.any(bad):
        where = _first_bad(bad) if bad.ndim else ()
        raise InputError(
            "the combined covariance is singular in the encounter plane (eigenvalues "
            f"{np.array2string(lam[where], precision=6)} km^2"
            f"{_at(where)}): Pc is not defined "
            "without uncertainty across the relative velocity", field="cov1",
            value=lam[where].tolist())
    e1 = vec[..., :, 0]  # minor axis in (x, y)
    flip = (e1[..., 0] < 0.0) | ((e1[..., 0] == 0.0) & (e1[..., 1] < 0.0))
    e1 = np.where(flip[..., None], -e1, e1)
    e2 = np.stack([-e1[..., 1], e1[..., 0]], axis=-1)  # z x e1 within the plane
    miss = np.stack([dperp, np.zeros_like(dperp)], axis=-1)
    xm = dperp * e1[..., 0]
    ym = dperp * e2[..., 0]
    px = e1[..., 0:1] * x + e1[..., 1:2] * y
    py = e2[..., 0:1] * x + e2[..., 1:2] * y
    return EncounterPlane(
        axes=axes, miss=miss, covariance=c2d, principal_axes=np.stack([px, py], axis=-2),
        xm=_shaped(np.asarray(xm), shape), ym=_shaped(np.asarray(ym), shape),
        sigma_x=_shaped(np.sqrt(lam[..., 0]), shape),
        sigma_y=_shaped(np.sqrt(lam[..., 1]), shape),
        miss_distance=_shaped(np.linalg.norm(dr, axis=-1), shape),
        relative_speed=_shaped(speed, shape),
        time_to_tca=_shaped(-along / speed, shape),
    )


@dataclass(frozen=True)
class PcResult:
    """Probability of collision of one encounter (or a batch) and how it was obtained.

    Attributes
    ----------
    pc : float or ndarray
        Probability of collision.
    method : str
        One of :data:`PC_METHODS`.
    hbr : float or ndarray
        Combined hard-body radius used, km.
    miss_distance : float or ndarray
        ``|r2 - r1|``, km.
    relative_speed : float or ndarray
        ``|v2 - v1|``, km/s.
    plane : EncounterPlane
        The encounter-plane quantities (``xm``, ``ym``, ``sigma_x``, ``sigma_y`` in km).
    """

    pc: np.ndarray
    method: str
    hbr: np.ndarray
    miss_distance: np.ndarray
    relative_speed: np.ndarray
    plane: EncounterPlane


def pc_from_states(r1, v1, cov1, r2, v2, cov2, hbr, *, cov_frame, method="foster"):
    """Probability of collision of two objects from their states and covariances at TCA.

    Parameters
    ----------
    r1, v1, cov1, r2, v2, cov2, cov_frame
        As :func:`encounter_plane`: inertial states (km, km/s) at TCA and 3x3 position
        covariances (km^2) in RTN or inertial axes (no default frame).
    hbr : float or array_like
        Combined hard-body radius ``R1 + R2``, km (> 0).
    method : {"foster", "patera", "alfano", "chan"}
        Pc method (see the module notes); ``"foster"`` (the default) is the 2-D
        integral, the name CDMs give as FOSTER-1992.

    Returns
    -------
    PcResult

    Raises
    ------
    InputError
        See :func:`encounter_plane`, and ``hbr`` not finite and positive, an unknown
        ``method``.
    ConvergenceError
        ``foster`` or ``patera`` could not reach their accuracy.

    Examples
    --------
    A CDM gives the position covariances in each object's RTN frame, in m^2::

        res = pc_from_states(r1, v1, c1_m2[:3, :3] * 1e-6, r2, v2, c2_m2[:3, :3] * 1e-6,
                             hbr=0.010, cov_frame="RTN")
        res.pc, res.plane.sigma_x, res.plane.sigma_y
    """
    func = _method(method)
    hbr_arr = _float_array(hbr, "hbr")
    if np.any(~np.isfinite(hbr_arr) | ~(hbr_arr > 0.0)):
        raise InputError(f"hbr (combined hard-body radius, km) must be finite and > 0; got "
                         f"{hbr!r}", field="hbr", value=hbr)
    plane = encounter_plane(r1, v1, cov1, r2, v2, cov2, cov_frame=cov_frame)
    try:
        pc = func(plane.xm, plane.ym, plane.sigma_x, plane.sigma_y, hbr_arr)
    except InputError as exc:
        if exc.field == "radius":
            raise InputError(str(exc).replace("radius", "hbr"), field="hbr") from None
        raise
    return PcResult(pc=pc, method=str(method).lower(), hbr=_shaped(hbr_arr, hbr_arr.shape),
                    miss_distance=plane.miss_distance, relative_speed=plane.relative_speed,
                    plane=plane)
