"""TLE parsing, writing and SGP4 propagation (cosmoplan.tle).

Sources: the format of Hoots & Roehrich (1980), Spacetrack Report No. 3; Alpha-5 after
CelesTrak's note; element sets from refdata/tle and refdata/catalog (REFERENCES.md §1).
SGP4 numbers themselves are checked in test_sgp4_vallado.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import math
import os
import pathlib
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cosmoplan.errors import InputError, PropagationError, StaleDataWarning
from cosmoplan.time import Epoch
from cosmoplan.tle import (
    IMPLAUSIBLE_STATE,
    TLE,
    SGP4Result,
    alpha5_to_int,
    int_to_alpha5,
    propagate_tles,
    read_tles,
    tle_checksum,
    write_tles,
)

L1 = "1 48274U 21035A   21152.91865056  .00003057  00000-0  33542-4 0  9993"
L2 = "2 48274  41.4713  16.3199 0005053  25.9394 109.3813 15.65195495  5304"

METRE = 1e-3  # km
MM_PER_S = 1e-6  # km/s


def _set(line, first, last, text, *, fix_checksum=True):
    """``line`` with columns first..last (1-based) replaced by ``text``, checksum redone."""
    assert len(text) == last - first + 1
    out = line[:first - 1] + text + line[last:]
    return out[:68] + str(tle_checksum(out)) if fix_checksum else out


def _assert_names(exc, line, columns, field):
    msg = str(exc.value)
    assert f"line {line}" in msg, msg
    assert columns in msg, msg
    assert field in msg, msg
    assert exc.value.field == field
    assert exc.value.line == line


@functools.cache
def _catalog(path):
    return read_tles(path)


# ------------------------------------------------------------------ parsing
def test_tianhe_sets(refdata):
    """Tianhe (NORAD 48274) element sets of refdata/tle, fields as printed."""
    tles = read_tles(refdata / "tle" / "tianhe_48274_2021.tle")
    assert len(tles) == 5
    t = tles[0]
    assert t.name == "TIANHE" and t.satnum == 48274 and t.classification == "U"
    assert t.intl_designator == "21035A"
    assert t.epoch.scale == "utc"
    assert t.epoch.iso(0) == "2021-06-01T22:02:51Z"
    assert (t.epoch_year, t.epoch_day) == (2021, 152.91865056)
    assert t.ndot == 0.00003057 and t.nddot == 0.0 and t.bstar == 0.33542e-4
    assert t.ephemeris_type == 0 and t.element_number == 999
    assert t.inclination_rad == pytest.approx(math.radians(41.4713), abs=1e-15)
    assert t.raan_rad == pytest.approx(math.radians(16.3199), abs=1e-15)
    assert t.eccentricity == 0.0005053
    assert t.arg_perigee_rad == pytest.approx(math.radians(25.9394), abs=1e-15)
    assert t.mean_anomaly_rad == pytest.approx(math.radians(109.3813), abs=1e-15)
    assert t.mean_motion_rev_per_day == 15.65195495
    assert t.rev_number == 530  # columns 64-68 '  530'; the final '4' is the checksum
    assert [x.epoch.iso()[:19] for x in tles[1:]] == [  # REFERENCES.md truncates
        "2021-06-26T04:46:33", "2021-08-21T18:26:41", "2021-10-22T21:48:25",
        "2021-12-07T09:35:42"]
    # python-sgp4 sees the same epoch and numbers
    assert (t.satrec.jdsatepoch, t.satrec.jdsatepochF) == (t.epoch.jd1, t.epoch.jd2)
    assert t.satrec.satnum == 48274 and t.satrec.ecco == t.eccentricity


def test_negative_exponent_fields_and_signs():
    line1 = _set(_set(L1, 34, 43, "-.00000084"), 45, 52, "-11606-4")
    t = TLE.from_lines(line1, L2)
    assert t.ndot == -0.00000084 and t.nddot == -0.11606e-4
    assert t.to_lines() == (line1, L2)


@pytest.mark.parametrize("yy, year", [("57", 1957), ("99", 1999), ("00", 2000),
                                      ("56", 2056)])
def test_epoch_year_pivot(yy, year):
    t = TLE.from_lines(_set(L1, 19, 20, yy), L2)
    assert t.epoch_year == year
    assert t.epoch.jd1 == datetime.date(year, 1, 1).toordinal() + 151 + 1721424.5
    assert t.to_lines()[0][18:20] == yy


def test_epoch_day_one_is_january_first():
    t = TLE.from_lines(_set(L1, 19, 32, "21001.50000000"), L2)
    assert t.epoch.iso(0) == "2021-01-01T12:00:00Z"
    with pytest.raises(InputError) as exc:
        TLE.from_lines(_set(L1, 19, 32, "21366.00000000"), L2)  # 2021 has 365 days
    _assert_names(exc, 1, "columns 21-32", "epoch")


@pytest.mark.parametrize("text, number", [("A0000", 100000), ("H9999", 179999),
                                          ("J0000", 180000), ("N9999", 229999),
                                          ("P0000", 230000), ("T0000", 270000),
                                          ("Z9999", 339999), ("99999", 99999),
                                          ("00005", 5)])
def test_alpha5_numbers(text, number):
    """Alpha-5 skips I and O (CelesTrak); both directions."""
    assert alpha5_to_int(text) == number
    assert int_to_alpha5(number) == text


@pytest.mark.parametrize("bad", ["I0000", "O1234", "a0000", "AA000"])
def test_alpha5_rejects(bad):
    with pytest.raises(InputError):
        alpha5_to_int(bad)


def test_alpha5_round_trip_and_sgp4():
    """An Alpha-5 set reads, writes back byte for byte, and propagates like its twin."""
    a1, a2 = _set(L1, 3, 7, "A0000"), _set(L2, 3, 7, "A0000")
    t = TLE.from_lines(a1, a2)
    assert t.satnum == 100000
    assert t.to_lines() == (a1, a2)
    assert TLE.from_lines(*t.to_lines()) == t
    assert t.satrec.satnum == 100000  # python-sgp4 reads Alpha-5 itself
    twin = TLE.from_lines(L1, L2)
    e = twin.epoch + np.array([0.0, 600.0])
    np.testing.assert_array_equal(t.propagate(e).r, twin.propagate(e).r)
    with pytest.raises(InputError) as exc:
        TLE.from_lines(_set(L1, 3, 7, "I0000"), _set(L2, 3, 7, "I0000"))
    _assert_names(exc, 1, "columns 3-7", "satnum")


def test_space_padded_catalog_number_is_read_and_canonicalised():
    """Space-Track writes '1    20U'; we read it and write '00020'."""
    p1 = "1    20U 59007A   22022.76775283  .00000667  00000-0  27421-3 0  9994"
    p2 = "2    20  33.3408 260.1165 1665298 126.8434 249.6727 11.56006765298262"
    t = TLE.from_lines(p1, p2)
    assert t.satnum == 20
    l1, l2 = t.to_lines()
    assert l1 == _set(p1, 3, 7, "00020") and l2 == _set(p2, 3, 7, "00020")


def test_lines_longer_than_69_and_line_ends():
    """Text after column 69 is ignored (Vallado's file); CR/LF are stripped."""
    t = TLE.from_lines(L1 + "   extra\r\n", L2 + "      0.0   1440.0   120.0\n")
    assert t.to_lines() == (L1, L2)


# ------------------------------------------------------------------ malformed lines
def test_checksum_error():
    bad = L1[:68] + "4"
    with pytest.raises(InputError) as exc:
        TLE.from_lines(bad, L2, source="tianhe.tle", first_line_number=41)
    _assert_names(exc, 41, "column 69", "checksum")
    msg = str(exc.value)
    assert "tianhe.tle" in msg and "'4'" in msg and "'3'" in msg
    assert TLE.from_lines(bad, L2, verify_checksum=False) == TLE.from_lines(L1, L2)


def test_shifted_column():
    """Inclination moved one column right: the decimal point is not in column 12."""
    shifted = _set(L2, 9, 17, "  41.4713")  # ' 41.4713 ' -> '  41.4713'
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, shifted, source="x.tle", first_line_number=7)
    _assert_names(exc, 8, "columns 9-16", "inclination")
    msg = str(exc.value)
    # the column template is shown above the user's line, with a marker under the field
    lines = msg.splitlines()
    k = next(i for i, s in enumerate(lines) if s.strip().startswith("format"))
    template, user, marker = lines[k], lines[k + 1], lines[k + 2]
    offset = template.index("2 NNNNN")
    assert user[offset:] == shifted
    assert marker[offset:].rstrip() == " " * 8 + "^" * 8


