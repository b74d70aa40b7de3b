"""Lambert solver (Izzo 2015): published cases, an independent oracle, physics properties.

* Published cases: ``refdata/vectors/lambert.json`` (Vallado, Curtis 5.2, Battin 7.12,
  GMAT hyperbolic, Der 2011 M = 0 and M = 1 with all four branches, and the M = 1 case
  with no solution), at the tolerances stated there (single revolution atol 0.02 km/s
  rtol 1e-3, multi-revolution rtol 5e-6, as in lamberthub's tests).
* Oracle: ``tests/fixtures/lambert_pykep.npz`` from ``tools/oracle_lambert.py``: the
  first 5,000 of 100,000 random problems (0-5 revolutions, elliptic to hyperbolic, both
  directions) and the 40 others where pykep is wrong, with every solution pykep
  3.0.1's C++ Izzo solver finds, and the same solutions polished in 40-digit
  arithmetic by the universal-variable method (Bate, Mueller & White 1971 §5.3), which
  checks pykep independently.
* Properties (hypothesis): Kepler propagation of (r1, v1) over tof reaches r2,
  energy and angular momentum agree at both ends, direction of motion, time reversal.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cosmoplan.errors import ConvergenceError, InputError, PlanningError
from cosmoplan.interplanetary import LAMBERT_STATUS, LambertSolution, lambert, lambert_batch
from cosmoplan.kepler import propagate_kepler

MU_EARTH = 398600.4418
FIXTURE = Path(__file__).parent / "fixtures" / "lambert_pykep.npz"


def _cases(refdata):
    return json.loads((refdata / "vectors" / "lambert.json").read_text())


@pytest.fixture(scope="module")
def ref_cases(refdata):
    return _cases(refdata)


# --------------------------------------------------------------------------------------
# Published cases


def _case_ids():
    from conftest import REFDATA

    path = REFDATA / "vectors" / "lambert.json"
    if not path.is_file():
        return ["missing"]
    return [c["id"] for c in json.loads(path.read_text())["cases"]]


@pytest.mark.parametrize("case_id", _case_ids())
def test_published_case(ref_cases, case_id):
    """Each textbook / paper case at the tolerance stated in lambert.json's note."""
    c = next(c for c in ref_cases["cases"] if c["id"] == case_id)
    sols = lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions=c["M"],
                   prograde=c.get("prograde", True))
    if c["M"] == 0:
        assert len(sols) == 1 and sols[0].branch == "single"
        sol = sols[0]
        tol = dict(rtol=1e-3, atol=0.02)
    else:
        assert [s.branch for s in sols] == ["low", "high"]
        sol = next(s for s in sols if s.branch == ("low" if c["low_path"] else "high"))
        tol = dict(rtol=5e-6, atol=0.0)
    assert sol.revolutions == c["M"]
    np.testing.assert_allclose(sol.v1, c["v1"], **tol)
    if c["v2"] is not None:
        np.testing.assert_allclose(sol.v2, c["v2"], **tol)


def test_published_cases_tighter(ref_cases):
    """Beyond the stated tolerance: the cases printed to 8 digits (Der) agree to 1e-5
    km/s, Vallado to 1e-6, Curtis to its printed 4 decimals."""
    tight = {"vallado_ex7-5": 1e-6, "curtis_ex5-2": 5e-5}
    for c in ref_cases["cases"]:
        limit = tight.get(c["id"], 1e-5 if c["id"].startswith("der") else None)
        if limit is None:
            continue
        for s in lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions=c["M"],
                         prograde=c.get("prograde", True)):
            if s.branch in ("single", "low" if c.get("low_path") else "high"):
                assert np.max(np.abs(s.v1 - c["v1"])) < limit, c["id"]
                assert np.max(np.abs(s.v2 - c["v2"])) < limit, c["id"]


