"""Transition of CR3BP libration-point orbits to a point-mass ephemeris model (DE421).

A periodic orbit of the Earth-Moon CR3BP (:mod:`cosmoplan.cislunar.cr3bp`,
:mod:`cosmoplan.cislunar.periodic`) is only an approximation of a trajectory in the real
solar system: the Moon's orbit is eccentric (e ~ 0.055) and inclined, and the Sun pulls.
This module maps a CR3BP trajectory into inertial space at a chosen epoch, propagates in a
Moon-centred point-mass model of Moon, Earth and Sun, and restores continuity by multiple
shooting (Howell & Pernicka 1988, Celest. Mech. 41, 107-124, "A numerical determination of
Lissajous trajectories in the restricted three-body problem"; Gómez, Masdemont & Simó 1998,
J. Astronaut. Sci. 46, "Quasihalo orbits associated with libration points"; Pavlak 2013,
PhD diss., Purdue, ch. 2 and 3; Zimovan-Spreen 2021, PhD diss., Purdue, ch. 6).

Frames, units, time scales
--------------------------
* CR3BP side: nondimensional rotating barycentric frame of :mod:`~.cr3bp` (Earth at -mu,
  Moon at 1 - mu on +x), times ``t`` in TU counted from the epoch.
* Ephemeris side: **Moon-centred GCRF** (ICRF axes, origin at the Moon's centre of mass),
  km and km/s; epochs are :class:`cosmoplan.time.Epoch` in **TDB** (the time argument of
  DE421). A Moon-centred origin keeps the libration orbit's coordinates small (~1e5 km)
  and the Moon's own term exact. Elapsed times are TDB seconds.
* Rotating -> inertial (the "pulsating" instantaneous frame, Gómez et al. 1998; Pavlak 2013,
  ch. 2): at each epoch the Moon's geocentric position R and velocity V (DE421, from the
  Chebyshev derivative of the ephemeris itself) define the length l = |R|, the axes
  x = R / l, z = R x V / |R x V|, y = z x x (matrix C = [x y z], columns) and the frame's
  angular velocity, in rotating components, omega = (l (A . z) / |R x V|, 0, |R x V| / l^2),
  with A the Moon's geocentric acceleration (a central difference of the DE421 velocity
  with :data:`ACCEL_STEP_S`; the x component, the turn of the orbit plane, is about 1e-3 of
  the z component). With rho the Moon-centred nondimensional position
  (x - 1 + mu, y, z) and rho' its TU derivative::

      r = l C rho,      v = C (l_dot rho + l omega x rho + (l / TU) rho'),

  l_dot = R . V / l. Lengths scale with the instantaneous distance, so the CR3BP length unit
  drops out. Two clocks relate the CR3BP time tau (TU) to the TDB time t (s) after the
  epoch:

  - ``clock="angle"`` (default): tau is the angle the Earth-Moon line has turned since the
    epoch, tau(t) = integral of theta_dot = |R x V| / l^2 (so d tau / dt = theta_dot and
    the last term reads l theta_dot rho'). The CR3BP primaries then sit where the real
    ones are at every instant: this is the true-anomaly time of the pulsating elliptic
    problem (Szebehely 1967, ch. 10; Gómez et al. 1998), where the eccentricity enters
    only as the factor 1 / (1 + e cos f) on the potential gradient, which vanishes at the
    libration points (the Sun and the tilt of the lunar orbit remain). The integral is a
    cubic-spline antiderivative of theta_dot sampled hourly from DE421 (error < 1e-12
    rad), inverted by a second spline.
  - ``clock="uniform"``: tau = t / TU with the TU of ``system`` (last term (l / TU) rho'),
    the linear clock used by e.g. Pavlak 2013; the real Moon then leads or lags the CR3BP
    one by up to 2 e = 6 degrees.

  For the JPL catalog L2 orbit at 2018-06-14 the corrected ephemeris orbit stays within
  about 2600 km of its CR3BP counterpart with the angle clock, 8600 km with the uniform one
  (tests/test_ephemeris_model.py). The default :data:`EPHEMERIS_SYSTEM` takes
  TU = 1 / n with n the Moon's mean sidereal motion (27.321661 d per revolution, Simon et
  al. 1994, A&A 282, 663), so that one CR3BP revolution lasts one mean sidereal month on
  the uniform clock; :data:`cosmoplan.cislunar.cr3bp.EARTH_MOON` (TU = 382981 s, JPL catalog
  units) runs 1.9 percent slow against the real Moon (23000 km deviation on that test).

Equations of motion (Moon-centred, point masses; Pavlak 2013, ch. 2)::

    r'' = -GM_moon r / |r|^3 + sum_{j = Earth, Sun} GM_j ((r_j - r) / |r_j - r|^3
                                                          - r_j / |r_j|^3),

r_j the DE421 position of body j relative to the Moon; the second term in the sum is the
indirect acceleration of the (non-inertial) Moon-centred origin. GM values: Earth
398600.436233 km^3/s^2 (:data:`EARTH_GM_DE421_KM3_S2`, DE421, Folkner et al. 2008, JPL IOM
343R-08-003, Table 4), Moon and Sun from :mod:`cosmoplan.constants`
(:data:`~cosmoplan.constants.MOON_GM_KM3_S2`, :data:`~cosmoplan.constants.SUN_GM_KM3_S2`).
The state-transition matrix comes from the variational equations Phi' = [[0, I], [G, 0]] Phi,
G = sum_k GM_k (3 d d^T / |d|^5 - I / |d|^3), d = r - r_k over the three bodies.

Integration is SciPy's ``solve_ivp(method="DOP853")`` with rtol = atol = :data:`RTOL`
(1e-12) on the state scaled by the ``system`` units (positions / LU, velocities / (LU/TU),
time in TU) so that one tolerance suits positions, velocities and STM. All arcs of a
multiple-shooting problem run as one vectorised system in a normalised time s in [0, 1]
(t = t_i + s dt_i), so that DE421 is read once per stage for all arcs.

Multiple shooting (Pavlak 2013, ch. 3): patch points X_0..X_N at fixed epochs; arc i
takes X_i to X_i^f at the epoch of X_{i+1}; the defects F_i = X_i^f - X_{i+1} (scaled:
km / LU, km/s / (LU/TU)) are driven to zero by the minimum-norm Newton update
dX = -DF^T (DF DF^T)^{-1} F, DF = [... Phi_i, -I ...]. Converged when the Euclidean norm of
the whole scaled defect vector is below ``tol`` (default 1e-9: with LU = 384400 km that is
0.38 m in position and 1.0e-9 km/s in velocity). Epochs are not free variables.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, replace

import numpy as np
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline

from .. import constants
from ..ephemeris import default_ephemeris
from ..errors import ConvergenceError, InputError
from ..time import Epoch
from . import cr3bp
from .cr3bp import EARTH_MOON, System, propagate

__all__ = [
    "EARTH_GM_DE421_KM3_S2",
    "SIDEREAL_MONTH_DAYS",
    "EPHEMERIS_SYSTEM",
    "RTOL",
    "ACCEL_STEP_S",
    "EarthMoonFrame",
    "earth_moon_frame",
    "CLOCKS",
    "ephemeris_time",
    "cr3bp_time",
    "rotating_to_inertial",
    "inertial_to_rotating",
    "periodic_states",
    "acceleration",
    "EphemerisArcs",
    "propagate_ephemeris",
    "ShootingResult",
    "correct_multiple_shooting",
    "Transition",
    "transition_to_ephemeris",
]

EARTH_GM_DE421_KM3_S2 = 398600.436233
"""GM of the Earth in DE421, km^3/s^2 (Folkner et al. 2008, JPL IOM 343R-08-003, Table 4)."""
SIDEREAL_MONTH_DAYS = 27.321661
"""Mean sidereal month, days (Simon et al. 1994, A&A 282, 663; J2000)."""
EPHEMERIS_SYSTEM = replace(
    EARTH_MOON,
    name="Earth-Moon (mean sidereal motion)",
    length_unit_km=384400.0,
    time_unit_s=SIDEREAL_MONTH_DAYS * constants.SECONDS_PER_DAY / (2.0 * np.pi),
)
"""CR3BP units for the transition: mu of :data:`~.cr3bp.EARTH_MOON` (the JPL catalog value,
so catalog orbits stay periodic), TU = 1 / n_sidereal = 375699.6 s, LU = 384400 km (the
mean Earth-Moon distance; used only to scale the integrator and the convergence test, the
rotating -> inertial map uses the instantaneous distance)."""
RTOL = 1e-12
"""Relative and absolute tolerance of the DOP853 integration (scaled state)."""
CLOCKS = ("angle", "uniform")
MAX_REVOLUTIONS = 60
"""Most revolutions one transition corrects at once (480 patch points at 8 per revolution:
a dense 2880 x 2886 Newton system, about 0.1 GB)."""
"""Clocks relating CR3BP time to TDB (module docstring)."""
CLOCK_STEP_S = 3600.0
"""Sampling step (s) of theta_dot for the ``"angle"`` clock."""
ACCEL_STEP_S = 600.0
"""Step (s) of the central difference of the DE421 lunar velocity that gives the Moon's
geocentric acceleration A: truncation error (n h)^2 / 6 ~ 4e-7 of A (n = 2.66e-6 rad/s),
rounding ~ 1e-12 km/s / 1200 s, negligible. A only enters the small x component of the
frame's angular velocity."""

