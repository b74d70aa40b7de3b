"""Numerical orbit propagation (Cowell, GCRF): gravity field, third bodies, drag, SRP, events.

:class:`NumericalPropagator` integrates N stacked states with a compiled right-hand side
(:func:`_rhs`, numba) and, by default, the compiled DOP853 of :mod:`cosmoplan.integrators`
(Hairer, Norsett & Wanner, *Solving ODEs I*, sec. II.10; or Verner's 9(8), or SciPy's
DOP853 when Python code must run at every step). The force model (:class:`ForceModel`):

* Earth gravity: point mass plus either the EGM96 zonals J2..J6
  (:mod:`cosmoplan.forces.gravity`) or a full spherical-harmonic field to any degree and
  order from an ICGEM file (:mod:`cosmoplan.forces.gravity_field`: Holmes & Featherstone
  2002; EGM96 to degree 120 bundled), evaluated in ITRF: GCRF -> CIRS (IAU 2006/2000A with
  EOP, :mod:`cosmoplan.frames`) and polar motion are computed at the start of each
  propagation and held (they change by < 0.2 arcsec per day; against Orekit, which
  updates them continuously, 0.05 m after 7 days at GEO), the Earth rotation angle
  advances at the nominal rate;
* Sun and Moon point masses (DE421, Battin's form, :mod:`cosmoplan.forces.third_body`);
* drag, cannonball, in a co-rotating atmosphere (wind = omega_E x r): exponential,
  modified Harris-Priester (:mod:`cosmoplan.forces.atmosphere`) or NRLMSISE-00 with
  CelesTrak space weather (:mod:`cosmoplan.forces.nrlmsise`, Orekit's conventions);
  heights geodetic (WGS-84);
* solar radiation pressure, cannonball, with Orekit's conical shadow of the WGS-84 Earth
  and of the Moon (:mod:`cosmoplan.forces.srp`); shadow edges are integration
  boundaries, found as events, so no step straddles one.

Validation (tests/test_propagator_orekit_forces.py, test_propagator_nrlmsise.py, fixtures
from Orekit 13.1 by tools/oracle_force_models.py and tools/oracle_nrlmsise.py), largest
position difference over the run: LEO 24 h EGM96 20x20 0.14 m; + Sun/Moon 0.14 m; + SRP
0.1 m; + NRLMSISE-00 0.13 m; GEO 7 days and Molniya 3 days with 8x8 + Sun/Moon + SRP 0.05
and 0.09 m; a translunar trajectory 0.17 m at the Moon's sphere of influence; eclipse
entries/exits within 10 ms of Orekit's detector; the Jacobi integral of a harmonics-only
run constant to 1e-9 over 10 days.

Events (:class:`Event`, :func:`node_event`, :func:`apsis_event`, :func:`altitude_event`,
:func:`latitude_event`, :func:`station_event`, any ``g(t_s, r, v, frame)``) are located on
the dense output and can record, stop the propagation or apply a maneuver. Impulsive
maneuvers (:class:`ImpulsiveManeuver`) are applied at their epochs (the integration
restarts there). :meth:`NumericalPropagator.propagate_batch` propagates N states in one
call, the right-hand side parallel over the states (numba prange, every core).

Tolerances: ``rtol`` (default 1e-12) and ``atol_km`` (default 1e-9 km = 1 micrometre)
bound the local error per step; with these defaults the position error after one day in
LEO is 1-2 mm (:mod:`cosmoplan.integrators` tabulates error against tolerance in metres).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from numba import prange
from scipy.integrate import solve_ivp

from ._numba import jit
from .constants import (
    EARTH_ROTATION_RATE_RAD_S,
    EGM96_GM_KM3_S2,
    EGM96_J,
    EGM96_RADIUS_KM,
    MOON_RADIUS_KM,
    WGS84_A_KM,
    WGS84_E2,
    WGS84_F,
)
from .errors import CosmoplanError, InputError, PropagationError
from .forces.atmosphere import (
    EXPONENTIAL_TABLE,
    HARRIS_PRIESTER_LAG_RAD,
    HARRIS_PRIESTER_TABLE,
    exponential_density_kernel,
    harris_priester_density_kernel,
)
from .forces.gravity import zonal_accel_kernel
from .forces.gravity_field import kernel_work, recursion_coefficients, sh_accel_kernel
from .forces.srp import lighting_ratio_kernel, srp_accel_kernel
from .forces.third_body import GM_KM3_S2, hermite_position_kernel, third_body_accel_kernel
from .forces.thrust import thrust_accel_kernel
from .time import Epoch
from .trajectory import Trajectory

__all__ = ["Spacecraft", "ForceModel", "ImpulsiveManeuver", "NumericalPropagator",
           "PropagationResult", "BatchResult", "FiniteManeuver", "Event", "EventOccurrence",
           "EventFrame",
           "node_event",
           "apsis_event", "altitude_event", "latitude_event", "station_event"]

_ATMOSPHERES = {None: 0, "none": 0, "exponential": 1, "harris-priester": 2, "nrlmsise00": 3,
                "nrlmsise-00": 3}
REENTRY_RADIUS_KM = 6356.752 + 80.0
"""Propagation stops with PropagationError below this geocentric radius (80 km over the pole)."""


@dataclass(frozen=True)
class Spacecraft:
    """Physical properties that enter the force model.

    Attributes
    ----------
    name : str
    mass_kg : float
        Mass, kg (> 0).
    drag_area_m2 : float
        Cross-section for drag, m^2 (>= 0; 0 switches drag off for this vehicle).
    drag_coefficient : float
        C_D (dimensionless, typically 2.0-2.4 for a free-molecular flow).
    srp_area_m2 : float
        Cross-section for solar radiation pressure, m^2 (>= 0; 0 switches SRP off for
        this vehicle).
    reflectivity_coefficient : float
        C_R of the cannonball model (1 absorbing .. 2 mirror-like; default 1.5).
    """

    name: str = "spacecraft"
    mass_kg: float = 1000.0
    drag_area_m2: float = 0.0
    drag_coefficient: float = 2.2
    srp_area_m2: float = 0.0
    reflectivity_coefficient: float = 1.5

    def __post_init__(self):
        for fld, low, strict in (("mass_kg", 0.0, True), ("drag_area_m2", 0.0, False),
                                 ("drag_coefficient", 0.0, False), ("srp_area_m2", 0.0, False),
                                 ("reflectivity_coefficient", 0.0, False)):
            val = getattr(self, fld)
            if not _is_number(val) or not np.isfinite(val) or val < low \
                    or (strict and val == low):
                raise InputError(
                    f"{fld} must be a number {'>' if strict else '>='} {low}, got {val!r}",
                    field=fld, value=val)

    @property
    def srp_m2_kg(self):
        """C_R A_srp / m, m^2/kg (cannonball solar radiation pressure)."""
        return self.reflectivity_coefficient * self.srp_area_m2 / self.mass_kg

    @property
    def ballistic_m2_kg(self):
        """C_D A / m, m^2/kg."""
        return self.drag_coefficient * self.drag_area_m2 / self.mass_kg


@dataclass(frozen=True)
class ForceModel:
    """Which forces act (see the module docstring for the models and their sources).

    Attributes
    ----------
    zonal_degree : int
        0 (two-body) or 2..6 (J2..J_degree of EGM96).
    atmosphere : {None, 'exponential', 'harris-priester', 'nrlmsise00'}
        Density model for drag (None: no drag). NRLMSISE-00 (Picone et al. 2002, through
        pymsis) takes F10.7 and Ap from ``space_weather`` (a
        :class:`cosmoplan.forces.nrlmsise.SpaceWeather`; default the bundled CelesTrak
        file), with Orekit's conventions (:mod:`cosmoplan.forces.nrlmsise`); the
        integration restarts where the indices jump (00:00 UTC).
    gravity_degree, gravity_order : int
        Full spherical-harmonic field to this degree and order (0: the zonal model of
        ``zonal_degree``); ``gravity_field`` a :class:`~cosmoplan.forces.gravity_field.
        GravityField` (default EGM96 to degree 120, bundled).
    third_bodies : tuple of {'sun', 'moon'}
        Point-mass perturbations (DE421, indirect form).
    srp : bool
        Cannonball solar radiation pressure with conical Earth and Moon shadows.
    storm_ap : bool
        NRLMSISE-00 with the 7-value Ap history (switch 9 = -1) instead of the daily Ap.
    relativity : bool
        The Schwarzschild term of general relativity for the Earth (IERS Conventions 2010
        eq. 10.12, beta = gamma = 1; about 3e-9 of gravity in LEO).
    harris_priester_n : float
        Cosine exponent of the Harris-Priester bulge (2 for low inclinations, 6 polar).
    """

    zonal_degree: int = 6
    atmosphere: str | None = "harris-priester"
    harris_priester_n: float = 2.0
    mu: float = EGM96_GM_KM3_S2
    radius_km: float = EGM96_RADIUS_KM
    zonal_j: tuple = field(default=tuple(EGM96_J), repr=False)
    gravity_degree: int = 0
    gravity_order: int | None = None
    gravity_field: object = field(default=None, repr=False, compare=False)
    third_bodies: tuple = ()
    srp: bool = False
    space_weather: object = field(default=None, repr=False, compare=False)
    storm_ap: bool = False
    relativity: bool = False

    def __post_init__(self):
        self._check_high_fidelity()
        zd = self.zonal_degree
        if isinstance(zd, (bool, np.bool_)) or not isinstance(zd, (int, np.integer)) \
                or (zd not in (0, 1) and not 2 <= zd <= len(self.zonal_j) - 1):
            raise InputError(
                f"zonal_degree must be 0 or 2..{len(self.zonal_j) - 1}, got "
                f"{self.zonal_degree!r}", field="zonal_degree", value=self.zonal_degree)
        for fld, lo, hi in (("harris_priester_n", 1.0, 12.0), ("mu", 1.0, 1e12),
                            ("radius_km", 1.0, 1e6)):
            val = getattr(self, fld)
            if not (isinstance(val, (int, float, np.floating)) and np.isfinite(val)
                    and lo <= val <= hi):
                raise InputError(f"ForceModel.{fld} = {val!r} outside {lo:g}..{hi:g}",
                                 field=fld, value=val)
        atm = None if self.atmosphere is None else str(self.atmosphere).lower()
        if atm not in _ATMOSPHERES:
            raise InputError(
                f"unknown atmosphere {self.atmosphere!r}; use 'exponential', "
                "'harris-priester', 'nrlmsise00' or none", field="atmosphere",
                value=self.atmosphere)
        object.__setattr__(self, "atmosphere", None if atm in (None, "none") else atm)

    def _check_high_fidelity(self):
        from .forces.gravity_field import GravityField, default_field

        deg = self.gravity_degree
        if isinstance(deg, bool) or not isinstance(deg, (int, np.integer)) or deg < 0:
            raise InputError(f"gravity_degree must be a whole number >= 0 (0: zonal_degree "
                             f"only), got {deg!r}", field="gravity_degree", value=deg)
        if not deg and self.gravity_order is not None:
            raise InputError(f"gravity_order = {self.gravity_order!r} needs gravity_degree > 0 "
                             "(the full field; gravity_degree 0 is the zonal model)",
                             field="gravity_order", value=self.gravity_order)
        if deg:
            fld = self.gravity_field if self.gravity_field is not None else default_field()
            if not isinstance(fld, GravityField):
                raise InputError(f"gravity_field must be a GravityField (load_gfc), got "
                                 f"{type(fld).__name__}", field="gravity_field", value=fld)
            order = min(deg, fld.max_order) if self.gravity_order is None else self.gravity_order
            if isinstance(order, bool) or not isinstance(order, (int, np.integer)) \
                    or not 0 <= order <= deg:
                raise InputError(f"gravity_order must be in 0..gravity_degree ({deg}), got "
                                 f"{order!r}", field="gravity_order", value=order)
            if deg > fld.max_degree:
                raise InputError(f"gravity_degree {deg} is more than {fld.name} holds "
                                 f"({fld.max_degree})", field="gravity_degree", value=deg)
            if order > fld.max_order:
                raise InputError(f"gravity_order {order} is more than {fld.name} holds "
                                 f"({fld.max_order})", field="gravity_order", value=order)
            object.__setattr__(self, "gravity_field", fld)
            object.__setattr__(self, "gravity_order", int(order))
            object.__setattr__(self, "mu", float(fld.mu))
            object.__setattr__(self, "radius_km", float(fld.radius_km))
        tb = () if self.third_bodies is None else self.third_bodies
        if isinstance(tb, (str, bytes)) or not hasattr(tb, "__iter__"):
            raise InputError(f"third_bodies must be a sequence of names, e.g. ('sun', 'moon') or "
                             f"('sun',), got {tb!r}", field="third_bodies", value=tb)
        bodies = tuple(str(b).lower() for b in tb)
        bad = [b for b in bodies if b not in ("sun", "moon")]
        if bad or len(set(bodies)) != len(bodies):
            raise InputError(f"third_bodies must be distinct names among 'sun', 'moon', got "
                             f"{self.third_bodies!r}", field="third_bodies",
                             value=self.third_bodies)
        object.__setattr__(self, "third_bodies", bodies)
        for name in ("srp", "storm_ap", "relativity"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise InputError(f"{name} must be True or False, got {getattr(self, name)!r}",
                                 field=name, value=getattr(self, name))
        if self.space_weather is not None:
            from .forces.nrlmsise import SpaceWeather

            if not isinstance(self.space_weather, SpaceWeather):
                raise InputError(f"space_weather must be a SpaceWeather (SpaceWeather.from_csv("
                                 f"path)) or None, got {self.space_weather!r}",
                                 field="space_weather", value=self.space_weather)

    def describe(self):
        """One line saying what is modelled, for reports."""
        if self.gravity_degree:
            grav = (f"{self.gravity_field.name} {self.gravity_degree}x{self.gravity_order}")
        else:
            grav = ("two-body" if self.zonal_degree < 2
                    else f"EGM96 zonals J2..J{self.zonal_degree}")
        parts = [grav]
        if self.third_bodies:
            parts.append(" + ".join(b.title() for b in self.third_bodies) + " point mass")
        parts.append(f"{self.atmosphere} drag" if self.atmosphere else "no drag")
        if self.srp:
            parts.append("SRP (cannonball, conical Earth and Moon shadows)")
        if self.relativity:
            parts.append("relativity (Schwarzschild)")
        return ", ".join(parts)


@dataclass(frozen=True)
class ImpulsiveManeuver:
    """An instantaneous velocity change.

    Attributes
    ----------
    epoch : Epoch
        When it is applied (scalar epoch).
    dv : tuple of 3 floats
        Delta-v components, km/s, in ``frame``.
    frame : {'LVLH', 'RSW', 'GCRF'}
        Frame of ``dv``; LVLH and RSW are those of the spacecraft's own state at the burn
        (:func:`cosmoplan.frames.lvlh_matrix`).
    name : str
        Label used in tables.
    """

    epoch: Epoch
    dv: tuple
    frame: str = "LVLH"
    name: str = ""

    def __post_init__(self):
        dv = np.asarray(self.dv, dtype=float)
        if dv.shape != (3,) or not np.all(np.isfinite(dv)):
            raise InputError(f"a maneuver's dv must be 3 finite numbers (km/s), got {self.dv!r}",
                             field="dv", value=self.dv)
        object.__setattr__(self, "dv", tuple(float(x) for x in dv))
        if str(self.frame).upper() not in ("LVLH", "RSW", "RTN", "GCRF"):
            raise InputError(f"maneuver frame must be LVLH, RSW or GCRF, got {self.frame!r}",
                             field="frame", value=self.frame)
        object.__setattr__(self, "frame", str(self.frame).upper())

    def dv_inertial(self, r, v):
        """The delta-v in GCRF (km/s) for a spacecraft at (r, v) GCRF."""
        from .frames import lvlh_matrix, rsw_matrix

        dv = np.asarray(self.dv)
        if self.frame == "GCRF":
            return dv
        m = lvlh_matrix(r, v) if self.frame == "LVLH" else rsw_matrix(r, v)
        return m.T @ dv


@dataclass(frozen=True)
class FiniteManeuver:
    """A finite burn: constant thrust along a direction fixed in an orbital or inertial
    frame, with the mass flow of the rocket equation (:mod:`cosmoplan.forces.thrust`).

    Attributes
    ----------
    start : Epoch
        Ignition (scalar epoch).
    duration_s : float
        Burn time, s (> 0).
    thrust_n : float
        Thrust, N (> 0).
    isp_s : float
        Specific impulse, s (> 0): mdot = thrust / (isp g0).
    direction : tuple of 3 floats
        Thrust direction in ``frame`` (normalised here).
    frame : {'LVLH', 'RSW', 'GCRF'}
        LVLH and RSW follow the spacecraft's own state during the burn.
    name : str
    """

    start: Epoch
    duration_s: float
    thrust_n: float
    isp_s: float
    direction: tuple = (1.0, 0.0, 0.0)
    frame: str = "LVLH"
    name: str = ""

    def __post_init__(self):
        from .forces.thrust import FRAME_CODES

        if not isinstance(self.start, Epoch) or self.start.ndim != 0:
            raise InputError(f"a finite maneuver's start must be one Epoch, got "
                             f"{self.start!r}", field="start", value=self.start)
        for fld in ("duration_s", "thrust_n", "isp_s"):
            v = getattr(self, fld)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer,
                                                         np.floating)) \
                    or not np.isfinite(v) or v <= 0:
                raise InputError(f"finite maneuver {self.name!r}: {fld} must be a positive "
                                 f"number, got {v!r}", field=fld, value=v)
            object.__setattr__(self, fld, float(v))
        try:
            d = np.asarray(self.direction, dtype=float).reshape(3)
        except (TypeError, ValueError):
            raise InputError(f"finite maneuver {self.name!r}: direction must be 3 numbers",
                             field="direction", value=self.direction) from None
        n = float(np.linalg.norm(d))
        if not np.isfinite(n) or n == 0.0:
            raise InputError(f"finite maneuver {self.name!r}: direction must be a non-zero "
                             f"finite vector, got {self.direction!r}", field="direction",
                             value=self.direction)
        object.__setattr__(self, "direction", tuple(float(x) for x in d / n))
        key = str(self.frame).upper()
        if key not in FRAME_CODES:
            raise InputError(f"finite maneuver frame must be LVLH, RSW or GCRF, got "
                             f"{self.frame!r}", field="frame", value=self.frame)
        object.__setattr__(self, "frame", key)

    def mass_flow_kg_s(self):
        """Propellant flow, kg/s."""
        from .forces.thrust import G0_M_S2

        return self.thrust_n / (self.isp_s * G0_M_S2)


def _burn_table(burns, epoch0, mass_kg):
    """Kernel rows for finite burns (time order), each starting from the mass the previous
    ones left; InputError if the propellant would exceed the spacecraft's mass."""
    from .forces.thrust import FRAME_CODES

    rows, mass = [], float(mass_kg)
    for b in sorted(burns, key=lambda b: float(b.start - epoch0)):
        t0 = float(b.start - epoch0)
        mdot = b.mass_flow_kg_s()
        used = mdot * b.duration_s
        if used >= mass:
            raise InputError(f"finite maneuver {b.name!r} burns {used:.1f} kg of propellant "
                             f"but the spacecraft has {mass:.1f} kg left", field="duration_s",
                             value=b.duration_s)
        rows.append([t0, t0 + b.duration_s, b.thrust_n / mass / 1000.0, mdot / mass,
                     FRAME_CODES[b.frame], *b.direction])
        mass -= used
    return np.array(rows, dtype=float).reshape(-1, 8)


