"""Sample-return overview plot and per-leg OEM export, on a small synthetic timeline.

The timeline is built here (two short arcs in a point-mass Earth-Moon-Sun model, a fake
rendezvous plan and a fake Earth-return plan), not planned: the full plan takes ~30 s and
its sub-plans are other modules' business. A variant with a 12-hour lunar orbit, a landing
and a lift-off checks the ground track's key-event windows, the descent and the ascent.
"""

from __future__ import annotations

import math
import os
from types import SimpleNamespace as NS

import numpy as np
import pytest

from cosmoplan import ccsds
from cosmoplan.cislunar.dynamics import CislunarForceModel, change_centre, propagate
from cosmoplan.cislunar.export import leg_file_name, leg_oem, write_leg_oems
from cosmoplan.cislunar.sample_return import MissionBurn, MissionLeg, MissionTimeline
from cosmoplan.errors import InputError
from cosmoplan.time import Epoch

MODEL = CislunarForceModel(earth_degree=0, moon_degree=0)
GM_EARTH = 398600.4418
GM_MOON = 4902.800066


R_TARGET = 1937.4  # km: the fake target's circular orbit


class FakeRendezvous:
    """What the plot needs of a LunarRendezvousPlan: relative_lvlh, docking_epoch, burns,
    the target's arc (a circular orbit of radius R_TARGET in the GCRF x-y plane)."""

    def __init__(self, epoch, rho=None):
        self.common_epoch = epoch
        self.t = np.linspace(0.0, 4 * 3600.0, 2000)
        u = self.t / self.t[-1]
        x = -60.0 * (1.0 - u) ** 2 - 0.002
        z = 4.0 * np.sin(3 * math.pi * u) * (1.0 - u)
        y = 0.1 * np.sin(2 * math.pi * u) * (1.0 - u)
        self.rho = np.c_[x, y, z] if rho is None else rho
        self.docking_epoch = epoch + float(self.t[-1])
        self.burns = [NS(name=f"B{k}", epoch=epoch + float(s), spacecraft="chaser")
                      for k, s in enumerate((0.0, 3600.0, 7200.0, 12000.0))]
        n = math.sqrt(GM_MOON / R_TARGET**3)
        c, s = np.cos(n * self.t), np.sin(n * self.t)
        states = np.c_[R_TARGET * c, R_TARGET * s, 0 * c, -R_TARGET * n * s,
                       R_TARGET * n * c, 0 * c]
        self.target = NS(epoch0=epoch, t_s=self.t, states=states, centre="moon")

    def relative_lvlh(self, velocity=False):
        return self.t, self.rho


def _burn(name, epoch, dv, frame):
    return MissionBurn(name, epoch, dv, "orbiter", 8000.0, 7000.0, frame, "test")


