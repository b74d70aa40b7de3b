"""Plots of one trajectory against UTC (matplotlib, Agg backend, PNG written atomically).

:func:`plot_trajectory` draws either

* ``kind="altitude"``: the WGS-84 geodetic altitude (km) of an Earth-centred trajectory
  (:meth:`cosmoplan.trajectory.Trajectory.altitude`), or
* ``kind="elements"``: the osculating elements (:meth:`~cosmoplan.trajectory.Trajectory.elements`)
  in six panels: semi-major axis (km), eccentricity, inclination, RAAN and argument of
  periapsis (degrees; RAAN and periapsis unwrapped so a slow drift through 0/360 deg reads
  as a line) and Keplerian period (min).

Angles are computed in radians and converted to degrees only here, at the edge. Long
trajectories are thinned to at most 50,000 points per curve for drawing.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .plots import _plain_text, _save, plt
from .porkchop_plot import _dates

__all__ = ["plot_trajectory", "KINDS"]

KINDS = ("altitude", "elements")
"""What :func:`plot_trajectory` can draw."""

_MAX_POINTS = 50_000


def _time_axis(ax):
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.grid(alpha=0.3)


@_plain_text
def plot_trajectory(trajectory, path=None, *, kind="altitude", mu=None):
    """Plot a trajectory's altitude or osculating elements against UTC.

    Parameters
    ----------
    trajectory : cosmoplan.trajectory.Trajectory
        At least one state; Earth-centred for ``kind="altitude"``.
    path : str or Path, optional
        PNG file to write (atomically); None returns the matplotlib Figure.
    kind : {'altitude', 'elements'}
    mu : float, optional
        Gravitational parameter for the elements, km^3/s^2 (default: EGM96 GM for the
        Earth; see :meth:`~cosmoplan.trajectory.Trajectory.elements`).

    Returns
    -------
    Path-like or matplotlib.figure.Figure
        ``path`` when given, else the Figure.
    """
    if kind not in KINDS:
        raise InputError(f"unknown plot kind {kind!r}; use one of {', '.join(KINDS)}",
                         field="kind", value=kind)
    if len(trajectory) == 0:
        raise InputError("cannot plot an empty trajectory", field="trajectory")
    thin = slice(None, None, max(1, len(trajectory) // _MAX_POINTS))
    traj = trajectory[thin]
    days = _dates(traj.epoch)
    name = trajectory.name or "trajectory"
    if kind == "altitude":
        if traj.center != "earth":
            raise InputError(f"an altitude plot is for Earth-centred trajectories; this one "
                             f"is about {traj.center}", field="trajectory")
        fig, ax = plt.subplots(figsize=(11, 4.5))
        ax.plot(days, traj.altitude(), color="tab:blue", lw=1.0)
        _time_axis(ax)
        ax.set_xlabel("UTC")
        ax.set_ylabel("geodetic altitude (km, WGS-84)")
        ax.set_title(f"{name}: altitude")
        return _save(fig, path)

    el = traj.elements(mu)
    panels = [
        (el.a, "semi-major axis a (km)"),
        (el.e, "eccentricity e"),
        (np.degrees(el.i), "inclination i (deg)"),
        (np.degrees(np.unwrap(el.raan)), "RAAN (deg)"),
        (np.degrees(np.unwrap(el.argp)), "argument of periapsis (deg)"),
        (el.period / 60.0, "Keplerian period (min)"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(15, 7.5), sharex=True)
    for ax, (y, label) in zip(axes.ravel(), panels):
        ax.plot(days, y, color="tab:blue", lw=0.9)
        ax.set_ylabel(label)
        _time_axis(ax)
    for ax in axes[1]:
        ax.set_xlabel("UTC")
    fig.suptitle(f"{name}: osculating elements ({el.frame}, mu = {el.mu:.10g} km^3/s^2)")
    fig.tight_layout()
    return _save(fig, path)