_NO_BURNS = np.zeros((0, 8))


@dataclass(frozen=True)
class Event:
    """A condition watched during propagation: it occurs where ``g`` changes sign.

    Attributes
    ----------
    name : str
        Label of its occurrences.
    g : callable
        ``g(t_s, r, v, frame) -> float``: ``t_s`` seconds from the propagation's initial
        epoch, ``r``, ``v`` GCRF km and km/s (shape (3,)), ``frame`` an :class:`EventFrame`
        giving the Earth-fixed and CIRS positions the built-in events use. Continuous
        near its roots.
    direction : {0, 1, -1}
        Occurs on any sign change (0), only when ``g`` increases (1) or decreases (-1).
    action : {'record', 'stop'} or ImpulsiveManeuver
        Record it; stop the propagation there (the last sample is the event's state); or
        apply the maneuver's dv (its ``dv`` and ``frame``; its epoch is ignored) and go on.

    Occurrences are located by the integrator's event finder on its dense output
    (Brent's method to ~1e-12 relative: far below 1 ms) and listed in
    :attr:`PropagationResult.events`. See :func:`node_event`, :func:`apsis_event`,
    :func:`altitude_event`, :func:`latitude_event`, :func:`station_event`.
    """

    name: str
    g: object
    direction: int = 0
    action: object = "record"

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise InputError(f"an event's name must be a string, got {self.name!r}",
                             field="name", value=self.name)
        if not callable(self.g):
            raise InputError(f"event {self.name!r}: g must be callable g(t_s, r, v, frame)",
                             field="g", value=self.g)
        if not _is_number(self.direction) or self.direction not in (0, 1, -1):
            raise InputError(f"event {self.name!r}: direction must be 0, 1 or -1, got "
                             f"{self.direction!r}", field="direction", value=self.direction)
        if not ((isinstance(self.action, str) and self.action in ("record", "stop"))
                or isinstance(self.action, ImpulsiveManeuver)):
            raise InputError(f"event {self.name!r}: action must be 'record', 'stop' or an "
                             f"ImpulsiveManeuver, got {self.action!r}", field="action",
                             value=self.action)