@pytest.fixture(scope="module")
def timeline():
    ep0 = Epoch.from_iso("2020-11-23T20:30:00", scale="utc").tdb
    # Earth-centred: 45 min after a TLI-like state, a 5 m/s burn, 45 min more (one leg with
    # a repeated epoch, as the trans-lunar coast of plan_sample_return)
    r = 6578.0
    v = 10.9
    y0 = [r, 0.0, 0.0, 0.0, v * math.cos(0.5), v * math.sin(0.5)]
    a = propagate(MODEL, ep0, y0, 2700.0, centre="earth", t_out=np.linspace(0, 2700, 46))
    y1 = a.final
    y1[3:] += 0.005 * y1[3:] / np.linalg.norm(y1[3:])
    b = propagate(MODEL, a.epoch_final, y1, 2700.0, centre="earth",
                  t_out=np.linspace(0, 2700, 46))
    epochs = Epoch.concatenate([a.epochs, b.epochs])
    earth_leg = MissionLeg("trans-lunar coast", "earth", epochs, np.vstack([a.states,
                                                                            b.states]),
                           epochs[0], epochs[-1])
    # Moon-centred: two hours of a 200 km polar lunar orbit, 5 days later
    ep1 = ep0 + 5 * 86400.0
    rm = 1937.4
    vm = math.sqrt(GM_MOON / rm)
    c = propagate(MODEL, ep1, [rm, 0.0, 0.0, 0.0, 0.3 * vm, 0.95 * vm], 7200.0, centre="moon",
                  t_out=np.linspace(0, 7200, 121))
    moon_leg = MissionLeg("lunar parking orbit", "moon", c.epochs, c.states, c.epochs[0],
                          c.epochs[-1])
    # an Earth-return arc as earth_return would hold it (Moon-centred here)
    d = propagate(MODEL, ep1 + 9000.0, [rm, 0.0, 0.0, 0.0, 0.3 * vm * 1.35, 0.95 * vm * 1.35],
                  36000.0, centre="moon", t_out=np.linspace(0, 36000, 200))
    burns = [
        _burn("TLI", ep0, 3.1, "GCRF, Earth-centred"),
        _burn("MCC-1", a.epoch_final, 0.005, "GCRF, Earth-centred"),
        _burn("LOI-2", ep1, 0.2, "GCRF axes, Moon-centred"),
        _burn("DOI", ep1 + 3600.0, 0.02, "budget"),
        _burn("Powered descent", ep1 + 4000.0, 1.7, "budget"),
        _burn("TEI-1", ep1 + 9000.0, 0.8, "GCRF axes, Moon-centred"),
    ]
    cfg = NS(name="Synthetic sample return", landing_lat=math.radians(43.06),
             landing_lon=math.radians(-51.92), model=MODEL)
    events = [("Lift-off", ep0 - 1800.0, "pad"),
              ("Entry interface", d.epoch_final + 3600.0, "120 km")]
    return MissionTimeline(cfg, burns, [earth_leg, moon_leg], events,
                           rendezvous=FakeRendezvous(ep1 + 600.0),
                           earth_return=NS(tei_coast=d, entry=NS(epoch=d.epoch_final)))


T_LAND = 8 * 3600.0  # s after the start of the long lunar leg
T_LIFT = 9 * 3600.0
DOWNRANGE_KM = 500.0


@pytest.fixture(scope="module")
def long_timeline(timeline):
    """12 h in lunar orbit (LOI-2 at its start, a landing 8 h in, a lift-off at 9 h): the
    site is the ground point 10 min before the landing, the ascender's arc starts 6 min
    after the lift-off."""
    from dataclasses import replace

    from cosmoplan import moon

    leg0 = timeline.legs[1]
    ep1 = leg0.epochs[0]
    c = propagate(MODEL, ep1, leg0.states[0], 12 * 3600.0, centre="moon",
                  t_out=np.linspace(0, 12 * 3600.0, 721))
    leg = MissionLeg("lunar parking orbit", "moon", c.epochs, c.states, c.epochs[0],
                     c.epochs[-1])
    i_site = int(np.searchsorted(c.t_s, T_LAND - 600.0))
    r = moon.rotation_matrix(c.epochs[i_site], "MOON_ME") @ c.states[i_site, :3]
    lat, lon, _ = moon.fixed_to_selenographic(r)
    burns = [b for b in timeline.burns if b.name in ("TLI", "MCC-1", "LOI-2")]
    burns += [_burn("DOI", ep1 + T_LAND - 3600.0, 0.02, "budget"),
              _burn("Powered descent", ep1 + T_LAND - 720.0, 1.7, "budget"),
              _burn("Ascent", ep1 + T_LIFT, 1.8, "budget")]
    events = timeline.events[:1] + [("Landing", ep1 + T_LAND, "site"),
                                    ("Ascent lift-off", ep1 + T_LIFT, "lander")]
    cfg = NS(name="Long lunar stay", landing_lat=float(lat), landing_lon=float(lon),
             model=MODEL)
    return replace(timeline, config=cfg, burns=burns, events=events,
                   legs=[timeline.legs[0], leg], descent=NS(downrange_km=DOWNRANGE_KM),
                   rendezvous=FakeRendezvous(ep1 + T_LIFT + 360.0), earth_return=None)


# ------------------------------------------------------------------------------ plot
@pytest.fixture(scope="module")
def fig(timeline):
    from cosmoplan.report.sample_return_plot import plot_sample_return

    return plot_sample_return(timeline)


@pytest.fixture(scope="module")
def long_fig(long_timeline):
    from cosmoplan.report.sample_return_plot import plot_sample_return

    return plot_sample_return(long_timeline)


