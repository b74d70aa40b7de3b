"""Scenario files (cosmoplan.scenario): the bundled one loads; bad ones fail clearly."""

from pathlib import Path

import pytest

from cosmoplan.errors import InputError
from cosmoplan.scenario import bundled_scenarios, load_scenario, scenario_path

BUNDLED = Path(scenario_path("shenzhou-12")).read_text()


def _write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_bundled_scenario_loads():
    assert "shenzhou-12" in bundled_scenarios()
    sc = load_scenario("shenzhou-12")
    cfg = sc.to_config()
    assert cfg.max_duration_s == pytest.approx(6.5 * 3600)
    assert cfg.approach.hold_distances_km == (5.0, 0.4, 0.2, 0.019)
    tle, others = sc.target_element_sets()
    assert tle.epoch.utc.iso(0)[:10] == "2021-06-26"
    assert others[0].epoch.utc.iso(0)[:10] == "2021-06-01"


def test_missing_key_names_file_and_key(tmp_path):
    text = BUNDLED.replace('day = "2021-06-17"\n', "")
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert str(p) in msg and "missing key 'launch.day'" in msg
    assert exc.value.field == "launch.day"


def test_wrong_type_names_line_and_value(tmp_path):
    text = BUNDLED.replace("perigee_altitude_km = 200.0", 'perigee_altitude_km = "low"')
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"low"' in t)
    assert f"line {line}" in msg and "insertion.perigee_altitude_km" in msg and "'low'" in msg


def test_impossible_orbit_perigee_below_surface(tmp_path):
    text = BUNDLED.replace("perigee_altitude_km = 200.0", "perigee_altitude_km = -50.0")
    p = _write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "-50.0" in t)
    assert f"line {line}" in msg and "below the surface" in msg and "-50.0" in msg


def test_apogee_below_perigee(tmp_path):
    text = BUNDLED.replace("apogee_altitude_km = 350.0", "apogee_altitude_km = 150.0")
    with pytest.raises(InputError, match="apogee altitude 150.0 km is below the perigee"):
        load_scenario(_write(tmp_path, text))


def test_unknown_key_and_toml_syntax(tmp_path):
    with pytest.raises(InputError, match="unknown key 'launch.dya'"):
        load_scenario(_write(tmp_path, BUNDLED.replace('day = "2021-06-17"',
                                                       'day = "2021-06-17"\ndya = 1')))
    with pytest.raises(InputError, match="TOML syntax error") as exc:
        load_scenario(_write(tmp_path, BUNDLED.replace("[site]", "[site"), "t.toml"))
    assert exc.value.line is not None


def test_bad_date_and_missing_tle(tmp_path):
    with pytest.raises(InputError, match="2021-06-31"):
        load_scenario(_write(tmp_path, BUNDLED.replace('day = "2021-06-17"',
                                                       'day = "2021-06-31"')))
    sc = load_scenario(_write(tmp_path, BUNDLED.replace("tianhe_48274_2021.tle", "nope.tle")))
    with pytest.raises(InputError, match="nope.tle"):
        sc.target_object()


def test_hold_profile_lengths_checked(tmp_path):
    assert "transfer_durations_min = [15.0, 5.0, 8.0]" in BUNDLED
    text = BUNDLED.replace("transfer_durations_min = [15.0, 5.0, 8.0]",
                           "transfer_durations_min = [20.0, 5.0]")
    with pytest.raises(InputError, match="2 transfer durations for 4 hold points") as exc:
        load_scenario(_write(tmp_path, text))
    assert "rendezvous.transfer_durations_min" in str(exc.value) or \
        exc.value.field == "rendezvous.transfer_durations_min"


def test_unknown_bundled_name():
    with pytest.raises(InputError, match="neither a scenario file nor a bundled scenario"):
        load_scenario("apollo-11")


