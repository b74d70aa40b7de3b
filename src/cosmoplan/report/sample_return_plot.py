"""The overview plot of a lunar sample return (matplotlib, Agg, PNG written atomically).

:func:`plot_sample_return` draws a :class:`~cosmoplan.cislunar.sample_return.MissionTimeline`
in four panels:

(a) the trajectory in the inertial GCRF, Earth-centred, projected on the x-y plane (km):
    every leg (Moon-centred ones re-origined with
    :func:`cosmoplan.cislunar.dynamics.change_centre`), the return arcs of
    ``timeline.earth_return`` (its :class:`~cosmoplan.cislunar.dynamics.CislunarArc`
    attributes), the Moon's orbit over the mission (DE421) and the burns, numbered in time
    order and listed in the legend with their UTC epoch and delta-v;
(b) the same in the Earth-Moon rotating frame: x toward the Moon, z along the Moon's
    orbital angular momentum (both from its DE421 geocentric position and velocity at each
    epoch), y = z x x, Earth at the origin, km;
(c) the lunar ground track of the Moon-centred legs: selenographic latitude and east
    longitude (MOON_ME, :func:`cosmoplan.moon.rotation_matrix`), longitudes in
    [-180, 180) deg with the lines broken at the wrap, the landing site marked;
(d) the rendezvous approach in the target's LVLH (``timeline.rendezvous.relative_lvlh()``:
    x V-bar horizontal, + ahead; z R-bar vertical, pointing down toward the Moon as in
    approach charts; km) with an inset on the last 5 km; a placeholder when the timeline
    has no rendezvous plan.

Legends stand outside the data (to the right of each panel); epochs are UTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, is_dataclass

import numpy as np

from .plots import _plain_text, _save, plt

__all__ = ["plot_sample_return", "ZOOM_KM"]

ZOOM_KM = 5.0
"""Range (km) below which panel (d)'s inset shows the final approach."""

_MAX_POINTS = 20_000  # samples drawn per curve
_LEGEND = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=7)


@dataclass
class _Track:
    """One drawn curve: a leg or a return arc, with its geocentric positions."""

    name: str
    centre: str
    epochs: object  # Epoch (TDB), shape (n,)
    states: np.ndarray  # (n, 6) relative to ``centre``
    t: np.ndarray  # s from the plot's reference epoch
    geo: np.ndarray  # (n, 3) km, Earth-centred GCRF
    is_leg: bool


def _utc(epoch, minutes=True):
    text = epoch.utc.iso(0).replace("T", " ")
    return (text[:16] if minutes else text[:19]) + " UTC"


