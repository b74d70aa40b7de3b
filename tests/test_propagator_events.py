"""Event detection during numerical propagation: nodes, apsides, altitude, latitude,
ground-station passes, user predicates; stop and maneuver actions; bad input."""

from __future__ import annotations

import numpy as np
import pytest

from cosmoplan.errors import InputError, PropagationError
from cosmoplan.propagator import (
    Event,
    ForceModel,
    ImpulsiveManeuver,
    NumericalPropagator,
    altitude_event,
    apsis_event,
    latitude_event,
    node_event,
    station_event,
)
from cosmoplan.time import Epoch

T0 = Epoch.from_iso("2021-06-17T00:00:00Z")
R0 = np.array([736.4514239, 6349.5575037, 2244.5419005])
V0 = np.array([-6.2278106, -0.8340303, 4.4027707])
PROP = NumericalPropagator(ForceModel(gravity_degree=8, atmosphere=None), rtol=1e-12,
                           atol_km=1e-8)


def _at(res, ep):
    """Propagate again to epoch ``ep`` exactly (state there)."""
    out = PROP.propagate(T0, R0, V0, epochs=T0 + np.array([0.0, float(ep - T0)]))
    return out.trajectory.r[-1], out.trajectory.v[-1]


@pytest.fixture(scope="module")
def day():
    evs = [node_event("ascending"), node_event("descending"), apsis_event("periapsis"),
           apsis_event("apoapsis"), latitude_event(40.0, 1)]
    return PROP.propagate(T0, R0, V0, duration_s=86400.0, step_s=600.0, events=evs)


def test_nodes_and_apsides_are_where_g_vanishes(day):
    names = [e.name for e in day.events]
    asc = [e for e in day.events if e.name == "ascending node"]
    assert 14 <= len(asc) <= 16 and "descending node" in names
    frame_c = PROP._context(T0, 0.0, 10.0)["c"]
    for e in asc:
        z = (frame_c @ e.r)[2]
        assert abs(z) < 1e-6 and (frame_c @ e.v)[2] > 0  # km, rising
    periods = np.diff([float(e.epoch - T0) for e in asc])
    assert np.all(np.abs(periods - periods.mean()) < 5.0)  # nodal period ~5,550 s
    for e in day.events:
        if e.name in ("periapsis", "apoapsis"):
            assert abs(e.r @ e.v) < 1e-6  # km^2/s


def test_events_are_refined_to_a_millisecond(day):
    for e in [x for x in day.events if x.name == "ascending node"][:3]:
        before = PROP.propagate(T0, R0, V0, epochs=T0 + np.array(
            [0.0, float(e.epoch - T0) - 1e-3, float(e.epoch - T0) + 1e-3]))
        c = PROP._context(T0, 0.0, 10.0)["c"]
        z = before.trajectory.r[1:] @ c[2]
        assert z[0] < 0.0 < z[1]


def test_latitude_event(day):
    from cosmoplan.frames import itrf_to_geodetic

    lat = [e for e in day.events if e.name == "latitude 40 deg"]
    c = PROP._context(T0, 0.0, 10.0)["c"]
    assert lat
    for e in lat:
        assert abs(np.degrees(itrf_to_geodetic(c @ e.r)[0]) - 40.0) < 1e-6


def test_stop_at_an_altitude_ends_the_trajectory():
    res = PROP.propagate(T0, R0, V0, duration_s=86400.0, step_s=60.0,
                         events=[altitude_event(398.0, -1, "stop")])
    assert res.stopped is not None and res.stopped.name == "altitude 398 km"
    assert res.trajectory.epoch[-1].isclose(res.stopped.epoch)
    assert float(res.trajectory.epoch[-1] - T0) < 86400.0
    np.testing.assert_allclose(res.trajectory.r[-1], res.stopped.r, atol=1e-9)
    from cosmoplan.propagator import EventFrame, _geodetic_height

    ctx = PROP._context(T0, 0.0, 10.0)
    f = EventFrame(ctx["c"], ctx["w"], ctx["era0"], ctx["omega"])
    assert abs(_geodetic_height(*f.cirs(res.stopped.r)) - 398.0) < 1e-6