def _labels(ax):
    """Texts of the burn and event labels (annotations) of ``ax``."""
    from matplotlib.text import Annotation

    return [t.get_text() for t in ax.texts if isinstance(t, Annotation)]


def test_plot_has_four_labelled_panels_and_saves_png(fig, timeline, tmp_path):
    from cosmoplan.report.sample_return_plot import plot_sample_return

    assert len(fig.axes) == 4
    for ax, unit in zip(fig.axes, ("km", "km", "deg", "km")):
        assert f"({unit})" in ax.get_xlabel() and f"({unit})" in ax.get_ylabel()
        assert f"({unit})" in ax.get_title()
        legend = ax.get_legend()
        assert legend is not None
        # outside the data: anchored to the right of the axes
        assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("(a)") and "GCRF" in titles[0]
    assert "rotating" in titles[1]
    assert "UTC" in fig._suptitle.get_text() and "UTC" in titles[3]
    legend_text = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("1 TLI: 2020-11-23 20:30 UTC") for t in legend_text)
    assert any("return: tei coast" in t for t in legend_text)
    out = tmp_path / "plots" / "sample_return.png"
    assert plot_sample_return(timeline, out) is not None
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 50_000
    assert sorted(p.name for p in out.parent.iterdir()) == ["sample_return.png"]


def test_title_runs_from_the_first_event(fig):
    # the launch 30 min before TLI, to the entry interface after the last arc
    title = fig._suptitle.get_text()
    assert title.startswith("Synthetic sample return: lift-off 2020-11-23 20:00 UTC to "
                            "entry interface 2020-11-29 10:00 UTC (5.6 days)")
    assert "6 burns" in title


def test_burn_labels_do_not_collide(fig):
    """One label per group of nearby burns, no two labels overlapping (panels a, b)."""
    from matplotlib.text import Annotation

    renderer = fig.canvas.get_renderer()
    for ax in fig.axes[:2]:
        anns = [t for t in ax.texts if isinstance(t, Annotation)]
        numbers = []
        for a in anns:
            for part in a.get_text().split(", "):
                lo, _, hi = part.partition("-")
                numbers += range(int(lo), int(hi or lo) + 1)
        assert sorted(numbers) == [1, 2, 3, 4, 5, 6]  # every burn, once
        boxes = [a.get_window_extent(renderer) for a in anns]
        for i, b in enumerate(boxes):
            assert not any(b.overlaps(c) for c in boxes[i + 1:])
            assert ax.get_window_extent(renderer).contains(b.x0, b.y0)
    # the four burns at the Moon share a label in the rotating frame, 400,000 km wide
    assert any("3-6" in t for t in _labels(fig.axes[1]))


