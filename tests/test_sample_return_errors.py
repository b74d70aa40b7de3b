"""Bad sample-return scenarios: each error names the file, the line, the key, the value
and what to change, before any planning work (or, for the ephemeris span, before the
first propagation)."""

import re

import pytest

from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.mission import run_scenario
from cosmoplan.scenario import load_scenario, scenario_path

BASE = scenario_path("change-5").read_text(encoding="utf-8")


def _write(tmp_path, old, new):
    assert old in BASE, old
    p = tmp_path / "mission.toml"
    p.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return p


def _line_of(path, text):
    for k, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith(text):
            return k
    raise AssertionError(text)


def test_bundled_scenario_loads():
    sc = load_scenario("change-5")
    cfg = sc.to_config()
    assert set(cfg.vehicles) == {"orbiter", "returner", "lander", "ascender"}
    assert sum(v.mass_kg for v in cfg.vehicles.values()) == pytest.approx(8200.0)


def test_unreachable_landing_site(tmp_path):
    """An inclination below the site's latitude: the orbit never flies over it."""
    p = _write(tmp_path, "altitude_km = 200.0\ncapture",
               "altitude_km = 200.0\ninclination_deg = 30.0\ncapture")
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert "lunar_orbit.inclination_deg" in msg and "43.06" in msg
    assert "at least" in msg and str(p) in msg
    assert exc.value.line == _line_of(p, "inclination_deg")


@pytest.mark.parametrize("fpa", ["5.0", "-60.0", "0.0"])
def test_impossible_entry_flight_path_angle(tmp_path, fpa):
    p = _write(tmp_path, "entry_flight_path_angle_deg = -5.8",
               f"entry_flight_path_angle_deg = {fpa}")
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert "earth_return.entry_flight_path_angle_deg" in msg
    assert "-20 .. -0.5" in msg
    assert exc.value.line == _line_of(p, "entry_flight_path_angle_deg")


@pytest.mark.filterwarnings("ignore::cosmoplan.errors.DataRangeWarning")
def test_launch_outside_the_ephemeris(tmp_path):
    """A lift-off in 2060: DE421 and the lunar orientation file end in 2050-2053; the
    error gives the lift-off dates that work, before any trajectory is flown."""
    p = _write(tmp_path, 'liftoff = "2020-11-23T20:30:12Z"', 'liftoff = "2060-11-23T20:30:12Z"')
    with pytest.raises(DataRangeError) as exc:
        run_scenario(p, out_dir=False)
    msg = str(exc.value)
    assert "2060-11-23" in msg and "choose a lift-off between" in msg
    assert re.search(r"between 1900-\d\d-\d\d and 2050-\d\d-\d\d", msg)


def test_vehicle_errors(tmp_path):
    p = _write(tmp_path, "[vehicles.ascender]", "[vehicles.rover]\nmass_kg = 1.0\n"
               "dry_mass_kg = 0.5\nthrust_n = 1.0\nisp_s = 1.0\n\n[vehicles.ascender]")
    with pytest.raises(InputError, match="vehicles.rover"):
        load_scenario(p)
    p = _write(tmp_path, "mass_kg = 800.0\ndry_mass_kg = 280.0",
               "mass_kg = 800.0\ndry_mass_kg = 900.0")
    with pytest.raises(InputError, match=r"vehicles\.ascender\.dry_mass_kg.*not below"):
        load_scenario(p)
    p = _write(tmp_path, "isp_s = 306.0\n\n# the real", "isp_s = -306.0\n\n# the real")
    with pytest.raises(InputError, match="vehicles.ascender.isp_s"):
        load_scenario(p)


def test_unknown_launch_site_and_bad_dates(tmp_path):
    p = _write(tmp_path, 'site = "Wenchang"', 'site = "Atlantis"')
    with pytest.raises(InputError, match=r"launch\.site.*Wenchang"):
        load_scenario(p)
    p = _write(tmp_path, 'liftoff = "2020-11-23T20:30:12Z"', 'liftoff = "2020-13-23T20:30Z"')
    with pytest.raises(InputError, match="launch.liftoff"):
        load_scenario(p)
    p = _write(tmp_path, "days = 4.5", "days = 0.5")
    with pytest.raises(InputError, match="transfer.days"):
        load_scenario(p)


def test_stay_too_long_for_the_vertex_design(tmp_path):
    from cosmoplan.cislunar.sample_return import vertex_inclination

    with pytest.raises(InputError, match="half a sidereal month"):
        vertex_inclination(0.75, 20 * 86400.0)
    p = _write(tmp_path, "stay_hours = 48.0", "stay_hours = 400.0")
    with pytest.raises(InputError, match="surface.stay_hours"):
        load_scenario(p)


def test_missing_kind_is_named(tmp_path):
    """Without `kind`, a file is read as a rendezvous scenario; one with sample-return
    sections gets told which kind to add instead of sixteen unrelated problems."""
    p = _write(tmp_path, 'kind = "sample-return"\n', "")
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert "missing key 'scenario.kind'" in msg and 'kind = "sample-return"' in msg
    assert "[surface]" in msg and str(p) in msg
    assert exc.value.line == _line_of(p, "[scenario]")
