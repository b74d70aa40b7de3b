"""Rendezvous and docking in low lunar orbit (a Chang'e-5-class sample return).

After lunar ascent the ascender (the passive **target**) is in a low lunar orbit; the
orbiter-returner (the active **chaser**, as in Chang'e-5) waits in a ~200 km near-circular
orbit in nearly the same plane. :func:`plan_lunar_rendezvous` plans, in the full cislunar
model of :mod:`cosmoplan.cislunar.dynamics` (lunar field, Earth, Sun):

1. **Common epoch.** The earlier of the two states is propagated to the later epoch
   (``t = 0`` of the plan; TDB seconds count from it).
2. **Target burn.** If the target's orbit is not near-circular (apoapsis minus periapsis
   radius above 30 km, e.g. the ascender's 15 x 180 km insertion orbit) the target
   circularises at its next apoapsis (``T-CIRC``, tangential). In Chang'e-5 the ascender
   raised its own orbit after insertion; this burn is the target's and is listed with
   ``spacecraft='target'``. Every other burn is the chaser's.
3. **Plane change.** If the planes differ by more than 0.5 m/s worth of velocity
   rotation, the chaser rotates its velocity into the target's plane at its next node
   (``PC``; budget 2 v sin(angle / 2)). Smaller differences are left to ``NPC``.
4. **Phasing** (Hohmann-like, all tangential but NPC): ``P1`` sets the far apsis of a
   phasing orbit (below the chaser to catch up, above to fall back), the chaser flies N + 1/2
   revolutions in it, ``P2`` at its far apsis sets the opposite apsis to the target's
   radius, and half a transfer orbit later the chaser reaches the **aim point**
   ``aim_behind_km`` behind the target along its orbit (on the curved V-bar, at its
   altitude), where ``P3`` puts it on the target's orbit (a co-orbiting station that does
   not drift). ``NPC``, a
   quarter transfer period before the aim point, is out of plane. N, the number of extra
   laps and the phasing apsis come from two-body orbits with the secular lunar-J2 rates of
   :func:`cosmoplan.rendezvous.phasing.secular_rates` (the model's own lunar J2) and the
   target's argument of latitude from its full-model trajectory; the chaser's rate is
   calibrated on its own full-model coast (the offset between osculating and mean motion).
   Then P1, P2 and NPC are corrected by Newton iteration
   (:func:`cosmoplan.rendezvous.targeting.newton_solve`) on full-model propagations so
   that the chaser reaches the aim point (to 1 cm): the lunar J2, the mascons of the
   field, the Earth and the Sun are all flown, not modelled.
5. **Approach.** V-bar hold points ``hold_points_km`` behind the target: each transfer is
   a two-impulse Clohessy-Wiltshire hop (:func:`cosmoplan.rendezvous.hcw.hcw_two_impulse`
   with the target's orbital rate) whose departure burn (``TA``) is Newton-corrected on the
   full model to arrive within 1 mm; an arrival burn (``TB``) stops the chaser there.
6. **Closing.** From the last hold point a departure burn (``CL1``) and a mid-course burn
   (``CL2``), solved together (6 unknowns), bring the chaser to contact at the target's
   reference point with the relative velocity ``(closing speed, 0, 0)`` in the target's
   LVLH (docking ports taken at the centres of mass).
7. **Fly.** Both burn lists are flown again from the common epoch with
   :func:`cosmoplan.cislunar.dynamics.fly`; the relative state at docking is what the plan
   reports (``final_relative_position``), not the value the correctors aimed at.

Frames and units: states are Moon-centred GCRF positions (km) and velocities (km/s);
relative states are in the target's LVLH frame (:func:`cosmoplan.frames.lvlh_matrix`:
x V-bar, y -H-bar, z R-bar toward the Moon's centre); each burn's ``dv_lvlh`` is in the
LVLH frame of the spacecraft that burns (its own Moon-centred state), as
:class:`cosmoplan.propagator.ImpulsiveManeuver` applies it. Epochs of burns are UTC; plan
times are TDB seconds from the common epoch. Altitudes are above the IAU mean lunar
radius 1737.4 km.

References: Fehse (2003), *Automated Rendezvous and Docking of Spacecraft*, ch. 2-3
(phasing, V-bar hold points, closing); Clohessy & Wiltshire (1960), J. Aerospace Sci.
27(9):653; Vallado (2013) §6.8 and eqs. 9-39..9-41 (secular J2 rates). Chang'e-5 timeline
(CNSA): ascender lift-off 2020-12-03 15:10 UTC, docking 2020-12-05 21:42 UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from ..constants import MOON_RADIUS_KM
from ..errors import InputError, PlanningError, PropagationError
from ..frames import absolute_state, lvlh_matrix, relative_state
from ..propagator import ImpulsiveManeuver
from ..rendezvous.hcw import hcw_two_impulse
from ..rendezvous.phasing import secular_rates
from ..rendezvous.plan import Burn, TimelineEvent
from ..rendezvous.targeting import newton_solve
from ..time import Epoch
from .dynamics import (
    CislunarArc,
    CislunarForceModel,
    fly,
    lunar_elements,
    moon_apsis_event,
    propagate,
)

__all__ = ["LunarBurn", "LunarRendezvousPlan", "TransferLeg", "plan_lunar_rendezvous",
           "hcw_transfer"]

CIRCULAR_TOLERANCE_KM = 30.0
"""An orbit with apoapsis minus periapsis radius below this is treated as circular: the
lunar field alone (LP165P 8x8) makes an initially circular 200 km orbit's osculating radii
spread to 192-207 km within two days, which is not worth a burn."""

PLANE_CHANGE_THRESHOLD_KM_S = 0.5e-3
"""Plane differences whose rotation costs less than this are left to NPC (km/s)."""

LEAD_S = 600.0
"""P1 comes this long after the common epoch (or the plane change), s."""

MAX_APOAPSIS_ALTITUDE_KM = 10000.0
"""Largest apoapsis altitude accepted for the input orbits (low lunar orbits), km."""


# ---------------------------------------------------------------------------- records
@dataclass(frozen=True)
class LunarBurn(Burn):
    """One impulsive burn of a lunar rendezvous plan (:class:`~cosmoplan.rendezvous.plan.Burn`
    plus the spacecraft that burns).

    Attributes
    ----------
    name, epoch, phase, purpose
        As :class:`~cosmoplan.rendezvous.plan.Burn`; ``epoch`` is UTC, ``phase`` one of
        ``'target'``, ``'plane change'``, ``'phasing'``, ``'approach'``,
        ``'final approach'``.
    dv_lvlh : ndarray, shape (3,)
        Delta-v in the LVLH frame of the spacecraft that burns, at the burn (x V-bar,
        y -H-bar, z R-bar toward the Moon), km/s.
    dv_gcrf : ndarray, shape (3,)
        The same delta-v on GCRF axes, km/s.
    spacecraft : {'chaser', 'target'}
    first_guess_lvlh : ndarray, shape (3,) or None
        The analytic first guess the corrector started from (two-body / HCW), same frame,
        km/s; None for burns that are computed exactly (stops, T-CIRC, PC).
    """

    spacecraft: str = "chaser"
    first_guess_lvlh: np.ndarray | None = None

    def maneuver(self):
        """This burn as an :class:`~cosmoplan.propagator.ImpulsiveManeuver` (TDB epoch,
        LVLH) for :func:`cosmoplan.cislunar.dynamics.fly`."""
        return ImpulsiveManeuver(self.epoch.tdb, tuple(self.dv_lvlh), "LVLH", self.name)

    def to_dict(self):
        out = super().to_dict()
        out["spacecraft"] = self.spacecraft
        if self.first_guess_lvlh is not None:
            g = self.first_guess_lvlh
            out["first_guess_lvlh_m_s"] = {"vbar_x": float(g[0] * 1e3),
                                           "hbar_y": float(g[1] * 1e3),
                                           "rbar_z": float(g[2] * 1e3)}
        return out


@dataclass(frozen=True)
class TransferLeg:
    """A corrected two-impulse hop (:func:`hcw_transfer`).

    Attributes
    ----------
    first_guess_lvlh : ndarray, shape (3,)
        HCW departure delta-v in the chaser's LVLH frame, km/s.
    dv_lvlh, dv_gcrf : ndarray, shape (3,)
        The departure delta-v corrected on the full model (chaser LVLH; GCRF), km/s.
    chaser_arrival, target_arrival : ndarray, shape (6,)
        Moon-centred GCRF states at arrival (before any arrival burn), km, km/s.
    arrival_lvlh : ndarray, shape (3,)
        The chaser's position in the target's LVLH frame at arrival, km.
    arrival_velocity_lvlh : ndarray, shape (3,)
        Its relative velocity there (what an arrival burn removes), km/s.
    iterations : int
        Newton iterations.
    """

    first_guess_lvlh: np.ndarray
    dv_lvlh: np.ndarray
    dv_gcrf: np.ndarray
    chaser_arrival: np.ndarray
    target_arrival: np.ndarray
    arrival_lvlh: np.ndarray
    arrival_velocity_lvlh: np.ndarray
    iterations: int


@dataclass
class LunarRendezvousPlan:
    """A lunar-orbit rendezvous plan (module docstring for the method).

    Attributes
    ----------
    model : str
        The force model, in words.
    common_epoch : Epoch
        ``t = 0`` of the plan (UTC): the later of the two input epochs.
    chaser_state0, target_state0 : ndarray, shape (6,)
        Moon-centred GCRF states at ``common_epoch``, km, km/s (fly the burn lists from
        them).
    burns : list of LunarBurn
        Every burn of both spacecraft, in time order.
    docking_epoch : Epoch
        Contact (UTC).
    total_dv_km_s : dict
        ``{'chaser': ..., 'target': ...}``: sums of |dv|, km/s.
    chaser, target : CislunarArc
        The re-flown trajectories, Moon-centred, GCRF, sampled every ``sample_step_s`` (and
        at every burn) from ``common_epoch`` to docking.
    final_relative_position : ndarray, shape (3,)
        The chaser in the target's LVLH frame at docking after re-flying the burns, km
        (the aim is 0: contact).
    final_relative_velocity : ndarray, shape (3,)
        Relative velocity there, km/s (the aim is ``(closing_speed, 0, 0)``).
    closing_speed_km_s : float
    aim_behind_km : float
    hold_points_km : tuple of float
    phasing : dict
        The phasing design: revolutions N, extra laps, phasing apsis altitude (km), the
        phase angle at P1 and the angle between the planes at the common epoch (deg), the
        two-body delta-v estimate of P1 + P2 + P3 (m/s), epochs.
    events : list of TimelineEvent
    corrector_iterations : dict
    warnings : list of str
    """

    model: str
    common_epoch: Epoch
    chaser_state0: np.ndarray
    target_state0: np.ndarray
    burns: list
    docking_epoch: Epoch
    total_dv_km_s: dict
    chaser: CislunarArc
    target: CislunarArc
    final_relative_position: np.ndarray
    final_relative_velocity: np.ndarray
    closing_speed_km_s: float
    aim_behind_km: float
    hold_points_km: tuple
    phasing: dict
    events: list = field(default_factory=list)
    corrector_iterations: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def chaser_burns(self):
        """The chaser's burns, in time order."""
        return [b for b in self.burns if b.spacecraft == "chaser"]

    @property
    def target_burns(self):
        """The target's own burns (e.g. the ascender's circularisation)."""
        return [b for b in self.burns if b.spacecraft == "target"]

    @property
    def miss_km(self):
        """|final relative position|: distance from contact at the docking epoch, km."""
        return float(np.linalg.norm(self.final_relative_position))

    @property
    def duration_s(self):
        """Common epoch to docking, s."""
        return float(self.docking_epoch - self.common_epoch)

    def maneuvers(self, spacecraft="chaser"):
        """The burns of ``spacecraft`` as ImpulsiveManeuver objects (TDB epochs, LVLH), to
        re-fly them with :func:`cosmoplan.cislunar.dynamics.fly` from ``common_epoch``."""
        if spacecraft not in ("chaser", "target"):
            raise InputError(f"spacecraft must be 'chaser' or 'target', got {spacecraft!r}",
                             field="spacecraft", value=spacecraft)
        return [b.maneuver() for b in self.burns if b.spacecraft == spacecraft]

    def relative_lvlh(self, velocity=False):
        """The chaser in the target's LVLH frame along the re-flown trajectories.

        Returns
        -------
        t : ndarray, shape (n,)
            TDB seconds from ``common_epoch``.
        rho : ndarray, shape (n, 3)
            Relative position, km (x V-bar, y -H-bar, z R-bar).
        rho_dot : ndarray, shape (n, 3)
            Relative velocity, km/s (only with ``velocity=True``).
        """
        t, ic, it = np.intersect1d(self.chaser.t_s, self.target.t_s, return_indices=True)
        xc, xt = self.chaser.states[ic], self.target.states[it]
        rho, rho_dot = relative_state(xt[:, :3], xt[:, 3:], xc[:, :3], xc[:, 3:])
        return (t, rho, rho_dot) if velocity else (t, rho)

    def table(self):
        """The burn table: one dict per burn (name, spacecraft, UTC epoch, phase, |dv| and
        its LVLH components in m/s, purpose), in time order."""
        rows = []
        for b in self.burns:
            rows.append({
                "name": b.name, "spacecraft": b.spacecraft, "epoch_utc": b.epoch.utc.iso(3),
                "phase": b.phase, "dv_m_s": b.magnitude * 1e3,
                "vbar_m_s": float(b.dv_lvlh[0] * 1e3), "hbar_m_s": float(b.dv_lvlh[1] * 1e3),
                "rbar_m_s": float(b.dv_lvlh[2] * 1e3), "purpose": b.purpose})
        return rows

    def to_dict(self):
        """JSON-ready content (display units: m, m/s, deg; epochs UTC ISO 8601)."""
        return {
            "format": "cosmoplan lunar rendezvous plan 1",
            "force_model": self.model,
            "common_epoch_utc": self.common_epoch.utc.iso(6),
            "docking_epoch_utc": self.docking_epoch.utc.iso(6),
            "duration_h": self.duration_s / 3600.0,
            "initial_states_moon_gcrf": {
                name: {"r_km": [float(x) for x in s[:3]], "v_km_s": [float(x) for x in s[3:]]}
                for name, s in (("chaser", self.chaser_state0), ("target", self.target_state0))},
            "burns": [b.to_dict() for b in self.burns],
            "totals_m_s": {k: v * 1e3 for k, v in self.total_dv_km_s.items()},
            "phasing": dict(self.phasing),
            "approach": {"aim_behind_km": self.aim_behind_km,
                         "hold_points_m": [d * 1e3 for d in self.hold_points_km],
                         "closing_speed_m_s": self.closing_speed_km_s * 1e3},
            "docking": {
                "final_position_lvlh_m": [float(x * 1e3) for x in self.final_relative_position],
                "final_velocity_lvlh_m_s": [float(x * 1e3)
                                            for x in self.final_relative_velocity],
                "miss_m": self.miss_km * 1e3},
            "timeline": [e.to_dict() for e in self.events],
            "corrector_iterations": dict(self.corrector_iterations),
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------- flying
class _Run:
    """Full-model flights of one planning run: times are TDB seconds from ``ep0``."""

    def __init__(self, model, ep0):
        self.model = model
        self.ep0 = ep0
        self.propagations = 0

    def coast(self, t_a, x, t_b):
        x = np.array(x, dtype=float)
        if t_b == t_a:
            return x
        self.propagations += 1
        return propagate(self.model, self.ep0 + t_a, x, t_b - t_a, centre="moon").final

    def fly(self, t_a, x, t_b, burns):
        """State at t_b after the burns [(t, dv_lvlh)] (own LVLH) between t_a and t_b."""
        x = np.array(x, dtype=float)
        t = t_a
        for tb, dv in sorted(burns, key=lambda b: b[0]):
            x = self.coast(t, x, tb)
            x[3:] += _dv_gcrf(x, dv)
            t = tb
        return self.coast(t, x, t_b)

    def sampled(self, x0, t_end, step, burns=(), t_extra=()):
        """CislunarArc from t = 0 through the burns, sampled every ``step`` s."""
        te = np.unique(np.r_[np.arange(0.0, t_end, step), np.asarray(t_extra, float), t_end])
        te = te[(te >= 0.0) & (te <= t_end)]
        mans = [ImpulsiveManeuver(self.ep0 + tb, tuple(dv), "LVLH") for tb, dv in burns
                if tb <= t_end]
        return fly(self.model, self.ep0, x0, t_end, centre="moon", maneuvers=mans, t_out=te)


def _dv_gcrf(x, dv_lvlh):
    return lvlh_matrix(x[:3], x[3:]).T @ np.asarray(dv_lvlh, float)


class _Track:
    """Exact states of a spacecraft whose burns are known (the target)."""

    def __init__(self, run, x0, burns):
        self.run = run
        self.burns = sorted(burns, key=lambda b: b[0])
        self.cp = [(0.0, np.array(x0, float))]
        for tb, dv in self.burns:
            t, x = self.cp[-1]
            x = run.coast(t, x, tb)
            x[3:] += _dv_gcrf(x, dv)
            self.cp.append((tb, x))
        self.memo = {}

    def at(self, t):
        if t not in self.memo:
            tc, xc = [c for c in self.cp if c[0] <= t][-1] if t >= 0 else self.cp[0]
            self.memo[t] = self.run.coast(tc, xc, t)
        return self.memo[t].copy()


def _rate(x):
    """Orbital angular rate |r x v| / r^2, rad/s."""
    return float(np.linalg.norm(np.cross(x[:3], x[3:])) / np.dot(x[:3], x[:3]))


def _unwrapped_u(states, h_hat, e1):
    """Unwrapped angle of the positions in the plane normal to h_hat, from e1, rad."""
    e2 = np.cross(h_hat, e1)
    return np.unwrap(np.arctan2(states[:, :3] @ e2, states[:, :3] @ e1))


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


# ---------------------------------------------------------------------------- legs
def _newton_leg(run, t_dep, xc, xt, t_arr, aim, what, iterations):
    """Departure burn (chaser LVLH) bringing the chaser to ``aim`` (target LVLH) at t_arr."""
    rho0, rho_dot0 = relative_state(xt[:3], xt[3:], xc[:3], xc[3:])
    dt = float(t_arr - t_dep)
    dv_rel, _ = hcw_two_impulse(_rate(xt), dt, rho0, rho_dot0, aim)
    m_t = lvlh_matrix(xt[:3], xt[3:])
    m_c = lvlh_matrix(xc[:3], xc[3:])
    x0 = m_c @ (m_t.T @ dv_rel)
    xt_a = run.coast(t_dep, xt, t_arr)

    def arrive(dv):
        x = xc.copy()
        x[3:] += m_c.T @ dv
        return run.coast(t_dep, x, t_arr)

    def residual(X):
        out = []
        for xi in X:
            try:
                xa = arrive(xi)
            except PropagationError:
                out.append(np.full(3, 1e6))
                continue
            out.append(relative_state(xt_a[:3], xt_a[3:], xa[:3], xa[3:])[0] - aim)
        return np.array(out)

    x, info = newton_solve(residual, x0, step=1e-7, tol=1e-6, max_iter=15, what=what,
                           units="km (miss distance); unknowns: departure dv, km/s, chaser LVLH",
                           advice="give this transfer another duration (approach_hours) or move "
                                  "the hold points")
    iterations[what] = info["iterations"]
    xa = arrive(x)
    rho, rho_dot = relative_state(xt_a[:3], xt_a[3:], xa[:3], xa[3:])
    return TransferLeg(first_guess_lvlh=x0, dv_lvlh=x, dv_gcrf=m_c.T @ x, chaser_arrival=xa,
                       target_arrival=xt_a, arrival_lvlh=rho, arrival_velocity_lvlh=rho_dot,
                       iterations=info["iterations"])


def _stop(xc, xt, rho_dot_aim=(0.0, 0.0, 0.0)):
    """Burn setting the relative velocity (target LVLH) to rho_dot_aim: (new state, dv
    chaser LVLH, dv GCRF)."""
    rho, _ = relative_state(xt[:3], xt[3:], xc[:3], xc[3:])
    _, v_new = absolute_state(xt[:3], xt[3:], rho, np.asarray(rho_dot_aim, float))
    dvg = v_new - xc[3:]
    out = xc.copy()
    out[3:] = v_new
    return out, lvlh_matrix(xc[:3], xc[3:]) @ dvg, dvg


def hcw_transfer(model, epoch, chaser_state, target_state, duration_s, aim_lvlh_km):
    """A two-impulse hop in lunar orbit: HCW first guess, Newton-corrected on the full model.

    Parameters
    ----------
    model : CislunarForceModel
    epoch : Epoch
        Epoch of both states (and of the departure burn).
    chaser_state, target_state : array_like, shape (6,)
        Moon-centred GCRF states, km, km/s.
    duration_s : float
        Transfer time, s (not a multiple of half the target's period: HCW is singular there).
    aim_lvlh_km : array_like, shape (3,)
        Where the chaser must be at arrival, target LVLH (x V-bar, y -H-bar, z R-bar), km.

    Returns
    -------
    TransferLeg
        The departure burn (HCW guess from :func:`cosmoplan.rendezvous.hcw.hcw_two_impulse`
        with the target's orbital rate |r x v| / r^2, and its correction to a 1 mm miss)
        and the arrival states; an arrival burn is the caller's (``arrival_velocity_lvlh``).

    Raises
    ------
    InputError
        Bad arguments, or a duration HCW cannot use. ConvergenceError: the correction failed.
    """
    _check_model(model)
    ep = Epoch.coerce(epoch, "utc", field="epoch")
    xc = _check_state(chaser_state, "chaser_state")
    xt = _check_state(target_state, "target_state")
    dt = float(duration_s)
    if not (math.isfinite(dt) and dt > 0):
        raise InputError(f"duration_s must be a positive number of seconds, got {duration_s!r}",
                         field="duration_s", value=duration_s)
    aim = np.asarray(aim_lvlh_km, float).reshape(-1)
    if aim.shape != (3,) or not np.all(np.isfinite(aim)):
        raise InputError(f"aim_lvlh_km must be 3 finite numbers (km), got {aim_lvlh_km!r}",
                         field="aim_lvlh_km", value=aim_lvlh_km)
    run = _Run(model, ep.tdb)
    return _newton_leg(run, 0.0, xc, xt, dt, aim, "HCW transfer", {})


# ---------------------------------------------------------------------------- validation
def _check_model(model):
    if not isinstance(model, CislunarForceModel):
        raise InputError(f"model must be a CislunarForceModel, got {type(model).__name__}",
                         field="model", value=model)


def _check_state(state, name):
    try:
        x = np.array(state, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be 6 numbers (km, km/s), got {state!r}", field=name,
                         value=state) from None
    if x.shape != (6,) or not np.all(np.isfinite(x)):
        raise InputError(f"{name} must be 6 finite numbers: Moon-centred GCRF position (km) "
                         f"and velocity (km/s), got {state!r}", field=name, value=state)
    return x


def _check_orbit(name, x, epoch, mu):
    r = float(np.linalg.norm(x[:3]))
    if r < MOON_RADIUS_KM:
        raise InputError(
            f"{name} is {MOON_RADIUS_KM - r:.1f} km below the lunar surface (|r| = {r:.1f} km "
            f"< {MOON_RADIUS_KM} km): give a Moon-centred state (not Earth-centred, not in "
            "metres) of a spacecraft in lunar orbit", field=name, value=x.tolist())
    el = lunar_elements(x, epoch, mu)
    if el["e"] >= 1.0:
        raise InputError(
            f"{name} is not a lunar orbit: eccentricity {el['e']:.3f} >= 1 relative to the Moon "
            f"(speed {np.linalg.norm(x[3:]):.3f} km/s, escape speed "
            f"{math.sqrt(2 * mu / r):.3f} km/s at {r - MOON_RADIUS_KM:.0f} km); give a "
            "captured state (after lunar orbit insertion)", field=name, value=x.tolist())
    if el["periapsis_altitude"] < 0.0:
        raise InputError(
            f"{name}'s orbit hits the Moon: periapsis {-el['periapsis_altitude']:.1f} km below "
            "the surface; raise its periapsis (or give the state after the ascent's orbit "
            "insertion)", field=name, value=x.tolist())
    if el["ra"] - MOON_RADIUS_KM > MAX_APOAPSIS_ALTITUDE_KM:
        raise InputError(
            f"{name}'s apoapsis altitude {el['ra'] - MOON_RADIUS_KM:.0f} km is above "
            f"{MAX_APOAPSIS_ALTITUDE_KM:.0f} km: this planner handles low lunar orbits; "
            "lower the apoapsis first", field=name, value=x.tolist())
    return el


def _check_positive(value, name, lo, hi, unit):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number ({unit}), got {value!r}", field=name,
                         value=value) from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise InputError(f"{name} must lie in {lo:g}..{hi:g} {unit}, got {value!r}",
                         field=name, value=value)
    return v