def test_letter_in_numeric_field():
    with pytest.raises(InputError) as exc:
        TLE.from_lines(_set(L1, 19, 32, "21152.9186X056"), L2, first_line_number=3)
    _assert_names(exc, 3, "columns 19-32", "epoch")
    assert "'21152.9186X056'" in str(exc.value)
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, _set(L2, 27, 33, "00O5053"), first_line_number=3)
    _assert_names(exc, 4, "columns 27-33", "eccentricity")


def test_short_line():
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, L2[:60], first_line_number=10)
    _assert_names(exc, 11, "columns 61-69", "mean_motion")
    assert "60 characters" in str(exc.value)


def test_mismatched_catalog_numbers():
    other = _set(L2, 3, 7, "48275")
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, other, first_line_number=20)
    _assert_names(exc, 21, "columns 3-7", "satnum")
    assert "'48275'" in str(exc.value) and "'48274'" in str(exc.value)


def test_blank_column_not_blank():
    with pytest.raises(InputError) as exc:
        TLE.from_lines(_set(L1, 33, 33, "7"), L2)
    _assert_names(exc, 1, "column 33", "blank")


@pytest.mark.parametrize("columns, text, field", [
    ((9, 16), "180.0001", "inclination"),
    ((53, 63), " 0.00000000", "mean_motion"),
])
def test_impossible_values_in_lines(columns, text, field):
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, _set(L2, *columns, text), first_line_number=5)
    _assert_names(exc, 6, f"columns {columns[0]}-{columns[1]}", field)


@pytest.mark.parametrize("field, value", [("eccentricity", 1.0), ("eccentricity", 1.5),
                                          ("mean_motion_rev_per_day", 0.0),
                                          ("mean_motion_rev_per_day", -1.0),
                                          ("inclination_rad", math.pi + 1e-9),
                                          ("inclination_rad", -1e-9)])
def test_impossible_values_set_directly(field, value):
    """e >= 1 cannot be written in a TLE line (7 digits after an implied point); set
    directly it is refused, naming the field and where it lives in the format."""
    t = TLE.from_lines(L1, L2)
    with pytest.raises(InputError) as exc:
        dataclasses.replace(t, **{field: value})
    name = field.replace("_rev_per_day", "").replace("_rad", "")
    where = {"eccentricity": "columns 27-33", "mean_motion": "columns 53-63",
             "inclination": "columns 9-16"}[name]
    msg = str(exc.value)
    assert name in msg and where in msg and "line 2" in msg
    assert exc.value.field == name


def test_read_tles_reports_file_and_line(tmp_path):
    """Errors from a file carry its name and the 1-based line number in it."""
    path = tmp_path / "bad.tle"
    path.write_text(f"# comment\n\nTIANHE\n{L1}\n{_set(L2, 44, 51, '109.38X3')}\n")
    with pytest.raises(InputError) as exc:
        read_tles(path)
    _assert_names(exc, 5, "columns 44-51", "mean_anomaly")
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("text, line, what", [
    (f"{L2}\n", 1, "without a line 1"),
    (f"{L1}\nNAME\n{L2}\n", 2, "not followed by its line 2"),
    (f"{L1}\n", 2, "not followed by its line 2"),
    (f"A\nB\n{L1}\n{L2}\n", 2, "no element set between"),
    (f"{L1}\n{L2}\nLAST\n", 3, "not followed by an element set"),
])
def test_read_tles_structure_errors(tmp_path, text, line, what):
    path = tmp_path / "s.tle"
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        read_tles(path)
    assert f"line {line}:" in str(exc.value) and what in str(exc.value)


