"""Phasing from an insertion orbit to an aim point behind the target.

The far-range (phasing) part of a fast rendezvous follows the classical
Soyuz/Shenzhou pattern (Fehse 2003 §2.2-2.3; Woffinden & Geller 2007): three manoeuvres
bring the chaser to an aim point behind and below the target,

* ``NC1`` at the first apogee after insertion, tangential: sets the phasing orbit, i.e.
  how fast the chaser catches up (family A: it moves the perigee between the lowest
  allowed and the insertion apogee; family B: it raises the far side above the
  insertion apogee, for a slower catch-up);
* ``NPC`` a quarter revolution before ``NH``, out of plane: removes the cross-track
  offset left at the aim point (the launch into the offset plane makes it small);
* ``NH`` at a perigee of the phasing orbit, tangential: raises the apogee to the aim
  point's height (a Hohmann-like half revolution), where the chaser arrives;

after which the planner's terminal phase (TPI) climbs to the first hold point.

:func:`design_phasing` chooses the number of revolutions spent in the phasing orbit and
its perigee with the secular J2 rates of the mean anomaly and argument of perigee
(Vallado 2013 eqs. 9-41 and 9-39/9-40) and two-body velocities, so that the chaser
reaches the aim point when the target is there; the target's argument of latitude comes
from its numerical trajectory, so the target's J2 and drag are exact. The planner then
corrects NC1, NPC and NH by Newton iteration on the full numerical propagation
(:func:`cosmoplan.rendezvous.targeting.newton_solve`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..constants import EGM96_J, EGM96_RADIUS_KM

__all__ = ["PhasingDesign", "secular_rates", "design_phasing"]


def secular_rates(a, e, i, mu, radius=EGM96_RADIUS_KM, j2=EGM96_J[2]):
    """Secular J2 rates (rad/s) of mean anomaly, argument of perigee and RAAN.

    Vallado (2013) eqs. 9-39, 9-40 and 9-41 (first order in J2). ``a`` km, ``i`` rad.

    Returns
    -------
    mdot, argp_dot, raan_dot : float
        ``mdot`` includes the mean motion n.
    """
    n = np.sqrt(mu / a**3)
    p = a * (1.0 - e * e)
    k = 0.75 * n * j2 * (radius / p) ** 2
    ci2 = np.cos(i) ** 2
    mdot = n + k * np.sqrt(1.0 - e * e) * (3.0 * ci2 - 1.0)
    argp_dot = k * (5.0 * ci2 - 1.0)
    raan_dot = -2.0 * k * np.cos(i)
    return mdot, argp_dot, raan_dot


@dataclass(frozen=True)
class PhasingDesign:
    """First-guess phasing plan (two-body + secular J2).

    Times are seconds after the insertion epoch; speeds km/s; radii km.

    Attributes
    ----------
    family : {'A', 'B'}
        'A': NC1 moves the perigee of the phasing orbit between the lowest allowed
        perigee and the insertion apogee (NH half a revolution after a whole number of
        revolutions); 'B': NC1 raises the far side above the insertion apogee, so the
        NC1 point becomes the perigee where NH is burnt whole revolutions later (slower
        catch-up, for small phase angles or long spans).
    revolutions : int
        Revolutions in the phasing orbit between NC1 and NH (whole, or + 1/2 in family A).
    extra_laps : int
        Whole laps of phase caught up in addition to the insertion phase angle.
    phasing_radius : float
        Radius of the phasing orbit's far apsis set by NC1 (its perigee in family A,
        its apogee in family B).
    t_nc1, t_npc, t_nh, t_arrival : float
    dv_nc1, dv_nh, dv_ncc : float
        Tangential delta-v (signed), two-body estimates.
    total_dv : float
    """

    family: str
    revolutions: int
    extra_laps: int
    phasing_radius: float
    t_nc1: float
    t_npc: float
    t_nh: float
    t_arrival: float
    dv_nc1: float
    dv_nh: float
    dv_ncc: float
    total_dv: float


def _timeline(rp0, ra0, r1, r_aim, inc, k, mu):
    """(t_nc1, t_nh, t_arrival, u advance, phasing period, NH radius) of a design."""
    a0 = 0.5 * (rp0 + ra0)
    e0 = (ra0 - rp0) / (ra0 + rp0)
    m0, w0, _ = secular_rates(a0, e0, inc, mu)
    t0 = 2.0 * np.pi / m0
    lo, hi = min(r1, ra0), max(r1, ra0)
    a1 = 0.5 * (lo + hi)
    e1 = (hi - lo) / (hi + lo)
    m1, w1, _ = secular_rates(a1, e1, inc, mu)
    t1 = 2.0 * np.pi / m1
    if r1 <= ra0:  # family A: NC1 at the apogee of the phasing orbit
        revs, r_nh = k + 0.5, r1
    else:  # family B: NC1 at its perigee
        revs, r_nh = float(k), ra0
    atr = 0.5 * (r_nh + r_aim)
    etr = abs(r_aim - r_nh) / (r_aim + r_nh)
    mt, wt, _ = secular_rates(atr, etr, inc, mu)
    ttr = 2.0 * np.pi / mt
    t_nc1 = 0.5 * t0
    t_nh = t_nc1 + revs * t1
    t_arr = t_nh + 0.5 * ttr
    du = (np.pi + w0 * 0.5 * t0) + (2 * np.pi * revs + w1 * revs * t1) + (np.pi + wt * 0.5 * ttr)
    return t_nc1, t_nh, t_arr, du, t1, r_nh


def _dvs(rp0, ra0, r1, r_aim, v_aim, mu):
    a0 = 0.5 * (rp0 + ra0)
    a1 = 0.5 * (r1 + ra0)
    r_nh = min(r1, ra0)
    atr = 0.5 * (r_nh + r_aim)
    dv1 = np.sqrt(mu * (2 / ra0 - 1 / a1)) - np.sqrt(mu * (2 / ra0 - 1 / a0))
    dvh = np.sqrt(mu * (2 / r_nh - 1 / atr)) - np.sqrt(mu * (2 / r_nh - 1 / a1))
    dvc = v_aim - np.sqrt(mu * (2 / r_aim - 1 / atr))
    return dv1, dvh, dvc


def _candidates(rp0, ra0, rp_min, r_aim0, margin_km, max_revolutions):
    """(family, k, lo, hi) ranges of the phasing-orbit radius to search."""
    out = []
    for k in range(max_revolutions + 1):
        if rp_min < ra0:
            out.append(("A", k, rp_min, ra0))
        top = r_aim0 - margin_km
        if k >= 1 and top > ra0:
            out.append(("B", k, ra0, top))
    return out


def design_phasing(*, rp0, ra0, inclination, phase0, target_u, target_radius, target_speed,
                   aim_angle, aim_below_km, mu, rp_min, t_max, max_revolutions=15, max_laps=1,
                   margin_km=2.0):
    """Choose the phasing orbit and revolution count (first guess for the corrector).

    Parameters
    ----------
    rp0, ra0 : float
        Perigee and apogee radii of the insertion orbit, km (insertion at perigee).
    inclination : float
        Orbit inclination, rad.
    phase0 : float
        Target argument of latitude minus chaser's at insertion, rad in [0, 2 pi).
    target_u : callable
        ``target_u(t)``: the target's unwrapped argument-of-latitude advance (rad) t
        seconds after insertion, from its numerical trajectory.
    target_radius, target_speed : callable
        Target radius (km) and speed (km/s) at t seconds after insertion.
    aim_angle : float
        How far behind the target (along its orbit) the aim point is, rad (> 0: behind).
    aim_below_km : float
        How far below the target the aim point is (the NH transfer's apogee), km.
    mu : float
        km^3/s^2.
    rp_min : float
        Lowest perigee radius allowed for the phasing orbit, km.
    t_max : float
        Latest arrival at the aim point, s after insertion.
    max_revolutions, max_laps : int
        Search bounds.
    margin_km : float
        The phasing orbit stays this far below the aim point's height, km.

    Returns
    -------
    designs : list of PhasingDesign
        Every feasible design, cheapest first (ties within 0.5 m/s: earliest first).
        Empty when none reaches the aim point by ``t_max``.
    bands : list of (float, float)
        The insertion phase angles (rad, merged intervals) for which a design exists
        within ``t_max``: what to tell a user when ``designs`` is empty.
    """
    designs = []
    bands = []
    r_aim0 = float(target_radius(0.0)) - aim_below_km
    for j in range(max_laps + 1):
        for fam, k, lo, hi in _candidates(rp0, ra0, rp_min, r_aim0 + aim_below_km, margin_km,
                                          max_revolutions):

            def f(r1, k=k, j=j):
                r_aim = r_aim0
                for _ in range(2):  # the aim radius depends (weakly) on the arrival time
                    t_arr, du = _timeline(rp0, ra0, r1, r_aim, inclination, k, mu)[2:4]
                    r_aim = float(target_radius(t_arr)) - aim_below_km
                return phase0 + 2 * np.pi * j + target_u(t_arr) - du - aim_angle

            # the fastest catch-up of this candidate: its lowest phasing orbit
            t_fast = _timeline(rp0, ra0, lo, r_aim0, inclination, k, mu)[2]
            if t_fast > t_max:
                continue
            f_lo, f_hi = f(lo), f(hi)
            if j == 0:
                # phase angles this candidate can serve (f is phase0 + const, monotonic in r1)
                bands.append((phase0 - f_hi, phase0 - f_lo))
            if f_lo > 0 or f_hi < 0:
                continue  # cannot catch up (f_lo > 0) or would overshoot (f_hi < 0)
            r1 = brentq(f, lo, hi, xtol=1e-6) if f_lo < 0 < f_hi else (lo if f_lo == 0 else hi)
            r_aim = r_aim0
            for _ in range(2):
                t_nc1, t_nh, t_arr, _, t1, _ = _timeline(rp0, ra0, r1, r_aim, inclination, k, mu)
                r_aim = float(target_radius(t_arr)) - aim_below_km
            if t_arr > t_max:
                continue
            v_aim = np.sqrt(mu / r_aim)
            dv1, dvh, dvc = _dvs(rp0, ra0, r1, r_aim, v_aim, mu)
            designs.append(PhasingDesign(fam, k, j, r1, t_nc1, t_nh - 0.25 * t1, t_nh, t_arr,
                                         dv1, dvh, dvc, abs(dv1) + abs(dvh) + abs(dvc)))
    designs.sort(key=lambda d: (round(d.total_dv / 5e-4), d.t_arrival))
    return designs, _merge(bands)


def _merge(intervals):
    """Union of closed intervals (angles wrapped to [0, 2 pi) where possible)."""
    iv = sorted((lo, hi) for lo, hi in intervals if hi >= lo)
    out = []
    for lo, hi in iv:
        if out and lo <= out[-1][1] + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
