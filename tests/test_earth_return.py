"""Return from lunar orbit to Siziwang Banner: window, TEI targeting, TCM, entry state.

The case is Chang'e-5's (``missions.json`` key ``change5``): after the lunar-orbit docking
(2020-12-05) the orbiter-returner waited in a ~200 km orbit; TEI-1 2020-12-12 01:54 UTC,
TEI-2 2020-12-13 01:51 UTC, TCM-1 2020-12-14 03:13 UTC, landing 2020-12-16 17:59 UTC at
Siziwang Banner, Inner Mongolia.

The parking orbit. Chang'e-5's orbit plane is not public. We build a 200 km circular orbit
inclined 44 deg to the lunar equator (:func:`lunar_equator_matrix`) whose plane passed over
the landing site (43.0576 N, 51.9161 W, MOON_ME; missions.json) when the ascender lifted
off (2020-12-03 15:10 UTC): the ascender's coplanar rendezvous needs the orbiter's plane
over the site at lift-off. With i = 44 deg > 43.06 deg latitude the plane can pass over
the site on its ascending (argument of latitude 79 deg) or descending (101 deg) side, which
moves the return window by about -1 / +1 day; we take the symmetric choice, the site under
the plane's northernmost point (argument of latitude 90 deg; the site then lies 0.94 deg,
28 km, off the plane, a small correction of the ascent). The orbiter sits over that point
at the ascent epoch. Because the real plane is unknown, the window is compared with the
real dates by days, not hours; the physics (convergence, delta-v, speeds) is tested
independently of that choice.

One plan in the default full model (EGM96 8x8, LP165P 8x8, Sun) is shared by the tests.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cosmoplan import moon
from cosmoplan.cislunar.dynamics import (
    CislunarForceModel,
    change_centre,
    earth_distance_event,
    fly,
    lunar_elements,
    lunar_equator_matrix,
)
from cosmoplan.cislunar.earth_return import (
    MEAN_EARTH_RADIUS_KM,
    EarthReturnPlan,
    plan_earth_return,
)
from cosmoplan.constants import WGS84_A_KM
from cosmoplan.ephemeris import default_ephemeris
from cosmoplan.errors import InputError, PlanningError
from cosmoplan.forces.third_body import GM_KM3_S2
from cosmoplan.frames import geodetic_to_itrf, transform
from cosmoplan.time import Epoch

ASCENT = "2020-12-03T15:10:00Z"
LUNAR_SITE = (43.0576, -51.9161)      # Chang'e-5 landing site, MOON_ME (missions.json)
# Siziwang Banner landing field: approximate (no surveyed coordinate found; the Amugulang
# pasture "about 60 km north of Wulanhua town", china.org.cn 2005)
EARTH_SITE = (42.0, 111.5)
WINDOW = ("2020-12-06T00:00:00Z", "2020-12-20T00:00:00Z")
ERROR = 0.005                         # TEI-2 flown 0.5 % long, to exercise the TCM


def parking_orbit(inclination_deg=44.0, altitude_km=200.0):
    """(epoch, Moon-centred GCRF state) of the parking orbit described in the module
    docstring: the site under the plane's northernmost point at the ascent epoch."""
    ep = Epoch.from_iso(ASCENT)
    site = moon.selenographic_to_fixed(math.radians(LUNAR_SITE[0]),
                                       math.radians(LUNAR_SITE[1]))
    site_icrf = moon.rotation_matrix(ep, "MOON_ME").T @ site
    frame = lunar_equator_matrix(ep)
    s = frame @ site_icrf
    raan = math.atan2(s[1], s[0]) - math.pi / 2.0   # site at argument of latitude 90 deg
    i = math.radians(inclination_deg)
    node = np.array([math.cos(raan), math.sin(raan), 0.0])
    h = np.array([math.sin(i) * math.sin(raan), -math.sin(i) * math.cos(raan), math.cos(i)])
    apex = np.cross(h, node)                        # argument of latitude 90 deg
    r = 1737.4 + altitude_km
    v = math.sqrt(GM_KM3_S2["moon"] / r)
    return ep, np.r_[frame.T @ (r * apex), frame.T @ (-v * node)]


