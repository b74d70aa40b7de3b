"""Trajectory outputs: frames, osculating elements over time, altitude, CCSDS OEM, plots."""

import numpy as np
import pytest

from cosmoplan import ccsds
from cosmoplan.constants import (
    EGM96_GM_KM3_S2,
    EGM96_J,
    EGM96_RADIUS_KM,
    WGS84_A_KM,
    WGS84_B_KM,
)
from cosmoplan.errors import InputError
from cosmoplan.frames import geodetic_to_itrf, transform
from cosmoplan.kepler import propagate_kepler
from cosmoplan.propagator import ForceModel, NumericalPropagator
from cosmoplan.states import keplerian_to_cartesian
from cosmoplan.time import Epoch
from cosmoplan.trajectory import Trajectory, TrajectoryElements

T0 = Epoch.from_iso("2021-06-17T00:00:00Z")
MU = EGM96_GM_KM3_S2


def _fly(force_model, a, e, inc_deg, duration_s, step_s, name="SAT"):
    r0, v0 = keplerian_to_cartesian(mu=MU, a=a, e=e, i=np.radians(inc_deg), raan=0.5,
                                    argp=0.3, nu=0.0)
    return NumericalPropagator(force_model).propagate(
        T0, r0, v0, duration_s=duration_s, step_s=step_s, name=name).trajectory


@pytest.fixture(scope="module")
def leo():
    """Two orbits of a 51.6 deg LEO with J2..J6 (GCRF, 30 s samples)."""
    return _fly(ForceModel(zonal_degree=6, atmosphere=None), 6778.0, 0.001, 51.6, 11200.0,
                30.0, name="LEO-1")


# ------------------------------------------------------------------------------- elements
def test_two_body_elements_are_constant():
    """Two-body (zonal_degree 0) eccentric orbit over two revolutions: a, e, i, RAAN, argp
    and the period hold to the integrator's accuracy; M advances at n = sqrt(mu/a^3)."""
    a0, e0 = 9000.0, 0.2
    traj = _fly(ForceModel(zonal_degree=0, atmosphere=None), a0, e0, 63.4, 2 * 8500.0, 30.0)
    el = traj.elements()
    assert isinstance(el, TrajectoryElements) and len(el) == len(traj)
    assert el.frame == "GCRF" and el.mu == MU
    for x in (el.a, el.e, el.i, el.raan, el.argp, el.nu, el.mean_anomaly, el.u, el.period):
        assert x.shape == (len(traj),)
    # (measured spreads: a 2e-7 km, e 8e-12, i and RAAN 1e-15, argp 2e-10 rad)
    assert np.ptp(el.a) < 1e-6 and abs(el.a[0] - a0) < 1e-6
    assert np.ptp(el.e) < 1e-10 and abs(el.e[0] - e0) < 1e-11
    assert np.ptp(el.i) < 1e-13 and abs(el.i[0] - np.radians(63.4)) < 1e-12
    assert np.ptp(el.raan) < 1e-13 and np.ptp(el.argp) < 1e-9
    assert np.allclose(el.period, 2 * np.pi * np.sqrt(a0**3 / MU), rtol=1e-9, atol=0)
    n = np.sqrt(MU / a0**3)
    drift = np.unwrap(el.mean_anomaly) - n * traj.seconds
    assert np.ptp(drift) < 1e-9
    assert np.allclose(el.u, np.mod(el.argp + el.nu, 2 * np.pi), atol=1e-12)
    # the elements give the states back (Vallado Algorithm 10)
    r, _ = keplerian_to_cartesian(el.keplerian, MU)
    assert np.max(np.abs(r - traj.r)) < 1e-8


