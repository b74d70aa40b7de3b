"""Return from lunar orbit to an Earth landing site: window, trans-Earth injection, entry.

A Chang'e-5-class sample return (orbiter-returner in a low lunar orbit, capsule landing on
land after a skip re-entry) is planned in four steps, all in the full ephemeris model of
:mod:`cosmoplan.cislunar.dynamics` (Earth and Moon gravity fields and the Sun as passed in
``model``):

1. **Window scan (patched conic).** For every revolution of the parking orbit between
   ``earliest_tei`` and ``latest_tei`` the departure delta-v is estimated by a patched conic
   (Curtis 2014, *Orbital Mechanics for Engineering Students*, 3rd ed., ch. 8 "planetary
   departure" and ch. 9 "lunar trajectories"): an Earth-centred conic leaves the Moon's
   centre and reaches the entry interface (EI) after the transfer time with the target
   flight-path angle (its perigee radius follows from the angle and the energy, eq. (1)
   below; the time of flight from Kepler's equation through the true-to-mean anomaly
   conversion, Vallado 2013, *Fundamentals of Astrodynamics and Applications*, 4th ed.,
   sec. 2.2 and Alg. 5, or Barker's equation for the parabola); its velocity relative to
   the Moon is the hyperbolic excess velocity ``v_inf`` of the departure. The plane of the
   return conic (a rotation about the Moon's direction) is free but must be inclined to the
   Earth's equator by at least the landing latitude. The departure from the circular
   parking orbit (radius ``r``, speed ``v_c``) is a single impulse at the periapsis of the
   departure hyperbola (``e_h = 1 + r v_inf^2 / mu``, asymptote at true anomaly
   ``theta_inf = acos(-1 / e_h)``, periapsis speed ``v_p = sqrt(v_inf^2 + 2 mu / r)``): the
   burn point is the point of the parking orbit that makes the angle ``theta_inf`` with
   ``v_inf``, which exists only while ``v_inf`` lies within ``pi - theta_inf`` of the orbit
   plane, and ``dv = |v_p p_hat - v_c c_hat|`` with ``p_hat`` the hyperbola's periapsis
   direction of motion and ``c_hat`` the circular one, so the angle between the hyperbola's
   plane and the parking plane at the burn point costs extra delta-v. Beyond that reach the
   periapsis must leave the orbit plane; the estimate adds a plane change at periapsis,
   ``2 v_p sin(excess/2)`` (an upper bound). The ``v_inf`` direction turns once a month
   with the Moon, so the cheap departures come twice a month, when it lies in the parking
   plane: that geometry, not energy, is why a lunar sample return waits in orbit for days
   (Chang'e-5: docking 2020-12-05, TEI-2 2020-12-13). The scan returns the delta-v curve
   over the epochs (:class:`WindowScan`).

2. **Targeting in the full model.** Near the cheapest epoch, the revolutions with the
   smallest patched-conic delta-v *that also reach the landing site* (the transfer time
   tuned so that the Earth's rotation brings the site under the entry ground track, the
   return plane tilted to pass over it) are corrected on the three components of the
   impulsive departure delta-v (GCRF) at a fixed epoch (differential correction, Vallado
   2013 sec. 7.3; the final stage is :func:`cosmoplan.rendezvous.targeting.newton_solve`).
   Targets at the entry interface:

   * the inertial flight-path angle ``entry_fpa_deg`` (within 0.002 deg);
   * the landing site on the entry ground track (cross-range within 0.2 km) at
     ``entry_range_km`` downrange (within 0.2 km).

   The EI is the sphere of geocentric radius ``WGS-84 a + entry_altitude_km`` (6,498.137 km
   for 120 km: a spherical interface, the convention of entry analyses, so the geodetic
   height there is larger than 120 km away from the equator; it is reported). The ground
   track is the great circle through the EI point along the Earth-relative (ITRF) velocity
   at the EI epoch, on the sphere of the IUGG mean radius R1 = 6,371.0088 km (Moritz 2000,
   *J. Geodesy* 74, 128-133); the landing site enters as the geocentric direction of its
   WGS-84 geodetic coordinates (:func:`cosmoplan.frames.geodetic_to_itrf`), the Earth's
   rotation through the GCRF -> ITRF transformation at the EI epoch
   (:func:`cosmoplan.frames.transform`). Downrange is positive along the motion;
   cross-range positive when the site lies left of the track.

   The propagation is Moon-centred from the departure until the spacecraft leaves the
   Moon's sphere of influence (66,100 km, :data:`cosmoplan.cislunar.translunar.MOON_SOI_KM`),
   then Earth-centred (:func:`~cosmoplan.cislunar.dynamics.change_centre`), both in the
   same model. A first stage uses a smooth surrogate, defined for any miss: the full model
   down to 30,000 km from the Earth (or to perigee if higher), then the osculating
   Earth-centred conic to the EI (or to its perigee when that lies above the EI), with the
   conic perigee radius in place of the angle; it is solved by Levenberg-Marquardt
   (``scipy.optimize.least_squares``, MINPACK; Moré 1978, *Lecture Notes in Mathematics*
   630), because far from the solution the perigee radius and the downrange respond to the
   same combination of the unknowns and Newton's steps with backtracking can stall. The
   second stage is Newton's method on the full model flown to the EI event.

   With ``tei_burns=2`` a first burn (TEI-1, not a target unknown) at the departure point
   ``tei1_revolutions`` ellipse periods earlier raises the apolune to
   ``tei1_apoapsis_altitude_km`` and turns the orbit plane about the radius so
   that the patched-conic ``v_inf`` lies in the ellipse's plane at its next perilune (a
   secant iteration on the propagated ellipse, whose plane the Earth turns by a degree or
   two per revolution): the plane change rides on the larger burn. TEI-2 (the targeting
   unknowns) departs from the ellipse's perilune, as Chang'e-5 did (missions.json
   ``change5``: TEI-1 2020-12-12 01:54, TEI-2 2020-12-13 01:51 UTC, 23 h 57 min apart). Of
   the candidate revolutions the one with the least total TEI delta-v is kept.

3. **Trajectory correction (TCM).** With ``tei_execution_error`` non-zero, the departure
   burn (the last TEI) is flown scaled by ``1 + tei_execution_error`` and at each of
   ``tcm_after_hours`` (hours after it) a three-component GCRF delta-v re-targets the same
   entry conditions (the same two stages).

4. **Check.** The complete burn list (:meth:`EarthReturnPlan.maneuvers`) is flown again
   with :func:`~cosmoplan.cislunar.dynamics.fly` (Moon-centred throughout) from the initial
   lunar state to the EI, and the entry state must agree with the plan
   (:attr:`EarthReturnPlan.refly`).

Eq. (1), vacuum perigee radius of a conic of eccentricity ``e`` that crosses the sphere of
radius ``r_EI`` with flight-path angle ``gamma`` (from ``h^2 = mu r_p (1 + e) = r_EI^2
v_EI^2 cos^2 gamma`` and the vis-viva law, the root that is the perigee)::

    r_p = r_EI cos(gamma) [cos(gamma) + sqrt(cos^2(gamma) - (1 - e^2))] / (1 + e)

Burn frames: delta-v in GCRF and in the LVLH frame of the state relative to the body the
burn is computed about (the Moon for TEI, the Earth for TCMs after the sphere of influence):
x along-track (V-bar), y opposite the orbital angular momentum (-H-bar), z toward the
body's centre (R-bar) (Fehse 2003; :func:`cosmoplan.frames.lvlh_matrix`).

Units km, km/s, s, rad inside; degrees and m/s only in reports. Epochs are
:class:`cosmoplan.time.Epoch` (TDB inside, UTC in tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import WGS84_A_KM
from ..errors import ConvergenceError, InputError, PlanningError, PropagationError
from .dynamics import (
    CislunarArc,
    CislunarForceModel,
    _elements_dict,
    change_centre,
    earth_apsis_event,
    earth_distance_event,
    fly,
    moon_apsis_event,
    moon_distance_event,
    propagate,
)
from .translunar import MOON_SOI_KM

__all__ = ["plan_earth_return", "EarthReturnPlan", "ReturnBurn", "EntryState", "WindowScan",
           "ENTRY_FPA_RANGE_DEG", "ENTRY_ALTITUDE_RANGE_KM", "ENTRY_RANGE_LIMITS_KM",
           "MEAN_EARTH_RADIUS_KM"]

MEAN_EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius R1, km (Moritz 2000, J. Geodesy 74, 128-133): the sphere on which
downrange and cross-range are measured."""

ENTRY_FPA_RANGE_DEG = (-12.0, -2.0)
"""Accepted inertial entry flight-path angles, deg. A capsule returning at ~11 km/s must
enter neither so shallow that it skips out for good nor so steep that deceleration and
heating exceed its limits; the Apollo corridor was about -5.3 to -7.4 deg at 400,000 ft
(a few degrees wide around the nominal -6.5 deg), skip entries fly its shallow half.
Outside this wider planning range the request is not a lunar-return entry."""

ENTRY_ALTITUDE_RANGE_KM = (60.0, 200.0)
"""Accepted entry-interface altitudes, km (120-122 km is customary: Apollo 400,000 ft)."""

ENTRY_RANGE_LIMITS_KM = (100.0, 10_000.0)
"""Accepted downrange distances from the EI to the landing site, km. Apollo's direct entry
reached about 1,500 nmi (2,780 km), Orion's skip entry up to 4,800 nmi (8,890 km) (NASA,
"Orion Spacecraft to Test New Entry Technique on Artemis I Mission", 2022)."""

_SURROGATE_KM = 30_000.0
_MAX_DV_DEFAULT = 1.5
_TIME_SCALE_S = 86400.0


