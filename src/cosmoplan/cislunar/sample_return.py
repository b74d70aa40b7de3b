"""A lunar sample return end to end (Chang'e-5 class): launch to Earth entry.

:func:`plan_sample_return` strings the legs together in the full ephemeris model of
:mod:`cosmoplan.cislunar.dynamics`:

1. lift-off, parking orbit and trans-lunar injection targeted to a lunar periapsis of given
   altitude, inclination and epoch, with a mid-course correction after a dispersed
   injection (:mod:`~cosmoplan.cislunar.translunar`);
2. lunar orbit insertion (capture, then a near-circular parking orbit);
3. the lunar parking orbit flown forward; the **landing and ascent epochs** are where the
   landing site crosses the orbit plane. By default the inclination is chosen so that the
   site lies in the plane both at landing and at lift-off, ``surface_stay_s`` apart: the site
   must then sit near the northern (or southern) vertex of the ground track, at latitude
   phi with the orbit reaching i = atan(tan(phi) / cos(omega_moon stay / 2)) (spherical
   trigonometry of the plane's latitude at a longitude offset from its vertex; omega_moon
   the Moon's sidereal rotation), so that neither the descent nor the ascent needs a plane
   change;
4. descent (DOI, linear-tangent braking from the perilune, terminal phase) and ascent
   (linear-tangent steering
   to a low ellipse) as delta-v budgets with timing (:mod:`~cosmoplan.cislunar.landing`);
5. lunar-orbit rendezvous of the orbiter with the ascender: phasing and HCW terminal
   approach (:mod:`~cosmoplan.cislunar.lunar_rendezvous`);
6. trans-Earth injection targeted to the Earth entry interface (altitude, flight-path angle,
   landing-site ground track and range) after a return-window search, with a trajectory
   correction, and the entry state of a skip re-entry (:mod:`~cosmoplan.cislunar.earth_return`).

The result is a :class:`MissionTimeline`: legs, burns (epoch, delta-v, frame, vehicle,
mass before and after by the rocket equation with each engine's Isp), totals, plots and
OEM export of each leg.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, PlanningError
from .dynamics import CislunarForceModel, _real, change_centre, lunar_elements, propagate
from .translunar import (
    LaunchGeometry,
    TransferTarget,
    lunar_orbit_insertion,
    midcourse_correction,
    target_lunar_arrival,
)

__all__ = ["Vehicle", "SampleReturnConfig", "MissionBurn", "MissionLeg", "MissionTimeline",
           "plan_sample_return", "vertex_inclination", "MOON_SIDEREAL_RATE_RAD_S"]

G0_M_S2 = 9.80665
"""Standard gravity, m/s^2 (rocket equation with Isp in seconds)."""

MOON_SIDEREAL_RATE_RAD_S = 2.0 * math.pi / (27.321661 * 86400.0)
"""Mean sidereal rotation rate of the Moon, rad/s (27.321661 d; Simon et al. 1994,
A&A 282, 663)."""

_MOON_R = 1737.4
_MOON_MU_SURFACE_G = 4902.800066 / _MOON_R ** 2 * 1e3
"""Lunar surface gravity, m/s^2 (DE421 GM over the mean radius squared: 1.624)."""


@dataclass(frozen=True)
class Vehicle:
    """A vehicle of the stack: wet mass at launch, dry mass, main engine.

    Attributes
    ----------
    name : str
    mass_kg : float
        Wet mass at launch (propellant included), kg.
    dry_mass_kg : float
        Mass with empty tanks, kg (the budget fails if a burn would go below it).
    thrust_n : float
        Main-engine thrust, N.
    isp_s : float
        Main-engine specific impulse, s.
    """

    name: str
    mass_kg: float
    dry_mass_kg: float
    thrust_n: float
    isp_s: float

    def __post_init__(self):
        for f in ("mass_kg", "dry_mass_kg", "thrust_n", "isp_s"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or v <= 0:
                raise InputError(f"vehicle {self.name!r}: {f} must be a positive number, got "
                                 f"{v!r}", field=f, value=v)
        if self.dry_mass_kg >= self.mass_kg:
            raise InputError(f"vehicle {self.name!r}: dry mass {self.dry_mass_kg} kg is not "
                             f"below the wet mass {self.mass_kg} kg", field="dry_mass_kg",
                             value=self.dry_mass_kg)


def vertex_inclination(latitude, stay_s):
    """Inclination (rad) that puts a site of ``latitude`` (rad) in the orbit plane both at
    landing and at lift-off ``stay_s`` later, the Moon turning at its sidereal rate
    (module docstring): i = atan(tan|phi| / cos(omega stay / 2)); a polar orbit (pi/2) for
    a site at a pole.

    Raises InputError for a stay of half a sidereal month or more (the site would be on
    the far side of the plane's swing)."""
    lat = _real(latitude)
    if not (math.isfinite(lat) and abs(lat) <= math.pi / 2):
        raise InputError(f"landing site latitude {latitude!r}: expected a number of radians "
                         "in -pi/2 .. pi/2 (degrees by mistake?)", field="surface.lat_deg",
                         value=latitude)
    stay = _real(stay_s)
    if not (math.isfinite(stay) and stay > 0.0):
        raise InputError(f"surface stay {stay_s!r}: expected a positive number of seconds",
                         field="surface.stay_hours", value=stay_s)
    latitude = lat
    half = 0.5 * MOON_SIDEREAL_RATE_RAD_S * stay
    if not 0.0 <= half < math.pi / 2:
        limit_h = math.pi / MOON_SIDEREAL_RATE_RAD_S / 3600.0
        raise InputError(f"a surface stay of {stay_s / 3600.0:g} h: the vertex design needs "
                         f"less than half a sidereal month ({limit_h:.0f} h); shorten the "
                         "stay or give the lunar orbit inclination",
                         field="surface.stay_hours", value=stay_s / 3600.0)
    return math.atan2(math.sin(abs(latitude)), math.cos(abs(latitude)) * math.cos(half))


@dataclass
class SampleReturnConfig:
    """Everything :func:`plan_sample_return` needs; degrees and hours live at the scenario
    edge, here radians and seconds.

    Parameters mirror the scenario file (``cosmoplan/data/scenarios/change-5.toml``).
    """

    liftoff: object
    launch_site: object
    landing_lat: float
    landing_lon: float
    vehicles: dict
    earth_landing_lat: float
    earth_landing_lon: float
    name: str = "sample return"
    parking_altitude_km: float = 200.0
    ascent_s: float = 600.0
    ascent_range_rad: float = math.radians(16.0)
    transfer_s: float = 4.5 * 86400.0
    mcc_after_s: float = 17.0 * 3600.0
    tli_execution_error: float = 1e-4
    lunar_altitude_km: float = 200.0
    lunar_inclination: float | None = None
    capture_apoapsis_km: float = 5000.0
    circularize_after_s: float = 86400.0
    min_lunar_orbit_s: float = 1.5 * 86400.0
    surface_stay_s: float = 48.0 * 3600.0
    descent_perilune_km: float = 15.0
    ascent_periapsis_km: float = 15.0
    ascent_apoapsis_km: float = 180.0
    rendezvous_max_days: float = 4.0
    rendezvous_approach_s: float = 6.0 * 3600.0
    rendezvous_aim_behind_km: float = 30.0
    undock_after_s: float = 7.0 * 3600.0
    tei_search_days: float = 14.0
    return_transfer_days: tuple = (3.0, 5.0)
    entry_altitude_km: float = 120.0
    entry_fpa: float = math.radians(-5.8)
    entry_range_km: float = 6000.0
    tei_execution_error: float = 1e-3
    tcm_after_s: float = 24.0 * 3600.0
    model: CislunarForceModel = field(default_factory=lambda: CislunarForceModel(
        earth_degree=8, moon_degree=8, sun=True))

    def __post_init__(self):
        _check_config(self)




_VEHICLES = ("orbiter", "returner", "lander", "ascender")


def _bad(key, shown, why):
    """InputError for the scenario key ``key`` (the field: a scenario file maps it to its
    line) whose value, in the file's units, is ``shown``."""
    return InputError(f"key '{key}' = {shown}: {why}", field=key, value=shown)


def _check_config(cfg):
    """Every value of a SampleReturnConfig, before any work: InputError naming the scenario
    key (``field``), the value in the file's units and the accepted range."""
    from ..time import Epoch
    from .earth_return import (
        ENTRY_ALTITUDE_RANGE_KM,
        ENTRY_FPA_RANGE_DEG,
        ENTRY_RANGE_LIMITS_KM,
    )
    from .translunar import MOON_SOI_KM

    if not isinstance(cfg.name, str) or not cfg.name or any(
            ord(c) < 32 or ord(c) == 127 for c in cfg.name):
        raise _bad("scenario.name", repr(cfg.name), "name must be one line of text (it is "
                   "the OEM files' OBJECT_NAME)")
    ep = cfg.liftoff
    if not isinstance(ep, Epoch) or np.ndim(ep.jd1) != 0:
        raise _bad("launch.liftoff", repr(ep), "liftoff must be a single cosmoplan Epoch")
    if not (hasattr(cfg.launch_site, "gcrf") and hasattr(cfg.launch_site, "name")):
        raise _bad("launch.site", repr(cfg.launch_site), "launch_site must be a GroundSite "
                   "(cosmoplan.sites.get_site)")
    if not isinstance(cfg.model, CislunarForceModel):
        raise _bad("lunar_orbit.moon_degree", repr(cfg.model),
                   "model must be a CislunarForceModel")
    if not isinstance(cfg.vehicles, dict) or sorted(cfg.vehicles) != sorted(_VEHICLES) or \
            not all(isinstance(v, Vehicle) for v in cfg.vehicles.values()):
        raise _bad("vehicles", repr(cfg.vehicles), f"vehicles must map exactly "
                   f"{', '.join(_VEHICLES)} to Vehicle objects")

    asc = cfg.vehicles["ascender"]
    weight = asc.mass_kg * _MOON_MU_SURFACE_G
    if asc.thrust_n <= weight:
        raise _bad("vehicles.ascender.thrust_n", f"{asc.thrust_n:g} N", f"the ascender "
                   f"({asc.mass_kg:g} kg) weighs {weight:.0f} N on the Moon: it cannot lift off "
                   f"with a thrust-to-weight ratio of {asc.thrust_n / weight:.2f}; give more "
                   f"than {weight:.0f} N")

    def num(attr, key, scale, unit, lo, hi, *, lo_open=False, hi_open=False, why=""):
        v = _real(getattr(cfg, attr))
        shown = getattr(cfg, attr) if not math.isfinite(v) else f"{v * scale:g}{unit}"
        ok = math.isfinite(v) and (lo < v if lo_open else lo <= v) and \
            (v < hi if hi_open else v <= hi)
        if not ok:
            rng = f"{'(' if lo_open else '['}{lo * scale:g} .. {hi * scale:g}" \
                  f"{')' if hi_open else ']'}{unit}"
            raise _bad(key, shown, f"expected a number in {rng}{why}")
        return v

    deg, hour, day = 180.0 / math.pi, 1.0 / 3600.0, 1.0 / 86400.0
    num("landing_lat", "surface.lat_deg", deg, " deg", -math.pi / 2, math.pi / 2,
        why=" (landing_lat is in radians)")
    num("landing_lon", "surface.lon_deg", deg, " deg", -2 * math.pi, 2 * math.pi,
        why=" (landing_lon is in radians)")
    num("earth_landing_lat", "earth_return.landing_lat_deg", deg, " deg", -math.pi / 2,
        math.pi / 2, why=" (earth_landing_lat is in radians)")
    num("earth_landing_lon", "earth_return.landing_lon_deg", deg, " deg", -2 * math.pi,
        2 * math.pi, why=" (earth_landing_lon is in radians)")
    num("parking_altitude_km", "launch.parking_altitude_km", 1.0, " km", 150.0, 2000.0)
    num("ascent_s", "launch.ascent_minutes", 1 / 60.0, " min", 0.0, 3600.0, lo_open=True)
    num("ascent_range_rad", "launch.ascent_range_deg", deg, " deg", 0.0, math.pi / 2)
    transfer = num("transfer_s", "transfer.days", day, " days", 1.5 * 86400.0, 12 * 86400.0)
    num("mcc_after_s", "transfer.mcc_after_hours", hour, " h", 0.0, transfer - 6 * 3600.0,
        lo_open=True, hi_open=True, why=" (before the approach to the Moon: at least 6 h "
        "before the lunar periapsis, transfer.days after lift-off)")
    num("tli_execution_error", "transfer.tli_execution_error_percent", 100.0, " %", -0.2, 0.2)
    alt = num("lunar_altitude_km", "lunar_orbit.altitude_km", 1.0, " km", 15.0, 5000.0)
    if cfg.lunar_inclination is not None:
        num("lunar_inclination", "lunar_orbit.inclination_deg", deg, " deg", 0.0, math.pi,
            why=" (lunar_inclination is in radians)")
    ra_max = 0.5 * MOON_SOI_KM - _MOON_R
    num("capture_apoapsis_km", "lunar_orbit.capture_apoapsis_altitude_km", 1.0, " km",
        alt + 1.0, ra_max, why=f": above the lunar orbit altitude (lunar_orbit.altitude_km = "
        f"{alt:g} km), inside half the Moon's sphere of influence")
    num("circularize_after_s", "lunar_orbit.circularize_after_hours", hour, " h", 0.0,
        240 * 3600.0, lo_open=True)
    num("min_lunar_orbit_s", "lunar_orbit.min_days_before_landing", day, " days", 0.0,
        30 * 86400.0)
    num("surface_stay_s", "surface.stay_hours", hour, " h", 0.0, 24 * 13 * 3600.0,
        lo_open=True)
    num("descent_perilune_km", "surface.descent_perilune_km", 1.0, " km", 5.0, alt,
        hi_open=True, why=f": below the lunar orbit altitude (lunar_orbit.altitude_km = "
        f"{alt:g} km), from which the descent orbit insertion lowers the perilune")
    peri = num("ascent_periapsis_km", "surface.ascent_periapsis_km", 1.0, " km", 5.0, 100.0)
    num("ascent_apoapsis_km", "surface.ascent_apoapsis_km", 1.0, " km", peri, 2000.0,
        why=" (at least surface.ascent_periapsis_km)")
    num("rendezvous_max_days", "rendezvous.max_days", 1.0, " days", 0.0, 30.0, lo_open=True)
    num("rendezvous_approach_s", "rendezvous.approach_hours", hour, " h", 3600.0,
        48 * 3600.0, why=" (aim point to contact: holds and HCW hops)")
    num("rendezvous_aim_behind_km", "rendezvous.aim_behind_km", 1.0, " km", 5.0, 500.0,
        why=" (end of phasing, behind the target on V-bar; above the first hold point)")
    num("undock_after_s", "rendezvous.undock_after_hours", hour, " h", 0.0, 240 * 3600.0)
    try:
        lo_d, hi_d = (float(x) for x in cfg.return_transfer_days)
    except (TypeError, ValueError):
        raise InputError(f"return_transfer_days must be (shortest, longest) days, got "
                         f"{cfg.return_transfer_days!r}", field="earth_return.max_transfer_days",
                         value=cfg.return_transfer_days) from None
    if not (1.5 <= lo_d < hi_d <= 10.0):
        raise InputError(f"earth_return.min_transfer_days = {lo_d:g} and max_transfer_days = "
                         f"{hi_d:g}: need 1.5 <= min < max <= 10 days (lunar returns take "
                         "2.5-6 days)", field="earth_return.max_transfer_days", value=hi_d)
    num("tei_search_days", "earth_return.search_days", 1.0, " days", 1.0, 40.0,
        why=" (the return window recurs about every 13.7 days)")
    num("entry_altitude_km", "earth_return.entry_altitude_km", 1.0, " km",
        *ENTRY_ALTITUDE_RANGE_KM)
    num("entry_fpa", "earth_return.entry_flight_path_angle_deg", deg, " deg",
        *(math.radians(x) for x in ENTRY_FPA_RANGE_DEG),
        why=" (the return planner's entry corridor for a lunar-return capsule)")
    num("entry_range_km", "earth_return.entry_range_km", 1.0, " km", *ENTRY_RANGE_LIMITS_KM,
        why=" (entry interface to the landing site)")
    num("tei_execution_error", "earth_return.tei_execution_error_percent", 100.0, " %", -0.2,
        0.2)
    num("tcm_after_s", "earth_return.tcm_after_hours", hour, " h", 3600.0,
        (lo_d * 24.0 - 1.0) * 3600.0, hi_open=True,
        why=f" (from 1 h after the departure to 1 h before the shortest trans-Earth coast, "
        f"earth_return.min_transfer_days = {lo_d:g} days)")


@dataclass(frozen=True)
class MissionBurn:
    """One burn of the timeline.

    Attributes
    ----------
    name : str
    epoch : Epoch
    dv_gcrf : ndarray (3,) km/s, or None for a budgeted (non-impulsive) manoeuvre
    dv_km_s : float
        Magnitude (for budgets: the rocket-equation delta-v).
    vehicle : str
        Who burns (its engine's Isp sets the propellant).
    mass_before_kg, mass_after_kg : float
        Mass of the burning stack.
    frame : str
        Frame of ``dv_gcrf`` and the centre: ``GCRF (Earth-centred)`` or
        ``GCRF axes, Moon-centred``; ``budget`` for modelled descent/ascent.
    purpose : str
    duration_s : float
        Burn time with the vehicle's engine (rocket equation; for the long LOI and TEI burns
        the constant-thrust burn fitted by :func:`cosmoplan.cislunar.finite_burns.
        finite_burn_equivalent`), s. 0 for the launcher's TLI.
    gravity_loss_km_s : float
        Extra delta-v of that finite burn over the impulsive one (included in the masses),
        km/s.
    """

    name: str
    epoch: object
    dv_km_s: float
    vehicle: str
    mass_before_kg: float
    mass_after_kg: float
    frame: str
    purpose: str
    dv_gcrf: object = None
    duration_s: float = 0.0
    gravity_loss_km_s: float = 0.0

    @property
    def propellant_kg(self):
        return self.mass_before_kg - self.mass_after_kg


@dataclass
class MissionLeg:
    """A propagated leg: name, centre and states (km, km/s, GCRF axes) at TDB epochs."""

    name: str
    centre: str
    epochs: object
    states: np.ndarray
    start: object = None
    end: object = None


@dataclass
class MissionTimeline:
    """The planned mission: legs, burns, events, masses, and the sub-plans.

    Attributes
    ----------
    config : SampleReturnConfig
    burns : list of MissionBurn, time order
    legs : list of MissionLeg
    events : list of (name, Epoch, text)
    tli, loi, descent, ascent, rendezvous, earth_return : the sub-results
    masses : dict vehicle -> final mass, kg
    """

    config: object
    burns: list
    legs: list
    events: list
    tli: object = None
    loi: object = None
    descent: object = None
    ascent: object = None
    rendezvous: object = None
    earth_return: object = None
    lunar_orbit: dict = field(default_factory=dict)
    masses: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def total_dv_km_s(self):
        """Sum of every burn's delta-v (TLI included), km/s."""
        return float(sum(b.dv_km_s for b in self.burns))

    def total_by_vehicle(self):
        out = {}
        for b in self.burns:
            out[b.vehicle] = out.get(b.vehicle, 0.0) + b.dv_km_s
        return out

    def event(self, name):
        for n, ep, _ in self.events:
            if n == name:
                return ep
        raise KeyError(name)

    def table(self):
        """Rows ``(epoch UTC text, name, delta-v m/s or None, vehicle, mass after kg or None,
        detail)`` of every burn and event, in time order (:data:`TABLE_COLUMNS`)."""
        rows = []
        items = [(b.epoch, b.name, b.dv_km_s * 1e3, b.vehicle, b.mass_after_kg, b.purpose)
                 for b in self.burns]
        items += [(ep, n, None, "", None, txt) for n, ep, txt in self.events]
        # time order; at one epoch the event (e.g. a lift-off) before its burn
        items.sort(key=lambda r: (float(r[0].tdb.jd1 + r[0].tdb.jd2 - 2459000.0),
                                  r[2] is not None))
        for ep, n, dv, veh, mass, txt in items:
            rows.append((ep.utc.iso()[:19].replace("T", " "), n, dv, veh, mass, txt))
        return rows

    def to_dict(self):
        return {
            "name": self.config.name,
            "burns": [{"name": b.name, "epoch_utc": b.epoch.utc.iso(3),
                       "dv_m_s": b.dv_km_s * 1e3, "vehicle": b.vehicle,
                       "mass_before_kg": b.mass_before_kg, "mass_after_kg": b.mass_after_kg,
                       "propellant_kg": b.propellant_kg, "frame": b.frame,
                       "purpose": b.purpose, "duration_s": b.duration_s,
                       "gravity_loss_m_s": b.gravity_loss_km_s * 1e3,
                       "dv_gcrf_m_s": None if b.dv_gcrf is None else
                       [float(x) * 1e3 for x in b.dv_gcrf]} for b in self.burns],
            "events": [{"name": n, "epoch_utc": ep.utc.iso(3), "detail": t}
                       for n, ep, t in self.events],
            "total_dv_m_s": self.total_dv_km_s * 1e3,
            "total_gravity_loss_m_s": 1e3 * sum(b.gravity_loss_km_s for b in self.burns),
            "dv_by_vehicle_m_s": {k: v * 1e3 for k, v in self.total_by_vehicle().items()},
            "final_masses_kg": dict(self.masses),
            "warnings": list(self.warnings),
            "lunar_orbit": {k: (float(v) if isinstance(v, (float, int, np.floating)) else v)
                            for k, v in self.lunar_orbit.items()},
            "force_model": self.config.model.describe(),
        }


class _Budget:
    """Masses of the vehicles through the mission (rocket equation)."""

    def __init__(self, vehicles):
        self.v = dict(vehicles)
        self.mass = {k: float(v.mass_kg) for k, v in self.v.items()}
        self.burns = []

    def stack_mass(self, stack):
        return sum(self.mass[s] for s in stack)

    def burn(self, name, epoch, dv_km_s, stack, engine, frame, purpose, dv_gcrf=None,
             finite=None):
        """``stack``: names of the vehicles attached; ``engine``: whose engine (and tanks);
        ``finite``: (duration s, gravity loss km/s) of a fitted finite burn, else the burn
        time comes from the rocket equation and there is no loss."""
        if not (math.isfinite(dv_km_s) and dv_km_s >= 0.0):  # pragma: no cover - a bug
            raise PlanningError(f"{name}: internal error, a delta-v of {dv_km_s!r} km/s")
        m0 = sum(self.mass[s] for s in stack)
        eng = self.v[engine]
        ve = eng.isp_s * G0_M_S2 * 1e-3  # km/s
        loss = 0.0 if finite is None else float(finite[1])
        m1 = m0 * math.exp(-(dv_km_s + loss) / ve)
        duration = (m0 - m1) * ve * 1e3 / eng.thrust_n if finite is None else float(finite[0])
        used = m0 - m1
        left = self.mass[engine] - used
        if left < eng.dry_mass_kg - 1e-6:
            have = self.mass[engine] - eng.dry_mass_kg
            raise PlanningError(
                f"{name}: the {engine} needs {used:.0f} kg of propellant for "
                f"{dv_km_s * 1e3:.0f} m/s but has {have:.0f} kg left, {used - have:.0f} kg "
                f"short: raise vehicles.{engine}.mass_kg (wet mass) by at least "
                f"{(used - have) * m0 / m1:.0f} kg (more propellant is more mass to push), "
                "or lower the delta-v (e.g. a lower capture orbit)")
        self.mass[engine] = left
        self.burns.append(MissionBurn(name, epoch, float(dv_km_s), engine, m0, m1, frame,
                                      purpose, dv_gcrf, duration, loss))


def _site_unit_inertial(lat, lon, epochs):
    from .. import moon as _moon

    s = np.asarray(_moon.selenographic_to_fixed(lat, lon), float)
    s = s / np.linalg.norm(s)
    m = _moon.rotation_matrix(epochs, "MOON_ME")
    return np.einsum("...ji,j->...i", m, s)


def _plane_crossings(t, offset):
    """Times (same units as t) where ``offset`` changes sign (linear interpolation)."""
    k = np.nonzero(np.sign(offset[:-1]) * np.sign(offset[1:]) < 0)[0]
    return t[k] - offset[k] * (t[k + 1] - t[k]) / (offset[k + 1] - offset[k])


def plan_sample_return(config, *, progress=None):
    """Plan the whole mission (module docstring).

    Parameters
    ----------
    config : SampleReturnConfig
    progress : callable, optional
        ``progress(step, total, text)`` after each leg.

    Returns
    -------
    MissionTimeline

    Raises
    ------
    InputError
        Bad configuration (e.g. a landing site out of reach of the chosen lunar inclination).
    PlanningError, ConvergenceError
        A leg cannot be designed; the message says which and what to change.
    DataRangeError
        Epochs outside DE421 / the lunar orientation file.
    """
    if not isinstance(config, SampleReturnConfig):
        raise InputError(f"config must be a SampleReturnConfig, got {type(config).__name__}",
                         field="config", value=config)
    _check_config(config)  # again: a dataclass can be changed after it was made
    _check_mission_span(config)
    with _eop_note(config):
        return _plan(config, progress)


def _eop_note(cfg):
    """A context for the plan: where the mission lies outside the Earth orientation table
    (before 1973 or after its predictions end), one warning says so and the per-epoch ones
    are kept quiet (hundreds of them otherwise)."""
    import contextlib
    import warnings

    from ..eop import default_eop
    from ..errors import DataRangeWarning

    lo, hi = default_eop().span_mjd
    t0 = cfg.liftoff.utc
    mjd0 = float(t0.jd1 - 2400000.5 + t0.jd2)
    mjd1 = mjd0 + _mission_span_days(cfg)
    if lo <= mjd0 and mjd1 <= hi:
        return contextlib.nullcontext()
    warnings.warn(f"lift-off {cfg.liftoff.utc.iso()[:10]}: the mission lies partly outside the "
                  f"Earth orientation (EOP) table (MJD {lo:.0f} .. {hi:.0f}): UT1-UTC is held "
                  "at the table's nearest value and polar motion set to 0, so Earth-fixed "
                  "places (launch site, entry and landing ground track) are approximate "
                  "(seconds of UT1: hundreds of metres)", DataRangeWarning, stacklevel=3)

    @contextlib.contextmanager
    def quiet():
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*outside the EOP table",
                                    category=DataRangeWarning)
            yield

    return quiet()


