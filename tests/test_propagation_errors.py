"""Bad and odd input to the high-fidelity propagation features: a clear cosmoplan error
naming the field and the value (or a clean result), never a traceback from deep inside, a
silent NaN or a hang (regressions of an adversarial review)."""

import math
import warnings

import numba
import numpy as np
import pytest

import cosmoplan.propagator as propagator
from cosmoplan.errors import InputError, PropagationError
from cosmoplan.forces.gravity_field import (
    GravityField,
    acceleration,
    default_field,
    load_gfc,
)
from cosmoplan.forces.nrlmsise import DensityProvider, SpaceWeather, _iso_day, density
from cosmoplan.integrators import dop853_solve, rk4_solve, verner98_solve
from cosmoplan.propagator import (
    Event,
    ForceModel,
    ImpulsiveManeuver,
    NumericalPropagator,
    Spacecraft,
    altitude_event,
    latitude_event,
    node_event,
    station_event,
)
from cosmoplan.time import Epoch

T0 = Epoch.from_iso("2021-06-17T00:00:00Z")
R0 = np.array([6778.0, 0.0, 0.0])
V0 = np.array([0.0, 4.8, 5.9])
RV0 = np.r_[R0, V0]
J2 = ForceModel(zonal_degree=2, atmosphere=None)


def _raises(exc_type, fn, *says):
    with pytest.raises(exc_type) as info:
        fn()
    for text in says:
        assert text in str(info.value), (text, str(info.value))
    return info.value


# ------------------------------------------------------------------ ForceModel, Spacecraft
def test_force_model_rejects_odd_settings():
    assert ForceModel(third_bodies=None).third_bodies == ()
    assert ForceModel(third_bodies=["Sun", "MOON"]).third_bodies == ("sun", "moon")
    e = _raises(InputError, lambda: ForceModel(third_bodies="sun"), "sequence of names",
                "'sun'")
    assert e.field == "third_bodies"
    _raises(InputError, lambda: ForceModel(third_bodies=5), "sequence of names")
    e = _raises(InputError, lambda: ForceModel(gravity_order=5), "needs gravity_degree > 0")
    assert (e.field, e.value) == ("gravity_order", 5)
    _raises(InputError, lambda: ForceModel(zonal_degree="6"), "zonal_degree", "'6'")
    _raises(InputError, lambda: ForceModel(zonal_degree=True), "zonal_degree", "True")
    e = _raises(InputError, lambda: ForceModel(storm_ap="yes"), "storm_ap", "'yes'")
    assert e.field == "storm_ap"
    e = _raises(InputError, lambda: ForceModel(atmosphere="nrlmsise00",
                                               space_weather="sw.csv"),
                "SpaceWeather.from_csv", "'sw.csv'")
    assert e.field == "space_weather"
    _raises(InputError, lambda: ForceModel(atmosphere="msis"), "'msis'", "'nrlmsise00'")
    assert ForceModel(atmosphere="NRLMSISE00").atmosphere == "nrlmsise00"


def test_gravity_order_beyond_what_the_field_holds():
    f84 = default_field().truncated(8, 4)
    e = _raises(InputError, lambda: ForceModel(gravity_degree=8, gravity_order=6,
                                               gravity_field=f84),
                "gravity_order 6 is more than EGM96 holds (4)")
    assert e.field == "gravity_order"
    fm = ForceModel(gravity_degree=8, gravity_field=f84)  # default order: what it holds
    assert (fm.gravity_order, fm.describe().split(",")[0]) == (4, "EGM96 8x4")
    _raises(InputError, lambda: ForceModel(gravity_degree=20,
                                           gravity_field=default_field().truncated(8)),
            "gravity_degree 20 is more than EGM96 holds (8)")


@pytest.mark.parametrize("value", ["1000", None, True, [1.0]])
def test_spacecraft_numbers_must_be_numbers(value):
    e = _raises(InputError, lambda: Spacecraft(mass_kg=value), "mass_kg must be a number",
                repr(value))
    assert e.field == "mass_kg"


