"""A hostile or careless user against the lunar sample return: scenario files, the Python
API of the cislunar dynamics, the trans-lunar targeting and the planner. Every case is a
regression of something that once gave a traceback, a silent wrong result, a hang or an
error only after minutes of planning; each must now fail fast with a clear error that names
the file, line, key and value (or converge).

Cheap by design: scenario cases stop at load time or at the first leg; the trans-lunar
cases share one module-scope solution (as tests/test_translunar.py does).
"""

import json
import math
import time
import types
import warnings

import numpy as np
import pytest

from cosmoplan.cislunar.dynamics import (
    CislunarEvent,
    CislunarForceModel,
    change_centre,
    fly,
    lunar_elements,
    moon_apsis_event,
    moon_distance_event,
    propagate,
)
from cosmoplan.cislunar.sample_return import (
    SampleReturnConfig,
    Vehicle,
    _Budget,
    plan_sample_return,
    vertex_inclination,
)
from cosmoplan.cislunar.translunar import (
    LaunchGeometry,
    TransferTarget,
    midcourse_correction,
    target_lunar_arrival,
)
from cosmoplan.errors import DataRangeError, InputError, PlanningError, PlanningWarning
from cosmoplan.mission import _warn_unmatched_reference, run_scenario
from cosmoplan.propagator import ImpulsiveManeuver
from cosmoplan.scenario import load_scenario, scenario_path
from cosmoplan.sites import WENCHANG
from cosmoplan.time import Epoch

BASE = scenario_path("change-5").read_text(encoding="utf-8")
LIFTOFF = Epoch.from_iso("2020-11-23T20:30:12Z")
MODEL = CislunarForceModel(earth_degree=8, moon_degree=8, sun=True)
SMALL = CislunarForceModel(earth_degree=2, moon_degree=2, sun=True)
EP = Epoch.from_iso("2020-11-23T21:00:00", scale="utc")
LEO = np.array([6578.137, 0.0, 0.0, 0.0, 10.9, 1.5])


def _write(tmp_path, old, new, name="mission.toml"):
    assert old in BASE, old
    p = tmp_path / name
    p.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return p


def _line(path, start):
    for k, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith(start):
            return k
    raise AssertionError(start)


def _load_error(path):
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert str(path) in str(exc.value)
    return exc.value


# --------------------------------------------------------------------------- scenario file
@pytest.mark.parametrize("old, new, key, words", [
    # accepted by the file's own range, refused by the return planner only after the whole
    # plan (with no file or line): now at load time, with the planner's range
    ("entry_flight_path_angle_deg = -5.8", "entry_flight_path_angle_deg = -15.0",
     "earth_return.entry_flight_path_angle_deg", "-12 .. -2"),
    ("entry_range_km = 6000.0", "entry_range_km = 20000.0", "earth_return.entry_range_km",
     "100 .. 10000"),
    ("entry_range_km = 6000.0", "entry_range_km = 0.001", "earth_return.entry_range_km",
     "100 .. 10000"),
    ("tcm_after_hours = 24.0", "tcm_after_hours = 200.0", "earth_return.tcm_after_hours",
     "1 .. 71"),
    ("search_days = 14.0", "search_days = 0.001", "earth_return.search_days", "1 .. 40"),
    # a capture ellipse below the parking orbit: an error after the trans-lunar legs
    ("capture_apoapsis_altitude_km = 5000.0", "capture_apoapsis_altitude_km = 100.0",
     "lunar_orbit.capture_apoapsis_altitude_km", "above the lunar orbit altitude"),
    ("capture_apoapsis_altitude_km = 5000.0", "capture_apoapsis_altitude_km = 60000.0",
     "lunar_orbit.capture_apoapsis_altitude_km", "sphere of influence"),
    # a 15 km parking orbit with a 15 km descent perilune: "thrust too low" from the descent
    ("altitude_km = 200.0\ncapture", "altitude_km = 15.0\ncapture",
     "surface.descent_perilune_km", "below the lunar orbit altitude"),
    # a mid-course correction after the periapsis: "the trajectory hits the Moon"
    ("mcc_after_hours = 17.0", "mcc_after_hours = 200.0", "transfer.mcc_after_hours",
     "before the approach"),
])
def test_planner_ranges_checked_at_load(tmp_path, old, new, key, words):
    p = _write(tmp_path, old, new)
    exc = _load_error(p)
    assert exc.field == key and words in str(exc)
    assert exc.line == _line(p, key.split(".")[-1])