class EventOccurrence(NamedTuple):
    """One occurrence: ``epoch`` (Epoch), ``name``, and the GCRF ``r`` (km), ``v`` (km/s)
    there (before a maneuver the event applies)."""

    epoch: Epoch
    name: str
    r: np.ndarray
    v: np.ndarray


class EventFrame:
    """Earth orientation during a propagation, as the force model holds it (GCRF -> CIRS
    fixed at the initial epoch, the Earth rotation angle advancing at the nominal rate,
    polar motion held): ``cirs(r)`` and ``itrf(t_s, r)`` for the built-in events."""

    def __init__(self, c, w, era0, omega):
        self.c, self.w, self.era0, self.omega = c, w, era0, omega

    def cirs(self, r):
        return self.c @ r

    def itrf(self, t_s, r):
        p = self.c @ r
        th = self.era0 + self.omega * t_s
        ct, st = np.cos(th), np.sin(th)
        return self.w @ np.array([ct * p[0] + st * p[1], -st * p[0] + ct * p[1], p[2]])


def node_event(which="any", action="record"):
    """Equator crossings (CIRS: the true equator of date): ``which`` 'ascending',
    'descending' or 'any'."""
    d = {"ascending": 1, "descending": -1, "any": 0}.get(which)
    if d is None:
        raise InputError(f"which must be ascending, descending or any, got {which!r}",
                         field="which", value=which)
    return Event(f"{which} node" if d else "node", lambda t, r, v, f: f.cirs(r)[2], d, action)


def apsis_event(which="any", action="record"):
    """Periapsis ('periapsis': r.v rising through 0), apoapsis, or either ('any')."""
    d = {"periapsis": 1, "apoapsis": -1, "any": 0}.get(which)
    if d is None:
        raise InputError(f"which must be periapsis, apoapsis or any, got {which!r}",
                         field="which", value=which)
    return Event(which if d else "apsis", lambda t, r, v, f: float(r @ v), d, action)


def altitude_event(altitude_km, direction=0, action="record"):
    """Geodetic (WGS-84) altitude crossing ``altitude_km`` (direction -1: descending
    through it, e.g. with action 'stop' for an entry interface)."""
    h = _finite_number(altitude_km, "altitude_km")
    return Event(f"altitude {h:g} km",
                 lambda t, r, v, f: _geodetic_height(*f.cirs(r)) - h, direction, action)


def latitude_event(latitude_deg, direction=0, action="record"):
    """Geodetic latitude crossing ``latitude_deg``."""
    from .frames import itrf_to_geodetic

    lat_deg = _finite_number(latitude_deg, "latitude_deg", -90.0, 90.0)
    lat = np.radians(lat_deg)
    return Event(f"latitude {lat_deg:g} deg",
                 lambda t, r, v, f: float(itrf_to_geodetic(f.cirs(r))[0]) - lat,
                 direction, action)


def station_event(station, min_elevation_deg=None, action="record", which="any"):
    """Rise (g increasing) and set of the spacecraft above a ground station's mask.

    ``which``: 'rise' (named "<station> rise"), 'set' ("<station> set") or 'any'
    ("<station> pass", both); ``station``: a :class:`cosmoplan.access.GroundStation` or
    bundled station name;
    ``min_elevation_deg``: default the station's own mask. Geometric elevation above the
    WGS-84 ellipsoid normal (:func:`cosmoplan.frames.topocentric_azel`).
    """
    from .access import _resolve_one
    from .frames import topocentric_azel

    st = _resolve_one(station)
    mask = np.radians(st.min_elevation_deg if min_elevation_deg is None
                      else _finite_number(min_elevation_deg, "min_elevation_deg", -90.0, 90.0))

    def g(t, r, v, f):
        return float(topocentric_azel(f.itrf(t, r), st.lat, st.lon, st.height_km)[1]) - mask

    d = {"rise": 1, "set": -1, "any": 0}.get(which)
    if d is None:
        raise InputError(f"which must be rise, set or any, got {which!r}", field="which",
                         value=which)
    return Event(f"{st.name} {'pass' if d == 0 else which}", g, d, action)