def test_der_multirev_batch_branches(ref_cases):
    """lambert_batch gives the same four M = 1 branches (Der 2011) as lambert."""
    for c in ref_cases["cases"]:
        if c["M"] != 1:
            continue
        branch = "low" if c["low_path"] else "high"
        v1, v2, status = lambert_batch([c["r1"]], [c["r2"]], c["tof"], c["mu"], revolutions=1,
                                       prograde=c["prograde"], branch=branch)
        assert status.tolist() == [0]
        np.testing.assert_allclose(v1[0], c["v1"], rtol=5e-6)
        np.testing.assert_allclose(v2[0], c["v2"], rtol=5e-6)


def test_published_no_solution(ref_cases):
    """Der's M = 1 case at 18,000 s: shorter than the 1-revolution minimum."""
    for c in ref_cases["negative_cases"]:
        with pytest.raises(PlanningError, match=r"no solution for 1 revolutions.*minimum time "
                                                r"of flight for 1 revs: [0-9.e+]+ s"):
            lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions=c["M"])
        _, _, status = lambert_batch([c["r1"]], [c["r2"]], c["tof"], c["mu"], revolutions=1)
        assert status.tolist() == [1]
        # "all" stops at M = 0
        sols = lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions="all")
        assert [(s.revolutions, s.branch) for s in sols] == [(0, "single")]


def test_revolutions_all(ref_cases):
    """Der's geometry at 36,000 s has M = 0 and both M = 1 solutions, no M = 2."""
    c = next(c for c in ref_cases["cases"] if c["id"] == "der_amos2011_M1_prograde_low")
    sols = lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions="all")
    assert [(s.revolutions, s.branch) for s in sols] == [(0, "single"), (1, "low"),
                                                         (1, "high")]
    assert all(isinstance(s, LambertSolution) and s.v1.shape == (3,) for s in sols)
    with pytest.raises(PlanningError, match="2 revs"):
        lambert(c["r1"], c["r2"], c["tof"], c["mu"], revolutions=2)


# --------------------------------------------------------------------------------------
# Oracle fixture (pykep 3.0.1 C++, polished in 40 digits)


@pytest.fixture(scope="module")
def oracle():
    if not FIXTURE.is_file():
        pytest.fail(f"oracle fixture {FIXTURE} missing: run tools/oracle_lambert.py generate")
    return dict(np.load(FIXTURE))


def _ours(d, m, branch):
    n = d["tof"].size
    ok = np.zeros(n, bool)
    v1 = np.full((n, 3), np.nan)
    v2 = np.full((n, 3), np.nan)
    for mu in np.unique(d["mu"]):
        for pro in (True, False):
            sel = (d["mu"] == mu) & (d["prograde"] == pro)
            a, b, status = lambert_batch(d["r1"][sel], d["r2"][sel], d["tof"][sel], float(mu),
                                         revolutions=m, prograde=bool(pro), branch=branch)
            assert np.all(np.isfinite(a[status == 0])) and np.all(np.isnan(a[status != 0]))
            ok[sel] = status == 0
            v1[sel], v2[sel] = a, b
    return ok, v1, v2


def _rel(a, b):
    return np.maximum(np.linalg.norm(a[0] - b[0], axis=1) / np.linalg.norm(b[0], axis=1),
                      np.linalg.norm(a[1] - b[1], axis=1) / np.linalg.norm(b[1], axis=1))