def test_propagator_arguments():
    _raises(InputError, lambda: NumericalPropagator("egm96"), "ForceModel", "'egm96'")
    e = _raises(InputError, lambda: NumericalPropagator(rtol="1e-9"), "rtol must be a number")
    assert e.field == "rtol"
    _raises(InputError, lambda: NumericalPropagator(atol_km=None), "atol_km must be a number")


# ------------------------------------------------------------------ gravity field
def _write_gfc(path, nmax, norm, value):
    lines = [f"product_type gravity_field\nmodelname odd\nearth_gravity_constant "
             f"3.986004415E+14\nradius 6378136.3\nmax_degree {nmax}\nnorm {norm}\nend_of_head\n"]
    for n in range(nmax + 1):
        for m in range(n + 1):
            lines.append(f"gfc {n} {m} {value(n, m):.16e} 0.0\n")
    path.write_text("".join(lines))
    return path


def test_unnormalised_file_of_high_degree_does_not_overflow(tmp_path):
    path = _write_gfc(tmp_path / "un.gfc", 160, "unnormalized",
                      lambda n, m: 1.0 if n == 0 else (1e-300 if n == m == 160 else 0.0))
    fld = load_gfc(path)
    log_f = -0.5 * (math.log(2.0) + math.log(321) - math.lgamma(321))
    assert fld.c[160, 160] == pytest.approx(math.exp(math.log(1e-300) + log_f), rel=1e-12)
    assert np.all(np.isfinite(fld.c))
    path = _write_gfc(tmp_path / "big.gfc", 160, "unnormalized",
                      lambda n, m: 1.0 if n == 0 else (1e-3 if n == m == 160 else 0.0))
    e = _raises(InputError, lambda: load_gfc(path), "(160, 160) overflows", "unnormalized")
    assert e.source == str(path) and e.line == 6


def test_gravity_field_inputs():
    for bad in (None, 5):
        _raises(InputError, lambda bad=bad: load_gfc(bad), "path must be a file name")
    c = np.eye(3)
    c[2, 1] = np.nan
    e = _raises(InputError, lambda: GravityField(mu=398600.4, radius_km=6378.0, c=c,
                                                 s=np.zeros((3, 3)), max_degree=2),
                "coefficients must be finite", "(2, 1)")
    assert e.value == (2, 1)
    _raises(InputError, lambda: GravityField(mu=-1.0, radius_km=6378.0, c=np.eye(3),
                                             s=np.zeros((3, 3)), max_degree=2),
            "mu must be a positive number, got -1.0")
    _raises(InputError, lambda: acceleration([0.0, 0.0, 0.0], degree=4), "not the origin")
    _raises(InputError, lambda: acceleration([[7000.0, 0, 0], [np.nan, 0, 0]], degree=4),
            "must be finite", "nan")
    _raises(InputError, lambda: acceleration(["a", "b", "c"], degree=4), "positions in km")
    _raises(InputError, lambda: acceleration([7000.0, 0, 0], field="EGM96", degree=4),
            "field must be a GravityField")


# ------------------------------------------------------------------ integrators
@numba.njit
def _osc(t, y, k):
    return np.array([y[1], -k * y[0]])


@numba.njit
def _blow_up(t, y, k):
    return np.array([y[0] * y[0], 0.0])


@numba.njit
def _nan_after_1(t, y, k):
    return np.array([y[1], np.nan if t > 1.0 else -k * y[0]])


@numba.njit
def _huge(t, y, k):
    return np.array([1e300, 1e300])


@numba.njit
def _g_nan(t, y, k):
    return np.nan


@numba.njit
def _g_y0(t, y, k):
    return y[0]


Y0 = np.array([1.0, 0.0])