_GM_MOON = constants.MOON_GM_KM3_S2
_GM_EARTH = EARTH_GM_DE421_KM3_S2
_GM_SUN = constants.SUN_GM_KM3_S2
_DAY = constants.SECONDS_PER_DAY


# ------------------------------------------------------------------------------ helpers
def _tdb(epoch, field="epoch"):
    if not isinstance(epoch, Epoch):
        if isinstance(epoch, str) or hasattr(epoch, "tzinfo"):
            return Epoch.coerce(epoch, field=field).tdb  # ISO text (UTC) or aware datetime
        raise InputError(f"{field} must be a cosmoplan Epoch, ISO text or an aware datetime, "
                         f"got {type(epoch).__name__}", field=field, value=epoch)
    return epoch.tdb


def _check_span(eph, jd_lo, jd_hi, what):
    """InputError unless [jd_lo, jd_hi] (TDB, with the central-difference margin) is covered."""
    margin = 2.0 * ACCEL_STEP_S / _DAY
    if jd_lo - margin < eph.start_jd_tdb or jd_hi + margin > eph.end_jd_tdb:
        span = Epoch.from_jd([eph.start_jd_tdb, eph.end_jd_tdb], scale="tdb").iso(0)
        got = Epoch.from_jd([jd_lo, jd_hi], scale="tdb").iso(0)
        raise InputError(f"{what} spans {got[0]} .. {got[1]} TDB, outside the ephemeris "
                         f"{eph!r} ({span[0]} .. {span[1]} TDB)", field="epoch",
                         value=got[0])