def test_read_tles_formats(tmp_path):
    """2LE, 3LE with and without '0 ', CRLF, blank and comment lines; text or path."""
    text = f"# header\r\n0 TIANHE\r\n{L1}\r\n{L2}\r\n\r\n{L1}\r\n{L2}\r\n  CSS \r\n{L1}\r\n{L2}"
    tles = read_tles(text)
    assert [t.name for t in tles] == ["TIANHE", None, "CSS"]
    path = tmp_path / "mixed.tle"
    path.write_bytes(text.encode())
    assert read_tles(path) == tles
    assert read_tles(str(path)) == tles
    assert read_tles("") == []
    one = tmp_path / "one.tle"
    one.write_text(f"{L1}\n{L2}\n")
    assert TLE.from_file(one) == tles[1]
    with pytest.raises(InputError, match="found 3"):
        TLE.from_file(path)


# ------------------------------------------------------------------ round trips
def _canonical(line):
    """What to_lines() makes of a valid input line (module docstring, 'canonicalised')."""
    chars = list(line[:69])
    for k in range(2, 7):  # blank-padded catalog number -> zeros
        if chars[k] == " ":
            chars[k] = "0"
    if line[0] == "1":
        for k in (33, 44, 53):  # explicit '+' sign -> blank
            if chars[k] == "+":
                chars[k] = " "
        if chars[62] == " ":  # blank ephemeris type -> 0
            chars[62] = "0"
    return "".join(chars)


_FILES = ["tle/tianhe_48274_2021.tle", "tle/iss_25544_2021-06.tle",
          "tle/shenzhou12_48852_2021-09-11.tle", "catalog/celestrak_stations_2021-12-07.tle",
          "catalog/celestrak_active_2021-12-07.tle",
          "catalog/spacetrack_full_3le_2022-01-22.txt"]


@pytest.mark.parametrize("name", _FILES)
def test_round_trip_refdata(refdata, name):
    """Every element set: fields exact after to_lines/from_lines; lines byte for byte
    except for the documented canonicalisations (space padding, '+' signs)."""
    path = refdata / name
    tles = _catalog(path)
    raw = path.read_bytes().decode().replace("\r\n", "\n").split("\n")
    pairs = [(a, b) for a, b in zip(raw, raw[1:], strict=False) if a.startswith("1 ")]
    assert len(pairs) == len(tles) > 0
    changed = 0
    for t, (a, b) in zip(tles, pairs, strict=True):
        l1, l2 = t.to_lines()
        assert (l1, l2) == (_canonical(a), _canonical(b)), (a, b)
        changed += (l1, l2) != (a[:69], b[:69])
        assert TLE.from_lines(l1, l2, t.name) == t  # every field (dataclass equality)
    if name.startswith("catalog/celestrak_active"):
        # python-sgp4 counts from the same epoch (no leap-second day among these)
        assert all((t.satrec.jdsatepoch, t.satrec.jdsatepochF) == (t.epoch.jd1, t.epoch.jd2)
                   for t in tles)
    if name.startswith("catalog/spacetrack"):
        # 476 space-padded catalog numbers and ~390 '+'-signed analyst sets
        assert 476 <= changed < 1000
        assert sum(t.satnum >= 100000 for t in tles) > 0  # 'T0000'... Alpha-5 sets
    else:
        assert changed == 0


def test_vallado_file_round_trip(refdata):
    """Only 11801's blank ephemeris type is canonicalised (and bad checksums redone)."""
    path = refdata / "sgp4" / "SGP4-VER.TLE"
    tles = read_tles(path, verify_checksum=False)
    assert tles[6].satnum == 11801 and tles[6].intl_designator == ""
    assert tles[6].to_lines()[0].endswith("14311-1 0    13")
    for t in tles:
        assert TLE.from_lines(*t.to_lines()) == t


def test_zero_exponent_spelling_is_kept():
    """'00000+0' (CelesTrak) and '00000-0' (Space-Track) both come back as read."""
    plus = _set(L1, 45, 52, " 00000+0")
    assert TLE.from_lines(plus, L2).to_lines()[0] == plus
    assert TLE.from_lines(plus, L2) == TLE.from_lines(L1, L2)


def test_write_tles_round_trip(refdata, tmp_path):
    tles = _catalog(refdata / "catalog" / "celestrak_stations_2021-12-07.tle")
    out = tmp_path / "out.tle"
    write_tles(tles, out)
    assert read_tles(out) == tles
    assert [t.name for t in read_tles(out)] == [t.name for t in tles]
    assert out.read_text().startswith("0 ISS (ZARYA)\n1 25544U")
    write_tles(tles, out, three_line=False)
    back = read_tles(out)
    assert back == [dataclasses.replace(t, name=None) for t in tles]


def test_write_tles_is_atomic(tmp_path, monkeypatch):
    """A failure while writing leaves the old file as it was and no temporary file."""
    out = tmp_path / "keep.tle"
    out.write_text("old contents\n")
    good = TLE.from_lines(L1, L2, "TIANHE")
    with pytest.raises(InputError, match="item 1"):
        write_tles([good, "not a TLE"], out)

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(InputError, match="No space left on device") as exc:
        write_tles([good], out)
    assert str(out) in str(exc.value) and exc.value.field == "path"
    assert out.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tle"]


# ------------------------------------------------------------------ propagation
def test_propagate_returns_trajectory():
    t = TLE.from_lines(L1, L2, "TIANHE")
    e = t.epoch + np.arange(0.0, 5400.0, 60.0)
    traj = t.propagate(e)
    assert traj.frame == "TEME" and traj.center == "earth" and traj.name == "TIANHE"
    assert traj.r.shape == (90, 3) and traj.v.shape == (90, 3)
    radius = np.linalg.norm(traj.r, axis=1)
    assert np.all((6700 < radius) & (radius < 6800))
    # same numbers as python-sgp4 called directly (SI minutes since epoch)
    s = t.satrec
    err, r, v = s.sgp4_array(np.full(90, s.jdsatepoch), s.jdsatepochF + np.arange(90) / 1440)
    assert not err.any()
    np.testing.assert_allclose(traj.r, r, rtol=0, atol=1e-9)
    np.testing.assert_allclose(traj.v, v, rtol=0, atol=1e-12)
    itrf = t.propagate(e, frame="ITRF")
    assert itrf.frame == "ITRF"
    np.testing.assert_allclose(np.linalg.norm(itrf.r, axis=1), radius, rtol=1e-12)
    with pytest.raises(InputError, match="unknown frame"):
        t.propagate(e, frame="B1950")
    with pytest.raises(InputError, match="increasing"):
        t.propagate(e[::-1])


