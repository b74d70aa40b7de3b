"""Plots of a rendezvous plan (matplotlib, Agg backend, PNG written atomically).

* :func:`plot_relative_approach`: the chaser in the target's LVLH frame, V-bar
  horizontal and altitude above the target (-R-bar) upward, the whole rendezvous and
  two zooms on the approach;
* :func:`plot_altitudes`: geodetic altitude of both vehicles against time, burns marked;
* :func:`plot_ground_track`: sub-satellite track of the chaser from insertion to docking
  (equirectangular longitude/latitude; no coastline data are bundled).

Each takes ``path``: a PNG file to write, or None to get the matplotlib Figure back
(in a notebook).
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
    """Write the figure to ``path`` (atomically) and close it; with path None return it."""
    if path is None:
        return fig
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def _curvilinear(plan):
    """Along-track arc (km, + ahead) and height difference (km) of the chaser from the target.

    The far-range view: at 2,000 km behind, rectilinear LVLH would show the chaser
    hundreds of km 'below' merely because of the curvature of the target's orbit.
    """
    rt, vt = plan.target.r, plan.target.v
    rc = plan.chaser.r
    h = np.cross(rt, vt)
    h /= np.linalg.norm(h, axis=1, keepdims=True)
    s = np.einsum("ij,ij->i", np.cross(rt, rc), h)
    c = np.einsum("ij,ij->i", rt, rc)
    dtheta = np.arctan2(s, c)
    nt = np.linalg.norm(rt, axis=1)
    return nt * dtheta, np.linalg.norm(rc, axis=1) - nt


def plot_relative_approach(plan, path=None):
    """Relative trajectory: phasing in curvilinear coordinates, approach in LVLH (V-bar,
    R-bar), PNG at ``path``."""
    secs = plan.chaser.seconds
    burns_t = np.array([float(b.epoch - plan.chaser.epoch[0]) for b in plan.burns])
    ap = plan.config.approach
    hold = np.array([ap.hold_position(k) for k in range(len(ap.hold_distances_km))])
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))

    ax = axes[0]
    xc, zc = _curvilinear(plan)
    ax.plot(xc, zc, lw=1.2, color="tab:blue", label="chaser")
    ax.plot(np.interp(burns_t, secs, xc), np.interp(burns_t, secs, zc), "o", ms=4,
            color="tab:red", label="burns")
    for b, t in zip(plan.burns, burns_t):
        if b.phase == "phasing":
            ax.annotate(b.name, (np.interp(t, secs, xc), np.interp(t, secs, zc)),
                        textcoords="offset points", xytext=(4, -10), fontsize=8, color="tab:red")
    ax.plot([0], [0], "k*", ms=10, label="target")
    ax.set_xlabel("along-track arc from the target (km), + = ahead")
    ax.set_ylabel("height above the target (km)")
    ax.set_title("phasing (curvilinear)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)

    rho = plan.relative_position
    x, up = rho[:, 0], -rho[:, 2]
    names = [b.name for b in plan.burns]
    t_tpi = float(plan.burns[names.index("TPI")].epoch - plan.chaser.epoch[0]) \
        if "TPI" in names else 0.0
    t_hold1 = t_tpi + ap.tpi_transfer_s
    aim = ap.aim_position
    stages = [
        (t_tpi - 900.0, max(ap.aim_behind_km, 2 * ap.aim_below_km) * 1.15,
         "terminal phase: aim point to hold point 1, approach", 1.0, "km"),
        (t_hold1 + float(ap.hold_durations_s[0]) + float(ap.transfer_durations_s[0])
         if len(ap.transfer_durations_s) else t_hold1,
         min(0.6, ap.hold_distances_km[0]) * 1.1, "last hold points and docking", 1e3, "m"),
    ]
    for ax, (t_from, lim, title, scale, unit) in zip(axes[1:], stages):
        sel = secs >= t_from  # one contiguous piece: no lines drawn across gaps
        ax.plot(x[sel] * scale, up[sel] * scale, lw=1.2, color="tab:blue", label="chaser")
        bs = burns_t >= t_from
        ax.plot(np.interp(burns_t[bs], secs, x) * scale, np.interp(burns_t[bs], secs, up) * scale,
                "o", ms=4, color="tab:red", label="burns")
        hs = np.abs(hold[:, 0]) <= lim
        ax.plot(hold[hs, 0] * scale, -hold[hs, 2] * scale, "s", ms=6, mfc="none",
                color="tab:green", label="hold points")
        ax.plot([0], [0], "k*", ms=10, label="target")
        ax.plot(ap.port[0] * scale, -ap.port[2] * scale, "k|", ms=12, label="docking port")
        if scale == 1.0:
            ax.plot(aim[0], -aim[2], "D", ms=6, mfc="none", color="tab:purple",
                    label="phasing aim point")
            ax.legend(loc="lower right", fontsize=8)
        ax.set_xlim(-lim * scale, 0.15 * lim * scale)
        ax.set_ylim(-0.6 * lim * scale, 0.6 * lim * scale)
        ax.set_xlabel(f"V-bar x ({unit}), + = ahead of the target")
        ax.set_ylabel(f"-R-bar, above the target ({unit})")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[2].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Chaser relative to {plan.target_name} (target LVLH: x V-bar, z R-bar)")
    return _save(fig, path)


def plot_altitudes(plan, path=None):
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


def plot_ground_track(plan, path=None):
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


def _plain_text(func):
    """Run a plotting function with matplotlib's $...$ maths parsing off: names come from
    users' files (a site called 'A$^$' must not break the plot)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context({"text.parse_math": False}):
            return func(*args, **kwargs)

    return wrapper


plot_relative_approach = _plain_text(plot_relative_approach)
plot_altitudes = _plain_text(plot_altitudes)
plot_ground_track = _plain_text(plot_ground_track)
