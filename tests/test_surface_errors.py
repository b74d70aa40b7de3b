"""Odd and bad input to the lunar-site features fails clearly (file, line, option, value).

Regression tests for problems found by feeding `cosmoplan site`, sites scenarios and the
surface API what a hurried user might: each error must be an InputError (or a
DataRangeError) that names where the problem is and the value, never a traceback or a
silent NaN, and a run must never overwrite one of its own outputs with another.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from typer.testing import CliRunner

from cosmoplan.cli import app
from cosmoplan.errors import DataRangeError, InputError
from cosmoplan.mission import _site_plot_names, run_scenario, sites_files
from cosmoplan.moon import look_angles
from cosmoplan.scenario import load_scenario
from cosmoplan.surface.analysis import analyze_site
from cosmoplan.surface.horizon import Horizon
from cosmoplan.surface.sites import LunarSite, lunar_site
from cosmoplan.surface.study import site_study
from cosmoplan.time import Epoch

START = "2025-01-01T00:00:00Z"
SOUTH = "+proj=stere +lat_0=-90 +lon_0=0 +k=1 +x_0=0 +y_0=0 +R=1737400 +units=m +no_defs"
SCENARIO = """[scenario]
name = "t"
kind = "sites"

[span]
start = "2025-01-01"
days = 0.1
step_minutes = 10.0

[ground]
networks = []