@pytest.fixture(scope="module")
def case():
    ep, state = parking_orbit()
    return CislunarForceModel(), ep, state


@pytest.fixture(scope="module")
def plan(case):
    model, ep, state = case
    stages = []
    p = plan_earth_return(model, epoch=ep, lunar_state=state, earliest_tei=WINDOW[0],
                          latest_tei=WINDOW[1], landing_site=EARTH_SITE,
                          tei_execution_error=ERROR,
                          progress=lambda stage, frac: stages.append((stage, frac)))
    p.stages = stages
    return p


def _ground_geometry(r_itrf, v_itrf, lat_deg, lon_deg):
    """Independent downrange / cross-range of a site from a point along the great circle of
    the Earth-relative velocity (sphere of radius R1)."""
    site = geodetic_to_itrf(math.radians(lat_deg), math.radians(lon_deg), 0.0)
    site = site / np.linalg.norm(site)
    rhat = r_itrf / np.linalg.norm(r_itrf)
    n = np.cross(r_itrf, v_itrf)
    n /= np.linalg.norm(n)
    cross = MEAN_EARTH_RADIUS_KM * math.asin(float(site @ n))
    down = MEAN_EARTH_RADIUS_KM * math.atan2(float(site @ np.cross(n, rhat)),
                                             float(site @ rhat))
    return down, cross


def test_parking_orbit_is_the_described_one(case):
    _, ep, state = case
    el = lunar_elements(state, ep)
    assert el["periapsis_altitude"] == pytest.approx(200.0, abs=0.01)
    assert el["e"] < 1e-9
    assert math.degrees(el["i"]) == pytest.approx(44.0, abs=1e-9)


def test_window_and_dates_match_change5_by_days(plan):
    """The cheapest window and the resulting dates agree with the real mission within the
    tolerance the unknown plane allows: TEI-2 2020-12-13 +- 2 days, EI on 16 or 17 Dec."""
    real_tei2 = Epoch.from_iso("2020-12-13T01:51:00Z")
    assert abs(float(plan.window.best_epoch - real_tei2)) < 2 * 86400.0
    dep = plan.departure_epoch
    assert abs(float(dep - real_tei2)) < 2 * 86400.0
    assert [b.name for b in plan.tei] == ["TEI-1", "TEI-2"]
    # TEI-1 one ellipse revolution (about a day, as flown: 23 h 57 min) before TEI-2
    gap_h = float(plan.tei[1].epoch - plan.tei[0].epoch) / 3600.0
    assert 22.0 < gap_h < 26.0
    assert plan.entry.epoch.utc.iso(0)[:10] in ("2020-12-16", "2020-12-17")
    # the wait is geometric: departing right after the docking costs far more
    early = plan.window.epochs < Epoch.from_iso("2020-12-08T00:00:00Z")
    assert np.min(plan.window.dv_km_s[early]) > plan.window.best_dv_km_s + 0.3
    # the curve covers the window, one point per revolution (~2.1 h)
    n = len(plan.window.dv_km_s)
    assert 150 < n < 165
    assert np.all(np.isfinite(plan.window.dv_km_s))


