"""Numerical propagator (cosmoplan.propagator) against Orekit and physical invariants."""

import json
from pathlib import Path

import numpy as np
import pytest

from cosmoplan.errors import InputError, PropagationError
from cosmoplan.forces.atmosphere import exponential_density, harris_priester_density
from cosmoplan.forces.gravity import zonal_acceleration
from cosmoplan.propagator import ForceModel, ImpulsiveManeuver, NumericalPropagator, Spacecraft
from cosmoplan.time import Epoch

FIXTURE = Path(__file__).parent / "fixtures" / "orekit_propagation.json"
MU = 398600.4415


@pytest.fixture(scope="module")
def orekit():
    return json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("case,atmosphere,tol_m", [
    # Same EGM96 J2..J6, ITRF with EOP: 0.12 m after 24 h (we hold precession-nutation and
    # polar motion at their start values over the arc).
    ("zonal", None, 0.3),
    # + modified Harris-Priester drag (n = 2): 0.5 m after 24 h; the rest is the atmosphere's
    # Sun (DE421 hourly vs DE440) and the height computation.
    ("zonal_hp", "harris-priester", 1.5),
])
def test_against_orekit(orekit, case, atmosphere, tol_m):
    """Fixture from tools/oracle_propagation.py (Orekit 13.1, DP853, 0.1 mm tolerance)."""
    states = orekit["cases"][case]
    t0 = Epoch.from_iso(orekit["epoch_utc"])
    ts = np.array([s["t_s"] for s in states])
    ref_r = np.array([s["r_km"] for s in states])
    ref_v = np.array([s["v_km_s"] for s in states])
    sc = orekit["spacecraft"]
    prop = NumericalPropagator(ForceModel(zonal_degree=6, atmosphere=atmosphere,
                                          harris_priester_n=orekit["harris_priester_n"]))
    traj = prop.propagate(t0, ref_r[0], ref_v[0], epochs=t0 + ts,
                          spacecraft=Spacecraft("sc", sc["mass_kg"], sc["area_m2"], sc["cd"]))
    err = np.linalg.norm(traj.trajectory.r - ref_r, axis=1) * 1e3
    assert err[6] < 0.05  # 6 h: a few centimetres
    assert err.max() < tol_m
    assert np.linalg.norm(traj.trajectory.v[-1] - ref_v[-1]) * 1e3 < tol_m * 1e-3 * 2


def test_two_body_conserves_energy_and_momentum():
    prop = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None))
    r0, v0 = np.array([7000.0, 0.0, 0.0]), np.array([0.0, 7.0, 3.0])
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    traj = prop.propagate(t0, r0, v0, duration_s=86400.0, step_s=600.0).trajectory
    r = np.linalg.norm(traj.r, axis=1)
    energy = 0.5 * np.einsum("ij,ij->i", traj.v, traj.v) - MU / r
    h = np.cross(traj.r, traj.v)
    assert np.max(np.abs(energy / energy[0] - 1)) < 1e-11
    assert np.max(np.linalg.norm(h - h[0], axis=1)) / np.linalg.norm(h[0]) < 1e-11


def test_tolerance_convergence():
    """Default tolerances: global error < 1 cm over a day with drag (vs rtol 1e-13)."""
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    rv0 = np.array([6778.0, 0.0, 0.0, 0.0, 5.75, 5.08])
    sc = Spacecraft("sc", 1000.0, 10.0, 2.2)
    fm = ForceModel()
    a = NumericalPropagator(fm).propagate_states(t0, rv0, t0 + 86400.0, spacecraft=sc)
    b = NumericalPropagator(fm, rtol=1e-13, atol_km=1e-10).propagate_states(
        t0, rv0, t0 + 86400.0, spacecraft=sc)
    assert np.linalg.norm(a[:3] - b[:3]) < 1e-5


def test_batch_equals_single_and_backward_is_inverse():
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    prop = NumericalPropagator(ForceModel(atmosphere="exponential"))
    rv = np.array([[6778.0, 0.0, 0.0, 0.0, 5.75, 5.08], [6900.0, 100.0, 0.0, 0.0, 6.0, 4.9]])
    sc = [Spacecraft("a", 1000, 10, 2.2), Spacecraft("b", 500, 2, 2.2)]
    both = prop.propagate_states(t0, rv, t0 + 7200.0, spacecraft=sc)
    one = prop.propagate_states(t0, rv[1], t0 + 7200.0, spacecraft=sc[1])
    assert np.allclose(both[1], one, atol=1e-7)
    back = NumericalPropagator(ForceModel(atmosphere=None)).propagate_states(
        t0 + 7200.0, NumericalPropagator(ForceModel(atmosphere=None)).propagate_states(
            t0, rv[0], t0 + 7200.0), t0)
    # forward then back: integration error (and the start-of-arc Earth orientation, taken
    # at each arc's own epoch) leave a few millimetres
    assert np.linalg.norm(back[:3] - rv[0, :3]) < 1e-5


