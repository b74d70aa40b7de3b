"""Porkchop plots: launch-period grids of Lambert transfers between two planets.

:func:`porkchop` solves one Lambert problem (Izzo 2015, :mod:`.lambert`) per cell of a
grid of departure and arrival epochs, heliocentric, between the planets' positions and
velocities from the bundled JPL ephemeris (DE421, :mod:`cosmoplan.ephemeris`; which
point of each planet is used is listed in :mod:`.bodies`). For each cell it gives

* the launch energy C3 = |v_inf,dep|^2 (km^2/s^2), v_inf,dep = v1 - v_planet(t_dep);
* the declination and right ascension of the departure asymptote (DLA, RLA): the
  direction of v_inf,dep in the ICRF axes, i.e. the Earth's mean equator and equinox of
  J2000 to 0.02 arcsec (the frame bias); this is the frame launch-vehicle targeting uses;
* the arrival excess speed v_inf,arr = |v2 - v_planet(t_arr)| (km/s);
* the time of flight, and the impulsive capture delta-v into a given orbit at the
  arrival planet: sqrt(v_inf^2 + 2 mu / r_p) - sqrt(mu (2 / r_p - 1 / a)), the
  periapsis burn from the hyperbola onto an ellipse of periapsis radius r_p and period
  P (a from P; Curtis 2014 §8.10).

Transfers are ballistic, single-revolution by default (``revolutions=0``), prograde
(heliocentric motion with positive angular momentum z, as the planets move), so type I
(< 180 deg) and type II (> 180 deg) transfers both appear, separated by the ridge of
near-180-degree transfers: there the transfer plane swings toward the pole and C3 and
v_inf become very large (the dark diagonal of the plot); only cells within 1e-10 rad of
exactly 0 or 180 deg, whose plane is undefined, are masked (status 3).
Cells whose arrival does not follow the departure are masked (status 5). Masked cells
hold NaN in the arrays and their status says why: never a silent NaN.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataRangeError, InputError
from ..time import Epoch
from .bodies import SUN_GM_KM3_S2, Planet, get_planet

__all__ = ["CaptureOrbit", "Porkchop", "PorkchopPoint", "porkchop", "STATUS"]

STATUS = {0: "ok", 1: "no solution for this number of revolutions", 2: "not converged",
          3: "degenerate geometry (transfer angle near 0 or 180 deg)", 4: "invalid input",
          5: "arrival not after departure"}
"""Meaning of :attr:`Porkchop.status` (0-4 from the Lambert solver)."""

MAX_CELLS = 9_000_000
"""Largest grid :func:`porkchop` computes (a 3000 x 3000 grid; ~1 GB of arrays)."""


@dataclass(frozen=True)
class CaptureOrbit:
    """Orbit to capture into at the arrival planet (for the capture delta-v).

    Attributes
    ----------
    periapsis_altitude_km : float
        Periapsis altitude above the planet's equatorial radius, km.
    period_s : float
        Orbital period, s (Tianwen-1: about 10 days).
    """

    periapsis_altitude_km: float = 400.0
    period_s: float = 10.0 * 86400.0

    def __post_init__(self):
        if not (np.isfinite(self.periapsis_altitude_km) and self.periapsis_altitude_km > 0):
            raise InputError(f"capture periapsis altitude {self.periapsis_altitude_km} km must "
                             "be > 0", field="capture.periapsis_altitude_km",
                             value=self.periapsis_altitude_km)
        if not (np.isfinite(self.period_s) and self.period_s > 0):
            raise InputError(f"capture period {self.period_s} s must be > 0",
                             field="capture.period_days", value=self.period_s / 86400.0)

    def delta_v(self, planet, vinf):
        """Capture delta-v (km/s) from arrival excess speed(s) ``vinf`` (km/s)."""
        rp = planet.radius + self.periapsis_altitude_km
        a = (planet.gm * (self.period_s / (2 * np.pi)) ** 2) ** (1.0 / 3.0)
        if a <= rp / 2:
            raise InputError(f"a {self.period_s / 86400:g}-day orbit around {planet.name} "
                             f"cannot have its periapsis at {self.periapsis_altitude_km:g} km "
                             "(semi-major axis below half the periapsis radius)",
                             field="capture.period_days", value=self.period_s / 86400.0)
        vinf = np.asarray(vinf, float)
        return np.sqrt(vinf**2 + 2 * planet.gm / rp) - np.sqrt(planet.gm * (2 / rp - 1 / a))


@dataclass(frozen=True)
class PorkchopPoint:
    """One departure/arrival pair and its transfer (km, km/s, km^2/s^2, rad, s)."""

    departure: Epoch
    arrival: Epoch
    tof_s: float
    c3: float
    dla: float
    rla: float
    vinf_arrival: float
    capture_dv: float
    vinf_departure_vec: np.ndarray
    vinf_arrival_vec: np.ndarray

    def to_dict(self):
        """JSON-ready values in display units (UTC text, days, degrees, km^2/s^2, km/s)."""
        return {
            "departure_utc": self.departure.utc.iso(0),
            "arrival_utc": self.arrival.utc.iso(0),
            "time_of_flight_days": self.tof_s / 86400.0,
            "c3_km2_s2": self.c3,
            "dla_deg": float(np.degrees(self.dla)),
            "rla_deg": float(np.degrees(self.rla) % 360.0),
            "vinf_arrival_km_s": self.vinf_arrival,
            "capture_dv_km_s": self.capture_dv,
        }


@dataclass
class Porkchop:
    """A grid of transfers: rows are departure epochs, columns arrival epochs.

    Arrays have shape (N, M) = (departure.size, arrival.size); masked cells are NaN and
    have a non-zero :attr:`status` (see :data:`STATUS`).
    """

    departure_body: Planet
    arrival_body: Planet
    departure: Epoch
    arrival: Epoch
    c3: np.ndarray
    dla: np.ndarray
    rla: np.ndarray
    vinf_arrival: np.ndarray
    tof_s: np.ndarray
    capture_dv: np.ndarray
    status: np.ndarray
    capture: CaptureOrbit
    prograde: bool = True
    revolutions: int = 0
    timings: dict = field(default_factory=dict)

    @property
    def valid(self):
        """Cells with a transfer (status 0)."""
        return self.status == 0

    def best(self, *, c3_max=None, vinf_max=None, arrive_between=None, objective="c3"):
        """The optimal cell under constraints.

        Parameters
        ----------
        c3_max : float, optional
            Largest launch C3 allowed, km^2/s^2.
        vinf_max : float, optional
            Largest arrival excess speed allowed, km/s.
        arrive_between : (Epoch or str, Epoch or str), optional
            Arrival window.
        objective : {'c3', 'vinf', 'total'}
            Minimise C3, arrival v_inf, or the sum of departure v_inf and capture delta-v.

        Returns
        -------
        PorkchopPoint

        Raises
        ------
        PlanningError
            When no cell meets the constraints (the message gives the best values found).
        """
        from ..errors import PlanningError

        ok = self.valid.copy()
        if c3_max is not None:
            ok &= self.c3 <= c3_max
        if vinf_max is not None:
            ok &= self.vinf_arrival <= vinf_max
        if arrive_between is not None:
            lo = Epoch.coerce(arrive_between[0], field="arrive_between")
            hi = Epoch.coerce(arrive_between[1], field="arrive_between")
            t = np.asarray(self.arrival - lo, float)
            ok &= ((t >= 0) & (t <= float(hi - lo)))[None, :]
        if objective not in ("c3", "vinf", "total"):
            raise InputError(f"objective must be 'c3', 'vinf' or 'total', got {objective!r}",
                             field="objective", value=objective)
        if not np.any(ok):
            pair = f"{self.departure_body.name}-{self.arrival_body.name}"
            good = self.valid
            if not np.any(good):
                counts = ", ".join(f"{int(np.sum(self.status == k)):,} {STATUS[k]}"
                                   for k in sorted(set(np.unique(self.status).tolist())))
                raise PlanningError(f"the {pair} grid has no transfer at all ({counts}): "
                                    "check that the arrival window follows the launch window")
            best_c3 = float(np.nanmin(np.where(good, self.c3, np.nan)))
            best_v = float(np.nanmin(np.where(good, self.vinf_arrival, np.nan)))
            cons = " and ".join(([f"C3 <= {c3_max:g} km^2/s^2"] if c3_max is not None else [])
                                + ([f"arrival v_inf <= {vinf_max:g} km/s"]
                                   if vinf_max is not None else [])
                                + (["the arrival window"] if arrive_between is not None
                                   else []))
            raise PlanningError(
                f"no {pair} transfer in the grid meets {cons}; the grid's lowest C3 is "
                f"{best_c3:.2f} km^2/s^2 and its lowest arrival v_inf {best_v:.2f} km/s")
        if objective == "c3":
            score = self.c3
        elif objective == "vinf":
            score = self.vinf_arrival
        else:
            score = np.sqrt(self.c3) + self.capture_dv
        i, j = np.unravel_index(np.nanargmin(np.where(ok, score, np.nan)), score.shape)
        return self.evaluate(self.departure[i], self.arrival[j])

    def evaluate(self, departure, arrival):
        """The transfer for one departure/arrival pair, solved exactly (not read off the grid)."""
        return transfer(self.departure_body, self.arrival_body, departure, arrival,
                        capture=self.capture, prograde=self.prograde,
                        revolutions=self.revolutions)

    def to_csv(self, path):
        """Write the valid cells as CSV (one row per cell, display units), atomically."""
        from .._io import atomic_write_text

        dep = np.atleast_1d(self.departure.utc.iso(0))
        arr = np.atleast_1d(self.arrival.utc.iso(0))
        lines = ["departure_utc,arrival_utc,time_of_flight_days,c3_km2_s2,dla_deg,rla_deg,"
                 "vinf_arrival_km_s,capture_dv_km_s"]
        ii, jj = np.nonzero(self.valid)
        for i, j in zip(ii, jj):
            lines.append(
                f"{dep[i]},{arr[j]},{self.tof_s[i, j] / 86400.0:.4f},{self.c3[i, j]:.6f},"
                f"{np.degrees(self.dla[i, j]):.5f},{np.degrees(self.rla[i, j]) % 360.0:.5f},"
                f"{self.vinf_arrival[i, j]:.6f},{self.capture_dv[i, j]:.6f}")
        atomic_write_text(path, "\n".join(lines) + "\n")
        return path

    def plot(self, path=None, *, marks=(), c3_max=None, vinf_max=None, best=None):
        """The classic porkchop: C3 and arrival v_inf contours, time-of-flight lines.

        Parameters
        ----------
        path : str or Path, optional
            PNG to write (atomically); without it the matplotlib Figure is returned.
        marks : sequence of (label, departure, arrival)
            Points to mark (e.g. a real mission's dates).
        c3_max, vinf_max : float, optional
            Shade the region meeting both constraints.
        best : PorkchopPoint, optional
            The optimum to mark (default: :meth:`best` under the constraints).
        """
        from ..report.porkchop_plot import plot_porkchop

        return plot_porkchop(self, path, marks=marks, c3_max=c3_max, vinf_max=vinf_max,
                             best=best)


def _span(value, name):
    """(start, stop) Epochs from a pair or 'YYYY-MM-DD/YYYY-MM-DD' text."""
    if isinstance(value, str):
        parts = value.split("/")
        if len(parts) != 2:
            raise InputError(f"{name} must be 'START/STOP' (e.g. 2020-06-01/2020-09-30), got "
                             f"{value!r}", field=name, value=value)
        value = parts
    try:
        start, stop = value
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a (start, stop) pair of dates", field=name,
                         value=value) from None
    try:
        a = Epoch.coerce(start.strip() if isinstance(start, str) else start, field=name)
        b = Epoch.coerce(stop.strip() if isinstance(stop, str) else stop, field=name)
    except InputError as exc:
        raise InputError(f"{name}: {exc}", field=name, value=value) from None
    if not float(b - a) > 0:
        raise InputError(f"{name} runs backwards or is empty: {a.utc.iso(0)} to "
                         f"{b.utc.iso(0)}", field=name, value=value)
    return a, b


def _states(eph, planet, epochs, name):
    try:
        return eph.position(planet.naif, "sun", epochs, velocity=True)
    except DataRangeError as exc:
        raise InputError(f"{name}: {exc}", field=name) from None


def porkchop(departure_body, arrival_body, launch, arrive, *, step_days=1.0,
             arrival_step_days=None, prograde=True, revolutions=0, branch="low",
             capture=None, ephemeris=None, progress=None):
    """Compute a porkchop grid.

    Parameters
    ----------
    departure_body, arrival_body : str
        Planet names (:data:`cosmoplan.interplanetary.bodies.PLANETS`).
    launch, arrive : (start, stop) or 'YYYY-MM-DD/YYYY-MM-DD'
        Departure and arrival windows (UTC; Epochs, ISO text or aware datetimes).
    step_days, arrival_step_days : float
        Grid spacing in days (arrival defaults to the departure spacing).
    prograde : bool
        Transfer direction (True: with the planets' motion).
    revolutions : int
        Complete heliocentric revolutions (0 for a direct transfer).
    branch : {'low', 'high'}
        For ``revolutions > 0``: which of the two solutions.
    capture : CaptureOrbit, optional
        Orbit to capture into at arrival (default 400 km periapsis, 10-day period).
    ephemeris : cosmoplan.ephemeris.Ephemeris, optional
        Default: DE421 from skyfield-data.
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    Porkchop

    Raises
    ------
    InputError
        Unknown body, reversed or empty window, epochs outside the ephemeris, a bad step,
        a grid over :data:`MAX_CELLS` cells; the argument is named.
    """
    from ..ephemeris import default_ephemeris
    from .lambert import lambert_batch

    dep_body = get_planet(departure_body, "departure_body")
    arr_body = get_planet(arrival_body, "arrival_body")
    if dep_body.name == arr_body.name:
        raise InputError("departure and arrival bodies are the same", field="arrival_body",
                         value=arrival_body)
    l0, l1 = _span(launch, "launch")
    a0, a1 = _span(arrive, "arrive")
    if not float(a1 - l0) > 0:
        raise InputError(f"the arrival window ({a0.utc.iso(0)[:10]} to {a1.utc.iso(0)[:10]}) "
                         f"ends before the launch window starts ({l0.utc.iso(0)[:10]})",
                         field="arrive", value=arrive)
    for val, name in ((step_days, "step_days"), (arrival_step_days, "arrival_step_days")):
        if val is not None and not (isinstance(val, (int, float)) and np.isfinite(val)
                                    and val > 0):
            raise InputError(f"{name} must be a positive number of days, got {val!r}",
                             field=name, value=val)
    if not isinstance(revolutions, (int, np.integer)) or revolutions < 0:
        raise InputError(f"revolutions must be a whole number >= 0, got {revolutions!r}",
                         field="revolutions", value=revolutions)
    capture = capture or CaptureOrbit()
    astep = arrival_step_days or step_days
    n_dep = int(np.floor(float(l1 - l0) / 86400.0 / step_days + 1e-9)) + 1
    n_arr = int(np.floor(float(a1 - a0) / 86400.0 / astep + 1e-9)) + 1
    if n_dep * n_arr > MAX_CELLS:
        raise InputError(f"a {n_dep} x {n_arr} grid has {n_dep * n_arr:,} cells; at most "
                         f"{MAX_CELLS:,}: use a larger step", field="step_days", value=step_days)
    dep_t = l0 + np.arange(n_dep) * step_days * 86400.0
    arr_t = a0 + np.arange(n_arr) * astep * 86400.0
    eph = ephemeris or default_ephemeris()
    progress = progress or (lambda stage, frac: None)

    progress("ephemeris", 0.0)
    t0 = _time.perf_counter()
    r_dep, v_dep = _states(eph, dep_body, dep_t, "launch")
    r_arr, v_arr = _states(eph, arr_body, arr_t, "arrive")
    t_eph = _time.perf_counter() - t0

    tof = np.asarray(arr_t[None, :] - dep_t[:, None], float)  # (N, M) s, via epoch arithmetic
    c3 = np.full((n_dep, n_arr), np.nan)
    dla, rla, vinf_a = c3.copy(), c3.copy(), c3.copy()
    status = np.full((n_dep, n_arr), 5, dtype=np.int8)
    t_solve = 0.0
    rows = max(1, min(n_dep, 200_000 // max(n_arr, 1)))  # ~10 progress steps per 1e6 cells
    for i0 in range(0, n_dep, rows):
        i1 = min(n_dep, i0 + rows)
        block = tof[i0:i1]
        ok = block > 0
        ii, jj = np.nonzero(ok)
        if ii.size:
            r1 = r_dep[i0:i1][ii]
            r2 = r_arr[jj]
            t1 = _time.perf_counter()
            v1, v2, st = lambert_batch(r1, r2, block[ii, jj], SUN_GM_KM3_S2,
                                       revolutions=int(revolutions), prograde=bool(prograde),
                                       branch=branch)
            t_solve += _time.perf_counter() - t1
            gi = ii + i0
            status[gi, jj] = st
            good = st == 0
            vd = v1 - v_dep[i0:i1][ii]
            va = v2 - v_arr[jj]
            vd_n = np.linalg.norm(vd, axis=1)
            c3[gi[good], jj[good]] = vd_n[good] ** 2
            dla[gi[good], jj[good]] = np.arcsin(np.clip(vd[good, 2] / vd_n[good], -1.0, 1.0))
            rla[gi[good], jj[good]] = np.mod(np.arctan2(vd[good, 1], vd[good, 0]), 2 * np.pi)
            vinf_a[gi[good], jj[good]] = np.linalg.norm(va[good], axis=1)
        progress("Lambert grid", i1 / n_dep)
    capture_dv = capture.delta_v(arr_body, vinf_a)
    tof_out = np.where(status == 5, np.nan, tof)
    return Porkchop(dep_body, arr_body, dep_t, arr_t, c3, dla, rla, vinf_a, tof_out,
                    capture_dv, status, capture, bool(prograde), int(revolutions),
                    {"ephemeris_s": t_eph, "lambert_s": t_solve, "cells": n_dep * n_arr})


def transfer(departure_body, arrival_body, departure, arrival, *, capture=None,
             prograde=True, revolutions=0, branch="low", ephemeris=None):
    """One Lambert transfer between two planets at given epochs, as a :class:`PorkchopPoint`.

    Raises InputError for a zero or negative time of flight (naming ``arrival``), and the
    Lambert solver's errors (PlanningError when no solution exists for the revolutions).
    """
    from ..ephemeris import default_ephemeris
    from .lambert import lambert

    dep_body = departure_body if isinstance(departure_body, Planet) else get_planet(
        departure_body, "departure_body")
    arr_body = arrival_body if isinstance(arrival_body, Planet) else get_planet(
        arrival_body, "arrival_body")
    t_dep = Epoch.coerce(departure, field="departure")
    t_arr = Epoch.coerce(arrival, field="arrival")
    tof = float(t_arr - t_dep)
    if not tof > 0:
        raise InputError(f"the time of flight must be positive: arrival {t_arr.utc.iso(0)} is "
                         f"not after departure {t_dep.utc.iso(0)}", field="arrival",
                         value=t_arr.utc.iso(0))
    eph = ephemeris or default_ephemeris()
    r1, vp1 = _states(eph, dep_body, t_dep, "departure")
    r2, vp2 = _states(eph, arr_body, t_arr, "arrival")
    sols = lambert(r1, r2, tof, SUN_GM_KM3_S2, revolutions=revolutions, prograde=prograde)
    if revolutions > 0:
        # at the minimum time of flight the two branches meet and one solution ("low")
        # is returned: it is then the requested one as well
        same = [s for s in sols if s.branch == branch]
        sols = same or sols
    sol = sols[0]
    vd = sol.v1 - vp1
    va = sol.v2 - vp2
    capture = capture or CaptureOrbit()
    vinf_a = float(np.linalg.norm(va))
    return PorkchopPoint(t_dep, t_arr, tof, float(vd @ vd),
                         float(np.arcsin(vd[2] / np.linalg.norm(vd))),
                         float(np.mod(np.arctan2(vd[1], vd[0]), 2 * np.pi)), vinf_a,
                         float(capture.delta_v(arr_body, vinf_a)), vd, va)