@pytest.mark.parametrize("value, words", [
    ('"2020-12-41T15:11:00Z"', "bad day"),  # once: an error after the plan, no file/line
    ("5", "as text"),
    ("2020-12-01T15:11:00", "ambiguous"),  # a TOML local date-time
    ("2020-12-01", "ambiguous"),
    ('["2020-12-01T15:11:00Z"]', "as text"),
])
def test_bad_reference_epoch_names_its_line(tmp_path, value, words):
    p = _write(tmp_path, '"Landing" = "2020-12-01T15:11:00Z"', f'"Landing" = {value}')
    exc = _load_error(p)
    assert '"Landing"' in exc.field and words in str(exc)
    assert exc.line == _line(p, '"Landing"')  # the key's own line, not the table header


@pytest.mark.parametrize("key", ['""', '"Lan\\u0007ding"'])
def test_bad_reference_event_name(tmp_path, key):
    p = _write(tmp_path, '"Landing" = "2020-12-01T15:11:00Z"',
               f'{key} = "2020-12-01T15:11:00Z"')
    exc = _load_error(p)
    assert "one line of text" in str(exc) and exc.line == _line(p, key)


def test_reference_with_bare_and_single_quoted_keys(tmp_path):
    p = _write(tmp_path, '"Docking" = "2020-12-05T21:42:00Z"', "Docking = 'nope'")
    exc = _load_error(p)
    assert exc.line == _line(p, "Docking") and "nope" in str(exc)


def test_toml_datetime_lift_off(tmp_path):
    """A TOML offset date-time is unambiguous: accepted. A local one is refused with what to
    write instead (not "Input should be a valid string")."""
    p = _write(tmp_path, 'liftoff = "2020-11-23T20:30:12Z"', "liftoff = 2020-11-23T20:30:12Z")
    cfg = load_scenario(p).to_config()
    assert abs(float(cfg.liftoff - LIFTOFF)) < 1e-3
    p = _write(tmp_path, 'liftoff = "2020-11-23T20:30:12Z"', "liftoff = 2020-11-23T20:30:12")
    exc = _load_error(p)
    assert exc.field == "launch.liftoff" and "ambiguous" in str(exc)
    assert exc.line == _line(p, "liftoff")


@pytest.mark.parametrize("value", ['"4.5"', "true", "[4.5]", "nan", "inf"])
def test_wrong_types_and_non_finite_numbers(tmp_path, value):
    p = _write(tmp_path, "days = 4.5", f"days = {value}")
    exc = _load_error(p)
    assert exc.field == "transfer.days" and exc.line == _line(p, "days")


def test_lift_off_outside_the_ephemeris_names_key_and_line(tmp_path):
    p = _write(tmp_path, 'liftoff = "2020-11-23T20:30:12Z"', 'liftoff = "2055-01-01T00:00:00Z"')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataRangeError) as exc:
            run_scenario(p, out_dir=False)
    msg = str(exc.value)
    assert f"{p}, line {_line(p, 'liftoff')}: key 'launch.liftoff'" in msg
    assert "choose a lift-off between" in msg


