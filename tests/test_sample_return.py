"""Chang'e-5 end to end: `cosmoplan run change-5` against the real mission.

Real timeline: ../shared/refdata/vectors/missions.json (change5; CNSA via Xinhua, Wikipedia
infobox, go-taikonauts, see REFERENCES.md 2.2). The plan uses the real lift-off and landing
site; everything else (transfer time 4.5 d, 200 km lunar orbit, 48 h surface stay,
rendezvous within 2.5 days, vehicle masses) is a stated design input of the bundled
scenario, not a value read back from the real timeline.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cosmoplan.cislunar.dynamics import lunar_elements
from cosmoplan.cislunar.sample_return import G0_M_S2, LEG_NAMES
from cosmoplan.mission import SAMPLE_RETURN_OEMS, reference_comparison, run_scenario
from cosmoplan.time import Epoch

REF = json.loads((Path(__file__).parents[2] / "shared" / "refdata" / "vectors" /
                  "missions.json").read_text())["change5"]
H = 3600.0
D = 86400.0


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("change-5")
    return run_scenario("change-5", out_dir=out), out


def _real(key):
    return Epoch.from_iso(REF[key])


def test_lunar_orbit_insertion_within_12_hours(run):
    """LOI-1 within 12 h of 2020-11-28 12:58 UTC given the real lift-off: the 4.5-day
    transfer is a design input (Chang'e-5 flew 4.69 d; the real value is not published as a
    design number), 12 h is the issue's tolerance."""
    tl = run[0].sample_return
    loi = next(b for b in tl.burns if b.name == "LOI-1")
    assert abs(float(loi.epoch - _real("loi_utc"))) < 12 * H


def test_landing_site_reached_on_the_real_day(run):
    """The descent ends at the site: the parking orbit passes within 0.1 deg (3 km) of it
    at the landing pass (the descent's cross-range correction is budgeted). The landing
    falls on the real day: within 6 h of 2020-12-01 15:11 UTC. Reason: the plane design
    (the site in the plane at landing and lift-off 48 h apart, in the full model) sets the
    day; the hour depends on which 2-h revolution carries the descent. (Measured: +13 min.)"""
    tl = run[0].sample_return
    assert abs(tl.lunar_orbit["landing_cross_track_deg"]) < 0.1
    land = tl.event("Landing")
    assert abs(float(land - _real("landing_utc"))) < 6 * H
    asc = tl.event("Ascent lift-off")
    assert abs(float(asc - _real("ascent_liftoff_utc"))) < 6 * H
    assert abs(float(asc - land) - 48 * H) < 1.0 * H  # the requested stay


def test_docking_tei_and_entry_on_consistent_days(run):
    """Docking within 12 h of 2020-12-05 21:42 UTC (the rendezvous window of 2.5 days is a
    design input; the real phase of the orbiter at ascent is not public). TEI-2 within 2
    days of 2020-12-13 01:51 UTC: the return window comes from the plane geometry (the
    planner searches 14 days after docking and takes the cheapest); Earth entry on the
    day of the real capsule landing 2020-12-16 (UTC) and before it."""
    tl = run[0].sample_return
    dock = tl.event("Docking")
    assert abs(float(dock - _real("lunar_orbit_docking_utc"))) < 12 * H
    tei2 = next(b for b in tl.burns if b.name == "TEI-2")
    assert abs(float(tei2.epoch - _real("tei2_utc"))) < 2 * D
    entry = tl.event("Entry interface")
    landing = _real("capsule_landing_utc")
    assert entry.utc.iso()[:10] == "2020-12-16"
    assert 0 < float(landing - entry) < 6 * H


def test_targets_met_in_the_full_model(run):
    """TLI: periapsis altitude within 1 km and inclination within 0.01 deg; entry
    flight-path angle within 0.01 deg of -5.8 deg at 120 km; the landing site on the
    ground track at the requested range."""
    tl = run[0].sample_return
    p = tl.tli.periapsis
    assert abs(p["periapsis_altitude"] - 200.0) < 1.0
    assert abs(math.degrees(p["i"]) - tl.lunar_orbit["inclination_deg"]) < 0.01
    e = tl.earth_return.entry
    assert abs(e.fpa_deg + 5.8) < 0.01
    assert abs(e.altitude_km - 120.0) < 0.5
    assert abs(tl.earth_return.crossrange_km) < 1.0
    assert abs(tl.earth_return.downrange_km - 6000.0) < 1.0
    assert 10.8 < e.speed_km_s < 11.1  # near-escape return speed


