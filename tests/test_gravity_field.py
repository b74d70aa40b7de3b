"""Spherical-harmonic gravity field: ICGEM reader, bundled EGM96 and the numba kernels.

Checks the Holmes & Featherstone kernels against (a) the zonal J2..J6 kernel of
:mod:`cosmoplan.forces.gravity`, (b) the gradient of their own potential by central
differences, (c) an independent textbook implementation written here (unnormalised
coefficients, ``scipy.special.lpmv``, gradient in spherical coordinates, as in Vallado
2013 §8.6.1) and (d) the standard forward column recursion (H&F 2002 eqs.
11-13) for the potential at degree 120. No Orekit or oracle environment needed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import lpmv

from cosmoplan import constants
from cosmoplan.errors import InputError
from cosmoplan.forces import gravity_field as gf
from cosmoplan.forces.gravity import zonal_acceleration

RNG = np.random.default_rng(20240611)


@pytest.fixture(scope="module")
def egm96():
    return gf.default_field()


@pytest.fixture(scope="module")
def egm96_nc(egm96):
    """EGM96 with C_00 = 0: the kernels then return the non-central part alone, which
    can be compared at full precision (subtracting mu r / r^3 from the total would not)."""
    c = egm96.c.copy()
    c[0, 0] = 0.0
    return gf.GravityField(mu=egm96.mu, radius_km=egm96.radius_km, c=c, s=egm96.s,
                           max_degree=egm96.max_degree, name="EGM96 non-central")


def _points(n, rmin=6678.0, rmax=42164.0, rng=RNG):
    """n random positions, radius 300 km altitude .. GEO, uniform on the sphere."""
    v = rng.normal(size=(n, 3))
    v /= np.linalg.norm(v, axis=1)[:, None]
    return v * rng.uniform(rmin, rmax, size=(n, 1))


def _geo(lat_deg, lon_deg, r_km):
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return r_km * np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


# --- bundle and constants -------------------------------------------------------------

# Values quoted from EGM96.gfc (satkit-data 0.9.0, sha256 5247a9e9...cb43b), lines 23-27:
#   gfc     2   0 -0.484165371736e-03  0.000000000000e+00
#   gfc     2   1 -0.186987635955e-09  0.119528012031e-08
#   gfc     2   2  0.243914352398e-05 -0.140016683654e-05
#   gfc     3   0  0.957254173792e-06  0.000000000000e+00
#   gfc     3   1  0.202998882184e-05  0.248513158716e-06
# and the last line read (degree 120) and one mid-field line:
#   gfc    20   4  0.242238118652e-08 -0.211057611874e-07
EGM96_QUOTED = {
    (2, 0): (-0.484165371736e-03, 0.0),
    (2, 1): (-0.186987635955e-09, 0.119528012031e-08),
    (2, 2): (0.243914352398e-05, -0.140016683654e-05),
    (3, 0): (0.957254173792e-06, 0.0),
    (3, 1): (0.202998882184e-05, 0.248513158716e-06),
    (20, 4): (0.242238118652e-08, -0.211057611874e-07),
}


def test_bundle_holds_the_gfc_values(egm96):
    assert egm96.max_degree == 120 and egm96.max_order == 120
    assert egm96.c.shape == (121, 121)
    assert egm96.tide_system == "tide_free" and egm96.name == "EGM96"
    for (n, m), (cnm, snm) in EGM96_QUOTED.items():
        assert egm96.c[n, m] == cnm and egm96.s[n, m] == snm, (n, m)
    # C21, S21 are ~1e-9 (the pole's mean position), not 0, in EGM96
    assert abs(egm96.c[2, 1]) < 1e-9 and abs(egm96.s[2, 1]) < 2e-9
    assert egm96.c[0, 0] == 1.0 and not egm96.c[1].any() and not egm96.s[1].any()
    assert not np.triu(egm96.c, 1).any() and not egm96.s[:, 0].any()
    meta = gf.bundle_metadata()
    assert meta["source_sha256"].startswith("5247a9e9c316dd2c")
    assert "earth_gravity_constant      0.3986004415E+15" in meta["source_header"]


def test_bundle_agrees_with_constants(egm96):
    assert egm96.mu == constants.EGM96_GM_KM3_S2
    assert egm96.radius_km == constants.EGM96_RADIUS_KM
    np.testing.assert_array_equal(egm96.zonal_j()[:7], constants.EGM96_J)


def test_truncated(egm96):
    t = egm96.truncated(10, 4)
    assert t.c.shape == (11, 11) and t.max_degree == 10 and t.max_order == 4
    assert not t.c[:, 5:].any() and t.c[10, 4] == egm96.c[10, 4]
    with pytest.raises(InputError, match="holds degree 120 at most"):
        egm96.truncated(121)
    with pytest.raises(InputError, match="order 5 outside 0..4"):
        egm96.truncated(4, 5)
    with pytest.raises(InputError, match="highest order"):
        gf.acceleration([7000.0, 0, 0], t, degree=10, order=6)


# --- kernels ----------------------------------------------------------------------------


def test_zonal_degree6_equals_zonal_kernel(egm96):
    r = np.vstack([_points(20), [[0.0, 0.0, 7000.0], [0.0, 0.0, -6600.0], [7000, 0, 0]]])
    ours = gf.acceleration(r, egm96, degree=6, order=0)
    ref = zonal_acceleration(r, constants.EGM96_GM_KM3_S2, constants.EGM96_RADIUS_KM,
                             constants.EGM96_J, 6)
    rel = np.linalg.norm(ours - ref, axis=1) / np.linalg.norm(ref, axis=1)
    assert rel.max() <= 1e-15


@pytest.mark.parametrize("degree", [20, 120])
def test_acceleration_is_gradient_of_potential(egm96, degree):
    pts = _points(5)
    h = 0.02  # km: truncation ~ h^2 U''' / 6 and round-off ~ eps U / h both ~1e-11 relative
    for p in pts:
        a = gf.acceleration(p, egm96, degree)
        grad = np.empty(3)
        for k in range(3):
            e = np.zeros(3)
            e[k] = h
            # 4th-order central difference
            grad[k] = (8 * (gf.potential(p + e, egm96, degree)
                            - gf.potential(p - e, egm96, degree))
                       - (gf.potential(p + 2 * e, egm96, degree)
                          - gf.potential(p - 2 * e, egm96, degree))) / (12 * h)
        rel = np.linalg.norm(grad - a) / np.linalg.norm(a)
        assert rel < 1e-9, (p, rel)
        # absolute: the round-off of the difference quotient, ~1.5 eps U / h ~ 4e-13
        assert np.linalg.norm(grad - a) < 2e-12


def _cunningham_free_reference(field, p, degree, order):
    """Textbook spherical-harmonic acceleration, independent of the kernels.

    Unnormalised coefficients C_nm = Cbar_nm N_nm, N_nm = sqrt((2 - d_m0)(2n+1)(n-m)!/(n+m)!);
    P_nm(sin phi) = (-1)^m lpmv(m, n, sin phi) (scipy includes the Condon-Shortley phase);
    dP_nm/dphi = P_n,m+1 - m tan(phi) P_nm; gradient in (r, phi, lambda), rotated to
    Cartesian axes (Vallado 2013 §8.6.1).
    """
    x, y, z = p
    r = math.sqrt(x * x + y * y + z * z)
    phi = math.asin(z / r)
    lam = math.atan2(y, x)
    sp = math.sin(phi)
    mu, big_r = field.mu, field.radius_km

    def pnm(n, m):
        if m > n:
            return 0.0
        return (-1.0) ** m * lpmv(m, n, sp)

    du_dr = du_dphi = du_dlam = 0.0
    for n in range(2, degree + 1):
        rn = (big_r / r) ** n
        for m in range(0, min(n, order) + 1):
            norm = math.sqrt((2.0 - (m == 0)) * (2 * n + 1) * math.factorial(n - m)
                             / math.factorial(n + m))
            cnm = field.c[n, m] * norm
            snm = field.s[n, m] * norm
            cl, sl = math.cos(m * lam), math.sin(m * lam)
            trig = cnm * cl + snm * sl
            p_nm = pnm(n, m)
            du_dr -= (n + 1) * rn * p_nm * trig
            du_dphi += rn * (pnm(n, m + 1) - m * math.tan(phi) * p_nm) * trig
            du_dlam += rn * m * p_nm * (snm * cl - cnm * sl)
    du_dr *= mu / r**2
    du_dphi *= mu / r
    du_dlam *= mu / r
    cp, cl, sl = math.cos(phi), math.cos(lam), math.sin(lam)
    e_r = np.array([cp * cl, cp * sl, sp])
    e_phi = np.array([-sp * cl, -sp * sl, cp])
    e_lam = np.array([-sl, cl, 0.0])
    return du_dr * e_r + du_dphi / r * e_phi + du_dlam / (r * cp) * e_lam


def test_against_independent_legendre_implementation(egm96, egm96_nc):
    pts = [
        _geo(89.9, 37.0, 6778.0),
        _geo(-89.9, -120.0, 7000.0),
        _geo(0.0, 10.0, 6678.0),
        _geo(0.0, -95.0, 42164.0),
        _geo(45.0, 200.0, 26560.0),
        *_points(3),
    ]
    for p in pts:
        ref = _cunningham_free_reference(egm96, p, 20, 20)
        ours = gf.acceleration(p, egm96_nc, 20)  # non-central part, as the reference
        rel = np.linalg.norm(ours - ref) / np.linalg.norm(ref)
        assert rel < 1e-12, (p, rel)
        total = gf.acceleration(p, egm96, 20)
        a0 = -egm96.mu * p / np.linalg.norm(p) ** 3
        assert np.linalg.norm(total - (ref + a0)) < 1e-15 * np.linalg.norm(total)


def test_pole_is_regular(egm96, egm96_nc):
    """On the polar axis the kernel is finite and continuous: the change from the axis to
    a point delta off it scales as delta (gravity gradient x offset), down to 1e-7 km."""
    for z in (6678.0, -7200.0):
        pole = gf.acceleration([0.0, 0.0, z], egm96_nc, 120)
        assert np.all(np.isfinite(pole))
        d = [np.linalg.norm(gf.acceleration([delta, -delta, z], egm96_nc, 120) - pole)
             for delta in (1e-4, 1e-7)]
        assert d[1] < 2e-3 * d[0], d
        # and equals the closed form on the axis, where only m = 0, 1 contribute:
        # P_n(+-1) = (+-1)^n, lim Pbar_n1 / cos(phi) = N_n1 P_n'(+-1) = N_n1 (+-1)^(n+1)
        # n(n+1)/2, N_n1 = sqrt(2(2n+1)/(n(n+1)))
        n = np.arange(2, 121)
        t = np.sign(z)
        rn = (egm96.radius_km / abs(z)) ** n * egm96.mu / z**2
        d1 = rn * np.sqrt(2.0 * (2 * n + 1) / (n * (n + 1))) * n * (n + 1) / 2 * t ** (n + 1)
        ref = np.array([np.sum(d1 * egm96.c[n, 1]), np.sum(d1 * egm96.s[n, 1]),
                        -t * np.sum(rn * (n + 1) * np.sqrt(2.0 * n + 1) * egm96.c[n, 0]
                                    * t**n)])
        assert np.linalg.norm(pole - ref) < 1e-12 * np.linalg.norm(ref), (pole, ref)


def _column_potential(field, p, degree):
    """Potential by the standard forward column recursion on Pbar_nm (H&F 2002 eqs. 11-13)."""
    x, y, z = p
    r = math.sqrt(x * x + y * y + z * z)
    t = z / r
    u = math.sqrt(x * x + y * y) / r
    lam = math.atan2(y, x)
    total = 0.0
    pmm = 1.0
    for m in range(0, degree + 1):
        if m == 1:
            pmm = math.sqrt(3.0) * u
        elif m > 1:
            pmm *= math.sqrt((2 * m + 1) / (2.0 * m)) * u
        pcol = np.zeros(degree + 1)
        pcol[m] = pmm
        for n in range(m + 1, degree + 1):
            a = math.sqrt((2 * n - 1) * (2 * n + 1) / ((n - m) * (n + m)))
            b = math.sqrt((2 * n + 1) * (n + m - 1) * (n - m - 1)
                          / ((n - m) * (n + m) * (2 * n - 3))) if n > m + 1 else 0.0
            pcol[n] = a * t * pcol[n - 1] - b * pcol[n - 2]
        n = np.arange(max(m, 2), degree + 1)
        rn = (field.radius_km / r) ** n
        total += np.sum(rn * pcol[n] * (field.c[n, m] * math.cos(m * lam)
                                        + field.s[n, m] * math.sin(m * lam)))
    return field.mu / r * total


def test_potential_degree120_against_column_recursion(egm96_nc):
    for p in [_geo(30.0, 40.0, 6678.0), _geo(-70.0, 100.0, 6800.0), _geo(1.0, -3.0, 7000.0),
              _geo(89.0, 10.0, 6700.0)]:
        ref = _column_potential(egm96_nc, p, 120)
        ours = gf.potential(p, egm96_nc, 120)
        assert abs(ours - ref) < 1e-12 * abs(ref), (p, ours, ref)


def test_broadcasting_and_validation(egm96):
    r = _points(6).reshape(2, 3, 3)
    a = gf.acceleration(r, egm96, 8, 8)
    assert a.shape == (2, 3, 3)
    np.testing.assert_array_equal(a[1, 2], gf.acceleration(r[1, 2], egm96, 8, 8))
    assert gf.potential(r, egm96, 8).shape == (2, 3)
    assert gf.acceleration(r[0, 0]).shape == (3,)  # default field, degree 20
    with pytest.raises(InputError, match=r"degree 121 outside 0..120") as exc:
        gf.acceleration(r, egm96, degree=121)
    assert exc.value.field == "degree" and exc.value.value == 121
    with pytest.raises(InputError, match=r"order 21 outside 0..20"):
        gf.acceleration(r, egm96, degree=20, order=21)
    with pytest.raises(InputError, match="shape"):
        gf.acceleration([1.0, 2.0], egm96)


# --- ICGEM reader ---------------------------------------------------------------------

HEADER = """\
begin_of_head ===========================================
product_type           gravity_field
modelname              TOY
earth_gravity_constant 0.3986004415E+15
radius                 0.6378136300E+07
max_degree             3
norm                   fully_normalized
tide_system            zero_tide
errors                 formal