# ---------------------------------------------------------------------------- design
@dataclass(frozen=True)
class _Design:
    revolutions: int
    laps: int
    r_phasing: float
    t1: float
    t2: float
    t_npc: float
    t_arr: float
    dv1: float
    dv2: float
    dv3: float

    @property
    def total(self):
        return abs(self.dv1) + abs(self.dv2) + abs(self.dv3)


@dataclass(frozen=True)
class _Phasing:
    """Two-body + secular-J2 timeline of the phasing (P1 at r_c, N + 1/2 revs in the
    phasing orbit to its far apsis r1, P2 there, half a transfer orbit to r_t).

    Times s (TDB from the common epoch), radii km, speeds km/s, angles rad; ``target_u(t)``
    is the target's argument-of-latitude advance since t1 (full model); ``rate_offset``
    the chaser's full-model minus secular argument-of-latitude rate, rad/s."""

    t1: float
    r_c: float
    v_c: float
    r_t: float
    v_t: float
    inc: float
    mu: float
    radius: float
    j2: float
    phase0: float
    target_u: object
    aim_angle: float
    rate_offset: float

    def _rates(self, lo, hi):
        a = 0.5 * (lo + hi)
        e = (hi - lo) / (hi + lo)
        return secular_rates(a, e, self.inc, self.mu, self.radius, self.j2)

    def timeline(self, r1, n_rev):
        m1, w1, _ = self._rates(*sorted((self.r_c, r1)))
        t_ph = (n_rev + 0.5) * 2.0 * math.pi / m1
        m2, w2, _ = self._rates(*sorted((r1, self.r_t)))
        t_tr = math.pi / m2
        du = (2 * n_rev + 2) * math.pi + w1 * t_ph + w2 * t_tr
        du += self.rate_offset * (t_ph + t_tr)
        return self.t1 + t_ph, self.t1 + t_ph + t_tr, du, 2.0 * t_tr

    def f0(self, r1, n_rev):
        _, t_arr, du, _ = self.timeline(r1, n_rev)
        return self.phase0 + self.target_u(t_arr) - du - self.aim_angle

    def design(self, r1, n_rev, laps):
        t2, t_arr, _, period_tr = self.timeline(r1, n_rev)
        mu = self.mu

        def vis(r, a):
            return math.sqrt(mu * (2.0 / r - 1.0 / a))

        a1 = 0.5 * (self.r_c + r1)
        a2 = 0.5 * (r1 + self.r_t)
        dv1 = vis(self.r_c, a1) - self.v_c
        dv2 = vis(r1, a2) - vis(r1, a1)
        dv3 = self.v_t - vis(self.r_t, a2)
        return _Design(n_rev, laps, r1, self.t1, t2, t_arr - 0.25 * period_tr, t_arr,
                       dv1, dv2, dv3)

    def search(self, r_min, r_max, t_lo, t_hi, objective):
        """Feasible designs arriving in [t_lo, t_hi]; the chosen one (or None)."""
        best = None
        n_rev = 0
        while True:
            t_fast = self.timeline(r_min, n_rev)[1]
            if t_fast > t_hi or (best is not None and objective == "earliest"
                                 and t_fast > best.t_arr):
                break
            f_lo, f_hi = self.f0(r_min, n_rev), self.f0(r_max, n_rev)
            for laps in range(math.ceil(f_lo / (2 * math.pi)),
                              math.floor(f_hi / (2 * math.pi)) + 1):
                target = 2.0 * math.pi * laps
                g_lo, g_hi = f_lo - target, f_hi - target
                if g_lo == 0.0:
                    r1 = r_min
                elif g_hi == 0.0:
                    r1 = r_max
                else:
                    r1 = brentq(lambda r, n=n_rev, c=target: self.f0(r, n) - c, r_min, r_max,
                                xtol=1e-7)
                d = self.design(r1, n_rev, laps)
                if not t_lo <= d.t_arr <= t_hi:
                    continue
                if best is None or _better(d, best, objective):
                    best = d
            n_rev += 1
            if n_rev > 5000:
                break
        return best


