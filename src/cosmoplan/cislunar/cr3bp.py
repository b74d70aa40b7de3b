"""The circular restricted three-body problem (CR3BP), Earth-Moon, in the rotating frame.

Frame and units
---------------
Every state here is in the **rotating barycentric frame** of the two primaries (Szebehely
1967, *Theory of Orbits*, ch. 1; Koon, Lo, Marsden & Ross 2011, *Dynamical Systems, the
Three-Body Problem and Space Mission Design*, ch. 2): origin at the Earth-Moon barycentre,
+x from the Earth towards the Moon, +z along the orbital angular momentum of the primaries,
+y completing the right-handed set. Units are **nondimensional** unless a name says
otherwise: length unit LU = Earth-Moon distance, time unit TU = 1/n (n the mean motion, so
one sidereal revolution of the primaries is 2 pi TU), the Earth of mass 1 - mu at
(-mu, 0, 0) and the Moon of mass mu at (1 - mu, 0, 0). A state is ``(x, y, z, vx, vy, vz)``,
shape ``(6,)``, or ``(N, 6)`` for a batch. :class:`System` converts to km, km/s and s.

Equations of motion (Szebehely 1967, sec. 1.4)::

    x'' - 2 y' = dU/dx,   y'' + 2 x' = dU/dy,   z'' = dU/dz,
    U = (x^2 + y^2) / 2 + (1 - mu) / r1 + mu / r2,

with r1, r2 the distances to the Earth and the Moon. The Jacobi constant C = 2 U - v^2 is
the one integral of motion (:func:`jacobi`). The variational equations
Phi' = A(t) Phi, A = [[0, I], [U_rr, Omega]], Omega = [[0, 2, 0], [-2, 0, 0], [0, 0, 0]]
give the 6 x 6 state-transition matrix (STM); with the state they make 42 equations.

Integrator
----------
The whole step loop runs in numba (``cosmoplan._numba.jit``, cached on disk): the explicit
Runge-Kutta pair of Dormand & Prince 8(5,3) ("DOP853", Hairer, Norsett & Wanner 1993,
*Solving Ordinary Differential Equations I*, 2nd ed., sec. II.10), with the error norm and
step-size control of Hairer's ``dop853.f`` as SciPy's ``solve_ivp(method="DOP853")`` does
them (so the two can be compared at equal tolerances; the Butcher coefficients below are
Hairer's, as tabulated in SciPy's ``scipy/integrate/_ivp/dop853_coefficients.py``, BSD-3).
Default tolerances :data:`RTOL` = :data:`ATOL` = 1e-13 (relative and absolute, per
component, on the state and, when propagated, on the STM): with them the JPL catalog L2
halo 1524 closes to 2e-12 after one period (75 steps) and its Jacobi constant varies by
3e-15 over five periods. Tighter than about 3e-14 gains nothing in double precision.

An event on the crossings of the xz-plane (y = 0) stops the integration at the n-th crossing
(optionally only those with a given direction); the crossing time is refined by Newton's
method on y(t), each iterate one DOP853 step from the start of the step that bracketed it,
until the Newton update is below :data:`EVENT_TOL` = 1e-14 TU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._numba import jit
from ..constants import EARTH_MU_KM3_S2, MOON_GM_KM3_S2
from ..errors import ConvergenceError, InputError

__all__ = [
    "MU_EARTH_MOON",
    "System",
    "EARTH_MOON",
    "RTOL",
    "ATOL",
    "EVENT_TOL",
    "JPL_EARTH_MOON",
    "LU_EARTH_MOON_KM",
    "derivatives",
    "propagate",
    "propagate_to_crossing",
    "Arc",
    "Crossing",
    "jacobi",
    "libration_point",
    "libration_points",
    "stability",
    "Stability",
]

MU_EARTH_MOON = 0.01215058560962404
"""Earth-Moon mass ratio mu = m_Moon / (m_Earth + m_Moon) of the JPL Solar System Dynamics
three-body periodic-orbit catalog (https://ssd.jpl.nasa.gov/tools/periodic_orbits.html,
``mass_ratio`` 1.215058560962404E-2 in its API answers for ``sys=earth-moon``), so that the
catalog's initial conditions are periodic here. Other values in use: 0.012150585609624
(the same, 14 digits), 0.0121505856 (rounded), 0.012150529811497 (DE421 GMs), and
1 / (1 + 81.300568) = 0.0121505843 (IAU 2009 Earth/Moon mass ratio). A change of 1e-9 in
mu moves L2 by about 1e-9 LU and breaks 1e-10 closures of catalog orbits."""

RTOL = 1e-13
"""Default relative tolerance of the DOP853 integrator (per component)."""
ATOL = 1e-13
"""Default absolute tolerance of the DOP853 integrator, LU, LU/TU (per component)."""
EVENT_TOL = 1e-14
"""Convergence threshold of the y = 0 crossing time, TU (Newton update)."""


@dataclass(frozen=True)
class System:
    """A CR3BP system: mass ratio and the units that make it nondimensional.

    Parameters
    ----------
    name : str
        Primary-secondary name, e.g. ``"Earth-Moon"``.
    mu : float
        Mass ratio m2 / (m1 + m2).
    length_unit_km : float
        Length unit LU (distance between the primaries), km.
    time_unit_s : float
        Time unit TU = 1 / n, s (the primaries revolve once in 2 pi TU).
    """

    name: str
    mu: float
    length_unit_km: float
    time_unit_s: float

    @property
    def velocity_unit_km_s(self) -> float:
        """Velocity unit LU / TU, km/s."""
        return self.length_unit_km / self.time_unit_s

    def to_km(self, length):
        """Nondimensional length(s) to km (any shape)."""
        return np.asarray(length, dtype=float) * self.length_unit_km

    def to_km_s(self, speed):
        """Nondimensional velocity(ies) to km/s (any shape)."""
        return np.asarray(speed, dtype=float) * self.velocity_unit_km_s

    def to_s(self, t):
        """Nondimensional time(s) to s (any shape)."""
        return np.asarray(t, dtype=float) * self.time_unit_s

    def from_km(self, length_km):
        """Length(s) in km to nondimensional."""
        return np.asarray(length_km, dtype=float) / self.length_unit_km

    def from_km_s(self, speed_km_s):
        """Velocity(ies) in km/s to nondimensional."""
        return np.asarray(speed_km_s, dtype=float) / self.velocity_unit_km_s

    def from_s(self, t_s):
        """Time(s) in s to nondimensional TU."""
        return np.asarray(t_s, dtype=float) / self.time_unit_s

    def state_to_km(self, state):
        """State(s) ``(..., 6)`` nondimensional to km and km/s (same rotating frame)."""
        s = np.array(state, dtype=float)
        s[..., :3] *= self.length_unit_km
        s[..., 3:] *= self.velocity_unit_km_s
        return s

    def state_from_km(self, state_km):
        """State(s) ``(..., 6)`` in km and km/s to nondimensional (same rotating frame)."""
        s = np.array(state_km, dtype=float)
        s[..., :3] /= self.length_unit_km
        s[..., 3:] /= self.velocity_unit_km_s
        return s


LU_EARTH_MOON_KM = 384400.0
"""Mean Earth-Moon distance, km (the length unit of most cislunar literature, e.g.
Zimovan-Spreen, Howell & Davis 2020; NASA lunar fact sheet)."""

EARTH_MOON = System(
    "Earth-Moon", MU_EARTH_MOON, LU_EARTH_MOON_KM,
    float(np.sqrt(LU_EARTH_MOON_KM**3 / (EARTH_MU_KM3_S2 + MOON_GM_KM3_S2))))
"""The Earth-Moon system in physical units: mu as :data:`MU_EARTH_MOON`, LU = 384400 km
and TU = sqrt(LU^3 / (GM_Earth + GM_Moon)) = 375,190 s (GMs of
:mod:`cosmoplan.constants`), so 2 pi TU = 27.28 d, close to the sidereal month (27.32 d):
dimensional periods are those of the real Moon's mean motion. With these units the 9:2
NRHO has the perilune radius of the Gateway orbit (about 3250 km) and an L2 halo of Az
13000 km a period of 14.8 d (Queqiao: about 14 d)."""

JPL_EARTH_MOON = System("Earth-Moon (JPL catalog units)", MU_EARTH_MOON, 389703.0, 382981.0)
"""The units the JPL SSD three-body periodic-orbit catalog quotes for ``sys=earth-moon``
(LU = 389703 km, TU = 382981 s, https://ssd-api.jpl.nasa.gov/doc/periodic_orbits.html, as
quoted in public code; not independently confirmed here): for comparing dimensional values
with the catalog. Nondimensional states, periods and Jacobi constants do not depend on the
units, only on mu."""


# --------------------------------------------------------------------------------------
# DOP853 Butcher tableau, 12 stages (Hairer et al. 1993), error weights E3 and E5.
_C = np.array([
    0.0, 0.05260015195876773, 0.0789002279381516, 0.1183503419072274, 0.2816496580927726,
    0.3333333333333333, 0.25, 0.3076923076923077, 0.6512820512820513, 0.6, 0.8571428571428571,
    1.0,
])

_A = np.zeros((12, 12))
_A[1, 0] = 0.05260015195876773
_A[2, 0] = 0.0197250569845379
_A[2, 1] = 0.0591751709536137
_A[3, 0] = 0.02958758547680685
_A[3, 2] = 0.08876275643042054
_A[4, 0] = 0.2413651341592667
_A[4, 2] = -0.8845494793282861
_A[4, 3] = 0.924834003261792
_A[5, 0] = 0.037037037037037035
_A[5, 3] = 0.17082860872947386
_A[5, 4] = 0.12546768756682242
_A[6, 0] = 0.037109375
_A[6, 3] = 0.17025221101954405
_A[6, 4] = 0.06021653898045596
_A[6, 5] = -0.017578125
_A[7, 0] = 0.03709200011850479
_A[7, 3] = 0.17038392571223998
_A[7, 4] = 0.10726203044637328
_A[7, 5] = -0.015319437748624402
_A[7, 6] = 0.008273789163814023
_A[8, 0] = 0.6241109587160757
_A[8, 3] = -3.3608926294469414
_A[8, 4] = -0.868219346841726
_A[8, 5] = 27.59209969944671
_A[8, 6] = 20.154067550477894
_A[8, 7] = -43.48988418106996
_A[9, 0] = 0.47766253643826434
_A[9, 3] = -2.4881146199716677
_A[9, 4] = -0.590290826836843
_A[9, 5] = 21.230051448181193
_A[9, 6] = 15.279233632882423
_A[9, 7] = -33.28821096898486
_A[9, 8] = -0.020331201708508627
_A[10, 0] = -0.9371424300859873
_A[10, 3] = 5.186372428844064
_A[10, 4] = 1.0914373489967295
_A[10, 5] = -8.149787010746927
_A[10, 6] = -18.52006565999696
_A[10, 7] = 22.739487099350505
_A[10, 8] = 2.4936055526796523
_A[10, 9] = -3.0467644718982196
_A[11, 0] = 2.273310147516538
_A[11, 3] = -10.53449546673725
_A[11, 4] = -2.0008720582248625
_A[11, 5] = -17.9589318631188
_A[11, 6] = 27.94888452941996
_A[11, 7] = -2.8589982771350235
_A[11, 8] = -8.87285693353063
_A[11, 9] = 12.360567175794303
_A[11, 10] = 0.6433927460157636
_B = np.array([
    0.054293734116568765, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,
    -5.801203960010585, 0.3111643669578199, -0.1521609496625161, 0.20136540080403034,
    0.04471061572777259,
])

_E3 = np.array([
    -0.18980075407240762, 0.0, 0.0, 0.0, 0.0, 4.450312892752409, 1.8915178993145003,
    -5.801203960010585, -0.4226823213237919, -0.1521609496625161, 0.20136540080403034,
    0.02265179219836082,
])

_E5 = np.array([
    0.01312004499419488, 0.0, 0.0, 0.0, 0.0, -1.2251564463762044, -0.4957589496572502,
    1.6643771824549864, -0.35032884874997366, 0.3341791187130175, 0.08192320648511571,
    -0.022355307863886294,
])


@jit
def _rhs(y, mu, out):
    """Time derivative of a 6-state, or of a 42-state (state + row-major STM), in place."""
    x = y[0]
    yy = y[1]
    z = y[2]
    dx1 = x + mu
    dx2 = x - 1.0 + mu
    r1sq = dx1 * dx1 + yy * yy + z * z
    r2sq = dx2 * dx2 + yy * yy + z * z
    r1 = np.sqrt(r1sq)
    r2 = np.sqrt(r2sq)
    a1 = (1.0 - mu) / (r1sq * r1)
    a2 = mu / (r2sq * r2)
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = 2.0 * y[4] + x - a1 * dx1 - a2 * dx2
    out[4] = -2.0 * y[3] + yy - (a1 + a2) * yy
    out[5] = -(a1 + a2) * z
    if y.shape[0] > 6:
        b1 = 3.0 * a1 / r1sq
        b2 = 3.0 * a2 / r2sq
        uxx = 1.0 - a1 - a2 + b1 * dx1 * dx1 + b2 * dx2 * dx2
        uyy = 1.0 - a1 - a2 + (b1 + b2) * yy * yy
        uzz = -a1 - a2 + (b1 + b2) * z * z
        uxy = (b1 * dx1 + b2 * dx2) * yy
        uxz = (b1 * dx1 + b2 * dx2) * z
        uyz = (b1 + b2) * yy * z
        for j in range(6):
            p0 = y[6 + j]
            p1 = y[12 + j]
            p2 = y[18 + j]
            p3 = y[24 + j]
            p4 = y[30 + j]
            p5 = y[36 + j]
            out[6 + j] = p3
            out[12 + j] = p4
            out[18 + j] = p5
            out[24 + j] = uxx * p0 + uxy * p1 + uxz * p2 + 2.0 * p4
            out[30 + j] = uxy * p0 + uyy * p1 + uyz * p2 - 2.0 * p3
            out[36 + j] = uxz * p0 + uyz * p1 + uzz * p2


@jit
def _step(y, f0, h, mu, k, ytmp, ynew):
    """One DOP853 step of size h from y (derivative f0); stages in k (12, n), result ynew."""
    n = y.shape[0]
    for i in range(n):
        k[0, i] = f0[i]
    for s in range(1, 12):
        for i in range(n):
            acc = 0.0
            for j in range(s):
                acc += _A[s, j] * k[j, i]
            ytmp[i] = y[i] + h * acc
        _rhs(ytmp, mu, k[s])
    for i in range(n):
        acc = 0.0
        for j in range(12):
            acc += _B[j] * k[j, i]
        ynew[i] = y[i] + h * acc


@jit
def _error_norm(y, ynew, k, h, rtol, atol):
    """Hairer's dop853 error norm (as in SciPy's DOP853), < 1 accepts the step."""
    n = y.shape[0]
    e5 = 0.0
    e3 = 0.0
    for i in range(n):
        sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
        a5 = 0.0
        a3 = 0.0
        for j in range(12):
            a5 += _E5[j] * k[j, i]
            a3 += _E3[j] * k[j, i]
        a5 /= sc
        a3 /= sc
        e5 += a5 * a5
        e3 += a3 * a3
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    return abs(h) * e5 / np.sqrt((e5 + 0.01 * e3) * n)


@jit
def _integrate(y0, t0, tf, mu, rtol, atol, t_out, ev_dir, ev_count, max_steps):
    """Propagate y0 (6 or 42 components) from t0 to tf (either direction).

    Returns (status, t_end, y_end, y_out, n_out, n_steps): status 0 = reached tf,
    1 = stopped at the ev_count-th y = 0 crossing (ev_count <= 0: no event), 2 = more than
    max_steps steps, 3 = step size underflow. y_out (len(t_out), n) holds the states at the
    requested times t_out (monotone, between t0 and tf), n_out of them reached.
    """
    n = y0.shape[0]
    m = t_out.shape[0]
    y_out = np.full((m, n), np.nan)
    k = np.empty((12, n))
    ytmp = np.empty(n)
    ynew = np.empty(n)
    yev = np.empty(n)
    f0 = np.empty(n)
    f1 = np.empty(n)
    y = y0.copy()
    t = t0
    sgn = 1.0 if tf >= t0 else -1.0
    n_out = 0
    while n_out < m and sgn * (t_out[n_out] - t0) <= 0.0:
        y_out[n_out] = y
        n_out += 1
    if tf == t0:
        return 0, t, y, y_out, n_out, 0
    _rhs(y, mu, f0)
    # initial step (Hairer et al. 1993, sec. II.4)
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, abs(tf - t0))
    for i in range(n):
        ytmp[i] = y[i] + sgn * h0 * f0[i]
    _rhs(ytmp, mu, f1)
    d2 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d2 += ((f1[i] - f0[i]) / sc) ** 2
    d2 = np.sqrt(d2 / n) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 8.0)
    habs = min(100.0 * h0, h1, abs(tf - t0))
    n_steps = 0
    n_ev = 0
    rejected = False
    while True:
        if n_steps >= max_steps:
            return 2, t, y, y_out, n_out, n_steps
        # do not step past the next output time nor past tf
        t_next = tf
        if n_out < m and sgn * (t_out[n_out] - tf) < 0.0:
            t_next = t_out[n_out]
        last = False
        if habs >= abs(t_next - t):
            habs_try = abs(t_next - t)
            last = True
        else:
            habs_try = habs
        if habs_try < 1e-15 * max(1.0, abs(t)):
            return 3, t, y, y_out, n_out, n_steps
        h = sgn * habs_try
        _step(y, f0, h, mu, k, ytmp, ynew)
        err = _error_norm(y, ynew, k, h, rtol, atol)
        n_steps += 1
        if err > 1.0:
            habs = habs_try * max(0.2, 0.9 * err ** (-1.0 / 8.0))
            rejected = True
            continue
        if err == 0.0:
            fac = 10.0
        else:
            fac = min(10.0, 0.9 * err ** (-1.0 / 8.0))
        if rejected:
            fac = min(1.0, fac)
        rejected = False
        # event: sign change of y strictly inside or at the end of the step
        if ev_count > 0 and y[1] * ynew[1] < 0.0 and (
            ev_dir == 0 or (ev_dir > 0 and ynew[1] > 0.0) or (ev_dir < 0 and ynew[1] < 0.0)
        ):
            n_ev += 1
            if n_ev == ev_count:
                th = h * y[1] / (y[1] - ynew[1])
                for _ in range(30):
                    _step(y, f0, th, mu, k, ytmp, yev)
                    dth = -yev[1] / yev[4]
                    th += dth
                    if abs(dth) < 1e-14:
                        break
                _step(y, f0, th, mu, k, ytmp, yev)
                return 1, t + th, yev.copy(), y_out, n_out, n_steps
        t = t_next if last else t + h
        for i in range(n):
            y[i] = ynew[i]
        _rhs(y, mu, f0)
        while n_out < m and sgn * (t_out[n_out] - t) <= 0.0:
            y_out[n_out] = y
            n_out += 1
        if last and t_next == tf:
            return 0, t, y, y_out, n_out, n_steps
        habs = habs_try * fac if not last else max(habs, habs_try * fac)


@jit
def _integrate_batch(y0s, t0, tf, mu, rtol, atol, t_out, ev_dir, ev_count, max_steps):
    """:func:`_integrate` over the rows of y0s (N, n)."""
    nb = y0s.shape[0]
    n = y0s.shape[1]
    m = t_out.shape[0]
    status = np.empty(nb, dtype=np.int64)
    t_end = np.empty(nb)
    y_end = np.empty((nb, n))
    y_out = np.empty((nb, m, n))
    n_out = np.empty(nb, dtype=np.int64)
    n_steps = np.empty(nb, dtype=np.int64)
    for b in range(nb):
        st, te, ye, yo, no, ns = _integrate(y0s[b], t0, tf[b], mu, rtol, atol, t_out, ev_dir,
                                            ev_count, max_steps)
        status[b] = st
        t_end[b] = te
        y_end[b] = ye
        y_out[b] = yo
        n_out[b] = no
        n_steps[b] = ns
    return status, t_end, y_end, y_out, n_out, n_steps


_STATUS = {2: "more steps than max_steps", 3: "step size underflow"}


def _finite(value, name):
    """``value`` as a finite float, else InputError naming the argument."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} = {value!r} is not a number", source=f"argument {name!r}",
                         field=name, value=value) from None
    if not np.isfinite(v):
        raise InputError(f"{name} = {value!r} must be finite", source=f"argument {name!r}",
                         field=name, value=value)
    return v


