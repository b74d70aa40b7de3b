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
(c) the lunar ground track (selenographic latitude and east longitude, MOON_ME,
    :func:`cosmoplan.moon.rotation_matrix`, longitudes in [-180, 180) deg, lines broken at
    the wrap) of the Moon-centred legs, drawn only over one revolution before and one after
    each key event (burns named ``LOI*`` and ``TEI*``; events whose name holds "landing",
    "lift-off" or "docking"): days in lunar orbit would paint the map solid. The revolution
    is the osculating period on that side of the event (the other side's for a hyperbolic
    arc); the legend gives each leg's drawn spans (UTC). Marked: the landing site (the
    touchdown and lift-off point), the ground points of the key events and of the burns in
    the drawn spans (numbered as in (a)), the lander's descent and the ascender's ascent.
    The descent follows the orbiter's ground track (DOI is in-plane, and the model puts the
    site under the pass; not drawn without a pass within 30 km): the descent-orbit coast
    from DOI to the point ``downrange_km`` (``timeline.descent``) before the site, then the
    powered descent to the site (the Moon's rotation between the orbiter's and the lander's
    passes, ~0.1 deg, neglected).
    The ascent is the great circle from the site to the ground point of the ascender's
    insertion state (the first state of ``timeline.rendezvous.target``). A zoom at equal
    ground scale on the descent and the ascent stands under the legend;