def test_delta_v_budget_within_published_ranges(run):
    """Per vehicle, against published lunar budgets (Mueller 2012 via PMC7385728 table 4:
    100 km orbit to surface 2.076 km/s, 2.18 with reserve, surface to 100 km orbit 1.874
    km/s; Apollo 11 LOI ~0.89 and TEI ~1.0 km/s from a 110 km orbit (NASA MSC-00171):
    - orbiter (MCC, LOI, rendezvous, TEI, TCM): 1.4-2.1 km/s;
    - lander (DOI + powered descent from 200 km): 1.9-2.4 km/s (a constant-thrust gravity
      turn at Chang'e-5's thrust-to-weight 1.2 loses more than Apollo's throttled descent);
    - ascender (ascent to 15 x 180 km + circularisation): 1.75-2.0 km/s;
    and the launcher's TLI 3.05-3.2 km/s."""
    tl = run[0].sample_return
    by = tl.total_by_vehicle()
    assert 1.4 < by["orbiter"] < 2.1
    assert 1.9 < by["lander"] < 2.4
    assert 1.75 < by["ascender"] < 2.0
    assert 3.05 < by["launcher"] < 3.2
    loi = sum(b.dv_km_s for b in tl.burns if b.name.startswith("LOI"))
    tei = sum(b.dv_km_s for b in tl.burns if b.name.startswith("TEI"))
    assert 0.7 < loi < 1.0
    assert 0.75 < tei < 1.1


def test_masses_follow_the_rocket_equation(run):
    """Each burn's masses obey m1 = m0 exp(-(dv + loss) / (Isp g0)) with the burning
    vehicle's Isp (loss: the gravity loss of the fitted finite burn, LOI and TEI only, a
    few to 12 m/s each for burns of 3-18 min), and no vehicle goes below its dry mass."""
    tl = run[0].sample_return
    cfg = tl.config
    for b in tl.burns:
        if b.vehicle == "launcher":
            continue
        isp = cfg.vehicles[b.vehicle].isp_s
        dv = b.dv_km_s + b.gravity_loss_km_s
        assert b.mass_after_kg == pytest.approx(
            b.mass_before_kg * math.exp(-dv * 1e3 / (isp * G0_M_S2)), rel=1e-12)
        if b.name.startswith(("LOI", "TEI")):
            assert 0.0 < b.gravity_loss_km_s < 0.02
    loi1 = next(b for b in tl.burns if b.name == "LOI-1")
    # real LOI-1: the 3,000 N engine for about 17 minutes (CNSA via ECNS, 2020-11-29)
    assert 15 * 60 < loi1.duration_s < 19 * 60
    for name, m in tl.masses.items():
        assert m >= cfg.vehicles[name].dry_mass_kg


def test_reflown_legs_and_lunar_orbit(run):
    """The legs join: each leg starts where the previous one ended (same centre after
    conversion) within 1 m, burns excepted (velocity jumps only). The lunar parking orbit
    is near-circular at about 200 km and inclined as designed."""
    from cosmoplan.cislunar.dynamics import change_centre

    tl = run[0].sample_return
    assert tuple(leg.name for leg in tl.legs) == LEG_NAMES
    for a, b in zip(tl.legs[:-1], tl.legs[1:]):
        end = change_centre(a.states[-1], a.epochs[-1], a.centre, b.centre)
        assert abs(float(b.epochs[0] - a.epochs[-1])) < 1e-3
        assert np.linalg.norm(end[:3] - b.states[0, :3]) < 1e-3, (a.name, b.name)
    park = tl.legs[3]
    el = lunar_elements(park.states[0], park.epochs[0])
    assert el["e"] < 0.01 and 180 < el["periapsis_altitude"] < 205
    assert abs(math.degrees(el["i"]) - tl.lunar_orbit["inclination_deg"]) < 0.3


def test_files_and_comparison(run):
    """The run writes the summary, timeline, plot and one OEM per leg; the summary holds
    the real timeline beside the plan."""
    res, out = run
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(("mission.json", "timeline.csv", "mission.png")
                           + SAMPLE_RETURN_OEMS)
    summary = json.loads((out / "mission.json").read_text())
    comp = {r["event"]: r for r in summary["comparison_with_reference"]}
    assert abs(comp["Landing"]["difference_hours"]) < 6
    assert comp == {r["event"]: r for r in reference_comparison(res.scenario,
                                                                res.sample_return)}
    from cosmoplan import ccsds

    oem = ccsds.read(out / "05-rendezvous-orbiter.oem")
    assert oem.segments[0].metadata.center_name == "MOON"
    assert oem.segments[0].metadata.ref_frame == "ICRF"


def test_no_compromises_and_daylight(run):
    """The bundled plan needs no design compromise (no PlanningWarning notes); the landing
    and the ascent happen in daylight (Chang'e-5 was solar powered and worked one lunar
    day), and the orbiter's lunar orbit stays above 100 km (LP165P 8x8 makes a 200 km orbit
    breathe by +-20 km; the rendezvous phasing orbit dips to ~135 km)."""
    tl = run[0].sample_return
    assert tl.warnings == []
    sun = tl.lunar_orbit["sun_elevation_deg"]
    assert 0.0 < sun["landing"] < 90.0 and 0.0 < sun["ascent"] < 90.0
    assert sun["ascent"] > sun["landing"]  # the Sun climbs through the morning
    lows = [lo for lo, _ in tl.lunar_orbit["altitude_range_km"].values()]
    assert min(lows) > 100.0
    summary = json.loads((run[1] / "mission.json").read_text())
    assert summary["inputs"]["surface"]["lat_deg"] == 43.0576
    assert summary["inputs"]["launch"]["liftoff"] == REF["launch_utc"]
    assert "cosmoplan_version" in summary
