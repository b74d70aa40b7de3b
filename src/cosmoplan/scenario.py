"""Scenario files (TOML), validated with pydantic: the user-facing edge of the planner.

A scenario file describes one rendezvous to plan, in user units (degrees, metres,
minutes, hours, UTC dates). :func:`load_scenario` reads and validates it; every error
names the file, the line (when the key can be located), the key path, the value and
what was expected, as an :class:`~cosmoplan.errors.InputError`.
:meth:`Scenario.to_config` converts it to the internal units of
:class:`~cosmoplan.rendezvous.RendezvousConfig` (km, s, rad).

Bundled scenarios live in ``cosmoplan/data/scenarios/`` (``shenzhou-12``); relative
file names inside a scenario (``tle_file``) resolve against the scenario's directory,
then against the bundled data directory.
"""

from __future__ import annotations

import datetime
import sys
from importlib.resources import files
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Scenario", "load_scenario", "bundled_scenarios", "scenario_path"]

_DATA = files("cosmoplan") / "data"


_NAME = r"^[^\x00-\x1f\x7f]+$"
"""Names: one line of text, no control characters (they end up in reports and files)."""


class _Model(BaseModel):
    # strict: a TOML string is not a number, true is not 1 kg; no NaN or infinity anywhere
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ScenarioInfo(_Model):
    name: str = Field(pattern=_NAME, max_length=80)
    kind: Literal["rendezvous", "porkchop", "relay", "sites", "sample-return"] = \
        "rendezvous"
    description: str = Field(default="", pattern=r"^[^\x00-\x1f\x7f]*$", max_length=300)


class SpacecraftSpec(_Model):
    name: str = Field(default="spacecraft", pattern=_NAME, max_length=80)
    mass_kg: float = Field(gt=0)
    drag_area_m2: float = Field(ge=0)
    drag_coefficient: float = Field(default=2.2, ge=0, le=10)
    # solar radiation pressure (used when propagation.srp = true); area default: drag area
    srp_area_m2: float | None = Field(default=None, ge=0)
    reflectivity_coefficient: float = Field(default=1.5, ge=1, le=2)

    def spacecraft(self):
        """The :class:`~cosmoplan.propagator.Spacecraft` (SRP area defaults to the drag area)."""
        return _spacecraft(self)


def _spacecraft(spec):
    """A propagator Spacecraft from a chaser or target section (SI units as in the file)."""
    from .propagator import Spacecraft

    srp_area = spec.drag_area_m2 if spec.srp_area_m2 is None else spec.srp_area_m2
    return Spacecraft(name=spec.name, mass_kg=spec.mass_kg, drag_area_m2=spec.drag_area_m2,
                      drag_coefficient=spec.drag_coefficient, srp_area_m2=srp_area,
                      reflectivity_coefficient=spec.reflectivity_coefficient)


class StateSpec(_Model):
    epoch: str
    frame: str = "GCRF"
    r_km: list[float] = Field(min_length=3, max_length=3)
    v_km_s: list[float] = Field(min_length=3, max_length=3)


class TargetSpec(_Model):
    name: str = Field(default="target", pattern=_NAME, max_length=80)
    tle_file: str | None = None
    element_set: str | None = Field(
        default=None, description="epoch date (YYYY-MM-DD) of the set to plan with")
    compare_element_sets: list[str] = []
    state: StateSpec | None = None
    mass_kg: float = Field(default=36000.0, gt=0)
    drag_area_m2: float = Field(default=60.0, ge=0)
    drag_coefficient: float = Field(default=2.2, ge=0, le=10)
    srp_area_m2: float | None = Field(default=None, ge=0)
    reflectivity_coefficient: float = Field(default=1.5, ge=1, le=2)

    def spacecraft(self):
        """The :class:`~cosmoplan.propagator.Spacecraft` (SRP area defaults to the drag area)."""
        return _spacecraft(self)

    @model_validator(mode="after")
    def _one_source(self):
        if (self.tle_file is None) == (self.state is None):
            raise ValueError("give exactly one of 'tle_file' or 'state'")
        return self


class SiteSpec(_Model):
    name: str = Field(default="site", pattern=_NAME, max_length=80)
    latitude_deg: float = Field(ge=-90, le=90)
    longitude_deg: float = Field(ge=-360, le=360)
    height_m: float = Field(default=0.0, ge=-500, le=9000)


class LaunchSpec(_Model):
    day: str | datetime.date
    ascent_duration_s: float = Field(default=573.0, ge=60, le=7200)
    ascent_range_deg: float = Field(default=15.0, ge=0, lt=180)
    opportunity: Literal["first", "ascending", "descending"] = "first"

    @field_validator("day")
    @classmethod
    def _valid_day(cls, v):
        """A UTC calendar day: "YYYY-MM-DD" text or a TOML date; not a date-time."""
        import re

        from .time import Epoch

        if isinstance(v, datetime.datetime):
            raise ValueError("give the launch day as a date (YYYY-MM-DD), not a date-time")
        if isinstance(v, datetime.date):
            v = v.isoformat()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v.strip()):
            raise ValueError("the launch day is a UTC date written YYYY-MM-DD (the whole "
                             "day is searched for launch opportunities)")
        try:
            Epoch.from_iso(v)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        return v.strip()


class InsertionSpec(_Model):
    perigee_altitude_km: float
    apogee_altitude_km: float


class RendezvousSpec(_Model):
    max_duration_h: float = Field(default=6.5, gt=0)
    objective: Literal["earliest", "min-dv"] = "earliest"
    min_perigee_altitude_km: float | None = None
    raan_offset_deg: float | Literal["auto"] = "auto"
    aim_point_behind_km: float = 20.0
    aim_point_below_km: float = 10.0
    tpi_transfer_min: float = 20.0
    hold_points_m: list[float] = [5000.0, 400.0, 200.0, 19.0]
    hold_durations_min: list[float] = [1.0, 3.0, 3.0, 2.0]
    transfer_durations_min: list[float] = [15.0, 5.0, 8.0]
    final_approach_speed_m_s: float = Field(default=0.2, gt=0)
    docking_port_lvlh_m: list[float] = Field(default=[-13.0, 0.0, 0.0], min_length=3,
                                             max_length=3)