def _better(d, best, objective):
    if objective == "earliest":
        return d.t_arr < best.t_arr
    if abs(d.total - best.total) <= 1e-4:  # within 0.1 m/s: the earlier
        return d.t_arr < best.t_arr
    return d.total < best.total


# ---------------------------------------------------------------------------- planner
def plan_lunar_rendezvous(model, *, chaser_epoch, chaser_state, target_epoch, target_state,
                          earliest_docking=None, max_days=4.0, aim_behind_km=30.0,
                          hold_points_km=(5.0, 1.0, 0.1), approach_hours=6.0,
                          hold_minutes=10.0, closing_speed_m_s=0.15, objective="min-dv",
                          min_periapsis_altitude_km=50.0, max_apoapsis_altitude_km=500.0,
                          sample_step_s=60.0, progress=None):
    """Plan phasing, approach and docking of a chaser with a target in low lunar orbit.

    Parameters
    ----------
    model : CislunarForceModel
        Forces for both spacecraft (e.g. ``CislunarForceModel()``: LP165P 8x8, EGM96 8x8,
        Sun).
    chaser_epoch, target_epoch : Epoch or ISO text
        Epochs of the states (any scale; UTC for text).
    chaser_state, target_state : array_like, shape (6,)
        Moon-centred GCRF position (km) and velocity (km/s) of the active chaser (the
        orbiter-returner) and of the passive target (the ascender).
    earliest_docking : Epoch or ISO text, optional
        Contact no earlier than this.
    max_days : float
        Contact no later than this many days after the common epoch (the later input
        epoch).
    aim_behind_km : float
        End of phasing: this far behind the target along its orbit (the curved V-bar, at
        its altitude), km.
    hold_points_km : sequence of float
        V-bar hold points behind the target, km, decreasing (default 5 km, 1 km, 100 m).
    approach_hours : float
        From arrival at the aim point to contact, h: holds of ``hold_minutes`` at the aim
        point and at each hold point, equal transfer times between them, and the closing
        from the last hold point at ``closing_speed_m_s``. The default 6 h gives
        transfers of ~0.8 revolution at 200 km (4 m/s for the three hops; 3 h costs 25 m/s:
        a 25 km hop in 0.3 revolution needs large radial burns).
    hold_minutes : float
        Time at each hold (and at the aim point), min.
    closing_speed_m_s : float
        Relative speed at contact, along V-bar, m/s.
    objective : {'min-dv', 'earliest'}
        Among feasible phasings: the least two-body delta-v (ties within 0.1 m/s: the
        earliest), or the earliest docking.
    min_periapsis_altitude_km, max_apoapsis_altitude_km : float
        Bounds of the chaser's phasing and transfer orbits, km above 1737.4 km.
    sample_step_s : float
        Sampling of the output trajectories, s.
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    LunarRendezvousPlan

    Raises
    ------
    InputError
        Bad arguments: states that are not finite, not lunar orbits (hyperbolic, under the
        surface, periapsis below it), bad hold points or approach timing.
    PlanningError
        No phasing docks within ``max_days`` (the message gives the days needed) or after
        ``earliest_docking``.
    ConvergenceError
        A corrector failed (its residual and unknowns are in the message).
    """
    _check_model(model)
    if progress is not None and not callable(progress):
        raise InputError("progress must be a callable progress(stage, fraction)",
                         field="progress", value=progress)
    prog = progress or (lambda stage, frac: None)
    ep_c = Epoch.coerce(chaser_epoch, "utc", field="chaser_epoch")
    ep_t = Epoch.coerce(target_epoch, "utc", field="target_epoch")
    for name, ep in (("chaser_epoch", ep_c), ("target_epoch", ep_t)):
        if ep.ndim != 0:
            raise InputError(f"{name} must be one epoch", field=name, value=ep)
    xc_in = _check_state(chaser_state, "chaser_state")
    xt_in = _check_state(target_state, "target_state")
    mu = model.gm("moon")
    _check_orbit("chaser_state", xc_in, ep_c, mu)
    _check_orbit("target_state", xt_in, ep_t, mu)
    max_days = _check_positive(max_days, "max_days", 1e-3, 30.0, "days")
    aim_behind = _check_positive(aim_behind_km, "aim_behind_km", 0.01, 500.0, "km")
    try:
        holds = tuple(float(d) for d in hold_points_km)
    except (TypeError, ValueError):
        raise InputError(f"hold_points_km must be a sequence of distances (km), got "
                         f"{hold_points_km!r}", field="hold_points_km",
                         value=hold_points_km) from None
    if (not holds or any(not (math.isfinite(d) and d >= 0.005) for d in holds)
            or any(b >= a for a, b in zip(holds, holds[1:])) or holds[0] >= aim_behind):
        raise InputError(
            f"hold points {list(holds)} km must be at least 5 m, strictly decreasing, and "
            f"nearer than the aim point ({aim_behind:g} km)", field="hold_points_km",
            value=hold_points_km)
    approach_s = 3600.0 * _check_positive(approach_hours, "approach_hours", 0.1, 48.0, "h")
    hold_s = 60.0 * _check_positive(hold_minutes, "hold_minutes", 0.0, 600.0, "min")
    v_close = 1e-3 * _check_positive(closing_speed_m_s, "closing_speed_m_s", 0.01, 1.0, "m/s")
    step = _check_positive(sample_step_s, "sample_step_s", 1.0, 600.0, "s")
    if objective not in ("min-dv", "earliest"):
        raise InputError(f"objective must be 'min-dv' or 'earliest', got {objective!r}",
                         field="objective", value=objective)
    h_min = _check_positive(min_periapsis_altitude_km, "min_periapsis_altitude_km", 5.0, 5000.0,
                            "km")
    h_max = _check_positive(max_apoapsis_altitude_km, "max_apoapsis_altitude_km", h_min, 10000.0,
                            "km")
    closing_s = holds[-1] / v_close
    leg_s = (approach_s - (len(holds) + 1) * hold_s - closing_s) / len(holds)
    if leg_s < 300.0:
        raise InputError(
            f"approach_hours {approach_hours} h leaves {leg_s / 60:.1f} min per transfer after "
            f"{len(holds) + 1} holds of {hold_s / 60:g} min and the {closing_s / 60:.1f} min "
            "closing: give more hours, fewer hold points or shorter holds",
            field="approach_hours", value=approach_hours)

    # ---------------------------------------------------------------- common epoch
    prog("common epoch", 0.0)
    later_c = float(ep_c - ep_t) >= 0.0
    ep0 = (ep_c if later_c else ep_t).tdb
    gap = abs(float(ep_c - ep_t))
    if gap > 30 * 86400.0:
        raise InputError(f"the chaser and target epochs are {gap / 86400:.1f} days apart "
                         "(at most 30): give states near the same time",
                         field="target_epoch", value=ep_t.utc.iso())
    run = _Run(model, ep0)
    if later_c:
        xc0 = xc_in
        xt0 = _coast_to(model, ep_t, xt_in, ep0)
    else:
        xt0 = xt_in
        xc0 = _coast_to(model, ep_c, xc_in, ep0)
    t_hi_dock = max_days * 86400.0
    t_lo_dock = -np.inf
    if earliest_docking is not None:
        e_lo = Epoch.coerce(earliest_docking, "utc", field="earliest_docking")
        t_lo_dock = float(e_lo.tdb - ep0)
        if t_lo_dock > t_hi_dock:
            raise PlanningError(
                f"earliest_docking {e_lo.utc.iso(0)} is after the latest docking allowed, "
                f"{max_days:g} days after {ep0.utc.iso(0)}: raise max_days to at least "
                f"{t_lo_dock / 86400 + 0.01:.2f}")
    events = [TimelineEvent(ep0.utc, "common epoch", "both states propagated to here")]
    burns = []
    iterations = {}
    notes = []

    # ---------------------------------------------------------------- target circularisation
    el_t = lunar_elements(xt0, ep0, mu)
    t_burns = []
    t_tc = 0.0
    if el_t["ra"] - el_t["rp"] > CIRCULAR_TOLERANCE_KM:
        period = 2 * math.pi * math.sqrt(el_t["a"] ** 3 / mu)
        arc = propagate(model, ep0 + 60.0, run.coast(0.0, xt0, 60.0), 1.5 * period,
                        centre="moon", events=[moon_apsis_event("apoapsis")])
        if arc.event is None:
            raise PlanningError("the target's apoapsis could not be found within 1.5 "
                                "revolutions; give a near-circular target state or one "
                                "closer to its apoapsis")
        t_tc = 60.0 + arc.t_final
        xa = arc.final
        rhat = _unit(xa[:3])
        v_h = float(np.linalg.norm(xa[3:] - np.dot(xa[3:], rhat) * rhat))
        dv = np.array([math.sqrt(mu / np.linalg.norm(xa[:3])) - v_h, 0.0, 0.0])
        t_burns.append((t_tc, dv))
        burns.append(LunarBurn(
            "T-CIRC", (ep0 + t_tc).utc, dv, _dv_gcrf(xa, dv), "target",
            f"target circularises at apoapsis ({el_t['rp'] - MOON_RADIUS_KM:.0f} x "
            f"{el_t['ra'] - MOON_RADIUS_KM:.0f} km -> {el_t['ra'] - MOON_RADIUS_KM:.0f} km)",
            spacecraft="target"))
    target = _Track(run, xt0, t_burns)

    # dense target trajectory: argument of latitude, radius, speed
    span = t_hi_dock + 3 * 3600.0
    t_arc = run.sampled(xt0, span, 60.0, t_burns)
    ts_t, xs_t = t_arc.t_s, t_arc.states
    after = ts_t >= t_tc
    r_t = float(np.mean(np.linalg.norm(xs_t[after, :3], axis=1)))
    v_t = float(np.mean(np.linalg.norm(xs_t[after, 3:], axis=1)))
    prog("design", 0.05)

    # ---------------------------------------------------------------- plane change
    t_ready = 0.0
    xc = xc0.copy()
    h_c, h_t = _unit(np.cross(xc0[:3], xc0[3:])), _unit(np.cross(xt0[:3], xt0[3:]))
    angle = math.acos(max(-1.0, min(1.0, float(h_c @ h_t))))
    if 2 * np.linalg.norm(xc0[3:]) * math.sin(angle / 2) > PLANE_CHANGE_THRESHOLD_KM_S:
        t_pc, xc_pc = _node(run, model, ep0, xc0, target)
        xt_pc = target.at(t_pc)
        ht = _unit(np.cross(xt_pc[:3], xt_pc[3:]))
        v = xc_pc[3:]
        v_new = np.linalg.norm(v) * _unit(v - np.dot(v, ht) * ht)
        dvg = v_new - v
        dvl = lvlh_matrix(xc_pc[:3], v) @ dvg
        burns.append(LunarBurn(
            "PC", (ep0 + t_pc).utc, dvl, dvg, "plane change",
            f"rotates the chaser's velocity into the target's plane at the node "
            f"({math.degrees(angle):.3f} deg)"))
        xc = xc_pc.copy()
        xc[3:] = v_new
        t_ready = t_pc
        events.append(TimelineEvent((ep0 + t_pc).utc, "plane change",
                                    f"{math.degrees(angle):.3f} deg"))

    # ---------------------------------------------------------------- phasing design
    el_c = lunar_elements(xc, ep0 + t_ready, mu)
    t1 = t_ready + LEAD_S
    if el_c["ra"] - el_c["rp"] > CIRCULAR_TOLERANCE_KM:
        period = 2 * math.pi * math.sqrt(el_c["a"] ** 3 / mu)
        arc = propagate(model, ep0 + t1, run.coast(t_ready, xc, t1), 1.5 * period,
                        centre="moon", events=[moon_apsis_event("apoapsis"),
                                               moon_apsis_event("periapsis")])
        t1 += arc.t_final
    x1 = run.coast(t_ready, xc, t1)
    r_c = float(np.linalg.norm(x1[:3]))
    rhat = _unit(x1[:3])
    v_c = float(np.linalg.norm(x1[3:] - np.dot(x1[3:], rhat) * rhat))
    el1 = lunar_elements(x1, ep0 + t1, mu)
    inc = el1["i"]
    fld = model.moon_field
    if model.moon_degree >= 2:
        if fld is None:
            from ..forces.gravity_field import default_moon_field

            fld = default_moon_field()
        j2, radius = float(fld.zonal_j()[2]), float(fld.radius_km)
    else:
        j2, radius = 0.0, MOON_RADIUS_KM
    # calibration of the chaser's argument-of-latitude rate on its own coast
    m_c, w_c, _ = secular_rates(el1["a"], el1["e"], inc, mu, radius, j2)
    rate_model = m_c + w_c
    n_cal = int(min(t_hi_dock - t1, 86400.0) * rate_model / (2 * math.pi))
    rate_offset = 0.0
    if n_cal >= 1:
        t_cal = n_cal * 2 * math.pi / rate_model
        cal = propagate(model, ep0 + t1, x1, t_cal, centre="moon",
                        t_out=np.linspace(0.0, t_cal, max(int(t_cal / 60.0), 10)))
        hc = _unit(np.cross(x1[:3], x1[3:]))
        u_c = _unwrapped_u(cal.states, hc, rhat)
        rate_offset = float((u_c[-1] - u_c[0]) / t_cal - rate_model)
    # the target's argument of latitude from t1, in its own plane at t1
    xt1 = target.at(t1)
    ht1 = _unit(np.cross(xt1[:3], xt1[3:]))
    u_t = _unwrapped_u(xs_t, ht1, _unit(xt1[:3]))
    u_t1 = float(np.interp(t1, ts_t, u_t))
    rate_t = float((u_t[-1] - u_t[after][0]) / (ts_t[-1] - ts_t[after][0]))

    def target_u(t):
        if t <= ts_t[-1]:
            return float(np.interp(t, ts_t, u_t)) - u_t1
        return float(u_t[-1] + rate_t * (t - ts_t[-1])) - u_t1

    phase0 = math.atan2(float(np.dot(np.cross(x1[:3], xt1[:3]), ht1)),
                        float(np.dot(x1[:3], xt1[:3]))) % (2 * math.pi)
    aim_angle = aim_behind / r_t
    ph = _Phasing(t1=t1, r_c=r_c, v_c=v_c, r_t=r_t, v_t=v_t, inc=inc, mu=mu, radius=radius,
                  j2=j2, phase0=phase0, target_u=target_u, aim_angle=aim_angle,
                  rate_offset=rate_offset)
    r_min = MOON_RADIUS_KM + h_min
    r_max = MOON_RADIUS_KM + h_max
    if not r_min <= min(r_c, r_t) or max(r_c, r_t) > r_max:
        raise PlanningError(
            f"the chaser ({r_c - MOON_RADIUS_KM:.0f} km) and target ({r_t - MOON_RADIUS_KM:.0f}"
            f" km) altitudes must lie between min_periapsis_altitude_km ({h_min:g}) and "
            f"max_apoapsis_altitude_km ({h_max:g}); widen these bounds")
    # the arrival at the aim point must come after the target's burn
    t_arr_lo = max(t_lo_dock - approach_s, t_tc + LEAD_S)
    t_arr_hi = t_hi_dock - approach_s
    design = ph.search(r_min, r_max, t_arr_lo, t_arr_hi, objective) if t_arr_hi > t1 else None
    if design is None:
        raise PlanningError(_no_design_message(ph, r_min, r_max, t_arr_lo, approach_s, max_days,
                                               ep0, phase0, t_lo_dock, h_min))
    prog("phasing", 0.15)

    # ---------------------------------------------------------------- phasing correction
    xt_arr = target.at(design.t_arr)
    aim, aim_dot = _behind_on_orbit(xt_arr, aim_behind)
    d = design

    def phasing_burns(x):
        return [(d.t1, (x[0], 0.0, 0.0)), (d.t2, (x[1], 0.0, 0.0)), (d.t_npc, (0.0, x[2], 0.0))]

    def residual(X):
        out = []
        for xi in X:
            try:
                xa = run.fly(d.t1, x1, d.t_arr, phasing_burns(xi))
            except PropagationError:
                out.append(np.full(3, 1e6))
                continue
            out.append(relative_state(xt_arr[:3], xt_arr[3:], xa[:3], xa[3:])[0] - aim)
        return np.array(out)

    x0 = np.array([d.dv1, d.dv2, 0.0])
    x, info = newton_solve(
        residual, x0, step=1e-6, tol=1e-5, max_iter=25,
        what="phasing (P1, P2, NPC) to the aim point",
        units="km (miss at the aim point); unknowns: P1, P2, NPC dv, km/s",
        advice="try another objective or max_days, or move the aim point")
    iterations["phasing"] = info["iterations"]
    above = d.r_phasing > r_c
    names = [("P1", np.array([x[0], 0.0, 0.0]), np.array([d.dv1, 0.0, 0.0]),
              f"{'raises' if above else 'lowers'} the far side to "
              f"{d.r_phasing - MOON_RADIUS_KM:.1f} km: phasing orbit, {d.revolutions} + 1/2 "
              "revolutions"),
             ("P2", np.array([x[1], 0.0, 0.0]), np.array([d.dv2, 0.0, 0.0]),
              f"sets the opposite apsis to the target's altitude "
              f"({r_t - MOON_RADIUS_KM:.1f} km): half an orbit to the aim point"),
             ("NPC", np.array([0.0, x[2], 0.0]), np.zeros(3),
              "out-of-plane correction, a quarter orbit before the aim point")]
    t_prev, xc_now = d.t1, x1.copy()
    for (name, dvl, guess, purpose), (tb, _) in zip(names, phasing_burns(x)):
        xc_now = run.coast(t_prev, xc_now, tb)
        dvg = _dv_gcrf(xc_now, dvl)
        xc_now[3:] += dvg
        burns.append(LunarBurn(name, (ep0 + tb).utc, dvl, dvg, "phasing", purpose,
                               first_guess_lvlh=guess))
        t_prev = tb
    xc_now = run.coast(t_prev, xc_now, d.t_arr)
    xc_now, dvl, dvg = _stop(xc_now, xt_arr, aim_dot)
    burns.append(LunarBurn("P3", (ep0 + d.t_arr).utc, dvl, dvg, "phasing",
                           f"matches the target's orbit at the aim point, {aim_behind:g} km "
                           "behind it (co-orbiting)", first_guess_lvlh=np.array([d.dv3, 0.0, 0.0])))
    events.append(TimelineEvent((ep0 + d.t1).utc, "phasing starts",
                                f"{d.revolutions} + 1/2 revolutions, target "
                                f"{math.degrees(phase0):.2f} deg ahead"))
    events.append(TimelineEvent((ep0 + d.t_arr).utc, "aim point reached",
                                f"{aim_behind:g} km behind on V-bar", aim_behind))
    prog("approach", 0.5)

    # ---------------------------------------------------------------- approach legs
    t_now = d.t_arr
    stops = [aim_behind] + list(holds)
    for k, dist in enumerate(holds):
        t_dep = t_now + hold_s
        xc_now = run.coast(t_now, xc_now, t_dep)
        xt_dep = target.at(t_dep)
        t_arr = t_dep + leg_s
        what = f"transfer to hold point {k + 1} ({dist * 1e3:g} m)"
        _check_hcw_time(_rate(xt_dep), leg_s, approach_hours)
        leg = _newton_leg(run, t_dep, xc_now, xt_dep, t_arr, np.array([-dist, 0.0, 0.0]),
                          what, iterations)
        burns.append(LunarBurn(f"TA{k + 1}", (ep0 + t_dep).utc, leg.dv_lvlh, leg.dv_gcrf,
                               "approach", f"leaves {stops[k] * 1e3:g} m for hold point "
                               f"{k + 1} ({dist * 1e3:g} m behind)",
                               first_guess_lvlh=leg.first_guess_lvlh))
        xc_now, dvl, dvg = _stop(leg.chaser_arrival, leg.target_arrival)
        burns.append(LunarBurn(f"TB{k + 1}", (ep0 + t_arr).utc, dvl, dvg, "approach",
                               f"stops at hold point {k + 1}"))
        events.append(TimelineEvent((ep0 + t_arr).utc, f"hold point {k + 1}",
                                    f"{dist * 1e3:g} m behind on V-bar",
                                    float(np.linalg.norm(leg.arrival_lvlh))))
        t_now = t_arr
        prog("approach", 0.5 + 0.3 * (k + 1) / len(holds))

    # ---------------------------------------------------------------- closing
    t_dep = t_now + hold_s
    xc_now = run.coast(t_now, xc_now, t_dep)
    t_dock = t_dep + closing_s
    cl = _closing(run, t_dep, xc_now, target, t_dock, v_close, iterations)
    for name, tb, dvl, dvg, guess, purpose in cl:
        burns.append(LunarBurn(name, (ep0 + tb).utc, dvl, dvg, "final approach", purpose,
                               first_guess_lvlh=guess))
    events.append(TimelineEvent((ep0 + t_dep).utc, "closing starts",
                                f"from {holds[-1] * 1e3:g} m at {v_close * 1e3:g} m/s"))
    prog("flying the plan", 0.85)

    # ---------------------------------------------------------------- fly it again
    burns.sort(key=lambda b: float(b.epoch.tdb - ep0))
    t_of = {b.name: float(b.epoch.tdb - ep0) for b in burns}
    t_extra = list(t_of.values())
    c_mans = [(t_of[b.name], b.dv_lvlh) for b in burns if b.spacecraft == "chaser"]
    chaser_arc = run.sampled(xc0, t_dock, step, c_mans, t_extra)
    target_arc = run.sampled(xt0, t_dock, step, t_burns, t_extra)
    xc_f, xt_f = chaser_arc.final, target_arc.final
    rho_f, rho_dot_f = relative_state(xt_f[:3], xt_f[3:], xc_f[:3], xc_f[3:])
    events.append(TimelineEvent((ep0 + t_dock).utc, "docking", "contact",
                                float(np.linalg.norm(rho_f))))
    events.sort(key=lambda e: float(e.epoch - ep0))

    plan = LunarRendezvousPlan(
        model=model.describe(), common_epoch=ep0.utc, chaser_state0=xc0, target_state0=xt0,
        burns=burns, docking_epoch=(ep0 + t_dock).utc,
        total_dv_km_s={s: float(sum(b.magnitude for b in burns if b.spacecraft == s))
                       for s in ("chaser", "target")},
        chaser=chaser_arc, target=target_arc, final_relative_position=rho_f,
        final_relative_velocity=rho_dot_f, closing_speed_km_s=v_close,
        aim_behind_km=aim_behind, hold_points_km=holds,
        phasing={"revolutions": d.revolutions, "extra_laps": d.laps,
                 "phasing_apsis_altitude_km": d.r_phasing - MOON_RADIUS_KM,
                 "target_altitude_km": r_t - MOON_RADIUS_KM,
                 "chaser_altitude_km": r_c - MOON_RADIUS_KM,
                 "phase_angle_at_p1_deg": math.degrees(phase0),
                 "plane_angle_deg": math.degrees(angle),
                 "two_body_dv_m_s": d.total * 1e3,
                 "p1_epoch_utc": (ep0 + d.t1).utc.iso(3),
                 "aim_point_epoch_utc": (ep0 + d.t_arr).utc.iso(3),
                 "rate_calibration_rad_s": rate_offset, "objective": objective},
        events=events, corrector_iterations=iterations, warnings=notes)
    _safety_notes(plan, d.t_arr, t_dep, holds)
    prog("done", 1.0)
    return plan


