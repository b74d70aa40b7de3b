"""Lunar-orbit rendezvous planner (cosmoplan.cislunar.lunar_rendezvous) in the full cislunar
model: LP165P 8x8 lunar field, EGM96 8x8 Earth, the Sun (DE421).

Every plan is checked by flying its burn lists again with
:func:`cosmoplan.cislunar.dynamics.fly` from the states the test built, independently of
the planner's own bookkeeping.
"""

import json
import math
import re

import numpy as np
import pytest

from cosmoplan.cislunar.dynamics import (
    CislunarForceModel,
    fly,
    lunar_equator_matrix,
    propagate,
)
from cosmoplan.cislunar.lunar_rendezvous import hcw_transfer, plan_lunar_rendezvous
from cosmoplan.errors import InputError, PlanningError
from cosmoplan.frames import absolute_state, relative_state
from cosmoplan.rendezvous.hcw import hcw_two_impulse
from cosmoplan.time import Epoch

MODEL = CislunarForceModel()  # the default: LP165P 8x8, EGM96 8x8, Sun
MU = MODEL.gm("moon")
R_MOON = 1737.4  # IAU mean radius: the altitude reference of the planner
INC = 44.0
EPOCH = Epoch.from_iso("2020-12-03T16:00:00Z")


def lunar_state(epoch, hp_km, ha_km, u_deg, inc_deg=INC):
    """Moon-centred GCRF state at the periapsis of an hp x ha km orbit, periapsis at argument
    of latitude u, inclination to the lunar equator of ``epoch``, node on its x axis."""
    m = lunar_equator_matrix(epoch)
    rp, ra = R_MOON + hp_km, R_MOON + ha_km
    v = math.sqrt(MU * (2.0 / rp - 2.0 / (rp + ra)))
    i, u = math.radians(inc_deg), math.radians(u_deg)
    r = rp * np.array([math.cos(u), math.sin(u) * math.cos(i), math.sin(u) * math.sin(i)])
    w = v * np.array([-math.sin(u), math.cos(u) * math.cos(i), math.cos(u) * math.sin(i)])
    return np.r_[m.T @ r, m.T @ w]


def refly(plan, epoch, chaser0, target0):
    """Chaser relative to target (LVLH km, km/s) at docking, both burn lists re-flown."""
    t_dock = float(plan.docking_epoch.tdb - epoch.tdb)
    c = fly(MODEL, epoch, chaser0, t_dock, centre="moon", maneuvers=plan.maneuvers("chaser"))
    t = fly(MODEL, epoch, target0, t_dock, centre="moon", maneuvers=plan.maneuvers("target"))
    return relative_state(t.final[:3], t.final[3:], c.final[:3], c.final[3:])


def phasing_dv(plan):
    return sum(b.magnitude for b in plan.burns if b.phase == "phasing")


# ---------------------------------------------------------------------------- case 1
TARGET1 = lunar_state(EPOCH, 200.0, 200.0, 0.0)
CHASER1 = lunar_state(EPOCH, 200.0, 200.0, -20.0)


@pytest.fixture(scope="module")
def plan1():
    return plan_lunar_rendezvous(MODEL, chaser_epoch=EPOCH, chaser_state=CHASER1,
                                 target_epoch=EPOCH, target_state=TARGET1, max_days=4.0,
                                 closing_speed_m_s=0.15)


def test_synthetic_case_docks_and_refly_reproduces_contact(plan1):
    days = float(plan1.docking_epoch - EPOCH) / 86400.0
    assert 0.0 < days <= 4.0
    rho, rho_dot = refly(plan1, EPOCH, CHASER1, TARGET1)
    # measured: 0.08 mm from contact, closing 0.150 m/s (to 1e-6 m/s)
    assert np.linalg.norm(rho) < 1e-3
    assert rho_dot[0] == pytest.approx(0.15e-3, abs=1e-8)
    assert np.linalg.norm(rho_dot[1:]) < 1e-8
    assert plan1.miss_km < 1e-3
    assert plan1.total_dv_km_s["target"] == 0.0 and not plan1.target_burns
    assert [b.name for b in plan1.burns][:4] == ["P1", "P2", "NPC", "P3"]