# ============================================================================ results
@dataclass(frozen=True)
class ReturnBurn:
    """One impulsive burn of the return.

    Attributes
    ----------
    name : str
        ``TEI-1``, ``TEI-2`` (or ``TEI``), ``TCM-1``, ...
    epoch : Epoch
        Burn epoch (TDB inside; ``to_dict`` gives UTC).
    dv_gcrf : ndarray, shape (3,)
        Delta-v, GCRF axes, km/s.
    dv_lvlh : ndarray, shape (3,)
        The same in the LVLH frame of the state relative to ``centre``: x along-track
        (V-bar), y -H-bar, z toward the centre (R-bar), km/s.
    centre : str
        ``'moon'`` or ``'earth'``: the body whose LVLH frame ``dv_lvlh`` uses.
    state_before : ndarray, shape (6,)
        State just before the burn relative to ``centre``, GCRF, km and km/s.
    purpose : str
    """

    name: str
    epoch: object
    dv_gcrf: np.ndarray
    dv_lvlh: np.ndarray
    centre: str
    state_before: np.ndarray
    purpose: str = ""

    @property
    def magnitude(self):
        """|dv|, km/s."""
        return float(np.linalg.norm(self.dv_gcrf))

    def maneuver(self):
        """The burn as an :class:`~cosmoplan.propagator.ImpulsiveManeuver` (GCRF axes, so it
        does not depend on the integration centre)."""
        from ..propagator import ImpulsiveManeuver

        return ImpulsiveManeuver(self.epoch, tuple(float(x) for x in self.dv_gcrf), "GCRF",
                                 self.name)

    def to_dict(self):
        """JSON-ready dict (m/s, UTC)."""
        return {"name": self.name, "epoch_utc": self.epoch.utc.iso(3), "centre": self.centre,
                "purpose": self.purpose,
                "dv_gcrf_m_s": [float(x * 1e3) for x in self.dv_gcrf],
                "dv_lvlh_m_s": {"vbar_x": float(self.dv_lvlh[0] * 1e3),
                                "hbar_y": float(self.dv_lvlh[1] * 1e3),
                                "rbar_z": float(self.dv_lvlh[2] * 1e3)},
                "dv_magnitude_m_s": self.magnitude * 1e3}


def _burn(name, epoch, state, dv, centre, purpose):
    from ..frames import lvlh_matrix

    s = np.asarray(state, float)
    dv = np.asarray(dv, float)
    return ReturnBurn(name, epoch, dv.copy(), lvlh_matrix(s[:3], s[3:6]) @ dv, centre,
                      s.copy(), purpose)


@dataclass(frozen=True)
class EntryState:
    """The state at the entry interface: where a skip re-entry would start.

    Attributes
    ----------
    epoch : Epoch
        EI epoch (TDB inside).
    r_gcrf, v_gcrf : ndarray, shape (3,)
        Geocentric GCRF position (km) and velocity (km/s).
    r_itrf, v_itrf : ndarray, shape (3,)
        ITRF position (km) and Earth-relative velocity (km/s) at ``epoch``.
    latitude_deg, longitude_deg, altitude_km : float
        WGS-84 geodetic latitude, east longitude, height of the EI point.
    radius_km : float
        Geocentric radius (``WGS-84 a + entry altitude`` for a converged plan).
    speed_km_s, fpa_deg, heading_deg : float
        Inertial speed, inertial flight-path angle (negative: descending; asin(r.v/rv)) and
        inertial heading (azimuth of the horizontal inertial velocity from north through
        east, in the local geodetic east-north-up frame).
    relative_speed_km_s, relative_fpa_deg, relative_heading_deg : float
        The same for the Earth-relative (ITRF) velocity.
    """

    epoch: object
    r_gcrf: np.ndarray
    v_gcrf: np.ndarray
    r_itrf: np.ndarray
    v_itrf: np.ndarray
    latitude_deg: float
    longitude_deg: float
    altitude_km: float
    radius_km: float
    speed_km_s: float
    fpa_deg: float
    heading_deg: float
    relative_speed_km_s: float
    relative_fpa_deg: float
    relative_heading_deg: float

    @classmethod
    def from_state(cls, epoch, state_earth):
        """Build from a geocentric GCRF state (km, km/s) at ``epoch``."""
        from ..frames import enu_matrix, itrf_to_geodetic, rotation_matrix, transform

        s = np.asarray(state_earth, float)
        r, v = s[:3], s[3:6]
        ri, vi = transform(r, v, epoch, "GCRF", "ITRF")
        lat, lon, h = itrf_to_geodetic(ri)
        enu = enu_matrix(lat, lon)
        v_inert_itrf_axes = rotation_matrix(epoch, "GCRF", "ITRF") @ v

        def angles(rr, vv, vaxes):
            fpa = math.degrees(math.asin(float(rr @ vv) / (np.linalg.norm(rr)
                                                           * np.linalg.norm(vv))))
            loc = enu @ vaxes
            head = math.degrees(math.atan2(loc[0], loc[1])) % 360.0
            return fpa, head

        fpa, head = angles(r, v, v_inert_itrf_axes)
        rfpa, rhead = angles(ri, vi, vi)
        return cls(epoch, r.copy(), v.copy(), np.asarray(ri), np.asarray(vi),
                   math.degrees(float(lat)), math.degrees(float(lon)), float(h),
                   float(np.linalg.norm(r)), float(np.linalg.norm(v)), fpa, head,
                   float(np.linalg.norm(vi)), rfpa, rhead)

    @property
    def state_gcrf(self):
        """Geocentric GCRF state (6,), km and km/s."""
        return np.r_[self.r_gcrf, self.v_gcrf]

    @property
    def state_itrf(self):
        """ITRF state (6,) (Earth-relative velocity), km and km/s."""
        return np.r_[self.r_itrf, self.v_itrf]

    def to_dict(self):
        """JSON-ready dict."""
        return {"epoch_utc": self.epoch.utc.iso(3),
                "r_gcrf_km": self.r_gcrf.tolist(), "v_gcrf_km_s": self.v_gcrf.tolist(),
                "r_itrf_km": self.r_itrf.tolist(), "v_itrf_km_s": self.v_itrf.tolist(),
                "latitude_deg": self.latitude_deg, "longitude_deg": self.longitude_deg,
                "geodetic_altitude_km": self.altitude_km, "radius_km": self.radius_km,
                "inertial_speed_km_s": self.speed_km_s,
                "inertial_fpa_deg": self.fpa_deg, "inertial_heading_deg": self.heading_deg,
                "relative_speed_km_s": self.relative_speed_km_s,
                "relative_fpa_deg": self.relative_fpa_deg,
                "relative_heading_deg": self.relative_heading_deg}


@dataclass
class WindowScan:
    """Patched-conic departure delta-v over the TEI window, one point per revolution.

    Attributes
    ----------
    epochs : Epoch, shape (n,)
        Departure (last TEI) epoch of each revolution: where the patched conic puts the
        burn (TDB inside).
    dv_km_s : ndarray, shape (n,)
        Estimated total departure delta-v, km/s (for two burns, their sum: both at
        perilune, the split does not change it).
    transfer_days : ndarray, shape (n,)
        Departure-to-EI time of the cheapest conic within the bounds, days.
    out_of_plane_deg : ndarray, shape (n,)
        Angle of ``v_inf`` out of the parking-orbit plane, deg.
    """

    epochs: object
    dv_km_s: np.ndarray
    transfer_days: np.ndarray
    out_of_plane_deg: np.ndarray

    @property
    def best_index(self):
        """Index of the cheapest revolution."""
        return int(np.nanargmin(self.dv_km_s))

    @property
    def best_epoch(self):
        """Epoch of the cheapest departure."""
        return self.epochs[self.best_index]

    @property
    def best_dv_km_s(self):
        """Smallest estimated delta-v, km/s."""
        return float(self.dv_km_s[self.best_index])

    def to_dict(self):
        """JSON-ready dict: the dv-vs-date curve (m/s, UTC)."""
        return {"epochs_utc": [str(x) for x in np.atleast_1d(self.epochs.utc.iso(0))],
                "dv_m_s": (self.dv_km_s * 1e3).tolist(),
                "transfer_days": self.transfer_days.tolist(),
                "out_of_plane_deg": self.out_of_plane_deg.tolist(),
                "best_epoch_utc": self.best_epoch.utc.iso(0),
                "best_dv_m_s": self.best_dv_km_s * 1e3}