(d) the rendezvous approach (``timeline.rendezvous.relative_lvlh()``) in curvilinear
    coordinates: the phase angle dtheta of the chaser from the target in the target's orbit
    plane (+ ahead, continuous over the phasing laps, 0 at docking; degrees on the top
    axis) as the along-track arc at the target's mean radius, ``mean(r_t) * dtheta`` (km),
    against the altitude difference ``|r_c| - r_t`` (+ above the target, km), with the
    start's phase angle in the legend. Rectilinear LVLH would show a chaser a quarter of a
    revolution behind ~2,000 km "below" the target merely from the orbit's curvature. The
    inset shows the last :data:`ZOOM_KM` km in the target's Cartesian LVLH (x V-bar,
    + ahead; z R-bar, down toward the Moon as in approach charts). ``r_t`` is the target's
    radius along ``timeline.rendezvous.target`` (``target_state0``'s if no arc); a plan
    with neither is drawn in Cartesian LVLH only; a placeholder when the timeline has no
    rendezvous plan.

Burn and event labels are placed once the layout is final: burns closer than ~10 points on
the page share one label, and each label takes the first free position around its point
(a leader line when it stands off), clear of the other labels and markers. Legends stand
outside the data (to the right of each panel); epochs are UTC. The suptitle runs from the
first event of ``timeline.events`` (the launch) to the end of the last leg or arc (or the
last event, e.g. entry interface).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np

from ..constants import MOON_GM_KM3_S2, MOON_RADIUS_KM
from .plots import _plain_text, _save, plt

__all__ = ["plot_sample_return", "ZOOM_KM", "KEY_BURNS", "KEY_EVENTS"]

ZOOM_KM = 40.0
"""Range (km) below which panel (d)'s inset shows the final approach (Cartesian LVLH)."""

KEY_BURNS = ("LOI", "TEI")
"""Name prefixes of the burns around which panel (c) draws the ground track."""

KEY_EVENTS = ("landing", "lift-off", "docking")
"""Words of the event names around which panel (c) draws the ground track."""

_MAX_POINTS = 20_000  # samples drawn per curve
_STEP_S = 30.0  # ground-track resampling step (cubic Hermite on the leg's states), s
_FALLBACK_REV_S = 7200.0  # window either side of an event with no bound orbit about it, s
_MOON_SOI_KM = 66_100.0  # apoapsis above which an orbit has no lunar "revolution"
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


@dataclass
class _Labels:
    """Labels to place once the layout is final: points (data coordinates) and their keys;
    ``join`` makes the text of a group of nearby points from their keys."""

    ax: object
    xy: list
    keys: list
    join: object
    color: str = "tab:red"
    fontsize: float = 7.0
    avoid: list = field(default_factory=list)  # artists (an inset) the labels keep off


def _utc(epoch, minutes=True):
    text = epoch.utc.iso(0).replace("T", " ")
    return (text[:16] if minutes else text[:19]) + " UTC"


def _utc_short(epoch):
    """'11-28 08:24' (UTC)."""
    return epoch.utc.iso(0)[5:16].replace("T", " ")


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


# ------------------------------------------------------------------------ labels
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


def _join_numbers(keys):
    return _ranges(sorted(keys))


def _join_names(keys):
    return ", ".join(keys) if len(keys) <= 2 else f"{keys[0]} to {keys[-1]}"


def _join_burns(keys):
    """(number, name) keys: '3 LOI-1' alone, number ranges for a group."""
    return f"{keys[0][0]} {keys[0][1]}" if len(keys) == 1 else _ranges(sorted(k[0] for k in keys))


def _mark_burns(ax, xy, keys, join=_join_numbers, ms=4):
    """Red rings at the burns (rows of ``xy`` may be None); the labels to place later."""
    have = [(k, p) for k, p in zip(keys, xy) if p is not None and np.all(np.isfinite(p[:2]))]
    if not have:
        return []
    pts = np.array([p[:2] for _, p in have], float)
    ax.plot(pts[:, 0], pts[:, 1], "o", ms=ms, mfc="none", mec="tab:red", mew=1.2, zorder=5)
    return [_Labels(ax, list(pts), [k for k, _ in have], join)]


def _groups(p, radius):
    """Greedy groups of display points: each joins the first group whose seed is within
    ``radius`` (no chaining along a string of points)."""
    seeds, out = [], []
    for i, q in enumerate(p):
        for s, g in zip(seeds, out):
            if math.hypot(*(q - s)) < radius:
                g.append(i)
                break
        else:
            seeds.append(q)
            out.append([i])
    return out


_DIRECTIONS = ((1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1), (1, 0), (-1, 0))
_RADII_PT = (6.0, 14.0, 24.0, 36.0, 50.0, 66.0, 84.0, 105.0, 130.0)


def _text_box(renderer, text, fontsize, at, ha, va):
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import Bbox

    w, h, _ = renderer.get_text_width_height_descent(text, FontProperties(size=fontsize),
                                                     ismath=False)
    x0 = at[0] - {"left": 0.0, "center": 0.5, "right": 1.0}[ha] * w
    y0 = at[1] - {"bottom": 0.0, "center": 0.5, "top": 1.0}[va] * h
    return Bbox.from_bounds(x0 - 1.0, y0 - 1.0, w + 2.0, h + 2.0)


def _line_pixels(ax, box, step=3.0):
    """Display points along the drawn lines of ``ax`` inside ``box``, at most ``step`` px
    apart (what a label should not cover)."""
    out = []
    for ln in ax.get_lines():
        if ln.get_linestyle() in ("None", "", " ") or len(ln.get_xdata()) < 2:
            continue
        xy = np.column_stack([np.asarray(ln.get_xdata(), float),
                              np.asarray(ln.get_ydata(), float)])
        p = ax.transData.transform(xy)
        a, b = p[:-1], p[1:]
        ok = np.all(np.isfinite(a), axis=1) & np.all(np.isfinite(b), axis=1)
        a, b = a[ok], b[ok]
        n = np.clip(np.ceil(np.hypot(*(b - a).T) / step), 1, 200).astype(int)
        f = np.concatenate([np.arange(k) / k for k in n])[:, None]
        q = np.repeat(a, n, axis=0) + f * np.repeat(b - a, n, axis=0)
        q = q[(q[:, 0] >= box.x0) & (q[:, 0] <= box.x1) & (q[:, 1] >= box.y0)
              & (q[:, 1] <= box.y1)]
        out.append(q)
    return np.concatenate(out) if out else np.zeros((0, 2))


def _place_labels(job, renderer, taken):
    """Write ``job``'s labels: one per group of points closer than 10 pt, each at the first
    position around it (rings of growing radius) inside the axes and clear of ``taken``
    (the labels placed so far, extended here), the markers and ``job.avoid``; within 36 pt
    a position off the drawn lines is preferred."""
    from matplotlib.transforms import Bbox

    ax = job.ax
    if not job.xy:
        return []
    pt = ax.figure.dpi / 72.0
    disp = ax.transData.transform(np.asarray(job.xy, float).reshape(-1, 2))
    inside = ax.get_window_extent(renderer)
    avoid = [a.get_window_extent(renderer) for a in job.avoid]
    lines = _line_pixels(ax, inside)
    groups = _groups(disp, 10.0 * pt)
    group_of = np.empty(len(disp), int)
    for k, g in enumerate(groups):
        group_of[g] = k
    out = []
    for k, g in enumerate(groups):
        at = disp[g].mean(axis=0)
        text = job.join([job.keys[i] for i in g])
        # markers: small boxes for the group's own, wider ones for the others' (a label
        # next to another burn's marker would read as its label)
        half = np.where(group_of == k, 3.5, 8.0) * pt
        blocked = avoid + [Bbox.from_extents(x - h, y - h, x + h, y + h)
                           for (x, y), h in zip(disp, half)]
        tiers = [None, None, None]  # off the lines (near), clear, inside the axes
        for r in _RADII_PT:
            for dx, dy in _DIRECTIONS:
                n = math.hypot(dx, dy)
                off = (r * dx / n, r * dy / n)
                ha = "left" if dx > 0 else "right" if dx < 0 else "center"
                va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
                box = _text_box(renderer, text, job.fontsize,
                                (at[0] + off[0] * pt, at[1] + off[1] * pt), ha, va)
                if not (box.x0 >= inside.x0 and box.x1 <= inside.x1 and box.y0 >= inside.y0
                        and box.y1 <= inside.y1):
                    continue
                cand = (r, off, ha, va, box)
                tiers[2] = tiers[2] or cand
                if any(box.overlaps(b) for b in taken + blocked):
                    continue
                tiers[1] = tiers[1] or cand
                if r <= 36.0 and not np.any(
                        (lines[:, 0] >= box.x0) & (lines[:, 0] <= box.x1)
                        & (lines[:, 1] >= box.y0) & (lines[:, 1] <= box.y1)):
                    tiers[0] = tiers[0] or cand
            if tiers[0] is not None:
                break
        best = next((c for c in tiers if c is not None), None)
        if best is None:
            continue
        r, off, ha, va, box = best
        arrow = dict(arrowstyle="-", color=job.color, lw=0.6, shrinkA=0.0, shrinkB=2.0)
        ann = ax.annotate(text, ax.transData.inverted().transform(at), xytext=off,
                          textcoords="offset points", ha=ha, va=va, fontsize=job.fontsize,
                          color=job.color, zorder=7, annotation_clip=False,
                          arrowprops=arrow if r > 10.0 else None,
                          bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none",
                                    alpha=0.75))
        ann.set_in_layout(False)
        taken.append(box)
        out.append(ann)
    return out