def _plan(config, progress):
    from .landing import ascent_to_orbit, powered_descent

    if progress is not None and not callable(progress):
        raise InputError("progress must be callable: progress(step, total, text)",
                         field="progress", value=progress)
    cfg = config
    model = cfg.model
    steps = 7

    def step(k, text):
        if progress is not None:
            progress(k, steps, text)

    lat, lon = float(cfg.landing_lat), float(cfg.landing_lon)
    launch = LaunchGeometry(cfg.launch_site, cfg.liftoff, cfg.parking_altitude_km,
                            cfg.ascent_s, cfg.ascent_range_rad)
    notes = []

    def note(text):
        """A design compromise the user should know about: kept in the timeline (printed by
        the CLI, in mission.json) and raised as a PlanningWarning."""
        import warnings

        from ..errors import PlanningWarning

        notes.append(text)
        warnings.warn(text, PlanningWarning, stacklevel=3)

    tuned = None
    if cfg.lunar_inclination is None:
        inc = vertex_inclination(lat, cfg.surface_stay_s)
        with _leg("trans-lunar injection (vertex-design inclination "
                  f"{math.degrees(inc):.2f} deg from surface.lat_deg and surface.stay_hours)",
                  hint=_INC_HINT):
            inc, tuned = _tune_inclination(cfg, launch, inc, lat, lon)
        if tuned is None:
            note(f"the inclination iteration found no pair of landing-site crossings "
                 f"{cfg.surface_stay_s / 3600.0:g} h apart near the vertex rule's "
                 f"{math.degrees(inc):.2f} deg: the plan flies that inclination, and the site "
                 "is not in the orbit plane at both landing and lift-off (see the ascent's "
                 "plane correction); a longer stay or an explicit "
                 "lunar_orbit.inclination_deg may do better")
    else:
        inc = float(cfg.lunar_inclination)
        if abs(lat) > min(inc, math.pi - inc) + 1e-9:
            raise InputError(
                f"landing site latitude {math.degrees(lat):.2f} deg is out of reach of a "
                f"lunar orbit inclined {math.degrees(inc):.2f} deg (its ground track stays "
                f"within +/-{math.degrees(min(inc, math.pi - inc)):.2f} deg): raise the "
                "inclination to at least the site latitude, or leave it unset for the vertex "
                "design", field="lunar_orbit.inclination_deg", value=math.degrees(inc))
    vehicles = cfg.vehicles
    for need in ("orbiter", "returner", "lander", "ascender"):
        if need not in vehicles:
            raise InputError(f"vehicle {need!r} missing (need orbiter, returner, lander, "
                             "ascender)", field="vehicles", value=sorted(vehicles))
    budget = _Budget(vehicles)
    stack = ["orbiter", "returner", "lander", "ascender"]
    events = [("Lift-off", cfg.liftoff, f"{cfg.launch_site.name}")]
    legs = []

    # 1. TLI -------------------------------------------------------------------------
    t_peri = cfg.liftoff + cfg.transfer_s
    target = TransferTarget(cfg.lunar_altitude_km, inc, t_peri)
    with _leg("trans-lunar injection", hint=_INC_HINT):
        tli = target_lunar_arrival(model, launch, target,
                                   x0=None if tuned is None else tuned["x"])
    events.append(("Parking orbit insertion", launch.insertion_epoch,
                   f"{cfg.parking_altitude_km:.0f} km, azimuth "
                   f"{math.degrees(tli.azimuth):.2f} deg"))
    # the launcher's upper stage performs TLI: not in the spacecraft's budget
    budget.burns.append(MissionBurn("TLI", tli.tli_epoch, tli.tli_dv_km_s, "launcher",
                                    float(sum(v.mass_kg for v in vehicles.values())),
                                    float(sum(v.mass_kg for v in vehicles.values())),
                                    "GCRF, Earth-centred", "trans-lunar injection (upper "
                                    f"stage), C3 {tli.c3_km2_s2:.3f} km2/s2", tli.tli_dv))
    step(1, "trans-lunar injection targeted")

    # MCC after a dispersed injection
    with _leg("mid-course correction", keys="transfer.mcc_after_hours, "
              "transfer.tli_execution_error_percent"):
        t_mcc, y_mcc, dv_mcc = midcourse_correction(model, tli, after_s=cfg.mcc_after_s,
                                                    execution_error=cfg.tli_execution_error)
    budget.burn("MCC-1", t_mcc, float(np.linalg.norm(dv_mcc)), stack, "orbiter",
                "GCRF, Earth-centred", f"corrects a {cfg.tli_execution_error * 100:g} % "
                "injection error", dv_mcc)
    y = y_mcc.copy()
    y[3:] += dv_mcc
    with _leg("mid-course correction"):
        cruise = propagate(model, t_mcc, y, float(tli.periapsis_epoch - t_mcc) * 1.5,
                           centre="earth", t_out=np.linspace(
                               0.0, float(tli.periapsis_epoch - t_mcc) * 0.98, 400),
                           events=[_soi_event()])
        if cruise.event is None:  # pragma: no cover - the correction targeted the periapsis
            raise PlanningError("after MCC-1 the trajectory does not reach the Moon")
        sm = change_centre(cruise.final, cruise.epoch_final, "earth", "moon")
        from .dynamics import moon_apsis_event

        approach = propagate(model, cruise.epoch_final, sm, 3 * 86400.0, centre="moon",
                             events=[moon_apsis_event("periapsis")], t_out=np.linspace(
                                 0.0, 3 * 86400.0, 2000))
        if approach.event is None:  # pragma: no cover
            raise PlanningError("after MCC-1 there is no lunar periapsis within 3 days")
    ep_p, y_p = approach.epoch_final, approach.final
    flown = tli.tli_dv * (1.0 + cfg.tli_execution_error)  # the dispersed injection
    pre = propagate(model, tli.tli_epoch, tli.tli_state + np.r_[0, 0, 0, flown],
                    float(t_mcc - tli.tli_epoch), centre="earth",
                    t_out=np.linspace(0.0, float(t_mcc - tli.tli_epoch), 60))
    legs.append(MissionLeg("trans-lunar coast", "earth",
                           _cat_epochs([pre.epochs, cruise.epochs]),
                           np.vstack([pre.states, cruise.states]), tli.tli_epoch,
                           cruise.epoch_final))
    legs.append(MissionLeg("lunar approach", "moon", approach.epochs, approach.states,
                           cruise.epoch_final, ep_p))
    step(2, "mid-course correction")

    # 2. LOI ------------------------------------------------------------------------
    with _leg("lunar orbit insertion", keys="lunar_orbit.capture_apoapsis_altitude_km, "
              "lunar_orbit.circularize_after_hours"):
        loi = lunar_orbit_insertion(model, ep_p, y_p,
                                    capture_apoapsis_km=cfg.capture_apoapsis_km,
                                    circularize_after_s=cfg.circularize_after_s)
    for name, ep, dv, y_before in loi.burns:
        fin, note = _finite(model, name, ep, y_before, dv, budget, stack, "orbiter", "moon")
        budget.burn(name, ep, float(np.linalg.norm(dv)), stack, "orbiter",
                    "GCRF axes, Moon-centred", ("capture into lunar orbit" if name == "LOI-1"
                                                else "near-circular parking orbit") + note,
                    dv, finite=fin)
    y_cap = loi.burns[0][3] + np.r_[0.0, 0.0, 0.0, loi.burns[0][2]]
    t_cap = float(loi.burns[1][1] - loi.burns[0][1])
    capture = propagate(model, loi.burns[0][1], y_cap, t_cap, centre="moon",
                        t_out=np.r_[np.arange(0.0, t_cap, 300.0), t_cap])
    legs.append(MissionLeg("capture orbit", "moon", capture.epochs, capture.states,
                           loi.burns[0][1], loi.burns[1][1]))
    step(3, "lunar orbit insertion")

    # 3. lunar parking orbit: site crossings ------------------------------------------
    stay = cfg.surface_stay_s
    span = cfg.min_lunar_orbit_s + 2.5 * stay + 3.0 * 86400.0
    park, h, offset, crossings = _site_crossings(model, loi.final_epoch, loi.final_state,
                                                 span, lat, lon, cfg.min_lunar_orbit_s)
    in_plane = _always_in_plane(park, offset, cfg.min_lunar_orbit_s)
    pair = None if in_plane else _crossing_pair(crossings, stay)
    if pair is None and not in_plane:  # look over a whole lunar month
        span = cfg.min_lunar_orbit_s + 28.0 * 86400.0
        park, h, offset, crossings = _site_crossings(model, loi.final_epoch, loi.final_state,
                                                     span, lat, lon, cfg.min_lunar_orbit_s)
        pair = _crossing_pair(crossings, stay)
    paired = pair is not None
    if in_plane:  # e.g. a site at a pole under a polar orbit: every pass flies over it
        t0 = float(park.t_s[np.searchsorted(park.t_s, cfg.min_lunar_orbit_s)])
        pair = (t0, t0 + stay)
    elif pair is None:
        if crossings.size == 0:
            raise PlanningError(
                f"the landing site never crosses the lunar orbit plane within "
                f"{span / 86400:.0f} days: raise the lunar orbit inclination "
                "(lunar_orbit.inclination_deg)")
        pair = (crossings[0], crossings[0] + stay)
    if pair[0] + stay + 86400.0 > park.t_s[-1]:  # the orbit must cover the ascent too
        park, h, offset, _ = _site_crossings(model, loi.final_epoch, loi.final_state,
                                             pair[0] + stay + 86400.0, lat, lon,
                                             cfg.min_lunar_orbit_s)
    eps = park.epochs
    t_cross_land, t_cross_asc = pair
    site = _site_unit_inertial(lat, lon, eps)
    # the pass over the site nearest the crossing: along-track angle site - spacecraft
    r_hat = park.states[:, :3] / np.linalg.norm(park.states[:, :3], axis=1)[:, None]
    w = np.cross(h, r_hat)
    ang = np.arctan2(np.einsum("ij,ij->i", site, w), np.einsum("ij,ij->i", site, r_hat))
    win = np.abs(park.t_s - t_cross_land) < 0.75 * 2 * math.pi * math.sqrt(
        (_MOON_R + cfg.lunar_altitude_km) ** 3 / model.gm("moon"))
    k = np.nonzero(win[:-1] & (np.sign(ang[:-1]) > 0) & (np.sign(ang[1:]) <= 0)
                   & (np.abs(ang[:-1]) < 1.0))[0]
    if k.size == 0:
        raise PlanningError("no pass over the landing site near its plane crossing")
    kk = k[np.argmin(np.abs(park.t_s[k] - t_cross_land))]
    t_over = park.t_s[kk] + ang[kk] * (park.t_s[kk + 1] - park.t_s[kk]) / (ang[kk] - ang[kk + 1])
    cross_off = float(np.interp(t_over, park.t_s, offset))
    el_over = lunar_elements(park.states[kk], eps[kk], model.gm("moon"))

    # 4. descent and ascent budgets -------------------------------------------------
    lander, ascender = vehicles["lander"], vehicles["ascender"]
    m_la = budget.mass["lander"] + budget.mass["ascender"]
    with _leg("descent", fields=_vehicle_fields("lander"), keys="[vehicles.lander], "
              "lunar_orbit.altitude_km, surface.descent_perilune_km"):
        descent = powered_descent(mass_kg=m_la, thrust_n=lander.thrust_n, isp_s=lander.isp_s,
                                  perilune_altitude_km=cfg.descent_perilune_km,
                                  apolune_altitude_km=el_over["ra"] - _MOON_R,
                                  site_latitude_rad=lat,
                                  azimuth_rad=_azimuth(park.states[kk], eps[kk], lat, lon))
    v_orb = math.sqrt(model.gm("moon") / (_MOON_R + cfg.lunar_altitude_km))
    plane_dv = 2.0 * v_orb * math.sin(0.5 * abs(math.asin(max(-1.0, min(1.0, cross_off)))))
    # DOI half a descent-orbit revolution before perilune, placed so that the powered
    # descent (which ignites `ignition_time_from_perilune_s` from perilune and covers
    # `downrange_km`) ends at the site: in the parking orbit the DOI point lies
    # (pi + nu_PDI + downrange / R) before the site, nu_PDI the descent ellipse's true
    # anomaly at ignition (negative before perilune); the Moon's rotation during the
    # 15-min descent (0.14 deg) is neglected.
    n_park = math.sqrt(model.gm("moon") / (_MOON_R + cfg.lunar_altitude_km) ** 3)
    nu_pdi = _true_anomaly_at(descent.ignition_time_from_perilune_s,
                              _MOON_R + cfg.descent_perilune_km, el_over["ra"],
                              model.gm("moon"))
    lead = math.pi + nu_pdi + descent.downrange_km / _MOON_R
    t_doi = park.epochs[0] + (t_over - lead / n_park)
    t_land = t_doi + descent.time_from_doi_to_landing_s
    t_pdi = t_land - descent.duration_s
    t_sep = t_doi - 2.0 * 3600.0
    events.append(("Lander separation", t_sep, "lander + ascender leave the orbiter"))
    budget.burn("DOI", t_doi, descent.doi_dv_km_s + plane_dv, ["lander", "ascender"],
                "lander", "budget", f"descent orbit {cfg.descent_perilune_km:.0f} km perilune"
                f" (incl. {plane_dv * 1e3:.1f} m/s plane correction)")
    budget.burn("Powered descent", t_pdi, descent.dv_km_s, ["lander", "ascender"], "lander",
                "budget", f"{descent.steering} braking from "
                f"{descent.ignition_altitude_km:.1f} km, "
                f"{descent.duration_s / 60:.1f} min", finite=(descent.duration_s, 0.0))
    events.append(("Landing", t_land, f"{_latlon(lat, lon)} (cross-track "
                   f"{math.degrees(math.asin(cross_off)):.3f} deg at the pass); Sun "
                   f"{_sun_elevation_deg(lat, lon, t_land):.1f} deg above the horizon"))
    step(4, "descent")
    t_asc = t_cross_asc
    if not paired or t_cross_asc - float(t_land - park.epoch0) < 0.5 * stay:
        # no crossing pair one stay apart (a short stay, a site the plane does not sweep
        # back to): lift off the requested stay after the landing, whatever the plane
        t_asc = float(t_land - park.epoch0) + stay
    t_liftoff = park.epoch0 + t_asc
    stay_flown = float(t_liftoff - t_land)
    if abs(stay_flown - stay) > max(3600.0, 0.1 * stay):
        import warnings

        from ..errors import PlanningWarning

        warnings.warn(f"the surface stay is {stay_flown / 3600.0:.1f} h, not the requested "
                      f"{stay / 3600.0:g} h (surface.stay_hours): with the lunar orbit "
                      f"inclined {math.degrees(inc):.2f} deg the landing site crosses the "
                      f"orbit plane {stay_flown / 3600.0:.1f} h after the landing pass, and "
                      "the ascent waits for the plane; leave lunar_orbit.inclination_deg "
                      "unset for the vertex design, which matches the stay",
                      PlanningWarning, stacklevel=3)
    az_asc = _azimuth_at(park, t_asc, lat, lon)
    # the site's distance from the orbiter's plane at lift-off: a plane change, budgeted
    # like the one at DOI (zero at a plane crossing)
    off_asc = float(np.interp(t_asc, park.t_s, offset))
    plane_asc = 2.0 * v_orb * math.sin(0.5 * abs(math.asin(max(-1.0, min(1.0, off_asc)))))
    with _leg("ascent", fields=_vehicle_fields("ascender"), keys="[vehicles.ascender], "
              "surface.ascent_periapsis_km, surface.ascent_apoapsis_km"):
        ascent = ascent_to_orbit(mass_kg=budget.mass["ascender"], thrust_n=ascender.thrust_n,
                                 isp_s=ascender.isp_s,
                                 target_periapsis_altitude_km=cfg.ascent_periapsis_km,
                                 target_apoapsis_altitude_km=cfg.ascent_apoapsis_km,
                                 site_latitude_rad=lat, azimuth_rad=az_asc)
    budget.burn("Ascent", t_liftoff, ascent.dv_km_s + plane_asc, ["ascender"], "ascender",
                "budget", f"to {cfg.ascent_periapsis_km:.0f} x {cfg.ascent_apoapsis_km:.0f} km, "
                f"{ascent.duration_s / 60:.1f} min"
                + (f" (incl. {plane_asc * 1e3:.1f} m/s plane correction)"
                   if plane_asc > 5e-5 else ""), finite=(ascent.duration_s, 0.0))
    if plane_asc > 0.005:
        note(f"the landing site is {math.degrees(math.asin(min(1.0, abs(off_asc)))):.2f} deg "
             f"out of the orbiter's plane at lift-off: the ascent budget includes a "
             f"{plane_asc * 1e3:.1f} m/s plane change")
    sun_land = _sun_elevation_deg(lat, lon, t_land)
    sun_asc = _sun_elevation_deg(lat, lon, t_liftoff)
    for what, el in (("landing", sun_land), ("ascent lift-off", sun_asc)):
        if el < 0.0:
            note(f"the Sun is {-el:.1f} deg below the horizon at the landing site at "
                 f"{what}: a solar-powered lander would work in the dark; move the lift-off "
                 "date by days to land in daylight")
    events.append(("Ascent lift-off", t_liftoff, f"ascender leaves the lander; Sun "
                   f"{sun_asc:.1f} deg above the site's horizon"))
    t_ins = t_liftoff + ascent.duration_s
    y_asc = _ascender_insertion(park, float(t_ins - park.epochs[0]), lat, lon, ascent,
                                model.gm("moon"))
    step(5, "ascent")

    # 5. rendezvous ------------------------------------------------------------------
    y_orb = _state_at(model, park, float(t_ins - park.epochs[0]))
    with _leg("lunar-orbit rendezvous", keys="rendezvous.max_days"):
        rdv = _rendezvous(model, t_ins, y_orb, y_asc, cfg)
    for b in rdv.burns:
        who = "orbiter" if b.spacecraft == "chaser" else "ascender"
        stack_now = ["orbiter", "returner"] if who == "orbiter" else ["ascender"]
        budget.burn(b.name, b.epoch, float(np.linalg.norm(b.dv_gcrf)), stack_now, who,
                    "GCRF axes, Moon-centred", b.purpose, b.dv_gcrf)
    events.append(("Docking", rdv.docking_epoch, "orbiter captures the ascender"))
    t_undock = rdv.docking_epoch + cfg.undock_after_s
    events.append(("Ascender separation", t_undock, "samples in the returner"))
    step(6, "lunar-orbit rendezvous")

    # 6. return ----------------------------------------------------------------------
    y_dock = _docked_state(model, rdv)
    with _leg("trans-Earth injection", keys="[earth_return], rendezvous.undock_after_hours"):
        ret = _earth_return(model, rdv.docking_epoch, y_dock, t_undock, cfg)
    for b in list(ret.tei_executed) + list(ret.tcm):
        fin, note = (None, "")
        if b.name.startswith("TEI"):
            fin, note = _finite(model, b.name, b.epoch, b.state_before, b.dv_gcrf, budget,
                                ["orbiter", "returner"], "orbiter", b.centre)
        budget.burn(b.name, b.epoch, b.magnitude, ["orbiter", "returner"], "orbiter",
                    "GCRF axes, Moon-centred" if b.centre == "moon" else
                    "GCRF, Earth-centred", b.purpose + note, b.dv_gcrf, finite=fin)
    e = ret.entry
    events.append(("Entry interface", e.epoch,
                   f"{cfg.entry_altitude_km:g} km above the WGS-84 equatorial radius "
                   f"({e.altitude_km:.1f} km geodetic) at "
                   f"{_latlon(math.radians(e.latitude_deg), math.radians(e.longitude_deg))}; "
                   f"inertial FPA {e.fpa_deg:.2f} deg, speed {e.speed_km_s:.3f} km/s, heading "
                   f"{e.heading_deg:.1f} deg (Earth-relative {e.relative_fpa_deg:.2f} deg, "
                   f"{e.relative_speed_km_s:.3f} km/s); landing site "
                   f"{ret.downrange_km:,.0f} km downrange"))
    step(7, "trans-Earth injection and entry")

    t_i = float(t_ins - park.epoch0)
    keep = park.t_s < t_i
    legs.append(MissionLeg("lunar parking orbit", "moon",
                           _cat_epochs([park.epochs[keep], park.epoch0 + t_i]),
                           np.vstack([park.states[keep], y_orb]), park.epoch0, t_ins))
    legs.append(MissionLeg("rendezvous, orbiter", "moon", rdv.chaser.epochs,
                           rdv.chaser.states, rdv.chaser.epoch0, rdv.docking_epoch))
    legs += _return_legs(ret)
    alt = {}
    for leg in legs[3:6]:  # parking orbit, rendezvous (orbiter), lunar orbit before TEI
        r = np.linalg.norm(leg.states[:, :3], axis=1) - _MOON_R
        alt[leg.name] = (float(r.min()), float(r.max()))
    lo_alt = min(v[0] for v in alt.values())
    if lo_alt < min(0.5 * cfg.lunar_altitude_km, 30.0):
        worst = min(alt, key=lambda k: alt[k][0])
        note(f"the orbiter's lunar orbit sinks to {lo_alt:.0f} km above the mean radius "
             f"during the {worst} (design altitude {cfg.lunar_altitude_km:g} km): low lunar "
             "orbits are shaken by the mascons; raise lunar_orbit.altitude_km, shorten the "
             "wait, or plan station-keeping (not modelled)")
    if tuple(leg.name for leg in legs) != LEG_NAMES:  # pragma: no cover - a planner bug
        raise PlanningError(f"internal: legs {[leg.name for leg in legs]} != {LEG_NAMES}")
    budget.burns.sort(key=lambda b: float(b.epoch - cfg.liftoff))
    tl = MissionTimeline(cfg, budget.burns, legs, events, tli=tli, loi=loi, descent=descent,
                         ascent=ascent, rendezvous=rdv, earth_return=ret,
                         lunar_orbit=dict(inclination_deg=math.degrees(inc),
                                          vertex_rule_inclination_deg=math.degrees(
                                              vertex_inclination(lat, cfg.surface_stay_s)),
                                          inclination_iterations=0 if tuned is None else
                                          tuned["iterations"],
                                          altitude_km=cfg.lunar_altitude_km,
                                          surface_stay_hours=stay_flown / 3600.0,
                                          altitude_range_km={k: [round(a, 3), round(b, 3)]
                                                             for k, (a, b) in alt.items()},
                                          sun_elevation_deg={"landing": sun_land,
                                                             "ascent": sun_asc},
                                          landing_cross_track_deg=math.degrees(
                                              math.asin(cross_off)),
                                          site_crossings_utc=[
                                              (park.epochs[0] + float(c)).utc.iso()[:19]
                                              for c in crossings[:4]]),
                         masses=dict(budget.mass), warnings=notes)
    return tl