def test_oracle_every_solution(oracle):
    """Every solution pykep finds, we find, on the same branch, and it agrees to 1e-8
    relative in velocity (to 1e-11 with pykep's solution polished to 40 digits). We find
    no (M <= 5, branch) that pykep does not list.

    pykep is not always right: its Householder loop stops at |dx| < 1e-5 (M = 0) or 1e-8,
    which leaves ~0.2 % of its solutions off by up to ~1e-7 (its own velocities miss r2 by
    that much when propagated). There the polished value sides with ours; the test demands
    that wherever we differ from pykep by more than 1e-8. pykep also returns NaN for some
    M > 0 solutions it lists (its T_min search fails): a dense scan of the universal
    variable shows those need more time than given, and we report status 1 there.
    """
    d = oracle
    counted = 0
    pykep_off = 0
    for m in range(6):
        for branch in (("low",) if m == 0 else ("low", "high")):
            col = 0 if m == 0 else (2 * m if branch == "low" else 2 * m - 1)
            ok, v1, v2 = _ours(d, m, branch)
            listed = d["M"][:, col] == m
            finite = listed & np.all(np.isfinite(d["v1"][:, col]), axis=1)
            assert not np.any(finite & ~ok), np.flatnonzero(finite & ~ok)[:10]
            assert not np.any(ok & ~listed), np.flatnonzero(ok & ~listed)[:10]
            nan_rows = np.flatnonzero(listed & ~finite)
            assert not np.any(ok[nan_rows])
            assert np.all(d["nan_min_tof"][nan_rows, m] > d["tof"][nan_rows])
            pk = (d["v1"][finite, col], d["v2"][finite, col])
            ref = (d["v1_ref"][finite, col], d["v2_ref"][finite, col])
            ours = (v1[finite], v2[finite])
            e_ref = _rel(ours, ref)
            assert np.all(e_ref < 1e-11), (m, branch, e_ref.max())
            e_pk = _rel(ours, pk)
            off = e_pk > 1e-8
            # where pykep differs from us, pykep differs from the 40-digit value as much
            assert np.all(_rel(pk, ref)[off] > 0.5 * e_pk[off])
            pykep_off += int(off.sum())
            counted += int(finite.sum())
    assert counted > 20000
    assert pykep_off > 0  # the fixture keeps the cases where pykep is off (see above)


def test_oracle_solution_counts(oracle):
    """``lambert(..., revolutions="all")`` returns as many solutions as pykep (finite) on
    the cases whose largest M is below pykep's cap of 5."""
    d = oracle
    for i in range(0, d["tof"].size, 25):
        listed = (d["M"][i] >= 0) & np.all(np.isfinite(d["v1"][i]), axis=1)
        if np.max(d["M"][i]) == 5:
            continue
        sols = lambert(d["r1"][i], d["r2"][i], d["tof"][i], d["mu"][i], revolutions="all",
                       prograde=bool(d["prograde"][i]))
        assert len(sols) == int(listed.sum()), i


# --------------------------------------------------------------------------------------
# Properties


def _unit(a, b):
    return np.array([math.cos(b) * math.cos(a), math.cos(b) * math.sin(a), math.sin(b)])


@st.composite
def problems(draw):
    r1n = 10.0 ** draw(st.floats(3.8, 6.0))
    r2n = 10.0 ** draw(st.floats(3.8, 6.0))
    u1 = _unit(draw(st.floats(0, 2 * math.pi)), draw(st.floats(-1.5, 1.5)))
    u2 = _unit(draw(st.floats(0, 2 * math.pi)), draw(st.floats(-1.5, 1.5)))
    m = draw(st.integers(0, 3))
    # non-dimensional time of flight (Izzo Eq. 8): hyperbolic to several revolutions
    tnd = draw(st.one_of(st.floats(0.02, 1.0), st.floats(0.5, 2.0),
                         st.floats(max(m * math.pi, 0.02), (m + 1) * math.pi + 2.0)))
    r1, r2 = r1n * u1, r2n * u2
    s = 0.5 * (r1n + r2n + np.linalg.norm(r2 - r1))
    tof = tnd * math.sqrt(s**3 / (2 * MU_EARTH))
    return r1, r2, tof, m, draw(st.booleans()), draw(st.sampled_from(["low", "high"]))


