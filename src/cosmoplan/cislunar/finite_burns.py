"""The finite burn equivalent to an impulsive one, in the full cislunar model.

Mission design gives impulsive burns; a spacecraft flies constant-thrust burns that last
minutes (Chang'e-5's lunar orbit insertion: a 3,000 N engine on 8.2 t for about 17
minutes; its second trans-Earth injection: four 150 N engines for about 22 minutes). During
such a burn the spacecraft flies tens of degrees around the Moon, its speed and the
direction of its velocity change under the thrust, and the burn needs more delta-v than the
impulse: the *gravity loss* (finite-burn or steering loss).

:func:`finite_burn_equivalent` finds the constant-thrust burn that reproduces the trajectory
of an impulse ``dv`` applied to ``state`` at ``epoch``. Four unknowns

* the ignition time, as an offset from the impulse epoch (``start_offset_s``, < 0: before),
* the burn duration,
* the thrust direction, two angles: fixed in inertial space (``frame='GCRF'``, default) or
  fixed in the LVLH (or RSW) frame of the spacecraft relative to ``centre``, which turns
  with the radius vector during the burn (``frame='LVLH'``),

are solved by :func:`scipy.optimize.least_squares` (Levenberg-Marquardt) so that the state
after the burn, propagated to a common match epoch (default: impulse epoch + the burn's
rocket-equation duration + one hour), equals the state of the impulsive trajectory there.
Each evaluation flies the pre-burn coast from ``epoch`` to ignition, the burn (its own arc,
so that the integrator never steps across the thrust switching on or off), and the coast to
the match epoch, all with :func:`cosmoplan.cislunar.dynamics.propagate` in ``model``.

Residual: the position difference (km) and the velocity difference times the time constant
``t_c = sqrt(r^3 / mu)`` (s; r the distance from ``centre`` at the impulse, mu the centre's
GM): the canonical time unit of a circular orbit at the burn radius (Bate, Mueller & White
1971, *Fundamentals of Astrodynamics*, sec. 1.9), 1,218 s at 200 km above the Moon, so a
velocity error counts as the position error it makes in about a sixth of an orbit.

Six residuals, four unknowns: the match is a least-squares compromise, not exact. With the
thrust in the plane of the orbit the three in-plane unknowns (ignition, duration, angle)
cannot match all four in-plane elements (a, e, argument and time of periapsis); what is
left grows as the fourth power of the burn time for an inertially fixed burn centred on
periapsis (the odd terms cancel by symmetry) and as its square for an LVLH-fixed one
(numbers in tests/test_finite_burns.py: at 200 km above the Moon, 405 m/s with 3,000 N on
8.2 t, 17.8 min, leaves about 60 m and 0.19 m/s with GCRF, 2.3 km and 6 m/s with LVLH).
That is why **inertially fixed attitude (GCRF) is the default**: it models the attitude-hold
burns long lunar insertions and departures are commonly flown with (the engine held along
the planned impulse, the burn centred on it), and it reproduces the impulsive orbit far
better than a direction fixed in LVLH. An LVLH-fixed direction turns with the radius
vector, at the orbital rate ``nu_dot``, but near the periapsis of an orbit of eccentricity
e the velocity turns only at ``nu_dot / (1 + e)``: for the eccentric capture and escape
orbits of a lunar insertion or departure LVLH pointing does not track the velocity any
better than a fixed direction, and it loses the symmetry.

Gravity loss, second-order estimate: for a burn of duration T centred on periapsis at
radius r with a fixed direction along the impulse, the energy change is
``-F/m v_p T (1 - (mu / r^3) T^2 / 24)``: the cosine loss (the velocity turns away from the
thrust at ``mu / (r^2 v)``) and the speed lost away from periapsis (the Oberth effect) add
up to ``mu / r^3`` on any conic. Matching the energy costs

    dv_loss ~ dv (mu / r^3) T^2 / 24 ~ dv (1 - sin(phi / 2) / (phi / 2)),  phi = T sqrt(mu / r^3),

the classical arc-angle form (Robbins 1966, "An analytical study of the impulsive
approximation", AIAA J. 4(8)) with ``phi`` the arc a circular orbit at the burn radius
sweeps during the burn (not the true anomaly the eccentric orbit sweeps, which is larger
and would overestimate the loss). The solver's losses agree to a few per cent (tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, CosmoplanError, InputError, PropagationError

__all__ = ["FiniteBurnResult", "finite_burn_equivalent", "burn_duration_s", "FRAMES"]

FRAMES = ("GCRF", "LVLH", "RSW")
"""Frames the thrust direction can be fixed in (LVLH and RSW: of the state relative to the
integration centre, turning with it during the burn)."""

_G0_KM_S2 = 9.80665e-3
_PROBE_KM = 1e-4  # finite-difference steps move the match state by about 10 cm
_UNIT_KM = 1.0  # one unit of each scaled unknown moves it by about 1 km


def burn_duration_s(dv_km_s, mass_kg, thrust_n, isp_s):
    """Duration (s) of a constant-thrust burn giving ``dv_km_s`` by the rocket equation:
    ``t = m0 (1 - exp(-dv / (Isp g0))) Isp g0 / F``."""
    ve = isp_s * _G0_KM_S2 * 1e3  # m/s
    return mass_kg * (1.0 - math.exp(-dv_km_s * 1e3 / ve)) * ve / thrust_n


@dataclass
class FiniteBurnResult:
    """The finite burn that reproduces an impulse (:func:`finite_burn_equivalent`).

    Attributes
    ----------
    maneuver : FiniteManeuver
        The burn: start epoch (TDB), duration, thrust, Isp, unit direction in ``frame``.
    centre : str
        ``'moon'`` or ``'earth'``: origin of the states and of the LVLH/RSW frames.
    frame : str
        Frame of the thrust direction.
    impulse_epoch : Epoch
        Epoch of the impulse (TDB).
    start_offset_s : float
        Ignition minus impulse epoch, s (negative: before).
    duration_s : float
        Burn time, s.
    mass_kg : float
        Mass at ignition.
    propellant_kg : float
        Propellant the finite burn uses (mass flow x duration).
    impulsive_propellant_kg : float
        Propellant of the impulse by the rocket equation.
    finite_dv_km_s : float
        Isp g0 ln(m0 / m1) of the finite burn.
    impulsive_dv_km_s : float
        ``|dv|`` of the impulse.
    gravity_loss_km_s : float
        ``finite_dv_km_s - impulsive_dv_km_s``.
    position_residual_m, velocity_residual_m_s : float
        Mismatch with the impulsive trajectory at ``match_epoch``.
    velocity_scale_s : float
        Time constant the velocity residual was weighted by, ``sqrt(r^3 / mu)``.
    match_epoch : Epoch
        Where the two trajectories were compared (TDB).
    state_match, reference_state_match : ndarray, shape (6,)
        Finite-burn and impulsive states there (km, km/s, relative to ``centre``, GCRF).
    state_cutoff : ndarray, shape (6,)
        State at engine cut-off (relative to ``centre``, GCRF).
    burn_arc_deg : float
        Angle the radius vector turns through during the burn.
    pointing_offset_deg : float
        Angle between the thrust direction and the impulse's direction (for LVLH/RSW: the
        impulse expressed in that frame at the impulse epoch).
    evaluations : int
        Trajectories flown by the solver.
    """

    maneuver: object
    centre: str
    frame: str
    impulse_epoch: object
    start_offset_s: float
    duration_s: float
    mass_kg: float
    propellant_kg: float
    impulsive_propellant_kg: float
    finite_dv_km_s: float
    impulsive_dv_km_s: float
    gravity_loss_km_s: float
    position_residual_m: float
    velocity_residual_m_s: float
    velocity_scale_s: float
    match_epoch: object
    state_match: np.ndarray
    reference_state_match: np.ndarray
    state_cutoff: np.ndarray
    burn_arc_deg: float
    pointing_offset_deg: float
    evaluations: int = 0

    @property
    def start(self):
        """Ignition epoch (TDB)."""
        return self.maneuver.start

    @property
    def cutoff(self):
        """Engine cut-off epoch (TDB)."""
        return self.maneuver.start + self.duration_s

    @property
    def direction(self):
        """Unit thrust direction in ``frame``, shape (3,)."""
        return np.array(self.maneuver.direction)

    def to_dict(self):
        """JSON-ready dict (m/s, kg, s, UTC)."""
        m = self.maneuver
        return {"centre": self.centre, "frame": self.frame,
                "impulse_epoch_utc": self.impulse_epoch.utc.iso(3),
                "start_utc": self.start.utc.iso(3), "cutoff_utc": self.cutoff.utc.iso(3),
                "start_offset_s": float(self.start_offset_s),
                "duration_s": float(self.duration_s),
                "thrust_n": float(m.thrust_n), "isp_s": float(m.isp_s),
                "direction": [float(x) for x in m.direction],
                "mass_kg": float(self.mass_kg), "propellant_kg": float(self.propellant_kg),
                "impulsive_propellant_kg": float(self.impulsive_propellant_kg),
                "finite_dv_m_s": float(self.finite_dv_km_s * 1e3),
                "impulsive_dv_m_s": float(self.impulsive_dv_km_s * 1e3),
                "gravity_loss_m_s": float(self.gravity_loss_km_s * 1e3),
                "position_residual_m": float(self.position_residual_m),
                "velocity_residual_m_s": float(self.velocity_residual_m_s),
                "velocity_scale_s": float(self.velocity_scale_s),
                "match_epoch_utc": self.match_epoch.utc.iso(3),
                "state_match": [float(x) for x in self.state_match],
                "reference_state_match": [float(x) for x in self.reference_state_match],
                "state_cutoff": [float(x) for x in self.state_cutoff],
                "burn_arc_deg": float(self.burn_arc_deg),
                "pointing_offset_deg": float(self.pointing_offset_deg),
                "evaluations": int(self.evaluations)}


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive finite number, got {value!r}",
                         field=name, value=value)
    return float(value)


def _vector(name, value, n):
    try:
        x = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {n} numbers, got {value!r}", field=name,
                         value=value) from None
    if x.shape != (n,) or not np.all(np.isfinite(x)):
        raise InputError(f"{name} must be {n} finite numbers, got {value!r}", field=name,
                         value=value)
    return x


def _frame_matrix(frame, r, v):
    """Rows of ``frame`` (GCRF: identity) for the state (r, v): ``x_frame = M @ x_gcrf``."""
    from ..frames import lvlh_matrix, rsw_matrix

    if frame == "GCRF":
        return np.eye(3)
    return (lvlh_matrix if frame == "LVLH" else rsw_matrix)(r, v)


def _basis(u0, h_hat, r_hat):
    """Two unit vectors normal to u0: e1 in the orbit plane, e2 toward the orbit normal."""
    e2 = h_hat - (h_hat @ u0) * u0
    if np.linalg.norm(e2) < 1e-8:  # a pure plane change: use the radius
        e2 = r_hat - (r_hat @ u0) * u0
    e2 /= np.linalg.norm(e2)
    return np.cross(e2, u0), e2


def finite_burn_equivalent(model, epoch, state, dv_impulsive, *, mass_kg, thrust_n, isp_s,
                           centre="moon", frame="GCRF", match_after_s=None,
                           propellant_kg=None, tolerance=0.02):
    """The constant-thrust burn that reproduces the trajectory of an impulsive burn.

    Parameters
    ----------
    model : CislunarForceModel
    epoch : Epoch
        Epoch of the impulse (any scale; TDB inside).
    state : array_like, shape (6,)
        State just before the impulse, km and km/s relative to ``centre``, GCRF.
    dv_impulsive : array_like, shape (3,)
        The impulse, GCRF km/s.
    mass_kg : float
        Mass at ignition, kg.
    thrust_n, isp_s : float
        Engine thrust (N) and specific impulse (s).
    centre : {"moon", "earth"}
        Integration origin (the body the burn is made at).
    frame : {"GCRF", "LVLH", "RSW"}
        Frame the thrust direction is fixed in (module docstring: GCRF, attitude hold,
        is the default and the better model of lunar insertion and departure burns).
    match_after_s : float, optional
        Match epoch, s after the impulse; default the rocket-equation burn time + 3600 s.
        Must exceed that burn time.
    propellant_kg : float, optional
        Propellant on board (default: no dry-mass limit, only the whole mass).
    tolerance : float
        Largest mismatch accepted, as a fraction of ``|dv|``: velocity residual at most
        ``tolerance |dv|`` and position residual at most ``tolerance |dv| t_c``.

    Returns
    -------
    FiniteBurnResult

    Raises
    ------
    InputError
        Bad arguments: non-positive mass, thrust or Isp, a zero impulse, an unknown frame or
        centre, a burn needing more propellant than on board (or than the whole mass).
    ConvergenceError
        No constant-thrust burn reproduces the impulse within ``tolerance`` (a burn that
        lasts about an orbital period or more; the message gives the burn time, the period
        and the residual).
    PropagationError
        The impulsive trajectory itself hits a body before the match epoch.
    """
    from scipy.optimize import least_squares

    from ..propagator import FiniteManeuver
    from ..time import Epoch
    from .dynamics import CENTRES, CislunarForceModel, _centre_code, propagate

    if not isinstance(model, CislunarForceModel):
        raise InputError(f"model must be a CislunarForceModel, got {type(model).__name__}",
                         field="model", value=model)
    if not isinstance(epoch, Epoch) or np.ndim(epoch.jd1) != 0:
        raise InputError("epoch must be a scalar cosmoplan Epoch", field="epoch", value=epoch)
    centre = CENTRES[_centre_code(centre)]
    key = str(frame).upper()
    if key == "RTN":
        key = "RSW"
    if key not in FRAMES:
        raise InputError(f"frame must be one of {', '.join(FRAMES)}, got {frame!r}",
                         field="frame", value=frame)
    frame = key
    y0 = _vector("state", state, 6)
    dv = _vector("dv_impulsive", dv_impulsive, 3)
    dv_n = float(np.linalg.norm(dv))
    if dv_n == 0.0:
        raise InputError("dv_impulsive must be non-zero", field="dv_impulsive", value=dv)
    m0 = _positive("mass_kg", mass_kg)
    thrust = _positive("thrust_n", thrust_n)
    isp = _positive("isp_s", isp_s)
    tol = _positive("tolerance", tolerance)
    ve = isp * _G0_KM_S2  # km/s
    mdot = thrust / (isp * _G0_KM_S2 * 1e3)  # kg/s
    prop_imp = m0 * -math.expm1(-dv_n / ve)
    if propellant_kg is not None:
        prop_max = _positive("propellant_kg", propellant_kg)
        if prop_max >= m0:
            raise InputError(f"propellant_kg {prop_max:g} must be less than the mass "
                             f"{m0:g} kg", field="propellant_kg", value=propellant_kg)
    else:
        prop_max = m0
    if prop_imp >= prop_max * (1.0 - 1e-12):
        raise InputError(
            f"a {dv_n * 1e3:.1f} m/s burn at Isp {isp:g} s needs {prop_imp:.1f} kg of "
            f"propellant (rocket equation) but the spacecraft has {prop_max:.1f} kg",
            field="dv_impulsive", value=dv_n)
    t0_burn = prop_imp / mdot  # rocket-equation duration
    ep = epoch.tdb
    if match_after_s is None:
        t_match = t0_burn + 3600.0
    else:
        t_match = _positive("match_after_s", match_after_s)
        if t_match <= t0_burn:
            raise InputError(f"match_after_s {t_match:g} s must exceed the burn time "
                             f"{t0_burn:.1f} s", field="match_after_s", value=match_after_s)
    r0, v0 = y0[:3], y0[3:]
    r_n = float(np.linalg.norm(r0))
    mu = float(model.gm(centre))
    tc = math.sqrt(r_n ** 3 / mu)
    period_c = 2.0 * math.pi * tc

    # the impulsive trajectory at the match epoch
    y_imp = y0.copy()
    y_imp[3:] += dv
    ref = propagate(model, ep, y_imp, t_match, centre=centre).final

    # first guess and scaling of the unknowns: one unit moves the match state ~1 km
    rot = _frame_matrix(frame, r0, v0)
    h_hat = np.cross(r0, v0)
    h_hat /= np.linalg.norm(h_hat)
    g1, g2 = _basis(dv / dv_n, h_hat, r0 / r_n)  # GCRF, then into the frame
    u0, e1, e2 = rot @ (dv / dv_n), rot @ g1, rot @ g2
    a0 = thrust / m0 * 1e-3  # km/s^2
    p0 = np.array([-0.5 * t0_burn, t0_burn, 0.0, 0.0])
    scale = np.array([_UNIT_KM / dv_n, _UNIT_KM / (a0 * t_match),
                      _UNIT_KM / (dv_n * t_match), _UNIT_KM / (dv_n * t_match)])
    t_max = 0.999 * prop_max / mdot
    count = [0]

    def unpack(x):
        tau, dur, al, be = p0 + scale * x
        dur = min(max(dur, 1e-3 * t0_burn), t_max)
        d = (math.cos(al) * math.cos(be) * u0 + math.sin(al) * math.cos(be) * e1
             + math.sin(be) * e2)
        return tau, dur, d / np.linalg.norm(d)

    def fly(x):
        tau, dur, d = unpack(x)
        count[0] += 1
        y = y0
        if abs(tau) > 1e-9:
            y = propagate(model, ep, y0, tau, centre=centre).final
        # the maneuver outlasts the arc slightly so that the last stage still thrusts
        burn = FiniteManeuver(ep + tau, dur * (1.0 + 1e-9) + 1e-6, thrust, isp, tuple(d),
                              frame)
        y_start = y
        y_cut = propagate(model, ep + tau, y, dur, centre=centre, burns=[burn],
                          mass_kg=m0).final
        rest = t_match - (tau + dur)
        y_end = y_cut if abs(rest) < 1e-9 else propagate(model, ep + tau + dur, y_cut, rest,
                                                         centre=centre).final
        return y_start, y_cut, y_end

    def residual(y_end):
        return np.r_[y_end[:3] - ref[:3], (y_end[3:] - ref[3:]) * tc]

    def mismatch(res):
        return float(np.linalg.norm(res[:3]) * 1e3), float(np.linalg.norm(res[3:]) / tc * 1e3)

    def describe():
        return (f"a {dv_n * 1e3:.1f} m/s burn with {thrust:g} N on {m0:g} kg (Isp {isp:g} s) "
                f"lasts {t0_burn / 60:.1f} min, {t0_burn / period_c:.2f} of the "
                f"{period_c / 60:.1f} min period of a circular orbit at r = {r_n:.0f} km "
                f"({math.degrees(t0_burn / tc):.0f} deg of arc)")

    if t0_burn > period_c:  # hopeless: say how far the first guess lands
        try:
            pos, vel = mismatch(residual(fly(np.zeros(4))[2]))
            why = (f"the burn centred on the impulse misses the impulsive trajectory by "
                   f"{pos / 1e3:.1f} km and {vel:.1f} m/s at the match epoch")
        except CosmoplanError as exc:
            why = f"the burn centred on the impulse fails ({exc})"
        raise ConvergenceError(
            f"{describe()}: a constant-direction burn longer than an orbit cannot stand for "
            f"an impulse (the gravity loss would be absurd); {why}. Use a larger engine or "
            f"split the burn")

    cache = {}

    def fun(x):
        k = x.tobytes()
        if k not in cache:
            try:
                cache.clear()
                cache[k] = residual(fly(x)[2])
            except (PropagationError, InputError):
                cache[k] = np.full(6, 1e6)  # a trial that hits a body: rejected
        return cache[k]

    def jac(x):
        f0 = fun(x)
        cols = []
        for i in range(4):
            xi = x.copy()
            xi[i] += _PROBE_KM / _UNIT_KM
            try:
                fi = residual(fly(xi)[2])
            except (PropagationError, InputError):
                fi = f0
            cols.append((fi - f0) / (_PROBE_KM / _UNIT_KM))
        cache.clear()
        cache[x.tobytes()] = f0
        return np.column_stack(cols)

    f_first = fun(np.zeros(4))
    if not np.all(f_first < 1e6):
        raise ConvergenceError(f"{describe()}: the burn centred on the impulse hits "
                               f"{'the Moon' if centre == 'moon' else 'a body'} before the "
                               f"match epoch")
    sol = least_squares(fun, np.zeros(4), jac=jac, method="lm", xtol=1e-12, ftol=1e-12,
                        gtol=1e-12, max_nfev=60)
    y_start, y_cut, y_end = fly(sol.x)
    res = residual(y_end)
    pos, vel = mismatch(res)
    tau, dur, d = unpack(sol.x)
    ok = (vel <= tol * dv_n * 1e3 and pos <= tol * dv_n * 1e3 * tc
          and 1e-3 * t0_burn < dur < t_max and tau + dur < t_match)
    if not ok:
        raise ConvergenceError(
            f"{describe()}: the best constant-thrust burn ({frame}, {dur:.1f} s from "
            f"{tau:+.1f} s) misses the impulsive trajectory by {pos:.1f} m and {vel:.3f} m/s "
            f"at the match epoch (+{t_match:.0f} s), more than {tol:g} of the impulse "
            f"({tol * dv_n * 1e3:.2f} m/s, {tol * dv_n * tc * 1e3:.0f} m); "
            f"solver: {sol.message}")
    used = mdot * dur
    m1 = m0 - used
    dv_fin = ve * math.log(m0 / m1)
    r1, r2 = y_start[:3], y_cut[:3]
    c = np.cross(r1, r2)
    arc = math.atan2(math.copysign(float(np.linalg.norm(c)), float(c @ h_hat)),
                     float(r1 @ r2)) % (2.0 * math.pi)
    offset = math.degrees(math.acos(max(-1.0, min(1.0, float(d @ u0)))))
    man = FiniteManeuver(ep + tau, dur, thrust, isp, tuple(d), frame, "finite burn")
    return FiniteBurnResult(
        maneuver=man, centre=centre, frame=frame, impulse_epoch=ep, start_offset_s=tau,
        duration_s=dur, mass_kg=m0, propellant_kg=used, impulsive_propellant_kg=prop_imp,
        finite_dv_km_s=dv_fin, impulsive_dv_km_s=dv_n, gravity_loss_km_s=dv_fin - dv_n,
        position_residual_m=pos, velocity_residual_m_s=vel, velocity_scale_s=tc,
        match_epoch=ep + t_match, state_match=np.array(y_end),
        reference_state_match=np.array(ref), state_cutoff=np.array(y_cut),
        burn_arc_deg=math.degrees(arc), pointing_offset_deg=offset, evaluations=count[0])