def _check_mu(mu):
    m = _finite(mu, "mu")
    if not 0.0 < m <= 0.5:
        raise InputError(f"mass ratio mu = {mu} outside (0, 1/2]", source="argument 'mu'",
                         field="mu", value=mu)
    return m


def _as_states(state0, name="state0"):
    try:
        s = np.asarray(state0, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers, shape (6,) or (N, 6)",
                         source=f"argument {name!r}", field=name) from None
    if s.shape[-1:] != (6,) or s.ndim not in (1, 2):
        raise InputError(f"expected a state of shape (6,) or (N, 6), got shape {s.shape}",
                         source=f"argument {name!r}", field=name, value=s.shape)
    if not np.all(np.isfinite(s)):
        raise InputError("state contains NaN or infinity", source=f"argument {name!r}",
                         field=name)
    return s


def _with_stm(s):
    """Append a row-major identity STM to (N, 6) states -> (N, 42)."""
    out = np.zeros((s.shape[0], 42))
    out[:, :6] = s
    out[:, 6::7] = 1.0
    return out


def derivatives(state, mu=MU_EARTH_MOON):
    """Time derivative of CR3BP state(s) ``(6,)`` or ``(N, 6)``: velocity and acceleration.

    Nondimensional, rotating barycentric frame (Szebehely 1967, sec. 1.4).
    """
    s = _as_states(state, "state")
    flat = np.atleast_2d(s)
    out = np.empty_like(flat)
    for i in range(flat.shape[0]):
        _rhs(flat[i], float(mu), out[i])
    return out.reshape(s.shape)


