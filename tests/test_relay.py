"""The queqiao-relay scenario: a Queqiao-like L2 halo and the links it gives (issue 6)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from cosmoplan.errors import InputError
from cosmoplan.mission import run_scenario
from cosmoplan.scenario import load_scenario, scenario_path


@pytest.fixture(scope="module")
def relay_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("relay") / "out"
    return run_scenario("queqiao-relay", out), out


def test_far_side_site_relies_on_the_relay(relay_run):
    res, out = relay_run
    study = res.relay
    vk = study.coverage["Von Kármán crater (Chang'e-4)"]
    # physical check: the far side never sees the Earth directly
    assert vk.fraction("direct_to_earth") == 0.0
    assert np.all(vk.earth_elevation_deg < -40)
    # the relay sees the site and the Earth for most of each orbit
    assert vk.fraction("site_relay") > 0.95
    assert vk.fraction("end_to_end") > 0.9
    # the halo never passes behind the Moon as seen from the Earth (Az 13000 km)
    assert vk.fraction("relay_earth") > 0.99


def test_south_pole_site_sees_a_13000_km_halo_part_of_the_time(relay_run):
    res, _ = relay_run
    sp = res.relay.coverage["Shackleton rim (south pole)"]
    # at 88.7 S the relay's elevation swings about the horizon: partial coverage, with
    # gaps of days, and no direct Earth link over a flat 5 deg mask (Earth at ~ +-1.5 deg)
    assert 0.2 < sp.fraction("site_relay") < 0.7
    assert sp.longest_gap() * res.relay.design.system.time_unit_s / 3600 > 24
    assert sp.fraction("direct_to_earth") == 0.0
    assert np.max(sp.relay_elevation_deg) < 15


def test_ground_network_sees_the_relay(relay_run):
    from cosmoplan.access import coverage

    res, _ = relay_run
    study = res.relay
    g = study.ground
    # independently: cosmoplan.access on the relay's GCRF positions, 10 deg mask (the
    # scenario's), refined contacts rather than samples
    ref = coverage("china", study.epochs, study.relay_gcrf_km, mask_deg=10.0)
    for name in ("Kashi", "Jiamusi", "Neuquen"):
        assert g[name] == pytest.approx(ref.per_station[name], abs=0.01)
        assert 0.3 < g[name] < 0.5  # above 10 deg about 40 % of the day
    assert g["_network"] == pytest.approx(ref.fraction, abs=0.01)
    assert 0.9 < g["_network"] < 1.0  # three longitudes ~120 deg apart, gaps of ~1.5 h
    for name, frac in g["_end_to_end"].items():
        assert frac <= res.relay.coverage[name].fraction("site_relay") + 1e-12


def test_relay_orbit_and_files(relay_run):
    res, out = relay_run
    data = json.loads((out / "relay.json").read_text())
    o = data["orbit"]
    assert o["libration_point"] == "L2" and o["az_km"] == pytest.approx(13000, abs=1e-3)
    assert 14.0 < o["period_days"] < 15.5  # Queqiao: about 14 days (missions.json)
    assert data["ephemeris_model"]["max_distance_to_cr3bp_orbit_km"] < 1000
    assert data["ephemeris_model"]["max_deviation_from_cr3bp_same_time_km"] < 3000
    assert data["epoch_utc"].startswith("2018-06-14T03:06:00")
    for name in ("relay.oem", "coverage.png", "halo.png"):
        assert (out / name).stat().st_size > 5_000
    from cosmoplan import ccsds

    oem = ccsds.read(out / "relay.oem")
    assert oem.segments[0].metadata.center_name == "MOON"


@pytest.mark.filterwarnings("ignore::cosmoplan.errors.DataRangeWarning")  # UTC in 2090
def test_relay_scenario_errors(tmp_path):
    text = scenario_path("queqiao-relay").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('bundled = "von-karman"', 'bundled = "atlantis"'))
    with pytest.raises(InputError) as info:
        load_scenario(bad)
    assert "atlantis" in str(info.value) and str(bad) in str(info.value)
    bad.write_text(text.replace('epoch = "2018-06-14T03:06:00Z"', 'epoch = "2090-01-01"'))
    with pytest.raises(InputError, match="outside the ephemeris"):
        run_scenario(bad, False)
    bad.write_text(text.replace("az_km = 13000.0", "az_km = 95000.0"))
    with pytest.raises(InputError, match="outside the L2 southern halo family"):
        run_scenario(bad, False)


def test_run_queqiao_relay_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cosmoplan", "run", "queqiao-relay", "--out",
                           str(tmp_path / "q")], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Link availability" in proc.stdout and "Von Kármán" in proc.stdout


def test_gaps_never_exceed_the_span_and_sampling_is_bounded():
    from cosmoplan.cislunar.relay import relay_study
    from cosmoplan.mission import _longest_gap_s

    assert _longest_gap_s(np.zeros(5, dtype=bool), 60.0) == 240.0  # 5 samples span 4 steps
    assert _longest_gap_s(np.array([True, False, False, True]), 60.0) == 120.0
    with pytest.raises(InputError, match="at least two steps"):
        relay_study("L2", "south", "13000km", "2018-06-14T03:06:00Z", ["von-karman"],
                    days=0.01, step_minutes=240)
    with pytest.raises(InputError, match="at most 200,000"):
        relay_study("L2", "south", "13000km", "2018-06-14T03:06:00Z", ["von-karman"],
                    days=365, step_minutes=0.5)