class PropagationSpec(_Model):
    """The ``[propagation]`` section: the force model every propagation of the plan uses
    (chaser and target alike). Without the high-fidelity keys it is EGM96 zonals
    J2..J6 with Harris-Priester drag, as before.

    * ``zonal_degree`` (0, 2..6): EGM96 zonals J2..Jn (used when ``gravity_degree`` = 0);
    * ``atmosphere``, ``harris_priester_n``: drag model;
    * ``gravity_degree`` (0..120; 0 = the zonal model) and ``gravity_order``
      (0..gravity_degree, default = degree): the full EGM96 spherical-harmonic field,
      e.g. 20 for 20x20 (``zonal_degree`` is then ignored);
    * ``third_bodies``: any of ``"sun"``, ``"moon"`` (point masses, DE421);
    * ``srp``: solar radiation pressure (cannonball, conical shadows), with each
      vehicle's ``srp_area_m2`` (default: its drag area) and ``reflectivity_coefficient``.
    """

    zonal_degree: int = Field(default=6, ge=0, le=6)
    atmosphere: Literal["none", "exponential", "harris-priester"] = "harris-priester"
    harris_priester_n: float = Field(default=2.0, ge=2, le=6)
    gravity_degree: int = Field(default=0, ge=0)
    gravity_order: int | None = Field(default=None, ge=0)
    third_bodies: list[Literal["sun", "moon"]] = Field(default=[], max_length=2)
    srp: bool = False

    @field_validator("gravity_order")
    @classmethod
    def _order_within_degree(cls, v, info):
        deg = info.data.get("gravity_degree")
        if v is not None and deg is not None:
            if deg == 0:
                raise ValueError("gravity_order needs gravity_degree > 0 (the full field)")
            if v > deg:
                raise ValueError(f"gravity_order must not exceed gravity_degree ({deg})")
        return v

    @field_validator("third_bodies")
    @classmethod
    def _distinct_bodies(cls, v):
        if len(set(v)) != len(v):
            raise ValueError("list each body once")
        return v

    def force_model(self):
        """The :class:`~cosmoplan.propagator.ForceModel` of this section.

        Raises InputError with the key path ``propagation.<key>`` (e.g. a degree beyond
        the bundled field's).
        """
        from .propagator import ForceModel

        try:
            return ForceModel(zonal_degree=self.zonal_degree,
                              atmosphere=None if self.atmosphere == "none" else self.atmosphere,
                              harris_priester_n=self.harris_priester_n,
                              gravity_degree=self.gravity_degree,
                              gravity_order=self.gravity_order,
                              third_bodies=tuple(self.third_bodies), srp=self.srp)
        except InputError as exc:
            key = f"propagation.{exc.field}" if exc.field else "propagation"
            raise InputError(f"key '{key}' = {exc.value!r}: {exc}", field=key,
                             value=exc.value) from None


class OutputSpec(_Model):
    directory: str | None = None
    sample_step_s: float = Field(default=20.0, ge=1, le=600)


class _ScenarioFile(_Model):
    """What every scenario file has: where it came from, and errors located in it."""

    # Filled in by load_scenario (not part of the file).
    source_path: Path | None = Field(default=None, exclude=True)
    _text: str = PrivateAttr(default="")

    def _error(self, message, field, value=None):
        """InputError at the scenario file's line for ``field`` (a dotted key path)."""
        return InputError(message, source=None if self.source_path is None
                          else str(self.source_path),
                          line=_line_of(self._text, tuple(int(x) if x.isdigit() else x
                                                          for x in field.split("."))),
                          field=field, value=value)


