"""Plots of lunar site analyses (matplotlib, Agg, PNG written atomically).

:func:`plot_site`: the Sun's and the Earth's elevation against time over the horizon at
their azimuths, the Sun's path over the horizon mask on a polar plot, and the contact
windows of ground networks; :func:`plot_site_comparison`: candidate sites side by side.
"""

from __future__ import annotations

import numpy as np

from .plots import _plain_text, _save, plt
from .porkchop_plot import _dates

__all__ = ["plot_site", "plot_site_comparison"]

_MAX_POINTS = 20_000  # samples drawn per curve (a year at 1 min is 525,600)


def _thin(n):
    return slice(None, None, max(1, n // _MAX_POINTS))


def _time_axis(ax):
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.grid(alpha=0.3)


def _elevation_panel(ax, days, el, horizon, up, title, colour):
    ax.plot(days, np.degrees(horizon), color="0.35", lw=0.8, label="horizon at its azimuth")
    ax.plot(days, np.degrees(el), color=colour, lw=0.8, label="centre elevation")
    lo = min(np.degrees(el).min(), np.degrees(horizon).min())
    ax.fill_between(days, lo, np.degrees(horizon), color="0.85", lw=0, zorder=0)
    top = np.degrees(el).max()
    ax.set_ylim(lo - 0.1 * (top - lo), None)
    ax.fill_between(days, lo - 0.1 * (top - lo), lo - 0.04 * (top - lo), where=up,
                    color=colour, alpha=0.5, lw=0, label="up")
    ax.set_ylabel("elevation (deg)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
    _time_axis(ax)


def _polar_panel(ax, a):
    """Sun path over the horizon mask; radius = elevation + offset, so the horizon (near
    0 deg at the pole) is not squeezed onto the rim of a 90-deg sky plot."""
    s = _thin(a.sun_el.size)
    el = np.degrees(a.sun_el[s])
    hz = a.horizon
    az_h = np.linspace(0.0, 2 * np.pi, 721)
    el_h = np.degrees(hz.elevation_at(az_h))
    lo = np.floor(min(el.min(), el_h.min()) - 0.5)
    hi = np.ceil(max(el.max(), el_h.max()) + 0.5)
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.fill_between(az_h, 0.0, el_h - lo, color="0.55", alpha=0.6, lw=0, label="horizon")
    lit = a.sun_fraction[s] > 0.0
    ax.scatter(a.sun_az[s][lit], el[lit] - lo, s=0.3, color="orange", label="Sun (up)")
    ax.scatter(a.sun_az[s][~lit], el[~lit] - lo, s=0.3, color="navy", label="Sun (down)")
    ax.set_ylim(0.0, hi - lo)
    ticks = np.arange(np.ceil(lo), hi + 0.01, max(1.0, np.ceil((hi - lo) / 5)))
    ax.set_yticks(ticks - lo)
    ax.set_yticklabels([f"{t:g} deg" for t in ticks], fontsize=7)
    ax.set_title("Sun path over the horizon: azimuth clockwise from north; radius = "
                 "elevation (higher is further out, the rim is the highest)", fontsize=9)
    ax.legend(fontsize=7, loc="lower left", bbox_to_anchor=(-0.15, -0.12), markerscale=12)


def _contacts_panel(ax, a, coverages):
    t0 = _dates(a.start.reshape(1))[0]
    names = list(coverages)
    for i, name in enumerate(names):
        cov = coverages[name]
        bars = []
        for station_contacts in cov.contacts.values():
            for c in station_contacts:
                bars.append((_dates(c.rise.reshape(1))[0], c.duration_s / 86400.0))
        ax.broken_barh(bars, (i - 0.35, 0.7), color=f"C{i}")
        ax.text(1.01, i, f"{100 * cov.fraction:.1f} %", transform=ax.get_yaxis_transform(),
                va="center", fontsize=8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.set_xlim(t0, _dates(a.stop.reshape(1))[0])
    ax.set_title("contact windows of the ground networks (site horizon applied)", fontsize=10)
    _time_axis(ax)


@_plain_text
def plot_site(a, path=None, *, coverages=None):
    """Elevations, the Sun's path and contact windows of one site analysis.

    Parameters
    ----------
    a : cosmoplan.surface.analysis.SiteAnalysis
    path : str or Path, optional
        PNG written atomically; None returns the figure.
    coverages : dict, optional
        Network name -> :class:`cosmoplan.access.Coverage` of the site over the same span:
        drawn as contact windows; without it the fourth panel shows the visible fraction
        of the solar disk.
    """
    s = _thin(a.sun_el.size)
    days = _dates(a.epochs[s])
    fig = plt.figure(figsize=(13, 9.5))
    ax1 = fig.add_subplot(2, 2, 1)
    _elevation_panel(ax1, days, a.sun_el[s], a.sun_horizon[s], a.sun_fraction[s] > 0.0,
                     f"Sun: lit {100 * a.lit_fraction:.1f} % (fully "
                     f"{100 * a.fully_lit_fraction:.1f} %), longest night "
                     f"{a.longest_night_s / 86400:.1f} d", "orange")
    ax2 = fig.add_subplot(2, 2, 3, sharex=ax1)
    _elevation_panel(ax2, days, a.earth_el[s], a.earth_horizon[s], a.earth_visible[s],
                     f"Earth: up {100 * a.earth_visible_fraction:.1f} %, longest gap "
                     f"{a.longest_earth_gap_s / 86400:.1f} d", "tab:blue")
    ax3 = fig.add_subplot(2, 2, 2, projection="polar")
    _polar_panel(ax3, a)
    ax4 = fig.add_subplot(2, 2, 4)
    if coverages:
        _contacts_panel(ax4, a, coverages)
    else:
        ax4.plot(days, a.sun_fraction[s], color="orange", lw=0.8)
        ax4.set_ylabel("visible fraction of the solar disk")
        ax4.set_title("visible fraction of the solar disk (no ground networks asked)",
                      fontsize=10)
        _time_axis(ax4)
    site = a.site
    fig.suptitle(f"{site.name} ({site.lat_deg:.3f}, {site.lon_deg:.3f} deg), horizon: "
                 f"{a.horizon.source}", fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


@_plain_text
def plot_site_comparison(analyses, path=None, *, coverages=None):
    """Candidate sites side by side: illumination, Earth visibility, network contact.

    Parameters
    ----------
    analyses : list of SiteAnalysis
        Over the same span.
    coverages : dict, optional
        Site name -> {network name -> Coverage}.
    """
    names = [a.site.name for a in analyses]
    x = np.arange(len(names))
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(max(9.0, 1.3 * len(names)), 9), sharex=True)
    w = 0.27
    ax1.bar(x - w, [100 * a.lit_fraction for a in analyses], w, label="Sun partly up",
            color="orange")
    ax1.bar(x, [100 * a.fully_lit_fraction for a in analyses], w, label="Sun fully up",
            color="gold")
    ax1.bar(x + w, [100 * a.earth_visible_fraction for a in analyses], w, label="Earth up",
            color="tab:blue")
    ax1.set_ylabel("% of the span")
    ax1.set_ylim(0, 105)
    ax1.legend(fontsize=8, ncol=3)
    ax1.grid(axis="y", alpha=0.3)
    ax1.set_title(f"{analyses[0].start.iso()[:10]} .. {analyses[0].stop.iso()[:10]}, "
                  "horizons: " + ", ".join(sorted({a.horizon.source for a in analyses})),
                  fontsize=10)
    ax2.bar(x - 0.2, [a.longest_night_s / 86400 for a in analyses], 0.4,
            label="longest night (d)", color="navy")
    ax2.bar(x + 0.2, [a.longest_earth_gap_s / 86400 for a in analyses], 0.4,
            label="longest Earth gap (d)", color="tab:cyan")
    ax2.set_ylabel("days")
    ax2.grid(axis="y", alpha=0.3)
    if coverages:
        nets = list(next(iter(coverages.values())))
        ax3 = ax2.twinx()
        for j, net in enumerate(nets):
            ax3.plot(x + 0.12 * (j - (len(nets) - 1) / 2),
                     [100 * coverages[n][net].fraction for n in names], "o", ms=6,
                     color=f"C{j + 3}", label=f"{net} network contact (%)")
        ax3.set_ylabel("network contact, % of the span")
        ax3.set_ylim(0, 105)
        ax3.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.08, 1.0))
    ax2.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.08, 0.45))
    ax2.set_xticks(x)
    ax2.set_xticklabels(names, rotation=25, ha="right", fontsize=8)
    fig.tight_layout()
    return _save(fig, path)