def _write_labels(fig, jobs):
    """Lay the figure out, then run the callables of ``jobs`` (axes placed from the final
    layout; they return more labels) and place the labels (they stay out of the layout)."""
    if not jobs:
        return
    fig.draw_without_rendering()
    canvas = fig.canvas
    renderer = canvas.get_renderer() if hasattr(canvas, "get_renderer") else \
        fig._get_renderer()
    labels = [j for j in jobs if not callable(j)]
    for job in jobs:
        if callable(job):
            labels += job(renderer) or []
    taken = {}
    for job in labels:
        _place_labels(job, renderer, taken.setdefault(id(job.ax), []))


def _burn_handles(burns):
    from matplotlib.lines import Line2D

    out = []
    for k, b in enumerate(burns, start=1):
        out.append(Line2D([], [], ls="none", marker="o", ms=4, mfc="none", mec="tab:red",
                          label=f"{k} {b.name}: {_utc(b.epoch)}, {b.dv_km_s * 1e3:,.1f} m/s"))
    return out


# ------------------------------------------------------------------------ (a), (b)
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
    jobs = _mark_burns(ax, burn_pts, list(range(1, len(burns) + 1)))
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + _burn_handles(burns), title="numbers: burns (UTC, delta-v)",
              title_fontsize=7, **_LEGEND)
    ax.set_xlabel("x GCRF (km)")
    ax.set_ylabel("y GCRF (km)")
    ax.set_title("(a) Earth-centred inertial GCRF, x-y projection (km)", fontsize=10)
    _km_axis(ax)
    ax.grid(alpha=0.3)
    return jobs


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
    jobs = _mark_burns(ax, pts, list(range(1, len(burns) + 1)))
    ax.legend(title="burns numbered as in (a)", title_fontsize=7, **_LEGEND)
    ax.set_xlabel("x toward the Moon (km)")
    ax.set_ylabel("y, in the Moon's orbit plane (km)")
    ax.set_title("(b) Earth-Moon rotating frame, Earth at the origin, z along the Moon's "
                 "orbital angular momentum (km)", fontsize=10)
    _km_axis(ax)
    ax.grid(alpha=0.3)
    return jobs


# ------------------------------------------------------------------------ (c)
def _selenographic(epochs, r):
    from .. import moon

    m = moon.rotation_matrix(epochs, "MOON_ME")
    lat, lon, _ = moon.fixed_to_selenographic(np.einsum("...ij,...j->...i", m, r))
    lon = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    return np.degrees(lat), lon


def _fixed_unit(epochs, r):
    """Unit vectors of ``r`` (GCRF axes, Moon-centred) in MOON_ME."""
    from .. import moon

    u = np.einsum("...ij,...j->...i", moon.rotation_matrix(epochs, "MOON_ME"), r)
    return u / np.linalg.norm(u, axis=-1, keepdims=True)


def _latlon(u):
    """Selenographic latitude, east longitude in [-180, 180) (deg) of MOON_ME vectors."""
    u = np.asarray(u, float)
    lat = np.degrees(np.arctan2(u[..., 2], np.hypot(u[..., 0], u[..., 1])))
    lon = (np.degrees(np.arctan2(u[..., 1], u[..., 0])) + 180.0) % 360.0 - 180.0
    return lat, lon


def _broken(lon, lat):
    """Insert NaN where the longitude wraps, so no line crosses the map."""
    jumps = np.flatnonzero(np.abs(np.diff(lon)) > 180.0) + 1
    return np.insert(lon, jumps, np.nan), np.insert(lat, jumps, np.nan)


def _hermite(t, states, tau):
    """Positions at ``tau`` by cubic Hermite interpolation of positions and velocities
    (a repeated epoch, a burn, starts a new interval with the post-burn state)."""
    t = np.asarray(t, float)
    tau = np.clip(np.atleast_1d(np.asarray(tau, float)), t[0], t[-1])
    if len(t) < 2:
        return np.repeat(states[:1, :3], len(tau), axis=0)
    i = np.clip(np.searchsorted(t, tau, side="right") - 1, 0, len(t) - 2)
    h = t[i + 1] - t[i]
    ok = h > 0
    s = np.where(ok, (tau - t[i]) / np.where(ok, h, 1.0), 1.0)[:, None]
    h = h[:, None]
    p0, v0, p1, v1 = states[i, :3], states[i, 3:6], states[i + 1, :3], states[i + 1, 3:6]
    return ((2 * s**3 - 3 * s**2 + 1) * p0 + (s**3 - 2 * s**2 + s) * h * v0
            + (-2 * s**3 + 3 * s**2) * p1 + (s**3 - s**2) * h * v1)


def _fixed_at(tr, tau):
    """MOON_ME unit vectors of the Moon-centred track ``tr`` at ``tau`` (s from t0)."""
    tau = np.atleast_1d(np.asarray(tau, float))
    r = _hermite(tr.t, tr.states, tau)
    return _fixed_unit(tr.epochs[0] + (tau - tr.t[0]), r)


def _period(state, gm=MOON_GM_KM3_S2):
    """Osculating period about the Moon (s), None for an orbit leaving its sphere."""
    r, v = np.asarray(state[:3], float), np.asarray(state[3:6], float)
    nr = float(np.linalg.norm(r))
    a = 1.0 / (2.0 / nr - float(v @ v) / gm)
    if not a > 0:
        return None
    e = np.linalg.norm(((v @ v) - gm / nr) * r - (r @ v) * v) / gm
    return 2.0 * math.pi * math.sqrt(a**3 / gm) if a * (1.0 + e) < _MOON_SOI_KM else None