def test_targeting_converges_and_the_burn_list_reproduces_the_entry(plan, case):
    """Entry FPA within 0.01 deg, cross-range < 1 km, downrange within 1 km, measured on an
    independent re-flight of the burn list; the re-flown EI within 100 m of the plan."""
    model, ep, state = case
    r_ei = WGS84_A_KM + 120.0
    end = float(plan.entry.epoch - ep) + 3600.0
    arc = fly(model, ep, state, end, centre="moon", maneuvers=plan.maneuvers(),
              events=[earth_distance_event(r_ei, -1)])
    assert arc.event is not None
    y = change_centre(arc.final, arc.epoch_final, "moon", "earth")
    r, v = y[:3], y[3:]
    assert np.linalg.norm(r) == pytest.approx(r_ei, abs=1e-6)
    fpa = math.degrees(math.asin(float(r @ v) / (np.linalg.norm(r) * np.linalg.norm(v))))
    assert abs(fpa - (-6.0)) < 0.01
    ri, vi = transform(r, v, arc.epoch_final, "GCRF", "ITRF")
    down, cross = _ground_geometry(ri, vi, *EARTH_SITE)
    assert abs(cross) < 1.0
    assert abs(down - 5500.0) < 1.0
    assert np.linalg.norm(r - plan.entry.r_gcrf) < 0.1
    assert abs(float(arc.epoch_final - plan.entry.epoch)) < 0.1
    assert plan.refly["position_km"] < 0.1
    # the plan's own numbers agree
    assert abs(plan.entry.fpa_deg + 6.0) < 0.01
    assert abs(plan.crossrange_km) < 1.0 and abs(plan.downrange_km - 5500.0) < 1.0
    assert plan.nominal_entry.fpa_deg == pytest.approx(-6.0, abs=0.01)


def test_tei_delta_v_matches_a_patched_conic_expectation(plan):
    """Total TEI 0.75-1.0 km/s (Apollo's TEI from 110 km: about 1 km/s, Woods 2011, *How
    Apollo Flew to the Moon*, ch. 14) and a little above the coplanar patched conic: a
    Hohmann-like return from the Moon's distance to a ~50 km vacuum perigee, v_inf = v_moon
    - v_apogee, departing tangentially from the parking radius."""
    dv = plan.tei_dv_km_s
    assert 0.75 < dv < 1.0
    dep = plan.tei[0]                  # TEI-1 at the parking radius
    r = float(np.linalg.norm(dep.state_before[:3]))
    rm, vm = default_ephemeris().position("moon", "earth", plan.departure_epoch,
                                          velocity=True)
    rm, vm = float(np.linalg.norm(rm)), float(np.linalg.norm(vm))
    mu_e, mu_m = 398600.4418, GM_KM3_S2["moon"]
    rp = 6378.137 + 50.0
    v_apogee = math.sqrt(2.0 * mu_e * rp / (rm * (rm + rp)))
    vinf = vm - v_apogee
    expect = math.sqrt(vinf ** 2 + 2.0 * mu_m / r) - math.sqrt(mu_m / r)
    assert expect - 0.01 < dv < expect + 0.06
    # TEI-1 is mostly along-track, TEI-2 departs from the ellipse's perilune
    assert plan.tei[0].dv_lvlh[0] > 0.5
    assert np.linalg.norm(plan.tei[1].state_before[:3]) - 1737.4 < 400.0


def test_transfer_time_entry_speed_and_entry_state(plan):
    """Transfer within the bounds; EI speed near but below escape (Chang'e-5 T1 entered at
    about 11.2 km/s, english.cas.cn 2014); a consistent EI state at 120 km."""
    assert 3.0 * 86400.0 <= plan.transfer_time_s <= 5.0 * 86400.0
    e = plan.entry
    v_esc = math.sqrt(2.0 * 398600.4418 / e.radius_km)
    assert 10.9 < e.speed_km_s < 11.1
    assert e.speed_km_s < v_esc
    assert e.radius_km == pytest.approx(WGS84_A_KM + 120.0, abs=1e-6)
    assert 120.0 <= e.altitude_km < 142.0          # geodetic height on a spherical EI
    # Earth-relative speed lower by about the rotation speed for a prograde entry
    assert 0.1 < e.speed_km_s - e.relative_speed_km_s < 0.5
    ri, vi = transform(e.r_gcrf, e.v_gcrf, e.epoch, "GCRF", "ITRF")
    assert np.allclose(ri, e.r_itrf) and np.allclose(vi, e.v_itrf)
    # the site lies along the heading: a north-eastward approach to Inner Mongolia
    assert 0.0 < e.relative_heading_deg < 90.0
    assert e.latitude_deg < EARTH_SITE[0]


