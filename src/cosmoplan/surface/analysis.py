"""Illumination and direct-to-Earth visibility of a lunar surface site over a time span.

For a site (:class:`~cosmoplan.surface.sites.LunarSite`) and a span, :func:`analyze_site`
computes on a regular grid

* the Sun's azimuth and elevation seen from the site (DE421, MOON_ME, light time and
  stellar aberration: :func:`cosmoplan.moon.look_angles_many`), its angular radius
  ``asin(R_sun / d)`` (IAU 2015 nominal R_sun = 695,700 km) and the **visible fraction of
  its disk** above the local horizon;
* the Earth's azimuth and elevation and whether its centre is above the horizon (plus an
  optional minimum elevation) for direct-to-Earth radio;

and refines every change of "some of the Sun is up" (sunrise/sunset), "all of the Sun is
up" and "the Earth is up" (Earth-rise/set) to ``tol_s`` (default 0.5 s; the requirement is
1 s) by batched bisection on the continuous margins (:mod:`cosmoplan._events`). The
per-span statistics come from those refined intervals, not from counting samples:
percent of time lit partly / fully, longest continuous night (no part of the disk up),
percent of time with the Earth up, longest Earth-visibility gap. A span shorter than the
grid step can be missed: near the pole the Sun grazes the terrain and a 1 to 5 minute step
is advisable with a DEM horizon.

The horizon (:class:`~cosmoplan.surface.horizon.Horizon`) is flat by default (the plane
normal to the radius; an elevated observer, ``mast_m``, sees the smooth sphere's horizon
dip below it), a CSV azimuth/elevation mask, or a horizon cast over a DEM.

Visible fraction of the solar disk. The horizon is taken as a straight line across the
disk with the mask's local slope ``k = (dh/daz) / cos(el)`` in the tangent plane; the
disk's centre lies at the signed distance ``s = (el - h(az)) / sqrt(1 + k^2)`` from it and
the fraction of a uniform disk of angular radius ``rho`` above a chord at ``x = s/rho`` is
``1 - (acos x - x sqrt(1 - x^2)) / pi`` (area of a circular segment). Limb darkening is
ignored (the fraction is of area, not of flux: a thin upper limb carries less light than
its area). The Sun's disk is 0.53 deg across, so at the pole, where the Sun's elevation
stays within +/-1.6 deg, partial illumination is frequent.

Sources: Bussey et al. 1999 (GRL 26:1187) and 2010 (Icarus 208:558), Mazarico et al. 2011
(Icarus 211:1066) and Gläser et al. 2014 (Icarus 243:78) compute illumination this way
(Sun positions over a horizon mask; Mazarico et al. also integrate the visible disk
fraction).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .._events import complement, refine_crossings, spans_from_crossings
from ..constants import SUN_RADIUS_KM
from ..errors import DataRangeError, InputError
from ..time import Epoch
from .horizon import Horizon, dip_for_height
from .sites import LunarSite, lunar_site

__all__ = ["Interval", "SurfaceEvent", "SiteAnalysis", "analyze_site", "disk_fraction"]

MAX_EPOCHS = 20_000_000
"""Largest grid :func:`analyze_site` accepts (about 38 years at 1-minute steps)."""

EVENT_KINDS = ("sunrise", "sunset", "full sun begins", "full sun ends", "earthrise",
               "earthset")


class Interval(NamedTuple):
    """A time interval ``(start, end)`` (Epochs, the scale of the analysis start)."""

    start: Epoch
    end: Epoch

    @property
    def duration_s(self):
        """Length, SI seconds."""
        return float(self.end - self.start)


class SurfaceEvent(NamedTuple):
    """A refined event: ``epoch`` and ``kind`` (one of :data:`EVENT_KINDS`)."""

    epoch: Epoch
    kind: str


def disk_fraction(el, radius, horizon_el, horizon_slope=0.0):
    """Visible fraction of a uniform disk above a (locally straight) horizon.

    Parameters
    ----------
    el : array_like
        Elevation of the disk's centre, rad.
    radius : array_like
        Angular radius of the disk, rad (> 0).
    horizon_el : array_like
        Horizon elevation at the centre's azimuth, rad.
    horizon_slope : array_like
        d(horizon)/d(azimuth) there (dimensionless); 0 for a level horizon.

    Returns
    -------
    ndarray
        Fraction of the disk's area above the horizon, in [0, 1] (broadcast shape).
    """
    el = np.asarray(el, float)
    k = np.asarray(horizon_slope, float) / np.maximum(np.cos(el), 1e-9)
    x = np.clip((el - horizon_el) / np.sqrt(1.0 + k * k) / radius, -1.0, 1.0)
    return 1.0 - (np.arccos(x) - x * np.sqrt(1.0 - x * x)) / math.pi


@dataclass(frozen=True, eq=False)
class SiteAnalysis:
    """Illumination and Earth visibility of a site over a span (see the module docstring).

    Time series (shape (N,), one value per grid epoch; angles in rad):
    ``epochs``, ``sun_az``, ``sun_el``, ``sun_radius``, ``sun_horizon`` (horizon elevation
    at the Sun's azimuth), ``sun_fraction`` (visible fraction of the disk, 0..1),
    ``earth_az``, ``earth_el``, ``earth_horizon``, ``earth_visible`` (bool).

    Intervals (lists of :class:`Interval`, refined to ``tol_s``): ``sun_partly`` (some of
    the disk up), ``sun_full`` (all of it), ``nights`` (none), ``earth_up``,
    ``earth_gaps``; ``events``: every refined :class:`SurfaceEvent` in time order.
    Intervals touching either end of the span are clipped to it, so their lengths are
    lower bounds.
    """

    site: LunarSite
    horizon: Horizon
    start: Epoch
    stop: Epoch
    step_s: float
    tol_s: float
    observer_height_km: float
    earth_min_elevation: float
    correction: str
    epochs: Epoch
    sun_az: np.ndarray
    sun_el: np.ndarray
    sun_radius: np.ndarray
    sun_horizon: np.ndarray
    sun_fraction: np.ndarray
    earth_az: np.ndarray
    earth_el: np.ndarray
    earth_horizon: np.ndarray
    earth_visible: np.ndarray
    sun_partly: list = field(default_factory=list)
    sun_full: list = field(default_factory=list)
    nights: list = field(default_factory=list)
    earth_up: list = field(default_factory=list)
    earth_gaps: list = field(default_factory=list)
    events: list = field(default_factory=list)

    # ------------------------------------------------------------------ statistics
    @property
    def span_s(self):
        """Length of the analysed span, SI seconds."""
        return float(self.stop - self.start)

    def _fraction(self, intervals):
        return sum(i.duration_s for i in intervals) / self.span_s

    @property
    def lit_fraction(self):
        """Fraction of the span with some of the solar disk above the horizon."""
        return self._fraction(self.sun_partly)

    @property
    def fully_lit_fraction(self):
        """Fraction of the span with the whole solar disk above the horizon."""
        return self._fraction(self.sun_full)

    @property
    def mean_disk_fraction(self):
        """Time average of the visible fraction of the solar disk (trapezoid rule)."""
        t = np.asarray(self.epochs - self.epochs[0], float)
        return float(np.trapezoid(self.sun_fraction, t) / t[-1]) if hasattr(np, "trapezoid") \
            else float(np.trapz(self.sun_fraction, t) / t[-1])

    @property
    def longest_night(self):
        """The longest interval with no part of the Sun up (None if never dark)."""
        return max(self.nights, key=lambda i: i.duration_s, default=None)

    @property
    def longest_night_s(self):
        """Length of :attr:`longest_night`, s (0 if never dark)."""
        n = self.longest_night
        return 0.0 if n is None else n.duration_s

    @property
    def earth_visible_fraction(self):
        """Fraction of the span with the Earth's centre above the horizon (+ minimum)."""
        return self._fraction(self.earth_up)

    @property
    def longest_earth_gap(self):
        """The longest interval with the Earth down (None if always up)."""
        return max(self.earth_gaps, key=lambda i: i.duration_s, default=None)

    @property
    def longest_earth_gap_s(self):
        """Length of :attr:`longest_earth_gap`, s (0 if the Earth is always up)."""
        g = self.longest_earth_gap
        return 0.0 if g is None else g.duration_s

    def summary(self):
        """The per-span figures as a plain dict (fractions 0..1, durations in hours,
        angles in degrees), for tables, JSON and comparisons."""
        return {
            "site": self.site.name,
            "lat_deg": self.site.lat_deg,
            "lon_deg": self.site.lon_deg,
            "start": self.start.iso(),
            "stop": self.stop.iso(),
            "days": self.span_s / 86400.0,
            "step_s": self.step_s,
            "horizon": self.horizon.source,
            "lit_fraction": self.lit_fraction,
            "fully_lit_fraction": self.fully_lit_fraction,
            "mean_disk_fraction": self.mean_disk_fraction,
            "longest_night_h": self.longest_night_s / 3600.0,
            "earth_visible_fraction": self.earth_visible_fraction,
            "longest_earth_gap_h": self.longest_earth_gap_s / 3600.0,
            "sun_elevation_max_deg": float(np.degrees(self.sun_el.max())),
            "sun_elevation_min_deg": float(np.degrees(self.sun_el.min())),
            "earth_elevation_max_deg": float(np.degrees(self.earth_el.max())),
            "earth_elevation_min_deg": float(np.degrees(self.earth_el.min())),
            "events": len(self.events),
        }

    def table(self):
        """Plain-text summary of the per-span figures."""
        s = self.summary()
        return "\n".join([
            f"site          {self.site.name} ({self.site.lat_deg:.4f}, "
            f"{self.site.lon_deg:.4f} deg), horizon: {self.horizon.source}",
            f"span          {s['start']} .. {s['stop']} ({s['days']:.2f} d, step "
            f"{self.step_s:g} s)",
            f"Sun up        partly {100 * s['lit_fraction']:.2f} %, fully "
            f"{100 * s['fully_lit_fraction']:.2f} %, mean disk {100 * s['mean_disk_fraction']:.2f}"
            f" %; longest night {s['longest_night_h']:.2f} h",
            f"Earth up      {100 * s['earth_visible_fraction']:.2f} %; longest gap "
            f"{s['longest_earth_gap_h']:.2f} h",
            f"Sun elev.     {s['sun_elevation_min_deg']:.3f} .. {s['sun_elevation_max_deg']:.3f}"
            f" deg; Earth elev. {s['earth_elevation_min_deg']:.3f} .. "
            f"{s['earth_elevation_max_deg']:.3f} deg",
        ])

    def to_csv(self, path):
        """Write the time series (UTC ISO epochs, degrees) to ``path``, atomically."""
        from .._io import atomic_write_text

        rows = ["epoch_utc,sun_az_deg,sun_el_deg,sun_horizon_deg,sun_disk_fraction,"
                "earth_az_deg,earth_el_deg,earth_horizon_deg,earth_visible"]
        iso = self.epochs.utc.iso(0)
        cols = [np.degrees(self.sun_az), np.degrees(self.sun_el), np.degrees(self.sun_horizon),
                self.sun_fraction, np.degrees(self.earth_az), np.degrees(self.earth_el),
                np.degrees(self.earth_horizon)]
        for i in range(len(iso)):
            rows.append(f"{iso[i]},{cols[0][i]:.5f},{cols[1][i]:.5f},{cols[2][i]:.5f},"
                        f"{cols[3][i]:.5f},{cols[4][i]:.5f},{cols[5][i]:.5f},{cols[6][i]:.5f},"
                        f"{int(self.earth_visible[i])}")
        atomic_write_text(os.fspath(path), "\n".join(rows) + "\n")

    def plot(self, path=None, **kwargs):
        """Elevation plots and the Sun's path over the horizon; see
        :func:`cosmoplan.report.surface_plot.plot_site`."""
        from ..report.surface_plot import plot_site

        return plot_site(self, path, **kwargs)


# ---------------------------------------------------------------------------- analysis
def _number(value, name, lo, hi, *, lo_open=False):
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array is a number
        value = value[()]
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a number, got {value!r}", field=name, value=value)
    v = float(value)
    if not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo):
        bound = f"({lo}, {hi}]" if lo_open else f"[{lo}, {hi}]"
        raise InputError(f"{name} = {value!r} is outside {bound}", field=name, value=value)
    return v