def _epochs(jd1, jd2):
    return Epoch(jd1, jd2, scale="tdb")


# ------------------------------------------------------------------ rotating <-> inertial
@dataclass(frozen=True)
class EarthMoonFrame:
    """The instantaneous Earth-Moon rotating frame at some epochs (shape ``S``).

    Attributes
    ----------
    l_km : ndarray, shape S
        Earth-Moon distance |R|, km.
    l_dot_km_s : ndarray, shape S
        Its rate R . V / l, km/s.
    axes : ndarray, shape S + (3, 3)
        C: columns x, y, z of the rotating frame on GCRF axes (x towards the Moon from the
        Earth, z along R x V); r_gcrf = C r_rot.
    omega_rad_s : ndarray, shape S + (3,)
        Angular velocity of the frame, rotating components, rad/s.
    moon_state_km : ndarray, shape S + (6,)
        Geocentric Moon position and velocity (GCRF, km, km/s) from DE421.
    """

    l_km: np.ndarray
    l_dot_km_s: np.ndarray
    axes: np.ndarray
    omega_rad_s: np.ndarray
    moon_state_km: np.ndarray


def earth_moon_frame(epochs, ephemeris=None):
    """The instantaneous Earth-Moon frame at ``epochs`` (Pavlak 2013, ch. 2).

    Parameters
    ----------
    epochs : Epoch
        Any shape S, any time scale (used as TDB).
    ephemeris : Ephemeris, optional
        Defaults to DE421 (:func:`cosmoplan.ephemeris.default_ephemeris`).

    Returns
    -------
    EarthMoonFrame
    """
    eph = ephemeris or default_ephemeris()
    tdb = _tdb(epochs, "epochs")
    jd = np.asarray(tdb.jd1 + tdb.jd2)
    _check_span(eph, float(np.min(jd)), float(np.max(jd)), "the epochs")
    return _frame(eph, tdb.jd1, tdb.jd2)


def _frame(eph, jd1, jd2):
    jd1 = np.asarray(jd1, float)
    jd2 = np.asarray(jd2, float)
    r, v = eph.position("moon", "earth", _epochs(jd1, jd2), velocity=True)
    hd = ACCEL_STEP_S / _DAY
    _, vp = eph.position("moon", "earth", _epochs(jd1, jd2 + hd), velocity=True)
    _, vm = eph.position("moon", "earth", _epochs(jd1, jd2 - hd), velocity=True)
    a = (vp - vm) / (2.0 * ACCEL_STEP_S)
    lk = np.linalg.norm(r, axis=-1)
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    x = r / lk[..., None]
    z = h / hn[..., None]
    y = np.cross(z, x)
    axes = np.stack([x, y, z], axis=-1)
    omega = np.stack([lk * np.sum(a * z, axis=-1) / hn, np.zeros_like(lk), hn / lk**2], axis=-1)
    ldot = np.sum(r * v, axis=-1) / lk
    return EarthMoonFrame(lk, ldot, axes, omega, np.concatenate([r, v], axis=-1))


def _check_clock(clock):
    if clock not in CLOCKS:
        raise InputError(f"clock={clock!r}; expected one of {CLOCKS}", field="clock",
                         value=clock)


def _angle_clock(eph, ep0, t_lo_s, t_hi_s):
    """Splines tau(t) and t(tau) of the angle clock over [t_lo_s, t_hi_s] (s after ep0)."""
    lo = min(t_lo_s, 0.0) - 2.0 * CLOCK_STEP_S
    hi = max(t_hi_s, 0.0) + 2.0 * CLOCK_STEP_S
    ts = np.linspace(lo, hi, int(np.ceil((hi - lo) / CLOCK_STEP_S)) + 1)
    jd = ep0.jd1 + ep0.jd2 + ts / _DAY
    _check_span(eph, float(jd[0]), float(jd[-1]), "the clock")
    fr = _frame(eph, ep0.jd1, ep0.jd2 + ts / _DAY)
    big = CubicSpline(ts, fr.omega_rad_s[:, 2]).antiderivative()
    c0 = float(big(0.0))
    tau = big(ts) - c0
    return (lambda t: big(t) - c0), CubicSpline(tau, ts)


def ephemeris_time(t, epoch, *, clock="angle", system: System = EPHEMERIS_SYSTEM,
                   ephemeris=None):
    """TDB seconds after ``epoch`` of CR3BP times ``t`` (TU, any shape), for ``clock``."""
    _check_clock(clock)
    tt = np.asarray(t, dtype=float)
    if clock == "uniform":
        return tt * system.time_unit_s
    eph = ephemeris or default_ephemeris()
    guess = tt * system.time_unit_s
    pad = 0.2 * float(np.max(np.abs(guess), initial=0.0)) + 3.0 * _DAY
    _, inv = _angle_clock(eph, _tdb(epoch), float(np.min(guess, initial=0.0)) - pad,
                          float(np.max(guess, initial=0.0)) + pad)
    return inv(tt)


def cr3bp_time(t_s, epoch, *, clock="angle", system: System = EPHEMERIS_SYSTEM,
               ephemeris=None):
    """CR3BP time (TU) of TDB seconds ``t_s`` after ``epoch`` (any shape), for ``clock``."""
    _check_clock(clock)
    tt = np.asarray(t_s, dtype=float)
    if clock == "uniform":
        return tt / system.time_unit_s
    eph = ephemeris or default_ephemeris()
    fwd, _ = _angle_clock(eph, _tdb(epoch), float(np.min(tt, initial=0.0)),
                          float(np.max(tt, initial=0.0)))
    return fwd(tt)