class Scenario(_ScenarioFile):
    """A validated rendezvous scenario file (user units). See the module docstring."""

    scenario: ScenarioInfo
    target: TargetSpec
    site: SiteSpec
    launch: LaunchSpec
    insertion: InsertionSpec
    rendezvous: RendezvousSpec = RendezvousSpec()
    chaser: SpacecraftSpec = SpacecraftSpec(name="chaser", mass_kg=8000.0, drag_area_m2=12.0)
    propagation: PropagationSpec = PropagationSpec()
    output: OutputSpec = OutputSpec()

    # ------------------------------------------------------------------ conversions
    def to_config(self):
        """The internal :class:`~cosmoplan.rendezvous.RendezvousConfig` (km, s, rad)."""
        from .rendezvous import ApproachProfile, InsertionOrbit, RendezvousConfig

        rz = self.rendezvous
        ins = InsertionOrbit(self.insertion.perigee_altitude_km,
                             self.insertion.apogee_altitude_km,
                             self.launch.ascent_duration_s,
                             float(np.radians(self.launch.ascent_range_deg)))
        ap = ApproachProfile(
            aim_behind_km=rz.aim_point_behind_km,
            aim_below_km=rz.aim_point_below_km,
            tpi_transfer_s=rz.tpi_transfer_min * 60.0,
            hold_distances_km=tuple(x / 1e3 for x in rz.hold_points_m),
            hold_durations_s=tuple(x * 60.0 for x in rz.hold_durations_min),
            transfer_durations_s=tuple(x * 60.0 for x in rz.transfer_durations_min),
            final_approach_speed_km_s=rz.final_approach_speed_m_s / 1e3,
            docking_port_lvlh_km=tuple(x / 1e3 for x in rz.docking_port_lvlh_m),
        )
        fm = self.propagation.force_model()
        return RendezvousConfig(
            insertion=ins, approach=ap, max_duration_s=rz.max_duration_h * 3600.0,
            min_perigee_altitude_km=rz.min_perigee_altitude_km,
            raan_offset=None if rz.raan_offset_deg == "auto" else float(
                np.radians(rz.raan_offset_deg)),
            objective=rz.objective, opportunity=self.launch.opportunity,
            chaser=self.chaser.spacecraft(), target=self.target.spacecraft(),
            force_model=fm, sample_step_s=self.output.sample_step_s)

    def site_object(self):
        """The launch site as a :class:`~cosmoplan.sites.GroundSite`."""
        from .sites import GroundSite

        s = self.site
        return GroundSite.from_degrees(s.name, s.latitude_deg, s.longitude_deg, s.height_m,
                                       source=f"scenario {self.scenario.name}")

    def _resolve(self, name):
        try:
            return self._resolve_path(name)
        except InputError:
            raise
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise self._error(f"cannot open the TLE file {name!r}: {why}", "target.tle_file",
                              name) from None

    def _resolve_path(self, name):
        p = Path(name)
        if p.is_absolute() and p.is_file():
            return p
        if self.source_path is not None:
            cand = self.source_path.parent / p
            if cand.is_file():
                return cand
        cand = Path(str(_DATA / p.name))
        if cand.is_file():
            return cand
        near = (self.source_path.parent / p) if self.source_path is not None else p
        if near.exists() or p.exists():
            raise self._error(f"TLE file {name!r} is not a regular file (a folder or a "
                              "device?)", "target.tle_file", name)
        raise self._error(f"TLE file {name!r} not found (looked beside the scenario and in "
                          "cosmoplan's bundled data)", "target.tle_file", name)

    def target_element_sets(self):
        """(plan_tle, [comparison TLEs]) from the scenario's TLE file.

        ``element_set`` selects by epoch: a date (YYYY-MM-DD; if the file has several sets
        that day, the one nearest the launch day) or a full ISO epoch (the set within one
        minute of it). Without it, the set whose epoch is nearest the launch day is used.
        """
        from .time import Epoch
        from .tle import read_tles

        path = self._resolve(self.target.tle_file)
        tles = read_tles(path)
        if not tles:
            raise self._error(f"no element sets in the TLE file {path}", "target.tle_file",
                              str(path))
        day = Epoch.from_iso(self.launch.day)

        def pick(when, field):
            text = str(when).strip()
            if len(text) > 10:  # a full epoch
                try:
                    ep = Epoch.from_iso(text)
                except InputError as exc:
                    raise self._error(str(exc), field, when) from None
                hits = [t for t in tles if abs(float(t.epoch - ep)) <= 60.0]
            else:
                hits = [t for t in tles if t.epoch.utc.iso(0)[:10] == text]
            if not hits:
                have = ", ".join(t.epoch.utc.iso(0) for t in tles)
                raise self._error(f"no element set with epoch {when!r} in {path.name} "
                                  f"(it has {have})", field, when)
            return min(hits, key=lambda t: abs(float(t.epoch - day)))

        if self.target.element_set:
            main = pick(self.target.element_set, "target.element_set")
        else:
            main = min(tles, key=lambda t: abs(float(t.epoch - day)))
        others = [pick(d, "target.compare_element_sets") for d in self.target.compare_element_sets]
        return main, others

    def target_object(self):
        """The target to plan against: a TLE or a TargetEphemeris from a state."""
        if self.target.tle_file is not None:
            tle, _ = self.target_element_sets()
            if self.target.name and not tle.name:
                import dataclasses

                tle = dataclasses.replace(tle, name=self.target.name)
            return tle
        from .rendezvous import TargetEphemeris
        from .time import Epoch

        st = self.target.state
        fm = self.propagation.force_model()
        tg = self.target
        try:
            ep = Epoch.from_iso(st.epoch)
        except InputError as exc:
            raise self._error(str(exc), "target.state.epoch", st.epoch) from None
        try:
            return TargetEphemeris.from_state(
                ep, st.r_km, st.v_km_s, frame=st.frame, name=tg.name, force_model=fm,
                spacecraft=tg.spacecraft())
        except InputError as exc:
            field = "target.state.frame" if exc.field == "frame" else "target.state"
            raise self._error(str(exc), field, exc.value) from None


class PorkchopSpec(_Model):
    departure: str = "earth"
    arrival: str = "mars"
    launch: str = Field(description="START/STOP dates, e.g. 2020-06-01/2020-09-30")
    arrive: str
    step_days: float = Field(default=1.0, gt=0, le=100)
    arrival_step_days: float | None = Field(default=None, gt=0, le=100)
    prograde: bool = True
    revolutions: int = Field(default=0, ge=0, le=10)
    branch: Literal["low", "high"] = "low"
    c3_max: float | None = Field(default=None, gt=0)
    vinf_max: float | None = Field(default=None, gt=0)
    objective: Literal["c3", "vinf", "total"] = "c3"


class CaptureSpec(_Model):
    periapsis_altitude_km: float = Field(default=400.0, gt=0)
    period_days: float = Field(default=10.0, gt=0)


class MarkSpec(_Model):
    name: str = Field(pattern=_NAME, max_length=120)
    departure: str
    arrival: str


class PorkchopScenario(_ScenarioFile):
    """A scenario of kind 'porkchop': a launch-period grid between two planets."""

    scenario: ScenarioInfo
    porkchop: PorkchopSpec
    capture: CaptureSpec = CaptureSpec()
    marks: list[MarkSpec] = []
    output: OutputSpec = OutputSpec()

    def capture_orbit(self):
        from .interplanetary.porkchop import CaptureOrbit

        return CaptureOrbit(self.capture.periapsis_altitude_km,
                            self.capture.period_days * 86400.0)


class RelayOrbitSpec(_Model):
    libration_point: Literal["L1", "L2"] = "L2"
    family: Literal["northern", "southern"] = "southern"
    az_km: float = Field(gt=0, le=100_000)
    epoch: str = Field(description="UTC insertion epoch, ISO 8601")
    days: float = Field(default=30.0, gt=0, le=365)
    step_minutes: float = Field(default=10.0, ge=0.5, le=240)