def _behind_on_orbit(xt, dist):
    """The point ``dist`` km behind the target along its orbit (its state rotated back by
    dist / r about its angular momentum), in the target's LVLH: (rho, rho_dot), km, km/s.

    A chaser there with that relative velocity shares the target's orbit (no drift); the
    straight-line V-bar point would lie dist^2 / 2r higher (230 m at 30 km) and need
    1.5 n dist^2 / 2r more speed (0.3 m/s) than its orbit."""
    r = float(np.linalg.norm(xt[:3]))
    k = _unit(np.cross(xt[:3], xt[3:]))
    phi = -dist / r
    c, s = math.cos(phi), math.sin(phi)

    def rot(v):
        return v * c + np.cross(k, v) * s + k * np.dot(k, v) * (1.0 - c)

    rho, rho_dot = relative_state(xt[:3], xt[3:], rot(xt[:3]), rot(xt[3:]))
    return rho, rho_dot


def _coast_to(model, ep_from, x, ep_to):
    dt = float(ep_to.tdb - ep_from.tdb)
    if dt == 0.0:
        return np.array(x, float)
    return propagate(model, ep_from, x, dt, centre="moon").final


def _node(run, model, ep0, xc0, target):
    """First crossing (t >= 60 s) of the target's plane by the chaser: (t, state)."""
    period = 2 * math.pi / _rate(xc0)
    t_out = np.arange(60.0, 60.0 + 0.75 * period, 20.0)
    arc = propagate(model, ep0 + 0.0, xc0, float(t_out[-1]), centre="moon", t_out=t_out)
    # target plane normals at the sample times: one sampled flight of the target
    tt = run.sampled(target.cp[0][1], float(t_out[-1]), 20.0, target.burns, t_out)
    ts, ic, it = np.intersect1d(arc.t_s, tt.t_s, return_indices=True)
    h = np.cross(tt.states[it, :3], tt.states[it, 3:])
    gv = np.einsum("ij,ij->i", arc.states[ic, :3], h / np.linalg.norm(h, axis=1)[:, None])
    k = np.nonzero(np.sign(gv[:-1]) * np.sign(gv[1:]) <= 0)[0]
    if k.size == 0:
        raise PlanningError("the chaser does not cross the target's plane within 3/4 of a "
                            "revolution: the plane-change node could not be found")
    k = int(k[0])
    t_n = float(ts[k] - gv[k] * (ts[k + 1] - ts[k]) / (gv[k + 1] - gv[k]))
    return t_n, run.coast(0.0, xc0, t_n)