[[sites]]
bundled = "south pole"
"""


def _cli(*args):
    """`cosmoplan site ARGS` in-process: (exit code, stderr text)."""
    res = CliRunner().invoke(app, ["site", *args])
    return res.exit_code, res.stderr


def _scenario(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def _line(text, needle):
    return text.splitlines().index(needle) + 1


# ------------------------------------------------------------------------- site names
@pytest.mark.parametrize("bad", [None, 5])
def test_site_lookup_refuses_non_text(bad):
    with pytest.raises(InputError) as exc:
        lunar_site(bad)
    assert exc.value.field == "site" and exc.value.value == bad
    assert type(bad).__name__ in str(exc.value) and "did you mean" not in str(exc.value)


def test_empty_site_name_says_empty_and_lists_sites():
    with pytest.raises(InputError, match="name is empty") as exc:
        lunar_site("  ")
    assert "shackleton-rim" in str(exc.value)
    code, err = _cli("", "--from", "2025-01-01", "--days", "0.1", "--networks", "none")
    assert code == 2 and err.startswith("error: NAME:") and "empty" in err
    code, err = _cli("", "--lat", "-89", "--lon", "0", "--networks", "none")
    assert code == 2 and "NAME = ''" in err and "non-empty" in err and "\\x00" not in err


# ------------------------------------------------------------------------ API numbers
def test_zero_d_arrays_are_numbers_and_tiny_spans_are_refused():
    site = LunarSite("p", np.array(-89.5), np.array(10.0))
    assert site.lat_deg == -89.5 and isinstance(site.lat_deg, float)
    a = analyze_site(site, START, np.array(0.01), step_s=np.array(300.0))
    assert a.step_s == 300.0 and a.span_s == pytest.approx(864.0)
    for days in (1e-20, 5e-324):  # once a ZeroDivisionError in the statistics
        with pytest.raises(InputError, match="at least 1 s") as exc:
            analyze_site("south pole", START, days)
        assert exc.value.field == "days" and exc.value.value == days


def test_progress_and_ephemeris_of_the_wrong_type():
    with pytest.raises(InputError, match="progress must be a function") as exc:
        analyze_site("south pole", START, 0.01, progress=5)
    assert exc.value.field == "progress"
    with pytest.raises(InputError, match="Ephemeris") as exc:
        analyze_site("south pole", START, 0.01, ephemeris="de440")
    assert exc.value.field == "ephemeris" and exc.value.value == "de440"


@pytest.mark.filterwarnings("ignore::cosmoplan.errors.DataRangeWarning")  # leap seconds
def test_span_at_the_end_of_the_calendar_is_a_data_range_error():
    # the end (9999-12-31 + 2 d) cannot even be an epoch: once an InputError about a
    # Julian Date; the start is outside the lunar orientation file anyway
    with pytest.raises(DataRangeError, match="lunar orientation file") as exc:
        analyze_site("south pole", "9999-12-31", 2.0)
    assert "9999-12-31" in str(exc.value) and "+ 2 d" in str(exc.value)


@pytest.mark.parametrize("args, fld, text", [
    ((-1.5, math.nan, 0.0), "lon", "finite"),        # once silent NaN angles
    ((-1.5, 0.0, math.inf), "height_km", "finite"),
    (("-1.5", 0.0, 0.0), "lat", "number"),           # once a numpy TypeError
    ((None, 0.0, 0.0), "lat", "number"),
    (([-1.5, -1.4], 0.0, 0.0), "lat", "one site"),   # once a ValueError from einsum
    ((-1.5, 0.0, -2000.0), "height_km", "below the Moon's centre"),
])
def test_look_angles_site_coordinates(args, fld, text):
    with pytest.raises(InputError, match=text) as exc:
        look_angles(*args, Epoch.from_iso(START), "sun")
    assert exc.value.field == fld


# ----------------------------------------------------------------------------- CSV
@pytest.mark.parametrize("cell", ["1_0", "２", "1\u0660"])
def test_csv_numbers_are_plain_ascii(tmp_path, cell):
    # float() reads '1_0' as 10 and full-width digits as digits: once silently accepted
    p = tmp_path / "h.csv"
    p.write_text(f"azimuth_deg,elevation_deg\n0,1\n90,{cell}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        Horizon.from_csv(p)
    e = exc.value
    assert (e.source, e.line, e.field, e.value) == (str(p), 3, "elevation_deg", cell)
    assert f"{p}, line 3: elevation_deg must be a number, got {cell!r}" == str(e)


def test_csv_360_row_reports_the_text_read(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("azimuth_deg,elevation_deg\n0,1\n359.9999999999999999,2\n")
    with pytest.raises(InputError) as exc:
        Horizon.from_csv(p)
    assert exc.value.line == 3 and exc.value.value == "359.9999999999999999"
    assert "359.9999999999999999 (= 360)" in str(exc.value)


@pytest.mark.parametrize("path, text", [(None, "NoneType"), (7, "int"), ("a\0b", "null")])
def test_csv_path_that_is_not_a_path(path, text):
    with pytest.raises(InputError, match="horizon file name") as exc:
        Horizon.from_csv(path)
    assert exc.value.field == "path" and text in str(exc.value)


# ----------------------------------------------------------------------------- DEMs
def _tif(path, heights, tr, dtype="float32"):
    with rasterio.open(path, "w", driver="GTiff", height=heights.shape[0],
                       width=heights.shape[1], count=1, dtype=dtype,
                       crs=CRS.from_user_input(SOUTH), transform=Affine(*tr)) as dst:
        dst.write(heights.astype(dtype), 1)
    return path


def test_dem_of_one_pixel_and_of_complex_values(tmp_path):
    p = _tif(tmp_path / "one.tif", np.zeros((1, 1)), (2000.0, 0, -1000.0, 0, -2000.0, 1000.0))
    with pytest.raises(InputError) as exc:
        Horizon.from_dem(p, -90.0, 0.0)
    assert str(exc.value).startswith(f"{p}: the DEM has 1 x 1 pixels")
    assert "heights_m" not in str(exc.value) and exc.value.value == (1, 1)
    p = _tif(tmp_path / "c.tif", np.zeros((4, 4)), (20.0, 0, -40.0, 0, -20.0, 40.0), "complex64")
    with pytest.raises(InputError, match="complex64 values, not real heights") as exc:
        Horizon.from_dem(p, -90.0, 0.0)
    assert str(p) in str(exc.value)


@pytest.mark.parametrize("kwargs, fld", [({"az_step_deg": 1e-9}, "az_step_deg"),  # MemoryError
                                         ({"max_distance_km": 1e300}, "max_distance_km")])
def test_cast_arguments_that_once_crashed(kwargs, fld):  # ... and OverflowError
    with pytest.raises(InputError) as exc:
        Horizon.from_array(np.zeros((4, 4)), (20.0, 0, -40.0, 0, -20.0, 40.0), -90.0, 0.0,
                           **kwargs)
    assert exc.value.field == fld and repr(kwargs[fld]) in str(exc.value)


# ---------------------------------------------------------------------------- study
@pytest.mark.parametrize("kwargs, fld, text", [
    ({"sites": "south pole"}, "sites", "for one, write ['south pole']"),
    ({"networks": "china"}, "networks", "for one, write ['china']"),
    ({"horizons": Horizon.flat()}, "horizons", "must be a list, got Horizon"),
    ({"networks": ["china", "china"]}, "networks", "'china' is listed twice"),
    ({"mast_m": 10.0, "horizons": [Horizon.flat()]}, "mast_m", "height_above_ground_m"),
])
def test_site_study_arguments(kwargs, fld, text):
    args = {"sites": ["south pole"], **kwargs}
    with pytest.raises(InputError) as exc:
        site_study(args.pop("sites"), START, 0.01, **args)
    assert exc.value.field == fld and text in str(exc.value)


def test_plot_names_never_collide():
    a, b = (LunarSite(n, -90.0, 0.0, key="south-pole") for n in ("A", "B"))
    c, d, e, f = (LunarSite(n, -89.0, 0.0) for n in ("Site 1", "site_1", "月球南极", "嫦娥"))
    names = _site_plot_names([a, b, c, d, e, f])
    assert names == ["site-south-pole.png", "site-south-pole-2.png", "site-site-1.png",
                     "site-site-1-2.png", "site-scenario.png", "site-scenario-2.png"]


def test_sites_files_of_a_bundled_site_twice(tmp_path):
    text = SCENARIO + '\n[[sites]]\nbundled = "south pole"\nname = "with a mast"\nmast_m = 5\n'
    names = sites_files(load_scenario(_scenario(tmp_path, text)))
    assert "site-south-pole.png" in names and "site-south-pole-2.png" in names


# ------------------------------------------------------------------------ scenarios
def test_scenario_duplicate_network_names_file_and_line(tmp_path):
    text = SCENARIO.replace("networks = []", 'networks = ["china", "esa", "china"]')
    p = _scenario(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    e = exc.value
    assert e.line == _line(text, 'networks = ["china", "esa", "china"]')
    assert str(e) == f"{p}, line {e.line}: key 'ground.networks' = 'china': listed twice"
    assert e.field == "ground.networks.2"


@pytest.mark.parametrize("toml, iso", [("2025-01-01", "2025-01-01"),
                                       ("2025-01-01T08:00:00+08:00", "2025-01-01T00:00:00Z"),
                                       ("2025-01-01T06:30:00.250", "2025-01-01T06:30:00.250000Z")])
def test_scenario_start_as_a_toml_date(tmp_path, toml, iso):
    # once "Input should be a valid string" for an unquoted date
    sc = load_scenario(_scenario(tmp_path, SCENARIO.replace('"2025-01-01"', toml)))
    assert sc.span.start == iso and Epoch.coerce(sc.span.start).utc.iso(0)[:10] == "2025-01-01"


def test_scenario_start_with_an_offset_says_it_in_utc(tmp_path):
    text = SCENARIO.replace('"2025-01-01"', '"2025-01-01T08:00+08:00"')
    p = _scenario(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}, line 6: key 'span.start' = '2025-01-01T08:00+08:00'")
    assert "is 2025-01-01T00:00:00Z" in msg


@pytest.mark.parametrize("old, new, key", [
    ("step_minutes = 10.0", "step_minutes = 0.02", "step_minutes = 0.02"),
    ("days = 0.1", "days = 1e-20", "days = 1e-20"),
])
def test_scenario_span_errors_point_at_their_key(tmp_path, old, new, key):
    # the grid is checked when the run starts: once the [span] header line (step) or an
    # internal ZeroDivisionError (days)
    text = SCENARIO.replace(old, new)
    if "step" in old:
        text = text.replace("days = 0.1", "days = 400")
    p = _scenario(tmp_path, text)
    out = tmp_path / "out"
    with pytest.raises(InputError) as exc:
        run_scenario(str(p), out, plots=False)
    assert exc.value.source == str(p) and exc.value.line == _line(text, key)
    assert not out.exists()


def test_scenario_az_step_too_fine(tmp_path):
    text = SCENARIO + "az_step_deg = 1e-9\n"
    with pytest.raises(InputError) as exc:
        load_scenario(_scenario(tmp_path, text))
    assert exc.value.line == _line(text, "az_step_deg = 1e-9") and "1e-09" in str(exc.value)


# ------------------------------------------------------------------------------ CLI
BASE = ("--from", "2025-01-01", "--days", "0.1", "--no-plots", "--networks", "none")


@pytest.mark.parametrize("args, expected", [
    (("--from", ""), "error: --from is empty"),  # once silently today
    (("--networks", ","), "error: --networks ',' names no network"),  # once silently none
    (("--networks", "china,ESA,China"), "--networks = 'china': listed twice"),
    (("--lat", "-89.5"), "error: --lat -89.5 without --lon"),
    (("--horizon", "h.csv", "--dem", "d.tif"), "error: --horizon 'h.csv' and --dem 'd.tif': "
                                               "give one"),
    (("--horizon", "h.csv", "--mast-m", "10"), "error: --mast-m 10 does not apply to a "
                                               "--horizon mask"),
    (("--step-minutes", "0"), "error: --step-minutes = 0.0: must be at least 1/60 minute"),
    (("--days", "400", "--step-minutes", "0.02"), "error: --step-minutes: 400 days at 1.2 s"),
    (("--days", "1e-9"), "error: --days: days = 1e-09 is a span of 8.64e-05 s"),
])
def test_cli_site_option_errors(tmp_path, args, expected):
    out = tmp_path / "out"
    # a repeated option: the last one counts
    code, err = _cli("south pole", *BASE, *args, "--out", str(out))
    assert code == 2, err
    assert expected in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.filterwarnings("ignore::cosmoplan.errors.DataRangeWarning")  # leap seconds
def test_cli_span_beyond_the_lunar_orientation_file(tmp_path):
    out = tmp_path / "out"
    code, err = _cli("south pole", "--from", "2050-12-31", "--days", "2", "--networks", "none",
                     "--no-plots", "--out", str(out))
    assert code == 4 and "2051-01-01 TDB" in err and "Traceback" not in err
    assert not out.exists()