_INC_HINT = ("the arrival inclination is lunar_orbit.inclination_deg, or without it the "
             "vertex design from surface.lat_deg and surface.stay_hours")

_SUB_FIELDS = {
    "capture_apoapsis_km": "lunar_orbit.capture_apoapsis_altitude_km",
    "circularize_after_s": "lunar_orbit.circularize_after_hours",
    "after_s": "transfer.mcc_after_hours",
    "execution_error": "transfer.tli_execution_error_percent",
    "periapsis_altitude_km": "lunar_orbit.altitude_km",
    "inclination_deg": "lunar_orbit.inclination_deg",
    "parking_altitude_km": "launch.parking_altitude_km",
    "entry_altitude_km": "earth_return.entry_altitude_km",
    "entry_fpa_deg": "earth_return.entry_flight_path_angle_deg",
    "entry_range_km": "earth_return.entry_range_km",
    "landing_site latitude": "earth_return.landing_lat_deg",
    "landing_site longitude": "earth_return.landing_lon_deg",
    "tcm_after_hours": "earth_return.tcm_after_hours",
    "tei_execution_error": "earth_return.tei_execution_error_percent",
    "earliest_tei": "earth_return.search_days",
    "latest_tei": "earth_return.search_days",
    "max_days": "rendezvous.max_days",
    "transfer_days": "earth_return.max_transfer_days",
    "approach_hours": "rendezvous.approach_hours",
    "aim_behind_km": "rendezvous.aim_behind_km",
    "perilune_altitude_km": "surface.descent_perilune_km",
    "apolune_altitude_km": "lunar_orbit.altitude_km",
    "target_periapsis_altitude_km": "surface.ascent_periapsis_km",
    "target_apoapsis_altitude_km": "surface.ascent_apoapsis_km",
}
"""Argument names of the legs' planners -> the scenario keys they come from."""