class RelaySiteSpec(_Model):
    name: str = Field(pattern=_NAME, max_length=120)
    bundled: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90, le=90)
    lon_deg: float | None = Field(default=None, ge=-360, le=360)
    height_km: float = Field(default=0.0, ge=-20, le=100)
    source: str = Field(default="", pattern=r"^[^\x00-\x1f\x7f]*$", max_length=300)
    mask_deg: float = Field(default=5.0, ge=0, le=60)


class RelayGroundSpec(_Model):
    networks: list[str] = []
    mask_deg: float = Field(default=10.0, ge=0, le=60)


class RelayScenario(_ScenarioFile):
    """A scenario of kind 'relay': a libration-point relay and the links it gives."""

    scenario: ScenarioInfo
    relay: RelayOrbitSpec
    sites: list[RelaySiteSpec] = Field(min_length=1)
    ground: RelayGroundSpec = RelayGroundSpec()
    output: OutputSpec = OutputSpec()

    def site_objects(self):
        """The lunar sites as :class:`cosmoplan.cislunar.coverage.LunarSite` (InputError
        with the scenario line for an unknown bundled name or missing coordinates)."""
        from .cislunar.coverage import SITES, LunarSite

        out = []
        names = set()
        for k, spec in enumerate(self.sites):
            if spec.name in names:
                raise InputError(f"sites[{k}]: a second site named {spec.name!r} (site names "
                                 "label the results)", field=f"sites.{k}.name", value=spec.name)
            names.add(spec.name)
            if spec.bundled is not None:
                if spec.lat_deg is not None or spec.lon_deg is not None:
                    raise InputError(f"sites[{k}] ({spec.name}) gives both bundled = "
                                     f"{spec.bundled!r} and lat_deg/lon_deg: give one",
                                     field=f"sites.{k}.bundled", value=spec.bundled)
                if spec.bundled not in SITES:
                    raise InputError(f"sites[{k}].bundled = {spec.bundled!r} is not a bundled "
                                     f"lunar site ({', '.join(SITES)})",
                                     field=f"sites.{k}.bundled", value=spec.bundled)
                b = SITES[spec.bundled]
                out.append(LunarSite(spec.name, b.lat_deg, b.lon_deg, b.height_km, b.source))
            elif spec.lat_deg is None or spec.lon_deg is None:
                raise InputError(f"sites[{k}] ({spec.name}) needs lat_deg and lon_deg, or "
                                 "bundled = a site name", field=f"sites.{k}.name")
            else:
                out.append(LunarSite(spec.name, spec.lat_deg, spec.lon_deg, spec.height_km,
                                     spec.source))
        return out


class SitesSpanSpec(_Model):
    start: str | datetime.datetime | datetime.date = Field(
        description="UTC start, ISO 8601 (text, or a TOML date or date-time)")
    days: float = Field(gt=0, le=36525)
    step_minutes: float = Field(default=5.0, ge=1.0 / 60.0, le=1440)
    earth_min_elevation_deg: float = Field(default=0.0, ge=-10, le=90)

    @field_validator("start")
    @classmethod
    def _start_text(cls, v):
        """A TOML date or date-time (a local one is read as UTC) as ISO text in UTC."""
        if isinstance(v, datetime.datetime):
            if v.tzinfo is not None:
                v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return v.isoformat() + "Z"
        if isinstance(v, datetime.date):
            return v.isoformat()
        return v


class SurfaceSiteSpec(_Model):
    name: str | None = Field(default=None, pattern=_NAME, max_length=120)
    bundled: str | None = None
    lat_deg: float | None = Field(default=None, ge=-90, le=90)
    lon_deg: float | None = Field(default=None, ge=-360, le=360)
    height_km: float = Field(default=0.0, ge=-20, le=100)
    source: str = Field(default="", pattern=r"^[^\x00-\x1f\x7f]*$", max_length=300)
    horizon_csv: str | None = Field(default=None, min_length=1, max_length=4096)
    dem: str | None = Field(default=None, min_length=1, max_length=4096)
    mast_m: float = Field(default=0.0, ge=0, le=1000)
    az_step_deg: float = Field(default=1.0, ge=0.001, le=30)
    max_distance_km: float | None = Field(default=None, gt=0, le=2000)


class SitesGroundSpec(_Model):
    networks: list[str] = ["china", "russia", "esa", "nasa"]
    mask_deg: float | None = Field(default=None, ge=-5, lt=90)
    step_minutes: float = Field(default=10.0, ge=1.0, le=60.0)