def _key_times(timeline, burns, t0):
    """(name, s from t0) of the key burns and events, in time order."""
    out = [(b.name, float(b.epoch - t0)) for b in burns
           if str(b.name).upper().startswith(KEY_BURNS)]
    out += [(str(ev[0]), float(ev[1] - t0)) for ev in getattr(timeline, "events", None) or ()
            if any(k in str(ev[0]).lower() for k in KEY_EVENTS)]
    return sorted(out, key=lambda k: k[1])


def _covered(legs, tau, tol=1.0):
    return next((tr for tr in legs if tr.t[0] - tol <= tau <= tr.t[-1] + tol), None)


def _spans(legs, keys):
    """Per Moon-centred leg, the merged spans (s from t0) one revolution either side of each
    key time it holds: the osculating period before and after the event (the other side's
    when one side is not a bound orbit; 2 h when neither is)."""
    out = [[] for _ in legs]
    if not legs:
        return out
    t = np.concatenate([tr.t for tr in legs])
    states = np.concatenate([tr.states for tr in legs])
    order = np.argsort(t, kind="stable")
    t, states = t[order], states[order]
    for _, te in keys:
        if _covered(legs, te) is None:
            continue
        i = int(np.searchsorted(t, te - 0.5, side="left")) - 1  # last sample before
        j = int(np.searchsorted(t, te + 0.5, side="right"))  # first sample after
        before = _period(states[i]) if i >= 0 and te - t[i] < 3600.0 else None
        after = _period(states[j]) if j < len(t) and t[j] - te < 3600.0 else None
        before = before or after or _FALLBACK_REV_S
        after = after or before
        for k, tr in enumerate(legs):
            lo, hi = max(te - before, tr.t[0]), min(te + after, tr.t[-1])
            if hi > lo:
                out[k].append((lo, hi))
    merged = []
    for spans in out:
        m = []
        for lo, hi in sorted(spans):
            if m and lo <= m[-1][1]:
                m[-1] = (m[-1][0], max(m[-1][1], hi))
            else:
                m.append((lo, hi))
        merged.append(m)
    return merged


def _in_spans(legs, spans, tau, tol=1.0):
    """The leg whose drawn spans hold ``tau``, or None."""
    for tr, sp in zip(legs, spans):
        if any(lo - tol <= tau <= hi + tol for lo, hi in sp):
            return tr
    return None


def _fine(t, lo, hi, step=_STEP_S):
    inner = t[(t > lo) & (t < hi)]
    return np.unique(np.r_[np.arange(lo, hi, step), inner, hi])


def _arc_points(u0, u1, n=40):
    """Great-circle points from unit vector u0 to u1."""
    ang = math.acos(max(-1.0, min(1.0, float(u0 @ u1))))
    if ang < 1e-9:
        return np.array([u0, u1])
    f = np.linspace(0.0, 1.0, n)[:, None]
    return (np.sin((1 - f) * ang) * u0 + np.sin(f * ang) * u1) / math.sin(ang)


def _event_time(timeline, t0, word, legs):
    """First event (s from t0) whose name holds ``word`` within a Moon-centred leg."""
    for ev in getattr(timeline, "events", None) or ():
        if word in str(ev[0]).lower():
            te = float(ev[1] - t0)
            if _covered(legs, te) is not None:
                return te
    return None


def _descent(timeline, legs, burns, t0, site_u):
    """The lander's path along the orbiter's ground track: (coast DOI to PDI, powered
    descent PDI to the site, PDI unit vector), or None; coast alone without a downrange."""
    t_land = _event_time(timeline, t0, "landing", legs)
    if t_land is None:
        return None
    doi = [float(b.epoch - t0) for b in burns if str(b.name).upper().startswith("DOI")
           and float(b.epoch - t0) < t_land]
    tr = _covered(legs, t_land)
    lo = max(doi[-1] if doi else t_land - 2 * 3600.0, tr.t[0])
    tau = np.arange(lo, min(t_land + 1800.0, tr.t[-1]), 10.0)
    if len(tau) < 3:
        return None
    u = _fixed_at(tr, tau)
    d = np.arccos(np.clip(u @ site_u, -1.0, 1.0)) * MOON_RADIUS_KM
    k = int(np.argmin(d))
    if d[k] > 30.0:  # the orbit does not fly over the site
        return None
    downrange = getattr(getattr(timeline, "descent", None), "downrange_km", None)
    if not downrange or not np.any(d[:k] >= downrange):
        return (u[:k + 1] if doi else None), None, None
    i = int(np.flatnonzero(d[:k] >= downrange)[-1])
    f = (d[i] - downrange) / (d[i] - d[i + 1])
    t_pdi = tau[i] + f * (tau[i + 1] - tau[i])
    u_pdi = _fixed_at(tr, t_pdi)[0]
    coast = np.vstack([u[:i + 1], u_pdi]) if doi else None
    powered = np.vstack([u_pdi, u[i + 1:k + 1], site_u])
    return coast, powered, u_pdi


def _target_arc(rdv):
    arc = getattr(rdv, "target", None)
    if all(hasattr(arc, a) for a in ("epoch0", "t_s", "states")) and np.size(arc.t_s) >= 2:
        return arc
    return None


def _ascent(timeline, burns, t0, legs, site_u):
    """Great-circle points from the site to the ascender's insertion ground point, or
    None (no ascender arc starting within an hour of lift-off)."""
    lift = [float(b.epoch - t0) for b in burns if str(b.name).lower().startswith("ascent")]
    t_lift = lift[0] if lift else _event_time(timeline, t0, "lift-off", legs)
    arc = _target_arc(getattr(timeline, "rendezvous", None))
    if t_lift is None or arc is None:
        return None
    ep = arc.epoch0 + float(arc.t_s[0])
    if not 0.0 <= float(ep - t0) - t_lift <= 3600.0:
        return None
    u_ins = _fixed_unit(ep, np.asarray(arc.states[0, :3], float))
    return _arc_points(site_u, u_ins)