def rotating_to_inertial(states, t, epoch, *, clock="angle",
                         system: System = EPHEMERIS_SYSTEM, ephemeris=None):
    """CR3BP rotating states to Moon-centred GCRF states at the real epochs.

    Parameters
    ----------
    states : array_like, shape (6,) or (N, 6)
        Nondimensional CR3BP states, rotating barycentric frame (:mod:`~.cr3bp`).
    t : float or array_like, shape () or (N,)
        Their times, TU after ``epoch`` (TU of ``system``).
    epoch : Epoch
        Scalar epoch of t = 0 (any scale).
    clock : {"angle", "uniform"}
        How CR3BP time maps to TDB (module docstring).
    system : System
        Mass ratio and time unit (module docstring); the length unit is not used.
    ephemeris : Ephemeris, optional
        Defaults to DE421.

    Returns
    -------
    epochs : Epoch, shape () or (N,)
        TDB epochs of the states (``epoch + t * TU`` on the uniform clock).
    states_km : ndarray, shape (6,) or (N, 6)
        Moon-centred GCRF position (km) and velocity (km/s).

    Raises
    ------
    InputError
        Bad shapes, or epochs outside the ephemeris.
    """
    s = np.asarray(states, dtype=float)
    if s.shape[-1:] != (6,) or s.ndim > 2:
        raise InputError(f"states must have shape (6,) or (N, 6), got {s.shape}",
                         field="states", value=s.shape)
    tt = np.asarray(t, dtype=float)
    if tt.shape != s.shape[:-1]:
        raise InputError(f"t must have shape {s.shape[:-1]} (one time per state), got "
                         f"{tt.shape}", field="t", value=tt.shape)
    eph = ephemeris or default_ephemeris()
    t0 = _tdb(epoch)
    if t0.shape != ():
        raise InputError("epoch must be a scalar Epoch", field="epoch", value=t0.shape)
    _check_clock(clock)
    t_s = ephemeris_time(tt, t0, clock=clock, system=system, ephemeris=eph)
    jd2 = t0.jd2 + t_s / _DAY
    _check_span(eph, float(t0.jd1 + np.min(jd2)), float(t0.jd1 + np.max(jd2)),
                "the mapped times")
    fr = _frame(eph, t0.jd1, jd2)
    rate = fr.omega_rad_s[..., 2:3] if clock == "angle" else 1.0 / system.time_unit_s
    rho = s[..., :3] - np.array([1.0 - system.mu, 0.0, 0.0])
    drho = s[..., 3:]
    lk = fr.l_km[..., None]
    pos_rot = lk * rho
    vel_rot = (fr.l_dot_km_s[..., None] * rho + lk * np.cross(fr.omega_rad_s, rho)
               + lk * rate * drho)
    pos = np.einsum("...ij,...j->...i", fr.axes, pos_rot)
    vel = np.einsum("...ij,...j->...i", fr.axes, vel_rot)
    return _epochs(t0.jd1, jd2), np.concatenate([pos, vel], axis=-1)


def inertial_to_rotating(states_km, epochs, epoch, *, clock="angle",
                         system: System = EPHEMERIS_SYSTEM, ephemeris=None):
    """Inverse of :func:`rotating_to_inertial`.

    Parameters
    ----------
    states_km : array_like, shape (6,) or (N, 6)
        Moon-centred GCRF states, km and km/s.
    epochs : Epoch, shape () or (N,)
        Their epochs.
    epoch : Epoch
        Epoch of t = 0.
    clock, system, ephemeris
        As :func:`rotating_to_inertial`.

    Returns
    -------
    t : ndarray, shape () or (N,)
        TU after ``epoch``.
    states : ndarray, shape (6,) or (N, 6)
        Nondimensional rotating barycentric states.
    """
    s = np.asarray(states_km, dtype=float)
    if s.shape[-1:] != (6,) or s.ndim > 2:
        raise InputError(f"states_km must have shape (6,) or (N, 6), got {s.shape}",
                         field="states_km", value=s.shape)
    eph = ephemeris or default_ephemeris()
    tdb = _tdb(epochs, "epochs")
    if tdb.shape != s.shape[:-1]:
        raise InputError(f"epochs must have shape {s.shape[:-1]}, got {tdb.shape}",
                         field="epochs", value=tdb.shape)
    jd = np.asarray(tdb.jd1 + tdb.jd2)
    _check_span(eph, float(np.min(jd)), float(np.max(jd)), "the epochs")
    fr = _frame(eph, tdb.jd1, tdb.jd2)
    lk = fr.l_km[..., None]
    pos_rot = np.einsum("...ji,...j->...i", fr.axes, s[..., :3])
    vel_rot = np.einsum("...ji,...j->...i", fr.axes, s[..., 3:])
    rho = pos_rot / lk
    _check_clock(clock)
    rate = fr.omega_rad_s[..., 2:3] if clock == "angle" else 1.0 / system.time_unit_s
    drho = (vel_rot - fr.l_dot_km_s[..., None] * rho - lk * np.cross(fr.omega_rad_s, rho)) \
        / (lk * rate)
    out = np.concatenate([rho + np.array([1.0 - system.mu, 0.0, 0.0]), drho], axis=-1)
    t = cr3bp_time(tdb - _tdb(epoch), epoch, clock=clock, system=system, ephemeris=eph)
    return np.asarray(t), out