def test_synthetic_case_dv_against_two_body_and_hcw(plan1):
    # Phasing: the chaser gains 20 deg minus the aim point's 30 km / r over N + 1
    # revolutions of a phasing orbit whose far apsis is the aim radius: the period
    # T (1 - gain / (2 pi (N + 1))), entered and left by two tangential burns of
    # v - v_apoapsis each (Hohmann-like, two-body). The full model adds the lunar-J2 and
    # mascon drifts, which the corrector absorbs (measured: 1.36 vs 1.34 m/s).
    n_rev = plan1.phasing["revolutions"]
    r = R_MOON + 200.0
    gain = math.radians(20.0) - 30.0 / r
    a_ph = r * (1.0 - gain / (2.0 * math.pi * (n_rev + 1))) ** (2.0 / 3.0)
    v = math.sqrt(MU / r)
    dv_two_body = 2.0 * (v - math.sqrt(MU * (2.0 / r - 1.0 / a_ph)))
    assert 0.5e-3 < dv_two_body < 3e-3
    assert phasing_dv(plan1) == pytest.approx(dv_two_body, rel=0.2)
    # Approach: two-impulse HCW hops between the hold points in the leg times the plan
    # used, with the circular orbit's mean motion (first order in the distances, which is
    # the HCW model's own accuracy).
    n = math.sqrt(MU / r**3)
    ep = {b.name: b.epoch for b in plan1.burns}
    stops = [30.0, 5.0, 1.0, 0.1]
    hcw = 0.0
    for k in range(3):
        dt = float(ep[f"TB{k + 1}"] - ep[f"TA{k + 1}"])
        dv1, dv2 = hcw_two_impulse(n, dt, [-stops[k], 0, 0], [0, 0, 0], [-stops[k + 1], 0, 0])
        hcw += np.linalg.norm(dv1) + np.linalg.norm(dv2)
    approach = sum(b.magnitude for b in plan1.burns if b.phase == "approach")
    assert approach == pytest.approx(hcw, rel=0.2)
    # Closing 100 m at 0.15 m/s with a departure and a mid-course burn: at least the closing
    # speed, at most three times it.
    closing = sum(b.magnitude for b in plan1.burns if b.phase == "final approach")
    assert 0.15e-3 <= closing <= 0.45e-3
    assert plan1.total_dv_km_s["chaser"] == pytest.approx(phasing_dv(plan1) + approach
                                                          + closing)


def test_synthetic_case_outputs(plan1):
    t, rho = plan1.relative_lvlh()
    assert rho.shape == (t.size, 3) and np.all(np.diff(t) > 0) and np.max(np.diff(t)) <= 60.0
    assert np.linalg.norm(rho[-1]) < 1e-3
    r = R_MOON + 200.0  # at first 20 deg behind: x = -r sin 20, z = r (1 - cos 20) (below)
    assert np.allclose(rho[0], [-r * math.sin(math.radians(20)), 0.0,
                                r * (1 - math.cos(math.radians(20)))], atol=1e-6)
    rows = plan1.table()
    assert len(rows) == len(plan1.burns)
    assert {"name", "spacecraft", "epoch_utc", "dv_m_s", "purpose"} <= set(rows[0])
    d = json.loads(json.dumps(plan1.to_dict()))
    assert d["docking"]["miss_m"] < 1.0
    for b in plan1.burns:
        assert np.allclose(np.linalg.norm(b.dv_lvlh), np.linalg.norm(b.dv_gcrf), atol=1e-12)
        assert b.epoch.scale == "utc"
    assert plan1.chaser.centre == "moon" and plan1.target.centre == "moon"
    assert not plan1.warnings


# ---------------------------------------------------------------------------- case 2
@pytest.mark.parametrize("fraction", [0.3, 0.8])
def test_hcw_first_guess_matches_full_model_for_a_1_km_hop(fraction):
    # 2 km -> 1 km behind on V-bar. Over 0.3-0.8 revolution the lunar J2, the mascons and
    # the Earth change the departure burn by 0.3 % and 2.3 % (measured): HCW is a good first
    # guess and the corrector only trims it.
    r = np.linalg.norm(TARGET1[:3])
    period = 2 * math.pi * math.sqrt(r**3 / MU)
    rc, vc = absolute_state(TARGET1[:3], TARGET1[3:], [-2.0, 0, 0], [0, 0, 0])
    leg = hcw_transfer(MODEL, EPOCH, np.r_[rc, vc], TARGET1, fraction * period, [-1.0, 0, 0])
    diff = np.linalg.norm(leg.first_guess_lvlh - leg.dv_lvlh) / np.linalg.norm(leg.dv_lvlh)
    assert diff < 0.05
    assert np.linalg.norm(leg.arrival_lvlh - [-1.0, 0, 0]) < 1e-6  # 1 mm