def _vehicle_fields(name):
    return {f: f"vehicles.{name}.{f}" for f in ("mass_kg", "thrust_n", "isp_s",
                                                 "dry_mass_kg")}


class _leg:
    """Context of one leg: an InputError about a leg planner's argument names the scenario
    key it comes from (``field``); a PlanningError, ConvergenceError or PropagationError
    says which leg failed (and ``hint``, what shapes it)."""

    def __init__(self, stage, *, fields=None, hint=None, keys=None):
        self.stage, self.fields, self.hint = stage, dict(fields or {}), hint
        self.keys = keys

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        from ..errors import ConvergenceError, PropagationError

        if exc is None or not isinstance(exc, (InputError, PlanningError, ConvergenceError,
                                               PropagationError)):
            return False
        if isinstance(exc, InputError):
            if exc.field and "." in exc.field:
                return False  # already a scenario key
            key = self.fields.get(exc.field) or _SUB_FIELDS.get(exc.field) or exc.field
            raise InputError(f"{self.stage}: {exc}", field=key, value=exc.value) from None
        msg = f"{self.stage}: {exc}"
        for arg, key in _SUB_FIELDS.items():  # the planners' argument names, as scenario keys
            if " " not in arg and key.split(".")[-1] != arg:
                msg = re.sub(rf"(?<![\w.]){arg}(?!\w)", f"{arg} ({key})", msg)
        if self.hint and "out of reach" in str(exc):
            msg += f" ({self.hint})"
        elif self.keys:
            msg += f" [scenario keys of this leg: {self.keys}]"
        if isinstance(exc, PropagationError):
            raise PropagationError(msg, codes=exc.codes) from exc
        raise type(exc)(msg) from exc


