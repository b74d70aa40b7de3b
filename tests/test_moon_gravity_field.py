"""Bundled lunar gravity field LP165P (degree 70) and the GMAT ``.cof`` reader.

The bundle (``cosmoplan/data/moon_lp165p_70.npz``) is written by
``tools/make_moon_gravity_bundle.py`` from ``tools/data/lp165p_deg70.cof``, a verbatim
excerpt (to degree 70) of GMAT's ``LP165P.cof`` (Lunar Prospector, Konopliv et al. 2001,
Icarus 150, 1-18). Checks: the file's values, the degree-2 acceleration against a closed
form written here, the round trip file -> npz, and the reader's errors.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from cosmoplan.errors import InputError
from cosmoplan.forces import gravity_field as gf

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = ROOT / "tools" / "data" / "lp165p_deg70.cof"

# Quoted from tools/data/lp165p_deg70.cof (= LP165P.cof, lines 7-10 and 2,559):
#   POTFIELD165165  0 4.90280105600000e+12 1.73800000000000e+06 1.00000000000000e+00
#   RECOEF    2  0   -9.08901807506000e-05
#   RECOEF    2  1   -2.72203236159000e-09-7.57518292083000e-10
#   RECOEF    2  2    3.46354993722000e-05 1.67294905383000e-08
#   RECOEF   70 70   -2.98941014470000e-08-1.06944559233000e-07
QUOTED = {
    (2, 0): (-9.08901807506000e-05, 0.0),
    (2, 1): (-2.72203236159000e-09, -7.57518292083000e-10),
    (2, 2): (3.46354993722000e-05, 1.67294905383000e-08),
    (3, 1): (2.63274401218000e-05, 5.46436308982000e-06),
    (70, 70): (-2.98941014470000e-08, -1.06944559233000e-07),
}


@pytest.fixture(scope="module")
def moon():
    return gf.default_moon_field()


def _sphere(n, r, rng):
    v = rng.normal(size=(n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    return r * v


# --- bundle --------------------------------------------------------------------------------


def test_bundle_constants(moon):
    assert moon.mu == 4902.801056  # 4.90280105600000e+12 m^3/s^2
    assert moon.radius_km == 1738.0  # 1.73800000000000e+06 m
    assert moon.max_degree == 70 and moon.max_order == 70 and moon.c.shape == (71, 71)
    assert moon.name == "LP165P" and moon.tide_system == "unknown"
    assert gf.default_moon_field() is moon  # cached
    for (n, m), (cnm, snm) in QUOTED.items():
        assert moon.c[n, m] == cnm and moon.s[n, m] == snm, (n, m)
    assert moon.c[0, 0] == 1.0 and not moon.c[1].any() and not moon.s[1].any()
    assert not np.triu(moon.c, 1).any() and not moon.s[:, 0].any()
    meta = gf.bundle_metadata(gf.MOON_BUNDLE_FILE)
    assert meta["source_sha256"] == gf.sha256_file(EXCERPT)
    assert meta["name"] == "LP165P" and "Konopliv" in meta["source"]
    assert "POTFIELD165165  0 4.90280105600000e+12" in meta["source_header"]
    assert gf.bundle_metadata()["name"] == "EGM96"  # default: still the EGM96 bundle
    with pytest.raises(InputError, match="bundle must be"):
        gf.bundle_metadata("other.npz")


def test_principal_axes_and_j2(moon):
    # Principal-axis frame: C21, S21, S22 vanish up to the solution's noise (< 1e-3 of
    # C22); in the mean-Earth frame (rotated ~0.03 deg) C21 would be ~1e-8..1e-7.
    assert abs(moon.c[2, 1]) < 1e-8 and abs(moon.s[2, 1]) < 1e-8
    assert abs(moon.s[2, 2]) < 1e-3 * moon.c[2, 2]
    j2 = -moon.c[2, 0] * math.sqrt(5.0)  # unnormalised J2
    assert j2 == moon.zonal_j()[2]
    assert round(j2, 8) == 2.0324e-4
    # Konopliv et al. 2001 quote J2 = 203.4e-6 for the LP fields: agreement within 0.1 %
    # (this GMAT copy's C20 differs from the PDS file's by ~5e-4 relative, see the docs).
    assert abs(j2 / 203.4e-6 - 1.0) < 1e-3


def test_acceleration_near_point_mass_at_100_km(moon):
    rng = np.random.default_rng(20250101)
    r = moon.radius_km + 100.0
    pts = np.vstack([_sphere(200, r, rng), [[0, 0, r], [0, 0, -r], [r, 0, 0], [0, r, 0]]])
    a = gf.acceleration(pts, field=moon, degree=70)
    g = moon.mu / r**2
    rel = np.abs(np.linalg.norm(a, axis=1) / g - 1.0)
    # within 1e-3 of mu / r^2 (1.45 m/s^2) away from the mascons; 2e-3 everywhere
    assert np.median(rel) < 1e-3 and rel.max() < 2e-3
    assert rel.max() > 1e-5  # the harmonics are there
    assert np.all(np.einsum("ij,ij->i", a, pts) < 0)  # pointing inwards
    # Mare Serenitatis mascon (25 N, 19 E): about +210 mGal at 100 km altitude, the
    # largest anomaly of the field there (1.5e-3 of mu / r^2)
    la, lo = np.radians(25.1), np.radians(18.8)
    p = r * np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    excess = np.linalg.norm(gf.acceleration(p, field=moon, degree=70)) - g
    assert 1.8e-6 < excess < 2.4e-6  # km/s^2 (1 mGal = 1e-8 km/s^2)


def _degree2_closed_form(mu, radius, cbar, sbar, p):
    """Acceleration of the degree-2 terms alone, from their Cartesian potential.

    Unnormalised C_2m = Cbar_2m N_2m, N_20 = sqrt(5), N_21 = sqrt(5/3), N_22 = sqrt(5/12);
    U_2 = mu R^2 / r^5 Q with Q = C20 (2 z^2 - x^2 - y^2) / 2 + 3 z (C21 x + S21 y)
    + 3 (C22 (x^2 - y^2) + 2 S22 x y), homogeneous of degree 2, so
    grad U_2 = mu R^2 (grad Q / r^5 - 5 Q r / r^7).
    """
    c20 = cbar[2, 0] * math.sqrt(5.0)
    c21 = cbar[2, 1] * math.sqrt(5.0 / 3.0)
    s21 = sbar[2, 1] * math.sqrt(5.0 / 3.0)
    c22 = cbar[2, 2] * math.sqrt(5.0 / 12.0)
    s22 = sbar[2, 2] * math.sqrt(5.0 / 12.0)
    x, y, z = p[:, 0], p[:, 1], p[:, 2]
    r2 = x * x + y * y + z * z
    q = (c20 * (2 * z * z - x * x - y * y) / 2 + 3 * z * (c21 * x + s21 * y)
         + 3 * (c22 * (x * x - y * y) + 2 * s22 * x * y))
    dq = np.stack([-c20 * x + 3 * c21 * z + 6 * (c22 * x + s22 * y),
                   -c20 * y + 3 * s21 * z + 6 * (s22 * x - c22 * y),
                   2 * c20 * z + 3 * (c21 * x + s21 * y)], axis=1)
    k = mu * radius**2
    return k * (dq / r2[:, None] ** 2.5 - 5 * (q / r2**3.5)[:, None] * p)


def test_degree2_matches_closed_form(moon):
    # C_00 = 0: the kernels return the non-central part alone (no cancellation)
    c = moon.c.copy()
    c[0, 0] = 0.0
    nc = gf.GravityField(mu=moon.mu, radius_km=moon.radius_km, c=c, s=moon.s,
                         max_degree=moon.max_degree, name="LP165P non-central")
    rng = np.random.default_rng(7)
    pts = np.vstack([_sphere(50, moon.radius_km + 100.0, rng), _sphere(50, 5000.0, rng),
                     [[0, 0, 1838.0], [1838.0, 0, 0], [0, -1838.0, 0]]])
    ours = gf.acceleration(pts, field=nc, degree=2)
    ref = _degree2_closed_form(moon.mu, moon.radius_km, moon.c, moon.s, pts)
    rel = np.linalg.norm(ours - ref, axis=1) / np.linalg.norm(ref, axis=1)
    assert rel.max() < 1e-12, rel.max()
    # J2 alone on the polar axis: U = mu / r (1 - J2 (R / r)^2), so the J2 term of a_z is
    # +3 mu J2 R^2 / r^4 (an oblate body pulls less at its poles)
    c2 = np.zeros((3, 3))
    c2[2, 0] = moon.c[2, 0]
    j2_only = gf.GravityField(mu=moon.mu, radius_km=moon.radius_km, c=c2,
                              s=np.zeros((3, 3)), max_degree=2)
    r = 1838.0
    az = gf.acceleration([0.0, 0.0, r], field=j2_only, degree=2)[2]
    j2 = -moon.c[2, 0] * math.sqrt(5.0)
    assert az == pytest.approx(3 * moon.mu * j2 * moon.radius_km**2 / r**4, rel=1e-13)


# --- the excerpt, the reader and the tool --------------------------------------------------


def test_excerpt_counts_and_round_trip(moon):
    lines = EXCERPT.read_text().splitlines()
    rec = [ln for ln in lines if ln.startswith("RECOEF")]
    assert len(rec) == 2553  # degrees 2..70, n + 1 lines each
    degrees = [int(ln[8:11]) for ln in rec]
    assert all(degrees.count(n) == n + 1 for n in range(2, 71))
    assert sum(ln.startswith("POTFIELD") for ln in lines) == 1
    fld = gf.load_cof(EXCERPT, max_degree=70)
    np.testing.assert_array_equal(fld.c, moon.c)
    np.testing.assert_array_equal(fld.s, moon.s)
    assert fld.mu == moon.mu and fld.radius_km == moon.radius_km
    assert fld.name == "lp165p_deg70" and fld.source == "lp165p_deg70.cof"
    named = gf.load_cof(EXCERPT, max_degree=8, body="Moon", name="LP165P")
    assert named.source == "lp165p_deg70.cof (Moon)" and named.name == "LP165P"
    np.testing.assert_array_equal(named.c, moon.c[:9, :9])
    # the header still declares degree 165: reading it all says what is missing
    with pytest.raises(InputError, match=r"coefficient\(s\) missing up to degree 165") as exc:
        gf.load_cof(EXCERPT)
    assert exc.value.value == (71, 0) and exc.value.line == len(lines)


def test_bundle_tool_check():
    spec = importlib.util.spec_from_file_location(
        "make_moon_gravity_bundle", ROOT / "tools" / "make_moon_gravity_bundle.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.EXPECTED_SHA256 == gf.sha256_file(EXCERPT)
    assert tool.main(["--check"]) == 0


HEADER = ("COMMENT   toy field\n"
          "CCCCCCCCCCCCCCCC\n"
          "POTFIELD  3  3  0 4.90280105600000e+12 1.73800000000000e+06 1.00000000000000e+00\n")
N_HEADER = 3
TOY = {(2, 0): (-9.08901807506000e-05, 0.0), (2, 1): (-2.7e-09, -7.5e-10),
       (2, 2): (3.46354993722000e-05, 1.67294905383000e-08), (3, 0): (-3.2e-06, 0.0),
       (3, 1): (2.63274401218000e-05, 5.46436308982000e-06), (3, 2): (1.4e-05, 4.8e-06),
       (3, 3): (1.22860589447000e-05, -1.78544808164000e-06)}


def _rec(n, m, c, s):
    line = f"RECOEF  {n:3d}{m:3d}   {c:21.14e}"
    return line if m == 0 else line + f"{s:21.14e}"


def _cof(data=None, header=HEADER, extra=""):
    data = TOY if data is None else data
    return header + "\n".join(_rec(n, m, *cs) for (n, m), cs in data.items()) + "\n" + extra


def _write(tmp_path, text, name="toy.cof"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_cof_toy(tmp_path):
    assert _rec(2, 2, *TOY[(2, 2)]) == "RECOEF    2  2    3.46354993722000e-05 1.67294905383000e-08"
    fld = gf.load_cof(_write(tmp_path, _cof(extra="END\nanything after END is ignored\n")))
    assert fld.mu == 4902.801056 and fld.radius_km == 1738.0 and fld.max_degree == 3
    assert fld.name == "toy" and fld.tide_system == "unknown" and fld.c[0, 0] == 1.0
    for (n, m), (cnm, snm) in TOY.items():
        assert fld.c[n, m] == cnm and fld.s[n, m] == snm
    # run-together fields, Fortran D exponents, trailing blanks and CRLF
    text = _cof().replace("e-", "D-").replace("\n", "  \r\n")
    np.testing.assert_array_equal(gf.load_cof(_write(tmp_path, text, "d.cof")).c, fld.c)
    # order below degree
    data = {k: v for k, v in TOY.items() if k[1] <= 1}
    low = gf.load_cof(_write(tmp_path, _cof(data, HEADER.replace("  3  3  0", "  3  1  0")),
                             "o.cof"))
    assert low.max_order == 1 and low.c[3, 1] == TOY[(3, 1)][0] and not low.c[:, 2:].any()
    # unnormalised (flag 0): Cbar_nm = C_nm / N_nm
    n, m = 3, 2
    norm = math.sqrt(2 * (2 * n + 1) * math.factorial(n - m) / math.factorial(n + m))
    data = dict(TOY)
    data[(3, 2)] = (1.4e-05 * norm, 4.8e-06 * norm)
    un = gf.load_cof(_write(tmp_path, _cof(data, HEADER.replace(
        "1.00000000000000e+00\n", "0.00000000000000e+00\n")), "u.cof"))
    assert un.c[3, 2] == pytest.approx(1.4e-05, rel=1e-14)
    assert un.c[2, 0] == pytest.approx(-9.08901807506000e-05 / math.sqrt(5), rel=1e-14)


def _error(tmp_path, text, **kw):
    path = _write(tmp_path, text, "bad.cof")
    with pytest.raises(InputError) as exc:
        gf.load_cof(path, **kw)
    err = exc.value
    assert str(path) in str(err) and err.source == str(path)
    assert err.line is not None and f"line {err.line}" in str(err)
    return err


def test_load_cof_errors(tmp_path):
    first = N_HEADER + 1  # line of (2, 0)
    good = _cof().splitlines()

    # a truncated coefficient (the S field of (3, 1) cut short)
    lines = list(good)
    lines[first + 3] = lines[first + 3][:45]
    err = _error(tmp_path, "\n".join(lines) + "\n")
    assert err.line == first + 4 and err.field == "S" and err.value == " 5.4643"
    assert "S of (n, m) = (3, 1) truncated: ' 5.4643'" in str(err)
    lines[first + 3] = lines[first + 3][:38]  # S missing altogether
    err = _error(tmp_path, "\n".join(lines) + "\n")
    assert err.line == first + 4 and "S of (n, m) = (3, 1) missing" in str(err)
    lines[first + 3] = lines[first + 3][:30]  # C cut short
    err = _error(tmp_path, "\n".join(lines) + "\n")
    assert "C of (n, m) = (3, 1) truncated: ' 2.6327440121'" in str(err)

    # a missing header
    err = _error(tmp_path, _cof(header="COMMENT   no header\n"))
    assert err.line == 2 and "RECOEF line before the POTFIELD header" in str(err)
    assert "RECOEF    2  0   -9.08901807506000e-05" in str(err)
    err = _error(tmp_path, "COMMENT   only comments\nCCCC\n")
    assert err.line == 2 and "no POTFIELD header" in str(err)

    # a degree beyond what the file holds: asked for, or on a line
    err = _error(tmp_path, _cof(), max_degree=4)
    assert err.line == 3 and err.field == "max_degree" and err.value == 4
    assert "max_degree 4 asked, but the POTFIELD header declares degree 3" in str(err)
    err = _error(tmp_path, _cof(extra=_rec(4, 0, 1e-7, 0.0) + "\n"))
    assert err.line == first + 7 and err.value == 4
    assert "degree n = 4 above the POTFIELD header's degree 3 (line 3)" in str(err)
    err = _error(tmp_path, _cof(header=HEADER.replace("  3  3  0", "  3  1  0")))
    assert err.line == first + 2 and "order m = 2 above the POTFIELD header's order 1" in str(err)

    # a non-number
    data = dict(TOY)
    bad = _rec(3, 1, *TOY[(3, 1)]).replace("2.63274401218000e-05", "2.6327440x218000e-05")
    err = _error(tmp_path, _cof(data, extra="").replace(_rec(3, 1, *TOY[(3, 1)]), bad))
    assert err.line == first + 4 and err.field == "C" and err.value == " 2.6327440x218000e-05"
    assert "C of (n, m) = (3, 1) is not a number: ' 2.6327440x218000e-05'" in str(err)
    err = _error(tmp_path, _cof().replace("RECOEF    3  1", "RECOEF    3  x"))
    assert err.field == "m" and err.value == "  x" and err.line == first + 4
    for token, field in (("4.9028010560000Qe+12", "GM"), ("-1.73800000000000e+06", "radius"),
                         ("2.00000000000000e+00", "normalization")):
        old = {"GM": "4.90280105600000e+12", "radius": "1.73800000000000e+06",
               "normalization": "1.00000000000000e+00"}[field]
        err = _error(tmp_path, _cof(header=HEADER.replace(old, token)))
        assert err.line == 3 and err.field == field and err.value == token
        assert repr(token) in str(err)

    # an empty file
    err = _error(tmp_path, "")
    assert err.line == 1 and "file is empty" in str(err)

    # a duplicate (n, m)
    err = _error(tmp_path, _cof(extra=_rec(2, 1, 0.0, 0.0) + "\n"))
    assert err.line == first + 7 and err.value == (2, 1)
    assert f"duplicate coefficient (n, m) = (2, 1), first at line {first + 1}" in str(err)

    # and the rest: missing, m > n, S for m = 0, extra columns, second header, unknown
    data = dict(TOY)
    del data[(3, 2)]
    err = _error(tmp_path, _cof(data))
    assert "1 coefficient(s) missing" in str(err) and err.value == (3, 2)
    assert gf.load_cof(_write(tmp_path, _cof(data), "ok.cof"), max_degree=2).max_degree == 2
    err = _error(tmp_path, _cof(extra=_rec(2, 3, 0.0, 0.0) + "\n"))
    assert "order m = 3 > degree n = 2" in str(err) and err.line == first + 7
    err = _error(tmp_path, _cof().replace(_rec(3, 0, *TOY[(3, 0)]),
                                          _rec(3, 0, *TOY[(3, 0)]) + f"{1e-9:21.14e}"))
    assert "S of (n, m) = (3, 0) must be 0" in str(err) and err.line == first + 3
    err = _error(tmp_path, _cof().replace(_rec(2, 2, *TOY[(2, 2)]),
                                          _rec(2, 2, *TOY[(2, 2)]) + " 1.0"))
    assert "characters after column 59" in str(err) and err.value == " 1.0"
    err = _error(tmp_path, _cof().replace("RECOEF    2  1", "RECOEF 2 1    "))
    assert "not in GMAT's fixed columns" in str(err) and err.line == first + 1
    err = _error(tmp_path, _cof(extra=HEADER.splitlines()[2] + "\n"))
    assert "second POTFIELD header (the first is at line 3)" in str(err)
    err = _error(tmp_path, _cof(extra="GFC 2 0 1.0 0.0\n"))
    assert "unknown record 'GFC'" in str(err) and err.line == first + 7
    err = _error(tmp_path, _cof(header=HEADER.replace("  0 4.9", " 4.9")))
    assert "3 value(s) after the degree and order" in str(err)

    with pytest.raises(InputError, match="max_degree must be a non-negative integer"):
        gf.load_cof(_write(tmp_path, _cof()), max_degree=-1)
    with pytest.raises(InputError, match="body must be a string"):
        gf.load_cof(_write(tmp_path, _cof()), body=3)
    with pytest.raises(InputError, match="cannot open"):
        gf.load_cof(tmp_path / "absent.cof")