# ---------------------------------------------------------------------------- case 3
def test_change5_like_timing():
    # Ascender inserted at the periapsis of a 15 x 180 km orbit at 15:16 UTC (lift-off 15:10);
    # orbiter-returner at 200 km, 30 deg behind, same plane. Docking within 2.5 days (the
    # deadline stands for the mission's timeline; the least-dv phasing then uses most of it).
    # Real: 2 d 6.5 h after lift-off. The window 1.5-3 d is wide because the real phase at
    # ascent and the mission's own phasing choices (four orbit changes, ground passes) are
    # not modelled: what is checked is that a 2-day-class plan with the ascender's own
    # circularisation comes out and docks.
    liftoff = Epoch.from_iso("2020-12-03T15:10:00Z")
    insertion = Epoch.from_iso("2020-12-03T15:16:00Z")
    target = lunar_state(insertion, 15.0, 180.0, 80.0)
    chaser = lunar_state(insertion, 200.0, 200.0, 50.0)
    plan = plan_lunar_rendezvous(MODEL, chaser_epoch=insertion, chaser_state=chaser,
                                 target_epoch=insertion, target_state=target, max_days=2.5)
    days = float(plan.docking_epoch - liftoff) / 86400.0
    assert 1.5 <= days <= 3.0  # measured: 2020-12-06T01:30 UTC, 2.43 d
    (circ,) = plan.target_burns
    assert circ.name == "T-CIRC" and circ.spacecraft == "target"
    # at the first apoapsis, half a 15 x 180 km period (1 h 58 min) after insertion
    assert float(circ.epoch - insertion) == pytest.approx(0.5 * 7060.0, abs=300.0)
    rp, ra = R_MOON + 15.0, R_MOON + 180.0
    dv_circ = math.sqrt(MU / ra) - math.sqrt(MU * (2.0 / ra - 2.0 / (rp + ra)))
    assert circ.magnitude == pytest.approx(dv_circ, rel=0.05)  # 36.4 m/s
    assert plan.phasing["target_altitude_km"] == pytest.approx(180.0, abs=3.0)
    assert phasing_dv(plan) == pytest.approx(plan.phasing["two_body_dv_m_s"] * 1e-3, rel=0.2)
    rho, rho_dot = refly(plan, insertion, chaser, target)
    assert np.linalg.norm(rho) < 1e-3
    assert rho_dot[0] == pytest.approx(0.15e-3, abs=1e-8)


# ---------------------------------------------------------------------------- case 4
def _plan(**kw):
    args = dict(chaser_epoch=EPOCH, chaser_state=CHASER1, target_epoch=EPOCH,
                target_state=TARGET1)
    args.update(kw)
    return plan_lunar_rendezvous(MODEL, **args)


@pytest.mark.parametrize("kw, words", [
    (dict(chaser_state=CHASER1 * np.r_[1, 1, 1, 1.5, 1.5, 1.5]), "not a lunar orbit"),
    (dict(target_state=TARGET1 * np.r_[0.8, 0.8, 0.8, 1, 1, 1]), "below the lunar surface"),
    (dict(target_state=TARGET1 * np.r_[1, 1, 1, 0.9, 0.9, 0.9]), "hits the Moon"),
    (dict(chaser_state=np.r_[CHASER1[:5], np.nan]), "finite"),
    (dict(target_state=np.r_[np.inf, TARGET1[1:]]), "finite"),
    (dict(hold_points_km=(1.0, 5.0)), "decreasing"),
    (dict(max_days=-1.0), "max_days"),
])
def test_bad_inputs(kw, words):
    with pytest.raises(InputError, match=words):
        _plan(**kw)


def test_too_few_days_says_how_many_are_needed():
    with pytest.raises(PlanningError, match="max_days >=") as exc:
        _plan(max_days=0.2)
    need = float(re.search(r"max_days >= ([0-9.]+)", str(exc.value)).group(1))
    assert 0.2 < need < 1.0
    plan = _plan(max_days=need)  # and that many are enough
    assert float(plan.docking_epoch - EPOCH) <= need * 86400.0
    assert plan.miss_km < 1e-3


def test_plane_change_epoch_offset_and_earliest_docking():
    # Chaser given an hour before the target, in a plane 0.5 deg more inclined (same node):
    # it is propagated to the target's epoch, rotates its velocity into the target's plane at
    # the node (2 v sin(0.25 deg) = 13.9 m/s), and docks no earlier than asked.
    ep_c = EPOCH - 3600.0
    chaser = propagate(MODEL, EPOCH, lunar_state(EPOCH, 200.0, 200.0, -20.0, INC + 0.5),
                       -3600.0, centre="moon").final
    earliest = EPOCH + 86400.0
    plan = plan_lunar_rendezvous(MODEL, chaser_epoch=ep_c, chaser_state=chaser,
                                 target_epoch=EPOCH, target_state=TARGET1, max_days=2.0,
                                 earliest_docking=earliest, objective="earliest")
    assert plan.common_epoch.isclose(EPOCH, atol_s=1e-3)
    assert plan.phasing["plane_angle_deg"] == pytest.approx(0.5, abs=0.05)
    pc = [b for b in plan.burns if b.name == "PC"]
    assert len(pc) == 1
    v = math.sqrt(MU / (R_MOON + 200.0))
    assert pc[0].magnitude == pytest.approx(2 * v * math.sin(math.radians(0.25)), rel=0.1)
    days = float(plan.docking_epoch - EPOCH) / 86400.0
    assert 1.0 <= days <= 2.0
    # re-fly the chaser from its own epoch, the target from its own
    t_dock = float(plan.docking_epoch.tdb - ep_c.tdb)
    c = fly(MODEL, ep_c, chaser, t_dock, centre="moon", maneuvers=plan.maneuvers("chaser"))
    t = fly(MODEL, EPOCH, TARGET1, float(plan.docking_epoch.tdb - EPOCH.tdb), centre="moon")
    rho, _ = relative_state(t.final[:3], t.final[3:], c.final[:3], c.final[3:])
    assert np.linalg.norm(rho) < 1e-3