@pytest.mark.parametrize("solve", [dop853_solve, verner98_solve])
def test_integrator_failures_are_clean(solve):
    e = _raises(InputError, lambda: solve(_osc, (), 0.0, Y0, 1.0), "cannot be called",
                "args = ()")
    assert e.field == "args"
    _raises(InputError, lambda: solve(_osc, ("a",), 0.0, Y0, 1.0), "cannot be called",
            "('a',)")
    # derivatives so large that SciPy's initial step is 0: step size underflow, at once
    res = solve(_huge, (1.0,), 0.0, Y0, 10.0)
    assert (res.status, res.t_final, res.n_rhs) == (3, 0.0, res.n_rhs) and res.n_rhs < 100
    # a NaN derivative on the way: step size underflow, not max_steps after 1e7 rhs
    res = solve(_nan_after_1, (1.0,), 0.0, Y0, 10.0)
    assert res.status == 3 and 0.99 <= res.t_final < 1.1 and res.n_rhs < 10_000
    assert np.all(np.isfinite(res.y_final))
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, t_out=["a"]), "t_out",
            "'a'")
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, max_steps=None),
            "max_steps must be a positive integer, got None")
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, h0="x"), "h0 = 'x'")
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, event=_g_nan,
                                      event_args=(1.0,)), "event(t0, y0, *event_args)",
            "not finite")
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, event=_g_nan,
                                      event_args=()), "cannot be called", "event_args")
    _raises(InputError, lambda: solve(_osc, (1.0,), 0.0, Y0, 1.0, event=_g_y0,
                                      event_args=(1.0,), event_direction="up"),
            "event_direction")


def test_integrator_rhs_not_finite_at_start():
    e = _raises(InputError, lambda: dop853_solve(_nan_after_1, (1.0,), 2.0, Y0, 3.0),
                "rhs(t0, y0, *args) is not finite")
    assert e.field == "rhs"


def test_rk4_overflow_and_absurd_steps():
    res = rk4_solve(_blow_up, (1.0,), 0.0, Y0, 10.0, 0.1)
    assert res.status == 4 and res.t_final < 10.0 and np.all(np.isfinite(res.y_final))
    assert np.isnan(rk4_solve(_blow_up, (1.0,), 0.0, Y0, 10.0, 0.1, t_out=[9.0]).y_out).all()
    _raises(InputError, lambda: rk4_solve(_osc, (1.0,), 0.0, Y0, 10.0, 1e-300), "RK4 steps")
    _raises(InputError, lambda: rk4_solve(_osc, (1.0,), 0.0, Y0, 1e300, 1.0), "RK4 steps")


# ------------------------------------------------------------------ propagate and events
def test_propagate_arguments():
    prop = NumericalPropagator(J2)
    _raises(InputError, lambda: prop.propagate(T0, R0, V0, duration_s="60"), "duration_s")
    _raises(InputError, lambda: prop.propagate(T0, R0, V0, epochs=T0 + np.array([[0.0, 60]])),
            "1-D cosmoplan Epoch")
    assert len(prop.propagate(T0, R0, V0, duration_s=60, events=None).events) == 0
    res = prop.propagate(T0, R0, V0, duration_s=3000, events=node_event(), maneuvers=None)
    assert [e.name for e in res.events] == ["node"]
    _raises(InputError, lambda: prop.propagate(T0, R0, V0, duration_s=60, events=5),
            "sequence of Event")


@pytest.mark.parametrize("g, err, says", [
    (lambda t, r, v, f: float("nan"), InputError, "returned nan at t_s = 0"),
    (lambda t, r, v, f: 1.0 if t < 100.0 else float("nan"), InputError, "returned nan"),
    (lambda t, r, v, f: "1.0", InputError, "must return a number"),
    (lambda t, r, v, f: None, InputError, "got None"),
    (lambda t, r, v, f: r, InputError, "got array("),
    (lambda t, r: 1.0, PropagationError, "raised TypeError at t_s = 0"),
    (lambda t, r, v, f: 1.0 / 0.0, PropagationError, "raised ZeroDivisionError"),
])
def test_bad_event_functions_are_named(g, err, says):
    prop = NumericalPropagator(J2)
    e = _raises(err, lambda: prop.propagate(T0, R0, V0, duration_s=600,
                                            events=[Event("my event", g)]), "'my event'", says)
    if err is PropagationError:
        assert e.__cause__ is not None  # the user's own exception, chained