@pytest.mark.parametrize("target", ["proc", "file"])
def test_unusable_output_folder_fails_before_planning(tmp_path, target):
    """-o /proc/x passed the permission check, planned for half a minute and then failed
    to create the staging folder; -o an existing file fails at once too."""
    if target == "file":
        out = tmp_path / "afile"
        out.write_text("x")
    else:
        out = "/proc/cosmoplan-x"
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="output folder"):
        run_scenario("change-5", out_dir=out)
    assert time.perf_counter() - t0 < 10.0


def test_vertex_design_for_an_equatorial_site(tmp_path):
    """A site on the lunar equator asks the vertex design for an equatorial arrival, which
    no trajectory from this launch can fly: "did not converge ... miss [0.84 1.27 0.02]"
    after 25 iterations; now a PlanningError naming the reachable range and the keys."""
    p = _write(tmp_path, "lat_deg = 43.0576", "lat_deg = 0.0")
    with pytest.raises(PlanningError) as exc:
        run_scenario(p, out_dir=False)
    msg = str(exc.value)
    assert str(p) in msg and "out of reach" in msg and "lunar_orbit.inclination_deg" in msg
    assert "trans-lunar injection" in msg


# --------------------------------------------------------------------------- dynamics API
@pytest.mark.parametrize("state", ["abc", ["a"] * 6, {"a": 1}, None, LEO + 1j, LEO[:5],
                                   np.zeros(6), LEO * 1e3, np.r_[LEO[:3], LEO[3:] * 1e3]])
def test_propagate_bad_states(state):
    """Strings and dicts gave ValueError/TypeError, complex numbers lost their imaginary
    part silently, the zero vector ZeroDivisionError deep in the integrator, metres or m/s
    integrated for minutes."""
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        propagate(SMALL, EP, state, 100.0)
    assert exc.value.field == "state0"
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("t_end", ["abc", None, np.array([1.0, 2.0]), 1e12, 1e30, 0.0,
                                   float("nan")])
def test_propagate_bad_durations(t_end):
    """1e12 s ran 3 minutes before failing, 1e30 s raised 'Maximum allowed size exceeded'."""
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        propagate(SMALL, EP, LEO, t_end)
    assert exc.value.field == "t_end_s"
    assert time.perf_counter() - t0 < 1.0


def test_propagate_bad_events_burns_and_outputs():
    arc = propagate(SMALL, EP, LEO, 100.0, events=None)  # None: no events
    one = propagate(SMALL, EP, LEO, 100.0, events=moon_apsis_event())  # one event alone
    assert np.allclose(arc.final, one.final)
    for bad, field in ((dict(events="periapsis"), "events"),
                       (dict(burns=["x"], mass_kg=1.0), "burns"),
                       (dict(burns=object(), mass_kg=1.0), "burns"),
                       (dict(t_out=["a"]), "t_out")):
        with pytest.raises(InputError) as exc:
            propagate(SMALL, EP, LEO, 100.0, **bad)
        assert exc.value.field == field


@pytest.mark.parametrize("make", [lambda: moon_distance_event("abc"),
                                  lambda: moon_distance_event(100.0, "in"),
                                  lambda: CislunarEvent("moon_apsis", None),
                                  lambda: CislunarForceModel(earth_field="EGM96"),
                                  lambda: SMALL.gm("mars")])
def test_events_and_force_model_arguments(make):
    with pytest.raises(InputError):
        make()


def test_fly_bad_arguments():
    burn = ImpulsiveManeuver(EP + 50.0, (0.0, 0.0, 0.001), "GCRF", "b")
    one = fly(SMALL, EP, LEO, 100.0, maneuvers=burn)  # a single burn is taken as a list
    assert np.isfinite(one.final).all()
    cases = [(dict(epoch0="2020-11-23"), "epoch0"), (dict(t_end_s=0.0), "t_end_s"),
             (dict(t_end_s="x"), "t_end_s"), (dict(t_out=[500.0]), "t_out"),
             (dict(maneuvers=[ImpulsiveManeuver(EP + 50.0, (0, 0, 3100.0), "GCRF", "b")]),
              "maneuvers")]
    for kw, field in cases:
        args = dict(epoch0=EP, t_end_s=100.0)
        args.update(kw)
        with pytest.raises(InputError) as exc:
            fly(SMALL, args.pop("epoch0"), LEO, args.pop("t_end_s"), **args)
        assert exc.value.field == field