def _burn_ground_points(timeline, burns, t0, legs, spans, site_u, u_pdi):
    """MOON_ME unit vectors of the burns in the drawn spans (None elsewhere): the leg flown
    (the rendezvous target's arc for its own burns), the site for the ascent, the PDI
    point for the powered descent."""
    rdv = getattr(timeline, "rendezvous", None)
    arc = _target_arc(rdv)
    own = {(b.name, round(float(b.epoch - t0))) for b in getattr(rdv, "burns", None) or ()
           if getattr(b, "spacecraft", "") == "target"}
    out = []
    for b in burns:
        tau = float(b.epoch - t0)
        tr = _in_spans(legs, spans, tau)
        name = str(b.name).lower()
        budget = str(getattr(b, "frame", "")).lower() == "budget"
        if tr is None:
            out.append(None)
        elif budget and name.startswith("ascent"):
            out.append(site_u)
        elif budget and "descent" in name:
            out.append(u_pdi)
        elif arc is not None and (b.name, round(tau)) in own:
            ta = float(b.epoch - arc.epoch0)
            r = _hermite(np.asarray(arc.t_s, float), np.asarray(arc.states, float), ta)
            out.append(_fixed_unit(b.epoch, r[0]))
        else:
            out.append(_fixed_at(tr, tau)[0])
    return out


def _span_text(t0, lo, hi):
    """'11-29 12:52-14:59', or '12-05 23:28 to 12-06 01:34' over midnight (UTC)."""
    a, b = _utc_short(t0 + lo), _utc_short(t0 + hi)
    return f"{a}-{b[6:]}" if a[:5] == b[:5] else f"{a} to {b}"