def _check_physics(r1, r2, tof, v1, v2, prograde=None):
    scale = max(np.linalg.norm(r1), np.linalg.norm(r2))
    r, v = propagate_kepler(r1, v1, tof, MU_EARTH)
    assert np.linalg.norm(r - r2) <= 1e-6 + 1e-11 * scale  # 1 mm, or 1e-11 of the size
    vs = max(np.linalg.norm(v1), np.linalg.norm(v2))
    assert np.linalg.norm(v - v2) <= 1e-10 * vs
    e1 = v1 @ v1 / 2 - MU_EARTH / np.linalg.norm(r1)
    e2 = v2 @ v2 / 2 - MU_EARTH / np.linalg.norm(r2)
    assert abs(e1 - e2) <= 1e-11 * (vs * vs + MU_EARTH / min(np.linalg.norm(r1),
                                                             np.linalg.norm(r2)))
    h1, h2 = np.cross(r1, v1), np.cross(r2, v2)
    assert np.linalg.norm(h1 - h2) <= 1e-11 * scale * vs
    # the sense of motion is defined only when the transfer plane is (not for r1, r2 within
    # 1e-6 rad of each other or of opposite directions, e.g. r1 = r2 + 1e-4 km z)
    sin_angle = np.linalg.norm(np.cross(r1, r2)) / (np.linalg.norm(r1) * np.linalg.norm(r2))
    if prograde is not None and abs(h1[2]) > 1e-9 * np.linalg.norm(h1) and sin_angle > 1e-6:
        assert (h1[2] > 0) == prograde


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_property_propagation_reaches_r2(p):
    """Kepler propagation of (r1, v1) reaches r2 with v2; energy and h are conserved;
    the motion has the requested direction."""
    r1, r2, tof, m, prograde, branch = p
    sin_t = np.linalg.norm(np.cross(r1, r2)) / np.linalg.norm(r1) / np.linalg.norm(r2)
    assume(sin_t > 1e-9)
    assume(m > 0 or r1 @ r2 < 0 or sin_t > 1e-3)  # M = 0 near 0 deg: nearly rectilinear
    v1, v2, status = lambert_batch(r1, r2, tof, MU_EARTH, revolutions=m, prograde=prograde,
                                   branch=branch)
    assert status[0] in (0, 1)
    if status[0] == 1:
        assert m > 0
        with pytest.raises(PlanningError):
            lambert(r1, r2, tof, MU_EARTH, revolutions=m, prograde=prograde)
        return
    _check_physics(r1, r2, tof, v1[0], v2[0], prograde)
    sols = lambert(r1, r2, tof, MU_EARTH, revolutions=m, prograde=prograde)
    same = [s for s in sols if s.branch in ("single", branch)] or sols
    np.testing.assert_array_equal(same[0].v1, v1[0])


@settings(max_examples=200, deadline=None)
@given(problems())
def test_property_time_reversal(p):
    """Flying back from r2 to r1 in the other direction gives (-v2, -v1)."""
    r1, r2, tof, m, prograde, branch = p
    sin_t = np.linalg.norm(np.cross(r1, r2)) / np.linalg.norm(r1) / np.linalg.norm(r2)
    assume(sin_t > 1e-6)
    # h_z = 0 (the plane holds the z axis) counts as prograde both ways: not reversible
    assume(abs(np.cross(r1, r2)[2]) > 1e-9 * np.linalg.norm(r1) * np.linalg.norm(r2))
    a1, a2, s1 = lambert_batch(r1, r2, tof, MU_EARTH, revolutions=m, prograde=prograde,
                               branch=branch)
    b1, b2, s2 = lambert_batch(r2, r1, tof, MU_EARTH, revolutions=m, prograde=not prograde,
                               branch=branch)
    assert s1[0] == s2[0]
    if s1[0] == 0:
        vs = np.linalg.norm(a1)
        assert np.linalg.norm(b1[0] + a2[0]) <= 1e-12 * vs + 1e-12
        assert np.linalg.norm(b2[0] + a1[0]) <= 1e-12 * vs + 1e-12


@settings(max_examples=100, deadline=None)
@given(st.floats(0.05, 3.0), st.floats(0.1, 3.1), st.floats(0.2, 20.0))
def test_property_equal_radii_symmetry(ratio_unused, theta, tnd):
    """With |r1| = |r2| the transfer is symmetric about the bisector: equal speeds and
    opposite radial velocities at the two ends."""
    r = 20000.0
    r1 = np.array([r, 0.0, 0.0])
    r2 = r * np.array([math.cos(theta), math.sin(theta), 0.0])
    s = 0.5 * (2 * r + np.linalg.norm(r2 - r1))
    tof = tnd * math.sqrt(s**3 / (2 * MU_EARTH))
    (sol,) = lambert(r1, r2, tof, MU_EARTH)
    assert abs(np.linalg.norm(sol.v1) - np.linalg.norm(sol.v2)) <= 1e-12 * np.linalg.norm(
        sol.v1)
    assert abs(sol.v1 @ r1 + sol.v2 @ r2) <= 1e-12 * r * np.linalg.norm(sol.v1)