def test_change_centre_and_elements_bad_shapes():
    with pytest.raises(InputError, match=r"shape \(\.\.\., 6\)"):
        change_centre(LEO[:5], EP, "earth", "moon")
    with pytest.raises(InputError, match="do not match"):
        change_centre(np.tile(LEO, (3, 1)), EP + np.arange(2.0), "earth", "moon")
    with pytest.raises(InputError, match="Epoch"):
        change_centre(LEO, "2020-11-23", "earth", "moon")
    with pytest.raises(InputError):
        lunar_elements(LEO[:3], EP)
    with pytest.raises(InputError):  # once a dict of NaN
        lunar_elements(np.zeros(6), EP)


# --------------------------------------------------------------------------- trans-lunar
def _target(days, inc_deg=43.8, alt=200.0):
    return TransferTarget(alt, math.radians(inc_deg), LIFTOFF + days * 86400.0)


@pytest.fixture(scope="module")
def solution():
    return target_lunar_arrival(MODEL, LaunchGeometry(WENCHANG, LIFTOFF), _target(4.5))


def test_transfer_target_and_launch_geometry_arguments():
    for make in (lambda: TransferTarget("abc", 0.5, LIFTOFF),
                 lambda: TransferTarget(200.0, "0.5", LIFTOFF),  # stored as text, then used
                 lambda: TransferTarget(200.0, 43.8, LIFTOFF),  # degrees for radians
                 lambda: TransferTarget(200.0, 0.5, "2020-11-28"),
                 lambda: LaunchGeometry("Wenchang", LIFTOFF),
                 lambda: LaunchGeometry(WENCHANG, "2020-11-23"),
                 lambda: LaunchGeometry(WENCHANG, LIFTOFF, float("nan")),
                 lambda: LaunchGeometry(WENCHANG, LIFTOFF, 200.0, -600.0)):
        with pytest.raises(InputError):
            make()
    launch = LaunchGeometry(WENCHANG, LIFTOFF)
    with pytest.raises(InputError, match="TransferTarget"):
        target_lunar_arrival(MODEL, launch, None)
    with pytest.raises(InputError, match="x0"):
        target_lunar_arrival(MODEL, launch, _target(4.5), x0=[1.0, 2.0])


@pytest.mark.parametrize("days, inc", [(1.6, 43.8), (4.5, 130.0)])
def test_fast_and_retrograde_arrivals_converge(days, inc):
    """A 1.6-day transfer raised scipy's "f(a) and f(b) must have different signs" from the
    first guess (it only knew ellipses); a retrograde 130 deg arrival hit the Moon on the
    way to its first periapsis (PropagationError)."""
    t0 = time.perf_counter()
    sol = target_lunar_arrival(MODEL, LaunchGeometry(WENCHANG, LIFTOFF), _target(days, inc))
    assert time.perf_counter() - t0 < 20.0
    assert abs(sol.periapsis["periapsis_altitude"] - 200.0) < 1e-3
    assert abs(math.degrees(sol.periapsis["i"]) - inc) < 1e-5


@pytest.mark.parametrize("inc", [0.0, 180.0])
def test_unreachable_arrival_inclination(inc):
    t0 = time.perf_counter()
    with pytest.raises(PlanningError, match=r"out of reach.*inclination lies in"):
        target_lunar_arrival(MODEL, LaunchGeometry(WENCHANG, LIFTOFF), _target(4.5, inc))
    assert time.perf_counter() - t0 < 20.0


def test_transfer_too_slow_for_a_direct_transfer():
    with pytest.raises(PlanningError, match="minimum-energy ellipse"):
        target_lunar_arrival(MODEL, LaunchGeometry(WENCHANG, LIFTOFF), _target(11.0))