def test_tcm_corrects_the_execution_error(plan):
    assert len(plan.tcm) == 1
    tcm = plan.tcm[0]
    assert float(tcm.epoch - plan.departure_epoch) == pytest.approx(24 * 3600.0, abs=1e-3)
    assert tcm.centre == "earth"
    assert 1e-4 < tcm.magnitude < 0.02           # m/s-level for a 0.5 % (1.5 m/s) error
    executed = plan.tei_executed[-1].dv_gcrf
    assert np.allclose(executed, plan.tei[-1].dv_gcrf * (1 + ERROR))
    # TCM-targeted entry hits the same conditions as the nominal one
    assert plan.entry.fpa_deg == pytest.approx(plan.nominal_entry.fpa_deg, abs=0.01)
    assert abs(float(plan.entry.epoch - plan.nominal_entry.epoch)) < 600.0


def test_plan_outputs(plan):
    assert isinstance(plan, EarthReturnPlan)
    d = json.loads(json.dumps(plan.to_dict()))
    assert d["tei"][1]["name"] == "TEI-2"
    assert len(d["window"]["dv_m_s"]) == len(plan.window.dv_km_s)
    assert d["entry"]["inertial_fpa_deg"] == pytest.approx(plan.entry.fpa_deg)
    rows = plan.table()
    labels = [r[0] for r in rows]
    assert "Total TEI delta-v" in labels and "TCM-1 delta-v" in labels
    assert set(plan.arcs) >= {"parking", "tei1_ellipse", "departure", "coast",
                              "after_TCM-1"}
    assert plan.arcs["departure"].centre == "moon"
    assert plan.arcs["after_TCM-1"].centre == "earth"
    assert plan.stages[0] == ("window scan", 0.0) and plan.stages[-1] == ("done", 1.0)
    # burn frames: LVLH and GCRF hold the same vector
    b = plan.tei[1]
    assert np.linalg.norm(b.dv_lvlh) == pytest.approx(b.magnitude)


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("fpa", [5.0, -60.0, float("nan")])
def test_impossible_flight_path_angle(case, fpa):
    model, ep, state = case
    with pytest.raises(InputError) as exc:
        plan_earth_return(model, epoch=ep, lunar_state=state, earliest_tei=WINDOW[0],
                          latest_tei=WINDOW[1], entry_fpa_deg=fpa)
    assert exc.value.field == "entry_fpa_deg"
    assert "-12" in str(exc.value) and "-2" in str(exc.value)


def test_window_errors(case):
    model, ep, state = case
    with pytest.raises(InputError) as exc:
        plan_earth_return(model, epoch=ep, lunar_state=state,
                          earliest_tei="2020-12-12T00:00:00Z",
                          latest_tei="2020-12-10T00:00:00Z")
    assert exc.value.field == "latest_tei" and "after" in str(exc.value)
    with pytest.raises(InputError) as exc:
        plan_earth_return(model, epoch=ep, lunar_state=state,
                          earliest_tei="2020-12-12T00:00:00Z",
                          latest_tei="2020-12-12T03:00:00Z")
    assert exc.value.field == "latest_tei" and "revolutions" in str(exc.value)
    # a window far from the cheap geometry has no return under the delta-v limit
    with pytest.raises(PlanningError, match="no return in the TEI window"):
        plan_earth_return(model, epoch=ep, lunar_state=state,
                          earliest_tei="2020-12-06T12:00:00Z",
                          latest_tei="2020-12-07T12:00:00Z", max_dv_km_s=1.2)


def test_unbound_lunar_state(case):
    model, ep, state = case
    escaping = state.copy()
    escaping[3:] *= 1.5                      # above lunar escape speed at 200 km
    with pytest.raises(InputError) as exc:
        plan_earth_return(model, epoch=ep, lunar_state=escaping, earliest_tei=WINDOW[0],
                          latest_tei=WINDOW[1])
    assert exc.value.field == "lunar_state" and "not bound" in str(exc.value)
    with pytest.raises(InputError) as exc:
        plan_earth_return(model, epoch=ep, lunar_state=[1.0, 2.0], earliest_tei=WINDOW[0],
                          latest_tei=WINDOW[1])
    assert exc.value.field == "lunar_state"