def _resolve_site(site):
    if isinstance(site, LunarSite):
        return site
    if isinstance(site, str):
        return lunar_site(site)
    raise InputError(f"site must be a LunarSite or the name of a bundled site, got "
                     f"{type(site).__name__}", field="site", value=site)


class _Geometry:
    """Sun and Earth seen from the site at any epochs (the margins' evaluator)."""

    def __init__(self, site, horizon, height_km, min_el, correction, ephemeris):
        self.lat = math.radians(site.lat_deg)
        self.lon = math.radians(site.lon_deg)
        self.height_km = height_km
        self.horizon = horizon
        self.min_el = min_el
        self.correction = correction
        self.ephemeris = ephemeris

    def __call__(self, epochs):
        from ..moon import look_angles_many

        (saz, sel, sd), (eaz, eel, _) = look_angles_many(
            self.lat, self.lon, self.height_km, epochs, ("sun", "earth"),
            correction=self.correction, ephemeris=self.ephemeris)
        rad = np.arcsin(SUN_RADIUS_KM / sd)
        sh = self.horizon.elevation_at(saz)
        k = self.horizon.slope_at(saz) / np.maximum(np.cos(sel), 1e-9)
        s = (sel - sh) / np.sqrt(1.0 + k * k)  # signed distance of the disk centre
        eh = self.horizon.elevation_at(eaz)
        return dict(sun_az=saz, sun_el=sel, sun_radius=rad, sun_horizon=sh,
                    sun_fraction=disk_fraction(sel, rad, sh, self.horizon.slope_at(saz)),
                    earth_az=eaz, earth_el=eel, earth_horizon=eh,
                    margins=np.stack([s + rad, s - rad, eel - eh - self.min_el]))


