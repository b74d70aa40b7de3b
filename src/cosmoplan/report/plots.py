"""Plots of a rendezvous plan (matplotlib, Agg backend, PNG written atomically).

* :func:`plot_relative_approach`: the chaser in the target's LVLH frame, V-bar
  horizontal and altitude above the target (-R-bar) upward, the whole rendezvous and
  two zooms on the approach;
* :func:`plot_altitudes`: geodetic altitude of both vehicles against time, burns marked;
* :func:`plot_ground_track`: sub-satellite track of the chaser from insertion to docking
  (equirectangular longitude/latitude; no coastline data are bundled).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .._io import atomic_path  # noqa: E402

__all__ = ["plot_relative_approach", "plot_altitudes", "plot_ground_track", "plot_all"]


def _save(fig, path):
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_relative_approach(plan, path):
    """Relative trajectory in the target's LVLH frame (V-bar / R-bar), PNG at ``path``."""
    rho = plan.relative_position
    x = rho[:, 0]
    up = -rho[:, 2]  # altitude above the target: -R-bar
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    burns_t = [float(b.epoch - plan.chaser.epoch[0]) for b in plan.burns]
    secs = plan.chaser.seconds
    bx = np.interp(burns_t, secs, x)
    bz = np.interp(burns_t, secs, up)
    hold = np.array([plan.config.approach.hold_position(k)
                     for k in range(len(plan.config.approach.hold_distances_km))])
    spans = [(None, "whole rendezvous (km)", 1.0),
             (plan.config.approach.hold_distances_km[0] * 1.6, "approach (km)", 1.0),
             (min(0.6, plan.config.approach.hold_distances_km[0]) * 1.1, "last hold points (m)",
              1e3)]
    for ax, (lim, title, scale) in zip(axes, spans):
        sel = np.ones_like(x, bool) if lim is None else (np.abs(x) <= lim) & (np.abs(up) <= lim)
        ax.plot(x[sel] * scale, up[sel] * scale, lw=1.2, color="tab:blue", label="chaser")
        bs = np.ones_like(bx, bool) if lim is None else (np.abs(bx) <= lim) & (np.abs(bz) <= lim)
        ax.plot(bx[bs] * scale, bz[bs] * scale, "o", ms=4, color="tab:red", label="burns")
        hs = np.ones(len(hold), bool) if lim is None else np.abs(hold[:, 0]) <= lim
        ax.plot(hold[hs, 0] * scale, -hold[hs, 2] * scale, "s", ms=5, mfc="none",
                color="tab:green", label="hold points")
        ax.plot([0], [0], "k*", ms=10, label="target")
        ax.set_xlabel(f"V-bar x ({'m' if scale > 1 else 'km'}), + = ahead of the target")
        ax.set_ylabel(f"altitude above target, -R-bar ({'m' if scale > 1 else 'km'})")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        if lim is not None:
            ax.set_xlim(-lim * scale, 0.15 * lim * scale)
            ax.set_ylim(-0.6 * lim * scale, 0.6 * lim * scale)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{plan.target_name}: chaser in the target's LVLH frame")
    return _save(fig, path)


def plot_altitudes(plan, path):
    """Geodetic altitude of chaser and target against UTC, PNG at ``path``."""
    times = plan.chaser.epoch.to_datetime()
    h_c = plan.chaser.altitude()
    h_t = plan.target.altitude()
    fig, ax = plt.subplots(figsize=(11, 4.5))
    ax.plot(times, h_t, color="tab:orange", lw=1.2, label=plan.target_name)
    ax.plot(times, h_c, color="tab:blue", lw=1.2, label="chaser")
    secs = plan.chaser.seconds
    for b in plan.burns:
        t = float(b.epoch - plan.chaser.epoch[0])
        ax.axvline(b.epoch.to_datetime(), color="tab:red", lw=0.6, alpha=0.5)
        if b.phase == "phasing":
            ax.annotate(b.name, (b.epoch.to_datetime(), np.interp(t, secs, h_c)),
                        textcoords="offset points", xytext=(3, 6), fontsize=8, color="tab:red")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.set_xlabel(f"UTC on {plan.day}")
    ax.set_ylabel("geodetic altitude (km)")
    ax.set_title("Altitude of both vehicles (burns in red)")
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, path)


def plot_ground_track(plan, path):
    """Ground track of the chaser (insertion to docking), PNG at ``path``."""
    lat, lon = plan.chaser.subpoints()
    lat, lon = np.degrees(lat), np.degrees(lon)
    fig, ax = plt.subplots(figsize=(12, 6))
    # break the line where it wraps at +-180 deg
    jumps = np.nonzero(np.abs(np.diff(lon)) > 180)[0]
    start = 0
    for j in list(jumps) + [len(lon) - 1]:
        ax.plot(lon[start:j + 1], lat[start:j + 1], color="tab:blue", lw=1.0)
        start = j + 1
    secs = plan.chaser.seconds
    for b in plan.burns:
        if b.phase != "phasing":
            continue
        t = float(b.epoch - plan.chaser.epoch[0])
        k = int(np.clip(np.searchsorted(secs, t), 0, len(secs) - 1))
        ax.plot(lon[k], lat[k], "o", color="tab:red", ms=5)
        ax.annotate(b.name, (lon[k], lat[k]), textcoords="offset points", xytext=(4, 4),
                    fontsize=8, color="tab:red")
    ax.plot(lon[0], lat[0], "g^", ms=8, label="insertion")
    ax.plot(lon[-1], lat[-1], "k*", ms=10, label="docking")
    ax.plot(plan.site.lon_deg, plan.site.lat_deg, "ks", ms=6, label=plan.site.name)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("east longitude (deg)")
    ax.set_ylabel("geodetic latitude (deg)")
    ax.set_title("Chaser ground track, insertion to docking")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)


def plot_all(plan, outdir):
    """Write the three plots into ``outdir``; returns their paths."""
    from pathlib import Path

    outdir = Path(outdir)
    return [plot_relative_approach(plan, outdir / "relative_approach.png"),
            plot_altitudes(plan, outdir / "altitude.png"),
            plot_ground_track(plan, outdir / "ground_track.png")]