def test_label_placement_separates_close_groups():
    """Two groups 15 pt apart (the '10-20' / '3-9' collision): separate, apart labels."""
    import matplotlib.pyplot as plt

    from cosmoplan.report.sample_return_plot import _join_numbers, _Labels, _write_labels

    fig = plt.figure(figsize=(3, 3), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    fig.draw_without_rendering()
    step = 15.0 / 72.0 / (ax.get_window_extent().width / fig.dpi)  # 15 pt in data
    xy = [(0.5 + 1e-4 * k, 0.5) for k in range(7)] + \
         [(0.5 + step + 1e-4 * k, 0.5) for k in range(11)]
    _write_labels(fig, [_Labels(ax, xy, list(range(3, 21)), _join_numbers)])
    anns = ax.texts
    assert sorted(a.get_text() for a in anns) == ["10-20", "3-9"]
    renderer = fig.canvas.get_renderer()
    a, b = (t.get_window_extent(renderer) for t in anns)
    assert not a.overlaps(b)
    plt.close(fig)


def test_ground_track_wraps_and_breaks(fig, timeline):
    from cosmoplan import moon

    ax = fig.axes[2]
    track = [ln for ln in ax.get_lines() if ln.get_label().startswith("lunar parking orbit:")][0]
    # LOI-2 at the start of the 2-hour leg: one revolution (longer than the leg) drawn whole
    assert track.get_label() == "lunar parking orbit: 11-28 20:30-22:30"
    lon = np.asarray(track.get_xdata(), float)
    lat = np.asarray(track.get_ydata(), float)
    ok = np.isfinite(lon)
    assert np.all((lon[ok] >= -180.0) & (lon[ok] < 180.0))
    # a polar orbit over two hours crosses the +-180 meridian: the line is broken there
    assert np.any(~ok)
    for piece in np.split(lon, np.flatnonzero(~ok)):
        piece = piece[np.isfinite(piece)]
        assert np.all(np.abs(np.diff(piece)) < 180.0)
    # first point: the MOON_ME coordinates of the first state
    leg = timeline.legs[1]
    m = moon.rotation_matrix(leg.epochs[0], "MOON_ME")
    la, lo, _ = moon.fixed_to_selenographic(m @ leg.states[0, :3])
    assert lat[0] == pytest.approx(math.degrees(la), abs=1e-9)
    assert lon[0] == pytest.approx(math.degrees(lo), abs=1e-9)
    site = [ln for ln in ax.get_lines() if ln.get_label().startswith("landing site")][0]
    assert site.get_xdata()[0] == pytest.approx(-51.92)
    # LOI-2 at the leg's start, numbered as in (a); DOI an hour later
    assert {"3 LOI-2", "4 DOI"} <= set(_labels(ax))


def test_ground_track_draws_one_revolution_around_key_events(long_fig, long_timeline):
    from cosmoplan.report.sample_return_plot import _key_times, _period, _spans, _tracks

    ax = long_fig.axes[2]
    leg = long_timeline.legs[1]
    ep1 = leg.epochs[0]
    period = _period(leg.states[0])
    assert period == pytest.approx(2 * math.pi * math.sqrt(
        (1.0 / (2.0 / np.linalg.norm(leg.states[0, :3])
                - np.sum(leg.states[0, 3:] ** 2) / GM_MOON)) ** 3 / GM_MOON))
    assert 6000.0 < period < 9000.0

    def utc(s):
        return (ep1 + s).utc.iso(0)[5:16].replace("T", " ")

    # LOI-2 (t = 0) and the landing and lift-off (8 h, 9 h): [0, P] and [8 h - P, 9 h + P]
    track = [ln for ln in ax.get_lines() if ln.get_label().startswith("lunar parking orbit:")][0]
    assert " ".join(track.get_label().split()) == (
        f"lunar parking orbit: {utc(0.0)}-{utc(period)[6:]}; "
        f"{utc(T_LAND - period)}-{utc(T_LIFT + period)[6:]}")
    t0, tracks = _tracks(long_timeline)
    tr = tracks[1]
    burns = sorted(long_timeline.burns, key=lambda b: float(b.epoch - t0))
    (a0, a1), (b0, b1) = _spans([tr], _key_times(long_timeline, burns, t0))[0]
    assert (a0, a1 - a0) == pytest.approx((tr.t[0], period), abs=0.1)  # osculating P
    assert (b0 - tr.t[0], b1 - tr.t[0]) == pytest.approx((T_LAND - period, T_LIFT + period),
                                                         abs=0.1)
    # the line: the two windows at 30 s (plus the leg's own samples), nothing between
    lon = np.asarray(track.get_xdata(), float)
    n = np.isfinite(lon).sum()
    assert (a1 - a0 + b1 - b0) / 30.0 < n < (a1 - a0 + b1 - b0) / 20.0 + 4
    assert "Landing, Ascent lift-off" in ax.get_legend().get_title().get_text().replace(
        "\n", " ")


def test_ground_track_resampling_matches_the_orbit(long_fig, long_timeline):
    """The 30-s points between the 60-s samples (cubic Hermite) lie on the propagated
    orbit to 1e-4 deg."""
    from cosmoplan import moon
    from cosmoplan.report.sample_return_plot import _fixed_at, _latlon, _selenographic, _tracks

    leg = long_timeline.legs[1]
    c = propagate(MODEL, leg.epochs[0], leg.states[0], 3000.0, centre="moon",
                  t_out=np.arange(15.0, 3000.0, 60.0))
    lat, lon = _selenographic(c.epochs, c.states[:, :3])
    _, tracks = _tracks(long_timeline)
    tr = tracks[1]
    la, lo = _latlon(_fixed_at(tr, tr.t[0] + np.asarray(c.epochs - leg.epochs[0], float)))
    assert np.max(np.abs(la - lat)) < 1e-4
    dlon = (lo - lon + 180.0) % 360.0 - 180.0
    assert np.max(np.abs(dlon)) < 1e-4
    # and the samples themselves are reproduced exactly
    m = moon.rotation_matrix(leg.epochs[7], "MOON_ME") @ leg.states[7, :3]
    la, lo = _latlon(_fixed_at(tr, tr.t[7]))
    assert la[0] == pytest.approx(math.degrees(math.atan2(m[2], math.hypot(m[0], m[1]))),
                                  abs=1e-9)


def test_ground_track_shows_descent_and_ascent(long_fig, long_timeline):
    from cosmoplan import moon
    from cosmoplan.constants import MOON_RADIUS_KM

    ax = long_fig.axes[2]
    cfg = long_timeline.config
    site = moon.selenographic_to_fixed(cfg.landing_lat, cfg.landing_lon, radius_km=1.0)

    def unit(lon, lat):
        return moon.selenographic_to_fixed(np.radians(lat), np.radians(lon), radius_km=1.0)

    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    powered = next(v for k, v in lines.items() if k.startswith("lander: powered descent"))
    assert f"({DOWNRANGE_KM:,.0f} km)" in powered.get_label()
    x, y = powered.get_xdata(), powered.get_ydata()
    # from the PDI point, DOWNRANGE_KM along the track before the site, to the site
    d0 = math.acos(unit(x[0], y[0]) @ site) * MOON_RADIUS_KM
    assert d0 == pytest.approx(DOWNRANGE_KM, abs=0.5)
    assert unit(x[-1], y[-1]) @ site == pytest.approx(1.0, abs=1e-12)
    assert any(k.startswith("lander: descent-orbit coast") for k in lines)
    # the ascent: a great circle from the site to the ascender's first ground point
    ascent = next(v for k, v in lines.items() if k.startswith("ascender: ascent"))
    tgt = long_timeline.rendezvous.target
    r = moon.rotation_matrix(tgt.epoch0, "MOON_ME") @ tgt.states[0, :3]
    x, y = ascent.get_xdata(), ascent.get_ydata()
    assert unit(x[0], y[0]) @ site == pytest.approx(1.0, abs=1e-12)
    assert unit(x[-1], y[-1]) @ (r / np.linalg.norm(r)) == pytest.approx(1.0, abs=1e-12)
    # labels: the burns in the windows (numbered as in (a)), the events at the site
    labels = _labels(ax)
    assert any("Landing" in t and "Ascent lift-off" in t for t in labels)
    for name in ("DOI", "Powered descent", "Ascent", "LOI-2"):
        assert any(name in t for t in labels), name
    # the zoom on the descent and ascent, right of the map, under the legend
    zoom = [a for a in ax.child_axes if "descent and ascent" in a.get_title()]
    assert len(zoom) == 1
    renderer = long_fig.canvas.get_renderer()
    assert zoom[0].get_window_extent(renderer).x0 > ax.get_window_extent(renderer).x1
    assert zoom[0].get_window_extent(renderer).y1 < \
        ax.get_legend().get_window_extent(renderer).y0


def test_curvilinear_unwraps_laps():
    from cosmoplan.report.sample_return_plot import _curvilinear

    theta = np.radians(np.linspace(-400.0, 0.0, 801))
    r = R_TARGET + 20.0 * np.cos(np.linspace(0, 9, 801))
    rho = np.c_[r * np.sin(theta), 0.01 * theta, R_TARGET - r * np.cos(theta)]
    th, dh = _curvilinear(rho, np.full(801, R_TARGET))
    assert np.allclose(th, theta, atol=1e-9)
    assert np.allclose(dh, np.hypot(r, 0.01 * theta) - R_TARGET, atol=1e-9)


def test_rendezvous_panel_curvilinear_with_cartesian_inset(fig, timeline):
    from cosmoplan.report.sample_return_plot import ZOOM_KM

    ax = fig.axes[3]
    rdv = timeline.rendezvous
    x, y, z = rdv.rho.T
    up = R_TARGET - z
    theta = np.arctan2(x, up)
    chaser = [ln for ln in ax.get_lines() if ln.get_label() == "chaser"][0]
    assert np.allclose(chaser.get_xdata(), R_TARGET * theta, atol=1e-9)
    assert np.allclose(chaser.get_ydata(), np.sqrt(x**2 + y**2 + up**2) - R_TARGET, atol=1e-9)
    assert not ax.yaxis_inverted()  # altitude difference, + up
    assert "along-track" in ax.get_xlabel() and "altitude difference" in ax.get_ylabel()
    assert "curvilinear" in ax.get_title()
    start = [ln.get_label() for ln in ax.get_lines() if ln.get_label().startswith("start")][0]
    assert f"{math.degrees(abs(theta[0])):.1f} deg" in start and "behind" in start
    # the top axis: the phase angle in degrees
    top = [a for a in ax.child_axes if "phase angle" in a.get_xlabel()]
    assert len(top) == 1
    # the inset: the last ZOOM_KM km in Cartesian LVLH, R-bar down
    inset = [a for a in ax.child_axes if a.title.get_text().startswith(f"last {ZOOM_KM:g} km")]
    assert len(inset) == 1 and inset[0].yaxis_inverted()
    rng = np.linalg.norm(rdv.rho, axis=1)
    first = int(np.flatnonzero(rng > ZOOM_KM)[-1])
    line = inset[0].get_lines()[0]
    assert np.allclose(line.get_xdata(), x[first:]) and np.allclose(line.get_ydata(), z[first:])
    assert {"B0", "B1", "B2", "B3"} <= {n for t in _labels(ax) + _labels(inset[0])
                                        for n in t.replace(" to ", ", ").split(", ")}


def test_inertial_panel_geocentric_and_rotating_frame(fig, timeline):
    from cosmoplan.ephemeris import default_ephemeris
    from cosmoplan.report.sample_return_plot import _to_rotating

    leg = timeline.legs[1]
    geo = change_centre(leg.states, leg.epochs, "moon", "earth")
    line = [ln for ln in fig.axes[0].get_lines()
            if ln.get_label() == "lunar parking orbit (moon-centred)"][0]
    assert np.allclose(line.get_xdata(), geo[:, 0]) and np.allclose(line.get_ydata(), geo[:, 1])
    # the Moon lies on +x of the rotating frame; its velocity has no z component
    ep = leg.epochs[:5]
    r, v = default_ephemeris().position("moon", "earth", ep, velocity=True)
    q = _to_rotating(ep, r)
    assert np.allclose(q[:, 1:], 0.0, atol=1e-6)
    assert np.allclose(q[:, 0], np.linalg.norm(r, axis=1))
    assert np.allclose(_to_rotating(ep, v)[:, 2], 0.0, atol=1e-12)


def test_plot_without_rendezvous_says_so(timeline):
    from dataclasses import replace

    from cosmoplan.report.sample_return_plot import plot_sample_return

    fig = plot_sample_return(replace(timeline, rendezvous=None, earth_return=None,
                                     events=[]))
    ax = fig.axes[3]
    assert "absent" in ax.get_title()
    assert any("no rendezvous plan" in t.get_text() for t in ax.texts)
    assert "(km)" in ax.get_xlabel()
    # no events: the title starts at the first leg (TLI)
    assert ": 2020-11-23 20:30 UTC to " in fig._suptitle.get_text()


def test_rendezvous_without_target_orbit_stays_cartesian(timeline):
    """No target arc nor state: no radius for curvilinear coordinates, LVLH throughout."""
    from dataclasses import replace

    from cosmoplan.report.sample_return_plot import plot_sample_return

    rdv = FakeRendezvous(timeline.rendezvous.common_epoch)
    del rdv.target
    fig = plot_sample_return(replace(timeline, rendezvous=rdv))
    ax = fig.axes[3]
    assert ax.yaxis_inverted() and "LVLH" in ax.get_title()
    chaser = [ln for ln in ax.get_lines() if ln.get_label() == "chaser"][0]
    assert np.allclose(chaser.get_xdata(), rdv.rho[:, 0])
    assert np.allclose(chaser.get_ydata(), rdv.rho[:, 2])


# ------------------------------------------------------------------------------ OEM
def test_leg_oems_read_back_states_and_epochs(timeline, tmp_path):
    paths = write_leg_oems(timeline, tmp_path / "oem")
    assert [p.name for p in paths] == ["01-trans-lunar-coast.oem", "02-lunar-parking-orbit.oem"]
    expect = {"earth": ("EARTH", "GCRF", 2), "moon": ("MOON", "ICRF", 1)}
    for path, leg in zip(paths, timeline.legs):
        oem = ccsds.read(path)
        assert isinstance(oem, ccsds.OEM)
        centre, frame, n_seg = expect[leg.centre]
        assert len(oem.segments) == n_seg  # a new segment at the MCC
        for seg in oem.segments:
            md = seg.metadata
            assert (md.center_name, md.ref_frame, md.time_system) == (centre, frame, "TDB")
            assert md.object_name == "Synthetic sample return"
        states = np.vstack([s.data.states for s in oem.segments])
        epochs = Epoch.concatenate([s.data.epochs for s in oem.segments])
        assert states.shape == leg.states.shape
        assert np.max(np.abs(states[:, :3] - leg.states[:, :3])) < 1e-6  # 1 mm
        assert np.max(np.abs(states[:, 3:] - leg.states[:, 3:])) < 1e-9
        assert np.max(np.abs(np.asarray(epochs - leg.epochs))) < 1e-8
        # the segments join at the burn: same epoch, different velocity
        if n_seg == 2:
            s1, s2 = oem.segments
            assert abs(float(s2.data.epochs[0] - s1.data.epochs[-1])) < 1e-8
            dv = s2.data.states[0, 3:] - s1.data.states[-1, 3:]
            assert np.linalg.norm(dv) == pytest.approx(0.005, rel=1e-9)
        # and a reader can interpolate them at the propagated epochs
        r, _ = oem.segments[-1].interpolate(oem.segments[-1].data.epochs[1:-1])
        assert np.allclose(r, oem.segments[-1].data.states[1:-1, :3], atol=1e-9)


def test_leg_oem_utc_and_resampling(timeline):
    leg = timeline.legs[1]
    oem = leg_oem(leg, time_system="UTC")
    seg = oem.segments[0]
    assert seg.metadata.time_system == "UTC"
    assert np.max(np.abs(np.asarray(seg.data.epochs - leg.epochs))) < 1e-8
    # resampling: fine where the samples are at least that dense (60 s here) ...
    coarse = leg_oem(leg, step_s=120.0).segments[0]
    assert len(coarse.data.states) == 61
    assert np.allclose(coarse.data.states, leg.states[::2], atol=1e-6)
    # ... refused where it would invent data between sparse samples
    with pytest.raises(InputError, match="sparse"):
        leg_oem(leg, step_s=30.0)
    with pytest.raises(InputError, match="time_system"):
        leg_oem(leg, time_system="GPS")
    assert leg_file_name(3, "  Lunar approach / LOI-1 ") == "03-lunar-approach-loi-1.oem"


def test_bad_leg_writes_nothing(timeline, tmp_path):
    from dataclasses import replace

    bad = MissionLeg("broken", "moon", timeline.legs[1].epochs,
                     np.where(np.arange(121)[:, None] == 60, np.nan, timeline.legs[1].states))
    with pytest.raises(InputError, match="finite"):
        write_leg_oems(replace(timeline, legs=[timeline.legs[0], bad]), tmp_path / "oem")
    assert not (tmp_path / "oem").exists() or not any((tmp_path / "oem").iterdir())
    with pytest.raises(InputError, match="centre"):
        write_leg_oems(replace(timeline, legs=[replace(bad, centre="sun")]), tmp_path / "oem")


def test_failing_write_leaves_no_partial_file(timeline, tmp_path, monkeypatch):
    import cosmoplan._io as io

    out = tmp_path / "oem"
    first = write_leg_oems(timeline, out)
    before = [p.read_bytes() for p in first]

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io.os, "fsync", broken_fsync)
    with pytest.raises(InputError, match="No space left"):
        write_leg_oems(timeline, out)
    # the old files are intact and no temporary file is left behind
    assert sorted(os.listdir(out)) == [p.name for p in first]
    assert [p.read_bytes() for p in first] == before
    fresh = tmp_path / "fresh"
    with pytest.raises(InputError):
        write_leg_oems(timeline, fresh)
    assert os.listdir(fresh) == []
