"""Two-body (Kepler) propagation by universal variables, for every conic.

:func:`propagate_kepler` moves Cartesian states along their conic by a time ``dt``. It
follows Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed. (2013),
Algorithm 8 (KEPLER) and Curtis, *Orbital Mechanics for Engineering Students*, 3rd ed.
(2014), Algorithm 3.4, written with the universal functions ``U0..U3`` of Battin,
*An Introduction to the Mathematics and Methods of Astrodynamics* (1999), §4.5:

* with ``alpha = 2/r0 - v0^2/mu`` (= 1/a), ``sigma = r0 . v0 / sqrt(mu)``, the periapsis
  radius ``q = p/(1+e)`` and the universal anomaly ``chi0`` of the initial state measured
  from periapsis (from ``e cos E0 = 1 - r0 alpha``, ``e sin E0 = sigma sqrt(alpha)``, or
  their hyperbolic and parabolic counterparts), the periapsis-referenced universal Kepler
  equation ``G(chi) = q U1(chi) + U3(chi) = G(chi0) + sqrt(mu) dt`` is solved for
  ``chi`` (km^0.5). ``G`` is the conic's own Kepler equation (``(E - e sin E)/alpha^1.5``,
  ``(e sinh F - F)/(-alpha)^1.5``, ``p^1.5 (B + B^3/3)/2``) in one form valid for all
  conics; unlike the textbook form ``r0 U1 + sigma U2 + U3 = sqrt(mu) dt``, whose terms
  cancel catastrophically when a hyperbolic arc starts far out and ends near periapsis
  (1e-7 lost at r = 1e7 km), it is as well conditioned as the time since periapsis;
* ``G' = r > 0``, so the root is bracketed by ``0`` and ``|target| / q``; the iteration
  starts from the solution of the elliptic/hyperbolic Kepler equation
  (:mod:`cosmoplan.states`) or Barker's equation near the parabola, then Laguerre's method
  (Conway 1986, Celest. Mech. 39, 199-211; n = 5) runs inside the bracket, bisecting when a
  step leaves it or does not halve the residual (as in Numerical Recipes' ``rtsafe``). It
  stops when the residual is at the rounding level of its terms or the bracket has
  collapsed, so it always converges (at most 200 iterations; in practice 1-2 after the
  starting value);
* ``U0..U3`` come from circular or hyperbolic functions of ``y = sqrt(|alpha|) chi``,
  and from their Taylor series (Stumpff functions ``c2, c3``) when ``|alpha chi^2| < 1``,
  which removes the cancellation near the parabola (``alpha -> 0``) and at small ``dt``;
* Lagrange coefficients for the step ``chi - chi0``: ``f = 1 - U2/r0``, ``fdot =
  -sqrt(mu) U1/(r r0)``, ``gdot = 1 - U2/r`` and ``g = (r0 U1 + sigma U2)/sqrt(mu)`` or,
  equally at the root, ``g = dt - U3/sqrt(mu)``, whichever has the smaller terms;
* for an ellipse, ``dt`` is first reduced modulo the period to ``|dt| <= P/2``, so
  thousands of revolutions cost the same as one (the result then carries the rounding
  of ``dt`` itself, ~1e-16 ``|dt|``).

Accuracy (measured over 3e5 random orbits of every conic, ``|dt|`` up to 100
``sqrt(p^3/mu)``, ``r/p <= 1e3``): forward then back returns the start to 3.4e-11
relative; energy and angular momentum are kept to 4e-13 of ``v^2/2 + mu/r`` and 5e-14 of
``|r||v|`` (for ellipses to 6e-14 of ``|energy|`` and 3e-14 of ``|h|``); the result agrees
with propagation by mean anomaly to 6e-12.

Shapes
------
``propagate_kepler(r0, v0, dt, mu)`` broadcasts like NumPy: ``r0``, ``v0`` are
``(..., 3)``, ``dt`` and ``mu`` are ``(...)``, and the output is
``broadcast(r0.shape[:-1], v0.shape[:-1], dt.shape, mu.shape) + (3,)``. So N states and N
times (``(N, 3)`` with ``(N,)``) pair up elementwise, and one state ``(3,)`` with times
``(M,)`` gives ``(M, 3)``. ``propagate_kepler_many(r0, v0, dts, mu)`` is the outer
product: states ``(..., 3)`` times ``dts`` ``(M,)`` give ``(..., M, 3)``.

``dt`` may be zero (the state is returned exactly) or negative (backwards in time).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ConvergenceError, InputError, PropagationError
from .states import (
    DEGENERATE,
    NON_FINITE,
    NOT_CONVERGED,
    OK,
    _as_float,
    _as_mu,
    _as_vectors,
    _barker,
    _flat,
    _jit,
    _kepler_e,
    _kepler_h,
)
from .time import Epoch
from .trajectory import Trajectory

__all__ = ["propagate_kepler", "propagate_kepler_many", "Kepler"]

_EPS = 2.220446049250313e-16
_TWO_PI = 2.0 * math.pi
_MAXIT = 200
_LAGUERRE_N = 5.0
_ROTATING_FRAMES = ("ITRF", "ITRS", "ECEF", "TIRS")


@_jit
def _universal(chi, alpha):
    """Universal functions U0, U1, U2, U3 of chi for 1/a = alpha (Battin §4.5)."""
    z = alpha * chi * chi
    if abs(z) < 1.0:
        # Stumpff c2 = sum (-z)^k/(2k+2)!, c3 = sum (-z)^k/(2k+3)!
        c2 = 0.0
        c3 = 0.0
        t2 = 0.5
        t3 = 1.0 / 6.0
        for k in range(14):
            c2 += t2
            c3 += t3
            t2 *= -z / ((2 * k + 3) * (2 * k + 4))
            t3 *= -z / ((2 * k + 4) * (2 * k + 5))
        u2 = chi * chi * c2
        u3 = chi * chi * chi * c3
        return 1.0 - z * c2, chi * (1.0 - z * c3), u2, u3
    if alpha > 0.0:
        sa = math.sqrt(alpha)
        y = sa * chi
        sy = math.sin(y)
        sh = math.sin(0.5 * y)
        return math.cos(y), sy / sa, 2.0 * sh * sh / alpha, (y - sy) / (alpha * sa)
    na = -alpha
    sa = math.sqrt(na)
    y = sa * chi
    sy = math.sinh(y)
    sh = math.sinh(0.5 * y)
    return math.cosh(y), sy / sa, 2.0 * sh * sh / na, (sy - y) / (na * sa)


@_jit
def _chi_guess(g1, alpha, e, q, p):
    """Starting chi for ``q U1(chi) + U3(chi) = g1`` from the conic's own Kepler equation.

    With ``M = |alpha|^1.5 g1``: ellipse ``E = chi sqrt(alpha)`` from ``E - e sin E = M``;
    hyperbola ``F = chi sqrt(-alpha)`` from ``e sinh F - F = M``; near the parabola
    (``|alpha p| < 1e-8``) ``chi = sqrt(p) B`` from Barker's equation
    ``B + B^3/3 = 2 g1 / p^1.5``, which is exact for ``alpha = 0``.
    """
    if abs(alpha * p) < 1e-8:
        sp = math.sqrt(p)
        return sp * _barker(2.0 * g1 / (p * sp))
    sa = math.sqrt(abs(alpha))
    m1 = abs(alpha) * sa * g1
    if alpha > 0.0:
        x, _, _ = _kepler_e(m1, e)
    else:
        x, _, _ = _kepler_h(m1, e)
    return x / sa


@_jit
def _kepler_one(r0, v0, dt, mu):
    """Propagate one state. Returns (rx, ry, rz, vx, vy, vz, status, residual, chi)."""
    rx, ry, rz = r0[0], r0[1], r0[2]
    vx, vy, vz = v0[0], v0[1], v0[2]
    rn = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    h2 = hx * hx + hy * hy + hz * hz
    if not (rn > 0.0 and h2 > 0.0 and dt == dt):
        return rx, ry, rz, vx, vy, vz, DEGENERATE, 0.0, 0.0
    if dt == 0.0:
        return rx, ry, rz, vx, vy, vz, OK, 0.0, 0.0
    sqmu = math.sqrt(mu)
    alpha = 2.0 / rn - v2 / mu
    sigma = (rx * vx + ry * vy + rz * vz) / sqmu
    p = h2 / mu
    sa = math.sqrt(abs(alpha))
    t = dt
    # Eccentricity (accurate for e -> 0 and e -> 1), periapsis radius q, and the universal
    # anomaly chi0 of the initial state measured from periapsis:
    # e cos E0 = 1 - r0 alpha, e sin E0 = sigma sqrt(alpha) (cosh/sinh for a hyperbola).
    if alpha > 0.0:
        ec = 1.0 - rn * alpha
        es = sigma * sa
        e = math.sqrt(ec * ec + es * es)
        chi0 = math.atan2(es, ec) / sa
        period = _TWO_PI / (sqmu * alpha * sa)
        if math.isfinite(period) and abs(t) > 0.5 * period:
            t = t - period * math.floor(t / period + 0.5)
            if t == 0.0:
                return rx, ry, rz, vx, vy, vz, OK, 0.0, 0.0
    elif alpha < 0.0:
        e = math.sqrt(1.0 - p * alpha)
        chi0 = math.asinh(sigma * sa / e) / sa
    else:
        e = 1.0
        chi0 = sigma
    q = p / (1.0 + e)
    # sqrt(mu) x (time since periapsis) = q U1(chi) + U3(chi) =: G(chi), G' = r > 0.
    _, u1, _, u3 = _universal(chi0, alpha)
    target = q * u1 + u3 + sqmu * t
    if not math.isfinite(target):
        return rx, ry, rz, vx, vy, vz, NON_FINITE, 0.0, 0.0
    # Bracket: G' = r >= q, so |chi1| <= |target| / q.
    bound = abs(target) / q * (1.0 + 1e-6) + 1e-300
    if target > 0.0:
        lo, hi = 0.0, bound
    else:
        lo, hi = -bound, 0.0
    chi = _chi_guess(target, alpha, e, q, p)
    if not (chi > lo and chi < hi):
        chi = 0.5 * (lo + hi)
    status = NOT_CONVERGED
    fval = 0.0
    scale = 1.0
    fprev = math.inf
    bisect = False
    for _ in range(_MAXIT):
        u0, u1, u2, u3 = _universal(chi, alpha)
        a1 = q * u1
        fval = a1 + u3 - target
        scale = abs(a1) + abs(u3) + abs(target)
        if not math.isfinite(fval):
            # overflow far out on a hyperbola: G - target has the sign of chi there
            if chi > 0.0:
                hi = chi
            else:
                lo = chi
            chi = 0.5 * (lo + hi)
            fprev = math.inf
            continue
        if abs(fval) <= 4.0 * _EPS * scale:
            status = OK
            break
        if fval < 0.0:
            lo = chi
        else:
            hi = chi
        r = q * u0 + u2
        dr = e * u1
        nn = _LAGUERRE_N
        disc = abs((nn - 1.0) * (nn - 1.0) * r * r - nn * (nn - 1.0) * fval * dr)
        den = r + math.sqrt(disc)
        chin = chi - nn * fval / den if den > 0.0 else 0.5 * (lo + hi)
        # Bisect when the step leaves the bracket or the last step did not halve |G - T|
        # (as in rtsafe, Press et al., Numerical Recipes), so the bracket shrinks.
        if bisect or not (chin > lo and chin < hi):
            chin = 0.5 * (lo + hi)
        bisect = abs(fval) > 0.5 * fprev
        fprev = abs(fval)
        if abs(chin - chi) <= 2.0 * _EPS * abs(chin) or hi - lo <= 4.0 * _EPS * abs(chin):
            chi = chin
            status = OK
            break
        chi = chin
    # Lagrange coefficients for the step dchi from the initial state.
    u0, u1, u2, u3 = _universal(chi - chi0, alpha)
    f = 1.0 - u2 / rn
    # g = (r0 U1 + sigma U2)/sqrt(mu) = t - U3/sqrt(mu) at the root: use the form whose
    # terms are smaller, i.e. which cancels less (the first one over long elliptic arcs,
    # the second one coming in from far out on a hyperbola).
    a1 = rn * u1
    a2 = sigma * u2
    if abs(a1) + abs(a2) <= abs(sqmu * t) + abs(u3):
        g = (a1 + a2) / sqmu
    else:
        g = t - u3 / sqmu
    x = f * rx + g * vx
    y = f * ry + g * vy
    zz = f * rz + g * vz
    big = max(abs(x), abs(y), abs(zz))  # scaled norm: no overflow far out on a hyperbola
    r = big * math.sqrt((x / big) ** 2 + (y / big) ** 2 + (zz / big) ** 2) if big > 0 else 0.0
    fdot = -sqmu * u1 / (r * rn)
    gdot = 1.0 - u2 / r
    ox = fdot * rx + gdot * vx
    oy = fdot * ry + gdot * vy
    oz = fdot * rz + gdot * vz
    if status == OK and not (math.isfinite(x) and math.isfinite(y) and math.isfinite(zz)
                             and math.isfinite(ox) and math.isfinite(oy)
                             and math.isfinite(oz)):
        status = NON_FINITE
    return x, y, zz, ox, oy, oz, status, abs(fval) / scale, chi


@_jit
def _kepler_kernel(r0, v0, dt, mu, r, v, status, resid):
    """Universal-variable propagation of each row (see module notes)."""
    for j in range(dt.size):
        x, y, z, vx, vy, vz, st, res, _ = _kepler_one(r0[j], v0[j], dt[j], mu[j])
        if st != OK:
            x, y, z, vx, vy, vz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
        r[j, 0], r[j, 1], r[j, 2] = x, y, z
        v[j, 0], v[j, 1], v[j, 2] = vx, vy, vz
        status[j] = st
        resid[j] = res


def _run(r0, v0, dt, mu, shape):
    n = int(np.prod(shape, dtype=np.int64))
    r0f, v0f = _flat(r0, shape, (3,)), _flat(v0, shape, (3,))
    dtf, muf = _flat(dt, shape), _flat(mu, shape)
    r = np.empty((n, 3))
    v = np.empty((n, 3))
    status = np.empty(n, dtype=np.int64)
    resid = np.empty(n)
    _kepler_kernel(r0f, v0f, dtf, muf, r, v, status, resid)
    if np.any(status != OK):
        j = int(np.flatnonzero(status != OK)[0])
        where = (f"r0 = {r0f[j].tolist()} km, v0 = {v0f[j].tolist()} km/s, "
                 f"dt = {float(dtf[j])!r} s, mu = {float(muf[j])!r}")
        count = int(np.sum(status != OK))
        if status[j] == DEGENERATE:
            raise InputError(f"state has no orbit plane (r = 0 or r x v = 0: rectilinear "
                             f"orbit); {where}", field="r0", value=r0f[j].tolist())
        if status[j] == NOT_CONVERGED:
            raise ConvergenceError(
                f"universal Kepler equation did not converge in {_MAXIT} iterations for "
                f"{where} (relative residual {resid[j]:.3e}; {count} of {n} failed)")
        if status[j] == NON_FINITE:
            raise PropagationError(
                f"propagation overflowed (hyperbolic orbit propagated too far) for {where}",
                codes=status.reshape(shape))
        raise PropagationError(f"Kepler kernel status {status[j]} for {where}",
                               codes=status.reshape(shape))
    return r.reshape(shape + (3,)), v.reshape(shape + (3,))


def _inputs(r0, v0, dt, mu):
    r0 = _as_vectors(r0, "r0", "km")
    v0 = _as_vectors(v0, "v0", "km/s")
    dt = _as_float(dt, "dt")
    mu = _as_mu(mu)
    return r0, v0, dt, mu


def propagate_kepler(r0, v0, dt, mu):
    """Two-body states ``dt`` seconds after ``(r0, v0)``, for any conic.

    Parameters
    ----------
    r0 : array_like, shape (..., 3)
        Initial positions, km.
    v0 : array_like, shape (..., 3)
        Initial velocities, km/s.
    dt : float or array_like, shape (...)
        Time of flight, s (zero or negative allowed).
    mu : float or array_like, shape (...)
        Gravitational parameter, km^3/s^2.

    Returns
    -------
    r, v : ndarray, shape broadcast(r0.shape[:-1], v0.shape[:-1], dt.shape, mu.shape) + (3,)

    Raises
    ------
    InputError
        Non-finite values, bad shapes, ``mu <= 0``, or a rectilinear state (``r x v = 0``).
    ConvergenceError
        If the solver ever fails to converge (not seen in testing; the message gives the
        inputs and the residual).
    PropagationError
        If a hyperbolic state overflows double precision (``|dt|`` absurdly large).

    Examples
    --------
    Vallado Example 2-4:

    >>> r, v = propagate_kepler([1131.340, -2282.343, 6672.423],
    ...                         [-5.64305, 4.30333, 2.42879], 40 * 60.0, 398600.4418)
    >>> np.round(r, 3).tolist()
    [-4219.753, 4363.029, -3958.767]
    """
    r0, v0, dt, mu = _inputs(r0, v0, dt, mu)
    try:
        shape = np.broadcast_shapes(r0.shape[:-1], v0.shape[:-1], dt.shape, mu.shape)
    except ValueError:
        raise InputError(f"shapes do not broadcast: r0 {r0.shape}, v0 {v0.shape}, dt "
                         f"{dt.shape}, mu {mu.shape}", field="dt", value=dt.shape) from None
    return _run(r0, v0, dt, mu, shape)


def propagate_kepler_many(r0, v0, dts, mu):
    """Each state at each of ``M`` times (outer product).

    Parameters
    ----------
    r0, v0 : array_like, shape (..., 3)
        Initial states (km, km/s); ``...`` is the shape S of the set of states.
    dts : array_like, shape (M,)
        Times of flight, s.
    mu : float or array_like, shape S
        Gravitational parameter, km^3/s^2.

    Returns
    -------
    r, v : ndarray, shape S + (M, 3)
        ``(M, 3)`` for one state.
    """
    r0, v0, dts, mu = _inputs(r0, v0, dts, mu)
    if dts.ndim != 1:
        raise InputError(f"dts must be one-dimensional (M,); got shape {dts.shape}",
                         field="dts", value=dts.shape)
    try:
        s = np.broadcast_shapes(r0.shape[:-1], v0.shape[:-1], mu.shape)
    except ValueError:
        raise InputError(f"shapes do not broadcast: r0 {r0.shape}, v0 {v0.shape}, mu "
                         f"{mu.shape}", field="r0", value=r0.shape) from None
    m = dts.size
    shape = s + (m,)
    r0b = np.broadcast_to(r0, s + (3,))[..., None, :]
    v0b = np.broadcast_to(v0, s + (3,))[..., None, :]
    mub = np.broadcast_to(mu, s)[..., None]
    return _run(r0b, v0b, dts, mub, shape)


class Kepler:
    """Two-body propagator of one state with its epoch, frame and centre.

    Parameters
    ----------
    epoch : Epoch or str
        Epoch of the initial state (a scalar).
    r0, v0 : array_like, shape (3,)
        Initial position (km) and velocity (km/s) in ``frame``.
    frame : str
        Frame of the state, e.g. ``'GCRF'``; there is no default, and Earth-fixed frames
        (ITRF, TIRS) are refused: two-body motion is inertial.
    mu : float
        Gravitational parameter of ``center``, km^3/s^2.
    center : str
        Central body, default ``'earth'``.
    name : str, optional
        Object name carried into the trajectories.
    """

    def __init__(self, epoch, r0, v0, *, frame, mu, center="earth", name=None):
        self.epoch = Epoch.coerce(epoch)
        if self.epoch.shape != ():
            raise InputError(f"Kepler needs one initial epoch; got shape {self.epoch.shape}",
                             field="epoch", value=self.epoch)
        r0 = _as_vectors(r0, "r0", "km")
        v0 = _as_vectors(v0, "v0", "km/s")
        if r0.shape != (3,) or v0.shape != (3,):
            raise InputError(f"r0 and v0 must have shape (3,); got {r0.shape} and {v0.shape}",
                             field="r0", value=(r0.shape, v0.shape))
        self.r0, self.v0 = r0, v0
        self.mu = float(_as_mu(mu))
        self.frame = str(frame).upper()
        if self.frame in _ROTATING_FRAMES:
            raise InputError(f"Kepler propagation needs an inertial frame (e.g. GCRF); "
                             f"{frame!r} rotates with the Earth", field="frame", value=frame)
        self.center = str(center).lower()
        self.name = name
        propagate_kepler(r0, v0, 0.0, self.mu)  # rejects a rectilinear state now

    def __repr__(self):
        return (f"Kepler({self.name or 'unnamed'}, epoch={self.epoch.iso()}, "
                f"frame={self.frame}, center={self.center}, mu={self.mu})")

    def state_at(self, epochs):
        """Positions and velocities (km, km/s) at ``epochs``: shape ``epochs.shape + (3,)``."""
        epochs = Epoch.coerce(epochs)
        dt = np.asarray(epochs - self.epoch, dtype=float)
        return propagate_kepler(self.r0, self.v0, dt, self.mu)

    def propagate(self, epochs):
        """A :class:`~cosmoplan.trajectory.Trajectory` at ``epochs`` (strictly increasing)."""
        epochs = Epoch.coerce(epochs)
        r, v = self.state_at(epochs)
        return Trajectory(epochs, r.reshape(-1, 3), v.reshape(-1, 3), frame=self.frame,
                          center=self.center, name=self.name)