@dataclass(frozen=True)
class Arc:
    """A propagated CR3BP arc (rotating barycentric frame, nondimensional).

    Attributes
    ----------
    t : ndarray, shape (m,)
        Output times, TU.
    states : ndarray, shape (m, 6) or (N, m, 6)
        States at ``t``.
    stm : ndarray, shape (m, 6, 6) or (N, m, 6, 6), or None
        State-transition matrices d state(t) / d state0 at ``t`` (``stm=True`` only).
    n_steps : ndarray or int
        Integrator steps taken (accepted and rejected).
    """

    t: np.ndarray
    states: np.ndarray
    stm: np.ndarray | None
    n_steps: object

    @property
    def state_final(self):
        """State(s) at the last output time, ``(6,)`` or ``(N, 6)``."""
        return self.states[..., -1, :]

    @property
    def stm_final(self):
        """STM(s) at the last output time, ``(6, 6)`` or ``(N, 6, 6)``, or None."""
        return None if self.stm is None else self.stm[..., -1, :, :]


def propagate(state0, t_final, *, stm=False, dense=None, mu=MU_EARTH_MOON, rtol=RTOL,
              atol=ATOL, max_steps=1_000_000):
    """Propagate CR3BP state(s) from t = 0 to ``t_final`` with the compiled DOP853.

    Parameters
    ----------
    state0 : array_like, shape (6,) or (N, 6)
        Initial state(s), nondimensional, rotating barycentric frame.
    t_final : float
        Final time, TU (negative: backwards).
    stm : bool
        Also propagate the 6 x 6 state-transition matrix (42 equations).
    dense : None, int or array_like
        Output times: None gives only ``t_final``; an int m gives m equally spaced times
        from 0 to ``t_final`` inclusive; an array gives those times (monotone, within
        [0, t_final]). The integrator lands exactly on each output time (no interpolation).
    mu : float
        Mass ratio.
    rtol, atol : float
        Integrator tolerances (module docstring).

    Returns
    -------
    Arc

    Raises
    ------
    InputError
        For a malformed state or output times.
    ConvergenceError
        When the integrator exceeds ``max_steps`` or its step size underflows (e.g. a
        collision with a primary).
    """
    s = _as_states(state0)
    tf = _finite(t_final, "t_final")
    _check_mu(mu)
    for name, tol_value in (("rtol", rtol), ("atol", atol)):
        if not 0.0 < _finite(tol_value, name) < 1.0:
            raise InputError(f"{name} = {tol_value!r} must be in (0, 1)",
                             source=f"argument {name!r}", field=name, value=tol_value)
    if dense is None:
        t_out = np.array([tf])
    elif np.ndim(dense) == 0:
        if isinstance(dense, bool) or not isinstance(dense, (int, np.integer)) \
                or not 2 <= dense <= 10_000_000:
            raise InputError(f"dense={dense!r}: an integer number of output times, 2 to 1e7",
                             source="argument 'dense'", field="dense", value=dense)
        m = int(dense)
        if m < 2:
            raise InputError(f"dense={dense!r}: need at least 2 output times",
                             source="argument 'dense'", field="dense", value=dense)
        t_out = np.linspace(0.0, tf, m)
    else:
        t_out = np.asarray(dense, dtype=float).ravel()
        if t_out.size == 0 or not np.all(np.isfinite(t_out)):
            raise InputError("output times must be a non-empty array of finite TU values",
                             source="argument 'dense'", field="dense")
        d = np.diff(t_out) * np.sign(tf if tf != 0 else 1.0)
        if np.any(d < 0) or np.any(np.sign(tf) * t_out < 0) or np.any(np.abs(t_out) > abs(tf)):
            raise InputError(f"output times must be monotone within [0, {tf}]",
                             source="argument 'dense'", field="dense")
    y0 = np.atleast_2d(s)
    if stm:
        y0 = _with_stm(y0)
    st, _, _, y_out, n_out, n_steps = _integrate_batch(
        np.ascontiguousarray(y0), 0.0, np.full(y0.shape[0], tf), float(mu), float(rtol),
        float(atol), t_out, 0, 0, int(max_steps))
    bad = np.flatnonzero(st != 0)
    if bad.size:
        raise ConvergenceError(f"CR3BP propagation of state {bad[0]} to t = {tf} TU failed: "
                               f"{_STATUS.get(int(st[bad[0]]), st[bad[0]])} "
                               f"(initial state {y0[bad[0], :6].tolist()}, mu = {mu})")
    states = y_out[:, :, :6]
    phi = y_out[:, :, 6:].reshape(y_out.shape[0], -1, 6, 6) if stm else None
    if s.ndim == 1:
        return Arc(t_out, states[0], None if phi is None else phi[0], int(n_steps[0]))
    return Arc(t_out, states, phi, n_steps)


