"""Halo design by amplitude and the ``cosmoplan halo`` command."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from cosmoplan.cislunar import cr3bp
from cosmoplan.cislunar.design import design_halo, orbit_summary, parse_length_km
from cosmoplan.errors import InputError


@pytest.fixture(scope="module")
def queqiao_like():
    return design_halo("L2", "southern", "13000km")


def test_halo_of_a_given_amplitude(queqiao_like):
    d = queqiao_like
    s = orbit_summary(d.orbit)
    assert s["az_km"] == pytest.approx(13000.0, abs=1e-3)
    assert d.orbit.closure < 1e-10 and d.orbit.state0[2] < 0  # southern
    # a Queqiao-like L2 halo: period about two weeks (Queqiao: ~14 d, missions.json)
    assert 14.0 < s["period_days"] < 15.5
    # far from the Moon (no perilune under 40,000 km) and unstable (halo L2, small Az)
    assert 40_000 < s["perilune_km"] < s["apolune_km"] < 90_000
    assert s["stability_indices"][0] > 100 and not s["stable"]
    # Jacobi constant between L2's and the L1 gateway value: energetically beyond L2
    assert cr3bp.jacobi(np.r_[cr3bp.libration_point(2), 0, 0, 0]) > s["jacobi"]


def test_units_and_bad_input():
    assert parse_length_km("13000km") == 13000.0
    assert parse_length_km("0.01LU") == pytest.approx(3844.0)
    assert parse_length_km(12.5) == 12.5
    for bad in ("13000 miles", "-5km", "0", "nan"):
        with pytest.raises(InputError):
            parse_length_km(bad)
    with pytest.raises(InputError, match="does not exist"):
        design_halo("L6", "north", "1000km")
    with pytest.raises(InputError, match="L1 or L2"):
        design_halo("L4", "north", "1000km")
    with pytest.raises(InputError, match="northern or southern"):
        design_halo("L2", "eastern", "1000km")
    with pytest.raises(InputError, match=r"outside the L2 northern halo family: Az .largest"):
        design_halo("L2", "north", "900000km")


def test_halo_command_writes_its_files(tmp_path):
    out = tmp_path / "halo"
    proc = subprocess.run([sys.executable, "-m", "cosmoplan", "halo", "L2", "--family",
                           "northern", "--az", "13000km", "--epoch", "2018-06-14T03:06:00Z",
                           "--revolutions", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "halo L2 north" in proc.stdout and "period" in proc.stdout
    data = json.loads((out / "halo.json").read_text())
    assert data["az_km"] == pytest.approx(13000.0, abs=1e-3) and data["state0"][2] > 0
    eph = data["ephemeris_model"]
    assert eph["epoch_utc"].startswith("2018-06-14T03:06:00")
    assert eph["max_distance_to_cr3bp_orbit_km"] < 1000
    assert eph["max_deviation_from_cr3bp_same_time_km"] < 3000
    from cosmoplan import ccsds

    oem = ccsds.read(out / "halo.oem")
    md = oem.segments[0].metadata
    assert (md.center_name, md.ref_frame, md.time_system) == ("MOON", "ICRF", "UTC")
    r = np.linalg.norm(oem.segments[0].data.states[:, :3], axis=1)
    assert 40_000 < r.min() < r.max() < 90_000  # km from the Moon: a halo beyond L2
    for name in ("halo.png", "family.png"):
        assert (out / name).stat().st_size > 10_000
    proc = subprocess.run([sys.executable, "-m", "cosmoplan", "halo", "L2", "--az", "1e9km",
                           "--out", str(tmp_path / "bad")], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 2 and "outside the L2 northern halo family" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "bad").exists()


def test_hostile_arguments_are_input_errors():
    from cosmoplan.cislunar import cr3bp, ephemeris_model, periodic
    from cosmoplan.time import Epoch

    halo = [1.1808985497899205, 0, 0.00010295054075242347, 0, -0.15585631393981156, 0]
    bad_calls = [
        (lambda: cr3bp.propagate(halo, float("nan")), "t_final"),
        (lambda: cr3bp.propagate(halo, 1.0, dense=[0.0, float("nan"), 1.0]), "dense"),
        (lambda: cr3bp.propagate(halo, 1.0, mu=-0.5), "mu"),
        (lambda: cr3bp.propagate(["a"] * 6, 1.0), "state0"),
        (lambda: periodic.correct_symmetric(halo, fix="period", period=0.0), "period"),
        (lambda: periodic.correct_multiple_shooting(halo, -3.4), "period"),
        (lambda: periodic.continue_family(periodic.find_halo_bifurcation(2), 3, step=0.0),
         "step"),
        (lambda: ephemeris_model.transition_to_ephemeris(
            halo, 3.4155308065628454, Epoch.from_iso("2018-06-14T00:00:00Z"), 500),
         "revolutions"),
        (lambda: ephemeris_model.transition_to_ephemeris(
            [1.5, 0, 0.3, 0, 0.2, 0], 2.0, "2018-06-14T00:00:00Z", 2), "state0"),
    ]
    for call, field in bad_calls:
        with pytest.raises(InputError) as info:
            call()
        assert info.value.field == field, str(info.value)


def test_halo_family_stops_at_the_lunar_surface():
    from cosmoplan.cislunar import periodic

    fam = periodic.halo_family(2, "south")
    moon = np.array([1 - cr3bp.MU_EARTH_MOON, 0, 0])
    last = fam[len(fam) - 1]
    r = last.propagate(dense=4000).states[:, :3]
    half = cr3bp.propagate(last.state0, last.period / 2).state_final[:3]
    perilune_km = min(np.min(np.linalg.norm(r - moon, axis=1)),
                      np.linalg.norm(half - moon)) * cr3bp.EARTH_MOON.length_unit_km
    assert 1737.4 < perilune_km < 5000  # the last member still clears the surface
    assert len(fam) < 100 and len(np.unique(fam.period)) == len(fam)  # no stalled repeats
