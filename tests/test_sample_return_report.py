"""Sample-return overview plot and per-leg OEM export, on a small synthetic timeline.

The timeline is built here (two short arcs in a point-mass Earth-Moon-Sun model, a fake
rendezvous plan and a fake Earth-return plan), not planned: the full plan takes ~30 s and
its sub-plans are other modules' business.
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


class FakeRendezvous:
    """What the plot needs of a LunarRendezvousPlan: relative_lvlh, docking_epoch, burns."""

    def __init__(self, epoch):
        self.common_epoch = epoch
        self.t = np.linspace(0.0, 4 * 3600.0, 2000)
        u = self.t / self.t[-1]
        x = -60.0 * (1.0 - u) ** 2 - 0.002
        z = 4.0 * np.sin(3 * math.pi * u) * (1.0 - u)
        y = 0.1 * np.sin(2 * math.pi * u) * (1.0 - u)
        self.rho = np.c_[x, y, z]
        self.docking_epoch = epoch + float(self.t[-1])
        self.burns = [NS(name=f"B{k}", epoch=epoch + float(s))
                      for k, s in enumerate((0.0, 3600.0, 7200.0, 12000.0))]

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
    return MissionTimeline(cfg, burns, [earth_leg, moon_leg], [],
                           rendezvous=FakeRendezvous(ep1 + 600.0),
                           earth_return=NS(tei_coast=d, entry=NS(epoch=d.epoch_final)))


# ------------------------------------------------------------------------------ plot
def test_plot_has_four_labelled_panels_and_saves_png(timeline, tmp_path):
    from cosmoplan.report.sample_return_plot import plot_sample_return

    fig = plot_sample_return(timeline)
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
    assert fig.axes[3].yaxis_inverted()  # R-bar points down
    assert len(fig.axes[3].child_axes) == 1  # the last-5-km inset
    out = tmp_path / "plots" / "sample_return.png"
    assert plot_sample_return(timeline, out) is not None
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 50_000
    assert sorted(p.name for p in out.parent.iterdir()) == ["sample_return.png"]


def test_ground_track_wraps_and_breaks(timeline):
    from cosmoplan import moon
    from cosmoplan.report.sample_return_plot import plot_sample_return

    fig = plot_sample_return(timeline)
    ax = fig.axes[2]
    track = [ln for ln in ax.get_lines() if ln.get_label() == "lunar parking orbit"][0]
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


def test_inertial_panel_geocentric_and_rotating_frame(timeline):
    from cosmoplan.ephemeris import default_ephemeris
    from cosmoplan.report.sample_return_plot import _to_rotating, plot_sample_return

    fig = plot_sample_return(timeline)
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

    fig = plot_sample_return(replace(timeline, rendezvous=None, earth_return=None))
    ax = fig.axes[3]
    assert "absent" in ax.get_title()
    assert any("no rendezvous plan" in t.get_text() for t in ax.texts)
    assert "(km)" in ax.get_xlabel()


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