def _is_number(value):
    """A real number (int or float, numpy's too), not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) \
        and not isinstance(value, (bool, np.bool_))


def _finite_number(value, name, lo=-math.inf, hi=math.inf):
    """float(value) if it is a finite number within [lo, hi]; InputError otherwise."""
    if not (_is_number(value) and math.isfinite(value) and lo <= value <= hi):
        rng = "" if math.isinf(lo) else f" within {lo:g}..{hi:g}"
        raise InputError(f"{name} must be a finite number{rng}, got {value!r}", field=name,
                         value=value)
    return float(value)


def _crossed(g0, g1, direction):
    """Whether g went from g0 to g1 through 0 in ``direction`` (0 at g0 is no crossing)."""
    return (g0 < 0.0 <= g1 and direction >= 0) or (g0 > 0.0 >= g1 and direction <= 0)


def _event_value(ev, t, y, frame):
    """``ev.g`` at (t, y) as a float; InputError or PropagationError naming the event if g
    raises, or returns something else than a finite number."""
    try:
        val = ev.g(t, y[:3], y[3:6], frame)
    except CosmoplanError:
        raise
    except Exception as exc:
        raise PropagationError(f"event {ev.name!r}: g(t_s, r, v, frame) raised "
                               f"{type(exc).__name__} at t_s = {t:.6g}: {exc}") from exc
    try:
        if isinstance(val, (str, bytes, bool, np.bool_)):
            raise TypeError
        x = float(val)
    except (TypeError, ValueError):
        raise InputError(f"event {ev.name!r}: g(t_s, r, v, frame) must return a number (a "
                         f"signed function that crosses 0 at the event), got {val!r}",
                         field="events", value=val) from None
    if not math.isfinite(x):
        raise InputError(f"event {ev.name!r}: g(t_s, r, v, frame) returned {x!r} at t_s = "
                         f"{t:.6g}; it must be finite", field="events", value=x)
    return x


@jit
def _geodetic_height(x, y, z):
    """WGS-84 geodetic height (km) of a point given in a pole-aligned frame (Vallado Alg. 12)."""
    rxy = np.sqrt(x * x + y * y)
    lat = np.arctan2(z, rxy * (1.0 - WGS84_E2))
    for _ in range(4):
        sl = np.sin(lat)
        n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sl * sl)
        lat = np.arctan2(z + n * WGS84_E2 * sl, rxy)
    sl = np.sin(lat)
    cl = np.cos(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sl * sl)
    if cl > 0.1:
        return rxy / cl - n
    return z / sl - n * (1.0 - WGS84_E2)


_C_KM_S = 299792.458
"""Speed of light, km/s."""


def _rhs(t, y, nsat, c, w, era0, mu, radius, jn, nmax, atm, exp_table, hp_table, hp_n,
         sun_t0, sun_dt, sun_u, bc, omega, sh_n, sh_m, sh_c, sh_s, sh_rec, sh_work,
         b_t0, b_dt, b_pos, b_vel, b_gm, b_use, srp_k, use_srp, earth_a, earth_f, moon_r,
         rho_in, burns, use_gr):
    """Right-hand side of N stacked states (compiled twice: serial and, for batches,
    parallel over the states with numba's prange)."""
    out = np.empty_like(y)
    # Sun (body 0) and Moon (body 1), geocentric GCRF, from the Hermite tables
    sun_x, sun_y, sun_z = hermite_position_kernel(b_t0, b_dt, b_pos[0], b_vel[0], t)
    moon_x, moon_y, moon_z = hermite_position_kernel(b_t0, b_dt, b_pos[1], b_vel[1], t)
    # CIRS -> ITRF at t: W R3(ERA); the zonal field is symmetric about the ITRF z axis.
    th = era0 + omega * t
    ct, st = np.cos(th), np.sin(th)
    m = np.empty((3, 3))
    for a in range(3):
        m[a, 0] = w[a, 0] * ct - w[a, 1] * st
        m[a, 1] = w[a, 0] * st + w[a, 1] * ct
        m[a, 2] = w[a, 2]
    for i in prange(nsat):
        k = 6 * i
        gx, gy, gz = y[k], y[k + 1], y[k + 2]
        # GCRF -> CIRS
        px = c[0, 0] * gx + c[0, 1] * gy + c[0, 2] * gz
        py = c[1, 0] * gx + c[1, 1] * gy + c[1, 2] * gz
        pz = c[2, 0] * gx + c[2, 1] * gy + c[2, 2] * gz
        # CIRS -> ITRF, zonal acceleration there, back to CIRS
        qx = m[0, 0] * px + m[0, 1] * py + m[0, 2] * pz
        qy = m[1, 0] * px + m[1, 1] * py + m[1, 2] * pz
        qz = m[2, 0] * px + m[2, 1] * py + m[2, 2] * pz
        if sh_n > 0:
            work = sh_work if nsat == 1 else np.empty_like(sh_work)  # one per thread
            bx, by, bz = sh_accel_kernel(qx, qy, qz, mu, radius, sh_c, sh_s, sh_n, sh_m,
                                         sh_rec, work)
        else:
            bx, by, bz = zonal_accel_kernel(qx, qy, qz, mu, radius, jn, nmax)
        ax = m[0, 0] * bx + m[1, 0] * by + m[2, 0] * bz
        ay = m[0, 1] * bx + m[1, 1] * by + m[2, 1] * bz
        az = m[0, 2] * bx + m[1, 2] * by + m[2, 2] * bz
        if atm > 0 and bc[i] > 0.0:
            vx = c[0, 0] * y[k + 3] + c[0, 1] * y[k + 4] + c[0, 2] * y[k + 5]
            vy = c[1, 0] * y[k + 3] + c[1, 1] * y[k + 4] + c[1, 2] * y[k + 5]
            vz = c[2, 0] * y[k + 3] + c[2, 1] * y[k + 4] + c[2, 2] * y[k + 5]
            # co-rotating atmosphere
            wx = vx + omega * py
            wy = vy - omega * px
            wz = vz
            h = _geodetic_height(px, py, pz)
            if atm == 3:  # NRLMSISE-00, evaluated by the caller for this state
                rho = rho_in[i]
            elif atm == 1:
                rho = exponential_density_kernel(h, exp_table)
            else:
                f = (t - sun_t0) / sun_dt
                j = int(np.floor(f))
                if j < 0:
                    j = 0
                if j > sun_u.shape[0] - 2:
                    j = sun_u.shape[0] - 2
                f = f - j
                sx = sun_u[j, 0] * (1 - f) + sun_u[j + 1, 0] * f
                sy = sun_u[j, 1] * (1 - f) + sun_u[j + 1, 1] * f
                sz = sun_u[j, 2] * (1 - f) + sun_u[j + 1, 2] * f
                sn = np.sqrt(sx * sx + sy * sy + sz * sz)
                r = np.sqrt(px * px + py * py + pz * pz)
                cos_psi = (sx * px + sy * py + sz * pz) / (sn * r)
                rho = harris_priester_density_kernel(h, cos_psi, hp_n, hp_table)
            wn = np.sqrt(wx * wx + wy * wy + wz * wz)
            # a [km/s^2] = -1/2 rho [kg/m^3] bc [m^2/kg] |w| w [km^2/s^2] * 1e3
            kd = -0.5 * rho * bc[i] * wn * 1.0e3
            ax += kd * wx
            ay += kd * wy
            az += kd * wz
        # CIRS -> GCRF (transpose)
        out[k] = y[k + 3]
        out[k + 1] = y[k + 4]
        out[k + 2] = y[k + 5]
        gax = c[0, 0] * ax + c[1, 0] * ay + c[2, 0] * az
        gay = c[0, 1] * ax + c[1, 1] * ay + c[2, 1] * az
        gaz = c[0, 2] * ax + c[1, 2] * ay + c[2, 2] * az
        # third bodies and SRP in GCRF
        if b_use[0]:
            tx, ty, tz = third_body_accel_kernel(gx, gy, gz, sun_x, sun_y, sun_z, b_gm[0])
            gax += tx
            gay += ty
            gaz += tz
        if b_use[1]:
            tx, ty, tz = third_body_accel_kernel(gx, gy, gz, moon_x, moon_y, moon_z, b_gm[1])
            gax += tx
            gay += ty
            gaz += tz
        if use_gr:  # Schwarzschild term, IERS Conventions 2010 eq. 10.12 (beta = gamma = 1)
            vx_, vy_, vz_ = y[k + 3], y[k + 4], y[k + 5]
            rr = np.sqrt(gx * gx + gy * gy + gz * gz)
            vv = vx_ * vx_ + vy_ * vy_ + vz_ * vz_
            rv = gx * vx_ + gy * vy_ + gz * vz_
            kg = mu / (_C_KM_S * _C_KM_S * rr * rr * rr)
            f = 4.0 * mu / rr - vv
            gax += kg * (f * gx + 4.0 * rv * vx_)
            gay += kg * (f * gy + 4.0 * rv * vy_)
            gaz += kg * (f * gz + 4.0 * rv * vz_)
        if burns.shape[0] > 0:  # finite maneuvers (thrust along a frame, mass flow)
            tx, ty, tz = thrust_accel_kernel(t, gx, gy, gz, y[k + 3], y[k + 4], y[k + 5],
                                             burns)
            gax += tx
            gay += ty
            gaz += tz
        if use_srp and srp_k[i] > 0.0:
            # the Earth's pole (CIRS z) in GCRF is the third row of GCRF -> CIRS
            tx, ty, tz = srp_accel_kernel(gx, gy, gz, sun_x, sun_y, sun_z, moon_x, moon_y,
                                          moon_z, c[2, 0], c[2, 1], c[2, 2], srp_k[i],
                                          earth_a, earth_f, moon_r, 0)
            gax += tx
            gay += ty
            gaz += tz
        out[k + 3] = gax
        out[k + 4] = gay
        out[k + 5] = gaz
    return out


SHADOW_EDGE = 1e-6
"""Lighting-ratio levels that mark the penumbra's edges (nu = SHADOW_EDGE, 1 - SHADOW_EDGE):
with SRP on, the integration stops and restarts there, so no step straddles a shadow edge
(a straddling step costs ~1e-6 m/s per edge: ~1 m after a day in LEO, as in Orekit). The
level sits above the ~1e-9 rounding noise of the overlap formula, and is reached within
~1 ms of the geometric edge in LEO (the visible area grows as the 3/2 power of the depth)."""


@jit
def _lighting_kernel(t, y, c, b_t0, b_dt, b_pos, b_vel, earth_a, earth_f, moon_r):
    """Lighting ratio nu of the first state of y at t (0 umbra .. 1 full Sun)."""
    sx, sy, sz = hermite_position_kernel(b_t0, b_dt, b_pos[0], b_vel[0], t)
    mx, my, mz = hermite_position_kernel(b_t0, b_dt, b_pos[1], b_vel[1], t)
    return lighting_ratio_kernel(y[0], y[1], y[2], sx, sy, sz, mx, my, mz, c[2, 0], c[2, 1],
                                 c[2, 2], earth_a, earth_f, moon_r, 0)


_rhs_kernel = jit(_rhs)
_rhs_kernel_parallel = jit(parallel=True)(_rhs)
PARALLEL_MIN_STATES = 32
"""Batches of at least this many states use the parallel right-hand side (all cores)."""


@jit
def _watch_kernel(t, y, nsat, r2min, use_edges, c, b_t0, b_dt, b_pos, b_vel, earth_a,
                  earth_f, moon_r, edge):
    """Compiled events: [min r^2 - R_reentry^2] and, with SRP edges, the four lighting-ratio
    levels (penumbra entry/exit at 1 - edge, umbra entry/exit at edge)."""
    out = np.empty(5 if use_edges else 1)
    m = 1e300
    for i in range(nsat):
        k = 6 * i
        rr = y[k] * y[k] + y[k + 1] * y[k + 1] + y[k + 2] * y[k + 2]
        if rr < m:
            m = rr
    out[0] = m - r2min
    if use_edges:
        nu = _lighting_kernel(t, y, c, b_t0, b_dt, b_pos, b_vel, earth_a, earth_f, moon_r)
        out[1] = nu - (1.0 - edge)
        out[2] = nu - (1.0 - edge)
        out[3] = nu - edge
        out[4] = nu - edge
    return out


SCIPY_MAX_EVALUATIONS = 12_000_000
"""The SciPy path's budget of right-hand sides per arc (about the compiled integrators'
``max_steps`` of 1e6 steps): beyond it, PropagationError."""
STALL_EVALUATIONS = 100_000
STALL_MIN_SPAN_S = 20.0
"""The SciPy path raises PropagationError when STALL_EVALUATIONS right-hand sides advance
less than this many seconds (steps of ~2 ms; a day of LEO takes ~1e4 right-hand sides): a
re-entering vehicle in NRLMSISE-00, whose single-precision densities make the steps tiny
below ~110 km, fails so near 97 km (after ~30 s) instead of crawling for hours; a stop
event at 100 km is still reached."""

INTEGRATORS = ("dop853", "verner98", "scipy")
"""``NumericalPropagator(integrator=...)``: the compiled DOP853 or Verner 9(8) of
:mod:`cosmoplan.integrators` (whole step loop in numba), or SciPy's DOP853 (a Python call
per step). Runs that evaluate Python code at every step (NRLMSISE-00 densities, user
events) use SciPy's."""


@dataclass
class PropagationResult:
    """What :meth:`NumericalPropagator.propagate` returns.

    Attributes
    ----------
    trajectory : Trajectory
        All samples (GCRF); at a burn epoch the post-burn state is kept.
    arcs : list of Trajectory
        The ballistic arcs between burns, each sampled on its own (for OEM segments).
    maneuvers : list of ImpulsiveManeuver
        The burns applied, in time order.
    dv_gcrf : ndarray, shape (K, 3)
        Each burn in GCRF, km/s.
    events : list of EventOccurrence
        Every occurrence of the watched :class:`Event` s and, with SRP on, every
        penumbra/umbra entry and exit of the Earth's and the Moon's shadows (conical, the
        lighting ratio crossing :data:`SHADOW_EDGE` from 1 or 0), in time order, located
        by the integrator's event finder on its dense output and used as integration
        boundaries.
    stopped : EventOccurrence or None
        The event that stopped the propagation (its state is the last sample).
    """

    trajectory: Trajectory
    arcs: list
    maneuvers: list
    dv_gcrf: np.ndarray
    events: list = field(default_factory=list)
    stopped: object = None

    @property
    def shadow_events(self):
        """``[(epoch, kind), ...]`` of the shadow entries and exits in :attr:`events`."""
        return [(e.epoch, e.name) for e in self.events
                if e.name.startswith(("penumbra ", "umbra "))]

    @property
    def final(self):
        """(r, v) at the last sample, km and km/s GCRF."""
        return self.trajectory.r[-1].copy(), self.trajectory.v[-1].copy()


class _NoBreaks:
    """A density provider whose discontinuities were already handled by the caller."""

    def __init__(self, provider):
        self._p = provider

    def __call__(self, t, r):
        return self._p(t, r)

    def discontinuities(self, t0, t1):
        return []


@dataclass
class BatchResult:
    """What :meth:`NumericalPropagator.propagate_batch` returns.

    Attributes
    ----------
    epochs : Epoch, shape (M,)
    states : ndarray, shape (N, M, 6)
        GCRF positions (km) and velocities (km/s) of each state at each epoch.
    """

    epochs: Epoch
    states: np.ndarray

    def trajectory(self, i, name=None):
        """State ``i`` as a :class:`~cosmoplan.trajectory.Trajectory` (GCRF)."""
        return Trajectory(self.epochs, self.states[i, :, :3], self.states[i, :, 3:],
                          frame="GCRF", name=name)


class NumericalPropagator:
    """Cowell propagation in GCRF with J2..Jn zonals and drag (SciPy DOP853).

    Parameters
    ----------
    force_model : ForceModel
    rtol : float
        Relative tolerance of the integrator (default 1e-12).
    atol_km : float
        Absolute tolerance on positions, km (velocities get atol_km / 1000 s).

    Examples
    --------
    >>> prop = NumericalPropagator(ForceModel(zonal_degree=2, atmosphere=None))
    >>> t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    >>> traj = prop.propagate(t0, [6778.0, 0, 0], [0, 7.6686, 0], duration_s=5400,
    ...                       step_s=60).trajectory
    >>> len(traj)
    91
    """

    def __init__(self, force_model=None, *, rtol=1e-12, atol_km=1e-9, integrator="dop853"):
        if force_model is None:
            force_model = ForceModel()
        if not isinstance(force_model, ForceModel):
            raise InputError(f"force_model must be a ForceModel, got {force_model!r}",
                             field="force_model", value=force_model)
        self.force_model = force_model
        for name, val in (("rtol", rtol), ("atol_km", atol_km)):
            if not _is_number(val):
                raise InputError(f"{name} must be a number, got {val!r}", field=name, value=val)
        if not (0 < rtol < 1e-3) or not (0 < atol_km < 1.0):
            raise InputError(f"tolerances out of range: rtol={rtol}, atol_km={atol_km}",
                             field="rtol", value=rtol)
        if integrator not in INTEGRATORS:
            raise InputError(f"integrator must be one of {', '.join(INTEGRATORS)}, got "
                             f"{integrator!r}", field="integrator", value=integrator)
        self.rtol = float(rtol)
        self.atol_km = float(atol_km)
        self.integrator = integrator
        self.rhs_evaluations = 0
        """Right-hand-side evaluations of the last propagate* call (for benchmarks)."""

    # ----------------------------------------------------------------- internals
    def _context(self, epoch0, t_lo, t_hi):
        import erfa

        from .eop import default_eop
        from .frames import rotation_matrix

        fm = self.force_model
        c = np.ascontiguousarray(rotation_matrix(epoch0, "GCRF", "CIRS"))
        eop = default_eop().at(epoch0)
        tt = epoch0.tt
        w = np.ascontiguousarray(erfa.pom00(float(eop.xp), float(eop.yp),
                                            float(erfa.sp00(tt.jd1, tt.jd2))))
        ut1 = epoch0.ut1
        era0 = float(erfa.era00(ut1.jd1, ut1.jd2))
        atm = _ATMOSPHERES[fm.atmosphere]
        if atm == 2:
            from .ephemeris import sun_position_gcrf

            lo = min(t_lo, t_hi) - 3600.0
            hi = max(t_lo, t_hi) + 3600.0
            nodes = np.arange(lo, hi + 3600.0, 3600.0)
            sun = sun_position_gcrf(epoch0 + nodes)
            sun = sun / np.linalg.norm(sun, axis=-1, keepdims=True)
            sun = sun @ c.T  # to CIRS
            cl, sl = np.cos(HARRIS_PRIESTER_LAG_RAD), np.sin(HARRIS_PRIESTER_LAG_RAD)
            bulge = np.stack([cl * sun[:, 0] - sl * sun[:, 1], sl * sun[:, 0] + cl * sun[:, 1],
                              sun[:, 2]], axis=-1)
            sun_t0, sun_dt, sun_u = float(nodes[0]), 3600.0, np.ascontiguousarray(bulge)
        else:
            sun_t0, sun_dt, sun_u = 0.0, 1.0, np.zeros((2, 3))
        if fm.gravity_degree:
            fld = fm.gravity_field
            sh_n, sh_m = int(fm.gravity_degree), int(fm.gravity_order)
            sh_c = np.array(fld.c[:sh_n + 1, :sh_n + 1])  # writeable copies: one numba type
            sh_s = np.array(fld.s[:sh_n + 1, :sh_n + 1])
            sh_rec = np.array(recursion_coefficients(sh_n))
            sh_work = kernel_work(sh_n)
        else:
            sh_n, sh_m = 0, 0
            sh_c = sh_s = np.zeros((1, 1))
            sh_rec = np.zeros((3, 1, 1))
            sh_work = kernel_work(0)
        use = np.array([("sun" in fm.third_bodies), ("moon" in fm.third_bodies)])
        if use.any() or fm.srp:
            from .forces.third_body import body_table

            lo = min(t_lo, t_hi) - 2400.0
            span = abs(t_hi - t_lo) + 4800.0
            tables = [body_table(b, epoch0 + lo, span, 1200.0, origin=epoch0)
                      for b in ("sun", "moon")]
            b_t0, b_dt = float(tables[0].t0_s), float(tables[0].step_s)
            b_pos = np.ascontiguousarray(np.stack([tb.pos for tb in tables]))
            b_vel = np.ascontiguousarray(np.stack([tb.vel for tb in tables]))
        else:
            b_t0, b_dt = 0.0, 1.0
            b_pos = np.zeros((2, 2, 3))
            b_vel = np.zeros((2, 2, 3))
        provider = None
        if atm == 3:
            from .forces.nrlmsise import DensityProvider

            provider = DensityProvider(epoch0, fm.space_weather, storm_ap=fm.storm_ap)
        return dict(provider=provider, use_gr=bool(fm.relativity),
                    c=c, w=w, era0=era0, mu=fm.mu, radius=fm.radius_km,
                    jn=np.asarray(fm.zonal_j, float),
                    nmax=int(fm.zonal_degree), atm=atm, exp_table=EXPONENTIAL_TABLE,
                    hp_table=HARRIS_PRIESTER_TABLE, hp_n=float(fm.harris_priester_n),
                    sun_t0=sun_t0, sun_dt=sun_dt, sun_u=sun_u,
                    omega=EARTH_ROTATION_RATE_RAD_S, sh_n=sh_n, sh_m=sh_m, sh_c=sh_c,
                    sh_s=sh_s, sh_rec=sh_rec, sh_work=sh_work, b_t0=b_t0, b_dt=b_dt,
                    b_pos=b_pos, b_vel=b_vel,
                    b_gm=np.array([GM_KM3_S2["sun"], GM_KM3_S2["moon"]]), b_use=use,
                    use_srp=bool(fm.srp), earth_a=WGS84_A_KM, earth_f=WGS84_F,
                    moon_r=MOON_RADIUS_KM)

    def _integrate(self, ctx, y0, bc, t0, t1, t_eval=None, srp_k=None, record=None,
                   events=()):
        """Integrate the stacked states y0 (6N,) from t0 to t1 (s from the context epoch).

        With SRP on (one state), shadow edges are integration boundaries. ``events``
        (:class:`Event`, one state only) are watched; ``record`` (a list) receives
        ``(t, name, y)`` for every shadow edge and event occurrence. Returns
        ``(y_end, ys, t_stop)``: ``t_stop`` is the time a 'stop' event ended the arc (else
        None), and ``ys`` then holds only the samples before it.
        """
        nsat = y0.size // 6
        bc = np.ascontiguousarray(bc, dtype=float)
        srp_k = np.zeros(nsat) if srp_k is None else np.ascontiguousarray(srp_k, float)
        if t1 == t0:
            ys = None if t_eval is None else np.repeat(y0[:, None], len(t_eval), axis=1)
            return y0.copy(), ys, None
        provider = ctx.get("provider")
        cuts = list(ctx.get("splits", ()))
        if provider is not None:
            cuts += list(provider.discontinuities(t0, t1))
        if cuts:
            breaks = sorted(b for b in set(cuts)
                            if min(t0, t1) + 1e-6 < b < max(t0, t1) - 1e-6)
            if breaks:  # space-weather jumps, finite-burn ends: restart the integration
                if t1 < t0:
                    breaks = breaks[::-1]
                bounds = [t0, *breaks, t1]
                y, parts, t_stop = y0, [], None
                for a, b in zip(bounds[:-1], bounds[1:]):
                    te = None
                    if t_eval is not None:
                        te = np.asarray(t_eval, float)
                        lo, hi = min(a, b), max(a, b)
                        last = b == t1
                        te = te[(te >= lo) & ((te <= hi) if last else (te < hi))] if a < b \
                            else te[(te <= hi) & ((te >= lo) if last else (te > lo))]
                    y, ys, t_stop = self._integrate(
                        dict(ctx, provider=None if provider is None else _NoBreaks(provider),
                             splits=()), y, bc, a, b, te, srp_k, record, events)
                    if ys is not None:
                        parts.append(ys)
                    if t_stop is not None:
                        break
                ys = np.hstack(parts) if t_eval is not None else None
                return y, ys, t_stop
        rho_buf = np.zeros(nsat)
        args = (nsat, ctx["c"], ctx["w"], ctx["era0"], ctx["mu"], ctx["radius"], ctx["jn"],
                ctx["nmax"], ctx["atm"],
                ctx["exp_table"], ctx["hp_table"], ctx["hp_n"], ctx["sun_t0"], ctx["sun_dt"],
                ctx["sun_u"], bc, ctx["omega"], ctx["sh_n"], ctx["sh_m"], ctx["sh_c"],
                ctx["sh_s"], ctx["sh_rec"], ctx["sh_work"], ctx["b_t0"], ctx["b_dt"],
                ctx["b_pos"], ctx["b_vel"], ctx["b_gm"], ctx["b_use"], srp_k,
                ctx["use_srp"], ctx["earth_a"], ctx["earth_f"], ctx["moon_r"], rho_buf,
                ctx.get("burns", _NO_BURNS), ctx["use_gr"])

        kernel = _rhs_kernel_parallel if nsat >= PARALLEL_MIN_STATES else _rhs_kernel
        progress = [0, t0]  # right-hand sides evaluated, time reached at the last check

        def check_progress(t, y):
            """Called every STALL_EVALUATIONS SciPy right-hand sides: stop a run that crawls,
            or that has spent the compiled integrators' step budget."""
            n = progress[0]
            r = y.reshape(-1, 6)[:, :3]
            lowest = r[np.argmin(np.einsum("ij,ij->i", r, r))]
            h = _geodetic_height(*(ctx["c"] @ lowest))
            where = f"at t = {t:.3f} s from the start (lowest altitude {h:.1f} km)"
            if abs(t - progress[1]) < STALL_MIN_SPAN_S:
                why = ("NRLMSISE-00's single-precision densities force tiny steps deep in the "
                       "atmosphere: a vehicle this low is re-entering, add altitude_event(120, "
                       "-1, 'stop') to end there" if provider is not None and h < 200.0 else
                       "check the state, the spacecraft's area-to-mass ratio and the tolerances")
                raise PropagationError(
                    f"integration stalled: {STALL_EVALUATIONS} force evaluations advanced "
                    f"{abs(t - progress[1]):.3g} s {where}; {why}")
            if n >= SCIPY_MAX_EVALUATIONS:
                raise PropagationError(
                    f"integration failed: more than {SCIPY_MAX_EVALUATIONS} force evaluations "
                    f"{where} (rtol {self.rtol:g}, atol_km {self.atol_km:g}): split the span")
            progress[1] = t

        if provider is not None:
            frame = EventFrame(ctx["c"], ctx["w"], ctx["era0"], ctx["omega"])

            def fun(t, y):
                progress[0] += 1
                if progress[0] % STALL_EVALUATIONS == 0:
                    check_progress(t, y)
                p = y.reshape(-1, 6)[:, :3] @ frame.c.T
                th = frame.era0 + frame.omega * t
                ct, st = np.cos(th), np.sin(th)
                q = np.stack([ct * p[:, 0] + st * p[:, 1], -st * p[:, 0] + ct * p[:, 1],
                              p[:, 2]], -1) @ frame.w.T
                rho_buf[:] = provider(t, q)
                return kernel(t, y, *args)
        else:
            def fun(t, y):
                progress[0] += 1
                if progress[0] % STALL_EVALUATIONS == 0:
                    check_progress(t, y)
                return kernel(t, y, *args)

        def reentry(t, y):
            r = y.reshape(-1, 6)[:, :3]
            return float(np.min(np.einsum("ij,ij->i", r, r))) - REENTRY_RADIUS_KM ** 2

        reentry.terminal = True
        reentry.direction = -1
        watch = [reentry]  # (callable, name or None, action)
        actions = [None]
        if ctx["use_srp"] and nsat == 1 and srp_k[0] > 0.0:
            light = (ctx["c"], ctx["b_t0"], ctx["b_dt"], ctx["b_pos"], ctx["b_vel"],
                     ctx["earth_a"], ctx["earth_f"], ctx["moon_r"])

            def edge(level, direction):
                def g(t, y):
                    return _lighting_kernel(t, y, *light) - level

                g.terminal = True
                g.direction = direction
                return g

            # penumbra entry / exit (nu leaves / reaches 1), umbra entry / exit
            for level, direction, name in ((1.0 - SHADOW_EDGE, -1, "penumbra entry"),
                                           (1.0 - SHADOW_EDGE, 1, "penumbra exit"),
                                           (SHADOW_EDGE, -1, "umbra entry"),
                                           (SHADOW_EDGE, 1, "umbra exit")):
                watch.append(edge(level, direction))
                actions.append(("shadow", name))
        if events:
            if nsat != 1:
                raise InputError("events are watched for one state at a time",
                                 field="events")
            frame = EventFrame(ctx["c"], ctx["w"], ctx["era0"], ctx["omega"])
            for ev in events:
                def g(t, y, ev=ev):
                    return _event_value(ev, t, y, frame)

                g.terminal = True  # every occurrence is an integration boundary
                g.direction = ev.direction
                watch.append(g)
                actions.append(("event", ev))
        atol = np.tile(np.r_[np.full(3, self.atol_km), np.full(3, self.atol_km * 1e-3)], nsat)
        forward = t1 >= t0
        if self.integrator != "scipy" and provider is None and not events:
            return self._integrate_compiled(ctx, kernel, args, y0, t0, t1, t_eval, atol,
                                            len(watch) > 1, record)
        # restart at every watched occurrence (terminal events) so no step straddles one
        t_cur, y_cur, out_y = t0, y0, []
        recent = {}  # watched index -> time of its last occurrence
        n_skip, skip_from = 0, t0  # consecutive restarts on an occurrence already handled
        for _ in range(1_000_000):
            te = None if t_eval is None else np.asarray(t_eval, float)
            if te is not None:
                te = te[(te >= t_cur) & (te <= t1)] if forward else \
                    te[(te <= t_cur) & (te >= t1)]
                if out_y and te.size and te[0] == t_cur:
                    te = te[1:]  # already recorded at the restart
            g_start = [w(t_cur, y_cur) for w in watch]
            # t1 is always evaluated (the arc's end state), and kept only if asked for
            keep_end = te is not None and te.size and te[-1] == t1
            te_solve = None if te is None else (te if keep_end else np.r_[te, t1])
            sol = solve_ivp(fun, (t_cur, t1), y_cur, method="DOP853", rtol=self.rtol,
                            atol=atol, t_eval=te_solve, events=watch)
            self.rhs_evaluations += int(sol.nfev)
            if te is not None and te.size:
                got = np.asarray(sol.y, float).reshape(y0.size, -1)
                out_y.append(got[:, :min(te.size, got.shape[1])])
            if sol.status == 1 and sol.t_events[0].size:
                raise PropagationError(
                    f"a state re-entered (geocentric radius below {REENTRY_RADIUS_KM:.0f} km) "
                    f"{sol.t_events[0][0] - t0:.0f} s into the arc: add an altitude_event "
                    "with action 'stop' to end there")
            if sol.status == 1:
                hit = min((k for k in range(1, len(watch)) if sol.t_events[k].size),
                          key=lambda k: abs(float(sol.t_events[k][0]) - t_cur))
                t_hit = float(sol.t_events[hit][0])
                y_hit = np.asarray(sol.y_events[hit][0], float)
                # g exactly 0 where the arc (re)starts is no crossing, and the occurrence
                # the integration restarted on is found again there: step past both
                if t_hit == t_cur or (hit in recent and abs(t_hit - recent[hit]) < 1e-2):
                    skip_from = t_cur if n_skip == 0 else skip_from
                    n_skip += 1
                    if n_skip > 1000:  # 10 s: g is 0 all along (e.g. a clipped function)
                        what = actions[hit][1]
                        raise InputError(
                            f"event {getattr(what, 'name', what)!r}: g(t_s, r, v, frame) stays "
                            f"at 0 from t_s = {skip_from:.6g} to {t_cur:.6g}; g must change "
                            "sign where the event occurs", field="events")
                    t_hit = t_cur + (1e-2 if forward else -1e-2)
                    y_hit = solve_ivp(fun, (t_cur, t_hit), y_cur, method="DOP853",
                                      rtol=self.rtol, atol=atol).y[:, -1]
                    t_cur, y_cur = t_hit, y_hit
                    continue
                n_skip = 0
                # SciPy reports only the first of simultaneous terminal occurrences: any
                # other watched g that changed sign since t_cur occurred at t_hit as well
                y_at = y_hit.copy()
                hits = [hit] + [k for k in range(1, len(watch)) if k != hit and _crossed(
                    g_start[k], watch[k](t_hit, y_at), watch[k].direction)]
                for k in hits:
                    recent[k] = t_hit
                    kind, what = actions[k]
                    if kind == "shadow":
                        name = what
                        if not forward:  # backwards in time, entries and exits swap
                            name = name.replace("entry", "x").replace("exit", "entry") \
                                .replace("x", "exit")
                        if record is not None:
                            record.append((t_hit, name, y_at.copy()))
                        continue
                    if record is not None:
                        record.append((t_hit, what.name, y_at.copy()))
                    if what.action == "stop":
                        ys = (np.hstack(out_y) if out_y else np.zeros((y0.size, 0))) \
                            if t_eval is not None else None
                        return y_hit, ys, t_hit
                    if isinstance(what.action, ImpulsiveManeuver):
                        y_hit = y_hit.copy()
                        y_hit[3:6] += what.action.dv_inertial(y_hit[:3], y_hit[3:6])
                t_cur, y_cur = t_hit, y_hit
                continue
            if sol.status != 0:
                raise PropagationError(f"integration failed: {sol.message} (at t = "
                                       f"{float(sol.t[-1]):.3f} s; rtol {self.rtol:g}, atol_km "
                                       f"{self.atol_km:g})")
            y_end = sol.y[:, -1].copy()
            break
        else:  # pragma: no cover - a million occurrences
            raise PropagationError("too many events in one arc")
        ys = (np.hstack(out_y) if out_y else np.zeros((y0.size, 0))) \
            if t_eval is not None else None
        return y_end, ys, None

    def _integrate_compiled(self, ctx, kernel, args, y0, t0, t1, t_eval, atol, edges,
                            record):
        """The whole arc in :mod:`cosmoplan.integrators` (compiled step loop), restarting at
        shadow edges; same contract as :meth:`_integrate`."""
        from .integrators import STATUS_MESSAGES, dop853_solve, verner98_solve

        solve = verner98_solve if self.integrator == "verner98" else dop853_solve
        nsat = y0.size // 6
        forward = t1 >= t0
        ev_args = (nsat, REENTRY_RADIUS_KM ** 2, bool(edges), ctx["c"], ctx["b_t0"],
                   ctx["b_dt"], ctx["b_pos"], ctx["b_vel"], ctx["earth_a"], ctx["earth_f"],
                   ctx["moon_r"], SHADOW_EDGE)
        dirs = np.array([-1, -1, 1, -1, 1] if edges else [-1])
        names = (None, "penumbra entry", "penumbra exit", "umbra entry", "umbra exit")
        t_cur, y_cur, out_y = t0, np.asarray(y0, float), []
        for _ in range(1_000_000):
            te = None if t_eval is None else np.asarray(t_eval, float)
            if te is not None:
                te = te[(te >= t_cur) & (te <= t1)] if forward else \
                    te[(te <= t_cur) & (te >= t1)]
                if out_y and te.size and te[0] == t_cur:
                    te = te[1:]
            try:
                res = solve(kernel, args, t_cur, y_cur, t1, self.rtol, atol,
                            None if te is None or te.size == 0 else te, event=_watch_kernel,
                            event_args=ev_args, event_direction=dirs, event_terminal=True)
            except InputError as exc:
                if exc.field != "rhs":
                    raise
                raise PropagationError(
                    f"the accelerations are not finite at t = {t_cur:.3f} s (a huge "
                    "area-to-mass ratio?): integration failed") from None
            self.rhs_evaluations += int(res.n_rhs)
            if te is not None and te.size:
                done = te <= res.t_final if forward else te >= res.t_final
                out_y.append(np.asarray(res.y_out, float)[done].T)
            if res.status == 1:
                k = int(res.event_index[0])
                if k == 0:
                    raise PropagationError(
                        f"a state re-entered (geocentric radius below "
                        f"{REENTRY_RADIUS_KM:.0f} km) {res.t_final - t0:.0f} s into the arc: "
                        "add an altitude_event with action 'stop' to end there")
                name = names[k]
                if not forward:
                    name = name.replace("entry", "x").replace("exit", "entry") \
                        .replace("x", "exit")
                if record is not None:
                    record.append((float(res.t_final), name, np.array(res.y_final)))
                t_cur, y_cur = float(res.t_final), np.array(res.y_final, float)
                continue
            if res.status != 0:
                raise PropagationError(
                    f"integration failed: {STATUS_MESSAGES[res.status]} at t = "
                    f"{res.t_final:.3f} s (rtol {self.rtol:g}, atol_km {self.atol_km:g}): a span "
                    "too long for one call, tolerances too tight, or accelerations that are "
                    "not finite (e.g. a huge area-to-mass ratio)")
            y_end = np.array(res.y_final, float)
            break
        else:  # pragma: no cover
            raise PropagationError("too many shadow edges in one arc")
        ys = (np.hstack(out_y) if out_y else np.zeros((y0.size, 0))) \
            if t_eval is not None else None
        return y_end, ys, None

    # ----------------------------------------------------------------- public
    def propagate_states(self, epoch0, rv0, epoch1, *, spacecraft=None, maneuvers=()):
        """Final states of N spacecraft propagated together from ``epoch0`` to ``epoch1``.

        Parameters
        ----------
        epoch0, epoch1 : Epoch
            Start and end (scalar epochs; ``epoch1`` may precede ``epoch0``).
        rv0 : array_like, shape (N, 6) or (6,)
            GCRF states [km, km/s].
        spacecraft : Spacecraft or sequence of N Spacecraft
        maneuvers : sequence of sequences of ImpulsiveManeuver
            ``maneuvers[i]`` are the burns of state i (or one sequence for all when N = 1).

        Returns
        -------
        ndarray, shape (N, 6)
        """
        self.rhs_evaluations = 0
        rv0 = self._state_array(rv0)
        single = rv0.ndim == 1
        if rv0.shape[-1] != 6 or rv0.ndim > 2 or rv0.size == 0:
            raise InputError(f"rv0 must have shape (6,) or (N, 6), got {rv0.shape}",
                             field="rv0", value=rv0.shape)
        rv0 = rv0.reshape(-1, 6)
        n = rv0.shape[0]
        self._check_states(rv0, epoch0, "state")
        if not isinstance(epoch1, Epoch) or epoch1.ndim != 0:
            raise InputError(f"epoch1 must be one cosmoplan Epoch, got {epoch1!r}",
                             field="epoch1", value=epoch1)
        scs = self._spacecraft_list(spacecraft, n)
        maneuvers = list(() if maneuvers is None else maneuvers)
        if maneuvers and isinstance(maneuvers[0], ImpulsiveManeuver):
            maneuvers = [list(maneuvers)] * n if n == 1 else None
            if maneuvers is None:
                raise InputError("give one maneuver list per state for a batch", field="maneuvers")
        elif not maneuvers:
            maneuvers = [[] for _ in range(n)]
        try:
            maneuvers = [list(lst) for lst in maneuvers]
        except TypeError:
            raise InputError("maneuvers must be one sequence of ImpulsiveManeuver per state",
                             field="maneuvers", value=maneuvers) from None
        if len(maneuvers) != n:
            raise InputError(f"{len(maneuvers)} maneuver lists given for {n} states (one per "
                             "state, empty for none)", field="maneuvers")
        for lst in maneuvers:
            self._check_maneuvers(lst)
        t_end = float(epoch1 - epoch0)
        ctx = self._context(epoch0, 0.0, t_end)
        # a common set of burn times; each state gets its own dv at each of them
        times = sorted({float(m.epoch - epoch0) for lst in maneuvers for m in lst})
        times = [t for t in times if min(0.0, t_end) <= t <= max(0.0, t_end)]
        if t_end < 0:
            times = times[::-1]
        bc = np.array([s.ballistic_m2_kg for s in scs])
        srp_k = np.array([s.srp_m2_kg for s in scs])
        y = rv0.reshape(-1).copy()
        t = 0.0
        for tb in times:
            y = self._integrate(ctx, y, bc, t, tb, srp_k=srp_k)[0]
            t = tb
            y = self._apply_burns(y, maneuvers, epoch0, tb)
        y = self._integrate(ctx, y, bc, t, t_end, srp_k=srp_k)[0]
        out = y.reshape(n, 6)
        return out[0] if single else out

    def propagate_batch(self, epoch0, rv0, epochs, *, spacecraft=None):
        """N independent states (a Monte Carlo dispersion, a constellation) in one call.

        The N states are integrated as one stacked system whose right-hand side runs in
        parallel over the states on every core (numba ``prange``) once N >= 32; the step
        size is the smallest any state needs, so batch states of similar orbits together.
        Shadow edges are not integration boundaries here (a straddling step costs about
        a metre per day in LEO with SRP); events are for single propagations.

        Parameters
        ----------
        epoch0 : Epoch
            Common initial epoch (scalar).
        rv0 : array_like, shape (N, 6)
            GCRF states, km and km/s.
        epochs : Epoch, shape (M,)
            Output epochs, increasing from ``epoch0`` (or all decreasing: backwards).
        spacecraft : Spacecraft or sequence of N Spacecraft

        Returns
        -------
        BatchResult
            ``states`` of shape (N, M, 6).
        """
        self.rhs_evaluations = 0
        rv0 = self._state_array(rv0)
        if rv0.ndim != 2 or rv0.shape[1] != 6 or rv0.shape[0] == 0:
            raise InputError(f"rv0 must have shape (N, 6), got {rv0.shape}", field="rv0",
                             value=rv0.shape)
        self._check_states(rv0, epoch0, "state")
        if not isinstance(epochs, Epoch) or epochs.ndim != 1 or epochs.size == 0:
            raise InputError("epochs must be a 1-D cosmoplan Epoch array", field="epochs",
                             value=epochs)
        t_out = np.asarray(epochs - epoch0, float)
        d = np.diff(t_out)
        if not (np.all(d > 0) or np.all(d < 0)) and t_out.size > 1:
            raise InputError("epochs must be strictly monotonic", field="epochs")
        if t_out.size > 1 and (t_out[0] < 0 if d[0] > 0 else t_out[0] > 0):
            raise InputError(f"epochs must run away from epoch0: increasing from it, or all "
                             f"decreasing from it (backwards); they start {t_out[0]:g} s from "
                             f"it and {'in' if d[0] > 0 else 'de'}crease", field="epochs")
        n = rv0.shape[0]
        scs = self._spacecraft_list(spacecraft, n)
        t_end = float(t_out[-1])
        ctx = self._context(epoch0, min(0.0, float(t_out.min())), max(0.0, t_end))
        bc = np.array([sc.ballistic_m2_kg for sc in scs])
        srp_k = np.array([sc.srp_m2_kg for sc in scs])
        teval = t_out if t_out[0] != 0.0 else t_out
        y_end, ys, _ = self._integrate(ctx, rv0.reshape(-1).copy(), bc, 0.0, t_end,
                                       t_eval=teval, srp_k=srp_k)
        states = ys.reshape(n, 6, -1).transpose(0, 2, 1).copy()
        return BatchResult(epochs, states)

    @staticmethod
    def _state_array(rv0):
        try:
            return np.asarray(rv0, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"rv0 must be GCRF states [km, km/s] of 6 numbers, got {rv0!r}",
                             field="rv0", value=rv0) from None

    @staticmethod
    def _apply_burns(y, maneuvers, epoch0, tb):
        y = y.copy().reshape(-1, 6)
        for i, lst in enumerate(maneuvers):
            for m in lst:
                if abs(float(m.epoch - epoch0) - tb) < 1e-9:
                    y[i, 3:] += m.dv_inertial(y[i, :3], y[i, 3:])
        return y.reshape(-1)

    @staticmethod
    def _spacecraft_list(spacecraft, n):
        if spacecraft is None:
            return [Spacecraft()] * n
        if isinstance(spacecraft, Spacecraft):
            return [spacecraft] * n
        if isinstance(spacecraft, (str, bytes)) or not hasattr(spacecraft, "__iter__"):
            raise InputError(f"spacecraft must be a Spacecraft (or one per state), got "
                             f"{spacecraft!r}", field="spacecraft", value=spacecraft)
        scs = list(spacecraft)
        if len(scs) != n or not all(isinstance(s, Spacecraft) for s in scs):
            raise InputError(f"{len(scs)} spacecraft given for {n} states (each a Spacecraft)",
                             field="spacecraft")
        return scs

    @staticmethod
    def _check_states(rv, epoch, what="initial state"):
        """Finite states above the re-entry radius at an Epoch; InputError otherwise."""
        if not isinstance(epoch, Epoch) or epoch.ndim != 0:
            raise InputError(f"the {what}'s epoch must be one cosmoplan Epoch, got {epoch!r} "
                             "(use Epoch.from_iso(...))", field="epoch", value=epoch)
        if not np.all(np.isfinite(rv)):
            raise InputError(f"the {what} contains NaN or infinite values", field="state",
                             value=rv)
        radius = np.linalg.norm(np.atleast_2d(rv)[:, :3], axis=1)
        if np.any(radius < REENTRY_RADIUS_KM):
            raise InputError(
                f"the {what} lies {float(np.min(radius)):.1f} km from the Earth's centre, below "
                f"{REENTRY_RADIUS_KM:.0f} km (80 km altitude over the pole): positions are km "
                "from the Earth's centre", field="state", value=rv)

    @staticmethod
    def _check_maneuvers(mans):
        for m in mans:
            if not isinstance(m, ImpulsiveManeuver):
                raise InputError(f"maneuvers must be ImpulsiveManeuver objects, got {m!r}",
                                 field="maneuvers", value=m)

    def propagate(self, epoch0, r0, v0, *, epochs=None, duration_s=None, step_s=60.0,
                  maneuvers=(), spacecraft=None, name=None, events=(), finite_maneuvers=()):
        """Propagate one state and sample it, applying impulsive maneuvers.

        Parameters
        ----------
        epoch0 : Epoch
            Epoch of the initial state (scalar).
        r0, v0 : array_like, shape (3,)
            GCRF position (km) and velocity (km/s).
        epochs : Epoch, shape (M,), optional
            Output epochs (increasing, at or after ``epoch0``). If omitted, samples every
            ``step_s`` seconds over ``duration_s`` plus every burn epoch.
        duration_s : float, optional
            Span to propagate when ``epochs`` is omitted, s (> 0).
        step_s : float
            Sampling step, s.
        maneuvers : sequence of ImpulsiveManeuver
            Burns (any order; applied in time order). A burn at an output epoch shows its
            post-burn state there.
        spacecraft : Spacecraft, optional
            Mass and drag properties (default: no drag area).
        events : sequence of Event
            Conditions to watch (node, apsis, altitude, latitude, station rise/set, any
            ``g(t_s, r, v, frame)``); an event can record, stop the propagation, or apply a
            maneuver. With a 'stop' the trajectory ends at the event.
        finite_maneuvers : sequence of FiniteManeuver
            Finite burns (thrust along LVLH, RSW or GCRF with mass flow), each starting
            from the mass the previous ones left (``spacecraft.mass_kg`` at the start);
            the integration restarts at every ignition and cut-off.

        Returns
        -------
        PropagationResult
        """
        self.rhs_evaluations = 0
        sc = self._spacecraft_list(spacecraft, 1)[0]
        if events is None or isinstance(events, Event):
            events = [] if events is None else [events]
        try:
            events = list(events)
        except TypeError:
            raise InputError(f"events must be a sequence of Event objects, got {events!r}",
                             field="events", value=events) from None
        for ev in events:
            if not isinstance(ev, Event):
                raise InputError(f"events must be Event objects (node_event(), "
                                 f"station_event(), ...), got {ev!r}", field="events", value=ev)
        try:
            r0 = np.asarray(r0, float).reshape(3)
            v0 = np.asarray(v0, float).reshape(3)
        except (TypeError, ValueError):
            raise InputError("r0 and v0 must be 3 numbers each (km, km/s)", field="state",
                             value=(r0, v0)) from None
        self._check_states(np.r_[r0, v0], epoch0)
        maneuvers = () if maneuvers is None else maneuvers
        self._check_maneuvers(maneuvers)
        if not (isinstance(step_s, (int, float, np.floating)) and np.isfinite(step_s)
                and step_s > 0):
            raise InputError(f"step_s must be a positive number of seconds, got {step_s!r}",
                             field="step_s", value=step_s)
        mans = sorted(maneuvers, key=lambda m: float(m.epoch - epoch0))
        tb = [float(m.epoch - epoch0) for m in mans]
        if any(t < -1e-9 for t in tb):
            raise InputError("a maneuver precedes the initial epoch", field="maneuvers")
        if epochs is None:
            if not _is_number(duration_s) or not (np.isfinite(duration_s) and duration_s > 0):
                raise InputError("give output epochs or a positive, finite duration_s",
                                 field="duration_s", value=duration_s)
            if duration_s / step_s > 5e6:
                raise InputError(f"{duration_s / step_s:.3g} output samples requested "
                                 f"(duration {duration_s} s, step {step_s} s): at most 5e6",
                                 field="step_s", value=step_s)
            grid = np.arange(0.0, duration_s, float(step_s))
            t_out = np.unique(np.r_[grid, duration_s, [t for t in tb if t <= duration_s]])
        else:
            if not isinstance(epochs, Epoch) or epochs.size == 0 or epochs.ndim > 1:
                raise InputError("epochs must be a non-empty 1-D cosmoplan Epoch array",
                                 field="epochs", value=epochs)
            t_out = np.atleast_1d(np.asarray(epochs - epoch0, float))
            if np.any(np.diff(t_out) <= 0) or t_out[0] < -1e-9:
                raise InputError("output epochs must increase from the initial epoch",
                                 field="epochs")
        t_end = float(t_out[-1])
        if any(t > t_end + 1e-9 for t in tb):
            raise InputError("a maneuver lies after the last output epoch", field="maneuvers")
        ctx = self._context(epoch0, 0.0, t_end)
        finite = list(finite_maneuvers)
        if finite:
            if not all(isinstance(b, FiniteManeuver) for b in finite):
                raise InputError("finite_maneuvers must be FiniteManeuver objects",
                                 field="finite_maneuvers", value=finite)
            table = _burn_table(finite, epoch0, sc.mass_kg)
            if np.any(table[:, 0] < -1e-9) or np.any(table[:, 1] > t_end + 1e-9):
                raise InputError("a finite maneuver starts before the initial epoch or ends "
                                 "after the last output epoch", field="finite_maneuvers")
            ctx["burns"] = table
            ctx["splits"] = tuple(table[:, 0]) + tuple(table[:, 1])
        bc = np.array([sc.ballistic_m2_kg])
        srp_k = np.array([sc.srp_m2_kg])
        shadow = []
        y = np.r_[r0, v0]
        t = 0.0
        arcs_t, arcs_y, dvs = [], [], []
        stopped_here = False
        bounds = [b for b in tb] + [t_end]
        for kb, t_next in enumerate(bounds):
            sel = t_out[(t_out >= t - 1e-9) & (t_out <= t_next + 1e-9)]
            teval = np.unique(np.r_[t, sel, t_next])
            y_end, ys, t_stop = self._integrate(ctx, y, bc, t, t_next, t_eval=teval,
                                                srp_k=srp_k, record=shadow, events=events)
            if t_stop is not None:  # a 'stop' event: the arc ends there
                before = teval[:ys.shape[1]] < t_stop  # (a sample at t_stop is replaced)
                teval = np.r_[teval[:ys.shape[1]][before], t_stop]
                ys = np.hstack([ys[:, before], y_end[:, None]])
                stopped_here = True
                t_out = np.r_[t_out[t_out < t_stop], t_stop]
                arcs_t.append(teval)
                arcs_y.append(ys.T.copy())
                mans = mans[:kb]
                tb = tb[:kb]
                break
            arcs_t.append(teval)
            arcs_y.append(ys.T.copy())
            y = y_end
            t = t_next
            if kb < len(mans):
                dv = mans[kb].dv_inertial(y[:3], y[3:])
                dvs.append(dv)
                y = y.copy()
                y[3:] += dv
        arcs = [Trajectory(epoch0 + ta, ya[:, :3], ya[:, 3:], frame="GCRF", name=name)
                for ta, ya in zip(arcs_t, arcs_y)]
        # The joined trajectory: output epochs only, post-burn state at burn epochs.
        keep_t, keep_y = [], []
        for ta, ya in zip(arcs_t, arcs_y):
            m = np.isin(ta, t_out)
            keep_t.append(ta[m])
            keep_y.append(ya[m])
        all_t = np.concatenate(keep_t)
        all_y = np.vstack(keep_y)
        # post-burn states: the burn arc starts with them, so keep the later duplicate
        _, idx = np.unique(all_t[::-1], return_index=True)
        idx = len(all_t) - 1 - idx
        all_t, all_y = all_t[idx], all_y[idx]
        for kb, tburn in enumerate(tb):
            hit = np.isclose(all_t, tburn, atol=1e-9)
            if np.any(hit):
                after = arcs_y[kb + 1][0]
                all_y[hit] = after
        traj = Trajectory(epoch0 + all_t, all_y[:, :3], all_y[:, 3:], frame="GCRF", name=name)
        occ = [EventOccurrence(epoch0 + tk, kind, yk[:3].copy(), yk[3:6].copy())
               for tk, kind, yk in sorted(shadow, key=lambda e: e[0])]
        stop_names = {e.name for e in events if e.action == "stop"}
        stopped = next((o for o in reversed(occ) if o.name in stop_names), None) \
            if stopped_here else None
        return PropagationResult(traj, arcs, mans,
                                 np.array(dvs).reshape(-1, 3) if dvs else np.zeros((0, 3)),
                                 occ, stopped)