@dataclass(frozen=True)
class Crossing:
    """The state where a trajectory crosses the xz-plane (y = 0).

    Attributes
    ----------
    t : float or ndarray (N,)
        Crossing time, TU (refined to :data:`EVENT_TOL`).
    state : ndarray, shape (6,) or (N, 6)
        State at the crossing (y = 0 to about 1e-16).
    stm : ndarray, shape (6, 6) or (N, 6, 6), or None
        STM from t = 0 to the crossing (fixed-time: it does not include the change of the
        crossing time; see :func:`cosmoplan.cislunar.periodic.correct_symmetric`).
    """

    t: object
    state: np.ndarray
    stm: np.ndarray | None


def propagate_to_crossing(state0, *, count=1, direction=0, t_max=20.0, stm=False,
                          mu=MU_EARTH_MOON, rtol=RTOL, atol=ATOL, max_steps=1_000_000):
    """Propagate to the ``count``-th crossing of the xz-plane (y = 0) after t = 0.

    A state starting on the plane (y0 = 0) does not count as a crossing. ``direction``
    +1 counts only crossings with y increasing, -1 decreasing, 0 both. ``t_max`` (TU; its
    sign sets the direction of time) bounds the search. Shapes, frame and units as
    :func:`propagate`; raises :class:`ConvergenceError` when no crossing is found before
    ``t_max``.
    """
    s = _as_states(state0)
    y0 = np.atleast_2d(s)
    if stm:
        y0 = _with_stm(y0)
    st, t_end, y_end, _, _, _ = _integrate_batch(
        np.ascontiguousarray(y0), 0.0, np.full(y0.shape[0], float(t_max)), float(mu),
        float(rtol), float(atol), np.empty(0), int(direction), int(count), int(max_steps))
    bad = np.flatnonzero(st != 1)
    if bad.size:
        b = bad[0]
        why = "no crossing before t_max" if st[b] == 0 else _STATUS.get(int(st[b]), st[b])
        raise ConvergenceError(f"y = 0 crossing {count} of state {b} not found: {why} "
                               f"(t_max = {t_max} TU, initial state {y0[b, :6].tolist()})")
    phi = y_end[:, 6:].reshape(-1, 6, 6) if stm else None
    if s.ndim == 1:
        return Crossing(float(t_end[0]), y_end[0, :6], None if phi is None else phi[0])
    return Crossing(t_end, y_end[:, :6], phi)