def _always_in_plane(park, offset, t_min):
    """True when the landing site stays within 1 deg of the orbit plane all the time (a
    site at a pole under a polar orbit): then any pass flies over it (the plane changes,
    at most 1 deg, are budgeted), and plane crossings are the perturbations' wobble."""
    sel = park.t_s >= t_min
    return bool(np.any(sel)) and float(np.max(np.abs(offset[sel]))) < math.sin(
        math.radians(1.0))


def _soi_event():
    from .dynamics import moon_distance_event
    from .translunar import MOON_SOI_KM

    return moon_distance_event(MOON_SOI_KM, -1)


def _cat_epochs(parts):
    from ..time import Epoch

    jd1 = np.concatenate([np.atleast_1d(p.tdb.jd1) for p in parts])
    jd2 = np.concatenate([np.atleast_1d(p.tdb.jd2) for p in parts])
    return Epoch(jd1, jd2, scale="tdb")


def _site_axes(lat, lon, epoch):
    """Inertial unit vectors: site, local east, local north (MOON_ME site)."""
    s = _site_unit_inertial(lat, lon, epoch)
    pole = _site_unit_inertial(math.pi / 2, 0.0, epoch)
    east = np.cross(pole, s)
    east /= np.linalg.norm(east)
    return s, east, np.cross(s, east)