def periodic_states(state0, period, t, *, mu=EARTH_MOON.mu):
    """States of a CR3BP periodic orbit at times ``t`` (TU, any order, any span).

    One period is propagated with :func:`cosmoplan.cislunar.cr3bp.propagate` and the orbit
    is evaluated at ``t mod period``, so that the instability of the orbit does not grow
    over many revolutions. Returns shape ``t.shape + (6,)``, nondimensional rotating frame.
    """
    tt = np.asarray(t, dtype=float)
    period = float(period)
    ph = np.mod(tt, period).ravel()
    # Phases within 1e-12 TU (0.4 microseconds) of each other, or of a whole period, are
    # merged: the compiled integrator refuses output times closer than its minimum step.
    ph = np.where(period - ph < 1e-12, 0.0, np.round(ph, 12))
    u, inv = np.unique(ph, return_inverse=True)
    if u[-1] == 0.0:
        out = np.array(state0, dtype=float).reshape(1, 6)
    else:
        out = cr3bp.propagate(state0, float(u[-1]), dense=u, mu=mu).states
    return out[inv].reshape(tt.shape + (6,))


# ------------------------------------------------------------------ ephemeris dynamics
def _bodies(eph, jd1, jd2):
    ep = _epochs(jd1, jd2)
    return eph.position("earth", "moon", ep), eph.position("sun", "moon", ep)


def _accel(r, r_e, r_s, need_grad):
    """Acceleration (km/s^2) at Moon-centred r (..., 3); gradient (..., 3, 3) in 1/s^2."""
    bodies = ((_GM_MOON, np.zeros_like(r)), (_GM_EARTH, r_e), (_GM_SUN, r_s))
    a = np.zeros_like(r)
    g = np.zeros(r.shape + (3,)) if need_grad else None
    eye = np.eye(3)
    for gm, rb in bodies:
        d = r - rb
        dn2 = np.sum(d * d, axis=-1)[..., None]
        dn = np.sqrt(dn2)
        a -= gm * d / (dn2 * dn)
        if gm != _GM_MOON:
            rbn = np.linalg.norm(rb, axis=-1)[..., None]
            a -= gm * rb / rbn**3
        if need_grad:
            dn5 = (dn2 * dn2 * dn)[..., None]
            g += gm * (3.0 * d[..., :, None] * d[..., None, :] / dn5
                       - eye / (dn2 * dn)[..., None])
    return a, g


def acceleration(states_km, epochs, *, ephemeris=None):
    """Point-mass Moon + Earth + Sun acceleration in the Moon-centred GCRF frame.

    Parameters
    ----------
    states_km : array_like, shape (3,) / (6,) or (N, 3) / (N, 6)
        Moon-centred GCRF positions (km); velocities, if given, are ignored.
    epochs : Epoch, shape () or (N,)

    Returns
    -------
    ndarray, shape (3,) or (N, 3)
        km/s^2 (module docstring for the equation and the GM values).
    """
    s = np.asarray(states_km, dtype=float)
    eph = ephemeris or default_ephemeris()
    tdb = _tdb(epochs, "epochs")
    jd = np.asarray(tdb.jd1 + tdb.jd2)
    _check_span(eph, float(np.min(jd)), float(np.max(jd)), "the epochs")
    r_e, r_s = _bodies(eph, tdb.jd1, tdb.jd2)
    return _accel(s[..., :3], r_e, r_s, False)[0]


@dataclass(frozen=True)
class EphemerisArcs:
    """Arcs propagated in the ephemeris model.

    Attributes
    ----------
    s : ndarray, shape (m,)
        Output points as fractions of each arc's duration, 0..1.
    t_s : ndarray, shape (M, m)
        Output times, TDB seconds after the reference epoch.
    states_km : ndarray, shape (M, m, 6)
        Moon-centred GCRF states, km, km/s.
    stm : ndarray, shape (M, 6, 6), or None
        State-transition matrices from start to end of each arc, in the scaled variables
        (km / LU, km/s / (LU/TU)) of the ``system`` used.
    nfev : int
        Evaluations of the (vectorised) right-hand side.
    """

    s: np.ndarray
    t_s: np.ndarray
    states_km: np.ndarray
    stm: np.ndarray | None
    nfev: int


