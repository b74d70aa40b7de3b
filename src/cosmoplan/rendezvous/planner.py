"""The fast-rendezvous planner: launch window, phasing, HCW approach, docking.

:func:`plan_fast_rendezvous` strings the pieces together:

1. **Launch window** (:mod:`.launch`): the day's in-plane lift-off times from the site
   into the target's plane at insertion, with the RAAN offset that pre-compensates the
   chaser's faster nodal regression during phasing (secular J2, Vallado 2013 eq. 9-41,
   integrated over the phasing timeline).
2. **Insertion**: the chaser enters the given insertion orbit at its perigee, in that
   plane, ``ascent_range`` downrange of the site.
3. **Phasing** (:mod:`.phasing`): NC1 / NPC / NH chosen analytically, then corrected by
   Newton iteration on the numerical propagation (zonals J2..J6 and drag for both
   vehicles) so that the chaser reaches the aim point, behind and below the target, at
   the planned epoch (the apogee of its last arc). Ending below the target keeps the
   chaser from looping under and ahead of it, as a transfer to the target's own height
   would (the relative-motion cusp of a Hohmann arrival; Fehse 2003 §3.3).
4. **Terminal phase**: TPI at the aim point starts a transfer to the first hold point
   (HCW first guess, Newton-corrected); TPF stops the chaser there.
5. **Approach**: hold-to-hold transfers with a two-impulse HCW solution (Clohessy &
   Wiltshire 1960; :mod:`.hcw`) as first guess for the departure burn, corrected by
   Newton iteration on the numerical propagation so that the chaser arrives at each
   hold point to 1 mm; an arrival burn stops it there.
6. **Final approach**: from the last hold point to the docking port along V-bar, a
   departure burn and a mid-course burn solved together so that the contact position
   and closing velocity are met exactly (6 equations, 6 unknowns).
7. **Fly**: the whole burn table is flown once more from insertion through the
   propagator to produce the trajectories, and the relative state at docking is
   compared with the aim.

Every burn is expressed in the chaser's LVLH frame at the burn. The target's
trajectory is its SGP4 (or given) state at insertion, propagated with the same force
model as the chaser.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..constants import EGM96_GM_KM3_S2, WGS84_A_KM
from ..errors import (
    InputError,
    PlanningError,
    PlanningWarning,
    PropagationError,
    StaleDataWarning,
)
from ..frames import absolute_state, lvlh_matrix, relative_state
from ..propagator import ForceModel, ImpulsiveManeuver, NumericalPropagator, Spacecraft
from ..sites import GroundSite
from ..time import Epoch
from .hcw import hcw_two_impulse
from .launch import argument_of_latitude, launch_opportunities, plane_normal
from .phasing import design_phasing, secular_rates
from .plan import Burn, RendezvousPlan, TimelineEvent
from .target import TargetEphemeris
from .targeting import newton_solve

__all__ = ["InsertionOrbit", "ApproachProfile", "RendezvousConfig", "plan_fast_rendezvous"]

MU = EGM96_GM_KM3_S2


@dataclass(frozen=True)
class InsertionOrbit:
    """Orbit the launcher delivers the chaser to (insertion at its perigee).

    Attributes
    ----------
    perigee_altitude_km, apogee_altitude_km : float
        Altitudes above the equatorial radius (6378.137 km), km.
    ascent_duration_s : float
        Lift-off to insertion, s (Shenzhou-12: 573 s, missions.json).
    ascent_range : float
        Arc from the launch site to the insertion point along the plane, rad.
    """

    perigee_altitude_km: float = 200.0
    apogee_altitude_km: float = 350.0
    ascent_duration_s: float = 573.0
    ascent_range: float = float(np.radians(15.0))

    def __post_init__(self):
        hp, ha = self.perigee_altitude_km, self.apogee_altitude_km
        if not (np.isfinite(hp) and np.isfinite(ha)):
            raise InputError("insertion altitudes must be finite numbers",
                             field="insertion.perigee_altitude_km", value=hp)
        if hp < 120.0:
            raise InputError(
                f"insertion perigee altitude {hp} km is below 120 km: the orbit would "
                "re-enter within a revolution (perigee below the surface if negative)",
                field="insertion.perigee_altitude_km", value=hp)
        if ha < hp:
            raise InputError(
                f"insertion apogee altitude {ha} km is below the perigee altitude {hp} km",
                field="insertion.apogee_altitude_km", value=ha)
        if ha > 5000.0:
            raise InputError(f"insertion apogee altitude {ha} km is not a LEO insertion orbit "
                             "(max 5000 km)", field="insertion.apogee_altitude_km", value=ha)
        if not 60.0 <= self.ascent_duration_s <= 7200.0:
            raise InputError(f"ascent duration {self.ascent_duration_s} s outside 60..7200 s",
                             field="launch.ascent_duration_s",
                             value=self.ascent_duration_s)
        if not 0.0 <= self.ascent_range < np.pi:
            raise InputError(
                f"ascent range {np.degrees(self.ascent_range):.2f} deg outside 0..180 deg",
                field="launch.ascent_range_deg", value=np.degrees(self.ascent_range))

    @property
    def perigee_radius(self):
        return WGS84_A_KM + self.perigee_altitude_km

    @property
    def apogee_radius(self):
        return WGS84_A_KM + self.apogee_altitude_km


@dataclass(frozen=True)
class ApproachProfile:
    """Hold points and timing of the approach, and the docking aim.

    The phasing ends at an aim point behind and below the target (the terminal-phase
    initiation point), where the chaser arrives at the apogee of its last phasing arc:
    being below, it never passes under or ahead of the target (the arrival loop of a
    Hohmann transfer ending at the target's own height would). From there a TPI burn
    starts a transfer to the first hold point. Hold points lie on the V-bar behind the
    docking port (the chaser approaches along +V-bar from behind).

    Attributes
    ----------
    aim_behind_km, aim_below_km : float
        The phasing aim point: distance behind the target along V-bar and height below
        it, km.
    tpi_transfer_s : float
        Transfer time from the aim point to the first hold point, s.
    hold_distances_km : tuple of float
        Distances of the hold points behind the docking port, km, decreasing.
    hold_durations_s : tuple of float
        Time spent at each hold point, s (same length).
    transfer_durations_s : tuple of float
        Transfer time from each hold point to the next, s (one fewer).
    final_approach_speed_km_s : float
        Closing speed at contact (and of the final straight-line approach), km/s.
    docking_port_lvlh_km : tuple of 3 float
        Where the chaser's reference point is at contact, target LVLH, km.
    """

    aim_behind_km: float = 20.0
    aim_below_km: float = 10.0
    tpi_transfer_s: float = 1200.0
    hold_distances_km: tuple = (5.0, 0.4, 0.2, 0.019)
    hold_durations_s: tuple = (60.0, 180.0, 180.0, 120.0)
    transfer_durations_s: tuple = (900.0, 300.0, 480.0)
    final_approach_speed_km_s: float = 0.2e-3
    docking_port_lvlh_km: tuple = (-0.013, 0.0, 0.0)

    def __post_init__(self):
        try:
            d = [float(x) for x in self.hold_distances_km]
            holds = [float(x) for x in self.hold_durations_s]
            transfers = [float(x) for x in self.transfer_durations_s]
            port = [float(x) for x in self.docking_port_lvlh_km]
        except (TypeError, ValueError):
            raise InputError("hold points, durations and the docking port must be lists of "
                             "numbers", field="rendezvous.hold_points_m") from None
        metres = [x * 1e3 for x in d]
        if len(d) < 1:
            raise InputError("at least one hold point is needed", field="rendezvous.hold_points_m")
        if any(not np.isfinite(x) or x <= 0 for x in d) or any(b >= a for a, b in zip(d, d[1:])):
            raise InputError(f"hold points {metres} m must be positive distances, strictly "
                             "decreasing", field="rendezvous.hold_points_m", value=metres)
        if d[-1] < 0.001 or d[0] > 1000.0:
            raise InputError(f"hold points {metres} m must lie between 1 m and 1000 km behind "
                             "the port", field="rendezvous.hold_points_m", value=metres)
        if len(holds) != len(d):
            raise InputError(f"{len(holds)} hold durations for {len(d)} hold points",
                             field="rendezvous.hold_durations_min", value=holds)
        if len(transfers) != len(d) - 1:
            raise InputError(f"{len(transfers)} transfer durations for {len(d)} hold points "
                             f"(need {len(d) - 1})", field="rendezvous.transfer_durations_min",
                             value=transfers)
        if any(not np.isfinite(x) or x < 0 for x in holds):
            raise InputError(f"hold durations {[x / 60 for x in holds]} min must be >= 0",
                             field="rendezvous.hold_durations_min", value=holds)
        if any(not np.isfinite(x) or x <= 0 for x in transfers):
            raise InputError(f"transfer durations {[x / 60 for x in transfers]} min must be > 0",
                             field="rendezvous.transfer_durations_min", value=transfers)
        v = self.final_approach_speed_km_s
        if not (np.isfinite(v) and 1e-5 <= v <= 5e-3):
            raise InputError(f"final approach speed {v * 1e3} m/s outside 0.01..5 m/s",
                             field="rendezvous.final_approach_speed_m_s", value=v * 1e3)
        if len(port) != 3 or not np.all(np.isfinite(port)):
            raise InputError(f"docking port {[x * 1e3 for x in port]} m needs 3 finite LVLH "
                             "components", field="rendezvous.docking_port_lvlh_m",
                             value=[x * 1e3 for x in port])
        if np.linalg.norm(port) >= 0.5 * d[-1] + 0.1:
            raise InputError(
                f"docking port {[x * 1e3 for x in port]} m is too far from the target's centre "
                f"of mass for the last hold point ({d[-1] * 1e3:g} m behind it): the port "
                "must lie on the target (within 100 m)", field="rendezvous.docking_port_lvlh_m",
                value=[x * 1e3 for x in port])
        if not (np.isfinite(self.aim_behind_km) and self.aim_behind_km > d[0]):
            raise InputError(
                f"the phasing aim point ({self.aim_behind_km} km behind) must lie behind the "
                f"first hold point ({d[0]} km)", field="rendezvous.aim_point_behind_km",
                value=self.aim_behind_km)
        if not (np.isfinite(self.aim_below_km) and 0.0 <= self.aim_below_km <= 100.0):
            raise InputError(f"aim point height below the target {self.aim_below_km} km outside "
                             "0..100 km", field="rendezvous.aim_point_below_km",
                             value=self.aim_below_km)
        if not (np.isfinite(self.tpi_transfer_s) and self.tpi_transfer_s > 0):
            raise InputError("the transfer from the aim point must last > 0 s",
                             field="rendezvous.tpi_transfer_min", value=self.tpi_transfer_s)

    @property
    def port(self):
        return np.asarray(self.docking_port_lvlh_km, float)

    @property
    def aim_position(self):
        """LVLH position of the phasing aim point, km (z > 0: below the target)."""
        return np.array([-float(self.aim_behind_km), 0.0, float(self.aim_below_km)])

    def hold_position(self, k):
        """LVLH position of hold point k, km."""
        return self.port + np.array([-float(self.hold_distances_km[k]), 0.0, 0.0])

    @property
    def final_approach_duration_s(self):
        return float(self.hold_distances_km[-1]) / self.final_approach_speed_km_s

    @property
    def duration_s(self):
        """From the phasing aim point to contact, s."""
        return (self.tpi_transfer_s + float(sum(self.hold_durations_s))
                + float(sum(self.transfer_durations_s)) + self.final_approach_duration_s)


@dataclass(frozen=True)
class RendezvousConfig:
    """Everything the fast-rendezvous planner needs besides target, site and day.

    Attributes
    ----------
    insertion : InsertionOrbit
    approach : ApproachProfile
    max_duration_s : float
        Rendezvous duration limit, lift-off to docking, s.
    min_perigee_altitude_km : float or None
        Lowest perigee allowed in the phasing orbit (default: the insertion perigee).
    raan_offset : float or None
        Insertion-plane RAAN minus target RAAN, rad; None computes it from the
        differential J2 regression over the phasing (recommended).
    objective : {'earliest', 'min-dv'}
        Among feasible phasing designs: dock as early as possible, or spend the least
        delta-v.
    opportunity : {'first', 'ascending', 'descending'}
        Which of the day's in-plane opportunities to use: the first that yields a
        feasible plan, or the first feasible one of that direction.
    chaser, target : Spacecraft
        Mass and drag properties of each vehicle.
    force_model : ForceModel
        Forces used for both vehicles.
    max_element_age_days : float
        Warn (StaleDataWarning) if the target data are older or newer than this
        relative to the launch day.
    sample_step_s : float
        Output sampling of the flown trajectories, s.
    """

    insertion: InsertionOrbit = field(default_factory=InsertionOrbit)
    approach: ApproachProfile = field(default_factory=ApproachProfile)
    max_duration_s: float = 6.5 * 3600.0
    min_perigee_altitude_km: float | None = None
    raan_offset: float | None = None
    objective: str = "earliest"
    opportunity: str = "first"
    chaser: Spacecraft = field(default_factory=lambda: Spacecraft(
        "chaser", mass_kg=8000.0, drag_area_m2=12.0, drag_coefficient=2.2))
    target: Spacecraft = field(default_factory=lambda: Spacecraft(
        "target", mass_kg=36000.0, drag_area_m2=60.0, drag_coefficient=2.2))
    force_model: ForceModel = field(default_factory=ForceModel)
    max_element_age_days: float = 3.0
    sample_step_s: float = 20.0

    def __post_init__(self):
        for name, typ in (("insertion", InsertionOrbit), ("approach", ApproachProfile),
                          ("chaser", Spacecraft), ("target", Spacecraft),
                          ("force_model", ForceModel)):
            if not isinstance(getattr(self, name), typ):
                raise InputError(f"RendezvousConfig.{name} must be a {typ.__name__}, got "
                                 f"{type(getattr(self, name)).__name__}", field=name)
        if not (np.isfinite(self.sample_step_s) and 1.0 <= self.sample_step_s <= 600.0):
            raise InputError(f"output sampling step {self.sample_step_s} s outside 1..600 s",
                             field="output.sample_step_s", value=self.sample_step_s)
        if not (np.isfinite(self.max_element_age_days) and self.max_element_age_days > 0):
            raise InputError("max_element_age_days must be > 0", field="max_element_age_days",
                             value=self.max_element_age_days)
        if self.raan_offset is not None and not (np.isfinite(self.raan_offset)
                                                 and abs(self.raan_offset) < np.radians(10)):
            raise InputError(f"RAAN offset {np.degrees(self.raan_offset)} deg must be finite "
                             "and within 10 deg", field="rendezvous.raan_offset_deg",
                             value=np.degrees(self.raan_offset))
        if self.objective not in ("earliest", "min-dv"):
            raise InputError(f"objective must be 'earliest' or 'min-dv', got {self.objective!r}",
                             field="rendezvous.objective", value=self.objective)
        if self.opportunity not in ("first", "ascending", "descending"):
            raise InputError("opportunity must be 'first', 'ascending' or 'descending', got "
                             f"{self.opportunity!r}", field="launch.opportunity",
                             value=self.opportunity)
        if not (np.isfinite(self.max_duration_s) and 1800.0 <= self.max_duration_s <= 10 * 86400):
            raise InputError(f"rendezvous duration limit {self.max_duration_s / 3600:.2f} h "
                             "outside 0.5 h .. 10 days", field="rendezvous.max_duration_h",
                             value=self.max_duration_s / 3600)
        if self.min_perigee_altitude_km is not None and not (
                120.0 <= self.min_perigee_altitude_km <= self.insertion.apogee_altitude_km):
            raise InputError(f"minimum phasing perigee {self.min_perigee_altitude_km} km must lie "
                             "between 120 km and the insertion apogee "
                             f"({self.insertion.apogee_altitude_km} km)",
                             field="rendezvous.min_perigee_altitude_km",
                             value=self.min_perigee_altitude_km)


def _as_target(target, config):
    if isinstance(target, TargetEphemeris):
        return target
    if hasattr(target, "satrec") and hasattr(target, "propagate"):
        # a TLE: SGP4 staleness is judged by the planner itself against the launch day
        return TargetEphemeris.from_tle(target, max_age_days=1e9)
    raise InputError("target must be a TLE or a TargetEphemeris (e.g. "
                     "TargetEphemeris.from_state(...))", field="target", value=type(target))


def _unwrapped_u(r, v):
    """Argument of latitude along a trajectory, unwrapped (each state in its own plane)."""
    h = plane_normal(r, v)
    return np.unwrap(argument_of_latitude(r, h))


class _Context:
    """Shared state of one planning run (propagator, target trajectory, bookkeeping)."""

    def __init__(self, config, target_traj):
        self.cfg = config
        self.prop = NumericalPropagator(config.force_model)
        self.target = target_traj
        self.iterations = {}

    def target_state(self, epoch):
        return self.target.interpolate(epoch)

    def fly(self, epoch0, rv0, epoch1, dv_list):
        """Chaser states (m, 6) at epoch1 for m burn sets (each a list of (epoch, dv_lvlh))."""
        rv0 = np.atleast_2d(rv0)
        m = len(dv_list)
        mans = [[ImpulsiveManeuver(e, tuple(dv), "LVLH") for e, dv in lst] for lst in dv_list]
        with self.chaser_context():
            return self.prop.propagate_states(epoch0, np.repeat(rv0, m, axis=0), epoch1,
                                              spacecraft=[self.cfg.chaser] * m, maneuvers=mans)

    def chaser_context(self):
        """Context manager: a propagation failure of the chaser says what to check."""
        import contextlib

        cfg = self.cfg

        @contextlib.contextmanager
        def ctx():
            try:
                yield
            except PropagationError as exc:
                sc = cfg.chaser
                raise PropagationError(
                    f"chaser ({sc.name}): {exc}; check the insertion orbit "
                    f"({cfg.insertion.perigee_altitude_km:g} x "
                    f"{cfg.insertion.apogee_altitude_km:g} km) and the chaser's mass and drag "
                    f"({sc.mass_kg:g} kg, {sc.drag_area_m2:g} m^2, Cd {sc.drag_coefficient:g})",
                    codes=exc.codes) from None

        return ctx()

    def relative(self, epoch, rv):
        rt, vt = self.target_state(epoch)
        rv = np.atleast_2d(rv)
        return relative_state(rt, vt, rv[:, :3], rv[:, 3:])


def _insertion_state(opp, ins_cfg, target_rv, raan_offset):
    """Chaser GCRF state at insertion: perigee of the insertion orbit, in the offset plane."""
    from .launch import _rotate_z

    r_t, v_t = target_rv
    h = _rotate_z(plane_normal(r_t, v_t), raan_offset)
    node = np.cross([0.0, 0.0, 1.0], h)
    node /= np.linalg.norm(node)
    y = np.cross(h, node)
    u = opp.insertion_argument_of_latitude
    rhat = np.cos(u) * node + np.sin(u) * y
    that = np.cross(h, rhat)
    rp, ra = ins_cfg.perigee_radius, ins_cfg.apogee_radius
    a = 0.5 * (rp + ra)
    vp = np.sqrt(MU * (2.0 / rp - 1.0 / a))
    return np.r_[rp * rhat, vp * that]


def _raan_offset_for(design, ins, inc, a_target):
    """RAAN offset (rad) that cancels the differential secular regression up to arrival."""
    rp0, ra0, r1 = ins.perigee_radius, ins.apogee_radius, design.phasing_radius
    lo, hi = min(r1, ra0), max(r1, ra0)
    spans = [
        ((rp0 + ra0) / 2, (ra0 - rp0) / (ra0 + rp0), design.t_nc1),
        ((lo + hi) / 2, (hi - lo) / (hi + lo), design.t_nh - design.t_nc1),
    ]
    r_aim = a_target
    spans.append(((lo + r_aim) / 2, abs(r_aim - lo) / (r_aim + lo),
                  design.t_arrival - design.t_nh))
    _, _, rd_t = secular_rates(a_target, 0.0, inc, MU)
    drift = sum((secular_rates(a, e, inc, MU)[2] - rd_t) * dt for a, e, dt in spans)
    return -drift


def _design_for(opp, ins, cfg, t_launch, inc, target_traj):
    """Feasible phasing designs for an opportunity (list, best first)."""
    r_t, v_t = target_traj.r, target_traj.v
    u_t = _unwrapped_u(r_t, v_t)
    ts = target_traj.seconds
    radius = np.linalg.norm(r_t, axis=1)
    speed = np.linalg.norm(v_t, axis=1)
    t0 = float(target_traj.epoch[0] - opp.insertion_epoch)

    def tu(t):
        return float(np.interp(t - t0, ts, u_t) - np.interp(-t0, ts, u_t))

    def trad(t):
        return float(np.interp(t - t0, ts, radius))

    def tspd(t):
        return float(np.interp(t - t0, ts, speed))

    aim = cfg.approach.aim_position
    aim_angle = -aim[0] / radius[0]
    rp_min = WGS84_A_KM + (cfg.min_perigee_altitude_km if cfg.min_perigee_altitude_km
                           is not None else ins.perigee_altitude_km)
    t_max = (float(t_launch - opp.insertion_epoch) + cfg.max_duration_s
             - cfg.approach.duration_s)
    period0 = 2 * np.pi * np.sqrt((0.5 * (ins.perigee_radius + ins.apogee_radius)) ** 3 / MU)
    designs, bands = design_phasing(
        rp0=ins.perigee_radius, ra0=ins.apogee_radius, inclination=inc,
        phase0=opp.phase_angle, target_u=tu, target_radius=trad, target_speed=tspd,
        aim_angle=aim_angle, aim_below_km=float(aim[2]), mu=MU, rp_min=rp_min, t_max=t_max,
        max_revolutions=int(min(max(t_max / period0, 1.0), 400)) + 1)
    if cfg.objective == "earliest":
        designs.sort(key=lambda d: d.t_arrival)
    return designs, bands


def _phase_bands_text(bands):
    """Phase-angle intervals (rad) as text in degrees within [0, 360), merged."""
    pieces = []
    for lo, hi in bands:
        lo_d, hi_d = np.degrees(lo), np.degrees(hi)
        if hi_d - lo_d >= 360.0:
            return "all"
        if hi_d < 0.0 or lo_d >= 360.0:
            shift = -360.0 * np.floor(lo_d / 360.0)
            lo_d, hi_d = lo_d + shift, hi_d + shift
        if lo_d < 0.0:  # straddles 0: split
            pieces += [(lo_d + 360.0, 360.0), (0.0, hi_d)]
        elif hi_d > 360.0:
            pieces += [(lo_d, 360.0), (0.0, hi_d - 360.0)]
        else:
            pieces.append((lo_d, hi_d))
    pieces.sort()
    merged = []
    for lo, hi in pieces:
        if merged and lo <= merged[-1][1] + 0.05:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    merged = [(lo, hi) for lo, hi in merged if hi - lo >= 0.05]
    return ", ".join(f"{lo:.1f}-{hi:.1f}" for lo, hi in merged) or None


def _why_not(opp, bands, cfg):
    """One line saying why an opportunity has no phasing design, with what would work."""
    ph = np.degrees(opp.phase_angle)
    ok = _phase_bands_text(bands)
    head = (f"{opp.epoch.iso(0)} ({opp.direction}): the target is {ph:.1f} deg ahead at "
            "insertion; ")
    limits = (f"within the {cfg.max_duration_s / 3600:.2f} h limit (the approach from the aim "
              f"point takes {cfg.approach.duration_s / 3600:.2f} h)")
    if ok is None:
        return (head + f"with this insertion orbit no phasing reaches the aim point {limits}. "
                "Try a longer limit, a shorter approach or another insertion orbit.")
    return (head + f"with this insertion orbit the phasing reaches the aim point {limits} "
            f"only for phase angles of {ok} deg. Try another launch day (the phase angle "
            "changes by tens of degrees a day), another insertion orbit (a higher apogee "
            "catches up more slowly, a lower perigee faster), a longer limit or a shorter "
            "approach.")


def _refine_extremum(ctx, epoch0, rv0, t_guess, burns, kind, window=900.0):
    """Epoch of the radius extremum ('max' or 'min') within +-window s of t_guess."""
    with ctx.chaser_context():
        res = ctx.prop.propagate(
            epoch0, rv0[:3], rv0[3:],
            epochs=epoch0 + np.linspace(max(t_guess - window, 0.0), t_guess + window, 181),
            maneuvers=[ImpulsiveManeuver(e, tuple(dv), "LVLH") for e, dv in burns],
            spacecraft=ctx.cfg.chaser)
    traj = res.trajectory
    rr = np.linalg.norm(traj.r, axis=1)
    k = int(np.argmax(rr) if kind == "max" else np.argmin(rr))
    k = min(max(k, 1), len(rr) - 2)
    t = traj.seconds
    # parabola through the three samples around the extremum
    y0, y1, y2 = rr[k - 1], rr[k], rr[k + 1]
    den = y0 - 2 * y1 + y2
    frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return float(traj.epoch[0] - epoch0) + t[k] + frac * (t[k + 1] - t[k])


def plan_fast_rendezvous(target, site, day, config=None, *, progress=None):
    """Plan a launch and fast rendezvous with a target on a given day.

    Parameters
    ----------
    target : TLE or TargetEphemeris
        The target (a :class:`cosmoplan.tle.TLE` is propagated by SGP4 for the launch
        window and its state at insertion by the numerical propagator).
    site : GroundSite
        Launch site: a named one from :mod:`cosmoplan.sites` (``cp.sites.JIUQUAN``) or
        ``GroundSite.from_degrees(name, lat_deg, lon_deg, height_m)``.
    day : str or Epoch
        Launch day (UTC), e.g. ``"2021-06-17"``; its whole day is searched.
    config : RendezvousConfig, optional
        Insertion orbit, approach profile, duration limit, vehicles and force model.
        The default is a Shenzhou-like fast rendezvous: insertion 200 x 350 km 15 deg
        downrange 573 s after lift-off, phasing to 20 km behind / 10 km below the target,
        hold points at 5 km, 400 m, 200 m, 19 m, docking within 6.5 h, EGM96 J2..J6 and
        Harris-Priester drag (see :class:`RendezvousConfig` and its parts).
    progress : callable, optional
        ``progress(stage, fraction)`` called as the planner advances (for progress bars).

    Returns
    -------
    RendezvousPlan

    Raises
    ------
    PlanningError
        No in-plane opportunity (site latitude above the inclination), or no opportunity
        whose phasing docks within the duration limit; the message says why for each.
    ConvergenceError
        A corrector failed to converge (its residual and unknowns are in the message).
    """
    cfg = RendezvousConfig() if config is None else config
    if not isinstance(cfg, RendezvousConfig):
        raise InputError(f"config must be a RendezvousConfig, got {type(cfg).__name__}",
                         field="config", value=cfg)
    if progress is not None and not callable(progress):
        raise InputError("progress must be a callable progress(stage, fraction)",
                         field="progress", value=progress)
    if not isinstance(site, GroundSite):
        raise InputError("site must be a GroundSite (see cosmoplan.sites)", field="site",
                         value=site)
    prog = progress or (lambda stage, frac: None)
    tgt = _as_target(target, cfg)
    day_epoch = Epoch.coerce(day, "utc", field="launch.day")
    tgt.check_span(day_epoch)
    y, mo, d, *_ = day_epoch.calendar(0)
    day_start = Epoch.from_calendar(int(y), int(mo), int(d), scale="utc")
    day_str = day_start.iso(0)[:10]
    notes = []
    age = abs(float(day_start + 43200.0 - tgt.reference_epoch)) / 86400.0
    if age > cfg.max_element_age_days:
        msg = (f"target data ({tgt.source}) are {age:.1f} days from the launch day {day_str}; "
               "the target may have manoeuvred since, so its phase (and, less, its plane) "
               "may be wrong")
        warnings.warn(msg, StaleDataWarning, stacklevel=2)
        notes.append(msg)
    ins = cfg.insertion
    prog("launch window", 0.0)

    # ---------------------------------------------------------------- launch window
    # In-plane opportunities (no RAAN offset): what the day offers, for the report.
    in_plane = launch_opportunities(tgt, site, day_start,
                                    ascent_duration_s=ins.ascent_duration_s,
                                    ascent_range=ins.ascent_range, raan_offset=0.0)
    opps = in_plane if not cfg.raan_offset else launch_opportunities(
        tgt, site, day_start, ascent_duration_s=ins.ascent_duration_s,
        ascent_range=ins.ascent_range, raan_offset=cfg.raan_offset)
    reasons = []
    chosen = None
    span = cfg.max_duration_s + 3600.0

    def target_traj(o):
        r_t, v_t = tgt.states(o.insertion_epoch)
        inc = float(np.arccos(plane_normal(r_t, v_t)[2]))
        try:
            traj = NumericalPropagator(cfg.force_model).propagate(
                o.insertion_epoch, r_t, v_t, duration_s=span, step_s=30.0,
                spacecraft=cfg.target, name=tgt.name).trajectory
        except PropagationError as exc:
            sc = cfg.target
            raise PropagationError(
                f"target ({tgt.name}, {tgt.source}) propagated from insertion: {exc}; check "
                f"its state or element set and its mass and drag ({sc.mass_kg:g} kg, "
                f"{sc.drag_area_m2:g} m^2)", codes=exc.codes) from None
        return traj, inc

    for opp in opps:
        if cfg.opportunity in ("ascending", "descending") and opp.direction != cfg.opportunity:
            reasons.append(f"{opp.epoch.iso(0)} ({opp.direction}): not {cfg.opportunity}")
            continue
        ttraj, inc = target_traj(opp)
        designs, bands = _design_for(opp, ins, cfg, opp.epoch, inc, ttraj)
        if not designs:
            reasons.append(_why_not(opp, bands, cfg))
            continue
        design = designs[0]
        if cfg.raan_offset is None:
            # Launch into the plane offset by the differential regression, then redesign.
            a_t = float(np.mean(np.linalg.norm(ttraj.r, axis=1)))
            offset = _raan_offset_for(design, ins, inc, a_t)
            again = launch_opportunities(
                tgt, site, day_start, ascent_duration_s=ins.ascent_duration_s,
                ascent_range=ins.ascent_range, raan_offset=offset)
            match = [o for o in again if abs(float(o.epoch - opp.epoch)) < 1800.0
                     and o.direction == opp.direction]
            if match:
                ttraj2, inc2 = target_traj(match[0])
                designs2, _ = _design_for(match[0], ins, cfg, match[0].epoch, inc2, ttraj2)
                if designs2:
                    opp, design, ttraj, inc = match[0], designs2[0], ttraj2, inc2
        chosen = (opp, design, ttraj, inc)
        break
    if chosen is None:
        raise PlanningError(
            f"no launch opportunity on {day_str} from {site.name} satisfies the rendezvous "
            f"duration limit of {cfg.max_duration_s / 3600:.2f} h:\n  - "
            + "\n  - ".join(reasons))
    opp, design, ttraj, inc = chosen
    t_launch, t_ins = opp.epoch, opp.insertion_epoch
    ctx = _Context(cfg, ttraj)
    prog("phasing", 0.1)

    # ---------------------------------------------------------------- insertion
    rv_ins = _insertion_state(opp, ins, tgt.states(t_ins), opp.raan_offset)

    # ---------------------------------------------------------------- phasing
    ap = cfg.approach
    burns, events = [], []
    events.append(TimelineEvent(t_launch, "lift-off",
                                f"{site.name}, {opp.direction}, launch azimuth "
                                f"{np.degrees(opp.launch_azimuth):.2f} deg"))
    events.append(TimelineEvent(
        t_ins, "insertion",
        f"{ins.perigee_altitude_km:.0f} x {ins.apogee_altitude_km:.0f} km, target "
        f"{np.degrees(opp.phase_angle):.2f} deg ahead",
        float(np.linalg.norm(ctx.relative(t_ins, rv_ins)[0]))))
    t_nc1 = _refine_extremum(ctx, t_ins, rv_ins, design.t_nc1, [], "max")
    e_nc1 = t_ins + t_nc1
    t_nh = _refine_extremum(ctx, t_ins, rv_ins, design.t_nh,
                            [(e_nc1, (design.dv_nc1, 0.0, 0.0))], "min")
    e_nh = t_ins + t_nh
    r1, ra0 = design.phasing_radius, ins.apogee_radius
    period1 = 2 * np.pi / secular_rates(0.5 * (r1 + ra0), abs(ra0 - r1) / (ra0 + r1), inc,
                                        MU)[0]
    e_npc = t_ins + (t_nh - 0.25 * period1)
    e_arr = t_ins + design.t_arrival
    aim_b = ap.aim_position
    rt_arr, vt_arr = ctx.target_state(e_arr)

    def phasing_residual(x):
        sets = [[(e_nc1, (xi[0], 0.0, 0.0)), (e_npc, (0.0, xi[1], 0.0)),
                 (e_nh, (xi[2], 0.0, 0.0))] for xi in x]
        rv = ctx.fly(t_ins, rv_ins, e_arr, sets)
        rho, _ = relative_state(rt_arr, vt_arr, rv[:, :3], rv[:, 3:])
        return rho - aim_b

    x0 = np.array([design.dv_nc1, 0.0, design.dv_nh])
    x, info = newton_solve(phasing_residual, x0, step=1e-6, tol=1e-6, max_iter=25,
                           what="phasing (NC1, NPC, NH) to the aim point",
                           units="km (miss at the aim point); unknowns: NC1, NPC, NH dv, km/s",
                           advice="try another insertion orbit, ascent range or launch day, "
                                  "or move the aim point")
    ctx.iterations["phasing"] = info["iterations"]
    kind = "perigee" if design.family == "A" else "apogee"
    phasing_burns = [("NC1", e_nc1, np.array([x[0], 0.0, 0.0]),
                      f"sets the phasing orbit's {kind} (how fast the chaser catches up)"),
                     ("NPC", e_npc, np.array([0.0, x[1], 0.0]),
                      "out-of-plane correction, a quarter revolution before NH"),
                     ("NH", e_nh, np.array([x[2], 0.0, 0.0]),
                      f"raises the apogee to {ap.aim_below_km:g} km below the target")]
    rv = rv_ins.copy()
    t_prev = t_ins
    for name, ep, dv, purpose in phasing_burns:
        rv = ctx.fly(t_prev, rv, ep, [[]])[0]
        m = lvlh_matrix(rv[:3], rv[3:])
        dvg = m.T @ dv
        rv[3:] += dvg
        burns.append(Burn(name, ep, dv, dvg, "phasing", purpose))
        t_prev = ep
    rv = ctx.fly(t_prev, rv, e_arr, [[]])[0]
    events.append(TimelineEvent(e_arr, "aim point reached",
                                f"{ap.aim_behind_km:g} km behind, {ap.aim_below_km:g} km below",
                                float(np.linalg.norm(ctx.relative(e_arr, rv)[0]))))
    # TPI: from the aim point to hold point 1; TPF stops there.
    t_h1 = e_arr + ap.tpi_transfer_s
    rv, dv1 = _transfer(ctx, e_arr, rv, t_h1, ap.hold_position(0), "transfer to hold point 1")
    burns.append(Burn("TPI", e_arr, dv1[0], dv1[1], "phasing",
                      "terminal phase initiation: from the aim point up to hold point 1"))
    rv, dv_lvlh, dvg = _stop_at(ctx, t_h1, rv, np.zeros(3))
    burns.append(Burn("TPF", t_h1, dv_lvlh, dvg, "phasing",
                      "terminal phase final: stops at hold point 1 (V-bar hold)"))
    events.append(TimelineEvent(t_h1, "arrival at hold point 1",
                                f"{ap.hold_distances_km[0] * 1e3:.0f} m behind the port",
                                float(np.linalg.norm(ctx.relative(t_h1, rv)[0]))))
    e_arr = t_h1
    prog("approach", 0.5)

    # ---------------------------------------------------------------- approach
    t_now = e_arr
    nhold = len(ap.hold_distances_km)
    for k in range(nhold - 1):
        t_dep = t_now + float(ap.hold_durations_s[k])
        rv = ctx.fly(t_now, rv, t_dep, [[]])[0]
        t_arr = t_dep + float(ap.transfer_durations_s[k])
        aim = ap.hold_position(k + 1)
        events.append(TimelineEvent(t_dep, f"leave hold point {k + 1}",
                                    f"{ap.hold_distances_km[k] * 1e3:.0f} m",
                                    float(np.linalg.norm(ctx.relative(t_dep, rv)[0]))))
        rv, dv1 = _transfer(ctx, t_dep, rv, t_arr, aim, f"transfer to hold point {k + 2}")
        burns.append(Burn(f"TA{k + 1}", t_dep, dv1[0], dv1[1], "approach",
                          f"departs hold point {k + 1} for hold point {k + 2} "
                          f"({ap.hold_distances_km[k + 1] * 1e3:.0f} m)"))
        rv, dv_lvlh, dvg = _stop_at(ctx, t_arr, rv, np.zeros(3))
        burns.append(Burn(f"TB{k + 1}", t_arr, dv_lvlh, dvg, "approach",
                          f"stops at hold point {k + 2}"))
        events.append(TimelineEvent(t_arr, f"arrival at hold point {k + 2}",
                                    f"{ap.hold_distances_km[k + 1] * 1e3:.0f} m behind the port",
                                    float(np.linalg.norm(ctx.relative(t_arr, rv)[0]))))
        t_now = t_arr
        prog("approach", 0.5 + 0.3 * (k + 1) / max(nhold - 1, 1))

    # ---------------------------------------------------------------- final approach
    t_dep = t_now + float(ap.hold_durations_s[-1])
    rv = ctx.fly(t_now, rv, t_dep, [[]])[0]
    t_dock = t_dep + ap.final_approach_duration_s
    aim_v = np.array([ap.final_approach_speed_km_s, 0.0, 0.0])
    rv_dock, fa_burns = _final_approach(ctx, t_dep, rv, t_dock, ap.port, aim_v)
    for name, ep, dvl, dvg, purpose in fa_burns:
        burns.append(Burn(name, ep, dvl, dvg, "final approach", purpose))
    events.append(TimelineEvent(t_dep, f"leave hold point {nhold}",
                                f"{ap.hold_distances_km[-1] * 1e3:.0f} m, final approach at "
                                f"{ap.final_approach_speed_km_s * 1e3:.2f} m/s",
                                float(np.linalg.norm(ctx.relative(t_dep, rv)[0]))))
    events.append(TimelineEvent(t_dock, "docking", "contact at the docking port",
                                float(np.linalg.norm(ctx.relative(t_dock, rv_dock)[0]))))
    prog("flying the plan", 0.85)

    # ---------------------------------------------------------------- fly the whole plan
    mans = [ImpulsiveManeuver(b.epoch, tuple(b.dv_lvlh), "LVLH", b.name) for b in burns]
    duration = float(t_dock - t_ins)
    with ctx.chaser_context():
        res = ctx.prop.propagate(t_ins, rv_ins[:3], rv_ins[3:], duration_s=duration,
                                 step_s=cfg.sample_step_s, maneuvers=mans, spacecraft=cfg.chaser,
                                 name="chaser")
    chaser = res.trajectory
    rt, vt = ctx.target_state(chaser.epoch)
    from ..trajectory import Trajectory

    target_out = Trajectory(chaser.epoch, rt, vt, frame="GCRF", name=tgt.name)
    rho, rho_dot = relative_state(rt, vt, chaser.r, chaser.v)
    final_rho, final_rho_dot = rho[-1], rho_dot[-1]
    before = chaser.seconds < float(e_arr - t_ins) - 1e-6  # before arrival at hold point 1
    min_rng = float(np.min(np.linalg.norm(rho[before], axis=1))) if np.any(before) else None
    max_x = float(np.max(rho[before, 0])) if np.any(before) else None
    if max_x is not None and (max_x > -0.5 * ap.hold_distances_km[0]
                              or min_rng < 0.5 * ap.hold_distances_km[0]):
        msg = (f"before hold point 1 the chaser comes within {min_rng:.2f} km of the target "
               f"(largest V-bar x {max_x:.2f} km{', ahead of it' if max_x > 0 else ''}): not a "
               "passively safe approach; move the aim point further behind and below, or "
               "review the insertion orbit")
        warnings.warn(msg, PlanningWarning, stacklevel=2)
        notes.append(msg)
    # events: sort by time
    events.sort(key=lambda e: float(e.epoch - t_launch))
    burn_events = [TimelineEvent(b.epoch, f"burn {b.name}", f"{b.magnitude * 1e3:.2f} m/s")
                   for b in burns]
    events = sorted(events + burn_events, key=lambda e: float(e.epoch - t_launch))
    prog("done", 1.0)
    return RendezvousPlan(
        target_name=tgt.name, target_source=tgt.source, site=site, day=day_str,
        opportunities=in_plane, opportunity=opp, config=cfg,
        force_model=cfg.force_model.describe(), launch_epoch=t_launch, insertion_epoch=t_ins,
        insertion_r=rv_ins[:3], insertion_v=rv_ins[3:], docking_epoch=t_dock, burns=burns,
        events=events, aim_position=ap.port, aim_velocity=aim_v,
        final_relative_position=final_rho, final_relative_velocity=final_rho_dot,
        chaser=chaser, target=target_out, relative_position=rho, relative_velocity=rho_dot,
        design=design, chaser_arcs=res.arcs, min_range_before_hold1_km=min_rng,
        max_vbar_before_hold1_km=max_x, corrector_iterations=ctx.iterations,
        warnings=notes)


def _stop_at(ctx, epoch, rv, rho_dot_aim):
    """Burn that sets the relative velocity (target LVLH) to rho_dot_aim; returns new rv."""
    rt, vt = ctx.target_state(epoch)
    rho, _ = relative_state(rt, vt, rv[:3], rv[3:])
    _, v_new = absolute_state(rt, vt, rho, rho_dot_aim)
    dvg = v_new - rv[3:]
    out = rv.copy()
    out[3:] = v_new
    dv_lvlh = lvlh_matrix(rv[:3], rv[3:]) @ dvg
    return out, dv_lvlh, dvg


def _n_target(ctx, epoch):
    rt, vt = ctx.target_state(epoch)
    return float(np.linalg.norm(np.cross(rt, vt)) / np.dot(rt, rt))


def _transfer(ctx, t_dep, rv, t_arr, aim, what):
    """Departure burn (chaser LVLH) that brings the chaser to ``aim`` at t_arr; HCW guess."""
    rt, vt = ctx.target_state(t_dep)
    rho0, rho_dot0 = relative_state(rt, vt, rv[:3], rv[3:])
    dt = float(t_arr - t_dep)
    dv_rel, _ = hcw_two_impulse(_n_target(ctx, t_dep), dt, rho0, rho_dot0, aim)
    # relative-velocity change (target LVLH) -> inertial -> chaser LVLH
    m_t = lvlh_matrix(rt, vt)
    m_c = lvlh_matrix(rv[:3], rv[3:])
    x0 = m_c @ (m_t.T @ dv_rel)
    rt_a, vt_a = ctx.target_state(t_arr)

    def residual(x):
        out = ctx.fly(t_dep, rv, t_arr, [[(t_dep, xi)] for xi in x])
        rho, _ = relative_state(rt_a, vt_a, out[:, :3], out[:, 3:])
        return rho - aim

    x, info = newton_solve(residual, x0, step=1e-7, tol=1e-6, max_iter=15, what=what,
                           units="km (miss distance); unknowns: departure dv, km/s, chaser LVLH",
                           advice="give this transfer more (or less) time")
    ctx.iterations[what] = info["iterations"]
    dvg = m_c.T @ x
    out = ctx.fly(t_dep, rv, t_arr, [[(t_dep, x)]])[0]
    return out, (x, dvg)


def _final_approach(ctx, t_dep, rv, t_dock, port, aim_v):
    """Departure + mid-course burns that meet the port with the closing velocity."""
    t_mid = t_dep + 0.5 * float(t_dock - t_dep)
    rt, vt = ctx.target_state(t_dep)
    rho0, rho_dot0 = relative_state(rt, vt, rv[:3], rv[3:])
    n = _n_target(ctx, t_dep)
    dt = float(t_dock - t_dep)
    dv1, _ = hcw_two_impulse(n, dt, rho0, rho_dot0, port)
    m_t = lvlh_matrix(rt, vt)
    m_c = lvlh_matrix(rv[:3], rv[3:])
    x0 = np.r_[m_c @ (m_t.T @ dv1), 0.0, 0.0, 0.0]
    rt_d, vt_d = ctx.target_state(t_dock)
    target = np.r_[port, aim_v]

    def residual(x):
        out = ctx.fly(t_dep, rv, t_dock, [[(t_dep, xi[:3]), (t_mid, xi[3:])] for xi in x])
        rho, rho_dot = relative_state(rt_d, vt_d, out[:, :3], out[:, 3:])
        return np.hstack([rho, rho_dot * 1e3]) - np.r_[target[:3], target[3:] * 1e3]

    x, info = newton_solve(residual, x0, step=1e-7, tol=1e-6, max_iter=15,
                           what="final approach to the docking port",
                           units="(km, m/s) miss at contact; unknowns: dv, km/s",
                           advice="change the final approach speed or the last hold distance")
    ctx.iterations["final approach"] = info["iterations"]
    rv1 = rv.copy()
    dvg1 = m_c.T @ x[:3]
    rv1[3:] += dvg1
    rv_mid = ctx.fly(t_dep, rv1, t_mid, [[]])[0]
    m_mid = lvlh_matrix(rv_mid[:3], rv_mid[3:])
    dvg2 = m_mid.T @ x[3:]
    rv_mid[3:] += dvg2
    rv_dock = ctx.fly(t_mid, rv_mid, t_dock, [[]])[0]
    burns = [("FA1", t_dep, x[:3], dvg1, "starts the straight-line final approach on V-bar"),
             ("FA2", t_mid, x[3:], dvg2, "mid-course correction: contact at the closing speed")]
    return rv_dock, burns