def jacobi(state, mu=MU_EARTH_MOON):
    """Jacobi constant C = 2 U - v^2 of state(s) ``(..., 6)`` -> ``(...)``.

    U = (x^2 + y^2) / 2 + (1 - mu) / r1 + mu / r2 (Szebehely 1967, sec. 1.6; some authors,
    e.g. Koon et al. 2011, use E = -C / 2 instead, or add mu (1 - mu) to U).
    """
    s = np.asarray(state, dtype=float)
    x, y, z = s[..., 0], s[..., 1], s[..., 2]
    r1 = np.sqrt((x + mu) ** 2 + y**2 + z**2)
    r2 = np.sqrt((x - 1.0 + mu) ** 2 + y**2 + z**2)
    u = 0.5 * (x**2 + y**2) + (1.0 - mu) / r1 + mu / r2
    return 2.0 * u - np.sum(s[..., 3:] ** 2, axis=-1)


def _collinear(point, mu):
    """x of L1, L2 or L3 by Newton's method on dU/dx = 0 (y = z = 0), to machine precision.

    Starting guesses: Hill's radius (mu/3)^(1/3) from the Moon for L1 and L2, and
    x = -1 - 5 mu / 12 for L3 (Szebehely 1967, sec. 4.5)."""
    h = (mu / 3.0) ** (1.0 / 3.0)
    x = {1: 1.0 - mu - h, 2: 1.0 - mu + h, 3: -1.0 - 5.0 * mu / 12.0}[point]
    for _ in range(100):
        d1 = x + mu
        d2 = x - 1.0 + mu
        f = x - (1.0 - mu) * d1 / abs(d1) ** 3 - mu * d2 / abs(d2) ** 3
        df = 1.0 + 2.0 * (1.0 - mu) / abs(d1) ** 3 + 2.0 * mu / abs(d2) ** 3
        dx = f / df
        x -= dx
        if abs(dx) <= 4e-16 * abs(x):
            break
    else:  # pragma: no cover - Newton converges in < 10 iterations for 0 < mu <= 1/2
        raise ConvergenceError(f"L{point} did not converge for mu = {mu}")
    return x