def _check_hcw_time(n, dt, approach_hours):
    q = n * dt / math.pi
    if abs(q - round(q)) < 0.1:
        raise InputError(
            f"each approach transfer lasts {dt / 60:.1f} min, {q:.2f} half revolutions of the "
            "target: two-impulse HCW transfers are singular near whole half revolutions; "
            "change approach_hours (or hold_minutes)", field="approach_hours",
            value=approach_hours)


def _closing(run, t_dep, xc, target, t_dock, v_close, iterations):
    """CL1 (departure) and CL2 (mid-course) bringing the chaser to contact at the closing
    velocity (v_close, 0, 0) in the target's LVLH."""
    t_mid = t_dep + 0.5 * (t_dock - t_dep)
    xt = target.at(t_dep)
    rho0, rho_dot0 = relative_state(xt[:3], xt[3:], xc[:3], xc[3:])
    dv1, _ = hcw_two_impulse(_rate(xt), t_dock - t_dep, rho0, rho_dot0, np.zeros(3))
    m_c = lvlh_matrix(xc[:3], xc[3:])
    g1 = m_c @ (lvlh_matrix(xt[:3], xt[3:]).T @ dv1)
    xt_d = target.at(t_dock)
    aim = np.r_[np.zeros(3), v_close * 1e3, 0.0, 0.0]

    def arrive(x):
        return run.fly(t_dep, xc, t_dock, [(t_dep, x[:3]), (t_mid, x[3:])])

    def residual(X):
        out = []
        for xi in X:
            xa = arrive(xi)
            rho, rho_dot = relative_state(xt_d[:3], xt_d[3:], xa[:3], xa[3:])
            out.append(np.r_[rho, rho_dot * 1e3] - aim)
        return np.array(out)

    x, info = newton_solve(residual, np.r_[g1, 0.0, 0.0, 0.0], step=1e-7, tol=1e-6,
                           max_iter=15, what="closing to contact",
                           units="(km, m/s) miss at contact; unknowns: CL1, CL2 dv, km/s",
                           advice="change the closing speed or the last hold distance")
    iterations["closing"] = info["iterations"]
    dvg1 = m_c.T @ x[:3]
    x_mid = run.fly(t_dep, xc, t_mid, [(t_dep, x[:3])])
    dvg2 = _dv_gcrf(x_mid, x[3:])
    return [("CL1", t_dep, x[:3], dvg1, g1, "starts the closing along V-bar"),
            ("CL2", t_mid, x[3:], dvg2, np.zeros(3),
             "mid-course: contact at the closing speed")]


