"""`cosmoplan site` and scenarios of kind "sites" (cosmoplan run ilrs-south-pole)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cosmoplan.errors import InputError
from cosmoplan.mission import run_scenario
from cosmoplan.scenario import load_scenario, scenario_path

ILRS = Path(scenario_path("ilrs-south-pole")).read_text()


def _cosmoplan(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cosmoplan", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def _short(text, days="10.0", networks='["china"]'):
    """The bundled ILRS scenario over a short 2025 span (inside the IERS tables)."""
    text = text.replace('start = "2028-01-01T00:00:00Z"', 'start = "2025-03-01T00:00:00Z"')
    text = text.replace("days = 366.0", f"days = {days}")
    return text.replace('networks = ["china", "russia", "esa", "nasa"]', f"networks = {networks}")


def test_bundled_ilrs_scenario_loads_every_candidate_site():
    sc = load_scenario("ilrs-south-pole")
    assert sc.scenario.kind == "sites"
    sites = [s for s, _ in sc._horizons]
    assert len(sites) == 7 and all(s.lat_deg <= -85.0 for s in sites)
    assert sc.ground.networks == ["china", "russia", "esa", "nasa"]
    assert sc.span.start.startswith("2028-01-01") and sc.span.days == 366.0


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ilrs")
    path = folder / "ilrs.toml"
    path.write_text(_short(ILRS))
    res = run_scenario(str(path), folder / "out")
    return res, folder / "out"


def test_sites_run_writes_table_events_and_plots(short_run):
    res, out = short_run
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["sites.json", "sites.csv", "events.csv", "sites.png"]
                           + [f"site-{s.site.key}.png" for s in res.sites.analyses])
    data = json.loads((out / "sites.json").read_text())
    assert data["format"] == "cosmoplan sites 1" and len(data["sites"]) == 7
    for row, a in zip(data["sites"], res.sites.analyses):
        assert row["lit_fraction"] == pytest.approx(a.lit_fraction)
        assert 0.0 <= row["china_contact_fraction"] <= row["earth_visible_fraction"] + 1e-9
    rows = list(csv.DictReader((out / "sites.csv").open()))
    assert [r["site"] for r in rows] == [a.site.name for a in res.sites.analyses]
    events = list(csv.DictReader((out / "events.csv").open()))
    assert len(events) == sum(len(a.events) for a in res.sites.analyses) > 0
    assert {e["event"] for e in events} <= {"sunrise", "sunset", "full sun begins",
                                            "full sun ends", "earthrise", "earthset"}
    for p in out.glob("*.png"):
        assert p.stat().st_size > 10_000


def test_contacts_need_the_earth_above_the_site_horizon(short_run):
    res, _ = short_run
    for a in res.sites.analyses:
        cov = res.sites.coverages[a.site.name]["china"]
        # a station can only see the site when the Earth is (about) above its horizon
        assert cov.fraction <= a.earth_visible_fraction + 0.01


def test_scenario_errors_name_file_line_and_key(tmp_path):
    bad = _short(ILRS).replace('bundled = "haworth"', 'bundled = "haworht"')
    p = tmp_path / "bad.toml"
    p.write_text(bad)
    with pytest.raises(InputError) as exc:
        load_scenario(str(p))
    msg = str(exc.value)
    line = bad.splitlines().index('bundled = "haworht"') + 1
    assert str(p) in msg and f"line {line}" in msg and "haworth" in msg
    dem = _short(ILRS).replace('bundled = "nobile"', 'bundled = "nobile"\ndem = "missing.tif"')
    p.write_text(dem)
    with pytest.raises(InputError, match=r"missing\.tif"):
        load_scenario(str(p))


def test_cli_site_prints_figures_and_writes_files(tmp_path):
    out = tmp_path / "site"
    proc = _cosmoplan("site", "Shackleton rim", "--from", "2025-03-01", "--days", "20",
                      "--networks", "china", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Sun up" in proc.stdout and "Earth up" in proc.stdout
    assert "china network contact" in proc.stdout and "events" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "site-shackleton-rim.png",
                                                     "sites.csv", "sites.json"]


def test_cli_site_errors_are_one_clear_line(tmp_path):
    proc = _cosmoplan("site", "Shakleton rim", "--from", "2025-03-01", "--days", "1",
                      "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "shackleton-rim" in proc.stderr.lower()
    proc = _cosmoplan("site", "mine", "--lat", "-89.0", "--from", "2025-03-01",
                      "--out", str(tmp_path / "y"))
    assert proc.returncode == 2 and "--lon" in proc.stderr
    proc = _cosmoplan("site", "south pole", "--from", "yesterday", "--out",
                      str(tmp_path / "z"))
    assert proc.returncode == 2 and "--from" in proc.stderr and "yesterday" in proc.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()


def test_cli_site_list():
    proc = _cosmoplan("site", "--list")
    assert proc.returncode == 0
    assert "shackleton-rim" in proc.stdout and "malapert-massif" in proc.stdout
    proc = _cosmoplan("site")
    assert proc.returncode == 2 and "--list" in proc.stderr
