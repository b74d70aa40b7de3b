"""The porkchop plot (matplotlib, Agg, PNG written atomically).

Departure date on x, arrival date on y; filled launch-C3 contours, arrival v_inf
contour lines, time-of-flight lines every 50 days, the optimum marked with a star,
user marks (e.g. a real mission's dates), and the region meeting both constraints
hatched. Dates are readable (month ticks).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .._io import atomic_path  # noqa: E402

__all__ = ["plot_porkchop"]


def _dates(epochs):
    """Matplotlib date numbers of UTC epochs (fast: from the JD, no datetime objects)."""
    utc = epochs.utc
    return (utc.jd1 - 2440587.5) + utc.jd2  # days since 1970-01-01 (matplotlib's epoch)


def plot_porkchop(pc, path=None, *, marks=(), c3_max=None, vinf_max=None, best=None):
    """Draw ``pc`` (a :class:`~cosmoplan.interplanetary.porkchop.Porkchop`)."""
    with matplotlib.rc_context({"text.parse_math": False}):
        return _plot(pc, path, marks, c3_max, vinf_max, best)


def _plot(pc, path, marks, c3_max, vinf_max, best):
    x = _dates(pc.departure)
    y = _dates(pc.arrival)
    X, Y = np.meshgrid(x, y, indexing="ij")
    fig, ax = plt.subplots(figsize=(11, 8.5))
    c3 = np.ma.masked_invalid(pc.c3)
    finite = c3.compressed()
    if finite.size == 0:
        ax.text(0.5, 0.5, "no transfer in this grid", transform=ax.transAxes, ha="center")
    else:
        lo = float(np.floor(finite.min()))
        top = c3_max * 2.5 if c3_max else float(np.percentile(finite, 60))
        levels = np.unique(np.round(np.linspace(lo, max(top, lo + 1), 14), 1))
        cf = ax.contourf(X, Y, c3, levels=levels, cmap="viridis_r", extend="max")
        cbar = fig.colorbar(cf, ax=ax)
        cbar.set_label("launch C3 (km²/s²)")
        cl = ax.contour(X, Y, c3, levels=levels[::2], colors="k", linewidths=0.5, alpha=0.6)
        ax.clabel(cl, fmt="%.0f", fontsize=7)
        vinf = np.ma.masked_invalid(pc.vinf_arrival)
        vl = [v for v in (2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0) if vinf.min() < v < vinf.max()]
        if vl:
            cv = ax.contour(X, Y, vinf, levels=vl, colors="tab:red", linewidths=0.9)
            ax.clabel(cv, fmt="%.1f km/s", fontsize=7)
        tof_days = pc.tof_s / 86400.0
        tl = np.arange(50.0, np.nanmax(tof_days) + 1, 50.0) if np.any(np.isfinite(tof_days)) \
            else []
        if len(tl):
            ct = ax.contour(X, Y, tof_days, levels=tl, colors="0.35", linewidths=0.6,
                            linestyles="dotted")
            ax.clabel(ct, fmt="%.0f d", fontsize=7)
        if c3_max is not None or vinf_max is not None:
            ok = pc.valid.copy()
            if c3_max is not None:
                ok &= np.nan_to_num(pc.c3, nan=np.inf) <= c3_max
            if vinf_max is not None:
                ok &= np.nan_to_num(pc.vinf_arrival, nan=np.inf) <= vinf_max
            if np.any(ok):
                ax.contourf(X, Y, ok.astype(float), levels=[0.5, 1.5], colors="none",
                            hatches=["//"])
                ax.contour(X, Y, ok.astype(float), levels=[0.5], colors="white",
                           linewidths=1.5)
                from matplotlib.patches import Patch

                parts = ([f"C3 <= {c3_max:g} km²/s²"] if c3_max is not None else []) + (
                    [f"arrival v_inf <= {vinf_max:g} km/s"] if vinf_max is not None else [])
                ax.add_artist(ax.legend(handles=[Patch(facecolor="none", edgecolor="k",
                                                       hatch="//", label=" and ".join(parts))],
                                        loc="lower right", fontsize=8, framealpha=0.85))
    if best is not None:
        bx, by = _dates(best.departure), _dates(best.arrival)
        ax.plot(bx, by, "*", color="tab:red", mec="white", mew=1.2, ms=18,
                label=f"optimum {best.departure.utc.iso(0)[:10]} -> "
                      f"{best.arrival.utc.iso(0)[:10]}: C3 {best.c3:.2f}, "
                      f"v_inf {best.vinf_arrival:.2f} km/s")
    for label, dep, arr in marks:
        from ..time import Epoch

        d, a = Epoch.coerce(dep), Epoch.coerce(arr)
        ax.plot(_dates(d), _dates(a), "o", color="tab:orange", mec="k", ms=9, label=label)
        ax.annotate(label, (_dates(d), _dates(a)), textcoords="offset points", xytext=(8, 6),
                    fontsize=9, color="k")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(mdates.MonthLocator())
        axis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    ax.set_xlabel(f"departure from {pc.departure_body.name} (UTC)")
    ax.set_ylabel(f"arrival at {pc.arrival_body.name} (UTC)")
    ax.set_title(f"{pc.departure_body.name} to {pc.arrival_body.name}: launch C3 (filled), "
                 "arrival v_inf (red), time of flight (dotted)")
    ax.grid(alpha=0.25)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    if path is None:
        return fig
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path