def _azimuth(state, epoch, lat, lon):
    """Azimuth (rad from north) of the orbit's motion over the site."""
    s, east, north = _site_axes(lat, lon, epoch)
    h = np.cross(state[:3], state[3:])
    d = np.cross(h / np.linalg.norm(h), s)
    return math.atan2(float(d @ east), float(d @ north))


def _state_at(model, arc, t_s):
    """State of a sampled arc at t_s (s from its epoch0), propagated from the sample
    before."""
    k = int(np.searchsorted(arc.t_s, t_s, side="right") - 1)
    k = max(0, min(k, arc.t_s.size - 1))
    dt = float(t_s - arc.t_s[k])
    if abs(dt) < 1e-6:
        return arc.states[k].copy()
    return propagate(model, arc.epoch0 + float(arc.t_s[k]), arc.states[k], dt,
                     centre=arc.centre).final


def _azimuth_at(arc, t_s, lat, lon):
    k = int(np.clip(np.searchsorted(arc.t_s, t_s), 0, arc.t_s.size - 1))
    return _azimuth(arc.states[k], arc.epoch0 + float(arc.t_s[k]), lat, lon)


def _ascender_insertion(arc, t_ins_s, lat, lon, ascent, mu):
    """Moon-centred GCRF state of the ascender at cut-off: in the orbiter's plane, the
    ascent's downrange past the site's projection on that plane, at the periapsis of the
    target ellipse (zero flight-path angle)."""
    k = int(np.clip(np.searchsorted(arc.t_s, t_ins_s), 0, arc.t_s.size - 1))
    y = arc.states[k]
    h = np.cross(y[:3], y[3:])
    h /= np.linalg.norm(h)
    s = _site_unit_inertial(lat, lon, arc.epoch0 + float(t_ins_s))
    sp = s - (s @ h) * h
    sp /= np.linalg.norm(sp)
    w = np.cross(h, sp)
    phi = ascent.downrange_km / _MOON_R
    r = _MOON_R + ascent.burnout_altitude_km
    rhat = math.cos(phi) * sp + math.sin(phi) * w
    that = -math.sin(phi) * sp + math.cos(phi) * w
    return np.r_[r * rhat, ascent.burnout_speed_km_s * that]