def test_event_that_stays_at_zero_does_not_hang():
    prop = NumericalPropagator(J2)
    _raises(InputError, lambda: prop.propagate(T0, R0, V0, duration_s=86400,
                                               events=[Event("flat", lambda t, r, v, f: 0.0)]),
            "'flat'", "stays at 0", "must change sign")


def test_event_occurrences_are_not_lost():
    prop = NumericalPropagator(J2)
    # within 10 ms of the start: recorded, and the stop ends the trajectory there
    res = prop.propagate(T0, R0, V0, duration_s=600,
                         events=[Event("early", lambda t, r, v, f: t - 5e-3, 0, "stop")])
    assert res.stopped is not None and res.stopped.name == "early"
    assert float(res.trajectory.epoch[-1] - T0) == pytest.approx(5e-3, abs=1e-6)
    # simultaneous occurrences: both recorded (SciPy reports only the first)
    res = prop.propagate(T0, R0, V0, duration_s=600,
                         events=[Event("a", lambda t, r, v, f: t - 100.0),
                                 Event("b", lambda t, r, v, f: t - 100.0, 1),
                                 Event("not b", lambda t, r, v, f: t - 100.0, -1)])
    assert [e.name for e in res.events] == ["a", "b"]
    # a stop exactly at the last output epoch: no duplicate sample, reported as stopped
    res = prop.propagate(T0, R0, V0, duration_s=600,
                         events=[Event("end", lambda t, r, v, f: t - 600.0, 0, "stop")])
    assert len(res.trajectory) == 11 and res.stopped.name == "end"


def test_event_constructors():
    _raises(InputError, lambda: Event(None, lambda t, r, v, f: 1.0), "name must be a string")
    _raises(InputError, lambda: Event("x", lambda t, r, v, f: 1.0, 0, np.array(["stop"])),
            "action must be")
    _raises(InputError, lambda: Event("x", lambda t, r, v, f: 1.0, np.array([1, 0])),
            "direction must be")
    _raises(InputError, lambda: altitude_event("abc"), "altitude_km", "'abc'")
    _raises(InputError, lambda: altitude_event(float("nan")), "altitude_km", "nan")
    _raises(InputError, lambda: latitude_event(100), "latitude_deg", "-90..90", "100")
    _raises(InputError, lambda: station_event("Kashi", 100.0), "min_elevation_deg", "100")
    _raises(InputError, lambda: station_event("Kashi", "5"), "min_elevation_deg", "'5'")
    _raises(InputError, lambda: station_event("Atlantis"), "unknown station 'Atlantis'")


def test_propagate_states_and_batch_shapes():
    prop = NumericalPropagator(J2)
    t1 = T0 + 600.0
    _raises(InputError, lambda: prop.propagate_states(T0, np.zeros(7), t1), "(6,) or (N, 6)")
    _raises(InputError, lambda: prop.propagate_states(T0, np.r_[RV0, RV0], t1), "(12,)")
    burn = ImpulsiveManeuver(T0 + 60.0, (0.001, 0.0, 0.0))
    _raises(InputError, lambda: prop.propagate_states(T0, np.tile(RV0, (2, 1)), t1,
                                                      maneuvers=[[burn]]),
            "1 maneuver lists given for 2 states")
    _raises(InputError, lambda: prop.propagate_states(T0, RV0, t1, maneuvers=[["x"]]),
            "ImpulsiveManeuver", "'x'")
    _raises(InputError, lambda: prop.propagate_batch(T0, [["a"] * 6], T0 + np.array([0.0])),
            "6 numbers")
    e = _raises(InputError, lambda: prop.propagate_batch(T0, RV0[None],
                                                         T0 + np.array([-60.0, 60.0])),
                "run away from epoch0")
    assert e.field == "epochs"
    out = prop.propagate_batch(T0, RV0[None], T0 - np.array([60.0, 120.0])).states
    assert out.shape == (1, 2, 6) and np.all(np.isfinite(out))