def test_age_days():
    t = TLE.from_lines(L1, L2)
    assert t.age_days(t.epoch + 86400.0 * 3) == pytest.approx(3.0, abs=1e-12)
    assert t.age_days("2021-05-31T22:02:51.408Z") == pytest.approx(-1.0, abs=1e-8)


def test_stale_warning():
    t = TLE.from_lines(L1, L2, "TIANHE")
    with pytest.warns(StaleDataWarning, match="manoeuvred") as rec:
        t.propagate(t.epoch + 20 * 86400.0)
    msg = str(rec[0].message)
    assert "TIANHE" in msg and "20.0 days from 2021-06-21T22:02:51Z" in msg
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.propagate(t.epoch + np.array([-13.9, 13.9]) * 86400.0)
        t.propagate(t.epoch + 20 * 86400.0, max_age_days=30)
        t.propagate(t.epoch + 200 * 86400.0, max_age_days=None)
    with pytest.warns(StaleDataWarning, match="1 of 2 element sets"):
        propagate_tles([t, dataclasses.replace(t, epoch_day=172.5)],
                       t.epoch + 20 * 86400.0)


def test_decayed_object(refdata):
    """IRIDIUM 33 DEB (NORAD 34105), Space-Track set of 2022-01-21 with perigee near
    180 km: SGP4 gives code 6 (decayed) about 1.8 days later."""
    cat = _catalog(refdata / "catalog" / "spacetrack_full_3le_2022-01-22.txt")
    t = next(x for x in cat if x.satnum == 34105)
    days = np.arange(0.0, 3.0, 0.01)
    with pytest.raises(PropagationError) as exc:
        t.propagate(t.epoch + days * 86400.0)
    codes = exc.value.codes
    first = int(np.argmax(codes != 0))
    assert 1.5 < days[first] < 2.0 and codes[first] == 6
    assert np.all(codes[:first] == 0)
    msg = str(exc.value)
    assert "error 6" in msg and "decayed" in msg and "IRIDIUM 33 DEB" in msg
    assert (t.epoch + days[first] * 86400.0).iso() in msg
    assert f"at {int((codes != 0).sum())} of 300 epochs" in msg
    # python-sgp4 returns numbers with code 6; the batch path masks them
    res = propagate_tles([t], t.epoch + days * 86400.0)
    assert not res.valid[0, first] and np.all(np.isnan(res.r[0, first:][codes[first:] != 0]))
    assert np.all(np.isfinite(res.r[0, :first]))


def test_gcrf_matches_astropy():
    """TEME -> GCRF agrees with astropy's TEME -> GCRS (same IERS data, offline) to a
    centimetre: both follow Vallado et al. 2006 App. C for TEME."""
    pytest.importorskip("astropy")
    import astropy.units as u
    from astropy.coordinates import GCRS, TEME, CartesianDifferential, CartesianRepresentation
    from astropy.time import Time
    from astropy.utils import iers

    t = TLE.from_lines(L1, L2)
    e = t.epoch + np.array([0.0, 2700.0, 86400.0])
    teme = t.propagate(e)
    gcrf = t.propagate(e, frame="GCRF")
    with iers.conf.set_temp("auto_download", False):
        obstime = Time(e.jd1, e.jd2, format="jd", scale="utc")
        rep = CartesianRepresentation(teme.r.T * u.km, differentials=CartesianDifferential(
            teme.v.T * u.km / u.s))
        ref = TEME(rep, obstime=obstime).transform_to(GCRS(obstime=obstime))
        r_ref = ref.cartesian.xyz.to_value(u.km).T
        v_ref = ref.velocity.d_xyz.to_value(u.km / u.s).T
    assert np.linalg.norm(gcrf.r - r_ref, axis=1).max() < 1 * METRE
    assert np.linalg.norm(gcrf.v - v_ref, axis=1).max() < 1 * MM_PER_S


# ------------------------------------------------------------------ batch
def test_batch_matches_scalar(refdata):
    tles = read_tles(refdata / "tle" / "iss_25544_2021-06.tle") + \
        read_tles(refdata / "tle" / "tianhe_48274_2021.tle")[:2]
    e = Epoch.from_iso("2021-06-17T00:00:00Z") + np.arange(0.0, 7200.0, 300.0)
    res = propagate_tles(tles, e, max_age_days=None)
    assert isinstance(res, SGP4Result)
    assert res.r.shape == (9, 24, 3) and res.error.shape == (9, 24)
    assert res.valid.all() and res.raise_for_errors() is res
    for k, t in enumerate(tles):
        traj = t.propagate(e, max_age_days=None)
        np.testing.assert_array_equal(res.r[k], traj.r)
        np.testing.assert_array_equal(res.v[k], traj.v)
    g = res.to_frame("GCRF")
    assert g.frame == "GCRF"
    traj = tles[3].propagate(e, frame="GCRF", max_age_days=None)
    np.testing.assert_allclose(g.r[3], traj.r, rtol=0, atol=1e-9)
    np.testing.assert_allclose(g.v[3], traj.v, rtol=0, atol=1e-12)
    assert res.trajectory(3).name == "ISS (ZARYA)"
    one = propagate_tles(tles[:1], e[5], max_age_days=None)
    assert one.r.shape == (1, 3) and one.error.shape == (1,)
    np.testing.assert_array_equal(one.r[0], res.r[0, 5])


def test_batch_errors(refdata):
    cat = _catalog(refdata / "catalog" / "spacetrack_full_3le_2022-01-22.txt")
    tles = [x for x in cat if x.satnum in (25544, 34105)]
    e = tles[0].epoch + np.arange(0.0, 4.0) * 86400.0
    res = propagate_tles(tles, e)
    k = [t.satnum for t in tles].index(34105)
    assert res.valid[1 - k].all() and not res.valid[k].all()
    with pytest.raises(PropagationError, match="for 1 of 2 satellites") as exc:
        res.raise_for_errors()
    assert exc.value.codes.shape == (2, 4)
    with pytest.raises(PropagationError):
        res.trajectory(k)
    assert len(res.trajectory(1 - k)) == 4
    with pytest.raises(InputError):
        propagate_tles([], e)