def test_a_maneuver_at_apoapsis_raises_the_perigee():
    burn = ImpulsiveManeuver(T0, (0.005, 0.0, 0.0), "LVLH")  # its epoch is ignored
    once = Event("apoapsis burn", apsis_event("apoapsis").g, -1, burn)
    res = PROP.propagate(T0, R0, V0, duration_s=7000.0, step_s=30.0, events=[once])
    plain = PROP.propagate(T0, R0, V0, duration_s=7000.0, step_s=30.0)
    assert len(res.events) >= 1
    k = int(np.searchsorted(np.asarray(res.trajectory.epoch - T0, float),
                            float(res.events[0].epoch - T0))) + 2
    e_after = 0.5 * np.sum(res.trajectory.v[k] ** 2) - 398600.4415 / np.linalg.norm(
        res.trajectory.r[k])
    e_plain = 0.5 * np.sum(plain.trajectory.v[k] ** 2) - 398600.4415 / np.linalg.norm(
        plain.trajectory.r[k])
    assert e_after - e_plain == pytest.approx(7.67 * 0.005, rel=0.05)  # v dv


def test_station_passes_match_the_contact_finder_on_the_same_trajectory():
    from cosmoplan.access import contacts, station

    kashi = station("Kashi")
    res = PROP.propagate(T0, R0, V0, duration_s=86400.0, step_s=20.0,
                         events=[station_event(kashi, 5.0)])
    passes = [e for e in res.events if e.name == "Kashi pass"]
    found = contacts(kashi, res.trajectory.epoch, res.trajectory.r, 5.0, tol_s=1e-3)
    edges = [c.rise for c in found if c.rise != res.trajectory.epoch[0]] + \
        [c.set for c in found if c.set != res.trajectory.epoch[-1]]
    assert len(passes) == len(edges) > 0
    for e in passes:
        assert min(abs(float(e.epoch - x)) for x in edges) < 0.05  # s


def test_user_predicate():
    # radius crossing 6772 km (the orbit spans 6770.0 .. 6774.7 km)
    ev = Event("r = 6772 km", lambda t, r, v, f: float(np.linalg.norm(r)) - 6772.0)
    res = PROP.propagate(T0, R0, V0, duration_s=6000.0, step_s=60.0, events=[ev])
    assert res.events and all(abs(np.linalg.norm(e.r) - 6772.0) < 1e-6 for e in res.events)


def test_hitting_the_surface_is_an_error_or_a_stop():
    r = np.array([6378.137 + 150.0, 0.0, 0.0])
    v = np.array([0.0, 7.0, 0.5])  # sub-orbital: comes down within an orbit
    prop = NumericalPropagator(ForceModel(zonal_degree=2, atmosphere=None))
    with pytest.raises(PropagationError, match="altitude_event"):
        prop.propagate(T0, r, v, duration_s=6000.0)
    res = prop.propagate(T0, r, v, duration_s=6000.0, events=[altitude_event(100.0, -1, "stop")])
    assert res.stopped is not None


def test_bad_events():
    with pytest.raises(InputError, match="callable"):
        Event("x", 3.0)
    with pytest.raises(InputError, match="direction"):
        Event("x", lambda t, r, v, f: 0.0, direction=2)
    with pytest.raises(InputError, match="action"):
        Event("x", lambda t, r, v, f: 0.0, action="explode")
    with pytest.raises(InputError, match="Event objects"):
        PROP.propagate(T0, R0, V0, duration_s=60.0, events=["node"])
    with pytest.raises(InputError, match="ascending"):
        node_event("up")


def test_station_rise_and_set_events_are_named_apart():
    from cosmoplan.access import station

    kashi = station("Kashi")
    res = PROP.propagate(T0, R0, V0, duration_s=86400.0, step_s=60.0,
                         events=[station_event(kashi, 5.0, which="rise"),
                                 station_event(kashi, 5.0, which="set")])
    names = [e.name for e in res.events]
    assert "Kashi rise" in names and "Kashi set" in names
    assert all(a != b for a, b in zip(names, names[1:]))  # rise, set, rise, ...
    with pytest.raises(InputError, match="rise, set or any"):
        station_event(kashi, 5.0, which="up")