def _rendezvous(model, t_ins, y_orb, y_asc, cfg):
    from .lunar_rendezvous import plan_lunar_rendezvous

    return plan_lunar_rendezvous(model, chaser_epoch=t_ins, chaser_state=y_orb,
                                 target_epoch=t_ins, target_state=y_asc,
                                 max_days=cfg.rendezvous_max_days,
                                 approach_hours=cfg.rendezvous_approach_s / 3600.0,
                                 aim_behind_km=cfg.rendezvous_aim_behind_km)


def _docked_state(model, rdv):
    """Moon-centred state of the docked stack at the docking epoch."""
    arc = rdv.chaser
    y = arc.relative_to("moon")[-1] if arc.centre != "moon" else arc.final
    t = float(rdv.docking_epoch - arc.epoch0)
    if abs(t - arc.t_final) > 1e-3:
        y = propagate(model, arc.epoch_final, y, t - arc.t_final, centre="moon").final
    return y


def _earth_return(model, t_dock, y_dock, t_undock, cfg):
    from .earth_return import plan_earth_return

    return plan_earth_return(
        model, epoch=t_dock, lunar_state=y_dock, earliest_tei=t_undock + 6 * 3600.0,
        latest_tei=t_undock + cfg.tei_search_days * 86400.0,
        entry_altitude_km=cfg.entry_altitude_km,
        entry_fpa_deg=math.degrees(cfg.entry_fpa),
        landing_site=(math.degrees(cfg.earth_landing_lat),
                      math.degrees(cfg.earth_landing_lon)),
        entry_range_km=cfg.entry_range_km, tei_execution_error=cfg.tei_execution_error,
        transfer_days=tuple(cfg.return_transfer_days),
        tcm_after_hours=(cfg.tcm_after_s / 3600.0,))


TABLE_COLUMNS = ("epoch_utc", "event", "dv_m_s", "vehicle", "mass_after_kg", "detail")
"""Columns of :meth:`MissionTimeline.table` rows (and of timeline.csv)."""

LEG_NAMES = ("trans-lunar coast", "lunar approach", "capture orbit", "lunar parking orbit",
             "rendezvous, orbiter", "lunar orbit before TEI", "trans-Earth departure",
             "trans-Earth coast")
"""The legs of a :class:`MissionTimeline`, in order (one OEM file each)."""


def _return_legs(ret):
    """The return's arcs as three legs: the lunar orbit up to TEI-2 (docked coast and the
    TEI-1 ellipse), the Moon-centred departure to the sphere of influence, the Earth-centred
    coast to the entry interface (arcs after a correction joined; a Moon-centred piece
    re-origined to the Earth)."""
    groups = {"lunar orbit before TEI": [], "trans-Earth departure": [],
              "trans-Earth coast": []}
    for key, arc in ret.arcs.items():
        if arc is None:
            continue
        if key in ("parking", "tei1_ellipse"):
            groups["lunar orbit before TEI"].append(arc)
        elif key == "departure":
            groups["trans-Earth departure"].append(arc)
        else:
            groups["trans-Earth coast"].append(arc)
    legs = []
    for name, arcs in groups.items():
        if not arcs:
            continue
        centre = "earth" if name == "trans-Earth coast" else "moon"
        eps = _cat_epochs([a.epochs for a in arcs])
        states = np.vstack([a.states if a.centre == centre else a.relative_to(centre)
                            for a in arcs])
        legs.append(MissionLeg(name, centre, eps, states, eps[0], eps[-1]))
    return legs