def _no_design_message(ph, r_min, r_max, t_arr_lo, approach_s, max_days, ep0, phase0,
                       t_lo_dock, h_min):
    lo = t_arr_lo if math.isfinite(t_arr_lo) else -np.inf
    fastest = ph.search(r_min, r_max, lo, 60 * 86400.0, "earliest")
    head = (f"no phasing brings the chaser (target {math.degrees(phase0):.1f} deg ahead of it) "
            f"to the aim point and docks within max_days = {max_days:g} days of "
            f"{ep0.utc.iso(0)}")
    if math.isfinite(t_lo_dock):
        head += " and after earliest_docking"
    if fastest is None:
        return (head + "; none exists within 60 days either: check the two orbits' "
                "altitudes and the phasing bounds (min_periapsis_altitude_km, "
                "max_apoapsis_altitude_km)")
    need = (fastest.t_arr + approach_s) / 86400.0
    return (head + f". The earliest plan ({fastest.revolutions} + 1/2 revolutions in a "
            f"phasing orbit with its far apsis at {fastest.r_phasing - MOON_RADIUS_KM:.0f} km) "
            f"docks {need:.3f} days after it: give max_days >= "
            f"{math.ceil(need * 100) / 100:.2f}, or lower min_periapsis_altitude_km "
            f"({h_min:g} km) or approach_hours")


def _safety_notes(plan, t_aim, t_closing, holds):
    """Warn when the chaser passes ahead of the target before the closing."""
    t, rho = plan.relative_lvlh()
    sel = (t >= t_aim) & (t < t_closing - 1e-6)
    if np.any(sel) and np.max(rho[sel, 0]) > -0.5 * holds[-1]:
        plan.warnings.append(
            f"during the approach the chaser comes to V-bar x = "
            f"{np.max(rho[sel, 0]) * 1e3:.0f} m (ahead of half the last hold distance): not "
            "passively safe; lengthen approach_hours or add hold points")