def test_near_parabolic_and_hyperbolic():
    """Transfers a hair either side of the parabola, and very fast hyperbolas, reach r2."""
    r1 = np.array([7000.0, 100.0, -300.0])
    r2 = np.array([-2000.0, 30000.0, 5000.0])
    c = np.linalg.norm(r2 - r1)
    n1, n2 = np.linalg.norm(r1), np.linalg.norm(r2)
    s = 0.5 * (n1 + n2 + c)
    lam = math.sqrt(1 - c / s)
    t_par = 2.0 / 3.0 * (1 - lam**3) * math.sqrt(s**3 / (2 * MU_EARTH))  # Izzo: T(x=1)
    for f in (1 - 1e-12, 1 - 1e-9, 1 - 1e-6, 1.0, 1 + 1e-9, 1 + 1e-6, 1e-2, 1e-4):
        (sol,) = lambert(r1, r2, t_par * f, MU_EARTH)
        _check_physics(r1, r2, t_par * f, sol.v1, sol.v2, True)
        energy = sol.v1 @ sol.v1 / 2 - MU_EARTH / n1
        if f < 1 - 1e-8:
            assert energy > 0
        elif f > 1 + 1e-8:
            assert energy < 0


def test_long_time_of_flight_and_many_revolutions():
    """Hundreds of revolutions: the x -> -1 / x -> 1 ends of both branches."""
    r1 = np.array([7000.0, 0.0, 0.0])
    r2 = np.array([0.0, 8000.0, 0.0])
    tof = 200 * 2 * math.pi * math.sqrt(7500.0**3 / MU_EARTH)
    sols = lambert(r1, r2, tof, MU_EARTH, revolutions="all")
    assert sols[-1].revolutions >= 190
    for s in sols[::37] + sols[-2:]:
        _check_physics(r1, r2, tof, s.v1, s.v2, True)


# --------------------------------------------------------------------------------------
# Degenerate geometry


def test_180_degree_needs_plane():
    r1 = np.array([7000.0, 0.0, 0.0])
    r2 = np.array([-9000.0, 0.0, 0.0])
    with pytest.raises(InputError, match="180-degree.*plane is undefined.*plane_normal") as e:
        lambert(r1, r2, 5000.0, MU_EARTH)
    assert e.value.field == "r2"
    v1, v2, status = lambert_batch([r1, r1], [r2, [0.0, 9000.0, 0.0]], 5000.0, MU_EARTH)
    assert status.tolist() == [3, 0] and LAMBERT_STATUS[3].startswith("degenerate")
    assert np.all(np.isnan(v1[0])) and np.all(np.isnan(v2[0])) and np.all(np.isfinite(v1[1]))
    for normal in ([0.0, 0.0, 1.0], [0.0, 0.0, -2.0], [0.0, 1.0, 0.0]):
        (sol,) = lambert(r1, r2, 5000.0, MU_EARTH, plane_normal=normal)
        _check_physics(r1, r2, 5000.0, sol.v1, sol.v2)
        h = np.cross(r1, sol.v1)
        h /= np.linalg.norm(h)
        np.testing.assert_allclose(h, np.array(normal) / np.linalg.norm(normal), atol=1e-12)
    # Hohmann: 180 degrees in half the transfer period, v1 tangential
    a = 8000.0
    (sol,) = lambert(r1, r2, math.pi * math.sqrt(a**3 / MU_EARTH), MU_EARTH,
                     plane_normal=[0, 0, 1])
    np.testing.assert_allclose(sol.v1, [0, math.sqrt(MU_EARTH * (2 / 7000 - 1 / a)), 0],
                               atol=1e-12)
    with pytest.raises(InputError, match="plane_normal.*not normal to r1"):
        lambert(r1, r2, 5000.0, MU_EARTH, plane_normal=[1.0, 0.0, 1.0])