@pytest.mark.parametrize("inc_deg", [51.6, 97.0])
def test_j2_nodal_regression_rate(inc_deg):
    """J2-only orbit over one day: the RAAN (about the true pole, CIRS) regresses at
    -1.5 n J2 (R/p)^2 cos i (Vallado 4th ed. eq. 9-41) within 1 % (measured 0.1 %)."""
    traj = _fly(ForceModel(zonal_degree=2, atmosphere=None), 7000.0, 0.001, inc_deg, 86400.0,
                60.0)
    el = traj.elements(frame="CIRS")
    assert el.frame == "CIRS"
    rate = np.polyfit(traj.seconds, np.unwrap(el.raan), 1)[0]
    a, e, i = el.a.mean(), el.e.mean(), el.i.mean()
    p = a * (1 - e * e)
    n = np.sqrt(MU / a**3)
    expected = -1.5 * n * EGM96_J[2] * (EGM96_RADIUS_KM / p) ** 2 * np.cos(i)
    assert rate == pytest.approx(expected, rel=0.01)
    # the inclination has no secular J2 drift (measured < 3e-4 deg/day; its short-period
    # wobble at 2u is 0.04 deg peak to peak at 51.6 deg)
    assert abs(np.degrees(np.polyfit(traj.seconds, el.i, 1)[0]) * 86400.0) < 2e-3
    assert np.degrees(np.ptp(el.i)) < 0.1


def test_elements_frames_and_mu(leo):
    itrf = leo.to_frame("ITRF")
    # elements of an Earth-fixed trajectory are taken in GCRF, never in ITRF
    el = itrf.elements()
    assert el.frame == "GCRF"
    assert np.allclose(el.a, leo.elements().a, rtol=0, atol=1e-9)
    with pytest.raises(InputError, match="inertial"):
        leo.elements(frame="ITRF")
    teme = leo.elements(frame="TEME")
    assert teme.frame == "TEME" and np.allclose(teme.a, el.a, atol=1e-9)
    assert abs(np.degrees(teme.i[0] - el.i[0])) < 0.5  # a different equator, slightly
    moon = Trajectory(T0 + np.array([0.0, 60.0]), leo.r[:2], leo.v[:2], frame="MOON_ME",
                      center="moon")
    with pytest.raises(InputError, match="give mu"):
        moon.elements()
    assert moon.elements(mu=4902.8).mu == 4902.8
    with pytest.raises(InputError):
        leo.elements(mu=-1.0)


# ------------------------------------------------------------------------------- frames
def test_to_frame_round_trip_and_itrf_velocity(leo):
    itrf = leo.to_frame("ITRF")
    back = itrf.to_frame("GCRF")
    assert itrf.frame == "ITRF" and back.frame == "GCRF" and back.name == "LEO-1"
    assert np.max(np.abs(back.r - leo.r)) < 1e-9
    assert np.max(np.abs(back.v - leo.v)) < 1e-12
    # same as frames.transform, velocities included
    r, v = transform(leo.r, leo.v, leo.epoch, "GCRF", "ITRF")
    assert np.array_equal(itrf.r, r) and np.array_equal(itrf.v, v)
    # the ITRF velocity is the time derivative of the ITRF position (Earth rotation term
    # included: omega x r is ~0.5 km/s here), checked by a 5-point central difference of
    # exact two-body states (measured 2e-8 km/s: the neglected precession-nutation rate)
    h = 1.0
    ts = np.array([-2 * h, -h, 0.0, h, 2 * h])
    r5, v5 = propagate_kepler(leo.r[10], leo.v[10], ts, MU)
    fi = Trajectory(leo.epoch[10] + ts, r5, v5, frame="GCRF").to_frame("ITRF")
    fd = (fi.r[0] - 8 * fi.r[1] + 8 * fi.r[3] - fi.r[4]) / (12 * h)
    assert np.linalg.norm(fd - fi.v[2]) < 1e-7
    for frame in ("EME2000", "TEME", "CIRS"):
        there = leo.to_frame(frame)
        assert there.frame == frame
        assert np.max(np.abs(there.to_frame("GCRF").r - leo.r)) < 1e-9


def test_altitude_km():
    eq = np.array([WGS84_A_KM + 400.0, 0.0, 0.0])
    pole = np.array([0.0, 0.0, WGS84_B_KM + 400.0])
    mid = geodetic_to_itrf(np.radians(45.0), np.radians(10.0), 250.0)
    traj = Trajectory(T0 + np.array([0.0, 1.0, 2.0]), np.vstack([eq, pole, mid]),
                      np.zeros((3, 3)), frame="ITRF")
    assert np.allclose(traj.altitude_km(), [400.0, 400.0, 250.0], atol=1e-9)
    assert np.array_equal(traj.altitude_km(), traj.altitude())


