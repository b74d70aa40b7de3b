"""Plots of CR3BP periodic orbits and families (matplotlib, Agg, PNG written atomically).

Lengths are shown in thousands of km from the Moon (rotating frame, x away from the Earth),
with the Moon and the libration points drawn; a family plot adds the stability indices
against the out-of-plane amplitude.
"""

from __future__ import annotations

import numpy as np

from .plots import _plain_text, _save, plt

__all__ = ["plot_orbit", "plot_family", "plot_relay_coverage"]


def _moon_centred_kkm(states, system):
    s = np.asarray(states, dtype=float)
    out = system.to_km(s[..., :3]) / 1e3
    out[..., 0] -= system.to_km(1.0 - system.mu) / 1e3
    return out


def _decorate(ax, system, i, j, lpoints):
    from ..cislunar.coverage import MOON_RADIUS_KM

    ax.add_patch(plt.Circle((0, 0), MOON_RADIUS_KM / 1e3, color="0.6", zorder=3))
    for k, p in lpoints.items():
        q = _moon_centred_kkm(np.r_[p, 0, 0, 0], system)
        ax.plot(q[i], q[j], "k+", ms=7)
        ax.annotate(f"L{k}", (q[i], q[j]), textcoords="offset points", xytext=(4, 4),
                    fontsize=8)
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(alpha=0.3)


@_plain_text
def plot_orbit(orbit, path=None, *, system=None, title=None):
    """Three projections (xy, xz, yz) and a 3-D view of one periodic orbit.

    ``orbit``: a :class:`cosmoplan.cislunar.periodic.PeriodicOrbit`; ``system``: its
    :class:`~cosmoplan.cislunar.cr3bp.System` (default Earth-Moon). Returns the figure
    when ``path`` is None, else writes the PNG atomically.
    """
    from ..cislunar.cr3bp import EARTH_MOON, libration_point

    system = system or EARTH_MOON
    arc = orbit.propagate(dense=600)
    r = _moon_centred_kkm(arc.states, system)
    lpoints = {k: libration_point(k, system.mu)[0] for k in (1, 2)}
    fig = plt.figure(figsize=(11, 9))
    names = "xyz"
    for n, (i, j) in enumerate(((0, 1), (0, 2), (1, 2))):
        ax = fig.add_subplot(2, 2, n + 1)
        ax.plot(r[:, i], r[:, j], lw=1.2)
        _decorate(ax, system, i, j, lpoints if j != 2 or i == 0 else {})
        ax.set_xlabel(f"{names[i]} from the Moon (1000 km)")
        ax.set_ylabel(f"{names[j]} (1000 km)")
    ax = fig.add_subplot(2, 2, 4, projection="3d")
    ax.plot(r[:, 0], r[:, 1], r[:, 2], lw=1.0)
    ax.scatter([0], [0], [0], color="0.5", s=30)
    ax.set_xlabel("x (1000 km)")
    ax.set_ylabel("y")
    ax.set_zlabel("z")
    days = orbit.period_s(system) / 86400.0
    fig.suptitle(title or f"{orbit.family}: period {days:.3f} d, Jacobi {orbit.jacobi:.6f}, "
                 f"stability indices {orbit.stability_indices[0]:.4g}, "
                 f"{orbit.stability_indices[1]:.4g} (Earth-Moon rotating frame)", fontsize=10)
    return _save(fig, path)


@_plain_text
def plot_family(family, path=None, *, system=None, mark=None):
    """A family: its members in the xz and xy projections, and stability against Az."""
    from ..cislunar.cr3bp import EARTH_MOON

    system = system or EARTH_MOON
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), layout="constrained")
    n = len(family)
    for k in np.unique(np.linspace(0, n - 1, min(n, 25)).astype(int)):
        arc = family[k].propagate(dense=300)
        r = _moon_centred_kkm(arc.states, system)
        axes[0].plot(r[:, 0], r[:, 2], lw=0.7, color=plt.cm.viridis(k / max(n - 1, 1)))
        axes[1].plot(r[:, 0], r[:, 1], lw=0.7, color=plt.cm.viridis(k / max(n - 1, 1)))
    for ax, (i, j) in zip(axes[:2], ((0, 2), (0, 1))):
        _decorate(ax, system, i, j, {})
        ax.set_xlabel("x from the Moon (1000 km)")
        ax.set_ylabel(f"{'z' if j == 2 else 'y'} (1000 km)")
    # Az: the largest |z| along each member (the amplitude an analyst quotes)
    az = np.array([np.max(np.abs(family[k].propagate(dense=200).states[:, 2]))
                   for k in range(n)]) * system.length_unit_km / 1e3
    nu = np.maximum(family.stability_indices, 1e-6)
    axes[2].plot(az, np.log10(nu[:, 0]), label="nu1")
    axes[2].plot(az, np.log10(nu[:, 1]), label="nu2")
    axes[2].axhline(0.0, color="k", lw=0.8, ls="--")
    if mark is not None:
        mz = np.max(np.abs(mark.propagate(dense=400).states[:, 2])) * system.length_unit_km
        axes[2].axvline(mz / 1e3, color="r", lw=0.8, label="this orbit")
    axes[2].set_xlabel("Az, largest |z| along the orbit (1000 km)")
    axes[2].set_ylabel("log10 stability index (0: stability limit)")
    axes[2].legend()
    axes[2].grid(alpha=0.3)
    fig.suptitle(f"{family.name} family, {n} members (Earth-Moon CR3BP)")
    return _save(fig, path)


@_plain_text
def plot_relay_coverage(study, path=None):
    """Link availability against time for each site of a :class:`RelayStudy`: bars where a
    link is available (site -> relay, relay -> Earth, end to end, direct to Earth, and the
    ground network when given), with the fraction of time in the label."""
    import matplotlib.dates as mdates

    times = study.epochs.utc.to_datetime() if hasattr(study.epochs.utc, "to_datetime") \
        else None
    t_days = (np.arange(len(study.relay_gcrf_km)) * study.step_s) / 86400.0
    x = mdates.date2num(times) if times is not None else t_days
    step = (x[1] - x[0]) if len(x) > 1 else 1.0
    rows = []
    for name, cov in study.coverage.items():
        rows.append((f"{name}: site -> relay", cov.site_relay))
        rows.append((f"{name}: relay -> Earth", cov.relay_earth))
        rows.append((f"{name}: end to end", cov.end_to_end))
        if "_seen" in study.ground:
            rows.append((f"{name}: site -> relay -> station", cov.site_relay
                         & study.ground["_seen"]))
        rows.append((f"{name}: direct to Earth", cov.direct_to_earth))
    if "_seen" in study.ground:
        rows.append(("relay seen by the ground network", study.ground["_seen"]))
    fig, ax = plt.subplots(figsize=(13, 0.45 * len(rows) + 1.8), layout="constrained")
    for k, (label, ok) in enumerate(rows):
        ok = np.asarray(ok, dtype=bool)
        edges = np.flatnonzero(np.diff(np.r_[False, ok, False].astype(int)))
        spans = [(x[a], (x[b - 1] - x[a]) + step) for a, b in zip(edges[::2], edges[1::2])]
        ax.broken_barh(spans, (k - 0.35, 0.7), color=plt.cm.tab10(k % 10))
        rows[k] = f"{label}  ({100 * ok.mean():.0f} %)"
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    if times is not None:
        ax.xaxis_date()
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("UTC")
    else:
        ax.set_xlabel("days")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Relay links: {study.design.orbit.family}, Az {study.design.az_km:,.0f} km "
                 f"(DE421 ephemeris model; lunar sites without librations)")
    return _save(fig, path)
