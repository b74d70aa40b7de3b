"""The command line, as a user runs it: outputs on success, clean errors on bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cosmoplan.scenario import scenario_path

BUNDLED = Path(scenario_path("shenzhou-12")).read_text()


def _cosmoplan(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cosmoplan", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def shenzhou_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    proc = _cosmoplan("run", "shenzhou-12", "--out", str(out))
    return proc, out


def test_run_bundled_scenario_writes_everything(shenzhou_run):
    proc, out = shenzhou_run
    assert proc.returncode == 0, proc.stderr
    for name in ("plan.json", "chaser.oem", "relative_approach.png", "altitude.png",
                 "ground_track.png"):
        assert (out / name).stat().st_size > 1000, name
    assert "Launch opportunities" in proc.stdout and "Burns" in proc.stdout
    assert "Timeline" in proc.stdout and "docking" in proc.stdout
    data = json.loads((out / "plan.json").read_text())
    assert data["launch_epoch_utc"].startswith("2021-06-17T01:2")
    assert data["docking_epoch_utc"].startswith("2021-06-17T0")
    assert data["totals"]["delta_v_m_s"] > 40
    oem = (out / "chaser.oem").read_text()
    assert oem.startswith("CCSDS_OEM_VERS = 2.0")
    assert oem.count("META_START") == len(data["burns"]) + 1
    assert "REF_FRAME = GCRF" in oem and "TIME_SYSTEM = UTC" in oem
    assert not list(out.parent.glob(".*staging*"))


def test_bad_scenario_exits_nonzero_without_traceback_or_files(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BUNDLED.replace("perigee_altitude_km = 200.0", "perigee_altitude_km = -10.0"))
    out = tmp_path / "out"
    proc = _cosmoplan("run", str(bad), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "bad.toml" in proc.stderr and "perigee" in proc.stderr and "-10.0" in proc.stderr
    assert not out.exists()


def test_malformed_tle_in_scenario(tmp_path):
    tle = tmp_path / "t.tle"
    good = Path(scenario_path("shenzhou-12")).parent.parent / "tianhe_48274_2021.tle"
    lines = good.read_text().splitlines()
    lines[5] = lines[5][:20] + "X" + lines[5][21:]  # a letter in the RAAN field
    tle.write_text("\n".join(lines) + "\n")
    sc = tmp_path / "s.toml"
    sc.write_text(BUNDLED.replace('tle_file = "tianhe_48274_2021.tle"', f'tle_file = "{tle}"'))
    proc = _cosmoplan("run", str(sc), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "t.tle" in proc.stderr and "line 6" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_scenario_name():
    proc = _cosmoplan("run", "apollo-11")
    assert proc.returncode == 2 and "apollo-11" in proc.stderr and "Traceback" not in proc.stderr


def test_scenarios_listing():
    proc = _cosmoplan("scenarios")
    assert proc.returncode == 0 and "shenzhou-12" in proc.stdout


def test_unusable_output_folder_fails_before_planning(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    proc = _cosmoplan("run", "shenzhou-12", "--out", str(afile), "--no-plots")
    assert proc.returncode == 2 and "exists and is not a folder" in proc.stderr
    assert "Traceback" not in proc.stderr and afile.read_text() == "x"
    blocked = tmp_path / "o"
    (blocked / "plan.json").mkdir(parents=True)
    proc = _cosmoplan("run", "shenzhou-12", "--out", str(blocked), "--no-plots")
    assert proc.returncode == 2 and "plan.json" in proc.stderr and "not a file" in proc.stderr
    assert sorted(p.name for p in blocked.iterdir()) == ["plan.json"]
    assert not list(tmp_path.glob(".cosmoplan-staging*"))


def test_launch_day_far_from_the_element_sets(tmp_path):
    """2100-01-01 is 79 years from Tianhe's element sets: refused up front, with the file
    and line of the day, not an SGP4 failure deep inside."""
    sc = tmp_path / "s.toml"
    tle = Path(scenario_path("shenzhou-12")).parent.parent / "tianhe_48274_2021.tle"
    sc.write_text(BUNDLED.replace('day = "2021-06-17"', 'day = "2100-01-01"').replace(
        'tle_file = "tianhe_48274_2021.tle"', f'tle_file = "{tle}"'))
    proc = _cosmoplan("run", str(sc), "--out", str(tmp_path / "out"), "--no-plots")
    assert proc.returncode == 2, proc.stderr
    line = next(i for i, t in enumerate(sc.read_text().splitlines(), 1) if "2100-01-01" in t)
    assert f"s.toml, line {line}" in proc.stderr and "cannot be predicted that far" in proc.stderr
    assert proc.stderr.count("warning:") <= 2  # repeated warnings are printed once
    assert not (tmp_path / "out").exists()


def test_sigterm_leaves_no_partial_files(tmp_path):
    """A run killed (SIGTERM) while it works leaves no staging folder and no partial file."""
    import signal
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "cosmoplan", "run", "shenzhou-12", "--out",
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=tmp_path)
    time.sleep(2.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # it finished before the signal on a fast machine
        assert sorted(p.name for p in out.iterdir())
    else:
        assert proc.returncode in (130, -signal.SIGTERM, 143)
        assert not out.exists() or not any(out.iterdir())
    assert not list(tmp_path.glob(".cosmoplan-staging*"))


def test_names_are_text_not_markup_or_maths(tmp_path):
    """A site name with rich markup ("[/red]") and maths ("$^$") prints and plots as text."""
    sc = tmp_path / "s.toml"
    tle = Path(scenario_path("shenzhou-12")).parent.parent / "tianhe_48274_2021.tle"
    sc.write_text(BUNDLED.replace('name = "Jiuquan"', 'name = "Jiuquan [/red] $^$"').replace(
        'tle_file = "tianhe_48274_2021.tle"', f'tle_file = "{tle}"'))
    proc = _cosmoplan("run", str(sc), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "Jiuquan [/red] $^$" in proc.stdout
    assert (tmp_path / "out" / "ground_track.png").stat().st_size > 1000


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp / ("a" * 300)),
    lambda tmp: str(tmp / "x" / ("a" * 300) / "y"),
    lambda tmp: (tmp / "dangling").symlink_to(tmp / "nowhere") or str(tmp / "dangling"),
])
def test_impossible_output_paths_fail_before_planning(tmp_path, make):
    out = make(tmp_path)
    proc = _cosmoplan("run", "shenzhou-12", "--out", out, "--no-plots")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "phasing" not in proc.stderr  # refused before planning started
    assert not (tmp_path / "x").exists()


def test_bundled_name_wins_over_a_folder_of_the_same_name(tmp_path):
    (tmp_path / "shenzhou-12").mkdir()
    proc = _cosmoplan("run", "shenzhou-12", "--out", str(tmp_path / "o"), "--no-plots",
                      cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_run_tianwen1_marks_the_real_dates(tmp_path):
    proc = _cosmoplan("run", "tianwen-1", "--out", str(tmp_path / "tw1"))
    assert proc.returncode == 0, proc.stderr
    assert "Tianwen-1" in proc.stdout and "launch C3" in proc.stdout
    data = json.loads((tmp_path / "tw1" / "porkchop.json").read_text())
    mark = data["marks"][0]
    assert mark["name"] == "Tianwen-1" and mark["c3_km2_s2"] < 20.0
    assert mark["vinf_arrival_km_s"] < 4.0
    assert "2020-07" <= data["optimum"]["departure_utc"][:7] <= "2020-08"
    for name in ("porkchop.png", "porkchop.csv"):
        assert (tmp_path / "tw1" / name).stat().st_size > 10_000


def test_porkchop_command_and_its_bad_input(tmp_path):
    proc = _cosmoplan("porkchop", "earth", "mars", "--launch", "2020-06-01/2020-09-30",
                      "--arrive", "2020-12-01/2021-09-30", "--step", "5", "--c3-max", "20",
                      "--vinf-max", "4", "--out", str(tmp_path / "pc"), "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "pc" / "porkchop.csv").exists()
    assert not (tmp_path / "pc" / "porkchop.png").exists()
    bad = _cosmoplan("porkchop", "earth", "mars", "--launch", "2020-09-30/2020-06-01",
                     "--arrive", "2020-12-01/2021-09-30", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "runs backwards" in bad.stderr and "--launch" in bad.stderr
    assert not (tmp_path / "bad").exists()
    bad = _cosmoplan("porkchop", "earth", "vulcan", "--launch", "2020-06-01/2020-09-30",
                     "--arrive", "2020-12-01/2021-09-30", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2 and "unknown body 'vulcan'" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("args", [["run", "change-5"], ["site", "south-pole", "--days", "1"],
                                  ["porkchop", "earth", "mars"], ["halo", "L2"]])
def test_empty_output_folder_is_refused(args, tmp_path):
    """-o "" is refused before any work (as a path it would be the current folder)."""
    from typer.testing import CliRunner

    from cosmoplan.cli import app

    res = CliRunner().invoke(app, args + ["-o", ""])
    assert res.exit_code == 2
    assert "empty path" in res.output