def test_near_180_degree_transfer_plane_kept():
    """A few 1e-9 rad from 180 degrees the plane comes from r1 x r2 (exact products)."""
    r1 = np.array([7000.0, 0.0, 0.0])
    for eps in (1e-9, 1e-7, 1e-4):
        r2 = 9000.0 * np.array([-math.cos(eps), 0.0, math.sin(eps)])
        for pro in (True, False):
            (sol,) = lambert(r1, r2, 6000.0, MU_EARTH, prograde=pro)
            _check_physics(r1, r2, 6000.0, sol.v1, sol.v2)


def test_0_degree_transfer():
    """r2 along r1: only a radial orbit joins them, with or without a plane, any M."""
    r1 = np.array([7000.0, 0.0, 0.0])
    r2 = np.array([9000.0, 0.0, 0.0])
    for kw in ({}, dict(plane_normal=[0, 0, 1]), dict(revolutions=1),
               dict(revolutions=1, plane_normal=[0, 0, 1])):
        with pytest.raises(InputError, match="0-degree.*rectilinear") as e:
            lambert(r1, r2, 20000.0, MU_EARTH, **kw)
        assert e.value.field == "r2"
    with pytest.raises(InputError, match="same point"):
        lambert(r1, r1, 20000.0, MU_EARTH, revolutions=1, plane_normal=[0, 0, 1])
    _, _, status = lambert_batch([r1, r1], [r1, r2], 20000.0, MU_EARTH, revolutions=1)
    assert status.tolist() == [3, 3]


# --------------------------------------------------------------------------------------
# Bad input


R1 = [7000.0, 0.0, 0.0]
R2 = [0.0, 8000.0, 100.0]


@pytest.mark.parametrize("kwargs, field, pattern", [
    (dict(r1=[np.nan, 0, 0]), "r1", "r1 must be finite"),
    (dict(r1=[1.0, 2.0]), "r1", r"r1 must have shape \(3,\)"),
    (dict(r1="abc"), "r1", "r1 must be a numeric"),
    (dict(r2=[[1.0, 2.0, 3.0]]), "r2", r"r2 must have shape \(3,\)"),
    (dict(r2=[0.0, 0.0, 0.0]), "r2", "r2 must not be the zero vector"),
    (dict(r1=[0.0, 0.0, 0.0]), "r1", "r1 must not be the zero vector"),
    (dict(tof=0.0), "tof", "tof must be finite and > 0"),
    (dict(tof=-5.0), "tof", "tof must be finite and > 0"),
    (dict(tof=math.inf), "tof", "tof must be finite and > 0"),
    (dict(tof=[1.0, 2.0]), "tof", "tof must be a scalar"),
    (dict(tof=True), "tof", "tof must be a number"),
    (dict(mu=0.0), "mu", "mu must be finite and > 0"),
    (dict(mu=math.nan), "mu", "mu must be finite and > 0"),
    (dict(revolutions=-1), "revolutions", "revolutions must be >= 0"),
    (dict(revolutions=1.5), "revolutions", "revolutions must be an integer"),
    (dict(revolutions="some"), "revolutions", "revolutions must be an integer"),
    (dict(prograde="yes"), "prograde", "prograde must be True or False"),
    (dict(plane_normal=[0.0, 0.0, 0.0]), "plane_normal", "plane_normal must not be the zero"),
    (dict(plane_normal=[0.0, np.inf, 1.0]), "plane_normal", "plane_normal must be finite"),
])
def test_bad_input_lambert(kwargs, field, pattern):
    args = dict(r1=R1, r2=R2, tof=3600.0, mu=MU_EARTH)
    args.update(kwargs)
    kw = {k: args.pop(k) for k in list(args) if k not in ("r1", "r2", "tof", "mu")}
    with pytest.raises(InputError, match=pattern) as e:
        lambert(args["r1"], args["r2"], args["tof"], args["mu"], **kw)
    assert e.value.field == field