@dataclass
class EarthReturnPlan:
    """A planned return from lunar orbit to an Earth landing site.

    Attributes
    ----------
    model : str
        The force model (one line).
    landing_site : tuple
        (geodetic latitude, east longitude), deg.
    entry_altitude_km, entry_fpa_deg, entry_range_km : float
        The targets.
    window : WindowScan
        Patched-conic delta-v per revolution of the window.
    candidates : list of dict
        The revolutions targeted in the full model: departure epoch (UTC), patched-conic and
        converged delta-v (m/s), or the reason they failed.
    tei : list of ReturnBurn
        Planned TEI burns (``TEI`` or ``TEI-1``, ``TEI-2``), nominal.
    tei_executed : list of ReturnBurn
        As flown: the departure burn scaled by ``1 + tei_execution_error``.
    tcm : list of ReturnBurn
        Trajectory-correction burns (empty without execution error).
    arcs : dict of str -> CislunarArc
        Ballistic arcs in order: ``parking``, ``tei1_ellipse`` (two burns), ``departure``
        (Moon-centred, to the sphere of influence), ``coast`` (Earth-centred, up to the
        first TCM or the EI), ``after_TCM-k`` (with ``after_TCM-k_earth`` for its
        Earth-centred part when TCM-k came inside the sphere of influence). Sampled every
        5 min (parking, ellipse) or 10 min (return).
    entry : EntryState
        At the EI of the flown trajectory (after the TCMs when there are any).
    nominal_entry : EntryState
        At the EI of the nominal (error-free) trajectory.
    downrange_km, crossrange_km : float
        Of the landing site from ``entry`` along / across its ground track (km on the
        R1 sphere; cross-range positive: site left of the track).
    transfer_time_s : float
        Departure (last TEI) to EI, s.
    convergence : dict
        Surrogate evaluations, Newton iterations and final residuals of each targeting
        (scaled units: FPA / 0.002 deg, ranges / 0.2 km).
    refly : dict
        The burn list flown again from the initial state (Moon-centred throughout):
        differences of its EI state from the plan (``position_km``, ``velocity_km_s``,
        ``epoch_s``) and its own ``fpa_deg``, ``downrange_km``, ``crossrange_km``.
    timings_s : dict
        Wall-clock seconds per step.
    """

    model: str
    landing_site: tuple
    entry_altitude_km: float
    entry_fpa_deg: float
    entry_range_km: float
    window: WindowScan
    candidates: list
    tei: list
    tei_executed: list
    tcm: list
    arcs: dict
    entry: EntryState
    nominal_entry: EntryState
    downrange_km: float
    crossrange_km: float
    transfer_time_s: float
    convergence: dict = field(default_factory=dict)
    refly: dict = field(default_factory=dict)
    timings_s: dict = field(default_factory=dict)

    @property
    def tei_dv_km_s(self):
        """Total planned TEI delta-v, km/s."""
        return float(sum(b.magnitude for b in self.tei))

    @property
    def tcm_dv_km_s(self):
        """Total TCM delta-v, km/s."""
        return float(sum(b.magnitude for b in self.tcm))

    @property
    def departure_epoch(self):
        """Epoch of the last TEI burn."""
        return self.tei[-1].epoch

    def maneuvers(self):
        """The burn list as flown (executed TEI, then TCMs), GCRF ImpulsiveManeuvers, for
        :func:`~cosmoplan.cislunar.dynamics.fly`."""
        return [b.maneuver() for b in self.tei_executed + self.tcm]

    def table(self):
        """Rows ``(label, value, unit)`` for display."""
        e = self.entry
        rows = [("Force model", self.model, ""),
                ("Cheapest window (patched conic)", self.window.best_epoch.utc.iso(0), "UTC"),
                ("  its estimated delta-v", self.window.best_dv_km_s * 1e3, "m/s")]
        for b in self.tei:
            rows.append((f"{b.name} epoch", b.epoch.utc.iso(1), "UTC"))
            rows.append((f"{b.name} delta-v", b.magnitude * 1e3, "m/s"))
        rows.append(("Total TEI delta-v", self.tei_dv_km_s * 1e3, "m/s"))
        for b in self.tcm:
            rows.append((f"{b.name} epoch", b.epoch.utc.iso(1), "UTC"))
            rows.append((f"{b.name} delta-v", b.magnitude * 1e3, "m/s"))
        rows += [("Transfer time (departure to EI)", self.transfer_time_s / 86400.0, "days"),
                 ("Entry interface epoch", e.epoch.utc.iso(1), "UTC"),
                 ("EI geodetic latitude", e.latitude_deg, "deg"),
                 ("EI longitude", e.longitude_deg, "deg"),
                 ("EI geodetic altitude", e.altitude_km, "km"),
                 ("EI radius", e.radius_km, "km"),
                 ("Inertial speed", e.speed_km_s, "km/s"),
                 ("Inertial flight-path angle", e.fpa_deg, "deg"),
                 ("Inertial heading", e.heading_deg, "deg"),
                 ("Earth-relative speed", e.relative_speed_km_s, "km/s"),
                 ("Earth-relative flight-path angle", e.relative_fpa_deg, "deg"),
                 ("Earth-relative heading", e.relative_heading_deg, "deg"),
                 ("Landing site downrange", self.downrange_km, "km"),
                 ("Landing site cross-range", self.crossrange_km, "km")]
        if self.refly:
            rows.append(("Re-flown EI position difference",
                         self.refly["position_km"] * 1e3, "m"))
        return rows

    def to_dict(self):
        """JSON-ready dict of the plan (m/s, deg, UTC)."""
        return {"format": "cosmoplan earth return plan 1",
                "model": self.model,
                "landing_site": {"latitude_deg": self.landing_site[0],
                                 "longitude_deg": self.landing_site[1]},
                "targets": {"entry_altitude_km": self.entry_altitude_km,
                            "entry_fpa_deg": self.entry_fpa_deg,
                            "entry_range_km": self.entry_range_km},
                "window": self.window.to_dict(),
                "candidates": self.candidates,
                "tei": [b.to_dict() for b in self.tei],
                "tei_executed": [b.to_dict() for b in self.tei_executed],
                "tcm": [b.to_dict() for b in self.tcm],
                "total_tei_dv_m_s": self.tei_dv_km_s * 1e3,
                "total_tcm_dv_m_s": self.tcm_dv_km_s * 1e3,
                "transfer_time_days": self.transfer_time_s / 86400.0,
                "entry": self.entry.to_dict(),
                "nominal_entry": self.nominal_entry.to_dict(),
                "downrange_km": self.downrange_km, "crossrange_km": self.crossrange_km,
                "convergence": _jsonable(self.convergence),
                "refly": _jsonable(self.refly),
                "timings_s": dict(self.timings_s)}


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


# ============================================================================ conics
def _entry_periapsis(e, r_ei, gamma):
    """Eq. (1): vacuum perigee radius of the conic of eccentricity e crossing r_ei at
    flight-path angle gamma (rad)."""
    c = math.cos(gamma)
    disc = np.maximum(c * c - (1.0 - np.asarray(e) ** 2), 0.0)
    return r_ei * c * (c + np.sqrt(disc)) / (1.0 + np.asarray(e))


def _time_from_periapsis(nu, e, p, mu):
    """Time (s) from periapsis to true anomaly |nu| on the conic (e, p): Kepler's equation
    (elliptic, hyperbolic) through :func:`cosmoplan.states.true_to_mean_anomaly`, Barker's
    equation within 1e-8 of the parabola."""
    from ..states import true_to_mean_anomaly

    nu = np.abs(np.asarray(nu, float))
    e = np.asarray(e, float)
    nu, e, p = np.broadcast_arrays(nu, e, np.asarray(p, float))
    near = np.abs(e - 1.0) < 1e-8
    es = np.where(near, 0.5, e)
    m = np.asarray(true_to_mean_anomaly(np.where(near, 0.0, nu), es), float)
    n = np.sqrt(mu * np.abs(1.0 - es * es) ** 3 / p ** 3)
    return np.where(near, _parabolic_time(nu, p, mu), m / n)


def _parabolic_time(nu, p, mu):
    """Barker's equation: time from periapsis to |nu| on the parabola of parameter p."""
    d = np.tan(0.5 * np.abs(nu))
    return 0.5 * np.sqrt(p ** 3 / mu) * (d + d ** 3 / 3.0)


def _bisect(fun, lo, hi, n=64):
    """Vectorised bisection: fun(lo) and fun(hi) of opposite signs, element-wise."""
    flo = fun(lo)
    for _ in range(n):
        mid = 0.5 * (lo + hi)
        fm = fun(mid)
        same = np.sign(fm) == np.sign(flo)
        lo = np.where(same, mid, lo)
        flo = np.where(same, fm, flo)
        hi = np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def _return_conic(rm, tof, r_ei, gamma, mu):
    """Earth-centred conic from radius rm (the Moon) to the EI sphere r_ei, reached with
    flight-path angle gamma after tof seconds (arrays broadcast).

    Inbound (the Moon at true anomaly -nu_m) when tof is at most the time of the conic
    whose apogee is rm; outbound (through apogee) beyond. Returns a dict of arrays: ``e``,
    ``p``, ``vr``, ``vt`` (radial and transverse speed at rm, km/s), ``sweep`` (true
    anomaly swept from the Moon to the EI, rad), ``vr_ei``, ``vt_ei`` and ``ok``.
    """
    rm, tof = np.broadcast_arrays(np.asarray(rm, float), np.asarray(tof, float))

    def geom(e):
        rp = _entry_periapsis(e, r_ei, gamma)
        p = rp * (1.0 + e)
        num = np.arccos(np.clip((p / rm - 1.0) / e, -1.0, 1.0))
        nue = np.arccos(np.clip((p / r_ei - 1.0) / e, -1.0, 1.0))
        return p, num, nue

    def times(e, p, num, nue):
        return (_time_from_periapsis(num, e, p, mu), _time_from_periapsis(nue, e, p, mu))

    # apogee at the Moon: e_min
    e_min = _bisect(lambda e: geom(e)[0] / (1.0 - e) - rm, np.full(rm.shape, 0.3),
                    np.full(rm.shape, 1.0 - 1e-12))
    e_min = np.minimum(e_min * (1.0 + 1e-12), 1.0 - 1e-11)
    p0, num0, nue0 = geom(e_min)
    tm0, te0 = times(e_min, p0, num0, nue0)
    t_half = tm0 - te0
    rp_par = r_ei * math.cos(gamma) ** 2
    p_par = 2.0 * rp_par
    t_par = (_parabolic_time(np.arccos(np.clip(p_par / rm - 1.0, -1, 1)), p_par, mu)
             - _parabolic_time(np.arccos(min(1.0, p_par / r_ei - 1.0)), p_par, mu))
    outbound = tof > t_half
    hyper = (~outbound) & (tof < t_par)
    lo = np.where(hyper, 1.0 + 1e-9, e_min)
    hi = np.where(hyper, 20.0, 1.0 - 1e-9)

    def f(e):
        p, num, nue = geom(e)
        tm, te = times(e, p, num, nue)
        with np.errstate(invalid="ignore", divide="ignore"):
            a = p / np.abs(1.0 - e * e)
            period = np.where(e < 1.0, 2.0 * np.pi * np.sqrt(a ** 3 / mu), np.inf)
        t = np.where(outbound, period - tm - te, tm - te)
        return np.where(np.isfinite(t), t - tof, 1e30) * np.where(outbound, 1.0, -1.0)

    e = _bisect(f, lo, hi)
    p, num, nue = geom(e)
    ok = np.abs(f(e)) < 60.0
    sgn = np.where(outbound, 1.0, -1.0)  # sign of the Moon's true anomaly
    k = np.sqrt(mu / p)
    vr = k * e * np.sin(sgn * num)
    vt = k * (1.0 + e * np.cos(num))
    sweep = np.where(outbound, 2.0 * np.pi - num - nue, num - nue)
    vr_ei = -k * e * np.sin(nue)
    vt_ei = k * (1.0 + e * np.cos(nue))
    return {"e": e, "p": p, "vr": vr, "vt": vt, "sweep": sweep, "vr_ei": vr_ei,
            "vt_ei": vt_ei, "ok": ok}