def _site_crossings(model, epoch, state, span, lat, lon, t_min):
    """Fly the lunar parking orbit ``span`` s (samples every 300 s) and find where the
    landing site crosses its osculating plane (times after ``t_min``)."""
    park = propagate(model, epoch, state, span, centre="moon",
                     t_out=np.arange(0.0, span, 300.0))
    h = np.cross(park.states[:, :3], park.states[:, 3:])
    h /= np.linalg.norm(h, axis=1)[:, None]
    site = _site_unit_inertial(lat, lon, park.epochs)
    offset = np.einsum("ij,ij->i", site, h)
    crossings = _plane_crossings(park.t_s, offset)
    return park, h, offset, crossings[crossings >= t_min]


def _crossing_pair(crossings, stay_s):
    """The first two consecutive crossings at most 1.5 stays apart (the pair around the
    ground track's vertex), or None."""
    for a, b in zip(crossings[:-1], crossings[1:]):
        if b - a <= 1.5 * stay_s:
            return a, b
    return None


def _tune_inclination(cfg, launch, inc0, lat, lon, tol_s=120.0, max_iter=8):
    """Inclination whose vertex crossings are ``surface_stay_s`` apart in the full model.

    The vertex rule (:func:`vertex_inclination`) assumes a fixed orbit plane; the lunar
    field and the Earth turn the plane by a fraction of a degree over the stay, which
    moves the second crossing by hours. A secant iteration on the targeted inclination
    (each step: trans-lunar targeting from the previous solution, insertion, a few days of
    parking orbit; no mid-course correction) closes the gap to ``tol_s``. Falls back to
    the vertex rule (returns it with None) if a step finds no crossing pair.
    """
    model = cfg.model
    stay = cfg.surface_stay_s
    t_peri = cfg.liftoff + cfg.transfer_s
    state = {"x": None}

    def gap(inc):
        tli = target_lunar_arrival(model, launch,
                                   TransferTarget(cfg.lunar_altitude_km, inc, t_peri),
                                   x0=state["x"])
        state["x"] = np.array([tli.azimuth, tli.coast_s, tli.tli_dv_km_s])
        loi = lunar_orbit_insertion(model, tli.periapsis_epoch, tli.periapsis_state,
                                    capture_apoapsis_km=cfg.capture_apoapsis_km,
                                    circularize_after_s=cfg.circularize_after_s)
        span = cfg.min_lunar_orbit_s + 2.5 * stay + 3 * 86400.0
        _, _, _, cr = _site_crossings(model, loi.final_epoch, loi.final_state, span, lat,
                                      lon, cfg.min_lunar_orbit_s)
        pair = _crossing_pair(cr, stay)
        return None if pair is None else (pair[1] - pair[0]) - stay

    i0, g0 = inc0, gap(inc0)
    if g0 is None:
        return inc0, None
    i1 = inc0 - math.copysign(math.radians(0.2), g0)
    lo_lim = abs(lat) + math.radians(0.02)
    i1 = max(i1, lo_lim)
    g1 = gap(i1)
    it = 2
    while g1 is not None and abs(g1) > tol_s and it < max_iter:
        if g1 == g0:
            break
        i2 = i1 - g1 * (i1 - i0) / (g1 - g0)
        i2 = max(i2, lo_lim)
        i0, g0 = i1, g1
        i1, g1 = i2, gap(i2)
        it += 1
    if g1 is None or abs(g1) > tol_s:
        return inc0, None
    return i1, {"x": state["x"], "iterations": it}


def _true_anomaly_at(t_from_perilune, rp, ra, mu):
    """True anomaly (rad) on the ellipse (rp, ra) ``t_from_perilune`` s from perilune
    (Kepler's equation by Newton, Vallado 2013 Alg. 2)."""
    a = 0.5 * (rp + ra)
    e = (ra - rp) / (ra + rp)
    mean = math.sqrt(mu / a ** 3) * t_from_perilune
    big_e = mean
    for _ in range(30):
        big_e -= (big_e - e * math.sin(big_e) - mean) / (1.0 - e * math.cos(big_e))
    return 2.0 * math.atan2(math.sqrt(1 + e) * math.sin(big_e / 2),
                            math.sqrt(1 - e) * math.cos(big_e / 2))


def _mission_span_days(cfg):
    """Lift-off to the end of the return-window search plus a transfer home, days (an upper
    bound of what the planner reads from the ephemeris)."""
    return (cfg.transfer_s + cfg.min_lunar_orbit_s) / 86400.0 + 28.0 + \
        cfg.rendezvous_max_days + cfg.tei_search_days + 8.0


def _check_mission_span(cfg):
    """DataRangeError, before any work, if the mission leaves the DE421 ephemeris or the
    lunar orientation file; the message gives the lift-off dates that work."""
    from .. import moon as _moon
    from ..ephemeris import default_ephemeris
    from ..errors import DataRangeError
    from ..time import Epoch

    eph = default_ephemeris()
    _, _, pck_lo, pck_hi = _moon._pck()
    lo = max(eph.start_jd_tdb, pck_lo)
    hi = min(eph.end_jd_tdb, pck_hi)
    t0 = cfg.liftoff.tdb
    jd0 = float(t0.jd1 + t0.jd2)
    days = _mission_span_days(cfg)
    if jd0 < lo + 1.0 or jd0 + days > hi - 1.0:
        first = Epoch(lo + 1.0, scale="tdb").utc.iso()[:10]
        last = Epoch(hi - 1.0 - days, scale="tdb").utc.iso()[:10]
        exc = DataRangeError(
            f"lift-off {cfg.liftoff.utc.iso()[:19]} UTC: the mission (up to {days:.0f} days "
            f"with the return search) needs the DE421 ephemeris and the lunar orientation "
            f"file, which cover {Epoch(lo, scale='tdb').utc.iso()[:10]} .. "
            f"{Epoch(hi, scale='tdb').utc.iso()[:10]}: choose a lift-off between {first} "
            f"and {last}", start=first, stop=last)
        exc.field = "launch.liftoff"  # the scenario key (a scenario run adds file and line)
        exc.value = cfg.liftoff.utc.iso()[:19]
        raise exc


FINITE_BURN_MIN_KM_S = 0.05
"""Burns above this delta-v (LOI, TEI) are also fitted as constant-thrust burns: their
duration and gravity loss enter the timeline and the masses."""


def _finite(model, name, epoch, state, dv, budget, stack, engine, centre):
    """(duration s, loss km/s) of the finite-burn equivalent with the vehicle's engine, and a
    note for the burn's text; (None, note) if it cannot be fitted (then the impulsive burn is
    budgeted and the note says so)."""
    from ..errors import ConvergenceError
    from .finite_burns import finite_burn_equivalent

    dv = np.asarray(dv, float)
    if float(np.linalg.norm(dv)) < FINITE_BURN_MIN_KM_S:
        return None, ""
    eng = budget.v[engine]
    try:
        fb = finite_burn_equivalent(model, epoch, state, dv, mass_kg=budget.stack_mass(stack),
                                    thrust_n=eng.thrust_n, isp_s=eng.isp_s, centre=centre)
    except (ConvergenceError, InputError) as exc:
        return None, f" (no finite-burn fit: {str(exc).splitlines()[0][:80]})"
    return ((fb.duration_s, fb.gravity_loss_km_s),
            f" (finite: {fb.duration_s / 60.0:.1f} min, +{fb.gravity_loss_km_s * 1e3:.1f} m/s "
            "gravity loss)")


def _latlon(lat, lon):
    """'43.0576 N 51.9161 W' from radians."""
    la, lo = math.degrees(lat), (math.degrees(lon) + 180.0) % 360.0 - 180.0
    return f"{abs(la):.4f} {'N' if la >= 0 else 'S'} {abs(lo):.4f} {'E' if lo >= 0 else 'W'}"


def _sun_elevation_deg(lat, lon, epoch):
    """Apparent elevation of the Sun's centre at a lunar site (flat horizon), deg."""
    from .. import moon as _moon

    _, el, _ = _moon.look_angles(lat, lon, 0.0, epoch, "sun")
    return float(np.degrees(el))