def _check_span(start, span_s, ephemeris=None):
    """The span's end; fail early, with the span, if the ephemeris or the lunar PCK cannot
    cover it (the start is checked first: far outside them, its end may not exist)."""
    from ..ephemeris import default_ephemeris
    from ..moon import libration_angles

    eph = ephemeris or default_ephemeris()

    def check(ends):
        libration_angles(ends)
        eph._check_range(np.asarray(ends.tdb.jd1 + ends.tdb.jd2))

    stop = None
    try:
        check(start.reshape(1))
        stop = start + span_s
        check(Epoch.concatenate([start.reshape(1), stop.reshape(1)]))
    except DataRangeError as exc:
        end = stop.iso() if stop is not None else f"+ {span_s / 86400.0:g} d"
        raise DataRangeError(f"span {start.iso()} .. {end} cannot be analysed: {exc}",
                             start=exc.start, stop=exc.stop) from None
    return stop


def analyze_site(site, start, days, *, step_s=300.0, horizon=None, mast_m=0.0,
                 earth_min_elevation_deg=0.0, tol_s=0.5, correction="lt+s", ephemeris=None,
                 progress=None):
    """Illumination and Earth visibility of a lunar site over a span.

    Parameters
    ----------
    site : LunarSite or str
        The site, or the name/key of a bundled one (:func:`~cosmoplan.surface.sites.lunar_site`).
    start : Epoch or str
        Start of the span (an ISO string is read as UTC).
    days : float
        Length of the span, days (at least 1 s, at most 36525 days).
    step_s : float
        Grid step, s, in [1, 86400] (default 300 s). Spans shorter than a step can be missed.
    horizon : Horizon, optional
        The local horizon; default flat (with the smooth sphere's dip for ``mast_m``).
    mast_m : float
        Height of the observer above the ground, m, for the default flat horizon (with a
        DEM horizon pass ``height_above_ground_m`` to ``Horizon.from_dem`` instead).
    earth_min_elevation_deg : float
        Minimum elevation of the Earth's centre above the horizon for direct-to-Earth
        visibility, degrees (default 0).
    tol_s : float
        Refinement of every event, s, in [0.001, 1] (default 0.5 s).
    correction : {"lt+s", "lt", "none"}
        Aberration correction of the Sun and Earth directions (:func:`cosmoplan.moon.look_angles`).
    ephemeris : Ephemeris, optional
        Default DE421.
    progress : callable, optional
        ``progress(done, total)`` called as the grid is computed (for a progress bar).

    Returns
    -------
    SiteAnalysis

    Raises
    ------
    InputError
        Unknown site, bad numbers, a mast with an explicit horizon.
    DataRangeError
        A span outside the lunar orientation file (1900-2050) or the ephemeris.
    """
    site = _resolve_site(site)
    start = Epoch.coerce(start, field="start")
    if start.ndim != 0:
        raise InputError("start must be a single epoch", field="start", value=start.shape)
    days = _number(days, "days", 0.0, 36525.0, lo_open=True)
    step_s = _number(step_s, "step_s", 1.0, 86400.0)
    mast_m = _number(mast_m, "mast_m", 0.0, 10_000.0)
    min_el = math.radians(_number(earth_min_elevation_deg, "earth_min_elevation_deg",
                                  -10.0, 90.0))
    tol_s = _number(tol_s, "tol_s", 0.001, 1.0)
    if days * 86400.0 < 1.0:
        raise InputError(f"days = {days!r} is a span of {days * 86400.0:.3g} s; the span must "
                         "be at least 1 s", field="days", value=days)
    if progress is not None and not callable(progress):
        raise InputError(f"progress must be a function progress(done, total), got "
                         f"{type(progress).__name__}", field="progress", value=progress)
    from ..ephemeris import Ephemeris

    if ephemeris is not None and not isinstance(ephemeris, Ephemeris):
        raise InputError(f"ephemeris must be a cosmoplan.ephemeris.Ephemeris (or None for "
                         f"DE421), got {type(ephemeris).__name__}", field="ephemeris",
                         value=ephemeris)
    if horizon is None:
        horizon = Horizon.flat(math.degrees(dip_for_height(mast_m)))
        height_km = site.height_km + mast_m / 1000.0
    elif not isinstance(horizon, Horizon):
        raise InputError(f"horizon must be a cosmoplan.surface.horizon.Horizon, got "
                         f"{type(horizon).__name__}", field="horizon", value=horizon)
    elif mast_m:
        raise InputError("mast_m applies to the default flat horizon; for a DEM horizon give "
                         "the height to Horizon.from_dem(..., height_above_ground_m=...)",
                         field="mast_m", value=mast_m)
    else:
        horizon.check_site(site.lat_deg, site.lon_deg, repr(site.name))
        height_km = horizon.site_height_km if horizon.source.startswith("DEM") \
            else site.height_km
    span = days * 86400.0
    n = int(math.floor(span / step_s + 1e-9)) + 1
    if n > MAX_EPOCHS:
        raise InputError(f"{days:g} days at {step_s:g} s steps is {n:,} epochs, more than "
                         f"{MAX_EPOCHS:,}: use a longer step", field="step_s", value=step_s)
    offsets = np.arange(n) * step_s
    if offsets[-1] < span:
        offsets = np.append(offsets, span)
    stop = _check_span(start, span, ephemeris)
    geo = _Geometry(site, horizon, height_km, min_el, correction, ephemeris)
    chunk = max(1, -(-offsets.size // 40))
    parts = []
    for i in range(0, offsets.size, chunk):
        parts.append(geo(start + offsets[i:i + chunk]))
        if progress is not None:
            progress(min(i + chunk, offsets.size), offsets.size)
    series = {key: np.concatenate([p[key] for p in parts], axis=-1) for key in parts[0]}

    def evaluate(ks, tm):
        m = geo(start + tm)["margins"]
        return m[ks, np.arange(ks.size)]

    cr = refine_crossings(offsets, series["margins"], evaluate, tol_s)

    def intervals(spans):
        return [Interval(start + a if a > 0.0 else start, stop if b >= span else start + b)
                for a, b in spans]

    spans = [spans_from_crossings(cr, k) for k in range(3)]
    kinds = (("sunrise", "sunset"), ("full sun begins", "full sun ends"),
             ("earthrise", "earthset"))
    order = np.argsort(cr.time_s, kind="stable")
    events = [SurfaceEvent(start + float(cr.time_s[i]), kinds[cr.series[i]][0 if cr.rising[i]
                                                                             else 1])
              for i in order]
    return SiteAnalysis(
        site=site, horizon=horizon, start=start, stop=stop, step_s=step_s, tol_s=tol_s,
        observer_height_km=height_km, earth_min_elevation=min_el, correction=correction,
        epochs=start + offsets,
        sun_az=series["sun_az"], sun_el=series["sun_el"], sun_radius=series["sun_radius"],
        sun_horizon=series["sun_horizon"], sun_fraction=series["sun_fraction"],
        earth_az=series["earth_az"], earth_el=series["earth_el"],
        earth_horizon=series["earth_horizon"],
        earth_visible=series["margins"][2] >= 0.0,
        sun_partly=intervals(spans[0]), sun_full=intervals(spans[1]),
        nights=intervals(complement(spans[0], span)),
        earth_up=intervals(spans[2]), earth_gaps=intervals(complement(spans[2], span)),
        events=events,
    )