def propagate_ephemeris(states0_km, t0_s, dt_s, epoch, *, stm=False, n_out=2,
                        system: System = EPHEMERIS_SYSTEM, ephemeris=None, rtol=RTOL):
    """Propagate M arcs at once in the Moon-centred point-mass ephemeris model.

    Parameters
    ----------
    states0_km : array_like, shape (6,) or (M, 6)
        Initial Moon-centred GCRF states, km, km/s.
    t0_s, dt_s : float or array_like, shape (M,)
        Start times (TDB s after ``epoch``) and durations (s, > 0) of the arcs.
    epoch : Epoch
        Scalar reference epoch.
    stm : bool
        Also integrate the variational equations (6 x 6 STM per arc, scaled variables).
    n_out : int
        Equally spaced output points per arc, ends included (>= 2).
    system : System
        Scaling units (LU, TU) of the integration.
    rtol : float
        DOP853 relative = absolute tolerance on the scaled state.

    Returns
    -------
    EphemerisArcs

    Raises
    ------
    InputError
        Bad shapes or durations, or times outside the ephemeris.
    ConvergenceError
        If the integrator fails (e.g. a collision with the Moon).
    """
    x0 = np.atleast_2d(np.asarray(states0_km, dtype=float))
    if x0.ndim != 2 or x0.shape[1] != 6:
        raise InputError(f"states0_km must have shape (6,) or (M, 6), got {x0.shape}",
                         field="states0_km", value=x0.shape)
    m_arcs = x0.shape[0]
    t0 = np.broadcast_to(np.asarray(t0_s, dtype=float), (m_arcs,)).copy()
    dt = np.broadcast_to(np.asarray(dt_s, dtype=float), (m_arcs,)).copy()
    if not np.all(dt > 0) or not np.all(np.isfinite(t0)):
        raise InputError("arc durations dt_s must be positive and times finite",
                         field="dt_s", value=dt_s)
    if int(n_out) < 2:
        raise InputError(f"n_out={n_out!r}: need at least 2 output points", field="n_out",
                         value=n_out)
    eph = ephemeris or default_ephemeris()
    ep0 = _tdb(epoch)
    _check_span(eph, ep0.jd1 + ep0.jd2 + np.min(t0) / _DAY,
                ep0.jd1 + ep0.jd2 + np.max(t0 + dt) / _DAY, "the propagation")
    lu, tu = system.length_unit_km, system.time_unit_s
    vu = lu / tu
    acc_scale = tu * tu / lu
    y0 = np.concatenate([x0[:, :3] / lu, x0[:, 3:] / vu], axis=1)
    if stm:
        y0 = np.concatenate([y0, np.broadcast_to(np.eye(6).ravel(), (m_arcs, 36))], axis=1)
    width = y0.shape[1]
    dtau = dt / tu  # arc durations, TU
    jd1 = ep0.jd1
    jd2_0 = ep0.jd2 + t0 / _DAY
    dday = dt / _DAY

    def rhs(s, yflat):
        y = yflat.reshape(m_arcs, width)
        r_e, r_s = _bodies(eph, jd1, jd2_0 + s * dday)
        a, g = _accel(y[:, :3] * lu, r_e, r_s, stm)
        out = np.empty_like(y)
        out[:, :3] = y[:, 3:6]
        out[:, 3:6] = a * acc_scale
        if stm:
            phi = y[:, 6:].reshape(m_arcs, 6, 6)
            dphi = np.empty_like(phi)
            dphi[:, :3] = phi[:, 3:]
            dphi[:, 3:] = np.einsum("kij,kjl->kil", g * (tu * tu), phi[:, :3])
            out[:, 6:] = dphi.reshape(m_arcs, 36)
        out *= dtau[:, None]
        return out.ravel()

    s_out = np.linspace(0.0, 1.0, int(n_out))
    sol = solve_ivp(rhs, (0.0, 1.0), y0.ravel(), method="DOP853", t_eval=s_out, rtol=rtol,
                    atol=rtol)
    if sol.status != 0 or not np.all(np.isfinite(sol.y)):
        raise ConvergenceError(f"ephemeris propagation of {m_arcs} arc(s) from t0 = "
                               f"{t0[:3].tolist()} s, dt = {dt[:3].tolist()} s failed: "
                               f"{sol.message}")
    y = sol.y.reshape(m_arcs, width, s_out.size).transpose(0, 2, 1)
    states = np.concatenate([y[..., :3] * lu, y[..., 3:6] * vu], axis=-1)
    phi = y[:, -1, 6:].reshape(m_arcs, 6, 6) if stm else None
    return EphemerisArcs(s_out, t0[:, None] + s_out * dt[:, None], states, phi, int(sol.nfev))


# ------------------------------------------------------------------ multiple shooting
@dataclass(frozen=True)
class ShootingResult:
    """A converged multiple-shooting solution in the ephemeris model.

    Attributes
    ----------
    t_s : ndarray, shape (N + 1,)
        Patch-point times, TDB seconds after ``epoch``.
    epochs : Epoch, shape (N + 1,)
        Patch-point epochs, TDB.
    nodes_km : ndarray, shape (N + 1, 6)
        Patch points, Moon-centred GCRF, km, km/s (continuous to ``tol``).
    iterations : int
        Newton iterations taken (0 if the guess already met ``tol``).
    residuals : ndarray, shape (iterations + 1,)
        Scaled defect norm before each update and at the end (module docstring).
    elapsed_s : float
        Wall-clock time of the correction, s.
    """

    t_s: np.ndarray
    epochs: Epoch
    nodes_km: np.ndarray
    iterations: int
    residuals: np.ndarray
    elapsed_s: float


