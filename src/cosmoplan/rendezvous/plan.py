"""Result objects of the rendezvous planner: burns, timeline and the plan itself.

A :class:`RendezvousPlan` is plain data plus conversions: ``to_dict()`` (the content of
``plan.json``), ``maneuvers()`` (the burn table as
:class:`~cosmoplan.propagator.ImpulsiveManeuver` objects, to fly it again), and the
trajectories. Rendering (tables, plots, OEM files) lives in :mod:`cosmoplan.report`;
the plan never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..propagator import ImpulsiveManeuver
from ..time import Epoch

__all__ = ["Burn", "TimelineEvent", "RendezvousPlan"]


@dataclass(frozen=True)
class Burn:
    """One impulsive manoeuvre of the plan.

    Attributes
    ----------
    name : str
        Short label (NC1, NPC, NH, NCC, TA1, ...).
    epoch : Epoch
        Epoch of the burn (UTC).
    dv_lvlh : ndarray, shape (3,)
        Delta-v in the chaser's LVLH frame at the burn (x V-bar, y -H-bar, z R-bar), km/s.
    dv_gcrf : ndarray, shape (3,)
        The same delta-v in GCRF, km/s.
    phase : str
        ``'phasing'``, ``'approach'`` or ``'final approach'``.
    purpose : str
        What the burn does, in words.
    """

    name: str
    epoch: Epoch
    dv_lvlh: np.ndarray
    dv_gcrf: np.ndarray
    phase: str
    purpose: str

    @property
    def magnitude(self):
        """|dv|, km/s."""
        return float(np.linalg.norm(self.dv_gcrf))

    def to_dict(self):
        return {
            "name": self.name,
            "epoch_utc": self.epoch.utc.iso(6),
            "phase": self.phase,
            "purpose": self.purpose,
            "dv_lvlh_m_s": {"vbar_x": float(self.dv_lvlh[0] * 1e3),
                            "hbar_y": float(self.dv_lvlh[1] * 1e3),
                            "rbar_z": float(self.dv_lvlh[2] * 1e3)},
            "dv_gcrf_m_s": [float(x * 1e3) for x in self.dv_gcrf],
            "dv_magnitude_m_s": self.magnitude * 1e3,
        }


@dataclass(frozen=True)
class TimelineEvent:
    """An event of the timeline (insertion, burn, arrival at a hold point, docking)."""

    epoch: Epoch
    event: str
    detail: str = ""
    range_km: float | None = None

    def to_dict(self):
        return {"epoch_utc": self.epoch.utc.iso(3), "event": self.event, "detail": self.detail,
                "range_m": None if self.range_km is None else float(self.range_km * 1e3)}


@dataclass
class RendezvousPlan:
    """A fast-rendezvous plan: launch, insertion, burns, timeline, trajectories.

    Positions km, velocities km/s, angles rad, epochs :class:`~cosmoplan.time.Epoch`
    (UTC for display). Relative states are in the target's LVLH frame (x V-bar,
    y -H-bar, z R-bar; Fehse 2003). ``chaser`` and ``target`` are GCRF
    :class:`~cosmoplan.trajectory.Trajectory` objects sampled together; ``chaser_arcs``
    are the chaser's ballistic arcs between burns (one OEM segment each).
    """

    target_name: str
    target_source: str
    site: object
    day: str
    opportunities: list
    opportunity: object
    config: object
    force_model: str
    launch_epoch: Epoch
    insertion_epoch: Epoch
    insertion_r: np.ndarray
    insertion_v: np.ndarray
    docking_epoch: Epoch
    burns: list
    events: list
    aim_position: np.ndarray
    aim_velocity: np.ndarray
    final_relative_position: np.ndarray
    final_relative_velocity: np.ndarray
    chaser: object
    target: object
    relative_position: np.ndarray
    relative_velocity: np.ndarray
    design: object
    chaser_arcs: list = field(default_factory=list)
    min_range_before_hold1_km: float | None = None
    max_vbar_before_hold1_km: float | None = None
    corrector_iterations: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    # --------------------------------------------------------------- derived
    @property
    def total_dv(self):
        """Sum of |dv| over all burns, km/s."""
        return float(sum(b.magnitude for b in self.burns))

    def dv_by_phase(self):
        """Total |dv| per phase ('phasing', 'approach', 'final approach'), km/s."""
        out = {}
        for b in self.burns:
            out[b.phase] = out.get(b.phase, 0.0) + b.magnitude
        return out

    @property
    def closest_approach(self):
        """One line on the passive-safety geometry before hold point 1 (or None)."""
        if self.min_range_before_hold1_km is None:
            return None
        side = ("stays behind the target" if self.max_vbar_before_hold1_km < 0
                else "passes AHEAD of the target")
        return (f"before hold point 1 the chaser {side} (largest V-bar x "
                f"{self.max_vbar_before_hold1_km:.2f} km) and comes no closer than "
                f"{self.min_range_before_hold1_km:.2f} km")

    @property
    def duration_s(self):
        """Launch to docking, s."""
        return float(self.docking_epoch - self.launch_epoch)

    @property
    def final_position_error(self):
        """|final relative position - aim|, km."""
        return float(np.linalg.norm(self.final_relative_position - self.aim_position))

    @property
    def final_velocity_error(self):
        """|final relative velocity - aim|, km/s."""
        return float(np.linalg.norm(self.final_relative_velocity - self.aim_velocity))

    def table(self):
        """The plan as rich tables (summary, burns, timeline): ``rich.print(plan.table())``."""
        from rich.console import Group

        from ..report.tables import burns_table, opportunities_table, summary_table, timeline_table

        return Group(opportunities_table(self.opportunities, self.opportunity),
                     summary_table(self), burns_table(self), timeline_table(self))

    def plot(self, outdir=None):
        """Plots of the plan: written as PNGs into ``outdir`` (paths returned), or, without
        it, returned as matplotlib Figures (relative approach, altitudes, ground track)."""
        from ..report import plots

        if outdir is not None:
            return plots.plot_all(self, outdir)
        return [plots.plot_relative_approach(self), plots.plot_altitudes(self),
                plots.plot_ground_track(self)]

    def maneuvers(self):
        """The burn table as ImpulsiveManeuver objects (chaser LVLH), in time order."""
        return [ImpulsiveManeuver(b.epoch, tuple(b.dv_lvlh), "LVLH", b.name) for b in self.burns]

    # --------------------------------------------------------------- export
    def to_dict(self):
        """JSON-ready content of ``plan.json`` (SI display units: m, m/s, deg)."""
        opp = self.opportunity
        cfg = self.config
        return {
            "format": "cosmoplan rendezvous plan 1",
            "target": {"name": self.target_name, "source": self.target_source},
            "site": {"name": self.site.name, "latitude_deg": self.site.lat_deg,
                     "longitude_deg": self.site.lon_deg,
                     "height_m": self.site.height_km * 1e3},
            "day": self.day,
            "launch_epoch_utc": self.launch_epoch.utc.iso(3),
            "insertion_epoch_utc": self.insertion_epoch.utc.iso(6),
            "docking_epoch_utc": self.docking_epoch.utc.iso(6),
            "launch_to_docking_s": self.duration_s,
            "launch_opportunity": _opportunity_dict(opp),
            "launch_opportunities": [_opportunity_dict(o) for o in self.opportunities],
            "insertion_state_gcrf": {
                "epoch_utc": self.insertion_epoch.utc.iso(6),
                "r_km": [float(x) for x in self.insertion_r],
                "v_km_s": [float(x) for x in self.insertion_v],
            },
            "insertion_orbit": {
                "perigee_altitude_km": cfg.insertion.perigee_altitude_km,
                "apogee_altitude_km": cfg.insertion.apogee_altitude_km,
                "ascent_duration_s": cfg.insertion.ascent_duration_s,
                "ascent_range_deg": float(np.degrees(cfg.insertion.ascent_range)),
            },
            "force_model": self.force_model,
            "burns": [b.to_dict() for b in self.burns],
            "timeline": [e.to_dict() for e in self.events],
            "totals": {
                "delta_v_m_s": self.total_dv * 1e3,
                "delta_v_by_phase_m_s": {k.replace(" ", "_"): v * 1e3
                                         for k, v in self.dv_by_phase().items()},
                "burn_count": len(self.burns),
            },
            "docking": {
                "aim_position_lvlh_m": [float(x * 1e3) for x in self.aim_position],
                "aim_velocity_lvlh_m_s": [float(x * 1e3) for x in self.aim_velocity],
                "final_position_lvlh_m": [float(x * 1e3) for x in self.final_relative_position],
                "final_velocity_lvlh_m_s": [float(x * 1e3)
                                            for x in self.final_relative_velocity],
                "position_error_m": self.final_position_error * 1e3,
                "velocity_error_m_s": self.final_velocity_error * 1e3,
            },
            "safety": {
                "min_range_before_hold_point_1_km": self.min_range_before_hold1_km,
                "max_vbar_x_before_hold_point_1_km": self.max_vbar_before_hold1_km,
            },
            "analytic_first_guess": {
                "phasing_revolutions": self.design.revolutions,
                "phasing_family": self.design.family,
                "phasing_orbit_far_apsis_altitude_km": self.design.phasing_radius - 6378.137,
                "delta_v_m_s": self.design.total_dv * 1e3,
            },
            "corrector_iterations": {k.replace(" ", "_"): v
                                     for k, v in self.corrector_iterations.items()},
            "warnings": list(self.warnings),
        }


def _opportunity_dict(o):
    return {
        "liftoff_utc": o.epoch.utc.iso(3),
        "insertion_utc": o.insertion_epoch.utc.iso(3),
        "direction": o.direction,
        "inertial_azimuth_deg": float(np.degrees(o.inertial_azimuth)),
        "launch_azimuth_deg": float(np.degrees(o.launch_azimuth)),
        "raan_offset_deg": float(np.degrees(o.raan_offset)),
        "target_phase_angle_deg": float(np.degrees(o.phase_angle)),
    }
