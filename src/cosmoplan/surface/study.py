"""Candidate lunar sites compared: illumination, Earth visibility and partner contacts.

:func:`site_study` runs :func:`~cosmoplan.surface.analysis.analyze_site` for each site and,
for each ground network, :func:`cosmoplan.access.coverage` of the site with both horizons
applied (the station's elevation mask and the site's own horizon,
:class:`cosmoplan.access.LunarSiteTarget`). It is the planner behind ``cosmoplan site``
and the ``sites`` scenarios (``cosmoplan run ilrs-south-pole``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import warnings
from dataclasses import dataclass, field

from ..errors import InputError
from ..time import Epoch
from .analysis import analyze_site

__all__ = ["SiteStudy", "site_study"]


@dataclass(frozen=True, eq=False)
class SiteStudy:
    """Results of :func:`site_study`.

    Attributes
    ----------
    analyses : list of SiteAnalysis
        One per site, in the order given.
    coverages : dict
        Site name -> {network name -> :class:`cosmoplan.access.Coverage`} (empty without
        networks).
    contact_step_s : float
        Search grid step of the contacts, s.
    station_mask_deg : float or None
        Common station elevation mask, or None for each station's own.
    """

    analyses: list
    coverages: dict = field(default_factory=dict)
    contact_step_s: float = 600.0
    station_mask_deg: float | None = None

    def rows(self):
        """One dict per site: the per-span figures and each network's contact fraction and
        longest gap (hours)."""
        out = []
        for a in self.analyses:
            row = a.summary()
            for net, cov in self.coverages.get(a.site.name, {}).items():
                row[f"{net}_contact_fraction"] = cov.fraction
                row[f"{net}_longest_gap_h"] = cov.longest_gap_s / 3600.0
            row["source"] = a.site.source
            out.append(row)
        return out

    def to_dict(self):
        """JSON-ready summary (fractions 0..1, hours, degrees, UTC ISO times)."""
        first = self.analyses[0]
        return {
            "format": "cosmoplan sites 1",
            "start_utc": first.start.utc.iso(3),
            "stop_utc": first.stop.utc.iso(3),
            "step_s": first.step_s,
            "contact_step_s": self.contact_step_s,
            "station_mask_deg": self.station_mask_deg,
            "aberration_correction": first.correction,
            "sites": self.rows(),
            "contacts": {
                site: {net: {name: [[c.rise.utc.iso(0), c.set.utc.iso(0)] for c in cs]
                             for name, cs in cov.contacts.items()}
                       for net, cov in nets.items()}
                for site, nets in self.coverages.items()},
        }

    def events_csv(self):
        """Every refined event of every site as CSV text (site, UTC epoch, kind)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["site", "epoch_utc", "event"])
        for a in self.analyses:
            for e in a.events:
                w.writerow([a.site.name, e.epoch.utc.iso(1), e.kind])
        return buf.getvalue()

    def plot(self, path=None):
        """Side-by-side comparison (:func:`cosmoplan.report.surface_plot.plot_site_comparison`)."""
        from ..report.surface_plot import plot_site_comparison

        return plot_site_comparison(self.analyses, path, coverages=self.coverages or None)