def test_leap_second_counted():
    """Time since epoch is SI time: across the 2016-12-31 leap second, one day after an
    epoch of 2016-12-31T12:00Z is 86400 SI s, and the batch path (a second element set
    on the far side of the leap second sharing the call) gives the same numbers."""
    before = TLE.from_lines(_set(L1, 19, 32, "16366.50000000"), L2)
    after = TLE.from_lines(_set(L1, 19, 32, "17001.50000000"), L2)
    e = Epoch.from_iso("2017-01-01T12:00:00Z") + np.array([0.0, 60.0])
    assert np.asarray(e - before.epoch)[0] == pytest.approx(86401.0, abs=1e-6)
    traj = before.propagate(e)
    err, r, v = before.satrec.sgp4_array(np.full(2, before.satrec.jdsatepoch),
                                         before.satrec.jdsatepochF
                                         + (86401.0 + np.array([0.0, 60.0])) / 86400.0)
    np.testing.assert_allclose(traj.r, r, rtol=0, atol=1e-8)
    res = propagate_tles([after, before], e)
    np.testing.assert_allclose(res.r[1], traj.r, rtol=0, atol=1e-8)
    np.testing.assert_allclose(res.r[0], after.propagate(e).r, rtol=0, atol=1e-8)


# ------------------------------------------------------------------ QA: implausible states
def _huge_bstar():
    """Tianhe with B* = 0.99999 (columns 54-61 ' 99999-0', checksum fixed), read from text."""
    return read_tles(f"0 BAD\n{_set(L1, 54, 61, ' 99999-0')}\n{L2}\n")[0]


def test_implausible_state_is_an_error_not_a_position():
    """SGP4 returns |r| ~ 7e7 km with error code 0 two days before the epoch of a set with
    B* = 0.99999; TLE.propagate raises (code 99), the batch path masks it."""
    t = _huge_bstar()
    s = t.satrec
    code, r, _ = s.sgp4(s.jdsatepoch, s.jdsatepochF - 2.0)
    assert code == 0 and np.linalg.norm(r) > 1e7  # python-sgp4 itself says nothing
    e = t.epoch + np.array([-2.0, 0.0]) * 86400.0
    with pytest.raises(PropagationError) as exc:
        t.propagate(e, max_age_days=None)
    assert list(exc.value.codes) == [IMPLAUSIBLE_STATE, 0]
    msg = str(exc.value)
    assert "error 99: implausible state (|r| = 7.34" in msg and "km" in msg
    assert "B* (line 1, columns 54-61)" in msg and "<= 11131 km" in msg
    assert e[0].iso() in msg and "at 1 of 2 epochs" in msg
    res = propagate_tles([t, TLE.from_lines(L1, L2)], e, max_age_days=None)
    assert res.error.tolist() == [[99, 0], [0, 0]]
    assert not res.valid[0, 0] and np.all(np.isnan(res.r[0, 0])) and np.all(np.isnan(res.v[0, 0]))
    assert np.all(np.isfinite(res.r[:, 1]))
    with pytest.raises(PropagationError, match="implausible state") as exc:
        res.raise_for_errors()
    assert "first: BAD (NORAD 48274" in str(exc.value)
    assert len(res.trajectory(1)) == 2
    with pytest.raises(PropagationError, match="error 99"):
        res.trajectory(0)
    with pytest.raises(PropagationError, match="error 99"):
        res.to_frame("GCRF").raise_for_errors()


def test_implausible_states_of_a_real_decaying_set(refdata):
    """Space-Track set of NORAD 30318 (B* 0.038): propagated 10 days back, SGP4 gives code 0
    and |r| far beyond the Moon; we give code 99."""
    t = next(x for x in _catalog(refdata / "catalog" / "spacetrack_full_3le_2022-01-22.txt")
             if x.satnum == 30318)
    e = t.epoch + np.array([-10.0, 0.0]) * 86400.0
    s = t.satrec
    code, r, _ = s.sgp4(s.jdsatepoch, s.jdsatepochF - 10.0)
    assert code == 0 and np.linalg.norm(r) > 1e6
    res = propagate_tles(t, e, max_age_days=None)  # a single TLE is accepted
    assert res.error.tolist() == [[IMPLAUSIBLE_STATE, 0]]
    with pytest.raises(PropagationError, match="implausible state") as exc:
        t.propagate(e, max_age_days=None)
    assert "spacetrack_full_3le_2022-01-22.txt line" in str(exc.value)


def test_plausibility_check_catches_nan_and_fast_states():
    """A NaN or an unbound velocity with code 0 is refused like a far position."""
    from cosmoplan.tle import _check_plausible

    t = TLE.from_lines(L1, L2)
    r = np.array([[[6700.0, 0, 0], [np.nan, 0, 0], [6700.0, 0, 0], [7000.0, 0, 0]]])
    v = np.array([[[0, 7.7, 0], [0, 7.7, 0], [0, 20.0, 0], [0, np.inf, 0]]])
    err = np.array([[0, 0, 0, 6]], np.uint8)
    rejected = _check_plausible([t], err, r, v)
    assert err.tolist() == [[0, 99, 99, 6]]  # an SGP4 code is kept
    assert np.isnan(rejected[0, 0]).all() and rejected[0, 2].tolist() == [6700.0, 20.0]