def _moon_basis(rm_vec, vm_vec):
    """(r_hat, e1, e2): the Moon's direction, its transverse direction of motion, normal."""
    x = rm_vec / np.linalg.norm(rm_vec, axis=-1, keepdims=True)
    t = vm_vec - np.sum(vm_vec * x, -1, keepdims=True) * x
    e1 = t / np.linalg.norm(t, axis=-1, keepdims=True)
    return x, e1, np.cross(x, e1)


def _conic_states(conic, x, e1, e2, phi):
    """Geocentric velocity at the Moon and the EI position and velocity for plane angle phi
    (transverse direction cos(phi) e1 + sin(phi) e2). Shapes broadcast; vectors last."""
    c, s = np.cos(phi)[..., None], np.sin(phi)[..., None]
    y = c * e1 + s * e2
    v_dep = conic["vr"][..., None] * x + conic["vt"][..., None] * y
    sw = conic["sweep"][..., None]
    rhat = np.cos(sw) * x + np.sin(sw) * y
    that = -np.sin(sw) * x + np.cos(sw) * y
    v_ei = conic["vr_ei"][..., None] * rhat + conic["vt_ei"][..., None] * that
    return v_dep, rhat, v_ei, np.cross(x, y)


def _departure_dv(vinf_vec, hhat, r, mu):
    """Patched-conic departure from a circular orbit (radius r, normal hhat) onto the
    hyperbola of excess velocity vinf_vec (module docstring, step 1). Returns (dv,
    burn direction r_hat, out-of-plane angle of v_inf, rad). Vectors on the last axis."""
    vinf = np.linalg.norm(vinf_vec, axis=-1)
    w = vinf_vec / vinf[..., None]
    hhat = np.broadcast_to(hhat, w.shape)
    eh = 1.0 + r * vinf ** 2 / mu
    cth = -1.0 / eh
    vp = np.sqrt(vinf ** 2 + 2.0 * mu / r)
    vc = np.sqrt(mu / r)[..., None]
    sd = np.clip(np.sum(w * hhat, -1), -1.0, 1.0)
    delta = np.arcsin(sd)
    dmax = np.arccos(-cth)
    excess = np.maximum(np.abs(delta) - dmax, 0.0)
    dlim = np.sign(delta) * np.minimum(np.abs(delta), dmax)
    win = w - sd[..., None] * hhat
    win /= np.maximum(np.linalg.norm(win, axis=-1, keepdims=True), 1e-300)
    wl = np.cos(dlim)[..., None] * win + np.sin(dlim)[..., None] * hhat
    alpha = np.arccos(np.clip(cth / np.cos(dlim), -1.0, 1.0))
    side = np.cross(hhat, win)
    best = np.full(vinf.shape, np.inf)
    best_r = np.zeros(w.shape)
    for sg in (1.0, -1.0):
        rb = np.cos(alpha)[..., None] * win + (sg * np.sin(alpha))[..., None] * side
        pv = wl - np.sum(rb * wl, -1, keepdims=True) * rb
        pv /= np.maximum(np.linalg.norm(pv, axis=-1, keepdims=True), 1e-300)
        cdir = np.cross(hhat, rb)
        dv = np.linalg.norm(vp[..., None] * pv - vc * cdir, axis=-1)
        take = dv < best
        best = np.where(take, dv, best)
        best_r = np.where(take[..., None], rb, best_r)
    return best + 2.0 * vp * np.sin(0.5 * excess), best_r, delta


def _range_geometry(r_itrf, v_itrf, site_hat):
    """(downrange, cross-range) km of the site from the point r along the great circle of
    the Earth-relative velocity v (module docstring, step 2); arrays on the last axis."""
    rhat = r_itrf / np.linalg.norm(r_itrf, axis=-1, keepdims=True)
    n = np.cross(r_itrf, v_itrf)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    along = np.cross(n, rhat)
    cross = MEAN_EARTH_RADIUS_KM * np.arcsin(np.clip(np.sum(site_hat * n, -1), -1.0, 1.0))
    down = MEAN_EARTH_RADIUS_KM * np.arctan2(np.sum(site_hat * along, -1),
                                             np.sum(site_hat * rhat, -1))
    return down, cross


def _to_itrf(r, v, epoch):
    from ..frames import transform

    ri, vi = transform(r, v, epoch, "GCRF", "ITRF")
    return ri, vi


# ============================================================================ inputs
def _number(value, name, lo=-math.inf, hi=math.inf, what=""):
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = float("nan")
    if isinstance(value, bool) or not math.isfinite(x) or not lo <= x <= hi:
        raise InputError(f"{name} must be a number between {lo:g} and {hi:g}{what}, got "
                         f"{value!r}", field=name, value=value)
    return x