@pytest.mark.parametrize("old,new,key,says", [
    ("mass_kg = 36000.0", "mass_kg = true", "target.mass_kg", "valid number"),
    ("perigee_altitude_km = 200.0", 'perigee_altitude_km = "200"',
     "insertion.perigee_altitude_km", "valid number"),
    ("docking_port_lvlh_m = [-13.0, 0.0, 0.0]", "docking_port_lvlh_m = [nan, 0.0, 0.0]",
     "rendezvous.docking_port_lvlh_m", "finite number"),
    ('raan_offset_deg = "auto"', 'raan_offset_deg = "manual"', "rendezvous.raan_offset_deg",
     "a valid number or 'auto'"),
    ("sample_step_s = 20.0", "sample_step_s = 1e-6", "output.sample_step_s",
     "greater than or equal to 1"),
    ('day = "2021-06-17"', 'day = "2021-02-30"', "launch.day", "invalid calendar date"),
])
def test_strict_values_name_key_line_and_value(tmp_path, old, new, key, says):
    """No silent coercion (true is not 1 kg, "200" is not 200 km), no NaN, no internals."""
    assert old in BUNDLED
    text = BUNDLED.replace(old, new)
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, text))
    msg = str(exc.value)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if new in t)
    assert f"line {line}" in msg and key in msg and says in msg
    assert "ERFA" not in msg and "dtf2d" not in msg


def test_utf8_bom_is_accepted(tmp_path):
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbf" + BUNDLED.encode())
    assert load_scenario(p).scenario.name == "shenzhou-12"


def test_docking_port_far_from_the_target(tmp_path):
    text = BUNDLED.replace("docking_port_lvlh_m = [-13.0, 0.0, 0.0]",
                           "docking_port_lvlh_m = [-50000.0, 0.0, 0.0]")
    with pytest.raises(InputError, match="must lie on the target"):
        load_scenario(_write(tmp_path, text))


def test_state_target_checked(tmp_path):
    """A state vector in metres, or inside the Earth, is refused with the key named."""
    start = BUNDLED.index('tle_file = "tianhe_48274_2021.tle"')
    end = BUNDLED.index("mass_kg = 36000.0")
    metres = ('state = { epoch = "2021-06-17T00:00:00Z", frame = "GCRF", '
              "r_km = [6769000.0, 0.0, 0.0], v_km_s = [0.0, 5770.0, 5070.0] }\n")
    sc = load_scenario(_write(tmp_path, BUNDLED[:start] + metres + BUNDLED[end:]))
    with pytest.raises(InputError, match="not a bound Earth orbit: check the units") as exc:
        sc.target_object()
    assert exc.value.field == "target.state" and "s.toml" in str(exc.value)
    inside = metres.replace("6769000.0", "3000.0").replace("5770.0", "5.77").replace(
        "5070.0", "5.07")
    sc = load_scenario(_write(tmp_path, BUNDLED[:start] + inside + BUNDLED[end:], "i.toml"))
    with pytest.raises(InputError, match="below 80 km altitude"):
        sc.target_object()
    bad_frame = metres.replace('"GCRF"', '"J2001"').replace("6769000.0", "6769.0").replace(
        "5770.0", "5.77").replace("5070.0", "5.07")
    sc = load_scenario(_write(tmp_path, BUNDLED[:start] + bad_frame + BUNDLED[end:], "f.toml"))
    with pytest.raises(InputError, match="unknown frame 'J2001'") as exc:
        sc.target_object()
    assert exc.value.field == "target.state.frame" and exc.value.line is not None


def test_names_must_be_one_line(tmp_path):
    text = BUNDLED.replace('name = "SHENZHOU-12"', 'name = "SZ\\nMETA_STOP"')
    with pytest.raises(InputError, match="one line of text without control characters"):
        load_scenario(_write(tmp_path, text))


def test_day_is_a_date(tmp_path):
    assert load_scenario(_write(tmp_path, BUNDLED.replace('day = "2021-06-17"',
                                                          "day = 2021-06-17"))).launch.day \
        == "2021-06-17"  # a TOML date is fine
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        load_scenario(_write(tmp_path, BUNDLED.replace('day = "2021-06-17"',
                                                       'day = "2021-06-17T05:00:00Z"'), "t.toml"))