# ------------------------------------------------------------------ QA: which element set
def test_propagation_error_names_the_element_set(refdata, tmp_path):
    """Satellite, catalog number, element-set epoch, file and line, kept on the TLE but
    not part of its equality."""
    cat = _catalog(refdata / "catalog" / "spacetrack_full_3le_2022-01-22.txt")
    iridium = next(x for x in cat if x.satnum == 34105)
    path = tmp_path / "decay.tle"
    write_tles([TLE.from_lines(L1, L2), iridium], path)
    tles = read_tles(path)
    t = tles[1]
    assert (t.source, t.line_number) == (str(path), 4)  # lines 1-2, name, 4-5
    assert (tles[0].source, tles[0].line_number) == (str(path), 1)
    assert t == iridium and hash(t) == hash(iridium) and iridium.source != t.source
    assert dataclasses.replace(t, rev_number=1).source is None  # no longer the file's
    with pytest.raises(PropagationError) as exc:
        t.propagate(t.epoch + 3 * 86400.0)
    msg = str(exc.value)
    assert (f"IRIDIUM 33 DEB (NORAD 34105; element set of {t.epoch.iso()}, {path} line 4)"
            in msg), msg
    unnamed = TLE.from_lines(*t.to_lines())
    with pytest.raises(PropagationError) as exc:
        unnamed.propagate(t.epoch + 3 * 86400.0)
    assert f"SGP4 failed for NORAD 34105 (element set of {t.epoch.iso()}) at" in str(exc.value)
    located = TLE.from_lines(*t.to_lines(), source="here.tle", first_line_number=7)
    assert (located.source, located.line_number) == ("here.tle", 7)
    res = propagate_tles(tles, t.epoch + 3 * 86400.0, max_age_days=None)
    with pytest.raises(PropagationError, match=r"line 4\); first failure at"):
        res.raise_for_errors()


# ------------------------------------------------------------------ QA: long or binary input
def test_long_line_is_not_echoed(tmp_path):
    path = tmp_path / "big.tle"
    path.write_text("X" * 5_000_000)
    with pytest.raises(InputError) as exc:
        read_tles(path)
    msg = str(exc.value)
    assert len(msg) < 400 and "... (5000000 characters)" in msg
    assert "'" + "X" * 80 + "'" in msg and "X" * 81 not in msg
    assert "is this a TLE file?" in msg and exc.value.line == 1 and str(path) in msg
    with pytest.raises(InputError) as exc:
        read_tles("Y" * 100_000 + "\n" + "Z" * 100_000 + "\n")
    assert len(str(exc.value)) < 500 and "(100000 characters)" in str(exc.value)
    with pytest.raises(InputError) as exc:
        read_tles(f"{L1}\n" + "W" * 100_000 + "\n")
    assert len(str(exc.value)) < 300 and "not followed by its line 2" in str(exc.value)
    with pytest.raises(InputError) as exc:  # a long file name is cut short too
        read_tles("n" * 100_000)
    assert len(str(exc.value)) < 500


def test_binary_file_is_not_text(tmp_path):
    path = tmp_path / "bin.tle"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as exc:
        read_tles(path)
    msg = str(exc.value)
    assert "not a text TLE file: a NUL byte at line 1, column 4" in msg and str(path) in msg
    assert "name line" not in msg and exc.value.field == "file"
    path.write_bytes(f"{L1}\n{L2}\nCAF\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="byte 0xE9, which is not UTF-8 text at line 3, "
                       "column 4") as exc:
        read_tles(path)
    path.write_bytes(f"TIANHE\x07\n{L1}\n{L2}\n".encode())
    with pytest.raises(InputError, match="column 7: control character '\\\\x07'") as exc:
        read_tles(path)
    assert exc.value.line == 1 and exc.value.field == "name"
    with pytest.raises(InputError, match="NUL character"):
        read_tles(f"{L1}\n{L2}\x00\n")
    # a UTF-8 byte-order mark, old Mac line ends and a UTF-8 name are fine
    path.write_bytes(f"\ufeffTIANHE \u00e9\r{L1}\r{L2}\r".encode())
    assert [t.name for t in read_tles(path)] == ["TIANHE \u00e9"]


# ------------------------------------------------------------------ QA: argument types
@pytest.mark.parametrize("arg, hint", [
    (None, "got NoneType"), (5, "got int"), (b"x.tle", "decode the bytes first"),
    (io.StringIO(f"{L1}\n{L2}\n"), "or its text (f.read())"),
    ([L1, L2], "'\\n'.join(lines)"),
])
def test_read_tles_argument_types(arg, hint):
    with pytest.raises(InputError) as exc:
        read_tles(arg)
    msg = str(exc.value)
    assert "must be a file name (str or os.PathLike) or TLE text" in msg and hint in msg
    assert exc.value.field == "path_or_text"


def test_read_tles_tle_line_and_directory(tmp_path):
    with pytest.raises(InputError) as exc:
        read_tles(L1)
    msg = str(exc.value)
    assert "looks like TLE text, not a file name" in msg and "TLE.from_lines" in msg
    assert repr(L1) in msg
    with pytest.raises(InputError, match="it is a directory, not a file") as exc:
        read_tles(tmp_path)
    assert str(tmp_path) in str(exc.value)
    with pytest.raises(InputError, match="No such file"):
        read_tles(tmp_path / "missing.tle")
    assert read_tles(f"{L1}\n{L2}") == [TLE.from_lines(L1, L2)]
    (tmp_path / "x.tle").write_text(f"{L1}\n{L2}\n")

    class Named(os.PathLike):
        def __fspath__(self):
            return os.fsencode(tmp_path / "x.tle")

    assert read_tles(Named()) == [TLE.from_lines(L1, L2)]  # PathLike giving bytes
    with pytest.raises(InputError, match="must be a file name"):
        TLE.from_file(None)
    with pytest.raises(InputError, match="looks like TLE text"):
        TLE.from_file(f"{L1}\n{L2}\n")
    with pytest.raises(InputError, match="looks like TLE text"):
        TLE.from_file(L2)
    with pytest.raises(InputError, match="verify_checksum = 'no'; expected True or False"):
        read_tles(f"{L1}\n{L2}\n", verify_checksum="no")


@pytest.mark.parametrize("kwargs, field, shown", [
    (dict(first_line_number="x"), "first_line_number", "first_line_number = 'x'"),
    (dict(first_line_number=0), "first_line_number", "expected an integer >= 1"),
    (dict(first_line_number=2.0), "first_line_number", "= 2.0"),
    (dict(first_line_number=True), "first_line_number", "= True"),
    (dict(source=5), "source", "source = 5"),
    (dict(name=b"ISS"), "name", "b'ISS'"),
    (dict(verify_checksum=None), "verify_checksum", "verify_checksum = None"),
])
def test_from_lines_argument_types(kwargs, field, shown):
    with pytest.raises(InputError) as exc:
        TLE.from_lines(L1, L2, **kwargs)
    assert exc.value.field == field and shown in str(exc.value)