@pytest.mark.parametrize("kwargs, field, pattern", [
    (dict(r1=np.zeros((2, 2))), "r1", r"r1 must have shape \(N, 3\)"),
    (dict(r2=np.zeros((2, 3, 3))), "r2", r"r2 must have shape \(N, 3\)"),
    (dict(tof=np.ones((2, 2))), "tof", "tof must be a scalar or have shape"),
    (dict(tof=np.ones(3)), "tof", "shapes do not broadcast"),
    (dict(mu=-1.0), "mu", "mu must be finite and > 0"),
    (dict(revolutions="all"), "revolutions", "revolutions must be an integer"),
    (dict(branch="left"), "branch", 'branch must be "low" or "high"'),
    (dict(prograde=None), "prograde", "prograde must be True or False"),
])
def test_bad_input_batch(kwargs, field, pattern):
    args = dict(r1=np.array([R1, R1]), r2=np.array([R2, R2]), tof=3600.0, mu=MU_EARTH)
    args.update(kwargs)
    kw = {k: args.pop(k) for k in list(args) if k not in ("r1", "r2", "tof", "mu")}
    with pytest.raises(InputError, match=pattern) as e:
        lambert_batch(args["r1"], args["r2"], args["tof"], args["mu"], **kw)
    assert e.value.field == field


def test_batch_row_status_and_mask():
    """Bad rows get status 4 (invalid) with NaN velocities; the others are solved."""
    r1 = np.array([R1, [np.nan, 0, 0], [0.0, 0.0, 0.0], R1, R1, R1])
    r2 = np.array([R2, R2, R2, R2, R2, R2])
    tof = np.array([3600.0, 3600.0, 3600.0, 0.0, -1.0, np.inf])
    v1, v2, status = lambert_batch(r1, r2, tof, MU_EARTH)
    assert status.dtype == np.int8
    assert status.tolist() == [0, 4, 4, 4, 4, 4]
    assert np.all(np.isfinite(v1[0])) and np.all(np.isnan(v1[1:])) and np.all(np.isnan(v2[1:]))
    # one (3,) row broadcast against N times of flight
    v1, v2, status = lambert_batch(R1, R2, [3600.0, 7200.0], MU_EARTH)
    assert v1.shape == (2, 3) and status.tolist() == [0, 0]


def test_convergence_error_message(monkeypatch):
    """A kernel status 2 becomes ConvergenceError with the inputs and the residual."""
    lam_mod = __import__("cosmoplan.interplanetary.lambert", fromlist=["_scalar_kernel"])

    def fake(*args):
        nan = math.nan
        return nan, nan, nan, nan, nan, nan, 2, 3.5e-9, nan, False

    monkeypatch.setattr(lam_mod, "_scalar_kernel", fake)
    with pytest.raises(ConvergenceError, match=r"r1 = \[7000.0, 0.0, 0.0\] km.*tof = 3600.0 s"
                                               r".*residual in T: 3.500e-09"):
        lambert(R1, R2, 3600.0, MU_EARTH)


def test_no_nan_ever_random():
    """Random problems of every kind: status 0 rows finite, others NaN with a status."""
    rng = np.random.default_rng(7)
    n = 20000
    r1 = rng.normal(size=(n, 3)) * 10.0 ** rng.uniform(3.8, 6, (n, 1))
    r2 = rng.normal(size=(n, 3)) * 10.0 ** rng.uniform(3.8, 6, (n, 1))
    tof = 10.0 ** rng.uniform(1, 7, n)
    for m, branch in ((0, "low"), (1, "low"), (1, "high"), (3, "high")):
        v1, v2, status = lambert_batch(r1, r2, tof, MU_EARTH, revolutions=m, branch=branch)
        assert set(np.unique(status)) <= ({0} if m == 0 else {0, 1})
        good = status == 0
        assert np.all(np.isfinite(v1[good])) and np.all(np.isfinite(v2[good]))
        assert np.all(np.isnan(v1[~good]))