def correct_multiple_shooting(nodes_km, t_s, epoch, *, tol=1e-9, max_iter=20,
                              system: System = EPHEMERIS_SYSTEM, ephemeris=None):
    """Make patch points continuous in the ephemeris model (minimum-norm Newton).

    Parameters
    ----------
    nodes_km : array_like, shape (N + 1, 6)
        Guess of the patch points, Moon-centred GCRF, km, km/s (N >= 1 arcs).
    t_s : array_like, shape (N + 1,)
        Their fixed times, TDB s after ``epoch``, increasing.
    epoch : Epoch
        Scalar reference epoch.
    tol : float
        Bound on the Euclidean norm of all scaled defects (position / LU, velocity /
        (LU / TU) of ``system``).
    max_iter : int
        Newton iterations allowed.

    Returns
    -------
    ShootingResult

    Raises
    ------
    InputError
        Bad shapes or times.
    ConvergenceError
        When ``tol`` is not met after ``max_iter`` iterations (or the residual becomes
        non-finite); the message gives the iteration and the residual.
    """
    start = _time.perf_counter()
    x = np.array(nodes_km, dtype=float)
    tt = np.asarray(t_s, dtype=float)
    if x.ndim != 2 or x.shape[1] != 6 or x.shape[0] < 2:
        raise InputError(f"nodes_km must have shape (N + 1, 6) with N >= 1, got {x.shape}",
                         field="nodes_km", value=x.shape)
    if tt.shape != (x.shape[0],) or not np.all(np.diff(tt) > 0):
        raise InputError(f"t_s must be increasing with shape ({x.shape[0]},)", field="t_s",
                         value=tt.shape)
    n = x.shape[0] - 1
    scale = np.r_[np.full(3, system.length_unit_km), np.full(3, system.velocity_unit_km_s)]
    residuals = []
    for it in range(max_iter + 1):
        arcs = propagate_ephemeris(x[:-1], tt[:-1], np.diff(tt), epoch, stm=True, n_out=2,
                                   system=system, ephemeris=ephemeris)
        f = ((arcs.states_km[:, -1] - x[1:]) / scale).ravel()
        res = float(np.linalg.norm(f))
        residuals.append(res)
        if res < tol:
            break
        if it == max_iter or not np.isfinite(res):
            raise ConvergenceError(
                f"ephemeris multiple shooting ({n} arcs) did not converge: iteration {it}, "
                f"scaled defect norm {res:.3e} (tol {tol:g}); history "
                f"{[float(f'{r:.3e}') for r in residuals]}")
        jac = np.zeros((6 * n, 6 * (n + 1)))
        for i in range(n):
            jac[6 * i:6 * i + 6, 6 * i:6 * i + 6] = arcs.stm[i]
            jac[6 * i:6 * i + 6, 6 * i + 6:6 * i + 12] = -np.eye(6)
        dx = -jac.T @ np.linalg.solve(jac @ jac.T, f)
        x = x + dx.reshape(n + 1, 6) * scale
    ep0 = _tdb(epoch)
    return ShootingResult(tt, _epochs(ep0.jd1, ep0.jd2 + tt / _DAY), x, it,
                          np.array(residuals), _time.perf_counter() - start)


# ------------------------------------------------------------------ the whole transition
@dataclass(frozen=True)
class Transition:
    """A CR3BP periodic orbit carried into the ephemeris model.

    Attributes
    ----------
    epoch : Epoch
        TDB epoch of the CR3BP time t = 0.
    state0, period : ndarray (6,), float
        The CR3BP orbit (nondimensional, TU).
    t_tu : ndarray, shape (N + 1,)
        Patch-point times, TU after ``epoch``.
    initial_nodes_km : ndarray, shape (N + 1, 6)
        CR3BP patch points mapped to Moon-centred GCRF (the guess).
    shooting : ShootingResult
        The corrected patch points.
    system : System
        Units of the transition.
    clock : str
        ``"angle"`` or ``"uniform"`` (module docstring).
    """

    epoch: Epoch
    state0: np.ndarray
    period: float
    t_tu: np.ndarray
    initial_nodes_km: np.ndarray
    shooting: ShootingResult
    system: System
    clock: str

    def trajectory(self, points_per_arc=16, ephemeris=None):
        """Dense corrected trajectory: (t_s, states_km) of shapes (K,) and (K, 6), TDB s
        after ``epoch`` and Moon-centred GCRF; patch points shared between arcs once."""
        sh = self.shooting
        arcs = propagate_ephemeris(sh.nodes_km[:-1], sh.t_s[:-1], np.diff(sh.t_s), self.epoch,
                                   n_out=points_per_arc + 1, system=self.system,
                                   ephemeris=ephemeris)
        t = np.append(arcs.t_s[:, :-1].ravel(), arcs.t_s[-1, -1])
        s = np.concatenate([arcs.states_km[:, :-1].reshape(-1, 6), arcs.states_km[-1, -1:]])
        return t, s

    def distance_to_orbit(self, t_s=None, states_km=None, *, samples=20001, ephemeris=None):
        """Distance (km) of the corrected trajectory from the CR3BP orbit as a curve.

        Each state is taken into the pulsating Earth-Moon frame
        (:func:`inertial_to_rotating`), its distance to the nearest point of the CR3BP
        periodic orbit (sampled with ``samples`` points) is found, and scaled by the
        instantaneous Earth-Moon distance. Unlike :meth:`reference`, which compares at the
        same time, this ignores a drift of phase along the orbit: it says how far the real
        trajectory strays from the orbit's path. Default: the dense :meth:`trajectory`.

        Returns
        -------
        ndarray, shape (K,)
            km.
        """
        from scipy.spatial import cKDTree

        from .cr3bp import propagate

        if t_s is None:
            t_s, states_km = self.trajectory(points_per_arc=32, ephemeris=ephemeris)
        epochs = self.epoch + np.asarray(t_s, dtype=float)
        _, rot = inertial_to_rotating(states_km, epochs, self.epoch, clock=self.clock,
                                      system=self.system, ephemeris=ephemeris)
        curve = propagate(self.state0, self.period, dense=int(samples),
                          mu=self.system.mu).states[:, :3]
        dist, _ = cKDTree(curve).query(rot[:, :3])
        return dist * earth_moon_frame(epochs, ephemeris).l_km

    def reference(self, t_s, ephemeris=None):
        """The CR3BP orbit mapped to Moon-centred GCRF at ``t_s`` (TDB s after ``epoch``),
        shape ``(K, 6)``."""
        t_tu = cr3bp_time(t_s, self.epoch, clock=self.clock, system=self.system,
                          ephemeris=ephemeris)
        rot = periodic_states(self.state0, self.period, t_tu, mu=self.system.mu)
        return rotating_to_inertial(rot, t_tu, self.epoch, clock=self.clock,
                                    system=self.system, ephemeris=ephemeris)[1]