class _Setup:
    """Validated inputs and derived constants."""

    def __init__(self, model, epoch, lunar_state, earliest_tei, latest_tei,
                 entry_altitude_km, entry_fpa_deg, landing_site, entry_range_km, tei_burns,
                 tei1_apoapsis_altitude_km, tei1_revolutions, tcm_after_hours,
                 tei_execution_error, transfer_days, candidates, max_dv_km_s):
        from ..frames import geodetic_to_itrf
        from ..time import Epoch

        if not isinstance(model, CislunarForceModel):
            raise InputError(f"model must be a CislunarForceModel, got "
                             f"{type(model).__name__}", field="model", value=model)
        self.model = model
        self.epoch = Epoch.coerce(epoch, field="epoch").tdb
        self.t_first = Epoch.coerce(earliest_tei, field="earliest_tei").tdb
        self.t_last = Epoch.coerce(latest_tei, field="latest_tei").tdb
        for name, ep in (("epoch", self.epoch), ("earliest_tei", self.t_first),
                         ("latest_tei", self.t_last)):
            if np.ndim(ep.jd1) != 0:
                raise InputError(f"{name} must be a single epoch", field=name)
        self.mu_m = model.gm("moon")
        self.mu_e = model.gm("earth")
        try:
            s = np.asarray(lunar_state, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            s = None
        if s is None or s.shape != (6,) or not np.all(np.isfinite(s)):
            raise InputError(f"lunar_state must be 6 finite numbers (Moon-centred GCRF km, "
                             f"km/s), got {lunar_state!r}", field="lunar_state",
                             value=lunar_state)
        el = _elements_dict(s[:3], s[3:], self.mu_m)
        from ..constants import MOON_RADIUS_KM

        if not (el["e"] < 1.0 and el["ra"] < 0.5 * MOON_SOI_KM):
            raise InputError(
                f"lunar_state is not bound to the Moon in a parking orbit (e = {el['e']:.3f}, "
                f"apolune radius {el['ra']:.0f} km, specific energy "
                f"{0.5 * s[3:] @ s[3:] - self.mu_m / np.linalg.norm(s[:3]):.4f} km^2/s^2): "
                f"give a Moon-centred state of a closed orbit with apolune below "
                f"{0.5 * MOON_SOI_KM:.0f} km (half the sphere of influence)",
                field="lunar_state", value=s.tolist())
        if el["rp"] < MOON_RADIUS_KM + 10.0:
            raise InputError(f"lunar_state's perilune ({el['rp'] - MOON_RADIUS_KM:.1f} km "
                             "altitude) is below 10 km: the orbit hits the Moon",
                             field="lunar_state", value=s.tolist())
        self.state = s
        self.elements = el
        self.period = 2.0 * math.pi * math.sqrt(el["a"] ** 3 / self.mu_m)
        if float(self.t_last - self.t_first) <= 0.0:
            raise InputError(f"latest_tei ({self.t_last.utc.iso(0)}) must come after "
                             f"earliest_tei ({self.t_first.utc.iso(0)})",
                             field="latest_tei", value=self.t_last.utc.iso(0))
        if float(self.t_first - self.epoch) < 0.0:
            raise InputError(f"earliest_tei ({self.t_first.utc.iso(0)}) precedes the epoch of "
                             f"lunar_state ({self.epoch.utc.iso(0)})", field="earliest_tei",
                             value=self.t_first.utc.iso(0))
        if float(self.t_last - self.t_first) < 2.0 * self.period:
            raise InputError(
                f"the TEI window {self.t_first.utc.iso(0)} to {self.t_last.utc.iso(0)} is "
                f"shorter than two revolutions of the parking orbit "
                f"({2.0 * self.period / 3600.0:.1f} h): no departure can be chosen; widen it "
                "(a return window recurs about every 13.7 days)", field="latest_tei",
                value=self.t_last.utc.iso(0))
        self.h_ei = _number(entry_altitude_km, "entry_altitude_km", *ENTRY_ALTITUDE_RANGE_KM,
                            " km")
        self.r_ei = WGS84_A_KM + self.h_ei
        lo, hi = ENTRY_FPA_RANGE_DEG
        self.fpa_deg = _number(entry_fpa_deg, "entry_fpa_deg", lo, hi,
                               " deg (inertial, negative: descending; a lunar-return "
                               "capsule's corridor is a few degrees around -6)")
        self.gamma = math.radians(self.fpa_deg)
        try:
            lat, lon = landing_site
        except (TypeError, ValueError):
            raise InputError(f"landing_site must be (latitude_deg, longitude_deg), got "
                             f"{landing_site!r}", field="landing_site",
                             value=landing_site) from None
        self.lat = _number(lat, "landing_site latitude", -90.0, 90.0, " deg")
        self.lon = _number(lon, "landing_site longitude", -360.0, 360.0, " deg")
        site = geodetic_to_itrf(math.radians(self.lat), math.radians(self.lon), 0.0)
        self.site_hat = site / np.linalg.norm(site)
        self.range_km = _number(entry_range_km, "entry_range_km", *ENTRY_RANGE_LIMITS_KM,
                                " km")
        if tei_burns not in (1, 2) or isinstance(tei_burns, bool):
            raise InputError(f"tei_burns must be 1 or 2, got {tei_burns!r}",
                             field="tei_burns", value=tei_burns)
        self.tei_burns = int(tei_burns)
        self.tei1_ra = MOON_RADIUS_KM + _number(
            tei1_apoapsis_altitude_km, "tei1_apoapsis_altitude_km",
            el["ra"] - MOON_RADIUS_KM + 100.0, 0.5 * MOON_SOI_KM, " km (above the parking "
            "orbit's apolune, inside half the sphere of influence)")
        if (not isinstance(tei1_revolutions, (int, np.integer)) or tei1_revolutions < 1
                or tei1_revolutions > 10 or isinstance(tei1_revolutions, bool)):
            raise InputError(f"tei1_revolutions must be an integer 1..10, got "
                             f"{tei1_revolutions!r}", field="tei1_revolutions",
                             value=tei1_revolutions)
        self.tei1_revs = int(tei1_revolutions)
        try:
            tdays = tuple(float(x) for x in transfer_days)
        except (TypeError, ValueError):
            tdays = ()
        if (len(tdays) != 2 or not all(math.isfinite(x) for x in tdays)
                or not 1.5 <= tdays[0] < tdays[1] <= 10.0):
            raise InputError(f"transfer_days must be (shortest, longest) days with 1.5 <= "
                             f"shortest < longest <= 10, got {transfer_days!r}",
                             field="transfer_days", value=transfer_days)
        self.tof_lo, self.tof_hi = tdays[0] * 86400.0, tdays[1] * 86400.0
        try:
            hours = tuple(float(x) for x in tcm_after_hours)
        except (TypeError, ValueError):
            hours = (float("nan"),)
        if (not all(math.isfinite(x) and 1.0 <= x for x in hours)
                or any(b <= a for a, b in zip(hours, hours[1:]))
                or (hours and hours[-1] * 3600.0 >= self.tof_lo - 3600.0)):
            raise InputError(f"tcm_after_hours must be increasing hours after the departure, "
                             f"from 1 h to 1 h before the shortest transfer "
                             f"({self.tof_lo / 3600.0 - 1:.0f} h), got {tcm_after_hours!r}",
                             field="tcm_after_hours", value=tcm_after_hours)
        self.tcm_hours = hours
        self.exec_error = _number(tei_execution_error, "tei_execution_error", -0.2, 0.2,
                                  " (a fraction of the departure delta-v)")
        if (not isinstance(candidates, (int, np.integer)) or isinstance(candidates, bool)
                or not 1 <= candidates <= 10):
            raise InputError(f"candidates must be an integer 1..10, got {candidates!r}",
                             field="candidates", value=candidates)
        self.n_candidates = int(candidates)
        self.max_dv = _number(max_dv_km_s, "max_dv_km_s", 0.1, 5.0, " km/s")


# ============================================================================ step 1
class _Parking:
    """The parking orbit flown once in the full model over the window (Moon-centred GCRF
    samples every 60 s); a state in between is the nearest sample moved along its
    osculating conic (at most 30 s: centimetres)."""

    def __init__(self, setup, t_end_rel):
        self.s = setup
        step = 60.0
        t = np.arange(0.0, t_end_rel + step, step)
        arc = propagate(setup.model, setup.epoch, setup.state, float(t[-1]) + 1.0,
                        centre="moon", t_out=t)
        if arc.t_s.size - 1 < t.size:
            raise PlanningError("the parking orbit could not be propagated over the window")
        self.t = arc.t_s[:t.size]
        self.y = arc.states[:t.size]
        self.step = step

    def state(self, t_rel):
        """States (n, 6) at t_rel seconds from the epoch of lunar_state."""
        from ..kepler import propagate_kepler

        t_rel = np.atleast_1d(np.asarray(t_rel, float))
        i = np.clip(np.rint(t_rel / self.step).astype(int), 0, self.t.size - 1)
        y0 = self.y[i]
        r, v = propagate_kepler(y0[:, :3], y0[:, 3:], t_rel - self.t[i], self.s.mu_m)
        return np.hstack([np.asarray(r).reshape(-1, 3), np.asarray(v).reshape(-1, 3)])

    def pass_time(self, t_rel, rhat_b):
        """Seconds from the epoch of lunar_state at which the spacecraft passes the
        direction rhat_b, the pass nearest t_rel."""
        t0 = t_rel - 0.5 * self.s.period
        y = self.state(t0)[0]
        return t0 + _burn_time(y, rhat_b, self.s.mu_m)


def _burn_time(state, rhat_b, mu):
    """Seconds from ``state`` until the spacecraft passes direction rhat_b (near-circular
    orbit, mean motion from the osculating semi-major axis)."""
    r, v = state[:3], state[3:6]
    h = np.cross(r, v)
    h /= np.linalg.norm(h)
    ru = r / np.linalg.norm(r)
    ang = math.atan2(float(np.cross(ru, rhat_b) @ h), float(ru @ rhat_b)) % (2.0 * math.pi)
    el = _elements_dict(r, v, mu)
    n = math.sqrt(mu / el["a"] ** 3)
    return ang / n


def _scan(setup, parking):
    """Step 1: patched-conic departure delta-v per revolution."""
    from ..ephemeris import default_ephemeris

    n_rev = int(math.floor(float(setup.t_last - setup.t_first) / setup.period))
    t_rev = float(setup.t_first - setup.epoch) + setup.period * np.arange(n_rev)
    states = parking.state(t_rev)
    eph = default_ephemeris()
    mid = setup.epoch + (t_rev + 0.5 * setup.period)
    rm, vm = eph.position("moon", "earth", mid, velocity=True)
    tofs = np.linspace(setup.tof_lo, setup.tof_hi, 9)
    phis = np.radians(np.arange(0.0, 360.0, 5.0))
    conic = _return_conic(np.linalg.norm(rm, axis=-1)[:, None], tofs[None, :], setup.r_ei,
                          setup.gamma, setup.mu_e)
    x, e1, e2 = _moon_basis(rm, vm)
    cx = {k: v[:, :, None] for k, v in conic.items()}
    v_dep, _, _, normal = _conic_states(cx, x[:, None, None], e1[:, None, None],
                                        e2[:, None, None], phis[None, None, :])
    vinf = v_dep - vm[:, None, None, :]
    r_park = np.linalg.norm(states[:, :3], axis=-1)
    hh = np.cross(states[:, :3], states[:, 3:])
    hh /= np.linalg.norm(hh, axis=-1, keepdims=True)
    dv, rb, delta = _departure_dv(vinf, hh[:, None, None, :], r_park[:, None, None],
                                  setup.mu_m)
    incl = np.arccos(np.clip(normal[..., 2], -1.0, 1.0))
    lat = math.radians(abs(setup.lat))
    reach = (incl >= lat - 1e-9) & (incl <= math.pi - lat + 1e-9)
    dv = np.where(reach & conic["ok"][:, :, None], dv, np.inf)
    flat = dv.reshape(n_rev, -1)
    j = np.argmin(flat, axis=1)
    best = flat[np.arange(n_rev), j]
    jt, jp = np.unravel_index(j, dv.shape[1:])
    epochs_rel = np.empty(n_rev)
    for k in range(n_rev):
        epochs_rel[k] = t_rev[k] + _burn_time(states[k], rb[k, jt[k], jp[k]], setup.mu_m)
    scan = WindowScan(setup.epoch + epochs_rel, np.where(np.isfinite(best), best, np.nan),
                      tofs[jt] / 86400.0, np.degrees(delta[np.arange(n_rev), jt, jp]))
    return scan, t_rev


# ============================================================================ step 2a
def _landing_conics(setup, t_dep, hhat, r_park):
    """Patched-conic returns from the departure epoch t_dep (Epoch) that put the landing
    site at the requested downrange on the entry ground track: a list of dicts (tof, phi,
    dv, v_inf, burn direction), cheapest first."""
    from scipy.interpolate import CubicSpline
    from scipy.optimize import least_squares

    from ..ephemeris import default_ephemeris

    eph = default_ephemeris()
    rm, vm = eph.position("moon", "earth", t_dep, velocity=True)
    rmn = float(np.linalg.norm(rm))
    x, e1, e2 = _moon_basis(rm, vm)
    tofs = np.arange(setup.tof_lo, setup.tof_hi + 1.0, 600.0)
    phis = np.radians(np.arange(0.0, 360.0, 2.0))
    lat = math.radians(abs(setup.lat))

    # the conic depends on the transfer time only: tabulate it, interpolate between
    grid = _return_conic(np.full(tofs.shape, rmn), tofs, setup.r_ei, setup.gamma, setup.mu_e)
    splines = {k: CubicSpline(tofs, v) for k, v in grid.items() if k != "ok"}
    ok_all = bool(np.all(grid["ok"]))

    def evaluate(tof, phi):
        """(down - D, cross, dv, vinf, rb) for arrays tof (nt,) and phi (nt, np)."""
        if tof is tofs or not ok_all:
            conic = grid if tof is tofs else _return_conic(
                np.full(tof.shape, rmn), tof, setup.r_ei, setup.gamma, setup.mu_e)
        else:
            conic = {k: f(tof) for k, f in splines.items()}
            conic["ok"] = np.ones(tof.shape, bool)
        cx = {k: v[:, None] for k, v in conic.items()}
        v_dep, rhat, v_ei, normal = _conic_states(cx, x, e1, e2, phi)
        r_ei = setup.r_ei * rhat
        ep = t_dep + tof[:, None]
        ri, vi = _to_itrf(r_ei, v_ei, ep)
        down, cross = _range_geometry(ri, vi, setup.site_hat)
        vinf = v_dep - vm
        dv, rb, _ = _departure_dv(vinf, hhat, r_park, setup.mu_m)
        incl = np.arccos(np.clip(normal[..., 2], -1.0, 1.0))
        bad = ~conic["ok"][:, None] | (incl < lat - 1e-9) | (incl > math.pi - lat + 1e-9)
        return down - setup.range_km, cross, np.where(bad, np.inf, dv), vinf, rb

    dd, cc, dvg, _, _ = evaluate(tofs, np.broadcast_to(phis, (tofs.size, phis.size)))
    j2 = (dd / 1000.0) ** 2 + (cc / 1000.0) ** 2
    j2 = np.where(np.isfinite(dvg), j2, np.inf)
    # local minima of the miss on the (tof, phi) grid (phi periodic)
    pad = np.pad(j2, ((1, 1), (0, 0)), constant_values=np.inf)
    is_min = np.ones(j2.shape, bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            nb = np.roll(pad, dj, axis=1)[1 + di:1 + di + j2.shape[0]]
            is_min &= j2 <= nb
    cand = np.argwhere(is_min & (j2 < 4.0))
    sols = []
    for it, ip in cand:
        def res(z):
            d, c, _, _, _ = evaluate(np.array([z[0] * _TIME_SCALE_S]), np.array([[z[1]]]))
            return np.array([d[0, 0], c[0, 0]]) / 10.0

        z0 = np.array([tofs[it] / _TIME_SCALE_S, phis[ip]])
        try:
            sol = least_squares(res, z0, x_scale=[0.01, 0.02], xtol=1e-12, ftol=1e-12,
                                gtol=1e-12, max_nfev=60)
        except ValueError:
            continue
        tof = sol.x[0] * _TIME_SCALE_S
        if not (setup.tof_lo <= tof <= setup.tof_hi) or np.linalg.norm(sol.fun) > 0.1:
            continue
        d, c, dv, vinf, rb = evaluate(np.array([tof]), np.array([[sol.x[1]]]))
        if not np.isfinite(dv[0, 0]):
            continue
        if any(abs(s["tof"] - tof) < 60.0 and abs(math.remainder(s["phi"] - sol.x[1],
                                                                 2 * math.pi)) < 1e-3
               for s in sols):
            continue
        sols.append({"tof": tof, "phi": float(sol.x[1] % (2 * math.pi)),
                     "dv": float(dv[0, 0]), "vinf": vinf[0, 0].copy(),
                     "rb": rb[0, 0].copy()})
    sols.sort(key=lambda s: s["dv"])
    return sols


# ============================================================================ step 2b
class _Targeter:
    """Flies a departure or a correction delta-v to the entry interface and measures it."""

    def __init__(self, setup):
        self.s = setup
        self.t_max = setup.tof_hi + 3.0 * 86400.0
        self.calls = 0

    def _to_earth_leg(self, epoch, state, centre, t_out_step=None):
        """Propagate to the Moon's sphere of influence if inside it; return (epoch,
        geocentric state, departure arc or None)."""
        if centre == "moon" and np.linalg.norm(state[:3]) < MOON_SOI_KM:
            arc = propagate(self.s.model, epoch, state, 4.0 * 86400.0, centre="moon",
                            events=[moon_distance_event(MOON_SOI_KM, +1)],
                            t_out=None if t_out_step is None
                            else np.arange(0.0, 4.0 * 86400.0, t_out_step))
            if arc.event is None:
                raise PlanningError("the spacecraft does not leave the Moon's sphere of "
                                    "influence within 4 days")
            ep = arc.epoch_final
            return ep, change_centre(arc.final, ep, "moon", "earth"), arc
        if centre == "moon":
            return epoch, change_centre(state, epoch, "moon", "earth"), None
        return epoch, np.asarray(state, float), None

    def fly(self, epoch, state, centre, dv, *, surrogate, t_out_step=None):
        """Return (kind, epoch_end, geocentric state at the end, arcs)."""
        self.calls += 1
        y = np.array(state, float)
        y[3:] += dv
        ep, ye, arc1 = self._to_earth_leg(epoch, y, centre, t_out_step)
        t_left = self.t_max - float(ep - epoch)
        if surrogate:
            events = [earth_distance_event(_SURROGATE_KM, -1),
                      earth_apsis_event("periapsis")]
        else:
            events = [earth_distance_event(self.s.r_ei, -1), earth_apsis_event("periapsis")]
        t_out = None
        if t_out_step is not None:
            t_out = np.arange(0.0, t_left, t_out_step)
        arc2 = propagate(self.s.model, ep, ye, t_left, centre="earth", events=events,
                         t_out=t_out)
        if arc2.event is None:
            raise PlanningError(f"the trajectory does not return to the Earth within "
                                f"{self.t_max / 86400.0:.1f} days")
        kind = "apsis" if arc2.event.kind == "earth_apsis" else "distance"
        return kind, arc2.epoch_final, arc2.final, (arc1, arc2)

    def residual_surrogate(self, epoch, state, centre, dv):
        kind, ep, y, _ = self.fly(epoch, state, centre, dv, surrogate=True)
        s = self.s
        el = _elements_dict(y[:3], y[3:], s.mu_e)
        e = el["e"]
        rp_target = float(_entry_periapsis(e, s.r_ei, s.gamma))
        # conic from y to the EI (or to perigee when that lies above the EI)
        dt = 0.0
        if kind != "apsis":
            p = el["rp"] * (1.0 + e)
            nu_now = el["nu"] - 2.0 * math.pi if el["nu"] > math.pi else el["nu"]
            nu_goal = 0.0
            if el["rp"] < s.r_ei:
                nu_goal = -math.acos(max(-1.0, min(1.0, (p / s.r_ei - 1.0) / e)))
            if nu_now < nu_goal:
                dt = float(np.sign(-nu_now) * _time_from_periapsis(nu_now, e, p, s.mu_e)
                           - np.sign(-nu_goal) * _time_from_periapsis(nu_goal, e, p, s.mu_e))
        from ..kepler import propagate_kepler

        r2, v2 = propagate_kepler(y[:3], y[3:], dt, s.mu_e)
        ep2 = ep + dt
        ri, vi = _to_itrf(np.asarray(r2), np.asarray(v2), ep2)
        down, cross = _range_geometry(ri, vi, s.site_hat)
        return np.array([(el["rp"] - rp_target) / 1.0, cross / 10.0,
                         (down - s.range_km) / 10.0])

    def entry(self, epoch, state, centre, dv, t_out_step=None):
        """(EI epoch, geocentric state at the EI, arcs), or raise PlanningError."""
        kind, ep, y, arcs = self.fly(epoch, state, centre, dv, surrogate=False,
                                     t_out_step=t_out_step)
        if kind != "distance":
            raise PlanningError("the trajectory passes perigee above the entry interface")
        return ep, y, arcs

    def residual_entry(self, epoch, state, centre, dv):
        s = self.s
        try:
            ep, y, _ = self.entry(epoch, state, centre, dv)
        except PlanningError:
            return np.full(3, 1e6)
        r, v = y[:3], y[3:]
        fpa = math.degrees(math.asin(float(r @ v) / (np.linalg.norm(r) * np.linalg.norm(v))))
        ri, vi = _to_itrf(r, v, ep)
        down, cross = _range_geometry(ri, vi, s.site_hat)
        return np.array([(fpa - s.fpa_deg) / 0.002, cross / 0.2,
                         (down - s.range_km) / 0.2])

    def solve(self, epoch, state, centre, dv0, what):
        """Both stages; returns (dv, info)."""
        from scipy.optimize import least_squares

        from ..rendezvous.targeting import newton_solve

        def batch(fun):
            def f(xs):
                out = []
                for x in xs:
                    try:
                        out.append(fun(epoch, state, centre, x))
                    except (PlanningError, PropagationError):
                        out.append(np.full(3, 1e6))
                return np.array(out)
            return f

        advice = ("widen transfer_days, move the TEI window, or relax the entry targets "
                  "(entry_range_km, entry_fpa_deg)")
        # stage 1: Levenberg-Marquardt (MINPACK through scipy; More 1978): the surrogate's
        # Jacobian is badly conditioned far from the solution (perigee radius and
        # downrange move together), where plain Newton with backtracking can stall
        one = batch(self.residual_surrogate)
        lm = least_squares(lambda x: one(x[None, :])[0], np.asarray(dv0, float),
                           method="lm", x_scale=1e-3, diff_step=1e-6, xtol=1e-12,
                           ftol=1e-12, gtol=1e-12, max_nfev=100)
        if not np.linalg.norm(lm.fun) <= 1.0:
            raise ConvergenceError(
                f"{what} (surrogate conic): Levenberg-Marquardt stopped with the miss "
                f"{np.array2string(lm.fun, precision=3)} (scaled: perigee km, cross- and "
                f"downrange / 10 km) after {lm.nfev} evaluations; unknowns "
                f"{np.array2string(lm.x, precision=6)} km/s. {advice[0].upper()}{advice[1:]}.")
        x1 = lm.x
        info1 = {"iterations": int(lm.nfev), "history": [float(np.linalg.norm(lm.fun))]}
        # stage 2: Newton on the true entry interface
        x2, info2 = newton_solve(batch(self.residual_entry), x1, step=1e-7, tol=1.0,
                                 max_iter=15, what=f"{what} (entry interface)",
                                 units="(scaled: 0.002 deg, 0.2 km)", advice=advice)
        return x2, {"surrogate_evaluations": info1["iterations"],
                    "entry_iterations": info2["iterations"],
                    "residual_scaled": info2["residual"],
                    "history": info1["history"] + info2["history"]}


# ============================================================================ driver
def plan_earth_return(model, *, epoch, lunar_state, earliest_tei, latest_tei,
                      entry_altitude_km=120.0, entry_fpa_deg=-6.0,
                      landing_site=(42.0, 111.5), entry_range_km=5500.0, tei_burns=2,
                      tei1_apoapsis_altitude_km=15_800.0, tei1_revolutions=1,
                      tcm_after_hours=(24.0,), tei_execution_error=0.0,
                      transfer_days=(3.0, 5.0), candidates=2, max_dv_km_s=_MAX_DV_DEFAULT,
                      progress=None):
    """Plan the return from a lunar parking orbit to an Earth landing site.

    Parameters
    ----------
    model : CislunarForceModel
        Full-ephemeris model (Earth and Moon fields, Sun) for every propagation.
    epoch : Epoch or ISO text
        Epoch of ``lunar_state`` (any scale).
    lunar_state : array_like, shape (6,)
        Moon-centred GCRF state of the parking orbit, km and km/s. Must be bound to the
        Moon (apolune below half the sphere of influence, perilune above 10 km).
    earliest_tei, latest_tei : Epoch or ISO text
        Window for the departure burn (the last TEI; with two burns TEI-1 comes about
        ``tei1_revolutions`` ellipse periods earlier and must not precede ``epoch``). At
        least two parking revolutions long, after ``epoch``.
    entry_altitude_km : float
        EI altitude above the WGS-84 equatorial radius (a sphere), km, 60-200.
    entry_fpa_deg : float
        Inertial flight-path angle at the EI, deg, in :data:`ENTRY_FPA_RANGE_DEG`.
        Default -6.0: a shallow skip entry, within the Apollo lunar-return corridor (about
        -5.3 to -7.4 deg around the nominal -6.5 deg) on its shallow side as skip entries
        fly; Chang'e-5's own angle is not public (entered at about 11 km/s: Chang'e-5 T1,
        Xinhua/CAS 2014; skipped over the Arabian Sea: Wikipedia "Chang'e 5").
    landing_site : (float, float)
        WGS-84 geodetic latitude and east longitude, deg. Default (42.0, 111.5): the
        Siziwang Banner landing field (Amugulang pasture, "about 60 km north of Wulanhua
        town", china.org.cn 2005), an approximate coordinate, not a surveyed one.
    entry_range_km : float
        Great-circle distance from the EI point to the landing site along the entry ground
        track, km. Default 5,500: Chang'e-5 skipped over the Arabian Sea, roughly 5,000-6,000
        km before Siziwang; Orion's skip reaches up to 8,890 km, Apollo's direct entry 2,780
        km (NASA 2022).
    tei_burns : {1, 2}
        One departure burn, or TEI-1 (raises the apolune) then TEI-2 (departs) at the same
        perilune ``tei1_revolutions`` ellipse periods later (Chang'e-5).
    tei1_apoapsis_altitude_km : float
        TEI-1 ellipse apolune altitude, km. Default 15,800: the ellipse with a 24 h period
        from a 200 km perilune, matching the 23 h 57 min between Chang'e-5's TEI-1 and
        TEI-2 with one revolution (an inference: the apolune was not published).
    tei1_revolutions : int
        Ellipse revolutions between TEI-1 and TEI-2.
    tcm_after_hours : sequence of float
        Correction epochs, hours after the departure burn (Chang'e-5 TCM-1 was about 25 h
        after TEI-2). Used only with ``tei_execution_error``.
    tei_execution_error : float
        Fractional magnitude error of the departure burn to demonstrate the TCMs (e.g.
        0.005 = 0.5 % too much), -0.2..0.2.
    transfer_days : (float, float)
        Bounds on the departure-to-EI time, days (Chang'e-5: TEI-2 to landing 3.67 days).
    candidates : int
        Revolutions near the cheapest epoch targeted in the full model; the cheapest
        converged one is kept.
    max_dv_km_s : float
        A window whose cheapest estimate exceeds this has no return (PlanningError).
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    EarthReturnPlan

    Raises
    ------
    InputError
        A bad argument; the message names it and the accepted range.
    PlanningError
        No departure in the window reaches the landing site within the bounds.
    ConvergenceError
        Every candidate's targeting failed to converge.
    """
    import time as _time

    clock = {}
    t_start = _time.perf_counter()

    def tick(name, t0):
        clock[name] = round(_time.perf_counter() - t0, 3)
        return _time.perf_counter()

    def report(stage, frac):
        if progress is not None:
            progress(stage, frac)

    s = _Setup(model, epoch, lunar_state, earliest_tei, latest_tei, entry_altitude_km,
               entry_fpa_deg, landing_site, entry_range_km, tei_burns,
               tei1_apoapsis_altitude_km, tei1_revolutions, tcm_after_hours,
               tei_execution_error, transfer_days, candidates, max_dv_km_s)
    report("window scan", 0.0)
    t0 = _time.perf_counter()
    parking = _Parking(s, float(s.t_last - s.epoch) + s.period)
    scan, t_rev = _scan(s, parking)
    t0 = tick("window_scan", t0)
    if not np.any(np.isfinite(scan.dv_km_s)) or np.nanmin(scan.dv_km_s) > s.max_dv:
        best = np.nanmin(scan.dv_km_s) if np.any(np.isfinite(scan.dv_km_s)) else np.inf
        raise PlanningError(
            f"no return in the TEI window {s.t_first.utc.iso(0)} to {s.t_last.utc.iso(0)}: "
            f"the cheapest departure needs {best * 1e3:.0f} m/s (limit max_dv_km_s "
            f"{s.max_dv * 1e3:.0f} m/s); the cheap departures come when the Earth-return "
            "direction lies in the parking plane, about every 13.7 days: widen the window")
    # ---- step 2a: candidate revolutions near the minimum, with the landing constraint
    report("landing geometry", 0.1)
    kbest = scan.best_index
    near = [k for k in range(len(t_rev)) if abs(t_rev[k] - t_rev[kbest]) <= 0.75 * 86400.0
            and np.isfinite(scan.dv_km_s[k])]
    estimates = []
    for k in near:
        t_dep = scan.epochs[k]
        y = parking.state(float(t_dep - s.epoch))[0]
        hh = np.cross(y[:3], y[3:])
        hh /= np.linalg.norm(hh)
        sols = _landing_conics(s, t_dep, hh, float(np.linalg.norm(y[:3])))
        if sols:
            estimates.append((sols[0]["dv"], k, sols[0]))
    t0 = tick("landing_geometry", t0)
    if not estimates:
        raise PlanningError(
            f"no patched-conic return from the revolutions near {scan.best_epoch.utc.iso(0)} "
            f"reaches the landing site ({s.lat:.2f}, {s.lon:.2f}) deg at {s.range_km:.0f} km "
            f"downrange within {s.tof_lo / 86400:.2f}-{s.tof_hi / 86400:.2f} days. "
            + _reach_hint(s, scan.best_epoch)
            + " Change entry_range_km, the landing site or transfer_days")
    estimates.sort(key=lambda e: e[0])
    targeter = _Targeter(s)
    results = []
    cand_info = []
    for n, (dv_est, k, sol) in enumerate(estimates[:s.n_candidates]):
        report("targeting", 0.2 + 0.5 * n / s.n_candidates)
        info = {"revolution_epoch_utc": scan.epochs[k].utc.iso(0),
                "patched_conic_dv_m_s": float(dv_est) * 1e3,
                "patched_conic_transfer_days": float(sol["tof"]) / 86400.0}
        try:
            res = _target_candidate(s, parking, targeter, scan.epochs[k], sol)
        except (ConvergenceError, PlanningError, PropagationError) as exc:
            info["failed"] = str(exc)
            info["error"] = type(exc).__name__
            cand_info.append(info)
            continue
        info["departure_epoch_utc"] = res["burns"][-1].epoch.utc.iso(1)
        info["tei_dv_m_s"] = res["tei_dv"] * 1e3
        cand_info.append(info)
        results.append(res)
    t0 = tick("targeting", t0)
    if not results:
        kind = (ConvergenceError if any(c.get("error") == "ConvergenceError"
                                        for c in cand_info) else PlanningError)
        raise kind("every candidate departure failed: " + "; ".join(
            f"{c['revolution_epoch_utc']}: {c.get('failed', '')}" for c in cand_info))
    best = min(results, key=lambda r: r["tei_dv"])
    # ---- step 3: execution error and TCMs
    report("corrections", 0.75)
    tei = best["burns"]
    dep = tei[-1]
    dv_exec = dep.dv_gcrf * (1.0 + s.exec_error)
    tei_exec = tei[:-1] + [_burn(dep.name, dep.epoch, dep.state_before, dv_exec, "moon",
                                 dep.purpose + (f" (flown {s.exec_error * 100:+.2f} %)"
                                                if s.exec_error else ""))]
    arcs = dict(best["pre_arcs"])
    tcms = []
    convergence = {"departure": best["info"]}
    ep, y, centre = dep.epoch, dep.state_before.copy(), "moon"
    y[3:] += dv_exec
    seg = "departure"
    if s.exec_error != 0.0:
        for n, hours in enumerate(s.tcm_hours, start=1):
            ep, y, centre, new_arcs = _coast_to(s, ep, y, centre, dep.epoch + hours * 3600.0,
                                                seg)
            arcs.update(new_arcs)
            name = f"TCM-{n}"
            dv, inf = targeter.solve(ep, y, centre, np.zeros(3), f"{name} targeting")
            convergence[name] = inf
            tcms.append(_burn(name, ep, y, dv, centre, "re-targets the entry interface"))
            y = y.copy()
            y[3:] += dv
            seg = f"after_{name}"
    ep_ei, y_ei, (a1, a2) = targeter.entry(ep, y, centre, np.zeros(3), t_out_step=600.0)
    if a1 is not None:
        arcs[seg] = a1
    arcs[_earth_name(seg) if a1 is not None or seg == "departure" else seg] = a2
    t0 = tick("corrections", t0)
    entry = EntryState.from_state(ep_ei, y_ei)
    nominal = best["entry"]
    down, cross = _range_geometry(entry.r_itrf, entry.v_itrf, s.site_hat)
    # ---- step 4: fly the burn list again
    report("re-flight", 0.9)
    mans = [b.maneuver() for b in tei_exec + tcms]
    flown = fly(s.model, s.epoch, s.state, float(ep_ei - s.epoch) + 3600.0, centre="moon",
                maneuvers=mans, events=[earth_distance_event(s.r_ei, -1)])
    if flown.event is None:
        refly = {"position_km": math.inf, "velocity_km_s": math.inf, "epoch_s": math.inf}
    else:
        ye = change_centre(flown.final, flown.epoch_final, "moon", "earth")
        again = EntryState.from_state(flown.epoch_final, ye)
        d2, c2 = _range_geometry(again.r_itrf, again.v_itrf, s.site_hat)
        refly = {"position_km": float(np.linalg.norm(ye[:3] - y_ei[:3])),
                 "velocity_km_s": float(np.linalg.norm(ye[3:] - y_ei[3:])),
                 "epoch_s": float(flown.epoch_final - ep_ei),
                 "fpa_deg": again.fpa_deg, "downrange_km": float(d2),
                 "crossrange_km": float(c2)}
    tick("refly", t0)
    clock["total"] = round(_time.perf_counter() - t_start, 3)
    report("done", 1.0)
    return EarthReturnPlan(
        model=s.model.describe(), landing_site=(s.lat, s.lon),
        entry_altitude_km=s.h_ei, entry_fpa_deg=s.fpa_deg, entry_range_km=s.range_km,
        window=scan, candidates=cand_info, tei=tei, tei_executed=tei_exec, tcm=tcms,
        arcs=arcs, entry=entry, nominal_entry=nominal, downrange_km=float(down),
        crossrange_km=float(cross), transfer_time_s=float(ep_ei - dep.epoch),
        convergence=convergence, refly=refly, timings_s=clock)


def _reach_hint(s, epoch):
    """Why a site is out of reach: a lunar return enters about rho from the point opposite
    the Moon and flies toward it, so a site at latitude L (never closer than |L - dec| to
    that point) needs a downrange of at least about R (rho + |L - dec|) once past it."""
    from ..ephemeris import default_ephemeris

    rm = default_ephemeris().position("moon", "earth", epoch)
    dec = -math.degrees(math.asin(float(rm[2] / np.linalg.norm(rm))))
    mid = 0.5 * (s.tof_lo + s.tof_hi)
    c = _return_conic(np.array([np.linalg.norm(rm)]), np.array([mid]), s.r_ei, s.gamma,
                      s.mu_e)
    rho = 180.0 - math.degrees(float(c["sweep"][0]))
    far = math.radians(rho + abs(s.lat - dec)) * MEAN_EARTH_RADIUS_KM
    return (f"The entry interface lies about {rho:.0f} deg from the point opposite the Moon "
            f"(declination {dec:+.1f} deg) and the capsule flies toward it, so a site at "
            f"latitude {s.lat:.1f} deg needs roughly {far:.0f} km or more of downrange "
            "(or a site near that point's latitude).")


def _earth_name(seg):
    """Arc name of the Earth-centred part of segment ``seg``."""
    return "coast" if seg == "departure" else seg + "_earth"


def _coast_to(s, epoch, state, centre, t_end, name):
    """Ballistic coast to t_end (Epoch), switching to the Earth at the sphere of influence.
    Returns (epoch, state, centre, arcs dict)."""
    arcs = {}
    dt = float(t_end - epoch)
    if centre == "moon":
        arc = propagate(s.model, epoch, state, dt, centre="moon",
                        events=[moon_distance_event(MOON_SOI_KM, +1)],
                        t_out=np.arange(0.0, dt, 600.0))
        arcs[name] = arc
        if arc.event is None:
            return arc.epoch_final, arc.final, "moon", arcs
        epoch = arc.epoch_final
        state = change_centre(arc.final, epoch, "moon", "earth")
        dt = float(t_end - epoch)
        name = _earth_name(name)
    arc = propagate(s.model, epoch, state, dt, centre="earth",
                    t_out=np.arange(0.0, dt, 600.0))
    arcs[name] = arc
    return arc.epoch_final, arc.final, "earth", arcs


def _target_candidate(s, parking, targeter, t_guess, sol):
    """Full-model targeting of one revolution: the pre-departure arcs, the departure epoch
    and state, Newton. Returns a dict (burns, tei_dv, info, entry, pre_arcs)."""
    mu = s.mu_m

    def closest(sols, ref):
        return min(sols, key=lambda q: abs(q["tof"] - ref["tof"]) / 3600.0 + q["dv"] * 10.0)

    # refine the departure point for the landing-compatible v_inf (two passes)
    t_dep_rel = float(t_guess - s.epoch)
    for _ in range(2):
        t_dep_rel = parking.pass_time(t_dep_rel, sol["rb"])
        yd = parking.state(t_dep_rel)[0]
        hh = np.cross(yd[:3], yd[3:])
        hh /= np.linalg.norm(hh)
        sols = _landing_conics(s, s.epoch + t_dep_rel, hh, float(np.linalg.norm(yd[:3])))
        if not sols:
            raise PlanningError(f"no landing-compatible return from "
                                f"{(s.epoch + t_dep_rel).utc.iso(0)}")
        sol = closest(sols, sol)
    t_dep = s.epoch + t_dep_rel
    pre_arcs = {}
    burns = []
    t_dep_rel = float(t_dep - s.epoch)
    if s.tei_burns == 1:
        arc = propagate(s.model, s.epoch, s.state, t_dep_rel, centre="moon",
                        t_out=np.arange(0.0, t_dep_rel, 300.0)) if t_dep_rel > 0 else None
        y2 = arc.final if arc is not None else s.state.copy()
        ep2 = t_dep
        if arc is not None:
            pre_arcs["parking"] = arc
        name2 = "TEI"
    else:
        r_p = float(np.linalg.norm(parking.state(t_dep_rel)[0][:3]))
        a_ell = 0.5 * (r_p + s.tei1_ra)
        p_ell = 2.0 * math.pi * math.sqrt(a_ell ** 3 / mu)
        t1_rel = parking.pass_time(t_dep_rel - s.tei1_revs * p_ell, sol["rb"])
        if t1_rel < 0.0:
            raise PlanningError(f"TEI-1 would fall {-t1_rel / 3600:.1f} h before the epoch "
                                "of lunar_state: start the window later or use tei_burns=1")
        arc = propagate(s.model, s.epoch, s.state, t1_rel, centre="moon",
                        t_out=np.arange(0.0, t1_rel, 300.0)) if t1_rel > 0 else None
        y1 = arc.final if arc is not None else s.state.copy()
        if arc is not None:
            pre_arcs["parking"] = arc
        ep1 = s.epoch + t1_rel
        name2 = "TEI-2"
    # with two burns, TEI-1 is aimed at the patched-conic v_inf (see _tei1)
    if s.tei_burns == 2:
        ep2, y2, dv1, ell = _tei1(s, ep1, y1, sol["vinf"], p_ell)
    # first guess: periapsis of the patched-conic departure hyperbola at the burn point
    hh = np.cross(y2[:3], y2[3:])
    hh /= np.linalg.norm(hh)
    sols = _landing_conics(s, ep2, hh, float(np.linalg.norm(y2[:3])))
    if sols:
        sol = closest(sols, sol)
    vinf = sol["vinf"]
    rn = float(np.linalg.norm(y2[:3]))
    rhat = y2[:3] / rn
    pv = vinf - (vinf @ rhat) * rhat
    pv /= np.linalg.norm(pv)
    vp = math.sqrt(float(vinf @ vinf) + 2.0 * mu / rn)
    dv0 = vp * pv - y2[3:]
    dv, info = targeter.solve(ep2, y2, "moon", dv0, f"{name2} targeting")
    info["patched_conic_first_guess_m_s"] = float(np.linalg.norm(dv0)) * 1e3
    ep_ei, y_ei, _ = targeter.entry(ep2, y2, "moon", dv)
    if s.tei_burns == 2:
        burns.append(_burn("TEI-1", ep1, y1, dv1, "moon",
                           f"raises the apolune to {s.tei1_ra - 1737.4:.0f} km altitude and "
                           "turns the plane toward the departure asymptote"))
        pre_arcs["tei1_ellipse"] = ell
    burns.append(_burn(name2, ep2, y2, dv, "moon", "departs for the Earth"))
    tei_dv = sum(b.magnitude for b in burns)
    return {"burns": burns, "tei_dv": tei_dv, "info": info, "pre_arcs": pre_arcs,
            "entry": EntryState.from_state(ep_ei, y_ei)}


def _tei1(s, ep1, y1, vinf, p_ell):
    """TEI-1 at ep1 from the parking state y1: the horizontal velocity is raised to the
    perilune speed of the ellipse of apolune ``s.tei1_ra`` and turned about the radius by
    an angle beta so that, one (or ``tei1_revolutions``) ellipse revolutions later, the
    departure asymptote v_inf lies in the ellipse's plane at its perilune: TEI-2 then
    departs in plane, and the plane change rides on the larger burn (cheaper than at
    TEI-2, where the speed is higher). beta by the secant method on h_hat(perilune) . v_inf
    (the Earth's pull turns the 24-h ellipse by a degree or two in one revolution).
    Returns (ep2, y2 before TEI-2, dv1, ellipse arc)."""
    mu = s.mu_m
    r = y1[:3]
    rn = float(np.linalg.norm(r))
    rhat = r / rn
    vr = float(y1[3:] @ rhat)
    vh = y1[3:] - vr * rhat
    that = vh / np.linalg.norm(vh)
    nhat = np.cross(rhat, that)
    w = vinf / np.linalg.norm(vinf)
    v_ell = math.sqrt(2.0 * mu * s.tei1_ra / (rn * (rn + s.tei1_ra)))

    def dv_of(beta):
        u = math.cos(beta) * that + math.sin(beta) * nhat
        return v_ell * u + vr * rhat - y1[3:]

    def flight(beta):
        y = y1.copy()
        y[3:] += dv_of(beta)
        span = (s.tei1_revs - 0.5) * p_ell
        ta = propagate(s.model, ep1, y, span, centre="moon",
                       t_out=np.arange(0.0, span, 300.0))
        tb = propagate(s.model, ta.epoch_final, ta.final, p_ell, centre="moon",
                       events=[moon_apsis_event("periapsis")],
                       t_out=np.arange(0.0, p_ell, 300.0))
        if tb.event is None:
            raise PlanningError("no perilune found after TEI-1")
        h = np.cross(tb.final[:3], tb.final[3:])
        return float(h @ w / np.linalg.norm(h)), ta, tb

    b0 = math.atan(float(nhat @ w) / float(that @ w))
    g0, ta, tb = flight(b0)
    b1 = b0 - g0
    for _ in range(6):
        g1, ta, tb = flight(b1)
        if abs(g1) < 1e-5 or g1 == g0:
            break
        b0, b1, g0 = b1, b1 - g1 * (b1 - b0) / (g1 - g0), g1
    return tb.epoch_final, tb.final, dv_of(b1), _join(ta, tb)


def _join(a, b):
    """Concatenate two consecutive arcs of the same centre."""
    off = float(b.epoch0 - a.epoch0)
    t = np.r_[a.t_s, b.t_s[1:] + off]
    y = np.vstack([a.states, b.states[1:]])
    return CislunarArc(a.epoch0, a.centre, t, y, b.event, a.n_rhs + b.n_rhs)

