"""Trans-lunar injection targeting, mid-course correction and lunar orbit insertion.

From a launch site and a lift-off epoch to a lunar periapsis of chosen altitude,
inclination (to the lunar equator) and epoch, in the full ephemeris model of
:mod:`cosmoplan.cislunar.dynamics` (Earth and Moon gravity fields, the Sun):

1. **Ascent and parking orbit.** The launcher puts the spacecraft on a circular parking
   orbit of altitude ``parking_altitude_km``, ``ascent_s`` after lift-off and
   ``ascent_range_rad`` downrange of the site, in the plane that contains the site at
   lift-off and the inertial launch azimuth (GCRF; the Earth's rotation during the ascent
   is part of the launcher's guidance and not modelled). A direct injection (Long March 5
   for Chang'e-5) is the case of a short coast.
2. **Patched-conic first guess** (Curtis 2014, *Orbital Mechanics for Engineering
   Students*, 3rd ed., sec. 9.6-9.7; Bate, Mueller & White 1971, ch. 7): the transfer
   plane holds the site at lift-off and the antipode of the Moon at arrival; the
   injection is a tangential burn where the parking orbit meets that antipode; its size
   gives an Earth-centred ellipse whose time of flight from perigee to the Moon's
   distance equals the requested transfer time (Kepler's equation, Vallado 2013 Alg. 2-4).
3. **Differential correction in the full model.** Unknowns: the launch azimuth, the
   parking coast and the injection delta-v (tangential). Targets: the lunar periapsis
   altitude, the inclination of the arrival hyperbola to the lunar equator (frame of
   :func:`~cosmoplan.cislunar.dynamics.lunar_equator_matrix` at the target epoch) and the
   periapsis epoch. First on the osculating Moon-centred hyperbola where the trajectory
   enters the Moon's sphere of influence (smooth and defined for any miss distance, even
   through the Moon), then on the true periapsis found by event location; Newton's method
   with forward-difference Jacobians (:func:`cosmoplan.rendezvous.targeting.newton_solve`).
4. **Mid-course correction.** The injection is flown with an execution error and a
   three-axis correction at ``mcc_after_s`` re-targets the same periapsis.
5. **Lunar orbit insertion.** A retrograde burn at periapsis captures into an ellipse of
   apoapsis altitude ``capture_apoapsis_km``; at the periapsis after ``circularize_after_s``
   a second burn circularises at the periapsis altitude (the Chang'e pattern: LOI-1, LOI-2).

From a given parking orbit instead of a lift-off, :func:`target_lunar_arrival_from_orbit`
injects in the plane and sets the arrival plane with a mid-course correction.

Frames and scales: states in GCRF axes, Earth- or Moon-centred (km, km/s); epochs are
:class:`cosmoplan.time.Epoch` (TDB internally; tables in UTC).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import EARTH_MU_KM3_S2
from ..errors import InputError, PlanningError, PropagationError
from .dynamics import (
    CislunarForceModel,
    _elements_dict,
    _real,
    change_centre,
    lunar_equator_matrix,
    moon_apsis_event,
    moon_distance_event,
    propagate,
)

__all__ = ["ParkingOrbit", "target_lunar_arrival_from_orbit", "TransferTarget",
           "LaunchGeometry", "TransLunarSolution", "target_lunar_arrival",
           "midcourse_correction", "lunar_orbit_insertion", "LunarOrbitInsertion",
           "MOON_SOI_KM"]

MOON_SOI_KM = 66_100.0
"""Radius of the Moon's sphere of influence, km (Laplace: a (m/M)^(2/5) with a = 384,400 km;
Curtis 2014 eq. 8.3 and Table A.2)."""

_EARTH_R = 6378.137
_MOON_R = 1737.4


@dataclass(frozen=True)
class TransferTarget:
    """What the trans-lunar trajectory must reach.

    Attributes
    ----------
    periapsis_altitude_km : float
        Above the mean lunar radius 1737.4 km.
    inclination : float
        Of the arrival orbit to the lunar equator, rad (0..pi; > pi/2 retrograde).
    periapsis_epoch : Epoch
        When the periapsis (and the insertion burn) happens.
    """

    periapsis_altitude_km: float
    inclination: float
    periapsis_epoch: object

    def __post_init__(self):
        from ..time import Epoch

        h = _real(self.periapsis_altitude_km)
        if not (math.isfinite(h) and 10.0 <= h <= 20000.0):
            raise InputError(f"lunar periapsis altitude {self.periapsis_altitude_km!r} km: "
                             "expected 10 .. 20000 km", field="periapsis_altitude_km",
                             value=self.periapsis_altitude_km)
        i = _real(self.inclination)
        if not (math.isfinite(i) and 0.0 <= i <= math.pi):
            shown = f"{math.degrees(i):g} deg" if math.isfinite(i) else repr(self.inclination)
            raise InputError(f"lunar inclination {shown}: expected 0 .. 180 deg (the attribute "
                             "is in radians, 0 .. pi)", field="inclination_deg",
                             value=math.degrees(i) if math.isfinite(i) else self.inclination)
        ep = self.periapsis_epoch
        if not isinstance(ep, Epoch) or np.ndim(ep.jd1) != 0:
            raise InputError(f"periapsis_epoch must be a single cosmoplan Epoch, got "
                             f"{type(ep).__name__}", field="periapsis_epoch", value=ep)
        object.__setattr__(self, "periapsis_altitude_km", h)
        object.__setattr__(self, "inclination", i)


@dataclass(frozen=True)
class LaunchGeometry:
    """Lift-off and parking orbit.

    Attributes
    ----------
    site : GroundSite
    liftoff : Epoch
    parking_altitude_km : float
        Circular parking orbit altitude above the WGS-84 equatorial radius.
    ascent_s : float
        Lift-off to parking-orbit insertion, s.
    ascent_range_rad : float
        Downrange arc from the site to the insertion point, rad.
    """

    site: object
    liftoff: object
    parking_altitude_km: float = 200.0
    ascent_s: float = 600.0
    ascent_range_rad: float = math.radians(16.0)

    def __post_init__(self):
        from ..time import Epoch

        if not (hasattr(self.site, "gcrf") and hasattr(self.site, "name")):
            raise InputError(f"site must be a GroundSite (e.g. cosmoplan.sites.get_site("
                             f"'Wenchang')), got {self.site!r}", field="site", value=self.site)
        ep = self.liftoff
        if not isinstance(ep, Epoch) or np.ndim(ep.jd1) != 0:
            raise InputError(f"liftoff must be a single cosmoplan Epoch, got "
                             f"{type(ep).__name__}", field="liftoff", value=ep)
        for name, lo, hi, unit in (("parking_altitude_km", 100.0, 50_000.0, "km"),
                                   ("ascent_s", 0.0, 10_800.0, "s"),
                                   ("ascent_range_rad", 0.0, math.pi, "rad")):
            v = _real(getattr(self, name))
            if not (math.isfinite(v) and lo <= v <= hi):
                raise InputError(f"{name} must be a number in {lo:g} .. {hi:g} {unit}, got "
                                 f"{getattr(self, name)!r}", field=name,
                                 value=getattr(self, name))
            object.__setattr__(self, name, v)

    @property
    def insertion_epoch(self):
        return self.liftoff + self.ascent_s

    def frame(self):
        """Site unit vector at lift-off (GCRF) and the local east and north unit vectors."""
        s = np.asarray(self.site.gcrf(self.liftoff), float).reshape(-1)[:3]
        s = s / np.linalg.norm(s)
        east = np.cross([0.0, 0.0, 1.0], s)
        east /= np.linalg.norm(east)
        north = np.cross(s, east)
        return s, east, north

    def parking_state(self, azimuth):
        """GCRF state (km, km/s) at insertion for an inertial launch azimuth (rad)."""
        s, east, north = self.frame()
        d = math.sin(azimuth) * east + math.cos(azimuth) * north
        th = self.ascent_range_rad
        rp = _EARTH_R + self.parking_altitude_km
        vc = math.sqrt(EARTH_MU_KM3_S2 / rp)
        rhat = math.cos(th) * s + math.sin(th) * d
        that = -math.sin(th) * s + math.cos(th) * d
        return np.r_[rp * rhat, vc * that]


@dataclass
class TransLunarSolution:
    """A converged trans-lunar trajectory.

    Attributes
    ----------
    launch : LaunchGeometry
    target : TransferTarget
    azimuth : float
        Inertial launch azimuth, rad from north.
    coast_s : float
        Parking-orbit coast from insertion to the injection burn, s.
    tli_epoch : Epoch
        Injection burn (impulsive), TDB.
    tli_state : ndarray (6,)
        Geocentric GCRF state just before the burn.
    tli_dv : ndarray (3,)
        Delta-v, GCRF, km/s.
    periapsis_epoch : Epoch
    periapsis_state : ndarray (6,)
        Moon-centred GCRF at the lunar periapsis (before insertion).
    periapsis : dict
        :func:`~cosmoplan.cislunar.dynamics.lunar_elements`-style elements there (lunar
        equator of the target epoch).
    residuals : ndarray (3,)
        Final misses: periapsis altitude (km), inclination (rad), periapsis epoch (s).
    iterations : int
    """

    launch: object
    target: object
    azimuth: float
    coast_s: float
    tli_epoch: object
    tli_state: np.ndarray
    tli_dv: np.ndarray
    periapsis_epoch: object
    periapsis_state: np.ndarray
    periapsis: dict
    residuals: np.ndarray
    iterations: int
    history: list = field(default_factory=list)
    mcc_epoch: object = None
    mcc_dv: object = None

    @property
    def tli_dv_km_s(self):
        return float(np.linalg.norm(self.tli_dv))

    @property
    def c3_km2_s2(self):
        """Geocentric C3 after the injection, km^2/s^2 (v^2 - 2 mu / r; negative: bound)."""
        r = self.tli_state[:3]
        v = self.tli_state[3:] + self.tli_dv
        return float(v @ v - 2.0 * EARTH_MU_KM3_S2 / np.linalg.norm(r))


def _kepler_time_to_radius(rp, ra, r, mu):
    """Time from perigee to radius r (outbound) on the ellipse (rp, ra), s."""
    a = 0.5 * (rp + ra)
    e = (ra - rp) / (ra + rp)
    cos_e = (1.0 - r / a) / e
    big_e = math.acos(max(-1.0, min(1.0, cos_e)))
    return math.sqrt(a ** 3 / mu) * (big_e - e * math.sin(big_e))


def _first_guess(launch, target, transfer_s):
    """Azimuth, coast and tangential injection dv from a patched conic."""
    from scipy.optimize import brentq

    from ..ephemeris import default_ephemeris

    mu = EARTH_MU_KM3_S2
    eph = default_ephemeris()
    m = eph.position("moon", "earth", target.periapsis_epoch)
    s, east, north = launch.frame()
    aim = -m / np.linalg.norm(m)
    n = np.cross(s, aim)
    n /= np.linalg.norm(n)
    if n[2] < 0:  # prograde
        n = -n
    d = np.cross(n, s)
    azimuth = math.atan2(float(d @ east), float(d @ north))
    rp = _EARTH_R + launch.parking_altitude_km
    ins = launch.parking_state(azimuth)
    rhat = ins[:3] / np.linalg.norm(ins[:3])
    that = ins[3:] / np.linalg.norm(ins[3:])
    period = 2 * math.pi * math.sqrt(rp ** 3 / mu)
    rm = float(np.linalg.norm(m))
    u = m / rm
    w = np.cross(n, u)
    vp_min = math.sqrt(2.0 * mu * rm * 1.0000001 / (rp * (rp + rm * 1.0000001)))
    p = aim  # injection point: opposite the Moon for an ellipse with apogee at the Moon
    for _ in range(6):
        # angle from the insertion point to the injection point along the motion
        ang = math.atan2(float(p @ that), float(p @ rhat)) % (2 * math.pi)
        coast = ang / (2 * math.pi) * period
        tof = transfer_s - coast
        if tof >= _time_to_radius(rp, vp_min, rm, mu):
            vp = vp_min  # as slow as reaching the Moon's distance at all allows
        else:  # an ellipse reaching beyond the Moon, or (faster than a parabola) a hyperbola
            hi = 1.05 * vp_min
            while _time_to_radius(rp, hi, rm, mu) > tof and hi < 5.0 * vp_min:
                hi *= 1.05
            vp = brentq(lambda v, t=tof: _time_to_radius(rp, v, rm, mu) - t, vp_min, hi) \
                if _time_to_radius(rp, hi, rm, mu) <= tof else hi
        # a faster conic reaches the Moon's distance before apogee (true anomaly nu < 180
        # deg): inject nu before the Moon's arrival direction, not opposite it
        e = rp * vp * vp / mu - 1.0
        cos_nu = (rp * (1.0 + e) / rm - 1.0) / e
        if cos_nu < math.cos(math.radians(179.0)):
            break
        nu = math.acos(max(-1.0, min(1.0, cos_nu)))
        p_new = math.cos(nu) * u - math.sin(nu) * w
        if float(np.linalg.norm(p_new - p)) < 1e-6:
            break
        p = p_new
    return np.array([azimuth, coast, vp - math.sqrt(mu / rp)])


def _time_to_radius(rp, vp, r, mu):
    """Time from perigee to radius r (outbound) on the conic of perigee radius rp and perigee
    speed vp (at least enough to reach r), s: an ellipse, or a hyperbola above the escape
    speed (Vallado 2013 Alg. 2 and 4 inverted)."""
    v_esc = math.sqrt(2.0 * mu / rp)
    if abs(vp - v_esc) < 1e-9 * v_esc:
        vp = v_esc * (1.0 + 1e-9)
    if vp < v_esc:
        return _kepler_time_to_radius(rp, rp / (2.0 * mu / (rp * vp * vp) - 1.0), r, mu)
    e = rp * vp * vp / mu - 1.0
    a = rp / (e - 1.0)  # |a|
    cosh_f = (1.0 + r / a) / e
    f = math.acosh(max(1.0, cosh_f))
    return math.sqrt(a ** 3 / mu) * (e * math.sinh(f) - f)


def _hyperbola_targets(state_moon, epoch, t_from_ref, frame, mu):
    """(periapsis radius, inclination, time of periapsis) of the osculating Moon-centred
    conic, time counted like ``t_from_ref`` (s)."""
    r = frame @ state_moon[:3]
    v = frame @ state_moon[3:6]
    el = _elements_dict(r, v, mu)
    e = el["e"]
    rn = float(np.linalg.norm(r))
    a = el["a"]
    nu = el["nu"]
    if nu > math.pi:
        nu -= 2 * math.pi
    if e > 1.0:
        f = 2.0 * math.atanh(math.sqrt((e - 1.0) / (e + 1.0)) * math.tan(0.5 * nu))
        mean = e * math.sinh(f) - f
        dt = -mean * math.sqrt((-a) ** 3 / mu)
    else:
        big_e = 2.0 * math.atan(math.sqrt((1.0 - e) / (1.0 + e)) * math.tan(0.5 * nu))
        mean = big_e - e * math.sin(big_e)
        dt = -mean * math.sqrt(a ** 3 / mu)
    del rn
    return el["rp"], el["i"], t_from_ref + dt, el


class _Evaluator:
    """Flies (azimuth, coast, dv) to the Moon and measures the arrival."""

    def __init__(self, model, launch, target, transfer_s):
        self.model = model
        self.launch = launch
        self.target = target
        self.t_ins = launch.insertion_epoch.tdb
        self.t_ref = target.periapsis_epoch.tdb
        self.frame = lunar_equator_matrix(self.t_ref)
        self.mu_moon = model.gm("moon")
        self.transfer_s = transfer_s
        self.calls = 0

    def tli(self, x):
        az, coast, dv = x
        ins = self.launch.parking_state(az)
        if coast > 1.0:
            arc = propagate(self.model, self.t_ins, ins, coast, centre="earth")
            y = arc.final
        else:
            y = ins
        tli_epoch = self.t_ins + max(coast, 0.0)
        dvv = dv * y[3:] / np.linalg.norm(y[3:])
        return tli_epoch, y, dvv

    def soi(self, x):
        tli_epoch, y, dvv = self.tli(x)
        y1 = y.copy()
        y1[3:] += dvv
        t_max = self.transfer_s * 1.6 + 86400.0
        arc = propagate(self.model, tli_epoch, y1, t_max, centre="earth",
                        events=[moon_distance_event(MOON_SOI_KM, -1)])
        self.calls += 1
        if arc.event is None:
            raise PlanningError("the trajectory does not reach the Moon's sphere of influence")
        ep = arc.epoch_final
        sm = change_centre(arc.final, ep, "earth", "moon")
        return ep, sm

    def coarse(self, x):
        ep, sm = self.soi(x)
        rp, inc, tp, _ = _hyperbola_targets(sm, ep, float(ep - self.t_ref), self.frame,
                                            self.mu_moon)
        return np.array([(rp - _MOON_R - self.target.periapsis_altitude_km) / 100.0,
                         (inc - self.target.inclination) * 10.0, tp / 3600.0])

    def periapsis(self, x):
        ep, sm = self.soi(x)
        ep_p, y_p, _, flown = _lunar_periapsis(self.model, ep, sm, self.frame, self.mu_moon)
        if not flown:
            raise PlanningError("the trajectory strikes the Moon before its periapsis")
        return ep_p, y_p

    def fine(self, x):
        ep, sm = self.soi(x)
        ep_p, _, el, _ = _lunar_periapsis(self.model, ep, sm, self.frame, self.mu_moon)
        return np.array([(el["rp"] - _MOON_R - self.target.periapsis_altitude_km) / 100.0,
                         (el["i"] - self.target.inclination) * 10.0,
                         float(ep_p - self.t_ref) / 3600.0])


def _lunar_periapsis(model, ep, sm, frame, mu):
    """The first lunar periapsis after the Moon-centred state ``sm`` at ``ep``:
    (epoch, state, elements on ``frame``, True). Where the trajectory strikes the Moon
    before it (a target altitude that the perturbations push below the surface, early in a
    targeting), the osculating conic at the surface stands in: (its periapsis epoch, the
    state at the surface, its elements, False), so that a targeting can climb out smoothly.
    PlanningError if there is neither within 3 days."""
    arc = propagate(model, ep, sm, 3.0 * 86400.0, centre="moon",
                    events=[moon_apsis_event("periapsis"), moon_distance_event(_MOON_R, -1)])
    if arc.event is None:
        raise PlanningError("no lunar periapsis within 3 days of the sphere of influence")
    y = arc.final
    el = _elements_dict(frame @ y[:3], frame @ y[3:], mu)
    if arc.event.kind == "moon_apsis":
        return arc.epoch_final, y, el, True
    _, _, dt, _ = _hyperbola_targets(y, arc.epoch_final, 0.0, frame, mu)
    return arc.epoch_final + dt, y, el, False


_TLI_UNITS = (("periapsis altitude", 100.0, "km"), ("inclination", 0.1 * 180.0 / math.pi,
                                                      "deg"), ("epoch", 1.0, "h"))
"""How to print the scaled residuals of the targetings: name, factor, unit."""


def _misses(f, units):
    if units is None:
        return f"{f}"
    return ", ".join(f"{name} {abs(float(v)) * k:.3g} {u}" for v, (name, k, u) in zip(f, units))


def _explain_arrival(ev, x, exc):
    """PlanningError in place of a failed trans-lunar targeting when the requested arrival
    inclination is out of reach: the arrival plane contains the approach direction, so its
    inclination to the lunar equator is at least that direction's declination |d| (and at
    most 180 - |d|)."""
    from ..ephemeris import default_ephemeris

    try:
        ep, sm = ev.soi(x)
    except (PlanningError, PropagationError):
        mu = EARTH_MU_KM3_S2
        rp = _EARTH_R + ev.launch.parking_altitude_km
        rm = float(np.linalg.norm(default_ephemeris().position(
            "moon", "earth", ev.target.periapsis_epoch)))
        slowest = _time_to_radius(rp, math.sqrt(2.0 * mu * rm / (rp * (rp + rm))) * 1.0000001,
                                  rm, mu) / 86400.0
        days = float(ev.target.periapsis_epoch - ev.launch.liftoff) / 86400.0
        advice = (f"the slowest direct transfer (the minimum-energy ellipse) reaches the "
                  f"Moon's distance in about {slowest:.1f} days; slower arrivals (phasing "
                  "loops, weak-stability transfers) are not modelled: shorten the transfer"
                  if days > slowest + 0.5 else "move the launch or the arrival epoch")
        how = "falls back to the Earth" if "the Earth" in str(exc) else "misses the Moon"
        raise PlanningError(f"no trans-lunar trajectory found for a {days:.2f}-day transfer "
                            f"(lift-off to lunar periapsis): the first guess {how}; "
                            f"{advice}") from exc
    v = ev.frame @ sm[3:]
    dec = abs(math.degrees(math.asin(max(-1.0, min(1.0, v[2] / np.linalg.norm(v))))))
    inc = math.degrees(ev.target.inclination)
    if inc < dec - 0.05 or inc > 180.0 - dec + 0.05:
        raise PlanningError(
            f"a lunar arrival inclined {inc:.2f} deg is out of reach: the trajectory from "
            f"this launch approaches the Moon {dec:.1f} deg from the lunar equator, and an "
            f"arrival orbit's plane contains its approach, so its inclination lies in "
            f"{dec:.1f} .. {180.0 - dec:.1f} deg; ask for an inclination in that range, or "
            "move the launch or the arrival epoch") from exc


def _newton(fun, x0, steps, tol, what, max_iter=25, units=None):
    """Damped Newton with forward differences on a square system; scaled residuals."""
    from ..errors import ConvergenceError

    x = np.array(x0, float)
    f = fun(x)
    hist = [float(np.linalg.norm(f))]
    for it in range(max_iter):
        if np.linalg.norm(f) <= tol:
            return x, f, it, hist
        jac = np.empty((f.size, x.size))
        for j in range(x.size):
            xp = x.copy()
            xp[j] += steps[j]
            jac[:, j] = (fun(xp) - f) / steps[j]
        dx = np.linalg.lstsq(jac, -f, rcond=None)[0]
        lam = 1.0
        for _ in range(8):
            try:
                fn = fun(x + lam * dx)
            except (PlanningError, PropagationError):
                lam *= 0.5
                continue
            if np.linalg.norm(fn) < np.linalg.norm(f) or lam < 0.02:
                break
            lam *= 0.5
        else:
            raise ConvergenceError(f"{what}: no step reduces the miss ({_misses(f, units)})")
        x = x + lam * dx
        f = fn
        hist.append(float(np.linalg.norm(f)))
    if np.linalg.norm(f) <= tol:
        return x, f, max_iter, hist
    raise ConvergenceError(f"{what} did not converge in {max_iter} iterations: misses "
                           f"{_misses(f, units)}")


def target_lunar_arrival(model, launch, target, *, transfer_s=None, x0=None):
    """Differential correction of the launch azimuth, coast and injection to a lunar
    periapsis (module docstring, steps 1-3).

    Parameters
    ----------
    model : CislunarForceModel
    launch : LaunchGeometry
    target : TransferTarget
    transfer_s : float, optional
        Expected injection-to-periapsis time for the first guess (default: from the
        insertion to the target epoch).
    x0 : array_like (3,), optional
        First guess (azimuth rad, coast s, dv km/s) instead of the patched conic.

    Returns
    -------
    TransLunarSolution
        Periapsis altitude within 1 m... see ``residuals`` (the tolerances: 1e-4 km,
        1e-7 rad, 1e-3 s).

    Raises
    ------
    PlanningError
        The target cannot be reached from this launch (e.g. the periapsis epoch too early
        for a trans-lunar coast from this lift-off).
    ConvergenceError
        Newton's method failed.
    """
    from ..errors import ConvergenceError

    if not isinstance(model, CislunarForceModel):
        raise InputError("model must be a CislunarForceModel", field="model", value=model)
    if not isinstance(launch, LaunchGeometry):
        raise InputError(f"launch must be a LaunchGeometry, got {type(launch).__name__}",
                         field="launch", value=launch)
    if not isinstance(target, TransferTarget):
        raise InputError(f"target must be a TransferTarget, got {type(target).__name__}",
                         field="target", value=target)
    t_ins = launch.insertion_epoch
    flight = float(target.periapsis_epoch - launch.liftoff)
    if not 1.5 * 86400.0 <= flight <= 12.0 * 86400.0:
        raise PlanningError(
            f"the lunar periapsis is {flight / 86400.0:.2f} days after the lift-off: direct "
            "trans-lunar transfers take 1.5 to 12 days; move the periapsis epoch "
            "(transfer_days) or the launch")
    if transfer_s is None:
        tr = float(target.periapsis_epoch - t_ins)
    else:
        tr = _real(transfer_s)
        if not (math.isfinite(tr) and 3600.0 <= tr <= 12.0 * 86400.0):
            raise InputError(f"transfer_s must be a number of seconds up to 12 days, got "
                             f"{transfer_s!r}", field="transfer_s", value=transfer_s)
    ev = _Evaluator(model, launch, target, tr)
    if x0 is None:
        x = _first_guess(launch, target, tr)
    else:
        try:
            x = np.array(x0, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            x = np.zeros(0)
        if x.shape != (3,) or not np.all(np.isfinite(x)):
            raise InputError(f"x0 must be 3 finite numbers (azimuth rad, coast s, dv km/s), "
                             f"got {x0!r}", field="x0", value=x0)
    steps = np.array([1e-5, 0.5, 1e-6])
    what = (f"trans-lunar targeting to a {target.periapsis_altitude_km:g} km lunar periapsis "
            f"inclined {math.degrees(target.inclination):.2f} deg at "
            f"{target.periapsis_epoch.utc.iso()[:16]} UTC")
    try:
        x, f, it1, h1 = _newton(ev.coarse, x, steps, 1e-3, what + " (sphere of influence)",
                                units=_TLI_UNITS)
    except (ConvergenceError, PlanningError, PropagationError) as exc:
        _explain_arrival(ev, x, exc)
        raise
    x, f, it2, h2 = _newton(ev.fine, x, steps * 0.1, 1e-6, what + " (periapsis)",
                            units=_TLI_UNITS)
    tli_epoch, y, dvv = ev.tli(x)
    ep, sm = ev.periapsis(x)
    el = _elements_dict(ev.frame @ sm[:3], ev.frame @ sm[3:], ev.mu_moon)
    res = np.array([f[0] * 100.0, f[1] / 10.0, f[2] * 3600.0])
    return TransLunarSolution(launch, target, float(x[0]), float(x[1]), tli_epoch, y, dvv,
                              ep, sm, el, res, it1 + it2, h1 + h2)


def midcourse_correction(model, solution, *, after_s, execution_error=0.0,
                         pointing_error_rad=0.0):
    """A three-axis mid-course correction after a dispersed injection.

    The injection of ``solution`` is flown with its magnitude scaled by
    ``1 + execution_error`` and its direction turned by ``pointing_error_rad`` (about the
    orbit normal); at ``after_s`` past the injection a GCRF delta-v re-targets the same
    periapsis altitude and inclination in the full model, the periapsis epoch left free
    (minimum-norm Newton steps: the smallest correction that restores both). A dispersion
    large enough that the uncorrected trajectory misses the Moon's sphere of influence is
    first corrected back to the nominal velocity at ``after_s``, and Newton starts there.

    Returns
    -------
    (epoch, state_before, dv) : Epoch, ndarray (6,) geocentric GCRF, ndarray (3,) km/s

    Raises
    ------
    InputError
        A bad argument, or ``after_s`` at or after the trajectory enters the Moon's sphere
        of influence (the field names it).
    PlanningError, ConvergenceError
        No correction at ``after_s`` restores the periapsis (the message gives the error
        and what to change).
    """
    from ..errors import ConvergenceError

    if not isinstance(model, CislunarForceModel):
        raise InputError("model must be a CislunarForceModel", field="model", value=model)
    if not isinstance(solution, TransLunarSolution):
        raise InputError(f"solution must be a TransLunarSolution (target_lunar_arrival), got "
                         f"{type(solution).__name__}", field="solution", value=solution)
    err = _real(execution_error)
    if not (math.isfinite(err) and abs(err) <= 0.2):
        raise InputError(f"execution_error must be a fraction of the injection delta-v in "
                         f"-0.2 .. 0.2 (0.01 = 1 %), got {execution_error!r}",
                         field="execution_error", value=execution_error)
    point = _real(pointing_error_rad)
    if not (math.isfinite(point) and abs(point) <= 0.5):
        raise InputError(f"pointing_error_rad must be a number of radians in -0.5 .. 0.5, got "
                         f"{pointing_error_rad!r}", field="pointing_error_rad",
                         value=pointing_error_rad)
    coast_s = float(solution.periapsis_epoch - solution.tli_epoch)
    t_after = _real(after_s)
    if not (math.isfinite(t_after) and 0.0 < t_after < coast_s):
        raise InputError(f"after_s must be a number of seconds between the injection and the "
                         f"lunar periapsis ({coast_s / 3600.0:.1f} h later), got {after_s!r}",
                         field="after_s", value=after_s)
    dv0 = solution.tli_dv * (1.0 + err)
    if point:
        from scipy.spatial.transform import Rotation

        h = np.cross(solution.tli_state[:3], solution.tli_state[3:])
        dv0 = Rotation.from_rotvec(h / np.linalg.norm(h) * point).apply(dv0)
    y = solution.tli_state.copy()
    y[3:] += dv0
    soi_in = moon_distance_event(MOON_SOI_KM, -1)
    arc = propagate(model, solution.tli_epoch, y, t_after, centre="earth", events=[soi_in])
    if arc.event is not None:
        raise InputError(
            f"a mid-course correction {t_after / 3600.0:.1f} h after the injection comes after "
            f"the trajectory enters the Moon's sphere of influence ({arc.t_final / 3600.0:.1f} "
            "h after it): place it earlier", field="after_s", value=after_s)
    t_mcc, y_mcc = arc.epoch_final, arc.final
    ev = _Evaluator(model, solution.launch, solution.target,
                    float(solution.periapsis_epoch - t_mcc))

    def soi(dv):
        y1 = y_mcc.copy()
        y1[3:] += dv
        a = propagate(model, t_mcc, y1, float(solution.periapsis_epoch - t_mcc) * 1.5,
                      centre="earth", events=[soi_in])
        if a.event is None:
            raise PlanningError("after the correction the trajectory misses the Moon")
        return a.epoch_final, change_centre(a.final, a.epoch_final, "earth", "moon")

    def coarse(dv):
        ep, sm = soi(dv)
        rp, inc, _, _ = _hyperbola_targets(sm, ep, 0.0, ev.frame, ev.mu_moon)
        return np.array([(rp - _MOON_R - solution.target.periapsis_altitude_km) / 100.0,
                         (inc - solution.target.inclination) * 10.0])

    def fine(dv):
        ep, sm = soi(dv)
        _, _, el, _ = _lunar_periapsis(model, ep, sm, ev.frame, ev.mu_moon)
        return np.array([(el["rp"] - _MOON_R - solution.target.periapsis_altitude_km) / 100.0,
                         (el["i"] - solution.target.inclination) * 10.0])

    # two targets, three unknowns: the minimum-norm (least delta-v) Newton step; the
    # periapsis epoch floats (minutes), as in practice. First on the osculating hyperbola
    # at the sphere of influence (defined even for a trajectory through the Moon).
    what = (f"mid-course correction {t_after / 3600.0:.1f} h after a "
            f"{err * 100.0:g} % injection error")
    units = _TLI_UNITS[:2]
    starts = [np.zeros(3)]
    if err or point:  # a large error: also start from a two-body aim at the nominal arrival
        starts.append(_aim_guess(model, solution, t_mcc, y_mcc))
    failure = None
    for x0 in starts:
        if x0 is None:
            continue
        try:
            dv, _, _, _ = _newton(coarse, x0, np.full(3, 1e-6), 1e-3,
                                  what + " (sphere of influence)", units=units)
            dv, f, _, _ = _newton(fine, dv, np.full(3, 1e-7), 1e-6, what, units=units)
            return t_mcc, y_mcc, dv
        except (ConvergenceError, PlanningError, PropagationError) as exc:
            failure = failure or exc
    raise type(failure)(
        f"{what}: no correction restores the {solution.target.periapsis_altitude_km:g} km "
        f"periapsis inclined {math.degrees(solution.target.inclination):.2f} deg ({failure}); "
        "lower the execution error or correct earlier") from failure


def _aim_guess(model, solution, t_mcc, y_mcc):
    """A correction (km/s, GCRF) that sends ``y_mcc`` to where the undispersed trajectory
    enters the Moon's sphere of influence, when it does (Earth-centred Lambert arc, Izzo
    2015): a first guess for large dispersions. None if there is no such arc."""
    from ..errors import ConvergenceError
    from ..interplanetary.lambert import lambert

    y0 = solution.tli_state + np.r_[0.0, 0.0, 0.0, solution.tli_dv]
    coast = float(solution.periapsis_epoch - solution.tli_epoch)
    nominal = propagate(model, solution.tli_epoch, y0, coast, centre="earth",
                        events=[moon_distance_event(MOON_SOI_KM, -1)])
    tof = float(nominal.epoch_final - t_mcc)
    if nominal.event is None or tof <= 600.0:
        return None
    h = np.cross(y_mcc[:3], y_mcc[3:])
    try:
        sol = lambert(y_mcc[:3], nominal.final[:3], tof, EARTH_MU_KM3_S2,
                      prograde=bool(h[2] >= 0.0))[0]
    except (InputError, PlanningError, ConvergenceError):
        return None
    return np.asarray(sol.v1, float) - y_mcc[3:]


@dataclass
class LunarOrbitInsertion:
    """Capture and circularisation at the Moon.

    Attributes
    ----------
    burns : list of (name, Epoch, dv GCRF km/s (3,), state before (6,) Moon-centred)
    capture_elements, final_elements : dict
        Lunar-equator elements after LOI-1 and after LOI-2.
    final_epoch : Epoch
    final_state : ndarray (6,)
        Moon-centred GCRF after LOI-2.
    """

    burns: list
    capture_elements: dict
    final_elements: dict
    final_epoch: object
    final_state: np.ndarray


def lunar_orbit_insertion(model, epoch, state, *, capture_apoapsis_km=5000.0,
                          circularize_after_s=86400.0):
    """LOI-1 at the arrival periapsis into an ellipse of apoapsis altitude
    ``capture_apoapsis_km`` (tangential, retrograde), LOI-2 at the first periapsis after
    ``circularize_after_s`` lowering the apoapsis to the arrival periapsis radius
    (impulsive, tangential, any radial velocity removed): a near-circular orbit whose
    periapsis is where the perturbations moved it during the capture orbit. ``state``:
    Moon-centred GCRF at the periapsis (``epoch``)."""
    from ..time import Epoch

    if not isinstance(model, CislunarForceModel):
        raise InputError("model must be a CislunarForceModel", field="model", value=model)
    if not isinstance(epoch, Epoch) or np.ndim(epoch.jd1) != 0:
        raise InputError("epoch must be a single cosmoplan Epoch", field="epoch", value=epoch)
    mu = model.gm("moon")
    try:
        y = np.array(state, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        y = np.zeros(0)
    if y.shape != (6,) or not np.all(np.isfinite(y)) or np.linalg.norm(y[:3]) < _MOON_R:
        raise InputError(f"state must be a Moon-centred GCRF state (6 finite numbers, km and "
                         f"km/s, above the lunar surface), got {state!r}", field="state",
                         value=state)
    for name, v in (("capture_apoapsis_km", capture_apoapsis_km),
                    ("circularize_after_s", circularize_after_s)):
        x = _real(v)
        if not (math.isfinite(x) and x > 0.0):
            raise InputError(f"{name} must be a positive number, got {v!r}", field=name,
                             value=v)
    r = float(np.linalg.norm(y[:3]))
    ra = _MOON_R + float(capture_apoapsis_km)
    if ra <= r:
        raise InputError(f"capture apoapsis altitude {capture_apoapsis_km} km is below the "
                         f"arrival periapsis altitude {r - _MOON_R:.1f} km",
                         field="capture_apoapsis_km", value=capture_apoapsis_km)
    vt = y[3:] - (y[3:] @ y[:3]) / r ** 2 * y[:3]
    v_need = math.sqrt(2.0 * mu * ra / (r * (r + ra)))
    dv1 = vt / np.linalg.norm(vt) * v_need - y[3:]
    burns = [("LOI-1", epoch.tdb, dv1, y.copy())]
    y[3:] += dv1
    frame = lunar_equator_matrix(epoch)
    cap = _elements_dict(frame @ y[:3], frame @ y[3:], mu)
    if ra > 0.5 * MOON_SOI_KM:
        raise InputError(f"capture apoapsis altitude {capture_apoapsis_km} km: the capture "
                         f"ellipse must stay well inside the Moon's sphere of influence (an "
                         f"apoapsis radius below {0.5 * MOON_SOI_KM:.0f} km), or the Earth pulls "
                         "it away", field="capture_apoapsis_km", value=capture_apoapsis_km)
    arc = propagate(model, epoch, y, float(circularize_after_s), centre="moon")
    period = 2.0 * math.pi * math.sqrt((0.5 * (r + ra)) ** 3 / mu)
    arc2 = propagate(model, arc.epoch_final, arc.final, max(2.0 * 86400.0, 1.5 * period),
                     centre="moon", events=[moon_apsis_event("periapsis")])
    if arc2.event is None:  # pragma: no cover - a bound ellipse has a periapsis each period
        raise PlanningError(f"LOI-2: the capture orbit shows no periapsis within "
                            f"{1.5 * period / 3600.0:.0f} h after {arc.epoch_final.utc.iso()}")
    y2 = arc2.final.copy()
    r2 = float(np.linalg.norm(y2[:3]))
    vt2 = y2[3:] - (y2[3:] @ y2[:3]) / r2 ** 2 * y2[:3]
    # apoapsis to the design radius: a near-circular orbit even where the perturbations
    # moved the periapsis during the capture orbit
    r_c = max(r, r2)
    dv2 = vt2 / np.linalg.norm(vt2) * math.sqrt(2.0 * mu * r_c / (r2 * (r2 + r_c))) - y2[3:]
    burns.append(("LOI-2", arc2.epoch_final, dv2, y2.copy()))
    y2[3:] += dv2
    fin = _elements_dict(frame @ y2[:3], frame @ y2[3:], mu)
    return LunarOrbitInsertion(burns, cap, fin, arc2.epoch_final, y2)


# ------------------------------------------------------------------ from a parking orbit
@dataclass(frozen=True)
class ParkingOrbit:
    """A given Earth parking orbit to leave from (instead of a lift-off).

    Attributes
    ----------
    epoch : Epoch
        Epoch of ``state`` (scalar).
    state : array_like (6,)
        Geocentric GCRF position (km) and velocity (km/s), a bound orbit 100 .. 50,000 km
        up (an upper stage's state vector, or a TLE's through :mod:`cosmoplan.frames`).
    """

    epoch: object
    state: object

    def __post_init__(self):
        from ..time import Epoch

        if not isinstance(self.epoch, Epoch) or np.ndim(self.epoch.jd1) != 0:
            raise InputError(f"epoch must be a single cosmoplan Epoch, got "
                             f"{type(self.epoch).__name__}", field="epoch", value=self.epoch)
        try:
            y = np.array(self.state, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            y = np.zeros(0)
        if y.shape != (6,) or not np.all(np.isfinite(y)):
            raise InputError(f"state must be 6 finite numbers (km, km/s), got {self.state!r}",
                             field="state", value=self.state)
        r, v = float(np.linalg.norm(y[:3])), float(np.linalg.norm(y[3:]))
        if not (_EARTH_R + 100.0 <= r <= _EARTH_R + 50_000.0) or \
                0.5 * v * v - EARTH_MU_KM3_S2 / r >= 0.0:
            raise InputError(f"the parking state is not a bound Earth orbit 100 .. 50,000 km "
                             f"up (r = {r:,.1f} km, v = {v:.3f} km/s): give km and km/s, "
                             "GCRF, geocentric", field="state", value=self.state)
        object.__setattr__(self, "state", y)

    @property
    def normal(self):
        """Unit orbit normal, GCRF."""
        h = np.cross(self.state[:3], self.state[3:])
        return h / np.linalg.norm(h)


PARKING_PLANE_MAX_DEG = 8.0
"""Largest angle of the Moon's arrival direction out of a given parking orbit's plane: beyond
it an injection in that plane passes outside the Moon's sphere of influence (384,400 km x
sin 8 deg = 53,500 km) and only a large out-of-plane burn would reach the Moon."""


def _check_parking_plane(n, u, epoch):
    """PlanningError if the Moon's direction ``u`` at arrival lies far out of the parking
    plane (normal ``n``); the message gives the RAANs, at the orbit's inclination, of the
    planes that hold it (sin i (u_x sin W - u_y cos W) + cos i u_z = 0)."""
    delta = math.degrees(math.asin(max(-1.0, min(1.0, float(u @ n)))))
    if abs(delta) <= PARKING_PLANE_MAX_DEG:
        return
    inc = math.acos(max(-1.0, min(1.0, float(n[2]))))
    rho = math.hypot(u[0], u[1])
    phi = math.atan2(u[1], u[0])
    tan_i = math.tan(inc)
    k = -u[2] / (tan_i * rho) if abs(tan_i) > 1e-12 and rho > 0 else 2.0
    if abs(k) <= 1.0:
        a = math.asin(k)
        raans = sorted((math.degrees(phi + a) % 360.0, math.degrees(phi + math.pi - a) % 360.0))
        how = (f"a parking orbit inclined {math.degrees(inc):.2f} deg holds it with a RAAN of "
               f"{raans[0]:.2f} or {raans[1]:.2f} deg (GCRF)")
    else:
        how = (f"no orbit inclined {math.degrees(inc):.2f} deg holds it (the Moon's "
               f"declination, {math.degrees(math.asin(u[2])):.1f} deg, is larger)")
    raise PlanningError(
        f"the Moon at the arrival epoch {epoch.utc.iso()[:16]} UTC lies {delta:+.1f} deg out "
        f"of the parking orbit's plane (at most {PARKING_PLANE_MAX_DEG:g} deg); {how}: choose "
        "such a parking orbit or another arrival epoch, or start from a lift-off "
        "(LaunchGeometry), whose azimuth picks the plane")


def _bplane(sm, frame, mu):
    """Incoming asymptote S, B-plane axes T, R and the B vector (lunar-equator frame) of a
    Moon-centred hyperbolic state (Vallado 2013 sec. 12.8: T = S x k / |S x k|, k the lunar
    pole, R = S x T, B = (h / v_inf) S x h_hat), and v_inf^2."""
    r = frame @ sm[:3]
    v = frame @ sm[3:]
    rn = float(np.linalg.norm(r))
    vinf2 = float(v @ v) - 2.0 * mu / rn
    if vinf2 <= 0.0:
        raise PlanningError("the trajectory is captured by the Moon before its periapsis (no "
                            "B-plane): too slow an arrival")
    h = np.cross(r, v)
    hn = float(np.linalg.norm(h))
    ev = np.cross(v, h) / mu - r / rn
    e = float(np.linalg.norm(ev))
    q = np.cross(h / hn, ev / e)
    sv = ev / (e * e) + math.sqrt(max(0.0, 1.0 - 1.0 / (e * e))) * q
    sv /= np.linalg.norm(sv)
    tv = np.cross(sv, [0.0, 0.0, 1.0])
    tv /= np.linalg.norm(tv)
    rv = np.cross(sv, tv)
    b = hn / math.sqrt(vinf2) * np.cross(sv, h / hn)
    return sv, tv, rv, b, vinf2


def _b_target(sv, tv, rv, b, vinf2, target, mu):
    """The B vector (T, R components) that gives the target periapsis radius and
    inclination for the asymptote S (an orbit plane through S inclined i has
    h_hat = sin(theta) T - cos(theta) R, so cos(theta) = -cos(i) / (R . k)), the root nearer
    the current B; |B| = r_p sqrt(1 + 2 mu / (r_p v_inf^2))."""
    rp = _MOON_R + target.periapsis_altitude_km
    bmag = rp * math.sqrt(1.0 + 2.0 * mu / (rp * vinf2))
    c = -math.cos(target.inclination) / float(rv[2])
    if abs(c) > 1.0:
        dec = math.degrees(math.asin(min(1.0, abs(float(sv[2])))))
        raise PlanningError(
            f"a lunar arrival inclined {math.degrees(target.inclination):.2f} deg is out of "
            f"reach: the approach asymptote lies {dec:.1f} deg from the lunar equator, so the "
            f"arrival inclination is {dec:.1f} .. {180.0 - dec:.1f} deg")
    th = math.acos(c)
    bt, br = float(b @ tv), float(b @ rv)
    cands = [(bmag * math.cos(t), bmag * math.sin(t)) for t in (th, -th)]
    return min(cands, key=lambda p: (p[0] - bt) ** 2 + (p[1] - br) ** 2)


def target_lunar_arrival_from_orbit(model, parking, target, *, mcc_after_s=86400.0):
    """Trans-lunar injection from a given parking orbit, with a plane-setting mid-course
    correction, to a lunar periapsis of given altitude, inclination and epoch.

    From a fixed plane an injection at perigee cannot turn the arrival: an out-of-plane
    burn there tilts the transfer about the perigee radius, which leaves the apogee (the
    Moon) where it was. So (1) an in-plane tangential injection after a coast (unknowns:
    coast, delta-v) arrives at the target epoch with the Moon's centre in the transfer
    plane (B-plane component along the transfer plane zero: Newton on the osculating
    hyperbola at the sphere of influence); (2) a three-axis correction ``mcc_after_s``
    later sets the B vector of the target periapsis radius and inclination and the
    epoch (Newton, B-plane first, then the true periapsis in the full model). The Moon's
    direction at arrival must lie within :data:`PARKING_PLANE_MAX_DEG` of the plane (the
    error says which RAAN would hold it).

    Returns
    -------
    TransLunarSolution
        With ``mcc_epoch`` and ``mcc_dv`` (GCRF km/s) set and ``azimuth`` NaN.

    Raises
    ------
    InputError, PlanningError, ConvergenceError
    """
    from ..ephemeris import default_ephemeris

    if not isinstance(model, CislunarForceModel):
        raise InputError("model must be a CislunarForceModel", field="model", value=model)
    if not isinstance(parking, ParkingOrbit):
        raise InputError(f"parking must be a ParkingOrbit, got {type(parking).__name__}",
                         field="parking", value=parking)
    if not isinstance(target, TransferTarget):
        raise InputError(f"target must be a TransferTarget, got {type(target).__name__}",
                         field="target", value=target)
    t0 = parking.epoch.tdb
    tr = float(target.periapsis_epoch - t0)
    if not 1.5 * 86400.0 <= tr <= 12.0 * 86400.0:
        raise PlanningError(f"the lunar periapsis is {tr / 86400.0:.2f} days after the parking "
                            "state's epoch: direct trans-lunar transfers take 1.5 to 12 days")
    t_mcc_rel = _real(mcc_after_s)
    if not (math.isfinite(t_mcc_rel) and 3600.0 <= t_mcc_rel <= tr - 86400.0):
        raise InputError(f"mcc_after_s = {mcc_after_s!r}: the plane correction must come 1 h "
                         f"to {tr / 86400.0 - 1.0:.1f} days after the injection (a day before "
                         "the arrival at the latest)", field="mcc_after_s", value=mcc_after_s)
    mu = EARTH_MU_KM3_S2
    mu_m = model.gm("moon")
    t_ref = target.periapsis_epoch.tdb
    frame = lunar_equator_matrix(t_ref)
    m = default_ephemeris().position("moon", "earth", target.periapsis_epoch)
    n = parking.normal
    _check_parking_plane(n, m / np.linalg.norm(m), target.periapsis_epoch)
    y0 = parking.state
    rp = float(np.linalg.norm(y0[:3]))

    def tli(x):
        coast, dv = x
        y = propagate(model, t0, y0, coast, centre="earth").final if coast > 1.0 else y0
        return t0 + max(coast, 0.0), y, dv * y[3:] / np.linalg.norm(y[3:])

    def soi(ep, y):
        a = propagate(model, ep, y, tr * 1.6 + 86400.0, centre="earth",
                      events=[moon_distance_event(MOON_SOI_KM, -1)])
        if a.event is None:
            raise PlanningError("the trajectory does not reach the Moon's sphere of influence")
        return a.epoch_final, change_centre(a.final, a.epoch_final, "earth", "moon")

    def stage1(x):
        ep, y, dvv = tli(x)
        y1 = y.copy()
        y1[3:] += dvv
        eps, sm = soi(ep, y1)
        sv, tv, rv, b, _ = _bplane(sm, frame, mu_m)
        d = np.cross(frame @ n, sv)  # the in-plane direction of the B-plane
        d /= np.linalg.norm(d)
        _, _, tp, _ = _hyperbola_targets(sm, eps, float(eps - t_ref), frame, mu_m)
        return np.array([float(b @ d) / 1000.0, tp / 3600.0])

    # first guess: the coast to the point opposite the Moon's arrival direction projected
    # on the plane, a tangential burn with the patched conic's time of flight (a launch
    # geometry's guess with the plane given)
    u = m / np.linalg.norm(m)
    aim = -(u - (u @ n) * n)
    aim /= np.linalg.norm(aim)
    rhat, that = y0[:3] / rp, np.cross(n, y0[:3] / rp)
    period = 2.0 * math.pi * math.sqrt(rp ** 3 / mu)
    coast = (math.atan2(float(aim @ that), float(aim @ rhat)) % (2 * math.pi)) / (2 * math.pi) \
        * period
    rm = float(np.linalg.norm(m))
    vp_min = math.sqrt(2.0 * mu * rm * 1.0000001 / (rp * (rp + rm * 1.0000001)))
    tof = tr - coast
    vp = vp_min
    if tof < _time_to_radius(rp, vp_min, rm, mu):
        from scipy.optimize import brentq

        hi = 1.05 * vp_min
        while _time_to_radius(rp, hi, rm, mu) > tof and hi < 5.0 * vp_min:
            hi *= 1.05
        vp = brentq(lambda v: _time_to_radius(rp, v, rm, mu) - tof, vp_min, hi)
    x = np.array([coast, vp - float(np.linalg.norm(y0[3:]))])
    what = (f"trans-lunar injection from the parking orbit to a {target.periapsis_altitude_km:g}"
            f" km lunar periapsis at {target.periapsis_epoch.utc.iso()[:16]} UTC")
    x, _, it1, h1 = _newton(stage1, x, np.array([0.5, 1e-6]), 1e-3, what + " (in plane)",
                            units=(("B in the plane", 1000.0, "km"), ("epoch", 1.0, "h")))
    tli_epoch, y_tli, dv_tli = tli(x)
    y1 = y_tli.copy()
    y1[3:] += dv_tli
    a = propagate(model, tli_epoch, y1, t_mcc_rel, centre="earth")
    t_mcc, y_mcc = a.epoch_final, a.final

    def after_mcc(dv):
        y = y_mcc.copy()
        y[3:] += dv
        return soi(t_mcc, y)

    def stage2(dv):
        eps, sm = after_mcc(dv)
        sv, tv, rv, b, vinf2 = _bplane(sm, frame, mu_m)
        bt0, br0 = _b_target(sv, tv, rv, b, vinf2, target, mu_m)
        _, _, tp, _ = _hyperbola_targets(sm, eps, float(eps - t_ref), frame, mu_m)
        return np.array([(float(b @ tv) - bt0) / 1000.0, (float(b @ rv) - br0) / 1000.0,
                         tp / 3600.0])

    def stage3(dv):
        eps, sm = after_mcc(dv)
        ep_p, _, el, flown = _lunar_periapsis(model, eps, sm, frame, mu_m)
        if not flown:
            raise PlanningError("the trajectory strikes the Moon before its periapsis")
        return np.array([(el["rp"] - _MOON_R - target.periapsis_altitude_km) / 100.0,
                         (el["i"] - target.inclination) * 10.0, float(ep_p - t_ref) / 3600.0])

    dv, _, it2, h2 = _newton(stage2, np.zeros(3), np.full(3, 1e-6), 1e-3,
                             what + " (plane correction, B-plane)",
                             units=(("B.T", 1000.0, "km"), ("B.R", 1000.0, "km"),
                                    ("epoch", 1.0, "h")))
    dv, f, it3, h3 = _newton(stage3, dv, np.full(3, 1e-7), 1e-6,
                             what + " (plane correction, periapsis)", units=_TLI_UNITS)
    eps, sm = after_mcc(dv)
    ep_p, y_p, el, _ = _lunar_periapsis(model, eps, sm, frame, mu_m)
    res = np.array([f[0] * 100.0, f[1] / 10.0, f[2] * 3600.0])
    return TransLunarSolution(parking, target, math.nan, float(x[0]), tli_epoch, y_tli,
                              dv_tli, ep_p, y_p, el, res, it1 + it2 + it3, h1 + h2 + h3,
                              mcc_epoch=t_mcc, mcc_dv=dv)