class SitesScenario(_ScenarioFile):
    """A scenario of kind 'sites': lunar surface sites compared over one span."""

    scenario: ScenarioInfo
    span: SitesSpanSpec
    sites: list[SurfaceSiteSpec] = Field(min_length=1, max_length=100)
    ground: SitesGroundSpec = SitesGroundSpec()
    output: OutputSpec = OutputSpec()
    _horizons: list = PrivateAttr(default_factory=list)

    def _path(self, text):
        p = Path(text).expanduser()
        if not p.is_absolute() and self.source_path is not None:
            p = Path(self.source_path).parent / p
        return p

    def site_objects(self):
        """``[(LunarSite, Horizon or None), ...]``; horizon files are read here (InputError
        with the scenario line for an unknown site, a bad or non-covering file)."""
        from .surface.horizon import Horizon
        from .surface.sites import LunarSite, lunar_site

        out, names = [], set()
        for k, spec in enumerate(self.sites):
            where = f"sites.{k}"
            if spec.bundled is not None:
                if spec.lat_deg is not None or spec.lon_deg is not None:
                    raise InputError(f"sites[{k}] gives both bundled = {spec.bundled!r} and "
                                     "lat_deg/lon_deg: give one", field=f"{where}.bundled",
                                     value=spec.bundled)
                try:
                    b = lunar_site(spec.bundled)
                except InputError as exc:
                    raise InputError(f"sites[{k}].bundled: {exc}", field=f"{where}.bundled",
                                     value=spec.bundled) from None
                site = LunarSite(spec.name or b.name, b.lat_deg, b.lon_deg, b.height_km,
                                 b.source, key=b.key, note=b.note)
            elif spec.lat_deg is None or spec.lon_deg is None or spec.name is None:
                raise InputError(f"sites[{k}] needs name, lat_deg and lon_deg, or bundled = "
                                 "a bundled site's name", field=f"{where}.name")
            else:
                site = LunarSite(spec.name, spec.lat_deg, spec.lon_deg, spec.height_km,
                                 spec.source)
            if site.name in names:
                raise InputError(f"sites[{k}]: a second site named {site.name!r} (site names "
                                 "label the results)", field=f"{where}.name", value=site.name)
            names.add(site.name)
            if spec.horizon_csv is not None and spec.dem is not None:
                raise InputError(f"sites[{k}] gives both horizon_csv and dem: give one",
                                 field=f"{where}.dem", value=spec.dem)
            horizon = None
            try:
                if spec.dem is not None:
                    horizon = Horizon.from_dem(self._path(spec.dem), site.lat_deg,
                                               site.lon_deg,
                                               height_above_ground_m=spec.mast_m,
                                               az_step_deg=spec.az_step_deg,
                                               max_distance_km=spec.max_distance_km)
                elif spec.horizon_csv is not None:
                    if spec.mast_m:
                        raise InputError("mast_m does not apply to a horizon_csv mask (the "
                                         "mask is what the observer sees)",
                                         field=f"{where}.mast_m", value=spec.mast_m)
                    horizon = Horizon.from_csv(self._path(spec.horizon_csv))
            except InputError as exc:
                key = "dem" if spec.dem is not None else "horizon_csv"
                raise InputError(f"sites[{k}].{key}: {exc}",
                                 field=exc.field if exc.field == f"{where}.mast_m"
                                 else f"{where}.{key}", value=exc.value) from None
            out.append((site, horizon))
        return out


def _check_sites(sc):
    """Sites, horizons, start epoch and networks of a sites scenario (InputError with key)."""
    from .access import load_networks
    from .time import Epoch

    sc._horizons = sc.site_objects()
    try:
        Epoch.coerce(sc.span.start, field="span.start")
    except InputError as exc:
        hint = ""
        try:  # a time with a UTC offset: say what it is in UTC
            when = datetime.datetime.fromisoformat(sc.span.start.strip())
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None:
            utc = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            hint = (f" (times are read in UTC, without offsets: {sc.span.start!r} is "
                    f"{utc.isoformat()}Z)")
        raise InputError(f"key 'span.start' = {sc.span.start!r}: {exc}{hint}",
                         field="span.start", value=sc.span.start) from None
    known = load_networks()
    for k, name in enumerate(sc.ground.networks):
        if name not in known:
            raise InputError(f"key 'ground.networks' = {name!r}: not a bundled network "
                             f"({', '.join(known)})", field=f"ground.networks.{k}", value=name)
        if name in sc.ground.networks[:k]:
            raise InputError(f"key 'ground.networks' = {name!r}: listed twice",
                             field=f"ground.networks.{k}", value=name)


def _check_relay(sc):
    """Sites, epoch, amplitude unit and networks of a relay scenario (InputError with key)."""
    from .time import Epoch

    sc.site_objects()
    try:
        Epoch.coerce(sc.relay.epoch, field="relay.epoch")
    except InputError as exc:
        raise InputError(f"key 'relay.epoch' = {sc.relay.epoch!r}: {exc}",
                         field="relay.epoch", value=sc.relay.epoch) from None
    if sc.ground.networks:
        from .access import load_networks

        known = load_networks()
        for name in sc.ground.networks:
            if name not in known:
                raise InputError(f"key 'ground.networks' = {name!r}: not a bundled network "
                                 f"({', '.join(sorted(known))})", field="ground.networks",
                                 value=name)


def bundled_scenarios():
    """Names of the scenarios shipped with cosmoplan."""
    folder = _DATA / "scenarios"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def scenario_path(name_or_path):
    """Path of a scenario given by bundled name (``shenzhou-12``) or file path."""
    try:
        return _scenario_path(name_or_path)
    except InputError:
        raise
    except (OSError, ValueError) as exc:  # permission denied on the way, NUL in the name
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"cannot open the scenario {str(name_or_path)[:200]!r}: {why}",
                         source=str(name_or_path)[:200]) from None


def _scenario_path(name_or_path):
    p = Path(str(name_or_path))
    bundled = _DATA / "scenarios" / f"{name_or_path}.toml"
    if p.suffix != ".toml" and p.is_dir() and bundled.is_file():
        return Path(str(bundled))  # e.g. an output folder named after the bundled scenario
    if p.suffix == ".toml" or p.exists():
        if p.exists() and not p.is_file():
            raise InputError(f"{str(p)!r} is not a scenario file (it is a folder or a "
                             "device)", source=str(p))
        if not p.is_file():
            raise InputError(f"scenario file {str(p)!r} does not exist", source=str(p))
        return p
    cand = _DATA / "scenarios" / f"{name_or_path}.toml"
    if cand.is_file():
        return Path(str(cand))
    raise InputError(f"{name_or_path!r} is neither a scenario file nor a bundled scenario; "
                     f"bundled: {', '.join(bundled_scenarios())}", field="scenario",
                     value=name_or_path)


def _line_of(text, loc):
    """1-based line of a key path in TOML text (best effort), or None.

    A key inside an inline table (``state = { frame = ... }``) resolves to the line of
    the table's own key.
    """
    if len(loc) >= 2 and isinstance(loc[1], int) and not isinstance(loc[0], int):
        line = _line_in_array_table(text, str(loc[0]), loc[1],
                                    str(loc[2]) if len(loc) > 2 else None)
        if line is not None:
            return line
    keys = [str(k) for k in loc if not isinstance(k, int)]
    while keys:
        line = _line_of_keys(text, keys)
        if line is not None:
            return line
        keys = keys[:-1]
    return None