def test_altitude_of_a_leo(leo):
    h = leo.altitude_km()
    assert h.shape == (len(leo),)
    # 6778 km circular-ish orbit: 400 km above the equatorial radius, higher near the poles
    assert 370.0 < h.min() < h.max() < 435.0


# ---------------------------------------------------------------------------------- OEM
def test_oem_round_trip(leo, tmp_path):
    path = leo.to_oem(tmp_path / "leo.oem", object_id="2021-999A", comment="test ephemeris")
    assert path == tmp_path / "leo.oem" and path.is_file()
    oem = ccsds.read(path)
    assert isinstance(oem, ccsds.OEM) and len(oem.segments) == 1
    seg = oem.segments[0]
    md = seg.metadata
    assert (md.object_name, md.object_id, md.ref_frame, md.center_name, md.time_system) == \
        ("LEO-1", "2021-999A", "GCRF", "EARTH", "UTC")
    assert seg.data.states.shape == (len(leo), 6)
    assert np.array_equal(seg.data.states[:, :3], leo.r)  # shortest round-trip decimals
    assert np.array_equal(seg.data.states[:, 3:], leo.v)
    assert np.max(np.abs(np.asarray(seg.data.epochs - leo.epoch, float))) < 1e-6
    assert "test ephemeris" in path.read_text()
    # between its 30 s samples the OEM (Hermite, degree 5) reproduces the orbit flown at
    # 15 s to < 1 mm (measured 6e-9 km)
    fine = _fly(ForceModel(zonal_degree=6, atmosphere=None), 6778.0, 0.001, 51.6, 11200.0,
                15.0)
    mid = fine[1:-2:2]
    r_oem, _ = oem.interpolate(mid.epoch)
    assert np.max(np.abs(r_oem - mid.r)) < 1e-6


def test_oem_in_another_frame_and_in_memory(leo):
    msg = leo.to_oem(frame="ITRF", object_name="OTHER")
    assert isinstance(msg, ccsds.OEM)
    seg = msg.segments[0]
    assert seg.metadata.ref_frame == "ITRF" and seg.metadata.object_name == "OTHER"
    assert np.array_equal(seg.data.states[:, :3], leo.to_frame("ITRF").r)
    again = ccsds.loads(msg.to_kvn())
    assert np.array_equal(again.segments[0].data.states, seg.data.states)
    with pytest.raises(InputError):
        leo[:1].to_oem()  # one state is not an OEM segment


# -------------------------------------------------------------------------------- plots
@pytest.mark.parametrize("kind", ["altitude", "elements"])
def test_plots_are_written(leo, tmp_path, kind):
    import matplotlib.image as mpimg

    path = tmp_path / "out" / f"{kind}.png"
    assert leo.plot(path, kind=kind) == path
    assert path.stat().st_size > 15_000
    img = mpimg.imread(path)
    assert img.shape[0] > 400 and img.shape[1] > 1000
    assert float(np.std(img[..., :3])) > 0.05  # not a blank canvas
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_plot_figures_show_the_data_in_degrees(leo):
    import matplotlib.pyplot as plt

    fig = leo.plot(kind="elements")
    try:
        axes = fig.axes
        assert len(axes) == 6
        el = leo.elements()
        y_a = axes[0].lines[0].get_ydata()
        y_i = axes[2].lines[0].get_ydata()
        assert np.allclose(y_a, el.a) and np.allclose(y_i, np.degrees(el.i))
        assert "deg" in axes[2].get_ylabel()
    finally:
        plt.close(fig)
    fig = leo.plot()
    try:
        assert np.allclose(fig.axes[0].lines[0].get_ydata(), leo.altitude_km())
    finally:
        plt.close(fig)
    with pytest.raises(InputError, match="unknown plot kind"):
        leo.plot(kind="groundtrack")