def test_from_lines_accepts_numpy_line_number_and_path_source():
    t = TLE.from_lines(L1, L2, source=pathlib.Path("a.tle"), first_line_number=np.int64(4))
    assert (t.source, t.line_number) == ("a.tle", 4)


# ------------------------------------------------------------------ QA: writing never fails
def _read_back(t, tmp_path):
    path = tmp_path / "back.tle"
    write_tles(t, path)
    return read_tles(path)[0]


@pytest.mark.parametrize("name", ["A\nB", "A\rB", "TAB\tNAME", "NUL\x00", "A\x85B",
                                  "L\u2028S"])
def test_name_with_control_characters(name):
    t = TLE.from_lines(L1, L2)
    with pytest.raises(InputError) as exc:
        dataclasses.replace(t, name=name)
    assert exc.value.field == "name" and "control character" in str(exc.value)
    assert repr(name) in str(exc.value)
    with pytest.raises(InputError, match="control character"):
        TLE.from_lines(L1, L2, name=name)


def test_name_blanks_are_canonicalised(tmp_path):
    t = TLE.from_lines(L1, L2)
    assert dataclasses.replace(t, name="  CSS ").name == "CSS"
    assert dataclasses.replace(t, name="   ").name is None
    for name in ("CSS", "0 X", "#hash", "1 ONE", "\u5929\u548c"):
        u = dataclasses.replace(t, name=name)
        back = _read_back(u, tmp_path)
        assert back == u and back.name == name


@pytest.mark.parametrize("value, hint", [("21035a", "'21035A'?"), ("21-35A", ""),
                                         ("A21035", ""), ("21035ABCD", ""),
                                         (None, "text")])
def test_intl_designator_refused(value, hint):
    """Lower case is refused (the reader refuses it), not upper-cased."""
    with pytest.raises(InputError) as exc:
        dataclasses.replace(TLE.from_lines(L1, L2), intl_designator=value)
    assert exc.value.field == "intl_designator"
    assert "intl_designator (line 1, columns 10-17)" in str(exc.value)
    assert repr(value) in str(exc.value) and hint in str(exc.value)


def test_intl_designator_accepted(tmp_path):
    t = TLE.from_lines(L1, L2)
    for value in ("", "98067", "98067ABC", "21 35A", " 21035A ", "2103"):
        u = dataclasses.replace(t, intl_designator=value)
        assert _read_back(u, tmp_path) == u and u.intl_designator == value.strip()


def test_epoch_day_rounding_carries_into_next_year(tmp_path):
    t = dataclasses.replace(TLE.from_lines(L1, L2), epoch_year=2021, epoch_day=365.999999999)
    assert (t.epoch_year, t.epoch_day) == (2022, 1.0)
    assert t.to_lines()[0][18:32] == "22001.00000000"
    assert _read_back(t, tmp_path) == t
    assert t.epoch.iso() == "2022-01-01T00:00:00.000Z"
    leap = dataclasses.replace(t, epoch_year=2020, epoch_day=366.999999996)
    assert (leap.epoch_year, leap.epoch_day) == (2021, 1.0)
    keep = dataclasses.replace(t, epoch_year=2021, epoch_day=365.999999994)
    assert (keep.epoch_year, keep.to_lines()[0][18:32]) == (2021, "21365.99999999")
    with pytest.raises(InputError) as exc:
        dataclasses.replace(t, epoch_year=2056, epoch_day=366.999999999)
    assert exc.value.field == "epoch" and "2056, the last TLE year" in str(exc.value)


@pytest.mark.parametrize("field_name, value, field, shown", [
    ("mean_motion_rev_per_day", 99.999999999, "mean_motion", "rounds to 100.00000000"),
    ("mean_motion_rev_per_day", 1e-9, "mean_motion", "rounds to 0.00000000"),
    ("eccentricity", 0.99999996, "eccentricity", "rounds to 1"),
    ("ndot", -0.999999999, "ndot", "rounding to the 8 decimals"),
    ("bstar", 2e9, "bstar", "one exponent digit"),
    ("nddot", 1e-12, "nddot", "one exponent digit"),
    ("epoch_year", 2021.5, "epoch", "a year 1957..2056"),
    ("rev_number", 100000, "rev_number", "0..99999"),
])
def test_values_that_do_not_fit_their_columns(field_name, value, field, shown):
    """Refused on creation, naming the field that overflows (not 'satnum')."""
    with pytest.raises(InputError) as exc:
        dataclasses.replace(TLE.from_lines(L1, L2), **{field_name: value})
    assert exc.value.field == field and shown in str(exc.value), str(exc.value)
    assert f"{field} (line" in str(exc.value)


def test_integral_floats_and_negative_zero_angles(tmp_path):
    t = TLE.from_lines(L1, L2)
    u = dataclasses.replace(t, epoch_year=2021.0, satnum=np.float64(48274.0),
                            element_number=np.int32(999), rev_number=530.0)
    assert u == t and type(u.epoch_year) is int and type(u.satnum) is int
    assert u.to_lines() == (L1, L2)
    z = dataclasses.replace(t, raan_rad=-0.0, arg_perigee_rad=-0.0, mean_anomaly_rad=-0.0,
                            inclination_rad=-0.0)
    assert "-" not in z.to_lines()[1] and _read_back(z, tmp_path) == z