def libration_point(point, mu=MU_EARTH_MOON):
    """Position ``(3,)`` of libration point L1..L5 (rotating barycentric, nondimensional).

    L1 lies between the Earth and the Moon, L2 beyond the Moon, L3 beyond the Earth; the
    collinear ones solve dU/dx = 0 by Newton's method to machine precision (equivalent to
    the quintic of Szebehely 1967, sec. 4.5); L4 (y > 0, leading the Moon) and L5 are
    exact: (1/2 - mu, +-sqrt(3)/2, 0).

    Raises
    ------
    InputError
        When ``point`` is not one of 1, 2, 3, 4, 5.
    """
    if isinstance(point, str) and point.upper().startswith("L") and point[1:].isdigit():
        point = int(point[1:])
    if isinstance(point, bool) or not isinstance(point, (int, np.integer)) or not 1 <= point <= 5:
        raise InputError(f"libration point {point!r} does not exist; expected 1, 2, 3, 4 or 5 "
                         "(or 'L1'..'L5')", source="argument 'point'", field="point",
                         value=point)
    if not 0.0 < mu <= 0.5:
        raise InputError(f"mass ratio mu = {mu} outside (0, 1/2]", source="argument 'mu'",
                         field="mu", value=mu)
    if point <= 3:
        return np.array([_collinear(int(point), mu), 0.0, 0.0])
    return np.array([0.5 - mu, (1.0 if point == 4 else -1.0) * np.sqrt(3.0) / 2.0, 0.0])