@pytest.mark.parametrize("error", [0.05, -0.05])
def test_midcourse_correction_after_a_large_injection_error(solution, error):
    """5 % too much (or too little) injection: the uncorrected trajectory misses the Moon's
    sphere of influence and the correction started from zero failed; it now starts from a
    two-body aim at the nominal arrival and converges in seconds."""
    t0 = time.perf_counter()
    t_mcc, y, dv = midcourse_correction(MODEL, solution, after_s=17 * 3600.0,
                                        execution_error=error)
    assert time.perf_counter() - t0 < 20.0
    assert 0.1 < np.linalg.norm(dv) < 3.0


@pytest.mark.parametrize("kw, field", [(dict(after_s=100 * 3600.0), "after_s"),
                                       (dict(after_s=200 * 3600.0), "after_s"),
                                       (dict(after_s=-1.0), "after_s"),
                                       (dict(after_s=3600.0, execution_error=0.5),
                                        "execution_error"),
                                       (dict(after_s=3600.0, execution_error="x"),
                                        "execution_error")])
def test_midcourse_correction_bad_arguments(solution, kw, field):
    """A correction after the sphere-of-influence entry hit the Moon (PropagationError)."""
    with pytest.raises(InputError) as exc:
        midcourse_correction(MODEL, solution, **kw)
    assert exc.value.field == field


# --------------------------------------------------------------------------- planner
def test_vertex_inclination_bad_arguments():
    with pytest.raises(InputError, match="degrees by mistake"):
        vertex_inclination(43.0576, 48 * 3600.0)  # silently a nonsense inclination once
    with pytest.raises(InputError):
        vertex_inclination(float("nan"), 48 * 3600.0)  # silently NaN once
    with pytest.raises(InputError, match="positive"):
        vertex_inclination(0.75, -3600.0)


def _config(**kw):
    v = {"orbiter": Vehicle("orbiter", 3800.0, 1250.0, 3000.0, 315.0),
         "returner": Vehicle("returner", 330.0, 300.0, 150.0, 290.0),
         "lander": Vehicle("lander", 3270.0, 1050.0, 7500.0, 306.0),
         "ascender": Vehicle("ascender", 800.0, 280.0, 3000.0, 306.0)}
    args = dict(liftoff=LIFTOFF, launch_site=WENCHANG, landing_lat=math.radians(43.0576),
                landing_lon=math.radians(-51.9161), vehicles=v,
                earth_landing_lat=math.radians(42.0), earth_landing_lon=math.radians(111.5))
    args.update(kw)
    return SampleReturnConfig(**args)


@pytest.mark.parametrize("kw, key", [
    (dict(landing_lat=43.0576), "surface.lat_deg"),  # degrees for radians
    (dict(liftoff="2020-11-23T20:30:12Z"), "launch.liftoff"),
    (dict(vehicles={}), "vehicles"),
    (dict(capture_apoapsis_km=100.0), "lunar_orbit.capture_apoapsis_altitude_km"),
    (dict(tcm_after_s=200 * 3600.0), "earth_return.tcm_after_hours"),
    (dict(entry_fpa=math.radians(-20.0)), "earth_return.entry_flight_path_angle_deg"),
    (dict(surface_stay_s=float("nan")), "surface.stay_hours"),
])
def test_config_checked_before_any_work(kw, key):
    with pytest.raises(InputError) as exc:
        _config(**kw)
    assert exc.value.field == key
    cfg = _config()
    for name, value in kw.items():
        setattr(cfg, name, value)  # changed after it was made: plan_sample_return checks
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        plan_sample_return(cfg)
    assert exc.value.field == key and time.perf_counter() - t0 < 1.0
    with pytest.raises(InputError, match="SampleReturnConfig"):
        plan_sample_return(None)