def test_enormous_area_to_mass_fails_cleanly():
    prop = NumericalPropagator(ForceModel(zonal_degree=2, atmosphere=None, srp=True,
                                          third_bodies=("sun",)))
    _raises(PropagationError, lambda: prop.propagate(
        T0, R0, V0, duration_s=600, spacecraft=Spacecraft(srp_area_m2=10, mass_kg=1e-300)),
        "not finite")
    drag = NumericalPropagator(ForceModel(zonal_degree=2))
    _raises(PropagationError, lambda: drag.propagate(
        T0, R0, V0, duration_s=600, spacecraft=Spacecraft(drag_area_m2=10, mass_kg=1e-300)),
        "step size underflow", "area-to-mass")


def test_scipy_path_stall_and_budget(monkeypatch):
    """The SciPy path (user events, NRLMSISE-00) stops a crawling run (a re-entering vehicle
    in NRLMSISE-00 took hours) and one that spends the compiled integrators' step budget;
    the thresholds are shrunk here to keep the test short."""
    prop = NumericalPropagator(J2, integrator="scipy")
    monkeypatch.setattr(propagator, "STALL_EVALUATIONS", 200)
    monkeypatch.setattr(propagator, "STALL_MIN_SPAN_S", 1e6)
    _raises(PropagationError, lambda: prop.propagate(T0, R0, V0, duration_s=86400),
            "integration stalled: 200 force evaluations", "lowest altitude")
    monkeypatch.setattr(propagator, "STALL_MIN_SPAN_S", 1.0)
    monkeypatch.setattr(propagator, "SCIPY_MAX_EVALUATIONS", 400)
    _raises(PropagationError, lambda: prop.propagate(T0, R0, V0, duration_s=86400),
            "more than 400 force evaluations")


# ------------------------------------------------------------------ NRLMSISE-00 inputs
def test_space_weather_and_density_inputs(tmp_path):
    _raises(InputError, lambda: SpaceWeather.from_csv(None), "path must be a file name")
    binary = tmp_path / "sw.bin"
    binary.write_bytes(b"DATE,\xff\xfe\x00\x81\n")
    e = _raises(InputError, lambda: SpaceWeather.from_csv(binary), "not UTF-8 text")
    assert e.source == str(binary)
    sw = SpaceWeather.default()
    src = sw.source
    _raises(InputError, lambda: SpaceWeather.from_csv(src, fallback_f107=float("nan")),
            "fallback_f107", "nan")
    _raises(InputError, lambda: SpaceWeather.from_csv(src, fallback_ap="x"), "fallback_ap")
    _raises(InputError, lambda: density(59382.0, 0.0, 0.0, 400.0, space_weather="x"),
            "space_weather must be a SpaceWeather")
    _raises(InputError, lambda: density(59382.0, "a", 0.0, 400.0), "lat_rad, lon_rad")
    prov = DensityProvider(59382.0)
    for r in (np.array([np.nan, 0.0, 0.0]), np.array([[np.nan, 0, 0], [7000.0, 0, 0]])):
        _raises(InputError, lambda r=r: prov(0.0, r), "non-finite")
    _raises(InputError, lambda: prov(float("nan"), np.array([7000.0, 0, 0])), "non-finite")
    _raises(InputError, lambda: DensityProvider("2021-06-17"), "Epoch or UTC MJD")
    _raises(InputError, lambda: prov.discontinuities(0.0, 1e12), "more than 100000")
    assert _iso_day(10 ** 9) == "MJD 1000000000"


def test_nrlmsise_fallback_warns_once():
    sw = SpaceWeather.default()
    fm = ForceModel(zonal_degree=2, atmosphere="nrlmsise00", space_weather=sw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        late = Epoch.from_iso("2045-01-01T00:00:00Z")
        res = NumericalPropagator(fm).propagate(late, R0, V0, duration_s=2 * 86400,
                                                step_s=3600,
                                                spacecraft=Spacecraft(drag_area_m2=1.0))
    assert np.all(np.isfinite(res.trajectory.r))
    space = [w for w in caught if "space weather" in str(w.message)]
    assert len(space) == 1 and "need indices outside" in str(space[0].message)