@contextlib.contextmanager
def _one_warning_per_kind():
    """Collect the warnings of a long study and re-issue one per kind (the same message
    with other counts or dates is one kind): a year of contacts in 2028, beyond the EOP
    table, would otherwise warn once per station and bisection step."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    kinds = {}
    for w in caught:
        kinds.setdefault((w.category, re.sub(r"[0-9][0-9.:T-]*", "#", str(w.message))), w)
    for w in kinds.values():
        warnings.warn(w.message, stacklevel=3)


def site_study(sites, start, days, *, step_s=300.0, horizons=None, mast_m=0.0,
               earth_min_elevation_deg=0.0, networks=(), station_mask_deg=None,
               contact_step_s=600.0, progress=None):
    """Analyse several lunar sites over one span and their contacts with ground networks.

    Parameters
    ----------
    sites : list of LunarSite or str
        Sites or bundled site names (unique names).
    start, days, step_s, mast_m, earth_min_elevation_deg
        As :func:`~cosmoplan.surface.analysis.analyze_site` (the same for every site).
    horizons : list of (Horizon or None), optional
        One per site (None: flat). ``mast_m`` needs all of them None (a DEM horizon takes
        the mast in ``Horizon.from_dem``).
    networks : iterable of str
        Bundled network names (``'china'``, ``'russia'``, ``'esa'``, ``'nasa'``) or user
        networks' names understood by :func:`cosmoplan.access.coverage`.
    station_mask_deg : float, optional
        Common station elevation mask, degrees; default each station's own.
    contact_step_s : float
        Contact search grid, s (default 600 s; contacts shorter than that can be missed;
        rise/set are refined to 0.5 s).
    progress : callable, optional
        ``progress(stage, fraction)``.

    Returns
    -------
    SiteStudy
    """
    from .analysis import _resolve_site
    from .horizon import Horizon

    for arg, value in (("sites", sites), ("networks", networks), ("horizons", horizons)):
        if isinstance(value, (str, Horizon)) or not (value is None or hasattr(value, "__iter__")):
            hint = f" (for one, write [{value!r}])" if isinstance(value, str) else ""
            raise InputError(f"{arg} must be a list, got {type(value).__name__}{hint}",
                             field=arg, value=value)
    sites = [_resolve_site(s) for s in sites]
    if not sites:
        raise InputError("no sites given", field="sites")
    names = [s.name for s in sites]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"site names must be unique (they label the results): {dup[0]!r} "
                         "appears twice", field="sites", value=dup[0])
    horizons = list(horizons) if horizons is not None else [None] * len(sites)
    if len(horizons) != len(sites):
        raise InputError(f"{len(horizons)} horizons for {len(sites)} sites",
                         field="horizons", value=len(horizons))
    if mast_m and any(h is not None for h in horizons):
        raise InputError("mast_m applies to the sites with the default flat horizon; give the "
                         "mast of a DEM horizon to Horizon.from_dem(..., "
                         "height_above_ground_m=...)", field="mast_m", value=mast_m)
    networks = list(networks)
    dup = [n for k, n in enumerate(networks) if n in networks[:k]]
    if dup:
        raise InputError(f"network {dup[0]!r} is listed twice", field="networks", value=dup[0])
    if not (isinstance(contact_step_s, (int, float)) and not isinstance(contact_step_s, bool)
            and math.isfinite(contact_step_s) and 10.0 <= contact_step_s <= 3600.0):
        raise InputError(f"contact_step_s = {contact_step_s!r} must be in [10, 3600] s",
                         field="contact_step_s", value=contact_step_s)
    start = Epoch.coerce(start, field="start")
    n_jobs = len(sites) * (1 + len(networks))

    def report(stage, frac):
        if progress is not None:
            progress(stage, min(1.0, (report.done + frac) / n_jobs))

    report.done = 0

    analyses, coverages = [], {}
    with _one_warning_per_kind():
        _study(sites, horizons, start, days, step_s, mast_m, earth_min_elevation_deg,
               networks, station_mask_deg, contact_step_s, report, analyses, coverages)
    report("done", 0.0)
    return SiteStudy(analyses, coverages, float(contact_step_s), station_mask_deg)


def _study(sites, horizons, start, days, step_s, mast_m, earth_min_elevation_deg, networks,
           station_mask_deg, contact_step_s, report, analyses, coverages):
    from ..access import LunarSiteTarget, coverage

    for site, horizon in zip(sites, horizons):
        a = analyze_site(site, start, days, step_s=step_s, horizon=horizon,
                         mast_m=0.0 if horizon is not None else mast_m,
                         earth_min_elevation_deg=earth_min_elevation_deg,
                         progress=lambda d, t, s=site: report(f"{s.name}: Sun and Earth",
                                                              d / t))
        analyses.append(a)
        report.done += 1
        if networks:
            grid = Epoch.arange(a.start, a.stop, float(contact_step_s))
            if float(a.stop - grid[-1]) > 1e-6:
                grid = Epoch.concatenate([grid, a.stop.reshape(1)])
            target = LunarSiteTarget(site, a.horizon,
                                     min_elevation_deg=math.degrees(a.earth_min_elevation))
            coverages[site.name] = {}
            for net in networks:
                report(f"{site.name}: {net} contacts", 0.0)
                coverages[site.name][net] = coverage(net, grid, target,
                                                     mask_deg=station_mask_deg, tol_s=0.5)
                report.done += 1
