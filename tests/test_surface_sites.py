"""Bundled lunar sites (cosmoplan.surface.sites): valid, sourced, found by any spelling.

Facts the tests rest on:

* The candidate sites are near the south pole: NASA's Artemis III candidate regions all lie
  within 6 deg of it, so |lat| >= 84 deg; the Chang'e-4 site (Von Kármán, 45.4 S on the far
  side) is the one documented exception, kept for the relay scenarios.
* Bussey et al. 2010 (Icarus 208, 558) put the most illuminated point of the south pole at
  88.74 S 124.5 E (shared/refdata/vectors/lunar_south_pole.json), and the existing relay
  scenario uses it under the key 'shackleton-rim'.
"""

import json
import shutil
from importlib.resources import files

import pytest

from conftest import REFDATA
from cosmoplan.cislunar import coverage
from cosmoplan.errors import InputError
from cosmoplan.surface import sites as sites_module
from cosmoplan.surface.sites import SITES, LunarSite, _load, load_sites, lunar_site

DATA = files("cosmoplan") / "data" / "lunar_sites.json"
NOT_POLAR = {"von-karman"}  # documented exception: the Chang'e-4 landing site, far side


@pytest.fixture()
def bundled_json():
    return json.loads(DATA.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------ bundled data
def test_every_bundled_site_is_valid_sourced_and_in_its_region():
    sites = load_sites()
    assert len(sites) >= 5
    for key, s in sites.items():
        assert isinstance(s, LunarSite) and s.key == key
        assert -90 <= s.lat_deg <= 90 and -360 <= s.lon_deg <= 360
        assert -20 <= s.height_km <= 100
        assert s.source.strip() and s.note.strip(), key
        if key not in NOT_POLAR:
            assert s.lat_deg <= -84.0, f"{key} is not within 6 deg of the south pole"
    assert sites["von-karman"].lat_deg == pytest.approx(-45.4446)


def test_file_order_and_backwards_compatible_keys(bundled_json):
    keys = [e["key"] for e in bundled_json["sites"]]
    assert list(load_sites()) == keys
    assert {"von-karman", "shackleton-rim"} <= set(SITES)
    assert load_sites() is not load_sites()  # callers may mutate their copy


def test_shackleton_rim_matches_the_reference_data():
    ref = json.loads((REFDATA / "vectors" / "lunar_south_pole.json").read_text())
    point = next(r for r in ref["illumination"] if "lat_deg" in r)
    s = lunar_site("shackleton-rim")
    assert (s.lat_deg, s.lon_deg) == (point["lat_deg"], point["lon_deg_east"])
    assert "Bussey" in s.source


def test_coverage_reexports_the_same_objects():
    assert coverage.LunarSite is LunarSite and coverage.SITES is SITES
    for name in coverage.__all__:
        assert hasattr(coverage, name)


def test_constructor_is_unchanged_and_key_note_default():
    s = LunarSite("Von Kármán crater (Chang'e-4)", -45.4446, 177.5991, 0.0, "Liu 2019")
    assert s.key == "von-karman-crater-change-4" and s.note == ""
    assert LunarSite("x", 0, 0).lat_deg == 0.0 and isinstance(LunarSite("x", 0, 0).lat_deg, float)
    assert LunarSite("x", -10.0, 350.0).lon_east_deg == pytest.approx(-10.0)
    assert lunar_site("de-gerlache-rim").label().endswith("67.93°W)")


@pytest.mark.parametrize("fld, value", [
    ("lat_deg", -90.5), ("lat_deg", float("nan")), ("lon_deg", 361.0), ("lon_deg", True),
    ("height_km", -21.0), ("height_km", float("inf")), ("lat_deg", "12"), ("lon_deg", None),
])
def test_bad_coordinates_are_refused(fld, value):
    args = {"name": "x", "lat_deg": 0.0, "lon_deg": 0.0, "height_km": 0.0}
    args[fld] = value
    with pytest.raises(InputError) as info:
        LunarSite(**args)
    assert info.value.field == fld and fld in str(info.value)


def test_empty_name_is_refused():
    with pytest.raises(InputError, match="name"):
        LunarSite("  ", 0.0, 0.0)


# ------------------------------------------------------------------------------ lookup
@pytest.mark.parametrize("text", ["shackleton-rim", "Shackleton rim (most illuminated point)",
                                  "SHACKLETON-RIM", "shackleton_rim", "Shackleton Rim",
                                  " shackleton rim "])
def test_lookup_ignores_case_spaces_hyphens_underscores(text):
    assert lunar_site(text).key == "shackleton-rim"


def test_lookup_ignores_accents_and_accepts_names():
    assert lunar_site("VON KARMAN").key == "von-karman"
    assert lunar_site("Von Kármán crater (Chang'e-4 landing site)").key == "von-karman"
    assert lunar_site("connecting ridge").key == "connecting-ridge"
    s = lunar_site("haworth")
    assert lunar_site(s) is s


def test_unknown_name_suggests_the_nearest_then_lists_all():
    with pytest.raises(InputError) as info:
        lunar_site("shakleton rim")
    msg = str(info.value)
    assert info.value.field == "site" and info.value.value == "shakleton rim"
    assert "did you mean 'shackleton-rim'" in msg
    tail = msg.split("bundled sites:")[1]
    for key in SITES:
        assert key in tail
    with pytest.raises(InputError) as info:
        lunar_site("atlantis")
    assert "did you mean" not in str(info.value) and "south-pole" in str(info.value)


# ------------------------------------------------------------------------------ loader
def _write(tmp_path, obj):
    path = tmp_path / "sites.json"
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def test_loader_reads_a_copy_of_the_bundled_file(tmp_path):
    path = tmp_path / "copy.json"
    with DATA.open("rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert _load(path) == load_sites()


@pytest.mark.parametrize("index, fld, value, words", [
    (1, "lat_deg", -95.0, ["lat_deg", "-95.0"]),
    (2, "lon_deg", "124.5", ["lon_deg", "'124.5'"]),
    (0, "height_km", True, ["height_km", "True"]),
    (3, "height_km", 1700.0, ["height_km", "1700.0"]),
    (4, "lat_deg", None, ["lat_deg", "None"]),
    (1, "source", "", ["source", "''"]),
    (2, "name", 12, ["name", "12"]),
    (0, "key", "South Pole", ["key", "'South Pole'"]),
    (5, "note", 3, ["note", "3"]),
])
def test_corrupted_entry_names_file_entry_field_and_value(tmp_path, bundled_json, index, fld,
                                                          value, words):
    key = bundled_json["sites"][index]["key"]
    bundled_json["sites"][index][fld] = value
    path = _write(tmp_path, bundled_json)
    with pytest.raises(InputError) as info:
        _load(path)
    err = info.value
    msg = str(err)
    assert str(path) in msg and err.source == str(path)
    assert f"sites[{index}]" in msg and err.field == f"sites[{index}].{fld}"
    if fld != "key":
        assert repr(key) in msg and err.line is not None
    for w in words:
        assert w in msg
    assert err.value == value or (value != value)


def test_missing_and_unknown_fields(tmp_path, bundled_json):
    del bundled_json["sites"][2]["note"]
    with pytest.raises(InputError) as info:
        _load(_write(tmp_path, bundled_json))
    assert info.value.field == "sites[2].note" and "missing field 'note'" in str(info.value)
    bundled_json["sites"][2]["note"] = ""
    bundled_json["sites"][3]["elevation_m"] = 1200
    with pytest.raises(InputError) as info:
        _load(_write(tmp_path, bundled_json))
    assert info.value.field == "sites[3].elevation_m" and "1200" in str(info.value)


def test_duplicate_keys_and_names_are_refused(tmp_path, bundled_json):
    dup = dict(bundled_json["sites"][1])
    bundled_json["sites"].append(dup)
    with pytest.raises(InputError) as info:
        _load(_write(tmp_path, bundled_json))
    n = len(bundled_json["sites"]) - 1
    assert info.value.field == f"sites[{n}].key" and "shackleton-rim" in str(info.value)
    dup["key"] = "shackleton-rim-2"
    dup["name"] = "SHACKLETON_RIM"  # the same as another site's key, up to case and '_'
    with pytest.raises(InputError) as info:
        _load(_write(tmp_path, bundled_json))
    assert info.value.field == f"sites[{n}].name" and "collides" in str(info.value)


@pytest.mark.parametrize("text, field", [
    ('{"sites": [', None), ('[1, 2]', "sites"), ('{"sites": {}}', "sites"),
    ('{"sites": []}', "sites"), ('{"sites": [7]}', "sites[0]"),
])
def test_malformed_files(tmp_path, text, field):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        _load(path)
    assert str(path) in str(info.value) and info.value.field == field
    if field is None:
        assert info.value.line == 1


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        _load(tmp_path / "none.json")


def test_bundled_load_is_cached():
    assert sites_module._bundled() is sites_module._bundled()