def transition_to_ephemeris(state0, period, epoch, revolutions, *, patches_per_revolution=8,
                            clock="angle", system: System = EPHEMERIS_SYSTEM, ephemeris=None,
                            tol=1e-9, max_iter=20):
    """Carry a CR3BP periodic orbit into the DE421 point-mass model by multiple shooting.

    Parameters
    ----------
    state0 : array_like, shape (6,)
        CR3BP periodic orbit initial state (nondimensional, rotating barycentric frame),
        e.g. ``PeriodicOrbit.state0`` of :mod:`cosmoplan.cislunar.periodic`.
    period : float
        Its period, TU.
    epoch : Epoch
        Epoch of the CR3BP t = 0 (any scale; used as TDB).
    revolutions : int
        Number of revolutions (>= 1).
    patches_per_revolution : int
        Patch points per revolution, equally spaced in CR3BP time (>= 2).
    clock : {"angle", "uniform"}
        CR3BP time to TDB (module docstring).
    system : System
        Mass ratio and units (module docstring).
    tol, max_iter
        As :func:`correct_multiple_shooting`.

    Returns
    -------
    Transition

    Raises
    ------
    InputError
        Bad revolutions or patch count, a non-positive period, an epoch not a
        :class:`~cosmoplan.time.Epoch`, or a span outside the ephemeris.
    ConvergenceError
        From :func:`correct_multiple_shooting`.
    """
    if (isinstance(revolutions, bool) or not isinstance(revolutions, (int, float, np.integer,
                                                                      np.floating))
            or not np.isfinite(revolutions) or int(revolutions) != revolutions
            or not 1 <= revolutions <= MAX_REVOLUTIONS):
        raise InputError(f"revolutions={revolutions!r}: need a whole number 1..{MAX_REVOLUTIONS} "
                         "(the Newton system is dense: memory grows as the square of the "
                         "patch count)", field="revolutions", value=revolutions)
    if isinstance(max_iter, bool) or int(max_iter) != max_iter or max_iter < 1:
        raise InputError(f"max_iter={max_iter!r}: need a positive whole number",
                         field="max_iter", value=max_iter)
    if (isinstance(patches_per_revolution, bool) or int(patches_per_revolution)
            != patches_per_revolution or patches_per_revolution < 2):
        raise InputError(f"patches_per_revolution={patches_per_revolution!r}: need an "
                         f"integer >= 2", field="patches_per_revolution",
                         value=patches_per_revolution)
    period = float(period)
    if not (np.isfinite(period) and period > 0):
        raise InputError(f"period={period!r} TU must be positive", field="period",
                         value=period)
    closure = propagate(np.asarray(state0, dtype=float), float(period),
                        mu=system.mu).state_final - np.asarray(state0, dtype=float)
    if np.max(np.abs(closure)) > 1e-6:
        raise InputError(f"state0 is not periodic with period {period}: it misses itself by "
                         f"{np.max(np.abs(closure)):.1e} (LU, LU/TU) after one period; correct "
                         "it first (cosmoplan.cislunar.periodic)", field="state0")
    eph = ephemeris or default_ephemeris()
    ep0 = _tdb(epoch)
    if ep0.shape != ():
        raise InputError("epoch must be a scalar Epoch", field="epoch", value=ep0.shape)
    _check_clock(clock)
    jd0 = float(ep0.jd1 + ep0.jd2)
    # 10 percent margin: the angle clock runs up to 2 e faster than the uniform one
    _check_span(eph, jd0, jd0 + 1.1 * revolutions * period * system.time_unit_s / _DAY,
                f"{revolutions} revolution(s) from the epoch")
    m = int(revolutions) * int(patches_per_revolution)
    t_tu = np.arange(m + 1) * (period / patches_per_revolution)
    rot = periodic_states(state0, period, t_tu, mu=system.mu)
    t_s = ephemeris_time(t_tu, ep0, clock=clock, system=system, ephemeris=eph)
    _, guess = rotating_to_inertial(rot, t_tu, ep0, clock=clock, system=system, ephemeris=eph)
    sh = correct_multiple_shooting(guess, t_s, ep0, tol=tol, max_iter=max_iter, system=system,
                                   ephemeris=eph)
    tr = Transition(ep0, np.array(state0, dtype=float), period, t_tu, guess, sh, system, clock)
    # a converged solution can still be another trajectory: it must stay near the orbit
    size_km = float(np.ptp(guess[:, :3], axis=0).max())
    far = float(np.max(tr.distance_to_orbit(ephemeris=eph)))
    if far > max(0.2 * size_km, 5000.0):
        raise ConvergenceError(
            f"the multiple shooting converged to a trajectory {far:,.0f} km from the CR3BP "
            f"orbit (size {size_km:,.0f} km) after {sh.iterations} iterations: not a "
            "counterpart of it. Orbits that pass close to the Moon (NRHOs) need more patch "
            "points near perilune or free patch times, which this corrector does not have; "
            "try fewer revolutions or more patches_per_revolution.")
    return tr