def _spans_label(name, t0, spans):
    parts = [_span_text(t0, lo, hi) for lo, hi in spans]
    one = f"{name}: {'; '.join(parts)}"
    if len(one) <= 52:
        return one
    lines = ["; ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]
    return f"{name}:\n" + "\n".join("    " + line for line in lines)


def _join_events(keys):
    return ", ".join(keys)


def _site_inset(ax, focus, jobs, extra=None):
    """A callable run once the layout is final: a zoom on the (lon, lat) points ``focus``
    (the landing site, the ends of the descent and the ascent), the lines of ``ax`` at
    equal ground scale, right of ``ax`` under its legend; it returns the burn labels of
    ``jobs`` that fall in the zoom, and ``extra`` (more labels for the zoom)."""
    focus = np.asarray(focus, float).reshape(-1, 2)
    lon_lo, lon_hi = focus[:, 0].min() - 6.0, focus[:, 0].max() + 6.0
    lon0 = 0.5 * (lon_lo + lon_hi)
    half_lon = max(0.5 * (lon_hi - lon_lo), 10.0)
    lat0 = float(np.mean(focus[:, 1]))

    def place(renderer):
        box = ax.get_window_extent(renderer)
        inv = ax.transAxes.inverted()
        leg = ax.get_legend()
        top = 1.0
        x0, x1 = 1.02, 1.5
        if leg is not None:
            lb = leg.get_window_extent(renderer)
            (x0, _), (x1, top) = inv.transform([[lb.x0, lb.y0], [lb.x1, lb.y0]])
        pt = ax.figure.dpi / 72.0
        left = x0 + 30.0 * pt / box.width  # room for the tick labels
        top -= 22.0 * pt / box.height  # and for the title
        w = x1 - left
        h = min(top - 0.02, w * box.width / box.height * 0.8)
        if w <= 0.1 or h <= 0.15:
            return []
        ins = ax.inset_axes([left, 0.0, w, h])
        ins.set_in_layout(False)
        ins.set_position(ins.get_axes_locator()(ins, renderer))
        # equal ground scale: a degree of longitude is cos(lat) of one of latitude
        h_deg = 2.0 * half_lon * math.cos(math.radians(lat0)) * h * box.height / (w * box.width)
        for ln in ax.get_lines():
            ins.plot(ln.get_xdata(), ln.get_ydata(), color=ln.get_color(),
                     lw=ln.get_linewidth(), ls=ln.get_linestyle(), marker=ln.get_marker(),
                     ms=ln.get_markersize(), mfc=ln.get_markerfacecolor(),
                     mec=ln.get_markeredgecolor(), mew=ln.get_markeredgewidth(),
                     zorder=ln.get_zorder())
        ins.set_xlim(lon0 - half_lon, lon0 + half_lon)
        ins.set_ylim(lat0 - 0.5 * h_deg, lat0 + 0.5 * h_deg)
        ins.set_title("descent and ascent, zoom at equal ground scale (deg)", fontsize=7)
        ins.tick_params(labelsize=6)
        ins.grid(alpha=0.3)
        (lo0, lo1), (la0, la1) = ins.get_xlim(), ins.get_ylim()
        out = []
        for job in jobs + ([extra] if extra is not None else []):
            if isinstance(job, _Labels) and job.join is not _join_events:
                keep = [(p, k) for p, k in zip(job.xy, job.keys)
                        if lo0 <= p[0] <= lo1 and la0 <= p[1] <= la1]
                if keep:
                    out.append(_Labels(ins, [p for p, _ in keep], [k for _, k in keep],
                                       job.join, job.color, 6.0))
        return out

    return place


def _plot_path(ax, u, **kw):
    lat, lon = _latlon(u)
    x, y = _broken(lon, lat)
    return ax.plot(x, y, **kw)


def _panel_ground_track(ax, timeline, tracks, t0, burns, colours):
    from .. import moon

    cfg = timeline.config
    lat0, lon0 = math.degrees(cfg.landing_lat), math.degrees(cfg.landing_lon)
    lon0 = (lon0 + 180.0) % 360.0 - 180.0
    site_u = moon.selenographic_to_fixed(cfg.landing_lat, cfg.landing_lon, radius_km=1.0)
    pairs = [(tr, c) for tr, c in zip(tracks, colours) if tr.is_leg and tr.centre == "moon"]
    legs = [tr for tr, _ in pairs]
    keys = _key_times(timeline, burns, t0)
    spans = _spans(legs, keys)
    drawn = False
    for (tr, c), sp in zip(pairs, spans):
        if not sp:
            continue
        xs, ys = [], []
        for lo, hi in sp:
            lat, lon = _latlon(_fixed_at(tr, _fine(tr.t, lo, hi)))
            x, y = _broken(lon, lat)
            xs += [x, [np.nan]]
            ys += [y, [np.nan]]
        ax.plot(np.concatenate(xs[:-1]), np.concatenate(ys[:-1]), color=c, lw=0.9,
                label=_spans_label(tr.name, t0, sp))
        drawn = True
    jobs = []
    u_pdi = desc = asc = None
    if drawn:
        desc = _descent(timeline, legs, burns, t0, site_u)
        if desc is not None:
            coast, powered, u_pdi = desc
            if coast is not None:
                _plot_path(ax, coast, color="k", lw=1.2, ls=":", zorder=4,
                           label="lander: descent-orbit coast, DOI to PDI")
            if powered is not None:
                km = getattr(timeline.descent, "downrange_km", float("nan"))
                _plot_path(ax, powered, color="k", lw=2.4, zorder=4,
                           label=f"lander: powered descent, PDI to touchdown ({km:,.0f} km)")
        asc = _ascent(timeline, burns, t0, legs, site_u)
        if asc is not None:
            km = math.acos(max(-1.0, min(1.0, float(asc[0] @ asc[-1])))) * MOON_RADIUS_KM
            _plot_path(ax, asc, color="k", lw=2.4, ls=(0, (4, 1.5)), zorder=4,
                       label=f"ascender: ascent, lift-off to orbit insertion ({km:,.0f} km)")
            la, lo = _latlon(asc[-1])
            ax.plot(lo, la, "o", color="k", ms=4, mfc="white", zorder=5)
        pts = _burn_ground_points(timeline, burns, t0, legs, spans, site_u, u_pdi)
        xy = [None if u is None else np.array(_latlon(u))[::-1] for u in pts]
        numbered = [(k, b.name) for k, b in enumerate(burns, start=1)]
        jobs += _mark_burns(ax, xy, numbered, join=_join_burns, ms=5)
        if any(p is not None for p in xy):
            ax.plot([], [], "o", ms=5, mfc="none", mec="tab:red", mew=1.2,
                    label="burns in the drawn spans (numbered as in (a))")
    ax.plot(lon0, lat0, "*", color="k", ms=13, mfc="gold", zorder=6,
            label=f"landing site ({lat0:.3f}, {lon0:.3f} deg): touchdown and lift-off")
    events = []
    for ev in getattr(timeline, "events", None) or ():
        name, tau = str(ev[0]), float(ev[1] - t0)
        tr = _in_spans(legs, spans, tau)
        if tr is None or not any(k in name.lower() for k in KEY_EVENTS):
            continue
        if "landing" in name.lower() or "lift-off" in name.lower():
            events.append((lon0, lat0, f"{name} {_utc_short(ev[1])}"))
        else:
            la, lo = _latlon(_fixed_at(tr, tau)[0])
            ax.plot(lo, la, "D", color="k", ms=5, mfc="white", zorder=6)
            events.append((lo, la, f"{name} {_utc_short(ev[1])}"))
    if events:
        jobs.append(_Labels(ax, [e[:2] for e in events], [e[2] for e in events],
                            _join_events, color="k"))
    if drawn and (desc is not None or asc is not None):
        focus, extra = [(lon0, lat0)], None
        if u_pdi is not None:
            focus.append(_latlon(u_pdi)[::-1])
        if asc is not None:
            la, lo = _latlon(asc[-1])
            focus.append((lo, la))
            extra = _Labels(ax, [(lo, la)], ["orbit insertion"], _join_names, color="k")
        jobs.append(_site_inset(ax, focus, list(jobs), extra))
    if not drawn:
        ax.text(0.5, 0.5, "no Moon-centred leg" if not legs else
                "no key event (LOI, landing, lift-off, docking, TEI) in a Moon-centred leg",
                transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_xlabel("selenographic east longitude (deg)")
    ax.set_ylabel("selenographic latitude (deg)")
    ax.set_title("(c) lunar ground track, MOON_ME (deg), one revolution around key events",
                 fontsize=10)
    used = [name for name, te in keys if _covered(legs, te) is not None]
    title = textwrap.fill("drawn: one revolution before and after "
                          + (", ".join(used) if used else "the key events"), 48)
    ax.legend(title=title + "\nMoon-centred legs, spans drawn (UTC):", title_fontsize=7,
              **_LEGEND)
    ax.grid(alpha=0.3)
    return jobs


# ------------------------------------------------------------------------ (d)
def _least_crowded_corner(ax, x, z, size, title=0.04):
    """Inset bounds (axes fraction) in the corner holding the fewest drawn points (room for
    the inset's title and x label)."""
    x0, x1 = ax.get_xlim()
    z0, z1 = ax.get_ylim()
    fx = (x - x0) / (x1 - x0)
    fz = (z - z0) / (z1 - z0)
    m = 0.03
    best = None
    for cx in (m + 0.06, 1 - m - size):
        for cz in (m + 0.07, 1 - m - size - title):
            n = int(np.sum((fx >= cx - m) & (fx <= cx + size + m) & (fz >= cz - m)
                           & (fz <= cz + size + m)))
            if best is None or n < best[0]:
                best = (n, [cx, cz, size, size])
    return best[1]


def _target_radius(rdv, t):
    """|r| of the target at ``t`` (s from ``common_epoch``), km, or None."""
    arc = _target_arc(rdv)
    if arc is not None:
        shift = 0.0
        ref = getattr(rdv, "common_epoch", None)
        if ref is not None:
            shift = float(arc.epoch0 - ref)
        r = np.linalg.norm(np.asarray(arc.states, float)[:, :3], axis=1)
        return np.interp(t, np.asarray(arc.t_s, float) + shift, r)
    s0 = getattr(rdv, "target_state0", None)
    if s0 is not None and np.size(s0) >= 3:
        return np.full(len(t), float(np.linalg.norm(np.asarray(s0, float)[:3])))
    return None


def _curvilinear(rho, r_t):
    """Phase angle (rad, + ahead) and altitude difference (km, + above) of the chaser from
    its LVLH position (x V-bar, z R-bar down) and the target's radius ``r_t``: the angle
    in the target's orbit plane, unwrapped over the laps and 0 at the last sample."""
    x, y, z = rho[:, 0], rho[:, 1], rho[:, 2]
    up = r_t - z  # the chaser's radial component along the target's zenith
    theta = np.unwrap(np.arctan2(x, up))
    theta -= 2.0 * math.pi * round(theta[-1] / (2.0 * math.pi))
    return theta, np.sqrt(x * x + y * y + up * up) - r_t


def _panel_rendezvous(ax, timeline):
    rdv = getattr(timeline, "rendezvous", None)
    fn = getattr(rdv, "relative_lvlh", None)
    if not callable(fn):
        ax.text(0.5, 0.5, "no rendezvous plan in this timeline\n(timeline.rendezvous has no "
                "relative_lvlh)", transform=ax.transAxes, ha="center", va="center",
                color="0.4")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("along-track (km)")
        ax.set_ylabel("altitude difference (km)")
        ax.set_title("(d) rendezvous approach (km): absent", fontsize=10)
        return []
    t, rho = fn()[:2]
    t = np.asarray(t, float)
    rho = np.asarray(rho, float)
    x, z = rho[:, 0], rho[:, 2]
    rng = np.linalg.norm(rho, axis=1)
    r_t = _target_radius(rdv, t)
    curvilinear = r_t is not None
    if curvilinear:
        theta, w = _curvilinear(rho, r_t)
        r_ref = float(np.mean(r_t))
        u = r_ref * theta
    else:  # Cartesian LVLH, R-bar down
        u, w = x, z
    s = _thin(len(t))
    names, burn_t = [], []
    ref = getattr(rdv, "common_epoch", None)
    for b in getattr(rdv, "burns", None) or ():
        if ref is not None and hasattr(b, "epoch"):
            tb = float(b.epoch - ref)
            if t[0] <= tb <= t[-1]:
                names.append(str(getattr(b, "name", "")))
                burn_t.append(tb)
    burn_t = np.array(burn_t)
    ax.plot(u[s], w[s], color="tab:blue", lw=1.0, label="chaser")
    start = "start"
    if ref is not None:
        start += f" {_utc(ref + float(t[0]))}"
    if curvilinear:
        side = "behind" if u[0] < 0 else "ahead of"
        start += (f":\n{abs(math.degrees(theta[0])):,.1f} deg ({abs(u[0]):,.0f} km) {side} "
                  f"the target, {w[0]:+,.0f} km")
    ax.plot(u[0], w[0], "^", color="tab:green", ms=7, label=start)
    ax.plot(u[-1], w[-1], "s", color="k", ms=5, mfc="none",
            label=f"end, range {rng[-1] * 1e3:,.1f} m")
    ax.plot([0], [0], "*", color="k", ms=11, label="target")
    jobs = []
    if burn_t.size:
        pts = np.c_[np.interp(burn_t, t, u), np.interp(burn_t, t, w)]
        jobs += _mark_burns(ax, list(pts), names, join=_join_names)
        ax.plot([], [], "o", ms=4, mfc="none", mec="tab:red", mew=1.2, label="burns")
    docking = getattr(rdv, "docking_epoch", None)
    dock = f", docking {_utc(docking)}" if docking is not None else ""
    if curvilinear:
        ax.set_xlabel(f"along-track arc at the target's mean radius {r_ref:,.0f} km (km), "
                      "+ = chaser ahead")
        ax.set_ylabel("altitude difference |r_chaser| - |r_target| (km), + = above")
        k = 180.0 / (math.pi * r_ref)
        top = ax.secondary_xaxis("top", functions=(lambda v: v * k, lambda v: v / k))
        top.set_xlabel("phase angle from the target (deg)", fontsize=8)
        top.tick_params(labelsize=8)
        ax.set_title(f"(d) rendezvous, curvilinear relative to the target (km){dock}",
                     fontsize=10)
    else:
        ax.invert_yaxis()
        ax.set_xlabel("V-bar x (km), + = ahead of the target")
        ax.set_ylabel("R-bar z (km), + = down, toward the Moon")
        ax.set_title(f"(d) rendezvous in the target's LVLH (km){dock}", fontsize=10)
    _km_axis(ax, "x")
    ax.grid(alpha=0.3)
    far = np.flatnonzero(rng > ZOOM_KM)
    first = int(far[-1]) if far.size else 0
    if far.size and first < len(t) - 1:
        xs, zs = x[first:], z[first:]
        ins = ax.inset_axes(_least_crowded_corner(ax, u[s], w[s], 0.4))
        ins.plot(xs, zs, color="tab:blue", lw=1.0)
        ins.plot([0], [0], "*", color="k", ms=9)
        ins.plot(xs[-1], zs[-1], "s", color="k", ms=4, mfc="none")
        pad = 0.08 * max(np.ptp(np.r_[xs, 0.0]), np.ptp(np.r_[zs, 0.0]), 1e-3)
        ins.set_xlim(min(xs.min(), 0.0) - pad, max(xs.max(), 0.0) + pad)
        ins.set_ylim(max(zs.max(), 0.0) + pad, min(zs.min(), 0.0) - pad)  # R-bar down
        sel = burn_t >= t[first] if burn_t.size else np.zeros(0, bool)
        if sel.any():
            pts = np.c_[np.interp(burn_t[sel], t, x), np.interp(burn_t[sel], t, z)]
            job = _mark_burns(ins, list(pts), [n for n, k in zip(names, sel) if k],
                              join=_join_names, ms=3)
            for j in job:
                j.fontsize = 6.0
            jobs += job
        ins.set_title(f"last {ZOOM_KM:g} km: Cartesian LVLH (km)", fontsize=7)
        ins.set_xlabel("V-bar x, + ahead", fontsize=6, labelpad=1)
        ins.set_ylabel("R-bar z, + down", fontsize=6, labelpad=1)
        ins.tick_params(labelsize=6)
        ins.grid(alpha=0.3)
        us, ws = u[first:], w[first:]
        pad_u = 0.02 * np.ptp(ax.get_xlim())
        pad_w = 0.02 * abs(np.diff(ax.get_ylim())[0])
        lo_u, hi_u = min(us.min(), 0.0) - pad_u, max(us.max(), 0.0) + pad_u
        lo_w, hi_w = min(ws.min(), 0.0) - pad_w, max(ws.max(), 0.0) + pad_w
        for j in jobs:
            if j.ax is ax:
                j.avoid.append(ins)

        def indicate(renderer):  # once laid out: the connectors facing the inset
            ind = ax.indicate_inset([lo_u, lo_w, hi_u - lo_u, hi_w - lo_w], inset_ax=ins,
                                    edgecolor="0.4")
            (rx0, ry0), (rx1, ry1) = np.sort(ax.transData.transform(
                [[lo_u, lo_w], [hi_u, hi_w]]), axis=0)
            ib = ins.get_window_extent(renderer)
            corners = ((0, 0), (0, 1), (1, 0), (1, 1))  # the order of ind.connectors
            if ib.y0 >= ry1:  # above: the lower corners
                show = {(0, 0), (1, 0)}
            elif ib.y1 <= ry0:
                show = {(0, 1), (1, 1)}
            elif ib.x0 >= rx1:  # right of the box: the left corners
                show = {(0, 0), (0, 1)}
            else:
                show = {(1, 0), (1, 1)}
            for corner, c in zip(corners, ind.connectors or ()):
                c.set_visible(corner in show)

        jobs.append(indicate)
    ax.legend(**_LEGEND)
    return jobs


@_plain_text
def plot_sample_return(timeline, path=None):
    """Four-panel overview of a sample-return timeline (module docstring).

    Parameters
    ----------
    timeline : MissionTimeline
        Uses ``legs``, ``burns``, ``events`` (the first gives the start of the suptitle; the
        key ones choose the ground-track spans), ``config`` (``name``, ``landing_lat``,
        ``landing_lon`` in rad), and when present ``descent`` (``downrange_km``),
        ``rendezvous`` (``relative_lvlh()``, ``docking_epoch``, ``burns``, ``target``) and
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
    jobs = _panel_inertial(axes[0, 0], tracks, t0, burns, burn_pts, colours)
    jobs += _panel_rotating(axes[0, 1], tracks, t0, burns, burn_pts, colours)
    jobs += _panel_ground_track(axes[1, 0], timeline, tracks, t0, burns, colours)
    jobs += _panel_rendezvous(axes[1, 1], timeline)
    fig.suptitle(_suptitle(timeline, t0, tracks), fontsize=12)
    _write_labels(fig, jobs)
    if path is not None:
        _save(fig, path)
    return fig


def _suptitle(timeline, t0, tracks):
    def lower(name):
        name = str(name)
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    end = t0 + max(tr.t[-1] for tr in tracks)
    start_text, end_text = _utc(t0), _utc(end)
    events = sorted(getattr(timeline, "events", None) or (), key=lambda e: float(e[1] - t0))
    if events and float(events[0][1] - t0) <= 0.0:
        t0 = events[0][1]
        start_text = f"{lower(events[0][0])} {_utc(t0)}"
    if events and float(events[-1][1] - end) >= -1.0:
        end = events[-1][1]
        end_text = f"{lower(events[-1][0])} {_utc(end)}"
    cfg = timeline.config
    total = sum(b.dv_km_s for b in timeline.burns) * 1e3
    days = float(end - t0) / 86400.0
    return (f"{getattr(cfg, 'name', 'mission')}: {start_text} to {end_text} ({days:.1f} days), "
            f"{len(timeline.burns)} burns, total delta-v {total:,.0f} m/s")