def test_impulsive_burn_matches_vis_viva():
    """A 10 m/s prograde burn on a circular two-body orbit raises the opposite apsis as
    vis-viva predicts (Vallado 2013 eq. 1-31)."""
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    r = 6778.0
    v = np.sqrt(MU / r)
    prop = NumericalPropagator(ForceModel(zonal_degree=0, atmosphere=None))
    burn = ImpulsiveManeuver(t0 + 100.0, (0.010, 0.0, 0.0), "LVLH", "prograde")
    res = prop.propagate(t0, [r, 0, 0], [0, v, 0], duration_s=100.0 + 3000.0, step_s=10.0,
                         maneuvers=[burn])
    a = 1.0 / (2.0 / r - (v + 0.010) ** 2 / MU)
    r_apo = 2 * a - r
    assert np.max(np.linalg.norm(res.trajectory.r, axis=1)) == pytest.approx(r_apo, abs=0.05)
    assert len(res.arcs) == 2
    v_burn = res.arcs[0].v[-1]
    assert np.linalg.norm(res.dv_gcrf[0]) == pytest.approx(0.010, abs=1e-12)
    assert np.dot(res.dv_gcrf[0], v_burn) / np.linalg.norm(v_burn) == pytest.approx(0.010, abs=1e-9)


def test_zonal_j2_closed_form():
    """J2 term against the written-out formula (Vallado 2013 eq. 8-30)."""
    j = np.zeros(7)
    j[2] = 1.08262668e-3
    r = np.array([5000.0, 3000.0, 4000.0])
    a = zonal_acceleration(r, MU, 6378.1363, j, 2)
    rn = np.linalg.norm(r)
    k = -1.5 * j[2] * MU * 6378.1363**2 / rn**5
    z2 = (r[2] / rn) ** 2
    expect = -MU * r / rn**3 + k * np.array([r[0] * (1 - 5 * z2), r[1] * (1 - 5 * z2),
                                             r[2] * (3 - 5 * z2)])
    assert np.allclose(a, expect, rtol=1e-13)


def test_densities():
    """Vallado Table 8-4 at a band base; Harris-Priester (M&G Table 3.8) min/max bounds."""
    assert exponential_density(400.0) == pytest.approx(3.725e-12)
    assert exponential_density(1200.0) == 0.0
    up = np.array([1.0, 0.0, 0.0])
    lo = harris_priester_density(400.0, up, -up)  # antipodal to the bulge: rho_min
    hi = harris_priester_density(400.0, up, [np.cos(-np.radians(30)), np.sin(-np.radians(30)), 0])
    assert lo == pytest.approx(2.249e-12, rel=1e-9)
    assert hi == pytest.approx(7.492e-12, rel=1e-9)


def test_reentry_is_an_error():
    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    prop = NumericalPropagator(ForceModel(zonal_degree=2, atmosphere=None))
    with pytest.raises(PropagationError, match="re-entered"):
        prop.propagate_states(t0, [6500.0, 0, 0, 0, 6.0, 0], t0 + 3000.0)


@pytest.mark.parametrize("make,field", [
    (lambda: Spacecraft("x", mass_kg=0.0), "mass_kg"),
    (lambda: Spacecraft("x", drag_area_m2=-1.0), "drag_area_m2"),
    (lambda: ForceModel(zonal_degree=9), "zonal_degree"),
    (lambda: ForceModel(atmosphere="msis"), "atmosphere"),
    (lambda: ImpulsiveManeuver(Epoch.from_iso("2021-01-01"), (1.0, float("nan"), 0.0)), "dv"),
])
def test_bad_settings(make, field):
    with pytest.raises(InputError) as exc:
        make()
    assert exc.value.field == field


@pytest.mark.parametrize("kwargs,field", [
    (dict(r0=[float("nan"), 0, 7000.0]), "state"),
    (dict(r0=[0.0, 0.0, 0.0]), "state"),
    (dict(r0=[3000.0, 0.0, 0.0]), "state"),
    (dict(step_s=0.0), "step_s"),
    (dict(step_s=float("nan")), "step_s"),
    (dict(duration_s=float("inf")), "duration_s"),
    (dict(epoch0="2021-06-17"), "epoch"),
    (dict(maneuvers=["burn"]), "maneuvers"),
    (dict(spacecraft="ISS"), "spacecraft"),
])
def test_propagate_checks_its_inputs(kwargs, field):
    args = dict(epoch0=Epoch.from_iso("2021-06-17T00:00:00Z"), r0=[6778.0, 0, 0],
                v0=[0, 7.67, 0], duration_s=600.0)
    args.update(kwargs)
    prop = NumericalPropagator(ForceModel(atmosphere=None))
    with pytest.raises(InputError) as exc:
        prop.propagate(args.pop("epoch0"), args.pop("r0"), args.pop("v0"), **args)
    assert exc.value.field == field


def test_force_model_parameters_checked():
    with pytest.raises(InputError, match="harris_priester_n"):
        ForceModel(harris_priester_n=float("nan"))
    with pytest.raises(InputError, match="mu"):
        ForceModel(mu=float("nan"))


def test_oem_values_are_one_line():
    """Names with line breaks cannot inject KVN keywords into an OEM."""
    from cosmoplan.ccsds import OEMSegment, format_oem
    from cosmoplan.trajectory import Trajectory

    t0 = Epoch.from_iso("2021-06-17T00:00:00Z")
    traj = Trajectory(t0 + np.array([0.0, 60.0]), [[7000.0, 0, 0], [6999.0, 400.0, 0]],
                      [[0, 7.5, 0], [-0.4, 7.5, 0]], frame="GCRF")
    text = format_oem([OEMSegment(traj, "SZ\nMETA_STOP\nDATA = 1", "", comment="a\nb")])
    lines = text.splitlines()
    assert lines.count("META_STOP") == 1 and not any(ln.startswith("DATA") for ln in lines)
    assert "OBJECT_NAME = SZ META_STOP DATA = 1" in lines and "OBJECT_ID = UNKNOWN" in lines