_FINITE = dict(allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "satnum": st.integers(0, 339999),
    "classification": st.sampled_from("UCS"),
    "intl_designator": st.sampled_from(["", "98067A", "21035ABC", "57001", "00 01Z"]),
    "epoch_year": st.integers(1957, 2056),
    "epoch_day": st.floats(1.0, 366.99999999999, **_FINITE),
    "ndot": st.floats(-0.999999999, 0.999999999, **_FINITE),
    "nddot": st.one_of(st.just(0.0), st.floats(-9.9e8, 9.9e8, **_FINITE)),
    "bstar": st.one_of(st.just(-0.0), st.floats(-1.0, 1.0, **_FINITE)),
    "ephemeris_type": st.integers(0, 9),
    "element_number": st.integers(0, 9999),
    "inclination_rad": st.floats(0.0, math.pi, **_FINITE),
    "raan_rad": st.floats(0.0, 2 * math.pi, **_FINITE),
    "eccentricity": st.floats(0.0, 0.99999999, **_FINITE),
    "arg_perigee_rad": st.floats(0.0, 2 * math.pi, **_FINITE),
    "mean_anomaly_rad": st.floats(0.0, 2 * math.pi, **_FINITE),
    "mean_motion_rev_per_day": st.floats(1e-9, 99.99999999999, **_FINITE),
    "rev_number": st.integers(0, 99999),
    "name": st.one_of(st.none(), st.text(max_size=30)),
}))
def test_written_files_always_read_back(fields):
    """Whatever the constructor accepts, write_tles writes and read_tles reads back (the
    same lines, the same name, every field to the precision of its columns); what it
    refuses is an InputError naming a field."""
    try:
        t = TLE(**fields)
    except InputError as exc:
        assert exc.field in {"intl_designator", "epoch", "ndot", "nddot", "bstar",
                             "eccentricity", "mean_motion", "name"}, str(exc)
        return
    l1, l2 = t.to_lines()
    back = read_tles((f"0 {t.name}\n" if t.name else "") + f"{l1}\n{l2}\n")
    assert len(back) == 1 and back[0].name == t.name
    assert back[0].to_lines() == (l1, l2)
    assert back[0].epoch_year == t.epoch_year
    assert back[0].epoch_day == pytest.approx(t.epoch_day, abs=5.1e-9)
    assert back[0].mean_motion_rev_per_day == pytest.approx(t.mean_motion_rev_per_day,
                                                            abs=5.1e-9)
    assert back[0].eccentricity == pytest.approx(t.eccentricity, abs=5.1e-8)


def test_write_tles_single_tle_and_bad_paths(tmp_path):
    t = TLE.from_lines(L1, L2, "TIANHE")
    out = tmp_path / "one.tle"
    write_tles(t, out)
    assert read_tles(out) == [t]
    with pytest.raises(InputError, match="the path is a directory, not a file") as exc:
        write_tles([t], tmp_path)
    assert str(tmp_path) in str(exc.value) and exc.value.field == "path"
    with pytest.raises(InputError, match="folder to write into does not exist") as exc:
        write_tles([t], tmp_path / "nope" / "x.tle")
    assert str(tmp_path / "nope" / "x.tle") in str(exc.value)
    with pytest.raises(InputError, match="path must be a file name .* got NoneType"):
        write_tles([t], None)
    with pytest.raises(InputError, match="tles must be a TLE or a list of TLE objects, got "
                       "NoneType"):
        write_tles(None, out)
    with pytest.raises(InputError, match="three_line = 'yes'; expected True or False"):
        write_tles([t], out, three_line="yes")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.tle"]  # no temporary file


def test_write_tles_permission_denied(tmp_path, monkeypatch):
    """An OSError of the writer (here: no permission for the temporary file) is an
    InputError naming the path, and nothing is left behind."""
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(InputError, match="cannot write the TLE file: Permission denied") as exc:
        write_tles(TLE.from_lines(L1, L2), tmp_path / "x.tle")
    assert str(tmp_path / "x.tle") in str(exc.value)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ QA: wrong types elsewhere
@pytest.mark.parametrize("epochs, shown", [
    ("not a date", "ISO 8601"), (None, "cannot use None as an epoch"),
    (1.5, "cannot use 1.5 as an epoch"), (np.array([1.0]), "give an Epoch"),
    (Epoch(np.array([]), np.array([]), scale="utc"), "no epochs to propagate to"),
])
def test_propagate_epoch_types(epochs, shown):
    t = TLE.from_lines(L1, L2)
    for call in (lambda: t.propagate(epochs), lambda: propagate_tles([t], epochs)):
        with pytest.raises(InputError, match=shown) as exc:
            call()
        assert "epoch" in exc.value.field


def test_propagate_other_argument_types():
    t = TLE.from_lines(L1, L2)
    e2 = Epoch(np.full((2, 2), 2459367.5), np.zeros((2, 2)), scale="utc")
    with pytest.raises(InputError, match=r"1-D array of epochs, got shape \(2, 2\)"):
        t.propagate(e2)
    assert propagate_tles([t], e2, max_age_days=None).r.shape == (1, 2, 2, 3)
    with pytest.raises(InputError, match="trajectory\\(\\) needs 0-D or 1-D epochs"):
        propagate_tles([t], e2, max_age_days=None).trajectory(0)
    with pytest.raises(InputError, match="max_age_days = 'x'; expected a number of days"):
        t.propagate(t.epoch, max_age_days="x")
    with pytest.raises(InputError, match="max_age_days = -1"):
        propagate_tles([t], t.epoch, max_age_days=-1)
    with pytest.raises(InputError, match="tles must be a TLE or a sequence of TLE objects, "
                       "got NoneType"):
        propagate_tles(None, t.epoch)
    with pytest.raises(InputError, match="item 1 of tles is a str"):
        propagate_tles([t, L1], t.epoch)
    res = propagate_tles([t], t.epoch + np.arange(3.0))
    for index in (1, -2, 0.0, "0", True):
        with pytest.raises(InputError, match="expected an integer -1 <= index < 1") as exc:
            res.trajectory(index)
        assert exc.value.field == "index"
    assert len(res.trajectory(-1)) == 3 and len(res.trajectory(np.int64(0))) == 3
    with pytest.raises(InputError, match="tle_checksum takes a TLE line"):
        tle_checksum(None)
    for bad in (None, 1.5, "x", "-1", 340000):
        with pytest.raises(InputError) as exc:
            int_to_alpha5(bad)
        assert exc.value.field == "satnum"
    assert int_to_alpha5(np.int64(100000)) == "A0000" and int_to_alpha5("123") == "00123"
    with pytest.raises(InputError):
        alpha5_to_int(None)