def test_propellant_shortfall_names_burn_vehicle_and_amount():
    b = _Budget({"orbiter": Vehicle("orbiter", 1500.0, 1250.0, 3000.0, 315.0),
                 "returner": Vehicle("returner", 330.0, 300.0, 150.0, 290.0)})
    with pytest.raises(PlanningError) as exc:
        b.burn("LOI-1", LIFTOFF, 1.0, ["orbiter", "returner"], "orbiter", "GCRF", "capture")
    msg = str(exc.value)
    assert msg.startswith("LOI-1: the orbiter needs") and "kg short" in msg
    assert "vehicles.orbiter.mass_kg" in msg


def test_reference_name_that_the_plan_lacks_warns(tmp_path):
    p = _write(tmp_path, '"Docking" = "2020-12-05T21:42:00Z"', '"Dokcing" = "2020-12-05T21:42:00Z"')
    sc = load_scenario(p)
    ep = sc.to_config().liftoff
    tl = types.SimpleNamespace(
        events=[(n, ep, "") for n in ("Lift-off", "LOI-1", "Landing", "Ascent lift-off",
                                      "Ascender separation", "Entry interface")],
        burns=[types.SimpleNamespace(name=n) for n in ("TEI-1", "TEI-2")])
    with pytest.warns(PlanningWarning) as rec:
        _warn_unmatched_reference(sc, tl)
    msgs = [str(w.message) for w in rec]
    assert len(msgs) == 1 and "Dokcing" in msgs[0]
    assert f"line {_line(p, chr(34) + 'Dokcing')}" in msgs[0]
    json.dumps(msgs)  # plain text


def test_ascender_that_cannot_lift_off(tmp_path):
    p = _write(tmp_path, "thrust_n = 3000.0\nisp_s = 306.0\n\n# the real",
               "thrust_n = 100.0\nisp_s = 306.0\n\n# the real")
    exc = _load_error(p)
    assert exc.field == "vehicles.ascender.thrust_n" and "cannot lift off" in str(exc)
    assert exc.line == len(BASE[:BASE.index("thrust_n = 3000.0\nisp_s = 306.0\n\n# the real")]
                           .splitlines()) + 1


def test_site_always_in_the_plane():
    """A site at a pole under a polar orbit: the plane "crossings" were the perturbations'
    wobble, and the plan waited 25 days in lunar orbit for a pair of them 65 h apart (a
    48 h stay asked for)."""
    from cosmoplan.cislunar.sample_return import _always_in_plane

    park = types.SimpleNamespace(t_s=np.arange(0.0, 10 * 86400.0, 300.0))
    wobble = 0.01 * np.sin(park.t_s / 86400.0)  # 0.6 deg
    assert _always_in_plane(park, wobble, 86400.0)
    assert not _always_in_plane(park, 20 * wobble, 86400.0)


def test_short_stay_lifts_off_after_the_landing(tmp_path):
    """A 1 h stay: no plane-crossing pair 1 h apart, so the ascent was put 1 h after the
    crossing, which the landing pass followed by 42 min: 18 min on the surface (it could
    even precede the landing). Now the ascent is the stay after the landing, with its
    plane change budgeted."""
    from cosmoplan.errors import PlanningWarning

    p = _write(tmp_path, "stay_hours = 48.0", "stay_hours = 1.0")
    with pytest.warns(PlanningWarning, match="inclination iteration found no pair"):
        tl = run_scenario(p, out_dir=False).sample_return
    assert any("no pair of landing-site crossings" in w for w in tl.warnings)
    stay = float(tl.event("Ascent lift-off") - tl.event("Landing"))
    assert abs(stay - 3600.0) < 1.0
    assert tl.lunar_orbit["surface_stay_hours"] == pytest.approx(1.0, abs=1e-3)
    ascent = next(b for b in tl.burns if b.name == "Ascent")
    assert tl.ascent.dv_km_s <= ascent.dv_km_s < tl.ascent.dv_km_s + 0.03