def _line_in_array_table(text, table, index, key):
    """Line of ``key`` in the ``index``-th ``[[table]]`` (or of its header), or None."""
    count = -1
    inside = False
    header = None
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            inside = line == f"[[{table}]]" and (count := count + 1) == index
            if inside:
                header = i
            continue
        if inside and key is not None and "=" in line and line.split("=", 1)[0].strip() == key:
            return i
    return header


def _line_of_keys(text, keys):
    if not keys:
        return None
    section, key = keys[:-1], keys[-1]
    current = []
    header_line = None
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = [s.strip() for s in line.strip("[]").split(".")]
            if current == keys:
                header_line = i
            continue
        if current == section and "=" in line and line.split("=", 1)[0].strip() == key:
            return i
        if not section and current == [] and line.split("=", 1)[0].strip() == key:
            return i
    return header_line


def _check_porkchop(sc):
    """Bodies, date spans and marks of a porkchop scenario (InputError with the key)."""
    from .interplanetary.bodies import get_planet
    from .interplanetary.porkchop import _span
    from .time import Epoch

    pk = sc.porkchop
    get_planet(pk.departure, "porkchop.departure")
    get_planet(pk.arrival, "porkchop.arrival")
    _span(pk.launch, "porkchop.launch")
    _span(pk.arrive, "porkchop.arrive")
    sc.capture_orbit()
    for m in sc.marks:
        for key in ("departure", "arrival"):
            try:
                Epoch.from_iso(getattr(m, key))
            except InputError as exc:
                raise InputError(str(exc), field=f"marks.{key}", value=getattr(m, key)) from None