key   n   m            C                  S
end_of_head =============================================
"""
DATA = {
    (0, 0): "1.0 0.0", (2, 0): "-0.484165371736e-03 0.0",
    (2, 1): "-0.186987635955e-09 0.119528012031e-08",
    (2, 2): "0.243914352398e-05 -0.140016683654e-05", (3, 0): "0.957254173792e-06 0.0",
    (3, 1): "0.202998882184e-05 0.248513158716e-06",
    (3, 2): "0.904627768605e-06 -0.619025944205e-06",
    (3, 3): "0.721072657057e-06 0.141435626958e-05",
}
N_HEADER = HEADER.count("\n")


def _write(tmp_path, text, name="toy.gfc"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _gfc(data=None, header=HEADER, extra=""):
    data = DATA if data is None else data
    lines = [f"gfc {n:3d} {m:3d} {cs}   0.1e-10 0.1e-10" for (n, m), cs in data.items()]
    return header + "\n".join(lines) + "\n" + extra


def test_load_gfc_reads_and_converts(tmp_path):
    fld = gf.load_gfc(_write(tmp_path, _gfc()))
    assert fld.mu == 398600.4415 and fld.radius_km == 6378.1363
    assert fld.max_degree == 3 and fld.tide_system == "zero_tide" and fld.name == "TOY"
    assert fld.c[3, 2] == 0.904627768605e-06 and fld.s[3, 3] == 0.141435626958e-05
    assert gf.load_gfc(_write(tmp_path, _gfc()), max_degree=2).c.shape == (3, 3)
    # Fortran D exponents, no sigma columns, no begin_of_head, no norm (default)
    data = {k: v.replace("e", "D") for k, v in DATA.items()}
    text = _gfc(data, HEADER.replace("begin_of_head", "").replace(
        "norm                   fully_normalized\n", ""))
    text = text.replace("   0.1e-10 0.1e-10", "")
    fld2 = gf.load_gfc(_write(tmp_path, text, "d.gfc"))
    np.testing.assert_array_equal(fld2.c, fld.c)
    # unnormalised: C_nm = Cbar_nm N_nm
    n, m = 3, 2
    norm = math.sqrt(2 * (2 * n + 1) * math.factorial(n - m) / math.factorial(n + m))
    data = dict(DATA)
    data[(3, 2)] = f"{0.904627768605e-06 * norm!r} 0.0"
    text = _gfc(data, HEADER.replace("fully_normalized", "unnormalized"))
    fld3 = gf.load_gfc(_write(tmp_path, text, "u.gfc"))
    assert fld3.c[3, 2] == pytest.approx(0.904627768605e-06, rel=1e-14)


def _error(tmp_path, text, **kw):
    path = _write(tmp_path, text, "bad.gfc")
    with pytest.raises(InputError) as exc:
        gf.load_gfc(path, **kw)
    err = exc.value
    assert str(path) in str(err) and err.source == str(path)
    if err.line is not None:
        assert f"line {err.line}" in str(err)
    return err


def test_load_gfc_errors(tmp_path):
    data_line0 = N_HEADER + 1  # line of (0, 0)

    err = _error(tmp_path, "just some text\nnothing here\n")
    assert "no 'end_of_head'" in str(err) and err.line == 2

    err = _error(tmp_path, _gfc(header=HEADER.replace("radius                 "
                                                      "0.6378136300E+07\n", "")))
    assert "'radius' missing" in str(err) and err.field == "radius"

    err = _error(tmp_path, _gfc(header=HEADER.replace("gravity_field", "topography")))
    assert err.field == "product_type" and err.value == "topography" and err.line == 2

    err = _error(tmp_path, _gfc(header=HEADER.replace("fully_normalized", "semi")))
    assert "norm 'semi' not supported" in str(err) and err.line == 7

    data = dict(DATA)
    data[(2, 3)] = "0.0 0.0"
    err = _error(tmp_path, _gfc(data))
    assert "order m = 3 > degree n = 2" in str(err) and err.value == 3
    assert err.line == data_line0 + 8

    err = _error(tmp_path, _gfc(extra="gfc 2 1 0.0 0.0 0.0 0.0\n"))
    assert "duplicate coefficient (n, m) = (2, 1)" in str(err) and err.value == (2, 1)
    assert err.line == data_line0 + 8

    data = dict(DATA)
    del data[(3, 1)]
    err = _error(tmp_path, _gfc(data))
    assert "1 coefficient(s) missing" in str(err) and "(3, 1)" in str(err)
    assert err.value == (3, 1)
    assert gf.load_gfc(_write(tmp_path, _gfc(data), "ok.gfc"), max_degree=2).max_degree == 2

    data = dict(DATA)
    data[(3, 1)] = "0.2029988x82184e-05 0.0"
    err = _error(tmp_path, _gfc(data))
    assert err.field == "C" and err.value == "0.2029988x82184e-05" and err.line == data_line0 + 5

    err = _error(tmp_path, _gfc(), max_degree=4)
    assert "file holds degree 3 at most" in str(err) and err.field == "max_degree"
    assert err.line == 6 and err.value == 4

    data = dict(DATA)
    data[(4, 0)] = "1e-7 0.0"
    err = _error(tmp_path, _gfc(data))
    assert "above the header's max_degree 3" in str(err) and err.value == 4

    err = _error(tmp_path, _gfc(extra="gfct 2 0 -0.48e-03 0.0 0.0 0.0 19500101\n"
                                      "trnd 2 0 1e-11 0.0 0.0 0.0\n"))
    assert "time-variable term 'gfct' not supported" in str(err) and err.field == "gfct"
    assert err.line == data_line0 + 8
    # a time-variable term above the degree asked does not change that field: accepted
    ok = _write(tmp_path, _gfc(extra="gfct 3 0 1e-7 0.0 0.0 0.0 19500101\n"), "t.gfc")
    assert gf.load_gfc(ok, max_degree=2).c[2, 0] == -0.484165371736e-03

    err = _error(tmp_path, _gfc(extra="xyz 2 0 1 1\n"))
    assert "unknown data keyword 'xyz'" in str(err)

    with pytest.raises(InputError, match="cannot open"):
        gf.load_gfc(tmp_path / "absent.gfc")