def _thin(n):
    return slice(None, None, max(1, -(-n // _MAX_POINTS)))


def _km_axis(ax, which="xy"):
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}")
    if "x" in which:
        ax.xaxis.set_major_formatter(fmt)
    if "y" in which:
        ax.yaxis.set_major_formatter(fmt)


def _return_arcs(plan):
    """(label, arc) of the CislunarArc-like attributes of ``plan`` (or lists of them)."""
    if plan is None:
        return []
    names = [f.name for f in fields(plan)] if is_dataclass(plan) else list(vars(plan))
    out, seen = [], set()
    for name in names:
        value = getattr(plan, name, None)
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        for k, arc in enumerate(items):
            if not all(hasattr(arc, a) for a in ("epoch0", "centre", "t_s", "states")) \
                    or id(arc) in seen or np.size(arc.t_s) < 2:
                continue
            seen.add(id(arc))
            label = name.replace("_", " ") + (f" {k + 1}" if len(items) > 1 else "")
            out.append((f"return: {label}", arc))
    return out


def _tracks(timeline):
    from ..cislunar.dynamics import change_centre

    raw = [(leg.name, leg.centre, leg.epochs.tdb.reshape(-1), np.asarray(leg.states, float),
            True) for leg in timeline.legs]
    for label, arc in _return_arcs(getattr(timeline, "earth_return", None)):
        raw.append((label, arc.centre, (arc.epoch0 + np.asarray(arc.t_s, float)).tdb,
                    np.asarray(arc.states, float), False))
    if not raw:
        from ..errors import InputError

        raise InputError("the timeline has no legs to plot", field="legs")
    t0 = min((r[2][0] for r in raw), key=lambda e: float(e - raw[0][2][0]))
    out = []
    for name, centre, epochs, states, is_leg in raw:
        geo = change_centre(states, epochs, centre, "earth")[:, :3]
        out.append(_Track(name, str(centre).lower(), epochs, states,
                          np.asarray(epochs - t0, dtype=float), geo, is_leg))
    return t0, out


def _rotating_axes(epochs):
    """Rows x (toward the Moon), y, z (Moon's orbital angular momentum) at each epoch."""
    from ..ephemeris import default_ephemeris

    r, v = default_ephemeris().position("moon", "earth", epochs, velocity=True)
    x = r / np.linalg.norm(r, axis=-1, keepdims=True)
    z = np.cross(r, v)
    z /= np.linalg.norm(z, axis=-1, keepdims=True)
    return np.stack([x, np.cross(z, x), z], axis=-2), np.linalg.norm(r, axis=-1)


def _to_rotating(epochs, geo):
    axes, _ = _rotating_axes(epochs)
    return np.einsum("...ij,...j->...i", axes, geo)


def _burn_points(burns, tracks, t0):
    """Geocentric position of each burn: on the leg (or return arc) flown through its epoch;
    a lunar budget burn (descent, ascent) with no such leg at the Moon; else None."""
    from ..ephemeris import default_ephemeris

    out = []
    for b in burns:
        tb = float(b.epoch - t0)
        p = None
        for tr in tracks:
            if tr.t[0] - 1.0 <= tb <= tr.t[-1] + 1.0:
                p = np.array([np.interp(tb, tr.t, tr.geo[:, i]) for i in range(3)])
                break
        frame = str(getattr(b, "frame", "")).lower()
        if p is None and ("moon" in frame or frame == "budget"):
            p = np.asarray(default_ephemeris().position("moon", "earth", b.epoch.tdb), float)
        out.append(p)
    return out


def _ranges(numbers):
    """'3-5, 8' from [3, 4, 5, 8]."""
    parts, start = [], None
    for k, n in enumerate(numbers):
        if start is None:
            start = n
        if k + 1 == len(numbers) or numbers[k + 1] != n + 1:
            parts.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(parts)


def _label_burns(ax, pts, numbers, scale):
    """Mark the burns and write their numbers, one label per cluster of nearby burns."""
    have = [(n, p) for n, p in zip(numbers, pts) if p is not None]
    if not have:
        return
    xy = np.array([p[:2] for _, p in have])
    ax.plot(xy[:, 0], xy[:, 1], "o", ms=4, mfc="none", mec="tab:red", mew=1.2, zorder=5)
    clusters = []
    for (n, _), q in zip(have, xy):
        for c in clusters:
            if np.hypot(*(q - c[1])) < 0.04 * scale:
                c[0].append(n)
                break
        else:
            clusters.append(([n], q))
    for nums, q in clusters:
        ax.annotate(_ranges(nums), q, textcoords="offset points", xytext=(5, 5), fontsize=7,
                    color="tab:red", zorder=6)


def _burn_handles(burns):
    from matplotlib.lines import Line2D

    out = []
    for k, b in enumerate(burns, start=1):
        out.append(Line2D([], [], ls="none", marker="o", ms=4, mfc="none", mec="tab:red",
                          label=f"{k} {b.name}: {_utc(b.epoch)}, {b.dv_km_s * 1e3:,.1f} m/s"))
    return out


def _panel_inertial(ax, tracks, t0, burns, burn_pts, colours):
    from ..ephemeris import default_ephemeris

    t_lo = min(tr.t[0] for tr in tracks)
    t_hi = max(tr.t[-1] for tr in tracks)
    moon = default_ephemeris().position("moon", "earth", t0 + np.linspace(t_lo, t_hi, 1500))
    ax.plot(moon[:, 0], moon[:, 1], color="0.6", lw=1.0, ls="--",
            label="Moon's orbit over the mission (DE421)")
    ax.plot(moon[[0, -1], 0], moon[[0, -1], 1], "o", color="0.45", ms=5,
            label="Moon at the first and last epoch")
    for tr, c in zip(tracks, colours):
        s = _thin(len(tr.t))
        ax.plot(tr.geo[s, 0], tr.geo[s, 1], color=c, lw=1.0, ls="-" if tr.is_leg else "-.",
                label=f"{tr.name} ({tr.centre}-centred)")
    ax.plot([0], [0], "o", color="tab:blue", ms=7, label="Earth")
    ax.set_aspect("equal", adjustable="datalim")
    scale = float(np.max(np.abs(moon[:, :2]))) if len(moon) else 4e5
    _label_burns(ax, burn_pts, list(range(1, len(burns) + 1)), scale)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + _burn_handles(burns), title="numbers: burns (UTC, delta-v)",
              title_fontsize=7, **_LEGEND)
    ax.set_xlabel("x GCRF (km)")
    ax.set_ylabel("y GCRF (km)")
    ax.set_title("(a) Earth-centred inertial GCRF, x-y projection (km)", fontsize=10)
    _km_axis(ax)
    ax.grid(alpha=0.3)


def _panel_rotating(ax, tracks, t0, burns, burn_pts, colours):
    _, dist = _rotating_axes(t0 + np.linspace(min(tr.t[0] for tr in tracks),
                                              max(tr.t[-1] for tr in tracks), 400))
    ax.plot([dist.min(), dist.max()], [0.0, 0.0], color="0.45", lw=4, solid_capstyle="round",
            label=f"Moon ({dist.min():,.0f}-{dist.max():,.0f} km)")
    for tr, c in zip(tracks, colours):
        s = _thin(len(tr.t))
        q = _to_rotating(tr.epochs[s], tr.geo[s])
        ax.plot(q[:, 0], q[:, 1], color=c, lw=1.0, ls="-" if tr.is_leg else "-.",
                label=tr.name)
    ax.plot([0], [0], "o", color="tab:blue", ms=7, label="Earth")
    pts = []
    for b, p in zip(burns, burn_pts):
        pts.append(None if p is None else _to_rotating(b.epoch.tdb, p))
    ax.set_aspect("equal", adjustable="datalim")
    _label_burns(ax, pts, list(range(1, len(burns) + 1)), float(dist.max()))
    ax.legend(title="burns numbered as in (a)", title_fontsize=7, **_LEGEND)
    ax.set_xlabel("x toward the Moon (km)")
    ax.set_ylabel("y, in the Moon's orbit plane (km)")
    ax.set_title("(b) Earth-Moon rotating frame, Earth at the origin, z along the Moon's "
                 "orbital angular momentum (km)", fontsize=10)
    _km_axis(ax)
    ax.grid(alpha=0.3)


def _selenographic(epochs, r):
    from .. import moon

    m = moon.rotation_matrix(epochs, "MOON_ME")
    lat, lon, _ = moon.fixed_to_selenographic(np.einsum("...ij,...j->...i", m, r))
    lon = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    return np.degrees(lat), lon


def _broken(lon, lat):
    """Insert NaN where the longitude wraps, so no line crosses the map."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    return np.insert(lon, jumps, np.nan), np.insert(lat, jumps, np.nan)


def _panel_ground_track(ax, timeline, tracks, colours):
    cfg = timeline.config
    drawn = False
    for tr, c in zip(tracks, colours):
        if not tr.is_leg or tr.centre != "moon":
            continue
        s = _thin(len(tr.t))
        lat, lon = _selenographic(tr.epochs[s], tr.states[s, :3])
        x, y = _broken(lon, lat)
        ax.plot(x, y, color=c, lw=0.8, label=tr.name)
        ax.plot(lon[0], lat[0], "^", color=c, ms=5)
        drawn = True
    lat0, lon0 = math.degrees(cfg.landing_lat), math.degrees(cfg.landing_lon)
    lon0 = (lon0 + 180.0) % 360.0 - 180.0
    ax.plot(lon0, lat0, "*", color="k", ms=12, mfc="gold",
            label=f"landing site ({lat0:.3f}, {lon0:.3f} deg)")
    if drawn:
        ax.plot([], [], "^", color="0.3", ms=5, label="start of each leg")
    else:
        ax.text(0.5, 0.5, "no Moon-centred leg", transform=ax.transAxes, ha="center",
                va="center", color="0.4")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("selenographic east longitude (deg)")
    ax.set_ylabel("selenographic latitude (deg)")
    ax.set_title("(c) lunar ground track of the Moon-centred legs, MOON_ME (deg)", fontsize=10)
    ax.legend(**_LEGEND)
    ax.grid(alpha=0.3)


def _least_crowded_corner(ax, x, z, size):
    """Inset bounds (axes fraction) in the corner holding the fewest drawn points."""
    x0, x1 = ax.get_xlim()
    z0, z1 = ax.get_ylim()  # inverted: z0 > z1
    fx = (x - x0) / (x1 - x0)
    fz = (z - z0) / (z1 - z0)
    m = 0.03
    best = None
    for cx in (m, 1 - m - size):
        for cz in (m, 1 - m - size):
            n = int(np.sum((fx >= cx - m) & (fx <= cx + size + m) & (fz >= cz - m)
                           & (fz <= cz + size + m)))
            if best is None or n < best[0]:
                best = (n, [cx, cz, size, size])
    return best[1]


def _panel_rendezvous(ax, timeline):
    rdv = getattr(timeline, "rendezvous", None)
    fn = getattr(rdv, "relative_lvlh", None)
    if not callable(fn):
        ax.text(0.5, 0.5, "no rendezvous plan in this timeline\n(timeline.rendezvous has no "
                "relative_lvlh)", transform=ax.transAxes, ha="center", va="center",
                color="0.4")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("V-bar x (km)")
        ax.set_ylabel("R-bar z (km)")
        ax.set_title("(d) rendezvous approach in the target's LVLH (km): absent", fontsize=10)
        return
    t, rho = fn()[:2]
    t = np.asarray(t, float)
    rho = np.asarray(rho, float)
    x, z = rho[:, 0], rho[:, 2]
    rng = np.linalg.norm(rho, axis=1)
    s = _thin(len(t))
    ax.plot(x[s], z[s], color="tab:blue", lw=1.0, label="chaser")
    ax.plot(x[0], z[0], "^", color="tab:green", ms=7, label="start")
    ax.plot(x[-1], z[-1], "s", color="k", ms=5, mfc="none",
            label=f"end, range {rng[-1] * 1e3:,.1f} m")
    ax.plot([0], [0], "*", color="k", ms=11, label="target")
    burn_t = []
    ref = getattr(rdv, "common_epoch", None)
    for b in getattr(rdv, "burns", None) or ():
        if ref is not None and hasattr(b, "epoch"):
            burn_t.append(float(b.epoch - ref))
    burn_t = np.array([tb for tb in burn_t if t[0] <= tb <= t[-1]])
    if burn_t.size:
        ax.plot(np.interp(burn_t, t, x), np.interp(burn_t, t, z), "o", ms=4, mfc="none",
                mec="tab:red", label="burns")
    ax.invert_yaxis()  # R-bar (toward the Moon) points down
    ax.set_xlabel("V-bar x (km), + = ahead of the target")
    ax.set_ylabel("R-bar z (km), + = down, toward the Moon")
    docking = getattr(rdv, "docking_epoch", None)
    ax.set_title("(d) rendezvous approach in the target's LVLH (km)"
                 + (f", docking {_utc(docking)}" if docking is not None else ""), fontsize=10)
    ax.grid(alpha=0.3)
    far = np.flatnonzero(rng > ZOOM_KM)
    start = int(far[-1]) if far.size else 0
    if far.size and start < len(t) - 1:
        xs, zs = x[start:], z[start:]
        bounds = _least_crowded_corner(ax, x[s], z[s], 0.38)
        ins = ax.inset_axes(bounds)
        ins.plot(xs, zs, color="tab:blue", lw=1.0)
        ins.plot([0], [0], "*", color="k", ms=9)
        ins.plot(xs[-1], zs[-1], "s", color="k", ms=4, mfc="none")
        sel = burn_t[burn_t >= t[start]] if burn_t.size else burn_t
        if sel.size:
            ins.plot(np.interp(sel, t, x), np.interp(sel, t, z), "o", ms=3, mfc="none",
                     mec="tab:red")
        pad = 0.08 * max(np.ptp(np.r_[xs, 0.0]), np.ptp(np.r_[zs, 0.0]), 1e-3)
        ins.set_xlim(min(xs.min(), 0.0) - pad, max(xs.max(), 0.0) + pad)
        ins.set_ylim(max(zs.max(), 0.0) + pad, min(zs.min(), 0.0) - pad)  # down
        ins.set_title(f"last {ZOOM_KM:g} km (km)", fontsize=7)
        ins.tick_params(labelsize=6)
        ins.grid(alpha=0.3)
        ax.indicate_inset_zoom(ins, edgecolor="0.4")
    ax.legend(**_LEGEND)


@_plain_text
def plot_sample_return(timeline, path=None):
    """Four-panel overview of a sample-return timeline (module docstring).

    Parameters
    ----------
    timeline : MissionTimeline
        Uses ``legs``, ``burns``, ``config`` (``name``, ``landing_lat``, ``landing_lon`` in
        rad), and when present ``rendezvous`` (``relative_lvlh()``, ``docking_epoch``) and
        ``earth_return`` (its CislunarArc attributes).
    path : str or Path, optional
        PNG to write (atomically).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (with ``path``, written and released from pyplot first).
    """
    t0, tracks = _tracks(timeline)
    burns = sorted(timeline.burns, key=lambda b: float(b.epoch - t0))
    burn_pts = _burn_points(burns, tracks, t0)
    colours = [plt.cm.tab10(k % 10) for k in range(len(tracks))]
    fig = plt.figure(figsize=(19, 13), layout="constrained")
    axes = fig.subplots(2, 2)
    _panel_inertial(axes[0, 0], tracks, t0, burns, burn_pts, colours)
    _panel_rotating(axes[0, 1], tracks, t0, burns, burn_pts, colours)
    _panel_ground_track(axes[1, 0], timeline, tracks, colours)
    _panel_rendezvous(axes[1, 1], timeline)
    t_end = max(tr.t[-1] for tr in tracks)
    cfg = timeline.config
    total = sum(b.dv_km_s for b in timeline.burns) * 1e3
    fig.suptitle(f"{getattr(cfg, 'name', 'mission')}: {_utc(t0)} to {_utc(t0 + t_end)}, "
                 f"{len(timeline.burns)} burns, total delta-v {total:,.0f} m/s", fontsize=12)
    if path is not None:
        _save(fig, path)
    return fig