def _clean_loc(data, loc):
    """The part of a pydantic error location that names keys of the file (pydantic adds
    union-member tags such as 'float' or "literal['auto']" after the real key)."""
    out = []
    node = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            out.append(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            out.append(key)
            node = node[key]
        elif isinstance(node, dict) and not out:
            out.append(key)  # a missing top-level section
            break
        elif isinstance(node, dict):
            out.append(key)  # a missing key inside a present section
            break
        else:
            break
    return tuple(out)


def _utc_text(value):
    """A TOML offset date-time as ISO 8601 UTC text; a local date-time, a date or a time
    (no UTC offset: ambiguous) is refused with what to write instead; anything else is left
    for the type check."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        raise ValueError(f"a TOML {type(value).__name__} without a UTC offset is ambiguous: "
                         "write the UTC date-time as text, e.g. \"2020-11-23T20:30:12Z\"")
    return value


class SRLaunchSpec(_Model):
    site: str = Field(pattern=_NAME, max_length=80)
    liftoff: str = Field(description="UTC lift-off, ISO 8601")

    @field_validator("liftoff", mode="before")
    @classmethod
    def _liftoff_text(cls, v):
        return _utc_text(v)
    parking_altitude_km: float = Field(default=200.0, ge=150, le=2000)
    ascent_minutes: float = Field(default=10.0, gt=0, le=60)
    ascent_range_deg: float = Field(default=16.0, ge=0, le=90)


class SRTransferSpec(_Model):
    days: float = Field(default=4.5, ge=1.5, le=12)
    mcc_after_hours: float = Field(default=17.0, gt=0, le=200)
    tli_execution_error_percent: float = Field(default=0.01, ge=0, le=5)


class SRLunarOrbitSpec(_Model):
    altitude_km: float = Field(default=200.0, ge=15, le=5000)
    inclination_deg: float | None = Field(default=None, ge=0, le=180)
    capture_apoapsis_altitude_km: float = Field(default=5000.0, gt=0, le=60000)
    circularize_after_hours: float = Field(default=24.0, gt=0, le=240)
    min_days_before_landing: float = Field(default=1.5, ge=0, le=30)
    moon_degree: int = Field(default=8, ge=0, le=70)
    earth_degree: int = Field(default=8, ge=0, le=120)


class SRSurfaceSpec(_Model):
    name: str = Field(default="landing site", pattern=_NAME, max_length=120)
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-360, le=360)
    stay_hours: float = Field(default=48.0, gt=0, le=24 * 13)
    descent_perilune_km: float = Field(default=15.0, ge=5, le=100)
    ascent_periapsis_km: float = Field(default=15.0, ge=5, le=100)
    ascent_apoapsis_km: float = Field(default=180.0, ge=15, le=2000)


class SRRendezvousSpec(_Model):
    max_days: float = Field(default=4.0, gt=0, le=30)
    approach_hours: float = Field(default=6.0, ge=1, le=48)
    aim_behind_km: float = Field(default=30.0, ge=5, le=500)
    undock_after_hours: float = Field(default=7.0, ge=0, le=240)


class SRReturnSpec(_Model):
    landing_site: str = Field(default="Earth landing site", pattern=_NAME, max_length=120)
    landing_lat_deg: float = Field(ge=-90, le=90)
    landing_lon_deg: float = Field(ge=-360, le=360)
    entry_altitude_km: float = Field(default=120.0, ge=60, le=200)
    entry_flight_path_angle_deg: float = Field(default=-5.8)
    entry_range_km: float = Field(default=6000.0, gt=0, le=20000)
    search_days: float = Field(default=14.0, gt=0, le=40)
    min_transfer_days: float = Field(default=3.0, ge=1.5, le=10)
    max_transfer_days: float = Field(default=5.0, ge=1.5, le=10)
    tei_execution_error_percent: float = Field(default=0.1, ge=0, le=5)
    tcm_after_hours: float = Field(default=24.0, gt=0, le=200)


class SRVehicleSpec(_Model):
    mass_kg: float = Field(gt=0, le=200000)
    dry_mass_kg: float = Field(gt=0, le=200000)
    thrust_n: float = Field(gt=0, le=1e7)
    isp_s: float = Field(gt=0, le=1000)


class SampleReturnScenario(_ScenarioFile):
    """A scenario of kind 'sample-return': a lunar sample return from launch to entry."""

    scenario: ScenarioInfo
    launch: SRLaunchSpec
    transfer: SRTransferSpec = SRTransferSpec()
    lunar_orbit: SRLunarOrbitSpec = SRLunarOrbitSpec()
    surface: SRSurfaceSpec
    rendezvous: SRRendezvousSpec = SRRendezvousSpec()
    earth_return: SRReturnSpec
    vehicles: dict[str, SRVehicleSpec]
    reference: dict[str, object] = {}  # checked in to_config, where each key has its line
    output: OutputSpec = OutputSpec()

    def reference_epochs(self):
        """The [reference] table as {name: Epoch} (InputError naming the key, as written in
        the file so that its line can be found, for a bad name or date)."""
        import re

        from .time import Epoch

        out = {}
        for name, value in self.reference.items():
            key = f"reference.{_raw_key(self._text, 'reference', name)}"

            def bad(why, shown, key=key):
                return InputError(f"key {key!r} = {shown!r}: {why}", field=key, value=shown)

            if not re.match(_NAME, name) or len(name) > 80:
                raise bad("an event name must be one line of text without control "
                          "characters, at most 80 characters", name)
            try:
                text = _utc_text(value)
            except ValueError as exc:
                raise bad(str(exc), value) from None
            if not isinstance(text, str):
                raise bad('expected the real UTC epoch as text, e.g. "2020-12-01T15:11:00Z"',
                          value)
            try:
                ep = Epoch.from_iso(text)
            except InputError as exc:
                raise bad(str(exc), text) from None
            if np.ndim(ep.jd1) != 0:
                raise bad("expected one epoch", text)
            out[name] = ep
        return out

    def to_config(self):
        """The :class:`cosmoplan.cislunar.sample_return.SampleReturnConfig` (InputError with
        the key path for a bad value)."""
        import math

        from .cislunar.dynamics import CislunarForceModel
        from .cislunar.sample_return import SampleReturnConfig, Vehicle
        from .sites import get_site
        from .time import Epoch

        self.reference_epochs()
        try:
            liftoff = Epoch.coerce(self.launch.liftoff, field="launch.liftoff")
        except InputError as exc:
            raise InputError(f"key 'launch.liftoff' = {self.launch.liftoff!r}: {exc}",
                             field="launch.liftoff", value=self.launch.liftoff) from None
        try:
            site = get_site(self.launch.site)
        except InputError as exc:
            raise InputError(f"key 'launch.site': {exc}", field="launch.site",
                             value=self.launch.site) from None
        need = ("orbiter", "returner", "lander", "ascender")
        for k in need:
            if k not in self.vehicles:
                raise InputError(f"missing key 'vehicles.{k}' (a sample return needs "
                                 f"{', '.join(need)})", field="vehicles", value=k)
        for k in self.vehicles:
            if k not in need:
                raise InputError(f"unknown key 'vehicles.{k}' (known: {', '.join(need)})",
                                 field=f"vehicles.{k}", value=k)
        vehicles = {}
        for k, v in self.vehicles.items():
            try:
                vehicles[k] = Vehicle(k, v.mass_kg, v.dry_mass_kg, v.thrust_n, v.isp_s)
            except InputError as exc:
                raise InputError(f"key 'vehicles.{k}.{exc.field}': {exc}",
                                 field=f"vehicles.{k}.{exc.field}", value=exc.value) from None
        fpa = self.earth_return.entry_flight_path_angle_deg
        if not -20.0 <= fpa <= -0.5:
            raise InputError(f"key 'earth_return.entry_flight_path_angle_deg' = {fpa!r}: an "
                             "entry flight-path angle must lie in -20 .. -0.5 deg (skip "
                             "entries from the Moon fly about -5.5 to -6.5 deg)",
                             field="earth_return.entry_flight_path_angle_deg", value=fpa)
        if self.surface.ascent_apoapsis_km < self.surface.ascent_periapsis_km:
            raise InputError("key 'surface.ascent_apoapsis_km' is below "
                             "'surface.ascent_periapsis_km'", field="surface.ascent_apoapsis_km",
                             value=self.surface.ascent_apoapsis_km)
        lo = self.lunar_orbit
        inc = None if lo.inclination_deg is None else math.radians(lo.inclination_deg)
        if inc is not None and abs(self.surface.lat_deg) > min(lo.inclination_deg,
                                                               180 - lo.inclination_deg):
            raise InputError(
                f"key 'lunar_orbit.inclination_deg' = {lo.inclination_deg}: a lunar orbit "
                f"of this inclination never flies over latitude {self.surface.lat_deg} deg "
                f"(the landing site): use at least {abs(self.surface.lat_deg):.2f} deg, or "
                "remove the key for the vertex design", field="lunar_orbit.inclination_deg",
                value=lo.inclination_deg)
        return SampleReturnConfig(
            name=self.scenario.name, liftoff=liftoff, launch_site=site,
            landing_lat=math.radians(self.surface.lat_deg),
            landing_lon=math.radians(self.surface.lon_deg), vehicles=vehicles,
            earth_landing_lat=math.radians(self.earth_return.landing_lat_deg),
            earth_landing_lon=math.radians(self.earth_return.landing_lon_deg),
            parking_altitude_km=self.launch.parking_altitude_km,
            ascent_s=self.launch.ascent_minutes * 60.0,
            ascent_range_rad=math.radians(self.launch.ascent_range_deg),
            transfer_s=self.transfer.days * 86400.0,
            mcc_after_s=self.transfer.mcc_after_hours * 3600.0,
            tli_execution_error=self.transfer.tli_execution_error_percent / 100.0,
            lunar_altitude_km=lo.altitude_km, lunar_inclination=inc,
            capture_apoapsis_km=lo.capture_apoapsis_altitude_km,
            circularize_after_s=lo.circularize_after_hours * 3600.0,
            min_lunar_orbit_s=lo.min_days_before_landing * 86400.0,
            surface_stay_s=self.surface.stay_hours * 3600.0,
            descent_perilune_km=self.surface.descent_perilune_km,
            ascent_periapsis_km=self.surface.ascent_periapsis_km,
            ascent_apoapsis_km=self.surface.ascent_apoapsis_km,
            rendezvous_max_days=self.rendezvous.max_days,
            rendezvous_approach_s=self.rendezvous.approach_hours * 3600.0,
            rendezvous_aim_behind_km=self.rendezvous.aim_behind_km,
            undock_after_s=self.rendezvous.undock_after_hours * 3600.0,
            tei_search_days=self.earth_return.search_days,
            return_transfer_days=(self.earth_return.min_transfer_days,
                                  self.earth_return.max_transfer_days),
            entry_altitude_km=self.earth_return.entry_altitude_km,
            entry_fpa=math.radians(fpa), entry_range_km=self.earth_return.entry_range_km,
            tei_execution_error=self.earth_return.tei_execution_error_percent / 100.0,
            tcm_after_s=self.earth_return.tcm_after_hours * 3600.0,
            model=CislunarForceModel(earth_degree=lo.earth_degree, moon_degree=lo.moon_degree,
                                     sun=True))


def _raw_key(text, section, name):
    """How the key ``name`` of ``[section]`` is written in the TOML text (``"Landing"``,
    ``'TEI-1'``, ``Docking``), so that its line can be found; ``name`` itself if not
    found."""
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line.strip("[]").strip()
            continue
        if current != section or "=" not in line:
            continue
        k = line.split("=", 1)[0].strip()
        if k[:1] in "\"'" and len(k) >= 2 and k[-1] == k[0]:
            plain = k[1:-1]
            if k[0] == '"':
                try:
                    import json

                    plain = json.loads(k)
                except ValueError:
                    pass
        else:
            plain = k
        if plain == name:
            return k
    return name


_KIND_SECTIONS = {"porkchop": ("porkchop",), "relay": ("relay",), "sites": ("span",),
                  "sample-return": ("surface", "earth_return", "vehicles", "transfer")}
"""Top-level sections that only a scenario of that kind has (to name a missing kind)."""


def load_scenario(name_or_path):
    """Read and validate a scenario (bundled name or TOML path) into a :class:`Scenario`.

    Raises
    ------
    InputError
        Unreadable file, TOML syntax error (with its line), a missing key, a wrong type,
        an out-of-range value: the message names file, line, key path, value and what
        was expected.
    """
    path = scenario_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a leading BOM is harmless
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read scenario file: {exc}", source=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:  # Python < 3.14: the position is only in the message
            import re

            m = re.search(r"at line (\d+)", str(exc))
            line = int(m.group(1)) if m else None
        raise InputError(f"TOML syntax error: {exc}", source=str(path), line=line) from None
    kind = data.get("scenario", {}).get("kind", "rendezvous") if isinstance(
        data.get("scenario"), dict) else "rendezvous"
    if isinstance(data.get("scenario"), dict) and "kind" not in data["scenario"]:
        # no kind: a rendezvous file, unless its sections belong to another kind
        for other, sections in _KIND_SECTIONS.items():
            found = [k for k in sections if k in data]
            if found and "target" not in data:
                raise InputError(
                    f"missing key 'scenario.kind': the file has the "
                    f"{', '.join('[' + k + ']' for k in found)} section"
                    f"{'s' if len(found) > 1 else ''} of a '{other}' scenario; add "
                    f'kind = "{other}" under [scenario] (without it a file is read as a '
                    "rendezvous scenario)", source=str(path),
                    line=_line_of(text, ("scenario",)), field="scenario.kind")
    model = {"porkchop": PorkchopScenario, "relay": RelayScenario,
             "sites": SitesScenario, "sample-return": SampleReturnScenario}.get(kind, Scenario)
    try:
        sc = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        by_key = {}
        for err in exc.errors():
            loc = _clean_loc(data, tuple(err.get("loc", ())))
            if loc in by_key and err.get("type") not in ("missing", "extra_forbidden"):
                # one key, several alternatives (a union such as number-or-"auto"): merge
                k = by_key[loc]
                alt = err.get("msg", "").removeprefix("Input should be ")
                m, ln, kp, val = problems[k]
                problems[k] = (f"{m} or {alt}", ln, kp, val)
                continue
            by_key[loc] = len(problems)
            keypath = ".".join(str(k) for k in loc) or "(top level)"
            value = err.get("input")
            kind = err.get("type", "")
            if kind == "missing":
                msg = f"missing key '{keypath}'"
            elif kind == "extra_forbidden":
                msg = f"unknown key '{keypath}' (check its spelling)"
            else:
                shown = value if not isinstance(value, dict) else "{...}"
                text_msg = err.get("msg", "invalid").removeprefix("Value error, ")
                if kind == "string_pattern_mismatch":
                    text_msg = "must be one line of text without control characters"
                msg = f"key '{keypath}' = {shown!r}: {text_msg}"
            problems.append((msg, _line_of(text, loc), keypath, value))
        msg, line, keypath, value = problems[0]
        if len(problems) > 1:
            msg += f"; {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}:"
            for m, ln, _, _ in problems[1:]:
                msg += f"\n  - {'line ' + str(ln) + ': ' if ln else ''}{m}"
        raise InputError(msg, source=str(path), line=line, field=keypath, value=value) from None
    except InputError as exc:
        raise InputError(str(exc), source=str(path), field=exc.field, value=exc.value) from None
    sc = sc.model_copy(update={"source_path": path})
    sc._text = text
    # Checks that need the internal objects (impossible orbits etc.): re-raise with the file.
    try:
        if isinstance(sc, PorkchopScenario):
            _check_porkchop(sc)
        elif isinstance(sc, RelayScenario):
            _check_relay(sc)
        elif isinstance(sc, SitesScenario):
            _check_sites(sc)
        elif isinstance(sc, SampleReturnScenario):
            sc.to_config()
        else:
            sc.to_config()
            sc.site_object()
    except InputError as exc:
        field = exc.field or ""
        loc = tuple(int(x) if x.isdigit() else x for x in field.split(".")) if field else ()
        raise InputError(str(exc), source=str(path), line=_line_of(text, loc), field=field,
                         value=exc.value) from None
    return sc