def libration_points(mu=MU_EARTH_MOON):
    """Positions of L1..L5, shape ``(5, 3)`` (row i is L(i+1)); see :func:`libration_point`."""
    return np.array([libration_point(i, mu) for i in range(1, 6)])


@dataclass(frozen=True)
class Stability:
    """Linear stability of a periodic orbit from its monodromy matrix.

    Attributes
    ----------
    eigenvalues : ndarray, shape (6,), complex
        Eigenvalues of the monodromy matrix, in reciprocal pairs; the trivial pair (closest
        to 1) first.
    indices : ndarray, shape (2,)
        Stability indices nu = |lambda + 1/lambda| / 2 of the two non-trivial pairs, largest
        first (Howell 1984, Celest. Mech. 32, 53-71; Zimovan-Spreen 2021): nu <= 1 is a pair
        on the unit circle (linearly stable mode), nu > 1 an unstable (saddle) pair.
    """

    eigenvalues: np.ndarray
    indices: np.ndarray

    @property
    def stable(self) -> bool:
        """True when both indices are <= 1 (to 1e-6)."""
        return bool(np.all(self.indices <= 1.0 + 1e-6))


def stability(monodromy):
    """Eigenvalues and stability indices of a monodromy matrix ``(6, 6)``; see
    :class:`Stability`. The pairs are formed from s = lambda + 1/lambda, which is equal
    within a reciprocal pair."""
    m = np.asarray(monodromy, dtype=float)
    if m.shape != (6, 6):
        raise InputError(f"monodromy matrix must be 6 x 6, got {m.shape}",
                         source="argument 'monodromy'", field="monodromy", value=m.shape)
    lam = np.linalg.eigvals(m)
    trivial = np.argsort(np.abs(lam - 1.0))[:2]
    rest = np.array([i for i in range(6) if i not in trivial])
    s = lam[rest] + 1.0 / lam[rest]
    # pair the four remaining by closest s
    best = None
    for a, b in ((1, (2, 3)), (2, (1, 3)), (3, (1, 2))):
        cost = abs(s[0] - s[a]) + abs(s[b[0]] - s[b[1]])
        if best is None or cost < best[0]:
            best = (cost, (0, a), b)
    pairs = [best[1], best[2]]
    nu = np.array([0.5 * abs(0.5 * (s[i] + s[j])) for i, j in pairs])
    order = np.argsort(-nu)
    eig = np.concatenate([lam[trivial], lam[rest[list(pairs[order[0]])]],
                          lam[rest[list(pairs[order[1]])]]])
    return Stability(eig, nu[order])
